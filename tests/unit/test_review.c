/* test_review.c: unit tests of the grading rules: scores, the composite with absent components,
 * thresholds, the 优秀 cap of 民主评议 (ties at the boundary, small branches), exclusions and
 * 预备党员, vetoes, 五带头, branch-meeting numbers, rule checks, and the reproducible draw. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "domain/review.h"
#include "store/rollup.h"

static review_rules R;

static int setup(void **st)
{
    (void)st;
    review_rules_default(&R);
    return 0;
}

/* A member with every component at score v (×100), not excluded, criteria met. */
static grade_in member_at(int64_t id, int64_t v)
{
    grade_in g = {.id = id, .exclusion = EX_NONE, .criteria_ok = 1};
    for (int i = 0; i < C_N; i++) g.s[i] = v;
    return g;
}

static void test_labels_and_codes(void **st)
{
    (void)st;
    assert_string_equal(level_label(LV_GOOD), "好");
    assert_string_equal(level_label(LV_POOR), "差");
    assert_string_equal(level_label(5), "");
    assert_string_equal(answer_label(ANS_BASIC), "基本满意");
    assert_string_equal(grade_label(GR_1, false), "优秀");
    assert_string_equal(grade_label(GR_1, true), "好");
    assert_string_equal(grade_label(GR_4, false), "不合格");
    assert_string_equal(grade_label(GR_3, true), "一般");
    for (int g = GR_NONE; g <= GR_4; g++) assert_int_equal(grade_from_code(grade_code(g)), g);
    assert_int_equal(grade_from_code("good"), -1);
    assert_int_equal(exclusion_from_code("away"), EX_AWAY);
    assert_int_equal(exclusion_from_code("probationary"), -1); /* decided by the member's status */
    assert_int_equal(exclusion_from_code("holiday"), -1);
}

static void test_questions(void **st)
{
    (void)st;
    const char *const *q;
    assert_int_equal(questions_of("party3", &q), 3);
    assert_string_equal(q[0], "党性观念强不强");
    assert_string_equal(q[2], "发挥先锋模范作用明显不明显");
    assert_int_equal(questions_of("window6", &q), 6);
    assert_string_equal(q[0], "政策落实情况");
    assert_string_equal(q[5], "廉洁自律情况");
    assert_int_equal(questions_of("nine", &q), 0);
    assert_int_equal(questions_of(NULL, NULL), 0);
}

static void test_digit_checks(void **st)
{
    (void)st;
    cx_err e;
    assert_int_equal(levels_check("12341", 5, "levels", &e), CX_OK);
    assert_int_equal(levels_check("1234", 5, "levels", &e), CX_ERR);
    assert_string_equal(e.field, "levels");
    assert_non_null(strstr(e.msg, "5 项"));
    assert_int_equal(levels_check("12351", 5, "levels", &e), CX_ERR);
    assert_non_null(strstr(e.msg, "第 4 项"));
    assert_int_equal(levels_check("1234a", 5, "levels", &e), CX_ERR);
    assert_int_equal(levels_check(NULL, 5, "levels", &e), CX_ERR);
    assert_int_equal(answers_check("123", 3, "answers", &e), CX_OK);
    assert_int_equal(answers_check("124", 3, "answers", &e), CX_ERR);
    assert_int_equal(answers_check("0", 1, "answers", &e), CX_ERR);
    assert_true(answers_unsatisfied("113"));
    assert_false(answers_unsatisfied("1122"));
}

static void test_scores(void **st)
{
    (void)st;
    /* 好 100, 较好 80, 一般 60, 差 0 */
    assert_int_equal(levels_score(&R, "11111"), 10000);
    assert_int_equal(levels_score(&R, "12"), 9000);
    assert_int_equal(levels_score(&R, "123"), 8000);
    assert_int_equal(levels_score(&R, "4"), 0);
    assert_int_equal(levels_score(&R, ""), -1);
    /* 满意 100, 基本满意 60, 不满意 0; 1/3 rounds half up */
    assert_int_equal(answers_score(&R, "112"), 8667);
    assert_int_equal(answers_score(&R, "333"), 0);
    mean_acc m = {0, 0};
    assert_int_equal(mean_get(&m), -1);
    mean_add(&m, 9000);
    mean_add(&m, -1); /* absent values are ignored */
    mean_add(&m, 8001);
    assert_int_equal(mean_get(&m), 8501);
}

