/* text.c: free text as people type it, cleaned and checked (trimmed, valid UTF-8, length in characters). */
#include "text.h"
#include <stdio.h>
#include <string.h>

/* A trimmed copy of an optional text, checked for length in characters. */
int text_in(const char *src, const char *field, const char *label, size_t maxchars, bool required, char *dst,
                   size_t cap, cx_err *e)
{
    dst[0] = 0;
    if (src && strlen(src) >= cap) return cx_fail(e, 400, "too_long", field, "%s超过 %zu 个字", label, maxchars);
    if (src) snprintf(dst, cap, "%s", src), str_trim(dst);
    if (!utf8_valid(dst, strlen(dst))) return cx_fail(e, 400, "invalid_text", field, "%s不是有效的文字", label);
    if (required && !dst[0]) return cx_fail(e, 400, "required", field, "%s不能为空", label);
    if (utf8_len(dst) > maxchars) return cx_fail(e, 400, "too_long", field, "%s超过 %zu 个字", label, maxchars);
    return CX_OK;
}
