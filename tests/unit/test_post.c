/* test_post.c: unit tests of exemplary posts and responsibility areas (issue 19) in plain C: kinds,
 * names and labels, the check of a post as typed, and the posts' rules in domain/perm.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "domain/post.h"
#include "domain/perm.h"

static void names_and_labels(void **st)
{
    (void)st;
    assert_string_equal(post_kind_name(PK_POST), "post");
    assert_string_equal(post_kind_name(PK_AREA), "area");
    assert_string_equal(post_kind_label(PK_POST), "党员示范岗");
    assert_string_equal(post_kind_label(PK_AREA), "党员责任区");
    assert_int_equal(post_kind_from_name("area"), PK_AREA);
    assert_int_equal(post_kind_from_name("window"), -1);
    assert_int_equal(post_kind_from_name(NULL), -1);
    assert_string_equal(post_kind_name(PK_COUNT), "");
}

/* The error code of a check (NULL: accepted) and its field. */
static void expect(const post_in *in, const char *code, const char *field)
{
    post_ok ok;
    cx_err e = {0};
    int rc = post_check(in, &ok, &e);
    if (!code) {
        assert_int_equal(rc, CX_OK);
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
    char long_name[200] = "", long_duties[2100] = "";
    for (int i = 0; i < 41; i++) strcat(long_name, "岗");
    for (int i = 0; i < 501; i++) strcat(long_duties, "职");
    expect(&(post_in){"post", "便民代办示范岗", "村委会一楼", "代办事项"}, NULL, NULL);
    expect(&(post_in){"area", "村东片", NULL, "联系 40 户"}, NULL, NULL);
    expect(&(post_in){"window", "便民代办示范岗", "", "代办事项"}, "invalid_kind", "kind");
    expect(&(post_in){NULL, "便民代办示范岗", "", "代办事项"}, "invalid_kind", "kind");
    expect(&(post_in){"post", "  ", "", "代办事项"}, "required", "name");
    expect(&(post_in){"post", long_name, "", "代办事项"}, "too_long", "name");
    expect(&(post_in){"post", "两行\n名称", "", "代办事项"}, "invalid_text", "name");
    expect(&(post_in){"post", "示范岗", "", ""}, "required", "duties");
    expect(&(post_in){"post", "示范岗", "", long_duties}, "too_long", "duties");
    post_ok ok;
    cx_err e = {0};
    assert_int_equal(post_check(&(post_in){"area", " 村东片 ", " 1–4 组 ", "第一条\n第二条"}, &ok, &e), CX_OK);
    assert_int_equal(ok.kind, PK_AREA);
    assert_string_equal(ok.name, "村东片");
    assert_string_equal(ok.place, "1–4 组");
    assert_string_equal(ok.duties, "第一条\n第二条");
}

static principal who(int role, const char *path, int64_t uid)
{
    principal p = {.user_id = uid, .ngrants = 1};
    p.grants[0].role = role;
    snprintf(p.grants[0].path, sizeof p.grants[0].path, "%s", path);
    return p;
}

static void rules(void **st)
{
    (void)st;
    principal office = who(ROLE_OFFICE, "/1/", 1), sec = who(ROLE_SECRETARY, "/1/2/3/", 3), leader = who(ROLE_LEADER, "/1/2/", 4),
              member = who(ROLE_MEMBER, "/1/2/3/", 5), other = who(ROLE_SECRETARY, "/1/5/6/", 6);
    const char *b = "/1/2/3/";
    assert_true(perm_may_manage_posts(&office, b) && perm_may_manage_posts(&sec, b));
    assert_false(perm_may_manage_posts(&leader, b) || perm_may_manage_posts(&member, b) || perm_may_manage_posts(&other, b));
    assert_true(perm_may_see_posts(&leader, b) && perm_may_see_posts(&sec, b));
    assert_false(perm_may_see_posts(&member, b) || perm_may_see_posts(&other, b));
    assert_true(perm_may_see_post(&member, b, true));
    assert_false(perm_may_see_post(&member, b, false));
    assert_false(perm_may_see_post(&other, b, false));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(names_and_labels), cmocka_unit_test(checks), cmocka_unit_test(rules)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
