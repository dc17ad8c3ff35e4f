/* report_schedule.c: report schedules (report.h): making one with its report rows, the roll-ups
 * of reports due and the notifications, all in one transaction; reading and progress. */
#include "report.h"
#include "calendar.h"
#include "notify.h"
#include "period.h"
#include "row.h"
#include "../lib/json.h"
#include "../domain/date.h"
#include "../domain/orgpath.h"
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define SCHED_COLS                                                                                                 \
    "s.id, s.org_id, s.reports, s.created_by, s.created_at, s.kind, s.due_workdays, s.title, s.for_types, s.for_sectors, " \
    "s.period_start, s.period_end, s.due_date, s.outline, s.created_by_name, o.name, o.path"
#define SCHED_FROM " FROM report_schedule s JOIN org o ON o.id = s.org_id"

static void read_sched(db_stmt *st, report_schedule *s)
{
    s->id = db_col_i64(st, 0);
    s->org_id = db_col_i64(st, 1);
    s->reports = db_col_i64(st, 2);
    s->created_by = db_col_i64(st, 3);
    s->created_at = db_col_i64(st, 4);
    int k = report_kind_from_name(db_col_text(st, 5));
    s->kind = k < 0 ? RPK_CUSTOM : (report_kind)k;
    s->due_workdays = (int)db_col_i64(st, 6);
    struct { char *dst; size_t cap; } t[] = {
        {s->title, sizeof s->title}, {s->for_types, sizeof s->for_types}, {s->for_sectors, sizeof s->for_sectors},
        {s->period_start, sizeof s->period_start}, {s->period_end, sizeof s->period_end}, {s->due_date, sizeof s->due_date},
        {s->outline, sizeof s->outline}, {s->created_by_name, sizeof s->created_by_name}, {s->org_name, sizeof s->org_name},
        {s->org_path, sizeof s->org_path},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) copy_col(t[i].dst, t[i].cap, st, 7 + (int)i);
}

int report_schedule_get(db *d, int64_t id, report_schedule *s)
{
    memset(s, 0, sizeof *s);
    db_stmt *st = db_prepare(d, "SELECT " SCHED_COLS SCHED_FROM " WHERE s.id = ?");
    if (!st) return CX_ERR;
    db_bind_i64(st, 1, id);
    int rc = db_step(st);
    if (rc == DB_ROW) read_sched(st, s);
    db_done(st);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : CX_ERR;
}

int report_schedule_list(db *d, int64_t org_id, report_schedule_fn fn, void *ctx)
{
    db_stmt *st = db_prepare(d, "SELECT " SCHED_COLS SCHED_FROM " WHERE s.org_id = ? ORDER BY s.period_end DESC, s.id DESC");
    if (!st) return CX_ERR;
    db_bind_i64(st, 1, org_id);
    return DB_EACH(st, report_schedule, read_sched, fn, ctx);
}

int report_schedule_progress(db *d, int64_t schedule_id, const char *today, report_progress *p)
{
    char now[11];
    if (!today) date_today(now), today = now;
    memset(p, 0, sizeof *p);
    db_stmt *st = db_prepare(d, "SELECT count(*), "
                                "coalesce(sum(CASE WHEN first_submitted_on <> '' AND first_submitted_on <= due_date THEN 1 ELSE 0 END), 0), "
                                "coalesce(sum(CASE WHEN first_submitted_on > due_date THEN 1 ELSE 0 END), 0), "
                                "coalesce(sum(CASE WHEN first_submitted_on = '' AND due_date < ? THEN 1 ELSE 0 END), 0), "
                                "coalesce(sum(CASE WHEN first_submitted_on = '' AND due_date >= ? THEN 1 ELSE 0 END), 0), "
                                "coalesce(sum(CASE WHEN status = 'submitted' THEN 1 ELSE 0 END), 0), "
                                "coalesce(sum(CASE WHEN status = 'returned' THEN 1 ELSE 0 END), 0), "
                                "coalesce(sum(CASE WHEN status = 'accepted' THEN 1 ELSE 0 END), 0) "
                                "FROM report WHERE schedule_id = ?");
    if (!st) return CX_ERR;
    db_bind_text(st, 1, today);
    db_bind_text(st, 2, today);
    db_bind_i64(st, 3, schedule_id);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        int64_t *v[] = {&p->total, &p->on_time, &p->late, &p->missing, &p->waiting, &p->submitted, &p->returned, &p->accepted};
        for (int i = 0; i < 8; i++) *v[i] = db_col_i64(st, i);
    }
    db_done(st);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* " AND col IN (?,?…)" over a comma-separated list, its values bound (list must outlive q). */
