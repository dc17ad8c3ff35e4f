/* calendar.c: the workday calendar as kept in the database: the shipped calendar overlaid by
 * the office's edits, and the audited edit of one day (see calendar.h). */
#include "calendar.h"
#include "row.h"
#include "feedback_int.h"
#include "../domain/date.h"
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

int feedback_calendar(db *d, workday_cal *cal)
{
    size_t n = workday_builtin_n, cap = n + 16;
    wd_day *v = xmalloc(cap * sizeof *v);
    memcpy(v, workday_builtin, n * sizeof *v);
    db_stmt *s = db_prepare(d, "SELECT day, kind, name FROM workday_edit ORDER BY day");
    int rc = s ? DB_DONE : CX_ERR;
    while (s && (rc = db_step(s)) == DB_ROW) {
        if (n == cap) cap *= 2, v = xrealloc(v, cap * sizeof *v);
        wd_day *w = &v[n++];
        snprintf(w->date, sizeof w->date, "%s", db_col_text(s, 0));
        const char *k = db_col_text(s, 1);
        /* 'normal': the weekday rule, written as the entry that says the same */
        w->kind = !strcmp(k, "holiday") ? WD_HOLIDAY : !strcmp(k, "workday") ? WD_WORKDAY : weekday_of(w->date) <= 5 ? WD_WORKDAY : WD_HOLIDAY;
        snprintf(w->name, sizeof w->name, "%s", db_col_text(s, 2));
    }
    if (s) db_done(s);
    workday_cal_init(cal, v, n); /* later entries (the edits) win */
    free(v);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int workday_edits(db *d, int year, workday_edit_fn fn, void *ctx)
{
    char from[11], to[11];
    snprintf(from, sizeof from, "%04u-01-01", (unsigned)year % 10000u);
    snprintf(to, sizeof to, "%04u-12-31", (unsigned)year % 10000u);
    db_stmt *s = db_prepare(d, "SELECT day, kind, name, updated_at FROM workday_edit WHERE day >= ? AND day <= ? ORDER BY day");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, from);
    db_bind_text(s, 2, to);
    int rc;
    workday_edit w;
    while ((rc = db_step(s)) == DB_ROW) {
        snprintf(w.date, sizeof w.date, "%s", db_col_text(s, 0));
        snprintf(w.kind, sizeof w.kind, "%s", db_col_text(s, 1));
        snprintf(w.name, sizeof w.name, "%s", db_col_text(s, 2));
        w.updated_at = db_col_i64(s, 3);
        if (fn(ctx, &w)) break;
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

static int64_t ymd_number(const char *date) { return (int64_t)atoi(date) * 10000 + atoi(date + 5) * 100 + atoi(date + 8); }

int workday_edit_set(db *d, const actor *a, int64_t org_id, const workday_edit_ok *in, cx_err *e)
{
    const char *date = in->date, *kind = in->kind, *name = in->name;
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    char *before = NULL;
    db_stmt *s = db_prepare(d, "SELECT kind, name FROM workday_edit WHERE day = ?");
    if (!s) return db_fail(d, e);
    db_bind_text(s, 1, date);
    int f = db_step(s);
    if (f == DB_ROW) {
        cJSON *b = cJSON_CreateObject();
        cJSON_AddStringToObject(b, "date", date);
        cJSON_AddStringToObject(b, "kind", db_col_text(s, 0));
        cJSON_AddStringToObject(b, "name", db_col_text(s, 1));
        before = cJSON_PrintUnformatted(b);
        cJSON_Delete(b);
    }
    db_done(s);
    if (f == CX_ERR) return db_fail(d, e);
    int rc = in->reset ? db_run(d, "DELETE FROM workday_edit WHERE day = ?", "s", date)
                    : db_run(d, "INSERT INTO workday_edit (day, kind, name, updated_by, updated_at) VALUES (?,?,?,?,?) ON CONFLICT (day) "
                                "DO UPDATE SET kind = excluded.kind, name = excluded.name, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                             "sssii", date, kind, name, a ? a->user_id : 0, now_unix());
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "date", date);
    cJSON_AddStringToObject(j, "kind", kind);
    cJSON_AddStringToObject(j, "name", name);
    char *after = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return store_finish(d, a, "calendar", "workday", ymd_number(date), org_id, before, after, rc, e);
}
