/* standing.c: the leaders' standing roll-up (leader_standing, migration 0030; see standing.h). */
#include "standing.h"
#include "liaison.h"
#include "../domain/orgpath.h"
#include "../lib/map.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

enum { SC_LEADERS, SC_ACTIVE, SC_NONE, SC_FEW, SC_MANY, SC_VISITS_FREE, SC_VISITS_MET, SC_LECTURED, SC_N };
static const char *const labels[SC_N] = {"领导干部", "其中账号有效", "没有联络点", "联络点不足", "联络点超出", "规则不要求走访",
                                         "走访达到要求", "讲过党课"};

typedef struct srow {
    int64_t org_id;
    int year;
    int64_t v[SC_N];
} srow;
typedef int (*srow_fn)(void *ctx, const srow *r);

typedef struct lgrant {
    int64_t org_id;
    char path[CX_PATH_MAX];
    bool dept;
} lgrant;

typedef struct ycount {
    int year;
    int64_t n;
} ycount;

/* Rows of "SELECT year, n" into a growing array; CX_OK or CX_ERR. */
static int read_years(db_stmt *s, ycount **out, size_t *n)
{
    size_t cap = 0;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        if (*n == cap) *out = xrealloc(*out, (cap = cap ? 2 * cap : 8) * sizeof **out);
        (*out)[*n].year = (int)db_col_i64(s, 0);
        (*out)[(*n)++].n = db_col_i64(s, 1);
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* What account uid contributes as stored now, one call of fn per (organisation, year) row; the
 * held 党课 meeting except_meeting (0: none) left out. */
static int leader_rows(db *d, int64_t uid, int64_t except_meeting, srow_fn fn, void *ctx)
{
    lgrant *g = NULL;
    size_t ng = 0, cap = 0;
    db_stmt *s = db_prepare(d, "SELECT o.id, o.path, o.sector FROM user_role r JOIN org o ON o.id = r.org_id WHERE r.user_id = ? AND r.role = 'leader' "
                               "ORDER BY length(o.path), o.id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, uid);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        if (ng == cap) g = xrealloc(g, (cap = cap ? 2 * cap : 4) * sizeof *g);
        g[ng].org_id = db_col_i64(s, 0);
        snprintf(g[ng].path, sizeof g[ng].path, "%s", db_col_text(s, 1));
        g[ng++].dept = !strcmp(db_col_text(s, 2), "government");
    }
    db_done(s);
    if (rc == CX_ERR || !ng) return free(g), rc == CX_ERR ? CX_ERR : CX_OK;
    int64_t active = 0, npoints = 0;
    ycount *visits = NULL, *lectures = NULL;
    size_t nv = 0, nl = 0;
    rc = db_i64(d, &active, 0, "SELECT active FROM app_user WHERE id = ?", "i", uid);
    if (rc == CX_OK) rc = db_i64(d, &npoints, 0, "SELECT count(*) FROM liaison_point WHERE leader_user_id = ? AND until IS NULL", "i", uid);
    if (rc == CX_OK) {
        s = db_prepare(d, "SELECT CAST(substr(visited_on, 1, 4) AS INTEGER), count(*) FROM liaison_visit WHERE leader_user_id = ? GROUP BY 1");
        if (s) db_bind_i64(s, 1, uid);
        rc = s ? read_years(s, &visits, &nv) : CX_ERR;
    }
    if (rc == CX_OK) {
        s = db_prepare(d, "SELECT CAST(substr(held_on, 1, 4) AS INTEGER), count(*) FROM meeting WHERE lecturer_user_id = ? AND status = 'held' "
                          "AND kind = 'lecture' AND id <> ? GROUP BY 1");
        if (s) db_bind_i64(s, 1, uid), db_bind_i64(s, 2, except_meeting);
        rc = s ? read_years(s, &lectures, &nl) : CX_ERR;
    }
    /* each organisation above a grant, judged by the highest grant under it (the first in order) */
    int64_t seen[8 * CX_PATH_MAX / 2];
    size_t nseen = 0, maxseen = sizeof seen / sizeof seen[0];
    for (size_t i = 0; rc == CX_OK && i < ng; i++) {
        liaison_rule rule;
        if (liaison_rule_for(d, g[i].path, &rule, NULL, NULL) != CX_OK) {
            rc = CX_ERR;
            break;
        }
        int64_t required = liaison_visits_required(&rule, g[i].dept);
        liaison_standing st = liaison_standing_of(&rule, npoints);
        int depth = orgpath_depth(g[i].path);
        for (int k = 0; rc == CX_OK && k <= depth; k++) {
            int64_t at = orgpath_at(g[i].path, k);
            bool dup = false;
            for (size_t j = 0; j < nseen && !dup; j++) dup = seen[j] == at;
            if (dup || at <= 0) continue;
            if (nseen < maxseen) seen[nseen++] = at;
            srow r = {.org_id = at, .year = 0};
            r.v[SC_LEADERS] = 1;
            r.v[SC_ACTIVE] = active != 0;
            r.v[SC_NONE] = st == LS_NONE;
            r.v[SC_FEW] = st == LS_FEW;
            r.v[SC_MANY] = st == LS_MANY;
            r.v[SC_VISITS_FREE] = required <= 0;
            rc = fn(ctx, &r);
            for (size_t y = 0; rc == CX_OK && y < nv; y++) {
                if (required <= 0 || visits[y].n < required) continue;
                srow m = {.org_id = at, .year = visits[y].year};
                m.v[SC_VISITS_MET] = 1;
                rc = fn(ctx, &m);
            }
            for (size_t y = 0; rc == CX_OK && active && y < nl; y++) {
                srow m = {.org_id = at, .year = lectures[y].year};
                m.v[SC_LECTURED] = 1;
                rc = fn(ctx, &m);
            }
        }
    }
    free(g);
    free(visits);
    free(lectures);
    return rc;
}

typedef struct add_ctx {
    db *d;
    int sign;
} add_ctx;

static int add_row(void *ctx, const srow *r)
{
    add_ctx *c = ctx;
    int64_t v[SC_N];
    for (int i = 0; i < SC_N; i++) v[i] = c->sign * r->v[i];
    return db_run(c->d, "INSERT INTO leader_standing (org_id, year, leaders, active, no_points, few_points, many_points, visits_free, visits_met, lectured) "
                        "VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT (org_id, year) DO UPDATE SET leaders = leader_standing.leaders + excluded.leaders, "
                        "active = leader_standing.active + excluded.active, no_points = leader_standing.no_points + excluded.no_points, "
                        "few_points = leader_standing.few_points + excluded.few_points, many_points = leader_standing.many_points + excluded.many_points, "
                        "visits_free = leader_standing.visits_free + excluded.visits_free, visits_met = leader_standing.visits_met + excluded.visits_met, "
                        "lectured = leader_standing.lectured + excluded.lectured",
                  "iiiiiiiiii", r->org_id, (int64_t)r->year, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
}

static int user_except(db *d, int64_t user_id, int64_t except_meeting, int sign)
{
    if (!user_id) return CX_OK;
    /* the account's row first (PostgreSQL): a second change of the same leader at once (a visit to
     * another point, a lecture) waits here and then reads this one's records, so the contribution
     * each takes away is the one the other left (SQLite: write transactions are one at a time); NO
     * KEY: a row that only refers to the account (an uncommitted point or visit) does not hold it up */
    if (sign < 0 && db_kind_of(d) == DB_PG && db_run(d, "SELECT id FROM app_user WHERE id = ? FOR NO KEY UPDATE", "i", user_id) != CX_OK) return CX_ERR;
    add_ctx c = {d, sign};
    return leader_rows(d, user_id, except_meeting, add_row, &c);
}

int standing_user(db *d, int64_t user_id, int sign)
{
    return user_except(d, user_id, 0, sign);
}

/* The accounts with a leader grant: in the subtree at path (NULL: anywhere), each once. */
static int leaders_of(db *d, const char *path, int64_t **ids, size_t *n)
{
    char end[CX_PATH_MAX];
    db_stmt *s;
    if (path) {
        orgpath_end(path, end, sizeof end);
        s = db_prepare(d, "SELECT DISTINCT r.user_id FROM user_role r JOIN org o ON o.id = r.org_id WHERE r.role = 'leader' AND o.path >= ? AND o.path < ? "
                          "ORDER BY r.user_id");
        if (s) db_bind_text(s, 1, path), db_bind_text(s, 2, end);
    } else s = db_prepare(d, "SELECT DISTINCT user_id FROM user_role WHERE role = 'leader' ORDER BY user_id");
    if (!s) return CX_ERR;
    size_t cap = 0;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        if (*n == cap) *ids = xrealloc(*ids, (cap = cap ? 2 * cap : 64) * sizeof **ids);
        (*ids)[(*n)++] = db_col_i64(s, 0);
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int standing_subtree(db *d, const char *path, int sign)
{
    int64_t *ids = NULL;
    size_t n = 0;
    int rc = leaders_of(d, path, &ids, &n);
    for (size_t i = 0; rc == CX_OK && i < n; i++) rc = standing_user(d, ids[i], sign);
    free(ids);
    return rc;
}

int standing_meeting_after(db *d, int64_t id, int64_t was_lecturer)
{
    int64_t now = 0;
    if (db_i64(d, &now, 0, "SELECT coalesce(lecturer_user_id, 0) FROM meeting WHERE id = ?", "i", id) != CX_OK) return CX_ERR;
    if (standing_user(d, was_lecturer, 1) != CX_OK) return CX_ERR;
    if (!now || now == was_lecturer) return CX_OK;
    return user_except(d, now, id, -1) == CX_OK && standing_user(d, now, 1) == CX_OK ? CX_OK : CX_ERR;
}

int standing_get(db *d, int64_t org_id, int year, standing *out)
{
    memset(out, 0, sizeof *out);
    /* two look-ups by the whole primary key (the year-0 row, the year's row) */
    db_stmt *s = db_prepare(d, "SELECT leaders, active, no_points, few_points, many_points, visits_free, visits_met, lectured FROM leader_standing "
                               "WHERE org_id = ? AND year = ?");
    if (!s) return CX_ERR;
    int rc = CX_OK;
    for (int k = 0; k < 2 && rc == CX_OK; k++) {
        db_bind_i64(s, 1, org_id);
        db_bind_i64(s, 2, k ? year : 0);
        int st = db_step(s);
        if (st == DB_ROW && !k) {
            out->leaders = db_col_i64(s, 0);
            out->active = db_col_i64(s, 1);
            out->none = db_col_i64(s, 2);
            out->few = db_col_i64(s, 3);
            out->many = db_col_i64(s, 4);
            out->visits_free = db_col_i64(s, 5);
        } else if (st == DB_ROW) {
            out->visits_met = db_col_i64(s, 6);
            out->lectured = db_col_i64(s, 7);
        } else if (st == CX_ERR)
            rc = CX_ERR;
        db_done(s);
        if (k == 0 && rc == CX_OK) {
            s = db_prepare(d, "SELECT leaders, active, no_points, few_points, many_points, visits_free, visits_met, lectured FROM leader_standing "
                              "WHERE org_id = ? AND year = ?");
            if (!s) rc = CX_ERR;
        }
    }
    return rc;
}

/* ---- recount ---- */

typedef struct want {
    map at; /* (org_id, year) → 1 + index into rows */
    srow *rows;
    size_t n, cap;
} want;

static uint64_t key_of(int64_t org_id, int year)
{
    return ((uint64_t)org_id << 14) | (uint64_t)(year & 0x3fff);
}

static srow *want_at(want *w, int64_t org_id, int year, bool *added)
{
    int64_t *at = map_put_int(&w->at, key_of(org_id, year), added);
    if (*added) {
        if (w->n == w->cap) w->rows = xrealloc(w->rows, (w->cap = w->cap ? 2 * w->cap : 256) * sizeof *w->rows);
        memset(&w->rows[w->n], 0, sizeof w->rows[0]);
        w->rows[w->n].org_id = org_id;
        w->rows[w->n].year = year;
        *at = (int64_t)++w->n;
    }
    return &w->rows[*at - 1];
}

static int want_add(void *ctx, const srow *r)
{
    bool added;
    srow *x = want_at(ctx, r->org_id, r->year, &added);
    for (int i = 0; i < SC_N; i++) x->v[i] += r->v[i];
    return CX_OK;
}

static int want_build(db *d, want *w)
{
    int64_t *ids = NULL;
    size_t n = 0;
    int rc = leaders_of(d, NULL, &ids, &n);
    for (size_t i = 0; rc == CX_OK && i < n; i++) rc = leader_rows(d, ids[i], 0, want_add, w);
    free(ids);
    return rc;
}

static bool zero(const int64_t v[SC_N])
{
    for (int i = 0; i < SC_N; i++)
        if (v[i]) return false;
    return true;
}

static int replace_rows(db *d, const want *w)
{
    int rc = db_run(d, "DELETE FROM leader_standing", "");
    for (size_t i = 0; rc == CX_OK && i < w->n; i++) {
        if (zero(w->rows[i].v)) continue;
        add_ctx c = {d, 1};
        rc = add_row(&c, &w->rows[i]);
    }
    return rc;
}

int standing_recount(db *d, bool fix, FILE *out, int64_t *diffs)
{
    *diffs = 0;
    bool own = !d->in_tx;
    if (own && db_begin(d, fix) != CX_OK) return CX_ERR;
    want w = {0};
    int rc = want_build(d, &w);
    size_t built = w.n; /* rows past this one were stored but not rebuilt */
    db_stmt *s = rc == CX_OK ? db_prepare(d, "SELECT org_id, year, leaders, active, no_points, few_points, many_points, visits_free, visits_met, lectured "
                                             "FROM leader_standing ORDER BY org_id, year")
                             : NULL;
    if (rc == CX_OK && !s) rc = CX_ERR;
    bool *matched = NULL;
    srow *stored = NULL;
    size_t ns = 0, cap = 0;
    while (s && (rc = db_step(s)) == DB_ROW) {
        if (ns == cap) stored = xrealloc(stored, (cap = cap ? 2 * cap : 256) * sizeof *stored);
        stored[ns].org_id = db_col_i64(s, 0);
        stored[ns].year = (int)db_col_i64(s, 1);
        for (int i = 0; i < SC_N; i++) stored[ns].v[i] = db_col_i64(s, 2 + i);
        ns++;
    }
    if (s) db_done(s);
    rc = rc == CX_ERR ? CX_ERR : CX_OK;
    if (rc == CX_OK) {
        matched = xcalloc(built + ns + 1, sizeof *matched);
        /* each stored row against the rebuilt one (zeros when there is none), then the rebuilt rows never stored */
        for (size_t k = 0; k < ns + built; k++) {
            const srow *st, *wt;
            srow nil = {0};
            if (k < ns) {
                bool added;
                srow *x = want_at(&w, stored[k].org_id, stored[k].year, &added);
                size_t at = (size_t)(x - w.rows);
                if (at < built) matched[at] = true;
                st = &stored[k], wt = x;
            } else {
                if (matched[k - ns]) continue;
                nil.org_id = w.rows[k - ns].org_id, nil.year = w.rows[k - ns].year;
                st = &nil, wt = &w.rows[k - ns];
            }
            for (int i = 0; i < SC_N; i++) {
                if (st->v[i] == wt->v[i]) continue;
                (*diffs)++;
                char year[16] = "";
                if (st->year) snprintf(year, sizeof year, "%d年", st->year);
                if (out)
                    fprintf(out, "领导干部联络点统计 组织编号 %" PRId64 " %s%s：记录为 %" PRId64 "，按原始记录应为 %" PRId64 "\n", st->org_id, year,
                            labels[i], st->v[i], wt->v[i]);
            }
        }
    }
    free(matched);
    free(stored);
    if (rc == CX_OK && fix && *diffs) {
        rc = replace_rows(d, &w);
        char after[64];
        snprintf(after, sizeof after, "{\"differences\":%" PRId64 "}", *diffs);
        if (rc == CX_OK) rc = audit_append(d, &actor_cli, "period.recount_fix", "leader_standing", 0, 0, NULL, after, "ok");
    }
    map_free(&w.at, NULL);
    free(w.rows);
    if (!own) return rc;
    if (rc == CX_OK && fix) rc = db_commit(d);
    else db_rollback(d);
    return rc;
}

int standing_fill(db *d)
{
    want w = {0};
    int rc = want_build(d, &w);
    if (rc == CX_OK) rc = replace_rows(d, &w);
    map_free(&w.at, NULL);
    free(w.rows);
    return rc;
}
