/* goal.c: annual goals (年初工作目标): writing, submitting, the office's acceptance or return,
 * versions on edit after acceptance, progress entries, lists and the figures bulletins print
 * (goal.h). */
#include "goal.h"
#include "row.h"
#include "campaign.h"
#include "../domain/orgpath.h"
#include "../domain/text.h"
#include "../domain/date.h"
#include "../domain/perm.h"
#include "../lib/json.h"
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define GOAL_COLS                                                                                                    \
    "g.id, g.org_id, g.campaign_id, g.year, g.version, g.accepted_version, g.office_id, g.progress, g.created_by, "     \
    "g.created_at, g.submitted_at, g.submitted_by, g.status, g.title, g.note, o.name, o.path, coalesce(f.name, ''), "  \
    "c.theme, g.measure"
#define GOAL_FROM                                                                                                    \
    " FROM org_goal g JOIN org o ON o.id = g.org_id JOIN campaign c ON c.id = g.campaign_id LEFT JOIN org f ON f.id = g.office_id"

static void read_goal(db_stmt *s, goal *g, bool measure)
{
    int64_t *v[] = {&g->id, &g->org_id, &g->campaign_id, &g->year, &g->version, &g->accepted_version, &g->office_id, &g->progress,
                    &g->created_by, &g->created_at, &g->submitted_at, &g->submitted_by};
    for (int i = 0; i < 12; i++) *v[i] = db_col_i64(s, i);
    g->status = goal_status_from_name(db_col_text(s, 12));
    copy_col(g->title, sizeof g->title, s, 13);
    copy_col(g->note, sizeof g->note, s, 14);
    copy_col(g->org_name, sizeof g->org_name, s, 15);
    copy_col(g->org_path, sizeof g->org_path, s, 16);
    copy_col(g->office_name, sizeof g->office_name, s, 17);
    copy_col(g->campaign_theme, sizeof g->campaign_theme, s, 18);
    free(g->measure);
    g->measure = measure ? xstrdup(db_col_text(s, 19) ?: "") : NULL;
}

static void read_listed(db_stmt *s, goal *g)
{
    g->measure = NULL;
    read_goal(s, g, false);
}

static void read_full(db_stmt *s, void *out) { read_goal(s, out, true); }

void goal_clear(goal *g)
{
    free(g->measure);
    g->measure = NULL;
}

int goal_get(db *d, int64_t id, goal *g)
{
    return row_by_id(d, "SELECT " GOAL_COLS GOAL_FROM " WHERE g.id = ?", id, read_full, g, sizeof *g);
}

static char *goal_json(const char *title, const char *measure, int64_t year, int64_t version, const char *status)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "title", title);
    cJSON_AddStringToObject(j, "measure", measure ? measure : "");
    if (year) json_add_i64(j, "year", year);
    json_add_i64(j, "version", version);
    if (status) cJSON_AddStringToObject(j, "status", status);
    return json_take(j);
}

int goal_create(db *d, const actor *a, int64_t org_id, int64_t campaign_id, const goal_ok *in, int64_t *id, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    org o;
    if (tx_active_org(d, org_id, &o, e) != CX_OK) return CX_ERR;
    campaign c;
    char cpath[CX_PATH_MAX];
    int f = review_campaign_get(d, campaign_id, &c, cpath);
    if (f == CX_ERR) return db_fail(d, e);
    if (f != 1 || !path_in_subtree(o.path, cpath)) {
        cx_fail(e, 422, "invalid_campaign", "campaign_id", "活动不存在或不覆盖本组织");
        return refuse(d);
    }
    if (!goal_year_in(in->year, c.start_date, c.end_date)) {
        cx_fail(e, 422, "year_outside_campaign", "year", "年度不在活动期间（%.4s 至 %.4s 年）内", c.start_date, c.end_date);
        return refuse(d);
    }
    int64_t gid = 0;
    int rc = db_i64(d, &gid, 0,
                    "INSERT INTO org_goal (org_id, campaign_id, year, title, measure, created_by, created_at) VALUES (?,?,?,?,?,?,?) RETURNING id",
                    "iiissii", org_id, campaign_id, (int64_t)in->year, in->title, in->measure, a->user_id, now_unix());
    if (rc == CX_OK && gid <= 0) rc = CX_ERR;
    if (store_finish(d, a, "create", "goal", gid, org_id, NULL, goal_json(in->title, in->measure, in->year, 1, "draft"), rc, e) != CX_OK) return CX_ERR;
    if (id) *id = gid;
    return CX_OK;
}

