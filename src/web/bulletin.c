/* bulletin.c: bulletins (通报) pages and API: an office's list and the form to compose one
 * (/orgs/:id/bulletins), the number prefix, a bulletin (/bulletins/:id: a draft's preview with its
 * edit form, publish, delete; a published one with its corrections, correct), its A4
 * official-style print and XLSX export, and the public ones (/p/bulletins, no login, cached). */
#include "web.h"
#include "../domain/text.h"
#include "../domain/date.h"
#include "../lib/xlsxout.h"
#include "../store/bulletin.h"
#include "../store/period.h"
#include "pager.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void quarter_text(int q, char out[16]) { snprintf(out, 16, "%04dQ%d", q / 10 % 10000, q % 10); }

/* Loads a bulletin the user may read (compose: may compose it); the same 404 as a missing one
 * otherwise. Lives until the request ends. */
static bulletin *req_bulletin(req *r, bool compose)
{
    int64_t id;
    if (!req_id(r, 0, &id)) return NULL;
    bulletin *b = req_keep(r, xmalloc(sizeof *b));
    int f = bulletin_get(r->db, id, b);
    if (f == 1) req_keep(r, b->sections);
    const principal *p = r->logged_in ? &r->user : NULL;
    if (f == 1 && (compose ? perm_may_compose_bulletin(p, b->org_path) : perm_may_read_bulletin(p, b->org_path, b->published, b->is_public)))
        return b;
    if (f == CX_ERR) req_failf(r, 500, "db_error", "", "数据库错误");
    else req_failf(r, 404, "not_found", "id", "通报不存在或不在您的查看范围内");
    return NULL;
}

/* "2026年10月15日" of a time. */
static void day_text(int64_t at, char out[40])
{
    time_t t = (time_t)at;
    struct tm tm;
    localtime_r(&t, &tm);
    snprintf(out, 40, "%d年%d月%d日", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

static cJSON *json_head(const bulletin *b)
{
    cJSON *j = cJSON_CreateObject();
    char t[160], q0[16], q1[16];
    json_add_i64(j, "id", b->id);
    json_add_i64(j, "org_id", b->org_id);
    cJSON_AddStringToObject(j, "org_name", b->org_name);
    cJSON_AddStringToObject(j, "title", b->title);
    cJSON_AddStringToObject(j, "status", b->published ? "published" : "draft");
    cJSON_AddStringToObject(j, "status_label", b->published ? "已印发" : "草稿");
    cJSON_AddBoolToObject(j, "published", b->published);
    cJSON_AddStringToObject(j, "visibility", b->is_public ? "public" : "subtree");
    cJSON_AddStringToObject(j, "visibility_label", b->is_public ? "向社会公开" : "本组织及下级");
    cJSON_AddBoolToObject(j, "public", b->is_public);
    period_label(b->from_q, b->to_q, t, sizeof t);
    cJSON_AddStringToObject(j, "period", t);
    quarter_text(b->from_q, q0), quarter_text(b->to_q, q1);
    cJSON_AddStringToObject(j, "from", q0);
    cJSON_AddStringToObject(j, "to", q1);
    json_add_i64(j, "year", b->year);
    cJSON_AddStringToObject(j, "created_by_name", b->created_by_name);
    json_add_i64(j, "version", b->row_version);
    if (b->corrects_id) json_add_i64(j, "corrects_id", b->corrects_id);
    if (b->published) {
        json_add_i64(j, "seq", b->seq);
        cJSON_AddStringToObject(j, "number_text", b->number_text);
        cJSON_AddStringToObject(j, "content_hash", b->content_hash);
        cJSON_AddStringToObject(j, "published_by_name", b->published_by_name);
        day_text(b->published_at, t);
        cJSON_AddStringToObject(j, "published_on", t);
    }
    return j;
}

/* The sections with their figures: as frozen when published; for a draft, made now from the
 * roll-ups (a preview). NULL on a database error. */
static cJSON *json_sections(req *r, const bulletin *b)
{
    cJSON *s = cJSON_Parse(b->sections);
    if (!cJSON_IsArray(s)) {
        cJSON_Delete(s);
        return cJSON_CreateArray();
    }
    if (!b->published) {
        org office;
        char today[11];
        date_today(today);
        if (org_get(r->db, b->org_id, &office) != 1 || bulletin_figures_fill(r->db, &office, b->from_q, b->to_q, today, s, BF_ROLLUP) != CX_OK) {
            cJSON_Delete(s);
            return NULL;
        }
    }
    cJSON *sec;
    int no = 0;
    cJSON_ArrayForEach(sec, s)
    {
        json_add_i64(sec, "no", ++no);
        cJSON *fig = cJSON_GetObjectItemCaseSensitive(sec, "figures");
        int shown = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(fig, "rows"));
        double total = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(fig, "total"));
        if (fig && total > shown) json_add_i64(fig, "more", (int64_t)total);
        if (fig && !shown && strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sec, "kind")) ?: "", "text"))
            cJSON_AddBoolToObject(fig, "empty", true);
    }
    return s;
}

