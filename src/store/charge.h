/* charge.h: leaders put in charge of members and organisations in a round, and their
 * three-part commentary (领导点评). */
#ifndef CX_CHARGE_H
#define CX_CHARGE_H
#include "store.h"
#include "../domain/review.h"

typedef struct charge_row {
    int64_t id, round_id, user_id, target_id, org_id;
    bool org, done;
    int level;                                /* the commentary's level when done */
    char target_name[256], leader_name[64], org_name[256];
} charge_row;
/* Leaders who may be put in charge of a target at path: users with the leader role at that
 * organisation or an ancestor. */
typedef int (*leader_fn)(void *ctx, int64_t user_id, const char *username, const char *display_name);
int leader_list(db *d, const char *path, leader_fn fn, void *ctx);
/* Puts leader user_id in charge of a member (target_member > 0) or of organisation o. */
int charge_add(db *d, const actor *a, int64_t round_id, int64_t user_id, const org *o, int64_t target_member,
               int64_t *id, cx_err *e);
/* Removes a charge that has no commentary yet. */
int charge_remove(db *d, const actor *a, int64_t round_id, int64_t user_id, const org *o, int64_t target_member,
                  cx_err *e);
typedef int (*charge_fn)(void *ctx, const charge_row *c);
/* A leader's charges in round_id (0: every open round). */
int charge_list_user(db *d, int64_t user_id, int64_t round_id, charge_fn fn, void *ctx);
/* The charges of root's subtree in round_id; pending_only: those not commented yet. */
/* The round's charges over root's subtree (pending_only: not yet commented): how many, a page (limit 0: all). */
int charge_count_org(db *d, int64_t round_id, const org *root, bool pending_only, int64_t *total);
int charge_list_org(db *d, int64_t round_id, const org *root, bool pending_only, int64_t offset, int64_t limit, charge_fn fn, void *ctx);
/* Members and organisations of root's subtree (root included) with no leader in charge this
 * round: counts, and up to limit of each through fn (charge_row with id 0). */
int charge_unassigned(db *d, int64_t round_id, const org *root, int64_t limit, int64_t *members, int64_t *orgs,
                      charge_fn fn, void *ctx);

/* 领导点评 by user (a leader in charge of the target this round, no_charge otherwise); in passed
 * commentary_check. */
int commentary_submit(db *d, const actor *a, int64_t round_id, int64_t user_id, const org *o, int64_t target_member,
                      const commentary_ok *in, bool *updated, cx_err *e);
typedef struct commentary_row {
    int64_t user_id, updated_at;
    int level;
    char leader_name[64], achievements[4096], problems[4096], direction[4096];
} commentary_row;
typedef int (*commentary_fn)(void *ctx, const commentary_row *c);
int commentary_list(db *d, int64_t round_id, bool is_org, int64_t target_id, commentary_fn fn, void *ctx);
#endif
