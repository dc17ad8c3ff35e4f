/* rating.h: what the public rates (members, organisations, public pledges, service windows) and
 * the round a rating belongs to: the open round of a target, the round staff look at. */
#ifndef CX_RATING_H
#define CX_RATING_H
#include "store.h"

enum { RK_MEMBER, RK_ORG, RK_PLEDGE, RK_WINDOW, RK_N };
int rating_kind_from_name(const char *s); /* -1 when unknown */
const char *rating_kind_name(int k);      /* member org pledge window */
const char *rating_kind_label(int k);     /* 党员 党组织 承诺 服务窗口 */

typedef struct rating_target {
    int kind;
    int64_t id, org_id;
    char name[256], org_name[256], org_path[CX_PATH_MAX];
    char kind_label[32]; /* what the public is rating: 党员, 服务窗口, or a window row's own kind (党员示范岗, 党员责任区) */
    bool post;           /* a window row of kind post or area (issue 19) */
} rating_target;
/* A target the public may rate: an active member of an active organisation, an active
 * organisation, a public (approved and later) pledge, an active window. 1, 0 (none), CX_ERR. */
CX_MUST_USE int rating_target_get(db *d, int kind, int64_t id, rating_target *t);
/* Any target, active or not (staff results). */
CX_MUST_USE int rating_target_any(db *d, int kind, int64_t id, rating_target *t);

/* The rating of a target now: the newest open round covering its organisation (1; 0 when none),
 * its question set ("window6" for windows, the round's set otherwise) and whether 不满意 needs an
 * SMS-verified phone (the campaign's rule). */
typedef struct rating_open {
    int64_t round_id, round_org_id;
    char round_name[192], questions[16], round_org_path[CX_PATH_MAX];
    bool sms_required, open;
} rating_open;
CX_MUST_USE int rating_open_for(db *d, const rating_target *t, rating_open *ro);
/* rating_target_get and rating_open_for in one statement: 2 (the target and its open round), 1
 * (the target, no open round: ro zeroed), 0 (no target the public may rate), CX_ERR. */
CX_MUST_USE int rating_target_open(db *d, int kind, int64_t id, rating_target *t, rating_open *ro);
/* rating_target_open answered from memory when this process found the same target open for
 * rating less than RATING_TRUST_MS ago, today, and nothing but ballots was committed since, here
 * or (PostgreSQL, through the listener) in another instance (db_state_generation); else read, and
 * remembered when open (a refusal is read again every time, so a round just opened is seen at
 * once). fresh: always read (a client that changed something a moment ago, cookie cxzy_rw). What
 * a remembered answer can miss is another instance's change in the moment before its notification
 * arrives: a round closed then is read again by the ballot writer in its batch (the ballot is kept
 * as late and not counted), a window retired is refused by the writer as gone. */
#define RATING_TRUST_MS 1000
CX_MUST_USE int rating_target_open_recent(db *d, bool fresh, int kind, int64_t id, rating_target *t, rating_open *ro);
/* The round staff look at for an organisation: round_id when it covers org_path or lies inside
 * it, else (round_id 0) the newest round, open or closed, covering org_path. 1, 0 none, CX_ERR. */
CX_MUST_USE int rating_round_pick(db *d, const char *org_path, int64_t round_id, rating_open *ro);
#endif
