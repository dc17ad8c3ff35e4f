/* post.h: exemplary posts (党员示范岗) and responsibility areas (党员责任区) in plain C: the kinds,
 * their labels and the check of what staff type for one (name, place, duties). No SQL, no HTTP.
 * A post or area is stored as a row of service_window with kind 'post' or 'area' (see
 * docs/plan-19.md): the public rates it exactly like a service window. */
#ifndef CX_DOMAIN_POST_H
#define CX_DOMAIN_POST_H
#include <stdbool.h>
#include <stdint.h>
#include "../lib/util.h"

typedef enum { PK_POST = 0, PK_AREA, PK_COUNT } post_kind;
/* "post" | "area" and "党员示范岗" | "党员责任区"; "" out of range; from_name -1 when unknown. */
const char *post_kind_name(post_kind k);
const char *post_kind_label(post_kind k);
int post_kind_from_name(const char *name);

#define POST_NAME_MAX 40
#define POST_PLACE_MAX 60
#define POST_DUTIES_MAX 500
typedef struct post_in {
    const char *kind, *name, *place, *duties;
} post_in;
typedef struct post_ok {
    post_kind kind;
    char name[POST_NAME_MAX * 4 + 1], place[POST_PLACE_MAX * 4 + 1], duties[POST_DUTIES_MAX * 4 + 1];
} post_ok;
/* kind post|area (422 invalid_kind), name 1–40 characters on one line, place 0–60 on one line,
 * duties (职责) 1–500 characters (text.h's errors on the field). */
int post_check(const post_in *in, post_ok *out, cx_err *e);
#endif
