/* rect.c: rectification items, evidence, history and escalation (see rect.h). */
#include "rect.h"
#include "row.h"
#include "notify.h"
#include "inspection.h"
#include "period.h"
#include "../lib/json.h"
#include "../lib/media.h"
#include "../domain/date.h"
#include "../domain/orgpath.h"
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define RECT_COLS                                                                                                  \
    "r.id, r.org_id, coalesce(r.member_id, 0), coalesce(r.source_id, 0), r.created_by, coalesce(r.escalated_to, 0), " \
    "r.version, r.created_at, r.updated_at, r.status, r.source, (SELECT count(*) FROM rect_evidence x WHERE x.rect_id = r.id), " \
    "r.source_kind, r.problem, r.measure, r.owner, r.due_date, r.completion_note, r.no_evidence_reason, r.verify_note, " \
    "r.reopen_reason, r.cancel_reason, r.created_by_name, r.submitted_on, r.verified_on, r.verified_by, r.escalated_on, " \
    "o.name, o.path, coalesce(m.name, ''), coalesce(eo.name, '')"
#define RECT_FROM                                                                                                  \
    " FROM rectification r JOIN org o ON o.id = r.org_id LEFT JOIN member m ON m.id = r.member_id"                \
    " LEFT JOIN org eo ON eo.id = r.escalated_to"

static void read_rect(db_stmt *s, rect *r)
{
    int64_t *ids[] = {&r->id, &r->org_id, &r->member_id, &r->source_id, &r->created_by, &r->escalated_to,
                      &r->version, &r->created_at, &r->updated_at};
    for (int i = 0; i < 9; i++) *ids[i] = db_col_i64(s, i);
    int st = rect_status_from_name(db_col_text(s, 9)), src = rect_source_from_name(db_col_text(s, 10));
    r->status = st < 0 ? RS_OPEN : (rect_status)st;
    r->source = src < 0 ? RSRC_MANUAL : (rect_source)src;
    r->nevidence = db_col_i64(s, 11);
    struct { char *dst; size_t cap; } t[] = {
        {r->source_kind, sizeof r->source_kind}, {r->problem, sizeof r->problem}, {r->measure, sizeof r->measure},
        {r->owner, sizeof r->owner}, {r->due_date, sizeof r->due_date}, {r->completion_note, sizeof r->completion_note},
        {r->no_evidence_reason, sizeof r->no_evidence_reason}, {r->verify_note, sizeof r->verify_note},
        {r->reopen_reason, sizeof r->reopen_reason}, {r->cancel_reason, sizeof r->cancel_reason},
        {r->created_by_name, sizeof r->created_by_name}, {r->submitted_on, sizeof r->submitted_on},
        {r->verified_on, sizeof r->verified_on}, {r->verified_by, sizeof r->verified_by},
        {r->escalated_on, sizeof r->escalated_on}, {r->org_name, sizeof r->org_name}, {r->org_path, sizeof r->org_path},
        {r->member_name, sizeof r->member_name}, {r->escalated_to_name, sizeof r->escalated_to_name},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) snprintf(t[i].dst, t[i].cap, "%s", db_col_text(s, 12 + (int)i));
}

int rect_get(db *d, int64_t id, rect *r)
{
    memset(r, 0, sizeof *r); /* a caller never sees an output this call did not fill */
    db_stmt *s = db_prepare(d, "SELECT " RECT_COLS RECT_FROM " WHERE r.id = ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW) read_rect(s, r);
    db_done(s);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : CX_ERR;
}

int rect_of_source(db *d, const char *source_kind, int64_t source_id, int64_t *id)
{
    *id = 0;
    if (db_i64(d, id, 0, "SELECT max(id) FROM rectification WHERE source_kind = ? AND source_id = ?", "si", source_kind, source_id) != CX_OK)
        return CX_ERR;
    return *id != 0;
}

/* The audit snapshot of an item. */
static char *rect_json(const rect *r)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "status", rect_status_name(r->status));
    cJSON_AddStringToObject(j, "source", rect_source_name(r->source));
    if (r->source_kind[0]) cJSON_AddStringToObject(j, "source_kind", r->source_kind);
    if (r->source_id) json_add_i64(j, "source_id", r->source_id);
    if (r->member_id) json_add_i64(j, "member_id", r->member_id);
    cJSON_AddStringToObject(j, "problem", r->problem);
    cJSON_AddStringToObject(j, "measure", r->measure);
    cJSON_AddStringToObject(j, "owner", r->owner);
    cJSON_AddStringToObject(j, "due_date", r->due_date);
    const char *opt[][2] = {{"completion_note", r->completion_note}, {"no_evidence_reason", r->no_evidence_reason},
                            {"verify_note", r->verify_note},         {"reopen_reason", r->reopen_reason},
                            {"cancel_reason", r->cancel_reason},     {"escalated_on", r->escalated_on}};
    for (size_t i = 0; i < sizeof opt / sizeof opt[0]; i++)
        if (opt[i][1][0]) cJSON_AddStringToObject(j, opt[i][0], opt[i][1]);
    if (r->escalated_to) json_add_i64(j, "escalated_to", r->escalated_to);
    char *s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return s;
}

