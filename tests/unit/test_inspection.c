/* test_inspection.c: unit tests of inspections (督查) in plain C: the status table (every status ×
 * action, a draw only for 随机抽查 and once), names and labels, the checks of a plan (kinds, title,
 * dates, the draw's size and population codes, checklist items) and of a finding, the inspection
 * predicates of domain/perm.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "domain/inspection.h"
#include "domain/perm.h"

static void the_status_table(void **st)
{
    (void)st;
    static const struct {
        insp_status from;
        insp_action a;
        insp_kind kind;
        bool drawn;
        const char *code; /* NULL: allowed */
        insp_status next;
    } spec[] = {
        {IS_PLANNED, IA_START, IK_REGULAR, false, NULL, IS_RUNNING},
        {IS_RUNNING, IA_START, IK_REGULAR, false, "invalid_transition", 0},
        {IS_CLOSED, IA_START, IK_REGULAR, false, "invalid_transition", 0},
        {IS_PLANNED, IA_CLOSE, IK_REGULAR, false, "invalid_transition", 0},
        {IS_RUNNING, IA_CLOSE, IK_REGULAR, false, NULL, IS_CLOSED},
        {IS_CLOSED, IA_CLOSE, IK_REGULAR, false, "invalid_transition", 0},
        {IS_PLANNED, IA_DRAW, IK_RANDOM, false, NULL, IS_PLANNED},
        {IS_RUNNING, IA_DRAW, IK_RANDOM, false, NULL, IS_RUNNING},
        {IS_CLOSED, IA_DRAW, IK_RANDOM, false, "invalid_transition", 0},
        {IS_PLANNED, IA_DRAW, IK_RANDOM, true, "already_drawn", 0},
        {IS_PLANNED, IA_DRAW, IK_FORUM, false, "not_random", 0},
        {IS_RUNNING, IA_DRAW, IK_SPECIAL, false, "not_random", 0},
        {IS_PLANNED, IA_FINDING, IK_REGULAR, false, "invalid_transition", 0},
        {IS_RUNNING, IA_FINDING, IK_RANDOM, true, NULL, IS_RUNNING},
        {IS_CLOSED, IA_FINDING, IK_REGULAR, false, "invalid_transition", 0},
    };
    for (size_t i = 0; i < sizeof spec / sizeof spec[0]; i++) {
        cx_err e = {0};
        insp_status next = IS_COUNT;
        int rc = insp_decide(spec[i].from, spec[i].a, spec[i].kind, spec[i].drawn, &next, &e);
        if (!spec[i].code) {
            assert_int_equal(rc, CX_OK);
            assert_int_equal(next, spec[i].next);
        } else {
            assert_int_equal(rc, CX_ERR);
            assert_string_equal(e.code, spec[i].code);
            assert_int_equal(next, IS_COUNT); /* left alone on refusal */
            assert_true(strlen(e.msg) > 0);
        }
    }
    cx_err e = {0};
    assert_int_equal(insp_decide(IS_PLANNED, IA_COUNT, IK_REGULAR, false, NULL, &e), CX_ERR);
    assert_string_equal(e.code, "invalid_action");
    assert_int_equal(insp_decide(IS_RUNNING, IA_START, IK_REGULAR, false, NULL, &e), CX_ERR);
    assert_non_null(strstr(e.msg, "进行中"));
}

static void names_and_labels(void **st)
{
    (void)st;
    assert_string_equal(insp_kind_label(IK_RANDOM), "随机抽查");
    assert_string_equal(insp_kind_label(IK_FORUM), "座谈会");
    assert_string_equal(insp_kind_name(IK_SPECIAL), "special");
    assert_string_equal(insp_kind_name(IK_COUNT), "");
    for (int k = 0; k < IK_COUNT; k++) assert_int_equal(insp_kind_from_name(insp_kind_name((insp_kind)k)), k);
    for (int s = 0; s < IS_COUNT; s++) assert_int_equal(insp_status_from_name(insp_status_name((insp_status)s)), s);
    assert_int_equal(insp_kind_from_name("Random"), -1);
    assert_int_equal(insp_kind_from_name(NULL), -1);
    assert_string_equal(insp_status_label(IS_CLOSED), "已结束");
}

static const char *check(insp_in in, insp_ok *ok)
{
    static cx_err e;
    memset(&e, 0, sizeof e);
    return insp_check(&in, ok, &e) == CX_OK ? NULL : e.code;
}

