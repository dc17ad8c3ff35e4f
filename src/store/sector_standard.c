/* sector_standard.c: standards and indicators by sector, versions, the set a round reviews a target
 * on, grade figures by set (see sector_standard.h). */
#include "sector_standard.h"
#include "row.h"
#include "review_int.h"
#include "../lib/json.h"
#include "../domain/org.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

int std_version_get(db *d, int64_t set_id, std_version *out)
{
    memset(out, 0, sizeof *out); /* a caller never sees an output this call did not fill */
    int f = standard_get(d, set_id, &out->s);
    if (f != 1) return f;
    db_stmt *s = db_prepare(d, "SELECT coalesce(campaign_id, 0), coalesce(family_id, id), version, superseded, t_excellent, t_qualified, "
                               "t_basic FROM standard_set WHERE id = ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, set_id);
    int rc = db_step(s);
    if (rc == DB_ROW) {
        out->campaign_id = db_col_i64(s, 0);
        out->family_id = db_col_i64(s, 1);
        out->version = (int)db_col_i64(s, 2);
        out->superseded = db_col_i64(s, 3) != 0;
        out->has_rule = !db_col_null(s, 4);
        for (int i = 0; i < 3; i++) out->t[i] = (int)db_col_i64(s, 4 + i);
    }
    db_done(s);
    if (rc != DB_ROW) return CX_ERR;
    s = db_prepare(d, "SELECT item_seq, title, points FROM standard_indicator WHERE set_id = ? ORDER BY seq");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, set_id);
    while ((rc = db_step(s)) == DB_ROW && out->nind < IND_MAX) {
        indicator_ok *x = &out->ind[out->nind++];
        x->item_seq = (int)db_col_i64(s, 0);
        copy_col(x->title, sizeof x->title, s, 1);
        x->points = (int)db_col_i64(s, 2);
        out->total += x->points;
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : 1;
}

int std_lines(const std_version *v) { return v->nind ? v->nind : v->s.nitems; }

int64_t std_score(const std_version *v, const review_rules *r, const char *levels)
{
    if (!v->nind) return levels_score(r, levels);
    int pts[IND_MAX];
    for (int i = 0; i < v->nind; i++) pts[i] = v->ind[i].points;
    return points_score(r, levels, pts, v->nind);
}

/* ---- assignments ---- */

static void read_rule(db_stmt *s, void *out)
{
    sector_rule *r = out;
    memset(r, 0, sizeof *r);
    r->id = db_col_i64(s, 0);
    copy_col(r->target, sizeof r->target, s, 1);
    copy_col(r->sector, sizeof r->sector, s, 2);
    copy_col(r->org_type, sizeof r->org_type, s, 3);
    r->family_id = db_col_i64(s, 4);
    r->set_id = db_col_i64(s, 5);
    copy_col(r->set_name, sizeof r->set_name, s, 6);
    r->version = (int)db_col_i64(s, 7);
}

/* The current version of a family: the one not superseded. */
#define CURRENT_OF(fam) "(SELECT c.id FROM standard_set c WHERE coalesce(c.family_id, c.id) = " fam " AND c.superseded = 0)"

int sector_rules_list(db *d, int64_t campaign_id, sector_rule_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT r.id, r.target, r.sector, r.org_type, r.family_id, v.id, v.name, v.version FROM sector_standard r "
                               "JOIN standard_set v ON v.id = " CURRENT_OF("r.family_id") " WHERE r.campaign_id = ? "
                               "ORDER BY r.target, r.sector, r.org_type");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, campaign_id);
    return DB_EACH(s, sector_rule, read_rule, fn, ctx);
}

int round_rules_list(db *d, int64_t round_id, sector_rule_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT 0, r.target, r.sector, r.org_type, coalesce(v.family_id, v.id), v.id, v.name, v.version "
                               "FROM round_standard r JOIN standard_set v ON v.id = r.set_id WHERE r.round_id = ? "
                               "ORDER BY r.target, r.sector, r.org_type");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, round_id);
    return DB_EACH(s, sector_rule, read_rule, fn, ctx);
}

