/* report.c: scheduled reports (定期汇报述职) pages and API: an office's schedules with their
 * progress, the reports of an organisation's subtree (due, missing, late, submitted, returned,
 * accepted; by period; XLSX), one report written section by section with files, submitted,
 * returned or accepted by the level above, its versions and events, and its A4 print. */
#include "web.h"
#include "../store/goal.h" /* the organisation's annual goals beside its report (issue 22) */
#include "../domain/date.h"
#include "../domain/org.h"
#include "../lib/xlsxout.h"
#include "../store/period.h"
#include "../store/report.h"
#include "pager.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* ---- loading with the rules ---- */

/* A report the user may read (perm_may_read_report); the same 404 as a missing one otherwise. The
 * report lives until the request ends. */
static report *req_report(req *r, int64_t id)
{
    report *x = req_keep(r, xmalloc(sizeof *x));
    int f = report_get(r->db, id, x);
    if (f == CX_ERR) {
        req_failf(r, 500, "db_error", "", "数据库错误");
        return NULL;
    }
    if (f == 1) {
        req_keep(r, x->draft);
        req_keep(r, x->outline);
    }
    if (f == 0 || !perm_may_read_report(&r->user, x->org_path)) {
        req_failf(r, 404, "not_found", "id", "汇报不存在或不在您的管理范围内");
        return NULL;
    }
    return x;
}

static report_schedule *req_schedule(req *r, int64_t id)
{
    report_schedule *s = req_keep(r, xmalloc(sizeof *s));
    int f = report_schedule_get(r->db, id, s);
    if (f == CX_ERR) {
        req_failf(r, 500, "db_error", "", "数据库错误");
        return NULL;
    }
    if (f == 0 || !perm_may_read_report(&r->user, s->org_path)) {
        req_failf(r, 404, "not_found", "id", "汇报安排不存在或不在您的管理范围内");
        return NULL;
    }
    return s;
}

/* ---- JSON ---- */

static void add_time(cJSON *j, const char *k, int64_t t)
{
    char s[32] = "";
    if (t) time_text(t, false, s);
    cJSON_AddStringToObject(j, k, s);
}

/* Text members of j from a table of {key, value}. */
static void add_texts(cJSON *j, const char *const (*kv)[2], size_t n)
{
    for (size_t i = 0; i < n; i++) cJSON_AddStringToObject(j, kv[i][0], kv[i][1]);
}

static cJSON *json_report(const report *x, const char *today)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", x->id);
    json_add_i64(j, "schedule_id", x->schedule_id);
    json_add_i64(j, "org_id", x->org_id);
    json_add_i64(j, "issuer_id", x->issuer_id);
    const char *state = report_state(x->status, x->first_submitted_on, x->due_date, today);
    const char *const texts[][2] = {{"org_name", x->org_name}, {"issuer_name", x->issuer_name}, {"title", x->title},
                                    {"kind", report_kind_name(x->kind)}, {"kind_label", report_kind_label(x->kind)},
                                    {"period_start", x->period_start}, {"period_end", x->period_end}, {"due_date", x->due_date},
                                    {"status", report_status_name(x->status)}, {"status_label", report_status_label(x->status)},
                                    {"state", state}, {"first_submitted_on", x->first_submitted_on},
                                    {"judged_by_name", x->judged_by_name}, {"return_comment", x->return_comment}};
    add_texts(j, texts, sizeof texts / sizeof texts[0]);
    bool late = x->first_submitted_on[0] && date_cmp(x->first_submitted_on, x->due_date) > 0;
    cJSON_AddBoolToObject(j, "missing", !strcmp(state, "missing"));
    cJSON_AddBoolToObject(j, "returned", x->status == RPS_RETURNED);
    cJSON_AddBoolToObject(j, "late", late);
    cJSON_AddBoolToObject(j, "on_time", x->first_submitted_on[0] && !late);
    json_add_i64(j, "late_workdays", x->late_workdays);
    json_add_i64(j, "version", x->version);
    add_time(j, "submitted_at", x->submitted_at);
    add_time(j, "judged_at", x->judged_at);
    json_add_i64(j, "file_count", x->nfiles);
    json_add_i64(j, "row_version", x->row_version);
    return j;
}

