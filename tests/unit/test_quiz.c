/* test_quiz.c: unit tests of the question bank and quizzes in plain C: answers as typed into
 * canonical letters (and what is refused), scoring and the pass mark, options as JSON, the time an
 * office types, the checks of a quiz, the bank parser (the header under title rows, types read
 * from the answer, every refused row with its row, column and reason, notes rows, malformed and
 * headerless files) and the quiz predicates of domain/perm.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "domain/perm.h"
#include "domain/quiz.h"

static void answers_as_typed(void **st)
{
    (void)st;
    static const struct {
        quiz_qtype t;
        int nopts;
        const char *in, *want, *code; /* code NULL: accepted as want */
    } spec[] = {
        {QT_SINGLE, 4, "A", "A", NULL},
        {QT_SINGLE, 4, " ｄ ", "D", NULL},
        {QT_SINGLE, 4, "b", "B", NULL},
        {QT_SINGLE, 4, "E", NULL, "invalid_option"},
        {QT_SINGLE, 4, "AB", NULL, "invalid_option"},
        {QT_SINGLE, 4, "", NULL, "unanswered"},
        {QT_SINGLE, 4, " , ", NULL, "unanswered"},
        {QT_SINGLE, 4, "1", NULL, "invalid_option"},
        {QT_MULTIPLE, 4, "CA", "AC", NULL},
        {QT_MULTIPLE, 4, "A、C，d", "ACD", NULL},
        {QT_MULTIPLE, 4, "A,C", "AC", NULL},
        {QT_MULTIPLE, 4, "AA", NULL, "invalid_option"},
        {QT_MULTIPLE, 3, "ABD", NULL, "invalid_option"},
        {QT_MULTIPLE, 8, "HGFEDCBA", "ABCDEFGH", NULL},
        {QT_TRUEFALSE, 2, "对", "A", NULL},
        {QT_TRUEFALSE, 2, "错误", "B", NULL},
        {QT_TRUEFALSE, 2, "√", "A", NULL},
        {QT_TRUEFALSE, 2, "×", "B", NULL},
        {QT_TRUEFALSE, 2, "f", "B", NULL},
        {QT_TRUEFALSE, 2, "B", "B", NULL},
        {QT_TRUEFALSE, 2, "也许", NULL, "invalid_option"},
        {QT_TRUEFALSE, 2, "AB", NULL, "invalid_option"},
    };
    for (size_t i = 0; i < sizeof spec / sizeof spec[0]; i++) {
        char out[QUIZ_OPTIONS_MAX + 1] = "x";
        cx_err e = {0};
        int rc = quiz_answer_parse(spec[i].t, spec[i].nopts, spec[i].in, "q1", out, &e);
        if (spec[i].code) {
            if (rc != CX_ERR || strcmp(e.code, spec[i].code)) fail_msg("“%s”: %s, wanted %s", spec[i].in, rc == CX_OK ? out : e.code, spec[i].code);
            assert_string_equal(e.field, "q1");
        } else {
            if (rc != CX_OK) fail_msg("“%s”: %s %s", spec[i].in, e.code, e.msg);
            assert_string_equal(out, spec[i].want);
        }
    }
    char longin[100];
    memset(longin, 'A', sizeof longin - 1);
    longin[99] = 0;
    char out[QUIZ_OPTIONS_MAX + 1];
    cx_err e = {0};
    assert_int_equal(quiz_answer_parse(QT_MULTIPLE, 4, longin, "q2", out, &e), CX_ERR);
    assert_int_equal(quiz_answer_parse(QT_SINGLE, 4, NULL, "q2", out, &e), CX_ERR);
    assert_string_equal(e.code, "unanswered");
}

static void scores_and_pass_marks(void **st)
{
    (void)st;
    assert_int_equal(quiz_score(0, 5), 0);
    assert_int_equal(quiz_score(5, 5), 100);
    assert_int_equal(quiz_score(3, 5), 60);
    assert_int_equal(quiz_score(1, 3), 33);
    assert_int_equal(quiz_score(2, 3), 67); /* 66.67, half up */
    assert_int_equal(quiz_score(1, 8), 13); /* 12.5 → 13 */
    assert_int_equal(quiz_score(0, 0), 0);
    assert_true(quiz_passes(60, 60));
    assert_false(quiz_passes(59, 60));
    assert_true(quiz_passes(0, 0));
}

