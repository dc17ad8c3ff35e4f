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
/* The role masks routes and handlers use; defined here only. */
enum {
    ROLE_ADMIN = ROLE_OFFICE | ROLE_SECRETARY,                                  /* runs an organisation */
    ROLE_STAFF = ROLE_OFFICE | ROLE_SECRETARY | ROLE_LEADER | ROLE_DISCIPLINE, /* everyone but plain members */
    ROLE_CASEWORK = ROLE_OFFICE | ROLE_SECRETARY | ROLE_DISCIPLINE,            /* enters and answers feedback */
    ROLE_TRIAGE = ROLE_OFFICE | ROLE_DISCIPLINE,                               /* classifies, assigns, merges feedback */
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
    bool totp_on;       /* the second factor is asked at sign-in */
    bool totp_due;      /* a staff account an office above requires the second factor of, without it:
                         * it may only set it up (web/request.c) */
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

/* ---- the rules of each resource, named (handlers call these, never combine masks themselves) ---- */

/* How p stands to a pledge of the organisation at org_path made by member member_id (0: the
 * organisation's own pledge), as PR_* bits (domain/pledge.h): a member pledge is its member's
 * (OWNER) and reviewed by an office or secretary over its organisation; an organisation pledge is
 * its own office's or secretary's (OWNER) and reviewed by those strictly above. */
int perm_pledge_relation(const principal *p, const char *org_path, int64_t member_id);
/* p may see the pledge: a role over its organisation or its owner; before it is public (draft,
 * submitted, returned) only its owner and reviewers (not fellow members, not leaders). */
bool perm_may_see_pledge(const principal *p, const char *org_path, int64_t member_id, bool is_public);
/* p may read the pledge's evidence files: a role over its organisation, or its owner. */
bool perm_may_see_pledge_evidence(const principal *p, const char *org_path, int64_t member_id);
/* p may enter records for the member member_id of the organisation at org_path (代录: a pledge,
 * its progress, the self-review): an office or secretary over that organisation; never for
 * themselves (that is their own entry), never a plain member for another, never outside p's subtree. */
bool perm_may_enter_for(const principal *p, const char *org_path, int64_t member_id);
/* p may key in the paper peer-review sheets (民主测评表) of the branch at org_path: an office or
 * secretary over it. */
bool perm_may_key_sheets(const principal *p, const char *org_path);
/* perm_pledge_relation, and PR_PROXY when the pledge was entered for its member (代录) and p may
 * enter for that member: the member's own actions (edit, submit, progress, complete) are then open
 * to p on the member's behalf, and p's review actions stay open too. */
int perm_pledge_relation_entered(const principal *p, const char *org_path, int64_t member_id, bool entered);
/* p sees an organisation's own drafts among its pledges, and may make pledges in its name. */
bool perm_may_manage_pledges(const principal *p, const char *org_path);
/* p may see the feedback items of an organisation at org_path: ordinary items (opinions,
 * complaints) its office, secretary and leaders; reports (举报) its discipline inspectors only. */
bool perm_sees_feedback(const principal *p, const char *org_path, bool report);
/* p may publish the reply to an ordinary feedback item or turn it into a rectification item: an
 * office or secretary over it; never a report (举报). */
bool perm_may_publish_feedback(const principal *p, const char *org_path, bool report);
/* p may assign a feedback item to the organisation at org_path: one in p's reach, as an office
 * (for a report, 举报, as a discipline inspector). */
bool perm_may_assign_feedback_to(const principal *p, const char *org_path, bool report);
/* Where p triages the feedback of the organisation at org_path: the highest organisation over it at
 * which p may triage (an office; for a report, 举报, a discipline inspector); NULL when nowhere.
 * Merge candidates (重复反映) are offered from that grant's subtree only. */
const grant *perm_feedback_triage_root(const principal *p, const char *org_path, bool report);
/* p may key in a report (举报) at the organisation at org_path: its discipline inspectors only. */
bool perm_may_enter_report(const principal *p, const char *org_path);
/* p works somewhere in the area of a campaign or round at path (a grant inside it or covering it),
 * so may see it. */
bool perm_may_see_area(const principal *p, const char *path);
/* p may approve a member's 优秀 or 不合格 grade (上级审批): an office strictly above the member's
 * organisation at org_path. */
bool perm_may_approve_grade(const principal *p, const char *org_path);
/* p may write the organisation self-review (组织自评) of the organisation at org_path: its own
 * secretary, not one above. */
bool perm_may_review_org(const principal *p, const char *org_path);
/* p may set up a campaign (rules, phases) or open and close its rounds: an office over the
 * organisation at org_path. */
bool perm_may_run_campaign(const principal *p, const char *org_path);

/* ---- inspections (督查) ---- */
/* p may plan, draw, start and close an inspection issued by the office at office_path (and add its
 * targets): an office over that organisation. */
bool perm_may_run_inspection(const principal *p, const char *office_path);
/* p may record findings of the inspection (and turn a problem into rectification): a member of its
 * team (on_team) or an office over the issuing organisation. */
bool perm_may_record_finding(const principal *p, const char *office_path, bool on_team);
/* p may see the finding at finding_path of an inspection: the office over the issuing organisation
 * and the team see all of them; the staff of an inspected organisation (a role other than member
 * over it) only their own. */
bool perm_sees_finding(const principal *p, const char *office_path, bool on_team, const char *finding_path);
/* p may turn the problem found at finding_path into a rectification item: p may record findings and
 * will be able to open the item made (staff over finding_path, as every rectification item is read).
 * A team member whose own grant lies in another part of the tree records the problem; the office
 * over the issuer, or staff over the organisation, makes it a rectification item. */
bool perm_may_rectify_finding(const principal *p, const char *office_path, bool on_team, const char *finding_path);

/* p may give an account the role at the organisation at org_path (making the account, or a
 * grant): a member's account an office or secretary over it; any other role an office over it. */
bool perm_may_grant(const principal *p, int role, const char *org_path);
/* p may manage (reset the password, lock, unlock) the account user_id holding the grants g[0..n):
 * never p's own; p may grant every one of them (perm_may_grant); an account with no grant only
 * the system. */
bool perm_may_manage_account(const principal *p, int64_t user_id, const grant *g, int n);
/* ---- bulletins (通报, issue 17) ---- */
/* p may compose, publish, delete and correct the bulletins of the office at org_path, and set its
 * number prefix: an office over it. */
bool perm_may_compose_bulletin(const principal *p, const char *org_path);
/* p may read a bulletin of the office at org_path: a public published one anyone (p may be NULL);
 * a published one for the subtree the users of that subtree (and above it); a draft only those
 * who may compose it. */
bool perm_may_read_bulletin(const principal *p, const char *org_path, bool published, bool is_public);

/* What the to-do desk (工作台) of p shows for the organisation at org_path, from the roles p holds
 * exactly there (each covering its subtree), as DESK_* bits; 0: no section (a leader's work is
 * its charges, a member's their own, both apart from any organisation). */
enum {
    DESK_RUN = 1,     /* an office or secretary: pledges to review, grades to decide, feedback, rectification, accounts */
    DESK_APPROVE = 2, /* an office: 优秀 and 不合格 of the levels below to approve (perm_may_approve_grade) */
    DESK_REPORTS = 4, /* a discipline inspector: reports (举报) due */
};
int perm_desk(const principal *p, const char *org_path);

/* Union of the role bits p holds anywhere. */
int perm_roles(const principal *p);
/* The highest organisation (shortest path) at which p holds a role in mask; NULL if none. */
const grant *perm_top_grant(const principal *p, int mask);
/* ---- scheduled reports (定期汇报述职, domain/report.h) ---- */
/* p may set report schedules for the subtree of the organisation at org_path: an office over it. */
bool perm_may_schedule_reports(const principal *p, const char *org_path);
/* p may read a report of the organisation at org_path, or a schedule issued at org_path: staff
 * (office, secretary, leader, discipline) there or above. */
bool perm_may_read_report(const principal *p, const char *org_path);
/* How p stands to a report of the organisation at org_path under a schedule issued at
 * issuer_path, as RPR_* bits: WRITER (1) the organisation's own secretary or an office over it;
 * JUDGE (2) a secretary or office strictly above it, at or below the issuing organisation. */
int perm_report_relation(const principal *p, const char *org_path, const char *issuer_path);
/* ---- liaison points (联络点, issue 18) ---- */
/* p may set the liaison rule of the subtree at office_path, assign and end liaison points there,
 * and read its lists of leaders: an office over it. */
bool perm_may_run_liaison(const principal *p, const char *office_path);
/* p may see a liaison point at the organisation at point_path and its visits: its leader (is_leader),
 * or staff (office, secretary, leader, discipline) over that organisation. */
bool perm_sees_liaison_point(const principal *p, const char *point_path, bool is_leader);
/* p may record a visit to the point (and add its files): its leader, or an office over its organisation. */
bool perm_may_record_visit(const principal *p, const char *point_path, bool is_leader);
/* p may turn a problem found at a visit into a rectification item: p may record the visit and will be
 * able to open the item made (staff over the point's organisation, as every item is read). */
bool perm_may_rectify_visit(const principal *p, const char *point_path, bool is_leader);
/* p may see the points and visits of the leader whose leader grant is at grant_path: the leader
 * (is_self), or an office over that grant. */
bool perm_sees_liaison_leader(const principal *p, const char *grant_path, bool is_self);
/* ---- the ledger (台账, issue 18) ---- */
/* p may read the ledger of the organisation at org_path (its entries, totals, export): staff
 * (office, secretary, leader, discipline) there or above. */
bool perm_may_read_ledger(const principal *p, const char *org_path);
/* p may enter ledger entries of the organisation at org_path: an office or secretary over it. */
bool perm_may_enter_ledger(const principal *p, const char *org_path);
/* p may change or delete an entry of the organisation at org_path entered by created_by: whoever
 * entered it while still an office or secretary over it, or an office over it. */
bool perm_may_edit_ledger(const principal *p, const char *org_path, int64_t created_by);
/* p may add ledger categories for the subtree of the organisation at org_path: an office over it. */
bool perm_may_add_ledger_category(const principal *p, const char *org_path);
/* ---- organisation life: meetings, attendance, quotas (组织生活, issue 18 meetings) ---- */
/* p may plan, hold, cancel and edit the meetings of the organisation at org_path, mark attendance
 * and show its sign-in QR code: its secretary or office, or one over it. */
bool perm_may_run_meetings(const principal *p, const char *org_path);
/* p may see the meetings of the organisation at org_path: staff over it, or a member of exactly that
 * organisation (own_path: the path of p's own member organisation, "" or NULL for none), who sees
 * only their own attendance. */
bool perm_may_see_meetings(const principal *p, const char *org_path, const char *own_path);
/* p may see every attendee of a meeting of the organisation at org_path (not only their own): staff over it. */
bool perm_sees_attendance(const principal *p, const char *org_path);
/* p may set the meeting quotas of the subtree of the organisation at org_path: an office over it. */
bool perm_may_set_meeting_quota(const principal *p, const char *org_path);
/* ---- study notes and quizzes (issue 18, study and quizzes) ---- */
/* p may keep the question bank of the office at office_path, assign its quizzes, close them early
 * and see all their results: an office over that organisation. */
bool perm_may_run_quiz(const principal *p, const char *office_path);
/* p may see a quiz's scores, pass rates and rankings for the organisation at org_path: staff
 * (office, secretary, leader, discipline) over it. */
bool perm_sees_quiz_results(const principal *p, const char *org_path);
/* p may answer a quiz over the subtree at scope_path as the member whose organisation is at
 * member_path: p's own member record, in the scope. */
bool perm_may_answer_quiz(const principal *p, int64_t member_id, const char *member_path, const char *scope_path);
/* p may read the study notes (学习心得) written in the organisation at org_path: its secretary and
 * the offices and secretaries above (an office or secretary over it); a member their own. */
bool perm_may_read_study_notes(const principal *p, const char *org_path);
bool perm_may_see_study_note(const principal *p, const char *org_path, int64_t member_id);
/* ---- 三比 contests (issue 19) ---- */
/* p may set up, open, close and publish the contests of the office at office_path and see their
 * results once scoring closed: an office over that organisation. */
bool perm_may_run_contest(const principal *p, const char *office_path);
/* p may score a contest: one of its judges (is_judge) holding a staff role; only that contest, only
 * p's own scores. */
bool perm_may_judge_contest(const principal *p, bool is_judge);
/* p may see a published contest of the office at office_path (its ranking and method): anyone
 * working in its area (a grant inside it or over it), members included. */
bool perm_may_see_contest(const principal *p, const char *office_path);
/* ---- exemplary posts and responsibility areas (示范岗、责任区, issue 19 posts) ---- */
/* p may see the registry of posts and areas of the organisation at org_path: staff (office,
 * secretary, leader, discipline) there or above. */
bool perm_may_see_posts(const principal *p, const char *org_path);
/* p may create and change the posts and areas of the organisation at org_path and their holders:
 * its secretary or office, or one over it. */
bool perm_may_manage_posts(const principal *p, const char *org_path);
/* p may see one post or area of the organisation at org_path: staff over it, or a member who holds
 * or held it (is_holder). */
bool perm_may_see_post(const principal *p, const char *org_path, bool is_holder);
/* ---- 评选表彰 awards (issue 19) ---- */
/* p may create an award kind of the office at office_path, set its rules, open and close
 * nominating, record the review vote, approve and revoke: an office over that organisation. */
bool perm_may_run_awards(const principal *p, const char *office_path);
/* p may see an award kind of the office at office_path (not its draft): staff working in its area. */
bool perm_may_see_award(const principal *p, const char *office_path);
/* The grant through which p nominates a candidate whose organisation is at cand_path for an award
 * of the office at office_path: the nearest secretary or office grant over the candidate that lies
 * within the award's scope (a branch its members or itself, a town its branches); NULL when none. */
const grant *perm_award_nominator(const principal *p, const char *office_path, const char *cand_path);
/* p may see a nomination (its evidence and vote) of a candidate at cand_path for an award of the
 * office at office_path: the office running it, or staff over the candidate. */
bool perm_may_see_nomination(const principal *p, const char *office_path, const char *cand_path);
/* p may withdraw a nomination made by the organisation at nominator_path: its secretary or office
 * (or one over it), or the office running the award. */
bool perm_may_withdraw_nomination(const principal *p, const char *office_path, const char *nominator_path);
/* ---- published round results (issue 19 results) ---- */
/* p may preview, publish and withdraw the round results of the office at office_path (its window
 * league table, organisations' satisfaction, 优秀 members): an office over that organisation. */
bool perm_may_publish_results(const principal *p, const char *office_path);
/* p may read a published list of the office at office_path through the API (the public page needs
 * no account): anyone working in its area (a grant inside it or over it). */
bool perm_may_see_results(const principal *p, const char *office_path);
/* ---- public notices (公示) and objections (异议), issue 19 ---- */
/* p may open the notices of the office at office_path and change their contact line: an office over it. */
bool perm_may_run_notice(const principal *p, const char *office_path);
/* p may see a notice of the office at office_path on the staff side (its items, not its
 * objections): staff (office, secretary, leader, discipline) there or above. */
bool perm_may_see_notice(const principal *p, const char *office_path);
/* p may see and handle the objections to an item of a notice of the office at office_path: an
 * office or discipline inspector (纪检) over that office, unless p's own membership (own_path, ""
 * or NULL for none) lies in the organisation of the item's subject (item_path): the candidate and
 * the candidate's own branch never see what is raised against them. */
bool perm_may_handle_objection(const principal *p, const char *office_path, const char *own_path, const char *item_path);
#endif
