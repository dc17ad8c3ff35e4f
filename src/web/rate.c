/* rate.c: the public rating form (群众评议), no login: the form of a member, an organisation, a
 * pledge or a service window (QR code and web), SMS codes, ballots and the thanks page, and the
 * same as public API. Nothing here shows which rater gave which ballot. */
#include "rating_int.h"
#include "../domain/review.h"
#include "../store/rating.h"
#include "../store/rater.h"
#include "../store/ballot.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEVICE_COOKIE "cxzy_rater"

/* Fills the form's data: target, round, questions, the values entered so far. false: the target
 * is not there (the request has failed). */
static bool rate_form_data(req *r, int kind, int64_t id, rating_target *t, rating_open *ro, bool *open)
{
    int f = rating_target_open_recent(r->db, r->own_writes, kind, id, t, ro);
    if (f < 1) {
        req_failf(r, f == 0 ? 404 : 500, f == 0 ? "not_found" : "db_error", "target_id", "要评价的对象不存在或未公开");
        return false;
    }
    *open = f == 2;
    cJSON *d = req_data(r);
    target_json(d, t);
    cJSON_AddBoolToObject(d, "open", *open);
    char title[320];
    snprintf(title, sizeof title, "群众评议：%s", t->name);
    cJSON_AddStringToObject(d, "title", title);
    if (*open) {
        round_json(d, ro);
        cJSON_AddBoolToObject(d, "sms_required", ro->sms_required);
        const char *ans = req_is_api(r) ? NULL : cJSON_GetStringValue(cJSON_GetObjectItem(d, "answers"));
        cJSON_AddItemToObject(d, "questions", questions_json(ro->questions, ans));
    } else cJSON_AddStringToObject(d, "closed_message", "目前没有进行中的群众评议，暂不能评价。");
    cJSON *opts = cJSON_AddArrayToObject(d, "answer_options");
    for (int a = 1; a <= 3; a++) {
        cJSON *o = cJSON_CreateObject();
        char v[2] = {(char)('0' + a), 0};
        cJSON_AddStringToObject(o, "value", v);
        cJSON_AddStringToObject(o, "label", answer_label(a));
        cJSON_AddItemToArray(opts, o);
    }
    return true;
}

/* The device token from the page's cookie when the server issued it; otherwise (none, or one
 * the server did not sign) a new signed one is set and NULL returned. */
const char *device_token(req *r, bool set)
{
    const char *c = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, DEVICE_COOKIE);
    if (device_valid(c)) return c;
    if (set) {
        char tok[DEVICE_TOKEN_LEN + 1];
        device_issue(tok);
        free(r->set_cookie[1]);
        r->set_cookie[1] = xasprintf(DEVICE_COOKIE "=%s; Path=/p/; Max-Age=31536000; HttpOnly; SameSite=Lax", tok);
    }
    return NULL;
}

/* What the rater is told after a ballot: counted, unverified (the indicator) or held. */
/* What a resident is told about a saved ballot, by its status (NULL for an unknown one). */
static const char *ballot_status_text(const char *status)
{
    static const char *const texts[][2] = {
        {"counted", "评价已计入本轮群众评议结果。"},
        {"held", "同一时段对该对象（或来自同一网络）的评价较多，您的评价已保存，经活动办公室审核后计入。"},
        {"invalid", "评价已保存。"},
        {"unverified", "评价已保存为未验证的网上评价：仅供参考，不计入等次和满意率（只有提交时验证了手机号的评价才计入）。"},
    };
    for (size_t i = 0; status && i < sizeof texts / sizeof texts[0]; i++)
        if (!strcmp(status, texts[i][0])) return texts[i][1];
    return NULL;
}

static void ballot_outcome(cJSON *b, const ballot_out *out)
{
    bool counted = out->valid && out->verified && !out->held;
    cJSON_AddBoolToObject(b, "counted", counted);
    cJSON_AddBoolToObject(b, "verified", out->verified);
    cJSON_AddBoolToObject(b, "held", out->held);
    const char *status = counted ? "counted" : out->held ? "held" : out->verified ? "invalid" : "unverified";
    cJSON_AddStringToObject(b, "status", status);
    cJSON_AddStringToObject(b, "status_text", ballot_status_text(status));
}

