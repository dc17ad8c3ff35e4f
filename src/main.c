/* main.c: the cxzy command line: serve, init, demo, import, export, user, migrate, audit verify. */
#include "cli/cli.h"
#include "lib/crypto.h"
#include "store/roster.h"
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *usage_main =
    "cxzy — 创先争优活动管理系统\n"
    "\n"
    "用法：cxzy <命令> [选项]\n"
    "\n"
    "命令：\n"
    "  serve         启动网站服务（默认 http://127.0.0.1:8080）\n"
    "  init          创建密钥文件和数据库结构（可同时创建根组织和管理员）\n"
    "  demo          生成演示区县：组织树、党员和演示账号\n"
    "  import        从 CSV/XLSX 导入党员名册（全部正确才导入）\n"
    "  export        导出党员名册为 XLSX 或 CSV（身份证号、电话脱敏）\n"
    "  user          账号管理：add、grant、passwd、list\n"
    "  migrate       升级数据库结构到本程序的版本\n"
    "  audit verify  校验审计日志的哈希链，报告被修改或删除的记录\n"
    "  config        网站设置：get/set/unset public-url（二维码和打印页用的公开地址）\n"
    "  recount       按原始记录重新计算某评议轮次的等次和统计数，列出差异\n"
    "  escalate      把逾期未销号的整改事项上报到上级组织（供 cron 每天运行）\n"
    "  redraw        按公开的种子和同一份名单重新抽取，核对电话随机抽访（不需要数据库）\n"
    "  backup        备份 SQLite 数据库（服务运行时也可以，得到一致的副本）\n"
    "  restore       从备份恢复 SQLite 数据库（校验完整性、版本和密钥配对）\n"
    "  key rotate    换用新密钥文件：重新加密、重新计算散列、重新签署审计链（一个事务，需先停止服务）\n"
    "\n"
    "通用选项：\n"
    "  --db URL      数据库：文件路径为 SQLite（默认 data/cxzy.db），postgresql://… 为 PostgreSQL\n"
    "  --key FILE    密钥文件（默认：SQLite 为 <数据库>.key，PostgreSQL 为 data/cxzy.key）\n"
    "  --as 姓名     操作人（记录和审计日志写作“命令行（姓名）”；默认为系统用户名）\n"
    "  也可用环境变量 CXZY_DB、CXZY_KEY 设置。每个命令都支持 --help。\n";

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

