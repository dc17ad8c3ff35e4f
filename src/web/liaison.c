/* liaison.c: liaison points (联络点) pages and API: an office's page of its subtree (the rule, the
 * leaders with no point, too few, too many or too few visits this year, the assignment form, the
 * XLSX export), one leader's points and visits, one point with its visits and the visit form,
 * ending a point, a visit's files, and a problem found at a visit turned into rectification. */
#include "web.h"
#include "../domain/date.h"
#include "../domain/org.h"
#include "../lib/xlsxout.h"
#include "../store/liaison.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static int this_year(void)
{
    char today[11];
    date_today(today);
    return atoi(today);
}

/* ?year= (blank: this year); false (the request failed) when it is not a year. */
static bool year_in(req *r, int *year)
{
    const char *s = req_query(r, "year");
    *year = this_year();
    if (!s || !*s) return true;
    int64_t v;
    if (str_to_i64(s, &v) != CX_OK || v < 2000 || v > 2100) {
        req_failf(r, 400, "invalid_year", "year", "年份应为 2000 到 2100 之间的整数：%s", s);
        return false;
    }
    *year = (int)v;
    return true;
}

static cJSON *json_rule(const liaison_rule *x, const char *from, bool own)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "min_points", x->min_points);
    json_add_i64(j, "max_points", x->max_points);
    json_add_i64(j, "leader_visits", x->leader_visits);
    json_add_i64(j, "dept_visits", x->dept_visits);
    char t[200];
    liaison_rule_text(x, t, sizeof t);
    cJSON_AddStringToObject(j, "text", t);
    cJSON_AddStringToObject(j, "from", from && *from ? from : "默认规则");
    cJSON_AddBoolToObject(j, "own", own);
    return j;
}

static cJSON *json_leader(const liaison_leader *l)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "user_id", l->user_id);
    cJSON_AddStringToObject(j, "username", l->username);
    cJSON_AddStringToObject(j, "display_name", l->display_name);
    json_add_i64(j, "org_id", l->grant_org_id);
    cJSON_AddStringToObject(j, "org_name", l->org_name);
    json_add_i64(j, "points", l->npoints);
    json_add_i64(j, "min_points", l->rule.min_points);
    json_add_i64(j, "max_points", l->rule.max_points);
    cJSON_AddStringToObject(j, "standing", liaison_standing_name(l->standing));
    cJSON_AddStringToObject(j, "standing_label", liaison_standing_label(l->standing));
    cJSON_AddBoolToObject(j, "standing_ok", l->standing == LS_OK);
    cJSON_AddBoolToObject(j, "dept", l->dept);
    json_add_i64(j, "visits", l->nvisits);
    json_add_i64(j, "visits_required", l->visits_required);
    cJSON_AddBoolToObject(j, "visits_short", l->nvisits < l->visits_required);
    cJSON_AddStringToObject(j, "rule_from", l->rule_from[0] ? l->rule_from : "默认规则");
    return j;
}

/* ---- the office's page ---- */

/* Which leaders a list shows: all, or one standing (none, few, many), or visits short. */
typedef struct leader_list {
    int standing; /* -1 all */
    bool visits;
    cJSON *arr, *choices; /* the list; every leader as a choice of the assignment form (or NULL) */
    liaison_counts counts; /* of every leader, whatever the list shows */
    lxw_worksheet *ws;
    lxw_row_t row;
} leader_list;

static void add_choice(cJSON *arr, const liaison_leader *x)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "user_id", x->user_id);
    char *l = xasprintf("%s（%s，%" PRId64 " 个联络点）", x->display_name, x->org_name, x->npoints);
    cJSON_AddStringToObject(j, "label", l);
    free(l);
    cJSON_AddItemToArray(arr, j);
}

static bool list_in(req *r, leader_list *l)
{
    const char *s = req_query(r, "list");
    l->standing = -1;
    l->visits = s && !strcmp(s, "visits");
    if (!s || !*s || l->visits) return true;
    l->standing = liaison_standing_from_name(s);
    if (l->standing < 0 || l->standing == LS_OK) {
        req_failf(r, 400, "invalid_list", "list", "列表应为 none（没有联络点）、few（联络点不足）、many（联络点过多）或 visits（走访次数不足）");
        return false;
    }
    return true;
}

