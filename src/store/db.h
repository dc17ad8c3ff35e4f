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
typedef struct db_pool db_pool;

typedef enum { DB_SQLITE = 1, DB_PG = 2 } db_kind;

#define DB_ROW 1
#define DB_DONE 0
/* CX_ERR (-1) on error; db_errmsg() says why, db_is_constraint() whether a UNIQUE / CHECK /
 * foreign key was violated. */

/* Opens a connection. url: "postgresql://…" or "postgres://…" for PostgreSQL, anything else is a
 * SQLite file path (opened in WAL mode with foreign keys on). NULL and e filled on failure. */
db *db_open(const char *url, cx_err *e);
/* A connection a thread keeps to itself (the ballot writer): on PostgreSQL url must reach the
 * server itself, not PgBouncer, even when the process runs with --pgbouncer: it uses named prepared
 * statements and session settings; its application_name is the process's followed by role
 * ("cxzy serve ballot writer"). SQLite: db_open. */
db *db_open_direct(const char *url, const char *role, cx_err *e);
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
/* Ends a transaction begun with db_begin(d, false) that only read: one snapshot for several
 * queries (and on SQLite one read lock instead of one per statement); no write generation is
 * counted and nothing is notified. */
int db_end_read(db *d);
/* A counter of write transactions committed by this process (any connection); caches compare it
 * to know that nothing was written since they last looked. */
uint64_t db_write_generation(void);
/* The same without the ballot writers' commits, here and in other instances (db.h ballots_only):
 * what a ballot is checked against (its target, round, window) changes only with this one, so a
 * cache of those stays trusted while ballots stream in. */
uint64_t db_state_generation(void);
/* Several instances on one database (issue 20). Commits of other processes bump this process's
 * write generation too: on PostgreSQL through a listener thread (LISTEN cxzy_write; every commit
 * that wrote does pg_notify inside its transaction), on SQLite through PRAGMA data_version read by
 * db_note_external_writes on the connection about to answer from a cache. */
int db_listen_start(const char *url, cx_err *e); /* PostgreSQL: starts the listener thread */
void db_listen_stop(void);
/* Whether a cache may trust its entries for a moment without asking the database: on SQLite
 * always, on PostgreSQL while the listener's connection is up (and never without a listener). */
bool db_cache_trusted(db *d);
/* Whether the write generation, read after db_note_external_writes, already counts every commit
 * made before it by any process: SQLite with its wal-index header mapped (the database file itself
 * tells; see db_note_external_writes). On PostgreSQL another
 * instance's commit arrives later, by the listener, and a replica may show older data than the
 * generation says; there a cache still bounds its trust in time. */
bool db_sees_every_write(db *d);
void db_note_external_writes(db *d);
/* For /metrics: how often another process's commit was noticed; the listener: 1 listening, 0
 * down, -1 none (SQLite, or PostgreSQL without a listener). */
uint64_t db_external_writes(void);
int db_listen_state(void);
/* PostgreSQL: how long a statement waits for a lock held elsewhere before it fails (503 db_busy);
 * a session setting, or behind PgBouncer one per transaction and per statement outside one. */
#define DB_LOCK_TIMEOUT "'10s'"
/* PgBouncer in transaction mode: unnamed statements instead of named prepared ones, no session
 * settings; the lock timeout made per transaction with SET LOCAL and per statement outside a
 * transaction in the same pipeline (db_pg.c). Set before connecting. */
void db_set_pgbouncer(bool on);
bool db_pgbouncer(void);
/* SQLite's page cache, in KiB (each connection keeps its own copy of the pages it reads; the
 * operating system's page cache holds the file for all of them): pool_total is shared by a pool's
 * connections (db_pool_new: pool_total / n each, at least 1 MiB; default 32 MiB), single is each
 * connection opened alone by db_open (default 64 MiB, right for an import at the command line; a
 * server sets it to a pool connection's share). Set before connecting. */
#define DB_SERVE_CACHE_MB 32
void db_set_cache(int64_t pool_total, int64_t single);
int64_t db_cache_single(void);
/* The application_name PostgreSQL connections of this process announce (default "cxzy"). */
void db_set_app_name(const char *name);
const char *db_app_name(void);
int db_rollback(db *d);
/* Serialises the rest of the caller's write transaction with every other transaction that locks
 * the same (what, id), until commit or rollback: a rule read and then written (the 优秀 cap of a
 * branch, say) holds on both backends. PostgreSQL runs READ COMMITTED, so this takes a
 * transaction-scoped advisory lock there; SQLite's BEGIN IMMEDIATE already serialises writers. */
