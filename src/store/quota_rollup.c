/* quota_rollup.c: the branches meeting their meeting quotas by month and their roll-up up the
 * tree (see quota_rollup.h and migration 0029). */
#include "quota_rollup.h"
#include "row.h"
#include "../domain/orgpath.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define ALL_MONTHS 0xFFFu

static void month_name(int year, int i, char out[16]) { snprintf(out, 16, "%04d-%02d", year % 10000, i % 12 + 1); }

int quota_kept_year(db *d, int *year)
{
    int64_t y = 0;
    if (db_i64(d, &y, 0, "SELECT year FROM quota_state WHERE id = 1", "") != CX_OK) return CX_ERR;
    *year = (int)y;
    return CX_OK;
}

static const char roll_sql[] = "INSERT INTO quota_rollup (org_id, month, branches, met) VALUES (?,?,?,?) ON CONFLICT (org_id, month) DO UPDATE "
                               "SET branches = quota_rollup.branches + excluded.branches, met = quota_rollup.met + excluded.met";

/* Adds (branches, met) for month to the first levels organisations on path (root first). */
static int roll(db *d, const char *path, int levels, const char *month, int64_t branches, int64_t met)
{
    if (!branches && !met) return CX_OK;
    for (int k = 0; k < levels; k++) {
        int64_t id = orgpath_at(path, k);
        if (id <= 0 || db_run(d, roll_sql, "isii", id, month, branches, met) != CX_OK) return CX_ERR;
    }
    return CX_OK;
}

/* The held meetings in year by organisation, kind and month (org_id 0: of every organisation, else
 * of that one), each group passed to add. */
typedef void (*held_fn)(void *ctx, int64_t org_id, int kind, int month, int64_t n);
static int held_scan(db *d, int64_t org_id, int year, held_fn add, void *ctx)
{
    char y0[16], y1[16];
    snprintf(y0, sizeof y0, "%04d-01-01", year % 10000);
    snprintf(y1, sizeof y1, "%04d-12-31", year % 10000);
    /* one branch's through the index on (org_id, held_on) */
    db_stmt *s = db_prepare(d, org_id ? "SELECT org_id, kind, substr(held_on, 6, 2), count(*) FROM meeting WHERE status = 'held' AND held_on >= ? "
                                        "AND held_on <= ? AND org_id = ? GROUP BY org_id, kind, substr(held_on, 6, 2)"
                                      : "SELECT org_id, kind, substr(held_on, 6, 2), count(*) FROM meeting WHERE status = 'held' AND held_on >= ? "
                                        "AND held_on <= ? GROUP BY org_id, kind, substr(held_on, 6, 2)");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, y0);
    db_bind_text(s, 2, y1);
    if (org_id) db_bind_i64(s, 3, org_id);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        int k = meeting_kind_from_name(db_col_text(s, 1)), m = atoi(db_col_text(s, 2));
        if (k >= 0 && m >= 1 && m <= 12) add(ctx, db_col_i64(s, 0), k, m - 1, db_col_i64(s, 3));
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

static void held_add(void *ctx, int64_t org_id, int kind, int month, int64_t n)
{
    (void)org_id;
    ((int64_t(*)[12])ctx)[kind][month] += n;
}

/* The held meetings of org_id in year by kind and month. */
static int held_of(db *d, int64_t org_id, int year, int64_t held[MK_COUNT][12])
{
    memset(held, 0, sizeof(int64_t) * MK_COUNT * 12);
    return held_scan(d, org_id, year, held_add, held);
}

