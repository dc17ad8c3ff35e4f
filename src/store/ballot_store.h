/* ballot_store.h: public rating (群众评议) with integrity: service windows (服务窗口), anonymous
 * ballots over QR code and web (不满意 verified by an SMS code), paper questionnaire batches (问卷),
 * phone sampling (电话随机抽访), per-address limits, and results per target and organisation.
 *
 * Anonymity: a ballot row names no rater. rater_key is a keyed hash over (round, target, identity)
 * where the identity is the verified phone, the paper sheet's code or the device token, so it
 * cannot be linked to a phone, a sheet or another ballot; only the day is kept. Nothing here
 * returns a rater_key, a ballot id, or a ballot beside a phone, a sheet code or a device.
 *
 * Trust (公信力): a ballot moves a grade or a published figure only when its rater is verified: an
 * SMS-verified phone (web/QR), a paper sheet's code, or a phone-sampling draw — whatever the
 * answer. A web/QR ballot without a verified phone is stored as unverified (verified = 0): it is
 * shown apart (未验证的网上评价，仅供参考，不计入等次和满意率) and never enters the answers, the
 * satisfaction rate, a grade or a ranking. Device tokens are issued by the server and signed
 * (device_issue: a random id and a keyed hash over it); a token the server did not sign is
 * refused. Bursts: when a target gets more than burst_target web/QR ballots in burst_window
 * seconds, or one network prefix (IPv4 /24, IPv6 /48) sends more than burst_net in an hour (each
 * counted in two fixed windows offset by half a window, so no boundary splits a burst), the
 * ballots past the limit are held (hold = 'held', in a ballot_burst row) and stay out of every
 * figure until the office releases them (they count) or discards them (they count as invalid),
 * audited. Roll-up counters follow every step (rollup_of_ballot with ballot_class).
 *
 * Integrity: one rater counts once per target and round. The unique index on rater_key decides
 * repeats; a ballot given with a phone also records its device's key (a claim row in rate_limit,
 * bucket "d:…", window 0), so one device cannot count twice by adding a phone, nor one phone by
 * changing devices. A repeat is refused and stored as an invalid ballot (invalid_reason 'repeat',
 * no key), so the counts show it.
 *
 * Durability: ballots are written by one writer thread with its own connection (SQLite:
 * synchronous=FULL) that takes every pending ballot, writes them in one transaction (each ballot
 * with its roll-up delta; one audit record per round, channel and actor with counts only),
 * commits, then wakes each waiting request with its own outcome (group commit). */
#ifndef CX_BALLOT_STORE_H
#define CX_BALLOT_STORE_H
#include "store.h"

/* ---- the writer ---- */

typedef struct ballot_config {
    int64_t ballot_limit; /* anonymous ballots per client address per hour; 0 = no limit */
    int64_t sms_limit;    /* SMS code requests per client address per hour; 0 = no limit */
    int64_t burst_target; /* web/QR ballots per target per burst window before holding; 0 = off */
    int64_t burst_window; /* seconds */
    int64_t burst_net;    /* web/QR ballots per network prefix per hour before holding; 0 = off */
} ballot_config;
#define BALLOT_LIMIT_DEFAULT 60
#define SMS_LIMIT_DEFAULT 10
#define BURST_TARGET_DEFAULT 20
#define BURST_WINDOW_DEFAULT 600
#define BURST_NET_DEFAULT 30
#define BALLOT_CONFIG_DEFAULT {BALLOT_LIMIT_DEFAULT, SMS_LIMIT_DEFAULT, BURST_TARGET_DEFAULT, BURST_WINDOW_DEFAULT, BURST_NET_DEFAULT}

/* Starts the writer on its own connection to url (cfg NULL: defaults). Without a running writer,
 * ballots are written on the caller's connection, one transaction each (CLI, demo, tests). */
int ballots_start(const char *url, const ballot_config *cfg, cx_err *e);
/* Writes what is pending, stops the thread and closes its connection. */
void ballots_stop(void);
/* The writer's figures for /metrics. batch_hist[i]: batches of at most 2^i ballots (the last: more). */
#define BALLOT_BATCH_BUCKETS 10
typedef struct ballot_stats {
    uint64_t queue_depth, batches, batched, batch_hist[BALLOT_BATCH_BUCKETS], acknowledged, failed;
} ballot_stats;
void ballots_stats(ballot_stats *o);
const ballot_config *ballots_config(void);

/* ---- service windows ---- */