static void where_in(db_q *q, const char *col, char *list)
{
    if (!list[0]) return;
    char cond[300], *save = NULL;
    int n = snprintf(cond, sizeof cond, "%s IN (", col);
    const char *vals[16];
    int nv = 0;
    for (char *p = strtok_r(list, ",", &save); p && nv < 16; p = strtok_r(NULL, ",", &save)) {
        vals[nv++] = p;
        n += snprintf(cond + n, sizeof cond - (size_t)n, "%s?", nv > 1 ? "," : "");
    }
    snprintf(cond + n, sizeof cond - (size_t)n, ")");
    db_q_where(q, cond, "");
    for (int i = 0; i < nv; i++) db_q_add(q, "", "s", vals[i]);
}

/* The report rows of schedule sid: one INSERT … SELECT over issuer's strict subtree. */
static int make_rows(db *d, int64_t sid, const org *issuer, const report_schedule_ok *in, int64_t now, int64_t *n)
{
    char end[CX_PATH_MAX], types[sizeof in->for_types], sectors[sizeof in->for_sectors];
    orgpath_end(issuer->path, end, sizeof end);
    memcpy(types, in->for_types, sizeof types);
    memcpy(sectors, in->for_sectors, sizeof sectors);
    db_q q;
    db_q_init(&q, "INSERT INTO report (schedule_id, org_id, org_path, due_date, status, updated_at) "
                  "SELECT CAST(? AS BIGINT), o.id, o.path, ?, 'due', CAST(? AS BIGINT) FROM org o");
    db_q_add(&q, "", "isi", sid, in->due_date, now);
    db_q_where(&q, "o.path > ? AND o.path < ? AND o.active = 1", "ss", issuer->path, end);
    where_in(&q, "o.type", types);
    where_in(&q, "o.sector", sectors);
    /* the demo's loader: the rows' keys (schedule, organisation) checked in one join at commit */
    db_stmt *s = db_defer_fk_table(d, "report") == CX_OK ? db_q_prepare(d, &q) : NULL;
    if (!s) return CX_ERR;
    int rc = db_step(s);
    *n = rc == CX_ERR ? 0 : db_changes(s);
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* reports_due of the schedule's rows in the roll-ups: the issuer and its ancestors get them all
 * (period_add), each organisation strictly below the issuer those in its subtree, in one
 * statement (a district has thousands of branches). Each report counts once for its organisation
 * and once for each ancestor, walked up through parent_id from the schedule's own rows (read by
 * report_u): counting each organisation's subtree through the report path index read every
 * schedule's reports below it again (a district of 100,000 members: 0.37 s a schedule). */
static int rollup_due(db *d, int64_t sid, const org *issuer, int quarter, int64_t n)
{
    period p = {{0}};
    p.v[PR_REPORTS_DUE] = n;
    if (period_add(d, quarter, issuer->path, &p) != CX_OK) return CX_ERR;
    /* PostgreSQL: an organisation's ancestors are the ids of its path ("/1/7/42/": split_part 2, 3,
     * 4), those strictly below the issuer from split_part depth + 3 to the path's count of '/'; read
     * from the rows' own paths, without a look-up of each ancestor (the walk up: ~13,000 of them a
     * schedule at 100,000 members, 50-60 ms) */
    if (db_kind_of(d) == DB_PG)
        return db_defer_fk_table(d, "period_rollup") != CX_OK ? CX_ERR : db_run(d, "INSERT INTO period_rollup (quarter, org_id, reports_due) "
                         "SELECT CAST(? AS INTEGER), CAST(split_part(r.org_path, '/', k) AS BIGINT), count(*) FROM report r "
                         "CROSS JOIN LATERAL generate_series(CAST(? AS INTEGER), length(r.org_path) - length(replace(r.org_path, '/', ''))) k "
                         "WHERE r.schedule_id = ? GROUP BY 2 "
                         "ON CONFLICT (quarter, org_id) DO UPDATE SET reports_due = period_rollup.reports_due + excluded.reports_due",
                      "iii", quarter, orgpath_depth(issuer->path) + 3, sid);
    char end[CX_PATH_MAX];
    orgpath_end(issuer->path, end, sizeof end);
    return db_run(d, "WITH RECURSIVE up (id) AS (SELECT org_id FROM report WHERE schedule_id = ? "
                     "UNION ALL SELECT o.parent_id FROM up JOIN org o ON o.id = up.id WHERE o.parent_id IS NOT NULL) "
                     "INSERT INTO period_rollup (quarter, org_id, reports_due) "
                     "SELECT CAST(? AS INTEGER), a.id, count(*) FROM up JOIN org a ON a.id = up.id WHERE a.path > ? AND a.path < ? GROUP BY a.id "
                     "ON CONFLICT (quarter, org_id) DO UPDATE SET reports_due = period_rollup.reports_due + excluded.reports_due",
                  "iiss", sid, quarter, issuer->path, end);
}

