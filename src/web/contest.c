/* contest.c: 三比 contests over HTTP: the list and the form of an office, one contest (setup by the
 * office: items, entrants, judges; open, close, publish), a judge's scoring sheet on a phone (draft
 * saved, submitted once), the result with the method in words and its A4 print view, and the
 * frozen published ranking at /p/contests/:id. Before a contest closes no score leaves the server
 * but a judge's own to that judge: the office sees only how many judges submitted. */
#include "web.h"
#include "../domain/text.h"
#include "../store/contest.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void add_score(cJSON *j, const char *name, int64_t h)
{
    char s[24];
    contest_score_text(h, s);
    cJSON_AddStringToObject(j, name, s);
}

static cJSON *json_contest(const contest *c)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", c->id);
    cJSON_AddStringToObject(j, "title", c->title);
    cJSON_AddStringToObject(j, "kind", contest_kind_name(c->kind));
    cJSON_AddStringToObject(j, "kind_name", c->kind_name);
    json_add_i64(j, "year", c->year);
    cJSON_AddStringToObject(j, "entrant_kind", contest_entrant_kind_name(c->entrant_kind));
    cJSON_AddStringToObject(j, "entrant_kind_label", contest_entrant_kind_label(c->entrant_kind));
    json_add_i64(j, "drop", c->drop);
    cJSON_AddStringToObject(j, "status", contest_status_name(c->status));
    cJSON_AddStringToObject(j, "status_label", contest_status_label(c->status));
    for (int s = 0; s < CS_COUNT; s++) cJSON_AddBoolToObject(j, contest_status_name((contest_status)s), c->status == (contest_status)s);
    json_add_i64(j, "org_id", c->org_id);
    cJSON_AddStringToObject(j, "org_name", c->org_name);
    json_add_i64(j, "judges", c->njudges);
    json_add_i64(j, "submitted", c->nsubmitted);
    char prog[64];
    snprintf(prog, sizeof prog, "%d/%d 评委已提交", c->nsubmitted, c->njudges);
    cJSON_AddStringToObject(j, "progress", prog);
    json_add_i64(j, "items", c->nitems);
    json_add_i64(j, "entrants", c->nentrants);
    json_add_i64(j, "weight_sum", c->weight_sum);
    cJSON_AddStringToObject(j, "created_by_name", c->created_by_name);
    json_add_time(j, "created_at", c->created_at);
    json_add_time(j, "closed_at", c->closed_at);
    json_add_time(j, "published_at", c->published_at);
    return j;
}

/* ---- the list of an organisation, the form ---- */

typedef struct list_ctx {
    req *r;
    cJSON *arr;
} list_ctx;

static int add_listed(void *ctx, const contest *c)
{
    list_ctx *x = ctx;
    bool runs = perm_may_run_contest(&x->r->user, c->org_path);
    /* until publication a contest is the office's (its judges find it under /me/contests); then
     * every one working in its area: the list links only to pages the viewer may open */
    if (!runs && c->status != CS_PUBLISHED) return 0;
    if (!runs && !perm_may_see_contest(&x->r->user, c->org_path)) return 0;
    cJSON *j = json_contest(c);
    cJSON_AddBoolToObject(j, "can_run", runs);
    cJSON_AddItemToArray(x->arr, j);
    return 0;
}

void h_contests(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_STAFF, &o)) return;
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "三比竞赛");
    cJSON_AddItemToObject(d, "org", json_org(&o));
    list_ctx c = {r, cJSON_AddArrayToObject(d, "contests")};
    if (contest_list(r->db, o.path, add_listed, &c) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取竞赛失败");
        return;
    }
    cJSON_AddBoolToObject(d, "can_create", o.active && perm_may_run_contest(&r->user, o.path));
    char y[16];
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    snprintf(y, sizeof y, "%d", tm.tm_year + 1900);
    cJSON_AddStringToObject(d, "this_year", y);
}

