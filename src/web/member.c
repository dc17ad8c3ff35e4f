/* member.c: member pages and API: view, create, edit (and transfer), (de)activate, and the
 * audited full view of 身份证号 and phone. */
#include "web.h"
#include <inttypes.h>
#include <sodium.h>
#include <string.h>

cJSON *json_member(const member *m)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", m->id);
    json_add_i64(j, "org_id", m->org_id);
    cJSON_AddStringToObject(j, "org_name", m->org_name);
    for (int i = 0; member_cols[i].field; i++) {
        const char *v = member_rec_get(&m->r, member_cols[i].field);
        if (v && strcmp(member_cols[i].field, "birth_date") != 0) cJSON_AddStringToObject(j, member_cols[i].field, v);
    }
    json_add_i64(j, "birth_year", m->birth_year);
    cJSON_AddStringToObject(j, "status_label", member_status_label(m->r.status));
    cJSON_AddBoolToObject(j, "probationary", !strcmp(m->r.status, "probationary"));
    cJSON_AddBoolToObject(j, "active", m->active);
    cJSON_AddBoolToObject(j, "has_photo", m->has_photo);
    json_add_i64(j, "version", m->version);
    return j;
}

/* The form's columns with the values to show, for member_form.html. */
static void form_fields(cJSON *d, const member_in *in, bool editing, const member *m)
{
    static const char *hints[] = {
        [0] = "必填", [1] = "可不填：由身份证号得出", [3] = "可不填：由身份证号得出", [4] = "18 位，末位可为 X",
        [6] = "如 2008-07-01", [7] = "正式党员填写",
    };
    cJSON *fs = cJSON_AddArrayToObject(d, "fields");
    member_in copy = *in;
    for (int i = 0; member_cols[i].field; i++) {
        const char **slot = member_in_slot(&copy, i);
        if (!slot) continue; /* 所在党组织 is the page's org */
        const char *f = member_cols[i].field;
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "name", f);
        cJSON_AddStringToObject(x, "label", member_cols[i].label);
        cJSON_AddStringToObject(x, "value", *slot ? *slot : "");
        bool secret = !strcmp(f, "idcard") || !strcmp(f, "phone");
        if (editing && secret) {
            char ph[96];
            snprintf(ph, sizeof ph, "%s（留空则不修改）", member_rec_get(&m->r, f)[0] ? member_rec_get(&m->r, f) : "未填写");
            cJSON_AddStringToObject(x, "placeholder", ph);
        } else if ((size_t)i < sizeof hints / sizeof hints[0] && hints[i]) cJSON_AddStringToObject(x, "placeholder", hints[i]);
        cJSON_AddBoolToObject(x, "required", member_cols[i].required && !(editing && secret));
        cJSON_AddBoolToObject(x, "textarea", !strcmp(f, "duties"));
        if (!strcmp(f, "status")) {
            cJSON_AddTrueToObject(x, "select");
            const char *cur = *slot ? *slot : "full";
            bool prob = !strcmp(cur, "probationary") || !strcmp(cur, "预备党员") || !strcmp(cur, "预备");
            cJSON *opts = cJSON_AddArrayToObject(x, "options");
            cJSON *a = cJSON_CreateObject();
            cJSON_AddStringToObject(a, "value", "full");
            cJSON_AddStringToObject(a, "label", "正式党员");
            cJSON_AddBoolToObject(a, "selected", !prob);
            cJSON_AddItemToArray(opts, a);
            cJSON *b = cJSON_CreateObject();
            cJSON_AddStringToObject(b, "value", "probationary");
            cJSON_AddStringToObject(b, "label", "预备党员");
            cJSON_AddBoolToObject(b, "selected", prob);
            cJSON_AddItemToArray(opts, b);
        }
        cJSON_AddItemToArray(fs, x);
    }
}

/* After a successful change: pages go to the member page, the API returns the member. */
static void member_done(req *r, int64_t id)
{
    if (!req_is_api(r)) {
        req_redirect(r, "/members/%" PRId64, id);
        return;
    }
    member m;
    if (member_get(r->db, id, &m) != 1) {
        req_failf(r, 500, "db_error", "", "读取党员失败");
        return;
    }
    cJSON_AddItemToObject(req_data(r), "member", json_member(&m));
}

