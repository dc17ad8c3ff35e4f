/* pledge.c: pledges, progress entries and evidence (see pledge.h). */
#include "pledge.h"
#include "row.h"
#include "period.h"
#include "notify.h"
#include "../lib/json.h"
#include "../lib/media.h"
#include "../domain/date.h"
#include "../domain/orgpath.h"
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* ---- pledges ---- */

#define PLEDGE_COLS                                                                                                  \
    "p.id, p.org_id, coalesce(p.member_id, 0), p.campaign_id, coalesce(p.predecessor_id, 0), p.version, p.created_at, " \
    "p.updated_at, p.percent, p.status, p.area, p.title, p.content, p.measures, p.responsible, p.due_date, "            \
    "p.return_reason, p.miss_kind, p.miss_explanation, p.summary, p.grade, p.rating_comment, o.name, o.path, "          \
    "coalesce(m.name, ''), c.theme, coalesce((SELECT n.id FROM pledge n WHERE n.predecessor_id = p.id), 0), "         \
    "coalesce(m.post, ''), coalesce(p.entered_by, 0), p.confirmed_at, coalesce(eu.display_name, '')"
#define PLEDGE_FROM                                                                                                  \
    " FROM pledge p JOIN org o ON o.id = p.org_id JOIN campaign c ON c.id = p.campaign_id LEFT JOIN member m ON m.id = p.member_id" \
    " LEFT JOIN app_user eu ON eu.id = p.entered_by"

static void read_pledge(db_stmt *s, pledge *p)
{
    p->id = db_col_i64(s, 0);
    p->org_id = db_col_i64(s, 1);
    p->member_id = db_col_i64(s, 2);
    p->campaign_id = db_col_i64(s, 3);
    p->predecessor_id = db_col_i64(s, 4);
    p->version = db_col_i64(s, 5);
    p->created_at = db_col_i64(s, 6);
    p->updated_at = db_col_i64(s, 7);
    p->percent = (int)db_col_i64(s, 8);
    int st = pledge_status_from_name(db_col_text(s, 9));
    p->status = st < 0 ? PS_DRAFT : (pledge_status)st;
#define T(f, c) snprintf(p->f, sizeof p->f, "%s", db_col_text(s, c))
    T(area, 10);
    T(title, 11);
    T(content, 12);
    T(measures, 13);
    T(responsible, 14);
    T(due_date, 15);
    T(return_reason, 16);
    T(miss_kind, 17);
    T(miss_explanation, 18);
    T(summary, 19);
    T(grade, 20);
    T(rating_comment, 21);
    T(org_name, 22);
    T(org_path, 23);
    T(member_name, 24);
    T(campaign_theme, 25);
#undef T
    p->successor_id = db_col_i64(s, 26);
    snprintf(p->member_post, sizeof p->member_post, "%s", db_col_text(s, 27));
    p->entered_by = db_col_i64(s, 28);
    p->confirmed_at = db_col_i64(s, 29);
    snprintf(p->entered_name, sizeof p->entered_name, "%s", db_col_text(s, 30));
}

/* The account that enters a member's record for them (代录), or 0: an account acting on a member
 * pledge that is not that member's own (the command line, user 0, enters nothing). */
static int64_t entered_for(const actor *a, int64_t member_id)
{
    if (!member_id || !a || !a->user_id) return 0;
    return a->scope && a->scope->member_id == member_id ? 0 : a->user_id;
}

int pledge_get(db *d, int64_t id, pledge *p)
{
    memset(p, 0, sizeof *p); /* a caller never sees an output this call did not fill */
    db_stmt *s = db_prepare(d, "SELECT " PLEDGE_COLS PLEDGE_FROM " WHERE p.id = ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW) read_pledge(s, p);
    db_done(s);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : CX_ERR;
}

static char *pledge_json(const pledge *p)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "status", pledge_status_name(p->status));
    cJSON_AddStringToObject(j, "area", p->area);
    cJSON_AddStringToObject(j, "title", p->title);
    cJSON_AddStringToObject(j, "content", p->content);
    cJSON_AddStringToObject(j, "measures", p->measures);
    cJSON_AddStringToObject(j, "responsible", p->responsible);
    cJSON_AddStringToObject(j, "due_date", p->due_date);
    if (p->member_id) json_add_i64(j, "member_id", p->member_id);
    if (p->return_reason[0]) cJSON_AddStringToObject(j, "return_reason", p->return_reason);
    if (p->miss_kind[0]) cJSON_AddStringToObject(j, "miss_kind", p->miss_kind);
    if (p->grade[0]) cJSON_AddStringToObject(j, "grade", p->grade);
    if (p->entered_by) json_add_i64(j, "entered_by", p->entered_by);
    char *s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return s;
}

