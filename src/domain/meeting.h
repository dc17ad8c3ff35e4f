/* meeting.h: organisation life (组织生活, 三会一课) in plain C: meeting kinds and their labels, the
 * status planned → held | cancelled, the checks of a meeting as the secretary types it, of an
 * attendance mark (请假 needs a reason), of the QR sign-in window, and the quotas (how many
 * meetings of a kind per month, quarter or year) with the defaults that apply where no office set
 * one. No SQL, no HTTP.
 *
 *   planned ──hold──▶ held
 *      └────cancel──▶ cancelled
 *   attendance and the QR sign-in while planned or held (not cancelled). */
#ifndef CX_MEETING_H
#define CX_MEETING_H
#include <stdbool.h>
#include <stdint.h>
#include "../lib/util.h"

typedef enum {
    MK_BRANCH_ASSEMBLY = 0, MK_COMMITTEE, MK_GROUP, MK_LECTURE, MK_THEME_DAY, MK_FORUM,
    MK_DEMOCRATIC_LIFE, MK_ORG_LIFE, MK_STUDY, MK_CUSTOM, MK_COUNT
} meeting_kind;
typedef enum { MS_PLANNED = 0, MS_HELD, MS_CANCELLED, MS_COUNT } meeting_status;
typedef enum { MA_HOLD = 0, MA_CANCEL, MA_ATTEND, MA_SIGNIN, MA_EDIT, MA_COUNT } meeting_action;
typedef enum { AS_EXPECTED = 0, AS_PRESENT, AS_LEAVE, AS_ABSENT, AS_COUNT } attend_state;
typedef enum { QP_MONTH = 0, QP_QUARTER, QP_YEAR, QP_COUNT } quota_per;

/* Names as stored ("branch_assembly", "held", "leave", "quarter") and labels as shown
 * ("支部党员大会", "已召开", "请假", "每季度"); "" out of range. from_name: -1 when unknown. */
const char *meeting_kind_name(meeting_kind k);
const char *meeting_kind_label(meeting_kind k);
int meeting_kind_from_name(const char *name);
const char *meeting_status_name(meeting_status s);
const char *meeting_status_label(meeting_status s);
int meeting_status_from_name(const char *name);
const char *attend_state_name(attend_state s);
const char *attend_state_label(attend_state s);
int attend_state_from_name(const char *name);
/* A member's attendance at one meeting as shown to them and to the secretary: 扫码签到 (present by
 * the QR), 出席, 请假, 缺席, 未签到 (a held meeting nobody marked: not present), 待召开 (planned,
 * unless already signed in). */
const char *attend_shown_label(attend_state s, const char *how, meeting_status ms);
/* The one attendance rate: present over expected, leave counted as expected (not present), in
 * tenths of a percent rounded down (857 = 85.7%); -1 when nothing was expected. text gets "85.7%"
 * or "—". */
int64_t attend_rate_permille(int64_t present, int64_t expected, char text[24]);
const char *quota_per_name(quota_per p);
const char *quota_per_label(quota_per p);
int quota_per_from_name(const char *name);

/* Whether action may happen in status. On refusal e gets 409 invalid_transition naming the
 * status. next (may be NULL) gets the status after it. */
int meeting_decide(meeting_status from, meeting_action action, meeting_status *next, cx_err *e);

/* A held meeting's date must have come: held_on after today (NULL: the real today) is refused
 * with status (409 when holding it, 422 when moving a held one), code not_yet_held on held_on. */
int meeting_held_date_check(const char *held_on, const char *today, int status, cx_err *e);

#define MEETING_TITLE_MAX 100
#define MEETING_KIND_NAME_MAX 20  /* the office's own name of a custom kind */
#define MEETING_PLACE_MAX 100
#define MEETING_TOPIC_MAX 500
#define MEETING_HOST_MAX 30
#define MEETING_MINUTES_MAX 20000
#define MEETING_REASON_MAX 200    /* a leave's reason */
#define MEETING_FILES_MAX 30      /* files and photos of one meeting */
#define SIGNIN_MINUTES_DEFAULT 240 /* the QR sign-in window from when the code is made */
#define SIGNIN_MINUTES_MAX 1440

/* A meeting as typed. kind_name: the office's own name, for kind custom only. lecturer_user_id:
 * a 党课's lecturer (a leader's account), as typed; blank for none. */
