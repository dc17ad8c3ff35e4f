/* award.h: 评选表彰 (migration 0033): award kinds of an office and year over its subtree, their
 * eligibility rules as data (each evaluated by one function over the records, with evidence),
 * nominations by organisations within the quota (counted under the kind's row lock), the office's
 * recorded vote, approval (its one precondition in award_approvable) and revocation, and the
 * honours shown on cards and boards. */
#ifndef CX_AWARD_STORE_H
#define CX_AWARD_STORE_H
#include "store.h"
#include "../domain/award.h"

typedef struct award_kind {
    int64_t id, org_id, created_at, version;
    int year, quota, quota_n, eligible_n, nrules, nlive; /* nlive: nominations not withdrawn */
    bool share;
    award_subject subject;
    award_status status;
    char name[4 * AWARD_NAME_MAX + 1], created_by_name[64], org_name[256], org_path[CX_PATH_MAX];
} award_kind;
CX_MUST_USE int award_get(db *d, int64_t id, award_kind *k);
/* Award kinds of offices at or under the organisation at path, and of offices above it (newest first, ≤ 200). */
int award_list(db *d, const char *path, int (*fn)(void *ctx, const award_kind *k), void *ctx);
int award_create(db *d, const actor *a, const org *office, const award_ok *ok, int64_t *id, cx_err *e);
/* In draft only (409 not_draft): sets rule (replacing the same rule's parameter), or removes it. */
int award_rule_set(db *d, const actor *a, int64_t id, const char *rule, const char *param, cx_err *e);
int award_rule_remove(db *d, const actor *a, int64_t id, const char *rule, cx_err *e);
/* In draft only: allocates places (1–1000; 0 removes the allocation) to the organisation org_id,
 * strictly within the kind's scope (422 invalid_org); allocations together may not exceed a number
 * quota (422 invalid_places; a share quota is checked when nominating opens: 409 over_allocated). */
int award_alloc_set(db *d, const actor *a, int64_t id, int64_t org_id, int places, cx_err *e);
typedef struct award_alloc {
    int64_t org_id;
    int places, used;
    char org_name[256];
} award_alloc;
int award_allocs(db *d, int64_t id, int (*fn)(void *ctx, const award_alloc *x), void *ctx);
typedef struct award_rule_row {
    award_rule rule;
    char param[32];
} award_rule_row;
int award_rules(db *d, int64_t id, int (*fn)(void *ctx, const award_rule_row *r), void *ctx);
/* draft → open (a share quota counts the eligible now and fixes quota_n); open → closed; closed →
 * done (every nomination voted: 409 unvoted). */
int award_open(db *d, const actor *a, int64_t id, cx_err *e);
int award_close(db *d, const actor *a, int64_t id, cx_err *e);
int award_finish(db *d, const actor *a, int64_t id, cx_err *e);

/* One rule's result for one candidate. */
typedef struct rule_result {
    award_rule rule;
    bool pass;
    char param[32], evidence[512];
} rule_result;
/* Evaluates every rule of kind k for the candidate (subject_kind as k's, subject_id): how many
 * results in out (≤ AR_COUNT), or CX_ERR. */
int award_evaluate(db *d, const award_kind *k, int64_t subject_id, rule_result out[AR_COUNT]);

typedef struct nomination {
    int64_t id, kind_id, subject_id, org_id, nominator_org_id, approved_at, revoked_at, created_at;
    award_subject subject;
    nomination_status status;
    int vote_for, vote_against, vote_abstain, vote_entitled;
    char subject_name[256], org_name[256], org_path[CX_PATH_MAX], nominator_name[256], reason[4 * AWARD_REASON_MAX + 1];
    char vote_date[11], vote_note[4 * AWARD_NOTE_MAX + 1], approved_by_name[64], revoke_reason[4 * AWARD_REASON_MAX + 1];
    char created_by_name[64];
    char *evidence; /* JSON array, frozen at nomination (malloc'd by the getters; nomination_free) */
} nomination;
void nomination_free(nomination *n);
CX_MUST_USE int nomination_get(db *d, int64_t id, nomination *n);
/* The nominations of kind id (withdrawn ones too), oldest first; fn gets a row whose evidence it must not keep. */
int award_nominations(db *d, int64_t id, int (*fn)(void *ctx, const nomination *n), void *ctx);

