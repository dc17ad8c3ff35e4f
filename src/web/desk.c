/* desk.c: the to-do desk (工作台, GET /desk and /api/v1/me/desk), where every user lands after
 * signing in: what waits for them, by the roles they hold, each count with the page where it is
 * acted on (an existing page, its filters in the query string).
 *
 * One section per organisation where the user holds an office, secretary or discipline role
 * (perm_desk: the roles held there decide its items), then the user's own section as a leader
 * (commentary owed) and as a member (own pledges, self-review, peer reviews). Every count is a
 * module's own count variant over the organisation's subtree (a range scan of org.path):
 * pledge_count, feedback_count (with the feedback module's working-day reminder window,
 * feedback_soon), rect_count, grade_count, charge_list_user, review_peer_todo,
 * account_members_without. tests/unit/test_plans.c checks that none reads a whole table; on a demo district of 100,000 members (SQLite) the district office's desk
 * answers in about 70 ms, most of it the members without an account, a town's in 4 ms. Nothing
 * here changes anything. */
#include "web.h"
#include "../store/news.h" /* news items (issue 22) */
#include "../store/goal.h" /* annual goals (issue 22) */
#include "../store/quiz.h" /* 学习测试 (issue 18) */
#include "../store/contest.h" /* issue 19: contests and posts */
#include "../store/post.h"
#include "../domain/date.h"
#include "../store/charge.h"
#include "../store/feedback.h"
#include "../store/grade.h"
#include "../store/pledge.h"
#include "../store/rect.h"
#include "../store/report.h"
#include "../store/inspection.h"
#include "../store/meeting.h" /* organisation life */
#include "../store/review.h"
#include "../store/round.h"
#include "../store/notice.h" /* public notices (issue 19) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DESK_SOON_DAYS 7 /* a member's pledges due within this many days */
#define DESK_LIST 5      /* entries of a short list */

typedef struct desk {
    db *db;
    const principal *user;
    const char *vpath; /* the user's own member organisation (viewer_path) */
    bool failed;
    int64_t total;
    char today[11], soon[11]; /* the feedback reminder window (working days) */
} desk;

/* A new section {title, org_id?, items[]} in sections; returns its items. */
static cJSON *section(cJSON *sections, const char *title, const org *o)
{
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "title", title);
    if (o) {
        json_add_i64(s, "org_id", o->id);
        cJSON_AddStringToObject(s, "org_name", o->name);
    }
    cJSON_AddItemToArray(sections, s);
    return cJSON_AddArrayToObject(s, "items");
}

/* One item {key, label, count, href} (href malloc'd, taken) with n counted in the total. */
static cJSON *item(desk *k, cJSON *items, const char *key, const char *label, int64_t n, char *href)
{
    cJSON *x = cJSON_CreateObject();
    cJSON_AddStringToObject(x, "key", key);
    cJSON_AddStringToObject(x, "label", label);
    json_add_i64(x, "count", n);
    cJSON_AddStringToObject(x, "href", href);
    free(href);
    cJSON_AddItemToArray(items, x);
    k->total += n;
    return x;
}

static bool ok(desk *k, int rc)
{
    if (rc != CX_OK) k->failed = true;
    return rc == CX_OK;
}

/* A short list entry {label, href} of item x. */
static void entry(cJSON *x, const char *label, const char *href)
{
    cJSON *l = cJSON_GetObjectItem(x, "list");
    if (!l) l = cJSON_AddArrayToObject(x, "list");
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "label", label);
    cJSON_AddStringToObject(e, "href", href);
    cJSON_AddItemToArray(l, e);
}

static int pledge_entry(void *ctx, const pledge *p)
{
    char label[600], h[64];
    snprintf(label, sizeof label, "%s：%s", p->member_id ? p->member_name : p->org_name, p->title);
    snprintf(h, sizeof h, "/pledges/%lld", (long long)p->id);
    entry(ctx, label, h);
    return 0;
}

/* ---- an organisation's section: what its office, secretary and discipline inspector act on ---- */

/* An item counting the pledges of q, less (those counted but not the user's to act on), with a
 * short list of the first of list (NULL: q). */
