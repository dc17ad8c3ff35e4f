/* test_db.c: the storage layer's own promises on SQLite: every acknowledged write is durable
 * (synchronous=FULL on every connection), a server's pooled connections keep their page caches
 * within one budget, a failed COMMIT reports its own error (not the ROLLBACK's), faults are
 * classified for the 503 answers, and db_run_each and db_stream (also on PostgreSQL when CXZY_TEST_DB
 * is one). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../src/store/db.h"

static db *open_tmp(char *path, size_t n)
{
    snprintf(path, n, "/tmp/cxzy-test-db-%d.db", (int)getpid());
    unlink(path);
    cx_err e = {0};
    db *d = db_open(path, &e);
    assert_non_null(d);
    return d;
}

static void drop(db *d, const char *path)
{
    db_close(d);
    char p[300];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path), unlink(p);
    snprintf(p, sizeof p, "%s-shm", path), unlink(p);
}

static void every_connection_is_durable(void **st)
{
    char path[256];
    db *d = open_tmp(path, sizeof path);
    int64_t v = -1;
    assert_int_equal(db_i64(d, &v, -1, "PRAGMA synchronous", ""), CX_OK);
    assert_int_equal(v, 2); /* FULL: a commit is on disk before it is acknowledged */
    drop(d, path);
}

/* A server's pool keeps its page caches together within a fixed budget (P5: 128 MB under load),
 * not 64 MiB per connection: on a 100,000-member demo the four workers' caches grew RSS past it. */
static void pooled_connections_share_a_cache_budget(void **st)
{
    (void)st;
    char path[256];
    db *first = open_tmp(path, sizeof path); /* creates the file */
    cx_err e = {0};
    for (int n = 1; n <= 16; n *= 4) {
        db_pool *p = db_pool_new(path, n, &e);
        assert_non_null(p);
        int64_t total = 0;
        db *held[16];
        for (int i = 0; i < n; i++) {
            held[i] = db_pool_get(p);
            int64_t v = 0;
            assert_int_equal(db_i64(held[i], &v, 0, "PRAGMA cache_size", ""), CX_OK);
            total += v < 0 ? -v : v * 4; /* negative: KiB; positive: pages (4 KiB) */
        }
        for (int i = 0; i < n; i++) db_pool_put(p, held[i]);
        assert_true(total <= (n * 1024 > 32768 ? n * 1024 : 32768)); /* 32 MiB in all, at least 1 MiB each */
        db_pool_free(p);
    }
    /* the operator's bound (cxzy serve --db-cache): the pool shares it, a connection opened alone
     * gets what the server gives it instead of the command line's 64 MiB */
    db_set_cache(8192, 1536);
    db_pool *p = db_pool_new(path, 4, &e);
    assert_non_null(p);
    db *one = db_pool_get(p);
    int64_t v = 0;
    assert_int_equal(db_i64(one, &v, 0, "PRAGMA cache_size", ""), CX_OK);
    assert_int_equal(v, -2048);
    db_pool_put(p, one);
    db_pool_free(p);
    db *alone = db_open(path, &e);
    assert_non_null(alone);
    assert_int_equal(db_i64(alone, &v, 0, "PRAGMA cache_size", ""), CX_OK);
    assert_int_equal(v, -1536);
    db_close(alone);
    db_set_cache((int64_t)DB_SERVE_CACHE_MB << 10, 65536);
    drop(first, path);
}

static void failed_commit_keeps_its_error(void **st)
{
    char path[256];
    db *d = open_tmp(path, sizeof path);
    assert_int_equal(db_exec(d, "CREATE TABLE p (id INTEGER PRIMARY KEY);"
                                "CREATE TABLE c (p INTEGER REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED)"), CX_OK);
    assert_int_equal(db_begin(d, true), CX_OK);
    assert_int_equal(db_run(d, "INSERT INTO c (p) VALUES (?)", "i", (int64_t)42), CX_OK);
    assert_int_equal(db_commit(d), CX_ERR); /* the deferred foreign key fails at COMMIT */
    assert_non_null(strstr(db_errmsg(d), "FOREIGN KEY"));
    assert_true(db_is_constraint(d));
    assert_int_equal(db_fault_take(), DB_FAULT_NONE); /* a constraint is the request's doing, not a fault */
    int64_t n = -1;
    assert_int_equal(db_i64(d, &n, -1, "SELECT count(*) FROM c", ""), CX_OK);
    assert_int_equal(n, 0);
    drop(d, path);
}

