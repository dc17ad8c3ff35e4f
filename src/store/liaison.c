/* liaison.c: liaison points (联络点): the rule, points, visits and their rectification (see liaison.h). */
#include "liaison.h"
#include "standing.h"
#include "../lib/map.h"
#include "period.h"
#include "rect.h"
#include "row.h"
#include "../domain/orgpath.h"
#include "../lib/json.h"
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* ---- the rule ---- */

int liaison_rule_for(db *d, const char *org_path, liaison_rule *r, char *from, int64_t *from_id)
{
    *r = LIAISON_RULE_DEFAULT;
    if (from) from[0] = 0;
    if (from_id) *from_id = 0;
    db_stmt *s = nearest_stmt(d, "liaison_rule", "t.min_points, t.max_points, t.leader_visits, t.dept_visits, o.name", org_path);
    if (!s) return CX_ERR;
    int rc = db_step(s);
    if (rc == DB_ROW) {
        if (from_id) *from_id = db_col_i64(s, 0);
        r->min_points = db_col_i64(s, 1);
        r->max_points = db_col_i64(s, 2);
        r->leader_visits = db_col_i64(s, 3);
        r->dept_visits = db_col_i64(s, 4);
        if (from) copy_col(from, 256, s, 5);
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

static char *rule_json(const liaison_rule *r)
{
    return xasprintf("{\"min_points\":%" PRId64 ",\"max_points\":%" PRId64 ",\"leader_visits\":%" PRId64 ",\"dept_visits\":%" PRId64 "}",
                     r->min_points, r->max_points, r->leader_visits, r->dept_visits);
}

int liaison_rule_set(db *d, const actor *a, const org *office, const liaison_rule *r, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    liaison_rule was;
    int64_t from = 0;
    if (liaison_rule_for(d, office->path, &was, NULL, &from) != CX_OK) return db_fail(d, e);
    /* the leaders judged by a rule under this organisation: their standing before and after (standing.h) */
    if (standing_subtree(d, office->path, -1) != CX_OK) return db_fail(d, e);
    int rc = db_run(d, "INSERT INTO liaison_rule (org_id, min_points, max_points, leader_visits, dept_visits, updated_at) VALUES (?,?,?,?,?,?) "
                       "ON CONFLICT (org_id) DO UPDATE SET min_points = excluded.min_points, max_points = excluded.max_points, "
                       "leader_visits = excluded.leader_visits, dept_visits = excluded.dept_visits, updated_at = excluded.updated_at",
                    "iiiiii", office->id, r->min_points, r->max_points, r->leader_visits, r->dept_visits, now_unix());
    if (rc == CX_OK) rc = standing_subtree(d, office->path, 1);
    if (rc != CX_OK) return db_fail(d, e);
    return store_finish(d, a, "set", "liaison_rule", office->id, office->id, from == office->id ? rule_json(&was) : NULL, rule_json(r), rc, e);
}

/* ---- points ---- */

#define POINT_COLS                                                                                                   \
    "p.id, p.leader_user_id, p.org_id, p.office_org_id, p.created_at, "                                              \
    "(SELECT count(*) FROM liaison_visit v WHERE v.point_id = p.id), coalesce(p.until, ''), p.since, "               \
    "coalesce((SELECT max(v.visited_on) FROM liaison_visit v WHERE v.point_id = p.id), ''), u.display_name, u.username, " \
    "p.created_by_name, o.name, o.path, f.name, f.path"
#define POINT_FROM " FROM liaison_point p JOIN app_user u ON u.id = p.leader_user_id JOIN org o ON o.id = p.org_id JOIN org f ON f.id = p.office_org_id"

static void read_point(db_stmt *s, void *out)
{
    liaison_point *p = out;
    int64_t *ids[] = {&p->id, &p->leader_user_id, &p->org_id, &p->office_org_id, &p->created_at, &p->nvisits};
    for (int i = 0; i < 6; i++) *ids[i] = db_col_i64(s, i);
    struct { char *dst; size_t cap; } t[] = {
        {p->until, sizeof p->until}, {p->since, sizeof p->since}, {p->last_visit, sizeof p->last_visit},
        {p->leader_name, sizeof p->leader_name}, {p->leader_username, sizeof p->leader_username},
        {p->created_by_name, sizeof p->created_by_name}, {p->org_name, sizeof p->org_name}, {p->org_path, sizeof p->org_path},
        {p->office_name, sizeof p->office_name}, {p->office_path, sizeof p->office_path}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) copy_col(t[i].dst, t[i].cap, s, 6 + (int)i);
    p->open = !p->until[0];
}

int liaison_point_get(db *d, int64_t id, liaison_point *p)
{
    return row_by_id(d, "SELECT " POINT_COLS POINT_FROM " WHERE p.id = ?", id, read_point, p, sizeof *p);
}

int liaison_leader_grant(db *d, int64_t user_id, const char *root_path, org *g)
{
    char end[CX_PATH_MAX];
    const char *root = root_path ? root_path : "/";
    orgpath_end(root, end, sizeof end);
    db_stmt *s = db_prepare(d, "SELECT " ORG_COLS " FROM user_role ur JOIN org o ON o.id = ur.org_id WHERE ur.user_id = ? AND ur.role = 'leader' "
                               "AND o.path >= ? AND o.path < ? ORDER BY length(o.path), o.id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, user_id);
    db_bind_text(s, 2, root);
    db_bind_text(s, 3, end);
    int rc = db_step(s);
    if (rc == DB_ROW) org_read(s, 0, g);
    db_done(s);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : CX_ERR;
}

/* Two assignments of one leader's point at once: the loser of the unique index gets the same 409. */
static int fail_point(db *d, cx_err *e)
{
    if (!db_is_unique(d, "liaison_point_open", "liaison_point.leader_user_id, liaison_point.org_id")) return db_fail(d, e);
    cx_fail(e, 409, "duplicate_point", "org_id", "该领导干部已联系这个党组织（联络点未撤销）");
    return refuse(d);
}

int liaison_assign(db *d, const actor *a, const org *office, int64_t leader_id, int64_t org_id, const char *since, int64_t *id, cx_err *e)
{
    /* the leader's points are counted and added under one lock: two assignments at once count each other */
    if (db_begin(d, true) != CX_OK || db_lock(d, "liaison_leader", leader_id) != CX_OK) return db_fail(d, e);
    org *g = xmalloc(sizeof *g), *o = xmalloc(sizeof *o);
    int rc = CX_OK, got = liaison_leader_grant(d, leader_id, office->path, g);
    int64_t n = 0, pid = 0;
    if (got == CX_ERR) rc = db_fail(d, e);
    else if (!got) rc = (cx_fail(e, 422, "not_leader", "leader_id", "所选账号不是%s及下级的领导干部，不能联系联络点", office->name), refuse(d));
    if (rc == CX_OK) {
        got = org_get(d, org_id, o);
        if (got == CX_ERR) rc = db_fail(d, e);
        else if (!got || !o->active || !path_in_subtree(o->path, office->path))
            rc = (cx_fail(e, 404, "not_found", "org_id", "联络点所在党组织不存在、已停用或不在%s的管理范围内", office->name), refuse(d));
        else if (strcmp(o->type, "branch") && strcmp(o->type, "general_branch"))
            rc = (cx_fail(e, 422, "not_grassroots", "org_id", "%s不是基层党组织（党支部或党总支），不能作为联络点", o->name), refuse(d));
    }
    if (rc == CX_OK && db_i64(d, &n, 0, "SELECT count(*) FROM liaison_point WHERE leader_user_id = ? AND org_id = ? AND until IS NULL", "ii", leader_id,
                              org_id) != CX_OK)
        rc = db_fail(d, e);
    else if (rc == CX_OK && n)
        rc = (cx_fail(e, 409, "duplicate_point", "org_id", "该领导干部已联系%s（联络点未撤销）", o->name), refuse(d));
    liaison_rule rule;
    char from[256];
    if (rc == CX_OK && (db_i64(d, &n, 0, "SELECT count(*) FROM liaison_point WHERE leader_user_id = ? AND until IS NULL", "i", leader_id) != CX_OK ||
                        liaison_rule_for(d, g->path, &rule, from, NULL) != CX_OK))
        rc = db_fail(d, e);
    else if (rc == CX_OK && liaison_may_add(&rule, n, from, e) != CX_OK) rc = refuse(d);
    if (rc == CX_OK && standing_user(d, leader_id, -1) != CX_OK) rc = db_fail(d, e); /* the leader's standing (standing.h) */
    if (rc == CX_OK && db_i64(d, &pid, 0, "INSERT INTO liaison_point (leader_user_id, org_id, office_org_id, since, created_by, created_by_name, created_at) "
                                          "VALUES (?,?,?,?,?,?,?) RETURNING id",
                              "iiisisi", leader_id, org_id, office->id, since, a ? a->user_id : 0, actor_shown(a), now_unix()) != CX_OK)
        rc = fail_point(d, e);
    if (rc == CX_OK && standing_user(d, leader_id, 1) != CX_OK) rc = db_fail(d, e);
    if (rc == CX_OK) {
        char *after = xasprintf("{\"leader_id\":%" PRId64 ",\"org_id\":%" PRId64 ",\"office_org_id\":%" PRId64 ",\"since\":\"%s\"}", leader_id, org_id,
                                office->id, since);
        rc = store_finish(d, a, "create", "liaison_point", pid, org_id, NULL, after, rc, e);
    }
    free(g);
    free(o);
    if (rc == CX_OK && id) *id = pid;
    return rc;
}

int liaison_end(db *d, const actor *a, int64_t id, const char *until, cx_err *e)
{
    /* the point's row first: a visit recorded at once waits, then finds the point ended */
    if (db_begin(d, true) != CX_OK || db_run(d, "UPDATE liaison_point SET until = until WHERE id = ?", "i", id) != CX_OK) return db_fail(d, e);
    liaison_point *p = xmalloc(sizeof *p);
    int got = liaison_point_get(d, id, p), rc = CX_OK;
    char last[11] = "";
    if (got == 1) { /* the last visit's date: the point cannot end before it */
        db_stmt *s = db_prepare(d, "SELECT max(visited_on) FROM liaison_visit WHERE point_id = ?");
        if (!s) got = CX_ERR;
        else {
            db_bind_i64(s, 1, id);
            int st = db_step(s);
            if (st == DB_ROW) copy_col(last, sizeof last, s, 0);
            else if (st == CX_ERR) got = CX_ERR;
            db_done(s);
        }
    }
    if (got != 1) rc = got == CX_ERR ? db_fail(d, e) : (cx_fail(e, 404, "not_found", "id", "联络点不存在"), refuse(d));
    else if (!p->open) rc = (cx_fail(e, 409, "already_ended", "id", "这个联络点已于 %s 撤销", p->until), refuse(d));
    else if (strcmp(until, p->since) < 0)
        rc = (cx_fail(e, 422, "invalid_until", "until", "撤销日期（%s）不能早于联系开始日期（%s）", until, p->since), refuse(d));
    else if (strcmp(until, last) < 0)
        rc = (cx_fail(e, 422, "invalid_until", "until", "撤销日期（%s）不能早于这个联络点最近一次走访的日期（%s）", until, last), refuse(d));
    if (rc == CX_OK && standing_user(d, p->leader_user_id, -1) != CX_OK) rc = db_fail(d, e); /* the leader's standing (standing.h) */
    if (rc == CX_OK) {
        db_stmt *s = db_prepare(d, "UPDATE liaison_point SET until = ? WHERE id = ? AND until IS NULL");
        int64_t changed = 0;
        if (!s) rc = db_fail(d, e);
        else {
            db_bind_text(s, 1, until);
            db_bind_i64(s, 2, id);
            rc = db_step(s) == DB_DONE ? CX_OK : CX_ERR;
            if (rc == CX_OK) changed = db_changes(s);
            db_done(s);
            if (rc != CX_OK) rc = db_fail(d, e);
            else if (!changed) rc = (cx_fail(e, 409, "already_ended", "id", "这个联络点已经撤销"), refuse(d));
        }
    }
    if (rc == CX_OK && standing_user(d, p->leader_user_id, 1) != CX_OK) rc = db_fail(d, e);
    if (rc == CX_OK) rc = store_finish(d, a, "end", "liaison_point", id, p->org_id, NULL, xasprintf("{\"until\":\"%s\"}", until), rc, e);
    free(p);
    return rc;
}

int liaison_points(db *d, int64_t leader_id, const org *root, bool open_only, liaison_point_fn fn, void *ctx)
{
    char end[CX_PATH_MAX];
    db_q q;
    db_q_init(&q, "SELECT " POINT_COLS POINT_FROM);
    if (leader_id) db_q_where(&q, "p.leader_user_id = ?", "i", leader_id);
    else {
        orgpath_end(root->path, end, sizeof end);
        db_q_where(&q, "o.path >= ? AND o.path < ?", "ss", root->path, end);
    }
    if (open_only) db_q_where(&q, "p.until IS NULL", "");
    db_stmt *s = page_stmt(d, &q, " ORDER BY CASE WHEN p.until IS NULL THEN 0 ELSE 1 END, p.since DESC, p.id DESC", 0, 2000);
    if (!s) return CX_ERR;
    return DB_EACH(s, liaison_point, read_point, fn, ctx);
}

/* ---- leaders ---- */

#define LEADER_SQL                                                                                                   \
    "SELECT u.id, u.username, u.display_name, " ORG_COLS ", "                                                        \
    "(SELECT count(*) FROM liaison_point p WHERE p.leader_user_id = u.id AND p.until IS NULL), "                     \
    "(SELECT count(*) FROM liaison_visit v WHERE v.leader_user_id = u.id AND v.visited_on >= ? AND v.visited_on < ?) " \
    "FROM user_role ur JOIN app_user u ON u.id = ur.user_id JOIN org o ON o.id = ur.org_id WHERE ur.role = 'leader' "

/* Reads one leader row (LEADER_SQL) and decides its rule and standing. */
static void leader_finish(db_stmt *s, liaison_leader *l)
{
    memset(l, 0, sizeof *l);
    org g;
    l->user_id = db_col_i64(s, 0);
    copy_col(l->username, sizeof l->username, s, 1);
    copy_col(l->display_name, sizeof l->display_name, s, 2);
    org_read(s, 3, &g);
    l->grant_org_id = g.id;
    snprintf(l->org_name, sizeof l->org_name, "%s", g.name);
    snprintf(l->org_path, sizeof l->org_path, "%s", g.path);
    l->dept = !strcmp(g.sector, "government");
    l->npoints = db_col_i64(s, 3 + ORG_NCOLS);
    l->nvisits = db_col_i64(s, 4 + ORG_NCOLS);
}

static int leader_rule(db *d, liaison_leader *l)
{
    if (liaison_rule_for(d, l->org_path, &l->rule, l->rule_from, NULL) != CX_OK) return CX_ERR;
    l->visits_required = liaison_visits_required(&l->rule, l->dept);
    l->standing = liaison_standing_of(&l->rule, l->npoints);
    return CX_OK;
}

static void year_bounds(int year, char from[11], char to[11])
{
    unsigned y = (unsigned)year % 9999u;
    snprintf(from, 11, "%04u-01-01", y);
    snprintf(to, 11, "%04u-01-01", y + 1);
}

static int by_name(const void *a, const void *b)
{
    const liaison_leader *x = a, *y = b;
    int c = strcmp(x->display_name, y->display_name);
    return c ? c : (x->user_id > y->user_id) - (x->user_id < y->user_id);
}

int liaison_leaders(db *d, const org *root, int year, liaison_leader_fn fn, void *ctx)
{
    char end[CX_PATH_MAX], y0[11], y1[11];
    orgpath_end(root->path, end, sizeof end);
    year_bounds(year, y0, y1);
    db_stmt *s = db_prepare(d, LEADER_SQL "AND o.path >= ? AND o.path < ? ORDER BY u.id, length(o.path), o.id");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, y0);
    db_bind_text(s, 2, y1);
    db_bind_text(s, 3, root->path);
    db_bind_text(s, 4, end);
    /* read them all first (one row per account, its highest grant), then each one's rule */
    liaison_leader *rows = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        if (n && rows[n - 1].user_id == db_col_i64(s, 0)) continue;
        if (n == cap) rows = xrealloc(rows, (cap = cap ? 2 * cap : 32) * sizeof *rows);
        leader_finish(s, &rows[n++]);
    }
    db_done(s);
    rc = rc == CX_ERR ? CX_ERR : CX_OK;
    map first = {0}; /* grant organisation → 1 + the first row with it: one lookup per organisation */
    for (size_t i = 0; rc == CX_OK && i < n; i++) {
        bool added = false;
        int64_t *at = map_put_int(&first, (uint64_t)rows[i].grant_org_id, &added);
        if (added) *at = (int64_t)i + 1;
        size_t j = (size_t)*at - 1;
        if (j == i) rc = leader_rule(d, &rows[i]);
        else {
            rows[i].rule = rows[j].rule;
            snprintf(rows[i].rule_from, sizeof rows[i].rule_from, "%s", rows[j].rule_from);
            rows[i].visits_required = liaison_visits_required(&rows[i].rule, rows[i].dept);
            rows[i].standing = liaison_standing_of(&rows[i].rule, rows[i].npoints);
        }
    }
    map_free(&first, NULL);
    if (rc == CX_OK && n) qsort(rows, n, sizeof *rows, by_name);
    for (size_t i = 0; rc == CX_OK && i < n; i++)
        if (fn(ctx, &rows[i])) break;
    free(rows);
    return rc;
}

int liaison_leader_get(db *d, int64_t user_id, int year, liaison_leader *l)
{
    char y0[11], y1[11];
    year_bounds(year, y0, y1);
    db_stmt *s = db_prepare(d, LEADER_SQL "AND u.id = ? ORDER BY length(o.path), o.id");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, y0);
    db_bind_text(s, 2, y1);
    db_bind_i64(s, 3, user_id);
    int rc = db_step(s);
    if (rc == DB_ROW) leader_finish(s, l);
    db_done(s);
    if (rc != DB_ROW) return rc == DB_DONE ? 0 : CX_ERR;
    return leader_rule(d, l) == CX_OK ? 1 : CX_ERR;
}

