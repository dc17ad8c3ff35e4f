/* page_rating.c: public rating (群众评议) pages and API. Public, no login: the rating form of a
 * member, an organisation, a pledge or a service window (QR code and web), SMS codes, ballots,
 * and the window's public page with its QR code and print view. Staff: service windows, results
 * per organisation and per target (XLSX), paper questionnaire batches (print, key in), phone
 * sampling (upload, draw, call list, answers). Nothing here shows which rater gave which ballot. */
#include "web.h"
#include "../domain/review.h"
#include "../lib/code.h"
#include "../lib/qr.h"
#include "../lib/xlsxout.h"
#include "../store/ballot_store.h"
#include "../store/draw_store.h"
#include "../store/rollup.h"
#include "../lib/crypto.h"
#include "pager.h"
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEVICE_COOKIE "cxzy_rater"

/* ---- small helpers ---- */

static const char *answer_keys[3] = {"satisfied", "basic", "unsatisfied"};

/* "93.50" from ×10000, "" for -1. */
static void rate_text(int64_t v, char out[32])
{
    if (v < 0) snprintf(out, 32, "—");
    else snprintf(out, 32, "%" PRId64 ".%02" PRId64 "%%", v / 100, v % 100);
}

static void add_rate(cJSON *x, int64_t v)
{
    char t[32];
    rate_text(v, t);
    if (v >= 0) json_add_i64(x, "rate_x10000", v);
    else cJSON_AddNullToObject(x, "rate_x10000");
    cJSON_AddStringToObject(x, "rate", t);
}

/* The question texts of a set, with the answer options, for the form and the print view. */
static cJSON *questions_json(const char *set, const char *answers)
{
    const char *const *texts;
    int n = questions_of(set, &texts);
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; i < n; i++) {
        cJSON *q = cJSON_CreateObject();
        json_add_i64(q, "n", i + 1);
        char name[16];
        snprintf(name, sizeof name, "q%d", i + 1);
        cJSON_AddStringToObject(q, "name", name);
        cJSON_AddStringToObject(q, "text", texts[i]);
        cJSON *opts = cJSON_AddArrayToObject(q, "options");
        for (int a = 1; a <= 3; a++) {
            cJSON *o = cJSON_CreateObject();
            char v[2] = {(char)('0' + a), 0}, id[32];
            snprintf(id, sizeof id, "q%d-%d", i + 1, a);
            cJSON_AddStringToObject(o, "value", v);
            cJSON_AddStringToObject(o, "label", answer_label(a));
            cJSON_AddStringToObject(o, "id", id);
            cJSON_AddBoolToObject(o, "checked", answers && (int)strlen(answers) > i && answers[i] == v[0]);
            cJSON_AddItemToArray(opts, o);
        }
        cJSON_AddItemToArray(arr, q);
    }
    return arr;
}

/* What a satisfaction figure counts, beside it: counted ballots by channel and verification
 * (web/QR with an SMS-verified phone, paper sheets, phone draws), the unverified web indicator
 * and ballots held in a burst (neither in the figure). */
void ballot_basis_json(cJSON *j, int64_t web, int64_t paper, int64_t phone, int64_t unverified, int64_t held)
{
    cJSON *c = cJSON_AddObjectToObject(j, "counted_by");
    json_add_i64(c, "web_sms", web);
    json_add_i64(c, "paper", paper);
    json_add_i64(c, "phone", phone);
    json_add_i64(j, "unverified", unverified);
    json_add_i64(j, "held", held);
    char t[400];
    snprintf(t, sizeof t, "计入 %" PRId64 " 票：网上/扫码（短信验证手机号）%" PRId64 "，纸质问卷（编号核验）%" PRId64 "，电话随机抽访 %" PRId64, web + paper + phone, web,
             paper, phone);
    cJSON_AddStringToObject(j, "basis_text", t);
    if (unverified) {
        snprintf(t, sizeof t, "另有未验证的网上评价 %" PRId64 " 票，仅供参考，不计入等次和满意率", unverified);
        cJSON_AddStringToObject(j, "unverified_text", t);
    }
    if (held) {
        snprintf(t, sizeof t, "集中投票待审核 %" PRId64 " 票，审核前不计入", held);
        cJSON_AddStringToObject(j, "held_text", t);
    }
}

void ballot_basis_rollup(cJSON *j, const rollup *ru)
{
    ballot_basis_json(j, ru->v[RU_BALLOTS_WEB], ru->v[RU_BALLOTS_PAPER], ru->v[RU_BALLOTS_PHONE], ru->v[RU_BALLOTS_UNVERIFIED], ru->v[RU_BALLOTS_HELD]);
}

static cJSON *result_json(const rating_result *x)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "target_kind", rating_kind_name(x->kind));
    cJSON_AddStringToObject(j, "kind_label", rating_kind_label(x->kind));
    json_add_i64(j, "target_id", x->id);
    if (x->name[0]) cJSON_AddStringToObject(j, "name", x->name);
    json_add_i64(j, "valid", x->valid);
    json_add_i64(j, "invalid", x->invalid);
    cJSON_AddStringToObject(j, "question_set", x->questions);
    for (int a = 0; a < 3; a++) json_add_i64(j, answer_keys[a], x->ans[a]);
    add_rate(j, x->rate);
    ballot_basis_json(j, x->web, x->paper, x->phone, x->unverified, x->held);
    /* the unverified web ballots, apart: never in the figure above, a grade or a ranking */
    cJSON *u = cJSON_AddObjectToObject(j, "unverified_indicator");
    cJSON_AddStringToObject(u, "label", "未验证的网上评价，仅供参考，不计入等次和满意率");
    json_add_i64(u, "ballots", x->unverified);
    for (int a = 0; a < 3; a++) json_add_i64(u, answer_keys[a], x->uans[a]);
    add_rate(u, x->urate);
    const char *const *texts;
    int n = questions_of(x->questions, &texts);
    cJSON *qs = cJSON_AddArrayToObject(j, "questions");
    for (int i = 0; i < n; i++) {
        cJSON *q = cJSON_CreateObject();
        json_add_i64(q, "n", i + 1);
        cJSON_AddStringToObject(q, "text", texts[i]);
        for (int a = 0; a < 3; a++) json_add_i64(q, answer_keys[a], x->q[i][a]);
        cJSON_AddItemToArray(qs, q);
    }
    return j;
}

static void round_json(cJSON *d, const rating_open *ro)
{
    cJSON *x = cJSON_AddObjectToObject(d, "round");
    json_add_i64(x, "id", ro->round_id);
    cJSON_AddStringToObject(x, "name", ro->round_name);
    cJSON_AddBoolToObject(x, "open", ro->open);
    cJSON_AddStringToObject(x, "questions", ro->questions);
}

static void target_json(cJSON *d, const rating_target *t)
{
    cJSON *x = cJSON_AddObjectToObject(d, "target");
    cJSON_AddStringToObject(x, "kind", rating_kind_name(t->kind));
    cJSON_AddStringToObject(x, "kind_label", rating_kind_label(t->kind));
    json_add_i64(x, "id", t->id);
    cJSON_AddStringToObject(x, "name", t->name);
    cJSON_AddStringToObject(x, "org_name", t->org_name);
}

