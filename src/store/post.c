/* post.c: exemplary posts and responsibility areas: registry, holders with history (post.h). */
#include "post.h"
#include "window.h"
#include "row.h"
#include "../domain/orgpath.h"
#include "../domain/perm.h"
#include "../lib/json.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POST_COLS "w.id, w.org_id, w.created_at, w.version, w.active, w.kind, w.name, w.location, w.duties, o.name, o.path"
#define POST_FROM " FROM service_window w JOIN org o ON o.id = w.org_id"

static void read_post(db_stmt *s, void *out)
{
    post *p = out;
    p->id = db_col_i64(s, 0);
    p->org_id = db_col_i64(s, 1);
    p->created_at = db_col_i64(s, 2);
    p->version = db_col_i64(s, 3);
    p->active = (int)db_col_i64(s, 4);
    int k = post_kind_from_name(db_col_text(s, 5));
    p->kind = k < 0 ? PK_POST : (post_kind)k;
    copy_col(p->name, sizeof p->name, s, 6);
    copy_col(p->place, sizeof p->place, s, 7);
    copy_col(p->duties, sizeof p->duties, s, 8);
    copy_col(p->org_name, sizeof p->org_name, s, 9);
    copy_col(p->org_path, sizeof p->org_path, s, 10);
}

int post_get(db *d, int64_t id, post *p)
{
    return row_by_id(d, "SELECT " POST_COLS POST_FROM " WHERE w.id = ? AND w.kind IN ('post','area')", id, read_post, p, sizeof *p);
}

static char *post_json(const post_ok *p, int active)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "kind", post_kind_name(p->kind));
    cJSON_AddStringToObject(j, "name", p->name);
    cJSON_AddStringToObject(j, "place", p->place);
    cJSON_AddStringToObject(j, "duties", p->duties);
    cJSON_AddBoolToObject(j, "active", active);
    return json_take(j);
}

static char *stored_json(const post *p)
{
    post_ok o = {.kind = p->kind};
    snprintf(o.name, sizeof o.name, "%s", p->name);
    snprintf(o.place, sizeof o.place, "%s", p->place);
    snprintf(o.duties, sizeof o.duties, "%s", p->duties);
    return post_json(&o, p->active);
}

int post_create(db *d, const actor *a, int64_t org_id, const post_ok *in, int64_t *id, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    org o;
    if (org_get(d, org_id, &o) != 1 || !o.active) {
        db_rollback(d);
        return cx_fail(e, 404, "not_found", "org_id", "党组织不存在或已停用");
    }
    int64_t nid = 0;
    int rc = db_i64(d, &nid, 0,
                    "INSERT INTO service_window (org_id, kind, name, location, duties, active, version, created_at) VALUES (?,?,?,?,?,1,1,?) RETURNING id",
                    "issssi", org_id, post_kind_name(in->kind), in->name, in->place, in->duties, now_unix());
    if (rc == CX_OK && nid <= 0) rc = CX_ERR;
    if (store_finish(d, a, "create", "post", nid, org_id, NULL, post_json(in, 1), rc, e) != CX_OK) return CX_ERR;
    if (id) *id = nid;
    return CX_OK;
}

/* Loads the post inside a write transaction (serialised per post on PostgreSQL), or fails with 404. */
static int begin_post(db *d, int64_t id, post *p, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    if (db_lock(d, "post", id) != CX_OK) return db_fail(d, e);
    int f = post_get(d, id, p);
    if (f != 1) return f == 0 ? (cx_fail(e, 404, "not_found", "id", "示范岗或责任区不存在"), refuse(d)) : db_fail(d, e);
    return CX_OK;
}

int post_update(db *d, const actor *a, int64_t id, const post_ok *in, cx_err *e)
{
    post p;
    if (begin_post(d, id, &p, e) != CX_OK) return CX_ERR;
    int rc = db_run(d, "UPDATE service_window SET kind = ?, name = ?, location = ?, duties = ?, version = version + 1 WHERE id = ?", "ssssi",
                    post_kind_name(in->kind), in->name, in->place, in->duties, id);
    return store_finish(d, a, "edit", "post", id, p.org_id, stored_json(&p), post_json(in, p.active), rc, e);
}

