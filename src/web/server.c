/* server.c: libmicrohttpd glue: reads the request (with size limits), matches the route table,
 * loads the session, checks role and CSRF, runs the handler, and renders the page, the JSON
 * or the error in one place. Static assets are served from the binary with ETags. */
#include "web.h"
#include "tmpl.h"
#include "form.h"
#include "cache.h"
#include "metrics.h"
#include "../lib/log.h"
#include "../lib/assets.h"
#include "../lib/crypto.h"
#include "../lib/pwgate.h"
#include "../domain/member.h"
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <inttypes.h>
#include <signal.h>
#include <time.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_FIELDS 256           /* form fields per request */
/* Each connection's memory pool (request line, headers, read and write buffers; bodies stream
 * through it to our own buffers). libmicrohttpd 0.9.75 zeroes the whole pool before every
 * request on a kept-alive connection, so its size is a per-request cost: 256 KiB cost the card
 * a third of its throughput and tripled its p99 at 256 connections (docs/BENCHMARKS.md). 32 KiB
 * is the library's default and holds headers far beyond any browser's. */
#define CONN_POOL (32u << 10)

static db_pool *g_pool;
static int g_metrics = METRICS_LOCAL;
static double g_body_wait = 30; /* seconds a request body may take (cfg->body_wait), see conn_state */

static const char *SECURITY_HEADERS[][2] = {
    {"Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                                "object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "same-origin"},
    {"X-Frame-Options", "DENY"},
};

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

cJSON *req_data(req *r)
{
    if (!r->data) r->data = cJSON_CreateObject();
    return r->data;
}

/* ---- reading the request ---- */

static enum MHD_Result post_iter(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
                                 const char *content_type, const char *transfer_encoding, const char *data, uint64_t off,
                                 size_t size)
{
    req *r = cls;
    if (!key || !*key) { /* a part without name= (or with an empty one): the body is refused whole */
        r->malformed = true;
        return MHD_NO;
    }
    field *f = r->nfields ? &r->fields[r->nfields - 1] : NULL;
    /* MHD may deliver one value in several calls, the first even empty (off 0, size 0): the
     * value continues while the key, the file name and the offset (= bytes so far) agree. */
    bool same_file = f && ((!f->filename && !filename) || (f->filename && filename && !strcmp(f->filename, filename)));
    if (!f || strcmp(f->name, key) != 0 || !same_file || off != f->data.len || (off == 0 && f->data.len)) {
        if (r->nfields >= MAX_FIELDS) {
            r->too_big = true;
            return MHD_NO;
        }
        r->fields = xrealloc(r->fields, sizeof(field) * (size_t)(r->nfields + 1));
        f = &r->fields[r->nfields++];
        memset(f, 0, sizeof *f);
        f->name = xstrdup(key);
        f->filename = filename ? xstrdup(filename) : NULL;
        f->ctype = content_type ? xstrdup(content_type) : NULL;
    }
    r->parsed += size + (off == 0 ? strlen(key) : 0); /* keys count towards the limit too */
    if (r->parsed > r->body_limit) {
        r->too_big = true;
        return MHD_NO;
    }
    buf_add(&f->data, data, size);
    return MHD_YES;
}

