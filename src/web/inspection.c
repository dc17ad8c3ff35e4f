/* inspection.c: inspections (督查) pages and API: the list of an organisation's inspections and
 * the new-plan form, one inspection (plan, team, checklist, targets, the committed draw, findings
 * and their rectification), status changes, findings with evidence, open findings up the tree and
 * the XLSX export of an inspection's findings. */
#include "web.h"
#include "../domain/date.h"
#include "../domain/draw.h"
#include "../domain/org.h"
#include "../lib/xlsxout.h"
#include "../store/inspection.h"
#include "../store/standard.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* How the user stands to one inspection. */
typedef struct insp_view {
    inspection *x;
    bool office, team, inspected;
} insp_view;

enum { NEED_READ, NEED_RECORD, NEED_RUN };

/* Loads inspection id with the user's relation; the same 404 as a missing one unless the user may
 * read it (the office over the issuing organisation, the team, the staff of a target) and do what
 * need asks. */
static bool req_insp(req *r, int64_t id, int need, insp_view *v)
{
    v->x = req_keep(r, xmalloc(sizeof *v->x));
    int f = inspection_get(r->db, id, v->x), t = 0, in = 0;
    if (f == 1) t = inspection_on_team(r->db, id, r->user.user_id);
    if (f == 1 && t != CX_ERR) in = inspection_inspects(r->db, id, &r->user, ROLE_STAFF);
    if (f == CX_ERR || t == CX_ERR || in == CX_ERR) {
        req_failf(r, 500, "db_error", "", "数据库错误");
        return false;
    }
    v->team = t == 1;
    v->inspected = in == 1;
    v->office = f == 1 && perm_may_run_inspection(&r->user, v->x->org_path);
    bool ok = f == 1 && (v->office || v->team || v->inspected);
    if (ok && need == NEED_RUN && !v->office) ok = false;
    if (ok && need == NEED_RECORD && !perm_may_record_finding(&r->user, v->x->org_path, v->team)) {
        req_failf(r, 403, "not_allowed", "id", "只有督查组成员或%s活动办公室可以记录督查发现的情况", v->x->org_name);
        return false;
    }
    if (!ok) req_failf(r, 404, "not_found", "id", "督查不存在或不在您的管理范围内");
    return ok;
}

/* The labels of a comma-separated list of codes ("branch,committee" → "党支部、党委"), into out. */
static void labels_of(const char *csv, const char *(*label)(const char *), char *out, size_t cap)
{
    size_t used = 0;
    out[0] = 0;
    for (const char *p = csv; *p && used < cap;) {
        size_t len = strcspn(p, ",");
        char code[32];
        snprintf(code, sizeof code, "%.*s", (int)len, p);
        const char *l = label(code);
        used += (size_t)snprintf(out + used, cap - used, "%s%s", used ? "、" : "", l && *l ? l : code);
        p += len + (p[len] == ',');
    }
}

