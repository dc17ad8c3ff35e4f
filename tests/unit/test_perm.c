/* test_perm.c: unit tests of subtree-scoped roles: path prefix checks, grants, role names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "domain/perm.h"
#include "domain/pledge.h"

/* Adds a grant of role at the organisation with the given id and path. */
static void grant_add(principal *p, int role, int64_t org, const char *path)
{
    assert_true(p->ngrants < (int)(sizeof p->grants / sizeof p->grants[0]));
    grant *g = &p->grants[p->ngrants++];
    g->role = role;
    g->org_id = org;
    snprintf(g->path, sizeof g->path, "%s", path);
}

static void test_path_in_subtree(void **state)
{
    (void)state;
    assert_true(path_in_subtree("/1/7/42/", "/1/7/"));
    assert_true(path_in_subtree("/1/7/", "/1/7/")); /* the organisation itself */
    assert_true(path_in_subtree("/1/7/42/900/", "/1/"));
    assert_true(path_in_subtree("/1/", "/"));
    /* a sibling whose id starts with the same digits is not in the subtree */
    assert_false(path_in_subtree("/1/70/", "/1/7/"));
    assert_false(path_in_subtree("/1/70/42/", "/1/7/"));
    assert_false(path_in_subtree("/11/", "/1/"));
    /* parents and siblings are not covered */
    assert_false(path_in_subtree("/1/", "/1/7/"));
    assert_false(path_in_subtree("/1/8/", "/1/7/"));
    assert_false(path_in_subtree("/2/7/", "/1/7/"));
    /* a root without its trailing slash, or an empty one, covers nothing */
    assert_false(path_in_subtree("/1/70/", "/1/7"));
    assert_false(path_in_subtree("/1/7/", "/1/7"));
    assert_false(path_in_subtree("/1/7/", ""));
    assert_false(path_in_subtree("", "/1/"));
}

static void test_perm_allows_subtree(void **state)
{
    (void)state;
    principal p;
    memset(&p, 0, sizeof p);
    grant_add(&p, ROLE_SECRETARY, 7, "/1/7/");

    assert_true(perm_allows(&p, ROLE_SECRETARY, "/1/7/"));
    assert_true(perm_allows(&p, ROLE_SECRETARY, "/1/7/42/"));
    assert_true(perm_allows(&p, ROLE_SECRETARY, "/1/7/42/43/"));
    assert_false(perm_allows(&p, ROLE_SECRETARY, "/1/70/"));
    assert_false(perm_allows(&p, ROLE_SECRETARY, "/1/70/42/"));
    assert_false(perm_allows(&p, ROLE_SECRETARY, "/1/"));
    assert_false(perm_allows(&p, ROLE_SECRETARY, "/1/8/"));
    assert_false(perm_allows(&p, ROLE_SECRETARY, NULL));
    assert_false(perm_allows(NULL, ROLE_ANY, "/1/7/"));
}

static void test_perm_allows_mask(void **state)
{
    (void)state;
    principal p;
    memset(&p, 0, sizeof p);
    grant_add(&p, ROLE_SECRETARY, 7, "/1/7/");
    grant_add(&p, ROLE_DISCIPLINE, 1, "/1/");

    /* the mask selects which roles count */
    assert_true(perm_allows(&p, ROLE_SECRETARY | ROLE_OFFICE, "/1/7/42/"));
    assert_true(perm_allows(&p, ROLE_ANY, "/1/7/42/"));
    assert_false(perm_allows(&p, ROLE_OFFICE, "/1/7/42/"));
    assert_false(perm_allows(&p, ROLE_LEADER | ROLE_MEMBER, "/1/7/42/"));
    assert_false(perm_allows(&p, 0, "/1/7/42/"));
    /* the secretary role does not reach beyond /1/7/, discipline does */
    assert_false(perm_allows(&p, ROLE_SECRETARY, "/1/8/"));
    assert_true(perm_allows(&p, ROLE_DISCIPLINE, "/1/8/"));
    assert_true(perm_allows(&p, ROLE_SECRETARY | ROLE_DISCIPLINE, "/1/8/"));
    assert_false(perm_allows(&p, ROLE_ANY, "/2/"));

    /* no grants: nothing is allowed */
    principal none;
    memset(&none, 0, sizeof none);
    assert_false(perm_allows(&none, ROLE_ANY, "/1/"));
    /* a grant with an empty path (org not found) covers nothing */
    grant_add(&none, ROLE_OFFICE, 0, "");
    assert_false(perm_allows(&none, ROLE_ANY, "/1/"));
    assert_false(perm_allows(&none, ROLE_ANY, ""));
}

