/* store.h: the records cxzy keeps, on top of db.h. Every change runs in a transaction that also
 * appends its audit record, so no change can happen without the other.
 * Lookups return 1 found, 0 not found, CX_ERR on a database error. Changes return CX_OK or
 * CX_ERR with e filled (a Chinese message naming the field and the reason). */
#ifndef CX_STORE_H
#define CX_STORE_H
#include <stdio.h>
#include "db.h"
#include "../lib/buf.h"
#include "../lib/totp.h" /* TOTP_B32_LEN */
#include "../domain/account.h" /* account_ok */
#include "../domain/member.h"
#include "../domain/org.h" /* org_ok; type and sector codes and labels */
#include "../domain/orgpath.h"
#include "../domain/perm.h"

#define CX_PATH_MAX 1024

/* Who does a change, for the audit log. */
typedef struct actor {
    int64_t user_id; /* 0 for the system / command line */
    const char *name;    /* the login name (the audit log records it with user_id) */
    const char *display; /* the person's name as records show it (display name); NULL: name */
    /* The signed-in user's grants: what the actor may see, for checks that look at the whole
     * district (a 身份证号 already on the roll). NULL for the system (user_id 0: everything) and,
     * for a user, nothing. */
    const principal *scope;
} actor;
/* The name a record shows for who did something: the display name, else the login name. */
static inline const char *actor_shown(const actor *a)
{
    return !a ? "" : a->display && *a->display ? a->display : a->name ? a->name : "";
}
extern actor actor_cli;

int store_migrate(db *d, cx_err *e);
int store_schema_version(db *d, int64_t *v);
/* Whether the database holds data (an organisation or an account): 1, 0, CX_ERR. */
int store_has_data(db *d);
/* The key check value stored in the database into out: 1, 0 (none yet), CX_ERR. */
CX_MUST_USE int store_key_check_get(db *d, char out[65]);
/* Records the loaded key's check value when none is stored: CX_OK when the stored one (now)
 * matches the loaded key, CX_ERR with a message otherwise. A database with data and no stored
 * value (made before 0011) is checked by decrypting one stored field first. */
int store_key_check(db *d, cx_err *e);
/* cxzy key rotate (keyrotate.c): re-encrypts every encrypted field and recomputes every field hash
 * under the key file new_key, re-MACs the audit chain (verified first) and wraps the stable hash
 * key under the new key, in one transaction with a key.rotate audit record. On success the new
 * key is the loaded one. counts: fields re-encrypted, hashes recomputed, audit records re-MACed. */
typedef struct key_rotation {
    int64_t sealed, hashed, audit_rows;
} key_rotation;
int store_key_rotate(db *d, const char *new_key, key_rotation *r, cx_err *e);
/* Latest migration number compiled into this binary. */
int store_latest_version(void);

/* ---- settings (setting.c) ---- */
/* The value of a district-wide setting: 1 (out filled), 0 none (out ""), CX_ERR. */
CX_MUST_USE int setting_get(db *d, const char *name, char *out, size_t cap);
/* Stores value ("" removes the setting), audited ("set", entity "setting", before/after
 * {"name","value"}) against the top organisation. Setting the same value records nothing. */
int setting_set(db *d, const actor *a, const char *name, const char *value, cx_err *e);
/* A public address as QR codes carry it: http(s)://host[:port], nothing else. out gets it without
 * a trailing slash, host the host[:port]; a Chinese message naming public_url otherwise. */
int setting_public_url_check(const char *in, char out[256], char host[256], cx_err *e);
#define SETTING_PUBLIC_URL "public_url"

/* ---- audit (audit.c) ---- */
/* Appends one record to the hash chain; must run inside the caller's write transaction. */
int audit_append(db *d, const actor *a, const char *action, const char *entity, int64_t entity_id, int64_t org_id,
                 const char *before, const char *after, const char *result);
/* Many records appended by one change (bulk accounts), inside its write transaction: the head is
 * locked and read once (begin), each record chained and inserted (add), the head written once
 * (end). audit_append per record would update the one head row each time, and on PostgreSQL each
 * update of a row already updated in the same transaction walks the row's version chain: N². */
