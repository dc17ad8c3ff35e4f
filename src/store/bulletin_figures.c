/* bulletin_figures.c: the generated sections of a bulletin (see bulletin.h). Rankings of the
 * office's direct children read roll-up rows (period_children over the quarters, rollup_children
 * of one review round) when composed and published; the recount reads the raw records instead
 * (period_raw; the round's grades and ballots). Lists (late and missing reports, overdue
 * rectification, unanswered feedback, 点名, exemplary pledges) read the records, at most
 * BULLETIN_LIST_MAX rows with the total. */
#include "bulletin.h"
#include "period.h"
#include "rollup.h"
#include "ledger.h" /* the ledger (issue 18) */
#include "contest.h" /* issue 19: contests and posts */
#include "post.h"
#include "../domain/feedback.h"
#include "../domain/pledge.h"
#include "../domain/rect.h"
#include "../domain/review.h"
#include "news.h" /* issue 22: news items */
#include "goal.h" /* issue 22: annual goals */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* The quarters' bounds as days: [day0, day1). */
static void period_days(int from_q, int to_q, char day0[11], char day1[11])
{
    period_first_day(from_q, day0);
    period_first_day(to_q % 10 == 4 ? (to_q / 10 + 1) * 10 + 1 : to_q + 1, day1);
}

/* ---- rankings ---- */

typedef struct shares {
    bulletin_share *v;
    int n, cap;
} shares;

static void shares_add(shares *s, int64_t id, const char *name, int64_t num, int64_t den)
{
    if (s->n == s->cap) s->cap = s->cap ? s->cap * 2 : 16, s->v = xrealloc(s->v, (size_t)s->cap * sizeof *s->v);
    s->v[s->n++] = (bulletin_share){id, xstrdup(name), num, den};
}

static void shares_free(shares *s)
{
    for (int i = 0; i < s->n; i++) free((char *)s->v[i].name);
    free(s->v);
}

/* numerator and denominator of a quarter ranking */
static void period_share(int kind, const period *p, int64_t *num, int64_t *den)
{
    int n = kind == BK_RANK_PLEDGES ? PR_PLEDGES_FULFILLED : kind == BK_RANK_REPORTS ? PR_REPORTS_ON_TIME
          : kind == BK_RANK_RECT    ? PR_RECT_ON_TIME       : PR_FEEDBACK_ON_TIME;
    int d = kind == BK_RANK_PLEDGES ? PR_PLEDGES_DUE : kind == BK_RANK_REPORTS ? PR_REPORTS_DUE
          : kind == BK_RANK_RECT    ? PR_RECT_DUE     : PR_FEEDBACK_DUE;
    *num = p->v[n], *den = p->v[d];
}

static void round_share(int kind, const rollup *r, int64_t *num, int64_t *den)
{
    if (kind == BK_RANK_ORGS_MEETING) *num = r->v[RU_ORGS_MEETING], *den = r->v[RU_ORGS_GRADED];
    else if (kind == BK_RANK_MEMBERS_MEETING) *num = r->v[RU_MEMBERS_MEETING], *den = r->v[RU_MEMBERS_GRADED];
    else {
        *num = r->v[RU_ANS_SATISFIED] + r->v[RU_ANS_BASIC];
        *den = *num + r->v[RU_ANS_UNSATISFIED];
    }
}

typedef struct rank_ctx {
    int kind;
    shares s;
} rank_ctx;

static int add_period_child(void *ctx, const org *child, const period *p)
{
    rank_ctx *c = ctx;
    int64_t num, den;
    period_share(c->kind, p, &num, &den);
    shares_add(&c->s, child->id, child->name, num, den);
    return 0;
}

static int add_round_child(void *ctx, const org *child, const rollup *r, const tally *t)
{
    (void)t;
    rank_ctx *c = ctx;
    int64_t num, den;
    round_share(c->kind, r, &num, &den);
    shares_add(&c->s, child->id, child->name, num, den);
    return 0;
}

/* A statement over one round's records in the subtree [path, end): its three parameters bound. */
static db_stmt *round_stmt(db *d, const char *sql, int64_t round_id, const char *path, const char *end)
{
    db_stmt *s = db_prepare(d, sql);
    if (!s) return NULL;
    db_bind_i64(s, 1, round_id);
    db_bind_text(s, 2, path);
    db_bind_text(s, 3, end);
    return s;
}

