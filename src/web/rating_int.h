/* rating_int.h: what the rating pages (rate.c, window.c, rating_result.c, paper_batch.c,
 * phone_draw.c, burst.c) share, defined in rating_common.c; for those files only. */
#ifndef CX_WEB_RATING_INT_H
#define CX_WEB_RATING_INT_H
#include "web.h"
#include "../store/rating.h"
#include "../store/window.h"
#include "../store/paper_batch.h"
#include "../store/phone_draw.h"
#include "../store/draw.h"
#include "../store/ballot.h"

/* Input: an optional positive id (0 when absent; *bad when present but not a positive integer);
 * q1..qN of a form as one answer string; the organisation of the path's :id (staff in reach) with
 * the optional ?round_id= of a list; the target of a paper batch (paper) or phone draw from
 * target_kind + target_id or the page's "target" select ("window:5"), by default the organisation
 * itself, in o's subtree and the user's reach. false: the request has failed. */
int64_t query_id(req *r, const char *name, bool *bad);
void form_answers(req *r, int n, char out[8]);
bool org_round(req *r, org *o, int64_t *rid);
bool staff_target_in(req *r, const org *o, bool paper, int *kind, int64_t *tid);
/* The answer to a record lookup f (1, 0, CX_ERR): found and within the user's reach (mask over
 * path), or failed with the same 404 as a missing record ("<what>不存在…"). */
bool in_scope(req *r, int f, int mask, const char *path, const char *what);
/* Paper questionnaires are issued and keyed in by the level above the target's organisation
 * (perm_paper_handler); otherwise the request fails 403 on fld, naming the rule. */
bool paper_handler_or_fail(req *r, const char *org_path, const char *fld);
/* A ballot cast in its three steps (ballot_prepare, ballot_texts_check, ballot_cast; see
 * store/ballot.h): CX_OK, or CX_ERR with the first refusal in e. a: NULL for the public. */
int cast_ballot(req *r, const actor *a, const ballot_in *in, ballot_out *out, cx_err *e);

/* JSON: the questions of a set with their answer options (answers: the ones checked, or NULL);
 * the round ("round") and the target ("target") put in d; a window, paper batch, phone draw and
 * draw commitment, and the list callbacks (ctx: a cJSON array) of the first three; subject_json,
 * what a batch, a draw and a burst share (questions NULL: none). */
cJSON *questions_json(const char *set, const char *answers);
void round_json(cJSON *d, const rating_open *ro);
void target_json(cJSON *d, const rating_target *t);
cJSON *window_json(const service_window *w);
int add_window(void *ctx, const service_window *w);
/* The rating page of the window (or post, area) id behind its QR code: rate_qr_data adds the code
 * as inline SVG (html_qr) and its URL (url) to d; rate_qr_file answers the code as the response.
 * On a Host that is not the site's address the request fails (400 bad_host, public_addr.c). */
void rate_qr_data(req *r, int64_t id, cJSON *d);
void rate_qr_file(req *r, int64_t id);
cJSON *subject_json(int64_t id, int64_t round_id, const char *round_name, int kind, int64_t target_id, const char *target_name,
                    int64_t org_id, const char *org_name, const char *questions);
cJSON *batch_json(const paper_batch *b);
int add_batch(void *ctx, const paper_batch *b);
cJSON *draw_json(const phone_draw *p);
int add_draw(void *ctx, const phone_draw *p);
cJSON *commitment_json(const draw_commitment *c);
#endif
