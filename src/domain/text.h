/* text.h: free text as people type it, cleaned and checked: the start of one validation layer. */
#ifndef CX_TEXT_H
#define CX_TEXT_H
#include <stdbool.h>
#include <stddef.h>
#include "../lib/util.h"

/* A trimmed copy of src (NULL: empty) into dst (cap bytes), checked: valid UTF-8, at most
 * maxchars characters, not empty when required. Refusals are 400 too_long, invalid_text or
 * required on field, the message naming label. */
int text_in(const char *src, const char *field, const char *label, size_t maxchars, bool required, char *dst, size_t cap,
            cx_err *e);
#endif
