/* news.c: news items and cases: submission with photos, the office's decisions, lists, the
 * public's nominations and the monthly roll-up with its recount (news.h). */
#include "news.h"
#include "row.h"
#include "../domain/orgpath.h"
#include "../domain/text.h"
#include "../lib/crypto.h"
#include "../lib/json.h"
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define NEWS_COLS                                                                                                    \
    "n.id, n.org_id, n.office_id, n.nominations, n.version, n.created_at, n.adopted_at, n.published_at, "              \
    "(SELECT count(*) FROM news_photo p WHERE p.item_id = n.id), n.kind, n.status, n.visibility, n.title, "           \
    "n.submitted_month, n.adopted_month, n.note, o.name, o.path, coalesce(f.name, ''), coalesce(f.path, ''), n.body"
#define NEWS_FROM " FROM news_item n JOIN org o ON o.id = n.org_id LEFT JOIN org f ON f.id = n.office_id"
#define NEWS_PHOTO_INSERT "INSERT INTO news_photo (item_id, mime, name, size, data, author, created_at) VALUES (?,?,?,?,?,?,?)"

static void read_news(db_stmt *s, news_item *n, bool body)
{
    n->id = db_col_i64(s, 0);
    n->org_id = db_col_i64(s, 1);
    n->office_id = db_col_i64(s, 2);
    n->nominations = db_col_i64(s, 3);
    n->version = db_col_i64(s, 4);
    n->created_at = db_col_i64(s, 5);
    n->adopted_at = db_col_i64(s, 6);
    n->published_at = db_col_i64(s, 7);
    n->nphotos = db_col_i64(s, 8);
    n->kind = news_kind_from_name(db_col_text(s, 9));
    n->status = news_status_from_name(db_col_text(s, 10));
    n->is_public = !strcmp(db_col_text(s, 11) ?: "", "public");
    copy_col(n->title, sizeof n->title, s, 12);
    copy_col(n->submitted_month, sizeof n->submitted_month, s, 13);
    copy_col(n->adopted_month, sizeof n->adopted_month, s, 14);
    copy_col(n->note, sizeof n->note, s, 15);
    copy_col(n->org_name, sizeof n->org_name, s, 16);
    copy_col(n->org_path, sizeof n->org_path, s, 17);
    copy_col(n->office_name, sizeof n->office_name, s, 18);
    copy_col(n->office_path, sizeof n->office_path, s, 19);
    free(n->body);
    n->body = body ? xstrdup(db_col_text(s, 20) ?: "") : NULL;
}

/* A row of a list: no body (nothing owned). */
static void read_listed(db_stmt *s, news_item *n)
{
    n->body = NULL;
    read_news(s, n, false);
}

void news_item_clear(news_item *n)
{
    free(n->body);
    n->body = NULL;
}

static void read_full(db_stmt *s, void *out) { read_news(s, out, true); }

int news_get(db *d, int64_t id, news_item *n)
{
    return row_by_id(d, "SELECT " NEWS_COLS NEWS_FROM " WHERE n.id = ?", id, read_full, n, sizeof *n);
}

/* The photos' checks: evidence_check's limits, then images only. */
static int photos_check(const evidence_in *photos, int nphotos, const char **mimes, cx_err *e)
{
    if (nphotos > NEWS_PHOTOS_MAX) return cx_fail(e, 400, "too_many_files", "photo", "每条信息最多 %d 张照片", NEWS_PHOTOS_MAX);
    if (nphotos && evidence_check(photos, nphotos, mimes, e) != CX_OK) {
        snprintf(e->field, sizeof e->field, "photo");
        if (!strcmp(e->code, "evidence_type")) snprintf(e->msg, sizeof e->msg, "照片只能是 JPEG 或 PNG 图片");
        else if (str_starts(e->msg, "佐证文件")) { /* the same message, naming what the field holds */
            char m[sizeof e->msg];
            snprintf(m, sizeof m, "照片%s", e->msg + strlen("佐证文件"));
            snprintf(e->msg, sizeof e->msg, "%s", m);
        }
        return CX_ERR;
    }
    for (int i = 0; i < nphotos; i++)
        if (strncmp(mimes[i], "image/", 6))
            return cx_fail(e, 400, "evidence_type", "photo", "照片只能是 JPEG 或 PNG 图片（第 %d 个文件不是图片）", i + 1);
    return CX_OK;
}

