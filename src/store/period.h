/* period.h: roll-up counters by calendar quarter over every organisation's subtree (table
 * period_rollup, migration 0022): reports, inspection findings, rectification, feedback,
 * pledges and liaison visits (0026), each record counted in the quarter of one date of its own (see the migration). Every
 * change that moves a counter calls period_add (or period_change) inside its own write
 * transaction, so the dashboard and the bulletins read roll-up rows, never the records; `cxzy
 * recount` rebuilds them from the raw records (period_recount).
 *
 * A quarter is year * 10 + q (20263 = 2026 Q3); a half or a year is a range of quarters. */
#ifndef CX_PERIOD_H
#define CX_PERIOD_H
#include <stdio.h>
#include "store.h"

enum {
    PR_REPORTS_DUE, PR_REPORTS_ON_TIME, PR_REPORTS_LATE,
    PR_FINDINGS, PR_FINDINGS_CLOSED,
    PR_RECT_DUE, PR_RECT_ON_TIME,
    PR_FEEDBACK_DUE, PR_FEEDBACK_ON_TIME,
    PR_PLEDGES_DUE, PR_PLEDGES_FULFILLED, PR_PLEDGES_MISSED_UNJUSTIFIED,
    /* liaison points (联络点): visits, those that found problems and those that solved some (0026) */
    PR_VISITS, PR_VISIT_PROBLEMS_FOUND, PR_VISIT_PROBLEMS_SOLVED,
    /* organisation life (meetings, migration 0025) */
    PR_MEETINGS_HELD, PR_ATTENDANCE_EXPECTED, PR_ATTENDANCE_PRESENT, PR_LECTURES_HELD,
    /* study notes (issue 18, study and quizzes) */
    PR_STUDY_NOTES,
    PR_N
};
/* Column names in table period_rollup, in PR_* order. */
extern const char *const period_cols[PR_N];
/* Chinese labels, for recount reports, exports and bulletins. */
extern const char *const period_labels[PR_N];

typedef struct period {
    int64_t v[PR_N];
} period;

/* The quarter of a date 'YYYY-MM-DD' (20263), 0 when it is not one. */
int period_quarter(const char *date);
/* Parses a period as people write it: "2026" (→ 20261..20264), "2026H1", "2026H2", "2026Q3"
 * (→ 20263..20263). CX_OK or CX_ERR. */
int period_parse(const char *text, int *from_q, int *to_q);
/* The text of a quarter range, e.g. "2026年", "2026年上半年", "2026年第三季度", "2026年第一季度至2027年第二季度". */
void period_label(int from_q, int to_q, char *out, size_t cap);

/* Adds delta in quarter to the counters of the organisation at org_path and each of its
 * ancestors. Inside the caller's write transaction. Zero deltas and quarter 0 are skipped. */
int period_add(db *d, int quarter, const char *org_path, const period *delta);
/* period_add for many records at once (a batch of report acts): each (quarter, org_path, delta),
 * the deltas summed per quarter and organisation first, all upserts in one round trip. */
typedef struct period_at {
    int quarter;
    const char *org_path;
    period delta;
} period_at;
int period_add_many(db *d, const period_at *v, int n);
/* A record changed: takes its old contribution (old_q at old_path, old) away and adds the new
 * one (new_q at new_path, new); either side may be absent (path NULL). Inside the transaction. */
int period_change(db *d, int old_q, const char *old_path, const period *old, int new_q, const char *new_path,
                  const period *new_);
/* The counters of one organisation's subtree summed over quarters from_q..to_q. */
CX_MUST_USE int period_get(db *d, int64_t org_id, int from_q, int to_q, period *out);
/* The counters of each active direct child of org_id summed over from_q..to_q, ordered by name. */
typedef int (*period_fn)(void *ctx, const org *child, const period *p);
int period_children(db *d, int64_t org_id, int from_q, int to_q, period_fn fn, void *ctx);
/* The same counters computed from the raw records (reports, findings, rectification, feedback,
 * pledges) of the organisations now in the subtree at org_path, over from_q..to_q: what recount
 * compares the roll-ups with, and how a bulletin's published figures are reproduced. */
