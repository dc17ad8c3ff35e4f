/* rating_result.c: the results of public rating per target and organisation (answers, rates, channels) and comments. */
#include "rating_result.h"
#include "rating_int.h"
#include "rollup.h"
#include "../domain/review.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Adds count ballots of one class (ballot_class), channel and answer string. */
static void result_add(rating_result *r, int cls, const char *channel, const char *answers, int64_t count)
{
    if (cls == BC_INVALID || cls == BC_HELD) {
        *(cls == BC_HELD ? &r->held : &r->invalid) += count;
        return;
    }
    bool counted = cls == BC_COUNTED;
    if (counted) {
        r->valid += count;
        *(!strcmp(channel, "paper") ? &r->paper : !strcmp(channel, "phone") ? &r->phone : &r->web) += count;
    } else r->unverified += count;
    for (int i = 0; answers[i] && i < 6; i++) {
        int a = answers[i] - '1';
        if (a < 0 || a > 2) continue;
        if (counted) r->q[i][a] += count, r->ans[a] += count;
        else r->uans[a] += count;
    }
}

static int64_t rate_of(const int64_t ans[3])
{
    int64_t ok = ans[0] + ans[1], all = ok + ans[2];
    return all ? (ok * 10000 + all / 2) / all : -1;
}

static void result_finish(rating_result *r)
{
    r->nq = questions_of(r->questions, NULL);
    r->rate = rate_of(r->ans);
    r->urate = rate_of(r->uans);
}

/* The class of the ballots of a result row: columns valid, verified, hold from col. */
static int row_class(db_stmt *s, int col)
{
    return ballot_class(db_col_i64(s, col) != 0, db_col_i64(s, col + 1) != 0, db_col_text(s, col + 2));
}

int rating_result_get(db *d, int64_t round_id, int kind, int64_t id, rating_result *r)
{
    memset(r, 0, sizeof *r);
    r->kind = kind;
    r->id = id;
    snprintf(r->questions, sizeof r->questions, "%s", kind == RK_WINDOW ? "window6" : "party3");
    db_stmt *s = db_prepare(d, "SELECT valid, verified, hold, channel, answers, questions, count(*) FROM ballot WHERE round_id = ? "
                               "AND target_kind = ? AND target_id = ? AND late = 0 GROUP BY valid, verified, hold, channel, answers, questions");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, round_id);
    db_bind_text(s, 2, rating_kind_name(kind));
    db_bind_i64(s, 3, id);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        result_add(r, row_class(s, 0), db_col_text(s, 3), db_col_text(s, 4), db_col_i64(s, 6));
        if (db_col_i64(s, 0)) snprintf(r->questions, sizeof r->questions, "%s", db_col_text(s, 5));
    }
    db_done(s);
    if (kind != RK_WINDOW && rc != CX_ERR) { /* without ballots, the round's set */
        db_stmt *q = db_prepare(d, "SELECT questions FROM review_round WHERE id = ?");
        if (q) {
            db_bind_i64(q, 1, round_id);
            if (db_step(q) == DB_ROW && !r->valid && !r->unverified && !r->held) snprintf(r->questions, sizeof r->questions, "%s", db_col_text(q, 0));
            db_done(q);
        }
    }
    result_finish(r);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int rating_results_org(db *d, int64_t round_id, int64_t org_id, result_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT b.target_kind, b.target_id, b.valid, b.answers, b.questions, count(*), "
                               TARGET_NAME("b") " AS tname "
                               ", b.verified, b.hold, b.channel FROM ballot b WHERE b.round_id = ? AND b.org_id = ? AND b.late = 0 "
                               "GROUP BY b.target_kind, b.target_id, b.valid, b.answers, b.questions, b.verified, b.hold, b.channel "
                               "ORDER BY b.target_kind, tname, b.target_id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, round_id);
    db_bind_i64(s, 2, org_id);
    size_t n = 0, cap = 0;
    rating_result *v = NULL;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        int kind = rating_kind_from_name(db_col_text(s, 0));
        int64_t id = db_col_i64(s, 1);
        if (!n || v[n - 1].kind != kind || v[n - 1].id != id) {
            if (n == cap) cap = cap ? cap * 2 : 32, v = xrealloc(v, cap * sizeof *v);
            memset(&v[n], 0, sizeof v[n]);
            v[n].kind = kind;
            v[n].id = id;
            snprintf(v[n].name, sizeof v[n].name, "%s", db_col_text(s, 6));
            snprintf(v[n].questions, sizeof v[n].questions, "%s", db_col_text(s, 4));
            n++;
        }
        result_add(&v[n - 1], ballot_class(db_col_i64(s, 2) != 0, db_col_i64(s, 7) != 0, db_col_text(s, 8)), db_col_text(s, 9), db_col_text(s, 3), db_col_i64(s, 5));
        if (db_col_i64(s, 2)) snprintf(v[n - 1].questions, sizeof v[n - 1].questions, "%s", db_col_text(s, 4));
    }
    db_done(s);
    for (size_t i = 0; rc != CX_ERR && i < n; i++) {
        result_finish(&v[i]);
        if (fn(ctx, &v[i])) break;
    }
    free(v);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int rating_comments(db *d, int64_t round_id, int kind, int64_t id, int64_t limit, comment_fn fn, void *ctx)
{
    /* only counted ballots: a stuffed or held ballot's text is not shown as the public's */
    db_stmt *s = db_prepare(d, "SELECT x.what, x.t FROM (SELECT 'comment' AS what, comment AS t FROM ballot WHERE round_id = ? AND target_kind = ? "
                               "AND target_id = ? AND valid = 1 AND verified = 1 AND hold = '' AND comment <> '' UNION ALL SELECT 'reason', reason "
                               "FROM ballot WHERE round_id = ? AND target_kind = ? AND target_id = ? AND valid = 1 AND verified = 1 AND hold = '' "
                               "AND reason <> '') x ORDER BY x.what, x.t LIMIT ?");
    if (!s) return CX_ERR;
    for (int k = 0; k < 2; k++) {
        db_bind_i64(s, 1 + 3 * k, round_id);
        db_bind_text(s, 2 + 3 * k, rating_kind_name(kind));
        db_bind_i64(s, 3 + 3 * k, id);
    }
    db_bind_i64(s, 7, limit);
    int rc;
    while ((rc = db_step(s)) == DB_ROW)
        if (fn(ctx, db_col_text(s, 0), db_col_text(s, 1))) break;
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}
