/* ledger.c: the ledger (台账) pages and API: an organisation's entries with filters (kind,
 * category, period, member) and its totals by kind and category for a period from the roll-up,
 * entering, changing and deleting entries (a forum's participants by category, a research report's
 * files), the categories an office adds for its subtree, and the XLSX in the layout offices use
 * (one row per child organisation, columns by kind then category, a totals row). */
#include "web.h"
#include "pager.h"
#include "../domain/date.h"
#include "../store/ledger.h"
#include "../store/period.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* ---- reading the request ---- */

/* The period asked for (?period=2026, 2026H1, 2026Q3), this year by default, into from/to and its
 * text; false after failing the request. */
static bool ledger_period(req *r, int *from_q, int *to_q, char text[16])
{
    const char *pq = req_query(r, "period");
    char today[11];
    date_today(today);
    snprintf(text, 16, "%.*s", pq && *pq ? 15 : 4, pq && *pq ? pq : today);
    if ((pq && strlen(pq) > 6) || period_parse(text, from_q, to_q) != CX_OK || *from_q / 10 < 2000 || *from_q / 10 > atoi(today) + 1) {
        req_failf(r, 400, "invalid_query", "period", "参数 period（统计期间）应为 2000 年至明年的年份（如 2026）、半年（如 2026H1）或季度（如 2026Q3），收到“%.32s”",
                  pq ? pq : "");
        return false;
    }
    return true;
}

/* A forum's participants: the API's array [{category_id, people}], a form's fields part_<id>.
 * false after failing the request (a malformed list). */
static bool read_parts(req *r, ledger_part *parts, int cap, int *n)
{
    *n = 0;
    if (r->json) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(r->json, "participants"), *x;
        if (!a || cJSON_IsNull(a)) return true;
        if (!cJSON_IsArray(a)) {
            req_failf(r, 400, "invalid_participants", "participants", "participants 应为数组：[{\"category_id\": 类别编号, \"people\": 人数}]");
            return false;
        }
        cJSON_ArrayForEach(x, a)
        {
            const cJSON *c = cJSON_GetObjectItemCaseSensitive(x, "category_id"), *p = cJSON_GetObjectItemCaseSensitive(x, "people");
            if (!cJSON_IsNumber(c) || !cJSON_IsNumber(p) || c->valuedouble != (double)(int64_t)c->valuedouble ||
                p->valuedouble != (double)(int64_t)p->valuedouble || p->valuedouble > 1e9 || p->valuedouble < -1e9 || c->valuedouble > 9e15) {
                req_failf(r, 400, "invalid_participants", "participants", "participants 的每一项应为 {\"category_id\": 类别编号, \"people\": 整数人数}");
                return false;
            }
            if (*n >= cap) {
                req_failf(r, 422, "too_many_parts", "participants", "参加人员的类别至多 %d 个", LEDGER_PARTS_MAX);
                return false;
            }
            parts[*n].category_id = (int64_t)c->valuedouble;
            parts[(*n)++].people = (int64_t)p->valuedouble;
        }
        return true;
    }
    for (int i = 0; i < r->nfields; i++) {
        const field *f = &r->fields[i];
        if (f->filename || strncmp(f->name, "part_", 5)) continue;
        const char *v = f->data.p ? f->data.p : "";
        if (!*v) continue;
        int64_t cid = 0, people = 0;
        if (str_to_i64(f->name + 5, &cid) != CX_OK || cid <= 0 || str_to_i64(v, &people) != CX_OK || people < -1000000000 || people > 1000000000) {
            req_failf(r, 422, "invalid_people", f->name, "每类参加人数应为 0 到 %d 之间的整数", LEDGER_PEOPLE_MAX);
            return false;
        }
        if (!people) continue;
        if (*n >= cap) {
            req_failf(r, 422, "too_many_parts", "participants", "参加人员的类别至多 %d 个", LEDGER_PARTS_MAX);
            return false;
        }
        parts[*n].category_id = cid;
        parts[(*n)++].people = people;
    }
    return true;
}

