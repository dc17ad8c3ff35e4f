/* contest.h: 三比 contests (migration 0031): a contest of an office over its subtree, its scoring
 * items, entrants and judges; judges' scores (hundredths), saved as drafts and submitted once;
 * the result computed from the submitted judges' scores (domain/contest.h) and, when published,
 * frozen in contest_result, which `cxzy recount` recomputes and never adopts silently. */
#ifndef CX_CONTEST_STORE_H
#define CX_CONTEST_STORE_H
#include "store.h"
#include "../domain/contest.h"

typedef struct contest {
    int64_t id, org_id, created_at, closed_at, published_at, version;
    int year, drop, njudges, nsubmitted, nitems, nentrants, weight_sum;
    contest_kind kind;
    contest_entrant_kind entrant_kind;
    contest_status status;
    char kind_name[4 * CONTEST_KIND_NAME_MAX + 1], title[4 * CONTEST_TITLE_MAX + 1], created_by_name[64];
    char org_name[256], org_path[CX_PATH_MAX];
    char method[1024];
} contest;
CX_MUST_USE int contest_get(db *d, int64_t id, contest *c);
/* Contests of offices at or under the organisation at path, and of offices above it (newest first, ≤ 200). */
int contest_list(db *d, const char *path, int (*fn)(void *ctx, const contest *c), void *ctx);
/* Contests user_id judges, newest first. */
int contest_list_judged(db *d, int64_t user_id, int (*fn)(void *ctx, const contest *c), void *ctx);
/* Contests open for scoring where user_id is a judge who has not submitted (the judge's desk). */
int contest_list_to_score(db *d, int64_t user_id, int (*fn)(void *ctx, const contest *c), void *ctx);

int contest_create(db *d, const actor *a, const org *office, const contest_ok *ok, int64_t *id, cx_err *e);
/* Setup, in draft only (409 not_draft otherwise): an item; entrants by id (ids: comma, space or
 * newline separated; each of the contest's entrant kind, active, in the office's subtree: 422
 * invalid_entrant naming it; one already entered skipped); a judge (an active account holding a
 * role other than member at an organisation of the office's subtree or above it: 422
 * invalid_judge, one message whatever the reason). A judge who is an entrant, or belongs to an entrant
 * organisation or window's organisation, is refused either way: 422 conflict_of_interest. */
int contest_item_add(db *d, const actor *a, int64_t id, const char *name, int weight, int max_score, cx_err *e);
int contest_entrants_add(db *d, const actor *a, int64_t id, const char *ids, int *added, cx_err *e);
/* Entrants from the rows of a spreadsheet (contest_sheet_read): each row an id, or a name matched
 * among the contest's kind in the office's subtree; a row that matches none, or several (the
 * ids named: fill in the id instead), is reported by its row number, and then nothing is added
 * (422 invalid_entrant, field "file", the first three rows named, all counted). Audited as add_entrants. */
int contest_entrants_import(db *d, const actor *a, int64_t id, const contest_sheet_row *rows, int nrows, int *added, cx_err *e);
int contest_judge_add(db *d, const actor *a, int64_t id, int64_t user_id, cx_err *e);
/* The one refusal of a judge (422 invalid_judge): no such account, not staff, stopped, or outside
 * the office's area (its subtree and the organisations above it) alike. */
int contest_judge_refused(cx_err *e, const char *office);
/* draft → open: items whose weights sum to 100 (422 invalid_weights), at least two entrants (422
 * too_few_entrants) and CONTEST_JUDGES_MIN judges (422 too_few_judges). */
int contest_open(db *d, const actor *a, int64_t id, cx_err *e);
/* open → closed: at least one judge submitted (409 no_submissions). */
int contest_close(db *d, const actor *a, int64_t id, cx_err *e);
/* closed (or published: a re-publication after recount reported a difference) → published: the
 * result computed now is frozen with the method text, audited with what it replaces. */
int contest_publish(db *d, const actor *a, int64_t id, cx_err *e);

typedef struct contest_item {
    int64_t id;
    int seq, weight, max_score;
    char name[4 * CONTEST_ITEM_NAME_MAX + 1];
} contest_item;
int contest_items(db *d, int64_t id, int (*fn)(void *ctx, const contest_item *it), void *ctx);
typedef struct contest_entrant {
    int64_t id, ref_id, org_id;
    contest_entrant_kind kind;
    bool moved; /* contest_entrants only: now outside the office's subtree (transferred after entry; stays, with a note) */
    char name[256], org_name[256], org_path[CX_PATH_MAX];
} contest_entrant;
int contest_entrants(db *d, int64_t id, int (*fn)(void *ctx, const contest_entrant *e), void *ctx);
typedef struct contest_judge {
    int64_t user_id, submitted_at;
    bool stopped; /* the account is stopped or locked: unless submitted, the judge's drafts count for nothing */
    char name[64], username[64];
} contest_judge;
int contest_judges(db *d, int64_t id, int (*fn)(void *ctx, const contest_judge *j), void *ctx);
/* user_id's place: 1 a judge of the contest (j filled), 0 not, CX_ERR. */
CX_MUST_USE int contest_judge_get(db *d, int64_t id, int64_t user_id, contest_judge *j);

/* One cell a judge scores. */
typedef struct contest_cell {
    int64_t entrant_id, item_id, score; /* score in hundredths, or CONTEST_CELL_CLEAR */
} contest_cell;
#define CONTEST_CELL_CLEAR (-1) /* a cell's score that removes the judge's draft value: not scored */
/* user_id's own scores of the contest (never anyone else's). */
int contest_my_scores(db *d, int64_t id, int64_t user_id, int (*fn)(void *ctx, const contest_cell *c), void *ctx);
/* Saves the judge's cells (each of an entrant and an item of this contest: 422 invalid_entrant /
 * invalid_item, nothing saved) while the contest is open and the judge has not submitted (409
 * not_open / already_submitted); a cell of CONTEST_CELL_CLEAR removes that draft value (never stored as
 * 0); final: then submits, which needs every entrant × item scored (422
 * incomplete) and happens once (the second of two at once: 409 already_submitted). Audited (counts
 * only, never a score). */
int contest_scores_save(db *d, const actor *a, int64_t id, int64_t user_id, const contest_cell *cells, int n, bool final, cx_err *e);

/* The result of a contest from the submitted judges' scores now: lines[i] for entrants[i], in the
 * order of the ranking. */
typedef struct contest_result_row {
    contest_entrant e;
    contest_line line;
    int64_t totals[CONTEST_JUDGES_MAX]; /* each submitted judge's weighted total (computed results only) */
} contest_result_row;
typedef struct contest_result {
    contest_result_row *rows;
    int n, njudges;
    char method[1024];
} contest_result;
int contest_compute(db *d, const contest *c, contest_result *out);
/* The frozen published result (rows ranked). */
int contest_published(db *d, const contest *c, contest_result *out);
void contest_result_free(contest_result *r);
/* `cxzy recount`: every published contest recomputed from its scores and compared with its frozen
 * rows; each difference written to out and counted in *diffs. fix never adopts (the office
 * re-publishes, audited): the differences are only listed. */
int contest_recount(db *d, bool fix, FILE *out, int64_t *diffs);
/* Dashboards and bulletins: contests of offices in the subtree at path published in [t0, t1) (unix
 * times; a range of the contest_path index), counted, and listed (newest last, at most limit). */
int contest_count_published(db *d, const char *path, int64_t t0, int64_t t1, int64_t *n);
int contest_list_published(db *d, const char *path, int64_t t0, int64_t t1, int limit, int (*fn)(void *ctx, const contest *c), void *ctx);
#endif