int post_set_active(db *d, const actor *a, int64_t id, int active, cx_err *e)
{
    post p;
    if (begin_post(d, id, &p, e) != CX_OK) return CX_ERR;
    int rc = db_run(d, "UPDATE service_window SET active = ?, version = version + 1 WHERE id = ?", "ii", (int64_t)(active ? 1 : 0), id);
    char *before = stored_json(&p);
    p.active = active ? 1 : 0;
    return store_finish(d, a, active ? "activate" : "deactivate", "post", id, p.org_id, before, stored_json(&p), rc, e);
}

static int each_post(db_stmt *s, post_fn fn, void *ctx)
{
    if (!s) return CX_ERR;
    post p;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        read_post(s, &p);
        if (fn(ctx, &p)) break;
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int post_list(db *d, const org *o, bool subtree, bool all, post_fn fn, void *ctx)
{
    return each_post(window_rows(d, "SELECT " POST_COLS POST_FROM, "'post','area'", "o.path, w.kind, w.name, w.id", o, subtree, all), fn, ctx);
}

int post_count_unheld(db *d, const org *o, int64_t *n)
{
    char end[CX_PATH_MAX];
    orgpath_end(o->path, end, sizeof end);
    return db_i64(d, n, 0, "SELECT count(*) FROM org o JOIN service_window w ON w.org_id = o.id WHERE o.path >= ? AND o.path < ? AND o.active = 1 "
                           "AND w.kind IN ('post','area') AND w.active = 1 AND NOT EXISTS "
                           "(SELECT 1 FROM post_holder h WHERE h.window_id = w.id AND h.until IS NULL)", "ss", o->path, end);
}

int post_counts_get(db *d, const org *o, int64_t t0, int64_t t1, post_counts *c)
{
    memset(c, 0, sizeof *c);
    char end[CX_PATH_MAX];
    orgpath_end(o->path, end, sizeof end);
    db_stmt *s = db_prepare(d, "SELECT coalesce(sum(CASE WHEN w.kind = 'post' AND w.active = 1 THEN 1 ELSE 0 END), 0), "
                               "coalesce(sum(CASE WHEN w.kind = 'area' AND w.active = 1 THEN 1 ELSE 0 END), 0), "
                               "coalesce(sum(CASE WHEN w.kind = 'post' AND w.created_at >= ? AND w.created_at < ? THEN 1 ELSE 0 END), 0), "
                               "coalesce(sum(CASE WHEN w.kind = 'area' AND w.created_at >= ? AND w.created_at < ? THEN 1 ELSE 0 END), 0) "
                               "FROM org o JOIN service_window w ON w.org_id = o.id WHERE o.path >= ? AND o.path < ? AND o.active = 1 "
                               "AND w.kind IN ('post','area')");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, t0);
    db_bind_i64(s, 2, t1);
    db_bind_i64(s, 3, t0);
    db_bind_i64(s, 4, t1);
    db_bind_text(s, 5, o->path);
    db_bind_text(s, 6, end);
    int rc = db_step(s);
    if (rc == DB_ROW) c->posts = db_col_i64(s, 0), c->areas = db_col_i64(s, 1), c->new_posts = db_col_i64(s, 2), c->new_areas = db_col_i64(s, 3);
    db_done(s);
    if (rc == CX_ERR) return CX_ERR;
    return post_count_unheld(d, o, &c->unheld);
}

int post_of_member(db *d, int64_t member_id, post_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT " POST_COLS POST_FROM " JOIN post_holder h ON h.window_id = w.id WHERE h.member_id = ? AND h.until IS NULL "
                               "AND w.kind IN ('post','area') AND w.active = 1 AND o.active = 1 ORDER BY w.kind, w.name, w.id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, member_id);
    return each_post(s, fn, ctx);
}