static void options_and_times(void **st)
{
    (void)st;
    quiz_q q = {.nopts = 2};
    snprintf(q.opts[0], sizeof q.opts[0], "甲\"引号\"");
    snprintf(q.opts[1], sizeof q.opts[1], "乙");
    char *j = quiz_options_json(&q);
    quiz_q r = {0};
    assert_int_equal(quiz_options_read(j, &r), CX_OK);
    free(j);
    assert_int_equal(r.nopts, 2);
    assert_string_equal(r.opts[0], "甲\"引号\"");
    assert_int_equal(quiz_options_read("{\"a\":1}", &r), CX_ERR);
    int64_t t = 0, u = 0;
    assert_int_equal(quiz_time_parse("1790000000", &t), CX_OK);
    assert_int_equal(t, 1790000000);
    assert_int_equal(quiz_time_parse("2026-09-01 08:00", &t), CX_OK);
    assert_int_equal(quiz_time_parse("2026-09-01T08:00", &u), CX_OK);
    assert_int_equal(t, u);
    assert_int_equal(quiz_time_parse("2026-09-01T08:00:30", &u), CX_OK);
    assert_int_equal(u - t, 30);
    const char *bad[] = {"", "2026-02-30 08:00", "2026-09-01", "2026-09-01 24:00", "12", "2026-09-01X08:00", NULL};
    for (int i = 0; bad[i]; i++)
        if (quiz_time_parse(bad[i], &t) == CX_OK) fail_msg("“%s” read as a time", bad[i]);
}

