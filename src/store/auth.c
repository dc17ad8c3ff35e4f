/* auth.c: accounts (argon2id), role grants, login with lock-out, the second factor of staff (TOTP:
 * enrolment, the sign-in's second step, off, an office's requirement) behind the same lock-out,
 * and sessions whose cookie token is stored only as its SHA-256. */
#include "store.h"
#include "row.h"
#include "standing.h"
#include "../domain/account.h"
#include "../lib/crypto.h"
#include "../lib/pwgate.h"
#include "../lib/totp.h"
#include <cjson/cJSON.h>
#include <pthread.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define LOCK_FAILURES 5
#define LOCK_CEILING 100 /* checked failures of one name from all addresses in the window */

/* A real hash to verify against for unknown usernames. */
static char dummy_hash[128];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static void make_dummy(void) { crypto_pw_hash("dummy-password-0", dummy_hash); }
#define LOCK_SECONDS (15 * 60)

int user_create(db *d, const actor *a, const account_ok *in, int64_t member_id, int64_t *id, cx_err *e)
{
    char hash[128];
    if (crypto_pw_hash(in->password, hash) != CX_OK) return cx_fail(e, 500, "hash_failed", "password", "密码哈希失败（内存不足）");
    return user_create_hashed(d, a, in, hash, member_id, id, e);
}

int user_create_hashed(db *d, const actor *a, const account_ok *in, const char *hash, int64_t member_id, int64_t *id, cx_err *e)
{
    const char *username = in->username, *display = in->display;
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    int64_t exists = 0, pending = 0, activated = 0;
    if (db_i64(d, &exists, 0, "SELECT count(*) FROM app_user WHERE username = ?", "s", username) != CX_OK ||
        (member_id && (db_i64(d, &pending, 0, "SELECT id FROM app_user WHERE member_id = ? AND pw_hash = ''", "i", member_id) != CX_OK ||
                       db_i64(d, &activated, 0, "SELECT id FROM app_user WHERE member_id = ? AND pw_hash <> ''", "i", member_id) != CX_OK)))
        return db_fail(d, e);
    if (exists) {
        db_rollback(d);
        return cx_fail(e, 409, "duplicate_username", "username", "用户名“%s”已存在", username);
    }
    if (activated) {
        db_rollback(d);
        return cx_fail(e, 409, "member_has_account", "member", "这名党员已有账号（已激活）");
    }
    if (pending) { /* the member's account made in bulk, never used: it takes this name and password */
        char *after = xasprintf("{\"username\":\"%s\",\"how\":\"takeover\"}", username);
        int rc = db_run(d, "UPDATE app_user SET username = ?, display_name = ?, pw_hash = ?, activation_enc = NULL, activation_expires = 0 "
                           "WHERE id = ?", "sssi", username, display, hash, pending);
        if (rc == CX_OK) rc = audit_append(d, a, "create", "user", pending, 0, NULL, after, "ok");
        free(after);
        if (rc != CX_OK || db_commit(d) != CX_OK) return db_fail(d, e);
        if (id) *id = pending;
        return CX_OK;
    }
    db_stmt *s = db_prepare(d, "INSERT INTO app_user (username, display_name, pw_hash, member_id, created_at) "
                               "VALUES (?, ?, ?, ?, ?) RETURNING id");
    if (!s) return db_fail(d, e);
    db_bind_text(s, 1, username);
    db_bind_text(s, 2, display);
    db_bind_text(s, 3, hash);
    if (member_id) db_bind_i64(s, 4, member_id);
    else db_bind_null(s, 4);
    db_bind_i64(s, 5, now_unix());
    int64_t nid = 0;
    int rc = db_step(s);
    if (rc == DB_ROW) nid = db_col_i64(s, 0), rc = db_step(s);
    db_done(s);
    if (rc == CX_ERR) return db_fail(d, e);
    char *after = xasprintf("{\"username\":\"%s\"}", username); /* username is [A-Za-z0-9_.-] */
    rc = audit_append(d, a, "create", "user", nid, 0, NULL, after, "ok");
    free(after);
    if (rc != CX_OK || db_commit(d) != CX_OK) return db_fail(d, e);
    if (id) *id = nid;
    return CX_OK;
}

int user_set_password(db *d, const actor *a, const char *username, const char *password, cx_err *e)
{
    if (password_check(password, e) != CX_OK) return CX_ERR;
    int64_t id;
    if (user_find(d, username, &id) != 1) return cx_fail(e, 404, "not_found", "username", "用户“%s”不存在", username);
    char hash[128];
    if (crypto_pw_hash(password, hash) != CX_OK) return cx_fail(e, 500, "hash_failed", "password", "密码哈希失败");
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    if (db_run(d, "UPDATE app_user SET pw_hash = ?, failed_count = 0, locked_until = 0 WHERE id = ?", "si", hash, id) != CX_OK ||
        db_run(d, "DELETE FROM login_lock WHERE username = ?", "s", username) != CX_OK ||
        audit_append(d, a, "set_password", "user", id, 0, NULL, NULL, "ok") != CX_OK || db_commit(d) != CX_OK)
        return db_fail(d, e);
    return CX_OK;
}

