/* account.c: accounts for everyone, as those above manage them: the accounts of a subtree
 * (counts, list, export), the account policy, accounts for all members in one action, staff
 * accounts by role, slips of activation codes to print (激活单), codes by SMS, and reset, lock,
 * unlock of one account. The first sign-in with a code is in auth.c. */
#include "web.h"
#include "pager.h"
#include "../lib/crypto.h"
#include "../lib/sms.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char *const STATUSES[] = {"pending", "expired", "active", "locked", "inactive"};

static bool status_known(const char *s)
{
    for (size_t i = 0; i < sizeof STATUSES / sizeof STATUSES[0]; i++)
        if (!strcmp(s, STATUSES[i])) return true;
    return false;
}

static cJSON *policy_json(const account_policy *p, int64_t from)
{
    cJSON *j = account_policy_json(p);
    cJSON_AddBoolToObject(j, "rule_phone", !strcmp(p->username_rule, "phone"));
    json_add_i64(j, "from_org_id", from);
    return j;
}

typedef struct list_ctx {
    req *r;
    cJSON *arr;
    int64_t now;
    int rc;
} list_ctx;

/* The account's grants as shown ("书记 @ 第一支部"), and whether the user may manage it. */
static int add_account(void *ctx, const account_row *a)
{
    list_ctx *c = ctx;
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "id", a->id);
    cJSON_AddStringToObject(x, "username", a->username);
    cJSON_AddStringToObject(x, "name", a->name);
    if (a->member_id) json_add_i64(x, "member_id", a->member_id);
    const char *st = account_status(a, c->now);
    cJSON_AddStringToObject(x, "status", st);
    cJSON_AddStringToObject(x, "status_label", account_status_label(st));
    cJSON_AddBoolToObject(x, "is_locked", a->locked);
    if (!a->activated && a->expires) {
        char until[32];
        time_text(a->expires, false, until);
        cJSON_AddStringToObject(x, "code_expires", until);
    }
    grant g[16];
    int n = 0;
    if (account_grants(c->r->db, a->id, g, 16, &n) != CX_OK) c->rc = CX_ERR;
    cJSON *roles = cJSON_AddArrayToObject(x, "roles");
    for (int i = 0; i < n; i++) {
        org o;
        cJSON *y = cJSON_CreateObject();
        cJSON_AddStringToObject(y, "role", role_name(g[i].role));
        cJSON_AddStringToObject(y, "label", role_label(g[i].role));
        json_add_i64(y, "org_id", g[i].org_id);
        if (org_get(c->r->db, g[i].org_id, &o) == 1) cJSON_AddStringToObject(y, "org_name", o.name);
        cJSON_AddItemToArray(roles, y);
    }
    cJSON_AddBoolToObject(x, "can_manage", a->active && perm_may_manage_account(&c->r->user, a->id, g, n));
    cJSON_AddItemToArray(c->arr, x);
    return c->rc;
}

/* XLSX or CSV of the accounts, no secrets: username, name, roles, status, code's last day. */
typedef struct xrow {
    req *r;
    lxw_worksheet *ws;
    lxw_row_t row;
    int64_t now;
} xrow;

static int export_account(void *ctx, const account_row *a)
{
    xrow *x = ctx;
    grant g[16];
    int n = 0;
    buf roles;
    buf_init(&roles);
    if (account_grants(x->r->db, a->id, g, 16, &n) != CX_OK) return buf_free(&roles), 1;
    for (int i = 0; i < n; i++) {
        org o;
        buf_printf(&roles, "%s%s", i ? "；" : "", role_label(g[i].role));
        if (org_get(x->r->db, g[i].org_id, &o) == 1) buf_printf(&roles, "（%s）", o.name);
    }
    char until[32] = "";
    if (!a->activated && a->expires) time_text(a->expires, false, until);
    const char *v[] = {a->username, a->name, roles.p ? roles.p : "", account_status_label(account_status(a, x->now)), until};
    for (size_t c = 0; c < sizeof v / sizeof v[0]; c++) worksheet_write_string(x->ws, x->row, (lxw_col_t)c, v[c], NULL);
    x->row++;
    buf_free(&roles);
    return 0;
}

