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
 * people).
 *
 * The whole campaign (issue 17), beside the round: for a period (?period=2026, 2026H1, 2026Q3;
 * the current year by default) the quarter roll-ups (period_rollup: period_get, one row summed over
 * at most four quarters, period_children, one row per child): pledge fulfilment, feedback answered
 * on time, rectification closed on time, reports on time, inspection findings open; each child
 * ranked on each; trends over the last eight quarters and the last eight rounds (one roll-up row
 * each). Participation (self-reviewed, peer-reviewed, rated) is the round's, from its roll-up row. */
#include "web.h"
#include "../domain/date.h"
#include "../store/period.h"
#include "../store/quiz.h" /* 学习测试 (issue 18) */
#include "../lib/assets.h"
#include "../lib/xlsxout.h"
#include "../store/rollup.h"
#include "../store/liaison.h" /* liaison points (issue 18) */
#include "../store/ledger.h" /* the ledger (issue 18) */
#include "../store/contest.h" /* issue 19: contests and posts */
#include "../store/sector_standard.h" /* the grades by standard set (issue 22) */
#include "../store/post.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROUNDS 100

/* The rounds that cover o: run at o or at an ancestor (a round covers its org's subtree),
 * newest first. */
static int rounds_covering(req *r, const org *o, cJSON *out)
{
    db_stmt *s = db_prepare(r->db, "SELECT rr.id, rr.name, rr.period_start, rr.period_end, rr.status, rr.org_id, o.name, rr.campaign_id "
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
        json_add_i64(x, "campaign_id", db_col_i64(s, 7));
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
    int64_t pledged; /* members who pledged in the round's campaign (campaign_rollup) */
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
    /* participation in the campaign: members who pledged, over the active members */
    json_add_i64(row, "members_pledged", f->pledged);
    add_rate(row, "members_pledged", tenths(f->pledged, f->t.v[TL_MEMBERS_ACTIVE]));
    return row;
}

typedef struct kids_ctx {
    int64_t campaign_id;
    pledged_rows pledged; /* every child's members who pledged, read in one query */
    cJSON *rows;
    figs sum; /* of the children, to tell what belongs to the organisation itself */
    int n;
} kids_ctx;

static int add_kid(void *vctx, const org *child, const rollup *u, const tally *t)
{
    kids_ctx *k = vctx;
    figs f = {*u, *t, 0, 0};
    f.pledged = pledged_rows_get(&k->pledged, child->id);
    k->sum.pledged += f.pledged;
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

/* ---- the whole campaign by quarter ---- */

/* The shares of the campaign panel: num / den of period counters (ranked by campaign_ranks). */
static const struct {
    const char *key;
    int num, den;
} cshares[] = {
    {"pledges_fulfilled", PR_PLEDGES_FULFILLED, PR_PLEDGES_DUE},
    {"feedback_on_time", PR_FEEDBACK_ON_TIME, PR_FEEDBACK_DUE},
    {"rect_on_time", PR_RECT_ON_TIME, PR_RECT_DUE},
    {"reports_on_time", PR_REPORTS_ON_TIME, PR_REPORTS_DUE},
};
#define NCSHARES (sizeof cshares / sizeof cshares[0])

static int64_t findings_open(const period *p) { return p->v[PR_FINDINGS] - p->v[PR_FINDINGS_CLOSED]; }

/* One row of the panel: every counter under its column name, the open findings, the shares. */
static cJSON *period_json(const org *o, const char *name, const period *p)
{
    cJSON *row = cJSON_CreateObject();
    if (o) {
        json_add_i64(row, "id", o->id);
        cJSON_AddStringToObject(row, "type_label", org_type_label(o->type));
    }
    cJSON_AddStringToObject(row, "name", name);
    for (int i = 0; i < PR_N; i++) json_add_i64(row, period_cols[i], p->v[i]);
    json_add_i64(row, "findings_open", findings_open(p));
    for (size_t i = 0; i < NCSHARES; i++) add_rate(row, cshares[i].key, tenths(p->v[cshares[i].num], p->v[cshares[i].den]));
    return row;
}

typedef struct pkids {
    cJSON *rows;
    period sum;
    int n;
} pkids;

static int add_pkid(void *vctx, const org *child, const period *p)
{
    pkids *k = vctx;
    cJSON_AddItemToArray(k->rows, period_json(child, child->name, p));
    for (int i = 0; i < PR_N; i++) k->sum.v[i] += p->v[i];
    k->n++;
    return 0;
}

/* A figure children are ranked on: a share (<key>_rate, higher first) or a count (fewer first). */
typedef struct rankfig {
    const char *key, *label;
    bool fewer_first;
} rankfig;
static const rankfig campaign_ranks[] = {
    {"pledges_fulfilled", "承诺兑现率", false},  {"feedback_on_time", "群众意见按期答复率", false},
    {"rect_on_time", "整改按期销号率", false},   {"reports_on_time", "汇报按时报送率", false},
    {"findings_open", "督查发现问题未整改（少者在前）", true},
};
/* participation in the round shown (its children's rows) */
static const rankfig round_ranks[] = {
    {"members_pledged", "承诺参与率（本轮评议所属活动）", false},
    {"self_reviews", "自评率（本轮评议）", false},
    {"members_graded", "党员参评率（本轮评议）", false},
};

/* A figure's value in a row for ranking (higher ranks first); has = false when a share has no
 * denominator (not ranked). */
static int64_t rank_value(const cJSON *row, const rankfig *f, bool *has)
{
    if (f->fewer_first) return *has = true, -json_get_i64(row, f->key);
    char k[64];
    snprintf(k, sizeof k, "%s_rate", f->key);
    const cJSON *v = cJSON_GetObjectItem(row, k);
    *has = json_is_num(v);
    return *has ? (int64_t)(v->valuedouble * 10 + 0.5) : 0;
}

/* Ranks the rows on each figure (1 the best; equal values share a rank, the next skips: 1, 2, 2,
 * 4), as <key>_rank in each row (null when not ranked), and appends each ranking in order to out:
 * {key, label, rows: [{rank, id, name, text}]}. */
static void rank_children(cJSON *rows, const rankfig *rf, size_t nfigs, cJSON *out)
{
    int n = cJSON_GetArraySize(rows);
    for (size_t f = 0; f < nfigs; f++) {
        const rankfig *fg = &rf[f];
        char rk[64], tk[64];
        snprintf(rk, sizeof rk, "%s_rank", fg->key);
        snprintf(tk, sizeof tk, "%s_text", fg->key);
        cJSON *list = cJSON_CreateObject(), *lr = cJSON_CreateArray();
        cJSON_AddStringToObject(list, "key", fg->key);
        cJSON_AddStringToObject(list, "label", fg->label);
        int64_t *vals = xcalloc((size_t)n + 1, sizeof *vals);
        bool *has = xcalloc((size_t)n + 1, sizeof *has);
        for (int i = 0; i < n; i++) vals[i] = rank_value(cJSON_GetArrayItem(rows, i), fg, &has[i]);
        int *order = xcalloc((size_t)n + 1, sizeof *order), m = 0;
        for (int i = 0; i < n; i++) {
            cJSON *row = cJSON_GetArrayItem(rows, i);
            if (!has[i]) {
                cJSON_AddNullToObject(row, rk);
                continue;
            }
            int64_t rank = 1;
            for (int j = 0; j < n; j++)
                if (has[j] && vals[j] > vals[i]) rank++;
            json_add_i64(row, rk, rank);
            order[m++] = i;
        }
        /* in rank order, ties in the rows' (name) order */
        for (int a = 1; a < m; a++)
            for (int b = a; b > 0 && vals[order[b]] > vals[order[b - 1]]; b--) {
                int t = order[b];
                order[b] = order[b - 1], order[b - 1] = t;
            }
        for (int a = 0; a < m; a++) {
            cJSON *row = cJSON_GetArrayItem(rows, order[a]), *e = cJSON_CreateObject();
            json_add_i64(e, "rank", json_get_i64(row, rk));
            json_add_i64(e, "id", json_get_i64(row, "id"));
            cJSON_AddStringToObject(e, "name", cJSON_GetObjectItem(row, "name")->valuestring);
            if (!fg->fewer_first) cJSON_AddStringToObject(e, "text", cJSON_GetObjectItem(row, tk)->valuestring);
            else {
                char t[32];
                snprintf(t, sizeof t, "%" PRId64, json_get_i64(row, fg->key));
                cJSON_AddStringToObject(e, "text", t);
            }
            cJSON_AddItemToArray(lr, e);
        }
        free(vals);
        free(has);
        free(order);
        cJSON_AddItemToObject(list, "rows", lr);
        cJSON_AddItemToArray(out, list);
    }
}

#define TREND_N 8

/* The subtree's shares in each of the TREND_N quarters ending at to_q, oldest first. */
static int quarter_trend(req *r, const org *o, int to_q, cJSON *out)
{
    int q[TREND_N];
    for (int i = TREND_N - 1, x = to_q; i >= 0; i--) {
        q[i] = x;
        x = x % 10 == 1 ? (x / 10 - 1) * 10 + 4 : x - 1;
    }
    for (int i = 0; i < TREND_N; i++) {
        period p;
        char label[64];
        if (period_get(r->db, o->id, q[i], q[i], &p) != CX_OK) return CX_ERR;
        snprintf(label, sizeof label, "%dQ%d", q[i] / 10, q[i] % 10);
        cJSON *row = period_json(NULL, label, &p);
        json_add_i64(row, "quarter", q[i]);
        cJSON_AddItemToArray(out, row);
    }
    return CX_OK;
}

/* The round figures of the TREND_N newest rounds covering o, oldest first: 五个好, 五带头,
 * satisfaction and the participation (self-reviewed, rated; peer reviews as a count). */
static int round_trend(req *r, const org *o, const cJSON *rounds, cJSON *out)
{
    const cJSON *x;
    int n = 0;
    cJSON *rows = cJSON_CreateArray();
    tally t;
    if (tally_get(r->db, o->id, &t) != CX_OK) return cJSON_Delete(rows), CX_ERR;
    cJSON_ArrayForEach(x, rounds) {
        if (n++ == TREND_N) break;
        figs f = {.t = t, .root = json_get_i64(x, "org_id") == o->id};
        if (rollup_get(r->db, json_get_i64(x, "id"), o->id, &f.u) != CX_OK ||
            period_pledged(r->db, json_get_i64(x, "campaign_id"), o->id, &f.pledged) != CX_OK)
            return cJSON_Delete(rows), CX_ERR;
        cJSON *row = row_json(NULL, cJSON_GetObjectItem(x, "name")->valuestring, &f);
        json_add_i64(row, "round_id", json_get_i64(x, "id"));
        cJSON_AddItemToArray(rows, row);
    }
    for (int i = cJSON_GetArraySize(rows) - 1; i >= 0; i--) cJSON_AddItemToArray(out, cJSON_DetachItemFromArray(rows, i));
    cJSON_Delete(rows);
    return CX_OK;
}

/* The campaign panel of o for the quarters from_q..to_q ("campaign" in the data). */
static cJSON *campaign_panel(req *r, const org *o, const char *ptext, int from_q, int to_q, const cJSON *rounds)
{
    cJSON *c = cJSON_CreateObject();
    char label[96];
    period_label(from_q, to_q, label, sizeof label);
    cJSON_AddStringToObject(c, "period", ptext);
    cJSON_AddStringToObject(c, "period_label", label);
    period tot;
    pkids k = {.rows = cJSON_CreateArray()};
    cJSON_AddItemToObject(c, "children", k.rows);
    cJSON *qt = cJSON_AddArrayToObject(c, "quarters"), *rt = cJSON_AddArrayToObject(c, "rounds");
    if (period_get(r->db, o->id, from_q, to_q, &tot) != CX_OK || period_children(r->db, o->id, from_q, to_q, add_pkid, &k) != CX_OK ||
        quarter_trend(r, o, to_q, qt) != CX_OK || round_trend(r, o, rounds, rt) != CX_OK) {
        cJSON_Delete(c);
        return NULL;
    }
    cJSON_AddItemToObject(c, "total", period_json(o, o->name, &tot));
    period own = tot;
    bool any = false;
    for (int i = 0; i < PR_N; i++) any |= (own.v[i] -= k.sum.v[i]) != 0;
    if (k.n && any) cJSON_AddItemToObject(c, "own", period_json(NULL, "本级（直属）", &own));
    else cJSON_AddNullToObject(c, "own");
    rank_children(k.rows, campaign_ranks, sizeof campaign_ranks / sizeof campaign_ranks[0], cJSON_AddArrayToObject(c, "rankings"));
    cJSON_AddBoolToObject(c, "has_children", k.n > 0);
    /* the period selector: this year and the four before, each as a year, halves and quarters */
    cJSON *opts = cJSON_AddArrayToObject(c, "periods");
    char today[11];
    date_today(today);
    for (int y = atoi(today); y > atoi(today) - 5; y--) {
        static const char *const tails[] = {"", "H1", "H2", "Q1", "Q2", "Q3", "Q4"};
        for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++) {
            char v[16], l[96];
            int a, b;
            snprintf(v, sizeof v, "%d%s", y, tails[i]);
            if (period_parse(v, &a, &b) != CX_OK) continue;
            period_label(a, b, l, sizeof l);
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "value", v);
            cJSON_AddStringToObject(e, "label", l);
            cJSON_AddBoolToObject(e, "selected", !strcmp(v, ptext));
            cJSON_AddItemToArray(opts, e);
        }
    }
    return c;
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
    /* participation in the round's campaign */
    {"已作出承诺的党员", "members_pledged"}, {"承诺参与率(%)", "members_pledged_rate"},
};
#define NXCOLS (sizeof xcols / sizeof xcols[0])


