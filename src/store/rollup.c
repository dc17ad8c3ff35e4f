/* rollup.c: roll-up counters of a review round (see rollup.h). A change adds its delta to the
 * row of its organisation and of every ancestor (ids read from the materialized path), so a
 * subtree's figures are one row. Recount rebuilds the same numbers from the raw records. */
#include "rollup.h"
#include "row.h"
#include "../domain/review.h"
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

const char *const rollup_cols[RU_N] = {
    "ballots_valid", "ballots_invalid", "answers_satisfied", "answers_basic", "answers_unsatisfied",
    "self_reviews", "peer_reviews", "charges", "charges_done",
    "members_graded", "members_meeting", "members_excellent", "members_qualified", "members_basic",
    "members_unqualified", "orgs_graded", "orgs_meeting", "members_excluded", "members_commented", "orgs_commented",
    "ballots_web", "ballots_paper", "ballots_phone", "ballots_unverified", "ballots_held",
    "post_ballots", "post_answers_ok", "post_answers", /* issue 19 (posts) */
};
const char *const rollup_labels[RU_N] = {
    "有效票", "无效票", "满意（答项）", "基本满意（答项）", "不满意（答项）",
    "自评", "互评", "领导点评应点评", "领导点评已点评",
    "评定等次党员", "达到五带头党员", "优秀党员", "合格党员", "基本合格党员",
    "不合格党员", "评定等次组织", "达到五个好组织", "不参加评定的正式党员", "已有领导点评的党员", "已有领导点评的组织",
    "计入票（网上短信验证）", "计入票（纸质问卷）", "计入票（电话抽访）", "未验证的网上评价", "待审核（集中投票）",
    "计入票（示范岗、责任区）", "满意和基本满意（示范岗、责任区答项）", "全部答项（示范岗、责任区）", /* issue 19 (posts) */
};
const char *const tally_cols[TL_N] = {"members_active", "members_full", "orgs_active"};
const char *const tally_labels[TL_N] = {"党员（在册）", "正式党员（在册）", "党组织（在用）"};

static char add_sql[8192], get_sql[2560], children_sql[3072], all_sql[2560], bulk_cols[1500];
static pthread_once_t sql_once = PTHREAD_ONCE_INIT;

/* The statements name every column, so they are composed once from rollup_cols. */
static void build_sql(void)
{
    static counter_sql q;
    counter_sql_make(&q, "rollup", rollup_cols, RU_N, "coalesce(r.", ", 0)");
    const char *cols = q.names, *vals = q.marks, *sets = q.adds, *rcols = q.reads;
    snprintf(add_sql, sizeof add_sql,
             "INSERT INTO rollup (round_id, org_id, %s) VALUES (?, ?, %s) ON CONFLICT (round_id, org_id) DO UPDATE SET %s",
             cols, vals, sets);
    snprintf(bulk_cols, sizeof bulk_cols, "round_id, org_id, %s", cols);
    snprintf(get_sql, sizeof get_sql, "SELECT %s FROM rollup r WHERE r.round_id = ? AND r.org_id = ?", rcols);
    snprintf(all_sql, sizeof all_sql, "SELECT r.org_id, %s FROM rollup r WHERE r.round_id = ?", rcols);
    snprintf(children_sql, sizeof children_sql,
             "SELECT " ORG_COLS ", coalesce(t.members_active, 0), "
             "coalesce(t.members_full, 0), coalesce(t.orgs_active, 0), %s FROM org o LEFT JOIN org_tally t ON t.org_id = o.id "
             "LEFT JOIN rollup r ON r.round_id = ? AND r.org_id = o.id WHERE o.parent_id = ? AND o.active = 1 ORDER BY o.name",
             rcols);
}

static void read_counters(db_stmt *s, int c, rollup *r)
{
    for (int i = 0; i < RU_N; i++) r->v[i] = db_col_i64(s, c + i);
}

static bool rollup_zero(const rollup *r)
{
    for (int i = 0; i < RU_N; i++)
        if (r->v[i]) return false;
    return true;
}