/* Copies the checked fields of in into p (for the audit snapshot). */
static void set_fields(pledge *p, const pledge_ok *in)
{
    memcpy(p->area, in->area, sizeof p->area);
    memcpy(p->title, in->title, sizeof p->title);
    memcpy(p->content, in->content, sizeof p->content);
    memcpy(p->measures, in->measures, sizeof p->measures);
    memcpy(p->responsible, in->responsible, sizeof p->responsible);
    memcpy(p->due_date, in->due_date, sizeof p->due_date);
}

static int insert_pledge(db *d, const actor *a, int64_t part, int64_t org_id, int64_t member_id, int64_t campaign_id, const pledge *p,
                         int64_t predecessor, int64_t *id)
{
    db_stmt *s = db_prepare(d, "INSERT INTO pledge (part, org_id, member_id, campaign_id, area, title, content, measures, "
                               "responsible, due_date, status, predecessor_id, created_at, updated_at, entered_by) "
                               "VALUES (?,?,?,?,?,?,?,?,?,?,'draft',?,?,?,?) RETURNING id");
    if (!s) return CX_ERR;
    int64_t now = now_unix();
    db_bind_i64(s, 1, part);
    db_bind_i64(s, 2, org_id);
    if (member_id) db_bind_i64(s, 3, member_id);
    else db_bind_null(s, 3);
    db_bind_i64(s, 4, campaign_id);
    db_bind_text(s, 5, p->area);
    db_bind_text(s, 6, p->title);
    db_bind_text(s, 7, p->content);
    db_bind_text(s, 8, p->measures);
    db_bind_text(s, 9, p->responsible);
    db_bind_text(s, 10, p->due_date);
    if (predecessor) db_bind_i64(s, 11, predecessor);
    else db_bind_null(s, 11);
    db_bind_i64(s, 12, now);
    db_bind_i64(s, 13, now);
    int64_t by = entered_for(a, member_id);
    if (by) db_bind_i64(s, 14, by);
    else db_bind_null(s, 14);
    int rc = db_step(s);
    if (rc == DB_ROW) *id = db_col_i64(s, 0), rc = db_step(s);
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int pledge_create(db *d, const actor *a, int64_t org_id, int64_t member_id, int64_t campaign_id, const pledge_ok *in,
                  int64_t *id, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    org o;
    if (org_get(d, org_id, &o) != 1 || !o.active) {
        db_rollback(d);
        return cx_fail(e, 404, "not_found", "org_id", "党组织不存在或已停用");
    }
    int64_t c = 0;
    db_i64(d, &c, 0, "SELECT count(*) FROM campaign WHERE id = ?", "i", campaign_id);
    if (!c) {
        db_rollback(d);
        return cx_fail(e, 400, "no_campaign", "campaign_id", "没有进行中的创先争优活动，请先由活动办公室创建活动");
    }
    pledge p = {.member_id = member_id, .status = PS_DRAFT};
    set_fields(&p, in);
    int64_t nid = 0;
    if (insert_pledge(d, a, o.part, org_id, member_id, campaign_id, &p, 0, &nid) != CX_OK) return db_fail(d, e);
    p.entered_by = entered_for(a, member_id);
    if (store_finish(d, a, "create", "pledge", nid, org_id, NULL, pledge_json(&p), CX_OK, e) != CX_OK) return CX_ERR;
    if (id) *id = nid;
    return CX_OK;
}

/* Loads the pledge inside the transaction and lets the domain decide; rolls back on refusal. */
static int begin_action(db *d, int64_t id, pledge_action action, int relation, pledge *p, pledge_status *next, cx_err *e)
{
    /* one change of a record at a time (PostgreSQL reads committed rows: two approvals at once
     * would both pass the state check, and move the quarter roll-ups twice) */
    if (db_begin(d, true) != CX_OK || db_lock(d, "pledge", id) != CX_OK) return db_fail(d, e);
    int f = pledge_get(d, id, p);
    if (f != 1) {
        db_rollback(d);
        return f == 0 ? cx_fail(e, 404, "not_found", "id", "承诺不存在") : db_fail(d, e);
    }
    if (pledge_decide(p->status, action, relation, next, e) != CX_OK) {
        db_rollback(d);
        return CX_ERR;
    }
    return CX_OK;
}

int pledge_edit(db *d, const actor *a, int64_t id, int relation, const pledge_ok *in, cx_err *e)
{
    pledge *p = xmalloc(sizeof *p);
    pledge_status next;
    int rc = CX_ERR;
    if (begin_action(d, id, PA_EDIT, relation, p, &next, e) == CX_OK) {
        if (!pledge_area_valid(p->member_id == 0, in->area)) {
            db_rollback(d);
            cx_fail(e, 400, "invalid_area", "area", "承诺领域不正确");
        } else {
            char *before = pledge_json(p);
            set_fields(p, in);
            period_rec was;
            int r = period_of(d, PK_PLEDGE, id, &was);
            if (r == CX_OK)
                r = db_run(d, "UPDATE pledge SET area = ?, title = ?, content = ?, measures = ?, responsible = ?, due_date = ?, "
                              "version = version + 1, updated_at = ? WHERE id = ?",
                           "ssssssii", p->area, p->title, p->content, p->measures, p->responsible, p->due_date, now_unix(), id);
            if (r == CX_OK) r = period_update(d, PK_PLEDGE, id, &was); /* a new due date moves its quarter */
            rc = store_finish(d, a, "edit", "pledge", id, p->org_id, before, pledge_json(p), r, e);
        }
    }
    free(p);
    return rc;
}

/* The people a pledge's new status gives something to do: submitted, those who review it
 * (perm_pledge_relation: a member's pledge, an office or secretary over its organisation; an
 * organisation's, those above it); returned, its member (an organisation's: its own office and
 * secretary). */
static int notify_status(db *d, const actor *a, const pledge *p, pledge_status next)
{
    char text[700], link[48];
    snprintf(link, sizeof link, "/pledges/%" PRId64, p->id);
    const char *who = p->member_id ? p->member_name : p->org_name;
    if (next == PS_SUBMITTED) {
        snprintf(text, sizeof text, "待审核的承诺：%s（%s）", p->title, who);
        return notify_roles(d, a, p->org_path, ROLE_ADMIN, p->member_id ? NOTIFY_UP : NOTIFY_ABOVE, "pledge_submitted", text, link);
    }
    if (next != PS_RETURNED) return CX_OK;
    snprintf(text, sizeof text, "承诺被退回，请修改后重新提交：%s", p->title);
    return p->member_id ? notify_member(d, a, p->member_id, "pledge_returned", text, link)
                        : notify_roles(d, a, p->org_path, ROLE_ADMIN, NOTIFY_AT, "pledge_returned", text, link);
}

int pledge_act(db *d, const actor *a, int64_t id, int relation, const pledge_act_ok *x, int64_t *new_id, cx_err *e)
{
    /* x was checked by pledge_act_check before anything is read, so a bad input changes nothing */
    pledge_action action = x->action;
    const char *reason = x->reason, *expl = x->explanation, *comment = x->comment, *summary = x->summary, *kind = x->miss_kind,
               *grade = x->grade;
    pledge *p = xmalloc(sizeof *p);
    pledge_status next;
    if (begin_action(d, id, action, relation, p, &next, e) != CX_OK) {
        free(p);
        return CX_ERR;
    }
    if (action == PA_COMPLETE && !summary[0] && p->percent == 0) {
        /* nothing to show for it: no progress, no percent, no summary */
        int64_t entries = 0;
        if (db_i64(d, &entries, 0, "SELECT COUNT(*) FROM pledge_progress WHERE pledge_id = ?", "i", id) != CX_OK) {
            free(p);
            return db_fail(d, e);
        }
        if (!entries) {
            db_rollback(d);
            free(p);
            return cx_fail(e, 400, "nothing_done", "summary",
                           "承诺进度为 0%%，也没有任何践诺进展，不能标记完成：请先记录践诺进展，或填写本人总结说明完成情况");
        }
    }
    char *before = pledge_json(p);
    int64_t now = now_unix();
    period_rec was;
    int rc = period_of(d, PK_PLEDGE, id, &was);
    if (rc == CX_OK) switch (action) {
    case PA_RETURN:
        rc = db_run(d, "UPDATE pledge SET status = ?, return_reason = ? WHERE id = ?", "ssi", pledge_status_name(next), reason, id);
        snprintf(p->return_reason, sizeof p->return_reason, "%s", reason);
        break;
    case PA_APPROVE:
        rc = db_run(d, "UPDATE pledge SET status = ?, approved_at = ?, return_reason = '' WHERE id = ?", "sii", pledge_status_name(next), now,
                    id);
        break;
    case PA_COMPLETE:
        rc = db_run(d, "UPDATE pledge SET status = ?, completed_at = ?, percent = 100, summary = ? WHERE id = ?", "sisi",
                    pledge_status_name(next), now, summary, id);
        break;
    case PA_MISS: {
        /* the day of the miss: it counts in the round holding this day too (grading.c) */
        char today[11];
        date_today(today);
        rc = db_run(d, "UPDATE pledge SET status = ?, miss_kind = ?, miss_explanation = ?, missed_on = ? WHERE id = ?", "ssssi",
                    pledge_status_name(next), kind, expl, today, id);
        snprintf(p->miss_kind, sizeof p->miss_kind, "%s", kind);
        break;
    }
    case PA_RATE:
        rc = db_run(d, "UPDATE pledge SET status = ?, grade = ?, rating_comment = ?, rated_at = ? WHERE id = ?", "sssii",
                    pledge_status_name(next), grade, comment, now, id);
        snprintf(p->grade, sizeof p->grade, "%s", grade);
        break;
    case PA_RENEW: {
        /* 再承诺: the successor starts as a draft copy, due a year after the old due date */
        pledge n = *p;
        int y = atoi(p->due_date);
        char today[11];
        date_today(today);
        snprintf(n.due_date, sizeof n.due_date, "%04u%.6s", (unsigned)((y < atoi(today) ? atoi(today) : y) + 1) % 10000u, p->due_date + 4);
        if (!strcmp(n.due_date + 4, "-02-29")) memcpy(n.due_date + 4, "-02-28", 6);
        int64_t nid = 0;
        org o;
        rc = org_get(d, p->org_id, &o) == 1 ? db_run(d, "UPDATE pledge SET status = ? WHERE id = ?", "si", pledge_status_name(next), id) : CX_ERR;
        if (rc == CX_OK) rc = insert_pledge(d, a, o.part, p->org_id, p->member_id, p->campaign_id, &n, id, &nid);
        if (rc == CX_OK) rc = audit_append(d, a, "create", "pledge", nid, p->org_id, NULL, "{\"renews\":true}", "ok");
        if (new_id) *new_id = nid;
        break;
    }
    default: rc = db_run(d, "UPDATE pledge SET status = ? WHERE id = ?", "si", pledge_status_name(next), id); break;
    }
    if (rc == CX_OK) rc = db_run(d, "UPDATE pledge SET version = version + 1, updated_at = ? WHERE id = ?", "ii", now, id);
    if (rc == CX_OK) rc = period_update(d, PK_PLEDGE, id, &was);
    if (rc == CX_OK) rc = notify_status(d, a, p, next);
    p->status = next;
    int r = store_finish(d, a, pledge_action_name(action), "pledge", id, p->org_id, before, pledge_json(p), rc, e);
    free(p);
    return r;
}

int pledge_confirm(db *d, const actor *a, int64_t id, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    pledge *p = xmalloc(sizeof *p);
    int f = pledge_get(d, id, p), rc = CX_ERR;
    if (f != 1) {
        db_rollback(d);
        if (f == 0) cx_fail(e, 404, "not_found", "id", "承诺不存在");
        else db_fail(d, e);
    } else if (!p->member_id || !a->scope || a->scope->member_id != p->member_id) {
        db_rollback(d);
        cx_fail(e, 403, "not_owner", "", "只有承诺人本人可以确认代录的承诺");
    } else if (!p->entered_by) {
        db_rollback(d);
        cx_fail(e, 409, "not_entered", "", "这项承诺是本人填写的，不是代录，无需确认");
    } else if (p->confirmed_at) {
        db_rollback(d);
        cx_fail(e, 409, "already_confirmed", "", "这项代录的承诺本人已确认");
    } else {
        int64_t now = now_unix();
        int r = db_run(d, "UPDATE pledge SET confirmed_at = ?, version = version + 1, updated_at = ? WHERE id = ? AND confirmed_at = 0", "iii",
                       now, now, id);
        rc = store_finish(d, a, "confirm", "pledge", id, p->org_id, NULL, xasprintf("{\"confirmed_at\":%" PRId64 "}", now), r, e);
    }
    free(p);
    return rc;
}

int pledge_add_progress(db *d, const actor *a, int64_t id, int relation, const progress_ok *in, const evidence_in *files, int nfiles, int64_t *progress_id, cx_err *e)
{
    const char *mimes[EVIDENCE_MAX_FILES];
    if (evidence_check(files, nfiles, mimes, e) != CX_OK) return CX_ERR;
    pledge *p = xmalloc(sizeof *p);
    pledge_status next;
    if (begin_action(d, id, PA_PROGRESS, relation, p, &next, e) != CX_OK) {
        free(p);
        return CX_ERR;
    }
    org o;
    int64_t now = now_unix(), pid = 0;
    /* the organisation's part places the row: without it, nothing is written */
    db_stmt *s = org_get(d, p->org_id, &o) != 1 ? NULL : db_prepare(d, "INSERT INTO pledge_progress (part, pledge_id, entry_date, text, percent, author, created_at, entered_by) "
                               "VALUES (?,?,?,?,?,?,?,NULLIF(?, CAST(0 AS BIGINT))) RETURNING id");
    int rc = CX_ERR;
    if (s) {
        db_bind_i64(s, 1, o.part);
        db_bind_i64(s, 2, id);
        db_bind_text(s, 3, in->date);
        db_bind_text(s, 4, in->text);
        db_bind_i64(s, 5, in->percent);
        db_bind_text(s, 6, actor_shown(a));
        db_bind_i64(s, 7, now);
        db_bind_i64(s, 8, entered_for(a, p->member_id));
        rc = db_step(s);
        if (rc == DB_ROW) pid = db_col_i64(s, 0), rc = db_step(s);
        rc = rc == CX_ERR ? CX_ERR : CX_OK;
        db_done(s);
    }
    for (int i = 0; rc == CX_OK && i < nfiles; i++) {
        char name[128];
        snprintf(name, sizeof name, "%s", files[i].name && utf8_valid(files[i].name, strlen(files[i].name)) ? files[i].name : "佐证");
        size_t cn; /* published: stored without EXIF/GPS and other metadata */
        void *clean = media_clean(mimes[i], files[i].data, files[i].len, &cn);
        rc = db_run(d, "INSERT INTO evidence (part, progress_id, mime, name, size, data, created_at) VALUES (?,?,?,?,?,?,?)", "iissibi",
                    o.part, pid, mimes[i], name, (int64_t)cn, clean, cn, now);
        free(clean);
    }
    if (rc == CX_OK)
        rc = db_run(d, "UPDATE pledge SET percent = ?, version = version + 1, updated_at = ? WHERE id = ?", "iii", (int64_t)in->percent, now, id);
    char *after = xasprintf("{\"progress_id\":%" PRId64 ",\"date\":\"%s\",\"percent\":%d,\"files\":%d,\"entered_by\":%" PRId64 "}", pid,
                            in->date, in->percent, nfiles, entered_for(a, p->member_id));
    int r = store_finish(d, a, "progress", "pledge", id, p->org_id, NULL, after, rc, e);
    free(p);
    if (r == CX_OK && progress_id) *progress_id = pid;
    return r;
}

int pledge_progress_list(db *d, int64_t pledge_id, progress_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT id, entry_date, text, percent, author, CASE WHEN entered_by IS NULL THEN 0 ELSE 1 END, created_at "
                               "FROM pledge_progress WHERE pledge_id = ? ORDER BY entry_date DESC, id DESC");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, pledge_id);
    size_t n = 0, cap = 0;
    progress_entry *v = NULL;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        if (n == cap) cap = cap ? cap * 2 : 8, v = xrealloc(v, cap * sizeof *v);
        progress_entry *pe = &v[n++];
        memset(pe, 0, sizeof *pe);
        pe->id = db_col_i64(s, 0);
        snprintf(pe->date, sizeof pe->date, "%s", db_col_text(s, 1));
        snprintf(pe->text, sizeof pe->text, "%s", db_col_text(s, 2));
        pe->percent = (int)db_col_i64(s, 3);
        snprintf(pe->author, sizeof pe->author, "%s", db_col_text(s, 4));
        pe->entered = db_col_i64(s, 5) != 0;
        pe->created_at = db_col_i64(s, 6);
    }
    db_done(s);
    for (size_t i = 0; rc != CX_ERR && i < n; i++) {
        s = db_prepare(d, "SELECT id, name, mime, size FROM evidence WHERE progress_id = ? ORDER BY id");
        if (!s) {
            rc = CX_ERR;
            break;
        }
        db_bind_i64(s, 1, v[i].id);
        while (db_step(s) == DB_ROW && v[i].nfiles < EVIDENCE_MAX_FILES) {
            int k = v[i].nfiles++;
            v[i].files[k].id = db_col_i64(s, 0);
            snprintf(v[i].files[k].name, sizeof v[i].files[k].name, "%s", db_col_text(s, 1));
            snprintf(v[i].files[k].mime, sizeof v[i].files[k].mime, "%s", db_col_text(s, 2));
            v[i].files[k].size = db_col_i64(s, 3);
        }
        db_done(s);
        if (fn(ctx, &v[i])) break;
    }
    free(v);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int evidence_pledge(db *d, int64_t id, int64_t *pledge_id)
{
    return db_i64(d, pledge_id, 0, "SELECT pp.pledge_id FROM evidence e JOIN pledge_progress pp ON pp.id = e.progress_id WHERE e.id = ?", "i",
                  id) != CX_OK ? CX_ERR : *pledge_id != 0;
}

