/* replica.c: the read pool on a streaming replica and its checker (replica.h).
 *
 * How far behind the replica is: once a second the checker reads the primary's WAL position
 * (pg_current_wal_lsn) and then the replica's replayed position (pg_last_wal_replay_lsn), and keeps
 * the primary's positions of the last seconds. A replica that has replayed the primary's position
 * of a moment t has everything committed before t, so its lag is at most now - t for the newest
 * such sample (0 when it has the position just read). This holds whether or not the primary is
 * busy (now() - pg_last_xact_replay_timestamp() grows on an idle primary) and whether or not the
 * replica is still receiving (a cut stream leaves it behind the samples, not "caught up"). */
#include "replica.h"
#include "../lib/log.h"
#include <errno.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SAMPLES 1024 /* one a second: the lag bound is at most 600 s (cli/serve.c) */

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    bool started, stop;
    char *primary_url, *read_url;
    int n, lag_bound;
    db_pool *pool;        /* opened by the checker when the replica first answers */
    bool usable;          /* atomic: reads go to the replica */
    bool lost;            /* atomic: a request lost its replica connection since the last check */
    int state;            /* the checker's last verdict, for logging changes only (R_*) */
    double t[SAMPLES];    /* the primary's WAL position at monotonic time t */
    int64_t lsn[SAMPLES];
    int nsample, next;
} rp = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

