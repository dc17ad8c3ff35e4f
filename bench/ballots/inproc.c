/* inproc.c: the limit for bench/ballots: ballots written in process through the same store code
 * (ballot_cast → the group-commit writer, SQLite synchronous=FULL), from THREADS concurrent
 * callers each on its own connection, distinct device tokens so every ballot counts. Runs for at
 * most SECONDS or COUNT ballots and prints "inproc <ballots> <seconds> <ballots/s>".
 * Usage: ballot_bench DB KEYFILE TARGET_MEMBER THREADS SECONDS COUNT
 *        ballot_bench tokens KEYFILE N   (N server-signed device tokens, one a line, for the HTTP run)
 *        ballot_bench raw DB SECONDS GROUP   (the storage limit: plain SQLite, WAL, synchronous=FULL,
 *          one-row INSERTs of ballot-shaped rows into a copy of the ballot table with its indexes,
 *          GROUP a transaction, one connection, for SECONDS; prints "raw <rows> <seconds> <rows/s>") */
#include "../../src/store/rating.h"
#include "../../src/store/rater.h"
#include "../../src/store/ballot_writer.h"
#include "../../src/store/ballot.h"
#include "../../src/lib/crypto.h"
#include <sodium.h>
#include <pthread.h>
#include <sqlite3.h>
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

/* The limit: what SQLite itself does with the same rows, no HTTP, no server code. */
static int raw(const char *path, double secs, int group)
{
    sqlite3 *c;
    sqlite3_stmt *ins = NULL;
    char *err = NULL;
    if (sqlite3_open(path, &c) != SQLITE_OK) return fprintf(stderr, "ballot_bench raw: %s\n", sqlite3_errmsg(c)), 1;
    /* the copy: ballot's own CREATE TABLE and indexes under another name (sqlite_schema's text) */
    const char *setup = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; DROP TABLE IF EXISTS raw_ballot;";
    if (sqlite3_exec(c, setup, NULL, NULL, &err) != SQLITE_OK) return fprintf(stderr, "ballot_bench raw: %s\n", err), 1;
    sqlite3_stmt *q;
    sqlite3_prepare_v2(c, "SELECT replace(replace(sql, 'CREATE TABLE ballot', 'CREATE TABLE raw_ballot'), ' ON ballot', ' ON raw_ballot') "
                          "FROM sqlite_schema WHERE tbl_name = 'ballot' AND sql IS NOT NULL ORDER BY type = 'index'", -1, &q, NULL);
    while (sqlite3_step(q) == SQLITE_ROW) {
        char ddl[4096];
        const char *t = (const char *)sqlite3_column_text(q, 0);
        const char *on = strstr(t, " INDEX ");
        if (on) snprintf(ddl, sizeof ddl, "CREATE%s INDEX raw_%s", strstr(t, "UNIQUE") && strstr(t, "UNIQUE") < on ? " UNIQUE" : "", on + 7);
        else snprintf(ddl, sizeof ddl, "%s", t);
        if (sqlite3_exec(c, ddl, NULL, NULL, &err) != SQLITE_OK) return fprintf(stderr, "ballot_bench raw: %s: %s\n", ddl, err), 1;
    }
    sqlite3_finalize(q);
    if (sqlite3_prepare_v2(c, "INSERT INTO raw_ballot (round_id, target_kind, target_id, org_id, channel, questions, answers, comment, reason, valid, "
                              "invalid_reason, rater_key, day, late, verified, part) VALUES (1, 'member', 1, 1, 'web', 'party3', '111', '', '', 1, '', ?, "
                              "'2026-12-07', 0, 0, 1)", -1, &ins, NULL) != SQLITE_OK)
        return fprintf(stderr, "ballot_bench raw: %s\n", sqlite3_errmsg(c)), 1;
    long long n = 0;
    double t0 = now_s(), el = 0;
    unsigned char key[32];
    while ((el = now_s() - t0) < secs) {
        sqlite3_exec(c, "BEGIN", NULL, NULL, NULL);
        for (int i = 0; i < group; i++, n++) {
            randombytes_buf(key, sizeof key); /* a rater key, as the writer's */
            sqlite3_bind_blob(ins, 1, key, sizeof key, SQLITE_STATIC);
            if (sqlite3_step(ins) != SQLITE_DONE) return fprintf(stderr, "ballot_bench raw: %s\n", sqlite3_errmsg(c)), 1;
            sqlite3_reset(ins);
        }
        if (sqlite3_exec(c, "COMMIT", NULL, NULL, &err) != SQLITE_OK) return fprintf(stderr, "ballot_bench raw: %s\n", err), 1;
    }
    sqlite3_finalize(ins);
    sqlite3_exec(c, "DROP TABLE raw_ballot", NULL, NULL, NULL);
    sqlite3_close(c);
    printf("raw %lld %.2f %.0f\n", n, el, (double)n / el);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 5 && !strcmp(argv[1], "raw")) return crypto_boot() != CX_OK ? 1 : raw(argv[2], atof(argv[3]), atoi(argv[4]));
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
