/* feedback.c: opinions, suggestions, complaints and reports (意见、建议、投诉、举报), pages and
 * JSON API. Public, no login: the forms (general, or about a member's card, an organisation's
 * board or a service window); tracking by code and the published replies are feedback_track.c.
 * Staff: entry of what came by hotline, mailbox, letter or reception day; an organisation's list
 * (open, new, due within 3 working days, overdue; per child organisation; XLSX); an item's page
 * with triage (classify, assign, merge), reply, publication and the sender's identity (audited);
 * the per-kind due days (the workday calendar is calendar.c).
 * Who sees what is feedback_visible (feedback.h): a 举报 only its discipline handler, a 投诉
 * about someone the level above the accused (never the accused), its sender only the handler. A
 * hidden item answers exactly like a missing one. */
#include "web.h"
#include "../domain/date.h"
#include "../lib/code.h"
#include "../lib/xlsxout.h"
#include "../store/rating.h"
#include "../store/feedback.h"
#include "../store/limit.h"
#include "../store/calendar.h"
#include "pager.h"
#include <arpa/inet.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define SUBMITS 30        /* public submissions per address and hour */
#define NOT_FOUND "该事项不存在或不在您的管理范围内"

/* ---- small helpers ---- */

/* The path of the user's own member organisation ("" when the account is not a member): reports
 * about that organisation's subtree are hidden from the user. */
const char *viewer_path(req *r)
{
    char *p = req_keep(r, xcalloc(1, CX_PATH_MAX));
    member *m = xmalloc(sizeof *m);
    if (r->user.member_id && member_get(r->db, r->user.member_id, m) == 1) snprintf(p, CX_PATH_MAX, "%s", m->org_path);
    free(m);
    return p;
}

/* Today and the last day of the reminder window (3 working days on) over the effective calendar. */
static bool dates(req *r, char today[11], char soon[11])
{
    if (feedback_soon(r->db, today, soon) == CX_OK) return true;
    req_failf(r, 500, "db_error", "", "读取工作日历失败");
    return false;
}

static bool is_open(const feedback *f) { return f->status == FS_NEW || f->status == FS_ASSIGNED; }

/* The item for staff. Sender's name and contact only as masks. */
static cJSON *json_item(const feedback *f, const char *today, const char *soon)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", f->id);
    cJSON_AddStringToObject(j, "kind", feedback_kind_name(f->kind));
    cJSON_AddStringToObject(j, "kind_label", feedback_kind_label(f->kind));
    cJSON_AddBoolToObject(j, "is_report", f->kind == FK_REPORT);
    cJSON_AddStringToObject(j, "channel", feedback_channel_name(f->channel));
    cJSON_AddStringToObject(j, "channel_label", feedback_channel_label(f->channel));
    cJSON_AddStringToObject(j, "status", feedback_status_name(f->status));
    cJSON_AddStringToObject(j, "status_label", feedback_status_label(f->status));
    json_add_i64(j, "org_id", f->org_id);
    cJSON_AddStringToObject(j, "org_name", f->org_name);
    if (f->about_kind[0]) {
        cJSON *a = cJSON_AddObjectToObject(j, "about");
        cJSON_AddStringToObject(a, "kind", f->about_kind);
        cJSON_AddStringToObject(a, "kind_label", !strcmp(f->about_kind, "member") ? "党员" : !strcmp(f->about_kind, "window") ? "服务窗口" : "党组织");
        json_add_i64(a, "id", f->about_id);
        cJSON_AddStringToObject(a, "name", f->about_name);
        json_add_i64(a, "org_id", f->about_org_id);
        cJSON_AddStringToObject(a, "org_name", f->about_org_name);
    }
    if (f->category_id) {
        json_add_i64(j, "category_id", f->category_id);
        cJSON_AddStringToObject(j, "category", f->category);
    }
    cJSON_AddStringToObject(j, "text", f->text);
    char ex[200];
    size_t n = 0, k = 0;
    for (const char *p = f->text; *p && n < sizeof ex - 8; p++) { /* the first 40 characters */
        if ((*p & 0xC0) != 0x80 && ++k > 40) break;
        ex[n++] = *p == '\n' || *p == '\r' ? ' ' : *p;
    }
    snprintf(ex + n, sizeof ex - n, "%s", f->text[n] ? "…" : "");
    cJSON_AddStringToObject(j, "excerpt", ex);
    cJSON_AddStringToObject(j, "received_date", f->received_date);
    json_add_i64(j, "due_days", f->due_days);
    cJSON_AddStringToObject(j, "due_date", f->due_date);
    bool open = is_open(f);
    cJSON_AddBoolToObject(j, "overdue", open && strcmp(f->due_date, today) < 0);
    cJSON_AddBoolToObject(j, "due_soon", open && strcmp(f->due_date, today) >= 0 && strcmp(f->due_date, soon) <= 0);
    cJSON *s = cJSON_AddObjectToObject(j, "sender");
    cJSON_AddStringToObject(s, "name", f->name_mask);
    cJSON_AddStringToObject(s, "contact", f->contact_mask);
    cJSON_AddBoolToObject(s, "anonymous", !f->has_name && !f->has_contact);
    if (f->merged_into) json_add_i64(j, "merged_into", f->merged_into);
    if (f->note[0]) cJSON_AddStringToObject(j, "note", f->note);
    if (f->status == FS_REPLIED) {
        cJSON_AddStringToObject(j, "reply", f->reply);
        cJSON_AddStringToObject(j, "replied_date", f->replied_date);
        cJSON_AddBoolToObject(j, "published", f->published);
        if (f->public_summary[0]) cJSON_AddStringToObject(j, "public_summary", f->public_summary);
    }
    return j;
}

/* Loads item :id if the user may see it; the same 404 as a missing item otherwise. */
static bool req_item(req *r, feedback *f, const char **vmp)
{
    int64_t id;
    if (!req_id(r, 0, &id)) return false;
    int g = feedback_get(r->db, id, f);
    if (g == CX_ERR) {
        req_failf(r, 500, "db_error", "", "数据库错误");
        return false;
    }
    *vmp = viewer_path(r);
    if (g != 1 || !feedback_visible(&r->user, *vmp, f)) {
        req_failf(r, 404, "not_found", "id", NOT_FOUND);
        return false;
    }
    return true;
}

