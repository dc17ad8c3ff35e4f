/* news.c: news items and cases (简报 / 信息报送, 典型), issue 22: an organisation's list and the
 * submission form (with photos), an item's page (edit, photos, the office's adopt / decline /
 * publish), the public list /p/news and item page (cached by the version of what they show, so a
 * publication changes their ETag) and the public's nomination of a case, one per verified phone
 * and device (the rating flow's SMS codes and device tokens, public_rater in consultation.c). */
#include "rating_int.h"
#include "pager.h"
#include "../store/news.h"
#include "../store/rater.h"
#include "../domain/date.h"
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static cJSON *news_json(const news_item *n, bool staff)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", n->id);
    cJSON_AddStringToObject(j, "kind", news_kind_name(n->kind));
    cJSON_AddStringToObject(j, "kind_label", news_kind_label(n->kind));
    cJSON_AddStringToObject(j, "title", n->title);
    if (n->body) cJSON_AddStringToObject(j, "body", n->body);
    cJSON_AddStringToObject(j, "org_name", n->org_name);
    json_add_i64(j, "nominations", n->nominations);
    cJSON_AddBoolToObject(j, "is_case", n->kind == NK_CASE);
    char day[32];
    if (n->published_at) {
        time_text(n->published_at, false, day);
        day[10] = 0;
        cJSON_AddStringToObject(j, "published_on", day);
    }
    if (!staff) return j;
    json_add_i64(j, "org_id", n->org_id);
    cJSON_AddStringToObject(j, "status", news_status_name(n->status));
    cJSON_AddStringToObject(j, "status_label", news_status_label(n->status));
    cJSON_AddStringToObject(j, "visibility", n->is_public ? "public" : "internal");
    cJSON_AddStringToObject(j, "submitted_month", n->submitted_month);
    cJSON_AddStringToObject(j, "adopted_month", n->adopted_month);
    if (n->office_id) json_add_i64(j, "office_id", n->office_id), cJSON_AddStringToObject(j, "office_name", n->office_name);
    cJSON_AddStringToObject(j, "note", n->note);
    json_add_i64(j, "photos_count", n->nphotos);
    json_add_time(j, "created_at", n->created_at);
    return j;
}

typedef struct list_ctx {
    cJSON *arr;
    bool staff;
} list_ctx;
static int add_news(void *ctx, const news_item *n)
{
    list_ctx *c = ctx;
    cJSON_AddItemToArray(c->arr, news_json(n, c->staff));
    return 0;
}

int64_t office_above(const principal *u, const char *path)
{
    int64_t id = 0;
    size_t best = 0;
    for (int i = 0; i < u->ngrants; i++) {
        const grant *g = &u->grants[i];
        size_t n = strlen(g->path);
        if (g->role == ROLE_OFFICE && path_in_subtree(path, g->path) && strcmp(path, g->path) && n > best) best = n, id = g->org_id;
    }
    return id;
}

/* Whether the user holds a staff role anywhere in the subtree of path (an item published
 * internally by the office there reaches it). */
static bool staff_within(const principal *u, const char *path)
{
    for (int i = 0; i < u->ngrants; i++)
        if ((u->grants[i].role & ROLE_STAFF) && path_in_subtree(u->grants[i].path, path)) return true;
    return false;
}

/* Whether the user may read item n: staff over its organisation, or, published internally, staff
 * within the publishing office's subtree (a public one: anyone, on /p/news). */
static bool may_read(const principal *u, const news_item *n)
{
    return perm_allows(u, ROLE_STAFF, n->org_path) || (n->status == NS_PUBLISHED && n->office_path[0] && staff_within(u, n->office_path));
}

/* ---- an organisation's items and the submission ---- */

static bool status_kind(req *r, int *status, int *kind)
{
    const char *s = req_query(r, "status"), *k = req_query(r, "kind");
    *status = s && *s ? news_status_from_name(s) : -1;
    *kind = k && *k ? news_kind_from_name(k) : -1;
    if (s && *s && *status < 0) return req_failf(r, 400, "invalid_query", "status", "状态应为 submitted、adopted、declined 或 published"), false;
    if (k && *k && *kind < 0) return req_failf(r, 400, "invalid_query", "kind", "类别应为 news 或 case"), false;
    return true;
}

