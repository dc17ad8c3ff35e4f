/* calendar.c: the workday calendar page and API: a year's month grids with its holidays and
 * working weekends, and the edits of single days by the office of the top organisation. */
#include "web.h"
#include "../domain/date.h"
#include "../store/calendar.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

typedef struct edit_ctx {
    cJSON *arr;
    workday_cal *cal;
} edit_ctx;

static int add_edit(void *ctx, const workday_edit *w)
{
    cJSON *x = cJSON_CreateObject();
    cJSON_AddStringToObject(x, "date", w->date);
    cJSON_AddStringToObject(x, "kind", w->kind);
    cJSON_AddStringToObject(x, "name", w->name);
    cJSON_AddItemToArray(ctx, x);
    return 0;
}

void h_calendar(req *r)
{
    const char *ys = req_query(r, "year");
    char today[11];
    date_today(today);
    int64_t year = atoi(today);
    if (ys && *ys && (str_to_i64(ys, &year) != CX_OK || year < 2000 || year > 2100)) {
        req_failf(r, 400, "invalid_query", "year", "年份应在 2000 到 2100 之间");
        return;
    }
    workday_cal cal;
    if (feedback_calendar(r->db, &cal) != CX_OK) {
        workday_cal_free(&cal);
        req_failf(r, 500, "db_error", "", "读取工作日历失败");
        return;
    }
    cJSON *d = req_data(r);
    char title[32];
    snprintf(title, sizeof title, "%" PRId64 " 年工作日历", year);
    cJSON_AddStringToObject(d, "title", title);
    json_add_i64(d, "year", year);
    json_add_i64(d, "prev", year - 1);
    json_add_i64(d, "next", year + 1);
    cJSON_AddBoolToObject(d, "provisional", workday_year_provisional((int)year));
    cJSON_AddBoolToObject(d, "can_edit", req_top_office(r) != NULL);
    cJSON *edits = cJSON_AddArrayToObject(d, "edits");
    workday_edits(r->db, (int)year, add_edit, edits);
    /* the exceptions of the year (holidays on weekdays, working weekends), and month grids */
    cJSON *exc = cJSON_AddArrayToObject(d, "days");
    cJSON *months = cJSON_AddArrayToObject(d, "months");
    char first[11], day[11];
    snprintf(first, sizeof first, "%04d-01-01", (int)year);
    int64_t z0 = day_number(first), workdays = 0;
    cJSON *weeks = NULL, *week = NULL;
    for (int64_t z = z0;; z++) {
        day_string(z, day);
        if (atoi(day) != year) break;
        int wd = weekday_of(day), m = atoi(day + 5), dd = atoi(day + 8);
        bool work = workday_is(&cal, day), weekend = wd >= 6;
        workdays += work;
        const wd_day *hit = NULL;
        for (size_t i = 0; i < cal.n && !hit; i++)
            if (!strcmp(cal.v[i].date, day)) hit = &cal.v[i];
        bool edited = false;
        cJSON *e;
        cJSON_ArrayForEach(e, edits) if (!strcmp(cJSON_GetObjectItem(e, "date")->valuestring, day)) edited = true;
        const char *name = hit && hit->name[0] ? hit->name : "";
        if (work == weekend || (*name && !work)) { /* an exception, or a named holiday on a weekend */
            cJSON *x = cJSON_CreateObject();
            cJSON_AddStringToObject(x, "date", day);
            cJSON_AddBoolToObject(x, "workday", work);
            cJSON_AddStringToObject(x, "name", name);
            cJSON_AddBoolToObject(x, "edited", edited);
            cJSON_AddItemToArray(exc, x);
        }
        if (dd == 1 || wd == 1) {
            if (dd == 1) {
                cJSON *month = cJSON_CreateObject();
                char mname[16];
                snprintf(mname, sizeof mname, "%d 月", m);
                cJSON_AddStringToObject(month, "name", mname);
                weeks = cJSON_AddArrayToObject(month, "weeks");
                cJSON_AddItemToArray(months, month);
            }
            cJSON *w = cJSON_CreateObject();
            week = cJSON_AddArrayToObject(w, "cells");
            cJSON_AddItemToArray(weeks, w);
            for (int k = 1; dd == 1 && k < wd; k++) { /* blank cells before the 1st: every key set, so none falls through */
                cJSON *b = cJSON_CreateObject();
                cJSON_AddStringToObject(b, "d", "");
                cJSON_AddStringToObject(b, "title", "");
                cJSON_AddFalseToObject(b, "rest");
                cJSON_AddFalseToObject(b, "work");
                cJSON_AddItemToArray(week, b);
            }
        }
        cJSON *c = cJSON_CreateObject();
        json_add_i64(c, "d", dd);
        cJSON_AddStringToObject(c, "title", *name ? name : work == weekend ? (work ? "调休上班" : "放假") : "");
        cJSON_AddBoolToObject(c, "rest", !work && (!weekend || *name));
        cJSON_AddBoolToObject(c, "work", work && weekend);
        cJSON_AddItemToArray(week, c);
    }
    json_add_i64(d, "workdays", workdays);
    workday_cal_free(&cal);
}

void h_calendar_set(req *r)
{
    const grant *g = req_top_office(r);
    if (!g) {
        req_failf(r, 403, "forbidden", "", "只有最上级党组织的活动办公室可以修改工作日历");
        return;
    }
    cx_err e = {0};
    workday_edit_ok ok;
    if (workday_edit_check(&(workday_edit_in){req_in(r, "date"), req_in(r, "kind"), req_in(r, "name")}, &ok, &e) != CX_OK ||
        workday_edit_set(r->db, &r->who, g->org_id, &ok, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    const char *norm = ok.date;
    if (!req_is_api(r)) {
        req_redirect(r, "/calendar?year=%.4s", norm);
        return;
    }
    workday_cal cal;
    int rc = feedback_calendar(r->db, &cal);
    cJSON *x = cJSON_AddObjectToObject(req_data(r), "day");
    cJSON_AddStringToObject(x, "date", norm);
    cJSON_AddBoolToObject(x, "workday", rc == CX_OK && workday_is(&cal, norm));
    workday_cal_free(&cal);
}
