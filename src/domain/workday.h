/* workday.h: working days under China's calendar. Saturdays and Sundays are rest days unless the
 * calendar makes them working days (调休上班); weekdays are working days unless the calendar makes
 * them holidays (法定节假日及调休). The calendar is data (table workday in the store, editable by
 * the office); the shipped years come from workday_builtin. Due dates of feedback are counted in
 * working days with workday_add; overdue time with workday_count. */
#ifndef CX_WORKDAY_H
#define CX_WORKDAY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../lib/util.h"
#include "date.h" /* day_number, day_string */

enum { WD_HOLIDAY = 'H', WD_WORKDAY = 'W' };

typedef struct wd_day {
    char date[11];    /* YYYY-MM-DD */
    char kind;        /* WD_HOLIDAY: rest although a weekday; WD_WORKDAY: work although a weekend */
    char name[24];    /* 春节, 国庆节 …, or 调休上班 */
} wd_day;

/* The calendar's exceptions, sorted by date (the constructor sorts; a later duplicate wins). */
typedef struct workday_cal {
    wd_day *v;
    size_t n;
} workday_cal;
/* Copies n days into c (sorted). */
void workday_cal_init(workday_cal *c, const wd_day *days, size_t n);
void workday_cal_free(workday_cal *c);

/* 1 Monday … 7 Sunday. */
int weekday_of(const char *date);

bool workday_is(const workday_cal *c, const char *date);
/* The n-th working day after from (from itself not counted; n = 0 gives from). n ≤ 3660. */
int workday_add(const workday_cal *c, const char *from, int n, char out[11]);
/* Working days d with from < d ≤ to; negative (−count of to < d ≤ from) when to is before from. */
int64_t workday_count(const workday_cal *c, const char *from, const char *to);

/* The office's edit of one day as typed: date (a real date), kind "holiday" (rest; name 节日名称,
 * 1–12 characters, required), "workday" (调休上班, the name it gets), "normal" (follows the weekday
 * rule) or "reset" (drops the edit); 400 invalid_kind otherwise. The checks of workday_edit_set. */
#define WORKDAY_NAME_MAX 12
typedef struct workday_edit_in {
    const char *date, *kind, *name;
} workday_edit_in;
typedef struct workday_edit_ok {
    char date[11];
    const char *kind; /* one of the four names (static) */
    bool reset;       /* kind "reset" */
    char name[WORKDAY_NAME_MAX * 4 + 1];
} workday_edit_ok;
int workday_edit_check(const workday_edit_in *in, workday_edit_ok *out, cx_err *e);

/* The shipped calendar: 2026 as published by the State Council (国办发明电〔2025〕7号), and 2027's
 * statutory holidays (全国年节及纪念日放假办法, 2024 revision) on their dates, provisional until
 * the State Council publishes the 2027 arrangement (then the office edits it). */
extern const wd_day workday_builtin[];
extern const size_t workday_builtin_n;
/* True when the shipped data for year is provisional. */
bool workday_year_provisional(int year);
#endif
