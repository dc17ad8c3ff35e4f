/* feedback_track.c: what the public reads back of feedback, no login: an item's progress by its
 * tracking code (status, dates and the reply only; wrong codes rate-limited per address) and the
 * published, anonymised replies. */
#include "web.h"
#include "../lib/code.h"
#include "../store/feedback.h"
#include "../store/limit.h"
#include "pager.h"

#define TRACK_MISSES 10   /* wrong tracking codes per address and hour before 429 */

/* ---- tracking by code ---- */

void h_track_page(req *r) { cJSON_AddStringToObject(req_data(r), "title", "查询办理情况"); }

void h_track(req *r)
{
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "查询办理情况");
    char addr[64], code[FEEDBACK_CODE_DATA + 2];
    req_client_addr(r, addr);
    cx_err e = {0};
    feedback *f = req_keep(r, xmalloc(2 * sizeof *f)), *k = f + 1;
    const char *in = req_in(r, "code");
    limit_guess g;
    feedback_rate_bucket('t', addr, g.bucket);
    /* a well-formed code that is not ours counts as a guess; a typo (check character) does not */
    if (limit_guess_begin(r->db, &g, TRACK_MISSES, in, FEEDBACK_CODE_DATA, code, sizeof code, &e)) {
        int got = feedback_by_code(r->db, code, f);
        limit_guess_end(r->db, &g, got, &e);
        if (got == 1 && feedback_kept(r->db, f, k) != 1) cx_fail(&e, 500, "db_error", "", "数据库错误");
    }
    if (e.code[0]) {
        req_fail(r, &e); /* the form again, the code as typed (response.c, redisplay) */
        return;
    }
    /* status, dates and the reply: never notes, names or who handled it */
    char shown[FEEDBACK_CODE_CAP * 2];
    code_format(code, shown, sizeof shown);
    cJSON *t = cJSON_AddObjectToObject(d, "tracking");
    cJSON_AddStringToObject(t, "code", shown);
    cJSON_AddStringToObject(t, "kind", feedback_kind_name(f->kind));
    cJSON_AddStringToObject(t, "kind_label", feedback_kind_label(f->kind));
    cJSON_AddStringToObject(t, "received_date", f->received_date);
    cJSON_AddStringToObject(t, "due_date", k->due_date);
    cJSON_AddBoolToObject(t, "merged", f->status == FS_MERGED);
    cJSON_AddStringToObject(t, "status", feedback_status_name(k->status));
    cJSON_AddStringToObject(t, "status_label", feedback_status_public(k->status));
    if (f->kind != FK_REPORT && k->status != FS_NEW) cJSON_AddStringToObject(t, "org_name", k->org_name);
    if (k->status == FS_REPLIED) {
        cJSON_AddStringToObject(t, "replied_date", k->replied_date);
        cJSON_AddStringToObject(t, "reply", k->reply);
    }
}

/* ---- published replies ---- */

static int add_published(void *ctx, const feedback *f)
{
    /* kind, category, dates, the anonymised summary and the reply: nothing else */
    cJSON *x = cJSON_CreateObject();
    cJSON_AddStringToObject(x, "kind", feedback_kind_name(f->kind));
    cJSON_AddStringToObject(x, "kind_label", feedback_kind_label(f->kind));
    cJSON_AddStringToObject(x, "category", f->category);
    cJSON_AddStringToObject(x, "received_date", f->received_date);
    cJSON_AddStringToObject(x, "replied_date", f->replied_date);
    cJSON_AddStringToObject(x, "summary", f->public_summary);
    cJSON_AddStringToObject(x, "reply", f->reply);
    cJSON_AddItemToArray(ctx, x);
    return 0;
}

void h_public_replies(req *r)
{
    int64_t total = -1;
    pager pg;
    if (!pager_read(r, 50, 500, &pg)) return;
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "答复公开");
    if (feedback_published_count(r->db, &total) == CX_OK) pager_set_total(&pg, total);
    if (total < 0 || feedback_published(r->db, pager_offset(&pg), pg.per_page, add_published, cJSON_AddArrayToObject(d, "replies")) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取失败");
        return;
    }
    pager_json(r, d, &pg);
}