static cJSON *json_insp(const inspection *x)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", x->id);
    json_add_i64(j, "org_id", x->org_id);
    cJSON_AddStringToObject(j, "org_name", x->org_name);
    json_add_i64(j, "scope_org_id", x->scope_org_id);
    cJSON_AddStringToObject(j, "scope_name", x->scope_name);
    cJSON_AddStringToObject(j, "kind", insp_kind_name(x->kind));
    cJSON_AddStringToObject(j, "kind_label", insp_kind_label(x->kind));
    cJSON_AddBoolToObject(j, "random", x->kind == IK_RANDOM);
    cJSON_AddStringToObject(j, "status", insp_status_name(x->status));
    cJSON_AddStringToObject(j, "status_label", insp_status_label(x->status));
    cJSON_AddStringToObject(j, "title", x->title);
    cJSON_AddStringToObject(j, "start_date", x->start_date);
    cJSON_AddStringToObject(j, "end_date", x->end_date);
    cJSON_AddStringToObject(j, "created_by_name", x->created_by_name);
    json_add_i64(j, "targets", x->ntargets);
    json_add_i64(j, "problems", x->nproblems);
    json_add_i64(j, "problems_unrectified", x->nunrectified);
    json_add_i64(j, "version", x->version);
    if (x->kind == IK_RANDOM) {
        cJSON *dr = cJSON_AddObjectToObject(j, "draw");
        json_add_i64(dr, "n", x->draw_n);
        cJSON_AddStringToObject(dr, "of", x->draw_members ? "member" : "org");
        cJSON_AddStringToObject(dr, "of_label", x->draw_members ? "党员" : "党组织");
        cJSON_AddBoolToObject(dr, "members", x->draw_members);
        cJSON_AddStringToObject(dr, "population_types", x->types);
        cJSON_AddStringToObject(dr, "population_sectors", x->sectors);
        char l[512];
        labels_of(x->types, org_type_label, l, sizeof l);
        cJSON_AddStringToObject(dr, "types_label", l);
        labels_of(x->sectors, org_sector_label, l, sizeof l);
        cJSON_AddStringToObject(dr, "sectors_label", l);
        json_add_i64(dr, "commitment_id", x->commitment_id);
        cJSON_AddStringToObject(dr, "seed_sha256", x->seed_hash);
        cJSON_AddStringToObject(dr, "method", DRAW_METHOD);
        cJSON_AddBoolToObject(dr, "drawn", x->drawn_at != 0);
        if (x->drawn_at) { /* the seed only once the draw is made */
            cJSON_AddStringToObject(dr, "seed", x->seed);
            json_add_i64(dr, "population", x->population);
            cJSON_AddStringToObject(dr, "population_digest", x->digest);
            json_add_i64(dr, "drawn_at", x->drawn_at);
        }
    }
    return j;
}

/* ---- the list and the new plan ---- */

typedef struct list_ctx {
    req *r;
    cJSON *arr;
} list_ctx;

static int add_insp(void *ctx, const inspection *x)
{
    list_ctx *c = ctx;
    int t = inspection_on_team(c->r->db, x->id, c->r->user.user_id);
    if (perm_may_run_inspection(&c->r->user, x->org_path) || t == 1 || inspection_inspects(c->r->db, x->id, &c->r->user, ROLE_STAFF) == 1)
        cJSON_AddItemToArray(c->arr, json_insp(x));
    return 0;
}

/* The standard items as ids: standard_set holds items by seq, the ids come from the table. */
static int add_std_ids(req *r, cJSON *arr)
{
    db_stmt *s = db_prepare(r->db, "SELECT i.id, s.name, i.title FROM standard_item i JOIN standard_set s ON s.id = i.set_id "
                                   "WHERE s.target = 'org' AND s.campaign_id IS NULL ORDER BY s.id, i.seq"); /* shared sets: a campaign's own stay with it */
    if (!s) return CX_ERR;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        cJSON *x = cJSON_CreateObject();
        json_add_i64(x, "id", db_col_i64(s, 0));
        cJSON_AddStringToObject(x, "set", db_col_text(s, 1));
        cJSON_AddStringToObject(x, "title", db_col_text(s, 2));
        cJSON_AddItemToArray(arr, x);
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

void h_inspections(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_STAFF, &o)) return;
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "督查");
    cJSON_AddItemToObject(d, "org", json_org(&o));
    list_ctx c = {r, cJSON_AddArrayToObject(d, "inspections")};
    if (inspection_list(r->db, &o, add_insp, &c) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取督查失败");
        return;
    }
    bool can = o.active && perm_may_run_inspection(&r->user, o.path);
    cJSON_AddBoolToObject(d, "can_create", can);
    if (!can) return;
    cJSON *k = cJSON_AddArrayToObject(d, "kinds");
    for (int i = 0; i < IK_COUNT; i++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "value", insp_kind_name((insp_kind)i));
        cJSON_AddStringToObject(x, "label", insp_kind_label((insp_kind)i));
        cJSON_AddItemToArray(k, x);
    }
    add_std_ids(r, cJSON_AddArrayToObject(d, "standard_items"));
    if (!req_is_api(r)) org_subtree(r->db, &o, 2, 300, add_org_option, cJSON_AddArrayToObject(d, "scopes"));
}

