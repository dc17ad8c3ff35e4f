/* recount.c: `cxzy recount --round R [--fix]`: recomputes every grade of a review round from the
 * raw records (reviews, commentary, ballots, pledges, exclusions) with the same functions the
 * server uses, then every roll-up counter against those grades (rollup_recount), and lists each difference from what
 * is stored. None is the only acceptable answer. */
#include "cli.h"
#include "../store/round.h"
#include "../store/grade_recount.h"
#include "../store/standing.h"
#include "../store/rollup.h"
#include "../store/period.h"
#include "../store/ledger.h" /* the ledger (issue 18) */
#include "../store/contest.h" /* 三比 contests (issue 19) */
#include "../store/result.h" /* published round results (issue 19 results) */
#include "../store/quota_rollup.h" /* the branches meeting their meeting quotas (issue 18) */
#include "../store/news.h" /* news items submitted and adopted by month (issue 22) */
#include "../store/carrier.h" /* carrier entries due and done (issue 22) */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

int cmd_recount(int argc, char **argv)
{
    static const char *usage =
        "用法：cxzy recount [--round 轮次编号] [--fix] [--db URL] [--key FILE]\n"
        "      cxzy recount --bulletin 通报编号 [--db URL] [--key FILE]\n"
        "  按原始记录（汇报、督查发现的问题、整改事项、群众意见、承诺、联络点走访、会议、台账、学习心得）重建各组织各季度的\n"
        "  统计数（看板与通报所用）、各党支部各月组织生活是否达到要求及其汇总，各组织各月报送和被采用的简报信息与典型，\n"
        "  和各次学习测试的答题、及格人数与得分合计，\n"
        "  逐条列出与已存数据的差异；给出 --round 时再核对该评议轮次：\n"
        "  按原始记录（自评、互评、领导点评、群众评议票、承诺、不参加评定的党员）重新计算该评议轮次的全部等次\n"
        "  和各级统计数（含各组织的在册党员、正式党员和组织数），逐条列出与已存数据的差异（综合得分、计算等次、最终等次与\n"
        "  支部党员大会决定和上级审批记录、五带头/五个好、优秀名额、统计数：组织、统计项、记录值和按原始记录应得的值）。\n"
        "  统计数按原始记录应有的等次核对，改动过的等次不会被当作依据。评议期外或轮次结束后到达的群众评议票已记录但不计入，\n"
        "  不算差异。\n"
        "  --fix  按原始记录修正：原始记录变动的支部重新计算等次（大会决定与审批须重新进行），其余最终等次按决定和\n"
        "         审批记录恢复，统计数重建；并记入审计。\n"
        "  --bulletin  按原始记录重新计算已印发通报的每个数字（按通报所载期间、评议轮次和统计日），逐条列出差异\n"
        "         （栏目、行、列、通报中的值、按原始记录应得的值），并核对所存内容与印发时的内容摘要及其审计记录。\n"
        "         印发后原始记录的变动（迟到的答复、后来才报送或验收的汇报、整改）也会列为差异：这是如实的差异，\n"
        "         通报按印发时的记录定稿，不随之改变。\n"
        "  退出码：0 无差异；1 有差异（已列出）；2 用法错误；3 出错。\n";
    cli_opts o = {0};
    const char *rs = NULL, *bs = NULL;
    bool fix = false;
    static struct option opts[] = {COMMON_OPTS,
                                   {"round", required_argument, 0, 'r'}, {"fix", no_argument, 0, 'f'},
                                   {"bulletin", required_argument, 0, 'b'}, {0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (cli_common_opt(c, &o)) continue;
        switch (c) {
        case 'r': rs = optarg; break;
        case 'f': fix = true; break;
        case 'b': bs = optarg; break;
        case OPT_HELP: printf("%s", usage); return 0;
        default: return cli_usage(usage);
        }
    }
    if (bs && !rs && !fix && optind >= argc) return recount_bulletin(&o, bs);
    if (bs) return fprintf(stderr, "%s", usage), 2;
    int64_t round_id = 0, pd = 0;
    if (optind < argc) return fprintf(stderr, "%s", usage), 2;
    if (!rs) { /* the quarter roll-ups alone */
        db *d = cli_open(&o, false);
        if (!d) return 3;
        int rc = period_recount(d, fix, stdout, &pd);
        /* the ledger's roll-up (台账, issue 18), counted with the quarter roll-ups */
        int64_t ld = 0;
        if (rc == CX_OK) rc = ledger_recount(d, fix, stdout, &ld);
        pd += ld;
        /* published 三比 contests (issue 19), recomputed from their scores; never adopted */
        int64_t cd = 0;
        if (rc == CX_OK) rc = contest_recount(d, fix, stdout, &cd);
        pd += cd;
        if (rc == CX_OK) rc = standing_recount(d, fix, stdout, &ld); /* the leaders' standing (issue 18) */
        pd += ld;
        /* the branches meeting their meeting quotas by month (issue 18) */
        if (rc == CX_OK) rc = quota_recount(d, fix, stdout, &ld);
        pd += ld;
        /* published round results (issue 19 results), recomputed from ballots and grades; never adopted */
        if (rc == CX_OK) rc = result_recount(d, fix, stdout, &ld);
        pd += ld;
        /* news items submitted and adopted by month (issue 22) */
        if (rc == CX_OK) rc = news_recount(d, fix, stdout, &ld);
        pd += ld;
        if (rc == CX_OK) rc = carrier_recount(d, fix, stdout, &ld); /* carrier entries due and done (issue 22) */
        pd += ld;
        db_close(d);
        if (rc != CX_OK) return fprintf(stderr, "错误：重新计算季度统计数失败\n"), 3;
        if (!pd) return printf("季度统计数：无差异\n"), 0;
        printf("季度统计数共有差异 %" PRId64 " 处%s\n", pd, fix ? "；已按原始记录修正" : "");
        return 1;
    }
    if (str_to_i64(rs, &round_id) != CX_OK || round_id <= 0)
        return fprintf(stderr, "错误：--round 应为评议轮次编号（正整数），收到“%s”\n", rs), 2;
    db *d = cli_open(&o, false);
    if (!d) return 3;
    review_round rd;
    int f = round_get(d, round_id, &rd);
    if (f != 1) {
        fprintf(stderr, f == 0 ? "错误：评议轮次 %" PRId64 " 不存在\n" : "错误：读取评议轮次 %" PRId64 " 失败\n", round_id);
        db_close(d);
        return 3;
    }
    printf("评议轮次 %" PRId64 "：%s（%s，%s 至 %s，%s）\n", rd.id, rd.name, rd.org_name, rd.period_start, rd.period_end, rd.open ? "进行中" : "已结束");
    fflush(stdout);
    int64_t gd = 0, ud = 0;
    int rc = grade_recount(d, round_id, fix, stdout, &gd, &ud);
    if (rc == CX_OK) rc = period_recount(d, fix, stdout, &pd);
    int64_t ld = 0; /* the ledger's roll-up (台账, issue 18) */
    if (rc == CX_OK) rc = ledger_recount(d, fix, stdout, &ld);
    pd += ld;
    int64_t cd = 0; /* published 三比 contests (issue 19) */
    if (rc == CX_OK) rc = contest_recount(d, fix, stdout, &cd);
    pd += cd;
    if (rc == CX_OK) rc = standing_recount(d, fix, stdout, &ld); /* the leaders' standing (issue 18) */
    pd += ld;
    if (rc == CX_OK) rc = quota_recount(d, fix, stdout, &ld); /* meeting quotas by month (issue 18) */
    pd += ld;
    if (rc == CX_OK) rc = result_recount(d, fix, stdout, &ld); /* published round results (issue 19 results) */
    pd += ld;
    if (rc == CX_OK) rc = news_recount(d, fix, stdout, &ld); /* news items by month (issue 22) */
    pd += ld;
    if (rc == CX_OK) rc = carrier_recount(d, fix, stdout, &ld); /* carrier entries due and done (issue 22) */
    pd += ld;
    if (rc != CX_OK) {
        fprintf(stderr, "错误：重新计算失败：%s\n", db_errmsg(d));
        db_close(d);
        return 3;
    }
    db_close(d);
    if (!gd && !ud && !pd) {
        printf("无差异\n");
        return 0;
    }
    printf("共有差异 %" PRId64 " 处：等次 %" PRId64 " 处，统计数 %" PRId64 " 处，季度统计数 %" PRId64 " 处%s\n", gd + ud + pd, gd, ud, pd,
           fix ? "；已按原始记录修正" : "");
    return 1;
}