int sector_rule_put(db *d, const actor *a, int64_t campaign_id, const char *target, const char *sector, const char *org_type,
                    int64_t set_id, cx_err *e)
{
    if (!target || (strcmp(target, "org") && strcmp(target, "member")))
        return cx_fail(e, 400, "invalid_target", "target", "适用对象应为党组织（org）或党员（member）");
    if (!sector) sector = "";
    if (!org_type) org_type = "";
    if (*sector && !org_sector_valid(sector))
        return cx_fail(e, 400, "invalid_sector", "sector", "所属领域应为空（全部领域）或农村、社区、机关、国有企业、学校、医院、非公有制经济组织、社会组织之一");
    if (*org_type && !org_type_valid(org_type))
        return cx_fail(e, 400, "invalid_org_type", "org_type", "组织层级应为空（全部层级）或党委、党总支、党支部之一");
    campaign c;
    if (begin_campaign(d, campaign_id, &c, e) != CX_OK) return CX_ERR;
    int64_t fam = 0, old = 0;
    if (db_i64(d, &old, 0, "SELECT family_id FROM sector_standard WHERE campaign_id = ? AND target = ? AND sector = ? AND org_type = ?",
               "isss", campaign_id, target, sector, org_type) != CX_OK)
        return db_fail(d, e);
    int rc;
    if (set_id) {
        if (db_i64(d, &fam, 0, "SELECT coalesce(family_id, id) FROM standard_set WHERE id = ? AND target = ? "
                               "AND (campaign_id IS NULL OR campaign_id = ?)",
                   "isi", set_id, target, campaign_id) != CX_OK)
            return db_fail(d, e);
        if (!fam)
            return cx_fail(e, 400, "invalid_set", "set_id", "评议标准不存在、不属于本活动，或不是针对%s的标准", !strcmp(target, "org") ? "党组织" : "党员"),
                   refuse(d);
        rc = old ? db_run(d, "UPDATE sector_standard SET family_id = ? WHERE campaign_id = ? AND target = ? AND sector = ? AND org_type = ?",
                          "iisss", fam, campaign_id, target, sector, org_type)
                 : db_run(d, "INSERT INTO sector_standard (campaign_id, target, sector, org_type, family_id, created_at) VALUES (?,?,?,?,?,?)",
                          "isssii", campaign_id, target, sector, org_type, fam, now_unix());
    } else {
        if (!old) return cx_fail(e, 404, "not_found", "set_id", "本活动没有这一条分领域标准"), refuse(d);
        rc = db_run(d, "DELETE FROM sector_standard WHERE campaign_id = ? AND target = ? AND sector = ? AND org_type = ?", "isss",
                    campaign_id, target, sector, org_type);
    }
    cJSON *b = NULL;
    if (old) {
        b = cJSON_CreateObject();
        json_add_i64(b, "family_id", old);
    }
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "target", target);
    cJSON_AddStringToObject(j, "sector", sector);
    cJSON_AddStringToObject(j, "org_type", org_type);
    json_add_i64(j, "family_id", fam);
    return store_finish(d, a, set_id ? "sector_standard.put" : "sector_standard.remove", "campaign", campaign_id, c.org_id,
                        b ? json_take(b) : NULL, json_take(j), rc, e);
}

/* ---- sets, indicators, versions ---- */

static int put_indicators(db *d, int64_t set_id, const indicator_ok *ind, int nind, cJSON *log)
{
    int rc = CX_OK;
    cJSON *arr = cJSON_AddArrayToObject(log, "indicators");
    for (int i = 0; i < nind && rc == CX_OK; i++) {
        rc = db_run(d, "INSERT INTO standard_indicator (set_id, item_seq, seq, title, points) VALUES (?,?,?,?,?)", "iiisi", set_id,
                    (int64_t)ind[i].item_seq, (int64_t)(i + 1), ind[i].title, (int64_t)ind[i].points);
        cJSON *x = cJSON_CreateObject();
        json_add_i64(x, "item_seq", ind[i].item_seq);
        cJSON_AddStringToObject(x, "title", ind[i].title);
        json_add_i64(x, "points", ind[i].points);
        cJSON_AddItemToArray(arr, x);
    }
    return rc;
}

static int put_rule(db *d, int64_t set_id, const int t[3], bool has_rule, cJSON *log)
{
    if (has_rule) {
        json_add_i64(log, "t_excellent", t[0]);
        json_add_i64(log, "t_qualified", t[1]);
        json_add_i64(log, "t_basic", t[2]);
        return db_run(d, "UPDATE standard_set SET t_excellent = ?, t_qualified = ?, t_basic = ? WHERE id = ?", "iiii", (int64_t)t[0],
                      (int64_t)t[1], (int64_t)t[2], set_id);
    }
    return db_run(d, "UPDATE standard_set SET t_excellent = NULL, t_qualified = NULL, t_basic = NULL WHERE id = ?", "i", set_id);
}