/* The thanks page after a ballot from the page (GET …?done=STATUS, the redirect after the post). */
static void rate_done_page(req *r, int kind, int64_t id, const char *status)
{
    cJSON *d = req_data(r);
    r->tmpl = "rate_done";
    cJSON_DeleteItemFromObject(d, "title");
    cJSON_AddStringToObject(d, "title", "感谢您的评价");
    cJSON *b = cJSON_AddObjectToObject(d, "ballot");
    cJSON_AddStringToObject(b, "status", status);
    cJSON_AddStringToObject(b, "status_text", ballot_status_text(status));
    static const char *const back[RK_N] = {"/p/card/", "/p/board/", NULL, "/p/window/"};
    if (kind >= 0 && back[kind]) {
        char *u = xasprintf("%s%" PRId64, back[kind], id);
        cJSON_AddStringToObject(d, "back", u);
        free(u);
    }
}

/* GET /p/rate/<kind>/:id */
void h_rate_page(req *r)
{
    int64_t id;
    int kind = r->rt->action; /* RK_*: /p/rate/<kind>/:id */
    if (!req_id(r, 0, &id)) return;
    rating_target t;
    rating_open ro;
    bool open;
    const char *via = req_query(r, "via");
    cJSON_AddStringToObject(req_data(r), "via", via && !strcmp(via, "qr") ? "qr" : "");
    if (!rate_form_data(r, kind, id, &t, &ro, &open)) return;
    const char *done = req_query(r, "done");
    if (ballot_status_text(done)) {
        rate_done_page(r, kind, id, done);
        return;
    }
    device_token(r, true);
}

/* A device token for API clients: the one sent (?device=) when the server issued it, else a new one. */
void api_device(req *r)
{
    const char *dv = req_in(r, "device");
    char tok[DEVICE_TOKEN_LEN + 1];
    if (device_valid(dv)) snprintf(tok, sizeof tok, "%s", dv);
    else device_issue(tok);
    cJSON_AddStringToObject(req_data(r), "device", tok);
}

