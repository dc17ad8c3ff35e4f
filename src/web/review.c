/* review.c: self and peer reviews (自评、互评) and an organisation's self-review, pages and API: the
 * member's own reviews and result, the view of those over a member and of a fellow member (the peer
 * review form), and the submits.
 *
 * Peer reviews are anonymous: no answer built here names or numbers the member who wrote one,
 * except the reviewer's own to-do list and their own review. */
#include "review_int.h"
#include "../store/standard.h"
#include "../store/round.h"
#include "../store/review.h"
#include "../store/charge.h"
#include "../store/grading.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Peer summaries are shown once at least this many fellow members have reviewed, so that no
 * single reviewer's levels can be read off them. */
#define PEER_MIN_SHOWN 2

/* The items of the campaign's standard set for a member (or an organisation), each with its level
 * options; levels (digits, or NULL) checks the ones given. */
static void add_items(cJSON *d, db *dbc, int64_t campaign_id, bool is_org, const char *levels)
{
    int64_t os = 0, ms = 0;
    review_rules rules;
    standard_set *s = xmalloc(sizeof *s);
    cJSON *items = cJSON_AddArrayToObject(d, "items");
    if (rules_get(dbc, campaign_id, &rules, &os, &ms) == 1 && standard_get(dbc, is_org ? os : ms, s) == 1) {
        cJSON_AddStringToObject(d, "standard", s->name);
        for (int i = 0; i < s->nitems; i++) {
            cJSON *x = cJSON_CreateObject();
            json_add_i64(x, "seq", s->items[i].seq);
            cJSON_AddStringToObject(x, "title", s->items[i].title);
            cJSON_AddStringToObject(x, "body", s->items[i].body);
            int cur = levels && (int)strlen(levels) > i ? levels[i] - '0' : 0;
            if (cur) cJSON_AddStringToObject(x, "level_label", level_label(cur));
            cJSON *opts = cJSON_AddArrayToObject(x, "levels");
            for (int l = LV_GOOD; l <= LV_POOR; l++) {
                cJSON *o = cJSON_CreateObject();
                json_add_i64(o, "value", l);
                cJSON_AddStringToObject(o, "label", level_label(l));
                cJSON_AddBoolToObject(o, "checked", cur == l);
                cJSON_AddItemToArray(opts, o);
            }
            cJSON_AddItemToArray(items, x);
        }
    }
    free(s);
}

/* The levels of a review: "levels" as digits, or the form's level_1 … level_N radio buttons. */
static const char *levels_in(req *r)
{
    const char *lv = req_in(r, "levels");
    if (lv) return lv;
    buf b;
    buf_init(&b);
    for (int i = 1; i <= STD_MAX_ITEMS; i++) {
        char k[16];
        snprintf(k, sizeof k, "level_%d", i);
        const char *v = req_in(r, k);
        if (!v) break;
        buf_adds(&b, *v ? v : "0");
    }
    if (!b.len) {
        buf_free(&b);
        return NULL;
    }
    return req_keep(r, buf_take(&b));
}

static int add_text(void *ctx, const char *text)
{
    cJSON_AddItemToArray(ctx, cJSON_CreateString(text));
    return 0;
}

/* The peers' opinion of a member, item by item, without anyone's name; hidden below PEER_MIN_SHOWN. */
static void add_peer_summary(cJSON *d, req *r, int64_t round_id, int64_t member_id)
{
    peer_summary ps;
    cJSON *p = cJSON_AddObjectToObject(d, "peer");
    cJSON *remarks = cJSON_CreateArray();
    if (review_peer_summary(r->db, round_id, member_id, &ps, add_text, remarks) != CX_OK) {
        cJSON_Delete(remarks);
        return;
    }
    json_add_i64(p, "count", ps.n);
    bool shown = ps.n >= PEER_MIN_SHOWN;
    cJSON_AddBoolToObject(p, "shown", shown);
    json_add_i64(p, "min_shown", PEER_MIN_SHOWN);
    if (!shown) {
        cJSON_Delete(remarks);
        return;
    }
    cJSON *items = cJSON_AddArrayToObject(p, "items");
    for (int i = 0; i < ps.nitems; i++) {
        cJSON *x = cJSON_CreateObject();
        json_add_i64(x, "seq", i + 1);
        for (int l = 0; l < 4; l++) json_add_i64(x, (const char *[]){"good", "fair", "average", "poor"}[l], ps.count[i][l]);
        cJSON_AddItemToArray(items, x);
    }
    cJSON_AddItemToObject(p, "remarks", remarks);
}