static void read_in(req *r, member_in *in)
{
    memset(in, 0, sizeof *in);
    for (int i = 0; member_cols[i].field; i++) {
        const char **slot = member_in_slot(in, i);
        if (slot) *slot = req_in(r, member_cols[i].field);
    }
}

void h_member(req *r)
{
    int64_t id;
    member m;
    if (!req_id(r, 0, &id) || !req_member(r, id, ROLE_ANY, &m)) return;
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", m.r.name);
    cJSON_AddItemToObject(d, "member", json_member(&m));
    cJSON_AddBoolToObject(d, "can_manage", perm_allows(&r->user, ROLE_ADMIN, m.org_path));
    meeting_member_block(r, &m, d);
    member_posts_into(r, d, "held_posts", m.id); /* 示范岗、责任区 (issue 19 posts) */
    if (honours_json(r->db, false, m.id, true, cJSON_AddArrayToObject(d, "honours")) != CX_OK) /* 评选表彰 (award.c), revoked ones marked */
        req_failf(r, 500, "db_error", "", "读取荣誉失败");
}

void h_member_new(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ADMIN, &o)) return;
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "新增党员");
    cJSON_AddItemToObject(d, "org", json_org(&o));
    cJSON_AddStringToObject(d, "action", "members");
    member_in in = {0};
    form_fields(d, &in, false, NULL);
}

void h_member_create(req *r)
{
    int64_t oid, nid;
    org o;
    if (!req_id(r, 0, &oid) || !req_org(r, oid, ROLE_ADMIN, &o)) return;
    member_in in;
    read_in(r, &in);
    member_rec rec;
    cx_err errs[16];
    int n = member_validate(&in, &rec, errs, 16);
    cx_err e = {0};
    if (n == 0 && member_create(r->db, &r->who, oid, &rec, &nid, &e) != CX_OK) errs[0] = e, n = 1;
    if (n && errs[0].status == 429) r->retry_after = IDCARD_LOOKUP_WINDOW; /* the 身份证号 lookup budget is spent */
    if (n) {
        req_fail_fields(r, errs, n); /* a page: the form again, each message at its field, what was typed kept */
        return;
    }
    if (req_is_api(r)) r->status = 201;
    member_done(r, nid);
}

void h_member_edit(req *r)
{
    int64_t id;
    member m;
    if (!req_id(r, 0, &id) || !req_member(r, id, ROLE_ADMIN, &m)) return;
    org o;
    if (!req_found(r, org_get(r->db, m.org_id, &o), "org_id", "党组织")) return;
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "编辑党员");
    cJSON_AddItemToObject(d, "org", json_org(&o));
    cJSON_AddItemToObject(d, "member", json_member(&m));
    member_in in = {m.r.name, m.r.sex, m.r.ethnicity, NULL, NULL, NULL, m.r.joined_date,
                    m.r.full_date, m.r.education, m.r.post, m.r.duties, m.r.status};
    form_fields(d, &in, true, &m);
}

