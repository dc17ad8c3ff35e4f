/* cli.h: shared pieces of the command-line subcommands. */
#ifndef CX_CLI_H
#define CX_CLI_H
#include "../store/store.h"

typedef struct cli_opts {
    const char *db;  /* --db, $CXZY_DB, or data/cxzy.db */
    const char *key; /* --key, $CXZY_KEY, or <db>.key (SQLite) / data/cxzy.key (PostgreSQL) */
} cli_opts;

/* Fills defaults for unset fields; the returned strings live until exit. */
void cli_defaults(cli_opts *o);
/* Loads the key, opens the database and applies migrations; prints the reason and returns NULL
 * on failure. create_key: make the key file when it does not exist (init, demo). */
db *cli_open(cli_opts *o, bool create_key);
int cli_err(const cx_err *e); /* prints "错误：…" to stderr, returns exit status 1 */
/* Parses the integer argument of --opt into *out when it lies in lo..hi; otherwise prints
 * "错误：--opt 应为 lo 到 hi 之间的整数，收到“arg”" and returns false (the caller exits 2). */
bool cli_int(const char *opt, const char *arg, int64_t lo, int64_t hi, int64_t *out);

int cmd_serve(int argc, char **argv);
int cmd_demo(int argc, char **argv);
#endif
