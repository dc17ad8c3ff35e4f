/* contest.c: 三比 contests, their setup, judges' scores and the frozen result (see contest.h). */
#include "contest.h"
#include "row.h"
#include "../domain/orgpath.h"
#include "../lib/json.h"
#include "../lib/buf.h"
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define CONTEST_COLS                                                                                                          \
    "c.id, c.org_id, c.created_at, c.closed_at, c.published_at, c.row_version, c.year, c.drop_n, "                             \
    "(SELECT count(*) FROM contest_judge j WHERE j.contest_id = c.id), "                                                     \
    "(SELECT count(*) FROM contest_judge j WHERE j.contest_id = c.id AND j.submitted_at > 0), "                              \
    "(SELECT count(*) FROM contest_item i WHERE i.contest_id = c.id), "                                                      \
    "(SELECT count(*) FROM contest_entrant e WHERE e.contest_id = c.id), "                                                   \
    "(SELECT coalesce(sum(i.weight), 0) FROM contest_item i WHERE i.contest_id = c.id), "                                    \
    "c.kind, c.entrant_kind, c.status, c.kind_name, c.title, c.created_by_name, o.name, c.org_path, c.method"
#define CONTEST_FROM " FROM contest c JOIN org o ON o.id = c.org_id"

static void read_contest(db_stmt *s, void *out)
{
    contest *c = out;
    int64_t *v[] = {&c->id, &c->org_id, &c->created_at, &c->closed_at, &c->published_at, &c->version};
    for (int i = 0; i < 6; i++) *v[i] = db_col_i64(s, i);
    int *w[] = {&c->year, &c->drop, &c->njudges, &c->nsubmitted, &c->nitems, &c->nentrants, &c->weight_sum};
    for (int i = 0; i < 7; i++) *w[i] = (int)db_col_i64(s, 6 + i);
    int k = contest_kind_from_name(db_col_text(s, 13)), ek = contest_entrant_kind_from_name(db_col_text(s, 14)),
        st = contest_status_from_name(db_col_text(s, 15));
    c->kind = k < 0 ? CK_CUSTOM : (contest_kind)k;
    c->entrant_kind = ek < 0 ? CE_MEMBER : (contest_entrant_kind)ek;
    c->status = st < 0 ? CS_DRAFT : (contest_status)st;
    copy_col(c->kind_name, sizeof c->kind_name, s, 16);
    copy_col(c->title, sizeof c->title, s, 17);
    copy_col(c->created_by_name, sizeof c->created_by_name, s, 18);
    copy_col(c->org_name, sizeof c->org_name, s, 19);
    copy_col(c->org_path, sizeof c->org_path, s, 20);
    copy_col(c->method, sizeof c->method, s, 21);
}

int contest_get(db *d, int64_t id, contest *c)
{
    return row_by_id(d, "SELECT " CONTEST_COLS CONTEST_FROM " WHERE c.id = ?", id, read_contest, c, sizeof *c);
}

int contest_list(db *d, const char *path, int (*fn)(void *ctx, const contest *c), void *ctx)
{
    char end[CX_PATH_MAX];
    orgpath_end(path, end, sizeof end);
    db_stmt *s = db_prepare(d, "SELECT " CONTEST_COLS CONTEST_FROM " WHERE (c.org_path >= ? AND c.org_path < ?) OR ? LIKE c.org_path || '%' "
                               "ORDER BY c.id DESC LIMIT 200");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, path);
    db_bind_text(s, 2, end);
    db_bind_text(s, 3, path);
    return DB_EACH(s, contest, read_contest, fn, ctx);
}

static int list_judged(db *d, int64_t user_id, bool todo, int (*fn)(void *ctx, const contest *c), void *ctx)
{
    db_stmt *s = db_prepare(d, todo ? "SELECT " CONTEST_COLS CONTEST_FROM " JOIN contest_judge cj ON cj.contest_id = c.id WHERE cj.user_id = ? "
                                      "AND cj.submitted_at = 0 AND c.status = 'open' ORDER BY c.id DESC LIMIT 200"
                                    : "SELECT " CONTEST_COLS CONTEST_FROM " JOIN contest_judge cj ON cj.contest_id = c.id WHERE cj.user_id = ? "
                                      "ORDER BY c.id DESC LIMIT 200");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, user_id);
    return DB_EACH(s, contest, read_contest, fn, ctx);
}
int contest_list_judged(db *d, int64_t user_id, int (*fn)(void *ctx, const contest *c), void *ctx) { return list_judged(d, user_id, false, fn, ctx); }
int contest_list_to_score(db *d, int64_t user_id, int (*fn)(void *ctx, const contest *c), void *ctx) { return list_judged(d, user_id, true, fn, ctx); }

int contest_create(db *d, const actor *a, const org *office, const contest_ok *ok, int64_t *id, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    int64_t now = now_unix(), cid = 0;
    if (db_i64(d, &cid, 0, "INSERT INTO contest (org_id, org_path, kind, kind_name, title, year, entrant_kind, drop_n, created_by, "
                           "created_by_name, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
               "issssisiisii", office->id, office->path, contest_kind_name(ok->kind), ok->kind_name, ok->title, (int64_t)ok->year,
               contest_entrant_kind_name(ok->entrant_kind), (int64_t)ok->drop, a ? a->user_id : 0, actor_shown(a), now, now) != CX_OK)
        return db_fail(d, e);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "kind", contest_kind_name(ok->kind));
    cJSON_AddStringToObject(j, "kind_name", ok->kind_name);
    cJSON_AddStringToObject(j, "title", ok->title);
    json_add_i64(j, "year", ok->year);
    cJSON_AddStringToObject(j, "entrant_kind", contest_entrant_kind_name(ok->entrant_kind));
    json_add_i64(j, "drop", ok->drop);
    if (store_finish(d, a, "create", "contest", cid, office->id, NULL, json_take(j), CX_OK, e) != CX_OK) return CX_ERR;
    if (id) *id = cid;
    return CX_OK;
}

