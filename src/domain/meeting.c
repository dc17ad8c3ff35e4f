/* meeting.c: organisation life (组织生活): kinds, status, the checks of meetings, attendance marks,
 * the sign-in window and quotas (see meeting.h). */
#include "meeting.h"
#include "date.h"
#include "text.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const kinds[MK_COUNT][2] = {
    [MK_BRANCH_ASSEMBLY] = {"branch_assembly", "支部党员大会"}, [MK_COMMITTEE] = {"committee", "支委会"},
    [MK_GROUP] = {"group", "党小组会"}, [MK_LECTURE] = {"lecture", "党课"}, [MK_THEME_DAY] = {"theme_day", "主题党日"},
    [MK_FORUM] = {"forum", "座谈会"}, [MK_DEMOCRATIC_LIFE] = {"democratic_life", "民主生活会"},
    [MK_ORG_LIFE] = {"org_life", "组织生活会"}, [MK_STUDY] = {"study", "学习"}, [MK_CUSTOM] = {"custom", "其他"}};
static const char *const statuses[MS_COUNT][2] = {
    [MS_PLANNED] = {"planned", "计划召开"}, [MS_HELD] = {"held", "已召开"}, [MS_CANCELLED] = {"cancelled", "已取消"}};
static const char *const states[AS_COUNT][2] = {
    [AS_EXPECTED] = {"expected", "未签到"}, [AS_PRESENT] = {"present", "出席"}, [AS_LEAVE] = {"leave", "请假"}, [AS_ABSENT] = {"absent", "缺席"}};
static const char *const pers[QP_COUNT][2] = {[QP_MONTH] = {"month", "每月"}, [QP_QUARTER] = {"quarter", "每季度"}, [QP_YEAR] = {"year", "每年"}};
static const char *const actions[MA_COUNT] = {[MA_HOLD] = "记为已召开", [MA_CANCEL] = "取消", [MA_ATTEND] = "登记出席情况",
                                              [MA_SIGNIN] = "签到", [MA_EDIT] = "修改"};

static int from_name(const char *const (*t)[2], int n, const char *name)
{
    for (int i = 0; name && i < n; i++)
        if (!strcmp(name, t[i][0])) return i;
    return -1;
}

const char *meeting_kind_name(meeting_kind k) { return k >= 0 && k < MK_COUNT ? kinds[k][0] : ""; }
const char *meeting_kind_label(meeting_kind k) { return k >= 0 && k < MK_COUNT ? kinds[k][1] : ""; }
int meeting_kind_from_name(const char *name) { return from_name(kinds, MK_COUNT, name); }
const char *meeting_status_name(meeting_status s) { return s >= 0 && s < MS_COUNT ? statuses[s][0] : ""; }
const char *meeting_status_label(meeting_status s) { return s >= 0 && s < MS_COUNT ? statuses[s][1] : ""; }
int meeting_status_from_name(const char *name) { return from_name(statuses, MS_COUNT, name); }
const char *attend_state_name(attend_state s) { return s >= 0 && s < AS_COUNT ? states[s][0] : ""; }
const char *attend_state_label(attend_state s) { return s >= 0 && s < AS_COUNT ? states[s][1] : ""; }
int attend_state_from_name(const char *name) { return from_name(states, AS_COUNT, name); }

const char *attend_shown_label(attend_state s, const char *how, meeting_status ms)
{
    if (ms == MS_PLANNED && s != AS_PRESENT) return "待召开"; /* signed in before it is marked held: shown as such */
    if (ms == MS_CANCELLED) return "已取消";
    if (s == AS_PRESENT && how && !strcmp(how, "qr")) return "扫码签到";
    return attend_state_label(s);
}

int64_t attend_rate_permille(int64_t present, int64_t expected, char text[24])
{
    if (expected <= 0 || present < 0) {
        snprintf(text, 24, "—");
        return -1;
    }
    int64_t v = present * 1000 / expected;
    snprintf(text, 24, "%" PRId64 ".%" PRId64 "%%", v / 10, v % 10);
    return v;
}
const char *quota_per_name(quota_per p) { return p >= 0 && p < QP_COUNT ? pers[p][0] : ""; }
const char *quota_per_label(quota_per p) { return p >= 0 && p < QP_COUNT ? pers[p][1] : ""; }
int quota_per_from_name(const char *name) { return from_name(pers, QP_COUNT, name); }

