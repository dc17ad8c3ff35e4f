/* meeting.c: organisation life (组织生活): meetings, attendees, the QR sign-in, files, quotas and
 * lectures (see meeting.h). */
#include "meeting.h"
#include "standing.h"
#include "period.h"
#include "quota_rollup.h"
#include "row.h"
#include "../domain/orgpath.h"
#include "../lib/crypto.h"
#include "../lib/json.h"
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MEETING_COLS                                                                                                         \
    "m.id, m.org_id, coalesce(m.lecturer_user_id, 0), m.signin_opens, m.signin_closes, m.created_by, m.row_version, "        \
    "m.created_at, m.updated_at, m.kind, m.status, "                                                                          \
    "(SELECT count(*) FROM meeting_attendee a WHERE a.meeting_id = m.id), "                                                   \
    "(SELECT count(*) FROM meeting_attendee a WHERE a.meeting_id = m.id AND a.state = 'present'), "                           \
    "(SELECT count(*) FROM meeting_attendee a WHERE a.meeting_id = m.id AND a.state = 'leave'), "                             \
    "(SELECT count(*) FROM meeting_attendee a WHERE a.meeting_id = m.id AND a.state = 'absent'), "                            \
    "(SELECT count(*) FROM meeting_file f WHERE f.meeting_id = m.id), "                                                       \
    "CASE WHEN m.signin_token_hash <> '' THEN 1 ELSE 0 END, "                                                                 \
    "m.kind_name, m.title, m.held_on, m.place, m.topic, m.host_name, m.created_by_name, coalesce(u.display_name, ''), o.name, o.path"
#define MEETING_FROM " FROM meeting m JOIN org o ON o.id = m.org_id LEFT JOIN app_user u ON u.id = m.lecturer_user_id"
#define MEETING_NCOLS 27 /* the minutes, when read, come after them */

static void read_meeting(db_stmt *s, void *out)
{
    meeting *m = out;
    m->minutes = NULL; /* read_meeting_full reads them */
    int64_t *ids[] = {&m->id, &m->org_id, &m->lecturer_user_id, &m->signin_opens, &m->signin_closes, &m->created_by, &m->version,
                      &m->created_at, &m->updated_at};
    for (int i = 0; i < 9; i++) *ids[i] = db_col_i64(s, i);
    int k = meeting_kind_from_name(db_col_text(s, 9)), st = meeting_status_from_name(db_col_text(s, 10));
    m->kind = k < 0 ? MK_CUSTOM : (meeting_kind)k;
    m->status = st < 0 ? MS_PLANNED : (meeting_status)st;
    m->nexpected = db_col_i64(s, 11);
    m->npresent = db_col_i64(s, 12);
    m->nleave = db_col_i64(s, 13);
    m->nabsent = db_col_i64(s, 14);
    m->nfiles = db_col_i64(s, 15);
    m->has_code = db_col_i64(s, 16) != 0;
    struct { char *dst; size_t cap; } t[] = {
        {m->kind_name, sizeof m->kind_name}, {m->title, sizeof m->title}, {m->held_on, sizeof m->held_on}, {m->place, sizeof m->place},
        {m->topic, sizeof m->topic}, {m->host_name, sizeof m->host_name}, {m->created_by_name, sizeof m->created_by_name},
        {m->lecturer_name, sizeof m->lecturer_name}, {m->org_name, sizeof m->org_name}, {m->org_path, sizeof m->org_path}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) copy_col(t[i].dst, t[i].cap, s, 17 + (int)i);
}

static void read_meeting_full(db_stmt *s, void *out)
{
    meeting *m = out;
    read_meeting(s, m);
    m->minutes = xstrdup(db_col_text(s, MEETING_NCOLS));
}

const char *meeting_label(const meeting *m) { return m->kind == MK_CUSTOM && m->kind_name[0] ? m->kind_name : meeting_kind_label(m->kind); }

void meeting_free(meeting *m)
{
    free(m->minutes);
    m->minutes = NULL;
}

int meeting_get(db *d, int64_t id, meeting *m)
{
    return row_by_id(d, "SELECT " MEETING_COLS ", m.minutes" MEETING_FROM " WHERE m.id = ?", id, read_meeting_full, m, sizeof *m);
}

/* The lecturer's account must hold a leader grant and be active. */
static int lecturer_check(db *d, int64_t user_id, cx_err *e)
{
    if (!user_id) return CX_OK;
    int64_t n = 0;
    if (db_i64(d, &n, 0, "SELECT count(*) FROM app_user u WHERE u.id = ? AND u.active = 1 AND EXISTS (SELECT 1 FROM user_role r "
                         "WHERE r.user_id = u.id AND r.role = 'leader')", "i", user_id) != CX_OK)
        return db_fail(d, e);
    if (!n) {
        cx_fail(e, 422, "invalid_lecturer", "lecturer_user_id", "讲课人应为党员领导干部的账号（第 %" PRId64 " 号账号不是）", user_id);
        return refuse(d);
    }
    return CX_OK;
}

static cJSON *json_ok(const meeting_form_ok *in)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "kind", meeting_kind_name(in->kind));
    if (in->kind == MK_CUSTOM) cJSON_AddStringToObject(j, "kind_name", in->kind_name);
    cJSON_AddStringToObject(j, "title", in->title);
    cJSON_AddStringToObject(j, "held_on", in->held_on);
    cJSON_AddStringToObject(j, "place", in->place);
    cJSON_AddStringToObject(j, "host_name", in->host_name);
    if (in->lecturer_user_id) json_add_i64(j, "lecturer_user_id", in->lecturer_user_id);
    json_add_i64(j, "minutes_chars", (int64_t)utf8_len(in->minutes ? in->minutes : ""));
    return j;
}

