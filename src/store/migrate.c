/* migrate.c: numbered schema migrations (src/store/migrations/NNNN_name.sql, compiled in),
 * applied in order, each in its own transaction, recorded in schema_migrations. */
#include "store.h"
#include "../lib/assets.h"
#include <stdlib.h>
#include <string.h>

const actor actor_cli = {0, "命令行"};

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

int store_migrate(db *d, cx_err *e)
{
    if (db_exec(d, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)") != CX_OK)
        return cx_fail(e, 500, "migrate_failed", "db", "创建迁移表失败：%s", db_errmsg(d));
    int latest = store_latest_version();
    for (int v = 1; v <= latest; v++) {
        const struct asset *m = NULL;
        for (const struct asset *a = cx_assets; a->name; a++)
            if (str_starts(a->name, "src/store/migrations/") && migration_number(a->name) == v) m = a;
        if (!m) continue;
        if (db_begin(d, true) != CX_OK) return cx_fail(e, 500, "migrate_failed", "db", "开始事务失败：%s", db_errmsg(d));
        int64_t done = 0;
        db_i64(d, &done, 0, "SELECT count(*) FROM schema_migrations WHERE version = ?", "i", (int64_t)v);
        if (done) {
            db_rollback(d);
            continue;
        }
        char *sql = db_dialect(db_kind_of(d), m->data);
        int rc = db_exec(d, sql);
        free(sql);
        if (rc != CX_OK || db_run(d, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", "ii", (int64_t)v,
                                  now_unix()) != CX_OK) {
            cx_fail(e, 500, "migrate_failed", "db", "迁移 %s 失败：%s", m->name, db_errmsg(d));
            db_rollback(d);
            return CX_ERR;
        }
        if (db_commit(d) != CX_OK) return cx_fail(e, 500, "migrate_failed", "db", "提交迁移失败：%s", db_errmsg(d));
    }
    return CX_OK;
}
