/* keyrotate.c: cxzy key rotate. Everything the master key protects moves to the new key in one
 * write transaction: encrypted fields are opened with the old key and sealed with the new, the
 * hashes kept beside them recomputed, the audit chain (verified first) re-MACed, the stable hash
 * key (tracking codes, device tokens, rater keys: values not kept, so not recomputable) wrapped
 * under the new key, the key check value replaced, and a key.rotate record appended. A failure or
 * a crash before the commit leaves the database as it was, for the old key. */
#include "store.h"
#include "../lib/crypto.h"
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every encrypted column, with the keyed hash kept beside it (recomputed from the plain text). */
static const struct sealed_col {
    const char *table, *col, *hash;
} sealed_cols[] = {
    {"member", "idcard_enc", "idcard_hash"},
    {"member", "phone_enc", "phone_hash"},
    {"feedback", "name_enc", NULL},
    {"feedback", "contact_enc", NULL},
    {"phone_draw_entry", "phone_enc", NULL},
    {"draw_commitment", "seed_enc", NULL},
    {"app_user", "activation_enc", NULL},
    {"app_user", "totp_enc", NULL},
    /* public notices: the objector's name and phone (issue 19) */
    {"objection", "name_enc", NULL},
    {"objection", "phone_enc", NULL},
};

/* Every column named *_enc in the schema must be in sealed_cols: one that is not (added by a later
 * migration without being listed here) would keep fields the new key cannot open, so the rotation
 * refuses. CX_OK, or CX_ERR with e naming the column. */
static int all_listed(db *d, cx_err *e)
{
    db_stmt *s = db_prepare(d, db_kind_of(d) == DB_PG
                                   ? "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                                     "AND column_name LIKE '%\\_enc' "
                                     /* a partition's columns are its table's (issue 20: store/part.c) */
                                     "AND table_name NOT IN (SELECT relname FROM pg_class WHERE relispartition) ORDER BY 1, 2"
                                   : "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' "
                                     "AND p.name LIKE '%\\_enc' ESCAPE '\\' ORDER BY 1, 2");
    if (!s) return cx_fail(e, 500, "db_error", "db", "读取数据库结构失败：%s", db_errmsg(d));
    int rc, out = CX_OK;
    while (out == CX_OK && (rc = db_step(s)) == DB_ROW) {
        const char *t = db_col_text(s, 0), *c = db_col_text(s, 1);
        bool known = false;
        for (size_t i = 0; i < sizeof sealed_cols / sizeof sealed_cols[0]; i++)
            known = known || (!strcmp(t, sealed_cols[i].table) && !strcmp(c, sealed_cols[i].col));
        if (!known)
            out = cx_fail(e, 500, "unknown_sealed_column", "db", "数据库中有本程序不认识的加密列 %s.%s，不能轮换（请升级 cxzy）", t, c);
    }
    if (out == CX_OK && rc == CX_ERR) out = cx_fail(e, 500, "db_error", "db", "读取数据库结构失败：%s", db_errmsg(d));
    db_done(s);
    return out;
}

typedef struct sealed_val {
    int64_t id;
    char *plain;
} sealed_val;

static void forget(char *plain)
{
    if (plain) sodium_memzero(plain, strlen(plain));
    free(plain);
}

/* Re-seals one column a batch of rows at a time (read into memory, then rewritten). */
static int reseal(db *d, const struct sealed_col *c, key_rotation *r, cx_err *e)
{
    enum { BATCH = 1000 };
    char *sel = xasprintf("SELECT id, %s FROM %s WHERE id > ? AND %s IS NOT NULL ORDER BY id LIMIT 1000", c->col, c->table, c->col);
    char *upd = c->hash ? xasprintf("UPDATE %s SET %s = ?, %s = ? WHERE id = ?", c->table, c->col, c->hash)
                        : xasprintf("UPDATE %s SET %s = ? WHERE id = ?", c->table, c->col);
    sealed_val *v = xcalloc(BATCH, sizeof *v);
    buf enc;
    buf_init(&enc);
    int64_t last = INT64_MIN;
    int rc = CX_OK;
    for (;;) {
        db_stmt *s = db_prepare(d, sel);
        if (!s) {
            rc = cx_fail(e, 500, "db_error", "db", "读取 %s.%s 失败：%s", c->table, c->col, db_errmsg(d));
            break;
        }
        db_bind_i64(s, 1, last);
        size_t n = 0;
        int st = DB_DONE;
        bool bad = false;
        while (n < BATCH && (st = db_step(s)) == DB_ROW) {
            size_t len;
            const void *p = db_col_blob(s, 1, &len);
            v[n].id = db_col_i64(s, 0);
            v[n].plain = crypto_unseal(p, len);
            if (!v[n].plain && !bad) {
                bad = true;
                cx_fail(e, 500, "decrypt_failed", "key", "%s.%s 第 %" PRId64 " 行无法用旧密钥解密（数据已损坏？），未做任何改动",
                        c->table, c->col, v[n].id);
            }
            n++;
        }
        db_done(s);
        if (st == CX_ERR) rc = cx_fail(e, 500, "db_error", "db", "读取 %s.%s 失败：%s", c->table, c->col, db_errmsg(d));
        else if (bad) rc = CX_ERR;
        for (size_t i = 0; rc == CX_OK && i < n; i++) {
            crypto_seal(v[i].plain, &enc);
            int w;
            if (c->hash) {
                unsigned char h[CX_HASH_BYTES];
                crypto_field_hash(v[i].plain, h);
                w = db_run(d, upd, "bbi", enc.p, enc.len, h, sizeof h, v[i].id);
                r->hashed++;
            } else w = db_run(d, upd, "bi", enc.p, enc.len, v[i].id);
            if (w != CX_OK) rc = cx_fail(e, 500, "db_error", "db", "写入 %s.%s 失败：%s", c->table, c->col, db_errmsg(d));
            r->sealed++;
        }
        if (n) last = v[n - 1].id;
        for (size_t i = 0; i < n; i++) forget(v[i].plain), v[i].plain = NULL;
        if (rc != CX_OK || n < BATCH) break;
    }
    buf_free(&enc);
    free(v);
    free(sel);
    free(upd);
    return rc;
}