/* All values of a field sent several times (checkboxes), joined by commas; the API's one string. */
static const char *multi_in(req *r, const char *name)
{
    if (req_is_api(r)) return req_in(r, name);
    buf b;
    buf_init(&b);
    for (int i = 0; i < r->nfields; i++)
        if (!strcmp(r->fields[i].name, name) && !r->fields[i].filename) buf_printf(&b, "%s%.*s", b.len ? "," : "", (int)r->fields[i].data.len, r->fields[i].data.p ? r->fields[i].data.p : "");
    if (!b.p) return req_in(r, name);
    return req_keep(r, b.p);
}

void h_inspection_create(req *r)
{
    int64_t id, nid = 0, scope = 0;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_OFFICE, &o) || !req_opt_id(r, "scope_org_id", "督查范围", &scope)) return;
    if (!o.active) {
        req_failf(r, 404, "not_found", "id", "党组织不存在或已停用");
        return;
    }
    insp_in in = {req_in(r, "kind"), req_in(r, "title"), req_in(r, "start_date"), req_in(r, "end_date"), req_in(r, "population_types"),
                  req_in(r, "population_sectors"), req_in(r, "draw_n"), req_in(r, "items"), req_in(r, "draw_of")};
    insp_ok *ok = req_keep(r, xmalloc(sizeof *ok));
    cx_err e = {0};
    insp_new n = {ok, scope, req_in(r, "team"), multi_in(r, "standard_items"), multi_in(r, "targets")};
    if (insp_check(&in, ok, &e) != CX_OK || inspection_create(r->db, &r->who, &o, &n, &nid, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (!req_is_api(r)) {
        req_redirect(r, "/inspections/%" PRId64, nid);
        return;
    }
    inspection x;
    if (!req_found(r, inspection_get(r->db, nid, &x), "id", "督查")) return;
    r->status = 201;
    cJSON_AddItemToObject(req_data(r), "inspection", json_insp(&x));
}

/* ---- one inspection ---- */

typedef struct finding_ctx {
    req *r;
    cJSON *arr;
    const insp_view *v; /* NULL: a list up the tree (already within the user's subtree) */
} finding_ctx;

/* A target as shown: the organisation, or for a member target the member's name and organisation
 * (never the 身份证号 or phone). */
static void add_target_name(cJSON *x, int64_t member_id, const char *member_name, const char *org_name)
{
    if (!member_id) return;
    json_add_i64(x, "member_id", member_id);
    cJSON_AddStringToObject(x, "member_name", member_name);
    char *l = xasprintf("%s（%s）", member_name, org_name);
    cJSON_AddStringToObject(x, "target_label", l);
    free(l);
}

/* v: the inspection as the user stands to it (NULL: a list up the tree, no actions). */
static cJSON *json_finding(req *r, const finding *f, const insp_view *v)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", f->id);
    json_add_i64(j, "inspection_id", f->inspection_id);
    cJSON_AddStringToObject(j, "inspection_title", f->inspection_title);
    json_add_i64(j, "org_id", f->org_id);
    cJSON_AddStringToObject(j, "org_name", f->org_name);
    add_target_name(j, f->member_id, f->member_name, f->org_name);
    if (f->item_id) json_add_i64(j, "item_id", f->item_id);
    cJSON_AddStringToObject(j, "item_title", f->item_id ? f->item_title : "总体情况");
    cJSON_AddStringToObject(j, "level", f->problem ? "problem" : "ok");
    cJSON_AddStringToObject(j, "level_label", f->problem ? "存在问题" : "符合要求");
    cJSON_AddBoolToObject(j, "problem", f->problem);
    cJSON_AddStringToObject(j, "text", f->text);
    cJSON_AddStringToObject(j, "found_on", f->found_on);
    cJSON_AddStringToObject(j, "created_by_name", f->created_by_name);
    if (f->rect_id) {
        json_add_i64(j, "rect_id", f->rect_id);
        cJSON_AddStringToObject(j, "rect_status", f->rect_status);
    }
    cJSON_AddBoolToObject(j, "can_rectify", v && perm_may_rectify_finding(&r->user, v->x->org_path, v->team, f->org_path) && f->problem && !f->rect_id);
    if (finding_files(r->db, f->id, add_attachment, cJSON_AddArrayToObject(j, "files")) != CX_OK) req_failf(r, 500, "db_error", "", "读取佐证文件失败");
    return j;
}

