/* page_review.c: the three reviews (三评) and grades, pages and API from the same handlers:
 * campaign settings (phases, rules, standard sets, carriers), review rounds, self and peer reviews,
 * the self-review of an organisation, leaders' charges, commentary and coverage, exclusions,
 * grades with the branch meeting's decision and the higher committee's approval, the results
 * table and its XLSX export.
 *
 * Peer reviews are anonymous: no answer built here names or numbers the member who wrote one,
 * except the reviewer's own to-do list and their own review. */
#include "web.h"
#include "../domain/date.h"
#include "../lib/xlsxout.h"
#include "../store/ballot_store.h"
#include "../store/review_store.h"
#include "../store/rollup.h"
#include "pager.h"
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Peer summaries are shown once at least this many fellow members have reviewed, so that no
 * single reviewer's levels can be read off them. */
#define PEER_MIN_SHOWN 2


/* ---- helpers ---- */

static void db_failed(req *r) { req_failf(r, 500, "db_error", "", "数据库错误"); }

/* After a change: a page goes to the URL (true: nothing more to do); the API goes on to answer. */
static bool done_redirect(req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool done_redirect(req *r, const char *fmt, ...)
{
    if (req_is_api(r)) return false;
    char url[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(url, sizeof url, fmt, ap);
    va_end(ap);
    req_redirect(r, "%s", url);
    return true;
}

/* The API's answer to a submit that made (201) or updated (200) a record: the object under key
 * for the caller to fill, with round_id and updated already in it. */
static cJSON *submitted(req *r, const char *key, int64_t round_id, bool updated)
{
    r->status = updated ? 200 : 201;
    cJSON *x = cJSON_AddObjectToObject(req_data(r), key);
    json_add_i64(x, "round_id", round_id);
    cJSON_AddBoolToObject(x, "updated", updated);
    return x;
}

/* An optional positive id input; false (request failed) when present but invalid. */
static bool opt_id(req *r, const char *name, int64_t *id)
{
    const char *s = req_in(r, name);
    *id = 0;
    if (!s || !*s) return true;
    if (str_to_i64(s, id) == CX_OK && *id > 0) return true;
    req_failf(r, 400, "invalid_id", name, "编号 %s 无效：应为正整数", name);
    return false;
}

static void add_score(cJSON *o, const char *k, int64_t v)
{
    if (v < 0) cJSON_AddNullToObject(o, k);
    else cJSON_AddNumberToObject(o, k, (double)v / 100.0);
}

static const char *questions_label(const char *q) { return !strcmp(q, "window6") ? "窗口六问（政策落实……廉洁自律）" : "党员三问（党性观念、联系群众、先锋模范作用）"; }

static cJSON *json_round(const review_round *rd)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", rd->id);
    json_add_i64(j, "campaign_id", rd->campaign_id);
    cJSON_AddStringToObject(j, "campaign", rd->campaign_theme);
    json_add_i64(j, "org_id", rd->org_id);
    cJSON_AddStringToObject(j, "org_name", rd->org_name);
    cJSON_AddStringToObject(j, "name", rd->name);
    cJSON_AddStringToObject(j, "period_start", rd->period_start);
    cJSON_AddStringToObject(j, "period_end", rd->period_end);
    cJSON_AddStringToObject(j, "questions", rd->questions);
    cJSON_AddStringToObject(j, "questions_label", questions_label(rd->questions));
    cJSON_AddStringToObject(j, "status", rd->open ? "open" : "closed");
    cJSON_AddStringToObject(j, "status_label", rd->open ? "进行中" : "已结束");
    cJSON_AddBoolToObject(j, "open", rd->open);
    return j;
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

static const char *approval_label(const char *a)
{
    return !strcmp(a, "pending") ? "待上级审批" : !strcmp(a, "approved") ? "上级已批准" : !strcmp(a, "rejected") ? "上级未批准" : "";
}

static cJSON *json_grade(const grade_row *g)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "target_kind", g->org ? "org" : "member");
    cJSON_AddBoolToObject(j, "is_org", g->org);
    json_add_i64(j, "target_id", g->target_id);
    cJSON_AddStringToObject(j, "name", g->target_name);
    json_add_i64(j, "org_id", g->org_id);
    cJSON_AddStringToObject(j, "org_name", g->org_name);
    cJSON *sc = cJSON_AddObjectToObject(j, "scores");
    for (int c = 0; c < C_N; c++) add_score(sc, component_names[c], g->s[c]);
    add_score(j, "score", g->score);
    cJSON_AddStringToObject(j, "computed", grade_code(g->computed));
    cJSON_AddStringToObject(j, "computed_label", grade_label(g->computed, g->org));
    cJSON_AddStringToObject(j, "final", grade_code(g->final));
    cJSON_AddStringToObject(j, "final_label", grade_label(g->final, g->org));
    cJSON_AddBoolToObject(j, "decided", g->decision[0] != 0);
    cJSON_AddStringToObject(j, "redo", g->redo);
    cJSON_AddBoolToObject(j, "meets", g->meets);
    cJSON_AddStringToObject(j, "meets_label", g->meets ? (g->org ? "达到五个好" : "达到五带头") : "");
    cJSON_AddStringToObject(j, "note", g->note);
    cJSON_AddStringToObject(j, "approval", g->approval);
    cJSON_AddStringToObject(j, "approval_label", approval_label(g->approval));
    cJSON *dec = g->decision[0] ? cJSON_Parse(g->decision) : NULL;
    if (dec) cJSON_AddItemToObject(j, "decision", dec);
    else cJSON_AddNullToObject(j, "decision");
    return j;
}

/* The round a request is about: round_id from the input, or the round that applies to path now.
 * It must cover path. false with the request failed otherwise. */
static bool req_round(req *r, const char *path, review_round *rd)
{
    int64_t id;
    if (!opt_id(r, "round_id", &id)) return false;
    int f = id ? round_get(r->db, id, rd) : round_current(r->db, path, rd);
    if (f == CX_ERR) {
        db_failed(r);
        return false;
    }
    if (f == 0 && !id) {
        req_failf(r, 409, "no_round", "round_id", "没有进行中的评议轮次（请活动办公室先开启评议轮次）");
        return false;
    }
    if (f == 0 || !path_in_subtree(path, rd->org_path)) {
        req_failf(r, 404, "not_found", "round_id", "评议轮次不存在或不包括该组织");
        return false;
    }
    return true;
}

/* Like req_round, for pages that may have no round yet: false without failing when none. */
static bool page_round(req *r, const char *path, review_round *rd)
{
    int64_t id;
    if (!opt_id(r, "round_id", &id)) return false;
    if (!id && round_current(r->db, path, rd) != 1) return false;
    return req_round(r, path, rd);
}