int store_key_rotate(db *d, const char *new_key, key_rotation *r, cx_err *e)
{
    memset(r, 0, sizeof *r);
    if (db_begin(d, true) != CX_OK) return cx_fail(e, 500, "db_error", "db", "开始事务失败：%s", db_errmsg(d));
    /* the chain must hold under the old key: a rotation re-MACs only what verifies */
    if (all_listed(d, e) != CX_OK) {
        db_rollback(d);
        return CX_ERR;
    }
    int64_t rows = 0;
    FILE *sink = fopen("/dev/null", "w");
    int problems = sink ? audit_verify(d, sink, &rows) : CX_ERR;
    if (sink) fclose(sink);
    if (problems != 0) {
        db_rollback(d);
        if (problems == CX_ERR) return cx_fail(e, 500, "db_error", "db", "读取审计日志失败：%s", db_errmsg(d));
        return cx_fail(e, 409, "audit_broken", "audit",
                       "审计日志校验未通过（%d 处问题）：轮换会用新密钥重新签署审计链，必须先查明原因。请先运行 cxzy audit verify", problems);
    }
    /* every chain's head under the old key, for the rotation record */
    audit_head_row *heads = NULL;
    size_t nheads = 0;
    buf old_heads;
    buf_init(&old_heads);
    buf_addc(&old_heads, '[');
    if (audit_heads(d, &heads, &nheads) != CX_OK) {
        db_rollback(d);
        buf_free(&old_heads);
        return cx_fail(e, 500, "db_error", "db", "读取审计链头失败：%s", db_errmsg(d));
    }
    for (size_t i = 0; i < nheads; i++)
        buf_printf(&old_heads, "%s{\"part\":%" PRId64 ",\"seq\":%" PRId64 ",\"hash\":\"%s\"}", i ? "," : "", heads[i].part,
                   heads[i].seq, heads[i].hash);
    buf_addc(&old_heads, ']');
    free(heads);
    char old_check[65];
    crypto_key_check(old_check);
    if (crypto_rotate_begin(new_key, e) != CX_OK) {
        db_rollback(d);
        buf_free(&old_heads);
        return CX_ERR;
    }
    int rc = CX_OK;
    for (size_t i = 0; rc == CX_OK && i < sizeof sealed_cols / sizeof sealed_cols[0]; i++) rc = reseal(d, &sealed_cols[i], r, e);
    if (rc == CX_OK && audit_remac(d, &r->audit_rows) != CX_OK)
        rc = cx_fail(e, 500, "db_error", "db", "重新签署审计链失败：%s", db_errmsg(d));
    char new_check[65];
    crypto_key_check(new_check);
    buf wrapped;
    buf_init(&wrapped);
    crypto_stable_wrap(&wrapped);
    int64_t now = now_unix();
    if (rc == CX_OK &&
        db_run(d, "UPDATE key_check SET check_value = ?, hash_key_wrapped = ?, rotated_at = ? WHERE id = 1", "sbi", new_check, wrapped.p,
               wrapped.len, now) != CX_OK)
        rc = cx_fail(e, 500, "db_error", "db", "写入密钥校验值失败：%s", db_errmsg(d));
    buf_free(&wrapped);
    if (rc == CX_OK) {
        /* the rotation point: each chain's old head (under the old key) and the key check values */
        char *after = xasprintf("{\"old_check\":\"%s\",\"new_check\":\"%s\",\"old_heads\":%s,"
                                "\"fields\":%" PRId64 ",\"hashes\":%" PRId64 ",\"audit_rows\":%" PRId64 "}",
                                old_check, new_check, old_heads.p, r->sealed, r->hashed, r->audit_rows);
        if (audit_append(d, &actor_cli, "key.rotate", "database", 0, 0, NULL, after, "ok") != CX_OK)
            rc = cx_fail(e, 500, "audit_failed", "audit", "无法记录审计：%s", db_errmsg(d));
        free(after);
    }
    buf_free(&old_heads);
    if (rc == CX_OK && db_commit(d) != CX_OK) rc = cx_fail(e, 500, "db_error", "db", "提交失败：%s", db_errmsg(d));
    if (rc != CX_OK) db_rollback(d);
    crypto_rotate_end(rc == CX_OK);
    return rc;
}
