/* init.c: `cxzy init`: the key file and the schema, optionally the root organisation and its administrator. */

#include "cli.h"
#include <inttypes.h>
#include <stdio.h>

int cmd_init(int argc, char **argv)
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
        if (cli_common_opt(c, &o)) continue;
        switch (c) {
        case 'r': root = optarg; break;
        case 's': sector = optarg; break;
        case 'a': admin = optarg; break;
        case 'p': pwfile = optarg; break;
        case OPT_HELP: printf("%s", usage); return 0;
        default: return cli_usage(usage);
        }
    }
    if (optind < argc || (admin && (!root || !pwfile))) return cli_usage(usage);
    db *d = cli_open(&o, true);
    if (!d) return 1;
    cx_err e = {0};
    int rc = 0;
    if (root) {
        int64_t rid;
        org_ok ok;
        if (org_check(&(org_in){root, "committee", sector}, &ok, &e) != CX_OK || org_create(d, &actor_cli, 0, &ok, &rid, &e) != CX_OK)
            rc = cli_err(&e);
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
            account_ok acct;
            if (!rc && (account_check(&(account_in){admin, "管理员", pw}, &acct, &e) != CX_OK ||
                        user_create(d, &actor_cli, &acct, 0, &uid, &e) != CX_OK ||
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
