/* perm.c: subtree-scoped role checks. A role held at an organisation covers its subtree and
 * nothing else: the check is a prefix test on materialized paths, no recursion, no SQL. */
#include "perm.h"
#include "pledge.h"
#include <string.h>

static const grant *top_grant_over(const principal *p, int mask, const char *org_path);

static const struct { int role; const char *name, *label; } roles[] = {
    {ROLE_OFFICE, "office", "活动办公室"},
    {ROLE_SECRETARY, "secretary", "党组织书记"},
    {ROLE_LEADER, "leader", "党员领导干部"},
    {ROLE_MEMBER, "member", "党员"},
    {ROLE_DISCIPLINE, "discipline", "纪检"},
};

int role_from_name(const char *name)
{
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (name && strcmp(name, roles[i].name) == 0) return roles[i].role;
    return 0;
}

const char *role_name(int role)
{
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (roles[i].role == role) return roles[i].name;
    return "";
}

const char *role_label(int role)
{
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (roles[i].role == role) return roles[i].label;
    return "";
}

bool path_in_subtree(const char *path, const char *root)
{
    size_t n = strlen(root);
    return n > 0 && root[n - 1] == '/' && strncmp(path, root, n) == 0;
}

bool perm_allows(const principal *p, int mask, const char *org_path)
{
    if (!p || !org_path) return false;
    for (int i = 0; i < p->ngrants; i++)
        if ((p->grants[i].role & mask) && path_in_subtree(org_path, p->grants[i].path)) return true;
    return false;
}

bool perm_above(const principal *p, int mask, const char *org_path)
{
    if (!p || !org_path) return false;
    for (int i = 0; i < p->ngrants; i++)
        if ((p->grants[i].role & mask) && path_in_subtree(org_path, p->grants[i].path) && strcmp(org_path, p->grants[i].path))
            return true;
    return false;
}

bool perm_at(const principal *p, int mask, const char *org_path)
{
    if (!p || !org_path) return false;
    for (int i = 0; i < p->ngrants; i++)
        if ((p->grants[i].role & mask) && !strcmp(org_path, p->grants[i].path)) return true;
    return false;
}

/* "/7/": one organisation deep, the top of the tree */
static bool top_path(const char *path)
{
    int slashes = 0;
    for (const char *c = path; *c; c++) slashes += *c == '/';
    return slashes == 2;
}

bool perm_paper_handler(const principal *p, const char *org_path)
{
    if (!org_path) return false;
    return perm_above(p, ROLE_ADMIN, org_path) || (top_path(org_path) && perm_at(p, ROLE_OFFICE, org_path));
}

int perm_roles(const principal *p)
{
    int r = 0;
    for (int i = 0; p && i < p->ngrants; i++) r |= p->grants[i].role;
    return r;
}

bool perm_may_grant(const principal *p, int role, const char *org_path)
{
    return perm_allows(p, role == ROLE_MEMBER ? ROLE_ADMIN : ROLE_OFFICE, org_path);
}

bool perm_may_manage_account(const principal *p, int64_t user_id, const grant *g, int n)
{
    if (!p || user_id == p->user_id || n == 0) return false;
    for (int i = 0; i < n; i++)
        if (!perm_may_grant(p, g[i].role, g[i].path)) return false;
    return true;
}

const grant *perm_top_grant(const principal *p, int mask)
{
    return top_grant_over(p, mask, NULL);
}

int perm_pledge_relation(const principal *p, const char *org_path, int64_t member_id)
{
    int rel = PR_NONE;
    if (!p || !org_path) return rel;
    if (member_id) {
        if (p->member_id && p->member_id == member_id) rel |= PR_OWNER;
        if (perm_allows(p, ROLE_ADMIN, org_path)) rel |= PR_REVIEWER;
        return rel;
    }
    /* the organisation's own secretary/office owns its pledge; those strictly above review it */
    for (int i = 0; i < p->ngrants; i++) {
        const grant *g = &p->grants[i];
        if (!(g->role & ROLE_ADMIN) || !path_in_subtree(org_path, g->path)) continue;
        rel |= strcmp(org_path, g->path) == 0 ? PR_OWNER : PR_REVIEWER;
    }
    return rel;
}

