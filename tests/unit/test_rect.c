/* test_rect.c: unit tests of the rectification lifecycle table (every state × action × relation),
 * the relations derived from grants, names and labels, input checks and overdue. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "domain/date.h"
#include "domain/rect.h"
#include "domain/workday.h"

/* ---- the lifecycle, written out as the spec ---- */

enum { OK = 1, NO = 2, BAD = 3 };
/* The relations in the order of the outcome columns: every combination of the three bits. */
enum { NR = 8 };
static const int relations[NR] = {
    RR_NONE, RR_RESPONSIBLE, RR_VERIFIER, RR_RESPONSIBLE | RR_VERIFIER,
    RR_CREATOR, RR_CREATOR | RR_RESPONSIBLE, RR_CREATOR | RR_VERIFIER, RR_CREATOR | RR_RESPONSIBLE | RR_VERIFIER,
};

static const struct spec {
    rect_status from;
    rect_action action;
    int out[NR]; /* NONE RESP VER RESP+VER | CREATOR C+RESP C+VER C+RESP+VER */
    rect_status next;
} spec[] = {
    /*                                NONE RESP VER  R+V   C    C+R  C+V  C+R+V */
    {RS_OPEN, RA_EVIDENCE,          {NO,  OK,  NO,  OK,   NO,  OK,  NO,  OK}, RS_OPEN},
    {RS_OPEN, RA_SUBMIT,            {NO,  OK,  NO,  OK,   NO,  OK,  NO,  OK}, RS_SUBMITTED},
    {RS_OPEN, RA_VERIFY,            {BAD, BAD, BAD, BAD,  BAD, BAD, BAD, BAD}, 0},
    {RS_OPEN, RA_REOPEN,            {BAD, BAD, BAD, BAD,  BAD, BAD, BAD, BAD}, 0},
    {RS_OPEN, RA_CANCEL,            {NO,  NO,  NO,  NO,   OK,  OK,  OK,  OK}, RS_CANCELLED},

    {RS_SUBMITTED, RA_EVIDENCE,     {BAD, BAD, BAD, BAD,  BAD, BAD, BAD, BAD}, 0},
    {RS_SUBMITTED, RA_SUBMIT,       {BAD, BAD, BAD, BAD,  BAD, BAD, BAD, BAD}, 0},
    {RS_SUBMITTED, RA_VERIFY,       {NO,  NO,  OK,  NO,   NO,  NO,  OK,  NO}, RS_VERIFIED},
    {RS_SUBMITTED, RA_REOPEN,       {NO,  NO,  OK,  NO,   NO,  NO,  OK,  NO}, RS_OPEN},
    {RS_SUBMITTED, RA_CANCEL,       {BAD, BAD, BAD, BAD,  BAD, BAD, BAD, BAD}, 0},

    {RS_VERIFIED, RA_EVIDENCE,      {BAD, BAD, BAD, BAD,  BAD, BAD, BAD, BAD}, 0},
    {RS_VERIFIED, RA_SUBMIT,        {BAD, BAD, BAD, BAD,  BAD, BAD, BAD, BAD}, 0},
    {RS_VERIFIED, RA_VERIFY,        {BAD, BAD, BAD, BAD,  BAD, BAD, BAD, BAD}, 0},
    {RS_VERIFIED, RA_REOPEN,        {BAD, BAD, BAD, BAD,  BAD, BAD, BAD, BAD}, 0},
    {RS_VERIFIED, RA_CANCEL,        {BAD, BAD, BAD, BAD,  BAD, BAD, BAD, BAD}, 0},

    {RS_CANCELLED, RA_EVIDENCE,     {BAD, BAD, BAD, BAD,  BAD, BAD, BAD, BAD}, 0},
    {RS_CANCELLED, RA_SUBMIT,       {BAD, BAD, BAD, BAD,  BAD, BAD, BAD, BAD}, 0},
    {RS_CANCELLED, RA_VERIFY,       {BAD, BAD, BAD, BAD,  BAD, BAD, BAD, BAD}, 0},
    {RS_CANCELLED, RA_REOPEN,       {BAD, BAD, BAD, BAD,  BAD, BAD, BAD, BAD}, 0},
    {RS_CANCELLED, RA_CANCEL,       {BAD, BAD, BAD, BAD,  BAD, BAD, BAD, BAD}, 0},
};

static const char *const status_names[RS_COUNT] = {"open", "submitted", "verified", "cancelled"};
static const char *const status_labels[RS_COUNT] = {"整改中", "待验收", "已销号", "已撤销"};
static const char *const action_names[RA_COUNT] = {"evidence", "submit", "verify", "reopen", "cancel"};
static const char *const action_labels[RA_COUNT] = {"上传佐证材料", "提交整改情况", "销号", "退回重新整改", "撤销"};

