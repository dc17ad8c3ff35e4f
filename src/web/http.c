/* http.c: a request's way through libmicrohttpd's callbacks: begun at its URI (query strings
 * bounded), its route matched and its body read within the route's limit (forms and multipart
 * taken apart), then dispatched and answered, and at its end logged and freed. */
#include "server_int.h"
#include "metrics.h"
#include "../lib/log.h"
#include "../store/replica.h"
#include <stdlib.h>
#include <stddef.h>
#include <string.h>

#define MAX_FIELDS 256           /* form fields per request */

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

bool route_match(const char *pattern, const char *path, req *r)
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

static bool is_multipart(const char *ct) { return ct && (str_starts(ct, "multipart/form-data") || str_starts(ct, "application/x-www-form-urlencoded")); }

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
    page_cache_release(r->page.hold);
    buf_free(&r->again);
    cJSON_Delete(r->json);
    cJSON_Delete(r->data);
    free(r->redirect);
    for (int i = 0; i < 2; i++) free(r->set_cookie[i]);
    for (int i = 0; i < r->nkeep; i++) free(r->keep[i]);
    free(r->keep);
    free(r);
}

/* Reads from a replica (issue 20): what a handler leaves in r, cleared before the request is
 * served again on the primary (the output req_free frees; the input and the session stay). */
static void req_output_reset(req *r)
{
    cJSON_Delete(r->json);
    cJSON_Delete(r->data);
    r->json = r->data = NULL;
    buf_free(&r->file);
    page_cache_release(r->page.hold), r->page = (page_ref){0};
    free(r->redirect);
    r->redirect = NULL;
    for (int i = 0; i < 2; i++) free(r->set_cookie[i]), r->set_cookie[i] = NULL;
    r->status = 0, r->tmpl = NULL, r->failed = false, r->err = (cx_err){0};
    r->file_mime = NULL, r->file_name[0] = 0, r->attach = r->from_cache = r->cacheable = false;
    r->retry_after = 0, r->etag[0] = 0, r->cache_key[0] = 0, r->cache_gen = 0, r->cache_day[0] = 0, r->public_tag = 0, r->db_detail = NULL;
}

/* A route marked R_REPLICA, asked without the cookie a change leaves (cxzy_rw), reads from the
 * replica when it is up and within the lag bound (store/replica.c); any other request, and this
 * one otherwise, from the primary. A download (?format=xlsx) is audited, a write: the primary. */
static void db_take(req *r)
{
    r->db = NULL;
    const char *fmt = req_query(r, "format");
    r->own_writes = g_own_writes && MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "cxzy_rw");
    if (g_read_lag && (r->rt->flags & R_REPLICA) && !(fmt && *fmt) && !r->own_writes)
        r->db = replica_get();
    r->on_replica = r->db != NULL;
    if (!r->db) r->db = db_pool_get(g_pool);
}

static void db_give(req *r, bool lost)
{
    if (r->on_replica) replica_put(r->db, lost);
    else db_pool_put(g_pool, r->db);
    r->db = NULL;
}

/* After a request served on the replica: when the replica could not serve it (a lost connection,
 * a write refused by the standby, a query cancelled by its replay) it is served again, whole, on
 * the primary: a client never sees the replica's trouble. A route that writes on the replica is
 * logged once (it should not be marked R_REPLICA, or its write should leave the read path). */
static void served_on_replica(req *r)
{
    int f = db_fault_take();
    bool lost = f == DB_FAULT_UNAVAILABLE, refused = r->db->standby_refused;
    if (!lost && !refused) {
        db_fault_raise(f);
        return;
    }
    static bool told[1024]; /* by route index; a repeated line is harmless */
    if (refused && r->slot >= 0 && r->slot < 1024 && !told[r->slot]) {
        told[r->slot] = true;
        log_error("replica", "%s %s 在备库上被拒绝（写入或与恢复冲突），已改在主库上重做：%s", r->method, r->rt->pattern, db_errmsg(r->db));
    }
    db_give(r, lost);
    req_output_reset(r);
    r->on_replica = false;
    r->db = db_pool_get(g_pool);
    req_dispatch(r);
}

/* Requests begun and not yet http_completed (answered, or their connection closed): drained on stop. */
atomic_int g_inflight;

/* A request begins (its id, its start time) as soon as its request line is in: a request
 * libmicrohttpd refuses itself after that (431 for headers beyond the connection's pool, 400 for
 * a malformed header, 413) never reaches http_access, and still gets its access line (http_completed). */