static void test_composite(void **st)
{
    (void)st;
    int64_t s[C_N] = {10000, 8000, 9000, 7000, 10000};
    /* 20/20/20/30/10: (100*20 + 80*20 + 90*20 + 70*30 + 100*10) / 100 = 85 */
    assert_int_equal(composite_score(&R, s), 8500);
    /* absent public: weights 20/20/20/10 over 70 → (2000+1600+1800+1000)/70 = 91.43 */
    int64_t t[C_N] = {10000, 8000, 9000, -1, 10000};
    assert_int_equal(composite_score(&R, t), 9143);
    int64_t none[C_N] = {-1, -1, -1, -1, -1};
    assert_int_equal(composite_score(&R, none), -1);
    /* a component with weight 0 counts for nothing even when present */
    review_rules z = R;
    z.w[C_SELF] = 0, z.w[C_PUBLIC] = 50;
    int64_t u[C_N] = {0, -1, -1, 8000, -1};
    assert_int_equal(composite_score(&z, u), 8000);
}

static void test_thresholds(void **st)
{
    (void)st;
    assert_int_equal(grade_of_score(&R, 9000), GR_1);
    assert_int_equal(grade_of_score(&R, 8999), GR_2);
    assert_int_equal(grade_of_score(&R, 7000), GR_2);
    assert_int_equal(grade_of_score(&R, 6999), GR_3);
    assert_int_equal(grade_of_score(&R, 6000), GR_3);
    assert_int_equal(grade_of_score(&R, 5999), GR_4);
    assert_int_equal(grade_of_score(&R, 0), GR_4);
}

static void test_cap_one_third(void **st)
{
    (void)st;
    /* 7 graded → at most 2 优秀; four score above 90: the best two keep it */
    grade_in in[7] = {member_at(1, 9500), member_at(2, 9900), member_at(3, 9100), member_at(4, 9700),
                      member_at(5, 8000), member_at(6, 7500), member_at(7, 6500)};
    grade_out out[7];
    assert_int_equal(grade_branch(&R, false, in, out, 7), 7);
    assert_int_equal(excellent_cap(&R, 7), 2);
    assert_int_equal(out[1].grade, GR_1);
    assert_int_equal(out[3].grade, GR_1);
    assert_int_equal(out[0].grade, GR_2);
    assert_int_equal(out[2].grade, GR_2);
    assert_non_null(strstr(out[0].note, "三分之一"));
    assert_int_equal(out[4].grade, GR_2);
    assert_string_equal(out[4].note, "");
    assert_int_equal(out[6].grade, GR_3);
    for (int i = 0; i < 7; i++) assert_int_equal(out[i].id, i + 1);
}

static void test_cap_ties(void **st)
{
    (void)st;
    /* 6 graded → cap 2. Scores 99, 95, 95, 91: the cap falls inside the 95 pair, so neither 95
     * keeps 优秀 (the branch meeting decides), the 91 is over the cap, the 99 keeps it. */
    grade_in in[6] = {member_at(1, 9500), member_at(2, 9900), member_at(3, 9500), member_at(4, 9100),
                      member_at(5, 7000), member_at(6, 7000)};
    grade_out out[6];
    grade_branch(&R, false, in, out, 6);
    assert_int_equal(out[1].grade, GR_1);
    assert_int_equal(out[0].grade, GR_2);
    assert_int_equal(out[2].grade, GR_2);
    assert_non_null(strstr(out[0].note, "并列"));
    assert_non_null(strstr(out[2].note, "并列"));
    assert_int_equal(out[3].grade, GR_2);
    assert_null(strstr(out[3].note, "并列"));
    /* a tie just beyond the cap is not a tie at the boundary: 99, 98 keep, the two 95s are over */
    in[2].s[0] = in[2].s[1] = in[2].s[2] = in[2].s[3] = in[2].s[4] = 9800;
    grade_branch(&R, false, in, out, 6);
    assert_int_equal(out[1].grade, GR_1);
    assert_int_equal(out[2].grade, GR_1);
    assert_int_equal(out[0].grade, GR_2);
    assert_null(strstr(out[0].note, "并列"));
    /* everyone tied above the threshold: nobody can be chosen by software */
    grade_in all[3] = {member_at(1, 9500), member_at(2, 9500), member_at(3, 9500)};
    grade_out o3[3];
    grade_branch(&R, false, all, o3, 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(o3[i].grade, GR_2);
        assert_non_null(strstr(o3[i].note, "并列"));
    }
}

