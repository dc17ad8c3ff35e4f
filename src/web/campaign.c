/* campaign.c: a campaign (创先争优活动) as a whole, pages and API: starting one, the campaigns that
 * cover an organisation, its settings page (phases, grading rules, standard sets, carriers) and
 * their edits. */
#include "review_int.h"
#include "../store/campaign.h"
#include "../store/standard.h"
#include "../store/carrier.h" /* carrier items (issue 22) */
#include "../store/grading.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* POST /api/v1/orgs/:id/campaigns: the office starts a campaign for its subtree. */
void h_campaign_create(req *r)
{
    int64_t id, cid;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_OFFICE, &o)) return;
    cx_err e = {0};
    campaign_ok in;
    if (campaign_check(&(campaign_in){req_in(r, "theme"), req_in(r, "start_date"), req_in(r, "end_date")}, &in, &e) != CX_OK ||
        campaign_create(r->db, &r->who, id, &in, &cid, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (!req_is_api(r)) {
        req_redirect(r, "/orgs/%" PRId64 "/pledges", id);
        return;
    }
    r->status = 201;
    cJSON *c = cJSON_AddObjectToObject(req_data(r), "campaign");
    json_add_i64(c, "id", cid);
}

/* GET /api/v1/orgs/:id/campaigns: the campaigns that cover the organisation. */
void h_org_campaigns(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ANY, &o)) return;
    if (review_campaigns_for(r->db, &o, add_campaign, cJSON_AddArrayToObject(req_data(r), "campaigns")) != CX_OK) db_failed(r);
}

static cJSON *json_set(const standard_set *s)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", s->id);
    cJSON_AddStringToObject(j, "code", s->code);
    cJSON_AddStringToObject(j, "name", s->name);
    cJSON_AddStringToObject(j, "target", s->target);
    cJSON_AddStringToObject(j, "target_label", !strcmp(s->target, "org") ? "党组织" : "党员");
    cJSON_AddBoolToObject(j, "builtin", s->builtin);
    cJSON *items = cJSON_AddArrayToObject(j, "items");
    for (int i = 0; i < s->nitems; i++) {
        cJSON *x = cJSON_CreateObject();
        json_add_i64(x, "seq", s->items[i].seq);
        cJSON_AddStringToObject(x, "title", s->items[i].title);
        cJSON_AddStringToObject(x, "body", s->items[i].body);
        cJSON_AddItemToArray(items, x);
    }
    return j;
}

typedef struct campaign_ctx {
    req *r;
    cJSON *arr;
    int64_t org_set, member_set, campaign_id;
} campaign_ctx;

static int add_phase(void *ctx, const campaign_phase *p)
{
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "id", p->id);
    json_add_i64(x, "seq", p->seq);
    cJSON_AddStringToObject(x, "name", p->name);
    cJSON_AddStringToObject(x, "start_date", p->start_date);
    cJSON_AddStringToObject(x, "end_date", p->end_date);
    cJSON_AddItemToArray(ctx, x);
    return 0;
}

static int add_set(void *vctx, const standard_set *s)
{
    campaign_ctx *c = vctx;
    cJSON *j = json_set(s);
    cJSON_AddBoolToObject(j, "used", s->id == c->org_set || s->id == c->member_set);
    cJSON_AddBoolToObject(j, "is_org", !strcmp(s->target, "org"));
    cJSON_AddBoolToObject(j, "selected", s->id == (!strcmp(s->target, "org") ? c->org_set : c->member_set));
    cJSON_AddItemToArray(c->arr, j);
    return 0;
}

static int add_carrier(void *vctx, const carrier *k)
{
    campaign_ctx *c = vctx;
    org o = {0};
    /* carriers of the campaign in the part of its subtree this user may see */
    if (k->campaign_id == c->campaign_id && org_get(c->r->db, k->org_id, &o) == 1 && perm_allows(&c->r->user, ROLE_ANY, o.path))
        cJSON_AddItemToArray(c->arr, json_carrier(k));
    return 0;
}

bool req_campaign(req *r, campaign *c, char path[CX_PATH_MAX])
{
    int64_t id;
    if (!req_id(r, 0, &id)) return false;
    int f = review_campaign_get(r->db, id, c, path);
    if (f == CX_ERR) {
        db_failed(r);
        return false;
    }
    if (f == 0 || !perm_may_see_area(&r->user, path)) {
        req_failf(r, 404, "not_found", "id", "创先争优活动不存在或不在您的范围内");
        return false;
    }
    return true;
}

