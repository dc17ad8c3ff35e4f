/* test_account.c: the checks of a new account (domain/account.h): username, password strength
 * and display name, in that order, as typed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "domain/account.h"

static void test_check(void **st)
{
    (void)st;
    account_ok ok;
    cx_err e = {0};
    const char *pw = "correct horse 42";
    assert_int_equal(account_check(&(account_in){"li.xiao-hong_2", "\u3000 林晓红\t", pw}, &ok, &e), CX_OK);
    assert_string_equal(ok.username, "li.xiao-hong_2");
    assert_string_equal(ok.display, "林晓红");
    assert_ptr_equal(ok.password, pw);
    char display[31 * 3 + 1] = "";
    for (int i = 0; i < 30; i++) strcat(display, "名");
    assert_int_equal(account_check(&(account_in){"ab", display, "abcdefghi1"}, &ok, &e), CX_OK);
    strcat(display, "名");
    char longname[34];
    memset(longname, 'a', 33), longname[33] = 0;
    const struct {
        const char *user, *display, *pw, *code, *field;
    } bad[] = {
        {NULL, "林", "abcdefghi1", "invalid_username", "username"},
        {"a", "林", "abcdefghi1", "invalid_username", "username"},
        {" admin", "林", "abcdefghi1", "invalid_username", "username"},
        {"林晓红", "林", "abcdefghi1", "invalid_username", "username"},
        {"admin", "", "short1", "weak_password", "password"}, /* the password before the display name */
        {"admin", "林", "abcdefghij", "weak_password", "password"},
        {"admin", "林", "1234567890", "weak_password", "password"},
        {"admin", "\u3000 ", "abcdefghi1", "required", "display_name"},
        {"admin", "林\n晓红", "abcdefghi1", "invalid_text", "display_name"},
        {"admin", "林\xe6", "abcdefghi1", "invalid_text", "display_name"},
        {"admin", display, "abcdefghi1", "too_long", "display_name"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(account_check(&(account_in){bad[i].user, bad[i].display, bad[i].pw}, &ok, &e), CX_ERR);
        assert_int_equal(e.status, 400);
        assert_string_equal(e.code, bad[i].code);
        assert_string_equal(e.field, bad[i].field);
    }
    assert_int_equal(username_check(longname, &e), CX_ERR);
    longname[32] = 0;
    assert_int_equal(username_check(longname, &e), CX_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_check)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