static void test_cap_small_branches(void **st)
{
    (void)st;
    /* 1 or 2 graded members: a third of them is less than one, so nobody is 优秀 */
    grade_in in[2] = {member_at(1, 10000), member_at(2, 9500)};
    grade_out out[2];
    grade_branch(&R, false, in, out, 1);
    assert_int_equal(out[0].grade, GR_2);
    grade_branch(&R, false, in, out, 2);
    assert_int_equal(out[0].grade, GR_2);
    assert_int_equal(out[1].grade, GR_2);
    /* 3 graded: one 优秀 */
    grade_in in3[3] = {member_at(1, 10000), member_at(2, 9500), member_at(3, 8000)};
    grade_out o3[3];
    grade_branch(&R, false, in3, o3, 3);
    assert_int_equal(o3[0].grade, GR_1);
    assert_int_equal(o3[1].grade, GR_2);
    /* an empty branch grades nobody */
    assert_int_equal(grade_branch(&R, false, NULL, NULL, 0), 0);
    /* a rule of 1/2 (refused by review_rules_check, but say a stored row was edited) still gives
     * no more than a third: 2 graded → nobody 优秀; 6 graded → 2, not 3 */
    review_rules half = R;
    half.cap_den = 2;
    grade_branch(&half, false, in, out, 2);
    assert_int_equal(out[0].grade, GR_2);
    assert_int_equal(out[1].grade, GR_2);
    assert_int_equal(excellent_cap(&half, 6), 2);
    /* a lower rule of 1/4 is the office's to set: 8 graded → 2, where a third would be 2, 12 → 3 */
    review_rules quarter = R;
    quarter.cap_den = 4;
    assert_int_equal(excellent_cap(&quarter, 7), 1);
    assert_int_equal(excellent_cap(&quarter, 12), 3);
}

static void test_exclusions(void **st)
{
    (void)st;
    /* 4 members, of whom a 预备党员 and one away are not graded and not counted: 2 graded → cap 0 */
    grade_in in[4] = {member_at(1, 9900), member_at(2, 9800), member_at(3, 9700), member_at(4, 9600)};
    in[0].exclusion = EX_PROBATIONARY;
    in[1].exclusion = EX_AWAY;
    grade_out out[4];
    assert_int_equal(grade_branch(&R, false, in, out, 4), 2);
    assert_int_equal(out[0].grade, GR_NONE);
    assert_non_null(strstr(out[0].note, "预备党员"));
    assert_int_equal(out[1].grade, GR_NONE);
    assert_non_null(strstr(out[1].note, "不计入"));
    assert_false(out[0].meets);
    assert_int_equal(out[2].grade, GR_2);
    assert_int_equal(out[3].grade, GR_2);
    /* the same branch with 6 graded members gets its 2 优秀 */
    grade_in six[6] = {member_at(1, 9900), member_at(2, 9800), member_at(3, 9700), member_at(4, 9600),
                       member_at(5, 7000), member_at(6, 7000)};
    grade_out o6[6];
    assert_int_equal(grade_branch(&R, false, six, o6, 6), 6);
    assert_int_equal(o6[0].grade, GR_1);
    assert_int_equal(o6[1].grade, GR_1);
    assert_int_equal(o6[2].grade, GR_2);
    /* nothing recorded yet: not graded, not counted */
    grade_in empty = {.id = 9, .s = {-1, -1, -1, -1, -1}, .criteria_ok = 0};
    grade_out eo;
    assert_int_equal(grade_branch(&R, false, &empty, &eo, 1), 0);
    assert_int_equal(eo.grade, GR_NONE);
    assert_int_equal(eo.score, -1);
}

static void test_veto_and_meets(void **st)
{
    (void)st;
    grade_in in[4] = {member_at(1, 10000), member_at(2, 9000), member_at(3, 8000), member_at(4, 8000)};
    in[0].veto = true;
    in[3].criteria_ok = 0;
    grade_out out[4];
    grade_branch(&R, false, in, out, 4);
    assert_int_equal(out[0].grade, GR_4); /* a veto beats a perfect score */
    assert_non_null(strstr(out[0].note, "否决"));
    assert_false(out[0].meets);
    assert_int_equal(out[1].grade, GR_1); /* and frees the 优秀 place (cap 1 of 4) */
    assert_true(out[1].meets);
    assert_int_equal(out[2].grade, GR_2);
    assert_true(out[2].meets);
    assert_int_equal(out[3].grade, GR_2);
    assert_false(out[3].meets); /* 合格 but a criterion below 较好: not 五带头 */
    /* a veto with no score at all still grades 不合格 */
    grade_in v = {.id = 5, .s = {-1, -1, -1, -1, -1}, .veto = true};
    grade_out vo;
    assert_int_equal(grade_branch(&R, false, &v, &vo, 1), 1);
    assert_int_equal(vo.grade, GR_4);
}

static void test_orgs_have_no_cap(void **st)
{
    (void)st;
    grade_in in[3] = {member_at(1, 9500), member_at(2, 9600), member_at(3, 6500)};
    grade_out out[3];
    assert_int_equal(grade_branch(&R, true, in, out, 3), 3);
    assert_int_equal(out[0].grade, GR_1);
    assert_int_equal(out[1].grade, GR_1);
    assert_int_equal(out[2].grade, GR_3);
    assert_true(out[0].meets);
    assert_false(out[2].meets);
    assert_string_equal(grade_label(out[0].grade, true), "好");
}

