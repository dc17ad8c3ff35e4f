/* notice.c: public notices (公示) and objections (异议), issue 19. Staff: an office's notices
 * (list, a notice opened by hand from members of its subtree), a notice's page (items, contact
 * line; for the office and discipline staff of its office, the objections and each item's state),
 * holding an objection and recording its outcome. Public: open and recently ended notices, a
 * notice's page with the objection form (real name, a phone verified by the SMS code of the rating
 * flow), its A4 print with a QR code, and the objector's tracking by code. */
#include "rating_int.h"
#include "pager.h"
#include "../lib/code.h"
#include "../store/notice.h"
#include "../store/rater.h"
#include "../store/limit.h"
#include "../domain/date.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OBJECTIONS_PER_ADDR 10  /* objections accepted per address and hour */
#define OBJECTIONS_PER_PHONE 3  /* per verified phone and hour */
#define TRACK_MISSES 10         /* wrong tracking codes per address and hour */
#define PUBLIC_RECENT_DAYS 30   /* an ended notice stays on /p/notices this long */

static void today_of(char out[11]) { date_today(out); }

/* "公示期：2026-12-07 至 2026-12-11（5 个工作日）" */
static void period_text(const notice *n, char *out, size_t cap)
{
    snprintf(out, cap, "公示期：%s 至 %s（%" PRId64 " 个工作日）", n->start_date, n->end_date, n->workdays);
}

static cJSON *notice_json(const notice *n)
{
    cJSON *j = cJSON_CreateObject();
    char today[11], period[160];
    today_of(today);
    period_text(n, period, sizeof period);
    json_add_i64(j, "id", n->id);
    json_add_i64(j, "office_id", n->office_id);
    cJSON_AddStringToObject(j, "office_name", n->office_name);
    cJSON_AddStringToObject(j, "title", n->title);
    cJSON_AddStringToObject(j, "body", n->body);
    cJSON_AddStringToObject(j, "contact", n->contact);
    cJSON_AddStringToObject(j, "start_date", n->start_date);
    cJSON_AddStringToObject(j, "end_date", n->end_date);
    json_add_i64(j, "workdays", n->workdays);
    cJSON_AddStringToObject(j, "period", period);
    json_add_i64(j, "items_count", n->items);
    /* the public sees open or over; "ended" (objections still open) only the handlers */
    const char *ph = strcmp(today, n->end_date) <= 0 ? "open" : "over";
    cJSON_AddStringToObject(j, "phase", ph);
    cJSON_AddStringToObject(j, "phase_label", !strcmp(ph, "open") ? "公示中" : "公示期满");
    cJSON_AddBoolToObject(j, "open", !strcmp(ph, "open"));
    return j;
}

/* ---- items ---- */

typedef struct items_ctx {
    cJSON *arr;
    bool staff; /* ids of subjects, where they come from */
} items_ctx;

static int add_item(void *ctx, const notice_item *it)
{
    items_ctx *c = ctx;
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", it->id);
    json_add_i64(j, "seq", it->seq);
    cJSON_AddStringToObject(j, "subject_kind", it->subject_kind);
    cJSON_AddStringToObject(j, "subject_kind_label", !strcmp(it->subject_kind, "org") ? "党组织" : "党员");
    cJSON_AddStringToObject(j, "name", it->subject_name);
    cJSON_AddStringToObject(j, "org_name", it->org_name);
    cJSON_AddStringToObject(j, "honour", it->honour);
    cJSON_AddStringToObject(j, "reason", it->reason);
    if (it->upheld) cJSON_AddTrueToObject(j, "withdrawn"); /* the outcome is public once decided */
    if (c->staff) {
        json_add_i64(j, "subject_id", it->subject_id);
        cJSON_AddStringToObject(j, "source", it->source);
        json_add_i64(j, "ref_id", it->ref_id);
        cJSON_AddStringToObject(j, "org_path", it->org_path); /* for h_notice's recusal; removed there */
    }
    cJSON_AddItemToArray(c->arr, j);
    return 0;
}