static void test_lifecycle_table(void **state)
{
    (void)state;
    int seen[RS_COUNT][RA_COUNT];
    memset(seen, 0, sizeof seen);
    size_t rows = sizeof spec / sizeof spec[0];
    assert_int_equal(rows, RS_COUNT * RA_COUNT);
    int allowed = 0, forbidden = 0, invalid = 0;
    for (size_t i = 0; i < rows; i++) {
        const struct spec *r = &spec[i];
        seen[r->from][r->action]++;
        for (int k = 0; k < NR; k++) {
            rect_status next = RS_COUNT; /* a sentinel: must stay unless allowed */
            cx_err e;
            memset(&e, 0, sizeof e);
            int rc = rect_decide(r->from, r->action, relations[k], &next, &e);
            char ctx[160];
            snprintf(ctx, sizeof ctx, "%s × %s × relation %d", status_names[r->from], action_names[r->action], relations[k]);
            switch (r->out[k]) {
            case OK:
                if (rc != CX_OK) fail_msg("%s: refused (%d %s: %s), want allowed", ctx, e.status, e.code, e.msg);
                if (next != r->next) fail_msg("%s: next %d, want %d", ctx, (int)next, (int)r->next);
                allowed++;
                break;
            case NO:
                if (rc != CX_ERR) fail_msg("%s: allowed, want 403", ctx);
                if (e.status != 403 || strcmp(e.code, "not_allowed")) fail_msg("%s: %d %s, want 403 not_allowed", ctx, e.status, e.code);
                if (next != RS_COUNT) fail_msg("%s: next written on refusal", ctx);
                if (!strstr(e.msg, "只有") && !strstr(e.msg, "不能")) fail_msg("%s: message \"%s\" says nothing", ctx, e.msg);
                forbidden++;
                break;
            case BAD:
                if (rc != CX_ERR) fail_msg("%s: allowed, want 409", ctx);
                if (e.status != 409 || strcmp(e.code, "invalid_transition")) fail_msg("%s: %d %s, want 409", ctx, e.status, e.code);
                if (next != RS_COUNT) fail_msg("%s: next written on refusal", ctx);
                if (!strstr(e.msg, status_labels[r->from]) || !strstr(e.msg, action_labels[r->action]))
                    fail_msg("%s: message \"%s\" does not name the state and the action", ctx, e.msg);
                invalid++;
                break;
            default: fail_msg("bad spec row %zu", i);
            }
        }
    }
    for (int s = 0; s < RS_COUNT; s++)
        for (int a = 0; a < RA_COUNT; a++)
            if (seen[s][a] != 1) fail_msg("spec lists %s × %s %d times", status_names[s], action_names[a], seen[s][a]);
    assert_int_equal(allowed + forbidden + invalid, RS_COUNT * RA_COUNT * NR);
    assert_int_equal(allowed, 4 + 4 + 4 + 2 + 2);
    assert_int_equal(forbidden, 4 + 4 + 4 + 6 + 6);
}

/* The messages people read, and the refusal of a verifier who is also responsible. */
static void test_messages(void **state)
{
    (void)state;
    cx_err e;
    rect_status next = RS_COUNT;
    assert_int_equal(rect_decide(RS_VERIFIED, RA_REOPEN, RR_VERIFIER, &next, &e), CX_ERR);
    assert_string_equal(e.msg, "整改事项当前为“已销号”状态，不能进行“退回重新整改”");
    assert_int_equal(rect_decide(RS_SUBMITTED, RA_VERIFY, RR_RESPONSIBLE, &next, &e), CX_ERR);
    assert_string_equal(e.msg, "只有责任组织的上级党组织书记或活动办公室可以销号");
    assert_int_equal(rect_decide(RS_SUBMITTED, RA_VERIFY, RR_RESPONSIBLE | RR_VERIFIER, &next, &e), CX_ERR);
    assert_string_equal(e.msg, "不能为本组织的整改事项销号，应由上级党组织书记或活动办公室验收销号");
    assert_int_equal(rect_decide(RS_SUBMITTED, RA_REOPEN, RR_RESPONSIBLE | RR_VERIFIER, &next, &e), CX_ERR);
    assert_non_null(strstr(e.msg, "本组织"));
    assert_int_equal(rect_decide(RS_OPEN, RA_CANCEL, RR_VERIFIER, &next, &e), CX_ERR);
    assert_string_equal(e.msg, "只有创建该整改事项的人可以撤销");
    assert_int_equal(rect_decide(RS_OPEN, RA_SUBMIT, RR_VERIFIER, &next, &e), CX_ERR);
    assert_non_null(strstr(e.msg, "责任组织"));
    assert_int_equal(next, RS_COUNT);
    /* out of range, NULL next and e */
    assert_int_equal(rect_decide(RS_COUNT, RA_SUBMIT, RR_RESPONSIBLE, &next, &e), CX_ERR);
    assert_int_equal(e.status, 409);
    assert_int_equal(rect_decide(RS_OPEN, RA_COUNT, RR_RESPONSIBLE, &next, &e), CX_ERR);
    assert_int_equal(rect_decide((rect_status)-1, RA_SUBMIT, RR_RESPONSIBLE, &next, NULL), CX_ERR);
    assert_int_equal(rect_decide(RS_OPEN, (rect_action)-1, RR_RESPONSIBLE, NULL, NULL), CX_ERR);
    assert_int_equal(rect_decide(RS_OPEN, RA_SUBMIT, RR_RESPONSIBLE, NULL, NULL), CX_OK);
    assert_int_equal(next, RS_COUNT);
    /* other bits carry no right */
    assert_int_equal(rect_decide(RS_OPEN, RA_SUBMIT, 8, &next, &e), CX_ERR);
    assert_int_equal(e.status, 403);
}

