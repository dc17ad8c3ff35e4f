/* pledge.c: the public pledge lifecycle table, its names and labels, areas, grades and input checks. */
#include "pledge.h"
#include "text.h"
#include "date.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *name, *label;
} status_names[PS_COUNT] = {
    [PS_DRAFT] = {"draft", "草稿"},
    [PS_SUBMITTED] = {"submitted", "待审核"},
    [PS_RETURNED] = {"returned", "已退回"},
    [PS_IN_PROGRESS] = {"in_progress", "践诺中"},
    [PS_COMPLETED] = {"completed", "已完成"},
    [PS_MISSED] = {"missed", "未兑现"},
    [PS_RATED] = {"rated", "已评诺"},
    [PS_RENEWED] = {"renewed", "已再承诺"},
};

static const struct {
    const char *name, *label;
} action_names[PA_COUNT] = {
    [PA_EDIT] = {"edit", "修改"},
    [PA_SUBMIT] = {"submit", "提交"},
    [PA_APPROVE] = {"approve", "审核通过"},
    [PA_RETURN] = {"return", "退回"},
    [PA_PROGRESS] = {"progress", "记录进展"},
    [PA_COMPLETE] = {"complete", "标记完成"},
    [PA_MISS] = {"miss", "标记未兑现"},
    [PA_RATE] = {"rate", "评诺"},
    [PA_RENEW] = {"renew", "再承诺"},
};

/* Who may take an action in a state. BY_NOBODY: the state does not allow the action at all;
 * BY_REVIEWER excludes a reviewer who is also the owner (nobody reviews their own pledge). */
enum { BY_NOBODY = 0, BY_OWNER, BY_REVIEWER, BY_EITHER };

/* The diagram of pledge.h as a table; cells left out are BY_NOBODY. */
static const struct {
    unsigned char by, next;
} lifecycle[PS_COUNT][PA_COUNT] = {
    [PS_DRAFT] = {[PA_EDIT] = {BY_OWNER, PS_DRAFT}, [PA_SUBMIT] = {BY_OWNER, PS_SUBMITTED}},
    [PS_SUBMITTED] = {[PA_APPROVE] = {BY_REVIEWER, PS_IN_PROGRESS}, [PA_RETURN] = {BY_REVIEWER, PS_RETURNED}},
    [PS_RETURNED] = {[PA_EDIT] = {BY_OWNER, PS_RETURNED}, [PA_SUBMIT] = {BY_OWNER, PS_SUBMITTED}},
    [PS_IN_PROGRESS] = {[PA_PROGRESS] = {BY_EITHER, PS_IN_PROGRESS},
                        [PA_COMPLETE] = {BY_OWNER, PS_COMPLETED},
                        [PA_MISS] = {BY_REVIEWER, PS_MISSED}},
    [PS_COMPLETED] = {[PA_RATE] = {BY_REVIEWER, PS_RATED}},
    [PS_MISSED] = {[PA_RATE] = {BY_REVIEWER, PS_RATED}},
    [PS_RATED] = {[PA_RENEW] = {BY_OWNER, PS_RENEWED}},
};

/* Why a person the state would allow is refused: not the right relation at all ... */
static const char *const refused_msg[PA_COUNT] = {
    [PA_EDIT] = "只有承诺人本人可以修改承诺",
    [PA_SUBMIT] = "只有承诺人本人可以提交承诺",
    [PA_APPROVE] = "只有上级党组织书记或活动办公室可以审核承诺",
    [PA_RETURN] = "只有上级党组织书记或活动办公室可以退回承诺",
    [PA_PROGRESS] = "只有承诺人本人或上级党组织书记、活动办公室可以记录践诺进展",
    [PA_COMPLETE] = "只有承诺人本人可以将承诺标记为已完成",
    [PA_MISS] = "只有上级党组织书记或活动办公室可以将承诺标记为未兑现",
    [PA_RATE] = "只有上级党组织书记或活动办公室可以评诺",
    [PA_RENEW] = "只有承诺人本人可以再承诺",
};
/* ... or a reviewer who is also the owner. */
static const char *const own_review_msg[PA_COUNT] = {
    [PA_APPROVE] = "不能审核本人作出的承诺，应由上级党组织书记或活动办公室审核",
    [PA_RETURN] = "不能退回本人作出的承诺，应由上级党组织书记或活动办公室审核",
    [PA_MISS] = "不能将本人作出的承诺标记为未兑现，应由上级党组织书记或活动办公室认定",
    [PA_RATE] = "不能评议本人作出的承诺，应由上级党组织书记或活动办公室评诺",
};

