/* test_pledge.c: unit tests of the pledge lifecycle table, names, areas, grades and input checks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "domain/date.h"
#include "domain/pledge.h"

#define MAXERR 16

/* ---- the lifecycle, written out as the spec: every state × action × relation ---- */

/* Outcome for one relation: allowed, refused with 403 not_allowed, refused with 409 invalid_transition. */
enum { OK = 1, NO = 2, BAD = 3 };
/* The relations in the order of the outcome columns. */
static const int relations[4] = {PR_NONE, PR_OWNER, PR_REVIEWER, PR_OWNER | PR_REVIEWER};

static const struct spec {
    pledge_status from;
    pledge_action action;
    int out[4]; /* NONE, OWNER, REVIEWER, OWNER|REVIEWER */
    pledge_status next; /* when allowed */
} lifecycle_spec[] = {
    /*                                NONE OWNER REVIEWER BOTH */
    {PS_DRAFT, PA_EDIT,              {NO,  OK,   NO,      OK}, PS_DRAFT},
    {PS_DRAFT, PA_SUBMIT,            {NO,  OK,   NO,      OK}, PS_SUBMITTED},
    {PS_DRAFT, PA_APPROVE,           {BAD, BAD,  BAD,     BAD}, 0},
    {PS_DRAFT, PA_RETURN,            {BAD, BAD,  BAD,     BAD}, 0},
    {PS_DRAFT, PA_PROGRESS,          {BAD, BAD,  BAD,     BAD}, 0},
    {PS_DRAFT, PA_COMPLETE,          {BAD, BAD,  BAD,     BAD}, 0},
    {PS_DRAFT, PA_MISS,              {BAD, BAD,  BAD,     BAD}, 0},
    {PS_DRAFT, PA_RATE,              {BAD, BAD,  BAD,     BAD}, 0},
    {PS_DRAFT, PA_RENEW,             {BAD, BAD,  BAD,     BAD}, 0},

    {PS_SUBMITTED, PA_EDIT,          {BAD, BAD,  BAD,     BAD}, 0},
    {PS_SUBMITTED, PA_SUBMIT,        {BAD, BAD,  BAD,     BAD}, 0},
    {PS_SUBMITTED, PA_APPROVE,       {NO,  NO,   OK,      NO}, PS_IN_PROGRESS},
    {PS_SUBMITTED, PA_RETURN,        {NO,  NO,   OK,      NO}, PS_RETURNED},
    {PS_SUBMITTED, PA_PROGRESS,      {BAD, BAD,  BAD,     BAD}, 0},
    {PS_SUBMITTED, PA_COMPLETE,      {BAD, BAD,  BAD,     BAD}, 0},
    {PS_SUBMITTED, PA_MISS,          {BAD, BAD,  BAD,     BAD}, 0},
    {PS_SUBMITTED, PA_RATE,          {BAD, BAD,  BAD,     BAD}, 0},
    {PS_SUBMITTED, PA_RENEW,         {BAD, BAD,  BAD,     BAD}, 0},

    {PS_RETURNED, PA_EDIT,           {NO,  OK,   NO,      OK}, PS_RETURNED},
    {PS_RETURNED, PA_SUBMIT,         {NO,  OK,   NO,      OK}, PS_SUBMITTED},
    {PS_RETURNED, PA_APPROVE,        {BAD, BAD,  BAD,     BAD}, 0},
    {PS_RETURNED, PA_RETURN,         {BAD, BAD,  BAD,     BAD}, 0},
    {PS_RETURNED, PA_PROGRESS,       {BAD, BAD,  BAD,     BAD}, 0},
    {PS_RETURNED, PA_COMPLETE,       {BAD, BAD,  BAD,     BAD}, 0},
    {PS_RETURNED, PA_MISS,           {BAD, BAD,  BAD,     BAD}, 0},
    {PS_RETURNED, PA_RATE,           {BAD, BAD,  BAD,     BAD}, 0},
    {PS_RETURNED, PA_RENEW,          {BAD, BAD,  BAD,     BAD}, 0},

    {PS_IN_PROGRESS, PA_EDIT,        {BAD, BAD,  BAD,     BAD}, 0},
    {PS_IN_PROGRESS, PA_SUBMIT,      {BAD, BAD,  BAD,     BAD}, 0},
    {PS_IN_PROGRESS, PA_APPROVE,     {BAD, BAD,  BAD,     BAD}, 0},
    {PS_IN_PROGRESS, PA_RETURN,      {BAD, BAD,  BAD,     BAD}, 0},
    {PS_IN_PROGRESS, PA_PROGRESS,    {NO,  OK,   OK,      OK}, PS_IN_PROGRESS},
    {PS_IN_PROGRESS, PA_COMPLETE,    {NO,  OK,   NO,      OK}, PS_COMPLETED},
    {PS_IN_PROGRESS, PA_MISS,        {NO,  NO,   OK,      NO}, PS_MISSED},
    {PS_IN_PROGRESS, PA_RATE,        {BAD, BAD,  BAD,     BAD}, 0},
    {PS_IN_PROGRESS, PA_RENEW,       {BAD, BAD,  BAD,     BAD}, 0},

    {PS_COMPLETED, PA_EDIT,          {BAD, BAD,  BAD,     BAD}, 0},
    {PS_COMPLETED, PA_SUBMIT,        {BAD, BAD,  BAD,     BAD}, 0},
    {PS_COMPLETED, PA_APPROVE,       {BAD, BAD,  BAD,     BAD}, 0},
    {PS_COMPLETED, PA_RETURN,        {BAD, BAD,  BAD,     BAD}, 0},
    {PS_COMPLETED, PA_PROGRESS,      {BAD, BAD,  BAD,     BAD}, 0},
    {PS_COMPLETED, PA_COMPLETE,      {BAD, BAD,  BAD,     BAD}, 0},
    {PS_COMPLETED, PA_MISS,          {BAD, BAD,  BAD,     BAD}, 0},
    {PS_COMPLETED, PA_RATE,          {NO,  NO,   OK,      NO}, PS_RATED},
    {PS_COMPLETED, PA_RENEW,         {BAD, BAD,  BAD,     BAD}, 0},

    {PS_MISSED, PA_EDIT,             {BAD, BAD,  BAD,     BAD}, 0},
    {PS_MISSED, PA_SUBMIT,           {BAD, BAD,  BAD,     BAD}, 0},
    {PS_MISSED, PA_APPROVE,          {BAD, BAD,  BAD,     BAD}, 0},
    {PS_MISSED, PA_RETURN,           {BAD, BAD,  BAD,     BAD}, 0},
    {PS_MISSED, PA_PROGRESS,         {BAD, BAD,  BAD,     BAD}, 0},
    {PS_MISSED, PA_COMPLETE,         {BAD, BAD,  BAD,     BAD}, 0},
    {PS_MISSED, PA_MISS,             {BAD, BAD,  BAD,     BAD}, 0},
    {PS_MISSED, PA_RATE,             {NO,  NO,   OK,      NO}, PS_RATED},
    {PS_MISSED, PA_RENEW,            {BAD, BAD,  BAD,     BAD}, 0},

    {PS_RATED, PA_EDIT,              {BAD, BAD,  BAD,     BAD}, 0},
    {PS_RATED, PA_SUBMIT,            {BAD, BAD,  BAD,     BAD}, 0},
    {PS_RATED, PA_APPROVE,           {BAD, BAD,  BAD,     BAD}, 0},
    {PS_RATED, PA_RETURN,            {BAD, BAD,  BAD,     BAD}, 0},
    {PS_RATED, PA_PROGRESS,          {BAD, BAD,  BAD,     BAD}, 0},
    {PS_RATED, PA_COMPLETE,          {BAD, BAD,  BAD,     BAD}, 0},
    {PS_RATED, PA_MISS,              {BAD, BAD,  BAD,     BAD}, 0},
    {PS_RATED, PA_RATE,              {BAD, BAD,  BAD,     BAD}, 0},
    {PS_RATED, PA_RENEW,             {NO,  OK,   NO,      OK}, PS_RENEWED},

    {PS_RENEWED, PA_EDIT,            {BAD, BAD,  BAD,     BAD}, 0},
    {PS_RENEWED, PA_SUBMIT,          {BAD, BAD,  BAD,     BAD}, 0},
    {PS_RENEWED, PA_APPROVE,         {BAD, BAD,  BAD,     BAD}, 0},
    {PS_RENEWED, PA_RETURN,          {BAD, BAD,  BAD,     BAD}, 0},
    {PS_RENEWED, PA_PROGRESS,        {BAD, BAD,  BAD,     BAD}, 0},
    {PS_RENEWED, PA_COMPLETE,        {BAD, BAD,  BAD,     BAD}, 0},
    {PS_RENEWED, PA_MISS,            {BAD, BAD,  BAD,     BAD}, 0},
    {PS_RENEWED, PA_RATE,            {BAD, BAD,  BAD,     BAD}, 0},
    {PS_RENEWED, PA_RENEW,           {BAD, BAD,  BAD,     BAD}, 0},
};

