/* db_pg.c: the PostgreSQL backend (libpq). `?` placeholders become $n; each statement is
 * prepared once per connection under a generated name and executed with bound parameters. */
#include "db.h"
#include "../lib/log.h"
#include "stmt_cache.h"
#include "../lib/buf.h"
#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PG_MAXP 1024 /* ? placeholders a statement (PostgreSQL takes 65535) */

typedef struct pg_stmt {
    db_stmt base;
    char name[24];
    char *sql;      /* the $n text, to prepare again on a new connection */
    unsigned epoch; /* the connection's epoch it was prepared in */
    int nparams;
    bool cached, busy;
    char **vals; /* nparams each (at least one) */
    int *lens, *fmts;
    PGresult *res;
    int row, nrows;
    int64_t changes;
    void **unesc; /* PQunescapeBytea results freed at done */
    int nunesc;
    /* db_stream: rows a FETCH (0: not streamed); the cursor's name while it is open; whether the
     * last FETCH came back short (the cursor is at its end) */
    int fetch;
    char cursor[24];
    bool last;
} pg_stmt;

typedef struct pg_db {
    db base;
    PGconn *c;
    stmt_cache cache;
    int seq;
    char err[512];
    char sqlstate[6];
    /* Reconnection: epoch counts the connections this handle has had (statements prepared in an
     * older one are prepared again); seen is the process-wide count of lost connections this one
     * has reacted to; back-off between attempts while the server stays away. */
    char *url;
    char app[96]; /* its application_name */
    unsigned epoch, seen, lost_slot;
    backoff retry;
    /* A COPY sent without waiting for its answer (pg_copy's wait false): read before anything
     * else goes to the server (copy_wait), so the server stores one chunk of a bulk insert while
     * the caller makes the next. */
    bool copy_pending;
} pg_db;

/* Bumped whenever any connection finds the server gone: after a PostgreSQL restart every
 * connection of the process to that server is broken, so each reconnects before its next use
 * instead of failing one request first. One counter per server address (by a hash of the URL,
 * LOST_SLOTS of them): a replica going away (cxzy serve --db-read) does not make every
 * connection to the primary reconnect. */
#define LOST_SLOTS 16
static unsigned g_lost[LOST_SLOTS]; /* atomic */
#define LOST(d) (&g_lost[(d)->lost_slot])

static void set_err(pg_db *d, PGresult *r)
{
    const char *m = r ? PQresultErrorMessage(r) : PQerrorMessage(d->c);
    snprintf(d->err, sizeof d->err, "%s", m ? m : "");
    const char *st = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    snprintf(d->sqlstate, sizeof d->sqlstate, "%s", st ? st : "");
    if (PQstatus(d->c) == CONNECTION_BAD) {
        if (!d->sqlstate[0]) snprintf(d->sqlstate, sizeof d->sqlstate, "08006");
        __atomic_add_fetch(LOST(d), 1, __ATOMIC_RELEASE);
    }
    /* 25006: a write on a hot standby, 40001: a query cancelled there by the replay (or a
     * serialization failure): the caller may run a request on a replica again on the primary */
    if (!strcmp(d->sqlstate, "25006") || !strcmp(d->sqlstate, "40001")) d->base.standby_refused = true;
}

/* The answer of a COPY sent without waiting (copy_pending): CX_ERR with the COPY's own error when
 * it failed (the transaction is then aborted). */
static int copy_wait(pg_db *d)
{
    if (!d->copy_pending) return CX_OK;
    d->copy_pending = false;
    int rc = CX_OK;
    PGresult *r;
    while ((r = PQgetResult(d->c))) {
        if (rc == CX_OK && PQresultStatus(r) != PGRES_COMMAND_OK) {
            set_err(d, r);
            rc = CX_ERR;
        }
        PQclear(r);
    }
    return rc;
}

static void notice_quiet(void *arg, const char *msg) { (void)arg, (void)msg; }

/* Connects with the URL's settings plus the client encoding and this process's application_name
 * as startup parameters (PgBouncer passes both on, a SET after connecting would not be kept). */
static PGconn *connect_url(const char *url, const char *app)
{
    const char *keys[] = {"dbname", "client_encoding", "fallback_application_name", "keepalives_idle", "keepalives_interval", NULL};
    const char *vals[] = {url, "UTF8", app, "30", "10", NULL};
    return PQconnectdbParams(keys, vals, 1);
}

