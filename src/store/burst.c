/* burst.c: bursts of web/QR ballots held for the office: list, read, release or discard. */
#include "burst.h"
#include "rating_int.h"
#include "row.h"
#include "rollup.h"
#include "../lib/json.h"
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BURST_COLS                                                                                                   \
    "u.id, u.round_id, u.target_kind, u.target_id, u.org_id, u.reason, u.window_start, u.window_len, u.state, u.note, "   \
    "u.created_at, coalesce(u.decided_at, 0), o.name, o.path, r.name, "                                             \
    "(SELECT count(*) FROM ballot b WHERE b.burst_id = u.id AND b.hold = 'held'), "                                  \
    "(SELECT count(*) FROM ballot b WHERE b.burst_id = u.id AND b.hold = ''), "                                      \
    "(SELECT count(*) FROM ballot b WHERE b.burst_id = u.id AND b.hold = 'discarded'), "                             \
    TARGET_NAME("u")
#define BURST_FROM " FROM ballot_burst u JOIN org o ON o.id = u.org_id JOIN review_round r ON r.id = u.round_id"

static void read_burst(db_stmt *s, void *out)
{
    ballot_burst *b = out;
    b->id = db_col_i64(s, 0);
    b->round_id = db_col_i64(s, 1);
    b->kind = rating_kind_from_name(db_col_text(s, 2));
    b->target_id = db_col_i64(s, 3);
    b->org_id = db_col_i64(s, 4);
    snprintf(b->reason, sizeof b->reason, "%s", db_col_text(s, 5));
    b->window_start = db_col_i64(s, 6);
    b->window_len = db_col_i64(s, 7);
    snprintf(b->state, sizeof b->state, "%s", db_col_text(s, 8));
    snprintf(b->note, sizeof b->note, "%s", db_col_text(s, 9));
    b->created_at = db_col_i64(s, 10);
    b->decided_at = db_col_i64(s, 11);
    snprintf(b->org_name, sizeof b->org_name, "%s", db_col_text(s, 12));
    snprintf(b->org_path, sizeof b->org_path, "%s", db_col_text(s, 13));
    snprintf(b->round_name, sizeof b->round_name, "%s", db_col_text(s, 14));
    b->held = db_col_i64(s, 15);
    b->released = db_col_i64(s, 16);
    b->discarded = db_col_i64(s, 17);
    snprintf(b->target_name, sizeof b->target_name, "%s", db_col_text(s, 18));
}

int burst_get(db *d, int64_t id, ballot_burst *b) { return row_by_id(d, "SELECT " BURST_COLS BURST_FROM " WHERE u.id = ?", id, read_burst, b, sizeof *b); }

/* Starts q with head and the bursts of root's subtree in the round (0: any) and state (NULL or "": any). */
static void burst_query(db_q *q, const char *head, const org *root, int64_t round_id, const char *state, char end[CX_PATH_MAX])
{
    subtree_round(q, head, "u.round_id", root, round_id, end);
    if (state && *state) db_q_where(q, "u.state = ?", "s", state);
}

int burst_count(db *d, const org *root, int64_t round_id, const char *state, int64_t *total)
{
    char end[CX_PATH_MAX];
    db_q q;
    burst_query(&q, "SELECT COUNT(*)" BURST_FROM, root, round_id, state, end);
    return db_q_count(d, &q, total);
}

int burst_list(db *d, const org *root, int64_t round_id, const char *state, int64_t offset, int64_t limit, burst_fn fn, void *ctx)
{
    char end[CX_PATH_MAX];
    db_q q;
    burst_query(&q, "SELECT " BURST_COLS BURST_FROM, root, round_id, state, end);
    db_stmt *s = page_stmt(d, &q, " ORDER BY CASE u.state WHEN 'open' THEN 0 ELSE 1 END, u.id DESC", offset, limit);
    if (!s) return CX_ERR;
    return DB_EACH(s, ballot_burst, read_burst, fn, ctx);
}

