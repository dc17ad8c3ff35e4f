/* redraw.c: `cxzy redraw --seed S --n N [--commitment H] FILE`: re-runs a committed draw
 * (domain/draw.h) from the seed shown on the draw and the contact list, with no database, so
 * anyone holding the list can check a phone-sampling draw: the commitment, the list's digest and
 * the numbers drawn, in order. */
#include "cli.h"
#include "../domain/draw.h"
#include "../lib/crypto.h"
#include "../store/phone_draw.h"
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_redraw(int argc, char **argv)
{
    static const char *usage =
        "用法：cxzy redraw --seed 种子 --n 抽取人数 [--commitment 承诺摘要] 名单文件（CSV 或 XLSX）\n"
        "  按抽访记录上公开的随机种子和同一份联系人名单重新抽取（不需要数据库），核对电话随机抽访：\n"
        "  名单按号码排序、去重后计算 SHA-256 摘要，从种子和摘要算出抽取顺序，逐行列出“序号 名单第几位 号码”。\n"
        "  --commitment  抽取前公布的种子摘要（SHA-256）：给出时先核对种子与之相符。\n"
        "  退出码：0 完成（种子与承诺相符）；1 种子与承诺不符；2 用法错误；3 名单有误。\n";
    const char *seed = NULL, *hash = NULL;
    int64_t n = 0;
    static struct option opts[] = {{"seed", required_argument, 0, 's'}, {"n", required_argument, 0, 'n'},
                                   {"commitment", required_argument, 0, 'c'}, {"help", no_argument, 0, 'h'}, {0}};
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 's': seed = optarg; break;
        case 'c': hash = optarg; break;
        case 'n':
            if (!cli_int("n", optarg, 1, PHONE_MAX_DRAW, &n)) return 2;
            break;
        case 'h': printf("%s", usage); return 0;
        default: fprintf(stderr, "%s", usage); return 2;
        }
    }
    if (optind != argc - 1 || !seed || !n) return fprintf(stderr, "%s", usage), 2;
    if (!draw_seed_ok(seed)) return fprintf(stderr, "错误：--seed 应为抽访记录上的 64 位十六进制随机种子\n"), 2;
    if (crypto_boot() != CX_OK) return fprintf(stderr, "错误：libsodium 初始化失败\n"), 3;
    char check[65];
    draw_commitment_of(seed, check);
    printf("种子的 SHA-256：%s\n", check);
    if (hash && strcmp(hash, check)) {
        fprintf(stderr, "错误：种子与承诺摘要不符（承诺 %s）\n", hash);
        return 1;
    }
    if (hash) printf("与抽签承诺相符。\n");
    FILE *f = fopen(argv[optind], "rb");
    if (!f) return fprintf(stderr, "错误：无法打开名单文件 %s\n", argv[optind]), 3;
    buf data;
    buf_init(&data);
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) buf_add(&data, chunk, got);
    fclose(f);
    char **v = NULL, digest[65];
    size_t pop = 0;
    cx_err e = {0};
    int rc = phone_list_read(data.p, data.len, &v, &pop, digest, &e);
    buf_free(&data);
    if (rc != CX_OK) return fprintf(stderr, "错误：%s\n", e.msg), 3;
    printf("规范名单：%zu 个号码，SHA-256 %s\n", pop, digest);
    if ((size_t)n > pop) n = (int64_t)pop;
    uint32_t *pick = xmalloc((size_t)n * sizeof *pick);
    draw_committed(seed, digest, (uint32_t)pop, (uint32_t)n, pick);
    for (int64_t i = 0; i < n; i++) printf("%" PRId64 " %u %s\n", i + 1, pick[i] + 1, v[pick[i]]);
    free(pick);
    for (size_t i = 0; i < pop; i++) free(v[i]);
    free(v);
    return 0;
}
