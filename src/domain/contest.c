/* contest.c: 三比 contests: kinds, checks, scores and the trimmed-mean result (see contest.h). */
#include "contest.h"
#include "roster_map.h"
#include "text.h"
#include "../lib/tabfile.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { const char *name, *label; } name_label;
static const name_label kinds[CK_COUNT] = {
    [CK_SKILL] = {"skill", "比技能"}, [CK_CONDUCT] = {"conduct", "比作风"}, [CK_RESULTS] = {"results", "比业绩"}, [CK_CUSTOM] = {"custom", "自定"}};
static const name_label ekinds[CE_COUNT] = {[CE_MEMBER] = {"member", "党员"}, [CE_ORG] = {"org", "党组织"}, [CE_WINDOW] = {"window", "服务窗口"}};
static const name_label statuses[CS_COUNT] = {
    [CS_DRAFT] = {"draft", "筹备中"}, [CS_OPEN] = {"open", "评分中"}, [CS_CLOSED] = {"closed", "评分结束"}, [CS_PUBLISHED] = {"published", "已公布"}};

static int find(const name_label *t, int n, const char *s)
{
    for (int i = 0; s && i < n; i++)
        if (!strcmp(s, t[i].name) || !strcmp(s, t[i].label)) return i;
    return -1;
}
const char *contest_kind_name(contest_kind k) { return (unsigned)k < CK_COUNT ? kinds[k].name : ""; }
const char *contest_kind_label(contest_kind k) { return (unsigned)k < CK_COUNT ? kinds[k].label : ""; }
int contest_kind_from_name(const char *s) { return find(kinds, CK_COUNT, s); }
const char *contest_entrant_kind_name(contest_entrant_kind k) { return (unsigned)k < CE_COUNT ? ekinds[k].name : ""; }
const char *contest_entrant_kind_label(contest_entrant_kind k) { return (unsigned)k < CE_COUNT ? ekinds[k].label : ""; }
int contest_entrant_kind_from_name(const char *s) { return find(ekinds, CE_COUNT, s); }
const char *contest_status_name(contest_status s) { return (unsigned)s < CS_COUNT ? statuses[s].name : ""; }
const char *contest_status_label(contest_status s) { return (unsigned)s < CS_COUNT ? statuses[s].label : ""; }
int contest_status_from_name(const char *s) { return find(statuses, CS_COUNT, s); }

/* A whole number lo–hi as typed (blank: dflt); CX_ERR when it is none. */
static int small_int(const char *s, int dflt, int lo, int hi, int *out)
{
    int64_t v = dflt;
    if (s && *s && str_to_i64(s, &v) != CX_OK) return CX_ERR;
    if (v < lo || v > hi) return CX_ERR;
    *out = (int)v;
    return CX_OK;
}

int contest_check(const contest_in *in, contest_ok *out, cx_err *e)
{
    memset(out, 0, sizeof *out);
    int k = contest_kind_from_name(in->kind && *in->kind ? in->kind : NULL);
    if (k < 0) return cx_fail(e, 422, "invalid_kind", "kind", "竞赛类别应为 比技能、比作风、比业绩 或 自定");
    out->kind = (contest_kind)k;
    if (k == CK_CUSTOM) {
        text_rule kr = {"kind_name", "自定类别名称", 1, CONTEST_KIND_NAME_MAX, true};
        if (text_check(&kr, in->kind_name, out->kind_name, sizeof out->kind_name, e) != CX_OK) {
            snprintf(e->code, sizeof e->code, "invalid_kind_name");
            e->status = 422;
            return CX_ERR;
        }
    } else
        snprintf(out->kind_name, sizeof out->kind_name, "%s", kinds[k].label);
    text_rule tr = {"title", "竞赛名称", 1, CONTEST_TITLE_MAX, true};
    if (text_check(&tr, in->title, out->title, sizeof out->title, e) != CX_OK) return CX_ERR;
    if (!in->year || !*in->year || small_int(in->year, 0, 2000, 2100, &out->year) != CX_OK)
        return cx_fail(e, 422, "invalid_year", "year", "年度应为 2000–2100 的年份，如 2026");
    int ek = contest_entrant_kind_from_name(in->entrant_kind && *in->entrant_kind ? in->entrant_kind : NULL);
    if (ek < 0) return cx_fail(e, 422, "invalid_entrant_kind", "entrant_kind", "参赛对象应为 党员、党组织 或 服务窗口");
    out->entrant_kind = (contest_entrant_kind)ek;
    if (small_int(in->drop, 1, 0, CONTEST_DROP_MAX, &out->drop) != CX_OK)
        return cx_fail(e, 422, "invalid_drop", "drop", "去掉最高分、最低分的个数应为 0–%d 的整数", CONTEST_DROP_MAX);
    return CX_OK;
}

