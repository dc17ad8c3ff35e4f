/* notify.c: notifications, the daily digest and its SMS (see notify.h). */
#include "notify.h"
#include "row.h"
#include "feedback.h"
#include "../domain/idcard.h"
#include "../lib/crypto.h"
#include "../lib/sms.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOTIFY_TEXT_MAX 500 /* bytes of a notification's text kept */

/* src into dst (cap bytes), cut at a character boundary. */
static void text_cut(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap) {
        n = cap - 1;
        while (n && ((unsigned char)src[n] & 0xC0) == 0x80) n--;
    }
    memcpy(dst, src, n);
    dst[n] = 0;
}

int notify_roles(db *d, const actor *a, const char *org_path, int roles, int scope, const char *kind, const char *text, const char *link)
{
    db_q q;
    db_q_init(&q, "INSERT INTO notification (user_id, kind, text, link, created_at) "
                  "SELECT DISTINCT ur.user_id, ?, ?, ?, CAST(? AS BIGINT) FROM user_role ur JOIN app_user u ON u.id = ur.user_id AND u.active = 1");
    char t[NOTIFY_TEXT_MAX + 1];
    text_cut(t, sizeof t, text);
    int64_t now = now_unix();
    /* the head's values are bound first: they come first in the text */
    db_q_add(&q, "", "sssi", kind, t, link, now);
    /* the organisations of org_path that scope names, by id: user_role(org_id, role) */
    int depth = orgpath_depth(org_path);
    int from = scope == NOTIFY_AT ? depth : 0, to = scope == NOTIFY_ABOVE ? depth - 1 : depth;
    if (depth < 0 || to < from) return CX_OK; /* nobody above the top */
    int64_t ids[64];
    int n = 0;
    for (int k = from; k <= to && n < 64; k++) ids[n++] = orgpath_at(org_path, k);
    char in[64 * 2 + 1] = "";
    for (int k = 0; k < n; k++) strcat(in, k ? ",?" : "?");
    char cond[200];
    snprintf(cond, sizeof cond, "ur.org_id IN (%s)", in);
    db_q_where(&q, cond, "");
    for (int k = 0; k < n; k++) db_q_add(&q, "", "i", ids[k]);
    char rin[5 * 2 + 1] = "";
    const char *names[5];
    int nr = 0;
    for (int bit = 1; bit <= ROLE_DISCIPLINE; bit <<= 1)
        if (roles & bit) names[nr++] = role_name(bit);
    for (int k = 0; k < nr; k++) strcat(rin, k ? ",?" : "?");
    snprintf(cond, sizeof cond, "ur.role IN (%s)", rin);
    db_q_where(&q, cond, "");
    for (int k = 0; k < nr; k++) db_q_add(&q, "", "s", names[k]);
    db_q_where(&q, "ur.user_id <> ?", "i", a ? a->user_id : 0);
    db_stmt *s = db_q_prepare(d, &q);
    if (!s) return CX_ERR;
    int rc = db_step(s);
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

#define NOTIFY_ROLES_MAX 5 /* role names a notify_roles_many statement binds (ROLE_* bits up to ROLE_DISCIPLINE) */

typedef struct notify_many {
    const notify_at *v;
    char (*text)[NOTIFY_TEXT_MAX + 1];
    int64_t now;
} notify_many;

/* Run i of notify_roles_many: the role list padded with its first name (the same set). */
static void notify_bind(db_stmt *s, int i, void *ctx)
{
    const notify_many *m = ctx;
    const notify_at *x = &m->v[i];
    const char *names[NOTIFY_ROLES_MAX];
    int nr = 0;
    for (int bit = 1; bit <= ROLE_DISCIPLINE && nr < NOTIFY_ROLES_MAX; bit <<= 1)
        if (x->roles & bit) names[nr++] = role_name(bit);
    db_bind_text(s, 1, x->kind);
    db_bind_text(s, 2, m->text[i]);
    db_bind_text(s, 3, x->link);
    db_bind_i64(s, 4, m->now);
    db_bind_i64(s, 5, orgpath_at(x->org_path, orgpath_depth(x->org_path)));
    for (int k = 0; k < NOTIFY_ROLES_MAX; k++) db_bind_text(s, 6 + k, names[k < nr ? k : 0]);
    db_bind_i64(s, 6 + NOTIFY_ROLES_MAX, x->a ? x->a->user_id : 0);
}

int notify_roles_many(db *d, const notify_at *v, int n)
{
    for (int i = 0; i < n; i++) /* nobody to tell: no organisation or no role */
        if (orgpath_depth(v[i].org_path) < 0 || !(v[i].roles & ((ROLE_DISCIPLINE << 1) - 1))) return CX_ERR;
    notify_many m = {v, xmalloc((size_t)(n ? n : 1) * sizeof *m.text), now_unix()};
    for (int i = 0; i < n; i++) text_cut(m.text[i], sizeof m.text[i], v[i].text);
    int rc = db_run_each(d, "INSERT INTO notification (user_id, kind, text, link, created_at) "
                            "SELECT DISTINCT ur.user_id, ?, ?, ?, CAST(? AS BIGINT) FROM user_role ur JOIN app_user u ON u.id = ur.user_id AND u.active = 1 "
                            "WHERE ur.org_id = ? AND ur.role IN (?, ?, ?, ?, ?) AND ur.user_id <> ?",
                         n, notify_bind, &m, NULL);
    free(m.text);
    return rc;
}

int notify_report_schedule(db *d, const actor *a, int64_t schedule_id, const char *text)
{
    char t[NOTIFY_TEXT_MAX + 1];
    text_cut(t, sizeof t, text);
    return db_run(d, "INSERT INTO notification (user_id, kind, text, link, created_at) "
                     "SELECT DISTINCT ur.user_id, 'report_scheduled', ?, '/reports/' || CAST(r.id AS TEXT), CAST(? AS BIGINT) "
                     "FROM report r JOIN user_role ur ON ur.org_id = r.org_id AND ur.role = 'secretary' "
                     "JOIN app_user u ON u.id = ur.user_id AND u.active = 1 WHERE r.schedule_id = ? AND ur.user_id <> ?",
                  "siii", t, now_unix(), schedule_id, a ? a->user_id : 0);
}

int notify_user(db *d, const actor *a, int64_t user_id, const char *kind, const char *text, const char *link)
{
    if (!user_id || (a && a->user_id == user_id)) return CX_OK;
    char t[NOTIFY_TEXT_MAX + 1];
    text_cut(t, sizeof t, text);
    return db_run(d, "INSERT INTO notification (user_id, kind, text, link, created_at) SELECT id, ?, ?, ?, CAST(? AS BIGINT) FROM app_user WHERE id = ? AND active = 1",
                  "sssii", kind, t, link, now_unix(), user_id);
}

int notify_member(db *d, const actor *a, int64_t member_id, const char *kind, const char *text, const char *link)
{
    int64_t uid = 0;
    if (!member_id || db_i64(d, &uid, 0, "SELECT id FROM app_user WHERE member_id = ?", "i", member_id) != CX_OK) return member_id ? CX_ERR : CX_OK;
    return notify_user(d, a, uid, kind, text, link);
}

int notify_feedback_assigned(db *d, const actor *a, const feedback *f, const org *to)
{
    char text[300], link[48];
    snprintf(text, sizeof text, "交办给%s的%s，请在 %s 前办结", to->name, feedback_kind_label(f->kind), f->due_date);
    snprintf(link, sizeof link, "/feedback/%" PRId64, f->id);
    return notify_roles(d, a, to->path, f->kind == FK_REPORT ? ROLE_DISCIPLINE : ROLE_ADMIN, NOTIFY_AT, "feedback_assigned", text, link);
}

#define NOTIFY_COLS "id, user_id, created_at, read_at, kind, text, link, day"

static void read_notification(db_stmt *s, notification *n)
{
    n->id = db_col_i64(s, 0);
    n->user_id = db_col_i64(s, 1);
    n->created_at = db_col_i64(s, 2);
    n->read_at = db_col_i64(s, 3);
    copy_col(n->kind, sizeof n->kind, s, 4);
    copy_col(n->text, sizeof n->text, s, 5);
    copy_col(n->link, sizeof n->link, s, 6);
    copy_col(n->day, sizeof n->day, s, 7);
}

static void notify_q(db_q *q, const char *head, int64_t user_id, bool unread_only)
{
    db_q_init(q, head);
    db_q_where(q, "user_id = ?", "i", user_id);
    if (unread_only) db_q_where(q, "read_at = 0", "");
}

int notify_list(db *d, int64_t user_id, bool unread_only, int64_t offset, int64_t limit, int (*fn)(void *ctx, const notification *n),
                void *ctx)
{
    db_q q;
    notify_q(&q, "SELECT " NOTIFY_COLS " FROM notification", user_id, unread_only);
    db_stmt *s = page_stmt(d, &q, " ORDER BY id DESC", offset, limit);
    if (!s) return CX_ERR;
    return DB_EACH(s, notification, read_notification, fn, ctx);
}

int notify_count(db *d, int64_t user_id, bool unread_only, int64_t *n)
{
    db_q q;
    notify_q(&q, "SELECT count(*) FROM notification", user_id, unread_only);
    return db_q_count(d, &q, n);
}

int notify_read(db *d, const actor *a, int64_t user_id, int64_t id, char link[256], cx_err *e)
{
    link[0] = 0;
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    int64_t read_at = -1;
    db_stmt *s = db_prepare(d, "SELECT read_at, link FROM notification WHERE id = ? AND user_id = ?");
    if (!s) return db_fail(d, e);
    db_bind_i64(s, 1, id);
    db_bind_i64(s, 2, user_id);
    int f = db_step(s);
    if (f == DB_ROW) {
        read_at = db_col_i64(s, 0);
        copy_col(link, 256, s, 1);
    }
    db_done(s);
    if (f == CX_ERR) return db_fail(d, e);
    if (read_at < 0) {
        cx_fail(e, 404, "not_found", "id", "该通知不存在");
        return refuse(d);
    }
    if (read_at > 0) return db_rollback(d), CX_OK; /* already read: nothing changes */
    int rc = db_run(d, "UPDATE notification SET read_at = ? WHERE id = ?", "ii", now_unix(), id);
    return store_finish(d, a, "read", "notification", id, 0, NULL, xstrdup("{\"read\":true}"), rc, e);
}

int notify_read_all(db *d, const actor *a, int64_t user_id, int64_t *n, cx_err *e)
{
    *n = 0;
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    if (notify_count(d, user_id, true, n) != CX_OK) return db_fail(d, e);
    if (!*n) return db_rollback(d), CX_OK;
    int rc = db_run(d, "UPDATE notification SET read_at = ? WHERE user_id = ? AND read_at = 0", "ii", now_unix(), user_id);
    return store_finish(d, a, "read_all", "notification", user_id, 0, NULL, xasprintf("{\"read\":%" PRId64 "}", *n), rc, e);
}

int notify_digest(db *d, const actor *a, int64_t user_id, const char *day, const char *text, const char *link, int *made, cx_err *e)
{
    *made = 0;
    char t[NOTIFY_TEXT_MAX + 1];
    text_cut(t, sizeof t, text);
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    int64_t id = 0;
    if (db_i64(d, &id, 0, "INSERT INTO notification (user_id, kind, text, link, day, created_at) VALUES (?, 'digest', ?, ?, ?, ?) "
                          "ON CONFLICT (user_id, day) WHERE kind = 'digest' DO NOTHING RETURNING id",
               "isssi", user_id, t, link, day, now_unix()) != CX_OK)
        return db_fail(d, e);
    if (!id) return db_rollback(d), CX_OK; /* made already today */
    *made = 1;
    return store_finish(d, a, "digest", "notification", id, 0, NULL, xasprintf("{\"user_id\":%" PRId64 ",\"day\":\"%s\"}", user_id, day), CX_OK,
                        e);
}

typedef struct ids {
    int64_t **v, *n;
} ids_t;

static int add_id(void *ctx, const int64_t *id)
{
    ids_t *x = ctx;
    int64_t n = *x->n;
    if ((n & (n - 1)) == 0) *x->v = xrealloc(*x->v, (size_t)(n ? n * 2 : 1) * sizeof **x->v); /* at 0, 1, 2, 4 …: doubled */
    (*x->v)[(*x->n)++] = *id;
    return 0;
}

static void read_id(db_stmt *s, int64_t *id) { *id = db_col_i64(s, 0); }

int notify_users(db *d, const char *day, int64_t **ids, int64_t *n)
{
    *ids = NULL;
    *n = 0;
    db_stmt *s = db_prepare(d, "SELECT u.id FROM app_user u WHERE u.active = 1 AND u.locked = 0 AND u.pw_hash <> '' AND NOT EXISTS "
                               "(SELECT 1 FROM notification n WHERE n.user_id = u.id AND n.day = ? AND n.kind = 'digest') ORDER BY u.id");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, day);
    ids_t x = {ids, n};
    return DB_EACH(s, int64_t, read_id, add_id, &x);
}