/* Begins a write and reads contest id into c, locking its row (a no-op update), when its status is
 * want: CX_OK; otherwise rolls back with e (404, or 409 code). */
static int begin_at(db *d, int64_t id, contest_status want, const char *code, const char *msg, contest *c, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    int64_t got = 0;
    if (db_i64(d, &got, 0, "UPDATE contest SET row_version = row_version WHERE id = ? AND status = ? RETURNING id", "is", id,
               contest_status_name(want)) != CX_OK)
        return db_fail(d, e);
    int f = contest_get(d, id, c);
    if (f == CX_ERR) return db_fail(d, e);
    if (f == 0) {
        cx_fail(e, 404, "not_found", "id", "竞赛不存在");
        return refuse(d);
    }
    if (!got) {
        cx_fail(e, 409, code, "status", "%s（当前状态：%s）", msg, contest_status_label(c->status));
        return refuse(d);
    }
    return CX_OK;
}
#define BEGIN_DRAFT(d, id, c, e) begin_at((d), (id), CS_DRAFT, "not_draft", "竞赛已开始评分，不能再修改评分项目、参赛对象和评委", (c), (e))

static int touch(db *d, int64_t id)
{
    return db_run(d, "UPDATE contest SET row_version = row_version + 1, updated_at = ? WHERE id = ?", "ii", now_unix(), id);
}

int contest_item_add(db *d, const actor *a, int64_t id, const char *name, int weight, int max_score, cx_err *e)
{
    contest c;
    if (BEGIN_DRAFT(d, id, &c, e) != CX_OK) return CX_ERR;
    if (c.nitems >= CONTEST_ITEMS_MAX) {
        cx_fail(e, 422, "too_many_items", "name", "一项竞赛至多 %d 个评分项目", CONTEST_ITEMS_MAX);
        return refuse(d);
    }
    if (c.weight_sum + weight > 100) {
        cx_fail(e, 422, "invalid_weights", "weight", "各项权重合计不能超过 100（已有 %d，本项 %d）", c.weight_sum, weight);
        return refuse(d);
    }
    int64_t iid = 0;
    if (db_i64(d, &iid, 0, "INSERT INTO contest_item (contest_id, seq, name, weight, max_score) VALUES (?,?,?,?,?) RETURNING id", "iisii", id,
               (int64_t)c.nitems + 1, name, (int64_t)weight, (int64_t)max_score) != CX_OK ||
        touch(d, id) != CX_OK)
        return db_fail(d, e);
    char *after = xasprintf("{\"item_id\":%" PRId64 ",\"weight\":%d,\"max_score\":%d}", iid, weight, max_score);
    return store_finish(d, a, "add_item", "contest", id, c.org_id, NULL, after, CX_OK, e);
}

/* The first judge of contest id (only user_id when not 0) who is, or belongs to, an entrant:
 * 1 with their names, 0 none, CX_ERR. */
static int conflict(db *d, int64_t id, int64_t user_id, char judge[64], char entrant[256])
{
    db_stmt *s = db_prepare(d,
        "SELECT j.name, e.name FROM contest_judge j JOIN app_user u ON u.id = j.user_id JOIN contest_entrant e ON e.contest_id = j.contest_id "
        "WHERE j.contest_id = ? AND (? = 0 OR j.user_id = ?) AND ((e.kind = 'member' AND e.ref_id = u.member_id) OR (e.kind <> 'member' AND ("
        "EXISTS (SELECT 1 FROM member m JOIN org mo ON mo.id = m.org_id WHERE m.id = u.member_id AND substr(mo.path, 1, length(e.org_path)) = e.org_path) "
        "OR EXISTS (SELECT 1 FROM user_role g JOIN org go ON go.id = g.org_id WHERE g.user_id = u.id AND substr(go.path, 1, length(e.org_path)) = e.org_path)))) "
        "ORDER BY e.id LIMIT 1");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    db_bind_i64(s, 2, user_id);
    db_bind_i64(s, 3, user_id);
    int rc = db_step(s), f = 0;
    if (rc == DB_ROW) {
        copy_col(judge, 64, s, 0);
        copy_col(entrant, 256, s, 1);
        f = 1;
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : f;
}

static int refuse_conflict(db *d, int64_t id, int64_t user_id, const char *field, cx_err *e)
{
    char j[64], en[256];
    int f = conflict(d, id, user_id, j, en);
    if (f == CX_ERR) return db_fail(d, e);
    if (f == 0) return CX_OK;
    cx_fail(e, 422, "conflict_of_interest", field, "评委“%s”是参赛对象“%s”本人或所在组织的成员，应当回避，不能担任本竞赛的评委", j, en);
    return refuse(d);
}

/* Adds the entrant ref of contest c: 1 added, 0 already there, 2 not found / outside (e filled), CX_ERR. */
static int add_entrant(db *d, const contest *c, int64_t ref)
{
    static const char *const sql[CE_COUNT] = {
        [CE_MEMBER] = "SELECT m.id, m.name, o.id, o.path FROM member m JOIN org o ON o.id = m.org_id WHERE m.id = ? AND m.active = 1",
        [CE_ORG] = "SELECT o.id, o.name, o.id, o.path FROM org o WHERE o.id = ? AND o.active = 1",
        [CE_WINDOW] = "SELECT w.id, w.name, o.id, o.path FROM service_window w JOIN org o ON o.id = w.org_id WHERE w.id = ? AND w.kind = 'window' AND w.active = 1",
    };
    db_stmt *s = db_prepare(d, sql[c->entrant_kind]);
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, ref);
    int rc = db_step(s);
    char name[256] = "", path[CX_PATH_MAX] = "";
    int64_t org_id = 0;
    if (rc == DB_ROW) {
        copy_col(name, sizeof name, s, 1);
        org_id = db_col_i64(s, 2);
        copy_col(path, sizeof path, s, 3);
    }
    db_done(s);
    if (rc == CX_ERR) return CX_ERR;
    if (rc != DB_ROW || !path_in_subtree(path, c->org_path)) return 2;
    int64_t had = 0;
    if (db_i64(d, &had, 0, "SELECT count(*) FROM contest_entrant WHERE contest_id = ? AND kind = ? AND ref_id = ?", "isi", c->id,
               contest_entrant_kind_name(c->entrant_kind), ref) != CX_OK)
        return CX_ERR;
    if (had) return 0;
    if (db_run(d, "INSERT INTO contest_entrant (contest_id, kind, ref_id, name, org_id, org_path) VALUES (?,?,?,?,?,?)", "isisis", c->id,
               contest_entrant_kind_name(c->entrant_kind), ref, name, org_id, path) != CX_OK)
        return CX_ERR;
    return 1;
}

