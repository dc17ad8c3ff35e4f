/* test_liaison.c: unit tests of liaison points (联络点) in plain C: the rule as typed (defaults for
 * blank fields, each bound, max not below min), its text, where a leader stands against it (none,
 * few, ok, many), the refusal beyond max naming the rule, the visits a year asked of a leader and of
 * a department's leader, the checks of a visit and of a point's dates, and the liaison predicates of
 * domain/perm.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "domain/liaison.h"
#include "domain/perm.h"

static void the_rule_as_typed(void **st)
{
    (void)st;
    liaison_rule r;
    cx_err e = {0};
    assert_int_equal(liaison_rule_check(&(liaison_rule_in){NULL, NULL, NULL, NULL}, &r, &e), CX_OK);
    assert_memory_equal(&r, &LIAISON_RULE_DEFAULT, sizeof r);
    assert_int_equal(r.min_points, 1); /* seed 001: one to two points */
    assert_int_equal(r.max_points, 2);
    assert_int_equal(r.leader_visits, 2); /* seed 002: two visits a year for leaders, three for departments */
    assert_int_equal(r.dept_visits, 3);
    assert_int_equal(liaison_rule_check(&(liaison_rule_in){"0", "5", "4", "6"}, &r, &e), CX_OK);
    assert_int_equal(r.min_points, 0);
    assert_int_equal(r.max_points, 5);
    assert_int_equal(r.dept_visits, 6);
    static const struct {
        liaison_rule_in in;
        const char *code, *field;
    } bad[] = {
        {{"3", "2", "", ""}, "invalid_max_points", "max_points"},
        {{"", "0", "", ""}, "invalid_max_points", "max_points"},
        {{"", "21", "", ""}, "invalid_max_points", "max_points"},
        {{"-1", "", "", ""}, "invalid_min_points", "min_points"},
        {{"1.5", "", "", ""}, "invalid_min_points", "min_points"},
        {{"", "", "366", ""}, "invalid_leader_visits", "leader_visits"},
        {{"", "", "两次", ""}, "invalid_leader_visits", "leader_visits"},
        {{"", "", "", "-3"}, "invalid_dept_visits", "dept_visits"},
        {{"", "1", "", ""}, NULL, NULL},  /* min 1 (default), max 1: allowed */
        {{"2", "", "", ""}, NULL, NULL},  /* min 2, max 2 (default): allowed */
        {{"3", "", "", ""}, "invalid_max_points", "max_points"}, /* min 3 above the default max */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&e, 0, sizeof e);
        int rc = liaison_rule_check(&bad[i].in, &r, &e);
        if (!bad[i].code) {
            assert_int_equal(rc, CX_OK);
            continue;
        }
        assert_int_equal(rc, CX_ERR);
        assert_int_equal(e.status, 422);
        assert_string_equal(e.code, bad[i].code);
        assert_string_equal(e.field, bad[i].field);
    }
}

static void standing_and_the_limit(void **st)
{
    (void)st;
    liaison_rule r = LIAISON_RULE_DEFAULT;
    assert_int_equal(liaison_standing_of(&r, 0), LS_NONE);
    assert_int_equal(liaison_standing_of(&r, 1), LS_OK);
    assert_int_equal(liaison_standing_of(&r, 2), LS_OK);
    assert_int_equal(liaison_standing_of(&r, 3), LS_MANY);
    r.min_points = 2, r.max_points = 3;
    assert_int_equal(liaison_standing_of(&r, 0), LS_NONE);
    assert_int_equal(liaison_standing_of(&r, 1), LS_FEW);
    assert_int_equal(liaison_standing_of(&r, 3), LS_OK);
    r.min_points = 0; /* no point is no shortfall when none is asked */
    assert_int_equal(liaison_standing_of(&r, 0), LS_OK);
    for (int s = 0; s < LS_COUNT; s++) assert_int_equal(liaison_standing_from_name(liaison_standing_name((liaison_standing)s)), s);
    assert_int_equal(liaison_standing_from_name("bad"), -1);
    assert_int_equal(liaison_standing_from_name(NULL), -1);
    assert_string_equal(liaison_standing_label(LS_FEW), "联络点不足");
    assert_string_equal(liaison_standing_name(LS_COUNT), "");
    r = LIAISON_RULE_DEFAULT;
    cx_err e = {0};
    assert_int_equal(liaison_may_add(&r, 0, "区委", &e), CX_OK);
    assert_int_equal(liaison_may_add(&r, 1, "区委", &e), CX_OK);
    assert_int_equal(liaison_may_add(&r, 2, "区委", &e), CX_ERR);
    assert_int_equal(e.status, 422);
    assert_string_equal(e.code, "too_many_points");
    assert_non_null(strstr(e.msg, "区委"));
    assert_non_null(strstr(e.msg, "1–2 个联络点"));
    memset(&e, 0, sizeof e);
    assert_int_equal(liaison_may_add(&r, 5, NULL, &e), CX_ERR);
    assert_non_null(strstr(e.msg, "默认规则"));
    char t[200];
    r.min_points = r.max_points = 1;
    liaison_rule_text(&r, t, sizeof t);
    assert_string_equal(t, "每名领导干部 1 个联络点，每年走访至少 2 次（机关部门 3 次）");
    assert_int_equal(liaison_visits_required(&r, false), 2);
    assert_int_equal(liaison_visits_required(&r, true), 3);
}

