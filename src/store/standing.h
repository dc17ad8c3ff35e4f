/* standing.h: the leaders' standing as a roll-up (table leader_standing, migration 0030): per
 * organisation, its leaders (counted once each, by their highest leader grant within its subtree)
 * and how many have no point / too few / too many against the rule there, how many meet the
 * rule's visits in a year, and the active ones and those of them who gave a 党课 in a year: the
 * dashboard's 联络点 figures (liaison_count) and its leaders without a lecture
 * (meeting_lecture_gaps) read these rows, never every leader of the subtree.
 *
 * A change that moves a leader's figures takes the leader's contribution away before it and adds
 * it back after it, inside its own write transaction: standing_user for one account (a point
 * assigned or ended, a visit, a leader grant, an account's active flag), standing_subtree for
 * every leader with a grant in a subtree (a rule set there, an organisation moved or its sector
 * changed), standing_meeting_after for a meeting's lecturer (held, cancelled, edited). */
#ifndef CX_STANDING_H
#define CX_STANDING_H
#include <stdio.h>
#include "store.h"

/* Adds (sign 1) or takes away (-1) what account user_id contributes as stored now (nothing when
 * it holds no leader grant; user_id 0: nothing). In the caller's transaction. */
CX_MUST_USE int standing_user(db *d, int64_t user_id, int sign);
/* standing_user for each account with a leader grant at an organisation of the subtree at path. */
CX_MUST_USE int standing_subtree(db *d, const char *path, int sign);
/* After a change of meeting id whose lecturer before it was was_lecturer (0: none), and whose
 * contribution standing_user(was_lecturer, -1) took away before it: adds that lecturer's back,
 * and moves a new lecturer's from without this meeting to with it. */
CX_MUST_USE int standing_meeting_after(db *d, int64_t id, int64_t was_lecturer);

typedef struct standing {
    int64_t leaders, active, none, few, many, visits_free, visits_met, lectured;
} standing;
/* The figures of org_id's subtree: the year-0 row, with visits_met and lectured of year. */
CX_MUST_USE int standing_get(db *d, int64_t org_id, int year, standing *out);
/* Rebuilds every row from the records, compares with the stored rows, prints one line per
 * differing figure to out (NULL: silent), counts them in *diffs, and with fix replaces the rows
 * (audited). Its own transaction, or the caller's. */
CX_MUST_USE int standing_recount(db *d, bool fix, FILE *out, int64_t *diffs);
/* Replaces every row with the rebuilt ones, unaudited, in the caller's transaction (migration 0030). */
CX_MUST_USE int standing_fill(db *d);
#endif
