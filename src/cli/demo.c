/* demo.c: `cxzy demo`: fills an empty database with a generated district (domain/demo.c) in one
 * transaction audited as one batch, then adds the demo accounts, a campaign and demo pledges. */
#include "cli.h"
#include "../domain/demo.h"
#include "../domain/date.h"
#include "../domain/workday.h"
#include "../store/pledge.h"
#include "../store/campaign.h"
#include "../store/round.h"
#include "../store/review.h"
#include "../store/charge.h"
#include "../store/grading.h"
#include "../store/rating.h"
#include "../store/window.h"
#include "../store/rater.h"
#include "../store/ballot.h"
#include "../store/paper_batch.h"
#include "../store/feedback.h"
#include "../store/rect.h"
#include "../store/rollup.h"
#include "../store/quota_rollup.h" /* meeting quotas (issue 18) */
#include "../lib/crypto.h"
#include <getopt.h>
#include <pthread.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEMO_PASSWORD "cxzy-demo-2026"

typedef struct demo_ctx {
    db *d;
    org *orgs; /* by generation key - 1 */
    size_t norgs, cap;
    int64_t members, first_branch, second_branch_other_town, first_town, first_member;
    char town_path[CX_PATH_MAX];
    cx_err e;
    int64_t now;
    db_bulk *bulk; /* the members, in one bulk insert (COPY on PostgreSQL) */
    tally *tallies; /* the members written at each organisation (by generation key - 1) */
} demo_ctx;

/* The first pass: the tree, checked and kept in memory (parent_id: the parent's generation key,
 * which org_create_many takes as its position). */
static int on_org(void *vctx, const demo_org *o)
{
    demo_ctx *c = vctx;
    org_ok ok;
    if (org_check(&(org_in){o->name, o->type, o->sector}, &ok, &c->e) != CX_OK) return 1;
    if ((size_t)o->key != c->norgs + 1) {
        cx_fail(&c->e, 500, "demo", "", "演示数据的组织顺序异常");
        return 1;
    }
    if (c->norgs == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 256;
        c->orgs = xrealloc(c->orgs, c->cap * sizeof *c->orgs);
    }
    org *dst = &c->orgs[c->norgs++];
    memset(dst, 0, sizeof *dst);
    dst->parent_id = o->parent_key;
    snprintf(dst->name, sizeof dst->name, "%s", ok.name);
    snprintf(dst->type, sizeof dst->type, "%s", ok.type);
    snprintf(dst->sector, sizeof dst->sector, "%s", ok.sector);
    return 0;
}

/* The tree written at once; then a first town committee and two branches in different towns for
 * the demo logins. */
static int store_orgs(demo_ctx *c)
{
    if (org_create_many(c->d, &actor_cli, c->orgs, c->norgs, &c->e) != CX_OK) return 1;
    for (size_t i = 0; i < c->norgs; i++) {
        const org *o = &c->orgs[i];
        if (!c->first_town && o->depth == 1 && !strcmp(o->sector, "rural")) {
            c->first_town = o->id;
            snprintf(c->town_path, sizeof c->town_path, "%s", o->path);
        }
        if (!c->first_branch && c->first_town && !strcmp(o->type, "branch") && path_in_subtree(o->path, c->town_path))
            c->first_branch = o->id;
    }
    return 0;
}

static int on_member(void *vctx, const demo_member *m)
{
    demo_ctx *c = vctx;
    member_in in = {m->name, m->sex, m->ethnicity, m->birth_date, m->idcard, m->phone, m->joined_date,
                    m->full_date, m->education, m->post, m->duties, m->status};
    member_rec r;
    cx_err errs[4];
    if (member_validate(&in, &r, errs, 4) != 0) {
        cx_fail(&c->e, 500, "demo", "", "演示党员 %s 数据无效：%s", m->name, errs[0].msg);
        return 1;
    }
    if (!c->bulk) c->bulk = member_bulk_begin(c->d);
    if (member_bulk_row(c->bulk, &c->orgs[m->org_key - 1], &r, c->now) != CX_OK) {
        cx_fail(&c->e, 500, "db_error", "", "写入演示党员失败：%s", db_errmsg(c->d));
        return 1;
    }
    if (!c->tallies) c->tallies = xcalloc(c->norgs, sizeof *c->tallies);
    tally_of_member(&c->tallies[m->org_key - 1], true, r.status, 1); /* a new member is active */
    c->members++;
    return 0;
}

/* The members counted as they were written added to their organisations' tallies and every
 * ancestor's (the demo's database had no member before: the same as reading them back). */
static int tally_written(demo_ctx *c)
{
    const char **paths = xmalloc((c->norgs ? c->norgs : 1) * sizeof *paths);
    tally *v = xmalloc((c->norgs ? c->norgs : 1) * sizeof *v);
    size_t n = 0;
    for (size_t i = 0; c->tallies && i < c->norgs; i++)
        if (c->tallies[i].v[TL_MEMBERS_ACTIVE]) paths[n] = c->orgs[i].path, v[n++] = c->tallies[i];
    int rc = tally_add_paths(c->d, paths, v, n);
    free(paths);
    free(v);
    return rc;
}

/* A branch outside the first town's subtree: the "sibling subtree" account. */
static int64_t other_branch(demo_ctx *c)
{
    const org *town = NULL;
    for (size_t i = 0; i < c->norgs; i++)
        if (c->orgs[i].id == c->first_town) town = &c->orgs[i];
    for (size_t i = 0; town && i < c->norgs; i++)
        if (!strcmp(c->orgs[i].type, "branch") && !path_in_subtree(c->orgs[i].path, town->path)) return c->orgs[i].id;
    return 0;
}