enum { R_UNKNOWN, R_UP, R_DOWN, R_BEHIND, R_NOT_STANDBY };

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Logs a change of verdict once (an unchanged one is not repeated every second). */
static void verdict(int state, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void verdict(int state, const char *fmt, ...)
{
    __atomic_store_n(&rp.usable, state == R_UP || state == R_NOT_STANDBY, __ATOMIC_RELEASE);
    if (__atomic_exchange_n(&rp.lost, false, __ATOMIC_ACQ_REL)) rp.state = R_UNKNOWN; /* its return is logged */
    if (state == rp.state) return;
    rp.state = state;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    log_line l;
    log_begin(&l, state == R_UP ? "info" : "error");
    log_kv(&l, "where", "replica", 0);
    log_kv(&l, "msg", msg, 0);
    log_end(&l);
}

/* The lag in seconds the samples prove for a replica at replayed position r (a large number when
 * none is old enough). */
static double lag_of(int64_t r, double now)
{
    for (int k = 0; k < rp.nsample; k++) {
        int i = (rp.next - 1 - k + SAMPLES) % SAMPLES;
        if (rp.lsn[i] <= r) return k == 0 ? 0 : now - rp.t[i];
    }
    return 1e9;
}

static void check_once(db **pri, db **rep)
{
    cx_err e = {0};
    double now = mono_now();
    int64_t p = -1, r = -1;
    if (!*pri) *pri = db_open(rp.primary_url, &e);
    if (*pri && db_i64(*pri, &p, -1, "SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint", "") != CX_OK) {
        db_close(*pri), *pri = NULL; /* the primary away: judged by the replica alone below */
        p = -1;
    }
    if (!*rep) *rep = db_open(rp.read_url, &e);
    if (*rep && db_i64(*rep, &r, -1,
                       "SELECT CASE WHEN pg_is_in_recovery() THEN COALESCE((pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint, 0) ELSE -1 END",
                       "") != CX_OK) {
        snprintf(e.msg, sizeof e.msg, "%s", db_errmsg(*rep));
        db_close(*rep), *rep = NULL;
    }
    if (p >= 0) { /* the newest sample first (lag_of), kept after judging */
        rp.t[rp.next] = now, rp.lsn[rp.next] = p;
        rp.next = (rp.next + 1) % SAMPLES;
        if (rp.nsample < SAMPLES) rp.nsample++;
    }
    if (!*rep) {
        verdict(R_DOWN, "备库无法连接，公开页面、看板和通报改从主库读取：%s", e.msg);
        return;
    }
    if (!rp.pool) {
        db_pool *pool = db_pool_new(rp.read_url, rp.n, &e);
        if (!pool) {
            verdict(R_DOWN, "无法打开备库的连接池，公开页面、看板和通报改从主库读取：%s", e.msg);
            return;
        }
        pthread_mutex_lock(&rp.mu);
        rp.pool = pool;
        pthread_mutex_unlock(&rp.mu);
    }
    if (r < 0) {
        verdict(R_NOT_STANDBY, "--db-read 所指的数据库不是备库（未处于恢复状态），仍从它读取公开页面、看板和通报");
        return;
    }
    double lag = p < 0 ? 0 : lag_of(r, now); /* the primary away: nothing newer to wait for */
    if (lag > rp.lag_bound) {
        if (lag >= 1e9) verdict(R_BEHIND, "备库落后主库超过 %d 秒，公开页面、看板和通报改从主库读取", rp.lag_bound);
        else verdict(R_BEHIND, "备库落后主库 %.0f 秒（上限 %d 秒），公开页面、看板和通报改从主库读取", lag, rp.lag_bound);
        return;
    }
    verdict(R_UP, "备库可用，公开页面、看板和通报从备库读取");
}

static void *checker_main(void *arg)
{
    (void)arg;
    db *pri = NULL, *rep = NULL;
    pthread_mutex_lock(&rp.mu);
    while (!rp.stop) {
        pthread_mutex_unlock(&rp.mu);
        check_once(&pri, &rep);
        pthread_mutex_lock(&rp.mu);
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        t.tv_sec += 1;
        int w = 0;
        while (!rp.stop && w != ETIMEDOUT) w = pthread_cond_timedwait(&rp.cv, &rp.mu, &t);
    }
    pthread_mutex_unlock(&rp.mu);
    db_close(pri);
    db_close(rep);
    return NULL;
}

int replica_start(const char *primary_url, const char *read_url, int n, int lag_bound, cx_err *e)
{
    rp.primary_url = xstrdup(primary_url);
    rp.read_url = xstrdup(read_url);
    rp.n = n;
    rp.lag_bound = lag_bound;
    rp.stop = false;
    if (pthread_create(&rp.thread, NULL, checker_main, NULL) != 0) {
        cx_fail(e, 500, "replica_failed", "db-read", "无法启动备库检查线程");
        return CX_ERR;
    }
    rp.started = true;
    return CX_OK;
}

void replica_stop(void)
{
    if (!rp.started) return;
    pthread_mutex_lock(&rp.mu);
    rp.stop = true;
    pthread_cond_signal(&rp.cv);
    pthread_mutex_unlock(&rp.mu);
    pthread_join(rp.thread, NULL);
    rp.started = false;
    __atomic_store_n(&rp.usable, false, __ATOMIC_RELEASE);
    db_pool_free(rp.pool);
    rp.pool = NULL;
    free(rp.primary_url);
    free(rp.read_url);
    rp.primary_url = rp.read_url = NULL;
}

db *replica_get(void)
{
    if (!__atomic_load_n(&rp.usable, __ATOMIC_ACQUIRE)) return NULL;
    pthread_mutex_lock(&rp.mu);
    db_pool *pool = rp.pool;
    pthread_mutex_unlock(&rp.mu);
    if (!pool) return NULL;
    db *d = db_pool_get(pool);
    d->standby_refused = false;
    return d;
}

void replica_put(db *d, bool lost)
{
    if (!d) return;
    if (lost && __atomic_exchange_n(&rp.usable, false, __ATOMIC_ACQ_REL)) {
        __atomic_store_n(&rp.lost, true, __ATOMIC_RELEASE);
        log_line l;
        log_begin(&l, "error");
        log_kv(&l, "where", "replica", 0);
        log_kv(&l, "msg", "备库连接中断，读取改由主库承担，待备库恢复后再从备库读取", 0);
        log_end(&l);
    }
    d->standby_refused = false;
    db_pool_put(rp.pool, d);
}
