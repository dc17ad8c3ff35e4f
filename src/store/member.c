/* member.c: members (党员). 身份证号 and phone are stored encrypted, with a keyed hash for
 * duplicate detection and a mask for display; the full value is decrypted only by member_reveal,
 * which audits the view. */
#include "store.h"
#include "part.h"
#include "row.h"
#include "../lib/json.h"
#include "../lib/media.h"
#include "grading.h"
#include "rollup.h"
#include "post.h"
#include "../domain/idcard.h"
#include "../lib/buf.h"
#include "../lib/crypto.h"
#include <cjson/cJSON.h>
#include <sodium.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MEMBER_COLS                                                                                              \
    "m.id, m.org_id, m.version, m.created_at, m.updated_at, m.active, m.has_photo, m.name, m.sex, m.ethnicity, " \
    "m.birth_year, m.idcard_mask, m.phone_mask, m.joined_date, m.full_date, m.education, m.post, m.duties, "     \
    "m.status, o.name, o.path"

static void read_member(db_stmt *s, member *m)
{
    m->id = db_col_i64(s, 0);
    m->org_id = db_col_i64(s, 1);
    m->version = db_col_i64(s, 2);
    m->created_at = db_col_i64(s, 3);
    m->updated_at = db_col_i64(s, 4);
    m->active = (int)db_col_i64(s, 5);
    m->has_photo = (int)db_col_i64(s, 6);
#define T(field, col) snprintf(m->r.field, sizeof m->r.field, "%s", db_col_text(s, col))
    T(name, 7);
    T(sex, 8);
    T(ethnicity, 9);
    m->birth_year = (int)db_col_i64(s, 10);
    m->r.birth_date[0] = 0; /* not stored: see birth_year */
    T(idcard, 11);
    T(phone, 12);
    T(joined_date, 13);
    T(full_date, 14);
    T(education, 15);
    T(post, 16);
    T(duties, 17);
    T(status, 18);
#undef T
    snprintf(m->org_name, sizeof m->org_name, "%s", db_col_text(s, 19));
    snprintf(m->org_path, sizeof m->org_path, "%s", db_col_text(s, 20));
}

int member_get(db *d, int64_t id, member *m)
{
    memset(m, 0, sizeof *m); /* a caller never sees an output this call did not fill */
    db_stmt *s = db_prepare(d, "SELECT " MEMBER_COLS " FROM member m JOIN org o ON o.id = m.org_id WHERE m.id = ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW) read_member(s, m);
    db_done(s);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : CX_ERR;
}

/* The audit snapshot: masked values only, never the full 身份证号 or phone. */
static char *member_json(const member_rec *r, int64_t org_id, int active)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "org_id", org_id);
    for (int i = 0; member_cols[i].field; i++) {
        const char *f = member_cols[i].field;
        const char *v = member_rec_get(r, f);
        if (!v) continue;
        char mask[32];
        if (!strcmp(f, "birth_date")) snprintf(mask, 5, "%s", v), v = mask; /* the year only */
        else if (!strcmp(f, "idcard") && strlen(v) == 18) idcard_mask(v, mask), v = mask;
        else if (!strcmp(f, "phone") && *v && !strchr(v, '*')) phone_mask(v, mask), v = mask;
        cJSON_AddStringToObject(j, f, v);
    }
    cJSON_AddBoolToObject(j, "active", active);
    char *s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return s;
}

/* A violation of member_idcard is two requests racing past the duplicate check: the loser gets the
 * same 409 as a plain duplicate. Any other failure (another constraint included) is an error. */
static int fail_db(db *d, cx_err *e)
{
    if (!db_is_unique(d, "member_idcard", "member.idcard_hash")) return db_fail(d, e);
    cx_fail(e, 409, "duplicate_member", "idcard", "该身份证号已在党员名册中（可能有人同时提交），请刷新后重试");
    return refuse(d);
}

/* Whether a may see members of the organisation at path: the system sees everything, a user
 * what their office or secretary grants cover, and an actor without grants nothing. */