static void test_perm_roles(void **state)
{
    (void)state;
    principal p;
    memset(&p, 0, sizeof p);
    assert_int_equal(perm_roles(&p), 0);
    assert_int_equal(perm_roles(NULL), 0);
    grant_add(&p, ROLE_MEMBER, 42, "/1/7/42/");
    assert_int_equal(perm_roles(&p), ROLE_MEMBER);
    grant_add(&p, ROLE_SECRETARY, 7, "/1/7/");
    grant_add(&p, ROLE_SECRETARY, 8, "/1/8/");
    assert_int_equal(perm_roles(&p), ROLE_MEMBER | ROLE_SECRETARY);
    grant_add(&p, ROLE_OFFICE, 1, "/1/");
    assert_int_equal(perm_roles(&p), ROLE_MEMBER | ROLE_SECRETARY | ROLE_OFFICE);
}

static void test_perm_top_grant(void **state)
{
    (void)state;
    principal p;
    memset(&p, 0, sizeof p);
    assert_null(perm_top_grant(&p, ROLE_ANY));
    assert_null(perm_top_grant(NULL, ROLE_ANY));

    grant_add(&p, ROLE_SECRETARY, 42, "/1/7/42/");
    grant_add(&p, ROLE_SECRETARY, 7, "/1/7/");
    grant_add(&p, ROLE_MEMBER, 1, "/1/");
    grant_add(&p, ROLE_SECRETARY, 99, "/1/70/99/");

    const grant *g = perm_top_grant(&p, ROLE_SECRETARY);
    assert_non_null(g);
    assert_int_equal(g->org_id, 7);
    assert_string_equal(g->path, "/1/7/");
    assert_int_equal(g->role, ROLE_SECRETARY);

    g = perm_top_grant(&p, ROLE_ANY);
    assert_non_null(g);
    assert_int_equal(g->org_id, 1);

    g = perm_top_grant(&p, ROLE_MEMBER);
    assert_non_null(g);
    assert_int_equal(g->org_id, 1);

    assert_null(perm_top_grant(&p, ROLE_OFFICE | ROLE_DISCIPLINE));
    assert_null(perm_top_grant(&p, 0));
    /* the result points into p's grants */
    g = perm_top_grant(&p, ROLE_SECRETARY);
    assert_ptr_equal(g, &p.grants[1]);
}

/* Where feedback is triaged: the highest office (for a report, discipline) grant over the item. */
static void test_feedback_triage_root(void **state)
{
    (void)state;
    principal p;
    memset(&p, 0, sizeof p);
    assert_null(perm_feedback_triage_root(&p, "/1/7/42/", false));
    grant_add(&p, ROLE_OFFICE, 7, "/1/7/");
    grant_add(&p, ROLE_OFFICE, 42, "/1/7/42/");
    grant_add(&p, ROLE_SECRETARY, 1, "/1/");
    grant_add(&p, ROLE_OFFICE, 8, "/1/8/");
    grant_add(&p, ROLE_DISCIPLINE, 42, "/1/7/42/");
    assert_ptr_equal(perm_feedback_triage_root(&p, "/1/7/42/900/", false), &p.grants[0]); /* the highest, not the nearest */
    assert_ptr_equal(perm_feedback_triage_root(&p, "/1/8/", false), &p.grants[3]);
    assert_null(perm_feedback_triage_root(&p, "/1/70/", false)); /* a secretary does not triage */
    assert_null(perm_feedback_triage_root(&p, "/1/", false));
    assert_ptr_equal(perm_feedback_triage_root(&p, "/1/7/42/", true), &p.grants[4]); /* a report: discipline only */
    assert_null(perm_feedback_triage_root(&p, "/1/7/", true));
    assert_null(perm_feedback_triage_root(&p, NULL, false));
    assert_null(perm_feedback_triage_root(NULL, "/1/7/", false));
}

/* 纸质问卷: the branch's own secretary is not the level above; the town's office and secretary
 * are; at the top organisation only its office. */
