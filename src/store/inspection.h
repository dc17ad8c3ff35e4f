/* inspection.h: inspections (督查, migration 0020): plans of an office over its subtree with a
 * team, a checklist and targets (by hand, or for 随机抽查 a committed random draw as the phone
 * draw makes them, store/draw.h); findings per target against checklist items with evidence
 * files; a problem finding turned into a rectification item in one step. Every change is one
 * write transaction, audited; a problem finding counts in the quarter roll-ups (period.h) as it
 * is recorded, and as closed when its rectification item is verified. */
#ifndef CX_INSPECTION_STORE_H
#define CX_INSPECTION_STORE_H
#include "store.h"
#include "attachment.h"
#include "../domain/inspection.h"
#include "../domain/rect.h"

#define FINDING_FILES_MAX 20 /* evidence files per finding */

typedef struct inspection {
    int64_t id, org_id, scope_org_id, draw_n, commitment_id, population, drawn_at, created_by, version, created_at;
    insp_kind kind;
    insp_status status;
    bool draw_members; /* a random draw of members (draw_of 'member', migration 0024) */
    int64_t ntargets, nproblems, nunrectified;
    char title[4 * INSP_TITLE_MAX + 1], start_date[11], end_date[11], types[128], sectors[256];
    char seed[65], seed_hash[65], digest[65], created_by_name[64];
    char org_name[256], org_path[CX_PATH_MAX], scope_name[256], scope_path[CX_PATH_MAX];
} inspection;

/* A plan as the office sends it: the checked fields, the scope organisation (0: the office's own),
 * the team (usernames, separated by commas, spaces or 、), standard checklist items (standard_item
 * ids, comma-separated) before the office's own, and the targets chosen by hand (org ids; not for
 * 随机抽查). */
typedef struct insp_new {
    const insp_ok *ok;
    int64_t scope_org_id;
    const char *team, *standard_items, *targets;
} insp_new;
/* Creates the plan issued by office (an active organisation) in its own transaction, audited; for
 * 随机抽查 a draw commitment (purpose 'inspection') is made in the same transaction and recorded
 * (its hash shown from now on, the seed after the draw). Errors: scope not in the office's
 * subtree or inactive 404 (scope_org_id); a team member unknown or without a staff role in the
 * office's subtree 422 invalid_team; a standard item unknown 422 invalid_item; a target outside
 * the scope or inactive 422 invalid_target; targets given for a random draw 422 targets_drawn. */
int inspection_create(db *d, const actor *a, const org *office, const insp_new *in, int64_t *id, cx_err *e);
CX_MUST_USE int inspection_get(db *d, int64_t id, inspection *x);
/* 1 when user_id is on the team of inspection id, 0 not, CX_ERR. */
CX_MUST_USE int inspection_on_team(db *d, int64_t id, int64_t user_id);
/* 1 when some target of inspection id lies in one of the subtrees where p holds a role in mask. */
CX_MUST_USE int inspection_inspects(db *d, int64_t id, const principal *p, int mask);
/* Starts or closes (IA_START, IA_CLOSE) the inspection, version expected (0: any; another: 409
 * stale_version). */
int inspection_act(db *d, const actor *a, int64_t id, insp_action action, int64_t version, cx_err *e);
/* Adds targets by hand (org ids as inspection_create takes them) while planned or running. */
int inspection_add_targets(db *d, const actor *a, int64_t id, const char *targets, cx_err *e);
/* The random draw: the population is the active organisations of the scope matching its types and
 * sectors — or, for a draw of members, the active members (正式 and 预备党员) of those organisations —
 * their ids as text in canonical order (domain/draw.h); its digest and the seed (taken from the
 * commitment recorded when the plan was made) are recorded and the draw_n organisations (or members,
 * each as the target (its organisation, member)) drawn become the targets in draw order. Once: a second draw 409 (already_drawn or commitment_used);
 * draw_n above the population 422 population_too_small. */
int inspection_draw(db *d, const actor *a, int64_t id, cx_err *e);

typedef int (*inspection_fn)(void *ctx, const inspection *x);
/* Inspections issued at o or below it, and those whose scope covers o, newest first (at most 500). */
int inspection_list(db *d, const org *o, inspection_fn fn, void *ctx);

