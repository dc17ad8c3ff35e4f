/* draw.c: commitments of committed draws (see draw.h). */
#include "draw.h"
#include "row.h"
#include "../lib/crypto.h"
#include <inttypes.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define DC_COLS                                                                                                      \
    "c.id, c.org_id, c.created_by, c.created_at, c.used_at, c.purpose, c.seed_hash, o.path, "                       \
    "coalesce((SELECT u.display_name FROM app_user u WHERE u.id = c.created_by), '')"
#define DC_FROM " FROM draw_commitment c JOIN org o ON o.id = c.org_id"

static void read_commitment(db_stmt *s, draw_commitment *c)
{
    c->id = db_col_i64(s, 0);
    c->org_id = db_col_i64(s, 1);
    c->created_by = db_col_i64(s, 2);
    c->created_at = db_col_i64(s, 3);
    c->used_at = db_col_i64(s, 4);
    snprintf(c->purpose, sizeof c->purpose, "%s", db_col_text(s, 5));
    snprintf(c->seed_hash, sizeof c->seed_hash, "%s", db_col_text(s, 6));
    snprintf(c->org_path, sizeof c->org_path, "%s", db_col_text(s, 7));
    snprintf(c->created_by_name, sizeof c->created_by_name, "%s", db_col_text(s, 8));
}

static bool purpose_ok(const char *p) { return p && (!strcmp(p, "phone") || !strcmp(p, "inspection")); }

int draw_commit_tx(db *d, const actor *a, const char *purpose, int64_t org_id, int64_t *id, char hash[65], cx_err *e)
{
    if (!purpose_ok(purpose)) return cx_fail(e, 400, "invalid_purpose", "purpose", "抽签用途应为 phone（电话抽访）或 inspection（抽查）");
    char seed[2 * DRAW_SEED_BYTES + 1];
    draw_seed_new(seed);
    draw_commitment_of(seed, hash);
    buf enc;
    buf_init(&enc);
    crypto_seal(seed, &enc);
    sodium_memzero(seed, sizeof seed);
    *id = 0;
    int rc = db_i64(d, id, 0, "INSERT INTO draw_commitment (purpose, org_id, seed_enc, seed_hash, created_by, created_at) VALUES (?,?,?,?,?,?) RETURNING id",
                    "sibsii", purpose, org_id, enc.p, enc.len, hash, a ? a->user_id : 0, now_unix());
    buf_free(&enc);
    char after[160];
    snprintf(after, sizeof after, "{\"purpose\":\"%s\",\"seed_sha256\":\"%s\"}", purpose, hash);
    if (rc == CX_OK) rc = audit_append(d, a, "commit", "draw_commitment", *id, org_id, NULL, after, "ok");
    return rc == CX_OK ? CX_OK : cx_fail(e, 500, "db_error", "", "数据库错误：%s", db_errmsg(d));
}

int draw_commit(db *d, const actor *a, const char *purpose, int64_t org_id, draw_commitment *out, cx_err *e)
{
    if (!purpose_ok(purpose)) return cx_fail(e, 400, "invalid_purpose", "purpose", "抽签用途应为 phone（电话抽访）或 inspection（抽查）");
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    int64_t id = 0;
    char hash[65];
    if (draw_commit_tx(d, a, purpose, org_id, &id, hash, e) != CX_OK) return refuse(d);
    if (db_commit(d) != CX_OK) return db_fail(d, e);
    return draw_commitment_get(d, id, out) == 1 ? CX_OK : cx_fail(e, 500, "db_error", "", "读取抽签承诺失败");
}

int draw_commitment_get(db *d, int64_t id, draw_commitment *c)
{
    memset(c, 0, sizeof *c); /* a caller never sees an output this call did not fill */
    db_stmt *s = db_prepare(d, "SELECT " DC_COLS DC_FROM " WHERE c.id = ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW) read_commitment(s, c);
    db_done(s);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : CX_ERR;
}

int draw_commitments_open(db *d, int64_t org_id, const char *purpose, commitment_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT " DC_COLS DC_FROM " WHERE c.org_id = ? AND c.purpose = ? AND c.used_at = 0 ORDER BY c.id DESC LIMIT 50");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, org_id);
    db_bind_text(s, 2, purpose);
    draw_commitment c;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        read_commitment(s, &c);
        if (fn(ctx, &c)) break;
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int draw_commitment_take(db *d, const char *id_text, const char *purpose, const char *target_path, int64_t *id,
                         char seed[2 * DRAW_SEED_BYTES + 1], char hash[65], cx_err *e)
{
    *id = 0;
    seed[0] = hash[0] = 0;
    if (!id_text || !*id_text)
        return cx_fail(e, 400, "commitment_required", "commitment_id", "请先生成抽签承诺（系统先公布随机种子的 SHA-256 摘要），再上传名单抽取");
    if (str_to_i64(id_text, id) != CX_OK || *id <= 0) return cx_fail(e, 400, "invalid_commitment", "commitment_id", "抽签承诺编号应为正整数");
    draw_commitment c;
    int f = draw_commitment_get(d, *id, &c);
    if (f == CX_ERR) return db_fail(d, e);
    if (f == 0 || strcmp(c.purpose, purpose) || !path_in_subtree(target_path, c.org_path))
        return cx_fail(e, 404, "not_found", "commitment_id", "抽签承诺不存在，或不是为本组织（及其下级）的这类抽取生成的");
    /* taken once: the row lock of the UPDATE serialises two draws on PostgreSQL too */
    db_stmt *s = db_prepare(d, "UPDATE draw_commitment SET used_at = ? WHERE id = ? AND used_at = 0");
    if (!s) return db_fail(d, e);
    db_bind_i64(s, 1, now_unix());
    db_bind_i64(s, 2, *id);
    int rc = db_step(s);
    int64_t n = rc == DB_DONE ? db_changes(s) : 0;
    db_done(s);
    if (rc == CX_ERR) return db_fail(d, e);
    if (n == 0) return cx_fail(e, 409, "commitment_used", "commitment_id", "第 %" PRId64 " 号抽签承诺已经用过，每个承诺只能抽取一次，请重新生成", *id);
    s = db_prepare(d, "SELECT seed_enc FROM draw_commitment WHERE id = ?");
    if (!s) return db_fail(d, e);
    db_bind_i64(s, 1, *id);
    char *plain = NULL;
    if ((rc = db_step(s)) == DB_ROW) {
        size_t len;
        const void *p = db_col_blob(s, 0, &len);
        plain = crypto_unseal(p, len);
    }
    db_done(s);
    if (!plain || !draw_seed_ok(plain)) {
        free(plain);
        return cx_fail(e, 500, "decrypt_failed", "", "无法解密抽签种子（密钥不符？）");
    }
    snprintf(seed, 2 * DRAW_SEED_BYTES + 1, "%s", plain);
    free(plain);
    char check[65];
    draw_commitment_of(seed, check);
    if (strcmp(check, c.seed_hash)) return cx_fail(e, 500, "commitment_mismatch", "commitment_id", "抽签种子与其承诺不符，已拒绝抽取");
    memcpy(hash, c.seed_hash, 65);
    return CX_OK;
}
