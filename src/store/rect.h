/* rect.h: rectification items (整改), their evidence files and history, and the escalation
 * of overdue items to the parent organisation. Every change is decided by domain/rect.c inside the
 * store's write transaction and audited in it, so two people acting at once cannot both move an
 * item out of the same state. */
#ifndef CX_RECT_STORE_H
#define CX_RECT_STORE_H
#include "store.h"
#include "attachment.h"
#include "../domain/rect.h"

#define RECT_EVIDENCE_MAX 20 /* evidence files per item, over all uploads */

typedef struct rect {
    int64_t id, org_id, member_id, source_id, created_by, escalated_to, version, created_at, updated_at;
    rect_status status;
    rect_source source;
    int64_t nevidence;
    char source_kind[32], problem[4096], measure[4096], owner[128], due_date[11];
    char completion_note[4096], no_evidence_reason[2048], verify_note[2048], reopen_reason[2048], cancel_reason[2048];
    char created_by_name[64], submitted_on[11], verified_on[11], verified_by[64], escalated_on[11];
    char org_name[256], org_path[CX_PATH_MAX], member_name[64], escalated_to_name[256];
} rect;

/* A new item. source: a rect_source name (required). source_kind: the kind of the source record
 * ("grade", "feedback" …; NULL or "" for the source's default, see rect_source_kind); source_id: its
 * id (0 for none; no foreign key, the caller vouches for it). member_id: the member concerned (0 for
 * none; must belong to the organisation). The texts and due date are checked by rect_validate. */
typedef struct rect_new {
    const char *source, *source_kind;
    int64_t source_id, member_id;
    rect_in in;
} rect_new;

CX_MUST_USE int rect_get(db *d, int64_t id, rect *r);
/* The newest item made from a source record (kind and id), in any status: 1 with *id, 0 none. For
 * callers that must not make two items of one record (a grade decided again). */
CX_MUST_USE int rect_of_source(db *d, const char *source_kind, int64_t source_id, int64_t *id);
/* Creates an open item of organisation org_id (active) in its own transaction, audited as
 * ("create", "rectification"). Bad input: CX_ERR with e (a 400 naming the field; the first of
 * rect_validate's errors), nothing written. This is the function other sources call (a grade of 不合格,
 * feedback): a = who decides (actor_cli for the system, whose items an office may cancel). */
int rect_create(db *d, const actor *a, int64_t org_id, const rect_new *in, int64_t *id, cx_err *e);
/* The same inside the caller's open write transaction (which it commits or rolls back; on CX_ERR
 * nothing of the item was written but the caller must still roll back its own work as it sees fit). */
int rect_create_tx(db *d, const actor *a, int64_t org_id, const rect_new *in, int64_t *id, cx_err *e);

/* Extra input of an action: SUBMIT takes note and no_evidence_reason (rect_check_submit); VERIFY an
 * optional note; REOPEN a reason and optionally a new due_date; CANCEL a reason. */
typedef struct rect_extra {
    const char *note, *no_evidence_reason, *reason, *due_date;
} rect_extra;
/* Runs SUBMIT, VERIFY, REOPEN or CANCEL for a person standing in relation (RR_* mask) to the item. */
int rect_act(db *d, const actor *a, int64_t id, rect_action action, int relation, const rect_extra *x, cx_err *e);
/* Adds evidence files (1..EVIDENCE_MAX_FILES at once, RECT_EVIDENCE_MAX in all) while open. */
int rect_add_evidence(db *d, const actor *a, int64_t id, int relation, const evidence_in *files, int nfiles, cx_err *e);

int rect_evidence_list(db *d, int64_t rect_id, attachment_fn fn, void *ctx);
/* The item an evidence file belongs to, without loading the bytes: 1 found, 0 none. */
int rect_evidence_owner(db *d, int64_t id, int64_t *rect_id);
/* 1 with the bytes, type and name; 0 when there is no such file. */
CX_MUST_USE int rect_evidence_get(db *d, int64_t id, buf *out, char mime[32], char name[128]);

typedef struct rect_event {
    char action[16], status[16], note[4096], due_date[11], on_date[11], actor[64];
} rect_event;
typedef int (*rect_event_fn)(void *ctx, const rect_event *ev);
int rect_history(db *d, int64_t rect_id, rect_event_fn fn, void *ctx);

enum { RQ_SUBTREE = 0, RQ_OWN, RQ_ESCALATED };
typedef struct rect_query {
    const org *root;
    int scope;          /* RQ_SUBTREE: root and below; RQ_OWN: root's own; RQ_ESCALATED: escalated to root */
    int status;         /* -1 any */
    bool overdue;       /* open or submitted with the due date before as_of */
    const char *as_of;  /* the day overdue is judged on; NULL for today */
    int64_t offset, limit; /* limit 0: all */
} rect_query;
typedef int (*rect_fn)(void *ctx, const rect *r);
int rect_list(db *d, const rect_query *q, rect_fn fn, void *ctx);
int rect_count(db *d, const rect_query *q, int64_t *n);

/* The escalation pass (`cxzy escalate`, run daily by cron): every item open or submitted whose due
 * date is before today ("YYYY-MM-DD"; NULL for date_today()) and whose organisation has a parent is
 * escalated to that parent, unless it already was for the same due date: one rect_escalation row,
 * the item's escalated_to/escalated_on, a history entry and an audit record ("escalate"), one
 * transaction per item. fn (may be NULL) is called after each escalation with the item as it now is.
 * *n gets the number escalated. CX_OK or CX_ERR with e. */
int rect_escalate(db *d, const actor *a, const char *today, rect_fn fn, void *ctx, int64_t *n, cx_err *e);
#endif