static int64_t query_id(req *r, const char *name, bool *bad)
{
    const char *s = req_in(r, name);
    int64_t v = 0;
    *bad = false;
    if (s && *s && (str_to_i64(s, &v) != CX_OK || v <= 0)) *bad = true;
    return v;
}

/* ---- the public rating form ---- */

/* Fills the form's data: target, round, questions, the values entered so far. false: the target
 * is not there (the request has failed). */
static bool rate_form_data(req *r, int kind, int64_t id, rating_target *t, rating_open *ro, bool *open)
{
    int f = rating_target_get(r->db, kind, id, t);
    if (f != 1) {
        req_failf(r, f == 0 ? 404 : 500, f == 0 ? "not_found" : "db_error", "target_id", "要评价的对象不存在或未公开");
        return false;
    }
    f = rating_open_for(r->db, t, ro);
    if (f == CX_ERR) {
        req_failf(r, 500, "db_error", "", "数据库错误");
        return false;
    }
    *open = f == 1;
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
static const char *device_token(req *r, bool set)
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
static void api_device(req *r)
{
    const char *dv = req_in(r, "device");
    char tok[DEVICE_TOKEN_LEN + 1];
    if (device_valid(dv)) snprintf(tok, sizeof tok, "%s", dv);
    else device_issue(tok);
    cJSON_AddStringToObject(req_data(r), "device", tok);
}

/* Reads q1..qN of the form into one answer string. */
static void form_answers(req *r, int n, char out[8])
{
    for (int i = 0; i < n && i < 6; i++) {
        char name[16];
        snprintf(name, sizeof name, "q%d", i + 1);
        const char *v = req_in(r, name);
        out[i] = v && strlen(v) == 1 ? v[0] : '0';
    }
    out[n < 6 ? n : 6] = 0;
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
    if (rating_target_get(r->db, kind, id, &t) == 1 && rating_open_for(r->db, &t, &ro) == 1)
        form_answers(r, questions_of(ro.questions, NULL), answers);
    cJSON_AddStringToObject(d, "answers", answers);
    if (!rate_form_data(r, kind, id, &t, &ro, &open)) return;
    char addr[64];
    req_client_addr(r, addr);
    cx_err e = {0};
    if (op && !strcmp(op, "sms")) {
        if (sms_code_request(r->db, req_in(r, "phone"), addr, &e) != CX_OK) {
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
                    .reason = req_in(r, "reason"), .phone = req_in(r, "phone"), .code = req_in(r, "code"), .device = dev, .addr = addr};
    ballot_out out;
    if (ballot_cast(r->db, NULL, &in, &out, &e) != CX_OK) {
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

/* GET /api/v1/public/rating?target_kind=&target_id= */
void h_api_rating_info(req *r)
{
    int kind = rating_kind_from_name(req_in(r, "target_kind"));
    bool bad;
    int64_t id = query_id(r, "target_id", &bad);
    if (kind < 0) {
        req_failf(r, 400, "invalid_target_kind", "target_kind", "评价对象类别应为 member、org、pledge 或 window");
        return;
    }
    if (bad || !id) {
        req_failf(r, 400, "invalid_target", "target_id", "评价对象编号应为正整数");
        return;
    }
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
    if (sms_code_request(r->db, req_in(r, "phone"), addr, &e) != CX_OK) {
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
    int kind = rating_kind_from_name(req_in(r, "target_kind"));
    bool bad;
    int64_t id = query_id(r, "target_id", &bad);
    if (kind < 0) {
        req_failf(r, 400, "invalid_target_kind", "target_kind", "评价对象类别应为 member、org、pledge 或 window");
        return;
    }
    if (bad || !id) {
        req_failf(r, 400, "invalid_target", "target_id", "评价对象编号应为正整数");
        return;
    }
    const char *ch = req_in(r, "channel");
    if (ch && strcmp(ch, "qr") && strcmp(ch, "web")) {
        req_failf(r, 400, "invalid_channel", "channel", "公开评价的渠道应为 qr（扫码）或 web（网页）");
        return;
    }
    char addr[64];
    req_client_addr(r, addr);
    ballot_in in = {.channel = ch ? ch : "web", .kind = kind, .target_id = id, .answers = req_in(r, "answers"), .comment = req_in(r, "comment"),
                    .reason = req_in(r, "reason"), .phone = req_in(r, "phone"), .code = req_in(r, "code"), .device = req_in(r, "device"),
                    .addr = addr};
    ballot_out out;
    cx_err e = {0};
    if (ballot_cast(r->db, NULL, &in, &out, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    r->status = 201;
    cJSON *b = cJSON_AddObjectToObject(req_data(r), "ballot");
    ballot_outcome(b, &out);
    json_add_i64(b, "round_id", out.round_id);
    cJSON_AddStringToObject(b, "target_name", out.target_name);
}

/* ---- the window's public page, QR code and print view ---- */

static bool public_window(req *r, int64_t id, service_window *w)
{
    org o;
    if (window_get(r->db, id, w) != 1 || !w->active || org_get(r->db, w->org_id, &o) != 1 || !o.active) {
        req_failf(r, 404, "not_found", "id", "该服务窗口不存在或已停用");
        return false;
    }
    return true;
}

/* The rating URL behind a window's QR code (public_addr.c); false: the request has failed. */
static bool window_rate_url(req *r, int64_t id, buf *out)
{
    char path[64];
    snprintf(path, sizeof path, "/p/rate/window/%" PRId64 "?via=qr", id);
    return req_public_url(r, path, out);
}

static cJSON *window_json(const service_window *w)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", w->id);
    json_add_i64(j, "org_id", w->org_id);
    cJSON_AddStringToObject(j, "name", w->name);
    cJSON_AddStringToObject(j, "location", w->location);
    cJSON_AddStringToObject(j, "org_name", w->org_name);
    cJSON_AddBoolToObject(j, "active", w->active);
    return j;
}

static void window_public_data(req *r, const service_window *w, bool qr_inline)
{
    cJSON *d = req_data(r);
    cJSON *x = window_json(w);
    cJSON_DeleteItemFromObject(x, "active");
    cJSON_AddItemToObject(d, "window", x);
    cJSON_AddItemToObject(d, "questions", questions_json("window6", NULL));
    cJSON_AddStringToObject(d, "title", w->name);
    if (!qr_inline) return;
    buf url, svg;
    buf_init(&url);
    buf_init(&svg);
    if (!window_rate_url(r, w->id, &url)) {
        buf_free(&url);
        return;
    }
    qr_svg(url.p, &svg, NULL);
    cJSON_AddStringToObject(d, "html_qr", svg.p ? svg.p : ""); /* made here from our own URL */
    cJSON_AddStringToObject(d, "url", url.p);
    buf_free(&url);
    buf_free(&svg);
}

void h_window_public(req *r)
{
    int64_t id;
    service_window w;
    if (!req_id(r, 0, &id) || !public_window(r, id, &w)) return;
    window_public_data(r, &w, false);
}

void h_window_print(req *r)
{
    int64_t id;
    service_window w;
    if (!req_id(r, 0, &id) || !public_window(r, id, &w)) return;
    window_public_data(r, &w, true);
}

void h_window_qr(req *r)
{
    int64_t id;
    service_window w;
    if (!req_id(r, 0, &id) || !public_window(r, id, &w)) return;
    buf url;
    buf_init(&url);
    if (!window_rate_url(r, id, &url)) {
        buf_free(&url);
        return;
    }
    buf_init(&r->file);
    cx_err e;
    if (qr_svg(url.p, &r->file, &e) != CX_OK) {
        buf_free(&r->file);
        req_fail(r, &e);
    }
    r->file_mime = "image/svg+xml";
    buf_free(&url);
}

/* ---- staff: service windows ---- */

/* The answer to a record lookup f (1, 0, CX_ERR) by the path's :id: found and within the user's
 * reach (mask over path), or failed with the same 404 as a missing record. */
static bool in_scope(req *r, int f, int mask, const char *path, const char *what)
{
    if (f == CX_ERR) {
        req_failf(r, 500, "db_error", "", "数据库错误");
        return false;
    }
    if (f == 0 || !perm_allows(&r->user, mask, path)) {
        req_failf(r, 404, "not_found", "id", "%s不存在或不在您的管理范围内", what);
        return false;
    }
    return true;
}

static bool req_window(req *r, int64_t id, int mask, service_window *w)
{
    return in_scope(r, window_get(r->db, id, w), mask, w->org_path, "服务窗口");
}

static int add_window(void *ctx, const service_window *w)
{
    cJSON_AddItemToArray(ctx, window_json(w));
    return 0;
}

/* GET /api/v1/orgs/:id/windows (?subtree=1&all=1) */
void h_windows(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ANY, &o)) return;
    const char *sub = req_query(r, "subtree"), *all = req_query(r, "all");
    if (window_list(r->db, &o, sub && !strcmp(sub, "1"), all && !strcmp(all, "1"), add_window, cJSON_AddArrayToObject(req_data(r), "windows")) !=
        CX_OK)
        req_failf(r, 500, "db_error", "", "读取服务窗口失败");
}

/* POST /orgs/:id/windows {name, location} */
void h_window_create(req *r)
{
    int64_t id, wid = 0;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ADMIN, &o)) return;
    cx_err e = {0};
    if (window_create(r->db, &r->who, id, req_in(r, "name"), req_in(r, "location"), &wid, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (!req_is_api(r)) {
        req_redirect(r, "/windows/%" PRId64, wid);
        return;
    }
    service_window w;
    if (!req_found(r, window_get(r->db, wid, &w), "id", "服务窗口")) return;
    r->status = 201;
    cJSON_AddItemToObject(req_data(r), "window", window_json(&w));
}

void h_window(req *r)
{
    int64_t id;
    service_window w;
    if (!req_id(r, 0, &id) || !req_window(r, id, ROLE_ANY, &w)) return;
    cJSON *d = req_data(r);
    cJSON_AddItemToObject(d, "window", window_json(&w));
    cJSON_AddStringToObject(d, "title", w.name);
    cJSON_AddBoolToObject(d, "can_edit", perm_allows(&r->user, ROLE_ADMIN, w.org_path));
    cJSON_AddBoolToObject(d, "can_see", perm_allows(&r->user, ROLE_STAFF, w.org_path));
}

/* After a change: the page goes back to the window, the API answers with it. */
static void window_done(req *r, int64_t id)
{
    service_window w;
    if (!req_is_api(r)) req_redirect(r, "/windows/%" PRId64, id);
    else if (window_get(r->db, id, &w) == 1) cJSON_AddItemToObject(req_data(r), "window", window_json(&w));
}

/* PATCH /api/v1/windows/:id or POST /windows/:id/edit: fields not sent keep their value. */
void h_window_update(req *r)
{
    int64_t id;
    service_window w;
    if (!req_id(r, 0, &id) || !req_window(r, id, ROLE_ADMIN, &w)) return;
    const char *n = req_in(r, "name"), *l = req_in(r, "location");
    cx_err e = {0};
    if (window_update(r->db, &r->who, id, n ? n : w.name, l ? l : w.location, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    window_done(r, id);
}

/* POST /windows/:id/deactivate | activate */
void h_window_active(req *r)
{
    int64_t id;
    service_window w;
    if (!req_id(r, 0, &id) || !req_window(r, id, ROLE_ADMIN, &w)) return;
    bool on = r->rt->action; /* 1: activate */
    cx_err e = {0};
    if (window_set_active(r->db, &r->who, id, on, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    window_done(r, id);
}

/* ---- staff: results ---- */

/* The round to show (?round_id=, else the newest covering path); false when the request failed. */
static bool pick_round(req *r, const char *path, rating_open *ro, bool *have)
{
    bool bad;
    int64_t rid = query_id(r, "round_id", &bad);
    if (bad) {
        req_failf(r, 400, "invalid_query", "round_id", "参数 round_id 应为正整数");
        return false;
    }
    int f = rating_round_pick(r->db, path, rid, ro);
    if (f == CX_ERR) {
        req_failf(r, 500, "db_error", "", "数据库错误");
        return false;
    }
    if (f == 0 && rid) {
        req_failf(r, 404, "not_found", "round_id", "评议轮次不存在或不涉及本组织");
        return false;
    }
    *have = f == 1;
    if (*have) round_json(req_data(r), ro);
    else cJSON_AddNullToObject(req_data(r), "round");
    return true;
}

static int add_result(void *ctx, const rating_result *x)
{
    cJSON *j = result_json(x);
    static const char *const links[RK_N][2] = {{"/members/", "/ratings"}, {"/orgs/", "/rating"}, {"/pledges/", "/ratings"}, {"/windows/", "/ratings"}};
    int k = x->kind >= 0 && x->kind < RK_N ? x->kind : 1;
    char *u = xasprintf("%s%" PRId64 "%s", links[k][0], x->id, links[k][1]);
    cJSON_AddStringToObject(j, "link", u);
    free(u);
    cJSON_AddItemToArray(ctx, j);
    return 0;
}

static int add_child_rollup(void *ctx, const org *child, const rollup *ru, const tally *t)
{
    (void)t;
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "org_id", child->id);
    cJSON_AddStringToObject(j, "name", child->name);
    json_add_i64(j, "valid", ru->v[RU_BALLOTS_VALID]);
    json_add_i64(j, "invalid", ru->v[RU_BALLOTS_INVALID]);
    add_rate(j, rollup_satisfaction(ru));
    ballot_basis_rollup(j, ru);
    cJSON_AddItemToArray(ctx, j);
    return 0;
}

static int add_batch(void *ctx, const paper_batch *b);
static int add_draw(void *ctx, const phone_draw *p);
static int add_commitment(void *ctx, const draw_commitment *c);
static void export_results(req *r, const org *o, const rating_open *ro);

/* Targets a batch or draw may be made for: the organisation, its windows and its members. */
typedef struct opt_ctx {
    cJSON *arr;
} opt_ctx;
static void add_option(cJSON *arr, const char *kind, int64_t id, const char *label)
{
    cJSON *o = cJSON_CreateObject();
    char v[40];
    snprintf(v, sizeof v, "%s:%" PRId64, kind, id);
    cJSON_AddStringToObject(o, "value", v);
    cJSON_AddStringToObject(o, "label", label);
    cJSON_AddItemToArray(arr, o);
}
static int opt_window(void *ctx, const service_window *w)
{
    char l[300];
    snprintf(l, sizeof l, "服务窗口：%s", w->name);
    add_option(ctx, "window", w->id, l);
    return 0;
}
static int opt_member(void *ctx, const member *m)
{
    char l[300];
    snprintf(l, sizeof l, "党员：%s", m->r.name);
    add_option(ctx, "member", m->id, l);
    return 0;
}

/* GET /orgs/:id/rating (page) and /api/v1/orgs/:id/ratings: the subtree's counts, each direct
 * child's, and every rated target of this organisation (?round_id=&format=xlsx). */
void h_org_rating(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_STAFF, &o)) return;
    cJSON *d = req_data(r);
    rating_open ro;
    bool have;
    if (!pick_round(r, o.path, &ro, &have)) return;
    const char *fmt = req_query(r, "format");
    if (fmt && *fmt && strcmp(fmt, "xlsx")) {
        req_failf(r, 400, "invalid_format", "format", "导出格式只支持 xlsx");
        return;
    }
    if (fmt && *fmt) {
        if (!have) req_failf(r, 404, "no_round", "round_id", "还没有评议轮次");
        else export_results(r, &o, &ro);
        return;
    }
    cJSON_AddItemToObject(d, "org", json_org(&o));
    char title[320];
    snprintf(title, sizeof title, "群众评议 · %s", o.name);
    cJSON_AddStringToObject(d, "title", title);
    bool adm = perm_allows(&r->user, ROLE_ADMIN, o.path);
    cJSON_AddBoolToObject(d, "can_edit", adm);
    cJSON_AddBoolToObject(d, "can_review", !req_is_api(r) && perm_allows(&r->user, ROLE_OFFICE, o.path));
    int rc = CX_OK;
    if (have) {
        rollup ru;
        rc = rollup_get(r->db, ro.round_id, o.id, &ru);
        cJSON *t = cJSON_AddObjectToObject(d, "totals");
        json_add_i64(t, "valid", ru.v[RU_BALLOTS_VALID]);
        json_add_i64(t, "invalid", ru.v[RU_BALLOTS_INVALID]);
        json_add_i64(t, "satisfied", ru.v[RU_ANS_SATISFIED]);
        json_add_i64(t, "basic", ru.v[RU_ANS_BASIC]);
        json_add_i64(t, "unsatisfied", ru.v[RU_ANS_UNSATISFIED]);
        add_rate(t, rollup_satisfaction(&ru));
        ballot_basis_rollup(t, &ru);
        int64_t issued = 0, returned = 0, valid = 0;
        if (rc == CX_OK) rc = paper_totals(r->db, &o, ro.round_id, &issued, &returned, &valid);
        cJSON *p = cJSON_AddObjectToObject(d, "paper");
        json_add_i64(p, "issued", issued);
        json_add_i64(p, "returned", returned);
        json_add_i64(p, "valid", valid);
        if (rc == CX_OK) rc = rollup_children(r->db, ro.round_id, o.id, add_child_rollup, cJSON_AddArrayToObject(d, "children"));
        if (rc == CX_OK) rc = rating_results_org(r->db, ro.round_id, o.id, add_result, cJSON_AddArrayToObject(d, "targets"));
        /* the page shows them all (limit 0); the API lists page */
        if (rc == CX_OK) rc = paper_batch_list(r->db, &o, ro.round_id, 0, 0, add_batch, cJSON_AddArrayToObject(d, "batches"));
        if (rc == CX_OK) rc = phone_draw_list(r->db, &o, ro.round_id, 0, 0, add_draw, cJSON_AddArrayToObject(d, "draws"));
        if (rc == CX_OK && adm) rc = draw_commitments_open(r->db, o.id, "phone", add_commitment, cJSON_AddArrayToObject(d, "commitments"));
    }
    if (rc == CX_OK && !req_is_api(r)) {
        rc = window_list(r->db, &o, false, true, add_window, cJSON_AddArrayToObject(d, "windows"));
        cJSON *opts = cJSON_AddArrayToObject(d, "target_options");
        char l[300];
        snprintf(l, sizeof l, "本组织：%s", o.name);
        add_option(opts, "org", o.id, l);
        if (rc == CX_OK) rc = window_list(r->db, &o, false, false, opt_window, opts);
        member_query mq = {.root = &o, .limit = 500};
        if (rc == CX_OK) rc = member_list(r->db, &mq, opt_member, opts);
    }
    if (rc != CX_OK) req_failf(r, 500, "db_error", "", "读取评议结果失败");
}

/* One spreadsheet row per rated target of the organisation: counts only. */
typedef struct xrow {
    lxw_worksheet *ws;
    lxw_row_t row;
} xrow;
static int export_row(void *ctx, const rating_result *x)
{
    xrow *w = ctx;
    char rt[32];
    rate_text(x->rate, rt);
    worksheet_write_string(w->ws, w->row, 0, rating_kind_label(x->kind), NULL);
    worksheet_write_string(w->ws, w->row, 1, x->name, NULL);
    double v[5] = {(double)x->valid, (double)x->invalid, (double)x->ans[0], (double)x->ans[1], (double)x->ans[2]};
    for (int c = 0; c < 5; c++) worksheet_write_number(w->ws, w->row, (lxw_col_t)(2 + c), v[c], NULL);
    worksheet_write_string(w->ws, w->row, 7, rt, NULL);
    double b[5] = {(double)x->web, (double)x->paper, (double)x->phone, (double)x->unverified, (double)x->held};
    for (int c = 0; c < 5; c++) worksheet_write_number(w->ws, w->row, (lxw_col_t)(8 + c), b[c], NULL);
    w->row++;
    return 0;
}

static void export_results(req *r, const org *o, const rating_open *ro)
{
    static const char *const heads[] = {"类别", "评议对象", "有效票（计入）", "无效票", "满意（答项）", "基本满意（答项）", "不满意（答项）", "满意率",
                                        "其中网上（短信验证）", "其中纸质问卷", "其中电话抽访", "未验证的网上评价（不计入）", "待审核（不计入）"};
    xlsx_export xe;
    xrow x = {.ws = export_open(r, &xe, "群众评议", heads, 13), .row = 1};
    if (!x.ws) return;
    worksheet_set_column(x.ws, 1, 1, 30, NULL);
    int rc = rating_results_org(r->db, ro->round_id, o->id, export_row, &x);
    char name[400], after[80];
    snprintf(name, sizeof name, "%s-群众评议.xlsx", o->name);
    snprintf(after, sizeof after, "{\"format\":\"xlsx\",\"round_id\":%" PRId64 "}", ro->round_id);
    export_close(r, &xe, rc, name, "rating", o->id, o->id, after);
}

static int add_comment(void *ctx, const char *what, const char *text)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "kind", what);
    cJSON_AddStringToObject(o, "kind_label", !strcmp(what, "reason") ? "不满意理由" : "意见建议");
    cJSON_AddStringToObject(o, "text", text);
    cJSON_AddItemToArray(ctx, o);
    return 0;
}

/* GET /members/:id/ratings, /windows/:id/ratings, /pledges/:id/ratings (page and API). */
void h_target_ratings(req *r)
{
    int64_t id;
    if (!req_id(r, 0, &id)) return;
    int kind = r->rt->action; /* RK_MEMBER, RK_WINDOW or RK_PLEDGE */
    rating_target t;
    if (!in_scope(r, rating_target_any(r->db, kind, id, &t), ROLE_STAFF, t.org_path, "评议对象")) return;
    cJSON *d = req_data(r);
    target_json(d, &t);
    char title[320];
    snprintf(title, sizeof title, "群众评议结果：%s", t.name);
    cJSON_AddStringToObject(d, "title", title);
    rating_open ro;
    bool have;
    if (!pick_round(r, t.org_path, &ro, &have) || !have) return;
    rating_result x;
    if (rating_result_get(r->db, ro.round_id, kind, id, &x) != CX_OK ||
        rating_comments(r->db, ro.round_id, kind, id, 200, add_comment, cJSON_AddArrayToObject(d, "comments")) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取评议结果失败");
        return;
    }
    snprintf(x.name, sizeof x.name, "%s", t.name);
    cJSON_AddItemToObject(d, "result", result_json(&x));
}

/* ---- staff: paper questionnaires ---- */

/* What a paper batch, a phone draw and a burst share: the record, its round and its target
 * (and the question set, when not NULL). */
#define SUBJECT_JSON(x) subject_json((x)->id, (x)->round_id, (x)->round_name, (x)->kind, (x)->target_id, (x)->target_name, (x)->org_id, (x)->org_name, (x)->questions)
static cJSON *subject_json(int64_t id, int64_t round_id, const char *round_name, int kind, int64_t target_id, const char *target_name,
                           int64_t org_id, const char *org_name, const char *questions)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", id);
    json_add_i64(j, "round_id", round_id);
    cJSON_AddStringToObject(j, "round_name", round_name);
    cJSON_AddStringToObject(j, "target_kind", rating_kind_name(kind));
    cJSON_AddStringToObject(j, "kind_label", rating_kind_label(kind));
    json_add_i64(j, "target_id", target_id);
    cJSON_AddStringToObject(j, "target_name", target_name);
    json_add_i64(j, "org_id", org_id);
    cJSON_AddStringToObject(j, "org_name", org_name);
    if (questions) cJSON_AddStringToObject(j, "question_set", questions);
    return j;
}

static cJSON *batch_json(const paper_batch *b)
{
    cJSON *j = SUBJECT_JSON(b);
    json_add_i64(j, "issued", b->issued);
    json_add_i64(j, "returned", b->returned);
    json_add_i64(j, "valid", b->valid);
    json_add_i64(j, "spoiled", b->spoiled);
    cJSON_AddStringToObject(j, "note", b->note);
    cJSON_AddStringToObject(j, "issued_by_name", b->created_by_name[0] ? b->created_by_name : "系统");
    return j;
}

static int add_keyer(void *ctx, int64_t user_id, const char *name, int64_t sheets)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "user_id", user_id);
    cJSON_AddStringToObject(j, "name", *name ? name : user_id ? "（已删除的账号）" : "未记录");
    json_add_i64(j, "sheets", sheets);
    cJSON_AddItemToArray(ctx, j);
    return 0;
}

