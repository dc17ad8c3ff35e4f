/* quiz.c: question types, answers, scoring, the quiz checks and the bank parser (see quiz.h). */
#include "quiz.h"
#include "roster_map.h"
#include "text.h"
#include "../lib/tabfile.h"
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct { const char *name, *label; } qtypes[QT_COUNT] = {
    [QT_SINGLE] = {"single", "单选题"}, [QT_MULTIPLE] = {"multiple", "多选题"}, [QT_TRUEFALSE] = {"truefalse", "判断题"}};

const char *qtype_name(quiz_qtype t) { return (unsigned)t < QT_COUNT ? qtypes[t].name : ""; }
const char *qtype_label(quiz_qtype t) { return (unsigned)t < QT_COUNT ? qtypes[t].label : ""; }

int qtype_from_name(const char *name)
{
    static const struct { const char *s; quiz_qtype t; } alias[] = {
        {"single", QT_SINGLE}, {"单选", QT_SINGLE}, {"单选题", QT_SINGLE}, {"单项选择", QT_SINGLE}, {"单项选择题", QT_SINGLE},
        {"multiple", QT_MULTIPLE}, {"多选", QT_MULTIPLE}, {"多选题", QT_MULTIPLE}, {"多项选择", QT_MULTIPLE}, {"多项选择题", QT_MULTIPLE},
        {"不定项选择题", QT_MULTIPLE}, {"truefalse", QT_TRUEFALSE}, {"判断", QT_TRUEFALSE}, {"判断题", QT_TRUEFALSE}, {"是非题", QT_TRUEFALSE}};
    for (size_t i = 0; name && i < sizeof alias / sizeof alias[0]; i++)
        if (!strcmp(name, alias[i].s)) return (int)alias[i].t;
    return -1;
}

/* 判断 answers as offices write them: 1 true (A), 0 false (B), -1 neither. */
static int truth_of(const char *s)
{
    static const char *const yes[] = {"对", "正确", "√", "✓", "✔", "T", "TRUE", "Y", "是", "A"};
    static const char *const no[] = {"错", "错误", "×", "✗", "✘", "X", "F", "FALSE", "N", "否", "B"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        if (!strcmp(s, yes[i])) return 1;
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        if (!strcmp(s, no[i])) return 0;
    return -1;
}

int quiz_answer_parse(quiz_qtype t, int nopts, const char *in, const char *field, char out[QUIZ_OPTIONS_MAX + 1], cx_err *e)
{
    char s[64];
    out[0] = 0;
    if (!in) in = "";
    if (strlen(in) >= sizeof s) return cx_fail(e, 422, "invalid_option", field, "%s：答案过长", field);
    snprintf(s, sizeof s, "%s", in);
    roster_fold(s, true);
    /* upper case, separators (, 、 ， ; space) dropped */
    char c[64];
    size_t n = 0;
    for (const char *p = s; *p;) {
        if (!strncmp(p, "、", 3) || !strncmp(p, "，", 3) || !strncmp(p, "；", 3)) { p += 3; continue; }
        if (strchr(", ;|/\t\r\n", *p)) { p++; continue; }
        c[n++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
        p++;
    }
    c[n] = 0;
    if (!n) return cx_fail(e, 422, "unanswered", field, "%s：未作答", field);
    if (t == QT_TRUEFALSE) {
        int v = truth_of(c);
        if (v < 0) return cx_fail(e, 422, "invalid_option", field, "%s：判断题的答案应为“对”或“错”（A 正确、B 错误）", field);
        snprintf(out, QUIZ_OPTIONS_MAX + 1, "%s", v ? "A" : "B");
        return CX_OK;
    }
    bool seen[QUIZ_OPTIONS_MAX] = {0};
    int k = 0;
    for (size_t i = 0; i < n; i++) {
        int o = c[i] - 'A';
        if (o < 0 || o >= nopts) return cx_fail(e, 422, "invalid_option", field, "%s：没有选项“%.8s”（本题选项为 A–%c）", field, c + i, 'A' + nopts - 1);
        if (seen[o]) return cx_fail(e, 422, "invalid_option", field, "%s：选项 %c 重复", field, 'A' + o);
        seen[o] = true, k++;
    }
    if (t == QT_SINGLE && k != 1) return cx_fail(e, 422, "invalid_option", field, "%s：单选题只能选一个选项", field);
    n = 0;
    for (int o = 0; o < nopts; o++)
        if (seen[o]) out[n++] = (char)('A' + o);
    out[n] = 0;
    return CX_OK;
}

int quiz_score(int correct, int n) { return n <= 0 ? 0 : (int)((200 * (int64_t)correct + n) / (2 * (int64_t)n)); }

bool quiz_passes(int score, int pass_mark) { return score >= pass_mark; }

char *quiz_options_json(const quiz_q *q)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < q->nopts; i++) cJSON_AddItemToArray(a, cJSON_CreateString(q->opts[i]));
    char *s = cJSON_PrintUnformatted(a);
    cJSON_Delete(a);
    return s;
}

