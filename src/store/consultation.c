/* consultation.c: online consultations, their comments, answers and summary (consultation.h). */
#include "consultation.h"
#include "row.h"
#include "../domain/orgpath.h"
#include "../domain/text.h"
#include "../lib/crypto.h"
#include "../lib/json.h"
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define C_COLS                                                                                                       \
    "c.id, c.org_id, c.version, c.created_at, c.summary_at, "                                                         \
    "(SELECT count(*) FROM consultation_comment k WHERE k.consultation_id = c.id), "                                  \
    "(SELECT count(*) FROM consultation_comment k WHERE k.consultation_id = c.id AND k.reply <> ''), "                \
    "c.title, c.closes_on, o.name, o.path, c.body, c.summary"
#define C_FROM " FROM consultation c JOIN org o ON o.id = c.org_id"

static void read_c(db_stmt *s, consultation *c, bool texts)
{
    c->id = db_col_i64(s, 0);
    c->org_id = db_col_i64(s, 1);
    c->version = db_col_i64(s, 2);
    c->created_at = db_col_i64(s, 3);
    c->summary_at = db_col_i64(s, 4);
    c->ncomments = db_col_i64(s, 5);
    c->nreplied = db_col_i64(s, 6);
    copy_col(c->title, sizeof c->title, s, 7);
    copy_col(c->closes_on, sizeof c->closes_on, s, 8);
    copy_col(c->org_name, sizeof c->org_name, s, 9);
    copy_col(c->org_path, sizeof c->org_path, s, 10);
    consultation_clear(c);
    if (texts) c->body = xstrdup(db_col_text(s, 11) ?: ""), c->summary = xstrdup(db_col_text(s, 12) ?: "");
}

/* A row of a list: no body nor summary (nothing owned). */
static void read_listed(db_stmt *s, consultation *c)
{
    c->body = c->summary = NULL;
    read_c(s, c, false);
}

void consultation_clear(consultation *c)
{
    free(c->body);
    free(c->summary);
    c->body = c->summary = NULL;
}

static void read_full(db_stmt *s, void *out) { read_c(s, out, true); }

int consultation_get(db *d, int64_t id, consultation *c)
{
    return row_by_id(d, "SELECT " C_COLS C_FROM " WHERE c.id = ?", id, read_full, c, sizeof *c);
}

int consultation_create(db *d, const actor *a, int64_t org_id, const consult_ok *in, int64_t *id, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    org o;
    if (tx_active_org(d, org_id, &o, e) != CX_OK) return CX_ERR;
    int64_t nid = 0;
    int rc = db_i64(d, &nid, 0, "INSERT INTO consultation (org_id, title, body, closes_on, created_by, created_at) VALUES (?,?,?,?,?,?) RETURNING id",
                    "isssii", org_id, in->title, in->body, in->closes_on, a->user_id, now_unix());
    if (rc == CX_OK && nid <= 0) rc = CX_ERR;
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "title", in->title);
    cJSON_AddStringToObject(j, "body", in->body);
    cJSON_AddStringToObject(j, "closes_on", in->closes_on);
    if (store_finish(d, a, "create", "consultation", nid, org_id, NULL, json_take(j), rc, e) != CX_OK) return CX_ERR;
    if (id) *id = nid;
    return CX_OK;
}

static int get_c(db *d, int64_t id, void *c) { return consultation_get(d, id, c); }

/* Loads the consultation inside a write transaction (serialised per consultation), or 404. */
static int begin_c(db *d, int64_t id, consultation *c, cx_err *e)
{
    memset(c, 0, sizeof *c);
    return tx_begin_locked(d, "consultation", id, get_c, c, "网上征询不存在", e);
}

static int done_c(consultation *c, int rc)
{
    consultation_clear(c);
    return rc;
}

static char *text_json(const char *key, const char *v)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, key, v ? v : "");
    return json_take(j);
}

