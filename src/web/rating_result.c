/* rating_result.c: the results of public rating for staff: an organisation's rating page (its
 * subtree's counts, each direct child's, every rated target, the batches, draws and open
 * commitments) with its XLSX export, a target's result with its comments, and /rating. Counts
 * only: nothing here shows which rater gave which ballot. */
#include "rating_int.h"
#include "../domain/review.h"
#include "../lib/xlsxout.h"
#include "../store/rating.h"
#include "../store/window.h"
#include "../store/paper_batch.h"
#include "../store/phone_draw.h"
#include "../store/rating_result.h"
#include "../store/draw.h"
#include "../store/rollup.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int add_commitment(void *ctx, const draw_commitment *c)
{
    cJSON_AddItemToArray(ctx, commitment_json(c));
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

static int add_comment(void *ctx, const char *what, const char *text)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "kind", what);
    cJSON_AddStringToObject(o, "kind_label", !strcmp(what, "reason") ? "不满意理由" : "意见建议");
    cJSON_AddStringToObject(o, "text", text);
    cJSON_AddItemToArray(ctx, o);
    return 0;
}

/* GET /members/:id/ratings, /windows/:id/ratings, /pledges/:id/ratings, /posts/:id/ratings (page and API). */
void h_target_ratings(req *r)
{
    int64_t id;
    if (!req_id(r, 0, &id)) return;
    int kind = r->rt->action & ~RATINGS_OF_POSTS; /* RK_MEMBER, RK_WINDOW or RK_PLEDGE */
    rating_target t;
    int f = rating_target_any(r->db, kind, id, &t);
    /* a window row is a window on the window's route and a post or area on the post's: each
     * route answers 404 for the other's id, as for a missing one */
    if (f == 1 && kind == RK_WINDOW && t.post != ((r->rt->action & RATINGS_OF_POSTS) != 0)) f = 0;
    if (!in_scope(r, f, ROLE_STAFF, t.org_path, "评议对象")) return;
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

/* issue 19 (posts): a target's summary in the newest round covering org_path, for a staff page:
 * out.summary {round_id, round_name, valid, rate, rate_x10000}, or null without a round. false
 * when reading failed (the request failed). */
bool rating_summary(req *r, int kind, int64_t id, const char *org_path, cJSON *out)
{
    rating_open ro;
    int f = rating_round_pick(r->db, org_path, 0, &ro);
    rating_result x;
    if (f == CX_ERR || (f == 1 && rating_result_get(r->db, ro.round_id, kind, id, &x) != CX_OK)) {
        req_failf(r, 500, "db_error", "", "读取评议结果失败");
        return false;
    }
    if (f == 0) {
        cJSON_AddNullToObject(out, "summary");
        return true;
    }
    cJSON *s = cJSON_AddObjectToObject(out, "summary");
    json_add_i64(s, "round_id", ro.round_id);
    cJSON_AddStringToObject(s, "round_name", ro.round_name);
    cJSON_AddBoolToObject(s, "round_open", ro.open);
    json_add_i64(s, "valid", x.valid);
    add_rate(s, x.rate);
    return true;
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