/* The names and labels as the UI and the database spell them. */
static const char *const status_names[PS_COUNT] = {"draft", "submitted", "returned", "in_progress",
                                                   "completed", "missed", "rated", "renewed"};
static const char *const status_labels[PS_COUNT] = {"草稿", "待审核", "已退回", "践诺中",
                                                    "已完成", "未兑现", "已评诺", "已再承诺"};
static const char *const action_names[PA_COUNT] = {"edit", "submit", "approve", "return", "progress",
                                                   "complete", "miss", "rate", "renew"};
static const char *const action_labels[PA_COUNT] = {"修改", "提交", "审核通过", "退回", "记录进展",
                                                    "标记完成", "标记未兑现", "评诺", "再承诺"};

static void test_lifecycle_table(void **state)
{
    (void)state;
    int seen[PS_COUNT][PA_COUNT];
    memset(seen, 0, sizeof seen);
    size_t rows = sizeof lifecycle_spec / sizeof lifecycle_spec[0];
    assert_int_equal(rows, PS_COUNT * PA_COUNT);
    int allowed = 0, forbidden = 0, invalid = 0;
    for (size_t i = 0; i < rows; i++) {
        const struct spec *r = &lifecycle_spec[i];
        seen[r->from][r->action]++;
        for (int k = 0; k < 4; k++) {
            pledge_status next = PS_COUNT; /* a sentinel: must stay unless allowed */
            cx_err e;
            memset(&e, 0, sizeof e);
            int rc = pledge_decide(r->from, r->action, relations[k], &next, &e);
            const char *what = "";
            char ctx[160];
            snprintf(ctx, sizeof ctx, "%s × %s × relation %d", status_names[r->from], action_names[r->action],
                     relations[k]);
            switch (r->out[k]) {
            case OK:
                if (rc != CX_OK) fail_msg("%s: refused (%d %s: %s), want allowed", ctx, e.status, e.code, e.msg);
                if (next != r->next) fail_msg("%s: next %d, want %d", ctx, (int)next, (int)r->next);
                allowed++;
                break;
            case NO:
                what = "not_allowed";
                if (rc != CX_ERR) fail_msg("%s: allowed, want 403", ctx);
                if (e.status != 403 || strcmp(e.code, what)) fail_msg("%s: %d %s, want 403 %s", ctx, e.status, e.code, what);
                if (next != PS_COUNT) fail_msg("%s: next written on refusal", ctx);
                if (!e.msg[0]) fail_msg("%s: no message", ctx);
                forbidden++;
                break;
            case BAD:
                what = "invalid_transition";
                if (rc != CX_ERR) fail_msg("%s: allowed, want 409", ctx);
                if (e.status != 409 || strcmp(e.code, what)) fail_msg("%s: %d %s, want 409 %s", ctx, e.status, e.code, what);
                if (next != PS_COUNT) fail_msg("%s: next written on refusal", ctx);
                /* the message names the state and the action in Chinese */
                if (!strstr(e.msg, status_labels[r->from]) || !strstr(e.msg, action_labels[r->action]))
                    fail_msg("%s: message \"%s\" does not name %s and %s", ctx, e.msg, status_labels[r->from],
                             action_labels[r->action]);
                invalid++;
                break;
            default: fail_msg("bad spec row %zu", i);
            }
        }
    }
    for (int s = 0; s < PS_COUNT; s++)
        for (int a = 0; a < PA_COUNT; a++)
            if (seen[s][a] != 1) fail_msg("spec lists %s × %s %d times", status_names[s], action_names[a], seen[s][a]);
    assert_int_equal(allowed + forbidden + invalid, PS_COUNT * PA_COUNT * 4);
    assert_int_equal(allowed, 20);
    assert_int_equal(forbidden, 28);
}

