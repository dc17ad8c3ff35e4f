/* grade.c: stored grades: reading and listing, the branch meeting's decision, the higher committee's
 * approval. */
#include "grade.h"
#include "row.h"
#include "notify.h"
#include "review_int.h"
#include "../lib/json.h"
#include "rect.h"
#include "../domain/workday.h"
#include "rollup.h"
#include "../domain/date.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define GRADE_SQL                                                                                                     \
    "SELECT g.id, g.round_id, g.target_kind, g.target_id, g.org_id, coalesce(g.approved_by, 0), g.updated_at, g.meets, "   \
    "coalesce(g.s_self, -1), coalesce(g.s_peer, -1), coalesce(g.s_leader, -1), coalesce(g.s_public, -1), coalesce(g.s_pledge, -1), " \
    "g.score, g.computed, g.final, g.approval, g.note, g.decision, CASE WHEN g.target_kind = 'member' THEN "             \
    "(SELECT name FROM member WHERE id = g.target_id) ELSE o.name END AS tname, o.name, o.path, g.redo FROM grade g JOIN org o ON o.id = g.org_id "

static void read_grade(db_stmt *s, grade_row *g)
{
    g->id = db_col_i64(s, 0);
    g->round_id = db_col_i64(s, 1);
    g->org = !strcmp(db_col_text(s, 2), "org");
    g->target_id = db_col_i64(s, 3);
    g->org_id = db_col_i64(s, 4);
    g->approved_by = db_col_i64(s, 5);
    g->updated_at = db_col_i64(s, 6);
    g->meets = db_col_i64(s, 7) != 0;
    for (int c = 0; c < C_N; c++) g->s[c] = db_col_i64(s, 8 + c);
    g->score = db_col_i64(s, 13);
    g->computed = grade_from_code(db_col_text(s, 14));
    g->final = grade_from_code(db_col_text(s, 15));
    copy_col(g->approval, sizeof g->approval, s, 16);
    copy_col(g->note, sizeof g->note, s, 17);
    copy_col(g->decision, sizeof g->decision, s, 18);
    copy_col(g->target_name, sizeof g->target_name, s, 19);
    copy_col(g->org_name, sizeof g->org_name, s, 20);
    copy_col(g->org_path, sizeof g->org_path, s, 21);
    copy_col(g->redo, sizeof g->redo, s, 22);
}