static req *req_begin(struct MHD_Connection *c, const char *uri)
{
    /* zeroed but for the principal's grants (16 KiB, only ever read below ngrants, which is 0):
     * zeroing all of it was the largest part of a cached page's time in user space after
     * libmicrohttpd's own pool reset */
    req *r = xmalloc(sizeof *r);
    size_t g = offsetof(req, user.grants), ge = g + sizeof r->user.grants;
    memset(r, 0, g);
    memset((char *)r + ge, 0, sizeof *r - ge);
    r->conn = c;
    r->url = req_keep(r, xstrndup(uri, strcspn(uri, "?"))); /* the path until http_access has it decoded */
    r->t0_us = now_us();
    new_rid(r);
    r->slot = M_UNMATCHED;
    return r;
}

/* Query strings. libmicrohttpd 0.9.75 parses the arguments into the connection's 32 KiB pool:
 * about 450 of them answered 431, and about 470 or more ran the pool out before any answer could
 * be made, so the client waited for the 60 s timeout. The URI is seen here first, whole, before
 * its arguments are parsed: one with more than MAX_QUERY_ARGS arguments (or longer than
 * MAX_URI) loses its query string (nothing is parsed) and is marked, and http_access answers it
 * 414 at once. The request made here is what libmicrohttpd hands http_access as *con_cls. */
#define MAX_QUERY_ARGS 200
#define MAX_URI (16u << 10)
void *http_uri_check(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    req *r = req_begin(c, uri);
    char *q = strchr(uri, '?');
    for (const char *p = uri; *p && p != q; p++)
        if (p[0] == '%' && p[1] == '0' && p[2] == '0') r->path_nul = true;
    if (!q) return r;
    size_t n = 1;
    for (const char *p = q; *p; p++) n += *p == '&' || *p == ';';
    if (n <= MAX_QUERY_ARGS && strlen(uri) <= MAX_URI) return r;
    q[1] = '\0'; /* the buffer is libmicrohttpd's own, writable; the query becomes empty */
    r->uri_refused = true;
    return r;
}

void http_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
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

enum MHD_Result http_access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                 const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
    req *r = *con_cls;
    if (!r) r = *con_cls = req_begin(conn, url); /* http_uri_check made it, unless a caller left that out */
    if (!r->method) { /* the first call: the headers are in (from now on the request is drained on stop) */
        atomic_fetch_add(&g_inflight, 1);
        r->url = url;
        r->method = method;
        /* the first byte of the method and of the path after '/' rule out most routes without a call */
        for (size_t i = 0; i < web_nroutes; i++)
            if (web_routes[i].method[0] == method[0] && (!url[0] || web_routes[i].pattern[1] == url[1] || web_routes[i].pattern[1] == ':') &&
                !strcmp(web_routes[i].method, method) && route_match(web_routes[i].pattern, url, r)) {
                r->rt = &web_routes[i];
                r->slot = (int)i;
                break;
            }
        if (r->path_nul)
            req_failf(r, 400, "bad_path", "", "网址的路径含有空字符（%%00），无法识别");
        else if (r->uri_refused)
            req_failf(r, 414, "uri_too_long", "", "网址过长或查询参数过多（最多 %d 个参数、%u 个字符）", MAX_QUERY_ARGS, MAX_URI);
        const char *ct = req_header(r, "Content-Type");
        r->body_limit = web_bodies[r->rt ? r->rt->body : BODY_FORM].limit;
        const char *cl = req_header(r, "Content-Length"), *te = req_header(r, "Transfer-Encoding");
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
            req_authenticate(r);
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
    if (!r->rt) return serve_unrouted(r, url, method);
    if (!r->failed) { /* refused already on the first call otherwise */
        db_fault_take();
        db_take(r);
        req_dispatch(r);
        if (r->on_replica) served_on_replica(r);
        /* this client's next reads (a logout has set -1: no cookie left behind) */
        else if (g_own_writes && (r->rt->flags & R_STATE) && !r->failed && !r->read_primary) r->read_primary = g_own_writes;
        redisplay(r, &r->again);
        req_bell(r);
        if (r->failed && r->err.status >= 500 && db_errmsg(r->db)[0]) r->db_detail = req_keep(r, xstrdup(db_errmsg(r->db)));
        db_give(r, false);
        int f = db_fault_take();
        if (f > r->db_fault) r->db_fault = f;
    }
    return respond(r);
}