/* The messages quoted in pledge.h, and refusals without an error record or a next pointer. */
static void test_decide_messages(void **state)
{
    (void)state;
    cx_err e;
    pledge_status next = PS_COUNT;
    assert_int_equal(pledge_decide(PS_SUBMITTED, PA_EDIT, PR_OWNER, &next, &e), CX_ERR);
    assert_string_equal(e.msg, "承诺当前为“待审核”状态，不能进行“修改”");
    assert_int_equal(pledge_decide(PS_DRAFT, PA_SUBMIT, PR_REVIEWER, &next, &e), CX_ERR);
    assert_string_equal(e.msg, "只有承诺人本人可以提交承诺");
    assert_int_equal(pledge_decide(PS_SUBMITTED, PA_APPROVE, PR_NONE, &next, &e), CX_ERR);
    assert_string_equal(e.msg, "只有上级党组织书记或活动办公室可以审核承诺");
    assert_int_equal(next, PS_COUNT);

    assert_int_equal(pledge_decide(PS_RATED, PA_EDIT, PR_OWNER, &next, NULL), CX_ERR);
    assert_int_equal(pledge_decide(PS_DRAFT, PA_EDIT, PR_NONE, &next, NULL), CX_ERR);
    assert_int_equal(pledge_decide(PS_DRAFT, PA_EDIT, PR_OWNER, NULL, NULL), CX_OK);

    /* out of range: refused as an invalid transition, without reading past the table */
    memset(&e, 0, sizeof e);
    assert_int_equal(pledge_decide(PS_COUNT, PA_EDIT, PR_OWNER, &next, &e), CX_ERR);
    assert_int_equal(e.status, 409);
    assert_string_equal(e.code, "invalid_transition");
    assert_int_equal(pledge_decide(PS_DRAFT, PA_COUNT, PR_OWNER, &next, &e), CX_ERR);
    assert_int_equal(pledge_decide((pledge_status)-1, PA_EDIT, PR_OWNER, &next, &e), CX_ERR);
    assert_int_equal(pledge_decide(PS_DRAFT, (pledge_action)-1, PR_OWNER, &next, &e), CX_ERR);
    assert_int_equal(next, PS_COUNT);

    /* bits other than PR_OWNER, PR_REVIEWER and PR_PROXY carry no right */
    assert_int_equal(pledge_decide(PS_DRAFT, PA_EDIT, 8, &next, &e), CX_ERR);
    assert_int_equal(e.status, 403);
    assert_int_equal(pledge_decide(PS_SUBMITTED, PA_APPROVE, 8 | PR_REVIEWER, &next, &e), CX_OK);
    assert_int_equal(next, PS_IN_PROGRESS);
}

/* A person who is both owner and reviewer keeps the owner's actions but reviews nothing of their own. */
static void test_no_self_review(void **state)
{
    (void)state;
    static const struct {
        pledge_status from;
        pledge_action action;
    } reviews[] = {
        {PS_SUBMITTED, PA_APPROVE}, {PS_SUBMITTED, PA_RETURN}, {PS_IN_PROGRESS, PA_MISS},
        {PS_COMPLETED, PA_RATE},    {PS_MISSED, PA_RATE},
    };
    for (size_t i = 0; i < sizeof reviews / sizeof reviews[0]; i++) {
        pledge_status next = PS_COUNT;
        cx_err self, none;
        assert_int_equal(pledge_decide(reviews[i].from, reviews[i].action, PR_REVIEWER, &next, NULL), CX_OK);
        next = PS_COUNT;
        assert_int_equal(pledge_decide(reviews[i].from, reviews[i].action, PR_OWNER | PR_REVIEWER, &next, &self), CX_ERR);
        assert_int_equal(next, PS_COUNT);
        assert_int_equal(self.status, 403);
        assert_string_equal(self.code, "not_allowed");
        if (!strstr(self.msg, "本人")) fail_msg("\"%s\" does not say the pledge is one's own", self.msg);
        assert_int_equal(pledge_decide(reviews[i].from, reviews[i].action, PR_NONE, &next, &none), CX_ERR);
        assert_string_not_equal(self.msg, none.msg); /* says why, not just "only a reviewer" */
    }
    static const struct {
        pledge_status from;
        pledge_action action;
        pledge_status next;
    } own[] = {
        {PS_DRAFT, PA_EDIT, PS_DRAFT},           {PS_DRAFT, PA_SUBMIT, PS_SUBMITTED},
        {PS_RETURNED, PA_EDIT, PS_RETURNED},     {PS_RETURNED, PA_SUBMIT, PS_SUBMITTED},
        {PS_IN_PROGRESS, PA_PROGRESS, PS_IN_PROGRESS}, {PS_IN_PROGRESS, PA_COMPLETE, PS_COMPLETED},
        {PS_RATED, PA_RENEW, PS_RENEWED},
    };
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++) {
        pledge_status next = PS_COUNT;
        assert_int_equal(pledge_decide(own[i].from, own[i].action, PR_OWNER | PR_REVIEWER, &next, NULL), CX_OK);
        assert_int_equal(next, own[i].next);
    }
}

/* Whole lives of a pledge, step by step, each step by the person the rules name. */
/* 代录: the secretary acting for the member takes the member's actions and still reviews */
static void test_proxy_relation(void **state)
{
    (void)state;
    pledge_status next;
    int rel = PR_REVIEWER | PR_PROXY;
    assert_int_equal(pledge_decide(PS_DRAFT, PA_EDIT, rel, &next, NULL), CX_OK);
    assert_int_equal(pledge_decide(PS_DRAFT, PA_SUBMIT, rel, &next, NULL), CX_OK);
    assert_int_equal(next, PS_SUBMITTED);
    assert_int_equal(pledge_decide(PS_SUBMITTED, PA_APPROVE, rel, &next, NULL), CX_OK);
    assert_int_equal(pledge_decide(PS_IN_PROGRESS, PA_PROGRESS, PR_PROXY, &next, NULL), CX_OK);
    assert_int_equal(pledge_decide(PS_IN_PROGRESS, PA_COMPLETE, rel, &next, NULL), CX_OK);
    assert_int_equal(pledge_decide(PS_SUBMITTED, PA_APPROVE, PR_PROXY, &next, NULL), CX_ERR); /* acting for, not reviewing */
}