static const char *header(req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

static const char *cookie(req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

/* ---- routing ---- */

static bool match(const char *pattern, const char *path, req *r)
{
    r->nparams = 0;
    while (*pattern && *path) {
        if (*pattern == ':') {
            while (*pattern && *pattern != '/') pattern++;
            const char *s = path;
            while (*path && *path != '/') path++;
            if (path == s || r->nparams >= 4) return false;
            r->params[r->nparams++] = req_keep(r, xstrndup(s, (size_t)(path - s)));
        } else if (*pattern++ != *path++) return false;
    }
    return !*pattern && !*path;
}

/* ---- responding ---- */

static void add_headers(struct MHD_Response *resp)
{
    for (size_t i = 0; i < sizeof SECURITY_HEADERS / sizeof SECURITY_HEADERS[0]; i++)
        MHD_add_response_header(resp, SECURITY_HEADERS[i][0], SECURITY_HEADERS[i][1]);
}

static uint64_t now_us(void);
/* The answer is about to be queued: counted in /metrics now, before the client can see it (the
 * access line follows when libmicrohttpd reports the request complete). */
static void answered(req *r, int status, uint64_t bytes)
{
    r->resp_status = status;
    r->resp_bytes = bytes;
    metrics_request(r->slot, status, now_us() - r->t0_us);
}

static enum MHD_Result send_buf(req *r, int status, const char *mime, buf *b)
{
    if (r->cacheable && status == 200 && r->etag[0] && !r->failed && b->len) page_cache_put(r->cache_key, r->etag, r->cache_gen, mime, b->p, b->len);
    size_t len = b->len;
    char *p = buf_take(b);
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, p, MHD_RESPMEM_MUST_FREE);
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

/* ---- the log (lib/log.h): an access line per request, an error line per internal failure ---- */

static uint64_t now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u;
}

/* The request id: 16 hex digits, unique in this process (a bijective mix of a counter and a
 * per-process seed, so ids neither repeat nor tell how busy the server is). No lock: one atomic add. */
static uint64_t g_rid_seed, g_rid_next;
static void new_rid(req *r)
{
    uint64_t z = g_rid_seed + 0x9e3779b97f4a7c15ULL * (__atomic_add_fetch(&g_rid_next, 1, __ATOMIC_RELAXED));
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    snprintf(r->rid, sizeof r->rid, "%016" PRIx64, z);
}

/* The path as logged: no query values (tokens, codes, phones, searches) but their names; a
 * route's path as is (its parameters are ids), any other path with every segment that holds a
 * digit or is long (a mistyped tracking code, say) written as "*". */
static enum MHD_Result query_name(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind, (void)value;
    buf *b = cls;
    if (b->len < 200) buf_printf(b, "%s=", key ? key : "");
    buf_addc(b, '&');
    return MHD_YES;
}

static void log_path(log_line *l, req *r)
{
    buf b;
    buf_init(&b);
    const char *u = r->url ? r->url : "";
    if (r->rt || (r->slot == M_STATIC && r->resp_status != 404)) buf_adds(&b, u);
    else
        for (const char *p = u; *p;) {
            if (*p == '/') {
                buf_addc(&b, *p++);
                continue;
            }
            size_t n = strcspn(p, "/");
            const char *dig = strpbrk(p, "0123456789");
            bool secret = n > 16 || (dig && (size_t)(dig - p) < n);
            if (secret) buf_addc(&b, '*');
            else buf_add(&b, p, n);
            p += n;
        }
    size_t at = b.len;
    buf_addc(&b, '?');
    if (MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, query_name, &b) > 0) b.p[--b.len] = 0; /* the last '&' */
    else b.p[b.len = at] = 0;
    log_kv(l, "path", b.p, 300);
    buf_free(&b);
}

static void log_where(log_line *l, const char *file, int line)
{
    if (!file) return;
    while (!strncmp(file, "../", 3)) file += 3;
    log_kvf(l, "where", "%s:%d", file, line);
}

/* The first line of a database's message (PostgreSQL's DETAIL may quote a row's values). */
static void log_first_line(log_line *l, const char *key, const char *text)
{
    if (!text || !*text || !strcmp(text, "not an error")) return; /* SQLite's word for none */
    char one[512];
    snprintf(one, sizeof one, "%.*s", (int)strcspn(text, "\n"), text);
    log_kv(l, key, one, 400);
}

/* An error line for a request: its id, route, where, the internal message. */
static void log_error_req(req *r, const char *where, const char *msg)
{
    log_line l;
    log_begin(&l, "error");
    log_kv(&l, "rid", r->rid, 0);
    log_kv(&l, "method", r->method, 0);
    log_path(&l, r);
    if (r->rt) log_kv(&l, "route", r->rt->pattern, 0);
    if (where) log_kv(&l, "where", where, 0);
    else log_where(&l, r->err.file, r->err.line);
    if (r->failed) {
        log_kvf(&l, "status", "%d", r->err.status);
        log_kv(&l, "code", r->err.code, 0);
    }
    log_first_line(&l, "msg", msg);
    log_first_line(&l, "db", r->db_detail);
    log_end(&l);
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

static void access_line(req *r, bool aborted)
{
    uint64_t us = now_us() - r->t0_us;
    if (!r->resp_status) { /* no answer of ours was queued */
        metrics_request(r->slot, r->early_status, us);
        r->resp_status = r->early_status;
    }
    log_line l;
    log_begin(&l, "access");
    log_kv(&l, "rid", r->rid, 0);
    log_kv(&l, "method", r->method ? r->method : "-", 32); /* unknown when refused before the headers were in */
    log_path(&l, r);
    log_kvf(&l, "status", "%d", r->resp_status);
    log_kvf(&l, "bytes", "%" PRIu64, r->resp_bytes);
    log_kvf(&l, "ms", "%.3f", (double)us / 1000.0);
    if (r->body_cut) log_kv(&l, "timeout", "body", 0); /* cut off: the body took longer than --body-timeout */
    else if (r->early_status) log_kv(&l, "by", "libmicrohttpd", 0); /* refused before our handler */
    else if (aborted) log_kv(&l, "aborted", "1", 0); /* the client went away, or the answer could not be sent */
    log_end(&l);
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
    }
    if (r->csrf[0]) cJSON_AddStringToObject(d, "csrf", r->csrf);
}

