/* demo_news.c: the demo's talking with the public and inside the system (issue 22): a month of
 * news items and cases (简报, 典型) from the branches and committees of several towns — adopted,
 * published (internally and to the public) or declined by the office above — and one closed
 * online consultation (网上征询) of the first branch with the public's comments, answers and the
 * summary. Called once from cli/demo.c. */
#include "cli.h"
#include "../domain/date.h"
#include "../store/consultation.h"
#include "../store/news.h"
#include "../store/rater.h"
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

typedef struct towns {
    org t[3];
    int n;
} towns;

static int add_town(void *ctx, const org *o, int64_t nchildren, int64_t nmembers)
{
    (void)nmembers;
    towns *w = ctx;
    if (nchildren > 0 && w->n < 3) w->t[w->n++] = *o;
    return w->n >= 3;
}

typedef struct branches {
    int64_t id[2];
    char name[2][256];
    int n;
} branches;

static int add_branch(void *ctx, const org *o, int64_t nchildren, int64_t nmembers)
{
    (void)nchildren, (void)nmembers;
    branches *b = ctx;
    if (b->n < 2) b->id[b->n] = o->id, snprintf(b->name[b->n], sizeof b->name[b->n], "%s", o->name), b->n++;
    return b->n >= 2;
}

/* One item of org, taken by the office (office_id) to `upto`: 0 submitted, 1 adopted, 2 published
 * internally, 3 published to the public, -1 declined. */
static int demo_item(db *d, int64_t org_id, int64_t office_id, const char *kind, const char *title, const char *body, int upto, cx_err *e)
{
    actor sub = {0, "信息员", NULL, NULL}, off = {0, "活动办公室", NULL, NULL};
    news_ok ok;
    int64_t id = 0;
    int rc = news_check(kind, title, body, &ok, e);
    if (rc == CX_OK) rc = news_submit(d, &sub, org_id, &ok, NULL, 0, &id, e);
    news_ok_free(&ok);
    if (rc == CX_OK && upto < 0) rc = news_decline(d, &off, id, office_id, "内容与本期简报主题不符，请补充具体做法和成效后再报。", e);
    if (rc == CX_OK && upto >= 1) rc = news_adopt(d, &off, id, office_id, e);
    if (rc == CX_OK && upto >= 2) rc = news_publish(d, &off, id, office_id, upto == 3, e);
    return rc;
}

static int demo_items(db *d, int64_t root, cx_err *e)
{
    towns w = {.n = 0};
    if (org_children(d, root, false, add_town, &w) != CX_OK) return cx_fail(e, 500, "db_error", "", "读取组织失败");
    static const char *const news[][2] = {
        {"组织党员开展“亮身份、作表率”志愿服务", "本月组织党员志愿者清理河道垃圾 3 吨，走访独居老人 26 户，帮办实事 14 件。"},
        {"推行“党员联户”工作法", "每名党员联系 5 至 10 户群众，每月走访一次，收集的意见当月答复。"},
        {"召开创先争优推进会", "会议通报了上半年承诺践诺情况，部署了群众评议和整改工作。"},
    };
    for (int i = 0; i < w.n; i++) {
        branches b = {.n = 0};
        if (org_children_plain(d, w.t[i].id, false, add_branch, &b) != CX_OK) return cx_fail(e, 500, "db_error", "", "读取组织失败");
        for (int j = 0; j < b.n; j++) {
            char title[300];
            snprintf(title, sizeof title, "%s%s", b.name[j], news[j % 2][0]);
            /* the first town's first branch: published to the public; others adopted, internal or left */
            int upto = i == 0 && j == 0 ? 3 : (i + j) % 3 == 0 ? 2 : (i + j) % 3 == 1 ? 1 : (i == 2 ? -1 : 0);
            if (demo_item(d, b.id[j], w.t[i].id, "news", title, news[j % 2][1], upto, e) != CX_OK) return CX_ERR;
        }
        char title[300];
        snprintf(title, sizeof title, "%s%s", w.t[i].name, news[2][0]);
        if (demo_item(d, w.t[i].id, root, "news", title, news[2][1], i == 0 ? 2 : 0, e) != CX_OK) return CX_ERR;
        if (i == 0 && b.n &&
            demo_item(d, b.id[0], w.t[i].id, "case", "典型：老党员王秀兰二十年义务调解邻里纠纷",
                      "王秀兰同志退休后二十年如一日义务调解邻里纠纷 300 余起，被群众称为“村里的和事佬”。", 3, e) != CX_OK)
            return CX_ERR;
    }
    return CX_OK;
}

