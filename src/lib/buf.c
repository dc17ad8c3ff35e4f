/* buf.c: growable byte buffer and the per-context escapers. */
#include "buf.h"
#include "util.h"
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

void buf_init(buf *b) { b->p = NULL; b->len = b->cap = 0; }

void buf_free(buf *b)
{
    free(b->p);
    buf_init(b);
}

void buf_reset(buf *b)
{
    b->len = 0;
    if (b->p) b->p[0] = 0;
}

void buf_grow(buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1) cap *= 2;
    b->p = xrealloc(b->p, cap);
    b->cap = cap;
}

void buf_add(buf *b, const void *data, size_t n)
{
    buf_grow(b, n);
    if (n) memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = 0;
}

void buf_adds(buf *b, const char *s) { if (s) buf_add(b, s, strlen(s)); }

void buf_addc(buf *b, char c) { buf_add(b, &c, 1); }

void buf_vprintf(buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n <= 0) return;
    buf_grow(b, (size_t)n);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void buf_printf(buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

char *buf_take(buf *b)
{
    if (!b->p) buf_grow(b, 0), b->p[0] = 0;
    char *p = b->p;
    buf_init(b);
    return p;
}

void buf_html(buf *b, const char *s)
{
    if (!s) return;
    const char *start = s;
    for (; *s; s++) {
        const char *rep = NULL;
        switch (*s) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: continue;
        }
        buf_add(b, start, (size_t)(s - start));
        buf_adds(b, rep);
        start = s + 1;
    }
    buf_add(b, start, (size_t)(s - start));
}

void buf_urlenc(buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
            c == '_' || c == '.' || c == '~')
            buf_addc(b, (char)c);
        else {
            char t[3] = {'%', hex[c >> 4], hex[c & 15]};
            buf_add(b, t, 3);
        }
    }
}

void buf_json_str(buf *b, const char *s)
{
    buf_addc(b, '"');
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '"': buf_adds(b, "\\\""); break;
        case '\\': buf_adds(b, "\\\\"); break;
        case '\n': buf_adds(b, "\\n"); break;
        case '\r': buf_adds(b, "\\r"); break;
        case '\t': buf_adds(b, "\\t"); break;
        case '<': buf_adds(b, "\\u003c"); break; /* safe inside <script> */
        default:
            if (c < 0x20) buf_printf(b, "\\u%04x", c);
            else buf_addc(b, (char)c);
        }
    }
    buf_addc(b, '"');
}

void buf_csv_field(buf *b, const char *s)
{
    if (!s) return;
    /* A leading = + - @ (or tab / CR) would be run as a formula by Excel: prefix a quote (CSV injection). */
    bool formula = (*s == '=' || *s == '+' || *s == '-' || *s == '@' || *s == '\t' || *s == '\r');
    if (!strpbrk(s, ",\"\r\n") && !formula) {
        buf_adds(b, s);
        return;
    }
    buf_addc(b, '"');
    if (formula) buf_addc(b, '\'');
    for (; *s; s++) {
        if (*s == '"') buf_addc(b, '"');
        buf_addc(b, *s);
    }
    buf_addc(b, '"');
}
