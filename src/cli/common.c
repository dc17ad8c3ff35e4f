/* common.c: the options and opening steps every command shares: defaults, --as, the key check, errors. */

#include "cli.h"
#include "../lib/crypto.h"
#include "../domain/date.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

void cli_defaults(cli_opts *o)
{
    if (!o->db) o->db = getenv("CXZY_DB");
    if (!o->db || !*o->db) o->db = "data/cxzy.db";
    if (!o->key) o->key = getenv("CXZY_KEY");
    if (!o->key || !*o->key) {
        if (str_starts(o->db, "postgres")) o->key = "data/cxzy.key";
        else { /* beside the database; static, so that no command leaks it (ASan exits 1 on a leak) */
            static char beside[4096];
            snprintf(beside, sizeof beside, "%s.key", o->db);
            o->key = beside;
        }
    }
}

int cli_err(const cx_err *e)
{
    fprintf(stderr, "错误：%s\n", e->msg);
    return 1;
}

bool cli_int(const char *opt, const char *arg, int64_t lo, int64_t hi, int64_t *out)
{
    int64_t v;
    if (str_to_i64(arg, &v) == CX_OK && v >= lo && v <= hi) return *out = v, true;
    fprintf(stderr, "错误：--%s 应为 %" PRId64 " 到 %" PRId64 " 之间的整数，收到“%s”\n", opt, lo, hi, arg);
    return false;
}

static void ensure_parent_dir(const char *path)
{
    char *dup = xstrdup(path);
    char *slash = strrchr(dup, '/');
    if (slash && slash != dup) {
        *slash = 0;
        mkdir(dup, 0700);
    }
    free(dup);
}

/* The key file's path as the operator should look for it: absolute. */
static void key_path_shown(const char *key, char *out, size_t n)
{
    char cwd[4096];
    if (key[0] != '/' && getcwd(cwd, sizeof cwd)) snprintf(out, n, "%s/%s", cwd, key);
    else snprintf(out, n, "%s", key);
}

/* A key that is not this database's: nothing is done with it (exit code 3). */
static void key_refused(db *d, const char *key, bool missing)
{
    char shown[4200];
    key_path_shown(key, shown, sizeof shown);
    if (missing)
        fprintf(stderr, "错误：密钥文件 %s 不存在，而此数据库已有数据：不会为已有数据的数据库新建密钥。"
                        "请用 --key（或 CXZY_KEY）指定创建此数据库时的密钥文件（从备份中恢复）。\n", shown);
    else
        fprintf(stderr, "错误：密钥文件 %s 与此数据库不匹配（数据库中记录的密钥校验值不同）：用它将无法解密身份证号和电话、"
                        "审计校验会失败。请用 --key（或 CXZY_KEY）指定此数据库的密钥文件（从备份中恢复）。\n", shown);
    db_close(d);
    exit(3);
}

bool cli_db_missing(const cli_opts *o)
{
    /* a mistyped --db names no database: only init and demo make one, every other command
     * refuses without leaving an empty file behind */
    if (str_starts(o->db, "postgres") || access(o->db, F_OK) == 0) return false;
    fprintf(stderr, "错误：数据库文件 %s 不存在（请检查 --db 或 CXZY_DB；新建数据库用 cxzy init 或 cxzy demo）\n", o->db);
    return true;
}

