/* review_int.h: what the review store files (campaign, round, review, charge, grading, grade,
 * grade_recount) share among themselves and nobody else calls. */
#ifndef CX_REVIEW_INT_H
#define CX_REVIEW_INT_H
#include "store.h"
#include "campaign.h"
#include "round.h"
#include "grading.h"

/* campaign.c */
/* Begins a write transaction with the campaign loaded (404 when missing). */
int begin_campaign(db *d, int64_t id, campaign *c, cx_err *e);
/* Refuses a period [sd, ed] (checked by the domain) outside [lo, hi] (when given): outside_campaign. */
int period_inside(const char *sd, const char *ed, const char *lo, const char *hi, const char *what, cx_err *e);

/* round.c */
/* Begins a write transaction with the round loaded; refuses a missing or closed round. */
int begin_open_round(db *d, int64_t round_id, review_round *rd, cx_err *e);
/* Refuses a target outside the round's subtree. */
int round_covers(db *d, const review_round *rd, const char *path, const char *name, cx_err *e);

/* grading.c */
/* Appends to a note, separated by "；", cutting at a character boundary when it does not fit. */
void note_add(char *note, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The correction a 不合格 leads to (限期改正). */
void note_correction(char *note, size_t cap, int grade, bool is_org);
/* "org" or "member": grade.target_kind. */
const char *kind_of(bool is_org);
/* bsearch over grade_calc rows by target id (key: int64_t). */
int calc_cmp(const void *k, const void *e);
/* Takes a stored row out of the roll-ups (deltas) and deletes it. */
int drop_grade(db *d, int64_t round_id, bool is_org, int64_t target_id, bool deltas);
/* Replaces the stored rows of the computed targets; redo: why, or "". deltas: move the counters. */
int put_grades(db *d, const review_round *rd, bool is_org, const grade_calc *rows, size_t n, const char *redo, bool deltas);
/* Computes the scope and replaces its stored rows; inside the caller's transaction. */
int restore_scope(db *d, const review_round *rd, const org *o, bool is_org, size_t *n, int64_t counts[5], const char *redo,
                  bool deltas);
#endif
