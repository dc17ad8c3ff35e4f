/* award.c: 评选表彰 over HTTP: an office's award kinds and the form (/orgs/:id/awards), one kind
 * (/awards/:id: its rules, quota, nominations with their frozen evidence, the vote, approval and
 * revocation; ?format=xlsx the nominations), a secretary's nomination form on the same page, and
 * the same under /api/v1. Approval is its own action; its precondition is award_approvable. */
#include "web.h"
#include "../store/notice.h"
#include "../store/award.h"
#include "../domain/date.h"
#include "../domain/text.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static void add_time(cJSON *j, const char *name, int64_t t)
{
    char s[32], key[48];
    json_add_i64(j, name, t);
    time_text(t, false, s);
    snprintf(key, sizeof key, "%s_text", name);
    cJSON_AddStringToObject(j, key, t ? s : "");
}

static cJSON *json_kind(const award_kind *k)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", k->id);
    cJSON_AddStringToObject(j, "name", k->name);
    json_add_i64(j, "year", k->year);
    cJSON_AddStringToObject(j, "subject", award_subject_name(k->subject));
    cJSON_AddStringToObject(j, "subject_label", award_subject_label(k->subject));
    cJSON_AddBoolToObject(j, "share", k->share);
    json_add_i64(j, "quota", k->quota);
    json_add_i64(j, "quota_n", k->quota_n);
    if (k->eligible_n >= 0) json_add_i64(j, "eligible_n", k->eligible_n);
    char q[256];
    award_quota_text(k->share, k->quota, q, sizeof q);
    cJSON_AddStringToObject(j, "quota_rule", q);
    json_add_i64(j, "nominated", k->nlive);
    json_add_i64(j, "rules", k->nrules);
    cJSON_AddStringToObject(j, "status", award_status_name(k->status));
    cJSON_AddStringToObject(j, "status_label", award_status_label(k->status));
    for (int s = 0; s < AK_COUNT; s++) cJSON_AddBoolToObject(j, award_status_name((award_status)s), k->status == (award_status)s);
    json_add_i64(j, "org_id", k->org_id);
    cJSON_AddStringToObject(j, "org_name", k->org_name);
    cJSON_AddStringToObject(j, "created_by_name", k->created_by_name);
    add_time(j, "created_at", k->created_at);
    cJSON_AddStringToObject(j, "vote_rule", AWARD_VOTE_RULE);
    return j;
}

/* ---- the list of an organisation, the form ---- */

typedef struct list_ctx {
    req *r;
    cJSON *arr;
} list_ctx;

static int add_listed(void *ctx, const award_kind *k)
{
    list_ctx *x = ctx;
    bool runs = perm_may_run_awards(&x->r->user, k->org_path);
    if (!runs && (k->status == AK_DRAFT || !perm_may_see_award(&x->r->user, k->org_path))) return 0;
    cJSON *j = json_kind(k);
    cJSON_AddBoolToObject(j, "can_run", runs);
    cJSON_AddItemToArray(x->arr, j);
    return 0;
}

void h_awards(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_STAFF, &o)) return;
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "评选表彰");
    cJSON_AddItemToObject(d, "org", json_org(&o));
    list_ctx c = {r, cJSON_AddArrayToObject(d, "awards")};
    if (award_list(r->db, o.path, add_listed, &c) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取评选表彰失败");
        return;
    }
    cJSON_AddBoolToObject(d, "can_create", o.active && perm_may_run_awards(&r->user, o.path));
    char today[11];
    date_today(today);
    today[4] = 0;
    cJSON_AddStringToObject(d, "this_year", today);
}

void h_award_create(req *r)
{
    int64_t id, nid = 0;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_OFFICE, &o)) return;
    if (!o.active || !perm_may_run_awards(&r->user, o.path)) {
        req_failf(r, 404, "not_found", "id", "党组织不存在或已停用");
        return;
    }
    award_in in = {req_in(r, "name"), req_in(r, "subject"), req_in(r, "year"), req_in(r, "quota")};
    award_ok ok;
    cx_err e = {0};
    int rc = award_check(&in, &ok, &e);
    if (rc == CX_OK) rc = award_create(r->db, &r->who, &o, &ok, &nid, &e);
    if (!req_changed(r, rc, &e, "/awards/%" PRId64, nid)) return;
    award_kind k;
    if (!req_found(r, award_get(r->db, nid, &k), "id", "评选表彰")) return;
    r->status = 201;
    cJSON_AddItemToObject(req_data(r), "award", json_kind(&k));
}

