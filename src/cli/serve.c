/* serve.c: `cxzy serve`: opens the connection pool and runs the web server. */
#include "cli.h"
#include "../web/web.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cmd_serve(int argc, char **argv)
{
    static const char *usage = "用法：cxzy serve [--db URL] [--listen 地址:端口] [--threads N] [--key FILE]\n"
                               "  启动网站服务，默认监听 127.0.0.1:8080；启动时自动升级数据库结构。\n";
    cli_opts o = {0};
    web_config cfg = {.listen = "127.0.0.1:8080", .threads = 0};
    static struct option opts[] = {{"db", required_argument, 0, 'd'}, {"key", required_argument, 0, 'k'},
                                   {"listen", required_argument, 0, 'l'}, {"threads", required_argument, 0, 't'},
                                   {"help", no_argument, 0, 'h'}, {0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        int64_t v;
        switch (c) {
        case 'd': o.db = optarg; break;
        case 'k': o.key = optarg; break;
        case 'l': cfg.listen = optarg; break;
        case 't':
            if (str_to_i64(optarg, &v) != CX_OK || v < 1 || v > 256)
                return fprintf(stderr, "错误：--threads 应为 1 到 256 之间的整数\n"), 2;
            cfg.threads = (int)v;
            break;
        case 'h': printf("%s", usage); return 0;
        default: fprintf(stderr, "%s", usage); return 2;
        }
    }
    if (optind < argc) return fprintf(stderr, "%s", usage), 2;
    if (!cfg.threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        cfg.threads = n > 0 ? (int)(n * 2) : 4;
    }
    db *d = cli_open(&o, false); /* loads the key and migrates */
    if (!d) return 1;
    db_close(d);
    cx_err e = {0};
    db_pool *pool = db_pool_new(o.db, cfg.threads, &e);
    if (!pool) return cli_err(&e);
    cfg.db_url = o.db;
    int rc = web_serve(&cfg, pool);
    db_pool_free(pool);
    return rc;
}
