/* notify.c: the user's notifications (通知, /me/notifications and /api/v1/me/notifications): the
 * list, marking read, the user's SMS opt-out, and an office's SMS switch of its subtree
 * (/orgs/:id/reminders). What makes them is in the store (store/notify.c), inside each change. */
#include "web.h"
#include "pager.h"
#include "../store/notify.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int notification_into(void *ctx, const notification *n)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", n->id);
    cJSON_AddStringToObject(j, "kind", n->kind);
    cJSON_AddStringToObject(j, "text", n->text);
    cJSON_AddStringToObject(j, "link", n->link);
    if (n->day[0]) cJSON_AddStringToObject(j, "day", n->day);
    char t[32];
    time_text(n->created_at, false, t);
    cJSON_AddStringToObject(j, "created", t);
    cJSON_AddBoolToObject(j, "read", n->read_at != 0);
    cJSON_AddItemToArray(ctx, j);
    return 0;
}

void req_bell(req *r)
{
    /* one count by the partial index notification_unread, for pages only */
    r->has_unread = r->logged_in && !req_is_api(r) && !r->redirect && notify_count(r->db, r->user.user_id, true, &r->unread) == CX_OK;
}

/* A yes/no field: "1", "true", "on" or "0", "false", "off"; false after failing the request. */
static bool flag_field(req *r, const char *name, const char *label, bool *v)
{
    int f = req_flag(r, name);
    if (f < 0) {
        req_failf(r, 400, f == -2 ? "invalid_flag" : "missing_field", name, "%s（%s）应为 true 或 false", label, name);
        return false;
    }
    *v = f == 1;
    return true;
}

/* The SMS switch of each organisation where the user is an office (an office turns it on for its
 * subtree). */
static bool offices_into(req *r, cJSON *d)
{
    cJSON *a = cJSON_AddArrayToObject(d, "offices");
    org os[16];
    int n = req_office_orgs(r, os, 16);
    if (n < 0) return false;
    for (int i = 0; i < n; i++) {
        const org *o = &os[i];
        bool sms = false;
        if (remind_policy_get(r->db, o->path, &sms, NULL) != CX_OK) return false;
        cJSON *x = cJSON_CreateObject();
        json_add_i64(x, "org_id", o->id);
        cJSON_AddStringToObject(x, "org_name", o->name);
        cJSON_AddBoolToObject(x, "sms", sms);
        cJSON_AddItemToArray(a, x);
    }
    return true;
}

/* GET /me/notifications (?unread=1, page, per_page): newest first, the unread count, the user's
 * SMS setting. */
void h_notifications(req *r)
{
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "通知");
    const char *u = req_query(r, "unread");
    bool unread_only = u && (!strcmp(u, "1") || !strcmp(u, "true"));
    pager pg;
    if (!pager_read(r, 30, 200, &pg)) return;
    int64_t total = 0, unread = 0;
    bool off = false;
    if (notify_count(r->db, r->user.user_id, unread_only, &total) != CX_OK || notify_count(r->db, r->user.user_id, true, &unread) != CX_OK ||
        notify_sms_opt_out_get(r->db, r->user.user_id, &off) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取通知失败");
        return;
    }
    pager_set_total(&pg, total);
    cJSON *items = cJSON_AddArrayToObject(d, "notifications");
    if (notify_list(r->db, r->user.user_id, unread_only, pager_offset(&pg), pg.per_page, notification_into, items) != CX_OK ||
        !offices_into(r, d)) {
        req_failf(r, 500, "db_error", "", "读取通知失败");
        return;
    }
    json_add_i64(d, "unread", unread);
    cJSON_AddBoolToObject(d, "unread_only", unread_only);
    cJSON_AddBoolToObject(d, "sms_opt_out", off);
    cJSON_AddBoolToObject(d, "has_phone_account", r->user.member_id != 0);
    pager_json(r, d, &pg);
}

/* The end of a change of the user's own: failed with e (rc not CX_OK), a page back to the list, or
 * true: the API's answer is filled by the caller. */
static bool changed(req *r, int rc, const cx_err *e)
{
    if (rc != CX_OK) req_fail(r, e);
    else if (!req_is_api(r)) req_redirect(r, "/me/notifications");
    return rc == CX_OK && req_is_api(r);
}

/* POST /me/notifications/:id/read: one of the user's own (another's: 404 as for none); a page
 * with go=1 goes on to the notification's link (one of this site's pages, made by the store). */
void h_notification_read(req *r)
{
    int64_t id;
    if (!req_id(r, 0, &id)) return;
    cx_err e = {0};
    char link[256];
    int rc = notify_read(r->db, &r->who, r->user.user_id, id, link, &e);
    const char *go = req_in(r, "go");
    if (rc == CX_OK && !req_is_api(r) && go && !strcmp(go, "1") && link[0] == '/' && link[1] != '/') {
        req_redirect(r, "%s", link);
        return;
    }
    if (!changed(r, rc, &e)) return;
    json_add_i64(req_data(r), "id", id);
    cJSON_AddTrueToObject(req_data(r), "read");
}

/* POST /me/notifications/read-all */
void h_notifications_read_all(req *r)
{
    cx_err e = {0};
    int64_t n = 0;
    if (!changed(r, notify_read_all(r->db, &r->who, r->user.user_id, &n, &e), &e)) return;
    json_add_i64(req_data(r), "marked", n);
}