/* The start of an organisation's page in a round: the organisation (a role in mask over it), the
 * title, and the round (round_id, or the current one). False when the request failed, or when a
 * page has no round to show (it then says so; the API answers 409 no_round). */
static bool org_round_page(req *r, int mask, const char *title, org *o, review_round *rd)
{
    int64_t id;
    if (!req_id(r, 0, &id) || !req_org(r, id, mask, o)) return false;
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", title);
    cJSON_AddItemToObject(d, "org", json_org(o));
    if (req_is_api(r) ? req_round(r, o->path, rd) : page_round(r, o->path, rd)) {
        cJSON_AddItemToObject(d, "round", json_round(rd));
        return true;
    }
    if (!r->failed) cJSON_AddNullToObject(d, "round");
    return false;
}

static void add_items(cJSON *d, db *dbc, int64_t campaign_id, bool is_org, const char *levels)
{
    int64_t os = 0, ms = 0;
    review_rules rules;
    standard_set *s = xmalloc(sizeof *s);
    cJSON *items = cJSON_AddArrayToObject(d, "items");
    if (rules_get(dbc, campaign_id, &rules, &os, &ms) == 1 && standard_get(dbc, is_org ? os : ms, s) == 1) {
        cJSON_AddStringToObject(d, "standard", s->name);
        for (int i = 0; i < s->nitems; i++) {
            cJSON *x = cJSON_CreateObject();
            json_add_i64(x, "seq", s->items[i].seq);
            cJSON_AddStringToObject(x, "title", s->items[i].title);
            cJSON_AddStringToObject(x, "body", s->items[i].body);
            int cur = levels && (int)strlen(levels) > i ? levels[i] - '0' : 0;
            if (cur) cJSON_AddStringToObject(x, "level_label", level_label(cur));
            cJSON *opts = cJSON_AddArrayToObject(x, "levels");
            for (int l = LV_GOOD; l <= LV_POOR; l++) {
                cJSON *o = cJSON_CreateObject();
                json_add_i64(o, "value", l);
                cJSON_AddStringToObject(o, "label", level_label(l));
                cJSON_AddBoolToObject(o, "checked", cur == l);
                cJSON_AddItemToArray(opts, o);
            }
            cJSON_AddItemToArray(items, x);
        }
    }
    free(s);
}

/* The levels of a review: "levels" as digits, or the form's level_1 … level_N radio buttons. */
static const char *levels_in(req *r)
{
    const char *lv = req_in(r, "levels");
    if (lv) return lv;
    buf b;
    buf_init(&b);
    for (int i = 1; i <= STD_MAX_ITEMS; i++) {
        char k[16];
        snprintf(k, sizeof k, "level_%d", i);
        const char *v = req_in(r, k);
        if (!v) break;
        buf_adds(&b, *v ? v : "0");
    }
    if (!b.len) {
        buf_free(&b);
        return NULL;
    }
    return req_keep(r, buf_take(&b));
}

static cJSON *json_review(const review_text *t)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "levels", t->levels);
    cJSON *ls = cJSON_AddArrayToObject(j, "level_labels");
    for (const char *p = t->levels; *p; p++) cJSON_AddItemToArray(ls, cJSON_CreateString(level_label(*p - '0')));
    cJSON_AddStringToObject(j, "achievements", t->achievements);
    cJSON_AddStringToObject(j, "shortcomings", t->shortcomings);
    cJSON_AddStringToObject(j, "direction", t->direction);
    return j;
}

static int add_text(void *ctx, const char *text)
{
    cJSON_AddItemToArray(ctx, cJSON_CreateString(text));
    return 0;
}

/* The peers' opinion of a member, item by item, without anyone's name; hidden below PEER_MIN_SHOWN. */
static void add_peer_summary(cJSON *d, req *r, int64_t round_id, int64_t member_id)
{
    peer_summary ps;
    cJSON *p = cJSON_AddObjectToObject(d, "peer");
    cJSON *remarks = cJSON_CreateArray();
    if (review_peer_summary(r->db, round_id, member_id, &ps, add_text, remarks) != CX_OK) {
        cJSON_Delete(remarks);
        return;
    }
    json_add_i64(p, "count", ps.n);
    bool shown = ps.n >= PEER_MIN_SHOWN;
    cJSON_AddBoolToObject(p, "shown", shown);
    json_add_i64(p, "min_shown", PEER_MIN_SHOWN);
    if (!shown) {
        cJSON_Delete(remarks);
        return;
    }
    cJSON *items = cJSON_AddArrayToObject(p, "items");
    for (int i = 0; i < ps.nitems; i++) {
        cJSON *x = cJSON_CreateObject();
        json_add_i64(x, "seq", i + 1);
        for (int l = 0; l < 4; l++) json_add_i64(x, (const char *[]){"good", "fair", "average", "poor"}[l], ps.count[i][l]);
        cJSON_AddItemToArray(items, x);
    }
    cJSON_AddItemToObject(p, "remarks", remarks);
}

static int add_commentary(void *ctx, const commentary_row *c)
{
    cJSON *x = cJSON_CreateObject();
    cJSON_AddStringToObject(x, "leader", c->leader_name);
    json_add_i64(x, "level", c->level);
    cJSON_AddStringToObject(x, "level_label", level_label(c->level));
    cJSON_AddStringToObject(x, "achievements", c->achievements);
    cJSON_AddStringToObject(x, "problems", c->problems);
    cJSON_AddStringToObject(x, "direction", c->direction);
    cJSON_AddItemToArray(ctx, x);
    return 0;
}

static void add_grade(cJSON *d, req *r, int64_t round_id, bool is_org, int64_t id)
{
    grade_row *g = xmalloc(sizeof *g);
    if (grade_get(r->db, round_id, is_org, id, g) == 1) cJSON_AddItemToObject(d, "grade", json_grade(g));
    else cJSON_AddNullToObject(d, "grade");
    free(g);
}

/* The member's own page data for a round: self-review, peers' summary, commentary, grade. */
static void add_member_result(cJSON *d, req *r, const review_round *rd, const member *m, bool self_in_full)
{
    review_text *t = xmalloc(sizeof *t);
    int f = review_self_get(r->db, rd->id, false, m->id, t);
    if (f == 1 && self_in_full) cJSON_AddItemToObject(d, "self", json_review(t));
    else if (f != 1) cJSON_AddNullToObject(d, "self");
    add_items(d, r->db, rd->campaign_id, false, f == 1 ? t->levels : NULL);
    free(t);
    add_peer_summary(d, r, rd->id, m->id);
    /* the peers' counts beside each item, for the page */
    cJSON *pitems = cJSON_GetObjectItem(cJSON_GetObjectItem(d, "peer"), "items"), *it;
    int i = 0;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(d, "items"))
    {
        cJSON *pc = cJSON_GetArrayItem(pitems, i++);
        if (pc) cJSON_AddItemToObject(it, "peer_counts", cJSON_Duplicate(pc, true));
    }
    commentary_list(r->db, rd->id, false, m->id, add_commentary, cJSON_AddArrayToObject(d, "commentary"));
    add_grade(d, r, rd->id, false, m->id);
    cJSON_AddBoolToObject(d, "probationary", !strcmp(m->r.status, "probationary"));
}

