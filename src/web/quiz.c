/* quiz.c: the question bank (import from a spreadsheet with its row-by-row report, the template),
 * quizzes (assign, the list, one quiz on a phone, answering once inside the window, closing early)
 * and their results (scores, pass rates, rankings of the organisations below, XLSX). No correct
 * answer leaves the server before a quiz closes: not in a page, not in JSON, not by another route. */
#include "web.h"
#include "../lib/xlsxout.h"
#include "../store/quiz.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char *const XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/* ---- the bank ---- */

/* A question as JSON; its answer and explanation only when reveal. */
static cJSON *json_q(const quiz_q *q, int seq, bool reveal)
{
    cJSON *j = cJSON_CreateObject();
    if (seq) json_add_i64(j, "seq", seq);
    cJSON_AddStringToObject(j, "type", qtype_name(q->type));
    cJSON_AddStringToObject(j, "type_label", qtype_label(q->type));
    cJSON_AddBoolToObject(j, "multiple", q->type == QT_MULTIPLE);
    cJSON_AddStringToObject(j, "stem", q->stem);
    cJSON *o = cJSON_AddArrayToObject(j, "options");
    for (int i = 0; i < q->nopts; i++) {
        cJSON *x = cJSON_CreateObject();
        char l[2] = {(char)('A' + i), 0};
        cJSON_AddStringToObject(x, "letter", l);
        cJSON_AddStringToObject(x, "text", q->opts[i]);
        if (seq) json_add_i64(x, "seq", seq);
        cJSON_AddBoolToObject(x, "multiple", q->type == QT_MULTIPLE);
        if (reveal) cJSON_AddBoolToObject(x, "correct", strchr(q->answer, 'A' + i) != NULL);
        cJSON_AddItemToArray(o, x);
    }
    if (reveal) {
        cJSON_AddStringToObject(j, "answer", q->answer);
        if (q->explanation[0]) cJSON_AddStringToObject(j, "explanation", q->explanation);
    }
    return j;
}

typedef struct bank_ctx {
    cJSON *arr;
    bool member; /* the viewer is also a member: answers of questions in an open quiz stay hidden */
} bank_ctx;

static int add_question(void *ctx, const question *x)
{
    bank_ctx *c = ctx;
    bool hide = c->member && x->in_open_quiz;
    cJSON *j = json_q(&x->q, 0, !hide);
    json_add_i64(j, "id", x->id);
    cJSON_AddBoolToObject(j, "answer_hidden", hide);
    cJSON_AddBoolToObject(j, "in_open_quiz", x->in_open_quiz);
    cJSON_AddStringToObject(j, "imported_from", x->imported_from);
    cJSON_AddItemToArray(c->arr, j);
    return 0;
}

/* The bank page's data for office o. */
static void bank_data(req *r, const org *o)
{
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "题库");
    cJSON_AddItemToObject(d, "org", json_org(o));
    int64_t n = 0;
    bank_ctx c = {cJSON_AddArrayToObject(d, "questions"), r->user.member_id > 0};
    if (question_count(r->db, o->id, &n) != CX_OK || question_list(r->db, o->id, 1000, add_question, &c) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取题库失败");
        return;
    }
    json_add_i64(d, "count", n);
}

void h_question_bank(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_OFFICE, &o)) return;
    bank_data(r, &o);
    const char *q = req_query(r, "imported");
    int64_t n = 0;
    if (q && str_to_i64(q, &n) == CX_OK && n > 0) json_add_i64(req_data(r), "imported", n);
}