int meeting_create(db *d, const actor *a, const org *o, const meeting_form_ok *in, int64_t *id, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    if (lecturer_check(d, in->lecturer_user_id, e) != CX_OK) return CX_ERR;
    int64_t now = now_unix(), mid = 0, n = 0;
    db_stmt *s = db_prepare(d, "INSERT INTO meeting (org_id, org_path, kind, kind_name, title, held_on, place, topic, host_name, minutes, "
                               "lecturer_user_id, status, created_by, created_by_name, created_at, updated_at) "
                               "VALUES (?,?,?,?,?,?,?,?,?,?,?,'planned',?,?,?,?) RETURNING id");
    if (!s) return db_fail(d, e);
    const char *texts[] = {o->path, meeting_kind_name(in->kind), in->kind == MK_CUSTOM ? in->kind_name : "", in->title, in->held_on, in->place,
                           in->topic, in->host_name, in->minutes ? in->minutes : ""};
    db_bind_i64(s, 1, o->id);
    for (int i = 0; i < 9; i++) db_bind_text(s, 2 + i, texts[i]);
    if (in->lecturer_user_id) db_bind_i64(s, 11, in->lecturer_user_id);
    else db_bind_null(s, 11);
    db_bind_i64(s, 12, a ? a->user_id : 0);
    db_bind_text(s, 13, actor_shown(a));
    db_bind_i64(s, 14, now);
    db_bind_i64(s, 15, now);
    if (db_step(s) == DB_ROW) mid = db_col_i64(s, 0);
    db_done(s);
    if (!mid) return db_fail(d, e);
    if (db_run(d, "INSERT INTO meeting_attendee (meeting_id, member_id, state) SELECT ?, id, 'expected' FROM member WHERE org_id = ? AND active = 1",
               "ii", mid, o->id) != CX_OK ||
        db_i64(d, &n, 0, "SELECT count(*) FROM meeting_attendee WHERE meeting_id = ?", "i", mid) != CX_OK)
        return db_fail(d, e);
    if (standing_meeting_after(d, mid, 0) != CX_OK) return db_fail(d, e); /* a planned one counts for nothing yet; kept uniform */
    cJSON *j = json_ok(in);
    json_add_i64(j, "expected", n);
    if (store_finish(d, a, "create", "meeting", mid, o->id, NULL, json_take(j), CX_OK, e) != CX_OK) return CX_ERR;
    if (id) *id = mid;
    return CX_OK;
}

/* Begins a write transaction holding meeting id's row (every change of a meeting and its
 * attendees waits for the one before, so the roll-up deltas read before and after each are its
 * own), loaded into m, and what it counts now into was. 404 when missing. */
static int begin_meeting(db *d, int64_t id, meeting *m, period_rec *was, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    int64_t got = 0;
    if (db_i64(d, &got, 0, "UPDATE meeting SET updated_at = updated_at WHERE id = ? RETURNING id", "i", id) != CX_OK) return db_fail(d, e);
    int f = got ? meeting_get(d, id, m) : 0;
    if (f == CX_ERR) return db_fail(d, e);
    if (f == 0) {
        cx_fail(e, 404, "not_found", "id", "会议不存在或不在您的管理范围内");
        return refuse(d);
    }
    if (period_of(d, PK_MEETING, id, was) != CX_OK) {
        meeting_free(m);
        return db_fail(d, e);
    }
    return CX_OK;
}

/* begin_meeting, the action allowed now and the version expected (0: any). */
static int begin_act(db *d, int64_t id, meeting_action action, int64_t version, meeting *m, period_rec *was, meeting_status *next, cx_err *e)
{
    if (begin_meeting(d, id, m, was, e) != CX_OK) return CX_ERR;
    int rc = meeting_decide(m->status, action, next, e);
    if (rc == CX_OK && version && version != m->version)
        rc = cx_fail(e, 409, "stale_version", "version", "会议已被他人修改（当前版本 %" PRId64 "），请刷新后重试", m->version);
    if (rc != CX_OK) {
        meeting_free(m);
        return refuse(d);
    }
    return CX_OK;
}

/* The branches meeting their quotas (quota_rollup.h) after a change of meeting m (as it was
 * before): redone when it was or is held and its kind, status or date changed. */
