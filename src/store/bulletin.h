/* bulletin.h: bulletins (通报, table bulletin, migration 0021): drafts an office composes for its
 * subtree and a period, published with a number per office and year (河西创〔2026〕3号), frozen
 * once published (a trigger refuses any change of a published row on both backends), the hash of
 * their canonical content in the audit record of "publish"; a correction is a new draft that
 * references the published one. The figures of each section come from bulletin_figures.c: from
 * the roll-up rows when composed, from the raw records when recounted (bulletin_recount). */
#ifndef CX_STORE_BULLETIN_H
#define CX_STORE_BULLETIN_H
#include <cjson/cJSON.h>
#include <stdio.h>
#include "store.h"
#include "../domain/bulletin.h"

typedef struct bulletin {
    int64_t id, org_id, seq, corrects_id, created_by, published_at, row_version, created_at, updated_at;
    int year, from_q, to_q;
    bool published, is_public;
    char org_path[CX_PATH_MAX], org_name[256], number_text[128], title[BULLETIN_TITLE_MAX * 4 + 1];
    char content_hash[65], created_by_name[128], published_by_name[128];
    char *sections; /* JSON text (malloc'd): free with bulletin_free */
} bulletin;
void bulletin_free(bulletin *b);

/* Reads in->period, or in->from and in->to, into in->from_q..to_q as period_parse reads periods
 * (0 where a text is absent or unreadable; bulletin_check says which), and today's quarter. */
void bulletin_read_period(bulletin_in *in);

/* One bulletin (sections included): 1, 0, CX_ERR. */
CX_MUST_USE int bulletin_get(db *d, int64_t id, bulletin *b);
/* Published bulletins that correct id: calls fn with each (sections not read). */
typedef int (*bulletin_fn)(void *ctx, const bulletin *b);
int bulletin_corrections(db *d, int64_t id, bulletin_fn fn, void *ctx);

/* Lists: the bulletins an office issued (drafts too when with_drafts), newest first; or the
 * public ones of every office (office_id 0, public_only). Sections are not read. */
typedef struct bulletin_query {
    int64_t office_id;
    bool with_drafts, public_only;
    int64_t offset, limit;
} bulletin_query;
int bulletin_count(db *d, const bulletin_query *q, int64_t *n);
int bulletin_list(db *d, const bulletin_query *q, bulletin_fn fn, void *ctx);

/* A new draft of office (an organisation), checked by bulletin_check; the exemplary pledges must
 * be in the office's subtree (422 otherwise). corrects: a published bulletin of the same office
 * it corrects, or 0. *id gets the new id. Audited "create". */
int bulletin_create(db *d, const actor *a, const org *office, const bulletin_ok *in, int64_t corrects, int64_t *id, cx_err *e);
/* Replaces a draft's title, period, visibility and sections; version is the row_version the
 * editor saw (409 stale when another edit came first; 409 published when it is no draft). */
int bulletin_update(db *d, const actor *a, int64_t id, int64_t version, const bulletin_ok *in, cx_err *e);
/* Deletes a draft (409 when published). */
int bulletin_delete(db *d, const actor *a, int64_t id, int64_t version, cx_err *e);
/* Publishes a draft: the figures of every section made now (as of today, 'YYYY-MM-DD') and frozen,
 * the next number of the office in the year of the period's end, the content hash; audited
 * "publish" with the hash; the offices of the direct children are notified. version 0: any. 409
 * when already published (two at once: one wins). */
int bulletin_publish(db *d, const actor *a, int64_t id, int64_t version, const char *today, cx_err *e);
/* A correction of a published bulletin: a new draft of the same office, period, visibility and
 * sections (notes kept), titled "关于……的更正", referencing it. *new_id gets its id. */
int bulletin_correct(db *d, const actor *a, int64_t id, int64_t *new_id, cx_err *e);

/* The number prefix of an office ('' when none is set: the organisation's name is used). */
CX_MUST_USE int bulletin_prefix_get(db *d, int64_t org_id, char *out, size_t cap);
/* Sets it (checked by bulletin_prefix_check), audited. */
int bulletin_prefix_set(db *d, const actor *a, int64_t org_id, const char *prefix, cx_err *e);

/* ---- figures (bulletin_figures.c) ---- */
/* Where a section's counters come from: the roll-up rows (composing, publishing) or the raw
 * records (the recount: period_raw, and grades and ballots of the round as recorded). */
typedef enum { BF_ROLLUP, BF_RAW } bf_source;
/* Adds "figures" to each section of sections (a JSON array as bulletin_draft_sections makes) for
 * the office and from_q..to_q, lists judged as of as_of. With BF_RAW, each section's recorded
 * parameters (its round, its as_of) are taken from its published figures. CX_OK or CX_ERR. */
int bulletin_figures_fill(db *d, const org *office, int from_q, int to_q, const char *as_of, cJSON *sections, bf_source src);

/* `cxzy recount --bulletin N`: recomputes every figure of a published bulletin from the raw
 * records over the period as published and writes each difference to out (section, row, column,
 * published value, recomputed value); checks the stored content against content_hash and against
 * the hash in the audit record of "publish". *diffs gets the number of differences. CX_ERR on a
 * database error; 0 when id is no published bulletin (see bulletin_get). */
int bulletin_recount(db *d, int64_t id, FILE *out, int64_t *diffs);
#endif
