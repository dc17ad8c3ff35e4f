/* dashboard.c: the roll-up dashboard (统计看板) of one organisation for one review round:
 * its own subtree's counters and each direct child's, as a table (readable without JavaScript),
 * as JSON (the API, and a data block the page's charts read), and as XLSX.
 *
 * It reads only roll-up rows (rollup_get: one row; rollup_children: one row per child, joined to
 * the org rows), the subtree tallies (org_tally: members, 正式党员, organisations) and the rounds
 * that cover the organisation: never a ballot, review, grade or member row, so a view costs the
 * same over 10 ballots or 10,000,000 and over 10 members or 1,000,000.
 *
 * Every share is over what is due in the round, not over what happened to be recorded: 五带头
 * over the members due to be graded (active 正式党员 less the round's exclusions), 五个好 over the
 * organisations due (active organisations below the round's own), leader-commentary coverage over
 * every member and organisation of the subtree. Beside each share the participation (graded /
 * due, self-reviews / due, ballots) shows how much of the subtree the figure rests on.
 *
 * Who may look: the staff roles over the organisation (office, secretary, leader, discipline),
 * as for the public-rating results (rating_result.c). Plain members do not: they see their own
 * results, not their branch's grade distribution (in a small branch a count of 不合格 points at
 * people). */
#include "web.h"
#include "../lib/assets.h"
#include "../lib/xlsxout.h"
#include "../store/rollup.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROUNDS 100

/* The rounds that cover o: run at o or at an ancestor (a round covers its org's subtree),
 * newest first. */
static int rounds_covering(req *r, const org *o, cJSON *out)
{
    db_stmt *s = db_prepare(r->db, "SELECT rr.id, rr.name, rr.period_start, rr.period_end, rr.status, rr.org_id, o.name "
                                   "FROM review_round rr JOIN org o ON o.id = rr.org_id "
                                   "WHERE substr(CAST(? AS TEXT), 1, length(o.path)) = o.path "
                                   "ORDER BY rr.created_at DESC, rr.id DESC LIMIT ?");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, o->path);
    db_bind_i64(s, 2, MAX_ROUNDS);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        cJSON *x = cJSON_CreateObject();
        json_add_i64(x, "id", db_col_i64(s, 0));
        cJSON_AddStringToObject(x, "name", db_col_text(s, 1));
        cJSON_AddStringToObject(x, "period_start", db_col_text(s, 2));
        cJSON_AddStringToObject(x, "period_end", db_col_text(s, 3));
        cJSON_AddStringToObject(x, "status", db_col_text(s, 4));
        cJSON_AddStringToObject(x, "status_label", !strcmp(db_col_text(s, 4), "open") ? "进行中" : "已结束");
        json_add_i64(x, "org_id", db_col_i64(s, 5));
        cJSON_AddStringToObject(x, "org_name", db_col_text(s, 6));
        cJSON_AddFalseToObject(x, "selected"); /* explicit: a template section would find the shown round's */
        cJSON_AddItemToArray(out, x);
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* A share num/den in tenths of a percent, rounded half up; -1 when den is 0. */
static int64_t tenths(int64_t num, int64_t den)
{
    return den > 0 ? (num * 2000 + den) / (2 * den) : -1;
}

/* Adds <key>_rate (a number with one decimal, or null) and <key>_text ("66.7%" or "—"). */
static void add_rate(cJSON *row, const char *key, int64_t t)
{
    char k[64], text[32];
    snprintf(k, sizeof k, "%s_rate", key);
    if (t < 0) cJSON_AddNullToObject(row, k);
    else cJSON_AddNumberToObject(row, k, (double)t / 10.0);
    snprintf(k, sizeof k, "%s_text", key);
    if (t < 0) snprintf(text, sizeof text, "—");
    else snprintf(text, sizeof text, "%" PRId64 ".%" PRId64 "%%", t / 10, t % 10);
    cJSON_AddStringToObject(row, k, text);
}

