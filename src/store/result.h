/* result.h: published results of a review round (migration 0035, issue 19): an office computes a
 * list over its subtree (domain/result.h) and publishes it frozen in result_row with the method
 * text; republishing adds a version that replaces the earlier one; a withdrawal keeps the rows and
 * records the reason. `cxzy recount` recomputes every published list from the raw records
 * (ballots, grades) and reports each difference, never adopting one. */
#ifndef CX_RESULT_STORE_H
#define CX_RESULT_STORE_H
#include <stdio.h>
#include "store.h"
#include "round.h"
#include "../domain/result.h"

typedef struct result_pub {
    int64_t id, round_id, org_id, replaced_by, published_at, withdrawn_at, version_row;
    int version, min_ballots;
    result_kind kind;
    result_scope scope;
    char status[16], method[1024], published_by_name[64], withdraw_reason[4 * RESULT_REASON_MAX + 1];
    char org_name[256], org_path[CX_PATH_MAX], round_name[192];
    int64_t replaces_at; /* when the version it replaced was published (0: the first) */
} result_pub;

typedef struct result_lines {
    result_line *v;
    int n;
} result_lines;
void result_lines_free(result_lines *l);

/* The list ok would publish now for office (its subtree) in round rd, ranked (result_rank):
 * windows counted from their ballots (there is no roll-up per window), organisations' figures
 * from the round's roll-ups, the 优秀 members from the grades. */
int result_compute(db *d, const review_round *rd, const org *office, const result_ok *ok, result_lines *out);
/* Publishes ok for office: the round must cover office (run by it or an ancestor: 422
 * invalid_round otherwise, or when it does not exist); the office active. A new version replacing
 * the latest of the same list; audited with what it replaces. */
int result_publish(db *d, const actor *a, const org *office, const result_ok *ok, int64_t *id, cx_err *e);
/* Withdraws a published version (409 not_published when it is not the current one), audited. */
int result_withdraw(db *d, const actor *a, int64_t id, const char *reason, cx_err *e);
CX_MUST_USE int result_get(db *d, int64_t id, result_pub *p);
/* The frozen lines of a version, in published order. */
int result_rows(db *d, int64_t id, result_lines *out);
/* The current version (published or withdrawn) of every list of offices at or under path (NULL:
 * all), by office (its path), newest first, at most 200. */
int result_list(db *d, const char *path, int (*fn)(void *ctx, const result_pub *p), void *ctx);
/* `cxzy recount`: every published version recomputed from the raw records and compared with its
 * frozen rows; each difference to out, counted in *diffs. fix never adopts (listed only). */
int result_recount(db *d, bool fix, FILE *out, int64_t *diffs);
#endif