/* A date n days from today, "YYYY-MM-DD" (cli.h). */
void days_from_today(int n, char out[11])
{
    time_t t = time(NULL) + (time_t)n * 86400;
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

/* One action on a pledge by the CLI actor, its input checked as a request's is. */
static int demo_act(db *d, int64_t id, pledge_action action, int relation, const pledge_extra *x, cx_err *e)
{
    pledge_act_ok *ok = xmalloc(sizeof *ok);
    int rc = pledge_act_check(action, x, ok, e) == CX_OK ? pledge_act(d, &actor_cli, id, relation, ok, NULL, e) : CX_ERR;
    free(ok);
    return rc;
}

/* One pledge taken through the lifecycle to `upto` by the CLI actor (as owner and reviewer). */
static int demo_pledge(db *d, int64_t org_id, int64_t member_id, int64_t campaign_id, const char *area, const char *title,
                       const char *content, const char *measures, const char *resp, int due_days, pledge_status upto,
                       const char *const *progress, cx_err *e)
{
    char due[11];
    days_from_today(due_days, due);
    pledge_in in = {area, title, content, measures, resp, due};
    pledge_ok *ok = xmalloc(sizeof *ok);
    int64_t id;
    int rc = pledge_check(&in, member_id == 0, true, ok, e, 1) /* past due dates too: the demo shows overdue pledges */ ? CX_ERR : pledge_create(d, &actor_cli, org_id, member_id, campaign_id, ok, &id, e);
    free(ok);
    if (rc != CX_OK) return CX_ERR;
    static const pledge_action path[] = {PA_SUBMIT, PA_APPROVE};
    for (int i = 0; i < 2 && upto >= (i == 0 ? PS_SUBMITTED : PS_IN_PROGRESS); i++)
        if (demo_act(d, id, path[i], i ? PR_REVIEWER : PR_OWNER, NULL, e) != CX_OK) return CX_ERR;
    int pct = 0;
    for (int i = 0; progress && progress[i]; i++) {
        char date[11], percent[8];
        days_from_today(-30 + 10 * i, date);
        pct += 30;
        snprintf(percent, sizeof percent, "%d", pct > 100 ? 100 : pct);
        progress_ok *pe = xmalloc(sizeof *pe);
        rc = pledge_progress_check(date, progress[i], percent, pe, e, 1) ? CX_ERR
                                                                             : pledge_add_progress(d, &actor_cli, id, PR_OWNER, pe, NULL, 0, NULL, e);
        free(pe);
        if (rc != CX_OK) return CX_ERR;
    }
    if (upto == PS_COMPLETED || upto == PS_RATED) {
        pledge_extra done = {.summary = "承诺事项全部完成，主干道已通车"};
        if (demo_act(d, id, PA_COMPLETE, PR_OWNER, &done, e) != CX_OK) return CX_ERR;
        pledge_extra x = {.grade = "good", .comment = "按期兑现，群众反映好"};
        if (upto == PS_RATED && demo_act(d, id, PA_RATE, PR_REVIEWER, &x, e) != CX_OK) return CX_ERR;
    }
    if (upto == PS_MISSED) {
        pledge_extra x = {.miss_kind = "objective", .explanation = "因汛期道路中断，工程顺延至明年春季"};
        if (demo_act(d, id, PA_MISS, PR_REVIEWER, &x, e) != CX_OK) return CX_ERR;
    }
    return CX_OK;
}

/* The demo campaign, and pledges in every state in the first branch (the demo logins' branch). */
static int demo_pledges(db *d, int64_t root, int64_t branch, int64_t *campaign_id, cx_err *e)
{
    char start[11], end[11];
    days_from_today(-180, start);
    days_from_today(365, end);
    int64_t cid;
    campaign_ok c;
    if (campaign_check(&(campaign_in){"创先争优比贡献，建设美好新顺河", start, end}, &c, e) != CX_OK ||
        campaign_create(d, &actor_cli, root, &c, &cid, e) != CX_OK)
        return CX_ERR;
    *campaign_id = cid;
    int64_t ids[6] = {0};
    db_stmt *s = db_prepare(d, "SELECT id FROM member WHERE org_id = ? ORDER BY id LIMIT 6");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, branch);
    for (int i = 0; i < 6 && db_step(s) == DB_ROW; i++) ids[i] = db_col_i64(s, 0);
    db_done(s);
    if (!ids[5]) return CX_OK; /* a tiny demo: no pledges */
    member m[6];
    for (int i = 0; i < 6; i++)
        if (member_get(d, ids[i], &m[i]) != 1) return cx_fail(e, 500, "db_error", "", "数据库错误：示范党员 %" PRId64 " 读不到", ids[i]);
    static const char *const visits[] = {"走访联系户 4 户，收集意见 3 条", "帮助王大娘办理医保报销", NULL};
    static const char *const roads[] = {"完成路线勘察和预算", NULL};
    if (demo_pledge(d, branch, 0, cid, "关心服务党员群众", "为群众办实事 10 件", "围绕群众急难愁盼，全年办实事不少于 10 件，逐件公示。",
                    "支部委员分片包干，每月例会通报进度。", "支部书记", 120, PS_IN_PROGRESS, visits, e) != CX_OK ||
        demo_pledge(d, branch, ids[0], cid, "服务群众", "每月走访联系户不少于 4 户", "认真走访联系户，帮助解决实际困难。",
                    "建立走访台账，每月底前完成走访并记录。", m[0].r.name, 90, PS_IN_PROGRESS, visits, e) != CX_OK ||
        demo_pledge(d, branch, ids[0], cid, "理论学习", "读一本党史书籍并写心得", "年内读完《中国共产党简史》。", "每周学习两章。",
                    m[0].r.name, 200, PS_DRAFT, NULL, e) != CX_OK ||
        demo_pledge(d, branch, ids[1], cid, "履行职责", "按期完成村级道路硬化", "年内完成村内主干道硬化 1.2 公里。", "争取项目资金，组织施工。",
                    m[1].r.name, 30, PS_RATED, roads, e) != CX_OK ||
        demo_pledge(d, branch, ids[2], cid, "工作作风", "办事不过夜", "群众来办事当天办结，确需延期的当天说明。", "建立办事登记簿。",
                    m[2].r.name, -10, PS_IN_PROGRESS, NULL, e) != CX_OK ||
        demo_pledge(d, branch, ids[3], cid, "服务群众", "修缮村文化广场", "年内修缮村文化广场。", "申请资金、组织施工。", m[3].r.name, 20,
                    PS_MISSED, roads, e) != CX_OK ||
        demo_pledge(d, branch, ids[4], cid, "廉洁自律", "不收受任何礼品礼金", "严守廉洁纪律。", "接受群众监督，公开监督电话。", m[4].r.name, 300,
                    PS_SUBMITTED, NULL, e) != CX_OK)
        return CX_ERR;
    return CX_OK;
}