/* POST /p/rate/<kind>/:id: op=sms sends a code (and shows the form again), otherwise submits. */
void h_rate_submit(req *r)
{
    int64_t id;
    int kind = r->rt->action; /* RK_*: /p/rate/<kind>/:id */
    if (!req_id(r, 0, &id)) return;
    cJSON *d = req_data(r);
    const char *via = req_in(r, "via"), *op = req_in(r, "op");
    bool qr = via && !strcmp(via, "qr");
    cJSON_AddStringToObject(d, "via", qr ? "qr" : "");
    rating_target t;
    rating_open ro;
    bool open;
    char answers[8] = "";
    /* the form keeps what was entered */
    cJSON *v = cJSON_AddObjectToObject(d, "values");
    static const char *keep[] = {"comment", "reason", "phone", NULL};
    for (int i = 0; keep[i]; i++) {
        const char *x = req_in(r, keep[i]);
        cJSON_AddStringToObject(v, keep[i], x && utf8_valid(x, strlen(x)) ? x : "");
    }
    /* a first look at the target, for the number of questions */
    if (rating_target_open_recent(r->db, r->own_writes, kind, id, &t, &ro) == 2) form_answers(r, questions_of(ro.questions, NULL), answers);
    cJSON_AddStringToObject(d, "answers", answers);
    if (!rate_form_data(r, kind, id, &t, &ro, &open)) return;
    char addr[64];
    req_client_addr(r, addr);
    cx_err e = {0};
    if (op && !strcmp(op, "sms")) {
        rater_phone p;
        if (rating_phone(req_in(r, "phone"), p.phone, &e) != CX_OK || sms_code_request(r->db, &p, addr, &e) != CX_OK) {
            req_fail(r, &e);
            return;
        }
        r->tmpl = "rate"; /* the form again, filled, for the code (a refusal: server.c, redisplay) */
        cJSON_AddStringToObject(d, "notice", "验证码已发送到您的手机，10 分钟内有效。");
        return;
    }
    const char *dev = device_token(r, true);
    if (!dev) {
        req_failf(r, 400, "invalid_device", "device", "评价前需要在本机保存一个匿名标记（Cookie）以防重复评价：请允许 Cookie 后刷新本页再评价");
        return;
    }
    ballot_in in = {.channel = qr ? "qr" : "web", .kind = kind, .target_id = id, .answers = answers, .comment = req_in(r, "comment"),
                    .reason = req_in(r, "reason"), .phone = req_in(r, "phone"), .code = req_in(r, "code"), .device = dev, .addr = addr,
                    .recent = !r->own_writes};
    ballot_out out;
    if (cast_ballot(r, NULL, &in, &out, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    /* the thanks page by a redirect: a refresh shows it again and casts nothing */
    cJSON *b = cJSON_CreateObject();
    ballot_outcome(b, &out);
    static const char *const kinds[RK_N] = {"member", "org", "pledge", "window"};
    req_redirect(r, "/p/rate/%s/%" PRId64 "?done=%s%s", kind >= 0 && kind < RK_N ? kinds[kind] : "member", id,
                 cJSON_GetStringValue(cJSON_GetObjectItem(b, "status")), qr ? "&via=qr" : "");
    cJSON_Delete(b);
}

/* target_kind and target_id of the API's public rating calls; false after failing the request. */
static bool target_in(req *r, int *kind, int64_t *id)
{
    bool bad;
    *kind = rating_kind_from_name(req_in(r, "target_kind"));
    *id = query_id(r, "target_id", &bad);
    if (*kind < 0) return req_failf(r, 400, "invalid_target_kind", "target_kind", "评价对象类别应为 member、org、pledge 或 window"), false;
    if (bad || !*id) return req_failf(r, 400, "invalid_target", "target_id", "评价对象编号应为正整数"), false;
    return true;
}

/* GET /api/v1/public/rating?target_kind=&target_id= */
void h_api_rating_info(req *r)
{
    int kind;
    int64_t id;
    if (!target_in(r, &kind, &id)) return;
    rating_target t;
    rating_open ro;
    bool open;
    if (rate_form_data(r, kind, id, &t, &ro, &open)) api_device(r);
}

/* POST /api/v1/public/sms-codes {phone} */
void h_api_sms_code(req *r)
{
    char addr[64];
    req_client_addr(r, addr);
    cx_err e = {0};
    rater_phone p;
    if (rating_phone(req_in(r, "phone"), p.phone, &e) != CX_OK || sms_code_request(r->db, &p, addr, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    r->status = 202;
    cJSON *d = req_data(r);
    cJSON_AddTrueToObject(d, "sent");
    json_add_i64(d, "expires_in", SMS_CODE_TTL);
}

/* POST /api/v1/public/ballots */
void h_api_ballot(req *r)
{
    int kind;
    int64_t id;
    if (!target_in(r, &kind, &id)) return;
    const char *ch = req_in(r, "channel");
    if (ch && strcmp(ch, "qr") && strcmp(ch, "web")) {
        req_failf(r, 400, "invalid_channel", "channel", "公开评价的渠道应为 qr（扫码）或 web（网页）");
        return;
    }
    char addr[64];
    req_client_addr(r, addr);
    ballot_in in = {.channel = ch ? ch : "web", .kind = kind, .target_id = id, .answers = req_in(r, "answers"), .comment = req_in(r, "comment"),
                    .reason = req_in(r, "reason"), .phone = req_in(r, "phone"), .code = req_in(r, "code"), .device = req_in(r, "device"),
                    .addr = addr, .recent = !r->own_writes};
    ballot_out out;
    cx_err e = {0};
    if (cast_ballot(r, NULL, &in, &out, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    r->status = 201;
    cJSON *b = cJSON_AddObjectToObject(req_data(r), "ballot");
    ballot_outcome(b, &out);
    json_add_i64(b, "round_id", out.round_id);
    cJSON_AddStringToObject(b, "target_name", out.target_name);
}
