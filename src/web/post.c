/* post.c: exemplary posts (党员示范岗) and responsibility areas (党员责任区), issue 19: the
 * registry of an organisation (list, create, XLSX export), a post's page (edit, duties, holders
 * with history, its public rating results), the public page with the holders' names and the
 * rating link, the A4 sign and the QR code whose URL is the post's public rating page. Ratings go
 * through the service window's flow (a post is a service_window row, docs/plan-19.md). */
#include "rating_int.h"
#include "../lib/xlsxout.h"
#include "../store/post.h"
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* The day of a time as pages show it ("2026-12-06"). */
static void day_of(int64_t t, char out[32])
{
    time_text(t, false, out);
    out[10] = 0;
}

static cJSON *post_json(const post *p, bool staff)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", p->id);
    json_add_i64(j, "org_id", p->org_id);
    cJSON_AddStringToObject(j, "kind", post_kind_name(p->kind));
    cJSON_AddStringToObject(j, "kind_label", post_kind_label(p->kind));
    cJSON_AddStringToObject(j, "name", p->name);
    cJSON_AddStringToObject(j, "place", p->place);
    cJSON_AddStringToObject(j, "duties", p->duties);
    cJSON_AddStringToObject(j, "org_name", p->org_name);
    if (staff) cJSON_AddBoolToObject(j, "active", p->active);
    return j;
}

static int add_post(void *ctx, const post *p)
{
    cJSON_AddItemToArray(ctx, post_json(p, true));
    return 0;
}

typedef struct holders_ctx {
    cJSON *cur, *past;
    bool staff; /* dates and member ids; the public sees names only */
} holders_ctx;
static int add_holder(void *ctx, const post_holder *h)
{
    holders_ctx *c = ctx;
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "name", h->name);
    if (c->staff) {
        char d[32];
        json_add_i64(j, "id", h->id);
        json_add_i64(j, "member_id", h->member_id);
        cJSON_AddStringToObject(j, "org_name", h->org_name);
        day_of(h->since, d);
        cJSON_AddStringToObject(j, "since", d);
        if (h->until) day_of(h->until, d), cJSON_AddStringToObject(j, "until", d);
    }
    cJSON_AddItemToArray(h->until ? c->past : c->cur, j);
    return 0;
}

/* Adds "holders" (and for staff "past_holders") to x; false after failing the request. */
static bool holders_into(req *r, cJSON *x, int64_t id, bool staff)
{
    holders_ctx c = {cJSON_AddArrayToObject(x, "holders"), staff ? cJSON_AddArrayToObject(x, "past_holders") : NULL, staff};
    if (post_holders(r->db, id, staff, add_holder, &c) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取责任人失败");
        return false;
    }
    return true;
}

/* ---- public: page, A4 sign, QR code ---- */

static bool public_post(req *r, int64_t id, post *p)
{
    org o;
    if (post_get(r->db, id, p) != 1 || !p->active || org_get(r->db, p->org_id, &o) != 1 || !o.active) {
        req_failf(r, 404, "not_found", "id", "该示范岗（责任区）不存在或已停用");
        return false;
    }
    return true;
}

static void post_public_data(req *r, const post *p, bool qr_inline)
{
    cJSON *d = req_data(r);
    cJSON *x = post_json(p, false);
    cJSON_AddItemToObject(d, "post", x);
    if (!holders_into(r, x, p->id, false)) return;
    cJSON_AddItemToObject(d, "questions", questions_json("window6", NULL));
    char title[320];
    snprintf(title, sizeof title, "%s：%s", post_kind_label(p->kind), p->name);
    cJSON_AddStringToObject(d, "title", title);
    if (qr_inline) rate_qr_data(r, p->id, d); /* the QR's URL: the post's public rating page */
}

void h_post_public(req *r)
{
    int64_t id;
    post p;
    if (!req_id(r, 0, &id) || !public_post(r, id, &p)) return;
    post_public_data(r, &p, false);
}

