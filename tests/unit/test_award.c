/* test_award.c: unit tests of 评选表彰 in plain C: a quota as typed and the places a share gives
 * (worked by hand), the vote rule (more than half of those entitled), a vote as typed, the rules'
 * parameters, and the award predicates of domain/perm.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "domain/award.h"
#include "domain/perm.h"

static void quota_share(void **st)
{
    (void)st;
    /* 10% of 37 eligible is 3.7: rounded down, 3 */
    assert_int_equal(award_quota_n(true, 10, 37), 3);
    /* 10% of 5 is 0.5: rounded down 0, but at least 1 when anyone is eligible */
    assert_int_equal(award_quota_n(true, 10, 5), 1);
    assert_int_equal(award_quota_n(true, 10, 0), 0);
    assert_int_equal(award_quota_n(true, 100, 7), 7);
    assert_int_equal(award_quota_n(true, 15, 20), 3);
    /* a number is a number, whatever the eligible */
    assert_int_equal(award_quota_n(false, 3, 0), 3);
    assert_int_equal(award_quota_n(false, 3, 100), 3);
}

static void quota_typed(void **st)
{
    (void)st;
    static const struct { const char *quota; bool share; int n; const char *code; } spec[] = {
        {"3", false, 3, NULL}, {" 10% ", true, 10, NULL}, {"10％", true, 10, NULL}, {"100%", true, 100, NULL}, {"1000", false, 1000, NULL},
        {"0", false, 0, "invalid_quota"}, {"101%", true, 0, "invalid_quota"}, {"-3", false, 0, "invalid_quota"}, {"3.5", false, 0, "invalid_quota"},
        {"", false, 0, "invalid_quota"}, {"%", true, 0, "invalid_quota"}, {"1001", false, 0, "invalid_quota"}, {"abc", false, 0, "invalid_quota"},
    };
    for (size_t i = 0; i < sizeof spec / sizeof spec[0]; i++) {
        award_in in = {"优秀共产党员", "member", "2026", spec[i].quota};
        award_ok ok;
        cx_err e = {0};
        int rc = award_check(&in, &ok, &e);
        if (spec[i].code) {
            assert_int_equal(rc, CX_ERR);
            assert_string_equal(e.code, spec[i].code);
            assert_string_equal(e.field, "quota");
        } else {
            assert_int_equal(rc, CX_OK);
            assert_int_equal(ok.share, spec[i].share);
            assert_int_equal(ok.quota, spec[i].n);
        }
    }
    award_in bad[] = {{"", "member", "2026", "3"}, {"优秀", "people", "2026", "3"}, {"优秀", "member", "1999", "3"}};
    const char *codes[] = {"invalid_name", "invalid_subject", "invalid_year"};
    for (int i = 0; i < 3; i++) {
        award_ok ok;
        cx_err e = {0};
        assert_int_equal(award_check(&bad[i], &ok, &e), CX_ERR);
        assert_string_equal(e.code, codes[i]);
    }
}

static void vote_rule(void **st)
{
    (void)st;
    /* more than half of those entitled: 5 of 9 passes, 4 of 9 does not; 5 of 10 does not, 6 does */
    assert_true(award_vote_passed(5, 9));
    assert_false(award_vote_passed(4, 9));
    assert_false(award_vote_passed(5, 10));
    assert_true(award_vote_passed(6, 10));
    assert_true(award_vote_passed(1, 1));
    assert_false(award_vote_passed(0, 0));
    static const struct { vote_in in; const char *code, *field; } spec[] = {
        {{"6", "2", "1", "9", "2026-03-01", "党委会"}, NULL, NULL},
        {{"6", "3", "1", "9", "2026-03-01", ""}, "invalid_votes", "for"},
        {{"x", "0", "0", "9", "2026-03-01", ""}, "invalid_votes", "for"},
        {{"1", "-1", "0", "9", "2026-03-01", ""}, "invalid_votes", "against"},
        {{"1", "0", "0", "0", "2026-03-01", ""}, "invalid_entitled", "entitled"},
        {{"1", "0", "0", "9", "2026-02-30", ""}, "invalid_date", "date"},
        {{"1", "0", "0", "9", "2099-01-01", ""}, "invalid_date", "date"},
        {{"1", "0", "0", "9", NULL, ""}, "invalid_date", "date"},
    };
    for (size_t i = 0; i < sizeof spec / sizeof spec[0]; i++) {
        vote_ok v;
        cx_err e = {0};
        int rc = award_vote_check(&spec[i].in, "2026-06-01", &v, &e);
        if (!spec[i].code) {
            assert_int_equal(rc, CX_OK);
            assert_int_equal(v.yes, 6);
            assert_int_equal(v.entitled, 9);
            assert_string_equal(v.note, "党委会");
        } else {
            assert_int_equal(rc, CX_ERR);
            assert_string_equal(e.code, spec[i].code);
            assert_string_equal(e.field, spec[i].field);
        }
    }
}