static int get_goal(db *d, int64_t id, void *g) { return goal_get(d, id, g); }

/* Loads the goal inside a write transaction under its lock, or fails with 404. */
static int begin_goal(db *d, int64_t id, goal *g, cx_err *e)
{
    memset(g, 0, sizeof *g);
    return tx_begin_locked(d, "goal", id, get_goal, g, "目标不存在", e);
}

static int done_goal(goal *g, int rc)
{
    goal_clear(g);
    return rc;
}

/* Refuses (409 goal_state) a goal not in one of the states of mask (bits 1 << GS_*). */
static bool wrong_state(db *d, const goal *g, unsigned mask, const char *step, cx_err *e)
{
    if (g->status >= 0 && (mask & (1u << g->status))) return false;
    cx_fail(e, 409, "goal_state", "id", "这项目标%s，不能%s", goal_status_label(g->status), step);
    refuse(d);
    return true;
}

int goal_edit(db *d, const actor *a, int64_t id, const goal_ok *in, cx_err *e)
{
    goal g;
    if (begin_goal(d, id, &g, e) != CX_OK) return done_goal(&g, CX_ERR);
    bool again = g.status == GS_ACCEPTED; /* a new version, to be accepted again */
    int rc = again ? db_run(d, "UPDATE org_goal SET title = ?, measure = ?, version = version + 1, status = 'submitted', note = '', submitted_at = ?, "
                               "submitted_by = ? WHERE id = ?", "ssiii", in->title, in->measure, now_unix(), a->user_id, id)
                   : db_run(d, "UPDATE org_goal SET title = ?, measure = ? WHERE id = ?", "ssi", in->title, in->measure, id);
    char *before = goal_json(g.title, g.measure, 0, g.version, goal_status_name(g.status));
    char *after = goal_json(in->title, in->measure, 0, g.version + again, again ? "submitted" : goal_status_name(g.status));
    return done_goal(&g, store_finish(d, a, again ? "new_version" : "edit", "goal", id, g.org_id, before, after, rc, e));
}

static char *state_json(const char *status, int64_t office_id, const char *key, const char *val)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "status", status);
    if (office_id) json_add_i64(j, "office_id", office_id);
    if (key) cJSON_AddStringToObject(j, key, val);
    return json_take(j);
}

int goal_submit(db *d, const actor *a, int64_t id, cx_err *e)
{
    goal g;
    if (begin_goal(d, id, &g, e) != CX_OK) return done_goal(&g, CX_ERR);
    if (wrong_state(d, &g, 1u << GS_DRAFT | 1u << GS_RETURNED, "报送", e)) return done_goal(&g, CX_ERR);
    int rc = db_run(d, "UPDATE org_goal SET status = 'submitted', submitted_at = ?, submitted_by = ? WHERE id = ?", "iii", now_unix(), a->user_id, id);
    return done_goal(&g, store_finish(d, a, "submit", "goal", id, g.org_id, state_json(goal_status_name(g.status), 0, NULL, NULL),
                                      state_json("submitted", 0, NULL, NULL), rc, e));
}

/* The office's step on a submitted goal: not by the one who submitted it. */
static bool may_decide(db *d, const actor *a, const goal *g, const char *step, cx_err *e)
{
    if (wrong_state(d, g, 1u << GS_SUBMITTED, step, e)) return false;
    if (a->user_id && a->user_id == g->submitted_by) {
        cx_fail(e, 403, "own_goal", "id", "不能%s本人报送的目标，须由上级组织的其他人员办理", step);
        refuse(d);
        return false;
    }
    return true;
}