/* ---- campaigns: phases, rules, standard sets, carriers ---- */

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

static cJSON *json_carrier(const carrier *k)
{
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "id", k->id);
    json_add_i64(x, "campaign_id", k->campaign_id);
    json_add_i64(x, "org_id", k->org_id);
    cJSON_AddStringToObject(x, "org_name", k->org_name);
    cJSON_AddStringToObject(x, "name", k->name);
    cJSON_AddStringToObject(x, "description", k->description);
    return x;
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

/* Loads a campaign the user may see (404 otherwise); path gets its organisation's path. */
static bool req_campaign(req *r, campaign *c, char path[CX_PATH_MAX])
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
    if (phase_save(r->db, &r->who, c.id, pid, req_in(r, "name"), req_in(r, "start_date"), req_in(r, "end_date"), &nid, &e) != CX_OK)
        {
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
    const cJSON *items = r->json ? cJSON_GetObjectItemCaseSensitive(r->json, "items") : NULL;
    if (items) {
        const cJSON *it;
        if (!cJSON_IsArray(items)) {
            req_failf(r, 400, "invalid_type", "items", "items 应为数组：[{\"title\":…,\"body\":…}]");
            return;
        }
        cJSON_ArrayForEach(it, items)
        {
            const cJSON *t = cJSON_GetObjectItemCaseSensitive(it, "title"), *b = cJSON_GetObjectItemCaseSensitive(it, "body");
            if (!cJSON_IsString(t) || (b && !cJSON_IsString(b) && !cJSON_IsNull(b))) {
                req_failf(r, 400, "invalid_type", "items", "items 的每一项应为 {\"title\": 文本, \"body\": 文本}");
                return;
            }
            if (n == STD_MAX_ITEMS) {
                n++;
                break;
            }
            titles[n] = t->valuestring;
            bodies[n++] = cJSON_IsString(b) ? b->valuestring : "";
        }
    } else {
        const char *text = req_in(r, "items_text");
        char *copy = req_keep(r, xstrdup(text ? text : ""));
        for (char *line = strtok(copy, "\r\n"); line; line = strtok(NULL, "\r\n")) {
            if (!*str_trim(line)) continue;
            if (n == STD_MAX_ITEMS) {
                n++;
                break;
            }
            char *sep = strstr(line, "：");
            size_t skip = 3;
            if (!sep) sep = strchr(line, ':'), skip = 1;
            if (sep) *sep = 0;
            titles[n] = line;
            bodies[n++] = sep ? sep + skip : "";
        }
    }
    const grant *g = perm_top_grant(&r->user, ROLE_OFFICE);
    int64_t id = 0;
    cx_err e = {0};
    if (standard_create(r->db, &r->who, g ? g->org_id : 0, req_in(r, "code"), req_in(r, "name"), req_in(r, "target"), titles, bodies, n,
                        &id, &e) != CX_OK) {
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

/* GET /api/v1/orgs/:id/campaigns: the campaigns that cover the organisation. */
static int add_campaign(void *ctx, const campaign *c)
{
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "id", c->id);
    json_add_i64(x, "org_id", c->org_id);
    cJSON_AddStringToObject(x, "theme", c->theme);
    cJSON_AddStringToObject(x, "start_date", c->start_date);
    cJSON_AddStringToObject(x, "end_date", c->end_date);
    cJSON_AddItemToArray(ctx, x);
    return 0;
}

void h_org_campaigns(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ANY, &o)) return;
    if (review_campaigns_for(r->db, &o, add_campaign, cJSON_AddArrayToObject(req_data(r), "campaigns")) != CX_OK) db_failed(r);
}

static int add_carrier_plain(void *ctx, const carrier *k)
{
    cJSON_AddItemToArray(ctx, json_carrier(k));
    return 0;
}

/* GET /api/v1/orgs/:id/carriers: carriers named by the organisation and its subtree. */
void h_org_carriers(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ANY, &o)) return;
    if (carrier_list(r->db, &o, true, add_carrier_plain, cJSON_AddArrayToObject(req_data(r), "carriers")) != CX_OK) db_failed(r);
}

/* POST /api/v1/orgs/:id/carriers {name, description, campaign_id?}: a carrier named by the
 * organisation's secretary or an office over it. */
void h_carrier_add(req *r)
{
    int64_t id, cid, kid = 0;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ADMIN, &o) || !opt_id(r, "campaign_id", &cid)) return;
    campaign c;
    if (!cid && campaign_for_org(r->db, &o, &c) == 1) cid = c.id;
    cx_err e = {0};
    if (carrier_add(r->db, &r->who, cid, &o, req_in(r, "name"), req_in(r, "description"), &kid, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (done_redirect(r, "/orgs/%" PRId64 "/rounds", o.id)) return;
    r->status = 201;
    json_add_i64(req_data(r), "carrier_id", kid);
    carrier_list(r->db, &o, false, add_carrier_plain, cJSON_AddArrayToObject(req_data(r), "carriers"));
}

/* ---- rounds ---- */

typedef struct round_ctx {
    req *r;
    cJSON *arr;
} round_ctx;

static int add_round(void *vctx, const review_round *rd)
{
    round_ctx *c = vctx;
    cJSON *j = json_round(rd);
    cJSON_AddBoolToObject(j, "can_close", rd->open && perm_may_run_campaign(&c->r->user, rd->org_path));
    cJSON_AddItemToArray(c->arr, j);
    return 0;
}

/* GET /orgs/:id/rounds: the rounds that cover the organisation or run inside it, with what the
 * user can do in each; the office's form to open a round. */
void h_org_rounds(req *r)
{
    int64_t id;
    org o;
    pager pg;
    int64_t total = -1;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ANY, &o) || !pager_read(r, 50, 500, &pg)) return;
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "三评与等次");
    cJSON_AddItemToObject(d, "org", json_org(&o));
    round_ctx c = {r, cJSON_AddArrayToObject(d, "rounds")};
    if (round_count(r->db, &o, &total) == CX_OK) pager_set_total(&pg, total);
    if (total < 0 || round_list(r->db, &o, pager_offset(&pg), pg.per_page, add_round, &c) != CX_OK) {
        db_failed(r);
        return;
    }
    pager_json(r, d, &pg);
    review_campaigns_for(r->db, &o, add_campaign, cJSON_AddArrayToObject(d, "campaigns"));
    bool office = perm_allows(&r->user, ROLE_OFFICE, o.path), adm = perm_allows(&r->user, ROLE_ADMIN, o.path);
    cJSON_AddBoolToObject(d, "can_create", office);
    cJSON_AddBoolToObject(d, "can_manage", adm);
    cJSON_AddBoolToObject(d, "can_review_org", perm_may_review_org(&r->user, o.path));
    cJSON_AddBoolToObject(d, "can_see_grades", perm_allows(&r->user, ROLE_STAFF, o.path));
    cJSON_AddBoolToObject(d, "is_branch", !strcmp(o.type, "branch"));
    if (adm) carrier_list(r->db, &o, false, add_carrier_plain, cJSON_AddArrayToObject(d, "carriers"));
    char today[11];
    date_today(today);
    cJSON_AddStringToObject(d, "today", today);
}