typedef struct insp_target {
    int64_t id, seq, org_id, member_id, nfindings, nproblems; /* member_id 0: the organisation itself */
    char member_name[64], org_name[256], org_path[CX_PATH_MAX], org_type[24], org_sector[24];
} insp_target;
int inspection_targets(db *d, int64_t id, int (*fn)(void *ctx, const insp_target *t), void *ctx);
typedef struct insp_item {
    int64_t id, seq, standard_item_id;
    char title[4 * INSP_ITEM_MAX + 1];
} insp_item;
int inspection_items(db *d, int64_t id, int (*fn)(void *ctx, const insp_item *t), void *ctx);
typedef struct insp_member {
    int64_t user_id;
    char username[64], display_name[64];
} insp_member;
int inspection_team(db *d, int64_t id, int (*fn)(void *ctx, const insp_member *m), void *ctx);

typedef struct finding {
    int64_t id, inspection_id, target_id, org_id, member_id /* of a member target, or 0 */, item_id, rect_id, created_by, created_at, nfiles;
    bool problem;
    char text[4 * INSP_FINDING_MAX + 1], found_on[11], created_by_name[64], rect_status[16], member_name[64];
    char org_name[256], org_path[CX_PATH_MAX], item_title[4 * INSP_ITEM_MAX + 1], inspection_title[4 * INSP_TITLE_MAX + 1];
    char office_path[CX_PATH_MAX];
} finding;
/* Records a finding at the target (org_id, member_id) of a running inspection (member_id 0: the
 * organisation itself; with a member_id, org_id 0 means the member's; 422 not_target otherwise) against
 * its checklist item item_id (0: general; another inspection's 422 invalid_item), with 0..
 * EVIDENCE_MAX_FILES evidence files typed by content; a problem adds 1 to `findings` in the quarter
 * of found_on. */
int finding_add(db *d, const actor *a, int64_t inspection_id, int64_t org_id, int64_t member_id, int64_t item_id, const finding_ok *in,
                const evidence_in *files, int nfiles, int64_t *id, cx_err *e);
CX_MUST_USE int finding_get(db *d, int64_t id, finding *f);
/* Adds evidence files to a finding (at most FINDING_FILES_MAX in all). */
int finding_add_files(db *d, const actor *a, int64_t id, const evidence_in *files, int nfiles, cx_err *e);
int finding_files(db *d, int64_t id, attachment_fn fn, void *ctx);
/* The finding a file belongs to: 1, 0 none, CX_ERR. */
CX_MUST_USE int finding_file_owner(db *d, int64_t file_id, int64_t *finding_id);
CX_MUST_USE int finding_file_get(db *d, int64_t file_id, buf *out, char mime[32], char name[128]);
/* Turns a problem finding into a rectification item of its organisation (source 'inspection',
 * source_kind 'finding', source_id the finding; in as rect_new_check passed it), in one
 * transaction with the finding's rect_id; the organisation's secretaries are told. Errors: 409
 * not_problem, 409 already_rectified (also for the second of two at once). */
int finding_rectify(db *d, const actor *a, int64_t id, const rect_new_ok *in, int64_t *rect_id, cx_err *e);

typedef struct finding_query {
    int64_t inspection_id; /* one inspection's findings, or 0 */
    const org *root;       /* with inspection_id 0: the findings of root's subtree */
    bool open_only;        /* problems whose rectification is not verified (none made, or not yet 销号) */
    int64_t limit;         /* 0: all */
} finding_query;
typedef int (*finding_fn)(void *ctx, const finding *f);
int finding_list(db *d, const finding_query *q, finding_fn fn, void *ctx);

/* Problem findings not yet turned into rectification, of the inspections user_id is on the team
 * of or is an office over the issuing organisation of (the desk). */
int finding_unrectified_count(db *d, int64_t user_id, int64_t *n);
/* Called by store/rect.c inside the transaction that moves rectification item rect_id from old to
 * new status: a finding made into it counts in `findings_closed` while the item is verified. */
int finding_rect_moved(db *d, int64_t rect_id, int old_status, int new_status);
#endif
