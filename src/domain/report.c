/* report.c: scheduled reports: names, the lifecycle table, input checks and lateness (report.h). */
#include "report.h"
#include "date.h"
#include "org.h"
#include "text.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct name_label {
    const char *name, *label;
} name_label;

static const name_label kinds[RPK_COUNT] = {
    [RPK_QUARTERLY] = {"quarterly", "季度检查"}, [RPK_HALF_YEAR] = {"half_year", "半年小结"},
    [RPK_YEAR_END] = {"year_end", "年终总结"},    [RPK_DUTY] = {"duty", "述职"},
    [RPK_SELF_COMMENT] = {"self_comment", "自我讲评"}, [RPK_CUSTOM] = {"custom", "其他汇报"},
}, statuses[RPS_COUNT] = {
    [RPS_DUE] = {"due", "待报送"}, [RPS_SUBMITTED] = {"submitted", "已报送待审阅"},
    [RPS_RETURNED] = {"returned", "已退回待重报"}, [RPS_ACCEPTED] = {"accepted", "已通过"},
}, actions[RPA_COUNT] = {
    [RPA_SAVE] = {"save", "保存草稿"}, [RPA_SUBMIT] = {"submit", "报送"},
    [RPA_RETURN] = {"return", "退回"}, [RPA_ACCEPT] = {"accept", "审阅通过"},
}, filters[RPF_COUNT] = {
    [RPF_ALL] = {"", "全部"}, [RPF_DUE] = {"due", "待报送（未到期限）"}, [RPF_MISSING] = {"missing", "逾期未报"},
    [RPF_LATE] = {"late", "逾期报送"}, [RPF_SUBMITTED] = {"submitted", "已报送待审阅"},
    [RPF_RETURNED] = {"returned", "已退回待重报"}, [RPF_ACCEPTED] = {"accepted", "已通过"},
};

static int find(const name_label *v, int n, const char *name)
{
    for (int i = 0; name && i < n; i++)
        if (!strcmp(name, v[i].name)) return i;
    return -1;
}

const char *report_kind_name(report_kind k) { return (unsigned)k < RPK_COUNT ? kinds[k].name : ""; }
const char *report_kind_label(report_kind k) { return (unsigned)k < RPK_COUNT ? kinds[k].label : ""; }
int report_kind_from_name(const char *n) { return find(kinds, RPK_COUNT, n); }
const char *report_status_name(report_status s) { return (unsigned)s < RPS_COUNT ? statuses[s].name : ""; }
const char *report_status_label(report_status s) { return (unsigned)s < RPS_COUNT ? statuses[s].label : ""; }
int report_status_from_name(const char *n) { return find(statuses, RPS_COUNT, n); }
const char *report_action_name(report_action a) { return (unsigned)a < RPA_COUNT ? actions[a].name : ""; }
const char *report_action_label(report_action a) { return (unsigned)a < RPA_COUNT ? actions[a].label : ""; }
const char *report_filter_name(report_filter f) { return (unsigned)f < RPF_COUNT ? filters[f].name : ""; }
const char *report_filter_label(report_filter f) { return (unsigned)f < RPF_COUNT ? filters[f].label : ""; }
int report_filter_from_name(const char *n) { return !n || !*n ? RPF_ALL : find(filters, RPF_COUNT, n); }

/* Who may take an action in a state (the diagram of report.h); left out: nobody. */
static const struct {
    unsigned char by, next;
} lifecycle[RPS_COUNT][RPA_COUNT] = {
    [RPS_DUE] = {[RPA_SAVE] = {RPR_WRITER, RPS_DUE}, [RPA_SUBMIT] = {RPR_WRITER, RPS_SUBMITTED}},
    [RPS_RETURNED] = {[RPA_SAVE] = {RPR_WRITER, RPS_RETURNED}, [RPA_SUBMIT] = {RPR_WRITER, RPS_SUBMITTED}},
    [RPS_SUBMITTED] = {[RPA_RETURN] = {RPR_JUDGE, RPS_RETURNED}, [RPA_ACCEPT] = {RPR_JUDGE, RPS_ACCEPTED}},
};

