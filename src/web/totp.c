/* totp.c: 账号安全, the optional second factor of a staff account (RFC 6238 codes of an
 * authenticator app): enrolment with a QR code and a code that proves it, turning it off with a
 * current code, and an office's rule that the staff of its subtree must use it. The sign-in's
 * second step is in auth.c. */
#include "web.h"
#include "../lib/crypto.h"
#include <inttypes.h>
#include <string.h>

static void add_secret(cJSON *d, const principal *u, const char *secret, bool page)
{
    buf uri;
    buf_init(&uri);
    /* otpauth://totp/ISSUER:ACCOUNT?…: the username is [A-Za-z0-9_.-], safe in a URI as it is */
    buf_printf(&uri, "otpauth://totp/cxzy:%s?secret=%s&issuer=cxzy&algorithm=SHA1&digits=%d&period=%d", u->username, secret, TOTP_DIGITS,
               TOTP_STEP);
    cJSON_AddStringToObject(d, "secret", secret);
    cJSON_AddStringToObject(d, "otpauth_uri", uri.p);
    if (page) {
        cJSON *q = cJSON_AddObjectToObject(d, "qr");
        json_add_qr(q, uri.p);
        /* the secret in groups of four, easier to type into an app by hand */
        char grouped[TOTP_B32_LEN + TOTP_B32_LEN / 4 + 1];
        size_t o = 0;
        for (size_t i = 0; secret[i]; i++) {
            if (i && i % 4 == 0) grouped[o++] = ' ';
            grouped[o++] = secret[i];
        }
        grouped[o] = 0;
        cJSON_AddStringToObject(d, "secret_grouped", grouped);
    }
    buf_free(&uri);
}

/* GET /me/security, /api/v1/me/security: the state of the second factor, the secret while
 * enrolling, and for an office the rule of each organisation it runs. */
void h_security(req *r)
{
    bool api = req_is_api(r);
    totp_state st;
    if (totp_state_get(r->db, &r->user, &st) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取两步验证设置失败");
        return;
    }
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "账号安全");
    cJSON_AddBoolToObject(d, "totp_on", st.on);
    cJSON_AddBoolToObject(d, "enrolling", st.enrolling);
    cJSON_AddBoolToObject(d, "required", st.required);
    cJSON_AddBoolToObject(d, "due", r->user.totp_due);
    if (st.enrolling) add_secret(d, &r->user, st.secret, !api);
    crypto_wipe(st.secret, sizeof st.secret);
    cJSON *offices = cJSON_AddArrayToObject(d, "offices");
    org os[16];
    int n = req_office_orgs(r, os, 16), i = 0;
    bool on = false;
    for (; i < n && totp_policy_get(r->db, os[i].id, &on) == CX_OK; i++) {
        cJSON *x = cJSON_CreateObject();
        json_add_i64(x, "org_id", os[i].id);
        cJSON_AddStringToObject(x, "name", os[i].name);
        cJSON_AddBoolToObject(x, "required", on);
        cJSON_AddItemToArray(offices, x);
    }
    if (n < 0 || i < n) req_failf(r, 500, "db_error", "", "读取两步验证要求失败");
}

/* POST /me/security/totp, /api/v1/me/totp: a new secret (the factor still off until confirmed). */
void h_totp_start(req *r)
{
    char secret[TOTP_B32_LEN + 1];
    cx_err e = {0};
    if (totp_start(r->db, &r->who, secret, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (!req_is_api(r)) req_redirect(r, "/me/security");
    else add_secret(req_data(r), &r->user, secret, false);
    crypto_wipe(secret, sizeof secret);
}

/* POST /me/security/totp/confirm, /api/v1/me/totp/confirm: code. */
void h_totp_confirm(req *r)
{
    char addr[64];
    req_client_addr(r, addr);
    cx_err e = {0};
    if (totp_confirm(r->db, &r->who, req_in(r, "code"), addr, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (!req_is_api(r)) req_redirect(r, "/me/security?done=totp_on");
    else cJSON_AddTrueToObject(req_data(r), "totp_on");
}

/* POST /me/security/totp/off, /api/v1/me/totp/off: code. */
void h_totp_off(req *r)
{
    char addr[64];
    req_client_addr(r, addr);
    cx_err e = {0};
    if (totp_disable(r->db, &r->who, &r->user, req_in(r, "code"), addr, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (!req_is_api(r)) req_redirect(r, "/me/security?done=totp_off");
    else cJSON_AddFalseToObject(req_data(r), "totp_on");
}

/* POST /orgs/:id/totp-policy, /api/v1/orgs/:id/totp-policy: required (1/0) for the staff of the
 * organisation's subtree. */
void h_totp_policy(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_OFFICE, &o)) return;
    int f = req_flag(r, "required"); /* an unticked box is not sent by a form: required_sent says so */
    if (f < 0) {
        req_failf(r, 400, "invalid_required", "required", "“要求两步验证”应为是（1）或否（0）");
        return;
    }
    bool required = f == 1;
    cx_err e = {0};
    if (totp_policy_set(r->db, &r->who, &o, required, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (!req_is_api(r)) {
        req_redirect(r, "/me/security?done=totp_policy");
        return;
    }
    cJSON *d = req_data(r);
    json_add_i64(d, "org_id", o.id);
    cJSON_AddBoolToObject(d, "required", required);
}