/* POST /api/v1/orgs/:id/rounds {campaign_id?, name, start_date, end_date, questions}: an office
 * opens a review round for its organisation's subtree. */
void h_round_create(req *r)
{
    int64_t id, cid, rid = 0;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_OFFICE, &o) || !opt_id(r, "campaign_id", &cid)) return;
    campaign c;
    if (!cid) {
        int f = campaign_for_org(r->db, &o, &c);
        if (f == CX_ERR) {
        db_failed(r);
        return;
    }
        if (f == 0) {
            cx_err e;
            cx_fail(&e, 409, "no_campaign", "campaign_id", "“%s”还没有创先争优活动，请先创建活动", o.name);
            {
        req_fail(r, &e);
        return;
    }
        }
        cid = c.id;
    }
    cx_err e = {0};
    if (round_create(r->db, &r->who, o.id, cid, req_in(r, "name"), req_in(r, "start_date"), req_in(r, "end_date"), req_in(r, "questions"),
                     &rid, &e) != CX_OK)
        {
        req_fail(r, &e);
        return;
    }
    if (done_redirect(r, "/rounds/%" PRId64, rid)) return;
    review_round rd;
    if (!req_found(r, round_get(r->db, rid, &rd), "id", "评议轮次")) return;
    r->status = 201;
    cJSON_AddItemToObject(req_data(r), "round", json_round(&rd));
}

/* Loads the round of the path's :id that the user may see; 404 otherwise. */
static bool req_round_id(req *r, review_round *rd)
{
    int64_t id;
    if (!req_id(r, 0, &id)) return false;
    int f = round_get(r->db, id, rd);
    if (f == CX_ERR) {
        db_failed(r);
        return false;
    }
    if (f == 0 || !perm_may_see_area(&r->user, rd->org_path)) {
        req_failf(r, 404, "not_found", "id", "评议轮次不存在或不在您的范围内");
        return false;
    }
    return true;
}

static void add_rollup(cJSON *d, const rollup *ru)
{
    cJSON *s = cJSON_AddObjectToObject(d, "stats");
    for (int i = 0; i < RU_N; i++) json_add_i64(s, rollup_cols[i], ru->v[i]);
    int64_t sat = rollup_satisfaction(ru);
    if (sat < 0) cJSON_AddNullToObject(s, "satisfaction");
    else cJSON_AddNumberToObject(s, "satisfaction", (double)sat / 100.0);
}

/* GET /rounds/:id: the round, the figures of the user's part of it, and where to go next. */
void h_round(req *r)
{
    review_round rd;
    if (!req_round_id(r, &rd)) return;
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", rd.name);
    cJSON_AddItemToObject(d, "round", json_round(&rd));
    /* the figures of the round's organisation, or of the user's highest organisation inside it */
    int64_t at = 0;
    const char *atp = NULL;
    if (perm_allows(&r->user, ROLE_ANY, rd.org_path)) at = rd.org_id, atp = rd.org_path;
    else
        for (int i = 0; i < r->user.ngrants; i++)
            if (path_in_subtree(r->user.grants[i].path, rd.org_path) && (!atp || strlen(r->user.grants[i].path) < strlen(atp)))
                at = r->user.grants[i].org_id, atp = r->user.grants[i].path;
    org o;
    if (at && org_get(r->db, at, &o) == 1) {
        rollup ru;
        if (!req_found(r, rollup_get(r->db, rd.id, o.id, &ru) == CX_ERR ? CX_ERR : 1, "id", "统计")) return; /* no row yet: zeros */
        cJSON_AddItemToObject(d, "org", json_org(&o));
        add_rollup(d, &ru);
        cJSON_AddBoolToObject(d, "can_manage", perm_allows(&r->user, ROLE_ADMIN, o.path));
        cJSON_AddBoolToObject(d, "can_see_grades", perm_allows(&r->user, ROLE_STAFF, o.path));
        cJSON_AddBoolToObject(d, "is_office", perm_allows(&r->user, ROLE_OFFICE, o.path));
    }
    cJSON_AddBoolToObject(d, "can_close", rd.open && perm_may_run_campaign(&r->user, rd.org_path));
    cJSON_AddBoolToObject(d, "is_member", r->user.member_id != 0);
    cJSON_AddBoolToObject(d, "is_leader", (perm_roles(&r->user) & ROLE_LEADER) != 0);
}

/* POST /api/v1/rounds/:id/close: the office ends the round; nothing more can be changed in it. */
void h_round_close(req *r)
{
    review_round rd;
    if (!req_round_id(r, &rd)) return;
    if (!perm_may_run_campaign(&r->user, rd.org_path)) {
        req_failf(r, 403, "forbidden", "", "只有开启该轮次的组织（或其上级）的活动办公室可以结束评议轮次");
        return;
    }
    cx_err e = {0};
    if (round_close(r->db, &r->who, rd.id, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (done_redirect(r, "/rounds/%" PRId64, rd.id)) return;
    if (!req_found(r, round_get(r->db, rd.id, &rd), "id", "评议轮次")) return;
    cJSON_AddItemToObject(req_data(r), "round", json_round(&rd));
}

/* ---- self and peer reviews ---- */

static cJSON *json_person(const member *m)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", m->id);
    cJSON_AddStringToObject(j, "name", m->r.name);
    json_add_i64(j, "org_id", m->org_id);
    cJSON_AddStringToObject(j, "org_name", m->org_name);
    cJSON_AddStringToObject(j, "status_label", member_status_label(m->r.status));
    return j;
}

typedef struct todo_ctx {
    cJSON *arr;
    int64_t todo, done;
} todo_ctx;

static int add_todo(void *vctx, int64_t id, const char *name, bool done)
{
    todo_ctx *c = vctx;
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "id", id);
    cJSON_AddStringToObject(x, "name", name);
    cJSON_AddBoolToObject(x, "done", done);
    cJSON_AddItemToArray(c->arr, x);
    if (done) c->done++;
    else c->todo++;
    return 0;
}