static void pledges_item(desk *k, cJSON *items, const char *key, const char *label, const pledge_query *q, int64_t less,
                         const pledge_query *list, char *href)
{
    int64_t n = 0;
    if (!ok(k, pledge_count(k->db, q, &n))) {
        free(href);
        return;
    }
    cJSON *x = item(k, items, key, label, n - less, href);
    pledge_query l = list ? *list : *q;
    l.limit = DESK_LIST;
    if (n - less > 0) ok(k, pledge_list(k->db, &l, pledge_entry, x));
}

/* Pledges waiting for review (审诺) in o's subtree: all but o's own organisation pledges, which
 * the level above reviews (perm_pledge_relation); and those overdue. */
static void pledge_items(desk *k, cJSON *items, const org *o)
{
    pledge_query all = {.root = o, .subtree = true, .status = PS_SUBMITTED};
    pledge_query own = {.root = o, .org_only = true, .status = PS_SUBMITTED};
    pledge_query members = {.root = o, .subtree = true, .member_only = true, .status = PS_SUBMITTED}; /* o always reviews these */
    int64_t mine = 0;
    if (!ok(k, pledge_count(k->db, &own, &mine))) return;
    pledges_item(k, items, "pledges_submitted", "待审核的承诺（审诺）", &all, mine, &members,
                 xasprintf("/orgs/%lld/pledges?status=submitted", (long long)o->id));
    pledge_query late = {.root = o, .subtree = true, .status = -1, .overdue = true};
    pledges_item(k, items, "pledges_overdue", "逾期未完成的承诺", &late, 0, NULL, xasprintf("/orgs/%lld/pledges?overdue=1", (long long)o->id));
}

/* The grades of the round open over o: to decide by the branch meeting, and (an office) 优秀 and
 * 不合格 waiting for its approval; the secretary's own organisation self-review. */
static void round_items(desk *k, cJSON *items, const org *o, int work)
{
    review_round rd;
    int have = round_current(k->db, o->path, &rd);
    if (!ok(k, have < 0 ? CX_ERR : CX_OK)) return;
    char rq[40] = "";
    if (have) snprintf(rq, sizeof rq, "?round_id=%lld", (long long)rd.id);
    int64_t n = 0;
    grade_query g = {.round_id = have ? rd.id : 0, .root = o, .kind = 1, .undecided_only = true};
    if (have && !ok(k, grade_count(k->db, &g, &n))) return;
    item(k, items, "grades_undecided", "待支部党员大会决定的等次", n, xasprintf("/orgs/%lld/grades%s", (long long)o->id, rq));
    if (work & DESK_APPROVE) {
        grade_query a = {.round_id = g.round_id, .root = o, .kind = 1, .pending_only = true, .below_only = true};
        n = 0;
        if (have && !ok(k, grade_count(k->db, &a, &n))) return;
        item(k, items, "grades_approval", "待审批的优秀、不合格等次", n, xasprintf("/orgs/%lld/approvals%s", (long long)o->id, rq));
    }
    if (perm_may_review_org(k->user, o->path)) {
        review_text t;
        int f = have ? review_self_get(k->db, rd.id, true, o->id, &t) : 1;
        if (!ok(k, f < 0 ? CX_ERR : CX_OK)) return;
        item(k, items, "org_review_owed", "未提交的组织自评（五个好）", f == 0, xasprintf("/orgs/%lld/review%s", (long long)o->id, rq));
    }
}

static int feedback_entry(void *ctx, const feedback *f)
{
    char label[400], h[64];
    snprintf(label, sizeof label, "%s · %s · %s 到期", feedback_kind_label(f->kind), f->org_name, f->due_date);
    snprintf(h, sizeof h, "/feedback/%lld", (long long)f->id);
    entry(ctx, label, h);
    return 0;
}

/* An item counting the feedback of q in view, with a short list of the most urgent. */
static void feedback_item(desk *k, cJSON *items, const char *key, const char *label, feedback_query q, int view, char *href)
{
    int64_t n = 0;
    q.view = view;
    if (!ok(k, feedback_count(k->db, &q, &n))) {
        free(href);
        return;
    }
    cJSON *x = item(k, items, key, label, n, href);
    q.limit = DESK_LIST;
    if (n > 0) ok(k, feedback_list(k->db, &q, feedback_entry, x));
}