/* Whether statements go unnamed and without session settings: through PgBouncer (transaction
 * mode), unless this connection is straight to the server (db_open_direct). */
static bool bounced(const pg_db *d) { return db_pgbouncer() && !d->base.direct; }

static void session_setup(pg_db *d)
{
    PQsetNoticeProcessor(d->c, notice_quiet, NULL);
    /* PgBouncer (transaction mode): no session settings. Nothing in the SQL depends on the session
     * time zone (times are Unix seconds and dates computed in C); the lock timeout is set per
     * transaction by db_begin, and with each statement outside one (exec_autocommit_bounced). */
    if (bounced(d)) return;
    PQclear(PQexec(d->c, "SET TIME ZONE 'UTC'"));
    /* a lock held elsewhere fails a statement after 10 s (503 db_busy), like SQLite's busy timeout */
    PQclear(PQexec(d->c, "SET lock_timeout = " DB_LOCK_TIMEOUT));
}

/* Reconnects when the connection is broken (or another one found the server gone), at most once
 * per back-off period (100 ms doubling to 2 s) while the server stays away. */
static int pg_ensure(db *base)
{
    pg_db *d = (pg_db *)base;
    unsigned lost = __atomic_load_n(LOST(d), __ATOMIC_ACQUIRE);
    if (PQstatus(d->c) == CONNECTION_OK && d->seen == lost) return CX_OK;
    int64_t now = mono_ms();
    if (!backoff_due(&d->retry, now)) {
        snprintf(d->err, sizeof d->err, "PostgreSQL 连接已断开，稍后重试连接");
        snprintf(d->sqlstate, sizeof d->sqlstate, "08006");
        return CX_ERR;
    }
    PQfinish(d->c);
    d->c = connect_url(d->url, d->app);
    d->epoch++;
    if (PQstatus(d->c) != CONNECTION_OK) {
        backoff_failed(&d->retry, now);
        snprintf(d->err, sizeof d->err, "%s", PQerrorMessage(d->c));
        snprintf(d->sqlstate, sizeof d->sqlstate, "08006");
        log_error("db", "PostgreSQL 无法连接（%s），%lld 毫秒后重试：%s", d->app, (long long)d->retry.ms, d->err);
        return CX_ERR;
    }
    if (backoff_reset(&d->retry)) log_error("db", "PostgreSQL 已重新连接（%s）", d->app);
    d->seen = lost;
    session_setup(d);
    return CX_OK;
}

/* Faults: connection exceptions (08…), the server shutting down or starting (57P0x), lock
 * timeouts and deadlocks (55P03, 40P01), disk full and out of resources (53…). */
static int pg_fault(db *base)
{
    pg_db *d = (pg_db *)base;
    const char *st = d->sqlstate;
    if (PQstatus(d->c) == CONNECTION_BAD || !strncmp(st, "08", 2) || !strncmp(st, "57P", 3)) return DB_FAULT_UNAVAILABLE;
    if (!strcmp(st, "55P03") || !strcmp(st, "40P01") || !strcmp(st, "57014")) return DB_FAULT_BUSY;
    if (!strncmp(st, "53", 2)) return DB_FAULT_FULL;
    return DB_FAULT_NONE;
}

static db *pg_open_as(const char *url, const char *app, bool direct, cx_err *e)
{
    pg_db *d = xcalloc(1, sizeof *d);
    d->base.ops = &db_pg_ops;
    d->base.kind = DB_PG;
    d->base.direct = direct;
    snprintf(d->app, sizeof d->app, "%s", app);
    d->c = connect_url(url, d->app);
    if (PQstatus(d->c) != CONNECTION_OK) {
        cx_fail(e, 500, "db_open_failed", "db", "无法连接 PostgreSQL：%s", PQerrorMessage(d->c));
        PQfinish(d->c);
        free(d);
        return NULL;
    }
    session_setup(d);
    d->url = xstrdup(url);
    d->lost_slot = (unsigned)(fnv1a_str(url) % LOST_SLOTS);
    d->seen = __atomic_load_n(LOST(d), __ATOMIC_ACQUIRE);
    return &d->base;
}