/* The figures of one row: the round's counters, the subtree's tally, and whether the row holds
 * the round's own organisation (which is not graded in its own round). */
typedef struct figs {
    rollup u;
    tally t;
    int64_t root;
} figs;

/* What is due in the round (rollup_due, in DU_* order). */
static const char *const due_keys[DU_N] = {"members_due", "orgs_due", "commentary_due", "commented"};

static void dues(const figs *f, int64_t d[DU_N]) { rollup_due(&f->u, &f->t, f->root != 0, d); }

/* The shares of a row, by their definitions:
 *   orgs_meeting     五个好: orgs_meeting / orgs_due
 *   members_meeting  五带头: members_meeting / members_due
 *   satisfaction     (满意 + 基本满意) / all answers of valid ballots — rollup_satisfaction's
 *                    definition, rounded once to 0.1% from the counts (not from its 0.01%)
 *   coverage         领导点评: commented / commentary_due
 * and the participation beside them:
 *   orgs_graded      organisations graded / orgs_due
 *   members_graded   members graded / members_due
 *   self_reviews     self-reviews / members_due */
enum { SH_ORGS, SH_MEMBERS, SH_SATISFACTION, SH_COVERAGE, SH_ORGS_GRADED, SH_MEMBERS_GRADED, SH_SELF, SH_N };
static const char *const share_keys[SH_N] = {"orgs_meeting", "members_meeting", "satisfaction", "coverage",
                                             "orgs_graded", "members_graded", "self_reviews"};

static void shares(const figs *f, const int64_t d[DU_N], int64_t t[SH_N])
{
    const rollup *u = &f->u;
    int64_t ok = u->v[RU_ANS_SATISFIED] + u->v[RU_ANS_BASIC];
    t[SH_ORGS] = tenths(u->v[RU_ORGS_MEETING], d[DU_ORGS]);
    t[SH_MEMBERS] = tenths(u->v[RU_MEMBERS_MEETING], d[DU_MEMBERS]);
    t[SH_SATISFACTION] = tenths(ok, ok + u->v[RU_ANS_UNSATISFIED]);
    t[SH_COVERAGE] = tenths(d[DU_COMMENTED], d[DU_COMMENTARY]);
    t[SH_ORGS_GRADED] = tenths(u->v[RU_ORGS_GRADED], d[DU_ORGS]);
    t[SH_MEMBERS_GRADED] = tenths(u->v[RU_MEMBERS_GRADED], d[DU_MEMBERS]);
    t[SH_SELF] = tenths(u->v[RU_SELF_REVIEWS], d[DU_MEMBERS]);
}

/* One table row: the organisation, every counter and tally under its column name, what is due,
 * and the shares. */
static cJSON *row_json(const org *o, const char *name, const figs *f)
{
    cJSON *row = cJSON_CreateObject();
    if (o) {
        json_add_i64(row, "id", o->id);
        cJSON_AddStringToObject(row, "type_label", org_type_label(o->type));
        cJSON_AddBoolToObject(row, "is_branch", !strcmp(o->type, "branch"));
    }
    cJSON_AddStringToObject(row, "name", name);
    for (int i = 0; i < RU_N; i++) json_add_i64(row, rollup_cols[i], f->u.v[i]);
    for (int i = 0; i < TL_N; i++) json_add_i64(row, tally_cols[i], f->t.v[i]);
    int64_t d[DU_N], t[SH_N];
    dues(f, d);
    for (int i = 0; i < DU_N; i++) json_add_i64(row, due_keys[i], d[i]);
    shares(f, d, t);
    for (int i = 0; i < SH_N; i++) add_rate(row, share_keys[i], t[i]);
    return row;
}

typedef struct kids_ctx {
    cJSON *rows;
    figs sum; /* of the children, to tell what belongs to the organisation itself */
    int n;
} kids_ctx;