int report_decide(report_status from, report_action action, int relation, report_status *next, cx_err *e)
{
    if ((unsigned)from >= RPS_COUNT || (unsigned)action >= RPA_COUNT)
        return cx_fail(e, 409, "invalid_transition", "", "汇报的状态或操作无效");
    int by = lifecycle[from][action].by;
    if (!by)
        return cx_fail(e, 409, "invalid_transition", "", "汇报当前为“%s”状态，不能%s", statuses[from].label, actions[action].label);
    if (!(relation & by))
        return cx_fail(e, 403, "not_allowed", "",
                       by == RPR_WRITER ? "只有本组织书记或上级活动办公室可以撰写、报送汇报"
                                        : "只有上级党组织书记或活动办公室（不超出制定汇报安排的组织）可以审阅汇报");
    if (next) *next = (report_status)lifecycle[from][action].next;
    return CX_OK;
}

/* ---- a schedule ---- */

static bool blank(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    text_span(&s, &n);
    return n == 0;
}

/* A comma-separated list of codes valid by ok, cleaned (no blanks, no spaces) into out. */
static int code_list(const char *in, int (*ok)(const char *), const char *field, const char *code, const char *msg, char *out,
                     size_t cap, cx_err *e)
{
    out[0] = 0;
    char *t = xstrdup(in ? in : ""), *save = NULL;
    int rc = CX_OK;
    for (char *p = strtok_r(t, ", ，", &save); p; p = strtok_r(NULL, ", ，", &save)) {
        if (!ok(p) || strlen(out) + strlen(p) + 2 > cap) {
            rc = cx_fail(e, 400, code, field, "%s：%.40s", msg, p);
            break;
        }
        char seen[300];
        snprintf(seen, sizeof seen, ",%s,", out);
        char item[64];
        snprintf(item, sizeof item, ",%.60s,", p);
        if (strstr(seen, item)) continue; /* each code once */
        if (out[0]) strcat(out, ",");
        strcat(out, p);
    }
    free(t);
    return rc;
}

