/* consultation.c: online consultations (网上征询), issue 22: an organisation's list and the form
 * to open one, a consultation's page (every comment with its answer form, the summary once it has
 * closed), the public list and page /p/consultations with the comment form, the answered comments
 * and the summary; and public_rater, the one-person-once rule that comments and the nominations
 * of a case (news.c) share with public ballots: a server-signed device, a phone verified by SMS and
 * the address's hourly limit. After the closing date no comment is taken, before any code is used. */
#include "rating_int.h"
#include "pager.h"
#include "../store/consultation.h"
#include "../store/limit.h"
#include "../store/rater.h"
#include "../domain/date.h"
#include "../domain/text.h"
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the public's verified rater (rating_int.h) ---- */

int public_sms(req *r, cx_err *e)
{
    char addr[64];
    req_client_addr(r, addr);
    rater_phone p;
    if (rating_phone(req_in(r, "phone"), p.phone, e) != CX_OK) return CX_ERR;
    return sms_code_request(r->db, &p, addr, e);
}

int public_rater_begin(req *r, const char *kind, int64_t id, public_rater *p, cx_err *e)
{
    memset(p, 0, sizeof *p);
    const char *dev = req_is_api(r) ? req_in(r, "device") : device_token(r, true);
    if (!dev || !device_valid(dev))
        return cx_fail(e, 400, "invalid_device", "device",
                       req_is_api(r) ? "设备标记缺失或不是本站签发的：请先获取（GET 本征询或典型的公开信息）后再提交"
                                     : "提交前需要在本机保存一个匿名标记（Cookie）以防重复提交：请允许 Cookie 后刷新本页再提交");
    rater_phone ph;
    if (rating_phone(req_in(r, "phone"), ph.phone, e) != CX_OK) return CX_ERR;
    const char *code = req_in(r, "code");
    if (!code || !*code) return cx_fail(e, 422, "code_required", "code", "请先获取并填写短信验证码：每个手机号只能提交一次");
    char addr[64];
    req_client_addr(r, addr);
    limit_bucket("p:", kind, addr, p->bucket);
    p->hour = limit_hour();
    int64_t n = 0;
    int t = limit_take(r->db, p->bucket, p->hour, PUBLIC_RATER_PER_ADDR, &n);
    if (t == CX_ERR) return cx_fail(e, 500, "db_error", "", "数据库错误");
    if (!t) {
        r->retry_after = 3600;
        return cx_fail(e, 429, "rate_limited", "", "此网络一小时内提交的过多，请稍后再试");
    }
    if (sms_code_verify(r->db, ph.phone, code, e) != CX_OK) {
        limit_give(r->db, p->bucket, p->hour);
        if (e->status == 400) e->status = 422;
        return CX_ERR;
    }
    rater_keys_of(kind, id, ph.phone, dev, p->rater_key, p->device_key);
    sodium_memzero(&ph, sizeof ph);
    return CX_OK;
}

void public_rater_end(req *r, const public_rater *p, bool kept)
{
    if (!kept) limit_give(r->db, p->bucket, p->hour);
}

/* ---- JSON ---- */

static cJSON *consultation_json(const consultation *c, const char *today, bool staff)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", c->id);
    cJSON_AddStringToObject(j, "title", c->title);
    if (c->body) cJSON_AddStringToObject(j, "body", c->body);
    cJSON_AddStringToObject(j, "closes_on", c->closes_on);
    cJSON_AddStringToObject(j, "org_name", c->org_name);
    bool open = consult_open(c->closes_on, today);
    cJSON_AddBoolToObject(j, "open", open);
    cJSON_AddStringToObject(j, "state_label", open ? "征询中" : "已截止");
    json_add_i64(j, "comments_count", c->ncomments);
    json_add_i64(j, "answered_count", c->nreplied);
    if (c->summary) cJSON_AddStringToObject(j, "summary", c->summary);
    if (staff) json_add_i64(j, "org_id", c->org_id), json_add_time(j, "created_at", c->created_at);
    return j;
}

typedef struct list_ctx {
    cJSON *arr;
    const char *today;
    bool staff;
} list_ctx;
static int add_consultation(void *ctx, const consultation *c)
{
    list_ctx *l = ctx;
    cJSON_AddItemToArray(l->arr, consultation_json(c, l->today, l->staff));
    return 0;
}