/* A ballot cast in its three steps (see store/ballot.h). */
static int demo_cast(db *d, const actor *a, const ballot_in *in, cx_err *e)
{
    ballot_prep p;
    ballot_texts_ok ok;
    ballot_out out;
    if (ballot_prepare(d, in, &p, e) != CX_OK || ballot_texts_check(&p.texts, &ok, e) != CX_OK) return CX_ERR;
    return ballot_cast(&d, a, in, &p, &ok, &out, e);
}

/* Ballots cast as a resident would (web, distinct devices) or keyed in from paper sheets. */
typedef struct sheet_ctx {
    db *d;
    int64_t batch;
    int n;
    cx_err *e;
    int rc;
    const actor *a; /* who keys the sheets in */
} sheet_ctx;
static int key_sheet(void *ctx, const char *code)
{
    sheet_ctx *k = ctx;
    if (k->n >= 8) return 1; /* 10 issued, 8 returned (one spoiled), 2 not returned */
    ballot_in in = {.channel = "paper", .batch_id = k->batch, .sheet_code = code, .answers = k->n % 3 ? "111111" : "111211",
                    .spoiled = k->n == 7};
    paper_batch b;
    k->rc = demo_cast(k->d, k->a, &in, k->e);
    if (k->rc == CX_OK && paper_batch_get(k->d, k->batch, &b) == 1) k->rc = paper_sheet_keyed(k->d, k->a, &b, code, k->e);
    k->n++;
    return k->rc != CX_OK;
}

/* Residents on the web or by QR code: most verify their phone (the demo stands in for the SMS
 * code), every fourth does not and shows in the unverified indicator only. */
int demo_ballots(db *d, int kind, int64_t target, int n, const char *const *answers, cx_err *e)
{
    for (int i = 0; i < n; i++) {
        char dev[DEVICE_TOKEN_LEN + 1], phone[16];
        device_issue(dev);
        snprintf(phone, sizeof phone, "139%02d%06" PRId64, i % 100, (target * 7 + kind) % 1000000);
        bool verified = i % 4 != 3;
        ballot_in in = {.channel = i % 3 ? "web" : "qr", .kind = kind, .target_id = target, .answers = answers[i % 4],
                        .device = dev, .phone = verified ? phone : NULL, .phone_verified = verified};
        if (demo_cast(d, NULL, &in, e) != CX_OK) return CX_ERR;
    }
    return CX_OK;
}

/* A submission from the public, checked as a request's is. */
static int demo_submit(db *d, const feedback_in *in, int64_t *id, char code[FEEDBACK_CODE_CAP], cx_err *e)
{
    feedback_ok *ok = xmalloc(sizeof *ok);
    int rc = feedback_check(in, ok, e) == CX_OK ? feedback_submit(d, NULL, &(feedback_new){.in = ok}, id, code, e) : CX_ERR;
    free(ok);
    return rc;
}

/* Opinions and complaints (one about a town window answered and published by the district, one
 * about the branch waiting at the town), a 举报 that only the discipline inspectors above the
 * branch see, and a rectification item from an inspection. */
