/* perm.h: roles granted at an organisation, each covering that organisation's subtree. */
#ifndef CX_PERM_H
#define CX_PERM_H
#include <stdbool.h>
#include <stdint.h>

enum {
    ROLE_OFFICE = 1,     /* 活动领导小组办公室 */
    ROLE_SECRETARY = 2,  /* 党组织书记 */
    ROLE_LEADER = 4,     /* 党员领导干部 */
    ROLE_MEMBER = 8,     /* 党员 */
    ROLE_DISCIPLINE = 16,/* 纪检 */
    ROLE_ANY = 31,
};

typedef struct grant {
    int role;           /* one ROLE_* bit */
    int64_t org_id;
    char path[1024];    /* the org's materialized path, "/1/7/" (CX_PATH_MAX) */
} grant;

typedef struct principal {
    int64_t user_id;
    int64_t member_id;  /* 0 when the account is not a member */
    char username[64];
    char display_name[64];
    int ngrants;
    grant grants[16];
} principal;

/* Role names as stored ("office" …) and shown ("活动办公室" …). */
int role_from_name(const char *name);  /* 0 when unknown */
const char *role_name(int role);
const char *role_label(int role);

/* True when path lies in the subtree rooted at root (both materialized paths). */
bool path_in_subtree(const char *path, const char *root);
/* True when p holds a role in mask at an organisation whose subtree contains org_path. */
bool perm_allows(const principal *p, int mask, const char *org_path);
/* True when p holds a role in mask at a strict ancestor of org_path: the level above (上级). */
bool perm_above(const principal *p, int mask, const char *org_path);
/* True when p holds a role in mask at exactly the organisation of org_path (not above it). */
bool perm_at(const principal *p, int mask, const char *org_path);
/* Paper questionnaires (纸质问卷) of an organisation are issued and keyed in by the level above:
 * an office or secretary at a strict ancestor; at the top organisation, where there is no level
 * above, its own office. Never the organisation's own secretary alone. */
bool perm_paper_handler(const principal *p, const char *org_path);
/* Union of the role bits p holds anywhere. */
int perm_roles(const principal *p);
/* The highest organisation (shortest path) at which p holds a role in mask; NULL if none. */
const grant *perm_top_grant(const principal *p, int mask);
#endif
