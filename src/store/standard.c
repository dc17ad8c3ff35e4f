/* standard.c: standard sets (五个好, 五带头, sets added as data) and the carriers organisations name (see
 * standard.h). */
#include "standard.h"
#include "row.h"
#include "../lib/json.h"
#include "campaign.h"
#include "carrier.h"
#include <stdlib.h>
#include <string.h>

int standard_get(db *d, int64_t id, standard_set *out)
{
    memset(out, 0, sizeof *out); /* a caller never sees an output this call did not fill */
    db_stmt *s = db_prepare(d, "SELECT s.id, s.code, s.name, s.target, s.builtin, i.seq, i.title, i.body FROM standard_set s "
                               "LEFT JOIN standard_item i ON i.set_id = s.id WHERE s.id = ? ORDER BY i.seq");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    int rc, found = 0;
    while ((rc = db_step(s)) == DB_ROW) {
        if (!found++) {
            memset(out, 0, sizeof *out);
            out->id = db_col_i64(s, 0);
            copy_col(out->code, sizeof out->code, s, 1);
            copy_col(out->name, sizeof out->name, s, 2);
            copy_col(out->target, sizeof out->target, s, 3);
            out->builtin = (int)db_col_i64(s, 4);
        }
        if (db_col_null(s, 5) || out->nitems >= STD_MAX_ITEMS) continue;
        standard_item *it = &out->items[out->nitems++];
        it->seq = (int)db_col_i64(s, 5);
        copy_col(it->title, sizeof it->title, s, 6);
        copy_col(it->body, sizeof it->body, s, 7);
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : found > 0;
}

int standard_list_for(db *d, int64_t campaign_id, standard_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT id FROM standard_set WHERE campaign_id IS NULL OR campaign_id = ? "
                               "ORDER BY builtin DESC, coalesce(family_id, id), version LIMIT 400");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, campaign_id);
    int64_t *ids = xmalloc(400 * sizeof *ids);
    int n = 0, rc;
    while ((rc = db_step(s)) == DB_ROW && n < 400) ids[n++] = db_col_i64(s, 0);
    db_done(s);
    standard_set *set = xmalloc(sizeof *set);
    for (int i = 0; rc != CX_ERR && i < n; i++) {
        if ((rc = standard_get(d, ids[i], set)) == CX_ERR) break;
        if (rc == 1 && fn(ctx, set)) break;
    }
    free(set);
    free(ids);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* campaign 0: no campaign's own sets, only those of every campaign */
int standard_list(db *d, standard_fn fn, void *ctx) { return standard_list_for(d, 0, fn, ctx); }

int standard_create(db *d, const actor *a, int64_t audit_org, const standard_ok *in, int64_t *id, cx_err *e)
{
    const char *code = in->code, *nm = in->name, *target = in->target;
    int n = in->n;
    int64_t sid = 0, dup = 0;
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    if (db_i64(d, &dup, 0, "SELECT count(*) FROM standard_set WHERE code = ?", "s", code) != CX_OK) return db_fail(d, e);
    if (dup) return cx_fail(e, 409, "duplicate_code", "code", "标准代码“%s”已被使用", code), refuse(d);
    int rc = db_i64(d, &sid, 0, "INSERT INTO standard_set (code, name, target, builtin) VALUES (?,?,?,0) RETURNING id", "sss", code, nm, target);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "code", code);
    cJSON_AddStringToObject(j, "name", nm);
    cJSON_AddStringToObject(j, "target", target);
    cJSON *items = cJSON_AddArrayToObject(j, "items");
    for (int i = 0; i < n && rc == CX_OK; i++) {
        const char *t = in->items[i].title, *b = in->items[i].body;
        rc = db_run(d, "INSERT INTO standard_item (set_id, seq, title, body) VALUES (?,?,?,?)", "iiss", sid, (int64_t)(i + 1), t, b);
        cJSON_AddItemToArray(items, cJSON_CreateString(t));
    }
    rc = store_finish(d, a, "standard.create", "standard_set", sid, audit_org, NULL, json_take(j), rc, e);
    if (rc == CX_OK && id) *id = sid;
    return rc;
}

int carrier_list(db *d, const org *root, bool subtree, carrier_fn fn, void *ctx)
{
    char end[CX_PATH_MAX];
    orgpath_end(root->path, end, sizeof end);
    db_stmt *s = db_prepare(d, "SELECT k.id, k.campaign_id, k.org_id, k.name, k.description, o.name, k.version, k.retired_at FROM carrier k JOIN org o ON o.id = k.org_id "
                               "WHERE (? = 1 AND o.path >= ? AND o.path < ?) OR k.org_id = ? ORDER BY o.path, k.id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, subtree ? 1 : 0);
    db_bind_text(s, 2, root->path);
    db_bind_text(s, 3, end);
    db_bind_i64(s, 4, root->id);
    int rc;
    carrier *k = xmalloc(sizeof *k);
    while ((rc = db_step(s)) == DB_ROW) {
        k->id = db_col_i64(s, 0);
        k->campaign_id = db_col_i64(s, 1);
        k->org_id = db_col_i64(s, 2);
        copy_col(k->name, sizeof k->name, s, 3);
        copy_col(k->description, sizeof k->description, s, 4);
        copy_col(k->org_name, sizeof k->org_name, s, 5);
        k->version = db_col_i64(s, 6);
        k->retired_at = db_col_i64(s, 7);
        if (fn(ctx, k)) break;
    }
    free(k);
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int carrier_add(db *d, const actor *a, int64_t campaign_id, const org *o, const carrier_ok *in, const carrier_items_ok *items, int64_t *id,
                cx_err *e)
{
    const char *nm = in->name, *ds = in->description;
    campaign c;
    char cpath[CX_PATH_MAX] = "";
    int64_t kid = 0;
    int rc = db_begin(d, true) == CX_OK ? CX_OK : db_fail(d, e);
    if (rc != CX_OK) goto out;
    int f = review_campaign_get(d, campaign_id, &c, cpath);
    if (f == CX_ERR) {
        rc = db_fail(d, e);
        goto out;
    }
    if (f == 0 || !path_in_subtree(o->path, cpath)) {
        cx_fail(e, 400, "invalid_campaign", "campaign_id", "该活动不存在或不覆盖“%s”", o->name);
        rc = refuse(d);
        goto out;
    }
    rc = db_i64(d, &kid, 0, "INSERT INTO carrier (campaign_id, org_id, name, description, created_at) VALUES (?,?,?,?,?) RETURNING id",
                "iissi", campaign_id, o->id, nm, ds, now_unix());
    if (rc == CX_OK && items) rc = carrier_items_insert(d, kid, items, 1);
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "campaign_id", campaign_id);
    cJSON_AddStringToObject(j, "name", nm);
    cJSON_AddStringToObject(j, "description", ds);
    if (items && items->n) {
        char *t = carrier_items_text(items);
        cJSON_AddStringToObject(j, "items", t);
        free(t);
    }
    rc = store_finish(d, a, "carrier.add", "carrier", kid, o->id, NULL, json_take(j), rc, e);
    if (rc == CX_OK && id) *id = kid;
out:
    return rc;
}
