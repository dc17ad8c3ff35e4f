/* feedback.c (domain): names and labels of feedback, and the checks of what people type (see
 * feedback.h). */
#include "feedback.h"
#include "text.h"
#include "date.h"
#include <stdio.h>
#include <string.h>

/* ---- names and labels ---- */

static const char *const kind_names[FK_N] = {"opinion", "suggestion", "complaint", "report"};
static const char *const kind_labels[FK_N] = {"意见", "建议", "投诉", "举报"};
static const char *const channel_names[FC_N] = {"web", "qr", "hotline", "mailbox", "letter", "reception"};
static const char *const channel_labels[FC_N] = {"网上", "扫码", "热线", "意见箱", "来信", "接待日"};
static const char *const status_names[FS_N] = {"new", "assigned", "replied", "merged"};
static const char *const status_labels[FS_N] = {"待分办", "办理中", "已答复", "已合并"};
static const char *const status_public[FS_N] = {"已受理，等待分办", "办理中", "已答复", "已与相同问题合并办理"};
static const char *const view_names[FV_N] = {"all", "open", "new", "reminders", "overdue", "replied"};

int feedback_index_of(const char *const *names, int n, const char *s)
{
    for (int i = 0; s && i < n; i++)
        if (!strcmp(names[i], s)) return i;
    return -1;
}
#define LABEL(arr, n, i) ((i) >= 0 && (i) < (n) ? arr[i] : "")

const char *feedback_kind_name(int k) { return LABEL(kind_names, FK_N, k); }
const char *feedback_kind_label(int k) { return LABEL(kind_labels, FK_N, k); }
int feedback_kind_from(const char *s) { return feedback_index_of(kind_names, FK_N, s); }
const char *feedback_channel_name(int c) { return LABEL(channel_names, FC_N, c); }
const char *feedback_channel_label(int c) { return LABEL(channel_labels, FC_N, c); }
int feedback_channel_from(const char *s) { return feedback_index_of(channel_names, FC_N, s); }
const char *feedback_status_name(int s) { return LABEL(status_names, FS_N, s); }
const char *feedback_status_label(int s) { return LABEL(status_labels, FS_N, s); }
const char *feedback_status_public(int s) { return LABEL(status_public, FS_N, s); }
int feedback_status_from(const char *s) { return feedback_index_of(status_names, FS_N, s); }
const char *feedback_view_name(int v) { return LABEL(view_names, FV_N, v); }
int feedback_view_from(const char *s) { return feedback_index_of(view_names, FV_N, s); }

/* ---- checks ---- */

/* The texts of feedback, by the one rule for text fields (domain/text.h). */
static const text_rule T_TEXT = {"text", "内容", 5, FEEDBACK_TEXT_MAX, false}, T_NAME = {"name", "姓名", 0, 20, false},
                       T_CONTACT = {"contact", "联系方式", 0, 40, false}, T_CATEGORY = {"name", "分类名称", 1, 12, false},
                       T_NOTE = {"note", "内部备注", 0, 500, false}, T_SUMMARY = {"summary", "公开摘要", 5, 300, false},
                       T_REPLY = {"reply", "答复内容", 2, FEEDBACK_TEXT_MAX, false};