int evidence_get(db *d, int64_t id, buf *out, char mime[32], char name[128], int64_t *pledge_id)
{
    return attachment_get(d, "SELECT e.mime, e.name, e.data, pp.pledge_id FROM evidence e JOIN pledge_progress pp ON pp.id = e.progress_id WHERE e.id = ?",
                          id, out, mime, name, pledge_id);
}

int pledge_progress_latest(db *d, int64_t member_id, int n, pledge_progress_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT e.pledge_id, e.id, e.entry_date, e.text, e.percent, e.author, v.id, v.name, v.mime, v.size, e.entered FROM "
                               "(SELECT pp.id, pp.pledge_id, pp.entry_date, pp.text, pp.percent, pp.author, "
                               "CASE WHEN pp.entered_by IS NULL THEN 0 ELSE 1 END AS entered, "
                               "row_number() OVER (PARTITION BY pp.pledge_id ORDER BY pp.entry_date DESC, pp.id DESC) AS k "
                               "FROM pledge p JOIN pledge_progress pp ON pp.pledge_id = p.id "
                               "WHERE p.member_id = ? AND p.status IN ('in_progress','completed','missed','rated','renewed')) e "
                               "LEFT JOIN evidence v ON v.progress_id = e.id WHERE e.k <= ? "
                               "ORDER BY e.pledge_id, e.entry_date DESC, e.id DESC, v.id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, member_id);
    db_bind_i64(s, 2, n);
    progress_entry *pe = xmalloc(sizeof *pe);
    int64_t pledge_id = 0;
    bool have = false, stop = false;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        int64_t id = db_col_i64(s, 1);
        if (!have || id != pe->id) { /* a new entry: hand over the one before */
            if (have && (stop = fn(ctx, pledge_id, pe) != 0)) break;
            memset(pe, 0, sizeof *pe);
            have = true;
            pledge_id = db_col_i64(s, 0);
            pe->id = id;
            snprintf(pe->date, sizeof pe->date, "%s", db_col_text(s, 2));
            snprintf(pe->text, sizeof pe->text, "%s", db_col_text(s, 3));
            pe->percent = (int)db_col_i64(s, 4);
            snprintf(pe->author, sizeof pe->author, "%s", db_col_text(s, 5));
            pe->entered = db_col_i64(s, 10) != 0;
        }
        if (!db_col_null(s, 6) && pe->nfiles < EVIDENCE_MAX_FILES) {
            int k = pe->nfiles++;
            pe->files[k].id = db_col_i64(s, 6);
            snprintf(pe->files[k].name, sizeof pe->files[k].name, "%s", db_col_text(s, 7));
            snprintf(pe->files[k].mime, sizeof pe->files[k].mime, "%s", db_col_text(s, 8));
            pe->files[k].size = db_col_i64(s, 9);
        }
    }
    db_done(s);
    if (rc != CX_ERR && have && !stop) fn(ctx, pledge_id, pe);
    free(pe);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* The conditions of the filters present, shared by list and count; end and today must outlive q. */