static void a_visit_as_typed(void **st)
{
    (void)st;
    visit_ok v;
    cx_err e = {0};
    assert_int_equal(visit_check(&(visit_in){"2026-05-04", " 走访座谈 ", "", NULL}, "2026-06-01", &v, &e), CX_OK);
    assert_string_equal(v.visited_on, "2026-05-04");
    assert_string_equal(v.done, "走访座谈");
    assert_string_equal(v.problems_found, "");
    char long_text[4 * 1001 + 1] = "";
    for (int i = 0; i < 1001; i++) strcat(long_text, "问");
    static const struct {
        visit_in in;
        int status;
        const char *code, *field;
    } bad[] = {
        {{NULL, "内容", NULL, NULL}, 400, "required", "visited_on"},
        {{"2026-02-30", "内容", NULL, NULL}, 400, "invalid_date", "visited_on"},
        {{"2026-06", "内容", NULL, NULL}, 400, "invalid_date", "visited_on"},
        {{"2026-06-02", "内容", NULL, NULL}, 400, "future_date", "visited_on"},
        {{"2026-05-04", "", NULL, NULL}, 400, "required", "done"},
        {{"2026-05-04", " \u3000 ", NULL, NULL}, 400, "required", "done"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&e, 0, sizeof e);
        assert_int_equal(visit_check(&bad[i].in, "2026-06-01", &v, &e), CX_ERR);
        assert_int_equal(e.status, bad[i].status);
        assert_string_equal(e.code, bad[i].code);
        assert_string_equal(e.field, bad[i].field);
    }
    memset(&e, 0, sizeof e);
    assert_int_equal(visit_check(&(visit_in){"2026-05-04", "内容", long_text, NULL}, "2026-06-01", &v, &e), CX_ERR);
    assert_string_equal(e.code, "too_long");
    assert_string_equal(e.field, "problems_found");
    char d[11];
    assert_int_equal(liaison_date_check("", "2026-06-01", "since", "联系开始日期", d, &e), CX_OK);
    assert_string_equal(d, "2026-06-01");
    assert_int_equal(liaison_date_check("2026-06-02", "2026-06-01", "since", "联系开始日期", d, &e), CX_ERR);
    assert_string_equal(e.code, "future_date");
    assert_string_equal(e.field, "since");
}

static principal who(int role, const char *path, int64_t uid)
{
    principal p = {.user_id = uid, .ngrants = 1};
    p.grants[0].role = role;
    snprintf(p.grants[0].path, sizeof p.grants[0].path, "%s", path);
    return p;
}

static void who_may_do_what(void **st)
{
    (void)st;
    principal office = who(ROLE_OFFICE, "/1/", 1), town = who(ROLE_OFFICE, "/1/2/", 2), sec = who(ROLE_SECRETARY, "/1/2/3/", 3),
              leader = who(ROLE_LEADER, "/1/2/", 4), other = who(ROLE_LEADER, "/1/5/", 5), member = who(ROLE_MEMBER, "/1/2/3/", 6);
    assert_true(perm_may_run_liaison(&office, "/1/2/"));
    assert_true(perm_may_run_liaison(&town, "/1/2/"));
    assert_false(perm_may_run_liaison(&town, "/1/"));
    assert_false(perm_may_run_liaison(&leader, "/1/2/"));
    assert_false(perm_may_run_liaison(&sec, "/1/2/3/"));
    /* the point at /1/2/3/ */
    assert_true(perm_sees_liaison_point(&sec, "/1/2/3/", false));
    assert_true(perm_sees_liaison_point(&leader, "/1/2/3/", false)); /* a leader over it, not its own */
    assert_true(perm_sees_liaison_point(&other, "/1/2/3/", true));   /* its own leader from elsewhere */
    assert_false(perm_sees_liaison_point(&other, "/1/2/3/", false));
    assert_false(perm_sees_liaison_point(&member, "/1/2/3/", false));
    assert_true(perm_may_record_visit(&other, "/1/2/3/", true));
    assert_false(perm_may_record_visit(&leader, "/1/2/3/", false)); /* someone else's point */
    assert_true(perm_may_record_visit(&town, "/1/2/3/", false));
    assert_false(perm_may_record_visit(&sec, "/1/2/3/", false));
    assert_true(perm_may_rectify_visit(&leader, "/1/2/3/", true));
    assert_false(perm_may_rectify_visit(&other, "/1/2/3/", true)); /* it would not see the item made */
    assert_true(perm_may_rectify_visit(&office, "/1/2/3/", false));
    assert_true(perm_sees_liaison_leader(&other, "/1/5/", true));
    assert_true(perm_sees_liaison_leader(&office, "/1/5/", false));
    assert_false(perm_sees_liaison_leader(&town, "/1/5/", false));
    assert_false(perm_sees_liaison_leader(&leader, "/1/5/", false));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_rule_as_typed), cmocka_unit_test(standing_and_the_limit), cmocka_unit_test(a_visit_as_typed),
        cmocka_unit_test(who_may_do_what),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
