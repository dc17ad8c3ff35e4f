/* meeting.c: organisation life (组织生活) pages and API: the meetings of an organisation and the
 * new-meeting form, one meeting (minutes, files and photos, attendance marked by the secretary,
 * hold or cancel), the QR sign-in (a new code shown on a printable page; the member's own account
 * signs in from a phone), quotas and the branches behind them (XLSX), leaders without a lecture
 * this year, a member's attendance rate (the API, the member's page and 我的组织生活) and the
 * members' rates of an organisation's subtree (paged, XLSX). */
#include "web.h"
#include "../domain/date.h"
#include "../lib/qr.h"
#include "../store/meeting.h"
#include "../store/period.h"
#include "../store/rollup.h"
#include "../store/quota_rollup.h"
#include "pager.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* How the user stands to one meeting. */
typedef struct mt_view {
    meeting m;
    bool run;   /* may run it (perm_may_run_meetings) */
    bool staff; /* sees every attendee */
} mt_view;

/* Loads meeting id; the same 404 as a missing one unless the user may see it (and run it, with run). */
static bool req_meeting(req *r, int64_t id, bool run, mt_view *v)
{
    int f = meeting_get(r->db, id, &v->m);
    if (f == CX_ERR) {
        req_failf(r, 500, "db_error", "", "数据库错误");
        return false;
    }
    if (f == 1) req_keep(r, v->m.minutes);
    v->run = f == 1 && perm_may_run_meetings(&r->user, v->m.org_path);
    v->staff = f == 1 && perm_sees_attendance(&r->user, v->m.org_path);
    bool ok = f == 1 && (run ? v->run : perm_may_see_meetings(&r->user, v->m.org_path, viewer_path(r)));
    if (!ok) req_failf(r, 404, "not_found", "id", "会议不存在或不在您的管理范围内");
    return ok;
}

static double rate_of(int64_t present, int64_t expected)
{
    char t[24];
    int64_t v = attend_rate_permille(present, expected, t);
    return v < 0 ? 0 : (double)v / 10.0;
}

/* x.rate (a percentage, null when nothing was expected) and x.rate_text ("85.7%" or "—"). */
static void add_rate(cJSON *x, int64_t present, int64_t expected)
{
    char t[24];
    int64_t v = attend_rate_permille(present, expected, t);
    if (v < 0) cJSON_AddNullToObject(x, "rate");
    else cJSON_AddNumberToObject(x, "rate", (double)v / 10.0);
    cJSON_AddStringToObject(x, "rate_text", t);
}

static cJSON *json_meeting(const meeting *m, bool counts)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", m->id);
    json_add_i64(j, "org_id", m->org_id);
    cJSON_AddStringToObject(j, "org_name", m->org_name);
    cJSON_AddStringToObject(j, "kind", meeting_kind_name(m->kind));
    cJSON_AddStringToObject(j, "kind_name", m->kind_name);
    cJSON_AddStringToObject(j, "kind_label", meeting_label(m));
    cJSON_AddStringToObject(j, "status", meeting_status_name(m->status));
    cJSON_AddStringToObject(j, "status_label", meeting_status_label(m->status));
    cJSON_AddStringToObject(j, "title", m->title);
    cJSON_AddStringToObject(j, "held_on", m->held_on);
    cJSON_AddStringToObject(j, "place", m->place);
    cJSON_AddStringToObject(j, "topic", m->topic);
    cJSON_AddStringToObject(j, "host_name", m->host_name);
    if (m->lecturer_user_id) {
        json_add_i64(j, "lecturer_user_id", m->lecturer_user_id);
        cJSON_AddStringToObject(j, "lecturer_name", m->lecturer_name);
    }
    if (m->minutes) cJSON_AddStringToObject(j, "minutes", m->minutes);
    cJSON_AddStringToObject(j, "created_by_name", m->created_by_name);
    json_add_i64(j, "version", m->version);
    cJSON_AddBoolToObject(j, "signin_code", m->has_code);
    if (m->has_code) {
        json_add_i64(j, "signin_opens", m->signin_opens);
        json_add_i64(j, "signin_closes", m->signin_closes);
    }
    if (counts) {
        json_add_i64(j, "expected", m->nexpected);
        json_add_i64(j, "present", m->npresent);
        json_add_i64(j, "leave", m->nleave);
        json_add_i64(j, "absent", m->nabsent);
        cJSON_AddNumberToObject(j, "attendance_rate", rate_of(m->npresent, m->nexpected));
    }
    json_add_i64(j, "files", m->nfiles);
    return j;
}

/* A label/value list of an enum, for a form's choices. */
static void add_choices(cJSON *d, const char *key, int n, const char *(*name)(int), const char *(*label)(int), int skip)
{
    cJSON *a = cJSON_AddArrayToObject(d, key);
    for (int i = 0; i < n; i++) {
        if (i == skip) continue;
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "value", name(i));
        cJSON_AddStringToObject(x, "label", label(i));
        cJSON_AddItemToArray(a, x);
    }
}
static const char *kind_name_i(int k) { return meeting_kind_name((meeting_kind)k); }
static const char *kind_label_i(int k) { return meeting_kind_label((meeting_kind)k); }
static const char *per_name_i(int k) { return quota_per_name((quota_per)k); }
static const char *per_label_i(int k) { return quota_per_label((quota_per)k); }
static const char *state_name_i(int k) { return attend_state_name((attend_state)k); }
static const char *state_label_i(int k) { return attend_state_label((attend_state)k); }

