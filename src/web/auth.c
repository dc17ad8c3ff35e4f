/* auth.c: login (and its second step, the code of an authenticator app, for an account with the
 * second factor on), first sign-in, logout, the current user and the home redirect. */
#include "web.h"
#include "../lib/crypto.h"
#include "../lib/netaddr.h"
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* --trusted-proxy: the peers whose X-Forwarded-For / X-Real-IP are believed (set before serving). */
static netlist g_trusted;

int web_trusted_proxy(const char *list, cx_err *e) { return netlist_parse(list, &g_trusted, e); }

static enum MHD_Result xff_join(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    buf *b = cls;
    if (strcasecmp(key, "X-Forwarded-For") || !value) return MHD_YES;
    if (b->len) buf_addc(b, ',');
    buf_adds(b, value);
    return MHD_YES;
}

/* The client's address, for per-address limits (only a keyed hash of it is stored): the peer, or
 * behind a trusted proxy the address it forwards (lib/netaddr.h). */
void req_client_addr(req *r, char out[64])
{
    char peer[64] = "?";
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    if (sa && sa->sa_family == AF_INET) inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, peer, 64);
    else if (sa && sa->sa_family == AF_INET6) inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, peer, 64);
    if (!g_trusted.n) {
        snprintf(out, 64, "%s", peer);
        return;
    }
    /* several X-Forwarded-For headers are one list (RFC 9110), in their order: the proxy's own
     * addition is at the end whichever header it went to */
    buf xff;
    buf_init(&xff);
    MHD_get_connection_values(r->conn, MHD_HEADER_KIND, xff_join, &xff);
    netaddr_client(&g_trusted, peer, xff.len ? xff.p : NULL, MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-Real-IP"), out);
    buf_free(&xff);
}


static void add_me(req *r, cJSON *d)
{
    cJSON *u = cJSON_AddObjectToObject(d, "user");
    json_add_i64(u, "id", r->user.user_id);
    cJSON_AddStringToObject(u, "username", r->user.username);
    cJSON_AddStringToObject(u, "display_name", r->user.display_name);
    if (r->user.member_id) json_add_i64(u, "member_id", r->user.member_id);
    cJSON_AddBoolToObject(u, "totp_on", r->user.totp_on);
    cJSON_AddBoolToObject(u, "totp_due", r->user.totp_due);
    cJSON *gs = cJSON_AddArrayToObject(u, "roles");
    for (int i = 0; i < r->user.ngrants; i++) {
        cJSON *g = cJSON_CreateObject();
        cJSON_AddStringToObject(g, "role", role_name(r->user.grants[i].role));
        cJSON_AddStringToObject(g, "label", role_label(r->user.grants[i].role));
        json_add_i64(g, "org_id", r->user.grants[i].org_id);
        cJSON_AddItemToArray(gs, g);
    }
}

/* Only same-site absolute paths are followed after login, and never back to the login form. */
static const char *safe_next(const char *n)
{
    if (!n || n[0] != '/' || n[1] == '/' || str_starts(n, "/login")) return "/";
    for (const char *p = n; *p; p++)
        if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_-.?=&%", *p)) return "/";
    return n;
}

/* The forms used before there is a session (登录, 激活) are checked by double submit: the form's
 * token must equal the cookie set with the form, a cookie only that form's path is sent. */
static void form_token_issue(req *r, const char *cookie, const char *path)
{
    char t[65];
    crypto_random_hex(t, 32);
    free(r->set_cookie[0]); /* shown again after a failed post: one cookie */
    r->set_cookie[0] = xasprintf("%s=%s; Path=%s; HttpOnly; SameSite=Strict", cookie, t, path);
    snprintf(r->csrf, sizeof r->csrf, "%s", t);
}

static bool form_token_ok(req *r, const char *cookie, const char *message)
{
    const char *c = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, cookie);
    const char *f = req_in(r, "_csrf");
    if (c && f && crypto_verify_eq(c, f)) return true;
    req_failf(r, 403, "csrf", "_csrf", "%s", message);
    return false;
}

/* After a sign-in or an activation: the session, its cookie, the form cookie cleared. */
static bool start_session(req *r, const principal *pr, const char *form_cookie, const char *form_path)
{
    r->user = *pr;
    r->logged_in = true;
    if (session_create(r->db, pr->user_id, r->token, r->csrf) != CX_OK) {
        req_failf(r, 500, "db_error", "", "创建会话失败");
        return false;
    }
    r->set_cookie[0] = xasprintf("cxzy_session=%s; Path=/; HttpOnly; SameSite=Strict", r->token);
    if (!req_is_api(r)) r->set_cookie[1] = xasprintf("%s=; Path=%s; Max-Age=0; HttpOnly; SameSite=Strict", form_cookie, form_path);
    return true;
}

void h_login_page(req *r)
{
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "登录");
    form_token_issue(r, "cxzy_login", "/login");
    const char *next = safe_next(req_query(r, "next"));
    if (strcmp(next, "/")) cJSON_AddStringToObject(d, "next", next);
}

/* A next that would not be followed is not carried on by the login form shown again either. */
static void drop_unsafe_next(req *r)
{
    for (int i = 0; i < r->nfields; i++)
        if (!strcmp(r->fields[i].name, "next") && r->fields[i].data.p && strcmp(safe_next(r->fields[i].data.p), r->fields[i].data.p))
            buf_reset(&r->fields[i].data);
}

