/* demo.c: deterministic generator of a realistic demo district (org tree and members), streamed to callbacks. */
#include "demo.h"
#include "idcard.h"
#include "date.h"
#include "../lib/util.h"
#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define TRY(x)                                                                                                 \
    do {                                                                                                       \
        int rc_ = (x);                                                                                         \
        if (rc_) return rc_;                                                                                   \
    } while (0)

/* ---- random numbers: splitmix64, seeded from the caller's seed; never rand() ---- */

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t rnext(rng *r) { return mix64(r->s += 0x9E3779B97F4A7C15ULL); }

/* Uniform in [0, n) for n >= 1 (multiply-shift; the bias is far below anything visible). */
static uint64_t rbelow(rng *r, uint64_t n) { return (uint64_t)(((unsigned __int128)rnext(r) * n) >> 64); }

typedef struct wstr {
    const char *s;
    unsigned w;
} wstr;

static size_t pick_w(rng *r, const wstr *t, size_t n)
{
    unsigned total = 0;
    for (size_t i = 0; i < n; i++) total += t[i].w;
    unsigned x = (unsigned)rbelow(r, total);
    for (size_t i = 0; i < n; i++) {
        if (x < t[i].w) return i;
        x -= t[i].w;
    }
    return n - 1;
}

static void put_digits(char *p, unsigned v, int n)
{
    for (int i = n - 1; i >= 0; i--, v /= 10) p[i] = (char)('0' + v % 10);
}

/* ---- Chinese numerals and name pools ---- */

