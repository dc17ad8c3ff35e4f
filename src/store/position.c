/* position.c: the positions of an organisation's leading group: appointment, duties, end (kept as
 * history), lists and the label of an account's current positions (position.h). */
#include "position.h"
#include "row.h"
#include "../domain/date.h"
#include "../domain/perm.h"
#include "../domain/text.h"
#include "../lib/json.h"
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <string.h>

#define POS_COLS "p.id, p.org_id, p.member_id, p.title, p.since, p.until, m.name, o.name, o.path, p.duties"
#define POS_FROM " FROM org_position p JOIN member m ON m.id = p.member_id JOIN org o ON o.id = p.org_id"

static void read_pos(db_stmt *s, position_row *p)
{
    p->id = db_col_i64(s, 0);
    p->org_id = db_col_i64(s, 1);
    p->member_id = db_col_i64(s, 2);
    p->title = position_title_from_name(db_col_text(s, 3));
    copy_col(p->since, sizeof p->since, s, 4);
    copy_col(p->until, sizeof p->until, s, 5);
    copy_col(p->member_name, sizeof p->member_name, s, 6);
    copy_col(p->org_name, sizeof p->org_name, s, 7);
    copy_col(p->org_path, sizeof p->org_path, s, 8);
    copy_col(p->duties, sizeof p->duties, s, 9);
}

static void read_one(db_stmt *s, void *out) { read_pos(s, out); }

int position_get(db *d, int64_t id, position_row *p)
{
    return row_by_id(d, "SELECT " POS_COLS POS_FROM " WHERE p.id = ?", id, read_one, p, sizeof *p);
}

static char *pos_json(int64_t member_id, const char *title, const char *duties, const char *since, const char *until)
{
    cJSON *j = cJSON_CreateObject();
    if (member_id) json_add_i64(j, "member_id", member_id);
    if (title) cJSON_AddStringToObject(j, "title", title);
    if (duties) cJSON_AddStringToObject(j, "duties", duties);
    if (since) cJSON_AddStringToObject(j, "since", since);
    if (until) cJSON_AddStringToObject(j, "until", until);
    return json_take(j);
}

int position_add(db *d, const actor *a, int64_t org_id, int64_t member_id, const position_ok *in, int64_t *id, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    if (db_lock(d, "org_position", org_id) != CX_OK) return db_fail(d, e);
    org o;
    if (tx_active_org(d, org_id, &o, e) != CX_OK) return CX_ERR;
    member m;
    int f = member_get(d, member_id, &m);
    if (f == CX_ERR) return db_fail(d, e);
    if (f != 1 || !m.active || !path_in_subtree(m.org_path, o.path)) {
        cx_fail(e, 422, "member_outside", "member_id", "该党员不在本组织及下级的党员名册中");
        return refuse(d);
    }
    int64_t n = 0;
    if (in->title == PT_SECRETARY &&
        db_i64(d, &n, 0, "SELECT count(*) FROM org_position WHERE org_id = ? AND title = 'secretary' AND until = ''", "i", org_id) != CX_OK)
        return db_fail(d, e);
    if (n) {
        cx_fail(e, 409, "position_taken", "title", "本组织已有现任书记，请先办理原书记离任");
        return refuse(d);
    }
    if (db_i64(d, &n, 0, "SELECT count(*) FROM org_position WHERE org_id = ? AND member_id = ? AND until = ''", "ii", org_id, member_id) != CX_OK)
        return db_fail(d, e);
    if (n) {
        cx_fail(e, 409, "already_holds", "member_id", "该党员已在本组织班子中任职，请先办理离任或修改分工");
        return refuse(d);
    }
    int64_t pid = 0;
    int rc = db_i64(d, &pid, 0, "INSERT INTO org_position (org_id, member_id, title, duties, since, created_by, created_at) VALUES (?,?,?,?,?,?,?) RETURNING id",
                    "iisssii", org_id, member_id, position_title_name(in->title), in->duties, in->since, a->user_id, now_unix());
    if (rc == CX_OK && pid <= 0) rc = CX_ERR;
    if (store_finish(d, a, "appoint", "position", pid, org_id, NULL, pos_json(member_id, position_title_name(in->title), in->duties, in->since, NULL), rc, e) != CX_OK)
        return CX_ERR;
    if (id) *id = pid;
    return CX_OK;
}

