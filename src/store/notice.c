/* notice.c: public notices (公示) and objections (异议): opening a notice inside a caller's
 * transaction, the state of an item, objections filed, held and decided (notice.h). */
#include "notice.h"
#include "calendar.h"
#include "limit.h"
#include "row.h"
#include "../domain/date.h"
#include "../domain/orgpath.h"
#include "../domain/text.h"
#include "../lib/code.h"
#include "../lib/crypto.h"
#include "../lib/json.h"
#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- opening ---- */

static char *notice_json(const char *title, const char *start, const char *end, int workdays, int n)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "title", title);
    cJSON_AddStringToObject(j, "start_date", start);
    cJSON_AddStringToObject(j, "end_date", end);
    json_add_i64(j, "workdays", workdays);
    json_add_i64(j, "items", n);
    return json_take(j);
}

/* The subject of an item: an active member or organisation of the office's subtree. */
static int item_subject(db *d, const org *office, const notice_item_in *in, char *name, size_t ncap, int64_t *org_id, char *oname, size_t ocap,
                        cx_err *e)
{
    const char *k = in->subject_kind ? in->subject_kind : "";
    if (!strcmp(k, "member")) {
        member *m = xmalloc(sizeof *m);
        int f = member_get(d, in->subject_id, m);
        bool ok = f == 1 && m->active && path_in_subtree(m->org_path, office->path);
        if (ok) snprintf(name, ncap, "%s", m->r.name), *org_id = m->org_id, snprintf(oname, ocap, "%s", m->org_name);
        free(m);
        if (f == CX_ERR) return db_fail(d, e);
        if (!ok) return cx_fail(e, 422, "invalid_subject", "items", "公示对象（党员编号 %lld）应为本组织及下级在册的党员", (long long)in->subject_id);
        return CX_OK;
    }
    if (!strcmp(k, "org")) {
        org o;
        int f = org_get(d, in->subject_id, &o);
        if (f == CX_ERR) return db_fail(d, e);
        if (f != 1 || !o.active || !path_in_subtree(o.path, office->path))
            return cx_fail(e, 422, "invalid_subject", "items", "公示对象（党组织编号 %lld）应为本组织及下级在用的党组织", (long long)in->subject_id);
        snprintf(name, ncap, "%s", o.name), *org_id = o.id, snprintf(oname, ocap, "%s", o.name);
        return CX_OK;
    }
    return cx_fail(e, 422, "invalid_subject", "items", "公示对象类别应为 member（党员）或 org（党组织）");
}

int notice_open_tx(db *d, const actor *a, int64_t office_id, const char *title, const char *body, const char *contact, int workdays, int n,
                   const notice_item_in *items, int64_t *id, cx_err *e)
{
    return notice_open_from_tx(d, a, office_id, NULL, title, body, contact, workdays, n, items, id, e);
}