int quiz_options_read(const char *json, quiz_q *q)
{
    q->nopts = 0;
    cJSON *a = cJSON_Parse(json ? json : "");
    if (!cJSON_IsArray(a)) return cJSON_Delete(a), CX_ERR;
    cJSON *x;
    cJSON_ArrayForEach(x, a) {
        if (q->nopts >= QUIZ_OPTIONS_MAX || !cJSON_IsString(x)) break;
        snprintf(q->opts[q->nopts++], sizeof q->opts[0], "%s", x->valuestring);
    }
    cJSON_Delete(a);
    return CX_OK;
}

int quiz_time_parse(const char *in, int64_t *t)
{
    if (!in) return CX_ERR;
    int64_t v;
    if (str_to_i64(in, &v) == CX_OK) {
        if (v < 946684800 || v > 4102444800) return CX_ERR; /* 2000..2100 */
        *t = v;
        return CX_OK;
    }
    int y, mo, d, h, mi, s = 0, used = 0;
    char sep;
    if (sscanf(in, "%4d-%2d-%2d%c%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi, &used) != 6 || (sep != ' ' && sep != 'T')) return CX_ERR;
    if (in[used] == ':' && sscanf(in + used, ":%2d%n", &s, &used) == 1) used += 0;
    if (y < 2000 || y > 2099 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) return CX_ERR;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = s, .tm_isdst = -1};
    time_t r = mktime(&tm);
    if (r == (time_t)-1 || tm.tm_mday != d) return CX_ERR;
    *t = (int64_t)r;
    return CX_OK;
}

int quiz_check(const quiz_in *in, quiz_ok *out, cx_err *e)
{
    memset(out, 0, sizeof *out);
    text_rule tr = {"title", "测试名称", 1, QUIZ_TITLE_MAX, true};
    if (text_check(&tr, in->title, out->title, sizeof out->title, e) != CX_OK) return CX_ERR;
    if (quiz_time_parse(in->opens_at, &out->opens_at) != CX_OK)
        return cx_fail(e, 422, "invalid_time", "opens_at", "开始时间应为“2026-09-01 08:00”这样的时间");
    if (quiz_time_parse(in->closes_at, &out->closes_at) != CX_OK)
        return cx_fail(e, 422, "invalid_time", "closes_at", "截止时间应为“2026-09-07 18:00”这样的时间");
    if (out->closes_at <= out->opens_at) return cx_fail(e, 422, "invalid_window", "closes_at", "截止时间应晚于开始时间");
    if (out->closes_at - out->opens_at > (int64_t)QUIZ_DAYS_MAX * 86400)
        return cx_fail(e, 422, "invalid_window", "closes_at", "答题时间最长 %d 天", QUIZ_DAYS_MAX);
    int64_t pm = 60;
    const char *p = in->pass_mark;
    if (p && *p && (str_to_i64(p, &pm) != CX_OK || pm < 0 || pm > 100))
        return cx_fail(e, 422, "invalid_pass_mark", "pass_mark", "及格分应为 0–100 的整数");
    out->pass_mark = (int)pm;
    return CX_OK;
}

/* ---- the bank parser ---- */

enum { BC_TYPE, BC_STEM, BC_OPT, BC_ANSWER = BC_OPT + QUIZ_OPTIONS_MAX, BC_EXPLAIN, BC_N };
static const char *const col_labels[BC_N] = {"题型", "题干", "选项A", "选项B", "选项C", "选项D", "选项E", "选项F", "选项G", "选项H", "答案", "解析"};

/* The bank column a header cell names, or -1. */
static int bank_col(const char *cell)
{
    char s[64];
    snprintf(s, sizeof s, "%s", cell ? cell : "");
    roster_fold(s, true);
    for (char *p = s; *p; p++)
        if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 32);
    static const struct { const char *s; int c; } names[] = {
        {"题型", BC_TYPE}, {"题目类型", BC_TYPE}, {"类型", BC_TYPE}, {"题干", BC_STEM}, {"题目", BC_STEM}, {"试题", BC_STEM},
        {"问题", BC_STEM}, {"试题内容", BC_STEM}, {"题目内容", BC_STEM}, {"答案", BC_ANSWER}, {"正确答案", BC_ANSWER},
        {"参考答案", BC_ANSWER}, {"标准答案", BC_ANSWER}, {"解析", BC_EXPLAIN}, {"答案解析", BC_EXPLAIN}, {"试题解析", BC_EXPLAIN},
        {"说明", BC_EXPLAIN}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(s, names[i].s)) return names[i].c;
    const char *l = s;
    if (!strncmp(l, "选项", 6)) l += 6;
    if (l[0] >= 'A' && l[0] < 'A' + QUIZ_OPTIONS_MAX && !l[1]) return BC_OPT + (l[0] - 'A');
    return -1;
}

