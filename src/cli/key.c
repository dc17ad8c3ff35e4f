/* key.c: cxzy key rotate: moves a database to a new key file (store_key_rotate, one transaction).
 * Run with the server stopped: a server still holding the old key would write fields the new key
 * cannot open. The command refuses while another process holds the key file (each command and the
 * server keep a shared lock on it) and, on PostgreSQL, while other sessions use the database. */
#include "cli.h"
#include "../lib/crypto.h"
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *usage =
    "用法：cxzy key rotate --new-key 新密钥文件 [--db URL] [--key 旧密钥文件]\n"
    "  用新密钥重新加密身份证号、电话等加密字段，重新计算其散列，用新密钥重新签署审计链，\n"
    "  在一个事务中完成并记入审计日志（key.rotate）。新密钥文件不存在时创建（权限 0600）；\n"
    "  已存在时必须是有效的密钥文件（不会覆盖）。轮换前请停止 cxzy serve 并备份数据库和旧密钥；\n"
    "  轮换后旧密钥不能再打开数据库，只用于轮换之前的备份。\n"
    "  退出码：0 成功；2 用法错误；3 被拒绝或出错（数据库未改动，仍用旧密钥）。\n";

/* Other sessions on the same PostgreSQL database (a server on another host, say): 1, 0, CX_ERR. */
static int pg_others(db *d, int64_t *n)
{
    *n = 0;
    if (db_kind_of(d) != DB_PG) return 0;
    if (db_i64(d, n, 0, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
                   "AND backend_type = 'client backend'", "") != CX_OK)
        return CX_ERR;
    return *n > 0;
}

int cmd_key(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "rotate") != 0) {
        if (argc >= 2 && !strcmp(argv[1], "--help")) return printf("%s", usage), 0;
        return fprintf(stderr, "%s", usage), 2;
    }
    cli_opts o = {0};
    const char *new_key = NULL;
    static struct option opts[] = {COMMON_OPTS,
                                   {"new-key", required_argument, 0, 'n'}, {0}};
    int c;
    optind = 2;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (cli_common_opt(c, &o)) continue;
        switch (c) {
        case 'n': new_key = optarg; break;
        case OPT_HELP: printf("%s", usage); return 0;
        default: return cli_usage(usage);
        }
    }
    if (!new_key || !*new_key) return fprintf(stderr, "错误：请用 --new-key 指定新密钥文件\n%s", usage), 2;
    if (optind < argc) return fprintf(stderr, "%s", usage), 2;
    cli_defaults(&o);
    struct stat so, sn;
    bool exists = stat(new_key, &sn) == 0;
    if (!strcmp(new_key, o.key) || (exists && stat(o.key, &so) == 0 && so.st_dev == sn.st_dev && so.st_ino == sn.st_ino))
        return fprintf(stderr, "错误：--new-key 不能是当前的密钥文件 %s：新密钥应写入另一个文件\n", o.key), 2;
    if (exists && !S_ISREG(sn.st_mode))
        return fprintf(stderr, "错误：新密钥文件 %s 已存在但不是普通文件，不会使用或覆盖\n", new_key), 3;
    db *d = cli_open(&o, false); /* the old key must be this database's (refused with exit 3 otherwise) */
    if (!d) return 3;
    int64_t others = 0;
    int busy = pg_others(d, &others);
    if (crypto_key_lock_alone() != CX_OK || busy) {
        if (busy == CX_ERR) fprintf(stderr, "错误：读取数据库会话失败：%s\n", db_errmsg(d));
        else if (busy)
            fprintf(stderr, "错误：还有 %" PRId64 " 个其他会话连接着此数据库（cxzy serve 在运行？经 PgBouncer 连接的，请在其管理台执行 KILL 数据库名）：请先停止所有服务和命令，再轮换密钥\n", others);
        else fprintf(stderr, "错误：密钥文件 %s 正被其他进程使用（cxzy serve 或其他命令在运行？）：请先停止服务，再轮换密钥\n", o.key);
        db_close(d);
        return 3;
    }
    cx_err e = {0};
    if (!exists && crypto_key_create(new_key, &e) != CX_OK) {
        db_close(d);
        return cli_err(&e), 3;
    }
    key_rotation r;
    if (store_key_rotate(d, new_key, &r, &e) != CX_OK) {
        db_close(d);
        if (!strcmp(e.code, "key_invalid") || !strcmp(e.code, "key_mode"))
            fprintf(stderr, "错误：新密钥文件 %s 已存在但不是可用的密钥文件（%s）：不会覆盖它，请换一个文件名\n", new_key, e.msg);
        else fprintf(stderr, "错误：%s\n", e.msg);
        if (!exists) unlink(new_key); /* made by this run, never used */
        fprintf(stderr, "密钥未轮换：数据库没有任何改动，仍使用旧密钥 %s\n", o.key);
        return 3;
    }
    db_close(d);
    printf("已轮换密钥：重新加密 %" PRId64 " 个字段，重新计算 %" PRId64 " 个散列，重新签署 %" PRId64 " 条审计记录。\n"
           "从现在起请使用新密钥文件 %s（--key 或 CXZY_KEY），并立即备份它；旧密钥 %s 已不能打开此数据库，只用于轮换之前的备份。\n",
           r.sealed, r.hashed, r.audit_rows, new_key, o.key);
    return 0;
}
