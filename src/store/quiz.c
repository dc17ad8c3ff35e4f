/* quiz.c: the question bank, quizzes, answer sheets and quiz_rollup (see quiz.h). */
#include "quiz.h"
#include "row.h"
#include "../domain/orgpath.h"
#include "../lib/json.h"
#include <cjson/cJSON.h>
#include <sodium.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

int question_import(db *d, const actor *a, const org *office, const bank_parse *b, const char *filename, int64_t *imported, cx_err *e)
{
    if (b->nissues) return cx_fail(e, 422, "import_invalid", "file", "文件中有 %d 处错误，未导入任何试题", b->nissues);
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    int64_t now = now_unix();
    int counts[QT_COUNT] = {0};
    for (int i = 0; i < b->nq; i++) {
        const quiz_q *q = &b->qs[i];
        char *opts = quiz_options_json(q);
        int rc = db_run(d, "INSERT INTO question (org_id, type, stem, options, answer, explanation, imported_from, created_by, created_at) "
                           "VALUES (?,?,?,?,?,?,?,?,?)",
                        "issssssii", office->id, qtype_name(q->type), q->stem, opts, q->answer, q->explanation, filename ? filename : "",
                        a ? a->user_id : 0, now);
        free(opts);
        if (rc != CX_OK) return db_fail(d, e);
        counts[q->type]++;
    }
    char *after = xasprintf("{\"questions\":%d,\"single\":%d,\"multiple\":%d,\"truefalse\":%d,\"format\":\"%s\"}", b->nq, counts[QT_SINGLE],
                            counts[QT_MULTIPLE], counts[QT_TRUEFALSE], b->kind);
    if (store_finish(d, a, "import", "question", 0, office->id, NULL, after, CX_OK, e) != CX_OK) return CX_ERR;
    if (imported) *imported = b->nq;
    return CX_OK;
}

/* type, stem, options, answer, explanation at column c onwards into q. */
static void read_q(db_stmt *s, int c, quiz_q *q)
{
    int t = qtype_from_name(db_col_text(s, c));
    q->type = t < 0 ? QT_SINGLE : (quiz_qtype)t;
    copy_col(q->stem, sizeof q->stem, s, c + 1);
    if (quiz_options_read(db_col_text(s, c + 2), q) != CX_OK) q->nopts = 0;
    copy_col(q->answer, sizeof q->answer, s, c + 3);
    copy_col(q->explanation, sizeof q->explanation, s, c + 4);
}

static void read_question(db_stmt *s, void *out)
{
    question *x = out;
    memset(x, 0, sizeof *x);
    x->id = db_col_i64(s, 0);
    x->org_id = db_col_i64(s, 1);
    x->created_at = db_col_i64(s, 2);
    read_q(s, 3, &x->q);
    copy_col(x->imported_from, sizeof x->imported_from, s, 8);
    x->in_open_quiz = db_col_i64(s, 9) > 0;
}

int question_list(db *d, int64_t org_id, int64_t limit, int (*fn)(void *ctx, const question *q), void *ctx)
{
    buf sql;
    buf_init(&sql);
    buf_printf(&sql, "SELECT x.id, x.org_id, x.created_at, x.type, x.stem, x.options, x.answer, x.explanation, x.imported_from, "
                     "(SELECT count(*) FROM quiz_question qq JOIN quiz z ON z.id = qq.quiz_id WHERE qq.question_id = x.id AND z.closes_at > ?) "
                     "FROM question x WHERE x.org_id = ? ORDER BY x.id");
    if (limit > 0) buf_printf(&sql, " LIMIT %" PRId64, limit);
    db_stmt *s = db_prepare(d, sql.p);
    buf_free(&sql);
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, now_unix());
    db_bind_i64(s, 2, org_id);
    return DB_EACH(s, question, read_question, fn, ctx);
}

int question_count(db *d, int64_t org_id, int64_t *n) { return db_i64(d, n, 0, "SELECT count(*) FROM question WHERE org_id = ?", "i", org_id); }

int quiz_state(const quiz *x, int64_t now) { return now < x->opens_at ? 0 : now < x->closes_at ? 1 : 2; }

