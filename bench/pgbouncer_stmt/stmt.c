/* stmt.c (issue 20): what the lock timeout costs a statement outside a transaction under
 * --pgbouncer. The same one-row statement, N times a round on one connection through PgBouncer
 * (transaction mode), three ways taking turns for ROUNDS rounds:
 *   plain      PQexecParams alone: no lock timeout at all (what it was; the limit)
 *   pipelined  the store's db layer with --pgbouncer: set_config('lock_timeout', …, true) and the
 *              statement in one pipeline, one Sync, one round trip (what it is)
 *   wrapped    BEGIN; SET LOCAL lock_timeout, the statement, COMMIT: three round trips (the
 *              obvious alternative)
 * and prints each one's best round in microseconds a statement and its ratio to plain.
 * Usage: pgbouncer_stmt URL_THROUGH_PGBOUNCER [N] [ROUNDS] */
#include "../../src/store/db.h"
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *SQL_DOLLAR = "SELECT CAST($1 AS BIGINT) + 1";

static int plain(PGconn *c, int n, int wrapped)
{
    char v[24];
    for (int i = 0; i < n; i++) {
        snprintf(v, sizeof v, "%d", i);
        const char *vals[1] = {v};
        if (wrapped) PQclear(PQexec(c, "BEGIN; SET LOCAL lock_timeout = " DB_LOCK_TIMEOUT));
        PGresult *r = PQexecParams(c, SQL_DOLLAR, 1, NULL, vals, NULL, NULL, 0);
        int ok = PQresultStatus(r) == PGRES_TUPLES_OK && atoi(PQgetvalue(r, 0, 0)) == i + 1;
        PQclear(r);
        if (wrapped) PQclear(PQexec(c, "COMMIT"));
        if (!ok) return fprintf(stderr, "pgbouncer_stmt: %s\n", PQerrorMessage(c)), -1;
    }
    return 0;
}

static int pipelined(db *d, int n)
{
    for (int i = 0; i < n; i++) {
        int64_t v = 0;
        if (db_i64(d, &v, -1, "SELECT CAST(? AS BIGINT) + 1", "i", (int64_t)i) != CX_OK || v != i + 1)
            return fprintf(stderr, "pgbouncer_stmt: %s\n", db_errmsg(d)), -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) return fprintf(stderr, "usage: pgbouncer_stmt URL [N] [ROUNDS]\n"), 2;
    int n = argc > 2 ? atoi(argv[2]) : 2000, rounds = argc > 3 ? atoi(argv[3]) : 5;
    db_set_pgbouncer(true);
    cx_err e = {0};
    db *d = db_open(argv[1], &e);
    PGconn *c = PQconnectdb(argv[1]);
    if (!d || PQstatus(c) != CONNECTION_OK) return fprintf(stderr, "pgbouncer_stmt: cannot connect: %s %s\n", e.msg, PQerrorMessage(c)), 1;
    double best[3] = {1e9, 1e9, 1e9};
    for (int r = 0; r < rounds; r++) {
        for (int m = 0; m < 3; m++) {
            double t0 = now_s();
            int rc = m == 1 ? pipelined(d, n) : plain(c, n, m == 2);
            if (rc) return 1;
            double us = (now_s() - t0) * 1e6 / n;
            if (us < best[m]) best[m] = us;
        }
    }
    static const char *names[] = {"plain (no lock timeout; the limit)", "pipelined (what --pgbouncer does)", "wrapped (BEGIN; SET LOCAL, stmt, COMMIT)"};
    for (int m = 0; m < 3; m++) printf("%-42s %8.1f us/statement  %.2fx plain\n", names[m], best[m], best[m] / best[0]);
    PQfinish(c);
    db_close(d);
    return 0;
}
