/* rating.c: what the public rates: kinds, targets and the rounds they are rated in. */
#include "rating.h"
#include "rating_int.h"
#include "../domain/date.h"
#include "../lib/util.h"
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static const char *const kind_names[RK_N] = {"member", "org", "pledge", "window"};
static const char *const kind_labels[RK_N] = {"党员", "党组织", "承诺", "服务窗口"};

int rating_kind_from_name(const char *s)
{
    for (int k = 0; s && k < RK_N; k++)
        if (!strcmp(s, kind_names[k])) return k;
    return -1;
}
const char *rating_kind_name(int k) { return k >= 0 && k < RK_N ? kind_names[k] : ""; }
const char *rating_kind_label(int k) { return k >= 0 && k < RK_N ? kind_labels[k] : ""; }

/* A target's name, its organisation (id, name, path), whether the public may rate it, and a
 * window row's own kind; by kind, one ? (its id). */
#define TARGET_MEMBER "SELECT m.name, o.id, o.name, o.path, m.active * o.active, '' FROM member m JOIN org o ON o.id = m.org_id WHERE m.id = ?"
#define TARGET_ORG "SELECT o.name, o.id, o.name, o.path, o.active, '' FROM org o WHERE o.id = ?"
#define TARGET_PLEDGE                                                                                                 \
    "SELECT p.title, o.id, o.name, o.path, CASE WHEN p.status IN ('in_progress','completed','missed','rated','renewed') THEN o.active ELSE 0 END, '' " \
    "FROM pledge p JOIN org o ON o.id = p.org_id WHERE p.id = ?"
/* a post or an area (issue 19) is rated as a window but says what it is */
#define TARGET_WINDOW                                                                                                 \
    "SELECT " POST_NAMED("w") ", o.id, o.name, o.path, w.active * o.active, CASE w.kind WHEN 'post' THEN '党员示范岗' WHEN 'area' THEN '党员责任区' " \
    "ELSE '' END FROM service_window w JOIN org o ON o.id = w.org_id WHERE w.id = ?"

/* The columns of a round (read_round); ROUND_SQL reads them from review_round r, org o. */
#define ROUND_COLS "r.id, r.org_id, r.name, r.questions, o.path, coalesce(cr.sms_required, 1), r.status"
#define ROUND_SQL "SELECT " ROUND_COLS " FROM review_round r JOIN org o ON o.id = r.org_id LEFT JOIN campaign_rule cr ON cr.campaign_id = r.campaign_id "
/* The open round for an organisation path: the round's org is the target's org or an ancestor
 * (its path a prefix of the target's); a round whose period holds today first (a round opened
 * ahead for the next period must not turn today's web ballots into late ones), then the newest.
 * ? ? : today twice. */
#define OPEN_ROUND_WHERE(path)                                                                                        \
    "r.status = 'open' AND substr(" path ", 1, length(o.path)) = o.path "                                             \
    "ORDER BY CASE WHEN r.period_start <= ? AND r.period_end >= ? THEN 0 ELSE 1 END, r.created_at DESC, r.id DESC LIMIT 1"
/* A target (its one ?) with its open round's columns after its own, NULL when none: one statement. */
#define WITH_OPEN_ROUND(target)                                                                                       \
    "SELECT tq.*, " ROUND_COLS " FROM (" target ") tq LEFT JOIN review_round r ON r.id = (SELECT r.id FROM review_round r JOIN org o " \
    "ON o.id = r.org_id WHERE " OPEN_ROUND_WHERE("tq.path") ") LEFT JOIN org o ON o.id = r.org_id "                     \
    "LEFT JOIN campaign_rule cr ON cr.campaign_id = r.campaign_id"

/* Reads a target row (TARGET_*) of kind and id into t; whether the public may rate it. */
static bool read_target(db_stmt *s, int kind, int64_t id, rating_target *t)
{
    t->kind = kind;
    t->id = id;
    snprintf(t->name, sizeof t->name, "%s", db_col_text(s, 0));
    t->org_id = db_col_i64(s, 1);
    snprintf(t->org_name, sizeof t->org_name, "%s", db_col_text(s, 2));
    snprintf(t->org_path, sizeof t->org_path, "%s", db_col_text(s, 3));
    const char *own = db_col_text(s, 5);
    snprintf(t->kind_label, sizeof t->kind_label, "%s", own && *own ? own : rating_kind_label(kind));
    t->post = own && *own;
    return db_col_i64(s, 4) == 1;
}