int db_lock(db *d, const char *what, int64_t id);
/* db_lock of (what, ids[i]) for each i, in that order (give them sorted, as every caller takes
 * several, so none waits for another in the opposite order), in one round trip. */
int db_lock_many(db *d, const char *what, const int64_t *ids, int n);
/* SQLite, inside the caller's write transaction, before a bulk load into an empty table: drops
 * the table's indexes, keeping their CREATE statements in *saved (a script, "" when there were
 * none); db_indexes_build makes them again after the load, one sort each instead of a B-tree
 * insert a row and index. A rollback brings them back as they were. On PostgreSQL both do nothing. */
int db_indexes_drop(db *d, const char *table, char **saved);
int db_indexes_build(db *d, const char *saved);

/* Returns the cached prepared statement for sql (NULL and db_errmsg on a syntax error). The
 * statement belongs to the connection; call db_done() when finished with it so it can be
 * reused. Parameters are numbered from 1, columns from 0. */
db_stmt *db_prepare(db *d, const char *sql);
void db_bind_i64(db_stmt *s, int i, int64_t v);
/* Bound text and blobs are copied (see "Lifetime" below). NULL binds SQL NULL. */
void db_bind_text(db_stmt *s, int i, const char *v);
void db_bind_blob(db_stmt *s, int i, const void *v, size_t n);
void db_bind_null(db_stmt *s, int i);
/* The same without the copy on SQLite, for a statement run a million times over (the roster
 * import's insert): v must stay valid and unchanged until db_done. PostgreSQL copies as ever. */
void db_bind_text_ref(db_stmt *s, int i, const char *v);
void db_bind_blob_ref(db_stmt *s, int i, const void *v, size_t n);
/* First call executes; returns DB_ROW while rows remain, then DB_DONE; CX_ERR on error. */
int db_step(db_stmt *s);
bool db_col_null(db_stmt *s, int c);
int64_t db_col_i64(db_stmt *s, int c);
const char *db_col_text(db_stmt *s, int c);  /* "" for NULL; valid until the next step/done */
const void *db_col_blob(db_stmt *s, int c, size_t *n);
/* Streaming, for a result too big to hold (the recount's ballot aggregate: tens of millions of
 * rows): called after db_prepare and before the first db_step, inside a transaction. PostgreSQL
 * then reads the rows through a cursor (DECLARE … NO SCROLL CURSOR, FETCH rows at a time), so
 * the process holds one chunk, not the whole result (libpq keeps a plain statement's result
 * whole); other statements may run between steps, another streamed one too. Outside a
 * transaction the statement runs as usual (the whole result). SQLite steps row by row anyway:
 * nothing changes there. db_done closes the cursor. */
#define DB_STREAM_ROWS 10000
void db_stream(db_stmt *s, int rows);
/* Number of rows changed by the last completed INSERT/UPDATE/DELETE statement. */
int64_t db_changes(db_stmt *s);
void db_done(db_stmt *s);

/* The binder. db_run, db_i64, db_q_where and db_q_add take their values after a format string,
 * one letter a value: "i" an integer (int, int64_t, long, unsigned, bool, an enum …), "s" text
 * (char *, const char *; a null pointer or NULL binds SQL NULL), "b" a blob as two values, pointer
 * then size (a null pointer binds NULL), or as one DB_BLOB(p, n); "n" SQL NULL, taking no value.
 * These names are macros: each value is wrapped by _Generic into a tagged db_arg and the call
 * passes the array and its count, so a value's type travels with it (an int where an int64_t is
 * read is no longer undefined behaviour). A value of a type the binder does not take (double,
 * char, a struct, an int *) is a compile error; at most DB_MAX_ARGS values a call.
 * At run time each letter is checked against its value's tag, the number of values against the
 * format and the number of letters against the statement's `?`s. On a mismatch nothing is run: an error line "binder: …" with the SQL is logged, the
 * call fails with CX_ERR (db_q: db_q_prepare returns NULL) and db_errmsg() says why. Not abort():
 * a slip on a rarely used path then costs one request, not the server, and the same behaviour in
 * every build is the one the unit tests check; the API suite sees it as a failing request.
 *
 * Lifetime, the same on both backends: text and blobs are copied when bound (db_bind_*, db_run,
 * db_i64, db_q_prepare), so the caller may free or reuse them as soon as that call returns. A db_q
 * only records pointers: its values must stay valid until db_q_prepare.
 *
 * Dropping the format from call sites is mechanical: first rewrite each "b" pair `p, n` as
 * DB_BLOB(p, n); then delete the format argument, and make the macros pass NULL for it (e.g.
 * `#define db_run(d, ...) db_run_args((d), DB_ARGS(__VA_ARGS__))`, the SQL first in the list).
 * With fmt NULL the tags alone decide: an integer binds int64, text text, a null pointer NULL,
 * DB_BLOB a blob; any other pointer fails as a mismatch. */