static void pledge_where(db_q *q, const pledge_query *f, char end[CX_PATH_MAX], char today[11])
{
    static const char *public_states = "p.status IN ('in_progress','completed','missed','rated','renewed')";
    char cond[160];
    if (f->member_id) db_q_where(q, "p.member_id = ?", "i", f->member_id);
    if (f->root && f->subtree) {
        orgpath_end(f->root->path, end, CX_PATH_MAX);
        db_q_where(q, "o.path >= ? AND o.path < ?", "ss", f->root->path, end);
    }
    if (f->root && !f->subtree) db_q_where(q, "p.org_id = ?", "i", f->root->id);
    if (f->org_only) db_q_where(q, "p.member_id IS NULL", "");
    if (f->member_only) db_q_where(q, "p.member_id IS NOT NULL", "");
    if (f->status >= 0) db_q_where(q, "p.status = ?", "s", pledge_status_name((pledge_status)f->status));
    if (f->public_only) db_q_where(q, public_states, "");
    if (f->drafts_hidden) {
        snprintf(cond, sizeof cond, "(%s OR p.member_id = ?)", public_states);
        db_q_where(q, cond, "i", f->own_member);
    }
    if (f->overdue) {
        date_today(today);
        db_q_where(q, "p.status IN ('submitted','returned','in_progress') AND p.due_date < ?", "s", today);
    }
    if (f->due_from && *f->due_from) db_q_where(q, "p.due_date >= ?", "s", f->due_from);
    if (f->due_to && *f->due_to) db_q_where(q, "p.due_date <= ?", "s", f->due_to);
}