/* Reads and checks an entry as sent (kind from the body, or fixed for a change); false after failing. */
static bool read_entry(req *r, const char *kind, ledger_about *ab, ledger_ok *ok)
{
    ledger_part *parts = req_keep(r, xmalloc((LEDGER_PARTS_MAX + 1) * sizeof *parts));
    int np = 0;
    if (!req_opt_id(r, "member_id", "党员", &ab->member_id) || !req_opt_id(r, "category_id", "类别", &ab->category_id) ||
        !read_parts(r, parts, LEDGER_PARTS_MAX + 1, &np))
        return false;
    ledger_in in = {kind, req_in(r, "entry_date"), req_in(r, "title"), req_in(r, "body"), req_in(r, "household"), req_in(r, "people"), parts, np};
    cx_err e = {0};
    if (ledger_check(&in, NULL, ok, &e) != CX_OK) {
        req_fail(r, &e);
        return false;
    }
    return true;
}

/* ---- JSON ---- */

static int add_part(void *ctx, int64_t category_id, const char *name, int64_t people)
{
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "category_id", category_id);
    cJSON_AddStringToObject(x, "name", name);
    json_add_i64(x, "people", people);
    cJSON_AddItemToArray(ctx, x);
    return 0;
}

static cJSON *json_entry(req *r, const ledger_entry *x, bool full)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", x->id);
    json_add_i64(j, "org_id", x->org_id);
    cJSON_AddStringToObject(j, "org_name", x->org_name);
    cJSON_AddStringToObject(j, "kind", ledger_kind_name(x->kind));
    cJSON_AddStringToObject(j, "kind_label", ledger_kind_label(x->kind));
    cJSON_AddBoolToObject(j, "forum", x->kind == LK_FORUM);
    cJSON_AddBoolToObject(j, "pairing", x->kind == LK_PAIRING);
    if (x->category_id) {
        json_add_i64(j, "category_id", x->category_id);
        cJSON_AddStringToObject(j, "category_name", x->category_name);
    }
    if (x->member_id) {
        json_add_i64(j, "member_id", x->member_id);
        cJSON_AddStringToObject(j, "member_name", x->member_name);
    }
    cJSON_AddStringToObject(j, "entry_date", x->entry_date);
    cJSON_AddStringToObject(j, "title", x->title);
    if (x->household[0]) cJSON_AddStringToObject(j, "household", x->household);
    json_add_i64(j, "people", x->people);
    cJSON_AddStringToObject(j, "people_label", ledger_people_label(x->kind));
    json_add_i64(j, "files", x->nfiles);
    cJSON_AddStringToObject(j, "created_by_name", x->created_by_name);
    json_add_i64(j, "version", x->version);
    cJSON_AddBoolToObject(j, "deleted", x->deleted_at != 0);
    cJSON_AddBoolToObject(j, "can_edit", !x->deleted_at && perm_may_edit_ledger(&r->user, x->org_path, x->created_by));
    if (!full) return j;
    cJSON_AddStringToObject(j, "body", x->body ? x->body : "");
    int rc = ledger_parts(r->db, x->id, add_part, cJSON_AddArrayToObject(j, "participants"));
    if (rc == CX_OK) rc = ledger_files(r->db, x->id, add_attachment, cJSON_AddArrayToObject(j, "file_list"));
    if (rc != CX_OK) req_failf(r, 500, "db_error", "", "读取台账记录失败");
    return j;
}

typedef struct cat_ctx {
    cJSON *all, *by_kind[LK_COUNT];
} cat_ctx;

static int add_category(void *ctx, const ledger_category *c)
{
    cat_ctx *k = ctx;
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "id", c->id);
    cJSON_AddStringToObject(x, "kind", ledger_kind_name(c->kind));
    cJSON_AddStringToObject(x, "kind_label", ledger_kind_label(c->kind));
    cJSON_AddStringToObject(x, "name", c->name);
    if (c->org_id) {
        json_add_i64(x, "org_id", c->org_id);
        cJSON_AddStringToObject(x, "org_name", c->org_name);
    }
    if (k->by_kind[c->kind]) cJSON_AddItemToArray(k->by_kind[c->kind], cJSON_Duplicate(x, true));
    cJSON_AddItemToArray(k->all, x);
    return 0;
}

/* The kinds with their categories seen from o: [{kind, label, categories: [...]}] (and every
 * category in d.categories). */
