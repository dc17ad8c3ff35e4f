/* ballot_store.c: public rating: the group-commit ballot writer, service windows, targets and
 * rounds, SMS codes, ballots, paper questionnaires, phone sampling and results (see
 * ballot_store.h). */
#include "ballot_store.h"
#include "../lib/json.h"
#include "draw_store.h"
#include "rollup.h"
#include "../domain/idcard.h"
#include "../domain/review.h"
#include "../domain/date.h"
#include "../lib/code.h"
#include "../lib/crypto.h"
#include "../lib/sms.h"
#include "../lib/tabfile.h"
#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static int fail_db(db *d, cx_err *e)
{
    cx_fail(e, 500, "db_error", "", "数据库错误：%s", db_errmsg(d));
    db_rollback(d);
    return CX_ERR;
}

/* A trimmed copy of an optional text, checked for length in characters. */
static int text_in(const char *src, const char *field, const char *label, size_t maxchars, bool required, char *dst,
                   size_t cap, cx_err *e)
{
    dst[0] = 0;
    if (src && strlen(src) >= cap) return cx_fail(e, 400, "too_long", field, "%s超过 %zu 个字", label, maxchars);
    if (src) snprintf(dst, cap, "%s", src), str_trim(dst);
    if (!utf8_valid(dst, strlen(dst))) return cx_fail(e, 400, "invalid_text", field, "%s不是有效的文字", label);
    if (required && !dst[0]) return cx_fail(e, 400, "required", field, "%s不能为空", label);
    if (utf8_len(dst) > maxchars) return cx_fail(e, 400, "too_long", field, "%s超过 %zu 个字", label, maxchars);
    return CX_OK;
}

static void hexof(const unsigned char *p, size_t n, char *out)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) out[2 * i] = hx[p[i] >> 4], out[2 * i + 1] = hx[p[i] & 15];
    out[2 * n] = 0;
}

/* ---- kinds ---- */

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

/* ---- the writer ---- */

enum { BO_PENDING, BO_VALID, BO_REPEAT, BO_SPOILED, BO_LIMITED, BO_ENTRY_DONE, BO_LATE, BO_ERROR };

typedef struct ballot_job {
    int64_t round_id, round_org_id, org_id, target_id, sheet_id, entry_id, user_id;
    const char *kind, *channel, *questions, *answers, *comment, *reason, *actor_name, *org_path;
    unsigned char key[CX_HASH_BYTES], dev[CX_HASH_BYTES];
    bool has_key, has_dev, spoiled, late;
    bool anon, verified, held; /* web/QR; the rater is verified; held in a burst (set by the writer) */
    char bucket[48]; /* per-address limit, "" for none */
    char net[48];    /* the network prefix's bucket (bursts), "" for none */
    int64_t limit;
    char day[11];
    int outcome;
    int fault; /* DB_FAULT_* of a BO_ERROR, raised again in the requesting thread */
    bool done;
    struct ballot_job *next;
} ballot_job;

static struct {
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    ballot_job *head, *tail;
    bool running, stopping;
    pthread_t th;
    db *d;
    ballot_config cfg;
} W = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, .cfg = BALLOT_CONFIG_DEFAULT};

const ballot_config *ballots_config(void) { return &W.cfg; }

/* For /metrics (ballots_stats): atomics, written without W.mu where no lock is held already. */
static struct {
    uint64_t queued;  /* jobs waiting for the writer now */
    uint64_t batches, batched; /* batches written and the jobs in them */
    uint64_t batch_hist[BALLOT_BATCH_BUCKETS];
    uint64_t acked;   /* ballots answered as recorded (valid, spoiled, repeated, late) */
    uint64_t failed;  /* ballots that could not be written */
} S;

void ballots_stats(ballot_stats *o)
{
    o->queue_depth = __atomic_load_n(&S.queued, __ATOMIC_RELAXED);
    o->batches = __atomic_load_n(&S.batches, __ATOMIC_RELAXED);
    o->batched = __atomic_load_n(&S.batched, __ATOMIC_RELAXED);
    for (int i = 0; i < BALLOT_BATCH_BUCKETS; i++) o->batch_hist[i] = __atomic_load_n(&S.batch_hist[i], __ATOMIC_RELAXED);
    o->acknowledged = __atomic_load_n(&S.acked, __ATOMIC_RELAXED);
    o->failed = __atomic_load_n(&S.failed, __ATOMIC_RELAXED);
}

