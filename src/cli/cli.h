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

int cmd_serve(int argc, char **argv);
int cmd_demo(int argc, char **argv);
#endif
