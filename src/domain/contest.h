/* contest.h: 三比 contests (比技能、比作风、比业绩, or an office's own kind) in plain C: the kinds
 * and entrant kinds, the checks of a contest and of a scoring item as an office types them, a score
 * as a judge types it, and the result: each judge's weighted total, the trimmed mean (drop the
 * `drop` highest and lowest totals; the plain mean when fewer than 3 + 2 × drop judges submitted),
 * the tie rule (the higher untrimmed mean, then the higher best weighted item, then equal rank) and
 * ranks 1224-style, with the method in words. No SQL, no HTTP.
 *
 * Scores are kept in hundredths (85.5 is 8550); every figure of a result is in hundredths, rounded
 * half up, so that a result recomputed from the stored scores is the same to the digit. */
#ifndef CX_CONTEST_H
#define CX_CONTEST_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../lib/util.h"

typedef enum { CK_SKILL = 0, CK_CONDUCT, CK_RESULTS, CK_CUSTOM, CK_COUNT } contest_kind;
typedef enum { CE_MEMBER = 0, CE_ORG, CE_WINDOW, CE_COUNT } contest_entrant_kind;
typedef enum { CS_DRAFT = 0, CS_OPEN, CS_CLOSED, CS_PUBLISHED, CS_COUNT } contest_status;
/* "skill" / "比技能"; from_name: -1 when unknown. */
const char *contest_kind_name(contest_kind k);
const char *contest_kind_label(contest_kind k);
int contest_kind_from_name(const char *s);
const char *contest_entrant_kind_name(contest_entrant_kind k);
const char *contest_entrant_kind_label(contest_entrant_kind k);
int contest_entrant_kind_from_name(const char *s);
const char *contest_status_name(contest_status s);
const char *contest_status_label(contest_status s);
int contest_status_from_name(const char *s);

#define CONTEST_TITLE_MAX 60
#define CONTEST_KIND_NAME_MAX 20
#define CONTEST_ITEM_NAME_MAX 40
#define CONTEST_ITEMS_MAX 20
#define CONTEST_ENTRANTS_MAX 500
#define CONTEST_JUDGES_MAX 30
#define CONTEST_JUDGES_MIN 3   /* judges a contest needs before it opens */
#define CONTEST_DROP_MAX 5     /* highest and lowest totals dropped at most */
#define CONTEST_SCORE_MAX 1000 /* the largest maximum score of an item */

/* A contest as typed: kind (skill, conduct, results, custom, or their labels), kind_name (the
 * office's own name of a custom kind), title, year, entrant_kind (member, org, window), drop
 * (blank 1). */
typedef struct contest_in {
    const char *kind, *kind_name, *title, *year, *entrant_kind, *drop;
} contest_in;
typedef struct contest_ok {
    contest_kind kind;
    contest_entrant_kind entrant_kind;
    int year, drop;
    char kind_name[4 * CONTEST_KIND_NAME_MAX + 1], title[4 * CONTEST_TITLE_MAX + 1];
} contest_ok;
/* Checks each field: invalid_kind, invalid_kind_name (blank for custom, or too long), invalid_title,
 * invalid_year (2000–2100), invalid_entrant_kind, invalid_drop (0–CONTEST_DROP_MAX). */
int contest_check(const contest_in *in, contest_ok *out, cx_err *e);
/* A scoring item as typed: name (1–40 characters), weight (1–100: invalid_weight), max_score
 * (1–CONTEST_SCORE_MAX, blank 100: invalid_max_score). */
int contest_item_check(const char *name, const char *weight, const char *max_score, char out_name[4 * CONTEST_ITEM_NAME_MAX + 1], int *w,
                       int *max, cx_err *e);
/* A score as a judge types it ("85", "85.5", "85.25"; full-width digits too) for an item of max
 * points into hundredths: 422 invalid_score on field naming the reason (not a number, more than
 * two decimals, below 0, above max). */
int contest_score_parse(const char *in, int max, const char *field, int64_t *hundredths, cx_err *e);
/* The same for a JSON number (NaN and infinities refused). */
int contest_score_number(double v, int max, const char *field, int64_t *hundredths, cx_err *e);
/* hundredths as text: "85", "85.5", "85.25". */
void contest_score_text(int64_t h, char out[24]);

/* ---- the result ---- */
typedef struct contest_item_w {
    int weight, max_score;
} contest_item_w;
/* One judge's weighted total of one entrant in hundredths: Σ score/max × weight over the items
 * (scores in hundredths, one per item), rounded half up; *best: the highest single weighted item. */
int64_t contest_weighted(const contest_item_w *items, int nitems, const int64_t *scores, int64_t *best);
/* The totals of one entrant from the n judges who submitted, in hundredths. */
typedef struct contest_line {
    int64_t score;     /* the trimmed mean (or the plain mean, see trimmed) */
    int64_t mean;      /* the untrimmed mean */
    int64_t best;      /* the mean over judges of the highest weighted item (the second tie rule) */
    int rank;          /* 1224-style */
    bool trimmed;      /* the trimmed mean was used */
    int judges;        /* how many totals */
} contest_line;
/* The result of one entrant from totals[0..n) and bests[0..n) (each judge's best weighted item). */
void contest_line_make(const int64_t *totals, const int64_t *bests, int n, int drop, contest_line *out);
/* Whether n submitted judges are enough to drop drop highest and lowest: n ≥ 3 + 2 × drop. */
bool contest_trims(int n, int drop);
/* Ranks lines[0..n) in place (rank only; the order is the caller's): higher score first, then the
 * higher untrimmed mean, then the higher best item; lines equal on all three share a rank and the
 * next rank skips (1, 2, 2, 4). */
void contest_rank(contest_line *lines, int n);
/* The method in words for a contest with drop and njudges submitted (out of cap bytes). */
void contest_method_text(int drop, int njudges, char *out, size_t cap);

/* Entrants from a spreadsheet (CSV or XLSX, read as the roster is: lib/tabfile.h): one entrant a
 * row, the row's first non-empty cell, a name or an id; a first row whose cell is a heading
 * (姓名, 名称, 编号, 参赛对象 …) is skipped. rows: malloc'd, *n of them (free with free()),
 * each with its row number as the spreadsheet shows it. More than CONTEST_ENTRANTS_MAX rows, no
 * row at all or an unreadable file: 422 (invalid_entrant, or the reader's bad_file / bad_csv /
 * bad_xlsx), field "file". */
typedef struct contest_sheet_row {
    size_t row;
    char text[4 * 64 + 1]; /* a name or an id as typed, cut at 64 characters */
} contest_sheet_row;
int contest_sheet_read(const void *data, size_t len, contest_sheet_row **rows, int *n, cx_err *e);
#endif
