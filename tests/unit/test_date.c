/* test_date.c: date parsing, validation, Excel serial days. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "domain/date.h"

/* Parses in and returns the result text, or "ERR:<msg>" (checking code and field). */
static const char *parse(const char *in, bool allow_month)
{
    static char res[600];
    char out[11];
    cx_err e;
    memset(&e, 0, sizeof e);
    memset(out, 'x', sizeof out);
    if (date_parse(in, allow_month, "birth_date", "出生日期", out, &e) == CX_OK) {
        assert_int_equal(strlen(out), 10);
        snprintf(res, sizeof res, "%s", out);
    } else {
        assert_string_equal(e.code, "invalid_date");
        assert_string_equal(e.field, "birth_date");
        assert_int_equal(e.status, 400);
        snprintf(res, sizeof res, "ERR:%s", e.msg);
    }
    return res;
}

static void test_valid_ymd(void **state)
{
    assert_true(date_valid_ymd(2020, 1, 5));
    assert_true(date_valid_ymd(2024, 2, 29));
    assert_true(date_valid_ymd(2000, 2, 29)); /* divisible by 400 */
    assert_false(date_valid_ymd(1900, 2, 29)); /* divisible by 100 */
    assert_false(date_valid_ymd(2100, 2, 29));
    assert_false(date_valid_ymd(2023, 2, 29));
    assert_false(date_valid_ymd(2020, 4, 31));
    assert_true(date_valid_ymd(2020, 12, 31));
    assert_false(date_valid_ymd(2020, 13, 1));
    assert_false(date_valid_ymd(2020, 0, 1));
    assert_false(date_valid_ymd(2020, 1, 0));
    assert_true(date_valid_ymd(1900, 1, 1));
    assert_true(date_valid_ymd(2100, 12, 31));
    assert_false(date_valid_ymd(1899, 12, 31));
    assert_false(date_valid_ymd(2101, 1, 1));
}

static void test_parse_forms(void **state)
{
    assert_string_equal(parse("2020-01-05", false), "2020-01-05");
    assert_string_equal(parse("2020-1-5", false), "2020-01-05");
    assert_string_equal(parse("2020/1/5", false), "2020-01-05");
    assert_string_equal(parse("2020/01/05", false), "2020-01-05");
    assert_string_equal(parse("2020.01.05", false), "2020-01-05");
    assert_string_equal(parse("2020.1.5", false), "2020-01-05");
    assert_string_equal(parse("2020年1月5日", false), "2020-01-05");
    assert_string_equal(parse("2020年01月05日", false), "2020-01-05");
    assert_string_equal(parse("2020 年 1 月 5 日", false), "2020-01-05");
    assert_string_equal(parse("2020年1月5号", false), "2020-01-05");
    assert_string_equal(parse("2020年1月5", false), "2020-01-05");
    assert_string_equal(parse("20200105", false), "2020-01-05");
    assert_string_equal(parse("  2020-01-05\t", false), "2020-01-05");
    assert_string_equal(parse("\xE3\x80\x80" "2020-01-05" "\xE3\x80\x80", false), "2020-01-05");
    /* full-width digits and separators from a Chinese input method */
    assert_string_equal(parse("２０２０－０１－０５", false), "2020-01-05");
    assert_string_equal(parse("２０２０年１月５日", false), "2020-01-05");
    /* what Excel writes into CSV for date-time cells */
    assert_string_equal(parse("2020/1/5 0:00", false), "2020-01-05");
    assert_string_equal(parse("2020-01-05 08:30:15", false), "2020-01-05");
    assert_string_equal(parse("2020-01-05T08:30:15.250", false), "2020-01-05");
    assert_string_equal(parse("2020年1月5日 9:05", false), "2020-01-05");
    assert_string_equal(parse("2024-02-29", false), "2024-02-29");
    assert_string_equal(parse("2000-02-29", false), "2000-02-29");
    assert_string_equal(parse("1900-01-01", false), "1900-01-01");
    assert_string_equal(parse("2100-12-31", false), "2100-12-31");
}

