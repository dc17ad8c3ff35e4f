/* inspection.c: inspections (督查): plans, team, checklist, targets, the committed random draw,
 * findings with evidence and their rectification (see inspection.h). */
#include "inspection.h"
#include "draw.h"
#include "notify.h"
#include "period.h"
#include "rect.h"
#include "row.h"
#include "../domain/date.h"
#include "../domain/orgpath.h"
#include "../lib/json.h"
#include "../lib/media.h"
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define INSP_COLS                                                                                                    \
    "i.id, i.org_id, i.scope_org_id, i.draw_n, coalesce(i.commitment_id, 0), i.population, i.drawn_at, i.created_by, " \
    "i.row_version, i.created_at, i.kind, i.status, "                                                               \
    "(SELECT count(*) FROM inspection_target t WHERE t.inspection_id = i.id), "                                     \
    "(SELECT count(*) FROM inspection_finding f WHERE f.inspection_id = i.id AND f.level = 'problem'), "            \
    "(SELECT count(*) FROM inspection_finding f WHERE f.inspection_id = i.id AND f.level = 'problem' AND f.rect_id IS NULL), " \
    "i.title, i.start_date, i.end_date, i.population_types, i.population_sectors, i.seed, i.seed_hash, i.population_digest, " \
    "i.created_by_name, o.name, o.path, s.name, s.path, i.draw_of"
#define INSP_FROM " FROM inspection i JOIN org o ON o.id = i.org_id JOIN org s ON s.id = i.scope_org_id"

static void read_insp(db_stmt *s, void *out)
{
    inspection *x = out;
    int64_t *ids[] = {&x->id, &x->org_id, &x->scope_org_id, &x->draw_n, &x->commitment_id, &x->population, &x->drawn_at,
                      &x->created_by, &x->version, &x->created_at};
    for (int i = 0; i < 10; i++) *ids[i] = db_col_i64(s, i);
    int k = insp_kind_from_name(db_col_text(s, 10)), st = insp_status_from_name(db_col_text(s, 11));
    x->kind = k < 0 ? IK_REGULAR : (insp_kind)k;
    x->status = st < 0 ? IS_PLANNED : (insp_status)st;
    x->ntargets = db_col_i64(s, 12);
    x->nproblems = db_col_i64(s, 13);
    x->nunrectified = db_col_i64(s, 14);
    struct { char *dst; size_t cap; } t[] = {
        {x->title, sizeof x->title}, {x->start_date, sizeof x->start_date}, {x->end_date, sizeof x->end_date},
        {x->types, sizeof x->types}, {x->sectors, sizeof x->sectors}, {x->seed, sizeof x->seed}, {x->seed_hash, sizeof x->seed_hash},
        {x->digest, sizeof x->digest}, {x->created_by_name, sizeof x->created_by_name}, {x->org_name, sizeof x->org_name},
        {x->org_path, sizeof x->org_path}, {x->scope_name, sizeof x->scope_name}, {x->scope_path, sizeof x->scope_path}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) copy_col(t[i].dst, t[i].cap, s, 15 + (int)i);
    x->draw_members = !strcmp(db_col_text(s, 28), "member");
}

int inspection_get(db *d, int64_t id, inspection *x)
{
    return row_by_id(d, "SELECT " INSP_COLS INSP_FROM " WHERE i.id = ?", id, read_insp, x, sizeof *x);
}

int inspection_on_team(db *d, int64_t id, int64_t user_id)
{
    int64_t n = 0;
    if (db_i64(d, &n, 0, "SELECT count(*) FROM inspection_member WHERE inspection_id = ? AND user_id = ?", "ii", id, user_id) != CX_OK)
        return CX_ERR;
    return n > 0;
}

/* The next token of a list typed as "a, b、c" (commas, 、，, white space): 1 with tok, 0 at the end. */
static int next_token(const char **p, char *tok, size_t cap)
{
    const char *s = *p;
    for (;;) {
        size_t skip = strspn(s, ", \t\r\n;");
        if (!strncmp(s + skip, "、", 3) || !strncmp(s + skip, "，", 3)) skip += 3;
        if (!skip) break;
        s += skip;
    }
    if (!*s) return 0;
    size_t len = 0;
    while (s[len] && !strchr(", \t\r\n;", s[len]) && strncmp(s + len, "、", 3) && strncmp(s + len, "，", 3)) len++;
    snprintf(tok, cap, "%.*s", (int)len, s);
    *p = s + len;
    return 1;
}

