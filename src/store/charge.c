/* charge.c: leaders put in charge of members and organisations in a round, and their commentary (see
 * charge.h). */
#include "charge.h"
#include "row.h"
#include "notify.h"
#include "review_int.h"
#include "../lib/json.h"
#include "rollup.h"
#include <stdlib.h>
#include <string.h>

int leader_list(db *d, const char *path, leader_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT DISTINCT u.id, u.username, u.display_name FROM user_role ur JOIN app_user u ON u.id = ur.user_id "
                               "JOIN org o ON o.id = ur.org_id WHERE ur.role = 'leader' AND u.active = 1 AND o.active = 1 "
                               "AND substr(?, 1, length(o.path)) = o.path ORDER BY u.display_name, u.id");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, path);
    int rc;
    while ((rc = db_step(s)) == DB_ROW)
        if (fn(ctx, db_col_i64(s, 0), db_col_text(s, 1), db_col_text(s, 2))) break;
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* Inside a round's transaction: the target (a member of o, or o itself) must exist, be active
 * and lie in the round. Fills kind, id and name; rolls back on refusal. */
typedef struct target {
    const char *kind;
    int64_t id;
    char name[256];
} target;
static int load_target(db *d, const review_round *rd, const org *o, int64_t target_member, target *t, cx_err *e)
{
    t->kind = target_member ? "member" : "org";
    t->id = target_member ? target_member : o->id;
    snprintf(t->name, sizeof t->name, "%s", o->name);
    if (target_member) {
        member m;
        int f = member_get(d, target_member, &m);
        if (f == CX_ERR) return db_fail(d, e);
        if (f == 0 || !m.active || m.org_id != o->id)
            return cx_fail(e, 404, "not_found", "member_id", "党员不存在、已停用或不在“%s”", o->name), refuse(d);
        snprintf(t->name, sizeof t->name, "%s", m.r.name);
    } else if (!o->active)
        return cx_fail(e, 404, "not_found", "id", "党组织“%s”已停用", o->name), refuse(d);
    return round_covers(d, rd, o->path, t->name, e);
}

static cJSON *charge_json(int64_t user_id, const target *t)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "user_id", user_id);
    cJSON_AddStringToObject(j, "target_kind", t->kind);
    json_add_i64(j, "target_id", t->id);
    cJSON_AddStringToObject(j, "target", t->name);
    return j;
}

/* The charge of (round, user, target): its id, 0 when none. */
static int charge_find(db *d, int64_t round_id, int64_t user_id, const target *t, int64_t *id)
{
    return db_i64(d, id, 0, "SELECT id FROM leader_charge WHERE round_id = ? AND user_id = ? AND target_kind = ? AND target_id = ?", "iisi",
                  round_id, user_id, t->kind, t->id);
}

int charge_add(db *d, const actor *a, int64_t round_id, int64_t user_id, const org *o, int64_t target_member, int64_t *id,
               cx_err *e)
{
    review_round rd;
    target t;
    if (begin_open_round(d, round_id, &rd, e) != CX_OK || load_target(d, &rd, o, target_member, &t, e) != CX_OK) return CX_ERR;
    principal *p = xmalloc(sizeof *p);
    int f = user_load(d, user_id, p);
    bool leader = f == 1 && perm_allows(p, ROLE_LEADER, o->path);
    free(p);
    if (f == CX_ERR) return db_fail(d, e);
    if (!leader)
        return cx_fail(e, 400, "not_leader", "user_id", "该账号不是“%s”或其上级组织的党员领导干部，不能联系点评", o->name), refuse(d);
    int64_t cid = 0;
    if (charge_find(d, round_id, user_id, &t, &cid) != CX_OK) return db_fail(d, e);
    if (cid) return cx_fail(e, 409, "duplicate_charge", "user_id", "该领导本轮已联系“%s”", t.name), refuse(d);
    int rc = db_i64(d, &cid, 0, "INSERT INTO leader_charge (round_id, user_id, target_kind, target_id, org_id, created_at) VALUES (?,?,?,?,?,?) "
                                "RETURNING id", "iisiii", round_id, user_id, t.kind, t.id, o->id, now_unix());
    rollup delta = {{0}};
    delta.v[RU_CHARGES] = 1;
    if (rc == CX_OK) rc = rollup_add(d, round_id, o->path, &delta);
    if (rc == CX_OK) {
        char text[600];
        snprintf(text, sizeof text, "请对联系的%s作出点评（%s）", t.name, rd.name);
        rc = notify_user(d, a, user_id, "charge", text, "/me/charges");
    }
    rc = store_finish(d, a, "charge.add", "leader_charge", cid, o->id, NULL, json_take(charge_json(user_id, &t)), rc, e);
    if (rc == CX_OK && id) *id = cid;
    return rc;
}

