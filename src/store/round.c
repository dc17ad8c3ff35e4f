/* round.c: review rounds: opening, reading, listing and closing one; the open-round transaction the
 * review files share. */
#include "round.h"
#include "row.h"
#include "review_int.h"
#include "sector_standard.h"
#include "../lib/json.h"
#include <stdlib.h>
#include <string.h>

#define ROUND_SQL                                                                                                    \
    "SELECT r.id, r.campaign_id, r.org_id, r.created_at, r.status, r.name, r.period_start, r.period_end, r.questions, " \
    "o.name, o.path, c.theme FROM review_round r JOIN org o ON o.id = r.org_id JOIN campaign c ON c.id = r.campaign_id "

static void read_round(db_stmt *s, review_round *r)
{
    r->id = db_col_i64(s, 0);
    r->campaign_id = db_col_i64(s, 1);
    r->org_id = db_col_i64(s, 2);
    r->created_at = db_col_i64(s, 3);
    r->open = !strcmp(db_col_text(s, 4), "open");
    copy_col(r->name, sizeof r->name, s, 5);
    copy_col(r->period_start, sizeof r->period_start, s, 6);
    copy_col(r->period_end, sizeof r->period_end, s, 7);
    copy_col(r->questions, sizeof r->questions, s, 8);
    copy_col(r->org_name, sizeof r->org_name, s, 9);
    copy_col(r->org_path, sizeof r->org_path, s, 10);
    copy_col(r->campaign_theme, sizeof r->campaign_theme, s, 11);
}

static int round_one(db *d, const char *sql, const char *text, int64_t id, review_round *r)
{
    memset(r, 0, sizeof *r); /* a caller never sees an output this call did not fill */
    db_stmt *s = db_prepare(d, sql);
    if (!s) return CX_ERR;
    if (text) db_bind_text(s, 1, text);
    else db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW) read_round(s, r);
    db_done(s);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : CX_ERR;
}

int round_get(db *d, int64_t id, review_round *r) { return round_one(d, ROUND_SQL "WHERE r.id = ?", NULL, id, r); }

int round_current(db *d, const char *org_path, review_round *r)
{
    return round_one(d, ROUND_SQL "WHERE r.status = 'open' AND substr(?, 1, length(o.path)) = o.path ORDER BY r.id DESC LIMIT 1", org_path, 0, r);
}

#define ROUND_COVERS "WHERE substr(?, 1, length(o.path)) = o.path OR (o.path >= ? AND o.path < ?) "
int round_count(db *d, const org *o, int64_t *total)
{
    char end[CX_PATH_MAX];
    orgpath_end(o->path, end, sizeof end);
    return db_i64(d, total, 0, "SELECT COUNT(*) FROM review_round r JOIN org o ON o.id = r.org_id " ROUND_COVERS, "sss", o->path, o->path, end);
}