/* A round's counters of one subtree from its grades and ballots, as rollup_recount counts them. */
static int round_raw(db *d, int64_t round_id, const char *path, rollup *out)
{
    memset(out, 0, sizeof *out);
    char end[CX_PATH_MAX];
    orgpath_end(path, end, sizeof end);
    db_stmt *s = round_stmt(d, "SELECT g.target_kind, g.final, g.meets, count(*) FROM grade g JOIN org o ON o.id = g.org_id "
                               "WHERE g.round_id = ? AND o.path >= ? AND o.path < ? GROUP BY g.target_kind, g.final, g.meets",
                            round_id, path, end);
    if (!s) return CX_ERR;
    int rc;
    rollup one;
    while ((rc = db_step(s)) == DB_ROW) {
        memset(&one, 0, sizeof one);
        rollup_of_grade(&one, !strcmp(db_col_text(s, 0), "org"), grade_from_code(db_col_text(s, 1)), db_col_i64(s, 2) != 0, 1);
        for (int i = 0; i < RU_N; i++) out->v[i] += one.v[i] * db_col_i64(s, 3);
    }
    db_done(s);
    if (rc == CX_ERR) return CX_ERR;
    s = round_stmt(d, "SELECT b.valid, b.verified, b.hold, b.channel, b.answers, count(*), " BALLOT_ON_POST("b") " FROM ballot b JOIN org o ON o.id = b.org_id "
                      "WHERE b.round_id = ? AND b.late = 0 AND o.path >= ? AND o.path < ? GROUP BY b.valid, b.verified, b.hold, b.channel, b.answers, "
                      BALLOT_ON_POST("b"), round_id, path, end);
    if (!s) return CX_ERR;
    while ((rc = db_step(s)) == DB_ROW) {
        memset(&one, 0, sizeof one);
        int cls = ballot_class(db_col_i64(s, 0) != 0, db_col_i64(s, 1) != 0, db_col_text(s, 2));
        rollup_of_ballot(&one, cls, db_col_text(s, 3), db_col_text(s, 4), 1);
        if (db_col_i64(s, 6)) rollup_of_post_ballot(&one, cls, db_col_text(s, 4), 1); /* issue 19 (posts) */
        for (int i = 0; i < RU_N; i++) out->v[i] += one.v[i] * db_col_i64(s, 5);
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* The raw counters of each active direct child, in name order (as period_children and
 * rollup_children list them). */
static int raw_children(db *d, const org *office, int kind, int from_q, int to_q, int64_t round_id, shares *out)
{
    db_stmt *s = db_prepare(d, "SELECT id, path, name FROM org WHERE parent_id = ? AND active = 1 ORDER BY name");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, office->id);
    typedef struct {
        int64_t id;
        char *path, *name;
    } kid;
    kid *v = NULL;
    int n = 0, rc;
    while ((rc = db_step(s)) == DB_ROW) {
        v = xrealloc(v, (size_t)(n + 1) * sizeof *v);
        v[n++] = (kid){db_col_i64(s, 0), xstrdup(db_col_text(s, 1)), xstrdup(db_col_text(s, 2))};
    }
    db_done(s);
    for (int i = 0; i < n; i++) {
        int64_t num = 0, den = 0;
        if (rc != CX_ERR && bulletin_kind_round(kind)) {
            rollup r;
            if (round_raw(d, round_id, v[i].path, &r) != CX_OK) rc = CX_ERR;
            else round_share(kind, &r, &num, &den);
        } else if (rc != CX_ERR) {
            period p;
            if (period_raw(d, v[i].path, from_q, to_q, &p) != CX_OK) rc = CX_ERR;
            else period_share(kind, &p, &num, &den);
        }
        if (rc != CX_ERR) shares_add(out, v[i].id, v[i].name, num, den);
        free(v[i].path), free(v[i].name);
    }
    free(v);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* The round a round ranking reads: the latest review round covering the office (its own or an
 * ancestor's) whose period ends inside the bulletin's period; failing that, the latest one whose
 * period overlaps it (its figures as they stand). 1 found, 0 none, CX_ERR. */
static int pick_round(db *d, const org *office, int from_q, int to_q, int64_t *id, char *label, size_t cap)
{
    char day0[11], day1[11];
    period_days(from_q, to_q, day0, day1);
    db_stmt *s = db_prepare(d, "SELECT r.id, r.name, r.period_start, r.period_end, o.path, r.status FROM review_round r "
                               "JOIN org o ON o.id = r.org_id WHERE r.period_end >= ? AND r.period_start < ? "
                               "ORDER BY CASE WHEN r.period_end < ? THEN 0 ELSE 1 END, r.period_end DESC, r.id DESC");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, day0);
    db_bind_text(s, 2, day1);
    db_bind_text(s, 3, day1);
    int rc, found = 0;
    while ((rc = db_step(s)) == DB_ROW)
        if (path_in_subtree(office->path, db_col_text(s, 4))) {
            *id = db_col_i64(s, 0);
            bool inside = strcmp(db_col_text(s, 3), day1) < 0;
            snprintf(label, cap, "%s（%s 至 %s%s）", db_col_text(s, 1), db_col_text(s, 2), db_col_text(s, 3),
                     inside ? "" : !strcmp(db_col_text(s, 5), "open") ? "，进行中，为印发时的数字" : "，结束于本期之后");
            found = 1;
            break;
        }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : found;
}

static const char *fig_text(const cJSON *sec, const char *key)
{
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(sec, "figures");
    const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, key));
    return v ? v : "";
}

