/* test_feedback_rules.c: unit tests of who may see and act on 投诉 and 举报 (feedback_visible,
 * feedback_can_triage, feedback_can_reply, feedback_can_reveal): a complaint about someone is
 * routed above the accused, never shown to the accused organisation's members, and its sender is
 * revealed only at the handling organisation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "store/feedback.h"

static feedback F; /* large: static */

static void grant_add(principal *p, int role, const char *path)
{
    grant *g = &p->grants[p->ngrants++];
    g->role = role;
    snprintf(g->path, sizeof g->path, "%s", path);
}

/* A complaint about a member of the branch /1/7/42/, filed at the town /1/7/. */
static void complaint_about_branch_member(int status)
{
    memset(&F, 0, sizeof F);
    F.kind = FK_COMPLAINT;
    F.status = status;
    snprintf(F.about_kind, sizeof F.about_kind, "member");
    snprintf(F.about_org_path, sizeof F.about_org_path, "/1/7/42/");
    snprintf(F.org_path, sizeof F.org_path, "/1/7/");
}

static void test_complaint_about_secretary(void **st)
{
    (void)st;
    principal sec = {0}, secm = {0}, town = {0}, townsec = {0}, townm = {0}, top = {0}, leader = {0};
    grant_add(&sec, ROLE_SECRETARY, "/1/7/42/");
    grant_add(&secm, ROLE_SECRETARY, "/1/7/42/");   /* the accused: a member of the branch */
    grant_add(&town, ROLE_OFFICE, "/1/7/");
    grant_add(&townsec, ROLE_SECRETARY, "/1/7/");
    grant_add(&townm, ROLE_OFFICE, "/1/7/");        /* a town office member of the accused branch */
    grant_add(&top, ROLE_OFFICE, "/1/");
    grant_add(&leader, ROLE_LEADER, "/1/7/");
    complaint_about_branch_member(FS_NEW);
    assert_true(feedback_has_accused(&F));
    /* the branch: nothing */
    assert_false(feedback_visible(&sec, "", &F));
    assert_false(feedback_visible(&secm, "/1/7/42/", &F));
    assert_false(feedback_can_triage(&secm, "/1/7/42/", &F));
    assert_false(feedback_can_reply(&secm, "/1/7/42/", &F));
    assert_false(feedback_can_reveal(&secm, "/1/7/42/", &F));
    /* a town office whose membership is in the accused branch: nothing either */
    assert_false(feedback_visible(&townm, "/1/7/42/", &F));
    assert_false(feedback_can_triage(&townm, "/1/7/42/", &F));
    assert_false(feedback_can_reveal(&townm, "/1/7/42/", &F));
    /* the town (the handler): sees, triages, answers, and may see the sender */
    assert_true(feedback_visible(&town, "", &F));
    assert_true(feedback_can_triage(&town, "", &F));
    assert_true(feedback_can_reply(&town, "", &F));
    assert_true(feedback_can_reveal(&town, "", &F));
    assert_true(feedback_can_reveal(&townsec, "", &F));
    assert_false(feedback_can_reply(&townsec, "", &F)); /* a secretary answers once it is assigned */
    /* above the handler: sees and triages, but the sender stays masked */
    assert_true(feedback_visible(&top, "", &F));
    assert_true(feedback_can_triage(&top, "", &F));
    assert_false(feedback_can_reveal(&top, "", &F));
    assert_true(feedback_visible(&leader, "", &F));
    assert_false(feedback_can_reveal(&leader, "", &F));
    /* an opinion about the branch is the branch's to handle, as before */
    F.kind = FK_OPINION;
    snprintf(F.org_path, sizeof F.org_path, "/1/7/42/");
    assert_false(feedback_has_accused(&F));
    assert_true(feedback_visible(&sec, "", &F));
    assert_true(feedback_can_reveal(&sec, "", &F));
    /* a complaint that names nobody has no accused */
    F.kind = FK_COMPLAINT;
    F.about_kind[0] = 0;
    assert_false(feedback_has_accused(&F));
}

static void test_report(void **st)
{
    (void)st;
    principal disc = {0}, office = {0};
    grant_add(&disc, ROLE_DISCIPLINE, "/1/7/");
    grant_add(&office, ROLE_OFFICE, "/1/");
    complaint_about_branch_member(FS_NEW);
    F.kind = FK_REPORT;
    assert_true(feedback_visible(&disc, "", &F));
    assert_true(feedback_can_reveal(&disc, "", &F));
    assert_false(feedback_visible(&disc, "/1/7/42/", &F));
    assert_false(feedback_visible(&office, "", &F));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_complaint_about_secretary),
        cmocka_unit_test(test_report),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
