/* page_dashboard.c: the roll-up dashboard (统计看板) of one organisation for one review round:
 * its own subtree's counters and each direct child's, as a table (readable without JavaScript),
 * as JSON (the API, and a data block the page's charts read), and as XLSX.
 *
 * It reads only roll-up rows (rollup_get: one row; rollup_children: one row per child, joined to
 * the org rows) and the rounds that cover the organisation: never a ballot, review or grade row,
 * so a view costs the same over 10 ballots or 10,000,000.
 *
 * Who may look: the staff roles over the organisation (office, secretary, leader, discipline),
 * as for the public-rating results (page_rating.c). Plain members do not: they see their own
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
#define DASH_ROLES (ROLE_OFFICE | ROLE_SECRETARY | ROLE_LEADER | ROLE_DISCIPLINE)

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

/* The shares of a row, by their definitions:
 *   orgs_meeting     五个好: orgs_meeting / orgs_graded
 *   members_meeting  五带头: members_meeting / members_graded
 *   satisfaction     (满意 + 基本满意) / all answers of valid ballots — rollup_satisfaction's
 *                    definition, rounded once to 0.1% from the counts (not from its 0.01%)
 *   coverage         领导点评: charges_done / charges */
enum { SH_ORGS, SH_MEMBERS, SH_SATISFACTION, SH_COVERAGE, SH_N };
static const char *const share_keys[SH_N] = {"orgs_meeting", "members_meeting", "satisfaction", "coverage"};

static void shares(const rollup *u, int64_t t[SH_N])
{
    int64_t ok = u->v[RU_ANS_SATISFIED] + u->v[RU_ANS_BASIC];
    t[SH_ORGS] = tenths(u->v[RU_ORGS_MEETING], u->v[RU_ORGS_GRADED]);
    t[SH_MEMBERS] = tenths(u->v[RU_MEMBERS_MEETING], u->v[RU_MEMBERS_GRADED]);
    t[SH_SATISFACTION] = tenths(ok, ok + u->v[RU_ANS_UNSATISFIED]);
    t[SH_COVERAGE] = tenths(u->v[RU_CHARGES_DONE], u->v[RU_CHARGES]);
}

/* One table row: the organisation, every counter under its column name, and the shares. */
static cJSON *row_json(const org *o, const char *name, const rollup *u)
{
    cJSON *row = cJSON_CreateObject();
    if (o) {
        json_add_i64(row, "id", o->id);
        cJSON_AddStringToObject(row, "type_label", org_type_label(o->type));
        cJSON_AddBoolToObject(row, "is_branch", !strcmp(o->type, "branch"));
    }
    cJSON_AddStringToObject(row, "name", name);
    for (int i = 0; i < RU_N; i++) json_add_i64(row, rollup_cols[i], u->v[i]);
    int64_t t[SH_N];
    shares(u, t);
    for (int i = 0; i < SH_N; i++) add_rate(row, share_keys[i], t[i]);
    return row;
}

typedef struct kids_ctx {
    cJSON *rows;
    rollup sum; /* of the children, to tell what belongs to the organisation itself */
    int n;
} kids_ctx;

static int add_kid(void *vctx, const org *child, const rollup *u)
{
    kids_ctx *k = vctx;
    cJSON_AddItemToArray(k->rows, row_json(child, child->name, u));
    for (int i = 0; i < RU_N; i++) k->sum.v[i] += u->v[i];
    k->n++;
    return 0;
}

static bool rollup_nonzero(const rollup *u)
{
    for (int i = 0; i < RU_N; i++)
        if (u->v[i]) return true;
    return false;
}

/* ---- XLSX ---- */

