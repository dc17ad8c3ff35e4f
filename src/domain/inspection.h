/* inspection.h: inspections (督查) in plain C: kinds and their labels, the status planned →
 * running → closed, and the checks of what an office types when it plans one (title, dates, scope
 * population of a random draw, checklist items) and of a finding. No SQL, no HTTP.
 *
 *   planned ──start──▶ running ──close──▶ closed
 *   a random draw (随机抽查) once, while planned or running; findings while running. */
#ifndef CX_INSPECTION_H
#define CX_INSPECTION_H
#include <stdbool.h>
#include <stdint.h>
#include "../lib/util.h"

typedef enum { IK_FORUM = 0, IK_REGULAR, IK_RANDOM, IK_SPECIAL, IK_COUNT } insp_kind;
typedef enum { IS_PLANNED = 0, IS_RUNNING, IS_CLOSED, IS_COUNT } insp_status;
typedef enum { IA_START = 0, IA_CLOSE, IA_DRAW, IA_FINDING, IA_COUNT } insp_action;

/* Names as stored ("random", "running") and labels as shown ("随机抽查", "进行中"); "" out of range.
 * from_name gives -1 for an unknown name. */
const char *insp_kind_name(insp_kind k);
const char *insp_kind_label(insp_kind k);
int insp_kind_from_name(const char *name);
const char *insp_status_name(insp_status s);
const char *insp_status_label(insp_status s);
int insp_status_from_name(const char *name);

/* Whether action may happen in status (for a kind; a draw only for 随机抽查, once: drawn). On
 * refusal e gets 409 invalid_transition (or 422 not_random for a draw of another kind, 409
 * already_drawn for a second draw) naming the status. next (may be NULL) gets the next status. */
int insp_decide(insp_status from, insp_action action, insp_kind kind, bool drawn, insp_status *next, cx_err *e);

#define INSP_TITLE_MAX 100
#define INSP_ITEM_MAX 100     /* characters of one checklist item */
#define INSP_ITEMS_MAX 50     /* checklist items */
#define INSP_DRAW_MAX 500     /* organisations (or members) one draw may ask for */
#define INSP_FINDING_MAX 1000 /* characters of a finding's text */
#define INSP_DAYS_MAX 366     /* the longest inspection */

/* A plan as typed. items: the office's own checklist items, one a line; types / sectors: the
 * population of a draw as comma-separated org.type / org.sector codes ("" = all); draw_of: what a
 * random draw draws, "org" (organisations; also when blank or NULL) or "member" (the active members
 * of those organisations). */
typedef struct insp_in {
    const char *kind, *title, *start_date, *end_date, *types, *sectors, *draw_n, *items, *draw_of;
} insp_in;
typedef struct insp_ok {
    insp_kind kind;
    bool draw_members; /* 随机抽查 of members (draw_of "member") */
    char title[4 * INSP_TITLE_MAX + 1], start_date[11], end_date[11];
    char types[128], sectors[256];
    int64_t draw_n;
    int nitems;
    char items[INSP_ITEMS_MAX][4 * INSP_ITEM_MAX + 1];
} insp_ok;
/* Checks in this order: kind (invalid_kind), title (1–100 characters, one line), start_date and
 * end_date (dates; the end not before the start: invalid_dates; at most INSP_DAYS_MAX days),
 * for 随机抽查 draw_of (org|member: 422 invalid_draw_of), draw_n (1..INSP_DRAW_MAX: invalid_draw_n;
 * otherwise ignored) and the population types and sectors (known codes: invalid_types / invalid_sectors), then each own checklist item
 * (≤ INSP_ITEM_MAX characters: item_too_long; blank lines skipped; at most INSP_ITEMS_MAX:
 * too_many_items). CX_OK or CX_ERR with e on the field. */
int insp_check(const insp_in *in, insp_ok *out, cx_err *e);
/* True when code is in the comma-separated list csv ("" matches everything). */
bool insp_csv_has(const char *csv, const char *code);

/* A finding as typed: level ok|problem (invalid_level), text (for a problem required, otherwise
 * optional; ≤ INSP_FINDING_MAX), found_on (a date, blank for today; not after today:
 * future_date). today: "YYYY-MM-DD", NULL for date_today(). */
typedef struct finding_in {
    const char *level, *text, *found_on;
} finding_in;
typedef struct finding_ok {
    bool problem;
    char text[4 * INSP_FINDING_MAX + 1], found_on[11];
} finding_ok;
int finding_check(const finding_in *in, const char *today, finding_ok *out, cx_err *e);
#endif