static int add_correction(void *ctx, const bulletin *c)
{
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "id", c->id);
    cJSON_AddStringToObject(x, "number_text", c->number_text);
    cJSON_AddBoolToObject(x, "public", c->is_public);
    cJSON_AddItemToArray(ctx, x);
    return 0;
}

/* The kinds of section, each with whether it is picked and its note (from sections, when given). */
static cJSON *json_kinds(const cJSON *sections, const char *exemplary)
{
    cJSON *a = cJSON_CreateArray();
    for (int k = 0; k < BK_N; k++) {
        cJSON *x = cJSON_CreateObject(), *sec, *found = NULL;
        cJSON_ArrayForEach(sec, sections)
        {
            const char *kn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sec, "kind"));
            if (kn && !strcmp(kn, bulletin_kind_name(k))) found = sec;
        }
        cJSON_AddStringToObject(x, "value", bulletin_kind_name(k));
        cJSON_AddStringToObject(x, "label", bulletin_kind_label(k));
        cJSON_AddBoolToObject(x, "checked", found != NULL);
        const char *note = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(found, "note"));
        cJSON_AddStringToObject(x, "note", note ? note : "");
        cJSON_AddBoolToObject(x, "is_text", k == BK_TEXT);
        cJSON_AddBoolToObject(x, "is_exemplary", k == BK_EXEMPLARY);
        if (k == BK_EXEMPLARY) cJSON_AddStringToObject(x, "exemplary", exemplary);
        cJSON_AddItemToArray(a, x);
    }
    return a;
}

/* The exemplary section's pledge ids, comma-separated, of stored sections. */
static void exemplary_ids(const cJSON *sections, char *out, size_t cap)
{
    out[0] = 0;
    const cJSON *sec, *id;
    cJSON_ArrayForEach(sec, sections)
    {
        cJSON_ArrayForEach(id, cJSON_GetObjectItemCaseSensitive(sec, "pledge_ids"))
        {
            size_t n = strlen(out);
            if (cJSON_IsString(id)) snprintf(out + n, cap - n, "%s%s", n ? "," : "", id->valuestring);
        }
    }
}

static void show_bulletin(req *r, const bulletin *b)
{
    cJSON *d = req_data(r), *j = json_head(b), *sections = json_sections(r, b);
    if (!sections) {
        cJSON_Delete(j);
        req_failf(r, 500, "db_error", "", "生成通报数字失败");
        return;
    }
    char ex[512];
    exemplary_ids(sections, ex, sizeof ex);
    cJSON_AddStringToObject(j, "exemplary", ex);
    cJSON_AddItemToObject(j, "sections", sections);
    cJSON *corr = cJSON_AddArrayToObject(j, "corrected_by");
    if (b->published && bulletin_corrections(r->db, b->id, add_correction, corr) != CX_OK) {
        cJSON_Delete(j);
        req_failf(r, 500, "db_error", "", "数据库错误");
        return;
    }
    if (b->corrects_id) {
        bulletin *o = xmalloc(sizeof *o);
        if (bulletin_get(r->db, b->corrects_id, o) == 1) cJSON_AddStringToObject(j, "corrects_number", o->number_text);
        bulletin_free(o), free(o);
    }
    cJSON_AddStringToObject(d, "title", b->published ? b->number_text : b->title);
    cJSON_AddItemToObject(d, "bulletin", j);
    const principal *p = r->logged_in ? &r->user : NULL;
    bool compose = perm_may_compose_bulletin(p, b->org_path);
    cJSON *can = cJSON_AddObjectToObject(d, "can");
    cJSON_AddBoolToObject(can, "edit", compose && !b->published);
    cJSON_AddBoolToObject(can, "publish", compose && !b->published);
    cJSON_AddBoolToObject(can, "delete", compose && !b->published);
    cJSON_AddBoolToObject(can, "correct", compose && b->published);
    if (compose && !b->published) cJSON_AddItemToObject(d, "kinds", json_kinds(sections, ex));
}

