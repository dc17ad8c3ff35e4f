/* log.c: the server's log (see log.h). */
#include "log.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int g_fd = 2;
static char *g_path; /* the file of log_open, for log_reopen */

static int open_log(const char *path, cx_err *e)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
    if (fd < 0) return cx_fail(e, 400, "bad_log", "log", "无法打开日志文件 %s：%s", path, strerror(errno)), -1;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077)) fchmod(fd, 0600); /* an older file others could read */
    return fd;
}

int log_open(const char *path, cx_err *e)
{
    if (!path) return CX_OK;
    int fd = open_log(path, e);
    if (fd < 0) return CX_ERR;
    free(g_path);
    g_path = xstrdup(path);
    g_fd = fd;
    return CX_OK;
}

int log_reopen(cx_err *e)
{
    if (!g_path) return CX_OK;
    int fd = open_log(g_path, e);
    if (fd < 0) return CX_ERR;
    /* the new file takes the old descriptor's number in one step: a line being written by
     * another thread goes whole to one file or the other, never to a closed descriptor */
    int rc = dup3(fd, g_fd, O_CLOEXEC) < 0 ? cx_fail(e, 500, "bad_log", "log", "无法切换日志文件 %s：%s", g_path, strerror(errno)) : CX_OK;
    close(fd);
    return rc;
}

int log_fd(void) { return g_fd; }

static void add(log_line *l, const char *p, size_t n)
{
    size_t room = sizeof l->s - 1 - l->n; /* one byte stays for the newline */
    if (n > room) n = room;
    memcpy(l->s + l->n, p, n);
    l->n += n;
}

void log_begin(log_line *l, const char *kind)
{
    /* the time to the millisecond in UTC; the formatted second is kept per thread */
    static _Thread_local time_t last;
    static _Thread_local char sec[24];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (ts.tv_sec != last || !sec[0]) {
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm);
        strftime(sec, sizeof sec, "%Y-%m-%dT%H:%M:%S", &tm);
        last = ts.tv_sec;
    }
    l->n = 0;
    char t[48];
    int k = snprintf(t, sizeof t, "%s.%03ldZ ", sec, ts.tv_nsec / 1000000);
    add(l, t, (size_t)k);
    add(l, kind, strlen(kind));
}

void log_kv(log_line *l, const char *key, const char *v, size_t max)
{
    if (!v) v = "";
    size_t n = strlen(v);
    bool cut = max && n > max;
    if (cut) {
        n = max;
        while (n && ((unsigned char)v[n] & 0xC0) == 0x80) n--; /* not inside a UTF-8 character */
    }
    bool quote = !n || cut;
    for (size_t i = 0; i < n && !quote; i++)
        if ((unsigned char)v[i] <= ' ' || v[i] == '"' || v[i] == '\\' || v[i] == '=' || v[i] == 0x7f) quote = true;
    add(l, " ", 1);
    add(l, key, strlen(key));
    add(l, "=", 1);
    if (!quote) return add(l, v, n);
    add(l, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c < ' ' || c == 0x7f || c == '"' || c == '\\') {
            char esc[8];
            int k = c == '"' || c == '\\' ? snprintf(esc, sizeof esc, "\\%c", c) : snprintf(esc, sizeof esc, "\\x%02x", c);
            add(l, esc, (size_t)k);
        } else add(l, (const char *)&v[i], 1);
    }
    if (cut) add(l, "…", strlen("…"));
    add(l, "\"", 1);
}

void log_kvf(log_line *l, const char *key, const char *fmt, ...)
{
    char v[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v, sizeof v, fmt, ap);
    va_end(ap);
    log_kv(l, key, v, 0);
}

void log_end(log_line *l)
{
    l->s[l->n++] = '\n';
    for (size_t off = 0; off < l->n;) {
        ssize_t w = write(g_fd, l->s + off, l->n - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return; /* a full disk or a closed stderr: the request goes on */
        off += (size_t)w;
    }
}

void log_error(const char *where, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    log_line l;
    log_begin(&l, "error");
    log_kv(&l, "where", where, 0);
    log_kv(&l, "msg", msg, 0);
    log_end(&l);
}