/* 纸质问卷 are issued and keyed in by the level above the target's organisation
 * (perm_paper_handler); a refusal names the rule. */
static bool paper_handler_or_fail(req *r, const char *org_path, const char *fld)
{
    if (perm_paper_handler(&r->user, org_path)) return true;
    req_failf(r, 403, "not_level_above", fld,
              "纸质问卷由上级党组织（上级活动办公室或上级党组织书记）发放和录入，本组织的书记不能自己发放或录入本组织的问卷");
    return false;
}

static int add_batch(void *ctx, const paper_batch *b)
{
    cJSON_AddItemToArray(ctx, batch_json(b));
    return 0;
}

static bool req_batch(req *r, int64_t id, int mask, paper_batch *b)
{
    return in_scope(r, paper_batch_get(r->db, id, b), mask, b->org_path, "问卷批次");
}

/* The target of a batch or draw from the input: target_kind + target_id, or the page's
 * "target" select ("window:5"); by default the organisation itself. Must lie in o's subtree
 * and in the user's reach. */
static bool staff_target_in(req *r, const org *o, bool paper, int *kind, int64_t *tid)
{
    const char *sel = req_in(r, "target"), *ks = req_in(r, "target_kind");
    char kbuf[16] = "";
    *tid = 0;
    if (sel && *sel) {
        const char *c = strchr(sel, ':');
        snprintf(kbuf, sizeof kbuf, "%.*s", c ? (int)(c - sel) : 0, sel);
        if (!c || str_to_i64(c + 1, tid) != CX_OK) *tid = -1;
        ks = kbuf;
    } else {
        bool bad;
        *tid = query_id(r, "target_id", &bad);
        if (bad) *tid = -1;
    }
    *kind = ks && *ks ? rating_kind_from_name(ks) : RK_ORG;
    if (*kind < 0 || *kind == RK_PLEDGE) {
        req_failf(r, 400, "invalid_target_kind", "target_kind", "评议对象类别应为 member（党员）、org（党组织）或 window（服务窗口）");
        return false;
    }
    if (*tid < 0) {
        req_failf(r, 400, "invalid_target", "target_id", "评议对象编号应为正整数");
        return false;
    }
    if (*tid == 0) {
        if (*kind != RK_ORG) {
            req_failf(r, 400, "required", "target_id", "请填写评议对象编号");
            return false;
        }
        *tid = o->id;
    }
    rating_target t;
    if (rating_target_any(r->db, *kind, *tid, &t) != 1 || !path_in_subtree(t.org_path, o->path) || !perm_allows(&r->user, ROLE_ADMIN, t.org_path)) {
        req_failf(r, 404, "not_found", "target_id", "评议对象不存在或不在本组织范围内");
        return false;
    }
    return !paper || paper_handler_or_fail(r, t.org_path, "target_id");
}