void h_bulletin(req *r)
{
    bulletin *b = req_bulletin(r, false);
    if (b) show_bulletin(r, b);
}

void h_bulletin_print(req *r)
{
    bulletin *b = req_bulletin(r, false);
    if (b) show_bulletin(r, b);
}

/* ---- composing ---- */

static void read_input(req *r, bulletin_in *in)
{
    memset(in, 0, sizeof *in);
    in->title = req_in(r, "title");
    in->period = req_in(r, "period");
    in->from = req_in(r, "from");
    in->to = req_in(r, "to");
    in->visibility = req_in(r, "visibility");
    in->sections = req_in(r, "sections");
    in->exemplary = req_in(r, "exemplary");
    for (int k = 0; k < BK_N; k++) {
        char name[48];
        snprintf(name, sizeof name, "sec_%s", bulletin_kind_name(k));
        in->picked[k] = req_flag(r, name) == 1;
        snprintf(name, sizeof name, "note_%s", bulletin_kind_name(k));
        in->notes[k] = req_in(r, name);
    }
    bulletin_read_period(in);
}

/* The draft as posted, checked into ok (free with bulletin_ok_free); false when the request failed. */
static bool read_checked(req *r, bulletin_ok *ok)
{
    bulletin_in in;
    read_input(r, &in);
    cx_err e = {0};
    if (bulletin_check(&in, ok, &e) == CX_OK) return true;
    req_fail(r, &e);
    return false;
}

/* The version field a change of a draft names: required (edit) or optional (0). */
static bool read_version(req *r, bool required, int64_t *v)
{
    const char *s = req_in(r, "version");
    *v = 0;
    if ((!s || !*s) && !required) return true;
    if (!s || !*s) {
        req_failf(r, 400, "required", "version", "请提供所改草稿的版本号（version），以免覆盖他人的修改");
        return false;
    }
    if (str_to_i64(s, v) != CX_OK || *v <= 0) {
        req_failf(r, 400, "invalid_version", "version", "版本号（version）应为正整数");
        return false;
    }
    return true;
}

static void answer_bulletin(req *r, int64_t id, int status)
{
    if (!req_is_api(r)) {
        req_redirect(r, "/bulletins/%" PRId64, id);
        return;
    }
    bulletin *b = req_keep(r, xmalloc(sizeof *b));
    if (!req_found(r, bulletin_get(r->db, id, b), "id", "通报")) return;
    req_keep(r, b->sections);
    cJSON *j = json_head(b);
    cJSON *s = cJSON_Parse(b->sections);
    cJSON_AddItemToObject(j, "sections", s ? s : cJSON_CreateArray());
    cJSON_AddItemToObject(req_data(r), "bulletin", j);
    r->status = status;
}

void h_bulletin_create(req *r)
{
    int64_t id, nid = 0;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_OFFICE, &o)) return;
    if (!o.active) {
        req_failf(r, 409, "org_inactive", "id", "该组织已停用，不能发通报");
        return;
    }
    bulletin_ok ok;
    cx_err e = {0};
    if (!read_checked(r, &ok)) return;
    int rc = bulletin_create(r->db, &r->who, &o, &ok, 0, &nid, &e);
    bulletin_ok_free(&ok);
    if (rc != CX_OK) req_fail(r, &e);
    else answer_bulletin(r, nid, 201);
}

void h_bulletin_update(req *r)
{
    bulletin *b = req_bulletin(r, true);
    int64_t version;
    if (!b || !read_version(r, true, &version)) return;
    bulletin_ok ok;
    cx_err e = {0};
    if (!read_checked(r, &ok)) return;
    int rc = bulletin_update(r->db, &r->who, b->id, version, &ok, &e);
    bulletin_ok_free(&ok);
    if (rc != CX_OK) req_fail(r, &e);
    else answer_bulletin(r, b->id, 200);
}

void h_bulletin_delete(req *r)
{
    bulletin *b = req_bulletin(r, true);
    int64_t version;
    if (!b || !read_version(r, false, &version)) return;
    cx_err e = {0};
    if (bulletin_delete(r->db, &r->who, b->id, version, &e) != CX_OK) req_fail(r, &e);
    else if (!req_is_api(r)) req_redirect(r, "/orgs/%" PRId64 "/bulletins", b->org_id);
    else cJSON_AddBoolToObject(req_data(r), "deleted", true);
}

