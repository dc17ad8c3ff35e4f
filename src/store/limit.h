/* limit.h: the one rate limiter of the public side, kept in the database (table rate_limit) so that
 * every server process counts alike: fixed-window counters per bucket — ballots and SMS codes per
 * address, feedback submissions and tracking-code misses per address, the burst counters of web
 * ballots. A bucket names what is counted without keeping it: a keyed hash of the address. (Logins
 * are bounded in memory by lib/pwgate.c and in login_lock: a gate on hashing, not a counter.) */
#ifndef CX_LIMIT_H
#define CX_LIMIT_H
#include "store.h"

/* prefix followed by 32 hex digits of the keyed hash of "<what>\x1f<value>" (value NULL: ""). */
void limit_bucket(const char *prefix, const char *what, const char *value, char out[48]);
/* Adds one to (bucket, window) and puts the new count in *n. */
int limit_add(db *d, const char *bucket, int64_t window, int64_t *n);
/* Takes one of the max uses of (bucket, window) in one statement: 1 when taken (*n the new count),
 * 0 when all max are taken (nothing changes, *n = max), CX_ERR. Of many requests at once, on any
 * number of instances, exactly max are let through; a limit checked by peeking first and adding
 * after the action lets every request that peeked at once through. */
int limit_take(db *d, const char *bucket, int64_t window, int64_t max, int64_t *n);
/* Gives back a use taken by limit_take in the same window (the action was refused or did not
 * count). */
int limit_give(db *d, const char *bucket, int64_t window);
/* The count of (bucket, window) without adding (0 when none). */
int limit_peek(db *d, const char *bucket, int64_t window, int64_t *n);
/* A guess at a secret code (a tracking code), counted per bucket and hour: once max wrong guesses
 * were made, 429 rate_limited (even for a right code); a code that does not parse (a typo the check
 * character catches) is no guess. limit_guess_begin: 1 when in parsed into out and a use was taken
 * (then call limit_guess_end with the lookup's result: 1 found, 0 not, CX_ERR), else 0 with e set. */
typedef struct limit_guess {
    char bucket[48];
    int64_t window;
} limit_guess;
int limit_guess_begin(db *d, limit_guess *g, int64_t max, const char *in, size_t ndata, char *out, size_t cap, cx_err *e);
/* A found code gives its use back, a missing one keeps it (404 not_found), a failed lookup gives
 * it back (500 db_error). */
void limit_guess_end(db *d, const limit_guess *g, int found, cx_err *e);
/* The start of the hour now is in: the window of the hourly limits. */
int64_t limit_hour(void);
#endif
