/* grade_recount.c: the recount of a round's stored grades and roll-up counters from the raw records. */
#include "grade_recount.h"
#include "row.h"
#include "review_int.h"
#include "rollup.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

typedef struct stored {
    int64_t target_id, score;
    int computed, final;
    bool meets;
    char approval[12];
    char *decision;
} stored;

static int stored_cmp(const void *a, const void *b)
{
    int64_t x = ((const stored *)a)->target_id, y = ((const stored *)b)->target_id;
    return x < y ? -1 : x > y;
}

static void stored_free(stored *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) free(v[i].decision);
    free(v);
}

/* The stored rows of one branch (org_id > 0) or every organisation row (org_id 0), by target. */
static int stored_rows(db *d, int64_t round_id, int64_t org_id, stored **v, size_t *n)
{
    db_stmt *s = db_prepare(d, org_id ? "SELECT target_id, score, computed, final, meets, approval, decision FROM grade WHERE round_id = ? "
                                        "AND target_kind = 'member' AND org_id = ? ORDER BY target_id"
                                      : "SELECT target_id, score, computed, final, meets, approval, decision FROM grade WHERE round_id = ? "
                                        "AND target_kind = 'org' ORDER BY target_id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, round_id);
    if (org_id) db_bind_i64(s, 2, org_id);
    *v = NULL;
    *n = 0;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        *v = xrealloc(*v, (*n + 1) * sizeof **v);
        stored *x = &(*v)[(*n)++];
        *x = (stored){db_col_i64(s, 0), db_col_i64(s, 1), grade_from_code(db_col_text(s, 2)), grade_from_code(db_col_text(s, 3)),
                      db_col_i64(s, 4) != 0, "", xstrdup(db_col_text(s, 6))};
        copy_col(x->approval, sizeof x->approval, s, 5);
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* The final grade the records say a member should have: the computed grade (from the raw records)
 * without a decision; the branch meeting's decision when it is a valid one (a grade, and a meeting
 * that passes meeting_check); after a rejection by the higher committee, 合格 or 基本合格 as
 * grade_approve sets it. why gets a reason when the decision record itself is unusable. */
static int final_by_records(bool is_org, int computed, const stored *x, const char **why, const char **approval)
{
    *why = NULL;
    *approval = "none";
    if (is_org || !x->decision[0]) return computed;
    cJSON *j = cJSON_Parse(x->decision);
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(j, "grade"), *en = cJSON_GetObjectItemCaseSensitive(j, "entitled"),
                *pr = cJSON_GetObjectItemCaseSensitive(j, "present"), *fa = cJSON_GetObjectItemCaseSensitive(j, "in_favour");
    int dg = cJSON_IsString(g) ? grade_from_code(g->valuestring) : -1;
    cx_err e;
    bool meeting = cJSON_IsNumber(en) && cJSON_IsNumber(pr) && cJSON_IsNumber(fa) &&
                   meeting_check((int64_t)en->valuedouble, (int64_t)pr->valuedouble, (int64_t)fa->valuedouble, &e) == CX_OK;
    cJSON_Delete(j);
    if (dg < GR_1 || !meeting) {
        *why = "支部党员大会决定记录无效（等次或表决人数不符合规定）";
        return computed;
    }
    if (dg == GR_1 || dg == GR_4) /* goes to the higher committee: pending until it answers */
        *approval = !strcmp(x->approval, "approved") || !strcmp(x->approval, "rejected") ? x->approval : "pending";
    if (!strcmp(x->approval, "rejected") && (dg == GR_1 || dg == GR_4)) return computed == GR_2 || computed == GR_3 ? computed : GR_2;
    return dg;
}

/* Compares computed rows with stored ones; lines to out. all: rows without a stored row count as
 * missing (a branch's members), otherwise they are not reported (organisations never graded).
 * *redo: a raw record changed (score, computed grade, rows), so the branch must be recomputed;
 * want[i]: the final grade by the records of st[i] (-1 for a row out of scope). */
static int64_t compare(FILE *out, bool is_org, const review_rules *r, const grade_calc *rows, size_t n, const stored *st, size_t ns,
                       bool all, bool *redo, int *want)
{
    const char *who = is_org ? "组织" : "党员";
    int64_t diffs = 0, excellent = 0, graded = 0;
    *redo = false;
    for (size_t i = 0; i < n; i++) {
        const grade_calc *g = &rows[i];
        const stored *x = bsearch(&(stored){.target_id = g->target_id}, st, ns, sizeof *st, stored_cmp);
        char a[24], b[24];
        if (g->grade != GR_NONE) graded++;
        if (!x) {
            /* a member who joined after grading, with no record at all, is no difference */
            if (!all || (g->grade == GR_NONE && g->score < 0)) continue;
            diffs++, *redo = true;
            score_text(g->score, b);
            if (out) fprintf(out, "%s %s（编号 %" PRId64 "）：缺少等次记录，按原始记录应为%s%s%s\n", who, g->name, g->target_id, grade_label(g->grade, is_org),
                             *b ? "，综合得分 " : "", b);
            continue;
        }
        if (x->score != g->score) {
            diffs++, *redo = true;
            score_text(x->score, a), score_text(g->score, b);
            if (out) fprintf(out, "%s %s（编号 %" PRId64 "）：综合得分记录为 %s，按原始记录应为 %s\n", who, g->name, g->target_id, *a ? a : "无", *b ? b : "无");
        }
        if (x->computed != g->grade) {
            diffs++, *redo = true;
            if (out) fprintf(out, "%s %s（编号 %" PRId64 "）：计算等次记录为 %s，按原始记录应为 %s\n", who, g->name, g->target_id,
                             grade_label(x->computed, is_org), grade_label(g->grade, is_org));
        }
        const char *why, *appr;
        int fin = final_by_records(is_org, g->grade, x, &why, &appr);
        want[x - st] = fin;
        if (strcmp(x->approval, appr)) {
            diffs++;
            if (out) fprintf(out, "%s %s（编号 %" PRId64 "）：审批状态记录为“%s”，按支部党员大会决定记录应为“%s”\n", who, g->name, g->target_id,
                             x->approval, appr);
        }
        if (fin == GR_1) excellent++;
        if (why) {
            diffs++;
            if (out) fprintf(out, "%s %s（编号 %" PRId64 "）：%s\n", who, g->name, g->target_id, why);
        }
        if (x->final != fin) {
            diffs++;
            if (out) fprintf(out, "%s %s（编号 %" PRId64 "）：最终等次记录为 %s，按评议记录、支部党员大会决定和上级审批应为 %s\n", who, g->name,
                             g->target_id, grade_label(x->final, is_org), grade_label(fin, is_org));
        }
        bool meets = g->criteria_ok && (fin == GR_1 || fin == GR_2);
        if (x->meets != meets) {
            diffs++;
            if (out) fprintf(out, "%s %s（编号 %" PRId64 "）：%s记录为 %s，按原始记录应为 %s\n", who, g->name, g->target_id, is_org ? "五个好" : "五带头",
                             x->meets ? "达到" : "未达到", meets ? "达到" : "未达到");
        }
    }
    for (size_t i = 0; i < ns; i++) {
        int64_t id = st[i].target_id;
        if (bsearch(&id, rows, n, sizeof *rows, calc_cmp)) continue;
        want[i] = -1;
        diffs++, *redo = true;
        if (out) fprintf(out, "%s 编号 %" PRId64 "：有等次记录，但按原始记录已不在该范围内（已停用或已转出）\n", who, id);
    }
    int64_t cap = excellent_cap(r, graded);
    if (!is_org && excellent > cap) { /* decisions over the cap: no software can choose who keeps it */
        diffs++;
        if (out) fprintf(out, "党员 编号 %" PRId64 " 等所在支部：优秀 %" PRId64 " 人，超过参加等次评定 %" PRId64 " 人的优秀名额 %" PRId64 " 人，须由支部党员大会重新决定\n",
                         rows[0].target_id, excellent, graded, cap);
        *redo = true;
    }
    return diffs;
}

/* Recounts one scope; with apply, brings its rows to what the records say, without roll-up
 * deltas (the caller rebuilds the counters): a changed raw record recomputes the scope (decisions
 * there start over); otherwise each final grade and 五带头 is set from its decision and approval
 * records, never from the stored value. */
static int recount_scope(db *d, const review_round *rd, const org *o, bool is_org, int64_t stored_org, bool apply, FILE *out, int64_t *diffs)
{
    grade_calc *rows = NULL;
    stored *st = NULL;
    size_t n = 0, ns = 0;
    review_rules r;
    int rc = rules_get(d, rd->campaign_id, &r, NULL, NULL) == CX_ERR ? CX_ERR : CX_OK;
    if (rc == CX_OK) rc = grade_compute(d, rd, o, is_org, &rows, &n);
    if (rc == CX_OK) rc = stored_rows(d, rd->id, stored_org, &st, &ns);
    int *want = ns ? xcalloc(ns, sizeof *want) : NULL;
    bool redo = false;
    int64_t k = rc == CX_OK ? compare(out, is_org, &r, rows, n, st, ns, !is_org, &redo, want) : 0;
    *diffs += k;
    if (rc == CX_OK && apply && k) {
        if (!is_org && redo) rc = restore_scope(d, rd, o, false, NULL, NULL, "按原始记录重新计算（cxzy recount --fix）", false);
        else if (!is_org) {
            for (size_t i = 0; rc == CX_OK && i < ns; i++) {
                grade_calc *g = bsearch(&st[i].target_id, rows, n, sizeof *rows, calc_cmp);
                if (!g || want[i] < 0) continue;
                bool meets = g->criteria_ok && (want[i] == GR_1 || want[i] == GR_2);
                const char *why, *appr;
                final_by_records(false, g->grade, &st[i], &why, &appr);
                if (why) /* a decision that could not have been taken does not stand: the meeting decides again */
                    rc = db_run(d, "UPDATE grade SET decision = '', redo = ? WHERE round_id = ? AND target_kind = 'member' AND target_id = ?", "sii",
                                "记录的支部党员大会决定不符合表决规则，已撤销（cxzy recount --fix），须重新召开支部党员大会决定", rd->id, st[i].target_id);
                if (rc == CX_OK && (want[i] != st[i].final || meets != st[i].meets || strcmp(appr, st[i].approval)))
                    rc = db_run(d, "UPDATE grade SET final = ?, meets = ?, approval = ? WHERE round_id = ? AND target_kind = 'member' AND target_id = ?",
                                "sisii", grade_code(want[i]), (int64_t)meets, appr, rd->id, st[i].target_id);
            }
        } else { /* organisations: only the rows that were stored, each on its own */
            for (size_t i = 0; rc == CX_OK && i < ns; i++) {
                grade_calc *g = bsearch(&st[i].target_id, rows, n, sizeof *rows, calc_cmp);
                rc = g ? put_grades(d, rd, true, g, 1, "", false) : drop_grade(d, rd->id, true, st[i].target_id, false);
            }
        }
    }
    free(want);
    stored_free(st, ns);
    grade_calc_free(rows, n);
    return rc;
}

int grade_recount(db *d, int64_t round_id, bool fix, FILE *out, int64_t *diffs, int64_t *counter_diffs)
{
    *diffs = *counter_diffs = 0;
    review_round rd;
    if (round_get(d, round_id, &rd) != 1) return CX_ERR;
    /* one write transaction: the grades are brought to the records, then the counters are compared
     * with those corrected grades (so an edited final grade is never taken as the truth), and all
     * of it is kept only with fix */
    if (db_begin(d, true) != CX_OK) return CX_ERR;
    int64_t *branches = NULL, norg = 0;
    size_t nb = 0;
    db_stmt *s = db_prepare(d, "SELECT DISTINCT org_id FROM grade WHERE round_id = ? AND target_kind = 'member' ORDER BY org_id");
    int rc = s ? CX_OK : CX_ERR;
    if (s) {
        db_bind_i64(s, 1, round_id);
        int st;
        while ((st = db_step(s)) == DB_ROW) branches = xrealloc(branches, (nb + 1) * sizeof *branches), branches[nb++] = db_col_i64(s, 0);
        db_done(s);
        if (st == CX_ERR) rc = CX_ERR;
    }
    for (size_t i = 0; rc == CX_OK && i < nb; i++) {
        org o;
        int f = org_get(d, branches[i], &o);
        if (f == CX_ERR) rc = CX_ERR;
        else if (f == 1) rc = recount_scope(d, &rd, &o, false, o.id, true, out, diffs);
    }
    if (rc == CX_OK) rc = db_i64(d, &norg, 0, "SELECT count(*) FROM grade WHERE round_id = ? AND target_kind = 'org'", "i", round_id);
    if (rc == CX_OK && norg) {
        org root;
        int f = org_get(d, rd.org_id, &root);
        rc = f == 1 ? recount_scope(d, &rd, &root, true, 0, true, out, diffs) : CX_ERR;
    }
    free(branches);
    if (rc == CX_OK && fix && *diffs) {
        char after[64];
        snprintf(after, sizeof after, "{\"differences\":%" PRId64 "}", *diffs);
        rc = audit_append(d, &actor_cli, "grade.recount_fix", "review_round", round_id, rd.org_id, NULL, after, "ok");
    }
    if (rc == CX_OK) rc = rollup_recount(d, round_id, fix, out, counter_diffs);
    if (rc == CX_OK && fix) rc = db_commit(d);
    else db_rollback(d);
    return rc;
}
