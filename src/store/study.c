/* study.c: study notes (see study.h). */
#include "study.h"
#include "period.h"
#include "row.h"
#include "../domain/date.h"
#include "../domain/orgpath.h"
#include "../domain/text.h"
#include "../lib/json.h"
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

int study_note_add(db *d, const actor *a, int64_t member_id, int64_t meeting_id, const char *material, const char *text, int64_t *id, cx_err *e)
{
    text_rule tr = {"text", "心得内容", 1, STUDY_TEXT_MAX, false};
    text_rule mr = {"material", "学习材料", meeting_id ? 0 : 1, STUDY_MATERIAL_MAX, true};
    char *t = text_dup(&tr, text, e);
    if (!t) return CX_ERR;
    char mat[4 * STUDY_MATERIAL_MAX + 1];
    if (text_check(&mr, material, mat, sizeof mat, e) != CX_OK) return free(t), CX_ERR;
    if (db_begin(d, true) != CX_OK) return free(t), db_fail(d, e);
    member *m = xmalloc(sizeof *m);
    int f = member_get(d, member_id, m);
    if (f == CX_ERR) return free(t), free(m), db_fail(d, e);
    if (!f || !m->active) {
        free(t), free(m);
        cx_fail(e, 404, "not_found", "member_id", "党员不存在或已不在册");
        return refuse(d);
    }
    if (meeting_id) {
        char path[CX_PATH_MAX] = "", kind[24] = "", status[16] = "";
        db_stmt *s = db_prepare(d, "SELECT o.path, g.kind, g.status FROM meeting g JOIN org o ON o.id = g.org_id WHERE g.id = ?");
        if (!s) return free(t), free(m), db_fail(d, e);
        db_bind_i64(s, 1, meeting_id);
        if (db_step(s) == DB_ROW) copy_col(path, sizeof path, s, 0), copy_col(kind, sizeof kind, s, 1), copy_col(status, sizeof status, s, 2);
        db_done(s);
        if (!path[0] || strcmp(kind, "study") || !strcmp(status, "cancelled") || !path_in_subtree(m->org_path, path)) {
            free(t), free(m);
            cx_fail(e, 422, "invalid_meeting", "meeting_id", "第 %" PRId64 " 号会议不是本组织（或上级组织）的学习会，或已取消", meeting_id);
            return refuse(d);
        }
    }
    char today[11];
    date_today(today);
    int64_t nid = 0, now = now_unix();
    int rc = db_i64(d, &nid, 0, "INSERT INTO study_note (member_id, org_id, org_path, meeting_id, material, text, written_on, created_by, created_at) "
                                "VALUES (?,?,?,NULLIF(CAST(? AS BIGINT), 0),?,?,?,?,?) RETURNING id",
                    "iisisssii", member_id, m->org_id, m->org_path, meeting_id, mat, t, today, a ? a->user_id : 0, now);
    int64_t org_id = m->org_id;
    free(m);
    if (rc != CX_OK) return free(t), db_fail(d, e);
    period_rec none = {0};
    if (period_update(d, PK_STUDY_NOTE, nid, &none) != CX_OK) return free(t), db_fail(d, e);
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "member_id", member_id);
    if (meeting_id) json_add_i64(j, "meeting_id", meeting_id);
    else cJSON_AddStringToObject(j, "material", mat);
    json_add_i64(j, "chars", (int64_t)utf8_len(t));
    free(t);
    if (store_finish(d, a, "create", "study_note", nid, org_id, NULL, json_take(j), CX_OK, e) != CX_OK) return CX_ERR;
    if (id) *id = nid;
    return CX_OK;
}

#define NOTE_COLS                                                                                                   \
    "n.id, n.member_id, n.org_id, coalesce(n.meeting_id, 0), n.created_at, m.name, o.name, o.path, coalesce(g.title, ''), " \
    "coalesce(g.held_on, ''), n.material, n.written_on, n.text"
#define NOTE_FROM " FROM study_note n JOIN member m ON m.id = n.member_id JOIN org o ON o.id = n.org_id LEFT JOIN meeting g ON g.id = n.meeting_id"

static void read_note(db_stmt *s, study_note *x)
{
    memset(x, 0, sizeof *x);
    int64_t *v[] = {&x->id, &x->member_id, &x->org_id, &x->meeting_id, &x->created_at};
    for (int i = 0; i < 5; i++) *v[i] = db_col_i64(s, i);
    struct { char *dst; size_t cap; } t[] = {{x->member_name, sizeof x->member_name}, {x->org_name, sizeof x->org_name},
        {x->org_path, sizeof x->org_path}, {x->meeting_title, sizeof x->meeting_title}, {x->meeting_on, sizeof x->meeting_on},
        {x->material, sizeof x->material}, {x->written_on, sizeof x->written_on}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) copy_col(t[i].dst, t[i].cap, s, 5 + (int)i);
    x->text = xstrdup(db_col_text(s, 12));
}

int study_note_get(db *d, int64_t id, study_note *n)
{
    db_stmt *s = db_prepare(d, "SELECT " NOTE_COLS NOTE_FROM " WHERE n.id = ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW) read_note(s, n);
    else memset(n, 0, sizeof *n);
    db_done(s);
    return rc == CX_ERR ? CX_ERR : rc == DB_ROW;
}

/* The where clause of q into qq (the end of the subtree in end). */
static void note_where(db_q *qq, const study_query *q, char end[CX_PATH_MAX])
{
    if (q->member_id) db_q_where(qq, "n.member_id = ?", "i", q->member_id);
    else {
        orgpath_end(q->path ? q->path : "/", end, CX_PATH_MAX);
        db_q_where(qq, "o.path >= ? AND o.path < ?", "ss", q->path ? q->path : "/", end);
    }
    if (q->from) db_q_where(qq, "n.written_on >= ?", "s", q->from);
    if (q->to) db_q_where(qq, "n.written_on <= ?", "s", q->to);
}

int study_note_list(db *d, const study_query *q, int (*fn)(void *ctx, const study_note *n), void *ctx)
{
    db_q qq;
    char end[CX_PATH_MAX];
    db_q_init(&qq, "SELECT " NOTE_COLS NOTE_FROM);
    note_where(&qq, q, end);
    db_stmt *s = page_stmt(d, &qq, " ORDER BY n.written_on DESC, n.id DESC", q->offset, q->limit);
    if (!s) return CX_ERR;
    study_note x;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        read_note(s, &x);
        int stop = fn(ctx, &x);
        free(x.text);
        if (stop) break;
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int study_note_count(db *d, const study_query *q, int64_t *n)
{
    db_q qq;
    char end[CX_PATH_MAX];
    db_q_init(&qq, "SELECT count(*) FROM study_note n JOIN org o ON o.id = n.org_id");
    note_where(&qq, q, end);
    return db_q_count(d, &qq, n);
}
