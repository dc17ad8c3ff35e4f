/* remind.c: `cxzy remind [--today D]`: the daily reminder (每日提醒) for cron: one digest
 * notification per user with something waiting on the desk, and the SMS where an office turned it
 * on (remind_run). The server's own upkeep runs the same pass. */
#include "cli.h"
#include "../web/web.h"
#include "../domain/date.h"
#include "../lib/sms.h"
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

int cmd_remind(int argc, char **argv)
{
    static const char *usage =
        "用法：cxzy remind [--today YYYY-MM-DD] [--sms log|none|cmd:程序] [--db URL] [--key FILE]\n"
        "  每日提醒：给工作台上有待办事项的每个账号发一条“每日提醒”通知（每人每天一条，重复运行不会重复发），\n"
        "  活动办公室为本组织开通了提醒短信的，再给有手机号且未拒收的党员发一条短信（每人每天至多一条，\n"
        "  全站每天至多 digest_sms_cap 条，默认 1000），每条短信记入发送记录（手机号脱敏）。\n"
        "  网站服务运行时每天 8 点后也会自动运行；也可用 cron 每天运行一次，例如：0 8 * * * cxzy remind --db …\n"
        "  --today  提醒所属的日期（默认今天），用于补跑或测试。\n"
        "  --sms    短信网关（默认 log：写入日志，仅供演示和测试）。\n"
        "  退出码：0 成功；2 用法错误；3 出错。\n";
    cli_opts o = {0};
    const char *ts = NULL, *sms = "log";
    static struct option opts[] = {COMMON_OPTS, {"today", required_argument, 0, 't'}, {"sms", required_argument, 0, 's'}, {0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (cli_common_opt(c, &o)) continue;
        switch (c) {
        case 't': ts = optarg; break;
        case 's': sms = optarg; break;
        case OPT_HELP: printf("%s", usage); return 0;
        default: return cli_usage(usage);
        }
    }
    if (optind < argc) return fprintf(stderr, "%s", usage), 2;
    char today[11];
    cx_err e = {0};
    if (!cli_today(ts, today)) return 2;
    if (sms_configure(sms, &e) != CX_OK) return fprintf(stderr, "错误：%s\n", e.msg), 2;
    db *d = cli_open(&o, false);
    if (!d) return 3;
    remind_stats st;
    int rc = remind_run(d, &actor_cli, today, &st, &e);
    db_close(d);
    if (rc != CX_OK) return fprintf(stderr, "错误：%s（已发每日提醒 %" PRId64 " 条）\n", e.msg, st.made), 3;
    printf("%s：检查尚未收到当天提醒的账号 %" PRId64 " 个，新发每日提醒 %" PRId64 " 条；短信发送 %" PRId64 " 条，失败 %" PRId64
           " 条，因每日上限未发 %" PRId64 " 条，本人拒收 %" PRId64 " 个，未开通 %" PRId64 " 个，无手机号 %" PRId64 " 个\n",
           today, st.users, st.made, st.sms.sent, st.sms.failed, st.sms.capped, st.sms.opted_out, st.sms.off, st.sms.no_phone);
    return 0;
}
