/* rollup.h: roll-up counters of a review round over every organisation's subtree (table rollup).
 * Every change that moves a counter (a ballot, a review, a leader charge or commentary, a
 * grade) calls rollup_add inside its own write transaction, so the counters are exact at every
 * commit and a dashboard reads one row per organisation, never the ballots. rollup_recount
 * rebuilds them from the raw records and lists every difference (`cxzy recount`). */
#ifndef CX_ROLLUP_H
#define CX_ROLLUP_H
#include <stdio.h>
#include "store.h"

enum {
    RU_BALLOTS_VALID, RU_BALLOTS_INVALID, RU_ANS_SATISFIED, RU_ANS_BASIC, RU_ANS_UNSATISFIED,
    RU_SELF_REVIEWS, RU_PEER_REVIEWS, RU_CHARGES, RU_CHARGES_DONE,
    RU_MEMBERS_GRADED, RU_MEMBERS_MEETING, RU_MEMBERS_EXCELLENT, RU_MEMBERS_QUALIFIED, RU_MEMBERS_BASIC,
    RU_MEMBERS_UNQUALIFIED, RU_ORGS_GRADED, RU_ORGS_MEETING,
    /* ballots by channel among the counted ones (RU_BALLOTS_VALID is their sum), the unverified
     * web indicator (never in the answers) and ballots held in a burst */
    RU_BALLOTS_WEB, RU_BALLOTS_PAPER, RU_BALLOTS_PHONE, RU_BALLOTS_UNVERIFIED, RU_BALLOTS_HELD,
    RU_N
};
/* Column names in table rollup, in RU_* order. */
extern const char *const rollup_cols[RU_N];
/* Chinese labels, for recount reports and exports. */
extern const char *const rollup_labels[RU_N];

typedef struct rollup {
    int64_t v[RU_N];
} rollup;

/* Adds delta to the counters of the organisation at org_path and of each of its ancestors, for
 * round_id. Must run inside the caller's write transaction. Zero deltas are skipped. */
int rollup_add(db *d, int64_t round_id, const char *org_path, const rollup *delta);
/* The counters of one organisation's subtree (all zero when nothing was counted). */
int rollup_get(db *d, int64_t round_id, int64_t org_id, rollup *out);
/* The counters of each direct child of org_id, in the order of org_children (name). */
typedef int (*rollup_fn)(void *ctx, const org *child, const rollup *r);
int rollup_children(db *d, int64_t round_id, int64_t org_id, rollup_fn fn, void *ctx);

/* Satisfaction rate ×10000 ((满意 + 基本满意) / answers), -1 with no answers. */
int64_t rollup_satisfaction(const rollup *r);
/* Grade-related counters of one stored grade row (target_kind member|org, final grade code,
 * meets), to add (sign 1) or take away (sign -1). */
void rollup_of_grade(rollup *r, bool is_org, int grade, bool meets, int sign);
/* How a stored ballot counts: invalid (a repeat, a spoiled sheet, a discarded burst), counted
 * (verified rater, not held: in the figures and grades), unverified (a web or QR ballot without
 * a verified phone: the separate indicator only) or held (in a burst under review). */
enum { BC_INVALID, BC_COUNTED, BC_UNVERIFIED, BC_HELD };
int ballot_class(bool valid, bool verified, const char *hold);
/* Ballot counters of one ballot of class cls (BC_*), channel qr|web|paper|phone. */
void rollup_of_ballot(rollup *r, int cls, const char *channel, const char *answers, int sign);

/* Recomputes every counter of round_id from the raw records (ballots, reviews, charges,
 * commentary, grades) and compares with the stored rows; writes one line per difference to out
 * (when out is not NULL). With fix, rewrites the stored rows to the recomputed values in one
 * transaction. *diffs gets the number of differences. */
int rollup_recount(db *d, int64_t round_id, bool fix, FILE *out, int64_t *diffs);
#endif