static int add_leader(void *ctx, const liaison_leader *x)
{
    leader_list *l = ctx;
    liaison_counts_add(&l->counts, x);
    if (l->choices) add_choice(l->choices, x);
    if (l->standing >= 0 && (int)x->standing != l->standing) return 0;
    if (l->visits && x->nvisits >= x->visits_required) return 0;
    if (l->arr) cJSON_AddItemToArray(l->arr, json_leader(x));
    if (l->ws) {
        char pts[32], req_pts[32];
        snprintf(pts, sizeof pts, "%" PRId64, x->npoints);
        if (x->rule.min_points == x->rule.max_points) snprintf(req_pts, sizeof req_pts, "%" PRId64, x->rule.max_points);
        else snprintf(req_pts, sizeof req_pts, "%" PRId64 "–%" PRId64, x->rule.min_points, x->rule.max_points);
        const char *v[] = {x->display_name, x->username, x->org_name, NULL, req_pts, liaison_standing_label(x->standing), NULL, NULL};
        for (lxw_col_t c = 0; c < sizeof v / sizeof v[0]; c++)
            if (v[c]) worksheet_write_string(l->ws, l->row, c, v[c], NULL);
        worksheet_write_number(l->ws, l->row, 3, (double)x->npoints, NULL);
        worksheet_write_number(l->ws, l->row, 6, (double)x->nvisits, NULL);
        worksheet_write_number(l->ws, l->row, 7, (double)x->visits_required, NULL);
        l->row++;
    }
    return 0;
}

/* An org_fn: the grassroots organisations (党支部, 党总支) of a subtree as {id, name, type_label}. */
static int add_grassroots(void *ctx, const org *o, int64_t nchildren, int64_t nmembers)
{
    (void)nchildren, (void)nmembers;
    if (!o->active || (strcmp(o->type, "branch") && strcmp(o->type, "general_branch"))) return 0;
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "id", o->id);
    cJSON_AddStringToObject(x, "name", o->name);
    cJSON_AddStringToObject(x, "type_label", org_type_label(o->type));
    cJSON_AddItemToArray(ctx, x);
    return 0;
}

static int add_point(void *ctx, const liaison_point *p);

/* GET /orgs/:id/liaison (?year= &list=none|few|many|visits &format=xlsx) */
void h_liaison(req *r)
{
    int64_t id;
    org o;
    int year;
    bool xlsx;
    leader_list l = {0};
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_OFFICE, &o) || !year_in(r, &year) || !list_in(r, &l) || !req_format_xlsx(r, &xlsx)) return;
    if (xlsx) {
        static const char *const heads[] = {"领导干部", "用户名", "所在组织", "联络点数", "规定联络点数", "状况", "本年走访次数", "规定走访次数"};
        xlsx_export xe;
        l.ws = export_open(r, &xe, "联络点", heads, sizeof heads / sizeof heads[0]);
        if (!l.ws) return;
        l.row = 1;
        int rc = liaison_leaders(r->db, &o, year, add_leader, &l);
        char name[400];
        snprintf(name, sizeof name, "%s-联络点-%d.xlsx", o.name, year);
        export_close(r, &xe, rc, name, "org", o.id, o.id, NULL);
        return;
    }
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "联络点");
    cJSON_AddItemToObject(d, "org", json_org(&o));
    json_add_i64(d, "year", year);
    cJSON_AddStringToObject(d, "list", l.visits ? "visits" : l.standing >= 0 ? liaison_standing_name((liaison_standing)l.standing) : "");
    liaison_rule rule;
    char from[256];
    int64_t from_id = 0;
    bool form = !req_is_api(r) && o.active;
    l.arr = cJSON_CreateArray();
    if (form) l.choices = cJSON_AddArrayToObject(d, "leader_choices"); /* the assignment form's choices */
    int rc = liaison_rule_for(r->db, o.path, &rule, from, &from_id);
    if (rc == CX_OK) rc = liaison_leaders(r->db, &o, year, add_leader, &l);
    if (rc != CX_OK) {
        cJSON_Delete(l.arr);
        req_failf(r, 500, "db_error", "", "读取联络点失败");
        return;
    }
    cJSON_AddItemToObject(d, "rule", json_rule(&rule, from, from_id == o.id));
    cJSON *k = cJSON_AddObjectToObject(d, "counts");
    json_add_i64(k, "leaders", l.counts.leaders);
    json_add_i64(k, "none", l.counts.none);
    json_add_i64(k, "few", l.counts.few);
    json_add_i64(k, "many", l.counts.many);
    json_add_i64(k, "visits_short", l.counts.visits_short);
    position_annotate(r->db, l.arr, "user_id"); /* 领导班子 positions beside each leader (issue 22) */
    if (l.choices) position_annotate(r->db, l.choices, "user_id");
    cJSON_AddItemToObject(d, "leaders", l.arr);
    rc = liaison_points(r->db, 0, &o, true, add_point, cJSON_AddArrayToObject(d, "points"));
    if (rc == CX_OK && form) {
        rc = org_subtree(r->db, &o, 0, 500, add_grassroots, cJSON_AddArrayToObject(d, "org_choices"));
        char today[11];
        date_today(today);
        cJSON_AddStringToObject(d, "today", today);
    }
    cJSON_AddBoolToObject(d, "can_assign", o.active != 0);
    if (rc != CX_OK) req_failf(r, 500, "db_error", "", "读取联络点失败");
}

