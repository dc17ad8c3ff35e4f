/* meeting.h: organisation life (组织生活, migration 0025): the meetings of an organisation with
 * their expected attendees (the organisation's active members when planned, refreshable),
 * attendance marked by the secretary or signed in by the member with the QR code shown at the
 * meeting (a random secret of which only the SHA-256 is kept; a new one replaces it), minutes'
 * files and photos, quotas inherited down the tree (nearest_stmt) and what falls behind them, and
 * the leaders without a lecture this year. Every change is one write transaction, audited; a held
 * meeting and its attendance count in the quarter roll-ups (period.h, PK_MEETING). */
#ifndef CX_MEETING_STORE_H
#define CX_MEETING_STORE_H
#include "store.h"
#include "attachment.h"
#include "../domain/meeting.h"

#define SIGNIN_SECRET_BYTES 24 /* the QR's secret: 48 hex characters */

typedef struct meeting {
    int64_t id, org_id, lecturer_user_id, signin_opens, signin_closes, created_by, version, created_at, updated_at;
    meeting_kind kind;
    meeting_status status;
    int64_t nexpected, npresent, nleave, nabsent, nfiles;
    bool has_code;
    char kind_name[4 * MEETING_KIND_NAME_MAX + 1], title[4 * MEETING_TITLE_MAX + 1], held_on[11];
    char place[4 * MEETING_PLACE_MAX + 1], topic[4 * MEETING_TOPIC_MAX + 1], host_name[4 * MEETING_HOST_MAX + 1];
    char *minutes; /* malloc'd by meeting_get (meeting_free); NULL in lists */
    char created_by_name[64], lecturer_name[64], org_name[256], org_path[CX_PATH_MAX];
} meeting;
/* The label of its kind: the office's own name of a custom kind. */
const char *meeting_label(const meeting *m);
void meeting_free(meeting *m);

/* Plans a meeting of o (an active organisation): status planned, its expected attendees the
 * organisation's active members now. A lecturer (党课) must be an active account with a leader
 * grant (422 invalid_lecturer). */
int meeting_create(db *d, const actor *a, const org *o, const meeting_form_ok *in, int64_t *id, cx_err *e);
CX_MUST_USE int meeting_get(db *d, int64_t id, meeting *m);
/* Changes what was typed (kind, title, date, place, topic, host, minutes, lecturer); version
 * expected (0: any; another 409 stale_version); not when cancelled. */
int meeting_update(db *d, const actor *a, int64_t id, const meeting_form_ok *in, int64_t version, cx_err *e);
/* Holds or cancels (MA_HOLD, MA_CANCEL) a planned meeting; version as above. */
int meeting_act(db *d, const actor *a, int64_t id, meeting_action action, int64_t version, cx_err *e);
/* Refreshes the expected attendees from the roster: active members of the organisation not yet
 * listed are added; those listed, still only expected and no longer active there, are dropped.
 * *added and *dropped (may be NULL) get the counts. */
int meeting_refresh(db *d, const actor *a, int64_t id, int64_t *added, int64_t *dropped, cx_err *e);
/* The secretary's mark of member_id at meeting id (an expected attendee: 422 not_expected). */
int meeting_attend(db *d, const actor *a, int64_t id, int64_t member_id, const attend_ok *in, cx_err *e);
/* Marks every attendee of meeting id still only expected as present (by the secretary), in one
 * transaction; *n (may be NULL) gets how many. */
int meeting_attend_rest(db *d, const actor *a, int64_t id, int64_t *n, cx_err *e);
/* A new QR secret for meeting id, valid in [opens, closes): the old one dies; secret gets 48 hex
 * characters plus NUL, shown once. */
int meeting_signin_code(db *d, const actor *a, int64_t id, int64_t opens, int64_t closes, char secret[2 * SIGNIN_SECRET_BYTES + 1],
                        cx_err *e);
/* 1 when secret is meeting id's current QR secret, 0 not, CX_ERR. */
CX_MUST_USE int meeting_secret_is(db *d, int64_t id, const char *secret);
/* The meeting whose current QR secret is secret (any text: a malformed one finds nothing): 1, 0, CX_ERR. */
CX_MUST_USE int meeting_by_secret(db *d, const char *secret, meeting *m);
/* The sign-in by QR of member_id (the user's own member record) with secret: the meeting found
 * by it (404 not_found: unknown or replaced), not cancelled, inside its window (signin_window),
 * the member expected there (403 not_expected); *already true when the member was already
 * present (nothing written: two scans at once sign in once). *meeting_id gets the meeting. */
int meeting_signin(db *d, const actor *a, const char *secret, int64_t member_id, int64_t *meeting_id, bool *already, cx_err *e);

typedef struct attendee {
    int64_t member_id, signed_at;
    attend_state state;
    char name[64], how[8], reason[4 * MEETING_REASON_MAX + 1];
} attendee;
typedef int (*attendee_fn)(void *ctx, const attendee *t);
/* The attendees of meeting id by name (member_id 0: all; else that member's row only). */
int meeting_attendees(db *d, int64_t id, int64_t member_id, attendee_fn fn, void *ctx);