/* ---- one kind ---- */

typedef struct award_view {
    award_kind k;
    bool runs;
} award_view;

/* Loads kind id: 404 (as for a missing one) unless the viewer runs it, or (not a draft) works in its area. */
static award_view *req_award(req *r)
{
    int64_t id;
    if (!req_id(r, 0, &id)) return NULL;
    award_view *v = req_keep(r, xcalloc(1, sizeof *v));
    int f = award_get(r->db, id, &v->k);
    if (f == CX_ERR) {
        req_failf(r, 500, "db_error", "", "数据库错误");
        return NULL;
    }
    if (f == 1) {
        v->runs = perm_may_run_awards(&r->user, v->k.org_path);
        if (v->runs || (v->k.status != AK_DRAFT && perm_may_see_award(&r->user, v->k.org_path))) return v;
    }
    req_failf(r, 404, "not_found", "id", "评选表彰不存在或不在您的范围内");
    return NULL;
}

static award_view *req_award_run(req *r)
{
    award_view *v = req_award(r);
    if (v && !v->runs) {
        req_failf(r, 404, "not_found", "id", "评选表彰不存在或不在您的范围内");
        return NULL;
    }
    return v;
}

static int add_rule(void *ctx, const award_rule_row *x)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "rule", award_rule_name(x->rule));
    cJSON_AddStringToObject(j, "label", award_rule_label(x->rule));
    cJSON_AddStringToObject(j, "param", x->param);
    cJSON_AddItemToArray(ctx, j);
    return 0;
}

/* A nomination as JSON; its 公示 (notice) read from d for those passed by the vote or later. */
static cJSON *json_nomination(db *d, const nomination *n, bool runs, award_status ks)
{
    nomination_notice nn = {NRS_NONE, 0, ""};
    cx_err ne = {0};
    if (n->status == AN_PASSED || n->status == AN_AWARDED || n->status == AN_REVOKED) (void)nomination_notice_get(d, n->id, &nn, &ne);
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", n->id);
    json_add_i64(j, "kind_id", n->kind_id);
    cJSON_AddStringToObject(j, "subject_kind", award_subject_name(n->subject));
    json_add_i64(j, "subject_id", n->subject_id);
    cJSON_AddStringToObject(j, "subject_name", n->subject_name);
    json_add_i64(j, "org_id", n->org_id);
    cJSON_AddStringToObject(j, "org_name", n->org_name);
    json_add_i64(j, "nominator_org_id", n->nominator_org_id);
    cJSON_AddStringToObject(j, "nominator_name", n->nominator_name);
    cJSON_AddStringToObject(j, "reason", n->reason);
    cJSON_AddStringToObject(j, "status", nomination_status_name(n->status));
    cJSON_AddStringToObject(j, "status_label", nomination_status_label(n->status));
    cJSON *ev = cJSON_Parse(n->evidence ? n->evidence : "[]");
    cJSON_AddItemToObject(j, "evidence", ev ? ev : cJSON_CreateArray());
    bool voted = n->vote_entitled > 0;
    cJSON_AddBoolToObject(j, "voted", voted);
    if (voted) {
        cJSON *v = cJSON_AddObjectToObject(j, "vote");
        json_add_i64(v, "for", n->vote_for);
        json_add_i64(v, "against", n->vote_against);
        json_add_i64(v, "abstain", n->vote_abstain);
        json_add_i64(v, "entitled", n->vote_entitled);
        cJSON_AddStringToObject(v, "date", n->vote_date);
        cJSON_AddStringToObject(v, "note", n->vote_note);
        cJSON_AddBoolToObject(v, "passed", award_vote_passed(n->vote_for, n->vote_entitled));
    }
    if (n->approved_at) add_time(j, "approved_at", n->approved_at), cJSON_AddStringToObject(j, "approved_by_name", n->approved_by_name);
    if (n->revoked_at) add_time(j, "revoked_at", n->revoked_at), cJSON_AddStringToObject(j, "revoke_reason", n->revoke_reason);
    cJSON_AddStringToObject(j, "created_by_name", n->created_by_name);
    add_time(j, "created_at", n->created_at);
    cJSON_AddBoolToObject(j, "can_vote", runs && ks == AK_CLOSED && n->status == AN_NOMINATED);
    if (nn.state != NRS_NONE) {
        cJSON *no = cJSON_AddObjectToObject(j, "notice");
        json_add_i64(no, "id", nn.notice_id);
        cJSON_AddStringToObject(no, "state", notice_ref_state_name(nn.state));
        cJSON_AddStringToObject(no, "state_label", notice_ref_state_label(nn.state));
        cJSON_AddStringToObject(no, "end_date", nn.end_date);
    }
    cJSON_AddBoolToObject(j, "awaits_notice", n->status == AN_PASSED && nn.state == NRS_NONE);
    cJSON_AddBoolToObject(j, "can_approve", runs && (ks == AK_CLOSED || ks == AK_DONE) && n->status == AN_PASSED && nn.state == NRS_CLEAR);
    cJSON_AddBoolToObject(j, "can_revoke", runs && n->status == AN_AWARDED);
    return j;
}