typedef struct audit_run {
    int64_t part, seq;
    char prev[65];
    db_bulk *bulk; /* audit_run_bulk: the records go through a bulk insert */
} audit_run;
/* The run's records go to the chain of org_id's part (0: the first root's), the run's org. */
int audit_run_begin(db *d, audit_run *r, int64_t org_id);
/* After begin: the run's records are written through db_bulk (COPY on PostgreSQL) instead of one
 * INSERT each, for runs of thousands (the demo's organisations, bulk accounts); nothing reads
 * them before the end. A run that is not ended must be cancelled (audit_run_cancel). */
void audit_run_bulk(db *d, audit_run *r);
int audit_run_add(db *d, audit_run *r, const actor *a, const char *action, const char *entity, int64_t entity_id, int64_t org_id,
                  const char *before, const char *after, const char *result);
/* Writes the records still buffered and the chain's head. */
int audit_run_end(db *d, audit_run *r);
/* Drops a run that will not be ended (the caller rolls back). */
void audit_run_cancel(audit_run *r);
/* Convenience for changes that are their own transaction (e.g. a refused login, a full view). */
int audit_record(db *d, const actor *a, const char *action, const char *entity, int64_t entity_id, int64_t org_id,
                 const char *before, const char *after, const char *result);
/* The tail of every change: when rc is CX_OK, appends the audit record and commits; frees
 * before/after (malloc'd JSON or NULL); on any failure rolls back and fills e. Returns CX_OK or CX_ERR. */
int store_finish(db *d, const actor *a, const char *action, const char *entity, int64_t id, int64_t org_id, char *before,
                 char *after, int rc, cx_err *e);
/* Every chain (one per part): those with a head row and those with records only. */
typedef struct audit_head_row {
    int64_t part, seq;
    bool has_head;
    char hash[65];
} audit_head_row;
int audit_heads(db *d, audit_head_row **out, size_t *n);
/* Recomputes every chain; writes one line per problem and one per chain (part, rows, intact or
 * the first broken seq) to out; returns the number of problems (0 = intact) or CX_ERR on a
 * database error. *rows gets the number of records checked. */
int audit_verify(db *d, FILE *out, int64_t *rows);
/* Recomputes every record's MAC and previous hash, and the head, under the key that now MACs
 * (a key rotation's new key); inside the caller's write transaction, on a chain verified first. */
int audit_remac(db *d, int64_t *rows);
/* One record as the audit page shows it (strings valid during the callback). */
typedef struct audit_row {
    int64_t part, seq, ts, entity_id;
    const char *actor, *action, *entity, *result, *before, *after;
} audit_row;
/* Records about organisations in the subtree under path, or members whose organisation is in it:
 * how many, and one page of them newest first (limit 0 = all). */
int audit_count(db *d, const char *path, int64_t *total);
int audit_list(db *d, const char *path, int64_t offset, int64_t limit, int (*fn)(void *ctx, const audit_row *a), void *ctx);

/* ---- organisations (org.c) ---- */
typedef struct org {
    int64_t id, parent_id, depth, version, part;
    int active;
    char path[CX_PATH_MAX];
    char name[256], type[20], sector[16];
} org;


/* The columns of an organisation (table org as o) that org_read reads, from column c on. */
#define ORG_COLS "o.id, o.parent_id, o.depth, o.version, o.part, o.active, o.path, o.name, o.type, o.sector"
#define ORG_NCOLS 10
void org_read(db_stmt *s, int c, org *o);
CX_MUST_USE int org_get(db *d, int64_t id, org *o);
/* Organisation names by id for reports of many lines (`cxzy recount` naming each difference):
 * every name is read in one query at the first look-up and then found by binary search, instead
 * of one round trip a line (at province scale a first recount reports millions of lines). */
typedef struct org_names {
    int64_t *id;
    char **name;
    size_t n;
    bool loaded;
} org_names;
/* The name of organisation id; "" when there is none or the names could not be read. */
const char *org_names_get(db *d, org_names *c, int64_t id);
void org_names_free(org_names *c);
/* in: passed org_check. */
int org_create(db *d, const actor *a, int64_t parent_id, const org_ok *in, int64_t *id, cx_err *e);
/* The same inside the caller's open write transaction. */
int org_create_tx(db *d, const actor *a, int64_t parent_id, const org_ok *in, int64_t *id, cx_err *e);
/* Many new organisations at once inside the caller's write transaction (`cxzy demo`): o[i] has
 * name, type and sector (each passed org_check) and parent_id the 1-based position in o of its
 * parent (an earlier one), 0 for a root. Writes what org_create_tx writes for each, in the same
 * order and with the ids it would give (reserved, db_reserve_ids): the rows through one bulk
 * insert, each one's audit record (through a bulk insert too), the tallies summed per
 * organisation; the kept year's meeting quotas are built again for the whole tree (one pass, in
 * bulk: meant for a tree written into an empty database). On return every field of o[i] is as org_get
 * reads it. CX_OK or CX_ERR with e filled. */
