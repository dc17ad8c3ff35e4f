/* test_contest.c: unit tests of 三比 contests in plain C: a score as a judge types it (and what is
 * refused), a judge's weighted total, the trimmed mean of a five-judge case worked by hand, the
 * plain mean when too few judges submitted, the tie rules and 1224 ranks, the checks of a contest
 * and an item, and the contest predicates of domain/perm.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "domain/contest.h"
#include "domain/perm.h"

static void scores_as_typed(void **st)
{
    (void)st;
    static const struct { const char *in; int max; int64_t want; const char *code; } spec[] = {
        {"85", 100, 8500, NULL}, {" 85.5 ", 100, 8550, NULL}, {"８５．２５", 100, 8525, NULL}, {"0", 100, 0, NULL},
        {"100", 100, 10000, NULL}, {"100.00", 100, 10000, NULL}, {"100.01", 100, 0, "invalid_score"}, {"-1", 100, 0, "invalid_score"},
        {"85.123", 100, 0, "invalid_score"}, {"NaN", 100, 0, "invalid_score"}, {"abc", 100, 0, "invalid_score"}, {"", 100, 0, "invalid_score"},
        {"1e2", 100, 0, "invalid_score"}, {"12..5", 100, 0, "invalid_score"}, {"9", 10, 900, NULL}, {"11", 10, 0, "invalid_score"},
        {".5", 10, 50, NULL}, {"99999999999", 1000, 0, "invalid_score"},
    };
    for (size_t i = 0; i < sizeof spec / sizeof spec[0]; i++) {
        cx_err e = {0};
        int64_t h = -1;
        int rc = contest_score_parse(spec[i].in, spec[i].max, "s", &h, &e);
        if (spec[i].code) {
            assert_int_equal(rc, CX_ERR);
            assert_string_equal(e.code, spec[i].code);
            assert_int_equal(e.status, 422);
        } else {
            assert_int_equal(rc, CX_OK);
            assert_int_equal(h, spec[i].want);
        }
    }
    cx_err e = {0};
    int64_t h = 0;
    assert_int_equal(contest_score_number(NAN, 100, "s", &h, &e), CX_ERR);
    assert_int_equal(contest_score_number(INFINITY, 100, "s", &h, &e), CX_ERR);
    assert_int_equal(contest_score_number(100.5, 100, "s", &h, &e), CX_ERR);
    assert_int_equal(contest_score_number(92.25, 100, "s", &h, &e), CX_OK);
    assert_int_equal(h, 9225);
    char t[24];
    contest_score_text(8550, t);
    assert_string_equal(t, "85.5");
    contest_score_text(8525, t);
    assert_string_equal(t, "85.25");
    contest_score_text(9000, t);
    assert_string_equal(t, "90");
}

static void weighted_totals(void **st)
{
    (void)st;
    /* 业务 60% of 100, 作风 40% of 50: 80 and 45 → 48 + 36 = 84 */
    contest_item_w w[] = {{60, 100}, {40, 50}};
    int64_t s[] = {8000, 4500}, best = 0;
    assert_int_equal(contest_weighted(w, 2, s, &best), 8400);
    assert_int_equal(best, 4800);
    /* thirds round half up once: 1/3 × 100 → 33.33 */
    contest_item_w w3[] = {{100, 3}};
    int64_t s3[] = {100};
    assert_int_equal(contest_weighted(w3, 1, s3, NULL), 3333);
}

/* Five judges, drop 1, worked by hand:
 *   甲 90 85 80 95 70 → drop 95 and 70 → (90+85+80)/3 = 85;      mean 84
 *   乙 85 85 85 85 85 → 85;                                      mean 85  (ties 甲 on 85, higher mean: first)
 *   丙 88 86 84 60 99 → drop 99 and 60 → (88+86+84)/3 = 86;      mean 83.4
 *   丁 80 80 80 80 80 → 80 (best item 48)   戊 80 80 80 80 80 → 80 (best item 48): true tie, ranks 4, 4
 *   己 70 … → 70: rank 6 */
static void trimmed_mean_five_judges(void **st)
{
    (void)st;
    int64_t t[6][5] = {{9000, 8500, 8000, 9500, 7000}, {8500, 8500, 8500, 8500, 8500}, {8800, 8600, 8400, 6000, 9900},
                       {8000, 8000, 8000, 8000, 8000}, {8000, 8000, 8000, 8000, 8000}, {7000, 7000, 7000, 7000, 7000}};
    int64_t b[5] = {4800, 4800, 4800, 4800, 4800};
    contest_line l[6];
    for (int i = 0; i < 6; i++) contest_line_make(t[i], b, 5, 1, &l[i]);
    assert_true(l[0].trimmed);
    assert_int_equal(l[0].score, 8500);
    assert_int_equal(l[0].mean, 8400);
    assert_int_equal(l[1].score, 8500);
    assert_int_equal(l[1].mean, 8500);
    assert_int_equal(l[2].score, 8600);
    assert_int_equal(l[2].mean, 8340);
    contest_rank(l, 6);
    assert_int_equal(l[2].rank, 1); /* 丙 86 */
    assert_int_equal(l[1].rank, 2); /* 乙 85, mean 85 */
    assert_int_equal(l[0].rank, 3); /* 甲 85, mean 84 */
    assert_int_equal(l[3].rank, 4);
    assert_int_equal(l[4].rank, 4); /* a true tie */
    assert_int_equal(l[5].rank, 6); /* 1224: the next rank skips */
    /* the third rule: equal score and mean, the higher best item first */
    int64_t bb[5] = {5000, 5000, 5000, 5000, 5000};
    contest_line m;
    contest_line_make(t[4], bb, 5, 1, &m);
    contest_line two[2] = {l[3], m};
    contest_rank(two, 2);
    assert_int_equal(two[1].rank, 1);
    assert_int_equal(two[0].rank, 2);
}

