/* period.c: roll-up counters by quarter (see period.h). A change adds its delta to the row of
 * its organisation and of every ancestor (ids read from the materialized path). */
#include "period.h"
#include "../domain/orgpath.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

const char *const period_cols[PR_N] = {
    "reports_due", "reports_on_time", "reports_late",
    "findings", "findings_closed",
    "rect_due", "rect_on_time",
    "feedback_due", "feedback_on_time",
    "pledges_due", "pledges_fulfilled", "pledges_missed_unjustified",
};
const char *const period_labels[PR_N] = {
    "应报送汇报", "按时报送汇报", "逾期报送汇报",
    "督查发现问题", "督查问题已整改销号",
    "到期整改事项", "按期整改销号",
    "到期应答复意见", "按期答复意见",
    "到期承诺", "已兑现承诺", "无正当理由未兑现承诺",
};

static char add_sql[2048], get_sql[1536], children_sql[2048];
static pthread_once_t sql_once = PTHREAD_ONCE_INIT;

static void build_sql(void)
{
    char cols[600] = "", vals[100] = "", sets[1200] = "", sums[900] = "";
    for (int i = 0; i < PR_N; i++) {
        const char *c = period_cols[i], *sep = i ? ", " : "";
        size_t n;
        n = strlen(cols), snprintf(cols + n, sizeof cols - n, "%s%s", sep, c);
        n = strlen(vals), snprintf(vals + n, sizeof vals - n, "%s?", sep);
        n = strlen(sets), snprintf(sets + n, sizeof sets - n, "%s%s = period_rollup.%s + excluded.%s", sep, c, c, c);
        n = strlen(sums), snprintf(sums + n, sizeof sums - n, "%scoalesce(sum(%s), 0)", sep, c);
    }
    snprintf(add_sql, sizeof add_sql,
             "INSERT INTO period_rollup (quarter, org_id, %s) VALUES (?, ?, %s) ON CONFLICT (quarter, org_id) DO UPDATE SET %s",
             cols, vals, sets);
    snprintf(get_sql, sizeof get_sql, "SELECT %s FROM period_rollup WHERE org_id = ? AND quarter BETWEEN ? AND ?", sums);
    snprintf(children_sql, sizeof children_sql,
             "SELECT o.id, o.parent_id, o.depth, o.path, o.name, o.type, o.sector, %s FROM org o "
             "LEFT JOIN period_rollup period_rollup ON period_rollup.org_id = o.id AND period_rollup.quarter BETWEEN ? AND ? "
             "WHERE o.parent_id = ? AND o.active = 1 GROUP BY o.id, o.parent_id, o.depth, o.path, o.name, o.type, o.sector "
             "ORDER BY o.name",
             sums);
}

int period_quarter(const char *date)
{
    if (!date || strlen(date) < 7 || date[4] != '-') return 0;
    int y = atoi(date), m = atoi(date + 5);
    if (y < 1900 || y > 9999 || m < 1 || m > 12) return 0;
    return y * 10 + (m + 2) / 3;
}

int period_parse(const char *text, int *from_q, int *to_q)
{
    if (!text || strlen(text) < 4) return CX_ERR;
    for (int i = 0; i < 4; i++)
        if (text[i] < '0' || text[i] > '9') return CX_ERR;
    int y = atoi(text);
    if (y < 1900) return CX_ERR;
    const char *t = text + 4;
    if (!*t) *from_q = y * 10 + 1, *to_q = y * 10 + 4;
    else if (!strcmp(t, "H1")) *from_q = y * 10 + 1, *to_q = y * 10 + 2;
    else if (!strcmp(t, "H2")) *from_q = y * 10 + 3, *to_q = y * 10 + 4;
    else if (t[0] == 'Q' && t[1] >= '1' && t[1] <= '4' && !t[2]) *from_q = *to_q = y * 10 + (t[1] - '0');
    else return CX_ERR;
    return CX_OK;
}