/* The rows rollup_add changes: the organisation's and each ancestor's, root first. */
typedef struct add_rows {
    int64_t round_id, ids[CX_PATH_MAX / 2];
    const rollup *delta;
} add_rows;
static void bind_add(db_stmt *s, int i, void *ctx)
{
    const add_rows *a = ctx;
    db_bind_i64(s, 1, a->round_id);
    db_bind_i64(s, 2, a->ids[i]);
    for (int k = 0; k < RU_N; k++) db_bind_i64(s, 3 + k, a->delta->v[k]);
}

int rollup_add(db *d, int64_t round_id, const char *org_path, const rollup *delta)
{
    pthread_once(&sql_once, build_sql);
    if (rollup_zero(delta)) return CX_OK;
    int depth = orgpath_depth(org_path);
    if (depth < 0 || depth >= CX_PATH_MAX / 2) return CX_ERR;
    add_rows a = {.round_id = round_id, .delta = delta};
    int64_t first[CX_PATH_MAX / 2];
    for (int k = 0; k <= depth; k++)
        if ((a.ids[k] = orgpath_at(org_path, k)) <= 0) return CX_ERR;
    /* every level in one round trip (PostgreSQL's pipeline), root first as before: two writers
     * lock the rows in the same order */
    return db_run_each(d, add_sql, depth + 1, bind_add, &a, first);
}

int rollup_get(db *d, int64_t round_id, int64_t org_id, rollup *out)
{
    pthread_once(&sql_once, build_sql);
    memset(out, 0, sizeof *out);
    db_stmt *s = db_prepare(d, get_sql);
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, round_id);
    db_bind_i64(s, 2, org_id);
    int rc = db_step(s);
    if (rc == DB_ROW) read_counters(s, 0, out);
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int rollup_children(db *d, int64_t round_id, int64_t org_id, rollup_fn fn, void *ctx)
{
    pthread_once(&sql_once, build_sql);
    db_stmt *s = db_prepare(d, children_sql);
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, round_id);
    db_bind_i64(s, 2, org_id);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        org o;
        rollup r;
        tally t;
        org_read(s, 0, &o);
        for (int i = 0; i < TL_N; i++) t.v[i] = db_col_i64(s, ORG_NCOLS + i);
        read_counters(s, ORG_NCOLS + TL_N, &r);
        if (fn(ctx, &o, &r, &t)) break;
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* ---- tallies (org_tally) ---- */

static const char tally_add_sql[] =
    "INSERT INTO org_tally (org_id, members_active, members_full, orgs_active) VALUES (?, ?, ?, ?) ON CONFLICT (org_id) DO UPDATE SET "
    "members_active = org_tally.members_active + excluded.members_active, members_full = org_tally.members_full + excluded.members_full, "
    "orgs_active = org_tally.orgs_active + excluded.orgs_active";

static bool tally_zero(const tally *t)
{
    for (int i = 0; i < TL_N; i++)
        if (t->v[i]) return false;
    return true;
}

typedef struct tally_at {
    int64_t org_id;
    tally t;
} tally_at;

#define TALLY_ROWS 128 /* organisations per statement: 512 parameters (the PostgreSQL backend binds up to 1024) */

/* Adds each sum to its organisation's tally (ids distinct), TALLY_ROWS organisations a statement:
 * a bulk import into a tree of thousands of organisations makes a few round trips, not thousands. */
static int tally_add_many(db *d, const tally_at *v, size_t n)
{
    _Static_assert(TL_N == 3, "tally_add_sql has an id and three counts a row");
    for (size_t i = 0; i < n; i += TALLY_ROWS) {
        size_t k = n - i < TALLY_ROWS ? n - i : TALLY_ROWS;
        char sql[sizeof tally_add_sql + TALLY_ROWS * 16];
        const char *values = strstr(tally_add_sql, "(?, ?, ?, ?)"), *rest = values + strlen("(?, ?, ?, ?)");
        int m = snprintf(sql, sizeof sql, "%.*s", (int)(values - tally_add_sql), tally_add_sql);
        for (size_t r = 0; r < k; r++) m += snprintf(sql + m, sizeof sql - (size_t)m, r ? ", (?, ?, ?, ?)" : "(?, ?, ?, ?)");
        snprintf(sql + m, sizeof sql - (size_t)m, "%s", rest);
        db_stmt *s = db_prepare(d, sql);
        if (!s) return CX_ERR;
        for (size_t r = 0; r < k; r++) {
            db_bind_i64(s, (int)(4 * r + 1), v[i + r].org_id);
            for (int c = 0; c < TL_N; c++) db_bind_i64(s, (int)(4 * r + 2 + (size_t)c), v[i + r].t.v[c]);
        }
        int rc = db_step(s);
        db_done(s);
        if (rc == CX_ERR) return CX_ERR;
    }
    return CX_OK;
}

