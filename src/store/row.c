/* row.c: the single-row and list helpers the store files share: failing on a database error, a
 * getter of one row by id, one page of a list query, hex text. */
#include "row.h"
#include <stdint.h>
#include <string.h>

int fail_db(db *d, cx_err *e)
{
    cx_fail(e, 500, "db_error", "", "数据库错误：%s", db_errmsg(d));
    db_rollback(d);
    return CX_ERR;
}

void hexof(const unsigned char *p, size_t n, char *out)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) out[2 * i] = hx[p[i] >> 4], out[2 * i + 1] = hx[p[i] & 15];
    out[2 * n] = 0;
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

/* Appends order and one page (limit 0: all) to q and prepares it. */
db_stmt *page_stmt(db *d, db_q *q, const char *order, int64_t offset, int64_t limit)
{
    db_q_add(q, order, "");
    db_q_add(q, " LIMIT ? OFFSET ?", "ii", limit > 0 ? limit : INT64_MAX, offset);
    return db_q_prepare(d, q);
}
