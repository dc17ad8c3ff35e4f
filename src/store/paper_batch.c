/* paper_batch.c: paper questionnaires (问卷): batches of coded sheets, their codes, keyers and totals. */
#include "paper_batch.h"
#include "rating_int.h"
#include "row.h"
#include "../lib/code.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH_COLS                                                                                                   \
    "b.id, b.round_id, b.target_kind, b.target_id, b.org_id, b.questions, b.issued, b.note, b.created_at, o.name, o.path, r.name, " \
    "(SELECT count(*) FROM paper_sheet s WHERE s.batch_id = b.id AND s.state = 'valid'), "                          \
    "(SELECT count(*) FROM paper_sheet s WHERE s.batch_id = b.id AND s.state = 'spoiled'), "                        \
    "CASE b.target_kind WHEN 'member' THEN (SELECT name FROM member WHERE id = b.target_id) "                      \
    "WHEN 'window' THEN (SELECT " POST_NAMED("w") " FROM service_window w WHERE w.id = b.target_id) ELSE o.name END, b.created_by, " \
    "coalesce((SELECT u.display_name FROM app_user u WHERE u.id = b.created_by), '')"
#define BATCH_FROM " FROM paper_batch b JOIN org o ON o.id = b.org_id JOIN review_round r ON r.id = b.round_id"

static void read_batch(db_stmt *s, void *out)
{
    paper_batch *b = out;
    b->id = db_col_i64(s, 0);
    b->round_id = db_col_i64(s, 1);
    b->kind = rating_kind_from_name(db_col_text(s, 2));
    b->target_id = db_col_i64(s, 3);
    b->org_id = db_col_i64(s, 4);
    snprintf(b->questions, sizeof b->questions, "%s", db_col_text(s, 5));
    b->issued = db_col_i64(s, 6);
    snprintf(b->note, sizeof b->note, "%s", db_col_text(s, 7));
    b->created_at = db_col_i64(s, 8);
    snprintf(b->org_name, sizeof b->org_name, "%s", db_col_text(s, 9));
    snprintf(b->org_path, sizeof b->org_path, "%s", db_col_text(s, 10));
    snprintf(b->round_name, sizeof b->round_name, "%s", db_col_text(s, 11));
    b->valid = db_col_i64(s, 12);
    b->spoiled = db_col_i64(s, 13);
    b->returned = b->valid + b->spoiled;
    snprintf(b->target_name, sizeof b->target_name, "%s", db_col_text(s, 14));
    b->created_by = db_col_i64(s, 15);
    snprintf(b->created_by_name, sizeof b->created_by_name, "%s", db_col_text(s, 16));
}

int paper_batch_get(db *d, int64_t id, paper_batch *b) { return row_by_id(d, "SELECT " BATCH_COLS BATCH_FROM " WHERE b.id = ?", id, read_batch, b, sizeof *b); }

int paper_batch_create(db *d, const actor *a, int kind, int64_t target_id, const paper_batch_ok *in, int64_t *id, cx_err *e)
{
    int64_t sheets = in->sheets;
    const char *nt = in->note;
    rating_target t;
    rating_open ro;
    if (staff_target(d, kind, target_id, &t, &ro, e) != CX_OK) return CX_ERR;
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    int64_t bid = 0;
    int rc = db_i64(d, &bid, 0, "INSERT INTO paper_batch (round_id, target_kind, target_id, org_id, questions, issued, note, created_by, created_at) "
                                "VALUES (?,?,?,?,?,?,?,?,?) RETURNING id",
                    "isiisisii", ro.round_id, rating_kind_name(kind), target_id, t.org_id, ro.questions, sheets, nt, a ? a->user_id : 0, now_unix());
    for (int64_t i = 0; rc == CX_OK && i < sheets; i++) {
        char code[16];
        int64_t got = 0;
        for (int tries = 0; rc == CX_OK && !got && tries < 8; tries++) { /* 40 random bits: a clash is rare, retried */
            code_make(code, PAPER_CODE_DATA);
            rc = db_i64(d, &got, 0, "INSERT INTO paper_sheet (batch_id, code, state) VALUES (?, ?, 'issued') ON CONFLICT DO NOTHING RETURNING id", "is",
                        bid, code);
        }
        if (!got) rc = CX_ERR;
    }
    char *after = xasprintf("{\"round_id\":%" PRId64 ",\"target_kind\":\"%s\",\"target_id\":%" PRId64 ",\"sheets\":%" PRId64 "}", ro.round_id,
                            rating_kind_name(kind), target_id, sheets);
    if (store_finish(d, a, "create", "paper_batch", bid, t.org_id, NULL, after, rc, e) != CX_OK) return CX_ERR;
    if (id) *id = bid;
    return CX_OK;
}