/* GET /orgs/:id/news (?status=&kind=&page=&per_page=) */
void h_news_list(req *r)
{
    int64_t id;
    org o;
    pager pg;
    int status, kind;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_STAFF, &o) || !status_kind(r, &status, &kind) || !pager_read(r, 20, 200, &pg)) return;
    news_query q = {.path = o.path, .status = status, .kind = kind};
    int64_t total = 0;
    if (news_count(r->db, &q, &total) != CX_OK) return req_failf(r, 500, "db_error", "", "读取信息失败");
    pager_set_total(&pg, total);
    q.offset = pager_offset(&pg), q.limit = pg.per_page;
    cJSON *d = req_data(r);
    list_ctx c = {cJSON_AddArrayToObject(d, "items"), true};
    if (news_list(r->db, &q, add_news, &c) != CX_OK) return req_failf(r, 500, "db_error", "", "读取信息失败");
    pager_json(r, d, &pg);
    cJSON_AddItemToObject(d, "org", json_org(&o));
    char title[320];
    snprintf(title, sizeof title, "%s：简报信息与典型", o.name);
    cJSON_AddStringToObject(d, "title", title);
    cJSON_AddBoolToObject(d, "can_submit", perm_allows(&r->user, ROLE_ADMIN, o.path));
    if (status >= 0) cJSON_AddStringToObject(d, "status", news_status_name(status));
}

/* POST /orgs/:id/news {kind, title, body, photo files} */
void h_news_submit(req *r)
{
    int64_t id, nid = 0;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ADMIN, &o)) return;
    evidence_in files[NEWS_PHOTOS_MAX + 1];
    int nf = req_files(r, "photo", files, NEWS_PHOTOS_MAX + 1);
    cx_err e = {0};
    news_ok ok;
    if (news_check(req_in(r, "kind"), req_in(r, "title"), req_in(r, "body"), &ok, &e) != CX_OK ||
        news_submit(r->db, &r->who, o.id, &ok, files, nf, &nid, &e) != CX_OK) {
        news_ok_free(&ok);
        return req_fail(r, &e);
    }
    news_ok_free(&ok);
    if (!req_is_api(r)) return req_redirect(r, "/news/%" PRId64, nid);
    news_item n = {0};
    if (req_found(r, news_get(r->db, nid, &n), "id", "信息")) {
        r->status = 201;
        cJSON_AddItemToObject(req_data(r), "item", news_json(&n, true));
    }
    news_item_clear(&n);
}

/* The item of the path's :id the user may see: staff over its organisation, or (published
 * internally) staff of the publishing office's subtree; 404 otherwise. Clear n afterwards. */
static bool req_news(req *r, news_item *n, int mask)
{
    int64_t id;
    memset(n, 0, sizeof *n);
    if (!req_id(r, 0, &id)) return false;
    int f = news_get(r->db, id, n);
    bool seen = f == 1 && (perm_allows(&r->user, mask, n->org_path) || (mask == ROLE_STAFF && may_read(&r->user, n)));
    if (f == CX_ERR) return req_failf(r, 500, "db_error", "", "数据库错误"), false;
    if (!seen) return req_failf(r, 404, "not_found", "id", "信息不存在或不在您的管理范围内"), false;
    return true;
}

static int add_photo(void *ctx, const attachment *a) { return add_attachment(ctx, a); }

