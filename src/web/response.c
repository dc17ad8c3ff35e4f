/* response.c: every answer is made here: the page rendered in the layout, the JSON, a redirect, a
 * download, the error (a 5xx with the request id, a failed form shown again, a login that comes
 * back to the page), with the security headers; and the answers without a route: static assets
 * with ETags, /healthz, /metrics and the 404/405 page. */
#include "server_int.h"
#include "tmpl.h"
#include "form.h"
#include "cache.h"
#include "metrics.h"
#include "../lib/assets.h"
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *SECURITY_HEADERS[][2] = {
    {"Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                                "object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "same-origin"},
    {"X-Frame-Options", "DENY"},
};

static void add_headers(struct MHD_Response *resp)
{
    for (size_t i = 0; i < sizeof SECURITY_HEADERS / sizeof SECURITY_HEADERS[0]; i++)
        MHD_add_response_header(resp, SECURITY_HEADERS[i][0], SECURITY_HEADERS[i][1]);
}

/* The answer is about to be queued: counted in /metrics now, before the client can see it (the
 * access line follows when libmicrohttpd reports the request complete). */
static void answered(req *r, int status, uint64_t bytes)
{
    r->resp_status = status;
    r->resp_bytes = bytes;
    metrics_request(r->slot, status, now_us() - r->t0_us);
}

