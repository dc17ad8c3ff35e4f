/* review_common.c: what the campaign, round, review, charge and grade pages share: the request
 * helpers (a round from round_id or the current one, an organisation's page in a round, the answer
 * to a submit), and the JSON of a round, a review, a grade, a campaign, a carrier and the round's
 * figures.
 *
 * Peer reviews are anonymous: no answer built here names or numbers the member who wrote one. */
#include "review_int.h"
#include "../store/campaign.h"
#include "../store/standard.h"
#include "../store/round.h"
#include "../store/review.h"
#include "../store/grade.h"
#include "../store/rollup.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void db_failed(req *r) { req_failf(r, 500, "db_error", "", "数据库错误"); }

/* After a change: a page goes to the URL (true: nothing more to do); the API goes on to answer. */
bool done_redirect(req *r, const char *fmt, ...)
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
cJSON *submitted(req *r, const char *key, int64_t round_id, bool updated)
{
    r->status = updated ? 200 : 201;
    cJSON *x = cJSON_AddObjectToObject(req_data(r), key);
    json_add_i64(x, "round_id", round_id);
    cJSON_AddBoolToObject(x, "updated", updated);
    return x;
}

/* An optional positive id input; false (request failed) when present but invalid. */
bool opt_id(req *r, const char *name, int64_t *id)
{
    const char *s = req_in(r, name);
    *id = 0;
    if (!s || !*s) return true;
    if (str_to_i64(s, id) == CX_OK && *id > 0) return true;
    req_failf(r, 400, "invalid_id", name, "编号 %s 无效：应为正整数", name);
    return false;
}

static const char *questions_label(const char *q) { return !strcmp(q, "window6") ? "窗口六问（政策落实……廉洁自律）" : "党员三问（党性观念、联系群众、先锋模范作用）"; }

cJSON *json_round(const review_round *rd)
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

/* The round a request is about: round_id from the input, or the round that applies to path now.
 * It must cover path. false with the request failed otherwise. */
bool req_round(req *r, const char *path, review_round *rd)
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
bool page_round(req *r, const char *path, review_round *rd)
{
    int64_t id;
    if (!opt_id(r, "round_id", &id)) return false;
    if (!id && round_current(r->db, path, rd) != 1) return false;
    return req_round(r, path, rd);
}

/* The start of an organisation's page in a round: the organisation (a role in mask over it), the
 * title, and the round (round_id, or the current one). False when the request failed, or when a
 * page has no round to show (it then says so; the API answers 409 no_round). */
bool org_round_page(req *r, int mask, const char *title, org *o, review_round *rd)
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

void add_rollup(cJSON *d, const rollup *ru)
{
    cJSON *s = cJSON_AddObjectToObject(d, "stats");
    for (int i = 0; i < RU_N; i++) json_add_i64(s, rollup_cols[i], ru->v[i]);
    int64_t sat = rollup_satisfaction(ru);
    if (sat < 0) cJSON_AddNullToObject(s, "satisfaction");
    else cJSON_AddNumberToObject(s, "satisfaction", (double)sat / 100.0);
}

cJSON *json_carrier(const carrier *k)
{
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "id", k->id);
    json_add_i64(x, "campaign_id", k->campaign_id);
    json_add_i64(x, "org_id", k->org_id);
    cJSON_AddStringToObject(x, "org_name", k->org_name);
    cJSON_AddStringToObject(x, "name", k->name);
    cJSON_AddStringToObject(x, "description", k->description);
    json_add_i64(x, "version", k->version);
    cJSON_AddBoolToObject(x, "retired", k->retired_at != 0);
    return x;
}

/* A campaign in a list (the organisation's campaigns, the rounds page). */
int add_campaign(void *ctx, const campaign *c)
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

int add_carrier_plain(void *ctx, const carrier *k)
{
    cJSON_AddItemToArray(ctx, json_carrier(k));
    return 0;
}

cJSON *json_review(const review_text *t)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "levels", t->levels);
    cJSON *ls = cJSON_AddArrayToObject(j, "level_labels");
    for (const char *p = t->levels; *p; p++) cJSON_AddItemToArray(ls, cJSON_CreateString(level_label(*p - '0')));
    cJSON_AddStringToObject(j, "achievements", t->achievements);
    cJSON_AddStringToObject(j, "shortcomings", t->shortcomings);
    cJSON_AddStringToObject(j, "direction", t->direction);
    if (t->entered_by) cJSON_AddItemToObject(j, "entered", json_entered(t->entered_name, t->updated_at, t->confirmed_at));
    return j;
}

static void add_score(cJSON *o, const char *k, int64_t v)
{
    if (v < 0) cJSON_AddNullToObject(o, k);
    else cJSON_AddNumberToObject(o, k, (double)v / 100.0);
}

const char *approval_label(const char *a)
{
    return !strcmp(a, "pending") ? "待上级审批" : !strcmp(a, "approved") ? "上级已批准" : !strcmp(a, "rejected") ? "上级未批准" : "";
}

cJSON *json_grade(const grade_row *g)
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

void add_grade(cJSON *d, req *r, int64_t round_id, bool is_org, int64_t id)
{
    grade_row *g = xmalloc(sizeof *g);
    if (grade_get(r->db, round_id, is_org, id, g) == 1) cJSON_AddItemToObject(d, "grade", json_grade(g));
    else cJSON_AddNullToObject(d, "grade");
    free(g);
}

int find_exclusion(void *ctx, int64_t member_id, const char *name, int reason, const char *note)
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