int grade_get(db *d, int64_t round_id, bool is_org, int64_t target_id, grade_row *g)
{
    memset(g, 0, sizeof *g); /* a caller never sees an output this call did not fill */
    db_stmt *s = db_prepare(d, GRADE_SQL "WHERE g.round_id = ? AND g.target_kind = ? AND g.target_id = ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, round_id);
    db_bind_text(s, 2, kind_of(is_org));
    db_bind_i64(s, 3, target_id);
    int rc = db_step(s);
    if (rc == DB_ROW) read_grade(s, g);
    db_done(s);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : CX_ERR;
}

/* Starts q with head and the grades the query selects; end must outlive q. */
static void grade_q(db_q *q, const char *head, const grade_query *f, char *end)
{
    orgpath_end(f->root->path, end, CX_PATH_MAX);
    db_q_init(q, head);
    db_q_where(q, "g.round_id = ? AND o.path >= ? AND o.path < ?", "iss", f->round_id, f->root->path, end);
    if (f->kind) db_q_where(q, "g.target_kind = ?", "s", f->kind == 2 ? "org" : "member");
    if (f->pending_only) db_q_where(q, "g.approval = 'pending'", "");
    if (f->undecided_only) db_q_where(q, "g.target_kind = 'member' AND g.computed <> 'none' AND g.decision = ''", "");
    if (f->below_only) db_q_where(q, "g.org_id <> ?", "i", f->root->id);
}

int grade_list(db *d, const grade_query *f, grade_fn fn, void *ctx)
{
    char end[CX_PATH_MAX];
    db_q q;
    grade_q(&q, GRADE_SQL, f, end);
    db_stmt *s = page_stmt(d, &q, " ORDER BY o.path, g.target_kind DESC, tname, g.target_id", f->offset, f->limit);
    if (!s) return CX_ERR;
    return DB_EACH(s, grade_row, read_grade, fn, ctx);
}

int grade_count(db *d, const grade_query *q, int64_t *n)
{
    char end[CX_PATH_MAX];
    db_q dq;
    grade_q(&dq, "SELECT count(*) FROM grade g JOIN org o ON o.id = g.org_id", q, end);
    return db_q_count(d, &dq, n);
}

/* ---- grades: the branch meeting and the higher committee ---- */

/* Inside the round's transaction: the member's stored grade (409 when not computed). */
static int load_member_grade(db *d, const review_round *rd, const member *m, grade_row *g, cx_err *e)
{
    int f = grade_get(d, rd->id, false, m->id, g);
    if (f == CX_ERR) return db_fail(d, e);
    if (f == 0) return cx_fail(e, 409, "not_computed", "id", "“%s”本轮还没有计算等次，请先计算本支部的等次", m->r.name), refuse(d);
    return CX_OK;
}

/* Whether the member's reviews meet the standard (for 五带头 after a changed final grade). */
static int member_criteria(db *d, const review_round *rd, int64_t org_id, int64_t member_id, bool *ok)
{
    org o;
    *ok = false;
    int f = org_get(d, org_id, &o);
    if (f != 1) return f == 0 ? CX_OK : CX_ERR;
    grade_calc *rows = NULL;
    size_t n = 0;
    if (grade_compute(d, rd, &o, false, &rows, &n) != CX_OK) return CX_ERR;
    grade_calc *g = bsearch(&member_id, rows, n, sizeof *rows, calc_cmp);
    if (g) *ok = g->criteria_ok;
    grade_calc_free(rows, n);
    return CX_OK;
}

static cJSON *grade_snapshot(const grade_row *g)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "computed", grade_code(g->computed));
    cJSON_AddStringToObject(j, "final", grade_code(g->final));
    cJSON_AddBoolToObject(j, "meets", g->meets);
    cJSON_AddStringToObject(j, "approval", g->approval);
    return j;
}

/* Writes the new final grade, meets, approval, note and decision of g with its roll-up delta. */
static int change_final(db *d, const review_round *rd, const grade_row *old, const grade_row *g)
{
    rollup delta = {{0}};
    rollup_of_grade(&delta, false, old->final, old->meets, -1);
    rollup_of_grade(&delta, false, g->final, g->meets, 1);
    db_stmt *s = db_prepare(d, "UPDATE grade SET final = ?, meets = ?, approval = ?, approved_by = ?, note = ?, decision = ?, updated_at = ? WHERE id = ?");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, grade_code(g->final));
    db_bind_i64(s, 2, g->meets);
    db_bind_text(s, 3, g->approval);
    if (g->approved_by) db_bind_i64(s, 4, g->approved_by);
    else db_bind_null(s, 4);
    db_bind_text(s, 5, g->note);
    db_bind_text(s, 6, g->decision);
    db_bind_i64(s, 7, now_unix());
    db_bind_i64(s, 8, g->id);
    int rc = db_step(s);
    db_done(s);
    if (rc == CX_ERR) return CX_ERR;
    return rollup_add(d, rd->id, old->org_path, &delta);
}

#define ROLL_WHERE "m.org_id = ? AND m.active = 1 AND m.status = 'full' AND (m.full_date = '' OR m.full_date <= ?)"