/* Open items due within the reminder window and overdue, of one class: ordinary items (reports
 * false) or reports (举报), as the feedback list counts them for this user. */
static void feedback_items(desk *k, cJSON *items, const org *o, bool reports)
{
    feedback_query q = {.root = o, .see_normal = !reports && perm_sees_feedback(k->user, o->path, false),
                        .see_reports = reports && perm_sees_feedback(k->user, o->path, true),
                        .viewer_member_path = k->vpath, .kind = reports ? FK_REPORT : -1, .status = -1,
                        .today = k->today, .soon = k->soon};
    if (!q.see_normal && !q.see_reports) return;
    const char *kq = reports ? "&kind=report" : "";
    feedback_item(k, items, reports ? "reports_due_soon" : "feedback_due_soon", reports ? "3 个工作日内到期的举报" : "3 个工作日内到期的意见建议、投诉",
                  q, FV_REMINDERS, xasprintf("/orgs/%lld/feedback?view=reminders%s", (long long)o->id, kq));
    feedback_item(k, items, reports ? "reports_overdue" : "feedback_overdue", reports ? "已逾期的举报" : "已逾期的意见建议、投诉", q, FV_OVERDUE,
                  xasprintf("/orgs/%lld/feedback?view=overdue%s", (long long)o->id, kq));
}

/* Rectification items submitted and waiting to be verified (验收销号): o's strict subtree, as the
 * level above verifies (rect_relation). */
static void rect_items(desk *k, cJSON *items, const org *o)
{
    rect_query all = {.root = o, .scope = RQ_SUBTREE, .status = RS_SUBMITTED};
    rect_query own = {.root = o, .scope = RQ_OWN, .status = RS_SUBMITTED};
    int64_t n = 0, mine = 0;
    if (!ok(k, rect_count(k->db, &all, &n)) || !ok(k, rect_count(k->db, &own, &mine))) return;
    item(k, items, "rect_submitted", "待验收销号的整改事项", n - mine, xasprintf("/orgs/%lld/rectifications?status=submitted", (long long)o->id));
}

/* Scheduled reports: o's own to write (due, missing or returned) for its secretary or office; those
 * submitted below o under a schedule issued at o or above, waiting for o to judge. */
static void report_items(desk *k, cJSON *items, const org *o)
{
    int64_t n = 0, c;
    for (report_filter f = RPF_DUE; f <= RPF_RETURNED; f++) {
        if (f != RPF_DUE && f != RPF_MISSING && f != RPF_RETURNED) continue;
        report_query q = {.root = o, .own = true, .filter = f, .today = k->today};
        if (!ok(k, report_count(k->db, &q, &c))) return;
        n += c;
    }
    item(k, items, "reports_to_write", "待撰写报送的定期汇报（含退回重报）", n, xasprintf("/orgs/%lld/reports", (long long)o->id));
    report_query j = {.root = o, .judge = true, .filter = RPF_SUBMITTED};
    if (ok(k, report_count(k->db, &j, &c)))
        item(k, items, "reports_to_judge", "下级报送待审阅的定期汇报", c, xasprintf("/orgs/%lld/reports?status=submitted", (long long)o->id));
}

/* Organisation life: the meetings a branch's quotas still ask for this month (each quota judged over
 * its own period: a quarterly one over this quarter), with the kinds short as a short list. */
static void meeting_items(desk *k, cJSON *items, const org *o)
{
    quota_gap g = {.org_id = o->id};
    snprintf(g.org_path, sizeof g.org_path, "%s", o->path);
    char from[11], to[11];
    snprintf(from, sizeof from, "%.8s01", k->today);
    day_string(day_of_ymd(atoi(k->today), atoi(k->today + 5), 1) + 31, to); /* a day of next month */
    day_string(day_of_ymd(atoi(to), atoi(to + 5), 1) - 1, to);               /* the last of this one */
    if (!ok(k, meeting_branch_gap(k->db, &g, from, to))) return;
    int64_t n = 0;
    for (int i = 0; i < MK_COUNT; i++) n += g.held[i] < g.due[i] ? g.due[i] - g.held[i] : 0;
    cJSON *x = item(k, items, "meetings_due", "按要求本月（季度要求为本季度）还应召开的会议", n, xasprintf("/orgs/%lld/meetings", (long long)o->id));
    char h[64];
    snprintf(h, sizeof h, "/orgs/%lld/meeting-quota", (long long)o->id);
    if (n) entry(x, g.text, h);
}

