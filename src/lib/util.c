/* util.c: allocation wrappers, error records, string helpers, the monotonic clock and the reconnect back-off. */
#include "util.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A time as the pages show it, in local time: "2026-12-06 13:45:07" with seconds, else
 * "2026-12-06 13:45"; "" for none (0). */
void time_text(int64_t t, bool seconds, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    out[0] = 0;
    if (t <= 0) return;
    localtime_r(&tt, &tm);
    strftime(out, 32, seconds ? "%Y-%m-%d %H:%M:%S" : "%Y-%m-%d %H:%M", &tm);
}

static void oom(size_t n)
{
    fprintf(stderr, "cxzy: out of memory allocating %zu bytes\n", n);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) oom(n);
    return p;
}

void *xcalloc(size_t n, size_t m)
{
    void *p = calloc(n ? n : 1, m ? m : 1);
    if (!p) oom(n * m);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) oom(n);
    return q;
}

char *xstrdup(const char *s) { return xstrndup(s, strlen(s)); }

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

int cx_fail_at(const char *file, int line, cx_err *e, int status, const char *code, const char *field, const char *fmt, ...)
{
    if (!e) return CX_ERR;
    e->status = status;
    e->file = file;
    e->line = line;
    snprintf(e->code, sizeof e->code, "%s", code ? code : "error");
    snprintf(e->field, sizeof e->field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return CX_ERR;
}

bool str_starts(const char *s, const char *prefix)
{
    return s && prefix && strncmp(s, prefix, strlen(prefix)) == 0;
}

int flag_parse(const char *s)
{
    if (!s) return -1;
    if (!strcmp(s, "1") || !strcmp(s, "true") || !strcmp(s, "on")) return 1;
    if (!strcmp(s, "0") || !strcmp(s, "false") || !strcmp(s, "off")) return 0;
    return -2;
}

char *str_trim(char *s)
{
    if (!s) return s;
    char *b = s;
    for (;;) {
        if (*b == ' ' || *b == '\t' || *b == '\r' || *b == '\n') b++;
        else if ((unsigned char)b[0] == 0xE3 && (unsigned char)b[1] == 0x80 && (unsigned char)b[2] == 0x80) b += 3;
        else break;
    }
    size_t n = strlen(b);
    for (;;) {
        if (n && (b[n - 1] == ' ' || b[n - 1] == '\t' || b[n - 1] == '\r' || b[n - 1] == '\n')) n--;
        else if (n >= 3 && (unsigned char)b[n - 3] == 0xE3 && (unsigned char)b[n - 2] == 0x80 && (unsigned char)b[n - 1] == 0x80) n -= 3;
        else break;
    }
    memmove(s, b, n);
    s[n] = 0;
    return s;
}

int str_to_i64(const char *s, int64_t *out)
{
    if (!s || !*s) return CX_ERR;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || end == s) return CX_ERR;
    *out = v;
    return CX_OK;
}

int64_t now_unix(void) { return (int64_t)time(NULL); }

int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool backoff_due(const backoff *b, int64_t now) { return now >= b->next_ms; }

void backoff_failed(backoff *b, int64_t now)
{
    b->ms = b->ms ? (b->ms * 2 > 2000 ? 2000 : b->ms * 2) : 100;
    b->next_ms = now + b->ms;
}

bool backoff_reset(backoff *b)
{
    bool was = b->ms != 0;
    b->ms = b->next_ms = 0;
    return was;
}

bool utf8_valid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) {
            if (c == 0 || (c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f) return false;
            i++;
            continue;
        }
        size_t len;
        unsigned cp;
        if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; }
        else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; }
        else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; }
        else return false;
        if (i + len > n) return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

size_t utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) n++;
    return n;
}

uint64_t fnv1a(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ULL;
    return h;
}

uint64_t fnv1a_str(const char *s) { return fnv1a(s, strlen(s)); }