int consultation_summarise(db *d, const actor *a, int64_t id, const char *summary, const char *today, cx_err *e)
{
    char *clean = clean_text(summary, "summary", "征询总结", CONSULT_SUMMARY_MAX, true, e);
    if (!clean) return CX_ERR;
    consultation c;
    if (begin_c(d, id, &c, e) != CX_OK) return free(clean), done_c(&c, CX_ERR);
    if (consult_open(c.closes_on, today)) {
        cx_fail(e, 409, "consultation_open", "summary", "征询到 %s 截止，截止后才能写总结", c.closes_on);
        free(clean);
        refuse(d);
        return done_c(&c, CX_ERR);
    }
    int rc = db_run(d, "UPDATE consultation SET summary = ?, summary_at = ?, version = version + 1 WHERE id = ?", "sii", clean, now_unix(), id);
    rc = store_finish(d, a, "summarise", "consultation", id, c.org_id, c.summary && *c.summary ? text_json("summary", c.summary) : NULL,
                      text_json("summary", clean), rc, e);
    free(clean);
    return done_c(&c, rc);
}

int consultation_list(db *d, const char *path, int64_t offset, int64_t limit, consultation_fn fn, void *ctx)
{
    db_q q;
    char end[CX_PATH_MAX];
    db_q_init(&q, "SELECT " C_COLS C_FROM);
    if (path) {
        orgpath_end(path, end, sizeof end);
        db_q_where(&q, "o.path >= ? AND o.path < ?", "ss", path, end);
    }
    db_stmt *s = page_stmt(d, &q, " ORDER BY c.closes_on DESC, c.id DESC", offset, limit);
    if (!s) return CX_ERR;
    return DB_EACH(s, consultation, read_listed, fn, ctx);
}

int consultation_count(db *d, const char *path, int64_t *n)
{
    db_q q;
    char end[CX_PATH_MAX];
    db_q_init(&q, "SELECT count(*)" C_FROM);
    if (path) {
        orgpath_end(path, end, sizeof end);
        db_q_where(&q, "o.path >= ? AND o.path < ?", "ss", path, end);
    }
    return db_q_count(d, &q, n);
}

int consultation_public_version(db *d, int64_t *n, int64_t *sum)
{
    db_stmt *s = db_prepare(d, "SELECT count(*), coalesce(sum(version), 0) FROM consultation");
    if (!s) return CX_ERR;
    int rc = db_step(s);
    if (rc == DB_ROW) *n = db_col_i64(s, 0), *sum = db_col_i64(s, 1);
    db_done(s);
    return rc == DB_ROW ? CX_OK : CX_ERR;
}

