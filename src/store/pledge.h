/* pledge.h: pledges (公开承诺), progress entries (践诺) and evidence. Every
 * change is decided by domain/pledge.c inside the store's transaction, so two people acting at
 * once cannot both move a pledge out of the same state. */
#ifndef CX_PLEDGE_STORE_H
#define CX_PLEDGE_STORE_H
#include "store.h"
#include "attachment.h"
#include "../domain/pledge.h"
#include "campaign.h" /* campaign_for_org, campaign_create: callers still reach them here */

typedef struct pledge {
    int64_t id, org_id, member_id, campaign_id, predecessor_id, successor_id, version, created_at, updated_at;
    int percent;
    pledge_status status;
    char area[64], title[256], content[4096], measures[4096], responsible[96], due_date[11];
    char return_reason[2048], miss_kind[16], miss_explanation[4096], summary[4096], grade[16], rating_comment[4096];
    char org_name[256], org_path[CX_PATH_MAX], member_name[64], campaign_theme[256];
    char member_post[160]; /* the member's post (工作岗位) from the roster; "" for an organisation pledge */
    /* 代录: entered for the member by another account (entered_by, its display name), when
     * (created_at); confirmed_at: when the member confirmed it, 0 until then */
    int64_t entered_by, confirmed_at;
    char entered_name[64];
} pledge;

CX_MUST_USE int pledge_get(db *d, int64_t id, pledge *p);
/* Creates a draft. member_id 0 makes an organisation pledge of org_id; otherwise a member pledge
 * of that member (org_id is then the member's organisation), from what pledge_check passed. A
 * member pledge made by an account that is not the member's is recorded as entered for them (代录,
 * entered_by; the caller has checked perm_may_enter_for); so is a progress entry (below) and a
 * renewal. */
int pledge_create(db *d, const actor *a, int64_t org_id, int64_t member_id, int64_t campaign_id, const pledge_ok *in,
                  int64_t *id, cx_err *e);
int pledge_edit(db *d, const actor *a, int64_t id, int relation, const pledge_ok *in, cx_err *e);
/* Runs x->action (SUBMIT, APPROVE, RETURN, COMPLETE, MISS, RATE or RENEW), its input checked by
 * pledge_act_check. RENEW creates the successor as a copy in draft, due on the same day of the next
 * year after max(its year, this year), and returns its id in *new_id. */
int pledge_act(db *d, const actor *a, int64_t id, int relation, const pledge_act_ok *x, int64_t *new_id, cx_err *e);

/* The member confirms a pledge entered for them (本人确认): 404 not_found, 403 not_owner when a is
 * not the pledge's member, 409 not_entered (not 代录) or already_confirmed. */
int pledge_confirm(db *d, const actor *a, int64_t id, cx_err *e);

/* A progress entry (践诺) that pledge_progress_check passed, with its evidence files (checked here:
 * evidence_check), on a pledge in progress. */
int pledge_add_progress(db *d, const actor *a, int64_t id, int relation, const progress_ok *in, const evidence_in *files, int nfiles,
                        int64_t *progress_id, cx_err *e);

typedef struct progress_entry {
    int64_t id;
    char date[11], text[4096], author[64];
    int percent;
    bool entered; /* 代录: entered for the member by someone else (author) */
    int64_t created_at;
    int nfiles;
    struct { int64_t id; char name[128], mime[32]; int64_t size; } files[EVIDENCE_MAX_FILES];
} progress_entry;
typedef int (*progress_fn)(void *ctx, const progress_entry *pe);
int pledge_progress_list(db *d, int64_t pledge_id, progress_fn fn, void *ctx);
/* The latest n progress entries (newest first, with their files) of each public pledge of a member
 * (approved and later), in one query: the public card. fn sees each entry with its pledge. */
typedef int (*pledge_progress_fn)(void *ctx, int64_t pledge_id, const progress_entry *pe);
int pledge_progress_latest(db *d, int64_t member_id, int n, pledge_progress_fn fn, void *ctx);
/* The pledge an evidence file belongs to, without loading the file: 1 found, 0 none. */
int evidence_pledge(db *d, int64_t id, int64_t *pledge_id);
/* 1 with bytes, type and the pledge it belongs to; 0 when there is none. */
CX_MUST_USE int evidence_get(db *d, int64_t id, buf *out, char mime[32], char name[128], int64_t *pledge_id);

typedef struct pledge_query {
    const org *root;       /* subtree; NULL with member_id set */
    bool subtree;          /* false: the root's own pledges (org and its members) only */
    int64_t member_id;     /* only this member's pledges */
    bool org_only;         /* only organisation pledges */
    bool member_only;      /* only members' pledges */
    int status;            /* -1 any */
    bool public_only;      /* approved and later */
    bool drafts_hidden;    /* not yet public ones only when they are own_member's (a viewer who reviews none) */
    int64_t own_member;
    bool overdue;          /* in progress (or waiting) past the due date */
    const char *due_from, *due_to; /* due dates in [from, to] (this month) */
    int64_t offset, limit;
} pledge_query;
typedef int (*pledge_fn)(void *ctx, const pledge *p);
int pledge_list(db *d, const pledge_query *q, pledge_fn fn, void *ctx);
int pledge_count(db *d, const pledge_query *q, int64_t *n);
/* Counts for a public record (亮形象): kept (completed, and rated or renewed after completion),
 * made public (approved and later) and missed (marked with either kind of reason). */
CX_MUST_USE int pledge_record(db *d, int64_t member_id, int64_t *kept, int64_t *public_total, int64_t *missed);
/* A validator for a public card: changes whenever the member or any of their pledges changes.
 * 1 with etag set; 0 when the member or their organisation is missing or inactive (no card). */
int pledge_card_version(db *d, int64_t member_id, char etag[64]);
/* The same for a board; CX_OK or CX_ERR (the caller has checked the organisation). */
int pledge_board_version(db *d, int64_t org_id, char etag[64]);
#endif