void h_question_import(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_OFFICE, &o)) return;
    bool api = req_is_api(r);
    const field *f = req_file(r, "file");
    const void *data = NULL;
    size_t len = 0;
    if (f) data = f->data.p, len = f->data.len;
    else if (api && r->body.len && !r->fields) data = r->body.p, len = r->body.len; /* raw upload */
    if (!api) bank_data(r, &o);
    if (!data || !len) {
        req_failf(r, 400, "file_required", "file", "请选择要导入的题库文件（Excel .xlsx 或 CSV）");
        return;
    }
    bank_parse *b = req_keep(r, xcalloc(1, sizeof *b));
    cx_err e = {0};
    int64_t imported = 0;
    int rc = quiz_bank_parse(data, len, b, &e);
    cJSON *d = req_data(r);
    cJSON *rj = cJSON_AddObjectToObject(d, "report");
    if (rc == CX_OK) {
        json_add_i64(rj, "header_row", b->header_row);
        json_add_i64(rj, "rows", b->rows);
        json_add_i64(rj, "valid_rows", b->nq);
        json_add_i64(rj, "error_count", b->nissues);
        cJSON_AddStringToObject(rj, "format", b->kind);
        cJSON *errs = cJSON_AddArrayToObject(rj, "errors");
        for (int i = 0; i < b->nkept; i++) {
            cJSON *x = cJSON_CreateObject();
            json_add_i64(x, "row", b->issues[i].row);
            cJSON_AddStringToObject(x, "column", b->issues[i].column);
            cJSON_AddStringToObject(x, "code", b->issues[i].code);
            cJSON_AddStringToObject(x, "reason", b->issues[i].reason);
            char *t = xasprintf("第 %" PRId64 " 行%s%s：%s", b->issues[i].row, b->issues[i].column[0] ? "“" : "", b->issues[i].column,
                                b->issues[i].reason);
            if (b->issues[i].column[0]) {
                free(t);
                t = xasprintf("第 %" PRId64 " 行“%s”列：%s", b->issues[i].row, b->issues[i].column, b->issues[i].reason);
            }
            cJSON_AddStringToObject(x, "text", t);
            free(t);
            cJSON_AddItemToArray(errs, x);
        }
        if (b->nissues > b->nkept) json_add_i64(rj, "errors_not_listed", b->nissues - b->nkept);
        if (!b->nissues) rc = question_import(r->db, &r->who, &o, b, f && f->filename ? f->filename : "", &imported, &e);
    }
    int nissues = b->nissues;
    quiz_bank_free(b);
    json_add_i64(rj, "imported", imported);
    cJSON_AddBoolToObject(rj, "ok", rc == CX_OK && !nissues);
    if (rc == CX_OK && nissues) { /* 422 with the whole report: nothing was imported */
        r->status = 422;
        cJSON *err = cJSON_AddObjectToObject(d, "error");
        cJSON_AddStringToObject(err, "code", "import_invalid");
        char msg[160];
        snprintf(msg, sizeof msg, "文件中有 %d 处错误，未导入任何试题", nissues);
        cJSON_AddStringToObject(err, "message", msg);
        cJSON_AddStringToObject(err, "field", "file");
        return;
    }
    if (rc != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (!api) {
        req_redirect(r, "/orgs/%" PRId64 "/question-bank?imported=%" PRId64, id, imported);
        return;
    }
    r->status = 201;
}

void h_question_template(req *r)
{
    xlsx_out xo;
    buf_init(&r->file);
    if (xlsxout_open(&xo) != CX_OK) {
        req_failf(r, 500, "template_failed", "", "无法创建模板文件");
        return;
    }
    lxw_workbook *wb = xo.wb;
    lxw_worksheet *ws = workbook_add_worksheet(wb, "题库");
    lxw_format *bold = workbook_add_format(wb), *text = workbook_add_format(wb);
    format_set_bold(bold);
    format_set_num_format(text, "@");
    static const char *const heads[] = {"题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析"};
    static const char *const rows[][8] = {
        {"单选题", "中国共产党的最高理想和最终目标是（　）。", "实现共产主义", "全面建成小康社会", "实现中华民族伟大复兴", "建设社会主义现代化强国", "A", "见《中国共产党章程》总纲。"},
        {"多选题", "“三会一课”中的“三会”是指（　）。", "支部党员大会", "支部委员会", "党小组会", "民主生活会", "ABC", ""},
        {"判断题", "预备党员的预备期为一年。", "", "", "", "", "对", ""},
    };
    for (int c = 0; c < 8; c++) {
        worksheet_write_string(ws, 0, (lxw_col_t)c, heads[c], bold);
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, c == 1 ? 48 : c == 7 ? 30 : 16, text);
    }
    for (int i = 0; i < 3; i++)
        for (int c = 0; c < 8; c++)
            if (rows[i][c][0]) worksheet_write_string(ws, (lxw_row_t)(i + 1), (lxw_col_t)c, rows[i][c], NULL);
    worksheet_freeze_panes(ws, 1, 0);
    lxw_worksheet *help = workbook_add_worksheet(wb, "填写说明");
    static const char *const notes[] = {
        "题型：单选题、多选题 或 判断题（不填时按答案判断：对/错 为判断题，多个字母为多选题，否则为单选题）",
        "题干：必填，不超过 500 个字",
        "选项A–选项H：单选题、多选题至少两个选项，依次填写，中间不要空列；判断题不填选项",
        "答案：单选题一个字母（如 B），多选题几个字母（如 ACD），判断题填 对 或 错",
        "解析：选填，测试截止后与正确答案一起显示给答题的党员",
        "表头行上方可以有标题行；表格下方的“填表说明：…”等说明行不会导入。有任何一行有错时整个文件都不导入，请按报告修改后重新导入。"};
    for (int i = 0; i < 6; i++) worksheet_write_string(help, (lxw_row_t)i, 0, notes[i], NULL);
    worksheet_set_column(help, 0, 0, 100, NULL);
    if (xlsxout_close(&xo, &r->file) != CX_OK) {
        buf_free(&r->file);
        req_failf(r, 500, "template_failed", "", "无法创建模板文件");
        return;
    }
    r->file_mime = XLSX_MIME;
    snprintf(r->file_name, sizeof r->file_name, "题库导入模板.xlsx");
}