static int ranking(db *d, const org *office, int kind, int from_q, int to_q, const cJSON *sec, bf_source src, cJSON *fig)
{
    rank_ctx c = {kind, {0}};
    int rc = CX_OK;
    char plabel[160];
    period_label(from_q, to_q, plabel, sizeof plabel);
    if (bulletin_kind_round(kind)) {
        int64_t round_id = 0;
        char label[600] = "";
        int f;
        if (src == BF_RAW) { /* the round as published */
            f = str_to_i64(fig_text(sec, "round_id"), &round_id) == CX_OK && round_id > 0;
            snprintf(label, sizeof label, "%s", fig_text(sec, "round"));
        } else f = pick_round(d, office, from_q, to_q, &round_id, label, sizeof label);
        if (f == CX_ERR) return CX_ERR;
        if (!f) {
            cJSON_AddStringToObject(fig, "caption", "本期内没有覆盖本组织的评议轮次，本项无数据。");
            cJSON_AddStringToObject(fig, "round_id", "");
            cJSON_AddStringToObject(fig, "round", "");
            bulletin_rank_rows(fig, kind, NULL, 0);
            return CX_OK;
        }
        char t[24], cap[1200];
        snprintf(t, sizeof t, "%" PRId64, round_id);
        snprintf(cap, sizeof cap, "依据评议轮次：%s；按%s下一级组织排列。", label, office->name);
        cJSON_AddStringToObject(fig, "caption", cap);
        cJSON_AddStringToObject(fig, "round_id", t);
        cJSON_AddStringToObject(fig, "round", label);
        rc = src == BF_RAW ? raw_children(d, office, kind, from_q, to_q, round_id, &c.s)
                           : rollup_children(d, round_id, office->id, add_round_child, &c);
    } else {
        char cap[600];
        snprintf(cap, sizeof cap, "%s，按%s下一级组织排列。", plabel, office->name);
        cJSON_AddStringToObject(fig, "caption", cap);
        rc = src == BF_RAW ? raw_children(d, office, kind, from_q, to_q, 0, &c.s)
                           : period_children(d, office->id, from_q, to_q, add_period_child, &c);
    }
    if (rc == CX_OK) bulletin_rank_rows(fig, kind, c.s.v, c.s.n);
    shares_free(&c.s);
    return rc;
}

/* ---- lists ---- */

/* (点名 reads no day: its ?5 is only checked to be a day, so that every list binds alike.) */

/* A list section's query: the records of the office's subtree (paths [?1, ?2)) whose date is in
 * the period ([?3, ?4)), judged as of ?5; column 0 the record's id, the rest read by cells(). */
typedef void (*cells_fn)(db_stmt *s, const char *as_of, const char *out[8], char buf[4][64]);

static void late_report_cells(db_stmt *s, const char *as_of, const char *c[8], char b[4][64])
{
    (void)as_of;
    snprintf(b[0], 64, "%" PRId64, db_col_i64(s, 5));
    c[0] = db_col_text(s, 1), c[1] = db_col_text(s, 2), c[2] = db_col_text(s, 3), c[3] = db_col_text(s, 4), c[4] = b[0];
}

static void missing_report_cells(db_stmt *s, const char *as_of, const char *c[8], char b[4][64])
{
    snprintf(b[0], 64, "%" PRId64, rect_days_overdue(RS_OPEN, db_col_text(s, 3), as_of));
    c[0] = db_col_text(s, 1), c[1] = db_col_text(s, 2), c[2] = db_col_text(s, 3), c[3] = b[0];
}

static void rect_cells(db_stmt *s, const char *as_of, const char *c[8], char b[4][64])
{
    int st = rect_status_from_name(db_col_text(s, 4));
    snprintf(b[0], 64, "%" PRId64, rect_days_overdue(st < 0 ? RS_OPEN : (rect_status)st, db_col_text(s, 3), as_of));
    c[0] = db_col_text(s, 1), c[1] = db_col_text(s, 2), c[2] = db_col_text(s, 3), c[3] = rect_status_label(st < 0 ? RS_OPEN : (rect_status)st), c[4] = b[0];
}

