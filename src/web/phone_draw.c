/* phone_draw.c: phone sampling (电话随机抽访), pages and API: the seed commitment, uploading a
 * list and drawing from it, the lists, a draw with its call list (numbers revealed on request,
 * audited) and the answers. */
#include "rating_int.h"
#include "../domain/review.h"
#include "../store/ballot.h"
#include "../store/phone_draw.h"
#include "../store/draw.h"
#include "pager.h"
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static bool req_draw(req *r, int64_t id, int mask, phone_draw *p)
{
    return in_scope(r, phone_draw_get(r->db, id, p), mask, p->org_path, "抽访记录");
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
    phone_draw_ok ok;
    phone_draw_in in = {f ? f->data.p : NULL, f ? f->data.len : 0, req_in(r, "n"), req_in(r, "seed"), req_in(r, "commitment_id")};
    if (phone_draw_check(&in, &ok, &e) != CX_OK || phone_draw_create(r->db, &r->who, kind, tid, &ok, &did, &e) != CX_OK) {
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
        rc = cast_ballot(r, &r->who, &in, &out, &e);
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
