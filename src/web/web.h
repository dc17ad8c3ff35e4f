/* web.h: the request, the route table and the helpers handlers use. A request flows one way:
 * route table → handler (parse and validate) → store/domain → template or JSON. Handlers fill
 * r->data (a cJSON object); the same handler serves a page (rendered with its template) and the
 * JSON API (r->data as JSON), so both always offer the same operations. */
#ifndef CX_WEB_H
#define CX_WEB_H
#include <cjson/cJSON.h>
#include <microhttpd.h>
#include "../lib/buf.h"
#include "../lib/json.h"
#include "../store/store.h"
#include "../store/notify.h" /* remind_sms */
#include "../store/attachment.h"
#include "cache.h" /* page_ref */

typedef struct web_config {
    const char *db_url;
    const char *listen; /* "127.0.0.1:8080" */
    int threads;
    int max_conns; /* open connections kept at most; 0: the default (server.c, conn_budget) */
    int metrics;   /* who may read /metrics: METRICS_LOCAL (default), METRICS_ANY, METRICS_OFF */
    int per_addr;    /* open connections from one client address at most; 0: a quarter of max_conns, at least 16 */
    int header_wait; /* seconds a connection may take to send a request's headers; 0: 30 */
    int body_wait;   /* seconds a request body may take (plus 1 s per 64 KiB of an upload); 0: 30 */
    /* reads from a replica (issue 20) */
    int read_lag;    /* --db-read given: R_REPLICA routes read from it within this many seconds of lag; 0: none */
    /* seconds a client that changed something reads its own writes past the replica and the page
     * cache's trust window (cookie cxzy_rw): read_lag + 1 with a replica; on PostgreSQL without one
     * PAGE_CACHE_TRUST + 1, since another instance's trusted cache learns of the change only when
     * the notification arrives, after this answer; 0 on SQLite (checked before each cache hit) */
    int own_writes;
} web_config;
enum { METRICS_LOCAL, METRICS_ANY, METRICS_OFF };

int web_serve(const web_config *cfg, db_pool *pool);
/* The same request handling in a daemon that listens nowhere, run by the caller (server.c). */
struct MHD_Daemon *web_start_embedded(db_pool *pool);

enum {
    R_PUBLIC = 1, /* no login needed */
    R_STATE = 2,  /* changes state: POST/PATCH/DELETE, CSRF checked */
    R_API = 4,    /* JSON in and out, errors as {"error":{…}} */
    R_SETUP = 8,  /* open to an account that must set up its second factor first (principal.totp_due) */
    /* reads from a streaming replica (issue 20) */
    R_REPLICA = 16, /* a GET that tolerates a short lag: served from the replica of `--db-read` when it is up */
};

typedef struct field {
    char *name, *filename, *ctype;
    buf data;
} field;

typedef struct req req;
typedef void (*handler_fn)(req *r);

/* What a route's request body may be and how large (http.c reads it; the OpenAPI description
 * shows it as x-body and x-body-limit). A "file" body is taken as it comes (multipart or raw, never
 * required to be JSON); the others are JSON or a form, which may carry files where "files" says so. */
typedef enum body_class {
    BODY_FORM = 0,         /* JSON bodies and forms: 1 MiB (the default) */
    BODY_PHOTO,            /* file: a 2 MiB photo and its multipart wrapping: 3 MiB */
    BODY_LIST,             /* file: a phone list of up to 100,000 rows (PHONE_MAX_LIST) with a name column: 8 MiB */
    BODY_ROSTER,           /* file: a roster, CSV or XLSX: 64 MiB */
    BODY_FILES_PUBLIC,     /* files: a public form with one phone photo's worth of attachments: 3 MiB */
    BODY_FILES,            /* files: a staff form with up to 5 evidence files of 5 MiB: 27 MiB */
    BODY_NCLASS
} body_class;
typedef struct body_spec {
    const char *name;      /* "form", "photo" … */
    size_t limit;          /* bytes */
    bool file;             /* the body is a file: never refused for not being JSON */
} body_spec;
extern const body_spec web_bodies[BODY_NCLASS];

