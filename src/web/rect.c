/* rect.c: rectification items (整改) pages and API: create (by hand, or from another source
 * with its kind and id), evidence, submit → verify (销号) or reopen, cancel; lists of an
 * organisation (its own, its subtree, overdue, escalated to it) and their XLSX export. */
#include "web.h"
#include "../domain/date.h"
#include "../lib/xlsxout.h"
#include "../store/rect.h"
#include "pager.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>


/* Loads an item the user may reach with a role in mask over its organisation; the same 404 as a
 * missing item otherwise. The item lives until the request ends. */
static rect *req_rect(req *r, int64_t id, int mask)
{
    rect *x = req_keep(r, xmalloc(sizeof *x));
    int f = rect_get(r->db, id, x);
    if (f == CX_ERR) {
        req_failf(r, 500, "db_error", "", "数据库错误");
        return NULL;
    }
    if (f == 0 || !perm_allows(&r->user, mask, x->org_path)) {
        req_failf(r, 404, "not_found", "id", "整改事项不存在或不在您的管理范围内");
        return NULL;
    }
    return x;
}

static cJSON *json_rect(const rect *x, const char *today)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", x->id);
    json_add_i64(j, "org_id", x->org_id);
    cJSON_AddStringToObject(j, "org_name", x->org_name);
    if (x->member_id) {
        json_add_i64(j, "member_id", x->member_id);
        cJSON_AddStringToObject(j, "member_name", x->member_name);
    }
    cJSON_AddStringToObject(j, "source", rect_source_name(x->source));
    cJSON_AddStringToObject(j, "source_label", rect_source_label(x->source));
    if (x->source_id) {
        cJSON_AddStringToObject(j, "source_kind", x->source_kind);
        json_add_i64(j, "source_id", x->source_id);
    }
    cJSON_AddStringToObject(j, "status", rect_status_name(x->status));
    cJSON_AddStringToObject(j, "status_label", rect_status_label(x->status));
    const char *texts[][2] = {{"problem", x->problem}, {"measure", x->measure}, {"owner", x->owner}, {"due_date", x->due_date},
                              {"completion_note", x->completion_note}, {"no_evidence_reason", x->no_evidence_reason},
                              {"verify_note", x->verify_note}, {"reopen_reason", x->reopen_reason},
                              {"cancel_reason", x->cancel_reason}, {"created_by_name", x->created_by_name},
                              {"submitted_on", x->submitted_on}, {"verified_on", x->verified_on}, {"verified_by", x->verified_by}};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) cJSON_AddStringToObject(j, texts[i][0], texts[i][1]);
    int64_t late = rect_days_overdue(x->status, x->due_date, today);
    cJSON_AddBoolToObject(j, "overdue", late > 0);
    json_add_i64(j, "days_overdue", late);
    if (x->escalated_to) {
        json_add_i64(j, "escalated_to", x->escalated_to);
        cJSON_AddStringToObject(j, "escalated_to_name", x->escalated_to_name);
        cJSON_AddStringToObject(j, "escalated_on", x->escalated_on);
    }
    json_add_i64(j, "evidence_count", x->nevidence);
    json_add_i64(j, "version", x->version);
    return j;
}

/* ---- creating ---- */

static void read_new(req *r, rect_new *n)
{
    n->source = req_in(r, "source");
    if (!n->source || !*n->source) n->source = "manual";
    n->source_kind = req_in(r, "source_kind");
    n->in = (rect_in){req_in(r, "problem"), req_in(r, "measure"), req_in(r, "owner"), req_in(r, "due_date")};
}

/* An optional id field: 0 when blank; CX_ERR with e naming the field when not a positive integer. */
static int opt_id(req *r, const char *name, const char *code, const char *label, int64_t *v, cx_err *e)
{
    const char *s = req_in(r, name);
    *v = 0;
    if (s && *s && (str_to_i64(s, v) != CX_OK || *v <= 0)) return cx_fail(e, 400, code, name, "%s应为正整数编号", label);
    return CX_OK;
}

typedef struct options {
    cJSON *arr;
    int64_t selected;
} options;

static int add_member_option(void *ctx, const member *m)
{
    options *o = ctx;
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "id", m->id);
    cJSON_AddStringToObject(x, "name", m->r.name);
    cJSON_AddBoolToObject(x, "selected", m->id == o->selected);
    cJSON_AddItemToArray(o->arr, x);
    return 0;
}

