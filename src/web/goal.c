/* goal.c: annual goals (年初工作目标), issue 22: an organisation's goals page (its own and its
 * subtree's, by year and state) with the form for a new goal; one goal's page (edit, submit,
 * progress entries, every accepted version) with the acceptance or return an office strictly above
 * the goal's organisation gives (an organisation never accepts its own goals). */
#include "web.h"
#include "pager.h"
#include "../store/goal.h"
#include "../store/campaign.h"
#include "../domain/date.h"
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static cJSON *goal_json(const goal *g)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", g->id);
    json_add_i64(j, "org_id", g->org_id);
    cJSON_AddStringToObject(j, "org_name", g->org_name);
    json_add_i64(j, "campaign_id", g->campaign_id);
    cJSON_AddStringToObject(j, "campaign_theme", g->campaign_theme);
    json_add_i64(j, "year", g->year);
    cJSON_AddStringToObject(j, "title", g->title);
    if (g->measure) cJSON_AddStringToObject(j, "measure", g->measure);
    cJSON_AddStringToObject(j, "status", goal_status_name(g->status));
    cJSON_AddStringToObject(j, "status_label", goal_status_label(g->status));
    json_add_i64(j, "version", g->version);
    json_add_i64(j, "accepted_version", g->accepted_version);
    json_add_i64(j, "progress", g->progress);
    if (g->office_id) json_add_i64(j, "office_id", g->office_id), cJSON_AddStringToObject(j, "office_name", g->office_name);
    cJSON_AddStringToObject(j, "note", g->note);
    json_add_time(j, "created_at", g->created_at);
    return j;
}

static int add_goal(void *ctx, const goal *g)
{
    cJSON_AddItemToArray(ctx, goal_json(g));
    return 0;
}

/* ?year= (an integer 2000–2100) and ?status=; false after failing the request. */
static bool year_status(req *r, int64_t *year, int *status)
{
    const char *y = req_query(r, "year"), *s = req_query(r, "status");
    *year = 0, *status = -1;
    if (y && *y && (str_to_i64(y, year) != CX_OK || *year < GOAL_YEAR_MIN || *year > GOAL_YEAR_MAX))
        return req_failf(r, 400, "invalid_query", "year", "年度应为 %d 至 %d 之间的整数", GOAL_YEAR_MIN, GOAL_YEAR_MAX), false;
    if (s && *s && (*status = goal_status_from_name(s)) < 0)
        return req_failf(r, 400, "invalid_query", "status", "状态应为 draft、submitted、accepted 或 returned"), false;
    return true;
}

/* GET /orgs/:id/goals (?year=&status=&own=1&page=&per_page=): the organisation's and its subtree's goals. */
void h_goals(req *r)
{
    int64_t id, year;
    int status;
    org o;
    pager pg;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_STAFF, &o) || !year_status(r, &year, &status) || !pager_read(r, 50, 200, &pg)) return;
    const char *own = req_query(r, "own");
    goal_query q = {.path = o.path, .org_id = own && !strcmp(own, "1") ? o.id : 0, .year = year, .status = status};
    int64_t total = 0;
    if (goal_count(r->db, &q, &total) != CX_OK) return req_failf(r, 500, "db_error", "", "读取目标失败");
    pager_set_total(&pg, total);
    q.offset = pager_offset(&pg), q.limit = pg.per_page;
    cJSON *d = req_data(r);
    if (goal_list(r->db, &q, add_goal, cJSON_AddArrayToObject(d, "goals")) != CX_OK) return req_failf(r, 500, "db_error", "", "读取目标失败");
    pager_json(r, d, &pg);
    cJSON_AddItemToObject(d, "org", json_org(&o));
    char title[320], today[11];
    snprintf(title, sizeof title, "%s：年度工作目标", o.name);
    cJSON_AddStringToObject(d, "title", title);
    bool can = perm_allows(&r->user, ROLE_ADMIN, o.path) && o.active;
    cJSON_AddBoolToObject(d, "can_create", can);
    date_today(today);
    today[4] = 0;
    cJSON_AddStringToObject(d, "this_year", today);
    if (year) json_add_i64(d, "year", year);
    if (can) {
        campaign c;
        int f = campaign_for_org(r->db, &o, &c);
        if (f == 1) json_add_i64(d, "campaign_id", c.id), cJSON_AddStringToObject(d, "campaign_theme", c.theme);
    }
}

