/* test_meeting.c: unit tests of organisation life (组织生活) in plain C: the status table (every
 * status × action), names and labels, the checks of a meeting as typed, of an attendance mark
 * (请假 needs a reason), of the sign-in window, the quotas (defaults, as typed, the window a quota
 * is judged over in a month, a quarter and a year), reporting periods (the meeting predicates of
 * domain/perm.c: test_perm.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "domain/meeting.h"

/* Meetings as typed name only the fields a case needs. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

static void the_status_table(void **st)
{
    (void)st;
    static const struct {
        meeting_status from;
        meeting_action a;
        const char *code; /* NULL: allowed */
        meeting_status next;
    } spec[] = {
        {MS_PLANNED, MA_HOLD, NULL, MS_HELD},           {MS_HELD, MA_HOLD, "invalid_transition", 0},
        {MS_CANCELLED, MA_HOLD, "invalid_transition", 0}, {MS_PLANNED, MA_CANCEL, NULL, MS_CANCELLED},
        {MS_HELD, MA_CANCEL, "invalid_transition", 0},  {MS_CANCELLED, MA_CANCEL, "invalid_transition", 0},
        {MS_PLANNED, MA_ATTEND, NULL, MS_PLANNED},      {MS_HELD, MA_ATTEND, NULL, MS_HELD},
        {MS_CANCELLED, MA_ATTEND, "invalid_transition", 0}, {MS_PLANNED, MA_SIGNIN, NULL, MS_PLANNED},
        {MS_HELD, MA_SIGNIN, NULL, MS_HELD},            {MS_CANCELLED, MA_SIGNIN, "invalid_transition", 0},
        {MS_HELD, MA_EDIT, NULL, MS_HELD},              {MS_CANCELLED, MA_EDIT, "invalid_transition", 0},
    };
    for (size_t i = 0; i < sizeof spec / sizeof spec[0]; i++) {
        cx_err e = {0};
        meeting_status next = 99;
        int rc = meeting_decide(spec[i].from, spec[i].a, &next, &e);
        if (!spec[i].code) {
            assert_int_equal(rc, CX_OK);
            assert_int_equal(next, spec[i].next);
        } else {
            assert_int_equal(rc, CX_ERR);
            assert_string_equal(e.code, spec[i].code);
            assert_int_equal(e.status, 409);
            assert_non_null(strstr(e.msg, meeting_status_label(spec[i].from)));
        }
    }
    cx_err e = {0};
    assert_int_equal(meeting_decide(MS_PLANNED, MA_COUNT, NULL, &e), CX_ERR);
    assert_string_equal(e.code, "invalid_action");
}

static void names_and_labels(void **st)
{
    (void)st;
    for (int k = 0; k < MK_COUNT; k++) {
        assert_int_equal(meeting_kind_from_name(meeting_kind_name((meeting_kind)k)), k);
        assert_true(strlen(meeting_kind_label((meeting_kind)k)) > 0);
    }
    assert_string_equal(meeting_kind_label(MK_BRANCH_ASSEMBLY), "支部党员大会");
    assert_string_equal(meeting_kind_label(MK_LECTURE), "党课");
    assert_string_equal(meeting_kind_label(MK_THEME_DAY), "主题党日");
    assert_int_equal(meeting_kind_from_name("Lecture"), -1);
    assert_int_equal(meeting_kind_from_name(NULL), -1);
    assert_string_equal(meeting_kind_name(MK_COUNT), "");
    assert_int_equal(attend_state_from_name("leave"), AS_LEAVE);
    assert_string_equal(attend_state_label(AS_LEAVE), "请假");
    assert_int_equal(quota_per_from_name("quarter"), QP_QUARTER);
    assert_int_equal(quota_per_from_name("week"), -1);
    assert_int_equal(meeting_status_from_name("held"), MS_HELD);
}