static int quota_meeting_after(db *d, const meeting *m)
{
    db_stmt *s = db_prepare(d, "SELECT kind, status, held_on FROM meeting WHERE id = ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, m->id);
    char kind[32] = "", status[16] = "", held_on[11] = "";
    int rc = db_step(s);
    if (rc == DB_ROW) copy_col(kind, sizeof kind, s, 0), copy_col(status, sizeof status, s, 1), copy_col(held_on, sizeof held_on, s, 2);
    db_done(s);
    if (rc == CX_ERR) return CX_ERR;
    int k = meeting_kind_from_name(kind);
    meeting_kind k1 = k < 0 ? MK_CUSTOM : (meeting_kind)k;
    bool held0 = m->status == MS_HELD, held1 = !strcmp(status, "held");
    if (k1 == m->kind && held0 == held1 && !strcmp(held_on, m->held_on)) return CX_OK;
    return quota_meeting_changed(d, m->org_id, m->kind, held0, m->held_on, k1, held1, held_on);
}

/* The tail of a change of meeting m: the roll-ups moved from was to what it counts now, audited, committed. */
static int finish_meeting(db *d, const actor *a, meeting *m, const period_rec *was, const char *action, char *before, char *after, int rc, cx_err *e)
{
    if (rc == CX_OK && period_update(d, PK_MEETING, m->id, was) != CX_OK) rc = CX_ERR;
    if (rc == CX_OK && quota_meeting_after(d, m) != CX_OK) rc = CX_ERR;
    rc = store_finish(d, a, action, "meeting", m->id, m->org_id, before, after, rc, e);
    meeting_free(m);
    return rc;
}

int meeting_update(db *d, const actor *a, int64_t id, const meeting_form_ok *in, int64_t version, cx_err *e)
{
    meeting m;
    period_rec was;
    if (begin_act(d, id, MA_EDIT, version, &m, &was, NULL, e) != CX_OK) return CX_ERR;
    if (m.status == MS_HELD && meeting_held_date_check(in->held_on, NULL, 422, e) != CX_OK) { /* a held meeting stays in the past */
        meeting_free(&m);
        return refuse(d);
    }
    if (lecturer_check(d, in->lecturer_user_id, e) != CX_OK) {
        meeting_free(&m);
        return CX_ERR;
    }
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "title", m.title);
    cJSON_AddStringToObject(b, "held_on", m.held_on);
    db_stmt *s = db_prepare(d, "UPDATE meeting SET kind = ?, kind_name = ?, title = ?, held_on = ?, place = ?, topic = ?, host_name = ?, "
                               "minutes = ?, lecturer_user_id = ?, row_version = row_version + 1, updated_at = ? WHERE id = ?");
    int rc = s ? CX_OK : CX_ERR;
    int64_t lecturer = m.lecturer_user_id; /* the leaders' standing: the lecturer's 党课 before and after (standing.h) */
    if (rc == CX_OK) rc = standing_user(d, lecturer, -1);
    if (rc == CX_OK) {
        const char *texts[] = {meeting_kind_name(in->kind), in->kind == MK_CUSTOM ? in->kind_name : "", in->title, in->held_on, in->place,
                               in->topic, in->host_name, in->minutes ? in->minutes : ""};
        for (int i = 0; i < 8; i++) db_bind_text(s, 1 + i, texts[i]);
        if (in->lecturer_user_id) db_bind_i64(s, 9, in->lecturer_user_id);
        else db_bind_null(s, 9);
        db_bind_i64(s, 10, now_unix());
        db_bind_i64(s, 11, id);
        rc = db_step(s) == DB_DONE ? CX_OK : CX_ERR;
        db_done(s);
    }
    if (rc == CX_OK) rc = standing_meeting_after(d, id, lecturer);
    return finish_meeting(d, a, &m, &was, "update", json_take(b), json_take(json_ok(in)), rc, e);
}

int meeting_act(db *d, const actor *a, int64_t id, meeting_action action, int64_t version, cx_err *e)
{
    if (action != MA_HOLD && action != MA_CANCEL) return cx_fail(e, 400, "invalid_action", "action", "不支持的操作");
    meeting m;
    period_rec was;
    meeting_status next;
    if (begin_act(d, id, action, version, &m, &was, &next, e) != CX_OK) return CX_ERR;
    if (action == MA_HOLD && meeting_held_date_check(m.held_on, NULL, 409, e) != CX_OK) {
        meeting_free(&m);
        return refuse(d);
    }
    int rc = standing_user(d, m.lecturer_user_id, -1); /* the lecturer's 党课 held or cancelled (standing.h) */
    if (rc == CX_OK)
        rc = db_run(d, "UPDATE meeting SET status = ?, row_version = row_version + 1, updated_at = ? WHERE id = ?", "sii", meeting_status_name(next),
                    now_unix(), id);
    if (rc == CX_OK) rc = standing_meeting_after(d, id, m.lecturer_user_id);
    return finish_meeting(d, a, &m, &was, action == MA_HOLD ? "hold" : "cancel", xasprintf("{\"status\":\"%s\"}", meeting_status_name(m.status)),
                          xasprintf("{\"status\":\"%s\"}", meeting_status_name(next)), rc, e);
}

int meeting_refresh(db *d, const actor *a, int64_t id, int64_t *added, int64_t *dropped, cx_err *e)
{
    meeting m;
    period_rec was;
    if (begin_act(d, id, MA_ATTEND, 0, &m, &was, NULL, e) != CX_OK) return CX_ERR;
    if (m.status != MS_PLANNED) { /* held: the attendees are those of its day, not of today's roster */
        cx_fail(e, 409, "invalid_transition", "status", "会议当前为“%s”，应到人员按召开时的名册，不能再按现在的名册刷新", meeting_status_label(m.status));
        meeting_free(&m);
        return refuse(d);
    }
    int64_t n0 = 0, n1 = 0, n2 = 0;
    int rc = db_i64(d, &n0, 0, "SELECT count(*) FROM meeting_attendee WHERE meeting_id = ?", "i", id);
    if (rc == CX_OK)
        rc = db_run(d, "DELETE FROM meeting_attendee WHERE meeting_id = ? AND state = 'expected' AND member_id NOT IN "
                       "(SELECT id FROM member WHERE org_id = ? AND active = 1)", "ii", id, m.org_id);
    if (rc == CX_OK) rc = db_i64(d, &n1, 0, "SELECT count(*) FROM meeting_attendee WHERE meeting_id = ?", "i", id);
    if (rc == CX_OK)
        rc = db_run(d, "INSERT INTO meeting_attendee (meeting_id, member_id, state) SELECT ?, id, 'expected' FROM member WHERE org_id = ? AND active = 1 "
                       "ON CONFLICT DO NOTHING", "ii", id, m.org_id);
    if (rc == CX_OK) rc = db_i64(d, &n2, 0, "SELECT count(*) FROM meeting_attendee WHERE meeting_id = ?", "i", id);
    if (added) *added = n2 - n1;
    if (dropped) *dropped = n0 - n1;
    return finish_meeting(d, a, &m, &was, "refresh", NULL, xasprintf("{\"added\":%" PRId64 ",\"dropped\":%" PRId64 "}", n2 - n1, n0 - n1), rc, e);
}