typedef struct nom_ctx {
    req *r;
    const award_view *v;
    cJSON *arr;
} nom_ctx;

static int add_nom(void *ctx, const nomination *n)
{
    nom_ctx *x = ctx;
    if (!x->v->runs && !perm_may_see_nomination(&x->r->user, x->v->k.org_path, n->org_path)) return 0;
    cJSON *j = json_nomination(x->r->db, n, x->v->runs, x->v->k.status);
    cJSON_AddBoolToObject(j, "can_withdraw", x->v->k.status == AK_OPEN && n->status == AN_NOMINATED &&
                                                 (x->v->runs || perm_allows(&x->r->user, ROLE_ADMIN, n->org_path)));
    cJSON_AddItemToArray(x->arr, j);
    return 0;
}

static int add_candidate(void *ctx, const candidate *c)
{
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", c->id);
    char l[600];
    if (strcmp(c->name, c->org_name)) snprintf(l, sizeof l, "%s（%s）", c->name, c->org_name);
    else snprintf(l, sizeof l, "%s", c->name);
    cJSON_AddStringToObject(o, "label", l);
    cJSON_AddItemToArray(ctx, o);
    return 0;
}

static int add_alloc(void *ctx, const award_alloc *x);

static void export_nominations(req *r, const award_view *v, cJSON *arr)
{
    static const char *const heads[] = {"推荐对象", "所在组织", "推荐组织", "推荐理由", "评选条件核验", "状态", "赞成", "反对", "弃权", "应到", "表决日期"};
    xlsx_export xe;
    lxw_worksheet *ws = export_open(r, &xe, "推荐名单", heads, 11);
    if (!ws) return;
    lxw_row_t row = 1;
    cJSON *n;
    cJSON_ArrayForEach(n, arr)
    {
        const char *cols[] = {"subject_name", "org_name", "nominator_name", "reason"};
        for (int i = 0; i < 4; i++) worksheet_write_string(ws, row, (lxw_col_t)i, cJSON_GetStringValue(cJSON_GetObjectItem(n, cols[i])), NULL);
        buf ev;
        buf_init(&ev);
        cJSON *x;
        cJSON_ArrayForEach(x, cJSON_GetObjectItem(n, "evidence"))
            buf_printf(&ev, "%s%s：%s", ev.len ? "\n" : "", cJSON_GetStringValue(cJSON_GetObjectItem(x, "label")),
                       cJSON_GetStringValue(cJSON_GetObjectItem(x, "evidence")));
        worksheet_write_string(ws, row, 4, ev.p ? ev.p : "", NULL);
        buf_free(&ev);
        worksheet_write_string(ws, row, 5, cJSON_GetStringValue(cJSON_GetObjectItem(n, "status_label")), NULL);
        cJSON *vo = cJSON_GetObjectItem(n, "vote");
        if (vo) {
            const char *vc[] = {"for", "against", "abstain", "entitled"};
            for (int i = 0; i < 4; i++) worksheet_write_number(ws, row, (lxw_col_t)(6 + i), json_get_i64(vo, vc[i]), NULL);
            worksheet_write_string(ws, row, 10, cJSON_GetStringValue(cJSON_GetObjectItem(vo, "date")), NULL);
        }
        row++;
    }
    char name[320];
    snprintf(name, sizeof name, "%d-%s-推荐名单.xlsx", v->k.year, v->k.name);
    export_close(r, &xe, CX_OK, name, "award", v->k.id, v->k.org_id, NULL);
}

