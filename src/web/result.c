/* result.c: published results of a review round over HTTP (issue 19, 评议结果公布): the office's
 * preview and publication at /orgs/:id/results (round, list, minimum of valid ballots, scope), its
 * withdrawal with a reason, and the public pages /p/results (by office), /p/results/:id (the latest
 * version of a list, saying what it replaced, or that it was withdrawn and why) with an A4 print
 * view carrying the QR code of the page. A member on the 优秀 list is shown by name only (masked on
 * public pages, as contests do); nothing else about them. */
#include "web.h"
#include "../domain/text.h"
#include "../store/result.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* The lines into d: "ranked" and "apart" (样本不足) for the tables, "listed" for the 优秀 list. */
static void lines_into(cJSON *d, result_kind kind, const result_lines *l, bool public_page)
{
    cJSON *ranked = cJSON_AddArrayToObject(d, "ranked"), *apart = cJSON_AddArrayToObject(d, "apart"), *listed = cJSON_AddArrayToObject(d, "listed");
    for (int i = 0; i < l->n; i++) {
        const result_line *x = &l->v[i];
        cJSON *j = cJSON_CreateObject();
        char name[256], rate[24];
        if (public_page && kind == RL_EXCELLENT) text_mask(x->name, false, name, sizeof name);
        else snprintf(name, sizeof name, "%s", x->name);
        cJSON_AddStringToObject(j, "name", name);
        cJSON_AddStringToObject(j, "org_name", x->org_name);
        if (!public_page) json_add_i64(j, "ref_id", x->ref_id);
        if (kind == RL_EXCELLENT) {
            cJSON_AddItemToArray(listed, j);
            continue;
        }
        json_add_i64(j, "rank", x->rank);
        json_add_i64(j, "valid", x->valid);
        json_add_i64(j, "rate", x->rate);
        result_rate_text(x->rate, rate);
        cJSON_AddStringToObject(j, "rate_text", rate);
        cJSON_AddBoolToObject(j, "tied", x->rank && ((i > 0 && l->v[i - 1].rank == x->rank) || (i + 1 < l->n && l->v[i + 1].rank == x->rank)));
        cJSON_AddItemToArray(x->rank ? ranked : apart, j);
    }
    json_add_i64(d, "count", l->n);
}

static cJSON *json_pub(const result_pub *p)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", p->id);
    json_add_i64(j, "round_id", p->round_id);
    cJSON_AddStringToObject(j, "round_name", p->round_name);
    json_add_i64(j, "org_id", p->org_id);
    cJSON_AddStringToObject(j, "org_name", p->org_name);
    cJSON_AddStringToObject(j, "kind", result_kind_name(p->kind));
    cJSON_AddStringToObject(j, "kind_label", result_kind_label(p->kind));
    cJSON_AddBoolToObject(j, "is_excellent", p->kind == RL_EXCELLENT);
    cJSON_AddStringToObject(j, "scope", result_scope_name(p->scope));
    cJSON_AddStringToObject(j, "scope_label", p->kind == RL_ORGS ? result_scope_label(p->scope) : "");
    json_add_i64(j, "min_ballots", p->min_ballots);
    json_add_i64(j, "version", p->version);
    cJSON_AddStringToObject(j, "status", p->status);
    cJSON_AddBoolToObject(j, "withdrawn", !strcmp(p->status, "withdrawn"));
    cJSON_AddBoolToObject(j, "replaced", !strcmp(p->status, "replaced"));
    cJSON_AddBoolToObject(j, "current", !strcmp(p->status, "published"));
    cJSON_AddStringToObject(j, "withdraw_reason", p->withdraw_reason);
    cJSON_AddStringToObject(j, "method", p->method);
    json_add_time(j, "published_at", p->published_at);
    json_add_time(j, "withdrawn_at", p->withdrawn_at);
    json_add_time(j, "replaces_at", p->replaces_at);
    char title[512];
    snprintf(title, sizeof title, "%s %s%s", p->round_name, result_kind_label(p->kind), p->kind == RL_ORGS ? (p->scope == RSC_BRANCHES ? "（全部党支部）" : "（直属下级党组织）") : "");
    cJSON_AddStringToObject(j, "title", title);
    return j;
}

/* ---- the office: preview, publish, withdraw ---- */

typedef struct office_ctx {
    req *r;
    const org *o;
    cJSON *arr;
    int64_t want;
} office_ctx;