/* POST /orgs/:id/paper-batches {target_kind, target_id, sheets, note} */
void h_paper_create(req *r)
{
    int64_t id, bid = 0, sheets = 0, tid;
    int kind;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ADMIN, &o) || !staff_target_in(r, &o, true, &kind, &tid)) return;
    const char *ss = req_in(r, "sheets");
    if (!ss || str_to_i64(ss, &sheets) != CX_OK) sheets = 0;
    cx_err e = {0};
    if (paper_batch_create(r->db, &r->who, kind, tid, sheets, req_in(r, "note"), &bid, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (!req_is_api(r)) {
        req_redirect(r, "/paper-batches/%" PRId64, bid);
        return;
    }
    paper_batch b;
    if (!req_found(r, paper_batch_get(r->db, bid, &b), "id", "纸质问卷批次")) return;
    r->status = 201;
    cJSON_AddItemToObject(req_data(r), "batch", batch_json(&b));
}

/* The organisation of the path's :id (staff in reach) and the optional ?round_id= of a list. */
static bool org_round(req *r, org *o, int64_t *rid)
{
    int64_t id;
    bool bad;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_STAFF, o)) return false;
    *rid = query_id(r, "round_id", &bad);
    if (bad) req_failf(r, 400, "invalid_query", "round_id", "参数 round_id 应为正整数");
    return !bad;
}