static void faults_have_codes_and_chinese_messages(void **st)
{
    assert_string_equal(db_fault_code(DB_FAULT_UNAVAILABLE), "db_unavailable");
    assert_string_equal(db_fault_code(DB_FAULT_BUSY), "db_busy");
    assert_string_equal(db_fault_code(DB_FAULT_FULL), "db_full");
    assert_non_null(strstr(db_fault_msg(DB_FAULT_UNAVAILABLE), "数据库暂时无法连接，请稍后再试"));
    db_fault_raise(DB_FAULT_BUSY);
    db_fault_raise(DB_FAULT_UNAVAILABLE);
    db_fault_raise(DB_FAULT_FULL);
    assert_int_equal(db_fault_take(), DB_FAULT_UNAVAILABLE); /* the most serious one */
    assert_int_equal(db_fault_take(), DB_FAULT_NONE);
}

/* db_bulk on SQLite: one prepared INSERT a row, values bound as db_run's; a row whose values do
 * not match the columns fails, and so does every later call (nothing is half-sent). */
static void bulk_inserts_rows_and_refuses_a_short_row(void **st)
{
    (void)st;
    char path[256];
    db *d = open_tmp(path, sizeof path);
    assert_int_equal(db_exec(d, "CREATE TABLE t (a INTEGER, b TEXT, c BLOB)"), CX_OK);
    assert_int_equal(db_begin(d, true), CX_OK);
    db_bulk *b = db_bulk_begin(d, "t", "a, b, c");
    const unsigned char blob[3] = {0, '\\', '\t'};
    assert_int_equal(db_bulk_row(b, "isb", 1, "tab\there \\N back\\slash\nline", DB_BLOB(blob, 3)), CX_OK);
    assert_int_equal(db_bulk_row(b, "inb", 2, DB_BLOB(NULL, 0)), CX_OK);
    assert_int_equal(db_bulk_rows(b), 2);
    assert_int_equal(db_bulk_end(b), CX_OK);
    int64_t n = 0;
    assert_int_equal(db_i64(d, &n, -1, "SELECT count(*) FROM t WHERE a = 1 AND b = ? AND length(c) = 3", "s", "tab\there \\N back\\slash\nline"), CX_OK);
    assert_int_equal(n, 1);
    assert_int_equal(db_i64(d, &n, -1, "SELECT count(*) FROM t WHERE a = 2 AND b IS NULL AND c IS NULL", ""), CX_OK);
    assert_int_equal(n, 1);
    b = db_bulk_begin(d, "t", "a, b, c");
    assert_int_equal(db_bulk_row(b, "is", 3, "short"), CX_ERR);
    assert_non_null(strstr(db_errmsg(d), "placeholder"));
    assert_int_equal(db_bulk_row(b, "isn", 4, "after"), CX_ERR);
    db_bulk_cancel(b);
    assert_int_equal(db_i64(d, &n, -1, "SELECT count(*) FROM t WHERE a > 2", ""), CX_OK);
    assert_int_equal(n, 0);
    assert_int_equal(db_rollback(d), CX_OK);
    drop(d, path);
}

/* db_run_each: n runs of one statement, each run's first column back in order, 0 for a run
 * that returned no row (ON CONFLICT DO NOTHING); a run that fails fails the call with its own
 * error and nothing of the transaction stays. With CXZY_TEST_DB a postgresql:// URL (given by
 * hand: `CXZY_TEST_DB=postgresql://… build/tests/unit/test_db`) also on PostgreSQL, where the runs
 * go in one pipeline. */
static void bind_run(db_stmt *s, int i, void *ctx)
{
    const int64_t *v = ctx;
    db_bind_i64(s, 1, v[i]);
}

static void run_each_on(db *d)
{
    assert_int_equal(db_exec(d, "CREATE TEMP TABLE t_run (a INTEGER PRIMARY KEY, CHECK (a < 100))"), CX_OK);
    const char *sql = "INSERT INTO t_run (a) VALUES (?) ON CONFLICT DO NOTHING RETURNING a * 2";
    int64_t v[4] = {1, 2, 1, 3}, first[4] = {-1, -1, -1, -1};
    assert_int_equal(db_begin(d, true), CX_OK);
    assert_int_equal(db_run_each(d, sql, 4, bind_run, v, first), CX_OK);
    assert_int_equal(first[0], 2);
    assert_int_equal(first[1], 4);
    assert_int_equal(first[2], 0); /* the conflict: no row */
    assert_int_equal(first[3], 6);
    assert_int_equal(db_commit(d), CX_OK);
    int64_t bad[3] = {4, 500, 5}, out[3] = {0};
    assert_int_equal(db_begin(d, true), CX_OK);
    assert_int_equal(db_run_each(d, sql, 3, bind_run, bad, out), CX_ERR);
    assert_true(db_is_constraint(d));
    assert_int_equal(db_rollback(d), CX_OK);
    int64_t n = -1;
    assert_int_equal(db_i64(d, &n, -1, "SELECT count(*) FROM t_run", ""), CX_OK);
    assert_int_equal(n, 3); /* the failed call's runs are gone with its transaction */
    assert_int_equal(db_exec(d, "DROP TABLE t_run"), CX_OK);
}