int pledge_list(db *d, const pledge_query *f, pledge_fn fn, void *ctx)
{
    char end[CX_PATH_MAX], today[11];
    db_q q;
    db_q_init(&q, "SELECT " PLEDGE_COLS PLEDGE_FROM);
    pledge_where(&q, f, end, today);
    db_stmt *s = page_stmt(d, &q, " ORDER BY p.due_date, p.id", f->offset, f->limit);
    if (!s) return CX_ERR;
    return DB_EACH(s, pledge, read_pledge, fn, ctx);
}

int pledge_count(db *d, const pledge_query *f, int64_t *n)
{
    char end[CX_PATH_MAX], today[11];
    db_q q;
    db_q_init(&q, "SELECT count(*)" PLEDGE_FROM);
    pledge_where(&q, f, end, today);
    return db_q_count(d, &q, n);
}

int pledge_record(db *d, int64_t member_id, int64_t *kept, int64_t *public_total, int64_t *missed)
{
    *kept = *public_total = *missed = 0;
    db_stmt *s = db_prepare(d, "SELECT "
                               "coalesce(sum(CASE WHEN completed_at > 0 AND status IN ('completed','rated','renewed') THEN 1 ELSE 0 END), 0), "
                               "coalesce(sum(CASE WHEN status IN ('in_progress','completed','missed','rated','renewed') THEN 1 ELSE 0 END), 0), "
                               "coalesce(sum(CASE WHEN miss_kind <> '' THEN 1 ELSE 0 END), 0) FROM pledge WHERE member_id = ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, member_id);
    int rc = db_step(s);
    if (rc == DB_ROW) *kept = db_col_i64(s, 0), *public_total = db_col_i64(s, 1), *missed = db_col_i64(s, 2);
    db_done(s);
    return rc == DB_ROW ? CX_OK : CX_ERR;
}

/* A board validator: "<org and members>-<pledges>-<sum of pledge versions>". */
static int version_of(db *d, const char *sql, int64_t id, char etag[64])
{
    db_stmt *s = db_prepare(d, sql);
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    db_bind_i64(s, 2, id);
    int rc = db_step(s);
    if (rc == DB_ROW)
        snprintf(etag, 64, "\"%" PRId64 "-%" PRId64 "-%" PRId64 "\"", db_col_i64(s, 0), db_col_i64(s, 1), db_col_i64(s, 2));
    db_done(s);
    return rc == DB_ROW ? CX_OK : CX_ERR;
}

int pledge_card_version(db *d, int64_t member_id, char etag[64])
{
    /* one query: 0 when the member (or their organisation) is missing or inactive */
    /* the card shows the member, their organisation's name and their pledges: all three count */
    db_stmt *s = db_prepare(d, "SELECT m.version, o.version, (SELECT count(*) FROM pledge WHERE member_id = m.id), "
                               "(SELECT coalesce(sum(version), 0) FROM pledge WHERE member_id = m.id) "
                               /* the member's posts and areas (issue 19): holders and each post's version */
                               "+ (SELECT coalesce(sum(w.version + h.id + coalesce(h.until, 0)), 0) FROM post_holder h JOIN service_window w ON w.id = h.window_id WHERE h.member_id = m.id) "
                               /* the member's honours (评选表彰): approval and revocation bump row_version */
                               "+ (SELECT coalesce(sum(n.row_version + n.id), 0) FROM award_nomination n WHERE n.subject_kind = 'member' AND n.subject_id = m.id AND n.status IN ('awarded','revoked')) "
                               "FROM member m JOIN org o ON o.id = m.org_id WHERE m.id = ? AND m.active = 1 AND o.active = 1");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, member_id);
    int rc = db_step(s);
    if (rc == DB_ROW)
        snprintf(etag, 64, "\"c%" PRId64 "-%" PRId64 "-%" PRId64 "-%" PRId64 "-%" PRId64 "\"", member_id, db_col_i64(s, 0),
                 db_col_i64(s, 1), db_col_i64(s, 2), db_col_i64(s, 3));
    db_done(s);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : CX_ERR;
}

int pledge_board_version(db *d, int64_t org_id, char etag[64])
{
    /* the board shows the org, its members and their pledges: any change bumps one of these */
    return version_of(d, "SELECT (SELECT version FROM org WHERE id = ?) * 1000003 + (SELECT coalesce(sum(version), 0) + count(*) FROM member WHERE org_id = o.id), "
                         "count(*), coalesce(sum(p.version), 0) "
                         /* honours of the org and its members (评选表彰) */
                         "+ (SELECT coalesce(sum(n.row_version + n.id), 0) FROM award_nomination n WHERE n.status IN ('awarded','revoked') AND "
                         "((n.subject_kind = 'org' AND n.subject_id = o.id) OR (n.subject_kind = 'member' AND n.org_id = o.id))) FROM org o LEFT JOIN pledge p ON p.org_id = o.id WHERE o.id = ? GROUP BY o.id",
                      org_id, etag);
}
