/* mobile.h: members away from their branch (流动党员), issue 22, migration 0045: the place, the
 * contact organisation there, since and until, and the return; kept as history. Shown to the
 * member's branch (and above) and to the contact organisation (and above). Never an exclusion from
 * a review round: the member is reviewed remotely unless the branch excludes them for that round.
 * Every change is one write transaction, audited (entity "mobile"). */
#ifndef CX_MOBILE_STORE_H
#define CX_MOBILE_STORE_H
#include "store.h"

#define MOBILE_PLACE_MAX 100
#define MOBILE_NOTE_MAX 500
typedef struct mobile_row {
    int64_t id, member_id, org_id, contact_org_id;
    char place[MOBILE_PLACE_MAX * 4 + 1], note[MOBILE_NOTE_MAX * 4 + 1], since[11], until[11], returned_on[11];
    char member_name[64], org_name[256], org_path[CX_PATH_MAX], contact_name[256], contact_path[CX_PATH_MAX];
} mobile_row;
CX_MUST_USE int mobile_get(db *d, int64_t id, mobile_row *m);
typedef struct mobile_in {
    const char *place, *since, *until, *note;
    int64_t contact_org_id;
} mobile_in;
/* Records member m as away: place 1–100 characters on one line, contact_org_id an active
 * organisation other than the member's own (422 invalid_contact), since a date (empty: today), until
 * a date not before since or empty (422 until_before_since). 409 already_away while a record is open. */
int mobile_start(db *d, const actor *a, const member *m, const mobile_in *in, int64_t *id, cx_err *e);
/* The member came back on day (empty: today; not before since): 409 mobile_returned when already. */
int mobile_return(db *d, const actor *a, int64_t id, const char *day, cx_err *e);
typedef int (*mobile_fn)(void *ctx, const mobile_row *m);
/* A member's records, the newest first. */
int mobile_of_member(db *d, int64_t member_id, mobile_fn fn, void *ctx);
/* The members away now: of the subtree of o (contact false), or in touch with o's subtree (contact true). */
int mobile_of_org(db *d, const org *o, bool contact, mobile_fn fn, void *ctx);
#endif