/* GET /api/v1/orgs/:id/paper-batches (?round_id=) */
void h_paper_list(req *r)
{
    org o;
    int64_t rid;
    pager pg;
    int64_t total = -1;
    if (!pager_read(r, 50, 500, &pg) || !org_round(r, &o, &rid)) return;
    if (paper_batch_count(r->db, &o, rid, &total) == CX_OK) pager_set_total(&pg, total);
    if (total < 0 || paper_batch_list(r->db, &o, rid, pager_offset(&pg), pg.per_page, add_batch, cJSON_AddArrayToObject(req_data(r), "batches")) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取问卷批次失败");
        return;
    }
    pager_json(r, req_data(r), &pg);
}

void h_paper(req *r)
{
    int64_t id;
    paper_batch b;
    if (!req_id(r, 0, &id) || !req_batch(r, id, ROLE_STAFF, &b)) return;
    cJSON *d = req_data(r);
    cJSON_AddItemToObject(d, "batch", batch_json(&b));
    char title[320];
    snprintf(title, sizeof title, "问卷批次 %" PRId64 "：%s", b.id, b.target_name);
    cJSON_AddStringToObject(d, "title", title);
    cJSON_AddBoolToObject(d, "can_edit", perm_paper_handler(&r->user, b.org_path));
    if (paper_keyers(r->db, b.id, add_keyer, cJSON_AddArrayToObject(d, "keyed_by")) != CX_OK) req_failf(r, 500, "db_error", "", "读取录入人失败");
    cJSON_AddItemToObject(d, "questions", questions_json(b.questions, NULL));
}