static void feedback_cells(db_stmt *s, const char *as_of, const char *c[8], char b[4][64])
{
    snprintf(b[0], 64, "%" PRId64, rect_days_overdue(RS_OPEN, db_col_text(s, 4), as_of));
    c[0] = db_col_text(s, 1), c[1] = feedback_kind_label(feedback_kind_from(db_col_text(s, 2))), c[2] = db_col_text(s, 3),
    c[3] = db_col_text(s, 4), c[4] = b[0];
}

static void named_cells(db_stmt *s, const char *as_of, const char *c[8], char b[4][64])
{
    (void)as_of, (void)b;
    const char *m = db_col_text(s, 2);
    c[0] = db_col_text(s, 1), c[1] = *m ? m : "（组织承诺）", c[2] = db_col_text(s, 3), c[3] = db_col_text(s, 4);
}

static void exemplary_cells(db_stmt *s, const char *as_of, const char *c[8], char b[4][64])
{
    (void)as_of, (void)b;
    const char *m = db_col_text(s, 2);
    int st = pledge_status_from_name(db_col_text(s, 4));
    c[0] = db_col_text(s, 1), c[1] = *m ? m : "（组织承诺）", c[2] = db_col_text(s, 3), c[3] = st < 0 ? "" : pledge_status_label((pledge_status)st);
}

#define REPORT_FROM "FROM report x JOIN org o ON o.id = x.org_id JOIN report_schedule s ON s.id = x.schedule_id WHERE o.path >= ? AND o.path < ? " \
                    "AND x.due_date >= ? AND x.due_date < ? AND x.due_date < ?"
#define RECT_FROM "FROM rectification x JOIN org o ON o.id = x.org_id WHERE o.path >= ? AND o.path < ? AND x.due_date >= ? AND x.due_date < ? " \
                  "AND x.due_date < ? AND x.status IN ('open','submitted')"
#define FEEDBACK_FROM "FROM feedback x JOIN org o ON o.id = x.org_id WHERE o.path >= ? AND o.path < ? AND x.due_date >= ? AND x.due_date < ? " \
                      "AND x.due_date < ? AND x.status IN ('new','assigned') AND x.kind <> 'report'"
#define NAMED_FROM "FROM pledge x JOIN org o ON o.id = x.org_id LEFT JOIN member m ON m.id = x.member_id WHERE o.path >= ? AND o.path < ? " \
                   "AND x.due_date >= ? AND x.due_date < ? AND ? <> '' AND x.miss_kind = 'unjustified'"

/* 评选表彰 awards (issue 19): the honour, its year, who, where, the day approved */
static void award_cells(db_stmt *s, const char *as_of, const char *c[8], char b[4][64])
{
    (void)as_of, (void)b;
    for (int i = 0; i < 5; i++) c[i] = db_col_text(s, 1 + i);
}
#define AWARD_FROM "FROM award_nomination x JOIN award_kind k ON k.id = x.kind_id JOIN org o ON o.id = x.org_id WHERE x.org_path >= ? " \
                   "AND x.org_path < ? AND x.approved_on >= ? AND x.approved_on < ? AND x.approved_on <= ? AND x.status = 'awarded'"

