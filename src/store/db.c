/* db.c: backend dispatch, transactions, the typed binder and convenience runners, dialect and the connection pool. */
#include "db.h"
#include <inttypes.h>
#include "../lib/buf.h"
#include "../lib/log.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <ctype.h>
#include <string.h>

static bool is_pg_url(const char *url)
{
    return str_starts(url, "postgresql://") || str_starts(url, "postgres://");
}

db *db_open(const char *url, cx_err *e)
{
    if (!url || !*url) {
        cx_fail(e, 400, "bad_db", "db", "数据库地址为空");
        return NULL;
    }
    if (is_pg_url(url)) {
#ifdef CX_HAVE_PG
        return db_pg_ops.open(url, e);
#else
        cx_fail(e, 400, "bad_db", "db", "此程序编译时未包含 PostgreSQL 支持");
        return NULL;
#endif
    }
    return db_sqlite_ops.open(url, e);
}

db *db_open_direct(const char *url, const char *role, cx_err *e)
{
#ifdef CX_HAVE_PG
    if (url && is_pg_url(url)) return db_pg_open_direct(url, role, e);
#endif
    (void)role;
    return db_open(url, e);
}

static void fk_forget(db *d);
void db_close(db *d)
{
    if (!d) return;
    fk_forget(d);
    d->ops->close(d);
}
db_kind db_kind_of(const db *d) { return d->kind; }
const char *db_errmsg(db *d) { return d->keep_err ? d->kept_err : d->ops->errmsg(d); }
bool db_is_constraint(db *d) { return d->keep_err ? d->kept_constraint : d->ops->is_constraint(d); }

bool db_is_unique(db *d, const char *index, const char *cols)
{
    if (!db_is_constraint(d)) return false;
    char want[256];
    bool pg = d->kind == DB_PG;
    if (pg) snprintf(want, sizeof want, "unique constraint \"%s\"", index);
    else snprintf(want, sizeof want, "UNIQUE constraint failed: %s", cols);
    const char *m = db_errmsg(d), *p = strstr(m, want);
    if (pg && !p) {
        /* a partitioned table's index reports the partition's copy: <index>_default or
         * <index>_p<province> (store/part.c names them so) */
        snprintf(want, sizeof want, "unique constraint \"%s_", index);
        p = strstr(m, want);
        if (!p) return false;
        const char *q = p + strlen(want);
        if (!strncmp(q, "default\"", 8)) return true;
        if (*q++ != 'p' || !isdigit((unsigned char)*q)) return false;
        while (isdigit((unsigned char)*q)) q++;
        return *q == '"';
    }
    if (!p) return false;
    char next = p[strlen(want)]; /* SQLite: cols is the whole list, not the start of a longer one */
    return pg || next == 0 || next == '\n' || next == ' ';
}

static __thread int tl_fault;

int db_fault_take(void)
{
    int f = tl_fault;
    tl_fault = DB_FAULT_NONE;
    return f;
}

void db_fault_raise(int fault)
{
    if (fault > tl_fault) tl_fault = fault;
}

const char *db_fault_msg(int fault)
{
    switch (fault) {
    case DB_FAULT_BUSY: return "数据库正忙（被其他操作占用），本次修改未保存，请稍后再试";
    case DB_FAULT_FULL: return "数据库存储空间已满或无法写入，本次修改未保存，请联系管理员后再试";
    default: return "数据库暂时无法连接，请稍后再试";
    }
}

const char *db_fault_code(int fault)
{
    return fault == DB_FAULT_BUSY ? "db_busy" : fault == DB_FAULT_FULL ? "db_full" : "db_unavailable";
}

/* Errors of the database itself (not constraint violations, which are answers): for /metrics. */
static uint64_t n_errors; /* atomic */
uint64_t db_error_count(void) { return __atomic_load_n(&n_errors, __ATOMIC_RELAXED); }

/* Every failing call goes through here: records the fault class of the backend's last error and
 * counts it (constraint violations are answers, not errors). */
static int failed(db *d)
{
    if (!d->ops->is_constraint(d)) __atomic_add_fetch(&n_errors, 1, __ATOMIC_RELAXED);
    int f = d->ops->fault(d);
    if (f != DB_FAULT_NONE) log_error("db", "数据库故障（%s）：%s", db_fault_code(f), d->ops->errmsg(d));
    db_fault_raise(f);
    return CX_ERR;
}

/* Before a statement outside a transaction: a broken connection is re-established (back-off). */
static int ensure(db *d)
{
    d->keep_err = false;
    if (d->in_tx || !d->ops->ensure) return CX_OK;
    return d->ops->ensure(d) == CX_OK ? CX_OK : failed(d);
}

int db_run_each(db *d, const char *sql, int n, void (*bind)(db_stmt *s, int i, void *ctx), void *ctx, int64_t *first)
{
    if (n <= 0) return CX_OK;
    if (d->ops->run_each) return d->ops->run_each(d, sql, n, bind, ctx, first) == CX_OK ? CX_OK : failed(d);
    for (int i = 0; i < n; i++) {
        db_stmt *s = db_prepare(d, sql);
        if (!s) return CX_ERR;
        bind(s, i, ctx);
        int rc = db_step(s);
        if (first) first[i] = rc == DB_ROW ? db_col_i64(s, 0) : 0;
        db_done(s);
        if (rc == CX_ERR) return CX_ERR;
    }
    return CX_OK;
}

