/* limit.c: fixed-window counters in table rate_limit (see limit.h). */
#include "limit.h"
#include "row.h"
#include "../lib/code.h"
#include "../lib/crypto.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void limit_bucket(const char *prefix, const char *what, const char *value, char out[48])
{
    unsigned char h[CX_HASH_BYTES];
    char *s = xasprintf("%s\x1f%s", what, value ? value : "");
    crypto_keyed_hash(s, h);
    free(s);
    size_t n = strlen(prefix);
    if (n > 47 - 32) n = 47 - 32;
    memcpy(out, prefix, n);
    hexof(h, 16, out + n);
}

int limit_add(db *d, const char *bucket, int64_t window, int64_t *n)
{
    return db_i64(d, n, 0,
                  "INSERT INTO rate_limit (bucket, window_start, n) VALUES (?, ?, 1) ON CONFLICT (bucket, window_start) "
                  "DO UPDATE SET n = rate_limit.n + 1 RETURNING n",
                  "si", bucket, window);
}

int limit_take(db *d, const char *bucket, int64_t window, int64_t max, int64_t *n)
{
    /* the upsert's WHERE is evaluated on the locked row (PostgreSQL) or under the write lock
     * (SQLite): at the limit nothing changes and no row comes back */
    int64_t got = 0;
    if (db_i64(d, &got, 0,
               "INSERT INTO rate_limit (bucket, window_start, n) VALUES (?, ?, 1) ON CONFLICT (bucket, window_start) "
               "DO UPDATE SET n = rate_limit.n + 1 WHERE rate_limit.n < ? RETURNING n",
               "sii", bucket, window, max) != CX_OK)
        return CX_ERR;
    if (n) *n = got ? got : max;
    return got > 0;
}

int limit_give(db *d, const char *bucket, int64_t window)
{
    return db_run(d, "UPDATE rate_limit SET n = n - 1 WHERE bucket = ? AND window_start = ? AND n > 0", "si", bucket, window);
}

int limit_peek(db *d, const char *bucket, int64_t window, int64_t *n)
{
    return db_i64(d, n, 0, "SELECT n FROM rate_limit WHERE bucket = ? AND window_start = ?", "si", bucket, window);
}

int64_t limit_hour(void)
{
    int64_t now = now_unix();
    return now - now % 3600;
}

int limit_guess_begin(db *d, limit_guess *g, int64_t max, const char *in, size_t ndata, char *out, size_t cap, cx_err *e)
{
    g->window = limit_hour();
    int64_t n = 0;
    /* locked out: told before the code is read, so a right code does not unlock it */
    if (limit_peek(d, g->bucket, g->window, &n) != CX_OK) return cx_fail(e, 500, "db_error", "", "数据库错误"), 0;
    if (n >= max) return cx_fail(e, 429, "rate_limited", "code", "查询码错误次数过多，请一小时后再试"), 0;
    if (code_parse(in, ndata, out, cap, "code", "查询码", e) != CX_OK) return 0;
    int took = limit_take(d, g->bucket, g->window, max, &n);
    if (took == CX_ERR) return cx_fail(e, 500, "db_error", "", "数据库错误"), 0;
    if (!took) return cx_fail(e, 429, "rate_limited", "code", "查询码错误次数过多，请一小时后再试"), 0;
    return 1;
}

void limit_guess_end(db *d, const limit_guess *g, int found, cx_err *e)
{
    if (found != 0) limit_give(d, g->bucket, g->window);
    if (found == CX_ERR) cx_fail(e, 500, "db_error", "", "数据库错误");
    else if (found == 0) cx_fail(e, 404, "not_found", "code", "没有这个查询码，请核对后重新输入");
}
