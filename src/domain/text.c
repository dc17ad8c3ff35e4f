/* text.c: free text as users type it, cleaned by one rule for every text field (see text.h). */
#include "text.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void text_span(const char **b, size_t *n)
{
    const unsigned char *s = (const unsigned char *)*b;
    size_t lo = 0, hi = *n;
    for (;;) {
        if (lo < hi && (s[lo] == ' ' || s[lo] == '\t' || s[lo] == '\r' || s[lo] == '\n')) lo++;
        else if (hi - lo >= 3 && s[lo] == 0xE3 && s[lo + 1] == 0x80 && s[lo + 2] == 0x80) lo += 3;
        else break;
    }
    for (;;) {
        if (lo < hi && (s[hi - 1] == ' ' || s[hi - 1] == '\t' || s[hi - 1] == '\r' || s[hi - 1] == '\n')) hi--;
        else if (hi - lo >= 3 && s[hi - 3] == 0xE3 && s[hi - 2] == 0x80 && s[hi - 1] == 0x80) hi -= 3;
        else break;
    }
    *b += lo;
    *n = hi - lo;
}

int text_check(const text_rule *r, const char *src, char *out, size_t cap, cx_err *e)
{
    const char *b = src ? src : "";
    size_t n = strlen(b);
    text_span(&b, &n);
    if (out && cap) out[0] = 0;
    /* empty where one character is enough is "required"; where more are needed, "too_short" says how many */
    if (n == 0 && r->min == 1) return cx_fail(e, 400, "required", r->field, "%s不能为空", r->label);
    if (!utf8_valid(b, n)) return cx_fail(e, 400, "invalid_text", r->field, "%s含有无效字符", r->label);
    if (r->one_line && (memchr(b, '\n', n) || memchr(b, '\r', n))) return cx_fail(e, 400, "invalid_text", r->field, "%s不能换行", r->label);
    size_t chars = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)b[i] & 0xC0) != 0x80) chars++;
    if (chars < r->min) return cx_fail(e, 400, "too_short", r->field, "%s至少 %zu 个字", r->label, r->min);
    if (chars > r->max || (out && n >= cap))
        return cx_fail(e, 400, "too_long", r->field, "%s不能超过 %zu 个字（现有 %zu 个字）", r->label, r->max, chars);
    if (out) memcpy(out, b, n), out[n] = 0;
    return CX_OK;
}

char *text_dup(const text_rule *r, const char *src, cx_err *e)
{
    size_t cap = (src ? strlen(src) : 0) + 1;
    char *t = xmalloc(cap);
    if (text_check(r, src, t, cap, e) == CX_OK) return t;
    free(t);
    return NULL;
}

void text_copy(char *dst, size_t cap, const char *src)
{
    const char *b = src ? src : "";
    size_t n = strlen(b);
    text_span(&b, &n);
    snprintf(dst, cap, "%.*s", (int)n, b);
}

char *clean_text(const char *src, const char *field, const char *label, size_t maxchars, bool required, cx_err *e)
{
    text_rule r = {field, label, required ? 1 : 0, maxchars, false};
    return text_dup(&r, src, e);
}

int clean_texts(text_spec *v, int n, cx_err *e)
{
    for (int i = 0; i < n; i++) *v[i].out = NULL;
    for (int i = 0; i < n; i++)
        if (!(*v[i].out = clean_text(v[i].src, v[i].field, v[i].label, v[i].max, v[i].required, e))) {
            for (int k = 0; k < i; k++) free(*v[k].out), *v[k].out = NULL;
            return CX_ERR;
        }
    return CX_OK;
}

void free_texts(text_spec *v, int n)
{
    for (int i = 0; i < n; i++) free(*v[i].out), *v[i].out = NULL;
}

static size_t char_len(const char *p)
{
    size_t len = 1;
    while ((p[len] & 0xC0) == 0x80) len++;
    return len;
}

/* Masks by characters: a name keeps its first character (张**), a contact its first 3 and last 4
 * when it has at least 8 (138****5678), else its first one; at most 4 stars. */
void text_mask(const char *s, bool contact, char *out, size_t cap)
{
    size_t n = utf8_len(s), head = contact && n >= 8 ? 3 : 1, tail = contact && n >= 8 ? 4 : 0, o = 0;
    if (!cap) return;
    out[0] = 0;
    if (n <= 1) {
        snprintf(out, cap, "*");
        return;
    }
    const char *p = s;
    for (size_t i = 0; i < n; i++) {
        size_t len = char_len(p);
        bool hidden = i >= head && i < n - tail;
        if (hidden && i - head >= 4) { /* at most 4 stars */
            p += len;
            continue;
        }
        const char *piece = hidden ? "*" : p;
        size_t plen = hidden ? 1 : len;
        if (o + plen >= cap) break;
        memcpy(out + o, piece, plen);
        o += plen;
        out[o] = 0;
        p += len;
    }
}