static char *news_json(const news_ok *in, const char *status, cJSON *photos)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "kind", news_kind_name(in->kind));
    cJSON_AddStringToObject(j, "title", in->title);
    cJSON_AddStringToObject(j, "body", in->body ? in->body : "");
    if (status) cJSON_AddStringToObject(j, "status", status);
    if (photos) cJSON_AddItemToObject(j, "photos", photos);
    return json_take(j);
}

static char *stored_json(const news_item *n)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "kind", news_kind_name(n->kind));
    cJSON_AddStringToObject(j, "title", n->title);
    cJSON_AddStringToObject(j, "body", n->body ? n->body : "");
    cJSON_AddStringToObject(j, "status", news_status_name(n->status));
    cJSON_AddStringToObject(j, "visibility", n->is_public ? "public" : "internal");
    return json_take(j);
}

/* Adds one to news_month's column col ("submitted" | "adopted") of (org, month). */
static int month_add(db *d, int64_t org_id, const char *month, bool adopted)
{
    return db_run(d, adopted ? "INSERT INTO news_month (org_id, month, submitted, adopted) VALUES (?,?,0,1) "
                               "ON CONFLICT (org_id, month) DO UPDATE SET adopted = news_month.adopted + 1"
                             : "INSERT INTO news_month (org_id, month, submitted, adopted) VALUES (?,?,1,0) "
                               "ON CONFLICT (org_id, month) DO UPDATE SET submitted = news_month.submitted + 1",
                  "is", org_id, month);
}

int news_submit(db *d, const actor *a, int64_t org_id, const news_ok *in, const evidence_in *photos, int nphotos, int64_t *id, cx_err *e)
{
    const char *mimes[NEWS_PHOTOS_MAX + 1];
    if (photos_check(photos, nphotos, mimes, e) != CX_OK) return CX_ERR;
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    org o;
    if (tx_active_org(d, org_id, &o, e) != CX_OK) return CX_ERR;
    int64_t now = now_unix(), nid = 0;
    char month[8];
    news_month_of(now, month);
    int rc = db_i64(d, &nid, 0,
                    "INSERT INTO news_item (org_id, kind, title, body, submitted_month, created_by, created_at) VALUES (?,?,?,?,?,?,?) RETURNING id",
                    "issssii", org_id, news_kind_name(in->kind), in->title, in->body, month, a->user_id, now);
    if (rc == CX_OK && nid <= 0) rc = CX_ERR;
    cJSON *names = cJSON_CreateArray();
    if (rc == CX_OK) rc = attachment_store(d, a, NEWS_PHOTO_INSERT, nid, photos, mimes, nphotos, "照片", names);
    if (rc == CX_OK) rc = month_add(d, org_id, month, false);
    if (store_finish(d, a, "submit", "news", nid, org_id, NULL, news_json(in, "submitted", names), rc, e) != CX_OK) return CX_ERR;
    if (id) *id = nid;
    return CX_OK;
}

static int get_news(db *d, int64_t id, void *n) { return news_get(d, id, n); }

/* Loads the item inside a write transaction (serialised per item), or fails with 404. */
static int begin_news(db *d, int64_t id, news_item *n, cx_err *e)
{
    memset(n, 0, sizeof *n);
    return tx_begin_locked(d, "news", id, get_news, n, "信息不存在", e);
}

static int fail_news(db *d, news_item *n, int rc)
{
    (void)d;
    news_item_clear(n);
    return rc;
}

/* Refuses (409 news_final) an item published or declined. */
static bool final_state(db *d, const news_item *n, cx_err *e)
{
    if (n->status != NS_PUBLISHED && n->status != NS_DECLINED) return false;
    cx_fail(e, 409, "news_final", "id", "这条信息已%s，不能再修改", news_status_label(n->status));
    refuse(d);
    return true;
}

