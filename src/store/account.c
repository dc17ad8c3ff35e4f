/* account.c: accounts for everyone (issue 16): the account policy of a subtree, accounts made in
 * bulk for members with one-time activation codes (sealed, expiring), accounts for staff, and what
 * those above do to an account: reset (a new code), lock, unlock, list, count, print slips.
 * Activation itself (the first sign-in) is in auth.c beside the login it shares its lock-out with. */
#include "store.h"
#include "row.h"
#include "standing.h"
#include "../lib/crypto.h"
#include "../lib/json.h"
#include "../lib/sms.h"
#include <inttypes.h>
#include <string.h>

#define DAY 86400

/* ---- policy ---- */

int account_policy_get(db *d, const char *org_path, account_policy *p, int64_t *from_org)
{
    account_policy_default(p);
    if (from_org) *from_org = 0;
    db_stmt *s = nearest_stmt(d, "account_policy", "t.username_rule, t.prefix, t.auto_create, t.code_days", org_path);
    if (!s) return CX_ERR;
    int rc = db_step(s);
    if (rc == DB_ROW) {
        if (from_org) *from_org = db_col_i64(s, 0);
        copy_col(p->username_rule, sizeof p->username_rule, s, 1);
        copy_col(p->prefix, sizeof p->prefix, s, 2);
        p->auto_create = (int)db_col_i64(s, 3);
        p->code_days = (int)db_col_i64(s, 4);
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

cJSON *account_policy_json(const account_policy *p)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "username_rule", p->username_rule);
    cJSON_AddStringToObject(j, "prefix", p->prefix);
    cJSON_AddBoolToObject(j, "auto_create", p->auto_create);
    cJSON_AddNumberToObject(j, "code_days", p->code_days);
    return j;
}

int account_policy_set(db *d, const actor *a, const org *o, const account_policy *p, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    account_policy old;
    if (account_policy_get(d, o->path, &old, NULL) != CX_OK) return db_fail(d, e);
    int rc = db_run(d,
                    "INSERT INTO account_policy (org_id, username_rule, prefix, auto_create, code_days, updated_at) VALUES (?,?,?,?,?,?) "
                    "ON CONFLICT (org_id) DO UPDATE SET username_rule = excluded.username_rule, prefix = excluded.prefix, "
                    "auto_create = excluded.auto_create, code_days = excluded.code_days, updated_at = excluded.updated_at",
                    "issiii", o->id, p->username_rule, p->prefix, (int64_t)p->auto_create, (int64_t)p->code_days, now_unix());
    return store_finish(d, a, "set_policy", "account", o->id, o->id, json_take(account_policy_json(&old)), json_take(account_policy_json(p)),
                        rc, e);
}

/* ---- making accounts ---- */

/* A fresh code, sealed into the row's activation_enc and shown to the caller in code. */
static void new_code(char code[ACTIVATION_CODE_LEN + 1], buf *sealed)
{
    activation_code_make(crypto_random_buf, code);
    crypto_seal(code, sealed);
}

/* Inserts an account waiting for activation under username; 1 made (*id), 0 the name is taken
 * (or, for a member, the member has an account: *member_taken), CX_ERR. Inside a transaction. */
static int insert_pending(db *d, const char *username, const char *display, int64_t member_id, int64_t expires, const buf *sealed,
                          int64_t *id)
{
    db_stmt *s = db_prepare(d, "INSERT INTO app_user (username, display_name, pw_hash, member_id, created_at, activation_enc, "
                               "activation_expires) VALUES (?, ?, '', ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, username);
    db_bind_text(s, 2, display);
    if (member_id) db_bind_i64(s, 3, member_id);
    else db_bind_null(s, 3);
    db_bind_i64(s, 4, now_unix());
    db_bind_blob(s, 5, sealed->p, sealed->len);
    db_bind_i64(s, 6, expires);
    int rc = db_step(s), got = 0;
    if (rc == DB_ROW) *id = db_col_i64(s, 0), got = 1, rc = db_step(s);
    db_done(s);
    return rc == CX_ERR ? CX_ERR : got;
}

static int grant_row(db *d, int64_t user_id, int role, int64_t org_id)
{
    return db_run(d, "INSERT INTO user_role (user_id, role, org_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", "isi", user_id,
                  role_name(role), org_id);
}

static int audit_made(db *d, audit_run *run, const actor *a, int64_t id, const char *username, int role, int64_t org_id, int64_t member_id,
                      const char *how)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "username", username);
    cJSON_AddStringToObject(j, "role", role_name(role));
    json_add_i64(j, "org_id", org_id);
    if (member_id) json_add_i64(j, "member_id", member_id);
    cJSON_AddStringToObject(j, "how", how);
    char *after = json_take(j);
    int rc = run ? audit_run_add(d, run, a, "create", "user", id, org_id, NULL, after, "ok") : audit_append(d, a, "create", "user", id, org_id, NULL, after, "ok");
    free(after);
    return rc;
}