/* GET /news/:id */
void h_news(req *r)
{
    news_item n = {0};
    if (!req_news(r, &n, ROLE_STAFF)) return news_item_clear(&n);
    cJSON *d = req_data(r), *x = news_json(&n, true);
    cJSON_AddItemToObject(d, "item", x);
    if (news_photo_list(r->db, n.id, add_photo, cJSON_AddArrayToObject(x, "photos")) != CX_OK) {
        news_item_clear(&n);
        return req_failf(r, 500, "db_error", "", "读取照片失败");
    }
    cJSON_AddStringToObject(d, "title", n.title);
    bool office = office_above(&r->user, n.org_path) != 0, admin = perm_allows(&r->user, ROLE_ADMIN, n.org_path);
    bool open = n.status == NS_SUBMITTED || n.status == NS_ADOPTED;
    cJSON_AddBoolToObject(d, "can_edit", open && (office || (admin && n.status == NS_SUBMITTED)));
    cJSON_AddBoolToObject(d, "can_decide", office && n.status == NS_SUBMITTED);
    cJSON_AddBoolToObject(d, "can_publish", office && n.status == NS_ADOPTED);
    cJSON_AddBoolToObject(d, "public_link", n.status == NS_PUBLISHED && n.is_public);
    cJSON *kinds = cJSON_AddArrayToObject(d, "kinds");
    for (int k = 0; k < NK_COUNT; k++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "value", news_kind_name(k));
        cJSON_AddStringToObject(o, "label", news_kind_label(k));
        cJSON_AddBoolToObject(o, "selected", k == n.kind);
        cJSON_AddItemToArray(kinds, o);
    }
    news_item_clear(&n);
}

static void news_done(req *r, int64_t id)
{
    news_item n = {0};
    if (!req_is_api(r)) return req_redirect(r, "/news/%" PRId64, id);
    if (news_get(r->db, id, &n) == 1) cJSON_AddItemToObject(req_data(r), "item", news_json(&n, true));
    news_item_clear(&n);
}

/* PATCH /api/v1/news/:id, POST /news/:id/edit: fields not sent keep their value. */
void h_news_edit(req *r)
{
    news_item n = {0};
    if (!req_news(r, &n, ROLE_ADMIN)) return news_item_clear(&n);
    const char *k = req_in(r, "kind"), *t = req_in(r, "title"), *b = req_in(r, "body");
    cx_err e = {0};
    news_ok ok;
    int rc = news_check(k ? k : news_kind_name(n.kind), t ? t : n.title, b ? b : n.body, &ok, &e);
    if (rc == CX_OK) rc = news_edit(r->db, &r->who, n.id, office_above(&r->user, n.org_path) != 0, &ok, &e);
    news_ok_free(&ok);
    int64_t id = n.id;
    news_item_clear(&n);
    if (rc != CX_OK) return req_fail(r, &e);
    news_done(r, id);
}

/* POST /news/:id/photos (multipart: photo) */
void h_news_photos(req *r)
{
    news_item n = {0};
    if (!req_news(r, &n, ROLE_ADMIN)) return news_item_clear(&n);
    int64_t id = n.id;
    news_item_clear(&n);
    evidence_in files[NEWS_PHOTOS_MAX + 1];
    int nf = req_files(r, "photo", files, NEWS_PHOTOS_MAX + 1);
    cx_err e = {0};
    if (news_add_photos(r->db, &r->who, id, files, nf, &e) != CX_OK) return req_fail(r, &e);
    if (req_is_api(r)) r->status = 201;
    news_done(r, id);
}

/* POST /news/:id/adopt | decline {note} | publish {visibility}: an office above the item only. */
void h_news_act(req *r)
{
    news_item n = {0};
    if (!req_news(r, &n, ROLE_STAFF)) return news_item_clear(&n);
    int64_t id = n.id, office = office_above(&r->user, n.org_path);
    news_item_clear(&n);
    if (!office) return req_failf(r, 403, "forbidden", "", "只有上级活动办公室可以采用、发布信息（本组织不能采用自己报送的信息）");
    cx_err e = {0};
    int rc;
    if (r->rt->action == NS_ADOPTED) rc = news_adopt(r->db, &r->who, id, office, &e);
    else if (r->rt->action == NS_DECLINED) rc = news_decline(r->db, &r->who, id, office, req_in(r, "note"), &e);
    else {
        int vis = news_visibility(req_in(r, "visibility"), &e);
        rc = vis == CX_ERR ? CX_ERR : news_publish(r->db, &r->who, id, office, vis == 1, &e);
    }
    if (rc != CX_OK) return req_fail(r, &e);
    news_done(r, id);
}

