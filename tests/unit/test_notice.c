/* test_notice.c: unit tests of public notices (公示) and objections (issue 19) in plain C: the end
 * date of a period of working days over the calendar, the checks of what staff and the public
 * type, the states of an item and a notice, and the rules in domain/perm.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "domain/notice.h"
#include "domain/perm.h"

static void end_date_rule(void **st)
{
    (void)st;
    workday_cal empty = {0}, cal = {0};
    char out[11];
    workday_cal_init(&empty, NULL, 0);
    /* 2026-12-07 is a Monday: Monday to Friday */
    assert_int_equal(notice_end_date(&empty, "2026-12-07", 5, out), CX_OK);
    assert_string_equal(out, "2026-12-11");
    assert_int_equal(notice_end_date(&empty, "2026-12-07", 1, out), CX_OK);
    assert_string_equal(out, "2026-12-07");
    /* opened on Thursday: over the weekend to Wednesday */
    assert_int_equal(notice_end_date(&empty, "2026-12-10", 5, out), CX_OK);
    assert_string_equal(out, "2026-12-16");
    /* opened on a Saturday: the period begins on Monday */
    assert_int_equal(notice_end_date(&empty, "2026-12-05", 5, out), CX_OK);
    assert_string_equal(out, "2026-12-11");
    /* a holiday inside the period moves the end on; a 调休 Saturday counts */
    wd_day days[] = {{"2026-12-09", WD_HOLIDAY, "测试假"}, {"2026-12-12", WD_WORKDAY, "调休上班"}};
    workday_cal_init(&cal, days, 2);
    assert_int_equal(notice_end_date(&cal, "2026-12-07", 5, out), CX_OK);
    assert_string_equal(out, "2026-12-12");
    assert_int_equal(notice_end_date(&cal, "2026-12-07", 6, out), CX_OK);
    assert_string_equal(out, "2026-12-14");
    /* opened on the holiday itself: it does not count */
    assert_int_equal(notice_end_date(&cal, "2026-12-09", 1, out), CX_OK);
    assert_string_equal(out, "2026-12-10");
    assert_int_equal(notice_end_date(&cal, "2026-12-07", 0, out), CX_ERR);
    assert_int_equal(notice_end_date(&cal, "2026-12-07", NOTICE_WORKDAYS_MAX + 1, out), CX_ERR);
    assert_int_equal(notice_end_date(&cal, "bad", 5, out), CX_ERR);
    workday_cal_free(&cal);
    workday_cal_free(&empty);
}

static void expect_notice(const char *title, const char *contact, const char *workdays, const char *code, const char *field, int days)
{
    notice_ok ok;
    cx_err e = {0};
    int rc = notice_check(&(notice_in){title, "说明", contact, workdays}, &ok, &e);
    if (!code) {
        assert_int_equal(rc, CX_OK);
        assert_int_equal(ok.workdays, days);
        return;
    }
    assert_int_equal(rc, CX_ERR);
    assert_string_equal(e.code, code);
    assert_string_equal(e.field, field);
    assert_true(strlen(e.msg) > 0);
}

static void checks(void **st)
{
    (void)st;
    expect_notice("公示", "电话 1", NULL, NULL, NULL, NOTICE_WORKDAYS_DEFAULT);
    expect_notice("公示", "电话 1", "", NULL, NULL, NOTICE_WORKDAYS_DEFAULT);
    expect_notice("公示", "电话 1", "7", NULL, NULL, 7);
    expect_notice("", "电话 1", NULL, "required", "title", 0);
    expect_notice("公示\n二行", "电话 1", NULL, "invalid_text", "title", 0);
    expect_notice("公示", "", NULL, "required", "contact", 0);
    expect_notice("公示", "电话 1", "0", "invalid_workdays", "workdays", 0);
    expect_notice("公示", "电话 1", "31", "invalid_workdays", "workdays", 0);
    expect_notice("公示", "电话 1", "5天", "invalid_workdays", "workdays", 0);
    char n[OBJECTION_NAME_MAX * 4 + 1], t[OBJECTION_TEXT_MAX * 4 + 1], h[NOTICE_HONOUR_MAX * 4 + 1], r[NOTICE_REASON_MAX * 4 + 1];
    cx_err e = {0};
    assert_int_equal(objection_check("王大明", "有违规问题。", n, t, &e), CX_OK);
    assert_int_equal(objection_check("王", "有违规问题。", n, t, &e), CX_ERR);
    assert_string_equal(e.field, "name");
    memset(&e, 0, sizeof e);
    assert_int_equal(objection_check("王大明", "短", n, t, &e), CX_ERR);
    assert_string_equal(e.field, "text");
    memset(&e, 0, sizeof e);
    assert_int_equal(notice_item_check("", "", h, r, &e), CX_ERR);
    assert_string_equal(e.field, "honour");
    objection_status s;
    char f[OBJECTION_FINDING_MAX * 4 + 1];
    memset(&e, 0, sizeof e);
    assert_int_equal(objection_outcome_check("upheld", "经核实属实", &s, f, &e), CX_OK);
    assert_int_equal(s, OS_UPHELD);
    assert_int_equal(objection_outcome_check("maybe", "经核实属实", &s, f, &e), CX_ERR);
    assert_string_equal(e.code, "invalid_outcome");
    assert_string_equal(objection_status_name(OS_INVESTIGATING), "investigating");
    assert_int_equal(objection_status_from_name("dismissed"), OS_DISMISSED);
    assert_int_equal(objection_status_from_name("x"), -1);
}