typedef struct comments_ctx {
    cJSON *arr;
    bool staff;
} comments_ctx;
static int add_comment(void *ctx, const consult_comment *k)
{
    comments_ctx *c = ctx;
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", k->id);
    cJSON_AddStringToObject(j, "text", k->text);
    char day[32];
    time_text(k->created_at, false, day);
    day[10] = 0;
    cJSON_AddStringToObject(j, "created_on", day);
    if (*k->reply) {
        cJSON_AddStringToObject(j, "reply", k->reply);
        time_text(k->replied_at, false, day);
        day[10] = 0;
        cJSON_AddStringToObject(j, "replied_on", day);
        if (c->staff) cJSON_AddStringToObject(j, "replied_by", k->replied_by);
    }
    cJSON_AddItemToArray(c->arr, j);
    return 0;
}

/* ---- staff ---- */

/* GET /orgs/:id/consultations */
void h_consultations(req *r)
{
    int64_t id;
    org o;
    pager pg;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_STAFF, &o) || !pager_read(r, 20, 200, &pg)) return;
    int64_t total = 0;
    if (consultation_count(r->db, o.path, &total) != CX_OK) return req_failf(r, 500, "db_error", "", "读取网上征询失败");
    pager_set_total(&pg, total);
    char today[11];
    date_today(today);
    cJSON *d = req_data(r);
    list_ctx l = {cJSON_AddArrayToObject(d, "consultations"), today, true};
    if (consultation_list(r->db, o.path, pager_offset(&pg), pg.per_page, add_consultation, &l) != CX_OK)
        return req_failf(r, 500, "db_error", "", "读取网上征询失败");
    pager_json(r, d, &pg);
    cJSON_AddItemToObject(d, "org", json_org(&o));
    char title[320];
    snprintf(title, sizeof title, "%s：网上征询", o.name);
    cJSON_AddStringToObject(d, "title", title);
    cJSON_AddBoolToObject(d, "can_create", perm_allows(&r->user, ROLE_ADMIN, o.path));
}

/* POST /orgs/:id/consultations {title, body, closes_on} */
void h_consultation_create(req *r)
{
    int64_t id, cid = 0;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ADMIN, &o)) return;
    char today[11];
    date_today(today);
    cx_err e = {0};
    consult_ok ok;
    int rc = consult_check(req_in(r, "title"), req_in(r, "body"), req_in(r, "closes_on"), today, &ok, &e);
    if (rc == CX_OK) rc = consultation_create(r->db, &r->who, o.id, &ok, &cid, &e);
    consult_ok_free(&ok);
    if (rc != CX_OK) return req_fail(r, &e);
    if (!req_is_api(r)) return req_redirect(r, "/consultations/%" PRId64, cid);
    consultation c = {0};
    if (req_found(r, consultation_get(r->db, cid, &c), "id", "网上征询")) {
        r->status = 201;
        cJSON_AddItemToObject(req_data(r), "consultation", consultation_json(&c, today, true));
    }
    consultation_clear(&c);
}

/* The consultation of id the user reaches with mask; clear c afterwards. */
static bool req_consultation(req *r, int64_t id, int mask, consultation *c)
{
    memset(c, 0, sizeof *c);
    return in_scope(r, consultation_get(r->db, id, c), mask, c->org_path, "网上征询");
}

/* GET /consultations/:id: every comment with its answer. */
void h_consultation(req *r)
{
    int64_t id;
    consultation c = {0};
    if (!req_id(r, 0, &id) || !req_consultation(r, id, ROLE_STAFF, &c)) return consultation_clear(&c);
    char today[11];
    date_today(today);
    cJSON *d = req_data(r), *x = consultation_json(&c, today, true);
    cJSON_AddItemToObject(d, "consultation", x);
    cJSON_AddStringToObject(d, "title", c.title);
    bool admin = perm_allows(&r->user, ROLE_ADMIN, c.org_path);
    cJSON_AddBoolToObject(d, "can_answer", admin);
    cJSON_AddBoolToObject(d, "can_summarise", admin && !consult_open(c.closes_on, today));
    comments_ctx k = {cJSON_AddArrayToObject(x, "comments"), true};
    if (consultation_comments(r->db, c.id, false, add_comment, &k) != CX_OK) req_failf(r, 500, "db_error", "", "读取意见失败");
    consultation_clear(&c);
}

