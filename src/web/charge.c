/* charge.c: leaders' charges and commentary (联系点评), pages and API: the leaders who may take a
 * charge, assigning them, a leader's own charges, the commentary form and its submit, and the
 * coverage of a round (who has not been commented on). */
#include "review_int.h"
#include "../store/rating.h"
#include "../store/round.h"
#include "../store/review.h"
#include "../store/charge.h"
#include "../store/rollup.h"
#include "pager.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    cJSON *arr = cJSON_AddArrayToObject(req_data(r), "leaders");
    if (leader_list(r->db, o.path, add_leader, arr) != CX_OK) return db_failed(r);
    position_annotate(r->db, arr, "id"); /* 领导班子 positions beside each leader (issue 22) */
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
/* One page of the charges in o's subtree this round (pending: those without commentary yet) as
 * d.key, with d.paging; false after failing the request. */
static bool charges_page(req *r, const review_round *rd, const org *o, bool pending, cJSON *d, const char *key)
{
    pager pg;
    int64_t total = -1;
    if (!pager_read(r, 100, 1000, &pg)) return false;
    if (charge_count_org(r->db, rd->id, o, pending, &total) == CX_OK) pager_set_total(&pg, total);
    if (total < 0 || charge_list_org(r->db, rd->id, o, pending, pager_offset(&pg), pg.per_page, add_charge, cJSON_AddArrayToObject(d, key)) != CX_OK) {
        db_failed(r);
        return false;
    }
    pager_json(r, d, &pg);
    return true;
}

void h_org_charges(req *r)
{
    org o;
    review_round rd;
    if (!org_round_page(r, ROLE_ADMIN, "联系点评安排", &o, &rd)) return;
    cJSON *d = req_data(r);
    if (!charges_page(r, &rd, &o, false, d, "charges")) return;
    bool office = rd.open && perm_allows(&r->user, ROLE_OFFICE, o.path);
    cJSON_AddBoolToObject(d, "can_assign", office);
    if (!office) return;
    cJSON *leaders = cJSON_AddArrayToObject(d, "leaders");
    leader_list(r->db, o.path, add_leader, leaders);
    position_annotate(r->db, leaders, "id"); /* 领导班子 positions (issue 22) */
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

/* The target of a commentary (the member or organisation of the path, seen by a leader), its
 * organisation and the round open there; false after failing the request. */
static bool commentary_target(req *r, bool is_org, member *m, org *o, review_round *rd)
{
    int64_t id;
    if (!req_id(r, 0, &id)) return false;
    if (is_org ? !req_org(r, id, ROLE_LEADER, o) : !req_member(r, id, ROLE_LEADER, m)) return false;
    if (!is_org && org_get(r->db, m->org_id, o) != 1) {
        db_failed(r);
        return false;
    }
    return req_round(r, o->path, rd);
}

/* GET /members/:id/commentary, /orgs/:id/commentary: the leader's commentary form with the
 * target's self-review beside it. */
void h_commentary_page(req *r)
{
    bool is_org = r->rt->action == RK_ORG;
    member m;
    org o;
    review_round rd;
    if (!commentary_target(r, is_org, &m, &o, &rd)) return;
    int64_t id = is_org ? o.id : m.id;
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "领导点评");
    cJSON_AddItemToObject(d, "round", json_round(&rd));
    cJSON *t = cJSON_AddObjectToObject(d, "target");
    cJSON_AddStringToObject(t, "kind", is_org ? "org" : "member");
    json_add_i64(t, "id", is_org ? o.id : m.id);
    cJSON_AddStringToObject(t, "name", is_org ? o.name : m.r.name);
    cJSON_AddStringToObject(t, "org_name", o.name);
    cJSON_AddStringToObject(t, "path", is_org ? "orgs" : "members");
    if (!is_org && !member_posts_into(r, d, "my_posts", m.id)) return; /* 设岗定责: the member's duties as context */
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
    bool is_org = r->rt->action == RK_ORG;
    member m;
    org o;
    review_round rd;
    if (!commentary_target(r, is_org, &m, &o, &rd)) return;
    int64_t id = is_org ? o.id : m.id;
    commentary_in in = {req_in(r, "level"), req_in(r, "achievements"), req_in(r, "problems"), req_in(r, "direction")};
    bool updated = false;
    cx_err e = {0};
    commentary_ok *ok = req_keep(r, xmalloc(sizeof *ok));
    if (commentary_check(&in, ok, &e) != CX_OK ||
        commentary_submit(r->db, &r->who, rd.id, r->user.user_id, &o, is_org ? 0 : m.id, ok, &updated, &e) != CX_OK) {
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
    if (!charges_page(r, &rd, &o, true, d, "pending")) return;
    cJSON *un = cJSON_AddArrayToObject(d, "unassigned");
    if (charge_unassigned(r->db, rd.id, &o, 200, &um, &uo, add_charge, un) != CX_OK) {
        db_failed(r);
        return;
    }
    json_add_i64(c, "unassigned_members", um);
    json_add_i64(c, "unassigned_orgs", uo);
    cJSON_AddBoolToObject(d, "can_assign", perm_allows(&r->user, ROLE_OFFICE, o.path));
}
