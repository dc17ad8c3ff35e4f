/* backup.c: `cxzy backup -o FILE` and `cxzy restore FILE`, for SQLite. A backup is a consistent
 * copy taken with SQLite's online backup API while the server goes on writing (it restarts the
 * copy when a write lands in the middle), checked with integrity_check, written beside FILE and
 * renamed into place, 0600. A restore copies the backup into a scratch file, migrates it to this
 * binary's schema and checks that the key file is the backup's (the database's key check value),
 * and only then copies it into the database through the same API, so SQLite's own locking and
 * WAL keep a database that is open elsewhere consistent. It refuses to replace a database with
 * data without --force. PostgreSQL is backed up with its own tools (README). The key file is
 * never in a backup: it is backed up apart. */
#include "cli.h"
#include "../lib/crypto.h"
#include <getopt.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const pg_note =
    "PostgreSQL 数据库请用 PostgreSQL 自己的工具备份和恢复（见 README“备份与恢复”）：\n"
    "  备份：pg_dump --format=custom --file=cxzy.dump 'postgresql://…'\n"
    "  恢复：pg_restore --clean --if-exists --dbname='postgresql://…' cxzy.dump\n"
    "  密钥文件另行备份，恢复后用 cxzy audit verify 和 cxzy recount 核对。\n";

/* Copies database from into to (both SQLite paths) with the online backup API. */
static int copy_db(const char *from, const char *to, bool from_readonly, char *err, size_t cap)
{
    sqlite3 *s = NULL, *d = NULL;
    int rc = sqlite3_open_v2(from, &s, from_readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_open_v2(to, &d, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(s, 10000);
        sqlite3_busy_timeout(d, 10000);
        sqlite3_backup *b = sqlite3_backup_init(d, "main", s, "main");
        if (!b) rc = sqlite3_errcode(d);
        else {
            for (int tries = 0; tries < 2400; tries++) { /* busy or locked: about 2 minutes at most */
                rc = sqlite3_backup_step(b, 1024);
                if (rc == SQLITE_DONE) break;
                if (rc != SQLITE_OK && rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
                if (rc != SQLITE_OK) sqlite3_sleep(50);
            }
            int fin = sqlite3_backup_finish(b);
            if (rc == SQLITE_DONE) rc = fin;
        }
    }
    if (rc != SQLITE_OK) snprintf(err, cap, "%s", d ? sqlite3_errmsg(d) : s ? sqlite3_errmsg(s) : sqlite3_errstr(rc));
    sqlite3_close(s);
    sqlite3_close(d);
    return rc == SQLITE_OK ? CX_OK : CX_ERR;
}

/* integrity_check of a SQLite file: CX_OK when "ok". */
static int intact(const char *path, char *err, size_t cap)
{
    sqlite3 *h = NULL;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, NULL);
    bool ok = rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW && !strcmp((const char *)sqlite3_column_text(st, 0), "ok");
    if (!ok) snprintf(err, cap, "%s", rc == SQLITE_OK && st && sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0)
                                     : h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
    sqlite3_finalize(st);
    sqlite3_close(h);
    return ok ? CX_OK : CX_ERR;
}

static void drop_files(const char *path)
{
    char p[4200];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path), unlink(p);
    snprintf(p, sizeof p, "%s-shm", path), unlink(p);
    snprintf(p, sizeof p, "%s-journal", path), unlink(p);
}