void liaison_counts_add(liaison_counts *c, const liaison_leader *l)
{
    c->leaders++;
    c->none += l->standing == LS_NONE;
    c->few += l->standing == LS_FEW;
    c->many += l->standing == LS_MANY;
    c->visits_short += l->nvisits < l->visits_required;
}

int liaison_count(db *d, const org *root, int year, liaison_counts *c)
{
    memset(c, 0, sizeof *c);
    standing s; /* the roll-up kept with every change (standing.h), not every leader of the subtree */
    if (standing_get(d, root->id, year, &s) != CX_OK) return CX_ERR;
    c->leaders = s.leaders;
    c->none = s.none;
    c->few = s.few;
    c->many = s.many;
    c->visits_short = s.leaders - s.visits_free - s.visits_met;
    return CX_OK;
}

/* ---- visits ---- */

#define VISIT_COLS                                                                                                   \
    "v.id, v.point_id, v.leader_user_id, v.org_id, coalesce(v.rect_id, 0), v.created_at, "                           \
    "(SELECT count(*) FROM liaison_visit_file x WHERE x.visit_id = v.id), v.visited_on, v.created_by_name, u.display_name, " \
    "coalesce(r.status, ''), o.name, o.path, v.done, v.problems_found, v.problems_solved"
#define VISIT_FROM                                                                                                   \
    " FROM liaison_visit v JOIN app_user u ON u.id = v.leader_user_id JOIN org o ON o.id = v.org_id "                \
    "LEFT JOIN rectification r ON r.id = v.rect_id"