static int target_query(db *d, int kind, int64_t id, bool public_only, rating_target *t)
{
    memset(t, 0, sizeof *t); /* a caller never sees an output this call did not fill */
    static const char *const sql[RK_N] = {TARGET_MEMBER, TARGET_ORG, TARGET_PLEDGE, TARGET_WINDOW};
    if (kind < 0 || kind >= RK_N) return 0;
    db_stmt *s = db_prepare(d, sql[kind]);
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    bool ok = rc == DB_ROW && (read_target(s, kind, id, t) || !public_only);
    db_done(s);
    if (!ok) memset(t, 0, sizeof *t);
    return rc == CX_ERR ? CX_ERR : ok ? 1 : 0;
}

int rating_target_get(db *d, int kind, int64_t id, rating_target *t) { return target_query(d, kind, id, true, t); }
int rating_target_any(db *d, int kind, int64_t id, rating_target *t) { return target_query(d, kind, id, false, t); }

/* Reads a round's columns (ROUND_COLS) from column off of the current row. */
static void read_round_cols(db_stmt *s, int off, const char *kind_questions, rating_open *ro)
{
    ro->round_id = db_col_i64(s, off);
    ro->round_org_id = db_col_i64(s, off + 1);
    snprintf(ro->round_name, sizeof ro->round_name, "%s", db_col_text(s, off + 2));
    snprintf(ro->questions, sizeof ro->questions, "%s", kind_questions ? kind_questions : db_col_text(s, off + 3));
    snprintf(ro->round_org_path, sizeof ro->round_org_path, "%s", db_col_text(s, off + 4));
    ro->sms_required = db_col_i64(s, off + 5) != 0;
    ro->open = !strcmp(db_col_text(s, off + 6), "open");
}

static int read_round(db_stmt *s, const char *kind_questions, rating_open *ro)
{
    int rc = db_step(s);
    if (rc == DB_ROW) read_round_cols(s, 0, kind_questions, ro);
    db_done(s);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : CX_ERR;
}

int rating_open_for(db *d, const rating_target *t, rating_open *ro)
{
    memset(ro, 0, sizeof *ro); /* a caller never sees an output this call did not fill */
    db_stmt *s = db_prepare(d, ROUND_SQL "WHERE " OPEN_ROUND_WHERE("?"));
    if (!s) return CX_ERR;
    char today[11];
    date_today(today);
    db_bind_text(s, 1, t->org_path);
    db_bind_text(s, 2, today);
    db_bind_text(s, 3, today);
    return read_round(s, t->kind == RK_WINDOW ? "window6" : NULL, ro);
}

int rating_target_open(db *d, int kind, int64_t id, rating_target *t, rating_open *ro)
{
    memset(t, 0, sizeof *t);
    memset(ro, 0, sizeof *ro);
    static const char *const sql[RK_N] = {WITH_OPEN_ROUND(TARGET_MEMBER), WITH_OPEN_ROUND(TARGET_ORG), WITH_OPEN_ROUND(TARGET_PLEDGE),
                                          WITH_OPEN_ROUND(TARGET_WINDOW)};
    if (kind < 0 || kind >= RK_N) return 0;
    db_stmt *s = db_prepare(d, sql[kind]);
    if (!s) return CX_ERR;
    char today[11];
    date_today(today);
    db_bind_i64(s, 1, id);
    db_bind_text(s, 2, today);
    db_bind_text(s, 3, today);
    int rc = db_step(s), f = rc == CX_ERR ? CX_ERR : 0;
    if (rc == DB_ROW && read_target(s, kind, id, t)) {
        f = 1;
        if (!db_col_null(s, 6)) read_round_cols(s, 6, kind == RK_WINDOW ? "window6" : NULL, ro), f = 2;
    }
    db_done(s);
    if (f < 1) memset(t, 0, sizeof *t);
    return f;
}

/* The remembered answers of rating_target_open_recent: direct-mapped by (kind, id), each slot
 * with its own lock (a copy of ~2.6 KB under it). */
#define RECENT_SLOTS 1024
static struct recent_slot {
    pthread_mutex_t mu;
    int kind;
    int64_t id, at; /* at: mono_ms of the read, 0 for an empty slot */
    uint64_t gen;
    char day[11];
    rating_target t;
    rating_open ro;
} recent[RECENT_SLOTS];
static pthread_once_t recent_once = PTHREAD_ONCE_INIT;
static void recent_init(void)
{
    for (int i = 0; i < RECENT_SLOTS; i++) pthread_mutex_init(&recent[i].mu, NULL);
}