void h_member_update(req *r)
{
    int64_t id;
    member m;
    if (!req_id(r, 0, &id) || !req_member(r, id, ROLE_ADMIN, &m)) return;
    /* A transfer needs the same rights over the receiving organisation. */
    int64_t org_id = m.org_id;
    const char *os = req_in(r, "org_id");
    org target;
    if (os && *os) {
        if (str_to_i64(os, &org_id) != CX_OK || org_id <= 0) {
            req_failf(r, 400, "invalid_org", "org_id", "所在党组织编号无效");
            return;
        }
        if (org_get(r->db, org_id, &target) != 1 || !perm_allows(&r->user, ROLE_ADMIN, target.path)) {
            req_failf(r, 404, "not_found", "org_id", "目标党组织不存在或不在您的管理范围内");
            return;
        }
    }
    /* Fields not sent keep their value (PATCH); an empty 身份证号 or phone in the form means "unchanged". */
    member_in in;
    read_in(r, &in);
    char idcard[19], phone[32];
    cx_err e = {0};
    if (member_decrypt(r->db, id, idcard, phone, NULL, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    bool api = req_is_api(r);
    /* 出生日期 is not kept apart from the 身份证号: it is derived again from it */
    member_in cur = {m.r.name, m.r.sex, m.r.ethnicity, NULL, idcard, phone, m.r.joined_date,
                     m.r.full_date, m.r.education, m.r.post, m.r.duties, m.r.status};
    for (int i = 0; member_cols[i].field; i++) {
        const char **slot = member_in_slot(&in, i), **old = member_in_slot(&cur, i);
        if (!slot) continue;
        bool secret = !strcmp(member_cols[i].field, "idcard") || !strcmp(member_cols[i].field, "phone");
        if (!*slot || (!api && secret && !**slot)) *slot = *old;
    }
    /* sex and birth date follow the 身份证号; keep them only when it is unchanged */
    if (in.idcard != idcard && !req_in(r, "sex")) in.sex = NULL; /* sex follows a new 身份证号 */
    member_rec rec;
    cx_err errs[16];
    int n = member_validate(&in, &rec, errs, 16);
    if (n == 0 && member_update(r->db, &r->who, id, org_id, &rec, &e) != CX_OK) errs[0] = e, n = 1;
    if (n && errs[0].status == 429) r->retry_after = IDCARD_LOOKUP_WINDOW; /* the 身份证号 lookup budget is spent */
    sodium_memzero(idcard, sizeof idcard);
    sodium_memzero(phone, sizeof phone);
    if (n) {
        req_fail_fields(r, errs, n); /* a page shows only what was typed: never the stored 身份证号 or phone */
        return;
    }
    member_done(r, id);
}

static void set_active(req *r, int active)
{
    int64_t id;
    member m;
    if (!req_id(r, 0, &id) || !req_member(r, id, ROLE_ADMIN, &m)) return;
    cx_err e = {0};
    if (member_set_active(r->db, &r->who, id, active, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    member_done(r, id);
}

void h_member_deactivate(req *r) { set_active(r, 0); }
void h_member_activate(req *r) { set_active(r, 1); }

void h_member_reveal(req *r)
{
    int64_t id;
    member m;
    if (!req_id(r, 0, &id) || !req_member(r, id, ROLE_ADMIN, &m)) return;
    char idcard[19], phone[32];
    cx_err e = {0};
    if (member_reveal(r->db, &r->who, id, idcard, phone, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", m.r.name);
    cJSON *j = json_member(&m);
    cJSON_AddItemToObject(d, "member", j);
    cJSON_AddBoolToObject(d, "can_manage", true);
    cJSON *full = cJSON_AddObjectToObject(d, "full");
    cJSON_AddStringToObject(full, "idcard", idcard);
    cJSON_AddStringToObject(full, "phone", phone);
    sodium_memzero(idcard, sizeof idcard);
    sodium_memzero(phone, sizeof phone);
}

void h_member_photo(req *r)
{
    int64_t id;
    member m;
    if (!req_id(r, 0, &id) || !req_member(r, id, ROLE_ANY, &m)) return;
    char mime[32];
    buf_init(&r->file);
    int f = member_photo_get(r->db, id, &r->file, mime);
    if (f != 1) {
        buf_free(&r->file);
        req_failf(r, 404, "no_photo", "photo", "该党员没有照片");
        return;
    }
    r->file_mime = req_keep(r, xstrdup(mime));
}

void h_member_photo_set(req *r)
{
    int64_t id;
    member m;
    if (!req_id(r, 0, &id) || !req_member(r, id, ROLE_ADMIN, &m)) return;
    const field *f = req_file(r, "photo");
    cx_err e = {0};
    if (member_photo_set(r->db, &r->who, id, f ? f->data.p : NULL, f ? f->data.len : 0, &e) != CX_OK) {
        if (!req_is_api(r)) {
            cJSON *d = req_data(r);
            cJSON_AddStringToObject(d, "title", m.r.name);
            cJSON_AddItemToObject(d, "member", json_member(&m));
            cJSON_AddBoolToObject(d, "can_manage", true);
        }
        req_fail(r, &e);
        return;
    }
    member_done(r, id);
}