typedef struct service_window {
    int64_t id, org_id, created_at;
    int active;
    char name[256], location[256], org_name[256], org_path[CX_PATH_MAX];
} service_window;
CX_MUST_USE int window_get(db *d, int64_t id, service_window *w);
/* name 1–40 characters, location 0–60; the organisation must be active. */
int window_create(db *d, const actor *a, int64_t org_id, const char *name, const char *location, int64_t *id, cx_err *e);
int window_update(db *d, const actor *a, int64_t id, const char *name, const char *location, cx_err *e);
int window_set_active(db *d, const actor *a, int64_t id, int active, cx_err *e);
typedef int (*window_fn)(void *ctx, const service_window *w);
/* Windows of o (subtree: and of its whole subtree), active ones unless all, by path and name. */
int window_list(db *d, const org *o, bool subtree, bool all, window_fn fn, void *ctx);

/* ---- what can be rated ---- */

enum { RK_MEMBER, RK_ORG, RK_PLEDGE, RK_WINDOW, RK_N };
int rating_kind_from_name(const char *s); /* -1 when unknown */
const char *rating_kind_name(int k);      /* member org pledge window */
const char *rating_kind_label(int k);     /* 党员 党组织 承诺 服务窗口 */

typedef struct rating_target {
    int kind;
    int64_t id, org_id;
    char name[256], org_name[256], org_path[CX_PATH_MAX];
} rating_target;
/* A target the public may rate: an active member of an active organisation, an active
 * organisation, a public (approved and later) pledge, an active window. 1, 0 (none), CX_ERR. */
CX_MUST_USE int rating_target_get(db *d, int kind, int64_t id, rating_target *t);
/* Any target, active or not (staff results). */
CX_MUST_USE int rating_target_any(db *d, int kind, int64_t id, rating_target *t);

/* The rating of a target now: the newest open round covering its organisation (1; 0 when none),
 * its question set ("window6" for windows, the round's set otherwise) and whether 不满意 needs an
 * SMS-verified phone (the campaign's rule). */
typedef struct rating_open {
    int64_t round_id, round_org_id;
    char round_name[192], questions[16], round_org_path[CX_PATH_MAX];
    bool sms_required, open;
} rating_open;
CX_MUST_USE int rating_open_for(db *d, const rating_target *t, rating_open *ro);
/* The round staff look at for an organisation: round_id when it covers org_path or lies inside
 * it, else (round_id 0) the newest round, open or closed, covering org_path. 1, 0 none, CX_ERR. */
CX_MUST_USE int rating_round_pick(db *d, const char *org_path, int64_t round_id, rating_open *ro);

/* ---- SMS codes ---- */
#define SMS_CODE_TTL 600      /* seconds a code is valid */
#define SMS_CODE_ATTEMPTS 5   /* wrong tries allowed per code */
/* Validates a mainland mobile number into out (11 digits). */
int rating_phone(const char *in, char out[32], cx_err *e);
/* Sends a 6-digit code to phone: at most one a minute and 5 an hour per phone, sms_limit per
 * address an hour (429 rate_limited). Only hashes are stored. addr: the client address. */
int sms_code_request(db *d, const char *phone, const char *addr, cx_err *e);
/* Checks and uses up the newest code of phone (normalised): 400 code_expired (none valid),
 * wrong_code (counted), 429 too_many_attempts. */
int sms_code_verify(db *d, const char *phone, const char *code, cx_err *e);

/* ---- device tokens ---- */
#define DEVICE_TOKEN_LEN 65 /* 32 hex id, '.', 32 hex keyed hash */
/* A new device token signed with the server key. */
void device_issue(char out[DEVICE_TOKEN_LEN + 1]);
/* Whether s is a token this server issued. */
bool device_valid(const char *s);

/* ---- ballots ---- */

