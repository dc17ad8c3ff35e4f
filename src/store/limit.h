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
/* The count of (bucket, window) without adding (0 when none). */
int limit_peek(db *d, const char *bucket, int64_t window, int64_t *n);
/* The start of the hour now is in: the window of the hourly limits. */
int64_t limit_hour(void);
#endif