/* A contest the viewer judges (not a draft): with whether the viewer submitted. */
static int add_listed_judged(void *ctx, const contest *c)
{
    list_ctx *x = ctx;
    if (c->status == CS_DRAFT) return 0;
    contest_judge j;
    if (contest_judge_get(x->r->db, c->id, x->r->user.user_id, &j) != 1) return 0;
    cJSON *o = json_contest(c);
    cJSON_AddBoolToObject(o, "mine_submitted", j.submitted_at > 0);
    cJSON_AddBoolToObject(o, "can_score", c->status == CS_OPEN && !j.submitted_at);
    cJSON_AddItemToArray(x->arr, o);
    return 0;
}

void h_my_contests(req *r)
{
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "我参与评分的竞赛");
    list_ctx c = {r, cJSON_AddArrayToObject(d, "contests")};
    if (contest_list_judged(r->db, r->user.user_id, add_listed_judged, &c) != CX_OK) req_failf(r, 500, "db_error", "", "读取竞赛失败");
}

void h_contest_create(req *r)
{
    int64_t id, nid = 0;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_OFFICE, &o)) return;
    if (!o.active || !perm_may_run_contest(&r->user, o.path)) {
        req_failf(r, 404, "not_found", "id", "党组织不存在或已停用");
        return;
    }
    contest_in in = {req_in(r, "kind"), req_in(r, "kind_name"), req_in(r, "title"), req_in(r, "year"), req_in(r, "entrant_kind"), req_in(r, "drop")};
    contest_ok ok;
    cx_err e = {0};
    int rc = contest_check(&in, &ok, &e);
    if (rc == CX_OK) rc = contest_create(r->db, &r->who, &o, &ok, &nid, &e);
    if (!req_changed(r, rc, &e, "/contests/%" PRId64, nid)) return;
    contest c;
    if (!req_found(r, contest_get(r->db, nid, &c), "id", "竞赛")) return;
    r->status = 201;
    cJSON_AddItemToObject(req_data(r), "contest", json_contest(&c));
}

/* ---- one contest ---- */

typedef struct contest_view {
    contest c;
    bool runs, judge, sees;
    contest_judge j;
} contest_view;

/* Loads contest id and how the viewer stands to it; 404 (as for a missing one) when the viewer
 * neither runs it, judges it, nor may see it (a published one, in the viewer's area). */
static contest_view *req_contest(req *r)
{
    int64_t id;
    if (!req_id(r, 0, &id)) return NULL;
    contest_view *v = req_keep(r, xcalloc(1, sizeof *v));
    int f = contest_get(r->db, id, &v->c);
    if (f == CX_ERR) {
        req_failf(r, 500, "db_error", "", "数据库错误");
        return NULL;
    }
    if (f == 1) {
        int g = contest_judge_get(r->db, id, r->user.user_id, &v->j);
        if (g == CX_ERR) {
            req_failf(r, 500, "db_error", "", "数据库错误");
            return NULL;
        }
        v->runs = perm_may_run_contest(&r->user, v->c.org_path);
        v->judge = perm_may_judge_contest(&r->user, g == 1) && v->c.status != CS_DRAFT;
        v->sees = v->runs || (v->c.status == CS_PUBLISHED && perm_may_see_contest(&r->user, v->c.org_path));
        if (v->runs || v->judge || v->sees) return v;
    }
    req_failf(r, 404, "not_found", "id", "竞赛不存在或不在您的范围内");
    return NULL;
}

static int add_item(void *ctx, const contest_item *it)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", it->id);
    json_add_i64(j, "seq", it->seq);
    cJSON_AddStringToObject(j, "name", it->name);
    json_add_i64(j, "weight", it->weight);
    json_add_i64(j, "max_score", it->max_score);
    cJSON_AddItemToArray(ctx, j);
    return 0;
}

static cJSON *json_entrant(const contest_entrant *e, bool public_page)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", e->id);
    cJSON_AddStringToObject(j, "kind", contest_entrant_kind_name(e->kind));
    char name[256];
    if (public_page && e->kind == CE_MEMBER) text_mask(e->name, false, name, sizeof name);
    else snprintf(name, sizeof name, "%s", e->name);
    cJSON_AddStringToObject(j, "name", name);
    cJSON_AddStringToObject(j, "org_name", e->org_name);
    if (!public_page) {
        json_add_i64(j, "ref_id", e->ref_id);
        cJSON_AddBoolToObject(j, "moved", e->moved);
    }
    return j;
}

