/* review.c: self and peer reviews (自评、互评) and an organisation's self-review, pages and API: the
 * member's own reviews and result, the view of those over a member and of a fellow member (the peer
 * review form), and the submits.
 *
 * Peer reviews are anonymous: no answer built here names or numbers the member who wrote one,
 * except the reviewer's own to-do list and their own review. */
#include "review_int.h"
#include "../store/standard.h"
#include "../store/sector_standard.h"
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

/* The level options of one item as "levels" (好 … 差), cur checked. */
static void add_level_options(cJSON *x, int cur)
{
    cJSON *opts = cJSON_AddArrayToObject(x, "levels");
    for (int l = LV_GOOD; l <= LV_POOR; l++) {
        cJSON *o = cJSON_CreateObject();
        json_add_i64(o, "value", l);
        cJSON_AddStringToObject(o, "label", level_label(l));
        cJSON_AddBoolToObject(o, "checked", cur == l);
        cJSON_AddItemToArray(opts, o);
    }
}

/* The lines of the review form of a member of org_id (or of the organisation org_id itself, is_org)
 * in the round: the set the round reviews it on (by its sector and level, issue 22), each line an
 * indicator with its points and item, or an item when the set has no indicators, with its level
 * options; levels (digits, or NULL) checks the ones given. */
