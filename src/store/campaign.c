/* campaign.c: campaigns (创先争优活动): creating one, the one that applies to an organisation, their phases
 * (see campaign.h). */
#include "campaign.h"
#include "row.h"
#include "review_int.h"
#include "../lib/json.h"
#include "../domain/date.h"
#include <stdlib.h>
#include <string.h>

int campaign_for_org(db *d, const org *o, campaign *c)
{
    memset(c, 0, sizeof *c); /* a caller never sees an output this call did not fill */
    /* the campaign's org is o or an ancestor: its path is a prefix of o's path */
    db_stmt *s = db_prepare(d, "SELECT c.id, c.org_id, c.theme, c.start_date, c.end_date FROM campaign c JOIN org co ON co.id = c.org_id "
                               "WHERE substr(?, 1, length(co.path)) = co.path ORDER BY c.start_date DESC, c.id DESC LIMIT 1");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, o->path);
    int rc = db_step(s);
    if (rc == DB_ROW) {
        c->id = db_col_i64(s, 0);
        c->org_id = db_col_i64(s, 1);
        snprintf(c->theme, sizeof c->theme, "%s", db_col_text(s, 2));
        snprintf(c->start_date, sizeof c->start_date, "%s", db_col_text(s, 3));
        snprintf(c->end_date, sizeof c->end_date, "%s", db_col_text(s, 4));
    }
    db_done(s);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : CX_ERR;
}

int campaign_create(db *d, const actor *a, int64_t org_id, const campaign_ok *in, int64_t *id, cx_err *e)
{
    const char *theme = in->theme, *sd = in->start_date, *ed = in->end_date;
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    org o;
    if (org_get(d, org_id, &o) != 1) {
        db_rollback(d);
        return cx_fail(e, 404, "not_found", "org_id", "党组织不存在");
    }
    db_stmt *s = db_prepare(d, "INSERT INTO campaign (part, org_id, theme, start_date, end_date, created_at) VALUES (?,?,?,?,?,?) RETURNING id");
    if (!s) return db_fail(d, e);
    db_bind_i64(s, 1, o.part);
    db_bind_i64(s, 2, org_id);
    db_bind_text(s, 3, theme);
    db_bind_text(s, 4, sd);
    db_bind_text(s, 5, ed);
    db_bind_i64(s, 6, now_unix());
    int64_t nid = 0;
    int rc = db_step(s);
    if (rc == DB_ROW) nid = db_col_i64(s, 0), rc = db_step(s);
    db_done(s);
    if (rc == CX_ERR) return db_fail(d, e);
    /* The default grading rules (mission.md C4), stored with the campaign and editable. */
    if (db_run(d, "INSERT INTO campaign_rule (campaign_id, org_set_id, member_set_id) VALUES (?, "
                  "(SELECT id FROM standard_set WHERE code = 'wuhao'), (SELECT id FROM standard_set WHERE code = 'wudaitou'))",
               "i", nid) != CX_OK)
        return db_fail(d, e);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "theme", theme);
    cJSON_AddStringToObject(j, "start_date", sd);
    cJSON_AddStringToObject(j, "end_date", ed);
    if (store_finish(d, a, "create", "campaign", nid, org_id, NULL, cJSON_PrintUnformatted(j), CX_OK, e) != CX_OK) {
        cJSON_Delete(j);
        return CX_ERR;
    }
    cJSON_Delete(j);
    if (id) *id = nid;
    return CX_OK;
}

#define CAMPAIGN_SQL "SELECT c.id, c.org_id, c.theme, c.start_date, c.end_date, o.path FROM campaign c JOIN org o ON o.id = c.org_id "

static void read_campaign(db_stmt *s, campaign *c)
{
    c->id = db_col_i64(s, 0);
    c->org_id = db_col_i64(s, 1);
    copy_col(c->theme, sizeof c->theme, s, 2);
    copy_col(c->start_date, sizeof c->start_date, s, 3);
    copy_col(c->end_date, sizeof c->end_date, s, 4);
}

int review_campaign_get(db *d, int64_t id, campaign *c, char org_path[CX_PATH_MAX])
{
    memset(c, 0, sizeof *c); /* a caller never sees an output this call did not fill */
    if (org_path) org_path[0] = 0;
    db_stmt *s = db_prepare(d, CAMPAIGN_SQL "WHERE c.id = ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW) {
        read_campaign(s, c);
        if (org_path) copy_col(org_path, CX_PATH_MAX, s, 5);
    }
    db_done(s);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : CX_ERR;
}