#define QUIZ_COLS                                                                                                   \
    "z.id, z.org_id, z.scope_org_id, z.opens_at, z.closes_at, z.nquestions, z.created_at, z.row_version, z.pass_mark, " \
    "z.title, z.created_by_name, o.name, o.path, s.name, s.path"
#define QUIZ_FROM " FROM quiz z JOIN org o ON o.id = z.org_id JOIN org s ON s.id = z.scope_org_id"

static void read_quiz(db_stmt *s, void *out)
{
    quiz *x = out;
    int64_t *v[] = {&x->id, &x->org_id, &x->scope_org_id, &x->opens_at, &x->closes_at, &x->nquestions, &x->created_at, &x->version};
    for (int i = 0; i < 8; i++) *v[i] = db_col_i64(s, i);
    x->pass_mark = (int)db_col_i64(s, 8);
    copy_col(x->title, sizeof x->title, s, 9);
    copy_col(x->created_by_name, sizeof x->created_by_name, s, 10);
    copy_col(x->org_name, sizeof x->org_name, s, 11);
    copy_col(x->org_path, sizeof x->org_path, s, 12);
    copy_col(x->scope_name, sizeof x->scope_name, s, 13);
    copy_col(x->scope_path, sizeof x->scope_path, s, 14);
}

int quiz_get(db *d, int64_t id, quiz *x) { return row_by_id(d, "SELECT " QUIZ_COLS QUIZ_FROM " WHERE z.id = ?", id, read_quiz, x, sizeof *x); }

/* Copies bank question qid of office as question seq of quiz id: 1 done, 0 not in the bank. */
static int copy_question(db *d, int64_t id, int64_t office_id, int64_t qid, int seq)
{
    int64_t got = 0;
    if (db_i64(d, &got, 0, "INSERT INTO quiz_question (quiz_id, seq, question_id, type, stem, options, answer, explanation) "
                           "SELECT ?, ?, x.id, x.type, x.stem, x.options, x.answer, x.explanation FROM question x WHERE x.id = ? AND x.org_id = ? "
                           "RETURNING seq",
               "iiii", id, seq, qid, office_id) != CX_OK)
        return CX_ERR;
    return got > 0;
}

