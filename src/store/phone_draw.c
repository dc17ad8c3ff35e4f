/* phone_draw.c: phone sampling (电话随机抽访): the canonical list, the committed draw, its entries and calls. */
#include "phone_draw.h"
#include "rating_int.h"
#include "row.h"
#include "draw.h"
#include "../domain/idcard.h"
#include "../lib/crypto.h"
#include "../lib/tabfile.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int phone_draw_create(db *d, const actor *a, int kind, int64_t target_id, const phone_draw_ok *in, int64_t *id, cx_err *e)
{
    int64_t n = in->n;
    const void *file = in->file;
    size_t len = in->len;
    const char *commitment = in->commitment_id;
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
    if (rc != CX_OK) db_fail(d, e);
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
        if (rc != CX_OK) db_fail(d, e);
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
    "WHEN 'window' THEN (SELECT " POST_NAMED("w") " FROM service_window w WHERE w.id = p.target_id) ELSE o.name END"
#define DRAW_FROM " FROM phone_draw p JOIN org o ON o.id = p.org_id JOIN review_round r ON r.id = p.round_id"

static void read_draw(db_stmt *s, void *out)
{
    phone_draw *p = out;
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

int phone_draw_get(db *d, int64_t id, phone_draw *p) { return row_by_id(d, "SELECT " DRAW_COLS DRAW_FROM " WHERE p.id = ?", id, read_draw, p, sizeof *p); }

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
    return DB_EACH(s, phone_draw, read_draw, fn, ctx);
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
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    int f = phone_draw_get(d, draw_id, &p);
    if (f != 1) {
        db_rollback(d);
        return f == 0 ? cx_fail(e, 404, "not_found", "id", "抽访记录不存在") : db_fail(d, e);
    }
    bool open = false;
    int64_t ro = 0;
    if (round_state(d, p.round_id, &open, &ro) != 1 || !open) {
        db_rollback(d);
        return cx_fail(e, 409, "rating_closed", "round_id", "这一轮评议已经结束，不能再录入");
    }
    int64_t exists = 0, n = 0;
    if (db_i64(d, &exists, 0, "SELECT count(*) FROM phone_draw_entry WHERE draw_id = ? AND seq = ?", "ii", draw_id, seq) != CX_OK) return db_fail(d, e);
    if (!exists) {
        db_rollback(d);
        return cx_fail(e, 404, "not_found", "seq", "抽访名单中没有第 %" PRId64 " 位", seq);
    }
    db_stmt *s = db_prepare(d, "UPDATE phone_draw_entry SET state = ? WHERE draw_id = ? AND seq = ? AND state = 'pending'");
    if (!s) return db_fail(d, e);
    db_bind_text(s, 1, state);
    db_bind_i64(s, 2, draw_id);
    db_bind_i64(s, 3, seq);
    int rc = db_step(s);
    n = rc == DB_DONE ? db_changes(s) : 0;
    db_done(s);
    if (rc == CX_ERR) return db_fail(d, e);
    if (n == 0) {
        db_rollback(d);
        return cx_fail(e, 409, "entry_done", "seq", "第 %" PRId64 " 位已经记录过结果", seq);
    }
    char *after = xasprintf("{\"seq\":%" PRId64 ",\"state\":\"%s\"}", seq, state);
    return store_finish(d, a, "call", "phone_draw", draw_id, p.org_id, NULL, after, CX_OK, e);
}
