/* period.c: roll-up counters by quarter (see period.h). A change adds its delta to the row of
 * its organisation and of every ancestor (ids read from the materialized path). */
#include "period.h"
#include "row.h"
#include "../domain/orgpath.h"
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *const period_cols[PR_N] = {
    "reports_due", "reports_on_time", "reports_late",
    "findings", "findings_closed",
    "rect_due", "rect_on_time",
    "feedback_due", "feedback_on_time",
    "pledges_due", "pledges_fulfilled", "pledges_missed_unjustified",
    /* liaison points (0026) */
    "visits", "visit_problems_found", "visit_problems_solved",
    /* organisation life (meetings) */
    "meetings_held", "attendance_expected", "attendance_present", "lectures_held",
    /* study notes (issue 18, study and quizzes) */
    "study_notes",
};
const char *const period_labels[PR_N] = {
    "应报送汇报", "按时报送汇报", "逾期报送汇报",
    "督查发现问题", "督查问题已整改销号",
    "到期整改事项", "按期整改销号",
    "到期应答复意见", "按期答复意见",
    "到期承诺", "已兑现承诺", "无正当理由未兑现承诺",
    /* liaison points (0026) */
    "联络点走访", "走访发现问题", "走访解决问题",
    /* organisation life (meetings) */
    "已召开会议", "会议应到人次", "会议实到人次", "已讲党课",
    /* study notes (issue 18, study and quizzes) */
    "学习心得",
};

static char add_sql[8192], get_sql[4096], children_sql[4096];
static pthread_once_t sql_once = PTHREAD_ONCE_INIT;