/* 1 → 一, 12 → 十二, 101 → 一百零一, 1010 → 一千零一十; from 10000 on, Arabic digits. */
static void cn_num(char *out, size_t cap, long n)
{
    static const char *const dg[10] = {"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
    if (n < 1 || n >= 10000) {
        snprintf(out, cap, "%ld", n);
        return;
    }
    if (n < 100) {
        int t = (int)n / 10, u = (int)n % 10;
        snprintf(out, cap, "%s%s%s", t > 1 ? dg[t] : "", t ? "十" : "", u || !t ? dg[u] : "");
        return;
    }
    int q = (int)n / 1000, b = (int)n / 100 % 10, s = (int)n / 10 % 10, g = (int)n % 10;
    size_t len = 0;
    out[0] = 0;
#define CAT(str) (len += (size_t)snprintf(out + len, len < cap ? cap - len : 0, "%s", (str)))
    if (q) CAT(dg[q]), CAT("千");
    if (b) CAT(dg[b]), CAT("百");
    else if (q && (s || g)) CAT("零");
    if (s) CAT(dg[s]), CAT("十");
    else if (b && g) CAT("零");
    if (g) CAT(dg[g]);
#undef CAT
}

static uint64_t gcd64(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Name number i of a pool: one of a × b (b may be NULL), visited in a salted order that never
 * repeats; after all combinations, the same again behind pre[1], pre[2] …, then with a numeral
 * behind the name. So every i gives a different name. pre[0] must be "". */
static void pool_name(char *out, size_t cap, const char *const *a, size_t na, const char *const *b, size_t nb,
                      const char *const *pre, size_t npre, uint64_t i, uint64_t salt)
{
    uint64_t n = (uint64_t)na * (b ? nb : 1);
    uint64_t cyc = i / n, r = i % n;
    uint64_t stride = (mix64(salt) % n) | 1;
    while (gcd64(stride, n) != 1) stride++;
    uint64_t k = (r * stride + mix64(salt + 1) % n) % n;
    const char *x = a[b ? k / nb : k], *y = b ? b[k % nb] : "";
    if (cyc < npre) {
        snprintf(out, cap, "%s%s%s", pre[cyc], x, y);
    } else {
        char num[24];
        cn_num(num, sizeof num, (long)(cyc - npre + 2));
        snprintf(out, cap, "%s%s%s", x, y, num);
    }
}

static const char *const place_a[] = {"柳", "白", "石", "杏", "桃", "马", "高", "黄", "古", "清", "长", "龙", "凤", "金", "丰",
                                      "永", "安", "平", "朱", "杜", "范", "邢", "双", "三", "太", "万", "兴", "红", "青", "卢"};
static const char *const place_b[] = {"河", "沙", "桥", "集", "店", "岗", "湖", "坡", "寨", "营",
                                      "口", "屯", "林", "园", "泉", "堡", "庙", "铺", "塘", "湾"};
static const char *const place_pre[] = {"", "新", "东", "西", "南", "北"};
static const char *const village_a[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙",
                                        "马", "朱", "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋",
                                        "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "田", "董", "潘", "袁",
                                        "蔡", "蒋", "余", "于", "杜", "叶", "程", "魏", "苏", "吕", "丁", "任"};
static const char *const village_b[] = {"庄", "营", "寨", "楼", "岗", "集", "屯", "店", "湾", "桥", "坡", "洼", "家", "寺"};
static const char *const village_pre[] = {"", "东", "西", "前", "后", "大", "小", "南", "北"};
static const char *const community_a[] = {"幸福", "和平", "建设", "朝阳", "花园", "文化", "新华", "东风", "人民", "解放",
                                          "友谊", "团结", "光明", "胜利", "育才", "滨河", "锦绣", "金桥", "春晖", "康乐",
                                          "安居", "永安", "新兴", "兴华", "振兴", "阳光", "翠园", "桂园", "兰亭", "书院"};
static const char *const brand_a[] = {"恒", "华", "宏", "金", "鼎", "天", "博", "明", "信", "中", "永", "瑞", "泰", "嘉", "昌",
                                      "德", "汇", "聚", "新", "兴", "盛", "鑫", "隆", "丰", "源", "诚", "达", "通", "顺", "万"};
static const char *const brand_b[] = {"信", "达", "泰", "源", "丰", "盛", "昌", "通", "发", "利", "和", "安", "顺", "兴", "鑫",
                                      "宇", "诚", "邦", "瑞", "祥", "海", "华", "远", "新", "荣", "辉", "康", "德", "隆", "益"};
static const char *const no_pre[] = {""};

static const char *const districts[] = {"顺河", "清源", "河西", "东城", "金明", "龙亭", "新华", "长青"};

static const char *const departments[] = {
    "区委办公室", "区人大常委会办公室", "区政府办公室", "区政协办公室", "区纪委监委", "区委组织部", "区委宣传部",
    "区委统战部", "区委政法委", "区发展和改革委员会", "区工业和信息化局", "区科学技术局", "区民政局", "区司法局",
    "区财政局", "区人力资源和社会保障局", "区自然资源局", "区住房和城乡建设局", "区交通运输局", "区水利局",
    "区农业农村局", "区商务局", "区文化广电和旅游局", "区退役军人事务局", "区应急管理局", "区审计局",
    "区市场监督管理局", "区统计局", "区医疗保障局", "区信访局", "区城市管理局", "区行政审批服务局", "区人民法院",
    "区人民检察院", "区公安分局", "区总工会", "团区委", "区妇联"};
static const char *const hospitals[] = {"区人民医院", "区中医院", "区第二人民医院", "区妇幼保健院"};
static const char *const soes[] = {"区城市建设投资集团有限公司", "区交通投资集团有限公司", "区水务有限公司",
                                   "区公共交通有限公司", "区热力有限公司", "区粮食储备有限公司",
                                   "区农业发展投资有限公司", "区文化旅游投资有限公司"};
static const char *const soe_trades[] = {"机械制造有限公司", "纺织有限公司", "化工有限公司", "建材有限公司",
                                         "电力设备有限公司", "粮油有限公司"};
static const char *const private_trades[] = {"商贸有限公司", "电子科技有限公司", "农业科技有限公司", "物流有限公司",
                                             "服饰有限公司", "餐饮管理有限公司", "建筑工程有限公司", "食品有限公司",
                                             "医药连锁有限公司", "新材料有限公司"};

/* ---- member profiles: who works in a branch, what they studied, their posts and duties ---- */

enum {
    P_VILLAGE, P_TOWN, P_COMMUNITY, P_GOV, P_SCHOOL, P_HOSPITAL, P_SOE, P_PRIVATE, P_UNION,
    P_LAW, P_ACCT, P_CARE, P_SWORK, P_ASSOC, P_RETIRED, P_COUNT
};

typedef struct post {
    const char *post, *duty;
    unsigned w;
    int sex; /* 0 either, 1 mostly men, 2 mostly women */
} post;

typedef struct profile {
    const char *head, *head_duty; /* the branch secretary, the first member of a branch */
    const post *posts;
    size_t nposts;
    const wstr *edu;
    size_t nedu;
    unsigned female_pct;
    int y0, y1; /* birth years */
} profile;

static const post posts_village[] = {
    {"村委委员", "负责村务公开和民生事务，收集反映群众诉求", 14, 0},
    {"村民小组长", "组织本组村民议事，协助做好土地、环境和矛盾调解工作", 14, 1},
    {"网格员", "负责网格内信息采集、矛盾排查和政策宣传", 10, 0},
    {"种植大户", "带头发展特色种植，帮带周边农户增收致富", 14, 0},
    {"养殖户", "规范开展畜禽养殖，带头落实环保和防疫要求", 9, 0},
    {"农民专业合作社负责人", "带领合作社成员发展产业，带动群众就业增收", 6, 0},
    {"外出务工人员", "在外务工期间按时参加组织生活，为家乡发展牵线搭桥", 12, 0},
    {"村务监督委员会成员", "监督村务、财务公开和重大事项决策执行", 6, 0},
    {"乡村医生", "为村民提供基本医疗和公共卫生服务", 3, 0},
    {"退休教师", "参与村里关心下一代工作，发挥老党员传帮带作用", 4, 0},
};
static const post posts_town[] = {
    {"科员", "承办党政办公室文稿起草、会议组织和督查督办工作", 20, 0},
    {"乡村振兴专干", "联系帮扶村，落实产业发展和防止返贫监测工作", 14, 0},
    {"财政所会计", "负责镇财政收支核算和村级财务监管", 8, 2},
    {"农业服务中心技术员", "开展农业技术推广和病虫害防治指导", 10, 1},
    {"民政所干部", "办理低保、救助和养老服务事项", 8, 0},
    {"综治中心干部", "负责矛盾纠纷排查调处和平安建设工作", 8, 0},
    {"包村干部", "驻村指导村两委工作，帮助解决群众急难愁盼问题", 14, 1},
};
static const post posts_community[] = {
    {"社区居委会委员", "负责社区民政、社保和居民事务办理", 14, 2},
    {"网格员", "负责网格内信息采集、矛盾排查和政策宣传", 20, 0},
    {"楼栋长", "联系本楼栋居民，收集反映居民诉求", 14, 0},
    {"社区志愿者", "参与社区环境整治、关爱帮扶等志愿服务", 12, 0},
    {"退休职工", "参加社区党组织活动，发挥老党员作用", 16, 0},
    {"个体经营者", "诚信经营，带头参与社区公益活动", 8, 0},
    {"在职党员", "到社区报到服务，认领服务岗位", 10, 0},
    {"物业服务人员", "做好小区物业服务，配合社区开展工作", 6, 0},
};
static const post posts_gov[] = {
    {"科员", "按照科室分工承办业务工作，做好政策落实和群众服务", 30, 0},
    {"科长", "负责本科室业务工作的组织实施和督促落实", 10, 0},
    {"副科长", "协助科长做好科室业务工作", 8, 0},
    {"一级主任科员", "承担综合性业务和文稿起草工作", 6, 0},
    {"窗口工作人员", "在政务服务窗口受理办理群众事项，做到一次办好", 10, 2},
    {"办公室主任", "负责机关文秘、会务、后勤和督查工作", 4, 0},
    {"执法队员", "依法开展行政执法检查，规范执法行为", 6, 1},
    {"会计", "负责单位财务核算和预算管理", 4, 2},
};
static const post posts_school[] = {
    {"教师", "承担学科教学任务，关心每一名学生成长", 40, 0},
    {"班主任", "负责班级管理和学生思想教育，做好家校沟通", 25, 0},
    {"教研组长", "组织本学科教研活动，指导青年教师成长", 8, 0},
    {"年级主任", "负责年级教育教学管理和安全工作", 5, 0},
    {"副校长", "分管学校教学或德育工作", 3, 0},
    {"教务处主任", "负责教学计划安排和教学质量监测", 3, 0},
    {"后勤人员", "负责学校后勤保障和校园安全", 5, 0},
};
static const post posts_hospital[] = {
    {"医生", "负责门诊和病房诊疗工作，保障医疗质量安全", 26, 0},
    {"主治医师", "负责分管病床的诊疗工作，指导住院医师", 10, 0},
    {"主任医师", "负责疑难病例会诊和学科建设", 5, 1},
    {"护士", "做好临床护理和健康宣教，为患者提供优质护理服务", 30, 2},
    {"护士长", "负责病区护理管理和护理质量控制", 5, 2},
    {"医技人员", "负责检验、影像等医技检查，保证结果准确及时", 8, 0},
    {"药剂师", "负责药品调剂和合理用药指导", 4, 0},
    {"行政人员", "负责医院行政管理和后勤保障", 6, 0},
};
static const post posts_soe[] = {
    {"车间主任", "组织车间生产计划实施，抓好安全生产和质量管理", 8, 1},
    {"班组长", "带领班组完成生产任务，落实安全操作规程", 12, 1},
    {"技术员", "负责工艺技术改进和设备技术支持", 15, 0},
    {"工程师", "承担技术研发和工程项目管理", 8, 0},
    {"操作工", "严格按照操作规程完成生产任务", 28, 0},
    {"质检员", "负责产品质量检验，把好质量关", 8, 0},
    {"安全员", "开展安全检查，排查整改安全隐患", 5, 1},
    {"销售经理", "负责市场开拓和客户服务", 5, 0},
    {"会计", "负责公司财务核算和资金管理", 4, 2},
};
static const post posts_private[] = {
    {"总经理", "负责企业经营管理，带头依法诚信经营", 3, 1},
    {"部门经理", "负责本部门业务管理和团队建设", 10, 0},
    {"技术员", "负责产品技术支持和工艺改进", 12, 0},
    {"销售员", "负责产品销售和客户维护", 15, 0},
    {"生产工人", "按照操作规程完成生产任务", 30, 0},
    {"财务人员", "负责企业财务核算和税务申报", 6, 2},
    {"行政人员", "负责企业行政事务和员工服务", 6, 0},
    {"质检员", "负责产品质量检验，把好质量关", 5, 0},
};
static const post posts_union[] = {
    {"个体经营者", "诚信经营，带头参与社区公益活动", 60, 0},
    {"小微企业主", "依法诚信经营，带动周边群众就业", 20, 0},
    {"店员", "热情服务顾客，做到明码标价、文明经营", 10, 0},
    {"网店店主", "依法开展网络经营，带动农副产品销售", 10, 0},
};
static const post posts_law[] = {
    {"律师", "依法办理诉讼和非诉讼业务，为群众提供法律服务", 50, 0},
    {"律师助理", "协助律师整理案卷、起草法律文书", 25, 0},
    {"公益法律服务志愿者", "参加法律援助和社区法律咨询活动", 10, 0},
    {"行政人员", "负责事务所行政事务和档案管理", 8, 2},
};
static const post posts_acct[] = {
    {"注册会计师", "依法开展审计鉴证业务，恪守职业道德", 45, 0},
    {"审计助理", "协助完成审计底稿编制和现场核查", 30, 0},
    {"代理记账会计", "为小微企业提供代理记账和纳税申报服务", 15, 2},
};
static const post posts_care[] = {
    {"养老护理员", "为入住老人提供生活照料和护理服务", 45, 2},
    {"社会工作者", "开展老年人关爱和精神慰藉服务", 20, 0},
    {"康复师", "为老人提供康复训练和健康指导", 10, 0},
    {"行政人员", "负责机构日常管理和后勤保障", 8, 0},
};
static const post posts_swork[] = {
    {"社会工作者", "为困难群众、留守儿童和老人提供专业社工服务", 50, 0},
    {"项目主管", "负责公益服务项目的策划、实施和评估", 20, 0},
    {"志愿服务队长", "组织志愿者开展社区志愿服务", 15, 0},
};
static const post posts_assoc[] = {
    {"秘书长", "负责协会日常工作和会员服务", 10, 0},
    {"会员企业负责人", "带头诚信经营，参与行业自律和公益活动", 50, 0},
    {"专职工作人员", "负责会员联络、培训和活动组织", 25, 0},
};
static const post posts_retired[] = {
    {"退休人员", "按时参加组织生活，发挥老党员传帮带作用", 1, 0},
};

static const wstr edu_village[] = {{"小学", 8}, {"初中", 35}, {"高中", 25}, {"中专", 12}, {"大专", 12}, {"本科", 8}};
static const wstr edu_town[] = {{"高中", 5}, {"大专", 25}, {"本科", 60}, {"硕士研究生", 10}};
static const wstr edu_community[] = {{"初中", 10}, {"高中", 25}, {"中专", 10}, {"大专", 30}, {"本科", 25}};
static const wstr edu_gov[] = {{"大专", 15}, {"本科", 63}, {"硕士研究生", 20}, {"博士研究生", 2}};
static const wstr edu_school[] = {{"大专", 15}, {"本科", 70}, {"硕士研究生", 15}};
static const wstr edu_hospital[] = {{"中专", 8}, {"大专", 25}, {"本科", 50}, {"硕士研究生", 15}, {"博士研究生", 2}};
static const wstr edu_soe[] = {{"初中", 5}, {"高中", 15}, {"中专", 20}, {"大专", 30}, {"本科", 27}, {"硕士研究生", 3}};
static const wstr edu_private[] = {{"初中", 10}, {"高中", 20}, {"中专", 15}, {"大专", 30}, {"本科", 23}, {"硕士研究生", 2}};
static const wstr edu_union[] = {{"小学", 3}, {"初中", 30}, {"高中", 35}, {"中专", 12}, {"大专", 15}, {"本科", 5}};
static const wstr edu_prof[] = {{"大专", 10}, {"本科", 65}, {"硕士研究生", 25}};
static const wstr edu_care[] = {{"初中", 15}, {"高中", 25}, {"中专", 25}, {"大专", 25}, {"本科", 10}};
static const wstr edu_retired[] = {{"小学", 10}, {"初中", 25}, {"高中", 25}, {"中专", 15}, {"大专", 15}, {"本科", 10}};

#define PROF(head, duty, posts, edu, fem, y0, y1) {head, duty, posts, N(posts), edu, N(edu), fem, y0, y1}
static const profile profiles[P_COUNT] = {
    [P_VILLAGE] = PROF("村党支部书记", "主持村党支部全面工作，带领村民发展集体经济、推进乡村振兴", posts_village,
                       edu_village, 18, 1950, 2004),
    [P_TOWN] = PROF("机关党支部书记", "主持镇机关党支部工作，抓好机关党员教育管理", posts_town, edu_town, 35, 1965, 2002),
    [P_COMMUNITY] = PROF("社区党支部书记", "主持社区党组织全面工作，统筹社区治理和服务", posts_community, edu_community,
                         55, 1950, 2002),
    [P_GOV] = PROF("机关党支部书记", "主持支部工作，抓好党员教育管理和机关作风建设", posts_gov, edu_gov, 38, 1965, 2002),
    [P_SCHOOL] = PROF("学校党支部书记", "主持学校党支部工作，抓好师德师风建设", posts_school, edu_school, 60, 1965, 2002),
    [P_HOSPITAL] = PROF("党支部书记", "主持支部工作，推动党建与医疗业务深度融合", posts_hospital, edu_hospital, 62, 1965,
                        2002),
    [P_SOE] = PROF("党支部书记", "主持支部工作，围绕生产经营开展党建活动", posts_soe, edu_soe, 25, 1965, 2004),
    [P_PRIVATE] = PROF("企业党支部书记", "主持支部工作，引导企业诚信守法经营", posts_private, edu_private, 35, 1965,
                       2004),
    [P_UNION] = PROF("联合党支部书记", "主持联合党支部工作，联系服务个体工商户", posts_union, edu_union, 40, 1960, 2000),
    [P_LAW] = PROF("党支部书记", "主持支部工作，带领党员律师依法执业、服务群众", posts_law, edu_prof, 45, 1965, 2002),
    [P_ACCT] = PROF("党支部书记", "主持支部工作，带领党员诚信执业", posts_acct, edu_prof, 55, 1965, 2002),
    [P_CARE] = PROF("党支部书记", "主持支部工作，带领党员做好为老服务", posts_care, edu_care, 70, 1962, 2002),
    [P_SWORK] = PROF("党支部书记", "主持支部工作，引导社会组织服务群众", posts_swork, edu_prof, 60, 1970, 2002),
    [P_ASSOC] = PROF("党支部书记", "主持支部工作，引导会员企业诚信经营、回报社会", posts_assoc, edu_private, 35, 1960,
                     2000),
    [P_RETIRED] = PROF("离退休党支部书记", "组织离退休党员学习和活动，关心老党员生活", posts_retired, edu_retired, 30,
                       1950, 1964),
};

/* Surname frequencies (per mille, rounded; Henan leans to 王 李 张 刘 赵 郭 孙 马). */
static const wstr surnames[] = {
    {"王", 76}, {"李", 72}, {"张", 70}, {"刘", 55}, {"陈", 40}, {"杨", 33}, {"赵", 28}, {"黄", 18}, {"周", 18},
    {"吴", 16}, {"徐", 14}, {"孙", 18}, {"马", 17}, {"朱", 13}, {"胡", 12}, {"郭", 17}, {"何", 8}, {"高", 14},
    {"林", 6}, {"罗", 7}, {"郑", 11}, {"梁", 8}, {"谢", 6}, {"宋", 11}, {"唐", 6}, {"许", 9}, {"韩", 10},
    {"冯", 9}, {"邓", 6}, {"曹", 9}, {"彭", 5}, {"曾", 3}, {"肖", 5}, {"田", 8}, {"董", 8}, {"袁", 6},
    {"潘", 4}, {"于", 6}, {"蒋", 4}, {"蔡", 5}, {"余", 4}, {"杜", 7}, {"叶", 3}, {"程", 7}, {"苏", 5},
    {"魏", 8}, {"吕", 6}, {"丁", 6}, {"任", 6}, {"沈", 4}, {"姚", 5}, {"卢", 5}, {"姜", 5}, {"崔", 6},
    {"钟", 2}, {"谭", 3}, {"陆", 3}, {"汪", 3}, {"范", 6}, {"金", 3}, {"石", 5}, {"廖", 2}, {"贾", 6},
    {"夏", 4}, {"付", 5}, {"方", 3}, {"白", 5}, {"邹", 2}, {"孟", 6}, {"熊", 3}, {"秦", 4}, {"邱", 2},
    {"江", 3}, {"尹", 3}, {"薛", 4}, {"闫", 6}, {"段", 4}, {"雷", 3}, {"侯", 5}, {"龙", 2}, {"史", 4},
    {"陶", 2}, {"贺", 3}, {"顾", 2}, {"毛", 3}, {"郝", 4}, {"龚", 2}, {"邵", 3}, {"万", 2}, {"钱", 2},
    {"严", 2}, {"武", 5}, {"常", 4}, {"牛", 4}, {"申", 3}, {"耿", 3}, {"楚", 2}, {"欧阳", 1}, {"司马", 1},
};

/* Characters of given names by generation and sex. */
static const char *const given_m_old[] = {"建", "国", "华", "军", "明", "强", "平", "东", "伟", "忠", "德", "福", "贵", "林", "生",
                                          "山", "海", "成", "庆", "祥", "文", "志", "保", "永", "春", "光", "荣", "民", "新", "红"};
static const char *const given_f_old[] = {"秀", "英", "兰", "珍", "芳", "凤", "桂", "玉", "华", "梅", "琴", "霞", "云", "莲", "荣",
                                          "萍", "花", "娟", "淑", "红", "丽", "敏", "翠", "香", "素", "爱", "菊", "琼", "月", "春"};
static const char *const given_m_mid[] = {"伟", "磊", "勇", "军", "涛", "斌", "强", "鹏", "杰", "波", "辉", "刚", "健", "峰", "超",
                                          "亮", "明", "俊", "飞", "鑫", "浩", "宁", "凯", "永", "宏", "志", "海", "建", "东", "晓"};
static const char *const given_f_mid[] = {"丽", "静", "敏", "燕", "艳", "娟", "霞", "芳", "红", "玲", "丹", "萍", "洁", "琳", "晶",
                                          "颖", "慧", "娜", "婷", "雪", "梅", "莉", "倩", "蕾", "晓", "春", "华", "欣", "玉", "佳"};
static const char *const given_m_young[] = {"浩", "宇", "轩", "子", "博", "俊", "杰", "鑫", "磊", "晨", "阳", "泽", "睿", "文", "一",
                                            "航", "豪", "然", "旭", "昊", "帅", "凯", "鹏", "天", "佳", "明", "哲", "恒", "铭", "锐"};
static const char *const given_f_young[] = {"欣", "怡", "梦", "雨", "佳", "思", "雪", "婷", "琪", "悦", "涵", "静", "萱", "瑶", "梓",
                                            "诗", "晨", "颖", "璐", "倩", "丹", "妍", "月", "可", "馨", "蕊", "露", "玥", "彤", "娜"};

static const wstr ethnicities[] = {{"汉族", 955}, {"回族", 35}, {"满族", 5}, {"蒙古族", 3}, {"壮族", 2}};

/* Real county-level codes of 开封市, Henan: 顺河回族区, 尉氏县, 杞县, 通许县, 兰考县, 祥符区. */
static const wstr regions[] = {{"410203", 70}, {"410223", 8}, {"410221", 6}, {"410222", 6}, {"410225", 5}, {"410212", 5}};
#define NREG ((int)N(regions))

/* 11-digit mobiles are built from these 3-digit prefixes and a counter. */
static const char *const mobile_prefixes[] = {"130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
                                              "150", "151", "152", "153", "155", "156", "157", "158", "159", "180",
                                              "181", "182", "183", "184", "185", "186", "187", "188", "189"};

/* ---- how each sector's organisations branch out ---- */

typedef struct kdist {
    int k;
    unsigned w;
} kdist;

/* How many branches a village, company, school … has. */
static const kdist k_village[] = {{1, 75}, {2, 12}, {3, 9}, {4, 4}};
static const kdist k_community[] = {{1, 55}, {2, 15}, {3, 15}, {4, 10}, {5, 5}};
static const kdist k_gov[] = {{1, 55}, {2, 25}, {3, 12}, {4, 8}};
static const kdist k_school[] = {{1, 40}, {2, 25}, {3, 20}, {4, 10}, {6, 5}};
static const kdist k_hospital[] = {{1, 20}, {2, 20}, {3, 20}, {4, 15}, {6, 15}, {9, 10}};
static const kdist k_soe[] = {{1, 30}, {2, 20}, {3, 15}, {4, 15}, {6, 10}, {9, 6}, {14, 4}};
static const kdist k_private[] = {{1, 70}, {2, 15}, {3, 10}, {4, 5}};
static const kdist k_social[] = {{1, 85}, {2, 10}, {3, 5}};

/* How the 党总支 inside a unit's 党委 are named: 区财政局机关第一党总支 → …第一党支部;
 * 区人民医院内科党总支 → 区人民医院内科第一党支部; …公司一分厂党总支 → …一分厂机修车间党支部;
 * 区第一中学第一校区党总支 → …第一校区语文教研组党支部. */
enum { G_NUMBERED, G_BYSUB, G_FACTORY, G_CAMPUS };

typedef struct style {
    const char *sector;
    const char *single, *general, *committee; /* suffixes for a unit with 1, 2-5, 6+ branches */
    const char *const *subs;                  /* names of the branches inside a unit */
    size_t nsubs;
    const char *sub_more;                      /* after subs run out: 第N + this */
    int group;                                 /* how the 党总支 inside a 党委 unit are named */
    const char *group_pre;
} style;

static const char *const subs_gov[] = {"机关第一", "机关第二", "机关第三", "机关第四", "离退休干部"};
static const char *const subs_school[] = {"语文教研组", "数学教研组", "英语教研组", "综合教研组", "行政后勤", "离退休教师"};
static const char *const subs_hospital[] = {"内科", "外科", "儿科", "妇产科", "急诊科", "医技科室", "护理部", "行政后勤", "离退休"};
static const char *const subs_soe[] = {"一车间", "二车间", "机修车间", "装配车间", "质检部", "经营管理部", "离退休"};
static const char *const subs_private[] = {"生产部", "技术部", "销售部", "综合管理部", "财务部"};

static const style st_rural = {"rural", "党支部", "党总支", "党委", NULL, 0, "", G_NUMBERED, ""};
static const style st_community = {"community", "党支部", "党总支", "党委", NULL, 0, "网格", G_NUMBERED, ""};
static const style st_gov = {"government", "机关党支部", "机关党总支", "机关党委", subs_gov, N(subs_gov), "", G_NUMBERED, "机关"};
static const style st_school = {"school", "党支部", "党总支", "党委", subs_school, N(subs_school), "", G_CAMPUS, ""};
static const style st_hospital = {"hospital", "党支部", "党总支", "党委", subs_hospital, N(subs_hospital), "", G_BYSUB, ""};
static const style st_soe = {"soe", "党支部", "党总支", "党委", subs_soe, N(subs_soe), "", G_FACTORY, ""};
static const style st_private = {"private", "党支部", "党总支", "党委", subs_private, N(subs_private), "", G_BYSUB, ""};
static const style st_social = {"social", "党支部", "党总支", "党委", NULL, 0, "", G_NUMBERED, ""};

/* Shares of the branches per sector, per mille. */
enum { S_RURAL, S_COMMUNITY, S_GOV, S_SCHOOL, S_HOSPITAL, S_SOE, S_PRIVATE, S_SOCIAL, S_COUNT };
static const int sector_share[S_COUNT] = {300, 120, 130, 100, 60, 100, 120, 70};

#define MAX_TOWNS 40
#define MAX_STREETS 30
#define NAME_CAP 320

/* Members are born 1950-01-01 .. 2004-12-31; the sequence codes in use per birth day, region
 * and sex are counted, which makes every 身份证号 unique. */
#define REF_Y 2025 /* the day the data is "as of": DEMO_AS_OF */
#define REF_M 6
#define REF_D 30
#define BIRTH_Y0 1950
#define BIRTH_Y1 2004
#define SEQ_PER_CELL 499 /* a prime; sequence codes 001..998: odd for men, even for women */

typedef struct gen {
    rng r;
    uint64_t salt;
    const demo_cb *cb;
    int64_t members;   /* the total asked for */
    int64_t branches;  /* the total planned */
    int64_t jitter;    /* members per branch vary by up to this */
    int64_t next_key;  /* key of the next org */
    int64_t branch_no; /* branches emitted so far */
    int64_t member_no; /* members emitted so far */
    long day0, ndays, ref_day, ref_minus_year;
    uint16_t *cells; /* [day][region][sex] → sequence codes used */
    unsigned surname_total;
    unsigned surname_cum[N(surnames)];
    const char *district;
} gen;

static int emit_org(gen *g, int64_t parent, const char *name, const char *type, const char *sector, int64_t *key)
{
    demo_org o = {g->next_key++, parent, name, type, sector};
    *key = o.key;
    return g->cb && g->cb->org ? g->cb->org(g->cb->ctx, &o) : 0;
}

/* Members of branch number j (0-based): an even share of the total with a bounded wobble, so
 * branches differ in size and the sum is exactly the total. */
static int64_t members_before(const gen *g, int64_t j)
{
    if (j <= 0) return 0;
    if (j >= g->branches) return g->members;
    int64_t base = g->members * j / g->branches; /* members ≤ 5e7, branches ≤ 2e6: no overflow */
    return base + (int64_t)(mix64(g->salt ^ (uint64_t)j * 0x9E3779B97F4A7C15ULL) % (uint64_t)(g->jitter + 1));
}

#define GIVEN_N 30
_Static_assert(N(given_m_old) == GIVEN_N && N(given_f_old) == GIVEN_N && N(given_m_mid) == GIVEN_N &&
                   N(given_f_mid) == GIVEN_N && N(given_m_young) == GIVEN_N && N(given_f_young) == GIVEN_N,
               "given-name tables have GIVEN_N entries");
static const char *pick_given(const char *const *t, rng *r) { return t[rbelow(r, GIVEN_N)]; }

static void make_name(gen *g, char *out, size_t cap, bool female, int birth_year)
{
    unsigned x = (unsigned)rbelow(&g->r, g->surname_total);
    size_t lo = 0, hi = N(surnames) - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (x < g->surname_cum[mid]) hi = mid;
        else lo = mid + 1;
    }
    const char *sur = surnames[lo].s;
    const char *const *t = birth_year < 1970   ? (female ? given_f_old : given_m_old)
                           : birth_year < 1990 ? (female ? given_f_mid : given_m_mid)
                                               : (female ? given_f_young : given_m_young);
    bool compound = strlen(sur) > 3;
    const char *a = pick_given(t, &g->r);
    if (compound || rbelow(&g->r, 100) < 30) {
        snprintf(out, cap, "%s%s", sur, a);
        return;
    }
    const char *b = pick_given(t, &g->r);
    if (b == a && rbelow(&g->r, 100) < 80) b = pick_given(t, &g->r); /* 丹丹 is fine now and then */
    snprintf(out, cap, "%s%s%s", sur, a, b);
}

/* Reserves a sequence code for someone born on day (an index from 1950-01-01) in region reg.
 * When that day and region are used up, another region and then the next day are taken. */
static void take_seq(gen *g, long *day, int *reg, bool female, unsigned *seq)
{
    for (long tries = 0; tries < g->ndays * NREG; tries++) {
        long dd = (*day + tries / NREG) % g->ndays;
        int rr = (int)((*reg + tries) % NREG);
        uint16_t *c = &g->cells[((size_t)dd * NREG + (size_t)rr) * 2 + female];
        if (*c < SEQ_PER_CELL) {
            /* Visit the cell's codes in a scrambled order (SEQ_PER_CELL is prime), so they
             * look like real ones rather than 001, 003 … */
            size_t cell = ((size_t)dd * NREG + (size_t)rr) * 2 + female;
            uint64_t h = mix64(g->salt ^ cell);
            unsigned stride = 1u + (unsigned)(h % (SEQ_PER_CELL - 1)), off = (unsigned)((h >> 32) % SEQ_PER_CELL);
            unsigned slot = (unsigned)(((uint64_t)*c * stride + off) % SEQ_PER_CELL);
            *seq = 2u * slot + (female ? 2u : 1u);
            (*c)++;
            *day = dd;
            *reg = rr;
            return;
        }
    }
    assert(!"sequence codes exhausted"); /* impossible below DEMO_MAX_MEMBERS */
}

static const char *retired_post(const char *sector)
{
    if (!strcmp(sector, "government")) return "退休干部";
    if (!strcmp(sector, "school")) return "退休教师";
    if (!strcmp(sector, "hospital")) return "退休医务人员";
    if (!strcmp(sector, "soe")) return "退休职工";
    return "退休人员";
}

static int emit_member(gen *g, int64_t org_key, int pi, const char *sector, bool head)
{
    const profile *p = &profiles[pi];
    rng *r = &g->r;
    bool female = rbelow(r, 100) < p->female_pct;

    long lo = day_of_ymd(p->y0, 1, 1), hi = day_of_ymd(p->y1, 12, 31);
    long day = lo + (long)rbelow(r, (uint64_t)(hi - lo + 1)) - g->day0;
    int reg = (int)pick_w(r, regions, N(regions));
    unsigned seq;
    take_seq(g, &day, &reg, female, &seq);
    long birth = g->day0 + day;

    char id[19], birth_s[11];
    day_string(birth, birth_s);
    memcpy(id, regions[reg].s, 6);
    memcpy(id + 6, birth_s, 4);
    memcpy(id + 10, birth_s + 5, 2);
    memcpy(id + 12, birth_s + 8, 2);
    put_digits(id + 14, seq, 3);
    id[17] = idcard_check_char(id);
    id[18] = 0;

    char name[32];
    int by, bm, bd;
    day_ymd(birth, &by, &bm, &bd);
    make_name(g, name, sizeof name, female, by);
    const char *eth = ethnicities[pick_w(r, ethnicities, N(ethnicities))].s;

    /* Phones: a bijection of the member counter onto prefix × 10^8 numbers, so none repeats. */
    const uint64_t space = (uint64_t)N(mobile_prefixes) * 100000000ULL;
    uint64_t v = ((uint64_t)g->member_no * 2654435761ULL + g->salt % space) % space;
    char phone[12];
    memcpy(phone, mobile_prefixes[v / 100000000ULL], 3);
    put_digits(phone + 3, (unsigned)(v % 100000000ULL), 8);
    phone[11] = 0;

    /* 入党: at 18 or later; probationary members joined within the last year, full members at
     * least a year before the reference day and became full a year after joining. */
    bool probationary = !head && rbelow(r, 1000) < 50;
    long adult = day_add_years(birth, 18), joined;
    char joined_s[11], full_s[11] = "";
    if (probationary) {
        long from = g->ref_day - 364 > adult ? g->ref_day - 364 : adult;
        joined = from + (long)rbelow(r, (uint64_t)(g->ref_day - from + 1));
    } else {
        long span = g->ref_minus_year - adult;
        long cap = rbelow(r, 100) < 85 && span > 17 * 365 ? 17 * 365 : span;
        joined = adult + (long)rbelow(r, (uint64_t)cap + 1);
        day_string(day_add_years(joined, 1), full_s);
    }
    day_string(joined, joined_s);

    const char *postname, *duty;
    if (head) {
        postname = p->head, duty = p->head_duty;
    } else {
        size_t k = 0;
        unsigned total = 0;
        for (size_t i = 0; i < p->nposts; i++) total += p->posts[i].w;
        for (int attempt = 0; attempt < 2; attempt++) {
            unsigned x = (unsigned)rbelow(r, total);
            for (k = 0; k + 1 < p->nposts && x >= p->posts[k].w; k++) x -= p->posts[k].w;
            int s = p->posts[k].sex;
            if (s == 0 || (s == 1) != female) break; /* re-draw once when the post rarely fits */
        }
        postname = p->posts[k].post, duty = p->posts[k].duty;
        if (pi == P_RETIRED) postname = retired_post(sector);
    }

    demo_member m = {
        .org_key = org_key,
        .name = name,
        .sex = female ? "女" : "男",
        .ethnicity = eth,
        .birth_date = birth_s,
        .idcard = id,
        .phone = phone,
        .joined_date = joined_s,
        .full_date = full_s,
        .education = p->edu[pick_w(r, p->edu, p->nedu)].s,
        .post = postname,
        .duties = duty,
        .status = probationary ? "probationary" : "full",
    };
    g->member_no++;
    return g->cb && g->cb->member ? g->cb->member(g->cb->ctx, &m) : 0;
}

static int emit_branch(gen *g, int64_t parent, const char *name, const char *sector, int pi)
{
    int64_t key;
    TRY(emit_org(g, parent, name, "branch", sector, &key));
    int64_t j = g->branch_no++;
    int64_t n = members_before(g, j + 1) - members_before(g, j);
    for (int64_t i = 0; i < n; i++) TRY(emit_member(g, key, pi, sector, i == 0));
    return 0;
}

/* How many branches the next unit gets: a draw from the sector's distribution, at least an
 * even share when the pool of unit names is limited (units_left > 0), at most what is left. */
static int64_t unit_size(gen *g, const kdist *d, size_t n, int64_t left, int64_t units_left)
{
    unsigned total = 0;
    for (size_t i = 0; i < n; i++) total += d[i].w;
    unsigned x = (unsigned)rbelow(&g->r, total);
    size_t i = 0;
    for (; i + 1 < n && x >= d[i].w; i++) x -= d[i].w;
    int64_t k = d[i].k;
    if (units_left > 0 && k < (left + units_left - 1) / units_left) k = (left + units_left - 1) / units_left;
    return k < left ? k : left;
}

/* Which of the style's subs names part j of k, or -1 for a numbered one. A unit of three or
 * more parts gets the retirees' branch (the last sub, 离退休…) as its last part. */
static long sub_index(const style *st, int64_t j, int64_t k)
{
    bool retired = st->nsubs && strstr(st->subs[st->nsubs - 1], "退休");
    size_t usable = retired ? st->nsubs - 1 : st->nsubs;
    if (retired && k >= 3 && j == k - 1) return (long)st->nsubs - 1;
    return (size_t)j < usable ? (long)j : -1;
}

static void sub_name(char *out, size_t cap, const style *st, int64_t j, int64_t k)
{
    long i = sub_index(st, j, k);
    if (i >= 0) {
        snprintf(out, cap, "%s", st->subs[i]);
    } else {
        char num[24];
        cn_num(num, sizeof num, (long)j + 1);
        snprintf(out, cap, "第%s%s", num, st->sub_more);
    }
}

static int sub_profile(const char *sub, int pi) { return strstr(sub, "退休") ? P_RETIRED : pi; }

/* k branches under parent named prefix + sub + 党支部, or with numbered = true prefix + 第N党支部. */
static int emit_subs(gen *g, int64_t parent, const char *prefix, const style *st, int pi, int64_t k, bool numbered)
{
    char sub[64], name[NAME_CAP];
    for (int64_t j = 0; j < k; j++) {
        if (numbered) {
            char num[24];
            cn_num(num, sizeof num, (long)j + 1);
            snprintf(sub, sizeof sub, "第%s", num);
        } else {
            sub_name(sub, sizeof sub, st, j, k);
        }
        snprintf(name, sizeof name, "%s%s党支部", prefix, sub);
        TRY(emit_branch(g, parent, name, st->sector, sub_profile(sub, pi)));
    }
    return 0;
}

/* One unit (a village, department, school, company …) with k branches: a 党支部; a 党总支 with
 * k 党支部; or, from 6 branches, a 党委 with 党总支 of 2-4 党支部 each. */
static int emit_unit(gen *g, int64_t parent, const char *unit, const style *st, int pi, int64_t k)
{
    char name[NAME_CAP], label[64], prefix[NAME_CAP], num[24];
    int64_t key;
    if (k == 1) {
        snprintf(name, sizeof name, "%s%s", unit, st->single);
        return emit_branch(g, parent, name, st->sector, pi);
    }
    if (k <= 5) {
        snprintf(name, sizeof name, "%s%s", unit, st->general);
        TRY(emit_org(g, parent, name, "general_branch", st->sector, &key));
        return emit_subs(g, key, unit, st, pi, k, false);
    }
    snprintf(name, sizeof name, "%s%s", unit, st->committee);
    int64_t top;
    TRY(emit_org(g, parent, name, "committee", st->sector, &top));
    int64_t groups = (k + 3) / 4;
    for (int64_t gi = 0; gi < groups; gi++) {
        int64_t kg = k * (gi + 1) / groups - k * gi / groups;
        cn_num(num, sizeof num, (long)gi + 1);
        long si = st->group == G_BYSUB ? sub_index(st, gi, groups) : -1;
        int kind = st->group == G_BYSUB && si < 0 ? G_NUMBERED : st->group;
        bool numbered = kind == G_NUMBERED || kind == G_BYSUB;
        if (kind == G_FACTORY) snprintf(label, sizeof label, "%s分厂", num);
        else if (kind == G_CAMPUS) snprintf(label, sizeof label, "第%s校区", num);
        else if (kind == G_BYSUB) snprintf(label, sizeof label, "%s", st->subs[si]);
        else snprintf(label, sizeof label, "%s第%s", st->group_pre, num);
        snprintf(name, sizeof name, "%s%s党总支", unit, label);
        if (kind == G_NUMBERED) snprintf(prefix, sizeof prefix, "%s", name); /* 机关第一党总支第二党支部 */
        else snprintf(prefix, sizeof prefix, "%s%s", unit, label);            /* 内科第二党支部 */
        TRY(emit_org(g, top, name, "general_branch", st->sector, &key));
        TRY(emit_subs(g, key, prefix, st, sub_profile(label, pi), kg, numbered));
    }
    return 0;
}

static void place_name(const gen *g, char *out, size_t cap, uint64_t i)
{
    pool_name(out, cap, place_a, N(place_a), place_b, N(place_b), place_pre, N(place_pre), i, g->salt ^ 0x11);
}

/* 镇党委 with a 镇机关党支部 and villages: "柳河镇王庄村党支部", or a big village's 党总支. */
static int gen_rural(gen *g, int64_t root, int64_t nb)
{
    int64_t towns = (nb + 6) / 12;
    towns = towns < 1 ? 1 : towns > MAX_TOWNS ? MAX_TOWNS : towns;
    char town[64], name[NAME_CAP], village[64], unit[NAME_CAP];
    for (int64_t t = 0; t < towns; t++) {
        int64_t left = nb * (t + 1) / towns - nb * t / towns, key;
        place_name(g, town, sizeof town, (uint64_t)t);
        snprintf(name, sizeof name, "%s镇党委", town);
        TRY(emit_org(g, root, name, "committee", "rural", &key));
        if (left >= 4) {
            snprintf(name, sizeof name, "%s镇机关党支部", town);
            TRY(emit_branch(g, key, name, "rural", P_TOWN));
            left--;
        }
        for (uint64_t v = 0; left > 0; v++) {
            int64_t k = unit_size(g, k_village, N(k_village), left, 0);
            pool_name(village, sizeof village, village_a, N(village_a), village_b, N(village_b), village_pre,
                      N(village_pre), v, g->salt ^ (uint64_t)t * 7919);
            snprintf(unit, sizeof unit, "%s镇%s村", town, village);
            TRY(emit_unit(g, key, unit, &st_rural, P_VILLAGE, k));
            left -= k;
        }
    }
    return 0;
}

/* 街道党工委 with a 街道机关党支部 and communities: "朝阳街道幸福社区党支部", big ones with 网格党支部. */
static int gen_community(gen *g, int64_t root, int64_t nb)
{
    int64_t streets = (nb + 5) / 10;
    streets = streets < 1 ? 1 : streets > MAX_STREETS ? MAX_STREETS : streets;
    char street[64], name[NAME_CAP], comm[64], unit[NAME_CAP];
    for (int64_t s = 0; s < streets; s++) {
        int64_t left = nb * (s + 1) / streets - nb * s / streets, key;
        place_name(g, street, sizeof street, (uint64_t)(MAX_TOWNS + s));
        snprintf(name, sizeof name, "%s街道党工委", street);
        TRY(emit_org(g, root, name, "committee", "community", &key));
        if (left >= 4) {
            snprintf(name, sizeof name, "%s街道机关党支部", street);
            TRY(emit_branch(g, key, name, "community", P_GOV));
            left--;
        }
        for (uint64_t c = 0; left > 0; c++) {
            int64_t k = unit_size(g, k_community, N(k_community), left, 0);
            pool_name(comm, sizeof comm, community_a, N(community_a), NULL, 0, place_pre, N(place_pre), c,
                      g->salt ^ (uint64_t)s * 104729);
            snprintf(unit, sizeof unit, "%s街道%s社区", street, comm);
            TRY(emit_unit(g, key, unit, &st_community, P_COMMUNITY, k));
            left -= k;
        }
    }
    return 0;
}

/* A sector committee under the root and its units; namer fills the name of unit i and may set
 * its profile and a cap on its branches. limit > 0 caps the number of units (a fixed list). */
typedef void (*unit_namer)(const gen *g, uint64_t i, char *out, size_t cap, int *pi, int64_t *kmax);

static int gen_units(gen *g, int64_t root, const char *committee, const style *st, int64_t nb, const kdist *d,
                     size_t nd, int64_t limit, unit_namer namer, int pi0)
{
    int64_t key;
    TRY(emit_org(g, root, committee, "committee", st->sector, &key));
    char unit[NAME_CAP];
    for (uint64_t i = 0; nb > 0; i++) {
        int pi = pi0;
        int64_t kmax = 0;
        namer(g, i, unit, sizeof unit, &pi, &kmax);
        int64_t k = unit_size(g, d, nd, nb, limit > 0 ? limit - (int64_t)i : 0);
        if (kmax > 0 && k > kmax) k = kmax;
        TRY(emit_unit(g, key, unit, st, pi, k));
        nb -= k;
    }
    return 0;
}

static void name_department(const gen *g, uint64_t i, char *out, size_t cap, int *pi, int64_t *kmax)
{
    snprintf(out, cap, "%s", departments[i % N(departments)]);
}

static void name_school(const gen *g, uint64_t i, char *out, size_t cap, int *pi, int64_t *kmax)
{
    if (i < 2) {
        snprintf(out, cap, "区实验%s", i == 0 ? "中学" : "小学");
        return;
    }
    char num[24];
    cn_num(num, sizeof num, (long)(i - 2) / 2 + 1);
    snprintf(out, cap, "区第%s%s", num, i % 2 == 0 ? "中学" : "小学");
}

static void name_hospital(const gen *g, uint64_t i, char *out, size_t cap, int *pi, int64_t *kmax)
{
    if (i < N(hospitals)) {
        snprintf(out, cap, "%s", hospitals[i]);
        return;
    }
    char place[64];
    place_name(g, place, sizeof place, i - N(hospitals)); /* the first ones are the real towns */
    snprintf(out, cap, "%s镇卫生院", place);
    *kmax = 2;
}

static void brand_name(const gen *g, char *out, size_t cap, uint64_t i, uint64_t salt)
{
    pool_name(out, cap, brand_a, N(brand_a), brand_b, N(brand_b), no_pre, N(no_pre), i, g->salt ^ salt);
}

static void name_soe(const gen *g, uint64_t i, char *out, size_t cap, int *pi, int64_t *kmax)
{
    if (i < N(soes)) {
        snprintf(out, cap, "%s", soes[i]);
        return;
    }
    char brand[64];
    brand_name(g, brand, sizeof brand, i - N(soes), 0x50E);
    snprintf(out, cap, "%s%s", brand, soe_trades[(i - N(soes)) % N(soe_trades)]);
}

/* Private firms, and every fifth unit a 个体工商户联合党支部 of a market town. */
static void name_private(const gen *g, uint64_t i, char *out, size_t cap, int *pi, int64_t *kmax)
{
    char s[64];
    if (i % 5 == 4) {
        *pi = P_UNION;
        *kmax = 1;
        place_name(g, s, sizeof s, MAX_TOWNS + MAX_STREETS + i / 5);
        snprintf(out, cap, "%s个体工商户联合", s);
        return;
    }
    uint64_t c = i - i / 5;
    brand_name(g, s, sizeof s, c, 0x9A1);
    snprintf(out, cap, "%s%s", s, private_trades[c % N(private_trades)]);
}

static const struct {
    const char *name;
    int profile;
} social_fixed[] = {{"区律师协会", P_LAW},           {"区个体劳动者协会", P_ASSOC}, {"区慈善总会", P_ASSOC},
                    {"区餐饮行业协会", P_ASSOC},     {"区物流行业协会", P_ASSOC},   {"区家政服务行业协会", P_ASSOC},
                    {"区电子商务协会", P_ASSOC}};
static const struct {
    const char *kind;
    int profile;
} social_kinds[] = {{"律师事务所", P_LAW}, {"会计师事务所", P_ACCT}, {"养老服务中心", P_CARE}, {"社会工作服务中心", P_SWORK}};

static void name_social(const gen *g, uint64_t i, char *out, size_t cap, int *pi, int64_t *kmax)
{
    if (i < N(social_fixed)) {
        snprintf(out, cap, "%s", social_fixed[i].name);
        *pi = social_fixed[i].profile;
        return;
    }
    uint64_t c = i - N(social_fixed);
    char brand[64];
    brand_name(g, brand, sizeof brand, c, 0x50C);
    snprintf(out, cap, "%s%s", brand, social_kinds[c % N(social_kinds)].kind);
    *pi = social_kinds[c % N(social_kinds)].profile;
}

static int gen_all(gen *g)
{
    int64_t nb[S_COUNT], base = (g->members + 15) / 30;
    if (base < 1) base = 1;
    g->branches = 0;
    for (int s = 0; s < S_COUNT; s++) {
        nb[s] = (base * sector_share[s] + 500) / 1000;
        if (nb[s] < 1) nb[s] = 1;
        g->branches += nb[s];
    }
    g->jitter = g->members / g->branches * 2 / 3;

    char name[NAME_CAP];
    int64_t root;
    snprintf(name, sizeof name, "%s区委", g->district);
    TRY(emit_org(g, 0, name, "committee", "government", &root));
    TRY(gen_rural(g, root, nb[S_RURAL]));
    TRY(gen_community(g, root, nb[S_COMMUNITY]));
    TRY(gen_units(g, root, "区直机关工委", &st_gov, nb[S_GOV], k_gov, N(k_gov), (int64_t)N(departments),
                  name_department, P_GOV));
    TRY(gen_units(g, root, "区教育系统党委", &st_school, nb[S_SCHOOL], k_school, N(k_school), 0, name_school,
                  P_SCHOOL));
    TRY(gen_units(g, root, "区卫生健康系统党委", &st_hospital, nb[S_HOSPITAL], k_hospital, N(k_hospital), 0,
                  name_hospital, P_HOSPITAL));
    TRY(gen_units(g, root, "区国资委党委", &st_soe, nb[S_SOE], k_soe, N(k_soe), 0, name_soe, P_SOE));
    TRY(gen_units(g, root, "区非公有制经济组织党委", &st_private, nb[S_PRIVATE], k_private, N(k_private), 0,
                  name_private, P_PRIVATE));
    TRY(gen_units(g, root, "区社会组织党委", &st_social, nb[S_SOCIAL], k_social, N(k_social), 0, name_social,
                  P_ASSOC));
    assert(g->branch_no == g->branches && g->member_no == g->members);
    return 0;
}

int demo_generate(uint64_t seed, int64_t members, const demo_cb *cb)
{
    if (members < 0 || members > DEMO_MAX_MEMBERS) return -1;
    gen g;
    memset(&g, 0, sizeof g);
    g.salt = mix64(seed ^ 0xC0FFEE1234567ULL);
    g.r.s = mix64(seed);
    g.cb = cb;
    g.members = members;
    g.next_key = 1;
    g.district = districts[mix64(seed + 3) % N(districts)];
    g.day0 = day_of_ymd(BIRTH_Y0, 1, 1);
    g.ndays = day_of_ymd(BIRTH_Y1 + 1, 1, 1) - g.day0;
    g.ref_day = day_of_ymd(REF_Y, REF_M, REF_D);
    g.ref_minus_year = day_of_ymd(REF_Y - 1, REF_M, REF_D);
    for (size_t i = 0; i < N(surnames); i++) g.surname_cum[i] = g.surname_total += surnames[i].w;
    g.cells = xcalloc((size_t)g.ndays * NREG * 2, sizeof *g.cells);
    int rc = gen_all(&g);
    free(g.cells);
    return rc;
}
