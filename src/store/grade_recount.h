/* grade_recount.h: the recount of a round's stored grades and roll-up counters from the raw
 * records (cxzy recount). */
#ifndef CX_GRADE_RECOUNT_H
#define CX_GRADE_RECOUNT_H
#include <stdio.h>
#include "store.h"

/* Recomputes every stored grade of round_id from the raw records and writes one line per
 * difference to out: score, computed grade, missing and extra rows; the final grade against the
 * branch meeting's decision and the higher committee's approval records (an edited final grade is
 * a difference, never the truth); 五带头 / 五个好; 优秀 over the cap. Then compares every roll-up
 * counter with the counters of the grades as the records say they should be (rollup_recount), so
 * an edited grade shows whether or not its counters were edited too. *diffs and *counter_diffs
 * get the numbers. With fix, in one transaction: a branch whose raw records changed is recomputed
 * (decisions there start over), other final grades are set from their records, the counters are
 * rebuilt; without fix nothing is written. */
int grade_recount(db *d, int64_t round_id, bool fix, FILE *out, int64_t *diffs, int64_t *counter_diffs);
#endif
