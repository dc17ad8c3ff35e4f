/* review.c: self and peer reviews of members and an organisation's self-review (see store/review.h). */
#include "review.h"
#include "row.h"
#include "review_int.h"
#include "rollup.h"
#include <stdlib.h>
#include <string.h>

/* Inserts or updates one review row; *rid gets its id, *updated whether it existed. */
static int put_review(db *d, const review_round *rd, const char *kind, int64_t target_member, int64_t target_org,
                      int64_t reviewer_member, int64_t user_id, const char *levels, const char *ach, const char *sho,
                      const char *dir, int64_t *rid, bool *updated, char **before)
{
    db_stmt *s = db_prepare(d, target_member ? "SELECT id, levels, achievements, shortcomings, direction FROM review WHERE round_id = ? AND kind = ? "
                                               "AND target_member_id = ? AND reviewer_member_id = ?"
                                             : "SELECT id, levels, achievements, shortcomings, direction FROM review WHERE round_id = ? AND kind = ? "
                                               "AND target_org_id = ? AND ? = 0");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, rd->id);
    db_bind_text(s, 2, kind);
    db_bind_i64(s, 3, target_member ? target_member : target_org);
    db_bind_i64(s, 4, reviewer_member);
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
        return db_run(d, "UPDATE review SET levels = ?, achievements = ?, shortcomings = ?, direction = ?, reviewer_user_id = ?, updated_at = ? WHERE id = ?",
                      "ssssiii", levels, ach, sho, dir, user_id, now, *rid);
    /* 0 stands for NULL: an organisation's self-review has no member target nor member reviewer */
    return db_i64(d, rid, 0, "INSERT INTO review (round_id, kind, target_member_id, target_org_id, reviewer_member_id, reviewer_user_id, "
                             "levels, achievements, shortcomings, direction, created_at, updated_at) VALUES (?, ?, NULLIF(?, CAST(0 AS BIGINT)), ?, "
                             "NULLIF(?, CAST(0 AS BIGINT)), ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                  "isiiiissssii", rd->id, kind, target_member, target_org, reviewer_member, user_id, levels, ach, sho, dir, now, now);
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
    member rv;
    int64_t n = 0, rid = 0;
    int rc = begin_open_round(d, round_id, &rd, e);
    if (rc != CX_OK || (rc = round_covers(d, &rd, target->org_path, target->r.name, e)) != CX_OK) goto out;
    if (!target->active) {
        cx_fail(e, 409, "inactive", "id", "党员“%s”已停用，不能评议", target->r.name);
        rc = refuse(d);
        goto out;
    }
    if (!self) {
        int f = member_get(d, reviewer_member, &rv);
        if (f == CX_ERR) {
            rc = db_fail(d, e);
            goto out;
        }
        if (f == 0 || !rv.active || rv.org_id != target->org_id) {
            cx_fail(e, 403, "not_same_branch", "id", "只能互评本支部的党员");
            rc = refuse(d);
            goto out;
        }
    }
    if (campaign_items(d, rd.campaign_id, false, &n) != CX_OK) {
        rc = db_fail(d, e);
        goto out;
    }
    if (levels_check(in->levels, (int)n, "levels", e) != CX_OK) {
        rc = refuse(d);
        goto out;
    }
    bool upd = false;
    rc = put_review(d, &rd, self ? "self" : "peer", target->id, target->org_id, reviewer_member, a->user_id, in->levels, ach, sho, dir,
                    &rid, &upd, &before);
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
    if (campaign_items(d, rd.campaign_id, true, &n) != CX_OK) {
        rc = db_fail(d, e);
        goto out;
    }
    if (levels_check(in->levels, (int)n, "levels", e) != CX_OK) {
        rc = refuse(d);
        goto out;
    }
    rc = put_review(d, &rd, "org_self", 0, o->id, 0, a->user_id, in->levels, ach, sho, dir, &rid, &upd, &before);
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
    }
    db_done(s);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : CX_ERR;
}

#define REVIEW_TEXT_SQL "SELECT levels, achievements, shortcomings, direction, updated_at FROM review WHERE round_id = ? "

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