int quiz_create(db *d, const actor *a, const org *office, const quiz_ok *ok, int64_t scope_org_id, const char *question_ids, int64_t draw_n,
                int64_t *id, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    org scope;
    int f = org_get(d, scope_org_id ? scope_org_id : office->id, &scope);
    if (f == CX_ERR) return db_fail(d, e);
    if (f == 0 || !scope.active || !path_in_subtree(scope.path, office->path)) {
        cx_fail(e, 404, "not_found", "scope_org_id", "测试范围应为%s或其下级的组织", office->name);
        return refuse(d);
    }
    int64_t now = now_unix(), zid = 0;
    if (db_i64(d, &zid, 0, "INSERT INTO quiz (org_id, scope_org_id, scope_path, title, opens_at, closes_at, pass_mark, nquestions, created_by, "
                           "created_by_name, created_at, updated_at) VALUES (?,?,?,?,?,?,?,0,?,?,?,?) RETURNING id",
               "iissiiiisii", office->id, scope.id, scope.path, ok->title, ok->opens_at, ok->closes_at, ok->pass_mark, a ? a->user_id : 0,
               actor_shown(a), now, now) != CX_OK)
        return db_fail(d, e);
    int seq = 0;
    bool drawn = !question_ids || strspn(question_ids, ", \t\r\n") == strlen(question_ids);
    if (!drawn) {
        for (const char *p = question_ids; *p;) {
            p += strspn(p, ", \t\r\n");
            if (!*p) break;
            size_t len = strcspn(p, ", \t\r\n");
            char tok[24];
            snprintf(tok, sizeof tok, "%.*s", (int)(len < 23 ? len : 23), p);
            p += len;
            int64_t qid = 0;
            if (seq >= QUIZ_QUESTIONS_MAX) {
                cx_fail(e, 422, "invalid_questions", "question_ids", "一次测试至多 %d 道题", QUIZ_QUESTIONS_MAX);
                return refuse(d);
            }
            int c = str_to_i64(tok, &qid) == CX_OK && qid > 0 ? copy_question(d, zid, office->id, qid, seq + 1) : 0;
            if (c == CX_ERR) {
                /* the same question twice breaks no key; an error here is the database's */
                return db_fail(d, e);
            }
            if (!c) {
                cx_fail(e, 422, "invalid_question", "question_ids", "题库中没有编号为 %.20s 的试题", tok);
                return refuse(d);
            }
            seq++;
        }
    } else {
        int64_t bank = 0;
        if (db_i64(d, &bank, 0, "SELECT count(*) FROM question WHERE org_id = ?", "i", office->id) != CX_OK) return db_fail(d, e);
        if (draw_n < 1 || draw_n > QUIZ_QUESTIONS_MAX) {
            cx_fail(e, 422, "invalid_questions", draw_n ? "draw_n" : "question_ids", "请选择试题，或填写随机抽取的题数（1–%d）", QUIZ_QUESTIONS_MAX);
            return refuse(d);
        }
        if (draw_n > bank) {
            cx_fail(e, 422, "bank_too_small", "draw_n", "题库只有 %" PRId64 " 道题，不能抽取 %" PRId64 " 道", bank, draw_n);
            return refuse(d);
        }
        /* a uniform draw without repeats: a random key per question, the draw_n smallest */
        int64_t *ids = xmalloc((size_t)bank * sizeof *ids), m = 0;
        db_stmt *s = db_prepare(d, "SELECT id FROM question WHERE org_id = ? ORDER BY id");
        if (!s) return free(ids), db_fail(d, e);
        db_bind_i64(s, 1, office->id);
        while (m < bank && db_step(s) == DB_ROW) ids[m++] = db_col_i64(s, 0);
        db_done(s);
        for (int64_t i = 0; i < draw_n && i < m; i++) { /* partial Fisher–Yates */
            uint32_t r = randombytes_uniform((uint32_t)(m - i));
            int64_t t = ids[i];
            ids[i] = ids[i + (int64_t)r], ids[i + (int64_t)r] = t;
            if (copy_question(d, zid, office->id, ids[i], seq + 1) != 1) return free(ids), db_fail(d, e);
            seq++;
        }
        free(ids);
    }
    if (seq == 0) {
        cx_fail(e, 422, "invalid_questions", "question_ids", "请至少选择一道试题");
        return refuse(d);
    }
    if (db_run(d, "UPDATE quiz SET nquestions = ? WHERE id = ?", "ii", seq, zid) != CX_OK) return db_fail(d, e);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "title", ok->title);
    json_add_i64(j, "scope_org_id", scope.id);
    json_add_i64(j, "opens_at", ok->opens_at);
    json_add_i64(j, "closes_at", ok->closes_at);
    json_add_i64(j, "pass_mark", ok->pass_mark);
    json_add_i64(j, "questions", seq);
    cJSON_AddBoolToObject(j, "drawn", drawn);
    if (store_finish(d, a, "create", "quiz", zid, office->id, NULL, json_take(j), CX_OK, e) != CX_OK) return CX_ERR;
    if (id) *id = zid;
    return CX_OK;
}

int quiz_close_now(db *d, const actor *a, int64_t id, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    quiz x;
    int f = quiz_get(d, id, &x);
    if (f == CX_ERR) return db_fail(d, e);
    if (!f) return cx_fail(e, 404, "not_found", "id", "测试不存在"), refuse(d);
    int64_t now = now_unix();
    if (quiz_state(&x, now) != 1) return cx_fail(e, 409, "not_open", "id", "测试%s，不能提前结束", quiz_state(&x, now) ? "已结束" : "尚未开始"), refuse(d);
    if (db_run(d, "UPDATE quiz SET closes_at = ?, row_version = row_version + 1, updated_at = ? WHERE id = ?", "iii", now, now, id) != CX_OK)
        return db_fail(d, e);
    char *before = xasprintf("{\"closes_at\":%" PRId64 "}", x.closes_at), *after = xasprintf("{\"closes_at\":%" PRId64 "}", now);
    return store_finish(d, a, "close", "quiz", id, x.org_id, before, after, CX_OK, e);
}