typedef struct route {
    const char *method;
    const char *pattern; /* "/orgs/:id/members"; ":x" matches one segment */
    handler_fn fn;
    int roles;           /* ROLE_* mask the user must hold somewhere; 0 with R_PUBLIC */
    int flags;
    const char *tmpl;    /* page template for GET pages */
    const char *summary; /* one line for the OpenAPI description */
    body_class body;     /* what its body may be (BODY_FORM unless named) */
    int action;          /* for a handler serving several routes, which one this is, so that it never
                          * parses the URL again: a pledge_action (PA_*), rect_action (RA_*), rating
                          * kind (RK_*) or 1/0 (activate/deactivate); 0 unless named */
} route;

extern const route web_routes[];
extern const size_t web_nroutes;

struct req {
    struct MHD_Connection *conn;
    const char *method, *url;
    const route *rt;
    char *params[4];
    int nparams;
    /* input */
    buf body;
    size_t body_limit, received, parsed;
    bool authed;
    bool too_big;
    bool in_body;      /* its body is still arriving (the connection is under the body timeout) */
    bool body_cut;     /* cut off by the body timeout: answered 408 by the sweep (server.c) */
    bool uri_refused;  /* too many query parameters or too long a URI: answered 414 */
    bool path_nul;     /* the path holds an escaped NUL (%00): libmicrohttpd's decoded path would end
                        * there ("/reports/1%00x" read as "/reports/1"), so it is answered 400 */
    int early_status;  /* what was answered without us (the sweep's 408, libmicrohttpd's 431 …) */
    bool malformed;    /* a multipart body libmicrohttpd could not take apart, or a part without a name */
    bool attach;       /* the file answered is downloaded (Content-Disposition: attachment) */
    bool from_cache;   /* the answer is a public page from the page cache (page): shown, never downloaded */
    page_ref page;     /* that page, held until it is sent (or the request ends) */
    struct MHD_PostProcessor *pp;
    field *fields;
    int nfields;
    cJSON *json;       /* parsed JSON body (API) */
    /* session */
    principal user;
    bool logged_in;
    bool has_unread;   /* unread: the user's unread notifications, read for the bell of a page (req_bell) */
    int64_t unread;
    char token[65], csrf[65];
    db *db;
    actor who;
    /* output */
    int status;
    cJSON *data;       /* page / API data */
    const char *tmpl;  /* overrides rt->tmpl (e.g. redisplaying a form) */
    buf again;         /* a failed page form shown again (response.c, redisplay), made while the database is at hand */
    char *redirect;
    cx_err err;
    bool failed;
    int db_fault;      /* DB_FAULT_* met while serving: answered 503 (response.c, respond) */
    buf file;          /* a download */
    const char *file_mime;
    char file_name[512];
    char *set_cookie[2];
    int retry_after;   /* seconds, sent as Retry-After when set (429) */
    char etag[64];     /* public pages: the validator sent (and compared with If-None-Match) */
    bool cacheable;    /* store the rendered answer in the page cache under (cache_key, etag) */
    char cache_key[160];
    uint64_t cache_gen; /* write generation read before the page's etag was computed */
    char cache_day[11]; /* today's date then: the day a page that changes with the date is valid for */
    void **keep;       /* freed when the request ends */
    int nkeep;
    /* logging: the id sent as X-Request-Id and written in the log, what was answered, when it began */
    char rid[20];
    int resp_status;
    uint64_t resp_bytes;
    uint64_t t0_us;
    int slot;          /* the metrics slot (metrics.h): a route index or M_* */
    char *db_detail;   /* the database's own message of a failed request, for the error log only */
    uint32_t public_tag; /* set by req_public_url: a hash of the address QR codes carry (ETags include it) */
    /* reads from a replica (issue 20) */
    bool on_replica;   /* r->db is a connection to the replica of `--db-read` (http.c) */
    int read_primary;  /* seconds this client reads its own writes (cookie cxzy_rw), 0: none, -1: cleared (logout) */
    bool own_writes;   /* the client changed something a moment ago (cookie cxzy_rw): read, and validate cached pages, on the primary */
};