enum { DB_A_INT = 1, DB_A_UINT, DB_A_BOOL, DB_A_TEXT, DB_A_BYTES, DB_A_VOIDP, DB_A_BLOB };
typedef struct db_arg {
    int kind; /* DB_A_* */
    size_t n; /* DB_A_BLOB: the size */
    union {
        int64_t i;
        uint64_t u;
        const void *p;
    } v;
} db_arg;
static inline db_arg db_a_int(long long v) { return (db_arg){DB_A_INT, 0, {.i = v}}; }
static inline db_arg db_a_uint(unsigned long long v) { return (db_arg){DB_A_UINT, 0, {.u = v}}; }
static inline db_arg db_a_bool(bool v) { return (db_arg){DB_A_BOOL, 0, {.i = v}}; }
static inline db_arg db_a_text(const char *v) { return (db_arg){DB_A_TEXT, 0, {.p = v}}; }
static inline db_arg db_a_bytes(const unsigned char *v) { return (db_arg){DB_A_BYTES, 0, {.p = v}}; }
static inline db_arg db_a_voidp(const void *v) { return (db_arg){DB_A_VOIDP, 0, {.p = v}}; }
static inline db_arg db_a_blob(const void *p, size_t n) { return (db_arg){DB_A_BLOB, n, {.p = p}}; }
static inline db_arg db_a_same(db_arg a) { return a; }
/* A blob as one value (pointer and size). */
#define DB_BLOB(p, n) db_a_blob((p), (n))
/* One value tagged by its type. No default: any other type fails to compile. Plain char is left
 * out on purpose (a char where text was meant: name[0] for name). */
#define DB_ARG(x) _Generic((x), \
    _Bool: db_a_bool, \
    signed char: db_a_int, short: db_a_int, int: db_a_int, long: db_a_int, long long: db_a_int, \
    unsigned char: db_a_uint, unsigned short: db_a_uint, unsigned: db_a_uint, \
    unsigned long: db_a_uint, unsigned long long: db_a_uint, \
    char *: db_a_text, const char *: db_a_text, \
    unsigned char *: db_a_bytes, const unsigned char *: db_a_bytes, \
    void *: db_a_voidp, const void *: db_a_voidp, \
    db_arg: db_a_same)(x)
#define DB_MAX_ARGS 32
#define DB_CAT(a, b) DB_CAT_(a, b)
#define DB_CAT_(a, b) a##b
/* The number of its arguments (1 to DB_MAX_ARGS + 1). */
#define DB_NARG(...) DB_NARG_(__VA_ARGS__, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define DB_NARG_(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, n, ...) n
/* 1 for one argument, M for more. */
#define DB_MANY(...) DB_NARG_(__VA_ARGS__, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, 1, 0)
/* Checked at compile time too, where the compiler can see it: in an optimised build (GCC or
 * Clang), a literal format without "b" or "n" is checked letter by letter against the values'
 * types and its length against their count, and a mismatch is a compile error ("call to
 * 'db_bad_letter' declared with attribute error"). Elsewhere (-O0, a format in a variable, blobs)
 * the run-time check catches it. The check folds away: no code is left of it, and it evaluates
 * neither the values nor a format that is not a literal. */
/* (DB_RUNTIME_CHECK_ONLY, defined before including db.h, turns it off: for the tests of the
 * run-time check.) */