void h_award(req *r)
{
    award_view *v = req_award(r);
    bool xlsx = false;
    const char *fmt = req_query(r, "format");
    if (!v || (fmt && !req_format_xlsx(r, &xlsx))) return;
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", v->k.name);
    cJSON_AddItemToObject(d, "award", json_kind(&v->k));
    cJSON_AddBoolToObject(d, "runs", v->runs);
    bool draft = v->k.status == AK_DRAFT;
    cJSON_AddBoolToObject(d, "can_setup", v->runs && draft);
    cJSON_AddBoolToObject(d, "can_open", v->runs && draft);
    cJSON_AddBoolToObject(d, "can_close", v->runs && v->k.status == AK_OPEN);
    cJSON_AddBoolToObject(d, "can_finish", v->runs && v->k.status == AK_CLOSED);
    nom_ctx nc = {r, v, cJSON_CreateArray()};
    if (award_rules(r->db, v->k.id, add_rule, cJSON_AddArrayToObject(d, "rules")) != CX_OK ||
        award_allocs(r->db, v->k.id, add_alloc, cJSON_AddArrayToObject(d, "allocations")) != CX_OK ||
        award_nominations(r->db, v->k.id, add_nom, &nc) != CX_OK) {
        cJSON_Delete(nc.arr);
        req_failf(r, 500, "db_error", "", "读取评选表彰失败");
        return;
    }
    if (xlsx) {
        export_nominations(r, v, nc.arr);
        cJSON_Delete(nc.arr);
        return;
    }
    cJSON_AddItemToObject(d, "nominations", nc.arr);
    cJSON_AddBoolToObject(d, "has_nominations", cJSON_GetArraySize(nc.arr) > 0);
    bool awaits = false;
    cJSON *it;
    cJSON_ArrayForEach(it, nc.arr) awaits = awaits || cJSON_IsTrue(cJSON_GetObjectItem(it, "awaits_notice"));
    cJSON_AddBoolToObject(d, "can_notice", v->runs && v->k.status == AK_CLOSED && awaits);
    if (draft && v->runs) {
        cJSON *all = cJSON_AddArrayToObject(d, "rule_options");
        for (int i = 0; i < AR_COUNT; i++) {
            if ((i == AR_REPORTS_ON_TIME && v->k.subject != AWS_ORG) || (i == AR_ATTENDANCE_MIN && v->k.subject != AWS_MEMBER)) continue;
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "rule", award_rule_name((award_rule)i));
            cJSON_AddStringToObject(o, "label", award_rule_label((award_rule)i));
            cJSON_AddItemToArray(all, o);
        }
    }
    /* the nomination form: each grant the viewer nominates through within the kind's scope */
    if (v->k.status == AK_OPEN) {
        cJSON *cands = cJSON_CreateArray();
        for (int i = 0; i < r->user.ngrants; i++) {
            const grant *g = &r->user.grants[i];
            if (!(g->role & ROLE_ADMIN) || !(path_in_subtree(g->path, v->k.org_path) || path_in_subtree(v->k.org_path, g->path))) continue;
            if (award_candidates(r->db, &v->k, g->path, add_candidate, cands) != CX_OK) {
                cJSON_Delete(cands);
                req_failf(r, 500, "db_error", "", "读取候选对象失败");
                return;
            }
        }
        bool can = cJSON_GetArraySize(cands) > 0;
        cJSON_AddBoolToObject(d, "can_nominate", can);
        cJSON_AddItemToObject(d, "candidates", cands);
        char left[64];
        snprintf(left, sizeof left, "%d", v->k.quota_n - v->k.nlive > 0 ? v->k.quota_n - v->k.nlive : 0);
        cJSON_AddStringToObject(d, "places_left", left);
    }
    char today[11];
    date_today(today);
    cJSON_AddStringToObject(d, "today", today);
}

