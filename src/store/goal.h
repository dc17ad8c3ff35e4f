/* goal.h: responsibility (落实责任制), issue 22, migration 0045: each organisation's annual goals
 * (年初工作目标) for a campaign — written and submitted by the organisation, accepted (验收) or
 * returned by an office above it; editing an accepted goal makes a new version that is submitted
 * again (every accepted version kept); progress entries against accepted goals (append-only);
 * the figures bulletins print "as of a day", recounted from the same records. Every change is one
 * write transaction under the goal's lock, audited (entity "goal"). */
#ifndef CX_GOAL_STORE_H
#define CX_GOAL_STORE_H
#include "store.h"
#include "../domain/goal.h"

typedef struct goal {
    int64_t id, org_id, campaign_id, year, version, accepted_version, office_id, progress, created_by, created_at, submitted_at, submitted_by;
    int status;
    char title[GOAL_TITLE_MAX * 4 + 1], note[GOAL_NOTE_MAX * 4 + 1];
    char org_name[256], org_path[CX_PATH_MAX], office_name[256], campaign_theme[256];
    char *measure; /* owned: goal_clear */
} goal;
/* 1, 0 (none), CX_ERR; clear the goal afterwards (also after 0). */
CX_MUST_USE int goal_get(db *d, int64_t id, goal *g);
void goal_clear(goal *g);

/* A draft goal of org_id (active: else 404) for campaign_id, which must run over the organisation
 * (422 invalid_campaign), in.year within the campaign's years (422 year_outside_campaign). */
int goal_create(db *d, const actor *a, int64_t org_id, int64_t campaign_id, const goal_ok *in, int64_t *id, cx_err *e);
/* Title and measures (in.year is ignored: a goal keeps its year). A draft, returned or submitted
 * goal is changed in place; an accepted one gets a new version, submitted again for acceptance. */
int goal_edit(db *d, const actor *a, int64_t id, const goal_ok *in, cx_err *e);
/* draft | returned → submitted (409 goal_state otherwise). */
int goal_submit(db *d, const actor *a, int64_t id, cx_err *e);
/* The office's decisions (office_id: its organisation, strictly above the goal's): accept a
 * submitted goal (its version kept in org_goal_version), or return it with a note (required).
 * The one who submitted it may not decide it (403 own_goal). 409 goal_state otherwise. */
int goal_accept(db *d, const actor *a, int64_t id, int64_t office_id, cx_err *e);
int goal_return(db *d, const actor *a, int64_t id, int64_t office_id, const char *note, cx_err *e);
/* A progress entry on day (YYYY-MM-DD) against a goal accepted at least once (409
 * goal_not_accepted); author: the name shown. Sets the goal's progress. */
int goal_progress_add(db *d, const actor *a, int64_t id, const char *day, int percent, const char *text, const char *author, cx_err *e);

typedef struct goal_query {
    const char *path;  /* the subtree (NULL: any) */
    int64_t org_id;    /* one organisation only (0: the subtree) */
    int64_t year;      /* 0: any */
    int status;        /* -1: any */
    int64_t offset, limit;
} goal_query;
typedef int (*goal_fn)(void *ctx, const goal *g);
/* Goals by organisation path then id; g->measure is NULL in lists. */
int goal_list(db *d, const goal_query *q, goal_fn fn, void *ctx);
int goal_count(db *d, const goal_query *q, int64_t *n);
/* The goals of the subtree below office (not its own organisation's) waiting for acceptance. */
int goal_desk_count(db *d, const org *office, int64_t *n);

typedef struct goal_entry {
    int64_t id, percent, created_at;
    char day[11], author[128];
    const char *text; /* valid in the callback only */
} goal_entry;
typedef int (*goal_entry_fn)(void *ctx, const goal_entry *p);
int goal_progress_list(db *d, int64_t goal_id, goal_entry_fn fn, void *ctx);
typedef struct goal_version_row {
    int64_t version, office_id, accepted_at;
    char accepted_on[11], office_name[256];
    const char *title, *measure; /* valid in the callback only */
} goal_version_row;
typedef int (*goal_version_fn)(void *ctx, const goal_version_row *v);
int goal_versions(db *d, int64_t goal_id, goal_version_fn fn, void *ctx);

/* Bulletins and reports: the goals of the subtree of path for the years y0..y1, as of the day
 * before `before` (YYYY-MM-DD): *total goals (drafts included), *accepted (a version accepted
 * before that day), *done (newest progress before that day at 100%), *pct_sum (the sum of the
 * newest progress percents of accepted goals). Read only from versions and progress entries,
 * which never change, so a recount finds the same figures. */
typedef struct goal_figures {
    int64_t total, accepted, done, pct_sum;
} goal_figures;
int goal_figures_of(db *d, const char *path, int y0, int y1, const char *before, goal_figures *f);
#endif
