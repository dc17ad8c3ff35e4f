/* report.h: scheduled reports (定期汇报述职) in plain C: the kinds of schedule, the lifecycle of
 * one organisation's report, the checks of what an office types when it sets a schedule and of
 * the sections a secretary writes, and lateness in working days. No SQL, no HTTP.
 *
 *   due ──submit──▶ submitted ──accept──▶ accepted
 *    │  (save a draft, files)  │
 *    │                         └──return(comment)──▶ returned ──submit──▶ submitted …
 *
 * Deadlines: a schedule's due date is given as a date (not before the period's end) or as N
 * working days after the period's end over the workday calendar; it is computed once, when the
 * schedule is made, and kept on every report row. A report is late when it is first submitted
 * after its due date (逾期报送); its lateness is the working days from the due date to that day,
 * at least 1. A report never submitted is missing (逾期未报) once its due date has passed. */
#ifndef CX_REPORT_H
#define CX_REPORT_H
#include <stdbool.h>
#include <stdint.h>
#include "../lib/util.h"
#include "workday.h"

typedef enum { RPK_QUARTERLY = 0, RPK_HALF_YEAR, RPK_YEAR_END, RPK_DUTY, RPK_SELF_COMMENT, RPK_CUSTOM, RPK_COUNT } report_kind;
typedef enum { RPS_DUE = 0, RPS_SUBMITTED, RPS_RETURNED, RPS_ACCEPTED, RPS_COUNT } report_status;
typedef enum { RPA_SAVE = 0, RPA_SUBMIT, RPA_RETURN, RPA_ACCEPT, RPA_COUNT } report_action;
/* The filters of a list (status=…): waiting is a report row's state read against today. */
typedef enum { RPF_ALL = 0, RPF_DUE, RPF_MISSING, RPF_LATE, RPF_SUBMITTED, RPF_RETURNED, RPF_ACCEPTED, RPF_COUNT } report_filter;
/* How a person stands to a report (perm_report_relation): WRITER writes and submits it, JUDGE
 * accepts or returns it. */
enum { RPR_NONE = 0, RPR_WRITER = 1, RPR_JUDGE = 2 };

#define REPORT_TITLE_MAX 60
#define REPORT_OUTLINE_MAX 20       /* section titles */
#define REPORT_SECTION_TITLE_MAX 100
#define REPORT_SECTION_MAX 5000     /* characters of one section's text */
#define REPORT_COMMENT_MAX 500
#define REPORT_DUE_WORKDAYS_MAX 60
#define REPORT_FILES_MAX 20

const char *report_kind_name(report_kind k);
const char *report_kind_label(report_kind k);
int report_kind_from_name(const char *name);
const char *report_status_name(report_status s);
const char *report_status_label(report_status s);
int report_status_from_name(const char *name);
const char *report_action_name(report_action a);
const char *report_action_label(report_action a);
const char *report_filter_name(report_filter f);
const char *report_filter_label(report_filter f);
int report_filter_from_name(const char *name);

/* Decides an action: CX_OK with *next, or 409 invalid_transition (the state does not allow it) or
 * 403 not_allowed (it does, not to this person). next and e may be NULL. */
int report_decide(report_status from, report_action action, int relation, report_status *next, cx_err *e);

/* A schedule as typed. for_types / for_sectors: comma-separated org types / sectors ("" all);
 * exactly one of due_date and due_workdays; outline: a JSON array of section titles or one title
 * a line ("" none: one free section). title may be blank except for a custom kind. */
typedef struct report_schedule_in {
    const char *kind, *title, *for_types, *for_sectors, *period_start, *period_end, *due_date, *due_workdays, *outline;
} report_schedule_in;
typedef struct report_schedule_ok {
    report_kind kind;
    char title[4 * REPORT_TITLE_MAX + 1];
    char for_types[128], for_sectors[256];
    char period_start[11], period_end[11];
    char due_date[11];   /* "" until report_schedule_due fills it when due_workdays > 0 */
    int due_workdays;
    char *outline;       /* JSON array of titles, malloc'd: report_schedule_ok_free */
    int noutline;
} report_schedule_ok;
/* Checks in order: kind (invalid_kind), title (custom: required; ≤ REPORT_TITLE_MAX, one line),
 * for_types (invalid_type), for_sectors (invalid_sector), period_start, period_end (dates;
 * period_end before period_start: invalid_period; longer than two years: period_too_long),
 * due (due_date and due_workdays both or neither: due_required; due_workdays 1..60: invalid_due_workdays;
 * due_date before period_end: due_before_period_end), outline (invalid_outline, too_many_sections,
 * section_title_too_long). All 400 on the field named. A blank title becomes the kind's label
 * with the period ("季度检查（2026-01-01至2026-03-31）"). */
int report_schedule_check(const report_schedule_in *in, report_schedule_ok *out, cx_err *e);
void report_schedule_ok_free(report_schedule_ok *s);
/* The due date of a schedule given in working days: due_workdays after period_end over cal. */
int report_schedule_due(report_schedule_ok *s, const workday_cal *cal);

/* The sections of a report being written: texts[i] for the outline's title i (n texts; an outline
 * of no title has one free section "正文"). Missing texts are "". Each text ≤ REPORT_SECTION_MAX
 * (too_long on "sections"); for a submission every section must have text (section_required, its
 * title in the message). *draft: a JSON array of the trimmed texts, malloc'd. */
int report_sections_check(const char *outline_json, const char *const *texts, int n, bool submit, char **draft, cx_err *e);
/* The submitted sections [{title, text}] of a draft under an outline (malloc'd JSON). */
char *report_sections_json(const char *outline_json, const char *draft_json);
/* The number of sections an outline makes (at least 1) and title i ("正文" for a free one). */
int report_outline_count(const char *outline_json);
void report_outline_title(const char *outline_json, int i, char *out, size_t cap);
/* A return's comment: required, ≤ REPORT_COMMENT_MAX (field "comment"); an acceptance's optional. */
int report_comment_check(report_action a, const char *comment, char *out, size_t cap, cx_err *e);

/* Working days late of a first submission on submitted_on against due_date: 0 when on time,
 * otherwise at least 1 (a rest day after the deadline counts as the next working day). */
int report_late_workdays(const workday_cal *cal, const char *due_date, const char *submitted_on);
/* The state of a row as people read it today: "missing" (never submitted, due date passed), else
 * its status name. */
const char *report_state(report_status s, const char *first_submitted_on, const char *due_date, const char *today);
#endif