static bool items_into(req *r, cJSON *x, const notice *n, bool staff)
{
    items_ctx c = {cJSON_AddArrayToObject(x, "items"), staff};
    if (notice_items(r->db, n->id, add_item, &c) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取公示对象失败");
        return false;
    }
    return true;
}

/* ---- public ---- */

static bool public_notice(req *r, notice *n)
{
    int64_t id;
    if (!req_id(r, 0, &id)) return false;
    int f = notice_get(r->db, id, n);
    if (f == CX_ERR) return req_failf(r, 500, "db_error", "", "数据库错误"), false;
    if (f != 1) return req_failf(r, 404, "not_found", "id", "公示不存在"), false;
    return true;
}

static int add_public_notice(void *ctx, const notice *n)
{
    cJSON_AddItemToArray(ctx, notice_json(n));
    return 0;
}

/* GET /p/notices, /api/v1/public/notices: open and recently ended notices, newest first, paged. */
void h_public_notices(req *r)
{
    pager pg;
    if (!pager_read(r, 20, 100, &pg)) return;
    char today[11], since[11];
    today_of(today);
    day_string(day_number(today) - PUBLIC_RECENT_DAYS, since);
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "公示");
    int64_t total = 0;
    if (notice_list(r->db, NULL, since, 0, 0, &total, NULL, NULL) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取公示失败");
        return;
    }
    pager_set_total(&pg, total);
    if (notice_list(r->db, NULL, since, pg.per_page, pager_offset(&pg), NULL, add_public_notice, cJSON_AddArrayToObject(d, "notices")) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取公示失败");
        return;
    }
    pager_json(r, d, &pg);
}

static void public_data(req *r, const notice *n)
{
    cJSON *d = req_data(r);
    cJSON *x = notice_json(n);
    cJSON_AddItemToObject(d, "notice", x);
    cJSON_AddStringToObject(d, "title", n->title);
    items_into(r, x, n, false);
}

/* GET /p/notices/:id: the items (names, organisations, honours, reasons), the period, the contact
 * line and, while open, the objection form. */
void h_public_notice(req *r)
{
    notice *n = req_keep(r, xmalloc(sizeof *n));
    if (!public_notice(r, n)) return;
    public_data(r, n);
}

static bool notice_url(req *r, int64_t id, buf *out)
{
    char path[64];
    snprintf(path, sizeof path, "/p/notices/%" PRId64, id);
    return req_public_url(r, path, out);
}

/* GET /p/notices/:id/print: A4, with the QR code of the notice's public page. */
void h_public_notice_print(req *r)
{
    notice *n = req_keep(r, xmalloc(sizeof *n));
    if (!public_notice(r, n)) return;
    public_data(r, n);
    if (r->failed) return;
    buf url;
    buf_init(&url);
    if (notice_url(r, n->id, &url)) json_add_qr(req_data(r), url.p);
    buf_free(&url);
}

void h_public_notice_qr(req *r)
{
    notice *n = req_keep(r, xmalloc(sizeof *n));
    if (!public_notice(r, n)) return;
    buf url;
    buf_init(&url);
    if (notice_url(r, n->id, &url)) req_qr(r, &url);
    else buf_free(&url);
}

/* The hourly buckets of objections: per address, per phone, and wrong tracking codes per address. */
static void limit_of(const char *what, const char *value, char out[48]) { limit_bucket("o:", what, value, out); }

/* POST /p/notices/:id/objections (op=sms sends the code first) and /api/v1/public/objections
 * {notice_id, item_id, name, phone, code, text}. */