int org_create_many(db *d, const actor *a, org *o, size_t n, cx_err *e);
int org_update(db *d, const actor *a, int64_t id, const org_ok *in, cx_err *e);
/* Moves id and its whole subtree under new_parent (one UPDATE of the path range). */
int org_move(db *d, const actor *a, int64_t id, int64_t new_parent, cx_err *e);
/* Deactivation is refused while active child organisations or members remain. */
int org_set_active(db *d, const actor *a, int64_t id, int active, cx_err *e);
/* Calls fn for each child (active ones, and inactive too if all), in name order, with counts of
 * direct children and of members in the child's whole subtree. */
typedef int (*org_fn)(void *ctx, const org *o, int64_t nchildren, int64_t nmembers);
int org_children(db *d, int64_t id, bool all, org_fn fn, void *ctx);
/* The same without the counts (fn sees 0 and 0): for callers that only need the children. */
int org_children_plain(db *d, int64_t id, bool all, org_fn fn, void *ctx);
/* Ancestors from the root down to (not including) id. */
int org_ancestors(db *d, const org *o, org_fn fn, void *ctx);
/* The subtree in path order down to max_depth levels below root (0 = unlimited), at most limit rows. */
int org_subtree(db *d, const org *root, int max_depth, int limit, org_fn fn, void *ctx);
/* Active members in the subtree of o. */
int org_member_count(db *d, const org *o, int64_t *n);
/* Finds an active org named name in the subtree of root: 1 found, 0 none, 2 ambiguous. */
CX_MUST_USE int org_find_by_name(db *d, const org *root, const char *name, org *out);
/* Every active organisation of root's subtree (root included) in one query, fn called for each. */
CX_MUST_USE int org_subtree_each(db *d, const org *root, void (*fn)(void *ctx, const org *o), void *ctx);

/* ---- members (member.c) ---- */
typedef struct member {
    int64_t id, org_id, version, created_at, updated_at;
    int active, has_photo;
    member_rec r;         /* r.idcard and r.phone hold the masked values; r.birth_date is empty */
    int birth_year;       /* only the year is kept outside the encrypted 身份证号 */
    char org_name[256];
    char org_path[CX_PATH_MAX];
} member;

CX_MUST_USE int member_get(db *d, int64_t id, member *m);
/* Encrypts the 身份证号 and phone, stores their keyed hashes and masks. A 身份证号 already on the
 * roll is refused (code duplicate_member). */
int member_create(db *d, const actor *a, int64_t org_id, const member_rec *r, int64_t *id, cx_err *e);
/* Inserts one validated record without its own transaction or audit record: for bulk paths
 * (roster import, demo) that audit the batch as a whole inside their transaction. Returns 1
 * when inserted (and *id, when id is not NULL), 0 when the 身份证号 is already on the roll
 * (nothing inserted), CX_ERR on a database error. */
int member_insert_row(db *d, const org *o, const member_rec *r, int64_t now, int64_t *id);
/* The same rows through one db_bulk (COPY on PostgreSQL): no ON CONFLICT, so a 身份证号 already on
 * the roll fails the whole bulk (db_is_unique(d, "member_idcard", "member.idcard_hash")); callers
 * check the roll first or treat that failure as "the roll changed". Ended by db_bulk_end. */
db_bulk *member_bulk_begin(db *d);
int member_bulk_row(db_bulk *b, const org *o, const member_rec *r, int64_t now);
/* Updates the record and (when org_id differs) transfers the member to org_id. */
int member_update(db *d, const actor *a, int64_t id, int64_t org_id, const member_rec *r, cx_err *e);
int member_set_active(db *d, const actor *a, int64_t id, int active, cx_err *e);
/* Decrypts the full 身份证号 and phone for internal use (e.g. keeping them on a partial update);
 * never shown, so not audited. */