void h_post_print(req *r)
{
    int64_t id;
    post p;
    if (!req_id(r, 0, &id) || !public_post(r, id, &p)) return;
    post_public_data(r, &p, true);
}

void h_post_qr(req *r)
{
    int64_t id;
    post p;
    if (!req_id(r, 0, &id) || !public_post(r, id, &p)) return;
    rate_qr_file(r, id);
}

/* ---- staff: the registry ---- */

static void export_posts(req *r, const org *o, cJSON *arr)
{
    static const char *const heads[] = {"类别", "名称", "地点或区域", "岗位职责", "责任人", "所属组织", "状态"};
    xlsx_export xe;
    lxw_worksheet *ws = export_open(r, &xe, "示范岗和责任区", heads, 7);
    if (!ws) return;
    lxw_row_t row = 1;
    int rc = CX_OK;
    cJSON *p;
    cJSON_ArrayForEach(p, arr)
    {
        cJSON *tmp = cJSON_CreateObject();
        holders_ctx c = {cJSON_AddArrayToObject(tmp, "h"), cJSON_AddArrayToObject(tmp, "x"), false};
        if (rc == CX_OK) rc = post_holders(r->db, json_get_i64(p, "id"), false, add_holder, &c);
        buf names;
        buf_init(&names);
        cJSON *h;
        cJSON_ArrayForEach(h, c.cur) buf_printf(&names, "%s%s", names.len ? "、" : "", cJSON_GetStringValue(cJSON_GetObjectItem(h, "name")));
        const char *cols[] = {"kind_label", "name", "place", "duties"};
        for (int i = 0; i < 4; i++) worksheet_write_string(ws, row, (lxw_col_t)i, cJSON_GetStringValue(cJSON_GetObjectItem(p, cols[i])), NULL);
        worksheet_write_string(ws, row, 4, names.p ? names.p : "", NULL);
        worksheet_write_string(ws, row, 5, cJSON_GetStringValue(cJSON_GetObjectItem(p, "org_name")), NULL);
        worksheet_write_string(ws, row, 6, cJSON_IsTrue(cJSON_GetObjectItem(p, "active")) ? "在用" : "已停用", NULL);
        buf_free(&names);
        cJSON_Delete(tmp);
        row++;
    }
    char name[320];
    snprintf(name, sizeof name, "%s-示范岗和责任区.xlsx", o->name);
    export_close(r, &xe, rc, name, "post", o->id, o->id, NULL);
}

static bool req_posts_org(req *r, org *o)
{
    int64_t id;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ANY, o)) return false;
    if (!perm_may_see_posts(&r->user, o->path)) {
        req_failf(r, 404, "not_found", "id", "党组织不存在或不在您的管理范围内");
        return false;
    }
    return true;
}

static int add_member_option(void *ctx, const member *m)
{
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", m->id);
    char l[600];
    snprintf(l, sizeof l, "%s（%s）", m->r.name, m->org_name);
    cJSON_AddStringToObject(o, "label", l);
    cJSON_AddItemToArray(ctx, o);
    return 0;
}

/* GET /orgs/:id/posts (?subtree=1&all=1&format=xlsx) */
void h_posts(req *r)
{
    org o;
    bool xlsx = false;
    const char *fmt = req_query(r, "format");
    if (!req_posts_org(r, &o) || (fmt && !req_format_xlsx(r, &xlsx))) return;
    const char *sub = req_query(r, "subtree"), *all = req_query(r, "all");
    cJSON *d = req_data(r);
    cJSON *arr = cJSON_AddArrayToObject(d, "posts");
    if (post_list(r->db, &o, sub && !strcmp(sub, "1"), xlsx || (all && !strcmp(all, "1")), add_post, arr) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取示范岗和责任区失败");
        return;
    }
    if (xlsx) {
        export_posts(r, &o, arr);
        return;
    }
    cJSON_AddItemToObject(d, "org", json_org(&o));
    char title[320];
    snprintf(title, sizeof title, "%s：党员示范岗和责任区", o.name);
    cJSON_AddStringToObject(d, "title", title);
    cJSON_AddBoolToObject(d, "can_edit", perm_may_manage_posts(&r->user, o.path));
}

