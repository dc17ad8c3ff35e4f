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

/* ---- acts: one, or many in one transaction ---- */

/* A report as report_acts holds it: the row as loaded, changed act by act. */
typedef struct act_report {
    report r;
    int64_t part; /* its organisation's audit chain (-1: none) */
    int64_t by;   /* who submitted its current version (0: nobody) */
    const char *judged_by; /* the last judge's name in full, when an act judged it (NULL: kept) */
    bool changed;
} act_report;

static int by_act_report(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = ((const act_report *)y)->r.id;
    return (a > b) - (a < b);
}

static int by_id(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

#define ACT_READ 500 /* reports read a statement */

/* The reports ids[0..n) (sorted, distinct) as stored, into out (those found; *found counts them). */
static int acts_read(db *d, const int64_t *ids, int n, act_report *out, int *found)
{
    *found = 0;
    for (int i = 0; i < n; i += ACT_READ) {
        int k = n - i < ACT_READ ? n - i : ACT_READ;
        buf sql;
        buf_init(&sql);
        buf_adds(&sql, "SELECT " REPORT_COLS ", r.draft, s.outline, coalesce(o.part, -1), coalesce((SELECT v.submitted_by FROM report_version v "
                       "WHERE v.report_id = r.id AND v.version = r.version), 0)" REPORT_FROM " WHERE r.id IN (");
        for (int j = 0; j < k; j++) buf_adds(&sql, j ? ",?" : "?");
        buf_adds(&sql, ") ORDER BY r.id");
        db_stmt *s = db_prepare(d, sql.p);
        buf_free(&sql);
        if (!s) return CX_ERR;
        for (int j = 0; j < k; j++) db_bind_i64(s, j + 1, ids[i + j]);
        int rc;
        while ((rc = db_step(s)) == DB_ROW) {
            act_report *x = &out[(*found)++];
            read_report(s, &x->r);
            x->r.draft = xstrdup(db_col_text(s, 24));
            x->r.outline = xstrdup(db_col_text(s, 25));
            x->part = db_col_i64(s, 26);
            x->by = db_col_i64(s, 27);
        }
        db_done(s);
        if (rc == CX_ERR) return CX_ERR;
    }
    return CX_OK;
}

/* What one act leaves to be written after every act was decided. */
typedef struct act_note {
    char path[CX_PATH_MAX], text[2600], link[48];
} act_note;

/* The report row as an act left it (every column an act changes), one run a report. */
static void act_row_bind(db_stmt *s, int i, void *ctx)
{
    const act_report *ar = ((act_report **)ctx)[i];
    const report *r = &ar->r;
    db_bind_i64(s, 1, r->row_version);
    db_bind_i64(s, 2, r->updated_at);
    db_bind_text(s, 3, r->draft);
    db_bind_text(s, 4, report_status_name(r->status));
    db_bind_i64(s, 5, r->version);
    db_bind_i64(s, 6, r->submitted_at);
    db_bind_text(s, 7, r->first_submitted_on);
    db_bind_i64(s, 8, r->late_workdays);
    db_bind_i64(s, 9, r->judged_at);
    if (ar->judged_by) db_bind_text(s, 10, ar->judged_by);
    else db_bind_null(s, 10);
    db_bind_text(s, 11, r->return_comment);
    db_bind_i64(s, 12, r->id);
}

/* The draft a write act leaves (its texts, or the stored draft), checked (for a submission: every
 * section filled). */
static int act_draft(const report *r, const report_act *x, char **draft, cx_err *e)
{
    const report_write *w = x->w;
    if (w->has_texts) return report_sections_check(r->outline, w->texts, w->ntexts, x->action == RPA_SUBMIT, draft, e);
    cJSON *dj = cJSON_Parse(r->draft);
    int n = cJSON_IsArray(dj) ? cJSON_GetArraySize(dj) : 0;
    const char **t = xcalloc((size_t)n + 1, sizeof *t);
    for (int i = 0; i < n; i++) {
        const cJSON *v = cJSON_GetArrayItem(dj, i);
        t[i] = cJSON_IsString(v) ? v->valuestring : "";
    }
    int rc = report_sections_check(r->outline, t, n, x->action == RPA_SUBMIT, draft, e);
    free(t);
    cJSON_Delete(dj);
    return rc;
}

/* Checks an act's action and judgement comment (c, for a judgement) before anything is read. */
static int act_check(const report_act *x, char *c, size_t cap, cx_err *e)
{
    if (x->w ? x->action != RPA_SAVE && x->action != RPA_SUBMIT : x->action != RPA_RETURN && x->action != RPA_ACCEPT)
        return cx_fail(e, 400, "invalid_action", "action", "不支持的操作");
    return x->w ? CX_OK : report_comment_check(x->action, x->comment, c, cap, e);
}

/* The state of the batch while its acts are decided one after another. */
typedef struct acts_state {
    db *d;
    act_report *reps;
    int nreps;
    workday_cal cal;
    bool has_cal;
    db_bulk *versions, *events;
    period_at *periods;
    int nperiods;
    act_note *notes;
    notify_at *notify;
    int nnotify;
    struct act_audit *audits; /* one an act, appended last (the chain's head locked last, as
                               * every other change does) */
    int naudits;
} acts_state;

/* The audit record an act leaves. */
typedef struct act_audit {
    const actor *a;
    report_action action;
    int64_t id, org_id, part;
    char *before, *after;
} act_audit;

/* The acts' audit records in their order, one run a chain (a record in another chain ends the
 * run); in bulk when there are many. */
static int acts_audit(acts_state *st)
{
    audit_run run;
    bool open = false;
    int rc = CX_OK;
    for (int i = 0; rc == CX_OK && i < st->naudits; i++) {
        const act_audit *x = &st->audits[i];
        if (open && run.part != x->part) open = false, rc = audit_run_end(st->d, &run);
        if (rc == CX_OK && !open && (rc = audit_run_begin(st->d, &run, x->org_id)) == CX_OK) {
            if (st->naudits > 1) audit_run_bulk(st->d, &run);
            open = true;
        }
        if (rc == CX_OK) rc = audit_run_add(st->d, &run, x->a, report_action_name(x->action), REPORT_ENTITY, x->id, x->org_id, x->before, x->after, "ok");
    }
    if (open && rc == CX_OK) rc = audit_run_end(st->d, &run);
    else if (open) audit_run_cancel(&run);
    return rc;
}

/* Decides act i (x) on its report as the earlier acts left it; its writes are queued in st. A
 * refusal: CX_ERR with e filled (e->status set); a database error: CX_ERR, e untouched. */
static int act_one(acts_state *st, const report_act *x, const char *c, int i, cx_err *e)
{
    act_report *ar = bsearch(&x->id, st->reps, (size_t)st->nreps, sizeof *st->reps, by_act_report);
    if (!ar) return cx_fail(e, 404, "not_found", "id", "汇报不存在或不在您的管理范围内");
    report *r = &ar->r;
    if (x->row_version && x->row_version != r->row_version)
        return cx_fail(e, 409, "stale", "row_version", "这份汇报刚刚已被修改（可能是重复提交或他人操作），请刷新后再试");
    report_status next;
    if (report_decide(r->status, x->action, x->relation, &next, e) != CX_OK) return CX_ERR;
    char *draft = NULL;
    if (x->w && act_draft(r, x, &draft, e) != CX_OK) return CX_ERR;
    /* nobody judges what they submitted themselves (an office may write for an organisation below it) */
    if (!x->w && x->a->user_id && ar->by == x->a->user_id)
        return cx_fail(e, 403, "own_report", "id", "不能审阅本人报送的汇报：请由上级的其他工作人员审阅");
    char *before = report_json(r);
    int64_t now = now_unix(), uid = x->a ? x->a->user_id : 0;
    r->row_version++;
    r->updated_at = now;
    ar->changed = true;
    act_note *note = &st->notes[i];
    int rc = CX_OK;
    if (x->w) {
        free(r->draft);
        r->draft = draft;
        if (x->action == RPA_SUBMIT) {
            r->version++;
            char *sections = report_sections_json(r->outline, r->draft);
            rc = db_bulk_row(st->versions, "iisisi", r->id, r->version, sections, uid, actor_shown(x->a), now);
            free(sections);
            ar->by = uid;
            if (rc == CX_OK && !r->first_submitted_on[0]) {
                if (!st->has_cal && (rc = feedback_calendar(st->d, &st->cal)) == CX_OK) st->has_cal = true;
                r->late_workdays = st->has_cal ? report_late_workdays(&st->cal, r->due_date, x->today) : 0;
                snprintf(r->first_submitted_on, sizeof r->first_submitted_on, "%s", x->today);
                /* on time or late in the due date's quarter, as period_raw counts them */
                period_at *p = &st->periods[st->nperiods++];
                *p = (period_at){period_quarter(r->due_date), r->org_path, {{0}}};
                p->delta.v[date_cmp(x->today, r->due_date) <= 0 ? PR_REPORTS_ON_TIME : PR_REPORTS_LATE] = 1;
            }
            r->submitted_at = now;
            r->status = next;
            if (rc == CX_OK) rc = db_bulk_row(st->events, "issisi", r->id, "submit", "", uid, actor_shown(x->a), now);
            /* to the level above, who judges it (the parent is never above the issuer) */
            snprintf(note->path, sizeof note->path, "%s", r->org_path);
            size_t n = strlen(note->path);
            while (n > 1 && note->path[n - 2] != '/') n--; /* "/1/2/3/" → "/1/2/" */
            note->path[n > 1 ? n - 1 : 0] = 0;
            snprintf(note->text, sizeof note->text, "%s报送了汇报，待审阅：%s", r->org_name, r->title);
            snprintf(note->link, sizeof note->link, "/reports/%" PRId64, r->id);
            if (strlen(note->path) > 1)
                st->notify[st->nnotify++] = (notify_at){x->a, note->path, "report_submitted", note->text, note->link, ROLE_ADMIN};
        }
    } else {
        r->status = next;
        r->judged_at = now;
        snprintf(r->judged_by_name, sizeof r->judged_by_name, "%s", actor_shown(x->a));
        ar->judged_by = actor_shown(x->a); /* written in full (judged_by_name above may be cut) */
        if (x->action == RPA_RETURN) snprintf(r->return_comment, sizeof r->return_comment, "%s", c);
        rc = db_bulk_row(st->events, "issisi", r->id, report_action_name(x->action), c, uid, actor_shown(x->a), now);
        /* the organisation's secretary */
        snprintf(note->path, sizeof note->path, "%s", r->org_path);
        snprintf(note->text, sizeof note->text, x->action == RPA_RETURN ? "汇报被退回，请修改后重新报送：%s（%s）" : "汇报已审阅通过：%s%s", r->title,
                 x->action == RPA_RETURN ? c : "");
        snprintf(note->link, sizeof note->link, "/reports/%" PRId64, r->id);
        st->notify[st->nnotify++] = (notify_at){x->a, note->path, x->action == RPA_RETURN ? "report_returned" : "report_accepted", note->text,
                                                note->link, ROLE_SECRETARY};
    }
    st->audits[st->naudits++] = (act_audit){x->a, x->action, r->id, r->org_id, ar->part, before, report_json(r)};
    return rc;
}

/* Writes what the acts queued: the reports' rows as the last act left them, the roll-ups, the
 * notifications and then the audit records in the acts' order. */
static int acts_write(acts_state *st)
{
    db *d = st->d;
    int rc = db_bulk_end(st->versions);
    st->versions = NULL;
    if (rc == CX_OK) rc = db_bulk_end(st->events);
    st->events = NULL;
    act_report **changed = xmalloc((size_t)(st->nreps ? st->nreps : 1) * sizeof *changed);
    int nc = 0;
    for (int i = 0; i < st->nreps; i++)
        if (st->reps[i].changed) changed[nc++] = &st->reps[i];
    if (rc == CX_OK)
        rc = db_run_each(d, "UPDATE report SET row_version = ?, updated_at = ?, draft = ?, status = ?, version = ?, submitted_at = ?, "
                            "first_submitted_on = ?, late_workdays = ?, judged_at = ?, judged_by_name = coalesce(?, judged_by_name), return_comment = ? WHERE id = ?",
                         nc, act_row_bind, changed, NULL);
    free(changed);
    if (rc == CX_OK) rc = period_add_many(d, st->periods, st->nperiods);
    if (rc == CX_OK) rc = notify_roles_many(d, st->notify, st->nnotify);
    if (rc == CX_OK) rc = acts_audit(st);
    return rc;
}

int report_acts(db *d, const report_act *v, int n, cx_err *e)
{
    if (n <= 0) return CX_OK;
    char (*c)[4 * REPORT_COMMENT_MAX + 1] = xcalloc((size_t)n, sizeof *c);
    for (int i = 0; i < n; i++)
        if (act_check(&v[i], c[i], sizeof c[i], e) != CX_OK) return free(c), CX_ERR;
    char today[11];
    date_today(today);
    if (db_begin(d, true) != CX_OK) return free(c), db_fail(d, e);
    /* every report locked (in id order) before it is read */
    int64_t *ids = xmalloc((size_t)n * sizeof *ids);
    int nids = 0;
    for (int i = 0; i < n; i++) ids[nids++] = v[i].id;
    qsort(ids, (size_t)nids, sizeof *ids, by_id);
    int m = 0;
    for (int i = 0; i < nids; i++)
        if (!m || ids[m - 1] != ids[i]) ids[m++] = ids[i];
    acts_state st = {.d = d, .reps = xcalloc((size_t)m, sizeof *st.reps), };
    int rc = db_lock_many(d, REPORT_ENTITY, ids, m);
    if (rc == CX_OK) rc = acts_read(d, ids, m, st.reps, &st.nreps);
    free(ids);
    st.periods = xmalloc((size_t)n * sizeof *st.periods);
    st.notes = xmalloc((size_t)n * sizeof *st.notes);
    st.notify = xmalloc((size_t)n * sizeof *st.notify);
    st.audits = xmalloc((size_t)n * sizeof *st.audits);
    if (rc == CX_OK) {
        st.versions = db_bulk_begin(d, "report_version", "report_id, version, sections, submitted_by, submitted_by_name, submitted_at");
        st.events = db_bulk_begin(d, "report_event", "report_id, action, comment, by_user, by_name, at");
    }
    bool refused = false;
    for (int i = 0; rc == CX_OK && i < n; i++) {
        report_act x = v[i];
        if (x.w && !x.today) x.today = today;
        if (e) e->status = 0;
        rc = act_one(&st, &x, c[i], i, e);
        refused = rc != CX_OK && e && e->status;
    }
    if (rc == CX_OK) rc = acts_write(&st);
    else {
        db_bulk_cancel(st.versions);
        db_bulk_cancel(st.events);
    }
    if (rc == CX_OK && db_commit(d) != CX_OK) rc = CX_ERR;
    if (rc != CX_OK && !refused) {
        if (db_is_constraint(d)) cx_fail(e, 409, "conflict", "", "与已有记录冲突（可能有人同时提交了相同内容），请刷新后重试");
        else cx_fail(e, 500, "db_error", "", "数据库错误：%s", db_errmsg(d));
    }
    if (rc != CX_OK) db_rollback(d);
    if (st.has_cal) workday_cal_free(&st.cal);
    for (int i = 0; i < st.nreps; i++) report_clear(&st.reps[i].r);
    free(st.reps);
    free(st.periods);
    free(st.notes);
    free(st.notify);
    for (int i = 0; i < st.naudits; i++) free(st.audits[i].before), free(st.audits[i].after);
    free(st.audits);
    free(c);
    return rc;
}

int report_write_act(db *d, const actor *a, int64_t id, int relation, report_action action, const report_write *w, const char *today,
                     cx_err *e)
{
    report_act x = {a, id, relation, action, w->row_version, w, today, NULL};
    return report_acts(d, &x, 1, e);
}

int report_judge(db *d, const actor *a, int64_t id, int relation, report_action action, int64_t row_version, const char *comment,
                 cx_err *e)
{
    report_act x = {a, id, relation, action, row_version, NULL, NULL, comment};
    return report_acts(d, &x, 1, e);
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
