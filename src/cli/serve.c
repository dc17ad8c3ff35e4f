/* serve.c: `cxzy serve`: opens the connection pool and runs the web server. */
#include "cli.h"
#include "../web/web.h"
#include "../web/cache.h"
#include "../store/ballot_writer.h"
#include "../store/replica.h"
#include "../lib/sms.h"
#include "../lib/log.h"
#include "../store/rect.h"
#include "../store/job.h"
#include "../domain/date.h"
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Hourly upkeep while serving, on a connection of its own: overdue rectification items escalate
 * to the parent organisation (the pass of `cxzy escalate`) and the daily reminder is made (`cxzy
 * remind`), so a deployment needs no cron. */
static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    const char *url;
    int64_t every; /* seconds between passes: 3600, or CXZY_UPKEEP_EVERY (tests) */
} upkeep = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, NULL, 3600};

/* The daily reminder (remind_run) from REMIND_HOUR local time on, in the hourly passes; made once
 * per user and day however often it runs, so a restart or a second server changes nothing. */
#define REMIND_HOUR 8
static void remind_once(db *d)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    if (tm.tm_hour < REMIND_HOUR) return;
    char today[11];
    date_today(today);
    remind_stats st;
    cx_err e = {0};
    if (remind_run(d, &actor_cli, today, &st, &e) != CX_OK) log_error("upkeep", "每日提醒失败：%s", e.msg);
    else if (st.made) {
        log_line l;
        log_begin(&l, "info");
        log_kvf(&l, "msg", "每日提醒 %" PRId64 " 条，短信 %" PRId64 " 条", st.made, st.sms.sent);
        log_end(&l);
    }
}

/* Several instances on one database: each hourly pass (remind: true) belongs to the one instance
 * that claims its hour (store/job.h); the others log that they left it. The pass before listening
 * (escalation only) is not claimed: every instance starting escalates what is overdue at once, and
 * an item escalates once per due date however many run it (rect_escalation's unique key). */
static void upkeep_once(bool remind)
{
    cx_err e = {0};
    db *d = db_open(upkeep.url, &e);
    int64_t n = 0, hour = (int64_t)time(NULL) / upkeep.every;
    int mine = !d ? CX_ERR : remind ? job_claim(d, "upkeep", hour, &e) : 1;
    if (mine == 0) {
        log_line l;
        log_begin(&l, "info");
        log_kvf(&l, "msg", "本小时的维护（整改逾期上报、每日提醒）已由另一个服务实例执行");
        log_end(&l);
        db_close(d);
        return;
    }
    if (mine == 1 && remind) {
        log_line l;
        log_begin(&l, "info");
        log_kvf(&l, "msg", "本实例执行本小时的维护（整改逾期上报、每日提醒）");
        log_end(&l);
    }
    if (mine != 1 || rect_escalate(d, &actor_cli, NULL, NULL, NULL, &n, &e) != CX_OK) {
        if (mine == 1 && remind) job_release(d, "upkeep", hour); /* failed: the next pass may run it */
        log_error("upkeep", "整改逾期上报失败：%s", e.msg); /* to the server log (--log) */
    } else if (n) {
        log_line l;
        log_begin(&l, "info");
        log_kvf(&l, "msg", "已把 %" PRId64 " 项逾期整改事项上报上级组织", n);
        log_end(&l);
    }
    if (mine == 1 && remind) remind_once(d);
    if (d) db_close(d);
}

/* The first pass runs before the server listens (so what a client sees at once is escalated);
 * this thread runs the next ones, hourly, until the server stops. */
static void *upkeep_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&upkeep.mu);
    while (!upkeep.stop) {
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        t.tv_sec += upkeep.every;
        int w = 0;
        while (!upkeep.stop && w != ETIMEDOUT) w = pthread_cond_timedwait(&upkeep.cv, &upkeep.mu, &t);
        if (upkeep.stop) break;
        pthread_mutex_unlock(&upkeep.mu);
        upkeep_once(true);
        pthread_mutex_lock(&upkeep.mu);
    }
    pthread_mutex_unlock(&upkeep.mu);
    return NULL;
}

