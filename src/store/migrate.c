/* migrate.c: numbered schema migrations (src/store/migrations/NNNN_name.sql, compiled in),
 * applied in order, each in its own transaction, recorded in schema_migrations. */
#include "store.h"
#include "period.h"
#include "standing.h"
#include "quota_rollup.h"
#include "part.h"
#include "../domain/date.h"
#include "../lib/assets.h"
#include "../lib/crypto.h"
#include <stdlib.h>
#include <string.h>

/* The command line's actor; main() names the operator: 命令行（--as 姓名, or the system user）. */
actor actor_cli = {0, "命令行", NULL, NULL};

static int migration_number(const char *name)
{
    const char *base = name + strlen("src/store/migrations/");
    return atoi(base);
}

int store_latest_version(void)
{
    int v = 0;
    for (const struct asset *a = cx_assets; a->name; a++)
        if (str_starts(a->name, "src/store/migrations/") && migration_number(a->name) > v) v = migration_number(a->name);
    return v;
}

int store_schema_version(db *d, int64_t *v)
{
    *v = 0;
    db_stmt *s = db_prepare(d, "SELECT max(version) FROM schema_migrations");
    if (!s) return CX_OK; /* no table yet */
    if (db_step(s) == DB_ROW && !db_col_null(s, 0)) *v = db_col_i64(s, 0);
    db_done(s);
    return CX_OK;
}

/* A write transaction holding the migration lock: several servers starting at once (issue 20) on
 * PostgreSQL wait here for the first one's step and then find it done (SQLite: BEGIN IMMEDIATE
 * serialises already). */
static int begin_locked(db *d, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return cx_fail(e, 500, "migrate_failed", "db", "开始事务失败：%s", db_errmsg(d));
    if (db_lock(d, "schema_migrations", 0) != CX_OK) {
        cx_fail(e, 500, "migrate_failed", "db", "等待其他实例的迁移失败：%s", db_errmsg(d));
        db_rollback(d);
        return CX_ERR;
    }
    return CX_OK;
}

int store_migrate(db *d, cx_err *e)
{
    /* the table of migrations too, under the lock: two CREATE TABLE IF NOT EXISTS at once on an
     * empty PostgreSQL database both find no table, and the second fails on pg_type's unique index */
    if (begin_locked(d, e) != CX_OK) return CX_ERR;
    if (db_exec(d, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)") != CX_OK ||
        db_commit(d) != CX_OK) {
        cx_fail(e, 500, "migrate_failed", "db", "创建迁移表失败：%s", db_errmsg(d));
        db_rollback(d);
        return CX_ERR;
    }
    int latest = store_latest_version();
    bool periods = false; /* 0022 ran now: its roll-ups are filled once the schema is the latest */
    for (int v = 1; v <= latest; v++) {
        const struct asset *m = NULL;
        for (const struct asset *a = cx_assets; a->name; a++)
            if (str_starts(a->name, "src/store/migrations/") && migration_number(a->name) == v) m = a;
        if (!m) continue;
        if (begin_locked(d, e) != CX_OK) return CX_ERR;
        int64_t done = 0;
        db_i64(d, &done, 0, "SELECT count(*) FROM schema_migrations WHERE version = ?", "i", (int64_t)v);
        if (done) {
            db_rollback(d);
            continue;
        }
        char *sql = db_dialect(db_kind_of(d), m->data);
        int rc = db_exec(d, sql);
        free(sql);
        /* 0022's quarter roll-ups of the records already there, by the definitions recount uses:
         * those read tables and columns of later migrations (liaison visits, 0026), so the fill
         * runs in the transaction of the last migration of this run */
        if (v == 22) periods = true;
        if (rc == CX_OK && periods && v == latest) rc = period_fill(d);
        if (rc == CX_OK && v == 23) rc = pledged_fill(d); /* 0023's members who pledged, likewise */
        if (rc == CX_OK && v == 30) rc = standing_fill(d); /* 0030's leaders' standing (issue 18) */
        if (rc == CX_OK && v == 39) rc = part_fill(d); /* 0039's parts by province (issue 20) */
        if (rc != CX_OK || db_run(d, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", "ii", (int64_t)v,
                                  now_unix()) != CX_OK) {
            cx_fail(e, 500, "migrate_failed", "db", "迁移 %s 失败：%s", m->name, db_errmsg(d));
            db_rollback(d);
            return CX_ERR;
        }
        if (db_commit(d) != CX_OK) return cx_fail(e, 500, "migrate_failed", "db", "提交迁移失败：%s", db_errmsg(d));
    }
    /* 0029's branches meeting their quotas are kept for one year, the current one: an upgrade (or
     * the first start of a new year) builds it here rather than at the first dashboard view */
    char today[11];
    date_today(today);
    if (quota_keep_year(d, atoi(today)) != CX_OK) return cx_fail(e, 500, "migrate_failed", "db", "统计本年度会议达标情况失败：%s", db_errmsg(d));
    return CX_OK;
}

