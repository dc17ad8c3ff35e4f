/* review.h: the rules of the three reviews (三评) and of grading, as plain functions over plain
 * data: review levels, public answers and questions, the composite score, grade thresholds, the
 * 优秀 cap of 民主评议 (ties, small branches), exclusions, vetoes, 五带头 / 五个好, and the
 * reproducible random draw used by phone sampling. No storage here: the store loads the inputs,
 * calls these, and `cxzy recount` calls the same functions on raw records.
 *
 * Scores are fixed point ×100 (9050 = 90.50) so that stored figures recount exactly. */
#ifndef CX_REVIEW_H
#define CX_REVIEW_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../lib/util.h"

/* Review levels (self, peer, commentary): stored as the digits '1'..'4'. */
enum { LV_GOOD = 1, LV_FAIR = 2, LV_AVERAGE = 3, LV_POOR = 4 };
const char *level_label(int lv); /* 好 较好 一般 差; "" when out of range */

/* Public answers: stored as the digits '1'..'3'. */
enum { ANS_SATISFIED = 1, ANS_BASIC = 2, ANS_UNSATISFIED = 3 };
const char *answer_label(int a); /* 满意 基本满意 不满意 */

/* Question sets: "party3" (seed 002: 党性观念强不强 …) and "window6" (seed 004: 政策落实 …).
 * Returns the number of questions (0 for an unknown set); *texts gets the question texts. */
int questions_of(const char *set, const char *const **texts);
/* The default set for a target kind: windows "window6", everything else the round's set. */

/* Checks a string of n level digits ('1'..'4'); CX_ERR with e naming field otherwise. */
int levels_check(const char *s, int n, const char *field, cx_err *e);
/* Checks a string of n answer digits ('1'..'3'). */
int answers_check(const char *s, int n, const char *field, cx_err *e);
/* True when any answer is 不满意. */
bool answers_unsatisfied(const char *s);

/* Grades. Members: 优秀 合格 基本合格 不合格; organisations: 好 较好 一般 差. GR_NONE: not graded
 * (预备党员, excluded). Stored as the codes below. */
enum { GR_NONE = 0, GR_1 = 1, GR_2 = 2, GR_3 = 3, GR_4 = 4 };
const char *grade_code(int g);                    /* "none" "excellent" "qualified" "basic" "unqualified" */
int grade_from_code(const char *code);            /* -1 when unknown */
const char *grade_label(int g, bool is_org);         /* 优秀 … / 好 … ; "不评定等次" for GR_NONE */

/* The campaign's grading rules (table campaign_rule). */
enum { C_SELF, C_PEER, C_LEADER, C_PUBLIC, C_PLEDGE, C_N };
extern const char *const component_names[C_N];  /* "self" "peer" "leader" "public" "pledge" */
typedef struct review_rules {
    int w[C_N];                  /* weights in percent; must sum to 100 */
    int t_excellent, t_qualified, t_basic;  /* thresholds on the 0–100 score */
    int s_ans[3];                /* score of 满意, 基本满意, 不满意 */
    int l_lv[4];                 /* score of 好, 较好, 一般, 差 */
    int cap_num, cap_den;        /* 优秀 ≤ cap_num/cap_den of graded members */
    bool veto_unjustified;       /* a pledge missed without reason → 不合格 */
    int veto_unsatisfied_pct;    /* > this % of 不满意 answers → 不合格; 0 = off */
    int min_ballots;             /* valid ballots needed before the public component counts */
    bool sms_required;           /* 不满意 needs a reason and an SMS-verified phone */
} review_rules;
void review_rules_default(review_rules *r);
/* Weights 0–100 summing to 100; 0 ≤ t_basic ≤ t_qualified ≤ t_excellent ≤ 100; answer and level
 * scores 0–100 and not increasing; cap_den ≥ 1, 0 ≤ cap_num and cap_num/cap_den ≤ 1/3 (an office may
 * lower the 民主评议 ceiling of one third, never raise it); 0 ≤ pct ≤ 100;
 * min_ballots ≥ 1. CX_ERR with e naming the field otherwise. */
int review_rules_check(const review_rules *r, cx_err *e);

/* Score ×100 of one review's levels (the mean of the level scores); -1 for an empty string. */
int64_t levels_score(const review_rules *r, const char *levels);
/* Score ×100 of a public answer string (the mean of its answer scores). */
int64_t answers_score(const review_rules *r, const char *answers);
/* Running sums for a component averaged over several records (peer reviews, ballots …). */
typedef struct mean_acc {
    int64_t sum, n;
} mean_acc;
void mean_add(mean_acc *m, int64_t v);
int64_t mean_get(const mean_acc *m); /* rounded half up; -1 when empty */