/* GET /campaigns/:id: the campaign with its phases, grading rules, standard sets and carriers. */
void h_campaign(req *r)
{
    campaign c;
    char path[CX_PATH_MAX];
    if (!req_campaign(r, &c, path)) return;
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", c.theme);
    cJSON *cj = cJSON_AddObjectToObject(d, "campaign");
    json_add_i64(cj, "id", c.id);
    json_add_i64(cj, "org_id", c.org_id);
    cJSON_AddStringToObject(cj, "theme", c.theme);
    cJSON_AddStringToObject(cj, "start_date", c.start_date);
    cJSON_AddStringToObject(cj, "end_date", c.end_date);
    cJSON_AddBoolToObject(d, "can_edit", perm_may_run_campaign(&r->user, path));
    phase_list(r->db, c.id, add_phase, cJSON_AddArrayToObject(d, "phases"));
    review_rules rules;
    campaign_ctx cc = {.r = r, .campaign_id = c.id};
    /* no rule row yet is no error: the defaults */
    if (!req_found(r, rules_get(r->db, c.id, &rules, &cc.org_set, &cc.member_set) == CX_ERR ? CX_ERR : 1, "id", "活动规则")) return;
    cJSON_AddItemToObject(d, "rules", review_rules_json(&rules, cc.org_set, cc.member_set));
    cJSON *fields = cJSON_AddArrayToObject(d, "rule_fields");
    for (int i = 0; i < rule_nfields; i++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "name", rule_fields[i].name);
        cJSON_AddStringToObject(x, "label", rule_fields[i].label);
        cJSON_AddBoolToObject(x, "flag", rule_fields[i].flag);
        json_add_i64(x, "value", rule_get(&rules, i));
        cJSON_AddItemToArray(fields, x);
    }
    cc.arr = cJSON_AddArrayToObject(d, "standards");
    standard_list(r->db, add_set, &cc);
    org root;
    cc.arr = cJSON_AddArrayToObject(d, "carriers");
    if (org_get(r->db, c.org_id, &root) == 1) carrier_list(r->db, &root, true, add_carrier, &cc);
}

/* Reads an integer rule value; false (request failed) when it is not an integer. */
static bool rule_in(req *r, int i, review_rules *rules)
{
    const char *v = req_in(r, rule_fields[i].name);
    if (!v) {
        /* a form posts checkboxes only when ticked */
        if (rule_fields[i].flag && !req_is_api(r) && req_in(r, "_rules_form")) rule_set(rules, i, 0);
        return true;
    }
    int64_t x;
    if (rule_fields[i].flag && (!strcmp(v, "true") || !strcmp(v, "on"))) x = 1;
    else if (rule_fields[i].flag && !strcmp(v, "false")) x = 0;
    else if (str_to_i64(v, &x) != CX_OK || x < -1000000 || x > 1000000) {
        req_failf(r, 400, "invalid_rules", rule_fields[i].name, "%s应为整数", rule_fields[i].label);
        return false;
    }
    rule_set(rules, i, (int)x);
    return true;
}