int quiz_items(db *d, int64_t id, int (*fn)(void *ctx, int seq, const quiz_q *q), void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT seq, type, stem, options, answer, explanation FROM quiz_question WHERE quiz_id = ? ORDER BY seq");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    quiz_q *q = xmalloc(sizeof *q);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        memset(q, 0, sizeof *q);
        read_q(s, 1, q);
        if (fn(ctx, (int)db_col_i64(s, 0), q)) break;
    }
    free(q);
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int quiz_list(db *d, const org *o, int (*fn)(void *ctx, const quiz *x), void *ctx)
{
    char end[CX_PATH_MAX];
    orgpath_end(o->path, end, sizeof end);
    db_stmt *s = db_prepare(d, "SELECT " QUIZ_COLS QUIZ_FROM " WHERE (o.path >= ? AND o.path < ?) OR ? LIKE s.path || '%' "
                               "ORDER BY z.opens_at DESC, z.id DESC LIMIT 200");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, o->path);
    db_bind_text(s, 2, end);
    db_bind_text(s, 3, o->path);
    return DB_EACH(s, quiz, read_quiz, fn, ctx);
}

int quiz_list_for_path(db *d, const char *path, int (*fn)(void *ctx, const quiz *x), void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT " QUIZ_COLS QUIZ_FROM " WHERE ? LIKE s.path || '%' ORDER BY z.opens_at DESC, z.id DESC LIMIT 200");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, path);
    return DB_EACH(s, quiz, read_quiz, fn, ctx);
}

int quiz_latest(db *d, const org *o, int64_t now, quiz *x)
{
    char end[CX_PATH_MAX];
    orgpath_end(o->path, end, sizeof end);
    db_stmt *s = db_prepare(d, "SELECT " QUIZ_COLS QUIZ_FROM " WHERE z.opens_at <= ? AND ((s.path >= ? AND s.path < ?) "
                               "OR ? LIKE s.path || '%') ORDER BY z.opens_at DESC, z.id DESC LIMIT 1");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, now);
    db_bind_text(s, 2, o->path);
    db_bind_text(s, 3, end);
    db_bind_text(s, 4, o->path);
    memset(x, 0, sizeof *x);
    int rc = db_step(s);
    if (rc == DB_ROW) read_quiz(s, x);
    db_done(s);
    return rc == CX_ERR ? CX_ERR : rc == DB_ROW;
}

int quiz_member_in_scope(db *d, const quiz *x, int64_t member_id)
{
    member m;
    int f = member_get(d, member_id, &m);
    if (f != 1) return f;
    return m.active && path_in_subtree(m.org_path, x->scope_path);
}

