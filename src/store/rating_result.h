/* rating_result.h: the results of public rating per target and organisation, and the comments left. */
#ifndef CX_RATING_RESULT_H
#define CX_RATING_RESULT_H
#include "store.h"

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
#endif