/* POST /me/notification-settings, PATCH /api/v1/me/notification-settings: sms_opt_out. */
void h_notification_settings(req *r)
{
    bool off;
    if (!flag_field(r, "sms_opt_out", "不接收提醒短信", &off)) return;
    cx_err e = {0};
    if (!changed(r, notify_sms_opt_out_set(r->db, &r->who, r->user.user_id, off, &e), &e)) return;
    cJSON_AddBoolToObject(req_data(r), "sms_opt_out", off);
}

/* POST /orgs/:id/reminders, PATCH /api/v1/orgs/:id/reminders: sms (the daily reminder by SMS for
 * the members of the subtree), by an office over it. */
void h_remind_policy(req *r)
{
    int64_t id;
    org o;
    bool sms;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_OFFICE, &o) || !flag_field(r, "sms", "每日提醒短信", &sms)) return;
    cx_err e = {0};
    if (!changed(r, remind_policy_set(r->db, &r->who, &o, sms, &e), &e)) return;
    json_add_i64(req_data(r), "org_id", o.id);
    cJSON_AddBoolToObject(req_data(r), "sms", sms);
}

/* ---- the daily reminder ---- */

/* The digest's text: the desk's total and its items with something waiting, as many as fit. */
static void digest_text(const cJSON *desk, int64_t total, buf *t)
{
    buf_printf(t, "每日提醒：您有 %" PRId64 " 项待办事项", total);
    const char *sep = "：";
    const cJSON *s, *x;
    cJSON_ArrayForEach(s, cJSON_GetObjectItem(desk, "sections")) cJSON_ArrayForEach(x, cJSON_GetObjectItem(s, "items"))
    {
        int64_t n = json_i64(cJSON_GetObjectItem(x, "count"));
        if (n <= 0) continue;
        const char *label = cJSON_GetStringValue(cJSON_GetObjectItem(x, "label"));
        if (t->len + strlen(label) + 40 > 480) { /* a notification keeps 500 bytes */
            buf_printf(t, "%s……", sep);
            return;
        }
        buf_printf(t, "%s%s %" PRId64, sep, label, n);
        sep = "；";
    }
}

static int db_error(db *d, cx_err *e) { return cx_fail(e, 500, "db_error", "", "数据库错误：%s", db_errmsg(d)); }

/* Local midnight of today: the SMS cap counts from there. */
static int64_t day_start(void)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    return (int64_t)mktime(&tm);
}

int remind_run(db *d, const actor *a, const char *day, remind_stats *st, cx_err *e)
{
    memset(st, 0, sizeof *st);
    int64_t *ids = NULL, n = 0;
    if (notify_users(d, day, &ids, &n) != CX_OK) return db_error(d, e);
    char url[256] = "";
    if (setting_get(d, SETTING_PUBLIC_URL, url, sizeof url) == CX_ERR) url[0] = 0;
    int64_t since = day_start();
    int rc = CX_OK;
    principal *u = xmalloc(sizeof *u);
    member *m = xmalloc(sizeof *m);
    for (int64_t i = 0; i < n && rc == CX_OK; i++) {
        int f = user_load(d, ids[i], u);
        if (f == 0) continue;
        if (f < 0) {
            rc = db_error(d, e);
            break;
        }
        const char *vpath = "";
        f = u->member_id ? member_get(d, u->member_id, m) : 0;
        if (f < 0) {
            rc = db_error(d, e);
            break;
        }
        if (f == 1) vpath = m->org_path;
        st->users++;
        cJSON *desk = cJSON_CreateObject();
        int64_t total = 0;
        if (desk_build(d, u, vpath, desk, &total) != CX_OK) {
            cJSON_Delete(desk);
            rc = db_error(d, e);
            break;
        }
        if (total > 0) {
            buf t;
            buf_init(&t);
            digest_text(desk, total, &t);
            int made = 0;
            rc = notify_digest(d, a, u->user_id, day, t.p, "/desk", &made, e);
            if (rc == CX_OK && made) {
                st->made++;
                char sms[400];
                snprintf(sms, sizeof sms, "【创先争优】%s同志：您有 %" PRId64 " 项待办事项，请登录%s%s查看工作台。", u->display_name, total,
                         url[0] ? " " : "", url);
                rc = remind_sms_digest(d, u->user_id, sms, since, &st->sms, e);
            }
            buf_free(&t);
        }
        cJSON_Delete(desk);
    }
    free(u);
    free(m);
    free(ids);
    if (rc != CX_OK) return CX_ERR;
    if (!st->made) return CX_OK; /* nothing made: nothing to record */
    char *after = xasprintf("{\"day\":\"%s\",\"users\":%" PRId64 ",\"made\":%" PRId64 ",\"sms_sent\":%" PRId64 ",\"sms_failed\":%" PRId64
                            ",\"sms_capped\":%" PRId64 "}",
                            day, st->users, st->made, st->sms.sent, st->sms.failed, st->sms.capped);
    rc = audit_record(d, a, "remind", "notification", 0, 0, NULL, after, "ok");
    free(after);
    return rc == CX_OK ? CX_OK : cx_fail(e, 500, "db_error", "", "记录审计失败：%s", db_errmsg(d));
}