int user_grant(db *d, const actor *a, int64_t user_id, int role, int64_t org_id, cx_err *e)
{
    if (!role_name(role)[0]) return cx_fail(e, 400, "invalid_role", "role", "角色无效");
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    org o;
    if (org_get(d, org_id, &o) != 1) {
        db_rollback(d);
        return cx_fail(e, 404, "not_found", "org_id", "党组织不存在");
    }
    bool leader = role == ROLE_LEADER; /* a leader grant moves the leaders' standing (standing.h) */
    if ((leader && standing_user(d, user_id, -1) != CX_OK) ||
        db_run(d, "INSERT INTO user_role (user_id, role, org_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", "isi", user_id, role_name(role), org_id) !=
            CX_OK ||
        (leader && standing_user(d, user_id, 1) != CX_OK))
        return db_fail(d, e);
    char *after = xasprintf("{\"role\":\"%s\",\"org_id\":%" PRId64 "}", role_name(role), org_id);
    int rc = audit_append(d, a, "grant", "user", user_id, org_id, NULL, after, "ok");
    free(after);
    if (rc != CX_OK || db_commit(d) != CX_OK) return db_fail(d, e);
    return CX_OK;
}

int user_find(db *d, const char *username, int64_t *id)
{
    db_stmt *s = db_prepare(d, "SELECT id FROM app_user WHERE username = ?");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, username);
    int rc = db_step(s);
    if (rc == DB_ROW) *id = db_col_i64(s, 0);
    db_done(s);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : CX_ERR;
}

/* 1 when an office at or above one of p's staff grants requires the second factor, else 0: any
 * policy up the tree that requires it holds (an office below cannot waive it). */
static int totp_required(db *d, const principal *p)
{
    for (int i = 0; i < p->ngrants; i++) {
        if (!(p->grants[i].role & ROLE_STAFF)) continue;
        db_stmt *s = nearest_stmt(d, "totp_policy", "t.required", p->grants[i].path);
        if (!s) return CX_ERR;
        int rc, req = 0;
        while (!req && (rc = db_step(s)) == DB_ROW) req = db_col_i64(s, 1) != 0;
        db_done(s);
        if (rc == CX_ERR) return CX_ERR;
        if (req) return 1;
    }
    return 0;
}

int user_load(db *d, int64_t user_id, principal *p)
{
    memset(p, 0, sizeof *p);
    /* an account linked to a member is shown (and signs records) by the member's own name */
    db_stmt *s = db_prepare(d, "SELECT u.id, u.username, coalesce(nullif(m.name, ''), u.display_name), u.member_id, u.totp_on FROM app_user u "
                               "LEFT JOIN member m ON m.id = u.member_id WHERE u.id = ? AND u.active = 1 AND u.locked = 0");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, user_id);
    int rc = db_step(s);
    if (rc == DB_ROW) {
        p->user_id = db_col_i64(s, 0);
        snprintf(p->username, sizeof p->username, "%s", db_col_text(s, 1));
        snprintf(p->display_name, sizeof p->display_name, "%s", db_col_text(s, 2));
        p->member_id = db_col_null(s, 3) ? 0 : db_col_i64(s, 3);
        p->totp_on = db_col_i64(s, 4) != 0;
    }
    db_done(s);
    if (rc != DB_ROW) return rc == DB_DONE ? 0 : CX_ERR;
    s = db_prepare(d, "SELECT r.role, r.org_id, o.path FROM user_role r JOIN org o ON o.id = r.org_id "
                      "WHERE r.user_id = ? AND o.active = 1 ORDER BY length(o.path), r.role");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, user_id);
    while ((rc = db_step(s)) == DB_ROW && p->ngrants < (int)(sizeof p->grants / sizeof p->grants[0])) {
        grant *g = &p->grants[p->ngrants];
        const char *path = db_col_text(s, 2);
        if (strlen(path) >= sizeof g->path) continue; /* a cut path would cover an ancestor: drop it */
        g->role = role_from_name(db_col_text(s, 0));
        g->org_id = db_col_i64(s, 1);
        memcpy(g->path, path, strlen(path) + 1);
        p->ngrants++;
    }
    db_done(s);
    if (rc == CX_ERR) return CX_ERR;
    if (!p->totp_on) {
        int req = totp_required(d, p);
        if (req == CX_ERR) return CX_ERR;
        p->totp_due = req == 1;
    }
    return 1;
}

/* The 423 answer, the same for every name, known or not, and for every path to it. */
static int locked_fail(cx_err *e, int64_t until, int64_t now)
{
    return cx_fail(e, 423, "account_locked", "username", "连续 %d 次密码错误，此账号已在您的网络上锁定，请 %" PRId64 " 分钟后再试",
                   LOCK_FAILURES, (until - now + 59) / 60);
}