int round_list(db *d, const org *o, int64_t offset, int64_t limit, round_fn fn, void *ctx)
{
    char end[CX_PATH_MAX];
    orgpath_end(o->path, end, sizeof end);
    db_stmt *s = db_prepare(d, ROUND_SQL ROUND_COVERS "ORDER BY r.period_start DESC, r.id DESC LIMIT ? OFFSET ?");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, o->path);
    db_bind_text(s, 2, o->path);
    db_bind_text(s, 3, end);
    db_bind_i64(s, 4, limit > 0 ? limit : INT64_MAX);
    db_bind_i64(s, 5, offset);
    int rc;
    review_round *r = xmalloc(sizeof *r);
    while ((rc = db_step(s)) == DB_ROW) {
        read_round(s, r);
        if (fn(ctx, r)) break;
    }
    free(r);
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int round_create(db *d, const actor *a, int64_t org_id, int64_t campaign_id, const round_ok *in, int64_t *id, cx_err *e)
{
    const char *nm = in->name, *sd = in->start_date, *ed = in->end_date, *questions = in->questions;
    campaign c;
    char cpath[CX_PATH_MAX];
    org o;
    int64_t rid = 0, dup = 0;
    int rc = db_begin(d, true) == CX_OK ? CX_OK : db_fail(d, e);
    if (rc != CX_OK) goto out;
    int f = review_campaign_get(d, campaign_id, &c, cpath), g = f == 1 ? org_get(d, org_id, &o) : f;
    if (f == CX_ERR || g == CX_ERR) {
        rc = db_fail(d, e);
        goto out;
    }
    if (g != 1 || !o.active) {
        cx_fail(e, 404, "not_found", "org_id", "党组织不存在或已停用");
        rc = refuse(d);
        goto out;
    }
    if (f != 1 || !path_in_subtree(o.path, cpath)) {
        cx_fail(e, 400, "invalid_campaign", "campaign_id", "该活动不存在或不覆盖“%s”", o.name);
        rc = refuse(d);
        goto out;
    }
    if (period_inside(sd, ed, c.start_date, c.end_date, "评议期间", e) != CX_OK) {
        rc = refuse(d);
        goto out;
    }
    if (db_i64(d, &dup, 0, "SELECT count(*) FROM review_round WHERE org_id = ? AND campaign_id = ? AND name = ?", "iis", org_id,
               campaign_id, nm) != CX_OK) {
        rc = db_fail(d, e);
        goto out;
    }
    if (dup) {
        cx_fail(e, 409, "duplicate_round", "name", "“%s”已有名为“%s”的评议轮次", o.name, nm);
        rc = refuse(d);
        goto out;
    }
    rc = db_i64(d, &rid, 0, "INSERT INTO review_round (campaign_id, org_id, name, period_start, period_end, questions, status, created_at) "
                            "VALUES (?,?,?,?,?,?,'open',?) RETURNING id",
                "iissssi", campaign_id, org_id, nm, sd, ed, questions, now_unix());
    /* the round keeps the standard sets (and their versions) it starts with */
    if (rc == CX_OK) rc = round_rules_pin(d, rid, campaign_id);
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "campaign_id", campaign_id);
    cJSON_AddStringToObject(j, "name", nm);
    cJSON_AddStringToObject(j, "period_start", sd);
    cJSON_AddStringToObject(j, "period_end", ed);
    cJSON_AddStringToObject(j, "questions", questions);
    rc = store_finish(d, a, "round.create", "review_round", rid, org_id, NULL, json_take(j), rc, e);
    if (rc == CX_OK && id) *id = rid;
out:
    return rc;
}

/* Begins a write transaction with the round loaded; refuses a missing or closed round. */
int begin_open_round(db *d, int64_t round_id, review_round *rd, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    int f = round_get(d, round_id, rd);
    if (f == CX_ERR) return db_fail(d, e);
    if (f == 0) return cx_fail(e, 404, "not_found", "round_id", "评议轮次不存在"), refuse(d);
    if (!rd->open)
        return cx_fail(e, 409, "round_closed", "round_id", "评议轮次“%s”已经结束，不能再提交或修改评议、点评和等次", rd->name), refuse(d);
    return CX_OK;
}

/* Refuses a target outside the round's subtree. */
int round_covers(db *d, const review_round *rd, const char *path, const char *name, cx_err *e)
{
    if (path_in_subtree(path, rd->org_path)) return CX_OK;
    cx_fail(e, 400, "outside_round", "round_id", "评议轮次“%s”（%s）不包括“%s”", rd->name, rd->org_name, name);
    return refuse(d);
}

int round_close(db *d, const actor *a, int64_t id, cx_err *e)
{
    review_round rd;
    if (begin_open_round(d, id, &rd, e) != CX_OK) return CX_ERR;
    int rc = db_run(d, "UPDATE review_round SET status = 'closed' WHERE id = ?", "i", id);
    return store_finish(d, a, "round.close", "review_round", id, rd.org_id, xstrdup("{\"status\":\"open\"}"),
                        xstrdup("{\"status\":\"closed\"}"), rc, e);
}
