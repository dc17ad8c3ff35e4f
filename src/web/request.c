/* request.c: what handlers ask of a request (path ids, input values, files, failing, the org or
 * member in scope; see web.h), and what is checked before a handler runs: the session and the
 * route's role, the origin and the CSRF token, the body's type and a JSON body's fields. */
#include "server_int.h"
#include "../lib/crypto.h"
#include "../domain/member.h"
#include "../store/attachment.h"
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *req_keep(req *r, void *p)
{
    r->keep = xrealloc(r->keep, sizeof(void *) * (size_t)(r->nkeep + 1));
    r->keep[r->nkeep++] = p;
    return p;
}

bool req_is_api(const req *r) { return r->rt && (r->rt->flags & R_API); }

void req_fail(req *r, const cx_err *e)
{
    if (r->failed) return; /* the first error is the one to report */
    r->err = *e;
    if (!r->err.status) r->err.status = 400;
    r->failed = true;
}

void req_fail_fields(req *r, const cx_err *errs, int n)
{
    if (r->failed || n < 1) return;
    if (!req_is_api(r)) {
        cJSON *list = cJSON_AddArrayToObject(req_data(r), "errors");
        for (int i = 0; i < n; i++) {
            cJSON *x = cJSON_CreateObject();
            cJSON_AddStringToObject(x, "code", errs[i].code);
            cJSON_AddStringToObject(x, "field", errs[i].field);
            cJSON_AddStringToObject(x, "message", errs[i].msg);
            cJSON_AddItemToArray(list, x);
        }
    }
    req_fail(r, &errs[0]);
}

void req_failf_at(const char *file, int line, req *r, int status, const char *code, const char *fieldname, const char *fmt, ...)
{
    if (r->failed) return;
    va_list ap;
    va_start(ap, fmt);
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cx_fail_at(file, line, &r->err, status, code, fieldname, "%s", msg);
    r->failed = true;
}

void req_redirect(req *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf b;
    buf_init(&b);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    free(r->redirect);
    r->redirect = buf_take(&b);
}

bool req_id(req *r, int i, int64_t *id)
{
    const char *s = i < r->nparams ? r->params[i] : "";
    bool digits = s[0] >= '1' && s[0] <= '9' && strspn(s, "0123456789") == strlen(s) && strlen(s) <= 18;
    if (!digits || str_to_i64(s, id) != CX_OK || *id <= 0) {
        req_failf(r, 404, "not_found", "id", "编号“%s”无效：应为正整数", i < r->nparams ? r->params[i] : "");
        return false;
    }
    return true;
}

bool req_org(req *r, int64_t id, int mask, org *o)
{
    int f = org_get(r->db, id, o);
    if (f == CX_ERR) {
        req_failf(r, 500, "db_error", "", "数据库错误");
        return false;
    }
    if (f == 0 || !perm_allows(&r->user, mask, o->path)) {
        req_failf(r, 404, "not_found", "id", "组织不存在或不在您的管理范围内");
        return false;
    }
    return true;
}

bool req_member(req *r, int64_t id, int mask, member *m)
{
    int f = member_get(r->db, id, m);
    if (f == CX_ERR) {
        req_failf(r, 500, "db_error", "", "数据库错误");
        return false;
    }
    if (f == 0 || !perm_allows(&r->user, mask, m->org_path)) {
        req_failf(r, 404, "not_found", "id", "党员不存在或不在您的管理范围内");
        return false;
    }
    return true;
}

bool req_opt_id(req *r, const char *name, const char *label, int64_t *v)
{
    const char *s = req_in(r, name);
    *v = 0;
    if (s && *s && (str_to_i64(s, v) != CX_OK || *v <= 0)) {
        req_failf(r, 400, "invalid_id", name, "%s应为正整数编号", label);
        return false;
    }
    return true;
}

