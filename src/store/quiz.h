/* quiz.h: the question bank of an office and quizzes (测试答题, migration 0028): a bank imported
 * from a spreadsheet all or nothing; a quiz an office assigns to a subtree with questions chosen
 * from its bank or drawn from it, copied into the quiz; members of the subtree answer once inside
 * the window, scored here; quiz_rollup (answered, passed, score_sum per quiz and organisation over
 * its subtree) is kept in the transaction of each answer and rebuilt by `cxzy recount` (period.c). */
#ifndef CX_QUIZ_STORE_H
#define CX_QUIZ_STORE_H
#include "store.h"
#include "../domain/quiz.h"

/* Adds every question of b to the bank of office in one transaction, audited (counts only, never
 * an answer); refused when b has any issue (nothing is imported). */
int question_import(db *d, const actor *a, const org *office, const bank_parse *b, const char *filename, int64_t *imported, cx_err *e);

typedef struct question {
    int64_t id, org_id, created_at;
    quiz_q q;
    bool in_open_quiz; /* used by a quiz not yet closed */
    char imported_from[128];
} question;
/* The bank of office, oldest first (at most limit, 0: all). */
int question_list(db *d, int64_t org_id, int64_t limit, int (*fn)(void *ctx, const question *q), void *ctx);
CX_MUST_USE int question_count(db *d, int64_t org_id, int64_t *n);

typedef struct quiz {
    int64_t id, org_id, scope_org_id, opens_at, closes_at, nquestions, created_at, version;
    int pass_mark;
    char title[4 * QUIZ_TITLE_MAX + 1], created_by_name[64];
    char org_name[256], org_path[CX_PATH_MAX], scope_name[256], scope_path[CX_PATH_MAX];
} quiz;
/* The state of a quiz at now: 0 not open yet, 1 open, 2 closed. */
int quiz_state(const quiz *x, int64_t now);

/* Creates a quiz of office over the subtree of scope_org_id (0: the office's own) with the bank
 * questions question_ids (comma-separated, in that order) or, when blank, draw_n questions drawn
 * at random from the bank. Errors: scope outside the office's subtree 404; a question id not in the
 * office's bank 422 invalid_question; none chosen or more than QUIZ_QUESTIONS_MAX 422
 * invalid_questions; draw_n above the bank 422 bank_too_small. */
int quiz_create(db *d, const actor *a, const org *office, const quiz_ok *ok, int64_t scope_org_id, const char *question_ids, int64_t draw_n,
                int64_t *id, cx_err *e);
CX_MUST_USE int quiz_get(db *d, int64_t id, quiz *x);
/* Closes an open quiz now (提前结束); 409 not_open when it is not open. */
int quiz_close_now(db *d, const actor *a, int64_t id, cx_err *e);
/* The questions of a quiz in order, with their answers: callers decide what to show. */
int quiz_items(db *d, int64_t id, int (*fn)(void *ctx, int seq, const quiz_q *q), void *ctx);
/* Quizzes issued at o or in its subtree, and those whose scope covers o, newest first (≤ 200). */
int quiz_list(db *d, const org *o, int (*fn)(void *ctx, const quiz *x), void *ctx);
/* Quizzes whose scope covers the organisation at path, that have opened by now or open later, newest first. */
int quiz_list_for_path(db *d, const char *path, int (*fn)(void *ctx, const quiz *x), void *ctx);
/* The newest quiz opened by now that covers o or was issued at or under it (dashboard): 1, 0 none. */
CX_MUST_USE int quiz_latest(db *d, const org *o, int64_t now, quiz *x);

typedef struct quiz_sheet {
    int64_t quiz_id, member_id, org_id, submitted_at;
    int correct, score, n;
    bool passed;
    char answers[QUIZ_QUESTIONS_MAX][QUIZ_OPTIONS_MAX + 1];
    char member_name[64], org_name[256];
} quiz_sheet;
/* Records member_id's answers (in[i]: the letters for question i + 1, as quiz_answer_parse gives
 * them; n must be the quiz's number of questions) at now, scored here, and adds it to quiz_rollup
 * at the member's organisation and every ancestor, in one transaction, audited (the score only).
 * Errors: 404 not_found (no quiz, or the member not in its scope or inactive); 409 not_open (before
 * it opens) or closed (after); 409 already_answered (also the second of two at once). */
int quiz_submit(db *d, const actor *a, int64_t quiz_id, int64_t member_id, char (*in)[QUIZ_OPTIONS_MAX + 1], int n, int64_t now,
                quiz_sheet *out, cx_err *e);
/* The quizzes open at now over the organisation at path that member_id has not answered (the desk). */
CX_MUST_USE int quiz_open_unanswered(db *d, int64_t member_id, const char *path, int64_t now, int64_t *n);
/* member_id's answer sheet of quiz_id: 1, 0 none, CX_ERR. */
CX_MUST_USE int quiz_sheet_get(db *d, int64_t quiz_id, int64_t member_id, quiz_sheet *s);
/* Whether the member's organisation lies in the quiz's scope: 1, 0 (also an inactive member), CX_ERR. */
CX_MUST_USE int quiz_member_in_scope(db *d, const quiz *x, int64_t member_id);

typedef struct quiz_tally {
    int64_t answered, passed, score_sum, members;
} quiz_tally;
/* The roll-up of quiz_id over the subtree of org (members: its active members now, from org_tally). */
CX_MUST_USE int quiz_tally_get(db *d, int64_t quiz_id, const org *o, quiz_tally *t);
/* The same for each active direct child of o, ordered by name. */
int quiz_tally_children(db *d, int64_t quiz_id, const org *o, int (*fn)(void *ctx, const org *child, const quiz_tally *t), void *ctx);
/* The answer sheets of quiz_id in the subtree at path, highest score first (≤ limit). */
int quiz_sheets(db *d, int64_t quiz_id, const char *path, int64_t limit, int (*fn)(void *ctx, const quiz_sheet *s), void *ctx);
#endif