static void add_option(cJSON *arr, const char *value, const char *label, bool selected)
{
    cJSON *x = cJSON_CreateObject();
    cJSON_AddStringToObject(x, "value", value);
    cJSON_AddStringToObject(x, "label", label);
    cJSON_AddBoolToObject(x, "selected", selected);
    cJSON_AddItemToArray(arr, x);
}

static void kinds_into(cJSON *d, const char *key, bool with_report, const char *chosen)
{
    cJSON *k = cJSON_AddArrayToObject(d, key);
    for (int i = 0; i < FK_N; i++)
        if (i != FK_REPORT || with_report) add_option(k, feedback_kind_name(i), feedback_kind_label(i), chosen && !strcmp(chosen, feedback_kind_name(i)));
}

/* ---- the staff list of an organisation's subtree ---- */

typedef struct list_ctx {
    req *r;
    cJSON *arr;
    const char *today, *soon;
} list_ctx;

static int add_item(void *ctx, const feedback *f)
{
    list_ctx *c = ctx;
    cJSON_AddItemToArray(c->arr, json_item(f, c->today, c->soon));
    return 0;
}

typedef struct child_ctx {
    req *r;
    feedback_query q;
    cJSON *arr;
    int rc;
} child_ctx;

/* Per direct child: its open and overdue items (the parent sees its children's backlog). */
static int add_child_counts(void *ctx, const org *o, int64_t nchildren, int64_t nmembers)
{
    child_ctx *c = ctx;
    feedback_query q = c->q;
    q.root = o;
    int64_t open = 0, overdue = 0;
    q.view = FV_OPEN;
    if (feedback_count(c->r->db, &q, &open) != CX_OK) return c->rc = CX_ERR, 1;
    q.view = FV_OVERDUE;
    if (feedback_count(c->r->db, &q, &overdue) != CX_OK) return c->rc = CX_ERR, 1;
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "org_id", o->id);
    cJSON_AddStringToObject(x, "org_name", o->name);
    json_add_i64(x, "open", open);
    json_add_i64(x, "overdue", overdue);
    cJSON_AddItemToArray(c->arr, x);
    return 0;
}

static void export_items(req *r, const feedback_query *q, const org *o);

/* Reads page and per_page (1..500) as offset and limit. */
static bool paging(req *r, int64_t *offset, int64_t *limit)
{
    pager pg;
    if (!pager_read(r, 50, 500, &pg)) return false;
    *offset = pager_offset(&pg);
    *limit = pg.per_page;
    return true;
}

static void settings_into(req *r, cJSON *d, const org *o)
{
    int days[FK_N];
    int64_t from[FK_N];
    if (feedback_due_days(r->db, o, days, from) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取办理时限失败");
        return;
    }
    cJSON *s = cJSON_AddArrayToObject(d, "settings");
    for (int k = 0; k < FK_N; k++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "kind", feedback_kind_name(k));
        cJSON_AddStringToObject(x, "kind_label", feedback_kind_label(k));
        json_add_i64(x, "due_days", days[k]);
        cJSON_AddBoolToObject(x, "default", from[k] == 0);
        cJSON_AddBoolToObject(x, "here", from[k] == o->id);
        cJSON_AddItemToArray(s, x);
    }
}

void h_org_feedback(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_STAFF, &o)) return;
    char today[11], soon[11];
    if (!dates(r, today, soon)) return;
    feedback_query q = {.root = &o, .see_normal = perm_sees_feedback(&r->user, o.path, false),
                        .see_reports = perm_sees_feedback(&r->user, o.path, true), .viewer_member_path = viewer_path(r),
                        .kind = -1, .status = -1, .today = today, .soon = soon};
    const char *vs = req_query(r, "view"), *ks = req_query(r, "kind"), *ss = req_query(r, "status");
    q.view = vs && *vs ? feedback_view_from(vs) : FV_ALL;
    if (q.view < 0) {
        req_failf(r, 400, "invalid_query", "view", "参数 view 应为 all、open、new、reminders、overdue 或 replied");
        return;
    }
    if (ks && *ks && (q.kind = feedback_kind_from(ks)) < 0) {
        req_failf(r, 400, "invalid_query", "kind", "参数 kind 应为 opinion、suggestion、complaint 或 report");
        return;
    }
    if (ss && *ss && (q.status = feedback_status_from(ss)) < 0) {
        req_failf(r, 400, "invalid_query", "status", "参数 status 应为 new、assigned、replied 或 merged");
        return;
    }
    if (!paging(r, &q.offset, &q.limit)) return;
    const char *fmt = req_query(r, "format");
    if (fmt && !strcmp(fmt, "xlsx")) {
        export_items(r, &q, &o);
        return;
    }
    if (fmt && *fmt) {
        req_failf(r, 400, "invalid_format", "format", "导出格式只支持 xlsx");
        return;
    }
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "意见建议与投诉");
    cJSON_AddItemToObject(d, "org", json_org(&o));
    cJSON_AddStringToObject(d, "today", today);
    cJSON_AddStringToObject(d, "soon", soon);
    /* the numbers of each view, for the tabs */
    cJSON *counts = cJSON_AddObjectToObject(d, "counts");
    cJSON *views = cJSON_AddArrayToObject(d, "views");
    static const char *const view_labels[FV_N] = {"全部", "未办结", "待分办", "3 个工作日内到期", "已逾期", "已答复"};
    for (int v = 0; v < FV_N; v++) {
        feedback_query c = q;
        c.view = v;
        int64_t n = 0;
        if (feedback_count(r->db, &c, &n) != CX_OK) {
            req_failf(r, 500, "db_error", "", "读取事项失败");
            return;
        }
        json_add_i64(counts, feedback_view_name(v), n);
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "value", feedback_view_name(v));
        cJSON_AddStringToObject(x, "label", view_labels[v]);
        json_add_i64(x, "n", n);
        cJSON_AddBoolToObject(x, "current", v == q.view);
        cJSON_AddItemToArray(views, x);
    }
    cJSON *f = cJSON_AddObjectToObject(d, "filter");
    cJSON_AddStringToObject(f, "view", feedback_view_name(q.view));
    cJSON_AddStringToObject(f, "kind", q.kind >= 0 ? feedback_kind_name(q.kind) : "");
    kinds_into(d, "kinds", q.see_reports, q.kind >= 0 ? feedback_kind_name(q.kind) : NULL);
    int64_t total = -1;
    list_ctx lc = {r, cJSON_AddArrayToObject(d, "items"), today, soon};
    pager pg = {.page = q.offset / q.limit + 1, .per_page = q.limit};
    if (feedback_count(r->db, &q, &total) == CX_OK) {
        pager_set_total(&pg, total);
        q.offset = pager_offset(&pg);
    }
    if (total < 0 || feedback_list(r->db, &q, add_item, &lc) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取事项失败");
        return;
    }
    pager_json(r, d, &pg);
    child_ctx cc = {r, q, cJSON_AddArrayToObject(d, "children"), CX_OK};
    if (org_children_plain(r->db, o.id, false, add_child_counts, &cc) != CX_OK || cc.rc != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取下级组织失败");
        return;
    }
    settings_into(r, d, &o);
    cJSON_AddBoolToObject(d, "can_settings", perm_allows(&r->user, ROLE_OFFICE, o.path));
    cJSON_AddBoolToObject(d, "can_enter", perm_allows(&r->user, ROLE_CASEWORK, o.path));
}