int cmd_backup(int argc, char **argv)
{
    static const char *usage =
        "用法：cxzy backup -o 备份文件 [--force] [--db 数据库] [--key 密钥文件]\n"
        "  在服务运行时也可以备份：用 SQLite 在线备份得到一致的副本，校验完整后写入备份文件（权限 0600）。\n"
        "  --force  备份文件已存在时覆盖。密钥文件不在备份里，请另行备份。\n"
        "  退出码：0 成功；2 用法错误；3 出错。\n";
    cli_opts o = {0};
    const char *out = NULL;
    bool force = false;
    static struct option opts[] = {COMMON_OPTS,
                                   {"output", required_argument, 0, 'o'}, {"force", no_argument, 0, 'f'}, {0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        if (cli_common_opt(c, &o)) continue;
        switch (c) {
        case 'o': out = optarg; break;
        case 'f': force = true; break;
        case OPT_HELP: printf("%s", usage); return 0;
        default: return cli_usage(usage);
        }
    }
    if (!out || !*out || optind < argc) return fprintf(stderr, "%s", usage), 2;
    cli_defaults(&o);
    if (str_starts(o.db, "postgres")) return fprintf(stderr, "错误：cxzy backup 只用于 SQLite 数据库。\n%s", pg_note), 2;
    if (!force && access(out, F_OK) == 0)
        return fprintf(stderr, "错误：备份文件 %s 已存在；换一个文件名，或加 --force 覆盖\n", out), 2;
    db *d = cli_open(&o, false); /* the key must be this database's: a backup is restored with it */
    if (!d) return 3;
    char part[4200], err[512] = "";
    snprintf(part, sizeof part, "%s.part", out);
    drop_files(part);
    int rc = copy_db(o.db, part, true, err, sizeof err);
    if (rc == CX_OK) rc = intact(part, err, sizeof err);
    if (rc == CX_OK && rename(part, out) != 0) rc = CX_ERR, snprintf(err, sizeof err, "无法写入 %s", out);
    if (rc != CX_OK) {
        drop_files(part);
        db_close(d);
        return fprintf(stderr, "错误：备份失败：%s\n", err), 3;
    }
    char after[512];
    snprintf(after, sizeof after, "{\"file\":\"%.400s\"}", out);
    for (char *p = after + 9; *p && p[1]; p++) if (*p == '"' || *p == '\\') *p = '_'; /* a file name is no JSON */
    audit_record(d, &actor_cli, "backup", "database", 0, 0, NULL, after, "ok");
    db_close(d);
    printf("已备份到 %s（完整性校验通过）。密钥文件 %s 不在备份里，请另行备份。\n", out, o.key);
    return 0;
}

int cmd_restore(int argc, char **argv)
{
    static const char *usage =
        "用法：cxzy restore 备份文件 [--force] [--db 数据库] [--key 密钥文件]\n"
        "  先校验备份的完整性、版本，以及密钥文件是否与备份配对，再恢复到数据库。\n"
        "  --force  数据库已有数据时仍然用备份替换它（请先停止服务）。\n"
        "  恢复后请运行 cxzy audit verify 和 cxzy recount --round 轮次编号 核对。\n"
        "  退出码：0 成功；2 用法错误或拒绝覆盖；3 出错（备份损坏、密钥不配对等）。\n";
    cli_opts o = {0};
    bool force = false;
    static struct option opts[] = {COMMON_OPTS,
                                   {"force", no_argument, 0, 'f'}, {0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (cli_common_opt(c, &o)) continue;
        switch (c) {
        case 'f': force = true; break;
        case OPT_HELP: printf("%s", usage); return 0;
        default: return cli_usage(usage);
        }
    }
    if (optind != argc - 1) return fprintf(stderr, "%s", usage), 2;
    const char *from = argv[optind];
    cli_defaults(&o);
    if (str_starts(o.db, "postgres")) return fprintf(stderr, "错误：cxzy restore 只用于 SQLite 数据库。\n%s", pg_note), 2;
    char err[512] = "";
    if (access(from, R_OK) != 0) return fprintf(stderr, "错误：备份文件 %s 不存在或无法读取\n", from), 2;
    if (intact(from, err, sizeof err) != CX_OK) return fprintf(stderr, "错误：%s 不是完好的 cxzy 备份：%s\n", from, err), 3;
    /* the backup, in a scratch file: brought to this binary's schema, paired with the key */
    char scratch[4200];
    snprintf(scratch, sizeof scratch, "%s.restoring", o.db);
    drop_files(scratch);
    if (copy_db(from, scratch, true, err, sizeof err) != CX_OK) return drop_files(scratch), fprintf(stderr, "错误：读取备份失败：%s\n", err), 3;
    cli_opts so = {.db = scratch, .key = o.key};
    db *s = cli_open(&so, false); /* refuses (exit 3) a key that is not the backup's */
    if (!s) return drop_files(scratch), 3;
    int64_t v = 0;
    int has = store_has_data(s);
    store_schema_version(s, &v);
    db_close(s);
    if (has != 1) return drop_files(scratch), fprintf(stderr, "错误：%s 里没有 cxzy 的数据\n", from), 3;
    /* the database: refused when it has data, unless --force */
    if (access(o.db, F_OK) == 0 && !force) {
        cli_opts to = o;
        db *t = cli_open(&to, false);
        int data = t ? store_has_data(t) : 1;
        if (t) db_close(t);
        if (data != 0) {
            drop_files(scratch);
            return fprintf(stderr, "错误：数据库 %s 已有数据，不会被覆盖；确需用备份替换时先停止服务，再加 --force\n", o.db), 2;
        }
    }
    int rc = copy_db(scratch, o.db, false, err, sizeof err);
    drop_files(scratch);
    if (rc != CX_OK) return fprintf(stderr, "错误：恢复失败：%s\n", err), 3;
    db *d = cli_open(&o, false);
    if (!d) return 3;
    char after[512];
    snprintf(after, sizeof after, "{\"schema\":%" PRId64 "}", v);
    audit_record(d, &actor_cli, "restore", "database", 0, 0, NULL, after, "ok");
    db_close(d);
    printf("已从 %s 恢复到 %s（数据库版本 %" PRId64 "）。请运行 cxzy audit verify 和 cxzy recount 核对。\n", from, o.db, v);
    return 0;
}