int news_edit(db *d, const actor *a, int64_t id, bool office, const news_ok *in, cx_err *e)
{
    news_item n;
    if (begin_news(d, id, &n, e) != CX_OK) return fail_news(d, &n, CX_ERR);
    if (final_state(d, &n, e)) return fail_news(d, &n, CX_ERR);
    if (!office && n.status != NS_SUBMITTED) {
        cx_fail(e, 409, "news_adopted", "id", "这条信息已被采用，只能由活动办公室修改");
        refuse(d);
        return fail_news(d, &n, CX_ERR);
    }
    int rc = db_run(d, "UPDATE news_item SET kind = ?, title = ?, body = ?, version = version + 1 WHERE id = ?", "sssi", news_kind_name(in->kind),
                    in->title, in->body, id);
    char *before = stored_json(&n);
    rc = store_finish(d, a, "edit", "news", id, n.org_id, before, news_json(in, NULL, NULL), rc, e);
    return fail_news(d, &n, rc);
}

int news_add_photos(db *d, const actor *a, int64_t id, const evidence_in *photos, int nphotos, cx_err *e)
{
    const char *mimes[NEWS_PHOTOS_MAX + 1];
    if (nphotos < 1) return cx_fail(e, 400, "required", "photo", "请选择要上传的照片（JPEG 或 PNG）");
    if (photos_check(photos, nphotos, mimes, e) != CX_OK) return CX_ERR;
    news_item n;
    if (begin_news(d, id, &n, e) != CX_OK) return fail_news(d, &n, CX_ERR);
    if (final_state(d, &n, e)) return fail_news(d, &n, CX_ERR);
    if (n.nphotos + nphotos > NEWS_PHOTOS_MAX) {
        cx_fail(e, 400, "too_many_files", "photo", "每条信息最多 %d 张照片（已有 %" PRId64 " 张）", NEWS_PHOTOS_MAX, n.nphotos);
        refuse(d);
        return fail_news(d, &n, CX_ERR);
    }
    cJSON *names = cJSON_CreateArray();
    int rc = attachment_store(d, a, NEWS_PHOTO_INSERT, id, photos, mimes, nphotos, "照片", names);
    if (rc == CX_OK) rc = db_run(d, "UPDATE news_item SET version = version + 1 WHERE id = ?", "i", id);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddItemToObject(j, "photos", names);
    rc = store_finish(d, a, "add_photos", "news", id, n.org_id, NULL, json_take(j), rc, e);
    return fail_news(d, &n, rc);
}

/* The office's step from state `from`: refuses (409 news_state) otherwise. */
static bool wrong_state(db *d, const news_item *n, int from, const char *step, cx_err *e)
{
    if (n->status == from) return false;
    cx_fail(e, 409, "news_state", "id", "这条信息%s，不能%s", news_status_label(n->status), step);
    refuse(d);
    return true;
}

static char *decision_json(const char *status, int64_t office_id, const char *extra_key, const char *extra)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "status", status);
    json_add_i64(j, "office_id", office_id);
    if (extra_key) cJSON_AddStringToObject(j, extra_key, extra);
    return json_take(j);
}

int news_adopt(db *d, const actor *a, int64_t id, int64_t office_id, cx_err *e)
{
    news_item n;
    if (begin_news(d, id, &n, e) != CX_OK) return fail_news(d, &n, CX_ERR);
    if (wrong_state(d, &n, NS_SUBMITTED, "采用", e)) return fail_news(d, &n, CX_ERR);
    int64_t now = now_unix();
    char month[8];
    news_month_of(now, month);
    int rc = db_run(d, "UPDATE news_item SET status = 'adopted', office_id = ?, adopted_at = ?, adopted_month = ?, version = version + 1 WHERE id = ?",
                    "iisi", office_id, now, month, id);
    if (rc == CX_OK) rc = month_add(d, n.org_id, month, true);
    rc = store_finish(d, a, "adopt", "news", id, n.org_id, decision_json("submitted", 0, NULL, NULL), decision_json("adopted", office_id, "month", month), rc, e);
    return fail_news(d, &n, rc);
}

