/* test_bind.c: the typed binder (db.h) on in-memory SQLite: each value carries its C type to the
 * format letter it fills, an int and an int64_t bind the same, a letter given the wrong type, a
 * format given the wrong number of values or a statement the wrong number of letters fails loudly
 * without running anything, and text is copied when bound (the caller may free it at once) on
 * SQLite as on PostgreSQL. The compile-time half of the check is tests/unit/bind_types.sh's. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* the calls below are wrong on purpose: the compile-time check would refuse them */
#define DB_RUNTIME_CHECK_ONLY
#include "../../src/store/db.h"

static int setup(void **st)
{
    cx_err e = {0};
    db *d = db_open(":memory:", &e);
    assert_non_null(d);
    assert_int_equal(db_exec(d, "CREATE TABLE t (a INTEGER, b INTEGER, c INTEGER, s TEXT, z TEXT, bl BLOB, u INTEGER)"), CX_OK);
    *st = d;
    return 0;
}

static int teardown(void **st)
{
    db_close(*st);
    return 0;
}

static int64_t rows(db *d)
{
    int64_t n = -1;
    assert_int_equal(db_i64(d, &n, -1, "SELECT count(*) FROM t", ""), CX_OK);
    return n;
}

static void binds_each_type_and_reads_it_back(void **st)
{
    db *d = *st;
    int small = -7;
    int64_t big = ((int64_t)1 << 40) + 5;
    bool yes = true;
    const char *text = "文本 text";
    const unsigned char blob[4] = {0, 1, 0xfe, 0xff};
    unsigned u = 3000000000u;
    assert_int_equal(db_run(d, "INSERT INTO t (a, b, c, s, z, bl, u) VALUES (?, ?, ?, ?, ?, ?, ?)", "iiissbi", small, big, yes,
                            text, NULL, blob, sizeof blob, u),
                     CX_OK);
    db_stmt *s = db_prepare(d, "SELECT a, b, c, s, z, bl, u FROM t");
    assert_non_null(s);
    assert_int_equal(db_step(s), DB_ROW);
    assert_int_equal(db_col_i64(s, 0), -7); /* an int read as an int: sign kept, no stray high bits */
    assert_int_equal(db_col_i64(s, 1), big);
    assert_int_equal(db_col_i64(s, 2), 1);
    assert_string_equal(db_col_text(s, 3), text);
    assert_true(db_col_null(s, 4)); /* NULL for "s" binds SQL NULL */
    size_t n = 0;
    const void *p = db_col_blob(s, 5, &n);
    assert_int_equal(n, sizeof blob);
    assert_memory_equal(p, blob, sizeof blob);
    assert_int_equal(db_col_i64(s, 6), 3000000000);
    assert_int_equal(db_step(s), DB_DONE);
    db_done(s);

    /* db_i64 with values of several types, and a null char * as text */
    int64_t got = 0;
    const char *none = NULL;
    assert_int_equal(db_i64(d, &got, -1, "SELECT a + ? FROM t WHERE b = ? AND c = ? AND s = ? AND (? IS NULL)", "iiiss",
                            (short)10, big, true, "文本 text", none),
                     CX_OK);
    assert_int_equal(got, 3);
    assert_int_equal(db_i64(d, &got, -1, "SELECT a FROM t WHERE b = ?", "i", (long)5), CX_OK);
    assert_int_equal(got, -1); /* no row: the default */
    assert_int_equal(db_run(d, "DELETE FROM t", ""), CX_OK);
}

static void a_mismatched_letter_fails_and_runs_nothing(void **st)
{
    db *d = *st;
    uint64_t errors = db_error_count();
    assert_int_equal(db_run(d, "INSERT INTO t (a) VALUES (?)", "s", 5), CX_ERR);
    assert_non_null(strstr(db_errmsg(d), "binder"));
    assert_non_null(strstr(db_errmsg(d), "letter 1 's' is given a signed integer"));
    assert_false(db_is_constraint(d));
    assert_int_equal(db_run(d, "INSERT INTO t (s) VALUES (?)", "i", "five"), CX_ERR);
    assert_non_null(strstr(db_errmsg(d), "letter 1 'i' is given char *"));
    const unsigned char raw[2] = {1, 2};
    assert_int_equal(db_run(d, "INSERT INTO t (s) VALUES (?)", "s", raw), CX_ERR); /* bytes are no text */
    assert_int_equal(db_run(d, "INSERT INTO t (bl) VALUES (?)", "b", 7, (size_t)1), CX_ERR);
    assert_int_equal(db_run(d, "INSERT INTO t (bl) VALUES (?)", "b", raw, -1), CX_ERR); /* a negative size */
    assert_int_equal(db_run(d, "INSERT INTO t (a) VALUES (?)", "i", (uint64_t)1 << 63), CX_ERR); /* past INT64_MAX */
    assert_non_null(strstr(db_errmsg(d), "past INT64_MAX"));
    assert_int_equal(db_run(d, "INSERT INTO t (a) VALUES (?)", "x", 1), CX_ERR); /* no such letter */
    int64_t got = 0;
    assert_int_equal(db_i64(d, &got, -1, "SELECT ?", "s", 1), CX_ERR);
    assert_int_equal(db_error_count(), errors + 8); /* counted for /metrics */
    assert_int_equal(rows(d), 0);
    /* a statement after it reports its own outcome again */
    assert_int_equal(db_run(d, "INSERT INTO t (a) VALUES (?)", "i", 1), CX_OK);
    assert_int_equal(db_run(d, "DELETE FROM t", ""), CX_OK);
}