/* Adds org_id (as typed in tok) as the next target of inspection id, within scope_path. */
static int add_target(db *d, int64_t id, const char *scope_path, const char *tok, int64_t *seq, cx_err *e)
{
    int64_t oid = 0;
    org o;
    if (str_to_i64(tok, &oid) != CX_OK || oid <= 0) return cx_fail(e, 422, "invalid_target", "targets", "督查对象应为组织编号：%.40s", tok);
    int f = org_get(d, oid, &o);
    if (f == CX_ERR) return db_fail(d, e);
    if (f == 0 || !o.active || !path_in_subtree(o.path, scope_path))
        return cx_fail(e, 422, "invalid_target", "targets", "第 %" PRId64 " 号组织不在本次督查的范围内或已停用", oid);
    int64_t tid = 0;
    if (db_i64(d, &tid, 0, "INSERT INTO inspection_target (inspection_id, seq, org_id, org_path) VALUES (?,?,?,?) ON CONFLICT DO NOTHING RETURNING id",
               "iiis", id, *seq + 1, oid, o.path) != CX_OK)
        return db_fail(d, e);
    if (tid) (*seq)++;
    return CX_OK;
}

static int add_targets(db *d, int64_t id, const char *scope_path, const char *list, int *added, cx_err *e)
{
    int64_t seq = 0;
    if (db_i64(d, &seq, 0, "SELECT coalesce(max(seq), 0) FROM inspection_target WHERE inspection_id = ?", "i", id) != CX_OK) return db_fail(d, e);
    int64_t seq0 = seq;
    char tok[64];
    for (const char *p = list ? list : ""; next_token(&p, tok, sizeof tok);)
        if (add_target(d, id, scope_path, tok, &seq, e) != CX_OK) return CX_ERR;
    if (added) *added = (int)(seq - seq0);
    return CX_OK;
}

static int add_team(db *d, int64_t id, const org *office, const char *team, int *n, cx_err *e)
{
    char end[CX_PATH_MAX], tok[64];
    orgpath_end(office->path, end, sizeof end);
    *n = 0;
    for (const char *p = team ? team : ""; next_token(&p, tok, sizeof tok);) {
        int64_t uid = 0;
        if (db_i64(d, &uid, 0, "SELECT u.id FROM app_user u WHERE u.username = ? AND u.active = 1 AND EXISTS (SELECT 1 FROM user_role r "
                               "JOIN org g ON g.id = r.org_id WHERE r.user_id = u.id AND r.role <> 'member' AND g.path >= ? AND g.path < ?)",
                   "sss", tok, office->path, end) != CX_OK)
            return db_fail(d, e);
        if (!uid) return cx_fail(e, 422, "invalid_team", "team", "“%.40s”不是%s及下级的工作人员账号（党员账号不能加入督查组）", tok, office->name);
        if (db_run(d, "INSERT INTO inspection_member (inspection_id, user_id) VALUES (?,?) ON CONFLICT DO NOTHING", "ii", id, uid) != CX_OK)
            return db_fail(d, e);
        (*n)++;
    }
    return CX_OK;
}

static int add_items(db *d, int64_t id, const char *std_items, const insp_ok *ok, int *n, cx_err *e)
{
    char tok[64];
    int seq = 0;
    for (const char *p = std_items ? std_items : ""; next_token(&p, tok, sizeof tok);) {
        int64_t sid = 0;
        char title[4 * INSP_ITEM_MAX + 1] = "";
        db_stmt *s = db_prepare(d, "SELECT title FROM standard_item WHERE id = ?");
        if (!s) return db_fail(d, e);
        bool found = false;
        if (str_to_i64(tok, &sid) == CX_OK && sid > 0) {
            db_bind_i64(s, 1, sid);
            if (db_step(s) == DB_ROW) found = true, copy_col(title, sizeof title, s, 0);
        }
        db_done(s);
        if (!found) return cx_fail(e, 422, "invalid_item", "standard_items", "没有编号为 %.40s 的标准条目", tok);
        if (seq >= INSP_ITEMS_MAX) return cx_fail(e, 400, "too_many_items", "items", "检查项目至多 %d 个", INSP_ITEMS_MAX);
        if (db_run(d, "INSERT INTO inspection_item (inspection_id, seq, standard_item_id, title) VALUES (?,?,?,?)", "iiis", id, ++seq, sid, title) != CX_OK)
            return db_fail(d, e);
    }
    for (int i = 0; i < ok->nitems; i++) {
        if (seq >= INSP_ITEMS_MAX) return cx_fail(e, 400, "too_many_items", "items", "检查项目至多 %d 个", INSP_ITEMS_MAX);
        if (db_run(d, "INSERT INTO inspection_item (inspection_id, seq, standard_item_id, title) VALUES (?,?,NULL,?)", "iis", id, ++seq, ok->items[i]) != CX_OK)
            return db_fail(d, e);
    }
    *n = seq;
    return CX_OK;
}