static int add_entrant(void *ctx, const contest_entrant *e)
{
    cJSON_AddItemToArray(ctx, json_entrant(e, false));
    return 0;
}

/* The judges: who they are and whether they submitted, never what they scored. */
static int add_judge(void *ctx, const contest_judge *j)
{
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "user_id", j->user_id);
    cJSON_AddStringToObject(x, "name", j->name);
    cJSON_AddBoolToObject(x, "submitted", j->submitted_at > 0);
    cJSON_AddBoolToObject(x, "stopped", j->stopped);
    cJSON_AddItemToArray(ctx, x);
    return 0;
}

/* The office's word on judges whose account was stopped before they submitted: their drafts count
 * for nothing; how many judges are left to count and whether the trimmed mean still applies. */
static void judges_note(cJSON *d, const contest *c, const cJSON *judges)
{
    int submitted = 0, can = 0, lost = 0;
    buf names;
    buf_init(&names);
    const cJSON *j;
    cJSON_ArrayForEach(j, judges)
    {
        bool sub = cJSON_IsTrue(cJSON_GetObjectItem(j, "submitted")), stop = cJSON_IsTrue(cJSON_GetObjectItem(j, "stopped"));
        if (sub) submitted++;
        else if (stop) buf_printf(&names, "%s%s", lost++ ? "、" : "", cJSON_GetObjectItem(j, "name")->valuestring);
        else can++;
    }
    json_add_i64(d, "judges_remaining", submitted + can);
    json_add_i64(d, "judges_stopped", lost);
    if (lost && c->status != CS_DRAFT && c->status != CS_PUBLISHED) {
        int need = 1 + 2 * c->drop, left = submitted + (c->status == CS_OPEN ? can : 0);
        char still[64] = "", rule[200];
        if (c->status == CS_OPEN) snprintf(still, sizeof still, "，尚可提交 %d 位", can);
        if (c->drop == 0) snprintf(rule, sizeof rule, "按全部提交评委的平均分计算。");
        else if (left >= need) snprintf(rule, sizeof rule, "不少于 %d 位评委提交时，去掉最高分和最低分各 %d 个后取平均。", need, c->drop);
        else snprintf(rule, sizeof rule, "提交评分的评委将少于 %d 位，不去掉最高分和最低分，按全部提交评委的平均分计算。", need);
        char *note = xasprintf("评委%s的账号已停用或锁定，未提交评分：其草稿不计分。已提交 %d 位%s，计分的评委最多 %d 位。%s", names.p, submitted, still,
                               left, rule);
        cJSON_AddStringToObject(d, "judges_note", note);
        free(note);
    }
    buf_free(&names);
}

void h_contest(req *r)
{
    contest_view *v = req_contest(r);
    if (!v) return;
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", v->c.title);
    cJSON_AddItemToObject(d, "contest", json_contest(&v->c));
    cJSON_AddBoolToObject(d, "runs", v->runs);
    cJSON_AddBoolToObject(d, "judge", v->judge);
    bool draft = v->c.status == CS_DRAFT;
    cJSON_AddBoolToObject(d, "can_setup", v->runs && draft);
    cJSON_AddBoolToObject(d, "can_open", v->runs && draft);
    cJSON_AddBoolToObject(d, "can_close", v->runs && v->c.status == CS_OPEN);
    cJSON_AddBoolToObject(d, "can_publish", v->runs && (v->c.status == CS_CLOSED || v->c.status == CS_PUBLISHED));
    cJSON_AddBoolToObject(d, "has_result", (v->runs && v->c.status >= CS_CLOSED) || v->c.status == CS_PUBLISHED);
    if (v->judge) {
        cJSON *m = cJSON_AddObjectToObject(d, "mine");
        cJSON_AddBoolToObject(m, "submitted", v->j.submitted_at > 0);
        cJSON_AddBoolToObject(m, "can_score", v->c.status == CS_OPEN && !v->j.submitted_at);
    }
    if (contest_items(r->db, v->c.id, add_item, cJSON_AddArrayToObject(d, "items")) != CX_OK) goto fail;
    if (v->runs || v->judge) {
        if (contest_entrants(r->db, v->c.id, add_entrant, cJSON_AddArrayToObject(d, "entrants")) != CX_OK) goto fail;
    }
    if (v->runs) {
        cJSON *judges = cJSON_AddArrayToObject(d, "judges");
        if (contest_judges(r->db, v->c.id, add_judge, judges) != CX_OK) goto fail;
        judges_note(d, &v->c, judges);
    }
    return;
fail:
    req_failf(r, 500, "db_error", "", "读取竞赛失败");
}

