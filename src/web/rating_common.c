/* rating_common.c: what the rating pages (rate.c, window.c, rating_result.c, paper_batch.c,
 * phone_draw.c, burst.c) share: reading ids, answers and the target of a batch or draw, the
 * record-in-reach check, and the JSON of questions, a round, a target, a window, a paper batch, a
 * phone draw and a draw commitment. Nothing here shows which rater gave which ballot. */
#include "rating_int.h"
#include "../lib/qr.h"
#include <inttypes.h>
#include "../domain/review.h"
#include "../store/rating.h"
#include "../store/window.h"
#include "../store/paper_batch.h"
#include "../store/phone_draw.h"
#include "../store/draw.h"
#include <stdio.h>
#include <string.h>

/* An optional positive id input: 0 when absent; *bad when present but not a positive integer. */
int64_t query_id(req *r, const char *name, bool *bad)
{
    const char *s = req_in(r, name);
    int64_t v = 0;
    *bad = false;
    if (s && *s && (str_to_i64(s, &v) != CX_OK || v <= 0)) *bad = true;
    return v;
}

/* Reads q1..qN of the form into one answer string. */
void form_answers(req *r, int n, char out[8])
{
    for (int i = 0; i < n && i < 6; i++) {
        char name[16];
        snprintf(name, sizeof name, "q%d", i + 1);
        const char *v = req_in(r, name);
        out[i] = v && strlen(v) == 1 ? v[0] : '0';
    }
    out[n < 6 ? n : 6] = 0;
}

/* The answer to a record lookup f (1, 0, CX_ERR) by the path's :id: found and within the user's
 * reach (mask over path), or failed with the same 404 as a missing record. */
bool in_scope(req *r, int f, int mask, const char *path, const char *what)
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

/* The organisation of the path's :id (staff in reach) and the optional ?round_id= of a list. */
bool org_round(req *r, org *o, int64_t *rid)
{
    int64_t id;
    bool bad;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_STAFF, o)) return false;
    *rid = query_id(r, "round_id", &bad);
    if (bad) req_failf(r, 400, "invalid_query", "round_id", "参数 round_id 应为正整数");
    return !bad;
}

/* 纸质问卷 are issued and keyed in by the level above the target's organisation
 * (perm_paper_handler); a refusal names the rule. */
bool paper_handler_or_fail(req *r, const char *org_path, const char *fld)
{
    if (perm_paper_handler(&r->user, org_path)) return true;
    req_failf(r, 403, "not_level_above", fld,
              "纸质问卷由上级党组织（上级活动办公室或上级党组织书记）发放和录入，本组织的书记不能自己发放或录入本组织的问卷");
    return false;
}

/* The target of a batch or draw from the input: target_kind + target_id, or the page's
 * "target" select ("window:5"); by default the organisation itself. Must lie in o's subtree
 * and in the user's reach. */
bool staff_target_in(req *r, const org *o, bool paper, int *kind, int64_t *tid)
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

/* The question texts of a set, with the answer options, for the form and the print view. */
int cast_ballot(req *r, const actor *a, const ballot_in *in, ballot_out *out, cx_err *e)
{
    ballot_prep p;
    ballot_texts_ok ok;
    if (ballot_prepare(r->db, in, &p, e) != CX_OK || ballot_texts_check(&p.texts, &ok, e) != CX_OK) return CX_ERR;
    return ballot_cast(&r->db, a, in, &p, &ok, out, e);
}

cJSON *questions_json(const char *set, const char *answers)
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

void round_json(cJSON *d, const rating_open *ro)
{
    cJSON *x = cJSON_AddObjectToObject(d, "round");
    json_add_i64(x, "id", ro->round_id);
    cJSON_AddStringToObject(x, "name", ro->round_name);
    cJSON_AddBoolToObject(x, "open", ro->open);
    cJSON_AddStringToObject(x, "questions", ro->questions);
}

void target_json(cJSON *d, const rating_target *t)
{
    cJSON *x = cJSON_AddObjectToObject(d, "target");
    cJSON_AddStringToObject(x, "kind", rating_kind_name(t->kind));
    cJSON_AddStringToObject(x, "kind_label", t->kind_label);
    json_add_i64(x, "id", t->id);
    cJSON_AddStringToObject(x, "name", t->name);
    cJSON_AddStringToObject(x, "org_name", t->org_name);
}

cJSON *window_json(const service_window *w)
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

int add_window(void *ctx, const service_window *w)
{
    cJSON_AddItemToArray(ctx, window_json(w));
    return 0;
}

/* What a paper batch, a phone draw and a burst share: the record, its round and its target (and
 * the question set, when not NULL). */
cJSON *subject_json(int64_t id, int64_t round_id, const char *round_name, int kind, int64_t target_id, const char *target_name,
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

/* subject_json of a paper batch or phone draw, with its question set. */
#define SUBJECT_JSON(x) subject_json((x)->id, (x)->round_id, (x)->round_name, (x)->kind, (x)->target_id, (x)->target_name, (x)->org_id, (x)->org_name, (x)->questions)

cJSON *batch_json(const paper_batch *b)
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

int add_batch(void *ctx, const paper_batch *b)
{
    cJSON_AddItemToArray(ctx, batch_json(b));
    return 0;
}

cJSON *draw_json(const phone_draw *p)
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

int add_draw(void *ctx, const phone_draw *p)
{
    cJSON_AddItemToArray(ctx, draw_json(p));
    return 0;
}

cJSON *commitment_json(const draw_commitment *c)
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

/* The rating URL behind the QR code of a window (or of a post or area, rated as one: issue 19). */
static bool rate_qr_url(req *r, int64_t id, buf *out)
{
    char path[64];
    snprintf(path, sizeof path, "/p/rate/window/%" PRId64 "?via=qr", id);
    return req_public_url(r, path, out);
}

void rate_qr_data(req *r, int64_t id, cJSON *d)
{
    buf url, svg;
    buf_init(&url);
    buf_init(&svg);
    if (!rate_qr_url(r, id, &url)) {
        buf_free(&url);
        return;
    }
    qr_svg(url.p, &svg, NULL);
    cJSON_AddStringToObject(d, "html_qr", svg.p ? svg.p : ""); /* made here from our own URL */
    cJSON_AddStringToObject(d, "url", url.p);
    buf_free(&url);
    buf_free(&svg);
}

void rate_qr_file(req *r, int64_t id)
{
    buf url;
    buf_init(&url);
    if (!rate_qr_url(r, id, &url)) {
        buf_free(&url);
        return;
    }
    req_qr(r, &url);
}