static void test_parse_month(void **state)
{
    assert_string_equal(parse("2020-01", true), "2020-01-01");
    assert_string_equal(parse("2020-1", true), "2020-01-01");
    assert_string_equal(parse("2020/11", true), "2020-11-01");
    assert_string_equal(parse("2020.01", true), "2020-01-01");
    assert_string_equal(parse("2020年1月", true), "2020-01-01");
    assert_string_equal(parse("202001", true), "2020-01-01");
    /* full dates are still fine with allow_month */
    assert_string_equal(parse("2020-03-15", true), "2020-03-15");
    /* a month alone without allow_month */
    assert_string_equal(parse("2020-01", false), "ERR:出生日期应精确到日：2020-01（应为 2020-01-05 形式）");
    assert_string_equal(parse("2020年1月", false), "ERR:出生日期应精确到日：2020年1月（应为 2020-01-05 形式）");
    assert_string_equal(parse("2020-13", true), "ERR:出生日期不是有效日期：2020-13（月份应为1-12）");
}

static void test_parse_invalid(void **state)
{
    assert_string_equal(parse("2023-02-29", false), "ERR:出生日期不是有效日期：2023-02-29（2023年2月没有29日）");
    assert_string_equal(parse("2020-13-01", false), "ERR:出生日期不是有效日期：2020-13-01（月份应为1-12）");
    assert_string_equal(parse("2020年2月30日", false), "ERR:出生日期不是有效日期：2020年2月30日（2020年2月没有30日）");
    assert_string_equal(parse("2020-04-31", false), "ERR:出生日期不是有效日期：2020-04-31（2020年4月没有31日）");
    assert_string_equal(parse("2020-00-10", false), "ERR:出生日期不是有效日期：2020-00-10（月份应为1-12）");
    assert_string_equal(parse("2020-01-00", false), "ERR:出生日期不是有效日期：2020-01-00（日应为1-31）");
    assert_string_equal(parse("2020-01-32", false), "ERR:出生日期不是有效日期：2020-01-32（日应为1-31）");
    assert_string_equal(parse("20230229", false), "ERR:出生日期不是有效日期：20230229（2023年2月没有29日）");
    assert_string_equal(parse("1899-12-31", false), "ERR:出生日期不是有效日期：1899-12-31（年份应在1900-2100之间）");
    assert_string_equal(parse("2101-01-01", false), "ERR:出生日期不是有效日期：2101-01-01（年份应在1900-2100之间）");
    assert_string_equal(parse("1900-02-29", false), "ERR:出生日期不是有效日期：1900-02-29（1900年2月没有29日）");
    assert_string_equal(parse("abc", false), "ERR:出生日期不是有效日期：abc（应为 2020-01-05 形式）");
    assert_string_equal(parse(" 2020-01-05x ", false), "ERR:出生日期不是有效日期：2020-01-05x（应为 2020-01-05 形式）");
    assert_string_equal(parse("", false), "ERR:出生日期不是有效日期：（应为 2020-01-05 形式）");
    assert_string_equal(parse(NULL, true), "ERR:出生日期不是有效日期：（应为 2020-01-05 形式）");
    const char *bad[] = {"2020-01/05", "2020-01-05-06", "20-01-05", "2020--01-05", "2020-001-05", "2020-01-005",
                         "2020年1月5日日", "2020年月5日", "2020/1/5 25:00", "2020/1/5 10:7", "2020105",
                         "202001050", "１２", "2020 01 05", "2020-01-05 ", "-2020-01-05", "2020-01-05T", "2020年"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const char *r = parse(bad[i], false);
        if (i == 14) { /* trailing space is trimmed: valid */
            assert_string_equal(r, "2020-01-05");
            continue;
        }
        assert_true(strncmp(r, "ERR:", 4) == 0);
    }
    /* a long value is shortened in the message */
    char longv[300];
    memset(longv, 'a', sizeof longv - 1);
    longv[sizeof longv - 1] = 0;
    const char *r = parse(longv, false);
    assert_non_null(strstr(r, "…（应为"));
    assert_true(strlen(r) < 200);
    /* no error record: only the return code */
    char out[11];
    assert_int_equal(date_parse("x", false, "f", "日期", out, NULL), CX_ERR);
    /* default label */
    cx_err e;
    assert_int_equal(date_parse("x", false, NULL, NULL, out, &e), CX_ERR);
    assert_string_equal(e.msg, "日期不是有效日期：x（应为 2020-01-05 形式）");
    assert_string_equal(e.field, "");
}