static int add_kid(void *vctx, const org *child, const rollup *u, const tally *t)
{
    kids_ctx *k = vctx;
    figs f = {*u, *t, 0};
    cJSON_AddItemToArray(k->rows, row_json(child, child->name, &f));
    for (int i = 0; i < RU_N; i++) k->sum.u.v[i] += u->v[i];
    for (int i = 0; i < TL_N; i++) k->sum.t.v[i] += t->v[i];
    k->n++;
    return 0;
}

/* Whether anything is counted or due at the organisation itself (outside its children). */
static bool figs_nonzero(const figs *f)
{
    int64_t d[DU_N];
    dues(f, d);
    for (int i = 0; i < RU_N; i++)
        if (f->u.v[i]) return true;
    return f->t.v[TL_MEMBERS_ACTIVE] || d[DU_ORGS];
}

/* ---- XLSX ---- */

typedef struct xcol {
    const char *head;
    const char *key; /* the row's JSON field: a count, or a share's "<key>_rate" */
} xcol;
static const xcol xcols[] = {
    {"评定等次组织数", "orgs_graded"},        {"达到五个好组织数", "orgs_meeting"},     {"五个好比例(%)", "orgs_meeting_rate"},
    {"评定等次党员数", "members_graded"},     {"达到五带头党员数", "members_meeting"},  {"五带头比例(%)", "members_meeting_rate"},
    {"优秀", "members_excellent"},            {"合格", "members_qualified"},            {"基本合格", "members_basic"},
    {"不合格", "members_unqualified"},        {"群众满意率(%)", "satisfaction_rate"},   {"有效票", "ballots_valid"},
    {"无效票", "ballots_invalid"},            {"满意（答项）", "answers_satisfied"},    {"基本满意（答项）", "answers_basic"},
    {"不满意（答项）", "answers_unsatisfied"}, {"应点评（党员和组织）", "commentary_due"}, {"已点评（党员和组织）", "commented"},
    {"点评覆盖率(%)", "coverage_rate"},       {"自评", "self_reviews"},                 {"互评", "peer_reviews"},
    {"应评定组织数", "orgs_due"},             {"组织参评率(%)", "orgs_graded_rate"},    {"应评定党员数", "members_due"},
    {"党员参评率(%)", "members_graded_rate"}, {"自评率(%)", "self_reviews_rate"},       {"不参加评定的正式党员", "members_excluded"},
    {"联系点评安排", "charges"},              {"联系点评已完成", "charges_done"},
    /* what the satisfaction rate counts, by channel, and what it leaves out */
    {"有效票：网上（短信验证）", "ballots_web"}, {"有效票：纸质问卷", "ballots_paper"}, {"有效票：电话抽访", "ballots_phone"},
    {"未验证的网上评价（不计入）", "ballots_unverified"}, {"集中投票待审核（不计入）", "ballots_held"},
};
#define NXCOLS (sizeof xcols / sizeof xcols[0])

static void xlsx_row(lxw_worksheet *ws, lxw_row_t y, const char *name, const char *type, const cJSON *row, lxw_format *f)
{
    worksheet_write_string(ws, y, 0, name, f);
    worksheet_write_string(ws, y, 1, type, f);
    for (size_t c = 0; c < NXCOLS; c++) {
        lxw_col_t x = (lxw_col_t)(c + 2);
        const cJSON *v = cJSON_GetObjectItem(row, xcols[c].key);
        if (json_is_num(v)) worksheet_write_number(ws, y, x, v->valuedouble, f);
        else worksheet_write_string(ws, y, x, "—", f);
    }
}