static int add_code(void *ctx, const char *code)
{
    cJSON_AddItemToArray(ctx, cJSON_CreateString(code));
    return 0;
}

/* GET /api/v1/paper-batches/:id: the batch, and for those who print and key in its sheets the
 * codes (in printing order, nothing about their answers). */
void h_paper_api(req *r)
{
    int64_t id;
    paper_batch b;
    if (!req_id(r, 0, &id) || !req_batch(r, id, ROLE_STAFF, &b)) return;
    cJSON *d = req_data(r);
    cJSON_AddItemToObject(d, "batch", batch_json(&b));
    if (paper_keyers(r->db, b.id, add_keyer, cJSON_AddArrayToObject(d, "keyed_by")) != CX_OK) req_failf(r, 500, "db_error", "", "读取录入人失败");
    else if (perm_paper_handler(&r->user, b.org_path) && paper_codes(r->db, id, add_code, cJSON_AddArrayToObject(d, "codes")) != CX_OK)
        req_failf(r, 500, "db_error", "", "读取问卷编号失败");
}

typedef struct sheets_ctx {
    cJSON *arr;
    const char *set;
} sheets_ctx;
static int add_sheet(void *ctx, const char *code)
{
    sheets_ctx *c = ctx;
    cJSON *s = cJSON_CreateObject();
    char shown[32];
    code_format(code, shown, sizeof shown);
    cJSON_AddStringToObject(s, "code", shown);
    cJSON_AddItemToArray(c->arr, s);
    return 0;
}

/* GET /paper-batches/:id/print: N A4 sheets with the questions, the answer boxes and the code. */
void h_paper_print(req *r)
{
    int64_t id;
    paper_batch b;
    if (!req_id(r, 0, &id) || !req_batch(r, id, ROLE_ADMIN, &b) || !paper_handler_or_fail(r, b.org_path, "id")) return;
    h_paper(r);
    sheets_ctx c = {cJSON_AddArrayToObject(req_data(r), "sheets"), b.questions};
    if (paper_codes(r->db, id, add_sheet, &c) != CX_OK) req_failf(r, 500, "db_error", "", "读取问卷编号失败");
}

/* POST /paper-batches/:id/sheets {code, answers | q1.., comment, reason, spoiled} */
void h_paper_sheet(req *r)
{
    int64_t id;
    paper_batch b;
    if (!req_id(r, 0, &id) || !req_batch(r, id, ROLE_ADMIN, &b)) return;
    if (!perm_paper_handler(&r->user, b.org_path)) {
        paper_handler_or_fail(r, b.org_path, "id");
        return;
    }
    char answers[8] = "";
    const char *ans = req_in(r, "answers");
    if (!req_is_api(r) && !ans) form_answers(r, questions_of(b.questions, NULL), answers), ans = answers;
    const char *sp = req_in(r, "spoiled");
    ballot_in in = {.channel = "paper", .batch_id = id, .sheet_code = req_in(r, "code"), .answers = ans, .comment = req_in(r, "comment"),
                    .reason = req_in(r, "reason"), .spoiled = sp && (!strcmp(sp, "1") || !strcmp(sp, "true") || !strcmp(sp, "on"))};
    ballot_out out;
    cx_err e = {0};
    int rc = ballot_cast(r->db, &r->who, &in, &out, &e);
    cx_err ke = {0};
    if (rc == CX_OK && paper_sheet_keyed(r->db, &r->who, &b, in.sheet_code, &ke) != CX_OK) /* the sheet counts; say who keyed it in */
        fprintf(stderr, "paper batch %" PRId64 ": keyer not recorded: %s\n", id, ke.msg);
    if (rc == CX_OK && !req_is_api(r)) { /* the next sheet from a fresh page: a refresh sends nothing again */
        req_redirect(r, "/paper-batches/%" PRId64 "?done=%s", id, in.spoiled ? "paper_spoiled" : "paper_valid");
        return;
    }
    if (rc != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (!req_found(r, paper_batch_get(r->db, id, &b), "id", "纸质问卷批次")) return;
    r->status = 201;
    cJSON *d = req_data(r);
    cJSON_AddBoolToObject(d, "counted", out.valid);
    cJSON_AddItemToObject(d, "batch", batch_json(&b));
}

/* ---- staff: phone sampling ---- */

static cJSON *draw_json(const phone_draw *p)
{
    cJSON *j = SUBJECT_JSON(p);
    cJSON_AddStringToObject(j, "method", p->method);
    cJSON_AddBoolToObject(j, "committed", p->commitment_id != 0);
    if (p->commitment_id) json_add_i64(j, "commitment_id", p->commitment_id);
    cJSON_AddStringToObject(j, "seed_sha256", p->seed_hash);
    cJSON_AddStringToObject(j, "seed", p->seed);
    cJSON_AddStringToObject(j, "created_by_name", p->created_by_name);
    if (p->commitment_id) {
        char when[32];
        time_text(p->committed_at, true, when);
        json_add_i64(j, "committed_at", p->committed_at);
        cJSON_AddStringToObject(j, "committed_at_text", when);
        time_text(p->created_at, true, when);
        cJSON_AddStringToObject(j, "drawn_at_text", when);
    }
    json_add_i64(j, "population", p->population);
    json_add_i64(j, "n", p->n);
    cJSON_AddStringToObject(j, "list_digest", p->list_digest);
    json_add_i64(j, "pending", p->pending);
    json_add_i64(j, "answered", p->answered);
    json_add_i64(j, "unreachable", p->unreachable);
    json_add_i64(j, "refused", p->refused);
    return j;
}

static int add_draw(void *ctx, const phone_draw *p)
{
    cJSON_AddItemToArray(ctx, draw_json(p));
    return 0;
}

static bool req_draw(req *r, int64_t id, int mask, phone_draw *p)
{
    return in_scope(r, phone_draw_get(r->db, id, p), mask, p->org_path, "抽访记录");
}

static cJSON *commitment_json(const draw_commitment *c)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", c->id);
    cJSON_AddStringToObject(j, "purpose", c->purpose);
    json_add_i64(j, "org_id", c->org_id);
    cJSON_AddStringToObject(j, "seed_sha256", c->seed_hash);
    json_add_i64(j, "created_at", c->created_at);
    char when[32];
    time_text(c->created_at, true, when);
    cJSON_AddStringToObject(j, "created_at_text", when);
    cJSON_AddStringToObject(j, "created_by_name", c->created_by_name);
    cJSON_AddBoolToObject(j, "used", c->used_at != 0);
    return j;
}

