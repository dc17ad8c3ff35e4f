/* fuzz_http.c: whole HTTP requests through the server's real handling (web/http.c, request.c,
 * response.c: libmicrohttpd, its post processor and post_iter, the JSON body checks, routing,
 * sessions, CSRF, the handlers and their field getters) against a small demo database made once
 * per process. Built three times (tests/fuzz/meson.build):
 *   fuzz_http  the input is the raw request: request line, headers, body;
 *   fuzz_form  (FUZZ_BODY 'f') and fuzz_json (FUZZ_BODY 'j'): the input is a first line
 *              "METHOD PATH [FLAGS]" and the body after it; the harness writes the headers
 *              (Content-Length always right) with Content-Type multipart/form-data;
 *              boundary=XB (or application/x-www-form-urlencoded with flag 'u') for the form
 *              target and application/json for the JSON target. Flag 'a' signs the request in
 *              as the demo's office account (session cookie and X-CSRF-Token).
 * Each input is written to one end of a socketpair whose other end is handed to a daemon with
 * the server's callbacks (web_start_embedded), run in this thread with MHD_run until it closes
 * the connection; the client half-closes once the server has gone quiet, so an incomplete
 * request ends too. The demo database is made by the cxzy binary of the same build directory. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "../../src/lib/buf.h"
#include "../../src/lib/crypto.h"
#include "../../src/lib/log.h"
#include "../../src/lib/sms.h"
#include "../../src/web/web.h"

static struct MHD_Daemon *daemon_;
static char dir[64], token[65], csrf[65];

static void cleanup(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (dir[0] && system(cmd) != 0) fprintf(stderr, "fuzz_http: could not remove %s\n", dir);
}

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_http: %s: %s\n", what, detail ? detail : "");
    exit(1);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    snprintf(dir, sizeof dir, "/tmp/cxzy-fuzz-http.XXXXXX");
    if (!mkdtemp(dir)) die("mkdtemp", strerror(errno));
    atexit(cleanup);
    /* the cxzy binary beside this one: <build>/tests/fuzz/fuzz_x → <build>/src/cxzy */
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) die("readlink /proc/self/exe", strerror(errno));
    self[n] = 0;
    *strrchr(self, '/') = 0;
    char cmd[PATH_MAX + 256];
    snprintf(cmd, sizeof cmd, "ASAN_OPTIONS=detect_leaks=0 '%s/../../src/cxzy' demo --members 40 --db '%s/f.db' --key '%s/f.key' >'%s/demo.log' 2>&1",
             self, dir, dir, dir);
    if (system(cmd) != 0) die("cxzy demo failed (see its log)", cmd);
    char db_path[128], key[128], logf[128];
    snprintf(db_path, sizeof db_path, "%s/f.db", dir);
    snprintf(key, sizeof key, "%s/f.key", dir);
    snprintf(logf, sizeof logf, "%s/server.log", dir);
    cx_err e = {0};
    if (crypto_boot() != CX_OK || crypto_key_load(key, &e) != CX_OK) die("key", e.msg);
    if (log_open(getenv("FUZZ_HTTP_LOG") ? getenv("FUZZ_HTTP_LOG") : logf, &e) != CX_OK) die("log", e.msg);
    if (sms_configure("none", &e) != CX_OK || web_public_config(NULL, "127.0.0.1:8080", &e) != CX_OK) die("config", e.msg);
    db_pool *pool = db_pool_new(db_path, 1, &e);
    if (!pool) die("db_pool_new", e.msg);
    db *d = db_pool_get(pool);
    int64_t uid = 0;
    if (db_i64(d, &uid, 0, "SELECT id FROM app_user WHERE username = 'office'", "") != CX_OK || !uid ||
        session_create(d, uid, token, csrf) != CX_OK)
        die("office session", db_errmsg(d));
    db_pool_put(pool, d);
    daemon_ = web_start_embedded(pool);
    if (!daemon_) die("MHD_start_daemon", NULL);
    return 0;
}

/* The request to send for an input (see the top of the file); false when the input cannot be one. */
static bool request_of(const uint8_t *in, size_t size, buf *out)
{
#ifndef FUZZ_BODY
    buf_add(out, in, size);
    return true;
#else
    const uint8_t *nl = memchr(in, '\n', size);
    if (!nl) return false;
    char line[512];
    size_t ln = (size_t)(nl - in);
    if (ln >= sizeof line) return false;
    memcpy(line, in, ln);
    line[ln] = 0;
    for (size_t i = 0; i < ln; i++)
        if ((unsigned char)line[i] < ' ' || line[i] == 0x7f) return false; /* one request line, no header injection */
    char *method = strtok(line, " "), *path = strtok(NULL, " "), *flags = strtok(NULL, " ");
    if (!method || !path) return false;
    if (!flags) flags = "";
    const uint8_t *body = nl + 1;
    size_t blen = size - ln - 1;
    const char *ct = FUZZ_BODY == 'j'     ? "application/json"
                     : strchr(flags, 'u') ? "application/x-www-form-urlencoded"
                                          : "multipart/form-data; boundary=XB";
    buf_printf(out, "%s %s HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: %s\r\nContent-Length: %zu\r\n", method, path, ct, blen);
    if (strchr(flags, 'a')) buf_printf(out, "Cookie: cxzy_session=%s\r\nX-CSRF-Token: %s\r\n", token, csrf);
    buf_adds(out, "Connection: close\r\n\r\n");
    buf_add(out, body, blen);
    return true;
#endif
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
    buf rq;
    buf_init(&rq);
    if (!request_of(in, size, &rq)) {
        buf_free(&rq);
        return 0;
    }
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0) die("socketpair", strerror(errno));
    /* a client address of its own per input (the same for the same input): per-address limits
     * (ballots, logins) do not shut out the rest of a run */
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < size; i++) h = (h ^ in[i]) * 16777619u;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(40000)};
    sa.sin_addr.s_addr = htonl(0x0a000000u | (h & 0xffffffu));
    if (MHD_add_connection(daemon_, sv[1], (struct sockaddr *)&sa, sizeof sa) != MHD_YES) die("MHD_add_connection", strerror(errno));
    size_t sent = 0;
    bool half_closed = false;
    int quiet = 0;
    char reply[16384];
    for (;;) {
        bool progress = false;
        if (sent < rq.len) {
            ssize_t w = send(sv[0], rq.p + sent, rq.len - sent, MSG_NOSIGNAL);
            if (w > 0) sent += (size_t)w, progress = true;
            else if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK) break; /* the server closed early */
        }
        MHD_run(daemon_);
        ssize_t r = recv(sv[0], reply, sizeof reply, 0);
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) break; /* the server closed the connection */
        if (r > 0) progress = true;
        /* everything sent and the server silent for a while: the request is incomplete (or the
         * answer is out); half-close so the server ends the connection */
        quiet = progress ? 0 : quiet + 1;
        if (!half_closed && sent == rq.len && quiet > 64) {
            shutdown(sv[0], SHUT_WR);
            half_closed = true;
        }
    }
    close(sv[0]);
    MHD_run(daemon_); /* the connection's cleanup (completed, req_free) */
    buf_free(&rq);
    return 0;
}