int quota_branch_redo(db *d, int64_t org_id, unsigned mask)
{
    int year;
    if (quota_kept_year(d, &year) != CX_OK) return CX_ERR;
    if (!year || !(mask & ALL_MONTHS)) return CX_OK;
    char m1[16];
    month_name(year, 0, m1);
    /* one change of a branch at a time: its January row is the lock (SQLite writes one at a time) */
    if (db_run(d, "UPDATE quota_met SET met = met WHERE org_id = ? AND month = ?", "is", org_id, m1) != CX_OK) return CX_ERR;
    db_stmt *s = db_prepare(d, "SELECT path, type, active FROM org WHERE id = ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, org_id);
    char path[CX_PATH_MAX] = "";
    bool branch = false, active = false;
    int rc = db_step(s);
    if (rc == DB_ROW) copy_col(path, sizeof path, s, 0), branch = !strcmp(db_col_text(s, 1), "branch"), active = db_col_i64(s, 2) != 0;
    db_done(s);
    if (rc == CX_ERR) return CX_ERR;
    if (!path[0]) return CX_OK;
    int levels = orgpath_depth(path) + 1;
    if (levels <= 0) return CX_ERR;
    bool exists[12] = {false}, have[12] = {false};
    if (!(s = db_prepare(d, "SELECT month, met FROM quota_met WHERE org_id = ?"))) return CX_ERR;
    db_bind_i64(s, 1, org_id);
    while ((rc = db_step(s)) == DB_ROW) {
        const char *m = db_col_text(s, 0);
        int i = atoi(m + 5) - 1;
        if (atoi(m) == year && i >= 0 && i < 12) exists[i] = true, have[i] = db_col_i64(s, 1) != 0;
    }
    db_done(s);
    if (rc == CX_ERR) return CX_ERR;
    char month[16];
    if (!branch) { /* no longer a branch (its type changed): it leaves */
        for (int i = 0; i < 12; i++) {
            month_name(year, i, month);
            if (exists[i] && active && roll(d, path, levels, month, -1, have[i] ? -1 : 0) != CX_OK) return CX_ERR;
        }
        return db_run(d, "DELETE FROM quota_met WHERE org_id = ?", "i", org_id);
    }
    meeting_quota q[MK_COUNT];
    int64_t held[MK_COUNT][12];
    bool met[12];
    if (meeting_quotas(d, path, q) != CX_OK || held_of(d, org_id, year, held) != CX_OK) return CX_ERR;
    quota_met_year(q, held, met);
    for (int i = 0; i < 12; i++) {
        month_name(year, i, month);
        if (!exists[i]) {
            if (db_run(d, "INSERT INTO quota_met (org_id, month, met) VALUES (?,?,?)", "isi", org_id, month, (int64_t)met[i]) != CX_OK ||
                (active && roll(d, path, levels, month, 1, met[i]) != CX_OK))
                return CX_ERR;
        } else if ((mask >> i & 1u) && have[i] != met[i]) {
            if (db_run(d, "UPDATE quota_met SET met = ? WHERE org_id = ? AND month = ?", "iis", (int64_t)met[i], org_id, month) != CX_OK ||
                (active && roll(d, path, levels, month, 0, met[i] ? 1 : -1) != CX_OK))
                return CX_ERR;
        }
    }
    return CX_OK;
}

int quota_meeting_changed(db *d, int64_t org_id, meeting_kind k0, bool held0, const char *date0, meeting_kind k1, bool held1, const char *date1)
{
    int year;
    if (!held0 && !held1) return CX_OK;
    if (quota_kept_year(d, &year) != CX_OK) return CX_ERR;
    if (!year) return CX_OK;
    db_stmt *s = db_prepare(d, "SELECT path FROM org WHERE id = ? AND type = 'branch'");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, org_id);
    char path[CX_PATH_MAX] = "";
    int rc = db_step(s);
    if (rc == DB_ROW) copy_col(path, sizeof path, s, 0);
    db_done(s);
    if (rc == CX_ERR) return CX_ERR;
    if (!path[0]) return CX_OK; /* only a branch's meetings count */
    meeting_quota q[MK_COUNT];
    if (meeting_quotas(d, path, q) != CX_OK) return CX_ERR;
    unsigned mask = 0;
    if (held0 && atoi(date0) == year && k0 >= 0 && k0 < MK_COUNT) mask |= quota_months(&q[k0], date0);
    if (held1 && atoi(date1) == year && k1 >= 0 && k1 < MK_COUNT) mask |= quota_months(&q[k1], date1);
    return mask ? quota_branch_redo(d, org_id, mask) : CX_OK;
}