/* ---- quizzes ---- */

static const char *state_label(int st) { return st == 0 ? "未开始" : st == 1 ? "答题中" : "已结束"; }
static const char *state_name(int st) { return st == 0 ? "upcoming" : st == 1 ? "open" : "closed"; }

static void add_time(cJSON *j, const char *name, int64_t t)
{
    json_add_i64(j, name, t);
    char s[32], key[48];
    time_text(t, false, s);
    snprintf(key, sizeof key, "%s_text", name);
    cJSON_AddStringToObject(j, key, s);
}

static void add_rate(cJSON *j, const char *name, int64_t num, int64_t den)
{
    char s[16] = "—";
    if (den > 0) snprintf(s, sizeof s, "%.1f%%", 100.0 * (double)num / (double)den);
    cJSON_AddStringToObject(j, name, s);
}

/* A tally as JSON; the pass figures and the average only when scores (not to a member of the
 * scope before the quiz closes: scores_hidden). */
static cJSON *json_tally(const quiz_tally *t, bool scores)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "answered", t->answered);
    json_add_i64(j, "members", t->members);
    add_rate(j, "participation", t->answered, t->members);
    if (!scores) {
        cJSON_AddBoolToObject(j, "scores_hidden", true);
        return j;
    }
    json_add_i64(j, "passed", t->passed);
    add_rate(j, "pass_rate", t->passed, t->answered);
    char s[16] = "—";
    if (t->answered) snprintf(s, sizeof s, "%.1f", (double)t->score_sum / (double)t->answered);
    cJSON_AddStringToObject(j, "average", s);
    return j;
}

static cJSON *json_quiz(const quiz *x, int64_t now)
{
    cJSON *j = cJSON_CreateObject();
    int st = quiz_state(x, now);
    json_add_i64(j, "id", x->id);
    cJSON_AddStringToObject(j, "title", x->title);
    json_add_i64(j, "org_id", x->org_id);
    cJSON_AddStringToObject(j, "org_name", x->org_name);
    json_add_i64(j, "scope_org_id", x->scope_org_id);
    cJSON_AddStringToObject(j, "scope_name", x->scope_name);
    add_time(j, "opens_at", x->opens_at);
    add_time(j, "closes_at", x->closes_at);
    json_add_i64(j, "pass_mark", x->pass_mark);
    json_add_i64(j, "questions", x->nquestions);
    cJSON_AddStringToObject(j, "state", state_name(st));
    cJSON_AddStringToObject(j, "state_label", state_label(st));
    cJSON_AddBoolToObject(j, "open", st == 1);
    cJSON_AddBoolToObject(j, "closed", st == 2);
    cJSON_AddStringToObject(j, "created_by_name", x->created_by_name);
    return j;
}

/* The viewer's member organisation path into out ("" when none or inactive). */
static bool member_path(req *r, char out[CX_PATH_MAX])
{
    out[0] = 0;
    if (!r->user.member_id) return true;
    member *m = req_keep(r, xmalloc(sizeof *m));
    int f = member_get(r->db, r->user.member_id, m);
    if (f == CX_ERR) {
        req_failf(r, 500, "db_error", "", "数据库错误");
        return false;
    }
    if (f == 1 && m->active) snprintf(out, CX_PATH_MAX, "%s", m->org_path);
    return true;
}

typedef struct qlist_ctx {
    req *r;
    const org *o;
    cJSON *arr;
    int64_t now;
    const char *mpath; /* the viewer's own member organisation, "" for none */
} qlist_ctx;

static int add_quiz_staff(void *ctx, const quiz *x)
{
    qlist_ctx *c = ctx;
    cJSON *j = json_quiz(x, c->now);
    quiz_tally t;
    /* the figures of this organisation when the quiz covers it, else of the quiz's own scope */
    const org *at = c->o;
    org scope;
    if (!path_in_subtree(c->o->path, x->scope_path) && org_get(c->r->db, x->scope_org_id, &scope) == 1) at = &scope;
    bool scores = quiz_state(x, c->now) == 2 || !c->mpath[0] || !path_in_subtree(c->mpath, x->scope_path);
    if (quiz_tally_get(c->r->db, x->id, at, &t) == CX_OK) cJSON_AddItemToObject(j, "tally", json_tally(&t, scores));
    cJSON_AddBoolToObject(j, "can_run", perm_may_run_quiz(&c->r->user, x->org_path));
    cJSON_AddItemToArray(c->arr, j);
    return 0;
}