static int add_finding(void *ctx, const finding *f)
{
    finding_ctx *c = ctx;
    if (c->v && !perm_sees_finding(&c->r->user, c->v->x->org_path, c->v->team, f->org_path)) return 0;
    cJSON_AddItemToArray(c->arr, json_finding(c->r, f, c->v));
    return 0;
}

static int add_target(void *ctx, const insp_target *t)
{
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "seq", t->seq);
    json_add_i64(x, "org_id", t->org_id);
    cJSON_AddStringToObject(x, "org_name", t->org_name);
    add_target_name(x, t->member_id, t->member_name, t->org_name);
    cJSON_AddStringToObject(x, "type_label", org_type_label(t->org_type));
    cJSON_AddStringToObject(x, "sector_label", org_sector_label(t->org_sector));
    json_add_i64(x, "findings", t->nfindings);
    json_add_i64(x, "problems", t->nproblems);
    cJSON_AddItemToArray(ctx, x);
    return 0;
}

static int add_item(void *ctx, const insp_item *t)
{
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "id", t->id);
    json_add_i64(x, "seq", t->seq);
    cJSON_AddStringToObject(x, "title", t->title);
    cJSON_AddBoolToObject(x, "standard", t->standard_item_id != 0);
    cJSON_AddItemToArray(ctx, x);
    return 0;
}

static int add_member(void *ctx, const insp_member *m)
{
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "user_id", m->user_id);
    cJSON_AddStringToObject(x, "username", m->username);
    cJSON_AddStringToObject(x, "display_name", m->display_name);
    cJSON_AddItemToArray(ctx, x);
    return 0;
}

static void show_insp(req *r, const insp_view *v)
{
    cJSON *d = req_data(r);
    const inspection *x = v->x;
    char title[480], today[11];
    snprintf(title, sizeof title, "督查：%s", x->title);
    date_today(today);
    cJSON_AddStringToObject(d, "title", title);
    cJSON_AddStringToObject(d, "today", today);
    cJSON_AddItemToObject(d, "inspection", json_insp(x));
    bool record = perm_may_record_finding(&r->user, x->org_path, v->team);
    cJSON *can = cJSON_AddObjectToObject(d, "can");
    cJSON_AddBoolToObject(can, "start", v->office && insp_decide(x->status, IA_START, x->kind, x->drawn_at, NULL, NULL) == CX_OK);
    cJSON_AddBoolToObject(can, "close", v->office && insp_decide(x->status, IA_CLOSE, x->kind, x->drawn_at, NULL, NULL) == CX_OK);
    cJSON_AddBoolToObject(can, "draw", v->office && insp_decide(x->status, IA_DRAW, x->kind, x->drawn_at, NULL, NULL) == CX_OK);
    cJSON_AddBoolToObject(can, "targets", v->office && x->kind != IK_RANDOM && x->status != IS_CLOSED);
    cJSON_AddBoolToObject(can, "record", record && insp_decide(x->status, IA_FINDING, x->kind, x->drawn_at, NULL, NULL) == CX_OK);
    cJSON_AddBoolToObject(can, "rectify", record);
    cJSON_AddBoolToObject(d, "on_team", v->team);
    int rc = inspection_team(r->db, x->id, add_member, cJSON_AddArrayToObject(d, "team"));
    if (rc == CX_OK) rc = inspection_items(r->db, x->id, add_item, cJSON_AddArrayToObject(d, "items"));
    if (rc == CX_OK) rc = inspection_targets(r->db, x->id, add_target, cJSON_AddArrayToObject(d, "targets"));
    org scope;
    if (rc == CX_OK && v->office && x->kind != IK_RANDOM && x->status != IS_CLOSED && !req_is_api(r) && org_get(r->db, x->scope_org_id, &scope) == 1)
        rc = org_subtree(r->db, &scope, 0, 300, add_org_option, cJSON_AddArrayToObject(d, "scope_orgs")); /* to choose targets from */
    finding_ctx c = {r, cJSON_AddArrayToObject(d, "findings"), v};
    finding_query q = {.inspection_id = x->id};
    if (rc == CX_OK) rc = finding_list(r->db, &q, add_finding, &c);
    if (rc != CX_OK) req_failf(r, 500, "db_error", "", "读取督查失败");
}