/* Whole lives, each step by the person the rules name. */
static void test_walks(void **state)
{
    (void)state;
    static const struct {
        rect_action action;
        int relation;
        rect_status after;
    } life[] = {
        {RA_EVIDENCE, RR_RESPONSIBLE, RS_OPEN}, {RA_SUBMIT, RR_RESPONSIBLE, RS_SUBMITTED}, {RA_REOPEN, RR_VERIFIER, RS_OPEN},
        {RA_EVIDENCE, RR_RESPONSIBLE | RR_CREATOR, RS_OPEN}, {RA_SUBMIT, RR_RESPONSIBLE, RS_SUBMITTED},
        {RA_VERIFY, RR_VERIFIER | RR_CREATOR, RS_VERIFIED},
    };
    rect_status s = RS_OPEN;
    for (size_t i = 0; i < sizeof life / sizeof life[0]; i++) {
        assert_int_equal(rect_decide(s, life[i].action, life[i].relation, &s, NULL), CX_OK);
        assert_int_equal(s, life[i].after);
    }
    s = RS_OPEN;
    assert_int_equal(rect_decide(s, RA_CANCEL, RR_CREATOR, &s, NULL), CX_OK);
    assert_int_equal(s, RS_CANCELLED);
    /* verified and cancelled are final for everyone */
    for (int a = 0; a < RA_COUNT; a++)
        for (int k = 0; k < NR; k++) {
            assert_int_equal(rect_decide(RS_VERIFIED, a, relations[k], NULL, NULL), CX_ERR);
            assert_int_equal(rect_decide(RS_CANCELLED, a, relations[k], NULL, NULL), CX_ERR);
        }
}

static void test_names(void **state)
{
    (void)state;
    for (int s = 0; s < RS_COUNT; s++) {
        assert_string_equal(rect_status_name(s), status_names[s]);
        assert_string_equal(rect_status_label(s), status_labels[s]);
        assert_int_equal(rect_status_from_name(status_names[s]), s);
    }
    for (int a = 0; a < RA_COUNT; a++) {
        assert_string_equal(rect_action_name(a), action_names[a]);
        assert_string_equal(rect_action_label(a), action_labels[a]);
        assert_int_equal(rect_action_from_name(action_names[a]), a);
    }
    static const char *const src[RSRC_COUNT] = {"self_review", "commentary", "public_rating", "feedback", "inspection", "grade", "manual"};
    static const char *const kinds[RSRC_COUNT] = {"review", "commentary", "review_round", "feedback", "inspection", "grade", ""};
    for (int s = 0; s < RSRC_COUNT; s++) {
        assert_string_equal(rect_source_name(s), src[s]);
        assert_int_equal(rect_source_from_name(src[s]), s);
        assert_string_equal(rect_source_kind(s), kinds[s]);
        assert_true(strlen(rect_source_label(s)) > 0);
    }
    const char *unknown[] = {"", "Open", " open", "verify ", "销号", "整改中", "selfreview", "Manual"};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        assert_int_equal(rect_status_from_name(unknown[i]), -1);
        assert_int_equal(rect_action_from_name(unknown[i]), -1);
        assert_int_equal(rect_source_from_name(unknown[i]), -1);
    }
    assert_int_equal(rect_status_from_name(NULL), -1);
    assert_int_equal(rect_action_from_name(NULL), -1);
    assert_int_equal(rect_source_from_name(NULL), -1);
    assert_int_equal(rect_status_from_name("submit"), -1); /* an action is not a state */
    assert_string_equal(rect_status_name(RS_COUNT), "");
    assert_string_equal(rect_action_label(RA_COUNT), "");
    assert_string_equal(rect_source_label((rect_source)-1), "");
    assert_string_equal(rect_source_kind(RSRC_COUNT), "");
}

