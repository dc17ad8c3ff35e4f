/* db.h: the one storage interface. SQL text is written once with `?` placeholders and runs on
 * SQLite or PostgreSQL; every statement is prepared (and cached per connection), every value
 * bound. Backends live behind a table of function pointers (db_sqlite.c, db_pg.c). */
#ifndef CX_DB_H
#define CX_DB_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../lib/util.h"

typedef struct db db;
typedef struct db_stmt db_stmt;

typedef enum { DB_SQLITE = 1, DB_PG = 2 } db_kind;

#define DB_ROW 1
#define DB_DONE 0
/* CX_ERR (-1) on error; db_errmsg() says why, db_is_constraint() whether a UNIQUE / CHECK /
 * foreign key was violated. */

/* Opens a connection. url: "postgresql://…" or "postgres://…" for PostgreSQL, anything else is a
 * SQLite file path (opened in WAL mode with foreign keys on). NULL and e filled on failure. */
db *db_open(const char *url, cx_err *e);
void db_close(db *d);
db_kind db_kind_of(const db *d);
const char *db_errmsg(db *d);
bool db_is_constraint(db *d);
/* Whether the last error is a violation of the unique index named index (PostgreSQL names it) on
 * cols as SQLite names them ("member.idcard_hash"; "org.parent_id, org.name"): the one answer a
 * store reports as a duplicate; any other constraint failure is an error, not a duplicate. */
bool db_is_unique(db *d, const char *index, const char *cols);
/* Database errors in this process so far (statements that failed other than by a constraint). */
uint64_t db_error_count(void);

/* Runs SQL without parameters (DDL, several statements allowed). */
int db_exec(db *d, const char *sql);

/* Faults: a failure that says nothing about the request but that the database cannot serve now
 * (PostgreSQL away, SQLite locked past the busy timeout, disk or database full, out of file
 * descriptors). Every failing call records its fault in the calling thread; the server answers
 * 503 for a request that met one instead of "not found" or "not logged in". */
enum { DB_FAULT_NONE = 0, DB_FAULT_BUSY = 1, DB_FAULT_FULL = 2, DB_FAULT_UNAVAILABLE = 3 };
/* The most serious fault recorded in this thread since the last call, then forgets it. */
int db_fault_take(void);
/* Records a fault met on another thread's connection (the ballot writer's) in this thread. */
void db_fault_raise(int fault);
/* The Chinese message and the stable code of a fault ("db_unavailable", "db_busy", "db_full"). */
const char *db_fault_msg(int fault);
const char *db_fault_code(int fault);

/* Transactions. write=true takes the write lock at once in SQLite (BEGIN IMMEDIATE), so two
 * writers queue instead of failing on upgrade. Nested begin is an error. */
int db_begin(db *d, bool write);
int db_commit(db *d);
/* A counter of write transactions committed by this process (any connection); caches compare it
 * to know that nothing was written since they last looked. */
uint64_t db_write_generation(void);
int db_rollback(db *d);
/* Serialises the rest of the caller's write transaction with every other transaction that locks
 * the same (what, id), until commit or rollback: a rule read and then written (the 优秀 cap of a
 * branch, say) holds on both backends. PostgreSQL runs READ COMMITTED, so this takes a
 * transaction-scoped advisory lock there; SQLite's BEGIN IMMEDIATE already serialises writers. */
int db_lock(db *d, const char *what, int64_t id);

/* Returns the cached prepared statement for sql (NULL and db_errmsg on a syntax error). The
 * statement belongs to the connection; call db_done() when finished with it so it can be
 * reused. Parameters are numbered from 1, columns from 0. */
db_stmt *db_prepare(db *d, const char *sql);
void db_bind_i64(db_stmt *s, int i, int64_t v);
/* Bound text and blobs are NOT copied: they must stay valid until db_done (SQLite reads them
 * while stepping). NULL binds SQL NULL. */
void db_bind_text(db_stmt *s, int i, const char *v);
void db_bind_blob(db_stmt *s, int i, const void *v, size_t n);
void db_bind_null(db_stmt *s, int i);
/* First call executes; returns DB_ROW while rows remain, then DB_DONE; CX_ERR on error. */
int db_step(db_stmt *s);
bool db_col_null(db_stmt *s, int c);
int64_t db_col_i64(db_stmt *s, int c);
const char *db_col_text(db_stmt *s, int c);  /* "" for NULL; valid until the next step/done */
const void *db_col_blob(db_stmt *s, int c, size_t *n);
/* Number of rows changed by the last completed INSERT/UPDATE/DELETE statement. */
int64_t db_changes(db_stmt *s);
void db_done(db_stmt *s);

