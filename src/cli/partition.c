/* partition.c: `cxzy partition national on|off|status`, `cxzy partition add ORG`, `cxzy partition
 * list`: whether the root is national (each organisation directly under it a province with its
 * own part), and on PostgreSQL the provinces' own partitions (store/part.h). */
#include "cli.h"
#include "../store/part.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *usage =
    "用法：cxzy partition national on|off|status | add 组织编号 | list  [--db URL] [--key FILE] [--as 姓名]\n"
    "  national on：根组织为全国（中央）一级，其下每个直属组织为一个省级分区，各表的 part 列为所属省级组织；\n"
    "  national off：根组织不是全国一级（如一个区、一个省），全部数据为一个分区；\n"
    "  切换时在一个事务中改写所有数据的 part 列，记入审计日志。status 显示当前模式和各分区的党员数。\n"
    "  add：（PostgreSQL）为一个省级组织建立党员、承诺、意见、评价票、评议、审计日志各表的分区，把它的数据移出默认分区\n"
    "  （一个事务，记入审计日志）；list：（PostgreSQL）已建的分区和各表行数。SQLite 只有一个文件，不分区。\n";

static int national(db *d, const char *what)
{
    bool on = !strcmp(what, "on"), status = !strcmp(what, "status");
    cx_err e = {0};
    int rc = 0;
    if (!status) {
        if (part_national_set(d, &actor_cli, on, &e) != CX_OK) return cli_err(&e);
        printf(on ? "已设为全国模式：根组织的每个直属组织为一个省级分区\n" : "已取消全国模式：全部数据为一个分区\n");
    }
    int nat = part_national(d);
    db_stmt *s = nat == CX_ERR ? NULL
                               : db_prepare(d, "SELECT o.id, o.name, (SELECT count(*) FROM member m WHERE m.part = o.id) FROM org o "
                                               "WHERE o.id IN (SELECT DISTINCT part FROM org) ORDER BY o.id");
    if (!s) return fprintf(stderr, "错误：读取数据库失败：%s\n", db_errmsg(d)), 1;
    printf("%s\n", nat ? "全国模式：根组织的每个直属组织为一个分区" : "单一分区：根组织不是全国一级");
    while (db_step(s) == DB_ROW) printf("%" PRId64 "\t%s\t%" PRId64 " 名党员\n", db_col_i64(s, 0), db_col_text(s, 1), db_col_i64(s, 2));
    db_done(s);
    return rc;
}

static int list(db *d)
{
    if (db_kind_of(d) != DB_PG) return printf("SQLite 只有一个数据库文件，不分区\n"), 0;
    part_row *rows;
    size_t n;
    if (part_list(d, &rows, &n) != CX_OK) return fprintf(stderr, "错误：读取分区失败：%s\n", db_errmsg(d)), 1;
    printf("组织编号\t名称");
    for (size_t t = 0; t < PART_TABLES; t++) printf("\t%s", part_table_name(t));
    printf("\n");
    for (size_t i = 0; i < n; i++) {
        printf("%" PRId64 "\t%s%s", rows[i].org_id, rows[i].name, rows[i].org_id && !rows[i].province ? "（已不是省级组织）" : "");
        for (size_t t = 0; t < PART_TABLES; t++) printf("\t%" PRId64, rows[i].count[t]);
        printf("\n");
    }
    free(rows);
    return 0;
}

int cmd_partition(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "--help")) return printf("%s", usage), 0;
    if (argc < 2) return cli_usage(usage);
    const char *sub = argv[1];
    int want = !strcmp(sub, "national") || !strcmp(sub, "add") ? 1 : !strcmp(sub, "list") ? 0 : -1;
    if (want < 0) return fprintf(stderr, "错误：未知子命令“%s”（可用 national、add、list）\n\n%s", sub, usage), 2;
    cli_opts o = {0};
    int done = cli_common_opts_from(argc, argv, 2, usage, &o);
    if (done >= 0) return done;
    if (argc - optind != want) return cli_usage(usage);
    const char *arg = want ? argv[optind] : NULL;
    int64_t id = 0;
    if (!strcmp(sub, "national") && strcmp(arg, "on") && strcmp(arg, "off") && strcmp(arg, "status"))
        return fprintf(stderr, "错误：national 后应为 on、off 或 status，收到“%s”\n", arg), 2;
    if (!strcmp(sub, "add") && cli_id(arg, "组织编号", &id) != CX_OK) return 2;
    db *d = cli_open(&o, false);
    if (!d) return 1;
    int rc;
    if (!strcmp(sub, "national")) rc = national(d, arg);
    else if (!strcmp(sub, "list")) rc = list(d);
    else {
        cx_err e = {0};
        int64_t moved = 0;
        rc = part_add(d, &actor_cli, id, &moved, &e) != CX_OK ? cli_err(&e)
                                                             : (printf("已为组织 %" PRId64 " 建立分区，移入 %" PRId64 " 行\n", id, moved), 0);
    }
    db_close(d);
    return rc;
}
