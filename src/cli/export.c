/* export.c: `cxzy export`: an organisation's roster as XLSX or CSV, masked unless --full. */

#include "cli.h"
#include "../store/roster.h"
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_export(int argc, char **argv)
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
        if (cli_common_opt(c, &o)) continue;
        switch (c) {
        case 'g': orgs = optarg; break;
        case 'f': fmt = optarg; break;
        case 'l': only = true; break;
        case 'F': full = true; break;
        case 'o': outp = optarg; break;
        case OPT_HELP: printf("%s", usage); return 0;
        default: return cli_usage(usage);
        }
    }
    if (!orgs || !outp || optind != argc) return cli_usage(usage);
    if (!fmt) fmt = (strlen(outp) > 4 && !strcmp(outp + strlen(outp) - 4, ".csv")) ? "csv" : "xlsx";
    if (strcmp(fmt, "csv") && strcmp(fmt, "xlsx")) return fprintf(stderr, "错误：--format 应为 xlsx 或 csv\n"), 2;
    org root;
    int status;
    db *d = cli_open_org(&o, orgs, &root, &status);
    if (!d) return status;
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
