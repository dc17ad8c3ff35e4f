/* quiz.h: the question bank and quizzes (测试答题) in plain C: question types, answers as
 * canonical letters, scoring, the checks of a quiz as an office types it and of a study note, and
 * the bank parser that reads an office's spreadsheet (CSV or XLSX through lib/tabfile, title rows
 * above the header as real spreadsheets have them) into questions or a row-by-row report of what
 * was refused. No SQL, no HTTP.
 *
 * An answer is the letters of the options chosen, in order and without repeats: "A", "ACD"; a
 * 判断 question has the options 正确 (A) and 错误 (B). */
#ifndef CX_QUIZ_H
#define CX_QUIZ_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../lib/util.h"

typedef enum { QT_SINGLE = 0, QT_MULTIPLE, QT_TRUEFALSE, QT_COUNT } quiz_qtype;
/* "single" / "单选题"; "" out of range. from_name takes the stored name or a label as offices
 * write it (单选, 单选题, 单项选择题, 多选, 多选题, 多项选择题, 判断, 判断题), -1 when unknown. */
const char *qtype_name(quiz_qtype t);
const char *qtype_label(quiz_qtype t);
int qtype_from_name(const char *name);

#define QUIZ_OPTIONS_MAX 8      /* options A–H */
#define QUIZ_STEM_MAX 500       /* characters of a stem */
#define QUIZ_OPTION_MAX 200     /* characters of an option */
#define QUIZ_EXPLAIN_MAX 500    /* characters of an explanation */
#define QUIZ_TITLE_MAX 60
#define QUIZ_QUESTIONS_MAX 100  /* questions in one quiz */
#define QUIZ_BANK_ROWS_MAX 1000 /* questions in one imported file */
#define QUIZ_ISSUES_KEPT 200    /* refused rows listed in a report */
#define QUIZ_DAYS_MAX 92        /* the longest window */
#define STUDY_TEXT_MAX 3000     /* characters of a study note */
#define STUDY_MATERIAL_MAX 100  /* characters of the material of a self-study note */

typedef struct quiz_q {
    quiz_qtype type;
    int nopts;
    char stem[4 * QUIZ_STEM_MAX + 1];
    char opts[QUIZ_OPTIONS_MAX][4 * QUIZ_OPTION_MAX + 1];
    char answer[QUIZ_OPTIONS_MAX + 1];
    char explanation[4 * QUIZ_EXPLAIN_MAX + 1];
} quiz_q;

/* Reads an answer as typed (letters in either case, full-width too, separated or not by commas,
 * 、 or spaces; for 判断 also 对/错, 正确/错误, √/×, T/F, 是/否) into canonical letters out for a
 * question of type t with nopts options: one letter for single and 判断, one or more for
 * multiple. CX_OK, or CX_ERR (e: 422 invalid_option on field, naming the reason). Blank: 422
 * unanswered. */
int quiz_answer_parse(quiz_qtype t, int nopts, const char *in, const char *field, char out[QUIZ_OPTIONS_MAX + 1], cx_err *e);
/* The score out of 100 of correct answers out of n (rounded half up); 0 for n 0. */
int quiz_score(int correct, int n);
/* Whether a score passes pass_mark. */
bool quiz_passes(int score, int pass_mark);
/* The options as a JSON array text (malloc'd) and back: nopts options into opts (CX_ERR when
 * the text is no such array). */
char *quiz_options_json(const quiz_q *q);
int quiz_options_read(const char *json, quiz_q *q);

/* A time as an office types it: "YYYY-MM-DD HH:MM" (or with a T, as a datetime-local field
 * sends it, seconds optional) in local time, or unix seconds; CX_OK with *t. */
int quiz_time_parse(const char *in, int64_t *t);

/* A quiz as typed: title, opens_at, closes_at, pass_mark (0–100, blank 60). */
typedef struct quiz_in {
    const char *title, *opens_at, *closes_at, *pass_mark;
} quiz_in;
typedef struct quiz_ok {
    char title[4 * QUIZ_TITLE_MAX + 1];
    int64_t opens_at, closes_at;
    int pass_mark;
} quiz_ok;
/* Checks title (1–60 characters, one line), opens_at and closes_at (times: invalid_time; closes
 * after it opens and within QUIZ_DAYS_MAX days: invalid_window), pass_mark (invalid_pass_mark). */
int quiz_check(const quiz_in *in, quiz_ok *out, cx_err *e);

/* ---- the bank parser ---- */
typedef struct bank_issue {
    int64_t row;
    char column[32], code[48], reason[520];
} bank_issue;
typedef struct bank_parse {
    quiz_q *qs;
    int nq, capq;
    bank_issue *issues;
    int nissues, nkept; /* all refusals; those listed (at most QUIZ_ISSUES_KEPT) */
    int64_t header_row, rows;
    char kind[16];
} bank_parse;
/* Reads a bank file: the header row is the first of the top 10 non-empty rows naming 题干 and
 * 答案 (columns: 题型, 题干/题目/试题, 选项A–选项H or A–H, 答案/正确答案/参考答案, 解析/答案解析);
 * rows above it (titles) and notes rows under the data (填表说明：…) are skipped. Each data row
 * becomes a question or an issue naming its row, column and reason (题干 blank or too long, an
 * unknown 题型, fewer than two options for a choice question, an option skipped, an answer naming
 * no option, more than one letter for a single choice …). A blank 题型 is read from the answer (对/错:
 * 判断, several letters: 多选, else 单选). CX_OK with out filled (issues or not); CX_ERR with e
 * for a file that cannot be read (tabfile's bad_xlsx, bad_csv, bad_file), has no header row (422
 * no_header), no question (422 empty_file) or too many (422 too_many_rows). Free with
 * quiz_bank_free (also after CX_ERR). */
int quiz_bank_parse(const void *data, size_t len, bank_parse *out, cx_err *e);
void quiz_bank_free(bank_parse *b);
#endif