static int add_commentary(void *ctx, const commentary_row *c)
{
    cJSON *x = cJSON_CreateObject();
    cJSON_AddStringToObject(x, "leader", c->leader_name);
    json_add_i64(x, "level", c->level);
    cJSON_AddStringToObject(x, "level_label", level_label(c->level));
    cJSON_AddStringToObject(x, "achievements", c->achievements);
    cJSON_AddStringToObject(x, "problems", c->problems);
    cJSON_AddStringToObject(x, "direction", c->direction);
    cJSON_AddItemToArray(ctx, x);
    return 0;
}

/* The member's own page data for a round: self-review, peers' summary, commentary, grade. */
static void add_member_result(cJSON *d, req *r, const review_round *rd, const member *m, bool self_in_full)
{
    review_text *t = xmalloc(sizeof *t);
    int f = review_self_get(r->db, rd->id, false, m->id, t);
    if (f == 1 && self_in_full) cJSON_AddItemToObject(d, "self", json_review(t));
    else if (f != 1) cJSON_AddNullToObject(d, "self");
    add_items(d, r->db, rd->campaign_id, false, f == 1 ? t->levels : NULL);
    free(t);
    add_peer_summary(d, r, rd->id, m->id);
    /* the peers' counts beside each item, for the page */
    cJSON *pitems = cJSON_GetObjectItem(cJSON_GetObjectItem(d, "peer"), "items"), *it;
    int i = 0;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(d, "items"))
    {
        cJSON *pc = cJSON_GetArrayItem(pitems, i++);
        if (pc) cJSON_AddItemToObject(it, "peer_counts", cJSON_Duplicate(pc, true));
    }
    commentary_list(r->db, rd->id, false, m->id, add_commentary, cJSON_AddArrayToObject(d, "commentary"));
    add_grade(d, r, rd->id, false, m->id);
    cJSON_AddBoolToObject(d, "probationary", !strcmp(m->r.status, "probationary"));
}

static cJSON *json_person(const member *m)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", m->id);
    cJSON_AddStringToObject(j, "name", m->r.name);
    json_add_i64(j, "org_id", m->org_id);
    cJSON_AddStringToObject(j, "org_name", m->org_name);
    cJSON_AddStringToObject(j, "status_label", member_status_label(m->r.status));
    return j;
}

typedef struct todo_ctx {
    cJSON *arr;
    int64_t todo, done;
} todo_ctx;

static int add_todo(void *vctx, int64_t id, const char *name, bool done)
{
    todo_ctx *c = vctx;
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "id", id);
    cJSON_AddStringToObject(x, "name", name);
    cJSON_AddBoolToObject(x, "done", done);
    cJSON_AddItemToArray(c->arr, x);
    if (done) c->done++;
    else c->todo++;
    return 0;
}

/* The member's own view of a round: their self-review, whom they still have to peer-review, and
 * their result (peers' summary, commentary, grade). */
static void fill_mine(req *r, const member *m, const review_round *rd)
{
    cJSON *d = req_data(r);
    cJSON_AddItemToObject(d, "round", json_round(rd));
    cJSON_AddItemToObject(d, "member", json_person(m));
    add_member_result(d, r, rd, m, true);
    todo_ctx t = {cJSON_AddArrayToObject(d, "peers"), 0, 0};
    review_peer_todo(r->db, rd->id, m, add_todo, &t);
    json_add_i64(d, "peers_todo", t.todo);
    json_add_i64(d, "peers_done", t.done);
    void *ctx[2] = {d, (void *)&m->id};
    exclusion_list(r->db, rd->id, m->org_id, find_exclusion, ctx);
}