int db_exec(db *d, const char *sql)
{
    if (ensure(d) != CX_OK) return CX_ERR;
    return d->ops->exec(d, sql) == CX_OK ? CX_OK : failed(d);
}

int db_begin(db *d, bool write)
{
    if (d->in_tx) return CX_ERR;
    /* behind PgBouncer (transaction mode) a session setting would stay on a server connection
     * other clients get: the lock timeout is set for the transaction only (db_pg.c's session_setup) */
    const char *sql = (d->kind == DB_SQLITE && write) ? "BEGIN IMMEDIATE"
                      : (d->kind == DB_PG && db_pgbouncer() && !d->direct) ? "BEGIN; SET LOCAL lock_timeout = " DB_LOCK_TIMEOUT : "BEGIN";
    if (db_exec(d, sql) != CX_OK) {
        /* a PostgreSQL that restarted since this connection's last use: reconnect and try once more */
        if (!d->ops->ensure || d->ops->ensure(d) != CX_OK || d->ops->exec(d, sql) != CX_OK) return failed(d);
        db_fault_take(); /* recovered: the first failure was no fault of the request */
    }
    d->in_tx = true;
    return CX_OK;
}

static uint64_t write_gen; /* atomic */
static uint64_t state_gen; /* atomic: write_gen without the ballot writers' commits */

uint64_t db_write_generation(void) { return __atomic_load_n(&write_gen, __ATOMIC_ACQUIRE); }
uint64_t db_state_generation(void) { return __atomic_load_n(&state_gen, __ATOMIC_ACQUIRE); }

static void fk_forget(db *d)
{
    for (char **p = d->fk_restore; p && *p; p++) free(*p);
    free(d->fk_restore);
    d->fk_restore = NULL;
}

/* The foreign keys db_bulk_begin dropped in this transaction, added back (each checks its rows). */
static int fk_restore(db *d)
{
    int rc = CX_OK;
    for (char **p = d->fk_restore; rc == CX_OK && p && *p; p++) rc = d->ops->exec(d, *p);
    fk_forget(d);
    return rc;
}

int db_commit(db *d)
{
    if (!d->in_tx) return CX_ERR;
    int rc = d->fk_restore ? fk_restore(d) : CX_OK; /* the keys a bulk insert dropped (db_bulk_defer_fk) */
    /* PostgreSQL: a transaction that wrote (it has a transaction id) tells the other instances'
     * listeners at its commit (db_listen_start); in one round trip with the COMMIT */
    if (rc == CX_OK)
        rc = d->ops->exec(d, d->kind != DB_PG  ? "COMMIT"
                             : d->ballots_only ? "SELECT pg_notify('cxzy_write', 'b') WHERE txid_current_if_assigned() IS NOT NULL; COMMIT"
                                               : "SELECT pg_notify('cxzy_write', '') WHERE txid_current_if_assigned() IS NOT NULL; COMMIT");
    if (rc != CX_OK) {
        /* the COMMIT's error is the one to report, not the ROLLBACK's ("no transaction is active") */
        failed(d);
        snprintf(d->kept_err, sizeof d->kept_err, "%s", d->ops->errmsg(d));
        d->kept_constraint = d->ops->is_constraint(d);
        d->ops->exec(d, "ROLLBACK");
        d->keep_err = true;
    } else {
        __atomic_add_fetch(&write_gen, 1, __ATOMIC_RELEASE);
        if (!d->ballots_only) __atomic_add_fetch(&state_gen, 1, __ATOMIC_RELEASE);
    }
    d->in_tx = false;
    return rc;
}

/* Several instances (issue 20): other processes' commits bump write_gen too, and state_gen unless
 * the commit is known to be a ballot writer's (its notification's payload "b"; SQLite cannot tell). */
static uint64_t n_external; /* atomic: notifications and data_version changes seen */
static void bump_write_gen(const char *payload)
{
    __atomic_add_fetch(&n_external, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&write_gen, 1, __ATOMIC_RELEASE);
    if (!payload || strcmp(payload, "b")) __atomic_add_fetch(&state_gen, 1, __ATOMIC_RELEASE);
}
uint64_t db_external_writes(void) { return __atomic_load_n(&n_external, __ATOMIC_RELAXED); }
static bool g_listening;
static bool g_bouncer;
static const char *g_app_name = "cxzy";
void db_set_pgbouncer(bool on) { g_bouncer = on; }
bool db_pgbouncer(void) { return g_bouncer; }
void db_set_app_name(const char *name) { g_app_name = name; }
static int64_t g_pool_cache = (int64_t)DB_SERVE_CACHE_MB << 10, g_single_cache = 65536;
void db_set_cache(int64_t pool_total, int64_t single) { g_pool_cache = pool_total, g_single_cache = single; }
int64_t db_cache_single(void) { return g_single_cache; }
const char *db_app_name(void) { return g_app_name; }