int meeting_attend(db *d, const actor *a, int64_t id, int64_t member_id, const attend_ok *in, cx_err *e)
{
    meeting m;
    period_rec was;
    if (begin_act(d, id, MA_ATTEND, 0, &m, &was, NULL, e) != CX_OK) return CX_ERR;
    db_stmt *s = db_prepare(d, "SELECT state, how, signed_at FROM meeting_attendee WHERE meeting_id = ? AND member_id = ?");
    if (!s) {
        meeting_free(&m);
        return db_fail(d, e);
    }
    db_bind_i64(s, 1, id);
    db_bind_i64(s, 2, member_id);
    char state[16] = "", how[8] = "";
    int64_t signed_at = 0;
    bool found = db_step(s) == DB_ROW;
    if (found) copy_col(state, sizeof state, s, 0), copy_col(how, sizeof how, s, 1), signed_at = db_col_i64(s, 2);
    db_done(s);
    if (!found) {
        meeting_free(&m);
        cx_fail(e, 422, "not_expected", "member_id", "该党员不在本次会议的应到名单中");
        return refuse(d);
    }
    const char *nhow = "marked";
    int64_t nsigned = 0;
    if (in->state == AS_EXPECTED) nhow = "";
    else if (in->state == AS_PRESENT) {
        bool kept = !strcmp(state, "present"); /* a member who signed in stays signed in by QR, at that time */
        nhow = kept ? how : "marked";
        nsigned = kept ? signed_at : now_unix();
    }
    int rc = db_run(d, "UPDATE meeting_attendee SET state = ?, leave_reason = ?, how = ?, signed_at = ? WHERE meeting_id = ? AND member_id = ?",
                    "sssiii", attend_state_name(in->state), in->state == AS_LEAVE ? in->reason : "", nhow, nsigned, id, member_id);
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "member_id", member_id);
    cJSON_AddStringToObject(j, "state", attend_state_name(in->state));
    if (in->state == AS_LEAVE) cJSON_AddStringToObject(j, "reason", in->reason);
    return finish_meeting(d, a, &m, &was, "attend", xasprintf("{\"member_id\":%" PRId64 ",\"state\":\"%s\"}", member_id, state), json_take(j), rc, e);
}

int meeting_attend_rest(db *d, const actor *a, int64_t id, int64_t *n, cx_err *e)
{
    meeting m;
    period_rec was;
    if (begin_act(d, id, MA_ATTEND, 0, &m, &was, NULL, e) != CX_OK) return CX_ERR;
    int64_t n0 = 0, n1 = 0;
    int rc = db_i64(d, &n0, 0, "SELECT count(*) FROM meeting_attendee WHERE meeting_id = ? AND state = 'present'", "i", id);
    if (rc == CX_OK)
        rc = db_run(d, "UPDATE meeting_attendee SET state = 'present', how = 'marked', signed_at = ? WHERE meeting_id = ? AND state = 'expected'", "ii",
                    now_unix(), id);
    if (rc == CX_OK) rc = db_i64(d, &n1, 0, "SELECT count(*) FROM meeting_attendee WHERE meeting_id = ? AND state = 'present'", "i", id);
    if (n) *n = n1 - n0;
    return finish_meeting(d, a, &m, &was, "attend_rest", NULL, xasprintf("{\"present\":%" PRId64 "}", n1 - n0), rc, e);
}

/* SHA-256 hex of a QR secret. */
static void secret_hash(const char *secret, char out[65])
{
    unsigned char h[32];
    crypto_sha256(secret, strlen(secret), h);
    hexof(h, 32, out);
}

/* A secret as the QR carries it: exactly 48 lowercase hex characters. */
static bool secret_form(const char *secret)
{
    if (!secret || strlen(secret) != 2 * SIGNIN_SECRET_BYTES) return false;
    return strspn(secret, "0123456789abcdef") == 2 * SIGNIN_SECRET_BYTES;
}

int meeting_signin_code(db *d, const actor *a, int64_t id, int64_t opens, int64_t closes, char secret[2 * SIGNIN_SECRET_BYTES + 1], cx_err *e)
{
    meeting m;
    period_rec was;
    if (begin_act(d, id, MA_SIGNIN, 0, &m, &was, NULL, e) != CX_OK) return CX_ERR;
    char hash[65];
    crypto_random_hex(secret, SIGNIN_SECRET_BYTES);
    secret_hash(secret, hash);
    int rc = db_run(d, "UPDATE meeting SET signin_token_hash = ?, signin_opens = ?, signin_closes = ?, updated_at = ? WHERE id = ?", "siiii", hash,
                    opens, closes, now_unix(), id);
    return finish_meeting(d, a, &m, &was, "signin_code", NULL,
                          xasprintf("{\"replaced\":%s,\"opens\":%" PRId64 ",\"closes\":%" PRId64 "}", m.has_code ? "true" : "false", opens, closes), rc, e);
}

