/* ledger.h: the ledger (台账) in plain C: the kinds of entry and their labels, and the checks of an
 * entry as typed (date, title, text, household, people, a forum's participants by category). No
 * SQL, no HTTP. */
#ifndef CX_LEDGER_H
#define CX_LEDGER_H
#include <stdbool.h>
#include <stdint.h>
#include "../lib/util.h"

typedef enum { LK_VISIT = 0, LK_HELP, LK_PAIRING, LK_RESEARCH, LK_FORUM, LK_COUNT } ledger_kind;

/* Names as stored ("visit") and labels as shown ("走访"); "" out of range; -1 for an unknown name. */
const char *ledger_kind_name(ledger_kind k);
const char *ledger_kind_label(ledger_kind k);
int ledger_kind_from_name(const char *name);
/* What people counts for a kind ("走访人数", "参加人数" …), for forms and exports. */
const char *ledger_people_label(ledger_kind k);

#define LEDGER_TITLE_MAX 100
#define LEDGER_BODY_MAX 5000
#define LEDGER_HOUSEHOLD_MAX 60
#define LEDGER_CATEGORY_MAX 20  /* characters of a category's name */
#define LEDGER_PEOPLE_MAX 10000 /* people of one entry (or of one forum category) */
#define LEDGER_PARTS_MAX 30     /* participant categories of one forum */
#define LEDGER_FILES_MAX 20     /* files of one entry */

/* A forum's participants of one category, as typed (the category as its id). */
typedef struct ledger_part {
    int64_t category_id, people;
} ledger_part;

typedef struct ledger_in {
    const char *kind, *entry_date, *title, *body, *household, *people;
    const ledger_part *parts; /* a forum's participants; ignored for other kinds */
    int nparts;
} ledger_in;
typedef struct ledger_ok {
    ledger_kind kind;
    char entry_date[11], title[4 * LEDGER_TITLE_MAX + 1], body[4 * LEDGER_BODY_MAX + 1], household[4 * LEDGER_HOUSEHOLD_MAX + 1];
    int64_t people; /* a forum's: the sum of its participants */
    int nparts;
    ledger_part parts[LEDGER_PARTS_MAX];
} ledger_ok;
/* Checks in this order: kind (400 invalid_kind), entry_date (a date, not after today: future_date),
 * title (1–100 characters, one line), body (≤ 5000), household (a pairing's: required, one line),
 * people (0..LEDGER_PEOPLE_MAX whole number: 422 invalid_people; a forum's is the sum of its
 * participants), a forum's participants (each category once, positive id: invalid_category;
 * 0..LEDGER_PEOPLE_MAX: invalid_people; at most LEDGER_PARTS_MAX: too_many_parts; at least one
 * person in all: 422 no_participants). today NULL: today's date. CX_OK or CX_ERR with e. */
int ledger_check(const ledger_in *in, const char *today, ledger_ok *out, cx_err *e);
/* A category's name (1–20 characters, one line) into out. */
int ledger_category_check(const char *name, char out[4 * LEDGER_CATEGORY_MAX + 1], cx_err *e);
#endif