static void test_meeting(void **st)
{
    (void)st;
    cx_err e;
    assert_int_equal(meeting_check(30, 16, 16, &e), CX_OK);
    assert_int_equal(meeting_check(30, 15, 15, &e), CX_ERR); /* exactly half present: no quorum */
    assert_string_equal(e.code, "no_quorum");
    assert_int_equal(meeting_check(30, 25, 15, &e), CX_ERR); /* half of those entitled is not enough */
    assert_string_equal(e.code, "motion_failed");
    assert_int_equal(meeting_check(30, 31, 16, &e), CX_ERR);
    assert_string_equal(e.field, "present");
    assert_int_equal(meeting_check(30, 20, 21, &e), CX_ERR);
    assert_string_equal(e.field, "in_favour");
    assert_int_equal(meeting_check(0, 0, 0, &e), CX_ERR);
    assert_string_equal(e.field, "entitled");
    assert_int_equal(meeting_check(1, 1, 1, &e), CX_OK);
}

static void test_rules_check(void **st)
{
    (void)st;
    cx_err e;
    assert_int_equal(review_rules_check(&R, &e), CX_OK);
    review_rules x = R;
    x.w[C_PUBLIC] = 31;
    assert_int_equal(review_rules_check(&x, &e), CX_ERR);
    assert_non_null(strstr(e.msg, "101"));
    x = R, x.w[C_SELF] = -5, x.w[C_PEER] = 45;
    assert_int_equal(review_rules_check(&x, &e), CX_ERR);
    assert_string_equal(e.field, "w_self");
    x = R, x.t_qualified = 95;
    assert_int_equal(review_rules_check(&x, &e), CX_ERR);
    assert_string_equal(e.field, "t_qualified");
    x = R, x.s_ans[1] = 100, x.s_ans[0] = 90;
    assert_int_equal(review_rules_check(&x, &e), CX_ERR);
    x = R, x.cap_num = 2, x.cap_den = 1;
    assert_int_equal(review_rules_check(&x, &e), CX_ERR);
    assert_string_equal(e.field, "cap_num");
    /* the ⌊⅓⌋ ceiling of 民主评议: an office may lower it (1/4, 1/5, 0), never raise it */
    static const int raised[][2] = {{1, 2}, {2, 3}, {1, 1}, {34, 100}};
    for (size_t i = 0; i < sizeof raised / sizeof raised[0]; i++) {
        x = R, x.cap_num = raised[i][0], x.cap_den = raised[i][1];
        assert_int_equal(review_rules_check(&x, &e), CX_ERR);
        assert_string_equal(e.code, "invalid_rules");
        assert_non_null(strstr(e.msg, "三分之一"));
    }
    static const int lowered[][2] = {{1, 3}, {1, 4}, {0, 1}, {33, 100}, {2, 6}};
    for (size_t i = 0; i < sizeof lowered / sizeof lowered[0]; i++) {
        x = R, x.cap_num = lowered[i][0], x.cap_den = lowered[i][1];
        assert_int_equal(review_rules_check(&x, &e), CX_OK);
    }
    x = R, x.cap_den = 0;
    assert_int_equal(review_rules_check(&x, &e), CX_ERR);
    x = R, x.min_ballots = 0;
    assert_int_equal(review_rules_check(&x, &e), CX_ERR);
    x = R, x.veto_unsatisfied_pct = 101;
    assert_int_equal(review_rules_check(&x, &e), CX_ERR);
}

static void test_draw(void **st)
{
    (void)st;
    uint32_t a[10], b[10], c[10];
    draw_sample(20110701, 1000, 10, a);
    draw_sample(20110701, 1000, 10, b);
    draw_sample(20110702, 1000, 10, c);
    assert_memory_equal(a, b, sizeof a); /* same seed, same draw */
    assert_memory_not_equal(a, c, sizeof a);
    for (int i = 0; i < 10; i++) {
        assert_true(a[i] < 1000);
        for (int j = 0; j < i; j++) assert_int_not_equal(a[i], a[j]); /* distinct */
    }
    /* the draw is pinned: the same numbers on every machine and every future build, so a
     * recorded seed re-runs to the recorded entries */
    uint32_t p[5];
    draw_sample(42, 100, 5, p);
    char got[64];
    snprintf(got, sizeof got, "%u %u %u %u %u", p[0], p[1], p[2], p[3], p[4]);
    assert_string_equal(got, "13 83 86 9 2");
    /* drawing everyone is a permutation */
    uint32_t all[50];
    int seen[50] = {0};
    draw_sample(7, 50, 50, all);
    for (int i = 0; i < 50; i++) seen[all[i]]++;
    for (int i = 0; i < 50; i++) assert_int_equal(seen[i], 1);
    /* n beyond the population is cut to the population */
    uint32_t few[3] = {99, 99, 99};
    draw_sample(1, 2, 2, few);
    assert_true(few[0] < 2 && few[1] < 2 && few[0] != few[1]);
}

