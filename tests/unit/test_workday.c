/* test_workday.c: unit tests of working-day arithmetic: weekends, official holidays, weekend
 * make-up working days (调休), year ends, counting backwards, and office edits to the calendar. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "domain/workday.h"

static workday_cal cal;

static int setup(void **st)
{
    (void)st;
    workday_cal_init(&cal, workday_builtin, workday_builtin_n);
    return 0;
}
static int teardown(void **st)
{
    (void)st;
    workday_cal_free(&cal);
    return 0;
}

static const char *add(const workday_cal *c, const char *from, int n)
{
    static char out[11];
    assert_int_equal(workday_add(c, from, n, out), CX_OK);
    return out;
}

static void test_days(void **st)
{
    (void)st;
    char s[11];
    assert_int_equal(day_number("1970-01-01"), 0);
    assert_int_equal(day_number("2026-11-22") - day_number("2026-11-21"), 1);
    assert_int_equal(day_number("2025-01-01") - day_number("2024-01-01"), 366); /* leap year */
    assert_int_equal(day_number("2101-01-01") - day_number("2100-01-01"), 365); /* 2100 is not */
    const char *dates[] = {"1900-03-01", "2000-02-29", "2024-02-29", "2026-12-31", "2027-01-01", "2100-02-28"};
    for (size_t i = 0; i < sizeof dates / sizeof *dates; i++) {
        day_string(day_number(dates[i]), s);
        assert_string_equal(s, dates[i]);
    }
    assert_int_equal(weekday_of("2026-11-22"), 7); /* a Sunday */
    assert_int_equal(weekday_of("2026-11-23"), 1);
    assert_int_equal(weekday_of("2026-01-01"), 4);
    assert_int_equal(weekday_of("1969-12-31"), 3);
}

static void test_is_workday(void **st)
{
    (void)st;
    assert_true(workday_is(&cal, "2026-11-20"));   /* Friday */
    assert_false(workday_is(&cal, "2026-11-21"));  /* Saturday */
    assert_false(workday_is(&cal, "2026-01-02"));  /* Friday, 元旦 */
    assert_true(workday_is(&cal, "2026-01-04"));   /* Sunday, 调休上班 */
    assert_true(workday_is(&cal, "2026-02-14"));   /* Saturday before 春节 */
    assert_false(workday_is(&cal, "2026-02-23"));  /* Monday, 春节 */
    assert_true(workday_is(&cal, "2026-02-28"));
    assert_false(workday_is(&cal, "2026-10-07"));
    assert_true(workday_is(&cal, "2026-10-08"));
    assert_true(workday_is(&cal, "2026-10-10"));   /* Saturday, 调休上班 */
    assert_false(workday_is(&cal, "2027-02-08"));  /* 2027: statutory 春节 (provisional) */
    assert_true(workday_year_provisional(2027));
    assert_false(workday_year_provisional(2026));
    assert_true(workday_is(NULL, "2030-01-02"));   /* no calendar: weekdays only */
}

static void test_add(void **st)
{
    (void)st;
    assert_string_equal(add(&cal, "2026-11-22", 0), "2026-11-22");
    /* the default 15 working days from a Sunday: three full weeks */
    assert_string_equal(add(&cal, "2026-11-22", 15), "2026-12-11");
    /* across 中秋 and 国庆 with the Saturday make-up day */
    assert_string_equal(add(&cal, "2026-09-30", 1), "2026-10-08");
    assert_string_equal(add(&cal, "2026-09-24", 15), "2026-10-22");
    /* a Sunday make-up day counts */
    assert_string_equal(add(&cal, "2026-09-18", 1), "2026-09-20");
    /* year ends: into the next year's 元旦, and into 2026's with its Sunday make-up day */
    assert_string_equal(add(&cal, "2026-12-30", 3), "2027-01-05");
    assert_string_equal(add(&cal, "2025-12-31", 1), "2026-01-04");
    /* 5 working days (some places' rule) across 春节 */
    assert_string_equal(add(&cal, "2026-02-12", 5), "2026-02-26");
    char out[11];
    assert_int_equal(workday_add(&cal, "2026-01-01", -1, out), CX_ERR);
}

