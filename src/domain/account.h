/* account.h: what is typed to make an account: the username, the password's strength and the
 * display name (the check the store's user_create takes); activation codes; the account policy
 * of a subtree and the usernames it gives members. */
#ifndef CX_ACCOUNT_H
#define CX_ACCOUNT_H
#include "../lib/util.h"
#include <stddef.h>
#include <stdint.h>

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
/* The same without a password: an account made to be activated by a one-time code. */
int account_check_unset(const account_in *in, account_ok *out, cx_err *e);

/* ---- activation codes (激活码): first sign-in without a password set by anyone else ----
 * Eight characters of an alphabet without look-alikes (no 0/O, 1/I/L), ~39 bits: with the
 * login lock-out (5 tries per name and address) and an expiry, as strong as a first password
 * must be, and easy to type from a printed slip. */
#define ACTIVATION_CODE_LEN 8
#define ACTIVATION_ALPHABET "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
/* A new code from random_bytes (libsodium's randombytes_buf in the program, a fixed source in
 * tests), every letter equally likely (bytes past the last whole multiple of 31 are skipped). */
void activation_code_make(void (*random_bytes)(void *, size_t), char out[ACTIVATION_CODE_LEN + 1]);
/* What was typed, normalised: case folded, spaces and dashes dropped, look-alikes read as meant
 * (O→0 is not in the alphabet, so O, 0 → refused). 400 invalid_code naming the field "code". */
int activation_code_check(const char *typed, char out[ACTIVATION_CODE_LEN + 1], cx_err *e);
/* "ABCD-EFGH", as printed. */
void activation_code_show(const char *code, char out[ACTIVATION_CODE_LEN + 2]);

/* ---- the account policy of a subtree (账号规则), set by an office ---- */
#define ACCOUNT_PREFIX_MAX 8
#define ACCOUNT_CODE_DAYS_MAX 90
typedef struct account_policy_in {
    const char *username_rule, *prefix, *auto_create, *code_days;
} account_policy_in;
typedef struct account_policy {
    char username_rule[8];                 /* "number" or "phone" */
    char prefix[ACCOUNT_PREFIX_MAX + 1];   /* 1–8 lowercase letters */
    int auto_create;                       /* members added later get an account at once */
    int code_days;                         /* 1–90: how long an activation code is valid */
} account_policy;
/* The defaults where no organisation up the tree set a policy: number rule, prefix "dy", no
 * automatic accounts, 14 days. */
void account_policy_default(account_policy *p);
/* 400 invalid_username_rule / invalid_prefix / invalid_code_days; absent values keep *out's. */
int account_policy_check(const account_policy_in *in, account_policy *out, cx_err *e);
/* The username the policy gives a member (try 0), and the next candidates when it is taken
 * (try 1, 2 …): phone rule with a mobile number (11 digits, leading 1) → the number, then the
 * number rule; number rule → prefix + the member's number, six digits at least (dy000123), then
 * with a letter after it (dy000123a …). */
void account_username_for(const account_policy *p, int64_t member_id, const char *phone, int try, char out[ACCOUNT_USERNAME_MAX + 1]);
#endif