int contest_entrants_add(db *d, const actor *a, int64_t id, const char *ids, int *added, cx_err *e)
{
    contest c;
    if (BEGIN_DRAFT(d, id, &c, e) != CX_OK) return CX_ERR;
    int n = 0, seen = 0;
    for (const char *p = ids ? ids : ""; *p;) {
        p += strspn(p, ", \t\r\n，、；;");
        if (!*p) break;
        size_t len = strcspn(p, ", \t\r\n，、；;");
        char tok[24];
        snprintf(tok, sizeof tok, "%.*s", (int)(len < 23 ? len : 23), p);
        p += len;
        int64_t ref = 0;
        seen++;
        int f = len < sizeof tok && str_to_i64(tok, &ref) == CX_OK && ref > 0 ? add_entrant(d, &c, ref) : 2; /* a longer token is no id */
        if (f == CX_ERR) return db_fail(d, e);
        if (f == 2) {
            cx_fail(e, 422, "invalid_entrant", "ids", "编号“%s”不是%s范围内在册的%s", tok, c.org_name, contest_entrant_kind_label(c.entrant_kind));
            return refuse(d);
        }
        n += f;
        if (c.nentrants + n > CONTEST_ENTRANTS_MAX) {
            cx_fail(e, 422, "too_many_entrants", "ids", "一项竞赛至多 %d 个参赛对象", CONTEST_ENTRANTS_MAX);
            return refuse(d);
        }
    }
    if (!seen) {
        cx_fail(e, 422, "invalid_entrant", "ids", "请填写参赛对象的编号（多个用逗号或换行分隔）");
        return refuse(d);
    }
    if (refuse_conflict(d, id, 0, "ids", e) != CX_OK) return CX_ERR;
    if (touch(d, id) != CX_OK) return db_fail(d, e);
    if (added) *added = n;
    char *after = xasprintf("{\"added\":%d,\"kind\":\"%s\"}", n, contest_entrant_kind_name(c.entrant_kind));
    return store_finish(d, a, "add_entrants", "contest", id, c.org_id, NULL, after, CX_OK, e);
}

/* The entrants of contest c named name in its office's subtree: up to 5 ids into ids, *n how many
 * (6: more than five). */
