/* demo_sector.c: the demo campaign's standards by sector (issue 22): villages (农村) on 五个好 and
 * 五带头 broken into the district's indicators, state-owned enterprises (国有企业) on 四强 and 四优,
 * non-public enterprises (非公有制经济组织) on 四比四争, each with indicators, points and (for the
 * last two) a grade rule in points. Made before the demo round opens, so the round starts with
 * them. Villages stay on the built-in 五个好 and 五带头 (the demo's own branch is a village and
 * its reviews are given item by item); the village indicator sets are made ready for the office
 * to assign (sector "" below: made, not assigned). */
#include "cli.h"
#include "../store/sector_standard.h"
#include <string.h>

typedef struct demo_ind {
    int item;
    const char *title;
    int points;
} demo_ind;
typedef struct demo_set {
    const char *code, *name, *target, *sector;
    const char *items[STD_MAX_ITEMS][2];
    demo_ind ind[IND_MAX];
    int rule[3]; /* {0,0,0}: none */
} demo_set;

static const demo_set demo_sets[] = {
    {"hx_wuhao", "五个好（村级指标）", "org", "",
     {{"领导班子好", "团结协作、求真务实、勤政廉洁"}, {"党员队伍好", "党员素质优良，发挥先锋模范作用"}, {"工作机制好", "规章制度完善，运行顺畅有序"},
      {"工作业绩好", "围绕中心、服务大局事迹突出"}, {"群众反映好", "党群干群关系密切"}},
     {{1, "村“两委”班子团结，按期召开“三会一课”", 20}, {2, "党员带头参加村级公益事业", 20}, {3, "村务、党务按季度公开", 20},
      {4, "完成年度村级集体经济增收目标", 20}, {5, "群众满意度测评达到“满意”", 20}},
     {0, 0, 0}},
    {"hx_wudaitou", "五带头（村级指标）", "member", "",
     {{"带头学习提高", "争当勤学标兵"}, {"带头创造佳绩", "争当敬业模范"}, {"带头服务群众", "争当为民先锋"}, {"带头遵纪守法", "争当自律表率"},
      {"带头弘扬正气", "争当和谐卫士"}},
     {{1, "参加党员冬训和每月学习", 20}, {2, "带头发展一项致富产业", 20}, {3, "联系服务群众户并帮办实事", 20}, {4, "遵守村规民约，无违纪违法", 20},
      {5, "带头移风易俗、调解邻里纠纷", 20}},
     {0, 0, 0}},
    {"hx_siqiang", "四强党组织", "org", "soe",
     {{"政治引领力强", "发挥政治核心作用，参与重大事项决策"}, {"推动发展力强", "增强国有经济活力、控制力、影响力"},
      {"改革创新力强", "推进企业党建工作创新"}, {"凝聚保障力强", "建设经营管理者、人才、党员、职工队伍"}},
     {{1, "党组织参与“三重一大”决策", 15}, {1, "落实“四好”领导班子创建", 10}, {2, "完成年度经营目标", 20}, {2, "党员攻关项目取得成效", 10},
      {3, "党建工作创新项目", 15}, {4, "党员责任区、党员品牌工程覆盖班组", 15}, {4, "职工群众满意度", 15}},
     {85, 70, 60}},
    {"hx_siyou", "四优共产党员", "member", "soe",
     {{"政治素质优", "加强政治学习"}, {"岗位技能优", "提高岗位技能"}, {"工作业绩优", "带头攻坚克难，勇创一流业绩"}, {"群众评议优", "职工群众评价好"}},
     {{1, "参加政治学习和组织生活", 20}, {2, "取得岗位技能等级或技术成果", 25}, {3, "完成岗位绩效指标", 30}, {4, "职工群众评议满意", 25}},
     {85, 70, 60}},
    {"hx_sbsz_org", "四比四争（非公企业党组织）", "org", "private",
     {{"立足岗位比奉献", "引导和监督企业遵守国家法律法规"}, {"为民办事比实效", "团结凝聚职工群众，维护各方合法权益"}},
     {{1, "组织党员立足岗位作贡献", 30}, {1, "企业依法经营、按时足额发放工资", 20}, {2, "为职工办实事", 30}, {2, "劳动关系和谐，无群体性事件", 20}},
     {80, 65, 55}},
    {"hx_sbsz", "四比四争", "member", "private",
     {{"比学习，争做勤学标兵", ""}, {"比技能，争做敬业模范", ""}, {"比业绩，争做发展先锋", ""}, {"比奉献，争做和谐表率", ""}},
     {{1, "学习业务知识和党的理论", 25}, {2, "岗位技能提升", 25}, {3, "促进生产经营的业绩", 25}, {4, "服务职工群众、带头奉献", 25}},
     {80, 65, 55}},
};

int demo_sector(db *d, int64_t campaign_id, cx_err *e)
{
    for (size_t k = 0; k < sizeof demo_sets / sizeof *demo_sets; k++) {
        const demo_set *ds = &demo_sets[k];
        const char *titles[STD_MAX_ITEMS], *bodies[STD_MAX_ITEMS];
        int n = 0, nind = 0;
        while (n < STD_MAX_ITEMS && ds->items[n][0]) titles[n] = ds->items[n][0], bodies[n] = ds->items[n][1], n++;
        indicator_in ii[IND_MAX];
        char seq[IND_MAX][8], pts[IND_MAX][8];
        while (nind < IND_MAX && ds->ind[nind].title) {
            snprintf(seq[nind], sizeof seq[nind], "%d", ds->ind[nind].item);
            snprintf(pts[nind], sizeof pts[nind], "%d", ds->ind[nind].points);
            ii[nind] = (indicator_in){seq[nind], ds->ind[nind].title, pts[nind]};
            nind++;
        }
        standard_ok ok;
        indicator_ok ind[IND_MAX];
        int t[3] = {0};
        bool has = false;
        char rule[3][8];
        for (int i = 0; i < 3; i++) snprintf(rule[i], sizeof rule[i], "%d", ds->rule[i]);
        int total = 0;
        for (int i = 0; i < nind; i++) total += ds->ind[i].points;
        int64_t id = 0;
        if (standard_check(&(standard_in){ds->code, ds->name, ds->target, titles, bodies, n}, &ok, e) != CX_OK ||
            indicators_check(ii, nind, n, ind, e) != CX_OK ||
            set_rule_check(ds->rule[0] ? rule[0] : NULL, ds->rule[0] ? rule[1] : NULL, ds->rule[0] ? rule[2] : NULL, total, t, &has, e) != CX_OK ||
            std_create(d, &actor_cli, campaign_id, &ok, ind, nind, t, has, &id, e) != CX_OK ||
            (*ds->sector && sector_rule_put(d, &actor_cli, campaign_id, ds->target, ds->sector, "", id, e) != CX_OK))
            return CX_ERR;
    }
    return CX_OK;
}
