/* carrier.c: a carrier's items as typed and the phase calendar (see carrier.h). */
#include "carrier.h"
#include "text.h"
#include "../lib/buf.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *carrier_target_label(const char *target)
{
    return !strcmp(target, "member") ? "党员" : !strcmp(target, "org") ? "党组织" : "";
}

/* The next '|' or '｜' (U+FF5C) in [p, end), its width in *w; NULL when none. */
static const char *next_bar(const char *p, const char *end, size_t *w)
{
    for (; p < end; p++) {
        if (*p == '|') return *w = 1, p;
        if (end - p >= 3 && !memcmp(p, "\xef\xbd\x9c", 3)) return *w = 3, p;
    }
    return NULL;
}

static int target_of(const char *s, size_t n, char out[8])
{
    static const char *const names[][2] = {{"member", "member"}, {"党员", "member"}, {"org", "org"}, {"组织", "org"}, {"党组织", "org"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i][0]) == n && !memcmp(s, names[i][0], n)) return snprintf(out, 8, "%s", names[i][1]), 0;
    return -1;
}

int carrier_items_check(const char *text, bool required, carrier_items_ok *out, cx_err *e)
{
    out->n = 0;
    const char *p = text ? text : "";
    int line = 0;
    while (*p) {
        const char *nl = strchr(p, '\n'), *end = nl ? nl : p + strlen(p);
        line++;
        const char *b = p;
        size_t n = (size_t)(end - p);
        p = nl ? nl + 1 : end;
        text_span(&b, &n);
        if (n && b[n - 1] == '\r') n--;
        if (!n) continue;
        if (out->n == CARRIER_ITEMS_MAX) return cx_fail(e, 400, "too_many_items", "items", "载体事项最多 %d 项", CARRIER_ITEMS_MAX);
        size_t w1, w2;
        const char *bar1 = next_bar(b, b + n, &w1), *bar2 = bar1 ? next_bar(bar1 + w1, b + n, &w2) : NULL;
        if (!bar1) return cx_fail(e, 400, "invalid_item", "items", "载体事项第 %d 行应写成“事项 | 对象 | 佐证要求”（对象为党员或组织）", line);
        carrier_item_ok *it = &out->item[out->n];
        char *title = xstrndup(b, (size_t)(bar1 - b));
        const char *ts = bar1 + w1;
        size_t tn = (size_t)((bar2 ? bar2 : b + n) - ts);
        text_span(&ts, &tn);
        char *ev = bar2 ? xstrndup(bar2 + w2, (size_t)(b + n - bar2 - w2)) : NULL;
        char field[16], label[64];
        snprintf(field, sizeof field, "items");
        snprintf(label, sizeof label, "载体事项第 %d 行的事项名称", line);
        text_rule tr = {field, label, 1, CARRIER_ITEM_TITLE_MAX, true};
        int rc = text_check(&tr, title, it->title, sizeof it->title, e);
        if (rc == CX_OK && target_of(ts, tn, it->target))
            rc = cx_fail(e, 400, "invalid_target", "items", "载体事项第 %d 行的对象“%.*s”无效：应为“党员”或“组织”", line, (int)(tn > 60 ? 60 : tn), ts);
        snprintf(label, sizeof label, "载体事项第 %d 行的佐证要求", line);
        text_rule er = {field, label, 0, CARRIER_ITEM_EVIDENCE_MAX, true};
        if (rc == CX_OK) rc = text_check(&er, ev, it->evidence, sizeof it->evidence, e);
        free(title);
        free(ev);
        if (rc != CX_OK) return CX_ERR;
        for (int i = 0; i < out->n; i++)
            if (!strcmp(out->item[i].title, it->title))
                return cx_fail(e, 400, "duplicate_item", "items", "载体事项第 %d 行“%s”与前面的事项重名", line, it->title);
        out->n++;
    }
    if (required && !out->n) return cx_fail(e, 400, "required", "items", "请填写载体事项：每行一项，写成“事项 | 对象 | 佐证要求”");
    return CX_OK;
}

char *carrier_items_text(const carrier_items_ok *in)
{
    buf b;
    buf_init(&b);
    for (int i = 0; i < in->n; i++)
        buf_printf(&b, "%s | %s | %s\n", in->item[i].title, carrier_target_label(in->item[i].target), in->item[i].evidence);
    return buf_take(&b);
}

int carrier_phase_state(const char *day, const char *start, const char *end)
{
    return strcmp(day, start) < 0 ? -1 : strcmp(day, end) > 0 ? 1 : 0;
}