static void done(req *r, int rc, const cx_err *e, int64_t id, int status)
{
    if (!req_changed(r, rc, e, "/awards/%" PRId64, id)) return;
    award_kind k;
    if (!req_found(r, award_get(r->db, id, &k), "id", "评选表彰")) return;
    r->status = status;
    cJSON_AddItemToObject(req_data(r), "award", json_kind(&k));
}

/* POST /awards/:id/rules (action 0: set rule, param) and /rules/remove (action 1: rule). */
void h_award_rule(req *r)
{
    award_view *v = req_award_run(r);
    if (!v) return;
    cx_err e = {0};
    const char *rule = req_in(r, "rule"), *param = req_in(r, "param");
    if ((rule && !strcmp(rule, "\x01")) || (param && !strcmp(param, "\x01"))) { /* a JSON value that is no text */
        req_failf(r, 422, rule && !strcmp(rule, "\x01") ? "invalid_rule" : "invalid_param", rule && !strcmp(rule, "\x01") ? "rule" : "param",
                  "评选条件及其参数应为文本，如 {\"rule\": \"satisfaction_min\", \"param\": \"90/30\"}");
        return;
    }
    int rc = r->rt->action ? award_rule_remove(r->db, &r->who, v->k.id, req_in(r, "rule"), &e)
                           : award_rule_set(r->db, &r->who, v->k.id, req_in(r, "rule"), req_in(r, "param"), &e);
    done(r, rc, &e, v->k.id, r->rt->action ? 200 : 201);
    if (rc == CX_OK && req_is_api(r) && award_rules(r->db, v->k.id, add_rule, cJSON_AddArrayToObject(req_data(r), "rules")) != CX_OK)
        req_failf(r, 500, "db_error", "", "读取评选条件失败");
}

/* POST /awards/:id/allocations: org_id, places (0 removes) */
void h_award_alloc(req *r)
{
    award_view *v = req_award_run(r);
    if (!v) return;
    int64_t oid = 0, places = -1;
    if (!req_opt_id(r, "org_id", "党组织编号", &oid)) return;
    const char *p = req_in(r, "places");
    cx_err e = {0};
    int rc = !oid ? cx_fail(&e, 422, "invalid_org", "org_id", "请选择分配名额的党组织")
           : !p || str_to_i64(p, &places) != CX_OK || places < 0 || places > AWARD_QUOTA_MAX
               ? cx_fail(&e, 422, "invalid_places", "places", "分配名额应为 0–%d 的整数（0 为取消分配）", AWARD_QUOTA_MAX)
               : award_alloc_set(r->db, &r->who, v->k.id, oid, (int)places, &e);
    done(r, rc, &e, v->k.id, 200);
}

static int add_alloc(void *ctx, const award_alloc *x)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "org_id", x->org_id);
    cJSON_AddStringToObject(j, "org_name", x->org_name);
    json_add_i64(j, "places", x->places);
    json_add_i64(j, "used", x->used);
    cJSON_AddItemToArray(ctx, j);
    return 0;
}

/* POST /awards/:id/open|close|finish (.action: the status it moves to) */
void h_award_step(req *r)
{
    award_view *v = req_award_run(r);
    if (!v) return;
    cx_err e = {0};
    int a = r->rt->action;
    int rc = a == AK_OPEN ? award_open(r->db, &r->who, v->k.id, &e)
           : a == AK_CLOSED ? award_close(r->db, &r->who, v->k.id, &e)
                            : award_finish(r->db, &r->who, v->k.id, &e);
    done(r, rc, &e, v->k.id, 200);
}

/* POST /awards/:id/notice: 公示 of the passed nominations not yet on a notice (workdays: 1..30,
 * empty for the default 5). */
