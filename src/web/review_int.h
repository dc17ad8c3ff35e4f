/* review_int.h: what the review pages (campaign.c, round.c, review.c, charge.c, grade.c) share,
 * defined in review_common.c; for those files only. */
#ifndef CX_WEB_REVIEW_INT_H
#define CX_WEB_REVIEW_INT_H
#include "web.h"
#include "../store/campaign.h"
#include "../store/standard.h"
#include "../store/round.h"
#include "../store/review.h"
#include "../store/grade.h"
#include "../store/rollup.h"

/* Fails the request with 500 db_error. */
void db_failed(req *r);
/* After a change: a page goes to the URL (true: nothing more to do); the API goes on to answer. */
bool done_redirect(req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The API's answer to a submit that made (201) or updated (200) a record: the object under key
 * for the caller to fill, with round_id and updated already in it. */
cJSON *submitted(req *r, const char *key, int64_t round_id, bool updated);
/* An optional positive id input; false (request failed) when present but invalid. */
bool opt_id(req *r, const char *name, int64_t *id);

/* Rounds: a round's JSON; the round a request is about (round_id, or the one that applies to
 * path now; it must cover path), failing the request otherwise; page_round the same for pages
 * that may have no round yet (false without failing when none); org_round_page the start of an
 * organisation's page in a round (the organisation with a role in mask over it, the title, the
 * round). The round's figures as "stats". */
cJSON *json_round(const review_round *rd);
bool req_round(req *r, const char *path, review_round *rd);
bool page_round(req *r, const char *path, review_round *rd);
bool org_round_page(req *r, int mask, const char *title, org *o, review_round *rd);
void add_rollup(cJSON *d, const rollup *ru);

/* Loads the campaign of path id 0 if the user may see it (404 otherwise); path gets its
 * organisation's path. (campaign.c) */
bool req_campaign(req *r, campaign *c, char path[CX_PATH_MAX]);

/* The items of a new standard set: JSON items [{title, body, …}] or the form's items_text, one a
 * line "标题：内容"; into titles and bodies (STD_MAX_ITEMS + 1 each), n = how many (one over the
 * limit when too many); false (request failed) when malformed. (sector_standard.c) */
bool standard_items_in(req *r, const char **titles, const char **bodies, int *n);

/* Campaigns and carriers in lists (ctx: a cJSON array). */
cJSON *json_carrier(const carrier *k);
int add_campaign(void *ctx, const campaign *c);
int add_carrier_plain(void *ctx, const carrier *k);

/* Reviews and grades: a review's JSON; a grade's JSON and its approval label; the grade of a
 * member or organisation in the round as "grade" (null when none); find_exclusion, an
 * exclusion_list callback with ctx {cJSON *d, int64_t *member_id}, puts that member's exclusion
 * in d as "exclusion". */
cJSON *json_review(const review_text *t);
const char *approval_label(const char *a);
cJSON *json_grade(const grade_row *g);
void add_grade(cJSON *d, req *r, int64_t round_id, bool is_org, int64_t id);
int find_exclusion(void *ctx, int64_t member_id, const char *name, int reason, const char *note);
#endif