/* GET /me/reviews: the member's reviews in the current round (or round_id). */
void h_my_reviews(req *r)
{
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "我的评议");
    cJSON_AddBoolToObject(d, "is_leader", (perm_roles(&r->user) & ROLE_LEADER) != 0);
    const grant *top = perm_top_grant(&r->user, ROLE_ANY);
    if (top) json_add_i64(d, "home_org", top->org_id);
    member m;
    if (!r->user.member_id || member_get(r->db, r->user.member_id, &m) != 1 || !m.active) {
        cJSON_AddFalseToObject(d, "is_member");
        cJSON_AddNullToObject(d, "round");
        return;
    }
    cJSON_AddTrueToObject(d, "is_member");
    review_round rd;
    if (!page_round(r, m.org_path, &rd)) {
        if (!r->failed) cJSON_AddNullToObject(d, "round");
        return;
    }
    fill_mine(r, &m, &rd);
}

/* GET /members/:id/review: for those over the member, the member's reviews and result (peers
 * anonymous); for a fellow member of the branch, the peer review form. */
void h_member_review(req *r)
{
    int64_t id;
    member m;
    if (!req_id(r, 0, &id) || !req_member(r, id, ROLE_ANY, &m)) return;
    review_round rd;
    if (m.id == r->user.member_id) {
        if (!req_is_api(r)) {
            const char *rs = req_query(r, "round_id");
            req_redirect(r, "/me/reviews%s%s", rs ? "?round_id=" : "", rs && strspn(rs, "0123456789") == strlen(rs) ? rs : "");
            return;
        }
        if (req_round(r, m.org_path, &rd)) fill_mine(r, &m, &rd);
        return;
    }
    bool oversee = perm_allows(&r->user, ROLE_STAFF, m.org_path);
    member me;
    bool fellow = r->user.member_id && member_get(r->db, r->user.member_id, &me) == 1 && me.active && me.org_id == m.org_id;
    if (!oversee && !fellow) {
        req_failf(r, 403, "forbidden", "", "只能查看本人的评议结果，或互评本支部的党员");
        return;
    }
    if (!req_round(r, m.org_path, &rd)) return;
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", oversee ? "党员评议情况" : "互评");
    cJSON_AddItemToObject(d, "round", json_round(&rd));
    cJSON_AddItemToObject(d, "member", json_person(&m));
    cJSON_AddBoolToObject(d, "oversee", oversee);
    if (oversee) {
        add_member_result(d, r, &rd, &m, true);
        void *ctx[2] = {d, (void *)&m.id};
        exclusion_list(r->db, rd.id, m.org_id, find_exclusion, ctx);
        cJSON_AddBoolToObject(d, "can_exclude", rd.open && perm_allows(&r->user, ROLE_ADMIN, m.org_path));
        cJSON *reasons = cJSON_AddArrayToObject(d, "reasons");
        const cJSON *cur = cJSON_GetObjectItem(cJSON_GetObjectItem(d, "exclusion"), "reason");
        for (int x = EX_AWAY; x <= EX_OTHER; x++) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "value", exclusion_code(x));
            cJSON_AddStringToObject(o, "label", exclusion_label(x));
            cJSON_AddBoolToObject(o, "selected", cJSON_IsString(cur) && !strcmp(cur->valuestring, exclusion_code(x)));
            cJSON_AddItemToArray(reasons, o);
        }
    }
    if (fellow) {
        review_text *t = xmalloc(sizeof *t);
        int f = review_peer_get(r->db, rd.id, m.id, me.id, t);
        cJSON *mine = cJSON_AddObjectToObject(d, "my_peer_review");
        cJSON_AddBoolToObject(mine, "done", f == 1);
        if (f == 1) cJSON_AddStringToObject(mine, "levels", t->levels), cJSON_AddStringToObject(mine, "remark", t->shortcomings);
        if (!oversee) add_items(d, r->db, rd.campaign_id, false, f == 1 ? t->levels : NULL);
        free(t);
        cJSON_AddBoolToObject(d, "can_peer", rd.open);
    }
}

/* POST /api/v1/members/:id/review {round_id?, kind?, levels, achievements, shortcomings,
 * direction}: the member's self-review (the id is their own) or a peer review of a fellow member
 * of the same branch. A second submit updates it while the round is open. */