static void test_lifecycle_walks(void **state)
{
    (void)state;
    static const struct {
        pledge_action action;
        int relation;
        pledge_status after;
    } kept[] = {
        {PA_EDIT, PR_OWNER, PS_DRAFT},           {PA_SUBMIT, PR_OWNER, PS_SUBMITTED},
        {PA_RETURN, PR_REVIEWER, PS_RETURNED},   {PA_EDIT, PR_OWNER, PS_RETURNED},
        {PA_SUBMIT, PR_OWNER, PS_SUBMITTED},     {PA_APPROVE, PR_REVIEWER, PS_IN_PROGRESS},
        {PA_PROGRESS, PR_OWNER, PS_IN_PROGRESS}, {PA_PROGRESS, PR_REVIEWER, PS_IN_PROGRESS},
        {PA_COMPLETE, PR_OWNER, PS_COMPLETED},   {PA_RATE, PR_REVIEWER, PS_RATED},
        {PA_RENEW, PR_OWNER, PS_RENEWED},
    }, missed[] = {
        {PA_SUBMIT, PR_OWNER, PS_SUBMITTED}, {PA_APPROVE, PR_REVIEWER, PS_IN_PROGRESS},
        {PA_MISS, PR_REVIEWER, PS_MISSED},   {PA_RATE, PR_REVIEWER, PS_RATED},
        {PA_RENEW, PR_OWNER | PR_REVIEWER, PS_RENEWED},
    };
    pledge_status s = PS_DRAFT;
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
        assert_int_equal(pledge_decide(s, kept[i].action, kept[i].relation, &s, NULL), CX_OK);
        assert_int_equal(s, kept[i].after);
    }
    s = PS_DRAFT;
    for (size_t i = 0; i < sizeof missed / sizeof missed[0]; i++) {
        assert_int_equal(pledge_decide(s, missed[i].action, missed[i].relation, &s, NULL), CX_OK);
        assert_int_equal(s, missed[i].after);
    }
    /* renewed is final */
    for (int a = 0; a < PA_COUNT; a++)
        for (int k = 0; k < 4; k++) assert_int_equal(pledge_decide(PS_RENEWED, a, relations[k], &s, NULL), CX_ERR);
}

static void test_names_and_labels(void **state)
{
    (void)state;
    for (int s = 0; s < PS_COUNT; s++) {
        assert_string_equal(pledge_status_name(s), status_names[s]);
        assert_string_equal(pledge_status_label(s), status_labels[s]);
        assert_int_equal(pledge_status_from_name(status_names[s]), s);
    }
    for (int a = 0; a < PA_COUNT; a++) {
        assert_string_equal(pledge_action_name(a), action_names[a]);
        assert_int_equal(pledge_action_from_name(action_names[a]), a);
    }
    const char *unknown[] = {"", "Draft", " draft", "draft ", "in-progress", "审核通过", "approve\n", "草稿"};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        assert_int_equal(pledge_status_from_name(unknown[i]), -1);
        assert_int_equal(pledge_action_from_name(unknown[i]), -1);
    }
    assert_int_equal(pledge_status_from_name(NULL), -1);
    assert_int_equal(pledge_action_from_name(NULL), -1);
    assert_int_equal(pledge_status_from_name("approve"), -1); /* an action is not a state */
    assert_int_equal(pledge_action_from_name("draft"), -1);
    assert_string_equal(pledge_status_name(PS_COUNT), "");
    assert_string_equal(pledge_status_label((pledge_status)-1), "");
    assert_string_equal(pledge_action_name(PA_COUNT), "");
}

static void test_public_states(void **state)
{
    (void)state;
    static const bool want[PS_COUNT] = {false, false, false, true, true, true, true, true};
    for (int s = 0; s < PS_COUNT; s++)
        if (pledge_status_public(s) != want[s]) fail_msg("%s public: want %d", status_names[s], want[s]);
    assert_false(pledge_status_public(PS_COUNT));
}

static void test_areas(void **state)
{
    (void)state;
    static const char *const org[] = {"贯彻落实科学发展观", "关心服务党员群众", "提高工作效能", "推动经济社会发展"};
    static const char *const mem[] = {"理论学习", "理想信念", "履行职责", "服务群众",
                                      "工作作风", "组织纪律", "廉洁自律", "道德修养"};
    for (int i = 0; i < 4; i++) {
        assert_non_null(pledge_org_areas[i]);
        assert_string_equal(pledge_org_areas[i], org[i]);
        assert_true(pledge_area_valid(true, org[i]));
        assert_false(pledge_area_valid(false, org[i]));
    }
    assert_null(pledge_org_areas[4]);
    for (int i = 0; i < 8; i++) {
        assert_non_null(pledge_member_areas[i]);
        assert_string_equal(pledge_member_areas[i], mem[i]);
        assert_true(pledge_area_valid(false, mem[i]));
        assert_false(pledge_area_valid(true, mem[i]));
    }
    assert_null(pledge_member_areas[8]);
    const char *bad[] = {"", "理论", "理论学习 ", " 理论学习", "理论学习习", "科学发展观", "theory"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(pledge_area_valid(false, bad[i]));
        assert_false(pledge_area_valid(true, bad[i]));
    }
    assert_false(pledge_area_valid(true, NULL));
    assert_false(pledge_area_valid(false, NULL));
}

static void test_grades(void **state)
{
    (void)state;
    static const char *const names[] = {"good", "fairly_good", "average", "poor"};
    static const char *const labels[] = {"好", "较好", "一般", "差"};
    for (int i = 0; i < 4; i++) {
        assert_non_null(pledge_grades[i]);
        assert_string_equal(pledge_grades[i], names[i]);
        assert_string_equal(pledge_grade_label(names[i]), labels[i]);
    }
    assert_null(pledge_grades[4]);
    assert_null(pledge_grade_label("excellent"));
    assert_null(pledge_grade_label("好"));
    assert_null(pledge_grade_label("Good"));
    assert_null(pledge_grade_label(""));
    assert_null(pledge_grade_label(NULL));
}

/* ---- input checks ---- */

/* "YYYY-MM-DD" for today plus days, in local time. */
static void shifted_day(int days, char out[11])
{
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    tm.tm_mday += days;
    tm.tm_hour = 12;
    mktime(&tm);
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    assert_int_equal(strlen(tmp), 10);
    memcpy(out, tmp, 11);
}