int paper_batch_count(db *d, const org *root, int64_t round_id, int64_t *total)
{
    char end[CX_PATH_MAX];
    db_q q;
    subtree_round(&q, "SELECT COUNT(*)" BATCH_FROM, "b.round_id", root, round_id, end);
    return db_q_count(d, &q, total);
}

int paper_batch_list(db *d, const org *root, int64_t round_id, int64_t offset, int64_t limit, paper_fn fn, void *ctx)
{
    char end[CX_PATH_MAX];
    db_q q;
    subtree_round(&q, "SELECT " BATCH_COLS BATCH_FROM, "b.round_id", root, round_id, end);
    db_stmt *s = page_stmt(d, &q, " ORDER BY b.id DESC", offset, limit);
    if (!s) return CX_ERR;
    return DB_EACH(s, paper_batch, read_batch, fn, ctx);
}

int paper_codes(db *d, int64_t batch_id, code_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT code FROM paper_sheet WHERE batch_id = ? ORDER BY id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, batch_id);
    int rc;
    while ((rc = db_step(s)) == DB_ROW)
        if (fn(ctx, db_col_text(s, 0))) break;
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int paper_sheet_keyed(db *d, const actor *a, const paper_batch *b, const char *code_in, cx_err *e)
{
    char code[16];
    if (code_parse(code_in, PAPER_CODE_DATA, code, sizeof code, "code", "问卷编号", e) != CX_OK) return CX_ERR;
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    db_stmt *s = db_prepare(d, "UPDATE paper_sheet SET keyed_by = ? WHERE batch_id = ? AND code = ? AND keyed_by = 0 AND state <> 'issued'");
    if (!s) return db_fail(d, e);
    db_bind_i64(s, 1, a ? a->user_id : 0);
    db_bind_i64(s, 2, b->id);
    db_bind_text(s, 3, code);
    int rc = db_step(s);
    int64_t n = rc == DB_DONE ? db_changes(s) : 0;
    db_done(s);
    if (rc == CX_ERR) return db_fail(d, e);
    if (n == 0) {
        db_rollback(d);
        return CX_OK;
    }
    return store_finish(d, a, "key_in", "paper_batch", b->id, b->org_id, NULL, xstrdup("{\"sheets\":1}"), CX_OK, e);
}

int paper_keyers(db *d, int64_t batch_id, keyer_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT s.keyed_by, coalesce(u.display_name, ''), count(*) FROM paper_sheet s LEFT JOIN app_user u ON u.id = s.keyed_by "
                               "WHERE s.batch_id = ? AND s.state <> 'issued' GROUP BY s.keyed_by, u.display_name ORDER BY count(*) DESC, s.keyed_by");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, batch_id);
    int rc;
    while ((rc = db_step(s)) == DB_ROW)
        if (fn(ctx, db_col_i64(s, 0), db_col_text(s, 1), db_col_i64(s, 2))) break;
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int paper_totals(db *d, const org *root, int64_t round_id, int64_t *issued, int64_t *returned, int64_t *valid)
{
    *issued = *returned = *valid = 0;
    char end[CX_PATH_MAX];
    orgpath_end(root->path, end, sizeof end);
    db_stmt *s = db_prepare(d, "SELECT coalesce(sum(b.issued), 0), "
                               "coalesce(sum((SELECT count(*) FROM paper_sheet s WHERE s.batch_id = b.id AND s.state <> 'issued')), 0), "
                               "coalesce(sum((SELECT count(*) FROM paper_sheet s WHERE s.batch_id = b.id AND s.state = 'valid')), 0) "
                               "FROM paper_batch b JOIN org o ON o.id = b.org_id WHERE b.round_id = ? AND o.path >= ? AND o.path < ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, round_id);
    db_bind_text(s, 2, root->path);
    db_bind_text(s, 3, end);
    int rc = db_step(s);
    if (rc == DB_ROW) *issued = db_col_i64(s, 0), *returned = db_col_i64(s, 1), *valid = db_col_i64(s, 2);
    db_done(s);
    return rc == DB_ROW ? CX_OK : CX_ERR;
}
