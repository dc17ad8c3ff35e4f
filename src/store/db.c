/* db.c: backend dispatch, transactions, convenience runners, dialect and the connection pool. */
#include "db.h"
#include "../lib/buf.h"
#include "../lib/log.h"
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
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

void db_close(db *d) { if (d) d->ops->close(d); }
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

int db_exec(db *d, const char *sql)
{
    if (ensure(d) != CX_OK) return CX_ERR;
    return d->ops->exec(d, sql) == CX_OK ? CX_OK : failed(d);
}

int db_begin(db *d, bool write)
{
    if (d->in_tx) return CX_ERR;
    const char *sql = (d->kind == DB_SQLITE && write) ? "BEGIN IMMEDIATE" : "BEGIN";
    if (db_exec(d, sql) != CX_OK) {
        /* a PostgreSQL that restarted since this connection's last use: reconnect and try once more */
        if (!d->ops->ensure || d->ops->ensure(d) != CX_OK || d->ops->exec(d, sql) != CX_OK) return failed(d);
        db_fault_take(); /* recovered: the first failure was no fault of the request */
    }
    d->in_tx = true;
    return CX_OK;
}

static uint64_t write_gen; /* atomic */

uint64_t db_write_generation(void) { return __atomic_load_n(&write_gen, __ATOMIC_ACQUIRE); }

int db_commit(db *d)
{
    if (!d->in_tx) return CX_ERR;
    int rc = d->ops->exec(d, "COMMIT");
    if (rc != CX_OK) {
        /* the COMMIT's error is the one to report, not the ROLLBACK's ("no transaction is active") */
        failed(d);
        snprintf(d->kept_err, sizeof d->kept_err, "%s", d->ops->errmsg(d));
        d->kept_constraint = d->ops->is_constraint(d);
        d->ops->exec(d, "ROLLBACK");
        d->keep_err = true;
    } else __atomic_add_fetch(&write_gen, 1, __ATOMIC_RELEASE);
    d->in_tx = false;
    return rc;
}

int db_rollback(db *d)
{
    if (!d->in_tx) return CX_OK;
    d->in_tx = false;
    /* the error that led here stays the one db_errmsg reports */
    snprintf(d->kept_err, sizeof d->kept_err, "%s", d->ops->errmsg(d));
    d->kept_constraint = d->ops->is_constraint(d);
    int rc = d->ops->exec(d, "ROLLBACK");
    d->keep_err = true;
    return rc;
}

int db_lock(db *d, const char *what, int64_t id)
{
    if (!d->in_tx) return CX_ERR;
    if (d->kind != DB_PG) return CX_OK;
    uint64_t h = fnv1a_str(what); /* mixed with id */
    h ^= (uint64_t)id * 0x9e3779b97f4a7c15ULL;
    int64_t key;
    memcpy(&key, &h, sizeof key);
    int64_t ignored;
    return db_i64(d, &ignored, 0, "SELECT 1 FROM (SELECT pg_advisory_xact_lock(CAST(? AS BIGINT))) l", "i", key);
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
void db_done(db_stmt *s) { if (s) s->d->ops->done(s); }

static void bind_va(db_stmt *s, const char *fmt, va_list ap)
{
    int i = 1;
    for (const char *f = fmt; f && *f; f++, i++) {
        switch (*f) {
        case 'i': db_bind_i64(s, i, va_arg(ap, int64_t)); break;
        case 's': db_bind_text(s, i, va_arg(ap, const char *)); break;
        case 'b': {
            const void *p = va_arg(ap, const void *);
            size_t n = va_arg(ap, size_t);
            db_bind_blob(s, i, p, n);
            break;
        }
        case 'n': db_bind_null(s, i); break;
        default: abort(); /* a programming error in a format string */
        }
    }
}

/* Prepares, binds, steps once; the first column into *out (def without a row) when out is set. */
static int run_once(db *d, int64_t *out, int64_t def, const char *sql, const char *fmt, va_list ap)
{
    db_stmt *s = db_prepare(d, sql);
    if (!s) return CX_ERR;
    bind_va(s, fmt, ap);
    int rc = db_step(s);
    if (out) *out = (rc == DB_ROW && !db_col_null(s, 0)) ? db_col_i64(s, 0) : def;
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int db_run(db *d, const char *sql, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = run_once(d, NULL, 0, sql, fmt, ap);
    va_end(ap);
    return rc;
}

int db_i64(db *d, int64_t *out, int64_t def, const char *sql, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = run_once(d, out, def, sql, fmt, ap);
    va_end(ap);
    return rc;
}

void db_q_init(db_q *q, const char *head)
{
    q->n = 0, q->where = false, q->overflow = false, q->nb = 0;
    q->sql[0] = 0;
    db_q_add(q, head, "");
}

static void q_append(db_q *q, const char *text, const char *fmt, va_list ap)
{
    size_t len = strlen(text);
    if (q->n + len >= sizeof q->sql) q->overflow = true;
    else memcpy(q->sql + q->n, text, len + 1), q->n += len;
    for (const char *f = fmt; f && *f; f++) {
        if (q->nb >= DB_Q_BINDS) { q->overflow = true; return; }
        if (*f == 'i') q->b[q->nb].type = DB_T_I64, q->b[q->nb].i = va_arg(ap, int64_t);
        else if (*f == 's') q->b[q->nb].type = DB_T_TEXT, q->b[q->nb].s = va_arg(ap, const char *);
        else abort(); /* a programming error in a format string */
        q->nb++;
    }
}

void db_q_add(db_q *q, const char *text, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    q_append(q, text, fmt, ap);
    va_end(ap);
}

void db_q_where(db_q *q, const char *cond, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    db_q_add(q, q->where ? " AND " : " WHERE ", "");
    q->where = true;
    q_append(q, cond, fmt, ap);
    va_end(ap);
}

db_stmt *db_q_prepare(db *d, db_q *q)
{
    if (q->overflow) abort(); /* a programming error: the statement outgrew db_q */
    db_stmt *s = db_prepare(d, q->sql);
    if (!s) return NULL;
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

/* SQLite page cache of all pooled connections together (KiB). Each connection keeps its own copy
 * of the pages it reads: at the command line's 64 MiB each, a server's pool filled one copy of the
 * database per worker under load (bench/rss: 12 → 133 MB and rising in two minutes on a 100,000-member
 * demo, P5 allows 128 MB). The operating system's page cache still holds the file for all of them. */
#define POOL_CACHE_KIB 32768

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
        if (d->kind == DB_SQLITE) {
            char pragma[64];
            snprintf(pragma, sizeof pragma, "PRAGMA cache_size=-%d", POOL_CACHE_KIB / n > 2048 ? POOL_CACHE_KIB / n : 2048);
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