void h_inspection(req *r)
{
    int64_t id;
    insp_view v;
    if (req_id(r, 0, &id) && req_insp(r, id, NEED_READ, &v)) show_insp(r, &v);
}

/* After a change: the page goes back to the inspection (anchor), the API answers with it as it now is. */
static void insp_done(req *r, int64_t id, int rc, const cx_err *e, const char *anchor)
{
    if (!req_changed(r, rc, e, "/inspections/%" PRId64 "%s", id, anchor)) return;
    inspection x;
    if (req_found(r, inspection_get(r->db, id, &x), "id", "督查")) cJSON_AddItemToObject(req_data(r), "inspection", json_insp(&x));
}

/* POST /inspections/:id/start | close {version?} */
void h_inspection_act(req *r)
{
    int64_t id, version = 0;
    insp_view v;
    if (!req_id(r, 0, &id) || !req_insp(r, id, NEED_RUN, &v) || !req_opt_id(r, "version", "版本", &version)) return;
    cx_err e = {0};
    insp_done(r, id, inspection_act(r->db, &r->who, id, (insp_action)r->rt->action, version, &e), &e, "");
}

/* POST /inspections/:id/targets {targets: org ids} */
void h_inspection_targets(req *r)
{
    int64_t id;
    insp_view v;
    if (!req_id(r, 0, &id) || !req_insp(r, id, NEED_RUN, &v)) return;
    cx_err e = {0};
    insp_done(r, id, inspection_add_targets(r->db, &r->who, id, multi_in(r, "targets"), &e), &e, "#targets");
}

/* POST /inspections/:id/draw */
void h_inspection_draw(req *r)
{
    int64_t id;
    insp_view v;
    if (!req_id(r, 0, &id) || !req_insp(r, id, NEED_RUN, &v)) return;
    cx_err e = {0};
    int rc = inspection_draw(r->db, &r->who, id, &e);
    insp_done(r, id, rc, &e, "#draw");
    if (rc == CX_OK && req_is_api(r)) {
        r->status = 201;
        inspection_targets(r->db, id, add_target, cJSON_AddArrayToObject(req_data(r), "targets"));
    }
}

/* POST /inspections/:id/findings (multipart or JSON: org_id, item_id, level, text, found_on, evidence files) */
void h_finding_create(req *r)
{
    int64_t id, org_id = 0, member_id = 0, item_id = 0, fid = 0;
    insp_view v;
    if (!req_id(r, 0, &id) || !req_insp(r, id, NEED_RECORD, &v) || !req_opt_id(r, "org_id", "被督查组织", &org_id) ||
        !req_opt_id(r, "member_id", "被抽查党员", &member_id) || !req_opt_id(r, "item_id", "检查项目", &item_id))
        return;
    cx_err e = {0};
    if (!org_id && !member_id) {
        req_failf(r, 400, "required", v.x->draw_members ? "member_id" : "org_id", "请选择被督查的%s", v.x->draw_members ? "党员" : "组织");
        return;
    }
    evidence_in files[EVIDENCE_MAX_FILES + 1];
    int nf = req_files(r, "evidence", files, EVIDENCE_MAX_FILES + 1);
    finding_in in = {req_in(r, "level"), req_in(r, "text"), req_in(r, "found_on")};
    finding_ok *ok = req_keep(r, xmalloc(sizeof *ok));
    int rc = finding_check(&in, NULL, ok, &e) == CX_OK ? finding_add(r->db, &r->who, id, org_id, member_id, item_id, ok, files, nf, &fid, &e) : CX_ERR;
    if (rc != CX_OK || !req_is_api(r)) {
        insp_done(r, id, rc, &e, "#findings");
        return;
    }
    finding *f = req_keep(r, xmalloc(sizeof *f));
    if (!req_found(r, finding_get(r->db, fid, f), "id", "督查发现的情况")) return;
    r->status = 201;
    cJSON_AddItemToObject(req_data(r), "finding", json_finding(r, f, &v));
}