static void export_xlsx(req *r, const org *o, const cJSON *round, const cJSON *total, const cJSON *kids, const cJSON *own)
{
    xlsx_export xe;
    lxw_worksheet *ws = export_open(r, &xe, "统计看板", NULL, 0);
    if (!ws) return;
    lxw_format *b = xe.bold;
    const char *rname = cJSON_GetObjectItem(round, "name")->valuestring;
    char title[600];
    snprintf(title, sizeof title, "%s · %s（%s 至 %s）", o->name, rname, cJSON_GetObjectItem(round, "period_start")->valuestring,
             cJSON_GetObjectItem(round, "period_end")->valuestring);
    worksheet_write_string(ws, 0, 0, title, b);
    worksheet_write_string(ws, 1, 0, "组织", b);
    worksheet_write_string(ws, 1, 1, "类型", b);
    for (size_t c = 0; c < NXCOLS; c++) worksheet_write_string(ws, 1, (lxw_col_t)(c + 2), xcols[c].head, b);
    worksheet_set_column(ws, 0, 0, 28, NULL);
    lxw_row_t y = 2;
    char name[400];
    snprintf(name, sizeof name, "合计：%s", o->name);
    xlsx_row(ws, y++, name, org_type_label(o->type), total, b);
    const cJSON *k;
    cJSON_ArrayForEach(k, kids)
    xlsx_row(ws, y++, cJSON_GetObjectItem(k, "name")->valuestring, cJSON_GetObjectItem(k, "type_label")->valuestring, k, NULL);
    if (own) xlsx_row(ws, y++, cJSON_GetObjectItem(own, "name")->valuestring, "", own, NULL);
    char fname[700], after[96];
    snprintf(fname, sizeof fname, "%s-统计看板-%s.xlsx", o->name, rname);
    snprintf(after, sizeof after, "{\"format\":\"xlsx\",\"round_id\":%" PRId64 "}", json_get_i64(round, "id"));
    export_close(r, &xe, CX_OK, fname, "dashboard", o->id, o->id, after);
}

/* ---- the page's data block and scripts ---- */

/* JSON for a <script type="application/json"> block: '<', '>' and '&' as \u escapes, so no
 * text in it (an organisation's name) can close the element or open a comment. */
static char *json_for_html(const cJSON *v)
{
    char *s = cJSON_PrintUnformatted(v);
    buf b;
    buf_init(&b);
    for (const char *p = s; p && *p; p++) {
        if (*p == '<') buf_adds(&b, "\\u003c");
        else if (*p == '>') buf_adds(&b, "\\u003e");
        else if (*p == '&') buf_adds(&b, "\\u0026");
        else buf_addc(&b, *p);
    }
    free(s);
    return buf_take(&b);
}

/* "/static/NAME?v=HASH": the version in the query lets the browser keep the file for a year. */
static void add_asset_url(cJSON *d, const char *key, const char *name)
{
    char path[128], url[192];
    snprintf(path, sizeof path, "static/%s", name);
    const struct asset *a = asset_find(path);
    if (a) snprintf(url, sizeof url, "/%s?v=%llx", path, a->hash);
    else snprintf(url, sizeof url, "/%s", path);
    cJSON_AddStringToObject(d, key, url);
}