static int outline_parse(const char *in, report_schedule_ok *out, cx_err *e)
{
    cJSON *arr = cJSON_CreateArray();
    const char *s = in ? in : "";
    while (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t') s++;
    cJSON *src = NULL;
    if (*s == '[') {
        src = cJSON_Parse(s);
        if (!cJSON_IsArray(src)) {
            cJSON_Delete(src), cJSON_Delete(arr);
            return cx_fail(e, 400, "invalid_outline", "outline", "汇报提纲应为各节标题的列表（JSON 数组，或每行一个标题）");
        }
    } else { /* one title a line */
        src = cJSON_CreateArray();
        char *t = xstrdup(s), *save = NULL;
        for (char *p = strtok_r(t, "\r\n", &save); p; p = strtok_r(NULL, "\r\n", &save)) cJSON_AddItemToArray(src, cJSON_CreateString(p));
        free(t);
    }
    int n = 0, rc = CX_OK;
    const cJSON *it;
    cJSON_ArrayForEach(it, src)
    {
        if (!cJSON_IsString(it)) {
            rc = cx_fail(e, 400, "invalid_outline", "outline", "汇报提纲的每一项应为一节的标题（文本）");
            break;
        }
        if (blank(it->valuestring)) continue;
        char title[4 * REPORT_SECTION_TITLE_MAX + 1];
        text_rule r = {"outline", "提纲标题", 1, REPORT_SECTION_TITLE_MAX, true};
        if (text_check(&r, it->valuestring, title, sizeof title, e) != CX_OK) {
            if (e && !strcmp(e->code, "too_long"))
                cx_fail(e, 400, "section_title_too_long", "outline", "提纲第 %d 节的标题超过 %d 个字", n + 1, REPORT_SECTION_TITLE_MAX);
            rc = CX_ERR;
            break;
        }
        if (++n > REPORT_OUTLINE_MAX) {
            rc = cx_fail(e, 400, "too_many_sections", "outline", "汇报提纲最多 %d 节", REPORT_OUTLINE_MAX);
            break;
        }
        cJSON_AddItemToArray(arr, cJSON_CreateString(title));
    }
    cJSON_Delete(src);
    if (rc == CX_OK) out->outline = cJSON_PrintUnformatted(arr), out->noutline = n;
    cJSON_Delete(arr);
    return rc;
}

int report_schedule_check(const report_schedule_in *in, report_schedule_ok *out, cx_err *e)
{
    static const report_schedule_in none;
    if (!in) in = &none;
    memset(out, 0, sizeof *out);
    int k = report_kind_from_name(in->kind);
    if (k < 0)
        return cx_fail(e, 400, "invalid_kind", "kind",
                       "汇报类别应为 quarterly（季度检查）、half_year（半年小结）、year_end（年终总结）、duty（述职）、self_comment（自我讲评）或 custom（其他）之一");
    out->kind = (report_kind)k;
    text_rule tr = {"title", "汇报名称", k == RPK_CUSTOM ? 1 : 0, REPORT_TITLE_MAX, true};
    if (text_check(&tr, in->title, out->title, sizeof out->title, e) != CX_OK) return CX_ERR;
    if (code_list(in->for_types, org_type_valid, "for_types", "invalid_type", "组织类型应为 committee、general_branch、branch", out->for_types,
                  sizeof out->for_types, e) != CX_OK ||
        code_list(in->for_sectors, org_sector_valid, "for_sectors", "invalid_sector", "组织所属领域不正确", out->for_sectors,
                  sizeof out->for_sectors, e) != CX_OK)
        return CX_ERR;
    if (blank(in->period_start)) return cx_fail(e, 400, "required", "period_start", "汇报期间的开始日期不能为空");
    if (date_parse(in->period_start, false, "period_start", "汇报期间的开始日期", out->period_start, e) != CX_OK) return CX_ERR;
    if (blank(in->period_end)) return cx_fail(e, 400, "required", "period_end", "汇报期间的结束日期不能为空");
    if (date_parse(in->period_end, false, "period_end", "汇报期间的结束日期", out->period_end, e) != CX_OK) return CX_ERR;
    if (date_cmp(out->period_end, out->period_start) < 0)
        return cx_fail(e, 400, "invalid_period", "period_end", "汇报期间的结束日期 %s 早于开始日期 %s", out->period_end, out->period_start);
    if (day_number(out->period_end) - day_number(out->period_start) > 731)
        return cx_fail(e, 400, "period_too_long", "period_end", "汇报期间最长两年");
    bool has_date = !blank(in->due_date), has_days = !blank(in->due_workdays) && strcmp(in->due_workdays, "0");
    if (has_date == has_days)
        return cx_fail(e, 400, "due_required", "due_date", "报送期限应填写一个日期，或填写期间结束后的工作日数，二者选一");
    if (has_days) {
        int64_t n;
        if (str_to_i64(in->due_workdays, &n) != CX_OK || n < 1 || n > REPORT_DUE_WORKDAYS_MAX)
            return cx_fail(e, 400, "invalid_due_workdays", "due_workdays", "报送期限的工作日数应为 1–%d 的整数", REPORT_DUE_WORKDAYS_MAX);
        out->due_workdays = (int)n;
    } else {
        if (date_parse(in->due_date, false, "due_date", "报送期限", out->due_date, e) != CX_OK) return CX_ERR;
        if (date_cmp(out->due_date, out->period_end) < 0)
            return cx_fail(e, 400, "due_before_period_end", "due_date", "报送期限 %s 早于汇报期间的结束日期 %s", out->due_date, out->period_end);
        if (day_number(out->due_date) - day_number(out->period_end) > 366)
            return cx_fail(e, 400, "date_too_far", "due_date", "报送期限应在汇报期间结束后一年内");
    }
    if (outline_parse(in->outline, out, e) != CX_OK) return CX_ERR;
    if (!out->title[0])
        snprintf(out->title, sizeof out->title, "%s（%s至%s）", kinds[k].label, out->period_start, out->period_end);
    return CX_OK;
}

void report_schedule_ok_free(report_schedule_ok *s)
{
    free(s->outline);
    s->outline = NULL;
}

int report_schedule_due(report_schedule_ok *s, const workday_cal *cal)
{
    if (s->due_workdays <= 0) return CX_OK;
    return workday_add(cal, s->period_end, s->due_workdays, s->due_date);
}

/* ---- sections ---- */

int report_outline_count(const char *outline_json)
{
    cJSON *a = cJSON_Parse(outline_json ? outline_json : "[]");
    int n = cJSON_IsArray(a) ? cJSON_GetArraySize(a) : 0;
    cJSON_Delete(a);
    return n > 0 ? n : 1;
}

void report_outline_title(const char *outline_json, int i, char *out, size_t cap)
{
    cJSON *a = cJSON_Parse(outline_json ? outline_json : "[]");
    const cJSON *t = cJSON_IsArray(a) ? cJSON_GetArrayItem(a, i) : NULL;
    snprintf(out, cap, "%s", cJSON_IsString(t) ? t->valuestring : "正文");
    cJSON_Delete(a);
}

int report_sections_check(const char *outline_json, const char *const *texts, int n, bool submit, char **draft, cx_err *e)
{
    *draft = NULL;
    int count = report_outline_count(outline_json);
    if (n > count) return cx_fail(e, 400, "too_many_sections", "sections", "汇报共 %d 节，提交的内容有 %d 节", count, n);
    cJSON *arr = cJSON_CreateArray();
    int rc = CX_OK;
    for (int i = 0; i < count; i++) {
        char title[4 * REPORT_SECTION_TITLE_MAX + 1], label[4 * REPORT_SECTION_TITLE_MAX + 32];
        report_outline_title(outline_json, i, title, sizeof title);
        snprintf(label, sizeof label, "第 %d 节“%s”", i + 1, title);
        text_rule r = {"sections", label, 0, REPORT_SECTION_MAX, false};
        char *t = text_dup(&r, i < n ? texts[i] : NULL, e);
        if (!t) {
            rc = CX_ERR;
            break;
        }
        if (submit && !*t) {
            free(t);
            rc = cx_fail(e, 400, "section_required", "sections", "%s还没有填写，填写后才能报送", label);
            break;
        }
        cJSON_AddItemToArray(arr, cJSON_CreateString(t));
        free(t);
    }
    if (rc == CX_OK) *draft = cJSON_PrintUnformatted(arr);
    cJSON_Delete(arr);
    return rc;
}

char *report_sections_json(const char *outline_json, const char *draft_json)
{
    cJSON *d = cJSON_Parse(draft_json ? draft_json : "[]"), *out = cJSON_CreateArray();
    int count = report_outline_count(outline_json);
    for (int i = 0; i < count; i++) {
        char title[4 * REPORT_SECTION_TITLE_MAX + 1];
        report_outline_title(outline_json, i, title, sizeof title);
        const cJSON *t = cJSON_IsArray(d) ? cJSON_GetArrayItem(d, i) : NULL;
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "title", title);
        cJSON_AddStringToObject(x, "text", cJSON_IsString(t) ? t->valuestring : "");
        cJSON_AddItemToArray(out, x);
    }
    char *s = cJSON_PrintUnformatted(out);
    cJSON_Delete(out);
    cJSON_Delete(d);
    return s;
}

int report_comment_check(report_action a, const char *comment, char *out, size_t cap, cx_err *e)
{
    text_rule r = {"comment", a == RPA_RETURN ? "退回意见" : "审阅意见", a == RPA_RETURN ? 1 : 0, REPORT_COMMENT_MAX, false};
    return text_check(&r, comment, out, cap, e);
}

/* ---- lateness ---- */

int report_late_workdays(const workday_cal *cal, const char *due_date, const char *submitted_on)
{
    if (!submitted_on || !*submitted_on || date_cmp(submitted_on, due_date) <= 0) return 0;
    int64_t n = workday_count(cal, due_date, submitted_on);
    return n < 1 ? 1 : (int)n;
}

const char *report_state(report_status s, const char *first_submitted_on, const char *due_date, const char *today)
{
    if (s == RPS_DUE && (!first_submitted_on || !*first_submitted_on) && date_cmp(due_date, today) < 0) return "missing";
    return report_status_name(s);
}