static db *pg_open(const char *url, cx_err *e) { return pg_open_as(url, db_app_name(), false, e); }

db *db_pg_open_direct(const char *url, const char *app, cx_err *e)
{
    char name[96];
    snprintf(name, sizeof name, "%s %s", db_app_name(), app);
    return pg_open_as(url, name, true, e);
}

static void clear_result(pg_stmt *s)
{
    if (s->res) PQclear(s->res);
    s->res = NULL;
    for (int i = 0; i < s->nunesc; i++) PQfreemem(s->unesc[i]);
    free(s->unesc);
    s->unesc = NULL;
    s->nunesc = 0;
}

static void clear_params(pg_stmt *s)
{
    for (int i = 0; i < s->nparams; i++) {
        free(s->vals[i]);
        s->vals[i] = NULL;
        s->lens[i] = s->fmts[i] = 0;
    }
}

static void stmt_free(void *p)
{
    pg_stmt *s = p;
    clear_result(s);
    clear_params(s);
    free(s->vals);
    free(s->lens);
    free(s->fmts);
    free(s->sql);
    free(s);
}

static void pg_close(db *base)
{
    pg_db *d = (pg_db *)base;
    copy_wait(d);
    stmt_cache_free(&d->cache, stmt_free);
    PQfinish(d->c);
    free(d->url);
    free(d);
}

static int pg_exec(db *base, const char *sql)
{
    pg_db *d = (pg_db *)base;
    /* a failed COPY still waiting fails this too (a COMMIT would only roll back), but sql runs:
     * a ROLLBACK must end the transaction */
    int waited = copy_wait(d);
    PGresult *r = PQexec(d->c, sql);
    ExecStatusType st = PQresultStatus(r);
    int rc = (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) ? waited : CX_ERR;
    if (rc != CX_OK && waited == CX_OK) set_err(d, r);
    PQclear(r);
    return rc;
}

/* Rewrites ? placeholders to $1..$n (the project's SQL never puts ? inside literals). */
static char *to_dollars(const char *sql, int *n)
{
    buf b;
    buf_init(&b);
    *n = 0;
    for (const char *p = sql; *p; p++) {
        if (*p == '?') buf_printf(&b, "$%d", ++*n);
        else buf_addc(&b, *p);
    }
    return buf_take(&b);
}

static db_stmt *pg_prepare(db *base, const char *sql)
{
    pg_db *d = (pg_db *)base;
    if (copy_wait(d) != CX_OK) return NULL;
    pg_stmt *s = stmt_cache_get(&d->cache, sql);
    bool unnamed = bounced(d); /* PgBouncer: each execution sends its text (PQexecParams) */
    if (s && !s->busy && !unnamed && s->epoch != d->epoch) { /* prepared on a connection since lost */
        PGresult *r = PQprepare(d->c, s->name, s->sql, s->nparams, NULL);
        bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        if (!ok) set_err(d, r);
        PQclear(r);
        if (!ok) return NULL;
        s->epoch = d->epoch;
    }
    if (s && !s->busy) {
        s->busy = true;
        return &s->base;
    }
    int n;
    char *text = to_dollars(sql, &n);
    if (n > PG_MAXP) {
        snprintf(d->err, sizeof d->err, "too many parameters");
        free(text);
        return NULL;
    }
    pg_stmt *ns = xcalloc(1, sizeof *ns);
    ns->base.d = base;
    ns->nparams = n;
    ns->vals = xcalloc(n ? (size_t)n : 1, sizeof *ns->vals);
    ns->lens = xcalloc(n ? (size_t)n : 1, sizeof *ns->lens);
    ns->fmts = xcalloc(n ? (size_t)n : 1, sizeof *ns->fmts);
    ns->sql = text;
    ns->epoch = d->epoch;
    if (!unnamed) snprintf(ns->name, sizeof ns->name, "cx%d", ++d->seq);
    PGresult *r = unnamed ? NULL : PQprepare(d->c, ns->name, text, n, NULL);
    if (!unnamed && PQresultStatus(r) != PGRES_COMMAND_OK) {
        set_err(d, r);
        PQclear(r);
        stmt_free(ns);
        return NULL;
    }
    PQclear(r);
    ns->busy = true;
    if (!s) {
        ns->cached = true;
        stmt_cache_put(&d->cache, sql, ns);
    }
    return &ns->base;
}

