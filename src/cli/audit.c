/* audit.c: `cxzy audit verify`: recomputes the audit log's hash chains (one per part) and lists what was changed. */

#include "cli.h"
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

int cmd_audit(int argc, char **argv)
{
    static const char *usage = "用法：cxzy audit verify [--db URL] [--key FILE]\n"
                               "  重新计算审计日志的每条哈希链（每个分区一条）；列出每条被修改、插入、删除或挪到别的链的记录，\n"
                               "  并逐条链报告记录数和是否完整。全部完整时退出码为 0，否则为 3。\n";
    if (argc < 2 || strcmp(argv[1], "verify") != 0) {
        if (argc >= 2 && !strcmp(argv[1], "--help")) return printf("%s", usage), 0;
        return cli_usage(usage);
    }
    cli_opts o = {0};
    int done = cli_common_opts_from(argc, argv, 2, usage, &o);
    if (done >= 0) return done;
    if (optind < argc) return cli_usage(usage);
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