const char *pledge_status_name(pledge_status s)
{
    return (unsigned)s < PS_COUNT ? status_names[s].name : "";
}

const char *pledge_status_label(pledge_status s)
{
    return (unsigned)s < PS_COUNT ? status_names[s].label : "";
}

int pledge_status_from_name(const char *name)
{
    for (int i = 0; name && i < PS_COUNT; i++)
        if (strcmp(name, status_names[i].name) == 0) return i;
    return -1;
}

const char *pledge_action_name(pledge_action a)
{
    return (unsigned)a < PA_COUNT ? action_names[a].name : "";
}

int pledge_action_from_name(const char *name)
{
    for (int i = 0; name && i < PA_COUNT; i++)
        if (strcmp(name, action_names[i].name) == 0) return i;
    return -1;
}

bool pledge_status_public(pledge_status s)
{
    return s == PS_IN_PROGRESS || s == PS_COMPLETED || s == PS_MISSED || s == PS_RATED || s == PS_RENEWED;
}

int pledge_decide(pledge_status from, pledge_action action, int relation, pledge_status *next, cx_err *e)
{
    if ((unsigned)from >= PS_COUNT || (unsigned)action >= PA_COUNT)
        return cx_fail(e, 409, "invalid_transition", "", "承诺状态或操作无效");
    int by = lifecycle[from][action].by;
    if (by == BY_NOBODY)
        return cx_fail(e, 409, "invalid_transition", "", "承诺当前为“%s”状态，不能进行“%s”", status_names[from].label,
                       action_names[action].label);
    bool owner = (relation & PR_OWNER) != 0, reviewer = (relation & PR_REVIEWER) != 0;
    bool proxy = (relation & PR_PROXY) != 0;
    bool ok = by == BY_OWNER ? owner || proxy : by == BY_REVIEWER ? reviewer && !owner : owner || reviewer || proxy;
    if (!ok)
        return cx_fail(e, 403, "not_allowed", "", "%s",
                       by == BY_REVIEWER && owner && reviewer ? own_review_msg[action] : refused_msg[action]);
    if (next) *next = (pledge_status)lifecycle[from][action].next;
    return CX_OK;
}

const char *const pledge_org_areas[] = {"贯彻落实科学发展观", "关心服务党员群众", "提高工作效能", "推动经济社会发展", NULL};
const char *const pledge_member_areas[] = {"理论学习", "理想信念", "履行职责", "服务群众",
                                           "工作作风", "组织纪律", "廉洁自律", "道德修养", NULL};

bool pledge_area_valid(bool org_pledge, const char *area)
{
    for (const char *const *a = org_pledge ? pledge_org_areas : pledge_member_areas; area && *a; a++)
        if (strcmp(area, *a) == 0) return true;
    return false;
}

const char *const pledge_grades[] = {"good", "fairly_good", "average", "poor", NULL};
static const char *const grade_labels[] = {"好", "较好", "一般", "差"};

const char *pledge_grade_label(const char *g)
{
    for (int i = 0; g && pledge_grades[i]; i++)
        if (strcmp(g, pledge_grades[i]) == 0) return grade_labels[i];
    return NULL;
}

/* ---- input checks ---- */

/* Errors collected for the caller: all are counted, the first max are written. */
typedef struct {
    cx_err *v;
    int n, max;
} errlist;

static cx_err *free_slot(const errlist *L)
{
    return L->v && L->n < L->max ? &L->v[L->n] : NULL;
}