/* POST /consultations/:id/summary {summary} */
void h_consultation_summary(req *r)
{
    int64_t id;
    consultation c = {0};
    if (!req_id(r, 0, &id) || !req_consultation(r, id, ROLE_ADMIN, &c)) return consultation_clear(&c);
    consultation_clear(&c);
    char today[11];
    date_today(today);
    cx_err e = {0};
    if (consultation_summarise(r->db, &r->who, id, req_in(r, "summary"), today, &e) != CX_OK) return req_fail(r, &e);
    if (!req_is_api(r)) return req_redirect(r, "/consultations/%" PRId64, id);
    if (consultation_get(r->db, id, &c) == 1) cJSON_AddItemToObject(req_data(r), "consultation", consultation_json(&c, today, true));
    consultation_clear(&c);
}

/* POST /consultation-comments/:id/reply {reply} */
void h_comment_reply(req *r)
{
    int64_t id, cid = 0;
    consultation c = {0};
    if (!req_id(r, 0, &id)) return;
    int f = consultation_of_comment(r->db, id, &cid);
    if (f != 1) return req_failf(r, f == 0 ? 404 : 500, f == 0 ? "not_found" : "db_error", "id", "意见不存在或不在您的管理范围内");
    if (!req_consultation(r, cid, ROLE_ADMIN, &c)) return consultation_clear(&c);
    consultation_clear(&c);
    cx_err e = {0};
    if (consultation_reply(r->db, &r->who, id, req_in(r, "reply"), &e) != CX_OK) return req_fail(r, &e);
    if (!req_is_api(r)) return req_redirect(r, "/consultations/%" PRId64 "#comment-%" PRId64, cid, id);
    cJSON *d = req_data(r);
    json_add_i64(d, "comment_id", id);
    json_add_i64(d, "consultation_id", cid);
    cJSON_AddTrueToObject(d, "replied");
}

/* ---- public ---- */

/* The public page's data of consultation id (answered comments only); false after failing. */
static bool public_data(req *r, int64_t id, consultation *c, bool cache)
{
    memset(c, 0, sizeof *c);
    int f = consultation_get(r->db, id, c);
    if (f != 1) return req_failf(r, f == 0 ? 404 : 500, f == 0 ? "not_found" : "db_error", "id", "网上征询不存在"), false;
    char etag[64], today[11];
    date_today(today);
    /* the day is in the ETag: the page changes when the consultation closes */
    snprintf(etag, sizeof etag, "\"consultation-%" PRId64 "-%" PRId64 "-%d\"", c->id, c->version, consult_open(c->closes_on, today));
    if (cache && public_not_modified(r, etag)) return false;
    cJSON *d = req_data(r), *x = consultation_json(c, today, false);
    cJSON_AddItemToObject(d, "consultation", x);
    cJSON_AddStringToObject(d, "title", c->title);
    comments_ctx k = {cJSON_AddArrayToObject(x, "comments"), false};
    if (consultation_comments(r->db, c->id, true, add_comment, &k) != CX_OK) return req_failf(r, 500, "db_error", "", "读取意见失败"), false;
    if (req_is_api(r)) api_device(r);
    return true;
}

/* GET /p/consultations, GET /api/v1/public/consultations (?id= one, with a device token) */
void h_public_consultations(req *r)
{
    const char *one = req_is_api(r) ? req_query(r, "id") : NULL;
    consultation c = {0};
    if (one) {
        int64_t id = 0;
        if (str_to_i64(one, &id) != CX_OK || id <= 0) return req_failf(r, 400, "invalid_query", "id", "id 应为正整数");
        public_data(r, id, &c, false);
        return consultation_clear(&c);
    }
    pager pg;
    if (!pager_read(r, 20, 100, &pg)) return;
    int64_t total = 0, sum = 0;
    char etag[96], today[11];
    date_today(today);
    if (consultation_public_version(r->db, &total, &sum) != CX_OK) return req_failf(r, 500, "db_error", "", "读取网上征询失败");
    snprintf(etag, sizeof etag, "\"consultations-%" PRId64 "-%" PRId64 "-%s\"", total, sum, today);
    if (public_not_modified(r, etag)) return;
    pager_set_total(&pg, total);
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "网上征询");
    list_ctx l = {cJSON_AddArrayToObject(d, "consultations"), today, false};
    if (consultation_list(r->db, NULL, pager_offset(&pg), pg.per_page, add_consultation, &l) != CX_OK)
        return req_failf(r, 500, "db_error", "", "读取网上征询失败");
    pager_json(r, d, &pg);
}

