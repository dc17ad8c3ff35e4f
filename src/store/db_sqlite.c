/* db_sqlite.c: the SQLite backend (WAL, foreign keys, busy timeout, cached statements). */
#include "db.h"
#include "stmt_cache.h"
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef struct sq_stmt {
    db_stmt base;
    sqlite3_stmt *st;
    bool cached, busy;
    int64_t changes;
} sq_stmt;

typedef struct sq_db {
    db base;
    sqlite3 *h;
    stmt_cache cache;
    int last_rc;
} sq_db;

/* Before SQLite starts: no memory statistics (nothing reads them), so that an allocation takes no
 * process-wide lock; with it the server's threads queued on that one mutex for every statement. */
static pthread_once_t sq_once = PTHREAD_ONCE_INIT;
static void sq_setup(void) { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }

static db *sq_open(const char *url, cx_err *e)
{
    pthread_once(&sq_once, sq_setup);
    sq_db *d = xcalloc(1, sizeof *d);
    d->base.ops = &db_sqlite_ops;
    d->base.kind = DB_SQLITE;
    const char *path = str_starts(url, "sqlite://") ? url + 9 : url;
    int rc = sqlite3_open_v2(path, &d->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        cx_fail(e, 500, "db_open_failed", "db", "无法打开数据库 %s：%s", path, d->h ? sqlite3_errmsg(d->h) : sqlite3_errstr(rc));
        sqlite3_close(d->h);
        free(d);
        return NULL;
    }
    sqlite3_busy_timeout(d->h, 10000);
    sqlite3_extended_result_codes(d->h, 1);
    char *err = NULL, pragmas[256];
    snprintf(pragmas, sizeof pragmas,
             "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
             "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-%" PRId64 ";", db_cache_single());
    if (sqlite3_exec(d->h, pragmas, NULL, NULL, &err) != SQLITE_OK) {
        cx_fail(e, 500, "db_open_failed", "db", "无法打开数据库 %s：%s", path, err ? err : "");
        sqlite3_free(err);
        sqlite3_close(d->h);
        free(d);
        return NULL;
    }
    return &d->base;
}

static void finalize(void *st) { sqlite3_finalize(((sq_stmt *)st)->st), free(st); }

static void sq_close(db *base)
{
    sq_db *d = (sq_db *)base;
    stmt_cache_free(&d->cache, finalize);
    sqlite3_close_v2(d->h);
    free(d);
}

static int sq_exec(db *base, const char *sql)
{
    sq_db *d = (sq_db *)base;
    d->last_rc = sqlite3_exec(d->h, sql, NULL, NULL, NULL);
    return d->last_rc == SQLITE_OK ? CX_OK : CX_ERR;
}