db *cli_open(cli_opts *o, bool create_key)
{
    cli_defaults(o);
    cx_err e = {0};
    if (crypto_boot() != CX_OK) {
        fprintf(stderr, "错误：libsodium 初始化失败\n");
        return NULL;
    }
    if (!create_key && cli_db_missing(o)) return NULL;
    if (!str_starts(o->db, "postgres")) ensure_parent_dir(o->db);
    db *d = db_open(o->db, &e);
    if (!d) return cli_err(&e), NULL;
    if (store_migrate(d, &e) != CX_OK) {
        db_close(d);
        return cli_err(&e), NULL;
    }
    if (access(o->key, F_OK) != 0) {
        /* a key is made only for a database with nothing in it yet */
        char stored[65];
        int checked = store_key_check_get(d, stored), data = store_has_data(d);
        if (checked == CX_ERR || data == CX_ERR) {
            cx_fail(&e, 500, "db_error", "db", "读取数据库失败：%s", db_errmsg(d));
            db_close(d);
            return cli_err(&e), NULL;
        }
        if (checked || data) key_refused(d, o->key, true);
        if (create_key) {
            ensure_parent_dir(o->key);
            if (crypto_key_create(o->key, &e) != CX_OK) return db_close(d), cli_err(&e), NULL;
            fprintf(stderr, "已创建密钥文件 %s（权限 0600，请妥善备份：丢失后无法解密身份证号和电话）\n", o->key);
        }
    }
    if (crypto_key_load(o->key, &e) != CX_OK) return db_close(d), cli_err(&e), NULL;
    if (store_key_check(d, &e) != CX_OK) {
        if (strcmp(e.code, "key_mismatch")) return db_close(d), cli_err(&e), NULL;
        key_refused(d, o->key, false);
    }
    return d;
}

/* Who runs the command, as records and the audit log show it: 命令行（姓名） with --as 姓名, else
 * 命令行（the system user; the one who ran sudo when run through it）. */
static char cli_actor_name[128];
void cli_name_actor(const char *as)
{
    const char *who = as;
    if (!who || !*who) {
        const char *sudo = getuid() == 0 ? getenv("SUDO_USER") : NULL;
        struct passwd *pw = getpwuid(getuid());
        who = sudo && *sudo ? sudo : pw && pw->pw_name ? pw->pw_name : "";
    }
    char clean[64];
    size_t n = 0;
    for (const char *p = who; *p && n < sizeof clean - 1; p++) clean[n++] = (unsigned char)*p < 0x20 ? '?' : *p;
    clean[n] = 0;
    if (!utf8_valid(clean, n)) snprintf(clean, sizeof clean, "?");
    if (*clean) snprintf(cli_actor_name, sizeof cli_actor_name, "命令行（%s）", clean);
    else snprintf(cli_actor_name, sizeof cli_actor_name, "命令行");
    actor_cli.name = cli_actor_name;
}

int cli_common_opt(int c, cli_opts *o)
{
    if (c == OPT_DB) o->db = optarg;
    else if (c == OPT_KEY) o->key = optarg;
    else if (c == OPT_AS) {
        if (!*optarg || utf8_len(optarg) > 30 || !utf8_valid(optarg, strlen(optarg))) {
            fprintf(stderr, "错误：--as 应为操作人的姓名（1–30 个字），收到“%.60s”\n", optarg);
            exit(2);
        }
        cli_name_actor(optarg);
    } else return 0;
    return 1;
}

int cli_usage(const char *usage)
{
    fprintf(stderr, "%s", usage);
    return 2;
}

int cli_id(const char *s, const char *label, int64_t *out)
{
    if (str_to_i64(s, out) != CX_OK || *out <= 0) {
        fprintf(stderr, "错误：%s应为正整数，收到“%s”\n", label, s);
        return CX_ERR;
    }
    return CX_OK;
}

db *cli_open_org(cli_opts *o, const char *id, org *root, int *status)
{
    int64_t org_id;
    *status = 2;
    if (cli_id(id, "组织编号", &org_id) != CX_OK) return NULL;
    *status = 1;
    db *d = cli_open(o, false);
    if (!d) return NULL;
    if (org_get(d, org_id, root) != 1) {
        fprintf(stderr, "错误：组织编号 %" PRId64 " 不存在\n", org_id);
        db_close(d);
        return NULL;
    }
    return d;
}

bool cli_today(const char *ts, char today[11])
{
    cx_err e = {0};
    if (!ts) date_today(today);
    else if (date_parse(ts, false, "today", "--today", today, &e) != CX_OK) return fprintf(stderr, "错误：%s\n", e.msg), false;
    return true;
}

int cli_common_opts_from(int argc, char **argv, int first, const char *usage, cli_opts *o)
{
    static struct option opts[] = {COMMON_OPTS, {0}};
    int c;
    optind = first;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (cli_common_opt(c, o)) continue;
        if (c == OPT_HELP) return printf("%s", usage), 0;
        return cli_usage(usage);
    }
    return -1;
}
