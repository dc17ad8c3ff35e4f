/* feedback.h: opinions, suggestions, complaints and whistle-blowing reports (意见、建议、
 * 投诉、举报) from the public or keyed in by staff, with a tracking code each; triage (classify,
 * merge duplicates, assign), due dates in working days over the editable workday calendar,
 * replies (optionally published anonymised), and the per-kind due-day settings.
 *
 * 举报 (FK_REPORT) is routed only to the discipline role (纪检) of the handling organisation, a
 * strict ancestor of the accused's organisation; a 投诉 that names a member, an organisation or
 * a window goes likewise to the organisation above the named one's (its office triages, its
 * office or secretary answers), never to the accused: neither is shown to a user whose own
 * membership lies in the accused organisation's subtree, and the sender's name and contact of
 * such a complaint are shown only at the handling organisation itself (feedback_can_reveal).
 * feedback_visible is the one rule of who may see an item, and the list queries apply the same
 * rule in SQL (see feedback_query). Reports are
 * never published, and their audit records carry no organisation (org_id 0), so no
 * organisation's audit view shows them. Item and file ids are random, so counting ids reveals
 * nothing. Every change runs in one transaction with its audit record. */
#ifndef CX_FEEDBACK_STORE_H
#define CX_FEEDBACK_STORE_H
#include "store.h"
#include "attachment.h"
#include "period.h"
#include "../domain/feedback.h" /* kinds, channels, states, names; the checks of what people type */

#define FEEDBACK_DUE_DEFAULT 15    /* working days, when no office has set another number */
#define FEEDBACK_CODE_DATA 12      /* 12 random base-32 characters (60 bits) + 1 check character */
#define FEEDBACK_CODE_CAP 32       /* room for the code with dashes */
#define FEEDBACK_SOON_DAYS 3       /* reminders: due within this many working days */

typedef struct feedback {
    int64_t id, org_id, about_id, about_org_id, category_id, merged_into, entered_by, replied_by, version, created_at, updated_at;
    int kind, channel, status, due_days, published, has_name, has_contact;
    char about_kind[8];
    char text[4 * FEEDBACK_TEXT_MAX + 1], reply[4 * FEEDBACK_TEXT_MAX + 1], note[2048], public_summary[2048];
    char name_mask[64], contact_mask[96];
    char received_date[11], due_date[11], replied_date[11];
    char org_name[256], org_path[CX_PATH_MAX], about_org_name[256], about_org_path[CX_PATH_MAX];
    char about_name[256], category[64];
    period_rec counted; /* what it counted in the quarter roll-ups when loaded for a change (begin_item) */
} feedback;

/* ---- who may see an item ---- */
/* A 举报, or a 投诉 that names someone (a member, an organisation, a window): routed to the level
 * above and hidden from the accused. */
bool feedback_has_accused(const feedback *f);
/* Non-reports: an office, secretary or leader role over the item's organisation. Reports: the
 * discipline role over the handling organisation (so at a strict ancestor of the accused's).
 * A report or a complaint about someone: never a user whose own membership lies in the accused
 * organisation's subtree (viewer_member_path: the path of the user's member organisation, ""
 * when not a member). */
bool feedback_visible(const principal *p, const char *viewer_member_path, const feedback *f);
/* The roles that act on an item: office (triage) over its organisation for non-reports, the
 * visible discipline role for reports. */
bool feedback_can_triage(const principal *p, const char *viewer_member_path, const feedback *f);
/* Reply: for a report its handler; otherwise an office over the item's organisation, or (once
 * assigned) its secretary. (Whether the item is still open is the store's check: 409.) */
bool feedback_can_reply(const principal *p, const char *viewer_member_path, const feedback *f);
/* The sender's full name and contact: a report's handler; a complaint about someone: an office or
 * secretary AT its handling organisation (masked for everyone else, the offices above included);
 * otherwise an office or secretary over the item's organisation. */
bool feedback_can_reveal(const principal *p, const char *viewer_member_path, const feedback *f);

/* ---- settings and categories ---- */
/* Working days per kind that apply at o: the nearest setting at o or above, else 15. from[k] gets
 * the organisation of that setting (0 for the default). */
int feedback_due_days(db *d, const org *o, int days[FK_N], int64_t from[FK_N]);
int feedback_setting_set(db *d, const actor *a, int64_t org_id, const feedback_setting_ok *s, cx_err *e);
typedef int (*category_fn)(void *ctx, int64_t id, const char *name);
int feedback_categories(db *d, category_fn fn, void *ctx);
int feedback_category_add(db *d, const actor *a, int64_t org_id, const feedback_category_ok *c, int64_t *id, cx_err *e);

/* ---- submitting ---- */
/* A submission: what was typed, checked by feedback_check (its staff flag set when intake is given),
 * and where it came in. */
