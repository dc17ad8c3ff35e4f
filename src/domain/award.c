/* award.c: 评选表彰 in plain C: statuses, the rule set and its parameters, the quota and the vote
 * rule (see award.h). */
#include "award.h"
#include "date.h"
#include "text.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { const char *name, *label; } name_label;
static const name_label statuses[AK_COUNT] = {
    [AK_DRAFT] = {"draft", "筹备中"}, [AK_OPEN] = {"open", "推荐中"}, [AK_CLOSED] = {"closed", "评审中"}, [AK_DONE] = {"done", "已完成"}};
static const name_label nstatuses[AN_COUNT] = {[AN_NOMINATED] = {"nominated", "已推荐"}, [AN_WITHDRAWN] = {"withdrawn", "已撤回"},
                                               [AN_PASSED] = {"passed", "表决通过"},    [AN_REJECTED] = {"rejected", "表决未通过"},
                                               [AN_AWARDED] = {"awarded", "已批准表彰"}, [AN_REVOKED] = {"revoked", "已撤销"}};
static const name_label subjects[AWS_COUNT] = {[AWS_MEMBER] = {"member", "党员"}, [AWS_ORG] = {"org", "党组织"}};
static const name_label rules[AR_COUNT] = {
    [AR_GRADE_EXCELLENT] = {"grade_excellent", "年度评议等次为优秀（已审批）"},
    [AR_NO_PLEDGE_MISS] = {"no_pledge_miss", "年度承诺无无故未兑现"},
    [AR_SATISFACTION_MIN] = {"satisfaction_min", "群众满意率达标"},
    [AR_NO_OPEN_RECT] = {"no_open_rect", "无逾期未整改事项"},
    [AR_REPORTS_ON_TIME] = {"reports_on_time", "年度汇报按时报送"},
    [AR_ATTENDANCE_MIN] = {"attendance_min", "组织生活出席率达标"},
};

static int find(const name_label *t, int n, const char *s)
{
    for (int i = 0; s && i < n; i++)
        if (!strcmp(s, t[i].name) || !strcmp(s, t[i].label)) return i;
    return -1;
}
const char *award_status_name(award_status s) { return (unsigned)s < AK_COUNT ? statuses[s].name : ""; }
const char *award_status_label(award_status s) { return (unsigned)s < AK_COUNT ? statuses[s].label : ""; }
int award_status_from_name(const char *s) { return find(statuses, AK_COUNT, s); }
const char *nomination_status_name(nomination_status s) { return (unsigned)s < AN_COUNT ? nstatuses[s].name : ""; }
const char *nomination_status_label(nomination_status s) { return (unsigned)s < AN_COUNT ? nstatuses[s].label : ""; }
int nomination_status_from_name(const char *s) { return find(nstatuses, AN_COUNT, s); }
const char *award_subject_name(award_subject s) { return (unsigned)s < AWS_COUNT ? subjects[s].name : ""; }
const char *award_subject_label(award_subject s) { return (unsigned)s < AWS_COUNT ? subjects[s].label : ""; }
int award_subject_from_name(const char *s) { return find(subjects, AWS_COUNT, s); }
const char *award_rule_name(award_rule r) { return (unsigned)r < AR_COUNT ? rules[r].name : ""; }
const char *award_rule_label(award_rule r) { return (unsigned)r < AR_COUNT ? rules[r].label : ""; }
int award_rule_from_name(const char *s) { return find(rules, AR_COUNT, s); }

/* A whole number lo–hi (no sign, no blanks, at most 9 digits): true with *out. */
static bool whole(const char *s, size_t n, int lo, int hi, int *out)
{
    if (!n || n > 9) return false;
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    if (v < lo || v > hi) return false;
    *out = v;
    return true;
}
static bool whole_str(const char *s, int lo, int hi, int *out)
{
    if (!s) return false;
    const char *b = s;
    size_t n = strlen(s);
    text_span(&b, &n);
    return whole(b, n, lo, hi, out);
}

bool award_satisfaction_param(const char *param, int *pct, int *ballots)
{
    const char *slash = param ? strchr(param, '/') : NULL;
    if (!slash) return false;
    return whole(param, (size_t)(slash - param), 1, 100, pct) && whole(slash + 1, strlen(slash + 1), 0, 100000, ballots);
}

bool award_attendance_param(const char *param, int *permille) { return param && whole(param, strlen(param), 1, 1000, permille); }

