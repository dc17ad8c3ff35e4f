/* account.c: the checks of a new account (username, password strength, display name), activation
 * codes, and the account policy of a subtree (see account.h). */
#include "account.h"
#include "text.h"
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
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

int account_check_unset(const account_in *in, account_ok *out, cx_err *e)
{
    if (username_check(in->username, e) != CX_OK) return CX_ERR;
    if (text_check(&T_DISPLAY, in->display, out->display, sizeof out->display, e) != CX_OK) return CX_ERR;
    snprintf(out->username, sizeof out->username, "%s", in->username);
    out->password = NULL;
    return CX_OK;
}

void activation_code_make(void (*random_bytes)(void *, size_t), char out[ACTIVATION_CODE_LEN + 1])
{
    static const char A[] = ACTIVATION_ALPHABET;
    const unsigned n = sizeof A - 1, limit = 256 - 256 % n; /* bytes from limit up would favour the first letters */
    int k = 0;
    while (k < ACTIVATION_CODE_LEN) {
        unsigned char b[16];
        random_bytes(b, sizeof b);
        for (size_t i = 0; i < sizeof b && k < ACTIVATION_CODE_LEN; i++)
            if (b[i] < limit) out[k++] = A[b[i] % n];
    }
    out[k] = 0;
}

int activation_code_check(const char *typed, char out[ACTIVATION_CODE_LEN + 1], cx_err *e)
{
    int k = 0;
    for (const char *p = typed ? typed : ""; *p; p++) {
        if (*p == ' ' || *p == '-' || *p == '\t') continue;
        char c = (char)toupper((unsigned char)*p);
        if (k == ACTIVATION_CODE_LEN || !strchr(ACTIVATION_ALPHABET, c))
            return cx_fail(e, 400, "invalid_code", "code", "激活码应为激活单上的 8 位字母和数字（如 ABCD-EFGH）");
        out[k++] = c;
    }
    out[k] = 0;
    if (k == 0) return cx_fail(e, 400, "required", "code", "请输入激活码");
    if (k != ACTIVATION_CODE_LEN) return cx_fail(e, 400, "invalid_code", "code", "激活码应为激活单上的 8 位字母和数字（如 ABCD-EFGH）");
    return CX_OK;
}

void activation_code_show(const char *code, char out[ACTIVATION_CODE_LEN + 2])
{
    snprintf(out, ACTIVATION_CODE_LEN + 2, "%.4s-%.4s", code, code + 4);
}

void account_policy_default(account_policy *p)
{
    *p = (account_policy){"number", "dy", 0, 14};
}

int account_policy_check(const account_policy_in *in, account_policy *out, cx_err *e)
{
    if (in->username_rule && *in->username_rule) {
        if (strcmp(in->username_rule, "number") && strcmp(in->username_rule, "phone"))
            return cx_fail(e, 400, "invalid_username_rule", "username_rule", "用户名规则应为“编号”（number）或“手机号”（phone）");
        snprintf(out->username_rule, sizeof out->username_rule, "%s", in->username_rule);
    }
    if (in->prefix) {
        size_t n = strlen(in->prefix);
        bool ok = n >= 1 && n <= ACCOUNT_PREFIX_MAX;
        for (size_t i = 0; ok && i < n; i++) ok = in->prefix[i] >= 'a' && in->prefix[i] <= 'z';
        if (!ok) return cx_fail(e, 400, "invalid_prefix", "prefix", "用户名前缀应为 1-%d 个小写英文字母（如 dy）", ACCOUNT_PREFIX_MAX);
        memcpy(out->prefix, in->prefix, n + 1);
    }
    if (in->code_days && *in->code_days) {
        char *end;
        long v = strtol(in->code_days, &end, 10);
        if (*end || end == in->code_days || v < 1 || v > ACCOUNT_CODE_DAYS_MAX)
            return cx_fail(e, 400, "invalid_code_days", "code_days", "激活码有效期应为 1-%d 天", ACCOUNT_CODE_DAYS_MAX);
        out->code_days = (int)v;
    }
    if (in->auto_create && *in->auto_create) {
        int f = flag_parse(in->auto_create);
        if (f < 0) return cx_fail(e, 400, "invalid_auto_create", "auto_create", "“新党员自动开通账号”应为是或否");
        out->auto_create = f;
    }
    return CX_OK;
}

static bool is_mobile(const char *p)
{
    if (!p || strlen(p) != 11 || p[0] != '1') return false;
    for (int i = 0; i < 11; i++)
        if (!isdigit((unsigned char)p[i])) return false;
    return true;
}

void account_username_for(const account_policy *p, int64_t member_id, const char *phone, int try, char out[ACCOUNT_USERNAME_MAX + 1])
{
    bool mobile = !strcmp(p->username_rule, "phone") && is_mobile(phone);
    if (mobile && try == 0) {
        snprintf(out, ACCOUNT_USERNAME_MAX + 1, "%s", phone);
        return;
    }
    int k = try - (mobile ? 1 : 0); /* 0: the plain number; 1…: with a letter after it */
    if (k == 0) snprintf(out, ACCOUNT_USERNAME_MAX + 1, "%s%06lld", p->prefix, (long long)member_id);
    else snprintf(out, ACCOUNT_USERNAME_MAX + 1, "%s%06lld%c", p->prefix, (long long)member_id, 'a' + (k - 1) % 26);
}