/* Data of rect_form.html: the organisation, sources, its members and the values shown. */
static void form_data(req *r, const org *o, const rect_new *n)
{
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "新建整改事项");
    cJSON_AddItemToObject(d, "org", json_org(o));
    cJSON *src = cJSON_AddArrayToObject(d, "sources");
    for (int s = 0; s < RSRC_COUNT; s++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "value", rect_source_name((rect_source)s));
        cJSON_AddStringToObject(x, "label", rect_source_label((rect_source)s));
        cJSON_AddBoolToObject(x, "selected", n && n->source && !strcmp(n->source, rect_source_name((rect_source)s)));
        cJSON_AddItemToArray(src, x);
    }
    options opt = {cJSON_AddArrayToObject(d, "members"), n ? n->member_id : 0};
    member_query mq = {.root = o, .limit = 500};
    member_list(r->db, &mq, add_member_option, &opt);
    cJSON *v = cJSON_AddObjectToObject(d, "values");
    const char *vals[][2] = {{"problem", n ? n->in.problem : NULL}, {"measure", n ? n->in.measure : NULL},
                             {"owner", n ? n->in.owner : NULL},     {"due_date", n ? n->in.due_date : NULL},
                             {"source_kind", n ? n->source_kind : NULL}};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) cJSON_AddStringToObject(v, vals[i][0], vals[i][1] ? vals[i][1] : "");
    if (n && n->source_id) json_add_i64(v, "source_id", n->source_id);
}

void h_rect_new(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ADMIN, &o)) return;
    /* a link from the source may fill it in: ?source=feedback&source_id=…&problem=… */
    rect_new n;
    read_new(r, &n);
    cx_err e;
    if (opt_id(r, "source_id", "invalid_source_id", "来源记录编号", &n.source_id, &e) != CX_OK) n.source_id = 0;
    form_data(r, &o, &n);
}

void h_rect_create(req *r)
{
    int64_t id, nid = 0;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ADMIN, &o)) return;
    rect_new n = {0};
    read_new(r, &n);
    cx_err errs[8];
    int nerr = opt_id(r, "source_id", "invalid_source_id", "来源记录编号", &n.source_id, &errs[0]) != CX_OK ||
               opt_id(r, "member_id", "invalid_member", "党员", &n.member_id, &errs[0]) != CX_OK;
    if (!nerr) nerr = rect_validate(&n.in, NULL, NULL, errs, 8); /* every field's error for the form */
    rect_new_ok *ok = req_keep(r, xmalloc(sizeof *ok));
    if (!nerr && (rect_new_check(&n, NULL, ok, &errs[0]) != CX_OK || rect_create(r->db, &r->who, id, ok, &nid, &errs[0]) != CX_OK)) nerr = 1;
    if (nerr) {
        req_fail_fields(r, errs, nerr);
        return;
    }
    if (!req_is_api(r)) {
        req_redirect(r, "/rectifications/%" PRId64, nid);
        return;
    }
    rect *x = req_rect(r, nid, ROLE_ADMIN);
    if (!x) return;
    char today[11];
    date_today(today);
    r->status = 201;
    cJSON_AddItemToObject(req_data(r), "rectification", json_rect(x, today));
}

/* ---- one item ---- */

static int add_event(void *ctx, const rect_event *ev)
{
    cJSON *x = cJSON_CreateObject();
    int a = rect_action_from_name(ev->action), st = rect_status_from_name(ev->status);
    const char *label = !strcmp(ev->action, "create") ? "创建" : !strcmp(ev->action, "escalate") ? "逾期上报" : rect_action_label((rect_action)a);
    cJSON_AddStringToObject(x, "action", ev->action);
    cJSON_AddStringToObject(x, "action_label", label);
    cJSON_AddStringToObject(x, "status", ev->status);
    cJSON_AddStringToObject(x, "status_label", rect_status_label((rect_status)st));
    cJSON_AddStringToObject(x, "note", ev->note);
    cJSON_AddStringToObject(x, "due_date", ev->due_date);
    cJSON_AddStringToObject(x, "on_date", ev->on_date);
    cJSON_AddStringToObject(x, "actor", ev->actor);
    cJSON_AddItemToArray(ctx, x);
    return 0;
}

/* The item with its evidence, history and the actions this user may take now. */
static void show_rect(req *r, const rect *x)
{
    cJSON *d = req_data(r);
    char today[11];
    date_today(today);
    cJSON_AddStringToObject(d, "title", "整改事项");
    cJSON_AddStringToObject(d, "today", today);
    cJSON_AddItemToObject(d, "rectification", json_rect(x, today));
    rect_evidence_list(r->db, x->id, add_attachment, cJSON_AddArrayToObject(d, "evidence"));
    rect_history(r->db, x->id, add_event, cJSON_AddArrayToObject(d, "history"));
    cJSON *can = cJSON_AddObjectToObject(d, "can");
    int rel = rect_relation(&r->user, x->org_path, x->created_by);
    for (int a = 0; a < RA_COUNT; a++)
        cJSON_AddBoolToObject(can, rect_action_name((rect_action)a), rect_decide(x->status, (rect_action)a, rel, NULL, NULL) == CX_OK);
}