int meeting_roll_get(db *d, int64_t round_id, int64_t org_id, const char *date, meeting_roll *out, left_out_fn fn, void *ctx)
{
    *out = (meeting_roll){0};
    if (db_i64(d, &out->full, 0, "SELECT count(*) FROM member m WHERE " ROLL_WHERE, "is", org_id, date) != CX_OK) return CX_ERR;
    db_stmt *s = db_prepare(d, "SELECT m.id, m.name, x.reason, x.note FROM review_exclusion x JOIN member m ON m.id = x.member_id "
                               "WHERE x.round_id = ? AND " ROLL_WHERE " ORDER BY m.id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, round_id);
    db_bind_i64(s, 2, org_id);
    db_bind_text(s, 3, date);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        out->left_out++;
        int ex = exclusion_from_code(db_col_text(s, 2));
        if (fn) fn(ctx, db_col_i64(s, 0), db_col_text(s, 1), ex < 0 ? EX_OTHER : ex, db_col_text(s, 3));
    }
    db_done(s);
    out->entitled = out->full - out->left_out;
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* The meeting date of a decision (checked by decision_check) against the round: a typed date not before
 * the round's period. */
static int meeting_in_round(const review_round *rd, const meeting_ok *in, cx_err *e)
{
    if (in->dated && date_cmp(in->date, rd->period_start) < 0)
        return cx_fail(e, 400, "invalid_meeting", "meeting_date", "支部党员大会日期 %s 早于评议轮次“%s”的开始日期 %s", in->date, rd->name,
                       rd->period_start);
    return CX_OK;
}

typedef struct left_out_json {
    cJSON *arr;
} left_out_json;

static int add_left_out(void *ctx, int64_t member_id, const char *name, int reason, const char *note)
{
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "member_id", member_id);
    cJSON_AddStringToObject(x, "name", name);
    cJSON_AddStringToObject(x, "reason", exclusion_code(reason));
    if (*note) cJSON_AddStringToObject(x, "note", note);
    cJSON_AddItemToArray(((left_out_json *)ctx)->arr, x);
    return 0;
}

/* Inside the round's transaction: the 优秀 cap of the member's branch against the other final 优秀. */
static int check_cap(db *d, const review_round *rd, const member *m, int64_t org_id, cx_err *e)
{
    review_rules r;
    int64_t graded = 0, others = 0;
    if (rules_get(d, rd->campaign_id, &r, NULL, NULL) == CX_ERR ||
        db_i64(d, &graded, 0, "SELECT count(*) FROM grade WHERE round_id = ? AND target_kind = 'member' AND org_id = ? AND computed <> 'none'",
               "ii", rd->id, org_id) != CX_OK ||
        db_i64(d, &others, 0, "SELECT count(*) FROM grade WHERE round_id = ? AND target_kind = 'member' AND org_id = ? AND final = 'excellent' "
                              "AND target_id <> ?", "iii", rd->id, org_id, m->id) != CX_OK)
        return db_fail(d, e);
    int64_t cap = excellent_cap(&r, graded);
    if (others + 1 > cap)
        return cx_fail(e, 409, "cap_exceeded", "grade", "优秀名额已满：本支部参加等次评定 %" PRId64 " 人，优秀不超过 %" PRId64 " 人，已有 %" PRId64 " 人",
                       graded, cap, others),
               refuse(d);
    return CX_OK;
}

/* The decision record of a branch meeting (JSON text, malloc'd); left_out (taken) names those not
 * entitled, or NULL to give their number only. */
static char *decision_text(int grade, const char *date, const meeting_roll *roll, int64_t present, int64_t in_favour, const char *reason,
                           cJSON *left_out)
{
    cJSON *dj = cJSON_CreateObject();
    cJSON_AddStringToObject(dj, "grade", grade_code(grade));
    cJSON_AddStringToObject(dj, "meeting_date", date);
    json_add_i64(dj, "entitled", roll->entitled);
    json_add_i64(dj, "present", present);
    json_add_i64(dj, "in_favour", in_favour);
    cJSON_AddStringToObject(dj, "reason", reason);
    json_add_i64(dj, "full_members", roll->full);
    if (left_out) cJSON_AddItemToObject(dj, "left_out", left_out);
    else json_add_i64(dj, "left_out_count", roll->left_out);
    return json_take(dj);
}