/* Counts one more failure of (username, addr) in the window; returns the count and the lock. */
static int lock_bump(db *d, const char *username, const char *addr, int64_t now, int64_t *failures, int64_t *locked)
{
    db_stmt *s = db_prepare(d, "INSERT INTO login_lock (username, addr, failures, since, locked_until) VALUES (?, ?, 1, ?, 0) "
                               "ON CONFLICT (username, addr) DO UPDATE SET "
                               "failures = CASE WHEN login_lock.since < ? THEN 1 ELSE login_lock.failures + 1 END, "
                               "since = CASE WHEN login_lock.since < ? THEN ? ELSE login_lock.since END "
                               "RETURNING failures, locked_until");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, username);
    db_bind_text(s, 2, addr);
    db_bind_i64(s, 3, now);
    db_bind_i64(s, 4, now - LOCK_SECONDS);
    db_bind_i64(s, 5, now - LOCK_SECONDS);
    db_bind_i64(s, 6, now);
    int rc = db_step(s);
    if (rc == DB_ROW) *failures = db_col_i64(s, 0), *locked = db_col_i64(s, 1), rc = db_step(s);
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

static int lock_set(db *d, const char *username, const char *addr, int64_t until)
{
    return db_run(d, "UPDATE login_lock SET locked_until = ?, failures = 0, since = ? WHERE username = ? AND addr = ?", "iiss", until,
                  until - LOCK_SECONDS, username, addr);
}

/* The client address as the lock-out keeps it: a keyed hash, never the address itself. */
static void addr_key_of(const char *addr, char out[40])
{
    unsigned char h[CX_HASH_BYTES];
    char *k = xasprintf("login\x1f%s", addr ? addr : "");
    crypto_keyed_hash(k, h);
    free(k);
    for (int i = 0; i < 16; i++) snprintf(out + 2 * i, 3, "%02x", h[i]);
}

/* The gate every check of a secret (password, activation code) of a name passes first.
 * Lock-out is by (username, address), known name or not: a guesser at one address locks only
 * that address out, and a 423 tells nothing about which accounts exist. The attempt is counted
 * before the secret is checked, atomically, so parallel guesses cannot get more than
 * LOCK_FAILURES checks between two looks at the counter. Checked failures from all addresses
 * count on the row '*': past LOCK_CEILING in the window the name is locked for every address
 * (an attack from many addresses). CX_OK to go on (*attempt: this attempt's number), or CX_ERR
 * with e (423, audited as what, or a database error). */
static int lock_gate(db *d, const actor *who, bool known, const char *what, const char *addr_key, int64_t now, int64_t *attempt, cx_err *e)
{
    const char *username = who->name;
    int64_t locked = 0, all_locked = 0;
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    if (lock_bump(d, username, addr_key, now, attempt, &locked) != CX_OK) return db_fail(d, e);
    if (db_i64(d, &all_locked, 0, "SELECT locked_until FROM login_lock WHERE username = ? AND addr = '*'", "s", username) != CX_OK)
        return db_fail(d, e);
    if (locked > now || all_locked > now || *attempt > LOCK_FAILURES) {
        if (locked <= now && all_locked <= now) locked = now + LOCK_SECONDS;
        if ((locked > now && lock_set(d, username, addr_key, locked) != CX_OK) ||
            audit_append(d, who, what, "user", who->user_id, 0, NULL, NULL, known ? "locked" : "unknown_user_locked") != CX_OK ||
            db_commit(d) != CX_OK)
            return db_fail(d, e);
        return locked_fail(e, locked > all_locked ? locked : all_locked, now);
    }
    if (db_commit(d) != CX_OK) return db_fail(d, e);
    return CX_OK;
}

/* After a failed check: locks the name at the address at the LOCK_FAILURES-th failure, counts
 * the failure on '*', audits it with result. CX_OK, or CX_ERR with e: 423 when this failure
 * locked, a database error. */
static int lock_failed(db *d, const actor *who, const char *what, const char *result, const char *addr_key, int64_t attempt,
                       int64_t now, cx_err *e)
{
    const char *username = who->name;
    int64_t all = 0, all_locked = 0;
    bool lock = attempt >= LOCK_FAILURES;
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    if ((lock && lock_set(d, username, addr_key, now + LOCK_SECONDS) != CX_OK) || lock_bump(d, username, "*", now, &all, &all_locked) != CX_OK ||
        (all >= LOCK_CEILING && lock_set(d, username, "*", now + LOCK_SECONDS) != CX_OK) ||
        audit_append(d, who, what, "user", who->user_id, 0, NULL, NULL, lock ? "fail_locked" : result) != CX_OK || db_commit(d) != CX_OK)
        return db_fail(d, e);
    if (lock) return locked_fail(e, now + LOCK_SECONDS, now);
    return CX_OK;
}

/* After a secret passed: the name's failures at this address, on '*' and any past the window go. */
static int lock_clear(db *d, const char *username, const char *addr_key, int64_t now)
{
    return db_run(d, "DELETE FROM login_lock WHERE username = ? AND (addr = ? OR addr = '*' OR since < ?)", "ssi", username, addr_key,
                  now - LOCK_SECONDS);
}