int goal_accept(db *d, const actor *a, int64_t id, int64_t office_id, cx_err *e)
{
    goal g;
    if (begin_goal(d, id, &g, e) != CX_OK) return done_goal(&g, CX_ERR);
    if (!may_decide(d, a, &g, "验收", e)) return done_goal(&g, CX_ERR);
    char today[11];
    date_today(today);
    int64_t now = now_unix();
    int rc = db_run(d, "UPDATE org_goal SET status = 'accepted', accepted_version = version, office_id = ?, note = '' WHERE id = ?", "ii", office_id, id);
    if (rc == CX_OK)
        rc = db_run(d, "INSERT INTO org_goal_version (goal_id, version, title, measure, office_id, accepted_by, accepted_on, accepted_at) VALUES (?,?,?,?,?,?,?,?)",
                    "iissiisi", id, g.version, g.title, g.measure ? g.measure : "", office_id, a->user_id, today, now);
    char v[24];
    snprintf(v, sizeof v, "%" PRId64, g.version);
    return done_goal(&g, store_finish(d, a, "accept", "goal", id, g.org_id, state_json("submitted", 0, NULL, NULL), state_json("accepted", office_id, "version", v),
                                      rc, e));
}

int goal_return(db *d, const actor *a, int64_t id, int64_t office_id, const char *note, cx_err *e)
{
    char *clean = clean_text(note, "note", "退回理由", GOAL_NOTE_MAX, true, e);
    if (!clean) return CX_ERR;
    goal g;
    int rc = CX_ERR;
    if (begin_goal(d, id, &g, e) == CX_OK && may_decide(d, a, &g, "退回", e)) {
        rc = db_run(d, "UPDATE org_goal SET status = 'returned', office_id = ?, note = ? WHERE id = ?", "isi", office_id, clean, id);
        rc = store_finish(d, a, "return", "goal", id, g.org_id, state_json("submitted", 0, NULL, NULL), state_json("returned", office_id, "note", clean), rc, e);
    }
    free(clean);
    return done_goal(&g, rc);
}

int goal_progress_add(db *d, const actor *a, int64_t id, const char *day, int percent, const char *text, const char *author, cx_err *e)
{
    goal g;
    if (begin_goal(d, id, &g, e) != CX_OK) return done_goal(&g, CX_ERR);
    if (!g.accepted_version) {
        cx_fail(e, 409, "goal_not_accepted", "id", "目标经上级验收后才能记录完成进度（目前%s）", goal_status_label(g.status));
        refuse(d);
        return done_goal(&g, CX_ERR);
    }
    int64_t pid = 0;
    int rc = db_i64(d, &pid, 0,
                    "INSERT INTO org_goal_progress (goal_id, day, percent, text, author, created_by, created_at) VALUES (?,?,?,?,?,?,?) RETURNING id",
                    "isissii", id, day, (int64_t)percent, text, author, a->user_id, now_unix());
    if (rc == CX_OK) rc = db_run(d, "UPDATE org_goal SET progress = ? WHERE id = ?", "ii", (int64_t)percent, id);
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "progress_id", pid);
    cJSON_AddStringToObject(j, "day", day);
    json_add_i64(j, "percent", percent);
    cJSON_AddStringToObject(j, "text", text);
    char before[32];
    snprintf(before, sizeof before, "{\"percent\":%" PRId64 "}", g.progress);
    return done_goal(&g, store_finish(d, a, "progress", "goal", id, g.org_id, xstrdup(before), json_take(j), rc, e));
}

static void goal_where(db_q *dq, const goal_query *q, char end[CX_PATH_MAX])
{
    if (q->org_id) db_q_where(dq, "g.org_id = ?", "i", q->org_id);
    else if (q->path) {
        orgpath_end(q->path, end, CX_PATH_MAX);
        db_q_where(dq, "o.path >= ? AND o.path < ?", "ss", q->path, end);
    }
    if (q->year) db_q_where(dq, "g.year = ?", "i", q->year);
    if (q->status >= 0) db_q_where(dq, "g.status = ?", "s", goal_status_name(q->status));
}

int goal_list(db *d, const goal_query *q, goal_fn fn, void *ctx)
{
    db_q dq;
    char end[CX_PATH_MAX];
    db_q_init(&dq, "SELECT " GOAL_COLS GOAL_FROM);
    goal_where(&dq, q, end);
    db_stmt *s = page_stmt(d, &dq, " ORDER BY g.year DESC, o.path, g.id", q->offset, q->limit);
    if (!s) return CX_ERR;
    return DB_EACH(s, goal, read_listed, fn, ctx);
}