/* Runs an UPDATE with (text, id) or (id) parameters; *changes gets the rows changed. */
static int update_count(db *d, const char *sql, const char *text, int64_t id, int64_t *changes)
{
    db_stmt *s = db_prepare(d, sql);
    if (!s) return CX_ERR;
    int i = 1;
    if (text) db_bind_text(s, i++, text);
    db_bind_i64(s, i, id);
    int rc = db_step(s);
    *changes = rc == DB_DONE ? db_changes(s) : 0;
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* Claims live in rate_limit as bucket "d:<hex key>", window 0. */
static void claim_bucket(const unsigned char key[CX_HASH_BYTES], char out[2 + 2 * CX_HASH_BYTES + 1])
{
    out[0] = 'd', out[1] = ':';
    hexof(key, CX_HASH_BYTES, out + 2);
}

static int claimed(db *d, const unsigned char key[CX_HASH_BYTES], int64_t *n)
{
    char b[2 + 2 * CX_HASH_BYTES + 1];
    claim_bucket(key, b);
    return db_i64(d, n, 0, "SELECT count(*) FROM rate_limit WHERE bucket = ? AND window_start = 0", "s", b);
}

/* Adds one to a fixed-window counter and returns the new count in *n. */
static int counter_add(db *d, const char *bucket, int64_t window, int64_t *n)
{
    return db_i64(d, n, 0,
                  "INSERT INTO rate_limit (bucket, window_start, n) VALUES (?, ?, 1) ON CONFLICT (bucket, window_start) "
                  "DO UPDATE SET n = rate_limit.n + 1 RETURNING n",
                  "si", bucket, window);
}

/* *inserted: the new ballot's id, 0 when the unique index refused it. */
static int insert_ballot(db *d, const ballot_job *j, bool valid, const char *invalid_reason, int64_t *inserted)
{
    db_stmt *s = db_prepare(d, "INSERT INTO ballot (round_id, target_kind, target_id, org_id, channel, questions, answers, comment, reason, "
                               "valid, invalid_reason, rater_key, day, late, verified) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING RETURNING id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, j->round_id);
    db_bind_text(s, 2, j->kind);
    db_bind_i64(s, 3, j->target_id);
    db_bind_i64(s, 4, j->org_id);
    db_bind_text(s, 5, j->channel);
    db_bind_text(s, 6, j->questions);
    db_bind_text(s, 7, j->answers ? j->answers : "");
    db_bind_text(s, 8, j->comment ? j->comment : "");
    db_bind_text(s, 9, j->reason ? j->reason : "");
    db_bind_i64(s, 10, valid ? 1 : 0);
    db_bind_text(s, 11, invalid_reason);
    if (valid) db_bind_blob(s, 12, j->key, CX_HASH_BYTES);
    else db_bind_null(s, 12);
    db_bind_text(s, 13, j->day);
    db_bind_i64(s, 14, j->late ? 1 : 0);
    db_bind_i64(s, 15, j->verified ? 1 : 0);
    int rc = db_step(s);
    *inserted = rc == DB_ROW ? db_col_i64(s, 0) : 0;
    if (rc == DB_ROW) rc = db_step(s);
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* Whether the ballot falls outside its round, read inside the batch's transaction: the round
 * closed while the ballot was on its way (ballot_cast checked before), or a web / QR ballot is
 * cast on a day outside the round's period (paper sheets and phone answers are keyed in later
 * than they were given, so only the round's closing counts for them). On PostgreSQL the row is
 * share-locked, so round_close waits for the batch and nothing slips in behind it. */
static int round_late(db *d, const ballot_job *j, bool *late)
{
    db_stmt *s = db_prepare(d, db_kind_of(d) == DB_PG ? "SELECT status, period_start, period_end FROM review_round WHERE id = ? FOR SHARE"
                                                      : "SELECT status, period_start, period_end FROM review_round WHERE id = ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, j->round_id);
    int rc = db_step(s);
    bool anon = !strcmp(j->channel, "qr") || !strcmp(j->channel, "web");
    *late = rc != DB_ROW || strcmp(db_col_text(s, 0), "open") ||
            (anon && (strcmp(j->day, db_col_text(s, 1)) < 0 || strcmp(j->day, db_col_text(s, 2)) > 0));
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* The open burst of (target, reason, net, window), made when there is none. On PostgreSQL the row
 * is locked, so an office decision on it waits for this batch (and this batch for the decision:
 * a burst decided meanwhile no longer matches, and a new one opens). */
static int burst_open(db *d, const ballot_job *j, const char *reason, const char *net, int64_t ws, int64_t wlen, int64_t now, int64_t *id)
{
    char sql[400];
    snprintf(sql, sizeof sql, "SELECT id FROM ballot_burst WHERE round_id = ? AND target_kind = ? AND target_id = ? AND reason = ? AND net = ? "
                              "AND window_start = ? AND state = 'open'%s", db_kind_of(d) == DB_PG ? " FOR UPDATE" : "");
    *id = 0;
    if (db_i64(d, id, 0, sql, "isissi", j->round_id, j->kind, j->target_id, reason, net, ws) != CX_OK) return CX_ERR;
    if (*id) return CX_OK;
    return db_i64(d, id, 0, "INSERT INTO ballot_burst (round_id, target_kind, target_id, org_id, reason, net, window_start, window_len, state, "
                            "created_at) VALUES (?,?,?,?,?,?,?,?,'open',?) RETURNING id",
                  "isiissiii", j->round_id, j->kind, j->target_id, j->org_id, reason, net, ws, wlen, now);
}

/* Counts one ballot in bucket's two fixed windows of len seconds, the second offset by half a
 * window, so any run of ballots within len/2 seconds lies whole in one of them (no boundary
 * splits a burst). *ws gets the start of the window with the larger count, *n that count. */
static int window_count(db *d, const char *bucket, int64_t len, int64_t now, int64_t *ws, int64_t *n)
{
    int64_t a = now - now % len, b = now - (now + len / 2) % len, na = 0, nb = 0;
    if (counter_add(d, bucket, a, &na) != CX_OK || counter_add(d, bucket, b, &nb) != CX_OK) return CX_ERR;
    *ws = nb > na ? b : a;
    *n = nb > na ? nb : na;
    return CX_OK;
}

/* Counts a stored web/QR ballot (id) towards its target's and its network's windows; past
 * either limit the ballot is held in a burst for the office to review. */
static int burst_check(db *d, ballot_job *j, int64_t id, int64_t now)
{
    const ballot_config *c = &W.cfg;
    const char *reason = NULL, *net = "";
    int64_t n = 0, ws = 0, wlen = 0, w = 0;
    if (c->burst_target > 0 && c->burst_window > 0) {
        char b[96];
        snprintf(b, sizeof b, "t:%" PRId64 ":%s:%" PRId64, j->round_id, j->kind, j->target_id);
        if (window_count(d, b, c->burst_window, now, &w, &n) != CX_OK) return CX_ERR;
        if (n > c->burst_target) reason = "target", ws = w, wlen = c->burst_window;
    }
    if (c->burst_net > 0 && j->net[0]) {
        if (window_count(d, j->net, 3600, now, &w, &n) != CX_OK) return CX_ERR;
        if (!reason && n > c->burst_net) reason = "network", net = j->net, ws = w, wlen = 3600;
    }
    if (!reason) return CX_OK;
    int64_t bid = 0;
    if (burst_open(d, j, reason, net, ws, wlen, now, &bid) != CX_OK || !bid ||
        db_run(d, "UPDATE ballot SET hold = 'held', burst_id = ? WHERE id = ?", "ii", bid, id) != CX_OK)
        return CX_ERR;
    j->held = true;
    return CX_OK;
}

/* One ballot inside the batch's transaction; sets j->outcome. */
static int write_job(db *d, ballot_job *j, int64_t now)
{
    int64_t n = 0;
    j->held = false;
    if (j->bucket[0] && j->limit > 0) {
        if (counter_add(d, j->bucket, now - now % 3600, &n) != CX_OK) return CX_ERR;
        if (n > j->limit) {
            j->outcome = BO_LIMITED;
            return CX_OK;
        }
    }
    int64_t ins = 0;
    if (round_late(d, j, &j->late) != CX_OK) return CX_ERR;
    if (j->late) { /* kept, counted nowhere: valid = 0 and no rater key, so it claims nothing */
        if (insert_ballot(d, j, false, "", &ins) != CX_OK) return CX_ERR;
        j->outcome = BO_LATE;
        return CX_OK;
    }
    if (j->entry_id) {
        if (update_count(d, "UPDATE phone_draw_entry SET state = 'answered' WHERE id = ? AND state = 'pending'", NULL, j->entry_id, &n) != CX_OK)
            return CX_ERR;
        if (n == 0) {
            j->outcome = BO_ENTRY_DONE;
            return CX_OK;
        }
    }
    bool repeat = false;
    if (j->sheet_id) {
        if (update_count(d, "UPDATE paper_sheet SET state = ? WHERE state = 'issued' AND id = ?", j->spoiled ? "spoiled" : "valid", j->sheet_id,
                         &n) != CX_OK)
            return CX_ERR;
        repeat = n == 0;
    }
    if (!repeat && j->spoiled) {
        if (insert_ballot(d, j, false, "spoiled", &ins) != CX_OK) return CX_ERR;
        j->outcome = BO_SPOILED;
        return CX_OK;
    }
    if (!repeat) {
        if (claimed(d, j->key, &n) != CX_OK) return CX_ERR;
        repeat = n > 0;
    }
    if (!repeat && j->has_dev) { /* the device of a phone ballot: used before, alone or with a phone? */
        if (claimed(d, j->dev, &n) != CX_OK) return CX_ERR;
        repeat = n > 0;
        if (!repeat && db_i64(d, &n, 0, "SELECT count(*) FROM ballot WHERE round_id = ? AND target_kind = ? AND target_id = ? AND rater_key = ? AND valid = 1",
                              "isib", j->round_id, j->kind, j->target_id, j->dev, (size_t)CX_HASH_BYTES) != CX_OK)
            return CX_ERR;
        repeat = repeat || n > 0;
    }
    if (!repeat) {
        if (insert_ballot(d, j, true, "", &ins) != CX_OK) return CX_ERR;
        repeat = !ins; /* the unique index said: this rater has counted already */
    }
    if (!repeat && j->anon && burst_check(d, j, ins, now) != CX_OK) return CX_ERR;
    if (!repeat && j->has_dev) {
        char b[2 + 2 * CX_HASH_BYTES + 1];
        claim_bucket(j->dev, b);
        if (db_run(d, "INSERT INTO rate_limit (bucket, window_start, n) VALUES (?, 0, 1) ON CONFLICT DO NOTHING", "s", b) != CX_OK) return CX_ERR;
    }
    if (repeat && insert_ballot(d, j, false, "repeat", &ins) != CX_OK) return CX_ERR;
    j->outcome = repeat ? BO_REPEAT : BO_VALID;
    return CX_OK;
}

/* Roll-up deltas and audit counts of a batch, summed per (round, org) and (round, channel, actor). */
typedef struct delta_slot {
    int64_t round_id, org_id;
    const char *path;
    rollup r;
} delta_slot;
typedef struct audit_slot {
    int64_t round_id, round_org_id, user_id, valid, invalid, unverified, held;
    const char *channel, *actor_name;
} audit_slot;

static int64_t g_last_sweep; /* guarded by the batch's write transaction (one writer at a time) */

/* Writes jobs[0..n) in one transaction. CX_ERR leaves every job's outcome to the caller. */
static int write_batch(db *d, ballot_job **jobs, size_t n)
{
    int64_t now = now_unix();
    delta_slot *ds = xcalloc(n, sizeof *ds);
    audit_slot *as = xcalloc(n, sizeof *as);
    size_t nds = 0, nas = 0;
    int rc = db_begin(d, true);
    for (size_t i = 0; rc == CX_OK && i < n; i++) {
        ballot_job *j = jobs[i];
        rc = write_job(d, j, now);
        if (rc != CX_OK || j->outcome == BO_LIMITED || j->outcome == BO_ENTRY_DONE) continue;
        bool valid = j->outcome == BO_VALID;
        size_t k = 0;
        while (k < nds && !(ds[k].round_id == j->round_id && ds[k].org_id == j->org_id)) k++;
        if (k == nds) ds[nds++] = (delta_slot){.round_id = j->round_id, .org_id = j->org_id, .path = j->org_path};
        int cls = ballot_class(valid, j->verified, j->held ? "held" : "");
        if (j->outcome != BO_LATE) rollup_of_ballot(&ds[k].r, cls, j->channel, j->answers, 1); /* a late ballot counts nowhere */
        k = 0;
        while (k < nas && !(as[k].round_id == j->round_id && as[k].user_id == j->user_id && !strcmp(as[k].channel, j->channel))) k++;
        if (k == nas) as[nas++] = (audit_slot){j->round_id, j->round_org_id, j->user_id, 0, 0, 0, 0, j->channel, j->actor_name};
        if (cls == BC_COUNTED) as[k].valid++;
        else if (cls == BC_UNVERIFIED) as[k].unverified++;
        else if (cls == BC_HELD) as[k].held++;
        else as[k].invalid++;
    }
    for (size_t k = 0; rc == CX_OK && k < nds; k++) rc = rollup_add(d, ds[k].round_id, ds[k].path, &ds[k].r);
    for (size_t k = 0; rc == CX_OK && k < nas; k++) {
        /* counts only: no ballot id, no target, no time finer than the batch */
        char after[192];
        snprintf(after, sizeof after,
                 "{\"channel\":\"%s\",\"valid\":%" PRId64 ",\"invalid\":%" PRId64 ",\"unverified\":%" PRId64 ",\"held\":%" PRId64 "}",
                 as[k].channel, as[k].valid, as[k].invalid, as[k].unverified, as[k].held);
        actor a = {as[k].user_id, as[k].actor_name, NULL, NULL};
        rc = audit_append(d, &a, "ballots", "review_round", as[k].round_id, as[k].round_org_id, NULL, after, "ok");
    }
    if (rc == CX_OK && now - g_last_sweep > 600) { /* old limit windows go; claims (window 0) stay */
        g_last_sweep = now;
        rc = db_run(d, "DELETE FROM rate_limit WHERE window_start > 0 AND window_start < ?", "i", now - 7200);
    }
    if (rc == CX_OK) rc = db_commit(d);
    else db_rollback(d);
    free(ds);
    free(as);
    return rc;
}

/* Writes the jobs; when the batch fails, each job is retried alone, so one bad job (or a
 * transient failure) does not sink the others. */
static void write_all(db *d, ballot_job **jobs, size_t n)
{
    int ok = write_batch(d, jobs, n), f = db_fault_take();
    if (ok == CX_OK) return;
    /* a database that is away, locked or full fails each job alone the same way: not retried */
    for (size_t i = 0; i < n; i++) {
        jobs[i]->outcome = BO_PENDING;
        jobs[i]->fault = f;
        if (n == 1 || f != DB_FAULT_NONE || write_batch(d, &jobs[i], 1) != CX_OK) jobs[i]->outcome = BO_ERROR;
        if (jobs[i]->outcome == BO_ERROR && !jobs[i]->fault) jobs[i]->fault = db_fault_take();
        else db_fault_take();
    }
}

static void *writer_main(void *arg)
{
    (void)arg;
    size_t cap = 64;
    ballot_job **v = xmalloc(cap * sizeof *v);
    pthread_mutex_lock(&W.mu);
    for (;;) {
        while (!W.head && !W.stopping) pthread_cond_wait(&W.work, &W.mu);
        if (!W.head) break; /* stopping, and nothing is left */
        ballot_job *list = W.head;
        W.head = W.tail = NULL;
        __atomic_store_n(&S.queued, 0, __ATOMIC_RELAXED);
        pthread_mutex_unlock(&W.mu);
        size_t n = 0;
        for (ballot_job *j = list; j; j = j->next) {
            if (n == cap) cap *= 2, v = xrealloc(v, cap * sizeof *v);
            v[n++] = j;
        }
        int b = 0; /* bucket: batch size ≤ 1, 2, 4, … 2^(BUCKETS-2), more */
        while (b < BALLOT_BATCH_BUCKETS - 1 && n > ((size_t)1 << b)) b++;
        __atomic_add_fetch(&S.batch_hist[b], 1, __ATOMIC_RELAXED);
        __atomic_add_fetch(&S.batches, 1, __ATOMIC_RELAXED);
        __atomic_add_fetch(&S.batched, n, __ATOMIC_RELAXED);
        write_all(W.d, v, n);
        pthread_mutex_lock(&W.mu);
        for (size_t i = 0; i < n; i++) v[i]->done = true;
        pthread_cond_broadcast(&W.done);
    }
    pthread_mutex_unlock(&W.mu);
    free(v);
    return NULL;
}

int ballots_start(const char *url, const ballot_config *cfg, cx_err *e)
{
    if (cfg) W.cfg = *cfg;
    if (W.running) return CX_OK;
    W.d = db_open(url, e);
    if (!W.d) return CX_ERR;
    /* a ballot is acknowledged only when its commit is on disk */
    if (db_kind_of(W.d) == DB_SQLITE && db_exec(W.d, "PRAGMA synchronous=FULL") != CX_OK) {
        cx_fail(e, 500, "db_error", "db", "无法设置数据库同步模式：%s", db_errmsg(W.d));
        db_close(W.d);
        W.d = NULL;
        return CX_ERR;
    }
    W.stopping = false;
    if (pthread_create(&W.th, NULL, writer_main, NULL) != 0) {
        db_close(W.d);
        W.d = NULL;
        return cx_fail(e, 500, "thread", "", "无法启动评议写入线程");
    }
    W.running = true;
    return CX_OK;
}

void ballots_stop(void)
{
    if (!W.running) return;
    pthread_mutex_lock(&W.mu);
    W.stopping = true;
    pthread_cond_signal(&W.work);
    pthread_mutex_unlock(&W.mu);
    pthread_join(W.th, NULL);
    db_close(W.d);
    W.d = NULL;
    W.running = false;
}

/* Hands the job to the writer and waits for its commit; without a writer, writes it on d. */
static void submit(db *d, ballot_job *j)
{
    j->outcome = BO_PENDING;
    j->fault = DB_FAULT_NONE;
    j->done = false;
    j->next = NULL;
    pthread_mutex_lock(&W.mu);
    if (!W.running) {
        pthread_mutex_unlock(&W.mu);
        write_all(d, &j, 1);
        db_fault_raise(j->fault);
        return;
    }
    if (W.tail) W.tail->next = j;
    else W.head = j;
    W.tail = j;
    __atomic_add_fetch(&S.queued, 1, __ATOMIC_RELAXED);
    pthread_cond_signal(&W.work);
    while (!j->done) pthread_cond_wait(&W.done, &W.mu);
    pthread_mutex_unlock(&W.mu);
    db_fault_raise(j->fault);
}

/* ---- service windows ---- */

#define WINDOW_COLS "w.id, w.org_id, w.created_at, w.active, w.name, w.location, o.name, o.path"
#define WINDOW_FROM " FROM service_window w JOIN org o ON o.id = w.org_id"

static void read_window(db_stmt *s, void *out)
{
    service_window *w = out;
    w->id = db_col_i64(s, 0);
    w->org_id = db_col_i64(s, 1);
    w->created_at = db_col_i64(s, 2);
    w->active = (int)db_col_i64(s, 3);
    snprintf(w->name, sizeof w->name, "%s", db_col_text(s, 4));
    snprintf(w->location, sizeof w->location, "%s", db_col_text(s, 5));
    snprintf(w->org_name, sizeof w->org_name, "%s", db_col_text(s, 6));
    snprintf(w->org_path, sizeof w->org_path, "%s", db_col_text(s, 7));
}

/* The one row of sql (parameter: id) read into out: 1, 0 (none), CX_ERR. */
typedef void (*row_reader)(db_stmt *s, void *out);
static int row_by_id(db *d, const char *sql, int64_t id, row_reader read, void *out, size_t size)
{
    memset(out, 0, size); /* a caller never sees an output this call did not fill */
    db_stmt *s = db_prepare(d, sql);
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW) read(s, out);
    db_done(s);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : CX_ERR;
}

int window_get(db *d, int64_t id, service_window *w) { return row_by_id(d, "SELECT " WINDOW_COLS WINDOW_FROM " WHERE w.id = ?", id, read_window, w, sizeof *w); }

static char *window_json(const char *name, const char *location, int active)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "name", name);
    cJSON_AddStringToObject(j, "location", location);
    cJSON_AddBoolToObject(j, "active", active);
    char *s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return s;
}

static int window_texts(const char *name, const char *location, char n[256], char l[256], cx_err *e)
{
    if (text_in(name, "name", "窗口名称", 40, true, n, 256, e) != CX_OK) return CX_ERR;
    return text_in(location, "location", "窗口位置", 60, false, l, 256, e);
}

int window_create(db *d, const actor *a, int64_t org_id, const char *name, const char *location, int64_t *id, cx_err *e)
{
    char n[256], l[256];
    if (window_texts(name, location, n, l, e) != CX_OK) return CX_ERR;
    if (db_begin(d, true) != CX_OK) return fail_db(d, e);
    org o;
    if (org_get(d, org_id, &o) != 1 || !o.active) {
        db_rollback(d);
        return cx_fail(e, 404, "not_found", "org_id", "党组织不存在或已停用");
    }
    int64_t nid = 0;
    int rc = db_i64(d, &nid, 0, "INSERT INTO service_window (org_id, name, location, active, created_at) VALUES (?,?,?,1,?) RETURNING id",
                    "issi", org_id, n, l, now_unix());
    if (rc == CX_OK && nid <= 0) rc = CX_ERR;
    if (store_finish(d, a, "create", "service_window", nid, org_id, NULL, window_json(n, l, 1), rc, e) != CX_OK) return CX_ERR;
    if (id) *id = nid;
    return CX_OK;
}

/* Loads the window inside a write transaction, or fails with 404. */
static int begin_window(db *d, int64_t id, service_window *w, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return fail_db(d, e);
    int f = window_get(d, id, w);
    if (f != 1) {
        db_rollback(d);
        return f == 0 ? cx_fail(e, 404, "not_found", "id", "服务窗口不存在") : fail_db(d, e);
    }
    return CX_OK;
}

int window_update(db *d, const actor *a, int64_t id, const char *name, const char *location, cx_err *e)
{
    char n[256], l[256];
    service_window w;
    if (window_texts(name, location, n, l, e) != CX_OK || begin_window(d, id, &w, e) != CX_OK) return CX_ERR;
    int rc = db_run(d, "UPDATE service_window SET name = ?, location = ? WHERE id = ?", "ssi", n, l, id);
    return store_finish(d, a, "edit", "service_window", id, w.org_id, window_json(w.name, w.location, w.active), window_json(n, l, w.active),
                        rc, e);
}

int window_set_active(db *d, const actor *a, int64_t id, int active, cx_err *e)
{
    service_window w;
    if (begin_window(d, id, &w, e) != CX_OK) return CX_ERR;
    int rc = db_run(d, "UPDATE service_window SET active = ? WHERE id = ?", "ii", (int64_t)(active ? 1 : 0), id);
    return store_finish(d, a, active ? "activate" : "deactivate", "service_window", id, w.org_id,
                        window_json(w.name, w.location, w.active), window_json(w.name, w.location, active), rc, e);
}

int window_list(db *d, const org *o, bool subtree, bool all, window_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT " WINDOW_COLS WINDOW_FROM " WHERE ((? = 0 AND w.org_id = ?) OR (? = 1 AND o.path >= ? AND o.path < ?)) "
                               "AND (? = 1 OR w.active = 1) ORDER BY o.path, w.name, w.id");
    if (!s) return CX_ERR;
    char end[CX_PATH_MAX];
    orgpath_end(o->path, end, sizeof end);
    db_bind_i64(s, 1, subtree ? 1 : 0);
    db_bind_i64(s, 2, o->id);
    db_bind_i64(s, 3, subtree ? 1 : 0);
    db_bind_text(s, 4, o->path);
    db_bind_text(s, 5, end);
    db_bind_i64(s, 6, all ? 1 : 0);
    service_window w;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        read_window(s, &w);
        if (fn(ctx, &w)) break;
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* ---- targets and rounds ---- */

static int target_query(db *d, int kind, int64_t id, bool public_only, rating_target *t)
{
    memset(t, 0, sizeof *t); /* a caller never sees an output this call did not fill */
    static const char *const sql[RK_N] = {
        "SELECT m.name, o.id, o.name, o.path, m.active * o.active FROM member m JOIN org o ON o.id = m.org_id WHERE m.id = ?",
        "SELECT o.name, o.id, o.name, o.path, o.active FROM org o WHERE o.id = ?",
        "SELECT p.title, o.id, o.name, o.path, CASE WHEN p.status IN ('in_progress','completed','missed','rated','renewed') THEN o.active ELSE 0 END "
        "FROM pledge p JOIN org o ON o.id = p.org_id WHERE p.id = ?",
        "SELECT w.name, o.id, o.name, o.path, w.active * o.active FROM service_window w JOIN org o ON o.id = w.org_id WHERE w.id = ?",
    };
    if (kind < 0 || kind >= RK_N) return 0;
    db_stmt *s = db_prepare(d, sql[kind]);
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    bool ok = rc == DB_ROW && (!public_only || db_col_i64(s, 4) == 1);
    if (ok) {
        t->kind = kind;
        t->id = id;
        snprintf(t->name, sizeof t->name, "%s", db_col_text(s, 0));
        t->org_id = db_col_i64(s, 1);
        snprintf(t->org_name, sizeof t->org_name, "%s", db_col_text(s, 2));
        snprintf(t->org_path, sizeof t->org_path, "%s", db_col_text(s, 3));
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : ok ? 1 : 0;
}

int rating_target_get(db *d, int kind, int64_t id, rating_target *t) { return target_query(d, kind, id, true, t); }
int rating_target_any(db *d, int kind, int64_t id, rating_target *t) { return target_query(d, kind, id, false, t); }

static int read_round(db_stmt *s, const char *kind_questions, rating_open *ro)
{
    int rc = db_step(s);
    if (rc == DB_ROW) {
        ro->round_id = db_col_i64(s, 0);
        ro->round_org_id = db_col_i64(s, 1);
        snprintf(ro->round_name, sizeof ro->round_name, "%s", db_col_text(s, 2));
        snprintf(ro->questions, sizeof ro->questions, "%s", kind_questions ? kind_questions : db_col_text(s, 3));
        snprintf(ro->round_org_path, sizeof ro->round_org_path, "%s", db_col_text(s, 4));
        ro->sms_required = db_col_i64(s, 5) != 0;
        ro->open = !strcmp(db_col_text(s, 6), "open");
    }
    db_done(s);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : CX_ERR;
}

#define ROUND_SQL                                                                                                    \
    "SELECT r.id, r.org_id, r.name, r.questions, o.path, coalesce(cr.sms_required, 1), r.status FROM review_round r "  \
    "JOIN org o ON o.id = r.org_id LEFT JOIN campaign_rule cr ON cr.campaign_id = r.campaign_id "

int rating_open_for(db *d, const rating_target *t, rating_open *ro)
{
    memset(ro, 0, sizeof *ro); /* a caller never sees an output this call did not fill */
    /* the round's org is the target's org or an ancestor: its path is a prefix of the target's;
     * a round whose period holds today first (a round opened ahead for the next period must not
     * turn today's web ballots into late ones), then the newest */
    db_stmt *s = db_prepare(d, ROUND_SQL "WHERE r.status = 'open' AND substr(?, 1, length(o.path)) = o.path "
                                         "ORDER BY CASE WHEN r.period_start <= ? AND r.period_end >= ? THEN 0 ELSE 1 END, "
                                         "r.created_at DESC, r.id DESC LIMIT 1");
    if (!s) return CX_ERR;
    char today[11];
    date_today(today);
    db_bind_text(s, 1, t->org_path);
    db_bind_text(s, 2, today);
    db_bind_text(s, 3, today);
    return read_round(s, t->kind == RK_WINDOW ? "window6" : NULL, ro);
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
static int round_state(db *d, int64_t round_id, bool *open, int64_t *org_id)
{
    db_stmt *s = db_prepare(d, "SELECT status, org_id FROM review_round WHERE id = ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, round_id);
    int rc = db_step(s);
    if (rc == DB_ROW) *open = !strcmp(db_col_text(s, 0), "open"), *org_id = db_col_i64(s, 1);
    db_done(s);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : CX_ERR;
}

/* ---- SMS codes ---- */

int rating_phone(const char *in, char out[32], cx_err *e)
{
    char p[32];
    if (!in || !*in) return cx_fail(e, 400, "required", "phone", "手机号不能为空");
    if (phone_validate(in, p, NULL) != CX_OK || strlen(p) != 11 || p[0] != '1')
        return cx_fail(e, 400, "invalid_phone", "phone", "手机号格式不正确：应为 11 位手机号码（1 开头）");
    memcpy(out, p, 12);
    return CX_OK;
}

static void phone_hash(const char *phone, unsigned char out[CX_HASH_BYTES])
{
    char *s = xasprintf("sms-phone\x1f%s", phone);
    crypto_keyed_hash(s, out);
    free(s);
}

static void code_hash(const char *phone, const char *code, unsigned char out[CX_HASH_BYTES])
{
    char *s = xasprintf("sms-code\x1f%s\x1f%s", phone, code);
    crypto_keyed_hash(s, out);
    free(s);
}

/* The per-address bucket of a kind ("b" ballots, "s" SMS): a keyed hash, never the address. */
static void addr_bucket(char kind, const char *addr, char out[48])
{
    unsigned char h[CX_HASH_BYTES];
    char *s = xasprintf("addr\x1f%s", addr ? addr : "");
    crypto_keyed_hash(s, h);
    free(s);
    out[0] = kind, out[1] = ':';
    hexof(h, 16, out + 2);
}

int sms_code_request(db *d, const char *phone_in, const char *addr, cx_err *e)
{
    char phone[32];
    if (rating_phone(phone_in, phone, e) != CX_OK) return CX_ERR;
    if (!strcmp(sms_gateway_name(), "none")) return sms_send(phone, "", e); /* says: not available */
    unsigned char ph[CX_HASH_BYTES];
    phone_hash(phone, ph);
    int64_t now = now_unix(), recent = 0, last = 0, n = 0;
    if (db_begin(d, true) != CX_OK) return fail_db(d, e);
    if (db_i64(d, &recent, 0, "SELECT count(*) FROM sms_code WHERE phone_hash = ? AND created_at > ?", "bi", ph, sizeof ph, now - 3600) != CX_OK ||
        db_i64(d, &last, 0, "SELECT max(created_at) FROM sms_code WHERE phone_hash = ?", "b", ph, sizeof ph) != CX_OK)
        return fail_db(d, e);
    if (last > now - 60) {
        db_rollback(d);
        return cx_fail(e, 429, "rate_limited", "phone", "验证码已发送，请 %" PRId64 " 秒后再重新获取", 60 - (now - last));
    }
    if (recent >= 5) {
        db_rollback(d);
        return cx_fail(e, 429, "rate_limited", "phone", "该手机号一小时内获取验证码次数过多，请稍后再试");
    }
    if (W.cfg.sms_limit > 0) {
        char b[48];
        addr_bucket('s', addr, b);
        if (counter_add(d, b, now - now % 3600, &n) != CX_OK) return fail_db(d, e);
        if (n > W.cfg.sms_limit) {
            db_commit(d); /* the attempt counts */
            return cx_fail(e, 429, "rate_limited", "phone", "此网络一小时内获取验证码次数过多，请稍后再试");
        }
    }
    char code[8];
    snprintf(code, sizeof code, "%06u", (unsigned)randombytes_uniform(1000000));
    unsigned char ch[CX_HASH_BYTES];
    code_hash(phone, code, ch);
    if (db_run(d, "INSERT INTO sms_code (phone_hash, code_hash, attempts, used, created_at, expires_at) VALUES (?,?,0,0,?,?)", "bbii", ph,
               sizeof ph, ch, sizeof ch, now, now + SMS_CODE_TTL) != CX_OK ||
        db_run(d, "DELETE FROM sms_code WHERE expires_at < ?", "i", now - 86400) != CX_OK || db_commit(d) != CX_OK)
        return fail_db(d, e);
    char text[160];
    snprintf(text, sizeof text, "【创先争优】您的群众评议验证码是 %s，%d 分钟内有效。如非本人操作请忽略。", code, SMS_CODE_TTL / 60);
    return sms_send(phone, text, e);
}

int sms_code_verify(db *d, const char *phone, const char *code, cx_err *e)
{
    char c[8];
    size_t n = code ? strlen(code) : 0;
    if (n == 0) return cx_fail(e, 400, "required", "code", "请填写短信验证码（选择“不满意”需要验证手机号）");
    if (n != 6 || strspn(code, "0123456789") != 6) return cx_fail(e, 400, "wrong_code", "code", "短信验证码应为 6 位数字");
    memcpy(c, code, 7);
    unsigned char ph[CX_HASH_BYTES], want[CX_HASH_BYTES];
    phone_hash(phone, ph);
    code_hash(phone, c, want);
    int64_t now = now_unix();
    if (db_begin(d, true) != CX_OK) return fail_db(d, e);
    db_stmt *s = db_prepare(d, "SELECT id, code_hash, attempts FROM sms_code WHERE phone_hash = ? AND used = 0 AND expires_at >= ? "
                               "ORDER BY created_at DESC, id DESC LIMIT 1");
    if (!s) return fail_db(d, e);
    db_bind_blob(s, 1, ph, sizeof ph);
    db_bind_i64(s, 2, now);
    int rc = db_step(s);
    int64_t id = 0, attempts = 0;
    bool match = false;
    if (rc == DB_ROW) {
        size_t hn = 0;
        const void *h = db_col_blob(s, 1, &hn);
        id = db_col_i64(s, 0);
        attempts = db_col_i64(s, 2);
        match = hn == sizeof want && sodium_memcmp(h, want, sizeof want) == 0;
    }
    db_done(s);
    if (rc == CX_ERR) return fail_db(d, e);
    if (rc != DB_ROW) {
        db_rollback(d);
        return cx_fail(e, 400, "code_expired", "code", "验证码已过期或尚未获取，请重新获取");
    }
    if (attempts >= SMS_CODE_ATTEMPTS) {
        db_rollback(d);
        return cx_fail(e, 429, "too_many_attempts", "code", "验证码输错次数过多，请重新获取");
    }
    if (db_run(d, match ? "UPDATE sms_code SET used = 1 WHERE id = ?" : "UPDATE sms_code SET attempts = attempts + 1 WHERE id = ?", "i", id) != CX_OK ||
        db_commit(d) != CX_OK)
        return fail_db(d, e);
    return match ? CX_OK : cx_fail(e, 400, "wrong_code", "code", "短信验证码不正确，请核对后重新输入");
}

/* ---- ballots ---- */

/* answers_check's refusal under this API's code. */
static int answers_fail(cx_err *e)
{
    char msg[sizeof e->msg];
    snprintf(msg, sizeof msg, "%s", e->msg);
    return cx_fail(e, 400, "invalid_answers", "answers", "%s", msg);
}

static void rater_key(int64_t round_id, const char *kind, int64_t id, const char *ident, unsigned char out[CX_HASH_BYTES])
{
    char *s = xasprintf("ballot\x1f%" PRId64 "\x1f%s\x1f%" PRId64 "\x1f%s", round_id, kind, id, ident);
    crypto_keyed_hash(s, out);
    free(s);
}

/* ---- device tokens: "<32 hex random id>.<32 hex keyed hash over the id>" ---- */

static void device_mac(const char *id, char out[33])
{
    unsigned char h[CX_HASH_BYTES];
    char *s = xasprintf("device-token\x1f%.32s", id);
    crypto_keyed_hash(s, h);
    free(s);
    hexof(h, 16, out);
}

void device_issue(char out[DEVICE_TOKEN_LEN + 1])
{
    crypto_random_hex(out, 16);
    out[32] = '.';
    device_mac(out, out + 33);
}

bool device_valid(const char *s)
{
    if (!s || strlen(s) != DEVICE_TOKEN_LEN || s[32] != '.' || strspn(s, "0123456789abcdef") != 32 || strspn(s + 33, "0123456789abcdef") != 32)
        return false;
    char mac[33];
    device_mac(s, mac);
    return sodium_memcmp(mac, s + 33, 32) == 0;
}

/* The network prefix of a client address (IPv4 /24, IPv6 /48) as a keyed-hash bucket "n:…";
 * "" when addr is not an address. */
static void net_bucket(const char *addr, char out[48])
{
    unsigned char a[16];
    char pre[40];
    out[0] = 0;
    if (!addr) return;
    if (inet_pton(AF_INET, addr, a) == 1) snprintf(pre, sizeof pre, "4:%u.%u.%u", a[0], a[1], a[2]);
    else if (inet_pton(AF_INET6, addr, a) == 1) {
        static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (!memcmp(a, mapped, 12)) snprintf(pre, sizeof pre, "4:%u.%u.%u", a[12], a[13], a[14]);
        else hexof(a, 6, pre + 2), pre[0] = '6', pre[1] = ':';
    } else return;
    unsigned char h[CX_HASH_BYTES];
    char *s = xasprintf("net\x1f%s", pre);
    crypto_keyed_hash(s, h);
    free(s);
    out[0] = 'n', out[1] = ':';
    hexof(h, 16, out + 2);
}

/* The rater, target and round of a paper sheet: the sheet must be of this batch. */
static int paper_job(db *d, const ballot_in *in, ballot_job *j, rating_target *t, char code[16], cx_err *e)
{
    if (code_parse(in->sheet_code, PAPER_CODE_DATA, code, 16, "code", "问卷编号", e) != CX_OK) return CX_ERR;
    paper_batch b;
    int f = paper_batch_get(d, in->batch_id, &b);
    if (f != 1) return f == 0 ? cx_fail(e, 404, "not_found", "id", "问卷批次不存在") : cx_fail(e, 500, "db_error", "", "数据库错误");
    int64_t sheet = 0;
    if (db_i64(d, &sheet, 0, "SELECT id FROM paper_sheet WHERE code = ? AND batch_id = ?", "si", code, in->batch_id) != CX_OK)
        return cx_fail(e, 500, "db_error", "", "数据库错误");
    if (!sheet) return cx_fail(e, 404, "unknown_code", "code", "问卷编号 %s 不属于这一批问卷，请核对", code);
    j->sheet_id = sheet;
    j->round_id = b.round_id;
    t->kind = b.kind;
    t->id = b.target_id;
    t->org_id = b.org_id;
    snprintf(t->org_path, sizeof t->org_path, "%s", b.org_path);
    snprintf(t->name, sizeof t->name, "%s", b.target_name);
    snprintf((char *)j->questions, 16, "%s", b.questions);
    return CX_OK;
}

/* The entry of a phone draw, decrypted: the rater is the phone called. */
static int phone_job(db *d, const ballot_in *in, ballot_job *j, rating_target *t, char phone[32], cx_err *e)
{
    phone_draw p;
    int f = phone_draw_get(d, in->draw_id, &p);
    if (f != 1) return f == 0 ? cx_fail(e, 404, "not_found", "id", "抽访记录不存在") : cx_fail(e, 500, "db_error", "", "数据库错误");
    db_stmt *s = db_prepare(d, "SELECT id, phone_enc, state FROM phone_draw_entry WHERE draw_id = ? AND seq = ?");
    if (!s) return cx_fail(e, 500, "db_error", "", "数据库错误");
    db_bind_i64(s, 1, in->draw_id);
    db_bind_i64(s, 2, in->seq);
    int rc = db_step(s);
    char *plain = NULL;
    bool pending = false;
    if (rc == DB_ROW) {
        size_t n;
        const void *enc = db_col_blob(s, 1, &n);
        plain = crypto_unseal(enc, n);
        j->entry_id = db_col_i64(s, 0);
        pending = !strcmp(db_col_text(s, 2), "pending");
    }
    db_done(s);
    if (rc != DB_ROW) return cx_fail(e, 404, "not_found", "seq", "抽访名单中没有第 %" PRId64 " 位", in->seq);
    if (!plain) return cx_fail(e, 500, "decrypt_failed", "", "无法解密电话号码（密钥不符？）");
    snprintf(phone, 32, "%s", plain);
    sodium_memzero(plain, strlen(plain));
    free(plain);
    if (!pending) return cx_fail(e, 409, "entry_done", "seq", "第 %" PRId64 " 位已经记录过结果", in->seq);
    j->round_id = p.round_id;
    t->kind = p.kind;
    t->id = p.target_id;
    t->org_id = p.org_id;
    snprintf(t->org_path, sizeof t->org_path, "%s", p.org_path);
    snprintf(t->name, sizeof t->name, "%s", p.target_name);
    snprintf((char *)j->questions, 16, "%s", p.questions);
    return CX_OK;
}

int ballot_cast(db *d, const actor *a, const ballot_in *in, ballot_out *out, cx_err *e)
{
    ballot_job j = {0};
    rating_target t = {0};
    char questions[16] = "", comment[2048], reason[2048], answers[8] = "", ident[160], phone[32] = "", code[16];
    j.questions = questions;
    const char *ch = in->channel ? in->channel : "";
    bool anon = !strcmp(ch, "qr") || !strcmp(ch, "web"), need_sms = false;
    if (anon) {
        if (rating_target_get(d, in->kind, in->target_id, &t) != 1)
            return cx_fail(e, 404, "not_found", "target_id", "要评价的对象不存在或未公开");
        rating_open ro;
        int f = rating_open_for(d, &t, &ro);
        if (f == CX_ERR) return cx_fail(e, 500, "db_error", "", "数据库错误");
        if (f == 0) return cx_fail(e, 409, "rating_closed", "target_id", "“%s”目前没有进行中的群众评议", t.name);
        j.round_id = ro.round_id;
        snprintf(questions, sizeof questions, "%s", ro.questions);
        if (!in->device || !*in->device)
            return cx_fail(e, 400, "invalid_device", "device", "缺少设备标记：请允许浏览器保存 Cookie 后刷新页面再评价");
        if (!device_valid(in->device))
            return cx_fail(e, 400, "invalid_device", "device", "设备标记不是本站签发的：请刷新评价页面（或重新获取评价表）后再评价");
        bool unsat = answers_unsatisfied(in->answers);
        if (answers_check(in->answers, questions_of(questions, NULL), "answers", e) != CX_OK)
            return answers_fail(e);
        if (text_in(in->reason, "reason", "不满意的理由", 500, unsat, reason, sizeof reason, e) != CX_OK) return CX_ERR;
        need_sms = unsat && ro.sms_required;
        if (need_sms) {
            if (rating_phone(in->phone, phone, e) != CX_OK) return CX_ERR;
        } else if (in->phone && *in->phone && rating_phone(in->phone, phone, e) != CX_OK) return CX_ERR;
    } else if (!strcmp(ch, "paper")) {
        if (paper_job(d, in, &j, &t, code, e) != CX_OK) return CX_ERR;
        if (!in->spoiled && answers_check(in->answers, questions_of(questions, NULL), "answers", e) != CX_OK)
            return answers_fail(e);
        if (text_in(in->reason, "reason", "不满意的理由", 500, false, reason, sizeof reason, e) != CX_OK) return CX_ERR;
    } else if (!strcmp(ch, "phone")) {
        if (phone_job(d, in, &j, &t, phone, e) != CX_OK) return CX_ERR;
        if (answers_check(in->answers, questions_of(questions, NULL), "answers", e) != CX_OK)
            return answers_fail(e);
        if (text_in(in->reason, "reason", "不满意的理由", 500, false, reason, sizeof reason, e) != CX_OK) return CX_ERR;
    } else return cx_fail(e, 400, "invalid_channel", "channel", "评议渠道应为 qr、web、paper 或 phone");
    if (text_in(in->comment, "comment", "意见建议", 500, false, comment, sizeof comment, e) != CX_OK) return CX_ERR;
    bool open = false;
    int64_t round_org = 0;
    if (round_state(d, j.round_id, &open, &round_org) != 1 || !open)
        return cx_fail(e, 409, "rating_closed", "round_id", "这一轮评议已经结束，不能再录入");
    if (!in->spoiled) snprintf(answers, sizeof answers, "%s", in->answers);
    /* the rater: a verified phone first (checked last, so a bad ballot does not use the code up) */
    if (anon && phone[0] && (need_sms || (in->code && *in->code))) {
        if (sms_code_verify(d, phone, in->code, e) != CX_OK) return CX_ERR;
    } else if (anon && !(phone[0] && in->phone_verified)) phone[0] = 0; /* a phone not verified identifies nobody */
    /* a paper sheet's code and a phone draw verify their rater; on the web only a verified phone */
    j.anon = anon;
    j.verified = !anon || phone[0];
    const char *kind = rating_kind_name(t.kind);
    if (phone[0]) snprintf(ident, sizeof ident, "phone:%s", phone);
    else if (!strcmp(ch, "paper")) snprintf(ident, sizeof ident, "sheet:%s", code);
    else snprintf(ident, sizeof ident, "device:%.32s", in->device); /* the token's random id */
    rater_key(j.round_id, kind, t.id, ident, j.key);
    j.has_key = true;
    if (anon && phone[0]) { /* the device counts too */
        snprintf(ident, sizeof ident, "device:%.32s", in->device);
        rater_key(j.round_id, kind, t.id, ident, j.dev);
        j.has_dev = true;
    }
    sodium_memzero(phone, sizeof phone);
    sodium_memzero(ident, sizeof ident);
    if (anon && in->addr) { /* no address: written by the system (the demo), not over HTTP */
        addr_bucket('b', in->addr, j.bucket);
        j.limit = W.cfg.ballot_limit;
        net_bucket(in->addr, j.net);
    }
    j.round_org_id = round_org;
    j.org_id = t.org_id;
    j.org_path = t.org_path;
    j.target_id = t.id;
    j.kind = kind;
    j.channel = ch;
    j.answers = answers;
    j.comment = comment;
    j.reason = reason;
    j.spoiled = in->spoiled && !strcmp(ch, "paper");
    j.user_id = a ? a->user_id : 0;
    j.actor_name = a && a->name ? a->name : "群众（匿名）";
    date_today(j.day);
    submit(d, &j);
    if (out) {
        out->valid = j.outcome == BO_VALID;
        out->verified = j.verified;
        out->held = j.held;
        out->round_id = j.round_id;
        snprintf(out->target_name, sizeof out->target_name, "%s", t.name);
    }
    if (j.outcome == BO_ERROR) __atomic_add_fetch(&S.failed, 1, __ATOMIC_RELAXED);
    else if (j.outcome != BO_LIMITED && j.outcome != BO_ENTRY_DONE) __atomic_add_fetch(&S.acked, 1, __ATOMIC_RELAXED); /* a row written */
    switch (j.outcome) {
    case BO_VALID: case BO_SPOILED: return CX_OK;
    case BO_REPEAT:
        if (!strcmp(ch, "paper")) return cx_fail(e, 409, "duplicate_ballot", "code", "问卷编号 %s 已经录入过，重复录入不计入结果（已记为无效票）", code);
        if (!strcmp(ch, "phone")) return cx_fail(e, 409, "duplicate_ballot", "seq", "这位群众本轮已经评价过“%s”，重复评价不计入结果（已记为无效票）", t.name);
        return cx_fail(e, 409, "duplicate_ballot", "", "您本轮已经评价过“%s”，每人只能评价一次，重复评价不计入结果（已记为无效票）", t.name);
    case BO_LIMITED: return cx_fail(e, 429, "rate_limited", "", "此网络提交的评价过多，请稍后再试");
    case BO_LATE:
        return cx_fail(e, 409, "rating_late", "round_id", "“%s”这一轮评议已经结束或不在评议期内，这份评价已记录，但不计入评议结果", t.name);
    case BO_ENTRY_DONE: return cx_fail(e, 409, "entry_done", "seq", "第 %" PRId64 " 位已经记录过结果", in->seq);
    default: return cx_fail(e, 500, "db_error", "", "评价保存失败，请稍后再试");
    }
}

/* ---- paper questionnaires ---- */

#define BATCH_COLS                                                                                                   \
    "b.id, b.round_id, b.target_kind, b.target_id, b.org_id, b.questions, b.issued, b.note, b.created_at, o.name, o.path, r.name, " \
    "(SELECT count(*) FROM paper_sheet s WHERE s.batch_id = b.id AND s.state = 'valid'), "                          \
    "(SELECT count(*) FROM paper_sheet s WHERE s.batch_id = b.id AND s.state = 'spoiled'), "                        \
    "CASE b.target_kind WHEN 'member' THEN (SELECT name FROM member WHERE id = b.target_id) "                      \
    "WHEN 'window' THEN (SELECT name FROM service_window WHERE id = b.target_id) ELSE o.name END, b.created_by, "      \
    "coalesce((SELECT u.display_name FROM app_user u WHERE u.id = b.created_by), '')"
#define BATCH_FROM " FROM paper_batch b JOIN org o ON o.id = b.org_id JOIN review_round r ON r.id = b.round_id"

static void read_batch(db_stmt *s, paper_batch *b)
{
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

int paper_batch_get(db *d, int64_t id, paper_batch *b)
{
    memset(b, 0, sizeof *b); /* a caller never sees an output this call did not fill */
    db_stmt *s = db_prepare(d, "SELECT " BATCH_COLS BATCH_FROM " WHERE b.id = ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW) read_batch(s, b);
    db_done(s);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : CX_ERR;
}

/* The target of a batch or draw (members, organisations and windows; not pledges) and its round. */
static int staff_target(db *d, int kind, int64_t target_id, rating_target *t, rating_open *ro, cx_err *e)
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

int paper_batch_create(db *d, const actor *a, int kind, int64_t target_id, int64_t sheets, const char *note, int64_t *id, cx_err *e)
{
    char nt[512];
    if (sheets < 1 || sheets > PAPER_MAX_SHEETS)
        return cx_fail(e, 400, "invalid_sheets", "sheets", "问卷份数应为 1 到 %d 之间的整数", PAPER_MAX_SHEETS);
    if (text_in(note, "note", "备注", 100, false, nt, sizeof nt, e) != CX_OK) return CX_ERR;
    rating_target t;
    rating_open ro;
    if (staff_target(d, kind, target_id, &t, &ro, e) != CX_OK) return CX_ERR;
    if (db_begin(d, true) != CX_OK) return fail_db(d, e);
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

/* Starts q with head, then root's subtree and, when round_id is set, the round on round_col.
 * end must outlive q. */
static void subtree_round(db_q *q, const char *head, const char *round_col, const org *root, int64_t round_id, char end[CX_PATH_MAX])
{
    db_q_init(q, head);
    orgpath_end(root->path, end, CX_PATH_MAX);
    db_q_where(q, "o.path >= ? AND o.path < ?", "ss", root->path, end);
    char cond[64];
    snprintf(cond, sizeof cond, "%s = ?", round_col);
    if (round_id) db_q_where(q, cond, "i", round_id);
}

/* Appends order and one page (limit 0: all) to q and prepares it. */
static db_stmt *page_stmt(db *d, db_q *q, const char *order, int64_t offset, int64_t limit)
{
    db_q_add(q, order, "");
    db_q_add(q, " LIMIT ? OFFSET ?", "ii", limit > 0 ? limit : INT64_MAX, offset);
    return db_q_prepare(d, q);
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
    paper_batch *b = xmalloc(sizeof *b);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        read_batch(s, b);
        if (fn(ctx, b)) break;
    }
    free(b);
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
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
    if (db_begin(d, true) != CX_OK) return fail_db(d, e);
    db_stmt *s = db_prepare(d, "UPDATE paper_sheet SET keyed_by = ? WHERE batch_id = ? AND code = ? AND keyed_by = 0 AND state <> 'issued'");
    if (!s) return fail_db(d, e);
    db_bind_i64(s, 1, a ? a->user_id : 0);
    db_bind_i64(s, 2, b->id);
    db_bind_text(s, 3, code);
    int rc = db_step(s);
    int64_t n = rc == DB_DONE ? db_changes(s) : 0;
    db_done(s);
    if (rc == CX_ERR) return fail_db(d, e);
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

/* ---- phone sampling ---- */

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

int phone_list_read(const void *file, size_t len, char ***phones, size_t *np, char digest[65], cx_err *e)
{
    *phones = NULL;
    *np = 0;
    tabfile *t = tab_open_mem(file, len, e);
    if (!t) return CX_ERR;
    char **v = NULL, **cells;
    size_t n = 0, cap = 0, nc, nbad = 0;
    buf bad;
    buf_init(&bad);
    int rc;
    while ((rc = tab_next(t, &cells, &nc, e)) == 1) {
        char p[32];
        if (phone_validate(cells[0], p, NULL) != CX_OK || strlen(p) != 11 || p[0] != '1') {
            bool header = n == 0 && nbad == 0 && !strpbrk(cells[0], "0123456789"); /* 电话 / 手机号 … */
            if (!header && nbad++ < 10) buf_printf(&bad, "%s第 %zu 行", nbad > 1 ? "、" : "", tab_rowno(t));
            continue;
        }
        if (n + 1 > PHONE_MAX_LIST) {
            rc = cx_fail(e, 400, "list_too_long", "file", "名单最多 %d 个号码", PHONE_MAX_LIST);
            break;
        }
        if (n == cap) cap = cap ? cap * 2 : 256, v = xrealloc(v, cap * sizeof *v);
        v[n++] = xstrdup(p);
    }
    tab_close(t);
    if (rc == 0 && nbad) rc = cx_fail(e, 400, "invalid_list", "file", "名单中有 %zu 行不是有效的手机号（%s%s），请改正后重新上传", nbad, bad.p,
                                    nbad > 10 ? "等" : "");
    if (rc == 0 && n == 0) rc = cx_fail(e, 400, "empty_list", "file", "名单中没有手机号（每行一个手机号，可在旁边一列写姓名）");
    buf_free(&bad);
    if (rc != 0) {
        free_list(v, n);
        return CX_ERR;
    }
    /* canonical order: the uploader's order of the rows has no effect on the draw */
    draw_list_canonical(v, &n);
    draw_list_digest(v, n, digest);
    *phones = v;
    *np = n;
    return CX_OK;
}

int phone_draw_create(db *d, const actor *a, int kind, int64_t target_id, const void *file, size_t len, const char *ns, const char *seed_in,
                      const char *commitment, int64_t *id, cx_err *e)
{
    int64_t n = 0;
    if (seed_in && *seed_in)
        return cx_fail(e, 400, "seed_not_accepted", "seed", "随机种子由系统生成（上传名单前先公布其 SHA-256 摘要），不接受上传者指定的种子，请去掉 seed");
    if (!ns || str_to_i64(ns, &n) != CX_OK || n < 1 || n > PHONE_MAX_DRAW)
        return cx_fail(e, 400, "invalid_n", "n", "抽取人数应为 1 到 %d 之间的整数", PHONE_MAX_DRAW);
    if (!commitment || !*commitment)
        return cx_fail(e, 400, "commitment_required", "commitment_id", "请先生成抽签承诺（系统先公布随机种子的 SHA-256 摘要），再上传名单抽取");
    if (!file || !len) return cx_fail(e, 400, "required", "file", "请上传联系人名单（CSV 或 Excel，每行一个手机号）");
    rating_target t;
    rating_open ro;
    if (staff_target(d, kind, target_id, &t, &ro, e) != CX_OK) return CX_ERR;
    char **v;
    size_t pop;
    char digest[65], seed[2 * DRAW_SEED_BYTES + 1], hash[65];
    if (phone_list_read(file, len, &v, &pop, digest, e) != CX_OK) return CX_ERR;
    if ((size_t)n > pop) {
        free_list(v, pop);
        return cx_fail(e, 400, "invalid_n", "n", "抽取人数（%" PRId64 "）多于名单中的号码数（%zu）", n, pop);
    }
    int64_t cid = 0, did = 0;
    uint32_t *pick = xmalloc((size_t)n * sizeof *pick);
    int rc = db_begin(d, true);
    if (rc != CX_OK) fail_db(d, e);
    else if (draw_commitment_take(d, commitment, "phone", t.org_path, &cid, seed, hash, e) != CX_OK) {
        db_rollback(d);
        rc = CX_ERR;
    } else {
        draw_committed(seed, digest, (uint32_t)pop, (uint32_t)n, pick);
        rc = db_i64(d, &did, 0, "INSERT INTO phone_draw (round_id, target_kind, target_id, org_id, questions, seed, population, n, list_digest, "
                                "created_by, created_at, commitment_id, seed_hash, method) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
                    "isiissiisiiiss", ro.round_id, rating_kind_name(kind), target_id, t.org_id, ro.questions, seed, (int64_t)pop, n, digest,
                    a ? a->user_id : 0, now_unix(), cid, hash, DRAW_METHOD);
        buf enc;
        buf_init(&enc);
        for (int64_t i = 0; rc == CX_OK && i < n; i++) {
            const char *p = v[pick[i]];
            char mask[32];
            phone_mask(p, mask);
            crypto_seal(p, &enc);
            rc = db_run(d, "INSERT INTO phone_draw_entry (draw_id, seq, list_index, phone_enc, phone_mask, state) VALUES (?,?,?,?,?,'pending')", "iiibs",
                        did, i + 1, (int64_t)pick[i] + 1, enc.p, enc.len, mask);
        }
        buf_free(&enc);
        if (rc != CX_OK) fail_db(d, e);
    }
    free(pick);
    free_list(v, pop);
    if (rc != CX_OK) return CX_ERR;
    char *after = xasprintf("{\"round_id\":%" PRId64 ",\"target_kind\":\"%s\",\"target_id\":%" PRId64 ",\"method\":\"%s\",\"commitment_id\":%" PRId64
                            ",\"seed_sha256\":\"%s\",\"seed\":\"%s\",\"population\":%zu,\"n\":%" PRId64 ",\"list_digest\":\"%s\"}",
                            ro.round_id, rating_kind_name(kind), target_id, DRAW_METHOD, cid, hash, seed, pop, n, digest);
    if (store_finish(d, a, "create", "phone_draw", did, t.org_id, NULL, after, CX_OK, e) != CX_OK) return CX_ERR;
    if (id) *id = did;
    return CX_OK;
}

#define DRAW_COLS                                                                                                    \
    "p.id, p.round_id, p.target_kind, p.target_id, p.org_id, p.questions, p.seed, p.population, p.n, p.list_digest, p.created_at, " \
    "o.name, o.path, r.name, coalesce(p.commitment_id, 0), p.seed_hash, p.method, p.created_by, "                      \
    "coalesce((SELECT u.display_name FROM app_user u WHERE u.id = p.created_by), ''), "                              \
    "coalesce((SELECT c.created_at FROM draw_commitment c WHERE c.id = p.commitment_id), 0), "                       \
    "(SELECT count(*) FROM phone_draw_entry x WHERE x.draw_id = p.id AND x.state = 'pending'), "                     \
    "(SELECT count(*) FROM phone_draw_entry x WHERE x.draw_id = p.id AND x.state = 'answered'), "                    \
    "(SELECT count(*) FROM phone_draw_entry x WHERE x.draw_id = p.id AND x.state = 'unreachable'), "                 \
    "(SELECT count(*) FROM phone_draw_entry x WHERE x.draw_id = p.id AND x.state = 'refused'), "                     \
    "CASE p.target_kind WHEN 'member' THEN (SELECT name FROM member WHERE id = p.target_id) "                      \
    "WHEN 'window' THEN (SELECT name FROM service_window WHERE id = p.target_id) ELSE o.name END"
#define DRAW_FROM " FROM phone_draw p JOIN org o ON o.id = p.org_id JOIN review_round r ON r.id = p.round_id"

static void read_draw(db_stmt *s, phone_draw *p)
{
    p->id = db_col_i64(s, 0);
    p->round_id = db_col_i64(s, 1);
    p->kind = rating_kind_from_name(db_col_text(s, 2));
    p->target_id = db_col_i64(s, 3);
    p->org_id = db_col_i64(s, 4);
    snprintf(p->questions, sizeof p->questions, "%s", db_col_text(s, 5));
    snprintf(p->seed, sizeof p->seed, "%s", db_col_text(s, 6));
    p->population = db_col_i64(s, 7);
    p->n = db_col_i64(s, 8);
    snprintf(p->list_digest, sizeof p->list_digest, "%s", db_col_text(s, 9));
    p->created_at = db_col_i64(s, 10);
    snprintf(p->org_name, sizeof p->org_name, "%s", db_col_text(s, 11));
    snprintf(p->org_path, sizeof p->org_path, "%s", db_col_text(s, 12));
    snprintf(p->round_name, sizeof p->round_name, "%s", db_col_text(s, 13));
    p->commitment_id = db_col_i64(s, 14);
    snprintf(p->seed_hash, sizeof p->seed_hash, "%s", db_col_text(s, 15));
    snprintf(p->method, sizeof p->method, "%s", db_col_text(s, 16));
    p->created_by = db_col_i64(s, 17);
    snprintf(p->created_by_name, sizeof p->created_by_name, "%s", db_col_text(s, 18));
    p->committed_at = db_col_i64(s, 19);
    p->pending = db_col_i64(s, 20);
    p->answered = db_col_i64(s, 21);
    p->unreachable = db_col_i64(s, 22);
    p->refused = db_col_i64(s, 23);
    snprintf(p->target_name, sizeof p->target_name, "%s", db_col_text(s, 24));
}

int phone_draw_get(db *d, int64_t id, phone_draw *p)
{
    memset(p, 0, sizeof *p); /* a caller never sees an output this call did not fill */
    db_stmt *s = db_prepare(d, "SELECT " DRAW_COLS DRAW_FROM " WHERE p.id = ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW) read_draw(s, p);
    db_done(s);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : CX_ERR;
}

int phone_draw_count(db *d, const org *root, int64_t round_id, int64_t *total)
{
    char end[CX_PATH_MAX];
    db_q q;
    subtree_round(&q, "SELECT COUNT(*)" DRAW_FROM, "p.round_id", root, round_id, end);
    return db_q_count(d, &q, total);
}

int phone_draw_list(db *d, const org *root, int64_t round_id, int64_t offset, int64_t limit, draw_fn fn, void *ctx)
{
    char end[CX_PATH_MAX];
    db_q q;
    subtree_round(&q, "SELECT " DRAW_COLS DRAW_FROM, "p.round_id", root, round_id, end);
    db_stmt *s = page_stmt(d, &q, " ORDER BY p.id DESC", offset, limit);
    if (!s) return CX_ERR;
    phone_draw *p = xmalloc(sizeof *p);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        read_draw(s, p);
        if (fn(ctx, p)) break;
    }
    free(p);
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int phone_entries(db *d, int64_t draw_id, bool reveal, entry_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT seq, list_index, phone_mask, state, phone_enc FROM phone_draw_entry WHERE draw_id = ? ORDER BY seq");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, draw_id);
    phone_entry x;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        memset(&x, 0, sizeof x);
        x.seq = db_col_i64(s, 0);
        x.list_index = db_col_i64(s, 1);
        snprintf(x.mask, sizeof x.mask, "%s", db_col_text(s, 2));
        snprintf(x.state, sizeof x.state, "%s", db_col_text(s, 3));
        if (reveal) {
            size_t n;
            const void *enc = db_col_blob(s, 4, &n);
            char *p = crypto_unseal(enc, n);
            snprintf(x.phone, sizeof x.phone, "%s", p ? p : "");
            free(p);
        }
        if (fn(ctx, &x)) break;
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int phone_draw_reveal(db *d, const actor *a, int64_t draw_id, cx_err *e)
{
    phone_draw p;
    if (phone_draw_get(d, draw_id, &p) != 1) return cx_fail(e, 404, "not_found", "id", "抽访记录不存在");
    if (audit_record(d, a, "reveal", "phone_draw", draw_id, p.org_id, NULL, "{\"numbers\":\"full\"}", "ok") != CX_OK)
        return cx_fail(e, 500, "audit_failed", "", "无法记录查看审计，未显示完整号码");
    return CX_OK;
}

int phone_entry_mark(db *d, const actor *a, int64_t draw_id, int64_t seq, const char *state, cx_err *e)
{
    if (!state || (strcmp(state, "unreachable") && strcmp(state, "refused")))
        return cx_fail(e, 400, "invalid_outcome", "outcome", "结果应为 answered（已回答）、unreachable（未接通）或 refused（拒绝回答）");
    phone_draw p;
    if (db_begin(d, true) != CX_OK) return fail_db(d, e);
    int f = phone_draw_get(d, draw_id, &p);
    if (f != 1) {
        db_rollback(d);
        return f == 0 ? cx_fail(e, 404, "not_found", "id", "抽访记录不存在") : fail_db(d, e);
    }
    bool open = false;
    int64_t ro = 0;
    if (round_state(d, p.round_id, &open, &ro) != 1 || !open) {
        db_rollback(d);
        return cx_fail(e, 409, "rating_closed", "round_id", "这一轮评议已经结束，不能再录入");
    }
    int64_t exists = 0, n = 0;
    if (db_i64(d, &exists, 0, "SELECT count(*) FROM phone_draw_entry WHERE draw_id = ? AND seq = ?", "ii", draw_id, seq) != CX_OK) return fail_db(d, e);
    if (!exists) {
        db_rollback(d);
        return cx_fail(e, 404, "not_found", "seq", "抽访名单中没有第 %" PRId64 " 位", seq);
    }
    db_stmt *s = db_prepare(d, "UPDATE phone_draw_entry SET state = ? WHERE draw_id = ? AND seq = ? AND state = 'pending'");
    if (!s) return fail_db(d, e);
    db_bind_text(s, 1, state);
    db_bind_i64(s, 2, draw_id);
    db_bind_i64(s, 3, seq);
    int rc = db_step(s);
    n = rc == DB_DONE ? db_changes(s) : 0;
    db_done(s);
    if (rc == CX_ERR) return fail_db(d, e);
    if (n == 0) {
        db_rollback(d);
        return cx_fail(e, 409, "entry_done", "seq", "第 %" PRId64 " 位已经记录过结果", seq);
    }
    char *after = xasprintf("{\"seq\":%" PRId64 ",\"state\":\"%s\"}", seq, state);
    return store_finish(d, a, "call", "phone_draw", draw_id, p.org_id, NULL, after, CX_OK, e);
}

/* ---- results ---- */

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

/* The name of a rating target (member, window, pledge, organisation) of table alias a, in SQL. */
#define TARGET_NAME(a)                                                                                                \
    "CASE " a ".target_kind WHEN 'member' THEN (SELECT name FROM member WHERE id = " a ".target_id) "                \
    "WHEN 'window' THEN (SELECT name FROM service_window WHERE id = " a ".target_id) "                               \
    "WHEN 'pledge' THEN (SELECT title FROM pledge WHERE id = " a ".target_id) "                                      \
    "ELSE (SELECT name FROM org WHERE id = " a ".target_id) END"

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

/* ---- bursts ---- */

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
    ballot_burst *b = xmalloc(sizeof *b);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        read_burst(s, b);
        if (fn(ctx, b)) break;
    }
    free(b);
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int burst_decide(db *d, const actor *a, int64_t id, bool release, const char *note, cx_err *e)
{
    char nt[1024];
    if (text_in(note, "note", "审核说明", 200, !release, nt, sizeof nt, e) != CX_OK) return CX_ERR;
    if (db_begin(d, true) != CX_OK) return fail_db(d, e);
    /* the burst row first (locked on PostgreSQL): the writer attaching a ballot to it waits, or
     * has committed and its ballot is seen below */
    int64_t open = 0;
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT id FROM ballot_burst WHERE id = ? AND state = 'open'%s", db_kind_of(d) == DB_PG ? " FOR UPDATE" : "");
    if (db_i64(d, &open, 0, sql, "i", id) != CX_OK) return fail_db(d, e);
    ballot_burst b;
    int f = burst_get(d, id, &b);
    if (f != 1) {
        db_rollback(d);
        return f == 0 ? cx_fail(e, 404, "not_found", "id", "集中投票记录不存在") : fail_db(d, e);
    }
    if (!open) {
        db_rollback(d);
        return cx_fail(e, 409, "burst_decided", "id", "这批集中投票已经审核过（%s）", !strcmp(b.state, "released") ? "已计入" : "已作废");
    }
    /* the held ballots move out of "held" into their class (released) or into invalid */
    db_stmt *s = db_prepare(d, "SELECT b.valid, b.verified, b.channel, b.answers, count(*), b.org_id, o.path FROM ballot b JOIN org o ON o.id = b.org_id "
                               "WHERE b.burst_id = ? AND b.hold = 'held' GROUP BY b.valid, b.verified, b.channel, b.answers, b.org_id, o.path");
    if (!s) return fail_db(d, e);
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
        return fail_db(d, e);
    }
    return store_finish(d, a, release ? "release" : "discard", "ballot_burst", id, b.org_id, before, after, rc, e);
}