static void test_perm_above_and_paper(void **state)
{
    (void)state;
    principal sec, town, top, townsec, leader;
    memset(&sec, 0, sizeof sec);
    memset(&town, 0, sizeof town);
    memset(&top, 0, sizeof top);
    memset(&townsec, 0, sizeof townsec);
    memset(&leader, 0, sizeof leader);
    grant_add(&sec, ROLE_SECRETARY, 42, "/1/7/42/");
    grant_add(&town, ROLE_OFFICE, 7, "/1/7/");
    grant_add(&townsec, ROLE_SECRETARY, 7, "/1/7/");
    grant_add(&top, ROLE_OFFICE, 1, "/1/");
    grant_add(&leader, ROLE_LEADER, 1, "/1/");
    assert_true(perm_allows(&sec, ROLE_SECRETARY, "/1/7/42/"));
    assert_false(perm_above(&sec, ROLE_ANY, "/1/7/42/"));
    assert_false(perm_paper_handler(&sec, "/1/7/42/"));
    assert_true(perm_paper_handler(&sec, "/1/7/42/420/")); /* a branch under the secretary's: the level above */
    assert_true(perm_above(&sec, ROLE_SECRETARY, "/1/7/42/420/"));
    assert_true(perm_paper_handler(&town, "/1/7/42/"));
    assert_true(perm_paper_handler(&townsec, "/1/7/42/"));
    assert_false(perm_paper_handler(&town, "/1/7/"));
    assert_true(perm_paper_handler(&top, "/1/7/"));
    assert_true(perm_paper_handler(&top, "/1/"));     /* the top: no level above, its office */
    assert_false(perm_paper_handler(&townsec, "/1/"));
    assert_false(perm_paper_handler(&leader, "/1/7/42/")); /* leaders do not issue questionnaires */
    assert_false(perm_paper_handler(NULL, "/1/7/"));
    assert_true(perm_at(&town, ROLE_OFFICE, "/1/7/"));
    assert_false(perm_at(&town, ROLE_OFFICE, "/1/7/42/"));
    assert_false(perm_at(&town, ROLE_SECRETARY, "/1/7/"));
}

static void test_role_names(void **state)
{
    (void)state;
    const struct { int role; const char *name, *label; } want[] = {
        {ROLE_OFFICE, "office", "活动办公室"},      {ROLE_SECRETARY, "secretary", "党组织书记"},
        {ROLE_LEADER, "leader", "党员领导干部"},    {ROLE_MEMBER, "member", "党员"},
        {ROLE_DISCIPLINE, "discipline", "纪检"},
    };
    int all = 0;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        assert_int_equal(role_from_name(want[i].name), want[i].role);
        assert_string_equal(role_name(want[i].role), want[i].name);
        assert_string_equal(role_label(want[i].role), want[i].label);
        /* round trip */
        assert_int_equal(role_from_name(role_name(want[i].role)), want[i].role);
        all |= want[i].role;
    }
    assert_int_equal(all, ROLE_ANY);

    assert_int_equal(role_from_name("admin"), 0);
    assert_int_equal(role_from_name("Office"), 0);
    assert_int_equal(role_from_name("office "), 0);
    assert_int_equal(role_from_name(""), 0);
    assert_int_equal(role_from_name(NULL), 0);
    /* not a single role: empty text rather than NULL */
    assert_string_equal(role_name(0), "");
    assert_string_equal(role_name(ROLE_OFFICE | ROLE_MEMBER), "");
    assert_string_equal(role_name(ROLE_ANY), "");
    assert_string_equal(role_label(0), "");
    assert_string_equal(role_label(64), "");
}

/* The district /1/, a town /1/7/, its branch /1/7/42/ and another town /1/8/. */
static principal who(int role, const char *path, int64_t member_id)
{
    principal p;
    memset(&p, 0, sizeof p);
    p.member_id = member_id;
    if (role) grant_add(&p, role, 1, path);
    return p;
}

static void test_role_masks(void **state)
{
    (void)state;
    assert_int_equal(ROLE_ADMIN, ROLE_OFFICE | ROLE_SECRETARY);
    assert_int_equal(ROLE_STAFF, ROLE_ANY & ~ROLE_MEMBER);
    assert_int_equal(ROLE_CASEWORK, ROLE_STAFF & ~ROLE_LEADER);
    assert_int_equal(ROLE_TRIAGE, ROLE_OFFICE | ROLE_DISCIPLINE);
}

