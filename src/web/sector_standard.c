/* sector_standard.c: standards and indicators by sector (issue 22), pages and API: a campaign's
 * standard sets by sector (领域) and level, the office's local sets with indicators and points
 * (把五个好、五带头具体化) and their versions, and a round's grade figures by set (like compared
 * with like). Only the office running the campaign (or above) changes them; everyone who may see
 * the campaign reads them. */
#include "review_int.h"
#include "../store/grading.h"
#include "../store/sector_standard.h"
#include "../domain/org.h"
#include "../domain/text.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char *const SECTORS[] = {"rural", "community", "government", "soe", "school", "hospital", "private", "social"};
static const char *const TYPES[] = {"committee", "general_branch", "branch"};

static cJSON *json_version(const std_version *v)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", v->s.id);
    cJSON_AddStringToObject(j, "code", v->s.code);
    cJSON_AddStringToObject(j, "name", v->s.name);
    cJSON_AddStringToObject(j, "target", v->s.target);
    cJSON_AddStringToObject(j, "target_label", !strcmp(v->s.target, "org") ? "党组织" : "党员");
    cJSON_AddBoolToObject(j, "builtin", v->campaign_id == 0);
    json_add_i64(j, "family_id", v->family_id);
    json_add_i64(j, "version", v->version);
    cJSON_AddBoolToObject(j, "superseded", v->superseded);
    json_add_i64(j, "total_points", v->total);
    if (v->has_rule) {
        cJSON *rule = cJSON_AddObjectToObject(j, "rule");
        json_add_i64(rule, "t_excellent", v->t[0]);
        json_add_i64(rule, "t_qualified", v->t[1]);
        json_add_i64(rule, "t_basic", v->t[2]);
    } else cJSON_AddNullToObject(j, "rule");
    cJSON *items = cJSON_AddArrayToObject(j, "items");
    for (int i = 0; i < v->s.nitems; i++) {
        cJSON *x = cJSON_CreateObject();
        json_add_i64(x, "seq", v->s.items[i].seq);
        cJSON_AddStringToObject(x, "title", v->s.items[i].title);
        cJSON_AddStringToObject(x, "body", v->s.items[i].body);
        cJSON *inds = cJSON_AddArrayToObject(x, "indicators");
        for (int k = 0; k < v->nind; k++) {
            if (v->ind[k].item_seq != v->s.items[i].seq) continue;
            cJSON *y = cJSON_CreateObject();
            json_add_i64(y, "seq", k + 1);
            cJSON_AddStringToObject(y, "title", v->ind[k].title);
            json_add_i64(y, "points", v->ind[k].points);
            cJSON_AddItemToArray(inds, y);
        }
        cJSON_AddItemToArray(items, x);
    }
    /* the form's text of the indicators, one a line: 条目序号|指标|分值 */
    buf b;
    buf_init(&b);
    for (int k = 0; k < v->nind; k++) buf_printf(&b, "%d|%s|%d\n", v->ind[k].item_seq, v->ind[k].title, v->ind[k].points);
    cJSON_AddStringToObject(j, "indicators_text", b.len ? b.p : "");
    buf_free(&b);
    return j;
}

static cJSON *json_rule(const sector_rule *r)
{
    cJSON *x = cJSON_CreateObject();
    cJSON_AddStringToObject(x, "target", r->target);
    cJSON_AddStringToObject(x, "target_label", !strcmp(r->target, "org") ? "党组织" : "党员");
    cJSON_AddStringToObject(x, "sector", r->sector);
    cJSON_AddStringToObject(x, "sector_label", *r->sector ? org_sector_label(r->sector) : "全部领域");
    cJSON_AddStringToObject(x, "org_type", r->org_type);
    cJSON_AddStringToObject(x, "org_type_label", *r->org_type ? org_type_label(r->org_type) : "全部层级");
    json_add_i64(x, "family_id", r->family_id);
    json_add_i64(x, "set_id", r->set_id);
    cJSON_AddStringToObject(x, "set_name", r->set_name);
    json_add_i64(x, "version", r->version);
    return x;
}