/* One row per item, straight from the list; no names or contacts. */
typedef struct xrow {
    lxw_worksheet *ws;
    lxw_row_t row;
    const char *today;
} xrow;

static int export_row(void *ctx, const feedback *f)
{
    xrow *x = ctx;
    bool overdue = is_open(f) && strcmp(f->due_date, x->today) < 0;
    const char *v[] = {feedback_kind_label(f->kind), f->category, feedback_status_label(f->status), feedback_channel_label(f->channel),
                       f->received_date, f->due_date, f->replied_date, f->org_name, f->about_name, overdue ? "逾期" : "", f->text, f->reply};
    for (size_t c = 0; c < sizeof v / sizeof v[0]; c++) worksheet_write_string(x->ws, x->row, (lxw_col_t)c, v[c], NULL);
    worksheet_write_number(x->ws, x->row, (lxw_col_t)(sizeof v / sizeof v[0]), (double)f->id, NULL);
    x->row++;
    return 0;
}

static void export_items(req *r, const feedback_query *q0, const org *o)
{
    feedback_query q = *q0;
    q.offset = 0;
    q.limit = 0;
    static const char *const heads[] = {"类别", "分类", "状态", "来源", "收到日期", "办理时限", "答复日期", "责任组织", "反映对象",
                                        "逾期", "内容", "答复", "编号"};
    xlsx_export xe;
    xrow x = {.ws = export_open(r, &xe, "意见建议与投诉", heads, sizeof heads / sizeof heads[0]), .row = 1, .today = q.today};
    if (!x.ws) return;
    worksheet_set_column(x.ws, 10, 11, 40, NULL);
    int rc = feedback_list(r->db, &q, export_row, &x);
    char name[400];
    snprintf(name, sizeof name, "%s-意见建议与投诉.xlsx", o->name);
    /* an export that may hold reports is filed under no organisation, like the reports themselves */
    export_close(r, &xe, rc, name, q.see_reports ? "report" : "feedback", o->id, q.see_reports ? 0 : o->id, NULL);
}

/* ---- settings ---- */

void h_feedback_settings(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_OFFICE, &o)) return;
    cx_err e = {0};
    feedback_setting_ok set;
    if (feedback_setting_check(req_in(r, "kind"), req_in(r, "due_days"), &set, &e) != CX_OK ||
        feedback_setting_set(r->db, &r->who, id, &set, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (!req_is_api(r)) {
        req_redirect(r, "/orgs/%" PRId64 "/feedback", id);
        return;
    }
    cJSON *d = req_data(r);
    cJSON_AddItemToObject(d, "org", json_org(&o));
    settings_into(r, d, &o);
}

/* ---- one item ---- */

static int add_category(void *ctx, int64_t id, const char *name)
{
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "id", id);
    cJSON_AddStringToObject(x, "name", name);
    cJSON_AddItemToArray(ctx, x);
    return 0;
}

typedef struct assign_ctx {
    req *r;
    const feedback *f;
    cJSON *arr;
} assign_ctx;

/* An organisation the item may be assigned to by this user: in reach (office, or for a report
 * discipline) and, for a report or a complaint about someone, a strict ancestor of the accused's
 * organisation. */
static int add_target(void *ctx, const org *o, int64_t nchildren, int64_t nmembers)
{
    assign_ctx *c = ctx;
    bool report = c->f->kind == FK_REPORT;
    if (!o->active || !perm_may_assign_feedback_to(&c->r->user, o->path, report)) return 0;
    /* a report or a complaint about someone: only above the accused's organisation */
    if (feedback_has_accused(c->f) && (!path_in_subtree(c->f->about_org_path, o->path) || !strcmp(o->path, c->f->about_org_path))) return 0;
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "id", o->id);
    cJSON_AddStringToObject(x, "name", o->name);
    cJSON_AddBoolToObject(x, "current", o->id == c->f->org_id);
    cJSON_AddItemToArray(c->arr, x);
    return 0;
}

