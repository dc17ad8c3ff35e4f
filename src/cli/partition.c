/* partition.c: `cxzy partition national on|off|status`: whether the root is national, so each
 * organisation directly under it is a province with its own part (store/part.h). */
#include "cli.h"
#include "../store/part.h"
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const char *usage =
    "用法：cxzy partition national on|off|status [--db URL] [--key FILE] [--as 姓名]\n"
    "  national on：根组织为全国（中央）一级，其下每个直属组织为一个省级分区，各表的 part 列为所属省级组织；\n"
    "  national off：根组织不是全国一级（如一个区、一个省），全部数据为一个分区；\n"
    "  切换时在一个事务中改写所有数据的 part 列，记入审计日志。status 显示当前模式和各分区的党员数。\n";

static int national(cli_opts *o, const char *what)
{
    bool on = !strcmp(what, "on"), off = !strcmp(what, "off"), status = !strcmp(what, "status");
    if (!on && !off && !status) return fprintf(stderr, "错误：national 后应为 on、off 或 status，收到“%s”\n", what), 2;
    db *d = cli_open(o, false);
    if (!d) return 1;
    cx_err e = {0};
    int rc = 0;
    if (!status) {
        if (part_national_set(d, &actor_cli, on, &e) != CX_OK) rc = cli_err(&e);
        else printf(on ? "已设为全国模式：根组织的每个直属组织为一个省级分区\n" : "已取消全国模式：全部数据为一个分区\n");
    }
    int nat = rc ? 0 : part_national(d);
    db_stmt *s = rc || nat == CX_ERR ? NULL
                                     : db_prepare(d, "SELECT o.id, o.name, (SELECT count(*) FROM member m WHERE m.part = o.id) FROM org o "
                                                     "WHERE o.id IN (SELECT DISTINCT part FROM org) ORDER BY o.id");
    if (!rc && !s) rc = 1, fprintf(stderr, "错误：读取数据库失败：%s\n", db_errmsg(d));
    if (s) {
        printf("%s\n", nat ? "全国模式：根组织的每个直属组织为一个分区" : "单一分区：根组织不是全国一级");
        while (db_step(s) == DB_ROW) printf("%" PRId64 "\t%s\t%" PRId64 " 名党员\n", db_col_i64(s, 0), db_col_text(s, 1), db_col_i64(s, 2));
        db_done(s);
    }
    db_close(d);
    return rc;
}

int cmd_partition(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "--help")) return printf("%s", usage), 0;
    if (argc < 2) return cli_usage(usage);
    const char *sub = argv[1];
    if (strcmp(sub, "national") != 0) return fprintf(stderr, "错误：未知子命令“%s”\n\n%s", sub, usage), 2;
    cli_opts o = {0};
    static struct option opts[] = {COMMON_OPTS, {0}};
    int c;
    optind = 2;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (cli_common_opt(c, &o)) continue;
        if (c == OPT_HELP) return printf("%s", usage), 0;
        return cli_usage(usage);
    }
    if (optind != argc - 1) return cli_usage(usage);
    return national(&o, argv[optind]);
}
