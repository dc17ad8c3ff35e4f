/* feedback.h (domain): the kinds, channels, states and views of feedback (意见、建议、投诉、举报)
 * with their names and labels, and the checks of what senders and staff type: a submission, a
 * category, a triage note, a reply and its public summary, the due-day setting. Each check turns
 * the values as typed (X_in, or plain strings) into a validated struct (X_ok) that the store
 * (store/feedback.h) takes; errors are those of domain/text.h and the codes named below (400, on
 * the field). No SQL, no HTTP. */
#ifndef CX_FEEDBACK_H
#define CX_FEEDBACK_H
#include <stdbool.h>
#include <stdint.h>
#include "../lib/util.h"

enum { FK_OPINION, FK_SUGGESTION, FK_COMPLAINT, FK_REPORT, FK_N };
enum { FC_WEB, FC_QR, FC_HOTLINE, FC_MAILBOX, FC_LETTER, FC_RECEPTION, FC_N };
enum { FS_NEW, FS_ASSIGNED, FS_REPLIED, FS_MERGED, FS_N };
enum { FV_ALL, FV_OPEN, FV_NEW, FV_REMINDERS, FV_OVERDUE, FV_REPLIED, FV_N };

#define FEEDBACK_TEXT_MAX 2000     /* characters */

/* Names as stored and in the API ("complaint"), labels as shown ("投诉"); -1 when unknown. */
const char *feedback_kind_name(int k);
const char *feedback_kind_label(int k);
int feedback_kind_from(const char *s);
const char *feedback_channel_name(int c);
const char *feedback_channel_label(int c);   /* 网上 扫码 热线 意见箱 来信 接待日 */
int feedback_channel_from(const char *s);
const char *feedback_status_name(int s);
const char *feedback_status_label(int s);    /* 待分办 办理中 已答复 已合并 */
const char *feedback_status_public(int s);   /* what the sender reads: 已受理，待分办 … */
int feedback_status_from(const char *s);
const char *feedback_view_name(int v);
int feedback_view_from(const char *s);
/* The index of s in names[0..n), or -1. */
int feedback_index_of(const char *const *names, int n, const char *s);

/* ---- a submission ---- */
typedef struct feedback_in {
    const char *kind;                /* opinion suggestion complaint report */
    int channel;                     /* FC_WEB / FC_QR from the public; the others from staff */
    const char *about_kind;          /* "" or NULL, member, org, window */
    int64_t about_id;
    const char *text, *name, *contact;
    const char *received_date;       /* staff entry: the day it came in (≤ today, within a year); NULL or "": today */
    bool staff;                      /* keyed in by staff at an intake organisation */
} feedback_in;
typedef struct feedback_ok {
    int kind, channel;
    char about_kind[8];              /* "" for none */
    int64_t about_id;                /* 0 for none */
    char text[4 * FEEDBACK_TEXT_MAX + 1], name[128], contact[128];
    char received_date[11];
} feedback_ok;
/* Checks, in this order: kind (invalid_kind), text (5–2000 characters), name (≤ 20), contact
 * (≤ 40), channel (invalid_channel: web or qr from the public, the others from staff),
 * received_date (staff only: a real date, future_date, too_old), about_kind and about_id
 * (invalid_about), a report names its accused (accused_required). */
int feedback_check(const feedback_in *in, feedback_ok *out, cx_err *e);

/* ---- settings, categories, triage, answers ---- */
typedef struct feedback_setting_ok {
    int kind;
    int64_t days;
} feedback_setting_ok;
/* kind a kind name (invalid_kind), days 1..60 working days (invalid_due_days on due_days). */
int feedback_setting_check(const char *kind, const char *days, feedback_setting_ok *out, cx_err *e);

typedef struct feedback_category_ok {
    char name[64];
} feedback_category_ok;
/* A category name: required, ≤ 12 characters (field name). */
int feedback_category_check(const char *name, feedback_category_ok *out, cx_err *e);

/* An internal note (内部备注) of triage: ≤ 500 characters; not given (NULL) leaves the stored one. */
typedef struct feedback_note_ok {
    bool given;
    char text[2048];
} feedback_note_ok;
int feedback_note_check(const char *note, feedback_note_ok *out, cx_err *e);

typedef struct feedback_classify_ok {
    int64_t category_id;             /* 0: none */
    feedback_note_ok note;
} feedback_classify_ok;
/* category_id empty or a positive integer (invalid_category), then the note. */
int feedback_classify_check(const char *category_id, const char *note, feedback_classify_ok *out, cx_err *e);

/* The organisation an item is assigned to (交办): a positive integer (invalid_org on org_id). */
int feedback_org_check(const char *org_id, int64_t *out, cx_err *e);

/* Triage in one step (分类并交办): the category and the note as feedback_classify_check, then the
 * organisation as feedback_org_check. */
typedef struct feedback_triage_ok {
    feedback_classify_ok c;
    int64_t org_id;
} feedback_triage_ok;
int feedback_triage_check(const char *category_id, const char *org_id, const char *note, feedback_triage_ok *out, cx_err *e);

/* Publishing a reply: with publish, a summary given (not empty as typed) is 5–300 characters; an
 * empty one is "" here and the store takes the one already stored, or refuses (required). */
typedef struct feedback_publish_ok {
    bool publish;
    char summary[2048];
} feedback_publish_ok;
int feedback_publish_check(bool publish, const char *summary, feedback_publish_ok *out, cx_err *e);

typedef struct feedback_reply_ok {
    char reply[4 * FEEDBACK_TEXT_MAX + 1];
    feedback_publish_ok pub;
} feedback_reply_ok;
/* The reply (2–2000 characters), then its publication as feedback_publish_check. */
int feedback_reply_check(const char *reply, bool publish, const char *summary, feedback_reply_ok *out, cx_err *e);
#endif