CX_MUST_USE int period_raw(db *d, const char *org_path, int from_q, int to_q, period *out);
/* The first day of a quarter ('2026-07-01' for 20263), into out[11]. */
void period_first_day(int quarter, char out[11]);
/* issue 19 (contests and posts): the quarters from_q..to_q as unix times [t0, t1), from the local
 * midnight of the first day to that of the day after the last (what a timestamp column is
 * compared with). */
void period_unix(int from_q, int to_q, int64_t *t0, int64_t *t1);

/* The kinds of record that move the counters. What one record contributes is defined once per
 * kind in period.c (its date column and one SQL condition per counter, the migration's table):
 * the same definitions serve a single record (period_of), period_raw and period_recount. */
typedef enum { PK_REPORT, PK_FINDING, PK_RECT, PK_FEEDBACK, PK_PLEDGE,
               PK_VISIT, /* a liaison point's visit (0026) */
               PK_MEETING, /* organisation life: a meeting and its attendees (migration 0025) */
               PK_STUDY_NOTE, /* study notes (issue 18, study and quizzes) */
               PK_N } period_kind;
/* One record's contribution: its quarter (0: none), organisation and counters. */
typedef struct period_rec {
    int quarter;
    int64_t org_id;
    period v;
    /* a pledge: its campaign, and whether its member has an approved pledge in the campaign at
     * its organisation (table campaign_rollup, migration 0023: members who pledged) */
    int64_t campaign_id;
    bool pledged;
} period_rec;
/* What record id of kind k contributes as stored now (all zero when it does not exist). */
CX_MUST_USE int period_of(db *d, period_kind k, int64_t id, period_rec *out);
/* After a change of record id: reads what it contributes now and moves the counters from
 * before (period_of read earlier in the same transaction) to that. The usual pair in a store
 * call: period_of(d, PK_X, id, &was) before the UPDATE, period_update(d, PK_X, id, &was) after. */
CX_MUST_USE int period_update(db *d, period_kind k, int64_t id, const period_rec *before);
/* An organisation's subtree moved from old_path to new_path (org_move): its rows leave the old
 * ancestors and join the new ones (the subtree's own rows stay). */
int period_org_moved(db *d, int64_t org_id, const char *old_path, const char *new_path);
/* Rebuilds every row from the raw records (per own organisation and quarter, then summed to
 * every ancestor, in SQL), compares with the stored rows, prints one line per differing counter
 * to out (NULL: silent), counts them in *diffs, and with fix replaces the table's rows with the
 * rebuilt ones (audited). Its own transaction, or the caller's. */
CX_MUST_USE int period_recount(db *d, bool fix, FILE *out, int64_t *diffs);
/* Replaces every row with the ones rebuilt from the raw records (what recount --fix writes), in
 * the caller's transaction, unaudited: migration 0022 fills an existing database with it. */
CX_MUST_USE int period_fill(db *d);
/* The same for campaign_rollup (migration 0023). */
CX_MUST_USE int pledged_fill(db *d);
/* Members who pledged in a campaign over the subtree of org_id: distinct members with an approved
 * pledge (in progress or later), counted at the pledge's organisation (a member who moved and
 * pledged in both organisations counts in each; one who left still counts: the pledge was made). */
CX_MUST_USE int period_pledged(db *d, int64_t campaign_id, int64_t org_id, int64_t *n);
/* The same for every child of parent_id in one query (a dashboard shows them all): the children
 * with a count, by id in ids[0..*count) and their counts in n[]; the caller frees both. */
typedef struct pledged_rows {
    int64_t *ids, *n;
    size_t count;
} pledged_rows;
CX_MUST_USE int period_pledged_children(db *d, int64_t campaign_id, int64_t parent_id, pledged_rows *out);
/* A child's count from those rows (0 without one). */
int64_t pledged_rows_get(const pledged_rows *r, int64_t org_id);
void pledged_rows_free(pledged_rows *r);
#endif
