/* rect.c: the rectification lifecycle table, names and labels, relations and input checks. */
#include "rect.h"
#include "text.h"
#include "date.h"
#include "workday.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name, *label;
} status_names[RS_COUNT] = {
    [RS_OPEN] = {"open", "整改中"},
    [RS_SUBMITTED] = {"submitted", "待验收"},
    [RS_VERIFIED] = {"verified", "已销号"},
    [RS_CANCELLED] = {"cancelled", "已撤销"},
}, action_names[RA_COUNT] = {
    [RA_EVIDENCE] = {"evidence", "上传佐证材料"},
    [RA_SUBMIT] = {"submit", "提交整改情况"},
    [RA_VERIFY] = {"verify", "销号"},
    [RA_REOPEN] = {"reopen", "退回重新整改"},
    [RA_CANCEL] = {"cancel", "撤销"},
};

static const struct {
    const char *name, *label, *kind;
} sources[RSRC_COUNT] = {
    [RSRC_SELF_REVIEW] = {"self_review", "自评发现", "review"},
    [RSRC_COMMENTARY] = {"commentary", "领导点评", "commentary"},
    [RSRC_PUBLIC_RATING] = {"public_rating", "群众评议", "review_round"},
    [RSRC_FEEDBACK] = {"feedback", "群众意见建议", "feedback"},
    [RSRC_INSPECTION] = {"inspection", "督查检查", "inspection"},
    [RSRC_GRADE] = {"grade", "评定不合格限期改正", "grade"},
    [RSRC_MANUAL] = {"manual", "手工录入", ""},
};

/* Who may take an action in a state; BY_VERIFIER excludes someone also responsible for the item. */
enum { BY_NOBODY = 0, BY_RESPONSIBLE, BY_VERIFIER, BY_CREATOR };

/* The diagram of rect.h as a table; cells left out are BY_NOBODY. */
static const struct {
    unsigned char by, next;
} lifecycle[RS_COUNT][RA_COUNT] = {
    [RS_OPEN] = {[RA_EVIDENCE] = {BY_RESPONSIBLE, RS_OPEN},
                 [RA_SUBMIT] = {BY_RESPONSIBLE, RS_SUBMITTED},
                 [RA_CANCEL] = {BY_CREATOR, RS_CANCELLED}},
    [RS_SUBMITTED] = {[RA_VERIFY] = {BY_VERIFIER, RS_VERIFIED}, [RA_REOPEN] = {BY_VERIFIER, RS_OPEN}},
};

static const char *const refused_msg[RA_COUNT] = {
    [RA_EVIDENCE] = "只有责任组织的书记或本级活动办公室可以上传整改佐证材料",
    [RA_SUBMIT] = "只有责任组织的书记或本级活动办公室可以提交整改情况",
    [RA_VERIFY] = "只有责任组织的上级党组织书记或活动办公室可以销号",
    [RA_REOPEN] = "只有责任组织的上级党组织书记或活动办公室可以退回重新整改",
    [RA_CANCEL] = "只有创建该整改事项的人可以撤销",
};
static const char *const own_msg[RA_COUNT] = {
    [RA_VERIFY] = "不能为本组织的整改事项销号，应由上级党组织书记或活动办公室验收销号",
    [RA_REOPEN] = "不能退回本组织的整改事项，应由上级党组织书记或活动办公室验收",
};

const char *rect_status_name(rect_status s) { return (unsigned)s < RS_COUNT ? status_names[s].name : ""; }
const char *rect_status_label(rect_status s) { return (unsigned)s < RS_COUNT ? status_names[s].label : ""; }
const char *rect_action_name(rect_action a) { return (unsigned)a < RA_COUNT ? action_names[a].name : ""; }
const char *rect_action_label(rect_action a) { return (unsigned)a < RA_COUNT ? action_names[a].label : ""; }
const char *rect_source_name(rect_source s) { return (unsigned)s < RSRC_COUNT ? sources[s].name : ""; }
const char *rect_source_label(rect_source s) { return (unsigned)s < RSRC_COUNT ? sources[s].label : ""; }
const char *rect_source_kind(rect_source s) { return (unsigned)s < RSRC_COUNT ? sources[s].kind : ""; }

int rect_status_from_name(const char *name)
{
    for (int i = 0; name && i < RS_COUNT; i++)
        if (!strcmp(name, status_names[i].name)) return i;
    return -1;
}

int rect_action_from_name(const char *name)
{
    for (int i = 0; name && i < RA_COUNT; i++)
        if (!strcmp(name, action_names[i].name)) return i;
    return -1;
}

int rect_source_from_name(const char *name)
{
    for (int i = 0; name && i < RSRC_COUNT; i++)
        if (!strcmp(name, sources[i].name)) return i;
    return -1;
}