/* PATCH /api/v1/campaigns/:id/rules, POST /campaigns/:id/rules: the office edits the grading rules. */
void h_campaign_rules(req *r)
{
    campaign c;
    char path[CX_PATH_MAX];
    if (!req_campaign(r, &c, path)) return;
    if (!perm_may_run_campaign(&r->user, path)) {
        req_failf(r, 403, "forbidden", "", "只有该活动所属组织（或其上级）的活动办公室可以修改评定规则");
        return;
    }
    review_rules rules;
    int64_t os = 0, ms = 0;
    if (rules_get(r->db, c.id, &rules, &os, &ms) == CX_ERR) {
        db_failed(r);
        return;
    }
    for (int i = 0; i < rule_nfields; i++)
        if (!rule_in(r, i, &rules)) return;
    int64_t nos, nms;
    if (!opt_id(r, "org_set_id", &nos) || !opt_id(r, "member_set_id", &nms)) return;
    cx_err e = {0};
    if (rules_set(r->db, &r->who, c.id, &rules, nos ? nos : os, nms ? nms : ms, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (done_redirect(r, "/campaigns/%" PRId64 "#rules", c.id)) return;
    if (!req_found(r, rules_get(r->db, c.id, &rules, &os, &ms) == CX_ERR ? CX_ERR : 1, "id", "活动规则")) return;
    cJSON_AddItemToObject(req_data(r), "rules", review_rules_json(&rules, os, ms));
}

/* POST /api/v1/campaigns/:id/phases (phase_id edits one), PATCH the same: phases of the campaign. */
void h_campaign_phase(req *r)
{
    campaign c;
    char path[CX_PATH_MAX];
    if (!req_campaign(r, &c, path)) return;
    if (!perm_may_run_campaign(&r->user, path)) {
        req_failf(r, 403, "forbidden", "", "只有该活动所属组织（或其上级）的活动办公室可以设置活动阶段");
        return;
    }
    int64_t pid, nid = 0;
    if (!opt_id(r, "phase_id", &pid)) return;
    if (!pid && !strcmp(r->method, "PATCH")) {
        req_failf(r, 400, "required", "phase_id", "修改阶段须提供 phase_id");
        return;
    }
    cx_err e = {0};
    phase_ok in;
    if (phase_check(&(phase_in){req_in(r, "name"), req_in(r, "start_date"), req_in(r, "end_date")}, &in, &e) != CX_OK ||
        phase_save(r->db, &r->who, c.id, pid, &in, &nid, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (done_redirect(r, "/campaigns/%" PRId64 "#phases", c.id)) return;
    if (!pid) r->status = 201;
    cJSON *d = req_data(r);
    json_add_i64(d, "phase_id", nid);
    phase_list(r->db, c.id, add_phase, cJSON_AddArrayToObject(d, "phases"));
}

static int add_set_plain(void *ctx, const standard_set *s)
{
    cJSON_AddItemToArray(ctx, json_set(s));
    return 0;
}

/* GET /api/v1/standards: every standard set with its items. */
void h_standards(req *r)
{
    if (standard_list(r->db, add_set_plain, cJSON_AddArrayToObject(req_data(r), "standards")) != CX_OK) db_failed(r);
}

/* POST /api/v1/standards {code, name, target, items: [{title, body}]}; the page posts items_text,
 * one item a line, "标题：内容". */
void h_standard_create(req *r)
{
    const char *titles[STD_MAX_ITEMS + 1], *bodies[STD_MAX_ITEMS + 1];
    int n = 0;
    if (!standard_items_in(r, titles, bodies, &n)) return;
    const grant *g = perm_top_grant(&r->user, ROLE_OFFICE);
    int64_t id = 0;
    cx_err e = {0};
    standard_ok *in = req_keep(r, xmalloc(sizeof *in));
    if (standard_check(&(standard_in){req_in(r, "code"), req_in(r, "name"), req_in(r, "target"), titles, bodies, n}, in, &e) != CX_OK ||
        standard_create(r->db, &r->who, g ? g->org_id : 0, in, &id, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    const char *back = req_in(r, "back");
    if (!req_is_api(r)) {
        int64_t cid = 0;
        if (back && str_to_i64(back, &cid) == CX_OK && cid > 0) req_redirect(r, "/campaigns/%" PRId64 "#standards", cid);
        else req_redirect(r, "/");
        return;
    }
    standard_set *s = xmalloc(sizeof *s);
    if (standard_get(r->db, id, s) == 1) cJSON_AddItemToObject(req_data(r), "standard", json_set(s));
    free(s);
    r->status = 201;
}

/* GET /api/v1/orgs/:id/carriers: carriers named by the organisation and its subtree. */
void h_org_carriers(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ANY, &o)) return;
    if (carrier_list(r->db, &o, true, add_carrier_plain, cJSON_AddArrayToObject(req_data(r), "carriers")) != CX_OK) db_failed(r);
}

/* POST /api/v1/orgs/:id/carriers {name, description, campaign_id?, items?}: a carrier named by the
 * organisation's secretary or an office over it. */
void h_carrier_add(req *r)
{
    int64_t id, cid, kid = 0;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ADMIN, &o) || !opt_id(r, "campaign_id", &cid)) return;
    campaign c;
    if (!cid && campaign_for_org(r->db, &o, &c) == 1) cid = c.id;
    cx_err e = {0};
    carrier_ok in;
    carrier_items_ok *items = req_keep(r, xmalloc(sizeof *items));
    if (carrier_check(&(carrier_in){req_in(r, "name"), req_in(r, "description")}, &in, &e) != CX_OK ||
        carrier_items_check(req_in(r, "items"), false, items, &e) != CX_OK || carrier_add(r->db, &r->who, cid, &o, &in, items, &kid, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (done_redirect(r, "/orgs/%" PRId64 "/rounds", o.id)) return;
    r->status = 201;
    json_add_i64(req_data(r), "carrier_id", kid);
    carrier_list(r->db, &o, false, add_carrier_plain, cJSON_AddArrayToObject(req_data(r), "carriers"));
}
