/* test_report.c: unit tests of scheduled reports (domain/report.c): the lifecycle table (every
 * state × action × relation), the checks of a schedule and of the sections, the due date in
 * working days over the shipped calendar, lateness, and the relations of perm_report_relation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "domain/perm.h"
#include "domain/report.h"
#include "domain/workday.h"

enum { OK = 1, NO = 2, BAD = 3 };
static const int relations[4] = {RPR_NONE, RPR_WRITER, RPR_JUDGE, RPR_WRITER | RPR_JUDGE};
static const struct {
    report_status from;
    report_action action;
    int out[4]; /* NONE WRITER JUDGE BOTH */
    report_status next;
} spec[] = {
    {RPS_DUE, RPA_SAVE, {NO, OK, NO, OK}, RPS_DUE},
    {RPS_DUE, RPA_SUBMIT, {NO, OK, NO, OK}, RPS_SUBMITTED},
    {RPS_DUE, RPA_RETURN, {BAD, BAD, BAD, BAD}, 0},
    {RPS_DUE, RPA_ACCEPT, {BAD, BAD, BAD, BAD}, 0},
    {RPS_SUBMITTED, RPA_SAVE, {BAD, BAD, BAD, BAD}, 0},
    {RPS_SUBMITTED, RPA_SUBMIT, {BAD, BAD, BAD, BAD}, 0},
    {RPS_SUBMITTED, RPA_RETURN, {NO, NO, OK, OK}, RPS_RETURNED},
    {RPS_SUBMITTED, RPA_ACCEPT, {NO, NO, OK, OK}, RPS_ACCEPTED},
    {RPS_RETURNED, RPA_SAVE, {NO, OK, NO, OK}, RPS_RETURNED},
    {RPS_RETURNED, RPA_SUBMIT, {NO, OK, NO, OK}, RPS_SUBMITTED},
    {RPS_RETURNED, RPA_RETURN, {BAD, BAD, BAD, BAD}, 0},
    {RPS_RETURNED, RPA_ACCEPT, {BAD, BAD, BAD, BAD}, 0},
    {RPS_ACCEPTED, RPA_SAVE, {BAD, BAD, BAD, BAD}, 0},
    {RPS_ACCEPTED, RPA_SUBMIT, {BAD, BAD, BAD, BAD}, 0},
    {RPS_ACCEPTED, RPA_RETURN, {BAD, BAD, BAD, BAD}, 0},
    {RPS_ACCEPTED, RPA_ACCEPT, {BAD, BAD, BAD, BAD}, 0},
};

static void test_lifecycle(void **state)
{
    (void)state;
    assert_int_equal(sizeof spec / sizeof spec[0], RPS_COUNT * RPA_COUNT);
    for (size_t i = 0; i < sizeof spec / sizeof spec[0]; i++)
        for (int k = 0; k < 4; k++) {
            report_status next = RPS_COUNT;
            cx_err e = {0};
            int rc = report_decide(spec[i].from, spec[i].action, relations[k], &next, &e);
            if (spec[i].out[k] == OK) {
                assert_int_equal(rc, CX_OK);
                assert_int_equal(next, spec[i].next);
            } else {
                assert_int_equal(rc, CX_ERR);
                assert_int_equal(next, RPS_COUNT);
                assert_int_equal(e.status, spec[i].out[k] == BAD ? 409 : 403);
                assert_string_equal(e.code, spec[i].out[k] == BAD ? "invalid_transition" : "not_allowed");
            }
        }
}

static void test_names(void **state)
{
    (void)state;
    for (int k = 0; k < RPK_COUNT; k++) assert_int_equal(report_kind_from_name(report_kind_name((report_kind)k)), k);
    for (int s = 0; s < RPS_COUNT; s++) assert_int_equal(report_status_from_name(report_status_name((report_status)s)), s);
    for (int f = 0; f < RPF_COUNT; f++) assert_int_equal(report_filter_from_name(report_filter_name((report_filter)f)), f);
    assert_string_equal(report_kind_label(RPK_YEAR_END), "年终总结");
    assert_string_equal(report_kind_label(RPK_DUTY), "述职");
    assert_int_equal(report_kind_from_name("weekly"), -1);
    assert_int_equal(report_filter_from_name("lost"), -1);
    assert_int_equal(report_filter_from_name(NULL), RPF_ALL);
}

static int check(report_schedule_in in, report_schedule_ok *ok, cx_err *e)
{
    memset(e, 0, sizeof *e);
    return report_schedule_check(&in, ok, e);
}

