/* result.c: published results of a review round: kinds, check, ranking, method (see result.h). */
#include "result.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { const char *name, *label; } name_label;
static const name_label kinds[RL_COUNT] = {
    [RL_WINDOWS] = {"windows", "满意窗口排名"}, [RL_ORGS] = {"orgs", "党组织群众满意度"}, [RL_EXCELLENT] = {"excellent", "优秀党员名单"}};
static const name_label scopes[RSC_COUNT] = {[RSC_CHILDREN] = {"children", "直属下级党组织"}, [RSC_BRANCHES] = {"branches", "全部党支部"}};

static int find(const name_label *t, int n, const char *s)
{
    for (int i = 0; s && i < n; i++)
        if (!strcmp(s, t[i].name) || !strcmp(s, t[i].label)) return i;
    return -1;
}
const char *result_kind_name(result_kind k) { return (unsigned)k < RL_COUNT ? kinds[k].name : ""; }
const char *result_kind_label(result_kind k) { return (unsigned)k < RL_COUNT ? kinds[k].label : ""; }
int result_kind_from_name(const char *s) { return find(kinds, RL_COUNT, s); }
const char *result_scope_name(result_scope s) { return (unsigned)s < RSC_COUNT ? scopes[s].name : ""; }
const char *result_scope_label(result_scope s) { return (unsigned)s < RSC_COUNT ? scopes[s].label : ""; }
int result_scope_from_name(const char *s) { return find(scopes, RSC_COUNT, s); }

int result_check(const result_in *in, result_ok *out, cx_err *e)
{
    memset(out, 0, sizeof *out);
    int64_t v = 0;
    if (!in->round_id || !*in->round_id || str_to_i64(in->round_id, &v) != CX_OK || v < 1)
        return cx_fail(e, 422, "invalid_round", "round_id", "评议轮次：请选择一个评议轮次（轮次编号，正整数）");
    out->round_id = v;
    int k = result_kind_from_name(in->kind && *in->kind ? in->kind : NULL);
    if (k < 0) return cx_fail(e, 422, "invalid_kind", "kind", "公布内容：应为 windows（满意窗口排名）、orgs（党组织群众满意度）或 excellent（优秀党员名单）");
    out->kind = (result_kind)k;
    out->scope = RSC_CHILDREN;
    if (k == RL_ORGS && in->scope && *in->scope) {
        int s = result_scope_from_name(in->scope);
        if (s < 0) return cx_fail(e, 422, "invalid_scope", "scope", "范围：应为 children（直属下级党组织）或 branches（全部党支部）");
        out->scope = (result_scope)s;
    }
    if (k == RL_EXCELLENT) return CX_OK;
    v = RESULT_MIN_BALLOTS_DEFAULT;
    if (in->min_ballots && *in->min_ballots && (str_to_i64(in->min_ballots, &v) != CX_OK || v < 1 || v > RESULT_MIN_BALLOTS_MAX))
        return cx_fail(e, 422, "invalid_min_ballots", "min_ballots", "参与排名的最少有效评价数：应为 1–%d 的整数", RESULT_MIN_BALLOTS_MAX);
    out->min_ballots = (int)v;
    return CX_OK;
}

static int cmp_line(const void *a, const void *b)
{
    const result_line *x = a, *y = b;
    if ((x->rank == 0) != (y->rank == 0)) return x->rank == 0 ? 1 : -1;
    if (x->rank != y->rank) return x->rank - y->rank;
    if (x->valid != y->valid) return x->valid > y->valid ? -1 : 1;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->ref_id > y->ref_id) - (x->ref_id < y->ref_id);
}

static int cmp_listed(const void *a, const void *b)
{
    const result_line *x = a, *y = b;
    int c = strcmp(x->org_name, y->org_name);
    if (!c) c = strcmp(x->name, y->name);
    return c ? c : (x->ref_id > y->ref_id) - (x->ref_id < y->ref_id);
}

void result_rank(result_line *lines, int n, int min)
{
    if (min <= 0) {
        for (int i = 0; i < n; i++) lines[i].rank = 0;
        if (n > 1) qsort(lines, (size_t)n, sizeof *lines, cmp_listed);
        return;
    }
    for (int i = 0; i < n; i++) {
        result_line *l = &lines[i];
        l->rank = 0;
        if (l->valid < min || l->rate < 0) continue;
        int above = 0;
        for (int k = 0; k < n; k++)
            if (lines[k].valid >= min && lines[k].rate >= 0 && lines[k].rate > l->rate) above++;
        l->rank = above + 1;
    }
    if (n > 1) qsort(lines, (size_t)n, sizeof *lines, cmp_line);
}

void result_method_text(result_kind k, result_scope s, int min, char *out, size_t cap)
{
    if (k == RL_EXCELLENT) {
        snprintf(out, cap, "本轮民主评议中最终评定为“优秀”并经上级党组织审批同意的党员，按所在党组织排列，不分先后。");
        return;
    }
    snprintf(out, cap,
             "%s满意率 =（“满意”+“基本满意”答案数）÷ 全部答案数，只计验证手机号或纸质、电话渠道的有效评价（未验证的网上评价、"
             "重复和作废的评价、评议期外的评价不计）。有效评价不少于 %d 份的参与排名，按满意率（保留到 0.01%%）从高到低排列；满意率相同的名次并列，"
             "下一名次顺延（如 1、2、2、4），并列者按有效评价数从多到少列出。有效评价少于 %d 份的不排名，另列为“样本不足”。%s",
             k == RL_WINDOWS ? "只含服务窗口（党员示范岗和责任区不参与排名）。" : s == RSC_BRANCHES ? "范围为全部党支部，" : "范围为直属下级党组织，",
             min, min, k == RL_ORGS ? "党组织的满意率包括其下所有党员、党组织和服务窗口收到的评价。" : "");
}

void result_rate_text(int64_t rate, char out[24])
{
    if (rate < 0) {
        snprintf(out, 24, "—");
        return;
    }
    snprintf(out, 24, "%" PRId64 ".%02" PRId64 "%%", rate / 100, rate % 100);
}
