/* recount_bulletin.c: `cxzy recount --bulletin N`: every figure of a published bulletin (通报)
 * recomputed from the raw records over the period as published, each difference printed, and the
 * stored content checked against its hash and the audit record of its publication. */
#include "cli.h"
#include "../store/bulletin.h"
#include "../store/period.h"
#include <stdlib.h>
#include <inttypes.h>
#include <stdio.h>

int recount_bulletin(cli_opts *o, const char *id_text)
{
    int64_t id;
    if (str_to_i64(id_text, &id) != CX_OK || id <= 0)
        return fprintf(stderr, "错误：--bulletin 应为通报编号（正整数），收到“%s”\n", id_text), 2;
    db *d = cli_open(o, false);
    if (!d) return 3;
    bulletin *b = xmalloc(sizeof *b);
    int f = bulletin_get(d, id, b);
    if (f != 1 || !b->published) {
        fprintf(stderr, f == CX_ERR ? "错误：读取通报 %" PRId64 " 失败\n"
                        : f == 0   ? "错误：通报 %" PRId64 " 不存在\n"
                                   : "错误：通报 %" PRId64 " 还是草稿，印发后才能核对\n",
                id);
        bulletin_free(b), free(b), db_close(d);
        return 3;
    }
    char plabel[160];
    period_label(b->from_q, b->to_q, plabel, sizeof plabel);
    printf("通报 %" PRId64 "：%s %s（%s，%s）\n", b->id, b->number_text, b->title, b->org_name, plabel);
    fflush(stdout);
    bulletin_free(b), free(b);
    int64_t diffs = 0;
    int rc = bulletin_recount(d, id, stdout, &diffs);
    if (rc == CX_ERR) {
        fprintf(stderr, "错误：重新计算失败：%s\n", db_errmsg(d));
        db_close(d);
        return 3;
    }
    db_close(d);
    if (!diffs) {
        printf("无差异\n");
        return 0;
    }
    printf("共有差异 %" PRId64 " 处\n", diffs);
    return 1;
}