int review_campaigns_for(db *d, const org *o, campaign_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, CAMPAIGN_SQL "WHERE substr(?, 1, length(o.path)) = o.path ORDER BY c.start_date DESC, c.id DESC");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, o->path);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        campaign c;
        read_campaign(s, &c);
        if (fn(ctx, &c)) break;
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* Begins a write transaction with the campaign loaded (404 when missing). */
int begin_campaign(db *d, int64_t id, campaign *c, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    int f = review_campaign_get(d, id, c, NULL);
    if (f == 1) return CX_OK;
    if (f == CX_ERR) return db_fail(d, e);
    cx_fail(e, 404, "not_found", "campaign_id", "创先争优活动不存在");
    return refuse(d);
}

int phase_list(db *d, int64_t campaign_id, phase_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT id, campaign_id, seq, name, start_date, end_date FROM campaign_phase WHERE campaign_id = ? "
                               "ORDER BY start_date, seq");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, campaign_id);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        campaign_phase p = {.id = db_col_i64(s, 0), .campaign_id = db_col_i64(s, 1), .seq = (int)db_col_i64(s, 2)};
        copy_col(p.name, sizeof p.name, s, 3);
        copy_col(p.start_date, sizeof p.start_date, s, 4);
        copy_col(p.end_date, sizeof p.end_date, s, 5);
        if (fn(ctx, &p)) break;
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* Refuses a checked period [sd, ed] outside [lo, hi]. */
int period_inside(const char *sd, const char *ed, const char *lo, const char *hi, const char *what, cx_err *e)
{
    if (lo && (date_cmp(sd, lo) < 0 || date_cmp(ed, hi) > 0))
        return cx_fail(e, 400, "outside_campaign", date_cmp(sd, lo) < 0 ? "start_date" : "end_date",
                       "%s应在活动期间 %s 至 %s 之内", what, lo, hi);
    return CX_OK;
}

int phase_save(db *d, const actor *a, int64_t campaign_id, int64_t phase_id, const phase_ok *in, int64_t *id, cx_err *e)
{
    const char *nm = in->name, *sd = in->start_date, *ed = in->end_date;
    char *before = NULL;
    campaign c;
    int rc = begin_campaign(d, campaign_id, &c, e);
    if (rc != CX_OK) goto out;
    if (period_inside(sd, ed, c.start_date, c.end_date, "阶段起止日期", e) != CX_OK) {
        rc = refuse(d);
        goto out;
    }
    if (phase_id) {
        db_stmt *s = db_prepare(d, "SELECT name, start_date, end_date FROM campaign_phase WHERE id = ? AND campaign_id = ?");
        int st = CX_ERR;
        if (s) {
            db_bind_i64(s, 1, phase_id);
            db_bind_i64(s, 2, campaign_id);
            if ((st = db_step(s)) == DB_ROW) {
                cJSON *b = cJSON_CreateObject();
                cJSON_AddStringToObject(b, "name", db_col_text(s, 0));
                cJSON_AddStringToObject(b, "start_date", db_col_text(s, 1));
                cJSON_AddStringToObject(b, "end_date", db_col_text(s, 2));
                before = json_take(b);
            }
            db_done(s);
        }
        if (st == CX_ERR) {
            rc = db_fail(d, e);
            goto out;
        }
        if (st == DB_DONE) {
            cx_fail(e, 404, "not_found", "phase_id", "该活动没有这个阶段");
            rc = refuse(d);
            goto out;
        }
        rc = db_run(d, "UPDATE campaign_phase SET name = ?, start_date = ?, end_date = ? WHERE id = ?", "sssi", nm, sd, ed, phase_id);
    } else {
        rc = db_i64(d, &phase_id, 0, "INSERT INTO campaign_phase (campaign_id, seq, name, start_date, end_date) VALUES (?, "
                                     "(SELECT coalesce(max(seq), 0) + 1 FROM campaign_phase WHERE campaign_id = ?), ?, ?, ?) RETURNING id",
                    "iisss", campaign_id, campaign_id, nm, sd, ed);
    }
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "phase_id", phase_id);
    cJSON_AddStringToObject(j, "name", nm);
    cJSON_AddStringToObject(j, "start_date", sd);
    cJSON_AddStringToObject(j, "end_date", ed);
    rc = store_finish(d, a, before ? "phase.edit" : "phase.add", "campaign", campaign_id, c.org_id, before, json_take(j), rc, e);
    before = NULL;
    if (rc == CX_OK && id) *id = phase_id;
out:
    free(before);
    return rc;
}
