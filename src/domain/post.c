/* post.c: exemplary posts and responsibility areas: kinds and the check of what is typed (post.h). */
#include "post.h"
#include "text.h"
#include <string.h>

static const char *const names[PK_COUNT] = {"post", "area"};
static const char *const labels[PK_COUNT] = {"党员示范岗", "党员责任区"};

const char *post_kind_name(post_kind k) { return k >= 0 && k < PK_COUNT ? names[k] : ""; }
const char *post_kind_label(post_kind k) { return k >= 0 && k < PK_COUNT ? labels[k] : ""; }
int post_kind_from_name(const char *name)
{
    for (int k = 0; name && k < PK_COUNT; k++)
        if (!strcmp(name, names[k])) return k;
    return -1;
}

static const text_rule T_NAME = {"name", "名称", 1, POST_NAME_MAX, true}, T_PLACE = {"place", "地点或区域", 0, POST_PLACE_MAX, true},
                       T_DUTIES = {"duties", "岗位职责", 1, POST_DUTIES_MAX, false};

int post_check(const post_in *in, post_ok *out, cx_err *e)
{
    int k = post_kind_from_name(in->kind);
    if (k < 0) return cx_fail(e, 422, "invalid_kind", "kind", "类别应为 post（党员示范岗）或 area（党员责任区）");
    out->kind = (post_kind)k;
    if (text_check(&T_NAME, in->name, out->name, sizeof out->name, e) != CX_OK ||
        text_check(&T_PLACE, in->place, out->place, sizeof out->place, e) != CX_OK)
        return CX_ERR;
    return text_check(&T_DUTIES, in->duties, out->duties, sizeof out->duties, e);
}