static void a_meeting_as_typed(void **st)
{
    (void)st;
    meeting_form_ok ok;
    cx_err e = {0};
    meeting_form_in in = {"lecture", NULL, "  专题党课  ", "2026年3月5日", "村部", "学习", "张三", "记录\n第二行", "7"};
    assert_int_equal(meeting_form_check(&in, &ok, &e), CX_OK);
    assert_string_equal(ok.title, "专题党课");
    assert_string_equal(ok.held_on, "2026-03-05");
    assert_int_equal(ok.lecturer_user_id, 7);
    assert_string_equal(ok.minutes, "记录\n第二行");
    meeting_form_free(&ok);
    /* blank title: the kind's label; a custom kind: its own name */
    meeting_form_in c = {"custom", "党员冬训", "", "2026-01-10"};
    assert_int_equal(meeting_form_check(&c, &ok, &e), CX_OK);
    assert_string_equal(ok.title, "党员冬训");
    meeting_form_free(&ok);
    static const struct {
        meeting_form_in in;
        const char *code, *field;
    } bad[] = {
        {{"party", NULL, NULL, "2026-01-01"}, "invalid_kind", "kind"},
        {{NULL, NULL, NULL, "2026-01-01"}, "invalid_kind", "kind"},
        {{"custom", "", NULL, "2026-01-01"}, "required", "kind_name"},
        {{"committee", NULL, "一\n二", "2026-01-01"}, "invalid_text", "title"},
        {{"committee", NULL, NULL, ""}, "required", "held_on"},
        {{"committee", NULL, NULL, "2026-02-30"}, "invalid_date", "held_on"},
        {{"committee", NULL, NULL, "2026-01-01", NULL, NULL, NULL, NULL, "7"}, "lecturer_not_lecture", "lecturer_user_id"},
        {{"lecture", NULL, NULL, "2026-01-01", NULL, NULL, NULL, NULL, "x"}, "invalid_id", "lecturer_user_id"},
        {{"lecture", NULL, NULL, "2026-01-01", NULL, NULL, NULL, NULL, "-3"}, "invalid_id", "lecturer_user_id"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&e, 0, sizeof e);
        assert_int_equal(meeting_form_check(&bad[i].in, &ok, &e), CX_ERR);
        assert_string_equal(e.code, bad[i].code);
        assert_string_equal(e.field, bad[i].field);
        assert_null(ok.minutes);
    }
    char longt[4 * 101 + 1] = "";
    for (int i = 0; i < 101; i++) strcat(longt, "会");
    meeting_form_in l = {"committee", NULL, longt, "2026-01-01"};
    assert_int_equal(meeting_form_check(&l, &ok, &e), CX_ERR);
    assert_string_equal(e.code, "too_long");
}

static void attendance_marks(void **st)
{
    (void)st;
    attend_ok ok;
    cx_err e = {0};
    assert_int_equal(attend_check("present", "ignored", &ok, &e), CX_OK);
    assert_int_equal(ok.state, AS_PRESENT);
    assert_string_equal(ok.reason, "");
    assert_int_equal(attend_check("leave", "  外出务工 ", &ok, &e), CX_OK);
    assert_string_equal(ok.reason, "外出务工");
    assert_int_equal(attend_check("leave", NULL, &ok, &e), CX_ERR);
    assert_string_equal(e.code, "reason_required");
    assert_int_equal(e.status, 422);
    assert_int_equal(attend_check("leave", "\xe3\x80\x80", &ok, &e), CX_ERR); /* U+3000 alone */
    assert_string_equal(e.code, "reason_required");
    assert_int_equal(attend_check("late", NULL, &ok, &e), CX_ERR);
    assert_string_equal(e.code, "invalid_state");
}

static void held_only_once_its_day_has_come(void **st)
{
    (void)st;
    cx_err e = {0};
    assert_int_equal(meeting_held_date_check("2026-03-05", "2026-03-05", 409, &e), CX_OK);
    assert_int_equal(meeting_held_date_check("2025-12-31", "2026-03-05", 409, &e), CX_OK);
    assert_int_equal(meeting_held_date_check("2026-03-06", "2026-03-05", 409, &e), CX_ERR);
    assert_string_equal(e.code, "not_yet_held");
    assert_string_equal(e.field, "held_on");
    assert_int_equal(e.status, 409);
    assert_int_equal(meeting_held_date_check("2027-01-01", "2026-12-31", 422, &e), CX_ERR);
    assert_int_equal(e.status, 422);
    assert_int_equal(meeting_held_date_check("2027-01-01", "2026-12-31", 422, NULL), CX_ERR);
}

/* Unix time of a local day and hour, as a phone at the meeting would read it. */
static int64_t local_at(int y, int m, int d, int h)
{
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = h, .tm_isdst = -1};
    return (int64_t)mktime(&tm);
}