void h_rect(req *r)
{
    int64_t id;
    rect *x;
    if (req_id(r, 0, &id) && (x = req_rect(r, id, ROLE_STAFF))) show_rect(r, x);
}

/* After an action: the page goes back to the item; the API answers with the item as it now is;
 * a refusal shows the item's page again with the error (response.c, redisplay). */
static void act_done(req *r, int64_t id, int rc, const cx_err *e)
{
    rect *x = req_rect(r, id, ROLE_ANY);
    if (rc != CX_OK) req_fail(r, e);
    else if (!req_is_api(r)) req_redirect(r, "/rectifications/%" PRId64, id);
    else if (x) {
        char today[11];
        date_today(today);
        cJSON_AddItemToObject(req_data(r), "rectification", json_rect(x, today));
    }
}

/* POST /rectifications/:id/<action>: the route names the action. */
void h_rect_act(req *r)
{
    int64_t id;
    rect *x;
    if (!req_id(r, 0, &id) || !(x = req_rect(r, id, ROLE_ADMIN))) return;
    int action = r->rt->action;
    if (action <= RA_EVIDENCE || action >= RA_COUNT) {
        req_failf(r, 404, "not_found", "action", "不支持的操作");
        return;
    }
    rect_extra ex = {req_in(r, "note"), req_in(r, "no_evidence_reason"), req_in(r, "reason"), req_in(r, "due_date")};
    cx_err e = {0};
    rect_act_ok *ok = req_keep(r, xmalloc(sizeof *ok));
    int rc = rect_act_check((rect_action)action, &ex, NULL, ok, &e) == CX_OK
                 ? rect_act(r->db, &r->who, id, rect_relation(&r->user, x->org_path, x->created_by), ok, &e)
                 : CX_ERR;
    act_done(r, id, rc, &e);
}

void h_rect_evidence_add(req *r)
{
    int64_t id;
    rect *x;
    if (!req_id(r, 0, &id) || !(x = req_rect(r, id, ROLE_ADMIN))) return;
    evidence_in files[EVIDENCE_MAX_FILES + 1];
    int nf = req_files(r, "evidence", files, EVIDENCE_MAX_FILES + 1);
    cx_err e = {0};
    int rc = rect_add_evidence(r->db, &r->who, id, rect_relation(&r->user, x->org_path, x->created_by), files, nf, &e);
    act_done(r, id, rc, &e);
    if (rc == CX_OK && req_is_api(r)) r->status = 201;
}

void h_rect_file(req *r)
{
    int64_t id, rid = 0;
    if (!req_id(r, 0, &id)) return;
    char mime[32], name[128];
    rect *x = xmalloc(sizeof *x);
    /* the item decides who may see the file, before its bytes are loaded */
    bool visible = rect_evidence_owner(r->db, id, &rid) == 1 && rect_get(r->db, rid, x) == 1 && perm_allows(&r->user, ROLE_STAFF, x->org_path);
    free(x);
    buf_init(&r->file);
    req_attachment(r, visible ? rect_evidence_get(r->db, id, &r->file, mime, name) : 0, mime);
}

/* ---- lists ---- */

typedef struct list_ctx {
    cJSON *arr;
    char today[11];
} list_ctx;

static int add_rect(void *ctx, const rect *x)
{
    list_ctx *c = ctx;
    cJSON_AddItemToArray(c->arr, json_rect(x, c->today));
    return 0;
}

static const char *const scopes[] = {[RQ_SUBTREE] = "subtree", [RQ_OWN] = "own", [RQ_ESCALATED] = "escalated"};

/* Reads the filters: scope, status, overdue=1, as_of (the day overdue is judged on), page, per_page. */
static bool list_query(req *r, rect_query *q, char as_of[11])
{
    const char *sc = req_query(r, "scope"), *st = req_query(r, "status"), *ov = req_query(r, "overdue"), *ao = req_query(r, "as_of");
    q->scope = RQ_SUBTREE;
    for (int i = 0; sc && *sc && i < 3; i++)
        if (!strcmp(sc, scopes[i])) q->scope = i, sc = NULL;
    if (sc && *sc) {
        req_failf(r, 400, "invalid_query", "scope", "参数 scope 应为 subtree（含下级）、own（本组织）或 escalated（上报到本级）");
        return false;
    }
    q->status = -1;
    if (st && *st && (q->status = rect_status_from_name(st)) < 0) {
        req_failf(r, 400, "invalid_query", "status", "参数 status 应为 open、submitted、verified 或 cancelled");
        return false;
    }
    q->overdue = ov && !strcmp(ov, "1");
    date_today(as_of);
    if (ao && *ao) {
        cx_err e;
        if (date_parse(ao, false, "as_of", "逾期判断日期", as_of, &e) != CX_OK) {
            req_fail(r, &e);
            return false;
        }
    }
    q->as_of = as_of;
    pager pg;
    if (!pager_read(r, 50, 500, &pg)) return false;
    q->offset = pager_offset(&pg);
    q->limit = pg.per_page;
    return true;
}

