/* goal.h: responsibility (落实责任制), issue 22, in plain C: an organisation's annual goals
 * (年初工作目标) — their states with names and labels, the check of a goal as typed (title,
 * measures, year) and of a progress entry (percent, text). No SQL, no HTTP. */
#ifndef CX_DOMAIN_GOAL_H
#define CX_DOMAIN_GOAL_H
#include <stdbool.h>
#include <stdint.h>
#include "../lib/util.h"

typedef enum { GS_DRAFT = 0, GS_SUBMITTED, GS_ACCEPTED, GS_RETURNED, GS_COUNT } goal_status;
/* "draft" … with 草稿, 待验收, 已验收, 已退回; "" out of range; -1 unknown. */
const char *goal_status_name(int s);
const char *goal_status_label(int s);
int goal_status_from_name(const char *s);

#define GOAL_TITLE_MAX 100
#define GOAL_MEASURE_MAX 2000
#define GOAL_NOTE_MAX 500
#define GOAL_PROGRESS_MAX 2000
#define GOAL_YEAR_MIN 2000
#define GOAL_YEAR_MAX 2100
typedef struct goal_ok {
    int year;
    char title[GOAL_TITLE_MAX * 4 + 1];
    char *measure; /* malloc'd ("" allowed): free with goal_ok_free */
} goal_ok;
/* title 1–100 characters on one line, measure (措施) at most 2000 (text.h's errors on the field),
 * year an integer 2000–2100 (400 invalid_year). */
int goal_check(const char *year, const char *title, const char *measure, goal_ok *out, cx_err *e);
void goal_ok_free(goal_ok *o);
/* A progress entry: percent an integer 0–100 (400 invalid_percent), text 1–2000 (malloc'd into
 * *text). */
int goal_progress_check(const char *percent, const char *text, int *pct, char **out, cx_err *e);
/* Whether year lies in the years of a campaign running start..end (YYYY-MM-DD). */
bool goal_year_in(int year, const char *start, const char *end);
#endif