/* ---- relations from grants ---- */

static void grant_at(principal *p, int role, const char *path)
{
    grant *g = &p->grants[p->ngrants++];
    g->role = role;
    snprintf(g->path, sizeof g->path, "%s", path);
}

static void test_relation(void **state)
{
    (void)state;
    const char *branch = "/1/7/42/";
    principal sec = {.user_id = 10}, town = {.user_id = 11}, root = {.user_id = 12}, other = {.user_id = 13},
              leader = {.user_id = 14}, both = {.user_id = 15}, member = {.user_id = 16}, sibling = {.user_id = 17};
    grant_at(&sec, ROLE_SECRETARY, branch);
    grant_at(&town, ROLE_OFFICE, "/1/7/");
    grant_at(&root, ROLE_OFFICE, "/1/");
    grant_at(&other, ROLE_SECRETARY, "/1/8/43/");
    grant_at(&leader, ROLE_LEADER, "/1/7/");
    grant_at(&both, ROLE_SECRETARY, branch);
    grant_at(&both, ROLE_OFFICE, "/1/7/");
    grant_at(&member, ROLE_MEMBER, branch);
    grant_at(&sibling, ROLE_SECRETARY, "/1/7/420/"); /* a path that only looks like a child */

    assert_int_equal(rect_relation(&sec, branch, 99), RR_RESPONSIBLE);
    assert_int_equal(rect_relation(&town, branch, 99), RR_VERIFIER);
    assert_int_equal(rect_relation(&root, branch, 99), RR_VERIFIER);
    assert_int_equal(rect_relation(&other, branch, 99), RR_NONE);
    assert_int_equal(rect_relation(&leader, branch, 99), RR_NONE);
    assert_int_equal(rect_relation(&both, branch, 99), RR_RESPONSIBLE | RR_VERIFIER);
    assert_int_equal(rect_relation(&member, branch, 99), RR_NONE);
    assert_int_equal(rect_relation(&sibling, branch, 99), RR_NONE);
    /* the town's own item: the town office is responsible, the root office verifies */
    assert_int_equal(rect_relation(&town, "/1/7/", 99), RR_RESPONSIBLE);
    assert_int_equal(rect_relation(&root, "/1/7/", 99), RR_VERIFIER);
    assert_int_equal(rect_relation(&sec, "/1/7/", 99), RR_NONE);

    /* the creator, while holding a role over the item */
    assert_int_equal(rect_relation(&town, branch, 11), RR_VERIFIER | RR_CREATOR);
    assert_int_equal(rect_relation(&sec, branch, 10), RR_RESPONSIBLE | RR_CREATOR);
    assert_int_equal(rect_relation(&other, branch, 13), RR_NONE);
    assert_int_equal(rect_relation(&leader, branch, 14), RR_NONE);
    /* the system's items: any office over the organisation may cancel them */
    assert_int_equal(rect_relation(&town, branch, 0), RR_VERIFIER | RR_CREATOR);
    assert_int_equal(rect_relation(&sec, branch, 0), RR_RESPONSIBLE);
    assert_int_equal(rect_relation(&other, branch, 0), RR_NONE);
    assert_int_equal(rect_relation(NULL, branch, 0), RR_NONE);
    assert_int_equal(rect_relation(&sec, NULL, 0), RR_NONE);

    /* and what the relations allow, end to end */
    assert_int_equal(rect_decide(RS_SUBMITTED, RA_VERIFY, rect_relation(&sec, branch, 10), NULL, NULL), CX_ERR);
    assert_int_equal(rect_decide(RS_SUBMITTED, RA_VERIFY, rect_relation(&both, branch, 15), NULL, NULL), CX_ERR);
    assert_int_equal(rect_decide(RS_SUBMITTED, RA_VERIFY, rect_relation(&town, branch, 10), NULL, NULL), CX_OK);
    assert_int_equal(rect_decide(RS_OPEN, RA_SUBMIT, rect_relation(&town, branch, 11), NULL, NULL), CX_ERR);
    assert_int_equal(rect_decide(RS_OPEN, RA_CANCEL, rect_relation(&sec, branch, 11), NULL, NULL), CX_ERR);
}

/* ---- input checks ---- */

/* Today plus days, through the calendar arithmetic of workday.h (tested there). */
static void shifted_day(int days, char out[11])
{
    char today[11];
    date_today(today);
    day_string(day_number(today) + days, out);
}