static void test_rollup_deltas(void **st)
{
    (void)st;
    /* the counters a ballot and a grade move: what recount rebuilds from raw records */
    rollup r = {{0}};
    rollup_of_ballot(&r, ballot_class(true, true, ""), "paper", "112", 1);
    rollup_of_ballot(&r, ballot_class(true, true, ""), "web", "333", 1);
    rollup_of_ballot(&r, ballot_class(false, true, ""), "paper", "111", 1); /* an invalid ballot's answers count nowhere */
    /* nor do an unverified web ballot's, a held one's or a discarded one's */
    rollup_of_ballot(&r, ballot_class(true, false, ""), "web", "111", 1);
    rollup_of_ballot(&r, ballot_class(true, true, "held"), "web", "111", 1);
    rollup_of_ballot(&r, ballot_class(true, true, "discarded"), "web", "111", 1);
    assert_int_equal(r.v[RU_BALLOTS_VALID], 2);
    assert_int_equal(r.v[RU_BALLOTS_PAPER], 1);
    assert_int_equal(r.v[RU_BALLOTS_WEB], 1);
    assert_int_equal(r.v[RU_BALLOTS_UNVERIFIED], 1);
    assert_int_equal(r.v[RU_BALLOTS_HELD], 1);
    assert_int_equal(r.v[RU_BALLOTS_INVALID], 2);
    assert_int_equal(r.v[RU_ANS_SATISFIED], 2);
    assert_int_equal(r.v[RU_ANS_BASIC], 1);
    assert_int_equal(r.v[RU_ANS_UNSATISFIED], 3);
    assert_int_equal(rollup_satisfaction(&r), 5000); /* 3 of 6 answers: 50.00% */
    rollup_of_ballot(&r, BC_COUNTED, "web", "333", -1); /* taking a ballot away undoes it */
    assert_int_equal(rollup_satisfaction(&r), 10000);
    rollup empty = {{0}};
    assert_int_equal(rollup_satisfaction(&empty), -1);
    /* a grade changed from 优秀 (meets) to 合格 (does not) */
    rollup g = {{0}};
    rollup_of_grade(&g, false, GR_1, true, -1);
    rollup_of_grade(&g, false, GR_2, false, 1);
    assert_int_equal(g.v[RU_MEMBERS_GRADED], 0);
    assert_int_equal(g.v[RU_MEMBERS_EXCELLENT], -1);
    assert_int_equal(g.v[RU_MEMBERS_QUALIFIED], 1);
    assert_int_equal(g.v[RU_MEMBERS_MEETING], -1);
    rollup_of_grade(&g, false, GR_NONE, false, 1); /* not graded: counts nowhere */
    rollup_of_grade(&g, true, GR_3, false, 1);
    assert_int_equal(g.v[RU_ORGS_GRADED], 1);
    assert_int_equal(g.v[RU_ORGS_MEETING], 0);
    assert_int_equal(g.v[RU_MEMBERS_GRADED], 0);
    /* every counter has a column and a label */
    for (int i = 0; i < RU_N; i++) {
        assert_non_null(rollup_cols[i]);
        assert_true(rollup_labels[i][0] != 0);
    }
}

/* ---- what people type (the checks before the store) ---- */

/* n copies of the character c (UTF-8), in a buffer of the test's. */
static const char *chars(char *dst, const char *c, int n)
{
    dst[0] = 0;
    for (int i = 0; i < n; i++) strcat(dst, c);
    return dst;
}

/* e says code on field. */
static void refused(int rc, const cx_err *e, const char *code, const char *field)
{
    assert_int_equal(rc, CX_ERR);
    assert_int_equal(e->status, 400);
    assert_string_equal(e->code, code);
    assert_string_equal(e->field, field);
}

static char long_text[8192];