static int add_kinds(req *r, const org *o, cJSON *d)
{
    cat_ctx k = {cJSON_AddArrayToObject(d, "categories"), {0}};
    cJSON *kinds = cJSON_AddArrayToObject(d, "kinds");
    for (int i = 0; i < LK_COUNT; i++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "kind", ledger_kind_name((ledger_kind)i));
        cJSON_AddStringToObject(x, "label", ledger_kind_label((ledger_kind)i));
        cJSON_AddStringToObject(x, "people_label", ledger_people_label((ledger_kind)i));
        cJSON_AddBoolToObject(x, "is_forum", i == LK_FORUM);
        k.by_kind[i] = cJSON_AddArrayToObject(x, "categories");
        cJSON_AddItemToArray(kinds, x);
    }
    return ledger_categories(r->db, o->path, -1, add_category, &k);
}

/* ---- totals ---- */

/* Sets o.key to v (added when absent). */
static void set_i64(cJSON *o, const char *key, int64_t v)
{
    if (cJSON_GetObjectItemCaseSensitive(o, key)) cJSON_ReplaceItemInObjectCaseSensitive(o, key, json_int(v));
    else json_add_i64(o, key, v);
}

static int add_total(void *ctx, int64_t org_id, ledger_kind k, int64_t cat, int64_t entries, int64_t people)
{
    (void)org_id;
    cJSON *x = cJSON_GetArrayItem(ctx, (int)k), *c;
    if (!x) return 0;
    if (!cat) {
        set_i64(x, "entries", entries);
        set_i64(x, "people", people);
        return 0;
    }
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(x, "categories")) if (json_get_i64(c, "id") == cat)
    {
        set_i64(c, "entries", entries);
        set_i64(c, "people", people);
    }
    return 0;
}

/* Fills every kind and category of kinds (add_kinds) with the roll-up's figures of o's subtree
 * over from_q..to_q (zero where there is none). */
static int add_totals(req *r, const org *o, int from_q, int to_q, cJSON *kinds)
{
    cJSON *x, *c;
    cJSON_ArrayForEach(x, kinds)
    {
        set_i64(x, "entries", 0);
        set_i64(x, "people", 0);
        cJSON_ArrayForEach(c, cJSON_GetObjectItem(x, "categories")) set_i64(c, "entries", 0), set_i64(c, "people", 0);
    }
    return ledger_totals(r->db, o->id, from_q, to_q, add_total, kinds);
}

/* ---- the list, entering ---- */

static int add_listed(void *ctx, const ledger_entry *x)
{
    void **c = ctx;
    cJSON_AddItemToArray(c[1], json_entry(c[0], x, false));
    return 0;
}

/* GET /orgs/:id/ledger (?kind=&category_id=&period=&member_id=&page=&per_page=) */
void h_ledger(req *r)
{
    int64_t id, cat = 0, mid = 0;
    org o;
    int from_q, to_q;
    char ptext[16];
    pager pg;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_STAFF, &o) || !ledger_period(r, &from_q, &to_q, ptext) ||
        !req_opt_id(r, "category_id", "类别", &cat) || !req_opt_id(r, "member_id", "党员", &mid) || !pager_read(r, 50, 500, &pg))
        return;
    const char *kq = req_query(r, "kind");
    int kind = kq && *kq ? ledger_kind_from_name(kq) : -1;
    if (kq && *kq && kind < 0) {
        req_failf(r, 400, "invalid_query", "kind", "参数 kind 应为 visit、help、pairing、research 或 forum");
        return;
    }
    cJSON *d = req_data(r);
    char title[320], plabel[80];
    snprintf(title, sizeof title, "%s · 台账", o.name);
    period_label(from_q, to_q, plabel, sizeof plabel);
    cJSON_AddStringToObject(d, "title", title);
    cJSON_AddItemToObject(d, "org", json_org(&o));
    cJSON_AddStringToObject(d, "period", ptext);
    cJSON_AddStringToObject(d, "period_label", plabel);
    cJSON *f = cJSON_AddObjectToObject(d, "filter");
    cJSON_AddStringToObject(f, "kind", kind >= 0 ? ledger_kind_name((ledger_kind)kind) : "");
    if (cat) json_add_i64(f, "category_id", cat);
    if (mid) json_add_i64(f, "member_id", mid);
    bool enter = o.active && perm_may_enter_ledger(&r->user, o.path);
    cJSON_AddBoolToObject(d, "can_enter", enter);
    cJSON_AddBoolToObject(d, "can_add_category", o.active && perm_may_add_ledger_category(&r->user, o.path));
    char today[11];
    date_today(today);
    cJSON_AddStringToObject(d, "today", today);
    int rc = add_kinds(r, &o, d);
    if (rc == CX_OK) rc = add_totals(r, &o, from_q, to_q, cJSON_GetObjectItem(d, "kinds"));
    /* a filter's choices on the page: each kind marked when chosen */
    cJSON *x, *c;
    cJSON_ArrayForEach(x, cJSON_GetObjectItem(d, "kinds"))
    {
        cJSON_AddBoolToObject(x, "selected", kind >= 0 && !strcmp(cJSON_GetObjectItem(x, "kind")->valuestring, ledger_kind_name((ledger_kind)kind)));
        cJSON_ArrayForEach(c, cJSON_GetObjectItem(x, "categories")) cJSON_AddBoolToObject(c, "selected", json_get_i64(c, "id") == cat);
    }
    ledger_query q = {.root = &o, .kind = kind, .category_id = cat, .member_id = mid, .from_q = from_q, .to_q = to_q};
    int64_t total = 0;
    if (rc == CX_OK) rc = ledger_list(r->db, &q, NULL, NULL, &total);
    pager_set_total(&pg, total);
    q.offset = pager_offset(&pg);
    q.limit = pg.per_page;
    void *lc[2] = {r, cJSON_AddArrayToObject(d, "entries")};
    if (rc == CX_OK) rc = ledger_list(r->db, &q, add_listed, lc, NULL);
    if (rc != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取台账失败");
        return;
    }
    pager_json(r, d, &pg);
}

