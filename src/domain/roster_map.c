/* roster_map.c: title rows, notes rows, full-width characters and Excel serial dates in rosters
 * as offices keep them. */
#include "roster_map.h"
#include "date.h"
#include "member.h"
#include "../lib/util.h"
#include <stdlib.h>
#include <string.h>

void roster_fold(char *s, bool punct)
{
    unsigned char *r = (unsigned char *)s, *w = r;
    while (*r) {
        if (r[0] == 0xEF && (r[1] == 0xBC || r[1] == 0xBD) && r[2]) {
            unsigned cp = 0xF000u | ((unsigned)(r[1] & 0x3F) << 6) | (r[2] & 0x3Fu);
            bool alnum = (cp >= 0xFF10 && cp <= 0xFF19) || (cp >= 0xFF21 && cp <= 0xFF3A) || (cp >= 0xFF41 && cp <= 0xFF5A);
            if (cp >= 0xFF01 && cp <= 0xFF5E && (r[2] & 0xC0) == 0x80 && (punct || alnum)) {
                *w++ = (unsigned char)(cp - 0xFF01 + '!');
                r += 3;
                continue;
            }
        } else if (r[0] == 0xE3 && r[1] == 0x80 && r[2] == 0x80) {
            *w++ = ' ';
            r += 3;
            continue;
        }
        *w++ = *r++;
    }
    *w = 0;
}

int roster_header_hits(char *const *cells, size_t n)
{
    unsigned seen = 0;
    int hits = 0;
    bool key = false;
    for (size_t i = 0; i < n; i++) {
        int c = cells[i][0] ? member_col_find(cells[i]) : -1;
        if (c >= 0 && c < 32 && !(seen & (1u << c))) {
            seen |= 1u << c;
            hits++;
            key = key || !strcmp(member_cols[c].field, "name") || !strcmp(member_cols[c].field, "idcard");
        }
    }
    return key ? hits : 0;
}

/* Words that begin a note under a roster table. Longer words first where one is a prefix of another. */
static const char *const note_words[] = {
    "填表说明", "填表人", "填表日期", "填表时间", "填表", "填报人", "填报日期", "填报单位", "填报", "制表人", "制表日期",
    "制表时间", "制表", "审核人", "审核", "审批人", "审批", "负责人", "联系人", "联系电话", "备注", "说明", "注",
    "合计", "总计", "小计", "单位盖章", "盖章", "签字", "日期",
};

static bool note_start(const char *s)
{
    while (*s == ' ') s++;
    for (size_t i = 0; i < sizeof note_words / sizeof note_words[0]; i++) {
        size_t k = strlen(note_words[i]);
        if (strncmp(s, note_words[i], k) != 0) continue;
        const char *t = s + k;
        /* roster_fold has turned "：" into ':' already; both are accepted here all the same. */
        if (!*t || *t == ':' || *t == ' ' || (*t >= '0' && *t <= '9') || !strncmp(t, "：", 3) || !strncmp(t, "、", 3) ||
            !strncmp(t, "①", 3))
            return true;
    }
    return false;
}

bool roster_note_row(char *const *cells, size_t n, bool after_data)
{
    size_t first = n, count = 0;
    for (size_t i = 0; i < n; i++)
        if (cells[i][0]) {
            if (first == n) first = i;
            count++;
        }
    if (first == n) return false;
    if (note_start(cells[first])) return true;
    if (!after_data || count != 1 || first != 0) return false; /* a merged note starts in column A */
    const char *s = cells[first];
    static const char *const marks[] = {":", "：", "，", "。", "；", ";"};
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (strstr(s, marks[i])) return true;
    return utf8_len(s) > 20; /* longer than any 姓名 may be */
}

bool roster_excel_serial(const char *v, char out[11])
{
    size_t d = strspn(v, "0123456789");
    if (d != 5) return false;
    if (v[d] == '.') {
        size_t f = strspn(v + d + 1, "0123456789");
        if (f == 0 || v[d + 1 + f]) return false;
    } else if (v[d]) return false;
    double x = strtod(v, NULL);
    if (x < 10000 || x >= 73051) return false;
    return date_from_excel_serial(x, out) == CX_OK;
}

/* "张  三", "张\u3000三": spaces between two Chinese characters pad a two-character name to the
 * width of three; they are no part of it. Spaces between Latin letters stay ("LI Ming"). */
static void name_unpad(char *s)
{
    unsigned char *r = (unsigned char *)s, *w = r;
    while (*r) {
        if (*r == ' ' && w > (unsigned char *)s && w[-1] >= 0x80) {
            unsigned char *q = r;
            while (*q == ' ') q++;
            if (*q >= 0x80) {
                r = q;
                continue;
            }
        }
        *w++ = *r++;
    }
    *w = 0;
}

/* A code kept as text the ways spreadsheets do it: ="440106…" (a formula, as some exports write
 * it) or a leading apostrophe ('440106…). Returns the code without them (in place). */
static char *code_unwrap(char *s)
{
    size_t n = strlen(s);
    if (n >= 3 && s[0] == '=' && s[1] == '"' && s[n - 1] == '"') {
        s[n - 1] = 0;
        return s + 2;
    }
    if (s[0] == '\'' || s[0] == '`') return s + 1;
    return s;
}

enum { K_CODE = 1, K_NAME = 2, K_DATE0 = 4 }; /* K_DATE0 << slot: 出生日期, 入党时间, 转正时间 */

static void kinds(roster_scratch *s)
{
    static const char *const coded[] = {"sex", "birth_date", "idcard", "phone", "joined_date", "full_date", "status"};
    static const char *const dates[] = {"birth_date", "joined_date", "full_date"};
    for (int c = 0; c < 32 && member_cols[c].field; c++) {
        const char *f = member_cols[c].field;
        int k = !strcmp(f, "name") ? K_NAME : 0;
        for (size_t i = 0; i < sizeof coded / sizeof coded[0]; i++)
            if (!strcmp(f, coded[i])) k |= K_CODE;
        for (int i = 0; i < 3; i++)
            if (!strcmp(f, dates[i])) k |= K_DATE0 << i;
        s->kind[c] = (signed char)k;
    }
    s->ready = true;
}

bool roster_prepare_row(char **cells, size_t n, const int *colmap, roster_scratch *s)
{
    bool any = false;
    if (!s->ready) kinds(s);
    for (size_t i = 0; i < n; i++) {
        int k = colmap[i] >= 0 && colmap[i] < 32 ? s->kind[colmap[i]] : 0;
        bool code = k & K_CODE;
        roster_fold(cells[i], code);
        if (code) cells[i] = code_unwrap(cells[i]);
        else if (k & K_NAME) name_unpad(cells[i]);
        if (colmap[i] < 0 || !cells[i][0]) continue;
        any = true;
        int slot = k & K_DATE0 ? 0 : k & (K_DATE0 << 1) ? 1 : k & (K_DATE0 << 2) ? 2 : -1;
        if (slot >= 0 && roster_excel_serial(cells[i], s->dates[slot])) cells[i] = s->dates[slot];
    }
    return any;
}