/* Queues resp (len bytes of type mime) with the headers of every answer. */
static enum MHD_Result queue(req *r, int status, const char *mime, struct MHD_Response *resp, size_t len)
{
    MHD_add_response_header(resp, "Content-Type", mime);
    add_headers(resp);
    MHD_add_response_header(resp, "X-Request-Id", r->rid);
    answered(r, status, len);
    if (r->rt && (r->rt->flags & R_PUBLIC) && r->etag[0]) {
        /* public pages: always revalidate, answered 304 while unchanged */
        MHD_add_response_header(resp, "ETag", r->etag);
        MHD_add_response_header(resp, "Cache-Control", "public, no-cache");
    } else MHD_add_response_header(resp, "Cache-Control", "no-store");
    for (int i = 0; i < 2; i++)
        if (r->set_cookie[i]) {
            /* behind TLS (an https public address) no cookie ever travels in clear text */
            char *c = web_public_https() ? xasprintf("%s; Secure", r->set_cookie[i]) : NULL;
            MHD_add_response_header(resp, "Set-Cookie", c ? c : r->set_cookie[i]);
            free(c);
        }
    if (r->read_primary > 0 || (r->read_primary < 0 && r->own_writes)) { /* after a change: this client reads its own writes from the primary (http.c) */
        char *c = xasprintf("cxzy_rw=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Lax%s", r->read_primary > 0 ? "1" : "", r->read_primary > 0 ? r->read_primary : 0,
                            web_public_https() ? "; Secure" : "");
        MHD_add_response_header(resp, "Set-Cookie", c);
        free(c);
    }
    if (r->redirect) MHD_add_response_header(resp, "Location", r->redirect);
    if (r->retry_after > 0) {
        char ra[16];
        snprintf(ra, sizeof ra, "%d", r->retry_after);
        MHD_add_response_header(resp, "Retry-After", ra);
    } else if (status == 503) MHD_add_response_header(resp, "Retry-After", "5");
    if (r->attach) MHD_add_response_header(resp, "Content-Disposition", "attachment");
    if (r->file_name[0]) {
        buf cd;
        buf_init(&cd);
        const char *dot = strrchr(r->file_name, '.');
        buf_printf(&cd, "attachment; filename=\"export%s\"; filename*=UTF-8''", dot && strlen(dot) < 8 ? dot : "");
        buf_urlenc(&cd, r->file_name);
        MHD_add_response_header(resp, "Content-Disposition", cd.p);
        buf_free(&cd);
    }
    enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result send_buf(req *r, int status, const char *mime, buf *b)
{
    if (r->cacheable && status == 200 && r->etag[0] && !r->failed && b->len) page_cache_put(r->cache_key, r->etag, r->cache_gen, r->cache_day, mime, b->p, b->len);
    size_t len = b->len;
    char *p = buf_take(b);
    return queue(r, status, mime, MHD_create_response_from_buffer(len, p, MHD_RESPMEM_MUST_FREE), len);
}

/* A page from the page cache, sent from the cache's own bytes: the answer holds the page until
 * libmicrohttpd is done with it. */
static enum MHD_Result send_page(req *r, int status, const char *mime)
{
    page_ref p = r->page;
    r->page = (page_ref){0};
    return queue(r, status, mime, MHD_create_response_from_buffer_with_free_callback_cls(p.len, (void *)p.body, page_cache_release, p.hold), p.len);
}

static void error_json(buf *b, const cx_err *e)
{
    buf_adds(b, "{\"error\":{\"code\":");
    buf_json_str(b, e->code);
    buf_adds(b, ",\"message\":");
    buf_json_str(b, e->msg);
    buf_adds(b, ",\"field\":");
    buf_json_str(b, e->field);
    buf_adds(b, "}}");
}

/* A 5xx: the detail goes to the error log; the client gets our own words only (the message up to
 * its first "：", after which the database's text would follow) and the request id. */
static void public_5xx(req *r)
{
    log_error_req(r, NULL, r->err.msg);
    char *colon = strstr(r->err.msg, "：");
    if (colon) *colon = 0;
    char head[512];
    snprintf(head, sizeof head, "%s", r->err.msg[0] && strcmp(r->err.msg, "数据库错误") ? r->err.msg : "服务器内部错误");
    if (r->err.status == 500) snprintf(r->err.msg, sizeof r->err.msg, "%.400s（请求编号 %s），请稍后再试", head, r->rid);
    else snprintf(r->err.msg, sizeof r->err.msg, "%.400s（请求编号 %s）", head, r->rid);
}

/* Renders a page template inside the layout. */
static int render_page(req *r, const char *tmpl, buf *out)
{
    cJSON *d = req_data(r);
    buf body;
    buf_init(&body);
    int rc = tmpl_render(tmpl, d, &body);
    if (rc == CX_OK) {
        cJSON_DeleteItemFromObject(d, "html_body");
        cJSON_AddStringToObject(d, "html_body", body.p ? body.p : "");
        rc = tmpl_render("layout", d, out);
    } else {
        log_error_req(r, "template", body.p ? body.p : tmpl);
    }
    buf_free(&body);
    return rc;
}

/* Whether the request is for a public page (/p/…): those lead back to the public home, never to
 * the staff login. */
static bool public_page(const req *r) { return !strcmp(r->url, "/p") || str_starts(r->url, "/p/"); }

/* What a page says after a form posted from it succeeded: the post answers 303 to the page with
 * ?done=KEY, so a refresh shows the page again and never sends the form twice. */
static const char *const DONE_NOTICES[][2] = {
    {"paper_valid", "已录入一份有效问卷。"},
    {"paper_spoiled", "已记为废卷（无效）。"},
    {"phone", "已记录。"},
    {"burst_release", "已审核：这批评价计入结果。"},
    {"burst_discard", "已审核：这批评价作废（记为无效票）。"},
    {"totp_on", "两步验证已启用：以后登录时，输入密码后还要输入验证器应用中的 6 位验证码。"},
    {"totp_off", "两步验证已关闭。"},
    {"totp_policy", "已保存两步验证要求。"},
};

static void page_common(req *r)
{
    cJSON *d = req_data(r);
    const char *done = r->conn && !r->failed ? req_query(r, "done") : NULL;
    for (size_t i = 0; done && i < sizeof DONE_NOTICES / sizeof DONE_NOTICES[0]; i++)
        if (!strcmp(done, DONE_NOTICES[i][0]) && !cJSON_GetObjectItem(d, "notice")) cJSON_AddStringToObject(d, "notice", DONE_NOTICES[i][1]);
    cJSON_DeleteItemFromObject(d, "home_href");
    cJSON_AddStringToObject(d, "home_href", public_page(r) ? "/p" : "/");
    if (public_page(r) && !cJSON_GetObjectItem(d, "public_page")) cJSON_AddTrueToObject(d, "public_page");
    if (r->logged_in) {
        cJSON *u = cJSON_AddObjectToObject(d, "me");
        cJSON_AddStringToObject(u, "username", r->user.username);
        cJSON_AddStringToObject(u, "display_name", r->user.display_name);
        const grant *g = perm_top_grant(&r->user, ROLE_ANY);
        if (g) json_add_i64(u, "home_org", g->org_id);
        cJSON *roles = cJSON_AddArrayToObject(u, "roles");
        for (int i = 0; i < r->user.ngrants; i++) cJSON_AddItemToArray(roles, cJSON_CreateString(role_label(r->user.grants[i].role)));
        if (perm_roles(&r->user) & ROLE_OFFICE) cJSON_AddTrueToObject(u, "is_office");
        if (perm_roles(&r->user) & ~ROLE_MEMBER) cJSON_AddTrueToObject(u, "is_staff"); /* a role beyond 党员 (dashboards) */
        if (r->user.member_id) cJSON_AddTrueToObject(u, "is_member");
        if (perm_roles(&r->user) & ROLE_LEADER) json_add_i64(u, "liaison_leader", r->user.user_id); /* 我的联络点 (issue 18) */
        if (r->has_unread) json_add_i64(u, "unread", r->unread); /* the bell (req_bell) */
        /* 三评 opens the user's work there: an office's or secretary's rounds, a leader's charges,
         * a member's own reviews */
        const grant *a = perm_top_grant(&r->user, ROLE_ADMIN);
        char *rv = a ? xasprintf("/orgs/%lld/rounds", (long long)a->org_id)
                     : xstrdup(perm_roles(&r->user) & ROLE_LEADER ? "/me/charges" : "/me/reviews");
        cJSON_AddStringToObject(u, "reviews_href", rv);
        free(rv);
    }
    if (r->csrf[0]) cJSON_AddStringToObject(d, "csrf", r->csrf);
}

/* The path (with query) of the Referer when it is a page of this site, else NULL. */
static const char *referer_path(req *r)
{
    const char *ref = req_header(r, "Referer"), *host = req_header(r, "Host");
    if (!ref || !host) return NULL;
    const char *p = str_starts(ref, "http://") ? ref + 7 : str_starts(ref, "https://") ? ref + 8 : NULL;
    size_t hl = strlen(host);
    if (p && !strncmp(p, host, hl)) ref = p + hl;
    return ref[0] == '/' && ref[1] != '/' ? ref : NULL;
}

/* The page a failed form was sent from: the Referer when it names this site (browsers send it
 * to the same origin), else the page at the form's own address, its "new" form or the page above
 * it (/orgs/3/members → /orgs/3/members/new, /pledges/7/complete → /pledges/7). Tried in that
 * order by redisplay. */
static int form_pages(req *r, char pages[4][512])
{
    int n = 0;
    const char *ref = referer_path(r);
    if (ref) snprintf(pages[n++], 512, "%.*s", (int)strcspn(ref, "?#"), ref);
    snprintf(pages[n++], 512, "%s", r->url);
    snprintf(pages[n++], 512, "%s/new", r->url);
    snprintf(pages[n], 512, "%s", r->url);
    char *slash = strrchr(pages[n], '/');
    if (slash && slash != pages[n]) *slash = 0, n++;
    return n;
}

static enum MHD_Result add_query_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    buf *b = cls;
    buf_addc(b, strchr(b->p, '?') ? '&' : '?');
    buf_urlenc(b, key);
    if (value) buf_addc(b, '='), buf_urlenc(b, value);
    return MHD_YES;
}