/* The office's setup changes: after one, the page goes back to the contest. */
static contest_view *req_setup(req *r)
{
    contest_view *v = req_contest(r);
    if (v && !v->runs) {
        req_failf(r, 404, "not_found", "id", "竞赛不存在或不在您的范围内");
        return NULL;
    }
    return v;
}

static void done(req *r, int rc, const cx_err *e, int64_t id, int status)
{
    if (!req_changed(r, rc, e, "/contests/%" PRId64, id)) return;
    contest c;
    if (!req_found(r, contest_get(r->db, id, &c), "id", "竞赛")) return;
    r->status = status;
    cJSON_AddItemToObject(req_data(r), "contest", json_contest(&c));
}

void h_contest_item_add(req *r)
{
    contest_view *v = req_setup(r);
    if (!v) return;
    char name[4 * CONTEST_ITEM_NAME_MAX + 1];
    int w = 0, max = 0;
    cx_err e = {0};
    int rc = contest_item_check(req_in(r, "name"), req_in(r, "weight"), req_in(r, "max_score"), name, &w, &max, &e);
    if (rc == CX_OK) rc = contest_item_add(r->db, &r->who, v->c.id, name, w, max, &e);
    done(r, rc, &e, v->c.id, 201);
}

void h_contest_entrants_add(req *r)
{
    contest_view *v = req_setup(r);
    if (!v) return;
    int added = 0;
    cx_err e = {0};
    const char *ids = req_in(r, "ids");
    if (ids && !strcmp(ids, "\x01")) {
        req_failf(r, 422, "invalid_entrant", "ids", "参赛对象编号应为文本，如 \"12, 15, 31\"");
        return;
    }
    int rc = contest_entrants_add(r->db, &r->who, v->c.id, ids, &added, &e);
    done(r, rc, &e, v->c.id, 201);
    if (rc == CX_OK && req_is_api(r)) json_add_i64(req_data(r), "added", added);
}

/* POST /contests/:id/entrants/import: a spreadsheet (CSV or XLSX) of names or ids, one a row. */
void h_contest_entrants_import(req *r)
{
    contest_view *v = req_setup(r);
    if (!v) return;
    const field *f = req_file(r, "file");
    const void *data = NULL;
    size_t len = 0;
    if (f) data = f->data.p, len = f->data.len;
    else if (req_is_api(r) && r->body.len && !r->fields && !r->json) data = r->body.p, len = r->body.len; /* raw upload */
    if (!data || !len) {
        req_failf(r, 400, "file_required", "file", "请选择参赛名单文件（CSV 或 Excel .xlsx，第一列每行一个姓名或编号）");
        return;
    }
    contest_sheet_row *rows = NULL;
    int n = 0, added = 0;
    cx_err e = {0};
    int rc = contest_sheet_read(data, len, &rows, &n, &e);
    if (rc == CX_OK) rc = contest_entrants_import(r->db, &r->who, v->c.id, rows, n, &added, &e);
    free(rows);
    done(r, rc, &e, v->c.id, 201);
    if (rc == CX_OK && req_is_api(r)) json_add_i64(req_data(r), "added", added);
}