/* Loads finding id and its inspection, the user in relation need to it (404 otherwise). */
static finding *req_finding(req *r, int64_t id, int need, insp_view *v)
{
    finding *f = req_keep(r, xmalloc(sizeof *f));
    int got = finding_get(r->db, id, f);
    if (got == CX_ERR) {
        req_failf(r, 500, "db_error", "", "数据库错误");
        return NULL;
    }
    if (got == 0) {
        req_failf(r, 404, "not_found", "id", "督查发现的情况不存在或不在您的管理范围内");
        return NULL;
    }
    if (!req_insp(r, f->inspection_id, need == NEED_RECORD ? NEED_READ : need, v)) return NULL;
    if (!perm_sees_finding(&r->user, v->x->org_path, v->team, f->org_path)) {
        req_failf(r, 404, "not_found", "id", "督查发现的情况不存在或不在您的管理范围内");
        return NULL;
    }
    if (need == NEED_RECORD && !perm_may_record_finding(&r->user, v->x->org_path, v->team)) {
        req_failf(r, 403, "not_allowed", "id", "只有督查组成员或%s活动办公室可以办理督查发现的问题", v->x->org_name);
        return NULL;
    }
    return f;
}

/* POST /findings/:id/rectify {measure, owner, due_date, problem?}: one step to a rectification item. */
void h_finding_rectify(req *r)
{
    int64_t id, rid = 0;
    insp_view v;
    finding *f;
    if (!req_id(r, 0, &id) || !(f = req_finding(r, id, NEED_RECORD, &v))) return;
    if (!perm_may_rectify_finding(&r->user, v.x->org_path, v.team, f->org_path)) { /* the item made would be out of the user's sight */
        req_failf(r, 403, "not_allowed", "id", "%s不在您的管理范围内，转成的整改事项您将无法查看：请由%s活动办公室或%s的上级组织转为整改事项",
                  f->org_name, v.x->org_name, f->org_name);
        return;
    }
    const char *problem = req_in(r, "problem");
    rect_new n = {"inspection", "finding", id, f->member_id, {problem && *problem ? problem : f->text, req_in(r, "measure"), req_in(r, "owner"), req_in(r, "due_date")}};
    rect_new_ok *ok = req_keep(r, xmalloc(sizeof *ok));
    cx_err e = {0};
    int rc = rect_new_check(&n, NULL, ok, &e) == CX_OK ? finding_rectify(r->db, &r->who, id, ok, &rid, &e) : CX_ERR;
    if (rc != CX_OK || !req_is_api(r)) {
        insp_done(r, f->inspection_id, rc, &e, "#findings");
        return;
    }
    r->status = 201;
    json_add_i64(req_data(r), "rect_id", rid);
    if (req_found(r, finding_get(r->db, id, f), "id", "督查发现的情况")) cJSON_AddItemToObject(req_data(r), "finding", json_finding(r, f, &v));
}

/* POST /findings/:id/files (multipart evidence) */
void h_finding_files_add(req *r)
{
    int64_t id;
    insp_view v;
    finding *f;
    if (!req_id(r, 0, &id) || !(f = req_finding(r, id, NEED_RECORD, &v))) return;
    evidence_in files[EVIDENCE_MAX_FILES + 1];
    int nf = req_files(r, "evidence", files, EVIDENCE_MAX_FILES + 1);
    cx_err e = {0};
    int rc = finding_add_files(r->db, &r->who, id, files, nf, &e);
    if (rc != CX_OK || !req_is_api(r)) {
        insp_done(r, f->inspection_id, rc, &e, "#findings");
        return;
    }
    r->status = 201;
    if (req_found(r, finding_get(r->db, id, f), "id", "督查发现的情况")) cJSON_AddItemToObject(req_data(r), "finding", json_finding(r, f, &v));
}

/* GET /finding-files/:id: the finding decides who may see it, before the bytes are loaded. */
void h_finding_file(req *r)
{
    int64_t id, fid = 0;
    insp_view v;
    if (!req_id(r, 0, &id)) return;
    int got = finding_file_owner(r->db, id, &fid);
    if (got != 1) {
        req_failf(r, 404, "not_found", "id", "佐证文件不存在");
        return;
    }
    if (!req_finding(r, fid, NEED_READ, &v)) return;
    char mime[32], name[128];
    buf_init(&r->file);
    req_attachment(r, finding_file_get(r->db, id, &r->file, mime, name), mime);
}