int grade_decide(db *d, const actor *a, int64_t round_id, const member *m, const meeting_ok *in, cx_err *e)
{
    const char *reason = in->reason, *date = in->date;
    review_round rd;
    meeting_roll roll;
    grade_row *old = xmalloc(sizeof *old), *g = xmalloc(sizeof *g);
    left_out_json lo = {cJSON_CreateArray()};
    int rc = begin_open_round(d, round_id, &rd, e);
    if (rc != CX_OK) goto out;
    if (meeting_in_round(&rd, in, e) != CX_OK) {
        rc = refuse(d);
        goto out;
    }
    /* one branch's decisions one at a time: the cap is read, then written */
    if (db_lock(d, "grade", m->org_id) != CX_OK || meeting_roll_get(d, round_id, m->org_id, date, &roll, add_left_out, &lo) != CX_OK) {
        rc = db_fail(d, e);
        goto out;
    }
    if (in->entitled && in->entitled != roll.entitled) {
        cx_fail(e, 409, "entitled_mismatch", "entitled",
                "按名册，%s本支部应到会有表决权党员为 %" PRId64 " 人（正式党员 %" PRId64 " 人，不参加本轮评定的 %" PRId64 " 人不计），填写的是 %" PRId64 " 人",
                date, roll.entitled, roll.full, roll.left_out, in->entitled);
        rc = refuse(d);
        goto out;
    }
    if (meeting_check(roll.entitled, in->present, in->in_favour, e) != CX_OK) {
        if (!strcmp(e->code, "invalid_meeting") && !strcmp(e->field, "entitled"))
            cx_fail(e, 409, "no_voters", "entitled", "按名册，%s本支部没有应到会有表决权的正式党员，不能召开支部党员大会作出决定", date);
        rc = refuse(d);
        goto out;
    }
    if ((rc = load_member_grade(d, &rd, m, old, e)) != CX_OK) goto out;
    if (old->computed == GR_NONE) {
        cx_fail(e, 409, "not_graded", "id", "“%s”本轮不评定等次（预备党员、不参加评定或尚无评议数据）", m->r.name);
        rc = refuse(d);
        goto out;
    }
    if (in->grade == GR_1 && (rc = check_cap(d, &rd, m, old->org_id, e)) != CX_OK) goto out;
    bool crit = false;
    if (member_criteria(d, &rd, old->org_id, m->id, &crit) != CX_OK) {
        rc = db_fail(d, e);
        goto out;
    }
    *g = *old;
    g->final = in->grade;
    g->meets = crit && (g->final == GR_1 || g->final == GR_2);
    snprintf(g->approval, sizeof g->approval, "%s", g->final == GR_1 || g->final == GR_4 ? "pending" : "none");
    g->approved_by = 0;
    snprintf(g->note, sizeof g->note, "%s支部党员大会决定为%s（应到 %" PRId64 " 人，实到 %" PRId64 " 人，赞成 %" PRId64 " 人）", date,
             grade_label(g->final, false), roll.entitled, in->present, in->in_favour);
    note_correction(g->note, sizeof g->note, g->final, false);
    g->redo[0] = 0;
    char *dtext = decision_text(in->grade, date, &roll, in->present, in->in_favour, reason, lo.arr);
    lo.arr = NULL;
    if (strlen(dtext) >= sizeof g->decision) { /* a long list of those left out: keep their number only */
        free(dtext);
        dtext = decision_text(in->grade, date, &roll, in->present, in->in_favour, reason, NULL);
    }
    snprintf(g->decision, sizeof g->decision, "%s", dtext);
    free(dtext);
    rc = change_final(d, &rd, old, g);
    if (rc == CX_OK && !strcmp(g->approval, "pending")) { /* to the office above, which approves it (perm_may_approve_grade) */
        char text[400];
        snprintf(text, sizeof text, "待审批的等次：%s（%s）被支部党员大会决定为%s", m->r.name, m->org_name, grade_label(g->final, false));
        rc = notify_roles(d, a, m->org_path, ROLE_OFFICE, NOTIFY_ABOVE, "grade_approval", text, "/desk");
    }
    cJSON *after = grade_snapshot(g);
    cJSON_AddItemToObject(after, "decision", cJSON_Parse(g->decision));
    rc = store_finish(d, a, "grade.decide", "member", m->id, m->org_id, json_take(grade_snapshot(old)), json_take(after), rc, e);
out:
    cJSON_Delete(lo.arr);
    free(old);
    free(g);
    return rc;
}

/* 不合格 approved by the higher committee leads to correction within a deadline (限期改正): a
 * rectification item of the member's branch, made once per grade row, due in CORRECTION_DAYS. */