int inspection_create(db *d, const actor *a, const org *office, const insp_new *in, int64_t *id, cx_err *e)
{
    const insp_ok *ok = in->ok;
    if (ok->kind == IK_RANDOM && in->targets && strspn(in->targets, ", \t\r\n") < strlen(in->targets))
        return cx_fail(e, 422, "targets_drawn", "targets", "随机抽查的督查对象由随机抽取产生，不能手工指定");
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    org scope;
    int f = org_get(d, in->scope_org_id ? in->scope_org_id : office->id, &scope);
    if (f == CX_ERR) return db_fail(d, e);
    if (f == 0 || !scope.active || !path_in_subtree(scope.path, office->path)) {
        cx_fail(e, 404, "not_found", "scope_org_id", "督查范围应为%s或其下级的组织", office->name);
        return refuse(d);
    }
    int64_t now = now_unix(), iid = 0;
    if (db_i64(d, &iid, 0, "INSERT INTO inspection (org_id, scope_org_id, scope_path, kind, title, start_date, end_date, status, population_types, "
                           "population_sectors, draw_n, draw_of, created_by, created_by_name, created_at, updated_at) "
                           "VALUES (?,?,?,?,?,?,?,'planned',?,?,?,?,?,?,?,?) RETURNING id",
               "iisssssssisisii", office->id, scope.id, scope.path, insp_kind_name(ok->kind), ok->title, ok->start_date, ok->end_date, ok->types,
               ok->sectors, ok->kind == IK_RANDOM ? ok->draw_n : 0, ok->kind == IK_RANDOM && ok->draw_members ? "member" : "org",
               a ? a->user_id : 0, actor_shown(a), now, now) != CX_OK)
        return db_fail(d, e);
    int nteam = 0, nitems = 0, ntargets = 0;
    char hash[65] = "";
    int64_t cid = 0;
    if (add_team(d, iid, office, in->team, &nteam, e) != CX_OK || add_items(d, iid, in->standard_items, ok, &nitems, e) != CX_OK ||
        add_targets(d, iid, scope.path, in->targets, &ntargets, e) != CX_OK)
        return refuse(d);
    if (ok->kind == IK_RANDOM) {
        if (draw_commit_tx(d, a, "inspection", office->id, &cid, hash, e) != CX_OK) return refuse(d);
        if (db_run(d, "UPDATE inspection SET commitment_id = ?, seed_hash = ? WHERE id = ?", "isi", cid, hash, iid) != CX_OK) return db_fail(d, e);
    }
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "kind", insp_kind_name(ok->kind));
    cJSON_AddStringToObject(j, "title", ok->title);
    cJSON_AddStringToObject(j, "start_date", ok->start_date);
    cJSON_AddStringToObject(j, "end_date", ok->end_date);
    json_add_i64(j, "scope_org_id", scope.id);
    json_add_i64(j, "team", nteam);
    json_add_i64(j, "items", nitems);
    json_add_i64(j, "targets", ntargets);
    if (ok->kind == IK_RANDOM) {
        json_add_i64(j, "draw_n", ok->draw_n);
        cJSON_AddStringToObject(j, "draw_of", ok->draw_members ? "member" : "org");
        cJSON_AddStringToObject(j, "population_types", ok->types);
        cJSON_AddStringToObject(j, "population_sectors", ok->sectors);
        json_add_i64(j, "commitment_id", cid);
        cJSON_AddStringToObject(j, "seed_sha256", hash);
    }
    if (store_finish(d, a, "create", "inspection", iid, office->id, NULL, json_take(j), CX_OK, e) != CX_OK) return CX_ERR;
    if (id) *id = iid;
    return CX_OK;
}

/* Begins a write transaction with the inspection loaded (404 when missing). */
static int begin_load(db *d, int64_t id, inspection *x, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    int f = inspection_get(d, id, x);
    if (f == CX_ERR) return db_fail(d, e);
    if (f == 0) {
        cx_fail(e, 404, "not_found", "id", "督查不存在或不在您的管理范围内");
        return refuse(d);
    }
    return CX_OK;
}

/* begin_load, and the action allowed now (insp_decide). */
static int begin_insp(db *d, int64_t id, insp_action action, inspection *x, insp_status *next, cx_err *e)
{
    if (begin_load(d, id, x, e) != CX_OK) return CX_ERR;
    if (insp_decide(x->status, action, x->kind, x->drawn_at != 0, next, e) != CX_OK) return refuse(d);
    return CX_OK;
}

int inspection_act(db *d, const actor *a, int64_t id, insp_action action, int64_t version, cx_err *e)
{
    if (action != IA_START && action != IA_CLOSE) return cx_fail(e, 400, "invalid_action", "action", "不支持的操作");
    inspection *x = xmalloc(sizeof *x);
    insp_status next;
    int rc = begin_insp(d, id, action, x, &next, e);
    if (rc == CX_OK && version && version != x->version) {
        cx_fail(e, 409, "stale_version", "version", "督查已被他人修改（当前版本 %" PRId64 "），请刷新后重试", x->version);
        rc = refuse(d);
    }
    if (rc == CX_OK) {
        char *before = xasprintf("{\"status\":\"%s\"}", insp_status_name(x->status));
        char *after = xasprintf("{\"status\":\"%s\"}", insp_status_name(next));
        int64_t got = 0; /* as read: a start or close of another request committed since is not done twice */
        rc = db_i64(d, &got, 0, "UPDATE inspection SET status = ?, row_version = row_version + 1, updated_at = ? WHERE id = ? AND row_version = ? RETURNING id",
                    "siii", insp_status_name(next), now_unix(), id, x->version);
        if (rc == CX_OK && !got) {
            free(before), free(after), free(x);
            cx_fail(e, 409, "stale_version", "version", "督查刚被他人修改（可能是重复提交），请刷新后重试");
            return refuse(d);
        }
        rc = store_finish(d, a, action == IA_START ? "start" : "close", "inspection", id, x->org_id, before, after, rc, e);
    }
    free(x);
    return rc;
}

