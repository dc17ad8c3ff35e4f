/* row.h: the single-row and list helpers the store files share: failing on a database error, a
 * getter of one row by id, one page of a list query, copying a column, taking a JSON text, hex
 * text, a score as text. */
#ifndef CX_ROW_H
#define CX_ROW_H
#include <cjson/cJSON.h>
#include <stdlib.h>
#include "store.h"

/* The one way a store function fails on a database error: fills e with 500 db_error (the backend's
 * message), rolls back the transaction if one is open, and returns CX_ERR. The error log names the
 * caller's file and line, as cx_fail does. */
#define db_fail(d, e) db_fail_at(__FILE__, __LINE__, (d), (e))
int db_fail_at(const char *file, int line, db *d, cx_err *e);
/* Rolls back and returns CX_ERR with e as filled by the caller (a refusal inside a transaction). */
int refuse(db *d);
/* Inside the caller's write transaction: the active organisation id into o; otherwise 404
 * not_found on org_id (党组织不存在或已停用) and rolled back, or a database failure. CX_OK / CX_ERR. */
int tx_active_org(db *d, int64_t id, org *o, cx_err *e);
/* Opens a write transaction, takes the lock (what, id) that serialises changes to one record and
 * reads it with get (a store getter: 1, 0, CX_ERR) into out; a missing record is 404 not_found on
 * "id" with the message missing, rolled back. CX_OK / CX_ERR. */
typedef int (*row_getter)(db *d, int64_t id, void *out);
int tx_begin_locked(db *d, const char *what, int64_t id, row_getter get, void *out, const char *missing, cx_err *e);
/* The one row of sql (parameter: id) read into out: 1, 0 (none), CX_ERR. out (size bytes) is
 * cleared first, so a caller never sees an output this call did not fill. */
typedef void (*row_reader)(db_stmt *s, void *out);
CX_MUST_USE int row_by_id(db *d, const char *sql, int64_t id, row_reader read, void *out, size_t size);
/* The loop of every list function: steps the prepared statement s, reads each row with
 * read(s, row) into one buffer of type T and hands it to fn(ctx, row) until fn returns nonzero;
 * then s is done. Evaluates to CX_OK, or CX_ERR when a step failed. */
#define DB_EACH(s, T, read, fn, ctx)                                                                                  \
    ({                                                                                                               \
        T *row_ = xmalloc(sizeof *row_);                                                                             \
        int rc_;                                                                                                     \
        while ((rc_ = db_step(s)) == DB_ROW) {                                                                       \
            read((s), row_);                                                                                         \
            if ((fn)((ctx), row_)) break;                                                                            \
        }                                                                                                            \
        free(row_);                                                                                                  \
        db_done(s);                                                                                                  \
        rc_ == CX_ERR ? CX_ERR : CX_OK;                                                                              \
    })
/* Appends order and one page (limit 0: all) to q and prepares it. */
db_stmt *page_stmt(db *d, db_q *q, const char *order, int64_t offset, int64_t limit);
/* Column c of the current row as text into dst (cut to cap). */
void copy_col(char *dst, size_t cap, db_stmt *s, int c);
/* The unformatted text of j (malloc'd); j is deleted. */
char *json_take(cJSON *j);
/* Writes the n bytes at p as 2n lowercase hex digits and a NUL into out. */
void hexof(const unsigned char *p, size_t n, char *out);
/* "90.50", or "" for -1. */
void score_text(int64_t v, char out[24]);

/* The column lists of an additive counter table (rollup, period_rollup), composed once from its
 * column names: names "a, b", marks "?, ?", adds "a = T.a + excluded.a, …" (the upsert that adds to
 * table T) and reads "<pre>a<post>, …" (e.g. "coalesce(r." … ", 0)" or "coalesce(sum(" … "), 0)"). */
typedef struct counter_sql {
    char names[1400], marks[400], adds[4096], reads[2048];
} counter_sql;
void counter_sql_make(counter_sql *q, const char *table, const char *const *cols, int n, const char *read_pre, const char *read_post);

/* The one lookup of a policy kept per organisation and inherited down the tree (account policy,
 * feedback due days, reminders, meeting quotas …): the rows of table (a column org_id) held by the
 * organisation of org_path or any of its ancestors, nearest first. Column 0 is the row's org_id,
 * then cols (a constant list such as "t.kind, t.due_days"; the table is aliased t). The first row
 * decides; a table with one row per kind takes the first row of each kind. */
db_stmt *nearest_stmt(db *d, const char *table, const char *cols, const char *org_path);
#endif