static void rules_typed(void **st)
{
    (void)st;
    static const struct { const char *rule, *param; award_subject s; const char *code, *norm; } spec[] = {
        {"grade_excellent", "", AWS_MEMBER, NULL, ""},      {"no_pledge_miss", NULL, AWS_ORG, NULL, ""},
        {"satisfaction_min", " 90/30 ", AWS_ORG, NULL, "90/30"}, {"satisfaction_min", "90", AWS_ORG, "invalid_param", NULL},
        {"satisfaction_min", "101/3", AWS_MEMBER, "invalid_param", NULL}, {"satisfaction_min", "90/-1", AWS_MEMBER, "invalid_param", NULL},
        {"attendance_min", "800", AWS_MEMBER, NULL, "800"}, {"attendance_min", "800", AWS_ORG, "invalid_rule", NULL},
        {"attendance_min", "1001", AWS_MEMBER, "invalid_param", NULL}, {"reports_on_time", "", AWS_MEMBER, "invalid_rule", NULL},
        {"reports_on_time", "", AWS_ORG, NULL, ""},         {"no_open_rect", "x", AWS_ORG, "invalid_param", NULL},
        {"be_nice", "", AWS_MEMBER, "invalid_rule", NULL},  {"", "", AWS_MEMBER, "invalid_rule", NULL},
    };
    for (size_t i = 0; i < sizeof spec / sizeof spec[0]; i++) {
        award_rule r;
        char p[32];
        cx_err e = {0};
        int rc = award_rule_check(spec[i].rule, spec[i].param, spec[i].s, &r, p, &e);
        if (spec[i].code) {
            assert_int_equal(rc, CX_ERR);
            assert_string_equal(e.code, spec[i].code);
        } else {
            assert_int_equal(rc, CX_OK);
            assert_string_equal(p, spec[i].norm);
            assert_string_equal(award_rule_name(r), spec[i].rule);
        }
    }
    char q[256];
    award_quota_text(true, 10, q, sizeof q);
    assert_non_null(strstr(q, "向下取整"));
}

static void predicates(void **st)
{
    (void)st;
    principal office = {.ngrants = 1, .grants = {{ROLE_OFFICE, 1, "/1/"}}};
    principal sec = {.ngrants = 1, .grants = {{ROLE_SECRETARY, 5, "/1/2/5/"}}};
    principal town = {.ngrants = 1, .grants = {{ROLE_OFFICE, 2, "/1/2/"}}};
    principal other = {.ngrants = 1, .grants = {{ROLE_SECRETARY, 9, "/1/3/9/"}}};
    assert_true(perm_may_run_awards(&office, "/1/"));
    assert_false(perm_may_run_awards(&sec, "/1/"));
    assert_true(perm_may_see_award(&sec, "/1/"));
    /* a branch nominates its members (and itself); a town its branches; nobody outside */
    assert_non_null(perm_award_nominator(&sec, "/1/", "/1/2/5/"));
    assert_null(perm_award_nominator(&sec, "/1/", "/1/2/6/"));
    const grant *g = perm_award_nominator(&town, "/1/", "/1/2/5/");
    assert_non_null(g);
    assert_int_equal(g->org_id, 2);
    assert_null(perm_award_nominator(&other, "/1/", "/1/2/5/"));
    /* a kind of a town: a branch of another town nominates nothing there */
    assert_null(perm_award_nominator(&other, "/1/2/", "/1/3/9/"));
    assert_true(perm_may_see_nomination(&sec, "/1/", "/1/2/5/"));
    assert_false(perm_may_see_nomination(&other, "/1/", "/1/2/5/"));
    assert_true(perm_may_withdraw_nomination(&sec, "/1/", "/1/2/5/"));
    assert_false(perm_may_withdraw_nomination(&other, "/1/", "/1/2/5/"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quota_share), cmocka_unit_test(quota_typed), cmocka_unit_test(vote_rule),
        cmocka_unit_test(rules_typed), cmocka_unit_test(predicates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
