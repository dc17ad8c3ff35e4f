/* demo_year.c: the office's year in the demo (issue 17), after the district, its accounts,
 * pledges and reviews exist: a year's report schedules with reports on time, late and missing;
 * one 随机抽查 inspection with a committed draw and findings turned into rectification; one
 * published bulletin; the first town's leader's liaison points and visits, ledger entries of each
 * kind, a year of meetings of the first town's branches with their attendance, and a question bank
 * with one closed quiz and study notes (issue 18); exemplary posts and areas with holders and
 * public ratings (issue 19). Each part is its own function, run in this order. */
#include "cli.h"
#include "../domain/date.h"
#include "../store/bulletin.h"
#include "../store/report.h"
#include <stdlib.h>
#include <string.h>

#define DEMO_REPORTS_MAX 120 /* reports written per schedule in the demo */
#include "../domain/orgpath.h"
#include "../store/inspection.h"
#include "../store/liaison.h" /* liaison points (issue 18) */
#include "../store/ledger.h" /* the ledger (issue 18) */
#include "../store/meeting.h" /* organisation life */
#include <string.h>
#include "../store/quiz.h"  /* study notes and quizzes (issue 18) */
#include "../store/study.h"
#include "../store/contest.h" /* 三比 contests (issue 19) */
#include <inttypes.h>
#include <stdlib.h>
#include "../store/post.h" /* exemplary posts and responsibility areas (issue 19) */
#include "../store/rating.h"
#include "../store/award.h" /* 评选表彰 awards (issue 19) */
#include "../store/notice.h" /* 公示 of the awards (issue 19) */
#include "../store/result.h" /* published round results (issue 19 results) */

/* The ids demo.c made: the district committee (its office is "office"), the first town (its
 * office is "town"), the first branch (its secretary is "secretary"). */
typedef struct demo_year_ctx {
    int64_t root, town, branch;
} demo_year_ctx;

/* A demo account as the actor of its changes (the system when it is missing). */
static actor demo_actor(db *d, const char *username, const char *display)
{
    int64_t uid = 0;
    db_i64(d, &uid, 0, "SELECT id FROM app_user WHERE username = ?", "s", username);
    return (actor){.user_id = uid, .name = username, .display = display};
}

/* ---- reports ---- */

typedef struct demo_rep {
    int64_t ids[DEMO_REPORTS_MAX];
    int n;
} demo_rep;

static int demo_rep_add(void *ctx, const report *r)
{
    demo_rep *c = ctx;
    if (c->n < DEMO_REPORTS_MAX) c->ids[c->n++] = r->id;
    return c->n >= DEMO_REPORTS_MAX;
}

/* A schedule by the district office; *sid gets its id. */
static int demo_schedule(db *d, const actor *a, const org *root, const report_schedule_in *in, int64_t *sid, cx_err *e)
{
    report_schedule_ok ok;
    int rc = report_schedule_check(in, &ok, e);
    if (rc == CX_OK) rc = report_schedule_create(d, a, root, &ok, sid, e);
    report_schedule_ok_free(&ok);
    return rc;
}

/* The day n days from date. */
static void demo_day(const char *date, int n, char out[11]) { day_string(day_number(date) + n, out); }

/* 2026: a 季度检查 of every branch for Q1–Q3 (due 10 working days after each quarter), each
 * branch's report on time, late, missing, or returned once and resubmitted, by its place in the
 * list (the first DEMO_REPORTS_MAX of a schedule are written; the rest stay missing, so a big
 * district stays fast); a 年终总结 of the towns due in January 2027. Submission days are given
 * to the store, so lateness is decided as on those days. */
static int demo_reports(db *d, const demo_year_ctx *y, cx_err *e)
{
    org root;
    if (org_get(d, y->root, &root) != 1) return cx_fail(e, 500, "db_error", "", "读取区委失败");
    actor office = demo_actor(d, "office", "区委活动办公室"), writer = demo_actor(d, "secretary", "支部书记");
    static const char *const q[][2] = {{"2026-01-01", "2026-03-31"}, {"2026-04-01", "2026-06-30"}, {"2026-07-01", "2026-09-30"}};
    static const char *const outline = "[\"本季度开展创先争优活动情况\",\"践诺及整改情况\",\"存在问题和下一步打算\"]";
    const char *texts[] = {"按季度计划开展主题党日、承诺践诺和岗位建功活动，党员参与率较高。", "承诺事项按期推进，整改事项已按时限落实。",
                           "个别党员践诺台账不够完整，下季度逐月检查。"};
    demo_rep *c = xmalloc(sizeof *c);
    int rc = CX_OK;
    for (int k = 0; k < 3 && rc == CX_OK; k++) {
        char title[64];
        snprintf(title, sizeof title, "2026年第%s季度创先争优季度检查", k == 0 ? "一" : k == 1 ? "二" : "三");
        report_schedule_in in = {"quarterly", title, "branch", "", q[k][0], q[k][1], "", "10", outline};
        int64_t sid = 0;
        if ((rc = demo_schedule(d, &office, &root, &in, &sid, e)) != CX_OK) break;
        report_schedule s;
        if (report_schedule_get(d, sid, &s) != 1) return cx_fail(e, 500, "db_error", "", "读取汇报安排失败");
        org none = root;
        report_query rq = {.root = &none, .schedule_id = sid, .today = "2026-01-01", .limit = DEMO_REPORTS_MAX};
        c->n = 0;
        if ((rc = report_list(d, &rq, demo_rep_add, c)) != CX_OK) break;
        /* the schedule's acts, in the order one writer and one judge would take them, in one batch */
        report_act *acts = xmalloc(4 * (size_t)c->n * sizeof *acts);
        char (*days)[2][11] = xmalloc((size_t)c->n * sizeof *days);
        const char *again_texts[] = {texts[0], texts[1], "个别党员践诺台账不完整，原因是支部检查不经常；下季度逐月检查，月底前补齐。"};
        report_write w = {.texts = texts, .ntexts = 3, .has_texts = true}, w2 = {.texts = again_texts, .ntexts = 3, .has_texts = true};
        int n = 0;
        for (int i = 0; i < c->n; i++) {
            int kind = (i + k) % 6; /* 0 missing, 1 late, 2 returned and resubmitted, else on time */
            if (kind == 0) continue;
            demo_day(s.due_date, kind == 1 ? 6 : -3, days[i][0]);
            acts[n++] = (report_act){&writer, c->ids[i], RPR_WRITER, RPA_SUBMIT, 0, &w, days[i][0], NULL};
            if (kind == 2) {
                acts[n++] = (report_act){&office, c->ids[i], RPR_JUDGE, RPA_RETURN, 0, NULL, NULL, "问题分析不够具体，请补充存在问题的原因和整改时限。"};
                demo_day(s.due_date, 2, days[i][1]);
                acts[n++] = (report_act){&writer, c->ids[i], RPR_WRITER, RPA_SUBMIT, 0, &w2, days[i][1], NULL};
            }
            if (kind >= 3 && k < 2) acts[n++] = (report_act){&office, c->ids[i], RPR_JUDGE, RPA_ACCEPT, 0, NULL, NULL, ""};
        }
        rc = report_acts(d, acts, n, e);
        free(acts);
        free(days);
    }
    free(c);
    if (rc != CX_OK) return rc;
    report_schedule_in ye = {"year_end", "2026年度创先争优年终总结", "committee", "", "2026-01-01", "2026-12-31", "2027-01-15", "",
                             "[\"全年工作总结\",\"主要成效\",\"存在问题\",\"2027年工作打算\"]"};
    int64_t sid;
    return demo_schedule(d, &office, &root, &ye, &sid, e);
}