typedef struct feedback_new {
    const feedback_ok *in;
    const org *intake;               /* staff entry: the organisation it was entered at (the
                                        about-target must lie in its subtree); NULL: the public */
    int64_t entered_by;
    const evidence_in *files;
    int nfiles;
} feedback_new;
/* Checks the files (evidence), finds the organisation (the target's; no target: the intake, or
 * the top of the tree for the public; 404 about_id when missing, inactive or outside the intake),
 * for a report or a complaint about someone the handling organisation (the accused's parent), the
 * due date (received + due days in working days), makes the tracking code and stores it all.
 * code gets the code without dashes (show it once; only its keyed hash is kept). */
int feedback_submit(db *d, const actor *a, const feedback_new *n, int64_t *id, char code[FEEDBACK_CODE_CAP], cx_err *e);

CX_MUST_USE int feedback_get(db *d, int64_t id, feedback *f);
/* By tracking code (already parsed by code_parse): 1 with the item in f, 0 none. */
CX_MUST_USE int feedback_by_code(db *d, const char *code, feedback *f);
/* The item whose status and reply a merged item shows: follows merged_into; 1 found. */
CX_MUST_USE int feedback_kept(db *d, const feedback *f, feedback *kept);

/* ---- triage and answers (the caller has checked the user's roles with feedback_can_*) ---- */
int feedback_classify(db *d, const actor *a, int64_t id, const feedback_classify_ok *c, cx_err *e);
/* Assigns to org_id: active; for a report or a complaint about someone a strict ancestor of the
 * accused's organisation. The
 * caller checks the user's reach over org_id. */
int feedback_assign(db *d, const actor *a, int64_t id, int64_t org_id, const feedback_note_ok *note, cx_err *e);
/* Merges id (a duplicate, open) into into_id (kept, not merged): same class (both reports or
 * neither); a complaint about someone only into a complaint about the same organisation (400
 * merge_accused). */
int feedback_merge(db *d, const actor *a, int64_t id, int64_t into_id, cx_err *e);
/* Classifies and assigns in one transaction (two audit records: classify, assign): the category
 * as feedback_classify, the organisation as feedback_assign; a bad category or organisation, or
 * an item no longer open, changes nothing. The caller checks the user's reach over org_id. */
int feedback_triage(db *d, const actor *a, int64_t id, const feedback_triage_ok *t, cx_err *e);
/* The reply as feedback_reply_check passed it; publish (never for a report) needs an anonymised
 * summary, given or already stored. */
int feedback_reply(db *d, const actor *a, int64_t id, const feedback_reply_ok *r, cx_err *e);
int feedback_publish(db *d, const actor *a, int64_t id, const feedback_publish_ok *p, cx_err *e);
/* The sender's full name and contact, decrypted; the view is audited. */
int feedback_reveal(db *d, const actor *a, int64_t id, char name[128], char contact[128], cx_err *e);

int feedback_files(db *d, int64_t feedback_id, attachment_fn fn, void *ctx);
/* 1 with the bytes; *feedback_id gets the item it belongs to. */
CX_MUST_USE int feedback_file_get(db *d, int64_t id, buf *out, char mime[32], char name[128], int64_t *feedback_id);

/* ---- lists ---- */
typedef struct feedback_query {
    const org *root;            /* items whose (responsible / handling) organisation is in this subtree */
    bool see_normal;            /* the viewer holds office, secretary or leader over root */
    bool see_reports;           /* the viewer holds discipline over root */
    const char *viewer_member_path; /* "" or the viewer's member organisation (reports about it are hidden) */
    int view;                   /* FV_* */
    int kind, status;           /* -1 any */
    const char *today, *soon;   /* today and the last day of the reminder window */
    int64_t offset, limit;      /* limit 0: no limit */
    const feedback *like;       /* set: only the items it may be merged into (feedback_merge's rules: open,
                                   not itself, its class, a complaint about someone only into one about
                                   the same organisation), those about the same target and then of the
                                   same category first, newest first */
} feedback_query;
typedef int (*feedback_fn)(void *ctx, const feedback *f);
int feedback_list(db *d, const feedback_query *q, feedback_fn fn, void *ctx);
int feedback_count(db *d, const feedback_query *q, int64_t *n);
/* Today and the last day of the reminder window (FEEDBACK_SOON_DAYS working days on) over the
 * effective calendar (feedback_calendar): the today and soon of a feedback_query. */
int feedback_soon(db *d, char today[11], char soon[11]);

/* Published replies (public, anonymised), newest first. */
int feedback_published(db *d, int64_t offset, int64_t limit, feedback_fn fn, void *ctx);
int feedback_published_count(db *d, int64_t *n);

/* ---- rate limits of the public pages (table rate_limit) ---- */
/* The per-address bucket of kind ('t' tracking misses, 's' submissions) for limit.h's counters.
 * Only a keyed hash of the address is kept. */
void feedback_rate_bucket(char kind, const char *addr, char out[48]);
#endif
