/* row.c: the single-row and list helpers the store files share (see row.h). */
#include "row.h"
#include <inttypes.h>
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