static char *sched_json(const report_schedule_ok *in, int64_t n)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "kind", report_kind_name(in->kind));
    cJSON_AddStringToObject(j, "title", in->title);
    cJSON_AddStringToObject(j, "for_types", in->for_types);
    cJSON_AddStringToObject(j, "for_sectors", in->for_sectors);
    cJSON_AddStringToObject(j, "period_start", in->period_start);
    cJSON_AddStringToObject(j, "period_end", in->period_end);
    cJSON_AddStringToObject(j, "due_date", in->due_date);
    json_add_i64(j, "due_workdays", in->due_workdays);
    cJSON_AddRawToObject(j, "outline", in->outline ? in->outline : "[]");
    json_add_i64(j, "reports", n);
    return json_take(j);
}

int report_schedule_create(db *d, const actor *a, const org *issuer, report_schedule_ok *in, int64_t *id, cx_err *e)
{
    if (!issuer->active) return cx_fail(e, 404, "not_found", "id", "党组织不存在或已停用");
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    if (in->due_workdays > 0) { /* over the calendar as it is now; kept, so later edits move nothing */
        workday_cal cal;
        if (feedback_calendar(d, &cal) != CX_OK) return db_fail(d, e);
        int rc = report_schedule_due(in, &cal);
        workday_cal_free(&cal);
        if (rc != CX_OK) {
            db_rollback(d);
            return cx_fail(e, 400, "invalid_due_workdays", "due_workdays", "无法按工作日历计算报送期限");
        }
    }
    /* the same schedule again (a double submit, two at once under the issuer's lock) would give every
     * organisation a second report of which one stays missing */
    int64_t sid = 0, n = 0, now = now_unix(), same = 0;
    if (db_lock(d, "report_schedule", issuer->id) != CX_OK ||
        db_i64(d, &same, 0, "SELECT id FROM report_schedule WHERE org_id = ? AND kind = ? AND title = ? AND for_types = ? AND for_sectors = ? "
                            "AND period_start = ? AND period_end = ? AND due_date = ? ORDER BY id LIMIT 1",
               "isssssss", issuer->id, report_kind_name(in->kind), in->title, in->for_types, in->for_sectors, in->period_start, in->period_end,
               in->due_date) != CX_OK)
        return db_fail(d, e);
    if (same) {
        db_rollback(d);
        return cx_fail(e, 409, "duplicate", "title", "“%s”已有一项相同的汇报安排（第 %" PRId64 " 号：%s，%s至%s），请勿重复新建", issuer->name, same,
                       in->title, in->period_start, in->period_end);
    }
    if (db_i64(d, &sid, 0, "INSERT INTO report_schedule (org_id, kind, title, for_types, for_sectors, period_start, period_end, due_workdays, "
                           "due_date, outline, created_by, created_by_name, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
               "issssssissisi", issuer->id, report_kind_name(in->kind), in->title, in->for_types, in->for_sectors, in->period_start,
               in->period_end, in->due_workdays, in->due_date, in->outline ? in->outline : "[]", a ? a->user_id : 0, actor_shown(a), now) != CX_OK ||
        make_rows(d, sid, issuer, in, now, &n) != CX_OK)
        return db_fail(d, e);
    if (n == 0) {
        db_rollback(d);
        return cx_fail(e, 422, "no_organisations", "for_types", "“%s”下没有符合所选组织类型和领域的下级组织，汇报安排没有覆盖任何组织，未创建",
                       issuer->name);
    }
    int rc = db_run(d, "UPDATE report_schedule SET reports = ? WHERE id = ?", "ii", n, sid);
    if (rc == CX_OK) rc = rollup_due(d, sid, issuer, period_quarter(in->due_date), n);
    if (rc == CX_OK) {
        char text[600];
        snprintf(text, sizeof text, "新的汇报安排：%s，请于 %s 前报送", in->title, in->due_date);
        rc = notify_report_schedule(d, a, sid, text);
    }
    if (rc == CX_OK && id) *id = sid;
    return store_finish(d, a, "create", "report_schedule", sid, issuer->id, NULL, sched_json(in, n), rc, e);
}