static char *repeat(char *buf, size_t cap, const char *unit, size_t n)
{
    size_t k = strlen(unit);
    assert_true(n * k < cap);
    for (size_t i = 0; i < n; i++) memcpy(buf + i * k, unit, k);
    buf[n * k] = 0;
    return buf;
}

static void test_validate(void **state)
{
    (void)state;
    char due[11], next_week[11];
    shifted_day(7, next_week);
    cx_err errs[8];
    rect_in ok = {"  会议记录不全  ", "补齐近三个月的会议记录", "张三", next_week};
    assert_int_equal(rect_validate(&ok, NULL, due, errs, 8), 0);
    assert_string_equal(due, next_week);

    /* everything blank: four errors, each naming its field */
    assert_int_equal(rect_validate(&(rect_in){" ", "\u3000", "", NULL}, NULL, due, errs, 8), 4);
    static const char *const fields[] = {"problem", "measure", "owner", "due_date"};
    for (int i = 0; i < 4; i++) {
        assert_string_equal(errs[i].field, fields[i]);
        assert_string_equal(errs[i].code, "required");
        assert_int_equal(errs[i].status, 400);
    }
    assert_string_equal(due, "");
    assert_int_equal(rect_validate(NULL, NULL, NULL, NULL, 0), 4);
    assert_int_equal(rect_validate(NULL, NULL, NULL, errs, 1), 4); /* counted, one written */

    /* owner: 1..30 characters on one line */
    char big[4096];
    rect_in in = ok;
    in.owner = repeat(big, sizeof big, "王", 30);
    assert_int_equal(rect_validate(&in, NULL, due, errs, 8), 0);
    in.owner = repeat(big, sizeof big, "王", 31);
    assert_int_equal(rect_validate(&in, NULL, due, errs, 8), 1);
    assert_string_equal(errs[0].code, "too_long");
    assert_string_equal(errs[0].field, "owner");
    in.owner = "张三\n李四";
    assert_int_equal(rect_validate(&in, NULL, due, errs, 8), 1);
    assert_string_equal(errs[0].code, "invalid_text");
    in.owner = "张\x01三";
    assert_int_equal(rect_validate(&in, NULL, due, errs, 8), 1);
    assert_string_equal(errs[0].code, "invalid_text");

    /* problem and measure: up to 1000 characters, several lines allowed */
    in = ok;
    in.problem = repeat(big, sizeof big, "问", 1000);
    assert_int_equal(rect_validate(&in, NULL, due, errs, 8), 0);
    in.problem = repeat(big, sizeof big, "问", 1001);
    assert_int_equal(rect_validate(&in, NULL, due, errs, 8), 1);
    assert_string_equal(errs[0].field, "problem");
    assert_non_null(strstr(errs[0].msg, "1001"));
    in = ok;
    in.measure = "一、补记录\n二、建台账";
    assert_int_equal(rect_validate(&in, NULL, due, errs, 8), 0);
}

static void test_due_dates(void **state)
{
    (void)state;
    char out[11];
    cx_err e;
    const char *today = "2026-03-10";
    assert_int_equal(rect_check_due("2026-03-10", today, "due_date", out, &e), CX_OK); /* today is allowed */
    assert_string_equal(out, "2026-03-10");
    assert_int_equal(rect_check_due("2026年4月1日", today, "due_date", out, &e), CX_OK);
    assert_string_equal(out, "2026-04-01");
    assert_int_equal(rect_check_due("2026-03-09", today, "due_date", out, &e), CX_ERR);
    assert_string_equal(e.code, "date_in_past");
    assert_string_equal(e.field, "due_date");
    assert_string_equal(out, "");
    assert_int_equal(rect_check_due("2026-02-30", today, "new_due", out, &e), CX_ERR);
    assert_string_equal(e.code, "invalid_date");
    assert_string_equal(e.field, "new_due");
    assert_int_equal(rect_check_due("下周", today, "due_date", out, &e), CX_ERR);
    assert_string_equal(e.code, "invalid_date");
    assert_int_equal(rect_check_due("  ", today, "due_date", out, &e), CX_ERR);
    assert_string_equal(e.code, "required");
    assert_int_equal(rect_check_due(NULL, today, "due_date", out, &e), CX_ERR);
    /* at most two years ahead: 731 days */
    char last[11], after[11];
    day_string(day_number(today) + RECT_DUE_MAX_DAYS, last);
    day_string(day_number(today) + RECT_DUE_MAX_DAYS + 1, after);
    assert_int_equal(rect_check_due(last, today, "due_date", out, &e), CX_OK);
    assert_int_equal(rect_check_due(after, today, "due_date", out, &e), CX_ERR);
    assert_string_equal(e.code, "date_too_far");
    assert_non_null(strstr(e.msg, last));
    assert_int_equal(rect_check_due("2062-03-10", today, "due_date", out, &e), CX_ERR);
    /* with the real today */
    char yesterday[11], in_a_year[11];
    shifted_day(-1, yesterday);
    shifted_day(365, in_a_year);
    assert_int_equal(rect_check_due(yesterday, NULL, "due_date", out, &e), CX_ERR);
    assert_int_equal(rect_check_due(in_a_year, NULL, "due_date", out, NULL), CX_OK);
}