int user_login(db *d, const char *username, const char *password, const char *addr, principal *p, char pending[65], int *retry_after,
               cx_err *e)
{
    const char *generic = "用户名或密码错误";
    *retry_after = 0;
    pending[0] = 0;
    char addr_key[40];
    addr_key_of(addr, addr_key);
    if (!username || !*username || !password || !*password)
        return cx_fail(e, 400, "required", !username || !*username ? "username" : "password", "请输入用户名和密码");
    /* what no account can have is refused before any hashing or audit write: it tells nothing
     * about which accounts exist, and cannot fill the audit log or the CPU */
    if (username_check(username, e) != CX_OK) return CX_ERR;
    if (strlen(password) > 128) return cx_fail(e, 400, "invalid_password", "password", "密码不能超过 128 个字符");
    db_stmt *s = db_prepare(d, "SELECT id, pw_hash, active, locked, totp_on FROM app_user WHERE username = ?");
    if (!s) return db_fail(d, e);
    db_bind_text(s, 1, username);
    int rc = db_step(s);
    int64_t id = 0, active = 1;
    bool totp = false;
    char hash[160] = "";
    if (rc == DB_ROW) {
        id = db_col_i64(s, 0);
        snprintf(hash, sizeof hash, "%s", db_col_text(s, 1));
        active = db_col_i64(s, 2) && !db_col_i64(s, 3); /* locked by those above: answered as a deactivated account */
        totp = db_col_i64(s, 4) != 0;
    }
    db_done(s);
    if (rc == CX_ERR) return db_fail(d, e);
    bool known = rc == DB_ROW;
    actor who = {id, username, NULL, NULL};
    int64_t now = now_unix(), attempt = 0;
    if (lock_gate(d, &who, known, "login", addr_key, now, &attempt, e) != CX_OK) return CX_ERR;
    /* Unknown names do the same work as a real check, so timing does not tell which exist.
     * A deactivated account is checked and answered as an unknown name is, right password or
     * not: the answer never tells that the name exists (only the audit log says "inactive").
     * An account not yet activated has no password (pw_hash ''): checked against the dummy. */
    bool unset = known && !hash[0];
    if (!known || unset) pthread_once(&dummy_once, make_dummy);
    int wait = pwgate_enter(addr);
    if (wait) {
        *retry_after = wait;
        return cx_fail(e, 429, "too_many_logins", "", "登录尝试过于频繁，请 %d 秒后再试", wait);
    }
    bool ok = crypto_pw_verify(known && !unset ? hash : dummy_hash, password) == CX_OK && known && !unset && active;
    /* a hash made with older limits is replaced now that the password is at hand (still inside
     * the gate: it is a second argon2id run) */
    char fresh[128] = "";
    if (ok && crypto_pw_needs_rehash(hash) && crypto_pw_hash(password, fresh) != CX_OK) fresh[0] = 0;
    pwgate_leave(addr, !ok);
    if (!ok) {
        if (lock_failed(d, &who, "login", !known ? "unknown_user" : !active ? "inactive" : unset ? "not_activated" : "fail", addr_key, attempt,
                        now, e) != CX_OK)
            return CX_ERR;
        if (unset && active)
            return cx_fail(e, 401, "not_activated", "password", "此账号还没有激活：首次登录请用激活单上的激活码设置密码（登录页下方“首次登录”）");
        return cx_fail(e, 401, "bad_credentials", "password", "%s（同一网络连续 %d 次错误将锁定 %d 分钟）", generic, LOCK_FAILURES,
                       LOCK_SECONDS / 60);
    }
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    if (fresh[0] && db_run(d, "UPDATE app_user SET pw_hash = ? WHERE id = ? AND pw_hash = ?", "sis", fresh, id, hash) != CX_OK)
        return db_fail(d, e);
    if (totp) {
        /* the code is still to come: the failures so far stay counted (a password typed again
         * must not buy more guesses at the code), and no session yet */
        unsigned char h[32];
        crypto_random_hex(pending, 32);
        crypto_sha256(pending, 64, h);
        if (db_run(d, "DELETE FROM login_pending WHERE expires_at < ?", "i", now) != CX_OK ||
            db_run(d, "INSERT INTO login_pending (token_hash, user_id, expires_at) VALUES (?, ?, ?)", "bii", h, sizeof h, id,
                   now + LOGIN_PENDING_SECONDS) != CX_OK ||
            audit_append(d, &who, "login", "user", id, 0, NULL, NULL, "password_ok") != CX_OK || db_commit(d) != CX_OK) {
            pending[0] = 0;
            return db_fail(d, e);
        }
        return CX_OK;
    }
    if (lock_clear(d, username, addr_key, now) != CX_OK || audit_append(d, &who, "login", "user", id, 0, NULL, NULL, "ok") != CX_OK ||
        db_commit(d) != CX_OK)
        return db_fail(d, e);
    if (user_load(d, id, p) != 1) return cx_fail(e, 403, "account_inactive", "username", "账号已停用");
    return CX_OK;
}

/* ---- the second factor ---- */