static void test_campaign_input(void **st)
{
    (void)st;
    campaign_ok c;
    cx_err e = {0};
    assert_int_equal(campaign_check(&(campaign_in){"\u3000 创先争优比贡献\t", " 2026/1/5 ", "2026年12月31日"}, &c, &e), CX_OK);
    assert_string_equal(c.theme, "创先争优比贡献");
    assert_string_equal(c.start_date, "2026-01-05");
    assert_string_equal(c.end_date, "2026-12-31");
    refused(campaign_check(&(campaign_in){"   ", "2026-01-05", "2026-12-31"}, &c, &e), &e, "required", "theme");
    refused(campaign_check(&(campaign_in){"\u3000\u3000", "2026-01-05", "2026-12-31"}, &c, &e), &e, "required", "theme");
    refused(campaign_check(&(campaign_in){"创先争优\n比贡献", "2026-01-05", "2026-12-31"}, &c, &e), &e, "invalid_text", "theme");
    refused(campaign_check(&(campaign_in){"创先\xff争优", "2026-01-05", "2026-12-31"}, &c, &e), &e, "invalid_text", "theme");
    assert_int_equal(campaign_check(&(campaign_in){chars(long_text, "创", 60), "2026-01-05", "2026-12-31"}, &c, &e), CX_OK);
    refused(campaign_check(&(campaign_in){chars(long_text, "创", 61), "2026-01-05", "2026-12-31"}, &c, &e), &e, "too_long", "theme");
    refused(campaign_check(&(campaign_in){"活动", "2026-02-30", "2026-12-31"}, &c, &e), &e, "invalid_date", "start_date");
    refused(campaign_check(&(campaign_in){"活动", "2026-01-05", ""}, &c, &e), &e, "invalid_date", "end_date");
    refused(campaign_check(&(campaign_in){"活动", "2026-01-05", "2026-01-05"}, &c, &e), &e, "invalid_period", "end_date");

    phase_ok p;
    assert_int_equal(phase_check(&(phase_in){" 学习动员\r\n阶段 ", "2026-03-01", "2026-03-01"}, &p, &e), CX_OK); /* one day; lines allowed */
    assert_string_equal(p.name, "学习动员\r\n阶段");
    refused(phase_check(&(phase_in){"\u3000", "2026-03-01", "2026-04-01"}, &p, &e), &e, "required", "name");
    refused(phase_check(&(phase_in){chars(long_text, "阶", 61), "2026-03-01", "2026-04-01"}, &p, &e), &e, "too_long", "name");
    refused(phase_check(&(phase_in){"阶段", "2026-05-01", "2026-04-01"}, &p, &e), &e, "invalid_period", "end_date");

    round_ok r;
    assert_int_equal(round_check(&(round_in){" 2026年上半年 ", "2026-01-01", "2026-06-30", ""}, &r, &e), CX_OK);
    assert_string_equal(r.name, "2026年上半年");
    assert_string_equal(r.questions, "party3");
    assert_int_equal(round_check(&(round_in){"窗口", "2026-01-01", "2026-06-30", "window6"}, &r, &e), CX_OK);
    assert_string_equal(r.questions, "window6");
    refused(round_check(&(round_in){"", "2026-01-01", "2026-06-30", "seven"}, &r, &e), &e, "invalid_questions", "questions");
    refused(round_check(&(round_in){" \t", "2026-01-01", "2026-06-30", NULL}, &r, &e), &e, "required", "name");
    refused(round_check(&(round_in){chars(long_text, "轮", 41), "2026-01-01", "2026-06-30", NULL}, &r, &e), &e, "too_long", "name");
    refused(round_check(&(round_in){"上半年", "2026-06-01", "2026-01-01", NULL}, &r, &e), &e, "invalid_period", "end_date");
}

static void test_standard_input(void **st)
{
    (void)st;
    static standard_ok s;
    cx_err e = {0};
    const char *titles[2] = {"\u3000政治引领强 ", "发展带动强"}, *bodies[2] = {" 旗帜鲜明讲政治\n", ""};
    assert_int_equal(standard_check(&(standard_in){"siqiang", " 四强党组织 ", "org", titles, bodies, 2}, &s, &e), CX_OK);
    assert_string_equal(s.code, "siqiang");
    assert_string_equal(s.name, "四强党组织");
    assert_string_equal(s.target, "org");
    assert_int_equal(s.n, 2);
    assert_string_equal(s.items[0].title, "政治引领强");
    assert_string_equal(s.items[0].body, "旗帜鲜明讲政治");
    assert_string_equal(s.items[1].body, "");
    refused(standard_check(&(standard_in){"Bad Code", "四强", "org", titles, bodies, 2}, &s, &e), &e, "invalid_code", "code");
    refused(standard_check(&(standard_in){" siqiang", "四强", "org", titles, bodies, 2}, &s, &e), &e, "invalid_code", "code");
    refused(standard_check(&(standard_in){"s", "四强", "org", titles, bodies, 2}, &s, &e), &e, "invalid_code", "code");
    refused(standard_check(&(standard_in){"siqiang", "四强", "team", titles, bodies, 2}, &s, &e), &e, "invalid_target", "target");
    refused(standard_check(&(standard_in){"siqiang", "四强", "member", titles, bodies, 0}, &s, &e), &e, "invalid_items", "items");
    refused(standard_check(&(standard_in){"siqiang", "四强", "member", titles, bodies, STD_MAX_ITEMS + 1}, &s, &e), &e, "invalid_items", "items");
    refused(standard_check(&(standard_in){"siqiang", "\u3000", "org", titles, bodies, 2}, &s, &e), &e, "required", "name");
    refused(standard_check(&(standard_in){"siqiang", chars(long_text, "强", 31), "org", titles, bodies, 2}, &s, &e), &e, "too_long", "name");
    const char *blank[2] = {"政治引领强", " \u3000"};
    refused(standard_check(&(standard_in){"siqiang", "四强", "org", blank, bodies, 2}, &s, &e), &e, "required", "items[1].title");
    const char *bad[2] = {"政治引领强", "发展\xc3"};
    refused(standard_check(&(standard_in){"siqiang", "四强", "org", bad, bodies, 2}, &s, &e), &e, "invalid_text", "items[1].title");
    const char *long_body[2] = {chars(long_text, "内", 501), ""};
    refused(standard_check(&(standard_in){"siqiang", "四强", "org", titles, long_body, 2}, &s, &e), &e, "too_long", "items[0].body");

    carrier_ok k;
    assert_int_equal(carrier_check(&(carrier_in){" 党员先锋岗\u3000", NULL}, &k, &e), CX_OK);
    assert_string_equal(k.name, "党员先锋岗");
    assert_string_equal(k.description, "");
    refused(carrier_check(&(carrier_in){"\u3000", "三亮三比三评"}, &k, &e), &e, "required", "name");
    refused(carrier_check(&(carrier_in){chars(long_text, "岗", 41), ""}, &k, &e), &e, "too_long", "name");
    assert_int_equal(carrier_check(&(carrier_in){"先锋岗", chars(long_text, "评", 500)}, &k, &e), CX_OK);
    refused(carrier_check(&(carrier_in){"先锋岗", chars(long_text, "评", 501)}, &k, &e), &e, "too_long", "description");
    refused(carrier_check(&(carrier_in){"先锋岗", "亮身份\xed\xa0\x80"}, &k, &e), &e, "invalid_text", "description");
}