int feedback_check(const feedback_in *in, feedback_ok *f, cx_err *e)
{
    memset(f, 0, sizeof *f);
    f->kind = feedback_kind_from(in->kind);
    if (f->kind < 0)
        return cx_fail(e, 400, "invalid_kind", "kind", "请选择类别：意见（opinion）、建议（suggestion）、投诉（complaint）或举报（report）");
    if (text_check(&T_TEXT, in->text, f->text, sizeof f->text, e) != CX_OK) return CX_ERR;
    if (text_check(&T_NAME, in->name, f->name, sizeof f->name, e) != CX_OK) return CX_ERR;
    if (text_check(&T_CONTACT, in->contact, f->contact, sizeof f->contact, e) != CX_OK) return CX_ERR;
    f->channel = in->channel;
    bool staff = in->staff;
    if (f->channel < 0 || f->channel >= FC_N || staff != (f->channel >= FC_HOTLINE))
        return cx_fail(e, 400, "invalid_channel", "channel", staff ? "来源渠道应为 hotline（热线）、mailbox（意见箱）、letter（来信）或 reception（接待日）"
                                                                   : "来源渠道无效");
    char today[11];
    date_today(today);
    if (staff && in->received_date && *in->received_date) {
        if (date_parse(in->received_date, false, "received_date", "收到日期", f->received_date, e) != CX_OK) return CX_ERR;
        if (date_cmp(f->received_date, today) > 0) return cx_fail(e, 400, "future_date", "received_date", "收到日期不能晚于今天");
        if (day_number(today) - day_number(f->received_date) > 366)
            return cx_fail(e, 400, "too_old", "received_date", "收到日期不能早于一年前");
    } else memcpy(f->received_date, today, 11);
    const char *ak = in->about_kind ? in->about_kind : "";
    if (*ak && strcmp(ak, "member") && strcmp(ak, "org") && strcmp(ak, "window"))
        return cx_fail(e, 400, "invalid_about", "about_kind", "反映对象的类型应为 member（党员）、org（党组织）或 window（服务窗口）");
    if (*ak && in->about_id <= 0) return cx_fail(e, 400, "invalid_about", "about_id", "请指明反映对象的编号");
    if (f->kind == FK_REPORT && !*ak)
        return cx_fail(e, 400, "accused_required", "about_kind", "举报须指明被举报的党员或党组织（请从其公开卡片、公示栏或服务窗口页面举报）");
    snprintf(f->about_kind, sizeof f->about_kind, "%s", ak);
    f->about_id = *ak ? in->about_id : 0;
    return CX_OK;
}

int feedback_setting_check(const char *kind, const char *days, feedback_setting_ok *out, cx_err *e)
{
    out->kind = feedback_kind_from(kind);
    out->days = 0;
    if (out->kind < 0) return cx_fail(e, 400, "invalid_kind", "kind", "类别应为 opinion（意见）、suggestion（建议）、complaint（投诉）或 report（举报）");
    if (!days || str_to_i64(days, &out->days) != CX_OK || out->days < 1 || out->days > 60)
        return cx_fail(e, 400, "invalid_due_days", "due_days", "办理时限应为 1 到 60 之间的工作日数");
    return CX_OK;
}

int feedback_category_check(const char *name, feedback_category_ok *out, cx_err *e)
{
    return text_check(&T_CATEGORY, name, out->name, sizeof out->name, e);
}

int feedback_note_check(const char *note, feedback_note_ok *out, cx_err *e)
{
    out->given = note != NULL;
    out->text[0] = 0;
    return note ? text_check(&T_NOTE, note, out->text, sizeof out->text, e) : CX_OK;
}

int feedback_classify_check(const char *category_id, const char *note, feedback_classify_ok *out, cx_err *e)
{
    out->category_id = 0;
    if (category_id && *category_id && (str_to_i64(category_id, &out->category_id) != CX_OK || out->category_id <= 0))
        return cx_fail(e, 400, "invalid_category", "category_id", "分类编号无效");
    return feedback_note_check(note, &out->note, e);
}

int feedback_org_check(const char *org_id, int64_t *out, cx_err *e)
{
    *out = 0;
    if (!org_id || str_to_i64(org_id, out) != CX_OK || *out <= 0) {
        *out = 0;
        return cx_fail(e, 400, "invalid_org", "org_id", "请选择承办的党组织");
    }
    return CX_OK;
}

int feedback_triage_check(const char *category_id, const char *org_id, const char *note, feedback_triage_ok *out, cx_err *e)
{
    out->org_id = 0;
    if (feedback_classify_check(category_id, note, &out->c, e) != CX_OK) return CX_ERR;
    return feedback_org_check(org_id, &out->org_id, e);
}

int feedback_publish_check(bool publish, const char *summary, feedback_publish_ok *out, cx_err *e)
{
    out->publish = publish;
    out->summary[0] = 0;
    if (!publish || !summary || !*summary) return CX_OK;
    return text_check(&T_SUMMARY, summary, out->summary, sizeof out->summary, e);
}

int feedback_reply_check(const char *reply, bool publish, const char *summary, feedback_reply_ok *out, cx_err *e)
{
    out->pub.publish = publish;
    out->pub.summary[0] = 0;
    if (text_check(&T_REPLY, reply, out->reply, sizeof out->reply, e) != CX_OK) return CX_ERR;
    return feedback_publish_check(publish, summary, &out->pub, e);
}
