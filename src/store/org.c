/* org.c: the organisation tree. Each org stores its materialized path ("/1/7/42/"), so a subtree
 * is one range scan (path >= P AND path < P') on both backends, and a move rewrites the range in
 * one UPDATE. */
#include "store.h"
#include "part.h"
#include "row.h"
#include "../lib/json.h"
#include "rollup.h"
#include "period.h"
#include "ledger.h" /* the ledger (issue 18) */
#include "standing.h" /* the leaders' standing (issue 18) */
#include "quota_rollup.h" /* the branches meeting their meeting quotas (issue 18) */
#include "../domain/orgpath.h"
#include "../lib/buf.h"
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void org_read(db_stmt *s, int c, org *o)
{
    o->id = db_col_i64(s, c + 0);
    o->parent_id = db_col_null(s, c + 1) ? 0 : db_col_i64(s, c + 1);
    o->depth = db_col_i64(s, c + 2);
    o->version = db_col_i64(s, c + 3);
    o->part = db_col_i64(s, c + 4);
    o->active = (int)db_col_i64(s, c + 5);
    snprintf(o->path, sizeof o->path, "%s", db_col_text(s, c + 6));
    snprintf(o->name, sizeof o->name, "%s", db_col_text(s, c + 7));
    snprintf(o->type, sizeof o->type, "%s", db_col_text(s, c + 8));
    snprintf(o->sector, sizeof o->sector, "%s", db_col_text(s, c + 9));
}

int org_get(db *d, int64_t id, org *o)
{
    memset(o, 0, sizeof *o); /* a caller never sees an output this call did not fill */
    db_stmt *s = db_prepare(d, "SELECT " ORG_COLS " FROM org o WHERE o.id = ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW) org_read(s, 0, o);
    db_done(s);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : CX_ERR;
}

static char *org_json(const org *o)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", o->id);
    json_add_i64(j, "parent_id", o->parent_id);
    cJSON_AddStringToObject(j, "path", o->path);
    cJSON_AddStringToObject(j, "name", o->name);
    cJSON_AddStringToObject(j, "type", o->type);
    cJSON_AddStringToObject(j, "sector", o->sector);
    cJSON_AddBoolToObject(j, "active", o->active);
    char *s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return s;
}

/* Another active org under the same parent with the same name? */
static int sibling_clash(db *d, int64_t parent, const char *name, int64_t self)
{
    int64_t n = 0;
    if (parent)
        db_i64(d, &n, 0, "SELECT count(*) FROM org WHERE parent_id = ? AND name = ? AND id <> ? AND active = 1", "isi", parent,
               name, self);
    else
        db_i64(d, &n, 0, "SELECT count(*) FROM org WHERE parent_id IS NULL AND name = ? AND id <> ? AND active = 1", "si", name,
               self);
    return n > 0;
}

/* A violation of the unique index on active sibling names (org_sibling_name) is two requests racing
 * past the check: the loser gets the same 409 as a plain duplicate. Any other failure is an error. */
static int fail_db(db *d, cx_err *e)
{
    if (!db_is_unique(d, "org_sibling_name", "org.parent_id, org.name")) return db_fail(d, e);
    cx_fail(e, 409, "duplicate_name", "name", "同一上级组织下已有同名组织");
    return refuse(d);
}

/* Opens the write transaction of a change to org id and loads it; 404 (rolled back) when missing. */
static int begin_org(db *d, int64_t id, org *o, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return fail_db(d, e);
    /* PostgreSQL: the row first, so two changes of one organisation do not both move the tallies */
    if (db_kind_of(d) == DB_PG && db_run(d, "SELECT id FROM org WHERE id = ? FOR UPDATE", "i", id) != CX_OK) return fail_db(d, e);
    int f = org_get(d, id, o);
    if (f == 1) return CX_OK;
    if (f == 0) {
        db_rollback(d);
        return cx_fail(e, 404, "not_found", "id", "组织不存在");
    }
    return fail_db(d, e);
}

