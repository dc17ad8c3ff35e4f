/* draw.h: commitments of committed draws (domain/draw.h), one helper for every random
 * draw the campaign makes (电话随机抽访, 随机抽查 inspections).
 *
 * draw_commit makes a secret seed for an organisation's subtree and shows only its SHA-256;
 * a draw takes one unused commitment with draw_commitment_take inside its own write
 * transaction (so the commitment is used at most once, on both backends) and only then learns
 * the seed, which it records and shows beside the commitment. A seed is never shown before its
 * commitment is used. */
#ifndef CX_DRAW_STORE_H
#define CX_DRAW_STORE_H
#include "store.h"
#include "../domain/draw.h"

typedef struct draw_commitment {
    int64_t id, org_id, created_by, created_at, used_at;
    char purpose[16], seed_hash[65], org_path[CX_PATH_MAX], created_by_name[64];
} draw_commitment;

/* A new commitment for purpose ("phone", "inspection") at org_id: its own transaction, audited
 * (entity "draw_commitment", the hash in the record, never the seed). */
int draw_commit(db *d, const actor *a, const char *purpose, int64_t org_id, draw_commitment *out, cx_err *e);
/* The same inside the caller's write transaction (an inspection commits its seed as it is
 * planned): *id and hash get the new commitment. */
int draw_commit_tx(db *d, const actor *a, const char *purpose, int64_t org_id, int64_t *id, char hash[65], cx_err *e);
CX_MUST_USE int draw_commitment_get(db *d, int64_t id, draw_commitment *c);
typedef int (*commitment_fn)(void *ctx, const draw_commitment *c);
/* The unused commitments of purpose made at org_id, newest first. */
int draw_commitments_open(db *d, int64_t org_id, const char *purpose, commitment_fn fn, void *ctx);
/* Inside the caller's write transaction: parses id_text, takes that commitment (purpose, unused,
 * made at an organisation whose subtree holds target_path) and gives its seed and hash. Errors
 * (e filled, field "commitment_id"): 400 commitment_required, 404 not_found, 409 commitment_used.
 * On error the caller rolls back. */
int draw_commitment_take(db *d, const char *id_text, const char *purpose, const char *target_path, int64_t *id,
                         char seed[2 * DRAW_SEED_BYTES + 1], char hash[65], cx_err *e);
#endif