int quota_subtree_redo(db *d, const char *path)
{
    int year;
    if (quota_kept_year(d, &year) != CX_OK) return CX_ERR;
    if (!year) return CX_OK;
    char end[CX_PATH_MAX], m1[16];
    orgpath_end(path, end, sizeof end);
    month_name(year, 0, m1);
    /* every branch of the subtree locked first (a meeting's change locks its one branch before the
     * roll-up rows: no wait the other way round) */
    if (db_run(d, "UPDATE quota_met SET met = met WHERE month = ? AND org_id IN (SELECT id FROM org WHERE path >= ? AND path < ?)", "sss", m1,
               path, end) != CX_OK)
        return CX_ERR;
    db_stmt *s = db_prepare(d, "SELECT id FROM org WHERE path >= ? AND path < ? AND (type = 'branch' OR id IN (SELECT org_id FROM quota_met "
                               "WHERE month = ?)) ORDER BY path");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, path);
    db_bind_text(s, 2, end);
    db_bind_text(s, 3, m1);
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        if (n == cap) ids = xrealloc(ids, (cap = cap ? 2 * cap : 64) * sizeof *ids);
        ids[n++] = db_col_i64(s, 0);
    }
    db_done(s);
    rc = rc == CX_ERR ? CX_ERR : CX_OK;
    for (size_t i = 0; rc == CX_OK && i < n; i++) rc = quota_branch_redo(d, ids[i], ALL_MONTHS);
    free(ids);
    return rc;
}

int quota_org_active(db *d, int64_t org_id, const char *path, bool active)
{
    int levels = orgpath_depth(path) + 1;
    if (levels <= 0) return CX_ERR;
    db_stmt *s = db_prepare(d, "SELECT month, met FROM quota_met WHERE org_id = ? ORDER BY month");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, org_id);
    char months[12][16];
    bool met[12];
    int n = 0, rc;
    while ((rc = db_step(s)) == DB_ROW && n < 12) copy_col(months[n], sizeof months[n], s, 0), met[n++] = db_col_i64(s, 1) != 0;
    db_done(s);
    if (rc == CX_ERR) return CX_ERR;
    int sign = active ? 1 : -1;
    for (int i = 0; i < n; i++)
        if (roll(d, path, levels, months[i], sign, met[i] ? sign : 0) != CX_OK) return CX_ERR;
    return CX_OK;
}

int quota_org_moved(db *d, int64_t org_id, const char *old_path, const char *new_path)
{
    int year;
    if (quota_kept_year(d, &year) != CX_OK) return CX_ERR;
    if (!year) return CX_OK;
    int od = orgpath_depth(old_path), nd = orgpath_depth(new_path);
    if (od < 0 || nd < 0) return CX_ERR;
    db_stmt *s = db_prepare(d, "SELECT month, branches, met FROM quota_rollup WHERE org_id = ? AND (branches <> 0 OR met <> 0)");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, org_id);
    char months[12][16];
    int64_t b[12], m[12];
    int n = 0, rc;
    while ((rc = db_step(s)) == DB_ROW && n < 12) copy_col(months[n], sizeof months[n], s, 0), b[n] = db_col_i64(s, 1), m[n++] = db_col_i64(s, 2);
    db_done(s);
    if (rc == CX_ERR) return CX_ERR;
    /* the ancestors only: the subtree's own rows stay */
    for (int i = 0; i < n; i++)
        if (roll(d, old_path, od, months[i], -b[i], -m[i]) != CX_OK || roll(d, new_path, nd, months[i], b[i], m[i]) != CX_OK) return CX_ERR;
    return quota_subtree_redo(d, new_path); /* the quotas in force at the new place */
}