#if defined(__OPTIMIZE__) && (defined(__GNUC__) || defined(__clang__)) && !defined(DB_RUNTIME_CHECK_ONLY)
void db_bad_letter(void) __attribute__((error("binder: a format letter does not match the type of its value")));
void db_bad_count(void) __attribute__((error("binder: the format does not match the number of values")));
/* Whether value i, of kind, fits fmt's letter i (1 also when this check cannot tell). */
static inline int db_ct_letter(const char *fmt, int i, int kind)
{
    if (!fmt || __builtin_strpbrk(fmt, "bn")) return 1;
    if ((size_t)i >= __builtin_strlen(fmt)) return 0;
    if (fmt[i] == 'i') return kind == DB_A_INT || kind == DB_A_UINT || kind == DB_A_BOOL;
    if (fmt[i] == 's') return kind == DB_A_TEXT || kind == DB_A_VOIDP;
    return 0;
}
static inline int db_ct_count(const char *fmt, int n) { return !fmt || __builtin_strpbrk(fmt, "bn") || __builtin_strlen(fmt) == (size_t)n; }
/* The kind of x's type, without evaluating x. */
#define DB_KIND(x) (DB_ARG((__typeof__(x)){0}).kind)
/* fmt when it is a literal, else NULL (and then it is not evaluated here). */
#define DB_CT_FMT(fmt) (__builtin_constant_p(fmt) ? (fmt) : (const char *)0)
#define DB_CT(fmt, i, x) \
    ({ int db_ok_ = db_ct_letter(DB_CT_FMT(fmt), (i), DB_KIND(x)); if (__builtin_constant_p(db_ok_) && !db_ok_) db_bad_letter(); })
#define DB_CT_COUNT(fmt, n) \
    ({ int db_ok_ = db_ct_count(DB_CT_FMT(fmt), (n)); if (__builtin_constant_p(db_ok_) && !db_ok_) db_bad_count(); })