static db_stmt *sq_prepare(db *base, const char *sql)
{
    sq_db *d = (sq_db *)base;
    sq_stmt *s = stmt_cache_get(&d->cache, sql);
    if (s && !s->busy) {
        s->busy = true;
        return &s->base;
    }
    sqlite3_stmt *st;
    d->last_rc = sqlite3_prepare_v3(d->h, sql, -1, s ? 0 : SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (d->last_rc != SQLITE_OK) return NULL;
    sq_stmt *n = xcalloc(1, sizeof *n);
    n->base.d = base;
    n->st = st;
    n->busy = true;
    if (!s) {
        n->cached = true;
        stmt_cache_put(&d->cache, sql, n);
    }
    return &n->base;
}

static void sq_bind(db_stmt *bs, int i, int type, int64_t iv, const void *p, size_t n)
{
    sqlite3_stmt *st = ((sq_stmt *)bs)->st;
    switch (type) {
    case DB_T_NULL: sqlite3_bind_null(st, i); break;
    case DB_T_I64: sqlite3_bind_int64(st, i, iv); break;
    /* Copied, as on PostgreSQL (db.h's lifetime rule): the caller may free the value on return. */
    case DB_T_TEXT: sqlite3_bind_text64(st, i, p, n, SQLITE_TRANSIENT, SQLITE_UTF8); break;
    case DB_T_BLOB: sqlite3_bind_blob64(st, i, p, n, SQLITE_TRANSIENT); break;
    /* db_bind_text_ref: the caller keeps the value until db_done, which clears the bindings */
    case DB_T_TEXT_REF: sqlite3_bind_text64(st, i, p, n, SQLITE_STATIC, SQLITE_UTF8); break;
    case DB_T_BLOB_REF: sqlite3_bind_blob64(st, i, p, n, SQLITE_STATIC); break;
    }
}

static int sq_step(db_stmt *bs)
{
    sq_stmt *s = (sq_stmt *)bs;
    sq_db *d = (sq_db *)bs->d;
    int rc = sqlite3_step(s->st);
    d->last_rc = rc;
    if (rc == SQLITE_ROW) return DB_ROW;
    if (rc == SQLITE_DONE) {
        s->changes = sqlite3_changes64(d->h);
        return DB_DONE;
    }
    return CX_ERR;
}

static bool sq_col_null(db_stmt *s, int c) { return sqlite3_column_type(((sq_stmt *)s)->st, c) == SQLITE_NULL; }
static int64_t sq_col_i64(db_stmt *s, int c) { return sqlite3_column_int64(((sq_stmt *)s)->st, c); }
static const char *sq_col_text(db_stmt *s, int c)
{
    const unsigned char *t = sqlite3_column_text(((sq_stmt *)s)->st, c);
    return t ? (const char *)t : "";
}
static const void *sq_col_blob(db_stmt *s, int c, size_t *n)
{
    sqlite3_stmt *st = ((sq_stmt *)s)->st;
    const void *p = sqlite3_column_blob(st, c);
    *n = (size_t)sqlite3_column_bytes(st, c);
    return p;
}
static int64_t sq_changes(db_stmt *s) { return ((sq_stmt *)s)->changes; }

static void sq_done(db_stmt *bs)
{
    sq_stmt *s = (sq_stmt *)bs;
    if (!s->cached) {
        finalize(s);
        return;
    }
    sqlite3_reset(s->st);
    sqlite3_clear_bindings(s->st);
    s->busy = false;
}

/* Faults: locked past the busy timeout, disk or database full, out of descriptors or memory,
 * I/O errors (a vanished or unreadable file). */
static int sq_fault(db *base)
{
    sq_db *d = (sq_db *)base;
    switch (d->last_rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return DB_FAULT_BUSY;
    case SQLITE_FULL: return DB_FAULT_FULL;
    case SQLITE_IOERR: { /* a write that failed: full disk, file size limit, quota */
        int x = d->last_rc, en = sqlite3_system_errno(d->h);
        if (x == SQLITE_IOERR_WRITE || x == SQLITE_IOERR_FSYNC || x == SQLITE_IOERR_TRUNCATE || x == SQLITE_IOERR_SHMSIZE ||
            en == ENOSPC || en == EFBIG || en == EDQUOT)
            return DB_FAULT_FULL;
        return DB_FAULT_UNAVAILABLE;
    }
    case SQLITE_CANTOPEN:
    case SQLITE_NOMEM:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT: return DB_FAULT_UNAVAILABLE;
    default: return DB_FAULT_NONE;
    }
}

static int sq_nparams(db_stmt *s) { return sqlite3_bind_parameter_count(((sq_stmt *)s)->st); }
static const char *sq_errmsg(db *base) { return sqlite3_errmsg(((sq_db *)base)->h); }
static bool sq_is_constraint(db *base) { return (((sq_db *)base)->last_rc & 0xff) == SQLITE_CONSTRAINT; }

const struct db_ops db_sqlite_ops = {
    sq_open, sq_close, sq_exec, sq_prepare, sq_bind, sq_step, sq_col_null, sq_col_i64, sq_col_text, sq_col_blob, sq_changes, sq_done, sq_errmsg, sq_is_constraint, sq_fault, NULL, sq_nparams, NULL /* no COPY: db_bulk runs one prepared INSERT a row */, NULL /* db_run_each: one run after another */, NULL /* db_stream: steps row by row anyway */,
};

/* Several instances (issue 20): a token that changes with every commit to the database file, by
 * any connection of any process, read without a lock, a transaction or a system call. WAL mode
 * keeps a wal-index in the shared-memory file beside the database (-shm), mapped by every
 * connection; its header (https://www.sqlite.org/walformat.html, "The WAL-Index Header") carries
 * iChange (bytes 8–11, incremented by each write transaction), mxFrame (16–19, the last valid
 * frame) and the WAL salts (32–39, new at each restart of the WAL). While this process keeps a
 * connection open the file stays (SQLite removes it only when the last connection closes). A
 * torn read shows as a change: one more validation, never one less. 0: not available (then the
 * caller asks PRAGMA data_version per connection). */
static struct {
    pthread_mutex_t mu;
    bool tried;
    const volatile unsigned char *hdr;
} shm = {PTHREAD_MUTEX_INITIALIZER, false, NULL};

uint64_t db_sqlite_change_token(db *base)
{
    if (!__atomic_load_n(&shm.tried, __ATOMIC_ACQUIRE)) {
        pthread_mutex_lock(&shm.mu);
        if (!shm.tried) {
            const char *file = sqlite3_db_filename(((sq_db *)base)->h, "main");
            char path[4200];
            int fd = -1;
            if (file && *file && snprintf(path, sizeof path, "%s-shm", file) < (int)sizeof path) fd = open(path, O_RDONLY | O_CLOEXEC);
            if (fd >= 0) {
                void *m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
                if (m != MAP_FAILED) shm.hdr = m;
                close(fd);
            }
            __atomic_store_n(&shm.tried, true, __ATOMIC_RELEASE);
        }
        pthread_mutex_unlock(&shm.mu);
    }
    const volatile unsigned char *h = shm.hdr;
    if (!h) return 0;
    uint32_t change, frame, salt;
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    memcpy(&change, (const void *)(h + 8), 4);
    memcpy(&frame, (const void *)(h + 16), 4);
    memcpy(&salt, (const void *)(h + 32), 4);
    uint64_t t = ((uint64_t)change << 32) ^ ((uint64_t)frame << 12) ^ salt;
    return t ? t : 1;
}
