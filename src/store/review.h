/* review.h (store): self and peer reviews of members and the self-review of an organisation.
 * Peer reviews are anonymous to everyone: the reviewer's member id is kept only for the
 * one-review-per-reviewer rule; no function here returns it, and the audit record of a peer review
 * names the round and the branch, never the member reviewed. */
#ifndef CX_STORE_REVIEW_H
#define CX_STORE_REVIEW_H
#include "store.h"
#include "standard.h"

/* Self-review (reviewer_member == target->id) or peer review (another active member of the same
 * organisation); in passed review_check with self as that (reviewer_member == target->id). One
 * per (round, target, reviewer): a second submit updates it. *updated tells which happened. */
int review_member_submit(db *d, const actor *a, int64_t round_id, const member *target, int64_t reviewer_member,
                         const review_ok *in, bool *updated, cx_err *e);
/* The self-review of an organisation by its secretary, on the campaign's organisation set; in
 * passed review_check as a self-review. */
int review_org_submit(db *d, const actor *a, int64_t round_id, const org *o, const review_ok *in, bool *updated,
                      cx_err *e);

typedef struct review_text {
    char levels[STD_MAX_ITEMS + 1];
    char achievements[4096], shortcomings[4096], direction[4096];
    int64_t updated_at;
    int64_t entered_by, confirmed_at;         /* 代录: the account that entered it for the member; when confirmed */
    char entered_name[64];
} review_text;
/* The self-review of a member (kind "self") or of an organisation ("org_self"): 1 found, 0 none. */
CX_MUST_USE int review_self_get(db *d, int64_t round_id, bool is_org, int64_t target_id, review_text *out);
/* The reviewer's own peer review of a member (shortcomings holds the remark): 1 found, 0 none. */
CX_MUST_USE int review_peer_get(db *d, int64_t round_id, int64_t target_member, int64_t reviewer_member, review_text *out);
/* Peer reviews of a member, summed per item and level; never who wrote them. comments gets the
 * peers' remarks (non-empty ones) sorted by text, when not NULL. */
typedef struct peer_summary {
    int64_t n;                                /* peer reviews */
    int nitems;
    int64_t count[STD_MAX_ITEMS][4];          /* reviews giving item i the level l+1 */
} peer_summary;
typedef int (*text_fn)(void *ctx, const char *text);
CX_MUST_USE int review_peer_summary(db *d, int64_t round_id, int64_t member_id, peer_summary *out, text_fn comments, void *ctx);
/* The fellow members of reviewer's organisation (active, not excluded in the round) and whether
 * reviewer has peer-reviewed each: the reviewer's own to-do list. */
typedef int (*peer_todo_fn)(void *ctx, int64_t member_id, const char *name, bool done);
int review_peer_todo(db *d, int64_t round_id, const member *reviewer, peer_todo_fn fn, void *ctx);

/* The member confirms the self-review entered for them (本人确认) in an open round: 403 not_self,
 * 409 not_entered or already_confirmed. */
int review_self_confirm(db *d, const actor *a, int64_t round_id, const member *m, cx_err *e);

/* A branch's peer reviews on one page (a matrix: members × the member standard's items), in one
 * transaction: every row checked first (an active member of the branch, not the reviewer, not
 * excluded in the round, levels_check; e names the row's field and the member), then written.
 * reviewer_member > 0: that member's own peer reviews (each row an upsert, as
 * review_member_submit). sheet_no > 0 (reviewer_member 0): a paper sheet (民主测评表) keyed in by
 * a's account: anonymous rows numbered by sheet; the same sheet keyed in again replaces all its
 * rows. *inserted gets the number of new rows, *replaced the number of rows of the sheet before. */
typedef struct peer_row {
    int64_t member_id;
    const char *levels;                       /* one digit per item */
    const char *field;                        /* how errors name the row (a cell of the form, rows[i].levels) */
} peer_row;
int review_peer_matrix(db *d, const actor *a, int64_t round_id, const org *branch, int64_t reviewer_member, int sheet_no,
                       const peer_row *rows, int n, int *inserted, int64_t *replaced, cx_err *e);
/* Paper sheets keyed in for a branch in a round: how many, and the highest number. */
int review_sheet_stats(db *d, int64_t round_id, int64_t org_id, int64_t *sheets, int64_t *max_no);
/* The rows of one paper sheet: fn(ctx, member reviewed, levels). */
typedef int (*review_cell_fn)(void *ctx, int64_t member_id, const char *levels);
int review_sheet_rows(db *d, int64_t round_id, int64_t org_id, int sheet_no, review_cell_fn fn, void *ctx);
#endif
