/* feedback_int.h: what feedback.c shares with the workday calendar's store (calendar.c);
 * not for other modules. */
#ifndef CX_FEEDBACK_INT_H
#define CX_FEEDBACK_INT_H
#include "store.h"

/* The index of s in names[0..n), or -1. */
int feedback_index_of(const char *const *names, int n, const char *s);
#endif
