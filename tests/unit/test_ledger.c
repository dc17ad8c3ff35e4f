/* test_ledger.c: unit tests of the ledger (台账) in plain C: kinds, names and labels, the checks of
 * an entry as typed (date, title, household, people, a forum's participants by category) and of a
 * category's name, and the ledger's rules in domain/perm.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "domain/ledger.h"
#include "domain/perm.h"

static void names_and_labels(void **st)
{
    (void)st;
    static const char *const names[] = {"visit", "help", "pairing", "research", "forum"};
    for (int k = 0; k < LK_COUNT; k++) {
        assert_string_equal(ledger_kind_name((ledger_kind)k), names[k]);
        assert_int_equal(ledger_kind_from_name(names[k]), k);
        assert_true(strlen(ledger_kind_label((ledger_kind)k)) > 0);
        assert_true(strlen(ledger_people_label((ledger_kind)k)) > 0);
    }
    assert_string_equal(ledger_kind_label(LK_FORUM), "座谈会");
    assert_int_equal(ledger_kind_from_name("Visit"), -1);
    assert_int_equal(ledger_kind_from_name(NULL), -1);
    assert_string_equal(ledger_kind_name(LK_COUNT), "");
}

/* Checks in with today 2026-06-30: the error code (NULL: accepted) and field. */
static ledger_ok ok_;
static cx_err e_;
static const char *check(const ledger_in *in, const char *field)
{
    cx_err e = {0};
    if (ledger_check(in, "2026-06-30", &ok_, &e) == CX_OK) return NULL;
    if (field) assert_string_equal(e.field, field);
    assert_true(e.msg[0] != 0);
    e_ = e;
    return e_.code;
}

static void an_entry_as_typed(void **st)
{
    (void)st;
    ledger_in in = {"visit", "2026-06-01", "  走访村干部  ", "内容", "", "5", NULL, 0};
    assert_null(check(&in, NULL));
    assert_string_equal(ok_.title, "走访村干部");
    assert_int_equal(ok_.people, 5);
    assert_string_equal(ok_.household, "");
    in.people = "";
    assert_null(check(&in, NULL));
    assert_int_equal(ok_.people, 0);
    static const char *const bad_people[] = {"-1", "10001", "1e3", "3.5", "abc", " 3", "9999999"};
    for (size_t i = 0; i < sizeof bad_people / sizeof bad_people[0]; i++) {
        in.people = bad_people[i];
        assert_string_equal(check(&in, "people"), "invalid_people");
    }
    in.people = "10000";
    assert_null(check(&in, NULL));
    in.entry_date = "2026-07-01";
    assert_string_equal(check(&in, "entry_date"), "future_date");
    in.entry_date = "2026-02-30";
    assert_string_equal(check(&in, "entry_date"), "invalid_date");
    in.entry_date = "";
    assert_string_equal(check(&in, "entry_date"), "required");
    in.entry_date = "2026-06-30";
    in.title = "两\n行";
    assert_string_equal(check(&in, "title"), "invalid_text");
    in.title = "";
    assert_string_equal(check(&in, "title"), "required");
    in.title = "标题";
    in.kind = "party";
    assert_string_equal(check(&in, "kind"), "invalid_kind");
    in.kind = "pairing";
    assert_string_equal(check(&in, "household"), "required");
    in.household = "王某某户";
    assert_null(check(&in, NULL));
    assert_string_equal(ok_.household, "王某某户");
    in.kind = "help"; /* a household only for a pairing */
    assert_null(check(&in, NULL));
    assert_string_equal(ok_.household, "");
}

static void a_forum_counts_its_participants(void **st)
{
    (void)st;
    ledger_part parts[LEDGER_PARTS_MAX + 1] = {{3, 12}, {4, 5}, {5, 0}};
    ledger_in in = {"forum", "2026-03-01", "座谈会", "", "", "999", parts, 3};
    assert_null(check(&in, NULL));
    assert_int_equal(ok_.people, 17); /* the sum, not the people field */
    assert_int_equal(ok_.nparts, 2);  /* a category with nobody is left out */
    parts[1].people = -1;
    assert_string_equal(check(&in, "participants"), "invalid_people");
    parts[1].people = LEDGER_PEOPLE_MAX + 1;
    assert_string_equal(check(&in, "participants"), "invalid_people");
    parts[1] = (ledger_part){3, 1};
    assert_string_equal(check(&in, "participants"), "invalid_category"); /* twice */
    parts[1] = (ledger_part){0, 1};
    assert_string_equal(check(&in, "participants"), "invalid_category");
    in.nparts = 0;
    assert_string_equal(check(&in, "participants"), "no_participants");
    for (int i = 0; i <= LEDGER_PARTS_MAX; i++) parts[i] = (ledger_part){i + 1, 1};
    in.nparts = LEDGER_PARTS_MAX + 1;
    assert_string_equal(check(&in, "participants"), "too_many_parts");
    in.nparts = LEDGER_PARTS_MAX;
    assert_null(check(&in, NULL));
    assert_int_equal(ok_.people, LEDGER_PARTS_MAX);
}

static void a_category_name(void **st)
{
    (void)st;
    char out[4 * LEDGER_CATEGORY_MAX + 1];
    cx_err e = {0};
    assert_int_equal(ledger_category_check(" 退役军人 ", out, &e), CX_OK);
    assert_string_equal(out, "退役军人");
    assert_int_equal(ledger_category_check("", out, &e), CX_ERR);
    assert_string_equal(e.code, "required");
    assert_int_equal(ledger_category_check("一二三四五六七八九十一二三四五六七八九十一", out, &e), CX_ERR);
    assert_string_equal(e.code, "too_long");
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
    principal office = who(ROLE_OFFICE, "/1/", 1), town = who(ROLE_OFFICE, "/1/2/", 2), sec = who(ROLE_SECRETARY, "/1/2/3/", 3);
    principal leader = who(ROLE_LEADER, "/1/2/", 4), member = who(ROLE_MEMBER, "/1/2/3/", 5), other = who(ROLE_SECRETARY, "/1/5/6/", 6);
    assert_true(perm_may_read_ledger(&leader, "/1/2/3/"));
    assert_false(perm_may_read_ledger(&member, "/1/2/3/"));
    assert_false(perm_may_read_ledger(&other, "/1/2/3/"));
    assert_true(perm_may_enter_ledger(&sec, "/1/2/3/"));
    assert_false(perm_may_enter_ledger(&leader, "/1/2/3/"));
    assert_false(perm_may_enter_ledger(&sec, "/1/2/"));
    /* the author while still over it, or an office over it */
    assert_true(perm_may_edit_ledger(&sec, "/1/2/3/", 3));
    assert_false(perm_may_edit_ledger(&sec, "/1/2/3/", 99));
    assert_false(perm_may_edit_ledger(&other, "/1/2/3/", 6));
    assert_true(perm_may_edit_ledger(&town, "/1/2/3/", 99));
    assert_true(perm_may_edit_ledger(&office, "/1/2/3/", 99));
    assert_false(perm_may_edit_ledger(&leader, "/1/2/3/", 4));
    assert_true(perm_may_add_ledger_category(&town, "/1/2/"));
    assert_false(perm_may_add_ledger_category(&town, "/1/5/"));
    assert_false(perm_may_add_ledger_category(&sec, "/1/2/3/"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_and_labels), cmocka_unit_test(an_entry_as_typed), cmocka_unit_test(a_forum_counts_its_participants),
        cmocka_unit_test(a_category_name), cmocka_unit_test(who_may_do_what),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
