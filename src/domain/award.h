/* award.h: 评选表彰 (awards) in plain C: the statuses of an award kind and of a nomination, the
 * fixed set of eligibility rules and their parameters, the quota (a number, or a share of the
 * eligible: per cent rounded down, at least 1 when anyone is eligible) and the vote rule of the
 * office's review (passed when the votes for are more than half of those entitled to vote). No
 * SQL, no HTTP; store/award.c evaluates each rule over the records. */
#ifndef CX_AWARD_H
#define CX_AWARD_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../lib/util.h"

typedef enum { AK_DRAFT = 0, AK_OPEN, AK_CLOSED, AK_DONE, AK_COUNT } award_status;
typedef enum { AN_NOMINATED = 0, AN_WITHDRAWN, AN_PASSED, AN_REJECTED, AN_AWARDED, AN_REVOKED, AN_COUNT } nomination_status;
typedef enum { AWS_MEMBER = 0, AWS_ORG, AWS_COUNT } award_subject;
/* The eligibility rules (a rule row names one of these with its parameter). */
typedef enum {
    AR_GRADE_EXCELLENT = 0, /* final grade 优秀 (organisations: 好), approved, in a review round of the year */
    AR_NO_PLEDGE_MISS,      /* no pledge of the year missed without justification */
    AR_SATISFACTION_MIN,    /* param "90/30": public satisfaction ≥ 90 % over ≥ 30 valid ballots in the year's rounds */
    AR_NO_OPEN_RECT,        /* no open rectification past its due date (the organisation, or the member's) */
    AR_REPORTS_ON_TIME,     /* organisations: no report of the year submitted late or overdue */
    AR_ATTENDANCE_MIN,      /* members: attendance over the year's held meetings ≥ param ‰ */
    AR_COUNT
} award_rule;

const char *award_status_name(award_status s);
const char *award_status_label(award_status s);
int award_status_from_name(const char *s);
const char *nomination_status_name(nomination_status s);
const char *nomination_status_label(nomination_status s);
int nomination_status_from_name(const char *s);
const char *award_subject_name(award_subject s);
const char *award_subject_label(award_subject s);
int award_subject_from_name(const char *s);
const char *award_rule_name(award_rule r);
const char *award_rule_label(award_rule r);
int award_rule_from_name(const char *s); /* -1 when unknown */

#define AWARD_NAME_MAX 30
#define AWARD_REASON_MAX 500
#define AWARD_NOTE_MAX 500
#define AWARD_RULES_MAX AR_COUNT
#define AWARD_QUOTA_MAX 1000
#define AWARD_ENTITLED_MAX 10000

/* A rule row as typed: rule (a name of the set), param. Checks that the rule exists (422
 * invalid_rule naming it), applies to the subject (reports_on_time: organisations only;
 * attendance_min: members only) and that its parameter reads (422 invalid_param naming the rule
 * and what is expected): satisfaction_min "P/N" (P 1–100 per cent, N 0–100000 ballots),
 * attendance_min X (1–1000 ‰), the others none (blank). param_out: the parameter normalised. */
int award_rule_check(const char *rule, const char *param, award_subject subject, award_rule *out, char param_out[32], cx_err *e);
/* satisfaction_min's parameter: per cent and ballots; attendance_min's: per mille. */
bool award_satisfaction_param(const char *param, int *pct, int *ballots);
bool award_attendance_param(const char *param, int *permille);

/* An award kind as typed: name (1–30 characters), subject (member|org or 党员|党组织), year
 * (2000–2100), quota: "3" (a number, 1–1000) or "10%" (a share of the eligible, 1–100 per cent). */
typedef struct award_in {
    const char *name, *subject, *year, *quota;
} award_in;
typedef struct award_ok {
    char name[4 * AWARD_NAME_MAX + 1];
    award_subject subject;
    int year, quota;
    bool share; /* quota is a per cent of the eligible */
} award_ok;
/* invalid_name, invalid_subject, invalid_year, invalid_quota (each 422 naming the field). */
int award_check(const award_in *in, award_ok *out, cx_err *e);
/* The number a quota allows: a number as is; a share: floor(eligible × pct / 100), at least 1 when
 * anyone is eligible, 0 when none. */
int award_quota_n(bool share, int quota, int64_t eligible);
/* The quota rule in words ("名额 3 名" / "名额为符合条件者的 10%（向下取整，至少 1 名）"). */
void award_quota_text(bool share, int quota, char *out, size_t cap);

/* The office's recorded vote on one nomination as typed: votes for, against, abstaining, entitled
 * (all whole numbers; for + against + abstain ≤ entitled, entitled 1–10000), the meeting's date
 * (YYYY-MM-DD, not after today), a note (≤ 500 characters). */
typedef struct vote_in {
    const char *yes, *no, *abstain, *entitled, *date, *note;
} vote_in;
typedef struct vote_ok {
    int yes, no, abstain, entitled;
    char date[11], note[4 * AWARD_NOTE_MAX + 1];
} vote_ok;
int award_vote_check(const vote_in *in, const char *today, vote_ok *out, cx_err *e);
/* Passed when the votes for are more than half of those entitled: 2 × yes > entitled. */
bool award_vote_passed(int yes, int entitled);
#define AWARD_VOTE_RULE "赞成票超过应到会有表决权人数的半数为通过"
#endif
