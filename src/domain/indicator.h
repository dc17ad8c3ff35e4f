/* indicator.h: indicators (具体化的指标) of a standard set, by which an office breaks 五个好, 五带头,
 * 四强 … into local, pointed criteria: the check of what an office types, the set's grade rule in
 * points, and the points-weighted score of a review given indicator by indicator. Pure C. */
#ifndef CX_INDICATOR_H
#define CX_INDICATOR_H
#include "review.h"

#define IND_MAX STD_MAX_ITEMS        /* indicators of one set: one review digit each */
#define IND_POINTS_MAX 100           /* points of one indicator: 1–100 */

/* What is typed for one indicator: the item it details (1-based), its title and points, each as
 * text (a form field or a JSON value as req_in gives it); NULL when missing. */
typedef struct indicator_in {
    const char *item_seq, *title, *points;
} indicator_in;
typedef struct indicator_ok {
    int item_seq, points;
    char title[RV_BYTES(60)];
} indicator_ok;

/* Checks n indicators (0–IND_MAX, invalid_indicators) of a set of nitems items: item_seq
 * 1–nitems (field indicators[i].item_seq), title 1–60 characters, points 1–100 (invalid_points);
 * every item detailed by at least one indicator when there are any (missing_indicator). */
int indicators_check(const indicator_in *in, int n, int nitems, indicator_ok *out, cx_err *e);

/* A set's grade rule: thresholds in points of its total for 优秀/好, 合格/较好, 基本合格/一般, as
 * text (NULL or "" each: no rule, the campaign's percentages apply, all three or none). On
 * success *has is whether there is a rule and t[0..2] the thresholds: 0 ≤ basic ≤ qualified ≤
 * excellent ≤ total (invalid_rule). */
int set_rule_check(const char *excellent, const char *qualified, const char *basic, int total, int t[3], bool *has, cx_err *e);

/* The score ×100 (0–10000) of review levels given one digit per indicator (1 好 … 4 差), each
 * level's value (r->l_lv) weighted by the indicator's points; -1 when levels is malformed. */
int64_t points_score(const review_rules *r, const char *levels, const int *points, int n);

/* The campaign's rules with a set's thresholds in points of total turned into its percentages
 * (rounded up: a score reaches the threshold only with the points asked). */
void rules_with_set(review_rules *r, const int t[3], int total);
#endif