int db_listen_start(const char *url, cx_err *e)
{
#ifdef CX_HAVE_PG
    if (is_pg_url(url)) return g_listening = true, db_pg_listen_start(url, bump_write_gen, e);
#endif
    (void)url, (void)e;
    return CX_OK;
}

void db_listen_stop(void)
{
#ifdef CX_HAVE_PG
    db_pg_listen_stop();
#endif
}

int db_listen_state(void)
{
#ifdef CX_HAVE_PG
    if (g_listening) return db_pg_listen_up() ? 1 : 0;
#endif
    return -1;
}

bool db_cache_trusted(db *d)
{
#ifdef CX_HAVE_PG
    if (d->kind == DB_PG) return db_pg_listen_up();
#endif
    (void)d;
    return true;
}

/* The wal-index header stays the one mapped while the server holds its pool's connections open
 * (SQLite removes the -shm file only when the last connection closes); PRAGMA data_version, the
 * fallback, misses a commit made outside db_commit on the connection that reads it. */
bool db_sees_every_write(db *d) { return d->kind == DB_SQLITE && db_sqlite_change_token(d) != 0; }

/* SQLite: the wal-index header's change token (db_sqlite.c), one read of shared memory, changes
 * with every commit of any connection of any process. Without it (no -shm file to map), PRAGMA
 * data_version, which changes when another connection committed since this one last read it: it
 * starts a read transaction, and measured on the card (bench/card) it halved the cached hits'
 * throughput, so it is only the fallback. */
void db_note_external_writes(db *d)
{
    if (d->kind != DB_SQLITE || d->in_tx) return;
    static uint64_t seen; /* atomic */
    uint64_t t = db_sqlite_change_token(d);
    if (t) {
        /* the generation moves before the token is recorded as seen: a request that finds the token
         * seen already reads the moved generation (two threads may both bump: one more validation) */
        if (__atomic_load_n(&seen, __ATOMIC_ACQUIRE) != t) {
            bump_write_gen(NULL);
            __atomic_store_n(&seen, t, __ATOMIC_RELEASE);
        }
        return;
    }
    db_stmt *s = db_prepare(d, "PRAGMA data_version");
    if (!s) return;
    if (db_step(s) == DB_ROW) {
        int64_t v = db_col_i64(s, 0);
        if (v != d->data_version) bump_write_gen(NULL); /* the first read too: what came before is unknown */
        d->data_version = v;
    }
    db_done(s);
}

int db_end_read(db *d)
{
    if (!d->in_tx) return CX_OK;
    d->in_tx = false;
    return d->ops->exec(d, "COMMIT") == CX_OK ? CX_OK : failed(d);
}

int db_rollback(db *d)
{
    if (!d->in_tx) return CX_OK;
    d->in_tx = false;
    fk_forget(d); /* the drops roll back with the rest */
    /* the error that led here stays the one db_errmsg reports (a binder mismatch's is kept already) */
    if (!d->keep_err) {
        snprintf(d->kept_err, sizeof d->kept_err, "%s", d->ops->errmsg(d));
        d->kept_constraint = d->ops->is_constraint(d);
    }
    int rc = d->ops->exec(d, "ROLLBACK");
    d->keep_err = true;
    return rc;
}

int db_indexes_drop(db *d, const char *table, char **saved)
{
    *saved = NULL;
    if (d->kind != DB_SQLITE || !d->in_tx) return d->kind == DB_SQLITE ? CX_ERR : CX_OK;
    /* indexes with SQL only: those of a PRIMARY KEY or UNIQUE column constraint cannot be dropped */
    db_stmt *s = db_prepare(d, "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, table);
    buf create, drop;
    buf_init(&create);
    buf_init(&drop);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        const char *name = db_col_text(s, 0);
        if (strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(name)) rc = CX_ERR; /* ours never need quoting */
        if (rc == CX_ERR) break;
        buf_printf(&drop, "DROP INDEX %s;", name);
        buf_printf(&create, "%s;\n", db_col_text(s, 1));
    }
    db_done(s);
    if (rc != CX_ERR && drop.len && db_exec(d, drop.p) != CX_OK) rc = CX_ERR;
    buf_free(&drop);
    if (rc == CX_ERR) {
        buf_free(&create);
        return CX_ERR;
    }
    *saved = buf_take(&create);
    return CX_OK;
}

int db_indexes_build(db *d, const char *saved)
{
    return !saved || !*saved ? CX_OK : db_exec(d, saved);
}

#define DB_LOCK_SQL "SELECT 1 FROM (SELECT pg_advisory_xact_lock(CAST(? AS BIGINT))) l"

/* The advisory lock's key of (what, id). */
static int64_t lock_key(const char *what, int64_t id)
{
    uint64_t h = fnv1a_str(what); /* mixed with id */
    h ^= (uint64_t)id * 0x9e3779b97f4a7c15ULL;
    int64_t key;
    memcpy(&key, &h, sizeof key);
    return key;
}

