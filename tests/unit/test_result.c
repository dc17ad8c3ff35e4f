/* test_result.c: unit tests of published round results in plain C: 1224 ranks by rate with the
 * minimum of valid ballots (样本不足 apart, no answers never ranked), the order within a rank, the
 * unranked 优秀 list ordered by organisation and name, the check of a publication's settings, the
 * rate as shown, and the results predicates of domain/perm.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "domain/perm.h"
#include "domain/result.h"

static result_line L(int64_t id, const char *name, int64_t valid, int64_t rate)
{
    result_line l = {.ref_id = id, .valid = valid, .rate = rate};
    snprintf(l.name, sizeof l.name, "%s", name);
    snprintf(l.org_name, sizeof l.org_name, "镇");
    return l;
}

static void ranks_1224_with_a_minimum(void **st)
{
    (void)st;
    /* B and C tie at 98.00 % (C with more ballots first), D third-best is 4th; E under the minimum,
     * F without answers: both apart, F (more ballots) before E */
    result_line v[] = {L(1, "A", 40, 9950), L(2, "B", 31, 9800), L(3, "C", 60, 9800), L(4, "D", 30, 9000), L(5, "E", 29, 10000), L(6, "F", 35, -1)};
    result_rank(v, 6, 30);
    static const struct { int64_t id; int rank; } want[] = {{1, 1}, {3, 2}, {2, 2}, {4, 4}, {6, 0}, {5, 0}};
    for (int i = 0; i < 6; i++) {
        assert_int_equal(v[i].ref_id, want[i].id);
        assert_int_equal(v[i].rank, want[i].rank);
    }
    /* all equal: all first */
    result_line t[] = {L(1, "乙", 5, 10000), L(2, "甲", 5, 10000), L(3, "丙", 5, 10000)};
    result_rank(t, 3, 1);
    for (int i = 0; i < 3; i++) assert_int_equal(t[i].rank, 1);
    /* nobody reaches the minimum: nobody ranked */
    result_line u[] = {L(1, "A", 3, 10000), L(2, "B", 2, 5000)};
    result_rank(u, 2, 30);
    assert_int_equal(u[0].rank, 0);
    assert_int_equal(u[1].rank, 0);
    assert_int_equal(u[0].ref_id, 1);
}

static void the_excellent_list_is_unranked(void **st)
{
    (void)st;
    result_line v[] = {L(9, "王五", 0, -1), L(3, "李四", 0, -1), L(5, "张三", 0, -1)};
    snprintf(v[0].org_name, sizeof v[0].org_name, "一支部");
    snprintf(v[1].org_name, sizeof v[1].org_name, "二支部");
    snprintf(v[2].org_name, sizeof v[2].org_name, "一支部");
    result_rank(v, 3, 0);
    for (int i = 0; i < 3; i++) assert_int_equal(v[i].rank, 0);
    assert_string_equal(v[2].org_name, "二支部");
    assert_string_equal(v[0].org_name, "一支部");
}

static void settings_checked(void **st)
{
    (void)st;
    static const struct { const char *round, *kind, *scope, *min; const char *code; int kind_want, scope_want, min_want; } spec[] = {
        {"3", "windows", NULL, NULL, NULL, RL_WINDOWS, RSC_CHILDREN, 30},
        {"3", "windows", "branches", "5", NULL, RL_WINDOWS, RSC_CHILDREN, 5}, /* scope only for organisations */
        {"3", "orgs", "branches", "1", NULL, RL_ORGS, RSC_BRANCHES, 1},
        {"3", "excellent", NULL, "0", NULL, RL_EXCELLENT, RSC_CHILDREN, 0}, /* no minimum for the 优秀 list */
        {"3", "满意窗口排名", NULL, "100000", NULL, RL_WINDOWS, RSC_CHILDREN, 100000},
        {"", "windows", NULL, NULL, "invalid_round", 0, 0, 0}, {"0", "windows", NULL, NULL, "invalid_round", 0, 0, 0},
        {"3x", "windows", NULL, NULL, "invalid_round", 0, 0, 0}, {NULL, "windows", NULL, NULL, "invalid_round", 0, 0, 0},
        {"3", "posts", NULL, NULL, "invalid_kind", 0, 0, 0}, {"3", NULL, NULL, NULL, "invalid_kind", 0, 0, 0},
        {"3", "orgs", "all", NULL, "invalid_scope", 0, 0, 0}, {"3", "windows", NULL, "0", "invalid_min_ballots", 0, 0, 0},
        {"3", "windows", NULL, "100001", "invalid_min_ballots", 0, 0, 0}, {"3", "windows", NULL, "2.5", "invalid_min_ballots", 0, 0, 0},
        {"3", "orgs", NULL, "-1", "invalid_min_ballots", 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof spec / sizeof spec[0]; i++) {
        result_in in = {spec[i].round, spec[i].kind, spec[i].scope, spec[i].min};
        result_ok ok;
        cx_err e = {0};
        int rc = result_check(&in, &ok, &e);
        if (spec[i].code) {
            assert_int_equal(rc, CX_ERR);
            assert_string_equal(e.code, spec[i].code);
            assert_int_equal(e.status, 422);
            assert_true(e.msg[0] != 0);
        } else {
            assert_int_equal(rc, CX_OK);
            assert_int_equal(ok.round_id, 3);
            assert_int_equal(ok.kind, spec[i].kind_want);
            assert_int_equal(ok.scope, spec[i].scope_want);
            assert_int_equal(ok.min_ballots, spec[i].min_want);
        }
    }
}

static void rate_and_method_text(void **st)
{
    (void)st;
    char s[24], m[1024];
    result_rate_text(9333, s);
    assert_string_equal(s, "93.33%");
    result_rate_text(10000, s);
    assert_string_equal(s, "100.00%");
    result_rate_text(5, s);
    assert_string_equal(s, "0.05%");
    result_rate_text(-1, s);
    assert_string_equal(s, "—");
    result_method_text(RL_WINDOWS, RSC_CHILDREN, 30, m, sizeof m);
    assert_non_null(strstr(m, "党员示范岗和责任区不参与排名"));
    assert_non_null(strstr(m, "有效评价不少于 30 份"));
    result_method_text(RL_EXCELLENT, RSC_CHILDREN, 0, m, sizeof m);
    assert_non_null(strstr(m, "审批同意"));
}

static void results_predicates(void **st)
{
    (void)st;
    principal office = {.user_id = 1, .ngrants = 1, .grants = {{ROLE_OFFICE, 2, "/1/2/"}}};
    principal secretary = {.user_id = 2, .ngrants = 1, .grants = {{ROLE_SECRETARY, 3, "/1/2/3/"}}};
    assert_true(perm_may_publish_results(&office, "/1/2/"));
    assert_true(perm_may_publish_results(&office, "/1/2/3/"));
    assert_false(perm_may_publish_results(&office, "/1/5/"));
    assert_false(perm_may_publish_results(&office, "/1/"));
    assert_false(perm_may_publish_results(&secretary, "/1/2/3/"));
    assert_true(perm_may_see_results(&secretary, "/1/2/")); /* a list of the office above: in the secretary's area */
    assert_false(perm_may_see_results(&secretary, "/1/5/"));
    assert_false(perm_may_publish_results(NULL, "/1/"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ranks_1224_with_a_minimum), cmocka_unit_test(the_excellent_list_is_unranked), cmocka_unit_test(settings_checked),
        cmocka_unit_test(rate_and_method_text), cmocka_unit_test(results_predicates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