int meeting_decide(meeting_status from, meeting_action action, meeting_status *next, cx_err *e)
{
    meeting_status to = from;
    bool ok;
    switch (action) {
    case MA_HOLD: ok = from == MS_PLANNED, to = MS_HELD; break;
    case MA_CANCEL: ok = from == MS_PLANNED, to = MS_CANCELLED; break;
    case MA_ATTEND:
    case MA_SIGNIN:
    case MA_EDIT: ok = from != MS_CANCELLED; break;
    default: return cx_fail(e, 400, "invalid_action", "action", "不支持的操作");
    }
    if (!ok) return cx_fail(e, 409, "invalid_transition", "status", "会议当前为“%s”，不能%s", meeting_status_label(from), actions[action]);
    if (next) *next = to;
    return CX_OK;
}

int meeting_held_date_check(const char *held_on, const char *today, int status, cx_err *e)
{
    char now[11];
    if (!today) date_today(now), today = now;
    if (date_cmp(held_on, today) <= 0) return CX_OK;
    return cx_fail(e, status, "not_yet_held", "held_on", "会议日期（%s）还没有到，不能记为已召开；请在会议召开后再登记", held_on);
}

static const text_rule T_KIND_NAME = {"kind_name", "会议类型名称", 1, MEETING_KIND_NAME_MAX, true};
static const text_rule T_TITLE = {"title", "会议名称", 0, MEETING_TITLE_MAX, true};
static const text_rule T_PLACE = {"place", "地点", 0, MEETING_PLACE_MAX, true};
static const text_rule T_TOPIC = {"topic", "议题", 0, MEETING_TOPIC_MAX, false};
static const text_rule T_HOST = {"host_name", "主持人", 0, MEETING_HOST_MAX, true};
static const text_rule T_MINUTES = {"minutes", "会议记录", 0, MEETING_MINUTES_MAX, false};
static const text_rule T_REASON = {"reason", "请假事由", 0, MEETING_REASON_MAX, false};

void meeting_form_free(meeting_form_ok *ok)
{
    free(ok->minutes);
    ok->minutes = NULL;
}

int meeting_form_check(const meeting_form_in *in, meeting_form_ok *out, cx_err *e)
{
    memset(out, 0, sizeof *out);
    int k = meeting_kind_from_name(in->kind);
    if (k < 0)
        return cx_fail(e, 422, "invalid_kind", "kind", "会议类型应为 branch_assembly（支部党员大会）、committee（支委会）、group（党小组会）、"
                                                       "lecture（党课）、theme_day（主题党日）、forum（座谈会）、democratic_life（民主生活会）、"
                                                       "org_life（组织生活会）、study（学习）或 custom（自定名称）");
    out->kind = (meeting_kind)k;
    if (out->kind == MK_CUSTOM && text_check(&T_KIND_NAME, in->kind_name, out->kind_name, sizeof out->kind_name, e) != CX_OK) return CX_ERR;
    if (text_check(&T_TITLE, in->title, out->title, sizeof out->title, e) != CX_OK) return CX_ERR;
    if (!out->title[0]) snprintf(out->title, sizeof out->title, "%s", out->kind == MK_CUSTOM ? out->kind_name : kinds[k][1]);
    if (!in->held_on || !*in->held_on) return cx_fail(e, 400, "required", "held_on", "请填写会议日期");
    if (date_parse(in->held_on, false, "held_on", "会议日期", out->held_on, e) != CX_OK) return CX_ERR;
    if (text_check(&T_PLACE, in->place, out->place, sizeof out->place, e) != CX_OK ||
        text_check(&T_TOPIC, in->topic, out->topic, sizeof out->topic, e) != CX_OK ||
        text_check(&T_HOST, in->host_name, out->host_name, sizeof out->host_name, e) != CX_OK)
        return CX_ERR;
    if (!(out->minutes = text_dup(&T_MINUTES, in->minutes, e))) return CX_ERR;
    if (in->lecturer_user_id && *in->lecturer_user_id) {
        if (str_to_i64(in->lecturer_user_id, &out->lecturer_user_id) != CX_OK || out->lecturer_user_id <= 0) {
            meeting_form_free(out);
            return cx_fail(e, 400, "invalid_id", "lecturer_user_id", "讲课人应为账号编号（正整数）");
        }
        if (out->kind != MK_LECTURE) {
            meeting_form_free(out);
            return cx_fail(e, 422, "lecturer_not_lecture", "lecturer_user_id", "只有党课才有讲课人");
        }
    }
    return CX_OK;
}