/* The section of organisation o (work: perm_desk there), headed by the roles held there. */
static void org_section(desk *k, cJSON *sections, const org *o, int work)
{
    buf t;
    buf_init(&t);
    buf_printf(&t, "%s（", o->name);
    bool first = true;
    for (int i = 0; i < k->user->ngrants; i++)
        if (k->user->grants[i].org_id == o->id) {
            buf_printf(&t, "%s%s", first ? "" : "、", role_label(k->user->grants[i].role));
            first = false;
        }
    buf_printf(&t, "）");
    cJSON *items = section(sections, t.p, o);
    buf_free(&t);
    if (work & DESK_RUN) {
        pledge_items(k, items, o);
        round_items(k, items, o, work);
        feedback_items(k, items, o, false);
        rect_items(k, items, o);
        report_items(k, items, o);
        int64_t c = 0;
        if (ok(k, account_members_without(k->db, o, &c)))
            item(k, items, "members_without_account", "未开通账号的党员", c, xasprintf("/orgs/%lld/accounts", (long long)o->id));
        if (!strcmp(o->type, "branch")) meeting_items(k, items, o); /* organisation life */
        /* issue 19 (posts): posts and areas in the subtree without a holder */
        int64_t np = 0;
        if (ok(k, post_count_unheld(k->db, o, &np)))
            item(k, items, "posts_unheld", "无人担任的示范岗、责任区", np, xasprintf("/orgs/%lld/posts?subtree=1", (long long)o->id));
    }
    if (work & DESK_REPORTS) feedback_items(k, items, o, true);
}

/* Inspections (督查): problems found by the user's teams, or under the user's offices, not yet
 * turned into rectification. A section only when there are some. */
static void inspection_section(desk *k, cJSON *sections)
{
    int64_t n = 0;
    if (!(perm_roles(k->user) & ROLE_STAFF) || !ok(k, finding_unrectified_count(k->db, k->user->user_id, &n)) || !n) return;
    const grant *g = perm_top_grant(k->user, ROLE_STAFF);
    item(k, section(sections, "督查", NULL), "findings_unrectified", "督查发现、尚未转为整改的问题", n,
         xasprintf("/orgs/%lld/findings", (long long)(g ? g->org_id : 0)));
}

/* ---- the user's own: a leader's commentary, a member's pledges and reviews ---- */

/* An item counted by a callback: created with 0, counted (with its short list), then set. */
typedef struct tally {
    cJSON *x;
    int64_t n;
} tally;

static void tally_set(desk *k, tally *t)
{
    cJSON_ReplaceItemInObject(t->x, "count", json_int(t->n));
    k->total += t->n;
}

static int charge_owed(void *ctx, const charge_row *c)
{
    tally *t = ctx;
    if (c->done || ++t->n > DESK_LIST) return 0;
    char h[128];
    snprintf(h, sizeof h, "/%s/%lld/commentary?round_id=%lld", c->org ? "orgs" : "members", (long long)c->target_id, (long long)c->round_id);
    entry(t->x, c->target_name, h);
    return 0;
}

static void leader_section(desk *k, cJSON *sections)
{
    cJSON *items = section(sections, "领导点评", NULL);
    tally t = {item(k, items, "commentary_owed", "未点评的联系组织和党员", 0, xstrdup("/me/charges")), 0};
    if (ok(k, charge_list_user(k->db, k->user->user_id, 0, charge_owed, &t))) tally_set(k, &t);
}

static int peer_owed(void *ctx, int64_t member_id, const char *name, bool done)
{
    tally *t = ctx;
    if (done || ++t->n > DESK_LIST) return 0;
    char h[64];
    snprintf(h, sizeof h, "/members/%lld/review", (long long)member_id);
    entry(t->x, name, h);
    return 0;
}