/* The body of org_create, inside the caller's write transaction (rolled back by the caller on error). */
int org_create_tx(db *d, const actor *a, int64_t parent_id, const org_ok *in, int64_t *id, cx_err *e)
{
    const char *name = in->name, *type = in->type, *sector = in->sector;
    org p = {0};
    if (parent_id) {
        int f = org_get(d, parent_id, &p);
        if (f != 1) return f == 0 ? cx_fail(e, 404, "not_found", "parent_id", "上级组织不存在") : fail_db(d, e);
        if (!p.active) return cx_fail(e, 400, "parent_inactive", "parent_id", "上级组织“%s”已停用", p.name);
        if (!strcmp(p.type, "branch")) return cx_fail(e, 400, "parent_is_branch", "parent_id", "党支部下不能再设下级组织");
        if (strlen(p.path) + 24 >= CX_PATH_MAX) return cx_fail(e, 400, "too_deep", "parent_id", "组织层级过深");
    }
    if (sibling_clash(d, parent_id, name, 0))
        return cx_fail(e, 409, "duplicate_name", "name", "同一上级组织下已有名为“%s”的组织", name);
    int64_t now = now_unix();
    /* Insert with a unique placeholder path, then set the real one once the id is known. */
    db_stmt *s = db_prepare(d,
                            "INSERT INTO org (parent_id, path, depth, name, type, sector, created_at, updated_at) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
    if (!s) return fail_db(d, e);
    char tmp[80];
    snprintf(tmp, sizeof tmp, "/new-%" PRId64 "-%p/", now, (void *)&tmp);
    if (parent_id) db_bind_i64(s, 1, parent_id);
    else db_bind_null(s, 1);
    db_bind_text(s, 2, tmp);
    db_bind_i64(s, 3, parent_id ? p.depth + 1 : 0);
    db_bind_text(s, 4, name);
    db_bind_text(s, 5, type);
    db_bind_text(s, 6, sector);
    db_bind_i64(s, 7, now);
    db_bind_i64(s, 8, now);
    if (db_step(s) != DB_ROW) {
        db_done(s);
        return fail_db(d, e);
    }
    int64_t nid = db_col_i64(s, 0);
    db_step(s);
    db_done(s);
    org o = {.id = nid, .parent_id = parent_id, .depth = parent_id ? p.depth + 1 : 0, .version = 1, .active = 1};
    if (orgpath_child(parent_id ? p.path : NULL, nid, o.path, sizeof o.path) != 0) return fail_db(d, e);
    o.part = nid; /* a root heads its own part; a child of a national root too (part.h) */
    if (parent_id && part_child(d, &p, nid, &o.part) != CX_OK) return fail_db(d, e);
    snprintf(o.name, sizeof o.name, "%s", name);
    snprintf(o.type, sizeof o.type, "%s", type);
    snprintf(o.sector, sizeof o.sector, "%s", sector);
    if (db_run(d, "UPDATE org SET path = ?, part = ? WHERE id = ?", "sii", o.path, o.part, nid) != CX_OK) return fail_db(d, e);
    tally one = {{0, 0, 1}};
    if (tally_add(d, o.path, &one) != CX_OK) return fail_db(d, e);
    if (!strcmp(type, "branch") && quota_branch_redo(d, nid, 0xFFFu) != CX_OK) return fail_db(d, e); /* meeting quotas (issue 18) */
    char *after = org_json(&o);
    int rc = audit_append(d, a, "create", "org", nid, nid, NULL, after, "ok");
    free(after);
    if (rc != CX_OK) return fail_db(d, e);
    if (id) *id = nid;
    return CX_OK;
}

#define ORG_RUNS 64 /* audit chains of a bulk creation: one per part (a national tree: each province) */

int org_create_many(db *d, const actor *a, org *o, size_t n, cx_err *e)
{
    if (!n) return CX_OK;
    int64_t first = 0, now = now_unix();
    if (db_reserve_ids(d, "org", (int64_t)n, &first) != CX_OK) return fail_db(d, e);
    for (size_t i = 0; i < n; i++) {
        org *x = &o[i];
        if (x->parent_id < 0 || (size_t)x->parent_id > i) return cx_fail(e, 500, "invalid_parent", "parent_id", "上级组织须排在下级组织之前");
        const org *p = x->parent_id ? &o[x->parent_id - 1] : NULL;
        if (p && !strcmp(p->type, "branch")) return cx_fail(e, 400, "parent_is_branch", "parent_id", "党支部下不能再设下级组织");
        if (p && strlen(p->path) + 24 >= CX_PATH_MAX) return cx_fail(e, 400, "too_deep", "parent_id", "组织层级过深");
        x->id = first + (int64_t)i;
        x->parent_id = p ? p->id : 0;
        x->depth = p ? p->depth + 1 : 0;
        x->version = 1;
        x->active = 1;
        x->part = x->id; /* as org_create_tx: a root heads its own part */
        if (orgpath_child(p ? p->path : NULL, x->id, x->path, sizeof x->path) != 0 || (p && part_child(d, p, x->id, &x->part) != CX_OK))
            return fail_db(d, e);
    }
    db_bulk *b = db_bulk_begin(d, "org", "id, part, parent_id, path, depth, name, type, sector, created_at, updated_at");
    for (size_t i = 0; i < n; i++) {
        const org *x = &o[i];
        if ((x->parent_id ? db_bulk_row(b, "iiisisssii", x->id, x->part, x->parent_id, x->path, x->depth, x->name, x->type, x->sector, now, now)
                          : db_bulk_row(b, "iinsisssii", x->id, x->part, x->path, x->depth, x->name, x->type, x->sector, now, now)) != CX_OK) {
            db_bulk_cancel(b);
            return fail_db(d, e);
        }
    }
    if (db_bulk_end(b) != CX_OK) return fail_db(d, e);
    /* each organisation's audit record in its part's chain, in the order of the organisations */
    audit_run runs[ORG_RUNS];
    size_t nruns = 0;
    int rc = CX_OK;
    for (size_t i = 0; rc == CX_OK && i < n; i++) {
        size_t r = 0;
        while (r < nruns && runs[r].part != o[i].part) r++;
        if (r == nruns && nruns == ORG_RUNS) rc = cx_fail(e, 500, "too_many_parts", "", "一次新建的组织分属过多的分区");
        else if (r == nruns && audit_run_begin(d, &runs[nruns], o[i].id) != CX_OK) rc = fail_db(d, e);
        else if (r == nruns) audit_run_bulk(d, &runs[nruns++]);
        if (rc != CX_OK) break;
        char *after = org_json(&o[i]);
        if (audit_run_add(d, &runs[r], a, "create", "org", o[i].id, o[i].id, NULL, after, "ok") != CX_OK) rc = fail_db(d, e);
        free(after);
    }
    for (size_t r = 0; r < nruns; r++)
        if (rc != CX_OK) audit_run_cancel(&runs[r]);
        else if (audit_run_end(d, &runs[r]) != CX_OK) rc = fail_db(d, e);
    if (rc != CX_OK) return CX_ERR;
    /* every organisation counts once in its own tally and its ancestors' */
    const char **paths = xmalloc(n * sizeof *paths);
    tally *one = xmalloc(n * sizeof *one);
    for (size_t i = 0; i < n; i++) paths[i] = o[i].path, one[i] = (tally){{0, 0, 1}};
    rc = tally_add_paths(d, paths, one, n);
    free(paths);
    free(one);
    /* meeting quotas (issue 18): the kept year's rows built again, the new branches with them */
    if (rc == CX_OK) rc = quota_rebuild_kept(d);
    return rc == CX_OK ? CX_OK : fail_db(d, e);
}

int org_create(db *d, const actor *a, int64_t parent_id, const org_ok *in, int64_t *id, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return fail_db(d, e);
    if (org_create_tx(d, a, parent_id, in, id, e) != CX_OK) {
        db_rollback(d);
        return CX_ERR;
    }
    if (db_commit(d) != CX_OK) return fail_db(d, e);
    return CX_OK;
}

int org_update(db *d, const actor *a, int64_t id, const org_ok *in, cx_err *e)
{
    const char *name = in->name, *type = in->type, *sector = in->sector;
    org o;
    if (begin_org(d, id, &o, e) != CX_OK) return CX_ERR;
    if (!strcmp(type, "branch") && strcmp(o.type, "branch") != 0) {
        int64_t n = 0;
        db_i64(d, &n, 0, "SELECT count(*) FROM org WHERE parent_id = ? AND active = 1", "i", id);
        if (n) {
            db_rollback(d);
            return cx_fail(e, 400, "has_children", "type", "该组织下还有 %" PRId64 " 个下级组织，不能改为党支部", n);
        }
    }
    if (sibling_clash(d, o.parent_id, name, id)) {
        db_rollback(d);
        return cx_fail(e, 409, "duplicate_name", "name", "同一上级组织下已有名为“%s”的组织", name);
    }
    bool resector = strcmp(o.sector, sector) != 0; /* a leader's department figure follows the sector (standing.h) */
    if (resector && standing_subtree(d, o.path, -1) != CX_OK) return fail_db(d, e);
    char *before = org_json(&o), before_type[sizeof o.type];
    snprintf(before_type, sizeof before_type, "%s", o.type);
    snprintf(o.name, sizeof o.name, "%s", name);
    snprintf(o.type, sizeof o.type, "%s", type);
    snprintf(o.sector, sizeof o.sector, "%s", sector);
    char *after = org_json(&o);
    int rc = db_run(d, "UPDATE org SET name = ?, type = ?, sector = ?, version = version + 1, updated_at = ? WHERE id = ?",
                    "sssii", name, type, sector, now_unix(), id);
    if (rc == CX_OK && resector) rc = standing_subtree(d, o.path, 1);
    /* a branch no longer, or one now: the branches meeting their meeting quotas (issue 18) */
    if (rc == CX_OK && (!strcmp(type, "branch")) != (!strcmp(before_type, "branch"))) rc = quota_branch_redo(d, id, 0xFFFu);
    return store_finish(d, a, "update", "org", id, id, before, after, rc, e);
}

int org_move(db *d, const actor *a, int64_t id, int64_t new_parent, cx_err *e)
{
    org o, p;
    if (begin_org(d, id, &o, e) != CX_OK) return CX_ERR;
    int f = org_get(d, new_parent, &p);
    if (f != 1) {
        db_rollback(d);
        return f == 0 ? cx_fail(e, 404, "not_found", "parent_id", "目标上级组织不存在") : fail_db(d, e);
    }
    if (!o.parent_id) {
        db_rollback(d);
        return cx_fail(e, 400, "move_root", "id", "根组织不能移动");
    }
    if (path_in_subtree(p.path, o.path)) {
        db_rollback(d);
        return cx_fail(e, 400, "move_into_self", "parent_id", "不能把组织移动到它自己或它的下级组织之下");
    }
    if (!p.active) {
        db_rollback(d);
        return cx_fail(e, 400, "parent_inactive", "parent_id", "目标上级组织“%s”已停用", p.name);
    }
    if (!strcmp(p.type, "branch")) {
        db_rollback(d);
        return cx_fail(e, 400, "parent_is_branch", "parent_id", "党支部下不能再设下级组织");
    }
    if (sibling_clash(d, new_parent, o.name, id)) {
        db_rollback(d);
        return cx_fail(e, 409, "duplicate_name", "name", "目标上级组织下已有名为“%s”的组织", o.name);
    }
    char newpath[CX_PATH_MAX], end[CX_PATH_MAX];
    int fits = orgpath_child(p.path, id, newpath, sizeof newpath);
    int64_t maxlen = 0;
    orgpath_end(o.path, end, CX_PATH_MAX);
    if (db_i64(d, &maxlen, 0, "SELECT max(length(path)) FROM org WHERE path >= ? AND path < ?", "ss", o.path, end) != CX_OK)
        return fail_db(d, e);
    if (fits != 0 || (size_t)maxlen - strlen(o.path) + strlen(newpath) >= CX_PATH_MAX) {
        db_rollback(d);
        return cx_fail(e, 400, "too_deep", "parent_id", "移动后组织层级过深");
    }
    int64_t ddepth = (p.depth + 1) - o.depth, part = 0;
    if (part_child(d, &p, id, &part) != CX_OK) return fail_db(d, e);
    char *before = org_json(&o);
    /* the leaders with a grant in the subtree: their standing leaves the old ancestors (standing.h) */
    if (standing_subtree(d, o.path, -1) != CX_OK) return fail_db(d, e);
    /* One statement rewrites the whole subtree's paths and depths (orgpath_rebase in SQL). */
    int rc = db_run(d,
                    "UPDATE org SET path = ? || substr(path, ?), depth = depth + ?, part = ?, version = version + 1, "
                    "updated_at = ? WHERE path >= ? AND path < ?",
                    "siiiiss", newpath, (int64_t)strlen(o.path) + 1, ddepth, part, now_unix(), o.path, end);
    if (rc == CX_OK) rc = db_run(d, "UPDATE org SET parent_id = ? WHERE id = ?", "ii", new_parent, id);
    if (rc == CX_OK) rc = tally_org_moved(d, id, o.path, newpath);
    if (rc == CX_OK) rc = period_org_moved(d, id, o.path, newpath);
    if (rc == CX_OK) rc = ledger_org_moved(d, id, o.path, newpath); /* the ledger (issue 18) */
    if (rc == CX_OK) rc = standing_subtree(d, newpath, 1);          /* and joins the new ones */
    if (rc == CX_OK) rc = quota_org_moved(d, id, o.path, newpath); /* the branches meeting their meeting quotas (issue 18) */
    /* another province: every row of the subtree carrying `part` follows (part.h) */
    if (rc == CX_OK && part != o.part) rc = part_follow(d, newpath);
    o.part = part;
    o.parent_id = new_parent;
    snprintf(o.path, sizeof o.path, "%s", newpath);
    return store_finish(d, a, "move", "org", id, id, before, org_json(&o), rc, e);
}

int org_set_active(db *d, const actor *a, int64_t id, int active, cx_err *e)
{
    org o;
    if (begin_org(d, id, &o, e) != CX_OK) return CX_ERR;
    if (!active) {
        int64_t nc = 0, nm = 0;
        if (db_i64(d, &nc, 0, "SELECT count(*) FROM org WHERE parent_id = ? AND active = 1", "i", id) != CX_OK ||
            db_i64(d, &nm, 0, "SELECT count(*) FROM member WHERE org_id = ? AND active = 1", "i", id) != CX_OK)
            return fail_db(d, e);
        if (nc || nm) {
            db_rollback(d);
            return cx_fail(e, 409, "not_empty", "id", "“%s”下还有 %" PRId64 " 个下级组织、%" PRId64 " 名党员，请先移走或停用后再停用本组织",
                           o.name, nc, nm);
        }
        if (!o.parent_id) {
            db_rollback(d);
            return cx_fail(e, 400, "deactivate_root", "id", "根组织不能停用");
        }
    } else if (o.parent_id) {
        org p;
        if (org_get(d, o.parent_id, &p) == 1 && !p.active) {
            db_rollback(d);
            return cx_fail(e, 400, "parent_inactive", "id", "上级组织“%s”已停用，请先启用上级组织", p.name);
        }
        if (sibling_clash(d, o.parent_id, o.name, id)) {
            db_rollback(d);
            return cx_fail(e, 409, "duplicate_name", "name", "同一上级组织下已有名为“%s”的组织，请先改名再启用", o.name);
        }
    }
    char *before = org_json(&o);
    bool changed = (o.active != 0) != (active != 0);
    o.active = active;
    char *after = org_json(&o);
    int rc = db_run(d, "UPDATE org SET active = ?, version = version + 1, updated_at = ? WHERE id = ?", "iii", (int64_t)active,
                    now_unix(), id);
    tally one = {{0, 0, active ? 1 : -1}};
    if (rc == CX_OK && changed) rc = tally_add(d, o.path, &one);
    if (rc == CX_OK && changed) rc = quota_org_active(d, id, o.path, active != 0); /* meeting quotas (issue 18) */
    return store_finish(d, a, active ? "activate" : "deactivate", "org", id, id, before, after, rc, e);
}

static int member_count_path(db *d, const char *path, int64_t *n)
{
    char end[CX_PATH_MAX];
    orgpath_end(path, end, CX_PATH_MAX);
    return db_i64(d, n, 0,
                  "SELECT count(*) FROM member m JOIN org o ON o.id = m.org_id WHERE o.path >= ? AND o.path < ? AND m.active = 1",
                  "ss", path, end);
}

int org_member_count(db *d, const org *o, int64_t *n) { return member_count_path(d, o->path, n); }

/* org_children and org_children_plain: counts says whether to count children and members. */
static int children(db *d, int64_t id, bool all, bool counts, org_fn fn, void *ctx)
{
    db_q q;
    db_q_init(&q, counts ? "SELECT " ORG_COLS ", (SELECT count(*) FROM org c WHERE c.parent_id = o.id AND c.active = 1) FROM org o"
                         : "SELECT " ORG_COLS ", 0 FROM org o");
    db_q_where(&q, "o.parent_id = ?", "i", id);
    if (!all) db_q_where(&q, "o.active = 1", "");
    db_q_add(&q, " ORDER BY o.name", "");
    db_stmt *s = db_q_prepare(d, &q);
    if (!s) return CX_ERR;
    /* Collect first: the member counts below need the connection. */
    size_t n = 0, cap = 0;
    org *v = NULL;
    int64_t *kids = NULL;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            v = xrealloc(v, cap * sizeof *v);
            kids = xrealloc(kids, cap * sizeof *kids);
        }
        org_read(s, 0, &v[n]);
        kids[n] = db_col_i64(s, 10);
        n++;
    }
    db_done(s);
    for (size_t i = 0; rc != CX_ERR && i < n; i++) {
        int64_t nm = 0;
        if (counts && member_count_path(d, v[i].path, &nm) != CX_OK) rc = CX_ERR;
        else if (fn(ctx, &v[i], kids[i], nm)) break;
    }
    free(v);
    free(kids);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int org_children(db *d, int64_t id, bool all, org_fn fn, void *ctx) { return children(d, id, all, true, fn, ctx); }
