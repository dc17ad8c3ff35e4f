/* metrics.c: /metrics (see metrics.h). */
#include "metrics.h"
#include "web.h"
#include "../store/ballot_writer.h"
#include "../store/db.h"
#include <string.h>
#include <time.h>

#define MAX_SLOTS 512 /* routes and the M_* slots */
#define NSPECIAL 4
static const int STATUSES[] = {200, 201, 202, 204, 206, 301, 302, 303, 304, 400, 401, 403, 404, 405, 409,
                               410, 413, 415, 422, 423, 429, 431, 500, 502, 503, 504};
#define NSTATUS (sizeof STATUSES / sizeof STATUSES[0] + 1) /* the last: any other */
/* Upper bounds of the latency buckets, in microseconds (the last bucket: +Inf). */
static const uint64_t BOUNDS[] = {500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000};
#define NBOUNDS (sizeof BOUNDS / sizeof BOUNDS[0])

static struct slot {
    uint64_t by_status[NSTATUS];
    uint64_t hist[NBOUNDS + 1]; /* per bucket (not cumulative); rendered cumulative */
    uint64_t sum_us;
} g_slots[MAX_SLOTS];
static time_t g_started;

static int slot_of(int rt)
{
    if (rt < 0) return -rt - 1; /* M_STATIC → 0 … */
    int s = rt + NSPECIAL;
    return s < MAX_SLOTS ? s : -1;
}

void metrics_request(int rt, int status, uint64_t usec)
{
    if (!g_started) g_started = time(NULL); /* a benign race: any first request's second */
    int s = slot_of(rt);
    if (s < 0) return;
    struct slot *sl = &g_slots[s];
    size_t k = 0;
    while (k < NSTATUS - 1 && STATUSES[k] != status) k++;
    size_t b = 0;
    while (b < NBOUNDS && usec > BOUNDS[b]) b++;
    __atomic_add_fetch(&sl->by_status[k], 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&sl->hist[b], 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&sl->sum_us, usec, __ATOMIC_RELAXED);
}

static void labels(buf *out, int s)
{
    static const char *special[NSPECIAL] = {"static", "unmatched", "/healthz", "/metrics"};
    if (s < NSPECIAL) buf_printf(out, "method=\"%s\",route=\"%s\"", s == 3 || s == 2 ? "GET" : "any", special[s]);
    else buf_printf(out, "method=\"%s\",route=\"%s\"", web_routes[s - NSPECIAL].method, web_routes[s - NSPECIAL].pattern);
}

