/* liaison.h: liaison points (联络点) in plain C: the rule as data (points per leader, visits a
 * year), where a leader stands against it, and the checks of what an office or a leader types (the
 * rule, an assignment's dates, a visit). No SQL, no HTTP. */
#ifndef CX_LIAISON_H
#define CX_LIAISON_H
#include <stdbool.h>
#include <stdint.h>
#include "../lib/util.h"

/* The rule of a subtree (table liaison_rule): points a leader keeps, min..max; visits a year a
 * leader makes to their points, leader_visits, or dept_visits for a leader whose grant is at an
 * organisation of the government sector (机关, a department). */
typedef struct liaison_rule {
    int64_t min_points, max_points, leader_visits, dept_visits;
} liaison_rule;
/* Seed 001: one to two points; seed 002: at least two visits a year for leaders, three for departments. */
extern const liaison_rule LIAISON_RULE_DEFAULT;
#define LIAISON_POINTS_MAX 20  /* the largest max_points a rule may set */
#define LIAISON_VISITS_MAX 365 /* the largest visits a year a rule may ask */

typedef struct liaison_rule_in {
    const char *min_points, *max_points, *leader_visits, *dept_visits;
} liaison_rule_in;
/* Checks, in this order: min_points (0..LIAISON_POINTS_MAX, invalid_min_points), max_points
 * (1..LIAISON_POINTS_MAX and not below min_points, invalid_max_points), leader_visits and
 * dept_visits (0..LIAISON_VISITS_MAX, invalid_leader_visits / invalid_dept_visits). A blank field
 * keeps the default's value. */
int liaison_rule_check(const liaison_rule_in *in, liaison_rule *out, cx_err *e);
/* The rule as one line ("每名领导干部 1–2 个联络点，每年走访至少 2 次（机关部门 3 次）"), for messages. */
void liaison_rule_text(const liaison_rule *r, char *out, size_t cap);
/* Visits a year the rule asks of a leader (dept: the leader's grant is at a government organisation). */
int64_t liaison_visits_required(const liaison_rule *r, bool dept);

/* Where a leader stands with npoints open points. */
typedef enum { LS_NONE = 0, LS_FEW, LS_OK, LS_MANY, LS_COUNT } liaison_standing;
liaison_standing liaison_standing_of(const liaison_rule *r, int64_t npoints);
const char *liaison_standing_name(liaison_standing s);  /* "none", "few", "ok", "many" */
const char *liaison_standing_label(liaison_standing s); /* "没有联络点" … */
int liaison_standing_from_name(const char *name);       /* -1 unknown */
/* Whether one more point may be assigned to a leader who keeps nopen: CX_OK, or CX_ERR with 422
 * too_many_points naming the rule (rule_from: the organisation whose rule it is). */
int liaison_may_add(const liaison_rule *r, int64_t nopen, const char *rule_from, cx_err *e);

/* A date of a point (since, until): blank for today, a date, not after today (future_date). */
int liaison_date_check(const char *in, const char *today, const char *field, const char *label, char out[11], cx_err *e);

#define LIAISON_TEXT_MAX 1000 /* characters of what was done, the problems found, the problems solved */
typedef struct visit_in {
    const char *visited_on, *done, *problems_found, *problems_solved;
} visit_in;
typedef struct visit_ok {
    char visited_on[11];
    char done[4 * LIAISON_TEXT_MAX + 1], problems_found[4 * LIAISON_TEXT_MAX + 1], problems_solved[4 * LIAISON_TEXT_MAX + 1];
} visit_ok;
/* Checks visited_on (required, a date, not after today: future_date), done (required, ≤
 * LIAISON_TEXT_MAX), problems_found and problems_solved (optional, ≤ LIAISON_TEXT_MAX). today:
 * "YYYY-MM-DD", NULL for date_today(). */
int visit_check(const visit_in *in, const char *today, visit_ok *out, cx_err *e);
#endif