int rect_relation(const principal *p, const char *org_path, int64_t created_by)
{
    int rel = RR_NONE;
    if (!p || !org_path) return rel;
    for (int i = 0; i < p->ngrants; i++) {
        const grant *g = &p->grants[i];
        if ((g->role & (ROLE_ADMIN)) && path_in_subtree(org_path, g->path))
            rel |= strcmp(org_path, g->path) == 0 ? RR_RESPONSIBLE : RR_VERIFIER;
    }
    /* the creator while they still hold a role over the item; the system's items: an office over it */
    if (created_by ? p->user_id == created_by && rel != RR_NONE : perm_allows(p, ROLE_OFFICE, org_path)) rel |= RR_CREATOR;
    return rel;
}

int rect_decide(rect_status from, rect_action action, int relation, rect_status *next, cx_err *e)
{
    if ((unsigned)from >= RS_COUNT || (unsigned)action >= RA_COUNT)
        return cx_fail(e, 409, "invalid_transition", "", "整改事项的状态或操作无效");
    int by = lifecycle[from][action].by;
    if (by == BY_NOBODY)
        return cx_fail(e, 409, "invalid_transition", "", "整改事项当前为“%s”状态，不能进行“%s”", status_names[from].label,
                       action_names[action].label);
    bool resp = relation & RR_RESPONSIBLE, ver = relation & RR_VERIFIER;
    bool ok = by == BY_RESPONSIBLE ? resp : by == BY_VERIFIER ? ver && !resp : (relation & RR_CREATOR) != 0;
    if (!ok) return cx_fail(e, 403, "not_allowed", "", "%s", by == BY_VERIFIER && resp && ver ? own_msg[action] : refused_msg[action]);
    if (next) *next = (rect_status)lifecycle[from][action].next;
    return CX_OK;
}

/* ---- input checks ---- */

/* The texts of a rectification item, by the one rule for text fields (domain/text.h). */
static const text_rule T_PROBLEM = {"problem", "存在问题", 1, RECT_TEXT_MAX, false}, T_MEASURE = {"measure", "整改措施", 1, RECT_TEXT_MAX, false},
                       T_OWNER = {"owner", "责任人", 1, RECT_OWNER_MAX, true}, T_NOTE = {"note", "整改完成情况", 1, RECT_TEXT_MAX, false},
                       T_WHY = {"no_evidence_reason", "无佐证材料的说明", 0, RECT_REASON_MAX, false};

int rect_check_due(const char *due, const char *today, const char *field, char out[11], cx_err *e)
{
    char now[11], d[11], last[11];
    if (!today) date_today(now), today = now;
    if (out) out[0] = 0;
    char *t = xstrdup(due ? due : "");
    bool blank = !*str_trim(t);
    free(t);
    if (blank) return cx_fail(e, 400, "required", field, "完成时限不能为空");
    if (date_parse(due, false, field, "完成时限", d, e) != CX_OK) return CX_ERR;
    if (date_cmp(d, today) < 0) return cx_fail(e, 400, "date_in_past", field, "完成时限 %s 早于今天（%s）", d, today);
    day_string(day_number(today) + RECT_DUE_MAX_DAYS, last);
    if (date_cmp(d, last) > 0) return cx_fail(e, 400, "date_too_far", field, "完成时限 %s 太远，最晚为 %s（两年内）", d, last);
    if (out) memcpy(out, d, 11);
    return CX_OK;
}

int rect_validate(const rect_in *in, const char *today, char due_out[11], cx_err *errs, int maxerr)
{
    static const rect_in blank;
    if (!in) in = &blank;
    int n = 0;
#define SLOT (errs && n < maxerr ? &errs[n] : NULL)
    if (text_check(&T_PROBLEM, in->problem, NULL, 0, SLOT) != CX_OK) n++;
    if (text_check(&T_MEASURE, in->measure, NULL, 0, SLOT) != CX_OK) n++;
    if (text_check(&T_OWNER, in->owner, NULL, 0, SLOT) != CX_OK) n++;
    if (rect_check_due(in->due_date, today, "due_date", due_out, SLOT) != CX_OK) n++;
#undef SLOT
    return n;
}

/* A record kind: lower-case ASCII letters and underscores, 1..31 of them. */
static bool kind_valid(const char *k)
{
    size_t n = strlen(k);
    return n >= 1 && n < 32 && strspn(k, "abcdefghijklmnopqrstuvwxyz_") == n;
}