static void pg_bind(db_stmt *bs, int i, int type, int64_t iv, const void *p, size_t n)
{
    pg_stmt *s = (pg_stmt *)bs;
    if (i < 1 || i > s->nparams) abort(); /* a programming error */
    int k = i - 1;
    free(s->vals[k]);
    s->vals[k] = NULL;
    s->fmts[k] = 0;
    s->lens[k] = 0;
    switch (type) { /* copied (db.h's lifetime rule): the caller may free the value on return */
    case DB_T_NULL: break;
    case DB_T_I64: s->vals[k] = xasprintf("%lld", (long long)iv); break;
    case DB_T_TEXT: s->vals[k] = xstrndup(p, n); break;
    case DB_T_BLOB:
        s->vals[k] = xmalloc(n ? n : 1);
        memcpy(s->vals[k], p, n);
        s->lens[k] = (int)n;
        s->fmts[k] = 1;
        break;
    }
}

/* Behind PgBouncer a statement outside a transaction has no session lock timeout to inherit: it
 * is sent in one pipeline after `set_config('lock_timeout', …, true)`, both before one Sync, so
 * they are one implicit transaction on one server connection and one round trip. A lock held
 * elsewhere then fails the statement after the timeout (503 db_busy) instead of holding the
 * request until the lock goes. Returns the statement's result (or the first error's). */
static PGresult *exec_autocommit_bounced(pg_db *d, pg_stmt *s)
{
    PGconn *c = d->c;
    if (!PQenterPipelineMode(c)) return PQexecParams(c, s->sql, s->nparams, NULL, (const char *const *)s->vals, s->lens, s->fmts, 0);
    bool sent = PQsendQueryParams(c, "SELECT set_config('lock_timeout', " DB_LOCK_TIMEOUT ", true)", 0, NULL, NULL, NULL, NULL, 0) &&
                PQsendQueryParams(c, s->sql, s->nparams, NULL, (const char *const *)s->vals, s->lens, s->fmts, 0) && PQpipelineSync(c);
    PGresult *setting = NULL, *res = NULL;
    /* the results: the setting's, NULL, the statement's, NULL, the Sync's */
    for (int q = 0, nulls = 0; sent && nulls < 3;) {
        PGresult *r = PQgetResult(c);
        if (!r) {
            if (PQstatus(c) == CONNECTION_BAD || ++nulls > 2) break;
            q++;
            continue;
        }
        nulls = 0;
        if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            break;
        }
        if (q == 0 && !setting) setting = r;
        else if (q == 1 && !res) res = r;
        else PQclear(r);
    }
    PQexitPipelineMode(c);
    if (setting && PQresultStatus(setting) != PGRES_TUPLES_OK) { /* the statement was not run */
        PQclear(res);
        return setting;
    }
    PQclear(setting);
    return res; /* NULL (connection lost): PQresultStatus gives PGRES_FATAL_ERROR */
}

/* The next chunk of a streamed statement's rows into s->res (FETCH FORWARD s->fetch). */
static int cursor_fetch(pg_db *d, pg_stmt *s)
{
    clear_result(s);
    if (copy_wait(d) != CX_OK) return CX_ERR; /* a bulk write between two chunks */
    char sql[64];
    snprintf(sql, sizeof sql, "FETCH FORWARD %d FROM %s", s->fetch, s->cursor);
    s->res = PQexec(d->c, sql);
    if (PQresultStatus(s->res) != PGRES_TUPLES_OK) {
        set_err(d, s->res);
        return CX_ERR;
    }
    s->row = -1;
    s->nrows = PQntuples(s->res);
    s->last = s->nrows < s->fetch;
    return CX_OK;
}

/* db_stream's first step: the statement becomes a cursor of the transaction (planned for its
 * whole result, as it will be read whole: cursor_tuple_fraction 1 for this transaction), then
 * its first chunk. */
static int cursor_open(pg_db *d, pg_stmt *s)
{
    PGresult *r = PQexec(d->c, "SELECT set_config('cursor_tuple_fraction', '1', true)");
    bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok) set_err(d, r);
    PQclear(r);
    if (!ok) return CX_ERR;
    snprintf(s->cursor, sizeof s->cursor, "cxcur%d", ++d->seq);
    char *sql = xasprintf("DECLARE %s NO SCROLL CURSOR FOR %s", s->cursor, s->sql);
    r = PQexecParams(d->c, sql, s->nparams, NULL, (const char *const *)s->vals, s->lens, s->fmts, 0);
    free(sql);
    ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) set_err(d, r), s->cursor[0] = '\0';
    PQclear(r);
    return ok ? cursor_fetch(d, s) : CX_ERR;
}