static int demo_feedback(db *d, const org *branch, int64_t window, int64_t accused, cx_err *e)
{
    char code[FEEDBACK_CODE_CAP];
    int64_t id;
    feedback_in c = {.kind = "complaint", .channel = FC_QR, .about_kind = "window", .about_id = window,
                     .text = "中午十二点到一点窗口没有人办理业务，上班族只能请假来办，希望错峰安排午休。",
                     .name = "李先生", .contact = "13900001234"};
    feedback_reply_ok *reply = xmalloc(sizeof *reply);
    int rc = demo_submit(d, &c, &id, code, e) == CX_OK &&
                     feedback_reply_check("感谢您的意见。自下周一起，社保医保窗口实行午间轮班，中午十二点到一点有专人办理业务。", true,
                                          "群众反映窗口午休无人办理业务，希望错峰安排。", reply, e) == CX_OK &&
                     feedback_reply(d, &actor_cli, id, reply, e) == CX_OK
                 ? CX_OK
                 : CX_ERR;
    free(reply);
    if (rc != CX_OK) return CX_ERR;
    /* a complaint about the branch goes to the town above it, never to the branch's secretary */
    feedback_in cb = {.kind = "complaint", .channel = FC_WEB, .about_kind = "org", .about_id = branch->id,
                      .text = "支部组织的志愿服务只在上级检查前搞一次，平时见不到人，希望上级督促。", .name = "王女士", .contact = "13700005678"};
    if (demo_submit(d, &cb, &id, code, e) != CX_OK) return CX_ERR;
    feedback_in o = {.kind = "suggestion", .channel = FC_WEB, .about_kind = "org", .about_id = branch->id,
                     .text = "建议支部把党员承诺事项和完成情况贴在村务公开栏，方便不上网的老人查看。"};
    if (demo_submit(d, &o, &id, code, e) != CX_OK) return CX_ERR;
    feedback_in r = {.kind = "report", .channel = FC_QR, .about_kind = "member", .about_id = accused,
                     .text = "反映该党员在今年低保评定中优亲厚友，把亲属列入低保名单。", .name = "匿名群众"};
    if (demo_submit(d, &r, &id, code, e) != CX_OK) return CX_ERR;
    char due[11], today[11];
    date_today(today);
    day_string(day_number(today) + 20, due);
    rect_new x = {.source = "inspection",
                  .in = {"督查发现：“三会一课”会议记录不全，近三个月缺少两次支委会记录。",
                         "补齐近三个月的会议记录，建立会议台账，每月由支部书记签字。", "支部书记", due}};
    rect_new_ok *ok = xmalloc(sizeof *ok);
    rc = rect_new_check(&x, NULL, ok, e) == CX_OK ? rect_create(d, &actor_cli, branch->id, ok, NULL, e) : CX_ERR;
    free(ok);
    return rc;
}

/* The demo's review round (三评) for the whole district: self and peer reviews in the first
 * branch, the town leader's charges and commentary, a service window with web and paper
 * ballots, public ballots for the first members, and the branch's grades. */