void h_public_objection(req *r)
{
    notice *n = req_keep(r, xmalloc(sizeof *n));
    cx_err e = {0};
    if (req_is_api(r)) {
        bool bad = false;
        int64_t nid = query_id(r, "notice_id", &bad);
        if (bad || nid <= 0) {
            req_failf(r, 422, "invalid_notice", "notice_id", "请指明公示（notice_id 应为正整数）");
            return;
        }
        int f = notice_get(r->db, nid, n);
        if (f != 1) {
            req_failf(r, f == 0 ? 404 : 500, f == 0 ? "not_found" : "db_error", "notice_id", f == 0 ? "公示不存在" : "数据库错误");
            return;
        }
    } else if (!public_notice(r, n))
        return;
    r->who.name = "群众"; /* the audit log's actor: the public */
    char addr[64], today[11];
    req_client_addr(r, addr);
    today_of(today);
    const char *op = req_in(r, "op");
    if (!req_is_api(r) && op && !strcmp(op, "sms")) {
        rater_phone p;
        if (rating_phone(req_in(r, "phone"), p.phone, &e) != CX_OK || sms_code_request(r->db, &p, addr, &e) != CX_OK) {
            req_fail(r, &e);
            return;
        }
        public_data(r, n);
        cJSON *d = req_data(r), *v = cJSON_AddObjectToObject(d, "values");
        static const char *keep[] = {"name", "phone", "text", NULL};
        for (int i = 0; keep[i]; i++) {
            const char *x = req_in(r, keep[i]);
            cJSON_AddStringToObject(v, keep[i], x && utf8_valid(x, strlen(x)) ? x : "");
        }
        cJSON *it, *items = cJSON_GetObjectItem(cJSON_GetObjectItem(d, "notice"), "items");
        const char *chosen = req_in(r, "item_id");
        cJSON_ArrayForEach(it, items)
        {
            char idt[24];
            snprintf(idt, sizeof idt, "%" PRId64, json_get_i64(it, "id"));
            if (chosen && !strcmp(chosen, idt)) cJSON_AddTrueToObject(it, "chosen");
        }
        cJSON_AddStringToObject(d, "sms_notice", "验证码已发送到您的手机，10 分钟内有效。");
        r->tmpl = "notice_public";
        return;
    }
    /* after the end nothing is looked at or stored */
    if (strcmp(today, n->end_date) > 0) {
        req_failf(r, 409, "notice_ended", "notice_id", "公示期已于 %s 结束，不再受理异议", n->end_date);
        return;
    }
    bool bad = false;
    int64_t item = query_id(r, "item_id", &bad);
    char name[OBJECTION_NAME_MAX * 4 + 1], text[OBJECTION_TEXT_MAX * 4 + 1];
    rater_phone p;
    if (bad || item <= 0) cx_fail(&e, 422, "invalid_item", "item_id", "请选择对哪一个公示对象提出异议");
    else if (objection_check(req_in(r, "name"), req_in(r, "text"), name, text, &e) != CX_OK) e.status = 422;
    else if (rating_phone(req_in(r, "phone"), p.phone, &e) != CX_OK) e.status = 422;
    if (e.code[0]) {
        req_fail(r, &e);
        return;
    }
    /* rate limits: per address and per phone, an hour (refused ones count nothing) */
    /* a use of each is taken first and given back when the objection is refused, so that of many
     * sent at once no more than the limit get through */
    char ba[48], bp[48];
    int64_t na = 0, np = 0, hour = limit_hour();
    limit_of("objection-addr", addr, ba);
    limit_of("objection-phone", p.phone, bp);
    int ta = limit_take(r->db, ba, hour, OBJECTIONS_PER_ADDR, &na);
    int tp = ta == 1 ? limit_take(r->db, bp, hour, OBJECTIONS_PER_PHONE, &np) : 0;
    if (ta == CX_ERR || tp == CX_ERR) {
        if (ta == 1) limit_give(r->db, ba, hour);
        req_failf(r, 500, "db_error", "", "数据库错误");
        return;
    }
    if (!ta || !tp) {
        if (ta == 1) limit_give(r->db, ba, hour);
        r->retry_after = 3600;
        req_failf(r, 429, "rate_limited", !ta ? "" : "phone",
                  !ta ? "此网络一小时内提交的异议过多，请稍后再试" : "该手机号一小时内提交的异议过多，请稍后再试");
        return;
    }
    /* the item must be this notice's before the code is used up: a refusal spends no code */
    int64_t of_notice = 0, oid = 0;
    char code[OBJECTION_CODE_CAP];
    const char *code_in = req_in(r, "code");
    if (db_i64(r->db, &of_notice, 0, "SELECT count(*) FROM notice_item WHERE id = ? AND notice_id = ?", "ii", item, n->id) != CX_OK)
        cx_fail(&e, 500, "db_error", "", "数据库错误");
    else if (!of_notice) cx_fail(&e, 422, "invalid_item", "item_id", "所选公示对象不在本公示中");
    /* the signature: a phone verified by the SMS code (the rating flow's) */
    else if (!code_in || !*code_in)
        cx_fail(&e, 422, "code_required", "code", "请先获取并填写短信验证码：异议须以真实姓名和验证过的手机号署名");
    else if (sms_code_verify(r->db, p.phone, code_in, &e) != CX_OK) {
        if (e.status == 400) e.status = 422;
    } else objection_submit(r->db, &r->who, n->id, item, name, p.phone, text, &oid, code, &e);
    if (e.code[0]) { /* refused: counts nothing */
        limit_give(r->db, ba, hour);
        limit_give(r->db, bp, hour);
        req_fail(r, &e);
        return;
    }
    char shown[OBJECTION_CODE_CAP * 2];
    code_format(code, shown, sizeof shown);
    if (!req_is_api(r)) {
        free(r->set_cookie[0]);
        r->set_cookie[0] = xasprintf("cxzy_objection=%s; Path=/p/objections/done; Max-Age=1800; HttpOnly; SameSite=Strict", code);
        req_redirect(r, "/p/objections/done");
        return;
    }
    r->status = 201;
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "code", shown);
    cJSON_AddStringToObject(d, "status", objection_status_name(OS_RECEIVED));
}