/* The year asked for (?year=, blank: this year) into y; false (400 invalid_year) when not one. */
static bool year_in(req *r, int *y)
{
    char today[11];
    date_today(today);
    *y = atoi(today);
    const char *s = req_query(r, "year");
    int64_t v;
    if (!s || !*s) return true;
    if (str_to_i64(s, &v) != CX_OK || v < 2000 || v > 2100) {
        req_failf(r, 400, "invalid_year", "year", "年份应为 2000 至 2100 的整数");
        return false;
    }
    *y = (int)v;
    return true;
}

/* The first and last days of year y. */
static void year_range(int y, char from[11], char to[11])
{
    snprintf(from, 11, "%04d-01-01", y);
    snprintf(to, 11, "%04d-12-31", y);
}

/* A year's page of o: its title, the organisation, the year and the years either side. */
static cJSON *year_page(req *r, const char *title, const org *o, int year)
{
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", title);
    cJSON_AddItemToObject(d, "org", json_org(o));
    json_add_i64(d, "year", year);
    json_add_i64(d, "prev_year", year - 1);
    json_add_i64(d, "next_year", year + 1);
    return d;
}

/* ---- the list and the new meeting ---- */

typedef struct list_ctx {
    cJSON *arr;
    bool counts;
} list_ctx;

static int add_meeting(void *ctx, const meeting *m)
{
    list_ctx *c = ctx;
    cJSON_AddItemToArray(c->arr, json_meeting(m, c->counts));
    return 0;
}

/* The attendance of o's subtree over the year from the quarter roll-ups: expected, present, rate. */
static void add_org_rate(req *r, cJSON *d, const org *o, int year)
{
    period p;
    if (period_get(r->db, o->id, year * 10 + 1, year * 10 + 4, &p) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取统计失败");
        return;
    }
    cJSON *x = cJSON_AddObjectToObject(d, "attendance");
    json_add_i64(x, "meetings_held", p.v[PR_MEETINGS_HELD]);
    json_add_i64(x, "expected", p.v[PR_ATTENDANCE_EXPECTED]);
    json_add_i64(x, "present", p.v[PR_ATTENDANCE_PRESENT]);
    json_add_i64(x, "lectures_held", p.v[PR_LECTURES_HELD]);
    add_rate(x, p.v[PR_ATTENDANCE_PRESENT], p.v[PR_ATTENDANCE_EXPECTED]);
}

static int add_member_meeting(void *ctx, const member_meeting *x)
{
    cJSON *j = json_meeting(&x->m, false);
    cJSON_AddStringToObject(j, "state", attend_state_name(x->a.state));
    cJSON_AddStringToObject(j, "how", x->a.how);
    cJSON_AddStringToObject(j, "state_label", attend_shown_label(x->a.state, x->a.how, x->m.status));
    if (x->a.state == AS_LEAVE) cJSON_AddStringToObject(j, "leave_reason", x->a.reason);
    cJSON_AddItemToArray(ctx, j);
    return 0;
}

/* d[key]: the member's attendance over the year's held meetings (present, leave and absent of
 * expected, the rate; leave counts as expected), with the year's meetings and the member's state
 * at each when meetings is set. */
static bool add_member_rate(req *r, cJSON *d, const char *key, int64_t member_id, int year, bool meetings)
{
    char from[11], to[11];
    year_range(year, from, to);
    attend_rate a;
    if (meeting_member_rate(r->db, member_id, from, to, &a) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取出席情况失败");
        return false;
    }
    cJSON *x = cJSON_AddObjectToObject(d, key);
    json_add_i64(x, "member_id", member_id);
    json_add_i64(x, "year", year);
    json_add_i64(x, "prev_year", year - 1);
    json_add_i64(x, "next_year", year + 1);
    json_add_i64(x, "expected", a.expected);
    json_add_i64(x, "present", a.present);
    json_add_i64(x, "leave", a.leave);
    json_add_i64(x, "absent", a.absent);
    json_add_i64(x, "unmarked", a.expected - a.present - a.leave - a.absent);
    add_rate(x, a.present, a.expected);
    if (meetings && meeting_member_meetings(r->db, member_id, from, to, add_member_meeting, cJSON_AddArrayToObject(x, "meetings")) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取会议失败");
        return false;
    }
    return true;
}

/* GET /orgs/:id/meetings (?year=&subtree=1) */
void h_meetings(req *r)
{
    int64_t id;
    org o;
    int year;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ANY, &o) || !year_in(r, &year)) return;
    const char *own = viewer_path(r);
    if (!perm_may_see_meetings(&r->user, o.path, own)) {
        req_failf(r, 404, "not_found", "id", "党组织不存在或不在您的管理范围内");
        return;
    }
    bool staff = perm_sees_attendance(&r->user, o.path);
    const char *sub = req_query(r, "subtree");
    bool subtree = staff && sub && !strcmp(sub, "1");
    char from[11], to[11];
    year_range(year, from, to);
    cJSON *d = year_page(r, "组织生活", &o, year);
    cJSON_AddBoolToObject(d, "subtree", subtree);
    cJSON_AddBoolToObject(d, "staff", staff);
    list_ctx c = {cJSON_AddArrayToObject(d, "meetings"), staff};
    if (meeting_list(r->db, &o, subtree, from, to, 500, add_meeting, &c) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取会议失败");
        return;
    }
    if (staff) add_org_rate(r, d, &o, year);
    if (r->user.member_id && own[0] && !strcmp(own, o.path) && !add_member_rate(r, d, "my_attendance", r->user.member_id, year, false)) return;
    bool can = o.active && perm_may_run_meetings(&r->user, o.path);
    cJSON_AddBoolToObject(d, "can_create", can);
    cJSON_AddBoolToObject(d, "can_quota", perm_may_set_meeting_quota(&r->user, o.path));
    if (can) add_choices(d, "kinds", MK_COUNT, kind_name_i, kind_label_i, -1);
}

