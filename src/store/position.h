/* position.h: the leading group (领导班子) of an organisation, issue 22, migration 0045: who holds
 * which position (书记, 副书记, 委员) with their duties; ending a position keeps it as history. Every
 * change is one write transaction, audited (entity "position"). */
#ifndef CX_POSITION_STORE_H
#define CX_POSITION_STORE_H
#include "store.h"
#include "../domain/position.h"

typedef struct position_row {
    int64_t id, org_id, member_id;
    int title;
    char since[11], until[11], member_name[64], org_name[256], org_path[CX_PATH_MAX];
    char duties[POSITION_DUTIES_MAX * 4 + 1];
} position_row;
CX_MUST_USE int position_get(db *d, int64_t id, position_row *p);
/* member_id of the organisation's subtree, active (else 422 member_outside); one current secretary
 * per organisation (409 position_taken); a member holds one current position of an organisation
 * (409 already_holds). */
int position_add(db *d, const actor *a, int64_t org_id, int64_t member_id, const position_ok *in, int64_t *id, cx_err *e);
/* Changes the duties of a current position (409 position_ended once ended). */
int position_duties(db *d, const actor *a, int64_t id, const char *duties, cx_err *e);
/* Ends a current position on until (YYYY-MM-DD, not before since: 422 until_before_since). */
int position_end(db *d, const actor *a, int64_t id, const char *until, cx_err *e);
typedef int (*position_fn)(void *ctx, const position_row *p);
/* An organisation's positions: current ones (history false) by title then since, or every one,
 * the newest first. */
int position_list(db *d, int64_t org_id, bool history, position_fn fn, void *ctx);
/* The board's version: the count and the sum of ids and end days of the organisation's rows. */
int position_version(db *d, int64_t org_id, int64_t *v);
/* The current positions of the member an account belongs to, as one label ("兴河镇党委书记、…"),
 * "" when none. */
int position_label_of_user(db *d, int64_t user_id, char *out, size_t cap);
#endif