/* Checks a code of who's secret, inside the lock-out: the attempt is counted first; a wrong code,
 * one of a step already used (or older), or one of an account without the secret (enrolled: on
 * must match totp_on) is a failure like a wrong password. *step: the code's time step, which the
 * caller claims in its own transaction (claim_step) so a code is good once. */
static int totp_check(db *d, const actor *who, const char *what, const char *code, const char *addr, bool on, int64_t *step, cx_err *e)
{
    int32_t typed = totp_parse(code);
    if (typed < 0) return cx_fail(e, 400, "invalid_code", "code", "请输入验证器应用显示的 6 位数字验证码");
    char addr_key[40];
    addr_key_of(addr, addr_key);
    int64_t now = now_unix(), attempt = 0;
    if (lock_gate(d, who, true, what, addr_key, now, &attempt, e) != CX_OK) return CX_ERR;
    db_stmt *s = db_prepare(d, "SELECT totp_enc, totp_on, totp_step FROM app_user WHERE id = ?");
    if (!s) return db_fail(d, e);
    db_bind_i64(s, 1, who->user_id);
    int rc = db_step(s);
    char *secret = NULL;
    int64_t last = 0;
    if (rc == DB_ROW && !db_col_null(s, 0) && (db_col_i64(s, 1) != 0) == on) {
        size_t n = 0;
        const void *b = db_col_blob(s, 0, &n);
        secret = crypto_unseal(b, n);
        last = db_col_i64(s, 2);
    }
    db_done(s);
    if (rc == CX_ERR) return free(secret), db_fail(d, e);
    unsigned char key[TOTP_SECRET_BYTES + 8];
    long klen = secret ? base32_decode(secret, key, sizeof key) : -1;
    if (secret) crypto_wipe(secret, strlen(secret));
    free(secret);
    int64_t cur = (int64_t)totp_step_of(now), found = 0;
    const char *result = klen > 0 ? "fail" : "no_secret";
    /* one step either side of now (clock drift, a code typed as it turned) */
    for (int64_t t = cur - 1; klen > 0 && t <= cur + 1 && !found; t++)
        if (hotp_value(key, (size_t)klen, (uint64_t)t, TOTP_DIGITS) == typed) {
            if (t > last) found = t;
            else result = "reused";
        }
    crypto_wipe(key, sizeof key);
    if (!found) {
        if (lock_failed(d, who, what, result, addr_key, attempt, now, e) != CX_OK) return CX_ERR;
        return cx_fail(e, 401, "bad_totp", "code", "验证码不对或已经用过，请输入验证器应用中当前显示的 6 位数字（同一网络连续 %d 次错误将锁定 %d 分钟）",
                       LOCK_FAILURES, LOCK_SECONDS / 60);
    }
    *step = found;
    return CX_OK;
}

/* Inside the caller's transaction: the step is taken, unless a request at the same time took it
 * (or a later one) first. 1 taken, 0 not, CX_ERR. */
static int claim_step(db *d, int64_t user_id, int64_t step)
{
    int64_t took = 0;
    if (db_i64(d, &took, 0, "UPDATE app_user SET totp_step = ? WHERE id = ? AND totp_step < ? RETURNING 1", "iii", step, user_id, step) != CX_OK)
        return CX_ERR;
    return took ? 1 : 0;
}

/* Opens the transaction of a code that passed: the step claimed (401 when another request took it)
 * and the name's failures cleared, as a password that passed clears them. CX_OK inside the
 * transaction, or CX_ERR with e (rolled back). */
static int code_passed(db *d, const actor *who, const char *addr, int64_t step, cx_err *e);

static int step_lost(db *d, cx_err *e)
{
    db_rollback(d);
    return cx_fail(e, 401, "bad_totp", "code", "这个验证码刚刚已经用过，请等验证器应用显示下一个验证码再输入");
}

static int code_passed(db *d, const actor *who, const char *addr, int64_t step, cx_err *e)
{
    char addr_key[40];
    addr_key_of(addr, addr_key);
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    int took = claim_step(d, who->user_id, step);
    if (took == CX_ERR) return db_fail(d, e);
    if (!took) return step_lost(d, e);
    if (lock_clear(d, who->name, addr_key, now_unix()) != CX_OK) return db_fail(d, e);
    return CX_OK;
}