int notice_open_from_tx(db *d, const actor *a, int64_t office_id, const char *from, const char *title, const char *body, const char *contact,
                        int workdays, int n, const notice_item_in *items, int64_t *id, cx_err *e)
{
    if (n < 1 || n > NOTICE_ITEMS_MAX) return cx_fail(e, 422, "invalid_items", "items", "公示对象应有 1 至 %d 个", NOTICE_ITEMS_MAX);
    if (workdays == 0) workdays = NOTICE_WORKDAYS_DEFAULT;
    if (workdays < 1 || workdays > NOTICE_WORKDAYS_MAX)
        return cx_fail(e, 422, "invalid_workdays", "workdays", "公示期应为 1 至 %d 个工作日", NOTICE_WORKDAYS_MAX);
    org office;
    int f = org_get(d, office_id, &office);
    if (f == CX_ERR) return db_fail(d, e);
    if (f != 1 || !office.active) return cx_fail(e, 404, "not_found", "org_id", "党组织不存在或已停用");
    char start[11], end[11], cbuf[NOTICE_CONTACT_MAX * 4 + 1];
    if (from && date_parse(from, false, "start_date", "公示开始日期", start, e) != CX_OK) return CX_ERR;
    if (!from) date_today(start);
    workday_cal cal = {0};
    if (feedback_calendar(d, &cal) != CX_OK) return db_fail(d, e);
    int rc = notice_end_date(&cal, start, workdays, end);
    workday_cal_free(&cal);
    if (rc != CX_OK) return cx_fail(e, 422, "invalid_workdays", "workdays", "公示期无法按工作日日历计算");
    if (!contact || !*contact) snprintf(cbuf, sizeof cbuf, "%s活动办公室", office.name), contact = cbuf;
    int64_t nid = 0;
    if (db_i64(d, &nid, 0,
               "INSERT INTO notice (office_id, title, body, contact, start_date, end_date, workdays, created_by, created_at) VALUES (?,?,?,?,?,?,?,?,?) RETURNING id",
               "isssssiii", office_id, title, body ? body : "", contact, start, end, (int64_t)workdays, a ? a->user_id : 0, now_unix()) != CX_OK ||
        nid <= 0)
        return db_fail(d, e);
    char *name = xmalloc(256), *oname = xmalloc(256), *h = xmalloc(NOTICE_HONOUR_MAX * 4 + 1), *why = xmalloc(NOTICE_REASON_MAX * 4 + 1);
    rc = CX_OK;
    for (int i = 0; rc == CX_OK && i < n; i++) {
        int64_t org_id = 0, iid = 0;
        const char *src = items[i].source && *items[i].source ? items[i].source : "manual";
        for (int j = 0; j < i && rc == CX_OK; j++)
            if (items[j].subject_id == items[i].subject_id && items[j].subject_kind && items[i].subject_kind &&
                !strcmp(items[j].subject_kind, items[i].subject_kind))
                rc = cx_fail(e, 422, "duplicate_subject", "items", "第 %d 个公示对象与第 %d 个重复", i + 1, j + 1);
        if (rc == CX_OK) rc = item_subject(d, &office, &items[i], name, 256, &org_id, oname, 256, e);
        if (rc == CX_OK) rc = notice_item_check(items[i].honour, items[i].reason, h, why, e);
        if (rc == CX_OK && db_i64(d, &iid, 0,
                                  "INSERT INTO notice_item (notice_id, seq, subject_kind, subject_id, subject_name, org_id, org_name, honour, reason, source, ref_id) "
                                  "VALUES (?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
                                  "iisisissssi", nid, (int64_t)(i + 1), items[i].subject_kind, items[i].subject_id, name, org_id, oname, h, why, src,
                                  items[i].ref_id) != CX_OK)
            rc = db_fail(d, e);
        if (rc == CX_OK && items[i].ref_id == 0 && db_run(d, "UPDATE notice_item SET ref_id = id WHERE id = ?", "i", iid) != CX_OK) rc = db_fail(d, e);
    }
    free(name), free(oname), free(h), free(why);
    if (rc != CX_OK) return CX_ERR;
    char *after = notice_json(title, start, end, workdays, n);
    rc = audit_append(d, a, "open", "notice", nid, office_id, NULL, after, "ok");
    free(after);
    if (rc != CX_OK) return db_fail(d, e);
    if (id) *id = nid;
    return CX_OK;
}

int notice_open(db *d, const actor *a, int64_t office_id, const notice_ok *in, int n, const notice_item_in *items, int64_t *id, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    if (notice_open_tx(d, a, office_id, in->title, in->body, in->contact, in->workdays, n, items, id, e) != CX_OK) {
        db_rollback(d);
        return CX_ERR;
    }
    return db_commit(d) == CX_OK ? CX_OK : db_fail(d, e);
}

/* ---- reading ---- */

#define NOTICE_COLS                                                                                                                  \
    "n.id, n.office_id, n.workdays, n.created_at, n.title, n.body, n.contact, n.start_date, n.end_date, o.name, o.path, "        \
    "(SELECT count(*) FROM notice_item i WHERE i.notice_id = n.id), "                                                            \
    "(SELECT count(*) FROM objection j WHERE j.notice_id = n.id AND j.status IN ('received','investigating'))"
#define NOTICE_FROM " FROM notice n JOIN org o ON o.id = n.office_id"

