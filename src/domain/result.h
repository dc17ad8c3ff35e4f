/* result.h: published results of a review round (issue 19, 评议结果公布): the window league table
 * (满意窗口排名, service windows only: posts and areas are rated as windows but never ranked here),
 * organisations' satisfaction and the 优秀 members after approval. Kinds, the input check, the
 * 1224-style ranking with a minimum of valid ballots, and the method in words. No SQL, no HTTP. */
#ifndef CX_RESULT_H
#define CX_RESULT_H
#include "../lib/util.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { RL_WINDOWS, RL_ORGS, RL_EXCELLENT, RL_COUNT } result_kind;
/* Organisations' satisfaction: the office's direct children, or every branch (支部) of its subtree. */
typedef enum { RSC_CHILDREN, RSC_BRANCHES, RSC_COUNT } result_scope;
const char *result_kind_name(result_kind k);
const char *result_kind_label(result_kind k);
int result_kind_from_name(const char *s); /* -1 when none */
const char *result_scope_name(result_scope s);
const char *result_scope_label(result_scope s);
int result_scope_from_name(const char *s);

#define RESULT_MIN_BALLOTS_DEFAULT 30
#define RESULT_MIN_BALLOTS_MAX 100000
#define RESULT_REASON_MAX 200

typedef struct result_in {
    const char *round_id, *kind, *scope, *min_ballots;
} result_in;
typedef struct result_ok {
    int64_t round_id;
    result_kind kind;
    result_scope scope;  /* RSC_CHILDREN unless kind is RL_ORGS */
    int min_ballots;     /* 0 for RL_EXCELLENT */
} result_ok;
/* Checks a publication's settings: round_id a positive id (422 invalid_round), kind (422
 * invalid_kind), scope children|branches for organisations (422 invalid_scope; blank: children),
 * min_ballots 1–100000 (422 invalid_min_ballots; blank: 30). */
int result_check(const result_in *in, result_ok *out, cx_err *e);

/* One line of a list: rank 0 = listed apart (样本不足: fewer valid ballots than the minimum, or
 * none); rate ×10000 ((满意 + 基本满意) / answers), -1 without answers. */
typedef struct result_line {
    int64_t ref_id, valid, rate;
    int rank;
    char name[256], org_name[256];
} result_line;
/* Ranks lines[0..n) and sorts them: those with at least min valid ballots (and answers) ranked by
 * rate, higher first; equal rates share a rank and the next skips (1, 2, 2, 4); within a rank, more
 * valid ballots first, then the name; then the lines listed apart (rank 0), by valid ballots, name.
 * min 0 (the 优秀 list): no ranking, the order by organisation name, then name. */
void result_rank(result_line *lines, int n, int min);
/* The method in words of a list (out of cap bytes). */
void result_method_text(result_kind k, result_scope s, int min, char *out, size_t cap);
/* rate ×10000 as "98.25%" ("—" when -1). */
void result_rate_text(int64_t rate, char out[24]);
#endif