/* The history of an item from the audit log: when, who, what (staff only; reports: the handler). */
static void history_into(req *r, const feedback *f, cJSON *d)
{
    /* who: the account's display name (the audit log itself keeps the login name) */
    db_stmt *s = db_prepare(r->db, "SELECT a.ts, coalesce(nullif(u.display_name, ''), a.actor), a.action FROM audit_log a "
                                   "LEFT JOIN app_user u ON u.id = a.actor_id AND a.actor_id <> 0 "
                                   "WHERE a.entity = ? AND a.entity_id = ? ORDER BY a.ts, a.seq");
    cJSON *arr = cJSON_AddArrayToObject(d, "history");
    if (!s) return;
    db_bind_text(s, 1, f->kind == FK_REPORT ? "report" : "feedback");
    db_bind_i64(s, 2, f->id);
    static const struct { const char *action, *label; } labels[] = {
        {"create", "登记"}, {"classify", "分类"}, {"assign", "交办"}, {"merge", "合并"}, {"reply", "答复"},
        {"publish", "公开答复"}, {"unpublish", "撤回公开"}, {"reveal", "查看反映人信息"}};
    while (db_step(s) == DB_ROW) {
        cJSON *x = cJSON_CreateObject();
        char when[32];
        time_text(db_col_i64(s, 0), false, when);
        cJSON_AddStringToObject(x, "time", when);
        cJSON_AddStringToObject(x, "actor", db_col_text(s, 1));
        const char *a = db_col_text(s, 2), *label = a;
        for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
            if (!strcmp(labels[i].action, a)) label = labels[i].label;
        cJSON_AddStringToObject(x, "action", label);
        cJSON_AddItemToArray(arr, x);
    }
    db_done(s);
}

/* ---- merge candidates: the items an item may be merged into, to pick from a list ---- */

#define CANDIDATES_ON_PAGE 20

typedef struct cand_ctx {
    cJSON *arr;
    const feedback *like;
    const char *today, *soon;
} cand_ctx;

static int add_candidate(void *ctx, const feedback *k)
{
    cand_ctx *c = ctx;
    cJSON *j = json_item(k, c->today, c->soon);
    cJSON_AddBoolToObject(j, "same_target", c->like->about_kind[0] && !strcmp(k->about_kind, c->like->about_kind) && k->about_id == c->like->about_id);
    cJSON_AddBoolToObject(j, "same_category", c->like->category_id && k->category_id == c->like->category_id);
    cJSON_AddItemToArray(c->arr, j);
    return 0;
}

/* One page of the items open item f may be merged into, from the subtree where the user triages
 * it (perm_feedback_triage_root), by feedback_merge's rules, under the visibility rule of lists:
 * d.candidates, and pg's total. False after failing the request. */
static bool candidates_into(req *r, const feedback *f, const char *vmp, cJSON *d, pager *pg)
{
    char today[11], soon[11];
    if (!dates(r, today, soon)) return false;
    org *root = req_keep(r, xmalloc(sizeof *root));
    const grant *g = perm_feedback_triage_root(&r->user, f->org_path, f->kind == FK_REPORT);
    cand_ctx c = {cJSON_AddArrayToObject(d, "candidates"), f, today, soon};
    if (!g) return pager_set_total(pg, 0), true;
    feedback_query q = {.root = root, .see_normal = f->kind != FK_REPORT, .see_reports = f->kind == FK_REPORT, .viewer_member_path = vmp,
                        .view = FV_ALL, .kind = -1, .status = -1, .today = today, .soon = soon, .like = f};
    int64_t total = 0;
    if (org_get(r->db, g->org_id, root) != 1 || feedback_count(r->db, &q, &total) != CX_OK) goto fail;
    pager_set_total(pg, total);
    q.offset = pager_offset(pg);
    q.limit = pg->per_page;
    if (feedback_list(r->db, &q, add_candidate, &c) == CX_OK) return true;
fail:
    req_failf(r, 500, "db_error", "", "读取可合并的事项失败");
    return false;
}

static bool can_publish(const principal *p, const char *vmp, const feedback *f);
static bool can_reveal(const principal *p, const char *vmp, const feedback *f);

/* The item page's data: the item, files, history and what this user may do. */
static void item_data(req *r, const feedback *f, const char *vmp)
{
    char today[11], soon[11];
    if (!dates(r, today, soon)) return;
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", feedback_kind_label(f->kind));
    cJSON *j = json_item(f, today, soon);
    cJSON *files = cJSON_AddArrayToObject(j, "files");
    feedback_files(r->db, f->id, add_attachment, files);
    cJSON_AddItemToObject(d, "item", j);
    history_into(r, f, d);
    bool triage = feedback_can_triage(&r->user, vmp, f), open = is_open(f);
    cJSON *can = cJSON_AddObjectToObject(d, "can");
    cJSON_AddBoolToObject(can, "classify", triage && f->status != FS_MERGED);
    cJSON_AddBoolToObject(can, "assign", triage && open);
    cJSON_AddBoolToObject(can, "merge", triage && open);
    cJSON_AddBoolToObject(can, "reply", open && feedback_can_reply(&r->user, vmp, f));
    cJSON_AddBoolToObject(can, "publish", f->status == FS_REPLIED && can_publish(&r->user, vmp, f));
    cJSON_AddBoolToObject(can, "reveal", (f->has_name || f->has_contact) && can_reveal(&r->user, vmp, f));
    cJSON_AddBoolToObject(can, "publish_option", f->kind != FK_REPORT);
    /* a problem found becomes a rectification item of the responsible organisation (never a
     * 举报: its item would be seen by those who must not know of it) */
    cJSON_AddBoolToObject(can, "rectify", f->status != FS_MERGED && perm_may_publish_feedback(&r->user, f->org_path, f->kind == FK_REPORT));
    if (triage && f->status != FS_MERGED) {
        cJSON *cats = cJSON_AddArrayToObject(d, "categories");
        feedback_categories(r->db, add_category, cats);
        cJSON *c;
        cJSON_ArrayForEach(c, cats) cJSON_AddBoolToObject(c, "selected", json_get_i64(c, "id") == f->category_id);
    }
    if (triage && open) {
        /* where it may go: the about-organisation's line up to the user's reach, and the current
         * organisation's children */
        assign_ctx ac = {r, f, cJSON_AddArrayToObject(d, "assign_to")};
        org about, cur;
        if (org_get(r->db, f->about_org_id, &about) == 1) {
            org_ancestors(r->db, &about, add_target, &ac);
            add_target(&ac, &about, 0, 0);
        }
        if (!feedback_has_accused(f) && f->org_id != f->about_org_id && org_get(r->db, f->org_id, &cur) == 1) add_target(&ac, &cur, 0, 0);
        if (!feedback_has_accused(f)) org_children_plain(r->db, f->org_id, false, add_target, &ac);
        /* merge: the page lists the candidates to pick from, the nearest first, paged (the API
         * has its own route for them) */
        pager pg;
        if (!req_is_api(r) && (!pager_read(r, CANDIDATES_ON_PAGE, CANDIDATES_ON_PAGE, &pg) || !candidates_into(r, f, vmp, d, &pg))) return;
        if (!req_is_api(r)) pager_json(r, d, &pg);
    }
}

