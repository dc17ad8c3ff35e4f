/* review.c: the rules of the three reviews and of grading (see review.h). */
#include "review.h"
#include "date.h"
#include "text.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const level_labels[] = {"", "好", "较好", "一般", "差"};
static const char *const answer_labels[] = {"", "满意", "基本满意", "不满意"};

const char *level_label(int lv) { return lv >= 1 && lv <= 4 ? level_labels[lv] : ""; }
const char *answer_label(int a) { return a >= 1 && a <= 3 ? answer_labels[a] : ""; }

/* seed 002: 群众评议 content; seed 004: 群众评窗口, six matters. */
static const char *const party3[] = {"党性观念强不强", "联系群众够不够", "发挥先锋模范作用明显不明显"};
static const char *const window6[] = {"政策落实情况", "服务水平情况", "服务质量情况",
                                      "办事效率情况", "工作作风情况", "廉洁自律情况"};

int questions_of(const char *set, const char *const **texts)
{
    if (set && strcmp(set, "party3") == 0) {
        if (texts) *texts = party3;
        return 3;
    }
    if (set && strcmp(set, "window6") == 0) {
        if (texts) *texts = window6;
        return 6;
    }
    return 0;
}

/* One checker for both digit strings: n digits each in '1'..max. */
static int digits_check(const char *s, int n, char max, const char *field, const char *what, cx_err *e)
{
    size_t len = s ? strlen(s) : 0;
    if (len != (size_t)n)
        return cx_fail(e, 400, "invalid_levels", field, "%s应为 %d 项，收到 %zu 项", what, n, len);
    for (int i = 0; i < n; i++)
        if (s[i] < '1' || s[i] > max)
            return cx_fail(e, 400, "invalid_levels", field, "%s第 %d 项不是有效的选项", what, i + 1);
    return CX_OK;
}

int levels_check(const char *s, int n, const char *field, cx_err *e)
{
    return digits_check(s, n, '4', field, "评议等次", e);
}

int answers_check(const char *s, int n, const char *field, cx_err *e)
{
    return digits_check(s, n, '3', field, "评议答案", e);
}

bool answers_unsatisfied(const char *s) { return s && strchr(s, '0' + ANS_UNSATISFIED) != NULL; }

static const char *const grade_codes[] = {"none", "excellent", "qualified", "basic", "unqualified"};
static const char *const grade_labels_m[] = {"不评定等次", "优秀", "合格", "基本合格", "不合格"};
static const char *const grade_labels_o[] = {"不评定等次", "好", "较好", "一般", "差"};

const char *grade_code(int g) { return g >= 0 && g <= 4 ? grade_codes[g] : "none"; }
int grade_from_code(const char *code)
{
    for (int g = 0; code && g <= 4; g++)
        if (strcmp(code, grade_codes[g]) == 0) return g;
    return -1;
}
const char *grade_label(int g, bool is_org) { return g >= 0 && g <= 4 ? (is_org ? grade_labels_o : grade_labels_m)[g] : ""; }

const char *const component_names[C_N] = {"self", "peer", "leader", "public", "pledge"};

void review_rules_default(review_rules *r)
{
    *r = (review_rules){
        .w = {20, 20, 20, 30, 10},
        .t_excellent = 90, .t_qualified = 70, .t_basic = 60,
        .s_ans = {100, 60, 0},
        .l_lv = {100, 80, 60, 0},
        .cap_num = 1, .cap_den = 3,
        .veto_unjustified = true, .veto_unsatisfied_pct = 0, .min_ballots = 1, .sms_required = true,
    };
}

static bool pct(int v) { return v >= 0 && v <= 100; }