/* GET /news-photos/:id: staff who may see the item. */
void h_news_photo(req *r)
{
    int64_t id, item = 0;
    if (!req_id(r, 0, &id)) return;
    char mime[32], name[128];
    buf_init(&r->file);
    int f = news_photo_get(r->db, id, &r->file, mime, name, &item);
    news_item n = {0};
    bool seen = f == 1 && news_get(r->db, item, &n) == 1 && may_read(&r->user, &n);
    news_item_clear(&n);
    if (!seen) {
        buf_free(&r->file);
        return req_failf(r, f == CX_ERR ? 500 : 404, f == CX_ERR ? "db_error" : "not_found", "id", "照片不存在或不在您的管理范围内");
    }
    r->file_mime = req_keep(r, xstrdup(mime));
}

/* ---- public: the list, an item, its photos, the nomination of a case ---- */

/* GET /p/news, GET /api/v1/public/news (?id= one item) */
void h_public_news_list(req *r)
{
    const char *one = req_is_api(r) ? req_query(r, "id") : NULL;
    if (one) {
        int64_t id = 0;
        if (str_to_i64(one, &id) != CX_OK || id <= 0) return req_failf(r, 400, "invalid_query", "id", "id 应为正整数");
        news_item n;
        int f = news_get(r->db, id, &n);
        if (f == 1 && (n.status != NS_PUBLISHED || !n.is_public)) f = 0;
        if (f == 1) cJSON_AddItemToObject(req_data(r), "item", news_json(&n, false));
        else req_failf(r, f == 0 ? 404 : 500, f == 0 ? "not_found" : "db_error", "id", "信息不存在或未向社会公开");
        news_item_clear(&n);
        return;
    }
    pager pg;
    if (!pager_read(r, 20, 100, &pg)) return;
    int64_t total = 0, sum = 0;
    if (news_public_version(r->db, &total, &sum) != CX_OK) return req_failf(r, 500, "db_error", "", "读取信息失败");
    char etag[96];
    snprintf(etag, sizeof etag, "\"news-%" PRId64 "-%" PRId64 "\"", total, sum);
    if (public_not_modified(r, etag)) return;
    pager_set_total(&pg, total);
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "简报信息与典型");
    news_query q = {.status = -1, .kind = -1, .public_only = true, .offset = pager_offset(&pg), .limit = pg.per_page};
    list_ctx c = {cJSON_AddArrayToObject(d, "items"), false};
    if (news_list(r->db, &q, add_news, &c) != CX_OK) return req_failf(r, 500, "db_error", "", "读取信息失败");
    pager_json(r, d, &pg);
}

/* The public item of the path's :id into the page's data (with its photos); false after failing. */
static bool public_item(req *r, news_item *n, bool cache)
{
    int64_t id;
    memset(n, 0, sizeof *n);
    if (!req_id(r, 0, &id)) return false;
    int f = news_get(r->db, id, n);
    if (f == 1 && (n->status != NS_PUBLISHED || !n->is_public)) f = 0;
    if (f != 1) return req_failf(r, f == 0 ? 404 : 500, f == 0 ? "not_found" : "db_error", "id", "信息不存在或未向社会公开"), false;
    char etag[64];
    snprintf(etag, sizeof etag, "\"news-item-%" PRId64 "-%" PRId64 "\"", n->id, n->version);
    if (cache && public_not_modified(r, etag)) return false;
    cJSON *d = req_data(r), *x = news_json(n, false);
    cJSON_AddItemToObject(d, "item", x);
    cJSON_AddStringToObject(d, "title", n->title);
    if (news_photo_list(r->db, n->id, add_photo, cJSON_AddArrayToObject(x, "photos")) != CX_OK)
        return req_failf(r, 500, "db_error", "", "读取照片失败"), false;
    cJSON_AddBoolToObject(d, "can_nominate", n->kind == NK_CASE);
    return true;
}

