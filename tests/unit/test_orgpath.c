/* test_orgpath.c: materialized-path arithmetic of the organisation tree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "domain/orgpath.h"
#include "domain/perm.h"

static void end_covers_exactly_the_subtree(void **st)
{
    char end[64];
    orgpath_end("/1/7/", end, sizeof end);
    assert_string_equal(end, "/1/70");
    /* inside: the node itself and its descendants; outside: a sibling whose id starts alike */
    assert_true(strcmp("/1/7/", "/1/7/") >= 0 && strcmp("/1/7/", end) < 0);
    assert_true(strcmp("/1/7/42/9/", "/1/7/") >= 0 && strcmp("/1/7/42/9/", end) < 0);
    assert_false(strcmp("/1/70/", end) < 0);
    assert_false(strcmp("/1/8/", end) < 0);
    assert_false(strcmp("/1/", "/1/7/") >= 0);
}

static void child_and_root_paths(void **st)
{
    char p[32];
    assert_int_equal(orgpath_child(NULL, 1, p, sizeof p), 0);
    assert_string_equal(p, "/1/");
    assert_int_equal(orgpath_child("/1/7/", 42, p, sizeof p), 0);
    assert_string_equal(p, "/1/7/42/");
    char tiny[6];
    assert_int_equal(orgpath_child("/1/7/", 42, tiny, sizeof tiny), -1);
}

static void rebase_moves_a_subtree(void **st)
{
    char p[64];
    /* moving /1/7/ (id 7) under /1/3/: its descendants follow */
    assert_int_equal(orgpath_rebase("/1/7/42/9/", "/1/7/", "/1/3/7/", p, sizeof p), 0);
    assert_string_equal(p, "/1/3/7/42/9/");
    assert_int_equal(orgpath_rebase("/1/8/", "/1/7/", "/1/3/7/", p, sizeof p), -1);
}

static void depth_and_ancestors(void **st)
{
    assert_int_equal(orgpath_depth("/1/"), 0);
    assert_int_equal(orgpath_depth("/1/7/42/"), 2);
    assert_int_equal(orgpath_depth("1/7/"), -1);
    assert_int_equal(orgpath_depth("/1/x/"), -1);
    assert_int_equal(orgpath_depth("/1/7"), -1);
    assert_int_equal(orgpath_at("/1/7/42/", 0), 1);
    assert_int_equal(orgpath_at("/1/7/42/", 1), 7);
    assert_int_equal(orgpath_at("/1/7/42/", 2), 42);
    assert_int_equal(orgpath_at("/1/7/42/", 3), 0);
}

static void move_keeps_permissions_with_the_tree(void **st)
{
    /* a secretary of /1/7/ keeps the moved branch; the office of the old parent loses it */
    principal sec = {.ngrants = 1};
    sec.grants[0].role = ROLE_SECRETARY;
    strcpy(sec.grants[0].path, "/1/3/7/");
    principal old_office = {.ngrants = 1};
    old_office.grants[0].role = ROLE_OFFICE;
    strcpy(old_office.grants[0].path, "/1/2/");
    char moved[64];
    assert_int_equal(orgpath_rebase("/1/2/7/42/", "/1/2/7/", "/1/3/7/", moved, sizeof moved), 0);
    assert_true(perm_allows(&sec, ROLE_SECRETARY, moved));
    assert_false(perm_allows(&old_office, ROLE_OFFICE, moved));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(end_covers_exactly_the_subtree), cmocka_unit_test(child_and_root_paths),
        cmocka_unit_test(rebase_moves_a_subtree), cmocka_unit_test(depth_and_ancestors),
        cmocka_unit_test(move_keeps_permissions_with_the_tree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