static void test_pledge_relation(void **state)
{
    (void)state;
    /* a member pledge: its member owns it; an office or secretary over its branch reviews it */
    principal self = who(ROLE_MEMBER, "/1/7/42/", 500), sec = who(ROLE_SECRETARY, "/1/7/42/", 0),
              town = who(ROLE_OFFICE, "/1/7/", 0), other = who(ROLE_OFFICE, "/1/8/", 0), lead = who(ROLE_LEADER, "/1/", 0),
              fellow = who(ROLE_MEMBER, "/1/7/42/", 501), none = who(0, "", 0);
    assert_int_equal(perm_pledge_relation(&self, "/1/7/42/", 500), PR_OWNER);
    assert_int_equal(perm_pledge_relation(&sec, "/1/7/42/", 500), PR_REVIEWER);
    assert_int_equal(perm_pledge_relation(&town, "/1/7/42/", 500), PR_REVIEWER);
    assert_int_equal(perm_pledge_relation(&other, "/1/7/42/", 500), PR_NONE);
    assert_int_equal(perm_pledge_relation(&lead, "/1/7/42/", 500), PR_NONE);
    assert_int_equal(perm_pledge_relation(&fellow, "/1/7/42/", 500), PR_NONE);
    assert_int_equal(perm_pledge_relation(&none, "/1/7/42/", 500), PR_NONE);
    assert_int_equal(perm_pledge_relation(NULL, "/1/7/42/", 500), PR_NONE);
    /* a secretary who is also the member: both bits */
    principal both = who(ROLE_SECRETARY, "/1/7/42/", 500);
    assert_int_equal(perm_pledge_relation(&both, "/1/7/42/", 500), PR_OWNER | PR_REVIEWER);
    /* an organisation pledge: its own secretary or office owns it, those strictly above review it */
    assert_int_equal(perm_pledge_relation(&sec, "/1/7/42/", 0), PR_OWNER);
    assert_int_equal(perm_pledge_relation(&town, "/1/7/42/", 0), PR_REVIEWER);
    assert_int_equal(perm_pledge_relation(&town, "/1/7/", 0), PR_OWNER);
    assert_int_equal(perm_pledge_relation(&sec, "/1/7/", 0), PR_NONE);
    assert_int_equal(perm_pledge_relation(&self, "/1/7/42/", 0), PR_NONE); /* a member owns no organisation pledge */
    assert_int_equal(perm_pledge_relation(&lead, "/1/7/", 0), PR_NONE);
    /* a lookalike path (/1/70/) is not the town's */
    assert_int_equal(perm_pledge_relation(&town, "/1/70/", 0), PR_NONE);
}

static void test_pledge_visibility(void **state)
{
    (void)state;
    principal self = who(ROLE_MEMBER, "/1/7/42/", 500), sec = who(ROLE_SECRETARY, "/1/7/42/", 0),
              fellow = who(ROLE_MEMBER, "/1/7/42/", 501), lead = who(ROLE_LEADER, "/1/", 0),
              other = who(ROLE_OFFICE, "/1/8/", 0), moved = who(ROLE_MEMBER, "/1/8/9/", 500);
    /* public: anyone with a role over its organisation, and its owner wherever the owner now is */
    assert_true(perm_may_see_pledge(&fellow, "/1/7/42/", 500, true));
    assert_true(perm_may_see_pledge(&lead, "/1/7/42/", 500, true));
    assert_true(perm_may_see_pledge(&moved, "/1/7/42/", 500, true));
    assert_false(perm_may_see_pledge(&other, "/1/7/42/", 500, true));
    /* not yet public: its owner and reviewers only */
    assert_true(perm_may_see_pledge(&self, "/1/7/42/", 500, false));
    assert_true(perm_may_see_pledge(&moved, "/1/7/42/", 500, false));
    assert_true(perm_may_see_pledge(&sec, "/1/7/42/", 500, false));
    assert_false(perm_may_see_pledge(&fellow, "/1/7/42/", 500, false));
    assert_false(perm_may_see_pledge(&lead, "/1/7/42/", 500, false));
    assert_false(perm_may_see_pledge(&other, "/1/7/42/", 500, false));
    assert_false(perm_may_see_pledge(NULL, "/1/7/42/", 500, true));
    /* evidence: a role over its organisation, or the owner, whatever the status */
    assert_true(perm_may_see_pledge_evidence(&fellow, "/1/7/42/", 500));
    assert_true(perm_may_see_pledge_evidence(&moved, "/1/7/42/", 500));
    assert_false(perm_may_see_pledge_evidence(&other, "/1/7/42/", 500));
    /* drafts in the list, and pledges in the organisation's name: its office or secretary */
    assert_true(perm_may_manage_pledges(&sec, "/1/7/42/"));
    assert_false(perm_may_manage_pledges(&lead, "/1/7/42/"));
    assert_false(perm_may_manage_pledges(&self, "/1/7/42/"));
    assert_false(perm_may_manage_pledges(&sec, "/1/7/"));
}