static void cursor_close(pg_db *d, pg_stmt *s)
{
    if (!s->cursor[0]) return;
    copy_wait(d); /* its error, if any, is the next statement's */
    if (PQtransactionStatus(d->c) == PQTRANS_INTRANS) { /* after an error or the commit it is gone already */
        char sql[48];
        snprintf(sql, sizeof sql, "CLOSE %s", s->cursor);
        PQclear(PQexec(d->c, sql));
    }
    s->cursor[0] = '\0';
}

static int pg_step(db_stmt *bs)
{
    pg_stmt *s = (pg_stmt *)bs;
    pg_db *d = (pg_db *)bs->d;
    if (!s->res && copy_wait(d) != CX_OK) return CX_ERR;
    if (!s->res && s->fetch > 0 && PQtransactionStatus(d->c) == PQTRANS_INTRANS && cursor_open(d, s) != CX_OK) return CX_ERR;
    if (s->cursor[0]) { /* streamed: the next row, fetching the next chunk when this one is used up */
        if (PQresultStatus(s->res) != PGRES_TUPLES_OK) return CX_ERR;
        if (s->row + 1 >= s->nrows && !s->last && cursor_fetch(d, s) != CX_OK) return CX_ERR;
        if (s->row + 1 >= s->nrows) return DB_DONE;
        s->row++;
        return DB_ROW;
    }
    if (!s->res) {
        s->res = s->name[0] ? PQexecPrepared(d->c, s->name, s->nparams, (const char *const *)s->vals, s->lens, s->fmts, 0)
                 : bounced(d) && PQtransactionStatus(d->c) == PQTRANS_IDLE
                     ? exec_autocommit_bounced(d, s)
                     : PQexecParams(d->c, s->sql, s->nparams, NULL, (const char *const *)s->vals, s->lens, s->fmts, 0);
        ExecStatusType st = PQresultStatus(s->res);
        if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
            set_err(d, s->res);
            return CX_ERR;
        }
        s->row = -1;
        s->nrows = PQntuples(s->res);
        const char *ct = PQcmdTuples(s->res);
        s->changes = (ct && *ct) ? atoll(ct) : 0;
    }
    if (PQresultStatus(s->res) != PGRES_TUPLES_OK && PQresultStatus(s->res) != PGRES_COMMAND_OK) return CX_ERR;
    if (s->row + 1 < s->nrows) {
        s->row++;
        return DB_ROW;
    }
    return DB_DONE;
}

static bool pg_col_null(db_stmt *bs, int c) { pg_stmt *s = (pg_stmt *)bs; return PQgetisnull(s->res, s->row, c); }
static const char *pg_col_text(db_stmt *bs, int c)
{
    pg_stmt *s = (pg_stmt *)bs;
    return PQgetvalue(s->res, s->row, c);
}
static int64_t pg_col_i64(db_stmt *bs, int c)
{
    const char *t = pg_col_text(bs, c);
    if (t[0] == 't' && !t[1]) return 1; /* boolean */
    return strtoll(t, NULL, 10);
}
static const void *pg_col_blob(db_stmt *bs, int c, size_t *n)
{
    pg_stmt *s = (pg_stmt *)bs;
    *n = 0;
    if (PQgetisnull(s->res, s->row, c)) return NULL;
    unsigned char *u = PQunescapeBytea((const unsigned char *)PQgetvalue(s->res, s->row, c), n);
    if (!u) return NULL;
    s->unesc = xrealloc(s->unesc, sizeof(void *) * (size_t)(s->nunesc + 1));
    s->unesc[s->nunesc++] = u;
    return u;
}
static int64_t pg_changes(db_stmt *bs) { return ((pg_stmt *)bs)->changes; }
static void pg_stream(db_stmt *bs, int rows) { ((pg_stmt *)bs)->fetch = rows; }

