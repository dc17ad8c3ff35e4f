/* migrate.c: `cxzy migrate`: brings the schema up to this program's version. */

#include "cli.h"
#include <inttypes.h>
#include <stdio.h>

int cmd_migrate(int argc, char **argv)
{
    static const char *usage = "用法：cxzy migrate [--db URL] [--key FILE]\n  把数据库结构升级到本程序的版本（已是最新时不做改动）。\n";
    cli_opts o = {0};
    static struct option opts[] = {COMMON_OPTS, {0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (cli_common_opt(c, &o)) continue;
        if (c == OPT_HELP) return printf("%s", usage), 0;
        return cli_usage(usage);
    }
    if (optind < argc) return cli_usage(usage);
    cli_defaults(&o);
    if (cli_db_missing(&o)) return 1;
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