typedef struct pending_member {
    int64_t id, org_id;
    char name[64], phone[32];
} pending_member;

#define BULK_MIN 64    /* from this many members, their accounts go through bulk inserts */
#define LOOKUP_NAMES 500 /* usernames looked up a statement (parameters: SQLite takes 32766, the PostgreSQL backend 1024) */

typedef struct named {
    char name[ACCOUNT_USERNAME_MAX + 1];
    size_t i;
} named;
static int by_name(const void *x, const void *y) { return strcmp(((const named *)x)->name, ((const named *)y)->name); }

/* fast[i]: member i's first username is free, on the roll and in the list (no one else's first),
 * so its account can be written without ON CONFLICT. */
static int first_names_free(db *d, const account_policy *pol, const pending_member *m, size_t n, named *nm, bool *fast)
{
    for (size_t i = 0; i < n; i++) account_username_for(pol, m[i].id, m[i].phone, 0, nm[i].name), nm[i].i = i, fast[i] = true;
    qsort(nm, n, sizeof *nm, by_name);
    for (size_t i = 0; i < n; i++) /* the same name twice: both one at a time */
        if (i + 1 < n && !strcmp(nm[i].name, nm[i + 1].name)) fast[nm[i].i] = fast[nm[i + 1].i] = false;
    int rc = CX_OK;
    for (size_t i = 0; rc == CX_OK && i < n; i += LOOKUP_NAMES) {
        size_t k = n - i < LOOKUP_NAMES ? n - i : LOOKUP_NAMES;
        char sql[128 + LOOKUP_NAMES * 2];
        int len = snprintf(sql, sizeof sql, "SELECT username FROM app_user WHERE username IN (");
        for (size_t r = 0; r < k; r++) len += snprintf(sql + len, sizeof sql - (size_t)len, r ? ",?" : "?");
        snprintf(sql + len, sizeof sql - (size_t)len, ")");
        db_stmt *s = db_prepare(d, sql);
        if (!s) return CX_ERR;
        for (size_t r = 0; r < k; r++) db_bind_text(s, (int)r + 1, nm[i + r].name);
        while ((rc = db_step(s)) == DB_ROW) {
            named key;
            snprintf(key.name, sizeof key.name, "%s", db_col_text(s, 0));
            named *hit = bsearch(&key, nm, n, sizeof *nm, by_name);
            if (hit) fast[hit->i] = false;
        }
        db_done(s);
        rc = rc == CX_ERR ? CX_ERR : CX_OK;
    }
    return rc;
}

static int by_member(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = ((const pending_member *)y)->id;
    return (a > b) - (a < b);
}

/* The accounts of the members marked fast (m in ascending id), through bulk inserts: the rows
 * (their ids given by the server in the list's order, read back by member), the roles, the audit
 * records (the run in bulk too). fast[i] is cleared for a member that got no account. */
static int make_bulk(db *d, audit_run *run, const actor *a, const pending_member *m, size_t n, const named *nm, bool *fast,
                     int64_t expires, account_bulk *out)
{
    int64_t before = 0, now = now_unix();
    if (db_i64(d, &before, 0, "SELECT coalesce(max(id), 0) FROM app_user", "") != CX_OK) return CX_ERR;
    char (*names)[ACCOUNT_USERNAME_MAX + 1] = xmalloc(n * sizeof *names);
    for (size_t i = 0; i < n; i++) memcpy(names[nm[i].i], nm[i].name, sizeof names[0]);
    buf sealed;
    buf_init(&sealed);
    db_bulk *b = db_bulk_begin(d, "app_user", "username, display_name, pw_hash, member_id, created_at, activation_enc, activation_expires");
    int rc = CX_OK;
    for (size_t i = 0; rc == CX_OK && i < n; i++) {
        if (!fast[i]) continue;
        char code[ACTIVATION_CODE_LEN + 1];
        buf_reset(&sealed);
        new_code(code, &sealed);
        rc = db_bulk_row(b, "sssiibi", names[i], m[i].name, "", m[i].id, now, DB_BLOB(sealed.p, sealed.len), expires);
        crypto_wipe(code, sizeof code);
    }
    buf_free(&sealed);
    if (rc != CX_OK) db_bulk_cancel(b);
    else rc = db_bulk_end(b);
    int64_t *uid = xcalloc(n, sizeof *uid);
    db_stmt *s = rc == CX_OK ? db_prepare(d, "SELECT member_id, id FROM app_user WHERE id > ? AND member_id IS NOT NULL ORDER BY id") : NULL;
    if (s) {
        db_bind_i64(s, 1, before);
        while ((rc = db_step(s)) == DB_ROW) {
            int64_t mid = db_col_i64(s, 0);
            const pending_member *p = bsearch(&mid, m, n, sizeof *m, by_member);
            if (p) uid[p - m] = db_col_i64(s, 1);
        }
        db_done(s);
        rc = rc == CX_ERR ? CX_ERR : CX_OK;
    } else rc = CX_ERR;
    b = rc == CX_OK ? db_bulk_begin(d, "user_role", "user_id, role, org_id") : NULL;
    for (size_t i = 0; rc == CX_OK && i < n; i++)
        if (fast[i] && uid[i]) rc = db_bulk_row(b, "isi", uid[i], role_name(ROLE_MEMBER), m[i].org_id);
    if (b && rc != CX_OK) db_bulk_cancel(b);
    else if (b) rc = db_bulk_end(b);
    if (rc == CX_OK) audit_run_bulk(d, run);
    for (size_t i = 0; rc == CX_OK && i < n; i++) {
        if (!fast[i]) continue;
        if (!uid[i]) fast[i] = false; /* not written: left to the one-at-a-time path */
        else if ((rc = audit_made(d, run, a, uid[i], names[i], ROLE_MEMBER, m[i].org_id, m[i].id, "bulk")) == CX_OK) out->made++;
    }
    free(uid);
    free(names);
    return rc;
}