void h_award_notice(req *r)
{
    award_view *v = req_award_run(r);
    if (!v) return;
    const char *w = req_in(r, "workdays");
    int days = 0;
    if (w && *w) {
        char *end = NULL;
        long x = strtol(w, &end, 10);
        if (*end || x < 1 || x > NOTICE_WORKDAYS_MAX) {
            req_failf(r, 422, "invalid_workdays", "workdays", "公示期应为 1 至 %d 个工作日（留空为 5 个工作日）", NOTICE_WORKDAYS_MAX);
            return;
        }
        days = (int)x;
    }
    cx_err e = {0};
    int64_t nid = 0;
    int rc = award_notice(r->db, &r->who, v->k.id, NULL, days, &nid, &e);
    done(r, rc, &e, v->k.id, 201);
    if (rc == CX_OK && req_is_api(r)) json_add_i64(req_data(r), "notice_id", nid);
}

/* POST /awards/:id/nominations: subject_id, reason (org_id: the nominating organisation, when the
 * viewer could nominate through several). */
void h_award_nominate(req *r)
{
    award_view *v = req_award(r);
    if (!v) return;
    int64_t sid = 0, oid = 0, nid = 0;
    if (!req_opt_id(r, "subject_id", "推荐对象编号", &sid) || !req_opt_id(r, "org_id", "推荐组织编号", &oid)) return;
    cx_err e = {0};
    if (!sid) {
        req_failf(r, 422, "invalid_candidate", "subject_id", "请选择推荐对象");
        return;
    }
    /* the candidate's organisation decides which grant nominates; an unknown candidate gets none */
    char cpath[CX_PATH_MAX] = "";
    int64_t corg = 0;
    if (db_i64(r->db, &corg, 0, v->k.subject == AWS_MEMBER ? "SELECT org_id FROM member WHERE id = ?" : "SELECT id FROM org WHERE id = ?", "i", sid) !=
        CX_OK) {
        req_failf(r, 500, "db_error", "", "数据库错误");
        return;
    }
    org co = {0}, nominator = {0};
    if (corg && org_get(r->db, corg, &co) == 1) snprintf(cpath, sizeof cpath, "%s", co.path);
    const grant *g = cpath[0] ? perm_award_nominator(&r->user, v->k.org_path, cpath) : NULL;
    if (oid) {
        int f = org_get(r->db, oid, &nominator);
        if (f == CX_ERR) {
            req_failf(r, 500, "db_error", "", "数据库错误");
            return;
        }
        if (f != 1 || !perm_allows(&r->user, ROLE_ADMIN, nominator.path) || !path_in_subtree(nominator.path, v->k.org_path)) {
            req_failf(r, 422, "invalid_org", "org_id", "推荐组织应为您负责的、在本项评选范围内的党组织");
            return;
        }
    } else if (g) {
        if (!req_found(r, org_get(r->db, g->org_id, &nominator), "org_id", "推荐组织")) return;
    } else {
        /* no grant of the viewer covers this candidate within the kind's scope: 404 to one who
         * nominates nowhere in it, as for a kind outside their area */
        bool any = v->runs;
        for (int i = 0; i < r->user.ngrants; i++)
            any = any || ((r->user.grants[i].role & ROLE_ADMIN) && path_in_subtree(r->user.grants[i].path, v->k.org_path));
        if (!any) {
            req_failf(r, 404, "not_found", "id", "评选表彰不存在或不在您的范围内");
            return;
        }
        req_failf(r, 422, "invalid_candidate", "subject_id", "编号 %" PRId64 " 不是您负责的组织可以推荐的在册%s", sid, award_subject_label(v->k.subject));
        return;
    }
    int rc = award_nominate(r->db, &r->who, v->k.id, &nominator, sid, req_in(r, "reason"), &nid, &e);
    if (!req_changed(r, rc, &e, "/awards/%" PRId64 "#nominations", v->k.id)) return;
    nomination n;
    if (!req_found(r, nomination_get(r->db, nid, &n), "id", "推荐")) return;
    r->status = 201;
    cJSON_AddItemToObject(req_data(r), "nomination", json_nomination(r->db, &n, v->runs, v->k.status));
    nomination_free(&n);
}

enum { NA_WITHDRAW = 0, NA_VOTE, NA_APPROVE, NA_REVOKE };