/* POST /orgs/:id/liaison-rule {min_points, max_points, leader_visits, dept_visits} */
void h_liaison_rule(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_OFFICE, &o)) return;
    liaison_rule_in in = {req_in(r, "min_points"), req_in(r, "max_points"), req_in(r, "leader_visits"), req_in(r, "dept_visits")};
    liaison_rule x;
    cx_err e = {0};
    if (liaison_rule_check(&in, &x, &e) != CX_OK || liaison_rule_set(r->db, &r->who, &o, &x, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (!req_is_api(r)) {
        req_redirect(r, "/orgs/%" PRId64 "/liaison", o.id);
        return;
    }
    cJSON_AddItemToObject(req_data(r), "rule", json_rule(&x, o.name, true));
}

/* ---- points ---- */

static cJSON *json_point(const liaison_point *p)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", p->id);
    json_add_i64(j, "leader_id", p->leader_user_id);
    cJSON_AddStringToObject(j, "leader_name", p->leader_name);
    json_add_i64(j, "org_id", p->org_id);
    cJSON_AddStringToObject(j, "org_name", p->org_name);
    json_add_i64(j, "office_org_id", p->office_org_id);
    cJSON_AddStringToObject(j, "office_name", p->office_name);
    cJSON_AddStringToObject(j, "since", p->since);
    if (p->open) cJSON_AddNullToObject(j, "until");
    else cJSON_AddStringToObject(j, "until", p->until);
    cJSON_AddBoolToObject(j, "open", p->open);
    json_add_i64(j, "visits", p->nvisits);
    cJSON_AddStringToObject(j, "last_visit", p->last_visit);
    cJSON_AddStringToObject(j, "created_by_name", p->created_by_name);
    return j;
}

static int add_point(void *ctx, const liaison_point *p)
{
    cJSON_AddItemToArray(ctx, json_point(p));
    return 0;
}