int member_decrypt(db *d, int64_t id, char idcard[19], char phone[32], int64_t *org_id, cx_err *e);
/* Decrypts the full 身份证号 and phone to show them; the full view is itself audited. */
int member_reveal(db *d, const actor *a, int64_t id, char idcard[19], char phone[32], cx_err *e);
/* The member photo: JPEG or PNG, decided by content (magic bytes), at most 2 MiB. */
#define PHOTO_MAX_BYTES (2u << 20)
/* "image/jpeg", "image/png", or NULL when the bytes are neither. */
const char *photo_sniff(const void *data, size_t n);
int member_photo_set(db *d, const actor *a, int64_t id, const void *data, size_t n, cx_err *e);
/* 1 with the bytes in out and the type in mime; 0 when the member has no photo. */
CX_MUST_USE int member_photo_get(db *d, int64_t id, buf *out, char mime[32]);
/* Where a 身份证号 (normalised) is on the roll, seen from a: ROLL_NONE, ROLL_INSIDE (a member
 * a may see: *id and org_name, when not NULL, get the member and its organisation's name),
 * ROLL_OUTSIDE (a member outside a's subtree: nothing more is told), or CX_ERR. */
enum { ROLL_NONE = 0, ROLL_INSIDE = 1, ROLL_OUTSIDE = 2 };
int member_idcard_where(db *d, const actor *a, const char *idcard, int64_t *id, char org_name[256]);
/* The same for up to IDCARD_BATCH keyed hashes (crypto_field_hash) in one query: where[i] gets
 * ROLL_*, and org_name[i] the organisation's name when ROLL_INSIDE. CX_OK or CX_ERR. */
#define IDCARD_BATCH 64 /* parameters a statement (the import's pending rows are kept per batch) */
int member_idcard_where_many(db *d, const actor *a, const unsigned char (*hash)[32], size_t n, int *where, char (*org_name)[256]);
/* Checks of 身份证号 against the roll that meet members outside the caller's subtree would make
 * the roll an oracle for numbers elsewhere (a masked number rebuilt from candidates, a number in
 * another town confirmed). Such a check answers no more than "已在其他组织登记", is audited as a
 * lookup (entity idcard_lookup, entity_id the user: who, how many numbers were checked and how many
 * met members outside, never the numbers) and is rate-limited per user: a budget of
 * IDCARD_LOOKUP_BUDGET units per rolling hour, a file (import or dry run) that met one costing
 * IDCARD_LOOKUP_FILE units and a single create or edit 1. Once spent, every check that could look
 * outside is refused up front, whatever its numbers (429 idcard_lookup_limited), so the refusal
 * itself tells nothing. The system (user_id 0) is not limited. */
#define IDCARD_LOOKUP_BUDGET 20
#define IDCARD_LOOKUP_FILE 10
#define IDCARD_LOOKUP_WINDOW 3600
/* CX_OK when a may make a check costing cost units now; CX_ERR with e (429, or 500) otherwise. */
int idcard_lookup_allow(db *d, const actor *a, int cost, cx_err *e);
/* Audits a check that met `outside` members outside a's subtree (its own transaction); file: an
 * import or dry run (via "import" / "dry_run"), else a single create or edit. */
int idcard_lookup_record(db *d, const actor *a, bool file, const char *via, int64_t org_id, int64_t checked, int64_t outside);

typedef struct member_query {
    const org *root;
    bool subtree;      /* false: members of root only */
    const char *q;     /* name contains (NULL/"" for all) */
    bool inactive;     /* include deactivated */
    int64_t offset, limit; /* limit 0 = no limit */
} member_query;
typedef int (*member_fn)(void *ctx, const member *m);
int member_list(db *d, const member_query *q, member_fn fn, void *ctx);
int member_count(db *d, const member_query *q, int64_t *n);

/* ---- accounts for everyone (account.c): policy, bulk accounts, activation codes, management ---- */
/* The policy of the nearest organisation up from org_path that set one (its id in *from_org, 0
 * and the defaults when none did). */
int account_policy_get(db *d, const char *org_path, account_policy *p, int64_t *from_org);
/* The policy as JSON (as audited and answered): username_rule, prefix, auto_create, code_days. */
struct cJSON *account_policy_json(const account_policy *p);
/* Sets o's policy (covering its subtree, below any nearer one), audited. */
int account_policy_set(db *d, const actor *a, const org *o, const account_policy *p, cx_err *e);
typedef struct account_bulk {
    int64_t made; /* accounts made */
    int64_t had;  /* members skipped: another request gave them an account meanwhile, or no free name */
} account_bulk;
/* One transaction: an account for every active member under root (its whole subtree, or its own
 * members) who has none, named by the policy, granted the member role at the member's
 * organisation, with an activation code valid for the policy's days; each account audited, and
 * the run. No password is hashed: activation sets it. */