#else
#define DB_CT(fmt, i, x) ((void)0)
#define DB_CT_COUNT(fmt, n) ((void)0)
#endif
/* DB_CT on each value, numbered from i. */
#define DB_C1(f, i, a) DB_CT(f, i, a)
#define DB_C2(f, i, a, ...) DB_CT(f, i, a), DB_C1(f, i + 1, __VA_ARGS__)
#define DB_C3(f, i, a, ...) DB_CT(f, i, a), DB_C2(f, i + 1, __VA_ARGS__)
#define DB_C4(f, i, a, ...) DB_CT(f, i, a), DB_C3(f, i + 1, __VA_ARGS__)
#define DB_C5(f, i, a, ...) DB_CT(f, i, a), DB_C4(f, i + 1, __VA_ARGS__)
#define DB_C6(f, i, a, ...) DB_CT(f, i, a), DB_C5(f, i + 1, __VA_ARGS__)
#define DB_C7(f, i, a, ...) DB_CT(f, i, a), DB_C6(f, i + 1, __VA_ARGS__)
#define DB_C8(f, i, a, ...) DB_CT(f, i, a), DB_C7(f, i + 1, __VA_ARGS__)
#define DB_C9(f, i, a, ...) DB_CT(f, i, a), DB_C8(f, i + 1, __VA_ARGS__)
#define DB_C10(f, i, a, ...) DB_CT(f, i, a), DB_C9(f, i + 1, __VA_ARGS__)
#define DB_C11(f, i, a, ...) DB_CT(f, i, a), DB_C10(f, i + 1, __VA_ARGS__)
#define DB_C12(f, i, a, ...) DB_CT(f, i, a), DB_C11(f, i + 1, __VA_ARGS__)
#define DB_C13(f, i, a, ...) DB_CT(f, i, a), DB_C12(f, i + 1, __VA_ARGS__)
#define DB_C14(f, i, a, ...) DB_CT(f, i, a), DB_C13(f, i + 1, __VA_ARGS__)
#define DB_C15(f, i, a, ...) DB_CT(f, i, a), DB_C14(f, i + 1, __VA_ARGS__)
#define DB_C16(f, i, a, ...) DB_CT(f, i, a), DB_C15(f, i + 1, __VA_ARGS__)
#define DB_C17(f, i, a, ...) DB_CT(f, i, a), DB_C16(f, i + 1, __VA_ARGS__)
#define DB_C18(f, i, a, ...) DB_CT(f, i, a), DB_C17(f, i + 1, __VA_ARGS__)
#define DB_C19(f, i, a, ...) DB_CT(f, i, a), DB_C18(f, i + 1, __VA_ARGS__)
#define DB_C20(f, i, a, ...) DB_CT(f, i, a), DB_C19(f, i + 1, __VA_ARGS__)
#define DB_C21(f, i, a, ...) DB_CT(f, i, a), DB_C20(f, i + 1, __VA_ARGS__)
#define DB_C22(f, i, a, ...) DB_CT(f, i, a), DB_C21(f, i + 1, __VA_ARGS__)
#define DB_C23(f, i, a, ...) DB_CT(f, i, a), DB_C22(f, i + 1, __VA_ARGS__)
#define DB_C24(f, i, a, ...) DB_CT(f, i, a), DB_C23(f, i + 1, __VA_ARGS__)
#define DB_C25(f, i, a, ...) DB_CT(f, i, a), DB_C24(f, i + 1, __VA_ARGS__)
#define DB_C26(f, i, a, ...) DB_CT(f, i, a), DB_C25(f, i + 1, __VA_ARGS__)
#define DB_C27(f, i, a, ...) DB_CT(f, i, a), DB_C26(f, i + 1, __VA_ARGS__)
#define DB_C28(f, i, a, ...) DB_CT(f, i, a), DB_C27(f, i + 1, __VA_ARGS__)
#define DB_C29(f, i, a, ...) DB_CT(f, i, a), DB_C28(f, i + 1, __VA_ARGS__)
#define DB_C30(f, i, a, ...) DB_CT(f, i, a), DB_C29(f, i + 1, __VA_ARGS__)
#define DB_C31(f, i, a, ...) DB_CT(f, i, a), DB_C30(f, i + 1, __VA_ARGS__)
#define DB_C32(f, i, a, ...) DB_CT(f, i, a), DB_C31(f, i + 1, __VA_ARGS__)
/* (first), count of the rest, array of the rest tagged. */
#define DB_ARGS(...) DB_CAT(DB_ARGS_, DB_MANY(__VA_ARGS__))(__VA_ARGS__)
#define DB_ARGS_1(first) (DB_CT_COUNT(first, 0), (first)), 0, (const db_arg *)0
#define DB_ARGS_M(first, ...) \
    (DB_CT_COUNT(first, DB_NARG(__VA_ARGS__)), DB_CAT(DB_C, DB_NARG(__VA_ARGS__))(first, 0, __VA_ARGS__), (first)), \
    DB_NARG(__VA_ARGS__), (const db_arg[]){DB_CAT(DB_T, DB_NARG(__VA_ARGS__))(__VA_ARGS__)}
#define DB_T1(a) DB_ARG(a)
#define DB_T2(a, ...) DB_ARG(a), DB_T1(__VA_ARGS__)
#define DB_T3(a, ...) DB_ARG(a), DB_T2(__VA_ARGS__)
#define DB_T4(a, ...) DB_ARG(a), DB_T3(__VA_ARGS__)
#define DB_T5(a, ...) DB_ARG(a), DB_T4(__VA_ARGS__)
#define DB_T6(a, ...) DB_ARG(a), DB_T5(__VA_ARGS__)
#define DB_T7(a, ...) DB_ARG(a), DB_T6(__VA_ARGS__)
#define DB_T8(a, ...) DB_ARG(a), DB_T7(__VA_ARGS__)
#define DB_T9(a, ...) DB_ARG(a), DB_T8(__VA_ARGS__)
#define DB_T10(a, ...) DB_ARG(a), DB_T9(__VA_ARGS__)
#define DB_T11(a, ...) DB_ARG(a), DB_T10(__VA_ARGS__)
#define DB_T12(a, ...) DB_ARG(a), DB_T11(__VA_ARGS__)
#define DB_T13(a, ...) DB_ARG(a), DB_T12(__VA_ARGS__)
#define DB_T14(a, ...) DB_ARG(a), DB_T13(__VA_ARGS__)
#define DB_T15(a, ...) DB_ARG(a), DB_T14(__VA_ARGS__)
#define DB_T16(a, ...) DB_ARG(a), DB_T15(__VA_ARGS__)
#define DB_T17(a, ...) DB_ARG(a), DB_T16(__VA_ARGS__)
#define DB_T18(a, ...) DB_ARG(a), DB_T17(__VA_ARGS__)
#define DB_T19(a, ...) DB_ARG(a), DB_T18(__VA_ARGS__)
#define DB_T20(a, ...) DB_ARG(a), DB_T19(__VA_ARGS__)
#define DB_T21(a, ...) DB_ARG(a), DB_T20(__VA_ARGS__)
#define DB_T22(a, ...) DB_ARG(a), DB_T21(__VA_ARGS__)
#define DB_T23(a, ...) DB_ARG(a), DB_T22(__VA_ARGS__)
#define DB_T24(a, ...) DB_ARG(a), DB_T23(__VA_ARGS__)
#define DB_T25(a, ...) DB_ARG(a), DB_T24(__VA_ARGS__)
#define DB_T26(a, ...) DB_ARG(a), DB_T25(__VA_ARGS__)
#define DB_T27(a, ...) DB_ARG(a), DB_T26(__VA_ARGS__)
#define DB_T28(a, ...) DB_ARG(a), DB_T27(__VA_ARGS__)
#define DB_T29(a, ...) DB_ARG(a), DB_T28(__VA_ARGS__)
#define DB_T30(a, ...) DB_ARG(a), DB_T29(__VA_ARGS__)
#define DB_T31(a, ...) DB_ARG(a), DB_T30(__VA_ARGS__)
#define DB_T32(a, ...) DB_ARG(a), DB_T31(__VA_ARGS__)