int burst_decide(db *d, const actor *a, int64_t id, const burst_ok *in, cx_err *e)
{
    bool release = in->release;
    const char *nt = in->note;
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    /* the burst row first (locked on PostgreSQL): the writer attaching a ballot to it waits, or
     * has committed and its ballot is seen below */
    int64_t open = 0;
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT id FROM ballot_burst WHERE id = ? AND state = 'open'%s", db_kind_of(d) == DB_PG ? " FOR UPDATE" : "");
    if (db_i64(d, &open, 0, sql, "i", id) != CX_OK) return db_fail(d, e);
    ballot_burst b;
    int f = burst_get(d, id, &b);
    if (f != 1) {
        db_rollback(d);
        return f == 0 ? cx_fail(e, 404, "not_found", "id", "集中投票记录不存在") : db_fail(d, e);
    }
    if (!open) {
        db_rollback(d);
        return cx_fail(e, 409, "burst_decided", "id", "这批集中投票已经审核过（%s）", !strcmp(b.state, "released") ? "已计入" : "已作废");
    }
    /* the held ballots move out of "held" into their class (released) or into invalid */
    db_stmt *s = db_prepare(d, "SELECT b.valid, b.verified, b.channel, b.answers, count(*), b.org_id, o.path, " BALLOT_ON_POST("b") " FROM ballot b "
                               "JOIN org o ON o.id = b.org_id WHERE b.burst_id = ? AND b.hold = 'held' "
                               "GROUP BY b.valid, b.verified, b.channel, b.answers, b.org_id, o.path, " BALLOT_ON_POST("b"));
    if (!s) return db_fail(d, e);
    db_bind_i64(s, 1, id);
    typedef struct { int64_t org_id; char path[CX_PATH_MAX]; rollup r; } odelta;
    odelta *v = NULL;
    size_t n = 0;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        int64_t org_id = db_col_i64(s, 5), cnt = db_col_i64(s, 4);
        size_t k = 0;
        while (k < n && v[k].org_id != org_id) k++;
        if (k == n) {
            v = xrealloc(v, (n + 1) * sizeof *v);
            memset(&v[n], 0, sizeof v[n]);
            v[n].org_id = org_id;
            snprintf(v[n].path, sizeof v[n].path, "%s", db_col_text(s, 6));
            n++;
        }
        const char *ch = db_col_text(s, 2), *ans = db_col_text(s, 3);
        int to = release ? ballot_class(db_col_i64(s, 0) != 0, db_col_i64(s, 1) != 0, "") : BC_INVALID;
        rollup_of_ballot(&v[k].r, BC_HELD, ch, ans, (int)-cnt);
        rollup_of_ballot(&v[k].r, to, ch, ans, (int)cnt);
        if (db_col_i64(s, 7)) rollup_of_post_ballot(&v[k].r, to, ans, cnt); /* issue 19 (posts): a held ballot was in none */
    }
    db_done(s);
    rc = rc == CX_ERR ? CX_ERR : CX_OK;
    if (rc == CX_OK)
        rc = db_run(d, release ? "UPDATE ballot SET hold = '' WHERE burst_id = ? AND hold = 'held'" : "UPDATE ballot SET hold = 'discarded' WHERE burst_id = ? AND hold = 'held'",
                    "i", id);
    if (rc == CX_OK)
        rc = db_run(d, "UPDATE ballot_burst SET state = ?, note = ?, decided_by = ?, decided_at = ? WHERE id = ?", "ssiii", release ? "released" : "discarded",
                    nt, a ? a->user_id : 0, now_unix(), id);
    for (size_t k = 0; rc == CX_OK && k < n; k++) rc = rollup_add(d, b.round_id, v[k].path, &v[k].r);
    free(v);
    char *before = xasprintf("{\"state\":\"open\",\"held\":%" PRId64 "}", b.held);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "state", release ? "released" : "discarded");
    json_add_i64(j, "ballots", b.held);
    cJSON_AddStringToObject(j, "target_kind", rating_kind_name(b.kind));
    json_add_i64(j, "target_id", b.target_id);
    cJSON_AddStringToObject(j, "note", nt);
    char *after = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (rc != CX_OK) {
        free(before);
        free(after);
        return db_fail(d, e);
    }
    return store_finish(d, a, release ? "release" : "discard", "ballot_burst", id, b.org_id, before, after, rc, e);
}