void h_contest_judge_add(req *r)
{
    contest_view *v = req_setup(r);
    if (!v) return;
    int64_t uid = 0;
    const char *un = req_in(r, "username");
    if (!req_opt_id(r, "user_id", "评委账号编号", &uid)) return;
    if (!uid && un && *un) {
        if (db_i64(r->db, &uid, 0, "SELECT id FROM app_user WHERE username = ?", "s", un) != CX_OK) {
            req_failf(r, 500, "db_error", "", "数据库错误");
            return;
        }
    }
    cx_err e = {0};
    /* a missing username and one outside the area get the same answer: the form does not tell
     * whether an account exists elsewhere */
    int rc = uid ? contest_judge_add(r->db, &r->who, v->c.id, uid, &e)
           : un && *un ? contest_judge_refused(&e, v->c.org_name)
                       : cx_fail(&e, 422, "invalid_judge", "user_id", "请填写评委的用户名（须为在用的工作人员账号）");
    if (rc != CX_OK && un && *un && !strcmp(e.code, "invalid_judge")) snprintf(e.field, sizeof e.field, "username");
    done(r, rc, &e, v->c.id, 201);
}

void h_contest_step(req *r)
{
    contest_view *v = req_setup(r);
    if (!v) return;
    cx_err e = {0};
    int a = r->rt->action;
    int rc = a == CS_OPEN ? contest_open(r->db, &r->who, v->c.id, &e)
           : a == CS_CLOSED ? contest_close(r->db, &r->who, v->c.id, &e)
                            : contest_publish(r->db, &r->who, v->c.id, &e);
    if (a == CS_PUBLISHED && rc == CX_OK && !req_is_api(r)) {
        req_redirect(r, "/contests/%" PRId64 "/result", v->c.id);
        return;
    }
    done(r, rc, &e, v->c.id, 200);
}

/* ---- a judge's sheet ---- */

typedef struct sheet_ctx {
    cJSON *items, *rows;
    const contest_cell *cells;
    int ncells;
} sheet_ctx;

static int grow_cell(void *ctx, const contest_cell *c)
{
    cJSON *arr = ctx;
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "entrant_id", c->entrant_id);
    json_add_i64(x, "item_id", c->item_id);
    add_score(x, "score", c->score);
    cJSON_AddItemToArray(arr, x);
    return 0;
}

/* The score the judge gave entrant e on item i, "" when none. */
static const char *cell_of(const cJSON *scores, int64_t e, int64_t i)
{
    const cJSON *x;
    cJSON_ArrayForEach(x, scores)
    {
        if ((int64_t)cJSON_GetObjectItem(x, "entrant_id")->valuedouble == e && (int64_t)cJSON_GetObjectItem(x, "item_id")->valuedouble == i)
            return cJSON_GetObjectItem(x, "score")->valuestring;
    }
    return "";
}

/* The judge's sheet of v into the request's data (also under a refused page form). */
static void sheet_data(req *r, const contest_view *v)
{
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", v->c.title);
    cJSON_AddItemToObject(d, "contest", json_contest(&v->c));
    cJSON_AddBoolToObject(d, "submitted", v->j.submitted_at > 0);
    cJSON_AddBoolToObject(d, "can_score", v->c.status == CS_OPEN && !v->j.submitted_at);
    if (v->j.submitted_at) json_add_time(d, "submitted_at", v->j.submitted_at);
    cJSON *items = cJSON_AddArrayToObject(d, "items"), *ens = cJSON_CreateArray(), *mine = cJSON_AddArrayToObject(d, "scores");
    if (contest_items(r->db, v->c.id, add_item, items) != CX_OK || contest_entrants(r->db, v->c.id, add_entrant, ens) != CX_OK ||
        contest_my_scores(r->db, v->c.id, r->user.user_id, grow_cell, mine) != CX_OK) {
        cJSON_Delete(ens);
        req_failf(r, 500, "db_error", "", "读取评分表失败");
        return;
    }
    /* the sheet: an entrant per card, an input per item holding the judge's own draft */
    int filled = 0, total = 0;
    const cJSON *en, *it;
    cJSON_ArrayForEach(en, ens)
    {
        cJSON *cells = cJSON_AddArrayToObject((cJSON *)en, "cells");
        int64_t eid = (int64_t)cJSON_GetObjectItem(en, "id")->valuedouble;
        cJSON_ArrayForEach(it, items)
        {
            int64_t iid = (int64_t)cJSON_GetObjectItem(it, "id")->valuedouble;
            cJSON *c = cJSON_CreateObject();
            char f[64];
            snprintf(f, sizeof f, "s_%" PRId64 "_%" PRId64, eid, iid);
            cJSON_AddStringToObject(c, "field", f);
            cJSON_AddStringToObject(c, "item_name", cJSON_GetObjectItem(it, "name")->valuestring);
            json_add_i64(c, "max_score", (int64_t)cJSON_GetObjectItem(it, "max_score")->valuedouble);
            json_add_i64(c, "weight", (int64_t)cJSON_GetObjectItem(it, "weight")->valuedouble);
            const char *s = cell_of(mine, eid, iid);
            cJSON_AddStringToObject(c, "value", s);
            filled += *s != 0;
            total++;
            cJSON_AddItemToArray(cells, c);
        }
    }
    cJSON_AddItemToObject(d, "entrants", ens);
    json_add_i64(d, "filled", filled);
    json_add_i64(d, "cells", total);
}