bool perm_may_enter_for(const principal *p, const char *org_path, int64_t member_id)
{
    return p && member_id > 0 && p->member_id != member_id && perm_allows(p, ROLE_ADMIN, org_path);
}

bool perm_may_key_sheets(const principal *p, const char *org_path) { return perm_allows(p, ROLE_ADMIN, org_path); }

int perm_pledge_relation_entered(const principal *p, const char *org_path, int64_t member_id, bool entered)
{
    int rel = perm_pledge_relation(p, org_path, member_id);
    if (entered && perm_may_enter_for(p, org_path, member_id)) rel |= PR_PROXY;
    return rel;
}

bool perm_may_see_pledge(const principal *p, const char *org_path, int64_t member_id, bool is_public)
{
    int rel = perm_pledge_relation(p, org_path, member_id);
    if (!perm_allows(p, ROLE_ANY, org_path) && !(rel & PR_OWNER)) return false;
    return is_public || (rel & (PR_OWNER | PR_REVIEWER));
}

bool perm_may_see_pledge_evidence(const principal *p, const char *org_path, int64_t member_id)
{
    return perm_allows(p, ROLE_ANY, org_path) || (perm_pledge_relation(p, org_path, member_id) & PR_OWNER);
}

bool perm_may_manage_pledges(const principal *p, const char *org_path) { return perm_allows(p, ROLE_ADMIN, org_path); }

bool perm_sees_feedback(const principal *p, const char *org_path, bool report)
{
    return perm_allows(p, report ? ROLE_DISCIPLINE : ROLE_OFFICE | ROLE_SECRETARY | ROLE_LEADER, org_path);
}

bool perm_may_publish_feedback(const principal *p, const char *org_path, bool report)
{
    return !report && perm_allows(p, ROLE_ADMIN, org_path);
}

bool perm_may_assign_feedback_to(const principal *p, const char *org_path, bool report)
{
    return perm_allows(p, report ? ROLE_DISCIPLINE : ROLE_OFFICE, org_path);
}

/* The highest grant of a role in mask, covering org_path when it is given. */
static const grant *top_grant_over(const principal *p, int mask, const char *org_path)
{
    const grant *best = NULL;
    for (int i = 0; p && i < p->ngrants; i++)
        if ((p->grants[i].role & mask) && (!org_path || path_in_subtree(org_path, p->grants[i].path)) &&
            (!best || strlen(p->grants[i].path) < strlen(best->path)))
            best = &p->grants[i];
    return best;
}

const grant *perm_feedback_triage_root(const principal *p, const char *org_path, bool report)
{
    return org_path ? top_grant_over(p, report ? ROLE_DISCIPLINE : ROLE_OFFICE, org_path) : NULL;
}

bool perm_may_enter_report(const principal *p, const char *org_path) { return perm_allows(p, ROLE_DISCIPLINE, org_path); }

bool perm_may_run_campaign(const principal *p, const char *org_path) { return perm_allows(p, ROLE_OFFICE, org_path); }

/* inspections (督查) */
bool perm_may_run_inspection(const principal *p, const char *office_path) { return perm_allows(p, ROLE_OFFICE, office_path); }

bool perm_may_record_finding(const principal *p, const char *office_path, bool on_team)
{
    return on_team || perm_may_run_inspection(p, office_path);
}

bool perm_sees_finding(const principal *p, const char *office_path, bool on_team, const char *finding_path)
{
    return perm_may_record_finding(p, office_path, on_team) || perm_allows(p, ROLE_STAFF, finding_path);
}

bool perm_may_rectify_finding(const principal *p, const char *office_path, bool on_team, const char *finding_path)
{
    return perm_may_record_finding(p, office_path, on_team) && perm_allows(p, ROLE_STAFF, finding_path);
}

bool perm_may_see_area(const principal *p, const char *path)
{
    if (!p || !path) return false;
    for (int i = 0; i < p->ngrants; i++)
        if (path_in_subtree(p->grants[i].path, path) || path_in_subtree(path, p->grants[i].path)) return true;
    return false;
}

bool perm_may_approve_grade(const principal *p, const char *org_path) { return perm_above(p, ROLE_OFFICE, org_path); }