/* POST /orgs/:id/goals {year, title, measure, campaign_id (default: the campaign over the organisation)} */
void h_goal_create(req *r)
{
    int64_t id, cid = 0, gid = 0;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ADMIN, &o) || !req_opt_id(r, "campaign_id", "活动", &cid)) return;
    cx_err e = {0};
    goal_ok ok;
    if (goal_check(req_in(r, "year"), req_in(r, "title"), req_in(r, "measure"), &ok, &e) != CX_OK) {
        goal_ok_free(&ok);
        return req_fail(r, &e);
    }
    if (!cid) {
        campaign c;
        int f = campaign_for_org(r->db, &o, &c);
        if (f != 1) {
            goal_ok_free(&ok);
            return req_failf(r, f == 0 ? 409 : 500, f == 0 ? "no_campaign" : "db_error", "campaign_id", "本组织还没有创先争优活动，不能制定活动目标");
        }
        cid = c.id;
    }
    int rc = goal_create(r->db, &r->who, o.id, cid, &ok, &gid, &e);
    goal_ok_free(&ok);
    if (rc != CX_OK) return req_fail(r, &e);
    if (!req_is_api(r)) return req_redirect(r, "/goals/%" PRId64, gid);
    goal g;
    if (req_found(r, goal_get(r->db, gid, &g), "id", "目标")) {
        r->status = 201;
        cJSON_AddItemToObject(req_data(r), "goal", goal_json(&g));
    }
    goal_clear(&g);
}

/* The goal of the path's :id over whose organisation the user holds a role in mask; 404 (the same
 * as missing) otherwise. Clear g afterwards. */
static bool req_goal(req *r, goal *g, int mask)
{
    int64_t id;
    memset(g, 0, sizeof *g);
    if (!req_id(r, 0, &id)) return false;
    int f = goal_get(r->db, id, g);
    if (f == CX_ERR) return req_failf(r, 500, "db_error", "", "数据库错误"), false;
    if (f != 1 || !perm_allows(&r->user, mask, g->org_path)) return req_failf(r, 404, "not_found", "id", "目标不存在或不在您的管理范围内"), false;
    return true;
}

static int add_entry(void *ctx, const goal_entry *p)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", p->id);
    cJSON_AddStringToObject(j, "day", p->day);
    json_add_i64(j, "percent", p->percent);
    cJSON_AddStringToObject(j, "text", p->text ? p->text : "");
    cJSON_AddStringToObject(j, "author", p->author);
    cJSON_AddItemToArray(ctx, j);
    return 0;
}

static int add_version(void *ctx, const goal_version_row *v)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "version", v->version);
    cJSON_AddStringToObject(j, "title", v->title ? v->title : "");
    cJSON_AddStringToObject(j, "measure", v->measure ? v->measure : "");
    cJSON_AddStringToObject(j, "accepted_on", v->accepted_on);
    cJSON_AddStringToObject(j, "office_name", v->office_name);
    cJSON_AddItemToArray(ctx, j);
    return 0;
}

