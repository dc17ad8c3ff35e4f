/* buf.h: a growable, length-carrying byte buffer, always NUL-terminated.
 * Ownership: the buf owns b->p; buf_free releases it; buf_take hands it to the caller. */
#ifndef CX_BUF_H
#define CX_BUF_H
#include <stddef.h>
#include <stdarg.h>

typedef struct buf {
    char *p;
    size_t len, cap;
} buf;

void buf_init(buf *b);
void buf_free(buf *b);
void buf_reset(buf *b);
void buf_grow(buf *b, size_t extra);
void buf_add(buf *b, const void *data, size_t n);
void buf_adds(buf *b, const char *s);
void buf_addc(buf *b, char c);
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(buf *b, const char *fmt, va_list ap);
/* Returns the NUL-terminated contents; the buf is left empty. Caller frees. */
char *buf_take(buf *b);

/* Escapers, one per output context (cgit's html.c has the same split). */
void buf_html(buf *b, const char *s);      /* element text and quoted attribute values */
void buf_urlenc(buf *b, const char *s);    /* a URL query component */
void buf_json_str(buf *b, const char *s);  /* a JSON string literal, with quotes */
void buf_csv_field(buf *b, const char *s); /* an RFC 4180 field */
#endif