/* The campaign sheet: the period's counters and shares, the total first, each child with its
 * ranks, then the organisation's own. */
static const xcol pcols[] = {
    {"承诺兑现率(%)", "pledges_fulfilled_rate"}, {"承诺兑现名次", "pledges_fulfilled_rank"}, {"到期承诺", "pledges_due"},
    {"已兑现承诺", "pledges_fulfilled"}, {"无正当理由未兑现", "pledges_missed_unjustified"},
    {"意见按期答复率(%)", "feedback_on_time_rate"}, {"意见按期答复名次", "feedback_on_time_rank"}, {"到期应答复意见", "feedback_due"},
    {"按期答复意见", "feedback_on_time"}, {"整改按期销号率(%)", "rect_on_time_rate"}, {"整改按期销号名次", "rect_on_time_rank"},
    {"到期整改事项", "rect_due"}, {"按期整改销号", "rect_on_time"}, {"汇报按时报送率(%)", "reports_on_time_rate"},
    {"汇报按时报送名次", "reports_on_time_rank"}, {"应报送汇报", "reports_due"}, {"按时报送", "reports_on_time"},
    {"逾期报送", "reports_late"}, {"督查发现问题", "findings"}, {"已整改销号", "findings_closed"},
    {"未整改问题", "findings_open"}, {"未整改问题名次（少者在前）", "findings_open_rank"},
};

