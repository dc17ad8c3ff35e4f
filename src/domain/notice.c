/* notice.c: public notices and objections: the period rule, checks and states (notice.h). */
#include "notice.h"
#include "text.h"
#include <stdio.h>
#include <string.h>

int notice_end_date(const workday_cal *c, const char *start, int n, char out[11])
{
    if (n < 1 || n > NOTICE_WORKDAYS_MAX || !start || day_number(start) <= 0) return CX_ERR; /* 0: malformed */
    char eve[11];
    day_string(day_number(start) - 1, eve); /* the start day counts when it is a working day */
    return workday_add(c, eve, n, out);
}

static const text_rule T_TITLE = {"title", "公示标题", 1, NOTICE_TITLE_MAX, true}, T_BODY = {"body", "公示说明", 0, NOTICE_BODY_MAX, false},
                       T_CONTACT = {"contact", "联系方式", 1, NOTICE_CONTACT_MAX, true},
                       T_HONOUR = {"honour", "拟表彰称号", 1, NOTICE_HONOUR_MAX, true}, T_REASON = {"reason", "主要事迹", 0, NOTICE_REASON_MAX, false},
                       T_NAME = {"name", "真实姓名", 2, OBJECTION_NAME_MAX, true}, T_TEXT = {"text", "异议内容", 5, OBJECTION_TEXT_MAX, false},
                       T_FINDING = {"finding", "核查结论", 2, OBJECTION_FINDING_MAX, false};

int notice_check(const notice_in *in, notice_ok *out, cx_err *e)
{
    if (text_check(&T_TITLE, in->title, out->title, sizeof out->title, e) != CX_OK || text_check(&T_BODY, in->body, out->body, sizeof out->body, e) != CX_OK ||
        notice_contact_check(in->contact, out->contact, e) != CX_OK)
        return CX_ERR;
    out->workdays = NOTICE_WORKDAYS_DEFAULT;
    const char *w = in->workdays;
    if (w && *w) {
        int64_t v = 0;
        if (str_to_i64(w, &v) != CX_OK || v < 1 || v > NOTICE_WORKDAYS_MAX)
            return cx_fail(e, 422, "invalid_workdays", "workdays", "公示期应为 1 至 %d 个工作日（不填为 %d 个）", NOTICE_WORKDAYS_MAX, NOTICE_WORKDAYS_DEFAULT);
        out->workdays = (int)v;
    }
    return CX_OK;
}

int notice_contact_check(const char *in, char out[NOTICE_CONTACT_MAX * 4 + 1], cx_err *e)
{
    return text_check(&T_CONTACT, in, out, NOTICE_CONTACT_MAX * 4 + 1, e);
}

int notice_item_check(const char *honour, const char *reason, char h[NOTICE_HONOUR_MAX * 4 + 1], char r[NOTICE_REASON_MAX * 4 + 1], cx_err *e)
{
    if (text_check(&T_HONOUR, honour, h, NOTICE_HONOUR_MAX * 4 + 1, e) != CX_OK) return CX_ERR;
    return text_check(&T_REASON, reason, r, NOTICE_REASON_MAX * 4 + 1, e);
}

int objection_check(const char *name, const char *text, char n[OBJECTION_NAME_MAX * 4 + 1], char t[OBJECTION_TEXT_MAX * 4 + 1], cx_err *e)
{
    if (text_check(&T_NAME, name, n, OBJECTION_NAME_MAX * 4 + 1, e) != CX_OK) return CX_ERR;
    return text_check(&T_TEXT, text, t, OBJECTION_TEXT_MAX * 4 + 1, e);
}

static const char *const st_names[OS_COUNT] = {"received", "investigating", "upheld", "dismissed"};
static const char *const st_labels[OS_COUNT] = {"已收到", "核查中", "异议成立", "异议不成立"};
const char *objection_status_name(objection_status s) { return s >= 0 && s < OS_COUNT ? st_names[s] : ""; }
const char *objection_status_label(objection_status s) { return s >= 0 && s < OS_COUNT ? st_labels[s] : ""; }
int objection_status_from_name(const char *name)
{
    for (int s = 0; name && s < OS_COUNT; s++)
        if (!strcmp(name, st_names[s])) return s;
    return -1;
}

int objection_outcome_check(const char *outcome, const char *finding, objection_status *s, char f[OBJECTION_FINDING_MAX * 4 + 1], cx_err *e)
{
    if (!outcome || (strcmp(outcome, "upheld") && strcmp(outcome, "dismissed")))
        return cx_fail(e, 422, "invalid_outcome", "outcome", "核查结果应为 upheld（异议成立）或 dismissed（异议不成立）");
    *s = !strcmp(outcome, "upheld") ? OS_UPHELD : OS_DISMISSED;
    return text_check(&T_FINDING, finding, f, OBJECTION_FINDING_MAX * 4 + 1, e);
}

static const char *const rs_names[] = {"none", "pending", "held", "clear", "upheld"};
static const char *const rs_labels[] = {"无", "公示中", "核查中（暂缓）", "公示无异议", "异议成立（已撤销）"};
const char *notice_ref_state_name(int s) { return s >= 0 && s <= NRS_UPHELD ? rs_names[s] : ""; }
const char *notice_ref_state_label(int s) { return s >= 0 && s <= NRS_UPHELD ? rs_labels[s] : ""; }

int notice_item_state(const char *today, const char *end_date, int64_t received, int64_t investigating, int64_t upheld)
{
    if (upheld > 0) return NRS_UPHELD;
    if (investigating > 0) return NRS_HELD;
    if (received > 0 || strcmp(today, end_date) <= 0) return NRS_PENDING;
    return NRS_CLEAR;
}

const char *notice_phase(const char *today, const char *end_date, int64_t open_objections)
{
    if (strcmp(today, end_date) <= 0) return "open";
    return open_objections > 0 ? "ended" : "closed";
}

const char *notice_phase_label(const char *phase)
{
    return !strcmp(phase, "open") ? "公示中" : !strcmp(phase, "ended") ? "公示期满（异议核查中）" : "已结束";
}