static void test_review_input(void **st)
{
    (void)st;
    static review_ok r;
    cx_err e = {0};
    review_in self = {"11211", "", " 理论学习不够\u3000", "\n每月走访 4 户\n"};
    assert_int_equal(review_check(&self, true, &r, &e), CX_OK);
    assert_string_equal(r.levels, "11211"); /* as typed: the store counts the campaign's items */
    assert_string_equal(r.achievements, "");
    assert_string_equal(r.shortcomings, "理论学习不够");
    assert_string_equal(r.direction, "每月走访 4 户");
    refused(review_check(&(review_in){"11211", "成绩", " ", "方向"}, true, &r, &e), &e, "required", "shortcomings");
    refused(review_check(&(review_in){"11211", "成绩", "不足", "\u3000\u3000"}, true, &r, &e), &e, "required", "direction");
    refused(review_check(&(review_in){"11211", chars(long_text, "绩", 1001), "不足", "方向"}, true, &r, &e), &e, "too_long", "achievements");
    refused(review_check(&(review_in){"11211", "成绩", "不足\xff", "方向"}, true, &r, &e), &e, "invalid_text", "shortcomings");
    /* a peer review: the remark alone, at most 500 characters, and nothing else kept */
    assert_int_equal(review_check(&(review_in){"22222", "成绩", NULL, "方向"}, false, &r, &e), CX_OK);
    assert_string_equal(r.achievements, "");
    assert_string_equal(r.shortcomings, "");
    assert_string_equal(r.direction, "");
    assert_int_equal(review_check(&(review_in){"22222", NULL, chars(long_text, "议", 500), NULL}, false, &r, &e), CX_OK);
    refused(review_check(&(review_in){"22222", NULL, chars(long_text, "议", 501), NULL}, false, &r, &e), &e, "too_long", "shortcomings");
}

static void test_commentary_input(void **st)
{
    (void)st;
    static commentary_ok c;
    cx_err e = {0};
    assert_int_equal(commentary_check(&(commentary_in){"2", " 肯定\u3000", "问题\n其二", "方向"}, &c, &e), CX_OK);
    assert_int_equal(c.level, LV_FAIR);
    assert_string_equal(c.achievements, "肯定");
    assert_string_equal(c.problems, "问题\n其二");
    refused(commentary_check(&(commentary_in){"5", "肯定", "问题", "方向"}, &c, &e), &e, "invalid_level", "level");
    refused(commentary_check(&(commentary_in){" 1", "肯定", "问题", "方向"}, &c, &e), &e, "invalid_level", "level");
    refused(commentary_check(&(commentary_in){NULL, "肯定", "问题", "方向"}, &c, &e), &e, "invalid_level", "level");
    refused(commentary_check(&(commentary_in){"1", "\u3000", "问题", "方向"}, &c, &e), &e, "required", "achievements");
    refused(commentary_check(&(commentary_in){"1", "肯定", "问题\xc0\xaf", "方向"}, &c, &e), &e, "invalid_text", "problems");
    assert_int_equal(commentary_check(&(commentary_in){"1", "肯定", "问题", chars(long_text, "向", 1000)}, &c, &e), CX_OK);
    refused(commentary_check(&(commentary_in){"1", "肯定", "问题", chars(long_text, "向", 1001)}, &c, &e), &e, "too_long", "direction");
}