void h_member_review_submit(req *r)
{
    int64_t id;
    member m;
    if (!req_id(r, 0, &id) || !req_member(r, id, ROLE_ANY, &m)) return;
    cx_err e = {0};
    bool self = m.id == r->user.member_id;
    const char *kind = req_in(r, "kind");
    if (!r->user.member_id) cx_fail(&e, 403, "not_member", "", "您的账号没有关联党员信息，不能参加自评和互评");
    else if (kind && *kind && strcmp(kind, "self") && strcmp(kind, "peer"))
        cx_fail(&e, 400, "invalid_kind", "kind", "评议类别应为 self（自评）或 peer（互评）");
    else if (kind && !strcmp(kind, "peer") && self) cx_fail(&e, 400, "self_peer", "kind", "不能给自己互评，自评请提交 kind=self");
    else if (kind && !strcmp(kind, "self") && !self) cx_fail(&e, 403, "not_self", "kind", "只能为自己自评");
    if (e.code[0]) {
        req_fail(r, &e);
        return;
    }
    review_round rd;
    if (!req_round(r, m.org_path, &rd)) return;
    review_in in = {levels_in(r), req_in(r, "achievements"), req_in(r, "shortcomings"), req_in(r, "direction")};
    if (!self && !in.shortcomings) in.shortcomings = req_in(r, "remark");
    bool updated = false;
    review_ok *ok = req_keep(r, xmalloc(sizeof *ok));
    if (review_check(&in, self, ok, &e) != CX_OK || review_member_submit(r->db, &r->who, rd.id, &m, r->user.member_id, ok, &updated, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (done_redirect(r, "/me/reviews?round_id=%" PRId64 "%s", rd.id, self ? "#self" : "#peers")) return;
    cJSON *x = submitted(r, "review", rd.id, updated);
    cJSON_AddStringToObject(x, "kind", self ? "self" : "peer");
    json_add_i64(x, "member_id", m.id);
}

/* GET /orgs/:id/review: the organisation's self-review (五个好), the leaders' commentary on it and
 * its grade; the form for its own secretary. */
void h_org_review(req *r)
{
    org o;
    review_round rd;
    if (!org_round_page(r, ROLE_STAFF, "组织自评", &o, &rd)) return;
    cJSON *d = req_data(r);
    review_text *t = xmalloc(sizeof *t);
    int f = review_self_get(r->db, rd.id, true, o.id, t);
    if (f == 1) cJSON_AddItemToObject(d, "self", json_review(t));
    else cJSON_AddNullToObject(d, "self");
    add_items(d, r->db, rd.campaign_id, true, f == 1 ? t->levels : NULL);
    free(t);
    commentary_list(r->db, rd.id, true, o.id, add_commentary, cJSON_AddArrayToObject(d, "commentary"));
    add_grade(d, r, rd.id, true, o.id);
    cJSON_AddBoolToObject(d, "can_edit", rd.open && perm_may_review_org(&r->user, o.path));
}

/* POST /api/v1/orgs/:id/review {round_id?, levels, achievements, shortcomings, direction}: the
 * organisation's self-review by its own secretary. */
void h_org_review_submit(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_SECRETARY, &o)) return;
    cx_err e = {0};
    review_round rd;
    if (!perm_may_review_org(&r->user, o.path)) cx_fail(&e, 403, "not_own_org", "", "只有“%s”本组织的书记可以提交组织自评", o.name);
    if (!e.code[0] && !req_round(r, o.path, &rd)) return;
    review_in in = {levels_in(r), req_in(r, "achievements"), req_in(r, "shortcomings"), req_in(r, "direction")};
    bool updated = false;
    review_ok *ok = req_keep(r, xmalloc(sizeof *ok));
    if (e.code[0] || review_check(&in, true, ok, &e) != CX_OK || review_org_submit(r->db, &r->who, rd.id, &o, ok, &updated, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (done_redirect(r, "/orgs/%" PRId64 "/review?round_id=%" PRId64, o.id, rd.id)) return;
    cJSON *x = submitted(r, "review", rd.id, updated);
    cJSON_AddStringToObject(x, "kind", "org_self");
    json_add_i64(x, "org_id", o.id);
}