static void add_issue(bank_parse *b, int64_t row, int col, const cx_err *e)
{
    b->nissues++;
    if (b->nkept >= QUIZ_ISSUES_KEPT) return;
    if (!b->issues) b->issues = xcalloc(QUIZ_ISSUES_KEPT, sizeof *b->issues);
    bank_issue *x = &b->issues[b->nkept++];
    x->row = row;
    snprintf(x->column, sizeof x->column, "%s", col >= 0 ? col_labels[col] : "");
    snprintf(x->code, sizeof x->code, "%s", e->code);
    snprintf(x->reason, sizeof x->reason, "%s", e->msg);
}

/* One data row into q: CX_OK, or CX_ERR with e and *col the column at fault. */
static int bank_row(char **cells, size_t n, const int *colmap, quiz_q *q, int *col, cx_err *e)
{
    const char *v[BC_N] = {0};
    for (size_t i = 0; i < n; i++)
        if (colmap[i] >= 0 && !v[colmap[i]]) v[colmap[i]] = cells[i];
    memset(q, 0, sizeof *q);
    *col = BC_STEM;
    text_rule stem = {"stem", "题干", 1, QUIZ_STEM_MAX, false};
    if (text_check(&stem, v[BC_STEM], q->stem, sizeof q->stem, e) != CX_OK) return CX_ERR;
    *col = BC_EXPLAIN;
    text_rule ex = {"explanation", "解析", 0, QUIZ_EXPLAIN_MAX, false};
    if (text_check(&ex, v[BC_EXPLAIN], q->explanation, sizeof q->explanation, e) != CX_OK) return CX_ERR;
    /* the options: A, B … without a gap */
    int last = -1;
    for (int o = 0; o < QUIZ_OPTIONS_MAX; o++)
        if (v[BC_OPT + o] && *v[BC_OPT + o]) last = o;
    for (int o = 0; o <= last; o++) {
        *col = BC_OPT + o;
        if (!v[BC_OPT + o] || !*v[BC_OPT + o]) return cx_fail(e, 422, "option_missing", "options", "选项%c为空，但后面还有选项", 'A' + o);
        text_rule ot = {"options", col_labels[BC_OPT + o], 1, QUIZ_OPTION_MAX, false};
        if (text_check(&ot, v[BC_OPT + o], q->opts[o], sizeof q->opts[0], e) != CX_OK) return CX_ERR;
    }
    q->nopts = last + 1;
    /* the type: as written, or read from the answer */
    *col = BC_TYPE;
    int t = -1;
    char tn[64] = "";
    if (v[BC_TYPE] && *v[BC_TYPE]) {
        snprintf(tn, sizeof tn, "%s", v[BC_TYPE]);
        roster_fold(tn, true);
        if ((t = qtype_from_name(tn)) < 0)
            return cx_fail(e, 422, "invalid_type", "type", "题型“%.20s”无法识别，应为 单选题、多选题 或 判断题", v[BC_TYPE]);
    }
    *col = BC_ANSWER;
    const char *ans = v[BC_ANSWER] ? v[BC_ANSWER] : "";
    if (!*ans) return cx_fail(e, 422, "answer_missing", "answer", "答案为空");
    if (t < 0) {
        char a[64];
        snprintf(a, sizeof a, "%s", ans);
        roster_fold(a, true);
        size_t letters = 0;
        for (const char *p = a; *p; p++) letters += (*p >= 'A' && *p <= 'H') || (*p >= 'a' && *p <= 'h');
        t = q->nopts == 0 && truth_of(a) >= 0 ? QT_TRUEFALSE : letters > 1 ? QT_MULTIPLE : QT_SINGLE;
    }
    q->type = (quiz_qtype)t;
    if (q->type == QT_TRUEFALSE) {
        q->nopts = 2;
        snprintf(q->opts[0], sizeof q->opts[0], "正确");
        snprintf(q->opts[1], sizeof q->opts[1], "错误");
    } else if (q->nopts < 2) {
        *col = BC_OPT + (q->nopts == 1 ? 1 : 0);
        return cx_fail(e, 422, "too_few_options", "options", "%s至少要有两个选项（选项A、选项B）", qtype_label(q->type));
    }
    cx_err ae = {0};
    if (quiz_answer_parse(q->type, q->nopts, ans, "答案", q->answer, &ae) != CX_OK) {
        /* the message without the field's own prefix: the column is named by the report */
        const char *m = strstr(ae.msg, "：");
        return cx_fail(e, 422, "invalid_answer", "answer", "%s", m ? m + 3 : ae.msg);
    }
    return CX_OK;
}