typedef struct meeting_form_in {
    const char *kind, *kind_name, *title, *held_on, *place, *topic, *host_name, *minutes, *lecturer_user_id;
} meeting_form_in;
typedef struct meeting_form_ok {
    meeting_kind kind;
    int64_t lecturer_user_id;
    char kind_name[4 * MEETING_KIND_NAME_MAX + 1], title[4 * MEETING_TITLE_MAX + 1], held_on[11];
    char place[4 * MEETING_PLACE_MAX + 1], topic[4 * MEETING_TOPIC_MAX + 1], host_name[4 * MEETING_HOST_MAX + 1];
    char *minutes; /* malloc'd (meeting_form_free) */
} meeting_form_ok;
/* Checks in this order: kind (422 invalid_kind), kind_name (custom: required, ≤ 20), title (1–100
 * characters, one line; blank: the kind's label), held_on (a date, required), place, topic,
 * host_name, minutes (optional texts within their bounds), lecturer_user_id (a positive id, only
 * for a 党课: 422 lecturer_not_lecture otherwise). CX_OK or CX_ERR with e on the field. */
int meeting_form_check(const meeting_form_in *in, meeting_form_ok *out, cx_err *e);
void meeting_form_free(meeting_form_ok *ok);

/* An attendance mark by the secretary: state present|absent|leave|expected (400 invalid_state),
 * reason required for leave (422 reason_required) and at most MEETING_REASON_MAX characters;
 * blank otherwise (kept out). */
typedef struct attend_ok {
    attend_state state;
    char reason[4 * MEETING_REASON_MAX + 1];
} attend_ok;
int attend_check(const char *state, const char *reason, attend_ok *out, cx_err *e);

/* Whether a sign-in window [opens, closes) (Unix seconds) touches the meeting's day held_on, with a
 * day's grace either side (an evening meeting, a clock a little off): a code made today for a
 * meeting three weeks away, or last month's, is refused with 422 window_not_meeting_day on held_on. */
int signin_window_day(const char *held_on, int64_t opens, int64_t closes, cx_err *e);

/* The QR sign-in window [opens, closes) in unix seconds: open now (now inside), not yet (409
 * signin_not_open), closed (409 signin_closed); a meeting without a code (opens = closes = 0)
 * 409 signin_off. */
int signin_window(int64_t opens, int64_t closes, int64_t now, cx_err *e);
/* The window asked for when a code is made: minutes (blank: SIGNIN_MINUTES_DEFAULT; 1..1440) from
 * now, or explicit opens/closes (unix seconds, both; closes after opens, at most a day apart).
 * 400 invalid_minutes / invalid_window. */
int signin_window_check(const char *minutes, const char *opens, const char *closes, int64_t now, int64_t *o, int64_t *c, cx_err *e);

/* Quotas: count meetings of kind per period. The defaults where no organisation up the tree set
 * one: 支部党员大会 1 a quarter, 支委会 1 a month, 党小组会 1 a month, 党课 1 a quarter, 主题党日 1 a
 * month; other kinds none (count 0). */
typedef struct meeting_quota {
    meeting_kind kind;
    quota_per per;
    int64_t count;
    int64_t set_by; /* the organisation whose row decides; 0: the default */
} meeting_quota;
void meeting_quota_default(meeting_kind k, meeting_quota *q);
/* A quota as typed: kind, per (month|quarter|year: 400 invalid_per), count (0..31: 400
 * invalid_count). */
int quota_check(const char *kind, const char *per, const char *count, meeting_quota *out, cx_err *e);
/* The days a quota is judged over for the reporting period [from, to] (whole months): the
 * period widened to whole periods of the quota (a quarterly quota seen in a month is judged over
 * that month's quarter), into wfrom/wto, and how many meetings it asks for there. */
int64_t quota_window(const meeting_quota *q, const char *from, const char *to, char wfrom[11], char wto[11]);
/* A reporting period as people write it: "2026-03" (a month), "2026Q1" (a quarter), "2026" (a
 * year) into its first and last day; 400 invalid_period. */
int meeting_period(const char *text, char from[11], char to[11], cx_err *e);

/* ---- the branches meeting their quotas by month (store/quota_rollup.h) ---- */
/* The months of date's year whose reporting period judges a meeting of quota q's kind held on
 * date (bit i: month i + 1): the month itself for a monthly quota, the quarter's three for a
 * quarterly one, all twelve for a yearly one; 0 for a zero quota or a date not read. */
unsigned quota_months(const meeting_quota *q, const char *date);
/* Whether quotas q are all met in each month of a year (met[i]: month i + 1) when held[k][i]
 * meetings of kind k were held in month i + 1: each quota with a count judged over its own window
 * containing the month (quota_window); quotas all zero are met with no meeting. */
void quota_met_year(const meeting_quota q[MK_COUNT], const int64_t held[MK_COUNT][12], bool met[12]);
#endif