int meeting_secret_is(db *d, int64_t id, const char *secret)
{
    if (!secret_form(secret)) return 0;
    char hash[65];
    secret_hash(secret, hash);
    int64_t n = 0;
    if (db_i64(d, &n, 0, "SELECT count(*) FROM meeting WHERE id = ? AND signin_token_hash = ?", "is", id, hash) != CX_OK) return CX_ERR;
    return n > 0;
}

int meeting_by_secret(db *d, const char *secret, meeting *m)
{
    memset(m, 0, sizeof *m);
    if (!secret_form(secret)) return 0;
    char hash[65];
    secret_hash(secret, hash);
    int64_t id = 0;
    if (db_i64(d, &id, 0, "SELECT id FROM meeting WHERE signin_token_hash = ?", "s", hash) != CX_OK) return CX_ERR;
    return id ? meeting_get(d, id, m) : 0;
}

int meeting_signin(db *d, const actor *a, const char *secret, int64_t member_id, int64_t *meeting_id, bool *already, cx_err *e)
{
    *already = false;
    *meeting_id = 0;
    static const char gone[] = "签到二维码无效或已更换，请扫描会场上最新的二维码";
    if (!secret_form(secret)) return cx_fail(e, 404, "not_found", "token", gone);
    char hash[65];
    secret_hash(secret, hash);
    int64_t id = 0;
    if (db_i64(d, &id, 0, "SELECT id FROM meeting WHERE signin_token_hash = ?", "s", hash) != CX_OK) return db_fail(d, e);
    if (!id) return cx_fail(e, 404, "not_found", "token", gone);
    meeting m;
    period_rec was;
    if (begin_act(d, id, MA_SIGNIN, 0, &m, &was, NULL, e) != CX_OK) return CX_ERR;
    *meeting_id = id;
    int rc = CX_OK;
    if (meeting_secret_is(d, id, secret) != 1) rc = cx_fail(e, 404, "not_found", "token", gone); /* replaced in between */
    else rc = signin_window(m.signin_opens, m.signin_closes, now_unix(), e);
    int64_t got = 0;
    if (rc == CX_OK && db_i64(d, &got, 0, "UPDATE meeting_attendee SET state = 'present', how = 'qr', signed_at = ?, leave_reason = '' "
                                          "WHERE meeting_id = ? AND member_id = ? AND state <> 'present' RETURNING member_id",
                              "iii", now_unix(), id, member_id) != CX_OK) {
        meeting_free(&m);
        return db_fail(d, e);
    }
    if (rc == CX_OK && !got) {
        int64_t n = 0;
        if (db_i64(d, &n, 0, "SELECT count(*) FROM meeting_attendee WHERE meeting_id = ? AND member_id = ?", "ii", id, member_id) != CX_OK) {
            meeting_free(&m);
            return db_fail(d, e);
        }
        if (n) { /* already present: nothing to write */
            *already = true;
            meeting_free(&m);
            db_rollback(d);
            return CX_OK;
        }
        rc = cx_fail(e, 403, "not_expected", "token", "您不在本次会议（%s %s）的应到名单中，不能签到", m.org_name, m.title);
    }
    if (rc != CX_OK) {
        meeting_free(&m);
        return refuse(d);
    }
    return finish_meeting(d, a, &m, &was, "signin", NULL, xasprintf("{\"member_id\":%" PRId64 ",\"how\":\"qr\"}", member_id), CX_OK, e);
}

static void read_attendee(db_stmt *s, void *out)
{
    attendee *t = out;
    t->member_id = db_col_i64(s, 0);
    int st = attend_state_from_name(db_col_text(s, 1));
    t->state = st < 0 ? AS_EXPECTED : (attend_state)st;
    copy_col(t->reason, sizeof t->reason, s, 2);
    copy_col(t->how, sizeof t->how, s, 3);
    t->signed_at = db_col_i64(s, 4);
    copy_col(t->name, sizeof t->name, s, 5);
}

int meeting_attendees(db *d, int64_t id, int64_t member_id, attendee_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, member_id ? "SELECT a.member_id, a.state, a.leave_reason, a.how, a.signed_at, p.name FROM meeting_attendee a "
                                           "JOIN member p ON p.id = a.member_id WHERE a.meeting_id = ? AND a.member_id = ?"
                                         : "SELECT a.member_id, a.state, a.leave_reason, a.how, a.signed_at, p.name FROM meeting_attendee a "
                                           "JOIN member p ON p.id = a.member_id WHERE a.meeting_id = ? ORDER BY p.name, p.id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    if (member_id) db_bind_i64(s, 2, member_id);
    return DB_EACH(s, attendee, read_attendee, fn, ctx);
}

int meeting_list(db *d, const org *o, bool subtree, const char *from, const char *to, int64_t limit, meeting_fn fn, void *ctx)
{
    char end[CX_PATH_MAX];
    orgpath_end(o->path, end, sizeof end);
    db_q q;
    db_q_init(&q, "SELECT " MEETING_COLS MEETING_FROM);
    if (subtree) db_q_where(&q, "o.path >= ? AND o.path < ?", "ss", o->path, end); /* the tree as it is now (moves) */
    else db_q_where(&q, "m.org_id = ?", "i", o->id);
    if (from) db_q_where(&q, "m.held_on >= ?", "s", from);
    if (to) db_q_where(&q, "m.held_on <= ?", "s", to);
    db_stmt *s = page_stmt(d, &q, " ORDER BY m.held_on DESC, m.id DESC", 0, limit > 0 && limit <= 500 ? limit : 500);
    if (!s) return CX_ERR;
    return DB_EACH(s, meeting, read_meeting, fn, ctx);
}

