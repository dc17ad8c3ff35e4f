/* ledger.c: kinds of ledger entry and the checks of an entry (see ledger.h). */
#include "ledger.h"
#include "date.h"
#include "text.h"
#include <stdio.h>
#include <string.h>

static const char *const names[LK_COUNT] = {"visit", "help", "pairing", "research", "forum"};
static const char *const labels[LK_COUNT] = {"走访", "帮办实事", "结对帮扶", "调研报告", "座谈会"};
static const char *const people_labels[LK_COUNT] = {"走访人次", "受益人数", "帮扶人数", "调研人数", "参加人数"};

const char *ledger_kind_name(ledger_kind k) { return k >= 0 && k < LK_COUNT ? names[k] : ""; }
const char *ledger_kind_label(ledger_kind k) { return k >= 0 && k < LK_COUNT ? labels[k] : ""; }
const char *ledger_people_label(ledger_kind k) { return k >= 0 && k < LK_COUNT ? people_labels[k] : ""; }

int ledger_kind_from_name(const char *name)
{
    for (int i = 0; name && i < LK_COUNT; i++)
        if (!strcmp(name, names[i])) return i;
    return -1;
}

/* A count as typed: blank is 0; otherwise digits only, at most LEDGER_PEOPLE_MAX. */
static int people_parse(const char *s, int64_t *v)
{
    *v = 0;
    if (!s || !*s) return CX_OK;
    size_t n = strlen(s);
    if (n > 6 || strspn(s, "0123456789") != n) return CX_ERR;
    for (size_t i = 0; i < n; i++) *v = *v * 10 + (s[i] - '0');
    return *v <= LEDGER_PEOPLE_MAX ? CX_OK : CX_ERR;
}

int ledger_check(const ledger_in *in, const char *today, ledger_ok *out, cx_err *e)
{
    memset(out, 0, sizeof *out);
    int k = ledger_kind_from_name(in->kind);
    if (k < 0) return cx_fail(e, 400, "invalid_kind", "kind", "台账类别应为 visit（走访）、help（帮办实事）、pairing（结对帮扶）、research（调研报告）或 forum（座谈会）");
    out->kind = (ledger_kind)k;
    char now[11];
    if (!today) date_today(now), today = now;
    if (!in->entry_date || !*in->entry_date) return cx_fail(e, 400, "required", "entry_date", "请填写日期");
    if (date_parse(in->entry_date, false, "entry_date", "日期", out->entry_date, e) != CX_OK) return CX_ERR;
    if (date_cmp(out->entry_date, today) > 0) return cx_fail(e, 400, "future_date", "entry_date", "日期（%s）不能晚于今天", out->entry_date);
    text_rule t = {"title", k == LK_RESEARCH ? "调研报告题目" : "标题", 1, LEDGER_TITLE_MAX, true};
    if (text_check(&t, in->title, out->title, sizeof out->title, e) != CX_OK) return CX_ERR;
    text_rule b = {"body", "内容", 0, LEDGER_BODY_MAX, false};
    if (text_check(&b, in->body, out->body, sizeof out->body, e) != CX_OK) return CX_ERR;
    text_rule h = {"household", "结对帮扶的户", k == LK_PAIRING ? 1 : 0, LEDGER_HOUSEHOLD_MAX, true};
    if (text_check(&h, k == LK_PAIRING ? in->household : "", out->household, sizeof out->household, e) != CX_OK) return CX_ERR;
    if (k != LK_FORUM) {
        if (people_parse(in->people, &out->people) != CX_OK)
            return cx_fail(e, 422, "invalid_people", "people", "人数应为 0 到 %d 之间的整数", LEDGER_PEOPLE_MAX);
        return CX_OK;
    }
    if (in->nparts > LEDGER_PARTS_MAX) return cx_fail(e, 422, "too_many_parts", "participants", "参加人员的类别至多 %d 个", LEDGER_PARTS_MAX);
    for (int i = 0; i < in->nparts; i++) {
        const ledger_part *p = &in->parts[i];
        if (p->category_id <= 0) return cx_fail(e, 422, "invalid_category", "participants", "参加人员的类别应为类别编号");
        if (p->people < 0 || p->people > LEDGER_PEOPLE_MAX)
            return cx_fail(e, 422, "invalid_people", "participants", "每类参加人数应为 0 到 %d 之间的整数", LEDGER_PEOPLE_MAX);
        for (int j = 0; j < out->nparts; j++)
            if (out->parts[j].category_id == p->category_id) return cx_fail(e, 422, "invalid_category", "participants", "同一类参加人员只能填写一次");
        if (!p->people) continue;
        out->parts[out->nparts++] = *p;
        out->people += p->people;
    }
    if (!out->people) return cx_fail(e, 422, "no_participants", "participants", "请按类别填写座谈会的参加人数（至少一人）");
    return CX_OK;
}

int ledger_category_check(const char *name, char out[4 * LEDGER_CATEGORY_MAX + 1], cx_err *e)
{
    text_rule t = {"name", "类别名称", 1, LEDGER_CATEGORY_MAX, true};
    return text_check(&t, name, out, 4 * LEDGER_CATEGORY_MAX + 1, e);
}
