/* review.c: self and peer reviews of members and an organisation's self-review (see store/review.h). */
#include "review.h"
#include "row.h"
#include "review_int.h"
#include "sector_standard.h"
#include "rollup.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Who wrote a review row: the reviewing member, or a paper sheet keyed in (sheet_no > 0, no
 * reviewer), and the account that entered it for someone else (代录, 0: the reviewer's own). */
typedef struct review_by {
    int64_t member, user, entered_by;
    int sheet_no;
} review_by;

/* Inserts or updates one review row; *rid gets its id, *updated whether it existed. A row entered
 * again by its own reviewer loses its 代录 mark; entered again for them, its confirmation. */
static int put_review(db *d, const review_round *rd, const char *kind, int64_t target_member, int64_t target_org,
                      const review_by *by, const char *levels, const char *ach, const char *sho,
                      const char *dir, int64_t *rid, bool *updated, char **before)
{
    int64_t reviewer_member = by->member, user_id = by->user;
    db_stmt *s = db_prepare(d, by->sheet_no ? "SELECT id, levels, achievements, shortcomings, direction FROM review WHERE round_id = ? AND kind = ? "
                                              "AND target_member_id = ? AND sheet_no = ?"
                               : target_member ? "SELECT id, levels, achievements, shortcomings, direction FROM review WHERE round_id = ? AND kind = ? "
                                               "AND target_member_id = ? AND reviewer_member_id = ?"
                                             : "SELECT id, levels, achievements, shortcomings, direction FROM review WHERE round_id = ? AND kind = ? "
                                               "AND target_org_id = ? AND ? = 0");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, rd->id);
    db_bind_text(s, 2, kind);
    db_bind_i64(s, 3, target_member ? target_member : target_org);
    db_bind_i64(s, 4, by->sheet_no ? (int64_t)by->sheet_no : reviewer_member);
    int rc = db_step(s);
    *rid = 0;
    if (rc == DB_ROW) {
        *rid = db_col_i64(s, 0);
        cJSON *b = cJSON_CreateObject();
        cJSON_AddStringToObject(b, "levels", db_col_text(s, 1));
        cJSON_AddStringToObject(b, "achievements", db_col_text(s, 2));
        cJSON_AddStringToObject(b, "shortcomings", db_col_text(s, 3));
        cJSON_AddStringToObject(b, "direction", db_col_text(s, 4));
        *before = json_take(b);
    }
    db_done(s);
    if (rc == CX_ERR) return CX_ERR;
    *updated = *rid != 0;
    int64_t now = now_unix();
    if (*rid)
        return db_run(d, "UPDATE review SET levels = ?, achievements = ?, shortcomings = ?, direction = ?, reviewer_user_id = ?, updated_at = ?, "
                         "entered_by = NULLIF(?, CAST(0 AS BIGINT)), confirmed_at = 0 WHERE id = ?",
                      "ssssiiii", levels, ach, sho, dir, user_id, now, by->entered_by, *rid);
    /* 0 stands for NULL: an organisation's self-review has no member target nor member reviewer, a
     * paper sheet no reviewer, a review of one's own no one who entered it for them */
    return db_i64(d, rid, 0, "INSERT INTO review (round_id, kind, target_member_id, target_org_id, reviewer_member_id, reviewer_user_id, "
                             "levels, achievements, shortcomings, direction, created_at, updated_at, entered_by, sheet_no, part) VALUES (?, ?, NULLIF(?, CAST(0 AS BIGINT)), ?, "
                             "NULLIF(?, CAST(0 AS BIGINT)), ?, ?, ?, ?, ?, ?, ?, NULLIF(?, CAST(0 AS BIGINT)), ?, (SELECT part FROM org WHERE id = ?)) RETURNING id",
                  "isiiiissssiiiii", rd->id, kind, target_member, target_org, reviewer_member, user_id, levels, ach, sho, dir, now, now,
                  by->entered_by, (int64_t)by->sheet_no, target_org); /* the part of the organisation reviewed (store/part.h) */
}

/* Refuses a peer reviewer who is not an active member of the organisation org_id (403
 * not_same_branch); inside the caller's transaction. */
