/* workday.c: working-day arithmetic over a calendar of exceptions (see workday.h). */
#include "workday.h"
#include "text.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int weekday_of(const char *date)
{
    int64_t z = day_number(date);          /* 1970-01-01 was a Thursday (4) */
    int64_t w = ((z % 7) + 7 + 3) % 7;      /* 0 Monday … 6 Sunday */
    return (int)w + 1;
}

static int by_date(const void *a, const void *b) { return strcmp(((const wd_day *)a)->date, ((const wd_day *)b)->date); }

void workday_cal_init(workday_cal *c, const wd_day *days, size_t n)
{
    c->v = n ? xmalloc(n * sizeof *c->v) : NULL;
    c->n = 0;
    /* a stable insertion keeps the later of two entries for one date */
    for (size_t i = 0; i < n; i++) {
        size_t j = c->n;
        while (j > 0 && strcmp(c->v[j - 1].date, days[i].date) > 0) j--;
        if (j > 0 && strcmp(c->v[j - 1].date, days[i].date) == 0) {
            c->v[j - 1] = days[i];
            continue;
        }
        memmove(&c->v[j + 1], &c->v[j], (c->n - j) * sizeof *c->v);
        c->v[j] = days[i];
        c->n++;
    }
}

void workday_cal_free(workday_cal *c)
{
    free(c->v);
    c->v = NULL;
    c->n = 0;
}

bool workday_is(const workday_cal *c, const char *date)
{
    wd_day key = {.kind = 0};
    snprintf(key.date, sizeof key.date, "%s", date);
    const wd_day *e = c && c->n ? bsearch(&key, c->v, c->n, sizeof *c->v, by_date) : NULL;
    if (e) return e->kind == WD_WORKDAY;
    return weekday_of(date) <= 5;
}

int workday_add(const workday_cal *c, const char *from, int n, char out[11])
{
    if (n < 0 || n > 3660) return CX_ERR;
    int64_t z = day_number(from);
    char d[11];
    day_string(z, d);
    for (int left = n; left > 0;) {
        day_string(++z, d);
        if (workday_is(c, d)) left--;
    }
    memcpy(out, d, 11);
    return CX_OK;
}

int64_t workday_count(const workday_cal *c, const char *from, const char *to)
{
    int64_t a = day_number(from), b = day_number(to), n = 0;
    int sign = 1;
    if (b < a) {
        int64_t t = a;
        a = b, b = t, sign = -1;
    }
    char d[11];
    for (int64_t z = a + 1; z <= b; z++) {
        day_string(z, d);
        if (workday_is(c, d)) n++;
    }
    return sign * n;
}

#define H(d, name) {d, WD_HOLIDAY, name}
#define W(d) {d, WD_WORKDAY, "调休上班"}
const wd_day workday_builtin[] = {
    /* 2026, 国办发明电〔2025〕7号 */
    H("2026-01-01", "元旦"), H("2026-01-02", "元旦"), H("2026-01-03", "元旦"), W("2026-01-04"),
    W("2026-02-14"), H("2026-02-15", "春节"), H("2026-02-16", "春节"), H("2026-02-17", "春节"), H("2026-02-18", "春节"),
    H("2026-02-19", "春节"), H("2026-02-20", "春节"), H("2026-02-21", "春节"), H("2026-02-22", "春节"),
    H("2026-02-23", "春节"), W("2026-02-28"),
    H("2026-04-04", "清明节"), H("2026-04-05", "清明节"), H("2026-04-06", "清明节"),
    H("2026-05-01", "劳动节"), H("2026-05-02", "劳动节"), H("2026-05-03", "劳动节"), H("2026-05-04", "劳动节"),
    H("2026-05-05", "劳动节"), W("2026-05-09"),
    H("2026-06-19", "端午节"), H("2026-06-20", "端午节"), H("2026-06-21", "端午节"),
    W("2026-09-20"), H("2026-09-25", "中秋节"), H("2026-09-26", "中秋节"), H("2026-09-27", "中秋节"),
    H("2026-10-01", "国庆节"), H("2026-10-02", "国庆节"), H("2026-10-03", "国庆节"), H("2026-10-04", "国庆节"),
    H("2026-10-05", "国庆节"), H("2026-10-06", "国庆节"), H("2026-10-07", "国庆节"), W("2026-10-10"),
    /* 2027: statutory days only (元旦 1, 春节 除夕–初三 4, 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3),
     * provisional until the State Council's arrangement with its 调休 is published */
    H("2027-01-01", "元旦"),
    H("2027-02-05", "春节"), H("2027-02-06", "春节"), H("2027-02-07", "春节"), H("2027-02-08", "春节"),
    H("2027-04-05", "清明节"), H("2027-05-01", "劳动节"), H("2027-05-02", "劳动节"),
    H("2027-06-09", "端午节"), H("2027-09-15", "中秋节"),
    H("2027-10-01", "国庆节"), H("2027-10-02", "国庆节"), H("2027-10-03", "国庆节"),
};
const size_t workday_builtin_n = sizeof workday_builtin / sizeof workday_builtin[0];

bool workday_year_provisional(int year) { return year == 2027; }

static const text_rule T_HOLIDAY = {"name", "节日名称", 1, WORKDAY_NAME_MAX, false};

int workday_edit_check(const workday_edit_in *in, workday_edit_ok *out, cx_err *e)
{
    static const char *const kinds[] = {"holiday", "workday", "normal", "reset"};
    out->name[0] = 0;
    if (date_parse(in->date, false, "date", "日期", out->date, e) != CX_OK) return CX_ERR;
    int k = 0;
    while (k < 4 && !(in->kind && !strcmp(kinds[k], in->kind))) k++;
    if (k == 4) return cx_fail(e, 400, "invalid_kind", "kind", "类型应为 holiday（放假）、workday（调休上班）、normal（按周末规则）或 reset（恢复为内置日历）");
    out->kind = kinds[k];
    out->reset = k == 3;
    if (k == 0 && text_check(&T_HOLIDAY, in->name, out->name, sizeof out->name, e) != CX_OK) return CX_ERR;
    if (k == 1) snprintf(out->name, sizeof out->name, "调休上班");
    return CX_OK;
}