/* GET /p/objections/done: the tracking code of the objection just filed (the cookie's). */
void h_objection_done(req *r)
{
    const char *c = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "cxzy_objection");
    char code[OBJECTION_CODE_DATA + 2], shown[OBJECTION_CODE_CAP * 2];
    cx_err e = {0};
    objection *o = req_keep(r, xmalloc(sizeof *o));
    int got = c && code_parse(c, OBJECTION_CODE_DATA, code, sizeof code, "code", "查询码", &e) == CX_OK ? objection_by_code(r->db, code, o) : 0;
    if (got != 1) {
        req_failf(r, got == CX_ERR ? 500 : 404, got == CX_ERR ? "db_error" : "not_found", "", "没有可显示的查询码：查询码只在提交后显示");
        return;
    }
    code_format(code, shown, sizeof shown);
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "异议已收到");
    cJSON_AddStringToObject(d, "done_code", shown);
    json_add_i64(d, "notice_id", o->notice_id);
}

void h_objection_track_page(req *r) { cJSON_AddStringToObject(req_data(r), "title", "查询异议核查结果"); }

/* POST /p/objections/track, /api/v1/public/objection-track {code}: the status and, once decided,
 * the outcome and finding; never names. Wrong codes are limited per address. */
void h_objection_track(req *r)
{
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "查询异议核查结果");
    char addr[64], code[OBJECTION_CODE_DATA + 2];
    limit_guess g;
    req_client_addr(r, addr);
    limit_of("objection-track", addr, g.bucket);
    cx_err e = {0};
    objection *o = req_keep(r, xmalloc(sizeof *o));
    if (limit_guess_begin(r->db, &g, TRACK_MISSES, req_in(r, "code"), OBJECTION_CODE_DATA, code, sizeof code, &e))
        limit_guess_end(r->db, &g, objection_by_code(r->db, code, o), &e);
    if (e.code[0]) {
        req_fail(r, &e);
        return;
    }
    char shown[OBJECTION_CODE_CAP * 2], when[32];
    code_format(code, shown, sizeof shown);
    cJSON *t = cJSON_AddObjectToObject(d, "tracking");
    cJSON_AddStringToObject(t, "code", shown);
    json_add_i64(t, "notice_id", o->notice_id);
    cJSON_AddStringToObject(t, "notice_title", o->notice_title);
    cJSON_AddStringToObject(t, "status", objection_status_name(o->status));
    cJSON_AddStringToObject(t, "status_label", objection_status_label(o->status));
    time_text(o->created_at, false, when);
    cJSON_AddStringToObject(t, "received", when);
    if (o->status == OS_UPHELD || o->status == OS_DISMISSED) {
        time_text(o->decided_at, false, when);
        cJSON_AddStringToObject(t, "decided", when);
        cJSON_AddStringToObject(t, "finding", o->finding);
    }
}

