/* ballot_store.h: public rating (群众评议), all its parts at once: what is rated and its rounds
 * (rating.h), service windows (window.h), raters (rater.h), the ballot writer (ballot_writer.h),
 * casting a ballot (ballot.h), paper questionnaires (paper_batch.h), phone sampling
 * (phone_draw.h), results (rating_result.h) and bursts (burst.h). Kept for the files that still
 * include it; new code includes the header of the part it uses. */
#ifndef CX_BALLOT_STORE_H
#define CX_BALLOT_STORE_H
#include "rating.h"
#include "window.h"
#include "rater.h"
#include "ballot_writer.h"
#include "ballot.h"
#include "paper_batch.h"
#include "phone_draw.h"
#include "rating_result.h"
#include "burst.h"
#endif