int quota_rollup_get(db *d, int64_t org_id, const char *month, bool *kept, int64_t *branches, int64_t *met)
{
    *branches = *met = 0;
    int year;
    if (quota_kept_year(d, &year) != CX_OK) return CX_ERR;
    *kept = year && atoi(month) == year;
    if (!*kept) return CX_OK;
    db_stmt *s = db_prepare(d, "SELECT branches, met FROM quota_rollup WHERE org_id = ? AND month = ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, org_id);
    db_bind_text(s, 2, month);
    int rc = db_step(s);
    if (rc == DB_ROW) *branches = db_col_i64(s, 0), *met = db_col_i64(s, 1);
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int quota_behind_page(db *d, const org *o, const char *month, int64_t offset, int64_t limit, quota_gap_fn fn, void *ctx)
{
    char end[CX_PATH_MAX], from[11], to[11];
    orgpath_end(o->path, end, sizeof end);
    cx_err e = {0};
    if (meeting_period(month, from, to, &e) != CX_OK) return CX_ERR;
    db_stmt *s = db_prepare(d, "SELECT o.id, o.name, o.path FROM org o JOIN quota_met q ON q.org_id = o.id AND q.month = ? AND q.met = 0 "
                               "WHERE o.path >= ? AND o.path < ? AND o.active = 1 AND o.type = 'branch' ORDER BY o.path LIMIT ? OFFSET ?");
    if (s) db_bind_text(s, 1, month), db_bind_text(s, 2, o->path), db_bind_text(s, 3, end), db_bind_i64(s, 4, limit), db_bind_i64(s, 5, offset);
    return meeting_gaps_listed(d, s, from, to, false, 0, fn, ctx, NULL);
}

/* ---- built from the meetings and quotas: a new year, recount ---- */

typedef struct qbranch {
    int64_t id;
    char *path;
    bool active, met[12];
    int64_t held[MK_COUNT][12];
} qbranch;
typedef struct qrow {
    char *path;
    int kind, per;
    int64_t count;
} qrow;
typedef struct qwant {
    qbranch *b;
    size_t nb;
    int64_t *orgs; /* every organisation's id, ascending */
    int64_t (*ru)[12][2]; /* by orgs index: branches, met */
    size_t no;
} qwant;

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}
static qbranch *branch_of(const qwant *w, int64_t id) { return bsearch(&id, w->b, w->nb, sizeof *w->b, cmp_i64); }
static long org_index(const qwant *w, int64_t id)
{
    int64_t *p = bsearch(&id, w->orgs, w->no, sizeof *w->orgs, cmp_i64);
    return p ? (long)(p - w->orgs) : -1;
}

static void want_free(qwant *w)
{
    for (size_t i = 0; i < w->nb; i++) free(w->b[i].path);
    free(w->b);
    free(w->orgs);
    free(w->ru);
    memset(w, 0, sizeof *w);
}

static void want_held(void *ctx, int64_t org_id, int kind, int month, int64_t n)
{
    qbranch *b = branch_of(ctx, org_id);
    if (b) b->held[kind][month] += n;
}

/* What the rows of year should be, from the meetings, the quotas and the tree (the same
 * definition as quota_branch_redo: nearest quota row up the path, quota_met_year). */
static int want_build(db *d, int year, qwant *w)
{
    memset(w, 0, sizeof *w);
    qrow *qr = NULL;
    size_t nq = 0, cap = 0;
    db_stmt *s = db_prepare(d, "SELECT o.path, t.kind, t.per, t.count FROM meeting_quota t JOIN org o ON o.id = t.org_id");
    if (!s) return CX_ERR;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        int k = meeting_kind_from_name(db_col_text(s, 1)), p = quota_per_from_name(db_col_text(s, 2));
        if (k < 0 || p < 0) continue;
        if (nq == cap) qr = xrealloc(qr, (cap = cap ? 2 * cap : 16) * sizeof *qr);
        qr[nq++] = (qrow){xstrdup(db_col_text(s, 0)), k, p, db_col_i64(s, 3)};
    }
    db_done(s);
    cap = 0;
    if (rc != CX_ERR && (s = db_prepare(d, "SELECT id, path, active FROM org WHERE type = 'branch' ORDER BY id"))) {
        while ((rc = db_step(s)) == DB_ROW) {
            if (w->nb == cap) w->b = xrealloc(w->b, (cap = cap ? 2 * cap : 256) * sizeof *w->b);
            qbranch *b = &w->b[w->nb++];
            memset(b, 0, sizeof *b);
            b->id = db_col_i64(s, 0);
            b->path = xstrdup(db_col_text(s, 1));
            b->active = db_col_i64(s, 2) != 0;
        }
        db_done(s);
    } else rc = CX_ERR;
    if (rc != CX_ERR) rc = held_scan(d, 0, year, want_held, w);
    cap = 0;
    if (rc != CX_ERR && (s = db_prepare(d, "SELECT id FROM org ORDER BY id"))) {
        while ((rc = db_step(s)) == DB_ROW) {
            if (w->no == cap) w->orgs = xrealloc(w->orgs, (cap = cap ? 2 * cap : 256) * sizeof *w->orgs);
            w->orgs[w->no++] = db_col_i64(s, 0);
        }
        db_done(s);
    } else rc = CX_ERR;
    if (rc == CX_ERR) {
        for (size_t i = 0; i < nq; i++) free(qr[i].path);
        free(qr);
        want_free(w);
        return CX_ERR;
    }
    w->ru = calloc(w->no ? w->no : 1, sizeof *w->ru);
    if (!w->ru) abort();
    for (size_t i = 0; i < w->nb; i++) {
        qbranch *b = &w->b[i];
        meeting_quota q[MK_COUNT];
        size_t best[MK_COUNT] = {0};
        for (int k = 0; k < MK_COUNT; k++) meeting_quota_default((meeting_kind)k, &q[k]);
        for (size_t j = 0; j < nq; j++) {
            size_t len = strlen(qr[j].path);
            if (len <= best[qr[j].kind] || strncmp(b->path, qr[j].path, len) != 0) continue;
            best[qr[j].kind] = len;
            q[qr[j].kind].per = (quota_per)qr[j].per;
            q[qr[j].kind].count = qr[j].count;
        }
        quota_met_year(q, (const int64_t(*)[12])b->held, b->met);
        if (!b->active) continue;
        int depth = orgpath_depth(b->path);
        for (int k = 0; k <= depth; k++) {
            long x = org_index(w, orgpath_at(b->path, k));
            if (x < 0) continue;
            for (int m = 0; m < 12; m++) w->ru[x][m][0]++, w->ru[x][m][1] += b->met[m];
        }
    }
    for (size_t i = 0; i < nq; i++) free(qr[i].path);
    free(qr);
    return CX_OK;
}