int quiz_submit(db *d, const actor *a, int64_t quiz_id, int64_t member_id, char (*in)[QUIZ_OPTIONS_MAX + 1], int n, int64_t now,
                quiz_sheet *out, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    quiz x;
    member *m = xmalloc(sizeof *m);
    int f = quiz_get(d, quiz_id, &x), g = f == 1 ? member_get(d, member_id, m) : 0;
    if (f == CX_ERR || g == CX_ERR) return free(m), db_fail(d, e);
    if (f == 0 || g == 0 || !m->active || !path_in_subtree(m->org_path, x.scope_path)) {
        free(m);
        cx_fail(e, 404, "not_found", "id", "测试不存在或不在您的范围内");
        return refuse(d);
    }
    int st = quiz_state(&x, now);
    if (st != 1) {
        free(m);
        cx_fail(e, 409, st ? "closed" : "not_open", "id", st ? "测试已于截止时间结束，不能再提交" : "测试尚未开始，请在开始时间后作答");
        return refuse(d);
    }
    if (n != x.nquestions) {
        free(m);
        cx_fail(e, 422, "invalid_question", "answers", "本测试有 %" PRId64 " 道题，收到 %d 道题的答案", x.nquestions, n);
        return refuse(d);
    }
    /* scored against the answers copied into the quiz */
    int correct = 0, seq = 0;
    db_stmt *s = db_prepare(d, "SELECT seq, answer FROM quiz_question WHERE quiz_id = ? ORDER BY seq");
    if (!s) return free(m), db_fail(d, e);
    db_bind_i64(s, 1, quiz_id);
    while (db_step(s) == DB_ROW) {
        int k = (int)db_col_i64(s, 0);
        if (k >= 1 && k <= n && !strcmp(in[k - 1], db_col_text(s, 1))) correct++;
        seq++;
    }
    db_done(s);
    int score = quiz_score(correct, n);
    bool passed = quiz_passes(score, x.pass_mark);
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; i < n; i++) cJSON_AddItemToArray(arr, cJSON_CreateString(in[i]));
    char *answers = json_take(arr);
    int64_t got = 0;
    int rc = db_i64(d, &got, 0, "INSERT INTO quiz_answer (quiz_id, member_id, org_id, org_path, answers, correct, score, passed, user_id, "
                                "submitted_at) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT (quiz_id, member_id) DO NOTHING RETURNING member_id",
                    "iiissiiiii", quiz_id, member_id, m->org_id, m->org_path, answers, correct, score, passed ? 1 : 0, a ? a->user_id : 0, now);
    free(answers);
    if (rc != CX_OK) return free(m), db_fail(d, e);
    if (!got) {
        free(m);
        cx_fail(e, 409, "already_answered", "id", "您已提交过本次测试的答卷，每人只能提交一次");
        return refuse(d);
    }
    int depth = orgpath_depth(m->org_path);
    for (int k = 0; rc == CX_OK && k <= depth; k++)
        rc = db_run(d, "INSERT INTO quiz_rollup (quiz_id, org_id, answered, passed, score_sum) VALUES (?,?,1,?,?) ON CONFLICT (quiz_id, org_id) "
                       "DO UPDATE SET answered = quiz_rollup.answered + 1, passed = quiz_rollup.passed + excluded.passed, "
                       "score_sum = quiz_rollup.score_sum + excluded.score_sum",
                    "iiii", quiz_id, orgpath_at(m->org_path, k), passed ? 1 : 0, score);
    int64_t org_id = m->org_id;
    free(m);
    if (rc != CX_OK || depth < 0) return db_fail(d, e);
    char *after = xasprintf("{\"quiz_id\":%" PRId64 ",\"member_id\":%" PRId64 ",\"score\":%d,\"passed\":%s}", quiz_id, member_id, score,
                            passed ? "true" : "false");
    if (store_finish(d, a, "answer", "quiz", quiz_id, org_id, NULL, after, CX_OK, e) != CX_OK) return CX_ERR;
    (void)seq;
    if (out) {
        memset(out, 0, sizeof *out);
        out->quiz_id = quiz_id, out->member_id = member_id, out->submitted_at = now, out->correct = correct, out->score = score, out->n = n;
        out->passed = passed;
    }
    return CX_OK;
}

static void read_sheet(db_stmt *s, void *out)
{
    quiz_sheet *x = out;
    memset(x, 0, sizeof *x);
    x->quiz_id = db_col_i64(s, 0);
    x->member_id = db_col_i64(s, 1);
    x->org_id = db_col_i64(s, 2);
    x->submitted_at = db_col_i64(s, 3);
    x->correct = (int)db_col_i64(s, 4);
    x->score = (int)db_col_i64(s, 5);
    x->passed = db_col_i64(s, 6) != 0;
    cJSON *a = cJSON_Parse(db_col_text(s, 7)), *v;
    cJSON_ArrayForEach(v, a) {
        if (x->n >= QUIZ_QUESTIONS_MAX) break;
        snprintf(x->answers[x->n++], sizeof x->answers[0], "%s", cJSON_IsString(v) ? v->valuestring : "");
    }
    cJSON_Delete(a);
    copy_col(x->member_name, sizeof x->member_name, s, 8);
    copy_col(x->org_name, sizeof x->org_name, s, 9);
}