int news_decline(db *d, const actor *a, int64_t id, int64_t office_id, const char *note, cx_err *e)
{
    char *clean = clean_text(note, "note", "不采用的理由", NEWS_NOTE_MAX, true, e);
    if (!clean) return CX_ERR;
    news_item n;
    if (begin_news(d, id, &n, e) != CX_OK || wrong_state(d, &n, NS_SUBMITTED, "标为不采用", e)) {
        free(clean);
        return fail_news(d, &n, CX_ERR);
    }
    int rc = db_run(d, "UPDATE news_item SET status = 'declined', office_id = ?, note = ?, version = version + 1 WHERE id = ?", "isi", office_id, clean, id);
    rc = store_finish(d, a, "decline", "news", id, n.org_id, decision_json("submitted", 0, NULL, NULL), decision_json("declined", office_id, "note", clean), rc, e);
    free(clean);
    return fail_news(d, &n, rc);
}

int news_publish(db *d, const actor *a, int64_t id, int64_t office_id, bool is_public, cx_err *e)
{
    news_item n;
    if (begin_news(d, id, &n, e) != CX_OK) return fail_news(d, &n, CX_ERR);
    if (wrong_state(d, &n, NS_ADOPTED, "发布（须先采用）", e)) return fail_news(d, &n, CX_ERR);
    const char *vis = is_public ? "public" : "internal";
    int rc = db_run(d, "UPDATE news_item SET status = 'published', visibility = ?, office_id = ?, published_at = ?, version = version + 1 WHERE id = ?",
                    "siii", vis, office_id, now_unix(), id);
    rc = store_finish(d, a, "publish", "news", id, n.org_id, decision_json("adopted", n.office_id, NULL, NULL), decision_json("published", office_id, "visibility", vis),
                      rc, e);
    return fail_news(d, &n, rc);
}

/* q's conditions on a query over NEWS_FROM. */
static void news_where(db_q *dq, const news_query *q, char end[CX_PATH_MAX])
{
    if (q->path) {
        orgpath_end(q->path, end, CX_PATH_MAX);
        db_q_where(dq, "o.path >= ? AND o.path < ?", "ss", q->path, end);
    }
    if (q->status >= 0) db_q_where(dq, "n.status = ?", "s", news_status_name(q->status));
    if (q->kind >= 0) db_q_where(dq, "n.kind = ?", "s", news_kind_name(q->kind));
    if (q->public_only) db_q_where(dq, "n.status = 'published' AND n.visibility = 'public'", "");
}

int news_list(db *d, const news_query *q, news_fn fn, void *ctx)
{
    db_q dq;
    char end[CX_PATH_MAX];
    db_q_init(&dq, "SELECT " NEWS_COLS NEWS_FROM);
    news_where(&dq, q, end);
    db_stmt *s = page_stmt(d, &dq, q->public_only ? " ORDER BY n.published_at DESC, n.id DESC" : " ORDER BY n.created_at DESC, n.id DESC", q->offset, q->limit);
    if (!s) return CX_ERR;
    return DB_EACH(s, news_item, read_listed, fn, ctx);
}

int news_count(db *d, const news_query *q, int64_t *n)
{
    db_q dq;
    char end[CX_PATH_MAX];
    db_q_init(&dq, "SELECT count(*)" NEWS_FROM);
    news_where(&dq, q, end);
    return db_q_count(d, &dq, n);
}

int news_desk_counts(db *d, const org *office, int64_t *submitted, int64_t *adopted)
{
    char end[CX_PATH_MAX];
    orgpath_end(office->path, end, sizeof end);
    db_stmt *s = db_prepare(d, "SELECT coalesce(sum(CASE WHEN n.status = 'submitted' THEN 1 ELSE 0 END), 0), "
                               "coalesce(sum(CASE WHEN n.status = 'adopted' THEN 1 ELSE 0 END), 0) FROM news_item n JOIN org o ON o.id = n.org_id "
                               "WHERE o.path >= ? AND o.path < ? AND n.org_id <> ? AND n.status IN ('submitted','adopted')");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, office->path);
    db_bind_text(s, 2, end);
    db_bind_i64(s, 3, office->id);
    int rc = db_step(s);
    if (rc == DB_ROW) *submitted = db_col_i64(s, 0), *adopted = db_col_i64(s, 1);
    db_done(s);
    return rc == DB_ROW ? CX_OK : CX_ERR;
}

