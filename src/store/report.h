/* report.h: scheduled reports (定期汇报述职) in the store: schedules (report_schedule.c) and the
 * reports they make, with versions, events and files (report.c). A schedule makes one report row
 * per organisation it covers in its own transaction, so "missing" is a state of a row; every
 * change of a report is decided by domain/report.c inside its write transaction, audited in it,
 * and moves the quarter roll-ups (store/period.h) there: reports_due when a schedule is made,
 * reports_on_time or reports_late at a report's first submission. */
#ifndef CX_REPORT_STORE_H
#define CX_REPORT_STORE_H
#include "store.h"
#include "attachment.h"
#include "../domain/report.h"

/* The audit entity of a report ("report" is a whistle-blowing report's, 举报, store/feedback.c). */
#define REPORT_ENTITY "work_report"

typedef struct report_schedule {
    int64_t id, org_id, reports, created_by, created_at;
    report_kind kind;
    int due_workdays;
    char title[256], for_types[128], for_sectors[256], period_start[11], period_end[11], due_date[11];
    char outline[4096], created_by_name[64], org_name[256], org_path[CX_PATH_MAX];
} report_schedule;

/* Makes a schedule issued by organisation issuer (active) from in (report_schedule_check passed
 * it; a due date in working days is computed here over the calendar as it is now): one report row
 * per active organisation strictly below issuer matching its types and sectors (one INSERT …
 * SELECT), none: 422 no_organisations and nothing made. reports_due of the due date's quarter
 * added to the roll-ups of the issuer, its ancestors and every organisation below it that has a
 * covered organisation in its subtree (set-based); the secretaries of the covered organisations
 * notified (one INSERT); audited ("create", "report_schedule"). */
int report_schedule_create(db *d, const actor *a, const org *issuer, report_schedule_ok *in, int64_t *id, cx_err *e);
CX_MUST_USE int report_schedule_get(db *d, int64_t id, report_schedule *s);
typedef int (*report_schedule_fn)(void *ctx, const report_schedule *s);
/* The schedules issued by org_id, the latest period first. */
int report_schedule_list(db *d, int64_t org_id, report_schedule_fn fn, void *ctx);

/* Counts of a schedule's reports as of today: on time (first submitted by the due date), late
 * (after it), missing (never submitted, due date passed), waiting (never submitted, not yet due);
 * and by status: submitted (awaiting judgement), returned, accepted. */
typedef struct report_progress {
    int64_t total, on_time, late, missing, waiting, submitted, returned, accepted;
} report_progress;
int report_schedule_progress(db *d, int64_t schedule_id, const char *today, report_progress *p);

typedef struct report {
    int64_t id, schedule_id, org_id, issuer_id, version, submitted_at, judged_at, row_version, updated_at;
    report_status status;
    report_kind kind;
    int late_workdays;
    char due_date[11], first_submitted_on[11], period_start[11], period_end[11];
    char judged_by_name[64], return_comment[2048], title[256];
    char org_name[256], org_path[CX_PATH_MAX], issuer_name[256], issuer_path[CX_PATH_MAX];
    int64_t nfiles;
    char *draft, *outline; /* report_get only (JSON arrays, malloc'd; report_clear), NULL in lists */
} report;
CX_MUST_USE int report_get(db *d, int64_t id, report *r);
void report_clear(report *r);

/* What a writer sends: row_version (0: not checked; otherwise 409 stale when the report changed
 * since), the section texts as typed (NULL: keep the draft). */
typedef struct report_write {
    int64_t row_version;
    const char *const *texts;
    int ntexts;
    bool has_texts;
} report_write;
/* Saves the draft (RPA_SAVE) or submits (RPA_SUBMIT: every section filled, a report_version row,
 * first_submitted_on and late_workdays at the first submission with the roll-ups' on-time or late
 * counter) for a person standing in relation (RPR_*) to the report. today: the submission day
 * ("YYYY-MM-DD"; NULL for date_today()). */
int report_write_act(db *d, const actor *a, int64_t id, int relation, report_action action, const report_write *w, const char *today,
                     cx_err *e);
/* Returns (comment required) or accepts (comment optional) a submitted report; the organisation's
 * secretary is notified. */
int report_judge(db *d, const actor *a, int64_t id, int relation, report_action action, int64_t row_version, const char *comment,
                 cx_err *e);
/* One act of report_acts: a writer's (w set: RPA_SAVE or RPA_SUBMIT, today the submission day, NULL
 * for date_today()) or a judge's (w NULL: RPA_RETURN or RPA_ACCEPT with comment) on report id by
 * a, standing in relation to it; row_version as report_write's (0: not checked). */
typedef struct report_act {
    const actor *a;
    int64_t id;
    int relation;
    report_action action;
    int64_t row_version;
    const report_write *w;
    const char *today, *comment;
} report_act;
/* Runs acts v[0..n) in order in one transaction, each decided on its report as the acts before it
 * left it, with the rows, roll-ups, notifications and audit records each would make alone (the
 * reports locked and read once, their rows written once, versions and events in bulk, the
 * notifications and roll-ups each one round trip, the audit records one run a chain). The first
 * refusal rolls back every act; e says why. report_write_act and report_judge are one act. */
int report_acts(db *d, const report_act *v, int n, cx_err *e);
/* Adds files (typed by content, as evidence) while the report may be written. */
int report_add_files(db *d, const actor *a, int64_t id, int relation, const evidence_in *files, int nfiles, cx_err *e);
int report_file_list(db *d, int64_t report_id, attachment_fn fn, void *ctx);
int report_file_owner(db *d, int64_t id, int64_t *report_id);
CX_MUST_USE int report_file_get(db *d, int64_t id, buf *out, char mime[32], char name[128]);

typedef struct report_version {
    int64_t version, submitted_at, submitted_by; /* submitted_by: the user id (never judged by them) */
    char submitted_by_name[64];
    char *sections; /* JSON [{title, text}], valid during the callback */
} report_version;
int report_versions(db *d, int64_t report_id, int (*fn)(void *ctx, const report_version *v), void *ctx);
typedef struct report_event {
    int64_t at;
    char action[16], comment[2048], by_name[64];
} report_event;
int report_events(db *d, int64_t report_id, int (*fn)(void *ctx, const report_event *v), void *ctx);

/* A list up the tree: the reports of the organisations in root's subtree (own: root's only). */
typedef struct report_query {
    const org *root;
    bool own;
    bool judge;            /* only those root's office or secretary may judge: strictly below root,
                            * under a schedule issued at root or above it (perm_report_relation) */
    int64_t schedule_id;   /* 0 any */
    report_filter filter;
    int from_q, to_q;      /* quarters of the due date (period.h); 0: any */
    const char *today;     /* what due / missing are read against; NULL for date_today() */
    int64_t offset, limit; /* limit 0: all */
} report_query;
typedef int (*report_fn)(void *ctx, const report *r);
int report_list(db *d, const report_query *q, report_fn fn, void *ctx);
int report_count(db *d, const report_query *q, int64_t *n);
#endif