typedef struct xcol {
    const char *head;
    int counter;  /* RU_* or -1 */
    int share;    /* SH_* or -1 */
} xcol;
static const xcol xcols[] = {
    {"评定等次组织数", RU_ORGS_GRADED, -1},   {"达到五个好组织数", RU_ORGS_MEETING, -1}, {"五个好比例(%)", -1, SH_ORGS},
    {"评定等次党员数", RU_MEMBERS_GRADED, -1}, {"达到五带头党员数", RU_MEMBERS_MEETING, -1}, {"五带头比例(%)", -1, SH_MEMBERS},
    {"优秀", RU_MEMBERS_EXCELLENT, -1},        {"合格", RU_MEMBERS_QUALIFIED, -1},        {"基本合格", RU_MEMBERS_BASIC, -1},
    {"不合格", RU_MEMBERS_UNQUALIFIED, -1},    {"群众满意率(%)", -1, SH_SATISFACTION},    {"有效票", RU_BALLOTS_VALID, -1},
    {"无效票", RU_BALLOTS_INVALID, -1},        {"满意（答项）", RU_ANS_SATISFIED, -1},    {"基本满意（答项）", RU_ANS_BASIC, -1},
    {"不满意（答项）", RU_ANS_UNSATISFIED, -1}, {"应点评", RU_CHARGES, -1},               {"已点评", RU_CHARGES_DONE, -1},
    {"点评覆盖率(%)", -1, SH_COVERAGE},        {"自评", RU_SELF_REVIEWS, -1},             {"互评", RU_PEER_REVIEWS, -1},
    /* what the satisfaction rate counts, by channel, and what it leaves out */
    {"有效票：网上（短信验证）", RU_BALLOTS_WEB, -1}, {"有效票：纸质问卷", RU_BALLOTS_PAPER, -1}, {"有效票：电话抽访", RU_BALLOTS_PHONE, -1},
    {"未验证的网上评价（不计入）", RU_BALLOTS_UNVERIFIED, -1}, {"集中投票待审核（不计入）", RU_BALLOTS_HELD, -1},
};
#define NXCOLS (sizeof xcols / sizeof xcols[0])

static void xlsx_row(lxw_worksheet *ws, lxw_row_t y, const char *name, const char *type, const cJSON *row, lxw_format *f)
{
    worksheet_write_string(ws, y, 0, name, f);
    worksheet_write_string(ws, y, 1, type, f);
    for (size_t c = 0; c < NXCOLS; c++) {
        lxw_col_t x = (lxw_col_t)(c + 2);
        if (xcols[c].counter >= 0) {
            worksheet_write_number(ws, y, x, cJSON_GetObjectItem(row, rollup_cols[xcols[c].counter])->valuedouble, f);
            continue;
        }
        char k[64];
        snprintf(k, sizeof k, "%s_rate", share_keys[xcols[c].share]);
        const cJSON *v = cJSON_GetObjectItem(row, k);
        if (cJSON_IsNumber(v)) worksheet_write_number(ws, y, x, v->valuedouble, f);
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
    snprintf(after, sizeof after, "{\"format\":\"xlsx\",\"round_id\":%" PRId64 "}", (int64_t)cJSON_GetObjectItem(round, "id")->valuedouble);
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
    if (!req_id(r, 0, &id) || !req_org(r, id, DASH_ROLES, &o)) return;
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
        if (org_get(r->db, o.parent_id, &p) == 1 && perm_allows(&r->user, DASH_ROLES, p.path)) {
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
    if (!round_id || (int64_t)cJSON_GetObjectItem(x, "id")->valuedouble == round_id) {
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
    round_id = (int64_t)cJSON_GetObjectItem(round, "id")->valuedouble;
    cJSON_AddItemReferenceToObject(d, "round", round);

    rollup total;
    kids_ctx k = {.rows = cJSON_AddArrayToObject(d, "children")};
    if (rollup_get(r->db, round_id, o.id, &total) != CX_OK || rollup_children(r->db, round_id, o.id, add_kid, &k) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取统计失败");
        return;
    }
    cJSON *tot = row_json(&o, o.name, &total);
    cJSON_AddItemToObject(d, "total", tot);
    /* What is counted at the organisation itself (its own members, a window, an inactive
     * child's records): total minus the children, so that the rows add up to the total. */
    rollup own = total;
    for (int i = 0; i < RU_N; i++) own.v[i] -= k.sum.v[i];
    cJSON *ownj = NULL;
    if (k.n && rollup_nonzero(&own)) ownj = row_json(NULL, "本级（直属）", &own);
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
