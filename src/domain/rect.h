/* rect.h: rectification items (整改) and their lifecycle, in plain C: which action is allowed to
 * whom in which state, what state follows, the checks of what people type, and overdue. No SQL,
 * no HTTP.
 *
 *   open ──submit(completion note; evidence, or why there is none)──▶ submitted ──verify(销号)──▶ verified
 *    ▲ │  ╲                                                              │
 *    │ │   evidence files (while open)                                   │
 *    │ └──cancel(reason; the creator)──▶ cancelled                       │
 *    └────────────reopen(reason; a new due date optionally)──────────────┘
 *
 * An item is overdue while open or submitted after its due date; overdue items escalate to the
 * parent of the responsible organisation, once per due date (see store/rect.h). */
#ifndef CX_RECT_H
#define CX_RECT_H
#include <stdbool.h>
#include <stdint.h>
#include "../lib/util.h"
#include "perm.h"

typedef enum { RS_OPEN = 0, RS_SUBMITTED, RS_VERIFIED, RS_CANCELLED, RS_COUNT } rect_status;

typedef enum {
    RA_EVIDENCE = 0, /* add evidence files */
    RA_SUBMIT,       /* needs a completion note, and evidence or the reason there is none */
    RA_VERIFY,       /* 销号 */
    RA_REOPEN,       /* needs a reason; may set a new due date */
    RA_CANCEL,       /* needs a reason */
    RA_COUNT
} rect_action;

/* Where an item came from. */
typedef enum {
    RSRC_SELF_REVIEW = 0, /* 自评 */
    RSRC_COMMENTARY,      /* 领导点评 */
    RSRC_PUBLIC_RATING,   /* 群众评议 */
    RSRC_FEEDBACK,        /* 群众意见、建议、投诉 */
    RSRC_INSPECTION,      /* 督查检查 */
    RSRC_GRADE,           /* 评定为不合格，限期改正 */
    RSRC_MANUAL,          /* 手工录入 */
    RSRC_COUNT
} rect_source;

/* How the person acting stands to the item (from roles and subtree, see rect_relation):
 * RESPONSIBLE: a secretary or office of the responsible organisation itself; VERIFIER: a secretary
 * or office strictly above it; CREATOR: the person who created it (for an item the system created,
 * an office over the organisation). Several bits may be set. */
enum { RR_NONE = 0, RR_RESPONSIBLE = 1, RR_VERIFIER = 2, RR_CREATOR = 4 };

/* Names as stored ("open", "submit", "grade") and labels as shown ("整改中", "销号", "评定等次"); ""
 * out of range. from_name gives -1 for an unknown name. */
const char *rect_status_name(rect_status s);
const char *rect_status_label(rect_status s);
int rect_status_from_name(const char *name);
const char *rect_action_name(rect_action a);
const char *rect_action_label(rect_action a);
int rect_action_from_name(const char *name);
const char *rect_source_name(rect_source s);
const char *rect_source_label(rect_source s);
int rect_source_from_name(const char *name);
/* The kind of record a source refers to by default ("grade", "feedback" …; "" for manual). */
const char *rect_source_kind(rect_source s);

/* The relation (RR_* mask) of p to an item of the organisation at org_path created by user
 * created_by (0: by the system). */
int rect_relation(const principal *p, const char *org_path, int64_t created_by);

/* Decides an action. On success writes the next state (the same for EVIDENCE) and returns CX_OK.
 * Otherwise fills e with 409 "invalid_transition" when the state does not allow the action (the
 * message names the state and the action, e.g. "整改事项当前为“已销号”状态，不能进行“退回重新整改”"),
 * or 403 "not_allowed" when it does but not to this person; a verifier who is also responsible
 * for the item (a grant at the organisation and one above) may not verify or reopen it, and is
 * told so ("不能为本组织的整改事项销号…"). *next is left alone on refusal; next and e may be NULL. */
int rect_decide(rect_status from, rect_action action, int relation, rect_status *next, cx_err *e);

/* What people type when creating an item. All texts are judged after trimming (store them
 * trimmed): problem (问题, required, ≤ 1000 characters), measure (整改措施, required, ≤ 1000),
 * owner (责任人, required, 1–30 characters, one line), due_date (完成时限, a real date, not before
 * today, at most RECT_DUE_MAX_DAYS after it). Returns the number of errors; at most maxerr are
 * written to errs (fields problem, measure, owner, due_date), all are counted. The due date goes
 * to due_out ("" when it has an error). today: "YYYY-MM-DD", NULL for date_today(). */