void h_bulletin_publish(req *r)
{
    bulletin *b = req_bulletin(r, true);
    int64_t version;
    if (!b || !read_version(r, false, &version)) return;
    cx_err e = {0};
    char today[11];
    date_today(today);
    if (bulletin_publish(r->db, &r->who, b->id, version, today, &e) != CX_OK) req_fail(r, &e);
    else answer_bulletin(r, b->id, 200);
}

void h_bulletin_correct(req *r)
{
    bulletin *b = req_bulletin(r, true);
    if (!b) return;
    int64_t nid = 0;
    cx_err e = {0};
    if (bulletin_correct(r->db, &r->who, b->id, &nid, &e) != CX_OK) req_fail(r, &e);
    else answer_bulletin(r, nid, 201);
}

void h_bulletin_prefix(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_OFFICE, &o)) return;
    cx_err e = {0};
    if (bulletin_prefix_set(r->db, &r->who, o.id, req_in(r, "prefix"), &e) != CX_OK) req_fail(r, &e);
    else if (!req_is_api(r)) req_redirect(r, "/orgs/%" PRId64 "/bulletins", o.id);
    else cJSON_AddStringToObject(req_data(r), "prefix", req_in(r, "prefix"));
}

/* ---- lists ---- */

static int add_head(void *ctx, const bulletin *b)
{
    cJSON_AddItemToArray(ctx, json_head(b));
    return 0;
}

/* One page of q into d.bulletins with its paging; false when the request failed. */
static bool list_page(req *r, cJSON *d, bulletin_query *q)
{
    pager pg;
    if (!pager_read(r, 20, 100, &pg)) return false;
    int64_t total = 0;
    if (bulletin_count(r->db, q, &total) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取通报失败");
        return false;
    }
    pager_set_total(&pg, total);
    q->offset = pager_offset(&pg);
    q->limit = pg.per_page;
    if (bulletin_list(r->db, q, add_head, cJSON_AddArrayToObject(d, "bulletins")) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取通报失败");
        return false;
    }
    pager_json(r, d, &pg);
    return true;
}

void h_bulletin_list(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id)) return;
    int f = org_get(r->db, id, &o);
    /* the users of the office's subtree (and above) read its bulletins */
    if (f != 1 || !perm_may_see_area(&r->user, o.path)) {
        if (f == CX_ERR) req_failf(r, 500, "db_error", "", "数据库错误");
        else req_failf(r, 404, "not_found", "id", "组织不存在或不在您的查看范围内");
        return;
    }
    bool compose = perm_may_compose_bulletin(&r->user, o.path);
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "通报");
    cJSON_AddItemToObject(d, "org", json_org(&o));
    cJSON_AddBoolToObject(d, "can_compose", compose && o.active);
    bulletin_query q = {.office_id = o.id, .with_drafts = compose};
    if (!list_page(r, d, &q)) return;
    if (!compose) return;
    char prefix[BULLETIN_PREFIX_MAX * 4 + 1], today[11], q0[16], q1[16];
    if (bulletin_prefix_get(r->db, o.id, prefix, sizeof prefix) == CX_ERR) {
        req_failf(r, 500, "db_error", "", "数据库错误");
        return;
    }
    cJSON_AddStringToObject(d, "prefix", prefix);
    date_today(today);
    int now_q = period_quarter(today);
    quarter_text(now_q / 10 * 10 + 1, q0), quarter_text(now_q, q1);
    cJSON *v = cJSON_AddObjectToObject(d, "values");
    cJSON_AddStringToObject(v, "from", q0);
    cJSON_AddStringToObject(v, "to", q1);
    cJSON_AddItemToObject(d, "kinds", json_kinds(NULL, ""));
}

/* ---- export ---- */