/* n copies of a UTF-8 character (or ASCII text) into a buffer of cap bytes. */
static char *repeat(char *buf, size_t cap, const char *unit, size_t n)
{
    size_t k = strlen(unit);
    assert_true(n * k < cap);
    for (size_t i = 0; i < n; i++) memcpy(buf + i * k, unit, k);
    buf[n * k] = 0;
    return buf;
}

static char due_next_year[11];

static int setup_dates(void **state)
{
    (void)state;
    shifted_day(365, due_next_year);
    return 0;
}

static pledge_in member_pledge(void)
{
    pledge_in in = {
        .area = "服务群众",
        .title = "每月走访困难群众",
        .content = "结对帮扶两户困难家庭，每月至少走访一次。",
        .measures = "建立走访台账；逐户了解需求。",
        .responsible = "张三",
        .due_date = due_next_year,
    };
    return in;
}

static void expect_valid(const pledge_in *in, bool org, bool allow_past, const char *want_due)
{
    cx_err e[MAXERR];
    char due[11];
    memset(e, 0, sizeof e);
    memset(due, 'z', sizeof due);
    int n = pledge_validate(in, org, allow_past, due, e, MAXERR);
    if (n) fail_msg("%d error(s), first %s: %s", n, e[0].field, e[0].msg);
    assert_string_equal(due, want_due);
}

/* Exactly one error, on field, with code (unless NULL) and a message naming label and containing want. */
static void expect_error(const pledge_in *in, bool org, bool allow_past, const char *field, const char *code,
                         const char *label, const char *want)
{
    cx_err e[MAXERR];
    char due[11] = "zzzzzzzzzz";
    memset(e, 0, sizeof e);
    int n = pledge_validate(in, org, allow_past, due, e, MAXERR);
    if (n != 1) fail_msg("want 1 error on %s, got %d (first %s: %s)", field, n, e[0].field, e[0].msg);
    assert_string_equal(e[0].field, field);
    if (code) assert_string_equal(e[0].code, code);
    assert_true(e[0].status == 400);
    if (!strstr(e[0].msg, label)) fail_msg("message \"%s\" does not name %s", e[0].msg, label);
    if (want && !strstr(e[0].msg, want)) fail_msg("message \"%s\" lacks \"%s\"", e[0].msg, want);
    if (!strcmp(field, "due_date")) assert_string_equal(due, "");
}

static void test_validate_valid(void **state)
{
    (void)state;
    pledge_in in = member_pledge();
    expect_valid(&in, false, false, due_next_year);

    in.area = "推动经济社会发展";
    expect_valid(&in, true, false, due_next_year);

    /* white space around texts is not counted; typed date forms are normalised */
    char today[11];
    date_today(today);
    in = member_pledge();
    in.title = "\xe3\x80\x80 学习党章 \r\n";
    in.responsible = " 李四 ";
    in.due_date = "2099年1月5日";
    expect_valid(&in, false, false, "2099-01-05");
    in.due_date = " 2099/1/5 ";
    expect_valid(&in, false, false, "2099-01-05");
    in.due_date = today; /* due today is not in the past */
    expect_valid(&in, false, false, today);

    /* multi-line content and measures are fine */
    in = member_pledge();
    in.content = "第一，学习。\n第二，实践。";
    in.measures = "1. 读书\r\n2. 走访\t记录";
    expect_valid(&in, false, false, due_next_year);

    /* no due_out and no error array: only the count */
    assert_int_equal(pledge_validate(&in, false, false, NULL, NULL, 0), 0);
}

static void test_validate_required(void **state)
{
    (void)state;
    static const char *const fields[] = {"area", "title", "content", "measures", "responsible", "due_date"};
    static const char *const labels[] = {"承诺领域", "承诺事项", "承诺内容", "具体措施", "责任人", "完成时限"};
    pledge_in none;
    memset(&none, 0, sizeof none);
    cx_err e[MAXERR];
    memset(e, 0, sizeof e);
    char due[11] = "zzzzzzzzzz";
    assert_int_equal(pledge_validate(&none, false, false, due, e, MAXERR), 6);
    assert_string_equal(due, "");
    for (int i = 0; i < 6; i++) {
        assert_string_equal(e[i].field, fields[i]);
        assert_string_equal(e[i].code, "required");
        assert_int_equal(e[i].status, 400);
        if (!strstr(e[i].msg, labels[i]) || !strstr(e[i].msg, "不能为空"))
            fail_msg("\"%s\" does not say %s不能为空", e[i].msg, labels[i]);
    }
    assert_int_equal(pledge_validate(NULL, true, false, due, e, MAXERR), 6);

    /* blank in every way a form or roster cell can be blank */
    const char *blanks[] = {"", "  ", "\t\r\n", "\xe3\x80\x80", " \xe3\x80\x80\xe3\x80\x80 "};
    for (size_t b = 0; b < sizeof blanks / sizeof blanks[0]; b++) {
        for (int i = 0; i < 6; i++) {
            pledge_in in = member_pledge();
            const char **slot[] = {&in.area, &in.title, &in.content, &in.measures, &in.responsible, &in.due_date};
            *slot[i] = blanks[b];
            expect_error(&in, false, false, fields[i], "required", labels[i], "不能为空");
        }
    }
}

static void test_validate_area(void **state)
{
    (void)state;
    pledge_in in = member_pledge();
    in.area = "推动经济社会发展"; /* an organisation's area on a member pledge */
    expect_error(&in, false, false, "area", "invalid_area", "承诺领域", "理论学习");
    in.area = "理论学习"; /* a member's area on an organisation pledge */
    expect_error(&in, true, false, "area", "invalid_area", "承诺领域", "贯彻落实科学发展观");
    in.area = "其他";
    expect_error(&in, false, false, "area", "invalid_area", "承诺领域", "道德修养");
    in.area = " 理论学习"; /* an enumerated value: matched exactly */
    expect_error(&in, false, false, "area", "invalid_area", "承诺领域", NULL);
    for (int i = 0; pledge_member_areas[i]; i++) {
        in.area = pledge_member_areas[i];
        expect_valid(&in, false, false, due_next_year);
    }
    for (int i = 0; pledge_org_areas[i]; i++) {
        in.area = pledge_org_areas[i];
        expect_valid(&in, true, false, due_next_year);
    }
}

