/* grade.c: exclusions and grades (等次), pages and API: the results table of a subtree and its XLSX
 * export, computing grades, the branch meeting's decision, the higher committee's approval and
 * the list waiting for it. */
#include "review_int.h"
#include "../domain/date.h"
#include "../lib/xlsxout.h"
#include "../store/round.h"
#include "../store/grading.h"
#include "../store/grade.h"
#include "../store/rollup.h"
#include "../store/sector_standard.h"
#include "pager.h"
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* POST /api/v1/members/:id/exclusion {round_id?, reason, note}: the secretary leaves a member out
 * of the round's grading (reason "" or "none" takes it back). */
void h_member_exclusion(req *r)
{
    int64_t id;
    member m;
    if (!req_id(r, 0, &id) || !req_member(r, id, ROLE_ADMIN, &m)) return;
    review_round rd;
    if (!req_round(r, m.org_path, &rd)) return;
    cx_err e = {0};
    exclusion_ok in;
    if (exclusion_check(req_in(r, "reason"), req_in(r, "note"), &in, &e) != CX_OK || exclusion_set(r->db, &r->who, rd.id, &m, &in, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (done_redirect(r, "/orgs/%" PRId64 "/grades?round_id=%" PRId64, m.org_id, rd.id)) return;
    cJSON *d = req_data(r);
    void *ctx[2] = {d, (void *)&m.id};
    exclusion_list(r->db, rd.id, m.org_id, find_exclusion, ctx);
    if (!cJSON_GetObjectItem(d, "exclusion")) cJSON_AddNullToObject(d, "exclusion");
}

typedef struct grades_ctx {
    req *r;
    cJSON *arr;
    bool open;
    const review_round *rd; /* when set: each row names the standard set it was graded on (issue 22) */
    round_sets rs;
    bool rs_loaded;
    int64_t set_ids[16];
    char set_names[16][RV_BYTES(30)];
    int nsets;
} grades_ctx;

/* The name of the set a grade row was graded on, "" when unknown (the sets of a listing are few). */
static const char *row_standard(grades_ctx *c, const grade_row *g)
{
    org o;
    if (!c->rd || org_get(c->r->db, g->org_id, &o) != 1) return "";
    if (!c->rs_loaded && round_sets_load(c->r->db, c->rd, &c->rs) != CX_OK) return "";
    c->rs_loaded = true;
    int64_t set = round_sets_pick(&c->rs, g->org, o.sector, o.type);
    for (int i = 0; i < c->nsets; i++)
        if (c->set_ids[i] == set) return c->set_names[i];
    standard_set *s = xmalloc(sizeof *s);
    int i = c->nsets < 16 ? c->nsets++ : 15;
    c->set_ids[i] = set;
    c->set_names[i][0] = 0;
    if (set && standard_get(c->r->db, set, s) == 1) snprintf(c->set_names[i], sizeof c->set_names[i], "%s", s->name);
    free(s);
    return c->set_names[i];
}

static int add_grade_row(void *vctx, const grade_row *g)
{
    grades_ctx *c = vctx;
    cJSON *j = json_grade(g);
    const char *std = row_standard(c, g);
    if (*std) {
        cJSON_AddStringToObject(j, "standard", std);
        if (g->meets) cJSON_ReplaceItemInObject(j, "meets_label", cJSON_CreateString(req_keep(c->r, xasprintf("达到%s", std))));
    }
    const req *r = c->r;
    bool is_member = !g->org;
    cJSON_AddBoolToObject(j, "can_decide", c->open && is_member && g->computed != GR_NONE && perm_allows(&r->user, ROLE_ADMIN, g->org_path));
    cJSON_AddBoolToObject(j, "can_approve", c->open && is_member && !strcmp(g->approval, "pending") && perm_may_approve_grade(&r->user, g->org_path));
    cJSON_AddItemToArray(c->arr, j);
    return 0;
}

static int add_exclusion(void *ctx, int64_t member_id, const char *name, int reason, const char *note)
{
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "member_id", member_id);
    cJSON_AddStringToObject(x, "name", name);
    cJSON_AddStringToObject(x, "reason", exclusion_code(reason));
    cJSON_AddStringToObject(x, "reason_label", exclusion_label(reason));
    cJSON_AddStringToObject(x, "note", note);
    cJSON_AddItemToArray(ctx, x);
    return 0;
}

/* Reads kind=member|org into q->kind. */
static bool kind_query(req *r, int *kind)
{
    const char *k = req_in(r, "kind");
    *kind = !k || !*k ? 0 : !strcmp(k, "member") ? 1 : !strcmp(k, "org") ? 2 : -1;
    if (*kind >= 0) return true;
    req_failf(r, 400, "invalid_kind", "kind", "kind 应为 member（党员）或 org（党组织）");
    return false;
}

typedef struct xgrade {
    lxw_worksheet *ws;
    lxw_row_t row;
} xgrade;

static int export_grade_row(void *ctx, const grade_row *g)
{
    xgrade *x = ctx;
    lxw_col_t c = 0;
    worksheet_write_string(x->ws, x->row, c++, g->org ? "党组织" : "党员", NULL);
    worksheet_write_string(x->ws, x->row, c++, g->target_name, NULL);
    worksheet_write_string(x->ws, x->row, c++, g->org_name, NULL);
    for (int k = 0; k < C_N; k++, c++)
        if (g->s[k] >= 0) worksheet_write_number(x->ws, x->row, c, (double)g->s[k] / 100.0, NULL);
    if (g->score >= 0) worksheet_write_number(x->ws, x->row, c, (double)g->score / 100.0, NULL);
    c++;
    worksheet_write_string(x->ws, x->row, c++, grade_label(g->computed, g->org), NULL);
    worksheet_write_string(x->ws, x->row, c++, grade_label(g->final, g->org), NULL);
    worksheet_write_string(x->ws, x->row, c++, g->meets ? "是" : "否", NULL);
    worksheet_write_string(x->ws, x->row, c++, approval_label(g->approval), NULL);
    worksheet_write_string(x->ws, x->row, c++, g->note, NULL);
    x->row++;
    return 0;
}

static void export_grades(req *r, const grade_query *q0, const org *o, const review_round *rd)
{
    grade_query q = *q0;
    q.offset = q.limit = 0;
    static const char *const heads[] = {"类别", "党员/组织", "所在党组织", "自评", "互评", "领导点评", "群众评议", "承诺兑现",
                                        "综合得分", "计算等次", "最终等次", "五带头/五个好", "审批", "说明"};
    xlsx_export xe;
    xgrade x = {.ws = export_open(r, &xe, "评议结果", heads, sizeof heads / sizeof heads[0]), .row = 1};
    if (!x.ws) return;
    worksheet_set_column(x.ws, 13, 13, 40, NULL);
    int rc = grade_list(r->db, &q, export_grade_row, &x);
    char name[700], after[96];
    snprintf(name, sizeof name, "%s-%s-评议结果.xlsx", o->name, rd->name);
    snprintf(after, sizeof after, "{\"format\":\"xlsx\",\"round_id\":%" PRId64 ",\"rows\":%u}", rd->id, (unsigned)(x.row - 1));
    export_close(r, &xe, rc, name, "grade", rd->id, o->id, after);
}

/* GET /orgs/:id/grades?round_id=&kind=&format=xlsx: the results of the subtree (members and
 * organisations): components, score, grade, 五带头 / 五个好, note, decision, approval. */
void h_org_grades(req *r)
{
    org o;
    review_round rd;
    if (!org_round_page(r, ROLE_STAFF, "评议结果与等次", &o, &rd)) return;
    cJSON *d = req_data(r);
    grade_query q = {.round_id = rd.id, .root = &o};
    if (!kind_query(r, &q.kind)) return;
    const char *fmt = req_query(r, "format");
    if (fmt && !strcmp(fmt, "xlsx")) {
        export_grades(r, &q, &o, &rd);
        return;
    }
    if (fmt && *fmt) {
        req_failf(r, 400, "invalid_format", "format", "导出格式只支持 xlsx");
        return;
    }
    pager pg;
    int64_t total = -1;
    if (!pager_read(r, 500, 2000, &pg)) return;
    grades_ctx c = {r, cJSON_AddArrayToObject(d, "grades"), rd.open, .rd = &rd};
    if (grade_count(r->db, &q, &total) == CX_OK) pager_set_total(&pg, total);
    q.offset = pager_offset(&pg);
    q.limit = pg.per_page;
    int lrc = total < 0 ? CX_ERR : grade_list(r->db, &q, add_grade_row, &c);
    round_sets_free(&c.rs);
    if (lrc != CX_OK) {
        db_failed(r);
        return;
    }
    pager_json(r, d, &pg);
    bool adm = rd.open && perm_allows(&r->user, ROLE_ADMIN, o.path);
    bool has_members = false;
    int64_t nm = 0;
    member_query mq = {.root = &o};
    if (member_count(r->db, &mq, &nm) == CX_OK) has_members = nm > 0;
    cJSON_AddBoolToObject(d, "can_compute_members", adm && has_members);
    cJSON_AddBoolToObject(d, "can_compute_orgs", rd.open && perm_allows(&r->user, ROLE_OFFICE, o.path) && strcmp(o.type, "branch"));
    if (has_members) {
        exclusion_list(r->db, rd.id, o.id, add_exclusion, cJSON_AddArrayToObject(d, "exclusions"));
        /* who is entitled to vote at a branch meeting held today (应到), from the roster */
        meeting_roll roll;
        char today[11];
        date_today(today);
        cJSON *mt = cJSON_AddObjectToObject(d, "meeting");
        cJSON_AddStringToObject(mt, "date", today);
        if (meeting_roll_get(r->db, rd.id, o.id, today, &roll, add_exclusion, cJSON_AddArrayToObject(mt, "left_out")) != CX_OK) {
            db_failed(r);
            return;
        }
        json_add_i64(mt, "full_members", roll.full);
        json_add_i64(mt, "left_out_count", roll.left_out);
        json_add_i64(mt, "entitled", roll.entitled);
    }
    rollup ru;
    if (rollup_get(r->db, rd.id, o.id, &ru) == CX_OK) add_rollup(d, &ru);
    cJSON *gs = cJSON_AddArrayToObject(d, "grade_options");
    for (int g = GR_1; g <= GR_4; g++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "value", grade_code(g));
        cJSON_AddStringToObject(x, "label", grade_label(g, false));
        cJSON_AddItemToArray(gs, x);
    }
}