void h_feedback(req *r)
{
    feedback *f = req_keep(r, xmalloc(sizeof *f));
    const char *vmp;
    if (!req_item(r, f, &vmp)) return;
    item_data(r, f, vmp);
}

/* An action on item :id. acting loads it and checks that the user may take the action (can):
 * hidden → the 404 of a missing item; visible but not allowed → 403 (the page shows the item
 * with the message). acted ends it: the page goes back to the item, the API answers with it; a
 * refusal shows as acting's. */
typedef bool (*can_fn)(const principal *p, const char *vmp, const feedback *f);
typedef struct act {
    feedback *f;
    const char *vmp;
    cx_err e;
} act;

static bool acting(req *r, act *a, can_fn can, const char *refusal)
{
    a->f = req_keep(r, xmalloc(2 * sizeof *a->f)); /* room for a second item (merge) */
    memset(&a->e, 0, sizeof a->e);
    if (!req_item(r, a->f, &a->vmp)) return false;
    if (can(&r->user, a->vmp, a->f)) return true;
    cx_fail(&a->e, 403, "forbidden", "", "%s", refusal);
    req_fail(r, &a->e);
    return false;
}

static void acted(req *r, act *a, int rc)
{
    if (rc != CX_OK) {
        req_fail(r, &a->e); /* a page: the item again, the form filled (response.c, redisplay) */
        return;
    }
    if (!req_is_api(r)) {
        req_redirect(r, "/feedback/%" PRId64, a->f->id);
        return;
    }
    char today[11], soon[11];
    if (feedback_get(r->db, a->f->id, a->f) != 1 || !dates(r, today, soon)) {
        if (!r->failed) req_failf(r, 500, "db_error", "", "读取事项失败");
        return;
    }
    cJSON_AddItemToObject(req_data(r), "item", json_item(a->f, today, soon));
}

/* Publication: the office or the responsible organisation's secretary (a report is never
 * published). The sender's identity: feedback_can_reveal. */
static bool can_publish(const principal *p, const char *vmp, const feedback *f)
{
    return feedback_visible(p, vmp, f) && perm_may_publish_feedback(p, f->org_path, f->kind == FK_REPORT);
}

static bool can_reveal(const principal *p, const char *vmp, const feedback *f) { return feedback_can_reveal(p, vmp, f); }

void h_feedback_classify(req *r)
{
    act a;
    if (!acting(r, &a, feedback_can_triage, "只有活动办公室可以分类")) return;
    feedback_classify_ok c;
    if (feedback_classify_check(req_in(r, "category_id"), req_in(r, "note"), &c, &a.e) != CX_OK) acted(r, &a, CX_ERR);
    else acted(r, &a, feedback_classify(r->db, &r->who, a.f->id, &c, &a.e));
}

/* The organisation an item goes to must be within the user's reach: an office (for a report,
 * discipline) over it; 404 on org_id otherwise, as if it did not exist. */
static bool reachable(req *r, act *a, int64_t to)
{
    org o;
    if (org_get(r->db, to, &o) == 1 && perm_may_assign_feedback_to(&r->user, o.path, a->f->kind == FK_REPORT)) return true;
    cx_fail(&a->e, 404, "not_found", "org_id", "党组织不存在、已停用或不在您的管理范围内");
    return false;
}

void h_feedback_assign(req *r)
{
    act a;
    if (!acting(r, &a, feedback_can_triage, "只有活动办公室可以交办")) return;
    int64_t to = 0;
    feedback_note_ok note;
    if (feedback_org_check(req_in(r, "org_id"), &to, &a.e) != CX_OK || !reachable(r, &a, to) || feedback_note_check(req_in(r, "note"), &note, &a.e) != CX_OK)
        acted(r, &a, CX_ERR);
    else acted(r, &a, feedback_assign(r->db, &r->who, a.f->id, to, &note, &a.e));
}

/* Classify and assign in one step (one form, one transaction). */
void h_feedback_triage(req *r)
{
    act a;
    if (!acting(r, &a, feedback_can_triage, "只有活动办公室可以分类和交办")) return;
    feedback_triage_ok t;
    if (feedback_triage_check(req_in(r, "category_id"), req_in(r, "org_id"), req_in(r, "note"), &t, &a.e) != CX_OK || !reachable(r, &a, t.org_id))
        acted(r, &a, CX_ERR);
    else acted(r, &a, feedback_triage(r->db, &r->who, a.f->id, &t, &a.e));
}

void h_feedback_merge_candidates(req *r)
{
    act a;
    if (!acting(r, &a, feedback_can_triage, "只有活动办公室可以合并")) return;
    if (!is_open(a.f)) {
        cx_fail(&a.e, 409, "invalid_state", "status", "该事项%s，不能再合并", feedback_status_label(a.f->status));
        req_fail(r, &a.e);
        return;
    }
    pager pg;
    cJSON *d = req_data(r);
    if (!pager_read(r, CANDIDATES_ON_PAGE, 100, &pg) || !candidates_into(r, a.f, a.vmp, d, &pg)) return;
    json_add_i64(d, "id", a.f->id);
    pager_json(r, d, &pg);
}

void h_feedback_merge(req *r)
{
    act a;
    if (!acting(r, &a, feedback_can_triage, "只有活动办公室可以合并")) return;
    const char *is = req_in(r, "into_id");
    int64_t into = 0;
    feedback *k = a.f + 1;
    if (!is || str_to_i64(is, &into) != CX_OK || into <= 0) acted(r, &a, cx_fail(&a.e, 400, "invalid_into", "into_id", "请选择要合并到的事项（保留的事项）"));
    else if (feedback_get(r->db, into, k) != 1 || !feedback_can_triage(&r->user, a.vmp, k))
        acted(r, &a, cx_fail(&a.e, 404, "not_found", "into_id", "要保留的事项不存在或不在您的管理范围内"));
    else acted(r, &a, feedback_merge(r->db, &r->who, a.f->id, into, &a.e));
}

