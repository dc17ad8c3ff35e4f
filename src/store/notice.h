/* notice.h: public notices (公示) and objections (异议), issue 19, migration 0034. A generic
 * module: any part (the awards' passed nominations, or staff by hand) opens a notice of an office
 * with items (a member or organisation, the proposed honour, a reason, where it came from), and
 * asks later the state of its item by (source, ref_id) before it approves. The public objects
 * with a real name and an SMS-verified phone (both sealed); the office and discipline (纪检) staff
 * of the notice's office hold an objection for investigation and record its outcome. Every change
 * audited (entities "notice", "objection"). */
#ifndef CX_NOTICE_STORE_H
#define CX_NOTICE_STORE_H
#include "store.h"
#include "../domain/notice.h"

#define OBJECTION_CODE_DATA 12 /* tracking code: 12 random base-32 characters + 1 check character */
#define OBJECTION_CODE_CAP 32  /* room for it with dashes */

typedef struct notice_item_in {
    const char *subject_kind; /* "member" | "org" */
    int64_t subject_id;
    const char *honour;       /* what is proposed, e.g. 优秀共产党员 */
    const char *reason;
    const char *source;       /* "award", "manual" … */
    int64_t ref_id;           /* the caller's record (a nomination); 0 for "manual": the item's own id */
} notice_item_in;

/* Opens a notice of the office at office_id (an active organisation) inside the caller's open
 * write transaction: title and body (passed notice_check's rules), contact (NULL or "": the
 * office's name), workdays (0: NOTICE_WORKDAYS_DEFAULT), from today to notice_end_date over the
 * calendar. Each item's subject must be an active member or organisation of the office's subtree
 * (422 invalid_subject, field "items"; one subject twice 422 duplicate_subject), its honour and
 * reason pass notice_item_check; 1..200 items (422 invalid_items). Audited ("open", entity
 * "notice"). On CX_ERR the caller rolls back (a refusal leaves its transaction open; a database
 * error has rolled it back already, and db_rollback then does nothing). */
int notice_open_tx(db *d, const actor *a, int64_t office_id, const char *title, const char *body, const char *contact, int workdays, int n,
                   const notice_item_in *items, int64_t *id, cx_err *e);
/* notice_open_tx from the day start (YYYY-MM-DD, checked; NULL: today): the demo's history. */
int notice_open_from_tx(db *d, const actor *a, int64_t office_id, const char *start, const char *title, const char *body, const char *contact,
                        int workdays, int n, const notice_item_in *items, int64_t *id, cx_err *e);
/* notice_open_tx in its own transaction. */
int notice_open(db *d, const actor *a, int64_t office_id, const notice_ok *in, int n, const notice_item_in *items, int64_t *id, cx_err *e);
/* The state (NRS_*) of the newest item of (source, ref_id): NRS_NONE when there is none. */
int notice_ref_state(db *d, const char *source, int64_t ref_id, int *state, cx_err *e);
/* notice_ref_state with that item's notice id and end date (either NULL: not wanted; 0 and "" when none). */
int notice_ref_get(db *d, const char *source, int64_t ref_id, int *state, int64_t *notice_id, char end_date[11], cx_err *e);

typedef struct notice {
    int64_t id, office_id, workdays, created_at, items, open_objections;
    char title[NOTICE_TITLE_MAX * 4 + 1], body[NOTICE_BODY_MAX * 4 + 1], contact[NOTICE_CONTACT_MAX * 4 + 1];
    char start_date[11], end_date[11], office_name[256], office_path[CX_PATH_MAX];
} notice;
/* 1, 0 (none), CX_ERR. */
CX_MUST_USE int notice_get(db *d, int64_t id, notice *n);
typedef int (*notice_fn)(void *ctx, const notice *n);
/* Notices of the offices in the subtree at path (NULL: every office) ending on or after since
 * ("": any), newest first; one page (limit, offset) and the total. */
int notice_list(db *d, const char *path, const char *since, int64_t limit, int64_t offset, int64_t *total, notice_fn fn, void *ctx);
/* Changes the contact line (passed notice_contact_check), audited ("edit"). */
int notice_set_contact(db *d, const actor *a, int64_t id, const char *contact, cx_err *e);

typedef struct notice_item {
    int64_t id, notice_id, seq, subject_id, org_id, ref_id;
    int64_t received, investigating, upheld; /* its objections by status */
    char subject_kind[8], source[24];
    char subject_name[256], org_name[256], org_path[CX_PATH_MAX], honour[NOTICE_HONOUR_MAX * 4 + 1], reason[NOTICE_REASON_MAX * 4 + 1];
} notice_item;
typedef int (*notice_item_fn)(void *ctx, const notice_item *it);
int notice_items(db *d, int64_t notice_id, notice_item_fn fn, void *ctx);

typedef struct objection {
    int64_t id, notice_id, item_id, office_id, created_at, held_at, decided_at;
    objection_status status;
    char name_mask[64], phone_mask[32], text[OBJECTION_TEXT_MAX * 4 + 1], finding[OBJECTION_FINDING_MAX * 4 + 1];
    char office_path[CX_PATH_MAX], notice_title[NOTICE_TITLE_MAX * 4 + 1], item_subject[256], item_honour[NOTICE_HONOUR_MAX * 4 + 1];
    char item_path[CX_PATH_MAX]; /* the path of the organisation the item's subject belongs to */
} objection;
/* Files an objection to the item item_id of the notice (name and text passed objection_check,
 * phone a verified rating_phone): 404 no such notice, 409 notice_ended after its end date (nothing
 * stored), 422 invalid_item when the item is not the notice's. The name and phone are sealed and
 * masked; code gets the tracking code (no dashes). Audited ("object", entity "objection"). */
int objection_submit(db *d, const actor *a, int64_t notice_id, int64_t item_id, const char *name, const char *phone, const char *text, int64_t *id,
                     char code[OBJECTION_CODE_CAP], cx_err *e);
CX_MUST_USE int objection_get(db *d, int64_t id, objection *o);
/* By its tracking code (as code_parse left it): 1, 0, CX_ERR. */
CX_MUST_USE int objection_by_code(db *d, const char *code, objection *o);
typedef int (*objection_fn)(void *ctx, const objection *o);
int objection_list(db *d, int64_t notice_id, objection_fn fn, void *ctx);
/* received → investigating (409 not_received otherwise), audited ("hold"). */
int objection_hold(db *d, const actor *a, int64_t id, cx_err *e);
/* investigating → upheld | dismissed with the finding (409 not_held otherwise), audited ("decide"). */
int objection_decide(db *d, const actor *a, int64_t id, objection_status outcome, const char *finding, cx_err *e);
/* The objector's name and phone unsealed for a handler, audited ("reveal", entity "objection",
 * under the notice's office): 404 when there is no such objection. */
int objection_reveal(db *d, const actor *a, int64_t id, char name[128], char phone[32], cx_err *e);
/* Objections not yet decided of notices issued in the subtree at path (the desk), leaving out
 * those to an item whose subject's organisation holds own_path ("" none: the handler is recused). */
int objection_open_count(db *d, const char *path, const char *own_path, int64_t *n);
#endif