static void member_section(desk *k, cJSON *sections)
{
    member m;
    int f = member_get(k->db, k->user->member_id, &m);
    if (!ok(k, f < 0 ? CX_ERR : CX_OK) || f == 0 || !m.active) return;
    cJSON *items = section(sections, "我的事项", NULL);
    pledge_query draft = {.member_id = m.id, .status = PS_DRAFT};
    pledges_item(k, items, "my_pledges_draft", "草稿（未提交）的承诺", &draft, 0, NULL, xstrdup("/me/pledges"));
    pledge_query returned = {.member_id = m.id, .status = PS_RETURNED};
    pledges_item(k, items, "my_pledges_returned", "被退回待修改的承诺", &returned, 0, NULL, xstrdup("/me/pledges"));
    char week[11];
    day_string(day_number(k->today) + DESK_SOON_DAYS, week);
    pledge_query due = {.member_id = m.id, .status = PS_IN_PROGRESS, .due_from = k->today, .due_to = week};
    pledges_item(k, items, "my_pledges_due", "7 天内到期的承诺", &due, 0, NULL, xstrdup("/me/pledges"));
    pledge_query late = {.member_id = m.id, .status = -1, .overdue = true};
    pledges_item(k, items, "my_pledges_overdue", "已逾期的承诺", &late, 0, NULL, xstrdup("/me/pledges"));
    if (k->failed) return;
    review_round rd;
    int have = round_current(k->db, m.org_path, &rd);
    if (!ok(k, have < 0 ? CX_ERR : CX_OK)) return;
    review_text t;
    f = have ? review_self_get(k->db, rd.id, false, m.id, &t) : 1;
    if (!ok(k, f < 0 ? CX_ERR : CX_OK)) return;
    item(k, items, "self_review_owed", "未提交的自评", f == 0, xstrdup("/me/reviews"));
    tally p = {item(k, items, "peer_reviews_owed", "未互评的本支部党员", 0, xstrdup("/me/reviews")), 0};
    if (have && !ok(k, review_peer_todo(k->db, rd.id, &m, peer_owed, &p))) return;
    tally_set(k, &p);
    /* 学习测试 (issue 18, study and quizzes): quizzes open now the member has not answered */
    int64_t nq = 0;
    if (!ok(k, quiz_open_unanswered(k->db, m.id, m.org_path, now_unix(), &nq))) return;
    item(k, items, "quizzes_open", "答题中未作答的学习测试", nq, xstrdup("/me/quizzes"));
}

/* Public notices (公示, issue 19): objections not yet decided under the user's highest office or
 * discipline grant, without those the user is recused from. A section only when there are some. */
static void objection_section(desk *k, cJSON *sections)
{
    const grant *g = perm_top_grant(k->user, ROLE_OFFICE | ROLE_DISCIPLINE);
    if (!g) return;
    member m;
    const char *own = k->user->member_id > 0 && member_get(k->db, k->user->member_id, &m) == 1 ? m.org_path : "";
    int64_t n = 0;
    if (!ok(k, objection_open_count(k->db, g->path, own, &n)) || !n) return;
    item(k, section(sections, "公示异议", NULL), "objections_open", "公示期间收到、尚未核查完毕的异议", n, xasprintf("/orgs/%lld/notices", (long long)g->org_id));
}

/* 三比 contests (issue 19): contests open for scoring where the user is a judge who has not
 * submitted, each linking to its scoring sheet. A section only when there are some. */
static int contest_owed(void *ctx, const contest *c)
{
    tally *t = ctx;
    if (++t->n > DESK_LIST) return 0;
    char h[64];
    snprintf(h, sizeof h, "/contests/%lld/score", (long long)c->id);
    entry(t->x, c->title, h);
    return 0;
}

