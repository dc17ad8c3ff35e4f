/* paper_batch.h: paper questionnaires (问卷): batches of coded sheets for a target, keyed in by staff. */
#ifndef CX_PAPER_BATCH_H
#define CX_PAPER_BATCH_H
#include "store.h"
#include "../domain/rating.h" /* paper_batch_ok, PAPER_MAX_SHEETS */

#define PAPER_CODE_DATA 8 /* characters of a sheet code before its check character */
typedef struct paper_batch {
    int64_t id, round_id, target_id, org_id, issued, returned, valid, spoiled, created_at, created_by;
    int kind;
    char questions[16], note[512], target_name[256], org_name[256], org_path[CX_PATH_MAX], round_name[192], created_by_name[64];
} paper_batch;
/* in->sheets sheets (passed paper_batch_check) for a target in the round open for it, each with a
 * unique code. Who may issue and key in is the caller's check: the level above the target's
 * organisation (perm_paper_handler), never that organisation's own secretary. */
int paper_batch_create(db *d, const actor *a, int kind, int64_t target_id, const paper_batch_ok *in, int64_t *id, cx_err *e);
CX_MUST_USE int paper_batch_get(db *d, int64_t id, paper_batch *b);
typedef int (*paper_fn)(void *ctx, const paper_batch *b);
/* Batches of root's subtree in round_id (0: every round), newest first. */
/* Batches of root's subtree (round_id 0: any round), newest first; limit 0: all. */
int paper_batch_count(db *d, const org *root, int64_t round_id, int64_t *total);
int paper_batch_list(db *d, const org *root, int64_t round_id, int64_t offset, int64_t limit, paper_fn fn, void *ctx);
typedef int (*code_fn)(void *ctx, const char *code);
/* The codes of a batch in printing order (nothing about their answers). */
int paper_codes(db *d, int64_t batch_id, code_fn fn, void *ctx);
/* Records a keyed-in sheet's keyer (after ballot_cast took it): sets paper_sheet.keyed_by once
 * and audits "key_in" on the batch (who, never the answers). 0 changes when already recorded. */
int paper_sheet_keyed(db *d, const actor *a, const paper_batch *b, const char *code, cx_err *e);
typedef int (*keyer_fn)(void *ctx, int64_t user_id, const char *name, int64_t sheets);
/* Who keyed in the batch's returned sheets, with how many each (0: not recorded). */
int paper_keyers(db *d, int64_t batch_id, keyer_fn fn, void *ctx);
/* Sums over root's subtree in round_id: sheets issued, returned (keyed in), valid. */
CX_MUST_USE int paper_totals(db *d, const org *root, int64_t round_id, int64_t *issued, int64_t *returned, int64_t *valid);
#endif