int meeting_add_files(db *d, const actor *a, int64_t id, const evidence_in *files, int nfiles, cx_err *e)
{
    if (nfiles < 1) return cx_fail(e, 400, "required", "evidence", "请选择要上传的会议材料或照片（JPEG、PNG 图片或 PDF）");
    const char *mimes[EVIDENCE_MAX_FILES];
    if (evidence_check(files, nfiles, mimes, e) != CX_OK) return CX_ERR;
    meeting m;
    period_rec was;
    if (begin_act(d, id, MA_EDIT, 0, &m, &was, NULL, e) != CX_OK) return CX_ERR;
    if (m.nfiles + nfiles > MEETING_FILES_MAX) {
        cx_fail(e, 400, "too_many_files", "evidence", "每次会议最多 %d 个材料和照片（已有 %" PRId64 " 个）", MEETING_FILES_MAX, m.nfiles);
        meeting_free(&m);
        return refuse(d);
    }
    cJSON *j = cJSON_CreateObject();
    int rc = attachment_store(d, a, "INSERT INTO meeting_file (meeting_id, mime, name, size, data, author, created_at) VALUES (?,?,?,?,?,?,?)", id,
                              files, mimes, nfiles, "会议材料", cJSON_AddArrayToObject(j, "files"));
    return finish_meeting(d, a, &m, &was, "files", NULL, json_take(j), rc, e);
}

int meeting_files(db *d, int64_t id, attachment_fn fn, void *ctx)
{
    return attachment_list(d, "SELECT id, size, name, mime, author FROM meeting_file WHERE meeting_id = ? ORDER BY id", id, fn, ctx);
}

int meeting_file_owner(db *d, int64_t file_id, int64_t *meeting_id)
{
    *meeting_id = 0;
    return db_i64(d, meeting_id, 0, "SELECT meeting_id FROM meeting_file WHERE id = ?", "i", file_id) != CX_OK ? CX_ERR : *meeting_id != 0;
}

int meeting_file_get(db *d, int64_t file_id, buf *out, char mime[32], char name[128])
{
    return attachment_get(d, "SELECT mime, name, data FROM meeting_file WHERE id = ?", file_id, out, mime, name, NULL);
}

/* A member's rows of held meetings: expected (every row: leave counts as expected), present, leave, absent. */
#define RATE_COLS                                                                                                     \
    "count(*), coalesce(sum(CASE WHEN a.state = 'present' THEN 1 ELSE 0 END), 0), "                                  \
    "coalesce(sum(CASE WHEN a.state = 'leave' THEN 1 ELSE 0 END), 0), coalesce(sum(CASE WHEN a.state = 'absent' THEN 1 ELSE 0 END), 0)"

static void read_rate(db_stmt *s, int c, attend_rate *r)
{
    r->expected = db_col_i64(s, c), r->present = db_col_i64(s, c + 1), r->leave = db_col_i64(s, c + 2), r->absent = db_col_i64(s, c + 3);
}

int meeting_member_rate(db *d, int64_t member_id, const char *from, const char *to, attend_rate *out)
{
    memset(out, 0, sizeof *out);
    db_stmt *s = db_prepare(d, "SELECT " RATE_COLS " FROM meeting_attendee a "
                               "JOIN meeting m ON m.id = a.meeting_id WHERE a.member_id = ? AND m.status = 'held' AND m.held_on >= ? AND m.held_on <= ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, member_id);
    db_bind_text(s, 2, from);
    db_bind_text(s, 3, to);
    int rc = db_step(s);
    if (rc == DB_ROW) read_rate(s, 0, out);
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

static void read_member_meeting(db_stmt *s, void *out)
{
    member_meeting *x = out;
    read_meeting(s, &x->m);
    memset(&x->a, 0, sizeof x->a);
    int st = attend_state_from_name(db_col_text(s, MEETING_NCOLS));
    x->a.state = st < 0 ? AS_EXPECTED : (attend_state)st;
    copy_col(x->a.how, sizeof x->a.how, s, MEETING_NCOLS + 1);
    copy_col(x->a.reason, sizeof x->a.reason, s, MEETING_NCOLS + 2);
    x->a.signed_at = db_col_i64(s, MEETING_NCOLS + 3);
    x->a.member_id = db_col_i64(s, MEETING_NCOLS + 4);
}

int meeting_member_meetings(db *d, int64_t member_id, const char *from, const char *to, member_meeting_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT " MEETING_COLS ", a.state, a.how, a.leave_reason, a.signed_at, a.member_id" MEETING_FROM
                               " JOIN meeting_attendee a ON a.meeting_id = m.id WHERE a.member_id = ? AND m.status <> 'cancelled' "
                               "AND m.held_on >= ? AND m.held_on <= ? ORDER BY m.held_on DESC, m.id DESC LIMIT 500");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, member_id);
    db_bind_text(s, 2, from);
    db_bind_text(s, 3, to);
    return DB_EACH(s, member_meeting, read_member_meeting, fn, ctx);
}