static void read_visit(db_stmt *s, void *out)
{
    liaison_visit *v = out;
    int64_t *ids[] = {&v->id, &v->point_id, &v->leader_user_id, &v->org_id, &v->rect_id, &v->created_at, &v->nfiles};
    for (int i = 0; i < 7; i++) *ids[i] = db_col_i64(s, i);
    struct { char *dst; size_t cap; } t[] = {
        {v->visited_on, sizeof v->visited_on}, {v->created_by_name, sizeof v->created_by_name}, {v->leader_name, sizeof v->leader_name},
        {v->rect_status, sizeof v->rect_status}, {v->org_name, sizeof v->org_name}, {v->org_path, sizeof v->org_path},
        {v->done, sizeof v->done}, {v->problems_found, sizeof v->problems_found}, {v->problems_solved, sizeof v->problems_solved}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) copy_col(t[i].dst, t[i].cap, s, 7 + (int)i);
}

int liaison_visit_get(db *d, int64_t id, liaison_visit *v)
{
    return row_by_id(d, "SELECT " VISIT_COLS VISIT_FROM " WHERE v.id = ?", id, read_visit, v, sizeof *v);
}

#define VISIT_FILE_INSERT "INSERT INTO liaison_visit_file (visit_id, mime, name, size, data, author, created_at) VALUES (?,?,?,?,?,?,?)"