static void plain_mean_when_too_few(void **st)
{
    (void)st;
    int64_t t[4] = {9000, 8000, 7000, 6000};
    contest_line l;
    contest_line_make(t, NULL, 4, 2, &l); /* 4 < 1 + 2 × 2: nobody would be left */
    assert_false(l.trimmed);
    assert_int_equal(l.score, 7500);
    contest_line_make(t, NULL, 3, 1, &l); /* three judges, one dropped each way: the middle one */
    assert_true(l.trimmed);
    assert_int_equal(l.score, 8000);
    assert_false(contest_trims(2, 1));
    assert_true(contest_trims(3, 1));
    assert_false(contest_trims(4, 2));
    assert_true(contest_trims(5, 2));
    assert_false(contest_trims(9, 0));
    contest_line_make(t, NULL, 3, 0, &l);
    assert_int_equal(l.score, 8000);
    /* rounding half up of a mean in hundredths: (8001 + 8000) / 2 = 8000.5 → 8001 */
    int64_t u[2] = {8001, 8000};
    contest_line_make(u, NULL, 2, 1, &l);
    assert_int_equal(l.score, 8001);
    char m[1024];
    contest_method_text(2, 3, m, sizeof m);
    assert_non_null(strstr(m, "未去分"));
    contest_method_text(1, 3, m, sizeof m);
    assert_non_null(strstr(m, "去掉 1 个最高分和 1 个最低分"));
}

static void checks(void **st)
{
    (void)st;
    contest_ok ok;
    cx_err e = {0};
    contest_in in = {"比技能", "", "窗口服务技能比武", "2026", "window", ""};
    assert_int_equal(contest_check(&in, &ok, &e), CX_OK);
    assert_int_equal(ok.kind, CK_SKILL);
    assert_int_equal(ok.drop, 1);
    assert_string_equal(ok.kind_name, "比技能");
    contest_in custom = {"custom", "", "自定竞赛", "2026", "member", "0"};
    assert_int_equal(contest_check(&custom, &ok, &e), CX_ERR);
    assert_string_equal(e.code, "invalid_kind_name");
    contest_in bad_year = {"skill", "", "x", "26", "member", "1"};
    assert_int_equal(contest_check(&bad_year, &ok, &e), CX_ERR);
    assert_string_equal(e.code, "invalid_year");
    contest_in bad_drop = {"skill", "", "x", "2026", "member", "6"};
    assert_int_equal(contest_check(&bad_drop, &ok, &e), CX_ERR);
    assert_string_equal(e.code, "invalid_drop");
    contest_in bad_kind = {"比颜值", "", "x", "2026", "member", "1"};
    assert_int_equal(contest_check(&bad_kind, &ok, &e), CX_ERR);
    assert_string_equal(e.code, "invalid_kind");
    char name[200];
    int w, max;
    assert_int_equal(contest_item_check("业务能力", "60", "", name, &w, &max, &e), CX_OK);
    assert_int_equal(max, 100);
    assert_int_equal(contest_item_check("业务能力", "0", "", name, &w, &max, &e), CX_ERR);
    assert_string_equal(e.code, "invalid_weight");
    assert_int_equal(contest_item_check("业务能力", "50", "1001", name, &w, &max, &e), CX_ERR);
    assert_string_equal(e.code, "invalid_max_score");
}

static void predicates(void **st)
{
    (void)st;
    principal office = {.user_id = 1, .ngrants = 1, .grants = {{ROLE_OFFICE, 1, "/1/"}}};
    principal member = {.user_id = 2, .member_id = 5, .ngrants = 1, .grants = {{ROLE_MEMBER, 7, "/1/3/7/"}}};
    principal other = {.user_id = 3, .ngrants = 1, .grants = {{ROLE_SECRETARY, 9, "/1/4/9/"}}};
    assert_true(perm_may_run_contest(&office, "/1/3/"));
    assert_false(perm_may_run_contest(&member, "/1/3/"));
    assert_true(perm_may_see_contest(&member, "/1/3/"));
    assert_false(perm_may_see_contest(&other, "/1/3/"));
    assert_true(perm_may_judge_contest(&other, true));
    assert_false(perm_may_judge_contest(&other, false));
    assert_false(perm_may_judge_contest(&member, true)); /* judges are staff */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scores_as_typed), cmocka_unit_test(weighted_totals), cmocka_unit_test(trimmed_mean_five_judges),
        cmocka_unit_test(plain_mean_when_too_few), cmocka_unit_test(checks), cmocka_unit_test(predicates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
