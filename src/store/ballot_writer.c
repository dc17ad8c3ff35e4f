/* ballot_writer.c: the ballot writer: one thread with its own connection writes the pending
 * ballots in one transaction each batch (limits, repeats, bursts, roll-up deltas, audit counts). */
#include "ballot_writer.h"
#include "limit.h"
#include "rating_int.h"
#include "row.h"
#include "rollup.h"
#include "../lib/buf.h"
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static struct {
    pthread_mutex_t mu;
    pthread_cond_t work;
    ballot_job *head, *tail;
    bool running, stopping;
    pthread_t th;
    db *d;
    ballot_config cfg;
} W = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, .cfg = BALLOT_CONFIG_DEFAULT};

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

/* A ballot's row; a valid one is inserted only when its rater key holds no claim (a device used
 * with a phone, rate_limit "d:<key>") and the unique index takes it: the claim check and the
 * insert are one statement, one round trip. No row back: nothing was inserted. */
#define BALLOT_INSERT "INSERT INTO ballot (round_id, target_kind, target_id, org_id, channel, questions, answers, comment, reason, " \
                      "valid, invalid_reason, rater_key, day, late, verified, part) "
#define BALLOT_PART "(SELECT part FROM org WHERE id = ?)"
#define BALLOT_VALID BALLOT_INSERT "SELECT ?,?,?,?,?,?,?,?,?,?,?,?,?,?,?," BALLOT_PART " WHERE NOT EXISTS " \
                     "(SELECT 1 FROM rate_limit WHERE bucket = ? AND window_start = 0) ON CONFLICT DO NOTHING RETURNING id"
#define BALLOT_INVALID BALLOT_INSERT "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?," BALLOT_PART ") ON CONFLICT DO NOTHING RETURNING id"

static void bind_ballot(db_stmt *s, const ballot_job *j, bool valid, const char *invalid_reason)
{
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
    db_bind_i64(s, 16, j->org_id); /* the ballot's part: its organisation's province (store/part.h) */
    if (valid) {
        char b[2 + 2 * CX_HASH_BYTES + 1];
        claim_bucket(j->key, b);
        db_bind_text(s, 17, b);
    }
}

