/* liaison.h: liaison points (联络点, migration 0026): the rule of a subtree (the nearest organisation
 * up the tree with a liaison_rule row decides), standing points of leaders at grassroots
 * organisations (assigned by an office over both, ended with their history kept), visits with
 * files, and a problem found at a visit turned into a rectification item in one step. Every change
 * is one write transaction, audited; a visit counts in the quarter roll-ups (period.h: visits,
 * visit_problems_found, visit_problems_solved) as it is recorded. */
#ifndef CX_LIAISON_STORE_H
#define CX_LIAISON_STORE_H
#include "store.h"
#include "attachment.h"
#include "../domain/liaison.h"
#include "../domain/rect.h"

#define VISIT_FILES_MAX 20 /* files per visit */

/* The rule for the organisation at org_path: the nearest one up the tree with a row, or the
 * default; from (256 bytes, may be NULL) gets the name of the organisation whose rule it is ("" for
 * the default), *from_id its id (0). */
CX_MUST_USE int liaison_rule_for(db *d, const char *org_path, liaison_rule *r, char *from, int64_t *from_id);
/* Sets the rule of office's subtree (its own row), audited. */
int liaison_rule_set(db *d, const actor *a, const org *office, const liaison_rule *r, cx_err *e);

typedef struct liaison_point {
    int64_t id, leader_user_id, org_id, office_org_id, created_at, nvisits;
    bool open;
    char since[11], until[11], last_visit[11];
    char leader_name[64], leader_username[64], created_by_name[64];
    char org_name[256], org_path[CX_PATH_MAX], office_name[256], office_path[CX_PATH_MAX];
} liaison_point;
CX_MUST_USE int liaison_point_get(db *d, int64_t id, liaison_point *p);

/* The leader grant of user_id within the subtree at root_path (NULL: anywhere), the highest one:
 * 1 with its organisation (path, name, sector) in g, 0 when user_id holds none there, CX_ERR. */
CX_MUST_USE int liaison_leader_grant(db *d, int64_t user_id, const char *root_path, org *g);

/* Assigns organisation org_id as a standing point of the leader user_id from since, by office (an
 * active organisation over both). Errors: org_id missing, inactive or outside office's subtree 404
 * (org_id); not a 党支部 or 党总支 422 not_grassroots (org_id); user_id without a leader grant in
 * office's subtree 422 not_leader (leader_id); an open point of the leader there already 409
 * duplicate_point (also the second of two at once); the leader keeps the rule's max_points already
 * 422 too_many_points naming the rule (two at once: the leader's points are counted under a lock). */
int liaison_assign(db *d, const actor *a, const org *office, int64_t leader_id, int64_t org_id, const char *since, int64_t *id, cx_err *e);
/* Ends open point id on until (not before its since: 422 invalid_until); 409 already_ended. */
int liaison_end(db *d, const actor *a, int64_t id, const char *until, cx_err *e);

typedef int (*liaison_point_fn)(void *ctx, const liaison_point *p);
/* The points of leader_id (open first, newest first), or with leader_id 0 the points at the
 * organisations of root's subtree (open_only: only those open). */
int liaison_points(db *d, int64_t leader_id, const org *root, bool open_only, liaison_point_fn fn, void *ctx);

/* A leader as the lists show them: the highest leader grant in the subtree asked about, the rule
 * there, open points and visits in the year asked, and where they stand. */
typedef struct liaison_leader {
    int64_t user_id, grant_org_id, npoints, nvisits, visits_required;
    bool dept; /* the grant is at a government (机关) organisation: the department figure applies */
    liaison_rule rule;
    liaison_standing standing;
    char username[64], display_name[64], org_name[256], org_path[CX_PATH_MAX], rule_from[256];
} liaison_leader;
typedef int (*liaison_leader_fn)(void *ctx, const liaison_leader *l);
/* Every account with a leader grant in root's subtree, by name, with its visits in year. */
int liaison_leaders(db *d, const org *root, int year, liaison_leader_fn fn, void *ctx);
/* The same figures for one leader (grant anywhere): 1, 0 not a leader, CX_ERR. */
CX_MUST_USE int liaison_leader_get(db *d, int64_t user_id, int year, liaison_leader *l);
/* Leaders of root's subtree: all of them, without a point, with too few, and with fewer visits in
 * year than their rule asks (the dashboard's figures), read from the leaders' standing roll-up
 * (standing.h: the same figures liaison_leaders gives each leader, kept with every change). */
typedef struct liaison_counts {
    int64_t leaders, none, few, many, visits_short;
} liaison_counts;
CX_MUST_USE int liaison_count(db *d, const org *root, int year, liaison_counts *c);
/* Counts leader l in c (what liaison_count's roll-up holds for each). */
void liaison_counts_add(liaison_counts *c, const liaison_leader *l);

typedef struct liaison_visit {
    int64_t id, point_id, leader_user_id, org_id, rect_id, created_at, nfiles;
    char visited_on[11], created_by_name[64], leader_name[64], rect_status[16];
    char org_name[256], org_path[CX_PATH_MAX];
    char done[4 * LIAISON_TEXT_MAX + 1], problems_found[4 * LIAISON_TEXT_MAX + 1], problems_solved[4 * LIAISON_TEXT_MAX + 1];
} liaison_visit;
/* Records a visit to open point point_id (409 point_ended otherwise; visited_on before the point's
 * since 422 before_since), with 0..EVIDENCE_MAX_FILES files typed by content. */
int liaison_visit_add(db *d, const actor *a, int64_t point_id, const visit_ok *in, const evidence_in *files, int nfiles, int64_t *id, cx_err *e);
CX_MUST_USE int liaison_visit_get(db *d, int64_t id, liaison_visit *v);
typedef int (*liaison_visit_fn)(void *ctx, const liaison_visit *v);
/* The visits of point_id, or with point_id 0 those of leader_id, newest first. */
int liaison_visits(db *d, int64_t point_id, int64_t leader_id, liaison_visit_fn fn, void *ctx);
int liaison_visit_files(db *d, int64_t visit_id, attachment_fn fn, void *ctx);
/* The visit a file belongs to: 1, 0 none, CX_ERR. */
CX_MUST_USE int liaison_file_owner(db *d, int64_t file_id, int64_t *visit_id);
CX_MUST_USE int liaison_file_get(db *d, int64_t file_id, buf *out, char mime[32], char name[128]);
/* Turns the problems found at visit id into a rectification item of the point's organisation
 * (source 'manual', source_kind 'liaison_visit', source_id the visit; in as rect_new_check passed
 * it), in one transaction with the visit's rect_id; the organisation's secretaries are told.
 * Errors: 409 no_problem (nothing was found), 409 already_rectified (also the second of two at once). */
int liaison_visit_rectify(db *d, const actor *a, int64_t id, const rect_new_ok *in, int64_t *rect_id, cx_err *e);
#endif