int review_rules_check(const review_rules *r, cx_err *e)
{
    static const char *const wf[C_N] = {"w_self", "w_peer", "w_leader", "w_public", "w_pledge"};
    int sum = 0;
    for (int i = 0; i < C_N; i++) {
        if (!pct(r->w[i])) return cx_fail(e, 400, "invalid_rules", wf[i], "权重应在 0 到 100 之间");
        sum += r->w[i];
    }
    if (sum != 100) return cx_fail(e, 400, "invalid_rules", "w_self", "五项权重之和应为 100，现为 %d", sum);
    if (!pct(r->t_excellent) || !pct(r->t_qualified) || !pct(r->t_basic))
        return cx_fail(e, 400, "invalid_rules", "t_excellent", "等次分数线应在 0 到 100 之间");
    if (!(r->t_basic <= r->t_qualified && r->t_qualified <= r->t_excellent))
        return cx_fail(e, 400, "invalid_rules", "t_qualified", "分数线应满足：基本合格 ≤ 合格 ≤ 优秀");
    for (int i = 0; i < 3; i++)
        if (!pct(r->s_ans[i]) || (i && r->s_ans[i] > r->s_ans[i - 1]))
            return cx_fail(e, 400, "invalid_rules", "s_satisfied", "群众评议答案分值应在 0 到 100 之间，且满意 ≥ 基本满意 ≥ 不满意");
    for (int i = 0; i < 4; i++)
        if (!pct(r->l_lv[i]) || (i && r->l_lv[i] > r->l_lv[i - 1]))
            return cx_fail(e, 400, "invalid_rules", "l_good", "评议等次分值应在 0 到 100 之间，且好 ≥ 较好 ≥ 一般 ≥ 差");
    if (r->cap_den < 1 || r->cap_num < 0 || r->cap_num > r->cap_den)
        return cx_fail(e, 400, "invalid_rules", "cap_num", "优秀比例应为不超过 1 的分数（如 1/3）");
    if ((int64_t)r->cap_num * 3 > r->cap_den)
        return cx_fail(e, 400, "invalid_rules", "cap_num", "民主评议规定优秀不超过参加等次评定人数的三分之一：优秀比例可以调低，不能高于 1/3（收到 %d/%d）",
                       r->cap_num, r->cap_den);
    if (!pct(r->veto_unsatisfied_pct))
        return cx_fail(e, 400, "invalid_rules", "veto_unsatisfied_pct", "不满意比例否决线应在 0 到 100 之间（0 为不启用）");
    if (r->min_ballots < 1 || r->min_ballots > 100000)
        return cx_fail(e, 400, "invalid_rules", "min_ballots", "群众评议最少有效票数应在 1 到 100000 之间");
    return CX_OK;
}

void mean_add(mean_acc *m, int64_t v)
{
    if (v < 0) return;
    m->sum += v;
    m->n++;
}

int64_t mean_get(const mean_acc *m) { return m->n ? (m->sum + m->n / 2) / m->n : -1; }

/* The mean ×100 of the scores of a digit string's items (digit d scores tab[d-1]). */
static int64_t digits_score(const char *s, const int *tab, int max)
{
    mean_acc m = {0, 0};
    for (; s && *s; s++) {
        int d = *s - '0';
        if (d < 1 || d > max) return -1;
        mean_add(&m, (int64_t)tab[d - 1] * 100);
    }
    return mean_get(&m);
}

int64_t levels_score(const review_rules *r, const char *levels) { return digits_score(levels, r->l_lv, 4); }
int64_t answers_score(const review_rules *r, const char *answers) { return digits_score(answers, r->s_ans, 3); }

int64_t composite_score(const review_rules *r, const int64_t s[C_N])
{
    int64_t num = 0, den = 0;
    for (int i = 0; i < C_N; i++) {
        if (s[i] < 0 || r->w[i] == 0) continue;
        num += s[i] * r->w[i];
        den += r->w[i];
    }
    if (den == 0) return -1;
    return (num + den / 2) / den;
}

int grade_of_score(const review_rules *r, int64_t score)
{
    if (score >= (int64_t)r->t_excellent * 100) return GR_1;
    if (score >= (int64_t)r->t_qualified * 100) return GR_2;
    if (score >= (int64_t)r->t_basic * 100) return GR_3;
    return GR_4;
}

static const char *const ex_codes[] = {"", "probationary", "away", "imprisoned", "bedridden", "incapacitated", "other"};
static const char *const ex_labels[] = {"", "预备党员（参加评议，不评定等次）", "出国出境或外出半年以上",
                                        "服刑", "长期卧床", "丧失行为能力", "其他原因"};

const char *exclusion_code(int ex) { return ex >= 0 && ex <= EX_OTHER ? ex_codes[ex] : ""; }
const char *exclusion_label(int ex) { return ex >= 0 && ex <= EX_OTHER ? ex_labels[ex] : ""; }
int exclusion_from_code(const char *code)
{
    for (int i = EX_AWAY; code && i <= EX_OTHER; i++)
        if (strcmp(code, ex_codes[i]) == 0) return i;
    return -1;
}

int64_t excellent_cap(const review_rules *r, int64_t graded)
{
    /* the office's fraction, never above the ⌊⅓⌋ of 民主评议 (even if a stored rule says more) */
    int64_t cap = r->cap_den > 0 ? graded * r->cap_num / r->cap_den : 0;
    return cap < graded / 3 ? cap : graded / 3;
}