/* After a change: the page goes to the entry (or the list), the API answers with the entry. */
static void entry_done(req *r, int64_t id, int64_t org_id, int status)
{
    if (!req_is_api(r)) {
        if (id) req_redirect(r, "/ledger/%" PRId64, id);
        else req_redirect(r, "/orgs/%" PRId64 "/ledger", org_id);
        return;
    }
    ledger_entry *x = req_keep(r, xmalloc(sizeof *x));
    if (!req_found(r, ledger_get(r->db, id, x), "id", "台账记录")) return;
    r->status = status;
    cJSON_AddItemToObject(req_data(r), "entry", json_entry(r, x, true));
    ledger_entry_free(x);
}

/* POST /orgs/:id/ledger (kind, entry_date, title, body, household, people, category_id, member_id,
 * participants; multipart: files) */
void h_ledger_create(req *r)
{
    int64_t id, eid = 0;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ADMIN, &o)) return;
    if (!o.active || !perm_may_enter_ledger(&r->user, o.path)) {
        req_failf(r, 404, "not_found", "id", "党组织不存在或已停用");
        return;
    }
    ledger_about ab = {0};
    ledger_ok *ok = req_keep(r, xmalloc(sizeof *ok));
    if (!read_entry(r, req_in(r, "kind"), &ab, ok)) return;
    evidence_in files[EVIDENCE_MAX_FILES + 1];
    int nf = req_files(r, "file", files, EVIDENCE_MAX_FILES + 1);
    cx_err e = {0};
    if (ledger_create(r->db, &r->who, &o, &ab, ok, files, nf, &eid, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    entry_done(r, eid, o.id, 201);
}

/* Loads entry id for a user who may read it (else the same 404 as a missing one); a deleted entry
 * is found only when deleted_ok (a change is then refused by the store: 409 entry_deleted). */
static ledger_entry *req_entry(req *r, int64_t id, bool deleted_ok)
{
    ledger_entry *x = req_keep(r, xmalloc(sizeof *x));
    int f = ledger_get(r->db, id, x);
    if (f == CX_ERR) {
        req_failf(r, 500, "db_error", "", "数据库错误");
        return NULL;
    }
    char *body = f == 1 ? req_keep(r, x->body) : NULL;
    (void)body;
    if (f == 0 || !perm_may_read_ledger(&r->user, x->org_path) || (x->deleted_at && !deleted_ok)) {
        req_failf(r, 404, "not_found", "id", "台账记录不存在或不在您的管理范围内");
        return NULL;
    }
    return x;
}

/* GET /ledger/:id */
void h_ledger_entry(req *r)
{
    int64_t id;
    ledger_entry *x;
    if (!req_id(r, 0, &id) || !(x = req_entry(r, id, false))) return;
    cJSON *d = req_data(r);
    char title[480];
    snprintf(title, sizeof title, "台账：%s", x->title);
    cJSON_AddStringToObject(d, "title", title);
    cJSON *j = json_entry(r, x, true);
    cJSON_AddItemToObject(d, "entry", j);
    if (req_is_api(r) || !cJSON_IsTrue(cJSON_GetObjectItem(j, "can_edit"))) return;
    /* the edit form's choices: the categories of the entry's kind, a forum's participants filled in */
    org o;
    if (org_get(r->db, x->org_id, &o) != 1 || add_kinds(r, &o, d) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取台账类别失败");
        return;
    }
    cJSON *k = cJSON_GetArrayItem(cJSON_GetObjectItem(d, "kinds"), (int)x->kind), *c, *p;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(k, "categories"))
    {
        int64_t cid = json_get_i64(c, "id"), n = 0;
        cJSON_AddBoolToObject(c, "selected", cid == x->category_id);
        cJSON_ArrayForEach(p, cJSON_GetObjectItem(j, "participants")) if (json_get_i64(p, "category_id") == cid) n = json_get_i64(p, "people");
        if (n) json_add_i64(c, "people", n);
    }
    cJSON_AddItemReferenceToObject(d, "kind_categories", cJSON_GetObjectItem(k, "categories"));
}