/* The meeting as typed in the request. */
static meeting_form_in meeting_input(req *r)
{
    return (meeting_form_in){req_in(r, "kind"), req_in(r, "kind_name"), req_in(r, "title"), req_in(r, "held_on"), req_in(r, "place"),
                        req_in(r, "topic"), req_in(r, "host_name"), req_in(r, "minutes"), req_in(r, "lecturer_user_id")};
}

/* After a change: the page goes back to the meeting (anchor), the API answers with it as it now is. */
static void meeting_done(req *r, int64_t id, int rc, const cx_err *e, const char *anchor)
{
    if (!req_changed(r, rc, e, "/meetings/%" PRId64 "%s", id, anchor)) return;
    meeting m;
    if (!req_found(r, meeting_get(r->db, id, &m), "id", "会议")) return;
    cJSON_AddItemToObject(req_data(r), "meeting", json_meeting(&m, true));
    meeting_free(&m);
}

/* POST /orgs/:id/meetings */
void h_meeting_create(req *r)
{
    int64_t id, nid = 0;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ADMIN, &o)) return;
    if (!o.active || !perm_may_run_meetings(&r->user, o.path)) {
        req_failf(r, 404, "not_found", "id", "党组织不存在或已停用");
        return;
    }
    meeting_form_in in = meeting_input(r);
    meeting_form_ok ok;
    cx_err e = {0};
    int rc = meeting_form_check(&in, &ok, &e);
    if (rc == CX_OK) rc = meeting_create(r->db, &r->who, &o, &ok, &nid, &e), meeting_form_free(&ok);
    if (rc == CX_OK && req_is_api(r)) r->status = 201;
    meeting_done(r, nid, rc, &e, "");
}

/* ---- one meeting ---- */

typedef struct att_ctx {
    cJSON *arr;
    bool staff;
} att_ctx;

static cJSON *json_attendee(const attendee *t)
{
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "member_id", t->member_id);
    cJSON_AddStringToObject(x, "name", t->name);
    cJSON_AddStringToObject(x, "state", attend_state_name(t->state));
    cJSON_AddStringToObject(x, "state_label", attend_state_label(t->state));
    cJSON_AddStringToObject(x, "how", t->how);
    cJSON_AddStringToObject(x, "how_label", !strcmp(t->how, "qr") ? "扫码签到" : !strcmp(t->how, "marked") ? "书记登记" : "");
    if (t->state == AS_LEAVE) cJSON_AddStringToObject(x, "reason", t->reason);
    if (t->signed_at) json_add_i64(x, "signed_at", t->signed_at);
    cJSON_AddBoolToObject(x, "present", t->state == AS_PRESENT);
    return x;
}

static int add_attendee(void *ctx, const attendee *t)
{
    cJSON_AddItemToArray(ctx, json_attendee(t));
    return 0;
}

static void show_meeting(req *r, mt_view *v)
{
    const meeting *m = &v->m;
    cJSON *d = req_data(r);
    char title[480];
    snprintf(title, sizeof title, "%s：%s", meeting_label(m), m->title);
    cJSON_AddStringToObject(d, "title", title);
    cJSON_AddItemToObject(d, "meeting", json_meeting(m, v->staff));
    cJSON *can = cJSON_AddObjectToObject(d, "can");
    cJSON_AddBoolToObject(can, "hold", v->run && meeting_decide(m->status, MA_HOLD, NULL, NULL) == CX_OK &&
                                          meeting_held_date_check(m->held_on, NULL, 409, NULL) == CX_OK);
    cJSON_AddBoolToObject(can, "cancel", v->run && meeting_decide(m->status, MA_CANCEL, NULL, NULL) == CX_OK);
    bool open = m->status != MS_CANCELLED;
    cJSON_AddBoolToObject(can, "edit", v->run && open);
    cJSON_AddBoolToObject(can, "attend", v->run && open);
    cJSON_AddBoolToObject(can, "refresh", v->run && m->status == MS_PLANNED);
    cJSON_AddBoolToObject(can, "signin_code", v->run && open);
    cJSON_AddBoolToObject(d, "staff", v->staff);
    int rc = CX_OK;
    if (v->staff) rc = meeting_attendees(r->db, m->id, 0, add_attendee, cJSON_AddArrayToObject(d, "attendees"));
    if (rc == CX_OK && r->user.member_id) { /* the user's own row (a member sees only theirs) */
        cJSON *mine = cJSON_AddArrayToObject(d, "mine");
        rc = meeting_attendees(r->db, m->id, r->user.member_id, add_attendee, mine);
    }
    if (rc == CX_OK) rc = meeting_files(r->db, m->id, add_attachment, cJSON_AddArrayToObject(d, "files"));
    if (v->run && open) {
        add_choices(d, "kinds", MK_COUNT, kind_name_i, kind_label_i, -1);
        add_choices(d, "states", AS_COUNT, state_name_i, state_label_i, -1);
        json_add_i64(d, "signin_minutes", SIGNIN_MINUTES_DEFAULT);
    }
    if (rc != CX_OK) req_failf(r, 500, "db_error", "", "读取会议失败");
}

/* GET /meetings/:id */
void h_meeting(req *r)
{
    int64_t id;
    mt_view v;
    if (req_id(r, 0, &id) && req_meeting(r, id, false, &v)) show_meeting(r, &v);
}

