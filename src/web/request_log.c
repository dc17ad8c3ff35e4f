/* request_log.c: the log of requests (lib/log.h): a request id each, an access line per request
 * (with the path's secrets left out), an error line per internal failure, and libmicrohttpd's own
 * messages. */
#include "server_int.h"
#include "metrics.h"
#include "../lib/log.h"
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

uint64_t now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u;
}

/* The request id: 16 hex digits, unique in this process (a bijective mix of a counter and a
 * per-process seed, so ids neither repeat nor tell how busy the server is). No lock: one atomic add. */
uint64_t g_rid_seed;
static uint64_t g_rid_next;
void new_rid(req *r)
{
    uint64_t z = g_rid_seed + 0x9e3779b97f4a7c15ULL * (__atomic_add_fetch(&g_rid_next, 1, __ATOMIC_RELAXED));
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    snprintf(r->rid, sizeof r->rid, "%016" PRIx64, z);
}

/* The path as logged: no query values (tokens, codes, phones, searches) but their names; a
 * route's path as is (its parameters are ids), any other path with every segment that could be a
 * code or a token written as "*": one that holds a digit, is long, or has eight characters or more
 * and is not a file name (a mistyped tracking code, say: one in 120 has no digit at all). */
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
            bool secret = n > 16 || (dig && (size_t)(dig - p) < n) || (n >= 8 && !memchr(p, '.', n));
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
void log_error_req(req *r, const char *where, const char *msg)
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

void access_line(req *r, bool aborted)
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
    log_kvf(&l, "ms", "%" PRIu64 ".%03" PRIu64, us / 1000, us % 1000); /* as "%.3f" of us / 1000, without floating point */
    if (r->body_cut) log_kv(&l, "timeout", "body", 0); /* cut off: the body took longer than --body-timeout */
    else if (r->early_status) log_kv(&l, "by", "libmicrohttpd", 0); /* refused before our handler */
    else if (aborted) log_kv(&l, "aborted", "1", 0); /* the client went away, or the answer could not be sent */
    log_end(&l);
}

/* The status of an answer libmicrohttpd made itself (mhd_log reads it from its message) and
 * nobody has logged yet: the connection's close writes its access line (notify_conn), unless the
 * request had got as far as its request line, whose own line (http_completed) has it. Per worker
 * thread, as a connection is served by one worker from its start to its close. */
_Thread_local int tl_refused;

/* libmicrohttpd's own messages go to the server log as error lines (where=libmicrohttpd). */
void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    msg[strcspn(msg, "\n")] = 0;
    log_error("libmicrohttpd", "%s", msg);
    const char *code = strstr(msg, "HTTP response code is ");
    if (code) tl_refused = atoi(code + strlen("HTTP response code is "));
}
