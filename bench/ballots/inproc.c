/* inproc.c: the limit for bench/ballots: ballots written in process through the same store code
 * (ballot_cast → the group-commit writer, SQLite synchronous=FULL), from THREADS concurrent
 * callers each on its own connection, distinct device tokens so every ballot counts. Runs for at
 * most SECONDS or COUNT ballots and prints "inproc <ballots> <seconds> <ballots/s>".
 * Usage: ballot_bench DB KEYFILE TARGET_MEMBER THREADS SECONDS COUNT
 *        ballot_bench tokens KEYFILE N   (N server-signed device tokens, one a line, for the HTTP run) */
#include "../../src/store/rating.h"
#include "../../src/store/rater.h"
#include "../../src/store/ballot_writer.h"
#include "../../src/store/ballot.h"
#include "../../src/lib/crypto.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *g_db;
static int64_t g_target, g_count;
static double g_until;
static int64_t g_done, g_failed; /* atomic */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *worker(void *arg)
{
    (void)arg;
    cx_err e = {0};
    db *d = db_open(g_db, &e);
    if (!d) {
        fprintf(stderr, "ballot_bench: %s\n", e.msg);
        return NULL;
    }
    char dev[DEVICE_TOKEN_LEN + 1];
    for (long i = 0; now_s() < g_until; i++) {
        if (__atomic_add_fetch(&g_done, 1, __ATOMIC_RELAXED) > g_count) break;
        device_issue(dev); /* a server-issued token per ballot (unverified web ballots: the writer's path is the same) */
        ballot_in in = {.channel = "web", .kind = RK_MEMBER, .target_id = g_target, .answers = "111", .device = dev, .addr = "127.0.0.1"};
        ballot_out out;
        ballot_prep p;
        ballot_texts_ok ok;
        if (ballot_prepare(d, &in, &p, &e) != CX_OK || ballot_texts_check(&p.texts, &ok, &e) != CX_OK ||
            ballot_cast(&d, NULL, &in, &p, &ok, &out, &e) != CX_OK || !out.valid) {
            if (__atomic_add_fetch(&g_failed, 1, __ATOMIC_RELAXED) < 3) fprintf(stderr, "ballot_bench: %s\n", e.msg);
        }
    }
    db_close(d);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "tokens")) { /* what the server would issue: the HTTP clients' devices */
        cx_err e = {0};
        if (crypto_boot() != CX_OK || crypto_key_load(argv[2], &e) != CX_OK) return fprintf(stderr, "ballot_bench: %s\n", e.msg), 1;
        char tok[DEVICE_TOKEN_LEN + 1];
        for (long long i = atoll(argv[3]); i > 0; i--) device_issue(tok), puts(tok);
        return 0;
    }
    if (argc != 7) {
        fprintf(stderr, "usage: ballot_bench DB KEYFILE TARGET_MEMBER THREADS SECONDS COUNT\n");
        return 2;
    }
    cx_err e = {0};
    if (crypto_boot() != CX_OK || crypto_key_load(argv[2], &e) != CX_OK) return fprintf(stderr, "ballot_bench: %s\n", e.msg), 1;
    g_db = argv[1];
    g_target = atoll(argv[3]);
    int threads = atoi(argv[4]);
    double secs = atof(argv[5]);
    g_count = atoll(argv[6]);
    ballot_config cfg = {0, 0, 0, 600, 0}; /* no per-address limit, no burst holding: one address, many raters */
    if (ballots_start(g_db, false, &cfg, &e) != CX_OK) return fprintf(stderr, "ballot_bench: %s\n", e.msg), 1;
    pthread_t *th = calloc((size_t)threads, sizeof *th);
    double t0 = now_s();
    g_until = t0 + secs;
    for (long t = 0; t < threads; t++) pthread_create(&th[t], NULL, worker, (void *)t);
    for (int t = 0; t < threads; t++) pthread_join(th[t], NULL);
    double el = now_s() - t0;
    ballots_stop();
    free(th);
    int64_t n = (g_done > g_count ? g_count : g_done) - g_failed;
    if (n > g_done) n = g_done;
    printf("inproc %lld %.2f %.0f failed %lld\n", (long long)n, el, (double)n / el, (long long)g_failed);
    return g_failed ? 1 : 0;
}