int consultation_comments(db *d, int64_t id, bool answered_only, comment_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, answered_only ? "SELECT id, consultation_id, created_at, replied_at, replied_by, text, reply FROM consultation_comment "
                                               "WHERE consultation_id = ? AND reply <> '' ORDER BY id"
                                             : "SELECT id, consultation_id, created_at, replied_at, replied_by, text, reply FROM consultation_comment "
                                               "WHERE consultation_id = ? ORDER BY id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    int rc;
    consult_comment k;
    while ((rc = db_step(s)) == DB_ROW) {
        k.id = db_col_i64(s, 0);
        k.consultation_id = db_col_i64(s, 1);
        k.created_at = db_col_i64(s, 2);
        k.replied_at = db_col_i64(s, 3);
        copy_col(k.replied_by, sizeof k.replied_by, s, 4);
        k.text = xstrdup(db_col_text(s, 5) ?: "");
        k.reply = xstrdup(db_col_text(s, 6) ?: "");
        int stop = fn(ctx, &k);
        free(k.text);
        free(k.reply);
        if (stop) break;
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

static int fail_dup(db *d, cx_err *e)
{
    cx_fail(e, 409, "already_commented", "phone", "您（这个手机号或这台设备）已经对这次征询提过意见，每人只能提一次");
    return refuse(d);
}

int consultation_comment_add(db *d, const actor *a, int64_t id, const char *text, const unsigned char *rater_key, const unsigned char *device_key,
                             const char *today, int64_t *comment_id, cx_err *e)
{
    consultation c;
    if (begin_c(d, id, &c, e) != CX_OK) return done_c(&c, CX_ERR);
    if (!consult_open(c.closes_on, today)) {
        cx_fail(e, 409, "consultation_closed", "consultation_id", "这次征询已于 %s 截止，不再接受意见", c.closes_on);
        refuse(d);
        return done_c(&c, CX_ERR);
    }
    int64_t dup = 0;
    if (db_i64(d, &dup, 0, "SELECT count(*) FROM consultation_comment WHERE consultation_id = ? AND (rater_key = ? OR device_key = ?)", "ibb", id,
               rater_key, (size_t)CX_HASH_BYTES, device_key, (size_t)CX_HASH_BYTES) != CX_OK)
        return done_c(&c, db_fail(d, e));
    if (dup) return done_c(&c, fail_dup(d, e));
    int64_t cid = 0;
    int rc = db_i64(d, &cid, 0, "INSERT INTO consultation_comment (consultation_id, rater_key, device_key, text, created_at) VALUES (?,?,?,?,?) RETURNING id",
                    "ibbsi", id, rater_key, (size_t)CX_HASH_BYTES, device_key, (size_t)CX_HASH_BYTES, text, now_unix());
    if (rc != CX_OK && (db_is_unique(d, "consultation_comment_rater", "consultation_comment.consultation_id, consultation_comment.rater_key") ||
                        db_is_unique(d, "consultation_comment_device", "consultation_comment.consultation_id, consultation_comment.device_key")))
        return done_c(&c, fail_dup(d, e));
    if (rc == CX_OK) rc = db_run(d, "UPDATE consultation SET version = version + 1 WHERE id = ?", "i", id);
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "consultation_id", id);
    cJSON_AddStringToObject(j, "text", text);
    rc = store_finish(d, a, "comment", "consultation_comment", cid, c.org_id, NULL, json_take(j), rc, e);
    if (rc == CX_OK && comment_id) *comment_id = cid;
    return done_c(&c, rc);
}

int consultation_of_comment(db *d, int64_t comment_id, int64_t *consultation_id)
{
    *consultation_id = 0;
    int rc = db_i64(d, consultation_id, 0, "SELECT consultation_id FROM consultation_comment WHERE id = ?", "i", comment_id);
    if (rc != CX_OK) return CX_ERR;
    return *consultation_id > 0 ? 1 : 0;
}

int consultation_reply(db *d, const actor *a, int64_t comment_id, const char *reply, cx_err *e)
{
    char *clean = clean_text(reply, "reply", "答复", CONSULT_REPLY_MAX, true, e);
    if (!clean) return CX_ERR;
    int64_t cid = 0;
    int f = consultation_of_comment(d, comment_id, &cid);
    if (f != 1) {
        free(clean);
        return f == 0 ? cx_fail(e, 404, "not_found", "id", "意见不存在") : db_fail(d, e);
    }
    consultation c;
    if (begin_c(d, cid, &c, e) != CX_OK) return free(clean), done_c(&c, CX_ERR);
    char old[CONSULT_REPLY_MAX * 4 + 1] = "";
    db_stmt *s = db_prepare(d, "SELECT reply FROM consultation_comment WHERE id = ?");
    if (s) {
        db_bind_i64(s, 1, comment_id);
        if (db_step(s) == DB_ROW) copy_col(old, sizeof old, s, 0);
        db_done(s);
    }
    int rc = db_run(d, "UPDATE consultation_comment SET reply = ?, replied_at = ?, replied_by = ? WHERE id = ?", "sisi", clean, now_unix(), actor_shown(a),
                    comment_id);
    if (rc == CX_OK) rc = db_run(d, "UPDATE consultation SET version = version + 1 WHERE id = ?", "i", cid);
    rc = store_finish(d, a, "reply", "consultation_comment", comment_id, c.org_id, *old ? text_json("reply", old) : NULL, text_json("reply", clean), rc, e);
    free(clean);
    return done_c(&c, rc);
}