#define CORRECTION_DAYS 90
static int correction_item(db *d, const actor *a, const review_round *rd, const member *m, const grade_row *g, cx_err *e)
{
    int64_t existing = 0;
    int f = rect_of_source(d, "grade", g->id, &existing);
    if (f == CX_ERR) return db_fail(d, e);
    if (f == 1) return CX_OK;
    char today[11], due[11], problem[768];
    date_today(today);
    day_string(day_number(today) + CORRECTION_DAYS, due);
    snprintf(problem, sizeof problem, "%s民主评议被评为不合格党员，经上级党组织批准，限期改正。", rd->name);
    rect_new in = {.source = "grade", .source_kind = "grade", .source_id = g->id, .member_id = m->id,
                   .in = {problem, "党支部指定专人帮助教育，本人制定改正措施，按期向支部报告改正情况。", m->r.name, due}};
    rect_new_ok *ok = xmalloc(sizeof *ok);
    int rc = rect_new_check(&in, today, ok, e) == CX_OK ? rect_create_tx(d, a, m->org_id, ok, NULL, e) : CX_ERR;
    free(ok);
    return rc;
}

int grade_approve(db *d, const actor *a, int64_t round_id, const member *m, const approval_ok *in, cx_err *e)
{
    bool approve = in->approve;
    const char *why = in->reason;
    review_round rd;
    grade_row *old = xmalloc(sizeof *old), *g = xmalloc(sizeof *g);
    int64_t own = 0;
    int rc = begin_open_round(d, round_id, &rd, e);
    if (rc != CX_OK) goto out;
    if (db_lock(d, "grade", m->org_id) != CX_OK ||
        db_i64(d, &own, 0, "SELECT coalesce(member_id, 0) FROM app_user WHERE id = ?", "i", a->user_id) != CX_OK) {
        rc = db_fail(d, e);
        goto out;
    }
    if (own && own == m->id) { /* nobody approves a record about themselves */
        cx_fail(e, 403, "own_record", "id", "不能审批本人的等次，须由上级党组织的其他同志审批");
        rc = refuse(d);
        goto out;
    }
    if ((rc = load_member_grade(d, &rd, m, old, e)) != CX_OK) goto out;
    if (!old->decision[0] && (old->computed == GR_1 || old->computed == GR_4)) {
        cx_fail(e, 409, "no_decision", "id", "“%s”的%s等次还没有经支部党员大会决定，须先由支部党员大会作出决定，再报上级审批", m->r.name,
                grade_label(old->computed, false));
        rc = refuse(d);
        goto out;
    }
    if (strcmp(old->approval, "pending")) {
        cx_fail(e, 409, "not_pending", "id", "“%s”的等次（%s）没有待审批的事项", m->r.name, grade_label(old->final, false));
        rc = refuse(d);
        goto out;
    }
    *g = *old;
    g->approved_by = a->user_id;
    if (approve) {
        snprintf(g->approval, sizeof g->approval, "approved");
    } else {
        bool crit = false;
        if (member_criteria(d, &rd, old->org_id, m->id, &crit) != CX_OK) {
            rc = db_fail(d, e);
            goto out;
        }
        snprintf(g->approval, sizeof g->approval, "rejected");
        g->final = old->computed == GR_2 || old->computed == GR_3 ? old->computed : GR_2;
        g->meets = crit && (g->final == GR_1 || g->final == GR_2);
        note_add(g->note, sizeof g->note, "上级党组织未批准评为%s（%s），改为%s", grade_label(old->final, false), why,
                 grade_label(g->final, false));
    }
    rc = change_final(d, &rd, old, g);
    if (rc == CX_OK && approve && g->final == GR_4) rc = correction_item(d, a, &rd, m, g, e);
    cJSON *after = grade_snapshot(g);
    if (!approve) cJSON_AddStringToObject(after, "reason", why);
    rc = store_finish(d, a, approve ? "grade.approve" : "grade.reject", "member", m->id, m->org_id, json_take(grade_snapshot(old)),
                      json_take(after), rc, e);
out:
    free(old);
    free(g);
    return rc;
}