static void the_count_is_checked(void **st)
{
    db *d = *st;
    assert_int_equal(db_run(d, "INSERT INTO t (a, b) VALUES (?, ?)", "ii", 1), CX_ERR);
    assert_non_null(strstr(db_errmsg(d), "takes more values than the 1 passed"));
    assert_int_equal(db_run(d, "INSERT INTO t (a) VALUES (?)", "i", 1, 2), CX_ERR);
    assert_non_null(strstr(db_errmsg(d), "takes 1 value(s), 2 passed"));
    assert_int_equal(db_run(d, "INSERT INTO t (a) VALUES (1)", "", 1), CX_ERR);
    const unsigned char raw[2] = {1, 2};
    assert_int_equal(db_run(d, "INSERT INTO t (bl) VALUES (?)", "b", raw), CX_ERR); /* a blob without its size */
    /* letters and the statement's placeholders */
    assert_int_equal(db_run(d, "INSERT INTO t (a, b) VALUES (?, ?)", "i", 1), CX_ERR);
    assert_non_null(strstr(db_errmsg(d), "the statement has 2 placeholder(s), the format binds 1"));
    assert_int_equal(db_run(d, "INSERT INTO t (a) VALUES (?)", "ii", 1, 2), CX_ERR);
    int64_t got = 0;
    assert_int_equal(db_i64(d, &got, -1, "SELECT 1", "i", 1), CX_ERR);
    assert_int_equal(rows(d), 0);
    /* a db_q with a mismatch does not prepare */
    db_q q;
    db_q_init(&q, "SELECT count(*) FROM t");
    db_q_where(&q, "a = ?", "i", "one");
    int64_t n = -1;
    assert_int_equal(db_q_count(d, &q, &n), CX_ERR);
    assert_non_null(strstr(db_errmsg(d), "binder"));
    db_q_init(&q, "SELECT count(*) FROM t");
    db_q_where(&q, "a = ? AND s = ?", "is", 1);
    assert_null(db_q_prepare(d, &q));
    db_q_init(&q, "SELECT count(*) FROM t");
    db_q_where(&q, "a = ? AND s = ?", "i", 1);
    assert_null(db_q_prepare(d, &q));
    assert_non_null(strstr(db_errmsg(d), "placeholder"));
}

static void a_mismatch_in_a_transaction_stays_the_reported_error(void **st)
{
    db *d = *st;
    assert_int_equal(db_begin(d, true), CX_OK);
    assert_int_equal(db_run(d, "INSERT INTO t (a) VALUES (?)", "i", 1), CX_OK);
    assert_int_equal(db_run(d, "INSERT INTO t (a) VALUES (?)", "s", 2), CX_ERR);
    assert_int_equal(db_rollback(d), CX_OK);
    assert_non_null(strstr(db_errmsg(d), "binder"));
    assert_int_equal(rows(d), 0);
}

/* Text and blobs are copied when bound: the caller's buffer may change before the statement runs. */
static void bound_text_is_copied(void **st)
{
    db *d = *st;
    char *name = xstrdup("first");
    unsigned char raw[3] = {1, 2, 3};
    db_stmt *s = db_prepare(d, "INSERT INTO t (s, bl) VALUES (?, ?)");
    assert_non_null(s);
    db_bind_text(s, 1, name);
    db_bind_blob(s, 2, raw, sizeof raw);
    memcpy(name, "XXXXX", 5);
    free(name);
    raw[0] = 9;
    assert_int_equal(db_step(s), DB_DONE);
    db_done(s);
    /* a db_q keeps pointers until db_q_prepare, which binds (copies) them */
    char want[16];
    snprintf(want, sizeof want, "first");
    db_q q;
    db_q_init(&q, "SELECT count(*) FROM t");
    db_q_where(&q, "s = ?", "s", want);
    db_q_where(&q, "length(bl) = ?", "i", 3);
    s = db_q_prepare(d, &q);
    assert_non_null(s);
    snprintf(want, sizeof want, "other");
    assert_int_equal(db_step(s), DB_ROW);
    assert_int_equal(db_col_i64(s, 0), 1);
    db_done(s);
    int64_t first = -1;
    assert_int_equal(db_i64(d, &first, -1, "SELECT count(*) FROM t WHERE s = 'first' AND hex(bl) = '010203'", ""), CX_OK);
    assert_int_equal(first, 1);
    assert_int_equal(db_run(d, "DELETE FROM t", ""), CX_OK);
}

/* Without a format the tags decide (what call sites become once the format is dropped). */
static void without_a_format_the_tags_decide(void **st)
{
    db *d = *st;
    const unsigned char raw[2] = {7, 8};
    assert_int_equal(db_run_args(d, "INSERT INTO t (a, s, z, bl) VALUES (?, ?, ?, ?)", DB_ARGS(NULL, 4, "four", NULL, DB_BLOB(raw, 2))),
                     CX_OK);
    int64_t n = -1;
    assert_int_equal(db_i64(d, &n, -1, "SELECT count(*) FROM t WHERE a = 4 AND s = 'four' AND z IS NULL AND hex(bl) = '0708'", ""),
                     CX_OK);
    assert_int_equal(n, 1);
    assert_int_equal(db_run_args(d, "INSERT INTO t (bl) VALUES (?)", DB_ARGS(NULL, raw)), CX_ERR); /* bytes without a size */
    assert_int_equal(db_run(d, "DELETE FROM t", ""), CX_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(binds_each_type_and_reads_it_back, setup, teardown),
        cmocka_unit_test_setup_teardown(a_mismatched_letter_fails_and_runs_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(the_count_is_checked, setup, teardown),
        cmocka_unit_test_setup_teardown(a_mismatch_in_a_transaction_stays_the_reported_error, setup, teardown),
        cmocka_unit_test_setup_teardown(bound_text_is_copied, setup, teardown),
        cmocka_unit_test_setup_teardown(without_a_format_the_tags_decide, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