typedef struct ballot_in {
    const char *channel;              /* qr web paper phone */
    int kind;                         /* qr/web: the target */
    int64_t target_id;
    const char *answers;              /* one digit per question: 1 满意 2 基本满意 3 不满意 */
    const char *comment, *reason;     /* reason: why 不满意 (required on qr/web) */
    const char *phone, *code;         /* qr/web: phone and SMS code (verifies the rater) */
    bool phone_verified;              /* the system (demo) verified phone itself: no code; never from HTTP */
    const char *device;               /* qr/web: the device token (device_issue) */
    const char *addr;                 /* qr/web: client address (per-address limit) */
    int64_t batch_id;                 /* paper: the batch, the sheet's code, spoiled */
    const char *sheet_code;
    bool spoiled;
    int64_t draw_id, seq;             /* phone: the draw and the entry's place in it */
} ballot_in;
typedef struct ballot_out {
    bool valid;    /* stored as valid (not a repeat, not spoiled) */
    bool verified; /* the rater is verified: the ballot counts (unless held) */
    bool held;     /* held in a burst until the office decides */
    int64_t round_id;
    char target_name[256];
} ballot_out;
/* Checks, then writes through the writer and returns once the ballot is durable. A repeat is
 * stored as invalid and answered CX_ERR 409 duplicate_ballot; a spoiled sheet is CX_OK with
 * valid false. Other refusals change nothing (but a wrong SMS code counts as an attempt).
 * d is used for the checks (and, with no writer running, for the write, in a transaction of its
 * own): it must not be inside a transaction. a: the staff member keying in a paper or phone
 * ballot (audited with the batch's counts), NULL for the public. */
int ballot_cast(db *d, const actor *a, const ballot_in *in, ballot_out *out, cx_err *e);

/* ---- paper questionnaires ---- */
#define PAPER_MAX_SHEETS 2000
#define PAPER_CODE_DATA 8 /* characters of a sheet code before its check character */
typedef struct paper_batch {
    int64_t id, round_id, target_id, org_id, issued, returned, valid, spoiled, created_at, created_by;
    int kind;
    char questions[16], note[512], target_name[256], org_name[256], org_path[CX_PATH_MAX], round_name[192], created_by_name[64];
} paper_batch;
/* N sheets (1..PAPER_MAX_SHEETS) for a target in the round open for it, each with a unique code.
 * Who may issue and key in is the caller's check: the level above the target's organisation
 * (perm_paper_handler), never that organisation's own secretary. */
int paper_batch_create(db *d, const actor *a, int kind, int64_t target_id, int64_t sheets, const char *note, int64_t *id,
                       cx_err *e);
CX_MUST_USE int paper_batch_get(db *d, int64_t id, paper_batch *b);
typedef int (*paper_fn)(void *ctx, const paper_batch *b);
/* Batches of root's subtree in round_id (0: every round), newest first. */
/* Batches of root's subtree (round_id 0: any round), newest first; limit 0: all. */
int paper_batch_count(db *d, const org *root, int64_t round_id, int64_t *total);
int paper_batch_list(db *d, const org *root, int64_t round_id, int64_t offset, int64_t limit, paper_fn fn, void *ctx);
typedef int (*code_fn)(void *ctx, const char *code);
/* The codes of a batch in printing order (nothing about their answers). */
int paper_codes(db *d, int64_t batch_id, code_fn fn, void *ctx);
/* Records a keyed-in sheet's keyer (after ballot_cast took it): sets paper_sheet.keyed_by once
 * and audits "key_in" on the batch (who, never the answers). 0 changes when already recorded. */
int paper_sheet_keyed(db *d, const actor *a, const paper_batch *b, const char *code, cx_err *e);
typedef int (*keyer_fn)(void *ctx, int64_t user_id, const char *name, int64_t sheets);
/* Who keyed in the batch's returned sheets, with how many each (0: not recorded). */
int paper_keyers(db *d, int64_t batch_id, keyer_fn fn, void *ctx);
/* Sums over root's subtree in round_id: sheets issued, returned (keyed in), valid. */
CX_MUST_USE int paper_totals(db *d, const org *root, int64_t round_id, int64_t *issued, int64_t *returned, int64_t *valid);

/* ---- phone sampling ---- */
#define PHONE_MAX_LIST 100000
#define PHONE_MAX_DRAW 2000
typedef struct phone_draw {
    int64_t id, round_id, target_id, org_id, population, n, created_at;
    int64_t pending, answered, unreachable, refused, commitment_id, created_by, committed_at; /* committed_at: the commitment's time */
    int kind;
    char seed[72], seed_hash[65], method[16], list_digest[65], questions[16], target_name[256], org_name[256], org_path[CX_PATH_MAX],
        round_name[192], created_by_name[64];
} phone_draw;
/* Reads the contact list (CSV/XLSX: a phone per row, an optional name beside it, an optional
 * header row), puts it in canonical order (draw_list_canonical: sorted, repeats dropped, so the
 * file's order has no effect), takes the commitment commitment_id (draw_commitment_take: made
 * before the upload at the target's organisation or above, unused) and draws n with
 * draw_committed from its seed and the list's digest; stores the seed beside its commitment and
 * the entries encrypted with masks. seed: a seed the client sent, refused (400
 * seed_not_accepted): the seed comes only from the server. Any invalid row refuses the whole
 * list, naming the rows. */