/* The path (with query) of the Referer when it is a page of this site, else NULL. */
static const char *referer_path(req *r)
{
    const char *ref = header(r, "Referer"), *host = header(r, "Host");
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
static bool redisplay(req *r, buf *out)
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
                match(web_routes[i].pattern, pages[k], r))
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
        shown = !r->failed && !r->redirect && !r->file.p && r->status != 304;
        r->failed = true, r->err = err, r->status = 0, r->etag[0] = 0, r->cacheable = false;
        free(r->redirect), r->redirect = NULL;
        buf_free(&r->file);
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

static enum MHD_Result respond(req *r)
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
    if (r->file.p) {
        out = r->file;
        buf_init(&r->file);
        /* uploaded files other than photos (PDFs …) are downloaded, never shown inside our origin */
        const char *fm = r->file_mime ? r->file_mime : "";
        r->attach = !r->file_name[0] && strcmp(fm, "image/jpeg") && strcmp(fm, "image/png");
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

static enum MHD_Result serve_asset(req *r, const char *path)
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
    const char *inm = header(r, "If-None-Match");
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

/* ---- operations: /healthz and /metrics ---- */

static enum MHD_Result send_text(req *r, int status, const char *mime, const char *text)
{
    buf out;
    buf_init(&out);
    buf_adds(&out, text);
    return send_buf(r, status, mime, &out);
}

/* Liveness and the database: 200 {"status":"ok","db":"ok"} when a pooled connection reads the
 * schema's version table, else 503 with a Chinese message (and the detail in the error log). */
static enum MHD_Result serve_healthz(req *r)
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
    if (header(r, "X-Forwarded-For") || header(r, "X-Real-IP") || header(r, "Forwarded")) return false;
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
static enum MHD_Result serve_metrics(req *r)
{
    if (g_metrics == METRICS_OFF || (g_metrics == METRICS_LOCAL && !local_peer(r)))
        return send_text(r, 403, "text/plain; charset=utf-8", "运行指标仅限本机读取（见 cxzy serve --metrics）\n");
    buf out;
    buf_init(&out);
    metrics_render(&out);
    return send_buf(r, 200, "text/plain; version=0.0.4; charset=utf-8", &out);
}

/* ---- the request's life ---- */

static bool is_multipart(const char *ct) { return ct && (str_starts(ct, "multipart/form-data") || str_starts(ct, "application/x-www-form-urlencoded")); }

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
    const char *o = header(r, "Origin"), *host = header(r, "Host");
    if (!o || !strcmp(o, "null")) return !o;
    const char *p = strstr(o, "://");
    return p && host && !strcmp(p + 3, host);
}

/* Loads the session and checks the route's role; fails the request when either is missing. */
static void authenticate(req *r)
{
    if (r->authed) return;
    r->authed = true;
    if (r->rt->flags & R_PUBLIC) return; /* public pages are the same for everyone (and cacheable) */
    load_session(r);
    if (!r->logged_in) req_failf(r, 401, "unauthenticated", "", "请先登录（或登录已超时）");
    else if (!(perm_roles(&r->user) & r->rt->roles)) req_failf(r, 403, "forbidden", "", "您的角色无权进行此操作");
}

