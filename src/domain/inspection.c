/* inspection.c: inspections (督查): kinds, status and the checks of plans and findings (see inspection.h). */
#include "inspection.h"
#include "date.h"
#include "org.h"
#include "text.h"
#include <stdio.h>
#include <string.h>

static const char *const kinds[IK_COUNT][2] = {
    [IK_FORUM] = {"forum", "座谈会"}, [IK_REGULAR] = {"regular", "经常性督查"},
    [IK_RANDOM] = {"random", "随机抽查"}, [IK_SPECIAL] = {"special", "专项督查"}};
static const char *const statuses[IS_COUNT][2] = {
    [IS_PLANNED] = {"planned", "计划中"}, [IS_RUNNING] = {"running", "进行中"}, [IS_CLOSED] = {"closed", "已结束"}};
static const char *const actions[IA_COUNT] = {[IA_START] = "开始督查", [IA_CLOSE] = "结束督查", [IA_DRAW] = "随机抽取",
                                              [IA_FINDING] = "记录发现的情况"};

const char *insp_kind_name(insp_kind k) { return k >= 0 && k < IK_COUNT ? kinds[k][0] : ""; }
const char *insp_kind_label(insp_kind k) { return k >= 0 && k < IK_COUNT ? kinds[k][1] : ""; }
const char *insp_status_name(insp_status s) { return s >= 0 && s < IS_COUNT ? statuses[s][0] : ""; }
const char *insp_status_label(insp_status s) { return s >= 0 && s < IS_COUNT ? statuses[s][1] : ""; }

int insp_kind_from_name(const char *name)
{
    for (int i = 0; name && i < IK_COUNT; i++)
        if (!strcmp(name, kinds[i][0])) return i;
    return -1;
}

int insp_status_from_name(const char *name)
{
    for (int i = 0; name && i < IS_COUNT; i++)
        if (!strcmp(name, statuses[i][0])) return i;
    return -1;
}

int insp_decide(insp_status from, insp_action action, insp_kind kind, bool drawn, insp_status *next, cx_err *e)
{
    insp_status to = from;
    bool ok;
    switch (action) {
    case IA_START: ok = from == IS_PLANNED, to = IS_RUNNING; break;
    case IA_CLOSE: ok = from == IS_RUNNING, to = IS_CLOSED; break;
    case IA_DRAW:
        if (kind != IK_RANDOM) return cx_fail(e, 422, "not_random", "kind", "只有随机抽查才能随机抽取督查对象");
        if (drawn) return cx_fail(e, 409, "already_drawn", "id", "本次抽查已经抽取过，每次抽查只能抽取一次");
        ok = from != IS_CLOSED;
        break;
    case IA_FINDING: ok = from == IS_RUNNING; break;
    default: return cx_fail(e, 400, "invalid_action", "action", "不支持的操作");
    }
    if (!ok)
        return cx_fail(e, 409, "invalid_transition", "status", "督查当前为“%s”状态，不能%s", insp_status_label(from), actions[action]);
    if (next) *next = to;
    return CX_OK;
}

bool insp_csv_has(const char *csv, const char *code)
{
    if (!csv || !*csv) return true;
    size_t n = strlen(code);
    for (const char *p = csv; *p;) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        if (len == n && !strncmp(p, code, n)) return true;
        if (!c) break;
        p = c + 1;
    }
    return false;
}

/* A comma-separated list of codes (、，and spaces count as commas) each passing valid, into out. */
static int codes_check(const char *in, int (*valid)(const char *), const char *code, const char *field, const char *label, char *out, size_t cap, cx_err *e)
{
    out[0] = 0;
    char tok[64];
    size_t used = 0;
    for (const char *p = in ? in : ""; *p;) {
        size_t skip = strspn(p, ", \t\r\n");
        if (!strncmp(p, "、", 3) || !strncmp(p, "，", 3)) skip = 3;
        if (skip) {
            p += skip;
            continue;
        }
        size_t len = strcspn(p, ", \t\r\n\xe3\xef");
        if (!len) len = 1;
        if (len >= sizeof tok || (snprintf(tok, sizeof tok, "%.*s", (int)len, p), !valid(tok)))
            return cx_fail(e, 400, code, field, "%s中有不认识的代码：%.*s", label, (int)(len > 40 ? 40 : len), p);
        if (!insp_csv_has(out, tok) || !out[0]) {
            if (used + len + 2 > cap) return cx_fail(e, 400, "too_long", field, "%s太长", label);
            used += (size_t)snprintf(out + used, cap - used, "%s%s", used ? "," : "", tok);
        }
        p += len;
    }
    return CX_OK;
}

static const text_rule T_TITLE = {"title", "督查名称", 1, INSP_TITLE_MAX, true};
static const text_rule T_ITEM = {"items", "检查项目", 1, INSP_ITEM_MAX, true};