/* ---- staff ---- */

/* The path of the user's own member organisation ("" when none): who is recused. */
static const char *own_path(req *r)
{
    if (r->user.member_id <= 0) return "";
    member *m = req_keep(r, xmalloc(sizeof *m));
    return member_get(r->db, r->user.member_id, m) == 1 ? m->org_path : "";
}

static bool req_notice_org(req *r, org *o)
{
    int64_t id;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_STAFF, o)) return false;
    if (!perm_may_see_notice(&r->user, o->path)) return req_failf(r, 404, "not_found", "id", "党组织不存在或不在您的管理范围内"), false;
    return true;
}

/* A member the form offers as a subject: the name and organisation only. */
static int add_candidate(void *ctx, const member *m)
{
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", m->id);
    cJSON_AddStringToObject(o, "name", m->r.name);
    cJSON_AddStringToObject(o, "org_name", m->org_name);
    cJSON_AddItemToArray(ctx, o);
    return 0;
}

/* GET /orgs/:id/notices: the notices of the offices in the subtree, newest first; the form. */
void h_notices(req *r)
{
    org o;
    pager pg;
    if (!req_notice_org(r, &o) || !pager_read(r, 20, 100, &pg)) return;
    cJSON *d = req_data(r);
    int64_t total = 0;
    if (notice_list(r->db, o.path, "", 0, 0, &total, NULL, NULL) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取公示失败");
        return;
    }
    pager_set_total(&pg, total);
    if (notice_list(r->db, o.path, "", pg.per_page, pager_offset(&pg), NULL, add_public_notice, cJSON_AddArrayToObject(d, "notices")) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取公示失败");
        return;
    }
    pager_json(r, d, &pg);
    cJSON_AddItemToObject(d, "org", json_org(&o));
    char title[320];
    snprintf(title, sizeof title, "%s：公示", o.name);
    cJSON_AddStringToObject(d, "title", title);
    bool run = perm_may_run_notice(&r->user, o.path);
    cJSON_AddBoolToObject(d, "can_create", run);
    if (run && !req_is_api(r)) {
        char contact[320];
        snprintf(contact, sizeof contact, "%s活动办公室", o.name);
        cJSON_AddStringToObject(d, "default_contact", contact);
        member_query q = {.root = &o, .subtree = true, .limit = 500};
        member_list(r->db, &q, add_candidate, cJSON_AddArrayToObject(d, "members"));
        org_subtree(r->db, &o, 0, 300, add_org_option, cJSON_AddArrayToObject(d, "orgs"));
    }
}

/* The items of a notice as sent: the API's items [{subject_kind, subject_id, honour, reason}], or
 * the form's ticked member_id and org_id boxes with one honour and reason. n items into *out (kept by r). */
