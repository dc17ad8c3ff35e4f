/* round.h: review rounds of a campaign over an organisation's subtree: open, list, close. A closed
 * round refuses every change (code round_closed). */
#ifndef CX_ROUND_H
#define CX_ROUND_H
#include "store.h"
#include "../domain/review.h"

typedef struct review_round {
    int64_t id, campaign_id, org_id, created_at;
    bool open;
    char name[192], period_start[11], period_end[11], questions[16];
    char org_name[256], org_path[CX_PATH_MAX], campaign_theme[256];
} review_round;
CX_MUST_USE int round_get(db *d, int64_t id, review_round *r);
/* Opens a round of campaign_id for org_id's subtree (in passed round_check): the campaign must be
 * run by org_id or an ancestor, the period inside the campaign's, the name new there. */
int round_create(db *d, const actor *a, int64_t org_id, int64_t campaign_id, const round_ok *in, int64_t *id, cx_err *e);
int round_close(db *d, const actor *a, int64_t id, cx_err *e);
typedef int (*round_fn)(void *ctx, const review_round *r);
/* Rounds that cover o (run by o or an ancestor) and rounds run inside o's subtree, newest first. */
/* Rounds covering o or run inside it, latest period first: how many, and a page (limit 0: all). */
int round_count(db *d, const org *o, int64_t *total);
int round_list(db *d, const org *o, int64_t offset, int64_t limit, round_fn fn, void *ctx);
/* The round that applies to a target at org_path: the newest open round run by that org or an
 * ancestor. 1 found, 0 none. */
CX_MUST_USE int round_current(db *d, const char *org_path, review_round *r);
#endif