static void export_rects(req *r, const rect_query *q, const org *o);

void h_rect_list(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_STAFF, &o)) return;
    rect_query q = {.root = &o};
    char as_of[11];
    if (!list_query(r, &q, as_of)) return;
    const char *fmt = req_query(r, "format");
    if (fmt && !strcmp(fmt, "xlsx")) {
        export_rects(r, &q, &o);
        return;
    }
    if (fmt && *fmt) {
        req_failf(r, 400, "invalid_format", "format", "导出格式只支持 xlsx");
        return;
    }
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "整改事项");
    cJSON_AddItemToObject(d, "org", json_org(&o));
    cJSON *f = cJSON_AddObjectToObject(d, "filter");
    const char *st = req_query(r, "status");
    cJSON_AddStringToObject(f, "scope", scopes[q.scope]);
    cJSON_AddBoolToObject(f, scopes[q.scope], true);
    cJSON_AddStringToObject(f, "status", st ? st : "");
    cJSON_AddBoolToObject(f, "overdue", q.overdue);
    cJSON_AddStringToObject(f, "as_of", as_of);
    cJSON *sts = cJSON_AddArrayToObject(d, "statuses");
    for (int s = 0; s < RS_COUNT; s++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "value", rect_status_name((rect_status)s));
        cJSON_AddStringToObject(x, "label", rect_status_label((rect_status)s));
        cJSON_AddBoolToObject(x, "selected", q.status == s);
        cJSON_AddItemToArray(sts, x);
    }
    cJSON_AddBoolToObject(d, "can_create", o.active && perm_allows(&r->user, ROLE_ADMIN, o.path));
    list_ctx c = {cJSON_AddArrayToObject(d, "rectifications"), ""};
    memcpy(c.today, as_of, 11); /* overdue as of the day the list is judged on */
    int64_t total = -1;
    pager pg = {.page = q.offset / q.limit + 1, .per_page = q.limit};
    if (rect_count(r->db, &q, &total) == CX_OK) {
        pager_set_total(&pg, total);
        q.offset = pager_offset(&pg);
    }
    if (total < 0 || rect_list(r->db, &q, add_rect, &c) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取整改事项失败");
        return;
    }
    pager_json(r, d, &pg);
}

/* One spreadsheet row per item, written straight from the list. */
typedef struct xrow {
    lxw_worksheet *ws;
    lxw_row_t row;
    char today[11];
} xrow;

static int export_row(void *ctx, const rect *x)
{
    xrow *w = ctx;
    const char *v[] = {NULL, x->org_name, x->member_name, rect_source_label(x->source), x->problem, x->measure, x->owner,
                       x->due_date, rect_status_label(x->status), NULL, x->escalated_to ? x->escalated_to_name : "",
                       x->escalated_on, x->completion_note, x->verified_on, x->verified_by};
    worksheet_write_number(w->ws, w->row, 0, (double)x->id, NULL);
    worksheet_write_number(w->ws, w->row, 9, (double)rect_days_overdue(x->status, x->due_date, w->today), NULL);
    for (lxw_col_t c = 1; c < sizeof v / sizeof v[0]; c++)
        if (v[c]) worksheet_write_string(w->ws, w->row, c, v[c], NULL);
    w->row++;
    return 0;
}

static void export_rects(req *r, const rect_query *q0, const org *o)
{
    rect_query q = *q0;
    q.offset = 0;
    q.limit = 0;
    static const char *const heads[] = {"编号", "责任组织", "涉及党员", "来源", "存在问题", "整改措施", "责任人", "完成时限",
                                        "状态", "逾期天数", "已上报至", "上报日期", "整改完成情况", "销号日期", "销号人"};
    xlsx_export xe;
    xrow w = {.ws = export_open(r, &xe, "整改事项", heads, sizeof heads / sizeof heads[0]), .row = 1};
    if (!w.ws) return;
    memcpy(w.today, q.as_of, 11);
    worksheet_set_column(w.ws, 4, 5, 30, NULL);
    int rc = rect_list(r->db, &q, export_row, &w);
    char name[400], after[64];
    snprintf(name, sizeof name, "%s-整改事项.xlsx", o->name);
    snprintf(after, sizeof after, "{\"format\":\"xlsx\",\"scope\":\"%s\"}", scopes[q.scope]);
    export_close(r, &xe, rc, name, "rectification", o->id, o->id, after);
}