int user_login_totp(db *d, const char *pending, const char *code, const char *addr, principal *p, cx_err *e)
{
    if (!pending || strlen(pending) != 64) return cx_fail(e, 401, "login_expired", "code", "登录已超时，请重新输入用户名和密码");
    unsigned char h[32];
    crypto_sha256(pending, 64, h);
    int64_t now = now_unix();
    db_stmt *s = db_prepare(d, "SELECT u.id, u.username FROM login_pending l JOIN app_user u ON u.id = l.user_id "
                               "WHERE l.token_hash = ? AND l.expires_at >= ? AND u.active = 1 AND u.locked = 0 AND u.totp_on = 1");
    if (!s) return db_fail(d, e);
    db_bind_blob(s, 1, h, sizeof h);
    db_bind_i64(s, 2, now);
    int rc = db_step(s);
    int64_t id = 0;
    char username[64] = "";
    if (rc == DB_ROW) id = db_col_i64(s, 0), snprintf(username, sizeof username, "%s", db_col_text(s, 1));
    db_done(s);
    if (rc == CX_ERR) return db_fail(d, e);
    if (rc != DB_ROW) return cx_fail(e, 401, "login_expired", "code", "登录已超时，请重新输入用户名和密码");
    actor who = {id, username, NULL, NULL};
    int64_t step = 0;
    if (totp_check(d, &who, "login", code, addr, true, &step, e) != CX_OK) return CX_ERR;
    if (code_passed(d, &who, addr, step, e) != CX_OK) return CX_ERR;
    int64_t gone = 0;
    if (db_i64(d, &gone, 0, "DELETE FROM login_pending WHERE token_hash = ? RETURNING 1", "b", h, sizeof h) != CX_OK) return db_fail(d, e);
    if (!gone) { /* the same step finished by another request */
        db_rollback(d);
        return cx_fail(e, 401, "login_expired", "code", "登录已超时，请重新输入用户名和密码");
    }
    if (audit_append(d, &who, "login", "user", id, 0, NULL, "{\"factor\":\"totp\"}", "ok") != CX_OK || db_commit(d) != CX_OK)
        return db_fail(d, e);
    if (user_load(d, id, p) != 1) return cx_fail(e, 403, "account_inactive", "username", "账号已停用");
    return CX_OK;
}