#define RECT_DUE_MAX_DAYS 731
#define RECT_TEXT_MAX 1000
#define RECT_OWNER_MAX 30
#define RECT_REASON_MAX 500
typedef struct rect_in {
    const char *problem, *measure, *owner, *due_date;
} rect_in;
int rect_validate(const rect_in *in, const char *today, char due_out[11], cx_err *errs, int maxerr);
/* A new item as typed. source: a rect_source name (required). source_kind: the kind of the source
 * record ("grade", "feedback" …; NULL or "" for the source's default, see rect_source_kind);
 * source_id: its id (0 for none); member_id: the member concerned (0 for none). */
typedef struct rect_new {
    const char *source, *source_kind;
    int64_t source_id, member_id;
    rect_in in;
} rect_new;
/* A new item checked: the source known, the kind of its record ("" without one), the texts trimmed. */
typedef struct rect_new_ok {
    rect_source source;
    char source_kind[32];
    int64_t source_id, member_id;
    char problem[4 * RECT_TEXT_MAX + 1], measure[4 * RECT_TEXT_MAX + 1], owner[4 * RECT_OWNER_MAX + 1], due_date[11];
} rect_new_ok;
/* Checks, in this order: source (invalid_source), source_id (invalid_source_id when negative), the
 * kind of the source record (invalid_source_kind: lower-case ASCII letters and underscores, 1–31),
 * then the first of rect_validate's errors. in == NULL: nothing given. */
int rect_new_check(const rect_new *in, const char *today, rect_new_ok *out, cx_err *e);
/* A due date alone (the same rule), e.g. the new due date of a reopen; field names it. */
int rect_check_due(const char *due, const char *today, const char *field, char out[11], cx_err *e);
/* A required reason (退回理由, 撤销理由 …) of at most RECT_REASON_MAX characters, trimmed into out
 * (cap bytes). CX_OK or CX_ERR with e (codes required, too_long, invalid_text). */
int rect_check_reason(const char *s, const char *field, const char *label, char *out, size_t cap, cx_err *e);
/* A submission: note (整改完成情况, required, ≤ RECT_TEXT_MAX) trimmed into note_out; with no
 * evidence file (nevidence == 0) the reason there is none (≤ RECT_REASON_MAX) is required (code
 * "evidence_required", field no_evidence_reason), trimmed into why_out ("" when files exist). */
int rect_check_submit(const char *note, int nevidence, const char *why, char *note_out, size_t note_cap, char *why_out,
                      size_t why_cap, cx_err *e);
/* The evidence part of a submission, once the files are counted: with files the reason there is
 * none is dropped (why becomes ""), without them it is required (evidence_required). */
int rect_check_evidence(int nevidence, char *why, cx_err *e);

/* Extra input of an action as typed: SUBMIT takes note and no_evidence_reason; VERIFY an optional
 * note; REOPEN a reason and optionally a new due_date; CANCEL a reason. */
typedef struct rect_extra {
    const char *note, *no_evidence_reason, *reason, *due_date;
} rect_extra;
/* An action with its input checked and trimmed; what the action does not take is "". */
typedef struct rect_act_ok {
    rect_action action;
    char note[4096], why[2048], reason[2048], due[11];
} rect_act_ok;
/* Checks the input of SUBMIT (note, then no_evidence_reason as rect_check_submit, the evidence
 * left to rect_check_evidence once the item is loaded), VERIFY (note: blank, or a reason of at most
 * RECT_REASON_MAX characters, label 销号意见), REOPEN (reason, label 退回理由; due_date blank or as
 * rect_check_due) or CANCEL (reason, label 撤销理由) into out; in == NULL: nothing given; today as
 * rect_check_due. Any other action: 400 invalid_action. */
int rect_act_check(rect_action action, const rect_extra *in, const char *today, rect_act_ok *out, cx_err *e);

/* Overdue: open or submitted and the due date before today ("YYYY-MM-DD"; NULL for date_today()).
 * A malformed date is never overdue. rect_days_overdue gives the days past due (0 when not). */
bool rect_overdue(rect_status s, const char *due_date, const char *today);
int64_t rect_days_overdue(rect_status s, const char *due_date, const char *today);
#endif
