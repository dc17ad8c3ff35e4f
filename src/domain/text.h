/* text.h: free text as users type it, cleaned: trimmed, valid UTF-8, within a length in characters
 * (errors required / too_long on the field). */
#ifndef CX_TEXT_H
#define CX_TEXT_H
#include <stdbool.h>
#include <stddef.h>
#include "../lib/util.h"

/* A user's text, trimmed, checked for UTF-8 and length (in characters); malloc'd, or NULL with e. */
char *clean_text(const char *src, const char *field, const char *label, size_t maxchars, bool required, cx_err *e);

/* Several texts at once: all or nothing. */
typedef struct text_spec {
    const char *src, *field, *label;
    size_t max;
    bool required;
    char **out;
} text_spec;
/* Each *v[i].out gets its cleaned text; on the first failure none is kept (all NULL) and e is set. */
int clean_texts(text_spec *v, int n, cx_err *e);
/* Frees the outputs of clean_texts. */
void free_texts(text_spec *v, int n);
#endif
