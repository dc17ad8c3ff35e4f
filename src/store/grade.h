/* grade.h: stored grades: reading and listing them, the branch meeting's decision (民主评议) and
 * the higher committee's approval. */
#ifndef CX_GRADE_H
#define CX_GRADE_H
#include "store.h"
#include "../domain/review.h"

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

CX_MUST_USE int grade_get(db *d, int64_t round_id, bool is_org, int64_t target_id, grade_row *g);
typedef int (*grade_fn)(void *ctx, const grade_row *g);
/* Grade rows of root's subtree (kind: 0 both, 1 members, 2 organisations), by org path and name. */
typedef struct grade_query {
    int64_t round_id;
    const org *root;
    int kind;
    bool pending_only;                        /* approval = pending */
    bool undecided_only;                      /* members graded (not 不评定等次) with no branch meeting decision yet */
    bool below_only;                          /* in root's strict subtree (not root's own members): those root's office approves */
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

/* 民主评议 branch meeting (in passed decision_check; a typed meeting date must not be before the
 * round's period): sets the member's final grade (GR_1..GR_4) when meeting_check passes against
 * the 应到 computed from the roster on the meeting date (meeting_roll_get; a typed entitled, when
 * not 0, must agree); 优秀 within the branch's cap. Decisions of one branch are serialised
 * (db_lock "grade", branch). 优秀 and 不合格 then wait for approval. */
int grade_decide(db *d, const actor *a, int64_t round_id, const member *m, const meeting_ok *in, cx_err *e);
/* The higher committee's answer (in passed approval_check) to a 优秀 / 不合格 that a branch meeting
 * decided (pending). Rejected: the final grade becomes the computed one when that is 合格 or 基本合格,
 * otherwise 合格. Nobody answers for a record about themselves (own_record). */
int grade_approve(db *d, const actor *a, int64_t round_id, const member *m, const approval_ok *in, cx_err *e);
#endif