enum { OPT_DB_POOL = 1100, OPT_PGBOUNCER, OPT_DB_LISTEN, OPT_TRUSTED_PROXY, OPT_PAGE_CACHE, OPT_DB_CACHE };

int cmd_serve(int argc, char **argv)
{
    static const char *usage = "用法：cxzy serve [--db URL] [--listen 地址:端口] [--threads N] [--max-connections N] [--key FILE]\n"
                               "                  [--log FILE] [--metrics local|any|off]\n"
                               "  启动网站服务，默认监听 127.0.0.1:8080；启动时自动升级数据库结构。\n"
                               "  --max-connections N  同时保持的连接数上限（默认 4096；已满时新连接排队等候）\n"
                               "  --log FILE        访问日志和错误日志追加写入此文件（权限 0600；默认写到标准错误）\n"
                               "  --metrics local|any|off  谁可以读取 /metrics 运行指标：local 仅本机且未经代理转发（默认），any 任何地址，off 关闭\n"
                               "  --max-connections-per-address N  来自同一网络地址的连接数上限（默认为上项的四分之一，至少 16；\n"
                               "                    超过时新连接得到 503；在反向代理之后请调大）\n"
                               "  --public-url 地址  网站的公开地址（如 https://cxzy.example.gov.cn），印在二维码和打印页上；\n"
                               "                    未设置时只接受以监听地址访问的二维码和打印请求\n"
                               "  --header-timeout 秒  连接须在此时间内发完请求头，否则断开（默认 30 秒；空闲的长连接同样）\n"
                               "  --body-timeout 秒  请求内容（表单、上传的文件）须在此时间内发完，否则答复 408 并断开（默认 30 秒；\n"
                               "                    较大的上传按声明的大小每 64 KB 多给 1 秒）\n"
                               "  --sms log|none|cmd:程序  短信验证码网关（默认 log：验证码写入服务日志，仅供演示和测试）\n"
                               "  --ballot-limit N  每个网络地址每小时最多提交的评价数（默认 60，0 为不限）\n"
                               "  --sms-limit N     每个网络地址每小时最多获取验证码次数（默认 10，0 为不限）\n"
                               "  --burst-target N  同一评议对象在一个时段内超过 N 张网上评价即暂扣待审核（默认 20，0 为不检查）\n"
                               "  --burst-window 秒  上述时段的长度（默认 600 秒）\n"
                               "  --burst-net N     同一网段（IPv4 /24、IPv6 /48）每小时超过 N 张网上评价即暂扣待审核（默认 30，0 为不检查）\n"
                               "  --db-pool N       数据库连接池的连接数（环境变量 CXZY_DB_POOL；默认为线程数，最多 16）；请求在连接用完时排队等候\n"
                               "  --pgbouncer       经 PgBouncer（事务模式）连接 PostgreSQL：不用具名预备语句和会话设置（环境变量 CXZY_PGBOUNCER=1）\n"
                               "  --db-listen URL   接收其他实例写入通知（LISTEN）的 PostgreSQL 地址（环境变量 CXZY_DB_LISTEN；默认同 --db，\n"
                               "                    使用 --pgbouncer 时须直连主库，未设置则页面缓存每次核对）；使用 --pgbouncer 时\n"
                               "                    评议写入线程也经此地址直连主库（具名预备语句），未设置则经 PgBouncer\n"
                               "  --trusted-proxy 列表  受信任的反向代理地址或网段，逗号分隔（如 127.0.0.1,10.0.0.0/8；环境变量 CXZY_TRUSTED_PROXY）：\n"
                               "                    来自这些地址的请求按 X-Forwarded-For / X-Real-IP 认定访问者地址\n"
                               /* reads from a replica (issue 20) */
                               "  --db-read URL     PostgreSQL 流复制备库的地址（或环境变量 CXZY_DB_READ）：公开页面、统计看板和通报的读取\n"
                               "                    由备库承担；备库无法连接或落后过多时改由主库承担；写入和其余页面始终在主库\n"
                               "  --db-read-lag 秒  备库最多可落后主库的秒数（默认 10，2 到 600）\n"
                               /* memory bounds (issue 21) */
                               "  --page-cache MB   公开页面（党员卡片、公示栏）渲染结果的内存缓存上限，按字节计（默认 64 MB，约可存 3 万张卡片；\n"
                               "                    0 为不缓存）；超出时淘汰最久未被访问的页面\n"
                               "  --db-cache MB     SQLite 数据库页缓存，全部连接合计（默认 32 MB，每个连接至少 1 MB）；操作系统的文件缓存另计\n";
    cli_opts o = {0};
    web_config cfg = {.listen = "127.0.0.1:8080", .threads = 0};
    static struct option opts[] = {COMMON_OPTS,
                                   {"listen", required_argument, 0, 'l'}, {"threads", required_argument, 0, 't'},
                                   {"max-connections", required_argument, 0, 'c'},
                                   {"max-connections-per-address", required_argument, 0, 'A'}, {"header-timeout", required_argument, 0, 'H'},
                                   {"body-timeout", required_argument, 0, 'B'},
                                   {"public-url", required_argument, 0, 'P'},
                                   {"sms", required_argument, 0, 's'}, {"ballot-limit", required_argument, 0, 'b'}, {"sms-limit", required_argument, 0, 'm'},
                                   {"burst-target", required_argument, 0, 'T'}, {"burst-window", required_argument, 0, 'W'},
                                   {"burst-net", required_argument, 0, 'N'}, {"log", required_argument, 0, 'L'},
                                   {"metrics", required_argument, 0, 'M'},
                                   /* several instances (issue 20) */
                                   {"db-pool", required_argument, 0, OPT_DB_POOL}, {"pgbouncer", no_argument, 0, OPT_PGBOUNCER},
                                   {"db-listen", required_argument, 0, OPT_DB_LISTEN}, {"trusted-proxy", required_argument, 0, OPT_TRUSTED_PROXY},
                                   /* reads from a replica (issue 20) */
                                   {"db-read", required_argument, 0, 'R'}, {"db-read-lag", required_argument, 0, 'G'},
                                   {"page-cache", required_argument, 0, OPT_PAGE_CACHE}, {"db-cache", required_argument, 0, OPT_DB_CACHE}, {0}};
    const char *db_read = NULL;
    int read_lag = 10;
    int64_t db_cache = DB_SERVE_CACHE_MB;
    ballot_config bc = BALLOT_CONFIG_DEFAULT;
    const char *sms = "log", *logfile = NULL, *public_url = NULL;
    const char *pool_arg = getenv("CXZY_DB_POOL"), *listen_url = getenv("CXZY_DB_LISTEN"), *trusted = getenv("CXZY_TRUSTED_PROXY");
    const char *bouncer_env = getenv("CXZY_PGBOUNCER");
    bool bouncer = bouncer_env && !strcmp(bouncer_env, "1");
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (cli_common_opt(c, &o)) continue;
        int64_t v;
        switch (c) {
        case 'l': cfg.listen = optarg; break;
        case 't':
            if (!cli_int("threads", optarg, 1, 256, &v)) return 2;
            cfg.threads = (int)v;
            break;
        case 'c':
            if (!cli_int("max-connections", optarg, 1, 1000000, &v)) return 2;
            cfg.max_conns = (int)v;
            break;
        case 'A':
            if (!cli_int("max-connections-per-address", optarg, 1, 1000000, &v)) return 2;
            cfg.per_addr = (int)v;
            break;
        case 'H':
            if (!cli_int("header-timeout", optarg, 1, 3600, &v)) return 2;
            cfg.header_wait = (int)v;
            break;
        case 'B':
            if (!cli_int("body-timeout", optarg, 1, 3600, &v)) return 2;
            cfg.body_wait = (int)v;
            break;
        case 'P': public_url = optarg; break;
        case 's': sms = optarg; break;
        case 'L': logfile = optarg; break;
        case 'M':
            if (!strcmp(optarg, "local")) cfg.metrics = METRICS_LOCAL;
            else if (!strcmp(optarg, "any")) cfg.metrics = METRICS_ANY;
            else if (!strcmp(optarg, "off")) cfg.metrics = METRICS_OFF;
            else return fprintf(stderr, "错误：--metrics 应为 local、any 或 off，收到“%s”\n", optarg), 2;
            break;
        case 'b': case 'm':
            if (!cli_int(c == 'b' ? "ballot-limit" : "sms-limit", optarg, 0, 100000000, &v)) return 2;
            *(c == 'b' ? &bc.ballot_limit : &bc.sms_limit) = v;
            break;
        case 'T': case 'N':
            if (!cli_int(c == 'T' ? "burst-target" : "burst-net", optarg, 0, 100000000, &v)) return 2;
            *(c == 'T' ? &bc.burst_target : &bc.burst_net) = v;
            break;
        case 'W':
            if (!cli_int("burst-window", optarg, 10, 3600, &v)) return 2;
            bc.burst_window = v;
            break;
        case OPT_DB_POOL: pool_arg = optarg; break;
        case OPT_PGBOUNCER: bouncer = true; break;
        case OPT_DB_LISTEN: listen_url = optarg; break;
        case OPT_TRUSTED_PROXY: trusted = optarg; break;
        case 'R': db_read = optarg; break;
        case 'G':
            if (!cli_int("db-read-lag", optarg, 2, 600, &v)) return 2;
            read_lag = (int)v;
            break;
        case OPT_PAGE_CACHE:
            if (!cli_int("page-cache", optarg, 0, 65536, &v)) return 2;
            page_cache_limit((size_t)v << 20);
            break;
        case OPT_DB_CACHE:
            if (!cli_int("db-cache", optarg, 1, 65536, &v)) return 2;
            db_cache = v;
            break;
        case OPT_HELP: printf("%s", usage); return 0;
        default: return cli_usage(usage);
        }
    }
    if (optind < argc) return fprintf(stderr, "%s", usage), 2;
    if (!db_read) db_read = getenv("CXZY_DB_READ");
    if (db_read && !*db_read) db_read = NULL;
    if (db_read) {
        cli_defaults(&o);
        if (!str_starts(o.db, "postgresql://") && !str_starts(o.db, "postgres://"))
            return fprintf(stderr, "错误：--db-read（CXZY_DB_READ）只能与 PostgreSQL 数据库同用：SQLite 数据库只有一个文件，没有可读的备库\n"), 2;
        if (!str_starts(db_read, "postgresql://") && !str_starts(db_read, "postgres://"))
            return fprintf(stderr, "错误：--db-read 应为 PostgreSQL 备库的地址（postgresql://…），收到“%s”\n", db_read), 2;
        cfg.read_lag = read_lag;
        cfg.own_writes = read_lag + 1;
    }
    {
        cx_err pe = {0};
        if (web_public_config(public_url, cfg.listen, &pe) != CX_OK) return fprintf(stderr, "错误：%s\n", pe.msg), 2;
    }
    if (!cfg.threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        cfg.threads = n > 0 ? (int)(n * 2) : 4;
    }
    /* The pool: a request holds a connection only while its handler runs (not while its body
     * arrives or its answer leaves), so more threads than connections wait only for database
     * work; 16 at most by default keeps 5 instances (plus each one's ballot writer, upkeep and
     * listener connections) inside PostgreSQL's default max_connections of 100 (docs/architecture.md). */
    int64_t pool_n = cfg.threads < 16 ? cfg.threads : 16;
    if (pool_arg && *pool_arg && !cli_int("db-pool", pool_arg, 1, 1024, &pool_n)) return 2;
    if (trusted && *trusted) {
        cx_err te = {0};
        if (web_trusted_proxy(trusted, &te) != CX_OK) return fprintf(stderr, "错误：--trusted-proxy：%s\n", te.msg), 2;
    }
    cli_defaults(&o);
    bool pg = str_starts(o.db, "postgres");
    /* another instance may serve this client's next request from a cache trusted until the
     * notification of this change arrives: a client that changed something skips the trust
     * window (and the replica) for a while (web.h own_writes) */
    if (pg && !cfg.own_writes) cfg.own_writes = (int)PAGE_CACHE_TRUST + 1;
    if (bouncer && !pg)
        return fprintf(stderr, "错误：--pgbouncer 只用于 PostgreSQL（经 PgBouncer 连接），SQLite 数据库 %s 不能使用此选项\n", o.db), 2;
    if (listen_url && *listen_url && (!pg || !str_starts(listen_url, "postgres")))
        return fprintf(stderr, pg ? "错误：--db-listen 应为 PostgreSQL 地址（postgresql://…），收到“%s”\n"
                                  : "错误：--db-listen 只用于 PostgreSQL（SQLite 的多个进程由数据库文件本身得知彼此的写入），收到“%s”\n",
                       listen_url), 2;
    const char *every = getenv("CXZY_UPKEEP_EVERY"); /* the period of the upkeep passes (default an hour) */
    if (every && *every && !cli_int("CXZY_UPKEEP_EVERY", every, 1, 86400, &upkeep.every)) return 2;
    /* tests of what changes at midnight: a file of days added to today's date (date_test_clock),
     * refused unless it lies in the test run's own directory */
    const char *clock = getenv("CXZY_TEST_CLOCK"), *test_dir = getenv("CXZY_TEST_DIR");
    if (clock && *clock) {
        size_t n = test_dir ? strlen(test_dir) : 0;
        if (!n || strncmp(clock, test_dir, n) || clock[n] != '/' || strstr(clock, "/.."))
            return fprintf(stderr, "错误：CXZY_TEST_CLOCK 只用于测试，其文件应在 CXZY_TEST_DIR 目录内，收到“%s”\n", clock), 2;
        date_test_clock(clock);
    }
    db_set_pgbouncer(bouncer);
    db_set_app_name("cxzy serve");
    /* SQLite: the pool shares --db-cache; every other connection (the ballot writer, the upkeep,
     * the migration at start) gets a pool connection's share instead of the command line's 64 MiB */
    db_set_cache(db_cache << 10, (db_cache << 10) / pool_n > 1024 ? (db_cache << 10) / pool_n : 1024);
    cx_err le = {0};
    if (log_open(logfile, &le) != CX_OK) return cli_err(&le);
    db *d = cli_open(&o, false); /* loads the key and migrates */
    if (!d) return 1;
    cx_err se = {0};
    int seeded = web_public_seed(d, public_url, &se);
    db_close(d);
    if (seeded != CX_OK) return cli_err(&se);
    cx_err e = {0};
    db_pool *pool = db_pool_new(o.db, (int)pool_n, &e);
    if (!pool) return cli_err(&e);
    /* other instances' writes reach this one's page cache (PostgreSQL: LISTEN on a direct
     * connection; through PgBouncer only when --db-listen names one, else the cache validates) */
    const char *lurl = listen_url && *listen_url ? listen_url : bouncer ? NULL : pg ? o.db : NULL;
    if (lurl && db_listen_start(lurl, &e) != CX_OK) return db_pool_free(pool), cli_err(&e);
    cfg.db_url = o.db;
    /* the ballot writer keeps a connection of its own, straight to PostgreSQL with named prepared
     * statements: under --pgbouncer to --db-listen's address (the primary itself); without
     * --db-listen through PgBouncer like the pool (unnamed statements) */
    bool writer_direct = !bouncer || (listen_url && *listen_url);
    if (sms_configure(sms, &e) != CX_OK || ballots_start(bouncer && writer_direct ? listen_url : o.db, writer_direct, &bc, &e) != CX_OK)
        return db_pool_free(pool), cli_err(&e);
    if (db_read && replica_start(o.db, db_read, (int)pool_n, read_lag, &e) != CX_OK) return ballots_stop(), db_pool_free(pool), cli_err(&e);
    upkeep.url = o.db;
    upkeep_once(false); /* before listening: escalation only (the reminder waits for the hourly passes) */
    pthread_t up;
    bool up_started = pthread_create(&up, NULL, upkeep_main, NULL) == 0;
    /* a file grown past the size limit fails its write (EFBIG, answered 503 db_full) instead of
     * killing the process */
    signal(SIGXFSZ, SIG_IGN);
    int rc = web_serve(&cfg, pool);
    if (up_started) {
        pthread_mutex_lock(&upkeep.mu);
        upkeep.stop = true;
        pthread_cond_signal(&upkeep.cv);
        pthread_mutex_unlock(&upkeep.mu);
        pthread_join(up, NULL);
    }
    replica_stop();
    ballots_stop(); /* the server has stopped: every pending ballot is written, then the writer ends */
    db_listen_stop();
    db_pool_free(pool);
    return rc;
}