int db_lock(db *d, const char *what, int64_t id)
{
    if (!d->in_tx) return CX_ERR;
    if (d->kind != DB_PG) return CX_OK;
    int64_t ignored;
    return db_i64(d, &ignored, 0, DB_LOCK_SQL, "i", lock_key(what, id));
}

typedef struct lock_run {
    const char *what;
    const int64_t *ids;
} lock_run;

static void lock_bind(db_stmt *s, int i, void *ctx)
{
    const lock_run *r = ctx;
    db_bind_i64(s, 1, lock_key(r->what, r->ids[i]));
}

int db_lock_many(db *d, const char *what, const int64_t *ids, int n)
{
    if (!d->in_tx) return CX_ERR;
    if (d->kind != DB_PG) return CX_OK;
    lock_run r = {what, ids};
    return db_run_each(d, DB_LOCK_SQL, n, lock_bind, &r, NULL);
}

static void (*trace_fn)(void *ctx, const char *sql);
static void *trace_ctx;
void db_trace_set(void (*fn)(void *ctx, const char *sql), void *ctx) { trace_fn = fn, trace_ctx = ctx; }

db_stmt *db_prepare(db *d, const char *sql)
{
    if (trace_fn) trace_fn(trace_ctx, sql);
    if (ensure(d) != CX_OK) return NULL;
    db_stmt *s = d->ops->prepare(d, sql);
    if (!s) failed(d);
    return s;
}
void db_bind_i64(db_stmt *s, int i, int64_t v) { s->d->ops->bind(s, i, DB_T_I64, v, NULL, 0); }
void db_bind_text(db_stmt *s, int i, const char *v)
{
    s->d->ops->bind(s, i, v ? DB_T_TEXT : DB_T_NULL, 0, v, v ? strlen(v) : 0);
}
void db_bind_blob(db_stmt *s, int i, const void *v, size_t n)
{
    s->d->ops->bind(s, i, v ? DB_T_BLOB : DB_T_NULL, 0, v, n);
}
void db_bind_null(db_stmt *s, int i) { s->d->ops->bind(s, i, DB_T_NULL, 0, NULL, 0); }
void db_bind_text_ref(db_stmt *s, int i, const char *v)
{
    s->d->ops->bind(s, i, !v ? DB_T_NULL : s->d->kind == DB_SQLITE ? DB_T_TEXT_REF : DB_T_TEXT, 0, v, v ? strlen(v) : 0);
}
void db_bind_blob_ref(db_stmt *s, int i, const void *v, size_t n)
{
    s->d->ops->bind(s, i, !v ? DB_T_NULL : s->d->kind == DB_SQLITE ? DB_T_BLOB_REF : DB_T_BLOB, 0, v, n);
}
int db_step(db_stmt *s)
{
    int rc = s->d->ops->step(s);
    return rc == CX_ERR ? failed(s->d) : rc;
}
bool db_col_null(db_stmt *s, int c) { return s->d->ops->col_null(s, c); }
int64_t db_col_i64(db_stmt *s, int c) { return s->d->ops->col_i64(s, c); }
const char *db_col_text(db_stmt *s, int c) { return s->d->ops->col_text(s, c); }
const void *db_col_blob(db_stmt *s, int c, size_t *n) { return s->d->ops->col_blob(s, c, n); }
int64_t db_changes(db_stmt *s) { return s->d->ops->changes(s); }
void db_stream(db_stmt *s, int rows)
{
    if (s->d->ops->stream && rows > 0) s->d->ops->stream(s, rows);
}
void db_done(db_stmt *s) { if (s) s->d->ops->done(s); }

/* One value to bind, checked against its letter. */
typedef struct bindv {
    int type; /* DB_T_* */
    int64_t i;
    const void *p;
    size_t n;
} bindv;

static const char *kind_name(int kind)
{
    switch (kind) {
    case DB_A_INT: return "a signed integer";
    case DB_A_UINT: return "an unsigned integer";
    case DB_A_BOOL: return "a bool";
    case DB_A_TEXT: return "char *";
    case DB_A_BYTES: return "unsigned char *";
    case DB_A_VOIDP: return "void *";
    case DB_A_BLOB: return "DB_BLOB";
    default: return "an unknown kind";
    }
}

/* An integer value as int64 (false when a is no integer or does not fit). */
static bool as_int(const db_arg *a, int64_t *v)
{
    if (a->kind == DB_A_INT || a->kind == DB_A_BOOL) return *v = a->v.i, true;
    if (a->kind == DB_A_UINT && a->v.u <= INT64_MAX) return *v = (int64_t)a->v.u, true;
    return false;
}

/* One value bound by its tag alone (no format letter). */
static bool by_tag(const db_arg *a, bindv *b)
{
    if (as_int(a, &b->i)) return b->type = DB_T_I64, true;
    if (a->kind == DB_A_BLOB) return b->type = a->v.p ? DB_T_BLOB : DB_T_NULL, b->p = a->v.p, b->n = a->n, true;
    if (a->kind == DB_A_TEXT && a->v.p) return b->type = DB_T_TEXT, b->p = a->v.p, b->n = strlen(a->v.p), true;
    if (a->kind == DB_A_TEXT || a->kind == DB_A_BYTES || a->kind == DB_A_VOIDP) return !a->v.p && (b->type = DB_T_NULL, true);
    return false;
}

