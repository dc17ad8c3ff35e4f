/* test_org.c: the check of an organisation's name, type and sector (domain/org.h) as typed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "domain/org.h"

static void test_labels(void **st)
{
    (void)st;
    assert_string_equal(org_type_label("branch"), "党支部");
    assert_string_equal(org_sector_label("soe"), "国有企业");
    assert_string_equal(org_type_label("club"), "club"); /* unknown codes as they are */
    assert_true(org_type_valid("general_branch"));
    assert_false(org_type_valid(NULL));
    assert_false(org_sector_valid("Rural"));
}

static void test_check(void **st)
{
    (void)st;
    org_ok ok;
    cx_err e = {0};
    char type[] = "branch";
    assert_int_equal(org_check(&(org_in){"\u3000 第一党支部 ", type, "rural"}, &ok, &e), CX_OK);
    assert_string_equal(ok.name, "第一党支部");
    assert_string_equal(ok.type, "branch");
    assert_ptr_not_equal(ok.type, type); /* the code, not the caller's buffer */
    assert_string_equal(ok.sector, "rural");
    char name[61 * 3 + 1] = "";
    for (int i = 0; i < 60; i++) strcat(name, "党");
    assert_int_equal(org_check(&(org_in){name, "committee", "school"}, &ok, &e), CX_OK);
    strcat(name, "党");
    static const struct {
        const char *name, *type, *sector, *code, *field;
    } bad[] = {
        {NULL, "branch", "rural", "required", "name"},
        {"\u3000\u3000", "nope", "nope", "required", "name"}, /* the name first */
        {"第一\n党支部", "branch", "rural", "invalid_text", "name"},
        {"第一\xe5党支部", "branch", "rural", "invalid_text", "name"},
        {"第一党支部", "Branch", "nope", "invalid_type", "type"},
        {"第一党支部", NULL, "rural", "invalid_type", "type"},
        {"第一党支部", "branch", "", "invalid_sector", "sector"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(org_check(&(org_in){bad[i].name, bad[i].type, bad[i].sector}, &ok, &e), CX_ERR);
        assert_int_equal(e.status, 400);
        assert_string_equal(e.code, bad[i].code);
        assert_string_equal(e.field, bad[i].field);
    }
    assert_int_equal(org_check(&(org_in){name, "branch", "rural"}, &ok, &e), CX_ERR); /* 61 characters */
    assert_string_equal(e.code, "too_long");
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_labels), cmocka_unit_test(test_check)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