/* The functions behind the macros: fmt, then n values tagged. */
int db_run_args(db *d, const char *sql, const char *fmt, int n, const db_arg *a);
int db_i64_args(db *d, int64_t *out, int64_t def, const char *sql, const char *fmt, int n, const db_arg *a);

/* Convenience: prepare, bind the values as fmt says, step once, done. For statements whose result
 * is not read. */
#define db_run(d, sql, ...) db_run_args((d), (sql), DB_ARGS(__VA_ARGS__))
/* Convenience: the first column of the first row as int64; def when there is no row. */
#define db_i64(d, out, def, sql, ...) db_i64_args((d), (out), (def), (sql), DB_ARGS(__VA_ARGS__))

/* A statement built from the filters actually present: each condition is appended only when its
 * filter is set (" WHERE " first, then " AND "), with its binds recorded, so the SQL text names
 * exactly the columns it filters on and the planner can use their indexes. Never write
 * `(? = 0 OR col = ?)`: that defeats an index on col (a generic plan cannot know the filter is
 * off). Each combination of filters is its own text and so its own cached statement. The values
 * are recorded, not copied: they must stay valid until db_q_prepare (which binds, so copies, them). */
#define DB_Q_SQL 4096
#define DB_Q_BINDS 24
typedef struct db_q {
    char sql[DB_Q_SQL];
    size_t n;
    bool where, overflow;
    bool bad; /* a binder mismatch (logged); db_q_prepare fails */
    int nb;
    struct { int type; int64_t i; const char *s; } b[DB_Q_BINDS];
} db_q;
/* Starts with head ("SELECT … FROM …"), no condition yet. */
void db_q_init(db_q *q, const char *head);
/* Appends " WHERE cond" or " AND cond" and binds fmt's values ("i" integer, "s" text) in order. */
#define db_q_where(q, cond, ...) db_q_where_args((q), (cond), DB_ARGS(__VA_ARGS__))
/* Appends text as is (ORDER BY, LIMIT) and binds fmt's values. */
#define db_q_add(q, text, ...) db_q_add_args((q), (text), DB_ARGS(__VA_ARGS__))
void db_q_where_args(db_q *q, const char *cond, const char *fmt, int n, const db_arg *a);
void db_q_add_args(db_q *q, const char *text, const char *fmt, int n, const db_arg *a);
/* Prepares the text and binds the recorded values; NULL on error (a binder mismatch included).
 * Outgrowing db_q aborts (a bug). */
db_stmt *db_q_prepare(db *d, db_q *q);

/* Runs q (a count) and puts its first column in *n (0 without a row); CX_OK or CX_ERR. */
int db_q_count(db *d, db_q *q, int64_t *n);

