/* pledge.c: pledge pages and API: create, edit, the lifecycle actions, progress entries with
 * evidence, lists of a subtree (by status, overdue, due this month) and their XLSX export. */
#include "web.h"
#include "../domain/date.h"
#include "../store/pledge.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "../lib/xlsxout.h"
#include "pager.h"

/* How the user stands to a pledge (PR_* bits); see domain/pledge.h. */
static int relation_of(const req *r, const pledge *p)
{
    return perm_pledge_relation_entered(&r->user, p->org_path, p->member_id, p->entered_by != 0);
}

/* The mark of a record entered for a member (代录): who entered it and when, and whether the member
 * has confirmed it since (本人已确认). */
cJSON *json_entered(const char *by, int64_t at, int64_t confirmed_at)
{
    cJSON *x = cJSON_CreateObject();
    char at_s[32], conf_s[32];
    time_text(at, false, at_s);
    time_text(confirmed_at, false, conf_s);
    cJSON_AddStringToObject(x, "by", by);
    cJSON_AddStringToObject(x, "at", at_s);
    cJSON_AddBoolToObject(x, "confirmed", confirmed_at > 0);
    if (confirmed_at > 0) cJSON_AddStringToObject(x, "confirmed_at", conf_s);
    cJSON_AddStringToObject(x, "label", confirmed_at > 0 ? "代录·本人已确认" : "代录·待本人确认");
    return x;
}

/* Loads a pledge the user may see (any role over its org, or its own member); 404 otherwise. */
static bool req_pledge(req *r, int64_t id, pledge *p)
{
    int f = pledge_get(r->db, id, p);
    if (f == CX_ERR) {
        req_failf(r, 500, "db_error", "", "数据库错误");
        return false;
    }
    /* before it is public a pledge is its author's and its reviewers' only (perm_may_see_pledge) */
    if (f == 0 || !perm_may_see_pledge(&r->user, p->org_path, p->member_id, pledge_status_public(p->status))) {
        req_failf(r, 404, "not_found", "id", "承诺不存在或不在您的管理范围内");
        return false;
    }
    return true;
}

cJSON *json_pledge(const pledge *p)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", p->id);
    json_add_i64(j, "org_id", p->org_id);
    cJSON_AddStringToObject(j, "org_name", p->org_name);
    if (p->member_id) {
        json_add_i64(j, "member_id", p->member_id);
        cJSON_AddStringToObject(j, "member_name", p->member_name);
    }
    cJSON_AddStringToObject(j, "kind", p->member_id ? "member" : "org");
    cJSON_AddStringToObject(j, "kind_label", p->member_id ? "党员承诺" : "组织承诺");
    json_add_i64(j, "campaign_id", p->campaign_id);
    cJSON_AddStringToObject(j, "campaign", p->campaign_theme);
    cJSON_AddStringToObject(j, "status", pledge_status_name(p->status));
    cJSON_AddStringToObject(j, "status_label", pledge_status_label(p->status));
    cJSON_AddStringToObject(j, "area", p->area);
    cJSON_AddStringToObject(j, "title", p->title);
    cJSON_AddStringToObject(j, "content", p->content);
    cJSON_AddStringToObject(j, "measures", p->measures);
    cJSON_AddStringToObject(j, "responsible", p->responsible);
    cJSON_AddStringToObject(j, "due_date", p->due_date);
    json_add_i64(j, "percent", p->percent);
    char today[11];
    date_today(today);
    cJSON_AddBoolToObject(j, "overdue", pledge_overdue(p->status, p->due_date, today));
    if (p->member_id) cJSON_AddStringToObject(j, "member_post", p->member_post);
    if (p->return_reason[0]) cJSON_AddStringToObject(j, "return_reason", p->return_reason);
    if (p->miss_kind[0]) {
        cJSON_AddStringToObject(j, "miss_kind", p->miss_kind);
        cJSON_AddStringToObject(j, "miss_kind_label", !strcmp(p->miss_kind, "objective") ? "客观原因" : "无正当理由");
        cJSON_AddStringToObject(j, "miss_explanation", p->miss_explanation);
        cJSON_AddBoolToObject(j, "unjustified", !strcmp(p->miss_kind, "unjustified"));
    }
    if (p->grade[0]) {
        cJSON_AddStringToObject(j, "grade", p->grade);
        cJSON_AddStringToObject(j, "grade_label", pledge_grade_label(p->grade));
        cJSON_AddStringToObject(j, "rating_comment", p->rating_comment);
    }
    if (p->summary[0]) cJSON_AddStringToObject(j, "summary", p->summary);
    if (p->entered_by) cJSON_AddItemToObject(j, "entered", json_entered(p->entered_name, p->created_at, p->confirmed_at));
    if (p->predecessor_id) json_add_i64(j, "predecessor_id", p->predecessor_id);
    if (p->successor_id) json_add_i64(j, "successor_id", p->successor_id);
    json_add_i64(j, "version", p->version);
    return j;
}