int inspection_add_targets(db *d, const actor *a, int64_t id, const char *targets, cx_err *e)
{
    inspection *x = xmalloc(sizeof *x);
    int added = 0, rc = begin_load(d, id, x, e);
    if (rc == CX_OK && x->kind == IK_RANDOM) {
        cx_fail(e, 422, "targets_drawn", "targets", "随机抽查的督查对象由随机抽取产生，不能手工指定");
        rc = refuse(d);
    } else if (rc == CX_OK && x->status == IS_CLOSED) {
        cx_fail(e, 409, "invalid_transition", "status", "督查已经结束，不能再增加督查对象");
        rc = refuse(d);
    } else if (rc == CX_OK && (!targets || strspn(targets, ", \t\r\n") == strlen(targets))) {
        cx_fail(e, 400, "required", "targets", "请选择要督查的组织");
        rc = refuse(d);
    }
    if (rc == CX_OK && add_targets(d, id, x->scope_path, targets, &added, e) != CX_OK) rc = refuse(d);
    if (rc == CX_OK) {
        rc = db_run(d, "UPDATE inspection SET row_version = row_version + 1, updated_at = ? WHERE id = ?", "ii", now_unix(), id);
        rc = store_finish(d, a, "targets", "inspection", id, x->org_id, NULL, xasprintf("{\"added\":%d}", added), rc, e);
    }
    free(x);
    return rc;
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

/* The population of x's draw: the ids (as text) of the active organisations of the scope of the
 * stated types and sectors — for a draw of members, of the active members (正式 and 预备党员) of
 * those organisations — in canonical order, and their digest. */
static int population(db *d, const inspection *x, char ***out, size_t *np, char digest[65])
{
    char end[CX_PATH_MAX];
    orgpath_end(x->scope_path, end, sizeof end);
    db_stmt *s = db_prepare(d, x->draw_members ? "SELECT m.id, o.type, o.sector FROM member m JOIN org o ON o.id = m.org_id "
                                                 "WHERE o.path >= ? AND o.path < ? AND o.active = 1 AND m.active = 1"
                                               : "SELECT id, type, sector FROM org WHERE path >= ? AND path < ? AND active = 1");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, x->scope_path);
    db_bind_text(s, 2, end);
    char **v = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        if (!insp_csv_has(x->types, db_col_text(s, 1)) || !insp_csv_has(x->sectors, db_col_text(s, 2))) continue;
        if (n == cap) cap = cap ? cap * 2 : 64, v = xrealloc(v, cap * sizeof *v);
        v[n++] = xasprintf("%" PRId64, db_col_i64(s, 0));
    }
    db_done(s);
    if (rc == CX_ERR) {
        free_list(v, n);
        return CX_ERR;
    }
    draw_list_canonical(v, &n);
    draw_list_digest(v, n, digest);
    *out = v;
    *np = n;
    return CX_OK;
}