static void test_feedback_and_campaign(void **state)
{
    (void)state;
    principal off = who(ROLE_OFFICE, "/1/", 0), sec = who(ROLE_SECRETARY, "/1/7/42/", 0), lead = who(ROLE_LEADER, "/1/7/", 0),
              disc = who(ROLE_DISCIPLINE, "/1/7/", 0), mem = who(ROLE_MEMBER, "/1/7/42/", 500);
    /* ordinary items: office, secretary, leaders over them; reports (举报): discipline only */
    assert_true(perm_sees_feedback(&off, "/1/7/42/", false));
    assert_true(perm_sees_feedback(&sec, "/1/7/42/", false));
    assert_true(perm_sees_feedback(&lead, "/1/7/42/", false));
    assert_false(perm_sees_feedback(&disc, "/1/7/42/", false));
    assert_false(perm_sees_feedback(&mem, "/1/7/42/", false));
    assert_false(perm_sees_feedback(&sec, "/1/7/", false));
    assert_true(perm_sees_feedback(&disc, "/1/7/42/", true));
    assert_false(perm_sees_feedback(&off, "/1/7/42/", true));
    assert_false(perm_sees_feedback(&sec, "/1/7/42/", true));
    assert_false(perm_sees_feedback(&lead, "/1/7/42/", true));
    assert_false(perm_sees_feedback(&disc, "/1/8/", true));
    /* publishing a reply: office or secretary over it, never a report */
    assert_true(perm_may_publish_feedback(&off, "/1/7/42/", false));
    assert_true(perm_may_publish_feedback(&sec, "/1/7/42/", false));
    assert_false(perm_may_publish_feedback(&lead, "/1/7/42/", false));
    assert_false(perm_may_publish_feedback(&disc, "/1/7/42/", false));
    assert_false(perm_may_publish_feedback(&off, "/1/7/42/", true));
    /* assigning: to an organisation in reach as an office; a report as a discipline inspector */
    assert_true(perm_may_assign_feedback_to(&off, "/1/7/42/", false));
    assert_false(perm_may_assign_feedback_to(&off, "/1/7/42/", true));
    assert_true(perm_may_assign_feedback_to(&disc, "/1/7/42/", true));
    assert_false(perm_may_assign_feedback_to(&disc, "/1/7/42/", false));
    assert_false(perm_may_assign_feedback_to(&disc, "/1/8/", true));
    assert_false(perm_may_assign_feedback_to(&sec, "/1/7/42/", false));
    /* reports are keyed in by discipline only */
    assert_true(perm_may_enter_report(&disc, "/1/7/42/"));
    assert_false(perm_may_enter_report(&disc, "/1/"));
    assert_false(perm_may_enter_report(&off, "/1/7/42/"));
    assert_false(perm_may_enter_report(&sec, "/1/7/42/"));
    /* a campaign's or round's area: a grant inside it or above it, not beside it */
    assert_true(perm_may_see_area(&mem, "/1/7/"));  /* a member of a branch below the town */
    assert_true(perm_may_see_area(&off, "/1/7/"));  /* the district's office above it */
    assert_false(perm_may_see_area(&mem, "/1/8/"));
    assert_false(perm_may_see_area(&mem, "/1/70/"));
    assert_false(perm_may_see_area(NULL, "/1/"));
    /* grades: approved by an office strictly above the member's organisation */
    assert_true(perm_may_approve_grade(&off, "/1/7/42/"));
    assert_false(perm_may_approve_grade(&off, "/1/"));
    assert_false(perm_may_approve_grade(&sec, "/1/7/42/"));
    principal branch_office = who(ROLE_OFFICE, "/1/7/42/", 0);
    assert_false(perm_may_approve_grade(&branch_office, "/1/7/42/"));
    /* the organisation's self-review: its own secretary only */
    assert_true(perm_may_review_org(&sec, "/1/7/42/"));
    assert_false(perm_may_review_org(&sec, "/1/7/42/43/"));
    assert_false(perm_may_review_org(&off, "/1/7/42/"));
    assert_false(perm_may_review_org(&lead, "/1/7/"));
    /* the desk: a section where a role is held exactly, its items by the roles held there */
    assert_int_equal(perm_desk(&off, "/1/"), DESK_RUN | DESK_APPROVE);
    assert_int_equal(perm_desk(&off, "/1/7/"), 0);
    assert_int_equal(perm_desk(&sec, "/1/7/42/"), DESK_RUN);
    assert_int_equal(perm_desk(&lead, "/1/7/"), 0);
    principal insp = who(ROLE_DISCIPLINE, "/1/", 0), plain = who(ROLE_MEMBER, "/1/7/42/", 9);
    assert_int_equal(perm_desk(&insp, "/1/"), DESK_REPORTS);
    assert_int_equal(perm_desk(&plain, "/1/7/42/"), 0);
    grant_add(&insp, ROLE_SECRETARY, 2, "/1/"); /* two roles at one organisation: one section with both */
    assert_int_equal(perm_desk(&insp, "/1/"), DESK_RUN | DESK_REPORTS);
    assert_int_equal(perm_desk(NULL, "/1/"), 0);
    /* a campaign and its rounds: the office over it only */
    assert_true(perm_may_run_campaign(&off, "/1/7/"));
    assert_false(perm_may_run_campaign(&sec, "/1/7/42/"));
    assert_false(perm_may_run_campaign(&lead, "/1/7/"));
    principal town = who(ROLE_OFFICE, "/1/7/", 0);
    assert_false(perm_may_run_campaign(&town, "/1/"));
}

