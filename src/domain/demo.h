/* demo.h: a realistic, deterministic demo district: 区委 → 镇党委 / 机关工委 / 企业工委 / … →
 * 党总支 → 党支部 in every sector, with members that have Chinese names, valid 身份证号 and
 * phones, posts and duties. Pure generation: callers persist what the callbacks receive.
 *
 * The tree under "<X>区委" (committee, government):
 *   <镇>镇党委 (rural): <镇>镇机关党支部, <镇>镇王庄村党支部, or a big village's 村党总支 → 村第一党支部 …
 *   <街道>街道党工委 (community): 街道机关党支部, 幸福社区党支部, or 社区党总支 → 第一网格党支部 …
 *   区直机关工委 (government): 区财政局机关党支部, or 机关党总支 → 机关第一党支部 … 离退休干部党支部
 *   区教育系统党委 (school): 区第一中学党支部 / 党总支 → 语文教研组党支部 …
 *   区卫生健康系统党委 (hospital): 区人民医院党总支 → 区人民医院内科党支部 …, 镇卫生院
 *   区国资委党委 (soe): 公司党总支 → 一车间党支部 …; big ones 党委 → 一分厂党总支 → 车间党支部
 *   区非公有制经济组织党委 (private): 有限公司党支部 …, 个体工商户联合党支部
 *   区社会组织党委 (social): 行业协会, 律师事务所, 养老服务中心 … 党支部
 * A unit with 6 or more branches becomes a 党委 with 党总支 of 2-4 branches each. */
#ifndef CX_DEMO_H
#define CX_DEMO_H
#include <stdint.h>

typedef struct demo_org {
    int64_t key;        /* 1-based, in generation order; a parent always precedes its children */
    int64_t parent_key; /* 0 for the root (the district committee) */
    const char *name;   /* e.g. "顺河镇党委", "顺河镇王庄村党支部" */
    const char *type;   /* "committee" | "general_branch" | "branch" */
    const char *sector; /* "rural" | "community" | "government" | "soe" | "school" | "hospital" | "private" | "social" */
} demo_org;

typedef struct demo_member {
    int64_t org_key;      /* a branch (type "branch") */
    const char *name;     /* 2-3 Chinese characters */
    const char *sex;      /* "男" | "女", consistent with the id */
    const char *ethnicity;/* mostly "汉族" */
    const char *birth_date; /* "YYYY-MM-DD", consistent with the id */
    const char *idcard;   /* 18 chars, valid GB 11643 check char, unique within a run */
    const char *phone;    /* 11-digit mobile, unique within a run */
    const char *joined_date;/* 入党时间, at 18+ years of age, not in the future */
    const char *full_date;  /* 转正时间: joined + 1 year, or "" for probationary members */
    const char *education;  /* 初中 / 高中 / 中专 / 大专 / 本科 / 硕士研究生 … */
    const char *post;       /* 岗位, fitting the sector (村委委员, 网格员, 科员, 车间主任, 教师, 护士 …) */
    const char *duties;     /* 职责, one sentence fitting the post */
    const char *status;     /* "full" | "probationary" (about 5%) */
} demo_member;

typedef struct demo_cb {
    void *ctx;
    /* Each returns 0 to go on, non-zero to stop generation (the value is returned by demo_generate). */
    int (*org)(void *ctx, const demo_org *o);
    int (*member)(void *ctx, const demo_member *m);
} demo_cb;

/* The most members demo_generate makes (sequence codes of 身份证号 run out beyond). */
#define DEMO_MAX_MEMBERS 50000000
/* Dates are generated as of this day, so the output does not change with the clock: nobody
 * joined after it, and probationary members joined within the year before it. */
#define DEMO_AS_OF "2025-06-30"

/* Generates the district deterministically from seed, with exactly `members` members; the
 * number of branches scales with it (about 30 members a branch, 10-50 each; at least one
 * branch per sector, so small runs have empty branches). Orgs come in depth-first order and
 * each branch's members right after the branch, so a caller can persist as it goes; nothing
 * is held in memory but one fixed table (~0.5 MB) that keeps 身份证号 unique.
 * Strings passed to callbacks are valid only during the call; cb or either callback may be
 * NULL. Returns 0, the first non-zero callback result, or -1 (nothing generated) when members
 * is negative or above DEMO_MAX_MEMBERS. */
int demo_generate(uint64_t seed, int64_t members, const demo_cb *cb);
#endif