int inspection_draw(db *d, const actor *a, int64_t id, cx_err *e)
{
    inspection *x = xmalloc(sizeof *x);
    if (begin_insp(d, id, IA_DRAW, x, NULL, e) != CX_OK) {
        free(x);
        return CX_ERR;
    }
    char **v = NULL, digest[65], seed[2 * DRAW_SEED_BYTES + 1], hash[65], cid_text[24];
    size_t pop = 0;
    int64_t cid = 0;
    uint32_t *pick = NULL;
    int rc = population(d, x, &v, &pop, digest) == CX_OK ? CX_OK : db_fail(d, e);
    if (rc == CX_OK && (size_t)x->draw_n > pop) {
        bool m = x->draw_members;
        cx_fail(e, 422, "population_too_small", "draw_n", "要抽取 %" PRId64 " %s，但范围内符合条件的%s只有 %zu %s", x->draw_n, m ? "名党员" : "个组织",
                m ? "党员" : "组织", pop, m ? "名" : "个");
        rc = refuse(d);
    }
    snprintf(cid_text, sizeof cid_text, "%" PRId64, x->commitment_id);
    if (rc == CX_OK && draw_commitment_take(d, x->commitment_id ? cid_text : "", "inspection", x->scope_path, &cid, seed, hash, e) != CX_OK)
        rc = refuse(d);
    if (rc == CX_OK) {
        pick = xmalloc((size_t)x->draw_n * sizeof *pick);
        draw_committed(seed, digest, (uint32_t)pop, (uint32_t)x->draw_n, pick);
        for (int64_t i = 0; rc == CX_OK && i < x->draw_n; i++) {
            int64_t oid = 0;
            str_to_i64(v[pick[i]], &oid);
            rc = db_run(d, x->draw_members ? "INSERT INTO inspection_target (inspection_id, seq, org_id, org_path, member_id) "
                                             "SELECT ?, ?, o.id, o.path, m.id FROM member m JOIN org o ON o.id = m.org_id WHERE m.id = ?"
                                           : "INSERT INTO inspection_target (inspection_id, seq, org_id, org_path) SELECT ?, ?, id, path FROM org WHERE id = ?",
                        "iii", id, i + 1, oid);
        }
        db_stmt *s = rc == CX_OK ? db_prepare(d, "UPDATE inspection SET seed = ?, population = ?, population_digest = ?, drawn_at = ?, "
                                                 "row_version = row_version + 1, updated_at = ? WHERE id = ? AND drawn_at = 0")
                                 : NULL;
        int64_t changed = 0;
        if (s) {
            int64_t now = now_unix();
            db_bind_text(s, 1, seed);
            db_bind_i64(s, 2, (int64_t)pop);
            db_bind_text(s, 3, digest);
            db_bind_i64(s, 4, now);
            db_bind_i64(s, 5, now);
            db_bind_i64(s, 6, id);
            rc = db_step(s) == DB_DONE ? CX_OK : CX_ERR;
            changed = rc == CX_OK ? db_changes(s) : 0;
            db_done(s);
        } else rc = CX_ERR;
        if (rc != CX_OK) rc = db_fail(d, e);
        else if (!changed) {
            cx_fail(e, 409, "already_drawn", "id", "本次抽查已经抽取过，每次抽查只能抽取一次");
            rc = refuse(d);
        }
    }
    if (rc == CX_OK) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "method", DRAW_METHOD);
        cJSON_AddStringToObject(j, "draw_of", x->draw_members ? "member" : "org");
        json_add_i64(j, "commitment_id", cid);
        cJSON_AddStringToObject(j, "seed_sha256", hash);
        cJSON_AddStringToObject(j, "seed", seed);
        json_add_i64(j, "population", (int64_t)pop);
        cJSON_AddStringToObject(j, "population_digest", digest);
        cJSON *t = cJSON_AddArrayToObject(j, "drawn");
        for (int64_t i = 0; i < x->draw_n; i++) cJSON_AddItemToArray(t, cJSON_CreateString(v[pick[i]]));
        rc = store_finish(d, a, "draw", "inspection", id, x->org_id, NULL, json_take(j), CX_OK, e);
    }
    free(pick);
    free_list(v, pop);
    free(x);
    return rc;
}

int inspection_list(db *d, const org *o, inspection_fn fn, void *ctx)
{
    char end[CX_PATH_MAX];
    orgpath_end(o->path, end, sizeof end);
    db_stmt *s = db_prepare(d, "SELECT " INSP_COLS INSP_FROM " WHERE (o.path >= ? AND o.path < ?) OR substr(?, 1, length(s.path)) = s.path "
                               "ORDER BY i.id DESC LIMIT 500");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, o->path);
    db_bind_text(s, 2, end);
    db_bind_text(s, 3, o->path);
    return DB_EACH(s, inspection, read_insp, fn, ctx);
}

static void read_target(db_stmt *s, void *out)
{
    insp_target *t = out;
    t->id = db_col_i64(s, 0);
    t->seq = db_col_i64(s, 1);
    t->org_id = db_col_i64(s, 2);
    t->nfindings = db_col_i64(s, 3);
    t->nproblems = db_col_i64(s, 4);
    copy_col(t->org_name, sizeof t->org_name, s, 5);
    copy_col(t->org_path, sizeof t->org_path, s, 6);
    copy_col(t->org_type, sizeof t->org_type, s, 7);
    copy_col(t->org_sector, sizeof t->org_sector, s, 8);
    t->member_id = db_col_i64(s, 9);
    copy_col(t->member_name, sizeof t->member_name, s, 10);
}

int inspection_targets(db *d, int64_t id, int (*fn)(void *ctx, const insp_target *t), void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT t.id, t.seq, t.org_id, (SELECT count(*) FROM inspection_finding f WHERE f.target_id = t.id), "
                               "(SELECT count(*) FROM inspection_finding f WHERE f.target_id = t.id AND f.level = 'problem'), "
                               "o.name, o.path, o.type, o.sector, coalesce(t.member_id, 0), coalesce(m.name, '') FROM inspection_target t "
                               "JOIN org o ON o.id = t.org_id LEFT JOIN member m ON m.id = t.member_id WHERE t.inspection_id = ? ORDER BY t.seq");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    return DB_EACH(s, insp_target, read_target, fn, ctx);
}