int news_public_version(db *d, int64_t *n, int64_t *sum)
{
    db_stmt *s = db_prepare(d, "SELECT count(*), coalesce(sum(version), 0), coalesce(max(id), 0) FROM news_item WHERE status = 'published' AND visibility = 'public'");
    if (!s) return CX_ERR;
    int rc = db_step(s);
    if (rc == DB_ROW) *n = db_col_i64(s, 0), *sum = db_col_i64(s, 1) * 1000003 + db_col_i64(s, 2);
    db_done(s);
    return rc == DB_ROW ? CX_OK : CX_ERR;
}

int news_photo_list(db *d, int64_t item_id, attachment_fn fn, void *ctx)
{
    return attachment_list(d, "SELECT id, size, name, mime, author FROM news_photo WHERE item_id = ? ORDER BY id", item_id, fn, ctx);
}

int news_photo_get(db *d, int64_t photo_id, buf *out, char mime[32], char name[128], int64_t *item_id)
{
    return attachment_get(d, "SELECT mime, name, data, item_id FROM news_photo WHERE id = ?", photo_id, out, mime, name, item_id);
}

int news_nominate(db *d, const actor *a, int64_t id, const unsigned char *rater_key, const unsigned char *device_key, cx_err *e)
{
    news_item n;
    if (begin_news(d, id, &n, e) != CX_OK) return fail_news(d, &n, CX_ERR);
    if (n.status != NS_PUBLISHED || !n.is_public || n.kind != NK_CASE) {
        cx_fail(e, 404, "not_found", "id", "该典型不存在或未向社会公开");
        refuse(d);
        return fail_news(d, &n, CX_ERR);
    }
    int64_t dup = 0;
    int rc = db_i64(d, &dup, 0, "SELECT count(*) FROM news_nomination WHERE item_id = ? AND (rater_key = ? OR device_key = ?)", "ibb", id, rater_key,
                    (size_t)CX_HASH_BYTES, device_key, (size_t)CX_HASH_BYTES);
    if (rc != CX_OK) return fail_news(d, &n, db_fail(d, e));
    if (dup) {
        cx_fail(e, 409, "already_nominated", "phone", "您（这个手机号或这台设备）已经推选过这个典型，每人只能推选一次");
        refuse(d);
        return fail_news(d, &n, CX_ERR);
    }
    rc = db_run(d, "INSERT INTO news_nomination (item_id, rater_key, device_key, created_at) VALUES (?,?,?,?)", "ibbi", id, rater_key,
                (size_t)CX_HASH_BYTES, device_key, (size_t)CX_HASH_BYTES, now_unix());
    if (rc != CX_OK && (db_is_unique(d, "news_nomination_rater", "news_nomination.item_id, news_nomination.rater_key") ||
                        db_is_unique(d, "news_nomination_device", "news_nomination.item_id, news_nomination.device_key"))) {
        cx_fail(e, 409, "already_nominated", "phone", "您（这个手机号或这台设备）已经推选过这个典型，每人只能推选一次");
        refuse(d);
        return fail_news(d, &n, CX_ERR);
    }
    if (rc == CX_OK) rc = db_run(d, "UPDATE news_item SET nominations = nominations + 1, version = version + 1 WHERE id = ?", "i", id);
    rc = store_finish(d, a, "nominate", "news", id, n.org_id, NULL, NULL, rc, e);
    return fail_news(d, &n, rc);
}

/* The counts the items themselves give, per (org, month): the recount's "want". */
#define NEWS_WANT                                                                                                    \
    "WITH want AS (SELECT org_id, month, sum(s) AS submitted, sum(a) AS adopted FROM ("                              \
    "SELECT org_id, submitted_month AS month, 1 AS s, 0 AS a FROM news_item UNION ALL "                              \
    "SELECT org_id, adopted_month AS month, 0 AS s, 1 AS a FROM news_item WHERE adopted_month <> '') x GROUP BY org_id, month) "