void h_feedback_reply(req *r)
{
    act a;
    if (!acting(r, &a, feedback_can_reply, "该事项尚未交办（由活动办公室分办后再答复），或您不是承办人")) return;
    feedback_reply_ok *ok = req_keep(r, xmalloc(sizeof *ok));
    if (feedback_reply_check(req_in(r, "reply"), req_flag(r, "publish") == 1, req_in(r, "summary"), ok, &a.e) != CX_OK) acted(r, &a, CX_ERR);
    else acted(r, &a, feedback_reply(r->db, &r->who, a.f->id, ok, &a.e));
}

void h_feedback_publish(req *r)
{
    act a;
    if (!acting(r, &a, can_publish, "只有活动办公室或承办组织可以公开答复")) return;
    feedback_publish_ok p;
    if (feedback_publish_check(req_flag(r, "publish") == 1, req_in(r, "summary"), &p, &a.e) != CX_OK) acted(r, &a, CX_ERR);
    else acted(r, &a, feedback_publish(r->db, &r->who, a.f->id, &p, &a.e));
}

void h_feedback_reveal(req *r)
{
    act a;
    if (!acting(r, &a, can_reveal, "反映人信息只有承办组织可以查看（投诉某人或某组织的，承办组织是其上级党组织）")) return;
    char name[128], contact[128];
    if (feedback_reveal(r->db, &r->who, a.f->id, name, contact, &a.e) != CX_OK) {
        acted(r, &a, CX_ERR);
        return;
    }
    cJSON *s = cJSON_AddObjectToObject(req_data(r), "sender");
    cJSON_AddStringToObject(s, "name", name);
    cJSON_AddStringToObject(s, "contact", contact);
    if (!req_is_api(r)) item_data(r, a.f, a.vmp);
}

void h_feedback_file(req *r)
{
    int64_t id, fid;
    if (!req_id(r, 0, &id)) return;
    char mime[32], name[128];
    buf_init(&r->file);
    feedback *f = req_keep(r, xmalloc(sizeof *f));
    int g = feedback_file_get(r->db, id, &r->file, mime, name, &fid);
    if (g != 1 || feedback_get(r->db, fid, f) != 1 || !feedback_visible(&r->user, viewer_path(r), f)) {
        buf_free(&r->file); /* a hidden file answers exactly like a missing one */
        req_failf(r, 404, "not_found", "id", "附件不存在");
        return;
    }
    r->file_mime = req_keep(r, xstrdup(mime));
}

/* ---- entry: by staff and by the public ---- */

/* Uploaded files named "evidence" (multipart), or the API's {"evidence":[{name, data (base64)}]}. */
static int read_files(req *r, evidence_in *files, buf *decoded, cx_err *e)
{
    int n = 0;
    for (int i = 0; i < r->nfields; i++) {
        const field *f = &r->fields[i];
        if (strcmp(f->name, "evidence") || !f->filename || (!f->data.len && !f->filename[0])) continue;
        if (n > EVIDENCE_MAX_FILES) break;
        files[n++] = (evidence_in){f->filename, f->ctype, f->data.p ? f->data.p : "", f->data.len};
    }
    const cJSON *arr = r->json ? cJSON_GetObjectItemCaseSensitive(r->json, "evidence") : NULL;
    if (arr && !cJSON_IsArray(arr)) return cx_fail(e, 400, "invalid_type", "evidence", "字段“evidence”应为数组：[{name, data（Base64）}]");
    const cJSON *x;
    cJSON_ArrayForEach(x, arr)
    {
        if (n > EVIDENCE_MAX_FILES) break;
        const cJSON *nm = cJSON_GetObjectItemCaseSensitive(x, "name"), *da = cJSON_GetObjectItemCaseSensitive(x, "data");
        if (!cJSON_IsString(da)) return cx_fail(e, 400, "invalid_type", "evidence", "附件应为 {name, data（Base64）}");
        buf *b = &decoded[n];
        size_t cap = strlen(da->valuestring) / 4 * 3 + 3, len = 0;
        buf_grow(b, cap);
        if (sodium_base642bin((unsigned char *)b->p, cap, da->valuestring, strlen(da->valuestring), " \r\n", &len, NULL,
                              sodium_base64_VARIANT_ORIGINAL) != 0)
            return cx_fail(e, 400, "invalid_base64", "evidence", "附件内容不是有效的 Base64");
        b->len = len;
        files[n++] = (evidence_in){cJSON_IsString(nm) ? nm->valuestring : "附件", NULL, b->p, len};
    }
    return n;
}

/* Submits from the request's fields (in: the channel, target and date; n: where it came in); on
 * success code gets the tracking code. */
static int submit(req *r, feedback_in *in, feedback_new *n, int64_t *id, char code[FEEDBACK_CODE_CAP], cx_err *e)
{
    evidence_in files[EVIDENCE_MAX_FILES + 1];
    buf decoded[EVIDENCE_MAX_FILES + 1];
    for (int i = 0; i <= EVIDENCE_MAX_FILES; i++) buf_init(&decoded[i]);
    int nf = read_files(r, files, decoded, e), rc = CX_ERR;
    if (nf >= 0) {
        feedback_ok *ok = req_keep(r, xmalloc(sizeof *ok));
        in->kind = req_in(r, "kind");
        in->text = req_in(r, "text");
        in->name = req_in(r, "name");
        in->contact = req_in(r, "contact");
        in->staff = n->intake != NULL;
        n->in = ok;
        n->files = files;
        n->nfiles = nf;
        if (feedback_check(in, ok, e) == CX_OK) rc = feedback_submit(r->db, &r->who, n, id, code, e);
    }
    for (int i = 0; i <= EVIDENCE_MAX_FILES; i++) buf_free(&decoded[i]);
    return rc;
}