static void test_reasons_and_submission(void **state)
{
    (void)state;
    char out[2048], note[4096], why[2048], big[8192];
    cx_err e;
    assert_int_equal(rect_check_reason("  措施不到位  ", "reason", "退回理由", out, sizeof out, &e), CX_OK);
    assert_string_equal(out, "措施不到位");
    assert_int_equal(rect_check_reason(" ", "reason", "退回理由", out, sizeof out, &e), CX_ERR);
    assert_string_equal(e.code, "required");
    assert_string_equal(e.msg, "退回理由不能为空");
    assert_int_equal(rect_check_reason(repeat(big, sizeof big, "理", 500), "reason", "撤销理由", out, sizeof out, &e), CX_OK);
    assert_int_equal(rect_check_reason(repeat(big, sizeof big, "理", 501), "reason", "撤销理由", out, sizeof out, &e), CX_ERR);
    assert_string_equal(e.code, "too_long");

    /* a note is always needed; evidence or the reason there is none */
    assert_int_equal(rect_check_submit("已整改", 1, NULL, note, sizeof note, why, sizeof why, &e), CX_OK);
    assert_string_equal(note, "已整改");
    assert_string_equal(why, "");
    assert_int_equal(rect_check_submit("已整改", 2, "说明也写了", note, sizeof note, why, sizeof why, &e), CX_OK);
    assert_string_equal(why, ""); /* files exist: no reason kept */
    assert_int_equal(rect_check_submit("已整改", 0, " 口头整改，无书面材料 ", note, sizeof note, why, sizeof why, &e), CX_OK);
    assert_string_equal(why, "口头整改，无书面材料");
    assert_int_equal(rect_check_submit("已整改", 0, "  ", note, sizeof note, why, sizeof why, &e), CX_ERR);
    assert_string_equal(e.code, "evidence_required");
    assert_string_equal(e.field, "no_evidence_reason");
    assert_int_equal(rect_check_submit("已整改", 0, NULL, note, sizeof note, why, sizeof why, &e), CX_ERR);
    assert_string_equal(e.code, "evidence_required");
    assert_int_equal(rect_check_submit("", 3, NULL, note, sizeof note, why, sizeof why, &e), CX_ERR);
    assert_string_equal(e.code, "required");
    assert_string_equal(e.field, "note");
    assert_int_equal(rect_check_submit(repeat(big, sizeof big, "况", 1001), 3, NULL, note, sizeof note, why, sizeof why, &e), CX_ERR);
    assert_string_equal(e.code, "too_long");
    assert_int_equal(rect_check_submit("已整改", 0, repeat(big, sizeof big, "因", 501), note, sizeof note, why, sizeof why, &e), CX_ERR);
    assert_string_equal(e.field, "no_evidence_reason");
}

static void test_overdue(void **state)
{
    (void)state;
    const char *today = "2026-03-10";
    assert_true(rect_overdue(RS_OPEN, "2026-03-09", today));
    assert_true(rect_overdue(RS_SUBMITTED, "2026-03-09", today)); /* not verified: still overdue */
    assert_false(rect_overdue(RS_VERIFIED, "2026-03-09", today));
    assert_false(rect_overdue(RS_CANCELLED, "2026-03-09", today));
    assert_false(rect_overdue(RS_OPEN, "2026-03-10", today)); /* due today: not yet */
    assert_false(rect_overdue(RS_OPEN, "2026-03-11", today));
    assert_int_equal(rect_days_overdue(RS_OPEN, "2026-03-09", today), 1);
    assert_int_equal(rect_days_overdue(RS_OPEN, "2025-12-31", "2026-01-01"), 1);
    assert_int_equal(rect_days_overdue(RS_OPEN, "2024-02-28", "2024-03-01"), 2); /* a leap year */
    assert_int_equal(rect_days_overdue(RS_SUBMITTED, "2025-03-10", today), 365);
    assert_int_equal(rect_days_overdue(RS_VERIFIED, "2025-03-10", today), 0);
    const char *bad[] = {"", "2026-3-9", "2026-02-30", "20260309", "garbage", NULL};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(rect_overdue(RS_OPEN, bad[i], today));
        assert_false(rect_overdue(RS_OPEN, "2026-03-09", bad[i] ? bad[i] : "x"));
    }
    char yesterday[11];
    shifted_day(-1, yesterday);
    assert_true(rect_overdue(RS_OPEN, yesterday, NULL));
    assert_int_equal(rect_days_overdue(RS_OPEN, yesterday, NULL), 1);
    assert_false(rect_overdue(RS_COUNT, "2026-03-09", today));
}