int news_months(db *d, const char *path, const char *m0, const char *m1, bool raw, news_month_fn fn, void *ctx)
{
    char end[CX_PATH_MAX];
    orgpath_end(path, end, sizeof end);
    db_stmt *s = db_prepare(d, raw ? NEWS_WANT "SELECT w.month, sum(w.submitted), sum(w.adopted) FROM want w JOIN org o ON o.id = w.org_id "
                                             "WHERE o.path >= ? AND o.path < ? AND w.month >= ? AND w.month <= ? GROUP BY w.month ORDER BY w.month"
                                   : "SELECT m.month, sum(m.submitted), sum(m.adopted) FROM news_month m JOIN org o ON o.id = m.org_id "
                                     "WHERE o.path >= ? AND o.path < ? AND m.month >= ? AND m.month <= ? GROUP BY m.month ORDER BY m.month");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, path);
    db_bind_text(s, 2, end);
    db_bind_text(s, 3, m0);
    db_bind_text(s, 4, m1);
    int rc;
    while ((rc = db_step(s)) == DB_ROW)
        if (fn(ctx, db_col_text(s, 0), db_col_i64(s, 1), db_col_i64(s, 2))) break;
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int news_recount(db *d, bool fix, FILE *out, int64_t *diffs)
{
    *diffs = 0;
    bool own = !d->in_tx;
    if (own && db_begin(d, fix) != CX_OK) return CX_ERR;
    db_stmt *s = db_prepare(d, NEWS_WANT ", k AS (SELECT org_id, month FROM want UNION SELECT org_id, month FROM news_month "
                                         "WHERE submitted <> 0 OR adopted <> 0) "
                                         "SELECT k.org_id, k.month, coalesce(m.submitted, 0), coalesce(m.adopted, 0), coalesce(w.submitted, 0), "
                                         "coalesce(w.adopted, 0), coalesce(o.name, '') FROM k "
                                         "LEFT JOIN news_month m ON m.org_id = k.org_id AND m.month = k.month "
                                         "LEFT JOIN want w ON w.org_id = k.org_id AND w.month = k.month LEFT JOIN org o ON o.id = k.org_id "
                                         "WHERE coalesce(m.submitted, 0) <> coalesce(w.submitted, 0) OR coalesce(m.adopted, 0) <> coalesce(w.adopted, 0) "
                                         "ORDER BY k.month, k.org_id");
    int rc = s ? CX_OK : CX_ERR;
    while (s && (rc = db_step(s)) == DB_ROW) {
        (*diffs)++;
        if (out)
            fprintf(out, "信息报送 %s 组织 %s（编号 %" PRId64 "）：记录为报送 %" PRId64 " 条、采用 %" PRId64 " 条，按原始记录应为报送 %" PRId64 " 条、采用 %" PRId64 " 条\n",
                    db_col_text(s, 1), db_col_text(s, 6), db_col_i64(s, 0), db_col_i64(s, 2), db_col_i64(s, 3), db_col_i64(s, 4), db_col_i64(s, 5));
    }
    if (s) db_done(s);
    rc = rc == CX_ERR ? CX_ERR : CX_OK;
    if (rc == CX_OK && fix && *diffs) {
        rc = db_run(d, "DELETE FROM news_month", "");
        if (rc == CX_OK) rc = db_run(d, "INSERT INTO news_month (org_id, month, submitted, adopted) " NEWS_WANT "SELECT org_id, month, submitted, adopted FROM want", "");
        char after[64];
        snprintf(after, sizeof after, "{\"differences\":%" PRId64 "}", *diffs);
        if (rc == CX_OK) rc = audit_append(d, &actor_cli, "period.recount_fix", "news_month", 0, 0, NULL, after, "ok");
    }
    if (!own) return rc;
    if (rc == CX_OK && fix) rc = db_commit(d);
    else db_rollback(d);
    return rc;
}