/* POST /meetings/:id/edit {kind, title, held_on, place, topic, host_name, minutes, lecturer_user_id, version} */
void h_meeting_update(req *r)
{
    int64_t id, version = 0;
    mt_view v;
    if (!req_id(r, 0, &id) || !req_meeting(r, id, true, &v) || !req_opt_id(r, "version", "版本", &version)) return;
    meeting_form_in in = meeting_input(r);
    meeting_form_ok ok;
    cx_err e = {0};
    int rc = meeting_form_check(&in, &ok, &e);
    if (rc == CX_OK) rc = meeting_update(r->db, &r->who, id, &ok, version, &e), meeting_form_free(&ok);
    meeting_done(r, id, rc, &e, "");
}

/* POST /meetings/:id/hold | cancel {version?} */
void h_meeting_act(req *r)
{
    int64_t id, version = 0;
    mt_view v;
    if (!req_id(r, 0, &id) || !req_meeting(r, id, true, &v) || !req_opt_id(r, "version", "版本", &version)) return;
    cx_err e = {0};
    meeting_done(r, id, meeting_act(r->db, &r->who, id, (meeting_action)r->rt->action, version, &e), &e, "");
}

/* POST /meetings/:id/refresh: the expected attendees again from the roster. */
void h_meeting_refresh(req *r)
{
    int64_t id, added = 0, dropped = 0;
    mt_view v;
    if (!req_id(r, 0, &id) || !req_meeting(r, id, true, &v)) return;
    cx_err e = {0};
    int rc = meeting_refresh(r->db, &r->who, id, &added, &dropped, &e);
    meeting_done(r, id, rc, &e, "#attendance");
    if (rc == CX_OK && req_is_api(r)) {
        json_add_i64(req_data(r), "added", added);
        json_add_i64(req_data(r), "dropped", dropped);
    }
}

/* POST /meetings/:id/attendance {member_id, state present|absent|leave|expected, reason} */
void h_meeting_attend(req *r)
{
    int64_t id, member_id = 0;
    mt_view v;
    if (!req_id(r, 0, &id) || !req_meeting(r, id, true, &v) || !req_opt_id(r, "member_id", "党员", &member_id)) return;
    if (!member_id) {
        req_failf(r, 400, "required", "member_id", "请选择党员");
        return;
    }
    attend_ok ok;
    cx_err e = {0};
    int rc = attend_check(req_in(r, "state"), req_in(r, "reason"), &ok, &e);
    if (rc == CX_OK) rc = meeting_attend(r->db, &r->who, id, member_id, &ok, &e);
    meeting_done(r, id, rc, &e, "#attendance");
}

/* POST /meetings/:id/attendance-rest: everyone still only expected marked present (the secretary's
 * one step after the absences and leaves are marked). */
void h_meeting_attend_rest(req *r)
{
    int64_t id, n = 0;
    mt_view v;
    if (!req_id(r, 0, &id) || !req_meeting(r, id, true, &v)) return;
    cx_err e = {0};
    int rc = meeting_attend_rest(r->db, &r->who, id, &n, &e);
    meeting_done(r, id, rc, &e, "#attendance");
    if (rc == CX_OK && req_is_api(r)) json_add_i64(req_data(r), "marked", n);
}

/* POST /meetings/:id/files (multipart evidence) */
void h_meeting_files_add(req *r)
{
    int64_t id;
    mt_view v;
    if (!req_id(r, 0, &id) || !req_meeting(r, id, true, &v)) return;
    evidence_in files[EVIDENCE_MAX_FILES + 1];
    int nf = req_files(r, "evidence", files, EVIDENCE_MAX_FILES + 1);
    cx_err e = {0};
    int rc = meeting_add_files(r->db, &r->who, id, files, nf, &e);
    if (rc == CX_OK && req_is_api(r)) r->status = 201;
    meeting_done(r, id, rc, &e, "#files");
    if (rc == CX_OK && req_is_api(r)) meeting_files(r->db, id, add_attachment, cJSON_AddArrayToObject(req_data(r), "files"));
}

/* GET /meeting-files/:id: the meeting decides who may see it, before the bytes are loaded. */
void h_meeting_file(req *r)
{
    int64_t id, mid = 0;
    mt_view v;
    if (!req_id(r, 0, &id)) return;
    if (meeting_file_owner(r->db, id, &mid) != 1) {
        req_failf(r, 404, "not_found", "id", "会议材料不存在");
        return;
    }
    if (!req_meeting(r, mid, false, &v)) return;
    char mime[32], name[128];
    buf_init(&r->file);
    req_attachment(r, meeting_file_get(r->db, id, &r->file, mime, name), mime);
}

/* ---- the QR sign-in ---- */

#define QR_COOKIE "cxzy_mqr"

/* The sign-in address of a secret into out (the public address; fails the request on a bad Host). */
static bool signin_url(req *r, const char *secret, buf *out)
{
    char path[80];
    snprintf(path, sizeof path, "/signin/%s", secret);
    return req_public_url(r, path, out);
}

/* POST /meetings/:id/signin-code {minutes | opens, closes}: a new secret, the old one dead. The page
 * goes to the printable QR (the secret rides in a short-lived cookie for that page only, never in
 * a URL the secretary's browser keeps); the API answers the secret and the address once. */
