/* post.h: exemplary posts (党员示范岗) and responsibility areas (党员责任区), issue 19, migration
 * 0032: rows of service_window with kind 'post' or 'area' (rated by the public exactly as a
 * window: ballots of target_kind 'window'), their duties (职责) and their holders with history
 * (post_holder). Every change is one write transaction, audited (entity "post"). */
#ifndef CX_POST_STORE_H
#define CX_POST_STORE_H
#include "store.h"
#include "../domain/post.h"

typedef struct post {
    int64_t id, org_id, created_at, version;
    int active;
    post_kind kind;
    char name[POST_NAME_MAX * 4 + 1], place[POST_PLACE_MAX * 4 + 1], duties[POST_DUTIES_MAX * 4 + 1], org_name[256], org_path[CX_PATH_MAX];
} post;
/* 1, 0 (no post or area of that id: a service window is not one), CX_ERR. */
CX_MUST_USE int post_get(db *d, int64_t id, post *p);
/* in: passed post_check; the organisation must be active (404). */
int post_create(db *d, const actor *a, int64_t org_id, const post_ok *in, int64_t *id, cx_err *e);
int post_update(db *d, const actor *a, int64_t id, const post_ok *in, cx_err *e);
int post_set_active(db *d, const actor *a, int64_t id, int active, cx_err *e);
typedef int (*post_fn)(void *ctx, const post *p);
/* Posts and areas of o (subtree: and of its whole subtree), active ones unless all, by path, kind and name. */
int post_list(db *d, const org *o, bool subtree, bool all, post_fn fn, void *ctx);
/* Dashboards and bulletins: the posts and areas of o's subtree (active organisations): active now,
 * active and held by no one, and set up in [t0, t1) (unix times, retired since or not). */
typedef struct post_counts {
    int64_t posts, areas, unheld, new_posts, new_areas;
} post_counts;
int post_counts_get(db *d, const org *o, int64_t t0, int64_t t1, post_counts *c);
/* Active posts and areas in o's subtree (active organisations) that no one holds now (the desk). */
int post_count_unheld(db *d, const org *o, int64_t *n);
/* The active posts and areas of active organisations the member holds now. */
int post_of_member(db *d, int64_t member_id, post_fn fn, void *ctx);

typedef struct post_holder {
    int64_t id, post_id, member_id, since, until; /* until 0: current */
    char name[256], org_name[256];
} post_holder;
/* Makes the member a holder: an active member of the post organisation's subtree (422
 * invalid_member), of an active post (409 post_inactive), not already holding it (409
 * already_holder, also for the loser of two at once). */
int post_holder_add(db *d, const actor *a, int64_t post_id, int64_t member_id, int64_t *holder_id, cx_err *e);
/* Ends a holding (kept as history): 404 when it is not the post's, 409 already_ended. */
int post_holder_end(db *d, const actor *a, int64_t post_id, int64_t holder_id, cx_err *e);
typedef int (*holder_fn)(void *ctx, const post_holder *h);
/* Current holders, then (history) the ended ones, latest first. */
int post_holders(db *d, int64_t post_id, bool history, holder_fn fn, void *ctx);
/* A member transferred to the organisation of new_path: each current holding of a post or area
 * whose organisation's subtree does not hold new_path ends now (audited, end_holder), inside the
 * caller's write transaction — a holder is a member of the post's subtree. */
int post_member_moved(db *d, const actor *a, int64_t member_id, const char *new_path);
/* 1 when the member holds (or held, ever) the post, 0 not, CX_ERR. */
int post_is_holder(db *d, int64_t post_id, int64_t member_id);
#endif