static int find_exclusion(void *ctx, int64_t member_id, const char *name, int reason, const char *note)
{
    cJSON *d = ((void **)ctx)[0];
    int64_t want = *(int64_t *)((void **)ctx)[1];
    if (member_id != want) return 0;
    cJSON *x = cJSON_AddObjectToObject(d, "exclusion");
    cJSON_AddStringToObject(x, "reason", exclusion_code(reason));
    cJSON_AddStringToObject(x, "reason_label", exclusion_label(reason));
    cJSON_AddStringToObject(x, "note", note);
    return 1;
}

/* The member's own view of a round: their self-review, whom they still have to peer-review, and
 * their result (peers' summary, commentary, grade). */
static void fill_mine(req *r, const member *m, const review_round *rd)
{
    cJSON *d = req_data(r);
    cJSON_AddItemToObject(d, "round", json_round(rd));
    cJSON_AddItemToObject(d, "member", json_person(m));
    add_member_result(d, r, rd, m, true);
    todo_ctx t = {cJSON_AddArrayToObject(d, "peers"), 0, 0};
    review_peer_todo(r->db, rd->id, m, add_todo, &t);
    json_add_i64(d, "peers_todo", t.todo);
    json_add_i64(d, "peers_done", t.done);
    void *ctx[2] = {d, (void *)&m->id};
    exclusion_list(r->db, rd->id, m->org_id, find_exclusion, ctx);
}

/* GET /me/reviews: the member's reviews in the current round (or round_id). */
void h_my_reviews(req *r)
{
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "我的评议");
    cJSON_AddBoolToObject(d, "is_leader", (perm_roles(&r->user) & ROLE_LEADER) != 0);
    const grant *top = perm_top_grant(&r->user, ROLE_ANY);
    if (top) json_add_i64(d, "home_org", top->org_id);
    member m;
    if (!r->user.member_id || member_get(r->db, r->user.member_id, &m) != 1 || !m.active) {
        cJSON_AddFalseToObject(d, "is_member");
        cJSON_AddNullToObject(d, "round");
        return;
    }
    cJSON_AddTrueToObject(d, "is_member");
    review_round rd;
    if (!page_round(r, m.org_path, &rd)) {
        if (!r->failed) cJSON_AddNullToObject(d, "round");
        return;
    }
    fill_mine(r, &m, &rd);
}

/* GET /members/:id/review: for those over the member, the member's reviews and result (peers
 * anonymous); for a fellow member of the branch, the peer review form. */
void h_member_review(req *r)
{
    int64_t id;
    member m;
    if (!req_id(r, 0, &id) || !req_member(r, id, ROLE_ANY, &m)) return;
    review_round rd;
    if (m.id == r->user.member_id) {
        if (!req_is_api(r)) {
            const char *rs = req_query(r, "round_id");
            req_redirect(r, "/me/reviews%s%s", rs ? "?round_id=" : "", rs && strspn(rs, "0123456789") == strlen(rs) ? rs : "");
            return;
        }
        if (req_round(r, m.org_path, &rd)) fill_mine(r, &m, &rd);
        return;
    }
    bool oversee = perm_allows(&r->user, ROLE_STAFF, m.org_path);
    member me;
    bool fellow = r->user.member_id && member_get(r->db, r->user.member_id, &me) == 1 && me.active && me.org_id == m.org_id;
    if (!oversee && !fellow) {
        req_failf(r, 403, "forbidden", "", "只能查看本人的评议结果，或互评本支部的党员");
        return;
    }
    if (!req_round(r, m.org_path, &rd)) return;
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", oversee ? "党员评议情况" : "互评");
    cJSON_AddItemToObject(d, "round", json_round(&rd));
    cJSON_AddItemToObject(d, "member", json_person(&m));
    cJSON_AddBoolToObject(d, "oversee", oversee);
    if (oversee) {
        add_member_result(d, r, &rd, &m, true);
        void *ctx[2] = {d, (void *)&m.id};
        exclusion_list(r->db, rd.id, m.org_id, find_exclusion, ctx);
        cJSON_AddBoolToObject(d, "can_exclude", rd.open && perm_allows(&r->user, ROLE_ADMIN, m.org_path));
        cJSON *reasons = cJSON_AddArrayToObject(d, "reasons");
        const cJSON *cur = cJSON_GetObjectItem(cJSON_GetObjectItem(d, "exclusion"), "reason");
        for (int x = EX_AWAY; x <= EX_OTHER; x++) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "value", exclusion_code(x));
            cJSON_AddStringToObject(o, "label", exclusion_label(x));
            cJSON_AddBoolToObject(o, "selected", cJSON_IsString(cur) && !strcmp(cur->valuestring, exclusion_code(x)));
            cJSON_AddItemToArray(reasons, o);
        }
    }
    if (fellow) {
        review_text *t = xmalloc(sizeof *t);
        int f = review_peer_get(r->db, rd.id, m.id, me.id, t);
        cJSON *mine = cJSON_AddObjectToObject(d, "my_peer_review");
        cJSON_AddBoolToObject(mine, "done", f == 1);
        if (f == 1) cJSON_AddStringToObject(mine, "levels", t->levels), cJSON_AddStringToObject(mine, "remark", t->shortcomings);
        if (!oversee) add_items(d, r->db, rd.campaign_id, false, f == 1 ? t->levels : NULL);
        free(t);
        cJSON_AddBoolToObject(d, "can_peer", rd.open);
    }
}

/* POST /api/v1/members/:id/review {round_id?, kind?, levels, achievements, shortcomings,
 * direction}: the member's self-review (the id is their own) or a peer review of a fellow member
 * of the same branch. A second submit updates it while the round is open. */