/* One line of the item's history. */
static int add_event(db *d, int64_t part, const rect *r, const char *action, const char *note, const char *on, const actor *a)
{
    char today[11];
    if (!on) date_today(today), on = today;
    return db_run(d, "INSERT INTO rect_event (part, rect_id, action, status, note, due_date, on_date, actor, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
                  "iissssssi", part, r->id, action, rect_status_name(r->status), note ? note : "", r->due_date, on,
                  actor_shown(a), now_unix());
}

/* Creates the item in the caller's write transaction (see rect_create). */
int rect_create_tx(db *d, const actor *a, int64_t org_id, const rect_new_ok *in, int64_t *id, cx_err *e)
{
    rect *r = xcalloc(1, sizeof *r);
    org o;
    int f = org_get(d, org_id, &o);
    if (f != 1 || !o.active) {
        free(r);
        return f == CX_ERR ? cx_fail(e, 500, "db_error", "", "数据库错误：%s", db_errmsg(d))
                           : cx_fail(e, 404, "not_found", "org_id", "党组织不存在或已停用");
    }
    if (in->member_id) {
        member m;
        if (member_get(d, in->member_id, &m) != 1 || m.org_id != org_id || !m.active) {
            free(r);
            return cx_fail(e, 400, "invalid_member", "member_id", "所选党员不在“%s”或已停用", o.name);
        }
    }
    r->org_id = org_id;
    r->member_id = in->member_id;
    r->source = in->source;
    r->source_id = in->source_id;
    snprintf(r->source_kind, sizeof r->source_kind, "%s", in->source_kind);
    snprintf(r->problem, sizeof r->problem, "%s", in->problem);
    snprintf(r->measure, sizeof r->measure, "%s", in->measure);
    snprintf(r->owner, sizeof r->owner, "%s", in->owner);
    memcpy(r->due_date, in->due_date, sizeof r->due_date);
    r->status = RS_OPEN;
    db_stmt *s = db_prepare(d, "INSERT INTO rectification (part, org_id, member_id, source, source_kind, source_id, problem, measure, owner, "
                               "due_date, status, created_by, created_by_name, created_at, updated_at) "
                               "VALUES (?,?,?,?,?,?,?,?,?,?,'open',?,?,?,?) RETURNING id");
    int rc = CX_ERR;
    if (s) {
        int64_t now = now_unix();
        db_bind_i64(s, 1, o.part);
        db_bind_i64(s, 2, org_id);
        if (r->member_id) db_bind_i64(s, 3, r->member_id);
        else db_bind_null(s, 3);
        db_bind_text(s, 4, rect_source_name(r->source));
        db_bind_text(s, 5, r->source_kind);
        if (r->source_id) db_bind_i64(s, 6, r->source_id);
        else db_bind_null(s, 6);
        db_bind_text(s, 7, r->problem);
        db_bind_text(s, 8, r->measure);
        db_bind_text(s, 9, r->owner);
        db_bind_text(s, 10, r->due_date);
        db_bind_i64(s, 11, a ? a->user_id : 0);
        db_bind_text(s, 12, actor_shown(a));
        db_bind_i64(s, 13, now);
        db_bind_i64(s, 14, now);
        rc = db_step(s);
        if (rc == DB_ROW) r->id = db_col_i64(s, 0), rc = db_step(s);
        db_done(s);
    }
    if (rc != CX_ERR) rc = period_update(d, PK_RECT, r->id, &(period_rec){0});
    if (rc != CX_ERR) rc = add_event(d, o.part, r, "create", r->problem, NULL, a);
    char *after = rect_json(r);
    if (rc != CX_ERR) rc = audit_append(d, a, "create", "rectification", r->id, org_id, NULL, after, "ok");
    free(after);
    if (rc == CX_ERR) cx_fail(e, 500, "db_error", "", "数据库错误：%s", db_errmsg(d));
    else if (id) *id = r->id;
    free(r);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int rect_create(db *d, const actor *a, int64_t org_id, const rect_new_ok *in, int64_t *id, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    if (rect_create_tx(d, a, org_id, in, id, e) != CX_OK) {
        db_rollback(d);
        return CX_ERR;
    }
    return db_commit(d) == CX_OK ? CX_OK : db_fail(d, e);
}

/* Loads the item inside a new write transaction and lets the domain decide; rolls back on refusal. */
static int begin_action(db *d, int64_t id, rect_action action, int relation, rect *r, rect_status *next, cx_err *e)
{
    /* one change of a record at a time (PostgreSQL reads committed rows: two approvals at once
     * would both pass the state check, and move the quarter roll-ups twice) */
    if (db_begin(d, true) != CX_OK || db_lock(d, "rectification", id) != CX_OK) return db_fail(d, e);
    int f = rect_get(d, id, r);
    if (f != 1) {
        if (f == CX_ERR) return db_fail(d, e);
        db_rollback(d);
        return cx_fail(e, 404, "not_found", "id", "整改事项不存在或不在您的管理范围内");
    }
    if (rect_decide(r->status, action, relation, next, e) != CX_OK) {
        db_rollback(d);
        return CX_ERR;
    }
    return CX_OK;
}

/* The part (partition) of an item's organisation, for new rows. */
static int64_t part_of(db *d, int64_t org_id)
{
    int64_t part = 0;
    db_i64(d, &part, 0, "SELECT part FROM org WHERE id = ?", "i", org_id);
    return part;
}

int rect_act(db *d, const actor *a, int64_t id, int relation, const rect_act_ok *x, cx_err *e)
{
    /* x was checked by rect_act_check before anything is read, so a bad input changes nothing */
    rect_action action = x->action;
    if (action <= RA_EVIDENCE || action >= RA_COUNT) return cx_fail(e, 400, "invalid_action", "action", "不支持的操作"); /* never cancel by mistake */
    const char *note = x->note, *reason = x->reason, *due = x->due;
    char why[sizeof x->why];
    memcpy(why, x->why, sizeof why);
    rect *r = xmalloc(sizeof *r);
    rect_status next;
    if (begin_action(d, id, action, relation, r, &next, e) != CX_OK) {
        free(r);
        return CX_ERR;
    }
    if (action == RA_SUBMIT && rect_check_evidence((int)r->nevidence, why, e) != CX_OK) {
        db_rollback(d);
        free(r);
        return CX_ERR;
    }
    char *before = rect_json(r), today[11];
    date_today(today);
    const char *who = actor_shown(a);
    const char *event_note = note;
    period_rec was;
    int rc = period_of(d, PK_RECT, id, &was);
    if (rc == CX_OK) switch (action) {
    case RA_SUBMIT:
        rc = db_run(d, "UPDATE rectification SET status = ?, completion_note = ?, no_evidence_reason = ?, submitted_on = ? WHERE id = ?",
                    "ssssi", rect_status_name(next), note, why, today, id);
        snprintf(r->completion_note, sizeof r->completion_note, "%s", note);
        snprintf(r->no_evidence_reason, sizeof r->no_evidence_reason, "%s", why);
        break;
    case RA_VERIFY:
        rc = db_run(d, "UPDATE rectification SET status = ?, verify_note = ?, verified_on = ?, verified_by = ? WHERE id = ?", "ssssi",
                    rect_status_name(next), note, today, who, id);
        snprintf(r->verify_note, sizeof r->verify_note, "%.*s", (int)sizeof r->verify_note - 1, note); /* a verify note is at most RECT_REASON_MAX characters */
        break;
    case RA_REOPEN: /* the submission stays in the history; the item starts over, with its evidence */
        if (due[0]) snprintf(r->due_date, sizeof r->due_date, "%s", due);
        rc = db_run(d, "UPDATE rectification SET status = ?, reopen_reason = ?, due_date = ?, completion_note = '', no_evidence_reason = '', "
                       "submitted_on = '' WHERE id = ?",
                    "sssi", rect_status_name(next), reason, r->due_date, id);
        snprintf(r->reopen_reason, sizeof r->reopen_reason, "%s", reason);
        r->completion_note[0] = r->no_evidence_reason[0] = 0;
        event_note = reason;
        break;
    default: /* RA_CANCEL */
        rc = db_run(d, "UPDATE rectification SET status = ?, cancel_reason = ? WHERE id = ?", "ssi", rect_status_name(next), reason, id);
        snprintf(r->cancel_reason, sizeof r->cancel_reason, "%s", reason);
        event_note = reason;
        break;
    }
    if (rc == CX_OK) rc = finding_rect_moved(d, id, r->status, next); /* findings_closed of an inspection's finding */
    r->status = next;
    if (rc == CX_OK) rc = db_run(d, "UPDATE rectification SET version = version + 1, updated_at = ? WHERE id = ?", "ii", now_unix(), id);
    if (rc == CX_OK) rc = period_update(d, PK_RECT, id, &was);
    if (rc == CX_OK && action == RA_SUBMIT) { /* to those who verify it: an office or secretary above (rect_relation) */
        char text[4500], link[48]; /* cut to a notification's length by notify_roles */
        snprintf(text, sizeof text, "待验收销号的整改事项：%s（%s）", r->org_name, r->problem);
        snprintf(link, sizeof link, "/rectifications/%" PRId64, id);
        rc = notify_roles(d, a, r->org_path, ROLE_ADMIN, NOTIFY_ABOVE, "rect_submitted", text, link);
    }
    if (rc == CX_OK) rc = add_event(d, part_of(d, r->org_id), r, rect_action_name(action), event_note, today, a);
    int out = store_finish(d, a, rect_action_name(action), "rectification", id, r->org_id, before, rect_json(r), rc, e);
    free(r);
    return out;
}

int rect_add_evidence(db *d, const actor *a, int64_t id, int relation, const evidence_in *files, int nfiles, cx_err *e)
{
    if (nfiles < 1) return cx_fail(e, 400, "required", "evidence", "请选择要上传的佐证文件（JPEG、PNG 图片或 PDF）");
    const char *mimes[EVIDENCE_MAX_FILES];
    if (evidence_check(files, nfiles, mimes, e) != CX_OK) return CX_ERR;
    rect *r = xmalloc(sizeof *r);
    rect_status next;
    if (begin_action(d, id, RA_EVIDENCE, relation, r, &next, e) != CX_OK) {
        free(r);
        return CX_ERR;
    }
    if (r->nevidence + nfiles > RECT_EVIDENCE_MAX) {
        db_rollback(d);
        cx_fail(e, 400, "too_many_files", "evidence", "每个整改事项最多 %d 个佐证文件（已有 %" PRId64 " 个）", RECT_EVIDENCE_MAX, r->nevidence);
        free(r);
        return CX_ERR;
    }
    int64_t part = part_of(d, r->org_id), now = now_unix();
    const char *who = actor_shown(a);
    cJSON *names = cJSON_CreateArray();
    buf list;
    buf_init(&list);
    int rc = CX_OK;
    for (int i = 0; rc == CX_OK && i < nfiles; i++) {
        char name[128];
        snprintf(name, sizeof name, "%s", files[i].name && *files[i].name && utf8_valid(files[i].name, strlen(files[i].name)) ? files[i].name : "佐证");
        size_t cn; /* stored without EXIF/GPS and other metadata */
        void *clean = media_clean(mimes[i], files[i].data, files[i].len, &cn);
        rc = db_run(d, "INSERT INTO rect_evidence (part, rect_id, mime, name, size, data, author, created_at) VALUES (?,?,?,?,?,?,?,?)",
                    "iissibsi", part, id, mimes[i], name, (int64_t)cn, clean, cn, who, now);
        free(clean);
        cJSON_AddItemToArray(names, cJSON_CreateString(name));
        buf_printf(&list, "%s%s", i ? "、" : "", name);
    }
    if (rc == CX_OK) rc = db_run(d, "UPDATE rectification SET version = version + 1, updated_at = ? WHERE id = ?", "ii", now, id);
    if (rc == CX_OK) rc = add_event(d, part, r, "evidence", list.p ? list.p : "", NULL, a);
    buf_free(&list);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddItemToObject(j, "evidence", names);
    char *after = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    int out = store_finish(d, a, "evidence", "rectification", id, r->org_id, NULL, after, rc, e);
    free(r);
    return out;
}

int rect_evidence_list(db *d, int64_t rect_id, attachment_fn fn, void *ctx)
{
    return attachment_list(d, "SELECT id, size, name, mime, author FROM rect_evidence WHERE rect_id = ? ORDER BY id", rect_id, fn, ctx);
}

int rect_evidence_owner(db *d, int64_t id, int64_t *rect_id)
{
    return db_i64(d, rect_id, 0, "SELECT rect_id FROM rect_evidence WHERE id = ?", "i", id) != CX_OK ? CX_ERR : *rect_id != 0;
}

int rect_evidence_get(db *d, int64_t id, buf *out, char mime[32], char name[128])
{
    return attachment_get(d, "SELECT mime, name, data FROM rect_evidence WHERE id = ?", id, out, mime, name, NULL);
}

int rect_history(db *d, int64_t rect_id, rect_event_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT action, status, note, due_date, on_date, actor FROM rect_event WHERE rect_id = ? ORDER BY id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, rect_id);
    rect_event *ev = xmalloc(sizeof *ev);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        struct { char *dst; size_t cap; } t[] = {{ev->action, sizeof ev->action}, {ev->status, sizeof ev->status},
                                                 {ev->note, sizeof ev->note},     {ev->due_date, sizeof ev->due_date},
                                                 {ev->on_date, sizeof ev->on_date}, {ev->actor, sizeof ev->actor}};
        for (int i = 0; i < 6; i++) snprintf(t[i].dst, t[i].cap, "%s", db_col_text(s, i));
        if (fn(ctx, ev)) break;
    }
    free(ev);
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* The conditions of the filters present, shared by list and count; end and today must outlive q. */
static void rect_where(db_q *q, const rect_query *f, char end[CX_PATH_MAX], char today[11])
{
    if (f->scope == RQ_SUBTREE) {
        orgpath_end(f->root->path, end, CX_PATH_MAX);
        db_q_where(q, "o.path >= ? AND o.path < ?", "ss", f->root->path, end);
    }
    if (f->scope == RQ_OWN) db_q_where(q, "r.org_id = ?", "i", f->root->id);
    if (f->scope == RQ_ESCALATED) db_q_where(q, "r.id IN (SELECT x.rect_id FROM rect_escalation x WHERE x.to_org_id = ?)", "i", f->root->id);
    if (f->status >= 0) db_q_where(q, "r.status = ?", "s", rect_status_name((rect_status)f->status));
    if (f->overdue) {
        if (f->as_of) snprintf(today, 11, "%s", f->as_of);
        else date_today(today);
        db_q_where(q, "r.status IN ('open','submitted') AND r.due_date < ?", "s", today);
    }
}