/* 代录: an office or secretary over the member's organisation, for another member only */
static void test_enter_for(void **state)
{
    (void)state;
    principal sec = who(ROLE_SECRETARY, "/1/7/42/", 5), off = who(ROLE_OFFICE, "/1/7/", 0);
    principal other = who(ROLE_SECRETARY, "/1/8/", 0), mem = who(ROLE_MEMBER, "/1/7/42/", 6);
    principal lead = who(ROLE_LEADER, "/1/7/", 0);
    assert_true(perm_may_enter_for(&sec, "/1/7/42/", 6));
    assert_true(perm_may_enter_for(&off, "/1/7/42/", 6));
    assert_false(perm_may_enter_for(&sec, "/1/7/42/", 5));  /* themselves: their own entry */
    assert_false(perm_may_enter_for(&other, "/1/7/42/", 6)); /* another branch */
    assert_false(perm_may_enter_for(&sec, "/1/7/", 6));      /* above the grant */
    assert_false(perm_may_enter_for(&mem, "/1/7/42/", 7));   /* a member for another member */
    assert_false(perm_may_enter_for(&lead, "/1/7/42/", 6));
    assert_false(perm_may_enter_for(&sec, "/1/7/42/", 0));
    assert_false(perm_may_enter_for(NULL, "/1/7/42/", 6));
    assert_true(perm_may_key_sheets(&sec, "/1/7/42/"));
    assert_true(perm_may_key_sheets(&off, "/1/7/42/"));
    assert_false(perm_may_key_sheets(&other, "/1/7/42/"));
    assert_false(perm_may_key_sheets(&mem, "/1/7/42/"));
    assert_false(perm_may_key_sheets(&lead, "/1/7/42/"));
    /* on a pledge entered for its member the secretary also acts for the member */
    assert_int_equal(perm_pledge_relation_entered(&sec, "/1/7/42/", 6, true), PR_REVIEWER | PR_PROXY);
    assert_int_equal(perm_pledge_relation_entered(&sec, "/1/7/42/", 6, false), PR_REVIEWER);
    assert_int_equal(perm_pledge_relation_entered(&mem, "/1/7/42/", 6, true), PR_OWNER);
    assert_int_equal(perm_pledge_relation_entered(&other, "/1/7/42/", 6, true), PR_NONE);
}

/* bulletins: offices over the issuing organisation compose; its subtree (and above) reads the
 * published ones; anyone a public one; only composers a draft */
