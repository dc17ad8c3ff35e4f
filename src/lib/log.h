/* log.h: the server's log. One descriptor (stderr, or the file of `cxzy serve --log FILE`, opened
 * O_APPEND and 0600) takes access lines, error lines and the `log` SMS gateway's lines, each
 * written whole by one write(2): an O_APPEND write is not interleaved with another, so no lock is
 * taken on the request path. Lines are "TIME KIND key=value …", values with spaces, quotes or
 * control characters quoted and escaped (a path cannot forge a line). Nothing secret is logged:
 * callers pass paths without query values, masked phones, no codes, passwords or 身份证号. */
#ifndef CX_LOG_H
#define CX_LOG_H
#include <stddef.h>
#include "util.h"

/* Opens path for appending (created 0600) as the log; NULL keeps stderr. */
int log_open(const char *path, cx_err *e);
/* Opens the file of log_open again (after logrotate renamed it; `cxzy serve` on SIGHUP): lines
 * from now on go to a file at that path, created 0600 when missing. Nothing for stderr. */
int log_reopen(cx_err *e);
/* The log's descriptor (2 until log_open). */
int log_fd(void);

/* A line being built in a fixed buffer (truncated, never overflowing). */
typedef struct log_line {
    char s[2048];
    size_t n;
} log_line;
/* Starts a line: "2026-12-06T14:20:00.123Z kind". */
void log_begin(log_line *l, const char *kind);
/* Appends " key=value", value quoted and escaped when needed, cut after max bytes (0: no cut). */
void log_kv(log_line *l, const char *key, const char *value, size_t max);
/* Appends " key=value" for a number or raw text the caller knows needs no quoting. */
void log_kvf(log_line *l, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Adds the newline and writes the line. */
void log_end(log_line *l);

/* An error line outside a request: "TIME error where=… msg=…". */
void log_error(const char *where, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#endif