int liaison_visit_add(db *d, const actor *a, int64_t point_id, const visit_ok *in, const evidence_in *files, int nfiles, int64_t *id, cx_err *e)
{
    const char *mimes[EVIDENCE_MAX_FILES];
    if (nfiles && evidence_check(files, nfiles, mimes, e) != CX_OK) return CX_ERR;
    /* the point's row first: an end at once either comes before (point_ended) or waits for this visit */
    if (db_begin(d, true) != CX_OK || db_run(d, "UPDATE liaison_point SET until = until WHERE id = ?", "i", point_id) != CX_OK) return db_fail(d, e);
    liaison_point *p = xmalloc(sizeof *p);
    int got = liaison_point_get(d, point_id, p), rc = CX_OK;
    int64_t vid = 0;
    if (got != 1) rc = got == CX_ERR ? db_fail(d, e) : (cx_fail(e, 404, "not_found", "id", "联络点不存在"), refuse(d));
    else if (!p->open) rc = (cx_fail(e, 409, "point_ended", "id", "这个联络点已于 %s 撤销，不能再记录走访", p->until), refuse(d));
    else if (strcmp(in->visited_on, p->since) < 0)
        rc = (cx_fail(e, 422, "before_since", "visited_on", "走访日期（%s）早于建立联络点的日期（%s）", in->visited_on, p->since), refuse(d));
    if (rc == CX_OK && standing_user(d, p->leader_user_id, -1) != CX_OK) rc = db_fail(d, e); /* the leader's standing (standing.h) */
    if (rc == CX_OK && db_i64(d, &vid, 0, "INSERT INTO liaison_visit (point_id, leader_user_id, org_id, visited_on, done, problems_found, problems_solved, "
                                          "created_by, created_by_name, created_at) VALUES (?,?,?,?,?,?,?,?,?,?) RETURNING id",
                              "iiissssisi", point_id, p->leader_user_id, p->org_id, in->visited_on, in->done, in->problems_found,
                              in->problems_solved, a ? a->user_id : 0, actor_shown(a), now_unix()) != CX_OK)
        rc = db_fail(d, e);
    if (rc == CX_OK) {
        cJSON *j = cJSON_CreateObject();
        json_add_i64(j, "point_id", point_id);
        cJSON_AddStringToObject(j, "visited_on", in->visited_on);
        cJSON_AddStringToObject(j, "done", in->done);
        cJSON_AddStringToObject(j, "problems_found", in->problems_found);
        cJSON_AddStringToObject(j, "problems_solved", in->problems_solved);
        rc = attachment_store(d, a, VISIT_FILE_INSERT, vid, files, mimes, nfiles, "佐证", cJSON_AddArrayToObject(j, "files"));
        period_rec none = {0};
        if (rc == CX_OK) rc = period_update(d, PK_VISIT, vid, &none);
        if (rc == CX_OK) rc = standing_user(d, p->leader_user_id, 1);
        rc = store_finish(d, a, "create", "liaison_visit", vid, p->org_id, NULL, json_take(j), rc, e);
    }
    free(p);
    if (rc == CX_OK && id) *id = vid;
    return rc;
}

