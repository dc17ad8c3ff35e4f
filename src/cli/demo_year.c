/* demo_year.c: the office's year in the demo (issue 17), after the district, its accounts,
 * pledges and reviews exist: a year's report schedules with reports on time, late and missing;
 * one 随机抽查 inspection with a committed draw and findings turned into rectification; one
 * published bulletin. Each part is its own function, run in this order. */
#include "cli.h"
#include "../domain/date.h"
#include "../domain/orgpath.h"
#include "../store/inspection.h"
#include <inttypes.h>
#include <stdlib.h>

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

/* The district office's 随机抽查 of the branches in 2026 Q3: the seed committed with the plan, five
 * branches drawn (fewer in a tiny demo), the 五个好 as the checklist, the first town's office on the
 * team; findings at each target (three problems, the rest in order), the first two problems turned
 * into rectification; then closed. */
static const char *const demo_problems[] = {
    "“三会一课”记录不全，近两个月缺支委会记录", "党员承诺公开栏内容未更新，有两项承诺未标注进展", "党费收缴台账与实际不符，个别党员未按月交纳"};
static const char *const demo_measures[] = {"补齐会议记录，支委会每月一次并当月归档", "每季度更新公开栏，逐项标注承诺进展"};

static int demo_inspection(db *d, const demo_year_ctx *y, cx_err *e)
{
    org root;
    if (org_get(d, y->root, &root) != 1) return cx_fail(e, 500, "db_error", "", "数据库错误：读不到区委");
    int64_t uid = 0, has_town = 0, nbranch = 0;
    char end[CX_PATH_MAX];
    orgpath_end(root.path, end, sizeof end);
    if (db_i64(d, &uid, 0, "SELECT id FROM app_user WHERE username = 'office'", "") != CX_OK ||
        db_i64(d, &has_town, 0, "SELECT count(*) FROM app_user WHERE username = 'town'", "") != CX_OK ||
        db_i64(d, &nbranch, 0, "SELECT count(*) FROM org WHERE type = 'branch' AND active = 1 AND path >= ? AND path < ?", "ss", root.path, end) != CX_OK)
        return cx_fail(e, 500, "db_error", "", "数据库错误：%s", db_errmsg(d));
    if (nbranch == 0) return CX_OK;
    actor a = {uid, "office", "区委活动办公室", NULL};
    buf std;
    buf_init(&std);
    db_stmt *s = db_prepare(d, "SELECT i.id FROM standard_item i JOIN standard_set t ON t.id = i.set_id WHERE t.code = 'wuhao' ORDER BY i.seq");
    while (s && db_step(s) == DB_ROW) buf_printf(&std, "%s%" PRId64, std.len ? "," : "", db_col_i64(s, 0));
    if (s) db_done(s);
    char n[8];
    snprintf(n, sizeof n, "%d", nbranch < 5 ? (int)nbranch : 5);
    insp_in in = {"random", "2026年第三季度党支部随机抽查", "2026-08-03", "2026-09-25", "branch", "", n, "党费收缴台账"};
    insp_ok *ok = xmalloc(sizeof *ok);
    insp_new nw = {ok, 0, has_town ? "town" : "", std.p ? std.p : "", NULL};
    int64_t id = 0;
    int rc = insp_check(&in, ok, e);
    if (rc == CX_OK) rc = inspection_create(d, &a, &root, &nw, &id, e);
    buf_free(&std);
    free(ok);
    if (rc == CX_OK) rc = inspection_act(d, &a, id, IA_START, 0, e);
    if (rc == CX_OK) rc = inspection_draw(d, &a, id, e);
    int64_t targets[5] = {0}, items[8] = {0};
    int nt = 0, ni = 0;
    s = rc == CX_OK ? db_prepare(d, "SELECT org_id FROM inspection_target WHERE inspection_id = ? ORDER BY seq") : NULL;
    if (s) {
        db_bind_i64(s, 1, id);
        while (nt < 5 && db_step(s) == DB_ROW) targets[nt++] = db_col_i64(s, 0);
        db_done(s);
    }
    s = rc == CX_OK ? db_prepare(d, "SELECT id FROM inspection_item WHERE inspection_id = ? ORDER BY seq") : NULL;
    if (s) {
        db_bind_i64(s, 1, id);
        while (ni < 8 && db_step(s) == DB_ROW) items[ni++] = db_col_i64(s, 0);
        db_done(s);
    }
    char today[11], due[11];
    date_today(today);
    day_string(day_number(today) + 30, due);
    /* the problems at the first three targets other than the first branch (whose secretary the
     * tests sign in as: what it sees should not depend on the draw) */
    for (int i = 0, np = 0; rc == CX_OK && i < nt; i++) {
        bool problem = np < 3 && targets[i] != y->branch;
        int k = problem ? np++ : 0;
        char on[11];
        snprintf(on, sizeof on, "2026-08-%02d", 10 + 3 * i);
        finding_in fi = {problem ? "problem" : "ok", problem ? demo_problems[k] : "支部工作台账齐全，组织生活正常", on};
        finding_ok fo;
        int64_t fid = 0;
        rc = finding_check(&fi, "2026-09-25", &fo, e);
        if (rc == CX_OK) rc = finding_add(d, &a, id, targets[i], ni ? items[i % ni] : 0, &fo, NULL, 0, &fid, e);
        if (rc == CX_OK && problem && k < 2) { /* two turned into rectification */
            rect_new rn = {"inspection", "finding", fid, 0, {demo_problems[k], demo_measures[k], "支部书记", due}};
            rect_new_ok *ro = xmalloc(sizeof *ro);
            rc = rect_new_check(&rn, today, ro, e);
            if (rc == CX_OK) rc = finding_rectify(d, &a, fid, ro, NULL, e);
            free(ro);
        }
    }
    if (rc == CX_OK) rc = inspection_act(d, &a, id, IA_CLOSE, 0, e);
    return rc;
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