static void export_accounts(req *r, const account_query *q0, const org *o)
{
    account_query q = *q0;
    q.offset = q.limit = 0;
    static const char *const heads[] = {"用户名", "姓名", "角色", "状态", "激活码有效期至"};
    xlsx_export xe;
    xrow x = {r, export_open(r, &xe, "账号", heads, sizeof heads / sizeof heads[0]), 1, now_unix()};
    if (!x.ws) return;
    int rc = account_list(r->db, &q, export_account, &x);
    char name[400];
    snprintf(name, sizeof name, "%s-账号.xlsx", o->name);
    export_close(r, &xe, rc, name, "account", o->id, o->id, NULL);
}

/* GET /orgs/:id/accounts: counts, the policy, one page of accounts (?status=&q=&own=1&format=xlsx). */
void h_accounts(req *r)
{
    int64_t id;
    org o;
    pager pg;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ADMIN, &o) || !pager_read(r, 50, 500, &pg)) return;
    const char *status = req_query(r, "status"), *q = req_query(r, "q"), *own = req_query(r, "own");
    if (status && *status && !status_known(status)) {
        req_failf(r, 400, "invalid_query", "status", "状态应为 pending、expired、active、locked 或 inactive");
        return;
    }
    account_query aq = {.root = &o, .own = own && !strcmp(own, "1"), .status = status && *status ? status : NULL, .q = q};
    const char *fmt = req_query(r, "format");
    if (fmt && !strcmp(fmt, "xlsx")) {
        export_accounts(r, &aq, &o);
        return;
    }
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "账号");
    cJSON_AddItemToObject(d, "org", json_org(&o));
    account_stats st;
    account_policy pol;
    int64_t from = 0, total = 0;
    if (account_stats_get(r->db, &o, &st) != CX_OK || account_policy_get(r->db, o.path, &pol, &from) != CX_OK ||
        account_count(r->db, &aq, &total) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取账号失败");
        return;
    }
    cJSON *s = cJSON_AddObjectToObject(d, "stats");
    json_add_i64(s, "members", st.members);
    json_add_i64(s, "without", st.without);
    json_add_i64(s, "pending", st.pending);
    json_add_i64(s, "expired", st.expired);
    json_add_i64(s, "activated", st.activated);
    json_add_i64(s, "locked", st.locked);
    cJSON_AddItemToObject(d, "policy", policy_json(&pol, from));
    pager_set_total(&pg, total);
    aq.offset = pager_offset(&pg);
    aq.limit = pg.per_page;
    list_ctx c = {r, cJSON_AddArrayToObject(d, "accounts"), now_unix(), CX_OK};
    if (account_list(r->db, &aq, add_account, &c) != CX_OK || c.rc != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取账号失败");
        return;
    }
    pager_json(r, d, &pg);
    if (aq.status) cJSON_AddStringToObject(d, "status", aq.status);
    if (q) cJSON_AddStringToObject(d, "q", q);
    cJSON_AddBoolToObject(d, "can_policy", perm_allows(&r->user, ROLE_OFFICE, o.path));
    cJSON_AddBoolToObject(d, "can_staff", perm_allows(&r->user, ROLE_OFFICE, o.path));
    cJSON_AddBoolToObject(d, "sms", strcmp(sms_gateway_name(), "none") != 0);
    const char *made = req_query(r, "made");
    if (made) cJSON_AddStringToObject(d, "made", made);
}

/* POST /orgs/:id/accounts/bulk: an account for every member of the subtree (subtree=0: the
 * organisation's own members) who has none. */
