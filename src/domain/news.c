/* news.c: news items, cases and consultations: names, labels and the checks of what is typed (news.h). */
#include "news.h"
#include "date.h"
#include "text.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const kinds[NK_COUNT][2] = {{"news", "简报信息"}, {"case", "典型"}};
static const char *const states[NS_COUNT][2] = {{"submitted", "已报送"}, {"adopted", "已采用"}, {"declined", "未采用"}, {"published", "已发布"}};

const char *news_kind_name(int k) { return k >= 0 && k < NK_COUNT ? kinds[k][0] : ""; }
const char *news_kind_label(int k) { return k >= 0 && k < NK_COUNT ? kinds[k][1] : ""; }
const char *news_status_name(int s) { return s >= 0 && s < NS_COUNT ? states[s][0] : ""; }
const char *news_status_label(int s) { return s >= 0 && s < NS_COUNT ? states[s][1] : ""; }

int news_kind_from_name(const char *s)
{
    for (int k = 0; s && k < NK_COUNT; k++)
        if (!strcmp(s, kinds[k][0])) return k;
    return -1;
}

int news_status_from_name(const char *s)
{
    for (int k = 0; s && k < NS_COUNT; k++)
        if (!strcmp(s, states[k][0])) return k;
    return -1;
}

static const text_rule T_TITLE = {"title", "标题", 1, NEWS_TITLE_MAX, true}, T_BODY = {"body", "正文", 1, NEWS_BODY_MAX, false};

int news_check(const char *kind, const char *title, const char *body, news_ok *out, cx_err *e)
{
    memset(out, 0, sizeof *out);
    int k = news_kind_from_name(kind);
    if (k < 0) return cx_fail(e, 422, "invalid_kind", "kind", "类别应为 news（简报信息）或 case（典型）");
    out->kind = (news_kind)k;
    if (text_check(&T_TITLE, title, out->title, sizeof out->title, e) != CX_OK) return CX_ERR;
    out->body = text_dup(&T_BODY, body, e);
    return out->body ? CX_OK : CX_ERR;
}

void news_ok_free(news_ok *o)
{
    free(o->body);
    o->body = NULL;
}

void news_month_of(int64_t t, char out[8])
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    strftime(out, 8, "%Y-%m", &tm);
}

int news_visibility(const char *s, cx_err *e)
{
    if (s && !strcmp(s, "public")) return 1;
    if (s && !strcmp(s, "internal")) return 0;
    return cx_fail(e, 400, "invalid_visibility", "visibility", "发布范围应为 internal（系统内）或 public（向社会公开）");
}

static const text_rule C_TITLE = {"title", "征询主题", 1, CONSULT_TITLE_MAX, true}, C_BODY = {"body", "征询说明", 1, CONSULT_BODY_MAX, false};

int consult_check(const char *title, const char *body, const char *closes_on, const char *today, consult_ok *out, cx_err *e)
{
    memset(out, 0, sizeof *out);
    if (text_check(&C_TITLE, title, out->title, sizeof out->title, e) != CX_OK) return CX_ERR;
    const char *b = closes_on ? closes_on : "";
    size_t n = strlen(b);
    text_span(&b, &n);
    if (!n) return cx_fail(e, 400, "required", "closes_on", "截止日期不能为空");
    if (date_parse(closes_on, false, "closes_on", "截止日期", out->closes_on, e) != CX_OK) return CX_ERR;
    if (today && date_cmp(out->closes_on, today) < 0)
        return cx_fail(e, 422, "closes_in_past", "closes_on", "截止日期（%s）不能早于今天（%s）", out->closes_on, today);
    out->body = text_dup(&C_BODY, body, e);
    return out->body ? CX_OK : CX_ERR;
}

void consult_ok_free(consult_ok *o)
{
    free(o->body);
    o->body = NULL;
}

bool consult_open(const char *closes_on, const char *today) { return date_cmp(today, closes_on) <= 0; }