/* GET /orgs/:id/dashboard and /api/v1/orgs/:id/dashboard [?round_id=][&format=xlsx] */
void h_dashboard(req *r)
{
    int64_t id, round_id = 0;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_STAFF, &o)) return;
    const char *rq = req_query(r, "round_id"), *fmt = req_query(r, "format");
    if (rq && *rq && (str_to_i64(rq, &round_id) != CX_OK || round_id <= 0)) {
        req_failf(r, 400, "invalid_query", "round_id", "参数 round_id（评议轮次）应为正整数，收到“%s”", rq);
        return;
    }
    bool xlsx = fmt && !strcmp(fmt, "xlsx");
    if (fmt && *fmt && !xlsx) {
        req_failf(r, 400, "invalid_format", "format", "导出格式只支持 xlsx");
        return;
    }
    cJSON *d = req_data(r);
    char title[320];
    snprintf(title, sizeof title, "%s · 统计看板", o.name);
    cJSON_AddStringToObject(d, "title", title);
    cJSON_AddItemToObject(d, "org", json_org(&o));
    if (!req_is_api(r)) { /* the page's stylesheet and scripts, versioned */
        add_asset_url(d, "echarts_src", "vendor/echarts.min.js");
        add_asset_url(d, "dashboard_js", "dashboard.js");
        add_asset_url(d, "dashboard_css", "dashboard.css");
    }
    if (o.parent_id) {
        org p;
        if (org_get(r->db, o.parent_id, &p) == 1 && perm_allows(&r->user, ROLE_STAFF, p.path)) {
            cJSON *up = cJSON_AddObjectToObject(d, "parent");
            json_add_i64(up, "id", p.id);
            cJSON_AddStringToObject(up, "name", p.name);
        }
    }
    cJSON *rounds = cJSON_AddArrayToObject(d, "rounds");
    if (rounds_covering(r, &o, rounds) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取评议轮次失败");
        return;
    }
    /* the round asked for, or the newest one */
    cJSON *round = NULL, *x;
    cJSON_ArrayForEach(x, rounds)
    if (!round_id || json_get_i64(x, "id") == round_id) {
        round = x;
        break;
    }
    if (round_id && !round) {
        req_failf(r, 404, "not_found", "round_id", "评议轮次不存在，或不覆盖“%s”", o.name);
        return;
    }
    if (!round) {
        if (xlsx) req_failf(r, 404, "no_round", "round_id", "“%s”还没有评议轮次，无可导出的统计", o.name);
        else {
            cJSON_AddNullToObject(d, "round");
            cJSON_AddNullToObject(d, "total");
            cJSON_AddItemToObject(d, "children", cJSON_CreateArray());
            cJSON_AddNullToObject(d, "own");
        }
        return;
    }
    cJSON_ReplaceItemInObject(round, "selected", cJSON_CreateTrue());
    round_id = json_get_i64(round, "id");
    cJSON_AddItemReferenceToObject(d, "round", round);

    figs total = {.root = json_get_i64(round, "org_id") == o.id};
    kids_ctx k = {.rows = cJSON_AddArrayToObject(d, "children")};
    if (rollup_get(r->db, round_id, o.id, &total.u) != CX_OK || tally_get(r->db, o.id, &total.t) != CX_OK ||
        rollup_children(r->db, round_id, o.id, add_kid, &k) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取统计失败");
        return;
    }
    cJSON *tot = row_json(&o, o.name, &total);
    cJSON_AddItemToObject(d, "total", tot);
    /* What is counted or due at the organisation itself (its own members, itself, a window, an
     * inactive child's records): total minus the children, so that the rows add up to the total. */
    figs own = total;
    for (int i = 0; i < RU_N; i++) own.u.v[i] -= k.sum.u.v[i];
    for (int i = 0; i < TL_N; i++) own.t.v[i] -= k.sum.t.v[i];
    cJSON *ownj = NULL;
    if (k.n && figs_nonzero(&own)) ownj = row_json(NULL, "本级（直属）", &own);
    if (ownj) cJSON_AddItemToObject(d, "own", ownj);
    else cJSON_AddNullToObject(d, "own");
    if (xlsx) {
        export_xlsx(r, &o, round, tot, k.rows, ownj);
        return;
    }
    if (req_is_api(r)) return;
    /* the page: the charts' data as a JSON block for dashboard.js */
    cJSON *chart = cJSON_CreateObject();
    cJSON_AddItemToObject(chart, "total", cJSON_Duplicate(tot, true));
    cJSON_AddItemToObject(chart, "children", cJSON_Duplicate(k.rows, true));
    char *js = json_for_html(chart);
    cJSON_Delete(chart);
    cJSON_AddStringToObject(d, "html_chart_json", js);
    free(js);
    cJSON_AddBoolToObject(d, "has_children", k.n > 0);
}