static int reviewer_in_branch(db *d, int64_t reviewer_member, int64_t org_id, const char *field, cx_err *e)
{
    member *rv = xmalloc(sizeof *rv);
    int f = member_get(d, reviewer_member, rv), rc = CX_OK;
    if (f == CX_ERR) rc = db_fail(d, e);
    else if (f == 0 || !rv->active || rv->org_id != org_id) {
        cx_fail(e, 403, "not_same_branch", field, "只能互评本支部的党员");
        rc = refuse(d);
    }
    free(rv);
    return rc;
}

static cJSON *review_after(const char *levels, const char *ach, const char *sho, const char *dir)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "levels", levels);
    cJSON_AddStringToObject(j, "achievements", ach);
    cJSON_AddStringToObject(j, "shortcomings", sho);
    cJSON_AddStringToObject(j, "direction", dir);
    return j;
}

int review_member_submit(db *d, const actor *a, int64_t round_id, const member *target, int64_t reviewer_member,
                         const review_ok *in, bool *updated, cx_err *e)
{
    bool self = reviewer_member == target->id;
    const char *ach = in->achievements, *sho = in->shortcomings, *dir = in->direction;
    char *before = NULL;
    review_round rd;
    int64_t n = 0, rid = 0;
    int rc = begin_open_round(d, round_id, &rd, e);
    if (rc != CX_OK || (rc = round_covers(d, &rd, target->org_path, target->r.name, e)) != CX_OK) goto out;
    if (!target->active) {
        cx_fail(e, 409, "inactive", "id", "党员“%s”已停用，不能评议", target->r.name);
        rc = refuse(d);
        goto out;
    }
    if (!self && (rc = reviewer_in_branch(d, reviewer_member, target->org_id, "id", e)) != CX_OK) goto out;
    if (round_items(d, &rd, false, target->org_id, &n) != CX_OK) {
        rc = db_fail(d, e);
        goto out;
    }
    if (levels_check(in->levels, (int)n, "levels", e) != CX_OK) {
        rc = refuse(d);
        goto out;
    }
    bool upd = false;
    /* a self-review written by another account was entered for the member (代录) */
    review_by by = {reviewer_member, a->user_id, self && a->user_id && !(a->scope && a->scope->member_id == target->id) ? a->user_id : 0, 0};
    rc = put_review(d, &rd, self ? "self" : "peer", target->id, target->org_id, &by, in->levels, ach, sho, dir, &rid, &upd, &before);
    if (rc == CX_OK && !upd) {
        rollup delta = {{0}};
        delta.v[self ? RU_SELF_REVIEWS : RU_PEER_REVIEWS] = 1;
        rc = rollup_add(d, rd.id, target->org_path, &delta);
    }
    if (self) {
        rc = store_finish(d, a, upd ? "review.self_edit" : "review.self", "review", rid, target->org_id, before,
                          json_take(review_after(in->levels, ach, sho, dir)), rc, e);
    } else {
        /* anonymous: the record names the round and the branch, never the member reviewed nor the levels */
        free(before);
        rc = store_finish(d, a, upd ? "review.peer_edit" : "review.peer", "review_round", rd.id, target->org_id, NULL,
                          xstrdup("{\"kind\":\"peer\"}"), rc, e);
    }
    before = NULL;
    if (rc == CX_OK && updated) *updated = upd;
out:
    free(before);
    return rc;
}

int review_org_submit(db *d, const actor *a, int64_t round_id, const org *o, const review_ok *in, bool *updated, cx_err *e)
{
    const char *ach = in->achievements, *sho = in->shortcomings, *dir = in->direction;
    char *before = NULL;
    review_round rd;
    int64_t n = 0, rid = 0;
    bool upd = false;
    int rc = begin_open_round(d, round_id, &rd, e);
    if (rc != CX_OK || (rc = round_covers(d, &rd, o->path, o->name, e)) != CX_OK) goto out;
    if (round_items(d, &rd, true, o->id, &n) != CX_OK) {
        rc = db_fail(d, e);
        goto out;
    }
    if (levels_check(in->levels, (int)n, "levels", e) != CX_OK) {
        rc = refuse(d);
        goto out;
    }
    review_by by = {0, a->user_id, 0, 0};
    rc = put_review(d, &rd, "org_self", 0, o->id, &by, in->levels, ach, sho, dir, &rid, &upd, &before);
    rc = store_finish(d, a, upd ? "review.org_edit" : "review.org", "review", rid, o->id, before,
                      json_take(review_after(in->levels, ach, sho, dir)), rc, e);
    before = NULL;
    if (rc == CX_OK && updated) *updated = upd;
out:
    free(before);
    return rc;
}