int contest_item_check(const char *name, const char *weight, const char *max_score, char out_name[4 * CONTEST_ITEM_NAME_MAX + 1], int *w,
                       int *max, cx_err *e)
{
    text_rule nr = {"name", "评分项目名称", 1, CONTEST_ITEM_NAME_MAX, true};
    if (text_check(&nr, name, out_name, 4 * CONTEST_ITEM_NAME_MAX + 1, e) != CX_OK) return CX_ERR;
    if (!weight || !*weight || small_int(weight, 0, 1, 100, w) != CX_OK)
        return cx_fail(e, 422, "invalid_weight", "weight", "权重应为 1–100 的整数（各项权重合计须为 100）");
    if (small_int(max_score, 100, 1, CONTEST_SCORE_MAX, max) != CX_OK)
        return cx_fail(e, 422, "invalid_max_score", "max_score", "满分应为 1–%d 的整数", CONTEST_SCORE_MAX);
    return CX_OK;
}

int contest_score_parse(const char *in, int max, const char *field, int64_t *hundredths, cx_err *e)
{
    char s[64];
    snprintf(s, sizeof s, "%s", in ? in : "");
    roster_fold(s, false);
    for (char *q; (q = strstr(s, "．"));) /* the full-width point the fold leaves */
        *q = '.', memmove(q + 1, q + 3, strlen(q + 3) + 1);
    const char *p = s;
    while (*p == ' ') p++;
    size_t n = strlen(p);
    while (n && p[n - 1] == ' ') n--;
    if (!n) return cx_fail(e, 422, "invalid_score", field, "请填写分数（0–%d）", max);
    int64_t whole = 0, frac = 0;
    int digits = 0, fd = 0;
    size_t i = 0;
    if (p[0] == '-') return cx_fail(e, 422, "invalid_score", field, "分数不能为负数（应为 0–%d）", max);
    for (; i < n && p[i] >= '0' && p[i] <= '9'; i++, digits++)
        if (digits < 7) whole = whole * 10 + (p[i] - '0');
    if (i < n && p[i] == '.') {
        for (i++; i < n && p[i] >= '0' && p[i] <= '9'; i++, fd++)
            if (fd < 2) frac = frac * 10 + (p[i] - '0');
            else if (p[i] != '0') return cx_fail(e, 422, "invalid_score", field, "分数最多保留两位小数");
    }
    if (i != n || (!digits && !fd) || digits > 7) return cx_fail(e, 422, "invalid_score", field, "分数应为数字（0–%d，最多两位小数）", max);
    if (fd == 1) frac *= 10;
    int64_t h = whole * 100 + frac;
    if (h > (int64_t)max * 100) return cx_fail(e, 422, "invalid_score", field, "分数不能超过该项满分 %d", max);
    *hundredths = h;
    return CX_OK;
}

int contest_score_number(double v, int max, const char *field, int64_t *hundredths, cx_err *e)
{
    if (!isfinite(v)) return cx_fail(e, 422, "invalid_score", field, "分数应为数字（0–%d）", max);
    if (v < 0) return cx_fail(e, 422, "invalid_score", field, "分数不能为负数（应为 0–%d）", max);
    if (v > max) return cx_fail(e, 422, "invalid_score", field, "分数不能超过该项满分 %d", max);
    double h = v * 100.0, r = floor(h + 0.5);
    if (fabs(h - r) > 1e-6) return cx_fail(e, 422, "invalid_score", field, "分数最多保留两位小数");
    *hundredths = (int64_t)r;
    return CX_OK;
}

void contest_score_text(int64_t h, char out[24])
{
    if (h < 0) {
        snprintf(out, 24, "—");
        return;
    }
    if (h % 100 == 0) snprintf(out, 24, "%lld", (long long)(h / 100));
    else if (h % 10 == 0) snprintf(out, 24, "%lld.%lld", (long long)(h / 100), (long long)(h % 100 / 10));
    else snprintf(out, 24, "%lld.%02lld", (long long)(h / 100), (long long)(h % 100));
}

/* num / den rounded half up (num ≥ 0, den > 0). */
static int64_t div_round(int64_t num, int64_t den) { return (2 * num + den) / (2 * den); }

int64_t contest_weighted(const contest_item_w *items, int nitems, const int64_t *scores, int64_t *best)
{
    /* Σ s × w / max over a common denominator (the product would overflow): each item in
     * ten-thousandths of a point, then the sum rounded to hundredths once */
    int64_t sum = 0, top = 0;
    for (int i = 0; i < nitems; i++) {
        int64_t x = div_round(scores[i] * items[i].weight * 100, items[i].max_score); /* 1/10000 */
        sum += x;
        if (x > top) top = x;
    }
    if (best) *best = div_round(top, 100);
    return div_round(sum, 100);
}

/* 去掉最高分和最低分 needs at least one judge left: three judges and one dropped each way leave the middle one. */
bool contest_trims(int n, int drop) { return drop > 0 && n >= 1 + 2 * drop; }

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

