/* window.c: service windows (服务窗口): the public page with its QR code and print view, and for
 * staff the list, create, view, edit and (de)activate. */
#include "rating_int.h"
#include "../store/window.h"
#include "../store/post.h"
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static bool public_window(req *r, int64_t id, service_window *w)
{
    org o;
    if (window_get(r->db, id, w) != 1 || !w->active || org_get(r->db, w->org_id, &o) != 1 || !o.active) {
        req_failf(r, 404, "not_found", "id", "该服务窗口不存在或已停用");
        return false;
    }
    return true;
}

static void window_public_data(req *r, const service_window *w, bool qr_inline)
{
    cJSON *d = req_data(r);
    cJSON *x = window_json(w);
    cJSON_DeleteItemFromObject(x, "active");
    cJSON_AddItemToObject(d, "window", x);
    cJSON_AddItemToObject(d, "questions", questions_json("window6", NULL));
    cJSON_AddStringToObject(d, "title", w->name);
    if (qr_inline) rate_qr_data(r, w->id, d);
}

void h_window_public(req *r)
{
    int64_t id;
    service_window w;
    post p;
    if (!req_id(r, 0, &id)) return;
    if (post_get(r->db, id, &p) == 1) { /* a post or area (the rating's way back): its own page */
        req_redirect(r, "/p/post/%" PRId64, id);
        return;
    }
    if (!public_window(r, id, &w)) return;
    window_public_data(r, &w, false);
}

void h_window_print(req *r)
{
    int64_t id;
    service_window w;
    if (!req_id(r, 0, &id) || !public_window(r, id, &w)) return;
    window_public_data(r, &w, true);
}

void h_window_qr(req *r)
{
    int64_t id;
    service_window w;
    if (!req_id(r, 0, &id) || !public_window(r, id, &w)) return;
    rate_qr_file(r, id);
}

static bool req_window(req *r, int64_t id, int mask, service_window *w)
{
    return in_scope(r, window_get(r->db, id, w), mask, w->org_path, "服务窗口");
}

/* GET /api/v1/orgs/:id/windows (?subtree=1&all=1) */
void h_windows(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ANY, &o)) return;
    const char *sub = req_query(r, "subtree"), *all = req_query(r, "all");
    if (window_list(r->db, &o, sub && !strcmp(sub, "1"), all && !strcmp(all, "1"), add_window, cJSON_AddArrayToObject(req_data(r), "windows")) !=
        CX_OK)
        req_failf(r, 500, "db_error", "", "读取服务窗口失败");
}

/* POST /orgs/:id/windows {name, location} */
void h_window_create(req *r)
{
    int64_t id, wid = 0;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ADMIN, &o)) return;
    cx_err e = {0};
    window_ok ok;
    if (window_check(&(window_in){req_in(r, "name"), req_in(r, "location")}, &ok, &e) != CX_OK ||
        window_create(r->db, &r->who, id, &ok, &wid, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (!req_is_api(r)) {
        req_redirect(r, "/windows/%" PRId64, wid);
        return;
    }
    service_window w;
    if (!req_found(r, window_get(r->db, wid, &w), "id", "服务窗口")) return;
    r->status = 201;
    cJSON_AddItemToObject(req_data(r), "window", window_json(&w));
}

void h_window(req *r)
{
    int64_t id;
    service_window w;
    if (!req_id(r, 0, &id) || !req_window(r, id, ROLE_ANY, &w)) return;
    cJSON *d = req_data(r);
    cJSON_AddItemToObject(d, "window", window_json(&w));
    cJSON_AddStringToObject(d, "title", w.name);
    cJSON_AddBoolToObject(d, "can_edit", perm_allows(&r->user, ROLE_ADMIN, w.org_path));
    cJSON_AddBoolToObject(d, "can_see", perm_allows(&r->user, ROLE_STAFF, w.org_path));
}

/* After a change: the page goes back to the window, the API answers with it. */
static void window_done(req *r, int64_t id)
{
    service_window w;
    if (!req_is_api(r)) req_redirect(r, "/windows/%" PRId64, id);
    else if (window_get(r->db, id, &w) == 1) cJSON_AddItemToObject(req_data(r), "window", window_json(&w));
}

/* PATCH /api/v1/windows/:id or POST /windows/:id/edit: fields not sent keep their value. */
void h_window_update(req *r)
{
    int64_t id;
    service_window w;
    if (!req_id(r, 0, &id) || !req_window(r, id, ROLE_ADMIN, &w)) return;
    const char *n = req_in(r, "name"), *l = req_in(r, "location");
    cx_err e = {0};
    window_ok ok;
    if (window_check(&(window_in){n ? n : w.name, l ? l : w.location}, &ok, &e) != CX_OK || window_update(r->db, &r->who, id, &ok, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    window_done(r, id);
}

/* POST /windows/:id/deactivate | activate */
void h_window_active(req *r)
{
    int64_t id;
    service_window w;
    if (!req_id(r, 0, &id) || !req_window(r, id, ROLE_ADMIN, &w)) return;
    bool on = r->rt->action; /* 1: activate */
    cx_err e = {0};
    if (window_set_active(r->db, &r->who, id, on, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    window_done(r, id);
}
