/* sector_standard.h: standards and indicators by sector (issue 22): a campaign's standard sets
 * for organisations of given sectors (领域) and levels and their members, a set's local
 * indicators with points and its grade rule, versions (a set a round started with is never
 * edited: the edit makes a new version), the set a round reviews a target on, and grade figures
 * by set. */
#ifndef CX_SECTOR_STANDARD_H
#define CX_SECTOR_STANDARD_H
#include "store.h"
#include "standard.h"
#include "round.h"
#include "../domain/indicator.h"

/* One version of a set with its indicators and grade rule. */
typedef struct std_version {
    standard_set s;
    int64_t campaign_id, family_id;      /* campaign_id 0: a set of every campaign (五个好 …) */
    int version, nind, total;            /* total: the indicators' points */
    bool superseded, has_rule;
    int t[3];                            /* thresholds in points: 优秀/好, 合格/较好, 基本合格/一般 */
    indicator_ok ind[IND_MAX];
} std_version;
/* 1 found, 0 not, CX_ERR. */
CX_MUST_USE int std_version_get(db *d, int64_t set_id, std_version *out);
/* The lines of the review form of a version: its indicators, or its items when it has none. */
int std_lines(const std_version *v);
/* The score ×100 of levels given on v's lines (points-weighted with indicators). */
int64_t std_score(const std_version *v, const review_rules *r, const char *levels);

/* A campaign's assignment: target org|member, sector and org type ('' any), the family and its
 * current version. */
typedef struct sector_rule {
    int64_t id, family_id, set_id;
    char target[8], sector[16], org_type[20], set_name[RV_BYTES(30)];
    int version;
} sector_rule;
typedef int (*sector_rule_fn)(void *ctx, const sector_rule *r);
int sector_rules_list(db *d, int64_t campaign_id, sector_rule_fn fn, void *ctx);
/* The rules round_id started with (set_id the pinned version). */
int round_rules_list(db *d, int64_t round_id, sector_rule_fn fn, void *ctx);
/* Assigns (or with set_id 0 removes) the set for target, sector, org type in the campaign:
 * target org|member (invalid_target), sector and org type '' or valid (invalid_sector,
 * invalid_org_type), the set a set of every campaign or of this one with that target
 * (invalid_set). Audited. */
int sector_rule_put(db *d, const actor *a, int64_t campaign_id, const char *target, const char *sector, const char *org_type,
                    int64_t set_id, cx_err *e);
/* A set of the campaign (in passed standard_check) with its indicators (indicators_check) and
 * rule (set_rule_check). Audited. */
int std_create(db *d, const actor *a, int64_t campaign_id, const standard_ok *in, const indicator_ok *ind, int nind,
               const int t[3], bool has_rule, int64_t *id, cx_err *e);
/* Edits a set of the campaign: name (NULL: kept), indicators and rule replace the old ones. A
 * set of every campaign cannot be edited (builtin_set, 409), an older version neither
 * (superseded, 409). When a round has started with the set, a new version is made and the
 * campaign's assignments move to it (*versioned true); the round keeps the old one. Audited. */
int std_edit(db *d, const actor *a, int64_t campaign_id, int64_t set_id, const char *name, const indicator_ok *ind, int nind,
             const int t[3], bool has_rule, int64_t *new_id, bool *versioned, cx_err *e);
/* Copies the campaign's assignments, at their current versions, to a round being opened (inside
 * the caller's transaction). */
int round_rules_pin(db *d, int64_t round_id, int64_t campaign_id);

/* The rules of a round in memory, to pick a target's set without a query per target. */
typedef struct round_sets {
    int n;
    sector_rule *v;
    int64_t org_set, member_set;          /* the campaign's sets when no rule applies */
} round_sets;
int round_sets_load(db *d, const review_round *rd, round_sets *rs);
void round_sets_free(round_sets *rs);
/* The set for an organisation (is_org) or the members of one, by its sector and type: the most
 * specific rule, else the campaign's set. */
int64_t round_sets_pick(const round_sets *rs, bool is_org, const char *sector, const char *org_type);
/* The set the round reviews an organisation (is_org) or the members of org_id on: 1, 0 (none),
 * CX_ERR. */
int round_set_for(db *d, const review_round *rd, bool is_org, int64_t org_id, std_version *out);
/* The number of form lines for that set (0 when none). */
int round_items(db *d, const review_round *rd, bool is_org, int64_t org_id, int64_t *n);

/* How many sector rules the round started with (0: it reviews everyone on the campaign's two sets). */
int round_rule_count(db *d, int64_t round_id, int64_t *n);
/* Grade figures of a round below root by set: each set's graded members or organisations, how
 * many in each grade (1 优秀/好 … 4), and how many met the standard. */
typedef struct set_figures {
    int64_t set_id;
    char name[RV_BYTES(30)], target[8];
    int version;
    int64_t graded, grade[5], meets, score_sum;
} set_figures;
int round_figures_by_set(db *d, const review_round *rd, const org *root, set_figures **out, int *n);
#endif