int store_has_data(db *d)
{
    int64_t n = 0;
    if (db_i64(d, &n, 0, "SELECT (SELECT count(*) FROM org) + (SELECT count(*) FROM app_user)", "") != CX_OK) return CX_ERR;
    return n > 0;
}

int store_key_check_get(db *d, char out[65])
{
    out[0] = 0;
    db_stmt *s = db_prepare(d, "SELECT check_value FROM key_check WHERE id = 1");
    if (!s) return CX_ERR;
    int rc = db_step(s);
    if (rc == DB_ROW) snprintf(out, 65, "%s", db_col_text(s, 0));
    db_done(s);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : CX_ERR;
}

/* A database from before 0011 with data: the key is its own when a stored 身份证号 decrypts. */
static int key_opens_data(db *d)
{
    db_stmt *s = db_prepare(d, "SELECT idcard_enc FROM member ORDER BY id LIMIT 1");
    if (!s) return CX_ERR;
    int rc = db_step(s), ok = 1;
    if (rc == DB_ROW) {
        size_t n;
        const void *p = db_col_blob(s, 0, &n);
        char *plain = crypto_unseal(p, n);
        ok = plain != NULL;
        free(plain);
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : ok;
}

int store_key_check(db *d, cx_err *e)
{
    char mine[65], stored[65];
    crypto_key_check(mine);
    int f = store_key_check_get(d, stored);
    if (f == 0) {
        int opens = key_opens_data(d);
        if (opens == CX_ERR) return cx_fail(e, 500, "db_error", "db", "读取数据库失败：%s", db_errmsg(d));
        if (!opens) return cx_fail(e, 400, "key_mismatch", "key", "不匹配");
        if (db_run(d, "INSERT INTO key_check (id, check_value, created_at) VALUES (1, ?, ?) ON CONFLICT DO NOTHING", "si", mine,
                   now_unix()) != CX_OK)
            return cx_fail(e, 500, "db_error", "db", "记录密钥校验值失败：%s", db_errmsg(d));
        f = store_key_check_get(d, stored); /* another process may have been first */
    }
    if (f == CX_ERR) return cx_fail(e, 500, "db_error", "db", "读取密钥校验值失败：%s", db_errmsg(d));
    if (!crypto_verify_eq(mine, stored)) return cx_fail(e, 400, "key_mismatch", "key", "不匹配");
    /* after a key rotation, the stable hash key is kept wrapped under the master key */
    db_stmt *s = db_prepare(d, "SELECT hash_key_wrapped FROM key_check WHERE id = 1 AND hash_key_wrapped IS NOT NULL");
    if (!s) return cx_fail(e, 500, "db_error", "db", "读取密钥校验值失败：%s", db_errmsg(d));
    int rc = db_step(s), opened = CX_OK;
    if (rc == DB_ROW) {
        size_t n;
        const void *p = db_col_blob(s, 0, &n);
        opened = crypto_stable_unwrap(p, n);
    }
    db_done(s);
    if (rc == CX_ERR) return cx_fail(e, 500, "db_error", "db", "读取密钥校验值失败：%s", db_errmsg(d));
    if (opened != CX_OK)
        return cx_fail(e, 500, "key_wrap_invalid", "key", "数据库中保存的散列密钥无法用此密钥文件解开（数据库被改动？），请从备份恢复");
    return CX_OK;
}