int charge_remove(db *d, const actor *a, int64_t round_id, int64_t user_id, const org *o, int64_t target_member, cx_err *e)
{
    review_round rd;
    target t;
    if (begin_open_round(d, round_id, &rd, e) != CX_OK || load_target(d, &rd, o, target_member, &t, e) != CX_OK) return CX_ERR;
    int64_t cid = 0, done = 0;
    if (charge_find(d, round_id, user_id, &t, &cid) != CX_OK) return db_fail(d, e);
    if (!cid) return cx_fail(e, 404, "not_found", "user_id", "该领导本轮没有联系“%s”", t.name), refuse(d);
    if (db_i64(d, &done, 0, "SELECT count(*) FROM commentary WHERE round_id = ? AND user_id = ? AND target_kind = ? AND target_id = ?",
               "iisi", round_id, user_id, t.kind, t.id) != CX_OK)
        return db_fail(d, e);
    if (done) return cx_fail(e, 409, "already_commented", "user_id", "该领导已点评“%s”，不能取消联系", t.name), refuse(d);
    int rc = db_run(d, "DELETE FROM leader_charge WHERE id = ?", "i", cid);
    rollup delta = {{0}};
    delta.v[RU_CHARGES] = -1;
    if (rc == CX_OK) rc = rollup_add(d, round_id, o->path, &delta);
    return store_finish(d, a, "charge.remove", "leader_charge", cid, o->id, json_take(charge_json(user_id, &t)), NULL, rc, e);
}

#define CHARGE_SQL                                                                                                    \
    "SELECT c.id, c.round_id, c.user_id, c.target_kind, c.target_id, c.org_id, CASE WHEN c.target_kind = 'member' THEN " \
    "(SELECT name FROM member WHERE id = c.target_id) ELSE o.name END AS tname, u.display_name, o.name, coalesce(m.level, 0) " \
    "FROM leader_charge c JOIN app_user u ON u.id = c.user_id JOIN org o ON o.id = c.org_id JOIN review_round rr ON rr.id = c.round_id " \
    "LEFT JOIN commentary m ON m.round_id = c.round_id AND m.user_id = c.user_id AND m.target_kind = c.target_kind AND m.target_id = c.target_id "

