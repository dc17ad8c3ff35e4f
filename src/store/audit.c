/* audit.c: the append-only audit log, one hash chain per partition (migration 0038). Each record's
 * hash is an HMAC (key from the key file) over its part, its fields and the previous record's hash
 * in the same chain, so an edited, inserted, deleted or moved row breaks its chain; audit_head holds
 * each chain's last sequence number and hash, so deleting the newest rows shows too. A record's
 * part is that of the organisation it is about (a system-wide record: the first root's); in
 * PostgreSQL the UPDATE of the chain's audit_head row locks it, serialising appends per part only.
 * Part 0 is the single chain from before 0038: its MACs never covered a part, and still do not. */
#include "store.h"
#include "../lib/buf.h"
#include "../lib/crypto.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* The chain of a record about organisation ? (0: none) */
#define AUDIT_PART                                                                                                             \
    "coalesce((SELECT part FROM org WHERE id = ?), (SELECT part FROM org WHERE parent_id IS NULL ORDER BY id LIMIT 1), 0)"

#define AUDIT_LOG_COLS "part, seq, ts, actor_id, actor, action, entity, entity_id, org_id, before_json, after_json, result, prev_hash, hash"

static void field(buf *b, const char *s)
{
    buf_printf(b, "%zu:", strlen(s ? s : ""));
    buf_adds(b, s ? s : "");
    buf_addc(b, '|');
}

static void mac(int64_t part, int64_t seq, int64_t ts, int64_t actor_id, const char *actor_name, const char *action,
                const char *entity, int64_t entity_id, int64_t org_id, const char *before, const char *after, const char *result,
                const char *prev, char out[65])
{
    buf b;
    buf_init(&b);
    /* the part binds the record to its chain; part 0 (before 0038) keeps the text it was signed with */
    if (part) buf_printf(&b, "P%" PRId64 "|", part);
    buf_printf(&b, "%" PRId64 "|%" PRId64 "|%" PRId64 "|", seq, ts, actor_id);
    field(&b, actor_name);
    field(&b, action);
    field(&b, entity);
    buf_printf(&b, "%" PRId64 "|%" PRId64 "|", entity_id, org_id);
    field(&b, before);
    field(&b, after);
    field(&b, result);
    field(&b, prev);
    crypto_audit_mac(b.p, b.len, out);
    buf_free(&b);
}

/* an UPDATE, not a SELECT: on PostgreSQL it locks the chain's head row until the commit */
static int head_lock(db *d, audit_run *r, int64_t org_id)
{
    db_stmt *s = db_prepare(d, "UPDATE audit_head SET seq = seq WHERE part = " AUDIT_PART " RETURNING part, seq, hash");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, org_id);
    int rc = db_step(s);
    if (rc == DB_ROW) {
        r->part = db_col_i64(s, 0);
        r->seq = db_col_i64(s, 1);
        snprintf(r->prev, sizeof r->prev, "%s", db_col_text(s, 2));
        db_step(s); /* finish the statement (SQLite needs it to complete the UPDATE) */
    }
    db_done(s);
    return rc;
}

int audit_run_begin(db *d, audit_run *r, int64_t org_id)
{
    r->bulk = NULL;
    int rc = head_lock(d, r, org_id);
    if (rc == DB_DONE) {
        /* the chain's first record: its head is created; of two at once one inserts, the other
         * waits for it and inserts nothing, and both then lock the row */
        if (db_run(d, "INSERT INTO audit_head (part, seq, hash) SELECT " AUDIT_PART ", 0, '' WHERE 1 = 1 ON CONFLICT DO NOTHING",
                   "i", org_id) != CX_OK)
            return CX_ERR;
        rc = head_lock(d, r, org_id);
    }
    return rc == DB_ROW ? CX_OK : CX_ERR;
}

int audit_run_add(db *d, audit_run *r, const actor *a, const char *action, const char *entity, int64_t entity_id, int64_t org_id,
                  const char *before, const char *after, const char *result)
{
    int64_t seq = r->seq + 1, ts = now_unix();
    char h[65];
    const char *an = a && a->name ? a->name : "系统";
    int64_t aid = a ? a->user_id : 0;
    mac(r->part, seq, ts, aid, an, action, entity, entity_id, org_id, before, after, result, r->prev, h);
    int rc = r->bulk ? db_bulk_row(r->bulk, "iiiisssiisssss", r->part, seq, ts, aid, an, action, entity, entity_id, org_id,
                                   before ? before : "", after ? after : "", result, r->prev, h)
                     : db_run(d, "INSERT INTO audit_log (" AUDIT_LOG_COLS ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", "iiiisssiisssss",
                              r->part, seq, ts, aid, an, action, entity, entity_id, org_id, before ? before : "", after ? after : "",
                              result, r->prev, h);
    if (rc != CX_OK) return CX_ERR;
    r->seq = seq;
    memcpy(r->prev, h, sizeof h);
    return CX_OK;
}