static void test_schedule_check(void **state)
{
    (void)state;
    report_schedule_ok ok;
    cx_err e;
    workday_cal cal;
    workday_cal_init(&cal, workday_builtin, workday_builtin_n);
    const report_schedule_in base = {"quarterly", "", "branch, committee,branch", "", "2026-07-01", "2026-09-30", "", "10", "[\"情况\",\"问题\"]"};
    assert_int_equal(check(base, &ok, &e), CX_OK);
    assert_string_equal(ok.for_types, "branch,committee");
    assert_string_equal(ok.title, "季度检查（2026-07-01至2026-09-30）");
    assert_int_equal(ok.noutline, 2);
    assert_string_equal(ok.outline, "[\"情况\",\"问题\"]");
    assert_string_equal(ok.due_date, "");
    assert_int_equal(report_schedule_due(&ok, &cal), CX_OK);
    /* over 国庆节 (1–7 October) and the make-up Saturday 10 October */
    assert_string_equal(ok.due_date, "2026-10-20");
    report_schedule_ok_free(&ok);
    struct {
        report_schedule_in in;
        const char *code, *field;
    } bad[] = {
        {{"weekly", "", "", "", "2026-07-01", "2026-09-30", "", "10", ""}, "invalid_kind", "kind"},
        {{"custom", " ", "", "", "2026-07-01", "2026-09-30", "", "10", ""}, "required", "title"},
        {{"quarterly", "", "club", "", "2026-07-01", "2026-09-30", "", "10", ""}, "invalid_type", "for_types"},
        {{"quarterly", "", "", "moon", "2026-07-01", "2026-09-30", "", "10", ""}, "invalid_sector", "for_sectors"},
        {{"quarterly", "", "", "", "", "2026-09-30", "", "10", ""}, "required", "period_start"},
        {{"quarterly", "", "", "", "2026-07-01", "2026-09-31", "", "10", ""}, "invalid_date", "period_end"},
        {{"quarterly", "", "", "", "2026-10-01", "2026-09-30", "", "10", ""}, "invalid_period", "period_end"},
        {{"quarterly", "", "", "", "2024-01-01", "2026-09-30", "", "10", ""}, "period_too_long", "period_end"},
        {{"quarterly", "", "", "", "2026-07-01", "2026-09-30", "", "", ""}, "due_required", "due_date"},
        {{"quarterly", "", "", "", "2026-07-01", "2026-09-30", "2026-10-20", "10", ""}, "due_required", "due_date"},
        {{"quarterly", "", "", "", "2026-07-01", "2026-09-30", "", "61", ""}, "invalid_due_workdays", "due_workdays"},
        {{"quarterly", "", "", "", "2026-07-01", "2026-09-30", "", "x", ""}, "invalid_due_workdays", "due_workdays"},
        {{"quarterly", "", "", "", "2026-07-01", "2026-09-30", "2026-09-29", "", ""}, "due_before_period_end", "due_date"},
        {{"quarterly", "", "", "", "2026-07-01", "2026-09-30", "2028-01-01", "", ""}, "date_too_far", "due_date"},
        {{"quarterly", "", "", "", "2026-07-01", "2026-09-30", "", "10", "[1]"}, "invalid_outline", "outline"},
        {{"quarterly", "", "", "", "2026-07-01", "2026-09-30", "", "10", "[\"a\""}, "invalid_outline", "outline"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(check(bad[i].in, &ok, &e), CX_ERR);
        assert_string_equal(e.code, bad[i].code);
        assert_string_equal(e.field, bad[i].field);
        report_schedule_ok_free(&ok);
    }
    /* an outline as lines: blanks skipped, at most 20, each ≤ 100 characters */
    report_schedule_in lines = base;
    lines.outline = "一\n\n  二  \r\n";
    assert_int_equal(check(lines, &ok, &e), CX_OK);
    assert_string_equal(ok.outline, "[\"一\",\"二\"]");
    report_schedule_ok_free(&ok);
    char many[400] = "";
    for (int i = 0; i < 21; i++) strcat(many, "节\n");
    lines.outline = many;
    assert_int_equal(check(lines, &ok, &e), CX_ERR);
    assert_string_equal(e.code, "too_many_sections");
    char longt[400] = "";
    for (int i = 0; i < 101; i++) strcat(longt, "长");
    lines.outline = longt;
    assert_int_equal(check(lines, &ok, &e), CX_ERR);
    assert_string_equal(e.code, "section_title_too_long");
    /* a due date given as a date is kept as typed */
    report_schedule_in dated = base;
    dated.due_workdays = "0", dated.due_date = "2026-09-30";
    assert_int_equal(check(dated, &ok, &e), CX_OK);
    assert_string_equal(ok.due_date, "2026-09-30");
    report_schedule_ok_free(&ok);
    workday_cal_free(&cal);
}

static void test_sections(void **state)
{
    (void)state;
    char *draft = NULL;
    cx_err e = {0};
    const char *outline = "[\"情况\",\"问题\"]";
    const char *two[] = {" 写了 ", ""};
    assert_int_equal(report_sections_check(outline, two, 2, false, &draft, &e), CX_OK);
    assert_string_equal(draft, "[\"写了\",\"\"]");
    free(draft);
    assert_int_equal(report_sections_check(outline, two, 2, true, &draft, &e), CX_ERR);
    assert_string_equal(e.code, "section_required");
    assert_non_null(strstr(e.msg, "问题"));
    const char *three[] = {"a", "b", "c"};
    assert_int_equal(report_sections_check(outline, three, 3, false, &draft, &e), CX_ERR);
    assert_string_equal(e.code, "too_many_sections");
    /* no outline: one free section */
    assert_int_equal(report_outline_count("[]"), 1);
    assert_int_equal(report_sections_check("[]", three, 1, true, &draft, &e), CX_OK);
    char *secs = report_sections_json("[]", draft);
    assert_string_equal(secs, "[{\"title\":\"正文\",\"text\":\"a\"}]");
    free(secs);
    free(draft);
    char comment[2048];
    assert_int_equal(report_comment_check(RPA_RETURN, "  ", comment, sizeof comment, &e), CX_ERR);
    assert_string_equal(e.field, "comment");
    assert_int_equal(report_comment_check(RPA_ACCEPT, "", comment, sizeof comment, &e), CX_OK);
}

static void test_lateness(void **state)
{
    (void)state;
    workday_cal cal;
    workday_cal_init(&cal, workday_builtin, workday_builtin_n);
    assert_int_equal(report_late_workdays(&cal, "2026-10-20", "2026-10-20"), 0);
    assert_int_equal(report_late_workdays(&cal, "2026-10-20", "2026-10-01"), 0);
    assert_int_equal(report_late_workdays(&cal, "2026-10-20", ""), 0);
    assert_int_equal(report_late_workdays(&cal, "2026-10-20", "2026-10-24"), 3); /* Wed, Thu, Fri */
    assert_int_equal(report_late_workdays(&cal, "2026-10-16", "2026-10-17"), 1); /* a Saturday: at least 1 */
    assert_int_equal(report_late_workdays(&cal, "2026-09-30", "2026-10-08"), 1); /* over the holiday */
    assert_string_equal(report_state(RPS_DUE, "", "2026-10-20", "2026-10-21"), "missing");
    assert_string_equal(report_state(RPS_DUE, "", "2026-10-20", "2026-10-20"), "due");
    assert_string_equal(report_state(RPS_RETURNED, "2026-10-19", "2026-10-20", "2026-12-01"), "returned");
    workday_cal_free(&cal);
}

static principal who(int role, const char *path)
{
    principal p = {.user_id = 7, .ngrants = 1};
    p.grants[0].role = role;
    snprintf(p.grants[0].path, sizeof p.grants[0].path, "%s", path);
    return p;
}

static void test_relation(void **state)
{
    (void)state;
    /* district /1/, town /1/2/, branch /1/2/3/; a schedule issued at the town */
    principal sec = who(ROLE_SECRETARY, "/1/2/3/"), town = who(ROLE_OFFICE, "/1/2/"), tsec = who(ROLE_SECRETARY, "/1/2/");
    principal district = who(ROLE_OFFICE, "/1/"), other = who(ROLE_SECRETARY, "/1/4/5/"), leader = who(ROLE_LEADER, "/1/2/");
    assert_int_equal(perm_report_relation(&sec, "/1/2/3/", "/1/2/"), RPR_WRITER);
    assert_int_equal(perm_report_relation(&town, "/1/2/3/", "/1/2/"), RPR_WRITER | RPR_JUDGE);
    assert_int_equal(perm_report_relation(&tsec, "/1/2/3/", "/1/2/"), RPR_JUDGE);
    /* above the issuer: writes as an office over it, does not judge */
    assert_int_equal(perm_report_relation(&district, "/1/2/3/", "/1/2/"), RPR_WRITER);
    assert_int_equal(perm_report_relation(&other, "/1/2/3/", "/1/2/"), RPR_NONE);
    assert_int_equal(perm_report_relation(&leader, "/1/2/3/", "/1/2/"), RPR_NONE);
    assert_true(perm_may_read_report(&leader, "/1/2/3/"));
    assert_true(perm_may_read_report(&district, "/1/2/3/"));
    assert_false(perm_may_read_report(&other, "/1/2/3/"));
    assert_false(perm_may_read_report(&sec, "/1/2/"));
    assert_true(perm_may_schedule_reports(&town, "/1/2/"));
    assert_false(perm_may_schedule_reports(&tsec, "/1/2/"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lifecycle), cmocka_unit_test(test_names), cmocka_unit_test(test_schedule_check),
        cmocka_unit_test(test_sections),  cmocka_unit_test(test_lateness), cmocka_unit_test(test_relation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