static int charge_rows(db_stmt *s, charge_fn fn, void *ctx)
{
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        charge_row c = {.id = db_col_i64(s, 0), .round_id = db_col_i64(s, 1), .user_id = db_col_i64(s, 2),
                        .org = !strcmp(db_col_text(s, 3), "org"), .target_id = db_col_i64(s, 4), .org_id = db_col_i64(s, 5),
                        .level = (int)db_col_i64(s, 9)};
        c.done = c.level > 0;
        copy_col(c.target_name, sizeof c.target_name, s, 6);
        copy_col(c.leader_name, sizeof c.leader_name, s, 7);
        copy_col(c.org_name, sizeof c.org_name, s, 8);
        if (fn(ctx, &c)) break;
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int charge_list_user(db *d, int64_t user_id, int64_t round_id, charge_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, CHARGE_SQL "WHERE c.user_id = ? AND ((? = 0 AND rr.status = 'open') OR c.round_id = ?) "
                                          "ORDER BY c.round_id DESC, o.path, c.target_kind DESC, tname, c.target_id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, user_id);
    db_bind_i64(s, 2, round_id);
    db_bind_i64(s, 3, round_id);
    return charge_rows(s, fn, ctx);
}

/* Starts q with head and the charges of root's subtree in the round (pending_only: nobody
 * assigned); end must outlive q. */
static void charge_org_q(db_q *q, const char *head, int64_t round_id, const org *root, bool pending_only, char end[CX_PATH_MAX])
{
    orgpath_end(root->path, end, CX_PATH_MAX);
    db_q_init(q, head);
    db_q_where(q, "c.round_id = ? AND o.path >= ? AND o.path < ?", "iss", round_id, root->path, end);
    if (pending_only) db_q_where(q, "m.id IS NULL", "");
}

int charge_count_org(db *d, int64_t round_id, const org *root, bool pending_only, int64_t *total)
{
    char end[CX_PATH_MAX];
    db_q q;
    charge_org_q(&q, "SELECT COUNT(*) FROM (" CHARGE_SQL, round_id, root, pending_only, end);
    db_q_add(&q, ") x", "");
    return db_q_count(d, &q, total);
}

int charge_list_org(db *d, int64_t round_id, const org *root, bool pending_only, int64_t offset, int64_t limit, charge_fn fn, void *ctx)
{
    char end[CX_PATH_MAX];
    db_q q;
    charge_org_q(&q, CHARGE_SQL, round_id, root, pending_only, end);
    db_stmt *s = page_stmt(d, &q, " ORDER BY o.path, c.target_kind DESC, tname, c.target_id", offset, limit);
    if (!s) return CX_ERR;
    return charge_rows(s, fn, ctx);
}

int charge_unassigned(db *d, int64_t round_id, const org *root, int64_t limit, int64_t *members, int64_t *orgs,
                      charge_fn fn, void *ctx)
{
    char end[CX_PATH_MAX];
    orgpath_end(root->path, end, sizeof end);
    static const char *const sql[2][2] = {
        {"SELECT count(*) FROM member x JOIN org o ON o.id = x.org_id WHERE x.active = 1 AND o.path >= ? AND o.path < ? AND NOT EXISTS "
         "(SELECT 1 FROM leader_charge c WHERE c.round_id = ? AND c.target_kind = 'member' AND c.target_id = x.id)",
         "SELECT x.id, x.name, o.id, o.name FROM member x JOIN org o ON o.id = x.org_id WHERE x.active = 1 AND o.path >= ? AND o.path < ? "
         "AND NOT EXISTS (SELECT 1 FROM leader_charge c WHERE c.round_id = ? AND c.target_kind = 'member' AND c.target_id = x.id) "
         "ORDER BY o.path, x.name, x.id LIMIT ?"},
        {"SELECT count(*) FROM org o WHERE o.active = 1 AND o.path >= ? AND o.path < ? AND NOT EXISTS "
         "(SELECT 1 FROM leader_charge c WHERE c.round_id = ? AND c.target_kind = 'org' AND c.target_id = o.id)",
         "SELECT o.id, o.name, o.id, o.name FROM org o WHERE o.active = 1 AND o.path >= ? AND o.path < ? "
         "AND NOT EXISTS (SELECT 1 FROM leader_charge c WHERE c.round_id = ? AND c.target_kind = 'org' AND c.target_id = o.id) "
         "ORDER BY o.path LIMIT ?"},
    };
    for (int k = 0; k < 2; k++) {
        int64_t *count = k ? orgs : members;
        db_stmt *s = db_prepare(d, sql[k][0]);
        if (!s) return CX_ERR;
        db_bind_text(s, 1, root->path);
        db_bind_text(s, 2, end);
        db_bind_i64(s, 3, round_id);
        int rc = db_step(s);
        *count = rc == DB_ROW ? db_col_i64(s, 0) : 0;
        db_done(s);
        if (rc != DB_ROW) return CX_ERR;
        if (!fn || !*count || limit <= 0) continue;
        s = db_prepare(d, sql[k][1]);
        if (!s) return CX_ERR;
        db_bind_text(s, 1, root->path);
        db_bind_text(s, 2, end);
        db_bind_i64(s, 3, round_id);
        db_bind_i64(s, 4, limit);
        while ((rc = db_step(s)) == DB_ROW) {
            charge_row c = {.round_id = round_id, .org = k == 1, .target_id = db_col_i64(s, 0), .org_id = db_col_i64(s, 2)};
            copy_col(c.target_name, sizeof c.target_name, s, 1);
            copy_col(c.org_name, sizeof c.org_name, s, 3);
            if (fn(ctx, &c)) break;
        }
        db_done(s);
        if (rc == CX_ERR) return CX_ERR;
    }
    return CX_OK;
}

int commentary_submit(db *d, const actor *a, int64_t round_id, int64_t user_id, const org *o, int64_t target_member,
                      const commentary_ok *in, bool *updated, cx_err *e)
{
    const char *ach = in->achievements, *pro = in->problems, *dir = in->direction;
    int64_t level = in->level;
    char *before = NULL;
    review_round rd;
    target t;
    int64_t cid = 0, mid = 0;
    int rc = begin_open_round(d, round_id, &rd, e);
    if (rc != CX_OK || (rc = load_target(d, &rd, o, target_member, &t, e)) != CX_OK) goto out;
    if (charge_find(d, round_id, user_id, &t, &cid) != CX_OK) {
        rc = db_fail(d, e);
        goto out;
    }
    if (!cid) {
        cx_fail(e, 403, "no_charge", "id", "您本轮没有联系“%s”，不能点评（请活动办公室先安排联系领导）", t.name);
        rc = refuse(d);
        goto out;
    }
    db_stmt *s = db_prepare(d, "SELECT id, level, achievements, problems, direction FROM commentary WHERE round_id = ? AND user_id = ? "
                               "AND target_kind = ? AND target_id = ?");
    rc = CX_ERR;
    if (s) {
        db_bind_i64(s, 1, round_id);
        db_bind_i64(s, 2, user_id);
        db_bind_text(s, 3, t.kind);
        db_bind_i64(s, 4, t.id);
        int st = db_step(s);
        if (st == DB_ROW) {
            mid = db_col_i64(s, 0);
            cJSON *b = cJSON_CreateObject();
            json_add_i64(b, "level", db_col_i64(s, 1));
            cJSON_AddStringToObject(b, "achievements", db_col_text(s, 2));
            cJSON_AddStringToObject(b, "problems", db_col_text(s, 3));
            cJSON_AddStringToObject(b, "direction", db_col_text(s, 4));
            before = json_take(b);
        }
        if (st != CX_ERR) rc = CX_OK;
        db_done(s);
    }
    int64_t now = now_unix();
    if (rc == CX_OK && mid)
        rc = db_run(d, "UPDATE commentary SET level = ?, achievements = ?, problems = ?, direction = ?, updated_at = ? WHERE id = ?", "isssii",
                    level, ach, pro, dir, now, mid);
    else if (rc == CX_OK) {
        rc = db_i64(d, &mid, 0, "INSERT INTO commentary (round_id, user_id, target_kind, target_id, org_id, level, achievements, problems, "
                                "direction, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
                    "iisiiisssii", round_id, user_id, t.kind, t.id, o->id, level, ach, pro, dir, now, now);
        rollup delta = {{0}};
        delta.v[RU_CHARGES_DONE] = 1;
        /* the first commentary on the target (by any leader) makes it commented: serialised per
         * target on PostgreSQL, where another leader's insert may be under way */
        int64_t others = 0;
        if (rc == CX_OK && db_kind_of(d) == DB_PG)
            rc = db_run(d, "SELECT pg_advisory_xact_lock(CAST(? AS INTEGER), CAST(? AS INTEGER))", "ii", (int64_t)12001,
                        (round_id * 1000003 + t.id * 2 + (strcmp(t.kind, "org") == 0)) % 2147483647);
        if (rc == CX_OK)
            rc = db_i64(d, &others, 0, "SELECT count(*) FROM commentary WHERE round_id = ? AND target_kind = ? AND target_id = ? AND id <> ?",
                        "isii", round_id, t.kind, t.id, mid);
        if (!others) delta.v[strcmp(t.kind, "org") ? RU_MEMBERS_COMMENTED : RU_ORGS_COMMENTED] = 1;
        if (rc == CX_OK) rc = rollup_add(d, round_id, o->path, &delta);
    }
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "target_kind", t.kind);
    json_add_i64(j, "target_id", t.id);
    json_add_i64(j, "level", level);
    cJSON_AddStringToObject(j, "achievements", ach);
    cJSON_AddStringToObject(j, "problems", pro);
    cJSON_AddStringToObject(j, "direction", dir);
    bool upd = before != NULL;
    rc = store_finish(d, a, upd ? "commentary.edit" : "commentary.add", "commentary", mid, o->id, before, json_take(j), rc, e);
    before = NULL;
    if (rc == CX_OK && updated) *updated = upd;
out:
    free(before);
    return rc;
}

int commentary_list(db *d, int64_t round_id, bool is_org, int64_t target_id, commentary_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT c.user_id, c.updated_at, c.level, u.display_name, c.achievements, c.problems, c.direction "
                               "FROM commentary c JOIN app_user u ON u.id = c.user_id WHERE c.round_id = ? AND c.target_kind = ? "
                               "AND c.target_id = ? ORDER BY c.created_at, c.id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, round_id);
    db_bind_text(s, 2, is_org ? "org" : "member");
    db_bind_i64(s, 3, target_id);
    int rc;
    commentary_row *c = xmalloc(sizeof *c);
    while ((rc = db_step(s)) == DB_ROW) {
        c->user_id = db_col_i64(s, 0);
        c->updated_at = db_col_i64(s, 1);
        c->level = (int)db_col_i64(s, 2);
        copy_col(c->leader_name, sizeof c->leader_name, s, 3);
        copy_col(c->achievements, sizeof c->achievements, s, 4);
        copy_col(c->problems, sizeof c->problems, s, 5);
        copy_col(c->direction, sizeof c->direction, s, 6);
        if (fn(ctx, c)) break;
    }
    free(c);
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}