void h_contest_sheet(req *r)
{
    contest_view *v = req_contest(r);
    if (!v) return;
    if (!v->judge) {
        req_failf(r, 404, "not_found", "id", "您不是本竞赛的评委");
        return;
    }
    sheet_data(r, v);
}

/* Appends c to the request-kept array *out of *n cells (its room doubles at 16, 32, 64 …). */
static void push_cell(req *r, contest_cell **out, int *n, contest_cell c)
{
    if (*n >= 16 && !(*n & (*n - 1))) {
        contest_cell *bigger = req_keep(r, xcalloc((size_t)*n * 2, sizeof *bigger));
        memcpy(bigger, *out, (size_t)*n * sizeof *bigger);
        *out = bigger;
    }
    (*out)[(*n)++] = c;
}

/* The cells of a request: the API's scores [{entrant_id, item_id, score}] (score null or "" clears
 * the cell), a form's s_E_I fields (a blank one clears the cell: not scored yet). false when one is malformed (the request failed, 422). */
static bool read_cells(req *r, contest_cell **out, int *n)
{
    *n = 0;
    *out = req_keep(r, xcalloc(16, sizeof **out)); /* doubled at 16, 32, 64 … */
    cx_err e = {0};
    if (req_is_api(r) && r->json) {
        const cJSON *arr = cJSON_GetObjectItemCaseSensitive(r->json, "scores"), *x;
        if (arr && !cJSON_IsArray(arr)) {
            req_failf(r, 422, "invalid_score", "scores", "scores 应为数组：[{\"entrant_id\":…, \"item_id\":…, \"score\":…}]");
            return false;
        }
        int i = 0;
        cJSON_ArrayForEach(x, arr)
        {
            char f[48];
            snprintf(f, sizeof f, "scores[%d]", i++);
            const cJSON *en = cJSON_GetObjectItemCaseSensitive(x, "entrant_id"), *it = cJSON_GetObjectItemCaseSensitive(x, "item_id"),
                        *sc = cJSON_GetObjectItemCaseSensitive(x, "score");
            contest_cell c = {0};
            if (!cJSON_IsNumber(en) || en->valuedouble != (double)(int64_t)en->valuedouble || en->valuedouble < 1) {
                req_failf(r, 422, "invalid_entrant", f, "第 %d 个分数的 entrant_id 应为参赛对象编号", i);
                return false;
            }
            if (!cJSON_IsNumber(it) || it->valuedouble != (double)(int64_t)it->valuedouble || it->valuedouble < 1) {
                req_failf(r, 422, "invalid_item", f, "第 %d 个分数的 item_id 应为评分项目编号", i);
                return false;
            }
            c.entrant_id = (int64_t)en->valuedouble, c.item_id = (int64_t)it->valuedouble;
            if (cJSON_IsNull(sc) || (cJSON_IsString(sc) && strspn(sc->valuestring, " \t\r\n") == strlen(sc->valuestring))) {
                c.score = CONTEST_CELL_CLEAR; /* null or "": the draft cell is removed */
                push_cell(r, out, n, c);
                continue;
            }
            int rc = cJSON_IsNumber(sc) ? contest_score_number(sc->valuedouble, CONTEST_SCORE_MAX, f, &c.score, &e)
                   : cJSON_IsString(sc) ? contest_score_parse(sc->valuestring, CONTEST_SCORE_MAX, f, &c.score, &e)
                                        : cx_fail(&e, 422, "invalid_score", f, "第 %d 个分数应为数字", i);
            if (rc != CX_OK) {
                req_fail(r, &e);
                return false;
            }
            push_cell(r, out, n, c);
        }
        return true;
    }
    for (int i = 0; i < r->nfields; i++) {
        const field *f = &r->fields[i];
        int64_t eid = 0, iid = 0;
        char tail;
        if (f->filename || strncmp(f->name, "s_", 2)) continue;
        if (sscanf(f->name, "s_%" SCNd64 "_%" SCNd64 "%c", &eid, &iid, &tail) != 2 || eid < 1 || iid < 1) {
            req_failf(r, 422, "invalid_item", f->name, "无法识别的评分栏“%.40s”", f->name);
            return false;
        }
        const char *val = f->data.p ? f->data.p : "";
        contest_cell c = {eid, iid, CONTEST_CELL_CLEAR}; /* a blank cell: not scored (a saved draft value is removed) */
        if (strspn(val, " \t\r\n") == strlen(val)) {
            push_cell(r, out, n, c);
            continue;
        }
        if (contest_score_parse(val, CONTEST_SCORE_MAX, f->name, &c.score, &e) != CX_OK) {
            req_fail(r, &e);
            return false;
        }
        push_cell(r, out, n, c);
    }
    return true;
}