int accounts_for_members(db *d, const actor *a, const org *root, bool subtree, account_bulk *out, cx_err *e);
/* Inside the caller's transaction: when the policy over o says so (auto_create), accounts for
 * the members just added under o (ids from member_id up: one made, or an import's first). */
int account_auto_for_member(db *d, const actor *a, int64_t member_id, const org *o);
/* One account waiting for activation (in: account_check_unset), granted role at o, linked to a
 * member of o when member_id; its code into code. 409 duplicate_username / member_has_account. */
int account_create(db *d, const actor *a, const account_ok *in, int role, const org *o, int64_t member_id, int64_t *id,
                   char code[ACTIVATION_CODE_LEN + 1], cx_err *e);
typedef struct account_row {
    int64_t id, member_id, member_org_id, expires, created_at;
    int active, locked, activated;
    char username[64], name[128];
} account_row;
CX_MUST_USE int account_get(db *d, int64_t id, account_row *out);
/* "pending", "expired", "active", "locked" or "inactive", and its label. */
const char *account_status(const account_row *r, int64_t now);
const char *account_status_label(const char *status);
/* Every grant of the account into g (at most cap; *n of them). */
int account_grants(db *d, int64_t user_id, grant *g, int cap, int *n);
/* A new activation code (the password and the second factor are cleared, sessions end, lock-outs are lifted). 409
 * account_inactive for an account whose member is off the roll. */
int account_reset(db *d, const actor *a, int64_t id, char code[ACTIVATION_CODE_LEN + 1], int64_t *expires, cx_err *e);
/* Locks (sessions end; sign-in refused) or unlocks. */
int account_set_locked(db *d, const actor *a, int64_t id, int locked, cx_err *e);
/* Inside the member change's transaction: the member's account follows it (active with the
 * member; sessions end when deactivated; the member grant moves from old_org to new_org). */
int account_follow_member(db *d, int64_t member_id, int active, int64_t old_org, int64_t new_org);
typedef struct account_query {
    const org *root;
    bool own;            /* granted at root itself, not its subtree */
    const char *status;  /* NULL: all; "pending" … (account_status) */
    const char *q;       /* username or member name contains */
    int64_t offset, limit;
    bool with_member;    /* (internal) join the member for its name */
} account_query;
int account_list(db *d, const account_query *f, int (*fn)(void *ctx, const account_row *r), void *ctx);
int account_count(db *d, const account_query *f, int64_t *n);
/* Active members of root's subtree (root included) with no account: a range scan of org.path,
 * each organisation's active members by member_org_active, one probe of app_user_member each
 * (the accounts page's and the desk's count). */
int account_members_without(db *d, const org *root, int64_t *n);
typedef struct account_stats {
    int64_t members, without; /* active members in the subtree; of them without an account */
    int64_t pending, expired, activated, locked;
} account_stats;
int account_stats_get(db *d, const org *root, account_stats *st);
typedef struct account_slip {
    int64_t id, expires;
    char username[64], name[128], code[ACTIVATION_CODE_LEN + 1];
} account_slip;
/* The slips (激活单) of o's accounts waiting for activation with a valid code, code unsealed,
 * ordered by name; the printing is audited with the count. */
int account_slips(db *d, const actor *a, const org *o, int (*fn)(void *ctx, const account_slip *s), void *ctx, int64_t *n);
typedef struct account_sms {
    int64_t sent, failed;
    int64_t recent;   /* sent one within the last day: not again */
    int64_t no_phone; /* no phone on record: print their slips */
} account_sms;
/* Sends each member of o waiting for activation, with a phone on record, their code by SMS
 * (lib/sms.h; 503 sms_unavailable when none is configured), at most once a day each; every
 * message recorded in message_log (masked number, sent or failed) and the run audited. */
int account_sms_codes(db *d, const actor *a, const org *o, const char *activate_url, account_sms *out, cx_err *e);

/* ---- accounts and sessions (auth.c) ---- */
/* in: passed account_check (domain/account.h). A member's account waiting for activation (made
 * in bulk, never used) takes the name and password instead of a second account; an activated one
 * is 409 member_has_account. */
