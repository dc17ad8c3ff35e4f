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


CX_MUST_USE int rect_get(db *d, int64_t id, rect *r);
/* The newest item made from a source record (kind and id), in any status: 1 with *id, 0 none. For
 * callers that must not make two items of one record (a grade decided again). */
CX_MUST_USE int rect_of_source(db *d, const char *source_kind, int64_t source_id, int64_t *id);
/* Creates an open item of organisation org_id (active) in its own transaction, audited as
 * ("create", "rectification"), from in as rect_new_check passed it (source_id: no foreign key, the
 * caller vouches for it; member_id 0 or a member of the organisation: 400 invalid_member). An
 * organisation missing or inactive: 404. a = who decides (actor_cli for the system, whose items an
 * office may cancel). */
int rect_create(db *d, const actor *a, int64_t org_id, const rect_new_ok *in, int64_t *id, cx_err *e);
/* rect_create inside the caller's open write transaction, from a new item rect_new_check passed,
 * for the other sources (a grade of 不合格) that make items as part of their own change; the
 * caller commits or rolls back. */
int rect_create_tx(db *d, const actor *a, int64_t org_id, const rect_new_ok *in, int64_t *id, cx_err *e);
/* Turns record id of table (a constant name with a rect_id column: inspection_finding,
 * liaison_visit) into a new item of organisation org_id (at org_path) from in, inside the caller's
 * write transaction with the record loaded and checked: rect_create_tx, the record's rect_id set
 * unless it is set already (the second of two at once: 409 already_rectified, "<taken>已经转为整改
 * 事项"), the organisation's secretaries told ("<notice>（problem），完成时限 due"; rect_create tells
 * no one), and the change finished, audited as ("rectify", table, id). *rect_id gets the item. */
int rect_from_record(db *d, const actor *a, const char *table, int64_t id, int64_t org_id, const char *org_path, const rect_new_ok *in,
                     const char *notice, const char *taken, int64_t *rect_id, cx_err *e);

/* Runs x->action (SUBMIT, VERIFY, REOPEN or CANCEL), its input checked by rect_act_check, for a
 * person standing in relation (RR_* mask) to the item; a submission without evidence files needs
 * the reason there is none (rect_check_evidence). */
int rect_act(db *d, const actor *a, int64_t id, int relation, const rect_act_ok *x, cx_err *e);
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