/* Composite ×100: the weighted mean of the components present (s[i] ≥ 0), the weights of absent
 * ones spread over the present ones. -1 when no component is present. */
int64_t composite_score(const review_rules *r, const int64_t s[C_N]);
/* The grade of a score ×100 by the thresholds (before cap and vetoes). */
int grade_of_score(const review_rules *r, int64_t score);

/* Why a member is not graded (民主评议 rules): excluded members are also not counted. */
enum { EX_NONE = 0, EX_PROBATIONARY, EX_AWAY, EX_IMPRISONED, EX_BEDRIDDEN, EX_INCAPACITATED, EX_OTHER };
const char *exclusion_code(int ex);    /* "", "probationary", "away", … */
int exclusion_from_code(const char *code); /* -1 when unknown; "probationary" is not accepted here */
const char *exclusion_label(int ex);   /* 预备党员（参加评议，不评定等次） … */

/* One member (or organisation) of a branch to grade. */
typedef struct grade_in {
    int64_t id;
    int exclusion;            /* EX_* */
    int64_t s[C_N];           /* component scores ×100, -1 when absent */
    bool veto;                /* a veto rule applies (computed by the caller from records) */
    int criteria_ok;          /* 1 when every standard item averages 较好 or better, 0 otherwise */
} grade_in;
typedef struct grade_out {
    int64_t id;
    int64_t score;            /* ×100; -1 when no component (graded as 不合格 only by veto) */
    int grade;                /* GR_* after cap and vetoes */
    bool meets;               /* 五带头 / 五个好 */
    char note[160];           /* why, in Chinese: 预备党员不评定等次 / 超过三分之一名额 / 并列 / 否决 … */
} grade_out;
/* Grades a branch's members (org=false) or a set of organisations (org=true, no cap). out[i]
 * belongs to in[i]. Rules applied in order: exclusions and 预备党员 → GR_NONE (not counted);
 * score → grade by thresholds; veto → GR_4; members only: 优秀 capped at
 * floor(graded × cap_num / cap_den) by score, and when members tie at the boundary none of the
 * tied ones keeps 优秀 (the branch meeting decides), the others become 合格. meets = graded
 * GR_1 or GR_2 and criteria_ok. Returns the number graded. */
size_t grade_branch(const review_rules *r, bool is_org, const grade_in *in, grade_out *out, size_t n);
/* The cap for a branch with n graded members: floor(n × cap_num / cap_den), never above floor(n / 3). */
int64_t excellent_cap(const review_rules *r, int64_t graded);

/* 民主评议 branch meeting: valid when present > entitled/2, a motion passes when in_favour >
 * entitled/2. CX_ERR with e when the numbers are inconsistent or the motion fails. */
int meeting_check(int64_t entitled, int64_t present, int64_t in_favour, cx_err *e);

/* Reproducible random draw: n distinct indexes (0-based) from [0, population), in draw order,
 * from seed (splitmix64 stream, unbiased bounded integers, partial Fisher–Yates). The same seed
 * and population give the same draw on every machine. out must hold n; n ≤ population. */
void draw_sample(uint64_t seed, uint32_t population, uint32_t n, uint32_t *out);

/* ---- What people type, checked before the store sees it ----
 * Each X_check takes the values as typed (X_in) and fills X_ok with them cleaned by the one text
 * rule (domain/text.h: trimmed, valid UTF-8, within a length in characters), dates as YYYY-MM-DD;
 * CX_OK, or CX_ERR with e naming the first field at fault (400). The store takes X_ok only and
 * checks what needs the database (does the campaign exist, is the round open, the period inside
 * the campaign's). */
#define RV_BYTES(chars) ((chars) * 4 + 1) /* a buffer for so many characters of UTF-8 */

/* A campaign: theme 1–60 characters on one line; start and end real dates, end after start
 * (invalid_period). */
typedef struct campaign_in {
    const char *theme, *start_date, *end_date;
} campaign_in;
typedef struct campaign_ok {
    char theme[RV_BYTES(60)], start_date[11], end_date[11];
} campaign_ok;
int campaign_check(const campaign_in *in, campaign_ok *out, cx_err *e);

/* A phase of a campaign: name 1–60 characters; start ≤ end (the store checks that the period lies
 * inside the campaign's). */
typedef struct phase_in {
    const char *name, *start_date, *end_date;
} phase_in;
typedef struct phase_ok {
    char name[RV_BYTES(60)], start_date[11], end_date[11];
} phase_ok;
int phase_check(const phase_in *in, phase_ok *out, cx_err *e);

