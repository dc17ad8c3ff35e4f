/* grading.h: the grading rules of a campaign, exclusions from a round, and grades computed from
 * the raw records with domain/review.c (grade_branch), stored with roll-up deltas and redone when
 * a rule of 民主评议 moves for a branch. */
#ifndef CX_GRADING_H
#define CX_GRADING_H
#include <cjson/cJSON.h>
#include "store.h"
#include "round.h"
#include "../domain/review.h"

/* The campaign's grading rules and its standard sets (organisations, members). */
CX_MUST_USE int rules_get(db *d, int64_t campaign_id, review_rules *r, int64_t *org_set, int64_t *member_set);
/* The rules' fields by their column names (w_self … sms_required), for forms, JSON and SQL. */
typedef struct rule_field {
    const char *name, *label;
    size_t off;
    bool flag;                                /* a yes/no rule (bool in review_rules) */
} rule_field;
extern const rule_field rule_fields[];
extern const int rule_nfields;
int rule_get(const review_rules *r, int i);
void rule_set(review_rules *r, int i, int v);
cJSON *review_rules_json(const review_rules *r, int64_t org_set, int64_t member_set);
/* Replaces the rules after review_rules_check; the sets must exist and have the right target.
 * The sets cannot change once reviews were given in a round of the campaign (sets_in_use). */
int rules_set(db *d, const actor *a, int64_t campaign_id, const review_rules *r, int64_t org_set, int64_t member_set,
              cx_err *e);

/* ---- exclusions ---- */

/* Leaves a member out of the round's grading (in passed exclusion_check: a reason, other with a
 * note), or takes the exclusion back (reason EX_NONE). */
int exclusion_set(db *d, const actor *a, int64_t round_id, const member *m, const exclusion_ok *in, cx_err *e);
typedef int (*exclusion_fn)(void *ctx, int64_t member_id, const char *name, int reason, const char *note);
int exclusion_list(db *d, int64_t round_id, int64_t org_id, exclusion_fn fn, void *ctx);

/* One computed grade (not stored): the target, its components, score, grade after cap and vetoes,
 * 五带头 / 五个好, and why. */
typedef struct grade_calc {
    int64_t target_id, org_id;
    int64_t s[C_N], score;                    /* ×100; -1 absent */
    int grade;                                /* GR_* */
    bool meets, criteria_ok;                  /* criteria_ok: every item averages 较好 or better */
    char note[256];
    char *name, *path;                        /* the target's name, its organisation's path */
} grade_calc;
void grade_calc_free(grade_calc *rows, size_t n);
/* Computes from the raw records without storing: the members of o (org = false: active members
 * whose organisation is o) or the organisations strictly below o (org = true). *rows (free with
 * grade_calc_free) gets *n rows in target id order. */
int grade_compute(db *d, const review_round *rd, const org *o, bool is_org, grade_calc **rows, size_t *n);
/* Computes and stores (replacing the earlier rows of those targets, decisions and approvals
 * included, and removing rows of targets no longer there), with roll-up deltas, in one
 * transaction. *n gets the number of rows. */
int grades_store(db *d, const actor *a, int64_t round_id, const org *o, bool is_org, size_t *n, cx_err *e);

/* After a change that moves a rule of 民主评议 for the members of branch org_id (a transfer, a
 * deactivation, a change to or from 预备党员, an exclusion): in every open round (round_id 0) or in
 * round_id, where the branch has grades, recomputes them, clears the branch meeting's decisions and
 * approvals and records why (grade.redo, shown to the secretary), with roll-up deltas and an audit
 * record. Inside the caller's write transaction. */
int grades_redo(db *d, const actor *a, int64_t round_id, int64_t org_id, const char *why);
#endif