/* The code shown once: formatted in groups for reading aloud. */
static void done_data(req *r, const char *code, int64_t id, bool visible)
{
    cJSON *d = req_data(r);
    char shown[FEEDBACK_CODE_CAP * 2];
    code_format(code, shown, sizeof shown);
    feedback *f = req_keep(r, xmalloc(sizeof *f));
    if (feedback_get(r->db, id, f) != 1) {
        req_failf(r, 500, "db_error", "", "读取事项失败");
        return;
    }
    cJSON_AddStringToObject(d, "title", "已收到");
    cJSON_AddStringToObject(d, "code", code);
    cJSON_AddStringToObject(d, "code_display", shown);
    cJSON_AddStringToObject(d, "kind", feedback_kind_name(f->kind));
    cJSON_AddStringToObject(d, "kind_label", feedback_kind_label(f->kind));
    cJSON_AddStringToObject(d, "received_date", f->received_date);
    cJSON_AddStringToObject(d, "due_date", f->due_date);
    json_add_i64(d, "due_days", f->due_days);
    if (visible) json_add_i64(d, "id", f->id);
}

static bool target_json(req *r, const char *kind, int64_t id, cJSON **out);

/* After a submission from a page the tracking code rides in a short-lived cookie, for the done
 * page only, to that page (303): a refresh never submits twice. Staff (signed in, their own
 * desk) see the code again on a refresh within 30 minutes; the public page shows it once and
 * clears the cookie, so the next person at a shared device (a service-window tablet) cannot
 * open the last resident's code — it would show the replies to their 举报. */
static void done_redirect(req *r, const char *code, const char *page)
{
    free(r->set_cookie[0]);
    r->set_cookie[0] = xasprintf("cxzy_done=%s; Path=%s; Max-Age=1800; HttpOnly; SameSite=Strict", code, page);
    req_redirect(r, "%s", page);
}

/* The done page: the submission named by the cookie (staff: with a link to it when they may see it). */
static void done_page(req *r, bool staff)
{
    const char *c = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "cxzy_done");
    char code[FEEDBACK_CODE_DATA + 2];
    cx_err e = {0};
    feedback *f = req_keep(r, xmalloc(sizeof *f));
    int got = c && code_parse(c, FEEDBACK_CODE_DATA, code, sizeof code, "code", "查询码", &e) == CX_OK ? feedback_by_code(r->db, code, f) : 0;
    if (got == CX_ERR) {
        req_failf(r, 500, "db_error", "", "数据库错误");
        return;
    }
    if (got != 1) {
        req_failf(r, 404, "not_found", "", staff ? "没有刚提交的内容：查询码只在提交后显示（30 分钟内刷新本页仍可看到）"
                                                 : "没有可显示的查询码：查询码只在提交后显示一次，为保护反映人，刷新或再次打开本页不再显示");
        return;
    }
    done_data(r, code, f->id, staff && feedback_visible(&r->user, viewer_path(r), f));
    if (staff) cJSON_AddTrueToObject(req_data(r), "staff");
    else {
        free(r->set_cookie[0]);
        r->set_cookie[0] = xstrdup("cxzy_done=; Path=/p/feedback/done; Max-Age=0; HttpOnly; SameSite=Strict");
    }
}

void h_feedback_done(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_CASEWORK, &o)) return;
    done_page(r, true);
}

void h_public_feedback_done(req *r) { done_page(r, false); }

void h_feedback_new(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_CASEWORK, &o)) return;
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "录入意见建议、投诉、举报");
    cJSON_AddItemToObject(d, "org", json_org(&o));
    bool disc = perm_may_enter_report(&r->user, o.path);
    kinds_into(d, "kinds", disc, NULL);
    cJSON_AddBoolToObject(d, "can_report", disc);
    cJSON *ch = cJSON_AddArrayToObject(d, "channels");
    for (int c = FC_HOTLINE; c < FC_N; c++) add_option(ch, feedback_channel_name(c), feedback_channel_label(c), false);
    char today[11];
    date_today(today);
    cJSON *v = cJSON_AddObjectToObject(d, "values");
    cJSON_AddStringToObject(v, "received_date", today);
}

