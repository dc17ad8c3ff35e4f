/* form.h: showing a page form again after its post failed. The page the form came from is
 * rendered as usual (response.c runs its GET handler); form_refill then puts the user's own
 * values back into that form and the message beside the field it names, so every form gets the
 * same behaviour without a copy per template. */
#ifndef CX_FORM_H
#define CX_FORM_H
#include <stdbool.h>
#include <stddef.h>
#include "../lib/buf.h"

typedef struct form_value {
    const char *name, *value;
} form_value;

typedef struct form_error {
    const char *code, *field, *message;
} form_error;

/* Copies the page html to out with the form that posts to action (a path; the query and
 * fragment of the form's action are ignored) filled with the posted values: text inputs (the k-th
 * input of a name gets the k-th value of that name), textareas, selects, checkboxes and radios,
 * hidden inputs but never _csrf, and never password or file inputs. When several forms post to
 * action, the one whose hidden inputs all match the posted values is taken. The element named by
 * an error's field gets aria-invalid and aria-describedby pointing at its message (the first for
 * that field), placed right after it; an error without such an element opens the form. With nvals 0 (a body that was never
 * read) the values are left as the page has them. Returns false, out untouched, when the page has
 * no such form. */
bool form_refill(const char *html, const char *action, const form_value *vals, size_t nvals, const form_error *errs, size_t nerrs,
                 buf *out);
#endif