static const struct {
    int kind;
    const char *key, *caption, *count_sql, *sql;
    int ncols;
    const char *head[6];
    cells_fn cells;
} lists[] = {
    {BK_LATE_REPORTS, "report", "截止日期在本期内、晚于截止日期才首次报送的汇报",
     "SELECT count(*) " REPORT_FROM " AND x.first_submitted_on > x.due_date",
     "SELECT x.id, o.name, s.title, x.due_date, x.first_submitted_on, x.late_workdays " REPORT_FROM
     " AND x.first_submitted_on > x.due_date ORDER BY x.late_workdays DESC, o.name, x.id",
     5, {"组织", "汇报", "截止日期", "首次报送日期", "逾期工作日"}, late_report_cells},
    {BK_MISSING_REPORTS, "report", "截止日期在本期内、至统计日仍未报送的汇报",
     "SELECT count(*) " REPORT_FROM " AND x.first_submitted_on = ''",
     "SELECT x.id, o.name, s.title, x.due_date " REPORT_FROM " AND x.first_submitted_on = '' ORDER BY x.due_date, o.name, x.id",
     4, {"组织", "汇报", "截止日期", "已逾期天数"}, missing_report_cells},
    {BK_OVERDUE_RECT, "rect", "完成时限在本期内、至统计日未验收销号的整改事项",
     "SELECT count(*) " RECT_FROM,
     "SELECT x.id, o.name, x.problem, x.due_date, x.status " RECT_FROM " ORDER BY x.due_date, o.name, x.id",
     5, {"责任组织", "存在问题", "完成时限", "状态", "已逾期天数"}, rect_cells},
    {BK_OVERDUE_FEEDBACK, "feedback", "答复期限在本期内、至统计日未答复的群众意见（不含举报）",
     "SELECT count(*) " FEEDBACK_FROM,
     "SELECT x.id, o.name, x.kind, x.received_date, x.due_date " FEEDBACK_FROM " ORDER BY x.due_date, o.name, x.id",
     5, {"承办组织", "类别", "收到日期", "答复期限", "已逾期天数"}, feedback_cells},
    {BK_NAMED, "pledge", "承诺时限在本期内、经认定无正当理由未兑现的承诺，予以点名",
     "SELECT count(*) " NAMED_FROM,
     "SELECT x.id, o.name, coalesce(m.name, ''), x.title, x.due_date " NAMED_FROM " ORDER BY o.name, m.name, x.id",
     4, {"组织", "党员", "承诺事项", "承诺时限"}, named_cells},
    /* 评选表彰 awards (issue 19) */
    {BK_AWARDS, "award", "本期批准的表彰（已撤销的不列）",
     "SELECT count(*) " AWARD_FROM,
     "SELECT x.id, k.name, CAST(k.year AS TEXT), x.subject_name, o.name, x.approved_on " AWARD_FROM " ORDER BY x.approved_on, k.name, x.id",
     5, {"表彰", "年度", "表彰对象", "所在组织", "批准日期"}, award_cells},
};

static void add_row(cJSON *rows, const char *key, int64_t id, const char *const *c, int n)
{
    char k[48];
    snprintf(k, sizeof k, "%s:%" PRId64, key, id);
    cJSON *row = cJSON_CreateObject(), *cells = cJSON_CreateArray();
    cJSON_AddStringToObject(row, "key", k);
    for (int j = 0; j < n; j++) cJSON_AddItemToArray(cells, cJSON_CreateString(c[j] ? c[j] : ""));
    cJSON_AddItemToObject(row, "cells", cells);
    cJSON_AddItemToArray(rows, row);
}

static void add_head(cJSON *fig, const char *const *head, int n)
{
    cJSON *h = cJSON_AddArrayToObject(fig, "head");
    for (int i = 0; i < n; i++) cJSON_AddItemToArray(h, cJSON_CreateString(head[i]));
}

static void bind_list(db_stmt *s, const char *path, const char *end, const char *day0, const char *day1, const char *as_of)
{
    db_bind_text(s, 1, path);
    db_bind_text(s, 2, end);
    db_bind_text(s, 3, day0);
    db_bind_text(s, 4, day1);
    db_bind_text(s, 5, as_of);
}