int org_children_plain(db *d, int64_t id, bool all, org_fn fn, void *ctx) { return children(d, id, all, false, fn, ctx); }

int org_ancestors(db *d, const org *o, org_fn fn, void *ctx)
{
    /* The ids are in the path itself: "/1/7/42/" → 1, 7. */
    for (int k = 0; k < o->depth; k++) {
        org a;
        int64_t id = orgpath_at(o->path, k);
        if (id && org_get(d, id, &a) == 1 && fn(ctx, &a, 0, 0)) break;
    }
    return CX_OK;
}

int org_subtree(db *d, const org *root, int max_depth, int limit, org_fn fn, void *ctx)
{
    char end[CX_PATH_MAX];
    orgpath_end(root->path, end, CX_PATH_MAX);
    db_q q;
    db_q_init(&q, "SELECT " ORG_COLS " FROM org o");
    db_q_where(&q, "o.path >= ? AND o.path < ? AND (o.active = 1 OR o.id = ?)", "ssi", root->path, end, root->id);
    if (max_depth) db_q_where(&q, "o.depth <= ?", "i", (int64_t)(root->depth + max_depth));
    db_q_add(&q, " ORDER BY o.path LIMIT ?", "i", (int64_t)limit);
    db_stmt *s = db_q_prepare(d, &q);
    if (!s) return CX_ERR;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        org o;
        org_read(s, 0, &o);
        if (fn(ctx, &o, 0, 0)) break;
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* A statement over root's subtree: sql's first two parameters are bound to its path range. */
static db_stmt *subtree_stmt(db *d, const org *root, const char *sql)
{
    char end[CX_PATH_MAX];
    orgpath_end(root->path, end, CX_PATH_MAX);
    db_stmt *s = db_prepare(d, sql);
    if (!s) return NULL;
    db_bind_text(s, 1, root->path);
    db_bind_text(s, 2, end);
    return s;
}

int org_subtree_each(db *d, const org *root, void (*fn)(void *ctx, const org *o), void *ctx)
{
    db_stmt *s = subtree_stmt(d, root, "SELECT " ORG_COLS " FROM org o WHERE o.path >= ? AND o.path < ? AND o.active = 1");
    if (!s) return CX_ERR;
    int rc;
    org o;
    while ((rc = db_step(s)) == DB_ROW) {
        org_read(s, 0, &o);
        fn(ctx, &o);
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int org_find_by_name(db *d, const org *root, const char *name, org *out)
{
    memset(out, 0, sizeof *out); /* a caller never sees an output this call did not fill */
    db_stmt *s = subtree_stmt(d, root, "SELECT " ORG_COLS " FROM org o WHERE o.path >= ? AND o.path < ? AND o.name = ? AND o.active = 1 LIMIT 2");
    if (!s) return CX_ERR;
    db_bind_text(s, 3, name);
    int found = 0, rc;
    while ((rc = db_step(s)) == DB_ROW) {
        if (found == 0) org_read(s, 0, out);
        found++;
    }
    db_done(s);
    if (rc == CX_ERR) return CX_ERR;
    return found > 1 ? 2 : found;
}

const char *org_names_get(db *d, org_names *c, int64_t id)
{
    if (!c->loaded) {
        c->loaded = true;
        size_t cap = 0;
        db_stmt *s = db_prepare(d, "SELECT id, name FROM org ORDER BY id");
        while (s && db_step(s) == DB_ROW) {
            if (c->n == cap) {
                cap = cap ? 2 * cap : 1024;
                c->id = xrealloc(c->id, cap * sizeof *c->id);
                c->name = xrealloc(c->name, cap * sizeof *c->name);
            }
            c->id[c->n] = db_col_i64(s, 0);
            c->name[c->n++] = xstrdup(db_col_text(s, 1));
        }
        db_done(s);
    }
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->id[mid] < id) lo = mid + 1;
        else hi = mid;
    }
    return lo < c->n && c->id[lo] == id ? c->name[lo] : "";
}

void org_names_free(org_names *c)
{
    for (size_t i = 0; i < c->n; i++) free(c->name[i]);
    free(c->id);
    free(c->name);
    *c = (org_names){0};
}