/* GET /p/consultations/:id */
void h_public_consultation(req *r)
{
    int64_t id;
    consultation c = {0};
    if (!req_id(r, 0, &id)) return;
    device_token(r, true); /* before the cache: a page from the cache gets its cookie too */
    if (public_data(r, id, &c, true)) {
        const char *done = req_query(r, "done");
        if (done && !strcmp(done, "1")) cJSON_AddStringToObject(req_data(r), "notice", "您的意见已收到。答复后将显示在本页。");
    }
    consultation_clear(&c);
}

/* POST /p/consultations/:id/comments (op=sms sends a code), POST /api/v1/public/consultation-comments
 * {consultation_id, text, phone, code, device}: one comment per verified phone and per device,
 * only up to the closing date. */
void h_public_comment(req *r)
{
    int64_t id = 0;
    cx_err e = {0};
    consultation c = {0};
    r->who.name = "群众"; /* the audit log's actor: the public */
    if (req_is_api(r)) {
        bool bad = false;
        id = query_id(r, "consultation_id", &bad);
        if (bad || id <= 0) return req_failf(r, 422, "invalid_consultation", "consultation_id", "请指明网上征询（consultation_id 应为正整数）");
        int f = consultation_get(r->db, id, &c);
        if (f != 1) return consultation_clear(&c), req_failf(r, f == 0 ? 404 : 500, f == 0 ? "not_found" : "db_error", "consultation_id", "网上征询不存在");
    } else {
        if (!req_id(r, 0, &id)) return;
        bool ok = public_data(r, id, &c, false);
        if (!ok) return consultation_clear(&c);
        /* the page again, whatever the outcome: filled, with the code sent or the refusal beside the
         * form (a cached page could not be shown again by response.c's redisplay) */
        r->tmpl = "consultation_public";
        cJSON *v = cJSON_AddObjectToObject(req_data(r), "values");
        static const char *keep[] = {"text", "phone", NULL};
        for (int i = 0; keep[i]; i++) {
            const char *x = req_in(r, keep[i]);
            cJSON_AddStringToObject(v, keep[i], x && utf8_valid(x, strlen(x)) ? x : "");
        }
    }
    char today[11];
    date_today(today);
    /* after the closing date nothing is looked at, no code is used */
    if (!consult_open(c.closes_on, today)) {
        req_failf(r, 409, "consultation_closed", "consultation_id", "这次征询已于 %s 截止，不再接受意见", c.closes_on);
        return consultation_clear(&c);
    }
    consultation_clear(&c);
    const char *op = req_in(r, "op");
    if (!req_is_api(r) && op && !strcmp(op, "sms")) {
        if (public_sms(r, &e) != CX_OK) return req_fail(r, &e);
        cJSON_AddStringToObject(req_data(r), "sms_notice", "验证码已发送到您的手机，10 分钟内有效。");
        return;
    }
    char *text = clean_text(req_in(r, "text"), "text", "意见", CONSULT_COMMENT_MAX, true, &e);
    if (!text) return req_fail(r, &e);
    public_rater pr;
    int64_t kid = 0;
    if (public_rater_begin(r, "consultation", id, &pr, &e) != CX_OK) {
        free(text);
        return req_fail(r, &e);
    }
    int rc = consultation_comment_add(r->db, &r->who, id, text, pr.rater_key, pr.device_key, today, &kid, &e);
    free(text);
    public_rater_end(r, &pr, rc == CX_OK);
    if (rc != CX_OK) return req_fail(r, &e);
    if (!req_is_api(r)) return req_redirect(r, "/p/consultations/%" PRId64 "?done=1", id);
    r->status = 201;
    cJSON *d = req_data(r);
    json_add_i64(d, "comment_id", kid);
    cJSON_AddTrueToObject(d, "received");
}