static bool csrf_ok(req *r)
{
    const char *t = header(r, "X-CSRF-Token");
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

static void dispatch(req *r)
{
    const char *ct = header(r, "Content-Type");
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
    authenticate(r);
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

static void req_free(req *r)
{
    /* First the post processor: destroying it may still deliver a last (empty) value. */
    if (r->pp) MHD_destroy_post_processor(r->pp);
    r->pp = NULL;
    for (int i = 0; i < r->nfields; i++) {
        free(r->fields[i].name);
        free(r->fields[i].filename);
        free(r->fields[i].ctype);
        buf_free(&r->fields[i].data);
    }
    free(r->fields);
    buf_free(&r->body);
    buf_free(&r->file);
    buf_free(&r->again);
    cJSON_Delete(r->json);
    cJSON_Delete(r->data);
    free(r->redirect);
    for (int i = 0; i < 2; i++) free(r->set_cookie[i]);
    for (int i = 0; i < r->nkeep; i++) free(r->keep[i]);
    free(r->keep);
    free(r);
}

/* Requests begun and not yet completed (answered, or their connection closed): drained on stop. */
static atomic_int g_inflight;

/* The status of an answer libmicrohttpd made itself (mhd_log reads it from its message) and
 * nobody has logged yet: the connection's close writes its access line (notify_conn), unless the
 * request had got as far as its request line, whose own line (completed) has it. Per worker
 * thread, as a connection is served by one worker from its start to its close. */
static _Thread_local int tl_refused;

/* A request begins (its id, its start time) as soon as its request line is in: a request
 * libmicrohttpd refuses itself after that (431 for headers beyond the connection's pool, 400 for
 * a malformed header, 413) never reaches access_cb, and still gets its access line (completed). */
static req *req_begin(struct MHD_Connection *c, const char *uri)
{
    req *r = xcalloc(1, sizeof *r);
    r->conn = c;
    r->url = req_keep(r, xstrndup(uri, strcspn(uri, "?"))); /* the path until access_cb has it decoded */
    r->t0_us = now_us();
    new_rid(r);
    r->slot = M_UNMATCHED;
    return r;
}

/* Query strings. libmicrohttpd 0.9.75 parses the arguments into the connection's 32 KiB pool:
 * about 450 of them answered 431, and about 470 or more ran the pool out before any answer could
 * be made, so the client waited for the 60 s timeout. The URI is seen here first, whole, before
 * its arguments are parsed: one with more than MAX_QUERY_ARGS arguments (or longer than
 * MAX_URI) loses its query string (nothing is parsed) and is marked, and access_cb answers it
 * 414 at once. The request made here is what libmicrohttpd hands access_cb as *con_cls. */
#define MAX_QUERY_ARGS 200
#define MAX_URI (16u << 10)
static void *uri_check(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    req *r = req_begin(c, uri);
    char *q = strchr(uri, '?');
    if (!q) return r;
    size_t n = 1;
    for (const char *p = q; *p; p++) n += *p == '&' || *p == ';';
    if (n <= MAX_QUERY_ARGS && strlen(uri) <= MAX_URI) return r;
    q[1] = '\0'; /* the buffer is libmicrohttpd's own, writable; the query becomes empty */
    r->uri_refused = true;
    return r;
}

/* Connections by descriptor, for the per-address cap and the header timeout (see acceptor).
 * An entry is made by the accept thread before the hand-over and removed when libmicrohttpd
 * reports the close, which it does before closing the descriptor: a descriptor in the table is
 * still the connection's, so the accept thread may shut it down. */
enum { CONN_FREE, CONN_WAITING, CONN_BODY, CONN_BUSY, CONN_CLOSING };
typedef struct conn_slot {
    uint64_t addr; /* hash of the client address */
    double since;  /* when it began waiting for a request's headers, or for its body */
    double body_wait; /* CONN_BODY: seconds the body may take in all */
    unsigned char state;
    bool body_cut; /* shut down by the sweep for a body that took too long */
} conn_slot;
#define ADDR_BUCKETS 8192u
static struct {
    pthread_mutex_t mu;
    conn_slot *slot;
    int nslot, hi; /* entries; one past the highest descriptor admitted */
    unsigned per_addr[ADDR_BUCKETS]; /* open connections by address hash (a shared bucket counts both) */
} conns = {.mu = PTHREAD_MUTEX_INITIALIZER};

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Marks the connection of a request: CONN_BODY once its headers are in and while its body
 * arrives (for at most body_wait seconds from now), CONN_BUSY while it is served, CONN_WAITING
 * (for the next request, from now) when it is answered. */
static void conn_state(struct MHD_Connection *c, unsigned char state, double body_wait)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!ci) return;
    int fd = ci->connect_fd;
    pthread_mutex_lock(&conns.mu);
    if (fd >= 0 && fd < conns.nslot && conns.slot[fd].state != CONN_FREE && conns.slot[fd].state != CONN_CLOSING) {
        conns.slot[fd].state = state;
        conns.slot[fd].since = mono_now();
        conns.slot[fd].body_wait = body_wait;
    }
    pthread_mutex_unlock(&conns.mu);
}

/* Whether the sweep cut this connection's request off for a body that took too long. */
static bool conn_body_cut(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!ci) return false;
    int fd = ci->connect_fd;
    pthread_mutex_lock(&conns.mu);
    bool cut = fd >= 0 && fd < conns.nslot && conns.slot[fd].state == CONN_CLOSING && conns.slot[fd].body_cut;
    pthread_mutex_unlock(&conns.mu);
    return cut;
}