static int add_round(void *ctx, const review_round *rd)
{
    office_ctx *x = ctx;
    if (!path_in_subtree(x->o->path, rd->org_path)) return 0; /* a round run inside the subtree: not this office's to publish */
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", rd->id);
    cJSON_AddStringToObject(j, "name", rd->name);
    cJSON_AddStringToObject(j, "org_name", rd->org_name);
    cJSON_AddBoolToObject(j, "open", rd->open);
    cJSON_AddBoolToObject(j, "selected", rd->id == x->want);
    cJSON_AddItemToArray(x->arr, j);
    return 0;
}

static int add_pub(void *ctx, const result_pub *p)
{
    office_ctx *x = ctx;
    if (x->o && p->org_id != x->o->id) return 0;
    cJSON_AddItemToArray(x->arr, json_pub(p));
    return 0;
}

/* The office o whose results the request concerns (ROLE_OFFICE over it, active). */
static bool req_office(req *r, org *o)
{
    int64_t id;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_OFFICE, o)) return false;
    if (!o->active || !perm_may_publish_results(&r->user, o->path)) {
        req_failf(r, 404, "not_found", "id", "党组织不存在或已停用");
        return false;
    }
    return true;
}

static result_in read_in(req *r)
{
    return (result_in){req_in(r, "round_id"), req_in(r, "kind"), req_in(r, "scope"), req_in(r, "min_ballots")};
}

/* The office's page around the form: its rounds, its publications and the form as sent (a refused
 * publication is shown on the page it came from, the preview: response.c, redisplay). false after
 * failing the request. */
static bool results_page(req *r, const org *o, const result_in *in)
{
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "评议结果公布");
    cJSON_AddItemToObject(d, "org", json_org(o));
    int64_t want = 0;
    if (in->round_id) str_to_i64(in->round_id, &want);
    office_ctx c = {r, o, cJSON_AddArrayToObject(d, "rounds"), want};
    if (round_list(r->db, o, 0, 0, add_round, &c) != CX_OK) return req_failf(r, 500, "db_error", "", "读取评议轮次失败"), false;
    c.arr = cJSON_AddArrayToObject(d, "publications");
    if (result_list(r->db, o->path, add_pub, &c) != CX_OK) return req_failf(r, 500, "db_error", "", "读取评议结果失败"), false;
    cJSON *f = cJSON_AddObjectToObject(d, "form");
    const char *kind = in->kind && *in->kind ? in->kind : "windows", *scope = in->scope && *in->scope ? in->scope : "children";
    cJSON_AddStringToObject(f, "min_ballots", in->min_ballots && *in->min_ballots ? in->min_ballots : "30");
    for (int k = 0; k < RL_COUNT; k++) cJSON_AddBoolToObject(f, result_kind_name((result_kind)k), !strcmp(kind, result_kind_name((result_kind)k)));
    cJSON_AddBoolToObject(f, "branches", !strcmp(scope, "branches"));
    return true;
}