static cJSON *json_schedule(const report_schedule *s)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", s->id);
    json_add_i64(j, "org_id", s->org_id);
    const char *const texts[][2] = {{"org_name", s->org_name}, {"kind", report_kind_name(s->kind)}, {"kind_label", report_kind_label(s->kind)},
                                    {"title", s->title}, {"for_types", s->for_types}, {"for_sectors", s->for_sectors},
                                    {"period_start", s->period_start}, {"period_end", s->period_end}, {"due_date", s->due_date},
                                    {"created_by_name", s->created_by_name}};
    add_texts(j, texts, sizeof texts / sizeof texts[0]);
    json_add_i64(j, "due_workdays", s->due_workdays);
    cJSON *o = cJSON_Parse(s->outline);
    cJSON_AddItemToObject(j, "outline", cJSON_IsArray(o) ? o : (cJSON_Delete(o), cJSON_CreateArray()));
    json_add_i64(j, "reports", s->reports);
    add_time(j, "created_at", s->created_at);
    return j;
}

static cJSON *json_report_progress(const report_progress *p)
{
    cJSON *j = cJSON_CreateObject();
    const struct { const char *k; int64_t v; } n[] = {{"total", p->total}, {"on_time", p->on_time}, {"late", p->late},
                                                      {"missing", p->missing}, {"waiting", p->waiting}, {"submitted", p->submitted},
                                                      {"returned", p->returned}, {"accepted", p->accepted}};
    for (size_t i = 0; i < sizeof n / sizeof n[0]; i++) json_add_i64(j, n[i].k, n[i].v);
    return j;
}

/* ---- schedules ---- */

typedef struct sched_ctx {
    req *r;
    cJSON *arr;
    char today[11];
} sched_ctx;

static int add_schedule(void *ctx, const report_schedule *s)
{
    sched_ctx *c = ctx;
    cJSON *j = json_schedule(s);
    report_progress p;
    if (report_schedule_progress(c->r->db, s->id, c->today, &p) == CX_OK) cJSON_AddItemToObject(j, "progress", json_report_progress(&p));
    cJSON_AddItemToArray(c->arr, j);
    return 0;
}

/* The choices of the schedule form: kinds, org types, sectors, with the values typed. */
static void schedule_form(req *r, const report_schedule_in *in)
{
    cJSON *d = req_data(r);
    cJSON *k = cJSON_AddArrayToObject(d, "kinds");
    for (int i = 0; i < RPK_COUNT; i++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "value", report_kind_name((report_kind)i));
        cJSON_AddStringToObject(x, "label", report_kind_label((report_kind)i));
        cJSON_AddBoolToObject(x, "selected", in && in->kind && !strcmp(in->kind, report_kind_name((report_kind)i)));
        cJSON_AddItemToArray(k, x);
    }
    static const char *const types[] = {"committee", "general_branch", "branch"};
    static const char *const sectors[] = {"rural", "community", "government", "soe", "school", "hospital", "private", "social"};
    cJSON *t = cJSON_AddArrayToObject(d, "org_types"), *s = cJSON_AddArrayToObject(d, "org_sectors");
    for (size_t i = 0; i < 3; i++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "value", types[i]);
        cJSON_AddStringToObject(x, "label", org_type_label(types[i]));
        cJSON_AddItemToArray(t, x);
    }
    for (size_t i = 0; i < sizeof sectors / sizeof sectors[0]; i++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "value", sectors[i]);
        cJSON_AddStringToObject(x, "label", org_sector_label(sectors[i]));
        cJSON_AddItemToArray(s, x);
    }
    cJSON *v = cJSON_AddObjectToObject(d, "values");
    const char *vals[][2] = {{"title", in ? in->title : NULL},         {"period_start", in ? in->period_start : NULL},
                             {"period_end", in ? in->period_end : NULL}, {"due_date", in ? in->due_date : NULL},
                             {"due_workdays", in ? in->due_workdays : NULL}, {"outline", in ? in->outline : NULL}};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) cJSON_AddStringToObject(v, vals[i][0], vals[i][1] ? vals[i][1] : "");
}