void h_member_review_submit(req *r)
{
    int64_t id;
    member m;
    if (!req_id(r, 0, &id) || !req_member(r, id, ROLE_ANY, &m)) return;
    cx_err e = {0};
    bool self = m.id == r->user.member_id;
    const char *kind = req_in(r, "kind");
    if (!r->user.member_id) cx_fail(&e, 403, "not_member", "", "您的账号没有关联党员信息，不能参加自评和互评");
    else if (kind && *kind && strcmp(kind, "self") && strcmp(kind, "peer"))
        cx_fail(&e, 400, "invalid_kind", "kind", "评议类别应为 self（自评）或 peer（互评）");
    else if (kind && !strcmp(kind, "peer") && self) cx_fail(&e, 400, "self_peer", "kind", "不能给自己互评，自评请提交 kind=self");
    else if (kind && !strcmp(kind, "self") && !self) cx_fail(&e, 403, "not_self", "kind", "只能为自己自评");
    if (e.code[0]) {
        req_fail(r, &e);
        return;
    }
    review_round rd;
    if (!req_round(r, m.org_path, &rd)) return;
    review_in in = {levels_in(r), req_in(r, "achievements"), req_in(r, "shortcomings"), req_in(r, "direction")};
    if (!self && !in.shortcomings) in.shortcomings = req_in(r, "remark");
    bool updated = false;
    if (review_member_submit(r->db, &r->who, rd.id, &m, r->user.member_id, &in, &updated, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (done_redirect(r, "/me/reviews?round_id=%" PRId64 "%s", rd.id, self ? "#self" : "#peers")) return;
    cJSON *x = submitted(r, "review", rd.id, updated);
    cJSON_AddStringToObject(x, "kind", self ? "self" : "peer");
    json_add_i64(x, "member_id", m.id);
}

/* GET /orgs/:id/review: the organisation's self-review (五个好), the leaders' commentary on it and
 * its grade; the form for its own secretary. */
void h_org_review(req *r)
{
    org o;
    review_round rd;
    if (!org_round_page(r, ROLE_STAFF, "组织自评", &o, &rd)) return;
    cJSON *d = req_data(r);
    review_text *t = xmalloc(sizeof *t);
    int f = review_self_get(r->db, rd.id, true, o.id, t);
    if (f == 1) cJSON_AddItemToObject(d, "self", json_review(t));
    else cJSON_AddNullToObject(d, "self");
    add_items(d, r->db, rd.campaign_id, true, f == 1 ? t->levels : NULL);
    free(t);
    commentary_list(r->db, rd.id, true, o.id, add_commentary, cJSON_AddArrayToObject(d, "commentary"));
    add_grade(d, r, rd.id, true, o.id);
    cJSON_AddBoolToObject(d, "can_edit", rd.open && perm_may_review_org(&r->user, o.path));
}

/* POST /api/v1/orgs/:id/review {round_id?, levels, achievements, shortcomings, direction}: the
 * organisation's self-review by its own secretary. */
void h_org_review_submit(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_SECRETARY, &o)) return;
    cx_err e = {0};
    review_round rd;
    if (!perm_may_review_org(&r->user, o.path)) cx_fail(&e, 403, "not_own_org", "", "只有“%s”本组织的书记可以提交组织自评", o.name);
    if (!e.code[0] && !req_round(r, o.path, &rd)) return;
    review_in in = {levels_in(r), req_in(r, "achievements"), req_in(r, "shortcomings"), req_in(r, "direction")};
    bool updated = false;
    if (e.code[0] || review_org_submit(r->db, &r->who, rd.id, &o, &in, &updated, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (done_redirect(r, "/orgs/%" PRId64 "/review?round_id=%" PRId64, o.id, rd.id)) return;
    cJSON *x = submitted(r, "review", rd.id, updated);
    cJSON_AddStringToObject(x, "kind", "org_self");
    json_add_i64(x, "org_id", o.id);
}

/* ---- leaders' charges, commentary and coverage ---- */

static int add_leader(void *ctx, int64_t id, const char *username, const char *display)
{
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "id", id);
    cJSON_AddStringToObject(x, "username", username);
    cJSON_AddStringToObject(x, "display_name", display);
    cJSON_AddItemToArray(ctx, x);
    return 0;
}

/* GET /api/v1/orgs/:id/leaders: the accounts that may be put in charge of the organisation. */
void h_org_leaders(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_OFFICE, &o)) return;
    if (leader_list(r->db, o.path, add_leader, cJSON_AddArrayToObject(req_data(r), "leaders")) != CX_OK) db_failed(r);
}

static cJSON *json_charge(const charge_row *c)
{
    cJSON *x = cJSON_CreateObject();
    if (c->id) json_add_i64(x, "id", c->id);
    json_add_i64(x, "round_id", c->round_id);
    cJSON_AddStringToObject(x, "target_kind", c->org ? "org" : "member");
    cJSON_AddStringToObject(x, "target_kind_label", c->org ? "党组织" : "党员");
    cJSON_AddBoolToObject(x, "is_org", c->org);
    json_add_i64(x, "target_id", c->target_id);
    char tv[32];
    snprintf(tv, sizeof tv, "%c%" PRId64, c->org ? 'o' : 'm', c->target_id);
    cJSON_AddStringToObject(x, "target_value", tv);
    cJSON_AddStringToObject(x, "target_name", c->target_name);
    json_add_i64(x, "org_id", c->org_id);
    cJSON_AddStringToObject(x, "org_name", c->org_name);
    if (c->id) {
        json_add_i64(x, "user_id", c->user_id);
        cJSON_AddStringToObject(x, "leader", c->leader_name);
        cJSON_AddBoolToObject(x, "done", c->done);
        cJSON_AddStringToObject(x, "status_label", c->done ? "已点评" : "未点评");
        if (c->done) cJSON_AddStringToObject(x, "level_label", level_label(c->level));
    }
    return x;
}

static int add_charge(void *ctx, const charge_row *c)
{
    cJSON_AddItemToArray(ctx, json_charge(c));
    return 0;
}

static int add_member_target(void *ctx, const member *m)
{
    cJSON *x = cJSON_CreateObject();
    char v[32];
    snprintf(v, sizeof v, "m%" PRId64, m->id);
    cJSON_AddStringToObject(x, "value", v);
    cJSON_AddStringToObject(x, "label", m->r.name);
    cJSON_AddItemToArray(ctx, x);
    return 0;
}

static int add_org_target(void *ctx, const org *o, int64_t a, int64_t b)
{
    cJSON *x = cJSON_CreateObject();
    char v[32];
    snprintf(v, sizeof v, "o%" PRId64, o->id);
    cJSON_AddStringToObject(x, "value", v);
    cJSON_AddStringToObject(x, "label", o->name);
    cJSON_AddItemToArray(ctx, x);
    return 0;
}

/* GET /orgs/:id/charges: the leaders in charge of the subtree's organisations and members this
 * round; for the office, the form to assign them. */
void h_org_charges(req *r)
{
    org o;
    review_round rd;
    if (!org_round_page(r, ROLE_ADMIN, "联系点评安排", &o, &rd)) return;
    cJSON *d = req_data(r);
    pager pg;
    int64_t total = -1;
    if (!pager_read(r, 100, 1000, &pg)) return;
    if (charge_count_org(r->db, rd.id, &o, false, &total) == CX_OK) pager_set_total(&pg, total);
    if (total < 0 || charge_list_org(r->db, rd.id, &o, false, pager_offset(&pg), pg.per_page, add_charge, cJSON_AddArrayToObject(d, "charges")) != CX_OK) {
        db_failed(r);
        return;
    }
    pager_json(r, d, &pg);
    bool office = rd.open && perm_allows(&r->user, ROLE_OFFICE, o.path);
    cJSON_AddBoolToObject(d, "can_assign", office);
    if (!office) return;
    leader_list(r->db, o.path, add_leader, cJSON_AddArrayToObject(d, "leaders"));
    cJSON *targets = cJSON_AddArrayToObject(d, "targets");
    add_org_target(targets, &o, 0, 0);
    org_children_plain(r->db, o.id, false, add_org_target, targets);
    member_query q = {.root = &o, .limit = 500};
    member_list(r->db, &q, add_member_target, targets);
}