/* GET /goals/:id */
void h_goal(req *r)
{
    goal g;
    if (!req_goal(r, &g, ROLE_STAFF)) return goal_clear(&g);
    cJSON *d = req_data(r), *x = goal_json(&g);
    cJSON_AddItemToObject(d, "goal", x);
    cJSON_AddStringToObject(d, "title", g.title);
    if (goal_progress_list(r->db, g.id, add_entry, cJSON_AddArrayToObject(x, "progress_entries")) != CX_OK ||
        goal_versions(r->db, g.id, add_version, cJSON_AddArrayToObject(x, "versions")) != CX_OK) {
        goal_clear(&g);
        return req_failf(r, 500, "db_error", "", "读取目标失败");
    }
    bool admin = perm_allows(&r->user, ROLE_ADMIN, g.org_path), office = office_above(&r->user, g.org_path) != 0;
    cJSON_AddBoolToObject(d, "can_edit", admin);
    cJSON_AddBoolToObject(d, "can_submit", admin && (g.status == GS_DRAFT || g.status == GS_RETURNED));
    cJSON_AddBoolToObject(d, "can_decide", office && g.status == GS_SUBMITTED && g.submitted_by != r->who.user_id);
    cJSON_AddBoolToObject(d, "can_progress", admin && g.accepted_version > 0);
    cJSON_AddBoolToObject(d, "edit_makes_version", g.status == GS_ACCEPTED);
    goal_clear(&g);
}

static void goal_done(req *r, int64_t id)
{
    if (!req_is_api(r)) return req_redirect(r, "/goals/%" PRId64, id);
    goal g;
    if (goal_get(r->db, id, &g) == 1) cJSON_AddItemToObject(req_data(r), "goal", goal_json(&g));
    goal_clear(&g);
}

/* PATCH /api/v1/goals/:id, POST /goals/:id/edit {title, measure}: fields not sent keep their value. */
void h_goal_edit(req *r)
{
    goal g;
    if (!req_goal(r, &g, ROLE_ADMIN)) return goal_clear(&g);
    const char *t = req_in(r, "title"), *m = req_in(r, "measure");
    char year[16];
    snprintf(year, sizeof year, "%" PRId64, g.year);
    cx_err e = {0};
    goal_ok ok;
    int rc = goal_check(year, t ? t : g.title, m ? m : g.measure, &ok, &e);
    if (rc == CX_OK) rc = goal_edit(r->db, &r->who, g.id, &ok, &e);
    goal_ok_free(&ok);
    int64_t id = g.id;
    goal_clear(&g);
    if (rc != CX_OK) return req_fail(r, &e);
    goal_done(r, id);
}

/* POST /goals/:id/submit (the organisation), /accept, /return {note} (an office strictly above). */
void h_goal_act(req *r)
{
    goal g;
    bool submit = r->rt->action == GS_SUBMITTED;
    if (!req_goal(r, &g, submit ? ROLE_ADMIN : ROLE_STAFF)) return goal_clear(&g);
    int64_t id = g.id, office = office_above(&r->user, g.org_path);
    goal_clear(&g);
    cx_err e = {0};
    int rc;
    if (submit) rc = goal_submit(r->db, &r->who, id, &e);
    else if (!office) return req_failf(r, 403, "forbidden", "", "只有上级组织的活动办公室可以验收、退回目标（本组织不能验收自己的目标）");
    else if (r->rt->action == GS_ACCEPTED) rc = goal_accept(r->db, &r->who, id, office, &e);
    else rc = goal_return(r->db, &r->who, id, office, req_in(r, "note"), &e);
    if (rc != CX_OK) return req_fail(r, &e);
    goal_done(r, id);
}

/* POST /goals/:id/progress {percent, text} */
void h_goal_progress(req *r)
{
    goal g;
    if (!req_goal(r, &g, ROLE_ADMIN)) return goal_clear(&g);
    int64_t id = g.id;
    goal_clear(&g);
    int pct = 0;
    char *text = NULL, today[11];
    cx_err e = {0};
    date_today(today);
    int rc = goal_progress_check(req_in(r, "percent"), req_in(r, "text"), &pct, &text, &e);
    if (rc == CX_OK) rc = goal_progress_add(r->db, &r->who, id, today, pct, text, actor_shown(&r->who), &e);
    free(text);
    if (rc != CX_OK) return req_fail(r, &e);
    if (req_is_api(r)) r->status = 201;
    goal_done(r, id);
}