static int demo_reviews(db *d, int64_t root, int64_t town, int64_t branch, int64_t campaign_id, cx_err *e)
{
    char start[11], end[11], name[64], today[11];
    days_from_today(-170, start);
    days_from_today(10, end);
    date_today(today);
    int month = atoi(today + 5);
    snprintf(name, sizeof name, "%.4s年%s半年", today, month <= 6 ? "上" : "下");
    int64_t rid, leader = 0, win;
    round_ok ro;
    if (round_check(&(round_in){name, start, end, "party3"}, &ro, e) != CX_OK || round_create(d, &actor_cli, root, campaign_id, &ro, &rid, e) != CX_OK)
        return CX_ERR;
    int64_t ids[8] = {0};
    int n = 0;
    db_stmt *s = db_prepare(d, "SELECT id FROM member WHERE org_id = ? AND active = 1 AND status = 'full' ORDER BY id LIMIT 8");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, branch);
    while (n < 8 && db_step(s) == DB_ROW) ids[n++] = db_col_i64(s, 0);
    db_done(s);
    if (n < 4) return CX_OK; /* a tiny demo */
    static const char *const levels[8] = {"11111", "11211", "12221", "22222", "11112", "23322", "11121", "12111"};
    static const char *const peers[8] = {"11111", "11221", "12222", "22222", "11212", "23332", "12221", "12211"};
    static const char *const gaps[4] = {"理论学习还不够系统，联系群众的次数偏少", "业务创新不足，办事效率有待提高",
                                        "服务群众的主动性不够", "带头弘扬正气方面做得不够"};
    member m[8];
    bool upd;
    review_ok rv;
    /* the members filled in paper forms (自评表、互评表) that the branch secretary keyed in */
    actor sec = {0, "支部书记", NULL, NULL};
    if (user_find(d, "secretary", &sec.user_id) != 1) return CX_OK;
    for (int i = 0; i < n; i++) {
        if (member_get(d, ids[i], &m[i]) != 1) return CX_ERR;
        review_in self = {levels[i], "按承诺走访联系户，帮助群众解决实际困难", gaps[i % 4], "每月至少走访 4 户，坚持学习记笔记"};
        if (review_check(&self, true, &rv, e) != CX_OK || review_member_submit(d, &sec, rid, &m[i], ids[i], &rv, &upd, e) != CX_OK)
            return CX_ERR;
    }
    for (int i = 0; i < n; i++)
        for (int k = 1; k <= 2; k++) {
            review_in peer = {peers[(i + k) % n], "", "", ""};
            if (review_check(&peer, false, &rv, e) != CX_OK || review_member_submit(d, &sec, rid, &m[(i + k) % n], ids[i], &rv, &upd, e) != CX_OK)
                return CX_ERR;
        }
    org b;
    if (org_get(d, branch, &b) != 1) return CX_ERR;
    review_in oself = {"11211", "班子团结，承诺事项按期推进", "工作机制还不够健全", "完善党员联系户制度"};
    if (review_check(&oself, true, &rv, e) != CX_OK || review_org_submit(d, &sec, rid, &b, &rv, &upd, e) != CX_OK) return CX_ERR;
    if (user_find(d, "leader", &leader) == 1) {
        commentary_in ci = {"1", "支部班子团结，公开承诺推进有力", "群众评议发动面还不够广", "扩大群众评议覆盖面，按月通报践诺情况"};
        commentary_ok co;
        if (charge_add(d, &actor_cli, rid, leader, &b, 0, NULL, e) != CX_OK ||
            charge_add(d, &actor_cli, rid, leader, &b, ids[0], NULL, e) != CX_OK ||
            charge_add(d, &actor_cli, rid, leader, &b, ids[1], NULL, e) != CX_OK || commentary_check(&ci, &co, e) != CX_OK ||
            commentary_submit(d, &actor_cli, rid, leader, &b, 0, &co, &upd, e) != CX_OK)
            return CX_ERR;
        commentary_in cm = {"2", "走访联系户扎实，群众认可", "理论学习笔记不够系统", "下半年读完一本党史书籍并交流心得"};
        if (commentary_check(&cm, &co, e) != CX_OK || commentary_submit(d, &actor_cli, rid, leader, &b, ids[0], &co, &upd, e) != CX_OK)
            return CX_ERR;
    }
    static const char *const party[4] = {"111", "111", "112", "121"};
    static const char *const window[4] = {"111111", "111111", "112111", "111121"};
    if (demo_ballots(d, RK_MEMBER, ids[0], 9, party, e) != CX_OK || demo_ballots(d, RK_MEMBER, ids[1], 5, party, e) != CX_OK ||
        demo_ballots(d, RK_ORG, branch, 6, party, e) != CX_OK)
        return CX_ERR;
    window_ok w1, w2;
    if (window_check(&(window_in){"便民服务中心 社保医保窗口", "镇便民服务中心一楼 2 号窗口"}, &w1, e) != CX_OK ||
        window_check(&(window_in){"便民服务中心 民政窗口", "镇便民服务中心一楼 3 号窗口"}, &w2, e) != CX_OK ||
        window_create(d, &actor_cli, town, &w1, &win, e) != CX_OK || window_create(d, &actor_cli, town, &w2, NULL, e) != CX_OK ||
        demo_ballots(d, RK_WINDOW, win, 7, window, e) != CX_OK)
        return CX_ERR;
    /* 纸质问卷 for the town's window: issued and keyed in by the level above (the district office) */
    int64_t batch;
    actor off = {0, "区委活动办公室", NULL, NULL};
    if (user_find(d, "office", &off.user_id) != 1) off = actor_cli;
    paper_batch_ok pb;
    if (paper_batch_check(&(paper_batch_in){10, "接待日现场发放"}, &pb, e) != CX_OK || paper_batch_create(d, &off, RK_WINDOW, win, &pb, &batch, e) != CX_OK)
        return CX_ERR;
    sheet_ctx k = {d, batch, 0, e, CX_OK, &off};
    if (paper_codes(d, batch, key_sheet, &k) != CX_OK || k.rc != CX_OK) return CX_ERR;
    size_t graded;
    org t;
    if (grades_store(d, &actor_cli, rid, &b, false, &graded, e) != CX_OK || org_get(d, town, &t) != 1 ||
        grades_store(d, &actor_cli, rid, &t, true, &graded, e) != CX_OK) /* the town office grades its organisations */
        return CX_ERR;
    return demo_feedback(d, &b, win, ids[2], e);
}

/* The demo accounts' argon2id hashes (each its own salt, the project's parameters), made on a
 * thread of their own while the main thread writes the organisations and members: seven hashes
 * one after another took 0.1-0.25 s of the demo's time on its critical path. */
#define DEMO_LOGINS 7
typedef struct login_hashes {
    pthread_t t;
    bool started;
    int rc;
    char hash[DEMO_LOGINS][128];
} login_hashes;

static void *hash_logins(void *arg)
{
    login_hashes *h = arg;
    h->rc = CX_OK;
    for (int i = 0; i < DEMO_LOGINS && h->rc == CX_OK; i++) h->rc = crypto_pw_hash(DEMO_PASSWORD, h->hash[i]);
    return NULL;
}

static void logins_hash_start(login_hashes *h)
{
    h->started = pthread_create(&h->t, NULL, hash_logins, h) == 0;
}

/* The hashes ready (made here when no thread could be started); CX_ERR when out of memory. */
static int logins_hash_wait(login_hashes *h)
{
    if (h->started) pthread_join(h->t, NULL), h->started = false;
    else hash_logins(h);
    return h->rc;
}

void demo_phase(const char *name)
{
    static int on = -1;
    static struct timespec last;
    if (on < 0) on = getenv("CXZY_DEMO_PHASES") != NULL;
    if (!on) return;
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    if (name) fprintf(stderr, "demo phase %-12s %.3f s\n", name, (double)(t.tv_sec - last.tv_sec) + (double)(t.tv_nsec - last.tv_nsec) / 1e9);
    last = t;
}

