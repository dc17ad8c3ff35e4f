/* carrier.h: the items of a carrier (载体) as typed, in plain C: one item a line, "事项 | 对象 |
 * 佐证要求" (对象 党员 / member or 组织 / org; the evidence wording optional), and whether a
 * campaign phase (阶段) is open on a day. No SQL, no HTTP. */
#ifndef CX_DOMAIN_CARRIER_H
#define CX_DOMAIN_CARRIER_H
#include <stdbool.h>
#include "../lib/util.h"

#define CARRIER_ITEMS_MAX 20
#define CARRIER_ITEM_TITLE_MAX 40
#define CARRIER_ITEM_EVIDENCE_MAX 100
#define CARRIER_ENTRY_TEXT_MAX 2000
typedef struct carrier_item_ok {
    char title[CARRIER_ITEM_TITLE_MAX * 4 + 1];
    char target[8]; /* "member" | "org" */
    char evidence[CARRIER_ITEM_EVIDENCE_MAX * 4 + 1];
} carrier_item_ok;
typedef struct carrier_items_ok {
    int n;
    carrier_item_ok item[CARRIER_ITEMS_MAX];
} carrier_items_ok;
/* Parses text (NULL or blank: no items, allowed only when !required) into out. Errors on field
 * "items", naming the line: required, too_many_items, invalid_item (no 对象), invalid_target,
 * duplicate_item, and text.h's errors for the title (1–40 characters) and the evidence (0–100). */
int carrier_items_check(const char *text, bool required, carrier_items_ok *out, cx_err *e);
/* The items back as text, one a line, as carrier_items_check reads them (malloc'd). */
char *carrier_items_text(const carrier_items_ok *in);
/* "member" → "党员", "org" → "党组织". */
const char *carrier_target_label(const char *target);
/* Where day (YYYY-MM-DD) lies against a phase [start, end]: -1 before, 0 inside, 1 after. */
int carrier_phase_state(const char *day, const char *start, const char *end);
#endif
