/* rollup.h: roll-up counters of a review round over every organisation's subtree (table rollup).
 * Every change that moves a counter (a ballot, a review, a leader charge or commentary, a
 * grade) calls rollup_add inside its own write transaction, so the counters are exact at every
 * commit and a dashboard reads one row per organisation, never the ballots. rollup_recount
 * rebuilds them from the raw records and lists every difference (`cxzy recount`, after the grades
 * themselves are brought to their records: grade_recount). */
#ifndef CX_ROLLUP_H
#define CX_ROLLUP_H
#include <stdio.h>
#include "store.h"

enum {
    RU_BALLOTS_VALID, RU_BALLOTS_INVALID, RU_ANS_SATISFIED, RU_ANS_BASIC, RU_ANS_UNSATISFIED,
    RU_SELF_REVIEWS, RU_PEER_REVIEWS, RU_CHARGES, RU_CHARGES_DONE,
    RU_MEMBERS_GRADED, RU_MEMBERS_MEETING, RU_MEMBERS_EXCELLENT, RU_MEMBERS_QUALIFIED, RU_MEMBERS_BASIC,
    RU_MEMBERS_UNQUALIFIED, RU_ORGS_GRADED, RU_ORGS_MEETING,
    /* exclusions of the round (of active 正式党员, at their organisation); members and
     * organisations with at least one leader's commentary in the round, each counted once */
    RU_MEMBERS_EXCLUDED, RU_MEMBERS_COMMENTED, RU_ORGS_COMMENTED,
    /* ballots by channel among the counted ones (RU_BALLOTS_VALID is their sum), the unverified
     * web indicator (never in the answers) and ballots held in a burst */
    RU_BALLOTS_WEB, RU_BALLOTS_PAPER, RU_BALLOTS_PHONE, RU_BALLOTS_UNVERIFIED, RU_BALLOTS_HELD,
    /* issue 19 (posts): the counted ballots on posts and areas (window rows of another kind),
     * already in the counters above, and their answers 满意 or 基本满意, and all of their answers */
    RU_POST_BALLOTS, RU_POST_ANS_OK, RU_POST_ANS,
    RU_N
};
/* issue 19 (posts): 1 when ballot row b (an SQL alias) is on a post or an area, else 0. */
#define BALLOT_ON_POST(b) "CASE WHEN " b ".target_kind = 'window' AND EXISTS (SELECT 1 FROM service_window pw WHERE pw.id = " b ".target_id " \
                          "AND pw.kind <> 'window') THEN 1 ELSE 0 END"
/* Column names in table rollup, in RU_* order. */
extern const char *const rollup_cols[RU_N];
/* Chinese labels, for recount reports and exports. */
extern const char *const rollup_labels[RU_N];

typedef struct rollup {
    int64_t v[RU_N];
} rollup;

/* Counts over an organisation's subtree that belong to no round (table org_tally): active
 * members, active 正式党员, active organisations (itself included). The dashboard's
 * denominators: members due to be graded in a round = TL_MEMBERS_FULL - RU_MEMBERS_EXCLUDED. */
enum { TL_MEMBERS_ACTIVE, TL_MEMBERS_FULL, TL_ORGS_ACTIVE, TL_N };
extern const char *const tally_cols[TL_N];
extern const char *const tally_labels[TL_N];
typedef struct tally {
    int64_t v[TL_N];
} tally;

/* Adds delta to the counters of the organisation at org_path and of each of its ancestors, for
 * round_id. Must run inside the caller's write transaction. Zero deltas are skipped. */
int rollup_add(db *d, int64_t round_id, const char *org_path, const rollup *delta);
/* The counters of one organisation's subtree (all zero when nothing was counted). */
CX_MUST_USE int rollup_get(db *d, int64_t round_id, int64_t org_id, rollup *out);
/* The tally of one organisation's subtree (all zero when none). */
CX_MUST_USE int tally_get(db *d, int64_t org_id, tally *out);
/* The counters and tally of each direct child of org_id, in the order of org_children (name). */
typedef int (*rollup_fn)(void *ctx, const org *child, const rollup *r, const tally *t);
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
/* issue 19 (posts): count ballots (count may be negative) of class cls on a post or an area, with
 * their answers, into the RU_POST_* counters (counted ballots only). */
void rollup_of_post_ballot(rollup *r, int cls, const char *answers, int64_t count);

/* What is due in a round at one organisation (its subtree), from its counters and tally;
 * round_root: the organisation is the round's own (not graded in its own round).
 *   DU_MEMBERS     active 正式党员 - the round's exclusions of them (预备党员 are not graded)
 *   DU_ORGS        active organisations - the round's own organisation
 *   DU_COMMENTARY  every active member and every organisation due: what a leader comments on
 *   DU_COMMENTED   members and organisations with at least one leader's commentary */
enum { DU_MEMBERS, DU_ORGS, DU_COMMENTARY, DU_COMMENTED, DU_N };
void rollup_due(const rollup *u, const tally *t, bool round_root, int64_t d[DU_N]);

/* Adds delta to the tally of the organisation at org_path and of each ancestor; inside the
 * caller's write transaction. */
int tally_add(db *d, const char *org_path, const tally *delta);
/* The tally of one member (active, status) to add (sign 1) or take away (sign -1). */
void tally_of_member(tally *t, bool active, const char *status, int sign);
/* A member changed (created: old_path NULL; moved, status or active changed): moves the tally
 * and the exclusion counters of every round excluding the member. Inside the write transaction. */
int tally_member_change(db *d, int64_t member_id, const char *old_path, bool old_active, const char *old_status,
                        const char *new_path, bool new_active, const char *new_status);
/* Adds v[i] to the tally of the organisation at paths[i] and of each ancestor, summed per
 * organisation first (a few statements for thousands of paths). */
int tally_add_paths(db *d, const char *const *paths, const tally *v, size_t n);
/* An organisation's subtree moved from old_path to new_path (paths of the moved organisation):
 * its tally leaves the old ancestors and joins the new ones. */
int tally_org_moved(db *d, int64_t org_id, const char *old_path, const char *new_path);
/* Recomputes every tally from the member and org rows and compares; like rollup_recount. Runs
 * inside the caller's transaction. */
int tally_recount(db *d, bool fix, FILE *out, int64_t *diffs);

/* Recomputes every counter of round_id from the raw records (ballots, reviews, charges,
 * commentary, grades) and compares with the stored rows; writes one line per difference to out
 * (when out is not NULL). With fix, rewrites the stored rows to the recomputed values in one
 * transaction (its own, or the caller's when one is open: then the caller commits). *diffs gets the
 * number of differences. The tallies are recounted in the same transaction (tally_recount). Every
 * aggregate is read a chunk at a time (db_stream: memory is bounded by the organisations, not the
 * ballots) and the rebuilt rows are written with db_bulk (COPY on PostgreSQL). */
int rollup_recount(db *d, int64_t round_id, bool fix, FILE *out, int64_t *diffs);
#endif