static int add_rule(void *ctx, const sector_rule *r)
{
    cJSON_AddItemToArray(ctx, json_rule(r));
    return 0;
}

typedef struct sets_ctx {
    int64_t campaign_id;
    int64_t ids[400];
    int n;
} sets_ctx;

static int collect_set(void *vctx, const standard_set *s)
{
    sets_ctx *c = vctx;
    if (c->n < 400) c->ids[c->n++] = s->id;
    return 0;
}

/* The choices of a select: {code, label} of each code. */
static void add_options(cJSON *arr, const char *const *codes, size_t n, const char *(*label)(const char *))
{
    for (size_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "code", codes[i]);
        cJSON_AddStringToObject(o, "label", label(codes[i]));
        cJSON_AddItemToArray(arr, o);
    }
}

static bool may_edit(req *r, const char *path) { return perm_may_run_campaign(&r->user, path); }

/* GET /campaigns/:id/standards, GET /api/v1/campaigns/:id/sector-standards: the campaign's
 * assignments by sector and level, its own sets (every version) and the sets of every campaign,
 * and the rounds with the sets they started with. */
void h_sector_standards(req *r)
{
    campaign c;
    char path[CX_PATH_MAX];
    if (!req_campaign(r, &c, path)) return;
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "分领域评议标准");
    cJSON *cj = cJSON_AddObjectToObject(d, "campaign");
    json_add_i64(cj, "id", c.id);
    json_add_i64(cj, "org_id", c.org_id);
    cJSON_AddStringToObject(cj, "theme", c.theme);
    cJSON_AddBoolToObject(d, "can_edit", may_edit(r, path));
    if (sector_rules_list(r->db, c.id, add_rule, cJSON_AddArrayToObject(d, "rules")) != CX_OK) {
        db_failed(r);
        return;
    }
    sets_ctx *sc = req_keep(r, xcalloc(1, sizeof *sc));
    sc->campaign_id = c.id;
    if (standard_list_for(r->db, c.id, collect_set, sc) != CX_OK) {
        db_failed(r);
        return;
    }
    cJSON *sets = cJSON_AddArrayToObject(d, "sets"), *choices = cJSON_AddArrayToObject(d, "set_choices");
    std_version *v = req_keep(r, xmalloc(sizeof *v));
    for (int i = 0; i < sc->n; i++) {
        if (std_version_get(r->db, sc->ids[i], v) != 1) continue;
        cJSON *j = json_version(v);
        cJSON_AddBoolToObject(j, "editable", v->campaign_id == c.id && !v->superseded);
        cJSON_AddItemToArray(sets, j);
        if (!v->superseded) {
            cJSON *o = cJSON_CreateObject();
            json_add_i64(o, "id", v->s.id);
            cJSON_AddStringToObject(o, "label", v->s.name);
            cJSON_AddStringToObject(o, "target_label", !strcmp(v->s.target, "org") ? "党组织" : "党员");
            cJSON_AddItemToArray(choices, o);
        }
    }
    add_options(cJSON_AddArrayToObject(d, "sectors"), SECTORS, sizeof SECTORS / sizeof *SECTORS, org_sector_label);
    add_options(cJSON_AddArrayToObject(d, "org_types"), TYPES, sizeof TYPES / sizeof *TYPES, org_type_label);
}

/* The answer after a change: the page goes back to the campaign's standards. */
static bool back(req *r, int64_t campaign_id) { return done_redirect(r, "/campaigns/%" PRId64 "/standards", campaign_id); }

/* Loads the campaign and refuses a user who may not change its standards. */
static bool campaign_to_edit(req *r, campaign *c)
{
    char path[CX_PATH_MAX];
    if (!req_campaign(r, c, path)) return false;
    if (!may_edit(r, path)) {
        req_failf(r, 403, "forbidden", "", "只有该活动所属组织（或其上级）的活动办公室可以设置评议标准和指标，下级组织只能查看");
        return false;
    }
    return true;
}

