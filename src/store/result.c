/* result.c: published results of a review round, frozen, versioned and recounted (see result.h). */
#include "result.h"
#include "rollup.h"
#include "row.h"
#include "../domain/orgpath.h"
#include "../domain/perm.h"
#include "../lib/json.h"
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void result_lines_free(result_lines *l)
{
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

static result_line *line_add(result_lines *l, int *cap)
{
    if (l->n == *cap) {
        *cap = *cap ? 2 * *cap : 16;
        l->v = xrealloc(l->v, (size_t)*cap * sizeof *l->v);
    }
    result_line *x = &l->v[l->n++];
    memset(x, 0, sizeof *x);
    x->rate = -1;
    return x;
}

/* Adds the ballots of the current row (columns valid, verified, hold, channel, answers, count from
 * col) to r. */
static void take_ballots(db_stmt *s, int col, rollup *r)
{
    int64_t n = db_col_i64(s, col + 5);
    if (n <= 0) return;
    rollup_of_ballot(r, ballot_class(db_col_i64(s, col) != 0, db_col_i64(s, col + 1) != 0, db_col_text(s, col + 2)), db_col_text(s, col + 3),
                     db_col_text(s, col + 4), (int)n);
}

static void line_figures(result_line *x, const rollup *r)
{
    x->valid = r->v[RU_BALLOTS_VALID];
    x->rate = rollup_satisfaction(r);
}

/* Prepares sql and binds its parameters: the round, then (with upto) the newest ballot counted
 * twice ("? = 0 OR b.id <= ?"), then the range of the subtree at path. NULL on failure. */
static db_stmt *subtree_stmt(db *d, const char *sql, int64_t round_id, bool with_upto, int64_t upto, const char *path)
{
    char end[CX_PATH_MAX];
    orgpath_end(path, end, sizeof end);
    db_stmt *s = db_prepare(d, sql);
    if (!s) return NULL;
    int k = 1;
    db_bind_i64(s, k++, round_id);
    if (with_upto) {
        db_bind_i64(s, k++, upto);
        db_bind_i64(s, k++, upto);
    }
    db_bind_text(s, k++, path);
    db_bind_text(s, k, end);
    return s;
}

/* Service windows (kind 'window' only) of the subtree at path: active ones and any with ballots in
 * the round up to ballot upto (0: all). */
static int windows_of(db *d, int64_t round_id, const char *path, int64_t upto, result_lines *out)
{
    db_stmt *s = subtree_stmt(d, "SELECT w.id, w.name, o.name, b.valid, b.verified, b.hold, b.channel, b.answers, count(b.id) FROM service_window w "
                               "JOIN org o ON o.id = w.org_id LEFT JOIN ballot b ON b.round_id = ? AND b.target_kind = 'window' AND b.target_id = w.id "
                               "AND b.late = 0 AND (? = 0 OR b.id <= ?) WHERE w.kind = 'window' AND o.path >= ? AND o.path < ? AND (w.active = 1 OR b.id IS NOT NULL) "
                               "GROUP BY w.id, w.name, o.name, b.valid, b.verified, b.hold, b.channel, b.answers ORDER BY w.id", round_id, true, upto, path);
    if (!s) return CX_ERR;
    int rc, cap = 0;
    rollup r = {0};
    result_line *x = NULL;
    while ((rc = db_step(s)) == DB_ROW) {
        int64_t id = db_col_i64(s, 0);
        if (!x || x->ref_id != id) {
            if (x) line_figures(x, &r);
            memset(&r, 0, sizeof r);
            x = line_add(out, &cap);
            x->ref_id = id;
            copy_col(x->name, sizeof x->name, s, 1);
            copy_col(x->org_name, sizeof x->org_name, s, 2);
        }
        take_ballots(s, 3, &r);
    }
    db_done(s);
    if (x) line_figures(x, &r);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* Counts the ballots of the current row (columns valid, verified, hold, channel, answers, count)
 * of s into r, then finishes s. */
static int ballots_into_rollup(db_stmt *s, rollup *r)
{
    memset(r, 0, sizeof *r);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) take_ballots(s, 0, r);
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* The raw count behind an organisation's published figures: the ballots of the round, up to
 * ballot upto, of the organisations its subtree held at publication (result_scope), so that a
 * later move or deactivation does not change what is checked. */
static int frozen_ballots(db *d, int64_t round_id, int64_t list_id, int64_t ref_id, int64_t upto, rollup *r)
{
    db_stmt *s = db_prepare(d, "SELECT b.valid, b.verified, b.hold, b.channel, b.answers, count(*) FROM ballot b JOIN result_scope x ON x.org_id = b.org_id "
                               "WHERE x.list_id = ? AND x.ref_id = ? AND b.round_id = ? AND b.late = 0 AND (? = 0 OR b.id <= ?) "
                               "GROUP BY b.valid, b.verified, b.hold, b.channel, b.answers");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, list_id);
    db_bind_i64(s, 2, ref_id);
    db_bind_i64(s, 3, round_id);
    db_bind_i64(s, 4, upto);
    db_bind_i64(s, 5, upto);
    return ballots_into_rollup(s, r);
}

/* The ballots of one window in the round up to ballot upto, wherever the window is now. */
static int window_ballots(db *d, int64_t round_id, int64_t window_id, int64_t upto, rollup *r)
{
    db_stmt *s = db_prepare(d, "SELECT valid, verified, hold, channel, answers, count(*) FROM ballot WHERE round_id = ? AND target_kind = 'window' "
                               "AND target_id = ? AND late = 0 AND (? = 0 OR id <= ?) GROUP BY valid, verified, hold, channel, answers");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, round_id);
    db_bind_i64(s, 2, window_id);
    db_bind_i64(s, 3, upto);
    db_bind_i64(s, 4, upto);
    return ballots_into_rollup(s, r);
}