int meeting_rates_count(db *d, const org *o, int64_t *n)
{
    char end[CX_PATH_MAX];
    orgpath_end(o->path, end, sizeof end);
    *n = 0;
    return db_i64(d, n, 0, "SELECT count(*) FROM member p JOIN org o ON o.id = p.org_id WHERE o.path >= ? AND o.path < ? AND p.active = 1", "ss",
                  o->path, end);
}

static void read_member_rate(db_stmt *s, void *out)
{
    member_rate *x = out;
    x->member_id = db_col_i64(s, 0);
    copy_col(x->name, sizeof x->name, s, 1);
    copy_col(x->org_name, sizeof x->org_name, s, 2);
    read_rate(s, 3, &x->r);
}

int meeting_rates(db *d, const org *o, const char *from, const char *to, int64_t offset, int64_t limit, member_rate_fn fn, void *ctx)
{
    char end[CX_PATH_MAX];
    orgpath_end(o->path, end, sizeof end);
    db_q q;
    /* each count one indexed look-up of the member's attendee rows (meeting_attendee_member) */
#define HELD_ROWS(cond) "(SELECT count(*) FROM meeting_attendee a JOIN meeting m ON m.id = a.meeting_id WHERE a.member_id = p.id" cond \
                        " AND m.status = 'held' AND m.held_on >= ? AND m.held_on <= ?)"
    db_q_init(&q, "SELECT t.* FROM (SELECT p.id, p.name, o.name AS org_name, ");
    db_q_add(&q, HELD_ROWS("") " AS e, " HELD_ROWS(" AND a.state = 'present'") " AS pr, " HELD_ROWS(" AND a.state = 'leave'") ", "
                 HELD_ROWS(" AND a.state = 'absent'") " FROM member p JOIN org o ON o.id = p.org_id",
             "ssssssss", from, to, from, to, from, to, from, to);
#undef HELD_ROWS
    db_q_where(&q, "o.path >= ? AND o.path < ?", "ss", o->path, end);
    db_q_where(&q, "p.active = 1", "");
    db_q_add(&q, ") t", "");
    /* lowest rate first (in tenths of a percent, as shown), nothing expected last */
    db_stmt *s = page_stmt(d, &q, " ORDER BY CASE WHEN t.e = 0 THEN 1 ELSE 0 END, t.pr * 1000 / CASE WHEN t.e = 0 THEN 1 ELSE t.e END, t.e DESC, t.name, t.id",
                           offset, limit);
    if (!s) return CX_ERR;
    return DB_EACH(s, member_rate, read_member_rate, fn, ctx);
}

/* ---- quotas ---- */

int meeting_quotas(db *d, const char *org_path, meeting_quota q[MK_COUNT])
{
    bool set[MK_COUNT] = {false};
    for (int k = 0; k < MK_COUNT; k++) meeting_quota_default((meeting_kind)k, &q[k]);
    db_stmt *s = nearest_stmt(d, "meeting_quota", "t.kind, t.per, t.count", org_path);
    if (!s) return CX_ERR;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        int k = meeting_kind_from_name(db_col_text(s, 1)), p = quota_per_from_name(db_col_text(s, 2));
        if (k < 0 || p < 0 || set[k]) continue; /* the nearest row of each kind decides */
        set[k] = true;
        q[k].per = (quota_per)p;
        q[k].count = db_col_i64(s, 3);
        q[k].set_by = db_col_i64(s, 0);
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int meeting_quota_set(db *d, const actor *a, const org *o, const meeting_quota *q, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    meeting_quota was[MK_COUNT];
    if (meeting_quotas(d, o->path, was) != CX_OK) return db_fail(d, e);
    int rc = db_run(d, "INSERT INTO meeting_quota (org_id, kind, per, count, updated_at) VALUES (?,?,?,?,?) "
                       "ON CONFLICT (org_id, kind) DO UPDATE SET per = excluded.per, count = excluded.count, updated_at = excluded.updated_at",
                    "issii", o->id, meeting_kind_name(q->kind), quota_per_name(q->per), q->count, now_unix());
    if (rc == CX_OK) rc = quota_subtree_redo(d, o->path); /* the branches meeting them, this year */
    const meeting_quota *w = &was[q->kind];
    return store_finish(d, a, "quota", "org", o->id, o->id,
                        xasprintf("{\"kind\":\"%s\",\"per\":\"%s\",\"count\":%" PRId64 ",\"set_by\":%" PRId64 "}", meeting_kind_name(w->kind),
                                  quota_per_name(w->per), w->count, w->set_by),
                        xasprintf("{\"kind\":\"%s\",\"per\":\"%s\",\"count\":%" PRId64 "}", meeting_kind_name(q->kind), quota_per_name(q->per), q->count),
                        rc, e);
}

int meeting_branch_gap(db *d, quota_gap *g, const char *from, const char *to)
{
    meeting_quota q[MK_COUNT];
    if (meeting_quotas(d, g->org_path, q) != CX_OK) return CX_ERR;
    /* each kind's window; the held meetings of the widest span read once, by kind and month */
    char wf[MK_COUNT][11], wt[MK_COUNT][11], lo[11] = "9999-99-99", hi[11] = "0000-00-00";
    for (int k = 0; k < MK_COUNT; k++) {
        g->due[k] = g->held[k] = 0;
        if (!q[k].count) continue;
        g->due[k] = quota_window(&q[k], from, to, wf[k], wt[k]);
        if (strcmp(wf[k], lo) < 0) memcpy(lo, wf[k], 11);
        if (strcmp(wt[k], hi) > 0) memcpy(hi, wt[k], 11);
    }
    db_stmt *s = db_prepare(d, "SELECT kind, substr(held_on, 1, 7), count(*) FROM meeting WHERE org_id = ? AND status = 'held' AND held_on >= ? "
                               "AND held_on <= ? GROUP BY kind, substr(held_on, 1, 7)");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, g->org_id);
    db_bind_text(s, 2, lo);
    db_bind_text(s, 3, hi);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        int k = meeting_kind_from_name(db_col_text(s, 0));
        const char *month = db_col_text(s, 1);
        if (k >= 0 && g->due[k] && strncmp(month, wf[k], 7) >= 0 && strncmp(month, wt[k], 7) <= 0) g->held[k] += db_col_i64(s, 2);
    }
    db_done(s);
    if (rc == CX_ERR) return CX_ERR;
    size_t used = 0;
    g->nshort = 0;
    g->text[0] = 0;
    for (int k = 0; k < MK_COUNT; k++) {
        if (!g->due[k] || g->held[k] >= g->due[k]) continue;
        g->nshort++;
        if (used < sizeof g->text)
            used += (size_t)snprintf(g->text + used, sizeof g->text - used, "%s%s %" PRId64 "/%" PRId64, used ? "、" : "",
                                     meeting_kind_label((meeting_kind)k), g->held[k], g->due[k]);
    }
    return CX_OK;
}