static bool items_in(req *r, notice_item_in **out, int *n)
{
    *n = 0;
    if (req_is_api(r)) {
        const cJSON *arr = r->json ? cJSON_GetObjectItemCaseSensitive(r->json, "items") : NULL, *x;
        if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) < 1 || cJSON_GetArraySize(arr) > NOTICE_ITEMS_MAX)
            return req_failf(r, 422, "invalid_items", "items", "公示对象 items 应为 1 至 %d 项的列表", NOTICE_ITEMS_MAX), false;
        notice_item_in *v = req_keep(r, xcalloc((size_t)cJSON_GetArraySize(arr), sizeof *v));
        cJSON_ArrayForEach(x, arr)
        {
            const cJSON *k = cJSON_GetObjectItemCaseSensitive(x, "subject_kind"), *id = cJSON_GetObjectItemCaseSensitive(x, "subject_id"),
                        *h = cJSON_GetObjectItemCaseSensitive(x, "honour"), *why = cJSON_GetObjectItemCaseSensitive(x, "reason");
            int64_t sid = 0;
            bool id_ok = (cJSON_IsNumber(id) && id->valuedouble >= 1 && id->valuedouble < 9e15 && (sid = (int64_t)id->valuedouble) == id->valuedouble) ||
                         (cJSON_IsString(id) && str_to_i64(id->valuestring, &sid) == CX_OK && sid > 0);
            if (!cJSON_IsObject(x) || !cJSON_IsString(k) || !id_ok || !cJSON_IsString(h) || (why && !cJSON_IsNull(why) && !cJSON_IsString(why)))
                return req_failf(r, 422, "invalid_items", "items", "第 %d 个公示对象应写明 subject_kind、subject_id、honour（reason 可不填）", *n + 1), false;
            v[*n] = (notice_item_in){k->valuestring, sid, h->valuestring, cJSON_IsString(why) ? why->valuestring : "", "manual", 0};
            (*n)++;
        }
        *out = v;
        return true;
    }
    notice_item_in *v = req_keep(r, xcalloc((size_t)r->nfields + 1, sizeof *v));
    const char *h = req_in(r, "honour"), *why = req_in(r, "reason");
    for (int i = 0; i < r->nfields; i++) {
        const char *f = r->fields[i].name;
        bool is_org = !strcmp(f, "org_id");
        if (!is_org && strcmp(f, "member_id")) continue;
        int64_t sid = 0;
        if (str_to_i64(r->fields[i].data.p ? r->fields[i].data.p : "", &sid) != CX_OK || sid <= 0)
            return req_failf(r, 422, "invalid_items", f, "公示对象的编号应为正整数"), false;
        if (*n >= NOTICE_ITEMS_MAX) return req_failf(r, 422, "invalid_items", f, "公示对象至多 %d 个", NOTICE_ITEMS_MAX), false;
        v[(*n)++] = (notice_item_in){is_org ? "org" : "member", sid, h, why, "manual", 0};
    }
    if (!*n) return req_failf(r, 422, "invalid_items", "member_id", "请至少选择一名公示对象"), false;
    *out = v;
    return true;
}

/* POST /orgs/:id/notices {title, body, contact, workdays, items} */
void h_notice_create(req *r)
{
    org o;
    if (!req_notice_org(r, &o)) return;
    if (!perm_may_run_notice(&r->user, o.path)) {
        req_failf(r, 403, "forbidden", "", "只有本组织（或上级）的活动办公室可以发布公示");
        return;
    }
    cx_err e = {0};
    notice_ok *ok = req_keep(r, xmalloc(sizeof *ok));
    notice_item_in *items = NULL;
    int n = 0;
    if (notice_check(&(notice_in){req_in(r, "title"), req_in(r, "body"), req_in(r, "contact"), req_in(r, "workdays")}, ok, &e) != CX_OK) {
        if (e.status == 400) e.status = 422;
        req_fail(r, &e);
        return;
    }
    if (!items_in(r, &items, &n)) return;
    int64_t nid = 0;
    if (notice_open(r->db, &r->who, o.id, ok, n, items, &nid, &e) != CX_OK) {
        if (e.status == 400) e.status = 422;
        req_fail(r, &e);
        return;
    }
    if (!req_is_api(r)) {
        req_redirect(r, "/notices/%" PRId64, nid);
        return;
    }
    notice *x = req_keep(r, xmalloc(sizeof *x));
    if (!req_found(r, notice_get(r->db, nid, x), "id", "公示")) return;
    r->status = 201;
    cJSON *j = notice_json(x);
    cJSON_AddItemToObject(req_data(r), "notice", j);
    if (!items_into(r, j, x, true)) return;
    cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(j, "items")) cJSON_DeleteItemFromObject(it, "org_path");
}