static char *holder_json(int64_t member_id, const char *name, int64_t since, int64_t until)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "member_id", member_id);
    cJSON_AddStringToObject(j, "name", name);
    json_add_i64(j, "since", since);
    if (until) json_add_i64(j, "until", until);
    return json_take(j);
}

/* Two additions of one holder at once: the loser of the unique index gets the same 409. */
static int fail_holder(db *d, cx_err *e)
{
    if (!db_is_unique(d, "post_holder_current", "post_holder.window_id, post_holder.member_id")) return db_fail(d, e);
    cx_fail(e, 409, "already_holder", "member_id", "该党员已是这个岗位（责任区）的责任人");
    return refuse(d);
}

int post_holder_add(db *d, const actor *a, int64_t post_id, int64_t member_id, int64_t *holder_id, cx_err *e)
{
    post p;
    if (begin_post(d, post_id, &p, e) != CX_OK) return CX_ERR;
    if (!p.active) {
        cx_fail(e, 409, "post_inactive", "id", "该岗位（责任区）已停用，不能再指定责任人");
        return refuse(d);
    }
    member m;
    int f = member_get(d, member_id, &m);
    if (f == CX_ERR) return db_fail(d, e);
    if (f != 1 || !m.active || !path_in_subtree(m.org_path, p.org_path)) {
        cx_fail(e, 422, "invalid_member", "member_id", "责任人应为本组织（含下级组织）在册的党员");
        return refuse(d);
    }
    int64_t cur = 0;
    if (db_i64(d, &cur, 0, "SELECT count(*) FROM post_holder WHERE window_id = ? AND member_id = ? AND until IS NULL", "ii", post_id, member_id) !=
        CX_OK)
        return db_fail(d, e);
    if (cur) {
        cx_fail(e, 409, "already_holder", "member_id", "该党员已是这个岗位（责任区）的责任人");
        return refuse(d);
    }
    int64_t now = now_unix(), hid = 0;
    if (db_i64(d, &hid, 0, "INSERT INTO post_holder (window_id, member_id, since, created_by) VALUES (?,?,?,?) RETURNING id", "iiii", post_id, member_id,
               now, a ? a->user_id : 0) != CX_OK)
        return fail_holder(d, e);
    int rc = db_run(d, "UPDATE service_window SET version = version + 1 WHERE id = ?", "i", post_id);
    if (store_finish(d, a, "add_holder", "post", post_id, p.org_id, NULL, holder_json(member_id, m.r.name, now, 0), rc, e) != CX_OK) return CX_ERR;
    if (holder_id) *holder_id = hid;
    return CX_OK;
}

int post_holder_end(db *d, const actor *a, int64_t post_id, int64_t holder_id, cx_err *e)
{
    post p;
    if (begin_post(d, post_id, &p, e) != CX_OK) return CX_ERR;
    db_stmt *s = db_prepare(d, "SELECT h.member_id, h.since, coalesce(h.until, 0), m.name FROM post_holder h JOIN member m ON m.id = h.member_id "
                               "WHERE h.id = ? AND h.window_id = ?");
    if (!s) return db_fail(d, e);
    db_bind_i64(s, 1, holder_id);
    db_bind_i64(s, 2, post_id);
    int rc = db_step(s);
    int64_t mid = 0, since = 0, until = 0;
    char name[256] = "";
    if (rc == DB_ROW) mid = db_col_i64(s, 0), since = db_col_i64(s, 1), until = db_col_i64(s, 2), copy_col(name, sizeof name, s, 3);
    db_done(s);
    if (rc == CX_ERR) return db_fail(d, e);
    if (rc != DB_ROW) {
        cx_fail(e, 404, "not_found", "holder_id", "该岗位（责任区）没有这个责任人记录");
        return refuse(d);
    }
    if (until) {
        cx_fail(e, 409, "already_ended", "holder_id", "该责任人已卸任");
        return refuse(d);
    }
    int64_t now = now_unix();
    rc = db_run(d, "UPDATE post_holder SET until = ? WHERE id = ?", "ii", now, holder_id);
    if (rc == CX_OK) rc = db_run(d, "UPDATE service_window SET version = version + 1 WHERE id = ?", "i", post_id);
    return store_finish(d, a, "end_holder", "post", post_id, p.org_id, holder_json(mid, name, since, 0), holder_json(mid, name, since, now), rc, e);
}