/* Limits are in characters, not bytes: exactly at the limit passes, one more fails. */
static void test_validate_lengths(void **state)
{
    (void)state;
    static const struct {
        const char *field, *label;
        size_t max;
    } lim[] = {{"title", "承诺事项", 60}, {"content", "承诺内容", 1000}, {"measures", "具体措施", 1000},
               {"responsible", "责任人", 20}};
    static char buf[8192];
    for (size_t i = 0; i < sizeof lim / sizeof lim[0]; i++) {
        const char *units[] = {"承", "a"};
        for (int u = 0; u < 2; u++) {
            pledge_in in = member_pledge();
            const char **slot = i == 0 ? &in.title : i == 1 ? &in.content : i == 2 ? &in.measures : &in.responsible;
            *slot = repeat(buf, sizeof buf, units[u], lim[i].max);
            expect_valid(&in, false, false, due_next_year);
            *slot = repeat(buf, sizeof buf, units[u], lim[i].max + 1);
            char want[64];
            snprintf(want, sizeof want, "不能超过 %zu 个字", lim[i].max);
            expect_error(&in, false, false, lim[i].field, "too_long", lim[i].label, want);
        }
    }
    /* a very long value is measured, not truncated into acceptance */
    static char big[100001];
    pledge_in in = member_pledge();
    in.content = repeat(big, sizeof big, "x", 100000);
    expect_error(&in, false, false, "content", "too_long", "承诺内容", NULL);
}

static void test_validate_text_content(void **state)
{
    (void)state;
    static const struct {
        const char *field, *label;
    } f[] = {{"title", "承诺事项"}, {"content", "承诺内容"}, {"measures", "具体措施"}, {"responsible", "责任人"}};
    const char *bad[] = {"ab\xff", "\xe6\x89", "a\x01" "b", "a\x7f"};
    for (size_t i = 0; i < 4; i++)
        for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
            pledge_in in = member_pledge();
            const char **slot = i == 0 ? &in.title : i == 1 ? &in.content : i == 2 ? &in.measures : &in.responsible;
            *slot = bad[b];
            expect_error(&in, false, false, f[i].field, "invalid_text", f[i].label, "无效字符");
        }
    /* the title and the person responsible are one line */
    pledge_in in = member_pledge();
    in.title = "学习\n党章";
    expect_error(&in, false, false, "title", "invalid_text", "承诺事项", "换行");
    in = member_pledge();
    in.responsible = "张三\r李四";
    expect_error(&in, false, false, "responsible", "invalid_text", "责任人", "换行");
}

static void test_validate_due_date(void **state)
{
    (void)state;
    char yesterday[11];
    shifted_day(-1, yesterday);
    pledge_in in = member_pledge();
    in.due_date = yesterday;
    expect_error(&in, false, false, "due_date", "date_in_past", "完成时限", yesterday);
    expect_valid(&in, false, true, yesterday); /* allowed when entering past pledges */
    in.due_date = "2001-07-01";
    expect_error(&in, false, false, "due_date", "date_in_past", "完成时限", "早于今天");
    expect_valid(&in, false, true, "2001-07-01");

    const char *bad[] = {"明年", "2099-02-30", "2099-13-01", "2023-02-29", "20990230", "3000-01-01"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        in.due_date = bad[i];
        expect_error(&in, false, false, "due_date", "invalid_date", "完成时限", "不是有效日期");
        expect_error(&in, false, true, "due_date", "invalid_date", "完成时限", "不是有效日期");
    }
    in.due_date = "2099-06"; /* a month alone is not a deadline */
    expect_error(&in, false, false, "due_date", "invalid_date", "完成时限", "应精确到日");
}

/* Errors in several fields are all counted; only as many as fit are written. */
static void test_validate_collects(void **state)
{
    (void)state;
    static char longtitle[400];
    pledge_in in = member_pledge();
    in.area = "其他";
    in.title = repeat(longtitle, sizeof longtitle, "题", 61);
    in.responsible = "";
    in.due_date = "2000-01-01";
    cx_err e[MAXERR];
    memset(e, 0, sizeof e);
    assert_int_equal(pledge_validate(&in, false, false, NULL, e, MAXERR), 4);
    assert_string_equal(e[0].field, "area");
    assert_string_equal(e[1].field, "title");
    assert_string_equal(e[2].field, "responsible");
    assert_string_equal(e[3].field, "due_date");
    assert_string_equal(e[4].field, "");

    cx_err two[3];
    memset(two, 0, sizeof two);
    assert_int_equal(pledge_validate(&in, false, false, NULL, two, 2), 4);
    assert_string_equal(two[1].field, "title");
    assert_string_equal(two[2].field, ""); /* nothing written past maxerr */
    assert_int_equal(pledge_validate(&in, false, false, NULL, NULL, 0), 4);
    /* the date error comes from the date parser; with a full array it is still counted */
    in.due_date = "bad";
    assert_int_equal(pledge_validate(&in, false, false, NULL, two, 2), 4);
    assert_string_equal(two[2].field, "");
}

/* ---- progress entries ---- */

static void expect_progress(const char *date, const char *text, const char *percent, const char *want_date, int want_pct)
{
    cx_err e[MAXERR];
    memset(e, 0, sizeof e);
    char d[11] = "zzzzzzzzzz";
    int pct = -7;
    int n = pledge_progress_validate(date, text, percent, d, &pct, e, MAXERR);
    if (n) fail_msg("%s/%s: %d error(s), first %s: %s", date, percent, n, e[0].field, e[0].msg);
    assert_string_equal(d, want_date);
    assert_int_equal(pct, want_pct);
}

static void expect_progress_error(const char *date, const char *text, const char *percent, const char *field,
                                  const char *code, const char *label, const char *want)
{
    cx_err e[MAXERR];
    memset(e, 0, sizeof e);
    char d[11] = "zzzzzzzzzz";
    int pct = -7;
    int n = pledge_progress_validate(date, text, percent, d, &pct, e, MAXERR);
    if (n != 1) fail_msg("want 1 error on %s, got %d (first %s: %s)", field, n, e[0].field, e[0].msg);
    assert_string_equal(e[0].field, field);
    if (code) assert_string_equal(e[0].code, code);
    assert_int_equal(e[0].status, 400);
    if (!strstr(e[0].msg, label)) fail_msg("message \"%s\" does not name %s", e[0].msg, label);
    if (want && !strstr(e[0].msg, want)) fail_msg("message \"%s\" lacks \"%s\"", e[0].msg, want);
    if (!strcmp(field, "date")) assert_string_equal(d, "");
    if (!strcmp(field, "percent")) assert_int_equal(pct, -1);
}