static void states(void **st)
{
    (void)st;
    const char *end = "2026-12-11";
    assert_int_equal(notice_item_state("2026-12-11", end, 0, 0, 0), NRS_PENDING);
    assert_int_equal(notice_item_state("2026-12-12", end, 0, 0, 0), NRS_CLEAR);
    assert_int_equal(notice_item_state("2026-12-12", end, 1, 0, 0), NRS_PENDING); /* an objection not yet taken up */
    assert_int_equal(notice_item_state("2026-12-08", end, 1, 1, 0), NRS_HELD);
    assert_int_equal(notice_item_state("2026-12-20", end, 0, 1, 0), NRS_HELD);
    assert_int_equal(notice_item_state("2026-12-08", end, 0, 1, 1), NRS_UPHELD);
    assert_string_equal(notice_ref_state_name(NRS_CLEAR), "clear");
    assert_string_equal(notice_ref_state_name(NRS_NONE), "none");
    assert_string_equal(notice_phase("2026-12-11", end, 3), "open");
    assert_string_equal(notice_phase("2026-12-12", end, 1), "ended");
    assert_string_equal(notice_phase("2026-12-12", end, 0), "closed");
}

static principal who(int role, const char *path, int64_t member_id)
{
    principal p = {.user_id = 1, .member_id = member_id, .ngrants = 1};
    p.grants[0].role = role;
    snprintf(p.grants[0].path, sizeof p.grants[0].path, "%s", path);
    return p;
}

static void rules(void **st)
{
    (void)st;
    principal office = who(ROLE_OFFICE, "/1/", 0), town = who(ROLE_OFFICE, "/1/2/", 0), disc = who(ROLE_DISCIPLINE, "/1/", 0),
              sec = who(ROLE_SECRETARY, "/1/2/3/", 0), leader = who(ROLE_LEADER, "/1/2/", 0), other = who(ROLE_OFFICE, "/1/5/", 0);
    const char *t = "/1/2/", *item = "/1/2/3/";
    assert_true(perm_may_run_notice(&town, t) && perm_may_run_notice(&office, t));
    assert_false(perm_may_run_notice(&leader, t) || perm_may_run_notice(&sec, t) || perm_may_run_notice(&other, t));
    assert_true(perm_may_see_notice(&leader, t));
    assert_false(perm_may_see_notice(&sec, t) || perm_may_see_notice(&other, t));
    assert_true(perm_may_handle_objection(&town, t, "", item) && perm_may_handle_objection(&disc, t, NULL, item));
    assert_false(perm_may_handle_objection(&leader, t, "", item) || perm_may_handle_objection(&sec, t, "", item));
    assert_false(perm_may_handle_objection(&other, t, "", item));
    /* recused: the handler's own membership in the subject's organisation */
    assert_false(perm_may_handle_objection(&disc, t, "/1/2/3/", item));
    assert_false(perm_may_handle_objection(&disc, t, "/1/2/3/9/", item));
    assert_true(perm_may_handle_objection(&disc, t, "/1/2/4/", item));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(end_date_rule), cmocka_unit_test(checks), cmocka_unit_test(states), cmocka_unit_test(rules)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
