/* rating_int.h: what the rating pages (rate.c, window.c, rating_result.c, paper_batch.c,
 * phone_draw.c, burst.c) share, defined in rating_common.c, and the public's verified rater that
 * the comments and nominations of issue 22 (news.c, consultation.c) share with them; for those
 * files only. */
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

/* The device token (rate.c): from the page's cookie when the server issued it; otherwise NULL, and
 * with set a new signed one is set as the cookie. api_device: "device" in the answer for API
 * clients (the one sent when valid, else a new one). */
const char *device_token(req *r, bool set);
void api_device(req *r);

/* The public's one-person-once rule outside ballots (issue 22: consultation comments, nominations
 * of a case; defined in consultation.c): a device token the server issued (the cookie on pages,
 * "device" in the API: 400 invalid_device), a mainland mobile ("phone") verified by its SMS code
 * ("code": 422 code_required, then sms_code_verify's errors) and a use of the address's hourly
 * limit (429 rate_limited). The keys are rater_key's over (kind, id) of the phone and of the
 * device: the store keeps only them, unique per record. begin takes the use of the limit;
 * end(kept false) gives it back when the action was refused. */
#define PUBLIC_RATER_PER_ADDR 20
typedef struct public_rater {
    unsigned char rater_key[32], device_key[32];
    char bucket[48];
    int64_t hour;
} public_rater;
int public_rater_begin(req *r, const char *kind, int64_t id, public_rater *p, cx_err *e);
void public_rater_end(req *r, const public_rater *p, bool kept);
/* op=sms of a public form: a code to the form's "phone" (rating_phone, sms_code_request). */
int public_sms(req *r, cx_err *e);
#endif
