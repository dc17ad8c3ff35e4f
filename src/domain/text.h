/* text.h: free text as users type it, cleaned by one rule for every text field: trimmed (ASCII
 * white space and U+3000 at both ends), valid UTF-8, within a length in characters, on one line
 * where the field asks. One set of errors for all of them (400, on the field, its label in the
 * message): required (empty, at least one character wanted), too_short (fewer than the minimum of
 * two or more, empty included), invalid_text, too_long. */
#ifndef CX_TEXT_H
#define CX_TEXT_H
#include <stdbool.h>
#include <stddef.h>
#include "../lib/util.h"

/* What a text field must be. */
typedef struct text_rule {
    const char *field, *label; /* the field's name in the API, its label in messages */
    size_t min, max;           /* characters after trimming: min 0 optional, 1 required, more "at least" */
    bool one_line;             /* no line breaks */
} text_rule;

/* Checks src (NULL: empty) against r; when out is given, the trimmed text goes there (cap bytes;
 * longer is too_long). CX_OK, or CX_ERR with e filled. */
int text_check(const text_rule *r, const char *src, char *out, size_t cap, cx_err *e);
/* text_check into a malloc'd copy; NULL with e on failure. */
char *text_dup(const text_rule *r, const char *src, cx_err *e);
/* Narrows [*b, *b + *n) to leave out white space at both ends as str_trim sees it (ASCII, U+3000). */
void text_span(const char **b, size_t *n);
/* The trimmed src (NULL: empty) into dst, cut to cap: for a text a rule has already passed. */
void text_copy(char *dst, size_t cap, const char *src);

/* text_dup with the rule spelled out (required: min 1). */
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
/* Masks a name or contact by characters for a public page: a name keeps its first character
 * (张**), a contact its first 3 and last 4 when it has at least 8 (138****5678), else its first
 * one; at most 4 stars. */
void text_mask(const char *s, bool contact, char *out, size_t cap);
#endif