void audit_run_bulk(db *d, audit_run *r)
{
    if (!r->bulk) r->bulk = db_bulk_begin(d, "audit_log", AUDIT_LOG_COLS);
}

int audit_run_end(db *d, audit_run *r)
{
    int rc = r->bulk ? db_bulk_end(r->bulk) : CX_OK;
    r->bulk = NULL;
    return rc == CX_OK ? db_run(d, "UPDATE audit_head SET seq = ?, hash = ? WHERE part = ?", "isi", r->seq, r->prev, r->part) : CX_ERR;
}

void audit_run_cancel(audit_run *r)
{
    db_bulk_cancel(r->bulk);
    r->bulk = NULL;
}

int audit_append(db *d, const actor *a, const char *action, const char *entity, int64_t entity_id, int64_t org_id,
                 const char *before, const char *after, const char *result)
{
    audit_run r;
    if (audit_run_begin(d, &r, org_id) != CX_OK ||
        audit_run_add(d, &r, a, action, entity, entity_id, org_id, before, after, result) != CX_OK)
        return CX_ERR;
    return audit_run_end(d, &r);
}

int audit_record(db *d, const actor *a, const char *action, const char *entity, int64_t entity_id, int64_t org_id,
                 const char *before, const char *after, const char *result)
{
    if (db_begin(d, true) != CX_OK) return CX_ERR;
    if (audit_append(d, a, action, entity, entity_id, org_id, before, after, result) != CX_OK) {
        db_rollback(d);
        return CX_ERR;
    }
    return db_commit(d);
}

int store_finish(db *d, const actor *a, const char *action, const char *entity, int64_t id, int64_t org_id, char *before,
                 char *after, int rc, cx_err *e)
{
    if (rc == CX_OK) rc = audit_append(d, a, action, entity, id, org_id, before, after, "ok");
    free(before);
    free(after);
    if (rc == CX_OK && db_commit(d) == CX_OK) return CX_OK;
    if (db_is_constraint(d)) cx_fail(e, 409, "conflict", "", "与已有记录冲突（可能有人同时提交了相同内容），请刷新后重试");
    else cx_fail(e, 500, "db_error", "", "数据库错误：%s", db_errmsg(d));
    db_rollback(d);
    return CX_ERR;
}

int audit_heads(db *d, audit_head_row **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    /* every chain: those with a head and those with records only (a head deleted) */
    db_stmt *s = db_prepare(d, "SELECT p.part, h.seq, h.hash FROM (SELECT part FROM audit_head UNION SELECT DISTINCT part FROM audit_log) p "
                               "LEFT JOIN audit_head h ON h.part = p.part ORDER BY p.part");
    if (!s) return CX_ERR;
    size_t cap = 0;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        if (*n == cap) *out = xrealloc(*out, (cap = cap ? cap * 2 : 8) * sizeof **out);
        audit_head_row *h = &(*out)[(*n)++];
        h->part = db_col_i64(s, 0);
        h->has_head = !db_col_null(s, 1);
        h->seq = h->has_head ? db_col_i64(s, 1) : 0;
        snprintf(h->hash, sizeof h->hash, "%s", h->has_head ? db_col_text(s, 2) : "");
    }
    db_done(s);
    if (rc == CX_ERR) {
        free(*out);
        *out = NULL, *n = 0;
        return CX_ERR;
    }
    return CX_OK;
}