/* Makes accounts for the members in list (inside the caller's transaction, its audit records in
 * run). Many at once: those whose first username is free through bulk inserts (make_bulk), the
 * rest (and a short list) one at a time, a taken name retried with the next. */
static int make_for(db *d, audit_run *run, const actor *a, const account_policy *pol, const pending_member *m, size_t n, account_bulk *out)
{
    int64_t expires = now_unix() + (int64_t)pol->code_days * DAY;
    bool *fast = xcalloc(n ? n : 1, sizeof *fast);
    int rc = CX_OK;
    if (n >= BULK_MIN) {
        named *nm = xmalloc(n * sizeof *nm);
        rc = first_names_free(d, pol, m, n, nm, fast);
        if (rc == CX_OK) rc = make_bulk(d, run, a, m, n, nm, fast, expires, out);
        free(nm);
    }
    buf sealed;
    buf_init(&sealed);
    for (size_t i = 0; i < n && rc == CX_OK; i++) {
        if (fast[i]) continue;
        char code[ACTIVATION_CODE_LEN + 1], username[ACCOUNT_USERNAME_MAX + 1];
        new_code(code, &sealed);
        int64_t uid = 0;
        int got = 0;
        for (int try = 0; try < 8 && got == 0; try++) {
            account_username_for(pol, m[i].id, m[i].phone, try, username);
            got = insert_pending(d, username, m[i].name, m[i].id, expires, &sealed, &uid);
            if (got == 0) { /* the name is taken, or another request gave the member an account meanwhile */
                int64_t has = 0;
                if (db_i64(d, &has, 0, "SELECT count(*) FROM app_user WHERE member_id = ?", "i", m[i].id) != CX_OK) got = CX_ERR;
                else if (has) break;
            }
        }
        if (got == CX_ERR) rc = CX_ERR;
        else if (got == 0) out->had++;
        else if (grant_row(d, uid, ROLE_MEMBER, m[i].org_id) != CX_OK ||
                 audit_made(d, run, a, uid, username, ROLE_MEMBER, m[i].org_id, m[i].id, "bulk") != CX_OK)
            rc = CX_ERR;
        else out->made++;
        crypto_wipe(code, sizeof code);
    }
    buf_free(&sealed);
    free(fast);
    return rc;
}

/* The active members under root (its subtree, or only its own) without an account (their phone
 * numbers unsealed only for pol's phone rule). */