db *cli_open(cli_opts *o, bool create_key)
{
    cli_defaults(o);
    cx_err e = {0};
    if (crypto_boot() != CX_OK) {
        fprintf(stderr, "错误：libsodium 初始化失败\n");
        return NULL;
    }
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

/* Parses the options every command shares, plus the command's own (long options only). */
enum { OPT_DB = 1000, OPT_KEY, OPT_HELP, OPT_AS };
#define COMMON_OPTS {"db", required_argument, 0, OPT_DB}, {"key", required_argument, 0, OPT_KEY}, {"help", no_argument, 0, OPT_HELP}, \
                    {"as", required_argument, 0, OPT_AS}

/* Who runs the command, as records and the audit log show it: 命令行（姓名） with --as 姓名, else
 * 命令行（the system user; the one who ran sudo when run through it）. */
static char cli_actor_name[128];
static void name_cli_actor(const char *as)
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

static int common_opt(int c, cli_opts *o)
{
    if (c == OPT_DB) o->db = optarg;
    else if (c == OPT_KEY) o->key = optarg;
    else if (c == OPT_AS) {
        if (!*optarg || utf8_len(optarg) > 30 || !utf8_valid(optarg, strlen(optarg))) {
            fprintf(stderr, "错误：--as 应为操作人的姓名（1–30 个字），收到“%.60s”\n", optarg);
            exit(2);
        }
        name_cli_actor(optarg);
    } else return 0;
    return 1;
}

static int bad_usage(const char *usage)
{
    fprintf(stderr, "%s", usage);
    return 2;
}

static int parse_id(const char *s, const char *label, int64_t *out)
{
    if (str_to_i64(s, out) != CX_OK || *out <= 0) {
        fprintf(stderr, "错误：%s应为正整数，收到“%s”\n", label, s);
        return CX_ERR;
    }
    return CX_OK;
}

static int cmd_init(int argc, char **argv)
{
    static const char *usage = "用法：cxzy init [--db URL] [--key FILE] [--root 名称 --sector 领域] [--admin 用户名 --password-file 文件]\n"
                               "  创建密钥文件（若不存在）和数据库结构；可选地创建根组织（党委）和在根组织任活动办公室角色的管理员。\n"
                               "  领域：rural community government soe school hospital private social（默认 government）\n";
    cli_opts o = {0};
    const char *root = NULL, *sector = "government", *admin = NULL, *pwfile = NULL;
    static struct option opts[] = {COMMON_OPTS, {"root", required_argument, 0, 'r'}, {"sector", required_argument, 0, 's'},
                                   {"admin", required_argument, 0, 'a'}, {"password-file", required_argument, 0, 'p'}, {0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (common_opt(c, &o)) continue;
        switch (c) {
        case 'r': root = optarg; break;
        case 's': sector = optarg; break;
        case 'a': admin = optarg; break;
        case 'p': pwfile = optarg; break;
        case OPT_HELP: printf("%s", usage); return 0;
        default: return bad_usage(usage);
        }
    }
    if (optind < argc || (admin && (!root || !pwfile))) return bad_usage(usage);
    db *d = cli_open(&o, true);
    if (!d) return 1;
    cx_err e = {0};
    int rc = 0;
    if (root) {
        int64_t rid;
        if (org_create(d, &actor_cli, 0, root, "committee", sector, &rid, &e) != CX_OK) rc = cli_err(&e);
        else printf("已创建根组织“%s”（编号 %" PRId64 "）\n", root, rid);
        if (!rc && admin) {
            char pw[256] = "";
            FILE *f = fopen(pwfile, "r");
            if (!f || !fgets(pw, sizeof pw, f)) {
                fprintf(stderr, "错误：无法读取密码文件 %s\n", pwfile);
                rc = 1;
            }
            if (f) fclose(f);
            str_trim(pw);
            int64_t uid;
            if (!rc && (user_create(d, &actor_cli, admin, "管理员", pw, 0, &uid, &e) != CX_OK ||
                        user_grant(d, &actor_cli, uid, ROLE_OFFICE, rid, &e) != CX_OK))
                rc = cli_err(&e);
            else if (!rc) printf("已创建管理员 %s（活动办公室，范围：%s）\n", admin, root);
        }
    }
    int64_t v;
    store_schema_version(d, &v);
    if (!rc) printf("数据库 %s 已就绪（结构版本 %" PRId64 "）\n", o.db, v);
    db_close(d);
    return rc;
}

static int cmd_migrate(int argc, char **argv)
{
    static const char *usage = "用法：cxzy migrate [--db URL] [--key FILE]\n  把数据库结构升级到本程序的版本（已是最新时不做改动）。\n";
    cli_opts o = {0};
    static struct option opts[] = {COMMON_OPTS, {0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (common_opt(c, &o)) continue;
        if (c == OPT_HELP) return printf("%s", usage), 0;
        return bad_usage(usage);
    }
    if (optind < argc) return bad_usage(usage);
    cli_defaults(&o);
    cx_err e = {0};
    db *d = db_open(o.db, &e);
    if (!d) return cli_err(&e);
    int64_t before;
    store_schema_version(d, &before);
    if (store_migrate(d, &e) != CX_OK) {
        db_close(d);
        return cli_err(&e);
    }
    int64_t after;
    store_schema_version(d, &after);
    printf("结构版本：%" PRId64 " → %" PRId64 "%s\n", before, after, before == after ? "（已是最新）" : "");
    db_close(d);
    return 0;
}

static int cmd_audit(int argc, char **argv)
{
    static const char *usage = "用法：cxzy audit verify [--db URL] [--key FILE]\n"
                               "  重新计算审计日志的哈希链；列出每条被修改、插入或删除的记录。完整时退出码为 0，否则为 3。\n";
    if (argc < 2 || strcmp(argv[1], "verify") != 0) {
        if (argc >= 2 && !strcmp(argv[1], "--help")) return printf("%s", usage), 0;
        return bad_usage(usage);
    }
    cli_opts o = {0};
    static struct option opts[] = {COMMON_OPTS, {0}};
    int c;
    optind = 2;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (common_opt(c, &o)) continue;
        if (c == OPT_HELP) return printf("%s", usage), 0;
        return bad_usage(usage);
    }
    if (optind < argc) return bad_usage(usage);
    db *d = cli_open(&o, false);
    if (!d) return 1;
    int64_t rows;
    int problems = audit_verify(d, stdout, &rows);
    db_close(d);
    if (problems == CX_ERR) return fprintf(stderr, "错误：读取审计日志失败\n"), 1;
    if (problems) {
        printf("审计日志共 %" PRId64 " 条，发现 %d 处问题\n", rows, problems);
        return 3;
    }
    printf("审计日志完整：共 %" PRId64 " 条记录，哈希链无误\n", rows);
    return 0;
}

static int cmd_config(int argc, char **argv)
{
    static const char *usage = "用法：cxzy config get|set|unset public-url [地址] [--db URL] [--key FILE] [--as 姓名]\n"
                               "  public-url：网站的公开地址（如 https://cxzy.example.gov.cn），印在二维码和打印页上；\n"
                               "  存在数据库里，所有网站实例和命令行都用它（办公室也可在网页“设置”页修改）。修改记入审计日志。\n";
    if (argc >= 2 && !strcmp(argv[1], "--help")) return printf("%s", usage), 0;
    if (argc < 3) return bad_usage(usage);
    const char *sub = argv[1], *name = argv[2];
    bool get = !strcmp(sub, "get"), set = !strcmp(sub, "set"), unset = !strcmp(sub, "unset");
    if (!get && !set && !unset) return bad_usage(usage);
    if (strcmp(name, "public-url") != 0) return fprintf(stderr, "错误：未知设置“%s”（目前只有 public-url）\n", name), 2;
    cli_opts o = {0};
    static struct option opts[] = {COMMON_OPTS, {0}};
    int c;
    optind = 3;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (common_opt(c, &o)) continue;
        if (c == OPT_HELP) return printf("%s", usage), 0;
        return bad_usage(usage);
    }
    if (optind != argc - (set ? 1 : 0)) return bad_usage(usage);
    char base[256] = "", host[256];
    cx_err e = {0};
    if (set && setting_public_url_check(argv[optind], base, host, &e) != CX_OK) return cli_err(&e), 2;
    db *d = cli_open(&o, false);
    if (!d) return 1;
    int rc = 0;
    if (get) {
        char v[256];
        int f = setting_get(d, SETTING_PUBLIC_URL, v, sizeof v);
        if (f == CX_ERR) fprintf(stderr, "错误：读取设置失败\n"), rc = 1;
        else if (f == 0) printf("（未设置：二维码指向访问者所用的地址）\n"), rc = 3;
        else printf("%s\n", v);
    } else if (setting_set(d, &actor_cli, SETTING_PUBLIC_URL, base, &e) != CX_OK) rc = cli_err(&e);
    else printf(set ? "公开地址已设为 %s\n" : "公开地址已清除%s\n", base);
    db_close(d);
    return rc;
}

static void print_report(const roster_report *r)
{
    if (r->nkept) printf("%s：\n", ROSTER_ROW_NOTE);
    for (int i = 0; i < r->nkept; i++) {
        const roster_issue *x = &r->issues[i];
        if (x->row) printf("第 %" PRId64 " 行%s%s%s：%s\n", x->row, x->column[0] ? "「" : "", x->column, x->column[0] ? "」" : "", x->reason);
        else printf("文件：%s\n", x->reason);
    }
    if (r->nissues > r->nkept) printf("……另有 %" PRId64 " 处错误未列出\n", r->nissues - r->nkept);
}

static int cmd_import(int argc, char **argv)
{
    static const char *usage = "用法：cxzy import --org 组织编号 [--dry-run] [--db URL] [--key FILE] 文件.csv|文件.xlsx\n"
                               "  导入党员名册到该组织及其下级组织（按“所在党组织”列）。文件中任何一行有错都不导入，\n"
                               "  并列出每个错误的行号（按表格行号）、列和原因。--dry-run 只检查不写入。\n"
                               "  表头上方的标题行、表格下方的说明行可以保留，常见列名写法都能识别（见 docs/roster.md）。\n";
    cli_opts o = {0};
    const char *orgs = NULL;
    bool dry = false;
    static struct option opts[] = {COMMON_OPTS, {"org", required_argument, 0, 'o'}, {"dry-run", no_argument, 0, 'n'}, {0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (common_opt(c, &o)) continue;
        switch (c) {
        case 'o': orgs = optarg; break;
        case 'n': dry = true; break;
        case OPT_HELP: printf("%s", usage); return 0;
        default: return bad_usage(usage);
        }
    }
    if (!orgs || optind != argc - 1) return bad_usage(usage);
    int64_t org_id;
    if (parse_id(orgs, "组织编号", &org_id) != CX_OK) return 2;
    db *d = cli_open(&o, false);
    if (!d) return 1;
    org root;
    if (org_get(d, org_id, &root) != 1) {
        fprintf(stderr, "错误：组织编号 %" PRId64 " 不存在\n", org_id);
        db_close(d);
        return 1;
    }
    roster_report r;
    cx_err e = {0};
    int rc = roster_import(d, &actor_cli, &root, argv[optind], NULL, 0, dry, &r, &e);
    db_close(d);
    if (rc != CX_OK) {
        roster_report_free(&r);
        return cli_err(&e);
    }
    print_report(&r);
    int status = 0;
    if (r.nissues) {
        printf("共 %" PRId64 " 行，%" PRId64 " 行有错误，共 %" PRId64 " 处；未导入任何数据\n", r.rows, r.rows - r.valid_rows, r.nissues);
        status = 3;
    } else if (dry) printf("检查通过：共 %" PRId64 " 行，全部正确（试导入，未写入）\n", r.rows);
    else printf("已导入 %" PRId64 " 名党员到“%s”\n", r.imported, root.name);
    roster_report_free(&r);
    return status;
}

static int cmd_export(int argc, char **argv)
{
    static const char *usage = "用法：cxzy export --org 组织编号 [--format xlsx|csv] [--only] [--full] -o 输出文件 [--db URL] [--key FILE]\n"
                               "  导出该组织及其下级组织的党员名册（--only 只导出本组织），列与导入模板相同。身份证号和电话脱敏；\n"
                               "  --full 导出完整身份证号、电话和出生日期（可直接再导入），记入审计。\n";
    cli_opts o = {0};
    const char *orgs = NULL, *fmt = NULL, *outp = NULL;
    bool only = false, full = false;
    static struct option opts[] = {COMMON_OPTS, {"org", required_argument, 0, 'g'}, {"format", required_argument, 0, 'f'},
                                   {"only", no_argument, 0, 'l'}, {"full", no_argument, 0, 'F'},
                                   {"output", required_argument, 0, 'o'}, {0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        if (common_opt(c, &o)) continue;
        switch (c) {
        case 'g': orgs = optarg; break;
        case 'f': fmt = optarg; break;
        case 'l': only = true; break;
        case 'F': full = true; break;
        case 'o': outp = optarg; break;
        case OPT_HELP: printf("%s", usage); return 0;
        default: return bad_usage(usage);
        }
    }
    if (!orgs || !outp || optind != argc) return bad_usage(usage);
    if (!fmt) fmt = (strlen(outp) > 4 && !strcmp(outp + strlen(outp) - 4, ".csv")) ? "csv" : "xlsx";
    if (strcmp(fmt, "csv") && strcmp(fmt, "xlsx")) return fprintf(stderr, "错误：--format 应为 xlsx 或 csv\n"), 2;
    int64_t org_id;
    if (parse_id(orgs, "组织编号", &org_id) != CX_OK) return 2;
    db *d = cli_open(&o, false);
    if (!d) return 1;
    org root;
    if (org_get(d, org_id, &root) != 1) {
        fprintf(stderr, "错误：组织编号 %" PRId64 " 不存在\n", org_id);
        db_close(d);
        return 1;
    }
    buf out;
    buf_init(&out);
    cx_err e = {0};
    int rc = roster_export(d, &actor_cli, &root, !only, full, fmt, &out, &e);
    db_close(d);
    if (rc != CX_OK) return buf_free(&out), cli_err(&e);
    FILE *f = fopen(outp, "wb");
    if (!f || fwrite(out.p, 1, out.len, f) != out.len || fclose(f) != 0) {
        fprintf(stderr, "错误：无法写入 %s：%s\n", outp, strerror(errno));
        buf_free(&out);
        return 1;
    }
    printf("已导出到 %s（%zu 字节）\n", outp, out.len);
    buf_free(&out);
    return 0;
}

static int read_password(const char *file, const char *given, char pw[256])
{
    if (given) return snprintf(pw, 256, "%s", given), CX_OK;
    if (!file) return CX_ERR;
    FILE *f = strcmp(file, "-") ? fopen(file, "r") : stdin;
    if (!f || !fgets(pw, 256, f)) {
        fprintf(stderr, "错误：无法读取密码文件 %s\n", file);
        if (f && f != stdin) fclose(f);
        return CX_ERR;
    }
    if (f != stdin) fclose(f);
    str_trim(pw);
    return CX_OK;
}

static int cmd_user(int argc, char **argv)
{
    static const char *usage =
        "用法：\n"
        "  cxzy user add 用户名 --name 显示名称 (--password-file 文件|-) [--role 角色 --org 组织编号] [--member 党员编号]\n"
        "  cxzy user grant 用户名 --role 角色 --org 组织编号\n"
        "  cxzy user passwd 用户名 --password-file 文件|-\n"
        "  cxzy user list\n"
        "  角色：office（活动办公室） secretary（党组织书记） leader（党员领导干部） member（党员） discipline（纪检）\n"
        "  角色授予在某组织，覆盖该组织及其全部下级。密码至少 10 个字符，含字母和数字。\n";
    if (argc < 2) return bad_usage(usage);
    const char *sub = argv[1];
    if (!strcmp(sub, "--help")) return printf("%s", usage), 0;
    cli_opts o = {0};
    const char *name = NULL, *pwfile = NULL, *role = NULL, *orgs = NULL, *mem = NULL, *pwd = NULL;
    static struct option opts[] = {COMMON_OPTS, {"name", required_argument, 0, 'n'}, {"password-file", required_argument, 0, 'p'},
                                   {"role", required_argument, 0, 'r'}, {"org", required_argument, 0, 'o'},
                                   {"member", required_argument, 0, 'm'}, {0}};
    int c;
    optind = 2;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (common_opt(c, &o)) continue;
        switch (c) {
        case 'n': name = optarg; break;
        case 'p': pwfile = optarg; break;
        case 'r': role = optarg; break;
        case 'o': orgs = optarg; break;
        case 'm': mem = optarg; break;
        case OPT_HELP: printf("%s", usage); return 0;
        default: return bad_usage(usage);
        }
    }
    const char *uname = optind < argc ? argv[optind] : NULL;
    int r = role ? role_from_name(role) : 0;
    if (role && !r) return fprintf(stderr, "错误：角色“%s”无效\n", role), 2;
    int64_t org_id = 0, member_id = 0;
    if (orgs && parse_id(orgs, "组织编号", &org_id) != CX_OK) return 2;
    if (mem && parse_id(mem, "党员编号", &member_id) != CX_OK) return 2;
    if (!strcmp(sub, "list")) {
        if (uname) return bad_usage(usage);
    } else if (!uname || optind + 1 != argc) return bad_usage(usage);
    if (!strcmp(sub, "add") && (!name || !pwfile || (!!role != !!orgs))) return bad_usage(usage);
    if (!strcmp(sub, "grant") && (!role || !orgs)) return bad_usage(usage);
    if (!strcmp(sub, "passwd") && !pwfile) return bad_usage(usage);
    if (strcmp(sub, "add") && strcmp(sub, "grant") && strcmp(sub, "passwd") && strcmp(sub, "list")) return bad_usage(usage);
    char pw[256] = "";
    if ((!strcmp(sub, "add") || !strcmp(sub, "passwd")) && read_password(pwfile, pwd, pw) != CX_OK) return 2;
    db *d = cli_open(&o, false);
    if (!d) return 1;
    cx_err e = {0};
    int rc = 0;
    int64_t uid = 0;
    if (!strcmp(sub, "list")) rc = user_list(d, stdout) == CX_OK ? 0 : 1;
    else if (!strcmp(sub, "add")) {
        if (user_create(d, &actor_cli, uname, name, pw, member_id, &uid, &e) != CX_OK) rc = cli_err(&e);
        else if (r && user_grant(d, &actor_cli, uid, r, org_id, &e) != CX_OK) rc = cli_err(&e);
        else printf("已创建用户 %s\n", uname);
    } else if (!strcmp(sub, "grant")) {
        if (user_find(d, uname, &uid) != 1) rc = (fprintf(stderr, "错误：用户“%s”不存在\n", uname), 1);
        else if (user_grant(d, &actor_cli, uid, r, org_id, &e) != CX_OK) rc = cli_err(&e);
        else printf("已授予 %s 角色“%s”\n", uname, role_label(r));
    } else if (!strcmp(sub, "passwd")) {
        if (user_set_password(d, &actor_cli, uname, pw, &e) != CX_OK) rc = cli_err(&e);
        else printf("已更新 %s 的密码\n", uname);
    }
    db_close(d);
    return rc;
}

int cmd_recount(int argc, char **argv); /* cli/recount.c */
int cmd_escalate(int argc, char **argv); /* cli/escalate.c */
int cmd_redraw(int argc, char **argv);   /* cli/redraw.c */
int cmd_backup(int argc, char **argv);   /* cli/backup.c */
int cmd_restore(int argc, char **argv);  /* cli/backup.c */
int cmd_key(int argc, char **argv);      /* cli/key.c */

int main(int argc, char **argv)
{
    /* Databases (with their -wal and -shm files), key files, exports and folders this program
     * creates hold personal data: readable by their owner only (0600 / 0700). */
    umask(077);
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        printf("%s", usage_main);
        return argc < 2 ? 2 : 0;
    }
    name_cli_actor(NULL);
    static const struct { const char *name; int (*fn)(int, char **); } cmds[] = {
        {"serve", cmd_serve}, {"init", cmd_init},     {"demo", cmd_demo},   {"import", cmd_import},
        {"export", cmd_export}, {"user", cmd_user}, {"migrate", cmd_migrate}, {"audit", cmd_audit}, {"config", cmd_config},
        {"recount", cmd_recount}, {"escalate", cmd_escalate},
        {"redraw", cmd_redraw}, {"backup", cmd_backup}, {"restore", cmd_restore}, {"key", cmd_key},
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (!strcmp(argv[1], cmds[i].name)) return cmds[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "错误：未知命令“%s”\n\n%s", argv[1], usage_main);
    return 2;
}
