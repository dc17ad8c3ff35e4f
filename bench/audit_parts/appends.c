/* appends.c (issue 20): audit appends a second on PostgreSQL with the chain per partition. THREADS
 * writers, each on its own connection, each a transaction of one audit_record (the head's locking
 * UPDATE, the INSERT, the head's UPDATE, the commit), for SECONDS a phase:
 *   one part    every writer's records about organisations of one province: one chain, one head
 *               row, appends serialise on it (what every append did before the chain per part)
 *   two parts   half the writers in each of two provinces
 *   limit       each writer in a province of its own: no head row shared
 * Prints each phase's appends/s and its ratio to the limit. Makes its organisations (a root and
 * THREADS provinces, each its own part) in DB, which must be an empty PostgreSQL database.
 * Usage: audit_parts URL KEYFILE [THREADS] [SECONDS] */
#include "../../src/store/store.h"
#include "../../src/lib/crypto.h"
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *g_url;
static double g_until;
static int64_t g_done, g_failed; /* atomic */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *writer(void *arg)
{
    int64_t oid = *(int64_t *)arg;
    cx_err e = {0};
    db *d = db_open(g_url, &e);
    if (!d) return fprintf(stderr, "audit_parts: %s\n", e.msg), NULL;
    actor a = {0, "基准", NULL, NULL};
    while (now_s() < g_until) {
        if (audit_record(d, &a, "bench", "org", oid, oid, NULL, "{\"n\":1}", "ok") == CX_OK) __atomic_add_fetch(&g_done, 1, __ATOMIC_RELAXED);
        else if (__atomic_add_fetch(&g_failed, 1, __ATOMIC_RELAXED) < 3) fprintf(stderr, "audit_parts: %s\n", db_errmsg(d));
    }
    db_close(d);
    return NULL;
}

/* THREADS writers, writer i about orgs[i]; appends a second */
static double phase(int threads, const int64_t *orgs, double secs)
{
    pthread_t t[256];
    g_done = g_failed = 0;
    g_until = now_s() + secs;
    double t0 = now_s();
    for (int i = 0; i < threads; i++) pthread_create(&t[i], NULL, writer, (void *)&orgs[i]);
    for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
    return (double)g_done / (now_s() - t0);
}

int main(int argc, char **argv)
{
    if (argc < 3) return fprintf(stderr, "usage: audit_parts URL KEYFILE [THREADS] [SECONDS]\n"), 2;
    g_url = argv[1];
    int threads = argc > 3 ? atoi(argv[3]) : 8;
    double secs = argc > 4 ? atof(argv[4]) : 10;
    if (threads < 2 || threads > 256) return fprintf(stderr, "audit_parts: THREADS 2–256\n"), 2;
    cx_err e = {0};
    if (crypto_boot() != CX_OK || crypto_key_load(argv[2], &e) != CX_OK) return fprintf(stderr, "audit_parts: %s\n", e.msg), 1;
    db *d = db_open(g_url, &e);
    if (!d || store_migrate(d, &e) != CX_OK) return fprintf(stderr, "audit_parts: %s\n", e.msg), 1;
    /* a root and THREADS provinces under it, each province its own part (as partitioning sets it) */
    int64_t now = now_unix(), root = 0, prov[256];
    if (db_i64(d, &root, 0, "INSERT INTO org (part, parent_id, path, depth, name, type, sector, created_at, updated_at) "
                            "VALUES (0, NULL, '/', 0, '基准', 'committee', 'government', ?, ?) RETURNING id", "ii", now, now) != CX_OK)
        return fprintf(stderr, "audit_parts: %s\n", db_errmsg(d)), 1;
    db_run(d, "UPDATE org SET part = id, path = '/' || id || '/' WHERE id = ?", "i", root);
    for (int i = 0; i < threads; i++) {
        char name[32];
        snprintf(name, sizeof name, "省%d", i);
        if (db_i64(d, &prov[i], 0, "INSERT INTO org (part, parent_id, path, depth, name, type, sector, created_at, updated_at) "
                                   "VALUES (0, ?, '/x', 1, ?, 'committee', 'government', ?, ?) RETURNING id", "isii", root, name, now, now) != CX_OK ||
            db_run(d, "UPDATE org SET part = id, path = '/' || ? || '/' || id || '/' WHERE id = ?", "ii", root, prov[i]) != CX_OK)
            return fprintf(stderr, "audit_parts: %s\n", db_errmsg(d)), 1;
    }
    int64_t one[256], two[256];
    for (int i = 0; i < threads; i++) one[i] = prov[0], two[i] = prov[i % 2];
    double limit = phase(threads, prov, secs), r1 = phase(threads, one, secs), r2 = phase(threads, two, secs);
    FILE *sink = fopen("/dev/null", "w");
    int64_t rows = 0;
    int problems = audit_verify(d, sink, &rows);
    fclose(sink);
    printf("%d writers, %.0f s a phase; audit verify: %" PRId64 " records, %d problems\n", threads, secs, rows, problems);
    printf("one part   %8.0f appends/s  %.2fx limit\n", r1, r1 / limit);
    printf("two parts  %8.0f appends/s  %.2fx limit\n", r2, r2 / limit);
    printf("limit: each writer its own part  %8.0f appends/s\n", limit);
    db_close(d);
    return problems != 0;
}