static void read_notice(db_stmt *s, void *out)
{
    notice *n = out;
    n->id = db_col_i64(s, 0);
    n->office_id = db_col_i64(s, 1);
    n->workdays = db_col_i64(s, 2);
    n->created_at = db_col_i64(s, 3);
    copy_col(n->title, sizeof n->title, s, 4);
    copy_col(n->body, sizeof n->body, s, 5);
    copy_col(n->contact, sizeof n->contact, s, 6);
    copy_col(n->start_date, sizeof n->start_date, s, 7);
    copy_col(n->end_date, sizeof n->end_date, s, 8);
    copy_col(n->office_name, sizeof n->office_name, s, 9);
    copy_col(n->office_path, sizeof n->office_path, s, 10);
    n->items = db_col_i64(s, 11);
    n->open_objections = db_col_i64(s, 12);
}

int notice_get(db *d, int64_t id, notice *n)
{
    return row_by_id(d, "SELECT " NOTICE_COLS NOTICE_FROM " WHERE n.id = ?", id, read_notice, n, sizeof *n);
}

int notice_list(db *d, const char *path, const char *since, int64_t limit, int64_t offset, int64_t *total, notice_fn fn, void *ctx)
{
    char end[CX_PATH_MAX];
    const char *p = path ? path : "/";
    orgpath_end(p, end, sizeof end);
    const char *from = since ? since : "";
    if (total && db_i64(d, total, 0, "SELECT count(*)" NOTICE_FROM " WHERE o.path >= ? AND o.path < ? AND n.end_date >= ?", "sss", p, end, from) != CX_OK)
        return CX_ERR;
    if (!fn) return CX_OK; /* the total alone */
    db_stmt *s = db_prepare(d, "SELECT " NOTICE_COLS NOTICE_FROM " WHERE o.path >= ? AND o.path < ? AND n.end_date >= ? "
                               "ORDER BY n.start_date DESC, n.id DESC LIMIT ? OFFSET ?");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, p);
    db_bind_text(s, 2, end);
    db_bind_text(s, 3, from);
    db_bind_i64(s, 4, limit);
    db_bind_i64(s, 5, offset);
    return DB_EACH(s, notice, read_notice, fn, ctx);
}

int notice_set_contact(db *d, const actor *a, int64_t id, const char *contact, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    if (db_lock(d, "notice", id) != CX_OK) return db_fail(d, e);
    notice *n = xmalloc(sizeof *n);
    int f = notice_get(d, id, n);
    int64_t office = n->office_id;
    char *before = NULL;
    if (f == 1) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "contact", n->contact);
        before = json_take(j);
    }
    free(n);
    if (f != 1) return f == 0 ? (cx_fail(e, 404, "not_found", "id", "公示不存在"), refuse(d)) : db_fail(d, e);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "contact", contact);
    int rc = db_run(d, "UPDATE notice SET contact = ? WHERE id = ?", "si", contact, id);
    return store_finish(d, a, "edit", "notice", id, office, before, json_take(j), rc, e);
}

#define ITEM_COLS                                                                                                                    \
    "i.id, i.notice_id, i.seq, i.subject_id, i.org_id, i.ref_id, i.subject_kind, i.source, i.subject_name, i.org_name, o.path, "  \
    "i.honour, i.reason, "                                                                                                        \
    "(SELECT count(*) FROM objection j WHERE j.item_id = i.id AND j.status = 'received'), "                                      \
    "(SELECT count(*) FROM objection j WHERE j.item_id = i.id AND j.status = 'investigating'), "                                 \
    "(SELECT count(*) FROM objection j WHERE j.item_id = i.id AND j.status = 'upheld')"

static void read_item(db_stmt *s, void *out)
{
    notice_item *it = out;
    it->id = db_col_i64(s, 0);
    it->notice_id = db_col_i64(s, 1);
    it->seq = db_col_i64(s, 2);
    it->subject_id = db_col_i64(s, 3);
    it->org_id = db_col_i64(s, 4);
    it->ref_id = db_col_i64(s, 5);
    copy_col(it->subject_kind, sizeof it->subject_kind, s, 6);
    copy_col(it->source, sizeof it->source, s, 7);
    copy_col(it->subject_name, sizeof it->subject_name, s, 8);
    copy_col(it->org_name, sizeof it->org_name, s, 9);
    copy_col(it->org_path, sizeof it->org_path, s, 10);
    copy_col(it->honour, sizeof it->honour, s, 11);
    copy_col(it->reason, sizeof it->reason, s, 12);
    it->received = db_col_i64(s, 13);
    it->investigating = db_col_i64(s, 14);
    it->upheld = db_col_i64(s, 15);
}

