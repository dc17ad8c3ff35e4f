/* rating_int.h: what the rating store's files (rating, ballot, ballot_writer, rater,
 * paper_batch, phone_draw, rating_result, burst) share among themselves; not for the web layer. */
#ifndef CX_RATING_INT_H
#define CX_RATING_INT_H
#include <semaphore.h>
#include "rating.h"
#include "../lib/crypto.h"

/* Whether round_id is open, and its organisation: 1, 0 (no such round), CX_ERR. */
CX_MUST_USE int round_state(db *d, int64_t round_id, bool *open, int64_t *org_id);
/* The target of a paper batch or phone draw (members, organisations and windows; not pledges)
 * and the round open for it; refuses (400, 404, 409) otherwise. */
int staff_target(db *d, int kind, int64_t target_id, rating_target *t, rating_open *ro, cx_err *e);
/* Starts q with head, then root's subtree (alias o) and, when round_id is set, the round on
 * round_col. end must outlive q. */
void subtree_round(db_q *q, const char *head, const char *round_col, const org *root, int64_t round_id, char end[CX_PATH_MAX]);

/* The name of a service window row of alias a as the public and results show it: an exemplary
 * post or a responsibility area (issue 19, kind 'post' | 'area') is named with its kind first. */
#define POST_NAMED(a)                                                                                                 \
    "CASE " a ".kind WHEN 'post' THEN '党员示范岗：' || " a ".name WHEN 'area' THEN '党员责任区：' || " a ".name ELSE " a ".name END"

/* The name of a rating target (member, window, pledge, organisation) of table alias a, in SQL. */
#define TARGET_NAME(a)                                                                                                \
    "CASE " a ".target_kind WHEN 'member' THEN (SELECT name FROM member WHERE id = " a ".target_id) "                \
    "WHEN 'window' THEN (SELECT " POST_NAMED("w") " FROM service_window w WHERE w.id = " a ".target_id) "           \
    "WHEN 'pledge' THEN (SELECT title FROM pledge WHERE id = " a ".target_id) "                                      \
    "ELSE (SELECT name FROM org WHERE id = " a ".target_id) END"

/* The keyed hashes that stand for a rater without naming it (rater.c). */
/* The rater's key: a keyed hash over (round, target, identity); identity: "phone:…", "sheet:…"
 * or "device:…". */
void rater_key(int64_t round_id, const char *kind, int64_t id, const char *ident, unsigned char out[CX_HASH_BYTES]);
/* The per-address bucket of a kind ("b" ballots, "s" SMS): a keyed hash, never the address. */
void addr_bucket(char kind, const char *addr, char out[48]);
/* The network prefix of a client address (IPv4 /24, IPv6 /48) as a keyed-hash bucket "n:…";
 * "" when addr is not an address. */
void net_bucket(const char *addr, char out[48]);

/* ---- the ballot writer's jobs (ballot.c hands them to ballot_writer.c) ---- */

/* A job's outcome, set by the writer. */
enum { BO_PENDING, BO_VALID, BO_REPEAT, BO_SPOILED, BO_LIMITED, BO_ENTRY_DONE, BO_LATE, BO_ERROR, BO_GONE /* the window or post retired on the way */ };

/* One ballot on its way to the writer: what ballot_cast checked and computed. */
typedef struct ballot_job {
    int64_t round_id, round_org_id, org_id, target_id, sheet_id, entry_id, user_id;
    const char *kind, *channel, *questions, *answers, *comment, *reason, *actor_name, *org_path;
    unsigned char key[CX_HASH_BYTES], dev[CX_HASH_BYTES];
    bool has_key, has_dev, spoiled, late;
    bool post; /* a window row of kind post or area (issue 19), set by the writer */
    bool anon, verified, held; /* web/QR; the rater is verified; held in a burst (set by the writer) */
    char bucket[48]; /* per-address limit, "" for none */
    char net[48];    /* the network prefix's bucket (bursts), "" for none */
    int64_t limit;
    char day[11];
    int outcome;
    int fault; /* DB_FAULT_* of a BO_ERROR, raised again in the requesting thread */
    sem_t done; /* posted by the writer once the outcome is set: wakes this job's request alone */
    struct ballot_job *next;
} ballot_job;
/* Hands the job to the writer and waits for its commit (without a running writer, writes it on *d
 * in a transaction of its own); j->outcome says what happened, and the writer's figures count it.
 * A pooled *d outside a transaction is given back to its pool while the job waits and *d is then
 * another connection of that pool (db_pool_lend). */
void ballot_submit(db **d, ballot_job *j);

#endif