void h_report_schedules(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_STAFF, &o)) return;
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "汇报安排");
    cJSON_AddItemToObject(d, "org", json_org(&o));
    cJSON_AddBoolToObject(d, "can_create", o.active && perm_may_schedule_reports(&r->user, o.path));
    sched_ctx c = {r, cJSON_AddArrayToObject(d, "schedules"), ""};
    date_today(c.today);
    if (report_schedule_list(r->db, o.id, add_schedule, &c) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取汇报安排失败");
        return;
    }
    schedule_form(r, NULL);
}

/* Several values of one name (form checkboxes) or a JSON array / text, joined with commas. */
static const char *joined(req *r, const char *name)
{
    if (r->json) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(r->json, name);
        if (!cJSON_IsArray(v)) return req_in(r, name);
        buf b;
        buf_init(&b);
        const cJSON *x;
        cJSON_ArrayForEach(x, v) buf_printf(&b, "%s%s", b.len ? "," : "", cJSON_IsString(x) ? x->valuestring : "\x01");
        return req_keep(r, b.p ? b.p : xstrdup(""));
    }
    buf b;
    buf_init(&b);
    for (int i = 0; i < r->nfields; i++)
        if (!strcmp(r->fields[i].name, name) && !r->fields[i].filename && r->fields[i].data.p)
            buf_printf(&b, "%s%s", b.len ? "," : "", r->fields[i].data.p);
    return req_keep(r, b.p ? b.p : xstrdup(""));
}

/* The outline as typed: a JSON array (API) kept as its text, or text one title a line. */
static const char *outline_in(req *r)
{
    const cJSON *v = r->json ? cJSON_GetObjectItemCaseSensitive(r->json, "outline") : NULL;
    if (cJSON_IsArray(v)) return req_keep(r, cJSON_PrintUnformatted(v));
    return req_in(r, "outline");
}

void h_report_schedule_create(req *r)
{
    int64_t id, sid = 0;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_OFFICE, &o)) return;
    if (!perm_may_schedule_reports(&r->user, o.path)) {
        req_failf(r, 404, "not_found", "id", "组织不存在或不在您的管理范围内");
        return;
    }
    report_schedule_in in = {req_in(r, "kind"), req_in(r, "title"), joined(r, "for_types"), joined(r, "for_sectors"),
                             req_in(r, "period_start"), req_in(r, "period_end"), req_in(r, "due_date"), req_in(r, "due_workdays"), outline_in(r)};
    report_schedule_ok ok;
    cx_err e = {0};
    int rc = report_schedule_check(&in, &ok, &e);
    if (rc == CX_OK) rc = report_schedule_create(r->db, &r->who, &o, &ok, &sid, &e);
    report_schedule_ok_free(&ok);
    if (rc != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (!req_is_api(r)) {
        req_redirect(r, "/report-schedules/%" PRId64, sid);
        return;
    }
    report_schedule *s = req_schedule(r, sid);
    if (!s) return;
    r->status = 201;
    cJSON_AddItemToObject(req_data(r), "schedule", json_schedule(s));
}

/* ---- lists ---- */

typedef struct list_ctx {
    cJSON *arr;
    char today[11];
} list_ctx;

static int add_report(void *ctx, const report *x)
{
    list_ctx *c = ctx;
    cJSON_AddItemToArray(c->arr, json_report(x, c->today));
    return 0;
}