/* Indexes sorted by score, highest first (ties keep input order). */
static int by_score_desc(const void *a, const void *b, void *ctx)
{
    const grade_out *out = ctx;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    int64_t x = out[i].score, y = out[j].score;
    if (x != y) return x > y ? -1 : 1;
    return i < j ? -1 : (i > j);
}

size_t grade_branch(const review_rules *r, bool is_org, const grade_in *in, grade_out *out, size_t n)
{
    size_t graded = 0, ncand = 0;
    size_t *cand = n ? malloc(n * sizeof *cand) : NULL;
    if (n && !cand) abort();
    for (size_t i = 0; i < n; i++) {
        grade_out *o = &out[i];
        *o = (grade_out){.id = in[i].id, .score = composite_score(r, in[i].s), .grade = GR_NONE};
        if (in[i].exclusion != EX_NONE) {
            if (in[i].exclusion == EX_PROBATIONARY)
                snprintf(o->note, sizeof o->note, "预备党员参加评议，不评定等次");
            else
                snprintf(o->note, sizeof o->note, "%s，不参加等次评定，不计入人数", exclusion_label(in[i].exclusion));
            continue;
        }
        graded++;
        if (in[i].veto) {
            o->grade = GR_4;
            snprintf(o->note, sizeof o->note, "触发否决规则");
        } else if (o->score < 0) {
            o->grade = GR_NONE;
            graded--;
            snprintf(o->note, sizeof o->note, "尚无评议数据，暂不评定");
            continue;
        } else {
            o->grade = grade_of_score(r, o->score);
        }
        if (o->grade == GR_1 && !is_org) cand[ncand++] = i;
    }
    if (!is_org) {
        size_t cap = (size_t)excellent_cap(r, (int64_t)graded);
        if (ncand > cap) {
            qsort_r(cand, ncand, sizeof *cand, by_score_desc, out);
            /* keep the first cap; if the cap falls inside a run of equal scores, the whole run is
             * demoted (software cannot choose between them; the branch meeting decides). */
            int64_t v = out[cand[cap]].score; /* the best score over the cap */
            size_t keep = cap;
            while (keep > 0 && out[cand[keep - 1]].score == v) keep--;
            for (size_t k = keep; k < ncand; k++) {
                grade_out *o = &out[cand[k]];
                o->grade = GR_2;
                bool tie = keep < cap && o->score == v;
                snprintf(o->note, sizeof o->note, tie ? "与他人同分并列，超出三分之一优秀名额，由支部大会决定"
                                                      : "达到优秀分数，但超出三分之一优秀名额，评为合格");
            }
        }
    }
    for (size_t i = 0; i < n; i++)
        out[i].meets = (out[i].grade == GR_1 || out[i].grade == GR_2) && in[i].criteria_ok == 1;
    free(cand);
    return graded;
}

int meeting_check(int64_t entitled, int64_t present, int64_t in_favour, cx_err *e)
{
    if (entitled < 1 || entitled > 100000)
        return cx_fail(e, 400, "invalid_meeting", "entitled", "应到会有表决权党员人数应为正整数");
    if (present < 0 || present > entitled)
        return cx_fail(e, 400, "invalid_meeting", "present", "实到人数应在 0 到应到人数之间");
    if (in_favour < 0 || in_favour > present)
        return cx_fail(e, 400, "invalid_meeting", "in_favour", "赞成人数应在 0 到实到人数之间");
    if (present * 2 <= entitled)
        return cx_fail(e, 409, "no_quorum", "present", "到会人数未超过应到会有表决权党员的半数，会议不能作出决定");
    if (in_favour * 2 <= entitled)
        return cx_fail(e, 409, "motion_failed", "in_favour", "赞成人数未超过应到会有表决权党员的半数，决定未通过");
    return CX_OK;
}

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Unbiased integer in [0, bound) by rejection (bound ≥ 1). */
static uint32_t bounded(uint64_t *st, uint32_t bound)
{
    uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    uint64_t v;
    do v = splitmix64(st);
    while (v >= limit);
    return (uint32_t)(v % bound);
}

void draw_sample(uint64_t seed, uint32_t population, uint32_t n, uint32_t *out)
{
    if (n > population) n = population;
    /* partial Fisher–Yates over a virtual identity array: only swapped slots are remembered */
    uint32_t *slot = population ? malloc((size_t)population * sizeof *slot) : NULL;
    if (population && !slot) abort();
    for (uint32_t i = 0; i < population; i++) slot[i] = i;
    uint64_t st = seed;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t j = i + bounded(&st, population - i);
        uint32_t t = slot[i];
        slot[i] = slot[j];
        slot[j] = t;
        out[i] = slot[i];
    }
    free(slot);
}

/* ---- what people type: campaigns, phases, rounds ---- */