/* Checks the n tagged values against fmt (letters among allowed; NULL fmt: the tags decide) and
 * fills out[] (room for DB_MAX_ARGS): the number of binds, or -1 with why filled. */
static int check_args(const char *fmt, const char *allowed, int n, const db_arg *a, bindv *out, char *why, size_t cap)
{
    if (n < 0 || n > DB_MAX_ARGS) return snprintf(why, cap, "%d values (at most %d)", n, DB_MAX_ARGS), -1;
    int k = 0, nb = 0;
    if (!fmt) {
        for (; k < n; k++, nb++)
            if (!by_tag(&a[k], &out[nb]))
                return snprintf(why, cap, "value %d is %s, which binds as nothing", k + 1, kind_name(a[k].kind)), -1;
        return nb;
    }
    for (const char *f = fmt; *f; f++) {
        if (!strchr(allowed, *f))
            return snprintf(why, cap, "format \"%s\": letter '%c' is not one of \"%s\"", fmt, *f, allowed), -1;
        if (nb == DB_MAX_ARGS) return snprintf(why, cap, "format \"%s\": more than %d letters", fmt, DB_MAX_ARGS), -1;
        bindv *b = &out[nb++];
        *b = (bindv){DB_T_NULL, 0, NULL, 0};
        if (*f == 'n') continue;
        if (k >= n)
            return snprintf(why, cap, "format \"%s\" takes more values than the %d passed", fmt, n), -1;
        const db_arg *v = &a[k++];
        bool ok = false;
        switch (*f) {
        case 'i': ok = as_int(v, &b->i), b->type = DB_T_I64; break;
        case 's':
            if (v->kind == DB_A_TEXT) ok = true, b->p = v->v.p;
            else if (v->kind == DB_A_VOIDP && !v->v.p) ok = true; /* NULL */
            if (b->p) b->type = DB_T_TEXT, b->n = strlen(b->p);
            break;
        case 'b':
            if (v->kind == DB_A_BLOB) ok = true, b->p = v->v.p, b->n = v->n;
            else if (v->kind == DB_A_TEXT || v->kind == DB_A_BYTES || v->kind == DB_A_VOIDP) {
                int64_t size;
                if (k >= n)
                    return snprintf(why, cap, "format \"%s\": the blob of letter %d has no size", fmt, (int)(f - fmt) + 1), -1;
                if (!as_int(&a[k], &size) || size < 0 || a[k].kind == DB_A_BOOL)
                    return snprintf(why, cap, "format \"%s\": the size of the blob of letter %d is %s, not a size", fmt,
                                    (int)(f - fmt) + 1, a[k].kind == DB_A_INT ? "negative" : kind_name(a[k].kind)), -1;
                k++;
                ok = true, b->p = v->v.p, b->n = (size_t)size;
            }
            if (b->p) b->type = DB_T_BLOB;
            break;
        }
        if (!ok)
            return snprintf(why, cap, "format \"%s\": letter %d '%c' is given %s", fmt, (int)(f - fmt) + 1, *f,
                            *f == 'i' && v->kind == DB_A_UINT ? "an unsigned integer past INT64_MAX" : kind_name(v->kind)), -1;
    }
    if (k != n) return snprintf(why, cap, "format \"%s\" takes %d value(s), %d passed", fmt, k, n), -1;
    return nb;
}

/* A binder mismatch: logged with the SQL, counted, and what db_errmsg reports until the next call. */
static int mismatch(db *d, const char *sql, const char *why)
{
    log_error("db", "binder: %s in: %.300s", why, sql);
    __atomic_add_fetch(&n_errors, 1, __ATOMIC_RELAXED);
    if (d) {
        snprintf(d->kept_err, sizeof d->kept_err, "binder: %s", why);
        d->kept_constraint = false;
        d->keep_err = true;
    }
    return CX_ERR;
}

/* Whether the statement's ? placeholders are other than the nb values bound (why filled). */
static bool placeholders_differ(db_stmt *s, int nb, char *why, size_t cap)
{
    int want = s->d->ops->nparams(s);
    if (want == nb) return false;
    snprintf(why, cap, "the statement has %d placeholder(s), the format binds %d", want, nb);
    return true;
}

static void bind_all(db_stmt *s, const bindv *b, int n)
{
    for (int i = 0; i < n; i++) s->d->ops->bind(s, i + 1, b[i].type, b[i].i, b[i].p, b[i].n);
}

/* Checks and binds, prepares, steps once; the first column into *out (def without a row) when out
 * is set. */