/* One chain: problems found (each a line on out), its rows and the first broken seq (0 if none). */
static int verify_chain(db *d, FILE *out, const audit_head_row *hd, int64_t *rows, int64_t *first_bad)
{
    int problems = 0;
    int64_t part = hd->part;
    *rows = 0, *first_bad = 0;
#define BAD(at, ...)                                                                                                           \
    do {                                                                                                                       \
        fprintf(out, "审计链 %" PRId64 "：", part);                                                                            \
        fprintf(out, __VA_ARGS__);                                                                                             \
        fputc('\n', out);                                                                                                      \
        if (!problems++) *first_bad = (at);                                                                                    \
    } while (0)
    db_stmt *s = db_prepare(d, "SELECT seq, ts, actor_id, actor, action, entity, entity_id, org_id, before_json, after_json, "
                               "result, prev_hash, hash FROM audit_log WHERE part = ? ORDER BY seq");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, part);
    int64_t expect = 1;
    char prev[65] = "";
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        int64_t seq = db_col_i64(s, 0);
        (*rows)++;
        if (seq != expect) BAD(expect, "缺少审计记录 #%" PRId64 " 至 #%" PRId64 "（已被删除）", expect, seq - 1);
        if (strcmp(db_col_text(s, 11), prev) != 0) BAD(seq, "审计记录 #%" PRId64 " 的前序哈希与上一条不符（链被改动）", seq);
        char h[65];
        mac(part, seq, db_col_i64(s, 1), db_col_i64(s, 2), db_col_text(s, 3), db_col_text(s, 4), db_col_text(s, 5),
            db_col_i64(s, 6), db_col_i64(s, 7), db_col_text(s, 8), db_col_text(s, 9), db_col_text(s, 10), db_col_text(s, 11), h);
        if (strcmp(h, db_col_text(s, 12)) != 0) BAD(seq, "审计记录 #%" PRId64 " 的内容被修改或不属于此链（哈希不符）", seq);
        snprintf(prev, sizeof prev, "%s", db_col_text(s, 12));
        expect = seq + 1;
    }
    db_done(s);
    if (rc == CX_ERR) return CX_ERR;
    int64_t last = expect - 1;
    if (!hd->has_head) BAD(1, "链头记录缺失（此链的记录是插入的，或链头被删除）");
    else if (hd->seq > last)
        BAD(last + 1, "最后 %" PRId64 " 条审计记录（#%" PRId64 " 之后）已被删除", hd->seq - last, last);
    else if (hd->seq < last)
        BAD(hd->seq + 1, "审计记录 #%" PRId64 " 至 #%" PRId64 " 在链头之后（是插入的）", hd->seq + 1, last);
    else if (strcmp(hd->hash, prev) != 0) BAD(last, "审计链末端哈希不符（最后一条记录 #%" PRId64 " 被改动）", last);
#undef BAD
    return problems;
}

int audit_verify(db *d, FILE *out, int64_t *rows)
{
    *rows = 0;
    audit_head_row *heads;
    size_t n;
    if (audit_heads(d, &heads, &n) != CX_OK) return CX_ERR;
    int problems = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t chain_rows, first_bad;
        int p = verify_chain(d, out, &heads[i], &chain_rows, &first_bad);
        if (p == CX_ERR) {
            problems = CX_ERR;
            break;
        }
        *rows += chain_rows;
        problems += p;
        if (p) fprintf(out, "审计链 %" PRId64 "：共 %" PRId64 " 条，%d 处问题，最早在 #%" PRId64 "\n", heads[i].part, chain_rows, p, first_bad);
        else fprintf(out, "审计链 %" PRId64 "：共 %" PRId64 " 条，无误\n", heads[i].part, chain_rows);
    }
    free(heads);
    return problems;
}

/* One record as read for re-MACing. */
typedef struct remac_row {
    int64_t seq, ts, actor_id, entity_id, org_id;
    char *actor, *action, *entity, *before, *after, *result;
} remac_row;