/* Reads status, period, page and per_page into q; the request fails on a bad one. */
static bool list_query(req *r, report_query *q, char today[11])
{
    const char *st = req_query(r, "status"), *pe = req_query(r, "period");
    int f = report_filter_from_name(st);
    if (f < 0) {
        req_failf(r, 400, "invalid_query", "status", "参数 status 应为 due（待报送）、missing（逾期未报）、late（逾期报送）、submitted、returned 或 accepted");
        return false;
    }
    q->filter = (report_filter)f;
    if (pe && *pe && period_parse(pe, &q->from_q, &q->to_q) != CX_OK) {
        req_failf(r, 400, "invalid_query", "period", "参数 period 应为年份、半年或季度，如 2026、2026H1、2026Q3");
        return false;
    }
    date_today(today);
    q->today = today;
    pager pg;
    if (!pager_read(r, 50, 500, &pg)) return false;
    q->offset = pager_offset(&pg);
    q->limit = pg.per_page;
    return true;
}

/* The filters as links and selects for the templates. */
static void filter_json(req *r, cJSON *d, const report_query *q)
{
    cJSON *f = cJSON_AddObjectToObject(d, "filter");
    const char *pe = req_query(r, "period");
    cJSON_AddStringToObject(f, "status", report_filter_name(q->filter));
    cJSON_AddStringToObject(f, "period", pe ? pe : "");
    if (q->from_q) {
        char label[96];
        period_label(q->from_q, q->to_q, label, sizeof label);
        cJSON_AddStringToObject(f, "period_label", label);
    }
    cJSON *sts = cJSON_AddArrayToObject(d, "statuses");
    for (int i = 1; i < RPF_COUNT; i++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "value", report_filter_name((report_filter)i));
        cJSON_AddStringToObject(x, "label", report_filter_label((report_filter)i));
        cJSON_AddBoolToObject(x, "selected", (int)q->filter == i);
        cJSON_AddItemToArray(sts, x);
    }
}

/* One page of q into d.reports with its pager. */
static bool list_page(req *r, cJSON *d, report_query *q, const char *today)
{
    list_ctx c = {cJSON_AddArrayToObject(d, "reports"), ""};
    memcpy(c.today, today, 11);
    int64_t total = -1;
    pager pg = {.page = q->offset / q->limit + 1, .per_page = q->limit};
    if (report_count(r->db, q, &total) == CX_OK) {
        pager_set_total(&pg, total);
        q->offset = pager_offset(&pg);
    }
    if (total < 0 || report_list(r->db, q, add_report, &c) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取汇报失败");
        return false;
    }
    pager_json(r, d, &pg);
    return true;
}

void h_report_schedule(req *r)
{
    int64_t id;
    report_schedule *s;
    if (!req_id(r, 0, &id) || !(s = req_schedule(r, id))) return;
    org o;
    if (org_get(r->db, s->org_id, &o) != 1) {
        req_failf(r, 500, "db_error", "", "数据库错误");
        return;
    }
    report_query q = {.root = &o, .schedule_id = s->id};
    char today[11];
    if (!list_query(r, &q, today)) return;
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", s->title);
    cJSON_AddItemToObject(d, "schedule", json_schedule(s));
    report_progress p;
    if (report_schedule_progress(r->db, s->id, today, &p) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取汇报进度失败");
        return;
    }
    cJSON_AddItemToObject(d, "progress", json_report_progress(&p));
    filter_json(r, d, &q);
    list_page(r, d, &q, today);
}

static void export_reports(req *r, const report_query *q, const org *o, const char *today);

void h_report_list(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_STAFF, &o)) return;
    report_query q = {.root = &o};
    char today[11];
    if (!list_query(r, &q, today)) return;
    const char *fmt = req_query(r, "format");
    if (fmt && !strcmp(fmt, "xlsx")) {
        export_reports(r, &q, &o, today);
        return;
    }
    if (fmt && *fmt) {
        req_failf(r, 400, "invalid_format", "format", "导出格式只支持 xlsx");
        return;
    }
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "定期汇报");
    cJSON_AddItemToObject(d, "org", json_org(&o));
    cJSON_AddStringToObject(d, "today", today);
    cJSON_AddBoolToObject(d, "can_schedule", perm_may_schedule_reports(&r->user, o.path));
    filter_json(r, d, &q);
    list_page(r, d, &q, today);
}

