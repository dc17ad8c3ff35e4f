/* ledger.h: the ledger (台账, migration 0027): categories per kind (seeded, and an office's own for
 * its subtree), entries of an organisation (optionally of one of its members) with a forum's
 * participants by category and files, edited by whoever entered them or an office over them,
 * deleted softly; the roll-up by quarter, kind and category over every organisation's subtree
 * (ledger_rollup) kept in the same transaction as each change, moved with an organisation and
 * rebuilt by `cxzy recount`. Every change is one write transaction, audited. */
#ifndef CX_LEDGER_STORE_H
#define CX_LEDGER_STORE_H
#include <stdio.h>
#include "store.h"
#include "attachment.h"
#include "../domain/ledger.h"

typedef struct ledger_category {
    int64_t id, org_id; /* org_id 0: seeded, for everyone */
    ledger_kind kind;
    char name[4 * LEDGER_CATEGORY_MAX + 1], org_name[256];
} ledger_category;
typedef int (*ledger_category_fn)(void *ctx, const ledger_category *c);
/* The categories seen from the organisation at org_path (seeded, then those of its ancestors and
 * its own), of kind k (-1: all kinds), by kind then the order they were defined in. */
int ledger_categories(db *d, const char *org_path, int k, ledger_category_fn fn, void *ctx);
/* An office adds a category of kind k for the subtree of office (an active organisation): 409
 * duplicate_category when one of that name is already seen there. */
int ledger_category_add(db *d, const actor *a, const org *office, ledger_kind k, const char *name, int64_t *id, cx_err *e);

typedef struct ledger_entry {
    int64_t id, org_id, member_id, category_id, people, deleted_at, version, created_by, created_at, updated_at, nfiles;
    ledger_kind kind;
    char entry_date[11], title[4 * LEDGER_TITLE_MAX + 1], household[4 * LEDGER_HOUSEHOLD_MAX + 1], created_by_name[64];
    char org_name[256], org_path[CX_PATH_MAX], category_name[4 * LEDGER_CATEGORY_MAX + 1], member_name[64];
    char *body; /* malloc'd by ledger_get (freed by ledger_entry_free); NULL in lists */
} ledger_entry;
/* 1, 0 (none), CX_ERR; a deleted entry is read too (deleted_at set). */
CX_MUST_USE int ledger_get(db *d, int64_t id, ledger_entry *x);
void ledger_entry_free(ledger_entry *x);

/* Who and what an entry is about, as the handler read them: member_id 0 none; category_id 0 none
 * (a forum's categories are its participants'). */
typedef struct ledger_about {
    int64_t member_id, category_id;
} ledger_about;
/* Enters an entry of organisation o (active; 404 otherwise) with files (typed by content). Errors:
 * a member not active in o's subtree 422 invalid_member; a category not of the kind or not seen from
 * o (another office's) 422 invalid_category (also a forum's participant category); the same entry
 * by the same person again within a minute (a double submission) 409 duplicate_entry. */
int ledger_create(db *d, const actor *a, const org *o, const ledger_about *ab, const ledger_ok *in, const evidence_in *files,
                  int nfiles, int64_t *id, cx_err *e);
/* One entry of ledger_create_many: its organisation (o->id read again), about whom, what. */
typedef struct ledger_new {
    const org *o;
    ledger_about ab;
    ledger_ok ok;
} ledger_new;
/* Enters n entries in one transaction, as n ledger_create calls without files would, for a loader
 * of generated entries (the demo): the same checks and errors (each (kind, category, organisation)
 * checked once), but no double-submission check; the rows through bulk inserts with ids reserved
 * from the sequence (the first entry gets the lowest), the roll-up in one round trip, the audit
 * records one per entry in their order as one run of their chain. CX_OK or CX_ERR with e (nothing
 * written). */
int ledger_create_many(db *d, const actor *a, const ledger_new *v, int n, cx_err *e);
/* Changes everything but the organisation and the kind (in->kind must be the entry's: 422
 * kind_changed); version expected (0: any; another 409 stale_version, as for the second of two
 * edits at once). A deleted entry 409 entry_deleted. */
int ledger_update(db *d, const actor *a, int64_t id, int64_t version, const ledger_about *ab, const ledger_ok *in, cx_err *e);
/* Soft delete (deleted_at), audited with what the entry was; its counts leave the roll-up. 409
 * entry_deleted the second time; version as ledger_update. */
int ledger_delete(db *d, const actor *a, int64_t id, int64_t version, cx_err *e);
/* Adds files (at most LEDGER_FILES_MAX in all) to an entry not deleted. */
int ledger_add_files(db *d, const actor *a, int64_t id, const evidence_in *files, int nfiles, cx_err *e);
int ledger_files(db *d, int64_t id, attachment_fn fn, void *ctx);
CX_MUST_USE int ledger_file_owner(db *d, int64_t file_id, int64_t *entry_id);
CX_MUST_USE int ledger_file_get(db *d, int64_t file_id, buf *out, char mime[32], char name[128]);
/* A forum's participants: category id, name, people. */
typedef int (*ledger_part_fn)(void *ctx, int64_t category_id, const char *name, int64_t people);
int ledger_parts(db *d, int64_t id, ledger_part_fn fn, void *ctx);

typedef struct ledger_query {
    const org *root;          /* entries of root's subtree */
    int kind;                 /* -1: all */
    int64_t category_id;      /* 0: all (a forum's: with participants of that category) */
    int64_t member_id;        /* 0: all */
    int from_q, to_q;         /* quarters of entry_date; 0: all */
    int64_t offset, limit;    /* limit 0: all */
} ledger_query;
typedef int (*ledger_fn)(void *ctx, const ledger_entry *x);
/* Entries not deleted, newest first, one page; with total (not NULL) only how many match, into *total. */
int ledger_list(db *d, const ledger_query *q, ledger_fn fn, void *ctx, int64_t *total);

/* The roll-up of one organisation's subtree over quarters from_q..to_q: each (kind, category_id)
 * with its entries and people (category 0: every entry of the kind). */
typedef int (*ledger_total_fn)(void *ctx, int64_t org_id, ledger_kind k, int64_t category_id, int64_t entries, int64_t people);
int ledger_totals(db *d, int64_t org_id, int from_q, int to_q, ledger_total_fn fn, void *ctx);
/* The same for each active direct child of org_id (fn's org_id the child's), children by name. */
int ledger_child_totals(db *d, int64_t org_id, int from_q, int to_q, ledger_total_fn fn, void *ctx);
/* The entries of every kind (category 0) of org_id's subtree over from_q..to_q into n[LK_COUNT]. */
CX_MUST_USE int ledger_kind_totals(db *d, int64_t org_id, int from_q, int to_q, int64_t n[LK_COUNT], int64_t people[LK_COUNT]);

/* The same counted from the entries of the organisations now in the subtree at org_path (what a
 * bulletin's recount compares its published figures with). */
CX_MUST_USE int ledger_raw_kind_totals(db *d, const char *org_path, int from_q, int to_q, int64_t n[LK_COUNT], int64_t people[LK_COUNT]);

/* An organisation's subtree moved from old_path to new_path (org_move): its rows leave the old
 * ancestors and join the new ones. Inside the move's transaction. */
int ledger_org_moved(db *d, int64_t org_id, const char *old_path, const char *new_path);
/* Rebuilds ledger_rollup from the entries, compares it with the stored rows, prints one line per
 * difference to out (NULL: silent), counts them in *diffs, and with fix replaces the rows
 * (audited). Its own transaction, or the caller's. */
CX_MUST_USE int ledger_recount(db *d, bool fix, FILE *out, int64_t *diffs);
#endif