static const text_rule T_THEME = {"theme", "活动主题", 1, 60, true}, T_PHASE = {"name", "阶段名称", 1, 60, false},
                       T_ROUND = {"name", "评议轮次名称", 1, 40, false};

/* A period typed as two dates, end not before start. */
static int period_check(const char *start, const char *end, char sd[11], char ed[11], cx_err *e)
{
    if (date_parse(start, false, "start_date", "开始日期", sd, e) != CX_OK) return CX_ERR;
    if (date_parse(end, false, "end_date", "结束日期", ed, e) != CX_OK) return CX_ERR;
    if (date_cmp(ed, sd) < 0) return cx_fail(e, 400, "invalid_period", "end_date", "结束日期不能早于开始日期");
    return CX_OK;
}

int campaign_check(const campaign_in *in, campaign_ok *out, cx_err *e)
{
    if (text_check(&T_THEME, in->theme, out->theme, sizeof out->theme, e) != CX_OK) return CX_ERR;
    if (date_parse(in->start_date, false, "start_date", "开始日期", out->start_date, e) != CX_OK) return CX_ERR;
    if (date_parse(in->end_date, false, "end_date", "结束日期", out->end_date, e) != CX_OK) return CX_ERR;
    if (date_cmp(out->end_date, out->start_date) <= 0) return cx_fail(e, 400, "invalid_period", "end_date", "结束日期应晚于开始日期");
    return CX_OK;
}

int phase_check(const phase_in *in, phase_ok *out, cx_err *e)
{
    if (text_check(&T_PHASE, in->name, out->name, sizeof out->name, e) != CX_OK) return CX_ERR;
    return period_check(in->start_date, in->end_date, out->start_date, out->end_date, e);
}

int round_check(const round_in *in, round_ok *out, cx_err *e)
{
    const char *q = in->questions && *in->questions ? in->questions : "party3";
    if (!questions_of(q, NULL))
        return cx_fail(e, 400, "invalid_questions", "questions", "群众评议问题应为 party3（党员三问）或 window6（窗口六问）");
    snprintf(out->questions, sizeof out->questions, "%s", q);
    if (text_check(&T_ROUND, in->name, out->name, sizeof out->name, e) != CX_OK) return CX_ERR;
    return period_check(in->start_date, in->end_date, out->start_date, out->end_date, e);
}

/* ---- what people type: standard sets and carriers ---- */

static const text_rule T_STD_NAME = {"name", "标准名称", 1, 30, false}, T_CARRIER = {"name", "载体名称", 1, 40, false},
                       T_CARRIER_TEXT = {"description", "载体说明", 0, 500, false};

int standard_check(const standard_in *in, standard_ok *out, cx_err *e)
{
    const char *code = in->code;
    size_t cl = code ? strlen(code) : 0;
    if (cl < 2 || cl > 32 || strspn(code, "abcdefghijklmnopqrstuvwxyz0123456789_") != cl)
        return cx_fail(e, 400, "invalid_code", "code", "标准代码应为 2–32 个小写字母、数字或下划线（如 siqiang）");
    if (!in->target || (strcmp(in->target, "org") && strcmp(in->target, "member")))
        return cx_fail(e, 400, "invalid_target", "target", "适用对象应为党组织（org）或党员（member）");
    if (in->n < 1 || in->n > STD_MAX_ITEMS) return cx_fail(e, 400, "invalid_items", "items", "标准应有 1 到 %d 条内容", STD_MAX_ITEMS);
    memcpy(out->code, code, cl + 1);
    snprintf(out->target, sizeof out->target, "%s", in->target);
    if (text_check(&T_STD_NAME, in->name, out->name, sizeof out->name, e) != CX_OK) return CX_ERR;
    out->n = in->n;
    for (int i = 0; i < in->n; i++) {
        char field[32];
        snprintf(field, sizeof field, "items[%d].title", i);
        text_rule title = {field, "标准条目的标题", 1, 40, false}, body = {field, "标准条目的内容", 0, 500, false};
        if (text_check(&title, in->titles[i], out->items[i].title, sizeof out->items[i].title, e) != CX_OK) return CX_ERR;
        snprintf(field, sizeof field, "items[%d].body", i);
        if (text_check(&body, in->bodies[i], out->items[i].body, sizeof out->items[i].body, e) != CX_OK) return CX_ERR;
    }
    return CX_OK;
}

int carrier_check(const carrier_in *in, carrier_ok *out, cx_err *e)
{
    if (text_check(&T_CARRIER, in->name, out->name, sizeof out->name, e) != CX_OK) return CX_ERR;
    return text_check(&T_CARRIER_TEXT, in->description, out->description, sizeof out->description, e);
}

