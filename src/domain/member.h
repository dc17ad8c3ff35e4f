/* member.h: the member record (党员) as entered by a person, a JSON body or a roster row,
 * and its validation into the normalised record that is stored. */
#ifndef CX_MEMBER_H
#define CX_MEMBER_H
#include "../lib/util.h"

/* Raw text as entered; NULL or "" means not given. */
typedef struct member_in {
    const char *name, *sex, *ethnicity, *birth_date, *idcard, *phone, *joined_date, *full_date,
        *education, *post, *duties, *status;
} member_in;

/* The normalised record. status is "full" or "probationary"; sex "男" or "女". */
typedef struct member_rec {
    char name[64], sex[4], ethnicity[32], birth_date[11], idcard[19], phone[32], joined_date[11],
        full_date[11], education[64], post[160], duties[1024], status[16];
} member_rec;

/* One column of the roster file and of the member form / JSON body. */
typedef struct member_col {
    const char *field;   /* JSON key and form name: "idcard" */
    const char *label;   /* the Chinese header: "身份证号" */
    const char *aliases; /* other headers people use, separated by '|' */
    int required;
} member_col;

extern const member_col member_cols[]; /* terminated by {0} */
/* The index in member_cols of a header as written in a file (label or alias, surrounding
 * white space and a trailing "*" or "（必填）" ignored), or -1. */
int member_col_find(const char *header);
/* The official name of a 民族 given as written or without its final "族" ("汉" → "汉族",
 * "维吾尔" → "维吾尔族"); NULL when v is none of the 56. member_validate stores this name. */
const char *member_ethnicity_full(const char *v);
/* Pointer to the member_in slot for member_cols[i]. */
const char **member_in_slot(member_in *in, int i);
/* The member_rec value for a field name (for rendering/export), NULL if unknown. */
const char *member_rec_get(const member_rec *r, const char *field);

/* Validates in into out. Collects up to maxerr errors into errs (each names the field and the
 * reason in Chinese) and returns how many there were; 0 means out is complete and valid.
 * Rules: 姓名 required (≤ 20 characters); 身份证号 required and valid (GB 11643); 出生日期 and
 * 性别 derived from it, and when given must agree with it; 民族 short forms become the full name; 入党时间 required, at or after the
 * 18th birthday and not in the future; 转正时间 after 入党时间 and not in the future, absent for
 * 预备党员; 党员状态 正式/预备 (default 正式 when 转正时间 is given or omitted); 联系电话 optional,
 * valid mainland number; lengths of the free-text fields bounded. */
int member_validate(const member_in *in, member_rec *out, cx_err *errs, int maxerr);
/* member_validate for a roster row, whose 出生年月 column may hold a month ("1985.03") or a
 * year ("1985年") instead of a day: compared with the 身份证号 to that precision. Forms and the
 * JSON API want a full date. */
int member_validate_row(const member_in *in, member_rec *out, cx_err *errs, int maxerr);

const char *member_status_label(const char *status); /* "full" → "正式党员" */
#endif