static void read_pledge_in(req *r, pledge_in *in)
{
    in->area = req_in(r, "area");
    in->title = req_in(r, "title");
    in->content = req_in(r, "content");
    in->measures = req_in(r, "measures");
    in->responsible = req_in(r, "responsible");
    in->due_date = req_in(r, "due_date");
}

/* Form data for pledge_form.html: areas for the kind, the values shown. */
static void form_data(req *r, bool org_pledge, const pledge_in *in)
{
    cJSON *d = req_data(r);
    cJSON *areas = cJSON_AddArrayToObject(d, "areas");
    for (const char *const *a = org_pledge ? pledge_org_areas : pledge_member_areas; *a; a++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "value", *a);
        cJSON_AddBoolToObject(x, "selected", in && in->area && !strcmp(in->area, *a));
        cJSON_AddItemToArray(areas, x);
    }
    cJSON *v = cJSON_AddObjectToObject(d, "values");
    if (in) {
        cJSON_AddStringToObject(v, "title", in->title ? in->title : "");
        cJSON_AddStringToObject(v, "content", in->content ? in->content : "");
        cJSON_AddStringToObject(v, "measures", in->measures ? in->measures : "");
        cJSON_AddStringToObject(v, "responsible", in->responsible ? in->responsible : "");
        cJSON_AddStringToObject(v, "due_date", in->due_date ? in->due_date : "");
    }
}

/* The member (by the id as typed) a pledge is entered for (代录): an active member the user may
 * enter for (perm_may_enter_for); 403 otherwise, the same for a missing one. */
static bool entry_member(req *r, const char *ms, member *m)
{
    int64_t mid = 0;
    int f = str_to_i64(ms, &mid) == CX_OK && mid > 0 ? member_get(r->db, mid, m) : 0;
    if (f == CX_ERR) {
        req_failf(r, 500, "db_error", "", "数据库错误");
        return false;
    }
    if (f == 0 || !m->active || !perm_may_enter_for(&r->user, m->org_path, m->id)) {
        req_failf(r, 403, "not_allowed", "member_id", "只能为本组织（含下级）的其他党员代录，该党员不存在或不在您的管理范围内");
        return false;
    }
    return true;
}

/* GET /pledges/new?org=ID (an organisation's pledge), ?member=ID (代录 for that member) or neither
 * (the user's own). */
