/* report.c: one organisation's reports (report.h): drafts, submissions with every version kept,
 * return and acceptance, files, events, and lists up the tree. */
#include "report.h"
#include "calendar.h"
#include "notify.h"
#include "period.h"
#include "row.h"
#include "../lib/json.h"
#include "../lib/media.h"
#include "../domain/date.h"
#include "../domain/orgpath.h"
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define REPORT_COLS                                                                                                   \
    "r.id, r.schedule_id, r.org_id, s.org_id, r.version, r.submitted_at, r.judged_at, r.row_version, r.updated_at, "    \
    "(SELECT count(*) FROM report_file f WHERE f.report_id = r.id), r.late_workdays, r.status, s.kind, r.due_date, "      \
    "r.first_submitted_on, s.period_start, s.period_end, r.judged_by_name, r.return_comment, s.title, o.name, o.path, "  \
    "i.name, i.path"
#define REPORT_FROM " FROM report r JOIN report_schedule s ON s.id = r.schedule_id JOIN org o ON o.id = r.org_id JOIN org i ON i.id = s.org_id"

static void read_report(db_stmt *s, report *r)
{
    int64_t *ids[] = {&r->id, &r->schedule_id, &r->org_id, &r->issuer_id, &r->version, &r->submitted_at, &r->judged_at,
                      &r->row_version, &r->updated_at, &r->nfiles};
    for (int i = 0; i < 10; i++) *ids[i] = db_col_i64(s, i);
    r->late_workdays = (int)db_col_i64(s, 10);
    int st = report_status_from_name(db_col_text(s, 11)), k = report_kind_from_name(db_col_text(s, 12));
    r->status = st < 0 ? RPS_DUE : (report_status)st;
    r->kind = k < 0 ? RPK_CUSTOM : (report_kind)k;
    struct { char *dst; size_t cap; } t[] = {
        {r->due_date, sizeof r->due_date}, {r->first_submitted_on, sizeof r->first_submitted_on},
        {r->period_start, sizeof r->period_start}, {r->period_end, sizeof r->period_end},
        {r->judged_by_name, sizeof r->judged_by_name}, {r->return_comment, sizeof r->return_comment}, {r->title, sizeof r->title},
        {r->org_name, sizeof r->org_name}, {r->org_path, sizeof r->org_path}, {r->issuer_name, sizeof r->issuer_name},
        {r->issuer_path, sizeof r->issuer_path},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) copy_col(t[i].dst, t[i].cap, s, 13 + (int)i);
    r->draft = r->outline = NULL;
}

int report_get(db *d, int64_t id, report *r)
{
    memset(r, 0, sizeof *r);
    db_stmt *s = db_prepare(d, "SELECT " REPORT_COLS ", r.draft, s.outline" REPORT_FROM " WHERE r.id = ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW) {
        read_report(s, r);
        r->draft = xstrdup(db_col_text(s, 24));
        r->outline = xstrdup(db_col_text(s, 25));
    }
    db_done(s);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : CX_ERR;
}

void report_clear(report *r)
{
    free(r->draft);
    free(r->outline);
    r->draft = r->outline = NULL;
}

static char *report_json(const report *r)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "status", report_status_name(r->status));
    json_add_i64(j, "version", r->version);
    if (r->first_submitted_on[0]) cJSON_AddStringToObject(j, "first_submitted_on", r->first_submitted_on);
    if (r->late_workdays) json_add_i64(j, "late_workdays", r->late_workdays);
    if (r->return_comment[0]) cJSON_AddStringToObject(j, "return_comment", r->return_comment);
    return json_take(j);
}

static int add_event(db *d, int64_t id, const char *action, const char *comment, const actor *a)
{
    return db_run(d, "INSERT INTO report_event (report_id, action, comment, by_user, by_name, at) VALUES (?,?,?,?,?,?)", "issisi", id, action,
                  comment ? comment : "", a ? a->user_id : 0, actor_shown(a), now_unix());
}

