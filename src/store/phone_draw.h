/* phone_draw.h: phone sampling (电话随机抽访): a committed random draw from a contact list, called by staff. */
#ifndef CX_PHONE_DRAW_H
#define CX_PHONE_DRAW_H
#include "store.h"
#include "../domain/rating.h" /* phone_draw_ok, PHONE_MAX_DRAW */

#define PHONE_MAX_LIST 100000
typedef struct phone_draw {
    int64_t id, round_id, target_id, org_id, population, n, created_at;
    int64_t pending, answered, unreachable, refused, commitment_id, created_by, committed_at; /* committed_at: the commitment's time */
    int kind;
    char seed[72], seed_hash[65], method[16], list_digest[65], questions[16], target_name[256], org_name[256], org_path[CX_PATH_MAX],
        round_name[192], created_by_name[64];
} phone_draw;
/* in: passed phone_draw_check. Reads the contact list (CSV/XLSX: a phone per row, an optional
 * name beside it, an optional header row), puts it in canonical order (draw_list_canonical:
 * sorted, repeats dropped, so the file's order has no effect), takes the commitment
 * in->commitment_id (draw_commitment_take: made before the upload at the target's organisation or
 * above, unused) and draws in->n with draw_committed from its seed and the list's digest; stores
 * the seed beside its commitment and the entries encrypted with masks. Any invalid row refuses
 * the whole list, naming the rows. */
int phone_draw_create(db *d, const actor *a, int kind, int64_t target_id, const phone_draw_ok *in, int64_t *id, cx_err *e);
CX_MUST_USE int phone_draw_get(db *d, int64_t id, phone_draw *p);
typedef int (*draw_fn)(void *ctx, const phone_draw *p);
/* Draws of root's subtree (round_id 0: any round), newest first; limit 0: all. */
int phone_draw_count(db *d, const org *root, int64_t round_id, int64_t *total);
int phone_draw_list(db *d, const org *root, int64_t round_id, int64_t offset, int64_t limit, draw_fn fn, void *ctx);
typedef struct phone_entry {
    int64_t seq, list_index;
    char mask[32], phone[32], state[16]; /* phone: only when revealed */
} phone_entry;
typedef int (*entry_fn)(void *ctx, const phone_entry *e);
/* The entries in draw order; reveal decrypts the numbers (the caller audits the view first). */
int phone_entries(db *d, int64_t draw_id, bool reveal, entry_fn fn, void *ctx);
/* Audits the full view of a draw's numbers. */
int phone_draw_reveal(db *d, const actor *a, int64_t draw_id, cx_err *e);
/* Marks entry seq unreachable or refused (state "unreachable" / "refused"); only pending ones. */
int phone_entry_mark(db *d, const actor *a, int64_t draw_id, int64_t seq, const char *state, cx_err *e);
/* The canonical list (sorted, repeats dropped) and its SHA-256 digest, as phone_draw_create
 * computes them (for re-running a draw). */
int phone_list_read(const void *file, size_t len, char ***phones, size_t *n, char digest[65], cx_err *e);
#endif
