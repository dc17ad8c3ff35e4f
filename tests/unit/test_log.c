/* test_log.c: unit tests of the server log's line building: a value can never start another line
 * or another key, and a long value is cut on a character boundary. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "lib/log.h"

/* The " key=value" part log_kv appends for v. */
static const char *kv(const char *v, size_t max)
{
    static log_line l;
    l.n = 0;
    log_kv(&l, "k", v, max);
    l.s[l.n] = 0;
    return l.s;
}

static void test_plain_and_quoted(void **state)
{
    (void)state;
    assert_string_equal(kv("/p/card/1", 0), " k=/p/card/1");
    assert_string_equal(kv("", 0), " k=\"\"");
    assert_string_equal(kv("a b", 0), " k=\"a b\"");
    assert_string_equal(kv("x=1", 0), " k=\"x=1\"");
    assert_string_equal(kv("关系", 0), " k=关系"); /* UTF-8 stays readable */
}

static void test_no_forged_line(void **state)
{
    (void)state;
    /* a path with a newline and a fake access line in it */
    assert_string_equal(kv("/x\n2026-01-01T00:00:00.000Z access rid=1 status=200", 0),
                        " k=\"/x\\x0a2026-01-01T00:00:00.000Z access rid=1 status=200\"");
    assert_string_equal(kv("a\"b\\c\r\x7f", 0), " k=\"a\\\"b\\\\c\\x0d\\x7f\"");
}

static void test_cut_on_character(void **state)
{
    (void)state;
    /* 中 is 3 bytes: cutting at 4 bytes keeps "a中" and marks the cut */
    assert_string_equal(kv("a中文", 4), " k=\"a中…\"");
    assert_string_equal(kv("abc", 3), " k=abc");
}

static void test_line_bounded(void **state)
{
    (void)state;
    log_line l;
    log_begin(&l, "access");
    char big[5000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    log_kv(&l, "path", big, 0);
    assert_true(l.n <= sizeof l.s - 1); /* room for the newline stays */
    assert_memory_equal(l.s + 24, " access", 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_and_quoted),
        cmocka_unit_test(test_no_forged_line),
        cmocka_unit_test(test_cut_on_character),
        cmocka_unit_test(test_line_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