/* ---- lists of findings and the export ---- */

typedef struct xrow {
    lxw_worksheet *ws;
    lxw_row_t row;
    req *r;
    const insp_view *v;
} xrow;

static int export_row(void *ctx, const finding *f)
{
    xrow *w = ctx;
    if (w->v && !perm_sees_finding(&w->r->user, w->v->x->org_path, w->v->team, f->org_path)) return 0;
    char rect[32] = "";
    if (f->rect_id) snprintf(rect, sizeof rect, "%" PRId64, f->rect_id);
    const char *v[] = {NULL, f->org_name, f->item_id ? f->item_title : "总体情况", f->problem ? "存在问题" : "符合要求", f->text, f->found_on,
                       f->created_by_name, rect, f->rect_status[0] ? (!strcmp(f->rect_status, "verified") ? "已销号" : "整改中") : "", f->member_name};
    worksheet_write_number(w->ws, w->row, 0, (double)f->id, NULL);
    for (lxw_col_t c = 1; c < sizeof v / sizeof v[0]; c++) worksheet_write_string(w->ws, w->row, c, v[c], NULL);
    w->row++;
    return 0;
}

static void export_findings(req *r, const finding_query *q, const insp_view *v, const char *title, int64_t entity_id, int64_t org_id)
{
    static const char *const heads[] = {"编号", "被督查组织", "检查项目", "结果", "情况", "发现日期", "记录人", "整改事项编号", "整改状态", "被抽查党员"};
    xlsx_export xe;
    xrow w = {.ws = export_open(r, &xe, "督查发现", heads, sizeof heads / sizeof heads[0]), .row = 1, .r = r, .v = v};
    if (!w.ws) return;
    worksheet_set_column(w.ws, 4, 4, 40, NULL);
    int rc = finding_list(r->db, q, export_row, &w);
    char name[600];
    snprintf(name, sizeof name, "%s-督查发现.xlsx", title);
    export_close(r, &xe, rc, name, v ? "inspection" : "org", entity_id, org_id, NULL);
}

/* GET /inspections/:id/findings (?format=xlsx) */
void h_inspection_findings(req *r)
{
    int64_t id;
    insp_view v;
    bool xlsx;
    if (!req_id(r, 0, &id) || !req_insp(r, id, NEED_READ, &v) || !req_format_xlsx(r, &xlsx)) return;
    finding_query q = {.inspection_id = id};
    if (xlsx) {
        export_findings(r, &q, &v, v.x->title, id, v.x->org_id);
        return;
    }
    if (!req_is_api(r)) { /* the page of the findings is the inspection's */
        req_redirect(r, "/inspections/%" PRId64 "#findings", id);
        return;
    }
    finding_ctx c = {r, cJSON_AddArrayToObject(req_data(r), "findings"), &v};
    if (finding_list(r->db, &q, add_finding, &c) != CX_OK) req_failf(r, 500, "db_error", "", "读取督查发现的情况失败");
}

/* GET /orgs/:id/findings (?all=1 &format=xlsx): problem findings of the subtree not yet closed (销号). */
void h_org_findings(req *r)
{
    int64_t id;
    org o;
    bool xlsx;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_STAFF, &o) || !req_format_xlsx(r, &xlsx)) return;
    const char *all = req_query(r, "all");
    finding_query q = {.root = &o, .open_only = !(all && !strcmp(all, "1")), .limit = xlsx ? 0 : 500};
    if (xlsx) {
        export_findings(r, &q, NULL, o.name, o.id, o.id);
        return;
    }
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", q.open_only ? "未整改完成的督查问题" : "督查发现的情况");
    cJSON_AddItemToObject(d, "org", json_org(&o));
    cJSON_AddBoolToObject(d, "open_only", q.open_only);
    finding_ctx c = {r, cJSON_AddArrayToObject(d, "findings"), NULL};
    if (finding_list(r->db, &q, add_finding, &c) != CX_OK) req_failf(r, 500, "db_error", "", "读取督查发现的情况失败");
}