static int run_once(db *d, int64_t *out, int64_t def, const char *sql, const char *fmt, int n, const db_arg *a)
{
    bindv b[DB_MAX_ARGS];
    char why[200];
    int nb = check_args(fmt, "isbn", n, a, b, why, sizeof why);
    if (nb < 0) return mismatch(d, sql, why);
    db_stmt *s = db_prepare(d, sql);
    if (!s) return CX_ERR;
    if (placeholders_differ(s, nb, why, sizeof why)) {
        db_done(s);
        return mismatch(d, sql, why);
    }
    bind_all(s, b, nb);
    int rc = db_step(s);
    if (out) *out = (rc == DB_ROW && !db_col_null(s, 0)) ? db_col_i64(s, 0) : def;
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int db_run_args(db *d, const char *sql, const char *fmt, int n, const db_arg *a)
{
    return run_once(d, NULL, 0, sql, fmt, n, a);
}

int db_i64_args(db *d, int64_t *out, int64_t def, const char *sql, const char *fmt, int n, const db_arg *a)
{
    return run_once(d, out, def, sql, fmt, n, a);
}

/* ---- bulk inserts ---- */

#define BULK_CHUNK (1 << 20) /* bytes of COPY text sent at a time */

struct db_bulk {
    db *d;
    char *sql;  /* COPY … FROM STDIN, or the INSERT run per row */
    int ncols;
    bool copy;  /* PostgreSQL: rows buffered in data */
    bool failed;
    buf data;
    int64_t rows;
};

void db_bulk_defer_fk(db *d, bool on) { d->defer_fk = on && d->kind == DB_PG; }

/* db_bulk_defer_fk: table's foreign keys dropped, each remembered to be added back at commit. */
static int fk_drop(db *d, const char *table)
{
    db_stmt *s = db_prepare(d, "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                               "WHERE conrelid = to_regclass(?) AND contype = 'f' AND conparentid = 0 ORDER BY oid");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, table);
    size_t n = 0;
    while (d->fk_restore && d->fk_restore[n]) n++;
    char **drop = NULL;
    size_t ndrop = 0;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        const char *name = db_col_text(s, 0);
        drop = xrealloc(drop, (ndrop + 1) * sizeof *drop);
        drop[ndrop++] = xasprintf("ALTER TABLE %s DROP CONSTRAINT \"%s\"", table, name);
        d->fk_restore = xrealloc(d->fk_restore, (n + 2) * sizeof *d->fk_restore);
        d->fk_restore[n++] = xasprintf("ALTER TABLE %s ADD CONSTRAINT \"%s\" %s", table, name, db_col_text(s, 1));
        d->fk_restore[n] = NULL;
    }
    db_done(s);
    rc = rc == CX_ERR ? CX_ERR : CX_OK;
    for (size_t i = 0; i < ndrop; i++) {
        if (rc == CX_OK) rc = d->ops->exec(d, drop[i]);
        free(drop[i]);
    }
    free(drop);
    return rc;
}

int db_defer_fk_table(db *d, const char *table)
{
    if (!d->defer_fk || !d->in_tx) return CX_OK;
    bool done = false; /* once a table a transaction: its keys are off already */
    char *mark = xasprintf("ALTER TABLE %s ADD CONSTRAINT ", table);
    for (char **p = d->fk_restore; p && *p && !done; p++) done = !strncmp(*p, mark, strlen(mark));
    free(mark);
    return done ? CX_OK : fk_drop(d, table);
}

db_bulk *db_bulk_begin(db *d, const char *table, const char *cols)
{
    db_bulk *b = xcalloc(1, sizeof *b);
    if (db_defer_fk_table(d, table) != CX_OK) b->failed = true;
    b->d = d;
    b->ncols = 1;
    for (const char *p = cols; *p; p++) b->ncols += *p == ',';
    b->copy = d->ops->copy != NULL;
    buf_init(&b->data);
    if (b->copy) b->sql = xasprintf("COPY %s (%s) FROM STDIN", table, cols);
    else {
        buf q;
        buf_init(&q);
        buf_printf(&q, "INSERT INTO %s (%s) VALUES (", table, cols);
        for (int i = 0; i < b->ncols; i++) buf_adds(&q, i ? ",?" : "?");
        buf_addc(&q, ')');
        b->sql = buf_take(&q);
    }
    return b;
}

/* Text in COPY's text format: backslash, tab, newline and carriage return escaped (written in
 * place: a call a character was most of the client's time of a COPY). */
static void copy_text(buf *o, const char *p, size_t n)
{
    buf_grow(o, 2 * n);
    char *w = o->p + o->len;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        switch (c) {
        case '\\': *w++ = '\\', *w++ = '\\'; break;
        case '\t': *w++ = '\\', *w++ = 't'; break;
        case '\n': *w++ = '\\', *w++ = 'n'; break;
        case '\r': *w++ = '\\', *w++ = 'r'; break;
        default: *w++ = c;
        }
    }
    o->len = (size_t)(w - o->p);
    o->p[o->len] = 0;
}

/* A blob as bytea hex input (\x…), its backslash escaped for COPY. */
static void copy_blob(buf *o, const unsigned char *p, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    buf_grow(o, 3 + 2 * n);
    char *w = o->p + o->len;
    *w++ = '\\', *w++ = '\\', *w++ = 'x';
    for (size_t i = 0; i < n; i++) *w++ = hex[p[i] >> 4], *w++ = hex[p[i] & 15];
    o->len = (size_t)(w - o->p);
    o->p[o->len] = 0;
}