#define SHEET_COLS "a.quiz_id, a.member_id, a.org_id, a.submitted_at, a.correct, a.score, a.passed, a.answers, m.name, o.name"
#define SHEET_FROM " FROM quiz_answer a JOIN member m ON m.id = a.member_id JOIN org o ON o.id = a.org_id"

int quiz_open_unanswered(db *d, int64_t member_id, const char *path, int64_t now, int64_t *n)
{
    return db_i64(d, n, 0, "SELECT count(*) FROM quiz z JOIN org s ON s.id = z.scope_org_id WHERE ? LIKE s.path || '%' AND z.opens_at <= ? "
                           "AND z.closes_at > ? AND NOT EXISTS (SELECT 1 FROM quiz_answer a WHERE a.quiz_id = z.id AND a.member_id = ?)",
                  "siii", path, now, now, member_id);
}

int quiz_sheet_get(db *d, int64_t quiz_id, int64_t member_id, quiz_sheet *out)
{
    db_stmt *s = db_prepare(d, "SELECT " SHEET_COLS SHEET_FROM " WHERE a.quiz_id = ? AND a.member_id = ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, quiz_id);
    db_bind_i64(s, 2, member_id);
    int rc = db_step(s);
    if (rc == DB_ROW) read_sheet(s, out);
    else memset(out, 0, sizeof *out);
    db_done(s);
    return rc == CX_ERR ? CX_ERR : rc == DB_ROW;
}

int quiz_sheets(db *d, int64_t quiz_id, const char *path, int64_t limit, int (*fn)(void *ctx, const quiz_sheet *s), void *ctx)
{
    char end[CX_PATH_MAX];
    orgpath_end(path, end, sizeof end);
    buf sql;
    buf_init(&sql);
    buf_printf(&sql, "SELECT " SHEET_COLS SHEET_FROM " WHERE a.quiz_id = ? AND o.path >= ? AND o.path < ? "
                     "ORDER BY a.score DESC, a.submitted_at, a.member_id LIMIT %" PRId64, limit > 0 ? limit : 100000);
    db_stmt *s = db_prepare(d, sql.p);
    buf_free(&sql);
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, quiz_id);
    db_bind_text(s, 2, path);
    db_bind_text(s, 3, end);
    return DB_EACH(s, quiz_sheet, read_sheet, fn, ctx);
}

int quiz_tally_get(db *d, int64_t quiz_id, const org *o, quiz_tally *t)
{
    memset(t, 0, sizeof *t);
    db_stmt *s = db_prepare(d, "SELECT answered, passed, score_sum FROM quiz_rollup WHERE quiz_id = ? AND org_id = ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, quiz_id);
    db_bind_i64(s, 2, o->id);
    int rc = db_step(s);
    if (rc == DB_ROW) t->answered = db_col_i64(s, 0), t->passed = db_col_i64(s, 1), t->score_sum = db_col_i64(s, 2);
    db_done(s);
    if (rc == CX_ERR) return CX_ERR;
    /* the members: the organisation's roll-up (org_tally), never counted here */
    return db_i64(d, &t->members, 0, "SELECT members_active FROM org_tally WHERE org_id = ?", "i", o->id);
}

typedef struct tally_ctx {
    db *d;
    int64_t quiz_id;
    int (*fn)(void *ctx, const org *child, const quiz_tally *t);
    void *ctx;
    int rc;
} tally_ctx;

static int tally_child(void *ctx, const org *o, int64_t nchildren, int64_t nmembers)
{
    (void)nchildren, (void)nmembers;
    tally_ctx *c = ctx;
    quiz_tally t;
    if (quiz_tally_get(c->d, c->quiz_id, o, &t) != CX_OK) return c->rc = CX_ERR, 1;
    return c->fn(c->ctx, o, &t);
}

int quiz_tally_children(db *d, int64_t quiz_id, const org *o, int (*fn)(void *ctx, const org *child, const quiz_tally *t), void *ctx)
{
    tally_ctx c = {d, quiz_id, fn, ctx, CX_OK};
    int rc = org_children_plain(d, o->id, false, tally_child, &c);
    return rc == CX_OK ? c.rc : rc;
}
