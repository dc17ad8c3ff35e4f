/* cli.h: shared pieces of the command-line subcommands. */
#ifndef CX_CLI_H
#define CX_CLI_H
#include "../store/store.h"
#include <getopt.h>

typedef struct cli_opts {
    const char *db;  /* --db, $CXZY_DB, or data/cxzy.db */
    const char *key; /* --key, $CXZY_KEY, or <db>.key (SQLite) / data/cxzy.key (PostgreSQL) */
} cli_opts;

/* Fills defaults for unset fields; the returned strings live until exit. */
void cli_defaults(cli_opts *o);
/* Loads the key, opens the database and applies migrations; prints the reason and returns NULL
 * on failure. create_key: make the key file when it does not exist, and the SQLite file (init,
 * demo); without it a SQLite path with no file is refused and nothing is created. */
db *cli_open(cli_opts *o, bool create_key);
/* True (the reason printed) when o->db is a SQLite path with no file: a mistyped --db. */
bool cli_db_missing(const cli_opts *o);
int cli_err(const cx_err *e); /* prints "错误：…" to stderr, returns exit status 1 */
/* Parses the integer argument of --opt into *out when it lies in lo..hi; otherwise prints
 * "错误：--opt 应为 lo 到 hi 之间的整数，收到“arg”" and returns false (the caller exits 2). */
bool cli_int(const char *opt, const char *arg, int64_t lo, int64_t hi, int64_t *out);


/* The options every command shares (long options only): put COMMON_OPTS first in a command's
 * option table and hand each option to cli_common_opt before the command's own switch. */
enum { OPT_DB = 1000, OPT_KEY, OPT_HELP, OPT_AS };
#define COMMON_OPTS {"db", required_argument, 0, OPT_DB}, {"key", required_argument, 0, OPT_KEY}, {"help", no_argument, 0, OPT_HELP}, \
                    {"as", required_argument, 0, OPT_AS}
/* Takes --db, --key and --as (--as 姓名 names the operator, exit 2 on a bad name); returns 1 when
 * c was one of them, 0 otherwise (--help is the command's: it prints its own usage). */
int cli_common_opt(int c, cli_opts *o);
/* Names the operator as records and the audit log show it: 命令行（姓名） with --as 姓名, else
 * 命令行（the system user; the one who ran sudo when run through it）. */
void cli_name_actor(const char *as);
/* A command whose words before its options are argv[1 .. first-1] (a subcommand, a name): reads
 * only the common options from argv[first]; -1 when they parsed (optind is after them), else the
 * exit code (--help: usage printed, 0; anything else: 2). */
int cli_common_opts_from(int argc, char **argv, int first, const char *usage, cli_opts *o);
int cli_usage(const char *usage);                                    /* prints usage to stderr, returns 2 */
int cli_id(const char *s, const char *label, int64_t *out);          /* a positive id, or prints why */
/* The day of a daily pass: --today ts (NULL: today) into today; false after printing why. */
bool cli_today(const char *ts, char today[11]);
/* --org ID: parses it, opens the database and reads the organisation into *root; on failure prints
 * why and returns NULL with *status the exit code (2 a malformed id, 1 no such organisation). */
db *cli_open_org(cli_opts *o, const char *id, org *root, int *status);

/* One function per command, each in cli/<command>.c (backup and restore share cli/backup.c). */
int cmd_serve(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_demo(int argc, char **argv);
/* The office's year of the demo (cli/demo_year.c): reports, an inspection, a bulletin. */
int demo_year(db *d, int64_t root, int64_t town, int64_t branch, cx_err *e);
/* With CXZY_DEMO_PHASES set, prints to stderr the seconds since the previous phase ended (or the
 * demo began) as phase `name` ends (cli/demo.c): where the demo's time goes. */
void demo_phase(const char *name);
/* The demo campaign's standard sets by sector, with indicators and points (cli/demo_sector.c). */
int demo_sector(db *d, int64_t campaign_id, cx_err *e);
/* News items of several towns and a closed consultation (cli/demo_news.c, issue 22): 0, or 1 after
 * printing why. */
int demo_news(db *d, int64_t root, int64_t branch, cx_err *e);
/* The demo campaign's phases and the first town's 五个一 carrier opened for its running phase,
 * some entries filled (cli/demo_carrier.c, issue 22). */
/* A date n days from today, "YYYY-MM-DD" (cli/demo.c). */
void days_from_today(int n, char out[11]);
int demo_carrier(db *d, int64_t campaign_id, int64_t town, int64_t branch, cx_err *e);
/* Annual goals of every town, accepted (or returned) by the district office, with progress
 * (cli/demo_goals.c, issue 22): 0, or 1 after printing why. */
int demo_goals(db *d, int64_t root, cx_err *e);
/* n public ballots on a target (RK_*) from residents, answers[i % 4]; every fourth without a
 * verified phone (cli/demo.c; the posts of issue 19 use it too). */
int demo_ballots(db *d, int kind, int64_t target, int n, const char *const *answers, cx_err *e);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_recount(int argc, char **argv);
int cmd_partition(int argc, char **argv);
/* `cxzy recount --bulletin N` (recount_bulletin.c): exit status as cmd_recount's. */
int recount_bulletin(cli_opts *o, const char *id);
int cmd_escalate(int argc, char **argv);
int cmd_remind(int argc, char **argv);
int cmd_redraw(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_key(int argc, char **argv);
#endif
