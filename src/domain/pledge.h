/* pledge.h: the public pledge (公开承诺) and its lifecycle, in plain C: which action is allowed
 * to whom in which state, and what state follows. No SQL, no HTTP.
 *
 *   draft ──submit──▶ submitted ──approve──▶ in_progress ──complete──▶ completed ──rate──▶ rated ──renew──▶ renewed
 *     ▲  ╲                │                      │  ╲                                        ▲
 *     │   ╲edit           └──return(reason)──▶ returned ──submit──▶ submitted               │
 *     └────────────── edit (draft, returned)     │   └──miss(objective explanation | unjustified)──▶ missed ──rate──┘
 *                                                └── progress entries (践诺) while in_progress
 */
#ifndef CX_PLEDGE_H
#define CX_PLEDGE_H
#include <stdbool.h>
#include "../lib/util.h"

typedef enum {
    PS_DRAFT = 0,
    PS_SUBMITTED,
    PS_RETURNED,
    PS_IN_PROGRESS, /* approved (审诺): public and being kept (践诺) */
    PS_COMPLETED,
    PS_MISSED,      /* not kept by the due date: with a public explanation or marked unjustified */
    PS_RATED,       /* 评诺 done */
    PS_RENEWED,     /* 再承诺: a new pledge follows this one */
    PS_COUNT
} pledge_status;

typedef enum {
    PA_EDIT = 0, /* change title, content, measures, responsible person, due date */
    PA_SUBMIT,
    PA_APPROVE,
    PA_RETURN,   /* needs a reason */
    PA_PROGRESS, /* add a dated progress entry */
    PA_COMPLETE,
    PA_MISS,     /* needs an explanation (objective reason) or the unjustified mark */
    PA_RATE,     /* needs a grade; the owner's summary may come with it */
    PA_RENEW,    /* creates the successor draft */
    PA_COUNT
} pledge_action;

/* How the person acting stands to the pledge (decided by the caller from roles and subtree):
 * OWNER: the member who made a member pledge, or a secretary/office of the organisation that made
 *        an organisation pledge; REVIEWER: secretary/office over the pledge's organisation — for a
 *        member pledge the member's own branch or above, for an organisation pledge strictly above
 *        that organisation; both bits may be set; NONE: anyone else. */
/* PROXY: acts for the member on a pledge entered for them (代录, perm_pledge_relation_entered):
 *        may take the owner's actions; unlike OWNER it does not bar the review actions. */
enum { PR_NONE = 0, PR_OWNER = 1, PR_REVIEWER = 2, PR_PROXY = 4 };

/* Names and labels; "" for a value out of range. */
const char *pledge_status_name(pledge_status s);   /* "in_progress" */
const char *pledge_status_label(pledge_status s);  /* "践诺中" */
int pledge_status_from_name(const char *name);     /* -1 when unknown */
const char *pledge_action_name(pledge_action a);   /* "approve" */
int pledge_action_from_name(const char *name);     /* -1 when unknown */
/* Visible to the public (boards, cards, QR pages): approved and later. */
bool pledge_status_public(pledge_status s);

/* Decides an action. relation is a PR_* mask. On success writes the next state to *next (the same
 * state for EDIT and PROGRESS) and returns CX_OK. Otherwise fills e with status 409 and code
 * "invalid_transition" when the state does not allow the action (message names the state and the
 * action in Chinese, e.g. "承诺当前为“待审核”状态，不能进行“修改”"), or status 403 and code
 * "not_allowed" when the state allows it but not to this person (e.g. "只有承诺人本人可以提交承诺",
 * "只有上级党组织书记或活动办公室可以审核承诺"), and returns CX_ERR. A member may not review
 * (approve/return/rate/miss) a pledge of their own, even when they also hold a reviewer role: with
 * both bits set these give 403 with a message saying so (e.g. "不能审核本人作出的承诺…"); the owner's
 * actions stay allowed. PROGRESS is open to the owner and to a reviewer. PR_PROXY counts as the owner for the
 * owner's actions only; other bits are ignored; a state or action out of range gives 409. On refusal *next is left as it
 * was; next and e may be NULL. */
int pledge_decide(pledge_status from, pledge_action action, int relation, pledge_status *next, cx_err *e);

/* The areas a pledge is made on (seed 002): 4 for organisations, 8 for members. */
extern const char *const pledge_org_areas[];    /* NULL-terminated: 贯彻落实科学发展观 … */
extern const char *const pledge_member_areas[]; /* NULL-terminated: 理论学习 … 道德修养 */
bool pledge_area_valid(bool org_pledge, const char *area);

