/* server_int.h: what the server's own files share (server.c, http.c, request.c, response.c,
 * request_log.c); handlers include web.h only. */
#ifndef CX_SERVER_INT_H
#define CX_SERVER_INT_H
#include "web.h"
#include <stdarg.h>
#include <stdatomic.h>

/* server.c: the running server's settings, and the table of open connections */
extern db_pool *g_pool;
extern int g_metrics;      /* who may read /metrics: METRICS_* */
extern double g_body_wait; /* seconds a request body may take (cfg->body_wait), see conn_state */
extern int g_own_writes;   /* seconds a client that changed something reads its own writes (cxzy_rw) */
extern int g_read_lag;     /* reads from a replica (issue 20): the lag bound of --db-read, 0 without one */
enum { CONN_FREE, CONN_WAITING, CONN_BODY, CONN_BUSY, CONN_CLOSING };
/* Marks the connection of a request (CONN_BODY for at most body_wait seconds from now). */
void conn_state(struct MHD_Connection *c, unsigned char state, double body_wait);
/* Whether the sweep cut this connection's request off for a body that took too long. */
bool conn_body_cut(struct MHD_Connection *c);

/* http.c: libmicrohttpd's callbacks for a request, and the route matcher */
void *http_uri_check(void *cls, const char *uri, struct MHD_Connection *c);
enum MHD_Result http_access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                            const char *version, const char *upload_data, size_t *upload_size, void **con_cls);
void http_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe);
/* Requests begun and not yet completed: drained on stop. */
extern atomic_int g_inflight;
/* Whether path matches a route's pattern; the ":x" segments become r's params. */
bool route_match(const char *pattern, const char *path, req *r);

/* request.c: a request header (NULL when absent); the session and role check; the checks before
 * the handler, then the handler */
const char *req_header(req *r, const char *name);
void req_authenticate(req *r);
void req_dispatch(req *r);

/* response.c: the answer of a routed request; a failed page form shown again (into out); the
 * answers without a route */
enum MHD_Result respond(req *r);
bool redisplay(req *r, buf *out);
enum MHD_Result serve_asset(req *r, const char *path);
enum MHD_Result serve_healthz(req *r);
enum MHD_Result serve_metrics(req *r);
enum MHD_Result serve_unrouted(req *r, const char *url, const char *method);

/* request_log.c: the monotonic clock in microseconds; request ids (seeded once per process);
 * an error line for a request; its access line; libmicrohttpd's messages */
uint64_t now_us(void);
extern uint64_t g_rid_seed;
void new_rid(req *r);
void log_error_req(req *r, const char *where, const char *msg);
void access_line(req *r, bool aborted);
/* The status of an answer libmicrohttpd made itself that nobody has logged yet (per thread). */
extern _Thread_local int tl_refused;
void mhd_log(void *cls, const char *fmt, va_list ap);
#endif