typedef struct xrow {
    lxw_worksheet *ws;
    lxw_row_t row;
    char today[11];
} xrow;

static int export_row(void *ctx, const report *x)
{
    xrow *w = ctx;
    const char *state = report_state(x->status, x->first_submitted_on, x->due_date, w->today);
    bool late = x->first_submitted_on[0] && date_cmp(x->first_submitted_on, x->due_date) > 0;
    const char *when = !x->first_submitted_on[0] ? (!strcmp(state, "missing") ? "逾期未报" : "未报送") : late ? "逾期报送" : "按时报送";
    const char *v[] = {NULL, x->org_name, x->title, report_kind_label(x->kind), x->period_start, x->period_end, x->due_date,
                       report_status_label(x->status), when, x->first_submitted_on, NULL, NULL, x->judged_by_name, x->return_comment};
    worksheet_write_number(w->ws, w->row, 0, (double)x->id, NULL);
    worksheet_write_number(w->ws, w->row, 10, (double)x->late_workdays, NULL);
    worksheet_write_number(w->ws, w->row, 11, (double)x->version, NULL);
    for (lxw_col_t c = 1; c < sizeof v / sizeof v[0]; c++)
        if (v[c]) worksheet_write_string(w->ws, w->row, c, v[c], NULL);
    w->row++;
    return 0;
}

static void export_reports(req *r, const report_query *q0, const org *o, const char *today)
{
    report_query q = *q0;
    q.offset = 0;
    q.limit = 0;
    static const char *const heads[] = {"编号", "汇报组织", "汇报名称", "类别", "期间开始", "期间结束", "报送期限", "状态",
                                        "报送情况", "首次报送日期", "逾期工作日", "报送次数", "审阅人", "退回意见"};
    xlsx_export xe;
    xrow w = {.ws = export_open(r, &xe, "定期汇报", heads, sizeof heads / sizeof heads[0]), .row = 1};
    if (!w.ws) return;
    memcpy(w.today, today, 11);
    worksheet_set_column(w.ws, 1, 2, 28, NULL);
    int rc = report_list(r->db, &q, export_row, &w);
    char name[400], after[128];
    snprintf(name, sizeof name, "%s-定期汇报.xlsx", o->name);
    snprintf(after, sizeof after, "{\"format\":\"xlsx\",\"status\":\"%s\"}", report_filter_name(q.filter));
    export_close(r, &xe, rc, name, REPORT_ENTITY, o->id, o->id, after);
}

/* ---- one report ---- */

static int add_version(void *ctx, const report_version *v)
{
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "version", v->version);
    add_time(x, "submitted_at", v->submitted_at);
    cJSON_AddStringToObject(x, "submitted_by_name", v->submitted_by_name);
    json_add_i64(x, "submitted_by", v->submitted_by);
    cJSON *s = cJSON_Parse(v->sections);
    cJSON_AddItemToObject(x, "sections", cJSON_IsArray(s) ? s : (cJSON_Delete(s), cJSON_CreateArray()));
    cJSON_AddItemToArray(ctx, x);
    return 0;
}

static int add_event(void *ctx, const report_event *ev)
{
    cJSON *x = cJSON_CreateObject();
    int a = !strcmp(ev->action, "submit") ? RPA_SUBMIT : !strcmp(ev->action, "return") ? RPA_RETURN : RPA_ACCEPT;
    cJSON_AddStringToObject(x, "action", ev->action);
    cJSON_AddStringToObject(x, "action_label", report_action_label((report_action)a));
    cJSON_AddStringToObject(x, "comment", ev->comment);
    cJSON_AddStringToObject(x, "by_name", ev->by_name);
    add_time(x, "at", ev->at);
    cJSON_AddItemToArray(ctx, x);
    return 0;
}

