/* test_indicator.c: indicators of a standard set, the set's grade rule in points and the
 * points-weighted score (domain/indicator.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "domain/indicator.h"
#include "store/sector_standard.h"

static void test_check(void **st)
{
    (void)st;
    indicator_ok out[IND_MAX];
    cx_err e = {0};
    indicator_in good[] = {{"1", " 按期召开“三会一课” ", "15"}, {"2", "完成经营目标", "85"}};
    assert_int_equal(indicators_check(good, 2, 2, out, &e), CX_OK);
    assert_string_equal(out[0].title, "按期召开“三会一课”");
    assert_int_equal(out[0].points + out[1].points, 100);
    assert_int_equal(indicators_check(good, 0, 2, out, &e), CX_OK); /* no indicators: reviewed item by item */
    struct {
        indicator_in in;
        const char *code, *field;
    } bad[] = {
        {{"1", "甲", "0"}, "invalid_points", "indicators[0].points"},
        {{"1", "甲", "101"}, "invalid_points", "indicators[0].points"},
        {{"1", "甲", "1.5"}, "invalid_points", "indicators[0].points"},
        {{"1", "甲", NULL}, "invalid_points", "indicators[0].points"},
        {{"3", "甲", "10"}, "invalid_indicators", "indicators[0].item_seq"},
        {{"x", "甲", "10"}, "invalid_indicators", "indicators[0].item_seq"},
        {{"1", "", "10"}, "required", "indicators[0].title"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        indicator_in two[2] = {bad[i].in, {"2", "乙", "10"}};
        assert_int_equal(indicators_check(two, 2, 2, out, &e), CX_ERR);
        assert_int_equal(e.status, 400);
        assert_string_equal(e.field, bad[i].field);
        if (strcmp(bad[i].code, "required")) assert_string_equal(e.code, bad[i].code);
    }
    indicator_in only_first[] = {{"1", "甲", "10"}};
    assert_int_equal(indicators_check(only_first, 1, 2, out, &e), CX_ERR);
    assert_string_equal(e.code, "missing_indicator");
    assert_int_equal(indicators_check(only_first, IND_MAX + 1, 2, out, &e), CX_ERR);
    assert_string_equal(e.code, "invalid_indicators");
}

static void test_rule(void **st)
{
    (void)st;
    int t[3];
    bool has = true;
    cx_err e = {0};
    assert_int_equal(set_rule_check(NULL, "", NULL, 100, t, &has, &e), CX_OK);
    assert_false(has);
    assert_int_equal(set_rule_check("85", "70", "60", 100, t, &has, &e), CX_OK);
    assert_true(has);
    assert_int_equal(t[0], 85);
    assert_int_equal(set_rule_check("85", NULL, "60", 100, t, &has, &e), CX_ERR);
    assert_string_equal(e.field, "t_qualified");
    assert_int_equal(set_rule_check("101", "70", "60", 100, t, &has, &e), CX_ERR);
    assert_string_equal(e.code, "invalid_rule");
    assert_int_equal(set_rule_check("60", "70", "50", 100, t, &has, &e), CX_ERR);
    assert_int_equal(set_rule_check("1", "1", "1", 0, t, &has, &e), CX_ERR); /* a rule in points needs points */
}

static void test_score(void **st)
{
    (void)st;
    review_rules r;
    review_rules_default(&r); /* 好 100, 较好 80, 一般 60, 差 0 */
    int pts[] = {20, 25, 30, 25};
    assert_int_equal(points_score(&r, "1111", pts, 4), 10000);
    assert_int_equal(points_score(&r, "1122", pts, 4), 8900); /* not the plain mean of 90 */
    assert_int_equal(points_score(&r, "112", pts, 4), -1);
    assert_int_equal(points_score(&r, "1152", pts, 4), -1);
    int even[] = {20, 20, 20, 20, 20};
    assert_int_equal(points_score(&r, "12341", even, 5), levels_score(&r, "12341")); /* even points: the plain mean */
    int t[3] = {85, 70, 60};
    rules_with_set(&r, t, 100);
    assert_int_equal(r.t_excellent, 85);
    assert_int_equal(grade_of_score(&r, 8900), GR_1);
    int t2[3] = {17, 14, 12};
    rules_with_set(&r, t2, 20); /* 85%, 70%, 60% of 20 points */
    assert_int_equal(r.t_excellent, 85);
    assert_int_equal(r.t_basic, 60);
}

/* The set of a target: the most specific rule (a sector beats a level), else the campaign's. */
static void test_pick(void **st)
{
    (void)st;
    sector_rule v[] = {
        {.target = "member", .sector = "soe", .org_type = "", .set_id = 11},
        {.target = "member", .sector = "", .org_type = "branch", .set_id = 12},
        {.target = "member", .sector = "soe", .org_type = "branch", .set_id = 13},
        {.target = "org", .sector = "private", .org_type = "", .set_id = 21},
    };
    round_sets rs = {.n = 4, .v = v, .org_set = 1, .member_set = 2};
    assert_int_equal(round_sets_pick(&rs, false, "soe", "branch"), 13);
    assert_int_equal(round_sets_pick(&rs, false, "soe", "general_branch"), 11);
    assert_int_equal(round_sets_pick(&rs, false, "rural", "branch"), 12);
    assert_int_equal(round_sets_pick(&rs, false, "rural", "committee"), 2);
    assert_int_equal(round_sets_pick(&rs, true, "private", "branch"), 21);
    assert_int_equal(round_sets_pick(&rs, true, "soe", "branch"), 1); /* member rules never apply to organisations */
    rs.n = 0;
    assert_int_equal(round_sets_pick(&rs, false, "soe", "branch"), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_check), cmocka_unit_test(test_rule), cmocka_unit_test(test_score),
                                       cmocka_unit_test(test_pick)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