/* Bulk inserts: many rows into one table inside the caller's transaction, for the paths that
 * write rows by the thousand (the roster import, `cxzy demo`). On PostgreSQL the rows are encoded
 * in COPY's text format (tabs, newlines and backslashes escaped, NULL as \N, blobs as \x hex) and
 * buffered; each 1 MB is sent as one `COPY table (cols) FROM STDIN`, the rest at db_bulk_end. A
 * full 1 MB is sent without waiting for the server's answer (the server stores it while the
 * caller makes the next rows); the next call on the connection — the next chunk, db_bulk_flush,
 * db_bulk_end or any statement — reads it first. On SQLite each row is one run of a cached
 * prepared INSERT (already as fast as SQLite goes). The connection runs no COPY between calls, so
 * other statements may come between rows, but rows still in the buffer are not yet in the table:
 * flush first (db_bulk_flush: it also waits for the chunks sent) before reading them.
 * A COPY fails as a whole (a unique violation, a CHECK): the call that sent it, or the
 * connection's next call when it was sent without waiting, returns CX_ERR, db_errmsg /
 * db_is_constraint / db_is_unique say why as for any statement, and on PostgreSQL the
 * transaction is then aborted (roll back). No ON CONFLICT and no RETURNING: a caller that needs
 * a new row's id or skips duplicates row by row keeps db_run for that insert. */
typedef struct db_bulk db_bulk;
/* cols: the column list as in an INSERT ("a, b, c"). Never NULL. */
db_bulk *db_bulk_begin(db *d, const char *table, const char *cols);
/* One row: fmt and values as db_run's ("i", "s", "b", "n"), one value a column. After a failed
 * call every further call fails at once. */
#define db_bulk_row(b, ...) db_bulk_row_args((b), DB_ARGS(__VA_ARGS__))
int db_bulk_row_args(db_bulk *b, const char *fmt, int n, const db_arg *a);
/* Sends the rows still buffered and waits for every chunk's answer (PostgreSQL); CX_OK or CX_ERR. */
int db_bulk_flush(db_bulk *b);
/* Flushes and frees b; CX_OK or CX_ERR (of this flush or an earlier failed call). */
int db_bulk_end(db_bulk *b);
/* Frees b, dropping the rows still buffered (the caller is rolling back). NULL is fine. */
void db_bulk_cancel(db_bulk *b);
/* The rows added so far (sent or buffered). */
int64_t db_bulk_rows(const db_bulk *b);
/* A loader of a database nobody else uses yet (the demo): on PostgreSQL, from now on the first
 * db_bulk_begin on a table in a transaction drops that table's foreign keys, and db_commit adds
 * them back with the same names and definitions before it commits, which checks every row once
 * (one join) instead of once a row while the COPY runs (each row's check a query and a lock on
 * the row it points at: most of a COPY's time into user_role). A row pointing nowhere fails the
 * commit as it would have failed the COPY. The drop locks both tables until the commit, so this
 * is for a database no request is using. Nothing on SQLite. */
void db_bulk_defer_fk(db *d, bool on);
/* The same for a write that is not a db_bulk (an INSERT ... SELECT of many rows): under
 * db_bulk_defer_fk, in a transaction, table's foreign keys are dropped now and added back at
 * commit; nothing otherwise. CX_OK or CX_ERR. table: a trusted name. */
int db_defer_fk_table(db *d, const char *table);
/* Reserves n ids of table's id column for rows a bulk insert writes with their ids (rows that
 * others must point at); *first gets the first. On PostgreSQL the identity sequence is moved past
 * the range (nextval, then setval), so later inserts by the server never collide; on SQLite the
 * range starts after max(id) (the caller's write transaction keeps it). The ids are those the
 * rows would have got one INSERT at a time. table: a trusted name. CX_OK or CX_ERR. */
int db_reserve_ids(db *d, const char *table, int64_t n, int64_t *first);

/* Runs sql n times inside the caller's transaction, binding its parameters for run i with
 * bind(s, i, ctx) (db_bind_*); first[i] gets the first column of the first row run i returned (0
 * for none; first may be NULL). PostgreSQL sends all n runs in one round trip (libpq pipeline mode) and reads the
 * answers after; SQLite runs them one after another. CX_ERR when any run failed (the transaction
 * is then to be rolled back; db_errmsg says why). */
int db_run_each(db *d, const char *sql, int n, void (*bind)(db_stmt *s, int i, void *ctx), void *ctx, int64_t *first);

/* Debugging and tests: fn sees the text of every statement prepared in this process (NULL: off). */
void db_trace_set(void (*fn)(void *ctx, const char *sql), void *ctx);