/* A review round: questions party3 (the default when empty) or window6, name 1–40 characters,
 * start ≤ end (inside the campaign's period: the store's check). */
typedef struct round_in {
    const char *name, *start_date, *end_date, *questions;
} round_in;
typedef struct round_ok {
    char name[RV_BYTES(40)], start_date[11], end_date[11], questions[8];
} round_ok;
int round_check(const round_in *in, round_ok *out, cx_err *e);

/* A standard set added as data (e.g. 四强): code [a-z0-9_] 2–32 (invalid_code), target org or member
 * (invalid_target), 1–STD_MAX_ITEMS items (invalid_items), name 1–30 characters, each item a
 * title (1–40, field items[i].title) and a body (0–500, items[i].body). */
#define STD_MAX_ITEMS 12
typedef struct standard_in {
    const char *code, *name, *target;
    const char *const *titles, *const *bodies; /* n of each */
    int n;
} standard_in;
typedef struct standard_ok {
    char code[33], name[RV_BYTES(30)], target[8];
    int n;
    struct {
        char title[RV_BYTES(40)], body[RV_BYTES(500)];
    } items[STD_MAX_ITEMS];
} standard_ok;
int standard_check(const standard_in *in, standard_ok *out, cx_err *e);

/* A carrier (载体) an organisation names: name 1–40 characters, description 0–500. */
typedef struct carrier_in {
    const char *name, *description;
} carrier_in;
typedef struct carrier_ok {
    char name[RV_BYTES(40)], description[RV_BYTES(500)];
} carrier_ok;
int carrier_check(const carrier_in *in, carrier_ok *out, cx_err *e);

/* A self-review (self: of a member by themselves, or of an organisation): achievements 0–1000
 * characters, shortcomings (找不足) and direction (明方向) 1–1000; a peer review: an optional remark
 * of at most 500 characters in shortcomings, the other two left empty. levels stays as typed: how
 * many digits it needs is the campaign's (the store checks it with levels_check). */
typedef struct review_in {
    const char *levels;                       /* one digit per standard item, 1 好 … 4 差 */
    const char *achievements, *shortcomings, *direction;
} review_in;
typedef struct review_ok {
    const char *levels;
    char achievements[RV_BYTES(1000)], shortcomings[RV_BYTES(1000)], direction[RV_BYTES(1000)];
} review_ok;
int review_check(const review_in *in, bool self, review_ok *out, cx_err *e);

/* 领导点评: level "1".."4" (invalid_level), then achievements (肯定成绩), problems (指出问题) and
 * direction (明确努力方向), each 1–1000 characters. */
typedef struct commentary_in {
    const char *level;                        /* "1".."4" */
    const char *achievements, *problems, *direction;
} commentary_in;
typedef struct commentary_ok {
    int level;                                /* LV_* */
    char achievements[RV_BYTES(1000)], problems[RV_BYTES(1000)], direction[RV_BYTES(1000)];
} commentary_ok;
int commentary_check(const commentary_in *in, commentary_ok *out, cx_err *e);

/* 民主评议 branch meeting's decision as typed: grade GR_1..GR_4 (invalid_grade), reason 1–500
 * characters, date YYYY-MM-DD not after today (NULL: date_today(); an empty date is today). The
 * numbers go through as typed: meeting_check judges them against the roster, in the store. */
typedef struct meeting_in {
    int grade;
    int64_t entitled, present, in_favour;    /* entitled 0: not typed */
    const char *reason, *date;                /* date: YYYY-MM-DD, NULL or "" for today */
} meeting_in;
typedef struct meeting_ok {
    int grade;
    int64_t entitled, present, in_favour;
    char reason[RV_BYTES(500)], date[11];
    bool dated;                               /* the date was typed (not today by default) */
} meeting_ok;
int decision_check(const meeting_in *in, const char *today, meeting_ok *out, cx_err *e);

/* The higher committee's answer: a reason (不批准的理由, at most 100 characters) required when it
 * does not approve. */
typedef struct approval_ok {
    bool approve;
    char reason[RV_BYTES(100)];
} approval_ok;
int approval_check(bool approve, const char *reason, approval_ok *out, cx_err *e);

/* Leaving a member out of a round's grading: reason an exclusion code other than probationary
 * (invalid_reason), or "", "none" or NULL to take it back (EX_NONE); note at most 200 characters,
 * required for other. */
typedef struct exclusion_ok {
    int reason;                               /* EX_*; EX_NONE: take the exclusion back */
    char note[RV_BYTES(200)];
} exclusion_ok;
int exclusion_check(const char *reason, const char *note, exclusion_ok *out, cx_err *e);
#endif