void h_pledge_new(req *r)
{
    cJSON *d = req_data(r);
    const char *os = req_query(r, "org");
    int64_t oid;
    org o;
    if (os && *os) {
        if (str_to_i64(os, &oid) != CX_OK || !req_org(r, oid, ROLE_ADMIN, &o)) {
            if (!r->failed) req_failf(r, 404, "not_found", "org", "组织不存在");
            return;
        }
        cJSON_AddItemToObject(d, "org", json_org(&o));
        cJSON_AddStringToObject(d, "title", "新建组织承诺");
        form_data(r, true, &(pledge_in){.responsible = r->user.display_name});
    } else if ((os = req_query(r, "member")) && *os) {
        member m;
        if (!entry_member(r, os, &m)) return;
        cJSON_AddStringToObject(d, "title", "代录党员承诺");
        cJSON_AddStringToObject(d, "member_name", m.r.name);
        json_add_i64(d, "entered_for", m.id);
        form_data(r, false, &(pledge_in){.responsible = m.r.name});
    } else {
        if (!r->user.member_id) {
            req_failf(r, 403, "not_member", "", "您的账号没有关联党员信息，不能以个人名义承诺");
            return;
        }
        member m;
        if (member_get(r->db, r->user.member_id, &m) != 1) {
            req_failf(r, 403, "not_member", "", "您的党员信息不存在或已停用");
            return;
        }
        cJSON_AddStringToObject(d, "title", "我的公开承诺");
        cJSON_AddStringToObject(d, "member_name", m.r.name);
        form_data(r, false, &(pledge_in){.responsible = m.r.name});
    }
}

/* POST /pledges: org_id given → an organisation pledge; member_id of another member → a pledge
 * entered for them (代录); otherwise the member's own. */
void h_pledge_create(req *r)
{
    const char *os = req_in(r, "org_id"), *ms = req_in(r, "member_id");
    bool org_pledge = os && *os;
    int64_t oid = 0, mid = 0;
    org o;
    if (!org_pledge && ms && *ms && strcmp(ms, "0") && !(r->user.member_id && str_to_i64(ms, &mid) == CX_OK && mid == r->user.member_id)) {
        member m;
        if (!entry_member(r, ms, &m)) return;
        mid = m.id;
        oid = m.org_id;
        if (!req_found(r, org_get(r->db, oid, &o), "org_id", "党组织")) return;
    } else if (org_pledge) {
        if (str_to_i64(os, &oid) != CX_OK || oid <= 0) {
            req_failf(r, 400, "invalid_org", "org_id", "组织编号无效");
            return;
        }
        if (!req_org(r, oid, ROLE_ADMIN, &o)) return;
    } else {
        if (!r->user.member_id) {
            req_failf(r, 403, "not_member", "", "您的账号没有关联党员信息，不能以个人名义承诺（组织承诺请填写 org_id）");
            return;
        }
        member m;
        if (member_get(r->db, r->user.member_id, &m) != 1 || !m.active) {
            req_failf(r, 403, "not_member", "", "您的党员信息不存在或已停用");
            return;
        }
        mid = m.id;
        oid = m.org_id;
        if (!req_found(r, org_get(r->db, oid, &o), "org_id", "党组织")) return;
    }
    pledge_in in;
    read_pledge_in(r, &in);
    pledge_ok *ok = req_keep(r, xmalloc(sizeof *ok));
    cx_err errs[8];
    int n = pledge_check(&in, org_pledge, false, ok, errs, 8);
    campaign c;
    if (!n && campaign_for_org(r->db, &o, &c) != 1)
        n = 1, cx_fail(&errs[0], 400, "no_campaign", "campaign_id", "“%s”还没有进行中的创先争优活动，请先由活动办公室创建活动", o.name);
    int64_t id = 0;
    if (!n && pledge_create(r->db, &r->who, oid, mid, c.id, ok, &id, &errs[0]) != CX_OK) n = 1;
    if (n) {
        req_fail_fields(r, errs, n);
        return;
    }
    if (!req_is_api(r)) {
        req_redirect(r, "/pledges/%" PRId64, id);
        return;
    }
    pledge p;
    if (!req_found(r, pledge_get(r->db, id, &p), "id", "承诺")) return;
    r->status = 201;
    cJSON_AddItemToObject(req_data(r), "pledge", json_pledge(&p));
}