bool perm_may_review_org(const principal *p, const char *org_path) { return perm_at(p, ROLE_SECRETARY, org_path); }

int perm_desk(const principal *p, const char *org_path)
{
    return (perm_at(p, ROLE_ADMIN, org_path) ? DESK_RUN : 0) | (perm_at(p, ROLE_OFFICE, org_path) ? DESK_APPROVE : 0) |
           (perm_at(p, ROLE_DISCIPLINE, org_path) ? DESK_REPORTS : 0);
}

/* ---- bulletins (通报) ---- */
bool perm_may_compose_bulletin(const principal *p, const char *org_path) { return perm_allows(p, ROLE_OFFICE, org_path); }

bool perm_may_read_bulletin(const principal *p, const char *org_path, bool published, bool is_public)
{
    if (!published) return perm_may_compose_bulletin(p, org_path);
    return is_public || perm_may_see_area(p, org_path);
}

/* ---- scheduled reports ---- */

bool perm_may_schedule_reports(const principal *p, const char *org_path) { return perm_allows(p, ROLE_OFFICE, org_path); }

bool perm_may_read_report(const principal *p, const char *org_path) { return perm_allows(p, ROLE_STAFF, org_path); }

int perm_report_relation(const principal *p, const char *org_path, const char *issuer_path)
{
    if (!p || !org_path || !issuer_path) return 0;
    int rel = perm_at(p, ROLE_SECRETARY, org_path) || perm_allows(p, ROLE_OFFICE, org_path) ? 1 : 0;
    for (int i = 0; i < p->ngrants; i++) {
        const grant *g = &p->grants[i];
        if ((g->role & ROLE_ADMIN) && path_in_subtree(org_path, g->path) && strcmp(org_path, g->path) && path_in_subtree(g->path, issuer_path))
            rel |= 2;
    }
    return rel;
}

/* liaison points (联络点, issue 18) */
bool perm_may_run_liaison(const principal *p, const char *office_path) { return perm_allows(p, ROLE_OFFICE, office_path); }

bool perm_sees_liaison_point(const principal *p, const char *point_path, bool is_leader)
{
    return is_leader || perm_allows(p, ROLE_STAFF, point_path);
}

bool perm_may_record_visit(const principal *p, const char *point_path, bool is_leader)
{
    return is_leader || perm_allows(p, ROLE_OFFICE, point_path);
}

bool perm_may_rectify_visit(const principal *p, const char *point_path, bool is_leader)
{
    return perm_may_record_visit(p, point_path, is_leader) && perm_allows(p, ROLE_STAFF, point_path);
}

bool perm_sees_liaison_leader(const principal *p, const char *grant_path, bool is_self)
{
    return is_self || perm_allows(p, ROLE_OFFICE, grant_path);
}
/* ---- the ledger (台账, issue 18) ---- */

bool perm_may_read_ledger(const principal *p, const char *org_path) { return perm_allows(p, ROLE_STAFF, org_path); }

bool perm_may_enter_ledger(const principal *p, const char *org_path) { return perm_allows(p, ROLE_ADMIN, org_path); }

bool perm_may_edit_ledger(const principal *p, const char *org_path, int64_t created_by)
{
    return (created_by == p->user_id && perm_allows(p, ROLE_ADMIN, org_path)) || perm_allows(p, ROLE_OFFICE, org_path);
}

bool perm_may_add_ledger_category(const principal *p, const char *org_path) { return perm_allows(p, ROLE_OFFICE, org_path); }
/* organisation life: meetings, attendance, quotas (issue 18 meetings) */
bool perm_may_run_meetings(const principal *p, const char *org_path) { return perm_allows(p, ROLE_ADMIN, org_path); }
bool perm_may_see_meetings(const principal *p, const char *org_path, const char *own_path)
{
    return perm_allows(p, ROLE_STAFF, org_path) || (own_path && *own_path && !strcmp(own_path, org_path));
}
bool perm_sees_attendance(const principal *p, const char *org_path) { return perm_allows(p, ROLE_STAFF, org_path); }
bool perm_may_set_meeting_quota(const principal *p, const char *org_path) { return perm_allows(p, ROLE_OFFICE, org_path); }
/* ---- study notes and quizzes (issue 18, study and quizzes) ---- */