typedef struct inspects_ctx {
    const principal *p;
    int mask;
    bool yes;
} inspects_ctx;

static int inspects_one(void *ctx, const insp_target *t)
{
    inspects_ctx *c = ctx;
    c->yes = perm_allows(c->p, c->mask, t->org_path);
    return c->yes;
}

int inspection_inspects(db *d, int64_t id, const principal *p, int mask)
{
    inspects_ctx c = {p, mask, false};
    if (inspection_targets(d, id, inspects_one, &c) != CX_OK) return CX_ERR;
    return c.yes;
}

static void read_item(db_stmt *s, void *out)
{
    insp_item *t = out;
    t->id = db_col_i64(s, 0);
    t->seq = db_col_i64(s, 1);
    t->standard_item_id = db_col_i64(s, 2);
    copy_col(t->title, sizeof t->title, s, 3);
}

int inspection_items(db *d, int64_t id, int (*fn)(void *ctx, const insp_item *t), void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT id, seq, coalesce(standard_item_id, 0), title FROM inspection_item WHERE inspection_id = ? ORDER BY seq");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    return DB_EACH(s, insp_item, read_item, fn, ctx);
}

static void read_member(db_stmt *s, void *out)
{
    insp_member *m = out;
    m->user_id = db_col_i64(s, 0);
    copy_col(m->username, sizeof m->username, s, 1);
    copy_col(m->display_name, sizeof m->display_name, s, 2);
}

int inspection_team(db *d, int64_t id, int (*fn)(void *ctx, const insp_member *m), void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT u.id, u.username, u.display_name FROM inspection_member m JOIN app_user u ON u.id = m.user_id "
                               "WHERE m.inspection_id = ? ORDER BY u.username");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    return DB_EACH(s, insp_member, read_member, fn, ctx);
}

/* ---- findings ---- */

#define FINDING_COLS                                                                                                 \
    "f.id, f.inspection_id, f.target_id, f.org_id, coalesce(f.item_id, 0), coalesce(f.rect_id, 0), f.created_by, f.created_at, " \
    "(SELECT count(*) FROM finding_file x WHERE x.finding_id = f.id), f.level, f.text, f.found_on, f.created_by_name, "  \
    "coalesce(r.status, ''), o.name, o.path, coalesce(it.title, ''), i.title, io.path, coalesce(t.member_id, 0), coalesce(m.name, '')"
#define FINDING_FROM                                                                                                 \
    " FROM inspection_finding f JOIN org o ON o.id = f.org_id JOIN inspection i ON i.id = f.inspection_id "            \
    "JOIN org io ON io.id = i.org_id LEFT JOIN inspection_item it ON it.id = f.item_id LEFT JOIN rectification r ON r.id = f.rect_id " \
    "JOIN inspection_target t ON t.id = f.target_id LEFT JOIN member m ON m.id = t.member_id"

static void read_finding(db_stmt *s, void *out)
{
    finding *f = out;
    int64_t *ids[] = {&f->id, &f->inspection_id, &f->target_id, &f->org_id, &f->item_id, &f->rect_id, &f->created_by, &f->created_at, &f->nfiles};
    for (int i = 0; i < 9; i++) *ids[i] = db_col_i64(s, i);
    f->problem = !strcmp(db_col_text(s, 9), "problem");
    struct { char *dst; size_t cap; } t[] = {
        {f->text, sizeof f->text}, {f->found_on, sizeof f->found_on}, {f->created_by_name, sizeof f->created_by_name},
        {f->rect_status, sizeof f->rect_status}, {f->org_name, sizeof f->org_name}, {f->org_path, sizeof f->org_path},
        {f->item_title, sizeof f->item_title}, {f->inspection_title, sizeof f->inspection_title}, {f->office_path, sizeof f->office_path}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) copy_col(t[i].dst, t[i].cap, s, 10 + (int)i);
    f->member_id = db_col_i64(s, 19);
    copy_col(f->member_name, sizeof f->member_name, s, 20);
}

int finding_get(db *d, int64_t id, finding *f)
{
    return row_by_id(d, "SELECT " FINDING_COLS FINDING_FROM " WHERE f.id = ?", id, read_finding, f, sizeof *f);
}

#define FINDING_FILE_INSERT "INSERT INTO finding_file (finding_id, mime, name, size, data, author, created_at) VALUES (?,?,?,?,?,?,?)"

static period one_counter(int col, int64_t v)
{
    period p;
    memset(&p, 0, sizeof p);
    p.v[col] = v;
    return p;
}