static int add_commitment(void *ctx, const draw_commitment *c)
{
    cJSON_AddItemToArray(ctx, commitment_json(c));
    return 0;
}

/* POST /orgs/:id/draw-commitments {purpose: phone}: a secret seed for a later draw in this
 * organisation's subtree; only its SHA-256 is shown now, the seed once the draw is made. */
void h_draw_commit(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ADMIN, &o)) return;
    const char *purpose = req_in(r, "purpose");
    draw_commitment c;
    cx_err e = {0};
    if (draw_commit(r->db, &r->who, purpose && *purpose ? purpose : "phone", o.id, &c, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (!req_is_api(r)) {
        req_redirect(r, "/orgs/%" PRId64 "/rating#phone", o.id);
        return;
    }
    r->status = 201;
    cJSON_AddItemToObject(req_data(r), "commitment", commitment_json(&c));
}

/* POST /orgs/:id/phone-import (multipart: file, target_kind, target_id | target, n, commitment_id;
 * a seed is refused) */
void h_phone_create(req *r)
{
    int64_t id, tid, did = 0;
    int kind;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ADMIN, &o) || !staff_target_in(r, &o, false, &kind, &tid)) return;
    const field *f = req_file(r, "file");
    cx_err e = {0};
    if (phone_draw_create(r->db, &r->who, kind, tid, f ? f->data.p : NULL, f ? f->data.len : 0, req_in(r, "n"), req_in(r, "seed"),
                          req_in(r, "commitment_id"), &did, &e) !=
        CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (!req_is_api(r)) {
        req_redirect(r, "/phone-draws/%" PRId64, did);
        return;
    }
    phone_draw p;
    if (!req_found(r, phone_draw_get(r->db, did, &p), "id", "电话抽访")) return;
    r->status = 201;
    cJSON_AddItemToObject(req_data(r), "draw", draw_json(&p));
}

/* GET /api/v1/orgs/:id/phone-draws (?round_id=) */
void h_phone_list(req *r)
{
    org o;
    int64_t rid;
    pager pg;
    int64_t total = -1;
    if (!pager_read(r, 50, 500, &pg) || !org_round(r, &o, &rid)) return;
    if (phone_draw_count(r->db, &o, rid, &total) == CX_OK) pager_set_total(&pg, total);
    if (total < 0 || phone_draw_list(r->db, &o, rid, pager_offset(&pg), pg.per_page, add_draw, cJSON_AddArrayToObject(req_data(r), "draws")) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取抽访记录失败");
        return;
    }
    pager_json(r, req_data(r), &pg);
}

static const char *state_label(const char *s)
{
    return !strcmp(s, "answered") ? "已回答" : !strcmp(s, "unreachable") ? "未接通" : !strcmp(s, "refused") ? "拒绝回答" : "待拨打";
}

static int add_entry(void *ctx, const phone_entry *x)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "seq", x->seq);
    json_add_i64(j, "list_index", x->list_index);
    cJSON_AddStringToObject(j, "phone_mask", x->mask);
    if (x->phone[0]) cJSON_AddStringToObject(j, "phone", x->phone);
    cJSON_AddStringToObject(j, "state", x->state);
    cJSON_AddStringToObject(j, "state_label", state_label(x->state));
    cJSON_AddBoolToObject(j, "pending", !strcmp(x->state, "pending"));
    cJSON_AddItemToArray(ctx, j);
    return 0;
}

static void draw_page(req *r, const phone_draw *p, bool reveal)
{
    cJSON *d = req_data(r);
    cJSON_AddItemToObject(d, "draw", draw_json(p));
    char title[320];
    snprintf(title, sizeof title, "电话随机抽访 %" PRId64 "：%s", p->id, p->target_name);
    cJSON_AddStringToObject(d, "title", title);
    cJSON_AddBoolToObject(d, "can_edit", perm_allows(&r->user, ROLE_ADMIN, p->org_path));
    cJSON_AddBoolToObject(d, "revealed", reveal);
    cJSON_AddItemToObject(d, "questions", questions_json(p->questions, NULL));
    if (phone_entries(r->db, p->id, reveal, add_entry, cJSON_AddArrayToObject(d, "entries")) != CX_OK)
        req_failf(r, 500, "db_error", "", "读取抽访名单失败");
}

void h_phone(req *r)
{
    int64_t id;
    phone_draw p;
    if (!req_id(r, 0, &id) || !req_draw(r, id, ROLE_STAFF, &p)) return;
    draw_page(r, &p, false);
}

