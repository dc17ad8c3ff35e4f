/* study.c: study notes (学习心得): a member's own notes and the form to write one (for a study
 * session of their organisation or one above it, or self-study), the notes of an organisation's
 * subtree for its secretary and the offices above with the counts of its direct children for a
 * period (from period_rollup, never counted from the notes), one note. */
#include "web.h"
#include "pager.h"
#include "../domain/date.h"
#include "../store/period.h"
#include "../store/study.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static cJSON *json_note(const study_note *n)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", n->id);
    json_add_i64(j, "member_id", n->member_id);
    cJSON_AddStringToObject(j, "member_name", n->member_name);
    json_add_i64(j, "org_id", n->org_id);
    cJSON_AddStringToObject(j, "org_name", n->org_name);
    if (n->meeting_id) {
        json_add_i64(j, "meeting_id", n->meeting_id);
        cJSON_AddStringToObject(j, "meeting_title", n->meeting_title);
        cJSON_AddStringToObject(j, "meeting_on", n->meeting_on);
    }
    cJSON_AddStringToObject(j, "material", n->material);
    cJSON_AddStringToObject(j, "about", n->meeting_id ? n->meeting_title : n->material);
    cJSON_AddStringToObject(j, "kind_label", n->meeting_id ? "学习会" : "自学");
    cJSON_AddStringToObject(j, "written_on", n->written_on);
    cJSON_AddStringToObject(j, "text", n->text ? n->text : "");
    return j;
}

static int add_note(void *ctx, const study_note *n)
{
    cJSON_AddItemToArray(ctx, json_note(n));
    return 0;
}

/* The study sessions a member may write about: of their organisation or one above, not cancelled,
 * newest first. */
static void add_meetings(req *r, const char *path, cJSON *arr)
{
    db_stmt *s = db_prepare(r->db, "SELECT g.id, g.title, g.held_on, o.name FROM meeting g JOIN org o ON o.id = g.org_id "
                                   "WHERE g.kind = 'study' AND g.status <> 'cancelled' AND ? LIKE o.path || '%' ORDER BY g.held_on DESC, g.id DESC LIMIT 50");
    if (!s) return;
    db_bind_text(s, 1, path);
    while (db_step(s) == DB_ROW) {
        cJSON *x = cJSON_CreateObject();
        json_add_i64(x, "id", db_col_i64(s, 0));
        cJSON_AddStringToObject(x, "title", db_col_text(s, 1));
        cJSON_AddStringToObject(x, "held_on", db_col_text(s, 2));
        cJSON_AddStringToObject(x, "org_name", db_col_text(s, 3));
        cJSON_AddItemToArray(arr, x);
    }
    db_done(s);
}

void h_my_study(req *r)
{
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "我的学习心得");
    if (!r->user.member_id) {
        req_failf(r, 404, "not_found", "", "本账号不是党员账号");
        return;
    }
    member *m = req_keep(r, xmalloc(sizeof *m));
    if (!req_found(r, member_get(r->db, r->user.member_id, m), "member_id", "党员")) return;
    pager pg;
    if (!pager_read(r, 20, 200, &pg)) return;
    study_query q = {.member_id = m->id};
    int64_t total = 0;
    if (study_note_count(r->db, &q, &total) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取学习心得失败");
        return;
    }
    pager_set_total(&pg, total);
    q.offset = pager_offset(&pg), q.limit = pg.per_page;
    if (study_note_list(r->db, &q, add_note, cJSON_AddArrayToObject(d, "notes")) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取学习心得失败");
        return;
    }
    pager_json(r, d, &pg);
    if (!req_is_api(r) || req_query(r, "meetings")) add_meetings(r, m->org_path, cJSON_AddArrayToObject(d, "meetings"));
}