int rect_list(db *d, const rect_query *f, rect_fn fn, void *ctx)
{
    char end[CX_PATH_MAX], today[11];
    db_q q;
    db_q_init(&q, "SELECT " RECT_COLS RECT_FROM);
    rect_where(&q, f, end, today);
    db_stmt *s = page_stmt(d, &q, " ORDER BY r.due_date, r.id", f->offset, f->limit);
    if (!s) return CX_ERR;
    return DB_EACH(s, rect, read_rect, fn, ctx);
}

int rect_count(db *d, const rect_query *f, int64_t *n)
{
    char end[CX_PATH_MAX], today[11];
    db_q q;
    db_q_init(&q, "SELECT count(*)" RECT_FROM);
    rect_where(&q, f, end, today);
    return db_q_count(d, &q, n);
}

/* Escalates one item if it still qualifies (re-read inside the transaction); 1 escalated, 0 not. */
static int escalate_one(db *d, const actor *a, int64_t id, const char *today, rect *r, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    org o, parent;
    int f = rect_get(d, id, r);
    if (f == 1) f = org_get(d, r->org_id, &o);
    if (f == 1) f = o.parent_id ? org_get(d, o.parent_id, &parent) : 0;
    if (f == CX_ERR) return db_fail(d, e);
    if (f == 0 || !rect_overdue(r->status, r->due_date, today)) {
        db_rollback(d);
        return 0;
    }
    int64_t eid = 0;
    if (db_i64(d, &eid, 0, "INSERT INTO rect_escalation (part, rect_id, due_date, from_org_id, to_org_id, escalated_on, created_at) "
                           "VALUES (?,?,?,?,?,?,?) ON CONFLICT DO NOTHING RETURNING id",
               "iisiisi", o.part, id, r->due_date, o.id, parent.id, today, now_unix()) != CX_OK)
        return db_fail(d, e);
    if (!eid) { /* already escalated for this due date */
        db_rollback(d);
        return 0;
    }
    r->escalated_to = parent.id;
    snprintf(r->escalated_on, sizeof r->escalated_on, "%s", today);
    snprintf(r->escalated_to_name, sizeof r->escalated_to_name, "%s", parent.name);
    char note[512];
    snprintf(note, sizeof note, "逾期 %" PRId64 " 天未销号（完成时限 %s），上报至%s", rect_days_overdue(r->status, r->due_date, today),
             r->due_date, parent.name);
    int rc = db_run(d, "UPDATE rectification SET escalated_to = ?, escalated_on = ?, version = version + 1, updated_at = ? WHERE id = ?",
                    "isii", parent.id, today, now_unix(), id);
    if (rc == CX_OK) rc = add_event(d, o.part, r, "escalate", note, today, a);
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "to_org_id", parent.id);
    cJSON_AddStringToObject(j, "to_org", parent.name);
    cJSON_AddStringToObject(j, "due_date", r->due_date);
    cJSON_AddStringToObject(j, "escalated_on", today);
    char *after = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return store_finish(d, a, "escalate", "rectification", id, r->org_id, NULL, after, rc, e) == CX_OK ? 1 : CX_ERR;
}

