/* test_news.c: unit tests of news items, cases and consultations (issue 22) in plain C: names and
 * labels, the checks of an item and a consultation as typed, the month an event counts in and
 * whether a consultation takes comments on a day. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "domain/news.h"

static void names_and_labels(void **st)
{
    (void)st;
    assert_string_equal(news_kind_name(NK_CASE), "case");
    assert_string_equal(news_kind_label(NK_CASE), "典型");
    assert_int_equal(news_kind_from_name("news"), NK_NEWS);
    assert_int_equal(news_kind_from_name("story"), -1);
    assert_int_equal(news_kind_from_name(NULL), -1);
    assert_string_equal(news_kind_name(NK_COUNT), "");
    assert_int_equal(news_status_from_name("published"), NS_PUBLISHED);
    assert_string_equal(news_status_label(NS_ADOPTED), "已采用");
    assert_int_equal(news_status_from_name("deleted"), -1);
    cx_err e = {0};
    assert_int_equal(news_visibility("public", &e), 1);
    assert_int_equal(news_visibility("internal", &e), 0);
    assert_int_equal(news_visibility("world", &e), CX_ERR);
    assert_string_equal(e.code, "invalid_visibility");
    assert_string_equal(e.field, "visibility");
}

static void expect_news(const char *kind, const char *title, const char *body, const char *code, const char *field)
{
    news_ok ok;
    cx_err e = {0};
    int rc = news_check(kind, title, body, &ok, &e);
    if (!code) {
        assert_int_equal(rc, CX_OK);
        assert_non_null(ok.body);
    } else {
        assert_int_equal(rc, CX_ERR);
        assert_string_equal(e.code, code);
        assert_string_equal(e.field, field);
        assert_true(strlen(e.msg) > 0);
    }
    news_ok_free(&ok);
}

static void news_checks(void **st)
{
    (void)st;
    expect_news("news", "  镇党委召开推进会  ", "正文", NULL, NULL);
    expect_news("case", "典型", "事迹", NULL, NULL);
    expect_news("notice", "标题", "正文", "invalid_kind", "kind");
    expect_news(NULL, "标题", "正文", "invalid_kind", "kind");
    expect_news("news", "", "正文", "required", "title");
    expect_news("news", "标题\n第二行", "正文", "invalid_text", "title");
    expect_news("news", "标题", "　 ", "required", "body");
    expect_news("news", "标题", "\xff\xfe", "invalid_text", "body");
    char long_title[NEWS_TITLE_MAX * 3 + 4] = "";
    for (int i = 0; i <= NEWS_TITLE_MAX; i++) strcat(long_title, "标");
    expect_news("news", long_title, "正文", "too_long", "title");
    news_ok ok;
    cx_err e = {0};
    assert_int_equal(news_check("news", "  标题  ", "正文", &ok, &e), CX_OK);
    assert_string_equal(ok.title, "标题");
    news_ok_free(&ok);
}

static void expect_consult(const char *title, const char *body, const char *closes, const char *today, const char *code, const char *field)
{
    consult_ok ok;
    cx_err e = {0};
    int rc = consult_check(title, body, closes, today, &ok, &e);
    if (!code) assert_int_equal(rc, CX_OK);
    else {
        assert_int_equal(rc, CX_ERR);
        assert_string_equal(e.code, code);
        assert_string_equal(e.field, field);
    }
    consult_ok_free(&ok);
}

static void consult_checks(void **st)
{
    (void)st;
    expect_consult("征询", "说明", "2026-12-20", "2026-12-07", NULL, NULL);
    expect_consult("征询", "说明", "2026-12-07", "2026-12-07", NULL, NULL); /* closing today: still open today */
    expect_consult("征询", "说明", "2026-12-06", "2026-12-07", "closes_in_past", "closes_on");
    expect_consult("征询", "说明", "2026-12-06", NULL, NULL, NULL); /* the demo's past consultation */
    expect_consult("征询", "说明", "2026-02-30", "2026-01-01", "invalid_date", "closes_on");
    expect_consult("征询", "说明", " ", "2026-01-01", "required", "closes_on");
    expect_consult("征询", "说明", NULL, "2026-01-01", "required", "closes_on");
    expect_consult("", "说明", "2026-12-20", "2026-12-07", "required", "title");
    expect_consult("征询", "", "2026-12-20", "2026-12-07", "required", "body");
    assert_true(consult_open("2026-12-07", "2026-12-07"));
    assert_true(consult_open("2026-12-08", "2026-12-07"));
    assert_false(consult_open("2026-12-06", "2026-12-07"));
    assert_false(consult_open("2025-12-31", "2026-01-01"));
}

static void months(void **st)
{
    (void)st;
    char m[8];
    struct tm tm = {.tm_year = 126, .tm_mon = 11, .tm_mday = 31, .tm_hour = 23, .tm_min = 59, .tm_isdst = -1};
    news_month_of((int64_t)mktime(&tm), m);
    assert_string_equal(m, "2026-12");
    struct tm jan = {.tm_year = 127, .tm_mon = 0, .tm_mday = 1, .tm_hour = 0, .tm_min = 0, .tm_isdst = -1};
    news_month_of((int64_t)mktime(&jan), m);
    assert_string_equal(m, "2027-01");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_and_labels),
        cmocka_unit_test(news_checks),
        cmocka_unit_test(consult_checks),
        cmocka_unit_test(months),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
