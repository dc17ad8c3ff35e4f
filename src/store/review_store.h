/* review_store.h: the three reviews (三评) and grades in the store: campaign phases, grading rules,
 * standard sets and carriers; review rounds; self and peer reviews of members and the self-review
 * of an organisation; leaders' charges and their three-part commentary; exclusions; grades
 * computed from the raw records with domain/review.c (grade_branch), the branch meeting's
 * decision and the higher committee's approval; and the recount of a round's grades.
 *
 * Every change runs in one write transaction with its audit record and its roll-up deltas
 * (store/rollup.h). A round that is closed refuses every change (code round_closed).
 *
 * Peer reviews are anonymous to everyone: the reviewer's member id is kept only for the
 * one-review-per-reviewer rule; no function here returns it, and the audit record of a peer review
 * names the round and the branch, never the member reviewed. */
#ifndef CX_REVIEW_STORE_H
#define CX_REVIEW_STORE_H
#include <cjson/cJSON.h>
#include "pledge_store.h"
#include "../domain/review.h"

/* ---- campaigns: phases, rules, standards, carriers ---- */

/* The campaign with the path of its organisation: 1 found, 0 none. */
CX_MUST_USE int review_campaign_get(db *d, int64_t id, campaign *c, char org_path[CX_PATH_MAX]);
/* Campaigns run by o or an ancestor (newest first). */
typedef int (*campaign_fn)(void *ctx, const campaign *c);
int review_campaigns_for(db *d, const org *o, campaign_fn fn, void *ctx);

typedef struct campaign_phase {
    int64_t id, campaign_id;
    int seq;
    char name[192], start_date[11], end_date[11];
} campaign_phase;
typedef int (*phase_fn)(void *ctx, const campaign_phase *p);
int phase_list(db *d, int64_t campaign_id, phase_fn fn, void *ctx);
/* Adds a phase (phase_id 0) or edits one of the campaign's phases: name 1–60 characters, dates
 * inside the campaign period, start ≤ end. */
int phase_save(db *d, const actor *a, int64_t campaign_id, int64_t phase_id, const char *name, const char *start,
               const char *end, int64_t *id, cx_err *e);

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

#define STD_MAX_ITEMS 12
typedef struct standard_item {
    int seq;
    char title[192], body[1536];
} standard_item;
typedef struct standard_set {
    int64_t id;
    int builtin, nitems;
    char code[48], name[96], target[8];
    standard_item items[STD_MAX_ITEMS];
} standard_set;
CX_MUST_USE int standard_get(db *d, int64_t id, standard_set *s);
typedef int (*standard_fn)(void *ctx, const standard_set *s);
int standard_list(db *d, standard_fn fn, void *ctx);
/* A new set (e.g. 四强) as data: code [a-z0-9_] 2–32, name 1–30 characters, target org|member,
 * 1–STD_MAX_ITEMS items each with a title (1–40) and a body (0–500). audit_org: where the
 * audit record is filed (the creator's office). */
int standard_create(db *d, const actor *a, int64_t audit_org, const char *code, const char *name, const char *target,
                    const char *const *titles, const char *const *bodies, int n, int64_t *id, cx_err *e);

typedef struct carrier {
    int64_t id, campaign_id, org_id;
    char name[192], description[1536], org_name[256];
} carrier;
typedef int (*carrier_fn)(void *ctx, const carrier *c);
/* Carriers named by the organisations of root's subtree (subtree) or of root only. */
int carrier_list(db *d, const org *root, bool subtree, carrier_fn fn, void *ctx);
int carrier_add(db *d, const actor *a, int64_t campaign_id, const org *o, const char *name, const char *description,
                int64_t *id, cx_err *e);

/* ---- rounds ---- */

typedef struct review_round {
    int64_t id, campaign_id, org_id, created_at;
    bool open;
    char name[192], period_start[11], period_end[11], questions[16];
    char org_name[256], org_path[CX_PATH_MAX], campaign_theme[256];
} review_round;
CX_MUST_USE int round_get(db *d, int64_t id, review_round *r);
/* Opens a round of campaign_id for org_id's subtree: the campaign must be run by org_id or an
 * ancestor, the period inside the campaign's, questions party3 or window6. */
int round_create(db *d, const actor *a, int64_t org_id, int64_t campaign_id, const char *name, const char *start,
                 const char *end, const char *questions, int64_t *id, cx_err *e);
int round_close(db *d, const actor *a, int64_t id, cx_err *e);
typedef int (*round_fn)(void *ctx, const review_round *r);
/* Rounds that cover o (run by o or an ancestor) and rounds run inside o's subtree, newest first. */
/* Rounds covering o or run inside it, latest period first: how many, and a page (limit 0: all). */
int round_count(db *d, const org *o, int64_t *total);
int round_list(db *d, const org *o, int64_t offset, int64_t limit, round_fn fn, void *ctx);
/* The round that applies to a target at org_path: the newest open round run by that org or an
 * ancestor. 1 found, 0 none. */