static void pg_done(db_stmt *bs)
{
    pg_stmt *s = (pg_stmt *)bs;
    cursor_close((pg_db *)bs->d, s);
    s->fetch = 0;
    if (!s->cached) {
        /* an uncached duplicate: drop its server-side statement too */
        pg_db *d = (pg_db *)bs->d;
        if (s->name[0]) {
            char *q = xasprintf("DEALLOCATE %s", s->name);
            PQclear(PQexec(d->c, q));
            free(q);
        }
        stmt_free(s);
        return;
    }
    clear_result(s);
    clear_params(s);
    s->busy = false;
}

/* One COPY … FROM STDIN with data as its whole input (db_bulk); the COPY's own error on failure
 * (a unique violation names its index as an INSERT's does). wait false: the answer is read later
 * (copy_wait: by the next COPY or statement on the connection, which fails if the COPY did).
 * sql NULL: nothing sent, only the answer still awaited read. */
static int pg_copy(db *base, const char *sql, const char *data, size_t len, bool wait)
{
    pg_db *d = (pg_db *)base;
    if (copy_wait(d) != CX_OK) return CX_ERR;
    if (!sql) return CX_OK; /* only the answer of the COPY sent last */
    PGresult *r = PQexec(d->c, sql);
    if (PQresultStatus(r) != PGRES_COPY_IN) {
        set_err(d, r);
        PQclear(r);
        return CX_ERR;
    }
    PQclear(r);
    bool sent = true;
    for (size_t off = 0; off < len && sent;) {
        int n = len - off > (1 << 30) ? (1 << 30) : (int)(len - off);
        sent = PQputCopyData(d->c, data + off, n) == 1;
        off += (size_t)n;
    }
    if (PQputCopyEnd(d->c, sent ? NULL : "client failed to send the rows") != 1) {
        set_err(d, NULL);
        while ((r = PQgetResult(d->c))) PQclear(r);
        return CX_ERR;
    }
    d->copy_pending = true;
    return wait ? copy_wait(d) : CX_OK;
}

/* db_run_each: the n runs sent in pipeline mode, then one sync, then their answers in order. A
 * run that fails aborts the ones after it (PGRES_PIPELINE_ABORTED) and the transaction. */
static int pg_run_each(db *base, const char *sql, int n, void (*bind)(db_stmt *s, int i, void *ctx), void *ctx, int64_t *first)
{
    pg_db *d = (pg_db *)base;
    db_stmt *bs = pg_prepare(base, sql); /* after any COPY still waiting */
    if (!bs) return CX_ERR;
    pg_stmt *s = (pg_stmt *)bs;
    if (!PQenterPipelineMode(d->c)) {
        set_err(d, NULL);
        pg_done(bs);
        return CX_ERR;
    }
    int sent = 0, rc = CX_OK;
    for (; sent < n; sent++) {
        bind(bs, sent, ctx);
        const char *const *v = (const char *const *)s->vals;
        if (!(s->name[0] ? PQsendQueryPrepared(d->c, s->name, s->nparams, v, s->lens, s->fmts, 0)
                         : PQsendQueryParams(d->c, s->sql, s->nparams, NULL, v, s->lens, s->fmts, 0)))
            break;
    }
    bool sync = PQpipelineSync(d->c) == 1;
    if (sent < n || !sync) {
        set_err(d, NULL);
        rc = CX_ERR;
    }
    /* each run's answer, then NULL; after the last, the sync's PGRES_PIPELINE_SYNC */
    for (int i = 0; sync && i <= sent && PQstatus(d->c) == CONNECTION_OK; i++) {
        PGresult *r;
        bool synced = false;
        while ((r = PQgetResult(d->c))) {
            ExecStatusType st = PQresultStatus(r);
            if (st == PGRES_PIPELINE_SYNC) synced = true;
            else if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
                if (i < n && first) first[i] = PQntuples(r) > 0 ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
            } else if (rc == CX_OK) {
                if (st != PGRES_PIPELINE_ABORTED) set_err(d, r);
                rc = CX_ERR;
            }
            PQclear(r);
            if (synced) break;
        }
        if (synced) break;
    }
    if (PQstatus(d->c) != CONNECTION_OK && rc == CX_OK) {
        set_err(d, NULL);
        rc = CX_ERR;
    }
    PQexitPipelineMode(d->c);
    pg_done(bs);
    return rc;
}