/* Nominates subject_id for kind id by the organisation nominator (whose subtree must hold the
 * candidate, itself within the kind's scope: 422 invalid_candidate), while the kind is open (409
 * not_open): not already nominated (409 already_nominated), within the quota (409 quota_full:
 * counted under the kind's row lock), eligible under every rule (422 not_eligible naming the first
 * rule failed and its evidence). reason 1–500 characters. The evidence is stored with it. */
int award_nominate(db *d, const actor *a, int64_t id, const org *nominator, int64_t subject_id, const char *reason, int64_t *nid, cx_err *e);
/* Withdraws a nomination while its kind is open (409 not_open / not_nominated). */
int nomination_withdraw(db *d, const actor *a, int64_t nid, cx_err *e);
/* The office's recorded vote, once per nomination, while its kind is closed (409 not_closed /
 * already_voted): passed or rejected by award_vote_passed. */
int nomination_vote(db *d, const actor *a, int64_t nid, const vote_ok *v, cx_err *e);
/* 公示: opens one public notice (store/notice.h, source "award", ref_id the nomination) of the
 * kind's passed nominations not yet on a notice, for workdays working days (0: the default 5),
 * under the kind's row lock; the kind must be closed (409 not_closed), with at least one such
 * nomination (409 nothing_to_notice); start NULL: from today (the demo's history passes an earlier
 * day). Audited ("notice", entity "award"). */
int award_notice(db *d, const actor *a, int64_t id, const char *start, int workdays, int64_t *notice_id, cx_err *e);
/* The 公示 of nomination nid: its newest notice item's state (NRS_*, NRS_NONE when never put on a
 * notice), that notice's id and end date ("" when none). */
typedef struct nomination_notice {
    int state;
    int64_t notice_id;
    char end_date[11];
} nomination_notice;
int nomination_notice_get(db *d, int64_t nid, nomination_notice *out, cx_err *e);
/* Whether nomination n may be approved now: the one place its precondition is checked (passed by
 * the vote; its kind closed or done; its 公示 ended with no objection open or upheld). CX_OK, or
 * CX_ERR with e (409 not_passed / not_closed / not_noticed / notice_pending / objection_held /
 * objection_upheld). */
int award_approvable(db *d, const nomination *n, cx_err *e);
int nomination_approve(db *d, const actor *a, int64_t nid, cx_err *e);
/* Revokes an awarded honour with a reason (1–500 characters; 409 not_awarded). */
int nomination_revoke(db *d, const actor *a, int64_t nid, const char *reason, cx_err *e);

/* Honours: awarded (and, with revoked, revoked) nominations of one subject, newest year first. */
typedef struct honour {
    int64_t nomination_id, kind_id, subject_id, approved_at, revoked_at;
    int year;
    award_subject subject;
    bool revoked;
    char name[4 * AWARD_NAME_MAX + 1], office[256], subject_name[256], revoke_reason[4 * AWARD_REASON_MAX + 1];
} honour;
int award_honours(db *d, award_subject s, int64_t subject_id, bool revoked, int (*fn)(void *ctx, const honour *h), void *ctx);
/* The organisation's own honours and its members' (members whose organisation it is), awarded only. */
int award_board_honours(db *d, int64_t org_id, int (*fn)(void *ctx, const honour *h), void *ctx);
/* Candidates p may put forward for kind k from the subtree at path (∩ the kind's scope), not yet
 * nominated: id and name (with the organisation's name for members), by name, at most 300. */
typedef struct candidate {
    int64_t id;
    char name[256], org_name[256];
} candidate;
int award_candidates(db *d, const award_kind *k, const char *path, int (*fn)(void *ctx, const candidate *c), void *ctx);
#endif
