/* ballot_writer.h: the one thread that writes ballots, in batches with one commit each (group commit).
 *
 * Durability: ballots are written by one writer thread with its own connection (SQLite:
 * synchronous=FULL) that takes every pending ballot, writes them in one transaction (each ballot
 * with its roll-up delta; one audit record per round, channel and actor with counts only),
 * commits, then wakes each waiting request with its own outcome (group commit). */
#ifndef CX_BALLOT_WRITER_H
#define CX_BALLOT_WRITER_H
#include "store.h"

typedef struct ballot_config {
    int64_t ballot_limit; /* anonymous ballots per client address per hour; 0 = no limit */
    int64_t sms_limit;    /* SMS code requests per client address per hour; 0 = no limit */
    int64_t burst_target; /* web/QR ballots per target per burst window before holding; 0 = off */
    int64_t burst_window; /* seconds */
    int64_t burst_net;    /* web/QR ballots per network prefix per hour before holding; 0 = off */
} ballot_config;
#define BALLOT_LIMIT_DEFAULT 60
#define SMS_LIMIT_DEFAULT 10
#define BURST_TARGET_DEFAULT 20
#define BURST_WINDOW_DEFAULT 600
#define BURST_NET_DEFAULT 30
#define BALLOT_CONFIG_DEFAULT {BALLOT_LIMIT_DEFAULT, SMS_LIMIT_DEFAULT, BURST_TARGET_DEFAULT, BURST_WINDOW_DEFAULT, BURST_NET_DEFAULT}

/* Starts the writer on its own connection to url (cfg NULL: defaults). direct: url reaches
 * PostgreSQL itself, not PgBouncer (db_open_direct: named prepared statements, each parsed once).
 * Without a running writer, ballots are written on the caller's connection, one transaction each
 * (CLI, demo, tests). */
int ballots_start(const char *url, bool direct, const ballot_config *cfg, cx_err *e);
/* Writes what is pending, stops the thread and closes its connection. */
void ballots_stop(void);
/* The writer's figures for /metrics. batch_hist[i]: batches of at most 2^i ballots (the last: more). */
#define BALLOT_BATCH_BUCKETS 10
typedef struct ballot_stats {
    uint64_t queue_depth, batches, batched, batch_hist[BALLOT_BATCH_BUCKETS], acknowledged, failed;
} ballot_stats;
void ballots_stats(ballot_stats *o);
const ballot_config *ballots_config(void);
#endif