static void xlsx_cells(lxw_worksheet *ws, lxw_row_t y, const char *name, const char *type, const cJSON *row, const xcol *cols, size_t n,
                       lxw_format *f)
{
    worksheet_write_string(ws, y, 0, name, f);
    worksheet_write_string(ws, y, 1, type, f);
    for (size_t c = 0; c < n; c++) {
        lxw_col_t x = (lxw_col_t)(c + 2);
        const cJSON *v = cJSON_GetObjectItem(row, cols[c].key);
        if (json_is_num(v)) worksheet_write_number(ws, y, x, v->valuedouble, f);
        else worksheet_write_string(ws, y, x, "—", f);
    }
}

static void campaign_sheet(lxw_worksheet *ws, lxw_format *b, const org *o, const cJSON *camp)
{
    char title[600];
    snprintf(title, sizeof title, "%s · %s · 全面工作（按季度统计）", o->name, cJSON_GetObjectItem(camp, "period_label")->valuestring);
    worksheet_write_string(ws, 0, 0, title, b);
    worksheet_write_string(ws, 1, 0, "组织", b);
    worksheet_write_string(ws, 1, 1, "类型", b);
    size_t n = sizeof pcols / sizeof pcols[0];
    for (size_t c = 0; c < n; c++) worksheet_write_string(ws, 1, (lxw_col_t)(c + 2), pcols[c].head, b);
    worksheet_set_column(ws, 0, 0, 28, NULL);
    lxw_row_t y = 2;
    char name[400];
    snprintf(name, sizeof name, "合计：%s", o->name);
    xlsx_cells(ws, y++, name, org_type_label(o->type), cJSON_GetObjectItem(camp, "total"), pcols, n, b);
    const cJSON *k, *own = cJSON_GetObjectItem(camp, "own");
    cJSON_ArrayForEach(k, cJSON_GetObjectItem(camp, "children"))
    xlsx_cells(ws, y++, cJSON_GetObjectItem(k, "name")->valuestring, cJSON_GetObjectItem(k, "type_label")->valuestring, k, pcols, n, NULL);
    if (own && cJSON_IsObject(own)) xlsx_cells(ws, y++, cJSON_GetObjectItem(own, "name")->valuestring, "", own, pcols, n, NULL);
}