/* The report with its sections (the draft under the outline), files, versions, events and the
 * actions this user may take now. */
/* The reporting organisation's own annual goals for the year the period ends in, with their
 * progress (responsibility, issue 22): what the report answers for. */
static int add_report_goal(void *ctx, const goal *g)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", g->id);
    cJSON_AddStringToObject(j, "title", g->title);
    cJSON_AddStringToObject(j, "status_label", goal_status_label(g->status));
    char pct[24];
    snprintf(pct, sizeof pct, "%" PRId64 "%%", g->progress);
    cJSON_AddStringToObject(j, "progress_text", g->accepted_version ? pct : "—");
    cJSON_AddItemToArray(ctx, j);
    return 0;
}

static void report_goals(req *r, const report *x, cJSON *d)
{
    goal_query q = {.org_id = x->org_id, .year = atoi(x->period_end), .status = -1, .limit = 50};
    cJSON *arr = cJSON_AddArrayToObject(d, "goals");
    json_add_i64(d, "goals_year", q.year);
    if (goal_list(r->db, &q, add_report_goal, arr) != CX_OK) cJSON_DeleteItemFromObject(d, "goals");
}

static void show_report(req *r, const report *x)
{
    cJSON *d = req_data(r);
    char today[11];
    date_today(today);
    cJSON_AddStringToObject(d, "title", x->title);
    cJSON_AddItemToObject(d, "report", json_report(x, today));
    char *sj = report_sections_json(x->outline, x->draft);
    cJSON *secs = cJSON_Parse(sj);
    free(sj);
    int i = 0;
    cJSON *it;
    cJSON_ArrayForEach(it, secs) json_add_i64(it, "n", ++i);
    cJSON_AddItemToObject(d, "sections", secs);
    report_file_list(r->db, x->id, add_attachment, cJSON_AddArrayToObject(d, "files"));
    cJSON *vs = cJSON_AddArrayToObject(d, "versions");
    report_versions(r->db, x->id, add_version, vs);
    report_events(r->db, x->id, add_event, cJSON_AddArrayToObject(d, "events"));
    /* the latest submission for the judge and the print */
    int nv = cJSON_GetArraySize(vs);
    if (nv) cJSON_AddItemReferenceToObject(d, "latest", cJSON_GetArrayItem(vs, nv - 1));
    report_goals(r, x, d);
    cJSON *can = cJSON_AddObjectToObject(d, "can");
    int rel = perm_report_relation(&r->user, x->org_path, x->issuer_path);
    /* nobody judges what they submitted themselves (report_judge refuses it too) */
    bool own = nv && json_get_i64(cJSON_GetArrayItem(vs, nv - 1), "submitted_by") == r->user.user_id;
    for (int a = 0; a < RPA_COUNT; a++)
        cJSON_AddBoolToObject(can, report_action_name((report_action)a),
                              report_decide(x->status, (report_action)a, rel, NULL, NULL) == CX_OK &&
                                  !(own && (a == RPA_RETURN || a == RPA_ACCEPT)));
}

void h_report(req *r)
{
    int64_t id;
    report *x;
    if (req_id(r, 0, &id) && (x = req_report(r, id))) show_report(r, x);
}

void h_report_print(req *r)
{
    h_report(r);
}

/* After an action: the page goes back to the report; the API answers with it as it now is; a
 * refusal shows the report's page again with the error. */
static void act_done(req *r, int64_t id, int rc, const cx_err *e)
{
    if (rc != CX_OK) {
        req_fail(r, e);
        return;
    }
    if (!req_is_api(r)) {
        req_redirect(r, "/reports/%" PRId64, id);
        return;
    }
    report *x = req_report(r, id);
    if (x) show_report(r, x);
}