/* POST /api/v1/orgs/:id/grades {round_id?, kind: member|org}: computes and stores the grades of
 * the branch's members (secretary or office over it) or of the organisations below (office). */
void h_org_grades_compute(req *r)
{
    int64_t id;
    org o;
    int kind;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ADMIN, &o) || !kind_query(r, &kind)) return;
    bool orgs = kind == 2;
    cx_err e = {0};
    if (orgs && !perm_allows(&r->user, ROLE_OFFICE, o.path)) {
        cx_fail(&e, 403, "forbidden", "kind", "党组织的等次由上级活动办公室评定");
        {
        req_fail(r, &e);
        return;
    }
    }
    review_round rd;
    if (!req_round(r, o.path, &rd)) return;
    size_t n = 0;
    if (grades_store(r->db, &r->who, rd.id, &o, orgs, &n, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (done_redirect(r, "/orgs/%" PRId64 "/grades?round_id=%" PRId64, o.id, rd.id)) return;
    cJSON *d = req_data(r);
    json_add_i64(d, "computed", (int64_t)n);
    grade_query q = {.round_id = rd.id, .root = &o, .kind = orgs ? 2 : 1};
    grades_ctx c = {r, cJSON_AddArrayToObject(d, "grades"), true, .rd = &rd};
    grade_list(r->db, &q, add_grade_row, &c);
    round_sets_free(&c.rs);
}

/* Reads an integer meeting figure; entitled may be left out (0: computed from the roster). */
static bool meeting_num(req *r, const char *name, int64_t *v)
{
    const char *s = req_in(r, name);
    if (s && str_to_i64(s, v) == CX_OK) return true;
    if (!strcmp(name, "entitled") && (!s || !*s)) return *v = 0, true;
    req_failf(r, 400, "invalid_meeting", name, "%s应为整数", !strcmp(name, "entitled") ? "应到会有表决权党员人数" : !strcmp(name, "present") ? "实到人数" : "赞成人数");
    return false;
}

/* A refused grade change of a member: a page shows the grades of the member's branch again. */
static void member_grade_failed(req *r, const member *m, const cx_err *e)
{
    char ids[32];
    snprintf(ids, sizeof ids, "%" PRId64, m->org_id);
    r->params[0] = req_keep(r, xstrdup(ids));
    req_fail(r, e);
}

/* POST /api/v1/members/:id/grade {round_id?, grade, meeting_date?, entitled?, present, in_favour,
 * reason}: the branch meeting (民主评议) sets the member's final grade. 应到 comes from the roster on
 * the meeting date (today when left out); a typed entitled must agree with it. */
void h_member_grade_decide(req *r)
{
    int64_t id;
    member m;
    if (!req_id(r, 0, &id) || !req_member(r, id, ROLE_ADMIN, &m)) return;
    review_round rd;
    meeting_in in = {.reason = req_in(r, "reason"), .date = req_in(r, "meeting_date")};
    const char *gc = req_in(r, "grade");
    in.grade = gc ? grade_from_code(gc) : -1;
    if (!req_round(r, m.org_path, &rd) || !meeting_num(r, "entitled", &in.entitled) || !meeting_num(r, "present", &in.present) ||
        !meeting_num(r, "in_favour", &in.in_favour))
        return;
    cx_err e = {0};
    meeting_ok ok;
    if (decision_check(&in, NULL, &ok, &e) != CX_OK || grade_decide(r->db, &r->who, rd.id, &m, &ok, &e) != CX_OK) {
        member_grade_failed(r, &m, &e);
        return;
    }
    if (done_redirect(r, "/orgs/%" PRId64 "/grades?round_id=%" PRId64, m.org_id, rd.id)) return;
    add_grade(req_data(r), r, rd.id, false, m.id);
}

/* POST /api/v1/members/:id/grade/approve {round_id?, approve: true|false, reason}: the higher
 * committee (an office strictly above the branch) approves or rejects a pending 优秀 / 不合格. */
void h_member_grade_approve(req *r)
{
    int64_t id;
    member m;
    if (!req_id(r, 0, &id) || !req_member(r, id, ROLE_OFFICE, &m)) return;
    cx_err e = {0};
    if (!perm_may_approve_grade(&r->user, m.org_path)) {
        cx_fail(&e, 403, "not_higher", "", "优秀、不合格等次须由上级党组织审批，本级不能审批");
        {
        member_grade_failed(r, &m, &e);
        return;
    }
    }
    review_round rd;
    if (!req_round(r, m.org_path, &rd)) return;
    const char *a = req_in(r, "approve");
    if (!a || (strcmp(a, "1") && strcmp(a, "0") && strcmp(a, "true") && strcmp(a, "false"))) {
        req_failf(r, 400, "invalid_approve", "approve", "approve 应为 true（批准）或 false（不批准）");
        return;
    }
    bool yes = !strcmp(a, "1") || !strcmp(a, "true");
    approval_ok ok;
    if (approval_check(yes, req_in(r, "reason"), &ok, &e) != CX_OK || grade_approve(r->db, &r->who, rd.id, &m, &ok, &e) != CX_OK) {
        member_grade_failed(r, &m, &e);
        return;
    }
    const char *back = req_in(r, "back");
    int64_t bid = 0;
    bool to_list = back && str_to_i64(back, &bid) == CX_OK && bid > 0;
    if (done_redirect(r, "/orgs/%" PRId64 "/%s?round_id=%" PRId64, to_list ? bid : m.org_id, to_list ? "approvals" : "grades", rd.id)) return;
    add_grade(req_data(r), r, rd.id, false, m.id);
}

/* GET /orgs/:id/approvals: the 优秀 / 不合格 grades of the subtree waiting for this office's
 * approval (those of branches strictly below its grant). */
static int add_pending(void *vctx, const grade_row *g)
{
    grades_ctx *c = vctx;
    if (perm_may_approve_grade(&c->r->user, g->org_path)) add_grade_row(c, g);
    return 0;
}

void h_org_approvals(req *r)
{
    org o;
    review_round rd;
    if (!org_round_page(r, ROLE_OFFICE, "待审批的优秀、不合格等次", &o, &rd)) return;
    cJSON *d = req_data(r);
    grade_query q = {.round_id = rd.id, .root = &o, .kind = 1, .pending_only = true, .limit = 2000};
    grades_ctx c = {r, cJSON_AddArrayToObject(d, "grades"), rd.open, .rd = NULL};
    if (grade_list(r->db, &q, add_pending, &c) != CX_OK) db_failed(r);
}