static void a_code_for_the_meetings_day(void **st)
{
    (void)st;
    cx_err e = {0};
    assert_int_equal(signin_window_day("2026-03-05", local_at(2026, 3, 5, 9), local_at(2026, 3, 5, 11), &e), CX_OK);
    assert_int_equal(signin_window_day("2026-03-05", local_at(2026, 3, 4, 20), local_at(2026, 3, 4, 22), &e), CX_OK); /* a day's grace */
    assert_int_equal(signin_window_day("2026-03-05", local_at(2026, 3, 6, 8), local_at(2026, 3, 6, 9), &e), CX_OK);
    assert_int_equal(signin_window_day("2026-03-05", local_at(2026, 3, 7, 9), local_at(2026, 3, 7, 10), &e), CX_ERR);
    assert_string_equal(e.code, "window_not_meeting_day");
    assert_string_equal(e.field, "held_on");
    assert_int_equal(e.status, 422);
    assert_int_equal(signin_window_day("2026-03-05", local_at(2026, 2, 12, 9), local_at(2026, 2, 12, 10), &e), CX_ERR);
    assert_int_equal(signin_window_day("2026-03-05", local_at(2026, 3, 3, 9), local_at(2026, 3, 4, 0), &e), CX_ERR); /* closes as the 4th begins */
}

static void the_signin_window(void **st)
{
    (void)st;
    cx_err e = {0};
    assert_int_equal(signin_window(0, 0, 100, &e), CX_ERR);
    assert_string_equal(e.code, "signin_off");
    assert_int_equal(signin_window(100, 200, 99, &e), CX_ERR);
    assert_string_equal(e.code, "signin_not_open");
    assert_int_equal(signin_window(100, 200, 100, &e), CX_OK);
    assert_int_equal(signin_window(100, 200, 199, &e), CX_OK);
    assert_int_equal(signin_window(100, 200, 200, &e), CX_ERR);
    assert_string_equal(e.code, "signin_closed");
    int64_t o = 0, c = 0;
    assert_int_equal(signin_window_check(NULL, NULL, NULL, 10000, &o, &c, &e), CX_OK);
    assert_true(o <= 10000 && c == 10000 + SIGNIN_MINUTES_DEFAULT * 60);
    assert_int_equal(signin_window_check("30", "", "", 10000, &o, &c, &e), CX_OK);
    assert_int_equal(c, 10000 + 1800);
    assert_int_equal(signin_window_check("0", NULL, NULL, 10000, &o, &c, &e), CX_ERR);
    assert_string_equal(e.code, "invalid_minutes");
    assert_int_equal(signin_window_check("1441", NULL, NULL, 10000, &o, &c, &e), CX_ERR);
    assert_int_equal(signin_window_check(NULL, "100", "200", 10000, &o, &c, &e), CX_OK);
    assert_true(o == 100 && c == 200);
    assert_int_equal(signin_window_check(NULL, "100", NULL, 10000, &o, &c, &e), CX_ERR);
    assert_string_equal(e.code, "invalid_window");
    assert_int_equal(signin_window_check(NULL, "200", "100", 10000, &o, &c, &e), CX_ERR);
    assert_int_equal(signin_window_check(NULL, "0", "90000", 10000, &o, &c, &e), CX_ERR); /* more than a day */
}

static void quotas(void **st)
{
    (void)st;
    meeting_quota q;
    static const struct { meeting_kind k; quota_per per; int64_t n; } def[] = {
        {MK_BRANCH_ASSEMBLY, QP_QUARTER, 1}, {MK_COMMITTEE, QP_MONTH, 1}, {MK_GROUP, QP_MONTH, 1},
        {MK_LECTURE, QP_QUARTER, 1}, {MK_THEME_DAY, QP_MONTH, 1}, {MK_FORUM, QP_MONTH, 0}, {MK_CUSTOM, QP_MONTH, 0}};
    for (size_t i = 0; i < sizeof def / sizeof def[0]; i++) {
        meeting_quota_default(def[i].k, &q);
        assert_int_equal(q.per, def[i].per);
        assert_int_equal(q.count, def[i].n);
        assert_int_equal(q.set_by, 0);
    }
    char wf[11], wt[11];
    meeting_quota_default(MK_BRANCH_ASSEMBLY, &q); /* quarterly, seen in a month: that month's quarter */
    assert_int_equal(quota_window(&q, "2026-05-01", "2026-05-31", wf, wt), 1);
    assert_string_equal(wf, "2026-04-01");
    assert_string_equal(wt, "2026-06-30");
    assert_int_equal(quota_window(&q, "2026-01-01", "2026-12-31", wf, wt), 4); /* a year: four quarters */
    meeting_quota_default(MK_COMMITTEE, &q); /* monthly, over a quarter: three */
    assert_int_equal(quota_window(&q, "2026-10-01", "2026-12-31", wf, wt), 3);
    assert_string_equal(wt, "2026-12-31");
    assert_int_equal(quota_window(&q, "2024-02-01", "2024-02-29", wf, wt), 1);
    assert_string_equal(wt, "2024-02-29");
    q.per = QP_YEAR, q.count = 2; /* yearly, seen in a quarter: the year */
    assert_int_equal(quota_window(&q, "2026-04-01", "2026-06-30", wf, wt), 2);
    assert_string_equal(wf, "2026-01-01");
    assert_string_equal(wt, "2026-12-31");
    cx_err e = {0};
    assert_int_equal(quota_check("committee", "month", "2", &q, &e), CX_OK);
    assert_int_equal(q.count, 2);
    assert_int_equal(quota_check("custom", "month", "2", &q, &e), CX_ERR);
    assert_string_equal(e.code, "invalid_kind");
    assert_int_equal(quota_check("committee", "week", "2", &q, &e), CX_ERR);
    assert_string_equal(e.code, "invalid_per");
    assert_int_equal(quota_check("committee", "month", "32", &q, &e), CX_ERR);
    assert_string_equal(e.code, "invalid_count");
    assert_int_equal(quota_check("committee", "month", NULL, &q, &e), CX_ERR);
}