/* ---- inspections ---- */

/* The district office's 随机抽查 of the first town's branches in 2026 Q3 (the town's office, on the
 * team, may follow what it finds; no other town's data depends on the draw): the seed committed with the plan, five
 * branches drawn (fewer in a tiny demo), the 五个好 as the checklist, the first town's office on the
 * team; findings at each target (three problems, the rest in order), the first two problems turned
 * into rectification; then closed. */
static const char *const demo_problems[] = {
    "“三会一课”记录不全，近两个月缺支委会记录", "党员承诺公开栏内容未更新，有两项承诺未标注进展", "党费收缴台账与实际不符，个别党员未按月交纳"};
static const char *const demo_measures[] = {"补齐会议记录，支委会每月一次并当月归档", "每季度更新公开栏，逐项标注承诺进展"};

/* One finding of the demo's inspection: the k-th problem (k counted in c->np; the first two turned
 * into rectification) or an "ok" at target (the i-th drawn). */
typedef struct demo_finding_ctx {
    db *d;
    const actor *a;
    int64_t inspection_id;
    const int64_t *items;
    int nitems;
    const char *today, *due;
    int np;
} demo_finding_ctx;

static int demo_finding(demo_finding_ctx *c, int64_t target, int i, bool problem, cx_err *e)
{
    int k = problem ? c->np++ : 0;
    char on[24];
    snprintf(on, sizeof on, "2026-08-%02d", 10 + 3 * i + k);
    finding_in fi = {problem ? "problem" : "ok", problem ? demo_problems[k] : "支部工作台账齐全，组织生活正常", on};
    finding_ok fo;
    int64_t fid = 0;
    int rc = finding_check(&fi, "2026-09-25", &fo, e);
    if (rc == CX_OK) rc = finding_add(c->d, c->a, c->inspection_id, target, 0, c->nitems ? c->items[(i + k) % c->nitems] : 0, &fo, NULL, 0, &fid, e);
    if (rc == CX_OK && problem && k < 2) {
        rect_new rn = {"inspection", "finding", fid, 0, {demo_problems[k], demo_measures[k], "支部书记", c->due}};
        rect_new_ok *ro = xmalloc(sizeof *ro);
        rc = rect_new_check(&rn, c->today, ro, e);
        if (rc == CX_OK) rc = finding_rectify(c->d, c->a, fid, ro, NULL, e);
        free(ro);
    }
    return rc;
}

static int demo_inspection(db *d, const demo_year_ctx *y, cx_err *e)
{
    org root, scope;
    if (org_get(d, y->root, &root) != 1 || org_get(d, y->town, &scope) != 1) return cx_fail(e, 500, "db_error", "", "数据库错误：读不到区委");
    int64_t has_town = 0, nbranch = 0;
    char end[CX_PATH_MAX];
    orgpath_end(scope.path, end, sizeof end);
    if (db_i64(d, &has_town, 0, "SELECT count(*) FROM app_user WHERE username = 'town'", "") != CX_OK ||
        db_i64(d, &nbranch, 0, "SELECT count(*) FROM org WHERE type = 'branch' AND active = 1 AND path >= ? AND path < ?", "ss", scope.path, end) != CX_OK)
        return cx_fail(e, 500, "db_error", "", "数据库错误：%s", db_errmsg(d));
    if (nbranch == 0) return CX_OK;
    actor a = demo_actor(d, "office", "区委活动办公室");
    buf std;
    buf_init(&std);
    db_stmt *s = db_prepare(d, "SELECT i.id FROM standard_item i JOIN standard_set t ON t.id = i.set_id WHERE t.code = 'wuhao' ORDER BY i.seq");
    while (s && db_step(s) == DB_ROW) buf_printf(&std, "%s%" PRId64, std.len ? "," : "", db_col_i64(s, 0));
    if (s) db_done(s);
    char n[8];
    snprintf(n, sizeof n, "%d", nbranch < 5 ? (int)nbranch : 5);
    insp_in in = {"random", "2026年第三季度党支部随机抽查", "2026-08-03", "2026-09-25", "branch", "", n, "党费收缴台账", "org"};
    insp_ok *ok = xmalloc(sizeof *ok);
    insp_new nw = {ok, scope.id, has_town ? "town" : "", std.p ? std.p : "", NULL};
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
     * tests sign in as: what it sees should not depend on the draw); a small town with fewer such
     * targets gets the rest at its first problem target, so there are always three, two of them
     * turned into rectification and one left for the desk */
    demo_finding_ctx fc = {d, &a, id, items, ni, today, due, 0};
    int first_problem = -1;
    for (int i = 0; rc == CX_OK && i < nt; i++) {
        bool problem = fc.np < 3 && targets[i] != y->branch;
        if (problem && first_problem < 0) first_problem = i;
        rc = demo_finding(&fc, targets[i], i, problem, e);
    }
    while (rc == CX_OK && first_problem >= 0 && fc.np < 3) rc = demo_finding(&fc, targets[first_problem], first_problem, true, e);
    if (rc == CX_OK) rc = inspection_act(d, &a, id, IA_CLOSE, 0, e);
    return rc;
}

/* ---- bulletins ---- */

/* The district office publishes, for everyone (/p/bulletins), a bulletin of 2026 Q1–Q3: rankings
 * of the towns and systems, late and missing reports, overdue rectification and the 点名 of
 * unjustified pledge misses, numbered 河西创〔2026〕1号, the figures as of today. */