static int list_section(db *d, const org *office, int i, int from_q, int to_q, const char *as_of, cJSON *fig)
{
    char end[CX_PATH_MAX], day0[11], day1[11], cap[300];
    orgpath_end(office->path, end, sizeof end);
    period_days(from_q, to_q, day0, day1);
    snprintf(cap, sizeof cap, "%s（统计日 %s）。", lists[i].caption, as_of);
    cJSON_AddStringToObject(fig, "caption", cap);
    cJSON_AddStringToObject(fig, "as_of", as_of);
    add_head(fig, lists[i].head, lists[i].ncols);
    int64_t total = 0;
    db_stmt *s = db_prepare(d, lists[i].count_sql);
    if (!s) return CX_ERR;
    bind_list(s, office->path, end, day0, day1, as_of);
    int rc = db_step(s);
    if (rc == DB_ROW) total = db_col_i64(s, 0);
    db_done(s);
    if (rc == CX_ERR) return CX_ERR;
    char sql[1200];
    snprintf(sql, sizeof sql, "%s LIMIT %d", lists[i].sql, BULLETIN_LIST_MAX);
    if (!(s = db_prepare(d, sql))) return CX_ERR;
    bind_list(s, office->path, end, day0, day1, as_of);
    cJSON *rows = cJSON_AddArrayToObject(fig, "rows");
    while ((rc = db_step(s)) == DB_ROW) {
        const char *c[8] = {0};
        char b[4][64];
        lists[i].cells(s, as_of, c, b);
        add_row(rows, lists[i].key, db_col_i64(s, 0), c, lists[i].ncols);
    }
    db_done(s);
    cJSON_AddNumberToObject(fig, "total", (double)total);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* The exemplary pledges the office picked, each read again (one in another subtree is left out). */
static int exemplary(db *d, const org *office, const cJSON *sec, cJSON *fig)
{
    static const char *const head[] = {"组织", "党员", "承诺事项", "状态"};
    cJSON_AddStringToObject(fig, "caption", "本期值得学习的承诺践诺事例。");
    add_head(fig, head, 4);
    cJSON *rows = cJSON_AddArrayToObject(fig, "rows");
    char end[CX_PATH_MAX];
    orgpath_end(office->path, end, sizeof end);
    const cJSON *id;
    int n = 0;
    cJSON_ArrayForEach(id, cJSON_GetObjectItemCaseSensitive(sec, "pledge_ids"))
    {
        int64_t pid;
        if (!cJSON_IsString(id) || str_to_i64(id->valuestring, &pid) != CX_OK) continue;
        db_stmt *s = db_prepare(d, "SELECT x.id, o.name, coalesce(m.name, ''), x.title, x.status FROM pledge x JOIN org o ON o.id = x.org_id "
                                   "LEFT JOIN member m ON m.id = x.member_id WHERE x.id = ? AND o.path >= ? AND o.path < ?");
        if (!s) return CX_ERR;
        db_bind_i64(s, 1, pid);
        db_bind_text(s, 2, office->path);
        db_bind_text(s, 3, end);
        int rc = db_step(s);
        if (rc == DB_ROW) {
            const char *c[8] = {0};
            char b[4][64];
            exemplary_cells(s, "", c, b);
            add_row(rows, "pledge", pid, c, 4);
            n++;
        }
        db_done(s);
        if (rc == CX_ERR) return CX_ERR;
    }
    cJSON_AddNumberToObject(fig, "total", n);
    return CX_OK;
}

/* ---- the ledger (台账, issue 18) ---- */

typedef struct ledger_rows {
    db *d;
    int from_q, to_q;
    bf_source src;
    cJSON *rows;
    int rc;
} ledger_rows;

/* One row: an organisation's entries by kind (and the people of visits and forums). */
static int ledger_row(ledger_rows *c, const org *o, const char *key, const char *name)
{
    int64_t n[LK_COUNT], p[LK_COUNT];
    int rc = c->src == BF_RAW ? ledger_raw_kind_totals(c->d, o->path, c->from_q, c->to_q, n, p) : ledger_kind_totals(c->d, o->id, c->from_q, c->to_q, n, p);
    if (rc != CX_OK) return rc;
    int64_t v[] = {n[LK_VISIT], p[LK_VISIT], n[LK_HELP], n[LK_PAIRING], n[LK_RESEARCH], n[LK_FORUM], p[LK_FORUM]};
    char b[7][24];
    const char *cells[8] = {name};
    for (int i = 0; i < 7; i++) snprintf(b[i], sizeof b[i], "%" PRId64, v[i]), cells[1 + i] = b[i];
    add_row(c->rows, key, o->id, cells, 8);
    return CX_OK;
}

static int ledger_child(void *ctx, const org *o, int64_t nchildren, int64_t nmembers)
{
    (void)nchildren, (void)nmembers;
    ledger_rows *c = ctx;
    c->rc = ledger_row(c, o, "org", o->name);
    return c->rc != CX_OK;
}

/* Each direct child's entries by kind over the period, then the office's subtree in all: from the
 * roll-up when composed and published, from the entries when recounted. */
static int ledger_section(db *d, const org *office, int from_q, int to_q, bf_source src, cJSON *fig)
{
    static const char *const head[] = {"组织", "走访（次）", "走访人次", "帮办实事（件）", "结对帮扶（户）", "调研报告（篇）", "座谈会（次）", "座谈人数"};
    cJSON_AddStringToObject(fig, "caption", "本期各下级组织台账记录的走访、帮办实事、结对帮扶、调研报告和座谈会（末行为合计，含本级）。");
    add_head(fig, head, 8);
    ledger_rows c = {d, from_q, to_q, src, cJSON_AddArrayToObject(fig, "rows"), CX_OK};
    int rc = org_children_plain(d, office->id, false, ledger_child, &c);
    if (rc == CX_OK) rc = c.rc;
    if (rc == CX_OK) rc = ledger_row(&c, office, "total", "合计");
    cJSON_AddNumberToObject(fig, "total", cJSON_GetArraySize(c.rows));
    return rc;
}

/* ---- issue 19: contests and posts ---- */

static int contest_row(void *ctx, const contest *c)
{
    char day[32];
    time_text(c->published_at, false, day);
    day[10] = 0; /* the date */
    char n[24];
    snprintf(n, sizeof n, "%d", c->nentrants);
    const char *cells[] = {c->title, c->org_name, contest_kind_label(c->kind), n, day};
    add_row(ctx, "contest", c->id, cells, 5);
    return 0;
}

/* The line of figures: contests published in the period in the subtree and the posts and areas set
 * up in it (both fixed once the period is over: a recount finds them again), then the contests. */
static int contests_section(db *d, const org *office, int from_q, int to_q, cJSON *fig)
{
    static const char *const head[] = {"竞赛", "组织单位", "类别", "参赛对象（个）", "公布日期"};
    int64_t t0, t1, nc = 0;
    period_unix(from_q, to_q, &t0, &t1);
    post_counts pc;
    if (contest_count_published(d, office->path, t0, t1, &nc) != CX_OK || post_counts_get(d, office, t0, t1, &pc) != CX_OK) return CX_ERR;
    char cap[300];
    snprintf(cap, sizeof cap, "本期公布三比竞赛结果 %" PRId64 " 项；新设党员示范岗 %" PRId64 " 个、党员责任区 %" PRId64 " 个。", nc, pc.new_posts, pc.new_areas);
    cJSON_AddStringToObject(fig, "caption", cap);
    add_head(fig, head, 5);
    cJSON *rows = cJSON_AddArrayToObject(fig, "rows");
    if (contest_list_published(d, office->path, t0, t1, BULLETIN_LIST_MAX, contest_row, rows) != CX_OK) return CX_ERR;
    cJSON_AddNumberToObject(fig, "total", (double)nc);
    return CX_OK;
}

/* ---- issue 22: news items (简报 / 信息报送) ---- */

typedef struct news_rows {
    cJSON *rows;
    const char *name;
    int64_t id, n;
} news_rows;

static int news_row(void *ctx, const char *month, int64_t submitted, int64_t adopted)
{
    news_rows *c = ctx;
    if (!submitted && !adopted) return 0;
    char s[24], a[24];
    snprintf(s, sizeof s, "%" PRId64, submitted);
    snprintf(a, sizeof a, "%" PRId64, adopted);
    const char *cells[] = {month, c->name, s, a};
    char key[32]; /* one row per organisation and month: "org-2026-10:12", "total-2026-10:0" */
    snprintf(key, sizeof key, "%s-%.7s", c->id ? "org" : "total", month);
    add_row(c->rows, key, c->id, cells, 4);
    c->n++;
    return 0;
}

typedef struct news_child {
    db *d;
    news_rows *rows;
    const char *m0, *m1;
    bool raw;
    int rc;
} news_child;

static int news_of_child(void *ctx, const org *o, int64_t nchildren, int64_t nmembers)
{
    (void)nchildren, (void)nmembers;
    news_child *c = ctx;
    c->rows->name = o->name, c->rows->id = o->id;
    c->rc = news_months(c->d, o->path, c->m0, c->m1, c->raw, news_row, c->rows);
    return c->rc != CX_OK;
}

/* Each direct child's items submitted and adopted in each month of the period (a child with
 * neither in a month has no row), then the office's whole subtree per month: from the roll-up
 * when composed and published, from the items when recounted. A month's counts are fixed once it
 * is over, so a recount after the period finds them again. */
static int news_section(db *d, const org *office, int from_q, int to_q, bf_source src, cJSON *fig)
{
    static const char *const head[] = {"月份", "组织", "报送（条）", "采用（条）"};
    char day0[11], day1[11], m0[8], m1[8];
    period_days(from_q, to_q, day0, day1);
    snprintf(m0, sizeof m0, "%.7s", day0);
    /* day1 is the first day after the period: the last month is the one before it */
    int y = atoi(day1), m = atoi(day1 + 5) - 1;
    if (m < 1) m = 12, y--;
    char m1b[16];
    snprintf(m1b, sizeof m1b, "%04d-%02d", y % 10000, m % 100);
    snprintf(m1, sizeof m1, "%.7s", m1b);
    cJSON_AddStringToObject(fig, "caption", "本期各月各下级组织报送和被采用的简报信息与典型（含其下级；末尾为全辖区各月合计）。");
    add_head(fig, head, 4);
    news_rows rows = {cJSON_AddArrayToObject(fig, "rows"), NULL, 0, 0};
    news_child c = {d, &rows, m0, m1, src == BF_RAW, CX_OK};
    int rc = org_children_plain(d, office->id, false, news_of_child, &c);
    if (rc == CX_OK) rc = c.rc;
    rows.name = "合计", rows.id = 0;
    if (rc == CX_OK) rc = news_months(d, office->path, m0, m1, src == BF_RAW, news_row, &rows);
    cJSON_AddNumberToObject(fig, "total", (double)rows.n);
    return rc;
}

/* ---- issue 22: annual goals (年初工作目标) ---- */

static void goal_row(cJSON *rows, const char *key, int64_t id, const char *name, const goal_figures *f)
{
    char t[24], a[24], dn[24], avg[24];
    snprintf(t, sizeof t, "%" PRId64, f->total);
    snprintf(a, sizeof a, "%" PRId64, f->accepted);
    snprintf(dn, sizeof dn, "%" PRId64, f->done);
    if (f->accepted) snprintf(avg, sizeof avg, "%" PRId64 "%%", (f->pct_sum + f->accepted / 2) / f->accepted);
    else snprintf(avg, sizeof avg, "—");
    const char *cells[] = {name, t, a, dn, avg};
    add_row(rows, key, id, cells, 5);
}

typedef struct goal_child {
    db *d;
    cJSON *rows;
    int y0, y1;
    const char *before;
    int64_t n;
    int rc;
} goal_child;

static int goals_of_child(void *ctx, const org *o, int64_t nchildren, int64_t nmembers)
{
    (void)nchildren, (void)nmembers;
    goal_child *c = ctx;
    goal_figures f;
    c->rc = goal_figures_of(c->d, o->path, c->y0, c->y1, c->before, &f);
    if (c->rc == CX_OK && f.total) goal_row(c->rows, "org", o->id, o->name, &f), c->n++;
    return c->rc != CX_OK;
}

/* Each direct child's goals for the years of the period (its subtree's): how many were set, how
 * many accepted, how many done (progress 100%) and the average progress of the accepted ones, all
 * as of the period's end, then the office's whole subtree. Versions and progress entries are
 * never changed, so composing and recounting read the same records and find the same figures. */
static int goals_section(db *d, const org *office, int from_q, int to_q, cJSON *fig)
{
    static const char *const head[] = {"组织", "目标（项）", "已验收", "已完成", "平均完成进度"};
    char day0[11], day1[11];
    period_days(from_q, to_q, day0, day1);
    int y0 = atoi(day0), y1 = atoi(day1) - (!strcmp(day1 + 4, "-01-01") ? 1 : 0);
    cJSON_AddStringToObject(fig, "caption", "本期所在年度各下级组织（含其下级）的年初工作目标：验收和完成情况，按期末计算（末尾为全辖区合计）。");
    add_head(fig, head, 5);
    goal_child c = {d, cJSON_AddArrayToObject(fig, "rows"), y0, y1, day1, 0, CX_OK};
    int rc = org_children_plain(d, office->id, false, goals_of_child, &c);
    if (rc == CX_OK) rc = c.rc;
    goal_figures f;
    if (rc == CX_OK) rc = goal_figures_of(d, office->path, y0, y1, day1, &f);
    if (rc == CX_OK) goal_row(c.rows, "total", 0, "合计", &f);
    cJSON_AddNumberToObject(fig, "total", (double)c.n);
    return rc;
}

int bulletin_figures_fill(db *d, const org *office, int from_q, int to_q, const char *as_of, cJSON *sections, bf_source src)
{
    cJSON *sec;
    cJSON_ArrayForEach(sec, sections)
    {
        int kind = bulletin_kind_from_name(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sec, "kind")));
        cJSON *fig = cJSON_CreateObject();
        int rc = CX_OK;
        char day[11];
        /* a recount judges the lists as of the day they were published */
        snprintf(day, sizeof day, "%s", src == BF_RAW && *fig_text(sec, "as_of") ? fig_text(sec, "as_of") : as_of);
        if (bulletin_kind_ranking(kind)) rc = ranking(d, office, kind, from_q, to_q, sec, src, fig);
        else if (kind == BK_EXEMPLARY) rc = exemplary(d, office, sec, fig);
        else if (kind == BK_LEDGER) rc = ledger_section(d, office, from_q, to_q, src, fig); /* the ledger (issue 18) */
        else if (kind == BK_CONTESTS) rc = contests_section(d, office, from_q, to_q, fig); /* issue 19: contests and posts */
        else if (kind == BK_NEWS) rc = news_section(d, office, from_q, to_q, src, fig); /* issue 22: news items */
        else if (kind == BK_GOALS) rc = goals_section(d, office, from_q, to_q, fig); /* issue 22: annual goals */
        else
            for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
                if (lists[i].kind == kind) rc = list_section(d, office, (int)i, from_q, to_q, day, fig);
        if (rc != CX_OK) {
            cJSON_Delete(fig);
            return CX_ERR;
        }
        cJSON_DeleteItemFromObjectCaseSensitive(sec, "figures");
        cJSON_AddItemToObject(sec, "figures", fig);
    }
    return CX_OK;
}