static void conn_forget(int fd)
{
    pthread_mutex_lock(&conns.mu);
    if (fd >= 0 && fd < conns.nslot && conns.slot[fd].state != CONN_FREE) {
        conns.per_addr[conns.slot[fd].addr % ADDR_BUCKETS]--;
        conns.slot[fd].state = CONN_FREE;
    }
    pthread_mutex_unlock(&conns.mu);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    req *r = *con_cls;
    if (r) {
        if (!r->resp_status) { /* no answer of ours: the sweep's 408, or libmicrohttpd's own (431, 400, 413 …) */
            r->body_cut = conn_body_cut(c);
            const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_HTTP_STATUS);
            r->early_status = r->body_cut ? 408 : ci ? (int)ci->http_status : 0;
            if (r->early_status && r->early_status == tl_refused) tl_refused = 0; /* logged here */
        }
        access_line(r, toe != MHD_REQUEST_TERMINATED_COMPLETED_OK);
        if (r->method) atomic_fetch_sub(&g_inflight, 1);
        req_free(r);
    }
    *con_cls = NULL;
    conn_state(c, CONN_WAITING, 0);
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                 const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
    req *r = *con_cls;
    if (!r) r = *con_cls = req_begin(conn, url); /* uri_check made it, unless a caller left that out */
    if (!r->method) { /* the first call: the headers are in (from now on the request is drained on stop) */
        atomic_fetch_add(&g_inflight, 1);
        r->url = url;
        r->method = method;
        for (size_t i = 0; i < web_nroutes; i++)
            if (!strcmp(web_routes[i].method, method) && match(web_routes[i].pattern, url, r)) {
                r->rt = &web_routes[i];
                r->slot = (int)i;
                break;
            }
        if (r->uri_refused)
            req_failf(r, 414, "uri_too_long", "", "网址过长或查询参数过多（最多 %d 个参数、%u 个字符）", MAX_QUERY_ARGS, MAX_URI);
        const char *ct = header(r, "Content-Type");
        r->body_limit = web_bodies[r->rt ? r->rt->body : BODY_FORM].limit;
        const char *cl = header(r, "Content-Length"), *te = header(r, "Transfer-Encoding");
        unsigned long long declared = cl ? strtoull(cl, NULL, 10) : 0;
        if (declared > r->body_limit) r->too_big = true;
        /* A body must arrive within the body timeout, plus a second for every 64 KiB a larger
         * upload declares (within its route's limit): trickled or stopped, it is cut off. */
        r->in_body = declared > 0 || te;
        unsigned long long sized = te ? r->body_limit : declared < r->body_limit ? declared : r->body_limit;
        conn_state(conn, r->in_body ? CONN_BODY : CONN_BUSY, r->in_body ? g_body_wait + (double)(sized >> 16) : 0);
        /* Who is asking is known from the headers: the body of a request that will be refused is
         * read and dropped, never stored, so nobody can make the server hold 64 MiB without logging in. */
        if (r->rt && !(r->rt->flags & R_PUBLIC)) {
            db_fault_take();
            r->db = db_pool_get(g_pool);
            authenticate(r);
            db_pool_put(g_pool, r->db);
            r->db = NULL;
            r->db_fault = db_fault_take();
        }
        if (r->rt && is_multipart(ct) && !r->too_big && !r->failed) r->pp = MHD_create_post_processor(conn, 64 * 1024, post_iter, r);
        return MHD_YES;
    }
    if (*upload_size) {
        r->received += *upload_size; /* every byte counts, chunked or not */
        if (r->received > r->body_limit) r->too_big = true;
        if (!r->too_big && !r->malformed && !r->failed) {
            if (r->pp) {
                if (MHD_post_process(r->pp, upload_data, *upload_size) != MHD_YES && !r->too_big) r->malformed = true;
            } else buf_add(&r->body, upload_data, *upload_size);
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->in_body) { /* the whole body is in: the request is served, however long that takes */
        r->in_body = false;
        conn_state(conn, CONN_BUSY, 0);
    }
    if (str_starts(url, "/static/") && !strcmp(method, "GET")) return r->slot = M_STATIC, serve_asset(r, url);
    if (!r->rt && !strcmp(method, "GET") && !strcmp(url, "/healthz")) return r->slot = M_HEALTHZ, serve_healthz(r);
    if (!r->rt && !strcmp(method, "GET") && !strcmp(url, "/metrics")) return r->slot = M_METRICS, serve_metrics(r);
    if (!r->rt) {
        buf out;
        buf_init(&out);
        bool any = false;
        for (size_t i = 0; i < web_nroutes; i++) {
            req tmp = {0};
            if (match(web_routes[i].pattern, url, &tmp)) any = true;
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
    if (!r->failed) { /* refused already on the first call otherwise */
        db_fault_take();
        r->db = db_pool_get(g_pool);
        dispatch(r);
        redisplay(r, &r->again);
        if (r->failed && r->err.status >= 500 && db_errmsg(r->db)[0]) r->db_detail = req_keep(r, xstrdup(db_errmsg(r->db)));
        db_pool_put(g_pool, r->db);
        r->db = NULL;
        int f = db_fault_take();
        if (f > r->db_fault) r->db_fault = f;
    }
    return respond(r);
}

/* libmicrohttpd's own messages go to the server log as error lines (where=libmicrohttpd). */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    msg[strcspn(msg, "\n")] = 0;
    log_error("libmicrohttpd", "%s", msg);
    const char *code = strstr(msg, "HTTP response code is ");
    if (code) tl_refused = atoi(code + strlen("HTTP response code is "));
}

static volatile sig_atomic_t stop, reopen;
static void on_signal(int s) { stop = 1; }
static void on_hup(int s) { reopen = 1; }

/* SIGHUP (logrotate's postrotate, systemctl reload): the --log file is opened again by its name,
 * so lines go to the new file once the old one has been renamed. */
static void reopen_log(void)
{
    cx_err e = {0};
    if (log_reopen(&e) != CX_OK) {
        log_error("log", "%s", e.msg); /* still to the old file */
        return;
    }
    log_line l;
    log_begin(&l, "info");
    log_kv(&l, "msg", "收到 SIGHUP，已重新打开日志文件", 0);
    log_end(&l);
}

/* The accept thread. libmicrohttpd's own accepting lets every worker race for each new
 * connection, and at 256 connections two of four workers got three quarters of them: their
 * connections waited while the others idled (the card's p99 at 256 connections). Handed over
 * with MHD_add_connection, a connection goes to worker (fd mod pool size) with room.
 * At max_conns open connections the thread stops accepting until one closes: a new visitor
 * waits in the listen queue, as with libmicrohttpd's own accepting, instead of being reset
 * (libmicrohttpd closes a connection handed to it beyond its limit at once). */
typedef struct acceptor {
    int fd;
    struct MHD_Daemon *d;
    atomic_bool stopping;
    unsigned max_conns;
    unsigned per_addr;    /* open connections from one client address at most */
    unsigned header_wait; /* seconds a connection may take to send a request's headers */
    /* Connections handed over and not yet closed: counted up by the accept thread before the
     * hand-over (a worker starts a connection later, from its queue), down when libmicrohttpd
     * refuses it at once or closes it. libmicrohttpd reports the close of every connection it
     * started, including one whose start failed after the report; a connection that fails before
     * starting (a worker could not map its 32 KiB pool) would stay counted. */
    atomic_uint open;
} acceptor;

static void notify_conn(void *cls, struct MHD_Connection *c, void **socket_context, enum MHD_ConnectionNotificationCode toe)
{
    (void)socket_context;
    if (toe != MHD_CONNECTION_NOTIFY_CLOSED) return;
    if (tl_refused) { /* refused before a request line was read (one too long for the pool, say) */
        req t = {.conn = c, .url = "-", .t0_us = now_us(), .slot = M_UNMATCHED, .early_status = tl_refused};
        new_rid(&t);
        tl_refused = 0;
        access_line(&t, true);
    }
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (ci) conn_forget(ci->connect_fd);
    atomic_fetch_sub(&((acceptor *)cls)->open, 1);
}

static void nap_ms(int ms)
{
    struct pollfd none = {-1, 0, 0};
    poll(&none, 1, ms);
}

/* The address of a client as a hash (IPv4 or IPv6 address, port left out). */
static uint64_t addr_hash(const struct sockaddr_storage *ca)
{
    const unsigned char *p = NULL;
    size_t n = 0;
    if (ca->ss_family == AF_INET) p = (const unsigned char *)&((const struct sockaddr_in *)ca)->sin_addr, n = 4;
    else if (ca->ss_family == AF_INET6) p = (const unsigned char *)&((const struct sockaddr_in6 *)ca)->sin6_addr, n = 16;
    return fnv1a(p, n);
}

/* Slowloris: trickled headers held connections forever (libmicrohttpd's timeout counts from the
 * last byte received). A connection that has not sent a whole request header within header_wait
 * seconds of its start or of its last answer is shut down; libmicrohttpd then sees it closed. */
static void sweep(acceptor *a, double t)
{
    static const char slow[] = "HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain; charset=utf-8\r\n"
                               "Connection: close\r\nContent-Length: 61\r\n\r\n"
                               "请求内容发送超时，连接已断开，请重新提交\n";
    pthread_mutex_lock(&conns.mu);
    for (int fd = 0; fd < conns.hi; fd++) {
        conn_slot *s = &conns.slot[fd];
        if (s->state == CONN_WAITING && t - s->since > a->header_wait) {
            shutdown(fd, SHUT_RDWR);
            s->state = CONN_CLOSING;
        } else if (s->state == CONN_BODY && t - s->since > s->body_wait) {
            /* a body trickled or stopped mid-way: nothing of the answer has been sent yet, so
             * the client gets a 408 before the connection is shut (the access line says 408) */
            ssize_t w = send(fd, slow, sizeof slow - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
            (void)w;
            shutdown(fd, SHUT_RDWR);
            s->state = CONN_CLOSING;
            s->body_cut = true;
        }
    }
    pthread_mutex_unlock(&conns.mu);
}

/* Takes connection c into the table, or refuses it (answered 503 and closed) when its address
 * already has per_addr open: one client can no longer take every connection. */
static bool conn_admit(acceptor *a, int c, const struct sockaddr_storage *ca)
{
    uint64_t h = addr_hash(ca);
    pthread_mutex_lock(&conns.mu);
    bool ok = c < conns.nslot && conns.per_addr[h % ADDR_BUCKETS] < a->per_addr;
    if (ok) {
        conns.per_addr[h % ADDR_BUCKETS]++;
        conns.slot[c] = (conn_slot){.addr = h, .since = mono_now(), .state = CONN_WAITING, .body_cut = false};
        if (c >= conns.hi) conns.hi = c + 1;
    }
    pthread_mutex_unlock(&conns.mu);
    if (!ok) {
        static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
                                   "Retry-After: 10\r\nConnection: close\r\nContent-Length: 52\r\n\r\n"
                                   "来自您的地址的连接过多，请稍后再试\n";
        ssize_t w = send(c, busy, sizeof busy - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
        (void)w;
        close(c);
    }
    return ok;
}

static void *accept_main(void *arg)
{
    acceptor *a = arg;
    sigset_t ss; /* signals go to the main thread, whose pause() they end */
    sigemptyset(&ss);
    sigaddset(&ss, SIGINT);
    sigaddset(&ss, SIGTERM);
    sigaddset(&ss, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &ss, NULL);
    double last_sweep = 0;
    while (!atomic_load(&a->stopping)) {
        double t = mono_now();
        if (t - last_sweep >= 0.25) {
            last_sweep = t;
            sweep(a, t);
        }
        if (atomic_load(&a->open) >= a->max_conns) {
            nap_ms(10); /* full: leave new connections in the listen queue until one closes */
            continue;
        }
        struct pollfd p = {a->fd, POLLIN, 0};
        if (poll(&p, 1, 250) <= 0) continue;
        struct sockaddr_storage ca;
        socklen_t len = sizeof ca;
        int c = accept4(a->fd, (struct sockaddr *)&ca, &len, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (c >= 0) {
            if (!conn_admit(a, c, &ca)) continue;
            atomic_fetch_add(&a->open, 1);
            if (MHD_add_connection(a->d, c, (struct sockaddr *)&ca, len) != MHD_YES) { /* then it has closed c */
                conn_forget(c);
                atomic_fetch_sub(&a->open, 1);
            }
            continue;
        }
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
            nap_ms(10); /* out of descriptors or memory: let connections close, then go on */
        } else if (errno != EINTR && errno != ECONNABORTED && errno != EAGAIN && errno != EPROTO) {
            if (!atomic_load(&a->stopping)) fprintf(stderr, "cxzy: accept: %s\n", strerror(errno));
            if (errno == EINVAL || errno == EBADF) break; /* the socket was shut down */
        }
    }
    return NULL;
}

/* How many connections the server keeps open: cfg->max_conns (default CONN_DEFAULT), within
 * the descriptors this process may open. The soft RLIMIT_NOFILE is raised towards the hard one
 * first (it is 1,024 under many service managers). FD_RESERVE descriptors stay for database
 * connections, uploads and logs, and CONN_MARGIN per worker for the margin below. */
#define CONN_DEFAULT 4096u
#define FD_RESERVE 128u
#define CONN_MARGIN 16u
static unsigned conn_budget(const web_config *cfg)
{
    unsigned want = cfg->max_conns ? (unsigned)cfg->max_conns : CONN_DEFAULT;
    rlim_t extra = FD_RESERVE + CONN_MARGIN * (rlim_t)cfg->threads, need = want + extra;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return want;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
        struct rlimit up = rl;
        up.rlim_cur = (rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need) ? need : rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &up) == 0) rl = up;
    }
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need) return want;
    rlim_t room = rl.rlim_cur > extra + 16 ? rl.rlim_cur - extra : 16;
    fprintf(stderr, "提示：本进程最多可打开 %llu 个文件，最大连接数由 %u 降为 %llu\n", (unsigned long long)rl.rlim_cur, want,
            (unsigned long long)room);
    return (unsigned)room;
}