/* Where to come back to after logging in: a GET page with its query; for a post, the page it
 * was sent from (the Referer on this site, with its query) or else the page above its address. */
static void return_page(req *r, buf *out)
{
    if (!strcmp(r->method, "GET")) {
        buf_adds(out, r->url);
        MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, add_query_arg, out);
        return;
    }
    const char *ref = referer_path(r);
    if (ref) {
        buf_add(out, ref, strcspn(ref, "#"));
        return;
    }
    const char *slash = strrchr(r->url, '/');
    if (slash && slash != r->url) buf_add(out, r->url, (size_t)(slash - r->url));
    else buf_adds(out, "/");
}

/* A page form whose post failed (4xx, not a missing login) is shown again: the GET page it came
 * from is rendered as usual, then form_refill puts the user's values back and the message beside
 * the field (form.h). False when there is no such page, the user may not see it, or it does not
 * hold the form: the plain error page then. */
bool redisplay(req *r, buf *out)
{
    if (!r->failed) return false;
    int st = r->err.status;
    if (req_is_api(r) || r->tmpl || !r->rt || strcmp(r->method, "POST") || st < 400 || st >= 500 || (st == 401 && !(r->rt->flags & R_PUBLIC))) return false;
    char pages[4][512];
    int np = form_pages(r, pages);
    const route *post = r->rt;
    const char *url = r->url;
    char *saved_params[4];
    int saved_nparams = r->nparams;
    memcpy(saved_params, r->params, sizeof saved_params);
    bool shown = false;
    cJSON *posted_data = NULL; /* what the failed handler left (its list of errors) */
    for (int k = 0; k < np && !shown; k++) {
        const route *g = NULL;
        for (size_t i = 0; i < web_nroutes && !g; i++)
            if (!strcmp(web_routes[i].method, "GET") && web_routes[i].tmpl && !(web_routes[i].flags & R_API) &&
                route_match(web_routes[i].pattern, pages[k], r))
                g = &web_routes[i];
        if (!g || (!(g->flags & R_PUBLIC) && (!r->logged_in || !(perm_roles(&r->user) & g->roles)))) continue;
        /* the page as a GET would show it: no posted fields, its own address */
        cx_err err = r->err;
        int nfields = r->nfields;
        if (!posted_data) posted_data = r->data;
        else cJSON_Delete(r->data);
        r->data = NULL;
        r->failed = false, r->nfields = 0, r->rt = g, r->url = pages[k], r->method = "GET";
        g->fn(r);
        r->nfields = nfields, r->rt = post, r->url = url, r->method = "POST";
        shown = !r->failed && !r->redirect && !r->file.p && !r->page.hold && r->status != 304;
        r->failed = true, r->err = err, r->status = 0, r->etag[0] = 0, r->cacheable = false;
        free(r->redirect), r->redirect = NULL;
        buf_free(&r->file);
        page_cache_release(r->page.hold), r->page = (page_ref){0};
        if (shown) {
            page_common(r);
            cJSON *d = req_data(r);
            if (!cJSON_GetObjectItem(d, "title")) cJSON_AddStringToObject(d, "title", "请修改后重新提交");
            buf page;
            buf_init(&page);
            form_value *vals = xcalloc((size_t)r->nfields + 1, sizeof *vals);
            size_t nv = 0;
            for (int i = 0; i < r->nfields; i++)
                if (!r->fields[i].filename) vals[nv++] = (form_value){r->fields[i].name, r->fields[i].data.p ? r->fields[i].data.p : ""};
            /* every reason a handler listed (data.errors, as the member form does), else the one */
            form_error fe[16] = {{err.code, err.field, err.msg}};
            size_t ne = 1;
            const cJSON *list = cJSON_GetObjectItem(posted_data, "errors");
            if (cJSON_GetArraySize(list) > 0) {
                ne = 0;
                const cJSON *x;
                cJSON_ArrayForEach(x, list) if (ne < 16) fe[ne++] = (form_error){cJSON_GetStringValue(cJSON_GetObjectItem(x, "code")),
                                                                               cJSON_GetStringValue(cJSON_GetObjectItem(x, "field")),
                                                                               cJSON_GetStringValue(cJSON_GetObjectItem(x, "message"))};
            }
            char action[512];
            snprintf(action, sizeof action, "%.*s", (int)strcspn(url, "?#"), url);
            shown = render_page(r, r->tmpl ? r->tmpl : g->tmpl, &page) == CX_OK && form_refill(page.p, action, vals, nv, fe, ne, out);
            free(vals);
            buf_free(&page);
            if (shown) break;
        }
        buf_reset(out);
        cJSON_Delete(r->data);
        r->data = NULL;
        r->tmpl = NULL;
    }
    memcpy(r->params, saved_params, sizeof saved_params);
    r->nparams = saved_nparams;
    if (!shown) cJSON_Delete(r->data), r->data = posted_data;
    else cJSON_Delete(posted_data);
    return shown;
}