void metrics_render(buf *out)
{
    int nslots = (int)web_nroutes + NSPECIAL < MAX_SLOTS ? (int)web_nroutes + NSPECIAL : MAX_SLOTS;
    buf_adds(out, "# HELP cxzy_http_requests_total HTTP requests answered, by route pattern and status.\n"
                  "# TYPE cxzy_http_requests_total counter\n");
    for (int s = 0; s < nslots; s++)
        for (size_t k = 0; k < NSTATUS; k++) {
            uint64_t v = __atomic_load_n(&g_slots[s].by_status[k], __ATOMIC_RELAXED);
            if (!v) continue;
            buf_adds(out, "cxzy_http_requests_total{");
            labels(out, s);
            if (k < NSTATUS - 1) buf_printf(out, ",status=\"%d\"} %llu\n", STATUSES[k], (unsigned long long)v);
            else buf_printf(out, ",status=\"other\"} %llu\n", (unsigned long long)v);
        }
    buf_adds(out, "# HELP cxzy_http_request_duration_seconds Time from the request's headers to its answer queued, by route pattern.\n"
                  "# TYPE cxzy_http_request_duration_seconds histogram\n");
    for (int s = 0; s < nslots; s++) {
        uint64_t h[NBOUNDS + 1], n = 0;
        for (size_t b = 0; b <= NBOUNDS; b++) n += h[b] = __atomic_load_n(&g_slots[s].hist[b], __ATOMIC_RELAXED);
        if (!n) continue;
        uint64_t cum = 0;
        for (size_t b = 0; b <= NBOUNDS; b++) {
            cum += h[b];
            buf_adds(out, "cxzy_http_request_duration_seconds_bucket{");
            labels(out, s);
            if (b < NBOUNDS) buf_printf(out, ",le=\"%g\"} %llu\n", (double)BOUNDS[b] / 1e6, (unsigned long long)cum);
            else buf_printf(out, ",le=\"+Inf\"} %llu\n", (unsigned long long)cum);
        }
        buf_adds(out, "cxzy_http_request_duration_seconds_sum{");
        labels(out, s);
        buf_printf(out, "} %.6f\n", (double)__atomic_load_n(&g_slots[s].sum_us, __ATOMIC_RELAXED) / 1e6);
        buf_adds(out, "cxzy_http_request_duration_seconds_count{");
        labels(out, s);
        buf_printf(out, "} %llu\n", (unsigned long long)cum);
    }
    ballot_stats bs;
    ballots_stats(&bs);
    buf_printf(out,
               "# HELP cxzy_ballots_acknowledged_total Ballots written and answered as recorded (valid, spoiled, repeated, late).\n"
               "# TYPE cxzy_ballots_acknowledged_total counter\ncxzy_ballots_acknowledged_total %llu\n"
               "# HELP cxzy_ballots_failed_total Ballots the writer could not write (answered 500).\n"
               "# TYPE cxzy_ballots_failed_total counter\ncxzy_ballots_failed_total %llu\n"
               "# HELP cxzy_ballot_queue_depth Ballots waiting for the ballot writer now.\n"
               "# TYPE cxzy_ballot_queue_depth gauge\ncxzy_ballot_queue_depth %llu\n"
               "# HELP cxzy_ballot_batch_size Ballots per transaction of the ballot writer.\n"
               "# TYPE cxzy_ballot_batch_size histogram\n",
               (unsigned long long)bs.acknowledged, (unsigned long long)bs.failed, (unsigned long long)bs.queue_depth);
    uint64_t cum = 0;
    for (int i = 0; i < BALLOT_BATCH_BUCKETS; i++) {
        cum += bs.batch_hist[i];
        if (i < BALLOT_BATCH_BUCKETS - 1) buf_printf(out, "cxzy_ballot_batch_size_bucket{le=\"%d\"} %llu\n", 1 << i, (unsigned long long)cum);
        else buf_printf(out, "cxzy_ballot_batch_size_bucket{le=\"+Inf\"} %llu\n", (unsigned long long)cum);
    }
    buf_printf(out,
               "cxzy_ballot_batch_size_sum %llu\ncxzy_ballot_batch_size_count %llu\n"
               "# HELP cxzy_db_errors_total Database statements that failed (constraint violations not counted).\n"
               "# TYPE cxzy_db_errors_total counter\ncxzy_db_errors_total %llu\n"
               "# HELP cxzy_start_time_seconds When the server answered its first request (Unix time).\n"
               "# TYPE cxzy_start_time_seconds gauge\ncxzy_start_time_seconds %lld\n",
               (unsigned long long)bs.batched, (unsigned long long)bs.batches, (unsigned long long)db_error_count(),
               (long long)g_started);
    /* several instances (issue 20): other processes' commits noticed, and the listener's state */
    buf_printf(out,
               "# HELP cxzy_db_external_writes_total Commits of other processes noticed (PostgreSQL notifications, SQLite data_version).\n"
               "# TYPE cxzy_db_external_writes_total counter\ncxzy_db_external_writes_total %llu\n"
               "# HELP cxzy_db_listen_up Whether the PostgreSQL listener for other instances' writes is connected (-1: none).\n"
               "# TYPE cxzy_db_listen_up gauge\ncxzy_db_listen_up %d\n",
               (unsigned long long)db_external_writes(), db_listen_state());
}