bool req_changed(req *r, int rc, const cx_err *e, const char *fmt, ...)
{
    if (rc != CX_OK) {
        req_fail(r, e);
        return false;
    }
    if (req_is_api(r)) return true;
    char to[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(to, sizeof to, fmt, ap);
    va_end(ap);
    req_redirect(r, "%s", to);
    return false;
}

bool req_found(req *r, int got, const char *fieldname, const char *what)
{
    if (got == 1) return true;
    if (got == CX_ERR) req_failf(r, 500, "db_error", "", "数据库错误");
    else req_failf(r, 404, "not_found", fieldname, "%s不存在或已被删除", what);
    return false;
}

const char *req_query(req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const field *req_file(req *r, const char *name)
{
    for (int i = 0; i < r->nfields; i++)
        if (!strcmp(r->fields[i].name, name) && r->fields[i].filename) return &r->fields[i];
    return NULL;
}

int req_files(req *r, const char *name, evidence_in *files, int cap)
{
    int n = 0;
    for (int i = 0; i < r->nfields && n < cap; i++) {
        const field *f = &r->fields[i];
        if (strcmp(f->name, name) || !f->filename || (!f->data.len && !f->filename[0])) continue; /* an empty file input */
        files[n++] = (evidence_in){f->filename, f->ctype, f->data.p ? f->data.p : "", f->data.len};
    }
    return n;
}

int add_attachment(void *ctx, const attachment *f)
{
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "id", f->id);
    cJSON_AddStringToObject(x, "name", f->name);
    cJSON_AddStringToObject(x, "mime", f->mime);
    json_add_i64(x, "size", f->size);
    cJSON_AddStringToObject(x, "author", f->author);
    cJSON_AddBoolToObject(x, "image", !strncmp(f->mime, "image/", 6));
    cJSON_AddItemToArray(ctx, x);
    return 0;
}

void req_attachment(req *r, int got, const char *mime)
{
    if (got != 1) {
        buf_free(&r->file);
        req_failf(r, 404, "not_found", "id", "佐证文件不存在");
        return;
    }
    r->file_mime = req_keep(r, xstrdup(mime));
}

const char *req_in(req *r, const char *name)
{
    if (r->json) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(r->json, name);
        if (cJSON_IsString(v)) return v->valuestring;
        if (cJSON_IsNumber(v)) {
            /* integers (ids up to 2^53) as plain digits: cJSON would print 16 digits as 1.1e+15 */
            double x = v->valuedouble;
            if (x > -9007199254740992.0 && x < 9007199254740992.0 && x == (double)(int64_t)x)
                return req_keep(r, xasprintf("%" PRId64, (int64_t)x));
            return req_keep(r, cJSON_PrintUnformatted(v));
        }
        if (cJSON_IsBool(v)) return cJSON_IsTrue(v) ? "1" : "0";
        if (v && !cJSON_IsNull(v)) return req_keep(r, xstrdup("\x01")); /* wrong type: fails validation */
        return NULL;
    }
    for (int i = 0; i < r->nfields; i++)
        if (!strcmp(r->fields[i].name, name) && !r->fields[i].filename) return r->fields[i].data.p ? r->fields[i].data.p : "";
    /* The query string is input only for reads and for the dry_run flag of an import. */
    return !strcmp(r->method, "GET") || !strcmp(name, "dry_run") ? req_query(r, name) : NULL;
}

int req_office_orgs(req *r, org *out, int cap)
{
    int n = 0;
    for (int i = 0; i < r->user.ngrants && n < cap; i++) {
        if (r->user.grants[i].role != ROLE_OFFICE) continue;
        int f = org_get(r->db, r->user.grants[i].org_id, &out[n]);
        if (f == CX_ERR) return -1;
        if (f == 1) n++;
    }
    return n;
}

int req_flag(req *r, const char *name)
{
    int f = flag_parse(req_in(r, name));
    if (f == -1) {
        char sent[80];
        snprintf(sent, sizeof sent, "%s_sent", name);
        if (req_in(r, sent)) f = 0;
    }
    return f;
}

cJSON *req_data(req *r)
{
    if (!r->data) r->data = cJSON_CreateObject();
    return r->data;
}

/* ---- before the handler: session and role, origin, CSRF, the body ---- */