/* Grades of 评诺. (The kinds of a miss, objective | unjustified, have no names here yet.) */
extern const char *const pledge_grades[];       /* "good","fairly_good","average","poor", NULL */
const char *pledge_grade_label(const char *g);  /* "好" "较好" "一般" "差"; NULL when unknown */

/* Validates the text fields of a pledge as entered (shared by form, JSON and renewals): title
 * (required, ≤ 60 characters), content (required, ≤ 1000), measures (required, ≤ 1000),
 * responsible (required, ≤ 20), due_date (required, a real date, not before today unless
 * allow_past); the area must be valid for the kind. Returns the number of errors collected into
 * errs (fields: area, title, content, measures, responsible, due_date), 0 when valid; normalised
 * due date into due_out ("YYYY-MM-DD", "" when the date has an error; due_out may be NULL). The
 * area, an enumerated value, must match exactly; the texts are judged after trimming as str_trim
 * does (so store them trimmed), title and responsible on one line. At most maxerr errors are
 * written (errs may be NULL with maxerr 0) but all are counted; in == NULL counts as all blank. */
typedef struct pledge_in {
    const char *area, *title, *content, *measures, *responsible, *due_date;
} pledge_in;
int pledge_validate(const pledge_in *in, bool org_pledge, bool allow_past, char due_out[11], cx_err *errs, int maxerr);
/* A pledge checked: what the store writes (texts trimmed, the due date normalised). */
typedef struct pledge_ok {
    char area[64], title[256], content[4096], measures[4096], responsible[96], due_date[11];
} pledge_ok;
/* pledge_validate into out; the number of errors as there. */
int pledge_check(const pledge_in *in, bool org_pledge, bool allow_past, pledge_ok *out, cx_err *errs, int maxerr);

/* A progress entry (践诺台账): date (required, a real date, not in the future), text (required,
 * ≤ 1000), percent (required integer text 0..100; ASCII or full-width digits, an optional trailing
 * % or ％: "50", "50%" pass, "101", "-1", "3.5", "abc" do not). Returns the number of errors, counted
 * as pledge_validate does (fields: date, text, percent); the date into date_out ("" on error) and
 * the percent into *pct (-1 on error); date_out and pct may be NULL. */
int pledge_progress_validate(const char *date, const char *text, const char *percent, char date_out[11], int *pct,
                             cx_err *errs, int maxerr);
/* A progress entry checked: what the store writes. */
typedef struct progress_ok {
    char date[11];
    char text[4 * 1000 + 1]; /* trimmed */
    int percent;
} progress_ok;
/* pledge_progress_validate into out (the text trimmed); the number of errors as there. */
int pledge_progress_check(const char *date, const char *text, const char *percent, progress_ok *out, cx_err *errs, int maxerr);

/* Extra input of an action as typed: RETURN needs reason; MISS needs miss_kind ("objective" with an
 * explanation, or "unjustified"); COMPLETE takes the owner's own summary (optional); RATE needs a
 * grade (comment optional). */
typedef struct pledge_extra {
    const char *reason, *miss_kind, *explanation, *grade, *comment, *summary;
} pledge_extra;
/* An action with its extra input checked: the texts trimmed (reason ≤ 500 characters, explanation,
 * comment and summary ≤ 1000), miss_kind and grade known names; what the action does not take is "". */
typedef struct pledge_act_ok {
    pledge_action action;
    char reason[2048], miss_kind[16], explanation[4096], grade[16], comment[4096], summary[4096];
} pledge_act_ok;
/* Checks the extra input of SUBMIT, APPROVE, RETURN, COMPLETE, MISS, RATE or RENEW (in == NULL: none
 * given) into out. CX_OK, or CX_ERR with e: 400 invalid_action (any other action), the text codes of
 * domain/text.h on reason, explanation (required for an objective miss), comment, summary;
 * invalid_miss_kind, invalid_grade. */
int pledge_act_check(pledge_action action, const pledge_extra *in, pledge_act_ok *out, cx_err *e);

/* Overdue: in progress (or submitted/returned) and the due date is before today. Both dates are
 * "YYYY-MM-DD" (a missing or malformed one is never overdue); today == NULL means date_today(). */
bool pledge_overdue(pledge_status s, const char *due_date, const char *today);
#endif
