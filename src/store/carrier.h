/* carrier.h: carriers that can be tracked (issue 22): a carrier's items, the entries each member
 * or branch of its subtree owes per item and campaign phase, done with a text and evidence files
 * only while that phase runs; the counters of entries due and done per organisation (carrier_tally,
 * kept in the same transaction; carrier_recount rebuilds it), added up over subtrees when read;
 * versioned edits and retirement. Carriers themselves are named in standard.c (carrier_add). */
#ifndef CX_STORE_CARRIER_H
#define CX_STORE_CARRIER_H
#include <stdio.h>
#include "store.h"
#include "attachment.h"
#include "../domain/carrier.h"
#include "../domain/review.h"

typedef struct carrier_rec {
    int64_t id, campaign_id, org_id, version, retired_at, created_at;
    char name[192], description[1536], retired_reason[1536], org_name[256], org_path[CX_PATH_MAX];
} carrier_rec;
CX_MUST_USE int carrier_get(db *d, int64_t id, carrier_rec *k);

typedef struct carrier_item_row {
    int64_t id, carrier_id, since_version, retired_version;
    int seq;
    char title[CARRIER_ITEM_TITLE_MAX * 4 + 1], target[8], evidence[CARRIER_ITEM_EVIDENCE_MAX * 4 + 1];
} carrier_item_row;
typedef int (*carrier_item_fn)(void *ctx, const carrier_item_row *it);
/* The carrier's items in order: current ones only, or (all) every item ever, retired last. */
int carrier_items_list(db *d, int64_t carrier_id, bool all, carrier_item_fn fn, void *ctx);
/* The current items as text, one a line as carrier_items_check reads them (malloc'd; NULL on a
 * database error). */
char *carrier_items_current(db *d, int64_t carrier_id);
/* Inserts items as the carrier's version `version`, inside the caller's transaction. */
int carrier_items_insert(db *d, int64_t carrier_id, const carrier_items_ok *items, int64_t version);

/* A new version: name, description and items as given. An item whose title and target stay keeps
 * its entries; one left out is retired (its entries stay, no longer due); a new one owes entries
 * from the next opening of a phase. The wording replaced is kept (carrier_version). 409
 * carrier_retired. *version gets the new version. */
int carrier_edit(db *d, const actor *a, int64_t id, const carrier_ok *in, const carrier_items_ok *items, int64_t *version, cx_err *e);
/* Retires the carrier (reason 1–200 characters): its entries can no longer be filled. */
int carrier_retire(db *d, const actor *a, int64_t id, const char *reason, cx_err *e);
typedef struct carrier_version_row {
    int64_t version, edited_at;
    char name[192], description[1536], items[4096], edited_by[64];
} carrier_version_row;
typedef int (*carrier_version_fn)(void *ctx, const carrier_version_row *v);
int carrier_versions(db *d, int64_t carrier_id, carrier_version_fn fn, void *ctx);

/* Opens phase_id (a phase of the carrier's campaign, else 400 invalid_phase) for the carrier: one
 * entry per current item and active member (member items) or active branch (org items) of the
 * subtree that has none yet; the roll-up of the phase is rebuilt. *created: entries added. */
int carrier_open_phase(db *d, const actor *a, int64_t id, int64_t phase_id, int64_t *created, cx_err *e);

typedef struct carrier_entry_rec {
    int64_t id, item_id, phase_id, org_id, member_id, version, done_at, nfiles;
    int64_t carrier_id, carrier_org_id, carrier_retired_at, item_retired_version;
    char status[8], done_by[64], target[8];
    char text[CARRIER_ENTRY_TEXT_MAX * 4 + 1];
    char item_title[CARRIER_ITEM_TITLE_MAX * 4 + 1], evidence[CARRIER_ITEM_EVIDENCE_MAX * 4 + 1];
    char org_name[256], org_path[CX_PATH_MAX], member_name[64], carrier_name[192], carrier_org_path[CX_PATH_MAX];
    char phase_name[192], start_date[11], end_date[11];
} carrier_entry_rec;
CX_MUST_USE int carrier_entry_get(db *d, int64_t id, carrier_entry_rec *en);
typedef int (*carrier_entry_fn)(void *ctx, const carrier_entry_rec *en);
/* Entries of the carrier in phase_id (0: every phase) of the organisations in root's subtree, or
 * of member_id only (when > 0), at most limit, by item, organisation and member. */
int carrier_entries(db *d, int64_t carrier_id, int64_t phase_id, const char *root_path, int64_t member_id, int limit, carrier_entry_fn fn,
                    void *ctx);
/* Fills an entry (text checked by the caller, files by evidence_check here) on day `today`: 409
 * carrier_retired, item_retired, phase_not_open, phase_closed; too_many_files past 5 files. The
 * first filling counts the entry done in its organisation's counters. */
int carrier_entry_fill(db *d, const actor *a, int64_t id, const char *today, const char *text, const evidence_in *files, int nfiles,
                       cx_err *e);
int carrier_files(db *d, int64_t entry_id, attachment_fn fn, void *ctx);
/* One evidence file: 1, 0, CX_ERR; *entry_id its entry. */
CX_MUST_USE int carrier_file_get(db *d, int64_t id, buf *out, char mime[32], char name[128], int64_t *entry_id);

/* The roll-up of phase_id over the subtree of org_id and of each of its direct children, item by
 * item: the counters of their organisations added up (so a moved branch counts where it is now). */
typedef int (*carrier_tally_fn)(void *ctx, int64_t org_id, const char *org_name, int64_t item_id, int64_t due, int64_t done);
int carrier_progress(db *d, int64_t carrier_id, int64_t phase_id, int64_t org_id, carrier_tally_fn fn, void *ctx);
/* `cxzy recount`: carrier_tally against carrier_entry, one line per difference to out; fix
 * rebuilds it (audited). */
int carrier_recount(db *d, bool fix, FILE *out, int64_t *diffs);
#endif