/* Opens the write transaction, locks and loads the report, checks the row version the caller saw
 * and lets the domain decide. On refusal everything is rolled back and e filled. */
static int begin_act(db *d, int64_t id, report_action action, int relation, int64_t row_version, report *r, report_status *next, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    if (db_lock(d, REPORT_ENTITY, id) != CX_OK) return db_fail(d, e);
    int f = report_get(d, id, r);
    if (f != 1) {
        if (f == CX_ERR) return db_fail(d, e);
        db_rollback(d);
        return cx_fail(e, 404, "not_found", "id", "汇报不存在或不在您的管理范围内");
    }
    int rc = CX_OK;
    if (row_version && row_version != r->row_version)
        rc = cx_fail(e, 409, "stale", "row_version", "这份汇报刚刚已被修改（可能是重复提交或他人操作），请刷新后再试");
    else rc = report_decide(r->status, action, relation, next, e);
    if (rc != CX_OK) {
        db_rollback(d);
        report_clear(r);
    }
    return rc;
}

/* Moves the row on by one version, only from the version loaded (a second writer gets 409). */
static int bump(db *d, const report *r, cx_err *e)
{
    db_stmt *s = db_prepare(d, "UPDATE report SET row_version = row_version + 1, updated_at = ? WHERE id = ? AND row_version = ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, now_unix());
    db_bind_i64(s, 2, r->id);
    db_bind_i64(s, 3, r->row_version);
    int rc = db_step(s);
    int64_t n = rc == CX_ERR ? 0 : db_changes(s);
    db_done(s);
    if (rc == CX_ERR) return CX_ERR;
    if (n != 1) {
        cx_fail(e, 409, "stale", "row_version", "这份汇报刚刚已被修改（可能是重复提交或他人操作），请刷新后再试");
        return CX_ERR;
    }
    return CX_OK;
}

int report_write_act(db *d, const actor *a, int64_t id, int relation, report_action action, const report_write *w, const char *today,
                     cx_err *e)
{
    if (action != RPA_SAVE && action != RPA_SUBMIT) return cx_fail(e, 400, "invalid_action", "action", "不支持的操作");
    char now[11];
    if (!today) date_today(now), today = now;
    report r;
    report_status next;
    if (begin_act(d, id, action, relation, w->row_version, &r, &next, e) != CX_OK) return CX_ERR;
    char *draft = NULL;
    int rc;
    if (w->has_texts) rc = report_sections_check(r.outline, w->texts, w->ntexts, action == RPA_SUBMIT, &draft, e);
    else { /* the stored draft, checked again for a submission */
        cJSON *dj = cJSON_Parse(r.draft);
        int n = cJSON_IsArray(dj) ? cJSON_GetArraySize(dj) : 0;
        const char **t = xcalloc((size_t)n + 1, sizeof *t);
        for (int i = 0; i < n; i++) {
            const cJSON *x = cJSON_GetArrayItem(dj, i);
            t[i] = cJSON_IsString(x) ? x->valuestring : "";
        }
        rc = report_sections_check(r.outline, t, n, action == RPA_SUBMIT, &draft, e);
        free(t);
        cJSON_Delete(dj);
    }
    if (rc != CX_OK) {
        db_rollback(d);
        report_clear(&r);
        return CX_ERR;
    }
    char *before = report_json(&r);
    bool failed_here = false; /* e already says why (409 stale) */
    rc = bump(d, &r, e);
    if (rc != CX_OK && e && e->status == 409) failed_here = true;
    if (rc == CX_OK) rc = db_run(d, "UPDATE report SET draft = ? WHERE id = ?", "si", draft, id);
    if (rc == CX_OK && action == RPA_SUBMIT) {
        bool first = !r.first_submitted_on[0];
        int64_t at = now_unix();
        r.version++;
        char *sections = report_sections_json(r.outline, draft);
        rc = db_run(d, "INSERT INTO report_version (report_id, version, sections, submitted_by, submitted_by_name, submitted_at) VALUES (?,?,?,?,?,?)",
                    "iisisi", id, r.version, sections, a ? a->user_id : 0, actor_shown(a), at);
        free(sections);
        if (rc == CX_OK && first) {
            workday_cal cal;
            rc = feedback_calendar(d, &cal);
            if (rc == CX_OK) {
                r.late_workdays = report_late_workdays(&cal, r.due_date, today);
                workday_cal_free(&cal);
                snprintf(r.first_submitted_on, sizeof r.first_submitted_on, "%s", today);
                /* on time or late in the due date's quarter, as period_raw counts them */
                period p = {{0}};
                p.v[date_cmp(today, r.due_date) <= 0 ? PR_REPORTS_ON_TIME : PR_REPORTS_LATE] = 1;
                rc = period_add(d, period_quarter(r.due_date), r.org_path, &p);
            }
        }
        if (rc == CX_OK)
            rc = db_run(d, "UPDATE report SET status = 'submitted', version = ?, submitted_at = ?, first_submitted_on = ?, late_workdays = ? WHERE id = ?",
                        "iisii", r.version, at, r.first_submitted_on, r.late_workdays, id);
        r.status = next;
        if (rc == CX_OK) rc = add_event(d, id, "submit", "", a);
        if (rc == CX_OK) { /* to the level above, who judges it (the parent is never above the issuer) */
            char parent[CX_PATH_MAX], text[700], link[48];
            snprintf(parent, sizeof parent, "%s", r.org_path);
            size_t n = strlen(parent);
            while (n > 1 && parent[n - 2] != '/') n--; /* "/1/2/3/" → "/1/2/" */
            parent[n > 1 ? n - 1 : 0] = 0;
            snprintf(text, sizeof text, "%s报送了汇报，待审阅：%s", r.org_name, r.title);
            snprintf(link, sizeof link, "/reports/%" PRId64, id);
            if (strlen(parent) > 1) rc = notify_roles(d, a, parent, ROLE_ADMIN, NOTIFY_AT, "report_submitted", text, link);
        }
    }
    free(draft);
    int out;
    if (failed_here) {
        db_rollback(d);
        free(before);
        out = CX_ERR;
    } else out = store_finish(d, a, report_action_name(action), REPORT_ENTITY, id, r.org_id, before, report_json(&r), rc, e);
    report_clear(&r);
    return out;
}

int report_judge(db *d, const actor *a, int64_t id, int relation, report_action action, int64_t row_version, const char *comment,
                 cx_err *e)
{
    if (action != RPA_RETURN && action != RPA_ACCEPT) return cx_fail(e, 400, "invalid_action", "action", "不支持的操作");
    char c[4 * REPORT_COMMENT_MAX + 1];
    if (report_comment_check(action, comment, c, sizeof c, e) != CX_OK) return CX_ERR;
    report r;
    report_status next;
    if (begin_act(d, id, action, relation, row_version, &r, &next, e) != CX_OK) return CX_ERR;
    /* nobody judges what they submitted themselves (an office may write for an organisation below it) */
    int64_t by = 0;
    if (db_i64(d, &by, 0, "SELECT submitted_by FROM report_version WHERE report_id = ? AND version = ?", "ii", id, r.version) != CX_OK ||
        (a->user_id && by == a->user_id)) {
        if (by && by == a->user_id) cx_fail(e, 403, "own_report", "id", "不能审阅本人报送的汇报：请由上级的其他工作人员审阅");
        else db_fail(d, e);
        db_rollback(d);
        report_clear(&r);
        return CX_ERR;
    }
    char *before = report_json(&r);
    int rc = bump(d, &r, e);
    if (rc != CX_OK && e && e->status == 409) {
        db_rollback(d);
        free(before);
        report_clear(&r);
        return CX_ERR;
    }
    if (rc == CX_OK)
        rc = db_run(d, "UPDATE report SET status = ?, judged_at = ?, judged_by_name = ?, return_comment = ? WHERE id = ?", "sissi",
                    report_status_name(next), now_unix(), actor_shown(a), action == RPA_RETURN ? c : r.return_comment, id);
    if (action == RPA_RETURN) snprintf(r.return_comment, sizeof r.return_comment, "%s", c);
    r.status = next;
    if (rc == CX_OK) rc = add_event(d, id, report_action_name(action), c, a);
    if (rc == CX_OK) { /* the organisation's secretary */
        char text[2600], link[48];
        snprintf(text, sizeof text, action == RPA_RETURN ? "汇报被退回，请修改后重新报送：%s（%s）" : "汇报已审阅通过：%s%s", r.title,
                 action == RPA_RETURN ? c : "");
        snprintf(link, sizeof link, "/reports/%" PRId64, id);
        rc = notify_roles(d, a, r.org_path, ROLE_SECRETARY, NOTIFY_AT, action == RPA_RETURN ? "report_returned" : "report_accepted", text, link);
    }
    int out = store_finish(d, a, report_action_name(action), REPORT_ENTITY, id, r.org_id, before, report_json(&r), rc, e);
    report_clear(&r);
    return out;
}

int report_add_files(db *d, const actor *a, int64_t id, int relation, const evidence_in *files, int nfiles, cx_err *e)
{
    if (nfiles < 1) return cx_fail(e, 400, "required", "file", "请选择要上传的附件（JPEG、PNG 图片或 PDF）");
    const char *mimes[EVIDENCE_MAX_FILES];
    if (evidence_check(files, nfiles, mimes, e) != CX_OK) {
        if (e && !strcmp(e->field, "evidence")) snprintf(e->field, sizeof e->field, "file");
        return CX_ERR;
    }
    report r;
    report_status next;
    if (begin_act(d, id, RPA_SAVE, relation, 0, &r, &next, e) != CX_OK) return CX_ERR;
    if (r.nfiles + nfiles > REPORT_FILES_MAX) {
        db_rollback(d);
        report_clear(&r);
        return cx_fail(e, 400, "too_many_files", "file", "每份汇报最多 %d 个附件（已有 %" PRId64 " 个）", REPORT_FILES_MAX, r.nfiles);
    }
    int64_t now = now_unix();
    cJSON *names = cJSON_CreateArray();
    int rc = bump(d, &r, e);
    for (int i = 0; rc == CX_OK && i < nfiles; i++) {
        char name[128];
        snprintf(name, sizeof name, "%s", files[i].name && *files[i].name && utf8_valid(files[i].name, strlen(files[i].name)) ? files[i].name : "附件");
        size_t cn; /* stored without EXIF/GPS and other metadata */
        void *clean = media_clean(mimes[i], files[i].data, files[i].len, &cn);
        rc = db_run(d, "INSERT INTO report_file (report_id, mime, name, size, data, author, created_at) VALUES (?,?,?,?,?,?,?)", "issibsi", id,
                    mimes[i], name, (int64_t)cn, clean, cn, actor_shown(a), now);
        free(clean);
        cJSON_AddItemToArray(names, cJSON_CreateString(name));
    }
    cJSON *j = cJSON_CreateObject();
    cJSON_AddItemToObject(j, "files", names);
    int out = store_finish(d, a, "file", REPORT_ENTITY, id, r.org_id, NULL, json_take(j), rc, e);
    report_clear(&r);
    return out;
}

int report_file_list(db *d, int64_t report_id, attachment_fn fn, void *ctx)
{
    return attachment_list(d, "SELECT id, size, name, mime, author FROM report_file WHERE report_id = ? ORDER BY id", report_id, fn, ctx);
}

int report_file_owner(db *d, int64_t id, int64_t *report_id)
{
    return db_i64(d, report_id, 0, "SELECT report_id FROM report_file WHERE id = ?", "i", id) != CX_OK ? CX_ERR : *report_id != 0;
}

int report_file_get(db *d, int64_t id, buf *out, char mime[32], char name[128])
{
    return attachment_get(d, "SELECT mime, name, data FROM report_file WHERE id = ?", id, out, mime, name, NULL);
}

int report_versions(db *d, int64_t report_id, int (*fn)(void *ctx, const report_version *v), void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT version, submitted_at, submitted_by_name, sections, submitted_by FROM report_version WHERE report_id = ? ORDER BY version");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, report_id);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        report_version v = {db_col_i64(s, 0), db_col_i64(s, 1), db_col_i64(s, 4), "", NULL};
        copy_col(v.submitted_by_name, sizeof v.submitted_by_name, s, 2);
        v.sections = xstrdup(db_col_text(s, 3));
        int stop = fn(ctx, &v);
        free(v.sections);
        if (stop) break;
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int report_events(db *d, int64_t report_id, int (*fn)(void *ctx, const report_event *v), void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT at, action, comment, by_name FROM report_event WHERE report_id = ? ORDER BY id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, report_id);
    int rc;
    report_event *ev = xmalloc(sizeof *ev);
    while ((rc = db_step(s)) == DB_ROW) {
        ev->at = db_col_i64(s, 0);
        copy_col(ev->action, sizeof ev->action, s, 1);
        copy_col(ev->comment, sizeof ev->comment, s, 2);
        copy_col(ev->by_name, sizeof ev->by_name, s, 3);
        if (fn(ctx, ev)) break;
    }
    free(ev);
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* The conditions of the filters present, shared by list and count; end, day0, day1 and today
 * must outlive q. */
static void report_where(db_q *q, const report_query *f, char end[CX_PATH_MAX], char day0[11], char day1[11], char today[11])
{
    if (f->today) snprintf(today, 11, "%s", f->today);
    else date_today(today);
    if (f->own) db_q_where(q, "r.org_id = ?", "i", f->root->id);
    else {
        orgpath_end(f->root->path, end, CX_PATH_MAX);
        db_q_where(q, "r.org_path >= ? AND r.org_path < ?", "ss", f->root->path, end);
    }
    if (f->judge) db_q_where(q, "r.org_id <> ? AND substr(?, 1, length(i.path)) = i.path", "is", f->root->id, f->root->path);
    if (f->schedule_id) db_q_where(q, "r.schedule_id = ?", "i", f->schedule_id);
    if (f->from_q && f->to_q) {
        period_first_day(f->from_q, day0);
        period_first_day(f->to_q % 10 == 4 ? (f->to_q / 10 + 1) * 10 + 1 : f->to_q + 1, day1);
        db_q_where(q, "r.due_date >= ? AND r.due_date < ?", "ss", day0, day1);
    }
    switch (f->filter) {
    case RPF_DUE: db_q_where(q, "r.status = 'due' AND r.due_date >= ?", "s", today); break;
    case RPF_MISSING: db_q_where(q, "r.status = 'due' AND r.due_date < ?", "s", today); break;
    case RPF_LATE: db_q_where(q, "r.first_submitted_on > r.due_date", ""); break;
    case RPF_SUBMITTED: db_q_where(q, "r.status = 'submitted'", ""); break;
    case RPF_RETURNED: db_q_where(q, "r.status = 'returned'", ""); break;
    case RPF_ACCEPTED: db_q_where(q, "r.status = 'accepted'", ""); break;
    default: break;
    }
}

int report_list(db *d, const report_query *f, report_fn fn, void *ctx)
{
    char end[CX_PATH_MAX], day0[11], day1[11], today[11];
    db_q q;
    db_q_init(&q, "SELECT " REPORT_COLS REPORT_FROM);
    report_where(&q, f, end, day0, day1, today);
    db_stmt *s = page_stmt(d, &q, " ORDER BY r.due_date DESC, r.org_path, r.id", f->offset, f->limit);
    if (!s) return CX_ERR;
    return DB_EACH(s, report, read_report, fn, ctx);
}

int report_count(db *d, const report_query *f, int64_t *n)
{
    char end[CX_PATH_MAX], day0[11], day1[11], today[11];
    db_q q;
    db_q_init(&q, "SELECT count(*)" REPORT_FROM);
    report_where(&q, f, end, day0, day1, today);
    return db_q_count(d, &q, n);
}
