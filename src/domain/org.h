/* org.h: what is typed about an organisation: its name, type (党委, 党总支, 党支部) and sector
 * (农村 …), their codes and labels, and the check the store's org_create and org_update take. */
#ifndef CX_DOMAIN_ORG_H
#define CX_DOMAIN_ORG_H
#include "../lib/util.h"

const char *org_type_label(const char *type);     /* "branch" → "党支部" */
const char *org_sector_label(const char *sector); /* "rural" → "农村" */
int org_type_valid(const char *type);
int org_sector_valid(const char *sector);

/* name (组织名称, 1–60 characters, one line), type and sector as typed. */
#define ORG_NAME_MAX 60
typedef struct org_in {
    const char *name, *type, *sector;
} org_in;
typedef struct org_ok {
    char name[ORG_NAME_MAX * 4 + 1]; /* trimmed */
    const char *type, *sector;       /* the codes (static) */
} org_ok;
/* 400 on the name (text.h's codes), invalid_type, invalid_sector; in that order. */
int org_check(const org_in *in, org_ok *out, cx_err *e);
#endif