int goal_count(db *d, const goal_query *q, int64_t *n)
{
    db_q dq;
    char end[CX_PATH_MAX];
    db_q_init(&dq, "SELECT count(*)" GOAL_FROM);
    goal_where(&dq, q, end);
    return db_q_count(d, &dq, n);
}

int goal_desk_count(db *d, const org *office, int64_t *n)
{
    char end[CX_PATH_MAX];
    orgpath_end(office->path, end, sizeof end);
    return db_i64(d, n, 0, "SELECT count(*) FROM org_goal g JOIN org o ON o.id = g.org_id WHERE o.path >= ? AND o.path < ? AND g.org_id <> ? AND g.status = 'submitted'",
                  "ssi", office->path, end, office->id);
}

static void read_entry(db_stmt *s, goal_entry *p)
{
    p->id = db_col_i64(s, 0);
    p->percent = db_col_i64(s, 1);
    p->created_at = db_col_i64(s, 2);
    copy_col(p->day, sizeof p->day, s, 3);
    copy_col(p->author, sizeof p->author, s, 4);
    p->text = db_col_text(s, 5);
}

int goal_progress_list(db *d, int64_t goal_id, goal_entry_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT id, percent, created_at, day, author, text FROM org_goal_progress WHERE goal_id = ? ORDER BY day DESC, id DESC");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, goal_id);
    return DB_EACH(s, goal_entry, read_entry, fn, ctx);
}

static void read_version(db_stmt *s, goal_version_row *v)
{
    v->version = db_col_i64(s, 0);
    v->office_id = db_col_i64(s, 1);
    v->accepted_at = db_col_i64(s, 2);
    copy_col(v->accepted_on, sizeof v->accepted_on, s, 3);
    copy_col(v->office_name, sizeof v->office_name, s, 4);
    v->title = db_col_text(s, 5);
    v->measure = db_col_text(s, 6);
}

int goal_versions(db *d, int64_t goal_id, goal_version_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT v.version, v.office_id, v.accepted_at, v.accepted_on, coalesce(f.name, ''), v.title, v.measure "
                               "FROM org_goal_version v LEFT JOIN org f ON f.id = v.office_id WHERE v.goal_id = ? ORDER BY v.version DESC");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, goal_id);
    return DB_EACH(s, goal_version_row, read_version, fn, ctx);
}

int goal_figures_of(db *d, const char *path, int y0, int y1, const char *before, goal_figures *f)
{
    memset(f, 0, sizeof *f);
    char end[CX_PATH_MAX];
    orgpath_end(path, end, sizeof end);
    /* per goal: whether a version was accepted before the day, and the newest progress before it
     * (the newest day, then the newest entry of that day) */
    db_stmt *s = db_prepare(d,
        "SELECT count(*), "
        "coalesce(sum(CASE WHEN x.acc > 0 THEN 1 ELSE 0 END), 0), "
        "coalesce(sum(CASE WHEN x.acc > 0 AND x.pct = 100 THEN 1 ELSE 0 END), 0), "
        "coalesce(sum(CASE WHEN x.acc > 0 THEN x.pct ELSE 0 END), 0) FROM ("
        " SELECT (SELECT count(*) FROM org_goal_version v WHERE v.goal_id = g.id AND v.accepted_on < ?) AS acc,"
        " coalesce((SELECT p.percent FROM org_goal_progress p WHERE p.goal_id = g.id AND p.day < ? ORDER BY p.day DESC, p.id DESC LIMIT 1), 0) AS pct"
        " FROM org_goal g JOIN org o ON o.id = g.org_id WHERE o.path >= ? AND o.path < ? AND g.year BETWEEN ? AND ?) x");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, before);
    db_bind_text(s, 2, before);
    db_bind_text(s, 3, path);
    db_bind_text(s, 4, end);
    db_bind_i64(s, 5, y0);
    db_bind_i64(s, 6, y1);
    int rc = db_step(s);
    if (rc == DB_ROW) f->total = db_col_i64(s, 0), f->accepted = db_col_i64(s, 1), f->done = db_col_i64(s, 2), f->pct_sum = db_col_i64(s, 3);
    db_done(s);
    return rc == DB_ROW ? CX_OK : CX_ERR;
}
