/* goal.c: annual goals' states and checks (goal.h). */
#include "goal.h"
#include "text.h"
#include <stdlib.h>
#include <string.h>

static const char *const names[GS_COUNT] = {"draft", "submitted", "accepted", "returned"};
static const char *const labels[GS_COUNT] = {"草稿", "待验收", "已验收", "已退回"};

const char *goal_status_name(int s) { return s >= 0 && s < GS_COUNT ? names[s] : ""; }
const char *goal_status_label(int s) { return s >= 0 && s < GS_COUNT ? labels[s] : ""; }
int goal_status_from_name(const char *s)
{
    for (int i = 0; s && i < GS_COUNT; i++)
        if (!strcmp(s, names[i])) return i;
    return -1;
}

/* An integer lo..hi written in decimal (surrounding blanks allowed): CX_OK with *v. */
static int small_int(const char *s, int lo, int hi, int *v)
{
    int64_t x;
    if (!s) return CX_ERR;
    while (*s == ' ') s++;
    char t[16];
    size_t n = strlen(s);
    while (n && s[n - 1] == ' ') n--;
    if (!n || n >= sizeof t) return CX_ERR;
    memcpy(t, s, n), t[n] = 0;
    if (str_to_i64(t, &x) != CX_OK || x < lo || x > hi) return CX_ERR;
    *v = (int)x;
    return CX_OK;
}

int goal_check(const char *year, const char *title, const char *measure, goal_ok *out, cx_err *e)
{
    memset(out, 0, sizeof *out);
    if (!year || !*year) return cx_fail(e, 400, "required", "year", "请填写年度");
    if (small_int(year, GOAL_YEAR_MIN, GOAL_YEAR_MAX, &out->year) != CX_OK)
        return cx_fail(e, 400, "invalid_year", "year", "年度应为 %d 至 %d 之间的整数", GOAL_YEAR_MIN, GOAL_YEAR_MAX);
    text_rule tr = {"title", "目标", 1, GOAL_TITLE_MAX, true};
    if (text_check(&tr, title, out->title, sizeof out->title, e) != CX_OK) return CX_ERR;
    out->measure = clean_text(measure, "measure", "措施", GOAL_MEASURE_MAX, false, e);
    return out->measure ? CX_OK : CX_ERR;
}

void goal_ok_free(goal_ok *o)
{
    free(o->measure);
    o->measure = NULL;
}

int goal_progress_check(const char *percent, const char *text, int *pct, char **out, cx_err *e)
{
    *out = NULL;
    if (!percent || !*percent) return cx_fail(e, 400, "required", "percent", "请填写完成进度（0–100）");
    if (small_int(percent, 0, 100, pct) != CX_OK) return cx_fail(e, 400, "invalid_percent", "percent", "完成进度应为 0 至 100 之间的整数");
    *out = clean_text(text, "text", "进展情况", GOAL_PROGRESS_MAX, true, e);
    return *out ? CX_OK : CX_ERR;
}

bool goal_year_in(int year, const char *start, const char *end)
{
    return start && end && year >= atoi(start) && year <= atoi(end);
}