void h_results(req *r)
{
    org o;
    if (!req_office(r, &o)) return;
    result_in in = read_in(r);
    if (!results_page(r, &o, &in)) return;
    cJSON *d = req_data(r);
    /* the preview when a round is chosen */
    if (!in.round_id || !*in.round_id) return;
    result_ok ok;
    cx_err e = {0};
    if (result_check(&in, &ok, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    review_round rd;
    int g = round_get(r->db, ok.round_id, &rd);
    if (g == CX_ERR) goto fail;
    if (g == 0 || !path_in_subtree(o.path, rd.org_path)) {
        req_failf(r, 422, "invalid_round", "round_id", "评议轮次：该评议轮次不存在或不覆盖本组织");
        return;
    }
    result_lines l;
    if (result_compute(r->db, &rd, &o, &ok, &l) != CX_OK) goto fail;
    cJSON *p = cJSON_AddObjectToObject(d, "preview");
    json_add_i64(p, "round_id", rd.id);
    cJSON_AddStringToObject(p, "round_name", rd.name);
    cJSON_AddStringToObject(p, "kind", result_kind_name(ok.kind));
    cJSON_AddStringToObject(p, "kind_label", result_kind_label(ok.kind));
    cJSON_AddBoolToObject(p, "is_excellent", ok.kind == RL_EXCELLENT);
    cJSON_AddStringToObject(p, "scope", result_scope_name(ok.scope));
    json_add_i64(p, "min_ballots", ok.min_ballots);
    char method[1024];
    result_method_text(ok.kind, ok.scope, ok.min_ballots, method, sizeof method);
    cJSON_AddStringToObject(p, "method", method);
    lines_into(p, ok.kind, &l, false);
    result_lines_free(&l);
    return;
fail:
    req_failf(r, 500, "db_error", "", "读取评议结果失败");
}

void h_result_publish(req *r)
{
    org o;
    if (!req_office(r, &o)) return;
    result_in in = read_in(r);
    result_ok ok;
    cx_err e = {0};
    int64_t id = 0;
    int rc = result_check(&in, &ok, &e);
    if (rc == CX_OK) rc = result_publish(r->db, &r->who, &o, &ok, &id, &e);
    if (!req_changed(r, rc, &e, "/p/results/%" PRId64, id)) return;
    result_pub p;
    if (!req_found(r, result_get(r->db, id, &p), "id", "公布的评议结果")) return;
    r->status = 201;
    cJSON *d = req_data(r);
    cJSON *j = json_pub(&p);
    result_lines l;
    if (result_rows(r->db, id, &l) == CX_OK) {
        lines_into(j, p.kind, &l, false);
        result_lines_free(&l);
    }
    cJSON_AddItemToObject(d, "result", j);
}

/* The published list of the request's id into p when the viewer may publish it (publish) or see it
 * (its office's area); otherwise the request fails (404 as for a missing one). */
static bool req_result(req *r, bool publish, int64_t *id, result_pub *p)
{
    if (!req_id(r, 0, id)) return false;
    int f = result_get(r->db, *id, p);
    if (f == CX_ERR) {
        req_failf(r, 500, "db_error", "", "数据库错误");
        return false;
    }
    if (f == 0 || !(publish ? perm_may_publish_results(&r->user, p->org_path) : perm_may_see_results(&r->user, p->org_path))) {
        req_failf(r, 404, "not_found", "id", "公布的评议结果不存在或不在您的范围内");
        return false;
    }
    return true;
}

void h_result_withdraw(req *r)
{
    int64_t id;
    result_pub p;
    if (!req_result(r, true, &id, &p)) return;
    char reason[4 * RESULT_REASON_MAX + 1];
    cx_err e = {0};
    text_rule tr = {"reason", "撤回理由", 2, RESULT_REASON_MAX, true};
    int rc = text_check(&tr, req_in(r, "reason"), reason, sizeof reason, &e);
    if (rc != CX_OK) { /* one stable code for every way the reason is wrong, the message says which */
        e.status = 422;
        snprintf(e.code, sizeof e.code, "invalid_reason");
    }
    if (rc == CX_OK) rc = result_withdraw(r->db, &r->who, id, reason, &e);
    if (!req_changed(r, rc, &e, "/p/results/%" PRId64, id)) return;
    if (!req_found(r, result_get(r->db, id, &p), "id", "公布的评议结果")) return;
    cJSON_AddItemToObject(req_data(r), "result", json_pub(&p));
}

/* ---- public pages ---- */

static int add_public(void *ctx, const result_pub *p)
{
    office_ctx *x = ctx;
    cJSON *last = cJSON_GetArrayItem(x->arr, cJSON_GetArraySize(x->arr) - 1);
    if (!last || (int64_t)cJSON_GetObjectItem(last, "org_id")->valuedouble != p->org_id) {
        last = cJSON_CreateObject();
        json_add_i64(last, "org_id", p->org_id);
        cJSON_AddStringToObject(last, "org_name", p->org_name);
        cJSON_AddArrayToObject(last, "lists");
        cJSON_AddItemToArray(x->arr, last);
    }
    cJSON_AddItemToArray(cJSON_GetObjectItem(last, "lists"), json_pub(p));
    return 0;
}

void h_public_results(req *r)
{
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "评议结果公布");
    office_ctx c = {r, NULL, cJSON_AddArrayToObject(d, "offices"), 0};
    if (result_list(r->db, NULL, add_public, &c) != CX_OK) req_failf(r, 500, "db_error", "", "读取评议结果失败");
}

/* The page of version id (the latest of its list) into the request; public_page: as the public
 * sees it (no ids, a member's name masked). */
static void public_result(req *r, int64_t id, bool public_page)
{
    result_pub p;
    int f = result_get(r->db, id, &p);
    if (f == 1 && !strcmp(p.status, "replaced")) { /* an earlier version: the page shows the latest */
        int64_t cur = 0;
        if (db_i64(r->db, &cur, 0, "SELECT id FROM result_list WHERE round_id = ? AND org_id = ? AND kind = ? AND scope = ? AND status <> 'replaced'",
                   "iiss", p.round_id, p.org_id, result_kind_name(p.kind), result_scope_name(p.scope)) != CX_OK)
            f = CX_ERR;
        else if (cur) {
            cJSON_AddNumberToObject(req_data(r), "opened_version", p.version);
            f = result_get(r->db, cur, &p);
        }
    }
    if (f == CX_ERR) {
        req_failf(r, 500, "db_error", "", "数据库错误");
        return;
    }
    if (f == 0) {
        req_failf(r, 404, "not_found", "id", "公布的评议结果不存在");
        return;
    }
    bool print = r->rt->action == 1;
    buf url;
    buf_init(&url);
    char path[64];
    snprintf(path, sizeof path, "/p/results/%" PRId64, p.id);
    if (print && !req_public_url(r, path, &url)) {
        buf_free(&url);
        return;
    }
    char etag[80];
    snprintf(etag, sizeof etag, "\"result-%" PRId64 "-%" PRId64 "-%u\"", p.id, p.version_row, r->public_tag);
    if (!cJSON_GetObjectItem(req_data(r), "opened_version") && public_not_modified(r, etag)) {
        buf_free(&url);
        return;
    }
    cJSON *d = req_data(r);
    cJSON *j = json_pub(&p);
    cJSON_AddStringToObject(d, "title", cJSON_GetObjectItem(j, "title")->valuestring);
    if (strcmp(p.status, "withdrawn")) {
        result_lines l;
        if (result_rows(r->db, p.id, &l) != CX_OK) {
            buf_free(&url);
            req_failf(r, 500, "db_error", "", "读取评议结果失败");
            return;
        }
        lines_into(j, p.kind, &l, public_page);
        result_lines_free(&l);
    }
    cJSON_AddItemToObject(d, "result", j);
    if (print) json_add_qr(d, url.p);
    buf_free(&url);
}

void h_public_result(req *r)
{
    int64_t id;
    if (req_id(r, 0, &id)) public_result(r, id, true);
}

/* The same for staff through the API: the publishing office's area (over it or inside it). */
/* The frozen rows of p as a spreadsheet (staff: names in full). */
static void export_result(req *r, const result_pub *p)
{
    static const char *const heads[] = {"名次", "名称", "所属党组织", "有效评价", "满意率"};
    static const char *const eheads[] = {"姓名", "所在党组织"};
    bool ex = p->kind == RL_EXCELLENT;
    result_lines l;
    if (result_rows(r->db, p->id, &l) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取评议结果失败");
        return;
    }
    xlsx_export xe;
    lxw_worksheet *ws = export_open(r, &xe, result_kind_label(p->kind), ex ? eheads : heads, ex ? 2 : 5);
    if (!ws) {
        result_lines_free(&l);
        return;
    }
    for (int i = 0; i < l.n; i++) {
        const result_line *x = &l.v[i];
        lxw_row_t row = (lxw_row_t)i + 1;
        char rate[24];
        if (ex) {
            worksheet_write_string(ws, row, 0, x->name, NULL);
            worksheet_write_string(ws, row, 1, x->org_name, NULL);
            continue;
        }
        result_rate_text(x->rate, rate);
        if (x->rank) worksheet_write_number(ws, row, 0, x->rank, NULL);
        else worksheet_write_string(ws, row, 0, "样本不足", NULL);
        worksheet_write_string(ws, row, 1, x->name, NULL);
        worksheet_write_string(ws, row, 2, x->org_name, NULL);
        worksheet_write_number(ws, row, 3, (double)x->valid, NULL);
        worksheet_write_string(ws, row, 4, rate, NULL);
    }
    result_lines_free(&l);
    char name[512];
    snprintf(name, sizeof name, "%s-%s-%s-第%d版.xlsx", p->org_name, p->round_name, result_kind_label(p->kind), p->version);
    export_close(r, &xe, CX_OK, name, "result_list", p->id, p->org_id, NULL);
}

void h_result(req *r)
{
    int64_t id;
    result_pub p;
    bool xlsx = r->rt->action == 1;
    const char *fmt = req_query(r, "format");
    if (!req_result(r, false, &id, &p) || (fmt && !req_format_xlsx(r, &xlsx))) return;
    if (xlsx) export_result(r, &p);
    else public_result(r, id, false);
}