/* A consultation of the branch that closed a week ago, with comments from three people, two answers
 * and the summary. */
static int demo_consultation(db *d, int64_t branch, cx_err *e)
{
    char today[11], closed[11], opened[11];
    date_today(today);
    day_string(day_number(today) - 7, closed);
    day_string(day_number(today) - 21, opened);
    consult_ok ok;
    int64_t id = 0;
    actor sec = {0, "支部书记", NULL, NULL}, pub = {0, "群众", NULL, NULL};
    int rc = consult_check("关于镇文化广场夜间使用时间的意见征询",
                           "镇文化广场修缮完工，拟规定夜间使用时间。请村民就广场舞、篮球等活动的时间安排提出意见，截止后我们将汇总答复。", closed,
                           NULL, &ok, e);
    if (rc == CX_OK) rc = consultation_create(d, &sec, branch, &ok, &id, e);
    consult_ok_free(&ok);
    static const char *const comments[][2] = {
        {"建议广场舞在晚上九点前结束，音响音量调小一些，附近住户有老人和学生。", "已采纳：夏季广场舞 21:00 前结束，音量由广场管理员统一设定上限。"},
        {"篮球场希望能开到晚上十点，年轻人下班后才有时间打球。", "篮球场夜间开放到 21:30，照明由镇里负责维护。"},
        {"希望增加几个垃圾桶和一处公共厕所。", ""},
    };
    for (int i = 0; rc == CX_OK && i < 3; i++) {
        char phone[16], device[DEVICE_TOKEN_LEN + 1];
        unsigned char pk[CX_HASH_BYTES], dk[CX_HASH_BYTES];
        snprintf(phone, sizeof phone, "1390000%04d", 101 + i);
        device_issue(device);
        rater_keys_of("consultation", id, phone, device, pk, dk);
        int64_t cid = 0;
        rc = consultation_comment_add(d, &pub, id, comments[i][0], pk, dk, opened, &cid, e);
        if (rc == CX_OK && *comments[i][1]) rc = consultation_reply(d, &sec, cid, comments[i][1], e);
    }
    if (rc == CX_OK)
        rc = consultation_summarise(d, &sec, id,
                                    "本次征询共收到意见 3 条，已答复 2 条。镇里据此确定：广场舞 21:00 前结束、篮球场开放至 21:30，"
                                    "增设垃圾桶 4 个；公共厕所列入明年建设计划。",
                                    today, e);
    return rc;
}

int demo_news(db *d, int64_t root, int64_t branch, cx_err *e)
{
    if (demo_items(d, root, e) != CX_OK || demo_consultation(d, branch, e) != CX_OK) {
        fprintf(stderr, "错误：生成演示简报信息和网上征询失败：%s\n", e->msg[0] ? e->msg : db_errmsg(d));
        return 1;
    }
    int64_t items = 0, adopted = 0, published = 0;
    db_i64(d, &items, 0, "SELECT count(*) FROM news_item", "");
    db_i64(d, &adopted, 0, "SELECT count(*) FROM news_item WHERE adopted_month <> ''", "");
    db_i64(d, &published, 0, "SELECT count(*) FROM news_item WHERE status = 'published' AND visibility = 'public'", "");
    printf("简报信息：各镇报送 %" PRId64 " 条，采用 %" PRId64 " 条（/orgs/%" PRId64 "/news），向社会公开 %" PRId64 " 条（/p/news）；"
           "已截止的网上征询一次，有意见、答复和总结（/p/consultations）。\n",
           items, adopted, root, published);
    return 0;
}
