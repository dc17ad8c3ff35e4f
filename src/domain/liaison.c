/* liaison.c: liaison points (联络点): the rule, a leader's standing, the checks (see liaison.h). */
#include "liaison.h"
#include "date.h"
#include "text.h"
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

const liaison_rule LIAISON_RULE_DEFAULT = {1, 2, 2, 3};

/* A count field: blank keeps def; otherwise lo..hi. */
static int count_in(const char *s, int64_t def, int64_t lo, int64_t hi, const char *field, const char *label, int64_t *out, cx_err *e)
{
    if (!s || !*s) {
        *out = def;
        return CX_OK;
    }
    int64_t v;
    if (str_to_i64(s, &v) != CX_OK || v < lo || v > hi) {
        char code[40];
        snprintf(code, sizeof code, "invalid_%s", field);
        return cx_fail(e, 422, code, field, "%s应为 %" PRId64 " 到 %" PRId64 " 之间的整数：%s", label, lo, hi, s);
    }
    *out = v;
    return CX_OK;
}

int liaison_rule_check(const liaison_rule_in *in, liaison_rule *out, cx_err *e)
{
    const liaison_rule *d = &LIAISON_RULE_DEFAULT;
    if (count_in(in->min_points, d->min_points, 0, LIAISON_POINTS_MAX, "min_points", "每名领导干部至少联系的联络点数", &out->min_points, e) != CX_OK ||
        count_in(in->max_points, d->max_points, 1, LIAISON_POINTS_MAX, "max_points", "每名领导干部至多联系的联络点数", &out->max_points, e) != CX_OK)
        return CX_ERR;
    if (out->max_points < out->min_points)
        return cx_fail(e, 422, "invalid_max_points", "max_points", "至多联系的联络点数（%" PRId64 "）不能少于至少联系的数目（%" PRId64 "）",
                       out->max_points, out->min_points);
    if (count_in(in->leader_visits, d->leader_visits, 0, LIAISON_VISITS_MAX, "leader_visits", "领导干部每年走访联络点次数", &out->leader_visits, e) != CX_OK ||
        count_in(in->dept_visits, d->dept_visits, 0, LIAISON_VISITS_MAX, "dept_visits", "机关部门领导干部每年走访联络点次数", &out->dept_visits, e) != CX_OK)
        return CX_ERR;
    return CX_OK;
}

void liaison_rule_text(const liaison_rule *r, char *out, size_t cap)
{
    if (r->min_points == r->max_points)
        snprintf(out, cap, "每名领导干部 %" PRId64 " 个联络点，每年走访至少 %" PRId64 " 次（机关部门 %" PRId64 " 次）", r->max_points, r->leader_visits,
                 r->dept_visits);
    else
        snprintf(out, cap, "每名领导干部 %" PRId64 "–%" PRId64 " 个联络点，每年走访至少 %" PRId64 " 次（机关部门 %" PRId64 " 次）", r->min_points,
                 r->max_points, r->leader_visits, r->dept_visits);
}

int64_t liaison_visits_required(const liaison_rule *r, bool dept) { return dept ? r->dept_visits : r->leader_visits; }

liaison_standing liaison_standing_of(const liaison_rule *r, int64_t npoints)
{
    if (npoints > r->max_points) return LS_MANY;
    if (npoints <= 0) return r->min_points > 0 ? LS_NONE : LS_OK;
    return npoints < r->min_points ? LS_FEW : LS_OK;
}

static const char *const standing_names[LS_COUNT] = {"none", "few", "ok", "many"};
static const char *const standing_labels[LS_COUNT] = {"没有联络点", "联络点不足", "符合要求", "联络点过多"};

const char *liaison_standing_name(liaison_standing s) { return (unsigned)s < LS_COUNT ? standing_names[s] : ""; }
const char *liaison_standing_label(liaison_standing s) { return (unsigned)s < LS_COUNT ? standing_labels[s] : ""; }

int liaison_standing_from_name(const char *name)
{
    for (int i = 0; name && i < LS_COUNT; i++)
        if (!strcmp(name, standing_names[i])) return i;
    return -1;
}

int liaison_may_add(const liaison_rule *r, int64_t nopen, const char *rule_from, cx_err *e)
{
    if (nopen < r->max_points) return CX_OK;
    char t[200];
    liaison_rule_text(r, t, sizeof t);
    return cx_fail(e, 422, "too_many_points", "leader_id", "该领导干部已有 %" PRId64 " 个联络点，按%s的规定（%s）不能再增加", nopen,
                   rule_from && *rule_from ? rule_from : "默认规则", t);
}

int liaison_date_check(const char *in, const char *today, const char *field, const char *label, char out[11], cx_err *e)
{
    char now[11];
    if (!today) date_today(now), today = now;
    if (!in || !*in) snprintf(out, 11, "%s", today);
    else if (date_parse(in, false, field, label, out, e) != CX_OK) return CX_ERR;
    if (date_cmp(out, today) > 0) return cx_fail(e, 400, "future_date", field, "%s（%s）不能晚于今天", label, out);
    return CX_OK;
}

int visit_check(const visit_in *in, const char *today, visit_ok *out, cx_err *e)
{
    memset(out, 0, sizeof *out);
    if (!in->visited_on || !*in->visited_on) return cx_fail(e, 400, "required", "visited_on", "请填写走访日期");
    if (liaison_date_check(in->visited_on, today, "visited_on", "走访日期", out->visited_on, e) != CX_OK) return CX_ERR;
    text_rule done = {"done", "走访内容", 1, LIAISON_TEXT_MAX, false};
    text_rule found = {"problems_found", "发现的问题", 0, LIAISON_TEXT_MAX, false};
    text_rule solved = {"problems_solved", "解决的问题", 0, LIAISON_TEXT_MAX, false};
    if (text_check(&done, in->done, out->done, sizeof out->done, e) != CX_OK ||
        text_check(&found, in->problems_found, out->problems_found, sizeof out->problems_found, e) != CX_OK ||
        text_check(&solved, in->problems_solved, out->problems_solved, sizeof out->problems_solved, e) != CX_OK)
        return CX_ERR;
    return CX_OK;
}