static void test_bulletin_reading(void **state)
{
    principal off = who(ROLE_OFFICE, "/1/7/", 0), sec = who(ROLE_SECRETARY, "/1/7/42/", 0), mem = who(ROLE_MEMBER, "/1/7/42/", 6),
              other = who(ROLE_SECRETARY, "/1/9/50/", 0), top = who(ROLE_OFFICE, "/1/", 0);
    assert_true(perm_may_compose_bulletin(&off, "/1/7/"));
    assert_true(perm_may_compose_bulletin(&top, "/1/7/"));
    assert_false(perm_may_compose_bulletin(&sec, "/1/7/42/"));
    assert_false(perm_may_compose_bulletin(&off, "/1/"));
    assert_true(perm_may_read_bulletin(&sec, "/1/7/", true, false));
    assert_true(perm_may_read_bulletin(&mem, "/1/7/", true, false));
    assert_true(perm_may_read_bulletin(&top, "/1/7/", true, false));
    assert_false(perm_may_read_bulletin(&other, "/1/7/", true, false));
    assert_false(perm_may_read_bulletin(NULL, "/1/7/", true, false));
    assert_true(perm_may_read_bulletin(NULL, "/1/7/", true, true));
    assert_true(perm_may_read_bulletin(&other, "/1/7/", true, true));
    assert_false(perm_may_read_bulletin(&sec, "/1/7/", false, true)); /* a draft, even one to be public */
    assert_true(perm_may_read_bulletin(&off, "/1/7/", false, false));
    assert_false(perm_may_read_bulletin(NULL, "/1/7/", false, true));
}

/* organisation life: meetings, attendance, quotas */
static void test_meeting_rules(void **state)
{
    (void)state;
    principal office = who(ROLE_OFFICE, "/1/", 0), town = who(ROLE_OFFICE, "/1/2/", 0), sec = who(ROLE_SECRETARY, "/1/2/3/", 0),
              sec2 = who(ROLE_SECRETARY, "/1/2/4/", 0), member = who(ROLE_MEMBER, "/1/2/3/", 0), leader = who(ROLE_LEADER, "/1/2/", 0);
    assert_true(perm_may_run_meetings(&sec, "/1/2/3/"));
    assert_true(perm_may_run_meetings(&town, "/1/2/3/"));
    assert_false(perm_may_run_meetings(&sec2, "/1/2/3/"));   /* a sibling branch's secretary */
    assert_false(perm_may_run_meetings(&member, "/1/2/3/"));
    assert_false(perm_may_run_meetings(&leader, "/1/2/3/"));
    assert_true(perm_may_see_meetings(&member, "/1/2/3/", "/1/2/3/"));
    assert_false(perm_may_see_meetings(&member, "/1/2/4/", "/1/2/3/")); /* another branch's */
    assert_false(perm_may_see_meetings(&member, "/1/2/3/", ""));
    assert_true(perm_may_see_meetings(&leader, "/1/2/3/", NULL));
    assert_false(perm_may_see_meetings(&sec2, "/1/2/3/", NULL));
    assert_true(perm_sees_attendance(&sec, "/1/2/3/"));
    assert_false(perm_sees_attendance(&member, "/1/2/3/"));
    assert_true(perm_may_set_meeting_quota(&office, "/1/2/"));
    assert_true(perm_may_set_meeting_quota(&town, "/1/2/"));
    assert_false(perm_may_set_meeting_quota(&town, "/1/"));
    assert_false(perm_may_set_meeting_quota(&sec, "/1/2/3/"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_path_in_subtree), cmocka_unit_test(test_perm_allows_subtree),
        cmocka_unit_test(test_perm_allows_mask), cmocka_unit_test(test_perm_roles),
        cmocka_unit_test(test_perm_top_grant),  cmocka_unit_test(test_role_names),
        cmocka_unit_test(test_perm_above_and_paper), cmocka_unit_test(test_role_masks),
        cmocka_unit_test(test_pledge_relation), cmocka_unit_test(test_pledge_visibility),
        cmocka_unit_test(test_feedback_and_campaign), cmocka_unit_test(test_enter_for), cmocka_unit_test(test_feedback_triage_root),
        cmocka_unit_test(test_bulletin_reading),
        cmocka_unit_test(test_meeting_rules), /* organisation life */
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