bool perm_may_run_quiz(const principal *p, const char *office_path) { return perm_allows(p, ROLE_OFFICE, office_path); }

bool perm_sees_quiz_results(const principal *p, const char *org_path) { return perm_allows(p, ROLE_STAFF, org_path); }

bool perm_may_answer_quiz(const principal *p, int64_t member_id, const char *member_path, const char *scope_path)
{
    return p && member_id > 0 && p->member_id == member_id && member_path && scope_path && path_in_subtree(member_path, scope_path);
}

bool perm_may_read_study_notes(const principal *p, const char *org_path) { return perm_allows(p, ROLE_ADMIN, org_path); }

bool perm_may_see_study_note(const principal *p, const char *org_path, int64_t member_id)
{
    return (p && member_id > 0 && p->member_id == member_id) || perm_may_read_study_notes(p, org_path);
}
/* ---- 三比 contests (issue 19) ---- */
bool perm_may_run_contest(const principal *p, const char *office_path) { return perm_allows(p, ROLE_OFFICE, office_path); }

bool perm_may_judge_contest(const principal *p, bool is_judge) { return p && is_judge && (perm_roles(p) & ROLE_STAFF); }

bool perm_may_see_contest(const principal *p, const char *office_path) { return perm_may_see_area(p, office_path); }
/* ---- exemplary posts and responsibility areas (issue 19 posts) ---- */
bool perm_may_see_posts(const principal *p, const char *org_path) { return perm_allows(p, ROLE_STAFF, org_path); }
bool perm_may_manage_posts(const principal *p, const char *org_path) { return perm_allows(p, ROLE_ADMIN, org_path); }
bool perm_may_see_post(const principal *p, const char *org_path, bool is_holder) { return is_holder || perm_may_see_posts(p, org_path); }
/* ---- 评选表彰 awards (issue 19) ---- */
bool perm_may_run_awards(const principal *p, const char *office_path) { return perm_allows(p, ROLE_OFFICE, office_path); }

bool perm_may_see_award(const principal *p, const char *office_path) { return perm_may_see_area(p, office_path) && (perm_roles(p) & ROLE_STAFF); }

const grant *perm_award_nominator(const principal *p, const char *office_path, const char *cand_path)
{
    const grant *best = NULL;
    for (int i = 0; p && office_path && cand_path && i < p->ngrants; i++) {
        const grant *g = &p->grants[i];
        if (!(g->role & ROLE_ADMIN) || !path_in_subtree(g->path, office_path) || !path_in_subtree(cand_path, g->path)) continue;
        if (!best || strlen(g->path) > strlen(best->path)) best = g;
    }
    return best;
}

bool perm_may_see_nomination(const principal *p, const char *office_path, const char *cand_path)
{
    return perm_may_run_awards(p, office_path) || perm_allows(p, ROLE_STAFF, cand_path);
}

bool perm_may_withdraw_nomination(const principal *p, const char *office_path, const char *nominator_path)
{
    return perm_may_run_awards(p, office_path) || perm_allows(p, ROLE_ADMIN, nominator_path);
}
/* ---- published round results (issue 19 results) ---- */
bool perm_may_publish_results(const principal *p, const char *office_path) { return perm_allows(p, ROLE_OFFICE, office_path); }
bool perm_may_see_results(const principal *p, const char *office_path) { return perm_may_see_area(p, office_path); }

/* ---- public notices (公示) and objections (异议), issue 19 ---- */
bool perm_may_run_notice(const principal *p, const char *office_path) { return perm_allows(p, ROLE_OFFICE, office_path); }
bool perm_may_see_notice(const principal *p, const char *office_path) { return perm_allows(p, ROLE_STAFF, office_path); }
bool perm_may_handle_objection(const principal *p, const char *office_path, const char *own_path, const char *item_path)
{
    if (!perm_allows(p, ROLE_OFFICE | ROLE_DISCIPLINE, office_path)) return false;
    return !(own_path && *own_path && item_path && *item_path && path_in_subtree(own_path, item_path));
}