/* Replaces every row by w's for year. */
static int want_write(db *d, int year, const qwant *w)
{
    if (db_run(d, "DELETE FROM quota_met", "") != CX_OK || db_run(d, "DELETE FROM quota_rollup", "") != CX_OK) return CX_ERR;
    /* a row per branch and month, and per organisation and month: millions at province scale,
     * so in bulk (COPY on PostgreSQL) */
    char month[16];
    db_bulk *b = db_bulk_begin(d, "quota_met", "org_id, month, met");
    for (size_t i = 0; i < w->nb; i++)
        for (int m = 0; m < 12; m++) {
            month_name(year, m, month);
            if (db_bulk_row(b, "isi", w->b[i].id, month, (int64_t)w->b[i].met[m]) != CX_OK) return db_bulk_cancel(b), CX_ERR;
        }
    if (db_bulk_end(b) != CX_OK) return CX_ERR;
    b = db_bulk_begin(d, "quota_rollup", "org_id, month, branches, met");
    for (size_t i = 0; i < w->no; i++)
        for (int m = 0; m < 12; m++) {
            if (!w->ru[i][m][0]) continue;
            month_name(year, m, month);
            if (db_bulk_row(b, "isii", w->orgs[i], month, w->ru[i][m][0], w->ru[i][m][1]) != CX_OK) return db_bulk_cancel(b), CX_ERR;
        }
    if (db_bulk_end(b) != CX_OK) return CX_ERR;
    return db_run(d, "UPDATE quota_state SET year = ? WHERE id = 1", "i", (int64_t)year);
}