/* The workbook: the round's sheet (when there is a round), then the campaign's. */
static void export_xlsx(req *r, const org *o, const cJSON *round, const cJSON *total, const cJSON *kids, const cJSON *own,
                        const cJSON *camp)
{
    xlsx_export xe;
    lxw_worksheet *ws = export_open(r, &xe, round ? "统计看板" : "全面工作", NULL, 0);
    if (!ws) return;
    lxw_format *b = xe.bold;
    char fname[700], after[160];
    const char *pl = cJSON_GetObjectItem(camp, "period_label")->valuestring;
    if (!round) {
        campaign_sheet(ws, b, o, camp);
        snprintf(fname, sizeof fname, "%s-统计看板-%s.xlsx", o->name, pl);
        snprintf(after, sizeof after, "{\"format\":\"xlsx\",\"period\":\"%s\"}", cJSON_GetObjectItem(camp, "period")->valuestring);
        export_close(r, &xe, CX_OK, fname, "dashboard", o->id, o->id, after);
        return;
    }
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
    xlsx_cells(ws, y++, name, org_type_label(o->type), total, xcols, NXCOLS, b);
    const cJSON *k;
    cJSON_ArrayForEach(k, kids)
    xlsx_cells(ws, y++, cJSON_GetObjectItem(k, "name")->valuestring, cJSON_GetObjectItem(k, "type_label")->valuestring, k, xcols, NXCOLS, NULL);
    if (own) xlsx_cells(ws, y++, cJSON_GetObjectItem(own, "name")->valuestring, "", own, xcols, NXCOLS, NULL);
    lxw_worksheet *ws2 = workbook_add_worksheet(xe.xo.wb, "全面工作");
    if (ws2) campaign_sheet(ws2, b, o, camp);
    snprintf(fname, sizeof fname, "%s-统计看板-%s-%s.xlsx", o->name, rname, pl);
    snprintf(after, sizeof after, "{\"format\":\"xlsx\",\"round_id\":%" PRId64 ",\"period\":\"%s\"}", json_get_i64(round, "id"),
             cJSON_GetObjectItem(camp, "period")->valuestring);
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

/* The page's data block for dashboard.js: the round's total and children (when there is a round)
 * and the campaign panel, the same figures as the tables. */
static void chart_block(cJSON *d, const cJSON *tot, const cJSON *kids, const cJSON *camp)
{
    cJSON *chart = cJSON_CreateObject();
    if (tot) cJSON_AddItemToObject(chart, "total", cJSON_Duplicate(tot, true));
    if (kids) cJSON_AddItemToObject(chart, "children", cJSON_Duplicate(kids, true));
    cJSON_AddItemToObject(chart, "campaign", cJSON_Duplicate(camp, true));
    char *js = json_for_html(chart);
    cJSON_Delete(chart);
    cJSON_AddStringToObject(d, "html_chart_json", js);
    free(js);
}

/* Liaison points (联络点, issue 18) as "liaison": the period's visits and the problems they found
 * and solved (the campaign's roll-up total), and the leaders of the subtree without a point, with
 * too few and with too few visits in the period's first year (the leaders' own rows: a few per
 * organisation, never the visits). */
static int liaison_block(req *r, const org *o, int year, const cJSON *camp, cJSON *d)
{
    liaison_counts c;
    if (liaison_count(r->db, o, year, &c) != CX_OK) return CX_ERR;
    const cJSON *tot = cJSON_GetObjectItem(camp, "total");
    cJSON *l = cJSON_AddObjectToObject(d, "liaison");
    json_add_i64(l, "visits", json_get_i64(tot, "visits"));
    json_add_i64(l, "problems_found", json_get_i64(tot, "visit_problems_found"));
    json_add_i64(l, "problems_solved", json_get_i64(tot, "visit_problems_solved"));
    json_add_i64(l, "year", year);
    json_add_i64(l, "leaders", c.leaders);
    json_add_i64(l, "leaders_none", c.none);
    json_add_i64(l, "leaders_few", c.few);
    json_add_i64(l, "leaders_visits_short", c.visits_short);
    cJSON_AddBoolToObject(l, "office", perm_may_run_liaison(&r->user, o->path));
    return CX_OK;
}

/* ---- 学习测试 (issue 18, study and quizzes) ---- */

/* d.study: the newest quiz opened by now that covers o or was issued in its subtree, with its
 * participation and, once it closed, its pass rate over o's subtree (quiz_rollup and org_tally,
 * never the answer sheets); null when there is none. */
static void study_panel(req *r, const org *o, cJSON *d)
{
    quiz x;
    quiz_tally t;
    const org *at = o;
    org scope;
    int f = quiz_latest(r->db, o, now_unix(), &x);
    if (f == 1 && !path_in_subtree(o->path, x.scope_path) && org_get(r->db, x.scope_org_id, &scope) == 1) at = &scope;
    if (f != 1 || quiz_tally_get(r->db, x.id, at, &t) != CX_OK) {
        cJSON_AddNullToObject(d, "study");
        return;
    }
    cJSON *s = cJSON_AddObjectToObject(d, "study");
    json_add_i64(s, "quiz_id", x.id);
    cJSON_AddStringToObject(s, "title", x.title);
    cJSON_AddStringToObject(s, "org_name", at->name);
    cJSON_AddBoolToObject(s, "closed", quiz_state(&x, now_unix()) == 2);
    json_add_i64(s, "answered", t.answered);
    json_add_i64(s, "members", t.members);
    add_rate(s, "participation", tenths(t.answered, t.members));
    if (quiz_state(&x, now_unix()) != 2) return; /* pass figures once it closed (no score before then) */
    json_add_i64(s, "passed", t.passed);
    add_rate(s, "pass", tenths(t.passed, t.answered));
}

/* issue 19: d.contests_posts: contests published in the period in o's subtree (an index range on
 * contest.org_path), the posts and areas of the subtree now, those nobody holds, and those set up in
 * the period. */
static int contests_posts_panel(req *r, const org *o, int from_q, int to_q, cJSON *d)
{
    int64_t t0, t1, nc = 0;
    period_unix(from_q, to_q, &t0, &t1);
    post_counts pc;
    if (contest_count_published(r->db, o->path, t0, t1, &nc) != CX_OK || post_counts_get(r->db, o, t0, t1, &pc) != CX_OK) return CX_ERR;
    cJSON *x = cJSON_AddObjectToObject(d, "contests_posts");
    json_add_i64(x, "org_id", o->id);
    json_add_i64(x, "contests_published", nc);
    json_add_i64(x, "posts", pc.posts);
    json_add_i64(x, "areas", pc.areas);
    json_add_i64(x, "unheld", pc.unheld);
    json_add_i64(x, "new_posts", pc.new_posts);
    json_add_i64(x, "new_areas", pc.new_areas);
    return CX_OK;
}

/* GET /orgs/:id/dashboard and /api/v1/orgs/:id/dashboard [?round_id=][&period=][&format=xlsx] */
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
    /* the campaign's period: a year, a half or a quarter up to next year (pledges and deadlines
     * may fall due then); this year by default */
    const char *pq = req_query(r, "period");
    char today[11], ptext[16];
    int from_q, to_q;
    date_today(today);
    snprintf(ptext, sizeof ptext, "%.*s", pq && *pq ? 15 : 4, pq && *pq ? pq : today);
    if ((pq && strlen(pq) > 6) || period_parse(ptext, &from_q, &to_q) != CX_OK) {
        req_failf(r, 400, "invalid_query", "period", "参数 period（统计期间）应为年份（如 2026）、半年（如 2026H1）或季度（如 2026Q3），收到“%.32s”", pq);
        return;
    }
    if (from_q / 10 > atoi(today) + 1 || from_q / 10 < 2000) {
        req_failf(r, 400, "invalid_query", "period", "参数 period（统计期间）“%s”超出范围：只能查看 2000 年至明年", ptext);
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
    cJSON *camp = campaign_panel(r, &o, ptext, from_q, to_q, rounds);
    if (!camp) {
        req_failf(r, 500, "db_error", "", "读取季度统计失败");
        return;
    }
    cJSON_AddItemToObject(d, "campaign", camp);
    if (liaison_block(r, &o, from_q / 10, camp, d) != CX_OK) { /* liaison points (issue 18) */
        req_failf(r, 500, "db_error", "", "读取联络点统计失败");
        return;
    }
    /* the ledger (台账, issue 18): entries and people by kind over the period, from its roll-up */
    int64_t ln[LK_COUNT], lp[LK_COUNT];
    if (ledger_kind_totals(r->db, o.id, from_q, to_q, ln, lp) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取台账统计失败");
        return;
    }
    cJSON *led = cJSON_AddObjectToObject(d, "ledger"), *lk = cJSON_AddArrayToObject(led, "kinds");
    cJSON_AddStringToObject(led, "period", ptext);
    cJSON_AddStringToObject(led, "period_label", cJSON_GetStringValue(cJSON_GetObjectItem(camp, "period_label")));
    json_add_i64(led, "org_id", o.id);
    for (int k = 0; k < LK_COUNT; k++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "kind", ledger_kind_name((ledger_kind)k));
        cJSON_AddStringToObject(x, "label", ledger_kind_label((ledger_kind)k));
        json_add_i64(x, "entries", ln[k]);
        json_add_i64(x, "people", lp[k]);
        cJSON_AddItemToArray(lk, x);
    }
    if (!meeting_dashboard(r, &o, from_q, to_q, d)) return; /* organisation life (meeting.c) */
    study_panel(r, &o, d); /* 学习测试 (issue 18, study and quizzes) */
    if (contests_posts_panel(r, &o, from_q, to_q, d) != CX_OK) { /* issue 19: contests and posts */
        req_failf(r, 500, "db_error", "", "读取竞赛和示范岗统计失败");
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
        if (xlsx) export_xlsx(r, &o, NULL, NULL, NULL, NULL, camp);
        else {
            cJSON_AddNullToObject(d, "round");
            cJSON_AddNullToObject(d, "total");
            cJSON_AddItemToObject(d, "children", cJSON_CreateArray());
            cJSON_AddNullToObject(d, "own");
            if (!req_is_api(r)) chart_block(d, NULL, NULL, camp);
        }
        return;
    }
    cJSON_ReplaceItemInObject(round, "selected", cJSON_CreateTrue());
    round_id = json_get_i64(round, "id");
    cJSON_AddItemReferenceToObject(d, "round", round);

    figs total = {.root = json_get_i64(round, "org_id") == o.id};
    kids_ctx k = {.campaign_id = json_get_i64(round, "campaign_id"), .rows = cJSON_AddArrayToObject(d, "children")};
    int kids_rc = CX_ERR;
    if (rollup_get(r->db, round_id, o.id, &total.u) == CX_OK && tally_get(r->db, o.id, &total.t) == CX_OK &&
        period_pledged(r->db, k.campaign_id, o.id, &total.pledged) == CX_OK &&
        period_pledged_children(r->db, k.campaign_id, o.id, &k.pledged) == CX_OK)
        kids_rc = rollup_children(r->db, round_id, o.id, add_kid, &k);
    pledged_rows_free(&k.pledged);
    if (kids_rc != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取统计失败");
        return;
    }
    cJSON *tot = row_json(&o, o.name, &total);
    cJSON_AddItemToObject(d, "total", tot);
    cJSON *cp = cJSON_GetObjectItem(d, "contests_posts"); /* issue 19 (posts): their satisfaction in the round, from the roll-up */
    json_add_i64(cp, "post_ballots", total.u.v[RU_POST_BALLOTS]);
    add_rate(cp, "post_satisfaction", tenths(total.u.v[RU_POST_ANS_OK], total.u.v[RU_POST_ANS]));
    /* the children ranked on their participation in the round, beside the campaign's rankings */
    if (k.n) rank_children(k.rows, round_ranks, sizeof round_ranks / sizeof round_ranks[0], cJSON_GetObjectItem(camp, "rankings"));
    /* What is counted or due at the organisation itself (its own members, itself, a window, an
     * inactive child's records): total minus the children, so that the rows add up to the total. */
    figs own = total;
    for (int i = 0; i < RU_N; i++) own.u.v[i] -= k.sum.u.v[i];
    for (int i = 0; i < TL_N; i++) own.t.v[i] -= k.sum.t.v[i];
    own.pledged -= k.sum.pledged;
    cJSON *ownj = NULL;
    if (k.n && figs_nonzero(&own)) ownj = row_json(NULL, "本级（直属）", &own);
    if (ownj) cJSON_AddItemToObject(d, "own", ownj);
    else cJSON_AddNullToObject(d, "own");
    /* the grades by standard set (issue 22), when the round reviews sectors on different sets: like
     * compared with like. (Without sector rules the counters above are already one set each.) */
    review_round rd;
    int64_t nrules = 0;
    if (!xlsx && (round_rule_count(r->db, round_id, &nrules) != CX_OK ||
                  (nrules && (round_get(r->db, round_id, &rd) != 1 ||
                              standard_figures(r, &rd, &o, cJSON_AddArrayToObject(d, "by_standard")) != CX_OK)))) {
        req_failf(r, 500, "db_error", "", "读取按评议标准的统计失败");
        return;
    }
    if (xlsx) {
        export_xlsx(r, &o, round, tot, k.rows, ownj, camp);
        return;
    }
    if (req_is_api(r)) return;
    /* the page: the charts' data as a JSON block for dashboard.js */
    chart_block(d, tot, k.rows, camp);
    cJSON_AddBoolToObject(d, "has_children", k.n > 0);
}