/* The notice of the path's :id as staff may see it, or 404. */
static bool req_notice(req *r, notice *n)
{
    int64_t id;
    if (!req_id(r, 0, &id)) return false;
    int f = notice_get(r->db, id, n);
    if (f == CX_ERR) return req_failf(r, 500, "db_error", "", "数据库错误"), false;
    if (f != 1 || !perm_may_see_notice(&r->user, n->office_path)) return req_failf(r, 404, "not_found", "id", "公示不存在或不在您的管理范围内"), false;
    return true;
}

static cJSON *objection_json(const objection *o)
{
    cJSON *j = cJSON_CreateObject();
    char when[32];
    json_add_i64(j, "id", o->id);
    json_add_i64(j, "notice_id", o->notice_id);
    json_add_i64(j, "item_id", o->item_id);
    cJSON_AddStringToObject(j, "subject", o->item_subject);
    cJSON_AddStringToObject(j, "honour", o->item_honour);
    cJSON_AddStringToObject(j, "name", o->name_mask);
    cJSON_AddStringToObject(j, "phone", o->phone_mask);
    cJSON_AddStringToObject(j, "text", o->text);
    cJSON_AddStringToObject(j, "status", objection_status_name(o->status));
    cJSON_AddStringToObject(j, "status_label", objection_status_label(o->status));
    cJSON_AddStringToObject(j, "finding", o->finding);
    time_text(o->created_at, false, when);
    cJSON_AddStringToObject(j, "received", when);
    cJSON_AddBoolToObject(j, "can_hold", o->status == OS_RECEIVED);
    cJSON_AddBoolToObject(j, "can_decide", o->status == OS_INVESTIGATING);
    return j;
}

typedef struct obj_ctx {
    req *r;
    cJSON *arr;
    const char *own; /* the user's own member organisation: recusal */
} obj_ctx;

static int add_objection(void *ctx, const objection *o)
{
    obj_ctx *c = ctx;
    if (!perm_may_handle_objection(&c->r->user, o->office_path, c->own, o->item_path)) return 0;
    cJSON_AddItemToArray(c->arr, objection_json(o));
    return 0;
}

/* GET /notices/:id: the notice for staff; its objections and the items' states (notice_ref_state)
 * for the handlers, each item only to those not recused from it. */
void h_notice(req *r)
{
    notice *n = req_keep(r, xmalloc(sizeof *n));
    if (!req_notice(r, n)) return;
    cJSON *d = req_data(r);
    cJSON *x = notice_json(n);
    cJSON_AddItemToObject(d, "notice", x);
    cJSON_AddStringToObject(d, "title", n->title);
    const char *own = own_path(r);
    bool handler = perm_may_handle_objection(&r->user, n->office_path, "", "");
    if (!items_into(r, x, n, true)) return;
    cJSON_AddBoolToObject(d, "can_edit", perm_may_run_notice(&r->user, n->office_path));
    cJSON_AddBoolToObject(d, "can_handle", handler);
    cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(x, "items"))
    {
        const char *ip = cJSON_GetStringValue(cJSON_GetObjectItem(it, "org_path"));
        int st = 0;
        cx_err e = {0};
        if (handler && perm_may_handle_objection(&r->user, n->office_path, own, ip)) {
            if (notice_ref_state(r->db, cJSON_GetStringValue(cJSON_GetObjectItem(it, "source")), json_get_i64(it, "ref_id"), &st, &e) != CX_OK) {
                req_fail(r, &e);
                return;
            }
            cJSON_AddStringToObject(it, "state", notice_ref_state_name(st));
            cJSON_AddStringToObject(it, "state_label", notice_ref_state_label(st));
        }
        cJSON_DeleteItemFromObject(it, "org_path");
    }
    if (!handler) return;
    obj_ctx c = {r, cJSON_AddArrayToObject(d, "objections"), own};
    if (objection_list(r->db, n->id, add_objection, &c) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取异议失败");
        return;
    }
    char today[11];
    today_of(today);
    cJSON_AddStringToObject(d, "phase_label", notice_phase_label(notice_phase(today, n->end_date, n->open_objections)));
}