/* Loads entry id for a change by this user (403 when the user may read it but not change it). */
static ledger_entry *req_entry_edit(req *r, int64_t id)
{
    ledger_entry *x = req_entry(r, id, true);
    if (x && !perm_may_edit_ledger(&r->user, x->org_path, x->created_by)) {
        req_failf(r, 403, "not_allowed", "id", "只有录入人或%s的上级活动办公室可以修改这条台账记录", x->org_name);
        return NULL;
    }
    return x;
}

/* POST /ledger/:id/edit (version and the fields of a new entry; the kind stays) */
void h_ledger_update(req *r)
{
    int64_t id, version = 0;
    ledger_entry *x;
    if (!req_id(r, 0, &id) || !(x = req_entry_edit(r, id)) || !req_opt_id(r, "version", "版本", &version)) return;
    const char *kind = req_in(r, "kind");
    ledger_about ab = {0};
    ledger_ok *ok = req_keep(r, xmalloc(sizeof *ok));
    if (!read_entry(r, kind && *kind ? kind : ledger_kind_name(x->kind), &ab, ok)) return;
    cx_err e = {0};
    if (ledger_update(r->db, &r->who, id, version, &ab, ok, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    entry_done(r, id, x->org_id, 200);
}

/* POST /ledger/:id/delete (version) */
void h_ledger_delete(req *r)
{
    int64_t id, version = 0;
    ledger_entry *x;
    if (!req_id(r, 0, &id) || !(x = req_entry_edit(r, id)) || !req_opt_id(r, "version", "版本", &version)) return;
    cx_err e = {0};
    if (ledger_delete(r->db, &r->who, id, version, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (!req_is_api(r)) {
        req_redirect(r, "/orgs/%" PRId64 "/ledger", x->org_id);
        return;
    }
    json_add_i64(req_data(r), "id", id);
    cJSON_AddBoolToObject(req_data(r), "deleted", true);
}

/* POST /ledger/:id/files (multipart file) */
void h_ledger_files_add(req *r)
{
    int64_t id;
    ledger_entry *x;
    if (!req_id(r, 0, &id) || !(x = req_entry_edit(r, id))) return;
    evidence_in files[EVIDENCE_MAX_FILES + 1];
    int nf = req_files(r, "file", files, EVIDENCE_MAX_FILES + 1);
    cx_err e = {0};
    if (ledger_add_files(r->db, &r->who, id, files, nf, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    entry_done(r, id, x->org_id, 201);
}

/* GET /ledger-files/:id: the entry decides who may see it, before the bytes are loaded. */
void h_ledger_file(req *r)
{
    int64_t id, eid = 0;
    if (!req_id(r, 0, &id)) return;
    if (ledger_file_owner(r->db, id, &eid) != 1) {
        req_failf(r, 404, "not_found", "id", "附件不存在");
        return;
    }
    if (!req_entry(r, eid, false)) return;
    char mime[32], name[128];
    buf_init(&r->file);
    req_attachment(r, ledger_file_get(r->db, id, &r->file, mime, name), mime);
}

/* ---- categories ---- */

/* GET /api/v1/orgs/:id/ledger-categories */
void h_ledger_categories(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_STAFF, &o)) return;
    cJSON *d = req_data(r);
    if (add_kinds(r, &o, d) != CX_OK) req_failf(r, 500, "db_error", "", "读取台账类别失败");
}

/* POST /orgs/:id/ledger-categories (kind, name) */
void h_ledger_category_add(req *r)
{
    int64_t id, cid = 0;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_OFFICE, &o)) return;
    if (!o.active || !perm_may_add_ledger_category(&r->user, o.path)) {
        req_failf(r, 404, "not_found", "id", "党组织不存在或已停用");
        return;
    }
    int k = ledger_kind_from_name(req_in(r, "kind"));
    cx_err e = {0};
    char name[4 * LEDGER_CATEGORY_MAX + 1];
    if (k < 0) cx_fail(&e, 400, "invalid_kind", "kind", "台账类别应为 visit、help、pairing、research 或 forum");
    if (k < 0 || ledger_category_check(req_in(r, "name"), name, &e) != CX_OK ||
        ledger_category_add(r->db, &r->who, &o, (ledger_kind)k, name, &cid, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (!req_is_api(r)) {
        req_redirect(r, "/orgs/%" PRId64 "/ledger#categories", o.id);
        return;
    }
    r->status = 201;
    cJSON *x = cJSON_AddObjectToObject(req_data(r), "category");
    json_add_i64(x, "id", cid);
    cJSON_AddStringToObject(x, "kind", ledger_kind_name((ledger_kind)k));
    cJSON_AddStringToObject(x, "name", name);
    json_add_i64(x, "org_id", o.id);
}

/* ---- the export: one row per child organisation, columns by kind then category ---- */

/* A column of the export: kind, category (0: the kind's total), and whether it counts people. */
typedef struct xcol {
    ledger_kind kind;
    int64_t category_id;
    bool people;
    char head[96];
} xcol;
typedef struct xsheet {
    xcol *cols;
    int ncols;
    int64_t *ids; /* the rows' organisations (children; the last: the organisation itself) */
    int nrows;
    int64_t *v;   /* nrows × ncols */
} xsheet;

/* Visits and forums count people by category (走访村干部 570 人次, 座谈大学生村干部 432 人); help,
 * pairing and research reports count entries (实事 78 件, 调研报告 62 篇). */
static bool counts_people(ledger_kind k) { return k == LK_VISIT || k == LK_FORUM; }
static const char *entries_head(ledger_kind k)
{
    static const char *const h[LK_COUNT] = {"次数", "件数", "户数", "篇数", "次数"};
    return h[k];
}

static int add_xcol(void *ctx, const ledger_category *c)
{
    xsheet *s = ctx;
    xcol *x = &s->cols[s->ncols++];
    x->kind = c->kind;
    x->category_id = c->id;
    x->people = counts_people(c->kind);
    snprintf(x->head, sizeof x->head, "%s", c->name);
    return s->ncols >= 400;
}

static int put_value(void *ctx, int64_t org_id, ledger_kind k, int64_t cat, int64_t entries, int64_t people)
{
    xsheet *s = ctx;
    int row = -1;
    for (int i = 0; i < s->nrows; i++)
        if (s->ids[i] == org_id) row = i;
    if (row < 0) return 0;
    for (int c = 0; c < s->ncols; c++)
        if (s->cols[c].kind == k && s->cols[c].category_id == cat) s->v[row * s->ncols + c] = s->cols[c].people ? people : entries;
    return 0;
}

static int add_xrow(void *ctx, const org *o, int64_t nchildren, int64_t nmembers)
{
    (void)nchildren, (void)nmembers;
    void **c = ctx;
    xsheet *s = c[0];
    cJSON *names = c[1];
    if (s->nrows >= 2000) return 1;
    s->ids = xrealloc(s->ids, (size_t)(s->nrows + 1) * sizeof *s->ids);
    s->ids[s->nrows++] = o->id;
    cJSON_AddItemToArray(names, cJSON_CreateString(o->name));
    return 0;
}

/* GET /orgs/:id/ledger/export (?period=): the XLSX */
void h_ledger_export(req *r)
{
    int64_t id;
    org o;
    int from_q, to_q;
    char ptext[16], plabel[80];
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_STAFF, &o) || !ledger_period(r, &from_q, &to_q, ptext)) return;
    period_label(from_q, to_q, plabel, sizeof plabel);
    xsheet s = {.cols = xmalloc(420 * sizeof(xcol))};
    /* the columns: each kind's total (entries; people for visits and forums), then its categories */
    int rc = CX_OK;
    for (int k = 0; rc == CX_OK && k < LK_COUNT; k++) {
        xcol *x = &s.cols[s.ncols++];
        *x = (xcol){(ledger_kind)k, 0, false, ""};
        snprintf(x->head, sizeof x->head, "%s", entries_head((ledger_kind)k));
        if (counts_people((ledger_kind)k)) {
            x = &s.cols[s.ncols++];
            *x = (xcol){(ledger_kind)k, 0, true, ""};
            snprintf(x->head, sizeof x->head, "%s", ledger_people_label((ledger_kind)k));
        }
        rc = ledger_categories(r->db, o.path, k, add_xcol, &s);
    }
    cJSON *names = cJSON_CreateArray();
    void *c[2] = {&s, names};
    if (rc == CX_OK) rc = org_children_plain(r->db, o.id, false, add_xrow, c);
    int nchildren = s.nrows;
    s.ids = xrealloc(s.ids, (size_t)(s.nrows + 1) * sizeof *s.ids);
    s.ids[s.nrows++] = o.id; /* the totals row */
    s.v = xcalloc((size_t)s.nrows * (size_t)s.ncols, sizeof *s.v);
    if (rc == CX_OK) rc = ledger_child_totals(r->db, o.id, from_q, to_q, put_value, &s);
    if (rc == CX_OK) rc = ledger_totals(r->db, o.id, from_q, to_q, put_value, &s);
    static const char *const heads[] = {"组织"};
    xlsx_export xe;
    lxw_worksheet *ws = export_open(r, &xe, "台账汇总", heads, 1);
    if (ws) {
        /* row 0: each kind over its columns; row 1: the columns */
        int col = 1;
        for (int k = 0; k < LK_COUNT; k++) {
            int n = 0;
            for (int i = 0; i < s.ncols; i++) n += s.cols[i].kind == (ledger_kind)k;
            if (n > 1) worksheet_merge_range(ws, 0, (lxw_col_t)col, 0, (lxw_col_t)(col + n - 1), ledger_kind_label((ledger_kind)k), xe.bold);
            else worksheet_write_string(ws, 0, (lxw_col_t)col, ledger_kind_label((ledger_kind)k), xe.bold);
            col += n;
        }
        char sub[160];
        snprintf(sub, sizeof sub, "%s", plabel);
        worksheet_write_string(ws, 1, 0, sub, xe.bold);
        for (int i = 0; i < s.ncols; i++) worksheet_write_string(ws, 1, (lxw_col_t)(i + 1), s.cols[i].head, xe.bold);
        worksheet_set_column(ws, 0, 0, 28, NULL);
        /* the children, the organisation itself (本级: entries of its own and of inactive children), the totals */
        int64_t *own = xcalloc((size_t)s.ncols, sizeof *own);
        bool any_own = false;
        for (int i = 0; i < s.ncols; i++) {
            own[i] = s.v[nchildren * s.ncols + i];
            for (int j = 0; j < nchildren; j++) own[i] -= s.v[j * s.ncols + i];
            any_own = any_own || own[i];
        }
        lxw_row_t row = 2;
        for (int j = 0; j < nchildren; j++, row++) {
            worksheet_write_string(ws, row, 0, cJSON_GetArrayItem(names, j)->valuestring, NULL);
            for (int i = 0; i < s.ncols; i++) worksheet_write_number(ws, row, (lxw_col_t)(i + 1), (double)s.v[j * s.ncols + i], NULL);
        }
        if (any_own) {
            char l[300];
            snprintf(l, sizeof l, "%s（本级）", o.name);
            worksheet_write_string(ws, row, 0, l, NULL);
            for (int i = 0; i < s.ncols; i++) worksheet_write_number(ws, row, (lxw_col_t)(i + 1), (double)own[i], NULL);
            row++;
        }
        worksheet_write_string(ws, row, 0, "合计", xe.bold);
        for (int i = 0; i < s.ncols; i++) worksheet_write_number(ws, row, (lxw_col_t)(i + 1), (double)s.v[nchildren * s.ncols + i], xe.bold);
        free(own);
        char name[400], after[96];
        snprintf(name, sizeof name, "%s-台账汇总-%s.xlsx", o.name, ptext);
        snprintf(after, sizeof after, "{\"format\":\"xlsx\",\"period\":\"%s\"}", ptext);
        export_close(r, &xe, rc, name, "ledger", o.id, o.id, after);
    }
    cJSON_Delete(names);
    free(s.cols);
    free(s.ids);
    free(s.v);
}
