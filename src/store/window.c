/* window.c: service windows (服务窗口): create, edit, switch on and off, list. The table also holds
 * exemplary posts and areas (kind 'post' | 'area', store/post.c): every query here reads kind 'window'. */
#include "window.h"
#include "row.h"
#include <cjson/cJSON.h>
#include <stdio.h>

#define WINDOW_COLS "w.id, w.org_id, w.created_at, w.active, w.name, w.location, o.name, o.path"
#define WINDOW_FROM " FROM service_window w JOIN org o ON o.id = w.org_id"

static void read_window(db_stmt *s, void *out)
{
    service_window *w = out;
    w->id = db_col_i64(s, 0);
    w->org_id = db_col_i64(s, 1);
    w->created_at = db_col_i64(s, 2);
    w->active = (int)db_col_i64(s, 3);
    snprintf(w->name, sizeof w->name, "%s", db_col_text(s, 4));
    snprintf(w->location, sizeof w->location, "%s", db_col_text(s, 5));
    snprintf(w->org_name, sizeof w->org_name, "%s", db_col_text(s, 6));
    snprintf(w->org_path, sizeof w->org_path, "%s", db_col_text(s, 7));
}

int window_get(db *d, int64_t id, service_window *w) { return row_by_id(d, "SELECT " WINDOW_COLS WINDOW_FROM " WHERE w.id = ? AND w.kind = 'window'", id, read_window, w, sizeof *w); }

static char *window_json(const char *name, const char *location, int active)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "name", name);
    cJSON_AddStringToObject(j, "location", location);
    cJSON_AddBoolToObject(j, "active", active);
    char *s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return s;
}

int window_create(db *d, const actor *a, int64_t org_id, const window_ok *in, int64_t *id, cx_err *e)
{
    const char *n = in->name, *l = in->location;
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    org o;
    if (org_get(d, org_id, &o) != 1 || !o.active) {
        db_rollback(d);
        return cx_fail(e, 404, "not_found", "org_id", "党组织不存在或已停用");
    }
    int64_t nid = 0;
    int rc = db_i64(d, &nid, 0, "INSERT INTO service_window (org_id, name, location, active, created_at) VALUES (?,?,?,1,?) RETURNING id",
                    "issi", org_id, n, l, now_unix());
    if (rc == CX_OK && nid <= 0) rc = CX_ERR;
    if (store_finish(d, a, "create", "service_window", nid, org_id, NULL, window_json(n, l, 1), rc, e) != CX_OK) return CX_ERR;
    if (id) *id = nid;
    return CX_OK;
}

/* Loads the window inside a write transaction, or fails with 404. */
static int begin_window(db *d, int64_t id, service_window *w, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    int f = window_get(d, id, w);
    if (f != 1) {
        db_rollback(d);
        return f == 0 ? cx_fail(e, 404, "not_found", "id", "服务窗口不存在") : db_fail(d, e);
    }
    return CX_OK;
}

int window_update(db *d, const actor *a, int64_t id, const window_ok *in, cx_err *e)
{
    const char *n = in->name, *l = in->location;
    service_window w;
    if (begin_window(d, id, &w, e) != CX_OK) return CX_ERR;
    int rc = db_run(d, "UPDATE service_window SET name = ?, location = ? WHERE id = ?", "ssi", n, l, id);
    return store_finish(d, a, "edit", "service_window", id, w.org_id, window_json(w.name, w.location, w.active), window_json(n, l, w.active),
                        rc, e);
}

int window_set_active(db *d, const actor *a, int64_t id, int active, cx_err *e)
{
    service_window w;
    if (begin_window(d, id, &w, e) != CX_OK) return CX_ERR;
    int rc = db_run(d, "UPDATE service_window SET active = ? WHERE id = ?", "ii", (int64_t)(active ? 1 : 0), id);
    return store_finish(d, a, active ? "activate" : "deactivate", "service_window", id, w.org_id,
                        window_json(w.name, w.location, w.active), window_json(w.name, w.location, active), rc, e);
}

db_stmt *window_rows(db *d, const char *head, const char *kinds, const char *order, const org *o, bool subtree, bool all)
{
    char sql[1024];
    snprintf(sql, sizeof sql, "%s WHERE w.kind IN (%s) AND ((? = 0 AND w.org_id = ?) OR (? = 1 AND o.path >= ? AND o.path < ?)) "
             "AND (? = 1 OR w.active = 1) ORDER BY %s", head, kinds, order);
    db_stmt *s = db_prepare(d, sql);
    if (!s) return NULL;
    char end[CX_PATH_MAX];
    orgpath_end(o->path, end, sizeof end);
    db_bind_i64(s, 1, subtree ? 1 : 0);
    db_bind_i64(s, 2, o->id);
    db_bind_i64(s, 3, subtree ? 1 : 0);
    db_bind_text(s, 4, o->path);
    db_bind_text(s, 5, end);
    db_bind_i64(s, 6, all ? 1 : 0);
    return s;
}

int window_list(db *d, const org *o, bool subtree, bool all, window_fn fn, void *ctx)
{
    db_stmt *s = window_rows(d, "SELECT " WINDOW_COLS WINDOW_FROM, "'window'", "o.path, w.name, w.id", o, subtree, all);
    if (!s) return CX_ERR;
    service_window w;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        read_window(s, &w);
        if (fn(ctx, &w)) break;
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}