static void test_count(void **st)
{
    (void)st;
    assert_int_equal(workday_count(&cal, "2026-09-30", "2026-10-08"), 1);
    assert_int_equal(workday_count(&cal, "2026-10-08", "2026-09-30"), -1);
    assert_int_equal(workday_count(&cal, "2026-10-08", "2026-10-08"), 0);
    assert_int_equal(workday_count(&cal, "2026-11-22", "2026-12-11"), 15);
    assert_int_equal(workday_count(&cal, "2026-12-30", "2027-01-05"), 3);
    /* 2026: 261 weekdays − 19 weekday holidays (元旦 2, 春节 6, 清明 1, 劳动节 3, 端午 1, 中秋 1,
     * 国庆 5) + 6 make-up days */
    assert_int_equal(workday_count(&cal, "2025-12-31", "2026-12-31"), 248);
}

static void test_office_edits(void **st)
{
    (void)st;
    /* the office adds a local holiday and moves a make-up day; a later entry for a date wins */
    wd_day days[] = {
        {"2026-11-23", WD_HOLIDAY, "地方假日"},
        {"2026-11-28", WD_WORKDAY, "调休上班"},
        {"2026-11-23", WD_WORKDAY, "调休上班"},
        {"2026-11-24", WD_HOLIDAY, "地方假日"},
    };
    workday_cal c;
    workday_cal_init(&c, days, 4);
    assert_int_equal(c.n, 3);
    assert_true(workday_is(&c, "2026-11-23"));
    assert_false(workday_is(&c, "2026-11-24"));
    assert_true(workday_is(&c, "2026-11-28"));
    assert_string_equal(add(&c, "2026-11-23", 2), "2026-11-26");
    assert_string_equal(add(&c, "2026-11-26", 2), "2026-11-28");
    workday_cal_free(&c);
    workday_cal empty;
    workday_cal_init(&empty, NULL, 0);
    assert_string_equal(add(&empty, "2026-10-01", 1), "2026-10-02");
    workday_cal_free(&empty);
}

/* The office's edit of a day as typed: the date first, then the kind, then the holiday's name. */
static void test_edit_check(void **st)
{
    (void)st;
    workday_edit_ok ok;
    cx_err e = {0};
    assert_int_equal(workday_edit_check(&(workday_edit_in){"2026-10-09", "holiday", "\u3000 地方假日\t"}, &ok, &e), CX_OK);
    assert_string_equal(ok.date, "2026-10-09");
    assert_string_equal(ok.kind, "holiday");
    assert_false(ok.reset);
    assert_string_equal(ok.name, "地方假日");
    assert_int_equal(workday_edit_check(&(workday_edit_in){"2026-10-10", "workday", "ignored"}, &ok, &e), CX_OK);
    assert_string_equal(ok.name, "调休上班");
    assert_int_equal(workday_edit_check(&(workday_edit_in){"2026-10-10", "reset", NULL}, &ok, &e), CX_OK);
    assert_true(ok.reset);
    assert_string_equal(ok.name, "");
    assert_int_equal(workday_edit_check(&(workday_edit_in){"2026-10-10", "holiday", "一二三四五六七八九十一二"}, &ok, &e), CX_OK);
    static const struct {
        const char *date, *kind, *name, *code, *field;
    } bad[] = {
        {NULL, "holiday", "春节", NULL, "date"},
        {"2026-02-30", "holiday", "春节", NULL, "date"},
        {"2026-02-30", "sometimes", NULL, NULL, "date"}, /* the date first */
        {"2026-10-10", "Holiday", "春节", "invalid_kind", "kind"},
        {"2026-10-10", NULL, "春节", "invalid_kind", "kind"},
        {"2026-10-10", "holiday", "\u3000 ", "required", "name"},
        {"2026-10-10", "holiday", "一二三四五六七八九十一二三", "too_long", "name"},
        {"2026-10-10", "holiday", "春\xe8", "invalid_text", "name"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(workday_edit_check(&(workday_edit_in){bad[i].date, bad[i].kind, bad[i].name}, &ok, &e), CX_ERR);
        assert_int_equal(e.status, 400);
        assert_string_equal(e.field, bad[i].field);
        if (bad[i].code) assert_string_equal(e.code, bad[i].code);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_days),
        cmocka_unit_test_setup_teardown(test_is_workday, setup, teardown),
        cmocka_unit_test_setup_teardown(test_add, setup, teardown),
        cmocka_unit_test_setup_teardown(test_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_office_edits, setup, teardown),
        cmocka_unit_test(test_edit_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
