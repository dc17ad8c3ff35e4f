/* paper_batch.c: paper questionnaire batches (纸质问卷), pages and API: issuing a batch, the
 * lists, a batch with its codes and who keyed it in, the A4 print view and keying in a sheet. */
#include "rating_int.h"
#include "../domain/review.h"
#include "../lib/code.h"
#include "../store/ballot.h"
#include "../store/paper_batch.h"
#include "pager.h"
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int add_keyer(void *ctx, int64_t user_id, const char *name, int64_t sheets)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "user_id", user_id);
    cJSON_AddStringToObject(j, "name", *name ? name : user_id ? "（已删除的账号）" : "未记录");
    json_add_i64(j, "sheets", sheets);
    cJSON_AddItemToArray(ctx, j);
    return 0;
}

static bool req_batch(req *r, int64_t id, int mask, paper_batch *b)
{
    return in_scope(r, paper_batch_get(r->db, id, b), mask, b->org_path, "问卷批次");
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
    paper_batch_ok ok;
    if (paper_batch_check(&(paper_batch_in){sheets, req_in(r, "note")}, &ok, &e) != CX_OK ||
        paper_batch_create(r->db, &r->who, kind, tid, &ok, &bid, &e) != CX_OK) {
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
    ballot_in in = {.channel = "paper", .batch_id = id, .sheet_code = req_in(r, "code"), .answers = ans, .comment = req_in(r, "comment"),
                    .reason = req_in(r, "reason"), .spoiled = req_flag(r, "spoiled") == 1};
    ballot_out out;
    cx_err e = {0};
    int rc = cast_ballot(r, &r->who, &in, &out, &e);
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