/* rect_act_check: each action's input as a careless user types it; the evidence comes later. */
static void test_act_check(void **state)
{
    (void)state;
    static rect_act_ok ok;
    char big[8192];
    cx_err e;
    const char *today = "2026-03-10";
    /* EVIDENCE and anything out of range are not actions of rect_act */
    const int wrong[] = {RA_EVIDENCE, RA_COUNT, -1};
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        assert_int_equal(rect_act_check((rect_action)wrong[i], NULL, today, &ok, &e), CX_ERR);
        assert_string_equal(e.code, "invalid_action");
        assert_string_equal(e.field, "action");
    }
    /* SUBMIT: the note trimmed (U+3000 too), the reason kept for when no file exists */
    assert_int_equal(rect_act_check(RA_SUBMIT, &(rect_extra){.note = "\u3000已整改\n台账已建立 ", .no_evidence_reason = " 口头整改\u3000"}, today, &ok, &e), CX_OK);
    assert_int_equal(ok.action, RA_SUBMIT);
    assert_string_equal(ok.note, "已整改\n台账已建立");
    assert_string_equal(ok.why, "口头整改");
    assert_int_equal(rect_check_evidence(0, ok.why, &e), CX_OK);
    assert_string_equal(ok.why, "口头整改");
    assert_int_equal(rect_check_evidence(1, ok.why, &e), CX_OK);
    assert_string_equal(ok.why, ""); /* files exist: no reason kept */
    assert_int_equal(rect_check_evidence(0, ok.why, &e), CX_ERR);
    assert_string_equal(e.code, "evidence_required");
    assert_int_equal(rect_act_check(RA_SUBMIT, &(rect_extra){.note = " \u3000 "}, today, &ok, &e), CX_ERR);
    assert_string_equal(e.code, "required");
    assert_string_equal(e.field, "note");
    assert_int_equal(rect_act_check(RA_SUBMIT, NULL, today, &ok, &e), CX_ERR);
    assert_string_equal(e.field, "note");
    assert_int_equal(rect_act_check(RA_SUBMIT, &(rect_extra){.note = repeat(big, sizeof big, "况", 1000)}, today, &ok, &e), CX_OK);
    assert_int_equal(rect_act_check(RA_SUBMIT, &(rect_extra){.note = repeat(big, sizeof big, "况", 1001)}, today, &ok, &e), CX_ERR);
    assert_string_equal(e.code, "too_long");
    assert_int_equal(rect_act_check(RA_SUBMIT, &(rect_extra){.note = "已整改", .no_evidence_reason = "无\xff"}, today, &ok, &e), CX_ERR);
    assert_string_equal(e.code, "invalid_text");
    assert_string_equal(e.field, "no_evidence_reason");
    /* VERIFY: a blank note is none; one given is at most 500 characters */
    assert_int_equal(rect_act_check(RA_VERIFY, &(rect_extra){.note = "\u3000\r\n"}, today, &ok, &e), CX_OK);
    assert_string_equal(ok.note, "");
    assert_int_equal(rect_act_check(RA_VERIFY, &(rect_extra){.note = repeat(big, sizeof big, "销", 501)}, today, &ok, &e), CX_ERR);
    assert_string_equal(e.code, "too_long");
    assert_string_equal(e.field, "note");
    assert_non_null(strstr(e.msg, "销号意见"));
    assert_int_equal(rect_act_check(RA_VERIFY, &(rect_extra){.note = "\xc3\x28"}, today, &ok, &e), CX_ERR);
    assert_string_equal(e.code, "invalid_text");
    /* REOPEN: a reason, then a due date when one is given */
    assert_int_equal(rect_act_check(RA_REOPEN, &(rect_extra){.reason = "\u3000", .due_date = "2026-04-01"}, today, &ok, &e), CX_ERR);
    assert_string_equal(e.code, "required");
    assert_string_equal(e.field, "reason");
    assert_string_equal(e.msg, "退回理由不能为空");
    assert_int_equal(rect_act_check(RA_REOPEN, &(rect_extra){.reason = "照片不清楚", .due_date = " "}, today, &ok, &e), CX_OK);
    assert_string_equal(ok.due, "");
    assert_int_equal(rect_act_check(RA_REOPEN, &(rect_extra){.reason = "照片不清楚", .due_date = "2026-03-09"}, today, &ok, &e), CX_ERR);
    assert_string_equal(e.code, "date_in_past");
    assert_string_equal(e.field, "due_date");
    assert_int_equal(rect_act_check(RA_REOPEN, &(rect_extra){.reason = " 照片不清楚 ", .due_date = "2026年4月1日"}, today, &ok, &e), CX_OK);
    assert_string_equal(ok.reason, "照片不清楚");
    assert_string_equal(ok.due, "2026-04-01");
    /* CANCEL: a reason of at most 500 characters */
    assert_int_equal(rect_act_check(RA_CANCEL, &(rect_extra){.reason = repeat(big, sizeof big, "撤", 500)}, today, &ok, &e), CX_OK);
    assert_int_equal(rect_act_check(RA_CANCEL, &(rect_extra){.reason = repeat(big, sizeof big, "撤", 501)}, today, &ok, &e), CX_ERR);
    assert_string_equal(e.code, "too_long");
    assert_non_null(strstr(e.msg, "撤销理由"));
}