int finding_add(db *d, const actor *a, int64_t inspection_id, int64_t org_id, int64_t member_id, int64_t item_id, const finding_ok *in,
                const evidence_in *files, int nfiles, int64_t *id, cx_err *e)
{
    const char *mimes[EVIDENCE_MAX_FILES];
    if (nfiles && evidence_check(files, nfiles, mimes, e) != CX_OK) return CX_ERR;
    inspection *x = xmalloc(sizeof *x);
    int rc = begin_insp(d, inspection_id, IA_FINDING, x, NULL, e);
    int64_t tid = 0, fid = 0, n = 0;
    char path[CX_PATH_MAX] = "";
    if (rc == CX_OK) {
        db_stmt *s = db_prepare(d, "SELECT t.id, o.path, o.id FROM inspection_target t JOIN org o ON o.id = t.org_id WHERE t.inspection_id = ? "
                                   "AND (t.org_id = ? OR ? = 0) AND coalesce(t.member_id, 0) = ?");
        if (!s) rc = db_fail(d, e);
        else {
            db_bind_i64(s, 1, inspection_id);
            db_bind_i64(s, 2, org_id);
            db_bind_i64(s, 3, member_id ? org_id : 1); /* "the member's organisation" only with a member */
            db_bind_i64(s, 4, member_id);
            if (db_step(s) == DB_ROW) tid = db_col_i64(s, 0), copy_col(path, sizeof path, s, 1), org_id = db_col_i64(s, 2);
            db_done(s);
            if (!tid) {
                cx_fail(e, 422, "not_target", member_id ? "member_id" : "org_id", "%s不是本次督查的对象，不能记录发现的情况",
                        member_id ? "该党员" : "该组织");
                rc = refuse(d);
            }
        }
    }
    if (rc == CX_OK && item_id) {
        if (db_i64(d, &n, 0, "SELECT count(*) FROM inspection_item WHERE id = ? AND inspection_id = ?", "ii", item_id, inspection_id) != CX_OK)
            rc = db_fail(d, e);
        else if (!n) {
            cx_fail(e, 422, "invalid_item", "item_id", "所选检查项目不属于本次督查");
            rc = refuse(d);
        }
    }
    if (rc == CX_OK && db_i64(d, &fid, 0, "INSERT INTO inspection_finding (inspection_id, target_id, org_id, org_path, item_id, level, text, found_on, "
                                          "created_by, created_by_name, created_at) VALUES (?,?,?,?,NULLIF(?, 0),?,?,?,?,?,?) RETURNING id",
                              "iiisisssisi", inspection_id, tid, org_id, path, item_id,
                              in->problem ? "problem" : "ok", in->text, in->found_on, a ? a->user_id : 0, actor_shown(a), now_unix()) != CX_OK)
        rc = db_fail(d, e);
    cJSON *j = cJSON_CreateObject();
    if (rc == CX_OK) {
        json_add_i64(j, "inspection_id", inspection_id);
        json_add_i64(j, "org_id", org_id);
        if (member_id) json_add_i64(j, "member_id", member_id);
        if (item_id) json_add_i64(j, "item_id", item_id);
        cJSON_AddStringToObject(j, "level", in->problem ? "problem" : "ok");
        cJSON_AddStringToObject(j, "text", in->text);
        cJSON_AddStringToObject(j, "found_on", in->found_on);
        rc = attachment_store(d, a, FINDING_FILE_INSERT, fid, files, mimes, nfiles, "佐证", cJSON_AddArrayToObject(j, "files"));
        if (rc == CX_OK && in->problem) {
            period one = one_counter(PR_FINDINGS, 1);
            rc = period_add(d, period_quarter(in->found_on), path, &one);
        }
        rc = store_finish(d, a, "create", "inspection_finding", fid, org_id, NULL, json_take(j), rc, e);
        j = NULL;
    }
    cJSON_Delete(j);
    free(x);
    if (rc == CX_OK && id) *id = fid;
    return rc;
}

int finding_add_files(db *d, const actor *a, int64_t id, const evidence_in *files, int nfiles, cx_err *e)
{
    if (nfiles < 1) return cx_fail(e, 400, "required", "evidence", "请选择要上传的佐证文件（JPEG、PNG 图片或 PDF）");
    const char *mimes[EVIDENCE_MAX_FILES];
    if (evidence_check(files, nfiles, mimes, e) != CX_OK) return CX_ERR;
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    finding *f = xmalloc(sizeof *f);
    int got = finding_get(d, id, f), rc = CX_OK;
    if (got != 1) rc = got == CX_ERR ? db_fail(d, e) : (cx_fail(e, 404, "not_found", "id", "督查发现的情况不存在"), refuse(d));
    if (rc == CX_OK && f->nfiles + nfiles > FINDING_FILES_MAX) {
        cx_fail(e, 400, "too_many_files", "evidence", "每条发现的情况最多 %d 个佐证文件（已有 %" PRId64 " 个）", FINDING_FILES_MAX, f->nfiles);
        rc = refuse(d);
    }
    if (rc == CX_OK) {
        cJSON *j = cJSON_CreateObject();
        rc = attachment_store(d, a, FINDING_FILE_INSERT, id, files, mimes, nfiles, "佐证", cJSON_AddArrayToObject(j, "files"));
        rc = store_finish(d, a, "evidence", "inspection_finding", id, f->org_id, NULL, json_take(j), rc, e);
    }
    free(f);
    return rc;
}

