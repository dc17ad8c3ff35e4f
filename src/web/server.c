/* server.c: starting and stopping the daemon: the listening socket and an accept thread that deals
 * connections out evenly over libmicrohttpd's workers, the table of open connections (the
 * per-address cap, the header and body timeouts), signals (stop, log reopening) and the drain on
 * stop. A request's own way through the server starts in http.c. */
#include "server_int.h"
#include "metrics.h"
#include "../lib/log.h"
#include "../lib/pwgate.h"
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Each connection's memory pool (request line, headers, read and write buffers; bodies stream
 * through it to our own buffers). libmicrohttpd 0.9.75 zeroes the whole pool before every
 * request on a kept-alive connection, so its size is a per-request cost: 256 KiB cost the card
 * a third of its throughput and tripled its p99 at 256 connections (docs/BENCHMARKS.md). 32 KiB
 * is the library's default and holds headers far beyond any browser's. */
#define CONN_POOL (32u << 10)

/* The running server's settings (web_serve, web_start_embedded). */
db_pool *g_pool;
int g_metrics = METRICS_LOCAL;
double g_body_wait = 30; /* seconds a request body may take (cfg->body_wait), see conn_state */
int g_read_lag; /* --db-read: the replica's lag bound in seconds (cfg->read_lag), 0 without a replica */
int g_own_writes; /* cfg->own_writes: how long a client reads its own writes (cookie cxzy_rw) */

/* Connections by descriptor, for the per-address cap and the header timeout (see acceptor).
 * An entry is made by the accept thread before the hand-over and removed when libmicrohttpd
 * reports the close, which it does before closing the descriptor: a descriptor in the table is
 * still the connection's, so the accept thread may shut it down. Its states: server_int.h. */
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
void conn_state(struct MHD_Connection *c, unsigned char state, double body_wait)
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
bool conn_body_cut(struct MHD_Connection *c)
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
    return MHD_start_daemon(MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ERROR_LOG, 0, NULL, NULL, http_access, NULL,
                            MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_NOTIFY_COMPLETED, http_completed, NULL,
                            MHD_OPTION_NOTIFY_CONNECTION, notify_conn, &acc, MHD_OPTION_URI_LOG_CALLBACK, http_uri_check, NULL,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_POOL, MHD_OPTION_END);
}

int web_serve(const web_config *cfg, db_pool *pool)
{
    g_pool = pool;
    g_metrics = cfg->metrics;
    g_body_wait = cfg->body_wait ? cfg->body_wait : 30;
    g_read_lag = cfg->read_lag;
    g_own_writes = cfg->own_writes;
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
        NULL, http_access, NULL, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_THREAD_POOL_SIZE, nthreads, MHD_OPTION_NOTIFY_COMPLETED, http_completed, NULL,
        MHD_OPTION_NOTIFY_CONNECTION, notify_conn, &acc, MHD_OPTION_URI_LOG_CALLBACK, http_uri_check, NULL, MHD_OPTION_CONNECTION_LIMIT, mhd_limit,
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