static void reporting_periods(void **st)
{
    (void)st;
    char f[11], t[11];
    cx_err e = {0};
    assert_int_equal(meeting_period("2026-03", f, t, &e), CX_OK);
    assert_string_equal(f, "2026-03-01");
    assert_string_equal(t, "2026-03-31");
    assert_int_equal(meeting_period("2026Q4", f, t, &e), CX_OK);
    assert_string_equal(f, "2026-10-01");
    assert_string_equal(t, "2026-12-31");
    assert_int_equal(meeting_period("2026", f, t, &e), CX_OK);
    assert_string_equal(t, "2026-12-31");
    const char *bad[] = {"2026-13", "2026Q5", "2026Q0", "26", "2026-3", "2026-03-01", "", "abcd", "2026Q1x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(meeting_period(bad[i], f, t, &e), CX_ERR);
        assert_string_equal(e.code, "invalid_period");
    }
    assert_int_equal(meeting_period(NULL, f, t, &e), CX_ERR);
}

/* The one attendance rate: leave is expected but not present; nothing expected is "—", not 0%. */
static void the_attendance_rate(void **st)
{
    (void)st;
    char t[24];
    assert_int_equal(attend_rate_permille(6, 7, t), 857);
    assert_string_equal(t, "85.7%");
    assert_int_equal(attend_rate_permille(7, 7, t), 1000);
    assert_string_equal(t, "100.0%");
    assert_int_equal(attend_rate_permille(0, 3, t), 0);
    assert_string_equal(t, "0.0%");
    assert_int_equal(attend_rate_permille(1, 3, t), 333); /* rounded down: never shown above what was earned */
    assert_string_equal(t, "33.3%");
    assert_int_equal(attend_rate_permille(0, 0, t), -1);
    assert_string_equal(t, "—");
    assert_int_equal(attend_rate_permille(-1, 5, t), -1);
    assert_string_equal(attend_shown_label(AS_PRESENT, "qr", MS_HELD), "扫码签到");
    assert_string_equal(attend_shown_label(AS_PRESENT, "marked", MS_HELD), "出席");
    assert_string_equal(attend_shown_label(AS_PRESENT, "", MS_HELD), "出席");
    assert_string_equal(attend_shown_label(AS_LEAVE, "", MS_HELD), "请假");
    assert_string_equal(attend_shown_label(AS_ABSENT, NULL, MS_HELD), "缺席");
    assert_string_equal(attend_shown_label(AS_EXPECTED, "", MS_HELD), "未签到");
    assert_string_equal(attend_shown_label(AS_PRESENT, "qr", MS_PLANNED), "扫码签到"); /* signed in before it is marked held */
    assert_string_equal(attend_shown_label(AS_LEAVE, "", MS_PLANNED), "待召开");
    assert_string_equal(attend_shown_label(AS_EXPECTED, "", MS_PLANNED), "待召开");
    assert_string_equal(attend_shown_label(AS_EXPECTED, "", MS_CANCELLED), "已取消");
}

