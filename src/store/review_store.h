/* review_store.h: the three reviews (三评) and grades in the store, by resource: an umbrella over
 * campaign.h, standard.h, round.h, review.h, charge.h, grading.h, grade.h and grade_recount.h,
 * kept while its includers move to the specific headers. */
#ifndef CX_REVIEW_STORE_H
#define CX_REVIEW_STORE_H
#include "pledge_store.h"
#include "campaign.h"
#include "standard.h"
#include "round.h"
#include "review.h"
#include "charge.h"
#include "grading.h"
#include "grade.h"
#include "grade_recount.h"
#include "row.h" /* score_text */
#endif