int liaison_visits(db *d, int64_t point_id, int64_t leader_id, liaison_visit_fn fn, void *ctx)
{
    db_q q;
    db_q_init(&q, "SELECT " VISIT_COLS VISIT_FROM);
    if (point_id) db_q_where(&q, "v.point_id = ?", "i", point_id);
    else db_q_where(&q, "v.leader_user_id = ?", "i", leader_id);
    db_stmt *s = page_stmt(d, &q, " ORDER BY v.visited_on DESC, v.id DESC", 0, 2000);
    if (!s) return CX_ERR;
    return DB_EACH(s, liaison_visit, read_visit, fn, ctx);
}

int liaison_visit_files(db *d, int64_t visit_id, attachment_fn fn, void *ctx)
{
    return attachment_list(d, "SELECT id, size, name, mime, author FROM liaison_visit_file WHERE visit_id = ? ORDER BY id", visit_id, fn, ctx);
}

int liaison_file_owner(db *d, int64_t file_id, int64_t *visit_id)
{
    return db_i64(d, visit_id, 0, "SELECT visit_id FROM liaison_visit_file WHERE id = ?", "i", file_id) != CX_OK ? CX_ERR : *visit_id != 0;
}

int liaison_file_get(db *d, int64_t file_id, buf *out, char mime[32], char name[128])
{
    return attachment_get(d, "SELECT mime, name, data FROM liaison_visit_file WHERE id = ?", file_id, out, mime, name, NULL);
}

int liaison_visit_rectify(db *d, const actor *a, int64_t id, const rect_new_ok *in, int64_t *rect_id, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    liaison_visit *v = xmalloc(sizeof *v);
    int got = liaison_visit_get(d, id, v), rc = CX_OK;
    if (got != 1) rc = got == CX_ERR ? db_fail(d, e) : (cx_fail(e, 404, "not_found", "id", "走访记录不存在"), refuse(d));
    else if (!v->problems_found[0]) rc = (cx_fail(e, 409, "no_problem", "id", "这次走访没有记录发现的问题，不需要整改"), refuse(d));
    else if (v->rect_id) rc = (cx_fail(e, 409, "already_rectified", "id", "这次走访发现的问题已经转为第 %" PRId64 " 号整改事项", v->rect_id), refuse(d));
    if (rc == CX_OK) {
        char notice[600];
        snprintf(notice, sizeof notice, "联络点走访发现的问题已转为整改事项：%s", v->org_name);
        rc = rect_from_record(d, a, "liaison_visit", id, v->org_id, v->org_path, in, notice, "这次走访发现的问题", rect_id, e);
    }
    free(v);
    return rc;
}