/* POST /orgs/:id/liaison-points {leader_id, org_id, since} */
void h_liaison_assign(req *r)
{
    int64_t id, leader = 0, target = 0, pid = 0;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_OFFICE, &o)) return;
    if (!o.active) {
        req_failf(r, 404, "not_found", "id", "党组织不存在或已停用");
        return;
    }
    const char *ls = req_in(r, "leader_id"), *os = req_in(r, "org_id");
    if (!ls || !*ls) {
        req_failf(r, 400, "required", "leader_id", "请选择领导干部");
        return;
    }
    if (str_to_i64(ls, &leader) != CX_OK || leader <= 0) {
        req_failf(r, 400, "invalid_id", "leader_id", "领导干部应为账号编号（正整数）");
        return;
    }
    if (!os || !*os) {
        req_failf(r, 400, "required", "org_id", "请选择联络点所在的党组织");
        return;
    }
    if (str_to_i64(os, &target) != CX_OK || target <= 0) {
        req_failf(r, 400, "invalid_id", "org_id", "联络点所在党组织应为组织编号（正整数）");
        return;
    }
    char since[11];
    cx_err e = {0};
    if (liaison_date_check(req_in(r, "since"), NULL, "since", "联系开始日期", since, &e) != CX_OK ||
        liaison_assign(r->db, &r->who, &o, leader, target, since, &pid, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (!req_is_api(r)) {
        req_redirect(r, "/orgs/%" PRId64 "/liaison", o.id);
        return;
    }
    liaison_point *p = req_keep(r, xmalloc(sizeof *p));
    if (!req_found(r, liaison_point_get(r->db, pid, p), "id", "联络点")) return;
    r->status = 201;
    cJSON_AddItemToObject(req_data(r), "point", json_point(p));
}

enum { NEED_READ, NEED_RECORD, NEED_RUN };

/* Loads point id for the user, who must see it (404 as for a missing one) and do what need asks (403). */
static liaison_point *req_point(req *r, int64_t id, int need, bool *is_leader)
{
    liaison_point *p = req_keep(r, xmalloc(sizeof *p));
    int got = liaison_point_get(r->db, id, p);
    if (got == CX_ERR) {
        req_failf(r, 500, "db_error", "", "数据库错误");
        return NULL;
    }
    *is_leader = got == 1 && p->leader_user_id == r->user.user_id;
    if (got != 1 || !(perm_sees_liaison_point(&r->user, p->org_path, *is_leader) || perm_may_run_liaison(&r->user, p->office_path))) {
        req_failf(r, 404, "not_found", "id", "联络点不存在或不在您的管理范围内");
        return NULL;
    }
    if (need == NEED_RECORD && !perm_may_record_visit(&r->user, p->org_path, *is_leader)) {
        req_failf(r, 403, "not_allowed", "id", "只有联系这个联络点的领导干部（%s）或%s的上级活动办公室可以记录走访", p->leader_name, p->org_name);
        return NULL;
    }
    if (need == NEED_RUN && !perm_may_run_liaison(&r->user, p->office_path)) {
        req_failf(r, 403, "not_allowed", "id", "只有%s活动办公室可以撤销这个联络点", p->office_name);
        return NULL;
    }
    return p;
}

static cJSON *json_visit(req *r, const liaison_visit *v, bool can_rectify)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", v->id);
    json_add_i64(j, "point_id", v->point_id);
    json_add_i64(j, "leader_id", v->leader_user_id);
    cJSON_AddStringToObject(j, "leader_name", v->leader_name);
    json_add_i64(j, "org_id", v->org_id);
    cJSON_AddStringToObject(j, "org_name", v->org_name);
    cJSON_AddStringToObject(j, "visited_on", v->visited_on);
    cJSON_AddStringToObject(j, "done", v->done);
    cJSON_AddStringToObject(j, "problems_found", v->problems_found);
    cJSON_AddStringToObject(j, "problems_solved", v->problems_solved);
    cJSON_AddStringToObject(j, "created_by_name", v->created_by_name);
    if (v->rect_id) {
        json_add_i64(j, "rect_id", v->rect_id);
        cJSON_AddStringToObject(j, "rect_status", v->rect_status);
    }
    cJSON_AddBoolToObject(j, "can_rectify", can_rectify && v->problems_found[0] && !v->rect_id);
    if (liaison_visit_files(r->db, v->id, add_attachment, cJSON_AddArrayToObject(j, "files")) != CX_OK) req_failf(r, 500, "db_error", "", "读取走访材料失败");
    return j;
}

typedef struct visit_ctx {
    req *r;
    cJSON *arr;
    bool can_rectify; /* for every visit listed (one point's), or decided per visit (a leader's) */
    bool per_visit;
} visit_ctx;

static int add_visit(void *ctx, const liaison_visit *v)
{
    visit_ctx *c = ctx;
    bool can = c->per_visit ? perm_may_rectify_visit(&c->r->user, v->org_path, v->leader_user_id == c->r->user.user_id) : c->can_rectify;
    cJSON_AddItemToArray(c->arr, json_visit(c->r, v, can));
    return 0;
}

/* GET /liaison-points/:id */
void h_liaison_point(req *r)
{
    int64_t id;
    bool leader;
    liaison_point *p;
    if (!req_id(r, 0, &id) || !(p = req_point(r, id, NEED_READ, &leader))) return;
    cJSON *d = req_data(r);
    char title[400], today[11];
    snprintf(title, sizeof title, "联络点：%s", p->org_name);
    date_today(today);
    cJSON_AddStringToObject(d, "title", title);
    cJSON_AddStringToObject(d, "today", today);
    cJSON_AddItemToObject(d, "point", json_point(p));
    bool rectify = perm_may_rectify_visit(&r->user, p->org_path, leader);
    cJSON *can = cJSON_AddObjectToObject(d, "can");
    cJSON_AddBoolToObject(can, "record", p->open && perm_may_record_visit(&r->user, p->org_path, leader));
    cJSON_AddBoolToObject(can, "end", p->open && perm_may_run_liaison(&r->user, p->office_path));
    cJSON_AddBoolToObject(can, "rectify", rectify);
    cJSON_AddBoolToObject(can, "leader_page", perm_sees_liaison_leader(&r->user, p->office_path, leader));
    visit_ctx c = {r, cJSON_AddArrayToObject(d, "visits"), rectify, false};
    if (liaison_visits(r->db, p->id, 0, add_visit, &c) != CX_OK) req_failf(r, 500, "db_error", "", "读取走访记录失败");
}