static void report(errlist *L, const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void report(errlist *L, const char *code, const char *field, const char *fmt, ...)
{
    char msg[sizeof L->v->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cx_fail(free_slot(L), 400, code, field, "%s", msg);
    L->n++;
}

/* The texts of a pledge and of its progress (all required). */
static const text_rule T_TITLE = {"title", "承诺事项", 1, 60, true}, T_CONTENT = {"content", "承诺内容", 1, 1000, false},
                       T_MEASURES = {"measures", "具体措施", 1, 1000, false}, T_RESPONSIBLE = {"responsible", "责任人", 1, 20, true},
                       T_PROGRESS = {"text", "进展情况", 1, 1000, false};

/* Checks a text against its rule; reports at most one error; returns whether the text passed. */
static bool check_text(errlist *L, const text_rule *r, const char *s)
{
    if (text_check(r, s, NULL, 0, free_slot(L)) == CX_OK) return true;
    L->n++;
    return false;
}

/* Parses a required date into out ("YYYY-MM-DD"); reports at most one error. */
static bool check_date(errlist *L, const char *s, const char *field, const char *label, char out[11])
{
    const char *b = s ? s : "";
    size_t n = strlen(b);
    text_span(&b, &n);
    if (n == 0) {
        report(L, "required", field, "%s不能为空", label);
        return false;
    }
    if (date_parse(s, false, field, label, out, free_slot(L)) != CX_OK) {
        L->n++;
        return false;
    }
    return true;
}

int pledge_validate(const pledge_in *in, bool org_pledge, bool allow_past, char due_out[11], cx_err *errs, int maxerr)
{
    static const pledge_in blank;
    errlist L = {errs, 0, maxerr};
    if (due_out) due_out[0] = 0;
    if (!in) in = &blank;

    const char *area = in->area ? in->area : "";
    size_t an = strlen(area);
    text_span(&area, &an);
    if (an == 0) report(&L, "required", "area", "承诺领域不能为空");
    else if (!pledge_area_valid(org_pledge, in->area)) {
        char list[256] = "";
        size_t used = 0;
        for (const char *const *a = org_pledge ? pledge_org_areas : pledge_member_areas; *a; a++) {
            int k = snprintf(list + used, sizeof list - used, "%s%s", used ? "、" : "", *a);
            if (k < 0 || (size_t)k >= sizeof list - used) break;
            used += (size_t)k;
        }
        report(&L, "invalid_area", "area", "承诺领域应为%s承诺的领域之一：%s", org_pledge ? "党组织" : "党员", list);
    }
    check_text(&L, &T_TITLE, in->title);
    check_text(&L, &T_CONTENT, in->content);
    check_text(&L, &T_MEASURES, in->measures);
    check_text(&L, &T_RESPONSIBLE, in->responsible);

    char due[11], today[11];
    if (check_date(&L, in->due_date, "due_date", "完成时限", due)) {
        date_today(today);
        if (!allow_past && date_cmp(due, today) < 0)
            report(&L, "date_in_past", "due_date", "完成时限 %s 早于今天（%s）", due, today);
        else if (due_out) memcpy(due_out, due, 11);
    }
    return L.n;
}

/* Parses a percentage: digits (ASCII or full-width) with an optional sign and an optional trailing
 * % or ％; *v is capped so that long digit strings cannot overflow. */
static bool parse_percent(const char *b, size_t n, int *v)
{
    const unsigned char *s = (const unsigned char *)b;
    if (n >= 1 && s[n - 1] == '%') n--;
    else if (n >= 3 && s[n - 3] == 0xEF && s[n - 2] == 0xBC && s[n - 1] == 0x85) n -= 3;
    text_span(&b, &n);
    s = (const unsigned char *)b;
    size_t i = 0;
    bool neg = false;
    if (i < n && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
    int val = 0, digits = 0;
    while (i < n) {
        int d;
        if (s[i] >= '0' && s[i] <= '9') d = s[i++] - '0';
        else if (i + 2 < n && s[i] == 0xEF && s[i + 1] == 0xBC && s[i + 2] >= 0x90 && s[i + 2] <= 0x99) {
            d = s[i + 2] - 0x90;
            i += 3;
        } else return false;
        val = val > 1000 ? val : val * 10 + d;
        digits++;
    }
    if (!digits) return false;
    *v = neg ? -val : val;
    return true;
}

int pledge_progress_validate(const char *date, const char *text, const char *percent, char date_out[11], int *pct,
                             cx_err *errs, int maxerr)
{
    errlist L = {errs, 0, maxerr};
    if (date_out) date_out[0] = 0;
    if (pct) *pct = -1;

    char d[11], today[11];
    if (check_date(&L, date, "date", "进展日期", d)) {
        date_today(today);
        if (date_cmp(d, today) > 0) report(&L, "date_in_future", "date", "进展日期 %s 晚于今天（%s）", d, today);
        else if (date_out) memcpy(date_out, d, 11);
    }
    check_text(&L, &T_PROGRESS, text);

    const char *b = percent ? percent : "";
    size_t n = strlen(b);
    text_span(&b, &n);
    int v;
    if (n == 0) report(&L, "required", "percent", "完成进度不能为空");
    else if (!parse_percent(b, n, &v))
        report(&L, "invalid_percent", "percent", "完成进度应为0到100之间的整数（如 60 或 60%%）");
    else if (v < 0 || v > 100) report(&L, "invalid_percent", "percent", "完成进度应在0到100之间");
    else if (pct) *pct = v;
    return L.n;
}

int pledge_check(const pledge_in *in, bool org_pledge, bool allow_past, pledge_ok *out, cx_err *errs, int maxerr)
{
    int n = pledge_validate(in, org_pledge, allow_past, out->due_date, errs, maxerr);
    text_copy(out->area, sizeof out->area, in->area);
    text_copy(out->title, sizeof out->title, in->title);
    text_copy(out->content, sizeof out->content, in->content);
    text_copy(out->measures, sizeof out->measures, in->measures);
    text_copy(out->responsible, sizeof out->responsible, in->responsible);
    return n;
}

int pledge_progress_check(const char *date, const char *text, const char *percent, progress_ok *out, cx_err *errs, int maxerr)
{
    int n = pledge_progress_validate(date, text, percent, out->date, &out->percent, errs, maxerr);
    text_copy(out->text, sizeof out->text, text);
    return n;
}

/* The texts of a pledge's steps, by the one rule for text fields (domain/text.h). */
static const text_rule T_REASON = {"reason", "退回理由", 1, 500, false}, T_EXPLANATION = {"explanation", "未兑现的公开说明", 1, 1000, false},
                       T_EXPLANATION_OPT = {"explanation", "未兑现的公开说明", 0, 1000, false}, T_COMMENT = {"comment", "评诺意见", 0, 1000, false},
                       T_SUMMARY = {"summary", "本人总结", 0, 1000, false};

int pledge_act_check(pledge_action action, const pledge_extra *in, pledge_act_ok *out, cx_err *e)
{
    static const pledge_extra none;
    if (!in) in = &none;
    memset(out, 0, sizeof *out);
    out->action = action;
    switch (action) {
    case PA_RETURN: return text_check(&T_REASON, in->reason, out->reason, sizeof out->reason, e);
    case PA_MISS:
        if (!in->miss_kind || (strcmp(in->miss_kind, "objective") && strcmp(in->miss_kind, "unjustified")))
            return cx_fail(e, 400, "invalid_miss_kind", "miss_kind", "未兑现原因类别应为“客观原因”（objective）或“无正当理由”（unjustified）");
        snprintf(out->miss_kind, sizeof out->miss_kind, "%s", in->miss_kind);
        /* an objective reason must be explained in public; an unjustified miss may go unexplained */
        return text_check(!strcmp(out->miss_kind, "objective") ? &T_EXPLANATION : &T_EXPLANATION_OPT, in->explanation, out->explanation,
                          sizeof out->explanation, e);
    case PA_RATE: /* the reviewer's grade and comment; the summary is the owner's, written at completion */
        if (!in->grade || !pledge_grade_label(in->grade)) return cx_fail(e, 400, "invalid_grade", "grade", "评诺等次应为好、较好、一般或差");
        snprintf(out->grade, sizeof out->grade, "%s", in->grade);
        return text_check(&T_COMMENT, in->comment, out->comment, sizeof out->comment, e);
    case PA_COMPLETE: return text_check(&T_SUMMARY, in->summary, out->summary, sizeof out->summary, e);
    case PA_SUBMIT: case PA_APPROVE: case PA_RENEW: return CX_OK;
    default: return cx_fail(e, 400, "invalid_action", "action", "不支持的操作");
    }
}

/* Whether s is a real date in the stored form "YYYY-MM-DD". */
static bool stored_date(const char *s)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-') return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return false;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    return date_valid_ymd(y, (s[5] - '0') * 10 + (s[6] - '0'), (s[8] - '0') * 10 + (s[9] - '0'));
}

bool pledge_overdue(pledge_status s, const char *due_date, const char *today)
{
    if (s != PS_IN_PROGRESS && s != PS_SUBMITTED && s != PS_RETURNED) return false;
    char now[11];
    if (!today) {
        date_today(now);
        today = now;
    }
    return stored_date(due_date) && stored_date(today) && date_cmp(due_date, today) < 0;
}
