/* indicator.c: indicators of a standard set and the set's grade rule in points (see indicator.h). */
#include "indicator.h"
#include "text.h"
#include "../lib/util.h"
#include <stdio.h>
#include <string.h>

/* An integer typed as text within [lo, hi]; false otherwise. */
static bool int_in(const char *s, int lo, int hi, int *out)
{
    int64_t v;
    if (!s || str_to_i64(s, &v) != CX_OK || v < lo || v > hi) return false;
    *out = (int)v;
    return true;
}

int indicators_check(const indicator_in *in, int n, int nitems, indicator_ok *out, cx_err *e)
{
    if (n < 0 || n > IND_MAX) return cx_fail(e, 400, "invalid_indicators", "indicators", "指标应为 0 到 %d 条（每条指标在评议表上占一行）", IND_MAX);
    bool covered[STD_MAX_ITEMS] = {false};
    for (int i = 0; i < n; i++) {
        char field[40];
        snprintf(field, sizeof field, "indicators[%d].item_seq", i);
        if (!int_in(in[i].item_seq, 1, nitems, &out[i].item_seq))
            return cx_fail(e, 400, "invalid_indicators", field, "第 %d 条指标所属条目应为 1 到 %d 的序号", i + 1, nitems);
        snprintf(field, sizeof field, "indicators[%d].title", i);
        text_rule title = {field, "指标名称", 1, 60, false};
        if (text_check(&title, in[i].title, out[i].title, sizeof out[i].title, e) != CX_OK) return CX_ERR;
        snprintf(field, sizeof field, "indicators[%d].points", i);
        if (!int_in(in[i].points, 1, IND_POINTS_MAX, &out[i].points))
            return cx_fail(e, 400, "invalid_points", field, "第 %d 条指标的分值应为 1 到 %d 的整数", i + 1, IND_POINTS_MAX);
        covered[out[i].item_seq - 1] = true;
    }
    for (int k = 0; n > 0 && k < nitems && k < STD_MAX_ITEMS; k++)
        if (!covered[k]) return cx_fail(e, 400, "missing_indicator", "indicators", "第 %d 条标准还没有具体化的指标：每条标准至少一条指标", k + 1);
    return CX_OK;
}

int set_rule_check(const char *excellent, const char *qualified, const char *basic, int total, int t[3], bool *has, cx_err *e)
{
    const char *v[3] = {excellent, qualified, basic};
    static const char *const fields[3] = {"t_excellent", "t_qualified", "t_basic"};
    int given = 0;
    for (int i = 0; i < 3; i++) given += v[i] && *v[i];
    *has = given > 0;
    if (!given) return CX_OK;
    if (given < 3) {
        for (int i = 0; i < 3; i++)
            if (!v[i] || !*v[i]) return cx_fail(e, 400, "invalid_rule", fields[i], "等次分数线须三项都填写（或都不填，沿用活动的评定规则）");
    }
    if (total <= 0) return cx_fail(e, 400, "invalid_rule", "t_excellent", "按分值评定等次须先设置指标和分值");
    for (int i = 0; i < 3; i++)
        if (!int_in(v[i], 0, total, &t[i]))
            return cx_fail(e, 400, "invalid_rule", fields[i], "等次分数线应为 0 到总分 %d 之间的整数", total);
    if (!(t[2] <= t[1] && t[1] <= t[0])) return cx_fail(e, 400, "invalid_rule", "t_qualified", "分数线应满足：基本合格 ≤ 合格 ≤ 优秀");
    return CX_OK;
}

int64_t points_score(const review_rules *r, const char *levels, const int *points, int n)
{
    int64_t num = 0, den = 0;
    if (!levels || (int)strlen(levels) != n || n <= 0) return -1;
    for (int i = 0; i < n; i++) {
        int d = levels[i] - '0';
        if (d < 1 || d > 4) return -1;
        num += (int64_t)points[i] * r->l_lv[d - 1] * 100;
        den += points[i];
    }
    return den ? (num + den / 2) / den : -1;
}

void rules_with_set(review_rules *r, const int t[3], int total)
{
    if (total <= 0) return;
    int *dst[3] = {&r->t_excellent, &r->t_qualified, &r->t_basic};
    for (int i = 0; i < 3; i++) *dst[i] = (int)(((int64_t)t[i] * 100 + total - 1) / total);
}