int rect_new_check(const rect_new *in, const char *today, rect_new_ok *out, cx_err *e)
{
    static const rect_new none;
    if (!in) in = &none;
    memset(out, 0, sizeof *out);
    int src = rect_source_from_name(in->source);
    if (src < 0)
        return cx_fail(e, 400, "invalid_source", "source",
                       "整改来源应为 self_review（自评发现）、commentary（领导点评）、public_rating（群众评议）、feedback（群众意见建议）、"
                       "inspection（督查检查）、grade（评定不合格限期改正）或 manual（手工录入）之一");
    /* the source record is referred to by kind and id, or not at all */
    const char *kind = in->source_id <= 0 ? "" : in->source_kind && *in->source_kind ? in->source_kind : rect_source_kind((rect_source)src);
    if (in->source_id < 0) return cx_fail(e, 400, "invalid_source_id", "source_id", "来源记录编号应为正整数");
    if (in->source_id > 0 && !kind_valid(kind))
        return cx_fail(e, 400, "invalid_source_kind", "source_kind", "来源记录类别应为小写英文字母和下划线（1–31 个），如 grade、feedback");
    if (rect_validate(&in->in, today, out->due_date, e, 1) != 0) return CX_ERR;
    out->source = (rect_source)src;
    snprintf(out->source_kind, sizeof out->source_kind, "%s", kind);
    out->source_id = in->source_id;
    out->member_id = in->member_id;
    text_copy(out->problem, sizeof out->problem, in->in.problem);
    text_copy(out->measure, sizeof out->measure, in->in.measure);
    text_copy(out->owner, sizeof out->owner, in->in.owner);
    return CX_OK;
}

int rect_check_reason(const char *s, const char *field, const char *label, char *out, size_t cap, cx_err *e)
{
    text_rule r = {field, label, 1, RECT_REASON_MAX, false};
    return text_check(&r, s, out, cap, e);
}

/* The texts of a submission: the completion note, the reason there is no evidence. */
static int submit_texts(const char *note, const char *why, char *note_out, size_t note_cap, char *why_out, size_t why_cap, cx_err *e)
{
    return text_check(&T_NOTE, note, note_out, note_cap, e) != CX_OK || text_check(&T_WHY, why, why_out, why_cap, e) != CX_OK ? CX_ERR : CX_OK;
}

int rect_check_submit(const char *note, int nevidence, const char *why, char *note_out, size_t note_cap, char *why_out,
                      size_t why_cap, cx_err *e)
{
    if (submit_texts(note, why, note_out, note_cap, why_out, why_cap, e) != CX_OK) return CX_ERR;
    return rect_check_evidence(nevidence, why_out, e);
}

int rect_check_evidence(int nevidence, char *why, cx_err *e)
{
    if (nevidence > 0) why[0] = 0;
    else if (!why[0])
        return cx_fail(e, 400, "evidence_required", "no_evidence_reason", "请先上传整改佐证材料（照片、PDF），或说明没有佐证材料的原因");
    return CX_OK;
}

/* Nothing but white space (as text_span sees it), or NULL. */
static bool is_blank(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    text_span(&s, &n);
    return n == 0;
}

int rect_act_check(rect_action action, const rect_extra *in, const char *today, rect_act_ok *out, cx_err *e)
{
    static const rect_extra none;
    if (!in) in = &none;
    memset(out, 0, sizeof *out);
    out->action = action;
    switch (action) {
    case RA_SUBMIT: /* the texts now; whether evidence exists once the item is loaded */
        return submit_texts(in->note, in->no_evidence_reason, out->note, sizeof out->note, out->why, sizeof out->why, e);
    case RA_VERIFY:
        return is_blank(in->note) ? CX_OK : rect_check_reason(in->note, "note", "销号意见", out->note, sizeof out->note, e);
    case RA_REOPEN:
        if (rect_check_reason(in->reason, "reason", "退回理由", out->reason, sizeof out->reason, e) != CX_OK) return CX_ERR;
        return is_blank(in->due_date) ? CX_OK : rect_check_due(in->due_date, today, "due_date", out->due, e);
    case RA_CANCEL: return rect_check_reason(in->reason, "reason", "撤销理由", out->reason, sizeof out->reason, e);
    default: return cx_fail(e, 400, "invalid_action", "action", "不支持的操作");
    }
}

/* Whether s is a real date in the stored form "YYYY-MM-DD". */
static bool stored_date(const char *s)
{
    char d[11];
    return s && strlen(s) == 10 && date_parse(s, false, NULL, NULL, d, NULL) == CX_OK && !strcmp(d, s);
}

bool rect_overdue(rect_status s, const char *due_date, const char *today)
{
    return rect_days_overdue(s, due_date, today) > 0;
}

int64_t rect_days_overdue(rect_status s, const char *due_date, const char *today)
{
    char now[11];
    if (!today) date_today(now), today = now;
    if ((s != RS_OPEN && s != RS_SUBMITTED) || !stored_date(due_date) || !stored_date(today)) return 0;
    int64_t d = day_number(today) - day_number(due_date);
    return d > 0 ? d : 0;
}