static int demo_bulletin(db *d, const demo_year_ctx *y, cx_err *e)
{
    org root;
    if (org_get(d, y->root, &root) != 1) return cx_fail(e, 500, "db_error", "", "读取区委失败");
    actor office = demo_actor(d, "office", "区委活动办公室");
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

/* ---- liaison points (issue 18) ---- */

/* Each town-level leader of the first town (the demo's "leader", 镇党委书记) keeps two of its
 * branches as liaison points from January 2026, assigned by the town's office (branches other than
 * the first, whose secretary the tests sign in as: its desk should not depend on them), and visits
 * each once a quarter up to September; the second visit to the first point finds a problem, turned
 * into a rectification item, and solves one. */
static const char *const demo_visits[] = {"走访党员群众，了解支部“三会一课”开展情况", "召开党员座谈会，听取对村务公开的意见建议",
                                          "到困难党员家中走访慰问，协调解决实际困难"};

static int demo_liaison(db *d, const demo_year_ctx *y, cx_err *e)
{
    org town;
    if (org_get(d, y->town, &town) != 1) return cx_fail(e, 500, "db_error", "", "数据库错误：读不到第一个镇");
    actor a = demo_actor(d, "town", "镇党委组织委员");
    char end[CX_PATH_MAX];
    orgpath_end(town.path, end, sizeof end);
    int64_t branches[2] = {0}, leaders[8] = {0};
    int nb = 0, nl = 0;
    db_stmt *s = db_prepare(d, "SELECT id FROM org WHERE type = 'branch' AND active = 1 AND path >= ? AND path < ? AND id <> ? ORDER BY path");
    if (s) {
        db_bind_text(s, 1, town.path);
        db_bind_text(s, 2, end);
        db_bind_i64(s, 3, y->branch);
        while (nb < 2 && db_step(s) == DB_ROW) branches[nb++] = db_col_i64(s, 0);
        db_done(s);
    }
    s = db_prepare(d, "SELECT DISTINCT ur.user_id FROM user_role ur WHERE ur.role = 'leader' AND ur.org_id = ? ORDER BY ur.user_id");
    if (s) {
        db_bind_i64(s, 1, town.id);
        while (nl < 8 && db_step(s) == DB_ROW) leaders[nl++] = db_col_i64(s, 0);
        db_done(s);
    }
    int rc = CX_OK;
    bool rectified = false;
    char today[11], due[11];
    date_today(today);
    day_string(day_number(today) + 30, due);
    for (int l = 0; rc == CX_OK && l < nl; l++)
        for (int b = 0; rc == CX_OK && b < nb; b++) {
            int64_t pid = 0;
            rc = liaison_assign(d, &a, &town, leaders[l], branches[b], "2026-01-05", &pid, e);
            actor la = a;
            la.user_id = leaders[l], la.name = "leader", la.display = "镇党委书记";
            for (int q = 0; rc == CX_OK && q < 3; q++) {
                char on[11];
                snprintf(on, sizeof on, "2026-%02d-%02d", 3 * q + 2 + b, 10 + 5 * l);
                bool problem = b == 0 && q == 1;
                visit_in vi = {on, demo_visits[q], problem ? "党员活动室设施陈旧，远程教育设备无法正常使用" : "",
                               q == 2 ? "协调解决了困难党员的医疗救助问题" : ""};
                visit_ok *vo = xmalloc(sizeof *vo);
                int64_t vid = 0;
                rc = visit_check(&vi, "2026-12-31", vo, e);
                if (rc == CX_OK) rc = liaison_visit_add(d, &la, pid, vo, NULL, 0, &vid, e);
                free(vo);
                if (rc == CX_OK && problem && !rectified) {
                    rect_new rn = {"manual", "liaison_visit", vid, 0, {"党员活动室设施陈旧，远程教育设备无法正常使用", "更新远程教育设备，整修活动室", "支部书记", due}};
                    rect_new_ok *ro = xmalloc(sizeof *ro);
                    rc = rect_new_check(&rn, today, ro, e);
                    if (rc == CX_OK) rc = liaison_visit_rectify(d, &la, vid, ro, NULL, e);
                    free(ro);
                    rectified = true;
                }
            }
        }
    return rc;
}

/* ---- the ledger (台账, issue 18) ---- */

typedef struct demo_orgs {
    org v[64];
    int n;
} demo_orgs;

static int demo_org_add(void *ctx, const org *o, int64_t nchildren, int64_t nmembers)
{
    (void)nchildren, (void)nmembers;
    demo_orgs *c = ctx;
    if (c->n < (int)(sizeof c->v / sizeof c->v[0])) c->v[c->n++] = *o;
    return c->n >= (int)(sizeof c->v / sizeof c->v[0]);
}

typedef struct demo_cats {
    int64_t id[LK_COUNT][8];
    int n[LK_COUNT];
} demo_cats;

static int demo_cat_add(void *ctx, const ledger_category *c)
{
    demo_cats *k = ctx;
    if (k->n[c->kind] < 8) k->id[c->kind][k->n[c->kind]++] = c->id;
    return 0;
}

/* Ledger entries of each kind over this year (up to today) for each town and system of the
 * district and the first three branches of each: visits of several categories of person every
 * quarter, help (实事 and 致富信息), a pairing with a household, a research report, a forum with its
 * participants by category (as the seed's 座谈会 of 大学生村干部, 乡镇领导干部, 村干部 and 群众). */
static int demo_ledger(db *d, const demo_year_ctx *y, cx_err *e)
{
    org root;
    if (org_get(d, y->root, &root) != 1) return cx_fail(e, 500, "db_error", "", "读取区委失败");
    demo_orgs *towns = xcalloc(1, sizeof *towns), *kids = xcalloc(1, sizeof *kids);
    demo_cats cats = {0};
    actor office = demo_actor(d, "office", "区委活动办公室");
    int rc = org_children_plain(d, root.id, false, demo_org_add, towns) == CX_OK && ledger_categories(d, root.path, -1, demo_cat_add, &cats) == CX_OK
                 ? CX_OK
                 : cx_fail(e, 500, "db_error", "", "读取演示组织失败");
    char today[11];
    date_today(today);
    int year = atoi(today);
    static const char *const households[] = {"张家庄困难户刘某某", "李家村低保户王某某", "河湾村残疾人家庭陈某某"};
    static const char *const reports[] = {"农村基层党组织现状的调研报告", "农村实用人才队伍的现状分析及建议", "大学生村干部现状及出路的调查与思考"};
    /* the entries in the order they are dated here, written at once (ledger_create_many); their
     * organisations kept until then (the children's list is refilled per town) */
    org *orgs = xcalloc(12 * 4, sizeof *orgs);
    int norgs = 0, nv = 0, cap = 0;
    ledger_new *v = NULL;
    for (int t = 0; rc == CX_OK && t < towns->n && t < 12; t++) {
        kids->n = 0;
        if (org_children_plain(d, towns->v[t].id, false, demo_org_add, kids) != CX_OK) rc = cx_fail(e, 500, "db_error", "", "读取演示组织失败");
        for (int b = -1; rc == CX_OK && b < kids->n && b < 3; b++) {
            org *o = &orgs[norgs++];
            *o = b < 0 ? towns->v[t] : kids->v[b];
            int seed = t * 7 + b + 3;
            for (int q = 1; rc == CX_OK && q <= 4; q++) {
                char date[11];
                snprintf(date, sizeof date, "%04d-%02d-%02d", year, 3 * q - 1, 10 + (seed + q) % 15);
                if (strcmp(date, today) > 0) break;
                for (int k = 0; rc == CX_OK && k < LK_COUNT; k++) {
                    if ((k == LK_PAIRING || k == LK_RESEARCH) && q != 2) continue; /* once a year */
                    ledger_ok ok;
                    memset(&ok, 0, sizeof ok);
                    ok.kind = (ledger_kind)k;
                    snprintf(ok.entry_date, sizeof ok.entry_date, "%s", date);
                    ledger_about ab = {0};
                    int nc = cats.n[k];
                    if (k == LK_FORUM) {
                        snprintf(ok.title, sizeof ok.title, "%s第%d季度座谈会", o->name, q);
                        for (int i = 0; i < nc && i < 4; i++) ok.parts[ok.nparts++] = (ledger_part){cats.id[k][i], 2 + (seed * (i + 1) + q) % 9};
                        for (int i = 0; i < ok.nparts; i++) ok.people += ok.parts[i].people;
                    } else {
                        if (nc) ab.category_id = cats.id[k][(seed + q) % nc];
                        static const char *const what[] = {"走访", "帮办实事", "结对帮扶", "调研"};
                        if (k == LK_RESEARCH) snprintf(ok.title, sizeof ok.title, "%s", reports[seed % 3]);
                        else snprintf(ok.title, sizeof ok.title, "%s第%d季度%s", o->name, q, what[k]);
                        if (k == LK_PAIRING) snprintf(ok.household, sizeof ok.household, "%s", households[seed % 3]);
                        ok.people = k == LK_VISIT ? 3 + (seed + q) % 12 : k == LK_HELP ? 1 + (seed + q) % 4 : k == LK_PAIRING ? 1 : 0;
                    }
                    if (nv == cap) v = xrealloc(v, (size_t)(cap = cap ? cap * 2 : 256) * sizeof *v);
                    v[nv++] = (ledger_new){o, ab, ok};
                }
            }
        }
    }
    if (rc == CX_OK) rc = ledger_create_many(d, &office, v, nv, e);
    free(v);
    free(orgs);
    free(towns);
    free(kids);
    return rc;
}

/* ---- organisation life (组织生活) ---- */

/* One meeting of branch o on date by its secretary: planned, and when the day has come held, with
 * its first members signing in by QR (nq of them), the next marked absent, the rest present; for
 * the first meeting of the year the fourth member on leave. */
static int demo_meeting(db *d, const actor *sec, const org *o, const char *kind, const char *title, const char *date, int64_t lecturer,
                        int nq, bool leave, const char *today, cx_err *e)
{
    char lec[24] = "";
    if (lecturer) snprintf(lec, sizeof lec, "%" PRId64, lecturer);
    meeting_form_in in = {kind, NULL, title, date, "村党群服务中心会议室", "传达学习上级文件精神，研究部署本月工作", "支部书记", "", lec};
    meeting_form_ok ok;
    int64_t id = 0;
    if (meeting_form_check(&in, &ok, e) != CX_OK) return CX_ERR;
    int rc = meeting_create(d, sec, o, &ok, &id, e);
    meeting_form_free(&ok);
    if (rc != CX_OK || strcmp(date, today) > 0) return rc; /* a meeting still to come stays planned */
    int64_t ids[8];
    int n = 0;
    db_stmt *s = db_prepare(d, "SELECT a.member_id FROM meeting_attendee a JOIN member m ON m.id = a.member_id WHERE a.meeting_id = ? ORDER BY m.id LIMIT 8");
    if (!s) return cx_fail(e, 500, "db_error", "", "读取应到人员失败");
    db_bind_i64(s, 1, id);
    while (n < 8 && db_step(s) == DB_ROW) ids[n++] = db_col_i64(s, 0);
    db_done(s);
    char secret[2 * SIGNIN_SECRET_BYTES + 1];
    int64_t now = now_unix(), mid;
    bool already;
    if (nq && meeting_signin_code(d, sec, id, now - 60, now + 3600, secret, e) != CX_OK) return CX_ERR;
    for (int i = 0; i < nq && i < n; i++) {
        actor self = {.user_id = 0, .name = "demo", .display = "扫码签到（演示）"};
        if (meeting_signin(d, &self, secret, ids[i], &mid, &already, e) != CX_OK) return CX_ERR;
    }
    attend_ok absent = {.state = AS_ABSENT}, away = {.state = AS_LEAVE};
    snprintf(away.reason, sizeof away.reason, "外出务工，已向支部书记请假");
    if (n > nq && meeting_attend(d, sec, id, ids[nq], &absent, e) != CX_OK) return CX_ERR;
    if (leave && n > nq + 1 && meeting_attend(d, sec, id, ids[nq + 1], &away, e) != CX_OK) return CX_ERR;
    if (meeting_attend_rest(d, sec, id, NULL, e) != CX_OK) return CX_ERR;
    return meeting_act(d, sec, id, MA_HOLD, 0, e);
}

/* A year of meetings (2026) of the first town's branches: the first branch holds its 支委会 and
 * 主题党日 every month and its 支部党员大会 and 党课 every quarter (two of the 党课 given by the town's
 * leader); the next two branches a 支部党员大会 a quarter. Meetings after today stay planned. */
static int demo_meetings(db *d, const demo_year_ctx *y, cx_err *e)
{
    org town, b;
    if (org_get(d, y->town, &town) != 1) return cx_fail(e, 500, "db_error", "", "读取乡镇失败");
    actor sec = demo_actor(d, "secretary", "支部书记");
    int64_t leader = demo_actor(d, "leader", NULL).user_id;
    char today[11], date[11], end[CX_PATH_MAX];
    date_today(today);
    orgpath_end(town.path, end, sizeof end);
    int64_t others[2] = {0, 0};
    int no = 0;
    db_stmt *s = db_prepare(d, "SELECT id FROM org WHERE path >= ? AND path < ? AND type = 'branch' AND active = 1 AND id <> ? ORDER BY path LIMIT 2");
    if (!s) return cx_fail(e, 500, "db_error", "", "读取支部失败");
    db_bind_text(s, 1, town.path);
    db_bind_text(s, 2, end);
    db_bind_i64(s, 3, y->branch);
    while (no < 2 && db_step(s) == DB_ROW) others[no++] = db_col_i64(s, 0);
    db_done(s);
    if (org_get(d, y->branch, &b) != 1) return cx_fail(e, 500, "db_error", "", "读取支部失败");
    for (int m = 1; m <= 12; m++) {
        char title[64];
        snprintf(date, sizeof date, "2026-%02d-05", m);
        snprintf(title, sizeof title, "%d月支委会", m);
        if (demo_meeting(d, &sec, &b, "committee", title, date, 0, 0, false, today, e) != CX_OK) return CX_ERR;
        snprintf(date, sizeof date, "2026-%02d-15", m);
        snprintf(title, sizeof title, "%d月主题党日", m);
        if (demo_meeting(d, &sec, &b, "theme_day", title, date, 0, 2, m == 1, today, e) != CX_OK) return CX_ERR;
        if (m % 3) continue;
        snprintf(date, sizeof date, "2026-%02d-20", m);
        snprintf(title, sizeof title, "第%d季度党课", m / 3);
        if (demo_meeting(d, &sec, &b, "lecture", title, date, m <= 6 ? leader : 0, 1, false, today, e) != CX_OK) return CX_ERR;
        snprintf(date, sizeof date, "2026-%02d-25", m);
        snprintf(title, sizeof title, "第%d季度支部党员大会", m / 3);
        if (demo_meeting(d, &sec, &b, "branch_assembly", title, date, 0, 2, false, today, e) != CX_OK) return CX_ERR;
        for (int i = 0; i < no && m < 12; i++) {
            org ob;
            if (org_get(d, others[i], &ob) != 1) return cx_fail(e, 500, "db_error", "", "读取支部失败");
            actor office = demo_actor(d, "town", "镇党委活动办公室"); /* the town's office keeps its branches' records */
            if (demo_meeting(d, &office, &ob, "branch_assembly", title, date, 0, 0, false, today, e) != CX_OK) return CX_ERR;
        }
    }
    return CX_OK;
}

/* ---- study notes and quizzes (issue 18, study and quizzes) ---- */

/* The district office's bank of twenty questions (read by the bank parser from a spreadsheet as
 * an office would fill the template, a title row above the header), one closed quiz of ten of
 * them over the first town answered by its members (up to 80; right or wrong by their place, so
 * scores spread around the pass mark), and three study notes by members of the first branch. */
static int demo_study(db *d, const demo_year_ctx *y, cx_err *e)
{
    static const char *const bank[] = {
        "单选题,中国共产党的最高理想和最终目标是（　）。,实现共产主义,全面建成小康社会,实现中华民族伟大复兴,建设社会主义现代化强国,A,",
        "单选题,党的根本宗旨是（　）。,全心全意为人民服务,实事求是,解放思想,与时俱进,A,",
        "单选题,党的最高领导机关是（　）。,党的全国代表大会和它所产生的中央委员会,中央政治局,中央书记处,中央军事委员会,A,",
        "单选题,预备党员的预备期为（　）。,半年,一年,两年,三年,B,",
        "单选题,党员如果没有正当理由，连续（　）个月不参加党的组织生活，就被认为是自行脱党。,三,六,九,十二,B,",
        "单选题,党支部党员大会一般每（　）召开一次。,月,季度,半年,年,B,",
        "单选题,党的组织原则是（　）。,民主集中制,集体领导,个人分工负责,少数服从多数,A,",
        "单选题,党员领导干部应当参加双重组织生活，（　）。,只参加所在支部的,只参加领导班子的,既参加所在支部的也参加领导班子民主生活会,自愿参加,C,",
        "多选题,“三会一课”中的“三会”是指（　）。,支部党员大会,支部委员会,党小组会,民主生活会,ABC,",
        "多选题,创先争优活动中“五个好”包括（　）。,领导班子好,党员队伍好,工作机制好,工作业绩好,ABCD,还有群众反映好",
        "多选题,党员的义务包括（　）。,认真学习,贯彻执行党的基本路线和各项方针、政策,坚持党和人民的利益高于一切,自觉遵守党的纪律,ABCD,",
        "多选题,党的纪律处分有（　）。,警告,严重警告,撤销党内职务,罚款,ABC,还有留党察看和开除党籍",
        "多选题,党员承诺践诺的环节包括（　）。,公开承诺,践行承诺,评议承诺,隐瞒承诺,ABC,",
        "多选题,党的建设总要求中提到的建设有（　）。,政治建设,思想建设,组织建设,作风建设,ABCD,",
        "判断题,党员有权在党的会议上和党报党刊上参加关于党的政策问题的讨论。,,,,,对,",
        "判断题,预备党员享有表决权、选举权和被选举权。,,,,,错,预备党员没有这三项权利",
        "判断题,党费是党员向党组织交纳的用于党的活动的经费。,,,,,对,",
        "判断题,党支部委员会每届任期为五年。,,,,,错,每届任期三年或者五年",
        "判断题,主题党日一般每月开展一次。,,,,,对,",
        "判断题,党员可以不经组织同意随意转出组织关系。,,,,,错,",
    };
    buf csv;
    buf_init(&csv);
    buf_adds(&csv, "2026年学习测试题库,,,,,,,\r\n题型,题干,选项A,选项B,选项C,选项D,答案,解析\r\n");
    for (size_t i = 0; i < sizeof bank / sizeof bank[0]; i++) buf_printf(&csv, "%s\r\n", bank[i]);
    bank_parse *b = xcalloc(1, sizeof *b);
    org root, town;
    actor office = demo_actor(d, "office", "区委活动办公室");
    int rc = org_get(d, y->root, &root) == 1 && org_get(d, y->town, &town) == 1 ? CX_OK : cx_fail(e, 500, "db_error", "", "读取区委失败");
    if (rc == CX_OK) rc = quiz_bank_parse(csv.p, csv.len, b, e);
    if (rc == CX_OK) rc = question_import(d, &office, &root, b, "2026年学习测试题库.csv", NULL, e);
    quiz_bank_free(b);
    free(b);
    buf_free(&csv);
    if (rc != CX_OK) return rc;
    /* the first ten questions of the bank, a week of September */
    buf ids;
    buf_init(&ids);
    db_stmt *s = db_prepare(d, "SELECT id FROM question WHERE org_id = ? ORDER BY id LIMIT 10");
    if (s) {
        db_bind_i64(s, 1, root.id);
        while (db_step(s) == DB_ROW) buf_printf(&ids, "%s%" PRId64, ids.len ? "," : "", db_col_i64(s, 0));
        db_done(s);
    }
    quiz_in in = {"2026年第三季度党章党规知识测试", "2026-09-01 08:00", "2026-09-07 18:00", "60"};
    quiz_ok ok;
    int64_t qid = 0;
    rc = quiz_check(&in, &ok, e);
    if (rc == CX_OK) rc = quiz_create(d, &office, &root, &ok, town.id, ids.p ? ids.p : "", 0, &qid, e);
    buf_free(&ids);
    if (rc != CX_OK) return rc;
    /* the correct answers, and a wrong one for each question */
    char right[10][QUIZ_OPTIONS_MAX + 1] = {{0}}, wrong[10][QUIZ_OPTIONS_MAX + 1] = {{0}};
    s = db_prepare(d, "SELECT seq, answer FROM quiz_question WHERE quiz_id = ? ORDER BY seq");
    if (!s) return cx_fail(e, 500, "db_error", "", "数据库错误：%s", db_errmsg(d));
    db_bind_i64(s, 1, qid);
    int n = 0;
    while (n < 10 && db_step(s) == DB_ROW) {
        snprintf(right[n], sizeof right[n], "%s", db_col_text(s, 1));
        wrong[n][0] = right[n][0] == 'A' ? 'B' : 'A'; /* a single letter that is not the (whole) answer */
        if (right[n][1]) wrong[n][0] = right[n][0];
        n++;
    }
    db_done(s);
    char end[CX_PATH_MAX];
    orgpath_end(town.path, end, sizeof end);
    int64_t members[80];
    int nm = 0;
    s = db_prepare(d, "SELECT m.id FROM member m JOIN org o ON o.id = m.org_id WHERE m.active = 1 AND o.path >= ? AND o.path < ? ORDER BY m.id LIMIT 80");
    if (!s) return cx_fail(e, 500, "db_error", "", "数据库错误：%s", db_errmsg(d));
    db_bind_text(s, 1, town.path);
    db_bind_text(s, 2, end);
    while (nm < 80 && db_step(s) == DB_ROW) members[nm++] = db_col_i64(s, 0);
    db_done(s);
    actor sys = {.user_id = 0, .name = "demo", .display = "演示数据"};
    char (*ans)[QUIZ_OPTIONS_MAX + 1] = xcalloc(10, sizeof *ans);
    for (int i = 0; rc == CX_OK && i < nm; i++) {
        /* every fifth member skips the quiz; the others get 4 to 10 right */
        if (i % 5 == 4) continue;
        int wrongs = (i * 3) % 7;
        for (int k = 0; k < n; k++) memcpy(ans[k], (k + i) % 10 < wrongs ? wrong[k] : right[k], sizeof ans[k]);
        rc = quiz_submit(d, &sys, qid, members[i], ans, n, ok.opens_at + 3600 + 60 * i, NULL, e);
    }
    free(ans);
    /* three notes of self-study by the first branch's first members */
    static const char *const notes[][2] = {
        {"《中国共产党章程》", "通过逐章学习党章，进一步明确了党员的义务和权利，今后要在岗位上做到承诺公开、践诺有痕。"},
        {"《中国共产党支部工作条例（试行）》", "支部是党的基础组织，要按时参加“三会一课”，主动向支部汇报思想和工作。"},
        {"习近平总书记关于基层党建的重要论述", "学习后认识到抓基层打基础的重要性，结合村里实际，带头为群众办实事。"}};
    s = rc == CX_OK ? db_prepare(d, "SELECT id FROM member WHERE org_id = ? AND active = 1 ORDER BY id LIMIT 3") : NULL;
    int64_t writers[3];
    int nw = 0;
    if (s) {
        db_bind_i64(s, 1, y->branch);
        while (nw < 3 && db_step(s) == DB_ROW) writers[nw++] = db_col_i64(s, 0);
        db_done(s);
    }
    for (int i = 0; rc == CX_OK && i < nw; i++) rc = study_note_add(d, &sys, writers[i], 0, notes[i][0], notes[i][1], NULL, e);
    return rc;
}

/* ---- 三比 contests (issue 19) ---- */

/* The district office's 比技能 contest of six members of the first branch (none of them a demo
 * account's own member record), three items weighted 40/40/20, judged by the town office, the
 * leader and the discipline inspector, all scored and submitted, closed and published. With three
 * judges the result is the plain mean (dropping one highest and one lowest needs five), as the
 * published method says. */
static int demo_contests(db *d, const demo_year_ctx *y, cx_err *e)
{
    org root;
    if (org_get(d, y->root, &root) != 1) return cx_fail(e, 500, "db_error", "", "读取区委失败");
    actor office = demo_actor(d, "office", "区委活动办公室");
    /* six members of the first branch without an account, and the judges: a small demo (or one
     * without members) has no contest */
    buf ids;
    buf_init(&ids);
    int nids = 0;
    db_stmt *s = db_prepare(d, "SELECT m.id FROM member m WHERE m.org_id = ? AND m.active = 1 AND NOT EXISTS "
                               "(SELECT 1 FROM app_user u WHERE u.member_id = m.id) ORDER BY m.id LIMIT 6");
    if (s) {
        db_bind_i64(s, 1, y->branch);
        while (db_step(s) == DB_ROW) buf_printf(&ids, "%s%" PRId64, ids.len ? "," : "", db_col_i64(s, 0)), nids++;
        db_done(s);
    }
    static const char *const judges[] = {"town", "leader", "discipline"};
    int64_t uid[3] = {0};
    for (int j = 0; j < 3; j++) uid[j] = demo_actor(d, judges[j], "").user_id;
    if (nids < 2 || !uid[0] || !uid[1] || !uid[2] || !office.user_id) {
        buf_free(&ids);
        return CX_OK;
    }
    contest_in in = {"skill", "", "2026年度窗口服务技能比武", "2026", "member", "1"};
    contest_ok ok;
    int64_t cid = 0;
    int rc = contest_check(&in, &ok, e);
    if (rc == CX_OK) rc = contest_create(d, &office, &root, &ok, &cid, e);
    static const struct { const char *name; int weight; } items[] = {{"业务知识", 40}, {"实操技能", 40}, {"服务态度", 20}};
    for (int i = 0; rc == CX_OK && i < 3; i++) rc = contest_item_add(d, &office, cid, items[i].name, items[i].weight, 100, e);
    if (rc == CX_OK) rc = contest_entrants_add(d, &office, cid, ids.p, NULL, e);
    buf_free(&ids);
    for (int j = 0; rc == CX_OK && j < 3; j++) rc = contest_judge_add(d, &office, cid, uid[j], e);
    if (rc == CX_OK) rc = contest_open(d, &office, cid, e);
    if (rc != CX_OK) return rc;
    /* each judge scores every entrant on every item: spread by place, one tie by design */
    int64_t ents[6], its[3];
    int ne = 0, ni = 0;
    s = db_prepare(d, "SELECT id FROM contest_entrant WHERE contest_id = ? ORDER BY id");
    if (!s) return cx_fail(e, 500, "db_error", "", "数据库错误：%s", db_errmsg(d));
    db_bind_i64(s, 1, cid);
    while (ne < 6 && db_step(s) == DB_ROW) ents[ne++] = db_col_i64(s, 0);
    db_done(s);
    s = db_prepare(d, "SELECT id FROM contest_item WHERE contest_id = ? ORDER BY seq");
    if (!s) return cx_fail(e, 500, "db_error", "", "数据库错误：%s", db_errmsg(d));
    db_bind_i64(s, 1, cid);
    while (ni < 3 && db_step(s) == DB_ROW) its[ni++] = db_col_i64(s, 0);
    db_done(s);
    static const int base[6] = {92, 88, 85, 85, 80, 76};
    for (int j = 0; rc == CX_OK && j < 3; j++) {
        contest_cell cells[18];
        int n = 0;
        for (int k = 0; k < ne; k++)
            for (int i = 0; i < ni; i++)
                cells[n++] = (contest_cell){ents[k], its[i], (int64_t)(base[k] + (k == 2 || k == 3 ? 0 : (j * 3 + i * 2) % 5 - 2)) * 100};
        actor judge = demo_actor(d, judges[j], "");
        rc = contest_scores_save(d, &judge, cid, uid[j], cells, n, true, e);
    }
    if (rc == CX_OK) rc = contest_close(d, &office, cid, e);
    if (rc == CX_OK) rc = contest_publish(d, &office, cid, e);
    return rc;
}

/* ---- exemplary posts and responsibility areas (issue 19) ---- */

/* The first branch's 党员示范岗 held by the "member" login's member (with a former holder), a
 * 党员责任区 held by two members, and the first town's own post; each rated by residents. */
static int demo_posts(db *d, const demo_year_ctx *y, cx_err *e)
{
    actor sec = demo_actor(d, "secretary", "支部书记"), town = demo_actor(d, "town", "镇党委活动办公室");
    int64_t me = 0, m[3] = {0, 0, 0};
    db_i64(d, &me, 0, "SELECT coalesce(member_id, 0) FROM app_user WHERE username = 'member'", "");
    db_stmt *s = db_prepare(d, "SELECT id FROM member WHERE org_id = ? AND active = 1 AND id <> ? ORDER BY id LIMIT 3");
    if (!s) return cx_fail(e, 500, "db_error", "", "读取党员失败");
    db_bind_i64(s, 1, y->branch);
    db_bind_i64(s, 2, me);
    for (int i = 0; i < 3 && db_step(s) == DB_ROW; i++) m[i] = db_col_i64(s, 0);
    db_done(s);
    if (!me || !m[2]) return CX_OK; /* a demo too small for posts */
    static const post_in posts[] = {
        {"post", "便民代办示范岗", "村（社区）党群服务中心一楼", "为群众代办社保、医保、民政等事项，每周二、四全天接待，一般事项 3 个工作日内办结并回告。"},
        {"area", "村东片党员责任区", "村东片 1–4 组", "联系责任区 40 户群众，每月走访一遍，收集意见建议，协助调解矛盾纠纷，负责环境卫生监督。"},
        {"post", "镇便民服务中心 党员先锋岗", "镇便民服务中心一楼 1 号窗口", "首问负责、一次告知，带头落实“最多跑一次”，每月公开办件情况。"},
    };
    static const char *const answers[4] = {"111111", "111111", "112111", "111121"};
    int64_t ids[3];
    for (int i = 0; i < 3; i++) {
        post_ok ok;
        if (post_check(&posts[i], &ok, e) != CX_OK ||
            post_create(d, i == 2 ? &town : &sec, i == 2 ? y->town : y->branch, &ok, &ids[i], e) != CX_OK)
            return CX_ERR;
    }
    int64_t former = 0;
    if (post_holder_add(d, &sec, ids[0], m[0], &former, e) != CX_OK || post_holder_end(d, &sec, ids[0], former, e) != CX_OK ||
        post_holder_add(d, &sec, ids[0], me, NULL, e) != CX_OK || post_holder_add(d, &sec, ids[1], m[1], NULL, e) != CX_OK ||
        post_holder_add(d, &sec, ids[1], m[2], NULL, e) != CX_OK || post_holder_add(d, &town, ids[2], me, NULL, e) != CX_OK)
        return CX_ERR;
    for (int i = 0; i < 3; i++)
        if (demo_ballots(d, RK_WINDOW, ids[i], 6 - i, answers, e) != CX_OK) return CX_ERR;
    return CX_OK;
}

/* ---- 评选表彰 awards (issue 19) ---- */

/* Nominates subject for kind id by the organisation nominator_id as a; a passing vote of the office. */
static int demo_nominate(db *d, const actor *a, int64_t id, int64_t nominator_id, int64_t subject, const char *reason, int64_t *nid, cx_err *e)
{
    org no;
    if (org_get(d, nominator_id, &no) != 1) return cx_fail(e, 500, "db_error", "", "读取推荐组织失败");
    return award_nominate(d, a, id, &no, subject, reason, nid, e);
}

static int demo_vote(db *d, const actor *a, int64_t nid, const char *date, cx_err *e)
{
    vote_in in = {"8", "1", "0", "9", date, "区委常委会议"};
    vote_ok v;
    return award_vote_check(&in, date, &v, e) == CX_OK ? nomination_vote(d, a, nid, &v, e) : CX_ERR;
}

/* An earlier award fully approved (the "member" login's card shows it), and this year's 优秀共产党员
 * of the district (rules no_pledge_miss and no_open_rect, quota 3): two branches nominate one
 * member each, the district office's vote passes both, approval waits (公示 comes first). The
 * demo's review round has no approved 优秀 yet (its branch meeting has not decided), so the rule
 * grade_excellent would leave nobody eligible here. */
static int demo_awards(db *d, const demo_year_ctx *y, cx_err *e)
{
    actor office = demo_actor(d, "office", "区委活动办公室"), sec = demo_actor(d, "secretary", "支部书记"),
          sec2 = demo_actor(d, "secretary2", "支部书记");
    int64_t me = 0, branch2 = 0, other = 0;
    db_i64(d, &me, 0, "SELECT coalesce(member_id, 0) FROM app_user WHERE username = 'member'", "");
    db_i64(d, &branch2, 0, "SELECT coalesce(min(g.org_id), 0) FROM user_role g JOIN app_user u ON u.id = g.user_id WHERE u.username = 'secretary2'", "");
    db_i64(d, &other, 0, "SELECT coalesce(min(id), 0) FROM member WHERE org_id = ? AND active = 1", "i", branch2);
    org root;
    if (!me || !other || !office.user_id || org_get(d, y->root, &root) != 1) return CX_OK; /* a demo too small for awards */
    char today[11], year[8], last[16];
    date_today(today);
    snprintf(year, sizeof year, "%.4s", today);
    snprintf(last, sizeof last, "%d", atoi(year) - 1);
    static const struct { const char *name, *quota; int last_year; const char *rules[2]; } kinds[] = {
        {"党员示范岗标兵", "2", 1, {"no_pledge_miss", NULL}},
        {"优秀共产党员", "3", 0, {"no_pledge_miss", "no_open_rect"}},
    };
    int64_t ids[2] = {0};
    for (int i = 0; i < 2; i++) {
        award_in in = {kinds[i].name, "member", kinds[i].last_year ? last : year, kinds[i].quota};
        award_ok ok;
        if (award_check(&in, &ok, e) != CX_OK || award_create(d, &office, &root, &ok, &ids[i], e) != CX_OK) return CX_ERR;
        for (int r = 0; r < 2 && kinds[i].rules[r]; r++)
            if (award_rule_set(d, &office, ids[i], kinds[i].rules[r], "", e) != CX_OK) return CX_ERR;
        if (award_open(d, &office, ids[i], e) != CX_OK) return CX_ERR;
    }
    int64_t n = 0, n1 = 0, n2 = 0, notice_last = 0, notice_now = 0;
    char voted[24], posted[24];
    snprintf(voted, sizeof voted, "%s-12-08", last);
    snprintf(posted, sizeof posted, "%s-12-10", last);
    /* last year's honour: nominated, voted, 公示 for 5 working days from December 10th (ended
     * without objection), approved, done */
    if (demo_nominate(d, &sec, ids[0], y->branch, me, "坚持每周在党群服务中心代办事项，全年代办 120 余件，群众满意。", &n, e) != CX_OK ||
        award_close(d, &office, ids[0], e) != CX_OK || demo_vote(d, &office, n, voted, e) != CX_OK ||
        award_notice(d, &office, ids[0], posted, 5, &notice_last, e) != CX_OK || nomination_approve(d, &office, n, e) != CX_OK ||
        award_finish(d, &office, ids[0], e) != CX_OK)
        return CX_ERR;
    /* this year's: two branches nominate, the vote passes, 公示 from today; a resident objects to
     * the second candidate with a verified phone and the office holds it for investigation, so that
     * candidate's approval waits on the finding and the first's on the end of the period */
    if (demo_nominate(d, &sec, ids[1], y->branch, me, "带头兑现公开承诺，群众评议满意率高，“三会一课”全勤。", &n1, e) != CX_OK ||
        demo_nominate(d, &sec2, ids[1], branch2, other, "扎根社区十年，组织志愿服务队为独居老人上门服务 200 余次。", &n2, e) != CX_OK ||
        award_close(d, &office, ids[1], e) != CX_OK || demo_vote(d, &office, n1, today, e) != CX_OK || demo_vote(d, &office, n2, today, e) != CX_OK ||
        award_notice(d, &office, ids[1], NULL, 5, &notice_now, e) != CX_OK)
        return CX_ERR;
    int64_t item = 0, oid = 0;
    char code[OBJECTION_CODE_CAP];
    actor pub = {.user_id = 0, .name = "群众"};
    db_i64(d, &item, 0, "SELECT coalesce(min(id), 0) FROM notice_item WHERE notice_id = ? AND source = 'award' AND ref_id = ?", "ii", notice_now, n2);
    if (objection_submit(d, &pub, notice_now, item, "李群", "15800000001", "反映该同志去年组织的志愿服务次数与台账记录不一致，请核实。", &oid, code, e) != CX_OK ||
        objection_hold(d, &office, oid, e) != CX_OK)
        return CX_ERR;
    return CX_OK;
}

/* ---- published round results (issue 19 results) ---- */

/* The district office publishes the open round's window league table and its towns' satisfaction.
 * The demo's windows have few ballots (a dozen at most), so the minimum to be ranked is 10, not
 * the default 30: one window is ranked and the other listed apart as 样本不足. */
static int demo_results(db *d, const demo_year_ctx *y, cx_err *e)
{
    org root;
    review_round rd;
    if (org_get(d, y->root, &root) != 1) return cx_fail(e, 500, "db_error", "", "读取区委失败");
    if (round_current(d, root.path, &rd) != 1) return CX_OK; /* no open round: nothing to publish */
    actor office = demo_actor(d, "office", "区委活动办公室");
    char rid[24];
    snprintf(rid, sizeof rid, "%" PRId64, rd.id);
    static const char *const kinds[2] = {"windows", "orgs"};
    for (int i = 0; i < 2; i++) {
        result_in in = {rid, kinds[i], "children", "10"};
        result_ok ok;
        if (result_check(&in, &ok, e) != CX_OK || result_publish(d, &office, &root, &ok, NULL, e) != CX_OK) return CX_ERR;
    }
    return CX_OK;
}

int demo_year(db *d, int64_t root, int64_t town, int64_t branch, cx_err *e)
{
    demo_year_ctx y = {root, town, branch};
    static const struct { const char *name; int (*fn)(db *, const demo_year_ctx *, cx_err *); } parts[] = {
        {"reports", demo_reports},   {"inspection", demo_inspection}, {"bulletin", demo_bulletin},
        {"liaison", demo_liaison},   /* liaison points (issue 18) */
        {"ledger", demo_ledger},     /* the ledger (issue 18) */
        {"meetings", demo_meetings}, /* organisation life (issue 18) */
        {"study", demo_study},       /* study notes and quizzes (issue 18) */
        {"contests", demo_contests}, /* 三比 contests (issue 19) */
        {"posts", demo_posts},       /* exemplary posts and areas (issue 19) */
        {"awards", demo_awards},     /* 评选表彰 awards (issue 19) */
        {"results", demo_results},   /* published round results (issue 19 results) */
    };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        if (parts[i].fn(d, &y, e) != CX_OK) return CX_ERR;
        demo_phase(parts[i].name);
    }
    return CX_OK;
}