int insp_check(const insp_in *in, insp_ok *out, cx_err *e)
{
    memset(out, 0, sizeof *out);
    int k = insp_kind_from_name(in->kind);
    if (k < 0) return cx_fail(e, 400, "invalid_kind", "kind", "督查方式应为 forum（座谈会）、regular（经常性督查）、random（随机抽查）或 special（专项督查）");
    out->kind = (insp_kind)k;
    if (text_check(&T_TITLE, in->title, out->title, sizeof out->title, e) != CX_OK) return CX_ERR;
    if (!in->start_date || !*in->start_date) return cx_fail(e, 400, "required", "start_date", "请填写督查开始日期");
    if (date_parse(in->start_date, false, "start_date", "开始日期", out->start_date, e) != CX_OK) return CX_ERR;
    if (!in->end_date || !*in->end_date) return cx_fail(e, 400, "required", "end_date", "请填写督查结束日期");
    if (date_parse(in->end_date, false, "end_date", "结束日期", out->end_date, e) != CX_OK) return CX_ERR;
    int64_t days = day_number(out->end_date) - day_number(out->start_date);
    if (days < 0) return cx_fail(e, 400, "invalid_dates", "end_date", "结束日期（%s）不能早于开始日期（%s）", out->end_date, out->start_date);
    if (days >= INSP_DAYS_MAX) return cx_fail(e, 400, "invalid_dates", "end_date", "一次督查至多 %d 天", INSP_DAYS_MAX);
    if (out->kind == IK_RANDOM) {
        if (in->draw_of && *in->draw_of && strcmp(in->draw_of, "org") && strcmp(in->draw_of, "member"))
            return cx_fail(e, 422, "invalid_draw_of", "draw_of", "抽取对象（draw_of）应为 org（抽取党组织）或 member（抽取党员）");
        out->draw_members = in->draw_of && !strcmp(in->draw_of, "member");
        const char *what = out->draw_members ? "党员" : "组织";
        if (!in->draw_n || !*in->draw_n) return cx_fail(e, 400, "required", "draw_n", "请填写随机抽取的%s数", what);
        if (str_to_i64(in->draw_n, &out->draw_n) != CX_OK || out->draw_n < 1 || out->draw_n > INSP_DRAW_MAX)
            return cx_fail(e, 400, "invalid_draw_n", "draw_n", "抽取的%s数应为 1 至 %d 的整数", what, INSP_DRAW_MAX);
        if (codes_check(in->types, org_type_valid, "invalid_types", "types", "抽取范围的组织类别", out->types, sizeof out->types, e) != CX_OK) return CX_ERR;
        if (codes_check(in->sectors, org_sector_valid, "invalid_sectors", "sectors", "抽取范围的领域", out->sectors, sizeof out->sectors, e) != CX_OK)
            return CX_ERR;
    }
    for (const char *p = in->items ? in->items : ""; *p;) {
        size_t len = strcspn(p, "\r\n");
        char line[4 * INSP_ITEM_MAX * 2 + 8];
        if (len >= sizeof line) return cx_fail(e, 400, "item_too_long", "items", "每个检查项目至多 %d 个字", INSP_ITEM_MAX);
        snprintf(line, sizeof line, "%.*s", (int)len, p);
        p += len + strspn(p + len, "\r\n");
        char tmp[4 * INSP_ITEM_MAX + 1];
        cx_err e2;
        if (text_check(&T_ITEM, line, tmp, sizeof tmp, &e2) != CX_OK) {
            if (!strcmp(e2.code, "required")) continue; /* a blank line */
            return cx_fail(e, 400, "item_too_long", "items", "检查项目“%.60s”太长：每个检查项目至多 %d 个字", line, INSP_ITEM_MAX);
        }
        if (out->nitems >= INSP_ITEMS_MAX) return cx_fail(e, 400, "too_many_items", "items", "检查项目至多 %d 个", INSP_ITEMS_MAX);
        memcpy(out->items[out->nitems++], tmp, sizeof tmp);
    }
    return CX_OK;
}

int finding_check(const finding_in *in, const char *today, finding_ok *out, cx_err *e)
{
    memset(out, 0, sizeof *out);
    if (!in->level || (strcmp(in->level, "ok") && strcmp(in->level, "problem")))
        return cx_fail(e, 400, "invalid_level", "level", "检查结果应为 ok（符合要求）或 problem（存在问题）");
    out->problem = !strcmp(in->level, "problem");
    text_rule t = {"text", out->problem ? "存在的问题" : "情况说明", out->problem ? 1 : 0, INSP_FINDING_MAX, false};
    if (text_check(&t, in->text, out->text, sizeof out->text, e) != CX_OK) return CX_ERR;
    char now[11];
    if (!today) date_today(now), today = now;
    if (!in->found_on || !*in->found_on) snprintf(out->found_on, sizeof out->found_on, "%s", today);
    else if (date_parse(in->found_on, false, "found_on", "发现日期", out->found_on, e) != CX_OK) return CX_ERR;
    if (date_cmp(out->found_on, today) > 0) return cx_fail(e, 400, "future_date", "found_on", "发现日期（%s）不能晚于今天", out->found_on);
    return CX_OK;
}