/* POST /orgs/:id/posts {kind, name, place, duties} */
void h_post_create(req *r)
{
    org o;
    int64_t pid = 0;
    if (!req_posts_org(r, &o)) return;
    if (!perm_may_manage_posts(&r->user, o.path)) {
        req_failf(r, 403, "forbidden", "", "只有本组织（或上级）的书记和活动办公室可以设立示范岗和责任区");
        return;
    }
    cx_err e = {0};
    post_ok ok;
    if (post_check(&(post_in){req_in(r, "kind"), req_in(r, "name"), req_in(r, "place"), req_in(r, "duties")}, &ok, &e) != CX_OK ||
        post_create(r->db, &r->who, o.id, &ok, &pid, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (!req_is_api(r)) {
        req_redirect(r, "/posts/%" PRId64, pid);
        return;
    }
    post p;
    if (!req_found(r, post_get(r->db, pid, &p), "id", "示范岗或责任区")) return;
    r->status = 201;
    cJSON_AddItemToObject(req_data(r), "post", post_json(&p, true));
}

/* The post of the path's :id as p may see it (staff over it, or one who holds or held it); 404 otherwise. */
static bool req_post(req *r, post *p, bool manage)
{
    int64_t id;
    if (!req_id(r, 0, &id)) return false;
    int f = post_get(r->db, id, p);
    if (f == CX_ERR) return req_failf(r, 500, "db_error", "", "数据库错误"), false;
    int holder = f == 1 ? post_is_holder(r->db, id, r->user.member_id) : 0;
    if (holder == CX_ERR) return req_failf(r, 500, "db_error", "", "数据库错误"), false;
    if (f != 1 || !perm_may_see_post(&r->user, p->org_path, holder == 1)) {
        req_failf(r, 404, "not_found", "id", "示范岗或责任区不存在或不在您的管理范围内");
        return false;
    }
    if (manage && !perm_may_manage_posts(&r->user, p->org_path)) {
        req_failf(r, 403, "forbidden", "", "只有本组织（或上级）的书记和活动办公室可以修改示范岗和责任区");
        return false;
    }
    return true;
}

/* GET /posts/:id: the post, its holders (with history), and for staff its current rating result. */
void h_post(req *r)
{
    post p;
    if (!req_post(r, &p, false)) return;
    cJSON *d = req_data(r);
    cJSON *x = post_json(&p, true);
    cJSON_AddItemToObject(d, "post", x);
    if (!holders_into(r, x, p.id, true)) return;
    char title[320];
    snprintf(title, sizeof title, "%s：%s", post_kind_label(p.kind), p.name);
    cJSON_AddStringToObject(d, "title", title);
    bool edit = perm_may_manage_posts(&r->user, p.org_path), staff = perm_allows(&r->user, ROLE_STAFF, p.org_path);
    cJSON_AddBoolToObject(d, "can_edit", edit);
    cJSON_AddBoolToObject(d, "can_see", staff);
    json_add_i64(d, "post_id", p.id);
    if (staff && !rating_summary(r, RK_WINDOW, p.id, p.org_path, d)) return; /* this round's result: staff only */
    cJSON *h, *hs = edit ? cJSON_GetObjectItem(x, "holders") : NULL;
    cJSON_ArrayForEach(h, hs) cJSON_AddBoolToObject(h, "can_end", true);
    cJSON *kinds = cJSON_AddArrayToObject(d, "kinds");
    for (int k = 0; k < PK_COUNT; k++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "value", post_kind_name((post_kind)k));
        cJSON_AddStringToObject(o, "label", post_kind_label((post_kind)k));
        cJSON_AddBoolToObject(o, "selected", k == (int)p.kind);
        cJSON_AddItemToArray(kinds, o);
    }
    if (edit && !req_is_api(r)) {
        org o;
        if (org_get(r->db, p.org_id, &o) == 1) {
            member_query q = {.root = &o, .subtree = true, .limit = 500};
            member_list(r->db, &q, add_member_option, cJSON_AddArrayToObject(d, "members"));
        }
    }
}

/* After a change: the page goes back to the post, the API answers with it. */
static void post_done(req *r, int64_t id)
{
    post p;
    if (!req_is_api(r)) req_redirect(r, "/posts/%" PRId64, id);
    else if (post_get(r->db, id, &p) == 1) {
        cJSON *x = post_json(&p, true);
        cJSON_AddItemToObject(req_data(r), "post", x);
        holders_into(r, x, id, true);
    }
}

/* PATCH /api/v1/posts/:id or POST /posts/:id/edit: fields not sent keep their value. */
void h_post_update(req *r)
{
    post p;
    if (!req_post(r, &p, true)) return;
    const char *k = req_in(r, "kind"), *n = req_in(r, "name"), *l = req_in(r, "place"), *du = req_in(r, "duties");
    cx_err e = {0};
    post_ok ok;
    if (post_check(&(post_in){k ? k : post_kind_name(p.kind), n ? n : p.name, l ? l : p.place, du ? du : p.duties}, &ok, &e) != CX_OK ||
        post_update(r->db, &r->who, p.id, &ok, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    post_done(r, p.id);
}

/* POST /posts/:id/deactivate | activate */
void h_post_active(req *r)
{
    post p;
    if (!req_post(r, &p, true)) return;
    cx_err e = {0};
    if (post_set_active(r->db, &r->who, p.id, r->rt->action, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    post_done(r, p.id);
}

/* POST /posts/:id/holders {member_id} */
void h_post_holder_add(req *r)
{
    post p;
    if (!req_post(r, &p, true)) return;
    bool bad = false;
    int64_t mid = query_id(r, "member_id", &bad);
    cx_err e = {0};
    if (bad || mid <= 0) {
        req_failf(r, 422, "invalid_member", "member_id", "请选择责任人（党员编号应为正整数）");
        return;
    }
    if (post_holder_add(r->db, &r->who, p.id, mid, NULL, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (req_is_api(r)) r->status = 201;
    post_done(r, p.id);
}

/* POST /posts/:id/holders/end {holder_id} */
void h_post_holder_end(req *r)
{
    post p;
    if (!req_post(r, &p, true)) return;
    bool bad = false;
    int64_t hid = query_id(r, "holder_id", &bad);
    if (bad || hid <= 0) {
        req_failf(r, 422, "invalid_holder", "holder_id", "请指明要卸任的责任人记录（holder_id 应为正整数）");
        return;
    }
    cx_err e = {0};
    if (post_holder_end(r->db, &r->who, p.id, hid, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    post_done(r, p.id);
}

/* ---- the member's posts: card, member page, 三评 (设岗定责) ---- */

static int add_member_post(void *ctx, const post *p)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", p->id);
    cJSON_AddStringToObject(j, "kind_label", post_kind_label(p->kind));
    cJSON_AddStringToObject(j, "name", p->name);
    cJSON_AddStringToObject(j, "place", p->place);
    cJSON_AddStringToObject(j, "duties", p->duties);
    cJSON_AddItemToArray(ctx, j);
    return 0;
}

bool member_posts_into(req *r, cJSON *x, const char *key, int64_t member_id)
{
    if (post_of_member(r->db, member_id, add_member_post, cJSON_AddArrayToObject(x, key)) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取党员的示范岗和责任区失败");
        return false;
    }
    return true;
}