static int entrants_named(db *d, const contest *c, const char *name, int64_t ids[6], int *n)
{
    static const char *const sql[CE_COUNT] = {
        [CE_MEMBER] = "SELECT m.id FROM org o JOIN member m ON m.org_id = o.id WHERE o.path >= ? AND o.path < ? AND m.active = 1 AND m.name = ? "
                      "ORDER BY m.id LIMIT 6",
        [CE_ORG] = "SELECT o.id FROM org o WHERE o.path >= ? AND o.path < ? AND o.active = 1 AND o.name = ? ORDER BY o.id LIMIT 6",
        [CE_WINDOW] = "SELECT w.id FROM org o JOIN service_window w ON w.org_id = o.id WHERE o.path >= ? AND o.path < ? AND w.kind = 'window' "
                      "AND w.active = 1 AND w.name = ? ORDER BY w.id LIMIT 6",
    };
    char end[CX_PATH_MAX];
    orgpath_end(c->org_path, end, sizeof end);
    db_stmt *s = db_prepare(d, sql[c->entrant_kind]);
    if (!s) return CX_ERR;
    db_bind_text(s, 1, c->org_path);
    db_bind_text(s, 2, end);
    db_bind_text(s, 3, name);
    int rc;
    *n = 0;
    while ((rc = db_step(s)) == DB_ROW) ids[(*n)++] = db_col_i64(s, 0);
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int contest_entrants_import(db *d, const actor *a, int64_t id, const contest_sheet_row *rows, int nrows, int *added, cx_err *e)
{
    contest c;
    if (BEGIN_DRAFT(d, id, &c, e) != CX_OK) return CX_ERR;
    buf bad;
    buf_init(&bad);
    int n = 0, nbad = 0;
    const char *what = contest_entrant_kind_label(c.entrant_kind);
    for (int i = 0; i < nrows; i++) {
        const char *t = rows[i].text;
        int64_t ref = 0, ids[6];
        int f, found = 0;
        if (str_to_i64(t, &ref) == CX_OK && ref > 0) f = add_entrant(d, &c, ref); /* an id */
        else if (entrants_named(d, &c, t, ids, &found) != CX_OK) f = CX_ERR;
        else f = found == 1 ? add_entrant(d, &c, ids[0]) : 3;
        if (f == CX_ERR) return buf_free(&bad), db_fail(d, e);
        if (f == 0 || f == 1) {
            n += f;
            continue;
        }
        if (++nbad > 3) continue; /* the first three named (a message holds 512 bytes), the rest counted */
        buf_printf(&bad, "%s第 %zu 行：", nbad > 1 ? "；" : "", rows[i].row);
        if (f == 2) buf_printf(&bad, "编号“%s”不是%s范围内在册的%s", t, c.org_name, what);
        else if (found == 0) buf_printf(&bad, "“%s”不是%s范围内在册的%s", t, c.org_name, what);
        else {
            buf_printf(&bad, "“%s”在%s范围内有%s %d 个同名的%s（编号", t, c.org_name, found > 5 ? "超过" : "", found > 5 ? 5 : found, what);
            for (int k = 0; k < found && k < 5; k++) buf_printf(&bad, "%s%" PRId64, k ? "、" : " ", ids[k]);
            buf_printf(&bad, "），请改填编号");
        }
    }
    if (nbad) {
        cx_fail(e, 422, "invalid_entrant", "file", "名单有 %d 行无法对应，未添加任何参赛对象。%s%s", nbad, bad.p, nbad > 3 ? "；……" : "");
        buf_free(&bad);
        return refuse(d);
    }
    buf_free(&bad);
    if (c.nentrants + n > CONTEST_ENTRANTS_MAX) {
        cx_fail(e, 422, "too_many_entrants", "file", "一项竞赛至多 %d 个参赛对象", CONTEST_ENTRANTS_MAX);
        return refuse(d);
    }
    if (refuse_conflict(d, id, 0, "file", e) != CX_OK) return CX_ERR;
    if (touch(d, id) != CX_OK) return db_fail(d, e);
    if (added) *added = n;
    char *after = xasprintf("{\"added\":%d,\"kind\":\"%s\",\"rows\":%d,\"source\":\"sheet\"}", n, contest_entrant_kind_name(c.entrant_kind), nrows);
    return store_finish(d, a, "add_entrants", "contest", id, c.org_id, NULL, after, CX_OK, e);
}

int contest_judge_refused(cx_err *e, const char *office)
{
    return cx_fail(e, 422, "invalid_judge", "user_id", "评委应为%s及其下级或上级组织在用的工作人员账号（办公室、书记、领导干部或纪检），没有符合的账号",
                   office);
}

int contest_judge_add(db *d, const actor *a, int64_t id, int64_t user_id, cx_err *e)
{
    contest c;
    if (BEGIN_DRAFT(d, id, &c, e) != CX_OK) return CX_ERR;
    /* a judge works in the office's area: a staff role at an organisation of its subtree, or at one
     * above it (who supervises it); a judge of a neighbouring town would see the entrants' names */
    char end[CX_PATH_MAX];
    orgpath_end(c.org_path, end, sizeof end);
    db_stmt *s = db_prepare(d, "SELECT u.display_name, u.username FROM app_user u WHERE u.id = ? AND u.active = 1 AND EXISTS "
                               "(SELECT 1 FROM user_role g JOIN org go ON go.id = g.org_id WHERE g.user_id = u.id AND g.role <> 'member' AND "
                               "((go.path >= ? AND go.path < ?) OR substr(?, 1, length(go.path)) = go.path))");
    if (!s) return db_fail(d, e);
    db_bind_i64(s, 1, user_id);
    db_bind_text(s, 2, c.org_path);
    db_bind_text(s, 3, end);
    db_bind_text(s, 4, c.org_path);
    char name[64] = "", uname[64] = "";
    int rc = db_step(s);
    if (rc == DB_ROW) copy_col(name, sizeof name, s, 0), copy_col(uname, sizeof uname, s, 1);
    db_done(s);
    if (rc == CX_ERR) return db_fail(d, e);
    if (rc != DB_ROW) { /* one message for no such account, a member's, a stopped one and one outside the area */
        contest_judge_refused(e, c.org_name);
        return refuse(d);
    }
    contest_judge had;
    int f = contest_judge_get(d, id, user_id, &had);
    if (f == CX_ERR) return db_fail(d, e);
    if (f == 1) {
        cx_fail(e, 409, "already_judge", "user_id", "“%s”已是本竞赛的评委", name[0] ? name : uname);
        return refuse(d);
    }
    if (c.njudges >= CONTEST_JUDGES_MAX) {
        cx_fail(e, 422, "too_many_judges", "user_id", "一项竞赛至多 %d 位评委", CONTEST_JUDGES_MAX);
        return refuse(d);
    }
    if (db_run(d, "INSERT INTO contest_judge (contest_id, user_id, name) VALUES (?,?,?)", "iis", id, user_id, name[0] ? name : uname) != CX_OK)
        return db_fail(d, e);
    if (refuse_conflict(d, id, user_id, "user_id", e) != CX_OK) return CX_ERR;
    if (touch(d, id) != CX_OK) return db_fail(d, e);
    char *after = xasprintf("{\"judge_user_id\":%" PRId64 "}", user_id);
    return store_finish(d, a, "add_judge", "contest", id, c.org_id, NULL, after, CX_OK, e);
}

static int set_status(db *d, const actor *a, const contest *c, contest_status to, const char *action, cx_err *e)
{
    int64_t now = now_unix();
    if (db_run(d, "UPDATE contest SET status = ?, row_version = row_version + 1, updated_at = ?, closed_at = CASE WHEN ? = 'closed' THEN ? "
                  "ELSE closed_at END WHERE id = ?",
               "sisii", contest_status_name(to), now, contest_status_name(to), now, c->id) != CX_OK)
        return db_fail(d, e);
    char *before = xasprintf("{\"status\":\"%s\"}", contest_status_name(c->status));
    char *after = xasprintf("{\"status\":\"%s\",\"judges\":%d,\"submitted\":%d}", contest_status_name(to), c->njudges, c->nsubmitted);
    return store_finish(d, a, action, "contest", c->id, c->org_id, before, after, CX_OK, e);
}

int contest_open(db *d, const actor *a, int64_t id, cx_err *e)
{
    contest c;
    if (begin_at(d, id, CS_DRAFT, "not_draft", "只有筹备中的竞赛可以开始评分", &c, e) != CX_OK) return CX_ERR;
    if (!c.nitems || c.weight_sum != 100) {
        cx_fail(e, 422, "invalid_weights", "weight", "各评分项目的权重合计应为 100（现为 %d）", c.weight_sum);
        return refuse(d);
    }
    if (c.nentrants < 2) {
        cx_fail(e, 422, "too_few_entrants", "ids", "至少需要 2 个参赛对象（现有 %d 个）", c.nentrants);
        return refuse(d);
    }
    if (c.njudges < CONTEST_JUDGES_MIN) {
        cx_fail(e, 422, "too_few_judges", "user_id", "至少需要 %d 位评委才能开始评分（现有 %d 位）", CONTEST_JUDGES_MIN, c.njudges);
        return refuse(d);
    }
    return set_status(d, a, &c, CS_OPEN, "open", e);
}

int contest_close(db *d, const actor *a, int64_t id, cx_err *e)
{
    contest c;
    if (begin_at(d, id, CS_OPEN, "not_open", "只有评分中的竞赛可以结束评分", &c, e) != CX_OK) return CX_ERR;
    if (!c.nsubmitted) {
        cx_fail(e, 409, "no_submissions", "status", "还没有评委提交评分，不能结束评分");
        return refuse(d);
    }
    return set_status(d, a, &c, CS_CLOSED, "close", e);
}

/* ---- lists ---- */

static void read_item(db_stmt *s, void *out)
{
    contest_item *x = out;
    x->id = db_col_i64(s, 0);
    x->seq = (int)db_col_i64(s, 1);
    x->weight = (int)db_col_i64(s, 2);
    x->max_score = (int)db_col_i64(s, 3);
    copy_col(x->name, sizeof x->name, s, 4);
}
int contest_items(db *d, int64_t id, int (*fn)(void *ctx, const contest_item *it), void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT id, seq, weight, max_score, name FROM contest_item WHERE contest_id = ? ORDER BY seq");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    return DB_EACH(s, contest_item, read_item, fn, ctx);
}

static void read_entrant(db_stmt *s, void *out)
{
    contest_entrant *x = out;
    x->id = db_col_i64(s, 0);
    x->ref_id = db_col_i64(s, 1);
    x->org_id = db_col_i64(s, 2);
    int k = contest_entrant_kind_from_name(db_col_text(s, 3));
    x->kind = k < 0 ? CE_MEMBER : (contest_entrant_kind)k;
    copy_col(x->name, sizeof x->name, s, 4);
    copy_col(x->org_name, sizeof x->org_name, s, 5);
    copy_col(x->org_path, sizeof x->org_path, s, 6);
}
#define ENTRANT_COLS "e.id, e.ref_id, e.org_id, e.kind, e.name, o.name, e.org_path"
static void read_entrant_now(db_stmt *s, void *out)
{
    read_entrant(s, out);
    ((contest_entrant *)out)->moved = db_col_i64(s, 7) != 0;
}
int contest_entrants(db *d, int64_t id, int (*fn)(void *ctx, const contest_entrant *e), void *ctx)
{
    /* an entrant stays once entered; moved: where it is now lies outside the office's subtree */
    db_stmt *s = db_prepare(d, "SELECT " ENTRANT_COLS ", CASE WHEN substr(coalesce(CASE e.kind "
                               "WHEN 'member' THEN (SELECT mo.path FROM member m JOIN org mo ON mo.id = m.org_id WHERE m.id = e.ref_id) "
                               "WHEN 'window' THEN (SELECT wo.path FROM service_window w JOIN org wo ON wo.id = w.org_id WHERE w.id = e.ref_id) "
                               "ELSE (SELECT p.path FROM org p WHERE p.id = e.ref_id) END, ''), 1, length(c.org_path)) = c.org_path THEN 0 ELSE 1 END "
                               "FROM contest_entrant e JOIN org o ON o.id = e.org_id JOIN contest c ON c.id = e.contest_id WHERE e.contest_id = ? ORDER BY e.id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    return DB_EACH(s, contest_entrant, read_entrant_now, fn, ctx);
}

static void read_judge(db_stmt *s, void *out)
{
    contest_judge *x = out;
    x->user_id = db_col_i64(s, 0);
    x->submitted_at = db_col_i64(s, 1);
    copy_col(x->name, sizeof x->name, s, 2);
    copy_col(x->username, sizeof x->username, s, 3);
    x->stopped = db_col_i64(s, 4) != 0;
}
#define JUDGE_SQL                                                                                                              \
    "SELECT j.user_id, j.submitted_at, j.name, u.username, CASE WHEN u.active = 1 AND u.locked = 0 THEN 0 ELSE 1 END "          \
    "FROM contest_judge j JOIN app_user u ON u.id = j.user_id WHERE j.contest_id = ?"
int contest_judges(db *d, int64_t id, int (*fn)(void *ctx, const contest_judge *j), void *ctx)
{
    db_stmt *s = db_prepare(d, JUDGE_SQL " ORDER BY j.user_id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    return DB_EACH(s, contest_judge, read_judge, fn, ctx);
}

int contest_judge_get(db *d, int64_t id, int64_t user_id, contest_judge *j)
{
    memset(j, 0, sizeof *j);
    db_stmt *s = db_prepare(d, JUDGE_SQL " AND j.user_id = ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    db_bind_i64(s, 2, user_id);
    int rc = db_step(s);
    if (rc == DB_ROW) read_judge(s, j);
    db_done(s);
    return rc == CX_ERR ? CX_ERR : rc == DB_ROW;
}

static void read_cell(db_stmt *s, void *out)
{
    contest_cell *x = out;
    x->entrant_id = db_col_i64(s, 0);
    x->item_id = db_col_i64(s, 1);
    x->score = db_col_i64(s, 2);
}
int contest_my_scores(db *d, int64_t id, int64_t user_id, int (*fn)(void *ctx, const contest_cell *c), void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT entrant_id, item_id, score FROM contest_score WHERE contest_id = ? AND user_id = ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    db_bind_i64(s, 2, user_id);
    return DB_EACH(s, contest_cell, read_cell, fn, ctx);
}

int contest_scores_save(db *d, const actor *a, int64_t id, int64_t user_id, const contest_cell *cells, int n, bool final, cx_err *e)
{
    contest c;
    if (begin_at(d, id, CS_OPEN, "not_open", "竞赛不在评分中，不能评分", &c, e) != CX_OK) return CX_ERR;
    int64_t mine = 0;
    if (db_i64(d, &mine, -1, "SELECT submitted_at FROM contest_judge WHERE contest_id = ? AND user_id = ?", "ii", id, user_id) != CX_OK)
        return db_fail(d, e);
    if (mine < 0) {
        cx_fail(e, 404, "not_found", "id", "竞赛不存在或您不是本竞赛的评委");
        return refuse(d);
    }
    if (mine > 0) {
        cx_fail(e, 409, "already_submitted", "submit", "您已提交评分，不能再修改");
        return refuse(d);
    }
    int64_t now = now_unix();
    for (int i = 0; i < n; i++) {
        int64_t max = 0, ok = 0;
        if (db_i64(d, &max, 0, "SELECT max_score FROM contest_item WHERE id = ? AND contest_id = ?", "ii", cells[i].item_id, id) != CX_OK ||
            db_i64(d, &ok, 0, "SELECT count(*) FROM contest_entrant WHERE id = ? AND contest_id = ?", "ii", cells[i].entrant_id, id) != CX_OK)
            return db_fail(d, e);
        if (!max) {
            cx_fail(e, 422, "invalid_item", "item_id", "评分项目 %" PRId64 " 不属于本竞赛", cells[i].item_id);
            return refuse(d);
        }
        if (!ok) {
            cx_fail(e, 422, "invalid_entrant", "entrant_id", "参赛对象 %" PRId64 " 不属于本竞赛", cells[i].entrant_id);
            return refuse(d);
        }
        if (cells[i].score == CONTEST_CELL_CLEAR) { /* cleared: no longer scored */
            if (db_run(d, "DELETE FROM contest_score WHERE contest_id = ? AND user_id = ? AND entrant_id = ? AND item_id = ?", "iiii", id, user_id,
                       cells[i].entrant_id, cells[i].item_id) != CX_OK)
                return db_fail(d, e);
            continue;
        }
        if (cells[i].score < 0 || cells[i].score > max * 100) {
            cx_fail(e, 422, "invalid_score", "score", "分数应为 0–%" PRId64 "", max);
            return refuse(d);
        }
        if (db_run(d, "INSERT INTO contest_score (contest_id, user_id, entrant_id, item_id, score, updated_at) VALUES (?,?,?,?,?,?) "
                      "ON CONFLICT (contest_id, user_id, entrant_id, item_id) DO UPDATE SET score = excluded.score, updated_at = excluded.updated_at",
                   "iiiiii", id, user_id, cells[i].entrant_id, cells[i].item_id, cells[i].score, now) != CX_OK)
            return db_fail(d, e);
    }
    if (final) {
        int64_t have = 0;
        if (db_i64(d, &have, 0, "SELECT count(*) FROM contest_score WHERE contest_id = ? AND user_id = ?", "ii", id, user_id) != CX_OK)
            return db_fail(d, e);
        if (have < (int64_t)c.nitems * c.nentrants) {
            cx_fail(e, 422, "incomplete", "submit", "还有 %" PRId64 " 项未评分：每个参赛对象的每个评分项目都评分后才能提交",
                    (int64_t)c.nitems * c.nentrants - have);
            return refuse(d);
        }
        int64_t done = 0;
        if (db_i64(d, &done, 0, "UPDATE contest_judge SET submitted_at = ? WHERE contest_id = ? AND user_id = ? AND submitted_at = 0 RETURNING 1",
                   "iii", now, id, user_id) != CX_OK)
            return db_fail(d, e);
        if (!done) {
            cx_fail(e, 409, "already_submitted", "submit", "您已提交评分，不能再修改");
            return refuse(d);
        }
    }
    char *after = xasprintf("{\"judge_user_id\":%" PRId64 ",\"cells\":%d,\"final\":%s}", user_id, n, final ? "true" : "false");
    return store_finish(d, a, final ? "submit_scores" : "save_scores", "contest", id, c.org_id, NULL, after, CX_OK, e);
}

/* ---- the result ---- */

typedef struct grow {
    void *p;
    int n, cap;
    size_t size;
} grow;
static void *grow_add(grow *g)
{
    if (g->n == g->cap) {
        g->cap = g->cap ? 2 * g->cap : 16;
        g->p = xrealloc(g->p, (size_t)g->cap * g->size);
    }
    return (char *)g->p + (size_t)g->n++ * g->size;
}
static int take_item(void *ctx, const contest_item *it) { return *(contest_item *)grow_add(ctx) = *it, 0; }
static int take_entrant(void *ctx, const contest_entrant *en) { return *(contest_entrant *)grow_add(ctx) = *en, 0; }

static int cmp_rows(const void *a, const void *b)
{
    const contest_result_row *x = a, *y = b;
    if (x->line.rank != y->line.rank) return x->line.rank - y->line.rank;
    return x->e.id < y->e.id ? -1 : x->e.id > y->e.id;
}

int contest_compute(db *d, const contest *c, contest_result *out)
{
    memset(out, 0, sizeof *out);
    grow items = {.size = sizeof(contest_item)}, ens = {.size = sizeof(contest_entrant)};
    if (contest_items(d, c->id, take_item, &items) != CX_OK || contest_entrants(d, c->id, take_entrant, &ens) != CX_OK) {
        free(items.p), free(ens.p);
        return CX_ERR;
    }
    int ni = items.n, ne = ens.n;
    contest_item *it = items.p;
    contest_entrant *en = ens.p;
    /* the submitted judges, then every score of theirs into a judge × entrant × item table */
    int64_t *judges = NULL;
    int nj = 0, capj = 0;
    db_stmt *s = db_prepare(d, "SELECT user_id FROM contest_judge WHERE contest_id = ? AND submitted_at > 0 ORDER BY user_id");
    if (!s) return free(it), free(en), CX_ERR;
    db_bind_i64(s, 1, c->id);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        if (nj == capj) capj = capj ? 2 * capj : 8, judges = xrealloc(judges, (size_t)capj * sizeof *judges);
        judges[nj++] = db_col_i64(s, 0);
    }
    db_done(s);
    size_t cells = (size_t)(nj ? nj : 1) * (size_t)(ne ? ne : 1) * (size_t)(ni ? ni : 1);
    int64_t *sc = xcalloc(cells, sizeof *sc);
    s = rc == CX_ERR ? NULL : db_prepare(d, "SELECT s.user_id, s.entrant_id, s.item_id, s.score FROM contest_score s JOIN contest_judge j ON "
                                            "j.contest_id = s.contest_id AND j.user_id = s.user_id WHERE s.contest_id = ? AND j.submitted_at > 0");
    if (!s) return free(it), free(en), free(judges), free(sc), CX_ERR;
    db_bind_i64(s, 1, c->id);
    while ((rc = db_step(s)) == DB_ROW) {
        int64_t u = db_col_i64(s, 0), eid = db_col_i64(s, 1), iid = db_col_i64(s, 2);
        int a = -1, b = -1, k = -1;
        for (int x = 0; x < nj && a < 0; x++) if (judges[x] == u) a = x;
        for (int x = 0; x < ne && b < 0; x++) if (en[x].id == eid) b = x;
        for (int x = 0; x < ni && k < 0; x++) if (it[x].id == iid) k = x;
        if (a >= 0 && b >= 0 && k >= 0) sc[((size_t)a * ne + b) * ni + k] = db_col_i64(s, 3);
    }
    db_done(s);
    if (rc == CX_ERR) return free(it), free(en), free(judges), free(sc), CX_ERR;
    contest_item_w *w = xcalloc((size_t)(ni ? ni : 1), sizeof *w);
    for (int k = 0; k < ni; k++) w[k].weight = it[k].weight, w[k].max_score = it[k].max_score;
    out->rows = xcalloc((size_t)(ne ? ne : 1), sizeof *out->rows);
    contest_line *lines = xcalloc((size_t)(ne ? ne : 1), sizeof *lines);
    int64_t *tot = xcalloc((size_t)(nj ? nj : 1), sizeof *tot), *best = xcalloc((size_t)(nj ? nj : 1), sizeof *best);
    for (int b = 0; b < ne; b++) {
        for (int a = 0; a < nj; a++) tot[a] = contest_weighted(w, ni, &sc[((size_t)a * ne + b) * ni], &best[a]);
        contest_line_make(tot, best, nj, c->drop, &lines[b]);
        for (int a = 0; a < nj && a < CONTEST_JUDGES_MAX; a++) out->rows[b].totals[a] = tot[a];
    }
    contest_rank(lines, ne);
    for (int b = 0; b < ne; b++) out->rows[b].e = en[b], out->rows[b].line = lines[b];
    qsort(out->rows, (size_t)ne, sizeof *out->rows, cmp_rows);
    out->n = ne;
    out->njudges = nj;
    contest_method_text(c->drop, nj, out->method, sizeof out->method);
    free(it), free(en), free(judges), free(sc), free(w), free(lines), free(tot), free(best);
    return CX_OK;
}

int contest_published(db *d, const contest *c, contest_result *out)
{
    memset(out, 0, sizeof *out);
    db_stmt *s = db_prepare(d, "SELECT " ENTRANT_COLS ", r.rank, r.score, r.mean, r.best, r.judges, r.trimmed FROM contest_result r "
                               "JOIN contest_entrant e ON e.id = r.entrant_id JOIN org o ON o.id = e.org_id WHERE r.contest_id = ? ORDER BY r.rank, e.id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, c->id);
    grow g = {.size = sizeof(contest_result_row)};
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        contest_result_row *r = grow_add(&g);
        memset(r, 0, sizeof *r);
        read_entrant(s, &r->e);
        r->line.rank = (int)db_col_i64(s, 7);
        r->line.score = db_col_i64(s, 8);
        r->line.mean = db_col_i64(s, 9);
        r->line.best = db_col_i64(s, 10);
        r->line.judges = (int)db_col_i64(s, 11);
        r->line.trimmed = db_col_i64(s, 12) != 0;
    }
    db_done(s);
    out->rows = g.p;
    out->n = g.n;
    out->njudges = g.n ? out->rows[0].line.judges : 0;
    snprintf(out->method, sizeof out->method, "%s", c->method);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

void contest_result_free(contest_result *r)
{
    free(r->rows);
    r->rows = NULL;
    r->n = 0;
}

/* The result as audit JSON: [[entrant_id, rank, score], …]. */
static char *result_json(const contest_result *r)
{
    cJSON *j = cJSON_CreateArray();
    for (int i = 0; i < r->n; i++) {
        cJSON *x = cJSON_CreateArray();
        cJSON_AddItemToArray(x, cJSON_CreateNumber((double)r->rows[i].e.id));
        cJSON_AddItemToArray(x, cJSON_CreateNumber(r->rows[i].line.rank));
        cJSON_AddItemToArray(x, cJSON_CreateNumber((double)r->rows[i].line.score));
        cJSON_AddItemToArray(j, x);
    }
    return json_take(j);
}

int contest_publish(db *d, const actor *a, int64_t id, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    int64_t got = 0;
    if (db_i64(d, &got, 0, "UPDATE contest SET row_version = row_version WHERE id = ? AND status IN ('closed','published') RETURNING id", "i", id) != CX_OK)
        return db_fail(d, e);
    contest c;
    int f = contest_get(d, id, &c);
    if (f == CX_ERR) return db_fail(d, e);
    if (f == 0) {
        cx_fail(e, 404, "not_found", "id", "竞赛不存在");
        return refuse(d);
    }
    if (!got) {
        cx_fail(e, 409, "not_closed", "status", "评分结束后才能公布结果（当前状态：%s）", contest_status_label(c.status));
        return refuse(d);
    }
    contest_result now, was = {0};
    if (contest_compute(d, &c, &now) != CX_OK) return db_fail(d, e);
    if (c.status == CS_PUBLISHED && contest_published(d, &c, &was) != CX_OK) return contest_result_free(&now), db_fail(d, e);
    char *before = c.status == CS_PUBLISHED ? result_json(&was) : NULL;
    contest_result_free(&was);
    int rc = db_run(d, "DELETE FROM contest_result WHERE contest_id = ?", "i", id);
    for (int i = 0; rc == CX_OK && i < now.n; i++) {
        const contest_line *l = &now.rows[i].line;
        rc = db_run(d, "INSERT INTO contest_result (contest_id, entrant_id, rank, score, mean, best, judges, trimmed) VALUES (?,?,?,?,?,?,?,?)",
                    "iiiiiiii", id, now.rows[i].e.id, (int64_t)l->rank, l->score, l->mean, l->best, (int64_t)l->judges, (int64_t)l->trimmed);
    }
    int64_t ts = now_unix();
    if (rc == CX_OK)
        rc = db_run(d, "UPDATE contest SET status = 'published', method = ?, published_at = ?, row_version = row_version + 1, updated_at = ? WHERE id = ?",
                    "siii", now.method, ts, ts, id);
    char *after = result_json(&now);
    contest_result_free(&now);
    if (rc != CX_OK) return free(before), free(after), db_fail(d, e);
    return store_finish(d, a, c.status == CS_PUBLISHED ? "republish" : "publish", "contest", id, c.org_id, before, after, CX_OK, e);
}

typedef struct rc_ctx {
    db *d;
    FILE *out;
    int64_t diffs;
    int failed;
} rc_ctx;

static int recount_one(void *ctx, const contest *c)
{
    rc_ctx *x = ctx;
    if (c->status != CS_PUBLISHED) return 0;
    contest_result now, was;
    if (contest_compute(x->d, c, &now) != CX_OK) return x->failed = 1;
    if (contest_published(x->d, c, &was) != CX_OK) return contest_result_free(&now), x->failed = 1;
    for (int i = 0; i < now.n; i++) {
        const contest_result_row *r = &now.rows[i], *p = NULL;
        for (int k = 0; k < was.n && !p; k++)
            if (was.rows[k].e.id == r->e.id) p = &was.rows[k];
        char a[24], b[24];
        contest_score_text(r->line.score, a);
        if (!p) {
            fprintf(x->out, "竞赛 %" PRId64 "（%s）：%s 无公布结果，按评分应为第 %d 名 %s 分\n", c->id, c->title, r->e.name, r->line.rank, a);
            x->diffs++;
            continue;
        }
        contest_score_text(p->line.score, b);
        if (p->line.rank != r->line.rank || p->line.score != r->line.score || p->line.mean != r->line.mean || p->line.judges != r->line.judges) {
            fprintf(x->out, "竞赛 %" PRId64 "（%s）：%s 公布为第 %d 名 %s 分，按评分应为第 %d 名 %s 分\n", c->id, c->title, r->e.name, p->line.rank, b,
                    r->line.rank, a);
            x->diffs++;
        }
    }
    if (was.n != now.n) {
        fprintf(x->out, "竞赛 %" PRId64 "（%s）：公布结果 %d 行，按评分应为 %d 行\n", c->id, c->title, was.n, now.n);
        x->diffs++;
    }
    contest_result_free(&now);
    contest_result_free(&was);
    return 0;
}

int contest_recount(db *d, bool fix, FILE *out, int64_t *diffs)
{
    rc_ctx x = {d, out, 0, 0};
    db_stmt *s = db_prepare(d, "SELECT " CONTEST_COLS CONTEST_FROM " WHERE c.status = 'published' ORDER BY c.id");
    if (!s) return CX_ERR;
    int rc = DB_EACH(s, contest, read_contest, recount_one, &x);
    if (rc != CX_OK || x.failed) return CX_ERR;
    if (x.diffs && fix)
        fprintf(out, "三比竞赛：已公布的结果不会被自动修正；请活动办公室核实后在竞赛页面重新公布（记入审计）\n");
    *diffs = x.diffs;
    return CX_OK;
}

#define PUBLISHED_IN " WHERE c.org_path >= ? AND c.org_path < ? AND c.status = 'published' AND c.published_at >= ? AND c.published_at < ?"
int contest_count_published(db *d, const char *path, int64_t t0, int64_t t1, int64_t *n)
{
    char end[CX_PATH_MAX];
    orgpath_end(path, end, sizeof end);
    return db_i64(d, n, 0, "SELECT count(*) FROM contest c" PUBLISHED_IN, "ssii", path, end, t0, t1);
}

int contest_list_published(db *d, const char *path, int64_t t0, int64_t t1, int limit, int (*fn)(void *ctx, const contest *c), void *ctx)
{
    char end[CX_PATH_MAX];
    orgpath_end(path, end, sizeof end);
    db_stmt *s = db_prepare(d, "SELECT " CONTEST_COLS CONTEST_FROM PUBLISHED_IN " ORDER BY c.published_at, c.id LIMIT ?");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, path);
    db_bind_text(s, 2, end);
    db_bind_i64(s, 3, t0);
    db_bind_i64(s, 4, t1);
    db_bind_i64(s, 5, limit);
    return DB_EACH(s, contest, read_contest, fn, ctx);
}
