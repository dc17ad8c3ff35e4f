/* mobile.c: members away from their branch (流动党员), issue 22: a member's status and history with
 * the form (the member's branch and above), the return, and an organisation's list of its members
 * away and of those in touch with it (the contact organisation sees name, place, home branch and
 * dates only). The status never excludes a member from a review round. */
#include "web.h"
#include "../store/mobile.h"
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static cJSON *mobile_json(const mobile_row *m)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", m->id);
    json_add_i64(j, "member_id", m->member_id);
    cJSON_AddStringToObject(j, "member_name", m->member_name);
    cJSON_AddStringToObject(j, "org_name", m->org_name);
    cJSON_AddStringToObject(j, "place", m->place);
    json_add_i64(j, "contact_org_id", m->contact_org_id);
    cJSON_AddStringToObject(j, "contact_name", m->contact_name);
    cJSON_AddStringToObject(j, "since", m->since);
    cJSON_AddStringToObject(j, "until", m->until);
    cJSON_AddStringToObject(j, "returned_on", m->returned_on);
    cJSON_AddBoolToObject(j, "away", !m->returned_on[0]);
    cJSON_AddStringToObject(j, "note", m->note);
    return j;
}

static int add_mobile(void *ctx, const mobile_row *m)
{
    cJSON_AddItemToArray(ctx, mobile_json(m));
    return 0;
}

/* GET /members/:id/mobile: the member's records (staff over the member). */
void h_member_mobile(req *r)
{
    int64_t id;
    member m;
    if (!req_id(r, 0, &id) || !req_member(r, id, ROLE_STAFF, &m)) return;
    cJSON *d = req_data(r), *arr = cJSON_AddArrayToObject(d, "records");
    if (mobile_of_member(r->db, m.id, add_mobile, arr) != CX_OK) return req_failf(r, 500, "db_error", "", "读取流动党员记录失败");
    cJSON *cur = cJSON_GetArrayItem(arr, 0);
    cJSON_AddBoolToObject(d, "away", cur && cJSON_IsTrue(cJSON_GetObjectItem(cur, "away")));
    if (cur && cJSON_IsTrue(cJSON_GetObjectItem(cur, "away"))) cJSON_AddItemReferenceToObject(d, "current", cur);
    cJSON *x = cJSON_AddObjectToObject(d, "member");
    json_add_i64(x, "id", m.id);
    cJSON_AddStringToObject(x, "name", m.r.name);
    json_add_i64(x, "org_id", m.org_id);
    cJSON_AddStringToObject(x, "org_name", m.org_name);
    char title[160];
    snprintf(title, sizeof title, "%s：流动党员登记", m.r.name);
    cJSON_AddStringToObject(d, "title", title);
    cJSON_AddBoolToObject(d, "can_manage", perm_allows(&r->user, ROLE_ADMIN, m.org_path) && m.active);
}

/* POST /members/:id/mobile {place, contact_org_id, since, until, note} */
void h_member_mobile_start(req *r)
{
    int64_t id, cid = 0, mid = 0;
    member m;
    if (!req_id(r, 0, &id) || !req_member(r, id, ROLE_ADMIN, &m) || !req_opt_id(r, "contact_org_id", "联系党组织", &cid)) return;
    cx_err e = {0};
    mobile_in in = {req_in(r, "place"), req_in(r, "since"), req_in(r, "until"), req_in(r, "note"), cid};
    if (mobile_start(r->db, &r->who, &m, &in, &mid, &e) != CX_OK) return req_fail(r, &e);
    if (!req_is_api(r)) return req_redirect(r, "/members/%" PRId64 "/mobile", m.id);
    mobile_row x;
    if (req_found(r, mobile_get(r->db, mid, &x), "id", "流动党员记录")) {
        r->status = 201;
        cJSON_AddItemToObject(req_data(r), "record", mobile_json(&x));
    }
}

/* POST /mobile/:id/return {returned_on}: those who run the member's branch. */
void h_mobile_return(req *r)
{
    int64_t id;
    mobile_row x;
    if (!req_id(r, 0, &id)) return;
    int f = mobile_get(r->db, id, &x);
    if (f == CX_ERR) return req_failf(r, 500, "db_error", "", "数据库错误");
    if (f != 1 || !perm_allows(&r->user, ROLE_ADMIN, x.org_path)) return req_failf(r, 404, "not_found", "id", "流动党员记录不存在或不在您的管理范围内");
    cx_err e = {0};
    if (mobile_return(r->db, &r->who, id, req_in(r, "returned_on"), &e) != CX_OK) return req_fail(r, &e);
    if (!req_is_api(r)) return req_redirect(r, "/members/%" PRId64 "/mobile", x.member_id);
    if (mobile_get(r->db, id, &x) == 1) cJSON_AddItemToObject(req_data(r), "record", mobile_json(&x));
}

/* GET /orgs/:id/mobile-members: the subtree's members away now, and those in touch with it. */
void h_org_mobile(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_STAFF, &o)) return;
    cJSON *d = req_data(r);
    if (mobile_of_org(r->db, &o, false, add_mobile, cJSON_AddArrayToObject(d, "away")) != CX_OK ||
        mobile_of_org(r->db, &o, true, add_mobile, cJSON_AddArrayToObject(d, "in_contact")) != CX_OK)
        return req_failf(r, 500, "db_error", "", "读取流动党员失败");
    cJSON_AddItemToObject(d, "org", json_org(&o));
    char title[320];
    snprintf(title, sizeof title, "%s：流动党员", o.name);
    cJSON_AddStringToObject(d, "title", title);
}
