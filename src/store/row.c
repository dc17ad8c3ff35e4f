/* row.c: the store's single-row helpers: failing a transaction, copying a column, taking a JSON
 * text, a score as text (see row.h). */
#include "row.h"
#include <inttypes.h>

int db_fail(db *d, cx_err *e)
{
    cx_fail(e, 500, "db_error", "", "数据库错误：%s", db_errmsg(d));
    db_rollback(d);
    return CX_ERR;
}

/* Rolls back and returns CX_ERR with e as filled by the caller (a refusal inside a transaction). */
int refuse(db *d)
{
    db_rollback(d);
    return CX_ERR;
}

void copy_col(char *dst, size_t cap, db_stmt *s, int c) { snprintf(dst, cap, "%s", db_col_text(s, c)); }

char *json_take(cJSON *j)
{
    char *s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return s;
}

void score_text(int64_t v, char out[24])
{
    if (v < 0) out[0] = 0;
    else snprintf(out, 24, "%" PRId64 ".%02" PRId64, v / 100, v % 100);
}