int post_holders(db *d, int64_t post_id, bool history, holder_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT h.id, h.window_id, h.member_id, h.since, coalesce(h.until, 0), m.name, o.name FROM post_holder h "
                               "JOIN member m ON m.id = h.member_id JOIN org o ON o.id = m.org_id WHERE h.window_id = ? AND (? = 1 OR (h.until IS NULL AND m.active = 1)) "
                               "ORDER BY CASE WHEN h.until IS NULL THEN 0 ELSE 1 END, coalesce(h.until, h.since) DESC, h.id DESC");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, post_id);
    db_bind_i64(s, 2, history ? 1 : 0);
    post_holder h;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        h.id = db_col_i64(s, 0);
        h.post_id = db_col_i64(s, 1);
        h.member_id = db_col_i64(s, 2);
        h.since = db_col_i64(s, 3);
        h.until = db_col_i64(s, 4);
        copy_col(h.name, sizeof h.name, s, 5);
        copy_col(h.org_name, sizeof h.org_name, s, 6);
        if (fn(ctx, &h)) break;
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int post_is_holder(db *d, int64_t post_id, int64_t member_id)
{
    if (member_id <= 0) return 0;
    int64_t n = 0;
    if (db_i64(d, &n, 0, "SELECT count(*) FROM post_holder WHERE window_id = ? AND member_id = ?", "ii", post_id, member_id) != CX_OK) return CX_ERR;
    return n > 0;
}

int post_member_moved(db *d, const actor *a, int64_t member_id, const char *new_path)
{
    db_stmt *s = db_prepare(d, "SELECT h.id, h.window_id, h.since, o.id, o.path, m.name FROM post_holder h JOIN service_window w ON w.id = h.window_id "
                               "JOIN org o ON o.id = w.org_id JOIN member m ON m.id = h.member_id WHERE h.member_id = ? AND h.until IS NULL");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, member_id);
    struct ended { int64_t id, post, since, org; char name[256]; } *v = NULL;
    size_t n = 0;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        char end[CX_PATH_MAX];
        const char *path = db_col_text(s, 4);
        orgpath_end(path, end, sizeof end);
        if (strcmp(new_path, path) >= 0 && strcmp(new_path, end) < 0) continue; /* still within the post's subtree */
        v = xrealloc(v, (n + 1) * sizeof *v);
        v[n].id = db_col_i64(s, 0), v[n].post = db_col_i64(s, 1), v[n].since = db_col_i64(s, 2), v[n].org = db_col_i64(s, 3);
        copy_col(v[n].name, sizeof v[n].name, s, 5);
        n++;
    }
    db_done(s);
    rc = rc == CX_ERR ? CX_ERR : CX_OK;
    int64_t now = now_unix();
    for (size_t i = 0; rc == CX_OK && i < n; i++) {
        rc = db_run(d, "UPDATE post_holder SET until = ? WHERE id = ?", "ii", now, v[i].id);
        if (rc == CX_OK) rc = db_run(d, "UPDATE service_window SET version = version + 1 WHERE id = ?", "i", v[i].post);
        char *before = holder_json(member_id, v[i].name, v[i].since, 0), *after = holder_json(member_id, v[i].name, v[i].since, now);
        if (rc == CX_OK) rc = audit_append(d, a, "end_holder", "post", v[i].post, v[i].org, before, after, "ok"); /* ended by the transfer */
        free(before);
        free(after);
    }
    free(v);
    return rc;
}