cJSON *json_progress(const progress_entry *pe)
{
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "id", pe->id);
    cJSON_AddStringToObject(x, "date", pe->date);
    cJSON_AddStringToObject(x, "text", pe->text);
    json_add_i64(x, "percent", pe->percent);
    cJSON_AddStringToObject(x, "author", pe->author);
    if (pe->entered) cJSON_AddTrueToObject(x, "entered"); /* 代录: the author entered it for the member */
    cJSON *fs = cJSON_AddArrayToObject(x, "evidence");
    for (int i = 0; i < pe->nfiles; i++) {
        cJSON *f = cJSON_CreateObject();
        json_add_i64(f, "id", pe->files[i].id);
        cJSON_AddStringToObject(f, "name", pe->files[i].name);
        cJSON_AddStringToObject(f, "mime", pe->files[i].mime);
        json_add_i64(f, "size", pe->files[i].size);
        cJSON_AddBoolToObject(f, "image", !strncmp(pe->files[i].mime, "image/", 6));
        cJSON_AddItemToArray(fs, f);
    }
    return x;
}

static int add_progress(void *ctx, const progress_entry *pe)
{
    cJSON_AddItemToArray(ctx, json_progress(pe));
    return 0;
}

/* The actions this user may take now, for the page's buttons. */
static void add_actions(cJSON *d, const pledge *p, int rel)
{
    cJSON *can = cJSON_AddObjectToObject(d, "can");
    for (int a = 0; a < PA_COUNT; a++) {
        pledge_status next;
        cJSON_AddBoolToObject(can, pledge_action_name((pledge_action)a), pledge_decide(p->status, (pledge_action)a, rel, &next, NULL) == CX_OK);
    }
}

void h_pledge(req *r)
{
    int64_t id;
    pledge p;
    if (!req_id(r, 0, &id) || !req_pledge(r, id, &p)) return;
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", p.title);
    cJSON_AddItemToObject(d, "pledge", json_pledge(&p));
    cJSON *prog = cJSON_AddArrayToObject(d, "progress");
    pledge_progress_list(r->db, id, add_progress, prog);
    add_actions(d, &p, relation_of(r, &p));
    cJSON_AddBoolToObject(cJSON_GetObjectItem(d, "can"), "confirm",
                          p.entered_by && !p.confirmed_at && r->user.member_id && r->user.member_id == p.member_id);
    char today[11];
    date_today(today);
    cJSON_AddStringToObject(d, "today", today);
    cJSON *grades = cJSON_AddArrayToObject(d, "grades");
    for (const char *const *g = pledge_grades; *g; g++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "value", *g);
        cJSON_AddStringToObject(x, "label", pledge_grade_label(*g));
        cJSON_AddItemToArray(grades, x);
    }
}

void h_pledge_edit(req *r)
{
    int64_t id;
    pledge p;
    if (!req_id(r, 0, &id) || !req_pledge(r, id, &p)) return;
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "修改承诺");
    cJSON_AddItemToObject(d, "pledge", json_pledge(&p));
    pledge_in in = {p.area, p.title, p.content, p.measures, p.responsible, p.due_date};
    form_data(r, p.member_id == 0, &in);
}

/* After a change to pledge id: the page goes back to the pledge, the API answers with it as it is now. */
static void changed(req *r, int64_t id, pledge *p)
{
    if (!req_is_api(r)) {
        req_redirect(r, "/pledges/%" PRId64, id);
        return;
    }
    if (!req_found(r, pledge_get(r->db, id, p), "id", "承诺")) return;
    cJSON_AddItemToObject(req_data(r), "pledge", json_pledge(p));
}