int rect_escalate(db *d, const actor *a, const char *today, rect_fn fn, void *ctx, int64_t *n, cx_err *e)
{
    char now[11];
    if (!today) date_today(now), today = now;
    *n = 0;
    /* the candidates first (a read), then one write transaction each */
    db_stmt *s = db_prepare(d, "SELECT r.id FROM rectification r JOIN org o ON o.id = r.org_id "
                               "WHERE r.status IN ('open','submitted') AND r.due_date < ? AND coalesce(o.parent_id, 0) > 0 "
                               "AND NOT EXISTS (SELECT 1 FROM rect_escalation x WHERE x.rect_id = r.id AND x.due_date = r.due_date) ORDER BY r.id");
    if (!s) return db_fail(d, e);
    db_bind_text(s, 1, today);
    size_t cnt = 0, cap = 0;
    int64_t *ids = NULL;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        if (cnt == cap) cap = cap ? cap * 2 : 64, ids = xrealloc(ids, cap * sizeof *ids);
        ids[cnt++] = db_col_i64(s, 0);
    }
    db_done(s);
    if (rc == CX_ERR) {
        free(ids);
        return db_fail(d, e);
    }
    rect *r = xmalloc(sizeof *r);
    for (size_t i = 0; i < cnt && rc != CX_ERR; i++) {
        rc = escalate_one(d, a, ids[i], today, r, e);
        if (rc == 1) {
            (*n)++;
            if (fn) fn(ctx, r);
        }
    }
    free(r);
    free(ids);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int rect_from_record(db *d, const actor *a, const char *table, int64_t id, int64_t org_id, const char *org_path, const rect_new_ok *in,
                     const char *notice, const char *taken, int64_t *rect_id, cx_err *e)
{
    int64_t rid = 0, changed = 0;
    if (rect_create_tx(d, a, org_id, in, &rid, e) != CX_OK) return refuse(d);
    char sql[160];
    snprintf(sql, sizeof sql, "UPDATE %s SET rect_id = ? WHERE id = ? AND rect_id IS NULL", table);
    db_stmt *s = db_prepare(d, sql);
    if (!s) return db_fail(d, e);
    db_bind_i64(s, 1, rid);
    db_bind_i64(s, 2, id);
    int rc = db_step(s);
    if (rc == DB_DONE) changed = db_changes(s);
    db_done(s);
    if (rc == CX_ERR) return db_fail(d, e);
    if (!changed) { /* the other of two at once made it */
        cx_fail(e, 409, "already_rectified", "id", "%s已经转为整改事项", taken);
        return refuse(d);
    }
    char text[4700], link[48];
    snprintf(text, sizeof text, "%s（%s），完成时限 %s", notice, in->problem, in->due_date);
    snprintf(link, sizeof link, "/rectifications/%" PRId64, rid);
    rc = notify_roles(d, a, org_path, ROLE_SECRETARY, NOTIFY_AT, "rect_created", text, link);
    rc = store_finish(d, a, "rectify", table, id, org_id, NULL, xasprintf("{\"rect_id\":%" PRId64 "}", rid), rc, e);
    if (rc == CX_OK && rect_id) *rect_id = rid;
    return rc;
}
