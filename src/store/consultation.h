/* consultation.h: online consultations (网上征询), issue 22, migration 0043: an organisation puts
 * a topic to the public with a closing date; the public comments anonymously, one comment per
 * verified phone and per device (rater keys, store/rater.c); the organisation answers each comment
 * and, after the closing date, writes the summary. Every change is audited (entity "consultation"). */
#ifndef CX_CONSULTATION_STORE_H
#define CX_CONSULTATION_STORE_H
#include "store.h"
#include "../domain/news.h"

typedef struct consultation {
    int64_t id, org_id, version, created_at, summary_at, ncomments, nreplied;
    char title[CONSULT_TITLE_MAX * 4 + 1], closes_on[11], org_name[256], org_path[CX_PATH_MAX];
    char *body, *summary; /* owned: consultation_clear */
} consultation;
CX_MUST_USE int consultation_get(db *d, int64_t id, consultation *c);
void consultation_clear(consultation *c);
/* in: passed consult_check; the organisation must be active (404). */
int consultation_create(db *d, const actor *a, int64_t org_id, const consult_ok *in, int64_t *id, cx_err *e);
/* The summary (总结), once comments are no longer taken (409 consultation_open before; today
 * "YYYY-MM-DD"); written again it replaces the old one (audited with both). */
int consultation_summarise(db *d, const actor *a, int64_t id, const char *summary, const char *today, cx_err *e);

typedef int (*consultation_fn)(void *ctx, const consultation *c);
/* path: the subtree (NULL: all); newest first; body and summary NULL in lists. */
int consultation_list(db *d, const char *path, int64_t offset, int64_t limit, consultation_fn fn, void *ctx);
int consultation_count(db *d, const char *path, int64_t *n);
/* The version of what /p/consultations shows: their number and the sum of their versions. */
int consultation_public_version(db *d, int64_t *n, int64_t *sum);

typedef struct consult_comment {
    int64_t id, consultation_id, created_at, replied_at;
    char replied_by[64];
    char *text, *reply; /* owned by the list: valid during the callback */
} consult_comment;
typedef int (*comment_fn)(void *ctx, const consult_comment *c);
/* Comments oldest first; answered_only: those with an answer (the public page). */
int consultation_comments(db *d, int64_t id, bool answered_only, comment_fn fn, void *ctx);
/* A comment (text passed clean_text) of the rater (keys over the consultation): 409
 * consultation_closed after closes_on (today), 409 already_commented when that phone or device has
 * commented (also for the loser of two at once). */
int consultation_comment_add(db *d, const actor *a, int64_t id, const char *text, const unsigned char *rater_key, const unsigned char *device_key,
                             const char *today, int64_t *comment_id, cx_err *e);
/* The organisation's answer to a comment (replaces an earlier one); *consultation_id gets its
 * consultation. 404 when there is no such comment. */
int consultation_reply(db *d, const actor *a, int64_t comment_id, const char *reply, cx_err *e);
/* The consultation a comment belongs to: 1, 0, CX_ERR. */
CX_MUST_USE int consultation_of_comment(db *d, int64_t comment_id, int64_t *consultation_id);
#endif