/* An integer in decimal. */
static void copy_int(buf *o, int64_t v)
{
    char t[24], *e = t + sizeof t, *q = e;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do *--q = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0) *--q = '-';
    buf_add(o, q, (size_t)(e - q));
}

/* wait false (a full buffer): the chunk's answer is read by the next call on the connection. */
static int bulk_send(db_bulk *b, bool wait)
{
    if (b->failed) return CX_ERR;
    if (!b->copy || (!b->data.len && !wait)) return CX_OK;
    db *d = b->d;
    d->keep_err = false;
    /* an empty buffer: only the answer of the chunk sent last, if it is still awaited */
    int rc = d->ops->copy(d, b->data.len ? b->sql : NULL, b->data.p, b->data.len, wait);
    buf_reset(&b->data);
    if (rc != CX_OK) {
        b->failed = true;
        return failed(d);
    }
    return CX_OK;
}

int db_bulk_row_args(db_bulk *b, const char *fmt, int n, const db_arg *a)
{
    if (b->failed) return CX_ERR;
    if (!b->copy) {
        if (run_once(b->d, NULL, 0, b->sql, fmt, n, a) != CX_OK) return b->failed = true, CX_ERR;
        b->rows++;
        return CX_OK;
    }
    bindv v[DB_MAX_ARGS];
    char why[200];
    int nb = check_args(fmt, "isbn", n, a, v, why, sizeof why);
    if (nb >= 0 && nb != b->ncols) snprintf(why, sizeof why, "the row has %d value(s) for %d column(s)", nb, b->ncols), nb = -1;
    if (nb < 0) {
        b->failed = true;
        return mismatch(b->d, b->sql, why);
    }
    for (int i = 0; i < nb; i++) {
        if (i) buf_addc(&b->data, '\t');
        switch (v[i].type) {
        case DB_T_NULL: buf_add(&b->data, "\\N", 2); break;
        case DB_T_I64: copy_int(&b->data, v[i].i); break;
        case DB_T_TEXT: copy_text(&b->data, v[i].p, v[i].n); break;
        case DB_T_BLOB: copy_blob(&b->data, v[i].p, v[i].n); break;
        }
    }
    buf_addc(&b->data, '\n');
    b->rows++;
    return b->data.len >= BULK_CHUNK ? bulk_send(b, false) : CX_OK;
}

int db_bulk_flush(db_bulk *b) { return bulk_send(b, true); }

int64_t db_bulk_rows(const db_bulk *b) { return b->rows; }

void db_bulk_cancel(db_bulk *b)
{
    if (!b) return;
    buf_free(&b->data);
    free(b->sql);
    free(b);
}

int db_reserve_ids(db *d, const char *table, int64_t n, int64_t *first)
{
    char sql[256];
    int64_t max = 0, last = 0;
    snprintf(sql, sizeof sql, "SELECT coalesce(max(id), 0) FROM %s", table);
    if (db_i64(d, &max, 0, sql, "") != CX_OK) return CX_ERR;
    *first = max + 1;
    if (db_kind_of(d) != DB_PG || n <= 0) return CX_OK;
    snprintf(sql, sizeof sql, "SELECT nextval(pg_get_serial_sequence('%s', 'id'))", table);
    if (db_i64(d, first, 0, sql, "") != CX_OK) return CX_ERR;
    if (*first <= max) *first = max + 1; /* rows written with explicit ids before (cxzy init's root) */
    snprintf(sql, sizeof sql, "SELECT setval(pg_get_serial_sequence('%s', 'id'), ?)", table);
    return db_i64(d, &last, 0, sql, "i", *first + n - 1);
}

int db_bulk_end(db_bulk *b)
{
    int rc = db_bulk_flush(b);
    db_bulk_cancel(b);
    return rc;
}

void db_q_init(db_q *q, const char *head)
{
    q->n = 0, q->where = false, q->overflow = false, q->bad = false, q->nb = 0;
    q->sql[0] = 0;
    db_q_add(q, head, "");
}

void db_q_add_args(db_q *q, const char *text, const char *fmt, int n, const db_arg *a)
{
    size_t len = strlen(text);
    if (q->n + len >= sizeof q->sql) q->overflow = true;
    else memcpy(q->sql + q->n, text, len + 1), q->n += len;
    bindv b[DB_MAX_ARGS];
    char why[200];
    int nb = check_args(fmt, "is", n, a, b, why, sizeof why);
    if (nb < 0) {
        mismatch(NULL, q->sql, why);
        q->bad = true;
        return;
    }
    for (int i = 0; i < nb; i++) {
        if (q->nb >= DB_Q_BINDS) { q->overflow = true; return; }
        q->b[q->nb].type = b[i].type, q->b[q->nb].i = b[i].i, q->b[q->nb].s = b[i].p;
        q->nb++;
    }
}

void db_q_where_args(db_q *q, const char *cond, const char *fmt, int n, const db_arg *a)
{
    db_q_add(q, q->where ? " AND " : " WHERE ", "");
    q->where = true;
    db_q_add_args(q, cond, fmt, n, a);
}