void period_label(int from_q, int to_q, char *out, size_t cap)
{
    static const char *const qn[] = {"", "第一季度", "第二季度", "第三季度", "第四季度"};
    int y1 = from_q / 10, q1 = from_q % 10, y2 = to_q / 10, q2 = to_q % 10;
    if (q1 < 1 || q1 > 4 || q2 < 1 || q2 > 4) snprintf(out, cap, "—");
    else if (y1 == y2 && q1 == 1 && q2 == 4) snprintf(out, cap, "%d年", y1);
    else if (y1 == y2 && q1 == 1 && q2 == 2) snprintf(out, cap, "%d年上半年", y1);
    else if (y1 == y2 && q1 == 3 && q2 == 4) snprintf(out, cap, "%d年下半年", y1);
    else if (from_q == to_q) snprintf(out, cap, "%d年%s", y1, qn[q1]);
    else snprintf(out, cap, "%d年%s至%d年%s", y1, qn[q1], y2, qn[q2]);
}

static bool period_zero(const period *p)
{
    for (int i = 0; i < PR_N; i++)
        if (p->v[i]) return false;
    return true;
}

int period_add(db *d, int quarter, const char *org_path, const period *delta)
{
    pthread_once(&sql_once, build_sql);
    if (!quarter || period_zero(delta)) return CX_OK;
    int depth = orgpath_depth(org_path);
    if (depth < 0) return CX_ERR;
    for (int k = 0; k <= depth; k++) {
        int64_t id = orgpath_at(org_path, k);
        db_stmt *s = id > 0 ? db_prepare(d, add_sql) : NULL;
        if (!s) return CX_ERR;
        db_bind_i64(s, 1, quarter);
        db_bind_i64(s, 2, id);
        for (int i = 0; i < PR_N; i++) db_bind_i64(s, 3 + i, delta->v[i]);
        int rc = db_step(s);
        db_done(s);
        if (rc == CX_ERR) return CX_ERR;
    }
    return CX_OK;
}

int period_change(db *d, int old_q, const char *old_path, const period *old, int new_q, const char *new_path,
                  const period *new_)
{
    if (old_path && new_path && old_q == new_q && !strcmp(old_path, new_path)) {
        period delta;
        for (int i = 0; i < PR_N; i++) delta.v[i] = new_->v[i] - old->v[i];
        return period_add(d, new_q, new_path, &delta);
    }
    if (old_path) {
        period neg;
        for (int i = 0; i < PR_N; i++) neg.v[i] = -old->v[i];
        if (period_add(d, old_q, old_path, &neg) != CX_OK) return CX_ERR;
    }
    return new_path ? period_add(d, new_q, new_path, new_) : CX_OK;
}

int period_get(db *d, int64_t org_id, int from_q, int to_q, period *out)
{
    pthread_once(&sql_once, build_sql);
    memset(out, 0, sizeof *out);
    db_stmt *s = db_prepare(d, get_sql);
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, org_id);
    db_bind_i64(s, 2, from_q);
    db_bind_i64(s, 3, to_q);
    int rc = db_step(s);
    for (int i = 0; rc == DB_ROW && i < PR_N; i++) out->v[i] = db_col_i64(s, i);
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int period_children(db *d, int64_t org_id, int from_q, int to_q, period_fn fn, void *ctx)
{
    pthread_once(&sql_once, build_sql);
    db_stmt *s = db_prepare(d, children_sql);
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, from_q);
    db_bind_i64(s, 2, to_q);
    db_bind_i64(s, 3, org_id);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        org o = {.active = 1};
        period p;
        o.id = db_col_i64(s, 0);
        o.parent_id = db_col_i64(s, 1);
        o.depth = db_col_i64(s, 2);
        snprintf(o.path, sizeof o.path, "%s", db_col_text(s, 3));
        snprintf(o.name, sizeof o.name, "%s", db_col_text(s, 4));
        snprintf(o.type, sizeof o.type, "%s", db_col_text(s, 5));
        snprintf(o.sector, sizeof o.sector, "%s", db_col_text(s, 6));
        for (int i = 0; i < PR_N; i++) p.v[i] = db_col_i64(s, 7 + i);
        if (fn(ctx, &o, &p)) break;
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

void period_first_day(int quarter, char out[11])
{
    int y = quarter / 10, q = quarter % 10;
    if (q < 1 || q > 4) y = 0, q = 1;
    snprintf(out, 11, "%04d-%02d-01", y % 10000, 3 * (q - 1) + 1);
}

/* One counter from the raw records: the statement counts the records of the organisations in
 * [?1, ?2) (paths) whose date is in [?3, ?4) (days). The date column, named once per table,
 * decides the quarter as the migration says. */