#define BANK_HEADER_SCAN 10

int quiz_bank_parse(const void *data, size_t len, bank_parse *out, cx_err *e)
{
    memset(out, 0, sizeof *out);
    tabfile *t = tab_open_mem(data, len, e);
    if (!t) return CX_ERR;
    snprintf(out->kind, sizeof out->kind, "%s", tab_kind(t));
    char **cells;
    size_t n, ncols = 0;
    int *colmap = NULL;
    int rc, seen = 0;
    bool after_data = false;
    while ((rc = tab_next(t, &cells, &n, e)) == 1) {
        int64_t row = (int64_t)tab_rowno(t);
        if (!colmap) {
            if (++seen > BANK_HEADER_SCAN) break;
            int map[64], stem = 0, answer = 0;
            size_t m = n < 64 ? n : 64;
            for (size_t i = 0; i < m; i++) {
                map[i] = bank_col(cells[i]);
                stem += map[i] == BC_STEM, answer += map[i] == BC_ANSWER;
            }
            if (stem && answer) {
                ncols = m;
                colmap = xmalloc(m * sizeof *colmap);
                memcpy(colmap, map, m * sizeof *colmap);
                out->header_row = row;
            }
            continue;
        }
        size_t k = n < ncols ? n : ncols;
        int hdr = 0;
        for (size_t i = 0; i < k; i++) hdr += colmap[i] >= 0 && bank_col(cells[i]) == colmap[i];
        if (hdr >= 2) continue; /* the header again (a printed multi-page bank) */
        if (roster_note_row(cells, n, after_data)) continue;
        out->rows++;
        if (out->rows > QUIZ_BANK_ROWS_MAX) {
            rc = cx_fail(e, 422, "too_many_rows", "file", "一个文件至多 %d 道题，请分成几个文件导入", QUIZ_BANK_ROWS_MAX);
            break;
        }
        if (out->nq == out->capq) out->qs = xrealloc(out->qs, (size_t)(out->capq = out->capq ? 2 * out->capq : 32) * sizeof *out->qs);
        int col = -1;
        cx_err re = {0};
        if (bank_row(cells, k, colmap, &out->qs[out->nq], &col, &re) == CX_OK) out->nq++, after_data = true;
        else add_issue(out, row, col, &re);
    }
    tab_close(t);
    bool header = colmap != NULL;
    free(colmap);
    if (rc == CX_ERR) return CX_ERR;
    if (!header)
        return cx_fail(e, 422, "no_header", "file", "未找到表头行：文件前 %d 行中没有同时包含“题干”和“答案”的一行（请使用题库导入模板）", BANK_HEADER_SCAN);
    if (!out->rows) return cx_fail(e, 422, "empty_file", "file", "表头行（第 %lld 行）下面没有试题", (long long)out->header_row);
    return CX_OK;
}

void quiz_bank_free(bank_parse *b)
{
    free(b->qs);
    free(b->issues);
    memset(b, 0, sizeof *b);
}