static int members_without(db *d, const account_policy *pol, const org *root, bool subtree, int64_t first_id, pending_member **list, size_t *n)
{
    bool phones = !strcmp(pol->username_rule, "phone"); /* only a username of the phone rule needs the number */
    char end[CX_PATH_MAX];
    orgpath_end(root->path, end, sizeof end);
    db_q q;
    /* the sealed numbers only when they are used (100,000 of them are megabytes to send) */
    db_q_init(&q, phones ? "SELECT m.id, m.org_id, m.name, m.phone_enc FROM member m JOIN org o ON o.id = m.org_id"
                         : "SELECT m.id, m.org_id, m.name, NULL FROM member m JOIN org o ON o.id = m.org_id");
    if (first_id) db_q_where(&q, "m.id >= ?", "i", first_id);
    if (subtree) db_q_where(&q, "o.path >= ? AND o.path < ?", "ss", root->path, end);
    else db_q_where(&q, "m.org_id = ?", "i", root->id);
    db_q_where(&q, "m.active = 1 AND NOT EXISTS (SELECT 1 FROM app_user u WHERE u.member_id = m.id)", "");
    db_stmt *s = page_stmt(d, &q, " ORDER BY m.id", 0, 0);
    if (!s) return CX_ERR;
    size_t cap = 64;
    *list = xmalloc(cap * sizeof **list);
    *n = 0;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        if (*n == cap) *list = xrealloc(*list, (cap *= 2) * sizeof **list);
        pending_member *p = &(*list)[(*n)++];
        p->id = db_col_i64(s, 0);
        p->org_id = db_col_i64(s, 1);
        copy_col(p->name, sizeof p->name, s, 2);
        p->phone[0] = 0;
        if (phones && !db_col_null(s, 3)) {
            size_t len;
            const void *b = db_col_blob(s, 3, &len);
            char *ph = crypto_unseal(b, len);
            if (ph) snprintf(p->phone, sizeof p->phone, "%s", ph), free(ph);
        }
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int accounts_for_members(db *d, const actor *a, const org *root, bool subtree, account_bulk *out, cx_err *e)
{
    memset(out, 0, sizeof *out);
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    account_policy pol;
    pending_member *list = NULL;
    size_t n = 0;
    audit_run run = {0};
    if (account_policy_get(d, root->path, &pol, NULL) != CX_OK || members_without(d, &pol, root, subtree, 0, &list, &n) != CX_OK ||
        audit_run_begin(d, &run, root->id) != CX_OK || make_for(d, &run, a, &pol, list, n, out) != CX_OK) {
        free(list);
        audit_run_cancel(&run);
        return db_fail(d, e);
    }
    free(list);
    char *after = xasprintf("{\"made\":%" PRId64 ",\"subtree\":%s}", out->made, subtree ? "true" : "false");
    int rc = audit_run_add(d, &run, a, "bulk_create", "account", root->id, root->id, NULL, after, "ok");
    free(after);
    if (rc != CX_OK || audit_run_end(d, &run) != CX_OK || db_commit(d) != CX_OK) return db_fail(d, e);
    return CX_OK;
}

int account_auto_for_member(db *d, const actor *a, int64_t member_id, const org *o)
{
    account_policy pol;
    if (account_policy_get(d, o->path, &pol, NULL) != CX_OK) return CX_ERR;
    if (!pol.auto_create) return CX_OK;
    pending_member *list = NULL;
    size_t n = 0;
    account_bulk out = {0};
    audit_run run = {0};
    int rc = members_without(d, &pol, o, true, member_id, &list, &n);
    if (rc == CX_OK && n) rc = audit_run_begin(d, &run, o->id);
    if (rc == CX_OK && n) rc = make_for(d, &run, a, &pol, list, n, &out);
    if (rc == CX_OK && n) rc = audit_run_end(d, &run);
    else if (n) audit_run_cancel(&run);
    free(list);
    return rc;
}

int account_create(db *d, const actor *a, const account_ok *in, int role, const org *o, int64_t member_id, int64_t *id,
                   char code[ACTIVATION_CODE_LEN + 1], cx_err *e)
{
    if (!role_name(role)[0]) return cx_fail(e, 400, "invalid_role", "role", "角色无效");
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    account_policy pol;
    if (account_policy_get(d, o->path, &pol, NULL) != CX_OK) return db_fail(d, e);
    if (member_id) {
        member m;
        int f = member_get(d, member_id, &m);
        if (f == CX_ERR) return db_fail(d, e);
        if (f == 0 || m.org_id != o->id) {
            cx_fail(e, 404, "not_found", "member_id", "本组织没有这名党员");
            return refuse(d);
        }
    }
    buf sealed;
    buf_init(&sealed);
    new_code(code, &sealed);
    int64_t uid = 0;
    int got = insert_pending(d, in->username, in->display, member_id, now_unix() + (int64_t)pol.code_days * DAY, &sealed, &uid);
    buf_free(&sealed);
    if (got == CX_ERR) return db_fail(d, e);
    if (got == 0) {
        int64_t has = 0;
        if (member_id && db_i64(d, &has, 0, "SELECT count(*) FROM app_user WHERE member_id = ?", "i", member_id) != CX_OK) return db_fail(d, e);
        if (has) cx_fail(e, 409, "member_has_account", "member_id", "这名党员已有账号");
        else cx_fail(e, 409, "duplicate_username", "username", "用户名“%s”已存在", in->username);
        return refuse(d);
    }
    if (grant_row(d, uid, role, o->id) != CX_OK || (role == ROLE_LEADER && standing_user(d, uid, 1) != CX_OK) || /* a new account: nothing to take away */
        audit_made(d, NULL, a, uid, in->username, role, o->id, member_id, "single") != CX_OK ||
        db_commit(d) != CX_OK)
        return db_fail(d, e);
    if (id) *id = uid;
    return CX_OK;
}

/* ---- one account ---- */

#define ACCOUNT_COLS                                                                                                   \
    "u.id, u.username, coalesce(nullif(m.name, ''), u.display_name), coalesce(u.member_id, 0), u.active, u.locked, "    \
    "u.pw_hash <> '', u.activation_expires, u.created_at, coalesce(m.org_id, 0)"

static void read_account(db_stmt *s, void *out)
{
    account_row *r = out;
    r->id = db_col_i64(s, 0);
    copy_col(r->username, sizeof r->username, s, 1);
    copy_col(r->name, sizeof r->name, s, 2);
    r->member_id = db_col_i64(s, 3);
    r->active = (int)db_col_i64(s, 4);
    r->locked = (int)db_col_i64(s, 5);
    r->activated = (int)db_col_i64(s, 6);
    r->expires = db_col_i64(s, 7);
    r->created_at = db_col_i64(s, 8);
    r->member_org_id = db_col_i64(s, 9);
}

const char *account_status(const account_row *r, int64_t now)
{
    return !r->active ? "inactive" : r->locked ? "locked" : r->activated ? "active" : r->expires < now ? "expired" : "pending";
}

const char *account_status_label(const char *status)
{
    return !strcmp(status, "inactive") ? "已停用（党员不在册）"
           : !strcmp(status, "locked") ? "已锁定"
           : !strcmp(status, "active") ? "已激活"
           : !strcmp(status, "expired") ? "激活码已过期"
                                         : "待激活";
}

/* Every grant of the account, whatever the state of its organisations (a manager must cover all). */
int account_grants(db *d, int64_t user_id, grant *g, int cap, int *n)
{
    *n = 0;
    db_stmt *s = db_prepare(d, "SELECT r.role, r.org_id, o.path FROM user_role r JOIN org o ON o.id = r.org_id WHERE r.user_id = ? "
                               "ORDER BY length(o.path), r.role");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, user_id);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        if (*n == cap) continue; /* more than cap grants: the caller sees cap and refuses to manage it */
        grant *x = &g[(*n)++];
        x->role = role_from_name(db_col_text(s, 0));
        x->org_id = db_col_i64(s, 1);
        copy_col(x->path, sizeof x->path, s, 2);
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int account_get(db *d, int64_t id, account_row *out)
{
    return row_by_id(d, "SELECT " ACCOUNT_COLS " FROM app_user u LEFT JOIN member m ON m.id = u.member_id WHERE u.id = ?", id, read_account,
                     out, sizeof *out);
}

/* Opens the write transaction with the account read afresh inside it. */
static int begin_account(db *d, int64_t id, account_row *r, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    int f = account_get(d, id, r);
    if (f == CX_ERR) return db_fail(d, e);
    if (f == 0) {
        cx_fail(e, 404, "not_found", "id", "账号不存在");
        return refuse(d);
    }
    return CX_OK;
}

static int end_sessions(db *d, int64_t user_id) { return db_run(d, "DELETE FROM web_session WHERE user_id = ?", "i", user_id); }

int account_reset(db *d, const actor *a, int64_t id, char code[ACTIVATION_CODE_LEN + 1], int64_t *expires, cx_err *e)
{
    account_row r;
    if (begin_account(d, id, &r, e) != CX_OK) return CX_ERR;
    if (!r.active) {
        cx_fail(e, 409, "account_inactive", "id", "账号已随党员停用，不能重置");
        return refuse(d);
    }
    org o = {0};
    account_policy pol;
    if (r.member_org_id && org_get(d, r.member_org_id, &o) == CX_ERR) return db_fail(d, e);
    if (account_policy_get(d, o.path[0] ? o.path : "/", &pol, NULL) != CX_OK) return db_fail(d, e);
    buf sealed;
    buf_init(&sealed);
    new_code(code, &sealed);
    *expires = now_unix() + (int64_t)pol.code_days * DAY;
    /* the second factor goes with the password: the new owner of the code enrols again */
    int rc = db_run(d, "UPDATE app_user SET pw_hash = '', activation_enc = ?, activation_expires = ?, totp_enc = NULL, totp_on = 0, totp_step = 0 "
                       "WHERE id = ?", "bii", sealed.p, sealed.len, *expires, id);
    if (rc == CX_OK) rc = db_run(d, "DELETE FROM login_pending WHERE user_id = ?", "i", id);
    buf_free(&sealed);
    if (rc == CX_OK) rc = end_sessions(d, id);
    if (rc == CX_OK) rc = db_run(d, "DELETE FROM login_lock WHERE username = ?", "s", r.username);
    return store_finish(d, a, "reset", "user", id, r.member_org_id, NULL, xasprintf("{\"username\":\"%s\"}", r.username), rc, e);
}

int account_set_locked(db *d, const actor *a, int64_t id, int locked, cx_err *e)
{
    account_row r;
    if (begin_account(d, id, &r, e) != CX_OK) return CX_ERR;
    int rc = db_run(d, "UPDATE app_user SET locked = ? WHERE id = ?", "ii", (int64_t)locked, id);
    if (rc == CX_OK && locked) rc = end_sessions(d, id);
    return store_finish(d, a, locked ? "lock" : "unlock", "user", id, r.member_org_id, xasprintf("{\"locked\":%d}", r.locked),
                        xasprintf("{\"locked\":%d}", locked), rc, e);
}

int account_follow_member(db *d, int64_t member_id, int active, int64_t old_org, int64_t new_org)
{
    int64_t uid = 0; /* the account's standing when it also holds a leader grant (standing.h) */
    if (db_i64(d, &uid, 0, "SELECT id FROM app_user WHERE member_id = ?", "i", member_id) != CX_OK || standing_user(d, uid, -1) != CX_OK ||
        db_run(d, "UPDATE app_user SET active = ? WHERE member_id = ?", "ii", (int64_t)active, member_id) != CX_OK || standing_user(d, uid, 1) != CX_OK)
        return CX_ERR;
    if (!active && db_run(d, "DELETE FROM web_session WHERE user_id IN (SELECT id FROM app_user WHERE member_id = ?)", "i", member_id) != CX_OK)
        return CX_ERR;
    if (old_org == new_org) return CX_OK;
    /* the member grant moves with the member: the old one is dropped, the new one made (kept once) */
    return db_run(d, "DELETE FROM user_role WHERE role = 'member' AND org_id = ? AND user_id IN (SELECT id FROM app_user WHERE member_id = ?)",
                  "ii", old_org, member_id) == CX_OK &&
                   db_run(d, "INSERT INTO user_role (user_id, role, org_id) SELECT id, 'member', ? FROM app_user WHERE member_id = ? "
                             "ON CONFLICT DO NOTHING", "ii", new_org, member_id) == CX_OK
               ? CX_OK
               : CX_ERR;
}

/* ---- lists ---- */

/* Accounts holding a grant in the subtree (or at the organisation only). */
/* Appends to q (its columns already there) the accounts of the query f. */
static void account_where(db_q *q, const account_query *f, char *end, size_t cap, char like[200], int64_t now)
{
    orgpath_end(f->root->path, end, cap);
    db_q_add(q, " FROM app_user u", "");
    if (f->with_member || (f->q && *f->q)) db_q_add(q, " LEFT JOIN member m ON m.id = u.member_id", ""); /* for names */
    /* driven from the subtree's grants (org path range, user_role_org), not a scan of every account */
    if (f->own) db_q_where(q, "u.id IN (SELECT r.user_id FROM user_role r WHERE r.org_id = ?)", "i", f->root->id);
    else
        db_q_where(q, "u.id IN (SELECT r.user_id FROM org o JOIN user_role r ON r.org_id = o.id WHERE o.path >= ? AND o.path < ?)", "ss",
                   f->root->path, end);
    if (f->status && !strcmp(f->status, "pending")) db_q_where(q, "u.active = 1 AND u.locked = 0 AND u.pw_hash = '' AND u.activation_expires >= ?", "i", now);
    else if (f->status && !strcmp(f->status, "expired")) db_q_where(q, "u.active = 1 AND u.locked = 0 AND u.pw_hash = '' AND u.activation_expires < ?", "i", now);
    else if (f->status && !strcmp(f->status, "active")) db_q_where(q, "u.active = 1 AND u.locked = 0 AND u.pw_hash <> ''", "");
    else if (f->status && !strcmp(f->status, "locked")) db_q_where(q, "u.active = 1 AND u.locked = 1", "");
    else if (f->status && !strcmp(f->status, "inactive")) db_q_where(q, "u.active = 0", "");
    if (f->q && *f->q) {
        snprintf(like, 200, "%%%s%%", f->q);
        db_q_where(q, "(u.username LIKE ? OR m.name LIKE ?)", "ss", like, like);
    }
}

int account_list(db *d, const account_query *f, int (*fn)(void *ctx, const account_row *r), void *ctx)
{
    db_q q;
    char end[CX_PATH_MAX], like[200];
    db_q_init(&q, "SELECT " ACCOUNT_COLS);
    account_query g = *f;
    g.with_member = true;
    account_where(&q, &g, end, sizeof end, like, now_unix());
    db_stmt *s = page_stmt(d, &q, " ORDER BY u.username", f->offset, f->limit);
    if (!s) return CX_ERR;
    return DB_EACH(s, account_row, read_account, fn, ctx);
}

int account_count(db *d, const account_query *f, int64_t *n)
{
    db_q q;
    char end[CX_PATH_MAX], like[200];
    db_q_init(&q, "SELECT count(*)");
    account_where(&q, f, end, sizeof end, like, now_unix());
    return db_q_count(d, &q, n);
}

int account_members_without(db *d, const org *root, int64_t *n)
{
    char end[CX_PATH_MAX];
    orgpath_end(root->path, end, sizeof end);
    return db_i64(d, n, 0,
                  "SELECT count(*) FROM org o JOIN member m ON m.org_id = o.id AND m.active = 1 "
                  "WHERE o.path >= ? AND o.path < ? AND NOT EXISTS (SELECT 1 FROM app_user u WHERE u.member_id = m.id)",
                  "ss", root->path, end);
}

int account_stats_get(db *d, const org *root, account_stats *st)
{
    memset(st, 0, sizeof *st);
    char end[CX_PATH_MAX];
    orgpath_end(root->path, end, sizeof end);
    if (db_i64(d, &st->members, 0,
               "SELECT count(*) FROM member m JOIN org o ON o.id = m.org_id WHERE o.path >= ? AND o.path < ? AND m.active = 1", "ss",
               root->path, end) != CX_OK ||
        account_members_without(d, root, &st->without) != CX_OK)
        return CX_ERR;
    /* the four states in one pass over the subtree's accounts (the same conditions as account_where's) */
    db_q q;
    char like[200];
    int64_t now = now_unix();
    db_q_init(&q, "");
    db_q_add(&q,
                  "SELECT coalesce(sum(CASE WHEN u.active = 1 AND u.locked = 0 AND u.pw_hash = '' AND u.activation_expires >= ? THEN 1 ELSE 0 END), 0), "
                  "coalesce(sum(CASE WHEN u.active = 1 AND u.locked = 0 AND u.pw_hash = '' AND u.activation_expires < ? THEN 1 ELSE 0 END), 0), "
                  "coalesce(sum(CASE WHEN u.active = 1 AND u.locked = 0 AND u.pw_hash <> '' THEN 1 ELSE 0 END), 0), "
                  "coalesce(sum(CASE WHEN u.active = 1 AND u.locked = 1 THEN 1 ELSE 0 END), 0)", "ii", now, now);
    account_where(&q, &(account_query){.root = root}, end, sizeof end, like, now);
    db_stmt *s = db_q_prepare(d, &q);
    if (!s) return CX_ERR;
    int rc = db_step(s);
    if (rc == DB_ROW) st->pending = db_col_i64(s, 0), st->expired = db_col_i64(s, 1), st->activated = db_col_i64(s, 2), st->locked = db_col_i64(s, 3);
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* ---- slips (激活单) ---- */

int account_slips(db *d, const actor *a, const org *o, int (*fn)(void *ctx, const account_slip *s), void *ctx, int64_t *n)
{
    *n = 0;
    /* accounts granted at this organisation, waiting for activation with a valid code */
    db_stmt *s = db_prepare(d, "SELECT u.id, u.username, coalesce(nullif(m.name, ''), u.display_name), u.activation_enc, u.activation_expires "
                               "FROM app_user u LEFT JOIN member m ON m.id = u.member_id WHERE u.active = 1 AND u.locked = 0 "
                               "AND u.pw_hash = '' AND u.activation_expires >= ? AND u.activation_enc IS NOT NULL "
                               "AND EXISTS (SELECT 1 FROM user_role r WHERE r.user_id = u.id AND r.org_id = ?) ORDER BY m.name, u.username");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, now_unix());
    db_bind_i64(s, 2, o->id);
    int rc, stop = 0;
    account_slip x;
    while (!stop && (rc = db_step(s)) == DB_ROW) {
        memset(&x, 0, sizeof x);
        x.id = db_col_i64(s, 0);
        copy_col(x.username, sizeof x.username, s, 1);
        copy_col(x.name, sizeof x.name, s, 2);
        size_t len;
        const void *b = db_col_blob(s, 3, &len);
        char *code = crypto_unseal(b, len);
        if (!code) continue; /* not authentic: no slip rather than a wrong one */
        snprintf(x.code, sizeof x.code, "%s", code);
        crypto_wipe(code, strlen(code));
        free(code);
        x.expires = db_col_i64(s, 4);
        (*n)++;
        stop = fn(ctx, &x);
    }
    crypto_wipe(x.code, sizeof x.code);
    db_done(s);
    if (rc == CX_ERR) return CX_ERR;
    char *after = xasprintf("{\"slips\":%" PRId64 "}", *n);
    rc = audit_record(d, a, "print_slips", "account", o->id, o->id, NULL, after, "ok");
    free(after);
    return rc;
}

/* ---- activation codes by SMS ---- */

typedef struct sms_target {
    int64_t user_id, expires;
    char username[64], name[64], phone[32], mask[32], code[ACTIVATION_CODE_LEN + 1];
} sms_target;

int account_sms_codes(db *d, const actor *a, const org *o, const char *activate_url, account_sms *out, cx_err *e)
{
    memset(out, 0, sizeof *out);
    if (!strcmp(sms_gateway_name(), "none")) return sms_send("", "", e); /* says: not available */
    int64_t now = now_unix();
    /* o's members waiting for activation with a valid code and a phone on record, not sent one
     * in the last day */
    db_stmt *s = db_prepare(d, "SELECT u.id, u.username, m.name, m.phone_enc, m.phone_mask, u.activation_enc, u.activation_expires "
                               "FROM app_user u JOIN member m ON m.id = u.member_id WHERE m.org_id = ? AND u.active = 1 AND u.locked = 0 "
                               "AND u.pw_hash = '' AND u.activation_expires >= ? AND u.activation_enc IS NOT NULL ORDER BY m.name");
    if (!s) return db_fail(d, e);
    db_bind_i64(s, 1, o->id);
    db_bind_i64(s, 2, now);
    size_t n = 0, cap = 16;
    sms_target *t = xmalloc(cap * sizeof *t);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        if (db_col_null(s, 3)) {
            out->no_phone++;
            continue;
        }
        if (n == cap) t = xrealloc(t, (cap *= 2) * sizeof *t);
        sms_target *x = &t[n];
        memset(x, 0, sizeof *x);
        x->user_id = db_col_i64(s, 0);
        copy_col(x->username, sizeof x->username, s, 1);
        copy_col(x->name, sizeof x->name, s, 2);
        size_t len;
        const void *b = db_col_blob(s, 3, &len);
        char *ph = crypto_unseal(b, len);
        b = db_col_blob(s, 5, &len);
        char *code = crypto_unseal(b, len);
        if (ph && code) {
            snprintf(x->phone, sizeof x->phone, "%s", ph);
            snprintf(x->code, sizeof x->code, "%s", code);
            copy_col(x->mask, sizeof x->mask, s, 4);
            x->expires = db_col_i64(s, 6);
            n++;
        }
        if (code) crypto_wipe(code, strlen(code));
        free(ph), free(code);
    }
    db_done(s);
    int result = rc == CX_ERR ? db_fail(d, e) : CX_OK;
    for (size_t i = 0; i < n && result == CX_OK; i++) {
        int64_t recent = 0;
        if (db_i64(d, &recent, 0, "SELECT count(*) FROM message_log WHERE user_id = ? AND kind = 'activation' AND result = 'sent' AND created_at > ?",
                   "ii", t[i].user_id, now - DAY) != CX_OK) {
            result = db_fail(d, e);
            break;
        }
        if (recent) {
            out->recent++;
            continue;
        }
        char shown[ACTIVATION_CODE_LEN + 2], until[32], text[400];
        activation_code_show(t[i].code, shown);
        time_text(t[i].expires, false, until);
        snprintf(text, sizeof text, "【创先争优】%s同志：您的账号是 %s，激活码 %s，%.10s前有效。请打开 %s 设置密码。", t[i].name, t[i].username, shown, until,
                 activate_url);
        cx_err se = {0};
        bool sent = sms_send(t[i].phone, text, &se) == CX_OK;
        crypto_wipe(text, sizeof text);
        if (sent) out->sent++;
        else out->failed++;
        if (db_run(d, "INSERT INTO message_log (user_id, channel, kind, phone_mask, result, created_at) VALUES (?, 'sms', 'activation', ?, ?, ?)",
                   "issi", t[i].user_id, t[i].mask, sent ? "sent" : "failed", now) != CX_OK)
            result = db_fail(d, e);
    }
    for (size_t i = 0; i < n; i++) crypto_wipe(&t[i], sizeof t[i]);
    free(t);
    if (result != CX_OK) return CX_ERR;
    char *after = xasprintf("{\"sent\":%" PRId64 ",\"failed\":%" PRId64 ",\"recent\":%" PRId64 ",\"no_phone\":%" PRId64 "}", out->sent, out->failed,
                            out->recent, out->no_phone);
    rc = audit_record(d, a, "sms_codes", "account", o->id, o->id, NULL, after, "ok");
    free(after);
    return rc == CX_OK ? CX_OK : db_fail(d, e);
}