void h_pledge_update(req *r)
{
    int64_t id;
    pledge p;
    if (!req_id(r, 0, &id) || !req_pledge(r, id, &p)) return;
    pledge_in in;
    read_pledge_in(r, &in);
    /* PATCH: fields not sent keep their value */
    if (!in.area) in.area = p.area;
    if (!in.title) in.title = p.title;
    if (!in.content) in.content = p.content;
    if (!in.measures) in.measures = p.measures;
    if (!in.responsible) in.responsible = p.responsible;
    if (!in.due_date) in.due_date = p.due_date;
    pledge_ok *ok = req_keep(r, xmalloc(sizeof *ok));
    cx_err errs[8];
    int n = pledge_check(&in, p.member_id == 0, false, ok, errs, 8);
    if (!n && pledge_edit(r->db, &r->who, id, relation_of(r, &p), ok, &errs[0]) != CX_OK) n = 1;
    if (n) {
        req_fail_fields(r, errs, n);
        return;
    }
    changed(r, id, &p);
}

/* POST /pledges/:id/<action>: the route names the action. */
void h_pledge_act(req *r)
{
    int64_t id;
    pledge p;
    if (!req_id(r, 0, &id) || !req_pledge(r, id, &p)) return;
    int action = r->rt->action;
    if (action <= PA_EDIT || action >= PA_COUNT || action == PA_PROGRESS) {
        req_failf(r, 404, "not_found", "action", "不支持的操作");
        return;
    }
    pledge_extra x = {req_in(r, "reason"), req_in(r, "miss_kind"), req_in(r, "explanation"), req_in(r, "grade"),
                      req_in(r, "comment"), req_in(r, "summary")};
    int64_t nid = 0;
    cx_err e = {0};
    pledge_act_ok *ok = req_keep(r, xmalloc(sizeof *ok));
    if (pledge_act_check((pledge_action)action, &x, ok, &e) != CX_OK ||
        pledge_act(r->db, &r->who, id, relation_of(r, &p), ok, &nid, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    int64_t show = action == PA_RENEW ? nid : id;
    if (!req_is_api(r)) {
        req_redirect(r, action == PA_RENEW ? "/pledges/%" PRId64 "/edit" : "/pledges/%" PRId64, show);
        return;
    }
    if (!req_found(r, pledge_get(r->db, show, &p), "id", "承诺")) return;
    if (action == PA_RENEW) r->status = 201;
    cJSON_AddItemToObject(req_data(r), "pledge", json_pledge(&p));
}

void h_pledge_progress(req *r)
{
    int64_t id;
    pledge p;
    if (!req_id(r, 0, &id) || !req_pledge(r, id, &p)) return;
    progress_ok *in = req_keep(r, xmalloc(sizeof *in));
    cx_err errs[4];
    const char *ds = req_in(r, "date");
    char today[11];
    date_today(today);
    int n = pledge_progress_check(ds && *ds ? ds : today, req_in(r, "text"), req_in(r, "percent"), in, errs, 4);
    evidence_in files[EVIDENCE_MAX_FILES + 1];
    int nf = 0;
    for (int i = 0; i < r->nfields && !n; i++) {
        const field *f = &r->fields[i];
        if (strcmp(f->name, "evidence") || !f->filename || (!f->data.len && !f->filename[0])) continue; /* an empty file input */
        if (nf > EVIDENCE_MAX_FILES) break;
        files[nf++] = (evidence_in){f->filename, f->ctype, f->data.p ? f->data.p : "", f->data.len};
    }
    int64_t pid = 0;
    if (!n && pledge_add_progress(r->db, &r->who, id, relation_of(r, &p), in, files, nf, &pid, &errs[0]) !=
                  CX_OK)
        n = 1;
    if (n) {
        req_fail_fields(r, errs, n);
        return;
    }
    if (!req_is_api(r)) {
        req_redirect(r, "/pledges/%" PRId64 "#progress", id);
        return;
    }
    if (!req_found(r, pledge_get(r->db, id, &p), "id", "承诺")) return;
    r->status = 201;
    cJSON *d = req_data(r);
    json_add_i64(d, "progress_id", pid);
    cJSON_AddItemToObject(d, "pledge", json_pledge(&p));
}

/* POST /pledges/:id/confirm: the member confirms a pledge entered for them (本人确认). */
void h_pledge_confirm(req *r)
{
    int64_t id;
    pledge p;
    cx_err e = {0};
    if (!req_id(r, 0, &id) || !req_pledge(r, id, &p)) return;
    if (pledge_confirm(r->db, &r->who, id, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    changed(r, id, &p);
}

void h_evidence(req *r)
{
    int64_t id, pid;
    if (!req_id(r, 0, &id)) return;
    char mime[32], name[128];
    buf_init(&r->file);
    int f = evidence_get(r->db, id, &r->file, mime, name, &pid);
    pledge p;
    bool visible = f == 1 && pledge_get(r->db, pid, &p) == 1 &&
                   perm_may_see_pledge_evidence(&r->user, p.org_path, p.member_id);
    if (!visible) { /* hidden evidence answers exactly like missing evidence */
        buf_free(&r->file);
        req_failf(r, 404, "not_found", "id", "佐证文件不存在");
        return;
    }
    r->file_mime = req_keep(r, xstrdup(mime));
}

/* ---- lists ---- */

static int add_pledge(void *ctx, const pledge *p)
{
    cJSON_AddItemToArray(ctx, json_pledge(p));
    return 0;
}

/* Reads the list filters from the query: status, overdue=1, due=month, kind=org, page, per_page. */
static bool list_query(req *r, pledge_query *q, char from[11], char to[11])
{
    const char *st = req_query(r, "status"), *ov = req_query(r, "overdue"), *due = req_query(r, "due"), *kind = req_query(r, "kind");
    q->status = -1;
    if (st && *st && (q->status = pledge_status_from_name(st)) < 0) {
        req_failf(r, 400, "invalid_query", "status", "参数 status 无效：%s", st);
        return false;
    }
    q->overdue = ov && !strcmp(ov, "1");
    q->org_only = kind && !strcmp(kind, "org");
    q->member_only = kind && !strcmp(kind, "member");
    if (kind && *kind && !q->org_only && !q->member_only) {
        req_failf(r, 400, "invalid_query", "kind", "参数 kind 应为 org 或 member");
        return false;
    }
    if (due && !strcmp(due, "month")) {
        date_today(from);
        memcpy(to, from, 11);
        memcpy(from + 8, "01", 2);
        memcpy(to + 8, "31", 2);
        q->due_from = from;
        q->due_to = to;
    } else if (due && *due) {
        req_failf(r, 400, "invalid_query", "due", "参数 due 只能为 month");
        return false;
    }
    pager pg;
    if (!pager_read(r, 50, 500, &pg)) return false;
    q->offset = pager_offset(&pg);
    q->limit = pg.per_page;
    return true;
}

static void list_into(req *r, pledge_query *q, cJSON *d)
{
    int64_t total = 0;
    pager pg = {.page = q->offset / q->limit + 1, .per_page = q->limit};
    cJSON *arr = cJSON_AddArrayToObject(d, "pledges");
    if (pledge_count(r->db, q, &total) != CX_OK) goto fail;
    pager_set_total(&pg, total);
    q->offset = pager_offset(&pg);
    if (pledge_list(r->db, q, add_pledge, arr) != CX_OK) goto fail;
    pager_json(r, d, &pg);
    return;
fail:
    req_failf(r, 500, "db_error", "", "读取承诺失败");
}

static void export_pledges(req *r, const pledge_query *q, const org *o);

void h_org_pledges(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ANY, &o)) return;
    pledge_query q = {.root = &o, .subtree = true, .drafts_hidden = !perm_may_manage_pledges(&r->user, o.path),
                      .own_member = r->user.member_id};
    char from[11], to[11];
    if (!list_query(r, &q, from, to)) return;
    const char *fmt = req_query(r, "format");
    if (fmt && !strcmp(fmt, "xlsx")) {
        export_pledges(r, &q, &o);
        return;
    }
    if (fmt && *fmt) {
        req_failf(r, 400, "invalid_format", "format", "导出格式只支持 xlsx");
        return;
    }
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "公开承诺");
    cJSON_AddItemToObject(d, "org", json_org(&o));
    cJSON *f = cJSON_AddObjectToObject(d, "filter");
    const char *st = req_query(r, "status");
    cJSON_AddStringToObject(f, "status", st ? st : "");
    cJSON_AddBoolToObject(f, "overdue", q.overdue);
    cJSON_AddBoolToObject(f, "month", q.due_from != NULL);
    cJSON *sts = cJSON_AddArrayToObject(d, "statuses");
    for (int s = 0; s < PS_COUNT; s++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "value", pledge_status_name((pledge_status)s));
        cJSON_AddStringToObject(x, "label", pledge_status_label((pledge_status)s));
        cJSON_AddBoolToObject(x, "selected", st && !strcmp(st, pledge_status_name((pledge_status)s)));
        cJSON_AddItemToArray(sts, x);
    }
    cJSON_AddBoolToObject(d, "can_pledge", perm_may_manage_pledges(&r->user, o.path));
    list_into(r, &q, d);
}