int award_rule_check(const char *rule, const char *param, award_subject subject, award_rule *out, char param_out[32], cx_err *e)
{
    char name[48];
    snprintf(name, sizeof name, "%s", rule ? rule : "");
    int r = award_rule_from_name(name[0] ? name : NULL);
    if (r < 0)
        return cx_fail(e, 422, "invalid_rule", "rule", "评选条件“%.40s”不存在：应为 grade_excellent、no_pledge_miss、satisfaction_min、no_open_rect、"
                                                       "reports_on_time 或 attendance_min",
                       name);
    if (r == AR_REPORTS_ON_TIME && subject != AWS_ORG)
        return cx_fail(e, 422, "invalid_rule", "rule", "评选条件 reports_on_time（%s）只适用于评选党组织", rules[r].label);
    if (r == AR_ATTENDANCE_MIN && subject != AWS_MEMBER)
        return cx_fail(e, 422, "invalid_rule", "rule", "评选条件 attendance_min（%s）只适用于评选党员", rules[r].label);
    char p[64] = "";
    if (param) {
        const char *b = param;
        size_t n = strlen(param);
        text_span(&b, &n);
        if (n >= sizeof p) n = sizeof p - 1;
        memcpy(p, b, n), p[n] = 0;
    }
    int a = 0, b = 0;
    if (r == AR_SATISFACTION_MIN) {
        if (!award_satisfaction_param(p, &a, &b))
            return cx_fail(e, 422, "invalid_param", "param",
                           "评选条件 satisfaction_min 的参数应为“满意率/最少有效票数”，如 90/30（满意率 1–100%%，票数 0–100000）");
        snprintf(param_out, 32, "%d/%d", a, b);
    } else if (r == AR_ATTENDANCE_MIN) {
        if (!award_attendance_param(p, &a))
            return cx_fail(e, 422, "invalid_param", "param", "评选条件 attendance_min 的参数应为出席率千分数 1–1000，如 800 表示 80%%");
        snprintf(param_out, 32, "%d", a);
    } else {
        if (p[0]) return cx_fail(e, 422, "invalid_param", "param", "评选条件 %s 没有参数，请留空", rules[r].name);
        param_out[0] = 0;
    }
    *out = (award_rule)r;
    return CX_OK;
}

int award_check(const award_in *in, award_ok *out, cx_err *e)
{
    memset(out, 0, sizeof *out);
    text_rule nr = {"name", "表彰名称", 1, AWARD_NAME_MAX, true};
    if (text_check(&nr, in->name, out->name, sizeof out->name, e) != CX_OK) {
        e->status = 422;
        snprintf(e->code, sizeof e->code, "invalid_name");
        return CX_ERR;
    }
    int s = award_subject_from_name(in->subject && *in->subject ? in->subject : NULL);
    if (s < 0) return cx_fail(e, 422, "invalid_subject", "subject", "评选对象应为 党员（member）或 党组织（org）");
    out->subject = (award_subject)s;
    if (!whole_str(in->year, 2000, 2100, &out->year)) return cx_fail(e, 422, "invalid_year", "year", "年度应为 2000–2100 的年份，如 2026");
    char q[32] = "";
    if (in->quota) {
        const char *b = in->quota;
        size_t n = strlen(b);
        text_span(&b, &n);
        if (n < sizeof q) memcpy(q, b, n), q[n] = 0;
    }
    size_t n = strlen(q);
    if (n >= 3 && !strcmp(q + n - 3, "％")) q[n - 3] = 0, out->share = true;
    else if (n >= 1 && q[n - 1] == '%') q[n - 1] = 0, out->share = true;
    if (!whole_str(q, 1, out->share ? 100 : AWARD_QUOTA_MAX, &out->quota))
        return cx_fail(e, 422, "invalid_quota", "quota", "名额应为人数（1–%d，如 3）或符合条件者的百分比（1%%–100%%，如 10%%）", AWARD_QUOTA_MAX);
    return CX_OK;
}

int award_quota_n(bool share, int quota, int64_t eligible)
{
    if (!share) return quota;
    if (eligible <= 0) return 0;
    int64_t n = eligible * quota / 100;
    return n < 1 ? 1 : (int)n;
}

void award_quota_text(bool share, int quota, char *out, size_t cap)
{
    if (share) snprintf(out, cap, "名额为开始推荐时符合全部评选条件者的 %d%%（向下取整，有符合条件者时至少 1 名）", quota);
    else snprintf(out, cap, "名额 %d 名", quota);
}

int award_vote_check(const vote_in *in, const char *today, vote_ok *out, cx_err *e)
{
    memset(out, 0, sizeof *out);
    if (!whole_str(in->entitled, 1, AWARD_ENTITLED_MAX, &out->entitled))
        return cx_fail(e, 422, "invalid_entitled", "entitled", "应到会有表决权人数应为 1–%d 的整数", AWARD_ENTITLED_MAX);
    const struct { const char *v, *field, *label; int *out; } f[] = {
        {in->yes, "for", "赞成票", &out->yes}, {in->no, "against", "反对票", &out->no}, {in->abstain, "abstain", "弃权票", &out->abstain}};
    for (size_t i = 0; i < 3; i++)
        if (!whole_str(f[i].v, 0, AWARD_ENTITLED_MAX, f[i].out))
            return cx_fail(e, 422, "invalid_votes", f[i].field, "%s应为 0 或正整数", f[i].label);
    if (out->yes + out->no + out->abstain > out->entitled)
        return cx_fail(e, 422, "invalid_votes", "for", "赞成、反对、弃权票合计 %d，超过应到会有表决权人数 %d", out->yes + out->no + out->abstain,
                       out->entitled);
    if (date_parse(in->date, false, "date", "表决日期", out->date, e) != CX_OK) {
        e->status = 422;
        snprintf(e->code, sizeof e->code, "invalid_date");
        return CX_ERR;
    }
    if (today && date_cmp(out->date, today) > 0) return cx_fail(e, 422, "invalid_date", "date", "表决日期不能晚于今天");
    text_rule nr = {"note", "备注", 0, AWARD_NOTE_MAX, false};
    if (text_check(&nr, in->note, out->note, sizeof out->note, e) != CX_OK) return CX_ERR;
    return CX_OK;
}

bool award_vote_passed(int yes, int entitled) { return entitled > 0 && 2 * (int64_t)yes > entitled; }