db_stmt *db_q_prepare(db *d, db_q *q)
{
    if (q->overflow) abort(); /* a programming error: the statement outgrew db_q */
    if (q->bad) {
        /* logged when the value was added; here the call fails */
        snprintf(d->kept_err, sizeof d->kept_err, "binder: a value of this db_q did not match its format (see the log)");
        d->kept_constraint = false;
        d->keep_err = true;
        return NULL;
    }
    db_stmt *s = db_prepare(d, q->sql);
    if (!s) return NULL;
    char why[200];
    if (placeholders_differ(s, q->nb, why, sizeof why)) {
        db_done(s);
        mismatch(d, q->sql, why);
        return NULL;
    }
    for (int i = 0; i < q->nb; i++) {
        if (q->b[i].type == DB_T_I64) db_bind_i64(s, i + 1, q->b[i].i);
        else db_bind_text(s, i + 1, q->b[i].s);
    }
    return s;
}

int db_q_count(db *d, db_q *q, int64_t *n)
{
    *n = 0;
    db_stmt *s = db_q_prepare(d, q);
    if (!s) return CX_ERR;
    int rc = db_step(s);
    if (rc == DB_ROW) *n = db_col_i64(s, 0);
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

char *db_dialect(db_kind k, const char *sql)
{
    static const char *words[][3] = {
        {"{{PK}}", "INTEGER PRIMARY KEY", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"},
        {"{{I64}}", "INTEGER", "BIGINT"},
        {"{{BLOB}}", "BLOB", "BYTEA"},
        {"{{CTEXT}}", "TEXT", "TEXT COLLATE \"C\""},
    };
    buf b;
    buf_init(&b);
    const char *p = sql;
    while (*p) {
        bool hit = false;
        /* {{IF_SQLITE}} … {{END}} and {{IF_PG}} … {{END}}: statements of one backend only (a
         * trigger's body); the other backend skips to the block's end. */
        bool if_sqlite = str_starts(p, "{{IF_SQLITE}}"), if_pg = str_starts(p, "{{IF_PG}}");
        if (if_sqlite || if_pg) {
            const char *end = strstr(p, "{{END}}");
            if ((if_pg) == (k == DB_PG)) p += strlen(if_pg ? "{{IF_PG}}" : "{{IF_SQLITE}}");
            else p = end ? end : p + strlen(p);
            continue;
        }
        if (str_starts(p, "{{END}}")) {
            p += strlen("{{END}}");
            continue;
        }
        if (p[0] == '{' && p[1] == '{') {
            for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
                size_t n = strlen(words[w][0]);
                if (strncmp(p, words[w][0], n) == 0) {
                    buf_adds(&b, words[w][k == DB_PG ? 2 : 1]);
                    p += n;
                    hit = true;
                    break;
                }
            }
        }
        if (!hit) buf_addc(&b, *p++);
    }
    return buf_take(&b);
}

struct db_pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    db **free;
    int nfree, n;
    db **all;
};

/* SQLite page cache of all pooled connections together (db_set_cache). Each connection keeps its
 * own copy of the pages it reads: at the command line's 64 MiB each, a server's pool filled one copy
 * of the database per worker under load (bench/rss: 12 → 133 MB and rising in two minutes on a
 * 100,000-member demo, P5 allows 128 MB). */

db_pool *db_pool_new(const char *url, int n, cx_err *e)
{
    db_pool *p = xcalloc(1, sizeof *p);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->free = xcalloc((size_t)n, sizeof(db *));
    p->all = xcalloc((size_t)n, sizeof(db *));
    for (int i = 0; i < n; i++) {
        db *d = db_open(url, e);
        if (!d) {
            p->n = i;
            db_pool_free(p);
            return NULL;
        }
        p->all[i] = p->free[i] = d;
        d->pool = p;
        if (d->kind == DB_SQLITE) {
            char pragma[64];
            snprintf(pragma, sizeof pragma, "PRAGMA cache_size=-%" PRId64, g_pool_cache / n > 1024 ? g_pool_cache / n : 1024);
            if (db_exec(d, pragma) != CX_OK) {
                cx_fail(e, 500, "db_open_failed", "db", "无法设置数据库缓存");
                p->n = i + 1;
                db_pool_free(p);
                return NULL;
            }
        }
    }
    p->n = p->nfree = n;
    return p;
}

db *db_pool_get(db_pool *p)
{
    pthread_mutex_lock(&p->mu);
    while (p->nfree == 0) pthread_cond_wait(&p->cv, &p->mu);
    db *d = p->free[--p->nfree];
    pthread_mutex_unlock(&p->mu);
    return d;
}

void db_pool_put(db_pool *p, db *d)
{
    if (!d) return;
    if (d->in_tx) db_rollback(d);
    pthread_mutex_lock(&p->mu);
    p->free[p->nfree++] = d;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

db_pool *db_pool_lend(db *d)
{
    db_pool *p = d->pool;
    if (!p || d->in_tx) return NULL;
    db_pool_put(p, d);
    return p;
}

void db_pool_free(db_pool *p)
{
    if (!p) return;
    for (int i = 0; i < p->n; i++) db_close(p->all[i]);
    free(p->free);
    free(p->all);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p);
}
