/* user.c: `cxzy user add|grant|passwd|list`: accounts from the command line. */

#include "cli.h"
#include <inttypes.h>
#include <stdio.h>
#include <time.h>
#include <string.h>

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

int cmd_user(int argc, char **argv)
{
    static const char *usage =
        "用法：\n"
        "  cxzy user add 用户名 --name 显示名称 (--password-file 文件|-) [--role 角色 --org 组织编号] [--member 党员编号]\n"
        "  cxzy user grant 用户名 --role 角色 --org 组织编号\n"
        "  cxzy user passwd 用户名 --password-file 文件|-\n"
        "  cxzy user totp-off 用户名          关闭两步验证（手机丢失而上面无人可重置账号时，如最上级活动办公室）\n"
        "  cxzy user list\n"
        "  cxzy user bulk --org 组织编号 [--own]   为该组织及下级（--own：仅本组织）尚无账号的党员开通账号（待激活）\n"
        "  角色：office（活动办公室） secretary（党组织书记） leader（党员领导干部） member（党员） discipline（纪检）\n"
        "  角色授予在某组织，覆盖该组织及其全部下级。密码至少 10 个字符，含字母和数字。\n";
    if (argc < 2) return cli_usage(usage);
    const char *sub = argv[1];
    if (!strcmp(sub, "--help")) return printf("%s", usage), 0;
    cli_opts o = {0};
    const char *name = NULL, *pwfile = NULL, *role = NULL, *orgs = NULL, *mem = NULL, *pwd = NULL;
    bool own = false;
    static struct option opts[] = {COMMON_OPTS, {"name", required_argument, 0, 'n'}, {"password-file", required_argument, 0, 'p'},
                                   {"role", required_argument, 0, 'r'}, {"org", required_argument, 0, 'o'},
                                   {"member", required_argument, 0, 'm'}, {"own", no_argument, 0, 'w'}, {0}};
    int c;
    optind = 2;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (cli_common_opt(c, &o)) continue;
        switch (c) {
        case 'n': name = optarg; break;
        case 'p': pwfile = optarg; break;
        case 'r': role = optarg; break;
        case 'o': orgs = optarg; break;
        case 'm': mem = optarg; break;
        case 'w': own = true; break;
        case OPT_HELP: printf("%s", usage); return 0;
        default: return cli_usage(usage);
        }
    }
    const char *uname = optind < argc ? argv[optind] : NULL;
    int r = role ? role_from_name(role) : 0;
    if (role && !r) return fprintf(stderr, "错误：角色“%s”无效\n", role), 2;
    int64_t org_id = 0, member_id = 0;
    if (orgs && cli_id(orgs, "组织编号", &org_id) != CX_OK) return 2;
    if (mem && cli_id(mem, "党员编号", &member_id) != CX_OK) return 2;
    if (!strcmp(sub, "list") || !strcmp(sub, "bulk")) {
        if (uname || (!strcmp(sub, "bulk") && !orgs)) return cli_usage(usage);
    } else if (!uname || optind + 1 != argc) return cli_usage(usage);
    if (!strcmp(sub, "add") && (!name || !pwfile || (!!role != !!orgs))) return cli_usage(usage);
    if (!strcmp(sub, "grant") && (!role || !orgs)) return cli_usage(usage);
    if (!strcmp(sub, "passwd") && !pwfile) return cli_usage(usage);
    if (strcmp(sub, "add") && strcmp(sub, "grant") && strcmp(sub, "passwd") && strcmp(sub, "list") && strcmp(sub, "bulk") && strcmp(sub, "totp-off"))
        return cli_usage(usage);
    char pw[256] = "";
    if ((!strcmp(sub, "add") || !strcmp(sub, "passwd")) && read_password(pwfile, pwd, pw) != CX_OK) return 2;
    db *d = cli_open(&o, false);
    if (!d) return 1;
    cx_err e = {0};
    int rc = 0;
    int64_t uid = 0;
    if (!strcmp(sub, "list")) rc = user_list(d, stdout) == CX_OK ? 0 : 1;
    else if (!strcmp(sub, "bulk")) {
        org root;
        account_bulk b;
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        int f = org_get(d, org_id, &root);
        if (f != 1) rc = (fprintf(stderr, f == 0 ? "错误：组织 %" PRId64 " 不存在\n" : "错误：读取组织 %" PRId64 " 失败\n", org_id), 1);
        else if (accounts_for_members(d, &actor_cli, &root, !own, &b, &e) != CX_OK) rc = cli_err(&e);
        else {
            clock_gettime(CLOCK_MONOTONIC, &t1);
            printf("已为 %" PRId64 " 名党员开通账号（待激活），用时 %.2f 秒；激活单在网页“账号与激活单”打印\n", b.made,
                   (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
        }
    }
    else if (!strcmp(sub, "add")) {
        account_ok acct;
        if (account_check(&(account_in){uname, name, pw}, &acct, &e) != CX_OK || user_create(d, &actor_cli, &acct, member_id, &uid, &e) != CX_OK)
            rc = cli_err(&e);
        else if (r && user_grant(d, &actor_cli, uid, r, org_id, &e) != CX_OK) rc = cli_err(&e);
        else printf("已创建用户 %s\n", uname);
    } else if (!strcmp(sub, "grant")) {
        if (user_find(d, uname, &uid) != 1) rc = (fprintf(stderr, "错误：用户“%s”不存在\n", uname), 1);
        else if (user_grant(d, &actor_cli, uid, r, org_id, &e) != CX_OK) rc = cli_err(&e);
        else printf("已授予 %s 角色“%s”\n", uname, role_label(r));
    } else if (!strcmp(sub, "totp-off")) {
        if (totp_clear(d, &actor_cli, uname, &e) != CX_OK) rc = cli_err(&e);
        else printf("已关闭 %s 的两步验证；下次登录只需密码，可在“账号安全”重新启用\n", uname);
    } else if (!strcmp(sub, "passwd")) {
        if (user_set_password(d, &actor_cli, uname, pw, &e) != CX_OK) rc = cli_err(&e);
        else printf("已更新 %s 的密码\n", uname);
    }
    db_close(d);
    return rc;
}
