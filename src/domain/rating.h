/* rating.h: the checks of what staff and the public type on the rating side (群众评议): service
 * windows, paper batches, phone draws and the office's decision on a burst. Each takes the raw
 * values as typed (X_in) and fills a validated struct (X_ok: trimmed text in buffers sized by its
 * rule) that the store takes as it is. Errors are text.h's (400 on the field) and the codes named
 * below; checks that need the database (the target, the round, the commitment) stay in the store. */
#ifndef CX_DOMAIN_RATING_H
#define CX_DOMAIN_RATING_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../lib/util.h"

/* Bytes for a text of n characters (UTF-8: at most 4 a character) and its terminator. */
#define RATING_CAP(n) ((n) * 4 + 1)

/* A service window (服务窗口): name 1–40 characters, location 0–60. */
#define WINDOW_NAME_MAX 40
#define WINDOW_LOCATION_MAX 60
typedef struct window_in {
    const char *name, *location;
} window_in;
typedef struct window_ok {
    char name[RATING_CAP(WINDOW_NAME_MAX)], location[RATING_CAP(WINDOW_LOCATION_MAX)];
} window_ok;
int window_check(const window_in *in, window_ok *out, cx_err *e);

/* A batch of paper questionnaires: sheets 1..PAPER_MAX_SHEETS (400 invalid_sheets), note 0–100. */
#define PAPER_MAX_SHEETS 2000
#define PAPER_NOTE_MAX 100
typedef struct paper_batch_in {
    int64_t sheets;
    const char *note;
} paper_batch_in;
typedef struct paper_batch_ok {
    int64_t sheets;
    char note[RATING_CAP(PAPER_NOTE_MAX)];
} paper_batch_ok;
int paper_batch_check(const paper_batch_in *in, paper_batch_ok *out, cx_err *e);

/* The office's decision on a burst: release or discard, note up to 200 characters (required to
 * discard). */
#define BURST_NOTE_MAX 200
typedef struct burst_in {
    const char *note;
    bool release;
} burst_in;
typedef struct burst_ok {
    char note[RATING_CAP(BURST_NOTE_MAX)];
    bool release;
} burst_ok;
int burst_check(const burst_in *in, burst_ok *out, cx_err *e);
/* A phone draw as typed: the contact list file (its rows are read by the store's phone_list_read),
 * n 1..PHONE_MAX_DRAW (400 invalid_n), the commitment made before the upload (400
 * commitment_required), and no seed (400 seed_not_accepted: the seed comes only from the server);
 * an empty file is 400 required. */
#define PHONE_MAX_DRAW 2000
typedef struct phone_draw_in {
    const void *file;
    size_t len;
    const char *n, *seed, *commitment_id;
} phone_draw_in;
typedef struct phone_draw_ok {
    const void *file; /* in's, not copied */
    size_t len;
    int64_t n;
    const char *commitment_id; /* in's: non-empty; the store takes it up (draw_commitment_take) */
} phone_draw_ok;
int phone_draw_check(const phone_draw_in *in, phone_draw_ok *out, cx_err *e);
/* A rater's phone: a mainland mobile number (11 digits, 1 first) into out; 400 required,
 * invalid_phone (field phone). */
typedef struct rater_phone {
    char phone[32];
} rater_phone;
int rating_phone(const char *in, char out[32], cx_err *e);
/* The texts of a ballot, checked after the store's ballot_prepare (which fills the flags): reason
 * (不满意的理由) and comment (意见建议), up to 500 characters each; on QR/web (phone_checked) the
 * reason is required when an answer is 不满意 (reason_required), and a phone given is checked
 * with rating_phone (phone_required: it must be given, when the round wants 不满意 verified by
 * SMS). In this order: reason, phone, comment. */
#define BALLOT_TEXT_MAX 500
typedef struct ballot_texts_in {
    const char *reason, *comment, *phone;
    bool reason_required, phone_checked, phone_required;
} ballot_texts_in;
typedef struct ballot_texts_ok {
    char reason[RATING_CAP(BALLOT_TEXT_MAX)], comment[RATING_CAP(BALLOT_TEXT_MAX)];
    char phone[32]; /* normalised; "" when none was given or it is not asked */
} ballot_texts_ok;
int ballot_texts_check(const ballot_texts_in *in, ballot_texts_ok *out, cx_err *e);
#endif