static void contest_section(desk *k, cJSON *sections)
{
    if (!(perm_roles(k->user) & ROLE_STAFF)) return;
    cJSON *tmp = cJSON_CreateArray();
    tally t = {cJSON_CreateObject(), 0};
    cJSON_AddItemToArray(tmp, t.x);
    if (!ok(k, contest_list_to_score(k->db, k->user->user_id, contest_owed, &t)) || !t.n) {
        cJSON_Delete(tmp);
        return;
    }
    cJSON *list = cJSON_DetachItemFromObject(t.x, "list");
    cJSON_Delete(tmp);
    cJSON *x = item(k, section(sections, "三比竞赛评分", NULL), "contests_to_score", "待评分的竞赛", t.n, xstrdup("/me/contests"));
    if (list) cJSON_AddItemToObject(x, "list", list);
}

/* News items (简报, issue 22): under the user's highest office grant, the items of its subtree below
 * it waiting for adoption and for publication. A section for every office holder. */
static void news_section(desk *k, cJSON *sections)
{
    const grant *g = perm_top_grant(k->user, ROLE_OFFICE);
    org o;
    if (!g) return;
    int f = org_get(k->db, g->org_id, &o);
    int64_t sub = 0, ad = 0;
    if (!ok(k, f < 0 ? CX_ERR : CX_OK) || f == 0 || !ok(k, news_desk_counts(k->db, &o, &sub, &ad))) return;
    cJSON *items = section(sections, "简报信息", NULL);
    item(k, items, "news_to_adopt", "下级报送、待采用的简报信息和典型", sub, xasprintf("/orgs/%lld/news?status=submitted", (long long)o.id));
    item(k, items, "news_to_publish", "已采用、待发布的简报信息和典型", ad, xasprintf("/orgs/%lld/news?status=adopted", (long long)o.id));
}

/* Annual goals (年初工作目标, issue 22): under the user's highest office grant, the goals of its
 * subtree below it waiting for acceptance. A section for every office holder. */
static void goals_section(desk *k, cJSON *sections)
{
    const grant *g = perm_top_grant(k->user, ROLE_OFFICE);
    org o;
    if (!g) return;
    int f = org_get(k->db, g->org_id, &o);
    int64_t n = 0;
    if (!ok(k, f < 0 ? CX_ERR : CX_OK) || f == 0 || !ok(k, goal_desk_count(k->db, &o, &n))) return;
    item(k, section(sections, "年度工作目标", NULL), "goals_to_accept", "下级报送、待验收的年度工作目标", n,
         xasprintf("/orgs/%lld/goals?status=submitted", (long long)o.id));
}

int desk_build(db *d, const principal *u, const char *vpath, cJSON *out, int64_t *total)
{
    desk k = {.db = d, .user = u, .vpath = vpath};
    *total = 0;
    if (feedback_soon(d, k.today, k.soon) != CX_OK) return CX_ERR;
    cJSON *sections = cJSON_AddArrayToObject(out, "sections");
    /* one section per organisation where a role held there has work waiting (perm_desk) */
    for (int i = 0; i < u->ngrants && !k.failed; i++) {
        const grant *g = &u->grants[i];
        bool seen = false;
        for (int j = 0; j < i; j++) seen = seen || u->grants[j].org_id == g->org_id;
        int work = seen ? 0 : perm_desk(u, g->path);
        if (!work) continue;
        org o;
        int f = org_get(d, g->org_id, &o);
        if (f < 0) k.failed = true;
        if (f == 1 && o.active) org_section(&k, sections, &o, work);
    }
    if (!k.failed) inspection_section(&k, sections);
    if (!k.failed) contest_section(&k, sections); /* issue 19: contests */
    if (!k.failed && (perm_roles(u) & ROLE_LEADER)) leader_section(&k, sections);
    if (!k.failed && u->member_id) member_section(&k, sections);
    if (!k.failed) objection_section(&k, sections); /* public notices (issue 19) */
    if (!k.failed) news_section(&k, sections); /* news items (issue 22) */
    if (!k.failed) goals_section(&k, sections); /* annual goals (issue 22) */
    if (k.failed) return CX_ERR;
    json_add_i64(out, "total", k.total);
    cJSON_AddStringToObject(out, "today", k.today);
    *total = k.total;
    return CX_OK;
}

void h_desk(req *r)
{
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "工作台");
    int64_t total;
    if (desk_build(r->db, &r->user, viewer_path(r), d, &total) != CX_OK) req_failf(r, 500, "db_error", "", "读取工作台失败");
}