int user_create(db *d, const actor *a, const account_ok *in, int64_t member_id, int64_t *id, cx_err *e);
/* The same with in->password's argon2id hash made already (crypto_pw_hash), e.g. on another thread. */
int user_create_hashed(db *d, const actor *a, const account_ok *in, const char *hash, int64_t member_id, int64_t *id, cx_err *e);
int user_set_password(db *d, const actor *a, const char *username, const char *password, cx_err *e);
int user_grant(db *d, const actor *a, int64_t user_id, int role, int64_t org_id, cx_err *e);
CX_MUST_USE int user_find(db *d, const char *username, int64_t *id);
CX_MUST_USE int user_load(db *d, int64_t user_id, principal *p);
/* Checks the password with lock-out: 5 failures in a row from one client address (addr) lock
 * that name at that address for 15 minutes, known name or not (the same 423); 100 checked
 * failures from all addresses lock it everywhere. Hashing is admitted by lib/pwgate.h: 429
 * with *retry_after seconds when refused. Every attempt that reaches the lock is audited. */
/* An account with the second factor on gets no principal: pending (64 hex, else "") names the
 * password step for user_login_totp, for LOGIN_PENDING_SECONDS; the lock-out is not cleared
 * until the code passes too. */
#define LOGIN_PENDING_SECONDS (5 * 60)
int user_login(db *d, const char *username, const char *password, const char *addr, principal *p, char pending[65], int *retry_after,
               cx_err *e);
/* The second step: pending from user_login and the code of the authenticator app. Wrong codes
 * count in the password's lock-out. 401 login_expired (no such step, or past its time), 400
 * invalid_code (not six digits), 401 bad_totp (wrong, used before or older than the last one
 * used), 423 account_locked. On success p is loaded and the step is gone. */
int user_login_totp(db *d, const char *pending, const char *code, const char *addr, principal *p, cx_err *e);

/* ---- the second factor of a staff account (auth.c) ---- */
typedef struct totp_state {
    bool on;                      /* asked at sign-in */
    bool enrolling;               /* a secret made, not yet proven by a code */
    bool required;                /* an office above requires it (a staff grant under a totp_policy) */
    char secret[TOTP_B32_LEN + 1]; /* Base32, only while enrolling */
} totp_state;
int totp_state_get(db *d, const principal *p, totp_state *st);
/* A fresh secret (20 random bytes), sealed into the account with the factor still off; replaces
 * one not yet confirmed. 409 totp_on when it is on already. */
int totp_start(db *d, const actor *a, char secret[TOTP_B32_LEN + 1], cx_err *e);
/* The code proves the app has the secret: the factor is on. 409 totp_not_started; the code's
 * errors as user_login_totp's (counted in the lock-out), but 400 bad_totp, the user being
 * signed in. */
int totp_confirm(db *d, const actor *a, const char *code, const char *addr, cx_err *e);
/* Off with a current code, unless an office above requires it (409 totp_required). */
int totp_disable(db *d, const actor *a, const principal *p, const char *code, const char *addr, cx_err *e);
/* An office's rule for the staff of its subtree (audited); *required: its own row's rule. */
int totp_policy_set(db *d, const actor *a, const org *o, bool required, cx_err *e);
/* Off without a code, for the command line (a phone lost with nobody above to reset the account);
 * audited. 404 not_found for an unknown name. */
int totp_clear(db *d, const actor *a, const char *username, cx_err *e);
int totp_policy_get(db *d, int64_t org_id, bool *required);
/* First sign-in (激活): username, the one-time code and the new password (password_check). The
 * same lock-out as user_login counts wrong codes. 401 bad_code (unknown name, wrong code, an
 * account already activated, locked or deactivated: one answer), 410 code_expired (right code,
 * past its day), 409 already_activated (another activation won). On success the password is
 * set, the code gone, and p loaded for the session. */
int user_activate(db *d, const char *username, const char *code, const char *password, const char *addr, principal *p, int *retry_after,
                  cx_err *e);
/* Prints every user with their grants (username, display name, role, organisation) to out. */
int user_list(db *d, FILE *out);

#define SESSION_IDLE_SECONDS (30 * 60)
/* Creates a session; token (64 hex) goes in the cookie, csrf (64 hex) in forms. */
int session_create(db *d, int64_t user_id, char token[65], char csrf[65]);
/* Loads the session for a cookie token if it has not been idle for SESSION_IDLE_SECONDS;
 * refreshes last_seen. 1 found, 0 none/expired. */
int session_lookup(db *d, const char *token, principal *p, char csrf[65]);
int session_delete(db *d, const char *token);
#endif