/* POST /api/v1/campaigns/:id/sector-standards {target, sector, org_type, set_id}: organisations
 * of the sector and level (or their members) are reviewed on the set; set_id 0 removes the rule. */
void h_sector_standard_put(req *r)
{
    campaign c;
    if (!campaign_to_edit(r, &c)) return;
    const char *sid = req_in(r, "set_id");
    int64_t set_id = 0;
    if (!sid || str_to_i64(sid, &set_id) != CX_OK || set_id < 0) {
        req_failf(r, 400, "invalid_set", "set_id", "请选择评议标准（set_id 为标准编号，0 为取消这一条）");
        return;
    }
    cx_err e = {0};
    if (sector_rule_put(r->db, &r->who, c.id, req_in(r, "target"), req_in(r, "sector"), req_in(r, "org_type"), set_id, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (back(r, c.id)) return;
    if (sector_rules_list(r->db, c.id, add_rule, cJSON_AddArrayToObject(req_data(r), "rules")) != CX_OK) db_failed(r);
}

/* A JSON value as the text a check reads: strings as they are, integers as digits, anything
 * else "\x01" (fails the check); NULL when absent. */
static const char *json_text(req *r, const cJSON *v)
{
    if (!v || cJSON_IsNull(v)) return NULL;
    if (cJSON_IsString(v)) return v->valuestring;
    if (cJSON_IsNumber(v) && v->valuedouble == (double)(int64_t)v->valuedouble && v->valuedouble > -1e15 && v->valuedouble < 1e15)
        return req_keep(r, xasprintf("%" PRId64, (int64_t)v->valuedouble));
    return "\x01";
}

/* One JSON indicator {item_seq?, title, points} into in (item_seq given by the caller when
 * nested under an item); false (request failed) when it is not an object. */
static bool indicator_json(req *r, const cJSON *x, const char *item_seq, indicator_in *in, const char *fname)
{
    if (!cJSON_IsObject(x)) {
        req_failf(r, 400, "invalid_type", fname, "每条指标应为 {\"item_seq\": 条目序号, \"title\": 指标, \"points\": 分值}");
        return false;
    }
    in->item_seq = item_seq ? item_seq : json_text(r, cJSON_GetObjectItemCaseSensitive(x, "item_seq"));
    in->title = json_text(r, cJSON_GetObjectItemCaseSensitive(x, "title"));
    in->points = json_text(r, cJSON_GetObjectItemCaseSensitive(x, "points"));
    return true;
}

/* The indicators of a request: JSON "indicators" [{item_seq, title, points}] (or, for a new set,
 * nested under each of "items"), or the form's indicators_text, one a line "条目序号|指标|分值".
 * n = how many (IND_MAX + 1 when too many); false (request failed) when malformed. */
static bool indicators_in(req *r, indicator_in *in, int *n)
{
    *n = 0;
    const cJSON *flat = r->json ? cJSON_GetObjectItemCaseSensitive(r->json, "indicators") : NULL;
    const cJSON *items = r->json ? cJSON_GetObjectItemCaseSensitive(r->json, "items") : NULL;
    if (flat && !cJSON_IsNull(flat)) {
        if (!cJSON_IsArray(flat)) {
            req_failf(r, 400, "invalid_type", "indicators", "indicators 应为数组：[{\"item_seq\":1,\"title\":…,\"points\":10}]");
            return false;
        }
        const cJSON *x;
        cJSON_ArrayForEach(x, flat)
        {
            if (*n == IND_MAX) return ++*n, true;
            if (!indicator_json(r, x, NULL, &in[*n], "indicators")) return false;
            ++*n;
        }
        return true;
    }
    if (r->json) {
        if (!cJSON_IsArray(items)) return true;
        int k = 0;
        const cJSON *it;
        cJSON_ArrayForEach(it, items)
        {
            k++;
            const cJSON *inds = cJSON_IsObject(it) ? cJSON_GetObjectItemCaseSensitive(it, "indicators") : NULL;
            if (!inds || cJSON_IsNull(inds)) continue;
            if (!cJSON_IsArray(inds)) {
                req_failf(r, 400, "invalid_type", "items", "items[%d].indicators 应为数组", k - 1);
                return false;
            }
            const char *seq = req_keep(r, xasprintf("%d", k));
            const cJSON *x;
            cJSON_ArrayForEach(x, inds)
            {
                if (*n == IND_MAX) return ++*n, true;
                if (!indicator_json(r, x, seq, &in[*n], "items")) return false;
                ++*n;
            }
        }
        return true;
    }
    const char *text = req_in(r, "indicators_text");
    char *copy = req_keep(r, xstrdup(text ? text : ""));
    int line_no = 0;
    char *save = NULL;
    for (char *line = strtok_r(copy, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
        line_no++;
        if (!*str_trim(line)) continue;
        if (*n == IND_MAX) return ++*n, true;
        char *a = strchr(line, '|'), *b = a ? strchr(a + 1, '|') : NULL;
        if (!a || !b) {
            req_failf(r, 400, "invalid_indicators", "indicators_text", "指标第 %d 行应为“条目序号|指标|分值”，如 1|按期召开“三会一课”|10", line_no);
            return false;
        }
        *a = *b = 0;
        in[*n] = (indicator_in){str_trim(line), str_trim(a + 1), str_trim(b + 1)};
        ++*n;
    }
    return true;
}

/* The checked indicators and rule of a request for a set of nitems items; false when refused. */
/* The checked indicators and rule of a request for a set of nitems items; false when refused. An
 * edit (keep: the set as it is) keeps the indicators when the request has none of its inputs
 * (JSON "indicators" or "items", the form's indicators_text), and the rule when it has none of
 * t_excellent, t_qualified, t_basic. */
static bool indicators_and_rule(req *r, int nitems, const std_version *keep, indicator_ok *ind, int *nind, int t[3], bool *has_rule)
{
    indicator_in *in = req_keep(r, xcalloc(IND_MAX + 1, sizeof *in));
    cx_err e = {0};
    bool keep_ind = keep && (r->json ? !cJSON_HasObjectItem(r->json, "indicators") && !cJSON_HasObjectItem(r->json, "items")
                                     : !req_in(r, "indicators_text"));
    bool keep_rule = keep && !req_in(r, "t_excellent") && !req_in(r, "t_qualified") && !req_in(r, "t_basic") &&
                     !(r->json && (cJSON_HasObjectItem(r->json, "t_excellent") || cJSON_HasObjectItem(r->json, "t_qualified") ||
                                   cJSON_HasObjectItem(r->json, "t_basic")));
    if (keep_ind) {
        *nind = keep->nind;
        memcpy(ind, keep->ind, (size_t)keep->nind * sizeof *ind);
    } else {
        if (!indicators_in(r, in, nind)) return false;
        if (indicators_check(in, *nind, nitems, ind, &e) != CX_OK) {
            req_fail(r, &e);
            return false;
        }
    }
    int total = 0;
    for (int i = 0; i < *nind; i++) total += ind[i].points;
    if (keep_rule) {
        memcpy(t, keep->t, sizeof keep->t);
        *has_rule = keep->has_rule;
        if (*has_rule && t[0] > total) { /* fewer points now than the kept rule asks */
            req_failf(r, 400, "invalid_rule", "t_excellent", "原等次分数线（优秀 %d 分）超过现在的总分 %d，请一并修改分数线", t[0], total);
            return false;
        }
        return true;
    }
    if (set_rule_check(req_in(r, "t_excellent"), req_in(r, "t_qualified"), req_in(r, "t_basic"), total, t, has_rule, &e) != CX_OK) {
        req_fail(r, &e);
        return false;
    }
    return true;
}

bool standard_items_in(req *r, const char **titles, const char **bodies, int *n)
{
    *n = 0;
    const cJSON *items = r->json ? cJSON_GetObjectItemCaseSensitive(r->json, "items") : NULL;
    if (r->json) {
        if (!items || cJSON_IsNull(items)) return true; /* none: the check says how many are needed */
        if (!cJSON_IsArray(items)) {
            req_failf(r, 400, "invalid_type", "items", "items 应为数组：[{\"title\":…,\"body\":…}]");
            return false;
        }
        const cJSON *it;
        cJSON_ArrayForEach(it, items)
        {
            const cJSON *t = cJSON_GetObjectItemCaseSensitive(it, "title"), *b = cJSON_GetObjectItemCaseSensitive(it, "body");
            if (!cJSON_IsString(t) || (b && !cJSON_IsString(b) && !cJSON_IsNull(b))) {
                req_failf(r, 400, "invalid_type", "items", "items 的每一项应为 {\"title\": 文本, \"body\": 文本, \"indicators\": […]}");
                return false;
            }
            if (*n == STD_MAX_ITEMS) return ++*n, true;
            titles[*n] = t->valuestring;
            bodies[(*n)++] = cJSON_IsString(b) ? b->valuestring : "";
        }
        return true;
    }
    const char *text = req_in(r, "items_text");
    char *copy = req_keep(r, xstrdup(text ? text : ""));
    char *save = NULL;
    for (char *line = strtok_r(copy, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
        if (!*str_trim(line)) continue;
        if (*n == STD_MAX_ITEMS) return ++*n, true;
        char *sep = strstr(line, "：");
        size_t skip = 3;
        if (!sep) sep = strchr(line, ':'), skip = 1;
        if (sep) *sep = 0;
        titles[*n] = line;
        bodies[(*n)++] = sep ? sep + skip : "";
    }
    return true;
}

/* POST /api/v1/campaigns/:id/standard-sets {code, name, target, items [{title, body, indicators
 * [{title, points}]}], t_excellent, t_qualified, t_basic}: a set of the campaign with its local
 * indicators and its grade rule in points. */
void h_std_create(req *r)
{
    campaign c;
    if (!campaign_to_edit(r, &c)) return;
    const char *titles[STD_MAX_ITEMS + 1], *bodies[STD_MAX_ITEMS + 1];
    int n = 0, nind = 0, t[3] = {0};
    bool has_rule = false;
    if (!standard_items_in(r, titles, bodies, &n)) return;
    cx_err e = {0};
    standard_ok *in = req_keep(r, xmalloc(sizeof *in));
    if (standard_check(&(standard_in){req_in(r, "code"), req_in(r, "name"), req_in(r, "target"), titles, bodies, n}, in, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    indicator_ok *ind = req_keep(r, xcalloc(IND_MAX, sizeof *ind));
    if (!indicators_and_rule(r, in->n, NULL, ind, &nind, t, &has_rule)) return;
    int64_t id = 0;
    if (std_create(r->db, &r->who, c.id, in, ind, nind, t, has_rule, &id, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (back(r, c.id)) return;
    r->status = 201;
    std_version *v = req_keep(r, xmalloc(sizeof *v));
    if (std_version_get(r->db, id, v) == 1) cJSON_AddItemToObject(req_data(r), "standard", json_version(v));
}

/* PATCH /api/v1/campaigns/:id/standard-sets {set_id, name?, indicators [{item_seq, title,
 * points}], t_excellent, t_qualified, t_basic} (the page posts to …/standard-sets/edit): the
 * indicators and rule replace the set's; a set a round has started with gets a new version. */
void h_std_edit(req *r)
{
    campaign c;
    int64_t set_id;
    if (!campaign_to_edit(r, &c) || !req_opt_id(r, "set_id", "评议标准", &set_id)) return;
    if (!set_id) {
        req_failf(r, 400, "required", "set_id", "请指明要修改的评议标准（set_id）");
        return;
    }
    std_version *v = req_keep(r, xmalloc(sizeof *v));
    int f = std_version_get(r->db, set_id, v);
    if (f == CX_ERR) {
        db_failed(r);
        return;
    }
    if (f == 0 || (v->campaign_id && v->campaign_id != c.id)) {
        req_failf(r, 404, "not_found", "set_id", "本活动没有这个评议标准");
        return;
    }
    const char *name = req_in(r, "name");
    char nm[RV_BYTES(30)];
    cx_err e = {0};
    static const text_rule T_NAME = {"name", "标准名称", 1, 30, false};
    if (name && text_check(&T_NAME, name, nm, sizeof nm, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    int nind = 0, t[3] = {0};
    bool has_rule = false, versioned = false;
    indicator_ok *ind = req_keep(r, xcalloc(IND_MAX, sizeof *ind));
    /* a set that cannot be edited is refused as such (by the store) before its input is checked */
    if (v->campaign_id && !v->superseded && !indicators_and_rule(r, v->s.nitems, v, ind, &nind, t, &has_rule)) return;
    int64_t nid = 0;
    if (std_edit(r->db, &r->who, c.id, set_id, name ? nm : NULL, ind, nind, t, has_rule, &nid, &versioned, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    if (back(r, c.id)) return;
    cJSON *d = req_data(r);
    cJSON_AddBoolToObject(d, "versioned", versioned);
    if (std_version_get(r->db, nid, v) == 1) cJSON_AddItemToObject(d, "standard", json_version(v));
}

int standard_figures(req *r, const struct review_round *rd, const org *o, cJSON *arr)
{
    set_figures *v = NULL;
    int n = 0;
    if (round_figures_by_set(r->db, rd, o, &v, &n) != CX_OK) return CX_ERR;
    for (int i = 0; i < n; i++) {
        bool is_org = !strcmp(v[i].target, "org");
        cJSON *x = cJSON_CreateObject();
        json_add_i64(x, "set_id", v[i].set_id);
        cJSON_AddStringToObject(x, "name", v[i].name);
        json_add_i64(x, "version", v[i].version);
        cJSON_AddStringToObject(x, "target", v[i].target);
        cJSON_AddStringToObject(x, "target_label", is_org ? "党组织" : "党员");
        json_add_i64(x, "graded", v[i].graded);
        cJSON *g = cJSON_AddArrayToObject(x, "grades");
        for (int k = 1; k <= 4; k++) {
            cJSON *y = cJSON_CreateObject();
            cJSON_AddStringToObject(y, "label", grade_label(k, is_org));
            json_add_i64(y, "count", v[i].grade[k]);
            int64_t pm = v[i].graded ? (v[i].grade[k] * 1000 + v[i].graded / 2) / v[i].graded : 0; /* per mille */
            char pct[32];
            snprintf(pct, sizeof pct, "%" PRId64 ".%" PRId64 "%%", pm / 10, pm % 10);
            cJSON_AddStringToObject(y, "share", v[i].graded ? pct : "—");
            cJSON_AddItemToArray(g, y);
        }
        json_add_i64(x, "meets", v[i].meets);
        char avg[32] = "";
        int64_t mean = v[i].graded ? (v[i].score_sum + v[i].graded / 2) / v[i].graded : 0; /* scores are ×100 */
        if (v[i].graded) snprintf(avg, sizeof avg, "%" PRId64 ".%02" PRId64, mean / 100, mean % 100);
        cJSON_AddStringToObject(x, "mean_score", avg);
        cJSON_AddItemToArray(arr, x);
    }
    free(v);
    return CX_OK;
}

/* GET /orgs/:id/standard-figures, GET /api/v1/orgs/:id/standard-figures?round_id=: the round's
 * grades below the organisation by standard set, so that 四强 is compared with 四强 and 五个好
 * with 五个好, never mixed. */
void h_standard_figures(req *r)
{
    int64_t id;
    org o;
    review_round rd;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_STAFF, &o)) return;
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "按评议标准分别统计");
    cJSON_AddItemToObject(d, "org", json_org(&o));
    if (!req_round(r, o.path, &rd)) return;
    cJSON_AddItemToObject(d, "round", json_round(&rd));
    if (standard_figures(r, &rd, &o, cJSON_AddArrayToObject(d, "sets")) != CX_OK) db_failed(r);
}
