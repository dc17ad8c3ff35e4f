/* row.c: the single-row and list helpers the store files share (see row.h). */
#include "row.h"
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

int db_fail_at(const char *file, int line, db *d, cx_err *e)
{
    cx_fail_at(file, line, e, 500, "db_error", "", "数据库错误：%s", db_errmsg(d));
    db_rollback(d);
    return CX_ERR;
}

int refuse(db *d)
{
    db_rollback(d);
    return CX_ERR;
}

int tx_active_org(db *d, int64_t id, org *o, cx_err *e)
{
    int f = org_get(d, id, o);
    if (f == CX_ERR) return db_fail(d, e);
    if (f == 1 && o->active) return CX_OK;
    cx_fail(e, 404, "not_found", "org_id", "党组织不存在或已停用");
    return refuse(d);
}

int tx_begin_locked(db *d, const char *what, int64_t id, row_getter get, void *out, const char *missing, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    if (db_lock(d, what, id) != CX_OK) return db_fail(d, e);
    int f = get(d, id, out);
    if (f == 1) return CX_OK;
    if (f == 0) return cx_fail(e, 404, "not_found", "id", "%s", missing), refuse(d);
    return db_fail(d, e);
}

int row_by_id(db *d, const char *sql, int64_t id, row_reader read, void *out, size_t size)
{
    memset(out, 0, size); /* a caller never sees an output this call did not fill */
    db_stmt *s = db_prepare(d, sql);
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW) read(s, out);
    db_done(s);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : CX_ERR;
}

db_stmt *page_stmt(db *d, db_q *q, const char *order, int64_t offset, int64_t limit)
{
    db_q_add(q, order, "");
    db_q_add(q, " LIMIT ? OFFSET ?", "ii", limit > 0 ? limit : INT64_MAX, offset);
    return db_q_prepare(d, q);
}

void copy_col(char *dst, size_t cap, db_stmt *s, int c) { snprintf(dst, cap, "%s", db_col_text(s, c)); }

char *json_take(cJSON *j)
{
    char *s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return s;
}

void hexof(const unsigned char *p, size_t n, char *out)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) out[2 * i] = hx[p[i] >> 4], out[2 * i + 1] = hx[p[i] & 15];
    out[2 * n] = 0;
}

void score_text(int64_t v, char out[24])
{
    if (v < 0) out[0] = 0;
    else snprintf(out, 24, "%" PRId64 ".%02" PRId64, v / 100, v % 100);
}

void counter_sql_make(counter_sql *q, const char *table, const char *const *cols, int n, const char *read_pre, const char *read_post)
{
    q->names[0] = q->marks[0] = q->adds[0] = q->reads[0] = 0;
    for (int i = 0; i < n; i++) {
        const char *c = cols[i], *sep = i ? ", " : "";
        size_t k;
        k = strlen(q->names), snprintf(q->names + k, sizeof q->names - k, "%s%s", sep, c);
        k = strlen(q->marks), snprintf(q->marks + k, sizeof q->marks - k, "%s?", sep);
        k = strlen(q->adds), snprintf(q->adds + k, sizeof q->adds - k, "%s%s = %s.%s + excluded.%s", sep, c, table, c, c);
        k = strlen(q->reads), snprintf(q->reads + k, sizeof q->reads - k, "%s%s%s%s", sep, read_pre, c, read_post);
    }
}

db_stmt *nearest_stmt(db *d, const char *table, const char *cols, const char *org_path)
{
    char sql[512];
    if (snprintf(sql, sizeof sql,
                 "SELECT t.org_id, %s FROM %s t JOIN org o ON o.id = t.org_id WHERE substr(?, 1, length(o.path)) = o.path "
                 "ORDER BY length(o.path) DESC",
                 cols, table) >= (int)sizeof sql)
        return NULL;
    db_stmt *s = db_prepare(d, sql);
    if (s) db_bind_text(s, 1, org_path);
    return s;
}