/* The SQL text of a schema file with per-backend type words substituted:
 * {{PK}} {{I64}} {{BLOB}} {{CTEXT}} (text that compares bytewise: paths); the text between
 * {{IF_SQLITE}} or {{IF_PG}} and the next {{END}} only on that backend (triggers). Caller frees. */
char *db_dialect(db_kind k, const char *sql);

/* A fixed set of connections shared by server threads. */
db_pool *db_pool_new(const char *url, int n, cx_err *e);
db *db_pool_get(db_pool *p);           /* blocks until one is free */
void db_pool_put(db_pool *p, db *d);   /* rolls back any open transaction */
void db_pool_free(db_pool *p);
/* A thread about to wait for something else (the ballot writer's commit) gives its pooled
 * connection back so other requests can use it meanwhile: returns the pool to take one from
 * afterwards (db_pool_get; maybe another connection), or NULL when *d is kept (not pooled, or in
 * a transaction). */
db_pool *db_pool_lend(db *d);

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
    int (*nparams)(db_stmt *s); /* the number of its ? placeholders */
    /* Runs sql (a COPY … FROM STDIN) with data as its input; NULL: no COPY (db_bulk inserts rows).
     * wait false: returns once the rows are sent, the answer read (and a failure reported) by the
     * connection's next call; sql NULL: only that answer read. */
    int (*copy)(db *d, const char *sql, const char *data, size_t len, bool wait);
    /* db_run_each in one round trip (pipeline mode); NULL: one statement after another. */
    int (*run_each)(db *d, const char *sql, int n, void (*bind)(db_stmt *s, int i, void *ctx), void *ctx, int64_t *first);
    /* db_stream: read the rows rows at a time; NULL: the backend steps row by row anyway. */
    void (*stream)(db_stmt *s, int rows);
};
/* _REF: not copied (db_bind_text_ref); a backend that copies anyway sees DB_T_TEXT / DB_T_BLOB. */
enum { DB_T_NULL, DB_T_I64, DB_T_TEXT, DB_T_BLOB, DB_T_TEXT_REF, DB_T_BLOB_REF };

/* Every connection starts with this header. */
struct db {
    const struct db_ops *ops;
    db_kind kind;
    bool in_tx;
    /* A failed COMMIT's own error, kept across the ROLLBACK that follows it until the next call. */
    bool keep_err;
    char kept_err[256];
    bool kept_constraint;
    int64_t data_version; /* SQLite: the last PRAGMA data_version read (db_note_external_writes) */
    /* A statement was refused because the server is a hot standby: a write (SQLSTATE 25006) or a
     * query cancelled by a conflict with recovery (40001); set by the backend, cleared by whoever
     * hands the connection out (store/replica.c). */
    bool standby_refused;
    /* PostgreSQL: straight to the server although the process runs with --pgbouncer
     * (db_open_direct): named prepared statements and session settings. */
    bool direct;
    db_pool *pool; /* the pool it belongs to (db_pool_new), NULL for one opened alone */
    /* The ballot writer's connection: its commits write ballots, their roll-ups, limits and audit
     * counts, nothing a ballot's target or round is read from; they bump the write generation but
     * not the state generation (db_state_generation), and notify other instances as such. */
    bool ballots_only;
    /* db_bulk_defer_fk: on, and the foreign keys dropped in this transaction, to add back at
     * commit ("ALTER TABLE … ADD CONSTRAINT …" each, NULL-terminated; NULL when none). */
    bool defer_fk;
    char **fk_restore;
};
/* Every statement starts with this header. */
struct db_stmt {
    db *d;
};

extern const struct db_ops db_sqlite_ops;
/* A token of the SQLite file's wal-index header that changes with every commit of any process
 * (0: not available); see db_note_external_writes. */
uint64_t db_sqlite_change_token(db *d);
#ifdef CX_HAVE_PG
extern const struct db_ops db_pg_ops;
/* The listener thread of db_listen_start (db_pg.c): bump is called for every notification and
 * once after each (re)connection (payload NULL); up while its connection is listening. */
int db_pg_listen_start(const char *url, void (*bump)(const char *payload), cx_err *e);
db *db_pg_open_direct(const char *url, const char *role, cx_err *e);
void db_pg_listen_stop(void);
bool db_pg_listen_up(void);
#endif
#endif