/* POST /phone-draws/:id/reveal: the full numbers for the operators, the view audited. */
void h_phone_reveal(req *r)
{
    int64_t id;
    phone_draw p;
    if (!req_id(r, 0, &id) || !req_draw(r, id, ROLE_ADMIN, &p)) return;
    cx_err e = {0};
    if (phone_draw_reveal(r->db, &r->who, id, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    r->tmpl = "phone";
    draw_page(r, &p, true);
}

/* POST /phone-draws/:id/answers {seq, outcome: answered|unreachable|refused, answers | q1.., comment, reason} */
void h_phone_answer(req *r)
{
    int64_t id, seq = 0;
    phone_draw p;
    if (!req_id(r, 0, &id) || !req_draw(r, id, ROLE_ADMIN, &p)) return;
    const char *ss = req_in(r, "seq"), *outcome = req_in(r, "outcome");
    cx_err e = {0};
    int rc;
    if (!ss || str_to_i64(ss, &seq) != CX_OK || seq < 1) rc = cx_fail(&e, 400, "invalid_seq", "seq", "请填写抽访名单中的序号（正整数）");
    else if (!outcome || !strcmp(outcome, "answered")) {
        char answers[8] = "";
        const char *ans = req_in(r, "answers");
        if (!req_is_api(r) && !ans) form_answers(r, questions_of(p.questions, NULL), answers), ans = answers;
        ballot_in in = {.channel = "phone", .draw_id = id, .seq = seq, .answers = ans, .comment = req_in(r, "comment"), .reason = req_in(r, "reason")};
        ballot_out out;
        rc = ballot_cast(r->db, &r->who, &in, &out, &e);
    } else rc = phone_entry_mark(r->db, &r->who, id, seq, outcome, &e);
    if (rc == CX_OK && !req_is_api(r)) {
        req_redirect(r, "/phone-draws/%" PRId64 "?done=phone", id);
        return;
    }
    if (rc != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (!req_found(r, phone_draw_get(r->db, id, &p), "id", "电话抽访")) return;
    cJSON_AddItemToObject(req_data(r), "draw", draw_json(&p));
}

/* GET /rating: the rating page of the user's highest organisation. */
void h_rating_home(req *r)
{
    const grant *g = perm_top_grant(&r->user, ROLE_STAFF);
    if (!g) {
        req_failf(r, 403, "forbidden", "", "您的角色无权查看群众评议");
        return;
    }
    req_redirect(r, "/orgs/%" PRId64 "/rating", g->org_id);
}

/* ---- the office: bursts held out of the figures (集中投票，待审核) ---- */

static cJSON *burst_json(const ballot_burst *b)
{
    cJSON *j = subject_json(b->id, b->round_id, b->round_name, b->kind, b->target_id, b->target_name, b->org_id, b->org_name, NULL);
    cJSON_AddStringToObject(j, "reason", b->reason);
    char t[200], w1[32], w2[32];
    time_text(b->window_start, false, w1);
    time_text(b->window_start + b->window_len, false, w2);
    if (!strcmp(b->reason, "network"))
        snprintf(t, sizeof t, "同一网段在 %s 至 %s 提交的网上评价过多", w1, w2 + 11);
    else snprintf(t, sizeof t, "%s 至 %s 对该对象的网上评价过多", w1, w2 + 11);
    cJSON_AddStringToObject(j, "reason_text", t);
    json_add_i64(j, "window_start", b->window_start);
    json_add_i64(j, "window_len", b->window_len);
    cJSON_AddStringToObject(j, "state", b->state);
    cJSON_AddStringToObject(j, "state_label", !strcmp(b->state, "open") ? "待审核" : !strcmp(b->state, "released") ? "已审核计入" : "已审核作废");
    cJSON_AddBoolToObject(j, "open", !strcmp(b->state, "open"));
    json_add_i64(j, "held", b->held);
    json_add_i64(j, "released", b->released);
    json_add_i64(j, "discarded", b->discarded);
    cJSON_AddStringToObject(j, "note", b->note);
    time_text(b->decided_at, false, w1);
    cJSON_AddStringToObject(j, "decided_at", w1);
    return j;
}

static int add_burst(void *ctx, const ballot_burst *b)
{
    cJSON_AddItemToArray(ctx, burst_json(b));
    return 0;
}

/* GET /orgs/:id/ballot-bursts (page) and /api/v1/orgs/:id/ballot-bursts (?round_id=&state=open|released|discarded):
 * the bursts of the organisation's subtree, open ones first. */
void h_bursts(req *r)
{
    int64_t id;
    org o;
    bool bad;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_OFFICE, &o)) return;
    int64_t rid = query_id(r, "round_id", &bad);
    if (bad) {
        req_failf(r, 400, "invalid_query", "round_id", "参数 round_id 应为正整数");
        return;
    }
    const char *st = req_query(r, "state");
    if (st && *st && strcmp(st, "open") && strcmp(st, "released") && strcmp(st, "discarded")) {
        req_failf(r, 400, "invalid_query", "state", "参数 state 应为 open（待审核）、released（已计入）或 discarded（已作废）");
        return;
    }
    cJSON *d = req_data(r);
    if (!cJSON_GetObjectItem(d, "org")) cJSON_AddItemToObject(d, "org", json_org(&o));
    char title[320];
    snprintf(title, sizeof title, "集中投票审核 · %s", o.name);
    if (!cJSON_GetObjectItem(d, "title")) cJSON_AddStringToObject(d, "title", title);
    pager pg;
    int64_t total = -1;
    if (!pager_read(r, 50, 500, &pg)) return;
    if (burst_count(r->db, &o, rid, st, &total) == CX_OK) pager_set_total(&pg, total);
    if (total < 0 || burst_list(r->db, &o, rid, st, pager_offset(&pg), pg.per_page, add_burst, cJSON_AddArrayToObject(d, "bursts")) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取集中投票记录失败");
        return;
    }
    if (!cJSON_GetObjectItem(d, "paging")) pager_json(r, d, &pg);
}

/* POST /orgs/:id/ballot-bursts {burst_id, decision: release|discard, note}: the office's review of
 * a burst in its subtree; released ballots count, discarded ones count as invalid (audited). */
void h_burst_decide(req *r)
{
    int64_t id, bid = 0;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_OFFICE, &o)) return;
    const char *bs = req_in(r, "burst_id"), *dec = req_in(r, "decision");
    cx_err e = {0};
    ballot_burst b;
    int rc = CX_OK, f = 0;
    if (!bs || str_to_i64(bs, &bid) != CX_OK || bid <= 0)
        rc = cx_fail(&e, 400, "invalid_burst", "burst_id", "请指明要审核的集中投票记录（burst_id 为正整数）");
    else if (!dec || (strcmp(dec, "release") && strcmp(dec, "discard")))
        rc = cx_fail(&e, 400, "invalid_decision", "decision", "审核结论应为 release（计入结果）或 discard（作废）");
    else if ((f = burst_get(r->db, bid, &b)) == CX_ERR) rc = cx_fail(&e, 500, "db_error", "", "数据库错误");
    else if (f == 0 || !path_in_subtree(b.org_path, o.path) || !perm_allows(&r->user, ROLE_OFFICE, b.org_path))
        rc = cx_fail(&e, 404, "not_found", "burst_id", "集中投票记录不存在或不在本组织范围内");
    else rc = burst_decide(r->db, &r->who, bid, !strcmp(dec, "release"), req_in(r, "note"), &e);
    if (rc == CX_OK && !req_is_api(r)) {
        req_redirect(r, "/orgs/%" PRId64 "/ballot-bursts?done=burst_%s", id, dec);
        return;
    }
    if (rc != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (burst_get(r->db, bid, &b) == 1) cJSON_AddItemToObject(req_data(r), "burst", burst_json(&b));
}