void h_study_note_create(req *r)
{
    if (!r->user.member_id) {
        req_failf(r, 403, "not_allowed", "", "只有党员本人可以记录学习心得");
        return;
    }
    int64_t mid = 0, id = 0;
    const char *ms = req_in(r, "meeting_id");
    if (ms && *ms && (str_to_i64(ms, &mid) != CX_OK || mid <= 0)) {
        req_failf(r, 422, "invalid_meeting", "meeting_id", "学习会应为会议编号");
        return;
    }
    cx_err e = {0};
    if (study_note_add(r->db, &r->who, r->user.member_id, mid, req_in(r, "material"), req_in(r, "text"), &id, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (!req_is_api(r)) {
        req_redirect(r, "/me/study-notes");
        return;
    }
    study_note n;
    if (!req_found(r, study_note_get(r->db, id, &n), "id", "学习心得")) return;
    r->status = 201;
    cJSON_AddItemToObject(req_data(r), "note", json_note(&n));
    free(n.text);
}

void h_study_note(req *r)
{
    int64_t id;
    if (!req_id(r, 0, &id)) return;
    study_note n;
    int f = study_note_get(r->db, id, &n);
    if (f == CX_ERR) {
        req_failf(r, 500, "db_error", "", "数据库错误");
        return;
    }
    if (f == 0 || !perm_may_see_study_note(&r->user, n.org_path, n.member_id)) {
        if (f == 1) free(n.text);
        req_failf(r, 404, "not_found", "id", "学习心得不存在或不在您的范围内");
        return;
    }
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "学习心得");
    cJSON_AddItemToObject(d, "note", json_note(&n));
    free(n.text);
}

typedef struct count_ctx {
    cJSON *arr;
} count_ctx;

static int add_count(void *ctx, const org *child, const period *p)
{
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "org_id", child->id);
    cJSON_AddStringToObject(x, "org_name", child->name);
    json_add_i64(x, "notes", p->v[PR_STUDY_NOTES]);
    cJSON_AddItemToArray(((count_ctx *)ctx)->arr, x);
    return 0;
}

void h_org_study(req *r)
{
    int64_t id, mid = 0;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ADMIN, &o)) return;
    /* the period (default: this year) */
    char today[11], ytext[8];
    date_today(today);
    snprintf(ytext, sizeof ytext, "%.4s", today);
    const char *pt = req_query(r, "period");
    int from_q, to_q;
    if (!pt || !*pt) pt = ytext;
    if (strlen(pt) > 6 || period_parse(pt, &from_q, &to_q) != CX_OK) {
        req_failf(r, 400, "invalid_query", "period", "期间应为 2026、2026H1 或 2026Q3 这样的写法");
        return;
    }
    const char *ms = req_query(r, "member_id");
    if (ms && *ms && (str_to_i64(ms, &mid) != CX_OK || mid <= 0)) {
        req_failf(r, 400, "invalid_query", "member_id", "参数 member_id 应为党员编号");
        return;
    }
    if (mid) {
        member *m = req_keep(r, xmalloc(sizeof *m));
        if (!req_member(r, mid, ROLE_ADMIN, m)) return;
        if (!path_in_subtree(m->org_path, o.path)) {
            req_failf(r, 404, "not_found", "member_id", "党员不在本组织");
            return;
        }
    }
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "学习心得");
    cJSON_AddItemToObject(d, "org", json_org(&o));
    char label[64], from[11], to[11];
    period_label(from_q, to_q, label, sizeof label);
    cJSON_AddStringToObject(d, "period", pt);
    cJSON_AddStringToObject(d, "period_label", label);
    period_first_day(from_q, from);
    period_first_day(to_q % 10 == 4 ? (to_q / 10 + 1) * 10 + 1 : to_q + 1, to);
    day_string(day_number(to) - 1, to);
    period tot;
    count_ctx cc = {cJSON_AddArrayToObject(d, "children")};
    if (period_get(r->db, o.id, from_q, to_q, &tot) != CX_OK || period_children(r->db, o.id, from_q, to_q, add_count, &cc) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取学习心得统计失败");
        return;
    }
    json_add_i64(d, "total", tot.v[PR_STUDY_NOTES]);
    pager pg;
    if (!pager_read(r, 50, 500, &pg)) return;
    study_query q = {.member_id = mid, .path = o.path, .from = from, .to = to};
    int64_t n = 0;
    if (study_note_count(r->db, &q, &n) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取学习心得失败");
        return;
    }
    pager_set_total(&pg, n);
    q.offset = pager_offset(&pg), q.limit = pg.per_page;
    if (study_note_list(r->db, &q, add_note, cJSON_AddArrayToObject(d, "notes")) != CX_OK) req_failf(r, 500, "db_error", "", "读取学习心得失败");
    pager_json(r, d, &pg);
}
