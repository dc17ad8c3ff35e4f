/* news.h: news items and cases (简报 / 信息报送, 典型), issue 22, migration 0043: submitted by an
 * organisation with photos, adopted or declined and published (internal or public) by an office
 * above it; the monthly roll-up of items submitted and adopted (news_month: bulletins, `cxzy
 * recount`); the public's nominations of a published case, one per verified phone and device.
 * Every change is one write transaction, audited (entity "news"). */
#ifndef CX_NEWS_STORE_H
#define CX_NEWS_STORE_H
#include "store.h"
#include "attachment.h"
#include "../domain/news.h"
#include <stdio.h>

typedef struct news_item {
    int64_t id, org_id, office_id, nominations, version, created_at, adopted_at, published_at, nphotos;
    int kind, status, is_public;
    char title[NEWS_TITLE_MAX * 4 + 1], submitted_month[8], adopted_month[8], note[NEWS_NOTE_MAX * 4 + 1];
    char org_name[256], org_path[CX_PATH_MAX], office_name[256], office_path[CX_PATH_MAX];
    char *body; /* owned: news_item_clear */
} news_item;
/* 1, 0 (none), CX_ERR; clear the item afterwards (also after 0). */
CX_MUST_USE int news_get(db *d, int64_t id, news_item *n);
void news_item_clear(news_item *n);

/* in: passed news_check; photos: JPEG or PNG only (evidence_check's limits; 422 photo_type), at
 * most NEWS_PHOTOS_MAX. The organisation must be active (404). Counts in news_month. */
int news_submit(db *d, const actor *a, int64_t org_id, const news_ok *in, const evidence_in *photos, int nphotos, int64_t *id, cx_err *e);
/* Title, kind and body of an item not yet published nor declined (409 news_final); office: the
 * editor is the office above (may edit an adopted item), else the submitter (only while submitted:
 * 409 news_adopted). */
int news_edit(db *d, const actor *a, int64_t id, bool office, const news_ok *in, cx_err *e);
/* Adds photos to an item not yet published nor declined (the same checks as news_submit). */
int news_add_photos(db *d, const actor *a, int64_t id, const evidence_in *photos, int nphotos, cx_err *e);
/* The office's decisions (office_id: the office's organisation, above the item's):
 * adopt (采用) a submitted item, decline a submitted one (note required), publish an adopted one
 * (internal or public). 409 news_state when the item is not in the state the step needs. */
int news_adopt(db *d, const actor *a, int64_t id, int64_t office_id, cx_err *e);
int news_decline(db *d, const actor *a, int64_t id, int64_t office_id, const char *note, cx_err *e);
int news_publish(db *d, const actor *a, int64_t id, int64_t office_id, bool is_public, cx_err *e);

typedef struct news_query {
    const char *path;   /* the subtree whose items (NULL: any) */
    int status, kind;   /* -1: any */
    bool public_only;   /* published and public */
    int64_t offset, limit;
} news_query;
typedef int (*news_fn)(void *ctx, const news_item *n);
/* Items newest first (published ones by publication); n->body is NULL in lists. */
int news_list(db *d, const news_query *q, news_fn fn, void *ctx);
int news_count(db *d, const news_query *q, int64_t *n);
/* The desk of an office at office (its organisation): items of its subtree below it (not its own
 * organisation's) waiting for adoption (submitted) and for publication (adopted). */
int news_desk_counts(db *d, const org *office, int64_t *submitted, int64_t *adopted);
/* The public list's version: how many are public and the sum of their versions. */
int news_public_version(db *d, int64_t *n, int64_t *sum);

int news_photo_list(db *d, int64_t item_id, attachment_fn fn, void *ctx);
/* 1, 0, CX_ERR; item_id gets the photo's item. */
CX_MUST_USE int news_photo_get(db *d, int64_t photo_id, buf *out, char mime[32], char name[128], int64_t *item_id);

/* A nomination of a published public case by a rater (rater_key, device_key: rater.c's keys over
 * the item): 404 not_found (not a public case), 409 already_nominated (that phone or device did). */
int news_nominate(db *d, const actor *a, int64_t id, const unsigned char *rater_key, const unsigned char *device_key, cx_err *e);

/* Bulletins: items submitted and adopted in months [m0, m1] ("YYYY-MM") by the subtree of path,
 * per month: from the roll-up, or from the items themselves (raw: a recount). */
typedef int (*news_month_fn)(void *ctx, const char *month, int64_t submitted, int64_t adopted);
int news_months(db *d, const char *path, const char *m0, const char *m1, bool raw, news_month_fn fn, void *ctx);
/* `cxzy recount`: news_month against the items; lists each difference to out, *diffs their number;
 * fix rebuilds the roll-up (audited). */
int news_recount(db *d, bool fix, FILE *out, int64_t *diffs);
#endif
