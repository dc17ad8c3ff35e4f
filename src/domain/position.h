/* position.h: the leading group (领导班子) of an organisation, issue 22, in plain C: the positions
 * (书记, 副书记, 委员) with names and labels and the check of a position as typed. No SQL, no HTTP. */
#ifndef CX_DOMAIN_POSITION_H
#define CX_DOMAIN_POSITION_H
#include <stdbool.h>
#include <stdint.h>
#include "../lib/util.h"

typedef enum { PT_SECRETARY = 0, PT_DEPUTY, PT_COMMITTEE, PT_COUNT } position_title;
/* "secretary" | "deputy" | "committee", "书记" | "副书记" | "委员"; "" out of range; -1 unknown. */
const char *position_title_name(int t);
const char *position_title_label(int t);
int position_title_from_name(const char *s);

#define POSITION_DUTIES_MAX 500
typedef struct position_ok {
    int title;
    char since[11];
    char duties[POSITION_DUTIES_MAX * 4 + 1];
} position_ok;
/* title (400 required / 422 invalid_title), duties (分工) at most 500 characters, since a date
 * (YYYY-MM-DD, 400 invalid_date; empty: today). */
int position_check(const char *title, const char *duties, const char *since, position_ok *out, cx_err *e);
#endif