void h_quizzes(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_STAFF, &o)) return;
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "学习测试");
    cJSON_AddItemToObject(d, "org", json_org(&o));
    char *mpath = req_keep(r, xmalloc(CX_PATH_MAX));
    if (!member_path(r, mpath)) return;
    qlist_ctx c = {r, &o, cJSON_AddArrayToObject(d, "quizzes"), now_unix(), mpath};
    if (quiz_list(r->db, &o, add_quiz_staff, &c) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取测试失败");
        return;
    }
    bool can = o.active && perm_may_run_quiz(&r->user, o.path);
    cJSON_AddBoolToObject(d, "can_create", can);
    if (!can) return;
    int64_t n = 0;
    if (question_count(r->db, o.id, &n) != CX_OK) return;
    json_add_i64(d, "bank", n);
    if (!req_is_api(r)) {
        org_subtree(r->db, &o, 2, 300, add_org_option, cJSON_AddArrayToObject(d, "scopes"));
        bank_ctx bc = {cJSON_AddArrayToObject(d, "questions"), r->user.member_id > 0};
        question_list(r->db, o.id, 300, add_question, &bc);
    }
}

/* After a change of quiz id: the page goes to the quiz, the API answers it (status). */
static void quiz_done(req *r, int64_t id, int status)
{
    if (!req_is_api(r)) {
        req_redirect(r, "/quizzes/%" PRId64, id);
        return;
    }
    quiz x;
    if (!req_found(r, quiz_get(r->db, id, &x), "id", "测试")) return;
    r->status = status;
    cJSON_AddItemToObject(req_data(r), "quiz", json_quiz(&x, now_unix()));
}