/* GET /p/news/:id */
void h_public_news(req *r)
{
    news_item n = {0};
    device_token(r, true); /* before the cache: a page from the cache gets its cookie too */
    if (public_item(r, &n, true)) {
        const char *done = req_query(r, "nominated");
        if (done && !strcmp(done, "1")) cJSON_AddStringToObject(req_data(r), "notice", "推选已收到，谢谢！");
    }
    news_item_clear(&n);
}

/* GET /p/news-photos/:id: a photo of a public item. */
void h_public_news_photo(req *r)
{
    int64_t id, item = 0;
    if (!req_id(r, 0, &id)) return;
    char mime[32], name[128], etag[64];
    news_item n = {0};
    buf_init(&r->file);
    int f = news_photo_get(r->db, id, &r->file, mime, name, &item);
    bool ok = f == 1 && news_get(r->db, item, &n) == 1 && n.status == NS_PUBLISHED && n.is_public;
    news_item_clear(&n);
    if (!ok) {
        buf_free(&r->file);
        return req_failf(r, 404, "not_found", "id", "照片不存在或未公开");
    }
    snprintf(etag, sizeof etag, "\"news-photo-%" PRId64 "\"", id); /* a photo never changes */
    buf keep = r->file;
    buf_init(&r->file);
    if (public_not_modified(r, etag)) return buf_free(&keep);
    buf_free(&r->file);
    r->file = keep;
    r->file_mime = req_keep(r, xstrdup(mime));
}

/* POST /p/news/:id/nominate (op=sms sends a code), POST /api/v1/public/news-nominations
 * {item_id, phone, code, device}: one nomination per verified phone and per device. */
void h_public_nominate(req *r)
{
    news_item n = {0};
    int64_t id = 0;
    cx_err e = {0};
    r->who.name = "群众"; /* the audit log's actor: the public */
    if (req_is_api(r)) {
        bool bad = false;
        id = query_id(r, "item_id", &bad);
        if (bad || id <= 0) return req_failf(r, 422, "invalid_item", "item_id", "请指明要推选的典型（item_id 应为正整数）");
        memset(&n, 0, sizeof n);
        int f = news_get(r->db, id, &n);
        bool ok = f == 1 && n.status == NS_PUBLISHED && n.is_public && n.kind == NK_CASE;
        news_item_clear(&n);
        if (!ok) return req_failf(r, f == CX_ERR ? 500 : 404, f == CX_ERR ? "db_error" : "not_found", "item_id", "该典型不存在或未向社会公开");
    } else {
        bool ok = public_item(r, &n, false);
        id = n.id;
        bool is_case = n.kind == NK_CASE;
        news_item_clear(&n);
        if (!ok) return;
        if (!is_case) return req_failf(r, 404, "not_found", "id", "只有典型可以推选");
        /* the page again, whatever the outcome: filled, with the code sent or the refusal beside the form */
        r->tmpl = "news_public";
        const char *ph = req_in(r, "phone");
        cJSON_AddStringToObject(cJSON_AddObjectToObject(req_data(r), "values"), "phone", ph && utf8_valid(ph, strlen(ph)) ? ph : "");
        const char *op = req_in(r, "op");
        if (op && !strcmp(op, "sms")) {
            if (public_sms(r, &e) != CX_OK) return req_fail(r, &e);
            cJSON_AddStringToObject(req_data(r), "sms_notice", "验证码已发送到您的手机，10 分钟内有效。");
            return;
        }
    }
    public_rater pr;
    if (public_rater_begin(r, "news", id, &pr, &e) != CX_OK) return req_fail(r, &e);
    if (news_nominate(r->db, &r->who, id, pr.rater_key, pr.device_key, &e) != CX_OK) {
        public_rater_end(r, &pr, false);
        return req_fail(r, &e);
    }
    public_rater_end(r, &pr, true);
    if (!req_is_api(r)) return req_redirect(r, "/p/news/%" PRId64 "?nominated=1", id);
    r->status = 201;
    cJSON_AddTrueToObject(req_data(r), "nominated");
}
