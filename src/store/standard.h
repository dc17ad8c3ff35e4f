/* standard.h: standard sets (五个好, 五带头, sets added as data) and the carriers (载体) that
 * organisations name for a campaign. */
#ifndef CX_STANDARD_H
#define CX_STANDARD_H
#include "store.h"
#include "../domain/review.h"

typedef struct standard_item {
    int seq;
    char title[192], body[1536];
} standard_item;
typedef struct standard_set {
    int64_t id;
    int builtin, nitems;
    char code[48], name[96], target[8];
    standard_item items[STD_MAX_ITEMS];
} standard_set;
CX_MUST_USE int standard_get(db *d, int64_t id, standard_set *s);
typedef int (*standard_fn)(void *ctx, const standard_set *s);
/* The sets of every campaign; standard_list_for also a campaign's own sets (issue 22), every
 * version, a family's versions in order. */
int standard_list(db *d, standard_fn fn, void *ctx);
int standard_list_for(db *d, int64_t campaign_id, standard_fn fn, void *ctx);
/* A new set (e.g. 四强) as data, in passed standard_check; the code must be new (duplicate_code).
 * audit_org: where the audit record is filed (the creator's office). */
int standard_create(db *d, const actor *a, int64_t audit_org, const standard_ok *in, int64_t *id, cx_err *e);

typedef struct carrier {
    int64_t id, campaign_id, org_id, version, retired_at;
    char name[192], description[1536], org_name[256];
} carrier;
typedef int (*carrier_fn)(void *ctx, const carrier *c);
/* Carriers named by the organisations of root's subtree (subtree) or of root only. */
int carrier_list(db *d, const org *root, bool subtree, carrier_fn fn, void *ctx);
/* A carrier of o (in passed carrier_check) in a campaign that covers o (invalid_campaign), with
 * its items (issue 22; NULL or none: items come with an edit, store/carrier.c). */
struct carrier_items_ok;
int carrier_add(db *d, const actor *a, int64_t campaign_id, const org *o, const carrier_ok *in, const struct carrier_items_ok *items,
                int64_t *id, cx_err *e);
#endif
