/* demo_year.c: the office's year in the demo (issue 17), after the district, its accounts,
 * pledges and reviews exist: a year's report schedules with reports on time, late and missing;
 * one 随机抽查 inspection with a committed draw and findings turned into rectification; one
 * published bulletin. Each part is its own function, run in this order. */
#include "cli.h"

/* The ids demo.c made: the district committee (its office is "office"), the first town (its
 * office is "town"), the first branch (its secretary is "secretary"). */
typedef struct demo_year_ctx {
    int64_t root, town, branch;
} demo_year_ctx;

/* ---- reports ---- */

static int demo_reports(db *d, const demo_year_ctx *y, cx_err *e)
{
    (void)d, (void)y, (void)e;
    return CX_OK;
}

/* ---- inspections ---- */

static int demo_inspection(db *d, const demo_year_ctx *y, cx_err *e)
{
    (void)d, (void)y, (void)e;
    return CX_OK;
}

/* ---- bulletins ---- */

static int demo_bulletin(db *d, const demo_year_ctx *y, cx_err *e)
{
    (void)d, (void)y, (void)e;
    return CX_OK;
}

int demo_year(db *d, int64_t root, int64_t town, int64_t branch, cx_err *e)
{
    demo_year_ctx y = {root, town, branch};
    if (demo_reports(d, &y, e) != CX_OK) return CX_ERR;
    if (demo_inspection(d, &y, e) != CX_OK) return CX_ERR;
    return demo_bulletin(d, &y, e);
}
