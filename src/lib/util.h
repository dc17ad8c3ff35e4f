/* util.h: allocation with one out-of-memory policy, the error record, small string helpers. */
#ifndef CX_UTIL_H
#define CX_UTIL_H
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* One return-code convention across the project. */
#define CX_OK 0
#define CX_ERR (-1)

/* On a function whose result says whether its output was filled (a store getter: 1 found, 0
 * missing, CX_ERR failed): the compiler warns where a caller ignores it and would use an output
 * that was never filled. */
#define CX_MUST_USE __attribute__((warn_unused_result))

/* Out of memory aborts the process (as Redis and h2o do): callers never check. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A user-facing error: a stable code for the API, the field it concerns and a Chinese
 * message naming the field and the reason. Domain code fills it; web code renders it. */
typedef struct cx_err {
    char code[48];
    char field[64];
    char msg[512];
    int status; /* HTTP status the error maps to; 0 means 400 */
    const char *file; /* where it was raised (source file and line), for the error log only */
    int line;
} cx_err;

/* Sets e (if not NULL) and returns CX_ERR, so callers can write `return cx_fail(e, ...)`. */
#define cx_fail(e, ...) cx_fail_at(__FILE__, __LINE__, (e), __VA_ARGS__)
int cx_fail_at(const char *file, int line, cx_err *e, int status, const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

bool str_starts(const char *s, const char *prefix);
/* A yes/no value as typed or sent: 1 for "1", "true", "on"; 0 for "0", "false", "off"; -1 when
 * absent (NULL); -2 for anything else. */
int flag_parse(const char *s);
/* Trims ASCII white space and U+3000 (ideographic space) in place; returns s. */
char *str_trim(char *s);
/* Parses a decimal int64 that fills the whole string; CX_OK or CX_ERR. */
int str_to_i64(const char *s, int64_t *out);
int64_t now_unix(void);
/* Milliseconds of the monotonic clock. */
int64_t mono_ms(void);

/* The back-off between attempts to reach a server that stays away (a lost PostgreSQL connection,
 * the listener's, the ballot writer's): 100 ms after the first failure, doubling to 2 s. */
typedef struct backoff {
    int64_t ms;      /* the current wait; 0 while nothing failed */
    int64_t next_ms; /* mono_ms() before which no attempt is made */
} backoff;
/* Whether an attempt may be made at now (mono_ms). */
bool backoff_due(const backoff *b, int64_t now);
/* The attempt at now failed: the next waits longer. */
void backoff_failed(backoff *b, int64_t now);
/* The attempt worked: back to no wait; true when it had failed before (worth a log line). */
bool backoff_reset(backoff *b);
/* Valid UTF-8 with no NUL and no C0 controls other than \t \r \n. */
bool utf8_valid(const char *s, size_t n);
/* Number of code points in a valid UTF-8 string. */
size_t utf8_len(const char *s);
/* A time as the pages show it, in local time: "2026-12-06 13:45:07" with seconds, else
 * "2026-12-06 13:45"; "" for none (0). */
void time_text(int64_t t, bool seconds, char out[32]);

/* FNV-1a (64-bit) of n bytes, or of a string: the one hash for in-memory tables, cache slots,
 * address buckets and lock keys (not for anything an attacker must not steer: see crypto.h). */
uint64_t fnv1a(const void *p, size_t n);
uint64_t fnv1a_str(const char *s);
#endif