/* POST /award-nominations/:id/withdraw|vote|approve|revoke (.action NA_*) */
void h_nomination_act(req *r)
{
    int64_t id;
    if (!req_id(r, 0, &id)) return;
    nomination n;
    award_kind k;
    int f = nomination_get(r->db, id, &n);
    if (f == 1) f = award_get(r->db, n.kind_id, &k);
    if (f == CX_ERR) {
        nomination_free(&n);
        req_failf(r, 500, "db_error", "", "数据库错误");
        return;
    }
    int a = r->rt->action;
    bool runs = f == 1 && perm_may_run_awards(&r->user, k.org_path);
    char nominator_path[CX_PATH_MAX] = "";
    org no;
    if (f == 1 && org_get(r->db, n.nominator_org_id, &no) == 1) snprintf(nominator_path, sizeof nominator_path, "%s", no.path);
    bool may = a == NA_WITHDRAW ? f == 1 && perm_may_withdraw_nomination(&r->user, k.org_path, nominator_path) : runs;
    nomination_free(&n);
    if (!may) {
        req_failf(r, 404, "not_found", "id", "推荐不存在或不在您的范围内");
        return;
    }
    cx_err e = {0};
    int rc;
    if (a == NA_WITHDRAW) rc = nomination_withdraw(r->db, &r->who, id, &e);
    else if (a == NA_APPROVE) rc = nomination_approve(r->db, &r->who, id, &e);
    else if (a == NA_REVOKE) rc = nomination_revoke(r->db, &r->who, id, req_in(r, "reason"), &e);
    else {
        char today[11];
        date_today(today);
        vote_in in = {req_in(r, "for"), req_in(r, "against"), req_in(r, "abstain"), req_in(r, "entitled"), req_in(r, "date"), req_in(r, "note")};
        vote_ok vo;
        rc = award_vote_check(&in, today, &vo, &e);
        if (rc == CX_OK) rc = nomination_vote(r->db, &r->who, id, &vo, &e);
    }
    if (!req_changed(r, rc, &e, "/awards/%" PRId64 "#nomination-%" PRId64, k.id, id)) return;
    if (!req_found(r, nomination_get(r->db, id, &n), "id", "推荐")) return;
    award_kind now;
    award_status ks = award_get(r->db, n.kind_id, &now) == 1 ? now.status : k.status;
    cJSON_AddItemToObject(req_data(r), "nomination", json_nomination(r->db, &n, runs, ks));
    nomination_free(&n);
}

/* ---- honours, for the card, the board and the member page ---- */

typedef struct honour_ctx {
    cJSON *arr;
    bool staff;
} honour_ctx;

static int add_honour(void *ctx, const honour *h)
{
    honour_ctx *x = ctx;
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "name", h->name);
    json_add_i64(j, "year", h->year);
    cJSON_AddStringToObject(j, "office", h->office);
    cJSON_AddStringToObject(j, "subject_kind", award_subject_name(h->subject));
    if (x->staff) {
        json_add_i64(j, "award_id", h->kind_id);
        cJSON_AddBoolToObject(j, "revoked", h->revoked);
        if (h->revoked) cJSON_AddStringToObject(j, "revoke_reason", h->revoke_reason);
    }
    cJSON_AddItemToArray(x->arr, j);
    return 0;
}

int honours_json(db *d, bool is_org, int64_t id, bool staff, cJSON *arr)
{
    honour_ctx x = {arr, staff};
    return award_honours(d, is_org ? AWS_ORG : AWS_MEMBER, id, staff, add_honour, &x);
}

typedef struct board_ctx {
    cJSON *own, *members;
} board_ctx;

static int add_board_honour(void *ctx, const honour *h)
{
    board_ctx *x = ctx;
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "name", h->name);
    json_add_i64(j, "year", h->year);
    cJSON_AddStringToObject(j, "office", h->office);
    if (h->subject == AWS_MEMBER) cJSON_AddStringToObject(j, "member_name", h->subject_name);
    cJSON_AddItemToArray(h->subject == AWS_ORG ? x->own : x->members, j);
    return 0;
}

int board_honours_json(db *d, int64_t org_id, cJSON *own, cJSON *members)
{
    board_ctx x = {own, members};
    return award_board_honours(d, org_id, add_board_honour, &x);
}