void h_bulletin_export(req *r)
{
    bulletin *b = req_bulletin(r, false);
    if (!b) return;
    cJSON *sections = json_sections(r, b);
    if (!sections) {
        req_failf(r, 500, "db_error", "", "生成通报数字失败");
        return;
    }
    static const char *const heads[] = {"栏目", "说明"};
    xlsx_export xe;
    lxw_worksheet *ws = export_open(r, &xe, "通报", heads, 2);
    if (!ws) {
        cJSON_Delete(sections);
        return;
    }
    lxw_row_t row = 1;
    char top[600];
    snprintf(top, sizeof top, "%s %s", b->published ? b->number_text : "（草稿）", b->title);
    worksheet_write_string(ws, row++, 0, top, xe.bold);
    const cJSON *sec;
    cJSON_ArrayForEach(sec, sections)
    {
        row++;
        const cJSON *fig = cJSON_GetObjectItemCaseSensitive(sec, "figures");
        worksheet_write_string(ws, row, 0, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sec, "title")) ?: "", xe.bold);
        worksheet_write_string(ws, row++, 1, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sec, "note")) ?: "", NULL);
        const char *cap = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(fig, "caption"));
        if (cap) worksheet_write_string(ws, row++, 0, cap, NULL);
        const cJSON *c, *rw;
        lxw_col_t col = 0;
        cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(fig, "head")) worksheet_write_string(ws, row, col++, c->valuestring ?: "", xe.bold);
        if (col) row++;
        cJSON_ArrayForEach(rw, cJSON_GetObjectItemCaseSensitive(fig, "rows"))
        {
            col = 0;
            cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(rw, "cells")) worksheet_write_string(ws, row, col++, c->valuestring ?: "", NULL);
            row++;
        }
    }
    cJSON_Delete(sections);
    worksheet_set_column(ws, 0, 1, 24, NULL);
    char name[700], after[64];
    snprintf(name, sizeof name, "%s-%s.xlsx", b->org_name, b->published ? b->number_text : "通报草稿");
    snprintf(after, sizeof after, "{\"format\":\"xlsx\",\"bulletin\":%" PRId64 "}", b->id);
    export_close(r, &xe, CX_OK, name, "bulletin", b->id, b->org_id, after);
}

/* ---- public ---- */

void h_public_bulletins(req *r)
{
    int64_t n = 0, last = 0;
    if (db_i64(r->db, &n, 0, "SELECT count(*) FROM bulletin WHERE visibility = 'public' AND status = 'published'", "") != CX_OK ||
        db_i64(r->db, &last, 0, "SELECT coalesce(max(id), 0) FROM bulletin WHERE visibility = 'public' AND status = 'published'", "") != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取通报失败");
        return;
    }
    /* a published bulletin never changes: the count and the newest id say what the list shows */
    char etag[64];
    snprintf(etag, sizeof etag, "\"bulletins-%" PRId64 "-%" PRId64 "\"", n, last);
    if (public_not_modified(r, etag)) return;
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "通报");
    bulletin_query q = {.public_only = true};
    list_page(r, d, &q);
}

/* 评议结果在一定范围内通报: on the public page the members named for unjustified misses (点名) show
 * masked (张**); the organisations stay named, and the bulletin itself (its hash, its print for
 * the subtree) is unchanged. */
static void mask_named(cJSON *sections)
{
    cJSON *sec;
    cJSON_ArrayForEach(sec, sections)
    {
        if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sec, "kind")) ?: "", "named")) continue;
        cJSON *row;
        cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(sec, "figures"), "rows"))
        {
            cJSON *who = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(row, "cells"), 1);
            const char *name = cJSON_GetStringValue(who);
            if (!name || !*name || !strcmp(name, "（组织承诺）")) continue; /* an organisation's own pledge */
            char m[64];
            text_mask(name, false, m, sizeof m);
            cJSON_SetValuestring(who, m);
        }
    }
}

void h_public_bulletin(req *r)
{
    bulletin *b = req_bulletin(r, false);
    if (!b) return;
    if (!b->published || !b->is_public) {
        req_failf(r, 404, "not_found", "id", "通报不存在或未向社会公开");
        return;
    }
    /* frozen once published; only a correction published later changes the page */
    int64_t nc = 0;
    if (db_i64(r->db, &nc, 0, "SELECT count(*) FROM bulletin WHERE corrects_id = ? AND status = 'published'", "i", b->id) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取通报失败");
        return;
    }
    char etag[64];
    snprintf(etag, sizeof etag, "\"bulletin-%" PRId64 "-%.16s-%" PRId64 "\"", b->id, b->content_hash, nc);
    if (public_not_modified(r, etag)) return;
    show_bulletin(r, b);
    cJSON_AddBoolToObject(req_data(r), "public_page", true);
    cJSON *j = cJSON_GetObjectItemCaseSensitive(req_data(r), "bulletin");
    mask_named(cJSON_GetObjectItemCaseSensitive(j, "sections"));
    /* a correction for the subtree only is not named to the public */
    cJSON *corr = cJSON_GetObjectItemCaseSensitive(j, "corrected_by");
    for (int i = cJSON_GetArraySize(corr) - 1; i >= 0; i--)
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(corr, i), "public"))) cJSON_DeleteItemFromArray(corr, i);
}