int std_create(db *d, const actor *a, int64_t campaign_id, const standard_ok *in, const indicator_ok *ind, int nind,
               const int t[3], bool has_rule, int64_t *id, cx_err *e)
{
    campaign c;
    if (begin_campaign(d, campaign_id, &c, e) != CX_OK) return CX_ERR;
    int64_t sid = 0, dup = 0;
    if (db_i64(d, &dup, 0, "SELECT count(*) FROM standard_set WHERE code = ?", "s", in->code) != CX_OK) return db_fail(d, e);
    if (dup) return cx_fail(e, 409, "duplicate_code", "code", "标准代码“%s”已被使用", in->code), refuse(d);
    int rc = db_i64(d, &sid, 0, "INSERT INTO standard_set (code, name, target, builtin, campaign_id) VALUES (?,?,?,0,?) RETURNING id", "sssi",
                    in->code, in->name, in->target, campaign_id);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "code", in->code);
    cJSON_AddStringToObject(j, "name", in->name);
    cJSON_AddStringToObject(j, "target", in->target);
    cJSON *items = cJSON_AddArrayToObject(j, "items");
    for (int i = 0; i < in->n && rc == CX_OK; i++) {
        rc = db_run(d, "INSERT INTO standard_item (set_id, seq, title, body) VALUES (?,?,?,?)", "iiss", sid, (int64_t)(i + 1), in->items[i].title,
                    in->items[i].body);
        cJSON_AddItemToArray(items, cJSON_CreateString(in->items[i].title));
    }
    if (rc == CX_OK) rc = put_indicators(d, sid, ind, nind, j);
    if (rc == CX_OK) rc = put_rule(d, sid, t, has_rule, j);
    rc = store_finish(d, a, "standard.create", "standard_set", sid, c.org_id, NULL, json_take(j), rc, e);
    if (rc == CX_OK && id) *id = sid;
    return rc;
}

static cJSON *version_json(const std_version *v)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "name", v->s.name);
    json_add_i64(j, "version", v->version);
    cJSON *arr = cJSON_AddArrayToObject(j, "indicators");
    for (int i = 0; i < v->nind; i++) {
        cJSON *x = cJSON_CreateObject();
        json_add_i64(x, "item_seq", v->ind[i].item_seq);
        cJSON_AddStringToObject(x, "title", v->ind[i].title);
        json_add_i64(x, "points", v->ind[i].points);
        cJSON_AddItemToArray(arr, x);
    }
    if (v->has_rule) {
        json_add_i64(j, "t_excellent", v->t[0]);
        json_add_i64(j, "t_qualified", v->t[1]);
        json_add_i64(j, "t_basic", v->t[2]);
    }
    return j;
}