/* Adds delta to the rows of the first levels organisations on org_path (root first). */
static int tally_add_levels(db *d, const char *org_path, int levels, const tally *delta)
{
    if (tally_zero(delta)) return CX_OK;
    for (int k = 0; k < levels; k++) {
        int64_t id = orgpath_at(org_path, k);
        if (id <= 0 || db_run(d, tally_add_sql, "iiii", id, delta->v[0], delta->v[1], delta->v[2]) != CX_OK) return CX_ERR;
    }
    return CX_OK;
}

int tally_add(db *d, const char *org_path, const tally *delta)
{
    int depth = orgpath_depth(org_path);
    return depth < 0 ? CX_ERR : tally_add_levels(d, org_path, depth + 1, delta);
}

int tally_get(db *d, int64_t org_id, tally *out)
{
    memset(out, 0, sizeof *out);
    db_stmt *s = db_prepare(d, "SELECT members_active, members_full, orgs_active FROM org_tally WHERE org_id = ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, org_id);
    int rc = db_step(s);
    for (int i = 0; rc == DB_ROW && i < TL_N; i++) out->v[i] = db_col_i64(s, i);
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

static bool is_full(const char *status) { return status && !strcmp(status, "full"); }

void tally_of_member(tally *t, bool active, const char *status, int sign)
{
    if (!active) return;
    t->v[TL_MEMBERS_ACTIVE] += sign;
    if (is_full(status)) t->v[TL_MEMBERS_FULL] += sign;
}

int tally_member_change(db *d, int64_t member_id, const char *old_path, bool old_active, const char *old_status,
                        const char *new_path, bool new_active, const char *new_status)
{
    tally was = {{0}}, now = {{0}};
    if (old_path) tally_of_member(&was, old_active, old_status, -1);
    tally_of_member(&now, new_active, new_status, 1);
    bool moved = old_path && strcmp(old_path, new_path);
    if (!moved)
        for (int i = 0; i < TL_N; i++) now.v[i] += was.v[i];
    if ((moved && tally_add(d, old_path, &was) != CX_OK) || tally_add(d, new_path, &now) != CX_OK) return CX_ERR;
    /* the exclusions of the member: counted where an active 正式党员 is */
    bool counted_before = old_path && old_active && is_full(old_status), counted_after = new_active && is_full(new_status);
    if (!old_path || (counted_before == counted_after && !moved) || (!counted_before && !counted_after)) return CX_OK;
    db_stmt *s = db_prepare(d, "SELECT round_id FROM review_exclusion WHERE member_id = ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, member_id);
    int64_t *rounds = NULL;
    size_t n = 0;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) rounds = xrealloc(rounds, (n + 1) * sizeof *rounds), rounds[n++] = db_col_i64(s, 0);
    db_done(s);
    rc = rc == CX_ERR ? CX_ERR : CX_OK;
    for (size_t i = 0; rc == CX_OK && i < n; i++) {
        rollup out = {{0}}, in = {{0}};
        out.v[RU_MEMBERS_EXCLUDED] = counted_before ? -1 : 0;
        in.v[RU_MEMBERS_EXCLUDED] = counted_after ? 1 : 0;
        rc = rollup_add(d, rounds[i], old_path, &out);
        if (rc == CX_OK) rc = rollup_add(d, rounds[i], new_path, &in);
    }
    free(rounds);
    return rc;
}

static int by_org_id(const void *x, const void *y)
{
    const tally_at *a = x, *b = y;
    return (a->org_id > b->org_id) - (a->org_id < b->org_id);
}

int tally_add_paths(db *d, const char *const *paths, const tally *v, size_t n)
{
    /* each organisation's delta added to it and its ancestors, summed per organisation first:
     * one statement per organisation touched instead of one per organisation and level (a bulk
     * import into a tree of thousands of organisations) */
    int rc = CX_OK;
    size_t na = 0, cap = 0;
    tally_at *acc = NULL;
    for (size_t i = 0; i < n; i++) {
        int levels = orgpath_depth(paths[i]) + 1;
        if (levels <= 0) rc = CX_ERR;
        for (int k = 0; rc == CX_OK && k < levels; k++) {
            if (na == cap) acc = xrealloc(acc, (cap = cap ? cap * 2 : 256) * sizeof *acc);
            acc[na++] = (tally_at){orgpath_at(paths[i], k), v[i]};
        }
    }
    if (na) qsort(acc, na, sizeof *acc, by_org_id);
    size_t ns = 0; /* the sums, one per organisation, in place */
    for (size_t i = 0; rc == CX_OK && i < na;) {
        tally sum = acc[i].t;
        size_t j = i + 1;
        for (; j < na && acc[j].org_id == acc[i].org_id; j++)
            for (int k = 0; k < TL_N; k++) sum.v[k] += acc[j].t.v[k];
        if (acc[i].org_id <= 0) rc = CX_ERR;
        else if (!tally_zero(&sum)) acc[ns++] = (tally_at){acc[i].org_id, sum};
        i = j;
    }
    if (rc == CX_OK) rc = tally_add_many(d, acc, ns);
    free(acc);
    return rc;
}

int tally_org_moved(db *d, int64_t org_id, const char *old_path, const char *new_path)
{
    tally t;
    if (tally_get(d, org_id, &t) != CX_OK) return CX_ERR;
    int od = orgpath_depth(old_path), nd = orgpath_depth(new_path);
    if (od < 0 || nd < 0) return CX_ERR;
    tally neg;
    for (int i = 0; i < TL_N; i++) neg.v[i] = -t.v[i];
    /* the ancestors only: the subtree's own rows stay as they are */
    if (tally_add_levels(d, old_path, od, &neg) != CX_OK) return CX_ERR;
    return tally_add_levels(d, new_path, nd, &t);
}

void rollup_due(const rollup *u, const tally *t, bool round_root, int64_t d[DU_N])
{
    d[DU_MEMBERS] = t->v[TL_MEMBERS_FULL] - u->v[RU_MEMBERS_EXCLUDED];
    d[DU_ORGS] = t->v[TL_ORGS_ACTIVE] - (round_root ? 1 : 0);
    for (int i = 0; i < DU_COMMENTARY; i++)
        if (d[i] < 0) d[i] = 0;
    d[DU_COMMENTARY] = t->v[TL_MEMBERS_ACTIVE] + d[DU_ORGS];
    d[DU_COMMENTED] = u->v[RU_MEMBERS_COMMENTED] + u->v[RU_ORGS_COMMENTED];
}

int64_t rollup_satisfaction(const rollup *r)
{
    int64_t ok = r->v[RU_ANS_SATISFIED] + r->v[RU_ANS_BASIC];
    int64_t all = ok + r->v[RU_ANS_UNSATISFIED];
    return all ? (ok * 10000 + all / 2) / all : -1;
}

void rollup_of_grade(rollup *r, bool is_org, int grade, bool meets, int sign)
{
    if (grade <= GR_NONE || grade > GR_4) return;
    if (is_org) {
        r->v[RU_ORGS_GRADED] += sign;
        if (meets) r->v[RU_ORGS_MEETING] += sign;
        return;
    }
    static const int col[] = {0, RU_MEMBERS_EXCELLENT, RU_MEMBERS_QUALIFIED, RU_MEMBERS_BASIC, RU_MEMBERS_UNQUALIFIED};
    r->v[RU_MEMBERS_GRADED] += sign;
    r->v[col[grade]] += sign;
    if (meets) r->v[RU_MEMBERS_MEETING] += sign;
}

int ballot_class(bool valid, bool verified, const char *hold)
{
    if (!valid || (hold && !strcmp(hold, "discarded"))) return BC_INVALID;
    if (hold && !strcmp(hold, "held")) return BC_HELD;
    return verified ? BC_COUNTED : BC_UNVERIFIED;
}

/* Adds count ballots of one class, channel and answer string to r. */
static void ballots_into(rollup *r, int cls, const char *channel, const char *answers, int64_t count)
{
    if (cls != BC_COUNTED) {
        r->v[cls == BC_UNVERIFIED ? RU_BALLOTS_UNVERIFIED : cls == BC_HELD ? RU_BALLOTS_HELD : RU_BALLOTS_INVALID] += count;
        return;
    }
    r->v[RU_BALLOTS_VALID] += count;
    r->v[!strcmp(channel, "paper") ? RU_BALLOTS_PAPER : !strcmp(channel, "phone") ? RU_BALLOTS_PHONE : RU_BALLOTS_WEB] += count;
    for (const char *a = answers; a && *a; a++) {
        if (*a == '0' + ANS_SATISFIED) r->v[RU_ANS_SATISFIED] += count;
        else if (*a == '0' + ANS_BASIC) r->v[RU_ANS_BASIC] += count;
        else if (*a == '0' + ANS_UNSATISFIED) r->v[RU_ANS_UNSATISFIED] += count;
    }
}

void rollup_of_ballot(rollup *r, int cls, const char *channel, const char *answers, int sign)
{
    ballots_into(r, cls, channel, answers, sign);
}

/* issue 19 (posts) */
void rollup_of_post_ballot(rollup *r, int cls, const char *answers, int64_t count)
{
    if (cls != BC_COUNTED) return;
    r->v[RU_POST_BALLOTS] += count;
    for (const char *a = answers; a && *a; a++) {
        if (*a == '0' + ANS_SATISFIED || *a == '0' + ANS_BASIC) r->v[RU_POST_ANS_OK] += count;
        if (*a == '0' + ANS_SATISFIED || *a == '0' + ANS_BASIC || *a == '0' + ANS_UNSATISFIED) r->v[RU_POST_ANS] += count;
    }
}

/* ---- recount: an open-addressing map from org id to counters ---- */
typedef struct slot {
    int64_t id; /* 0 = empty */
    rollup r;
    bool stored;
} slot;
typedef struct omap {
    slot *v;
    size_t cap, n;
} omap;

/* The slot of id, or the empty slot where it would go (cap > 0). */
static slot *omap_probe(const omap *m, int64_t id)
{
    size_t i = (size_t)((uint64_t)id * 0x9e3779b97f4a7c15ULL >> 20) & (m->cap - 1);
    while (m->v[i].id && m->v[i].id != id) i = (i + 1) & (m->cap - 1);
    return &m->v[i];
}

static slot *omap_get(omap *m, int64_t id)
{
    if (m->n * 2 >= m->cap) {
        omap g = {xcalloc(m->cap ? m->cap * 2 : 1024, sizeof(slot)), m->cap ? m->cap * 2 : 1024, 0};
        for (size_t i = 0; i < m->cap; i++)
            if (m->v[i].id) *omap_get(&g, m->v[i].id) = m->v[i];
        free(m->v);
        *m = g;
    }
    slot *e = omap_probe(m, id);
    if (!e->id) {
        e->id = id;
        m->n++;
    }
    return e;
}

/* The entry of id, NULL when there is none (nothing is added). */
static const slot *omap_find(const omap *m, int64_t id)
{
    const slot *e = m->cap ? omap_probe(m, id) : NULL;
    return e && e->id ? e : NULL;
}

/* Prepares sql as a streamed statement (db_stream): its rows are read a chunk at a time, never
 * held whole (the ballot aggregate has tens of millions at province scale). */
static db_stmt *prepare_stream(db *d, const char *sql)
{
    db_stmt *s = db_prepare(d, sql);
    if (s) db_stream(s, DB_STREAM_ROWS);
    return s;
}

/* The raw counts, at the organisation each record names (before rolling up). */
static int count_raw(db *d, int64_t round_id, omap *base)
{
    db_stmt *s = prepare_stream(d, "SELECT org_id, valid, verified, hold, channel, answers, count(*), " BALLOT_ON_POST("ballot") " FROM ballot "
                                   "WHERE round_id = ? AND late = 0 GROUP BY org_id, valid, verified, hold, channel, answers, " BALLOT_ON_POST("ballot"));
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, round_id);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        rollup *r = &omap_get(base, db_col_i64(s, 0))->r;
        int cls = ballot_class(db_col_i64(s, 1) != 0, db_col_i64(s, 2) != 0, db_col_text(s, 3));
        ballots_into(r, cls, db_col_text(s, 4), db_col_text(s, 5), db_col_i64(s, 6));
        if (db_col_i64(s, 7)) rollup_of_post_ballot(r, cls, db_col_text(s, 5), db_col_i64(s, 6)); /* issue 19 (posts) */
    }
    db_done(s);
    if (rc == CX_ERR) return CX_ERR;

    s = prepare_stream(d, "SELECT target_org_id, kind, count(*) FROM review WHERE round_id = ? GROUP BY target_org_id, kind");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, round_id);
    while ((rc = db_step(s)) == DB_ROW) {
        const char *k = db_col_text(s, 1);
        int col = strcmp(k, "self") == 0 ? RU_SELF_REVIEWS : strcmp(k, "peer") == 0 ? RU_PEER_REVIEWS : -1;
        if (col >= 0) omap_get(base, db_col_i64(s, 0))->r.v[col] += db_col_i64(s, 2);
    }
    db_done(s);
    if (rc == CX_ERR) return CX_ERR;

    s = prepare_stream(d, "SELECT c.org_id, count(*), count(m.id) FROM leader_charge c LEFT JOIN commentary m ON m.round_id = c.round_id "
                          "AND m.user_id = c.user_id AND m.target_kind = c.target_kind AND m.target_id = c.target_id "
                          "WHERE c.round_id = ? GROUP BY c.org_id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, round_id);
    while ((rc = db_step(s)) == DB_ROW) {
        slot *e = omap_get(base, db_col_i64(s, 0));
        e->r.v[RU_CHARGES] += db_col_i64(s, 1);
        e->r.v[RU_CHARGES_DONE] += db_col_i64(s, 2);
    }
    db_done(s);
    if (rc == CX_ERR) return CX_ERR;

    s = prepare_stream(d, "SELECT m.org_id, count(*) FROM review_exclusion x JOIN member m ON m.id = x.member_id WHERE x.round_id = ? "
                          "AND m.active = 1 AND m.status = 'full' GROUP BY m.org_id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, round_id);
    while ((rc = db_step(s)) == DB_ROW) omap_get(base, db_col_i64(s, 0))->r.v[RU_MEMBERS_EXCLUDED] += db_col_i64(s, 1);
    db_done(s);
    if (rc == CX_ERR) return CX_ERR;

    /* each target commented on, once, at the organisation of its first commentary */
    s = prepare_stream(d, "SELECT target_kind, target_id, org_id FROM commentary WHERE round_id = ? ORDER BY target_kind, target_id, id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, round_id);
    char last_kind[8] = "";
    int64_t last_id = 0;
    while ((rc = db_step(s)) == DB_ROW) {
        const char *k = db_col_text(s, 0);
        int64_t id = db_col_i64(s, 1);
        if (id == last_id && !strcmp(k, last_kind)) continue;
        last_id = id;
        snprintf(last_kind, sizeof last_kind, "%s", k);
        omap_get(base, db_col_i64(s, 2))->r.v[strcmp(k, "org") ? RU_MEMBERS_COMMENTED : RU_ORGS_COMMENTED]++;
    }
    db_done(s);
    if (rc == CX_ERR) return CX_ERR;

    s = prepare_stream(d, "SELECT org_id, target_kind, final, meets, count(*) FROM grade WHERE round_id = ? "
                          "GROUP BY org_id, target_kind, final, meets");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, round_id);
    while ((rc = db_step(s)) == DB_ROW) {
        rollup one = {{0}};
        rollup_of_grade(&one, strcmp(db_col_text(s, 1), "org") == 0, grade_from_code(db_col_text(s, 2)), db_col_i64(s, 3) != 0, 1);
        slot *e = omap_get(base, db_col_i64(s, 0));
        for (int i = 0; i < RU_N; i++) e->r.v[i] += one.v[i] * db_col_i64(s, 4);
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* Rolls the raw counts up to every ancestor: one streamed scan of the organisations' paths (not a
 * look-up per organisation); counts at an organisation that no longer exists go nowhere. */
static int roll_up(db *d, const omap *base, omap *out)
{
    db_stmt *s = prepare_stream(d, "SELECT id, path FROM org");
    if (!s) return CX_ERR;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        const slot *b = omap_find(base, db_col_i64(s, 0));
        if (!b) continue;
        const char *path = db_col_text(s, 1);
        int depth = orgpath_depth(path);
        for (int k = 0; k <= depth; k++) {
            slot *e = omap_get(out, orgpath_at(path, k));
            for (int c = 0; c < RU_N; c++) e->r.v[c] += b->r.v[c];
        }
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* One line per counter that differs, naming the organisation, the counter, the stored value and
 * the value from the raw records. */
static void report(db *d, org_names *names, FILE *out, int64_t org_id, const int64_t *stored, const int64_t *want, int n,
                   const char *const *labels, const char *const *cols, int64_t *diffs)
{
    const char *name = NULL;
    for (int c = 0; c < n; c++) {
        if (stored[c] == want[c]) continue;
        (*diffs)++;
        if (!out) continue;
        if (!name) name = org_names_get(d, names, org_id);
        fprintf(out, "组织 %s（编号 %" PRId64 "）%s（%s）：记录为 %" PRId64 "，按原始记录应为 %" PRId64 "\n", name[0] ? name : "（不存在）", org_id,
                labels[c], cols[c], stored[c], want[c]);
    }
}

int tally_recount(db *d, bool fix, FILE *out, int64_t *diffs)
{
    *diffs = 0;
    omap base = {0}, want = {0};
    org_names names = {0};
    db_stmt *s = prepare_stream(d, "SELECT org_id, count(*), coalesce(sum(CASE WHEN status = 'full' THEN 1 ELSE 0 END), 0) FROM member "
                                   "WHERE active = 1 GROUP BY org_id");
    int rc = s ? CX_OK : CX_ERR, st;
    if (s) {
        while ((st = db_step(s)) == DB_ROW) {
            slot *e = omap_get(&base, db_col_i64(s, 0));
            e->r.v[TL_MEMBERS_ACTIVE] += db_col_i64(s, 1);
            e->r.v[TL_MEMBERS_FULL] += db_col_i64(s, 2);
        }
        db_done(s);
        if (st == CX_ERR) rc = CX_ERR;
    }
    s = rc == CX_OK ? prepare_stream(d, "SELECT id FROM org WHERE active = 1") : NULL;
    if (rc == CX_OK && !s) rc = CX_ERR;
    if (s) {
        while ((st = db_step(s)) == DB_ROW) omap_get(&base, db_col_i64(s, 0))->r.v[TL_ORGS_ACTIVE]++;
        db_done(s);
        if (st == CX_ERR) rc = CX_ERR;
    }
    if (rc == CX_OK) rc = roll_up(d, &base, &want);
    free(base.v);
    s = rc == CX_OK ? prepare_stream(d, "SELECT org_id, members_active, members_full, orgs_active FROM org_tally") : NULL;
    if (rc == CX_OK && !s) rc = CX_ERR;
    if (s) {
        while ((st = db_step(s)) == DB_ROW) {
            int64_t id = db_col_i64(s, 0), stored[TL_N];
            for (int i = 0; i < TL_N; i++) stored[i] = db_col_i64(s, 1 + i);
            slot *e = omap_get(&want, id);
            e->stored = true;
            report(d, &names, out, id, stored, e->r.v, TL_N, tally_labels, tally_cols, diffs);
        }
        db_done(s);
        if (st == CX_ERR) rc = CX_ERR;
    }
    static const int64_t none[TL_N];
    for (size_t i = 0; rc == CX_OK && i < want.cap; i++)
        if (want.v[i].id && !want.v[i].stored) report(d, &names, out, want.v[i].id, none, want.v[i].r.v, TL_N, tally_labels, tally_cols, diffs);
    if (rc == CX_OK && fix && *diffs) {
        _Static_assert(TL_N == 3, "a tally row is an id and three counts");
        rc = db_run(d, "DELETE FROM org_tally", "");
        db_bulk *b = rc == CX_OK ? db_bulk_begin(d, "org_tally", "org_id, members_active, members_full, orgs_active") : NULL;
        for (size_t i = 0; rc == CX_OK && i < want.cap; i++) {
            const int64_t *v = want.v[i].r.v;
            if (want.v[i].id && (v[0] || v[1] || v[2])) rc = db_bulk_row(b, "iiii", want.v[i].id, v[0], v[1], v[2]);
        }
        if (b && rc == CX_OK) rc = db_bulk_end(b);
        else db_bulk_cancel(b);
        if (rc == CX_OK) {
            char after[64];
            snprintf(after, sizeof after, "{\"differences\":%" PRId64 "}", *diffs);
            int64_t root = 0;
            rc = db_i64(d, &root, 0, "SELECT min(id) FROM org WHERE parent_id IS NULL", "");
            if (rc == CX_OK) rc = audit_append(d, &actor_cli, "tally.recount_fix", "org", root, root, NULL, after, "ok");
        }
    }
    free(want.v);
    org_names_free(&names);
    return rc;
}

/* Writes the rows of m that are not all zero as round_id's (recount --fix, after the round's rows
 * were deleted), in bulk: COPY on PostgreSQL, a prepared INSERT a row on SQLite. */
static int put_rows(db *d, int64_t round_id, const omap *m)
{
    _Static_assert(RU_N + 2 <= DB_MAX_ARGS, "a rollup row is bound as one row of values");
    db_bulk *b = db_bulk_begin(d, "rollup", bulk_cols);
    char fmt[RU_N + 3];
    memset(fmt, 'i', RU_N + 2);
    fmt[RU_N + 2] = '\0';
    db_arg a[RU_N + 2];
    a[0] = db_a_int(round_id);
    int rc = CX_OK;
    for (size_t i = 0; rc == CX_OK && i < m->cap; i++) {
        const slot *e = &m->v[i];
        if (!e->id || rollup_zero(&e->r)) continue;
        a[1] = db_a_int(e->id);
        for (int c = 0; c < RU_N; c++) a[2 + c] = db_a_int(e->r.v[c]);
        rc = db_bulk_row_args(b, fmt, RU_N + 2, a);
    }
    if (rc == CX_OK) return db_bulk_end(b);
    db_bulk_cancel(b);
    return rc;
}

int rollup_recount(db *d, int64_t round_id, bool fix, FILE *out, int64_t *diffs)
{
    pthread_once(&sql_once, build_sql);
    *diffs = 0;
    bool own = !d->in_tx; /* inside the caller's transaction (grade_recount), or its own */
    if (own && db_begin(d, fix) != CX_OK) return CX_ERR;
    omap base = {0}, want = {0};
    org_names names = {0};
    int rc = count_raw(d, round_id, &base);
    if (rc == CX_OK) rc = roll_up(d, &base, &want);
    free(base.v);
    db_stmt *s = rc == CX_OK ? prepare_stream(d, all_sql) : NULL;
    if (rc == CX_OK && !s) rc = CX_ERR;
    if (s) {
        db_bind_i64(s, 1, round_id);
        int st;
        while ((st = db_step(s)) == DB_ROW) {
            rollup stored;
            int64_t id = db_col_i64(s, 0);
            read_counters(s, 1, &stored);
            slot *e = omap_get(&want, id);
            e->stored = true;
            report(d, &names, out, id, stored.v, e->r.v, RU_N, rollup_labels, rollup_cols, diffs);
        }
        db_done(s);
        if (st == CX_ERR) rc = CX_ERR;
    }
    static const rollup none;
    for (size_t i = 0; rc == CX_OK && i < want.cap; i++)
        if (want.v[i].id && !want.v[i].stored) report(d, &names, out, want.v[i].id, none.v, want.v[i].r.v, RU_N, rollup_labels, rollup_cols, diffs);
    if (rc == CX_OK && fix && *diffs) {
        rc = db_run(d, "DELETE FROM rollup WHERE round_id = ?", "i", round_id);
        rc = rc == CX_OK ? put_rows(d, round_id, &want) : rc;
        if (rc == CX_OK) {
            char after[64];
            snprintf(after, sizeof after, "{\"differences\":%" PRId64 "}", *diffs);
            int64_t org_id = 0;
            rc = db_i64(d, &org_id, 0, "SELECT org_id FROM review_round WHERE id = ?", "i", round_id);
            if (rc == CX_OK)
                rc = audit_append(d, &actor_cli, "rollup.recount_fix", "review_round", round_id, org_id, NULL, after, "ok");
        }
    }
    free(want.v);
    org_names_free(&names);
    int64_t tdiffs = 0;
    if (rc == CX_OK) rc = tally_recount(d, fix, out, &tdiffs);
    *diffs += tdiffs;
    if (!own) return rc;
    if (rc == CX_OK && fix) rc = db_commit(d);
    else db_rollback(d);
    return rc;
}