int rating_target_open_recent(db *d, bool fresh, int kind, int64_t id, rating_target *t, rating_open *ro)
{
    if (kind < 0 || kind >= RK_N) return rating_target_open(d, kind, id, t, ro);
    pthread_once(&recent_once, recent_init);
    db_note_external_writes(d); /* SQLite: another process's commit (PostgreSQL: the listener) */
    uint64_t gen = db_state_generation();
    bool trusted = !fresh && db_cache_trusted(d);
    char today[11];
    date_today(today);
    struct recent_slot *s = &recent[((uint64_t)id * 4 + (uint64_t)kind) % RECENT_SLOTS];
    if (trusted) {
        pthread_mutex_lock(&s->mu);
        int64_t now = mono_ms();
        bool hit = s->at && s->kind == kind && s->id == id && s->gen == gen && now - s->at < RATING_TRUST_MS && !strcmp(s->day, today);
        if (hit) *t = s->t, *ro = s->ro;
        pthread_mutex_unlock(&s->mu);
        if (hit) return 2;
    }
    int64_t at = mono_ms();
    int f = rating_target_open(d, kind, id, t, ro);
    if (f != 2 || !db_cache_trusted(d)) return f; /* a refusal is read again each time: a round just opened elsewhere is seen at once */
    pthread_mutex_lock(&s->mu);
    s->kind = kind, s->id = id, s->at = at, s->gen = gen, s->t = *t, s->ro = *ro;
    snprintf(s->day, sizeof s->day, "%s", today);
    pthread_mutex_unlock(&s->mu);
    return f;
}

int rating_round_pick(db *d, const char *org_path, int64_t round_id, rating_open *ro)
{
    memset(ro, 0, sizeof *ro); /* a caller never sees an output this call did not fill */
    char end[CX_PATH_MAX];
    orgpath_end(org_path, end, sizeof end);
    /* a named round of the path's ancestors or subtree; else the newest round of its ancestors */
    db_q q;
    db_q_init(&q, ROUND_SQL);
    if (round_id) db_q_where(&q, "r.id = ? AND (substr(?, 1, length(o.path)) = o.path OR (o.path >= ? AND o.path < ?))", "isss", round_id, org_path, org_path, end);
    else db_q_where(&q, "substr(?, 1, length(o.path)) = o.path", "s", org_path);
    db_q_add(&q, " ORDER BY r.created_at DESC, r.id DESC LIMIT 1", "");
    db_stmt *s = db_q_prepare(d, &q);
    if (!s) return CX_ERR;
    return read_round(s, NULL, ro);
}

/* Whether round_id is open, and its organisation. */
int round_state(db *d, int64_t round_id, bool *open, int64_t *org_id)
{
    db_stmt *s = db_prepare(d, "SELECT status, org_id FROM review_round WHERE id = ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, round_id);
    int rc = db_step(s);
    if (rc == DB_ROW) *open = !strcmp(db_col_text(s, 0), "open"), *org_id = db_col_i64(s, 1);
    db_done(s);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : CX_ERR;
}

/* The target of a batch or draw (members, organisations and windows; not pledges) and its round. */
int staff_target(db *d, int kind, int64_t target_id, rating_target *t, rating_open *ro, cx_err *e)
{
    if (kind != RK_MEMBER && kind != RK_ORG && kind != RK_WINDOW)
        return cx_fail(e, 400, "invalid_target_kind", "target_kind", "评议对象类别应为 member（党员）、org（党组织）或 window（服务窗口）");
    int f = rating_target_get(d, kind, target_id, t);
    if (f != 1) return f == 0 ? cx_fail(e, 404, "not_found", "target_id", "评议对象不存在或已停用") : cx_fail(e, 500, "db_error", "", "数据库错误");
    f = rating_open_for(d, t, ro);
    if (f != 1)
        return f == 0 ? cx_fail(e, 409, "rating_closed", "target_id", "“%s”目前没有进行中的群众评议", t->name) : cx_fail(e, 500, "db_error", "", "数据库错误");
    return CX_OK;
}

/* Starts q with head, then root's subtree and, when round_id is set, the round on round_col.
 * end must outlive q. */
void subtree_round(db_q *q, const char *head, const char *round_col, const org *root, int64_t round_id, char end[CX_PATH_MAX])
{
    db_q_init(q, head);
    orgpath_end(root->path, end, CX_PATH_MAX);
    db_q_where(q, "o.path >= ? AND o.path < ?", "ss", root->path, end);
    char cond[64];
    snprintf(cond, sizeof cond, "%s = ?", round_col);
    if (round_id) db_q_where(q, cond, "i", round_id);
}
