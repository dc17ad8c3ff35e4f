/* position.c: positions of a leading group and their check (position.h). */
#include "position.h"
#include "date.h"
#include "text.h"
#include <string.h>

static const char *const names[PT_COUNT] = {"secretary", "deputy", "committee"};
static const char *const labels[PT_COUNT] = {"书记", "副书记", "委员"};

const char *position_title_name(int t) { return t >= 0 && t < PT_COUNT ? names[t] : ""; }
const char *position_title_label(int t) { return t >= 0 && t < PT_COUNT ? labels[t] : ""; }
int position_title_from_name(const char *s)
{
    for (int i = 0; s && i < PT_COUNT; i++)
        if (!strcmp(s, names[i])) return i;
    return -1;
}

int position_check(const char *title, const char *duties, const char *since, position_ok *out, cx_err *e)
{
    memset(out, 0, sizeof *out);
    if (!title || !*title) return cx_fail(e, 400, "required", "title", "请选择职务（书记、副书记或委员）");
    if ((out->title = position_title_from_name(title)) < 0) return cx_fail(e, 422, "invalid_title", "title", "职务应为 secretary（书记）、deputy（副书记）或 committee（委员）");
    text_rule tr = {"duties", "分工", 0, POSITION_DUTIES_MAX, false};
    if (text_check(&tr, duties, out->duties, sizeof out->duties, e) != CX_OK) return CX_ERR;
    if (!since || !*since) date_today(out->since);
    else if (date_parse(since, false, "since", "任职时间", out->since, e) != CX_OK) return CX_ERR;
    return CX_OK;
}
