/* ballot.h: casting a ballot in public rating (群众评议): anonymous ballots over QR code and web
 * (不满意 verified by an SMS code), paper sheets and phone-sampling answers keyed in by staff, with
 * per-address limits; one rater counts once per target and round.
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
 * no key), so the counts show it. */
#ifndef CX_BALLOT_H
#define CX_BALLOT_H
#include "store.h"
#include "rating.h"           /* rating_target */
#include "../domain/rating.h" /* ballot_texts_in, ballot_texts_ok */

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
    bool recent;                      /* qr/web: the target and its round may be a moment old (rating_target_open_recent) */
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
/* A ballot is cast in three steps, so that its checks keep their order and the store checks no
 * text: ballot_prepare (the store: the target or sheet or draw entry, the round open for it, the
 * device, the answers against the round's questions), ballot_texts_check (the domain: reason,
 * phone, comment, with the flags prepare leaves in p->texts), then ballot_cast. */
typedef struct ballot_prep {
    ballot_texts_in texts; /* what ballot_texts_check is to check, and how */
    rating_target t;
    int64_t round_id, sheet_id, entry_id;
    int64_t round_org_id; /* qr/web: the organisation of the open round read with the target */
    bool anon;     /* qr/web */
    bool need_sms; /* 不满意 where the round wants a phone verified by SMS code */
    char questions[16], code[16];
    char phone[32]; /* phone: the number called (decrypted; ballot_cast wipes it) */
} ballot_prep;
/* The checks before the texts; p filled on CX_OK. Refusals change nothing. */
int ballot_prepare(db *d, const ballot_in *in, ballot_prep *p, cx_err *e);
/* Writes through the writer what ballot_prepare and ballot_texts_check passed, and returns once
 * the ballot is durable (the phone numbers in p and ok are wiped first). A repeat is stored as
 * invalid and answered CX_ERR 409 duplicate_ballot; a spoiled sheet is CX_OK with valid false.
 * Other refusals change nothing (but a wrong SMS code counts as an attempt). *d is used for the
 * checks (and, with no writer running, for the write, in a transaction of its own): it must not
 * be inside a transaction; a pooled *d goes back to its pool while the ballot waits for the
 * writer, and *d is then another connection of the pool (ballot_submit). a: the staff member
 * keying in a paper or phone ballot (audited with the batch's counts), NULL for the public. */
int ballot_cast(db **d, const actor *a, const ballot_in *in, ballot_prep *p, ballot_texts_ok *ok, ballot_out *out, cx_err *e);
#endif