static int get_pos(db *d, int64_t id, void *p) { return position_get(d, id, p); }

/* The current position id under its organisation's lock, or a refusal. */
static int begin_current(db *d, int64_t id, position_row *p, cx_err *e)
{
    if (tx_begin_locked(d, "position", id, get_pos, p, "班子成员职务不存在", e) != CX_OK) return CX_ERR;
    if (!p->until[0]) return CX_OK;
    cx_fail(e, 409, "position_ended", "id", "该职务已于 %s 离任，不能再修改", p->until);
    return refuse(d);
}

int position_duties(db *d, const actor *a, int64_t id, const char *duties, cx_err *e)
{
    char clean[POSITION_DUTIES_MAX * 4 + 1];
    text_rule tr = {"duties", "分工", 0, POSITION_DUTIES_MAX, false};
    if (text_check(&tr, duties, clean, sizeof clean, e) != CX_OK) return CX_ERR;
    position_row p;
    if (begin_current(d, id, &p, e) != CX_OK) return CX_ERR;
    int rc = db_run(d, "UPDATE org_position SET duties = ?, version = version + 1 WHERE id = ?", "si", clean, id);
    return store_finish(d, a, "duties", "position", id, p.org_id, pos_json(0, NULL, p.duties, NULL, NULL), pos_json(0, NULL, clean, NULL, NULL), rc, e);
}

int position_end(db *d, const actor *a, int64_t id, const char *until, cx_err *e)
{
    char day[11];
    if (!until || !*until) date_today(day);
    else if (date_parse(until, false, "until", "离任时间", day, e) != CX_OK) return CX_ERR;
    position_row p;
    if (begin_current(d, id, &p, e) != CX_OK) return CX_ERR;
    if (strcmp(day, p.since) < 0) {
        cx_fail(e, 422, "until_before_since", "until", "离任时间不能早于任职时间（%s）", p.since);
        return refuse(d);
    }
    int rc = db_run(d, "UPDATE org_position SET until = ?, version = version + 1 WHERE id = ?", "si", day, id);
    return store_finish(d, a, "end", "position", id, p.org_id, pos_json(0, NULL, NULL, NULL, ""), pos_json(0, NULL, NULL, NULL, day), rc, e);
}

int position_list(db *d, int64_t org_id, bool history, position_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, history ? "SELECT " POS_COLS POS_FROM " WHERE p.org_id = ? ORDER BY p.since DESC, p.id DESC"
                                       : "SELECT " POS_COLS POS_FROM " WHERE p.org_id = ? AND p.until = '' "
                                         "ORDER BY CASE p.title WHEN 'secretary' THEN 0 WHEN 'deputy' THEN 1 ELSE 2 END, p.since, p.id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, org_id);
    return DB_EACH(s, position_row, read_pos, fn, ctx);
}

int position_version(db *d, int64_t org_id, int64_t *v)
{
    return db_i64(d, v, 0, "SELECT count(*) * 1000003 + coalesce(sum(version), 0) * 1009 + coalesce(max(id), 0) FROM org_position WHERE org_id = ?",
                  "i", org_id);
}

int position_label_of_user(db *d, int64_t user_id, char *out, size_t cap)
{
    out[0] = 0;
    db_stmt *s = db_prepare(d, "SELECT o.name, p.title FROM org_position p JOIN app_user u ON u.member_id = p.member_id JOIN org o ON o.id = p.org_id "
                               "WHERE u.id = ? AND p.until = '' ORDER BY o.path, p.id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, user_id);
    int rc;
    size_t n = 0;
    while ((rc = db_step(s)) == DB_ROW && n + 1 < cap) {
        int w = snprintf(out + n, cap - n, "%s%s%s", n ? "、" : "", db_col_text(s, 0), position_title_label(position_title_from_name(db_col_text(s, 1))));
        if (w < 0 || (size_t)w >= cap - n) break;
        n += (size_t)w;
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}