/* The months a meeting's date touches for each kind of quota, and a year of months judged. */
static void the_months_of_a_meeting(void **st)
{
    (void)st;
    meeting_quota q = {.kind = MK_COMMITTEE, .per = QP_MONTH, .count = 1};
    assert_int_equal(quota_months(&q, "2026-05-17"), 1u << 4);
    q.per = QP_QUARTER;
    assert_int_equal(quota_months(&q, "2026-05-17"), 7u << 3);
    assert_int_equal(quota_months(&q, "2026-01-01"), 7u);
    assert_int_equal(quota_months(&q, "2026-12-31"), 7u << 9);
    q.per = QP_YEAR;
    assert_int_equal(quota_months(&q, "2026-07-01"), 0xFFFu);
    const char *bad[] = {"2026-13-01", "2026-00-10", "x", "", "26-01-01"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) assert_int_equal(quota_months(&q, bad[i]), 0u);
    assert_int_equal(quota_months(&q, NULL), 0u);
    q.count = 0; /* nothing asked: no month depends on it */
    assert_int_equal(quota_months(&q, "2026-07-01"), 0u);
}

static void a_year_of_months_judged(void **st)
{
    (void)st;
    meeting_quota q[MK_COUNT];
    int64_t held[MK_COUNT][12];
    bool met[12];
    memset(held, 0, sizeof held);
    for (int k = 0; k < MK_COUNT; k++) meeting_quota_default((meeting_kind)k, &q[k]);
    quota_met_year(q, held, met);
    for (int i = 0; i < 12; i++) assert_false(met[i]); /* the defaults with no meeting */
    for (int k = 0; k < MK_COUNT; k++) q[k].count = 0;
    quota_met_year(q, held, met);
    for (int i = 0; i < 12; i++) assert_true(met[i]); /* nothing asked: met with no meeting */
    /* a committee meeting a month, a lecture a quarter */
    q[MK_COMMITTEE] = (meeting_quota){.kind = MK_COMMITTEE, .per = QP_MONTH, .count = 1};
    q[MK_LECTURE] = (meeting_quota){.kind = MK_LECTURE, .per = QP_QUARTER, .count = 1};
    for (int i = 0; i < 12; i++) held[MK_COMMITTEE][i] = i == 2 ? 0 : 1;
    held[MK_LECTURE][1] = 1;               /* Q1 in February */
    held[MK_LECTURE][8] = 2;               /* Q3 in September */
    held[MK_GROUP][3] = held[MK_GROUP][4] = 5; /* no quota: counts for nothing */
    quota_met_year(q, held, met);
    const bool want[12] = {true, true, false, false, false, false, true, true, true, false, false, false};
    for (int i = 0; i < 12; i++) assert_int_equal(met[i], want[i]);
    /* the same as quota_window judges month by month, over many years of random meetings */
    unsigned seed = 12345;
    for (int round = 0; round < 300; round++) {
        for (int k = 0; k < MK_COUNT; k++) {
            seed = seed * 1103515245u + 12345u;
            q[k] = (meeting_quota){.kind = (meeting_kind)k, .per = (quota_per)(seed >> 16) % QP_COUNT, .count = (seed >> 20) % 3};
            for (int i = 0; i < 12; i++) seed = seed * 1103515245u + 12345u, held[k][i] = (seed >> 16) % 4 == 0;
        }
        quota_met_year(q, held, met);
        for (int i = 0; i < 12; i++) {
            char d0[11], w0[11], w1[11];
            snprintf(d0, sizeof d0, "2026-%02d-01", i + 1);
            bool ok = true;
            for (int k = 0; k < MK_COUNT; k++) {
                if (!q[k].count) continue;
                int64_t due = quota_window(&q[k], d0, d0, w0, w1), n = 0;
                for (int j = atoi(w0 + 5) - 1; j <= atoi(w1 + 5) - 1; j++) n += held[k][j];
                if (n < due) ok = false;
                /* and a meeting on that day touches this month */
                assert_true(quota_months(&q[k], d0) >> i & 1u);
            }
            assert_int_equal(met[i], ok);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_status_table), cmocka_unit_test(names_and_labels), cmocka_unit_test(a_meeting_as_typed),
        cmocka_unit_test(attendance_marks), cmocka_unit_test(the_signin_window), cmocka_unit_test(quotas),
        cmocka_unit_test(reporting_periods), cmocka_unit_test(held_only_once_its_day_has_come), cmocka_unit_test(a_code_for_the_meetings_day),
        cmocka_unit_test(the_attendance_rate),
        cmocka_unit_test(the_months_of_a_meeting), cmocka_unit_test(a_year_of_months_judged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
