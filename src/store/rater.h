/* rater.h: who rates: a verified mainland mobile (SMS codes) and the device tokens the server signs. */
#ifndef CX_RATER_H
#define CX_RATER_H
#include "store.h"
#include "../domain/rating.h" /* rating_phone, rater_phone */
#include "../lib/crypto.h" /* CX_HASH_BYTES */

/* ---- SMS codes ---- */
#define SMS_CODE_TTL 600      /* seconds a code is valid */
#define SMS_CODE_ATTEMPTS 5   /* wrong tries allowed per code */
/* Sends a 6-digit code to p (passed rating_phone): at most one a minute and 5 an hour per phone,
 * sms_limit per address an hour (429 rate_limited). Only hashes are stored. addr: the client address. */
int sms_code_request(db *d, const rater_phone *p, const char *addr, cx_err *e);
/* Checks and uses up the newest code of phone (normalised): 400 code_expired (none valid),
 * wrong_code (counted), 429 too_many_attempts. */
int sms_code_verify(db *d, const char *phone, const char *code, cx_err *e);

/* ---- device tokens ---- */
#define DEVICE_TOKEN_LEN 65 /* 32 hex id, '.', 32 hex keyed hash */
/* A new device token signed with the server key. */
void device_issue(char out[DEVICE_TOKEN_LEN + 1]);
/* Whether s is a token this server issued. */
bool device_valid(const char *s);

/* ---- one person once outside ballots (issue 22: consultation comments, nominations of a case) ----
 * The rater keys of a verified phone and of a device token over (kind, id): the keyed hashes the
 * store keeps unique per record instead of the phone or the token (ballots' rater_key, round 0). */
void rater_keys_of(const char *kind, int64_t id, const char *phone, const char *device, unsigned char phone_key[CX_HASH_BYTES],
                   unsigned char device_key[CX_HASH_BYTES]);
#endif
