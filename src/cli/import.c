/* import.c: `cxzy import`: a roster file (CSV/XLSX) into an organisation, all rows or none. */

#include "cli.h"
#include "../store/roster.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

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

int cmd_import(int argc, char **argv)
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
        if (cli_common_opt(c, &o)) continue;
        switch (c) {
        case 'o': orgs = optarg; break;
        case 'n': dry = true; break;
        case OPT_HELP: printf("%s", usage); return 0;
        default: return cli_usage(usage);
        }
    }
    if (!orgs || optind != argc - 1) return cli_usage(usage);
    org root;
    int status;
    db *d = cli_open_org(&o, orgs, &root, &status);
    if (!d) return status;
    roster_report r;
    cx_err e = {0};
    int rc = roster_import(d, &actor_cli, &root, argv[optind], NULL, 0, dry, &r, &e);
    db_close(d);
    if (rc != CX_OK) {
        roster_report_free(&r);
        return cli_err(&e);
    }
    print_report(&r);
    status = 0;
    if (r.nissues) {
        printf("共 %" PRId64 " 行，%" PRId64 " 行有错误，共 %" PRId64 " 处；未导入任何数据\n", r.rows, r.rows - r.valid_rows, r.nissues);
        status = 3;
    } else if (dry) printf("检查通过：共 %" PRId64 " 行，全部正确（试导入，未写入）\n", r.rows);
    else printf("已导入 %" PRId64 " 名党员到“%s”\n", r.imported, root.name);
    roster_report_free(&r);
    return status;
}
