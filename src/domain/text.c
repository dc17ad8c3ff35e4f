/* text.c: free text as users type it, cleaned: trimmed, valid UTF-8, within a length in characters. */
#include "text.h"
#include <stdlib.h>
#include <string.h>

/* A user's text, trimmed, checked for UTF-8 and length (in characters); malloc'd, or NULL with e. */
char *clean_text(const char *src, const char *field, const char *label, size_t maxchars, bool required, cx_err *e)
{
    char *t = xstrdup(src ? src : "");
    str_trim(t);
    if (required && !*t) {
        cx_fail(e, 400, "required", field, "%s不能为空", label);
    } else if (!utf8_valid(t, strlen(t)) || utf8_len(t) > maxchars) {
        cx_fail(e, 400, "too_long", field, "%s无效或超过 %zu 个字", label, maxchars);
    } else return t;
    free(t);
    return NULL;
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