/* row_version as sent: 0 when absent; false (the request failed) when not a positive integer. */
static bool row_version_in(req *r, int64_t *v)
{
    const char *s = req_in(r, "row_version");
    *v = 0;
    if (s && *s && (str_to_i64(s, v) != CX_OK || *v <= 0)) {
        req_failf(r, 400, "invalid_row_version", "row_version", "row_version（版本号）应为正整数");
        return false;
    }
    return true;
}

/* The section texts as sent: the JSON array "sections" or the form's fields "section" in order. */
static bool texts_in(req *r, report_write *w)
{
    const char **t = req_keep(r, xcalloc(REPORT_OUTLINE_MAX + 2, sizeof *t));
    int n = 0;
    if (r->json) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(r->json, "sections");
        if (!v || cJSON_IsNull(v)) return true;
        if (!cJSON_IsArray(v)) {
            req_failf(r, 400, "invalid_type", "sections", "字段“sections”的类型不对：应为各节内容（文本）的数组");
            return false;
        }
        const cJSON *x;
        cJSON_ArrayForEach(x, v)
        {
            if (!cJSON_IsString(x)) {
                req_failf(r, 400, "invalid_type", "sections", "字段“sections”的每一项应为一节的内容（文本）");
                return false;
            }
            if (n <= REPORT_OUTLINE_MAX) t[n] = x->valuestring;
            n++;
        }
    } else {
        bool any = false;
        for (int i = 0; i < r->nfields; i++)
            if (!strcmp(r->fields[i].name, "section") && !r->fields[i].filename) {
                any = true;
                if (n <= REPORT_OUTLINE_MAX) t[n] = r->fields[i].data.p ? r->fields[i].data.p : "";
                n++;
            }
        if (!any) return true;
    }
    w->texts = t;
    w->ntexts = n;
    w->has_texts = true;
    return true;
}

/* POST /reports/:id (save the draft) and /reports/:id/submit, /return, /accept: the route names it. */
void h_report_act(req *r)
{
    int64_t id, rv;
    report *x;
    if (!req_id(r, 0, &id) || !(x = req_report(r, id))) return;
    int action = r->rt->action;
    int rel = perm_report_relation(&r->user, x->org_path, x->issuer_path);
    if (!row_version_in(r, &rv)) return;
    cx_err e = {0};
    int rc;
    if (action == RPA_SAVE || action == RPA_SUBMIT) {
        report_write w = {.row_version = rv};
        if (!texts_in(r, &w)) return;
        rc = report_write_act(r->db, &r->who, id, rel, (report_action)action, &w, NULL, &e);
    } else rc = report_judge(r->db, &r->who, id, rel, (report_action)action, rv, req_in(r, "comment"), &e);
    act_done(r, id, rc, &e);
}

void h_report_file_add(req *r)
{
    int64_t id;
    report *x;
    if (!req_id(r, 0, &id) || !(x = req_report(r, id))) return;
    evidence_in files[EVIDENCE_MAX_FILES + 1];
    int nf = req_files(r, "file", files, EVIDENCE_MAX_FILES + 1);
    cx_err e = {0};
    int rc = report_add_files(r->db, &r->who, id, perm_report_relation(&r->user, x->org_path, x->issuer_path), files, nf, &e);
    act_done(r, id, rc, &e);
    if (rc == CX_OK && req_is_api(r)) r->status = 201;
}

void h_report_file(req *r)
{
    int64_t id, rid = 0;
    if (!req_id(r, 0, &id)) return;
    char mime[32], name[128];
    report *x = xcalloc(1, sizeof *x);
    /* the report decides who may see the file, before its bytes are loaded */
    bool visible = report_file_owner(r->db, id, &rid) == 1 && report_get(r->db, rid, x) == 1 && perm_may_read_report(&r->user, x->org_path);
    report_clear(x);
    free(x);
    buf_init(&r->file);
    if (!visible || report_file_get(r->db, id, &r->file, mime, name) != 1) {
        buf_free(&r->file);
        req_failf(r, 404, "not_found", "id", "附件不存在");
        return;
    }
    r->file_mime = req_keep(r, xstrdup(mime));
}