int finding_files(db *d, int64_t id, attachment_fn fn, void *ctx)
{
    return attachment_list(d, "SELECT id, size, name, mime, author FROM finding_file WHERE finding_id = ? ORDER BY id", id, fn, ctx);
}

int finding_file_owner(db *d, int64_t file_id, int64_t *finding_id)
{
    return db_i64(d, finding_id, 0, "SELECT finding_id FROM finding_file WHERE id = ?", "i", file_id) != CX_OK ? CX_ERR : *finding_id != 0;
}

int finding_file_get(db *d, int64_t file_id, buf *out, char mime[32], char name[128])
{
    return attachment_get(d, "SELECT mime, name, data FROM finding_file WHERE id = ?", file_id, out, mime, name, NULL);
}

int finding_rectify(db *d, const actor *a, int64_t id, const rect_new_ok *in, int64_t *rect_id, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    finding *f = xmalloc(sizeof *f);
    int got = finding_get(d, id, f), rc = CX_OK;
    if (got != 1) rc = got == CX_ERR ? db_fail(d, e) : (cx_fail(e, 404, "not_found", "id", "督查发现的情况不存在"), refuse(d));
    else if (!f->problem) {
        cx_fail(e, 409, "not_problem", "id", "这条记录为“符合要求”，不需要整改");
        rc = refuse(d);
    } else if (f->rect_id) {
        cx_fail(e, 409, "already_rectified", "id", "这个问题已经转为第 %" PRId64 " 号整改事项", f->rect_id);
        rc = refuse(d);
    }
    if (rc == CX_OK) {
        char notice[1200];
        snprintf(notice, sizeof notice, "督查发现的问题已转为整改事项：%s%s%s", f->org_name, f->member_id ? " 党员" : "", f->member_name);
        rc = rect_from_record(d, a, "inspection_finding", id, f->org_id, f->org_path, in, notice, "这个问题", rect_id, e);
    }
    free(f);
    return rc;
}

int finding_list(db *d, const finding_query *q, finding_fn fn, void *ctx)
{
    char end[CX_PATH_MAX];
    db_q sq;
    db_q_init(&sq, "SELECT " FINDING_COLS FINDING_FROM);
    if (q->inspection_id) db_q_where(&sq, "f.inspection_id = ?", "i", q->inspection_id);
    else {
        orgpath_end(q->root->path, end, sizeof end);
        db_q_where(&sq, "o.path >= ? AND o.path < ?", "ss", q->root->path, end);
    }
    if (q->open_only) db_q_where(&sq, "f.level = 'problem' AND (r.status IS NULL OR r.status <> ?)", "s", "verified");
    db_stmt *s = page_stmt(d, &sq, q->inspection_id ? " ORDER BY f.id" : " ORDER BY f.found_on DESC, f.id DESC", 0, q->limit);
    if (!s) return CX_ERR;
    return DB_EACH(s, finding, read_finding, fn, ctx);
}

int finding_unrectified_count(db *d, int64_t user_id, int64_t *n)
{
    return db_i64(d, n, 0, "SELECT count(*) FROM inspection_finding f JOIN inspection i ON i.id = f.inspection_id JOIN org io ON io.id = i.org_id "
                           "WHERE f.level = 'problem' AND f.rect_id IS NULL AND (EXISTS (SELECT 1 FROM inspection_member m WHERE "
                           "m.inspection_id = i.id AND m.user_id = ?) OR EXISTS (SELECT 1 FROM user_role ur JOIN org g ON g.id = ur.org_id "
                           "WHERE ur.user_id = ? AND ur.role = 'office' AND substr(io.path, 1, length(g.path)) = g.path))",
                  "ii", user_id, user_id);
}

int finding_rect_moved(db *d, int64_t rect_id, int old_status, int new_status)
{
    bool was = old_status == RS_VERIFIED, is = new_status == RS_VERIFIED;
    if (was == is) return CX_OK;
    db_stmt *s = db_prepare(d, "SELECT f.found_on, o.path FROM inspection_finding f JOIN org o ON o.id = f.org_id WHERE f.rect_id = ? AND f.level = 'problem'");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, rect_id);
    char found_on[11] = "", path[CX_PATH_MAX] = "";
    int rc = db_step(s);
    if (rc == DB_ROW) copy_col(found_on, sizeof found_on, s, 0), copy_col(path, sizeof path, s, 1);
    db_done(s);
    if (rc == CX_ERR) return CX_ERR;
    if (rc != DB_ROW) return CX_OK; /* not an inspection's item */
    period one = one_counter(PR_FINDINGS_CLOSED, is ? 1 : -1);
    return period_add(d, period_quarter(found_on), path, &one);
}