/* PATCH /api/v1/notices/:id, POST /notices/:id/contact {contact} */
void h_notice_contact(req *r)
{
    notice *n = req_keep(r, xmalloc(sizeof *n));
    if (!req_notice(r, n)) return;
    if (!perm_may_run_notice(&r->user, n->office_path)) {
        req_failf(r, 403, "forbidden", "", "只有发布公示的活动办公室可以修改联系方式");
        return;
    }
    char c[NOTICE_CONTACT_MAX * 4 + 1];
    cx_err e = {0};
    if (notice_contact_check(req_in(r, "contact"), c, &e) != CX_OK) e.status = 422;
    if (e.code[0] || notice_set_contact(r->db, &r->who, n->id, c, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (!req_is_api(r)) {
        req_redirect(r, "/notices/%" PRId64, n->id);
        return;
    }
    if (notice_get(r->db, n->id, n) == 1) cJSON_AddItemToObject(req_data(r), "notice", notice_json(n));
}

/* The objection of the path's :id as its handler may see it (never the recused), or 404. */
static bool req_objection(req *r, objection *o)
{
    int64_t id;
    if (!req_id(r, 0, &id)) return false;
    int f = objection_get(r->db, id, o);
    if (f == CX_ERR) return req_failf(r, 500, "db_error", "", "数据库错误"), false;
    if (f != 1 || !perm_may_handle_objection(&r->user, o->office_path, own_path(r), o->item_path))
        return req_failf(r, 404, "not_found", "id", "异议不存在或不在您的管理范围内"), false;
    return true;
}

/* GET /api/v1/objections/:id */
void h_objection(req *r)
{
    objection *o = req_keep(r, xmalloc(sizeof *o));
    if (!req_objection(r, o)) return;
    cJSON_AddItemToObject(req_data(r), "objection", objection_json(o));
}

static void objection_done(req *r, int64_t id, int64_t notice_id)
{
    objection *o = req_keep(r, xmalloc(sizeof *o));
    if (!req_is_api(r)) req_redirect(r, "/notices/%" PRId64 "#objection-%" PRId64, notice_id, id);
    else if (objection_get(r->db, id, o) == 1) cJSON_AddItemToObject(req_data(r), "objection", objection_json(o));
}

/* POST /objections/:id/hold: under investigation (holds the item). */
void h_objection_hold(req *r)
{
    objection *o = req_keep(r, xmalloc(sizeof *o));
    if (!req_objection(r, o)) return;
    cx_err e = {0};
    if (objection_hold(r->db, &r->who, o->id, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    objection_done(r, o->id, o->notice_id);
}

/* POST /objections/:id/decide {outcome upheld|dismissed, finding} */
void h_objection_decide(req *r)
{
    objection *o = req_keep(r, xmalloc(sizeof *o));
    if (!req_objection(r, o)) return;
    cx_err e = {0};
    objection_status s;
    char *f = req_keep(r, xmalloc(OBJECTION_FINDING_MAX * 4 + 1));
    if (objection_outcome_check(req_in(r, "outcome"), req_in(r, "finding"), &s, f, &e) != CX_OK) e.status = 422;
    if (e.code[0] || objection_decide(r->db, &r->who, o->id, s, f, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    objection_done(r, o->id, o->notice_id);
}

/* POST /api/v1/objections/:id/reveal: the objector's name and phone for a handler, audited. */
void h_objection_reveal(req *r)
{
    objection *o = req_keep(r, xmalloc(sizeof *o));
    if (!req_objection(r, o)) return;
    char name[128], phone[32];
    cx_err e = {0};
    if (objection_reveal(r->db, &r->who, o->id, name, phone, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    cJSON *x = cJSON_AddObjectToObject(req_data(r), "objector");
    cJSON_AddStringToObject(x, "name", name);
    cJSON_AddStringToObject(x, "phone", phone);
}