/* Keeps p until the request ends; returns p. */
void *req_keep(req *r, void *p);
/* Path parameter i (0-based) as an id; fails the request with 404 when it is not a positive integer. */
bool req_id(req *r, int i, int64_t *id);
/* Input name as an optional positive id: 0 when absent or blank; false (the request failed, 400
 * invalid_id naming the field and its label) when it is not one. */
bool req_opt_id(req *r, const char *name, const char *label, int64_t *v);
/* Input value by name: JSON body member (strings; integer ids as text — types are checked when
 * the body is parsed) for the API, form field
 * otherwise, or the query string when neither has it. NULL when absent. */
const char *req_in(req *r, const char *name);
const char *req_query(req *r, const char *name);
/* Input name as a yes/no (flag_parse: 1, 0, -1 absent, -2 unreadable). A form does not send an
 * unticked box: when name is absent and the form sent the hidden field name_sent, 0. */
int req_flag(req *r, const char *name);
/* The address QR codes and print pages carry (public_addr.c): the public_url setting in the
 * database, else the request's Host; web_public_config checks `--public-url` (may be NULL) and
 * keeps the listen address; req_public_url appends base + path to out,
 * or fails the request with 400 bad_host when the Host header is neither. */
int web_public_config(const char *public_url, const char *listen, cx_err *e);
/* At start, with the database open: `--public-url` (or NULL) seeds the stored setting when there
 * is none; when another is stored, that one stays and a note goes to stderr. */
int web_public_seed(db *d, const char *public_url, cx_err *e);
bool req_public_url(req *r, const char *path, buf *out);
/* Adds to x "html_qr", the inline SVG QR code of url (one of our own addresses), and "url".
 * CX_ERR when url is too long for a QR code. */
int json_add_qr(cJSON *x, const char *url);
/* Answers the QR code (SVG) of url; url is freed. */
void req_qr(req *r, buf *url);
/* True when the public address is https: every cookie is then sent with Secure. */
bool web_public_https(void);
/* The client's address as text ("?" when unknown), for per-address limits. */
void req_client_addr(req *r, char out[64]);
const field *req_file(req *r, const char *name);
/* The files of a multipart body under name (an empty file input skipped), at most cap, into files;
 * how many. */
int req_files(req *r, const char *name, evidence_in *files, int cap);
/* An attachment_fn: appends a stored file {id, name, mime, size, author, image} to the cJSON array ctx. */
int add_attachment(void *ctx, const attachment *f);
/* Answers the file a getter (attachment_get) read into r->file: got 1, the download of type mime;
 * otherwise 404 (佐证文件不存在) and r->file freed. */
void req_attachment(req *r, int got, const char *mime);
/* Marks the request failed with e (status from e->status). */
void req_fail(req *r, const cx_err *e);
/* A store getter's answer (1 found, 0 missing, CX_ERR failed): true when found; otherwise fails the
 * request, 500 db_error or 404 not_found on field ("<what>不存在或已被删除"), so no handler goes on
 * to show an output the getter did not fill. */
bool req_found(req *r, int got, const char *fieldname, const char *what);
/* After a change whose result is rc: a failure fails the request with e; a page is sent to the
 * address fmt makes (post/redirect/get); true only for an API request that succeeded, which then
 * answers with the record as it now is. */