/* rect_new_check: the source first, then the first of rect_validate's errors; texts trimmed. */
static void test_new_check(void **state)
{
    (void)state;
    static rect_new_ok ok;
    char big[8192];
    cx_err e;
    const char *today = "2026-03-10";
    rect_new n = {.source = "inspection", .in = {"\u3000会议记录不全 ", " 补齐会议记录\n建立台账 ", "\u3000张三\u3000", "2026-04-01"}};
    assert_int_equal(rect_new_check(&n, today, &ok, &e), CX_OK);
    assert_int_equal(ok.source, RSRC_INSPECTION);
    assert_string_equal(ok.source_kind, ""); /* no record, no kind */
    assert_string_equal(ok.problem, "会议记录不全");
    assert_string_equal(ok.measure, "补齐会议记录\n建立台账");
    assert_string_equal(ok.owner, "张三");
    assert_string_equal(ok.due_date, "2026-04-01");
    /* a record of the source: its default kind, or one given */
    n.source = "grade", n.source_id = 9;
    assert_int_equal(rect_new_check(&n, today, &ok, &e), CX_OK);
    assert_string_equal(ok.source_kind, "grade");
    assert_int_equal(ok.source_id, 9);
    n.source_kind = "Grade";
    assert_int_equal(rect_new_check(&n, today, &ok, &e), CX_ERR);
    assert_string_equal(e.code, "invalid_source_kind");
    n.source_kind = NULL, n.source_id = -1;
    assert_int_equal(rect_new_check(&n, today, &ok, &e), CX_ERR);
    assert_string_equal(e.code, "invalid_source_id");
    n.source_id = 0;
    /* the source before the texts */
    const char *bad[] = {NULL, "", " grade", "整改"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rect_new b = {.source = bad[i]};
        assert_int_equal(rect_new_check(&b, today, &ok, &e), CX_ERR);
        assert_string_equal(e.code, "invalid_source");
        assert_string_equal(e.field, "source");
    }
    assert_int_equal(rect_new_check(NULL, today, &ok, &e), CX_ERR);
    assert_string_equal(e.code, "invalid_source");
    /* then the first text error, as typed carelessly */
    n.in.problem = " \u3000 ";
    assert_int_equal(rect_new_check(&n, today, &ok, &e), CX_ERR);
    assert_string_equal(e.code, "required");
    assert_string_equal(e.field, "problem");
    n.in.problem = repeat(big, sizeof big, "问", 1001);
    assert_int_equal(rect_new_check(&n, today, &ok, &e), CX_ERR);
    assert_string_equal(e.code, "too_long");
    n.in.problem = "会议记录不全";
    n.in.owner = "张\n三";
    assert_int_equal(rect_new_check(&n, today, &ok, &e), CX_ERR);
    assert_string_equal(e.code, "invalid_text");
    assert_string_equal(e.field, "owner");
    n.in.owner = "张\xff";
    assert_int_equal(rect_new_check(&n, today, &ok, &e), CX_ERR);
    assert_string_equal(e.code, "invalid_text");
    n.in.owner = "张三";
    n.in.due_date = "2026-03-09";
    assert_int_equal(rect_new_check(&n, today, &ok, &e), CX_ERR);
    assert_string_equal(e.code, "date_in_past");
    assert_string_equal(e.field, "due_date");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lifecycle_table), cmocka_unit_test(test_messages),  cmocka_unit_test(test_walks),
        cmocka_unit_test(test_names),           cmocka_unit_test(test_relation),  cmocka_unit_test(test_validate),
        cmocka_unit_test(test_due_dates),       cmocka_unit_test(test_reasons_and_submission), cmocka_unit_test(test_overdue), cmocka_unit_test(test_act_check), cmocka_unit_test(test_new_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