static void test_progress_valid(void **state)
{
    (void)state;
    char today[11];
    date_today(today);
    expect_progress(today, "走访两户", "50", today, 50);
    expect_progress("2024/3/1", " 走访两户 ", "0", "2024-03-01", 0);
    expect_progress("2024年3月1日", "走访", "100", "2024-03-01", 100);
    expect_progress("2024-03-01", "走访", "50%", "2024-03-01", 50);
    expect_progress("2024-03-01", "走访", " 75 % ", "2024-03-01", 75);
    expect_progress("2024-03-01", "走访", "75％", "2024-03-01", 75);       /* full-width % */
    expect_progress("2024-03-01", "走访", "\xef\xbc\x96\xef\xbc\x90", "2024-03-01", 60); /* ６０ */
    expect_progress("2024-03-01", "走访", "007", "2024-03-01", 7);
    expect_progress("2024-03-01", "第一次\n第二次", "100%", "2024-03-01", 100);
    assert_int_equal(pledge_progress_validate("2024-03-01", "x", "1", NULL, NULL, NULL, 0), 0);
}

static void test_progress_percent(void **state)
{
    (void)state;
    const char *not_int[] = {"abc", "3.5", "50%%", "%", "5 0", "50%5", "0x10", "--5", "+", "五十", "1e2", "50 percent"};
    for (size_t i = 0; i < sizeof not_int / sizeof not_int[0]; i++)
        expect_progress_error("2024-03-01", "走访", not_int[i], "percent", "invalid_percent", "完成进度", "整数");
    const char *out_of_range[] = {"101", "-1", "1000", "101%", "99999999999999999999", "-100"};
    for (size_t i = 0; i < sizeof out_of_range / sizeof out_of_range[0]; i++)
        expect_progress_error("2024-03-01", "走访", out_of_range[i], "percent", "invalid_percent", "完成进度", "应在0到100之间");
    const char *blank[] = {"", " ", "\xe3\x80\x80", NULL};
    for (size_t i = 0; i < sizeof blank / sizeof blank[0]; i++)
        expect_progress_error("2024-03-01", "走访", blank[i], "percent", "required", "完成进度", "不能为空");
}

static void test_progress_date_and_text(void **state)
{
    (void)state;
    char tomorrow[11];
    shifted_day(1, tomorrow);
    expect_progress_error(tomorrow, "走访", "10", "date", "date_in_future", "进展日期", "晚于今天");
    expect_progress_error("2099-01-01", "走访", "10", "date", "date_in_future", "进展日期", "2099-01-01");
    expect_progress_error("2024-02-30", "走访", "10", "date", "invalid_date", "进展日期", "不是有效日期");
    expect_progress_error("2024-02", "走访", "10", "date", "invalid_date", "进展日期", "应精确到日");
    expect_progress_error("", "走访", "10", "date", "required", "进展日期", "不能为空");
    expect_progress_error(NULL, "走访", "10", "date", "required", "进展日期", "不能为空");

    expect_progress_error("2024-03-01", "", "10", "text", "required", "进展情况", "不能为空");
    expect_progress_error("2024-03-01", NULL, "10", "text", "required", "进展情况", "不能为空");
    expect_progress_error("2024-03-01", "\xe3\x80\x80", "10", "text", "required", "进展情况", "不能为空");
    expect_progress_error("2024-03-01", "a\xc0\xaf", "10", "text", "invalid_text", "进展情况", "无效字符");
    static char buf[4096];
    expect_progress("2024-03-01", repeat(buf, sizeof buf, "进", 1000), "10", "2024-03-01", 10);
    expect_progress_error("2024-03-01", repeat(buf, sizeof buf, "进", 1001), "10", "text", "too_long", "进展情况",
                          "不能超过 1000 个字");

    /* all three wrong at once */
    cx_err e[MAXERR];
    memset(e, 0, sizeof e);
    int pct = 5;
    assert_int_equal(pledge_progress_validate("x", "", "x", NULL, &pct, e, MAXERR), 3);
    assert_string_equal(e[0].field, "date");
    assert_string_equal(e[1].field, "text");
    assert_string_equal(e[2].field, "percent");
    assert_int_equal(pct, -1);
    cx_err one[2];
    memset(one, 0, sizeof one);
    assert_int_equal(pledge_progress_validate("x", "", "x", NULL, NULL, one, 1), 3);
    assert_string_equal(one[0].field, "date");
    assert_string_equal(one[1].field, "");
}

/* ---- overdue ---- */

static void test_overdue(void **state)
{
    (void)state;
    static const bool counts[PS_COUNT] = {false, true, true, true, false, false, false, false};
    for (int s = 0; s < PS_COUNT; s++) {
        if (pledge_overdue(s, "2024-03-09", "2024-03-10") != counts[s])
            fail_msg("%s due yesterday: overdue should be %d", status_names[s], counts[s]);
        assert_false(pledge_overdue(s, "2024-03-10", "2024-03-10")); /* due today: not yet */
        assert_false(pledge_overdue(s, "2024-03-11", "2024-03-10"));
    }
    assert_true(pledge_overdue(PS_IN_PROGRESS, "2023-12-31", "2024-01-01"));
    assert_true(pledge_overdue(PS_IN_PROGRESS, "1999-01-01", "2024-01-01"));
    assert_false(pledge_overdue(PS_IN_PROGRESS, "2024-01-01", "2023-12-31"));

    /* no due date or a malformed one is never overdue */
    const char *bad[] = {"", "2024-3-1", "2024/03/01", "2023-02-29", "garbage", "0000-00-00"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) assert_false(pledge_overdue(PS_IN_PROGRESS, bad[i], "2024-03-10"));
    assert_false(pledge_overdue(PS_IN_PROGRESS, NULL, "2024-03-10"));
    assert_false(pledge_overdue(PS_IN_PROGRESS, "2024-03-09", ""));
    assert_false(pledge_overdue(PS_COUNT, "2024-03-09", "2024-03-10"));

    /* NULL today means the real today */
    char yesterday[11], today[11];
    shifted_day(-1, yesterday);
    date_today(today);
    assert_true(pledge_overdue(PS_IN_PROGRESS, yesterday, NULL));
    assert_false(pledge_overdue(PS_IN_PROGRESS, today, NULL));
    assert_false(pledge_overdue(PS_COMPLETED, yesterday, NULL));
}