/* The target of a charge or commentary request: member_id (anywhere in o's subtree) or the
 * page form's target "m<id>" / "o<id>", else o itself. Fills the target's organisation. */
static bool req_target(req *r, const org *o, int mask, org *to, int64_t *member_id)
{
    int64_t mid, oid = 0;
    if (!opt_id(r, "member_id", &mid)) return false;
    const char *t = req_in(r, "target");
    if (!mid && t && *t) {
        int64_t v = 0;
        if ((t[0] != 'm' && t[0] != 'o') || str_to_i64(t + 1, &v) != CX_OK || v <= 0) {
            req_failf(r, 400, "invalid_target", "target", "联系对象无效");
            return false;
        }
        if (t[0] == 'm') mid = v;
        else oid = v;
    }
    *member_id = mid;
    if (mid) {
        member m;
        if (!req_member(r, mid, mask, &m)) return false;
        if (!path_in_subtree(m.org_path, o->path)) {
            req_failf(r, 404, "not_found", "member_id", "党员不在“%s”及其下级组织", o->name);
            return false;
        }
        return org_get(r->db, m.org_id, to) == 1 || (db_failed(r), false);
    }
    if (!oid) {
        *to = *o;
        return true;
    }
    if (!req_org(r, oid, mask, to)) return false;
    if (!path_in_subtree(to->path, o->path)) {
        req_failf(r, 404, "not_found", "target", "组织不在“%s”及其下级", o->name);
        return false;
    }
    return true;
}

/* POST /api/v1/orgs/:id/charges {round_id?, user_id, member_id?, remove?}: the office puts a leader
 * in charge of the organisation (or of one of its members) for the round, or takes it back. */
void h_charge_add(req *r)
{
    int64_t id, uid, mid, cid = 0;
    org o, to;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_OFFICE, &o) || !opt_id(r, "user_id", &uid)) return;
    if (!uid) {
        req_failf(r, 400, "required", "user_id", "请选择联系领导");
        return;
    }
    if (!req_target(r, &o, ROLE_OFFICE, &to, &mid)) return;
    review_round rd;
    if (!req_round(r, to.path, &rd)) return;
    const char *rm = req_in(r, "remove");
    bool remove = rm && (!strcmp(rm, "1") || !strcmp(rm, "true"));
    cx_err e = {0};
    int rc = remove ? charge_remove(r->db, &r->who, rd.id, uid, &to, mid, &e) : charge_add(r->db, &r->who, rd.id, uid, &to, mid, &cid, &e);
    if (rc != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (done_redirect(r, "/orgs/%" PRId64 "/charges?round_id=%" PRId64, o.id, rd.id)) return;
    cJSON *x = submitted(r, "charge", rd.id, remove);
    if (cid) json_add_i64(x, "id", cid);
    json_add_i64(x, "user_id", uid);
    cJSON_AddStringToObject(x, "target_kind", mid ? "member" : "org");
    json_add_i64(x, "target_id", mid ? mid : to.id);
    cJSON_AddBoolToObject(x, "removed", remove);
}

/* GET /me/charges: the leader's charges in the open rounds (or round_id), commented or not. */
void h_my_charges(req *r)
{
    int64_t rid;
    if (!opt_id(r, "round_id", &rid)) return;
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "我联系的组织和党员");
    cJSON *arr = cJSON_AddArrayToObject(d, "charges");
    if (charge_list_user(r->db, r->user.user_id, rid, add_charge, arr) != CX_OK) {
        db_failed(r);
        return;
    }
    int64_t done = 0, n = cJSON_GetArraySize(arr);
    cJSON *x;
    cJSON_ArrayForEach(x, arr) done += cJSON_IsTrue(cJSON_GetObjectItem(x, "done"));
    json_add_i64(d, "total", n);
    json_add_i64(d, "done", done);
    json_add_i64(d, "pending", n - done);
}

static int find_mine(void *ctx, const commentary_row *c)
{
    void **v = ctx;
    if (c->user_id != *(int64_t *)v[1]) return 0;
    cJSON *x = cJSON_AddObjectToObject(v[0], "mine");
    json_add_i64(x, "level", c->level);
    cJSON_AddStringToObject(x, "achievements", c->achievements);
    cJSON_AddStringToObject(x, "problems", c->problems);
    cJSON_AddStringToObject(x, "direction", c->direction);
    return 1;
}

/* GET /members/:id/commentary, /orgs/:id/commentary: the leader's commentary form with the
 * target's self-review beside it. */
void h_commentary_page(req *r)
{
    int64_t id;
    bool is_org = r->rt->action == RK_ORG;
    member m;
    org o;
    if (!req_id(r, 0, &id)) return;
    if (is_org ? !req_org(r, id, ROLE_LEADER, &o) : !req_member(r, id, ROLE_LEADER, &m)) return;
    if (!is_org && org_get(r->db, m.org_id, &o) != 1) {
        db_failed(r);
        return;
    }
    review_round rd;
    if (!req_round(r, o.path, &rd)) return;
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "领导点评");
    cJSON_AddItemToObject(d, "round", json_round(&rd));
    cJSON *t = cJSON_AddObjectToObject(d, "target");
    cJSON_AddStringToObject(t, "kind", is_org ? "org" : "member");
    json_add_i64(t, "id", is_org ? o.id : m.id);
    cJSON_AddStringToObject(t, "name", is_org ? o.name : m.r.name);
    cJSON_AddStringToObject(t, "org_name", o.name);
    cJSON_AddStringToObject(t, "path", is_org ? "orgs" : "members");
    review_text *rt = xmalloc(sizeof *rt);
    if (review_self_get(r->db, rd.id, is_org, id, rt) == 1) cJSON_AddItemToObject(d, "self", json_review(rt));
    free(rt);
    void *ctx[2] = {d, &r->user.user_id};
    commentary_list(r->db, rd.id, is_org, id, find_mine, ctx);
    cJSON *lv = cJSON_AddArrayToObject(d, "levels");
    cJSON *mine = cJSON_GetObjectItem(d, "mine");
    int cur = mine ? (int)json_get_i64(mine, "level") : 0;
    for (int l = LV_GOOD; l <= LV_POOR; l++) {
        cJSON *x = cJSON_CreateObject();
        json_add_i64(x, "value", l);
        cJSON_AddStringToObject(x, "label", level_label(l));
        cJSON_AddBoolToObject(x, "checked", l == cur);
        cJSON_AddItemToArray(lv, x);
    }
    cJSON_AddBoolToObject(d, "can_comment", rd.open);
}

