/* limit.c: fixed-window counters in table rate_limit (see limit.h). */
#include "limit.h"
#include "row.h"
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

int limit_peek(db *d, const char *bucket, int64_t window, int64_t *n)
{
    return db_i64(d, n, 0, "SELECT n FROM rate_limit WHERE bucket = ? AND window_start = ?", "si", bucket, window);
}

int64_t limit_hour(void)
{
    int64_t now = now_unix();
    return now - now % 3600;
}