void h_login(req *r)
{
    bool api = req_is_api(r);
    drop_unsafe_next(r);
    if (!api && !form_token_ok(r, "cxzy_login", "登录表单已过期，请重新输入")) return;
    const char *u = req_in(r, "username"), *p = req_in(r, "password");
    cx_err e = {0};
    principal pr;
    char addr[64];
    req_client_addr(r, addr);
    char pending[65];
    if (user_login(r->db, u, p, addr, &pr, pending, &r->retry_after, &e) != CX_OK) {
        req_fail(r, &e); /* a page shows the login form again, the name and the next page kept (response.c, redisplay) */
        return;
    }
    if (pending[0]) { /* the second factor is on: no session until the code passes too */
        if (api) {
            cJSON *d = req_data(r);
            cJSON_AddTrueToObject(d, "totp_required");
            cJSON_AddStringToObject(d, "pending", pending);
            json_add_i64(d, "expires_in", LOGIN_PENDING_SECONDS);
            return;
        }
        r->set_cookie[1] = xasprintf("cxzy_totp=%s; Path=/login; Max-Age=%d; HttpOnly; SameSite=Strict", pending, LOGIN_PENDING_SECONDS);
        const char *next = safe_next(req_in(r, "next"));
        buf u8;
        buf_init(&u8);
        buf_urlenc(&u8, next);
        req_redirect(r, "/login/totp%s%s", strcmp(next, "/") ? "?next=" : "", strcmp(next, "/") ? u8.p : "");
        buf_free(&u8);
        return;
    }
    if (!start_session(r, &pr, "cxzy_login", "/login")) return;
    if (!api) {
        const char *next = safe_next(req_in(r, "next"));
        req_redirect(r, "%s", strcmp(next, "/") ? next : "/desk"); /* no page asked for: the desk */
        return;
    }
    cJSON *d = req_data(r);
    add_me(r, d);
    cJSON_AddStringToObject(d, "csrf", r->csrf);
}

/* GET /login/totp: the second step of a sign-in, the code of the authenticator app (the password
 * step left its token in the cookie cxzy_totp, sent to /login… only). */
void h_login_totp_page(req *r)
{
    if (!MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "cxzy_totp")) {
        req_redirect(r, "/login");
        return;
    }
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "登录：两步验证");
    form_token_issue(r, "cxzy_login", "/login");
    const char *next = safe_next(req_query(r, "next"));
    if (strcmp(next, "/")) cJSON_AddStringToObject(d, "next", next);
}

/* POST /login/totp, /api/v1/session/totp: the code (and, for the API, pending from the password
 * step); the session starts only now. */
void h_login_totp(req *r)
{
    bool api = req_is_api(r);
    drop_unsafe_next(r);
    if (!api && !form_token_ok(r, "cxzy_login", "登录表单已过期，请重新输入")) return;
    const char *pending = api ? req_in(r, "pending") : MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "cxzy_totp");
    cx_err e = {0};
    principal pr;
    char addr[64];
    req_client_addr(r, addr);
    if (user_login_totp(r->db, pending, req_in(r, "code"), addr, &pr, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (!start_session(r, &pr, "cxzy_totp", "/login")) return;
    if (!api) {
        const char *next = safe_next(req_in(r, "next"));
        req_redirect(r, "%s", strcmp(next, "/") ? next : "/desk");
        return;
    }
    cJSON *d = req_data(r);
    add_me(r, d);
    cJSON_AddStringToObject(d, "csrf", r->csrf);
}

/* GET /activate: first sign-in with the code of the slip (?u= the username, from its QR code). */
void h_activate_page(req *r)
{
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "首次登录：激活账号");
    form_token_issue(r, "cxzy_act", "/activate");
    const char *u = req_query(r, "u");
    cx_err e;
    if (u && username_check(u, &e) == CX_OK) cJSON_AddStringToObject(d, "username", u);
}

/* POST /activate, /api/v1/activation: username, code, password (and password2 on the page). */
void h_activate(req *r)
{
    bool api = req_is_api(r);
    if (!api && !form_token_ok(r, "cxzy_act", "激活表单已过期，请重新输入")) return;
    const char *pw = req_in(r, "password"), *pw2 = req_in(r, "password2");
    if (!api && pw && (!pw2 || strcmp(pw, pw2))) {
        req_failf(r, 400, "password_mismatch", "password2", "两次输入的密码不一致");
        return;
    }
    cx_err e = {0};
    principal pr;
    char addr[64];
    req_client_addr(r, addr);
    if (user_activate(r->db, req_in(r, "username"), req_in(r, "code"), pw, addr, &pr, &r->retry_after, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (!start_session(r, &pr, "cxzy_act", "/activate")) return;
    if (!api) {
        req_redirect(r, "/desk");
        return;
    }
    cJSON *d = req_data(r);
    add_me(r, d);
    cJSON_AddStringToObject(d, "csrf", r->csrf);
}

void h_logout(req *r)
{
    session_delete(r->db, r->token);
    audit_record(r->db, &r->who, "logout", "user", r->user.user_id, 0, NULL, NULL, "ok");
    r->set_cookie[0] = xstrdup("cxzy_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
    r->read_primary = -1; /* and the read-your-own-writes cookie, when the client has one (response.c) */
    if (!req_is_api(r)) req_redirect(r, "/login");
    else cJSON_AddTrueToObject(req_data(r), "ok");
}

void h_me(req *r) { add_me(r, req_data(r)); }

/* Home is the desk (工作台, desk.c): what waits for the user, by the roles held. */
void h_home(req *r)
{
    if (!perm_top_grant(&r->user, ROLE_ANY)) {
        req_failf(r, 403, "forbidden", "", "您的账号尚未被授予任何组织的角色，请联系管理员");
        return;
    }
    req_redirect(r, "/desk");
}