/* A statement built from the filters actually present: each condition is appended only when its
 * filter is set (" WHERE " first, then " AND "), with its binds recorded, so the SQL text names
 * exactly the columns it filters on and the planner can use their indexes. Never write
 * `(? = 0 OR col = ?)`: that defeats an index on col (a generic plan cannot know the filter is
 * off). Each combination of filters is its own text and so its own cached statement. Bound text is
 * not copied: it must outlive the statement, as with db_bind_text. */
#define DB_Q_SQL 4096
#define DB_Q_BINDS 24
typedef struct db_q {
    char sql[DB_Q_SQL];
    size_t n;
    bool where, overflow;
    int nb;
    struct { int type; int64_t i; const char *s; } b[DB_Q_BINDS];
} db_q;
/* Starts with head ("SELECT … FROM …"), no condition yet. */
void db_q_init(db_q *q, const char *head);
/* Appends " WHERE cond" or " AND cond" and binds fmt's values ("i" int64, "s" text) in order. */
void db_q_where(db_q *q, const char *cond, const char *fmt, ...);
/* Appends text as is (ORDER BY, LIMIT) and binds fmt's values. */
void db_q_add(db_q *q, const char *text, const char *fmt, ...);
/* Prepares the text and binds the recorded values; NULL on error. Outgrowing db_q aborts (a bug). */
db_stmt *db_q_prepare(db *d, db_q *q);

/* Runs q (a count) and puts its first column in *n (0 without a row); CX_OK or CX_ERR. */
int db_q_count(db *d, db_q *q, int64_t *n);

/* Debugging and tests: fn sees the text of every statement prepared in this process (NULL: off). */
void db_trace_set(void (*fn)(void *ctx, const char *sql), void *ctx);

/* Convenience: prepare, bind with a format ("i" int64, "s" text, "b" blob+size_t, "n" null),
 * step once, done. For statements whose result is not read. */
int db_run(db *d, const char *sql, const char *fmt, ...);
/* Convenience: the first column of the first row as int64; def when there is no row. */
int db_i64(db *d, int64_t *out, int64_t def, const char *sql, const char *fmt, ...);

/* The SQL text of a schema file with per-backend type words substituted:
 * {{PK}} {{I64}} {{BLOB}} {{CTEXT}} (text that compares bytewise: paths). Caller frees. */
char *db_dialect(db_kind k, const char *sql);

/* A fixed set of connections shared by server threads. */
typedef struct db_pool db_pool;
db_pool *db_pool_new(const char *url, int n, cx_err *e);
db *db_pool_get(db_pool *p);           /* blocks until one is free */
void db_pool_put(db_pool *p, db *d);   /* rolls back any open transaction */
void db_pool_free(db_pool *p);

/* Backend vtable (private to db*.c). */
struct db_ops {
    db *(*open)(const char *url, cx_err *e);
    void (*close)(db *d);
    int (*exec)(db *d, const char *sql);
    db_stmt *(*prepare)(db *d, const char *sql);
    void (*bind)(db_stmt *s, int i, int type, int64_t iv, const void *p, size_t n);
    int (*step)(db_stmt *s);
    bool (*col_null)(db_stmt *s, int c);
    int64_t (*col_i64)(db_stmt *s, int c);
    const char *(*col_text)(db_stmt *s, int c);
    const void *(*col_blob)(db_stmt *s, int c, size_t *n);
    int64_t (*changes)(db_stmt *s);
    void (*done)(db_stmt *s);
    const char *(*errmsg)(db *d);
    bool (*is_constraint)(db *d);
    int (*fault)(db *d);   /* DB_FAULT_* of the last error */
    int (*ensure)(db *d);  /* reconnects a broken connection (with back-off); NULL: nothing to do */
};
enum { DB_T_NULL, DB_T_I64, DB_T_TEXT, DB_T_BLOB };

/* Every connection starts with this header. */
struct db {
    const struct db_ops *ops;
    db_kind kind;
    bool in_tx;
    /* A failed COMMIT's own error, kept across the ROLLBACK that follows it until the next call. */
    bool keep_err;
    char kept_err[256];
    bool kept_constraint;
};
/* Every statement starts with this header. */
struct db_stmt {
    db *d;
};

extern const struct db_ops db_sqlite_ops;
#ifdef CX_HAVE_PG
extern const struct db_ops db_pg_ops;
#endif
#endif
