/* notify.h: in-app notifications (通知) of to-do items as they appear, the daily digest, the
 * user's SMS opt-out and the SMS switch of a subtree (migration 0018). The make functions are
 * called inside the transaction of the change that makes the to-do item, so a notification exists
 * exactly when its change was committed. */
#ifndef CX_NOTIFY_H
#define CX_NOTIFY_H
#include "store.h"

/* Which organisations of org_path the recipients hold their role at: exactly there (NOTIFY_AT),
 * there or above (NOTIFY_UP), strictly above: the level(s) above (NOTIFY_ABOVE). */
enum { NOTIFY_AT, NOTIFY_UP, NOTIFY_ABOVE };

/* One notification of kind (text, link) for every active account holding a role in roles (ROLE_*
 * bits) at the organisations of org_path that scope names, the actor excepted: one INSERT over
 * user_role by its (org_id, role) index, each account once. */
int notify_roles(db *d, const actor *a, const char *org_path, int roles, int scope, const char *kind, const char *text, const char *link);
/* notify_roles for many notifications at once, each at exactly one organisation (NOTIFY_AT), in
 * order (their ids as one call after another would give), all in one round trip. */
typedef struct notify_at {
    const actor *a;
    const char *org_path, *kind, *text, *link;
    int roles;
} notify_at;
int notify_roles_many(db *d, const notify_at *v, int n);
/* One notification for an account (user_id), or for the account of a member (member_id; none
 * made when the member has no account); never for the actor. */
int notify_user(db *d, const actor *a, int64_t user_id, const char *kind, const char *text, const char *link);
int notify_member(db *d, const actor *a, int64_t member_id, const char *kind, const char *text, const char *link);

typedef struct notification {
    int64_t id, user_id, created_at, read_at;
    char kind[32], text[512], link[256], day[11];
} notification;
/* Feedback f assigned to organisation to: its caseworkers (a 举报, its discipline inspectors;
 * other items, its office and secretary), told the kind and due date, never the text. */
struct feedback;
int notify_feedback_assigned(db *d, const actor *a, const struct feedback *f, const org *to);

/* A report schedule made (store/report.h): the secretaries of the organisations it covers, one
 * notification each linking to their report, in one INSERT over the schedule's report rows. */
int notify_report_schedule(db *d, const actor *a, int64_t schedule_id, const char *text);

/* A user's notifications, newest first (unread_only: those not read), one page. */
int notify_list(db *d, int64_t user_id, bool unread_only, int64_t offset, int64_t limit, int (*fn)(void *ctx, const notification *n),
                void *ctx);
int notify_count(db *d, int64_t user_id, bool unread_only, int64_t *n);
/* Marks notification id of user_id read (404 not_found when it is not the user's), audited;
 * reading one already read changes nothing. link: the notification's ("" when none). */
int notify_read(db *d, const actor *a, int64_t user_id, int64_t id, char link[256], cx_err *e);
/* Marks all of user_id's notifications read; *n: how many were unread. Audited with the count. */
int notify_read_all(db *d, const actor *a, int64_t user_id, int64_t *n, cx_err *e);

/* The digest (每日提醒) of user_id for day: made at most once per user and day (a unique index),
 * *made 1 when this call made it, 0 when it existed. Audited when made. */
int notify_digest(db *d, const actor *a, int64_t user_id, const char *day, const char *text, const char *link, int *made, cx_err *e);

/* The accounts the digest of day is for: active, activated (a password set), not locked, without
 * that day's digest yet (so the hourly passes after the first cost one index probe a user); ids
 * (malloc'd) in id order. */
int notify_users(db *d, const char *day, int64_t **ids, int64_t *n);

/* ---- SMS of the digest ---- */
/* The user's own opt-out (不接收提醒短信), audited. */
int notify_sms_opt_out_get(db *d, int64_t user_id, bool *off);
int notify_sms_opt_out_set(db *d, const actor *a, int64_t user_id, bool off, cx_err *e);
/* The switch of o's subtree (an office turns it on; off by default): the nearest organisation up
 * the tree with a row decides. *own: o has a row of its own. */
int remind_policy_get(db *d, const char *org_path, bool *sms, bool *own);
int remind_policy_set(db *d, const actor *a, const org *o, bool sms, cx_err *e);

/* The site-wide cap of digest SMS a day (setting "digest_sms_cap"; no setting: 1000). */
#define SETTING_DIGEST_SMS_CAP "digest_sms_cap"
#define DIGEST_SMS_CAP_DEFAULT 1000
typedef struct remind_sms {
    int64_t sent, failed, capped, opted_out, no_phone, off;
} remind_sms;
/* Sends the digest text of user_id by SMS (lib/sms.h) when the user has a member record with a
 * phone, has not opted out, SMS is on over the member's organisation and fewer than the site's cap
 * were sent today (since midnight, day_start); counts the outcome in out and records every message
 * sent or failed in message_log (kind 'digest', the masked number). Called once per digest made,
 * so at most one a user and day. */
int remind_sms_digest(db *d, int64_t user_id, const char *text, int64_t day_start, remind_sms *out, cx_err *e);
#endif