void h_meeting_signin_code(req *r)
{
    int64_t id, opens = 0, closes = 0;
    mt_view v;
    if (!req_id(r, 0, &id) || !req_meeting(r, id, true, &v)) return;
    cx_err e = {0};
    char secret[2 * SIGNIN_SECRET_BYTES + 1];
    int rc = signin_window_check(req_in(r, "minutes"), req_in(r, "opens"), req_in(r, "closes"), now_unix(), &opens, &closes, &e);
    if (rc == CX_OK) rc = signin_window_day(v.m.held_on, opens, closes, &e);
    if (rc == CX_OK) rc = meeting_signin_code(r->db, &r->who, id, opens, closes, secret, &e);
    if (rc != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (!req_is_api(r)) {
        free(r->set_cookie[0]);
        r->set_cookie[0] = xasprintf(QR_COOKIE "=%s; Path=/meetings/%" PRId64 "/qr; Max-Age=43200; HttpOnly; SameSite=Strict", secret, id);
        req_redirect(r, "/meetings/%" PRId64 "/qr", id);
        return;
    }
    buf url;
    buf_init(&url);
    if (!signin_url(r, secret, &url)) return;
    r->status = 201;
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "token", secret);
    cJSON_AddStringToObject(d, "url", url.p);
    json_add_i64(d, "opens", opens);
    json_add_i64(d, "closes", closes);
    buf_free(&url);
}

/* GET /meetings/:id/qr: the printable sign-in QR (A4) of the secret just made on this browser. */
void h_meeting_qr(req *r)
{
    int64_t id;
    mt_view v;
    if (!req_id(r, 0, &id) || !req_meeting(r, id, true, &v)) return;
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "签到二维码");
    cJSON_AddItemToObject(d, "meeting", json_meeting(&v.m, false));
    const char *secret = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, QR_COOKIE);
    int cur = secret ? meeting_secret_is(r->db, id, secret) : 0;
    if (cur == CX_ERR) {
        req_failf(r, 500, "db_error", "", "数据库错误");
        return;
    }
    cJSON_AddBoolToObject(d, "can_code", v.m.status != MS_CANCELLED);
    json_add_i64(d, "signin_minutes", SIGNIN_MINUTES_DEFAULT);
    if (cur != 1) return; /* no code made here, or replaced since: the page offers a new one */
    buf url;
    buf_init(&url);
    if (!signin_url(r, secret, &url)) return;
    cJSON *q = cJSON_AddObjectToObject(d, "qr");
    if (json_add_qr(q, url.p) != CX_OK) req_failf(r, 500, "qr_error", "", "生成二维码失败");
    json_add_i64(q, "opens", v.m.signin_opens);
    json_add_i64(q, "closes", v.m.signin_closes);
    buf_free(&url);
}

/* The meeting behind the sign-in address (404 as for a guessed or replaced one). */
static bool signin_meeting(req *r, meeting *m)
{
    const char *secret = r->nparams > 0 ? r->params[0] : "";
    int f = meeting_by_secret(r->db, secret, m);
    if (f == CX_ERR) {
        req_failf(r, 500, "db_error", "", "数据库错误");
        return false;
    }
    if (f == 1) req_keep(r, m->minutes);
    if (f != 1) req_failf(r, 404, "not_found", "token", "签到二维码无效或已更换，请扫描会场上最新的二维码");
    return f == 1;
}

/* What the signed-in member sees of the meeting they scanned: no more than the QR on the wall says. */
static void signin_data(req *r, const meeting *m, const char *secret)
{
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "会议签到");
    cJSON *x = cJSON_AddObjectToObject(d, "meeting");
    cJSON_AddStringToObject(x, "title", m->title);
    cJSON_AddStringToObject(x, "kind_label", meeting_label(m));
    cJSON_AddStringToObject(x, "org_name", m->org_name);
    cJSON_AddStringToObject(x, "held_on", m->held_on);
    cJSON_AddStringToObject(x, "place", m->place);
    cJSON_AddStringToObject(d, "token", secret);
    cx_err e = {0};
    bool open = m->status != MS_CANCELLED && signin_window(m->signin_opens, m->signin_closes, now_unix(), &e) == CX_OK;
    if (!open) cJSON_AddStringToObject(d, "closed_message", m->status == MS_CANCELLED ? "会议已取消" : e.msg);
    cJSON_AddBoolToObject(d, "open", open);
    cJSON_AddBoolToObject(d, "is_member", r->user.member_id != 0);
    cJSON *mine = cJSON_AddArrayToObject(d, "mine");
    if (r->user.member_id && meeting_attendees(r->db, m->id, r->user.member_id, add_attendee, mine) != CX_OK) {
        req_failf(r, 500, "db_error", "", "数据库错误");
        return;
    }
    cJSON *row = cJSON_GetArrayItem(mine, 0);
    cJSON_AddBoolToObject(d, "expected", row != NULL);
    cJSON_AddBoolToObject(d, "signed", row && cJSON_IsTrue(cJSON_GetObjectItem(row, "present")));
}

/* GET /signin/:token: the page a member's phone opens from the QR (login first, then back here). */
void h_signin_page(req *r)
{
    meeting m;
    if (signin_meeting(r, &m)) signin_data(r, &m, r->params[0]);
}