/* The server's own request handling without a listening socket or threads of its own: a daemon
 * the caller runs with MHD_run and hands connections with MHD_add_connection. For the request
 * fuzz targets (tests/fuzz/fuzz_http.c), which feed it one end of a socketpair per input. */
struct MHD_Daemon *web_start_embedded(db_pool *pool)
{
    static acceptor acc; /* only its count of open connections is used (notify_conn) */
    g_pool = pool;
    return MHD_start_daemon(MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ERROR_LOG, 0, NULL, NULL, access_cb, NULL,
                            MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
                            MHD_OPTION_NOTIFY_CONNECTION, notify_conn, &acc, MHD_OPTION_URI_LOG_CALLBACK, uri_check, NULL,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_POOL, MHD_OPTION_END);
}

int web_serve(const web_config *cfg, db_pool *pool)
{
    g_pool = pool;
    g_metrics = cfg->metrics;
    g_body_wait = cfg->body_wait ? cfg->body_wait : 30;
    g_rid_seed = (uint64_t)time(NULL) * 0x2545f4914f6cdd1dULL ^ (uint64_t)getpid() << 32 ^ now_us();
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    char host[64] = "127.0.0.1";
    int port = 8080;
    const char *colon = strrchr(cfg->listen, ':');
    if (colon) {
        snprintf(host, sizeof host, "%.*s", (int)(colon - cfg->listen), cfg->listen);
        port = atoi(colon + 1);
    }
    if (port <= 0 || port > 65535 || inet_pton(AF_INET, host[0] ? host : "0.0.0.0", &sa.sin_addr) != 1) {
        fprintf(stderr, "错误：--listen 应为 地址:端口，例如 127.0.0.1:8080，收到“%s”\n", cfg->listen);
        return 2;
    }
    sa.sin_port = htons((uint16_t)port);
    /* Our own listening socket and accept thread (see acceptor): connections are dealt out
     * evenly over the thread pool instead of going to whichever worker wakes first. */
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(lfd, 1024) != 0) {
        fprintf(stderr, "错误：无法在 %s 上监听（端口被占用？）\n", cfg->listen);
        if (lfd >= 0) close(lfd);
        return 1;
    }
    unsigned max_conns = conn_budget(cfg);
    pwgate_configure(0, cfg->threads); /* password checks: half the cores (lib/pwgate.h) */
    /* libmicrohttpd must never reach its own limit: 0.9.75 deadlocks a worker that finds itself
     * at its limit while starting a connection handed over with MHD_add_connection (all four
     * workers hung in a mutex after "Server reached connection limit", the server answered
     * nothing and could not stop). Its limit is split over the workers and connections are
     * dealt by descriptor, so each worker's share is set to our whole limit plus the margin (a
     * closing connection leaves our count just before it leaves libmicrohttpd's). Descriptors
     * stay bounded by our count. */
    unsigned nthreads = (unsigned)cfg->threads, mhd_limit = (max_conns + CONN_MARGIN) * nthreads;
    acceptor acc = {.fd = lfd, .max_conns = max_conns, .header_wait = cfg->header_wait ? (unsigned)cfg->header_wait : 30,
                    .per_addr = cfg->per_addr ? (unsigned)cfg->per_addr : (max_conns / 4 > 16 ? max_conns / 4 : 16)};
    struct rlimit fds;
    conns.nslot = getrlimit(RLIMIT_NOFILE, &fds) == 0 && fds.rlim_cur != RLIM_INFINITY && fds.rlim_cur < (1u << 20) ? (int)fds.rlim_cur : 1 << 20;
    conns.slot = xcalloc((size_t)conns.nslot, sizeof *conns.slot);
    struct MHD_Daemon *d = acc.d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ERROR_LOG, 0, NULL,
        NULL, access_cb, NULL, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_THREAD_POOL_SIZE, nthreads, MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
        MHD_OPTION_NOTIFY_CONNECTION, notify_conn, &acc, MHD_OPTION_URI_LOG_CALLBACK, uri_check, NULL, MHD_OPTION_CONNECTION_LIMIT, mhd_limit,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_POOL, MHD_OPTION_END);
    pthread_t accept_thread;
    if (!d || pthread_create(&accept_thread, NULL, accept_main, &acc) != 0) {
        fprintf(stderr, "错误：无法启动网站服务线程\n");
        if (d) MHD_stop_daemon(d);
        close(lfd);
        return 1;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGHUP, on_hup);
    signal(SIGPIPE, SIG_IGN);
    /* never print a PostgreSQL password: postgresql://user:secret@host → postgresql://user:***@host */
    char shown[512];
    snprintf(shown, sizeof shown - 8, "%s", cfg->db_url); /* room for ":***" to be longer than the password */
    char *scheme = strstr(shown, "://"), *at = strchr(shown, '@');
    char *colon2 = scheme ? strchr(scheme + 3, ':') : NULL;
    if (scheme && at && colon2 && colon2 < at) memmove(colon2 + 4, at, strlen(at) + 1), memcpy(colon2, ":***", 4);
    printf("cxzy 已启动：http://%s:%d/  数据库：%s\n", host, port, shown);
    fflush(stdout);
    /* signals end the wait at once; the timeout covers one arriving just before it began */
    while (!stop) {
        if (reopen) reopen = 0, reopen_log();
        nap_ms(1000);
    }
    atomic_store(&acc.stopping, true);
    shutdown(lfd, SHUT_RDWR); /* wakes the blocked accept() */
    pthread_join(accept_thread, NULL);
    close(lfd);
    /* Drain: requests already being served (a ballot waiting for its commit, an upload still
     * arriving) get their answers before the connections close, for at most 10 s. */
    printf("cxzy 正在停止：等待 %d 个进行中的请求完成（至多 10 秒）\n", atomic_load(&g_inflight));
    fflush(stdout);
    for (int i = 0; i < 1000 && atomic_load(&g_inflight) > 0; i++) nap_ms(10);
    MHD_stop_daemon(d);
    free(conns.slot);
    conns.slot = NULL, conns.nslot = conns.hi = 0;
    printf("cxzy 已停止\n");
    return 0;
}