void h_feedback_enter(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_CASEWORK, &o)) return;
    const char *kind = req_in(r, "kind"), *ak = req_in(r, "about_kind"), *ai = req_in(r, "about_id");
    cx_err e = {0};
    int64_t about = 0;
    /* 举报 are keyed in by the discipline role only (a 举报箱 is opened by 纪检) */
    if (kind && !strcmp(kind, "report") && !perm_may_enter_report(&r->user, o.path))
        cx_fail(&e, 403, "forbidden", "kind", "举报由纪检人员录入，请将举报材料转交纪检");
    else if (ai && *ai && (str_to_i64(ai, &about) != CX_OK || about <= 0)) cx_fail(&e, 400, "invalid_about", "about_id", "反映对象的编号无效");
    feedback_in in = {.channel = feedback_channel_from(req_in(r, "channel")), .about_kind = ak ? ak : "", .about_id = about,
                      .received_date = req_in(r, "received_date")};
    feedback_new n = {.intake = &o, .entered_by = r->user.user_id};
    if (in.channel < 0) in.channel = FC_N; /* refused by validation, naming the field */
    int64_t nid = 0;
    char code[FEEDBACK_CODE_CAP];
    if (e.code[0] || submit(r, &in, &n, &nid, code, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (!req_is_api(r)) {
        char *page = req_keep(r, xasprintf("/orgs/%" PRId64 "/feedback/done", id));
        done_redirect(r, code, page);
        return;
    }
    feedback *f = req_keep(r, xmalloc(sizeof *f));
    bool visible = feedback_get(r->db, nid, f) == 1 && feedback_visible(&r->user, viewer_path(r), f);
    r->status = 201;
    done_data(r, code, nid, visible);
    cJSON_AddTrueToObject(req_data(r), "staff");
}

/* The public target of a form from the path (/p/feedback/<kind>/:id): its name and organisation;
 * 404 when it is missing or inactive. kind NULL: the general form. */
static bool target_json(req *r, const char *kind, int64_t id, cJSON **out)
{
    *out = NULL;
    if (!kind) return true;
    char name[256] = "", oname[256] = "", label[32] = "";
    int64_t oid = 0;
    /* a window row says what it is: a post or an area (issue 19) is not a 服务窗口 */
    db_stmt *s = db_prepare(r->db, !strcmp(kind, "member") ? "SELECT m.name, o.name, o.id, '党员' FROM member m JOIN org o ON o.id = m.org_id WHERE m.id = ? AND m.active = 1 AND o.active = 1"
                                   : !strcmp(kind, "window") ? "SELECT w.name, o.name, o.id, CASE w.kind WHEN 'post' THEN '党员示范岗' WHEN 'area' THEN '党员责任区' ELSE '服务窗口' END "
                                                               "FROM service_window w JOIN org o ON o.id = w.org_id WHERE w.id = ? AND w.active = 1 AND o.active = 1"
                                                             : "SELECT o.name, o.name, o.id, '党组织' FROM org o WHERE o.id = ? AND o.active = 1");
    if (s) {
        db_bind_i64(s, 1, id);
        if (db_step(s) == DB_ROW) {
            snprintf(name, sizeof name, "%s", db_col_text(s, 0));
            snprintf(oname, sizeof oname, "%s", db_col_text(s, 1));
            oid = db_col_i64(s, 2);
            snprintf(label, sizeof label, "%s", db_col_text(s, 3));
        }
        db_done(s);
    }
    if (!oid) {
        req_failf(r, 404, "not_found", "about_id", "反映对象不存在或已停用");
        return false;
    }
    cJSON *t = cJSON_CreateObject();
    cJSON_AddStringToObject(t, "kind", kind);
    cJSON_AddStringToObject(t, "kind_label", label);
    json_add_i64(t, "id", id);
    cJSON_AddStringToObject(t, "name", name);
    if (strcmp(kind, "org")) cJSON_AddStringToObject(t, "org_name", oname);
    *out = t;
    return true;
}

/* The kind of target of a public path (its route's RK_*): /p/feedback/member/5 → "member"; NULL
 * for /p/feedback. */
static const char *path_target(req *r, int64_t *id)
{
    *id = 0;
    if (!r->nparams) return NULL;
    return req_id(r, 0, id) ? rating_kind_name(r->rt->action) : NULL;
}

static void public_form(req *r, const char *kind, cJSON *target, const char *chosen)
{
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "意见建议与投诉举报");
    if (target) cJSON_AddItemToObject(d, "target", target);
    /* 举报 only against a named member or organisation */
    kinds_into(d, "kinds", kind != NULL, chosen);
    cJSON_AddStringToObject(d, "action", r->url);
    json_add_i64(d, "max_files", EVIDENCE_MAX_FILES);
}

void h_public_feedback_form(req *r)
{
    int64_t id;
    const char *kind = path_target(r, &id);
    cJSON *t;
    if (r->failed || !target_json(r, kind, id, &t)) return;
    public_form(r, kind, t, req_query(r, "kind"));
}

void h_public_feedback_submit(req *r)
{
    int64_t id = 0;
    const char *kind = req_is_api(r) ? NULL : path_target(r, &id);
    if (r->failed) return;
    char addr[64];
    req_client_addr(r, addr);
    r->who.name = "群众"; /* the audit log's actor: nobody known */
    cx_err e = {0};
    int64_t n = 0;
    feedback_in in = {.channel = FC_WEB};
    if (req_is_api(r)) {
        const char *ak = req_in(r, "about_kind"), *ai = req_in(r, "about_id"), *ch = req_in(r, "channel");
        in.about_kind = ak ? ak : "";
        if (ai && *ai && (str_to_i64(ai, &in.about_id) != CX_OK || in.about_id <= 0)) cx_fail(&e, 400, "invalid_about", "about_id", "反映对象的编号无效");
        if (ch && *ch) in.channel = !strcmp(ch, "qr") ? FC_QR : !strcmp(ch, "web") ? FC_WEB : FC_N;
    } else if (kind) {
        in.about_kind = kind, in.about_id = id;
        in.channel = FC_QR; /* reached from a card, board or window page: the QR pages */
    }
    /* accepted submissions count against the address: a use is taken before the submission and
     * given back when it is refused (refused ones store nothing and count nothing) */
    char bucket[48];
    int64_t hour = limit_hour();
    feedback_rate_bucket('s', addr, bucket);
    int took = e.code[0] ? 0 : limit_take(r->db, bucket, hour, SUBMITS, &n);
    if (took == CX_ERR) cx_fail(&e, 500, "db_error", "", "数据库错误");
    else if (!e.code[0] && !took) cx_fail(&e, 429, "rate_limited", "", "此网络一小时内提交的次数过多，请稍后再试");
    int64_t nid = 0;
    char code[FEEDBACK_CODE_CAP];
    feedback_new fn = {0};
    if (e.code[0] || submit(r, &in, &fn, &nid, code, &e) != CX_OK) {
        if (took == 1) limit_give(r->db, bucket, hour);
        if (!e.code[0]) cx_fail(&e, 500, "db_error", "", "数据库错误");
        req_fail(r, &e);
        return;
    }
    if (!req_is_api(r)) {
        done_redirect(r, code, "/p/feedback/done");
        return;
    }
    r->status = 201;
    done_data(r, code, nid, false);
}

/* ---- categories ---- */

void h_feedback_categories(req *r)
{
    if (feedback_categories(r->db, add_category, cJSON_AddArrayToObject(req_data(r), "categories")) != CX_OK)
        req_failf(r, 500, "db_error", "", "读取分类失败");
}

void h_feedback_category_add(req *r)
{
    const grant *g = req_top_office(r);
    if (!g) {
        req_failf(r, 403, "forbidden", "", "只有最上级党组织的活动办公室可以增加分类");
        return;
    }
    int64_t id = 0;
    cx_err e = {0};
    feedback_category_ok c;
    if (feedback_category_check(req_in(r, "name"), &c, &e) != CX_OK || feedback_category_add(r->db, &r->who, g->org_id, &c, &id, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    r->status = 201;
    h_feedback_categories(r);
}