static void a_plan_as_typed(void **st)
{
    (void)st;
    static insp_ok ok;
    insp_in base = {"random", "  2026年支部随机抽查 ", "2026-08-03", "2026/9/25", "branch、committee", "rural，community", "5", "党费台账\r\n\r\n  主题党日 \n", NULL};
    assert_null(check(base, &ok));
    assert_string_equal(ok.title, "2026年支部随机抽查");
    assert_string_equal(ok.end_date, "2026-09-25");
    assert_string_equal(ok.types, "branch,committee");
    assert_string_equal(ok.sectors, "rural,community");
    assert_int_equal(ok.draw_n, 5);
    assert_int_equal(ok.nitems, 2);
    assert_string_equal(ok.items[1], "主题党日");
    assert_false(ok.draw_members); /* draw_of left out: organisations */
    insp_in x = base;
    x.draw_of = "member";
    assert_null(check(x, &ok));
    assert_true(ok.draw_members);
    x.draw_of = "org";
    assert_null(check(x, &ok));
    assert_false(ok.draw_members);
    x.draw_of = "members";
    assert_string_equal(check(x, &ok), "invalid_draw_of");
    x.kind = "forum"; /* not random: draw_of is not read */
    assert_null(check(x, &ok));
    assert_false(ok.draw_members);
    x = base;
    x.types = "branch,branch";
    assert_null(check(x, &ok));
    assert_string_equal(ok.types, "branch");
    /* not random: the draw's fields are not read */
    x = base, x.kind = "forum", x.draw_n = "abc", x.types = "nonsense";
    assert_null(check(x, &ok));
    assert_int_equal(ok.draw_n, 0);
    static const struct {
        int field; /* which member of insp_in */
        const char *value, *code;
    } bad[] = {
        {0, "visit", "invalid_kind"},   {0, NULL, "invalid_kind"},       {1, "", "required"},
        {1, "一\n二", "invalid_text"},   {2, "", "required"},             {2, "2026-02-30", "invalid_date"},
        {3, "2026-08-02", "invalid_dates"}, {3, "2027-08-04", "invalid_dates"}, {6, "", "required"},
        {6, "0", "invalid_draw_n"},     {6, "501", "invalid_draw_n"},    {6, "2.5", "invalid_draw_n"},
        {4, "branch,club", "invalid_types"}, {5, "mars", "invalid_sectors"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        x = base;
        const char **f[] = {&x.kind, &x.title, &x.start_date, &x.end_date, &x.types, &x.sectors, &x.draw_n, &x.items};
        *f[bad[i].field] = bad[i].value;
        const char *code = check(x, &ok);
        if (!code || strcmp(code, bad[i].code)) fail_msg("case %zu (%s): got %s, want %s", i, bad[i].value ? bad[i].value : "NULL", code ? code : "ok", bad[i].code);
    }
    /* items: 100 characters each at most, 50 at most */
    char item[4 * 101 + 2] = "";
    for (int i = 0; i < 100; i++) strcat(item, "查");
    x = base, x.items = item;
    assert_null(check(x, &ok));
    strcat(item, "查");
    assert_string_equal(check(x, &ok), "item_too_long");
    char many[51 * 8] = "";
    for (int i = 0; i < 51; i++) snprintf(many + strlen(many), sizeof many - strlen(many), "项%d\n", i);
    x.items = many;
    assert_string_equal(check(x, &ok), "too_many_items");
    assert_true(insp_csv_has("", "branch"));
    assert_true(insp_csv_has("committee,branch", "branch"));
    assert_false(insp_csv_has("committee,general_branch", "branch"));
}

static void a_finding_as_typed(void **st)
{
    (void)st;
    static finding_ok ok;
    cx_err e = {0};
    finding_in in = {"problem", " 三会一课记录不全 ", "", };
    assert_int_equal(finding_check(&in, "2026-09-30", &ok, &e), CX_OK);
    assert_true(ok.problem);
    assert_string_equal(ok.text, "三会一课记录不全");
    assert_string_equal(ok.found_on, "2026-09-30");
    in = (finding_in){"ok", NULL, "2026-09-01"};
    assert_int_equal(finding_check(&in, "2026-09-30", &ok, &e), CX_OK);
    assert_false(ok.problem);
    assert_string_equal(ok.text, "");
    static const struct {
        finding_in in;
        const char *code, *field;
    } bad[] = {
        {{"problem", "  ", NULL}, "required", "text"},
        {{"fine", "x", NULL}, "invalid_level", "level"},
        {{NULL, "x", NULL}, "invalid_level", "level"},
        {{"ok", "", "2026-10-01"}, "future_date", "found_on"},
        {{"ok", "", "昨天"}, "invalid_date", "found_on"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&e, 0, sizeof e);
        assert_int_equal(finding_check(&bad[i].in, "2026-09-30", &ok, &e), CX_ERR);
        assert_string_equal(e.code, bad[i].code);
        assert_string_equal(e.field, bad[i].field);
    }
}

static principal who(int role, const char *path)
{
    principal p = {.user_id = 9, .ngrants = 1};
    p.grants[0].role = role;
    snprintf(p.grants[0].path, sizeof p.grants[0].path, "%s", path);
    return p;
}

static void who_may_do_what(void **st)
{
    (void)st;
    principal office = who(ROLE_OFFICE, "/1/"), town = who(ROLE_OFFICE, "/1/2/"), sec = who(ROLE_SECRETARY, "/1/2/3/"),
              member = who(ROLE_MEMBER, "/1/2/3/");
    assert_true(perm_may_run_inspection(&office, "/1/"));
    assert_false(perm_may_run_inspection(&town, "/1/"));
    assert_false(perm_may_run_inspection(&sec, "/1/2/3/"));
    assert_true(perm_may_record_finding(&town, "/1/", true));   /* on the team */
    assert_false(perm_may_record_finding(&town, "/1/", false));
    assert_false(perm_may_record_finding(&sec, "/1/", false));  /* an inspected secretary */
    assert_true(perm_sees_finding(&sec, "/1/", false, "/1/2/3/"));
    assert_false(perm_sees_finding(&sec, "/1/", false, "/1/5/6/"));
    assert_true(perm_sees_finding(&town, "/1/", true, "/1/5/6/"));
    assert_false(perm_sees_finding(&member, "/1/", false, "/1/2/3/"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_status_table), cmocka_unit_test(names_and_labels), cmocka_unit_test(a_plan_as_typed),
        cmocka_unit_test(a_finding_as_typed), cmocka_unit_test(who_may_do_what),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
