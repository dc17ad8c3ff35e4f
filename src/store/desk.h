/* desk.h: the counts of the to-do desk (工作台) that no module's own list already counts. The
 * desk (web/desk.c) reads everything else through each module's count variant (pledge_count,
 * feedback_count, rect_count, grade_count …). */
#ifndef CX_DESK_STORE_H
#define CX_DESK_STORE_H
#include "store.h"

/* Active members of root's subtree (root included) with no account (no app_user linked to them):
 * a range scan of org.path, each organisation's active members by member_org_active, and one probe
 * of the unique index app_user_member per member. */
int desk_members_without_account(db *d, const org *root, int64_t *n);
#endif
