/* position.c: the leading group (领导班子) of an organisation, issue 22: its page (current
 * positions, the history, the appointment form with the members of its subtree), the duties and
 * the end of a position; the group on the public board; and the label of a leader's current
 * positions where leaders are offered for charges and liaison points (position_annotate). */
#include "web.h"
#include "../store/position.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cJSON *json_position(const position_row *p, bool staff)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "name", p->member_name);
    cJSON_AddStringToObject(j, "title", position_title_name(p->title));
    cJSON_AddStringToObject(j, "title_label", position_title_label(p->title));
    cJSON_AddStringToObject(j, "duties", p->duties);
    if (!staff) return j;
    json_add_i64(j, "id", p->id);
    json_add_i64(j, "org_id", p->org_id);
    json_add_i64(j, "member_id", p->member_id);
    cJSON_AddStringToObject(j, "since", p->since);
    cJSON_AddStringToObject(j, "until", p->until);
    cJSON_AddBoolToObject(j, "current", !p->until[0]);
    return j;
}

static int add_staff(void *ctx, const position_row *p)
{
    cJSON_AddItemToArray(ctx, json_position(p, true));
    return 0;
}

static int add_public(void *ctx, const position_row *p)
{
    cJSON_AddItemToArray(ctx, json_position(p, false));
    return 0;
}

int board_positions(db *d, int64_t org_id, cJSON *arr) { return position_list(d, org_id, false, add_public, arr); }

void position_annotate(db *d, cJSON *arr, const char *id_key)
{
    cJSON *x;
    cJSON_ArrayForEach(x, arr)
    {
        char label[512];
        if (position_label_of_user(d, json_get_i64(x, id_key), label, sizeof label) == CX_OK && label[0])
            cJSON_AddStringToObject(x, "position", label);
    }
}

static int add_choice(void *ctx, const member *m)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", m->id);
    char *l = xasprintf("%s（%s）", m->r.name, m->org_name);
    cJSON_AddStringToObject(j, "label", l);
    free(l);
    cJSON_AddItemToArray(ctx, j);
    return 0;
}

/* GET /orgs/:id/positions: the group now and its history; the form for those who run the organisation. */
void h_positions(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_STAFF, &o)) return;
    cJSON *d = req_data(r);
    if (position_list(r->db, o.id, false, add_staff, cJSON_AddArrayToObject(d, "positions")) != CX_OK ||
        position_list(r->db, o.id, true, add_staff, cJSON_AddArrayToObject(d, "history")) != CX_OK)
        return req_failf(r, 500, "db_error", "", "读取领导班子失败");
    cJSON_AddItemToObject(d, "org", json_org(&o));
    char title[320];
    snprintf(title, sizeof title, "%s：领导班子", o.name);
    cJSON_AddStringToObject(d, "title", title);
    bool can = perm_allows(&r->user, ROLE_ADMIN, o.path) && o.active;
    cJSON_AddBoolToObject(d, "can_manage", can);
    if (can && !req_is_api(r)) {
        member_query q = {.root = &o, .subtree = true, .limit = 500};
        if (member_list(r->db, &q, add_choice, cJSON_AddArrayToObject(d, "members")) != CX_OK) return req_failf(r, 500, "db_error", "", "读取党员失败");
    }
}

/* POST /orgs/:id/positions {member_id, title, duties, since} */
void h_position_add(req *r)
{
    int64_t id, mid = 0, pid = 0;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ADMIN, &o) || !req_opt_id(r, "member_id", "党员", &mid)) return;
    if (!mid) return req_failf(r, 400, "required", "member_id", "请选择任职的党员");
    cx_err e = {0};
    position_ok ok;
    if (position_check(req_in(r, "title"), req_in(r, "duties"), req_in(r, "since"), &ok, &e) != CX_OK ||
        position_add(r->db, &r->who, o.id, mid, &ok, &pid, &e) != CX_OK)
        return req_fail(r, &e);
    if (!req_is_api(r)) return req_redirect(r, "/orgs/%" PRId64 "/positions", o.id);
    position_row p;
    if (req_found(r, position_get(r->db, pid, &p), "id", "职务")) {
        r->status = 201;
        cJSON_AddItemToObject(req_data(r), "position", json_position(&p, true));
    }
}

/* PATCH /api/v1/positions/:id {duties}, POST /positions/:id/duties; POST /positions/:id/end {until}:
 * those who run the position's organisation. */
void h_position_act(req *r)
{
    int64_t id;
    position_row p;
    if (!req_id(r, 0, &id)) return;
    int f = position_get(r->db, id, &p);
    if (f == CX_ERR) return req_failf(r, 500, "db_error", "", "数据库错误");
    if (f != 1 || !perm_allows(&r->user, ROLE_ADMIN, p.org_path)) return req_failf(r, 404, "not_found", "id", "班子成员职务不存在或不在您的管理范围内");
    cx_err e = {0};
    int rc = r->rt->action ? position_end(r->db, &r->who, id, req_in(r, "until"), &e) : position_duties(r->db, &r->who, id, req_in(r, "duties"), &e);
    if (rc != CX_OK) return req_fail(r, &e);
    if (!req_is_api(r)) return req_redirect(r, "/orgs/%" PRId64 "/positions", p.org_id);
    if (position_get(r->db, id, &p) == 1) cJSON_AddItemToObject(req_data(r), "position", json_position(&p, true));
}