int notice_items(db *d, int64_t notice_id, notice_item_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT " ITEM_COLS " FROM notice_item i JOIN org o ON o.id = i.org_id WHERE i.notice_id = ? ORDER BY i.seq");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, notice_id);
    return DB_EACH(s, notice_item, read_item, fn, ctx);
}

int notice_ref_state(db *d, const char *source, int64_t ref_id, int *state, cx_err *e) { return notice_ref_get(d, source, ref_id, state, NULL, NULL, e); }

int notice_ref_get(db *d, const char *source, int64_t ref_id, int *state, int64_t *notice_id, char end_date[11], cx_err *e)
{
    *state = NRS_NONE;
    if (notice_id) *notice_id = 0;
    if (end_date) end_date[0] = 0;
    db_stmt *s = db_prepare(d, "SELECT " ITEM_COLS ", n.end_date FROM notice_item i JOIN org o ON o.id = i.org_id JOIN notice n ON n.id = i.notice_id "
                               "WHERE i.source = ? AND i.ref_id = ? ORDER BY i.id DESC LIMIT 1");
    if (!s) return db_fail(d, e);
    db_bind_text(s, 1, source ? source : "");
    db_bind_i64(s, 2, ref_id);
    int rc = db_step(s);
    if (rc == DB_ROW) {
        notice_item *it = xmalloc(sizeof *it);
        char today[11], end[11];
        read_item(s, it);
        copy_col(end, sizeof end, s, 16);
        date_today(today);
        *state = notice_item_state(today, end, it->received, it->investigating, it->upheld);
        if (notice_id) *notice_id = it->notice_id;
        if (end_date) memcpy(end_date, end, 11);
        free(it);
    }
    db_done(s);
    return rc == CX_ERR ? db_fail(d, e) : CX_OK;
}

/* ---- objections ---- */

static void objection_code_hash(const char *code, unsigned char h[CX_HASH_BYTES])
{
    char *s = xasprintf("objection-code\x1f%s", code);
    crypto_keyed_hash(s, h);
    free(s);
}

static char *objection_json(int64_t item_id, objection_status st, const char *finding)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "item_id", item_id);
    cJSON_AddStringToObject(j, "status", objection_status_name(st));
    if (finding) cJSON_AddStringToObject(j, "finding", finding);
    return json_take(j);
}

int objection_submit(db *d, const actor *a, int64_t notice_id, int64_t item_id, const char *name, const char *phone, const char *text, int64_t *id,
                     char code[OBJECTION_CODE_CAP], cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    if (db_lock(d, "notice", notice_id) != CX_OK) return db_fail(d, e);
    notice *n = xmalloc(sizeof *n);
    int f = notice_get(d, notice_id, n);
    char end[11], today[11];
    int64_t office = n->office_id;
    memcpy(end, n->end_date, sizeof end);
    free(n);
    if (f != 1) return f == 0 ? (cx_fail(e, 404, "not_found", "id", "公示不存在"), refuse(d)) : db_fail(d, e);
    date_today(today);
    if (strcmp(today, end) > 0) {
        cx_fail(e, 409, "notice_ended", "notice_id", "公示期已于 %s 结束，不再受理异议", end);
        return refuse(d);
    }
    int64_t mine = 0;
    if (db_i64(d, &mine, 0, "SELECT count(*) FROM notice_item WHERE id = ? AND notice_id = ?", "ii", item_id, notice_id) != CX_OK) return db_fail(d, e);
    if (!mine) {
        cx_fail(e, 422, "invalid_item", "item_id", "请选择本公示中的一个公示对象");
        return refuse(d);
    }
    unsigned char h[CX_HASH_BYTES];
    code_make(code, OBJECTION_CODE_DATA);
    objection_code_hash(code, h);
    buf ne, pe;
    buf_init(&ne);
    buf_init(&pe);
    crypto_seal(name, &ne);
    crypto_seal(phone, &pe);
    char nm[64], pm[32];
    text_mask(name, false, nm, sizeof nm);
    text_mask(phone, true, pm, sizeof pm);
    int64_t oid = 0;
    int rc = db_i64(d, &oid, 0,
                    "INSERT INTO objection (notice_id, item_id, office_id, code_hash, name_enc, name_mask, phone_enc, phone_mask, text, status, created_at) "
                    "VALUES (?,?,?,?,?,?,?,?,?,'received',?) RETURNING id",
                    "iiibbsbssi", notice_id, item_id, office, DB_BLOB(h, sizeof h), DB_BLOB(ne.p, ne.len), nm, DB_BLOB(pe.p, pe.len), pm, text, now_unix());
    buf_free(&ne);
    buf_free(&pe);
    if (rc == CX_OK && oid <= 0) rc = CX_ERR;
    if (store_finish(d, a, "object", "objection", oid, office, NULL, objection_json(item_id, OS_RECEIVED, NULL), rc, e) != CX_OK) return CX_ERR;
    if (id) *id = oid;
    return CX_OK;
}