CX_MUST_USE int round_current(db *d, const char *org_path, review_round *r);

/* ---- reviews ---- */

typedef struct review_in {
    const char *levels;                       /* one digit per standard item, 1 好 … 4 差 */
    const char *achievements, *shortcomings, *direction;
} review_in;
/* Self-review (reviewer_member == target->id) or peer review (another active member of the same
 * organisation). One per (round, target, reviewer): a second submit updates it. *updated tells
 * which happened. */
int review_member_submit(db *d, const actor *a, int64_t round_id, const member *target, int64_t reviewer_member,
                         const review_in *in, bool *updated, cx_err *e);
/* The self-review of an organisation by its secretary, on the campaign's organisation set. */
int review_org_submit(db *d, const actor *a, int64_t round_id, const org *o, const review_in *in, bool *updated,
                      cx_err *e);

typedef struct review_text {
    char levels[STD_MAX_ITEMS + 1];
    char achievements[4096], shortcomings[4096], direction[4096];
    int64_t updated_at;
} review_text;
/* The self-review of a member (kind "self") or of an organisation ("org_self"): 1 found, 0 none. */
CX_MUST_USE int review_self_get(db *d, int64_t round_id, bool is_org, int64_t target_id, review_text *out);
/* The reviewer's own peer review of a member (shortcomings holds the remark): 1 found, 0 none. */
CX_MUST_USE int review_peer_get(db *d, int64_t round_id, int64_t target_member, int64_t reviewer_member, review_text *out);
/* Peer reviews of a member, summed per item and level; never who wrote them. comments gets the
 * peers' remarks (non-empty ones) sorted by text, when not NULL. */
typedef struct peer_summary {
    int64_t n;                                /* peer reviews */
    int nitems;
    int64_t count[STD_MAX_ITEMS][4];          /* reviews giving item i the level l+1 */
} peer_summary;
typedef int (*text_fn)(void *ctx, const char *text);
CX_MUST_USE int review_peer_summary(db *d, int64_t round_id, int64_t member_id, peer_summary *out, text_fn comments, void *ctx);
/* The fellow members of reviewer's organisation (active, not excluded in the round) and whether
 * reviewer has peer-reviewed each: the reviewer's own to-do list. */
typedef int (*peer_todo_fn)(void *ctx, int64_t member_id, const char *name, bool done);
int review_peer_todo(db *d, int64_t round_id, const member *reviewer, peer_todo_fn fn, void *ctx);

/* ---- leaders' charges and commentary ---- */

typedef struct charge_row {
    int64_t id, round_id, user_id, target_id, org_id;
    bool org, done;
    int level;                                /* the commentary's level when done */
    char target_name[256], leader_name[64], org_name[256];
} charge_row;
/* Leaders who may be put in charge of a target at path: users with the leader role at that
 * organisation or an ancestor. */
typedef int (*leader_fn)(void *ctx, int64_t user_id, const char *username, const char *display_name);
int leader_list(db *d, const char *path, leader_fn fn, void *ctx);
/* Puts leader user_id in charge of a member (target_member > 0) or of organisation o. */
int charge_add(db *d, const actor *a, int64_t round_id, int64_t user_id, const org *o, int64_t target_member,
               int64_t *id, cx_err *e);
/* Removes a charge that has no commentary yet. */
int charge_remove(db *d, const actor *a, int64_t round_id, int64_t user_id, const org *o, int64_t target_member,
                  cx_err *e);
typedef int (*charge_fn)(void *ctx, const charge_row *c);
/* A leader's charges in round_id (0: every open round). */
int charge_list_user(db *d, int64_t user_id, int64_t round_id, charge_fn fn, void *ctx);
/* The charges of root's subtree in round_id; pending_only: those not commented yet. */
/* The round's charges over root's subtree (pending_only: not yet commented): how many, a page (limit 0: all). */
int charge_count_org(db *d, int64_t round_id, const org *root, bool pending_only, int64_t *total);
int charge_list_org(db *d, int64_t round_id, const org *root, bool pending_only, int64_t offset, int64_t limit, charge_fn fn, void *ctx);
/* Members and organisations of root's subtree (root included) with no leader in charge this
 * round: counts, and up to limit of each through fn (charge_row with id 0). */
int charge_unassigned(db *d, int64_t round_id, const org *root, int64_t limit, int64_t *members, int64_t *orgs,
                      charge_fn fn, void *ctx);

