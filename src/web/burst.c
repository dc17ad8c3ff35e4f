/* burst.c: bursts of web ballots held out of the figures (集中投票，待审核): the office's list of
 * its subtree's bursts and its decision to release or discard one. */
#include "rating_int.h"
#include "../store/burst.h"
#include "pager.h"
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

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
    else {
        burst_ok ok;
        rc = burst_check(&(burst_in){req_in(r, "note"), !strcmp(dec, "release")}, &ok, &e);
        if (rc == CX_OK) rc = burst_decide(r->db, &r->who, bid, &ok, &e);
    }
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