void contest_line_make(const int64_t *totals, const int64_t *bests, int n, int drop, contest_line *out)
{
    memset(out, 0, sizeof *out);
    out->judges = n;
    if (n <= 0) return;
    int64_t *v = malloc((size_t)n * sizeof *v);
    int64_t sum = 0, bsum = 0;
    for (int i = 0; i < n; i++) v[i] = totals[i], sum += totals[i], bsum += bests ? bests[i] : 0;
    out->mean = div_round(sum, n);
    out->best = div_round(bsum, n);
    out->trimmed = contest_trims(n, drop);
    if (out->trimmed) {
        qsort(v, (size_t)n, sizeof *v, cmp_i64);
        int64_t ks = 0;
        for (int i = drop; i < n - drop; i++) ks += v[i];
        out->score = div_round(ks, n - 2 * drop);
    } else
        out->score = out->mean;
    free(v);
}

/* -1 when a ranks before b, 1 after, 0 a true tie. */
static int line_order(const contest_line *a, const contest_line *b)
{
    if (a->score != b->score) return a->score > b->score ? -1 : 1;
    if (a->mean != b->mean) return a->mean > b->mean ? -1 : 1;
    if (a->best != b->best) return a->best > b->best ? -1 : 1;
    return 0;
}

void contest_rank(contest_line *lines, int n)
{
    for (int i = 0; i < n; i++) {
        int ahead = 0;
        for (int j = 0; j < n; j++)
            if (j != i && line_order(&lines[j], &lines[i]) < 0) ahead++;
        lines[i].rank = ahead + 1;
    }
}

void contest_method_text(int drop, int njudges, char *out, size_t cap)
{
    const char *ties = "得分相同时，依次比较全部评委的平均分（不去分）、单项加权最高分的平均值，较高者列前；仍相同的并列，其后名次顺延（如 1、2、2、4）。";
    const char *each = "每位评委对每位参赛对象逐项打分，按“单项得分 ÷ 单项满分 × 权重”合计为该评委的加权总分（百分制，保留两位小数）。";
    if (contest_trims(njudges, drop))
        snprintf(out, cap, "%s共 %d 位评委提交评分，去掉 %d 个最高分和 %d 个最低分后取其余 %d 位评委加权总分的平均分为最终得分。%s", each, njudges, drop, drop,
                 njudges - 2 * drop, ties);
    else if (drop > 0)
        snprintf(out, cap, "%s共 %d 位评委提交评分，少于去掉最高分、最低分所需的 %d 位，故取全部评委加权总分的平均分（未去分）为最终得分。%s", each, njudges,
                 1 + 2 * drop, ties);
    else
        snprintf(out, cap, "%s共 %d 位评委提交评分，取全部评委加权总分的平均分为最终得分（本竞赛不去掉最高分、最低分）。%s", each, njudges, ties);
}

/* s cut at max code points into out (cap ≥ 4 × max + 1). */
static void sheet_cut(const char *s, size_t max, char *out, size_t cap)
{
    size_t i = 0, cps = 0;
    for (; s[i] && i + 1 < cap; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80 && cps++ == max) break;
        out[i] = s[i];
    }
    while (i > 0 && ((unsigned char)out[i - 1] & 0xC0) == 0xC0) i--; /* no lead byte left without its tail */
    out[i] = 0;
}

static bool sheet_heading(const char *s)
{
    static const char *const words[] = {"姓名", "名称", "编号", "参赛对象", "参赛者", "参赛人员", "参赛单位", "参赛窗口", "党员姓名", "组织名称", "窗口名称", "名单", "name", "id"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (!strcmp(s, words[i])) return true;
    return false;
}

int contest_sheet_read(const void *data, size_t len, contest_sheet_row **rows, int *n, cx_err *e)
{
    *rows = NULL;
    *n = 0;
    tabfile *t = tab_open_mem(data, len, e);
    if (!t) {
        e->status = 422;
        return CX_ERR;
    }
    contest_sheet_row *v = xcalloc(CONTEST_ENTRANTS_MAX + 1, sizeof *v);
    char **cells;
    size_t nc;
    int k = 0, rc;
    bool first = true;
    while ((rc = tab_next(t, &cells, &nc, e)) == 1) {
        const char *c = NULL;
        for (size_t i = 0; i < nc && !c; i++)
            if (cells[i][0]) c = cells[i];
        if (!c) continue;
        bool head = first && sheet_heading(c);
        first = false;
        if (head) continue;
        if (k == CONTEST_ENTRANTS_MAX) {
            cx_fail(e, 422, "too_many_entrants", "file", "名单超过 %d 行：一项竞赛至多 %d 个参赛对象", CONTEST_ENTRANTS_MAX, CONTEST_ENTRANTS_MAX);
            rc = CX_ERR;
            break;
        }
        v[k].row = tab_rowno(t);
        sheet_cut(c, 64, v[k].text, sizeof v[k].text);
        k++;
    }
    tab_close(t);
    if (rc == CX_ERR) {
        e->status = 422;
        snprintf(e->field, sizeof e->field, "file");
        free(v);
        return CX_ERR;
    }
    if (!k) {
        free(v);
        return cx_fail(e, 422, "invalid_entrant", "file", "名单中没有参赛对象：请在第一列填写姓名（或名称、编号），每行一个");
    }
    *rows = v;
    *n = k;
    return CX_OK;
}