static const char *serial(double s)
{
    static char out[16];
    memset(out, 0, sizeof out);
    if (date_from_excel_serial(s, out) != CX_OK) return "ERR";
    return out;
}

static void test_excel_serial(void **state)
{
    assert_string_equal(serial(1), "1900-01-01");
    assert_string_equal(serial(31), "1900-01-31");
    assert_string_equal(serial(59), "1900-02-28");
    assert_string_equal(serial(60), "ERR"); /* Excel's fictitious 1900-02-29 */
    assert_string_equal(serial(60.5), "ERR");
    assert_string_equal(serial(61), "1900-03-01");
    assert_string_equal(serial(43835), "2020-01-05");
    assert_string_equal(serial(44927), "2023-01-01");
    assert_string_equal(serial(44927.75), "2023-01-01"); /* the time of day is dropped */
    assert_string_equal(serial(44927.9999999999), "2023-01-02"); /* within a millisecond of midnight */
    assert_string_equal(serial(45351), "2024-02-29");
    assert_string_equal(serial(73415), "2100-12-31");
    assert_string_equal(serial(73416), "ERR");
    assert_string_equal(serial(0), "ERR");
    assert_string_equal(serial(0.5), "ERR");
    assert_string_equal(serial(-1), "ERR");
    assert_string_equal(serial(1e300), "ERR");
    assert_string_equal(serial(NAN), "ERR");
    assert_string_equal(serial(INFINITY), "ERR");
}

static void test_today_cmp(void **state)
{
    char today[11], parsed[11];
    date_today(today);
    assert_int_equal(strlen(today), 10);
    assert_int_equal(date_parse(today, false, "f", "日期", parsed, NULL), CX_OK);
    assert_string_equal(today, parsed);
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    char want[32];
    snprintf(want, sizeof want, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    assert_string_equal(today, want);

    assert_int_equal(date_cmp("2020-01-05", "2020-01-05"), 0);
    assert_true(date_cmp("2020-01-05", "2020-01-06") < 0);
    assert_true(date_cmp("2021-01-01", "2020-12-31") > 0);
    assert_true(date_cmp("", "2020-01-01") < 0);
    assert_int_equal(date_cmp(NULL, ""), 0);
}

/* Day numbers round-trip over two centuries; years are added so that 29 February becomes 1 March
 * in a common year (an age of 18, a year of probation, never cut short), in member validation and
 * the demo generator alike (both use date_add_years / day_add_years). */
static void test_day_numbers(void **st)
{
    (void)st;
    assert_int_equal(day_number("1970-01-01"), 0);
    assert_int_equal(day_number("2000-03-01") - day_number("2000-02-28"), 2);
    assert_int_equal(day_number("1900-03-01") - day_number("1900-02-28"), 1);
    char out[11];
    for (int64_t z = day_number("1900-01-01"); z <= day_number("2100-12-31"); z += 37) {
        day_string(z, out);
        assert_int_equal(day_number(out), z);
        int y, m, d;
        day_ymd(z, &y, &m, &d);
        assert_true(date_valid_ymd(y, m, d));
        assert_int_equal(day_of_ymd(y, m, d), z);
    }
    date_add_years("2008-02-29", 18, out);
    assert_string_equal(out, "2026-03-01");
    date_add_years("2008-02-29", 16, out);
    assert_string_equal(out, "2024-02-29");
    date_add_years("2025-07-01", 1, out);
    assert_string_equal(out, "2026-07-01");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_day_numbers), cmocka_unit_test(test_valid_ymd),   cmocka_unit_test(test_parse_forms), cmocka_unit_test(test_parse_month),
        cmocka_unit_test(test_parse_invalid), cmocka_unit_test(test_excel_serial), cmocka_unit_test(test_today_cmp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