int std_edit(db *d, const actor *a, int64_t campaign_id, int64_t set_id, const char *name, const indicator_ok *ind, int nind,
             const int t[3], bool has_rule, int64_t *new_id, bool *versioned, cx_err *e)
{
    campaign c;
    if (begin_campaign(d, campaign_id, &c, e) != CX_OK) return CX_ERR;
    std_version *v = xmalloc(sizeof *v);
    int rc = CX_OK;
    int f = std_version_get(d, set_id, v);
    int64_t pinned = 0, nid = set_id;
    if (f == CX_ERR) {
        rc = db_fail(d, e);
        goto out;
    }
    if (f == 0 || (v->campaign_id && v->campaign_id != campaign_id)) {
        rc = cx_fail(e, 404, "not_found", "set_id", "本活动没有这个评议标准"), refuse(d);
        goto out;
    }
    if (!v->campaign_id) {
        rc = cx_fail(e, 409, "builtin_set", "set_id", "“%s”是各活动共用的标准，不能修改；请为本活动新增标准并具体化指标", v->s.name), refuse(d);
        goto out;
    }
    if (v->superseded) {
        rc = cx_fail(e, 409, "superseded", "set_id", "“%s”第 %d 版已有新版本，只能修改最新版本", v->s.name, v->version), refuse(d);
        goto out;
    }
    if (db_i64(d, &pinned, 0, "SELECT count(*) FROM round_standard WHERE set_id = ?", "i", set_id) != CX_OK) {
        rc = db_fail(d, e);
        goto out;
    }
    char *before = json_take(version_json(v));
    const char *nm = name ? name : v->s.name;
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "name", nm);
    if (pinned) {
        /* a round has started with this version: the edit is a new version of the family */
        char code[64];
        snprintf(code, sizeof code, "%.40s~v%d", v->s.code, v->version + 1);
        rc = db_i64(d, &nid, 0, "INSERT INTO standard_set (code, name, target, builtin, campaign_id, family_id, version) "
                                "VALUES (?,?,?,0,?,?,?) RETURNING id",
                    "sssiii", code, nm, v->s.target, campaign_id, v->family_id, (int64_t)(v->version + 1));
        for (int i = 0; i < v->s.nitems && rc == CX_OK; i++)
            rc = db_run(d, "INSERT INTO standard_item (set_id, seq, title, body) VALUES (?,?,?,?)", "iiss", nid, (int64_t)v->s.items[i].seq,
                        v->s.items[i].title, v->s.items[i].body);
        if (rc == CX_OK) rc = db_run(d, "UPDATE standard_set SET superseded = 1 WHERE id = ?", "i", set_id);
        /* the campaign's default sets follow to the new version too (its rounds keep theirs) */
        if (rc == CX_OK) rc = db_run(d, "UPDATE campaign_rule SET org_set_id = ? WHERE org_set_id = ?", "ii", nid, set_id);
        if (rc == CX_OK) rc = db_run(d, "UPDATE campaign_rule SET member_set_id = ? WHERE member_set_id = ?", "ii", nid, set_id);
        json_add_i64(j, "version", v->version + 1);
        json_add_i64(j, "previous_id", set_id);
    } else {
        rc = db_run(d, "UPDATE standard_set SET name = ? WHERE id = ?", "si", nm, set_id);
        if (rc == CX_OK) rc = db_run(d, "DELETE FROM standard_indicator WHERE set_id = ?", "i", set_id);
        json_add_i64(j, "version", v->version);
    }
    if (rc == CX_OK) rc = put_indicators(d, nid, ind, nind, j);
    if (rc == CX_OK) rc = put_rule(d, nid, t, has_rule, j);
    rc = store_finish(d, a, pinned ? "standard.version" : "standard.edit", "standard_set", nid, c.org_id, before, json_take(j), rc, e);
    if (rc == CX_OK) {
        if (new_id) *new_id = nid;
        if (versioned) *versioned = pinned > 0;
    }
out:
    free(v);
    return rc;
}

/* The campaign's default set for a target when it is one of the campaign's own (shared sets are
 * never edited, so a round need not keep them): kept by the round as a rule for any sector and
 * level, unless the campaign has such a rule already. */
#define PIN_DEFAULT(col, target)                                                                                       \
    "INSERT INTO round_standard (round_id, target, sector, org_type, set_id) SELECT ?, '" target "', '', '', r." col " "  \
    "FROM campaign_rule r JOIN standard_set s ON s.id = r." col " WHERE r.campaign_id = ? AND s.campaign_id IS NOT NULL "  \
    "AND NOT EXISTS (SELECT 1 FROM sector_standard x WHERE x.campaign_id = r.campaign_id AND x.target = '" target "' "     \
    "AND x.sector = '' AND x.org_type = '')"

int round_rules_pin(db *d, int64_t round_id, int64_t campaign_id)
{
    int rc = db_run(d, "INSERT INTO round_standard (round_id, target, sector, org_type, set_id) SELECT ?, r.target, r.sector, r.org_type, "
                       CURRENT_OF("r.family_id") " FROM sector_standard r WHERE r.campaign_id = ?",
                    "ii", round_id, campaign_id);
    if (rc == CX_OK) rc = db_run(d, PIN_DEFAULT("org_set_id", "org"), "ii", round_id, campaign_id);
    if (rc == CX_OK) rc = db_run(d, PIN_DEFAULT("member_set_id", "member"), "ii", round_id, campaign_id);
    return rc;
}

/* ---- the set of a target ---- */

static int add_rule(void *ctx, const sector_rule *r)
{
    round_sets *rs = ctx;
    rs->v = xrealloc(rs->v, (size_t)(rs->n + 1) * sizeof *rs->v);
    rs->v[rs->n++] = *r;
    return 0;
}

int round_sets_load(db *d, const review_round *rd, round_sets *rs)
{
    memset(rs, 0, sizeof *rs);
    review_rules rules;
    if (rules_get(d, rd->campaign_id, &rules, &rs->org_set, &rs->member_set) == CX_ERR) return CX_ERR;
    return round_rules_list(d, rd->id, add_rule, rs);
}

void round_sets_free(round_sets *rs)
{
    free(rs->v);
    rs->v = NULL;
    rs->n = 0;
}