bool req_changed(req *r, int rc, const cx_err *e, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The same with every reason found in a form (errs[0] is the one an API answer carries); a page
 * shows its form again with each message beside its field (response.c, redisplay). */
void req_fail_fields(req *r, const cx_err *errs, int n);
/* Fails the request with a message built from fmt; the caller's source line goes to the error
 * log with a 5xx (whose message the client gets cut at its first "：", with the request id). */
#define req_failf(r, ...) req_failf_at(__FILE__, __LINE__, (r), __VA_ARGS__)
void req_failf_at(const char *file, int line, req *r, int status, const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
void req_redirect(req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Loads org id and checks that the user holds a role in mask over it. On refusal the answer is
 * the same 404 as for a missing org, so a user outside the subtree learns nothing. */
bool req_org(req *r, int64_t id, int mask, org *o);
/* The organisations where the user is an office (their subtree's settings are theirs to set),
 * into out (at most cap, one per grant): how many, or -1 on a database error. */
int req_office_orgs(req *r, org *out, int cap);
/* The same for a member (scope: the member's organisation). */
bool req_member(req *r, int64_t id, int mask, member *m);
bool req_is_api(const req *r);
/* The request's data object (created on first use); the common page data (user, CSRF token) is
 * added when the page is rendered. */
cJSON *req_data(req *r);

/* XLSX downloads (export.c): export_open makes the workbook and a sheet whose first row holds the
 * bold headers; NULL (the request failed) when no workbook can be made. export_close takes the
 * listing's result rc: on success the bytes become the download file_name and the export is
 * audited ("export", entity, entity_id, org_id, after JSON; NULL: {"format":"xlsx"}); any failure
 * cancels the download with a clear message. Always call export_close after export_open. */
#include "../lib/xlsxout.h"
typedef struct xlsx_export {
    xlsx_out xo;
    lxw_worksheet *ws;
    lxw_format *bold;
} xlsx_export;
/* ?format=: true with *xlsx set when absent, blank or "xlsx"; any other format fails the request
 * (400 invalid_format) and gives false. */
bool req_format_xlsx(req *r, bool *xlsx);
lxw_worksheet *export_open(req *r, xlsx_export *x, const char *sheet, const char *const *heads, size_t nheads);
void export_close(req *r, xlsx_export *x, int rc, const char *file_name, const char *entity, int64_t entity_id, int64_t org_id,
                  const char *after);

/* The path of the user's own member organisation ("" when the account is not a member): reports
 * and complaints about that organisation's subtree are hidden from the user (feedback.c). */
const char *viewer_path(req *r);

/* cJSON helpers */
cJSON *json_org(const org *o);
/* Adds name (unix time t) and name_text ("YYYY-MM-DD HH:MM", "" when t is 0) to j. */
void json_add_time(cJSON *j, const char *name, int64_t t);
/* An org_fn: appends {id, name, depth, type_label} to the cJSON array ctx (the choices of a form). */
int add_org_option(void *ctx, const org *o, int64_t nchildren, int64_t nmembers);
cJSON *json_member(const member *m);
struct pledge;
struct progress_entry;
cJSON *json_pledge(const struct pledge *p);
cJSON *json_progress(const struct progress_entry *pe);
/* The 代录 mark of a record entered for a member: {by, at, confirmed, confirmed_at?, label}. */
cJSON *json_entered(const char *by, int64_t at, int64_t confirmed_at);

/* Handlers (one file per resource). */
void h_login_page(req *r);
void h_login(req *r);
void h_logout(req *r);
void h_activate_page(req *r);
void h_activate(req *r);
void h_login_totp_page(req *r);
void h_login_totp(req *r);
void h_security(req *r);
void h_totp_start(req *r);
void h_totp_confirm(req *r);
void h_totp_off(req *r);
void h_totp_policy(req *r);
void h_accounts(req *r);
void h_accounts_bulk(req *r);
void h_account_policy(req *r);
void h_account_create(req *r);
void h_account_reset(req *r);
void h_account_lock(req *r);
void h_account_slips(req *r);
void h_account_sms(req *r);
void h_me(req *r);
void h_home(req *r);
void h_desk(req *r);
/* The desk of user u (vpath: the path of u's own member organisation, "" for none) into out
 * (sections, total, today) and *total: what h_desk answers, for the daily digest as well. */
int desk_build(db *d, const principal *u, const char *vpath, cJSON *out, int64_t *total);
/* The daily reminder (每日提醒, notify.c): for every active, activated account whose desk has
 * something waiting, one digest notification for day summing the desk (made once per user and
 * day however often this runs) and, where the office turned it on, one SMS (store/notify.h:
 * opt-out, the site's daily cap, message_log). Run by `cxzy remind` and the server's upkeep. */
typedef struct remind_stats {
    int64_t users, made; /* accounts without the day's digest yet, digests made */
    remind_sms sms;
} remind_stats;
int remind_run(db *d, const actor *a, const char *day, remind_stats *st, cx_err *e);
void h_notifications(req *r);
/* After a page's handler, while the database is at hand: the unread count for the top navigation's bell. */
void req_bell(req *r);
void h_notification_read(req *r);
void h_notifications_read_all(req *r);
void h_notification_settings(req *r);
void h_remind_policy(req *r);
void h_org(req *r);
void h_org_children(req *r);
void h_org_tree(req *r);
void h_org_new(req *r);
void h_org_create(req *r);
void h_org_edit(req *r);
void h_org_update(req *r);
void h_org_move_page(req *r);
void h_org_move(req *r);
void h_org_deactivate(req *r);
void h_org_activate(req *r);
void h_members(req *r);
void h_member(req *r);
void h_member_new(req *r);
void h_member_create(req *r);
void h_member_edit(req *r);
void h_member_update(req *r);
void h_member_deactivate(req *r);
void h_member_activate(req *r);
void h_member_reveal(req *r);
void h_member_photo(req *r);
void h_member_photo_set(req *r);
void h_import_page(req *r);
void h_import(req *r);
void h_export(req *r);
void h_template(req *r);
void h_audit(req *r);
void h_openapi(req *r);
void h_pledge_new(req *r);
void h_pledge_create(req *r);
void h_pledge(req *r);
void h_pledge_edit(req *r);
void h_pledge_update(req *r);
void h_pledge_act(req *r);
void h_pledge_progress(req *r);
void h_pledge_confirm(req *r);
void h_evidence(req *r);
void h_org_pledges(req *r);
void h_my_pledges(req *r);
void h_public_home(req *r);
void h_public_card(req *r);
void h_public_card_print(req *r);
void h_public_card_qr(req *r);
void h_public_photo(req *r);
void h_public_evidence(req *r);
void h_public_board(req *r);
void h_public_board_print(req *r);
void h_public_board_qr(req *r);
/* roll-up dashboard (dashboard.c) */
void h_dashboard(req *r);
/* the public rating form and ballots (rate.c) */
void h_rate_page(req *r);
void h_rate_submit(req *r);
void h_api_rating_info(req *r);
void h_api_sms_code(req *r);
void h_api_ballot(req *r);
/* service windows (window.c) */
void h_window_public(req *r);
void h_window_print(req *r);
void h_window_qr(req *r);
void h_windows(req *r);
void h_window_create(req *r);
void h_window(req *r);
void h_window_update(req *r);
void h_window_active(req *r);
/* rating results (rating_result.c) */
void h_org_rating(req *r);
void h_target_ratings(req *r);
#define RATINGS_OF_POSTS 0x100 /* h_target_ratings' action flag: the route of posts and areas (issue 19) */
/* issue 19 (posts): satisfaction and valid ballots of a target in the newest round over org_path, as
 * out.summary (null without a round); false when the request failed. */
bool rating_summary(req *r, int kind, int64_t id, const char *org_path, cJSON *out);
void h_rating_home(req *r);
/* paper questionnaire batches (paper_batch.c) */
void h_paper_create(req *r);
void h_paper_list(req *r);
void h_paper(req *r);
void h_paper_api(req *r);
void h_paper_print(req *r);
void h_paper_sheet(req *r);
/* phone sampling (phone_draw.c) */
void h_phone_create(req *r);
void h_draw_commit(req *r);
void h_phone_list(req *r);
void h_phone(req *r);
void h_phone_reveal(req *r);
void h_phone_answer(req *r);
/* bursts held out of the figures (burst.c) */
void h_bursts(req *r);
void h_burst_decide(req *r);
/* Beside a satisfaction figure: the counted ballots by channel and verification, the unverified
 * web indicator and the held ballots (JSON keys counted_by, unverified, held, basis_text, …);
 * rating_result.c. */
struct rollup;
void ballot_basis_json(cJSON *j, int64_t web, int64_t paper, int64_t phone, int64_t unverified, int64_t held);
void ballot_basis_rollup(cJSON *j, const struct rollup *ru);
/* campaigns (campaign.c) */
void h_campaign_create(req *r);
void h_campaign(req *r);
void h_campaign_rules(req *r);
void h_campaign_phase(req *r);
void h_standards(req *r);
/* standards and indicators by sector (sector_standard.c, issue 22) */
void h_sector_standards(req *r);
void h_sector_standard_put(req *r);
void h_std_create(req *r);
void h_std_edit(req *r);
void h_standard_figures(req *r);
/* The round's grades below o by standard set into arr ({set_id, name, version, target, graded,
 * grades [{label, count, share}], meets, mean_score} each): 四强 beside 四强, never mixed with 五个好
 * (the dashboard and the figures page). */
struct review_round;
int standard_figures(req *r, const struct review_round *rd, const org *o, cJSON *arr);
void h_standard_create(req *r);
void h_org_campaigns(req *r);
void h_org_carriers(req *r);
void h_carrier_add(req *r);
/* review rounds (round.c) */
void h_org_rounds(req *r);
void h_round_create(req *r);
void h_round(req *r);
void h_round_close(req *r);
/* self and peer reviews, an organisation's self-review (review.c) */
void h_my_reviews(req *r);
void h_member_review(req *r);
void h_member_review_submit(req *r);
void h_member_review_confirm(req *r);
void h_peer_matrix(req *r);
void h_peer_matrix_submit(req *r);
void h_org_review(req *r);
void h_org_review_submit(req *r);
/* leaders' charges, commentary and coverage (charge.c) */
void h_org_leaders(req *r);
void h_org_charges(req *r);
void h_charge_add(req *r);
void h_my_charges(req *r);
void h_commentary_page(req *r);
void h_commentary_submit(req *r);
void h_org_coverage(req *r);
/* exclusions and grades (grade.c) */
void h_member_exclusion(req *r);
void h_org_grades(req *r);
void h_org_grades_compute(req *r);
void h_member_grade_decide(req *r);
void h_member_grade_approve(req *r);
void h_org_approvals(req *r);
/* bulletins (bulletin.c, issue 17) */
void h_bulletin_list(req *r);
void h_bulletin_create(req *r);
void h_bulletin_prefix(req *r);
void h_bulletin(req *r);
void h_bulletin_update(req *r);
void h_bulletin_delete(req *r);
void h_bulletin_publish(req *r);
void h_bulletin_correct(req *r);
void h_bulletin_print(req *r);
void h_bulletin_export(req *r);
void h_public_bulletins(req *r);
void h_public_bulletin(req *r);
/* A public page (public.c): true when the answer is settled by this ETag (304, or the page cached
 * for it); otherwise the handler renders and the page is cached under it. */
bool public_not_modified(req *r, const char *etag);

/* rectification items (rect.c) */
/* inspections (inspection.c) */
void h_inspections(req *r);
void h_inspection_create(req *r);
void h_inspection(req *r);
void h_inspection_act(req *r);
void h_inspection_targets(req *r);
void h_inspection_draw(req *r);
void h_inspection_findings(req *r);
void h_finding_create(req *r);
void h_finding_rectify(req *r);
void h_finding_files_add(req *r);
void h_finding_file(req *r);
void h_org_findings(req *r);
void h_rect_list(req *r);
void h_rect_new(req *r);
void h_rect_create(req *r);
void h_rect(req *r);
void h_rect_act(req *r);
void h_rect_evidence_add(req *r);
void h_rect_file(req *r);
/* scheduled reports (report.c) */
void h_report_schedules(req *r);
void h_report_schedule_create(req *r);
void h_report_schedule(req *r);
void h_report_list(req *r);
void h_report(req *r);
void h_report_act(req *r);
void h_report_file_add(req *r);
void h_report_file(req *r);
void h_report_print(req *r);
/* opinions, complaints, reports (feedback.c); the workday calendar (calendar.c) */
void h_org_feedback(req *r);
void h_feedback_new(req *r);
void h_feedback_enter(req *r);
void h_feedback_settings(req *r);
void h_feedback(req *r);
void h_feedback_classify(req *r);
void h_feedback_assign(req *r);
void h_feedback_merge(req *r);
void h_feedback_merge_candidates(req *r);
void h_feedback_triage(req *r);
void h_feedback_reply(req *r);
void h_feedback_publish(req *r);
void h_feedback_reveal(req *r);
void h_feedback_file(req *r);
void h_feedback_categories(req *r);
void h_feedback_category_add(req *r);
void h_calendar(req *r);
void h_calendar_set(req *r);
void h_settings(req *r);
void h_desk_signs(req *r);
void h_settings_set(req *r);
/* The user's grant as office of a top organisation (no parent), which keeps the district-wide
 * lists and settings; NULL when there is none. */
const grant *req_top_office(req *r);
void h_public_feedback_form(req *r);
void h_public_feedback_submit(req *r);
void h_public_feedback_done(req *r);
void h_feedback_done(req *r);
/* tracking by code, published replies (feedback_track.c) */
void h_track_page(req *r);
void h_track(req *r);
void h_public_replies(req *r);
/* liaison points (liaison.c, issue 18) */
void h_liaison(req *r);
void h_liaison_rule(req *r);
void h_liaison_assign(req *r);
void h_liaison_point(req *r);
void h_liaison_end(req *r);
void h_liaison_visit_create(req *r);
void h_liaison_visit_rectify(req *r);
void h_liaison_file(req *r);
void h_liaison_leader(req *r);
/* the ledger (台账, ledger.c, issue 18) */
void h_ledger(req *r);
void h_ledger_create(req *r);
void h_ledger_export(req *r);
void h_ledger_categories(req *r);
void h_ledger_category_add(req *r);
void h_ledger_entry(req *r);
void h_ledger_update(req *r);
void h_ledger_delete(req *r);
void h_ledger_files_add(req *r);
void h_ledger_file(req *r);
/* organisation life: meetings, attendance, QR sign-in, quotas, lectures (meeting.c) */
void h_meetings(req *r);
void h_meeting_create(req *r);
void h_meeting(req *r);
void h_meeting_update(req *r);
void h_meeting_act(req *r);
void h_meeting_refresh(req *r);
void h_meeting_attend(req *r);
void h_meeting_attend_rest(req *r);
void h_meeting_files_add(req *r);
void h_meeting_file(req *r);
void h_meeting_signin_code(req *r);
void h_meeting_qr(req *r);
void h_signin_page(req *r);
void h_signin(req *r);
void h_meeting_quota(req *r);
void h_meeting_quota_set(req *r);
void h_meeting_lectures(req *r);
void h_member_attendance(req *r);
/* The dashboard's 组织生活 block of o into d's "org_life": meetings held, attendance and lectures
 * over the quarters from_q..to_q (roll-ups), branches behind quota this month, leaders without a
 * lecture this year; false (the request failed) on a database error. */
bool meeting_dashboard(req *r, const org *o, int from_q, int to_q, cJSON *d);
/* study notes and quizzes (issue 18, study and quizzes: study.c, quiz.c) */
void h_my_study(req *r);
void h_study_note_create(req *r);
void h_study_note(req *r);
void h_org_study(req *r);
void h_question_bank(req *r);
void h_question_import(req *r);
void h_question_template(req *r);
void h_quizzes(req *r);
void h_quiz_create(req *r);
void h_my_quizzes(req *r);
void h_quiz(req *r);
void h_quiz_submit(req *r);
void h_quiz_close(req *r);
void h_quiz_results(req *r);
/* attendance rates on pages (issue 18, attendance rates: meeting.c): the member's year (?year=)
 * into d.attendance when the user is the member or sees the attendance of the member's
 * organisation (nothing otherwise); false after failing the request. */
bool meeting_member_block(req *r, const member *m, cJSON *d);
void h_my_meetings(req *r);
void h_org_attendance(req *r);
/* 三比 contests (issue 19: contest.c) */
void h_contests(req *r);
void h_contest_create(req *r);
void h_my_contests(req *r);
void h_contest(req *r);
void h_contest_item_add(req *r);
void h_contest_entrants_add(req *r);
void h_contest_entrants_import(req *r);
void h_contest_judge_add(req *r);
void h_contest_step(req *r);
void h_contest_sheet(req *r);
void h_contest_scores(req *r);
void h_contest_result(req *r);
void h_public_contest(req *r);
/* exemplary posts and responsibility areas (issue 19 posts: post.c) */
void h_post_public(req *r);
void h_post_print(req *r);
void h_post_qr(req *r);
void h_posts(req *r);
void h_post_create(req *r);
void h_post(req *r);
void h_post_update(req *r);
void h_post_active(req *r);
void h_post_holder_add(req *r);
void h_post_holder_end(req *r);
/* The member's current posts and areas (active ones) as array key of x, each {id, kind_label, name,
 * place, duties}: the card, the member page and the 三评 (设岗定责); false after failing the request. */
bool member_posts_into(req *r, cJSON *x, const char *key, int64_t member_id);
/* 评选表彰 awards (issue 19: award.c) */
void h_awards(req *r);
void h_award_create(req *r);
void h_award(req *r);
void h_award_rule(req *r);
void h_award_step(req *r);
void h_award_notice(req *r);
void h_award_alloc(req *r);
void h_award_nominate(req *r);
void h_nomination_act(req *r);
/* Honours of a member (or an organisation) into arr: approved ones; with staff, revoked ones too,
 * marked with the reason. The board's: the organisation's own and its members'. */
int honours_json(db *d, bool is_org, int64_t id, bool staff, cJSON *arr);
int board_honours_json(db *d, int64_t org_id, cJSON *own, cJSON *members);
/* published round results: window league table, organisations' satisfaction, 优秀 members (issue 19 results: result.c) */
void h_results(req *r);
void h_result_publish(req *r);
void h_result_withdraw(req *r);
void h_public_results(req *r);
void h_public_result(req *r);
void h_result(req *r);
/* public notices (公示) and objections (异议), issue 19 (notice.c) */
void h_public_notices(req *r);
void h_public_notice(req *r);
void h_public_notice_print(req *r);
void h_public_notice_qr(req *r);
void h_public_objection(req *r);
/* The office the user holds strictly above path (the nearest): its organisation's id, 0 none
 * (news.c): who decides what an organisation submits upwards (news items, annual goals). */
int64_t office_above(const principal *u, const char *path);
/* annual goals (年初工作目标), issue 22: goal.c */
void h_goals(req *r);
void h_goal_create(req *r);
void h_goal(req *r);
void h_goal_edit(req *r);
void h_goal_act(req *r);
void h_goal_progress(req *r);
/* the leading group (领导班子), issue 22: position.c. board_positions: the current group of an
 * organisation for the public board ({name, title_label, duties}); position_annotate: adds to each
 * object of arr whose account id is at id_key the label of its member's current positions
 * ("position"), where leaders are offered for charges and liaison points. */
void h_positions(req *r);
void h_position_add(req *r);
void h_position_act(req *r);
int board_positions(db *d, int64_t org_id, cJSON *arr);
void position_annotate(db *d, cJSON *arr, const char *id_key);
/* members away from their branch (流动党员), issue 22: mobile.c */
void h_member_mobile(req *r);
void h_member_mobile_start(req *r);
void h_mobile_return(req *r);
void h_org_mobile(req *r);
/* news items, cases and online consultations (issue 22: news.c, consultation.c) */
void h_news_list(req *r);
void h_news_submit(req *r);
void h_news(req *r);
/* carriers that can be tracked (carrier.c, issue 22) */
void h_carrier(req *r);
void h_carrier_edit(req *r);
void h_carrier_retire(req *r);
void h_carrier_open(req *r);
void h_carrier_entry(req *r);
void h_carrier_fill(req *r);
void h_carrier_file(req *r);
void h_news_edit(req *r);
void h_news_photos(req *r);
void h_news_act(req *r);
void h_news_photo(req *r);
void h_public_news_list(req *r);
void h_public_news(req *r);
void h_public_news_photo(req *r);
void h_public_nominate(req *r);
void h_consultations(req *r);
void h_consultation_create(req *r);
void h_consultation(req *r);
void h_consultation_summary(req *r);
void h_comment_reply(req *r);
void h_public_consultations(req *r);
void h_public_consultation(req *r);
void h_public_comment(req *r);
void h_objection_done(req *r);
void h_objection_track_page(req *r);
void h_objection_track(req *r);
void h_notices(req *r);
void h_notice_create(req *r);
void h_notice(req *r);
void h_notice_contact(req *r);
void h_objection(req *r);
void h_objection_hold(req *r);
void h_objection_decide(req *r);
void h_objection_reveal(req *r);
/* several instances (issue 20): --trusted-proxy LIST (auth.c, req_client_addr) */
int web_trusted_proxy(const char *list, cx_err *e);
#endif