const char *req_header(req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

static const char *cookie(req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

static void load_session(req *r)
{
    const char *tok = cookie(r, "cxzy_session");
    if (!tok) return;
    if (session_lookup(r->db, tok, &r->user, r->csrf) == 1) {
        r->logged_in = true;
        snprintf(r->token, sizeof r->token, "%s", tok);
        r->who.user_id = r->user.user_id;
        r->who.name = r->user.username;
        r->who.display = r->user.display_name;
        r->who.scope = &r->user;
    }
}

/* A browser's Origin header, when sent, must name this server (defence in depth beside the
 * SameSite cookie and the CSRF token). */
static bool same_origin(req *r)
{
    const char *o = req_header(r, "Origin"), *host = req_header(r, "Host");
    if (!o || !strcmp(o, "null")) return !o;
    const char *p = strstr(o, "://");
    return p && host && !strcmp(p + 3, host);
}

/* Loads the session and checks the route's role; fails the request when either is missing. */
void req_authenticate(req *r)
{
    if (r->authed) return;
    r->authed = true;
    if (r->rt->flags & R_PUBLIC) return; /* public pages are the same for everyone (and cacheable) */
    load_session(r);
    if (!r->logged_in) req_failf(r, 401, "unauthenticated", "", "请先登录（或登录已超时）");
    else if (!(perm_roles(&r->user) & r->rt->roles)) req_failf(r, 403, "forbidden", "", "您的角色无权进行此操作");
    else if (r->user.totp_due && !(r->rt->flags & R_SETUP)) /* a page goes to the set-up page (response.c) */
        req_failf(r, 403, "totp_setup_required", "", "上级要求工作人员使用两步验证：请先在“账号安全”页启用，再进行其他操作");
}

static bool csrf_ok(req *r)
{
    const char *t = req_header(r, "X-CSRF-Token");
    if (!t) t = req_in(r, "_csrf");
    return t && r->csrf[0] && strlen(t) == strlen(r->csrf) && crypto_verify_eq(t, r->csrf);
}

/* Finds the escape \u0000 (which C strings would silently cut at) in a JSON body; returns its
 * offset or -1. key gets the member name whose value holds it, when it can be told. */
static long nul_escape(const char *p, size_t n, char *key, size_t keycap)
{
    key[0] = 0;
    for (size_t i = 0; i + 6 <= n; i++) {
        if (p[i] != '\\' || p[i + 1] != 'u' || memcmp(p + i + 2, "0000", 4) != 0) continue;
        size_t k = 0; /* the backslash counts only when not itself escaped */
        while (k < i && p[i - 1 - k] == '\\') k++;
        if (k % 2) continue;
        /* back to the value's opening quote, over ':' to the key's closing quote, to its start */
        long j = (long)i - 1;
        while (j >= 0 && !(p[j] == '"' && (j == 0 || p[j - 1] != '\\'))) j--;
        j--;
        while (j >= 0 && (p[j] == ' ' || p[j] == '\t' || p[j] == '\r' || p[j] == '\n' || p[j] == ':')) j--;
        if (j > 0 && p[j] == '"') {
            long e = j--;
            while (j >= 0 && p[j] != '"') j--;
            if (j >= 0 && (size_t)(e - j - 1) < keycap) {
                memcpy(key, p + j + 1, (size_t)(e - j - 1));
                key[e - j - 1] = 0;
            }
        }
        return (long)i;
    }
    return -1;
}

/* Keys whose values are text; other keys ending in "id" are integer ids. Unknown keys are ignored. */
static bool text_key(const char *k)
{
    static const char *keys[] = {"name", "type", "sector", "username", "password", "display_name", "q", NULL};
    for (int i = 0; keys[i]; i++)
        if (!strcmp(k, keys[i])) return true;
    for (int i = 0; member_cols[i].field; i++)
        if (!strcmp(k, member_cols[i].field)) return true;
    return false;
}

/* Parses the API body: one JSON object and nothing after it; text values are strings, ids
 * (keys ending in "id") may be integers, flags (dry_run, subtree) booleans; null means absent. */
static int json_body(req *r)
{
    if (!utf8_valid(r->body.p, r->body.len)) {
        req_failf(r, 400, "invalid_utf8", "", "请求内容不是有效的 UTF-8 文本");
        return CX_ERR;
    }
    const char *end = NULL;
    r->json = cJSON_ParseWithLengthOpts(r->body.p, r->body.len, &end, 0);
    if (!r->json) {
        req_failf(r, 400, "invalid_json", "", "请求内容不是有效的 JSON");
        return CX_ERR;
    }
    for (const char *p = end; p < r->body.p + r->body.len; p++)
        if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') {
            req_failf(r, 400, "invalid_json", "", "JSON 对象之后还有多余的内容");
            return CX_ERR;
        }
    if (!cJSON_IsObject(r->json)) {
        req_failf(r, 400, "invalid_json", "", "请求内容应为 JSON 对象");
        return CX_ERR;
    }
    char key[64];
    if (nul_escape(r->body.p, r->body.len, key, sizeof key) >= 0) {
        req_failf(r, 400, "invalid_text", key, "字段“%s”中不能含有空字符（\\u0000）", key[0] ? key : "?");
        return CX_ERR;
    }
    const cJSON *v;
    cJSON_ArrayForEach(v, r->json)
    {
        const char *k = v->string;
        size_t kl = strlen(k);
        bool text = text_key(k);
        bool id = !text && kl >= 2 && !strcmp(k + kl - 2, "id");
        bool flag = !strcmp(k, "dry_run") || !strcmp(k, "subtree");
        if (!text && !id && !flag) continue; /* not a field of this API */
        if (cJSON_IsNull(v) || (text && cJSON_IsString(v)) || (id && (cJSON_IsNumber(v) || cJSON_IsString(v))) ||
            (flag && (cJSON_IsBool(v) || cJSON_IsString(v))))
            continue;
        req_failf(r, 400, "invalid_type", k, "字段“%s”的类型不对：应为%s", k, id ? "整数编号" : flag ? "true 或 false" : "文本（字符串）");
        return CX_ERR;
    }
    return CX_OK;
}

void req_dispatch(req *r)
{
    const char *ct = req_header(r, "Content-Type");
    if (r->too_big) {
        req_failf(r, 413, "body_too_large", "", "请求内容过大（上限 %zu MB）", r->body_limit >> 20);
        return;
    }
    if (r->malformed) {
        req_failf(r, 400, "bad_multipart", "", "表单内容（multipart/form-data）格式有误：每一部分都须有字段名（name），边界须完整");
        return;
    }
    /* bodies are files: a file route's always, a form's with files when it came as multipart */
    bool upload = web_bodies[r->rt->body].file || (r->rt->body != BODY_FORM && r->fields);
    if (req_is_api(r) && (r->rt->flags & R_STATE) && !upload && (r->body.len || r->fields) &&
        !(ct && str_starts(ct, "application/json"))) {
        req_failf(r, 415, "unsupported_media_type", "", "请求内容须为 JSON（Content-Type: application/json）");
        return;
    }
    if (req_is_api(r) && r->body.len && !r->fields &&
        ((ct && str_starts(ct, "application/json")) || (!ct && !upload))) {
        if (json_body(r) != CX_OK) return;
    }
    for (int i = 0; i < r->nfields; i++)
        if (!r->fields[i].filename && r->fields[i].data.p && !utf8_valid(r->fields[i].data.p, r->fields[i].data.len)) {
            req_failf(r, 400, "invalid_utf8", r->fields[i].name, "字段“%s”不是有效的 UTF-8 文本", r->fields[i].name);
            return;
        }
    req_authenticate(r);
    if (r->failed) return;
    if ((r->rt->flags & R_STATE) && !same_origin(r)) {
        req_failf(r, 403, "cross_origin", "", "拒绝来自其他网站的请求");
        return;
    }
    if ((r->rt->flags & R_STATE) && !(r->rt->flags & R_PUBLIC) && r->logged_in && !csrf_ok(r)) {
        req_failf(r, 403, "csrf", "_csrf", "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试");
        return;
    }
    r->rt->fn(r);
}

/* An org_fn: appends {id, name, depth, type_label} to the cJSON array ctx (the choices of a form). */
int add_org_option(void *ctx, const org *o, int64_t nchildren, int64_t nmembers)
{
    (void)nchildren, (void)nmembers;
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "id", o->id);
    cJSON_AddStringToObject(x, "name", o->name);
    json_add_i64(x, "depth", o->depth);
    cJSON_AddStringToObject(x, "type_label", org_type_label(o->type));
    cJSON_AddItemToArray(ctx, x);
    return 0;
}