int64_t round_sets_pick(const round_sets *rs, bool is_org, const char *sector, const char *org_type)
{
    const char *target = is_org ? "org" : "member";
    int best = -1;
    int64_t set = is_org ? rs->org_set : rs->member_set;
    for (int i = 0; i < rs->n; i++) {
        const sector_rule *r = &rs->v[i];
        if (strcmp(r->target, target) || (*r->sector && strcmp(r->sector, sector)) || (*r->org_type && strcmp(r->org_type, org_type)))
            continue;
        int rank = (*r->sector ? 2 : 0) + (*r->org_type ? 1 : 0); /* a sector rule is more specific than a level rule */
        if (rank > best) best = rank, set = r->set_id;
    }
    return set;
}

int round_set_for(db *d, const review_round *rd, bool is_org, int64_t org_id, std_version *out)
{
    org o;
    int f = org_get(d, org_id, &o);
    if (f != 1) {
        memset(out, 0, sizeof *out);
        return f;
    }
    round_sets rs;
    if (round_sets_load(d, rd, &rs) != CX_OK) return CX_ERR;
    int64_t set = round_sets_pick(&rs, is_org, o.sector, o.type);
    round_sets_free(&rs);
    if (!set) {
        memset(out, 0, sizeof *out);
        return 0;
    }
    return std_version_get(d, set, out);
}

int round_items(db *d, const review_round *rd, bool is_org, int64_t org_id, int64_t *n)
{
    std_version *v = xmalloc(sizeof *v);
    int f = round_set_for(d, rd, is_org, org_id, v);
    *n = f == 1 ? std_lines(v) : 0;
    free(v);
    return f == CX_ERR ? CX_ERR : CX_OK;
}

/* ---- figures by set ---- */

int round_rule_count(db *d, int64_t round_id, int64_t *n)
{
    return db_i64(d, n, 0, "SELECT count(*) FROM round_standard WHERE round_id = ?", "i", round_id);
}

int round_figures_by_set(db *d, const review_round *rd, const org *root, set_figures **out, int *n)
{
    *out = NULL;
    *n = 0;
    round_sets rs;
    if (round_sets_load(d, rd, &rs) != CX_OK) return CX_ERR;
    char end[CX_PATH_MAX];
    orgpath_end(root->path, end, sizeof end);
    db_stmt *s = db_prepare(d, "SELECT g.target_kind, o.sector, o.type, g.final, g.meets, count(*), coalesce(sum(g.score), 0) FROM grade g "
                               "JOIN org o ON o.id = g.org_id WHERE g.round_id = ? AND o.path >= ? AND o.path < ? AND g.final <> 'none' "
                               "GROUP BY g.target_kind, o.sector, o.type, g.final, g.meets");
    if (!s) {
        round_sets_free(&rs);
        return CX_ERR;
    }
    db_bind_i64(s, 1, rd->id);
    db_bind_text(s, 2, root->path);
    db_bind_text(s, 3, end);
    set_figures *v = NULL;
    int k = 0, rc;
    while ((rc = db_step(s)) == DB_ROW) {
        bool is_org = !strcmp(db_col_text(s, 0), "org");
        int64_t set = round_sets_pick(&rs, is_org, db_col_text(s, 1), db_col_text(s, 2));
        int i = 0;
        while (i < k && v[i].set_id != set) i++;
        if (i == k) {
            v = xrealloc(v, (size_t)(k + 1) * sizeof *v);
            memset(&v[k], 0, sizeof v[k]);
            v[k].set_id = set;
            snprintf(v[k].target, sizeof v[k].target, "%s", is_org ? "org" : "member");
            k++;
        }
        int g = grade_from_code(db_col_text(s, 3));
        int64_t cnt = db_col_i64(s, 5);
        v[i].graded += cnt;
        if (g >= 1 && g <= 4) v[i].grade[g] += cnt;
        if (db_col_i64(s, 4)) v[i].meets += cnt;
        v[i].score_sum += db_col_i64(s, 6);
    }
    db_done(s);
    round_sets_free(&rs);
    for (int i = 0; rc != CX_ERR && i < k; i++) {
        std_version *sv = xmalloc(sizeof *sv);
        if (std_version_get(d, v[i].set_id, sv) == 1) {
            snprintf(v[i].name, sizeof v[i].name, "%s", sv->s.name);
            v[i].version = sv->version;
        }
        free(sv);
    }
    if (rc == CX_ERR) {
        free(v);
        return CX_ERR;
    }
    *out = v;
    *n = k;
    return CX_OK;
}
