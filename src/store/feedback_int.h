/* feedback_int.h: what feedback.c shares with the workday calendar's store (calendar.c): the
 * kind names and feedback_index_of, which now live in domain/feedback.h; not for other modules. */
#ifndef CX_FEEDBACK_INT_H
#define CX_FEEDBACK_INT_H
#include "store.h"
#include "../domain/feedback.h"
#endif