#define OBJ_COLS                                                                                                                     \
    "j.id, j.notice_id, j.item_id, j.office_id, j.created_at, j.held_at, j.decided_at, j.status, j.name_mask, j.phone_mask, j.text, " \
    "j.finding, o.path, n.title, i.subject_name, i.honour, io.path"
#define OBJ_FROM                                                                                                                     \
    " FROM objection j JOIN notice n ON n.id = j.notice_id JOIN org o ON o.id = j.office_id JOIN notice_item i ON i.id = j.item_id " \
    "JOIN org io ON io.id = i.org_id"

static void read_objection(db_stmt *s, void *out)
{
    objection *o = out;
    o->id = db_col_i64(s, 0);
    o->notice_id = db_col_i64(s, 1);
    o->item_id = db_col_i64(s, 2);
    o->office_id = db_col_i64(s, 3);
    o->created_at = db_col_i64(s, 4);
    o->held_at = db_col_i64(s, 5);
    o->decided_at = db_col_i64(s, 6);
    int st = objection_status_from_name(db_col_text(s, 7));
    o->status = st < 0 ? OS_RECEIVED : (objection_status)st;
    copy_col(o->name_mask, sizeof o->name_mask, s, 8);
    copy_col(o->phone_mask, sizeof o->phone_mask, s, 9);
    copy_col(o->text, sizeof o->text, s, 10);
    copy_col(o->finding, sizeof o->finding, s, 11);
    copy_col(o->office_path, sizeof o->office_path, s, 12);
    copy_col(o->notice_title, sizeof o->notice_title, s, 13);
    copy_col(o->item_subject, sizeof o->item_subject, s, 14);
    copy_col(o->item_honour, sizeof o->item_honour, s, 15);
    copy_col(o->item_path, sizeof o->item_path, s, 16);
}

int objection_get(db *d, int64_t id, objection *o)
{
    return row_by_id(d, "SELECT " OBJ_COLS OBJ_FROM " WHERE j.id = ?", id, read_objection, o, sizeof *o);
}

int objection_by_code(db *d, const char *code, objection *o)
{
    unsigned char h[CX_HASH_BYTES];
    objection_code_hash(code, h);
    memset(o, 0, sizeof *o);
    db_stmt *s = db_prepare(d, "SELECT " OBJ_COLS OBJ_FROM " WHERE j.code_hash = ?");
    if (!s) return CX_ERR;
    db_bind_blob(s, 1, h, sizeof h);
    int rc = db_step(s);
    if (rc == DB_ROW) read_objection(s, o);
    db_done(s);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : CX_ERR;
}

int objection_list(db *d, int64_t notice_id, objection_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT " OBJ_COLS OBJ_FROM " WHERE j.notice_id = ? ORDER BY j.id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, notice_id);
    return DB_EACH(s, objection, read_objection, fn, ctx);
}

/* Loads the objection inside a write transaction, serialised per objection; 404 when none. */
static int begin_objection(db *d, int64_t id, objection *o, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    if (db_lock(d, "objection", id) != CX_OK) return db_fail(d, e);
    int f = objection_get(d, id, o);
    if (f != 1) return f == 0 ? (cx_fail(e, 404, "not_found", "id", "异议不存在"), refuse(d)) : db_fail(d, e);
    return CX_OK;
}