/* One review row's texts by a query binding (round, target, reviewer or 0). */
static int review_text_get(db *d, const char *sql, int64_t round_id, int64_t target_id, int64_t reviewer, review_text *out)
{
    memset(out, 0, sizeof *out); /* a caller never sees an output this call did not fill */
    db_stmt *s = db_prepare(d, sql);
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, round_id);
    db_bind_i64(s, 2, target_id);
    db_bind_i64(s, 3, reviewer);
    int rc = db_step(s);
    if (rc == DB_ROW) {
        copy_col(out->levels, sizeof out->levels, s, 0);
        copy_col(out->achievements, sizeof out->achievements, s, 1);
        copy_col(out->shortcomings, sizeof out->shortcomings, s, 2);
        copy_col(out->direction, sizeof out->direction, s, 3);
        out->updated_at = db_col_i64(s, 4);
        out->entered_by = db_col_i64(s, 5);
        out->confirmed_at = db_col_i64(s, 6);
        copy_col(out->entered_name, sizeof out->entered_name, s, 7);
    }
    db_done(s);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : CX_ERR;
}

#define REVIEW_TEXT_SQL                                                                                                   \
    "SELECT levels, achievements, shortcomings, direction, updated_at, coalesce(entered_by, 0), confirmed_at, "          \
    "coalesce((SELECT u.display_name FROM app_user u WHERE u.id = review.entered_by), '') FROM review WHERE round_id = ? "

int review_self_get(db *d, int64_t round_id, bool is_org, int64_t target_id, review_text *out)
{
    return review_text_get(d, is_org ? REVIEW_TEXT_SQL "AND kind = 'org_self' AND target_org_id = ? AND ? = 0"
                                     : REVIEW_TEXT_SQL "AND kind = 'self' AND target_member_id = ? AND ? = 0",
                           round_id, target_id, 0, out);
}