int totp_state_get(db *d, const principal *p, totp_state *st)
{
    memset(st, 0, sizeof *st);
    db_stmt *s = db_prepare(d, "SELECT totp_enc, totp_on FROM app_user WHERE id = ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, p->user_id);
    int rc = db_step(s);
    if (rc == DB_ROW) {
        st->on = db_col_i64(s, 1) != 0;
        if (!st->on && !db_col_null(s, 0)) {
            size_t n = 0;
            const void *b = db_col_blob(s, 0, &n);
            char *secret = crypto_unseal(b, n);
            if (secret && strlen(secret) == TOTP_B32_LEN) st->enrolling = true, memcpy(st->secret, secret, TOTP_B32_LEN + 1);
            if (secret) crypto_wipe(secret, strlen(secret));
            free(secret);
        }
    }
    db_done(s);
    if (rc == CX_ERR) return CX_ERR;
    int req = totp_required(d, p);
    if (req == CX_ERR) return CX_ERR;
    st->required = req == 1;
    return CX_OK;
}

int totp_start(db *d, const actor *a, char secret[TOTP_B32_LEN + 1], cx_err *e)
{
    unsigned char key[TOTP_SECRET_BYTES];
    crypto_random_buf(key, sizeof key);
    base32_encode(key, sizeof key, secret, TOTP_B32_LEN + 1);
    crypto_wipe(key, sizeof key);
    buf sealed;
    buf_init(&sealed);
    crypto_seal(secret, &sealed);
    if (db_begin(d, true) != CX_OK) return buf_free(&sealed), db_fail(d, e);
    int64_t changed = 0;
    int rc = db_i64(d, &changed, 0, "UPDATE app_user SET totp_enc = ?, totp_step = 0 WHERE id = ? AND totp_on = 0 RETURNING 1", "bi", sealed.p,
                    sealed.len, a->user_id);
    buf_free(&sealed);
    if (rc != CX_OK) return db_fail(d, e);
    if (!changed) {
        db_rollback(d);
        crypto_wipe(secret, TOTP_B32_LEN);
        secret[0] = 0;
        return cx_fail(e, 409, "totp_on", "", "两步验证已经启用");
    }
    if (audit_append(d, a, "totp_start", "user", a->user_id, 0, NULL, NULL, "ok") != CX_OK || db_commit(d) != CX_OK) return db_fail(d, e);
    return CX_OK;
}

/* A code of the secret turns the factor on (enrolling: on is 0) or off (and forgets the secret). */
static int totp_switch(db *d, const actor *a, const char *code, const char *addr, bool on, cx_err *e)
{
    int64_t step = 0;
    if (totp_check(d, a, on ? "totp_on" : "totp_off", code, addr, !on, &step, e) != CX_OK || code_passed(d, a, addr, step, e) != CX_OK) {
        if (e->status == 401) e->status = 400; /* signed in already: a 401 would send the user to sign in */
        return CX_ERR;
    }
    if (db_run(d, on ? "UPDATE app_user SET totp_on = 1 WHERE id = ?" : "UPDATE app_user SET totp_on = 0, totp_enc = NULL, totp_step = 0 WHERE id = ?",
               "i", a->user_id) != CX_OK ||
        audit_append(d, a, on ? "totp_on" : "totp_off", "user", a->user_id, 0, on ? "{\"totp_on\":0}" : "{\"totp_on\":1}",
                     on ? "{\"totp_on\":1}" : "{\"totp_on\":0}", "ok") != CX_OK ||
        db_commit(d) != CX_OK)
        return db_fail(d, e);
    return CX_OK;
}

int totp_confirm(db *d, const actor *a, const char *code, const char *addr, cx_err *e)
{
    int64_t pending = 0;
    if (db_i64(d, &pending, 0, "SELECT count(*) FROM app_user WHERE id = ? AND totp_on = 0 AND totp_enc IS NOT NULL", "i", a->user_id) != CX_OK)
        return db_fail(d, e);
    if (!pending) return cx_fail(e, 409, "totp_not_started", "code", "请先生成密钥（两步验证已启用，或尚未开始设置）");
    return totp_switch(d, a, code, addr, true, e);
}

int totp_disable(db *d, const actor *a, const principal *p, const char *code, const char *addr, cx_err *e)
{
    int req = totp_required(d, p);
    if (req == CX_ERR) return db_fail(d, e);
    if (req) return cx_fail(e, 409, "totp_required", "code", "上级要求本组织工作人员使用两步验证，不能关闭");
    if (!p->totp_on) return cx_fail(e, 409, "totp_off", "code", "两步验证没有启用");
    return totp_switch(d, a, code, addr, false, e);
}

int totp_clear(db *d, const actor *a, const char *username, cx_err *e)
{
    int64_t id = 0;
    int f = user_find(d, username, &id);
    if (f == CX_ERR) return db_fail(d, e);
    if (!f) return cx_fail(e, 404, "not_found", "username", "用户“%s”不存在", username);
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    int rc = db_run(d, "UPDATE app_user SET totp_on = 0, totp_enc = NULL, totp_step = 0 WHERE id = ?", "i", id);
    if (rc == CX_OK) rc = db_run(d, "DELETE FROM login_pending WHERE user_id = ?", "i", id);
    return store_finish(d, a, "totp_off", "user", id, 0, NULL, xstrdup("{\"totp_on\":0,\"how\":\"cli\"}"), rc, e);
}

int totp_policy_get(db *d, int64_t org_id, bool *required)
{
    int64_t r = 0;
    if (db_i64(d, &r, 0, "SELECT required FROM totp_policy WHERE org_id = ?", "i", org_id) != CX_OK) return CX_ERR;
    *required = r != 0;
    return CX_OK;
}

int totp_policy_set(db *d, const actor *a, const org *o, bool required, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    int64_t old = 0;
    if (db_i64(d, &old, 0, "SELECT required FROM totp_policy WHERE org_id = ?", "i", o->id) != CX_OK) return db_fail(d, e);
    int rc = db_run(d, "INSERT INTO totp_policy (org_id, required, updated_at) VALUES (?, ?, ?) "
                       "ON CONFLICT (org_id) DO UPDATE SET required = excluded.required, updated_at = excluded.updated_at",
                    "iii", o->id, (int64_t)required, now_unix());
    return store_finish(d, a, "set_totp_policy", "org", o->id, o->id, xasprintf("{\"totp_required\":%d}", old ? 1 : 0),
                        xasprintf("{\"totp_required\":%d}", required ? 1 : 0), rc, e);
}

int user_activate(db *d, const char *username, const char *code, const char *password, const char *addr, principal *p, int *retry_after,
                  cx_err *e)
{
    *retry_after = 0;
    char addr_key[40], typed[ACTIVATION_CODE_LEN + 1];
    addr_key_of(addr, addr_key);
    /* what was typed is checked first, touching nothing */
    if (!username || !*username) return cx_fail(e, 400, "required", "username", "请输入用户名（激活单上印有）");
    if (username_check(username, e) != CX_OK || activation_code_check(code, typed, e) != CX_OK || password_check(password, e) != CX_OK)
        return CX_ERR;
    db_stmt *s = db_prepare(d, "SELECT id, pw_hash = '', active, locked, activation_enc, activation_expires FROM app_user WHERE username = ?");
    if (!s) return db_fail(d, e);
    db_bind_text(s, 1, username);
    int rc = db_step(s);
    int64_t id = 0, expires = 0;
    bool pending = false, usable = false;
    char *stored = NULL;
    if (rc == DB_ROW) {
        id = db_col_i64(s, 0);
        pending = db_col_i64(s, 1) && !db_col_null(s, 4);
        usable = db_col_i64(s, 2) && !db_col_i64(s, 3);
        size_t n = 0;
        const void *b = pending ? db_col_blob(s, 4, &n) : NULL;
        stored = b ? crypto_unseal(b, n) : NULL;
        expires = db_col_i64(s, 5);
    }
    db_done(s);
    if (rc == CX_ERR) return free(stored), db_fail(d, e);
    bool known = rc == DB_ROW;
    actor who = {id, username, NULL, NULL};
    int64_t now = now_unix(), attempt = 0;
    if (lock_gate(d, &who, known, "activate", addr_key, now, &attempt, e) != CX_OK) return free(stored), CX_ERR;
    bool match = stored && strlen(stored) == ACTIVATION_CODE_LEN && crypto_verify_eq(stored, typed);
    if (stored) crypto_wipe(stored, strlen(stored));
    free(stored);
    if (!match || !usable) {
        if (lock_failed(d, &who, "activate", !known ? "unknown_user" : !pending ? "no_code" : !usable ? "inactive" : "fail", addr_key,
                        attempt, now, e) != CX_OK)
            return CX_ERR;
        return cx_fail(e, 401, "bad_code", "code", "用户名或激活码不对，或此账号已经激活（已激活的请直接登录；同一网络连续 %d 次错误将锁定 %d 分钟）",
                       LOCK_FAILURES, LOCK_SECONDS / 60);
    }
    if (expires < now) {
        audit_record(d, &who, "activate", "user", id, 0, NULL, NULL, "expired");
        return cx_fail(e, 410, "code_expired", "code", "激活码已过期，请联系本支部书记重新生成激活单");
    }
    int wait = pwgate_enter(addr);
    if (wait) {
        *retry_after = wait;
        return cx_fail(e, 429, "too_many_logins", "", "登录尝试过于频繁，请 %d 秒后再试", wait);
    }
    char hash[128];
    int hrc = crypto_pw_hash(password, hash);
    pwgate_leave(addr, false);
    if (hrc != CX_OK) return cx_fail(e, 500, "hash_failed", "password", "密码哈希失败（内存不足）");
    /* only a code still unused sets the password: two activations at once, one wins */
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    int64_t changed = 0;
    if (db_i64(d, &changed, 0,
               "UPDATE app_user SET pw_hash = ?, activation_enc = NULL, activation_expires = 0 WHERE id = ? AND pw_hash = '' RETURNING 1", "si",
               hash, id) != CX_OK)
        return db_fail(d, e);
    if (!changed) {
        db_rollback(d);
        return cx_fail(e, 409, "already_activated", "code", "此账号刚刚已激活，请直接登录");
    }
    if (db_run(d, "DELETE FROM login_lock WHERE username = ?", "s", username) != CX_OK ||
        audit_append(d, &who, "activate", "user", id, 0, NULL, NULL, "ok") != CX_OK || db_commit(d) != CX_OK)
        return db_fail(d, e);
    if (user_load(d, id, p) != 1) return cx_fail(e, 403, "account_inactive", "username", "账号已停用");
    return CX_OK;
}

int user_list(db *d, FILE *out)
{
    db_stmt *s = db_prepare(d, "SELECT u.username, u.display_name, coalesce(r.role, ''), coalesce(o.name, ''), u.active "
                               "FROM app_user u LEFT JOIN user_role r ON r.user_id = u.id LEFT JOIN org o ON o.id = r.org_id "
                               "ORDER BY u.username, r.role");
    if (!s) return CX_ERR;
    int rc;
    while ((rc = db_step(s)) == DB_ROW)
        fprintf(out, "%-16s %-12s %-10s %s%s\n", db_col_text(s, 0), db_col_text(s, 1),
                role_label(role_from_name(db_col_text(s, 2))), db_col_text(s, 3), db_col_i64(s, 4) ? "" : "（已停用）");
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int session_create(db *d, int64_t user_id, char token[65], char csrf[65])
{
    crypto_random_hex(token, 32);
    crypto_random_hex(csrf, 32);
    unsigned char h[32];
    crypto_sha256(token, 64, h);
    int64_t now = now_unix();
    /* Expired sessions of anyone are cleared here, so the table stays small. */
    db_run(d, "DELETE FROM web_session WHERE last_seen < ?", "i", now - SESSION_IDLE_SECONDS);
    return db_run(d, "INSERT INTO web_session (token_hash, user_id, csrf, created_at, last_seen) VALUES (?, ?, ?, ?, ?)", "bisii",
                  h, sizeof h, user_id, csrf, now, now);
}

int session_lookup(db *d, const char *token, principal *p, char csrf[65])
{
    if (!token || strlen(token) != 64) return 0;
    unsigned char h[32];
    crypto_sha256(token, 64, h);
    db_stmt *s = db_prepare(d, "SELECT user_id, csrf, last_seen FROM web_session WHERE token_hash = ?");
    if (!s) return CX_ERR;
    db_bind_blob(s, 1, h, sizeof h);
    int rc = db_step(s);
    int64_t uid = 0, last = 0;
    if (rc == DB_ROW) {
        uid = db_col_i64(s, 0);
        snprintf(csrf, 65, "%s", db_col_text(s, 1));
        last = db_col_i64(s, 2);
    }
    db_done(s);
    if (rc != DB_ROW) return rc == DB_DONE ? 0 : CX_ERR;
    int64_t now = now_unix();
    if (now - last > SESSION_IDLE_SECONDS) {
        db_run(d, "DELETE FROM web_session WHERE token_hash = ?", "b", h, sizeof h);
        return 0;
    }
    if (now - last > 30) db_run(d, "UPDATE web_session SET last_seen = ? WHERE token_hash = ?", "ib", now, h, sizeof h);
    return user_load(d, uid, p) == 1 ? 1 : 0;
}

int session_delete(db *d, const char *token)
{
    if (!token || strlen(token) != 64) return CX_OK;
    unsigned char h[32];
    crypto_sha256(token, 64, h);
    return db_run(d, "DELETE FROM web_session WHERE token_hash = ?", "b", h, sizeof h);
}