/* ---- what people type: self and peer reviews ---- */

static const text_rule T_ACHIEVEMENTS = {"achievements", "主要成绩", 0, 1000, false},
                       T_SHORTCOMINGS = {"shortcomings", "存在的不足（找不足）", 1, 1000, false},
                       T_DIRECTION = {"direction", "努力方向（明方向）", 1, 1000, false},
                       T_REMARK = {"shortcomings", "意见和建议", 0, 500, false};

int review_check(const review_in *in, bool self, review_ok *out, cx_err *e)
{
    out->levels = in->levels;
    out->achievements[0] = out->direction[0] = 0;
    if (!self) return text_check(&T_REMARK, in->shortcomings, out->shortcomings, sizeof out->shortcomings, e);
    if (text_check(&T_ACHIEVEMENTS, in->achievements, out->achievements, sizeof out->achievements, e) != CX_OK ||
        text_check(&T_SHORTCOMINGS, in->shortcomings, out->shortcomings, sizeof out->shortcomings, e) != CX_OK)
        return CX_ERR;
    return text_check(&T_DIRECTION, in->direction, out->direction, sizeof out->direction, e);
}

/* ---- what people type: commentary ---- */

static const text_rule T_PRAISE = {"achievements", "肯定成绩", 1, 1000, false}, T_PROBLEMS = {"problems", "指出问题", 1, 1000, false},
                       T_AIM = {"direction", "明确努力方向", 1, 1000, false};

int commentary_check(const commentary_in *in, commentary_ok *out, cx_err *e)
{
    const char *lv = in->level;
    if (!lv || strlen(lv) != 1 || lv[0] < '1' || lv[0] > '4')
        return cx_fail(e, 400, "invalid_level", "level", "点评等次应为 1（好）、2（较好）、3（一般）或 4（差）");
    out->level = lv[0] - '0';
    if (text_check(&T_PRAISE, in->achievements, out->achievements, sizeof out->achievements, e) != CX_OK ||
        text_check(&T_PROBLEMS, in->problems, out->problems, sizeof out->problems, e) != CX_OK)
        return CX_ERR;
    return text_check(&T_AIM, in->direction, out->direction, sizeof out->direction, e);
}

/* ---- what people type: grades and exclusions ---- */

static const text_rule T_DECISION = {"reason", "决定理由", 1, 500, false};

int decision_check(const meeting_in *in, const char *today, meeting_ok *out, cx_err *e)
{
    char now[11];
    if (!today) date_today(now), today = now;
    if (in->grade < GR_1 || in->grade > GR_4)
        return cx_fail(e, 400, "invalid_grade", "grade", "等次应为 excellent（优秀）、qualified（合格）、basic（基本合格）或 unqualified（不合格）");
    *out = (meeting_ok){.grade = in->grade, .entitled = in->entitled, .present = in->present, .in_favour = in->in_favour};
    if (text_check(&T_DECISION, in->reason, out->reason, sizeof out->reason, e) != CX_OK) return CX_ERR;
    if (!in->date || !*in->date) {
        snprintf(out->date, sizeof out->date, "%s", today);
        return CX_OK;
    }
    out->dated = true;
    if (date_parse(in->date, false, "meeting_date", "支部党员大会日期", out->date, e) != CX_OK) return CX_ERR;
    if (date_cmp(out->date, today) > 0) return cx_fail(e, 400, "invalid_meeting", "meeting_date", "支部党员大会日期 %s 还没有到", out->date);
    return CX_OK;
}

int approval_check(bool approve, const char *reason, approval_ok *out, cx_err *e)
{
    text_rule r = {"reason", "不批准的理由", approve ? 0 : 1, 100, false};
    out->approve = approve;
    return text_check(&r, reason, out->reason, sizeof out->reason, e);
}

int exclusion_check(const char *reason, const char *note, exclusion_ok *out, cx_err *e)
{
    bool remove = !reason || !*reason || !strcmp(reason, "none");
    int ex = remove ? EX_NONE : exclusion_from_code(reason);
    if (ex < 0)
        return cx_fail(e, 400, "invalid_reason", "reason",
                       "不参加等次评定的原因应为 away（外出半年以上）、imprisoned（服刑）、bedridden（长期卧床）、incapacitated（丧失行为能力）或 other（其他，须说明）；预备党员自动不评定等次");
    out->reason = ex;
    text_rule r = {"note", "说明", ex == EX_OTHER ? 1 : 0, 200, false};
    return text_check(&r, note, out->note, sizeof out->note, e);
}