int review_peer_get(db *d, int64_t round_id, int64_t target_member, int64_t reviewer_member, review_text *out)
{
    return review_text_get(d, REVIEW_TEXT_SQL "AND kind = 'peer' AND target_member_id = ? AND reviewer_member_id = ?", round_id,
                           target_member, reviewer_member, out);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int review_peer_summary(db *d, int64_t round_id, int64_t member_id, peer_summary *out, text_fn comments, void *ctx)
{
    memset(out, 0, sizeof *out);
    db_stmt *s = db_prepare(d, "SELECT levels, shortcomings FROM review WHERE round_id = ? AND kind = 'peer' AND target_member_id = ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, round_id);
    db_bind_i64(s, 2, member_id);
    char **texts = NULL;
    size_t nt = 0;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        const char *lv = db_col_text(s, 0);
        out->n++;
        for (int i = 0; lv[i] && i < STD_MAX_ITEMS; i++) {
            if (lv[i] >= '1' && lv[i] <= '4') out->count[i][lv[i] - '1']++;
            if (i + 1 > out->nitems) out->nitems = i + 1;
        }
        if (comments && *db_col_text(s, 1)) {
            texts = xrealloc(texts, (nt + 1) * sizeof *texts);
            texts[nt++] = xstrdup(db_col_text(s, 1));
        }
    }
    db_done(s);
    /* sorted by text, so their order says nothing about who wrote them or when */
    if (nt) qsort(texts, nt, sizeof *texts, cmp_str);
    for (size_t i = 0; i < nt; i++) {
        if (rc != CX_ERR && comments && comments(ctx, texts[i])) comments = NULL;
        free(texts[i]);
    }
    free(texts);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int review_peer_todo(db *d, int64_t round_id, const member *reviewer, peer_todo_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT m.id, m.name, CASE WHEN EXISTS (SELECT 1 FROM review r WHERE r.round_id = ? AND r.kind = 'peer' "
                               "AND r.target_member_id = m.id AND r.reviewer_member_id = ?) THEN 1 ELSE 0 END FROM member m "
                               "WHERE m.org_id = ? AND m.active = 1 AND m.id <> ? AND NOT EXISTS (SELECT 1 FROM review_exclusion x "
                               "WHERE x.round_id = ? AND x.member_id = m.id) ORDER BY m.name, m.id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, round_id);
    db_bind_i64(s, 2, reviewer->id);
    db_bind_i64(s, 3, reviewer->org_id);
    db_bind_i64(s, 4, reviewer->id);
    db_bind_i64(s, 5, round_id);
    int rc;
    while ((rc = db_step(s)) == DB_ROW)
        if (fn(ctx, db_col_i64(s, 0), db_col_text(s, 1), db_col_i64(s, 2) != 0)) break;
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int review_self_confirm(db *d, const actor *a, int64_t round_id, const member *m, cx_err *e)
{
    review_round rd;
    review_text *t = xmalloc(sizeof *t);
    int rc = begin_open_round(d, round_id, &rd, e), f = 0;
    if (rc != CX_OK) goto out;
    if (!a->scope || a->scope->member_id != m->id) {
        cx_fail(e, 403, "not_self", "", "只有本人可以确认代录的自评");
        rc = refuse(d);
    } else if ((f = review_self_get(d, round_id, false, m->id, t)) == CX_ERR) {
        rc = db_fail(d, e);
    } else if (f == 0 || !t->entered_by) {
        cx_fail(e, 409, "not_entered", "", "本轮没有代录的自评，无需确认");
        rc = refuse(d);
    } else if (t->confirmed_at) {
        cx_fail(e, 409, "already_confirmed", "", "代录的自评本人已确认");
        rc = refuse(d);
    } else {
        int64_t now = now_unix();
        int r = db_run(d, "UPDATE review SET confirmed_at = ? WHERE round_id = ? AND kind = 'self' AND target_member_id = ?", "iii", now, round_id,
                       m->id);
        rc = store_finish(d, a, "review.self_confirm", "review_round", round_id, m->org_id, NULL,
                          xasprintf("{\"member_id\":%" PRId64 ",\"confirmed_at\":%" PRId64 "}", m->id, now), r, e);
    }
out:
    free(t);
    return rc;
}

int review_sheet_stats(db *d, int64_t round_id, int64_t org_id, int64_t *sheets, int64_t *max_no)
{
    *sheets = *max_no = 0;
    db_stmt *s = db_prepare(d, "SELECT count(DISTINCT sheet_no), coalesce(max(sheet_no), 0) FROM review WHERE round_id = ? AND kind = 'peer' "
                               "AND sheet_no > 0 AND target_org_id = ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, round_id);
    db_bind_i64(s, 2, org_id);
    int rc = db_step(s);
    if (rc == DB_ROW) *sheets = db_col_i64(s, 0), *max_no = db_col_i64(s, 1);
    db_done(s);
    return rc == DB_ROW ? CX_OK : CX_ERR;
}

int review_sheet_rows(db *d, int64_t round_id, int64_t org_id, int sheet_no, review_cell_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT target_member_id, levels FROM review WHERE round_id = ? AND kind = 'peer' AND sheet_no = ? "
                               "AND target_org_id = ? ORDER BY target_member_id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, round_id);
    db_bind_i64(s, 2, (int64_t)sheet_no);
    db_bind_i64(s, 3, org_id);
    int rc;
    while ((rc = db_step(s)) == DB_ROW)
        if (fn(ctx, db_col_i64(s, 0), db_col_text(s, 1))) break;
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* Checks one row of a matrix inside the transaction: the member reviewed is an active member of
 * the branch, not the reviewer, not excluded in the round, and the levels are whole; e names the
 * row's field and the member. */
static int matrix_row_check(db *d, const review_round *rd, const org *branch, int64_t reviewer_member, int64_t nitems, const peer_row *row,
                            member *t, cx_err *e)
{
    int f = member_get(d, row->member_id, t);
    int64_t excluded = 0;
    if (f == CX_ERR || (f == 1 && db_i64(d, &excluded, 0, "SELECT count(*) FROM review_exclusion WHERE round_id = ? AND member_id = ?", "ii",
                                         rd->id, t->id) != CX_OK))
        return db_fail(d, e);
    if (f == 0 || !t->active || t->org_id != branch->id)
        cx_fail(e, 400, "not_in_branch", row->field, "%s不是本支部在册的党员", f == 1 ? t->r.name : "该党员");
    else if (t->id == reviewer_member) cx_fail(e, 400, "self_peer", row->field, "不能给自己（%s）互评", t->r.name);
    else if (excluded) cx_fail(e, 400, "excluded", row->field, "%s本轮不参加评议", t->r.name);
    else if (levels_check(row->levels, (int)nitems, row->field, e) != CX_OK) {
        char *msg = xasprintf("%s：%s", t->r.name, e->msg); /* a name and a short message: it fits */
        snprintf(e->msg, sizeof e->msg, "%s", msg);
        free(msg);
    } else return CX_OK;
    return refuse(d);
}

int review_peer_matrix(db *d, const actor *a, int64_t round_id, const org *branch, int64_t reviewer_member, int sheet_no,
                       const peer_row *rows, int n, int *inserted, int64_t *replaced, cx_err *e)
{
    review_round rd;
    int64_t nitems = 0, dropped = 0;
    int added = 0;
    member *t = xmalloc(sizeof *t);
    int rc = begin_open_round(d, round_id, &rd, e);
    if (rc != CX_OK || (rc = round_covers(d, &rd, branch->path, branch->name, e)) != CX_OK) goto out;
    if (n <= 0) {
        cx_fail(e, 400, "empty_matrix", "rows", "互评表没有填写任何党员的等次");
        rc = refuse(d);
        goto out;
    }
    /* a member reviews the fellow members of their own branch */
    if (reviewer_member && (rc = reviewer_in_branch(d, reviewer_member, branch->id, "", e)) != CX_OK) goto out;
    if (round_items(d, &rd, false, branch->id, &nitems) != CX_OK) {
        rc = db_fail(d, e);
        goto out;
    }
    /* every row is checked before any is written: one bad cell changes nothing */
    for (int i = 0; i < n; i++)
        if ((rc = matrix_row_check(d, &rd, branch, reviewer_member, nitems, &rows[i], t, e)) != CX_OK) goto out;
    if (sheet_no > 0) { /* the same sheet keyed in again replaces it */
        if (db_i64(d, &dropped, 0, "SELECT count(*) FROM review WHERE round_id = ? AND kind = 'peer' AND sheet_no = ? AND target_org_id = ?", "iii",
                   rd.id, (int64_t)sheet_no, branch->id) != CX_OK ||
            db_run(d, "DELETE FROM review WHERE round_id = ? AND kind = 'peer' AND sheet_no = ? AND target_org_id = ?", "iii", rd.id,
                   (int64_t)sheet_no, branch->id) != CX_OK) {
            rc = db_fail(d, e);
            goto out;
        }
    }
    review_by by = {reviewer_member, a->user_id, sheet_no > 0 ? a->user_id : 0, sheet_no > 0 ? sheet_no : 0};
    for (int i = 0; rc == CX_OK && i < n; i++) {
        int64_t rid = 0;
        bool upd = false;
        char *before = NULL;
        rc = put_review(d, &rd, "peer", rows[i].member_id, branch->id, &by, rows[i].levels, "", "", "", &rid, &upd, &before);
        free(before);
        if (!upd) added++;
    }
    if (rc == CX_OK) {
        rollup delta = {{0}};
        delta.v[RU_PEER_REVIEWS] = added - dropped;
        rc = rollup_add(d, rd.id, branch->path, &delta);
    }
    /* anonymous: the record names the round, the branch and the sheet, never whom a row reviews */
    rc = store_finish(d, a, sheet_no > 0 ? "review.sheet" : "review.peer_matrix", "review_round", rd.id, branch->id, NULL,
                      sheet_no > 0 ? xasprintf("{\"kind\":\"sheet\",\"sheet_no\":%d,\"rows\":%d,\"replaced\":%s}", sheet_no, n, dropped ? "true" : "false")
                                   : xasprintf("{\"kind\":\"peer\",\"rows\":%d}", n),
                      rc, e);
    if (rc == CX_OK && inserted) *inserted = added;
    if (rc == CX_OK && replaced) *replaced = dropped;
out:
    free(t);
    return rc;
}
