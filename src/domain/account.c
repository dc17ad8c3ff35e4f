/* account.c: the checks of a new account: username, password strength, display name (see account.h). */
#include "account.h"
#include "text.h"
#include <ctype.h>
#include <stdio.h>
#include <string.h>

int password_check(const char *pw, cx_err *e)
{
    if (!pw || strlen(pw) < 10) return cx_fail(e, 400, "weak_password", "password", "密码至少需要 10 个字符");
    if (strlen(pw) > 128) return cx_fail(e, 400, "weak_password", "password", "密码不能超过 128 个字符");
    int letters = 0, digits = 0;
    for (const char *p = pw; *p; p++) {
        if (isalpha((unsigned char)*p)) letters = 1;
        if (isdigit((unsigned char)*p)) digits = 1;
    }
    if (!letters || !digits) return cx_fail(e, 400, "weak_password", "password", "密码需同时包含字母和数字");
    return CX_OK;
}

int username_check(const char *u, cx_err *e)
{
    size_t n = u ? strlen(u) : 0;
    if (n < 2 || n > ACCOUNT_USERNAME_MAX) return cx_fail(e, 400, "invalid_username", "username", "用户名应为 2-32 个字符");
    for (const char *p = u; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' && *p != '.')
            return cx_fail(e, 400, "invalid_username", "username", "用户名只能包含字母、数字、下划线、点和连字符");
    return CX_OK;
}

static const text_rule T_DISPLAY = {"display_name", "显示名称", 1, ACCOUNT_DISPLAY_MAX, true};

int account_check(const account_in *in, account_ok *out, cx_err *e)
{
    if (username_check(in->username, e) != CX_OK || password_check(in->password, e) != CX_OK) return CX_ERR;
    if (text_check(&T_DISPLAY, in->display, out->display, sizeof out->display, e) != CX_OK) return CX_ERR;
    snprintf(out->username, sizeof out->username, "%s", in->username);
    out->password = in->password;
    return CX_OK;
}
