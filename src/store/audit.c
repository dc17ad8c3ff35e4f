/* audit.c: the append-only audit log. Each record's hash is an HMAC (key from the key file) over
 * its fields and the previous record's hash, so an edited, inserted or deleted row breaks the
 * chain; audit_head holds the last sequence number and hash, so deleting the newest rows shows too.
 * In PostgreSQL the UPDATE of audit_head locks its row, serialising appends. */
#include "store.h"
#include "../lib/buf.h"
#include "../lib/crypto.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static void field(buf *b, const char *s)
{
    buf_printf(b, "%zu:", strlen(s ? s : ""));
    buf_adds(b, s ? s : "");
    buf_addc(b, '|');
}

static void mac(int64_t seq, int64_t ts, int64_t actor_id, const char *actor_name, const char *action, const char *entity,
                int64_t entity_id, int64_t org_id, const char *before, const char *after, const char *result,
                const char *prev, char out[65])
{
    buf b;
    buf_init(&b);
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

int audit_run_begin(db *d, audit_run *r)
{
    /* an UPDATE, not a SELECT: on PostgreSQL it locks the head row until the commit */
    db_stmt *s = db_prepare(d, "UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash");
    if (!s) return CX_ERR;
    int rc = db_step(s);
    if (rc == DB_ROW) {
        r->seq = db_col_i64(s, 0);
        snprintf(r->prev, sizeof r->prev, "%s", db_col_text(s, 1));
        db_step(s); /* finish the statement (SQLite needs it to complete the UPDATE) */
    }
    db_done(s);
    return rc == DB_ROW ? CX_OK : CX_ERR;
}

int audit_run_add(db *d, audit_run *r, const actor *a, const char *action, const char *entity, int64_t entity_id, int64_t org_id,
                  const char *before, const char *after, const char *result)
{
    int64_t seq = r->seq + 1, ts = now_unix();
    char h[65];
    const char *an = a && a->name ? a->name : "系统";
    int64_t aid = a ? a->user_id : 0;
    mac(seq, ts, aid, an, action, entity, entity_id, org_id, before, after, result, r->prev, h);
    if (db_run(d,
               "INSERT INTO audit_log (seq, ts, actor_id, actor, action, entity, entity_id, org_id, before_json, after_json, "
               "result, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
               "iiisssiisssss", seq, ts, aid, an, action, entity, entity_id, org_id, before ? before : "",
               after ? after : "", result, r->prev, h) != CX_OK)
        return CX_ERR;
    r->seq = seq;
    memcpy(r->prev, h, sizeof h);
    return CX_OK;
}

int audit_run_end(db *d, const audit_run *r)
{
    return db_run(d, "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", "is", r->seq, r->prev);
}

int audit_append(db *d, const actor *a, const char *action, const char *entity, int64_t entity_id, int64_t org_id,
                 const char *before, const char *after, const char *result)
{
    audit_run r;
    if (audit_run_begin(d, &r) != CX_OK || audit_run_add(d, &r, a, action, entity, entity_id, org_id, before, after, result) != CX_OK)
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

int audit_verify(db *d, FILE *out, int64_t *rows)
{
    *rows = 0;
    int problems = 0;
    db_stmt *s = db_prepare(d,
                            "SELECT seq, ts, actor_id, actor, action, entity, entity_id, org_id, before_json, after_json, "
                            "result, prev_hash, hash FROM audit_log ORDER BY seq");
    if (!s) return CX_ERR;
    int64_t expect = 1;
    char prev[65] = "";
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        int64_t seq = db_col_i64(s, 0);
        (*rows)++;
        if (seq != expect) {
            fprintf(out, "缺少审计记录 #%" PRId64 " 至 #%" PRId64 "（已被删除）\n", expect, seq - 1);
            problems++;
        }
        if (strcmp(db_col_text(s, 11), prev) != 0) {
            fprintf(out, "审计记录 #%" PRId64 " 的前序哈希与上一条不符（链被改动）\n", seq);
            problems++;
        }
        char h[65];
        mac(seq, db_col_i64(s, 1), db_col_i64(s, 2), db_col_text(s, 3), db_col_text(s, 4), db_col_text(s, 5),
            db_col_i64(s, 6), db_col_i64(s, 7), db_col_text(s, 8), db_col_text(s, 9), db_col_text(s, 10),
            db_col_text(s, 11), h);
        if (strcmp(h, db_col_text(s, 12)) != 0) {
            fprintf(out, "审计记录 #%" PRId64 " 的内容被修改（哈希不符）\n", seq);
            problems++;
        }
        snprintf(prev, sizeof prev, "%s", db_col_text(s, 12));
        expect = seq + 1;
    }
    db_done(s);
    if (rc == CX_ERR) return CX_ERR;
    s = db_prepare(d, "SELECT seq, hash FROM audit_head WHERE id = 1");
    if (!s) return CX_ERR;
    if (db_step(s) == DB_ROW) {
        int64_t hseq = db_col_i64(s, 0);
        if (hseq != expect - 1) {
            fprintf(out, "最后 %" PRId64 " 条审计记录（#%" PRId64 " 之后）已被删除\n", hseq - (expect - 1), expect - 1);
            problems++;
        } else if (strcmp(db_col_text(s, 1), prev) != 0) {
            fprintf(out, "审计链末端哈希不符（最后一条记录被改动）\n");
            problems++;
        }
    } else {
        fprintf(out, "审计链头记录缺失\n");
        problems++;
    }
    db_done(s);
    return problems;
}

/* One record as read for re-MACing. */
typedef struct remac_row {
    int64_t seq, ts, actor_id, entity_id, org_id;
    char *actor, *action, *entity, *before, *after, *result;
} remac_row;

int audit_remac(db *d, int64_t *rows)
{
    *rows = 0;
    enum { BATCH = 1000 };
    remac_row *v = xcalloc(BATCH, sizeof *v);
    char prev[65] = "";
    int64_t after_seq = 0;
    int rc = CX_OK;
    for (;;) {
        /* a batch at a time into memory, then rewritten: no UPDATE of rows a statement is reading */
        db_stmt *s = db_prepare(d, "SELECT seq, ts, actor_id, actor, action, entity, entity_id, org_id, before_json, after_json, result "
                                   "FROM audit_log WHERE seq > ? ORDER BY seq LIMIT 1000");
        if (!s) {
            rc = CX_ERR;
            break;
        }
        db_bind_i64(s, 1, after_seq);
        int n = 0, st;
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
            mac(r->seq, r->ts, r->actor_id, r->actor, r->action, r->entity, r->entity_id, r->org_id, r->before, r->after, r->result, prev, h);
            if (rc == CX_OK && db_run(d, "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?", "ssi", prev, h, r->seq) != CX_OK)
                rc = CX_ERR;
            snprintf(prev, sizeof prev, "%s", h);
            after_seq = r->seq;
            free(r->actor), free(r->action), free(r->entity), free(r->before), free(r->after), free(r->result);
        }
        *rows += n;
        if (rc != CX_OK || n < BATCH) break;
    }
    free(v);
    if (rc == CX_OK) rc = db_run(d, "UPDATE audit_head SET hash = ? WHERE id = 1", "s", prev);
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
    db_stmt *s = subtree_stmt(d, "SELECT a.seq, a.ts, a.actor, a.action, a.entity, a.entity_id, a.result, a.before_json, a.after_json"
                                 AUDIT_SUBTREE " ORDER BY a.seq DESC LIMIT ? OFFSET ?", path, end);
    if (!s) return CX_ERR;
    db_bind_i64(s, 3, limit > 0 ? limit : INT64_MAX);
    db_bind_i64(s, 4, offset);
    int rc, st;
    while ((st = db_step(s)) == DB_ROW) {
        audit_row a = {.seq = db_col_i64(s, 0), .ts = db_col_i64(s, 1), .actor = db_col_text(s, 2), .action = db_col_text(s, 3),
                       .entity = db_col_text(s, 4), .entity_id = db_col_i64(s, 5), .result = db_col_text(s, 6),
                       .before = db_col_text(s, 7), .after = db_col_text(s, 8)};
        if (fn(ctx, &a)) break;
    }
    rc = st == CX_ERR ? CX_ERR : CX_OK;
    db_done(s);
    return rc;
}