/* Steps s (columns id, name, organisation name) into out; finishes s. DB_DONE or CX_ERR. */
static int read_named(db_stmt *s, result_lines *out)
{
    int rc, cap = 0;
    while ((rc = db_step(s)) == DB_ROW) {
        result_line *x = line_add(out, &cap);
        x->ref_id = db_col_i64(s, 0);
        copy_col(x->name, sizeof x->name, s, 1);
        copy_col(x->org_name, sizeof x->org_name, s, 2);
    }
    db_done(s);
    return rc;
}

/* Organisations of the scope: the office's active direct children, or every active branch of its
 * subtree (the office itself excepted); organisation name: the parent's. */
static int orgs_of(db *d, int64_t round_id, const org *office, result_scope scope, result_lines *out)
{
    char end[CX_PATH_MAX];
    orgpath_end(office->path, end, sizeof end);
    db_stmt *s = scope == RSC_CHILDREN
                     ? db_prepare(d, "SELECT o.id, o.name, p.name FROM org o JOIN org p ON p.id = o.parent_id WHERE o.active = 1 AND o.parent_id = ? "
                                     "ORDER BY o.id")
                     : db_prepare(d, "SELECT o.id, o.name, p.name FROM org o JOIN org p ON p.id = o.parent_id WHERE o.active = 1 AND o.type = 'branch' "
                                     "AND o.id <> ? AND o.path >= ? AND o.path < ? ORDER BY o.id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, office->id);
    if (scope != RSC_CHILDREN) {
        db_bind_text(s, 2, office->path);
        db_bind_text(s, 3, end);
    }
    int rc = read_named(s, out);
    for (int i = 0; rc != CX_ERR && i < out->n; i++) {
        rollup r;
        if (rollup_get(d, round_id, out->v[i].ref_id, &r) != CX_OK) rc = CX_ERR;
        else line_figures(&out->v[i], &r);
    }
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* Members of the subtree whose final grade in the round is 优秀 and approved: names only. */
static int excellent_of(db *d, int64_t round_id, const char *path, result_lines *out)
{
    db_stmt *s = subtree_stmt(d, "SELECT m.id, m.name, o.name FROM grade g JOIN member m ON m.id = g.target_id JOIN org o ON o.id = g.org_id "
                               "WHERE g.round_id = ? AND g.target_kind = 'member' AND g.final = 'excellent' AND g.approval = 'approved' "
                               "AND o.path >= ? AND o.path < ? ORDER BY m.id", round_id, false, 0, path);
    if (!s) return CX_ERR;
    int rc = read_named(s, out);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* The list ok would publish now for office (windows counted from their ballots up to upto, 0: all;
 * organisations from the round's roll-ups), ranked. */
static int compute_upto(db *d, const review_round *rd, const org *office, const result_ok *ok, int64_t upto, result_lines *out)
{
    memset(out, 0, sizeof *out);
    int rc = ok->kind == RL_WINDOWS ? windows_of(d, rd->id, office->path, upto, out)
           : ok->kind == RL_ORGS    ? orgs_of(d, rd->id, office, ok->scope, out)
                                    : excellent_of(d, rd->id, office->path, out);
    if (rc != CX_OK) {
        result_lines_free(out);
        return CX_ERR;
    }
    result_rank(out->v, out->n, ok->kind == RL_EXCELLENT ? 0 : ok->min_ballots);
    return CX_OK;
}

int result_compute(db *d, const review_round *rd, const org *office, const result_ok *ok, result_lines *out)
{
    return compute_upto(d, rd, office, ok, 0, out);
}

#define PUB_COLS                                                                                                                   \
    "l.id, l.round_id, l.org_id, l.replaced_by, l.published_at, l.withdrawn_at, l.row_version, l.version, l.min_ballots, l.kind, "  \
    "l.scope, l.status, l.method, l.published_by_name, l.withdraw_reason, o.name, l.org_path, r.name, "                             \
    "coalesce((SELECT x.published_at FROM result_list x WHERE x.replaced_by = l.id), 0), l.last_ballot_id"
#define PUB_FROM " FROM result_list l JOIN org o ON o.id = l.org_id JOIN review_round r ON r.id = l.round_id"

typedef struct pub_row {
    result_pub p;
    int64_t last_ballot_id;
} pub_row;

static void read_pub(db_stmt *s, void *out)
{
    pub_row *x = out;
    result_pub *p = &x->p;
    int64_t *v[] = {&p->id, &p->round_id, &p->org_id, &p->replaced_by, &p->published_at, &p->withdrawn_at, &p->version_row};
    for (int i = 0; i < 7; i++) *v[i] = db_col_i64(s, i);
    p->version = (int)db_col_i64(s, 7);
    p->min_ballots = (int)db_col_i64(s, 8);
    int k = result_kind_from_name(db_col_text(s, 9)), sc = result_scope_from_name(db_col_text(s, 10));
    p->kind = k < 0 ? RL_WINDOWS : (result_kind)k;
    p->scope = sc < 0 ? RSC_CHILDREN : (result_scope)sc;
    copy_col(p->status, sizeof p->status, s, 11);
    copy_col(p->method, sizeof p->method, s, 12);
    copy_col(p->published_by_name, sizeof p->published_by_name, s, 13);
    copy_col(p->withdraw_reason, sizeof p->withdraw_reason, s, 14);
    copy_col(p->org_name, sizeof p->org_name, s, 15);
    copy_col(p->org_path, sizeof p->org_path, s, 16);
    copy_col(p->round_name, sizeof p->round_name, s, 17);
    p->replaces_at = db_col_i64(s, 18);
    x->last_ballot_id = db_col_i64(s, 19);
}

static int pub_get(db *d, int64_t id, pub_row *x)
{
    return row_by_id(d, "SELECT " PUB_COLS PUB_FROM " WHERE l.id = ?", id, read_pub, x, sizeof *x);
}

int result_get(db *d, int64_t id, result_pub *p)
{
    pub_row x;
    int f = pub_get(d, id, &x);
    *p = x.p;
    return f;
}

typedef struct list_ctx {
    int (*fn)(void *ctx, const result_pub *p);
    void *ctx;
} list_ctx;
static int each_pub(void *ctx, const pub_row *x)
{
    list_ctx *c = ctx;
    return c->fn(c->ctx, &x->p);
}

int result_list(db *d, const char *path, int (*fn)(void *ctx, const result_pub *p), void *ctx)
{
    char end[CX_PATH_MAX];
    orgpath_end(path ? path : "/", end, sizeof end);
    db_stmt *s = db_prepare(d, "SELECT " PUB_COLS PUB_FROM " WHERE l.status <> 'replaced' AND l.org_path >= ? AND l.org_path < ? ORDER BY l.org_path, l.id DESC LIMIT 200");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, path ? path : "/");
    db_bind_text(s, 2, end);
    list_ctx c = {fn, ctx};
    return DB_EACH(s, pub_row, read_pub, each_pub, &c);
}

int result_rows(db *d, int64_t id, result_lines *out)
{
    memset(out, 0, sizeof *out);
    db_stmt *s = db_prepare(d, "SELECT ref_id, valid, rate, rank, name, org_name FROM result_row WHERE list_id = ? ORDER BY seq");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    int rc, cap = 0;
    while ((rc = db_step(s)) == DB_ROW) {
        result_line *x = line_add(out, &cap);
        x->ref_id = db_col_i64(s, 0);
        x->valid = db_col_i64(s, 1);
        x->rate = db_col_i64(s, 2);
        x->rank = (int)db_col_i64(s, 3);
        copy_col(x->name, sizeof x->name, s, 4);
        copy_col(x->org_name, sizeof x->org_name, s, 5);
    }
    db_done(s);
    if (rc == CX_ERR) result_lines_free(out);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* Lines as audit JSON: [[ref_id, rank, valid, rate], …]. */
static char *lines_json(const result_lines *l)
{
    cJSON *j = cJSON_CreateArray();
    for (int i = 0; i < l->n; i++) {
        cJSON *x = cJSON_CreateArray();
        cJSON_AddItemToArray(x, cJSON_CreateNumber((double)l->v[i].ref_id));
        cJSON_AddItemToArray(x, cJSON_CreateNumber(l->v[i].rank));
        cJSON_AddItemToArray(x, cJSON_CreateNumber((double)l->v[i].valid));
        cJSON_AddItemToArray(x, cJSON_CreateNumber((double)l->v[i].rate));
        cJSON_AddItemToArray(j, x);
    }
    return json_take(j);
}

int result_publish(db *d, const actor *a, const org *office, const result_ok *ok, int64_t *id, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    /* publications of one office one at a time: its row locked (a no-op update) */
    int64_t got = 0;
    if (db_i64(d, &got, 0, "UPDATE org SET version = version WHERE id = ? AND active = 1 RETURNING id", "i", office->id) != CX_OK) return db_fail(d, e);
    if (!got) {
        cx_fail(e, 404, "not_found", "id", "党组织不存在或已停用");
        return refuse(d);
    }
    review_round rd;
    int f = round_get(d, ok->round_id, &rd);
    if (f == CX_ERR) return db_fail(d, e);
    if (f == 0 || !path_in_subtree(office->path, rd.org_path)) {
        if (f == 0) cx_fail(e, 422, "invalid_round", "round_id", "评议轮次：编号 %" PRId64 " 的评议轮次不存在", ok->round_id);
        else cx_fail(e, 422, "invalid_round", "round_id", "评议轮次：“%s”由%s开展，不覆盖本组织，不能在这里公布它的结果", rd.name, rd.org_name);
        return refuse(d);
    }
    int64_t upto = 0;
    if (db_i64(d, &upto, 0, "SELECT coalesce(max(id), 0) FROM ballot", "") != CX_OK) return db_fail(d, e);
    result_lines now;
    if (compute_upto(d, &rd, office, ok, upto, &now) != CX_OK) return db_fail(d, e);
    /* the version it replaces: the latest of the same list */
    int64_t prev = 0, prev_version = 0;
    const char *kind = result_kind_name(ok->kind), *scope = result_scope_name(ok->scope);
    if (db_i64(d, &prev, 0, "SELECT id FROM result_list WHERE round_id = ? AND org_id = ? AND kind = ? AND scope = ? AND status <> 'replaced'", "iiss",
               ok->round_id, office->id, kind, scope) != CX_OK ||
        db_i64(d, &prev_version, 0, "SELECT coalesce(max(version), 0) FROM result_list WHERE round_id = ? AND org_id = ? AND kind = ? AND scope = ?", "iiss",
               ok->round_id, office->id, kind, scope) != CX_OK)
        return result_lines_free(&now), db_fail(d, e);
    char method[1024];
    result_method_text(ok->kind, ok->scope, ok->min_ballots, method, sizeof method);
    int64_t ts = now_unix(), lid = 0;
    int rc = db_i64(d, &lid, 0, "INSERT INTO result_list (round_id, org_id, org_path, kind, scope, min_ballots, version, status, method, last_ballot_id, "
                                "published_by_name, published_at) VALUES (?,?,?,?,?,?,?,'published',?,?,?,?) RETURNING id",
                    "iisssiisisi", ok->round_id, office->id, office->path, kind, scope, (int64_t)ok->min_ballots, prev_version + 1, method, upto,
                    actor_shown(a), ts);
    for (int i = 0; rc == CX_OK && i < now.n; i++) {
        const result_line *x = &now.v[i];
        rc = db_run(d, "INSERT INTO result_row (list_id, seq, rank, ref_id, name, org_name, valid, rate) VALUES (?,?,?,?,?,?,?,?)", "iiiissii", lid,
                    (int64_t)i + 1, (int64_t)x->rank, x->ref_id, x->name, x->org_name, x->valid, x->rate);
    }
    for (int i = 0; rc == CX_OK && ok->kind == RL_ORGS && i < now.n; i++) { /* each organisation's subtree as it is now */
        org o;
        char end[CX_PATH_MAX];
        if (org_get(d, now.v[i].ref_id, &o) != 1) rc = CX_ERR;
        else {
            orgpath_end(o.path, end, sizeof end);
            rc = db_run(d, "INSERT INTO result_scope (list_id, ref_id, org_id) SELECT ?, ?, o.id FROM org o WHERE o.path >= ? AND o.path < ?", "iiss", lid,
                        o.id, o.path, end);
        }
    }
    if (rc == CX_OK && prev)
        rc = db_run(d, "UPDATE result_list SET status = 'replaced', replaced_by = ?, row_version = row_version + 1 WHERE id = ?", "ii", lid, prev);
    char *before = NULL;
    if (rc == CX_OK && prev) {
        result_lines was;
        rc = result_rows(d, prev, &was);
        if (rc == CX_OK) {
            char *rows = lines_json(&was);
            before = xasprintf("{\"replaces\":%" PRId64 ",\"rows\":%s}", prev, rows);
            free(rows);
            result_lines_free(&was);
        }
    }
    char *rows = lines_json(&now);
    char *after = xasprintf("{\"round_id\":%" PRId64 ",\"kind\":\"%s\",\"scope\":\"%s\",\"min_ballots\":%d,\"version\":%" PRId64 ",\"rows\":%s}",
                            ok->round_id, kind, scope, ok->min_ballots, prev_version + 1, rows);
    free(rows);
    result_lines_free(&now);
    if (rc != CX_OK) return free(before), free(after), db_fail(d, e);
    if (store_finish(d, a, prev ? "republish" : "publish", "result_list", lid, office->id, before, after, CX_OK, e) != CX_OK) return CX_ERR;
    if (id) *id = lid;
    return CX_OK;
}

int result_withdraw(db *d, const actor *a, int64_t id, const char *reason, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    int64_t got = 0, ts = now_unix();
    if (db_i64(d, &got, 0, "UPDATE result_list SET status = 'withdrawn', withdrawn_at = ?, withdraw_reason = ?, row_version = row_version + 1 "
                           "WHERE id = ? AND status = 'published' RETURNING id", "isi", ts, reason, id) != CX_OK)
        return db_fail(d, e);
    result_pub p;
    int f = result_get(d, id, &p);
    if (f == CX_ERR) return db_fail(d, e);
    if (f == 0) {
        cx_fail(e, 404, "not_found", "id", "公布的评议结果不存在");
        return refuse(d);
    }
    if (!got) {
        cx_fail(e, 409, "not_published", "status", "%s", !strcmp(p.status, "withdrawn") ? "这份结果已经撤回" : "这份结果已被新版本替换，请撤回最新的版本");
        return refuse(d);
    }
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "reason", reason);
    return store_finish(d, a, "withdraw", "result_list", id, p.org_id, xstrdup("{\"status\":\"published\"}"), json_take(j), CX_OK, e);
}

/* ---- recount ---- */

typedef struct rc_ctx {
    db *d;
    FILE *out;
    int64_t diffs;
    int failed;
} rc_ctx;

static void say(rc_ctx *x, const result_pub *p, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(rc_ctx *x, const result_pub *p, const char *fmt, ...)
{
    fprintf(x->out, "评议结果公布 %" PRId64 "（%s %s，第 %d 版）：", p->id, p->org_name, result_kind_label(p->kind), p->version);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(x->out, fmt, ap);
    va_end(ap);
    fputc('\n', x->out);
    x->diffs++;
}

/* A published version recomputed from the raw records as they were when it was published: the
 * ballots up to its newest then, each organisation over the subtree it had then (result_scope);
 * a window or 优秀 member it lists that is no longer under the office (moved) is still counted by
 * its own records; windows and members the office's subtree holds now are added, so a row left
 * out is found. */
static int recount_lines(db *d, const result_pub *p, int64_t upto, const result_lines *was, result_lines *now)
{
    review_round rd;
    org office;
    if (round_get(d, p->round_id, &rd) != 1 || org_get(d, p->org_id, &office) != 1) return CX_ERR;
    memset(now, 0, sizeof *now);
    int rc = p->kind == RL_WINDOWS ? windows_of(d, rd.id, office.path, upto, now) : p->kind == RL_EXCELLENT ? excellent_of(d, rd.id, office.path, now) : CX_OK;
    int cap = now->n;
    for (int k = 0; rc == CX_OK && k < was->n; k++) {
        bool found = false;
        for (int i = 0; i < now->n && !found; i++) found = now->v[i].ref_id == was->v[k].ref_id;
        if (found) continue;
        rollup r;
        int64_t still = 0;
        if (p->kind == RL_EXCELLENT) {
            rc = db_i64(d, &still, 0, "SELECT count(*) FROM grade WHERE round_id = ? AND target_kind = 'member' AND target_id = ? AND final = 'excellent' "
                                      "AND approval = 'approved'", "ii", rd.id, was->v[k].ref_id);
            if (rc != CX_OK || !still) continue;
        } else if ((rc = p->kind == RL_WINDOWS ? window_ballots(d, rd.id, was->v[k].ref_id, upto, &r)
                                               : frozen_ballots(d, rd.id, p->id, was->v[k].ref_id, upto, &r)) != CX_OK)
            break;
        result_line *x = line_add(now, &cap);
        x->ref_id = was->v[k].ref_id;
        snprintf(x->name, sizeof x->name, "%s", was->v[k].name);
        snprintf(x->org_name, sizeof x->org_name, "%s", was->v[k].org_name);
        if (p->kind != RL_EXCELLENT) line_figures(x, &r);
    }
    if (rc != CX_OK) {
        result_lines_free(now);
        return CX_ERR;
    }
    result_rank(now->v, now->n, p->kind == RL_EXCELLENT ? 0 : p->min_ballots);
    return CX_OK;
}

static int recount_one(void *ctx, const pub_row *row)
{
    rc_ctx *x = ctx;
    const result_pub *p = &row->p;
    result_lines now, was;
    if (result_rows(x->d, p->id, &was) != CX_OK) return x->failed = 1;
    if (recount_lines(x->d, p, row->last_ballot_id, &was, &now) != CX_OK) return result_lines_free(&was), x->failed = 1;
    for (int i = 0; i < now.n; i++) {
        const result_line *r = &now.v[i], *q = NULL;
        for (int k = 0; k < was.n && !q; k++)
            if (was.v[k].ref_id == r->ref_id) q = &was.v[k];
        char a[24], b[24];
        result_rate_text(r->rate, a);
        if (!q) {
            if (p->kind == RL_EXCELLENT) say(x, p, "%s 按等次记录应在名单中，公布的名单没有", r->name);
            else if (r->valid) say(x, p, "%s 未公布，按原始记录有效评价 %" PRId64 " 份、满意率 %s", r->name, r->valid, a);
            continue; /* a window or organisation without ballots added since: not a difference */
        }
        result_rate_text(q->rate, b);
        if (q->rank != r->rank || q->valid != r->valid || q->rate != r->rate)
            say(x, p, "%s 公布为第 %d 名、有效评价 %" PRId64 " 份、满意率 %s，按原始记录应为第 %d 名、%" PRId64 " 份、%s（名次 0 为样本不足）", q->name, q->rank,
                q->valid, b, r->rank, r->valid, a);
    }
    for (int k = 0; k < was.n; k++) {
        bool found = false;
        for (int i = 0; i < now.n && !found; i++) found = now.v[i].ref_id == was.v[k].ref_id;
        if (!found) say(x, p, "%s 已公布，按原始记录不应在%s", was.v[k].name, p->kind == RL_EXCELLENT ? "名单中（等次或审批已变化）" : "表中");
    }
    result_lines_free(&now);
    result_lines_free(&was);
    return 0;
}

int result_recount(db *d, bool fix, FILE *out, int64_t *diffs)
{
    rc_ctx x = {d, out, 0, 0};
    db_stmt *s = db_prepare(d, "SELECT " PUB_COLS PUB_FROM " WHERE l.status = 'published' ORDER BY l.id");
    if (!s) return CX_ERR;
    int rc = DB_EACH(s, pub_row, read_pub, recount_one, &x);
    if (rc != CX_OK || x.failed) return CX_ERR;
    if (x.diffs && fix)
        fprintf(out, "评议结果公布：已公布的名单不会被自动修正；请公布单位核实后重新公布（新版本替换旧版本，记入审计）\n");
    *diffs = x.diffs;
    return CX_OK;
}