void h_contest_scores(req *r)
{
    contest_view *v = req_contest(r);
    if (!v) return;
    if (!v->judge) {
        req_failf(r, 404, "not_found", "id", "您不是本竞赛的评委");
        return;
    }
    contest_cell *cells = NULL;
    int n = 0;
    if (!read_cells(r, &cells, &n)) return;
    const char *fin = req_in(r, "submit");
    bool final = fin && (!strcmp(fin, "1") || !strcmp(fin, "true"));
    if (fin && *fin && !final && strcmp(fin, "0") && strcmp(fin, "false")) { /* "yes" is not a quiet draft */
        req_failf(r, 422, "invalid_submit", "submit", "submit 应为 true（提交评分）或 false（保存草稿）");
        return;
    }
    cx_err e = {0};
    int rc = contest_scores_save(r->db, &r->who, v->c.id, r->user.user_id, cells, n, final, &e);
    if (rc != CX_OK && !req_is_api(r)) sheet_data(r, v); /* the sheet again, with the reason */
    if (!req_changed(r, rc, &e, "/contests/%" PRId64 "/score%s", v->c.id, final ? "" : "?saved=1")) return;
    cJSON *d = req_data(r);
    json_add_i64(d, "saved", n);
    cJSON_AddBoolToObject(d, "submitted", final);
}

/* ---- the result ---- */