/* POST /signin/:token: the member signs in with their own account (once; inside the window). */
void h_signin(req *r)
{
    if (!r->user.member_id) {
        req_failf(r, 403, "not_member", "token", "您的账号不是党员账号，不能签到：请用本人的党员账号登录后扫码");
        return;
    }
    int64_t mid = 0;
    bool already = false;
    cx_err e = {0};
    const char *secret = r->nparams > 0 ? r->params[0] : "";
    if (meeting_signin(r->db, &r->who, secret, r->user.member_id, &mid, &already, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (!req_is_api(r)) {
        req_redirect(r, "/signin/%s", secret);
        return;
    }
    cJSON *d = req_data(r);
    json_add_i64(d, "meeting_id", mid);
    cJSON_AddBoolToObject(d, "signed", true);
    cJSON_AddBoolToObject(d, "already", already);
}

/* ---- quotas ---- */

typedef struct gap_ctx {
    cJSON *arr;
    lxw_worksheet *ws;
    lxw_row_t row;
    int64_t skip, take, seen; /* judged from the meetings: the page among all behind (take 0: all) */
} gap_ctx;

static int add_gap(void *ctx, const quota_gap *g)
{
    gap_ctx *c = ctx;
    int64_t at = c->seen++;
    if (c->take && (at < c->skip || at >= c->skip + c->take)) return 0;
    if (c->ws) {
        worksheet_write_string(c->ws, c->row, 0, g->org_name, NULL);
        worksheet_write_number(c->ws, c->row, 1, (double)g->nshort, NULL);
        worksheet_write_string(c->ws, c->row, 2, g->text, NULL);
        c->row++;
        return 0;
    }
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "org_id", g->org_id);
    cJSON_AddStringToObject(x, "org_name", g->org_name);
    json_add_i64(x, "kinds_short", g->nshort);
    cJSON_AddStringToObject(x, "short", g->text);
    cJSON *k = cJSON_AddArrayToObject(x, "kinds");
    for (int i = 0; i < MK_COUNT; i++) {
        if (!g->due[i]) continue;
        cJSON *y = cJSON_CreateObject();
        cJSON_AddStringToObject(y, "kind", meeting_kind_name((meeting_kind)i));
        cJSON_AddStringToObject(y, "label", meeting_kind_label((meeting_kind)i));
        json_add_i64(y, "due", g->due[i]);
        json_add_i64(y, "held", g->held[i]);
        cJSON_AddItemToArray(k, y);
    }
    cJSON_AddItemToArray(c->arr, x);
    return 0;
}

/* The reporting period asked for (?period=2026-03|2026Q1|2026; blank: this month) into text, from, to. */
static bool period_in(req *r, char text[16], char from[11], char to[11])
{
    const char *p = req_query(r, "period");
    char today[11];
    date_today(today);
    if (!p || !*p) snprintf(text, 16, "%.7s", today);
    else snprintf(text, 16, "%.15s", p);
    cx_err e = {0};
    if (meeting_period(text, from, to, &e) != CX_OK) {
        req_fail(r, &e);
        return false;
    }
    return true;
}

/* The active branches of o's subtree and those behind their quotas in month ('YYYY-MM') from the
 * roll-up (quota_rollup.h): the current year is built first when it is not the kept one. false
 * (nothing failed) when the month is outside the kept year: the caller judges from the meetings. */
static int quota_counts(req *r, const org *o, const char *month, bool *kept, int64_t *branches, int64_t *behind)
{
    char today[11];
    date_today(today);
    int year = 0;
    *kept = false;
    if (quota_kept_year(r->db, &year) != CX_OK) return CX_ERR;
    if (atoi(month) == atoi(today) && year != atoi(today) && quota_keep_year(r->db, atoi(today)) != CX_OK) return CX_ERR;
    int64_t met = 0;
    if (quota_rollup_get(r->db, o->id, month, kept, branches, &met) != CX_OK) return CX_ERR;
    *behind = *branches - met;
    return CX_OK;
}

/* GET /orgs/:id/meeting-quota (?period=&page=&format=xlsx): the quotas in force and the branches
 * behind them: for a month of the kept year counted from the roll-up and listed a page at a time;
 * for another period judged from the meetings of every branch (the page cut from them); the XLSX
 * lists them all. */
void h_meeting_quota(req *r)
{
    int64_t id;
    org o;
    pager pg;
    char text[16], from[11], to[11];
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_STAFF, &o) || !period_in(r, text, from, to) || !pager_read(r, 50, 500, &pg)) return;
    const char *fmt = req_query(r, "format");
    bool xlsx = fmt && !strcmp(fmt, "xlsx");
    if (fmt && *fmt && !xlsx) {
        req_failf(r, 400, "invalid_format", "format", "导出格式只支持 xlsx");
        return;
    }
    int64_t nb = 0;
    if (xlsx) {
        static const char *const heads[] = {"党组织", "未达要求的会议类型数", "未达要求（已开/应开）"};
        xlsx_export xe;
        gap_ctx c = {.ws = export_open(r, &xe, "未达要求", heads, 3), .row = 1};
        if (!c.ws) return;
        worksheet_set_column(c.ws, 0, 0, 30, NULL);
        worksheet_set_column(c.ws, 2, 2, 60, NULL);
        int rc = meeting_quota_gaps(r->db, &o, from, to, 0, add_gap, &c, &nb);
        char name[400];
        snprintf(name, sizeof name, "%s-%s-组织生活未达要求.xlsx", o.name, text);
        export_close(r, &xe, rc, name, "org", o.id, o.id, NULL);
        return;
    }
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "组织生活要求");
    cJSON_AddItemToObject(d, "org", json_org(&o));
    cJSON_AddStringToObject(d, "period", text);
    cJSON_AddStringToObject(d, "from", from);
    cJSON_AddStringToObject(d, "to", to);
    meeting_quota q[MK_COUNT];
    if (meeting_quotas(r->db, o.path, q) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取要求失败");
        return;
    }
    cJSON *qa = cJSON_AddArrayToObject(d, "quotas");
    for (int k = 0; k < MK_COUNT; k++) {
        if (k == MK_CUSTOM) continue;
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "kind", meeting_kind_name((meeting_kind)k));
        cJSON_AddStringToObject(x, "label", meeting_kind_label((meeting_kind)k));
        cJSON_AddStringToObject(x, "per", quota_per_name(q[k].per));
        cJSON_AddStringToObject(x, "per_label", quota_per_label(q[k].per));
        json_add_i64(x, "count", q[k].count);
        json_add_i64(x, "set_by", q[k].set_by);
        cJSON_AddBoolToObject(x, "default", q[k].set_by == 0);
        cJSON_AddItemToArray(qa, x);
    }
    gap_ctx c = {.arr = cJSON_AddArrayToObject(d, "behind"), .take = pg.per_page};
    bool kept = false;
    int64_t behind = 0;
    int rc = strlen(text) == 7 ? quota_counts(r, &o, text, &kept, &nb, &behind) : CX_OK;
    if (rc == CX_OK && kept) {
        pager_set_total(&pg, behind);
        rc = quota_behind_page(r->db, &o, text, pager_offset(&pg), pg.per_page, add_gap, &c);
    } else if (rc == CX_OK) {
        c.skip = pager_offset(&pg);
        rc = meeting_quota_gaps(r->db, &o, from, to, 0, add_gap, &c, &nb);
        behind = c.seen;
        pager_set_total(&pg, behind);
        if (c.skip >= behind && behind) { /* a page past the last is the last */
            cJSON_DeleteItemFromObject(d, "behind");
            c = (gap_ctx){.arr = cJSON_AddArrayToObject(d, "behind"), .take = pg.per_page, .skip = pager_offset(&pg)};
            rc = meeting_quota_gaps(r->db, &o, from, to, 0, add_gap, &c, &nb);
        }
    }
    if (rc != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取会议失败");
        return;
    }
    json_add_i64(d, "branches", nb);
    json_add_i64(d, "behind_count", behind);
    cJSON_AddBoolToObject(d, "from_rollup", kept);
    pager_json(r, d, &pg);
    bool can = perm_may_set_meeting_quota(&r->user, o.path);
    cJSON_AddBoolToObject(d, "can_set", can);
    if (can) {
        add_choices(d, "kinds", MK_COUNT, kind_name_i, kind_label_i, MK_CUSTOM);
        add_choices(d, "pers", QP_COUNT, per_name_i, per_label_i, -1);
    }
}