/* A database that is away answers every request that met it, and a locked or full one every
 * request that failed on it, with 503: never "not found", "not logged in" or a half page. */
static void db_fault_answer(req *r)
{
    if (r->db_fault != DB_FAULT_UNAVAILABLE && !(r->db_fault && r->failed)) return;
    r->failed = false;
    req_failf(r, 503, db_fault_code(r->db_fault), "", "%s", db_fault_msg(r->db_fault));
    free(r->redirect);
    r->redirect = NULL;
    for (int i = 0; i < 2; i++) free(r->set_cookie[i]), r->set_cookie[i] = NULL;
}

enum MHD_Result respond(req *r)
{
    buf out;
    buf_init(&out);
    bool api = req_is_api(r);
    db_fault_answer(r);
    if (r->failed) {
        int st = r->err.status ? r->err.status : 400;
        if (st >= 500) public_5xx(r);
        if (api) {
            error_json(&out, &r->err);
            return send_buf(r, st, "application/json; charset=utf-8", &out);
        }
        if (st == 401 && !r->tmpl && !(r->rt && (r->rt->flags & R_PUBLIC))) {
            /* a page that needs login: go to the login page and come back to it (a post: to the
             * page it was sent from, as a GET of its address would not show it) */
            buf back, u;
            buf_init(&back);
            buf_init(&u);
            return_page(r, &back);
            buf_urlenc(&u, back.p);
            req_redirect(r, "/login?next=%s", u.p);
            buf_free(&u);
            buf_free(&back);
            return send_buf(r, 303, "text/html; charset=utf-8", &out);
        }
        if (st == 403 && !strcmp(r->err.code, "totp_setup_required")) { /* nothing else until the second factor is set up */
            req_redirect(r, "/me/security");
            return send_buf(r, 303, "text/html; charset=utf-8", &out);
        }
        if (r->again.len && st < 500) return send_buf(r, st, "text/html; charset=utf-8", &r->again);
        cJSON *d = req_data(r);
        cJSON *e = cJSON_AddObjectToObject(d, "error");
        cJSON_AddStringToObject(e, "code", r->err.code);
        cJSON_AddStringToObject(e, "message", r->err.msg);
        cJSON_AddStringToObject(e, "field", r->err.field);
        if (st == 404) cJSON_AddTrueToObject(d, "not_found");
        page_common(r);
        if (!cJSON_GetObjectItem(d, "title")) cJSON_AddStringToObject(d, "title", "出错了");
        if (render_page(r, r->tmpl ? r->tmpl : "error", &out) != CX_OK) {
            buf_reset(&out);
            buf_printf(&out, "服务器内部错误（请求编号 %s），请稍后再试", r->rid);
            st = 500;
        }
        return send_buf(r, st, "text/html; charset=utf-8", &out);
    }
    if (r->status == 304) return send_buf(r, 304, "text/html; charset=utf-8", &out);
    if (r->page.hold) return send_page(r, r->status ? r->status : 200, r->file_mime); /* shown, as when rendered */
    if (r->file.p) {
        out = r->file;
        buf_init(&r->file);
        /* uploaded files other than photos (PDFs …) are downloaded, never shown inside our origin;
         * a public page answered from the page cache is our own page, shown as when rendered */
        const char *fm = r->file_mime ? r->file_mime : "";
        r->attach = !r->from_cache && !r->file_name[0] && strcmp(fm, "image/jpeg") && strcmp(fm, "image/png");
        return send_buf(r, r->status ? r->status : 200, r->file_mime, &out);
    }
    if (r->redirect && !api) return send_buf(r, 303, "text/html; charset=utf-8", &out);
    if (api) {
        if (r->data) {
            char *s = cJSON_PrintUnformatted(r->data);
            buf_adds(&out, s);
            free(s);
        } else buf_adds(&out, "{}");
        return send_buf(r, r->status ? r->status : 200, "application/json; charset=utf-8", &out);
    }
    page_common(r);
    const char *tmpl = r->tmpl ? r->tmpl : r->rt->tmpl;
    if (!tmpl || render_page(r, tmpl, &out) != CX_OK) {
        if (!tmpl) log_error_req(r, "template", "no template for the route");
        buf_reset(&out);
        buf_printf(&out, "服务器内部错误（请求编号 %s），请稍后再试", r->rid);
        return send_buf(r, 500, "text/plain; charset=utf-8", &out);
    }
    return send_buf(r, r->status ? r->status : 200, "text/html; charset=utf-8", &out);
}

