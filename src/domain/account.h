/* account.h: what is typed to make an account: the username, the password's strength and the
 * display name; the check the store's user_create takes. */
#ifndef CX_ACCOUNT_H
#define CX_ACCOUNT_H
#include "../lib/util.h"

#define ACCOUNT_USERNAME_MAX 32 /* 2–32 of [A-Za-z0-9_.-] */
#define ACCOUNT_DISPLAY_MAX 30  /* 显示名称, 1–30 characters, one line */
/* 400 invalid_username. */
int username_check(const char *u, cx_err *e);
/* Password strength rule: 10–128 characters with letters and digits. 400 weak_password otherwise. */
int password_check(const char *pw, cx_err *e);

typedef struct account_in {
    const char *username, *display, *password;
} account_in;
typedef struct account_ok {
    char username[ACCOUNT_USERNAME_MAX + 1];
    char display[ACCOUNT_DISPLAY_MAX * 4 + 1]; /* trimmed */
    const char *password;                       /* in's, checked: not copied, so the secret stays in one place */
} account_ok;
/* username, password, display name, in that order. */
int account_check(const account_in *in, account_ok *out, cx_err *e);
#endif