static int pg_nparams(db_stmt *bs) { return ((pg_stmt *)bs)->nparams; }
static const char *pg_errmsg(db *base) { return ((pg_db *)base)->err; }
static bool pg_is_constraint(db *base) { return strncmp(((pg_db *)base)->sqlstate, "23", 2) == 0; }

const struct db_ops db_pg_ops = {
    pg_open, pg_close, pg_exec, pg_prepare, pg_bind, pg_step, pg_col_null, pg_col_i64, pg_col_text, pg_col_blob, pg_changes, pg_done, pg_errmsg, pg_is_constraint, pg_fault, pg_ensure, pg_nparams, pg_copy, pg_run_each, pg_stream,
};

/* The listener (db_listen_start): one connection of its own, LISTEN cxzy_write, a thread that
 * waits on its socket and calls bump for each notification. While it is not listening (not yet
 * connected, or the connection lost and being made again with back-off) db_pg_listen_up is false
 * and caches validate every hit. */
static struct {
    pthread_t th;
    bool started;
    int stop;          /* atomic */
    int up;            /* atomic */
    char *url;
    void (*bump)(const char *payload);
} lsn;

bool db_pg_listen_up(void) { return __atomic_load_n(&lsn.up, __ATOMIC_ACQUIRE); }

static void *listen_main(void *arg)
{
    (void)arg;
    backoff retry = {0};
    bool was_up = false;
    char app[96];
    snprintf(app, sizeof app, "%s listener", db_app_name());
    while (!__atomic_load_n(&lsn.stop, __ATOMIC_ACQUIRE)) {
        PGconn *c = connect_url(lsn.url, app);
        PGresult *r = PQstatus(c) == CONNECTION_OK ? PQexec(c, "LISTEN cxzy_write") : NULL;
        bool ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        if (ok) {
            if (backoff_reset(&retry) || was_up) log_error("db", "PostgreSQL 写入通知的监听连接已恢复");
            __atomic_store_n(&lsn.up, 1, __ATOMIC_RELEASE);
            lsn.bump(NULL); /* what was committed while nobody listened */
            was_up = true;
        } else if (retry.ms <= 100) {
            log_error("db", "PostgreSQL 写入通知的监听连接无法建立（页面缓存改为每次核对）：%s", PQerrorMessage(c));
        }
        while (ok && !__atomic_load_n(&lsn.stop, __ATOMIC_ACQUIRE)) {
            struct pollfd p = {PQsocket(c), POLLIN, 0};
            int n = poll(&p, 1, 200);
            if (n < 0) continue;
            if (n > 0 && !PQconsumeInput(c)) break;
            PGnotify *nt;
            while ((nt = PQnotifies(c))) {
                lsn.bump(nt->extra);
                PQfreemem(nt);
            }
            if (PQstatus(c) != CONNECTION_OK) break;
        }
        __atomic_store_n(&lsn.up, 0, __ATOMIC_RELEASE);
        if (ok && !__atomic_load_n(&lsn.stop, __ATOMIC_ACQUIRE))
            log_error("db", "PostgreSQL 写入通知的监听连接已断开，页面缓存改为每次核对，正在重新连接");
        PQfinish(c);
        backoff_failed(&retry, mono_ms());
        while (!backoff_due(&retry, mono_ms()) && !__atomic_load_n(&lsn.stop, __ATOMIC_ACQUIRE)) {
            struct timespec ts = {0, 50 * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
    return NULL;
}

int db_pg_listen_start(const char *url, void (*bump)(const char *payload), cx_err *e)
{
    if (lsn.started) return CX_OK;
    lsn.url = xstrdup(url);
    lsn.bump = bump;
    lsn.stop = 0;
    if (pthread_create(&lsn.th, NULL, listen_main, NULL) != 0) {
        cx_fail(e, 500, "listen_failed", "db-listen", "无法启动写入通知的监听线程");
        return CX_ERR;
    }
    lsn.started = true;
    return CX_OK;
}

void db_pg_listen_stop(void)
{
    if (!lsn.started) return;
    __atomic_store_n(&lsn.stop, 1, __ATOMIC_RELEASE);
    pthread_join(lsn.th, NULL);
    lsn.started = false;
    free(lsn.url);
    lsn.url = NULL;
}
