/* config.c: `cxzy config get|set|unset public-url`: the site settings from the command line. */

#include "cli.h"
#include <stdio.h>
#include <string.h>

int cmd_config(int argc, char **argv)
{
    static const char *usage = "用法：cxzy config get|set|unset public-url [地址] [--db URL] [--key FILE] [--as 姓名]\n"
                               "  public-url：网站的公开地址（如 https://cxzy.example.gov.cn），印在二维码和打印页上；\n"
                               "  存在数据库里，所有网站实例和命令行都用它（办公室也可在网页“设置”页修改）。修改记入审计日志。\n";
    if (argc >= 2 && !strcmp(argv[1], "--help")) return printf("%s", usage), 0;
    if (argc < 3) return cli_usage(usage);
    const char *sub = argv[1], *name = argv[2];
    bool get = !strcmp(sub, "get"), set = !strcmp(sub, "set"), unset = !strcmp(sub, "unset");
    if (!get && !set && !unset) return cli_usage(usage);
    if (strcmp(name, "public-url") != 0) return fprintf(stderr, "错误：未知设置“%s”（目前只有 public-url）\n", name), 2;
    cli_opts o = {0};
    static struct option opts[] = {COMMON_OPTS, {0}};
    int c;
    optind = 3;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (cli_common_opt(c, &o)) continue;
        if (c == OPT_HELP) return printf("%s", usage), 0;
        return cli_usage(usage);
    }
    if (optind != argc - (set ? 1 : 0)) return cli_usage(usage);
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