/* pledge_act_check: each action's extra input as a careless user types it. */
static void test_act_check(void **st)
{
    (void)st;
    static pledge_act_ok ok;
    char big[8192];
    cx_err e;
    /* actions without input pass with nothing; EDIT and PROGRESS are not actions of pledge_act */
    assert_int_equal(pledge_act_check(PA_SUBMIT, NULL, &ok, &e), CX_OK);
    assert_int_equal(ok.action, PA_SUBMIT);
    assert_string_equal(ok.reason, "");
    for (int a = 0; a < PA_COUNT + 1; a++) {
        if (a != PA_EDIT && a != PA_PROGRESS && a != PA_COUNT) continue;
        memset(&e, 0, sizeof e);
        assert_int_equal(pledge_act_check((pledge_action)a, NULL, &ok, &e), CX_ERR);
        assert_string_equal(e.code, "invalid_action");
        assert_string_equal(e.field, "action");
    }
    /* RETURN: reason required (blanks and U+3000 are nothing), trimmed, ≤ 500 characters, valid UTF-8 */
    const char *blank[] = {NULL, "", "   ", "\u3000\u3000", " \r\n\t "};
    for (size_t i = 0; i < sizeof blank / sizeof blank[0]; i++) {
        memset(&e, 0, sizeof e);
        assert_int_equal(pledge_act_check(PA_RETURN, &(pledge_extra){.reason = blank[i]}, &ok, &e), CX_ERR);
        assert_string_equal(e.code, "required");
        assert_string_equal(e.field, "reason");
    }
    assert_int_equal(pledge_act_check(PA_RETURN, &(pledge_extra){.reason = "\u3000 措施不具体\n第二行 \u3000"}, &ok, &e), CX_OK);
    assert_string_equal(ok.reason, "措施不具体\n第二行");
    assert_int_equal(pledge_act_check(PA_RETURN, &(pledge_extra){.reason = repeat(big, sizeof big, "理", 500)}, &ok, &e), CX_OK);
    assert_int_equal(pledge_act_check(PA_RETURN, &(pledge_extra){.reason = repeat(big, sizeof big, "理", 501)}, &ok, &e), CX_ERR);
    assert_string_equal(e.code, "too_long");
    assert_int_equal(pledge_act_check(PA_RETURN, &(pledge_extra){.reason = "坏\xff\xfe字"}, &ok, &e), CX_ERR);
    assert_string_equal(e.code, "invalid_text");
    assert_string_equal(e.field, "reason");
    /* MISS: the kind first; an objective reason needs its explanation, an unjustified one may go without */
    const char *kinds[] = {NULL, "", "Objective", " objective", "其他"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        assert_int_equal(pledge_act_check(PA_MISS, &(pledge_extra){.miss_kind = kinds[i], .explanation = "汛期道路中断"}, &ok, &e), CX_ERR);
        assert_string_equal(e.code, "invalid_miss_kind");
        assert_string_equal(e.field, "miss_kind");
    }
    assert_int_equal(pledge_act_check(PA_MISS, &(pledge_extra){.miss_kind = "objective", .explanation = "\u3000"}, &ok, &e), CX_ERR);
    assert_string_equal(e.code, "required");
    assert_string_equal(e.field, "explanation");
    assert_int_equal(pledge_act_check(PA_MISS, &(pledge_extra){.miss_kind = "unjustified", .explanation = " \u3000"}, &ok, &e), CX_OK);
    assert_string_equal(ok.miss_kind, "unjustified");
    assert_string_equal(ok.explanation, "");
    assert_int_equal(pledge_act_check(PA_MISS, &(pledge_extra){.miss_kind = "objective", .explanation = repeat(big, sizeof big, "说", 1001)}, &ok, &e), CX_ERR);
    assert_string_equal(e.code, "too_long");
    assert_int_equal(pledge_act_check(PA_MISS, &(pledge_extra){.miss_kind = "objective", .explanation = repeat(big, sizeof big, "说", 1000)}, &ok, &e), CX_OK);
    /* RATE: a known grade, an optional comment */
    assert_int_equal(pledge_act_check(PA_RATE, &(pledge_extra){.grade = "excellent"}, &ok, &e), CX_ERR);
    assert_string_equal(e.code, "invalid_grade");
    assert_int_equal(pledge_act_check(PA_RATE, &(pledge_extra){.grade = NULL, .comment = "好"}, &ok, &e), CX_ERR);
    assert_string_equal(e.field, "grade");
    assert_int_equal(pledge_act_check(PA_RATE, &(pledge_extra){.grade = "good", .comment = "\u3000按期兑现 "}, &ok, &e), CX_OK);
    assert_string_equal(ok.grade, "good");
    assert_string_equal(ok.comment, "按期兑现");
    assert_int_equal(pledge_act_check(PA_RATE, &(pledge_extra){.grade = "good", .comment = repeat(big, sizeof big, "评", 1001)}, &ok, &e), CX_ERR);
    assert_string_equal(e.field, "comment");
    /* COMPLETE: the owner's summary, optional */
    assert_int_equal(pledge_act_check(PA_COMPLETE, &(pledge_extra){.summary = "\u3000\u3000"}, &ok, &e), CX_OK);
    assert_string_equal(ok.summary, "");
    assert_int_equal(pledge_act_check(PA_COMPLETE, &(pledge_extra){.summary = "\xc3("}, &ok, &e), CX_ERR);
    assert_string_equal(e.code, "invalid_text");
    assert_string_equal(e.field, "summary");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lifecycle_table),
        cmocka_unit_test(test_decide_messages),
        cmocka_unit_test(test_no_self_review),
        cmocka_unit_test(test_lifecycle_walks),
        cmocka_unit_test(test_proxy_relation),
        cmocka_unit_test(test_names_and_labels),
        cmocka_unit_test(test_public_states),
        cmocka_unit_test(test_areas),
        cmocka_unit_test(test_grades),
        cmocka_unit_test(test_validate_valid),
        cmocka_unit_test(test_validate_required),
        cmocka_unit_test(test_validate_area),
        cmocka_unit_test(test_validate_lengths),
        cmocka_unit_test(test_validate_text_content),
        cmocka_unit_test(test_validate_due_date),
        cmocka_unit_test(test_validate_collects),
        cmocka_unit_test(test_progress_valid),
        cmocka_unit_test(test_progress_percent),
        cmocka_unit_test(test_progress_date_and_text),
        cmocka_unit_test(test_overdue),
        cmocka_unit_test(test_act_check),
    };
    return cmocka_run_group_tests(tests, setup_dates, NULL);
}