static bool actor_sees(const actor *a, const char *path)
{
    if (!a || a->user_id == 0) return true;
    return a->scope && perm_allows(a->scope, ROLE_ADMIN, path);
}

int member_idcard_where(db *d, const actor *a, const char *idcard, int64_t *id, char org_name[256])
{
    unsigned char h[CX_HASH_BYTES];
    crypto_field_hash(idcard, h);
    db_stmt *s = db_prepare(d, "SELECT m.id, o.path, o.name FROM member m JOIN org o ON o.id = m.org_id WHERE m.idcard_hash = ?");
    if (!s) return CX_ERR;
    db_bind_blob(s, 1, h, sizeof h);
    int rc = db_step(s), where = ROLL_NONE;
    if (rc == DB_ROW) {
        where = actor_sees(a, db_col_text(s, 1)) ? ROLL_INSIDE : ROLL_OUTSIDE;
        if (where == ROLL_INSIDE) { /* nothing about a member outside the actor's subtree leaves here */
            if (id) *id = db_col_i64(s, 0);
            if (org_name) snprintf(org_name, 256, "%s", db_col_text(s, 2));
        }
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : where;
}

int member_idcard_where_many(db *d, const actor *a, const unsigned char (*hash)[32], size_t n, int *where, char (*org_name)[256])
{
    _Static_assert(CX_HASH_BYTES == 32, "keyed hash size");
    if (n > IDCARD_BATCH) return CX_ERR;
    /* always IDCARD_BATCH parameters (the unused ones NULL): one cached statement */
    char sql[160 + 2 * IDCARD_BATCH];
    int k = snprintf(sql, sizeof sql, "SELECT m.idcard_hash, o.path, o.name FROM member m JOIN org o ON o.id = m.org_id WHERE m.idcard_hash IN (");
    for (int i = 0; i < IDCARD_BATCH; i++) k += snprintf(sql + k, sizeof sql - (size_t)k, i ? ",?" : "?");
    snprintf(sql + k, sizeof sql - (size_t)k, ")");
    db_stmt *s = db_prepare(d, sql);
    if (!s) return CX_ERR;
    for (size_t i = 0; i < IDCARD_BATCH; i++) {
        if (i < n) db_bind_blob(s, (int)i + 1, hash[i], CX_HASH_BYTES);
        else db_bind_null(s, (int)i + 1);
    }
    for (size_t i = 0; i < n; i++) where[i] = ROLL_NONE;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        size_t len = 0;
        const void *h = db_col_blob(s, 0, &len);
        for (size_t i = 0; h && len == CX_HASH_BYTES && i < n; i++)
            if (!memcmp(hash[i], h, CX_HASH_BYTES)) {
                where[i] = actor_sees(a, db_col_text(s, 1)) ? ROLL_INSIDE : ROLL_OUTSIDE;
                if (where[i] == ROLL_INSIDE) snprintf(org_name[i], 256, "%s", db_col_text(s, 2));
            }
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int idcard_lookup_allow(db *d, const actor *a, int cost, cx_err *e)
{
    if (!a || a->user_id == 0) return CX_OK;
    int64_t used = 0; /* a file that met members outside costs IDCARD_LOOKUP_FILE, a single check 1 */
    if (db_i64(d, &used, 0,
               "SELECT count(*) + 9 * count(CASE WHEN action = 'lookup_file' THEN 1 END) FROM audit_log "
               "WHERE entity = 'idcard_lookup' AND entity_id = ? AND ts > ?",
               "ii", a->user_id, now_unix() - IDCARD_LOOKUP_WINDOW) != CX_OK)
        return cx_fail(e, 500, "db_error", "", "数据库错误：%s", db_errmsg(d));
    if (used + cost > IDCARD_LOOKUP_BUDGET)
        return cx_fail(e, 429, "idcard_lookup_limited", "idcard",
                       "身份证号查重过于频繁：一小时内已多次查到在其他组织登记的身份证号，暂停核对身份证号，请一小时后再试或联系上级组织");
    return CX_OK;
}

int idcard_lookup_record(db *d, const actor *a, bool file, const char *via, int64_t org_id, int64_t checked, int64_t outside)
{
    char after[160];
    snprintf(after, sizeof after, "{\"via\":\"%s\",\"checked\":%" PRId64 ",\"outside\":%" PRId64 "}", via, checked, outside);
    return audit_record(d, a, file ? "lookup_file" : "lookup", "idcard_lookup", a ? a->user_id : 0, org_id, NULL, after, "refused");
}

/* Target org must exist, be active and be where members belong (any type may hold members,
 * though rosters normally sit in 党支部). */
static int check_org(db *d, int64_t org_id, org *o, cx_err *e)
{
    int f = org_get(d, org_id, o);
    if (f == CX_ERR) return fail_db(d, e);
    if (f == 0) return cx_fail(e, 404, "not_found", "org_id", "所在党组织不存在");
    if (!o->active) return cx_fail(e, 400, "org_inactive", "org_id", "党组织“%s”已停用", o->name);
    return CX_OK;
}

/* Encrypted 身份证号 and phone with their keyed hashes and masks, ready to bind. */
typedef struct sealed {
    buf ide, phe;
    unsigned char ih[CX_HASH_BYTES], ph[CX_HASH_BYTES];
    char imask[19], pmask[32];
} sealed;

static void seal(sealed *x, const member_rec *r)
{
    buf_init(&x->ide);
    buf_init(&x->phe);
    x->pmask[0] = 0;
    crypto_seal(r->idcard, &x->ide);
    crypto_field_hash(r->idcard, x->ih);
    idcard_mask(r->idcard, x->imask);
    if (r->phone[0]) {
        crypto_seal(r->phone, &x->phe);
        crypto_field_hash(r->phone, x->ph);
        phone_mask(r->phone, x->pmask);
    }
}

static void unseal_free(sealed *x)
{
    buf_free(&x->ide);
    buf_free(&x->phe);
}

/* Binds the member fields at parameters first..first+15 in the column order of MEMBER_WRITE, by
 * reference: r and x stay as they are until the caller's db_done. */
#define MEMBER_WRITE "name, sex, ethnicity, birth_year, idcard_enc, idcard_hash, idcard_mask, phone_enc, phone_hash, " \
                     "phone_mask, joined_date, full_date, education, post, duties, status"
static void bind_member(db_stmt *s, int i, const member_rec *r, const sealed *x)
{
    db_bind_text_ref(s, i++, r->name);
    db_bind_text_ref(s, i++, r->sex);
    db_bind_text_ref(s, i++, r->ethnicity);
    db_bind_i64(s, i++, atoi(r->birth_date)); /* "1987-04-19" → 1987 */
    db_bind_blob_ref(s, i++, x->ide.p, x->ide.len);
    db_bind_blob_ref(s, i++, x->ih, sizeof x->ih);
    db_bind_text_ref(s, i++, x->imask);
    if (r->phone[0]) {
        db_bind_blob_ref(s, i++, x->phe.p, x->phe.len);
        db_bind_blob_ref(s, i++, x->ph, sizeof x->ph);
    } else {
        db_bind_null(s, i++);
        db_bind_null(s, i++);
    }
    db_bind_text_ref(s, i++, x->pmask);
    db_bind_text_ref(s, i++, r->joined_date);
    db_bind_text_ref(s, i++, r->full_date);
    db_bind_text_ref(s, i++, r->education);
    db_bind_text_ref(s, i++, r->post);
    db_bind_text_ref(s, i++, r->duties);
    db_bind_text_ref(s, i++, r->status);
}

int member_insert_row(db *d, const org *o, const member_rec *r, int64_t now, int64_t *id)
{
    /* Without an id wanted, the statement has no RETURNING: SQLite then skips materialising
     * a result per row, which the 1,000,000-row import notices. */
    db_stmt *s = db_prepare(d, id ? "INSERT INTO member (part, org_id, " MEMBER_WRITE ", created_at, updated_at) "
                                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                                    "ON CONFLICT DO NOTHING RETURNING id"
                                  : "INSERT INTO member (part, org_id, " MEMBER_WRITE ", created_at, updated_at) "
                                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                                    "ON CONFLICT DO NOTHING");
    if (!s) return CX_ERR;
    if (id) *id = 0;
    sealed x;
    seal(&x, r);
    db_bind_i64(s, 1, o->part);
    db_bind_i64(s, 2, o->id);
    bind_member(s, 3, r, &x);
    db_bind_i64(s, 19, now);
    db_bind_i64(s, 20, now);
    int rc = db_step(s), inserted = 0;
    if (rc == DB_ROW) {
        *id = db_col_i64(s, 0);
        inserted = 1;
        rc = db_step(s);
    } else if (rc == DB_DONE && !id) inserted = db_changes(s) > 0;
    db_done(s);
    unseal_free(&x);
    return rc == CX_ERR ? CX_ERR : inserted;
}

db_bulk *member_bulk_begin(db *d)
{
    return db_bulk_begin(d, "member", "part, org_id, " MEMBER_WRITE ", created_at, updated_at");
}

int member_bulk_row(db_bulk *b, const org *o, const member_rec *r, int64_t now)
{
    sealed x;
    seal(&x, r);
    bool ph = r->phone[0] != 0;
    int rc = db_bulk_row(b, "iisssibbsbbsssssssii", o->part, o->id, r->name, r->sex, r->ethnicity, atoi(r->birth_date),
                         DB_BLOB(x.ide.p, x.ide.len), DB_BLOB(x.ih, sizeof x.ih), x.imask,
                         DB_BLOB(ph ? x.phe.p : NULL, x.phe.len), DB_BLOB(ph ? x.ph : NULL, sizeof x.ph), x.pmask,
                         r->joined_date, r->full_date, r->education, r->post, r->duties, r->status, now, now);
    unseal_free(&x);
    return rc;
}

/* Opens the write transaction of a change to member id and loads it; 404 (rolled back) when missing.
 * On PostgreSQL the row is locked first, so two changes of one member do not both move the
 * subtree tallies from the same old state (SQLite's write transaction already serialises). */
static int begin_member(db *d, int64_t id, member *m, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return fail_db(d, e);
    if (db_kind_of(d) == DB_PG && db_run(d, "SELECT id FROM member WHERE id = ? FOR UPDATE", "i", id) != CX_OK) return fail_db(d, e);
    int f = member_get(d, id, m);
    if (f == 1) return CX_OK;
    if (f == 0) {
        db_rollback(d);
        return cx_fail(e, 404, "not_found", "id", "党员不存在");
    }
    return fail_db(d, e);
}

/* Inside a write transaction: the target org must be usable and the 身份证号 must not belong to
 * another member than self (0 for a new member). Rolls back and fills e on refusal. A member
 * outside a's subtree is neither named nor masked; the check is then audited and rate-limited
 * (idcard_lookup_allow), unless the 身份证号 is self's own, which looks at nothing outside. */
static int check_target(db *d, const actor *a, int64_t org_id, const member_rec *r, int64_t self, org *o, cx_err *e)
{
    if (check_org(d, org_id, o, e) != CX_OK) {
        db_rollback(d);
        return CX_ERR;
    }
    unsigned char h[CX_HASH_BYTES];
    crypto_field_hash(r->idcard, h);
    int64_t own = 0;
    if (self && db_i64(d, &own, 0, "SELECT count(*) FROM member WHERE id = ? AND idcard_hash = ?", "ib", self, h, sizeof h) != CX_OK)
        return fail_db(d, e);
    if (!own && idcard_lookup_allow(d, a, 1, e) != CX_OK) {
        db_rollback(d);
        return CX_ERR;
    }
    int64_t other = 0;
    char where[256] = "";
    int ex = member_idcard_where(d, a, r->idcard, &other, where);
    if (ex == CX_ERR) return fail_db(d, e);
    if (ex == ROLL_INSIDE && other != self) {
        db_rollback(d);
        return cx_fail(e, 409, "duplicate_member", "idcard", "身份证号 %.6s********%s 已在党员名册中（%s），请核实后再填写",
                       r->idcard, r->idcard + 14, where);
    }
    if (ex == ROLL_OUTSIDE) {
        db_rollback(d);
        /* the answer is given only once the lookup is on record */
        if (idcard_lookup_record(d, a, false, self ? "update" : "create", org_id, 1, 1) != CX_OK)
            return cx_fail(e, 500, "audit_failed", "", "无法记录本次身份证号核对，请重试");
        return cx_fail(e, 409, "registered_elsewhere", "idcard", "身份证号已在其他组织登记，请联系上级组织");
    }
    return CX_OK;
}

int member_create(db *d, const actor *a, int64_t org_id, const member_rec *r, int64_t *id, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return fail_db(d, e);
    org o;
    if (check_target(d, a, org_id, r, 0, &o, e) != CX_OK) return CX_ERR;
    int64_t nid = 0;
    int rc = member_insert_row(d, &o, r, now_unix(), &nid);
    if (rc == 0) { /* another request inserted the same 身份证号 since the check above */
        db_rollback(d);
        return cx_fail(e, 409, "duplicate_member", "idcard", "身份证号已在党员名册中（有人同时提交），请刷新后重试");
    }
    if (rc != 1 || tally_member_change(d, nid, NULL, false, NULL, o.path, true, r->status) != CX_OK ||
        account_auto_for_member(d, a, nid, &o) != CX_OK)
        return fail_db(d, e);
    if (store_finish(d, a, "create", "member", nid, org_id, NULL, member_json(r, org_id, 1), CX_OK, e) != CX_OK) return CX_ERR;
    if (id) *id = nid;
    return CX_OK;
}

int member_update(db *d, const actor *a, int64_t id, int64_t org_id, const member_rec *r, cx_err *e)
{
    member m;
    if (begin_member(d, id, &m, e) != CX_OK) return CX_ERR;
    org o;
    if (check_target(d, a, org_id, r, id, &o, e) != CX_OK) return CX_ERR;
    db_stmt *s = db_prepare(d, "UPDATE member SET part = ?, org_id = ?, (" MEMBER_WRITE ") = (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?), "
                               "version = version + 1, updated_at = ? WHERE id = ?");
    int rc = CX_ERR;
    if (s) {
        sealed x;
        seal(&x, r);
        db_bind_i64(s, 1, o.part);
        db_bind_i64(s, 2, org_id);
        bind_member(s, 3, r, &x);
        db_bind_i64(s, 19, now_unix());
        db_bind_i64(s, 20, id);
        rc = db_step(s) == CX_ERR ? CX_ERR : CX_OK;
        db_done(s);
        unseal_free(&x);
    }
    if (rc == CX_OK) rc = tally_member_change(d, id, m.org_path, m.active, m.r.status, o.path, m.active, r->status);
    if (rc == CX_OK && m.org_id != org_id) rc = account_follow_member(d, id, m.active, m.org_id, org_id); /* the grant moves too */
    if (rc == CX_OK && m.org_id != org_id) rc = part_follow_member(d, id); /* the photo too, to another province (part.h) */
    if (rc == CX_OK && m.org_id != org_id) rc = post_member_moved(d, a, id, o.path); /* posts outside the new place end (issue 19) */
    /* a transfer or a change to or from 预备党员 moves the 民主评议 rules of the branches concerned */
    if (rc == CX_OK && m.org_id != org_id) {
        char *why = xasprintf("%s已转出本支部", m.r.name);
        rc = grades_redo(d, a, 0, m.org_id, why);
        free(why);
        why = xasprintf("%s已转入本支部", r->name);
        if (rc == CX_OK) rc = grades_redo(d, a, 0, org_id, why);
        free(why);
    } else if (rc == CX_OK && strcmp(m.r.status, r->status)) {
        char *why = xasprintf("%s由%s改为%s", r->name, member_status_label(m.r.status), member_status_label(r->status));
        rc = grades_redo(d, a, 0, org_id, why);
        free(why);
    }
    return store_finish(d, a, m.org_id == org_id ? "update" : "transfer", "member", id, org_id,
                        member_json(&m.r, m.org_id, m.active), member_json(r, org_id, m.active), rc, e);
}

int member_set_active(db *d, const actor *a, int64_t id, int active, cx_err *e)
{
    member m;
    if (begin_member(d, id, &m, e) != CX_OK) return CX_ERR;
    int rc = db_run(d, "UPDATE member SET active = ?, version = version + 1, updated_at = ? WHERE id = ?", "iii",
                    (int64_t)active, now_unix(), id);
    if (rc == CX_OK) rc = tally_member_change(d, id, m.org_path, m.active, m.r.status, m.org_path, active, m.r.status);
    if (rc == CX_OK) rc = account_follow_member(d, id, active, m.org_id, m.org_id);
    if (rc == CX_OK && m.active != active) {
        char *why = xasprintf(active ? "%s已恢复在册" : "%s已停用（不在册）", m.r.name);
        rc = grades_redo(d, a, 0, m.org_id, why);
        free(why);
    }
    return store_finish(d, a, active ? "activate" : "deactivate", "member", id, m.org_id, member_json(&m.r, m.org_id, m.active),
                        member_json(&m.r, m.org_id, active), rc, e);
}

int member_decrypt(db *d, int64_t id, char idcard[19], char phone[32], int64_t *org_id, cx_err *e)
{
    db_stmt *s = db_prepare(d, "SELECT idcard_enc, phone_enc, org_id FROM member WHERE id = ?");
    if (!s) return fail_db(d, e);
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc != DB_ROW) {
        db_done(s);
        return rc == DB_DONE ? cx_fail(e, 404, "not_found", "id", "党员不存在") : fail_db(d, e);
    }
    size_t n1, n2;
    const void *b1 = db_col_blob(s, 0, &n1);
    const void *b2 = db_col_blob(s, 1, &n2);
    char *i = crypto_unseal(b1, n1);
    char *p = b2 ? crypto_unseal(b2, n2) : xstrdup("");
    if (org_id) *org_id = db_col_i64(s, 2);
    db_done(s);
    if (!i || !p) {
        free(i);
        free(p);
        return cx_fail(e, 500, "decrypt_failed", "idcard", "解密失败：密钥文件与数据库不匹配");
    }
    snprintf(idcard, 19, "%s", i);
    snprintf(phone, 32, "%s", p);
    sodium_memzero(i, strlen(i));
    free(i);
    free(p);
    return CX_OK;
}

int member_reveal(db *d, const actor *a, int64_t id, char idcard[19], char phone[32], cx_err *e)
{
    int64_t org_id = 0;
    if (member_decrypt(d, id, idcard, phone, &org_id, e) != CX_OK) return CX_ERR;
    /* The full view is itself a recorded event. */
    if (audit_record(d, a, "reveal", "member", id, org_id, NULL, "{\"fields\":[\"idcard\",\"phone\"]}", "ok") != CX_OK)
        return fail_db(d, e);
    return CX_OK;
}

/* The conditions of the filters present; end and like (the escaped search pattern) must outlive q. */
static void member_where(db_q *q, const member_query *f, char end[CX_PATH_MAX], buf *like)
{
    if (f->subtree) {
        orgpath_end(f->root->path, end, CX_PATH_MAX);
        db_q_where(q, "o.path >= ? AND o.path < ?", "ss", f->root->path, end);
    } else db_q_where(q, "m.org_id = ?", "i", f->root->id);
    if (!f->inactive) db_q_where(q, "m.active = 1", "");
    if (f->q && *f->q) {
        buf_addc(like, '%'); /* the search text with LIKE's wildcards escaped */
        for (const char *c = f->q; *c; c++) {
            if (*c == '%' || *c == '_' || *c == '\\') buf_addc(like, '\\');
            buf_addc(like, *c);
        }
        buf_addc(like, '%');
        db_q_where(q, "m.name LIKE ? ESCAPE '\\'", "s", like->p);
    }
}

/* Runs the count (fn NULL: *n) or the page of the member list. */
static int member_query_run(db *d, const member_query *f, const char *head, member_fn fn, void *ctx, int64_t *n)
{
    char end[CX_PATH_MAX];
    buf like;
    buf_init(&like);
    db_q q;
    db_q_init(&q, head);
    member_where(&q, f, end, &like);
    if (fn)
        db_q_add(&q, f->subtree ? " ORDER BY o.path, m.name, m.id LIMIT ? OFFSET ?" : " ORDER BY m.name, m.id LIMIT ? OFFSET ?", "ii",
                 f->limit > 0 ? f->limit : (int64_t)1000000000000000, f->offset);
    db_stmt *s = db_q_prepare(d, &q);
    if (!s) {
        buf_free(&like);
        return CX_ERR;
    }
    int rc;
    if (fn) {
        member *m = xmalloc(sizeof *m);
        while ((rc = db_step(s)) == DB_ROW) {
            read_member(s, m);
            if (fn(ctx, m)) break;
        }
        free(m);
    } else {
        rc = db_step(s);
        *n = rc == DB_ROW ? db_col_i64(s, 0) : 0;
    }
    db_done(s);
    buf_free(&like);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int member_list(db *d, const member_query *q, member_fn fn, void *ctx)
{
    return member_query_run(d, q, "SELECT " MEMBER_COLS " FROM member m JOIN org o ON o.id = m.org_id", fn, ctx, NULL);
}

int member_count(db *d, const member_query *q, int64_t *n)
{
    return member_query_run(d, q, "SELECT count(*) FROM member m JOIN org o ON o.id = m.org_id", NULL, NULL, n);
}

const char *photo_sniff(const void *data, size_t n)
{
    const unsigned char *p = data;
    if (n >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF) return "image/jpeg";
    if (n >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8)) return "image/png";
    return NULL;
}

int member_photo_set(db *d, const actor *a, int64_t id, const void *data, size_t n, cx_err *e)
{
    if (!data || !n) return cx_fail(e, 400, "photo_required", "photo", "请选择照片文件");
    if (n > PHOTO_MAX_BYTES) return cx_fail(e, 413, "photo_too_large", "photo", "照片不能超过 2 MB（收到 %.1f MB）", (double)n / 1048576.0);
    const char *mime = photo_sniff(data, n);
    if (!mime) return cx_fail(e, 400, "photo_type", "photo", "照片须为 JPEG 或 PNG 图片（按文件内容判断，而非文件名）");
    member m;
    if (begin_member(d, id, &m, e) != CX_OK) return CX_ERR;
    org o;
    if (org_get(d, m.org_id, &o) != 1) return fail_db(d, e); /* its part places the photo row */
    int64_t now = now_unix();
    char after[96];
    snprintf(after, sizeof after, "{\"photo\":\"%s\",\"bytes\":%zu}", mime, n);
    size_t cn; /* shown on the public card: stored without EXIF/GPS and other metadata */
    void *clean = media_clean(mime, data, n, &cn);
    int ins = db_run(d, "INSERT INTO member_photo (member_id, part, mime, data, updated_at) VALUES (?, ?, ?, ?, ?) "
                        "ON CONFLICT (member_id) DO UPDATE SET mime = excluded.mime, data = excluded.data, updated_at = excluded.updated_at",
                     "iisbi", id, o.part, mime, clean, cn, now);
    free(clean);
    if (ins != CX_OK ||
        db_run(d, "UPDATE member SET has_photo = 1, version = version + 1, updated_at = ? WHERE id = ?", "ii", now, id) != CX_OK ||
        audit_append(d, a, "photo", "member", id, m.org_id, NULL, after, "ok") != CX_OK || db_commit(d) != CX_OK)
        return fail_db(d, e);
    return CX_OK;
}

int member_photo_get(db *d, int64_t id, buf *out, char mime[32])
{
    db_stmt *s = db_prepare(d, "SELECT mime, data FROM member_photo WHERE member_id = ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW) {
        size_t n;
        const void *p = db_col_blob(s, 1, &n);
        snprintf(mime, 32, "%s", db_col_text(s, 0));
        buf_reset(out);
        buf_add(out, p, n);
    }
    db_done(s);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : CX_ERR;
}