static void a_quiz_as_typed(void **st)
{
    (void)st;
    quiz_ok ok;
    cx_err e = {0};
    quiz_in in = {"党章知识测试", "2026-09-01 08:00", "2026-09-07 18:00", ""};
    assert_int_equal(quiz_check(&in, &ok, &e), CX_OK);
    assert_int_equal(ok.pass_mark, 60);
    static const struct { quiz_in in; const char *code, *field; } bad[] = {
        {{"", "2026-09-01 08:00", "2026-09-07 18:00", "60"}, "required", "title"},
        {{"测试", "明天", "2026-09-07 18:00", "60"}, "invalid_time", "opens_at"},
        {{"测试", "2026-09-01 08:00", "2026-08-07 18:00", "60"}, "invalid_window", "closes_at"},
        {{"测试", "2026-09-01 08:00", "2026-12-31 18:00", "60"}, "invalid_window", "closes_at"},
        {{"测试", "2026-09-01 08:00", "2026-09-07 18:00", "101"}, "invalid_pass_mark", "pass_mark"},
        {{"测试", "2026-09-01 08:00", "2026-09-07 18:00", "六十"}, "invalid_pass_mark", "pass_mark"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cx_err x = {0};
        assert_int_equal(quiz_check(&bad[i].in, &ok, &x), CX_ERR);
        assert_string_equal(x.code, bad[i].code);
        assert_string_equal(x.field, bad[i].field);
    }
}

static int parse(const char *text, bank_parse *b, cx_err *e)
{
    memset(e, 0, sizeof *e);
    return quiz_bank_parse(text, strlen(text), b, e);
}

static void the_bank_parser(void **st)
{
    (void)st;
    bank_parse b;
    cx_err e;
    /* a title row, a blank row, the header (synonyms, options as A–D), a notes row under the data */
    const char *good = "2026年学习测试题库,,,,,,\r\n,,,\r\n题目,A,B,C,D,正确答案,答案解析\r\n"
                       "党的根本宗旨是？,全心全意为人民服务,实事求是,,,A,党章\r\n"
                       "“三会”是指？,支部党员大会,支部委员会,党小组会,民主生活会,ABC,\r\n"
                       "预备期为一年。,,,,,对,\r\n"
                       "填表说明：答案填写选项字母。\r\n";
    assert_int_equal(parse(good, &b, &e), CX_OK);
    assert_int_equal(b.header_row, 3);
    assert_int_equal(b.nq, 3);
    assert_int_equal(b.nissues, 0);
    assert_int_equal(b.qs[0].type, QT_SINGLE);
    assert_int_equal(b.qs[0].nopts, 2);
    assert_string_equal(b.qs[0].explanation, "党章");
    assert_int_equal(b.qs[1].type, QT_MULTIPLE);
    assert_string_equal(b.qs[1].answer, "ABC");
    assert_int_equal(b.qs[2].type, QT_TRUEFALSE);
    assert_string_equal(b.qs[2].opts[1], "错误");
    assert_string_equal(b.kind, "csv-utf8");
    quiz_bank_free(&b);
    /* every kind of refused row, each named by row and column */
    const char *bad = "题型,题干,选项A,选项B,选项C,答案\n"
                      "单选题,,甲,乙,,A\n"              /* 2: 题干 blank */
                      "单选题,一,甲,乙,丙,AB\n"         /* 3: two letters to a single choice */
                      "单选题,二,甲,,丙,A\n"            /* 4: 选项B skipped */
                      "问答题,三,甲,乙,,A\n"            /* 5: an unknown type */
                      "多选题,四,甲,乙,丙,\n"           /* 6: no answer */
                      "单选题,五,甲,,,A\n"              /* 7: one option */
                      "判断题,六,,,,也许\n"             /* 8: neither true nor false */
                      "单选题,七,甲,乙,丙,D\n"          /* 9: an option that is not there */
                      "多选题,八,甲,乙,丙,AC\n";        /* 10: fine */
    assert_int_equal(parse(bad, &b, &e), CX_OK);
    static const struct { int64_t row; const char *column, *code; } want[] = {
        {2, "题干", "required"}, {3, "答案", "invalid_answer"}, {4, "选项B", "option_missing"}, {5, "题型", "invalid_type"},
        {6, "答案", "answer_missing"}, {7, "选项B", "too_few_options"}, {8, "答案", "invalid_answer"}, {9, "答案", "invalid_answer"}};
    assert_int_equal(b.nissues, 8);
    assert_int_equal(b.nq, 1);
    for (int i = 0; i < 8; i++) {
        assert_int_equal(b.issues[i].row, want[i].row);
        assert_string_equal(b.issues[i].column, want[i].column);
        assert_string_equal(b.issues[i].code, want[i].code);
        assert_true(strlen(b.issues[i].reason) > 0);
    }
    assert_non_null(strstr(b.issues[1].reason, "单选题只能选一个"));
    assert_null(strstr(b.issues[1].reason, "答案："));
    quiz_bank_free(&b);
    /* files that are no bank */
    assert_int_equal(parse("姓名,性别\n张三,男\n", &b, &e), CX_ERR);
    assert_string_equal(e.code, "no_header");
    quiz_bank_free(&b);
    assert_int_equal(parse("题干,答案\n", &b, &e), CX_ERR);
    assert_string_equal(e.code, "empty_file");
    quiz_bank_free(&b);
    assert_int_equal(parse("", &b, &e), CX_ERR);
    quiz_bank_free(&b);
    assert_int_equal(parse("题干,答案\n\"不闭合,A\n", &b, &e), CX_ERR);
    assert_string_equal(e.code, "bad_csv");
    quiz_bank_free(&b);
    assert_int_equal(quiz_bank_parse("PK\3\4garbage-garbage-garbage", 27, &b, &e), CX_ERR);
    assert_string_equal(e.code, "bad_xlsx");
    quiz_bank_free(&b);
    /* the header further down than ten rows is not looked for */
    char deep[512] = "";
    for (int i = 0; i < 11; i++) strcat(deep, "标题\n");
    strcat(deep, "题干,答案\n一,对\n");
    assert_int_equal(parse(deep, &b, &e), CX_ERR);
    assert_string_equal(e.code, "no_header");
    quiz_bank_free(&b);
    /* too many rows */
    size_t cap = 64 * (QUIZ_BANK_ROWS_MAX + 2);
    char *many = malloc(cap);
    size_t n = (size_t)snprintf(many, cap, "题干,选项A,选项B,答案\n");
    for (int i = 0; i <= QUIZ_BANK_ROWS_MAX; i++) n += (size_t)snprintf(many + n, cap - n, "第%d题,甲,乙,A\n", i);
    assert_int_equal(quiz_bank_parse(many, n, &b, &e), CX_ERR);
    assert_string_equal(e.code, "too_many_rows");
    quiz_bank_free(&b);
    free(many);
}

static void who_may_do_what(void **st)
{
    (void)st;
    principal office = {.ngrants = 1, .grants = {{ROLE_OFFICE, 1, "/1/"}}};
    principal sec = {.ngrants = 1, .grants = {{ROLE_SECRETARY, 3, "/1/2/3/"}}};
    principal mem = {.member_id = 9, .ngrants = 1, .grants = {{ROLE_MEMBER, 3, "/1/2/3/"}}};
    assert_true(perm_may_run_quiz(&office, "/1/2/"));
    assert_false(perm_may_run_quiz(&sec, "/1/2/3/"));
    assert_true(perm_sees_quiz_results(&sec, "/1/2/3/"));
    assert_false(perm_sees_quiz_results(&sec, "/1/2/"));
    assert_false(perm_sees_quiz_results(&mem, "/1/2/3/"));
    assert_true(perm_may_answer_quiz(&mem, 9, "/1/2/3/", "/1/2/"));
    assert_false(perm_may_answer_quiz(&mem, 10, "/1/2/3/", "/1/2/"));   /* another member's record */
    assert_false(perm_may_answer_quiz(&mem, 9, "/1/2/3/", "/1/5/"));    /* outside the scope */
    assert_false(perm_may_answer_quiz(&office, 0, "/1/2/3/", "/1/"));   /* no member record */
    assert_true(perm_may_read_study_notes(&sec, "/1/2/3/"));
    assert_false(perm_may_read_study_notes(&mem, "/1/2/3/"));
    assert_true(perm_may_see_study_note(&mem, "/1/2/3/", 9));
    assert_false(perm_may_see_study_note(&mem, "/1/2/3/", 10));
    assert_true(perm_may_see_study_note(&office, "/1/2/3/", 10));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(answers_as_typed), cmocka_unit_test(scores_and_pass_marks), cmocka_unit_test(options_and_times),
        cmocka_unit_test(a_quiz_as_typed), cmocka_unit_test(the_bank_parser), cmocka_unit_test(who_may_do_what),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
