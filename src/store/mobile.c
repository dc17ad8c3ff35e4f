/* mobile.c: members away from their branch (流动党员): start, return, lists (mobile.h). */
#include "mobile.h"
#include "row.h"
#include "../domain/date.h"
#include "../domain/orgpath.h"
#include "../domain/text.h"
#include "../lib/json.h"
#include <cjson/cJSON.h>
#include <string.h>

#define MOB_COLS                                                                                                     \
    "x.id, x.member_id, x.org_id, x.contact_org_id, x.place, x.note, x.since, x.until, x.returned_on, m.name, o.name, " \
    "o.path, c.name, c.path"
#define MOB_FROM " FROM member_mobile x JOIN member m ON m.id = x.member_id JOIN org o ON o.id = m.org_id JOIN org c ON c.id = x.contact_org_id"

static void read_mob(db_stmt *s, mobile_row *m)
{
    m->id = db_col_i64(s, 0);
    m->member_id = db_col_i64(s, 1);
    m->org_id = db_col_i64(s, 2);
    m->contact_org_id = db_col_i64(s, 3);
    copy_col(m->place, sizeof m->place, s, 4);
    copy_col(m->note, sizeof m->note, s, 5);
    copy_col(m->since, sizeof m->since, s, 6);
    copy_col(m->until, sizeof m->until, s, 7);
    copy_col(m->returned_on, sizeof m->returned_on, s, 8);
    copy_col(m->member_name, sizeof m->member_name, s, 9);
    copy_col(m->org_name, sizeof m->org_name, s, 10);
    copy_col(m->org_path, sizeof m->org_path, s, 11);
    copy_col(m->contact_name, sizeof m->contact_name, s, 12);
    copy_col(m->contact_path, sizeof m->contact_path, s, 13);
}

static void read_one(db_stmt *s, void *out) { read_mob(s, out); }

int mobile_get(db *d, int64_t id, mobile_row *m)
{
    return row_by_id(d, "SELECT " MOB_COLS MOB_FROM " WHERE x.id = ?", id, read_one, m, sizeof *m);
}

/* A date field: empty gives def ("" or today); CX_ERR with e otherwise. */
static int day_in(const char *s, const char *field, const char *label, bool today, char out[11], cx_err *e)
{
    out[0] = 0;
    if (!s || !*s) {
        if (today) date_today(out);
        return CX_OK;
    }
    return date_parse(s, false, field, label, out, e);
}

int mobile_start(db *d, const actor *a, const member *m, const mobile_in *in, int64_t *id, cx_err *e)
{
    char place[MOBILE_PLACE_MAX * 4 + 1], note[MOBILE_NOTE_MAX * 4 + 1], since[11], until[11];
    text_rule pr = {"place", "流动去向（地点）", 1, MOBILE_PLACE_MAX, true}, nr = {"note", "说明", 0, MOBILE_NOTE_MAX, false};
    if (text_check(&pr, in->place, place, sizeof place, e) != CX_OK || text_check(&nr, in->note, note, sizeof note, e) != CX_OK) return CX_ERR;
    if (!in->contact_org_id) return cx_fail(e, 400, "required", "contact_org_id", "请选择流入地的联系党组织");
    if (day_in(in->since, "since", "外出时间", true, since, e) != CX_OK || day_in(in->until, "until", "预计返回时间", false, until, e) != CX_OK) return CX_ERR;
    if (until[0] && strcmp(until, since) < 0) return cx_fail(e, 422, "until_before_since", "until", "预计返回时间不能早于外出时间（%s）", since);
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    if (db_lock(d, "member_mobile", m->id) != CX_OK) return db_fail(d, e);
    org c;
    int f = org_get(d, in->contact_org_id, &c);
    if (f == CX_ERR) return db_fail(d, e);
    if (f != 1 || !c.active || c.id == m->org_id) {
        cx_fail(e, 422, "invalid_contact", "contact_org_id", "联系党组织不存在、已停用或就是本人所在的党组织");
        return refuse(d);
    }
    int64_t n = 0;
    if (db_i64(d, &n, 0, "SELECT count(*) FROM member_mobile WHERE member_id = ? AND returned_on = ''", "i", m->id) != CX_OK) return db_fail(d, e);
    if (n) {
        cx_fail(e, 409, "already_away", "member_id", "该党员已登记为流动党员，请先登记返回");
        return refuse(d);
    }
    int64_t mid = 0;
    int rc = db_i64(d, &mid, 0, "INSERT INTO member_mobile (member_id, org_id, place, contact_org_id, since, until, note, created_by, created_at) "
                                "VALUES (?,?,?,?,?,?,?,?,?) RETURNING id",
                    "iisisssii", m->id, m->org_id, place, c.id, since, until, note, a->user_id, now_unix());
    if (rc == CX_OK && mid <= 0) rc = CX_ERR;
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "member_id", m->id);
    cJSON_AddStringToObject(j, "place", place);
    json_add_i64(j, "contact_org_id", c.id);
    cJSON_AddStringToObject(j, "since", since);
    cJSON_AddStringToObject(j, "until", until);
    if (store_finish(d, a, "start", "mobile", mid, m->org_id, NULL, json_take(j), rc, e) != CX_OK) return CX_ERR;
    if (id) *id = mid;
    return CX_OK;
}

static int get_mob(db *d, int64_t id, void *m) { return mobile_get(d, id, m); }

int mobile_return(db *d, const actor *a, int64_t id, const char *day_s, cx_err *e)
{
    char day[11];
    if (day_in(day_s, "returned_on", "返回时间", true, day, e) != CX_OK) return CX_ERR;
    mobile_row m;
    if (tx_begin_locked(d, "mobile", id, get_mob, &m, "流动党员记录不存在", e) != CX_OK) return CX_ERR;
    if (m.returned_on[0]) {
        cx_fail(e, 409, "mobile_returned", "id", "该党员已于 %s 返回", m.returned_on);
        return refuse(d);
    }
    if (strcmp(day, m.since) < 0) {
        cx_fail(e, 422, "until_before_since", "returned_on", "返回时间不能早于外出时间（%s）", m.since);
        return refuse(d);
    }
    int rc = db_run(d, "UPDATE member_mobile SET returned_on = ? WHERE id = ?", "si", day, id);
    char after[48];
    snprintf(after, sizeof after, "{\"returned_on\":\"%s\"}", day);
    return store_finish(d, a, "return", "mobile", id, m.org_id, xstrdup("{\"returned_on\":\"\"}"), xstrdup(after), rc, e);
}

int mobile_of_member(db *d, int64_t member_id, mobile_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT " MOB_COLS MOB_FROM " WHERE x.member_id = ? ORDER BY x.since DESC, x.id DESC");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, member_id);
    return DB_EACH(s, mobile_row, read_mob, fn, ctx);
}

int mobile_of_org(db *d, const org *o, bool contact, mobile_fn fn, void *ctx)
{
    char end[CX_PATH_MAX];
    orgpath_end(o->path, end, sizeof end);
    db_stmt *s = db_prepare(d, contact ? "SELECT " MOB_COLS MOB_FROM " WHERE x.returned_on = '' AND c.path >= ? AND c.path < ? ORDER BY x.since, x.id"
                                       : "SELECT " MOB_COLS MOB_FROM " WHERE x.returned_on = '' AND o.path >= ? AND o.path < ? ORDER BY x.since, x.id");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, o->path);
    db_bind_text(s, 2, end);
    return DB_EACH(s, mobile_row, read_mob, fn, ctx);
}