typedef struct commentary_in {
    const char *level;                        /* "1".."4" */
    const char *achievements, *problems, *direction;
} commentary_in;
/* 领导点评 by user (a leader in charge of the target this round): all three parts required. */
int commentary_submit(db *d, const actor *a, int64_t round_id, int64_t user_id, const org *o, int64_t target_member,
                      const commentary_in *in, bool *updated, cx_err *e);
typedef struct commentary_row {
    int64_t user_id, updated_at;
    int level;
    char leader_name[64], achievements[4096], problems[4096], direction[4096];
} commentary_row;
typedef int (*commentary_fn)(void *ctx, const commentary_row *c);
int commentary_list(db *d, int64_t round_id, bool is_org, int64_t target_id, commentary_fn fn, void *ctx);

/* ---- exclusions ---- */

/* Leaves a member out of the round's grading (reason away|imprisoned|bedridden|incapacitated|other;
 * other needs a note), or takes the exclusion back (reason "" or "none"). */
int exclusion_set(db *d, const actor *a, int64_t round_id, const member *m, const char *reason, const char *note,
                  cx_err *e);
typedef int (*exclusion_fn)(void *ctx, int64_t member_id, const char *name, int reason, const char *note);
int exclusion_list(db *d, int64_t round_id, int64_t org_id, exclusion_fn fn, void *ctx);

/* ---- grades ---- */

typedef struct grade_row {
    int64_t id, round_id, target_id, org_id, approved_by, updated_at;
    bool org, meets;
    int64_t s[C_N];                           /* ×100; -1 absent */
    int64_t score;                            /* ×100; -1 none */
    int computed, final;                      /* GR_* */
    char approval[12];                        /* none pending approved rejected */
    char note[1024], decision[2048];          /* decision: JSON text or "" */
    char redo[512];                           /* why the branch meeting must decide again, or "" */
    char target_name[256], org_name[256], org_path[CX_PATH_MAX];
} grade_row;

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
CX_MUST_USE int grade_get(db *d, int64_t round_id, bool is_org, int64_t target_id, grade_row *g);
typedef int (*grade_fn)(void *ctx, const grade_row *g);
/* Grade rows of root's subtree (kind: 0 both, 1 members, 2 organisations), by org path and name. */
typedef struct grade_query {
    int64_t round_id;
    const org *root;
    int kind;
    bool pending_only;                        /* approval = pending */
    int64_t offset, limit;                    /* limit 0 = all */
} grade_query;
int grade_list(db *d, const grade_query *q, grade_fn fn, void *ctx);
int grade_count(db *d, const grade_query *q, int64_t *n);

/* Who is entitled to vote at the branch meeting (应到会有表决权党员) on a date: the branch's active
 * 正式党员 (status full, 转正 on or before the date), less those left out of the round's grading
 * (外出半年以上 …), each named with the reason through fn (may be NULL). */
typedef struct meeting_roll {
    int64_t full, left_out, entitled;
} meeting_roll;
typedef int (*left_out_fn)(void *ctx, int64_t member_id, const char *name, int reason, const char *note);
CX_MUST_USE int meeting_roll_get(db *d, int64_t round_id, int64_t org_id, const char *date, meeting_roll *out, left_out_fn fn, void *ctx);

/* 民主评议 branch meeting: sets the member's final grade (GR_1..GR_4) when meeting_check passes
 * against the 应到 computed from the roster on the meeting date (meeting_roll_get; a typed
 * entitled, when not 0, must agree); 优秀 within the branch's cap. Decisions of one branch are
 * serialised (db_lock "grade", branch). 优秀 and 不合格 then wait for approval. */
typedef struct meeting_in {
    int grade;
    int64_t entitled, present, in_favour;    /* entitled 0: not typed */
    const char *reason, *date;                /* date: YYYY-MM-DD, NULL or "" for today */
} meeting_in;
int grade_decide(db *d, const actor *a, int64_t round_id, const member *m, const meeting_in *in, cx_err *e);
/* The higher committee's answer to a 优秀 / 不合格 that a branch meeting decided (pending). Rejected:
 * the final grade becomes the computed one when that is 合格 or 基本合格, otherwise 合格; a reason is
 * required. Nobody answers for a record about themselves (own_record). */
int grade_approve(db *d, const actor *a, int64_t round_id, const member *m, bool approve, const char *reason,
                  cx_err *e);

/* After a change that moves a rule of 民主评议 for the members of branch org_id (a transfer, a
 * deactivation, a change to or from 预备党员, an exclusion): in every open round (round_id 0) or in
 * round_id, where the branch has grades, recomputes them, clears the branch meeting's decisions and
 * approvals and records why (grade.redo, shown to the secretary), with roll-up deltas and an audit
 * record. Inside the caller's write transaction. */
int grades_redo(db *d, const actor *a, int64_t round_id, int64_t org_id, const char *why);

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

/* "90.50", or "" for -1. */
void score_text(int64_t v, char out[24]);
#endif