static void add_items(cJSON *d, db *dbc, const review_round *rd, bool is_org, int64_t org_id, const char *levels)
{
    std_version *v = xmalloc(sizeof *v);
    cJSON *items = cJSON_AddArrayToObject(d, "items");
    if (round_set_for(dbc, rd, is_org, org_id, v) == 1) {
        cJSON_AddStringToObject(d, "standard", v->s.name);
        cJSON *sj = cJSON_AddObjectToObject(d, "standard_set");
        json_add_i64(sj, "id", v->s.id);
        json_add_i64(sj, "version", v->version);
        cJSON_AddBoolToObject(sj, "indicators", v->nind > 0);
        if (v->nind) json_add_i64(sj, "total_points", v->total);
        for (int i = 0; i < std_lines(v); i++) {
            cJSON *x = cJSON_CreateObject();
            const indicator_ok *ind = v->nind ? &v->ind[i] : NULL;
            const standard_item *it = ind ? (ind->item_seq >= 1 && ind->item_seq <= v->s.nitems ? &v->s.items[ind->item_seq - 1] : NULL) : &v->s.items[i];
            json_add_i64(x, "seq", ind ? i + 1 : v->s.items[i].seq);
            cJSON_AddStringToObject(x, "title", ind ? ind->title : it->title);
            cJSON_AddStringToObject(x, "body", ind ? (it ? it->title : "") : it->body);
            if (ind) json_add_i64(x, "points", ind->points), json_add_i64(x, "item_seq", ind->item_seq);
            int cur = levels && (int)strlen(levels) > i ? levels[i] - '0' : 0;
            if (cur) cJSON_AddStringToObject(x, "level_label", level_label(cur));
            add_level_options(x, cur);
            cJSON_AddItemToArray(items, x);
        }
    }
    free(v);
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
    add_items(d, r->db, rd, false, m->org_id, f == 1 ? t->levels : NULL);
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
    if (!member_posts_into(r, d, "my_posts", m->id)) return; /* 设岗定责: the duties, read-only */
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
        if (!member_posts_into(r, d, "my_posts", m.id)) return; /* 设岗定责: the member's duties as context */
        void *ctx[2] = {d, (void *)&m.id};
        exclusion_list(r->db, rd.id, m.org_id, find_exclusion, ctx);
        cJSON_AddBoolToObject(d, "can_exclude", rd.open && perm_allows(&r->user, ROLE_ADMIN, m.org_path));
        cJSON_AddBoolToObject(d, "can_enter", rd.open && m.active && perm_may_enter_for(&r->user, m.org_path, m.id));
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
        if (!oversee) add_items(d, r->db, &rd, false, m.org_id, f == 1 ? t->levels : NULL);
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
    /* 代录: the self-review of another member, entered by an office or secretary over them */
    bool proxy = !self && kind && !strcmp(kind, "self") && perm_may_enter_for(&r->user, m.org_path, m.id);
    if (proxy) self = true;
    else if (!r->user.member_id) cx_fail(&e, 403, "not_member", "", "您的账号没有关联党员信息，不能参加自评和互评");
    else if (kind && *kind && strcmp(kind, "self") && strcmp(kind, "peer"))
        cx_fail(&e, 400, "invalid_kind", "kind", "评议类别应为 self（自评）或 peer（互评）");
    else if (kind && !strcmp(kind, "peer") && self) cx_fail(&e, 400, "self_peer", "kind", "不能给自己互评，自评请提交 kind=self");
    else if (kind && !strcmp(kind, "self") && !self)
        cx_fail(&e, 403, "not_self", "kind", "只能为自己自评（本组织的书记或活动办公室可为党员代录自评）");
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
    if (review_check(&in, self, ok, &e) != CX_OK ||
        review_member_submit(r->db, &r->who, rd.id, &m, proxy ? m.id : r->user.member_id, ok, &updated, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (proxy && done_redirect(r, "/members/%" PRId64 "/review?round_id=%" PRId64, m.id, rd.id)) return;
    if (done_redirect(r, "/me/reviews?round_id=%" PRId64 "%s", rd.id, self ? "#self" : "#peers")) return;
    cJSON *x = submitted(r, "review", rd.id, updated);
    cJSON_AddStringToObject(x, "kind", self ? "self" : "peer");
    json_add_i64(x, "member_id", m.id);
    if (proxy) cJSON_AddTrueToObject(x, "entered");
}

/* POST /members/:id/review/confirm {round_id?}: the member confirms the self-review entered for
 * them (本人确认). */
void h_member_review_confirm(req *r)
{
    int64_t id;
    member m;
    review_round rd;
    cx_err e = {0};
    if (!req_id(r, 0, &id) || !req_member(r, id, ROLE_ANY, &m) || !req_round(r, m.org_path, &rd)) return;
    if (review_self_confirm(r->db, &r->who, rd.id, &m, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (done_redirect(r, "/me/reviews?round_id=%" PRId64 "#self", rd.id)) return;
    cJSON *x = submitted(r, "review", rd.id, true);
    json_add_i64(x, "member_id", m.id);
    cJSON_AddTrueToObject(x, "confirmed");
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
    add_items(d, r->db, &rd, true, o.id, f == 1 ? t->levels : NULL);
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

/* ---- the peer-review matrix: a branch on one page (members × the member standard's items) ---- */

/* Cells of a matrix row already given (levels) as the page's selects lv_<member>_<seq>. */
static cJSON *matrix_row(int64_t member_id, const char *name, const char *levels, int nitems)
{
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "id", member_id);
    cJSON_AddStringToObject(x, "name", name);
    cJSON_AddStringToObject(x, "levels", levels ? levels : "");
    cJSON *cells = cJSON_AddArrayToObject(x, "cells");
    for (int i = 0; i < nitems; i++) {
        cJSON *c = cJSON_CreateObject();
        char f[48];
        snprintf(f, sizeof f, "lv_%" PRId64 "_%d", member_id, i + 1);
        cJSON_AddStringToObject(c, "field", f);
        json_add_i64(c, "seq", i + 1);
        add_level_options(c, levels && (int)strlen(levels) > i ? levels[i] - '0' : 0);
        cJSON_AddItemToArray(cells, c);
    }
    return x;
}

typedef struct matrix_ctx {
    req *r;
    cJSON *rows;
    int64_t round_id, reviewer;
    int nitems;
    cJSON *sheet; /* a sheet's rows by member id (sheet mode, a sheet number asked for) */
} matrix_ctx;

static int add_matrix_row(void *vctx, int64_t id, const char *name, bool done)
{
    matrix_ctx *c = vctx;
    const char *levels = NULL;
    review_text *t = NULL;
    if (c->reviewer && done) { /* the reviewer's own levels, to change them */
        t = xmalloc(sizeof *t);
        if (review_peer_get(c->r->db, c->round_id, id, c->reviewer, t) == 1) levels = t->levels;
    }
    if (c->sheet) {
        char k[24];
        snprintf(k, sizeof k, "%" PRId64, id);
        const cJSON *v = cJSON_GetObjectItem(c->sheet, k);
        if (cJSON_IsString(v)) levels = v->valuestring;
    }
    cJSON *x = matrix_row(id, name, levels, c->nitems);
    cJSON_AddBoolToObject(x, "done", done);
    cJSON_AddItemToArray(c->rows, x);
    free(t);
    return 0;
}

static int add_sheet_cell(void *ctx, int64_t member_id, const char *levels)
{
    char k[24];
    snprintf(k, sizeof k, "%" PRId64, member_id);
    cJSON_AddStringToObject(ctx, k, levels);
    return 0;
}

/* Who fills the matrix of branch o: "sheet" (an office or secretary keying in paper sheets) or
 * "mine" (a member of the branch reviewing the others, me filled); as asked (mode), else sheet for
 * those who may key them in. Fails the request (403) when the user may not. */
static const char *matrix_mode(req *r, const org *o, const char *asked, member *me)
{
    bool can_sheet = perm_may_key_sheets(&r->user, o->path);
    bool fellow = r->user.member_id && member_get(r->db, r->user.member_id, me) == 1 && me->active && me->org_id == o->id;
    const char *mode = asked && *asked ? asked : can_sheet ? "sheet" : "mine";
    if (!strcmp(mode, "sheet") && can_sheet) return mode;
    if (!strcmp(mode, "mine") && fellow) return mode;
    if (strcmp(mode, "sheet") && strcmp(mode, "mine")) req_failf(r, 400, "invalid_mode", "mode", "参数 mode 应为 mine（本人互评）或 sheet（录入纸质测评表）");
    else req_failf(r, 403, "forbidden", "mode", "%s", !strcmp(mode, "sheet") ? "只有本组织的书记或活动办公室可以录入纸质民主测评表" : "只有本支部的党员可以互评本支部党员");
    return NULL;
}

/* A sheet number as typed: 1 … 100000; 0 when absent; -1 (request failed) when invalid. */
static int sheet_no_in(req *r)
{
    const char *s = req_in(r, "sheet_no");
    int64_t v = 0;
    if (!s || !*s) return 0;
    if (str_to_i64(s, &v) != CX_OK || v < 1 || v > 100000) {
        req_failf(r, 400, "invalid_sheet_no", "sheet_no", "测评表编号应为 1 至 100000 之间的整数");
        return -1;
    }
    return (int)v;
}

/* GET /orgs/:id/peer-matrix?round_id=&mode=mine|sheet&sheet_no=: the branch's members as rows and
 * the member standard's items as columns; a member's own levels (mine) or one paper sheet's
 * (sheet, when sheet_no names one already keyed in), with the count of sheets keyed in. */
void h_peer_matrix(req *r)
{
    int64_t id;
    org o;
    member me;
    review_round rd;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ANY, &o)) return;
    const char *mode = matrix_mode(r, &o, req_query(r, "mode"), &me);
    int sheet_no = mode ? sheet_no_in(r) : -1;
    if (!mode || sheet_no < 0 || !req_round(r, o.path, &rd)) return;
    bool sheet = !strcmp(mode, "sheet");
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", sheet ? "录入纸质民主测评表" : "互评本支部党员");
    cJSON_AddItemToObject(d, "org", json_org(&o));
    cJSON_AddItemToObject(d, "round", json_round(&rd));
    cJSON_AddStringToObject(d, "mode", mode);
    cJSON_AddBoolToObject(d, "sheet", sheet);
    cJSON_AddBoolToObject(d, "open", rd.open);
    add_items(d, r->db, &rd, false, o.id, NULL);
    matrix_ctx c = {r, cJSON_AddArrayToObject(d, "rows"), rd.id, sheet ? 0 : me.id, cJSON_GetArraySize(cJSON_GetObjectItem(d, "items")), NULL};
    member branch = {.id = 0, .org_id = o.id}; /* no reviewer: every member of the branch */
    int rc = CX_OK;
    if (sheet) {
        int64_t sheets = 0, max_no = 0;
        rc = review_sheet_stats(r->db, rd.id, o.id, &sheets, &max_no);
        json_add_i64(d, "sheets", sheets);
        json_add_i64(d, "next_sheet_no", sheet_no ? sheet_no : max_no + 1);
        cJSON_AddBoolToObject(d, "rekey", sheet_no > 0);
        if (rc == CX_OK && sheet_no) {
            c.sheet = cJSON_CreateObject();
            rc = review_sheet_rows(r->db, rd.id, o.id, sheet_no, add_sheet_cell, c.sheet);
        }
    }
    if (rc == CX_OK) rc = review_peer_todo(r->db, rd.id, sheet ? &branch : &me, add_matrix_row, &c);
    cJSON_Delete(c.sheet);
    cJSON_AddBoolToObject(d, "can_sheet", perm_may_key_sheets(&r->user, o.path));
    if (rc != CX_OK) db_failed(r);
}

/* The rows of a matrix as posted: the API's rows [{member_id, levels}], or the page's cells
 * lv_<member>_<seq> (a row left blank is skipped; the field of a row is its first cell not filled
 * with 1–4, so that an error points at it). n rows, at most max. */
static int matrix_rows_in(req *r, int nitems, peer_row *rows, int max)
{
    int n = 0;
    if (r->json) {
        const cJSON *arr = cJSON_GetObjectItem(r->json, "rows"), *x;
        if (!cJSON_IsArray(arr)) {
            req_failf(r, 400, "invalid_rows", "rows", "rows 应为数组：[{member_id, levels}]");
            return -1;
        }
        cJSON_ArrayForEach(x, arr)
        {
            const cJSON *lv = cJSON_GetObjectItem(x, "levels");
            int64_t mid = json_get_i64(x, "member_id");
            char *f = req_keep(r, xasprintf("rows[%d].levels", n));
            if (n == max || mid <= 0 || !cJSON_IsString(lv)) {
                req_failf(r, 400, "invalid_rows", n == max ? "rows" : f, n == max ? "互评表的行数过多" : "第 %d 行应有 member_id 和 levels", n + 1);
                return -1;
            }
            rows[n++] = (peer_row){mid, lv->valuestring, f};
        }
        return n;
    }
    for (int i = 0; i < r->nfields; i++) {
        int64_t mid = 0;
        int seq = 0, used = 0;
        const char *name = r->fields[i].name;
        if (sscanf(name, "lv_%" SCNd64 "_%d%n", &mid, &seq, &used) != 2 || name[used] || mid <= 0 || seq < 1 || seq > nitems) continue;
        int k = 0;
        while (k < n && rows[k].member_id != mid) k++;
        if (k == n) {
            if (n == max) break;
            char *lv = req_keep(r, xmalloc((size_t)nitems + 1));
            memset(lv, '0', (size_t)nitems);
            lv[nitems] = 0;
            rows[n++] = (peer_row){mid, lv, NULL};
        }
        const char *v = r->fields[i].data.p ? r->fields[i].data.p : "";
        ((char *)rows[k].levels)[seq - 1] = strlen(v) == 1 && *v >= '1' && *v <= '4' ? *v : *v ? 'x' : '0';
    }
    int kept = 0;
    for (int k = 0; k < n; k++) {
        const char *lv = rows[k].levels;
        if (strspn(lv, "0") == strlen(lv)) continue; /* a row left blank */
        int bad = (int)strspn(lv, "1234");
        rows[kept] = rows[k];
        rows[kept++].field = req_keep(r, xasprintf("lv_%" PRId64 "_%d", rows[k].member_id, bad < nitems ? bad + 1 : 1));
    }
    return kept;
}

/* POST /orgs/:id/peer-matrix {round_id?, sheet_no?, rows | lv_<member>_<seq>}: a member's peer
 * reviews of the whole branch, or (sheet_no) one paper sheet keyed in; in one transaction. */
void h_peer_matrix_submit(req *r)
{
    int64_t id;
    org o;
    member me;
    review_round rd;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ANY, &o)) return;
    int sheet_no = sheet_no_in(r);
    const char *mode = sheet_no < 0 ? NULL : matrix_mode(r, &o, sheet_no > 0 ? "sheet" : "mine", &me);
    if (!mode || !req_round(r, o.path, &rd)) return;
    cJSON *tmp = cJSON_CreateObject();
    add_items(tmp, r->db, &rd, false, o.id, NULL);
    int nitems = cJSON_GetArraySize(cJSON_GetObjectItem(tmp, "items"));
    cJSON_Delete(tmp);
    enum { MAX_ROWS = 1000 };
    peer_row *rows = req_keep(r, xcalloc(MAX_ROWS, sizeof *rows));
    int n = matrix_rows_in(r, nitems, rows, MAX_ROWS), added = 0;
    int64_t replaced = 0;
    cx_err e = {0};
    if (n < 0) return;
    if (review_peer_matrix(r->db, &r->who, rd.id, &o, sheet_no > 0 ? 0 : me.id, sheet_no, rows, n, &added, &replaced, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (done_redirect(r, "/orgs/%" PRId64 "/peer-matrix?round_id=%" PRId64 "&mode=%s", o.id, rd.id, mode)) return;
    cJSON *x = submitted(r, "matrix", rd.id, sheet_no > 0 ? replaced > 0 : added == 0);
    json_add_i64(x, "org_id", o.id);
    json_add_i64(x, "rows", n);
    json_add_i64(x, "inserted", added);
    if (sheet_no > 0) {
        int64_t sheets = 0, max_no = 0;
        json_add_i64(x, "sheet_no", sheet_no);
        if (review_sheet_stats(r->db, rd.id, o.id, &sheets, &max_no) == CX_OK) json_add_i64(x, "sheets", sheets);
    }
}