int quota_rebuild_kept(db *d)
{
    int year;
    if (quota_kept_year(d, &year) != CX_OK) return CX_ERR;
    if (!year) return CX_OK;
    qwant w;
    int rc = want_build(d, year, &w);
    if (rc == CX_OK) {
        rc = want_write(d, year, &w);
        want_free(&w);
    }
    return rc;
}

int quota_keep_year(db *d, int year)
{
    if (db_begin(d, true) != CX_OK) return CX_ERR;
    int64_t kept = 0;
    /* the state row is the lock: two first views of a new year build it once */
    if (db_i64(d, &kept, 0, "UPDATE quota_state SET year = year WHERE id = 1 RETURNING year", "") != CX_OK) {
        db_rollback(d);
        return CX_ERR;
    }
    if (kept == year) {
        db_rollback(d);
        return CX_OK;
    }
    qwant w;
    int rc = want_build(d, year, &w);
    if (rc == CX_OK) {
        rc = want_write(d, year, &w);
        want_free(&w);
    }
    if (rc == CX_OK) return db_commit(d);
    db_rollback(d);
    return CX_ERR;
}

typedef struct qdiff {
    int64_t org_id, stored[2], want[2];
    char month[16];
    bool branch_row;
} qdiff;

int quota_recount(db *d, bool fix, FILE *out, int64_t *diffs)
{
    *diffs = 0;
    bool own = !d->in_tx;
    if (own && db_begin(d, fix) != CX_OK) return CX_ERR;
    int year = 0;
    int rc = quota_kept_year(d, &year);
    qwant w = {0};
    qdiff *v = NULL;
    size_t n = 0, cap = 0;
#define DIFF(...)                                                                                                                          \
    do {                                                                                                                                   \
        if (n == cap) v = xrealloc(v, (cap = cap ? 2 * cap : 16) * sizeof *v);                                                             \
        v[n++] = (qdiff){__VA_ARGS__};                                                                                                     \
    } while (0)
    if (rc == CX_OK && year) rc = want_build(d, year, &w);
    bool (*seen)[12] = year && rc == CX_OK ? calloc(w.nb ? w.nb : 1, sizeof *seen) : NULL;
    bool (*rseen)[12] = year && rc == CX_OK ? calloc(w.no ? w.no : 1, sizeof *rseen) : NULL;
    db_stmt *s = NULL;
    /* both tables hold a row per organisation and month (millions at province scale): read a
     * chunk at a time (db_stream), never whole */
    if (rc == CX_OK && (s = db_prepare(d, "SELECT org_id, month, met FROM quota_met"))) {
        db_stream(s, DB_STREAM_ROWS);
        while ((rc = db_step(s)) == DB_ROW) {
            int64_t id = db_col_i64(s, 0), met = db_col_i64(s, 2);
            const char *m = db_col_text(s, 1);
            int i = atoi(m + 5) - 1;
            qbranch *b = year && atoi(m) == year && i >= 0 && i < 12 ? branch_of(&w, id) : NULL;
            qdiff x = {.org_id = id, .stored = {1, met}, .want = {0, 0}, .branch_row = true};
            snprintf(x.month, sizeof x.month, "%.7s", m);
            if (b) {
                seen[b - w.b][i] = true;
                if (b->met[i] == (met != 0)) continue;
                x.want[0] = 1, x.want[1] = b->met[i];
            }
            DIFF(x.org_id, {x.stored[0], x.stored[1]}, {x.want[0], x.want[1]}, {0}, true);
            memcpy(v[n - 1].month, x.month, sizeof x.month);
        }
        db_done(s);
    } else if (rc == CX_OK) rc = CX_ERR;
    if (rc != CX_ERR && (s = db_prepare(d, "SELECT org_id, month, branches, met FROM quota_rollup WHERE branches <> 0 OR met <> 0"))) {
        db_stream(s, DB_STREAM_ROWS);
        while ((rc = db_step(s)) == DB_ROW) {
            int64_t id = db_col_i64(s, 0), br = db_col_i64(s, 2), met = db_col_i64(s, 3);
            const char *m = db_col_text(s, 1);
            int i = atoi(m + 5) - 1;
            long x = year && atoi(m) == year && i >= 0 && i < 12 ? org_index(&w, id) : -1;
            int64_t wb = x >= 0 ? w.ru[x][i][0] : 0, wm = x >= 0 ? w.ru[x][i][1] : 0;
            if (x >= 0) rseen[x][i] = true;
            if (wb == br && wm == met) continue;
            DIFF(id, {br, met}, {wb, wm}, {0}, false);
            snprintf(v[n - 1].month, sizeof v[n - 1].month, "%.7s", m);
        }
        db_done(s);
    } else if (rc != CX_ERR) rc = CX_ERR;
    rc = rc == CX_ERR ? CX_ERR : CX_OK;
    for (size_t i = 0; rc == CX_OK && year && i < w.nb; i++)
        for (int m = 0; m < 12; m++)
            if (!seen[i][m]) {
                DIFF(w.b[i].id, {0, 0}, {1, w.b[i].met[m]}, {0}, true);
                month_name(year, m, v[n - 1].month);
            }
    for (size_t i = 0; rc == CX_OK && year && i < w.no; i++)
        for (int m = 0; m < 12; m++)
            if (!rseen[i][m] && (w.ru[i][m][0] || w.ru[i][m][1])) {
                DIFF(w.orgs[i], {0, 0}, {w.ru[i][m][0], w.ru[i][m][1]}, {0}, false);
                month_name(year, m, v[n - 1].month);
            }
#undef DIFF
    *diffs = (int64_t)n;
    org_names names = {0};
    for (size_t i = 0; rc == CX_OK && out && i < n; i++) {
        const char *name = org_names_get(d, &names, v[i].org_id);
        const qdiff *x = &v[i];
        if (x->branch_row)
            fprintf(out, "组织生活达标 %s 党支部 %s（编号 %" PRId64 "）：记录为%s，按会议和要求应为%s\n", x->month, name, x->org_id,
                    !x->stored[0] ? "无记录" : x->stored[1] ? "达标" : "未达标", !x->want[0] ? "无记录" : x->want[1] ? "达标" : "未达标");
        else
            fprintf(out, "组织生活达标统计 %s 组织 %s（编号 %" PRId64 "）：记录为党支部 %" PRId64 " 个、达标 %" PRId64 " 个，按会议和要求应为 %" PRId64
                         " 个、%" PRId64 " 个\n",
                    x->month, name, x->org_id, x->stored[0], x->stored[1], x->want[0], x->want[1]);
    }
    org_names_free(&names);
    if (rc == CX_OK && fix && n) {
        rc = year ? want_write(d, year, &w) : (db_run(d, "DELETE FROM quota_met", "") == CX_OK ? db_run(d, "DELETE FROM quota_rollup", "") : CX_ERR);
        char after[64];
        snprintf(after, sizeof after, "{\"differences\":%" PRId64 "}", *diffs);
        if (rc == CX_OK) rc = audit_append(d, &actor_cli, "period.recount_fix", "quota_rollup", 0, 0, NULL, after, "ok");
    }
    free(v);
    free(seen);
    free(rseen);
    if (year) want_free(&w);
    if (!own) return rc;
    if (rc == CX_OK && fix) rc = db_commit(d);
    else db_rollback(d);
    return rc;
}