static const struct {
    int col;
    const char *sql;
} raw_counts[] = {
    {PR_REPORTS_DUE, "SELECT count(*) FROM report x JOIN org o ON o.id = x.org_id WHERE o.path >= ? AND o.path < ? "
                     "AND x.due_date >= ? AND x.due_date < ?"},
    {PR_REPORTS_ON_TIME, "SELECT count(*) FROM report x JOIN org o ON o.id = x.org_id WHERE o.path >= ? AND o.path < ? "
                         "AND x.due_date >= ? AND x.due_date < ? AND x.first_submitted_on <> '' AND x.first_submitted_on <= x.due_date"},
    {PR_REPORTS_LATE, "SELECT count(*) FROM report x JOIN org o ON o.id = x.org_id WHERE o.path >= ? AND o.path < ? "
                      "AND x.due_date >= ? AND x.due_date < ? AND x.first_submitted_on > x.due_date"},
    {PR_FINDINGS, "SELECT count(*) FROM inspection_finding x JOIN org o ON o.id = x.org_id WHERE o.path >= ? AND o.path < ? "
                  "AND x.found_on >= ? AND x.found_on < ? AND x.level = 'problem'"},
    {PR_FINDINGS_CLOSED, "SELECT count(*) FROM inspection_finding x JOIN org o ON o.id = x.org_id "
                         "JOIN rectification r ON r.id = x.rect_id WHERE o.path >= ? AND o.path < ? "
                         "AND x.found_on >= ? AND x.found_on < ? AND x.level = 'problem' AND r.status = 'verified'"},
    {PR_RECT_DUE, "SELECT count(*) FROM rectification x JOIN org o ON o.id = x.org_id WHERE o.path >= ? AND o.path < ? "
                  "AND x.due_date >= ? AND x.due_date < ? AND x.status <> 'cancelled'"},
    {PR_RECT_ON_TIME, "SELECT count(*) FROM rectification x JOIN org o ON o.id = x.org_id WHERE o.path >= ? AND o.path < ? "
                      "AND x.due_date >= ? AND x.due_date < ? AND x.status = 'verified' AND x.submitted_on <> '' "
                      "AND x.submitted_on <= x.due_date"},
    {PR_FEEDBACK_DUE, "SELECT count(*) FROM feedback x JOIN org o ON o.id = x.org_id WHERE o.path >= ? AND o.path < ? "
                      "AND x.due_date >= ? AND x.due_date < ? AND x.status <> 'merged'"},
    {PR_FEEDBACK_ON_TIME, "SELECT count(*) FROM feedback x JOIN org o ON o.id = x.org_id WHERE o.path >= ? AND o.path < ? "
                          "AND x.due_date >= ? AND x.due_date < ? AND x.status = 'replied' AND x.replied_date <= x.due_date"},
    {PR_PLEDGES_DUE, "SELECT count(*) FROM pledge x JOIN org o ON o.id = x.org_id WHERE o.path >= ? AND o.path < ? "
                     "AND x.due_date >= ? AND x.due_date < ? AND x.status IN ('in_progress','completed','missed','rated','renewed')"},
    {PR_PLEDGES_FULFILLED, "SELECT count(*) FROM pledge x JOIN org o ON o.id = x.org_id WHERE o.path >= ? AND o.path < ? "
                           "AND x.due_date >= ? AND x.due_date < ? AND x.status IN ('completed','rated','renewed') "
                           "AND x.completed_at > 0"},
    {PR_PLEDGES_MISSED_UNJUSTIFIED, "SELECT count(*) FROM pledge x JOIN org o ON o.id = x.org_id WHERE o.path >= ? "
                                    "AND o.path < ? AND x.due_date >= ? AND x.due_date < ? AND x.miss_kind = 'unjustified'"},
};

int period_raw(db *d, const char *org_path, int from_q, int to_q, period *out)
{
    memset(out, 0, sizeof *out);
    char end[CX_PATH_MAX], day0[11], day1[11];
    orgpath_end(org_path, end, sizeof end);
    period_first_day(from_q, day0);
    period_first_day(to_q % 10 == 4 ? (to_q / 10 + 1) * 10 + 1 : to_q + 1, day1);
    for (size_t i = 0; i < sizeof raw_counts / sizeof raw_counts[0]; i++)
        if (db_i64(d, &out->v[raw_counts[i].col], 0, raw_counts[i].sql, "ssss", org_path, end, day0, day1) != CX_OK)
            return CX_ERR;
    return CX_OK;
}