int attend_check(const char *state, const char *reason, attend_ok *out, cx_err *e)
{
    memset(out, 0, sizeof *out);
    int s = attend_state_from_name(state);
    if (s < 0) return cx_fail(e, 400, "invalid_state", "state", "出席情况应为 present（出席）、absent（缺席）、leave（请假）或 expected（未签到）");
    out->state = (attend_state)s;
    if (out->state != AS_LEAVE) return CX_OK;
    if (text_check(&T_REASON, reason, out->reason, sizeof out->reason, e) != CX_OK) return CX_ERR;
    if (!out->reason[0]) return cx_fail(e, 422, "reason_required", "reason", "请假须填写请假事由");
    return CX_OK;
}

int signin_window(int64_t opens, int64_t closes, int64_t now, cx_err *e)
{
    if (!opens && !closes) return cx_fail(e, 409, "signin_off", "token", "本次会议还没有开放扫码签到");
    if (now < opens) return cx_fail(e, 409, "signin_not_open", "token", "签到还没有开始，请在会议开始后扫码签到");
    if (now >= closes) return cx_fail(e, 409, "signin_closed", "token", "签到已经结束，请联系支部书记登记出席情况");
    return CX_OK;
}

/* The local day number of Unix time t (as date_today reads the day). */
static int64_t local_day(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    return day_of_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

int signin_window_day(const char *held_on, int64_t opens, int64_t closes, cx_err *e)
{
    int64_t day = day_number(held_on);
    if (local_day(opens) <= day + 1 && local_day(closes > opens ? closes - 1 : closes) >= day - 1) return CX_OK;
    return cx_fail(e, 422, "window_not_meeting_day", "held_on", "签到时段应在会议当天（%s）前后，不能提前或事后为会议扫码签到", held_on);
}

int signin_window_check(const char *minutes, const char *opens, const char *closes, int64_t now, int64_t *o, int64_t *c, cx_err *e)
{
    bool has_o = opens && *opens, has_c = closes && *closes;
    if (has_o || has_c) {
        if (!has_o || !has_c || str_to_i64(opens, o) != CX_OK || str_to_i64(closes, c) != CX_OK || *o < 0 || *c <= *o || *c - *o > 86400)
            return cx_fail(e, 400, "invalid_window", has_o ? "closes" : "opens",
                           "签到时段应同时给出开始和结束时刻（Unix 秒），结束晚于开始，至多一天");
        return CX_OK;
    }
    int64_t m = SIGNIN_MINUTES_DEFAULT;
    if (minutes && *minutes && (str_to_i64(minutes, &m) != CX_OK || m < 1 || m > SIGNIN_MINUTES_MAX))
        return cx_fail(e, 400, "invalid_minutes", "minutes", "签到时长应为 1 至 %d 分钟", SIGNIN_MINUTES_MAX);
    *o = now - 300; /* a phone's clock a little behind is still inside */
    *c = now + m * 60;
    return CX_OK;
}

void meeting_quota_default(meeting_kind k, meeting_quota *q)
{
    memset(q, 0, sizeof *q);
    q->kind = k;
    q->per = QP_MONTH;
    switch (k) {
    case MK_BRANCH_ASSEMBLY: q->per = QP_QUARTER, q->count = 1; break;
    case MK_COMMITTEE: q->count = 1; break;
    case MK_GROUP: q->count = 1; break;
    case MK_LECTURE: q->per = QP_QUARTER, q->count = 1; break;
    case MK_THEME_DAY: q->count = 1; break;
    default: break;
    }
}

int quota_check(const char *kind, const char *per, const char *count, meeting_quota *out, cx_err *e)
{
    memset(out, 0, sizeof *out);
    int k = meeting_kind_from_name(kind);
    if (k < 0 || k == MK_CUSTOM) return cx_fail(e, 422, "invalid_kind", "kind", "会议类型不对：应为 branch_assembly、committee、group、lecture、theme_day 等");
    int p = quota_per_from_name(per);
    if (p < 0) return cx_fail(e, 400, "invalid_per", "per", "周期应为 month（每月）、quarter（每季度）或 year（每年）");
    if (!count || str_to_i64(count, &out->count) != CX_OK || out->count < 0 || out->count > 31)
        return cx_fail(e, 400, "invalid_count", "count", "次数应为 0 至 31 的整数");
    out->kind = (meeting_kind)k;
    out->per = (quota_per)p;
    return CX_OK;
}

/* Month index y * 12 + m - 1 of a date. */
static int month_of(const char *date) { return atoi(date) * 12 + atoi(date + 5) - 1; }

static void month_day(int mi, bool last, char out[11])
{
    int y = mi / 12, m = mi % 12 + 1;
    if (!last) {
        day_string(day_of_ymd(y, m, 1), out);
        return;
    }
    day_string(day_of_ymd(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) - 1, out);
}

int64_t quota_window(const meeting_quota *q, const char *from, const char *to, char wfrom[11], char wto[11])
{
    static const int unit[QP_COUNT] = {[QP_MONTH] = 1, [QP_QUARTER] = 3, [QP_YEAR] = 12};
    int u = q->per >= 0 && q->per < QP_COUNT ? unit[q->per] : 1;
    int m0 = month_of(from), m1 = month_of(to);
    int w0 = m0 - m0 % u, w1 = m1 - m1 % u + u - 1;
    month_day(w0, false, wfrom);
    month_day(w1, true, wto);
    return q->count * ((w1 - w0 + 1) / u);
}

int meeting_period(const char *text, char from[11], char to[11], cx_err *e)
{
    int y = 0, m = 0, n = 0;
    size_t len = text ? strlen(text) : 0;
    int m0 = -1, m1 = -1;
    if (len == 4 && sscanf(text, "%4d%n", &y, &n) == 1 && n == 4) m0 = y * 12, m1 = m0 + 11;
    else if (len == 6 && sscanf(text, "%4dQ%1d%n", &y, &m, &n) == 2 && n == 6 && m >= 1 && m <= 4) m0 = y * 12 + (m - 1) * 3, m1 = m0 + 2;
    else if (len == 7 && sscanf(text, "%4d-%2d%n", &y, &m, &n) == 2 && n == 7 && m >= 1 && m <= 12) m0 = m1 = y * 12 + m - 1;
    if (m0 < 0 || y < 1900 || y > 2100) return cx_fail(e, 400, "invalid_period", "period", "期间应为 2026（全年）、2026Q1（季度）或 2026-03（月份）");
    month_day(m0, false, from);
    month_day(m1, true, to);
    return CX_OK;
}

/* ---- the branches meeting their quotas by month ---- */

/* Months in one window of a quota of period p. */
static int quota_unit(quota_per p) { return p == QP_YEAR ? 12 : p == QP_QUARTER ? 3 : 1; }

unsigned quota_months(const meeting_quota *q, const char *date)
{
    int y = 0, m = 0, n = 0;
    if (!q->count || !date || sscanf(date, "%4d-%2d%n", &y, &m, &n) != 2 || n != 7 || m < 1 || m > 12) return 0;
    int u = quota_unit(q->per), w0 = (m - 1) - (m - 1) % u;
    unsigned bits = 0;
    for (int i = w0; i < w0 + u; i++) bits |= 1u << i;
    return bits;
}

void quota_met_year(const meeting_quota q[MK_COUNT], const int64_t held[MK_COUNT][12], bool met[12])
{
    for (int i = 0; i < 12; i++) met[i] = true;
    for (int k = 0; k < MK_COUNT; k++) {
        if (!q[k].count) continue;
        int u = quota_unit(q[k].per);
        for (int w0 = 0; w0 < 12; w0 += u) {
            int64_t n = 0;
            for (int i = w0; i < w0 + u; i++) n += held[k][i];
            if (n >= q[k].count) continue;
            for (int i = w0; i < w0 + u; i++) met[i] = false;
        }
    }
}