static void build_sql(void)
{
    static counter_sql q;
    counter_sql_make(&q, "period_rollup", period_cols, PR_N, "coalesce(sum(", "), 0)");
    const char *cols = q.names, *vals = q.marks, *sets = q.adds, *sums = q.reads;
    snprintf(add_sql, sizeof add_sql,
             "INSERT INTO period_rollup (quarter, org_id, %s) VALUES (?, ?, %s) ON CONFLICT (quarter, org_id) DO UPDATE SET %s",
             cols, vals, sets);
    snprintf(get_sql, sizeof get_sql, "SELECT %s FROM period_rollup WHERE org_id = ? AND quarter BETWEEN ? AND ?", sums);
    snprintf(children_sql, sizeof children_sql,
             "SELECT " ORG_COLS ", %s FROM org o "
             "LEFT JOIN period_rollup period_rollup ON period_rollup.org_id = o.id AND period_rollup.quarter BETWEEN ? AND ? "
             "WHERE o.parent_id = ? AND o.active = 1 GROUP BY " ORG_COLS " "
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

typedef struct period_run {
    int quarter;
    const char *path;
    const period *delta;
} period_run;

/* Run k of period_add: the ancestor at depth k. */
static void period_bind(db_stmt *s, int k, void *ctx)
{
    const period_run *r = ctx;
    db_bind_i64(s, 1, r->quarter);
    db_bind_i64(s, 2, orgpath_at(r->path, k));
    for (int i = 0; i < PR_N; i++) db_bind_i64(s, 3 + i, r->delta->v[i]);
}

/* One upsert per level of the path, all in one round trip (db_run_each). */
int period_add(db *d, int quarter, const char *org_path, const period *delta)
{
    pthread_once(&sql_once, build_sql);
    if (!quarter || period_zero(delta)) return CX_OK;
    int depth = orgpath_depth(org_path);
    if (depth < 0) return CX_ERR;
    for (int k = 0; k <= depth; k++)
        if (orgpath_at(org_path, k) <= 0) return CX_ERR;
    period_run r = {quarter, org_path, delta};
    return db_run_each(d, add_sql, depth + 1, period_bind, &r, NULL);
}

typedef struct period_row {
    int quarter;
    int64_t org_id;
    period delta;
} period_row;

static int by_quarter_org(const void *x, const void *y)
{
    const period_row *a = x, *b = y;
    if (a->quarter != b->quarter) return a->quarter < b->quarter ? -1 : 1;
    return (a->org_id > b->org_id) - (a->org_id < b->org_id);
}

static void period_row_bind(db_stmt *s, int k, void *ctx)
{
    const period_row *r = &((const period_row *)ctx)[k];
    db_bind_i64(s, 1, r->quarter);
    db_bind_i64(s, 2, r->org_id);
    for (int i = 0; i < PR_N; i++) db_bind_i64(s, 3 + i, r->delta.v[i]);
}

int period_add_many(db *d, const period_at *v, int n)
{
    pthread_once(&sql_once, build_sql);
    size_t cap = 0, nr = 0;
    period_row *rows = NULL;
    for (int i = 0; i < n; i++) {
        if (!v[i].quarter || period_zero(&v[i].delta)) continue;
        int depth = orgpath_depth(v[i].org_path);
        if (depth < 0) return free(rows), CX_ERR;
        for (int k = 0; k <= depth; k++) {
            int64_t id = orgpath_at(v[i].org_path, k);
            if (id <= 0) return free(rows), CX_ERR;
            if (nr == cap) rows = xrealloc(rows, (cap = cap ? cap * 2 : 64) * sizeof *rows);
            rows[nr++] = (period_row){v[i].quarter, id, v[i].delta};
        }
    }
    qsort(rows, nr, sizeof *rows, by_quarter_org);
    size_t m = 0;
    for (size_t i = 0; i < nr; i++) {
        if (m && !by_quarter_org(&rows[m - 1], &rows[i]))
            for (int c = 0; c < PR_N; c++) rows[m - 1].delta.v[c] += rows[i].delta.v[c];
        else rows[m++] = rows[i];
    }
    int rc = m ? db_run_each(d, add_sql, (int)m, period_row_bind, rows, NULL) : CX_OK;
    free(rows);
    return rc;
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
        org o;
        period p;
        org_read(s, 0, &o);
        for (int i = 0; i < PR_N; i++) p.v[i] = db_col_i64(s, ORG_NCOLS + i);
        if (fn(ctx, &o, &p)) break;
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

void period_first_day(int quarter, char out[11])
{
    int y = quarter / 10, q = quarter % 10;
    if (q < 1 || q > 4 || y < 0) y = 0, q = 1;
    snprintf(out, 11, "%04u-%02u-01", (unsigned)y % 10000u, (unsigned)(3 * q - 2) % 100u);
}

/* issue 19 (contests and posts) */
static int64_t local_midnight(int quarter)
{
    int y = quarter / 10, q = quarter % 10;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = 3 * q - 3, .tm_mday = 1, .tm_isdst = -1};
    return (int64_t)mktime(&tm);
}
void period_unix(int from_q, int to_q, int64_t *t0, int64_t *t1)
{
    *t0 = local_midnight(from_q);
    *t1 = local_midnight(to_q % 10 == 4 ? (to_q / 10 + 1) * 10 + 1 : to_q + 1);
}

/* A pledge past approval (what counts as due, and as pledged). */
#define PLEDGE_APPROVED(t) t ".status IN ('in_progress','completed','missed','rated','renewed')"

/* What a record contributes, per kind: its table, the date column that decides its quarter, and
 * for each counter it moves the SQL condition (over the record x) under which it counts one —
 * or, where n[i] is given, the SQL value it counts (a meeting's attendees) —
 * the migration's table, written once. Everything else here is built from these. */
static const struct {
    const char *table, *date;
    const char *when[PR_N];
    const char *n[PR_N];
} kinds[PK_N] = {
    [PK_REPORT] = {"report", "due_date",
                   {[PR_REPORTS_DUE] = "1 = 1",
                    [PR_REPORTS_ON_TIME] = "x.first_submitted_on <> '' AND x.first_submitted_on <= x.due_date",
                    [PR_REPORTS_LATE] = "x.first_submitted_on > x.due_date"}},
    [PK_FINDING] = {"inspection_finding", "found_on",
                    {[PR_FINDINGS] = "x.level = 'problem'",
                     [PR_FINDINGS_CLOSED] = "x.level = 'problem' AND EXISTS (SELECT 1 FROM rectification r WHERE r.id = x.rect_id "
                                            "AND r.status = 'verified')"}},
    [PK_RECT] = {"rectification", "due_date",
                 {[PR_RECT_DUE] = "x.status <> 'cancelled'",
                  [PR_RECT_ON_TIME] = "x.status = 'verified' AND x.submitted_on <> '' AND x.submitted_on <= x.due_date"}},
    /* a 举报 (kind report) counts nowhere: no figure may betray that one exists */
    [PK_FEEDBACK] = {"feedback", "due_date",
                     {[PR_FEEDBACK_DUE] = "x.kind <> 'report' AND x.status <> 'merged'",
                      [PR_FEEDBACK_ON_TIME] = "x.kind <> 'report' AND x.status = 'replied' AND x.replied_date <= x.due_date"}},
    [PK_PLEDGE] = {"pledge", "due_date",
                   {[PR_PLEDGES_DUE] = PLEDGE_APPROVED("x"),
                    [PR_PLEDGES_FULFILLED] = "x.status IN ('completed','rated','renewed') AND x.completed_at > 0",
                    [PR_PLEDGES_MISSED_UNJUSTIFIED] = "x.miss_kind = 'unjustified'"}},
    /* liaison points (0026): a visit in the quarter of its date */
    [PK_VISIT] = {"liaison_visit", "visited_on",
                  {[PR_VISITS] = "1 = 1",
                   [PR_VISIT_PROBLEMS_FOUND] = "x.problems_found <> ''",
                   [PR_VISIT_PROBLEMS_SOLVED] = "x.problems_solved <> ''"}},
    /* organisation life: a held meeting in the quarter of held_on, with its attendees */
    [PK_MEETING] = {"meeting", "held_on",
                    {[PR_MEETINGS_HELD] = "x.status = 'held'",
                     [PR_ATTENDANCE_EXPECTED] = "x.status = 'held'",
                     [PR_ATTENDANCE_PRESENT] = "x.status = 'held'",
                     [PR_LECTURES_HELD] = "x.status = 'held' AND x.kind = 'lecture'"},
                    {[PR_ATTENDANCE_EXPECTED] = "(SELECT count(*) FROM meeting_attendee a WHERE a.meeting_id = x.id)",
                     [PR_ATTENDANCE_PRESENT] = "(SELECT count(*) FROM meeting_attendee a WHERE a.meeting_id = x.id AND a.state = 'present')"}},
    /* study notes (issue 18, study and quizzes): counted at the member's organisation when written */
    [PK_STUDY_NOTE] = {"study_note", "written_on", {[PR_STUDY_NOTES] = "1 = 1"}},
};

/* What record x of kind k counts for counter i when its condition holds: 1, or its value. */
#define COUNT_OF(k, i) (kinds[k].n[i] ? kinds[k].n[i] : "1")

/* The quarter of a date column in SQL, as period_quarter computes it (dates are checked
 * 'YYYY-MM-DD' on input; shorter text has no quarter). */
#define QUARTER_SQL(col) "CAST(substr(x." col ", 1, 4) AS INTEGER) * 10 + (CAST(substr(x." col ", 6, 2) AS INTEGER) + 2) / 3"

/* Appends, for kind k, one expression per counter: agg "(CASE WHEN cond THEN 1 ELSE 0 END)" or 0. */
static void counter_exprs(buf *b, period_kind k, const char *agg)
{
    for (int i = 0; i < PR_N; i++) {
        const char *w = kinds[k].when[i];
        if (w) buf_printf(b, ", %s(CASE WHEN %s THEN %s ELSE 0 END)", agg, w, COUNT_OF(k, i));
        else buf_printf(b, ", 0");
    }
}

static char *of_sql[PK_N], *raw_sql[PK_N], *recount_sql, *pledged_sql;

/* Each organisation with itself and each of its ancestors (as migration 0010 fills org_tally). */
#define UP_CTE "up(org_id, anc_id) AS (SELECT id, id FROM org UNION ALL SELECT up.org_id, o.parent_id FROM up " \
               "JOIN org o ON o.id = up.anc_id WHERE o.parent_id IS NOT NULL)"
static pthread_once_t kind_once = PTHREAD_ONCE_INIT;
/* quiz_rollup (issue 18, study and quizzes): answer sheets, passed and the sum of scores per quiz,
 * counted at the organisation of each sheet and every ancestor */
static const char *const quiz_rollup_sql =
    "WITH RECURSIVE " UP_CTE ", own AS (SELECT x.quiz_id AS k, x.org_id, count(*) AS c0, sum(x.passed) AS c1, sum(x.score) AS c2 FROM quiz_answer x "
    "GROUP BY x.quiz_id, x.org_id) SELECT w.k, u.anc_id, sum(w.c0), sum(w.c1), sum(w.c2) FROM own w JOIN up u ON u.org_id = w.org_id "
    "GROUP BY w.k, u.anc_id";

static void build_kind_sql(void)
{
    buf own;
    buf_init(&own);
    for (int k = 0; k < PK_N; k++) {
        const char *t = kinds[k].table, *dc = kinds[k].date;
        buf b;
        buf_init(&b);
        buf_printf(&b, "SELECT x.org_id, x.%s", dc);
        counter_exprs(&b, k, "");
        /* a pledge also says whether its member has an approved pledge in the campaign at its
         * organisation (campaign_rollup's members_pledged) */
        if (k == PK_PLEDGE)
            buf_printf(&b, ", x.campaign_id, (SELECT count(*) FROM pledge y WHERE y.member_id = x.member_id AND "
                           "y.campaign_id = x.campaign_id AND y.org_id = x.org_id AND %s)",
                       PLEDGE_APPROVED("y"));
        else buf_printf(&b, ", 0, 0");
        buf_printf(&b, " FROM %s x WHERE x.id = ?", t);
        of_sql[k] = b.p;
        buf_init(&b);
        buf_printf(&b, "SELECT 0");
        counter_exprs(&b, k, "sum");
        buf_printf(&b, " FROM %s x JOIN org o ON o.id = x.org_id WHERE o.path >= ? AND o.path < ? AND x.%s >= ? AND x.%s < ?", t, dc, dc);
        raw_sql[k] = b.p;
        buf_printf(&own, "%sSELECT CAST(substr(x.%s, 1, 4) AS INTEGER) * 10 + (CAST(substr(x.%s, 6, 2) AS INTEGER) + 2) / 3 AS quarter, "
                         "x.org_id",
                   k ? " UNION ALL " : "", dc, dc);
        for (int i = 0; i < PR_N; i++)
            if (kinds[k].when[i]) buf_printf(&own, ", sum(CASE WHEN %s THEN %s ELSE 0 END) AS c%d", kinds[k].when[i], COUNT_OF(k, i), i);
            else buf_printf(&own, ", 0 AS c%d", i);
        buf_printf(&own, " FROM %s x WHERE length(x.%s) >= 7 GROUP BY 1, 2", t, dc);
    }
    /* each record's own organisation and quarter, then every ancestor (up: each organisation
     * with itself and its ancestors, as migration 0010 fills org_tally) */
    buf b;
    buf_init(&b);
    buf_printf(&b, "WITH RECURSIVE " UP_CTE ", own AS (%s) SELECT w.quarter, u.anc_id", own.p);
    for (int i = 0; i < PR_N; i++) buf_printf(&b, ", sum(w.c%d)", i);
    buf_printf(&b, " FROM own w JOIN up u ON u.org_id = w.org_id WHERE w.quarter > 0 GROUP BY w.quarter, u.anc_id");
    recount_sql = b.p;
    buf_free(&own);
    /* members who pledged in a campaign: distinct members with an approved pledge, per campaign
     * and the pledge's organisation, then to every ancestor */
    buf_init(&b);
    buf_printf(&b, "WITH RECURSIVE " UP_CTE ", own AS (SELECT x.campaign_id AS k, x.org_id, count(DISTINCT x.member_id) AS c0 "
                   "FROM pledge x WHERE x.member_id IS NOT NULL AND %s GROUP BY x.campaign_id, x.org_id) "
                   "SELECT w.k, u.anc_id, sum(w.c0) FROM own w JOIN up u ON u.org_id = w.org_id GROUP BY w.k, u.anc_id",
               PLEDGE_APPROVED("x"));
    pledged_sql = b.p;
}

int period_raw(db *d, const char *org_path, int from_q, int to_q, period *out)
{
    pthread_once(&kind_once, build_kind_sql);
    memset(out, 0, sizeof *out);
    char end[CX_PATH_MAX], day0[11], day1[11];
    orgpath_end(org_path, end, sizeof end);
    period_first_day(from_q, day0);
    period_first_day(to_q % 10 == 4 ? (to_q / 10 + 1) * 10 + 1 : to_q + 1, day1);
    for (int k = 0; k < PK_N; k++) {
        db_stmt *s = db_prepare(d, raw_sql[k]);
        if (!s) return CX_ERR;
        db_bind_text(s, 1, org_path);
        db_bind_text(s, 2, end);
        db_bind_text(s, 3, day0);
        db_bind_text(s, 4, day1);
        int rc = db_step(s);
        for (int i = 0; rc == DB_ROW && i < PR_N; i++) out->v[i] += db_col_i64(s, 1 + i);
        db_done(s);
        if (rc == CX_ERR) return CX_ERR;
    }
    return CX_OK;
}

int period_of(db *d, period_kind k, int64_t id, period_rec *out)
{
    pthread_once(&kind_once, build_kind_sql);
    memset(out, 0, sizeof *out);
    db_stmt *s = db_prepare(d, of_sql[k]);
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW) {
        out->org_id = db_col_i64(s, 0);
        out->quarter = period_quarter(db_col_text(s, 1));
        for (int i = 0; i < PR_N; i++) out->v.v[i] = db_col_i64(s, 2 + i);
        out->campaign_id = db_col_i64(s, 2 + PR_N);
        out->pledged = db_col_i64(s, 3 + PR_N) > 0;
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* The path of an organisation into out[cap]; "" when there is none. */
static int org_text(db *d, int64_t org_id, char *out, size_t cap)
{
    out[0] = 0;
    if (!org_id) return CX_OK;
    db_stmt *s = db_prepare(d, "SELECT path FROM org WHERE id = ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, org_id);
    int rc = db_step(s);
    if (rc == DB_ROW) snprintf(out, cap, "%s", db_col_text(s, 0));
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}
#define path_of(d, id, out) org_text((d), (id), (out), CX_PATH_MAX)

/* Adds delta to members_pledged of campaign at the organisation at path and every ancestor. */
static int pledged_add(db *d, int64_t campaign_id, const char *path, int64_t delta)
{
    int depth = orgpath_depth(path);
    if (depth < 0 || !campaign_id) return CX_ERR;
    for (int k = 0; k <= depth; k++)
        if (db_run(d, "INSERT INTO campaign_rollup (campaign_id, org_id, members_pledged) VALUES (?, ?, ?) ON CONFLICT (campaign_id, org_id) "
                      "DO UPDATE SET members_pledged = campaign_rollup.members_pledged + excluded.members_pledged",
                   "iii", campaign_id, orgpath_at(path, k), delta) != CX_OK)
            return CX_ERR;
    return CX_OK;
}

int period_pledged(db *d, int64_t campaign_id, int64_t org_id, int64_t *n)
{
    return db_i64(d, n, 0, "SELECT members_pledged FROM campaign_rollup WHERE campaign_id = ? AND org_id = ?", "ii", campaign_id, org_id);
}

int period_pledged_children(db *d, int64_t campaign_id, int64_t parent_id, pledged_rows *out)
{
    *out = (pledged_rows){0};
    db_stmt *s = db_prepare(d, "SELECT c.org_id, c.members_pledged FROM campaign_rollup c JOIN org o ON o.id = c.org_id "
                               "WHERE c.campaign_id = ? AND o.parent_id = ? ORDER BY c.org_id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, campaign_id);
    db_bind_i64(s, 2, parent_id);
    size_t cap = 0;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        if (out->count == cap) {
            cap = cap ? 2 * cap : 64;
            out->ids = xrealloc(out->ids, cap * sizeof *out->ids);
            out->n = xrealloc(out->n, cap * sizeof *out->n);
        }
        out->ids[out->count] = db_col_i64(s, 0);
        out->n[out->count++] = db_col_i64(s, 1);
    }
    db_done(s);
    if (rc == CX_ERR) pledged_rows_free(out);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int64_t pledged_rows_get(const pledged_rows *r, int64_t org_id)
{
    size_t lo = 0, hi = r->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->ids[mid] < org_id) lo = mid + 1;
        else hi = mid;
    }
    return lo < r->count && r->ids[lo] == org_id ? r->n[lo] : 0;
}

void pledged_rows_free(pledged_rows *r)
{
    free(r->ids);
    free(r->n);
    *r = (pledged_rows){0};
}

int period_update(db *d, period_kind k, int64_t id, const period_rec *before)
{
    period_rec now;
    char op[CX_PATH_MAX], np[CX_PATH_MAX];
    if (period_of(d, k, id, &now) != CX_OK || path_of(d, before->org_id, op) != CX_OK || path_of(d, now.org_id, np) != CX_OK)
        return CX_ERR;
    if (period_change(d, before->quarter, op[0] ? op : NULL, &before->v, now.quarter, np[0] ? np : NULL, &now.v) != CX_OK) return CX_ERR;
    if (before->pledged == now.pledged) return CX_OK;
    return pledged_add(d, now.campaign_id, np, now.pledged ? 1 : -1);
}

/* The parent's path of a path ("/1/5/9/" → "/1/5/"), "" for the root. */
static void parent_path(const char *path, char out[CX_PATH_MAX])
{
    snprintf(out, CX_PATH_MAX, "%s", path);
    size_t n = strlen(out);
    if (n) n--;
    while (n && out[n - 1] != '/') n--;
    out[n > 1 ? n : 0] = 0;
}

/* The stored rows of one organisation (all quarters), into a growing array. */
typedef struct qrow {
    int quarter;
    int64_t key;
    period p;
} qrow;

int period_org_moved(db *d, int64_t org_id, const char *old_path, const char *new_path)
{
    pthread_once(&sql_once, build_sql);
    char op[CX_PATH_MAX], np[CX_PATH_MAX], cols[600] = "";
    parent_path(old_path, op);
    parent_path(new_path, np);
    for (int i = 0; i < PR_N; i++) {
        size_t n = strlen(cols);
        snprintf(cols + n, sizeof cols - n, ", %s", period_cols[i]);
    }
    char sql[800];
    snprintf(sql, sizeof sql, "SELECT quarter%s FROM period_rollup WHERE org_id = ? ORDER BY quarter", cols);
    db_stmt *s = db_prepare(d, sql);
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, org_id);
    qrow *rows = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        if (n == cap) rows = xrealloc(rows, (cap = cap ? 2 * cap : 16) * sizeof *rows);
        rows[n].quarter = (int)db_col_i64(s, 0);
        for (int i = 0; i < PR_N; i++) rows[n].p.v[i] = db_col_i64(s, 1 + i);
        n++;
    }
    db_done(s);
    rc = rc == CX_ERR ? CX_ERR : CX_OK;
    /* the ancestors only: the subtree's own rows stay as they are */
    for (size_t k = 0; rc == CX_OK && k < n; k++)
        rc = period_change(d, rows[k].quarter, op[0] ? op : NULL, &rows[k].p, rows[k].quarter, np[0] ? np : NULL, &rows[k].p);
    /* the same for members who pledged, per campaign (quarter holds the campaign, v[0] the count) */
    n = 0;
    s = rc == CX_OK ? db_prepare(d, "SELECT campaign_id, members_pledged FROM campaign_rollup WHERE org_id = ? AND members_pledged <> 0") : NULL;
    if (rc == CX_OK && !s) rc = CX_ERR;
    if (s) {
        db_bind_i64(s, 1, org_id);
        while ((rc = db_step(s)) == DB_ROW) {
            if (n == cap) rows = xrealloc(rows, (cap = cap ? 2 * cap : 16) * sizeof *rows);
            rows[n].key = db_col_i64(s, 0);
            rows[n++].p.v[0] = db_col_i64(s, 1);
        }
        db_done(s);
        rc = rc == CX_ERR ? CX_ERR : CX_OK;
    }
    for (size_t k = 0; rc == CX_OK && k < n; k++) {
        if (op[0]) rc = pledged_add(d, rows[k].key, op, -rows[k].p.v[0]);
        if (rc == CX_OK && np[0]) rc = pledged_add(d, rows[k].key, np, rows[k].p.v[0]);
    }
    /* quiz scores (issue 18, study and quizzes): each quiz's row of the moved organisation (its
     * subtree's sheets) leaves the old ancestors and joins the new ones */
    s = rc == CX_OK ? db_prepare(d, "SELECT quiz_id, answered, passed, score_sum FROM quiz_rollup WHERE org_id = ?") : NULL;
    if (rc == CX_OK && !s) rc = CX_ERR;
    n = 0;
    if (s) {
        db_bind_i64(s, 1, org_id);
        while ((rc = db_step(s)) == DB_ROW) {
            if (n == cap) rows = xrealloc(rows, (cap = cap ? 2 * cap : 16) * sizeof *rows);
            rows[n].key = db_col_i64(s, 0);
            for (int i = 0; i < 3; i++) rows[n].p.v[i] = db_col_i64(s, 1 + i);
            n++;
        }
        db_done(s);
        rc = rc == CX_ERR ? CX_ERR : CX_OK;
    }
    for (size_t k = 0; rc == CX_OK && k < n; k++)
        for (int side = 0; rc == CX_OK && side < 2; side++) {
            const char *path = side ? np : op;
            int sign = side ? 1 : -1, depth = path[0] ? orgpath_depth(path) : -1;
            for (int j = 0; rc == CX_OK && j <= depth; j++)
                rc = db_run(d, "INSERT INTO quiz_rollup (quiz_id, org_id, answered, passed, score_sum) VALUES (?,?,?,?,?) ON CONFLICT (quiz_id, org_id) "
                               "DO UPDATE SET answered = quiz_rollup.answered + excluded.answered, passed = quiz_rollup.passed + excluded.passed, "
                               "score_sum = quiz_rollup.score_sum + excluded.score_sum",
                            "iiiii", rows[k].key, orgpath_at(path, j), sign * rows[k].p.v[0], sign * rows[k].p.v[1], sign * rows[k].p.v[2]);
        }
    free(rows);
    return rc;
}

/* The tables recount compares and rebuilds: rows keyed by (key, org_id), counters in cols, and
 * the rebuilt rows (want: key, org_id, counters; any order). */
typedef struct rtable {
    const char *table, *key, *what;
    int n;
    const char *const *cols, *const *labels;
    const char *const *want;
} rtable;
static const char *const pledged_cols[] = {"members_pledged"};
static const char *const pledged_labels[] = {"已作出承诺的党员"};
/* quiz scores (issue 18, study and quizzes) */
static const char *const quiz_cols[] = {"answered", "passed", "score_sum"};
static const char *const quiz_labels[] = {"已答题", "及格", "得分合计"};
static const rtable rtables[] = {
    {"period_rollup", "quarter", "季度统计", PR_N, period_cols, period_labels, (const char *const *)&recount_sql},
    {"campaign_rollup", "campaign_id", "活动参与", 1, pledged_cols, pledged_labels, (const char *const *)&pledged_sql},
    /* quiz scores (issue 18, study and quizzes) */
    {"quiz_rollup", "quiz_id", "测试成绩", 3, quiz_cols, quiz_labels, &quiz_rollup_sql},
};

/* Replaces every row of table t with the rebuilt ones (recount --fix; a migration's fill). */
static int fill_table(db *d, const rtable *t)
{
    pthread_once(&kind_once, build_kind_sql);
    buf ins, del;
    buf_init(&ins);
    buf_init(&del);
    buf_printf(&ins, "INSERT INTO %s (%s, org_id", t->table, t->key);
    for (int i = 0; i < t->n; i++) buf_printf(&ins, ", %s", t->cols[i]);
    buf_printf(&ins, ") %s", *t->want);
    buf_printf(&del, "DELETE FROM %s", t->table);
    int rc = db_run(d, del.p, "");
    if (rc == CX_OK) rc = db_run(d, ins.p, "");
    buf_free(&ins);
    buf_free(&del);
    return rc;
}

int period_fill(db *d) { return fill_table(d, &rtables[0]); }
int pledged_fill(db *d) { return fill_table(d, &rtables[1]); }

/* One recount row: a (key, organisation) and its counters. */
typedef struct crow {
    int64_t key, org_id;
    int64_t v[PR_N];
    bool ok;
} crow;

static int step_row(db_stmt *s, int n, crow *r)
{
    int rc = db_step(s);
    r->ok = rc == DB_ROW;
    if (r->ok) {
        r->key = db_col_i64(s, 0);
        r->org_id = db_col_i64(s, 1);
        for (int i = 0; i < n; i++) r->v[i] = db_col_i64(s, 2 + i);
    }
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

static void report_row(db *d, org_names *names, FILE *out, const rtable *t, const crow *stored, const crow *want, int64_t *diffs)
{
    const crow *k = stored->ok ? stored : want;
    const char *name = NULL;
    char label[64];
    if (t == &rtables[0]) period_label((int)k->key, (int)k->key, label, sizeof label);
    else snprintf(label, sizeof label, "%s %" PRId64, strcmp(t->key, "quiz_id") ? "活动" : "测试", k->key);
    for (int i = 0; i < t->n; i++) {
        int64_t a = stored->ok ? stored->v[i] : 0, b = want->ok ? want->v[i] : 0;
        if (a == b) continue;
        (*diffs)++;
        if (!out) continue;
        if (!name) name = org_names_get(d, names, k->org_id);
        fprintf(out, "%s %s 组织 %s（编号 %" PRId64 "）%s（%s）：记录为 %" PRId64 "，按原始记录应为 %" PRId64 "\n", t->what, label,
                name[0] ? name : "（不存在）", k->org_id, t->labels[i], t->cols[i], a, b);
    }
}

/* Compares table t with its rebuilt rows, both in (key, organisation) order, merged; a missing
 * row counts as zeros. Fixes (rebuilds the table, audited) when asked and there is a difference. */
static int recount_table(db *d, const rtable *t, bool fix, FILE *out, int64_t *diffs)
{
    buf sql, want;
    buf_init(&sql);
    buf_init(&want);
    buf_printf(&sql, "SELECT %s, org_id", t->key);
    for (int i = 0; i < t->n; i++) buf_printf(&sql, ", %s", t->cols[i]);
    buf_printf(&sql, " FROM %s ORDER BY %s, org_id", t->table, t->key);
    buf_printf(&want, "%s ORDER BY 1, 2", *t->want);
    db_stmt *a = db_prepare(d, sql.p), *b = a ? db_prepare(d, want.p) : NULL;
    int rc = a && b ? CX_OK : CX_ERR;
    if (rc == CX_OK) db_stream(a, DB_STREAM_ROWS), db_stream(b, DB_STREAM_ROWS); /* both read a chunk at a time */
    int64_t n = 0;
    crow x = {0}, y = {0};
    org_names names = {0};
    if (rc == CX_OK) rc = step_row(a, t->n, &x);
    if (rc == CX_OK) rc = step_row(b, t->n, &y);
    while (rc == CX_OK && (x.ok || y.ok)) {
        int c = !x.ok ? 1 : !y.ok ? -1 : x.key != y.key ? (x.key < y.key ? -1 : 1) : x.org_id != y.org_id ? (x.org_id < y.org_id ? -1 : 1) : 0;
        crow none = {0};
        report_row(d, &names, out, t, c <= 0 ? &x : &none, c >= 0 ? &y : &none, &n);
        if (c <= 0) rc = step_row(a, t->n, &x);
        if (rc == CX_OK && c >= 0) rc = step_row(b, t->n, &y);
    }
    if (a) db_done(a);
    if (b) db_done(b);
    org_names_free(&names);
    buf_free(&sql);
    buf_free(&want);
    if (rc == CX_OK && fix && n) {
        rc = fill_table(d, t);
        char after[64];
        snprintf(after, sizeof after, "{\"differences\":%" PRId64 "}", n);
        if (rc == CX_OK) rc = audit_append(d, &actor_cli, "period.recount_fix", t->table, 0, 0, NULL, after, "ok");
    }
    *diffs += n;
    return rc;
}

int period_recount(db *d, bool fix, FILE *out, int64_t *diffs)
{
    pthread_once(&kind_once, build_kind_sql);
    *diffs = 0;
    bool own = !d->in_tx;
    if (own && db_begin(d, fix) != CX_OK) return CX_ERR;
    int rc = CX_OK;
    for (size_t i = 0; rc == CX_OK && i < sizeof rtables / sizeof rtables[0]; i++) rc = recount_table(d, &rtables[i], fix, out, diffs);
    if (!own) return rc;
    if (rc == CX_OK && fix) rc = db_commit(d);
    else db_rollback(d);
    return rc;
}