int objection_hold(db *d, const actor *a, int64_t id, cx_err *e)
{
    objection *o = xmalloc(sizeof *o);
    if (begin_objection(d, id, o, e) != CX_OK) return free(o), CX_ERR;
    objection_status was = o->status;
    int64_t item = o->item_id, office = o->office_id;
    free(o);
    if (was != OS_RECEIVED) {
        cx_fail(e, 409, "not_received", "id", "该异议已在核查或已有结论（当前：%s）", objection_status_label(was));
        return refuse(d);
    }
    int rc = db_run(d, "UPDATE objection SET status = 'investigating', held_at = ? WHERE id = ? AND status = 'received'", "ii", now_unix(), id);
    return store_finish(d, a, "hold", "objection", id, office, objection_json(item, was, NULL), objection_json(item, OS_INVESTIGATING, NULL), rc, e);
}

int objection_decide(db *d, const actor *a, int64_t id, objection_status outcome, const char *finding, cx_err *e)
{
    objection *o = xmalloc(sizeof *o);
    if (begin_objection(d, id, o, e) != CX_OK) return free(o), CX_ERR;
    objection_status was = o->status;
    int64_t item = o->item_id, office = o->office_id;
    free(o);
    if (was != OS_INVESTIGATING) {
        cx_fail(e, 409, "not_held", "id", was == OS_RECEIVED ? "请先将该异议标为核查中，再记录核查结论" : "该异议已有核查结论（%s），不能再改", objection_status_label(was));
        return refuse(d);
    }
    int rc = db_run(d, "UPDATE objection SET status = ?, finding = ?, decided_at = ?, decided_by = ? WHERE id = ? AND status = 'investigating'", "ssiii",
                    objection_status_name(outcome), finding, now_unix(), a ? a->user_id : 0, id);
    return store_finish(d, a, "decide", "objection", id, office, objection_json(item, was, NULL), objection_json(item, outcome, finding), rc, e);
}

int objection_open_count(db *d, const char *path, const char *own_path, int64_t *n)
{
    char end[CX_PATH_MAX];
    orgpath_end(path, end, sizeof end);
    return db_i64(d, n, 0, "SELECT count(*) FROM objection j JOIN org o ON o.id = j.office_id JOIN notice_item i ON i.id = j.item_id "
                           "JOIN org io ON io.id = i.org_id WHERE o.path >= ? AND o.path < ? AND j.status IN ('received','investigating') "
                           "AND substr(?, 1, length(io.path)) <> io.path", "sss", path, end, own_path ? own_path : "");
}

/* The column c of the row s unsealed into out (cap bytes); false when it cannot be opened. */
static bool unseal_col(db_stmt *s, int c, char *out, size_t cap)
{
    size_t n = 0;
    const void *p = db_col_blob(s, c, &n);
    char *plain = p ? crypto_unseal(p, n) : NULL;
    bool ok = plain != NULL;
    snprintf(out, cap, "%s", ok ? plain : "");
    if (ok) sodium_memzero(plain, strlen(plain));
    free(plain);
    return ok;
}

int objection_reveal(db *d, const actor *a, int64_t id, char name[128], char phone[32], cx_err *e)
{
    name[0] = phone[0] = 0;
    db_stmt *s = db_prepare(d, "SELECT name_enc, phone_enc, office_id FROM objection WHERE id = ?");
    if (!s) return db_fail(d, e);
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    bool opened = rc == DB_ROW && unseal_col(s, 0, name, 128) && unseal_col(s, 1, phone, 32);
    int64_t office = rc == DB_ROW ? db_col_i64(s, 2) : 0;
    db_done(s);
    if (rc == CX_ERR) return db_fail(d, e);
    if (rc != DB_ROW) return cx_fail(e, 404, "not_found", "id", "异议不存在");
    if (!opened) return cx_fail(e, 500, "decrypt_failed", "", "无法解密（密钥文件不对？）");
    if (audit_record(d, a, "reveal", "objection", id, office, NULL, "{\"fields\":[\"name\",\"phone\"]}", "ok") != CX_OK) {
        name[0] = phone[0] = 0;
        return cx_fail(e, 500, "audit_failed", "", "无法记录审计，未显示");
    }
    return CX_OK;
}