int meeting_gaps_listed(db *d, db_stmt *s, const char *from, const char *to, bool only_short, int64_t limit, quota_gap_fn fn, void *ctx,
                        int64_t *nbranches)
{
    if (!s) return CX_ERR;
    /* the branches first (a statement open while others run is one connection's cursor on PostgreSQL) */
    quota_gap *v = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        if (n == cap) v = xrealloc(v, (cap = cap ? 2 * cap : 32) * sizeof *v);
        memset(&v[n], 0, sizeof v[n]);
        v[n].org_id = db_col_i64(s, 0);
        copy_col(v[n].org_name, sizeof v[n].org_name, s, 1);
        copy_col(v[n].org_path, sizeof v[n].org_path, s, 2);
        n++;
    }
    db_done(s);
    rc = rc == CX_ERR ? CX_ERR : CX_OK;
    if (nbranches) *nbranches = (int64_t)n;
    int64_t shown = 0;
    for (size_t i = 0; rc == CX_OK && i < n; i++) {
        rc = meeting_branch_gap(d, &v[i], from, to);
        if (rc != CX_OK || (only_short && !v[i].nshort)) continue;
        if (limit && shown >= limit) continue;
        shown++;
        if (fn && fn(ctx, &v[i])) break;
    }
    free(v);
    return rc;
}

int meeting_quota_gaps(db *d, const org *o, const char *from, const char *to, int64_t limit, quota_gap_fn fn, void *ctx, int64_t *nbranches)
{
    char end[CX_PATH_MAX];
    orgpath_end(o->path, end, sizeof end);
    db_stmt *s = db_prepare(d, "SELECT id, name, path FROM org WHERE path >= ? AND path < ? AND active = 1 AND type = 'branch' ORDER BY path");
    if (s) db_bind_text(s, 1, o->path), db_bind_text(s, 2, end);
    return meeting_gaps_listed(d, s, from, to, true, limit, fn, ctx, nbranches);
}

/* ---- lectures ---- */

static void read_leader(db_stmt *s, void *out)
{
    lecture_leader *l = out;
    l->user_id = db_col_i64(s, 0);
    copy_col(l->username, sizeof l->username, s, 1);
    copy_col(l->display_name, sizeof l->display_name, s, 2);
    copy_col(l->org_name, sizeof l->org_name, s, 3);
}

int meeting_lecture_gaps(db *d, const org *o, int year, lecture_leader_fn fn, void *ctx, int64_t *nleaders, int64_t *nwithout)
{
    char end[CX_PATH_MAX], y0[11], y1[11];
    orgpath_end(o->path, end, sizeof end);
    snprintf(y0, sizeof y0, "%04d-01-01", year);
    snprintf(y1, sizeof y1, "%04d-12-31", year);
    standing st; /* the counts from the leaders' standing roll-up (standing.h): active leaders, and those who lectured in year */
    if ((nleaders || nwithout) && standing_get(d, o->id, year, &st) != CX_OK) return CX_ERR;
    if (nleaders) *nleaders = st.active;
    if (nwithout) *nwithout = st.active - st.lectured;
    static const char without[] = " FROM user_role r JOIN app_user u ON u.id = r.user_id JOIN org g ON g.id = r.org_id "
                                  "WHERE r.role = 'leader' AND u.active = 1 AND g.path >= ? AND g.path < ? AND NOT EXISTS (SELECT 1 FROM meeting m "
                                  "WHERE m.lecturer_user_id = u.id AND m.status = 'held' AND m.kind = 'lecture' AND m.held_on >= ? AND m.held_on <= ?)";
    if (!fn) return CX_OK;
    char sql[1024];
    snprintf(sql, sizeof sql, "SELECT u.id, u.username, u.display_name, min(g.name)%s GROUP BY u.id, u.username, u.display_name "
                              "ORDER BY u.display_name, u.id LIMIT 1000", without);
    db_stmt *s = db_prepare(d, sql);
    if (!s) return CX_ERR;
    db_bind_text(s, 1, o->path);
    db_bind_text(s, 2, end);
    db_bind_text(s, 3, y0);
    db_bind_text(s, 4, y1);
    return DB_EACH(s, lecture_leader, read_leader, fn, ctx);
}