int phone_draw_create(db *d, const actor *a, int kind, int64_t target_id, const void *file, size_t len, const char *n,
                      const char *seed, const char *commitment_id, int64_t *id, cx_err *e);
CX_MUST_USE int phone_draw_get(db *d, int64_t id, phone_draw *p);
typedef int (*draw_fn)(void *ctx, const phone_draw *p);
/* Draws of root's subtree (round_id 0: any round), newest first; limit 0: all. */
int phone_draw_count(db *d, const org *root, int64_t round_id, int64_t *total);
int phone_draw_list(db *d, const org *root, int64_t round_id, int64_t offset, int64_t limit, draw_fn fn, void *ctx);
typedef struct phone_entry {
    int64_t seq, list_index;
    char mask[32], phone[32], state[16]; /* phone: only when revealed */
} phone_entry;
typedef int (*entry_fn)(void *ctx, const phone_entry *e);
/* The entries in draw order; reveal decrypts the numbers (the caller audits the view first). */
int phone_entries(db *d, int64_t draw_id, bool reveal, entry_fn fn, void *ctx);
/* Audits the full view of a draw's numbers. */
int phone_draw_reveal(db *d, const actor *a, int64_t draw_id, cx_err *e);
/* Marks entry seq unreachable or refused (state "unreachable" / "refused"); only pending ones. */
int phone_entry_mark(db *d, const actor *a, int64_t draw_id, int64_t seq, const char *state, cx_err *e);
/* The canonical list (sorted, repeats dropped) and its SHA-256 digest, as phone_draw_create
 * computes them (for re-running a draw). */
int phone_list_read(const void *file, size_t len, char ***phones, size_t *n, char digest[65], cx_err *e);

/* ---- results ---- */
typedef struct rating_result {
    int kind;
    int64_t id, valid, invalid; /* valid: counted ballots (verified, not held) */
    int64_t web, paper, phone;  /* counted ballots by channel (web: QR/web with an SMS-verified phone) */
    int64_t unverified, held;   /* the separate indicator; held in a burst */
    int nq;                   /* questions */
    int64_t q[6][3];          /* counted answers per question: 满意, 基本满意, 不满意 */
    int64_t ans[3];           /* all questions together */
    int64_t rate;             /* (满意 + 基本满意) / answers ×10000; -1 without answers */
    int64_t uans[3], urate;   /* the same over unverified ballots (indicator only) */
    char questions[16], name[256];
} rating_result;
/* The result of one target in a round. */
CX_MUST_USE int rating_result_get(db *d, int64_t round_id, int kind, int64_t id, rating_result *r);
typedef int (*result_fn)(void *ctx, const rating_result *r);
/* Results of every target with ballots whose organisation is org_id, by kind and name. */
int rating_results_org(db *d, int64_t round_id, int64_t org_id, result_fn fn, void *ctx);
typedef int (*comment_fn)(void *ctx, const char *what, const char *text);
/* The comments and reasons left on valid ballots of a target (text only, sorted by text). */
int rating_comments(db *d, int64_t round_id, int kind, int64_t id, int64_t limit, comment_fn fn, void *ctx);

/* ---- bursts (集中投票，待审核) ---- */
typedef struct ballot_burst {
    int64_t id, round_id, target_id, org_id, window_start, window_len, created_at, decided_at, held, released, discarded;
    int kind;
    char reason[16], state[16], note[512], target_name[256], org_name[256], org_path[CX_PATH_MAX], round_name[192];
} ballot_burst;
CX_MUST_USE int burst_get(db *d, int64_t id, ballot_burst *b);
typedef int (*burst_fn)(void *ctx, const ballot_burst *b);
/* Bursts of root's subtree (round_id 0: any round; state NULL/"": any), open ones first. */
int burst_count(db *d, const org *root, int64_t round_id, const char *state, int64_t *total);
int burst_list(db *d, const org *root, int64_t round_id, const char *state, int64_t offset, int64_t limit, burst_fn fn, void *ctx);
/* The office's decision on an open burst: release (its ballots count) or discard (they count as
 * invalid). note: why, up to 200 characters (required to discard). One transaction with the
 * roll-up deltas, audited. 409 burst_decided when already decided. */
int burst_decide(db *d, const actor *a, int64_t id, bool release, const char *note, cx_err *e);
#endif