typedef int (*meeting_fn)(void *ctx, const meeting *m);
/* Meetings of the organisation o (subtree: and below it), in [from, to] when given (NULL: any),
 * newest first, at most limit (≤ 500). */
int meeting_list(db *d, const org *o, bool subtree, const char *from, const char *to, int64_t limit, meeting_fn fn, void *ctx);

/* Minutes' files and photos (JPEG, PNG, PDF; at most MEETING_FILES_MAX a meeting). */
int meeting_add_files(db *d, const actor *a, int64_t id, const evidence_in *files, int nfiles, cx_err *e);
int meeting_files(db *d, int64_t id, attachment_fn fn, void *ctx);
CX_MUST_USE int meeting_file_owner(db *d, int64_t file_id, int64_t *meeting_id);
CX_MUST_USE int meeting_file_get(db *d, int64_t file_id, buf *out, char mime[32], char name[128]);

/* Attendance of one member over held meetings in [from, to]: expected (rows), present, leave. */
typedef struct attend_rate {
    int64_t expected, present, leave, absent;
} attend_rate;
CX_MUST_USE int meeting_member_rate(db *d, int64_t member_id, const char *from, const char *to, attend_rate *out);
/* The meetings (planned or held, not cancelled) dated in [from, to] that list the member as an
 * attendee, newest first (at most 500), each with the member's own row. */
typedef struct member_meeting {
    meeting m;
    attendee a; /* a.name is empty */
} member_meeting;
typedef int (*member_meeting_fn)(void *ctx, const member_meeting *x);
int meeting_member_meetings(db *d, int64_t member_id, const char *from, const char *to, member_meeting_fn fn, void *ctx);
/* The active members of o's subtree with their attendance over held meetings in [from, to] (the
 * same count as meeting_member_rate), lowest rate first, members with nothing expected last; one
 * page (offset, limit). meeting_rates_count: how many such members. */
typedef struct member_rate {
    int64_t member_id;
    char name[64], org_name[256];
    attend_rate r;
} member_rate;
typedef int (*member_rate_fn)(void *ctx, const member_rate *x);
int meeting_rates_count(db *d, const org *o, int64_t *n);
int meeting_rates(db *d, const org *o, const char *from, const char *to, int64_t offset, int64_t limit, member_rate_fn fn, void *ctx);

/* ---- quotas ---- */
/* The quotas in force at the organisation of org_path, one per kind (defaults where no
 * organisation up the tree has a row: meeting_quota_default), into q[MK_COUNT]. */
int meeting_quotas(db *d, const char *org_path, meeting_quota q[MK_COUNT]);
/* Sets o's quota for a kind (its subtree inherits it), audited. */
int meeting_quota_set(db *d, const actor *a, const org *o, const meeting_quota *q, cx_err *e);
struct quota_gap;
/* What the branch g (org_id and org_path set) is short of over [from, to]: its due, held, nshort
 * and text filled (every kind with a quota, each judged over its own whole periods; two queries:
 * its quotas, and its held meetings by kind and month over the widest window). */
int meeting_branch_gap(db *d, struct quota_gap *g, const char *from, const char *to);
/* One organisation behind quota in a period: the kinds short, as "支委会 0/3、党课 0/1". */
typedef struct quota_gap {
    int64_t org_id, nshort;
    char org_name[256], org_path[CX_PATH_MAX], text[512];
    int64_t due[MK_COUNT], held[MK_COUNT];
} quota_gap;
typedef int (*quota_gap_fn)(void *ctx, const quota_gap *g);
/* The active branches (党支部) in o's subtree behind any quota over [from, to] (a reporting
 * period: month, quarter or year; each quota judged over its own whole periods, quota_window),
 * by path, at most limit (0: all); *nbranches the branches looked at. */
int meeting_quota_gaps(db *d, const org *o, const char *from, const char *to, int64_t limit, quota_gap_fn fn, void *ctx, int64_t *nbranches);
/* The branches statement s lists (id, name, path; prepared and bound, NULL after a failure),
 * each judged over [from, to] by meeting_branch_gap, passed to fn (only_short: those behind), at
 * most limit (0: all); *nbranches (may be NULL) the branches listed. Finishes s. */
int meeting_gaps_listed(db *d, db_stmt *s, const char *from, const char *to, bool only_short, int64_t limit, quota_gap_fn fn, void *ctx,
                        int64_t *nbranches);

/* ---- lectures (讲党课) ---- */
typedef struct lecture_leader {
    int64_t user_id;
    char username[64], display_name[64], org_name[256];
} lecture_leader;
typedef int (*lecture_leader_fn)(void *ctx, const lecture_leader *l);
/* Leaders (active accounts with a leader grant at an organisation in o's subtree) without a held
 * 党课 as lecturer in year, by name; *nleaders (may be NULL) all such leaders, *nwithout those
 * without, both read from the leaders' standing roll-up (standing.h). fn may be NULL (the counts only). */
int meeting_lecture_gaps(db *d, const org *o, int year, lecture_leader_fn fn, void *ctx, int64_t *nleaders, int64_t *nwithout);
#endif