void h_accounts_bulk(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ADMIN, &o)) return;
    const char *sub = req_in(r, "subtree"); /* absent: the whole subtree */
    bool subtree = !sub || !(strcmp(sub, "0") == 0 || strcmp(sub, "false") == 0);
    cx_err e = {0};
    account_bulk b;
    if (accounts_for_members(r->db, &r->who, &o, subtree, &b, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (!req_is_api(r)) {
        req_redirect(r, "/orgs/%" PRId64 "/accounts?made=%" PRId64, id, b.made);
        return;
    }
    cJSON *d = req_data(r);
    json_add_i64(d, "made", b.made);
    json_add_i64(d, "skipped", b.had);
}

/* POST /orgs/:id/account-policy: the subtree's username rule, prefix, code days, automatic accounts. */
void h_account_policy(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_OFFICE, &o)) return;
    account_policy p;
    cx_err e = {0};
    if (account_policy_get(r->db, o.path, &p, NULL) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取账号规则失败");
        return;
    }
    int f = req_flag(r, "auto_create"); /* an unticked box is not sent by a form: auto_create_sent says so */
    const char *autoc = f == 1 ? "1" : f == 0 ? "0" : f == -1 ? NULL : "?";
    if (account_policy_check(&(account_policy_in){req_in(r, "username_rule"), req_in(r, "prefix"), autoc, req_in(r, "code_days")}, &p, &e) !=
            CX_OK ||
        account_policy_set(r->db, &r->who, &o, &p, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (!req_is_api(r)) {
        req_redirect(r, "/orgs/%" PRId64 "/accounts", id);
        return;
    }
    cJSON_AddItemToObject(req_data(r), "policy", policy_json(&p, o.id));
}

/* The API answers a new code once, as printed ("ABCD-EFGH"), for the caller to hand over. */
static void add_code(cJSON *d, char code[ACTIVATION_CODE_LEN + 1])
{
    char shown[ACTIVATION_CODE_LEN + 2];
    activation_code_show(code, shown);
    cJSON_AddStringToObject(d, "code", shown);
    crypto_wipe(shown, sizeof shown);
    crypto_wipe(code, ACTIVATION_CODE_LEN + 1);
}

/* POST /orgs/:id/accounts: one account (role, username, display_name, member_id), with its code. */
void h_account_create(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ADMIN, &o)) return;
    const char *rn = req_in(r, "role"), *mid = req_in(r, "member_id");
    int role = rn ? role_from_name(rn) : 0;
    if (!role) {
        req_failf(r, 400, "invalid_role", "role", "请选择角色：office、secretary、leader、member 或 discipline");
        return;
    }
    if (!perm_may_grant(&r->user, role, o.path)) {
        req_failf(r, 403, "forbidden", "role", "您不能在此组织开通“%s”账号（书记只能为党员开通账号）", role_label(role));
        return;
    }
    int64_t member_id = 0;
    if (mid && *mid) {
        char *end;
        long long v = strtoll(mid, &end, 10);
        if (*end || v <= 0) {
            req_failf(r, 400, "invalid_id", "member_id", "党员编号应为正整数");
            return;
        }
        member_id = v;
    }
    cx_err e = {0};
    account_ok in;
    char code[ACTIVATION_CODE_LEN + 1];
    int64_t uid = 0;
    if (account_check_unset(&(account_in){req_in(r, "username"), req_in(r, "display_name"), NULL}, &in, &e) != CX_OK ||
        account_create(r->db, &r->who, &in, role, &o, member_id, &uid, code, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (!req_is_api(r)) { /* a page prints it on the slip */
        crypto_wipe(code, sizeof code);
        req_redirect(r, "/orgs/%" PRId64 "/accounts/slips?user_id=%" PRId64, id, uid);
        return;
    }
    cJSON *d = req_data(r);
    json_add_i64(d, "id", uid);
    cJSON_AddStringToObject(d, "username", in.username);
    add_code(d, code);
}

/* Loads the account of path parameter 0 and checks the user may manage it (404 otherwise, as
 * for one that does not exist: no one outside learns it exists). */
static bool req_account(req *r, account_row *a)
{
    int64_t id;
    if (!req_id(r, 0, &id) || !req_found(r, account_get(r->db, id, a), "id", "账号")) return false;
    grant g[16];
    int n = 0;
    if (account_grants(r->db, id, g, 16, &n) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取账号失败");
        return false;
    }
    if (!perm_may_manage_account(&r->user, id, g, n)) {
        req_failf(r, 404, "not_found", "id", "账号不存在或不归您管理");
        return false;
    }
    return true;
}

/* The organisation whose slips show the account: the member's, else its first grant's. */
static int64_t slip_org(req *r, const account_row *a)
{
    if (a->member_org_id) return a->member_org_id;
    grant g[16];
    int n = 0;
    return account_grants(r->db, a->id, g, 16, &n) == CX_OK && n ? g[0].org_id : 0;
}

/* POST /accounts/:id/reset: a new activation code (密码重置), audited. */
void h_account_reset(req *r)
{
    account_row a;
    if (!req_account(r, &a)) return;
    cx_err e = {0};
    char code[ACTIVATION_CODE_LEN + 1];
    int64_t expires = 0;
    if (account_reset(r->db, &r->who, a.id, code, &expires, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (!req_is_api(r)) {
        crypto_wipe(code, sizeof code);
        req_redirect(r, "/orgs/%" PRId64 "/accounts/slips?user_id=%" PRId64, slip_org(r, &a), a.id);
        return;
    }
    cJSON *d = req_data(r);
    json_add_i64(d, "id", a.id);
    cJSON_AddStringToObject(d, "username", a.username);
    add_code(d, code);
    char until[32];
    time_text(expires, false, until);
    cJSON_AddStringToObject(d, "code_expires", until);
}

/* POST /accounts/:id/lock and /unlock. */
void h_account_lock(req *r)
{
    account_row a;
    if (!req_account(r, &a)) return;
    cx_err e = {0};
    if (account_set_locked(r->db, &r->who, a.id, r->rt->action, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (!req_is_api(r)) {
        req_redirect(r, "/orgs/%" PRId64 "/accounts", slip_org(r, &a));
        return;
    }
    cJSON *d = req_data(r);
    json_add_i64(d, "id", a.id);
    cJSON_AddBoolToObject(d, "locked", r->rt->action);
}

/* ---- slips (激活单) ---- */

typedef struct slips_ctx {
    cJSON *arr;
    const char *base; /* public address + "/activate" */
    int64_t only;     /* one account (after a reset or a new account), 0: all */
    int rc;
} slips_ctx;

static int add_slip(void *ctx, const account_slip *s)
{
    slips_ctx *c = ctx;
    if (c->only && s->id != c->only) return 0;
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "id", s->id);
    cJSON_AddStringToObject(x, "name", s->name);
    cJSON_AddStringToObject(x, "username", s->username);
    char shown[ACTIVATION_CODE_LEN + 2], until[32], url[400];
    activation_code_show(s->code, shown);
    cJSON_AddStringToObject(x, "code", shown);
    crypto_wipe(shown, sizeof shown);
    time_text(s->expires, false, until);
    cJSON_AddStringToObject(x, "expires", until);
    snprintf(url, sizeof url, "%s?u=%s", c->base, s->username); /* usernames are [A-Za-z0-9_.-] */
    if (json_add_qr(x, url) != CX_OK) c->rc = CX_ERR;
    cJSON_AddItemToArray(c->arr, x);
    return c->rc;
}

/* GET /orgs/:id/accounts/slips: the A4 sheet of activation slips of the organisation's accounts
 * waiting for activation (?user_id= one); the printing is audited. */
void h_account_slips(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ADMIN, &o)) return;
    const char *only = req_query(r, "user_id");
    int64_t one = 0;
    if (only) {
        char *end;
        long long v = strtoll(only, &end, 10);
        if (*end || v <= 0) {
            req_failf(r, 400, "invalid_query", "user_id", "账号编号应为正整数");
            return;
        }
        one = v;
    }
    buf base;
    buf_init(&base);
    if (!req_public_url(r, "/activate", &base)) {
        buf_free(&base);
        return;
    }
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "打印激活单");
    cJSON_AddItemToObject(d, "org", json_org(&o));
    cJSON_AddStringToObject(d, "activate_url", base.p);
    slips_ctx c = {cJSON_AddArrayToObject(d, "slips"), base.p, one, CX_OK};
    int64_t n = 0;
    if (account_slips(r->db, &r->who, &o, add_slip, &c, &n) != CX_OK || c.rc != CX_OK) req_failf(r, 500, "db_error", "", "读取激活单失败");
    json_add_i64(d, "count", cJSON_GetArraySize(c.arr));
    buf_free(&base);
}

/* POST /orgs/:id/accounts/sms: the codes of the organisation's members by SMS. */
void h_account_sms(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ADMIN, &o)) return;
    buf url;
    buf_init(&url);
    if (!req_public_url(r, "/activate", &url)) {
        buf_free(&url);
        return;
    }
    cx_err e = {0};
    account_sms s;
    int rc = account_sms_codes(r->db, &r->who, &o, url.p, &s, &e);
    buf_free(&url);
    if (rc != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (!req_is_api(r)) {
        req_redirect(r, "/orgs/%" PRId64 "/accounts?sent=%" PRId64, id, s.sent);
        return;
    }
    cJSON *d = req_data(r);
    json_add_i64(d, "sent", s.sent);
    json_add_i64(d, "failed", s.failed);
    json_add_i64(d, "recent", s.recent);
    json_add_i64(d, "no_phone", s.no_phone);
}