/* ---- answers without a route: static assets, /healthz, /metrics, 404 and 405 ---- */

enum MHD_Result serve_asset(req *r, const char *path)
{
    char name[256];
    snprintf(name, sizeof name, "static/%s", path + strlen("/static/"));
    const struct asset *a = strstr(name, "..") ? NULL : asset_find(name);
    buf out;
    buf_init(&out);
    if (!a) {
        buf_adds(&out, "not found");
        return send_buf(r, 404, "text/plain; charset=utf-8", &out);
    }
    char etag[40];
    snprintf(etag, sizeof etag, "\"%llx\"", a->hash);
    const char *inm = req_header(r, "If-None-Match");
    struct MHD_Response *resp;
    int status = 200;
    if (inm && !strcmp(inm, etag)) {
        resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        status = 304;
    } else {
        resp = MHD_create_response_from_buffer(a->len, (void *)a->data, MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header(resp, "Content-Type", a->mime);
    }
    MHD_add_response_header(resp, "ETag", etag);
    const char *ver = req_query(r, "v"); /* "?v=<hash>" names these very bytes (ECharts, dashboard.js): keep a year */
    bool versioned = ver && strlen(ver) + 2 == strlen(etag) && !strncmp(ver, etag + 1, strlen(ver));
    MHD_add_response_header(resp, "Cache-Control", versioned ? "public, max-age=31536000, immutable" : "public, max-age=3600");
    add_headers(resp);
    MHD_add_response_header(resp, "X-Request-Id", r->rid);
    answered(r, status, status == 304 ? 0 : a->len);
    enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result send_text(req *r, int status, const char *mime, const char *text)
{
    buf out;
    buf_init(&out);
    buf_adds(&out, text);
    return send_buf(r, status, mime, &out);
}

/* Liveness and the database: 200 {"status":"ok","db":"ok"} when a pooled connection reads the
 * schema's version table, else 503 with a Chinese message (and the detail in the error log). */
enum MHD_Result serve_healthz(req *r)
{
    db *d = db_pool_get(g_pool);
    int64_t one = 0;
    int rc = db_i64(d, &one, 0, "SELECT 1 FROM schema_migrations LIMIT 1", "");
    if (rc != CX_OK) r->db_detail = req_keep(r, xstrdup(db_errmsg(d)));
    db_pool_put(g_pool, d);
    if (rc == CX_OK && one == 1) return send_text(r, 200, "application/json; charset=utf-8", "{\"status\":\"ok\",\"db\":\"ok\"}");
    log_error_req(r, "healthz", "the database does not answer (SELECT 1 FROM schema_migrations)");
    buf out;
    buf_init(&out);
    char msg[160];
    snprintf(msg, sizeof msg, "数据库无法连接（请求编号 %s），请检查数据库服务", r->rid);
    buf_adds(&out, "{\"status\":\"error\",\"db\":\"unreachable\",\"message\":");
    buf_json_str(&out, msg);
    buf_adds(&out, "}");
    return send_buf(r, 503, "application/json; charset=utf-8", &out);
}

/* Whether the peer is this machine and no proxy speaks for someone else (a site behind nginx on
 * the same host is loopback to us: a forwarded request is not local). */
static bool local_peer(req *r)
{
    if (req_header(r, "X-Forwarded-For") || req_header(r, "X-Real-IP") || req_header(r, "Forwarded")) return false;
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr) return false;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET) return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
    if (sa->sa_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        return IN6_IS_ADDR_LOOPBACK(a) || (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
    }
    return false;
}

/* Prometheus text: to this machine only by default (`--metrics any` for a scraper elsewhere,
 * `--metrics off` for nobody). */
enum MHD_Result serve_metrics(req *r)
{
    if (g_metrics == METRICS_OFF || (g_metrics == METRICS_LOCAL && !local_peer(r)))
        return send_text(r, 403, "text/plain; charset=utf-8", "运行指标仅限本机读取（见 cxzy serve --metrics）\n");
    buf out;
    buf_init(&out);
    metrics_render(&out);
    return send_buf(r, 200, "text/plain; version=0.0.4; charset=utf-8", &out);
}

/* No route has this method and path: 405 when another method's route has the path, else 404; an
 * API path answered in JSON, any other with the site's own error page. */
enum MHD_Result serve_unrouted(req *r, const char *url, const char *method)
{
    buf out;
    buf_init(&out);
    bool any = false;
    for (size_t i = 0; i < web_nroutes; i++) {
        req tmp = {0};
        if (route_match(web_routes[i].pattern, url, &tmp)) any = true;
        for (int k = 0; k < tmp.nkeep; k++) free(tmp.keep[k]);
        free(tmp.keep);
    }
    bool api = str_starts(url, "/api/");
    cx_err e;
    cx_fail(&e, any ? 405 : 404, any ? "method_not_allowed" : "not_found", "", any ? "不支持的请求方法 %s" : "页面不存在", method);
    if (api) error_json(&out, &e);
    else { /* the site's own page, leading back home (public pages: the public home) */
        cJSON *d = req_data(r), *je = cJSON_AddObjectToObject(d, "error");
        cJSON_AddStringToObject(je, "code", e.code);
        cJSON_AddStringToObject(je, "message", e.msg);
        cJSON_AddStringToObject(d, "title", any ? "不支持的请求" : "页面不存在");
        if (!any) cJSON_AddTrueToObject(d, "not_found");
        page_common(r);
        if (render_page(r, "error", &out) != CX_OK) buf_reset(&out), buf_html(&out, e.msg);
    }
    return send_buf(r, e.status, api ? "application/json; charset=utf-8" : "text/html; charset=utf-8", &out);
}