/* ---- SMS ---- */

int notify_sms_opt_out_get(db *d, int64_t user_id, bool *off)
{
    int64_t v = 0;
    int rc = db_i64(d, &v, 0, "SELECT sms_opt_out FROM app_user WHERE id = ?", "i", user_id);
    *off = v != 0;
    return rc;
}

int notify_sms_opt_out_set(db *d, const actor *a, int64_t user_id, bool off, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    int rc = db_run(d, "UPDATE app_user SET sms_opt_out = ? WHERE id = ?", "ii", (int64_t)off, user_id);
    return store_finish(d, a, "sms_opt_out", "app_user", user_id, 0, NULL, xasprintf("{\"sms_opt_out\":%s}", off ? "true" : "false"), rc, e);
}

int remind_policy_get(db *d, const char *org_path, bool *sms, bool *own)
{
    *sms = false;
    if (own) *own = false;
    db_stmt *s = nearest_stmt(d, "remind_policy", "t.sms", org_path);
    if (!s) return CX_ERR;
    int rc = db_step(s);
    if (rc == DB_ROW) {
        *sms = db_col_i64(s, 1) != 0;
        if (own) *own = db_col_i64(s, 0) == orgpath_at(org_path, orgpath_depth(org_path));
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int remind_policy_set(db *d, const actor *a, const org *o, bool sms, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    int rc = db_run(d, "INSERT INTO remind_policy (org_id, sms, updated_at) VALUES (?, ?, ?) ON CONFLICT (org_id) DO UPDATE SET sms = excluded.sms, "
                       "updated_at = excluded.updated_at",
                    "iii", o->id, (int64_t)sms, now_unix());
    return store_finish(d, a, "remind_policy", "org", o->id, o->id, NULL, xasprintf("{\"sms\":%s}", sms ? "true" : "false"), rc, e);
}

int remind_sms_digest(db *d, int64_t user_id, const char *text, int64_t day_start, remind_sms *out, cx_err *e)
{
    db_stmt *s = db_prepare(d, "SELECT u.sms_opt_out, m.phone_enc, m.phone_mask, o.path FROM app_user u JOIN member m ON m.id = u.member_id "
                               "JOIN org o ON o.id = m.org_id WHERE u.id = ? AND m.active = 1");
    if (!s) return db_fail(d, e);
    db_bind_i64(s, 1, user_id);
    int rc = db_step(s);
    bool opted = false, phone = false;
    char mask[32] = "", path[CX_PATH_MAX] = "", *ph = NULL;
    if (rc == DB_ROW) {
        opted = db_col_i64(s, 0) != 0;
        phone = !db_col_null(s, 1);
        copy_col(mask, sizeof mask, s, 2);
        copy_col(path, sizeof path, s, 3);
        if (phone && !opted) {
            size_t len;
            const void *b = db_col_blob(s, 1, &len);
            ph = crypto_unseal(b, len);
        }
    }
    db_done(s);
    if (rc == CX_ERR) return db_fail(d, e);
    if (rc != DB_ROW || !phone) return out->no_phone++, CX_OK; /* staff without a member record, or no phone */
    if (opted) return out->opted_out++, CX_OK;
    bool on = false;
    char cap_text[32];
    int64_t cap = DIGEST_SMS_CAP_DEFAULT, today = 0;
    int f = CX_OK;
    if (remind_policy_get(d, path, &on, NULL) != CX_OK || (f = setting_get(d, SETTING_DIGEST_SMS_CAP, cap_text, sizeof cap_text)) == CX_ERR ||
        db_i64(d, &today, 0, "SELECT count(*) FROM message_log WHERE kind = 'digest' AND created_at >= ?", "i", day_start) != CX_OK) {
        free(ph);
        return db_fail(d, e);
    }
    if (f == 1) cap = strtoll(cap_text, NULL, 10);
    int result = CX_OK;
    if (!on) out->off++;
    else if (today >= cap) out->capped++;
    else if (!ph) out->failed++; /* a number that cannot be unsealed: nothing to send to */
    else {
        cx_err se = {0};
        bool sent = sms_send(ph, text, &se) == CX_OK;
        if (sent) out->sent++;
        else out->failed++;
        if (db_run(d, "INSERT INTO message_log (user_id, channel, kind, phone_mask, result, created_at) VALUES (?, 'sms', 'digest', ?, ?, ?)", "issi",
                   user_id, mask, sent ? "sent" : "failed", now_unix()) != CX_OK)
            result = db_fail(d, e);
    }
    if (ph) crypto_wipe(ph, strlen(ph));
    free(ph);
    return result;
}