static void result_data(req *r, const contest_view *v, bool public_page)
{
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", v->c.title);
    cJSON *cj = json_contest(&v->c);
    cJSON_AddItemToObject(d, "contest", cj);
    cJSON_AddBoolToObject(d, "public_page", public_page);
    contest_result res;
    bool frozen = v->c.status == CS_PUBLISHED;
    int rc = frozen ? contest_published(r->db, &v->c, &res) : contest_compute(r->db, &v->c, &res);
    if (rc != CX_OK) {
        contest_result_free(&res);
        req_failf(r, 500, "db_error", "", "计算竞赛结果失败");
        return;
    }
    cJSON_AddBoolToObject(d, "frozen", frozen);
    cJSON_AddStringToObject(d, "method", res.method);
    json_add_i64(d, "judges", res.njudges);
    bool trimmed = res.n && res.rows[0].line.trimmed;
    cJSON_AddBoolToObject(d, "trimmed", trimmed);
    if (!trimmed && v->c.drop > 0) {
        char note[200];
        snprintf(note, sizeof note, "提交评分的评委少于 %d 位，未去掉最高分和最低分，按全部评委的平均分计算。", 1 + 2 * v->c.drop);
        cJSON_AddStringToObject(d, "plain_note", note);
    }
    cJSON *rows = cJSON_AddArrayToObject(d, "ranking");
    for (int i = 0; i < res.n; i++) {
        const contest_result_row *x = &res.rows[i];
        cJSON *j = json_entrant(&x->e, public_page);
        json_add_i64(j, "rank", x->line.rank);
        add_score(j, "score", x->line.score);
        add_score(j, "mean", x->line.mean);
        add_score(j, "best", x->line.best);
        cJSON_AddBoolToObject(j, "tied", (i > 0 && res.rows[i - 1].line.rank == x->line.rank) ||
                                             (i + 1 < res.n && res.rows[i + 1].line.rank == x->line.rank));
        cJSON_AddItemToArray(rows, j);
    }
    contest_result_free(&res);
    if (public_page || !v->runs) return;
    /* the office: each submitted judge's weighted total per entrant, judges numbered, from the scores */
    contest_result now;
    if (contest_compute(r->db, &v->c, &now) != CX_OK) {
        contest_result_free(&now);
        req_failf(r, 500, "db_error", "", "计算竞赛结果失败");
        return;
    }
    cJSON *row;
    cJSON_ArrayForEach(row, rows)
    {
        int64_t id = (int64_t)cJSON_GetObjectItem(row, "id")->valuedouble;
        for (int i = 0; i < now.n; i++) {
            if (now.rows[i].e.id != id) continue;
            buf t;
            buf_init(&t);
            cJSON *arr = cJSON_AddArrayToObject(row, "judge_totals");
            for (int a = 0; a < now.njudges && a < CONTEST_JUDGES_MAX; a++) {
                char s[24];
                contest_score_text(now.rows[i].totals[a], s);
                cJSON_AddItemToArray(arr, cJSON_CreateString(s));
                buf_printf(&t, "%s%s", a ? " / " : "", s);
            }
            cJSON_AddStringToObject(row, "judge_totals_text", t.p ? t.p : "");
            buf_free(&t);
        }
    }
    cJSON_AddBoolToObject(d, "show_totals", true);
    contest_result_free(&now);
}

void h_contest_result(req *r)
{
    contest_view *v = req_contest(r);
    if (!v) return;
    /* before closing nobody sees a result; closed: the office; published: everyone it concerns */
    if (!(v->c.status == CS_PUBLISHED && v->sees) && !(v->runs && v->c.status == CS_CLOSED)) {
        req_failf(r, 409, "not_closed", "status", "评分结束前不显示成绩和排名（%s）", v->runs ? "可看评委提交进度" : "请等待结果公布");
        return;
    }
    result_data(r, v, false);
    cJSON_AddBoolToObject(req_data(r), "runs", v->runs);
    cJSON_AddBoolToObject(req_data(r), "can_publish", v->runs);
}

static contest_view *req_public(req *r)
{
    int64_t id;
    if (!req_id(r, 0, &id)) return NULL;
    contest_view *v = req_keep(r, xcalloc(1, sizeof *v));
    int f = contest_get(r->db, id, &v->c);
    if (f == CX_ERR) {
        req_failf(r, 500, "db_error", "", "数据库错误");
        return NULL;
    }
    if (f == 0 || v->c.status != CS_PUBLISHED) {
        req_failf(r, 404, "not_found", "id", "竞赛结果不存在或尚未公布");
        return NULL;
    }
    return v;
}

void h_public_contest(req *r)
{
    contest_view *v = req_public(r);
    if (!v) return;
    char etag[64];
    snprintf(etag, sizeof etag, "\"contest-%" PRId64 "-%" PRId64 "\"", v->c.id, v->c.version);
    if (public_not_modified(r, etag)) return;
    result_data(r, v, true);
}