void h_my_pledges(req *r)
{
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "我的承诺");
    if (!r->user.member_id) {
        cJSON_AddItemToObject(d, "pledges", cJSON_CreateArray());
        return;
    }
    cJSON_AddTrueToObject(d, "is_member");
    json_add_i64(d, "member_id", r->user.member_id);
    pledge_query q = {.member_id = r->user.member_id, .status = -1};
    pager pg;
    if (!pager_read(r, 50, 500, &pg)) return;
    q.offset = pager_offset(&pg);
    q.limit = pg.per_page;
    list_into(r, &q, d);
}

/* One spreadsheet row per pledge, written straight from the list. */
typedef struct xrow {
    lxw_worksheet *ws;
    lxw_row_t row;
    char today[11];
} xrow;

static int export_row(void *ctx, const pledge *p)
{
    xrow *x = ctx;
    char mark[128] = "";
    if (p->entered_by) snprintf(mark, sizeof mark, "%s（%s）", p->confirmed_at ? "代录·本人已确认" : "代录·待本人确认", p->entered_name);
    const char *v[14] = {p->member_id ? "党员承诺" : "组织承诺", p->member_id ? p->member_name : p->org_name, p->org_name,
                         p->area, p->title, p->content, p->measures, p->responsible, p->due_date,
                         pledge_status_label(p->status), NULL, pledge_overdue(p->status, p->due_date, x->today) ? "逾期" : "",
                         p->grade[0] ? pledge_grade_label(p->grade) : "", mark};
    for (int c = 0; c < 14; c++) {
        if (c == 10) worksheet_write_number(x->ws, x->row, 10, p->percent, NULL);
        else worksheet_write_string(x->ws, x->row, (lxw_col_t)c, v[c], NULL);
    }
    x->row++;
    return 0;
}

static void export_pledges(req *r, const pledge_query *q0, const org *o)
{
    pledge_query q = *q0;
    q.offset = 0;
    q.limit = 0;
    static const char *const heads[] = {"类别", "承诺人/组织", "所在党组织", "承诺领域", "承诺事项", "承诺内容", "具体措施", "责任人",
                                        "完成时限", "状态", "进度(%)", "逾期", "评诺等次", "代录"};
    xlsx_export xe;
    xrow x = {.ws = export_open(r, &xe, "公开承诺", heads, 14), .row = 1};
    if (!x.ws) return;
    date_today(x.today);
    worksheet_set_column(x.ws, 4, 6, 30, NULL);
    int rc = pledge_list(r->db, &q, export_row, &x);
    char name[400];
    snprintf(name, sizeof name, "%s-公开承诺.xlsx", o->name);
    export_close(r, &xe, rc, name, "pledge", o->id, o->id, NULL);
}