static void test_grade_input(void **st)
{
    (void)st;
    static meeting_ok m;
    cx_err e = {0};
    meeting_in in = {.grade = GR_2, .entitled = 0, .present = 9, .in_favour = 7, .reason = " 支部党员大会讨论决定\u3000", .date = NULL};
    assert_int_equal(decision_check(&in, "2026-06-15", &m, &e), CX_OK);
    assert_string_equal(m.reason, "支部党员大会讨论决定");
    assert_string_equal(m.date, "2026-06-15"); /* today when left out */
    assert_false(m.dated);
    assert_int_equal(m.present, 9);
    in.date = "2026/6/1";
    assert_int_equal(decision_check(&in, "2026-06-15", &m, &e), CX_OK);
    assert_string_equal(m.date, "2026-06-01");
    assert_true(m.dated);
    in.date = "2026-06-16";
    refused(decision_check(&in, "2026-06-15", &m, &e), &e, "invalid_meeting", "meeting_date");
    in.date = "2026-02-30";
    refused(decision_check(&in, "2026-06-15", &m, &e), &e, "invalid_date", "meeting_date");
    in.date = "";
    in.reason = "\u3000 ";
    refused(decision_check(&in, "2026-06-15", &m, &e), &e, "required", "reason");
    in.reason = chars(long_text, "理", 501);
    refused(decision_check(&in, "2026-06-15", &m, &e), &e, "too_long", "reason");
    in.grade = GR_NONE;
    refused(decision_check(&in, "2026-06-15", &m, &e), &e, "invalid_grade", "grade");

    approval_ok a;
    assert_int_equal(approval_check(true, NULL, &a, &e), CX_OK);
    assert_true(a.approve);
    assert_string_equal(a.reason, "");
    refused(approval_check(false, " \u3000", &a, &e), &e, "required", "reason");
    assert_int_equal(approval_check(false, chars(long_text, "由", 100), &a, &e), CX_OK);
    refused(approval_check(false, chars(long_text, "由", 101), &a, &e), &e, "too_long", "reason");
    refused(approval_check(true, "理由\xff", &a, &e), &e, "invalid_text", "reason");

    exclusion_ok x;
    assert_int_equal(exclusion_check("away", " 外出务工一年\u3000", &x, &e), CX_OK);
    assert_int_equal(x.reason, EX_AWAY);
    assert_string_equal(x.note, "外出务工一年");
    assert_int_equal(exclusion_check("none", NULL, &x, &e), CX_OK);
    assert_int_equal(x.reason, EX_NONE);
    assert_int_equal(exclusion_check("", NULL, &x, &e), CX_OK);
    assert_int_equal(x.reason, EX_NONE);
    assert_int_equal(exclusion_check(NULL, NULL, &x, &e), CX_OK);
    assert_int_equal(x.reason, EX_NONE);
    refused(exclusion_check("vacation", NULL, &x, &e), &e, "invalid_reason", "reason");
    refused(exclusion_check("probationary", NULL, &x, &e), &e, "invalid_reason", "reason");
    refused(exclusion_check("other", "\u3000\n", &x, &e), &e, "required", "note");
    assert_int_equal(exclusion_check("other", "照顾病重家属\n半年", &x, &e), CX_OK);
    refused(exclusion_check("away", chars(long_text, "外", 201), &x, &e), &e, "too_long", "note");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_labels_and_codes, setup),
        cmocka_unit_test_setup(test_questions, setup),
        cmocka_unit_test_setup(test_digit_checks, setup),
        cmocka_unit_test_setup(test_scores, setup),
        cmocka_unit_test_setup(test_composite, setup),
        cmocka_unit_test_setup(test_thresholds, setup),
        cmocka_unit_test_setup(test_cap_one_third, setup),
        cmocka_unit_test_setup(test_cap_ties, setup),
        cmocka_unit_test_setup(test_cap_small_branches, setup),
        cmocka_unit_test_setup(test_exclusions, setup),
        cmocka_unit_test_setup(test_veto_and_meets, setup),
        cmocka_unit_test_setup(test_orgs_have_no_cap, setup),
        cmocka_unit_test_setup(test_meeting, setup),
        cmocka_unit_test_setup(test_rules_check, setup),
        cmocka_unit_test_setup(test_draw, setup),
        cmocka_unit_test(test_rollup_deltas),
        cmocka_unit_test(test_campaign_input),
        cmocka_unit_test(test_standard_input),
        cmocka_unit_test(test_review_input),
        cmocka_unit_test(test_commentary_input),
        cmocka_unit_test(test_grade_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
