/* round.c: review rounds (评议轮次), pages and API: an organisation's rounds, opening one, a round's
 * page with the figures of the user's part of it, closing it. */
#include "review_int.h"
#include "../domain/date.h"
#include "../store/campaign.h"
#include "../store/standard.h"
#include "../store/round.h"
#include "../store/rollup.h"
#include "pager.h"
#include <inttypes.h>
#include <string.h>

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
    round_ok in;
    if (round_check(&(round_in){req_in(r, "name"), req_in(r, "start_date"), req_in(r, "end_date"), req_in(r, "questions")}, &in, &e) != CX_OK ||
        round_create(r->db, &r->who, o.id, cid, &in, &rid, &e) != CX_OK) {
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
