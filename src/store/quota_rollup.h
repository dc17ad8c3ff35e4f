/* quota_rollup.h: the branches (党支部) meeting their meeting quotas by month, and their roll-up
 * up the tree (migration 0029: tables quota_met, quota_rollup, quota_state; its header says which
 * months have rows). Every change that can alter them calls in here inside its own write
 * transaction; the dashboard and the quota page read one row; `cxzy recount` rebuilds them from
 * the meetings and the quotas with the same definition (quota_met_year) and lists the differences. */
#ifndef CX_QUOTA_ROLLUP_H
#define CX_QUOTA_ROLLUP_H
#include <stdio.h>
#include "store.h"
#include "meeting.h"

/* The kept year (0: none yet) into *year. */
CX_MUST_USE int quota_kept_year(db *d, int *year);
/* Makes year the kept year when it is not yet: drops the rows of another year and builds every
 * branch's twelve months and the roll-up, in its own write transaction (outside one only). */
int quota_keep_year(db *d, int year);

/* Inside the caller's write transaction; each does nothing while no year is kept. */
/* Redoes the branch org_id for the months of the kept year in mask (bit i: month i + 1; its rows
 * are created for all twelve when it has none) from its held meetings and the quotas in force
 * at it now, moving the roll-up of its ancestors by what changed. An organisation that is not (or
 * no longer) a branch loses its rows and leaves the roll-up. */
int quota_branch_redo(db *d, int64_t org_id, unsigned mask);
/* A meeting of org_id changed from (kind, held, date) to (kind, held, date): the branch redone
 * for the months whose windows hold a held meeting's old or new date. */
int quota_meeting_changed(db *d, int64_t org_id, meeting_kind k0, bool held0, const char *date0, meeting_kind k1, bool held1,
                          const char *date1);
/* Every row of the kept year built again from the meetings, the quotas and the tree, in bulk:
 * for many organisations written at once (the demo's tree), instead of a redo per branch. */
int quota_rebuild_kept(db *d);
/* Every branch of the subtree at path redone for the whole kept year (a quota set, a move). */
int quota_subtree_redo(db *d, const char *path);
/* The organisation at path was (de)activated: its months join or leave the roll-up. */
int quota_org_active(db *d, int64_t org_id, const char *path, bool active);
/* The organisation's subtree moved from old_path to new_path: its counts leave the old
 * ancestors and join the new ones, then its branches are redone under the quotas in force there. */
int quota_org_moved(db *d, int64_t org_id, const char *old_path, const char *new_path);

/* The roll-up of org_id's subtree for month ('YYYY-MM'): *kept false when the month is not in
 * the kept year (the caller judges from the meetings then); else the active branches and those
 * meeting their quotas (no row: none). */
CX_MUST_USE int quota_rollup_get(db *d, int64_t org_id, const char *month, bool *kept, int64_t *branches, int64_t *met);
/* One page (offset, limit) of the active branches of o's subtree behind their quotas in month
 * (a month of the kept year), by path, each judged from its meetings for the text (meeting_branch_gap). */
int quota_behind_page(db *d, const org *o, const char *month, int64_t offset, int64_t limit, quota_gap_fn fn, void *ctx);

/* Recomputes the kept year's rows from the meetings and quotas and compares; one line per
 * difference to out (may be NULL); with fix rewrites them (audited). Its own transaction, or the
 * caller's when one is open. */
int quota_recount(db *d, bool fix, FILE *out, int64_t *diffs);
#endif
