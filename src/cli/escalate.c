/* escalate.c: `cxzy escalate [--today D] [--dry-run]`: the daily escalation pass of overdue
 * rectification items (rect_escalate), for cron. */
#include "cli.h"
#include "../store/rect.h"
#include "../domain/date.h"
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int print_one(void *ctx, const rect *r)
{
    (void)ctx;
    printf("整改事项 %" PRId64 "（%s，完成时限 %s，%s）已逾期，上报至%s\n", r->id, r->org_name, r->due_date, rect_status_label(r->status),
           r->escalated_to_name);
    return 0;
}

int cmd_escalate(int argc, char **argv)
{
    static const char *usage =
        "用法：cxzy escalate [--today YYYY-MM-DD] [--db URL] [--key FILE]\n"
        "  把逾期未销号（整改中或待验收且已过完成时限）的整改事项上报到责任组织的上级组织，记入审计并逐条列出。\n"
        "  每个事项在同一完成时限下只上报一次；退回重新整改并改了时限的，再次逾期时再上报。\n"
        "  请用 cron 每天运行一次，例如：5 0 * * * cxzy escalate --db …\n"
        "  --today  按该日期判断逾期并记为上报日期（默认今天），用于补跑或测试。\n"
        "  退出码：0 成功；2 用法错误；3 出错。\n";
    cli_opts o = {0};
    const char *ts = NULL;
    static struct option opts[] = {COMMON_OPTS,
                                   {"today", required_argument, 0, 't'}, {0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (cli_common_opt(c, &o)) continue;
        switch (c) {
        case 't': ts = optarg; break;
        case OPT_HELP: printf("%s", usage); return 0;
        default: return cli_usage(usage);
        }
    }
    if (optind < argc) return fprintf(stderr, "%s", usage), 2;
    char today[11];
    cx_err e = {0};
    if (!cli_today(ts, today)) return 2;
    db *d = cli_open(&o, false);
    if (!d) return 3;
    int64_t n = 0;
    int rc = rect_escalate(d, &actor_cli, today, print_one, NULL, &n, &e);
    db_close(d);
    if (rc != CX_OK) return fprintf(stderr, "错误：%s（已上报 %" PRId64 " 项）\n", e.msg, n), 3;
    printf("%s：上报逾期整改事项 %" PRId64 " 项\n", today, n);
    return 0;
}