int cmd_demo(int argc, char **argv)
{
    static const char *usage = "用法：cxzy demo [--members N] [--seed S] [--orgs-only] [--db URL] [--key FILE]\n"
                               "  在空数据库中生成演示区县（区委 → 镇党委/机关工委/企业工委… → 党总支 → 党支部，覆盖全部领域），\n"
                               "  默认约 3000 名党员（可到 1000000），并创建演示账号，密码均为 " DEMO_PASSWORD "。\n"
                               "  --orgs-only 只生成该规模的组织树、不生成党员（用于名册导入基准测试）。\n";
    cli_opts o = {0};
    int64_t members = 3000;
    uint64_t seed = 2010;
    static struct option opts[] = {COMMON_OPTS,
                                   {"members", required_argument, 0, 'm'}, {"seed", required_argument, 0, 's'},
                                   {"orgs-only", no_argument, 0, 'o'}, {0}};
    int ch;
    bool orgs_only = false;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (cli_common_opt(ch, &o)) continue;
        int64_t v;
        switch (ch) {
        case 'm':
            if (!cli_int("members", optarg, 1, 10000000, &v)) return 2;
            members = v;
            break;
        case 's':
            if (str_to_i64(optarg, &v) != CX_OK || v < 0) return fprintf(stderr, "错误：--seed 应为非负整数\n"), 2;
            seed = (uint64_t)v;
            break;
        case 'o': orgs_only = true; break;
        case OPT_HELP: printf("%s", usage); return 0;
        default: return cli_usage(usage);
        }
    }
    if (optind < argc) return fprintf(stderr, "%s", usage), 2;
    db *d = cli_open(&o, true);
    if (!d) return 1;
    int64_t existing = 0;
    db_i64(d, &existing, 0, "SELECT count(*) FROM org", "");
    if (existing) {
        fprintf(stderr, "错误：数据库 %s 中已有 %" PRId64 " 个组织；demo 只在空数据库上运行（换一个 --db，或删除该数据库文件）\n", o.db, existing);
        db_close(d);
        return 1;
    }
    login_hashes lh = {0};
    logins_hash_start(&lh);
    db_bulk_defer_fk(d, true); /* an empty database nobody uses yet: foreign keys checked once a bulk insert */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    demo_phase(NULL);
    demo_ctx c = {.d = d, .now = now_unix()};
    demo_cb tree = {&c, on_org, NULL}, members_cb = {&c, NULL, on_member};
    int rc = 1;
    /* the members' tally is added once, per organisation, after the bulk insert (counted as written) */
    /* two passes of the same generation: the tree first (its rows must be in the table before the
     * members that point at them), then the members */
    int gen = db_begin(d, true) == CX_OK ? demo_generate(seed, members, &tree) : 1;
    if (!gen) gen = store_orgs(&c);
    if (!gen && !orgs_only) gen = demo_generate(seed, members, &members_cb);
    if (gen) db_bulk_cancel(c.bulk);
    else if (c.bulk && db_bulk_end(c.bulk) != CX_OK) gen = 1; /* the last rows are in the table before the tally */
    c.bulk = NULL;
    if (!gen && tally_written(&c) == CX_OK) {
        char *after = xasprintf("{\"orgs\":%zu,\"members\":%" PRId64 ",\"seed\":%" PRIu64 "}", c.norgs, c.members, seed);
        if (audit_append(d, &actor_cli, "demo", "org", c.orgs[0].id, c.orgs[0].id, NULL, after, "ok") == CX_OK &&
            db_commit(d) == CX_OK)
            rc = 0;
        free(after);
    }
    free(c.tallies);
    c.tallies = NULL;
    if (rc) {
        db_rollback(d);
        fprintf(stderr, "错误：生成演示数据失败：%s\n", c.e.msg[0] ? c.e.msg : db_errmsg(d));
        logins_hash_wait(&lh);
        free(c.orgs);
        db_close(d);
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    demo_phase("tree+members");
    if (c.first_branch) /* the "member" demo login is the first member of the first branch */
        db_i64(d, &c.first_member, 0, "SELECT min(id) FROM member WHERE org_id = ?", "i", c.first_branch);
    cx_err pe = {0};
    int64_t campaign_id = 0;
    if (demo_pledges(d, c.orgs[0].id, c.first_branch ? c.first_branch : c.orgs[0].id, &campaign_id, &pe) != CX_OK) {
        fprintf(stderr, "错误：生成演示承诺失败：%s\n", pe.msg);
        logins_hash_wait(&lh);
        free(c.orgs);
        db_close(d);
        return 1;
    }
    demo_phase("pledges");
    int64_t root = c.orgs[0].id, town = c.first_town ? c.first_town : root;
    int64_t branch = c.first_branch ? c.first_branch : root, other = other_branch(&c);
    struct { const char *user, *name; int role; int64_t org, member; } accts[] = {
        {"office", "区委活动办公室", ROLE_OFFICE, root, 0},
        {"discipline", "区纪委监督员", ROLE_DISCIPLINE, root, 0},
        {"town", "镇党委组织委员", ROLE_OFFICE, town, 0},
        {"leader", "镇党委书记", ROLE_LEADER, town, 0},
        {"secretary", "支部书记", ROLE_SECRETARY, branch, 0},
        {"member", "党员", ROLE_MEMBER, branch, c.first_member},
        {"secretary2", "另一镇支部书记", ROLE_SECRETARY, other ? other : branch, 0},
    };
    _Static_assert(sizeof accts / sizeof accts[0] == DEMO_LOGINS, "a hash for each demo account");
    cx_err e = {0};
    if (logins_hash_wait(&lh) != CX_OK) {
        fprintf(stderr, "错误：密码哈希失败（内存不足）\n");
        free(c.orgs);
        db_close(d);
        return 1;
    }
    printf("演示数据已生成：%zu 个组织，%" PRId64 " 名党员，用时 %.2f 秒\n", c.norgs, c.members, secs);
    printf("演示账号（密码均为 %s）：\n", DEMO_PASSWORD);
    for (size_t i = 0; i < sizeof accts / sizeof accts[0]; i++) {
        int64_t uid;
        account_ok acct;
        if (account_check(&(account_in){accts[i].user, accts[i].name, DEMO_PASSWORD}, &acct, &e) != CX_OK ||
            user_create_hashed(d, &actor_cli, &acct, lh.hash[i], accts[i].member, &uid, &e) != CX_OK ||
            user_grant(d, &actor_cli, uid, accts[i].role, accts[i].org, &e) != CX_OK) {
            cli_err(&e);
            rc = 1;
            break;
        }
        org g;
        printf("  %-11s %s @ %s\n", accts[i].user, role_label(accts[i].role), org_get(d, accts[i].org, &g) == 1 ? g.name : "?");
    }
    demo_phase("logins");
    if (rc == 0 && campaign_id && demo_sector(d, campaign_id, &e) != CX_OK) rc = 1, fprintf(stderr, "错误：生成分领域评议标准失败：%s\n", e.msg);
    demo_phase("sector");
    if (rc == 0 && campaign_id && c.first_branch && demo_reviews(d, root, town, branch, campaign_id, &e) != CX_OK) {
        fprintf(stderr, "错误：生成演示评议数据失败：%s\n", e.msg[0] ? e.msg : db_errmsg(d));
        rc = 1;
    }
    demo_phase("reviews");
    if (rc == 0 && campaign_id && c.first_branch && demo_year(d, root, town, branch, &e) != CX_OK) {
        fprintf(stderr, "错误：生成演示汇报、督查和通报失败：%s\n", e.msg[0] ? e.msg : db_errmsg(d));
        rc = 1;
    } else if (rc == 0 && campaign_id && c.first_branch) {
        int64_t schedules = 0, reports = 0, inspections = 0, bulletin = 0;
        db_i64(d, &schedules, 0, "SELECT count(*) FROM report_schedule", "");
        db_i64(d, &reports, 0, "SELECT count(*) FROM report", "");
        db_i64(d, &inspections, 0, "SELECT count(*) FROM inspection", "");
        db_i64(d, &bulletin, 0, "SELECT min(id) FROM bulletin WHERE status = 'published'", "");
        printf("办公室的一年：%" PRId64 " 项汇报安排（%" PRId64 " 份汇报，有按时、逾期和未报送的，/orgs/%" PRId64 "/reports），"
               "%" PRId64 " 次督查（/orgs/%" PRId64 "/inspections），已印发的通报 /p/bulletins/%" PRId64 "。\n",
               schedules, reports, root, inspections, root, bulletin);
        /* liaison points (issue 18) */
        int64_t points = 0, visits = 0;
        db_i64(d, &points, 0, "SELECT count(*) FROM liaison_point", "");
        db_i64(d, &visits, 0, "SELECT count(*) FROM liaison_visit", "");
        printf("联络点：镇领导干部的 %" PRId64 " 个联络点，全年走访 %" PRId64 " 次（/orgs/%" PRId64 "/liaison）。\n", points, visits, town);
        /* the ledger (issue 18) */
        int64_t entries = 0;
        db_i64(d, &entries, 0, "SELECT count(*) FROM ledger_entry WHERE deleted_at = 0", "");
        printf("台账：%" PRId64 " 条走访、帮办实事、结对帮扶、调研报告和座谈会记录（/orgs/%" PRId64 "/ledger）。\n", entries, root);
        /* organisation life */
        int64_t meetings = 0, held = 0, qr = 0;
        db_i64(d, &meetings, 0, "SELECT count(*) FROM meeting", "");
        db_i64(d, &held, 0, "SELECT count(*) FROM meeting WHERE status = 'held'", "");
        db_i64(d, &qr, 0, "SELECT count(*) FROM meeting_attendee WHERE how = 'qr'", "");
        printf("组织生活：%" PRId64 " 次会议（已召开 %" PRId64 " 次，扫码签到 %" PRId64 " 人次，/orgs/%" PRId64 "/meetings）。\n", meetings, held, qr,
               branch);
        /* study notes and quizzes (issue 18) */
        int64_t questions = 0, quiz_id = 0, sheets = 0, notes = 0;
        db_i64(d, &questions, 0, "SELECT count(*) FROM question", "");
        db_i64(d, &quiz_id, 0, "SELECT coalesce(min(id), 0) FROM quiz", "");
        db_i64(d, &sheets, 0, "SELECT count(*) FROM quiz_answer", "");
        db_i64(d, &notes, 0, "SELECT count(*) FROM study_note", "");
        printf("学习测试：题库 %" PRId64 " 道题（/orgs/%" PRId64 "/question-bank），已结束的测试 /quizzes/%" PRId64 "（%" PRId64 " 人答题），"
               "%" PRId64 " 篇学习心得。\n", questions, root, quiz_id, sheets, notes);
        /* 三比 contests (issue 19) */
        int64_t contest_id = 0, entrants = 0;
        db_i64(d, &contest_id, 0, "SELECT coalesce(min(id), 0) FROM contest WHERE status = 'published'", "");
        db_i64(d, &entrants, 0, "SELECT count(*) FROM contest_entrant WHERE contest_id = ?", "i", contest_id);
        if (contest_id)
            printf("三比竞赛：已公布的比技能竞赛 /p/contests/%" PRId64 "（%" PRId64 " 名参赛党员，3 位评委），管理页 /contests/%" PRId64 "。\n", contest_id,
               entrants, contest_id);
        /* exemplary posts and responsibility areas (issue 19) */
        int64_t nposts = 0, first_post = 0;
        db_i64(d, &nposts, 0, "SELECT count(*) FROM service_window WHERE kind IN ('post','area')", "");
        db_i64(d, &first_post, 0, "SELECT coalesce(min(id), 0) FROM service_window WHERE kind = 'post'", "");
        printf("示范岗：%" PRId64 " 个党员示范岗和责任区（/orgs/%" PRId64 "/posts），标牌与评价二维码 /p/post/%" PRId64 "/print。\n", nposts, branch,
               first_post);
        /* 评选表彰 awards (issue 19) */
        int64_t award_id = 0, awarded = 0, passed = 0, holder = 0;
        db_i64(d, &holder, 0, "SELECT coalesce(min(subject_id), 0) FROM award_nomination WHERE status = 'awarded' AND subject_kind = 'member'", "");
        db_i64(d, &award_id, 0, "SELECT coalesce(max(k.id), 0) FROM award_kind k WHERE k.status = 'closed' AND k.subject = 'member'", "");
        db_i64(d, &awarded, 0, "SELECT count(*) FROM award_nomination WHERE status = 'awarded'", "");
        db_i64(d, &passed, 0, "SELECT count(*) FROM award_nomination WHERE status = 'passed'", "");
        int64_t notice_id = 0, objections_held = 0;
        db_i64(d, &notice_id, 0, "SELECT coalesce(max(notice_id), 0) FROM notice_item WHERE source = 'award'", "");
        db_i64(d, &objections_held, 0, "SELECT count(*) FROM objection WHERE notice_id = ? AND status = 'investigating'", "i", notice_id);
        if (award_id)
            printf("评选表彰：本年度优秀共产党员 /awards/%" PRId64 "（%" PRId64 " 个推荐对象表决通过，公示中 /p/notices/%" PRId64 "，%" PRId64
                   " 件异议核查中，期满且异议办结后批准），已批准的表彰 %" PRId64 " 项（经公示，见党员卡片 /p/card/%" PRId64 "）。\n",
                   award_id, passed, notice_id, objections_held, awarded, holder);
        /* published round results (issue 19 results) */
        int64_t win_list = 0, org_list = 0, ranked = 0, apart = 0;
        db_i64(d, &win_list, 0, "SELECT coalesce(min(id), 0) FROM result_list WHERE kind = 'windows' AND status = 'published'", "");
        db_i64(d, &org_list, 0, "SELECT coalesce(min(id), 0) FROM result_list WHERE kind = 'orgs' AND status = 'published'", "");
        db_i64(d, &ranked, 0, "SELECT count(*) FROM result_row WHERE list_id = ? AND rank > 0", "i", win_list);
        db_i64(d, &apart, 0, "SELECT count(*) FROM result_row WHERE list_id = ? AND rank = 0", "i", win_list);
        if (win_list)
            printf("评议结果公布：满意窗口排名 /p/results/%" PRId64 "（演示评价少，最少有效评价数设为 10 份而非默认 30 份：%" PRId64 " 个窗口排名，%" PRId64
                   " 个列为样本不足），各镇（街道）满意度 /p/results/%" PRId64 "，办公室预览与公布 /orgs/%" PRId64 "/results。\n",
                   win_list, ranked, apart, org_list, root);
    }

    if (rc == 0) {
        char today[11];
        demo_phase("year-summary");
        date_today(today);
        if (quota_keep_year(d, atoi(today)) != CX_OK) {
            fprintf(stderr, "错误：统计组织生活达标情况失败：%s\n", db_errmsg(d));
            rc = 1;
        }
    }
    demo_phase("quotas");
    /* every other member gets an account waiting for activation: slips to print, codes to type */
    org ro;
    account_bulk b = {0};
    if (rc == 0 && campaign_id && c.first_branch) rc = demo_news(d, root, branch, &e); /* issue 22: news items, a consultation */
    demo_phase("news");
    if (rc == 0 && campaign_id && c.first_branch && demo_carrier(d, campaign_id, town, branch, &e) != CX_OK) rc = 1, fprintf(stderr, "错误：生成演示载体失败：%s\n", e.msg); /* issue 22: 五个一 */
    demo_phase("carrier");
    if (rc == 0 && campaign_id && c.first_branch) rc = demo_goals(d, root, &e); /* issue 22: annual goals of the towns */
    if (rc == 0 && c.members && (org_get(d, root, &ro) != 1 || accounts_for_members(d, &actor_cli, &ro, true, &b, &e) != CX_OK)) {
        fprintf(stderr, "错误：开通演示党员账号失败：%s\n", e.msg[0] ? e.msg : db_errmsg(d));
        rc = 1;
    }
    demo_phase("accounts");
    if (rc == 0 && b.made)
        printf("其余 %" PRId64 " 名党员的账号已开通，待激活：书记登录后打开 /orgs/%" PRId64 "/accounts/slips 打印激活单，\n"
               "党员在 /activate 输入用户名和激活码、设置自己的密码。\n",
               b.made, branch);
    free(c.orgs);
    db_close(d);
    return rc;
}
