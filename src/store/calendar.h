/* calendar.h: the workday calendar as kept in the database: the shipped calendar
 * (domain/workday.c) overlaid by the office's edits of single days, which are audited. */
#ifndef CX_CALENDAR_H
#define CX_CALENDAR_H
#include "store.h"
#include "../domain/workday.h"

/* The effective calendar: workday_builtin overlaid by the office's edits. Free with
 * workday_cal_free. */
int feedback_calendar(db *d, workday_cal *cal);
typedef struct workday_edit {
    char date[11], kind[8], name[64];
    int64_t updated_at;
} workday_edit;
typedef int (*workday_edit_fn)(void *ctx, const workday_edit *w);
/* The edits of one year in date order. */
int workday_edits(db *d, int year, workday_edit_fn fn, void *ctx);
/* Sets one day (in passed workday_edit_check): kind "holiday" (rest, with its name: 春节 …),
 * "workday" (调休上班), "normal" (follows the weekday rule, removing a shipped entry), or "reset"
 * (drops the edit: the shipped calendar applies again). Audited (entity "workday", org_id = the
 * office's organisation). */
int workday_edit_set(db *d, const actor *a, int64_t org_id, const workday_edit_ok *in, cx_err *e);
#endif