/* After a change at point id: the page goes back to it, the API answers with it as it now is. */
static void point_done(req *r, int64_t id, const char *anchor)
{
    if (!req_is_api(r)) {
        req_redirect(r, "/liaison-points/%" PRId64 "%s", id, anchor);
        return;
    }
    liaison_point *p = req_keep(r, xmalloc(sizeof *p));
    if (req_found(r, liaison_point_get(r->db, id, p), "id", "联络点")) cJSON_AddItemToObject(req_data(r), "point", json_point(p));
}

/* POST /liaison-points/:id/end {until} */
void h_liaison_end(req *r)
{
    int64_t id;
    bool leader;
    if (!req_id(r, 0, &id) || !req_point(r, id, NEED_RUN, &leader)) return;
    char until[11];
    cx_err e = {0};
    if (liaison_date_check(req_in(r, "until"), NULL, "until", "撤销日期", until, &e) != CX_OK || liaison_end(r->db, &r->who, id, until, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    point_done(r, id, "");
}

/* POST /liaison-points/:id/visits (multipart or JSON: visited_on, done, problems_found, problems_solved, files) */
void h_liaison_visit_create(req *r)
{
    int64_t id, vid = 0;
    bool leader;
    liaison_point *p;
    if (!req_id(r, 0, &id) || !(p = req_point(r, id, NEED_RECORD, &leader))) return;
    evidence_in files[EVIDENCE_MAX_FILES + 1];
    int nf = req_files(r, "files", files, EVIDENCE_MAX_FILES + 1);
    visit_in in = {req_in(r, "visited_on"), req_in(r, "done"), req_in(r, "problems_found"), req_in(r, "problems_solved")};
    visit_ok *ok = req_keep(r, xmalloc(sizeof *ok));
    cx_err e = {0};
    if (visit_check(&in, NULL, ok, &e) != CX_OK || liaison_visit_add(r->db, &r->who, id, ok, files, nf, &vid, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (!req_is_api(r)) {
        req_redirect(r, "/liaison-points/%" PRId64 "#visits", id);
        return;
    }
    liaison_visit *v = req_keep(r, xmalloc(sizeof *v));
    if (!req_found(r, liaison_visit_get(r->db, vid, v), "id", "走访记录")) return;
    r->status = 201;
    cJSON_AddItemToObject(req_data(r), "visit", json_visit(r, v, perm_may_rectify_visit(&r->user, p->org_path, leader)));
}

/* POST /liaison-visits/:id/rectify {measure, owner, due_date, problem?} */
void h_liaison_visit_rectify(req *r)
{
    int64_t id, rid = 0;
    bool leader;
    liaison_visit *v = req_keep(r, xmalloc(sizeof *v));
    liaison_point *p;
    if (!req_id(r, 0, &id)) return;
    int got = liaison_visit_get(r->db, id, v);
    if (got != 1) {
        if (got == CX_ERR) req_failf(r, 500, "db_error", "", "数据库错误");
        else req_failf(r, 404, "not_found", "id", "走访记录不存在或不在您的管理范围内");
        return;
    }
    if (!(p = req_point(r, v->point_id, NEED_RECORD, &leader))) return;
    if (!perm_may_rectify_visit(&r->user, p->org_path, leader)) {
        req_failf(r, 403, "not_allowed", "id", "%s不在您的管理范围内，转成的整改事项您将无法查看：请由%s的上级活动办公室转为整改事项", p->org_name, p->org_name);
        return;
    }
    if (!v->problems_found[0]) { /* before the item's fields: there is nothing to rectify */
        req_failf(r, 409, "no_problem", "id", "这次走访没有记录发现的问题，不需要整改");
        return;
    }
    const char *problem = req_in(r, "problem");
    rect_new n = {"manual", "liaison_visit", id, 0, {problem && *problem ? problem : v->problems_found, req_in(r, "measure"), req_in(r, "owner"), req_in(r, "due_date")}};
    rect_new_ok *ok = req_keep(r, xmalloc(sizeof *ok));
    cx_err e = {0};
    if (rect_new_check(&n, NULL, ok, &e) != CX_OK || liaison_visit_rectify(r->db, &r->who, id, ok, &rid, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (!req_is_api(r)) {
        req_redirect(r, "/liaison-points/%" PRId64 "#visits", v->point_id);
        return;
    }
    r->status = 201;
    json_add_i64(req_data(r), "rect_id", rid);
    if (req_found(r, liaison_visit_get(r->db, id, v), "id", "走访记录")) cJSON_AddItemToObject(req_data(r), "visit", json_visit(r, v, true));
}

/* GET /liaison-visit-files/:id: the point decides who may see it, before the bytes are loaded. */
void h_liaison_file(req *r)
{
    int64_t id, vid = 0;
    bool leader;
    if (!req_id(r, 0, &id)) return;
    liaison_visit *v = req_keep(r, xmalloc(sizeof *v));
    if (liaison_file_owner(r->db, id, &vid) != 1 || liaison_visit_get(r->db, vid, v) != 1) {
        req_failf(r, 404, "not_found", "id", "走访材料不存在");
        return;
    }
    if (!req_point(r, v->point_id, NEED_READ, &leader)) return;
    char mime[32], name[128];
    buf_init(&r->file);
    req_attachment(r, liaison_file_get(r->db, id, &r->file, mime, name), mime);
}

/* ---- one leader ---- */

/* One visit as a row of the leader's export. */
typedef struct visit_rows {
    lxw_worksheet *ws;
    lxw_row_t row;
} visit_rows;

static int export_visit(void *ctx, const liaison_visit *v)
{
    visit_rows *w = ctx;
    char rect[32] = "";
    if (v->rect_id) snprintf(rect, sizeof rect, "%" PRId64, v->rect_id);
    const char *cells[] = {v->visited_on, v->org_name, v->done, v->problems_found, v->problems_solved, rect, v->created_by_name};
    for (lxw_col_t c = 0; c < sizeof cells / sizeof cells[0]; c++) worksheet_write_string(w->ws, w->row, c, cells[c], NULL);
    w->row++;
    return 0;
}

/* GET /liaison-leaders/:id (?year= &format=xlsx): the leader's points (open and ended) and visits. */
void h_liaison_leader(req *r)
{
    int64_t id;
    int year;
    bool xlsx;
    if (!req_id(r, 0, &id) || !year_in(r, &year) || !req_format_xlsx(r, &xlsx)) return;
    liaison_leader *l = req_keep(r, xmalloc(sizeof *l));
    int got = liaison_leader_get(r->db, id, year, l);
    if (got == CX_ERR) {
        req_failf(r, 500, "db_error", "", "数据库错误");
        return;
    }
    if (got != 1 || !perm_sees_liaison_leader(&r->user, l->org_path, id == r->user.user_id)) {
        req_failf(r, 404, "not_found", "id", "领导干部不存在或不在您的管理范围内");
        return;
    }
    if (xlsx) { /* every visit of the leader, newest first */
        static const char *const heads[] = {"走访日期", "联络点", "走访内容", "发现的问题", "解决的问题", "整改事项编号", "记录人"};
        xlsx_export xe;
        visit_rows w = {export_open(r, &xe, "走访记录", heads, sizeof heads / sizeof heads[0]), 1};
        if (!w.ws) return;
        worksheet_set_column(w.ws, 2, 4, 40, NULL);
        int rc = liaison_visits(r->db, 0, id, export_visit, &w);
        char name[200];
        snprintf(name, sizeof name, "%s-联络点走访记录.xlsx", l->display_name);
        export_close(r, &xe, rc, name, "liaison_leader", id, l->grant_org_id, NULL);
        return;
    }
    cJSON *d = req_data(r);
    char title[200];
    snprintf(title, sizeof title, "%s的联络点", l->display_name);
    cJSON_AddStringToObject(d, "title", title);
    json_add_i64(d, "year", year);
    cJSON_AddItemToObject(d, "leader", json_leader(l));
    cJSON_AddItemToObject(d, "rule", json_rule(&l->rule, l->rule_from, false));
    cJSON_AddBoolToObject(d, "self", id == r->user.user_id);
    int rc = liaison_points(r->db, id, NULL, false, add_point, cJSON_AddArrayToObject(d, "points"));
    visit_ctx c = {r, cJSON_AddArrayToObject(d, "visits"), false, true};
    if (rc == CX_OK) rc = liaison_visits(r->db, 0, id, add_visit, &c);
    if (rc != CX_OK) req_failf(r, 500, "db_error", "", "读取联络点失败");
}
