/* notice.h: public notices (公示) and objections (异议) in plain C, issue 19: the period rule, the
 * checks of what staff and the public type, the states of an objection and of a notice's item.
 * No SQL, no HTTP (store/notice.h keeps them; web/notice.c serves them). */
#ifndef CX_DOMAIN_NOTICE_H
#define CX_DOMAIN_NOTICE_H
#include <stdbool.h>
#include <stdint.h>
#include "../lib/util.h"
#include "workday.h"

#define NOTICE_WORKDAYS_DEFAULT 5
#define NOTICE_WORKDAYS_MAX 30
#define NOTICE_TITLE_MAX 60
#define NOTICE_BODY_MAX 2000
#define NOTICE_CONTACT_MAX 120
#define NOTICE_HONOUR_MAX 40
#define NOTICE_REASON_MAX 300
#define NOTICE_ITEMS_MAX 200
#define OBJECTION_NAME_MAX 20
#define OBJECTION_TEXT_MAX 1000
#define OBJECTION_FINDING_MAX 1000

/* The last day of a notice of n working days opened on start: the start day is the first of them
 * when it is a working day (a notice opened on Monday for 5 days ends on Friday); opened on a rest
 * day, the period begins with the next working day. n 1..NOTICE_WORKDAYS_MAX; CX_ERR otherwise. */
int notice_end_date(const workday_cal *c, const char *start, int n, char out[11]);

/* What staff type for a notice: title 1–60 characters on one line, body 0–2000, contact (the
 * office's phone or address) 1–120 on one line, workdays empty (5) or 1–30 (422 invalid_workdays). */
typedef struct notice_in {
    const char *title, *body, *contact, *workdays;
} notice_in;
typedef struct notice_ok {
    char title[NOTICE_TITLE_MAX * 4 + 1], body[NOTICE_BODY_MAX * 4 + 1], contact[NOTICE_CONTACT_MAX * 4 + 1];
    int workdays;
} notice_ok;
int notice_check(const notice_in *in, notice_ok *out, cx_err *e);
/* The contact line alone (the notice's edit). */
int notice_contact_check(const char *in, char out[NOTICE_CONTACT_MAX * 4 + 1], cx_err *e);
/* One item's honour (1–40 characters, one line) and reason (0–300). */
int notice_item_check(const char *honour, const char *reason, char h[NOTICE_HONOUR_MAX * 4 + 1], char r[NOTICE_REASON_MAX * 4 + 1], cx_err *e);

/* An objection as the public signs it: a real name 2–20 characters on one line, its text 5–1000. */
int objection_check(const char *name, const char *text, char n[OBJECTION_NAME_MAX * 4 + 1], char t[OBJECTION_TEXT_MAX * 4 + 1], cx_err *e);

typedef enum { OS_RECEIVED = 0, OS_INVESTIGATING, OS_UPHELD, OS_DISMISSED, OS_COUNT } objection_status;
/* "received" …; labels for staff (已收到, 核查中, 异议成立, 异议不成立); -1 / "" when unknown. */
const char *objection_status_name(objection_status s);
const char *objection_status_label(objection_status s);
int objection_status_from_name(const char *name);
/* An outcome as typed: "upheld" or "dismissed" (422 invalid_outcome), with a finding 2–1000 characters. */
int objection_outcome_check(const char *outcome, const char *finding, objection_status *s, char f[OBJECTION_FINDING_MAX * 4 + 1], cx_err *e);

/* The state of a notice's item (notice_ref_state): none (no such item), pending (the period is
 * running, or an objection waits to be taken up), held (an objection under investigation), clear
 * (the period is over, nothing open, none upheld), upheld (an objection was upheld: withdrawn). */
typedef enum { NRS_NONE = 0, NRS_PENDING, NRS_HELD, NRS_CLEAR, NRS_UPHELD } notice_ref_state_t;
const char *notice_ref_state_name(int s);
const char *notice_ref_state_label(int s);
/* The item's state from the day (YYYY-MM-DD), the notice's end date and its objections' counts. */
int notice_item_state(const char *today, const char *end_date, int64_t received, int64_t investigating, int64_t upheld);

/* A notice's phase: "open" (today ≤ end_date), "ended" (over, objections still open), "closed"
 * (over and every objection decided: every item decided). */
const char *notice_phase(const char *today, const char *end_date, int64_t open_objections);
const char *notice_phase_label(const char *phase);
#endif