void h_quiz_create(req *r)
{
    int64_t id, nid = 0, scope = 0, draw = 0;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_OFFICE, &o)) return;
    if (!o.active) {
        req_failf(r, 404, "not_found", "id", "党组织不存在或已停用");
        return;
    }
    const char *sv = req_in(r, "scope_org_id"), *dv = req_in(r, "draw_n");
    if (sv && *sv && (str_to_i64(sv, &scope) != CX_OK || scope <= 0)) {
        req_failf(r, 400, "invalid_id", "scope_org_id", "测试范围应为组织编号");
        return;
    }
    if (dv && *dv && (str_to_i64(dv, &draw) != CX_OK || draw <= 0)) {
        req_failf(r, 422, "invalid_questions", "draw_n", "随机抽取的题数应为正整数");
        return;
    }
    /* question_ids: one string (API) or a ticked box per question (page) */
    buf ids;
    buf_init(&ids);
    for (int i = 0; i < r->nfields; i++)
        if (!strcmp(r->fields[i].name, "question_ids") && !r->fields[i].filename)
            buf_printf(&ids, "%s%.*s", ids.len ? "," : "", (int)r->fields[i].data.len, r->fields[i].data.p ? r->fields[i].data.p : "");
    const char *qids = ids.p ? req_keep(r, ids.p) : req_in(r, "question_ids");
    quiz_in in = {req_in(r, "title"), req_in(r, "opens_at"), req_in(r, "closes_at"), req_in(r, "pass_mark")};
    quiz_ok ok;
    cx_err e = {0};
    if (quiz_check(&in, &ok, &e) != CX_OK || quiz_create(r->db, &r->who, &o, &ok, scope, qids, draw, &nid, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    quiz_done(r, nid, 201);
}

/* How the viewer stands to quiz x: may answer it (a member in scope), may see results somewhere
 * in it (staff over its scope or an organisation in it, or the office over the issuer). */
typedef struct quiz_view {
    quiz x;
    bool answerer, staff, runs;
    char mpath[CX_PATH_MAX];
} quiz_view;

static bool req_quiz(req *r, int64_t id, quiz_view *v)
{
    int f = quiz_get(r->db, id, &v->x);
    if (f == CX_ERR) {
        req_failf(r, 500, "db_error", "", "数据库错误");
        return false;
    }
    if (f == 1 && !member_path(r, v->mpath)) return false;
    v->answerer = f == 1 && v->mpath[0] && perm_may_answer_quiz(&r->user, r->user.member_id, v->mpath, v->x.scope_path);
    v->runs = f == 1 && perm_may_run_quiz(&r->user, v->x.org_path);
    v->staff = v->runs || (f == 1 && perm_sees_quiz_results(&r->user, v->x.scope_path));
    for (int i = 0; f == 1 && !v->staff && i < r->user.ngrants; i++)
        v->staff = (r->user.grants[i].role & ROLE_STAFF) && path_in_subtree(r->user.grants[i].path, v->x.scope_path);
    if (f == 1 && (v->answerer || v->staff)) return true;
    req_failf(r, 404, "not_found", "id", "测试不存在或不在您的范围内");
    return false;
}

typedef struct items_ctx {
    cJSON *arr;
    bool reveal;
    const quiz_sheet *sheet; /* the viewer's answers, shown with the correct ones after closing */
} items_ctx;

static int add_item(void *ctx, int seq, const quiz_q *q)
{
    items_ctx *c = ctx;
    cJSON *j = json_q(q, seq, c->reveal);
    if (c->sheet && c->reveal && seq >= 1 && seq <= c->sheet->n) {
        cJSON_AddStringToObject(j, "chosen", c->sheet->answers[seq - 1]);
        cJSON_AddBoolToObject(j, "right", !strcmp(c->sheet->answers[seq - 1], q->answer));
        cJSON *o;
        cJSON_ArrayForEach(o, cJSON_GetObjectItem(j, "options")) {
            const char *l = cJSON_GetObjectItem(o, "letter")->valuestring;
            cJSON_AddBoolToObject(o, "chosen", strchr(c->sheet->answers[seq - 1], l[0]) != NULL);
        }
    }
    cJSON_AddItemToArray(c->arr, j);
    return 0;
}

void h_quiz(req *r)
{
    int64_t id;
    quiz_view *v = req_keep(r, xmalloc(sizeof *v));
    if (!req_id(r, 0, &id) || !req_quiz(r, id, v)) return;
    int64_t now = now_unix();
    int st = quiz_state(&v->x, now);
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", v->x.title);
    cJSON *qj = json_quiz(&v->x, now);
    cJSON_AddItemToObject(d, "quiz", qj);
    cJSON_AddBoolToObject(d, "answerer", v->answerer);
    cJSON_AddBoolToObject(d, "staff", v->staff);
    cJSON_AddBoolToObject(d, "can_close", v->runs && st == 1);
    quiz_sheet *sh = NULL;
    if (v->answerer) {
        sh = req_keep(r, xmalloc(sizeof *sh));
        int f = quiz_sheet_get(r->db, id, r->user.member_id, sh);
        if (f == CX_ERR) {
            req_failf(r, 500, "db_error", "", "数据库错误");
            return;
        }
        if (f == 0) sh = NULL;
        cJSON *mine = cJSON_AddObjectToObject(d, "mine");
        cJSON_AddBoolToObject(mine, "submitted", sh != NULL);
        cJSON_AddBoolToObject(mine, "can_answer", !sh && st == 1);
        if (sh) add_time(mine, "submitted_at", sh->submitted_at);
        if (sh && st == 2) { /* the score only once the window closed */
            json_add_i64(mine, "score", sh->score);
            json_add_i64(mine, "correct", sh->correct);
            cJSON_AddBoolToObject(mine, "passed", sh->passed);
        }
    }
    /* questions: none before it opens; while open without answers (to answer, or a preview for
     * staff); after closing with the correct answers and, for the member, their own */
    bool show = st == 2 || (st == 1 && (v->staff || (v->answerer && !sh)));
    if (!show) return;
    items_ctx c = {cJSON_AddArrayToObject(d, "questions"), st == 2, sh};
    if (quiz_items(r->db, id, add_item, &c) != CX_OK) req_failf(r, 500, "db_error", "", "读取试题失败");
}

/* The answers of a request: q1 … qN (a form's radio buttons or ticked boxes, several values of a
 * box joined; or the JSON members), as canonical letters into out[N]. Unknown numbers refused. */
static bool read_answers(req *r, int n, char (*out)[QUIZ_OPTIONS_MAX + 1], const quiz_q *types)
{
    char (*raw)[64] = req_keep(r, xcalloc((size_t)n, sizeof *raw));
    bool api = req_is_api(r) && r->json;
    const cJSON *it = api ? r->json->child : NULL;
    for (int i = 0; api ? it != NULL : i < r->nfields; api ? (void)(it = it->next) : (void)i++) {
        const char *name = api ? it->string : r->fields[i].name;
        if (!name || name[0] != 'q') continue;
        int64_t k = 0;
        if (str_to_i64(name + 1, &k) != CX_OK || k < 1 || k > n) {
            req_failf(r, 422, "invalid_question", name, "本测试没有第“%.20s”题", name + 1);
            return false;
        }
        if (api && !cJSON_IsString(it)) {
            req_failf(r, 422, "invalid_option", name, "第 %" PRId64 " 题的答案应为选项字母（如 \"A\" 或 \"AC\"）", k);
            return false;
        }
        const char *val = api ? it->valuestring : r->fields[i].data.p ? r->fields[i].data.p : "";
        size_t len = api ? strlen(val) : r->fields[i].data.len;
        size_t used = strlen(raw[k - 1]);
        if (used + len + 2 >= sizeof raw[0]) {
            req_failf(r, 422, "invalid_option", name, "第 %" PRId64 " 题的答案过长", k);
            return false;
        }
        snprintf(raw[k - 1] + used, sizeof raw[0] - used, "%s%.*s", used ? "," : "", (int)len, val);
    }
    for (int k = 0; k < n; k++) {
        char fname[16];
        snprintf(fname, sizeof fname, "q%d", k + 1);
        cx_err e = {0};
        if (quiz_answer_parse(types[k].type, types[k].nopts, raw[k], fname, out[k], &e) != CX_OK) {
            char msg[sizeof e.msg];
            snprintf(msg, sizeof msg, "%s", e.msg);
            const char *m = strstr(msg, "：");
            snprintf(e.msg, sizeof e.msg, "第 %d 题%.400s", k + 1, m ? m : msg);
            req_fail(r, &e);
            return false;
        }
    }
    return true;
}

typedef struct types_ctx {
    quiz_q *q;
    int n;
} types_ctx;

static int keep_type(void *ctx, int seq, const quiz_q *q)
{
    types_ctx *c = ctx;
    if (seq >= 1 && seq <= c->n) c->q[seq - 1].type = q->type, c->q[seq - 1].nopts = q->nopts;
    return 0;
}

void h_quiz_submit(req *r)
{
    int64_t id;
    quiz_view *v = req_keep(r, xmalloc(sizeof *v));
    if (!req_id(r, 0, &id) || !req_quiz(r, id, v)) return;
    if (!v->answerer) {
        req_failf(r, 403, "not_allowed", "id", "只有测试范围内的党员本人可以答题");
        return;
    }
    int n = (int)v->x.nquestions;
    if (n < 1 || n > QUIZ_QUESTIONS_MAX) {
        req_failf(r, 409, "not_open", "id", "测试没有试题");
        return;
    }
    int64_t now = now_unix();
    int st = quiz_state(&v->x, now);
    if (st != 1) { /* checked again in the transaction; answers are not read outside the window */
        req_failf(r, 409, st ? "closed" : "not_open", "id", st ? "测试已于截止时间结束，不能再提交" : "测试尚未开始，请在开始时间后作答");
        return;
    }
    types_ctx tc = {req_keep(r, xcalloc((size_t)n, sizeof(quiz_q))), n};
    if (quiz_items(r->db, id, keep_type, &tc) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取试题失败");
        return;
    }
    char (*ans)[QUIZ_OPTIONS_MAX + 1] = req_keep(r, xcalloc((size_t)n, sizeof *ans));
    if (!read_answers(r, n, ans, tc.q)) return;
    quiz_sheet out;
    cx_err e = {0};
    if (quiz_submit(r->db, &r->who, id, r->user.member_id, ans, n, now, &out, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (!req_is_api(r)) {
        req_redirect(r, "/quizzes/%" PRId64, id);
        return;
    }
    r->status = 201;
    cJSON *d = req_data(r);
    cJSON *m = cJSON_AddObjectToObject(d, "mine");
    cJSON_AddBoolToObject(m, "submitted", true);
    add_time(m, "submitted_at", now);
    cJSON_AddStringToObject(m, "note", "已提交。成绩和正确答案在测试截止后公布。");
}

void h_quiz_close(req *r)
{
    int64_t id;
    quiz_view *v = req_keep(r, xmalloc(sizeof *v));
    if (!req_id(r, 0, &id) || !req_quiz(r, id, v)) return;
    if (!v->runs) {
        req_failf(r, 403, "not_allowed", "id", "只有%s活动办公室可以提前结束测试", v->x.org_name);
        return;
    }
    cx_err e = {0};
    if (quiz_close_now(r->db, &r->who, id, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    quiz_done(r, id, 200);
}

/* ---- results ---- */

typedef struct rank_row {
    org o;
    quiz_tally t;
} rank_row;
typedef struct rank_ctx {
    rank_row *rows;
    int n, cap;
} rank_ctx;

static int keep_rank(void *ctx, const org *child, const quiz_tally *t)
{
    rank_ctx *c = ctx;
    if (c->n == c->cap) c->rows = xrealloc(c->rows, (size_t)(c->cap = c->cap ? 2 * c->cap : 16) * sizeof *c->rows);
    c->rows[c->n].o = *child;
    c->rows[c->n++].t = *t;
    return 0;
}

/* Pass rate, then participation, then average, higher first. */
static int rank_cmp(const void *a, const void *b)
{
    const quiz_tally *x = &((const rank_row *)a)->t, *y = &((const rank_row *)b)->t;
    double px = x->answered ? (double)x->passed / (double)x->answered : -1, py = y->answered ? (double)y->passed / (double)y->answered : -1;
    if (px != py) return px < py ? 1 : -1;
    double ax = x->members ? (double)x->answered / (double)x->members : 0, ay = y->members ? (double)y->answered / (double)y->members : 0;
    if (ax != ay) return ax < ay ? 1 : -1;
    return x->score_sum * (y->answered ? y->answered : 1) < y->score_sum * (x->answered ? x->answered : 1) ? 1 : -1;
}

typedef struct sheet_ctx {
    cJSON *arr;
    lxw_worksheet *ws;
    int row;
} sheet_ctx;

static int add_sheet(void *ctx, const quiz_sheet *s)
{
    sheet_ctx *c = ctx;
    if (c->ws) {
        worksheet_write_number(c->ws, (lxw_row_t)c->row, 0, c->row, NULL);
        worksheet_write_string(c->ws, (lxw_row_t)c->row, 1, s->member_name, NULL);
        worksheet_write_string(c->ws, (lxw_row_t)c->row, 2, s->org_name, NULL);
        worksheet_write_number(c->ws, (lxw_row_t)c->row, 3, s->score, NULL);
        worksheet_write_string(c->ws, (lxw_row_t)c->row, 4, s->passed ? "及格" : "不及格", NULL);
        char t[32];
        time_text(s->submitted_at, false, t);
        worksheet_write_string(c->ws, (lxw_row_t)c->row, 5, t, NULL);
        c->row++;
        return 0;
    }
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "rank", ++c->row);
    json_add_i64(j, "member_id", s->member_id);
    cJSON_AddStringToObject(j, "member_name", s->member_name);
    json_add_i64(j, "org_id", s->org_id);
    cJSON_AddStringToObject(j, "org_name", s->org_name);
    json_add_i64(j, "score", s->score);
    cJSON_AddBoolToObject(j, "passed", s->passed);
    add_time(j, "submitted_at", s->submitted_at);
    cJSON_AddItemToArray(c->arr, j);
    return 0;
}

void h_quiz_results(req *r)
{
    int64_t id, oid = 0;
    quiz_view *v = req_keep(r, xmalloc(sizeof *v));
    if (!req_id(r, 0, &id) || !req_quiz(r, id, v)) return;
    const char *os = req_query(r, "org_id");
    if (os && *os && (str_to_i64(os, &oid) != CX_OK || oid <= 0)) {
        req_failf(r, 400, "invalid_query", "org_id", "参数 org_id 应为组织编号");
        return;
    }
    /* the organisation shown: the one asked for, else the quiz's scope, else the viewer's highest
     * staff grant inside the scope */
    org o;
    if (!oid) {
        oid = v->x.scope_org_id;
        if (!v->runs && !perm_sees_quiz_results(&r->user, v->x.scope_path))
            for (int i = 0; i < r->user.ngrants; i++)
                if ((r->user.grants[i].role & ROLE_STAFF) && path_in_subtree(r->user.grants[i].path, v->x.scope_path)) {
                    oid = r->user.grants[i].org_id;
                    break;
                }
    }
    int f = org_get(r->db, oid, &o);
    if (f == CX_ERR) {
        req_failf(r, 500, "db_error", "", "数据库错误");
        return;
    }
    if (f == 0 || !path_in_subtree(o.path, v->x.scope_path) || !(v->runs || perm_sees_quiz_results(&r->user, o.path))) {
        req_failf(r, 404, "not_found", "org_id", "组织不在本次测试范围内或不在您的管理范围内");
        return;
    }
    const char *fmt = req_query(r, "format");
    bool xlsx = fmt && !strcmp(fmt, "xlsx");
    if (fmt && *fmt && !xlsx) {
        req_failf(r, 400, "invalid_format", "format", "导出格式应为 xlsx");
        return;
    }
    quiz_tally t;
    rank_ctx rk = {0};
    if (quiz_tally_get(r->db, id, &o, &t) != CX_OK || quiz_tally_children(r->db, id, &o, keep_rank, &rk) != CX_OK) {
        free(rk.rows);
        req_failf(r, 500, "db_error", "", "读取测试成绩失败");
        return;
    }
    /* scores, pass rates and the ranking by them: not to a member of the scope before it closes */
    bool scores = quiz_state(&v->x, now_unix()) == 2 || !v->answerer;
    if (rk.n > 1 && scores) qsort(rk.rows, (size_t)rk.n, sizeof *rk.rows, rank_cmp);
    if (xlsx && !scores) {
        free(rk.rows);
        req_failf(r, 409, "not_closed", "format", "测试截止后才能导出成绩");
        return;
    }
    if (xlsx) {
        static const char *const heads[] = {"名次", "组织", "在册党员", "参加人数", "参与率", "及格人数", "及格率", "平均分"};
        xlsx_export xe;
        lxw_worksheet *ws = export_open(r, &xe, "各组织", heads, sizeof heads / sizeof heads[0]);
        if (!ws) return free(rk.rows);
        worksheet_set_column(ws, 1, 1, 30, NULL);
        for (int i = 0; i < rk.n; i++) {
            cJSON *tj = json_tally(&rk.rows[i].t, true);
            lxw_row_t row = (lxw_row_t)(i + 1);
            worksheet_write_number(ws, row, 0, i + 1, NULL);
            worksheet_write_string(ws, row, 1, rk.rows[i].o.name, NULL);
            worksheet_write_number(ws, row, 2, (double)rk.rows[i].t.members, NULL);
            worksheet_write_number(ws, row, 3, (double)rk.rows[i].t.answered, NULL);
            worksheet_write_string(ws, row, 4, cJSON_GetObjectItem(tj, "participation")->valuestring, NULL);
            worksheet_write_number(ws, row, 5, (double)rk.rows[i].t.passed, NULL);
            worksheet_write_string(ws, row, 6, cJSON_GetObjectItem(tj, "pass_rate")->valuestring, NULL);
            worksheet_write_string(ws, row, 7, cJSON_GetObjectItem(tj, "average")->valuestring, NULL);
            cJSON_Delete(tj);
        }
        free(rk.rows);
        lxw_worksheet *ms = workbook_add_worksheet(xe.xo.wb, "党员成绩");
        static const char *const mh[] = {"名次", "姓名", "组织", "得分", "是否及格", "提交时间"};
        for (int c = 0; c < 6; c++) worksheet_write_string(ms, 0, (lxw_col_t)c, mh[c], xe.bold);
        sheet_ctx sc = {NULL, ms, 1};
        int rc = quiz_sheets(r->db, id, o.path, 0, add_sheet, &sc);
        char name[700];
        snprintf(name, sizeof name, "%s-%s-成绩.xlsx", v->x.title, o.name);
        export_close(r, &xe, rc, name, "quiz", id, o.id, NULL);
        return;
    }
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "测试成绩");
    cJSON_AddItemToObject(d, "quiz", json_quiz(&v->x, now_unix()));
    cJSON_AddItemToObject(d, "org", json_org(&o));
    cJSON_AddItemToObject(d, "tally", json_tally(&t, scores));
    cJSON_AddBoolToObject(d, "scores_hidden", !scores);
    cJSON *arr = cJSON_AddArrayToObject(d, "ranking");
    for (int i = 0; i < rk.n; i++) {
        cJSON *x = json_tally(&rk.rows[i].t, scores);
        if (scores) json_add_i64(x, "rank", i + 1);
        json_add_i64(x, "org_id", rk.rows[i].o.id);
        cJSON_AddStringToObject(x, "org_name", rk.rows[i].o.name);
        cJSON_AddItemToArray(arr, x);
    }
    free(rk.rows);
    if (!scores) return;
    sheet_ctx sc = {cJSON_AddArrayToObject(d, "scores"), NULL, 0};
    if (quiz_sheets(r->db, id, o.path, 500, add_sheet, &sc) != CX_OK) req_failf(r, 500, "db_error", "", "读取成绩失败");
}

/* ---- a member's quizzes ---- */

typedef struct mine_ctx {
    req *r;
    cJSON *arr;
    int64_t now;
} mine_ctx;

static int add_mine(void *ctx, const quiz *x)
{
    mine_ctx *c = ctx;
    cJSON *j = json_quiz(x, c->now);
    quiz_sheet *sh = xmalloc(sizeof *sh);
    int f = quiz_sheet_get(c->r->db, x->id, c->r->user.member_id, sh);
    cJSON_AddBoolToObject(j, "submitted", f == 1);
    if (f == 1 && quiz_state(x, c->now) == 2) {
        json_add_i64(j, "score", sh->score);
        cJSON_AddBoolToObject(j, "passed", sh->passed);
    }
    free(sh);
    cJSON_AddItemToArray(c->arr, j);
    return 0;
}

void h_my_quizzes(req *r)
{
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "我的学习测试");
    char path[CX_PATH_MAX];
    if (!member_path(r, path)) return;
    mine_ctx c = {r, cJSON_AddArrayToObject(d, "quizzes"), now_unix()};
    if (path[0] && quiz_list_for_path(r->db, path, add_mine, &c) != CX_OK) req_failf(r, 500, "db_error", "", "读取测试失败");
}