/* POST /api/v1/members/:id/commentary, /api/v1/orgs/:id/commentary {round_id?, level,
 * achievements, problems, direction}: 领导点评 by a leader in charge of the target this round. */
void h_commentary_submit(req *r)
{
    int64_t id;
    bool is_org = r->rt->action == RK_ORG;
    member m;
    org o;
    if (!req_id(r, 0, &id)) return;
    if (is_org ? !req_org(r, id, ROLE_LEADER, &o) : !req_member(r, id, ROLE_LEADER, &m)) return;
    if (!is_org && org_get(r->db, m.org_id, &o) != 1) {
        db_failed(r);
        return;
    }
    review_round rd;
    if (!req_round(r, o.path, &rd)) return;
    commentary_in in = {req_in(r, "level"), req_in(r, "achievements"), req_in(r, "problems"), req_in(r, "direction")};
    bool updated = false;
    cx_err e = {0};
    if (commentary_submit(r->db, &r->who, rd.id, r->user.user_id, &o, is_org ? 0 : m.id, &in, &updated, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (done_redirect(r, "/me/charges?round_id=%" PRId64, rd.id)) return;
    cJSON *x = submitted(r, "commentary", rd.id, updated);
    cJSON_AddStringToObject(x, "target_kind", is_org ? "org" : "member");
    json_add_i64(x, "target_id", id);
}

/* GET /orgs/:id/coverage: who in the subtree has not been commented on this round, with counts. */
void h_org_coverage(req *r)
{
    org o;
    review_round rd;
    if (!org_round_page(r, ROLE_ADMIN, "领导点评覆盖情况", &o, &rd)) return;
    cJSON *d = req_data(r);
    rollup ru;
    int64_t um = 0, uo = 0;
    if (rollup_get(r->db, rd.id, o.id, &ru) != CX_OK) {
        db_failed(r);
        return;
    }
    cJSON *c = cJSON_AddObjectToObject(d, "counts");
    json_add_i64(c, "charges", ru.v[RU_CHARGES]);
    json_add_i64(c, "done", ru.v[RU_CHARGES_DONE]);
    json_add_i64(c, "pending", ru.v[RU_CHARGES] - ru.v[RU_CHARGES_DONE]);
    /* beside the arranged charges, the whole scope: every member and organisation (the dashboard's
     * coverage share) and those with at least one commentary */
    tally t;
    int64_t du[DU_N];
    if (tally_get(r->db, o.id, &t) != CX_OK) {
        db_failed(r);
        return;
    }
    rollup_due(&ru, &t, o.id == rd.org_id, du);
    json_add_i64(c, "scope", du[DU_COMMENTARY]);
    json_add_i64(c, "commented", du[DU_COMMENTED]);
    json_add_i64(c, "uncommented", du[DU_COMMENTARY] > du[DU_COMMENTED] ? du[DU_COMMENTARY] - du[DU_COMMENTED] : 0);
    pager pg;
    int64_t total = -1;
    if (!pager_read(r, 100, 1000, &pg)) return;
    if (charge_count_org(r->db, rd.id, &o, true, &total) == CX_OK) pager_set_total(&pg, total);
    if (total < 0 || charge_list_org(r->db, rd.id, &o, true, pager_offset(&pg), pg.per_page, add_charge, cJSON_AddArrayToObject(d, "pending")) != CX_OK) {
        db_failed(r);
        return;
    }
    pager_json(r, d, &pg);
    cJSON *un = cJSON_AddArrayToObject(d, "unassigned");
    if (charge_unassigned(r->db, rd.id, &o, 200, &um, &uo, add_charge, un) != CX_OK) {
        db_failed(r);
        return;
    }
    json_add_i64(c, "unassigned_members", um);
    json_add_i64(c, "unassigned_orgs", uo);
    cJSON_AddBoolToObject(d, "can_assign", perm_allows(&r->user, ROLE_OFFICE, o.path));
}

/* ---- exclusions ---- */

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
    if (exclusion_set(r->db, &r->who, rd.id, &m, req_in(r, "reason"), req_in(r, "note"), &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (done_redirect(r, "/orgs/%" PRId64 "/grades?round_id=%" PRId64, m.org_id, rd.id)) return;
    cJSON *d = req_data(r);
    void *ctx[2] = {d, (void *)&m.id};
    exclusion_list(r->db, rd.id, m.org_id, find_exclusion, ctx);
    if (!cJSON_GetObjectItem(d, "exclusion")) cJSON_AddNullToObject(d, "exclusion");
}

/* ---- grades ---- */

typedef struct grades_ctx {
    req *r;
    cJSON *arr;
    bool open;
} grades_ctx;

static int add_grade_row(void *vctx, const grade_row *g)
{
    grades_ctx *c = vctx;
    cJSON *j = json_grade(g);
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

static void export_grades(req *r, const grade_query *q, const org *o, const review_round *rd);

/* Reads kind=member|org into q->kind. */
static bool kind_query(req *r, int *kind)
{
    const char *k = req_in(r, "kind");
    *kind = !k || !*k ? 0 : !strcmp(k, "member") ? 1 : !strcmp(k, "org") ? 2 : -1;
    if (*kind >= 0) return true;
    req_failf(r, 400, "invalid_kind", "kind", "kind 应为 member（党员）或 org（党组织）");
    return false;
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
    grades_ctx c = {r, cJSON_AddArrayToObject(d, "grades"), rd.open};
    if (grade_count(r->db, &q, &total) == CX_OK) pager_set_total(&pg, total);
    q.offset = pager_offset(&pg);
    q.limit = pg.per_page;
    if (total < 0 || grade_list(r->db, &q, add_grade_row, &c) != CX_OK) {
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
    grades_ctx c = {r, cJSON_AddArrayToObject(d, "grades"), true};
    grade_list(r->db, &q, add_grade_row, &c);
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
    if (grade_decide(r->db, &r->who, rd.id, &m, &in, &e) != CX_OK) {
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
    if (grade_approve(r->db, &r->who, rd.id, &m, yes, req_in(r, "reason"), &e) != CX_OK) {
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
    grades_ctx c = {r, cJSON_AddArrayToObject(d, "grades"), rd.open};
    if (grade_list(r->db, &q, add_pending, &c) != CX_OK) db_failed(r);
}

/* ---- XLSX export of results ---- */

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
