/* replica.h: reads that tolerate a short lag, from a streaming replica (`cxzy serve --db-read`).
 * A second bounded pool of connections to the replica, used only while a checker thread finds the
 * replica answering and no more than the lag bound behind the primary; otherwise callers read from
 * the primary. */
#ifndef CX_REPLICA_H
#define CX_REPLICA_H
#include "db.h"

/* Starts the checker (PostgreSQL only: the caller refuses SQLite). primary_url is the primary's
 * address (for its WAL position), read_url the replica's, n the size of the read pool, lag_bound
 * the most seconds the replica may be behind. The pool is opened when the replica first answers,
 * so a replica that is down at start only means reads from the primary. */
int replica_start(const char *primary_url, const char *read_url, int n, int lag_bound, cx_err *e);
/* Stops the checker and closes the pool (the server has stopped serving). */
void replica_stop(void);
/* A connection on the replica when one is configured, up and within the lag bound; NULL: read
 * from the primary. Its standby_refused is cleared. */
db *replica_get(void);
/* Gives d back; lost: the replica could not serve (a lost connection): no more reads go to it
 * until the checker finds it answering again. */
void replica_put(db *d, bool lost);
#endif
