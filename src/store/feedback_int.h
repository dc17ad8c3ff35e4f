/* feedback_int.h: helpers of feedback_store.c that the workday calendar's store (calendar.c)
 * shares; not for other modules. */
#ifndef CX_FEEDBACK_INT_H
#define CX_FEEDBACK_INT_H
#include "store.h"

/* Rolls back and fails with 500 db_error and the database's message. */
int feedback_fail_db(db *d, cx_err *e);
/* The index of s in names[0..n), or -1. */
int feedback_index_of(const char *const *names, int n, const char *s);
/* Trimmed copy of a text field in [min, max] characters (min 0: optional). */
int feedback_text_field(const char *in, const char *field, const char *label, size_t min, size_t max, char *out, size_t cap, cx_err *e);
#endif
