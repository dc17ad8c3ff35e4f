/* campaign.h: campaigns (创先争优活动): creating one, finding the one that applies to an
 * organisation, and their phases. */
#ifndef CX_CAMPAIGN_H
#define CX_CAMPAIGN_H
#include "store.h"
#include "../domain/review.h"

typedef struct campaign {
    int64_t id, org_id;
    char theme[256], start_date[11], end_date[11];
} campaign;

/* The newest campaign run by o or one of its ancestors: 1 found, 0 none. */
CX_MUST_USE int campaign_for_org(db *d, const org *o, campaign *c);
/* A campaign run by org_id (404 when missing), with the default grading rules; in passed campaign_check. */
int campaign_create(db *d, const actor *a, int64_t org_id, const campaign_ok *in, int64_t *id, cx_err *e);

/* The campaign with the path of its organisation: 1 found, 0 none. */
CX_MUST_USE int review_campaign_get(db *d, int64_t id, campaign *c, char org_path[CX_PATH_MAX]);
/* Campaigns run by o or an ancestor (newest first). */
typedef int (*campaign_fn)(void *ctx, const campaign *c);
int review_campaigns_for(db *d, const org *o, campaign_fn fn, void *ctx);

typedef struct campaign_phase {
    int64_t id, campaign_id;
    int seq;
    char name[192], start_date[11], end_date[11];
} campaign_phase;
typedef int (*phase_fn)(void *ctx, const campaign_phase *p);
int phase_list(db *d, int64_t campaign_id, phase_fn fn, void *ctx);
/* Adds a phase (phase_id 0) or edits one of the campaign's phases; in passed phase_check, and its
 * dates must lie inside the campaign period (outside_campaign). */
int phase_save(db *d, const actor *a, int64_t campaign_id, int64_t phase_id, const phase_ok *in, int64_t *id, cx_err *e);
#endif