/* POST /orgs/:id/meeting-quota {kind, per, count} */
void h_meeting_quota_set(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_OFFICE, &o)) return;
    meeting_quota q;
    cx_err e = {0};
    if (quota_check(req_in(r, "kind"), req_in(r, "per"), req_in(r, "count"), &q, &e) != CX_OK ||
        meeting_quota_set(r->db, &r->who, &o, &q, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (!req_is_api(r)) {
        req_redirect(r, "/orgs/%" PRId64 "/meeting-quota", id);
        return;
    }
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "kind", meeting_kind_name(q.kind));
    cJSON_AddStringToObject(d, "per", quota_per_name(q.per));
    json_add_i64(d, "count", q.count);
    json_add_i64(d, "org_id", o.id);
}

/* ---- lectures and a member's attendance ---- */

static int add_leader(void *ctx, const lecture_leader *l)
{
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "user_id", l->user_id);
    cJSON_AddStringToObject(x, "username", l->username);
    cJSON_AddStringToObject(x, "display_name", l->display_name);
    cJSON_AddStringToObject(x, "org_name", l->org_name);
    cJSON_AddItemToArray(ctx, x);
    return 0;
}

/* GET /orgs/:id/lectures (?year=): leaders of the subtree without a held 党课 this year. */
void h_meeting_lectures(req *r)
{
    int64_t id, n = 0, without = 0;
    org o;
    int year;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_STAFF, &o) || !year_in(r, &year)) return;
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "讲党课情况");
    cJSON_AddItemToObject(d, "org", json_org(&o));
    json_add_i64(d, "year", year);
    if (meeting_lecture_gaps(r->db, &o, year, add_leader, cJSON_AddArrayToObject(d, "without"), &n, &without) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取失败");
        return;
    }
    json_add_i64(d, "leaders", n);
    json_add_i64(d, "without_count", without);
}

/* GET /api/v1/members/:id/attendance (?year=): the member's attendance over held meetings. */
void h_member_attendance(req *r)
{
    int64_t id;
    int year;
    if (!req_id(r, 0, &id) || !year_in(r, &year)) return;
    if (id != r->user.member_id) {
        member m;
        if (!req_member(r, id, ROLE_STAFF, &m)) return;
    }
    add_member_rate(r, req_data(r), "my_attendance", id, year, false);
}

bool meeting_member_block(req *r, const member *m, cJSON *d)
{
    int year;
    if (m->id != r->user.member_id && !perm_sees_attendance(&r->user, m->org_path)) return true;
    return year_in(r, &year) && add_member_rate(r, d, "attendance", m->id, year, true);
}

/* GET /me/meetings (?year=): 我的组织生活: the member's own rate and the year's meetings. */
void h_my_meetings(req *r)
{
    int year;
    if (!year_in(r, &year)) return;
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "我的组织生活");
    if (!r->user.member_id) {
        req_failf(r, 404, "not_member", "", "您的账号没有对应的党员，没有组织生活记录");
        return;
    }
    member m;
    if (!req_found(r, member_get(r->db, r->user.member_id, &m), "id", "党员")) return;
    cJSON_AddStringToObject(d, "org_name", m.org_name);
    json_add_i64(d, "org_id", m.org_id);
    add_member_rate(r, d, "attendance", m.id, year, true);
}

