/* config.c: `cxzy config get|set|unset public-url|digest-sms-cap`: the site settings from the
 * command line. */

#include "cli.h"
#include "../store/notify.h"
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

int cmd_config(int argc, char **argv)
{
    static const char *usage = "用法：cxzy config get|set|unset public-url|digest-sms-cap [值] [--db URL] [--key FILE] [--as 姓名]\n"
                               "  public-url：网站的公开地址（如 https://cxzy.example.gov.cn），印在二维码和打印页上；\n"
                               "  存在数据库里，所有网站实例和命令行都用它（办公室也可在网页“设置”页修改）。\n"
                               "  digest-sms-cap：全站每天最多发送的每日提醒短信条数（0 到 10000000，未设置为 1000）。\n"
                               "  修改记入审计日志。\n";
    if (argc >= 2 && !strcmp(argv[1], "--help")) return printf("%s", usage), 0;
    if (argc < 3) return cli_usage(usage);
    const char *sub = argv[1], *name = argv[2];
    bool get = !strcmp(sub, "get"), set = !strcmp(sub, "set"), unset = !strcmp(sub, "unset");
    if (!get && !set && !unset) return cli_usage(usage);
    bool cap = !strcmp(name, "digest-sms-cap");
    if (strcmp(name, "public-url") != 0 && !cap)
        return fprintf(stderr, "错误：未知设置“%s”（可用 public-url 或 digest-sms-cap）\n", name), 2;
    const char *key = cap ? SETTING_DIGEST_SMS_CAP : SETTING_PUBLIC_URL;
    cli_opts o = {0};
    int done = cli_common_opts_from(argc, argv, 3, usage, &o);
    if (done >= 0) return done;
    if (optind != argc - (set ? 1 : 0)) return cli_usage(usage);
    char base[256] = "", host[256];
    cx_err e = {0};
    int64_t n = 0;
    if (set && cap) {
        if (!cli_int("digest-sms-cap", argv[optind], 0, 10000000, &n)) return 2;
        snprintf(base, sizeof base, "%" PRId64, n);
    } else if (set && setting_public_url_check(argv[optind], base, host, &e) != CX_OK) return cli_err(&e), 2;
    db *d = cli_open(&o, false);
    if (!d) return 1;
    int rc = 0;
    if (get) {
        char v[256];
        int f = setting_get(d, key, v, sizeof v);
        if (f == CX_ERR) fprintf(stderr, "错误：读取设置失败\n"), rc = 1;
        else if (f == 0 && cap) printf("%d（未设置，默认值）\n", DIGEST_SMS_CAP_DEFAULT);
        else if (f == 0) printf("（未设置：二维码指向访问者所用的地址）\n"), rc = 3;
        else printf("%s\n", v);
    } else if (setting_set(d, &actor_cli, key, base, &e) != CX_OK) rc = cli_err(&e);
    else if (cap) printf(set ? "每日提醒短信全站每天上限已设为 %s 条\n" : "每日提醒短信上限已恢复默认（%s1000 条）\n", base);
    else printf(set ? "公开地址已设为 %s\n" : "公开地址已清除%s\n", base);
    db_close(d);
    return rc;
}