static int remac_chain(db *d, int64_t part, remac_row *v, int64_t *rows)
{
    enum { BATCH = 1000 };
    char prev[65] = "";
    int64_t after_seq = INT64_MIN;
    int rc = CX_OK;
    for (;;) {
        /* a batch at a time into memory, then rewritten: no UPDATE of rows a statement is reading */
        db_stmt *s = db_prepare(d, "SELECT seq, ts, actor_id, actor, action, entity, entity_id, org_id, before_json, after_json, result "
                                   "FROM audit_log WHERE part = ? AND seq > ? ORDER BY seq LIMIT 1000");
        if (!s) return CX_ERR;
        db_bind_i64(s, 1, part);
        db_bind_i64(s, 2, after_seq);
        int n = 0, st = DB_DONE;
        while (n < BATCH && (st = db_step(s)) == DB_ROW) {
            remac_row *r = &v[n++];
            r->seq = db_col_i64(s, 0), r->ts = db_col_i64(s, 1), r->actor_id = db_col_i64(s, 2);
            r->actor = xstrdup(db_col_text(s, 3)), r->action = xstrdup(db_col_text(s, 4)), r->entity = xstrdup(db_col_text(s, 5));
            r->entity_id = db_col_i64(s, 6), r->org_id = db_col_i64(s, 7);
            r->before = xstrdup(db_col_text(s, 8)), r->after = xstrdup(db_col_text(s, 9)), r->result = xstrdup(db_col_text(s, 10));
        }
        if (n < BATCH && st == CX_ERR) rc = CX_ERR;
        db_done(s);
        for (int i = 0; i < n; i++) {
            remac_row *r = &v[i];
            char h[65];
            mac(part, r->seq, r->ts, r->actor_id, r->actor, r->action, r->entity, r->entity_id, r->org_id, r->before, r->after, r->result,
                prev, h);
            if (rc == CX_OK &&
                db_run(d, "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE part = ? AND seq = ?", "ssii", prev, h, part, r->seq) != CX_OK)
                rc = CX_ERR;
            snprintf(prev, sizeof prev, "%s", h);
            after_seq = r->seq;
            free(r->actor), free(r->action), free(r->entity), free(r->before), free(r->after), free(r->result);
        }
        *rows += n;
        if (rc != CX_OK || n < BATCH) break;
    }
    if (rc == CX_OK) rc = db_run(d, "UPDATE audit_head SET hash = ? WHERE part = ?", "si", prev, part);
    return rc;
}

int audit_remac(db *d, int64_t *rows)
{
    *rows = 0;
    audit_head_row *heads;
    size_t n;
    if (audit_heads(d, &heads, &n) != CX_OK) return CX_ERR;
    remac_row *v = xcalloc(1000, sizeof *v);
    int rc = CX_OK;
    for (size_t i = 0; rc == CX_OK && i < n; i++) rc = remac_chain(d, heads[i].part, v, rows);
    free(v);
    free(heads);
    return rc;
}

#define AUDIT_SUBTREE " FROM audit_log a JOIN org o ON o.id = a.org_id WHERE o.path >= ? AND o.path < ?"

/* end is the caller's: the statement reads the bound text when it runs */
static db_stmt *subtree_stmt(db *d, const char *sql, const char *path, char end[CX_PATH_MAX])
{
    orgpath_end(path, end, CX_PATH_MAX);
    db_stmt *s = db_prepare(d, sql);
    if (!s) return NULL;
    db_bind_text(s, 1, path);
    db_bind_text(s, 2, end);
    return s;
}

int audit_count(db *d, const char *path, int64_t *total)
{
    char end[CX_PATH_MAX];
    db_stmt *s = subtree_stmt(d, "SELECT COUNT(*)" AUDIT_SUBTREE, path, end);
    if (!s) return CX_ERR;
    int rc = db_step(s) == DB_ROW ? CX_OK : CX_ERR;
    *total = rc == CX_OK ? db_col_i64(s, 0) : 0;
    db_done(s);
    return rc;
}

int audit_list(db *d, const char *path, int64_t offset, int64_t limit, int (*fn)(void *ctx, const audit_row *a), void *ctx)
{
    char end[CX_PATH_MAX];
    db_stmt *s = subtree_stmt(d, "SELECT a.part, a.seq, a.ts, a.actor, a.action, a.entity, a.entity_id, a.result, a.before_json, "
                                 "a.after_json" AUDIT_SUBTREE " ORDER BY a.ts DESC, a.part DESC, a.seq DESC LIMIT ? OFFSET ?", path, end);
    if (!s) return CX_ERR;
    db_bind_i64(s, 3, limit > 0 ? limit : INT64_MAX);
    db_bind_i64(s, 4, offset);
    int rc, st;
    while ((st = db_step(s)) == DB_ROW) {
        audit_row a = {.part = db_col_i64(s, 0), .seq = db_col_i64(s, 1), .ts = db_col_i64(s, 2), .actor = db_col_text(s, 3),
                       .action = db_col_text(s, 4), .entity = db_col_text(s, 5), .entity_id = db_col_i64(s, 6),
                       .result = db_col_text(s, 7), .before = db_col_text(s, 8), .after = db_col_text(s, 9)};
        if (fn(ctx, &a)) break;
    }
    rc = st == CX_ERR ? CX_ERR : CX_OK;
    db_done(s);
    return rc;
}