/* fn on a fresh SQLite file, then on PostgreSQL when CXZY_TEST_DB names one. */
static void on_both(void (*fn)(db *d))
{
    char path[256];
    db *d = open_tmp(path, sizeof path);
    fn(d);
    drop(d, path);
    const char *url = getenv("CXZY_TEST_DB");
    if (url && !strncmp(url, "postgres", 8)) {
        cx_err e = {0};
        db *pg = db_open(url, &e);
        assert_non_null(pg);
        fn(pg);
        db_close(pg);
    }
}

static void run_each_runs_in_order_and_fails_whole(void **st)
{
    (void)st;
    on_both(run_each_on);
}

/* db_stream: a statement read in chunks (a cursor on PostgreSQL, here 7 rows a FETCH) gives every
 * row once and in order, over several chunks and a last short one, with another statement run
 * between steps (the recount looks up names while it reads), a second streamed statement open at
 * the same time, and the statement reused plainly afterwards; outside a transaction the statement
 * reads as usual. */
static void stream_on(db *d)
{
    assert_int_equal(db_exec(d, "CREATE TEMP TABLE t_stream (a INTEGER PRIMARY KEY, b TEXT)"), CX_OK);
    assert_int_equal(db_begin(d, true), CX_OK);
    for (int i = 1; i <= 50; i++) assert_int_equal(db_run(d, "INSERT INTO t_stream (a, b) VALUES (?, ?)", "is", i, i % 2 ? "odd" : "even"), CX_OK);
    const char *sql = "SELECT a, b FROM t_stream WHERE a > ? ORDER BY a";
    db_stmt *s = db_prepare(d, sql);
    assert_non_null(s);
    db_stream(s, 7);
    db_bind_i64(s, 1, 3);
    int64_t want = 4, sum = 0;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        assert_int_equal(db_col_i64(s, 0), want);
        assert_string_equal(db_col_text(s, 1), want % 2 ? "odd" : "even");
        want++;
        if (want % 10 == 0) { /* another statement between rows, and another stream */
            int64_t n = 0;
            assert_int_equal(db_i64(d, &n, 0, "SELECT count(*) FROM t_stream WHERE a < ?", "i", want), CX_OK);
            assert_int_equal(n, want - 1);
            if (db_kind_of(d) == DB_PG) { /* read through a cursor, not a result held whole */
                assert_int_equal(db_i64(d, &n, 0, "SELECT count(*) FROM pg_cursors WHERE name <> ''", ""), CX_OK);
                assert_int_equal(n, 1);
            }
            db_stmt *t = db_prepare(d, "SELECT a FROM t_stream WHERE a <= 3 ORDER BY a");
            assert_non_null(t);
            db_stream(t, 2);
            while (db_step(t) == DB_ROW) sum += db_col_i64(t, 0);
            db_done(t);
        }
    }
    assert_int_equal(rc, DB_DONE);
    assert_int_equal(want, 51); /* rows 4..50: 47 rows, 7 chunks of 7 and a short one */
    assert_int_equal(sum, 5 * 6); /* at rows 10, 20, 30, 40 and 50 */
    db_done(s);
    /* an unfinished stream: done closes it, and the transaction goes on */
    s = db_prepare(d, sql);
    db_stream(s, 5);
    db_bind_i64(s, 1, 0);
    assert_int_equal(db_step(s), DB_ROW);
    db_done(s);
    assert_int_equal(db_run(d, "DELETE FROM t_stream WHERE a > 45", ""), CX_OK);
    assert_int_equal(db_commit(d), CX_OK);
    /* the same statement again, not streamed, and a stream outside a transaction */
    for (int k = 0; k < 2; k++) {
        s = db_prepare(d, sql);
        if (k) db_stream(s, 5);
        db_bind_i64(s, 1, 0);
        int64_t n = 0;
        while (db_step(s) == DB_ROW) n++;
        db_done(s);
        assert_int_equal(n, 45);
    }
    assert_int_equal(db_exec(d, "DROP TABLE t_stream"), CX_OK);
}

static void stream_reads_every_row_in_chunks(void **st)
{
    (void)st;
    on_both(stream_on);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_connection_is_durable),
        cmocka_unit_test(pooled_connections_share_a_cache_budget),
        cmocka_unit_test(failed_commit_keeps_its_error),
        cmocka_unit_test(faults_have_codes_and_chinese_messages),
        cmocka_unit_test(bulk_inserts_rows_and_refuses_a_short_row),
        cmocka_unit_test(run_each_runs_in_order_and_fails_whole),
        cmocka_unit_test(stream_reads_every_row_in_chunks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
