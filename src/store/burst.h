/* burst.h: bursts (集中投票): web/QR ballots past a target's or a network's limit, held until the
 * office releases or discards them. */
#ifndef CX_BURST_H
#define CX_BURST_H
#include "store.h"
#include "../domain/rating.h" /* burst_ok */

typedef struct ballot_burst {
    int64_t id, round_id, target_id, org_id, window_start, window_len, created_at, decided_at, held, released, discarded;
    int kind;
    char reason[16], state[16], note[512], target_name[256], org_name[256], org_path[CX_PATH_MAX], round_name[192];
} ballot_burst;
CX_MUST_USE int burst_get(db *d, int64_t id, ballot_burst *b);
typedef int (*burst_fn)(void *ctx, const ballot_burst *b);
/* Bursts of root's subtree (round_id 0: any round; state NULL/"": any), open ones first. */
int burst_count(db *d, const org *root, int64_t round_id, const char *state, int64_t *total);
int burst_list(db *d, const org *root, int64_t round_id, const char *state, int64_t offset, int64_t limit, burst_fn fn, void *ctx);
/* The office's decision on an open burst (passed burst_check): release (its ballots count) or
 * discard (they count as invalid), with the note saying why. One transaction with the roll-up
 * deltas, audited. 409 burst_decided when already decided. */
int burst_decide(db *d, const actor *a, int64_t id, const burst_ok *in, cx_err *e);
#endif
