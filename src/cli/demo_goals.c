/* demo_goals.c: the demo's annual goals (年初工作目标, issue 22): every town's committee sets its
 * goals for this year's campaign and submits them; the district office accepts them (one town's
 * third goal is returned with a note, another's waits for acceptance), and the towns record their
 * progress; and every town's leading group (领导班子: a secretary, a deputy and a committee member with
 * their duties, from members of the town's roll), one earlier secretary ended to show the history.
 * Called once from cli/demo.c. */
#include "cli.h"
#include "../domain/date.h"
#include "../store/campaign.h"
#include "../store/goal.h"
#include "../store/position.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct town_list {
    org *t;
    int n, cap;
} town_list;

static int add_town(void *ctx, const org *o, int64_t nchildren, int64_t nmembers)
{
    (void)nmembers;
    town_list *w = ctx;
    if (nchildren > 0 && w->n < w->cap) w->t[w->n++] = *o;
    return 0;
}

static const struct {
    const char *title, *measure;
    int percent;
} goals[] = {
    {"“五好五带头”达标：村级党组织达到“五个好”的比例不低于 90%", "对照“五个好”逐村查找差距，每季度召开一次推进会，镇党委委员分片包村。", 75},
    {"党员“五个一”活动全覆盖：每名党员为群众办一件实事", "支部建立台账，实事完成后由群众签字确认，年终在公示栏公开。", 60},
    {"软弱涣散村党组织全部整顿转化", "镇党委书记牵头，逐村制定整顿方案，半年一评估。", 40},
};
#define NGOALS (int)(sizeof goals / sizeof goals[0])

typedef struct three {
    int64_t id[3];
    int n;
} three;

static int add_member(void *ctx, const member *m)
{
    three *t = ctx;
    t->id[t->n++] = m->id;
    return t->n >= 3;
}

/* A town's leading group from its first three members on the roll: the first was secretary until
 * the start of the year and now serves as a committee member (the history), the second is the
 * secretary since then, the third the deputy. */
static int demo_group(db *d, const org *town, int64_t *made, cx_err *e)
{
    static const struct {
        const char *title, *duties;
    } posts[] = {{"secretary", "主持党委全面工作"}, {"secretary", "主持党委全面工作"}, {"deputy", "分管党建和创先争优活动"}};
    three t = {.n = 0};
    member_query q = {.root = town, .subtree = true, .limit = 3};
    if (member_list(d, &q, add_member, &t) != CX_OK) return CX_ERR;
    actor a = {0, "镇党委", NULL, NULL};
    char this_year[11];
    date_today(this_year);
    snprintf(this_year + 4, sizeof this_year - 4, "-01-05");
    int rc = CX_OK;
    for (int i = 0; rc == CX_OK && i < t.n; i++) {
        position_ok ok;
        int64_t id = 0;
        rc = position_check(posts[i].title, posts[i].duties, i ? this_year : "2024-01-10", &ok, e);
        if (rc == CX_OK) rc = position_add(d, &a, town->id, t.id[i], &ok, &id, e);
        if (rc == CX_OK) (*made)++;
        if (rc == CX_OK && i == 0) { /* the earlier secretary left at the start of the year; the member now serves as committee member */
            rc = position_end(d, &a, id, this_year, e);
            if (rc == CX_OK) rc = position_check("committee", "协助分管党建工作", this_year, &ok, e);
            if (rc == CX_OK) rc = position_add(d, &a, town->id, t.id[i], &ok, &id, e);
            if (rc == CX_OK) (*made)++;
        }
    }
    return rc;
}

int demo_goals(db *d, int64_t root, cx_err *e)
{
    org rt;
    campaign c;
    if (org_get(d, root, &rt) != 1 || campaign_for_org(d, &rt, &c) != 1) return 0; /* no campaign: no goals */
    town_list w = {xmalloc(64 * sizeof(org)), 0, 64};
    int rc = org_children(d, root, false, add_town, &w);
    char today[11], year[8];
    date_today(today);
    snprintf(year, sizeof year, "%.4s", today);
    if (!goal_year_in(atoi(year), c.start_date, c.end_date)) snprintf(year, sizeof year, "%.4s", c.start_date);
    actor sub = {0, "镇党委", NULL, NULL}, off = {0, "区委活动办公室", NULL, NULL};
    int64_t accepted = 0, waiting = 0;
    for (int i = 0; rc == CX_OK && i < w.n; i++)
        for (int k = 0; rc == CX_OK && k < NGOALS; k++) {
            goal_ok ok;
            int64_t id = 0;
            rc = goal_check(year, goals[k].title, goals[k].measure, &ok, e);
            if (rc == CX_OK) rc = goal_create(d, &sub, w.t[i].id, c.id, &ok, &id, e);
            goal_ok_free(&ok);
            if (rc == CX_OK && !(i == 1 && k == NGOALS - 1)) rc = goal_submit(d, &sub, id, e); /* the second town's third: still a draft */
            if (rc != CX_OK || (i == 1 && k == NGOALS - 1)) continue;
            if (i == 0 && k == NGOALS - 1) { /* the first town's third: returned */
                rc = goal_return(d, &off, id, root, "请写明整顿转化的村名单和完成时限后再报。", e);
                continue;
            }
            if (i == 2 && k == NGOALS - 1) { waiting++; continue; } /* the third town's third: waiting */
            rc = goal_accept(d, &off, id, root, e);
            accepted++;
            char text[160];
            snprintf(text, sizeof text, "已完成全年目标的 %d%%，下一步按措施继续推进。", goals[k].percent - (i % 3) * 10);
            if (rc == CX_OK) rc = goal_progress_add(d, &sub, id, today, goals[k].percent - (i % 3) * 10, text, "镇党委", e);
        }
    int64_t posts = 0;
    for (int i = 0; rc == CX_OK && i < w.n; i++) rc = demo_group(d, &w.t[i], &posts, e);
    free(w.t);
    if (rc != CX_OK) {
        fprintf(stderr, "错误：生成演示年度工作目标和领导班子失败：%s\n", e->msg[0] ? e->msg : db_errmsg(d));
        return 1;
    }
    printf("年度工作目标：%d 个镇各 %d 项（%" PRId64 " 项已验收并记录进度，%" PRId64 " 项待验收），办公室在 /orgs/%" PRId64 "/goals 查看。\n", w.n, NGOALS, accepted,
           waiting, root);
    printf("领导班子：各镇党委登记书记、副书记、委员共 %" PRId64 " 人次（含离任记录），显示在各镇公示栏 /p/board/编号。\n", posts);
    return 0;
}