static int add_member_rate_row(void *ctx, const member_rate *x)
{
    gap_ctx *l = ctx; /* the same JSON array or worksheet rows as the quota list */
    char t[24];
    int64_t v = attend_rate_permille(x->r.present, x->r.expected, t);
    if (l->arr) {
        cJSON *j = cJSON_CreateObject();
        json_add_i64(j, "member_id", x->member_id);
        cJSON_AddStringToObject(j, "name", x->name);
        cJSON_AddStringToObject(j, "org_name", x->org_name);
        json_add_i64(j, "expected", x->r.expected);
        json_add_i64(j, "present", x->r.present);
        json_add_i64(j, "leave", x->r.leave);
        json_add_i64(j, "absent", x->r.absent);
        add_rate(j, x->r.present, x->r.expected);
        cJSON_AddItemToArray(l->arr, j);
    }
    if (l->ws) {
        worksheet_write_string(l->ws, l->row, 0, x->name, NULL);
        worksheet_write_string(l->ws, l->row, 1, x->org_name, NULL);
        const int64_t n[] = {x->r.expected, x->r.present, x->r.leave, x->r.absent};
        for (lxw_col_t c = 0; c < 4; c++) worksheet_write_number(l->ws, l->row, 2 + c, (double)n[c], NULL);
        if (v < 0) worksheet_write_string(l->ws, l->row, 6, t, NULL);
        else worksheet_write_number(l->ws, l->row, 6, (double)v / 10.0, NULL);
        l->row++;
    }
    return 0;
}

/* GET /orgs/:id/attendance (?year=&page=&per_page=&format=xlsx): the subtree's active members with
 * their rates over the year, lowest first, under the organisation's own rate. */
void h_org_attendance(req *r)
{
    int64_t id, total = 0;
    org o;
    int year;
    bool xlsx;
    pager pg;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_STAFF, &o) || !year_in(r, &year) || !req_format_xlsx(r, &xlsx)) return;
    if (!perm_sees_attendance(&r->user, o.path)) {
        req_failf(r, 404, "not_found", "id", "党组织不存在或不在您的管理范围内");
        return;
    }
    char from[11], to[11];
    year_range(year, from, to);
    gap_ctx l = {0};
    if (xlsx) {
        static const char *const heads[] = {"姓名", "所在组织", "应参加（次）", "出席", "请假", "缺席", "出席率（%）"};
        xlsx_export xe;
        l.ws = export_open(r, &xe, "出席率", heads, sizeof heads / sizeof heads[0]);
        if (!l.ws) return;
        l.row = 1;
        int rc = meeting_rates(r->db, &o, from, to, 0, 0, add_member_rate_row, &l);
        char name[400];
        snprintf(name, sizeof name, "%s-出席率-%d.xlsx", o.name, year);
        export_close(r, &xe, rc, name, "org", o.id, o.id, NULL);
        return;
    }
    if (!pager_read(r, 50, 500, &pg)) return;
    cJSON *d = year_page(r, "党员出席率", &o, year);
    add_org_rate(r, d, &o, year);
    if (meeting_rates_count(r->db, &o, &total) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取出席率失败");
        return;
    }
    pager_set_total(&pg, total);
    l.arr = cJSON_AddArrayToObject(d, "members");
    if (meeting_rates(r->db, &o, from, to, pager_offset(&pg), pg.per_page, add_member_rate_row, &l) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取出席率失败");
        return;
    }
    pager_json(r, d, &pg);
}

/* ---- the dashboard's 组织生活 block ---- */

bool meeting_dashboard(req *r, const org *o, int from_q, int to_q, cJSON *d)
{
    period p;
    char today[11];
    date_today(today);
    int64_t behind = 0, branches = 0, leaders = 0, without = 0;
    char month[8];
    snprintf(month, sizeof month, "%.7s", today);
    /* the branches behind quota this month from their roll-up (quota_rollup.h): one row */
    bool kept = false;
    int rc = period_get(r->db, o->id, from_q, to_q, &p);
    if (rc == CX_OK) rc = quota_counts(r, o, month, &kept, &branches, &behind);
    if (rc == CX_OK) rc = meeting_lecture_gaps(r->db, o, atoi(today), NULL, NULL, &leaders, &without);
    if (rc != CX_OK || !kept) {
        req_failf(r, 500, "db_error", "", "读取组织生活统计失败");
        return false;
    }
    cJSON *x = cJSON_AddObjectToObject(d, "org_life");
    json_add_i64(x, "meetings_held", p.v[PR_MEETINGS_HELD]);
    json_add_i64(x, "attendance_expected", p.v[PR_ATTENDANCE_EXPECTED]);
    json_add_i64(x, "attendance_present", p.v[PR_ATTENDANCE_PRESENT]);
    cJSON_AddNumberToObject(x, "attendance_rate", rate_of(p.v[PR_ATTENDANCE_PRESENT], p.v[PR_ATTENDANCE_EXPECTED]));
    json_add_i64(x, "lectures_held", p.v[PR_LECTURES_HELD]);
    cJSON_AddStringToObject(x, "month", month);
    cJSON_AddBoolToObject(x, "quota_counted", true); /* at every level since the roll-up */
    json_add_i64(x, "branches", branches);
    json_add_i64(x, "branches_behind", behind);
    json_add_i64(x, "year", atoi(today));
    json_add_i64(x, "leaders", leaders);
    json_add_i64(x, "leaders_without_lecture", without);
    return true;
}