/* *inserted: the new ballot's id, 0 when nothing was inserted. */
static int insert_ballot(db *d, const ballot_job *j, bool valid, const char *invalid_reason, int64_t *inserted)
{
    db_stmt *s = db_prepare(d, valid ? BALLOT_VALID : BALLOT_INVALID);
    if (!s) return CX_ERR;
    bind_ballot(s, j, valid, invalid_reason);
    int rc = db_step(s);
    *inserted = rc == DB_ROW ? db_col_i64(s, 0) : 0;
    if (rc == DB_ROW) rc = db_step(s);
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* The valid ballots a batch has put off (write_job's defer) and their inserts, sent together in
 * one round trip (db_run_each: PostgreSQL's pipeline mode) when a ballot that needs more than its
 * insert comes, or the batch ends, so every statement still runs in the batch's order. */
#define PIPELINE_MAX 256 /* runs sent at a time: their answers wait in the socket's buffers */
static void bind_valid(db_stmt *s, int i, void *ctx) { bind_ballot(s, ((ballot_job **)ctx)[i], true, ""); }

/* PostgreSQL: the valid ballots put off, in one INSERT over arrays (unnest), so the executor, the
 * partition routing and the table's checks are set up once a batch rather than once a ballot
 * (measured: a third of the writer's backend CPU went to setting up one-row INSERTs). Same rule
 * as BALLOT_VALID, row by row in the batch's order: no claim on the key, and the unique index. */
#define BALLOT_VALID_MANY BALLOT_INSERT "SELECT u.r, u.k, u.t, u.o, u.c, u.q, u.a, u.m, u.s, 1, '', u.key, u.day, 0, u.v, " \
    "(SELECT part FROM org WHERE id = u.o) FROM unnest(?::bigint[], ?::text[], ?::bigint[], ?::bigint[], ?::text[], ?::text[], " \
    "?::text[], ?::text[], ?::text[], ?::bytea[], ?::text[], ?::bigint[], ?::text[]) WITH ORDINALITY AS u(r, k, t, o, c, q, a, m, s, key, day, v, b, n) " \
    "WHERE NOT EXISTS (SELECT 1 FROM rate_limit WHERE bucket = u.b AND window_start = 0) ORDER BY u.n ON CONFLICT DO NOTHING RETURNING id, rater_key"
enum { A_ROUND, A_KIND, A_TARGET, A_ORG, A_CHANNEL, A_QUESTIONS, A_ANSWERS, A_COMMENT, A_REASON, A_KEY, A_DAY, A_VERIFIED, A_BUCKET, A_N };

/* Appends an element to a PostgreSQL array literal: quoted, with \ and " escaped. */
static void arr_add(buf *b, const char *v)
{
    buf_addc(b, b->len ? ',' : '{');
    buf_addc(b, '"');
    for (; *v; v++) {
        if (*v == '"' || *v == '\\') buf_addc(b, '\\');
        buf_addc(b, *v);
    }
    buf_addc(b, '"');
}

/* Whether jobs q[i] and q[k] are the same rater for the same target in the same round. */
static bool same_rater(const ballot_job *a, const ballot_job *b)
{
    return a->round_id == b->round_id && a->target_id == b->target_id && !strcmp(a->kind, b->kind) && !memcmp(a->key, b->key, CX_HASH_BYTES);
}

/* Sets ids[k] for q[0..n) inserted as valid (0: not inserted). A rater twice in the batch is sent
 * once, the first time: the second is a repeat, as it would be one INSERT after the other. */
static int insert_valid_many(db *d, ballot_job **q, size_t n, int64_t *ids)
{
    buf a[A_N];
    for (int i = 0; i < A_N; i++) buf_init(&a[i]);
    bool *sent = xcalloc(n, sizeof *sent);
    for (size_t k = 0; k < n; k++) {
        const ballot_job *j = q[k];
        bool dup = false;
        for (size_t i = 0; i < k && !dup; i++) dup = sent[i] && same_rater(q[i], j);
        if (dup) continue;
        sent[k] = true;
        char num[24], hex[4 + 2 * CX_HASH_BYTES + 1], bucket[2 + 2 * CX_HASH_BYTES + 1];
        snprintf(num, sizeof num, "%" PRId64, j->round_id), arr_add(&a[A_ROUND], num);
        arr_add(&a[A_KIND], j->kind);
        snprintf(num, sizeof num, "%" PRId64, j->target_id), arr_add(&a[A_TARGET], num);
        snprintf(num, sizeof num, "%" PRId64, j->org_id), arr_add(&a[A_ORG], num);
        arr_add(&a[A_CHANNEL], j->channel);
        arr_add(&a[A_QUESTIONS], j->questions);
        arr_add(&a[A_ANSWERS], j->answers ? j->answers : "");
        arr_add(&a[A_COMMENT], j->comment ? j->comment : "");
        arr_add(&a[A_REASON], j->reason ? j->reason : "");
        hex[0] = '\\', hex[1] = 'x';
        hexof(j->key, CX_HASH_BYTES, hex + 2);
        arr_add(&a[A_KEY], hex);
        arr_add(&a[A_DAY], j->day);
        arr_add(&a[A_VERIFIED], j->verified ? "1" : "0");
        claim_bucket(j->key, bucket);
        arr_add(&a[A_BUCKET], bucket);
    }
    int rc = CX_OK;
    db_stmt *s = db_prepare(d, BALLOT_VALID_MANY);
    if (!s) rc = CX_ERR;
    for (int i = 0; rc == CX_OK && i < A_N; i++) buf_adds(&a[i], a[i].len ? "}" : "{}"), db_bind_text(s, i + 1, a[i].p);
    int st = DB_DONE;
    while (rc == CX_OK && (st = db_step(s)) == DB_ROW) {
        int64_t id = db_col_i64(s, 0);
        size_t len = 0;
        const unsigned char *key = db_col_blob(s, 1, &len);
        for (size_t k = 0; k < n; k++)
            if (sent[k] && !ids[k] && len == CX_HASH_BYTES && !memcmp(q[k]->key, key, CX_HASH_BYTES)) {
                ids[k] = id;
                break;
            }
    }
    if (s) db_done(s);
    if (st == CX_ERR) rc = CX_ERR;
    for (int i = 0; i < A_N; i++) buf_free(&a[i]);
    free(sent);
    return rc;
}

static int flush_valid(db *d, ballot_job **q, size_t *nq)
{
    if (!*nq) return CX_OK;
    int64_t *ids = xcalloc(*nq, sizeof *ids);
    int rc = db_kind_of(d) == DB_PG ? insert_valid_many(d, q, *nq, ids) : db_run_each(d, BALLOT_VALID, (int)*nq, bind_valid, q, ids);
    for (size_t k = 0; rc == CX_OK && k < *nq; k++) {
        int64_t x;
        q[k]->outcome = ids[k] ? BO_VALID : BO_REPEAT; /* no row: a claim on the key, or the unique index */
        if (!ids[k]) rc = insert_ballot(d, q[k], false, "repeat", &x);
    }
    free(ids);
    *nq = 0;
    return rc;
}

/* What a batch reads once per round and per window, however many of its ballots are for them
 * (in the batch's transaction, so the share locks below hold until its commit). */
typedef struct round_seen {
    int64_t id;
    bool open;
    char start[11], end[11];
} round_seen;
typedef struct window_seen {
    int64_t id;
    bool found, active, post;
} window_seen;
typedef struct batch_reads {
    round_seen *rounds;
    window_seen *windows;
    size_t nrounds, nwindows;
} batch_reads;

/* Steps sql (a SELECT of one row by id) in the batch's transaction; on PostgreSQL the row is
 * share-locked (FOR SHARE) until the commit. DB_ROW (read the columns, then db_done), DB_DONE or
 * CX_ERR (both done). */
static int read_shared(db *d, const char *sql, int64_t id, db_stmt **out)
{
    char q[200];
    snprintf(q, sizeof q, "%s%s", sql, db_kind_of(d) == DB_PG ? " FOR SHARE" : "");
    db_stmt *s = *out = db_prepare(d, q);
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc != DB_ROW) db_done(s);
    return rc;
}

/* Whether the ballot falls outside its round, read inside the batch's transaction: the round
 * closed while the ballot was on its way (ballot_cast checked before), or a web / QR ballot is
 * cast on a day outside the round's period (paper sheets and phone answers are keyed in later
 * than they were given, so only the round's closing counts for them). On PostgreSQL the row is
 * share-locked, so round_close waits for the batch and nothing slips in behind it. Read once per
 * round a batch (br). */
static int round_late(db *d, batch_reads *br, const ballot_job *j, bool *late)
{
    round_seen *r = NULL;
    for (size_t k = 0; k < br->nrounds && !r; k++)
        if (br->rounds[k].id == j->round_id) r = &br->rounds[k];
    if (!r) {
        db_stmt *s;
        int rc = read_shared(d, "SELECT status, period_start, period_end FROM review_round WHERE id = ?", j->round_id, &s);
        if (rc == CX_ERR) return CX_ERR;
        r = &br->rounds[br->nrounds];
        *r = (round_seen){.id = j->round_id};
        if (rc == DB_ROW) {
            r->open = !strcmp(db_col_text(s, 0), "open");
            snprintf(r->start, sizeof r->start, "%s", db_col_text(s, 1));
            snprintf(r->end, sizeof r->end, "%s", db_col_text(s, 2));
            db_done(s);
        }
        br->nrounds++;
    }
    bool anon = !strcmp(j->channel, "qr") || !strcmp(j->channel, "web");
    *late = !r->open || (anon && (strcmp(j->day, r->start) < 0 || strcmp(j->day, r->end) > 0));
    return CX_OK;
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
    if (limit_add(d, bucket, a, &na) != CX_OK || limit_add(d, bucket, b, &nb) != CX_OK) return CX_ERR;
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

/* Whether the window (or post, area) of a web / QR ballot was retired while the ballot was on its
 * way (ballot_prepare checked before), read inside the batch's transaction; and whether a window
 * ballot is on a post or an area (its roll-up counters, issue 19). On PostgreSQL the row is
 * share-locked, as the round's is: a retirement waits for the batch, and a batch waits for a
 * retirement under way and then sees it, so no ballot is counted for it once the retirement commits. */
static int target_gone(db *d, batch_reads *br, ballot_job *j, bool *gone)
{
    *gone = false;
    j->post = false;
    if (strcmp(j->kind, "window")) return CX_OK;
    window_seen *w = NULL;
    for (size_t k = 0; k < br->nwindows && !w; k++)
        if (br->windows[k].id == j->target_id) w = &br->windows[k];
    if (!w) {
        db_stmt *s;
        int rc = read_shared(d, "SELECT active, kind FROM service_window WHERE id = ?", j->target_id, &s);
        if (rc == CX_ERR) return CX_ERR;
        w = &br->windows[br->nwindows];
        *w = (window_seen){.id = j->target_id, .found = rc == DB_ROW};
        if (rc == DB_ROW) {
            w->active = db_col_i64(s, 0) == 1;
            w->post = strcmp(db_col_text(s, 1), "window") != 0;
            db_done(s);
        }
        br->nwindows++;
    }
    *gone = j->anon && !(w->found && w->active);
    j->post = w->found && w->post;
    return CX_OK;
}

/* Whether a ballot, once its round and window are read, needs only its insert: no per-address
 * limit, no sheet or phone entry, no device claim and no burst count (web / QR with the burst
 * checks off). Its insert can wait for the pipeline (flush_valid). */
static bool insert_only(const ballot_job *j)
{
    const ballot_config *c = &W.cfg;
    bool bursts = j->anon && ((c->burst_target > 0 && c->burst_window > 0) || (c->burst_net > 0 && j->net[0]));
    return !(j->bucket[0] && j->limit > 0) && !j->entry_id && !j->sheet_id && !j->spoiled && !j->has_dev && !bursts;
}

/* One ballot inside the batch's transaction; sets j->outcome. defer (insert_only): a valid
 * ballot's insert is left to flush_valid, its outcome BO_PENDING until then. */
static int write_job(db *d, batch_reads *br, ballot_job *j, int64_t now, bool defer)
{
    int64_t n = 0;
    j->held = false;
    bool gone = false;
    if (target_gone(d, br, j, &gone) != CX_OK) return CX_ERR;
    if (gone) { /* nothing written: the public page already says the window is no longer rated */
        j->outcome = BO_GONE;
        return CX_OK;
    }
    if (j->bucket[0] && j->limit > 0) {
        if (limit_add(d, j->bucket, now - now % 3600, &n) != CX_OK) return CX_ERR;
        if (n > j->limit) {
            j->outcome = BO_LIMITED;
            return CX_OK;
        }
    }
    int64_t ins = 0;
    if (round_late(d, br, j, &j->late) != CX_OK) return CX_ERR;
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
    if (!repeat && j->has_dev) { /* the device of a phone ballot: used before, alone or with a phone? */
        if (claimed(d, j->dev, &n) != CX_OK) return CX_ERR;
        repeat = n > 0;
        if (!repeat && db_i64(d, &n, 0, "SELECT count(*) FROM ballot WHERE round_id = ? AND target_kind = ? AND target_id = ? AND rater_key = ? AND valid = 1",
                              "isib", j->round_id, j->kind, j->target_id, j->dev, (size_t)CX_HASH_BYTES) != CX_OK)
            return CX_ERR;
        repeat = repeat || n > 0;
    }
    if (!repeat && defer) {
        j->outcome = BO_PENDING;
        return CX_OK;
    }
    if (!repeat) {
        if (insert_ballot(d, j, true, "", &ins) != CX_OK) return CX_ERR;
        repeat = !ins; /* a claim on the key, or the unique index: this rater has counted already */
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
    batch_reads br = {xcalloc(n, sizeof *br.rounds), xcalloc(n, sizeof *br.windows), 0, 0};
    ballot_job **q = xcalloc(n, sizeof *q);
    size_t nq = 0;
    int rc = db_begin(d, true);
    for (size_t i = 0; rc == CX_OK && i < n; i++) {
        bool defer = insert_only(jobs[i]);
        if (!defer) rc = flush_valid(d, q, &nq); /* a ballot with more statements sees every insert before it */
        if (rc == CX_OK) rc = write_job(d, &br, jobs[i], now, defer);
        if (rc == CX_OK && jobs[i]->outcome == BO_PENDING) q[nq++] = jobs[i];
        if (rc == CX_OK && nq == PIPELINE_MAX) rc = flush_valid(d, q, &nq);
    }
    if (rc == CX_OK) rc = flush_valid(d, q, &nq);
    for (size_t i = 0; rc == CX_OK && i < n; i++) {
        ballot_job *j = jobs[i];
        if (j->outcome == BO_LIMITED || j->outcome == BO_ENTRY_DONE || j->outcome == BO_GONE) continue;
        bool valid = j->outcome == BO_VALID;
        size_t k = 0;
        while (k < nds && !(ds[k].round_id == j->round_id && ds[k].org_id == j->org_id)) k++;
        if (k == nds) ds[nds++] = (delta_slot){.round_id = j->round_id, .org_id = j->org_id, .path = j->org_path};
        int cls = ballot_class(valid, j->verified, j->held ? "held" : "");
        if (j->outcome != BO_LATE) rollup_of_ballot(&ds[k].r, cls, j->channel, j->answers, 1); /* a late ballot counts nowhere */
        if (j->outcome != BO_LATE && j->post) rollup_of_post_ballot(&ds[k].r, cls, j->answers, 1); /* issue 19 (posts) */
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
    free(br.rounds);
    free(br.windows);
    free(q);
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
        /* each request wakes alone (a broadcast woke every waiting thread, most only to sleep
         * again); a job is the request's and may be gone once posted: not touched after */
        for (size_t i = 0; i < n; i++) sem_post(&v[i]->done);
        pthread_mutex_lock(&W.mu);
    }
    pthread_mutex_unlock(&W.mu);
    free(v);
    return NULL;
}

int ballots_start(const char *url, bool direct, const ballot_config *cfg, cx_err *e)
{
    if (cfg) W.cfg = *cfg;
    if (W.running) return CX_OK;
    W.d = direct ? db_open_direct(url, "ballot writer", e) : db_open(url, e);
    if (!W.d) return CX_ERR;
    W.d->ballots_only = true; /* its commits leave the state generation alone (db.h) */
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

/* The answered ballot in the figures: a row written (acknowledged) or a failure. */
static void count_outcome(const ballot_job *j)
{
    if (j->outcome == BO_ERROR) __atomic_add_fetch(&S.failed, 1, __ATOMIC_RELAXED);
    else if (j->outcome != BO_LIMITED && j->outcome != BO_ENTRY_DONE && j->outcome != BO_GONE) __atomic_add_fetch(&S.acked, 1, __ATOMIC_RELAXED); /* a row written */
}

void ballot_submit(db **dp, ballot_job *j)
{
    j->outcome = BO_PENDING;
    j->fault = DB_FAULT_NONE;
    j->next = NULL;
    pthread_mutex_lock(&W.mu);
    if (!W.running) {
        pthread_mutex_unlock(&W.mu);
        write_all(*dp, &j, 1);
        db_fault_raise(j->fault);
        count_outcome(j);
        return;
    }
    /* the request's pooled connection serves other requests while this one waits for the commit */
    db_pool *lent = db_pool_lend(*dp);
    if (lent) *dp = NULL;
    sem_init(&j->done, 0, 0);
    if (W.tail) W.tail->next = j;
    else W.head = j;
    W.tail = j;
    __atomic_add_fetch(&S.queued, 1, __ATOMIC_RELAXED);
    pthread_cond_signal(&W.work);
    pthread_mutex_unlock(&W.mu);
    while (sem_wait(&j->done) != 0) continue; /* EINTR */
    sem_destroy(&j->done);
    if (lent) *dp = db_pool_get(lent);
    db_fault_raise(j->fault);
    count_outcome(j);
}
