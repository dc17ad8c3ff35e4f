/* review_store.c: campaigns' phases, rules, standards and carriers; review rounds; reviews;
 * leaders' charges and commentary; exclusions; grades and their recount (see review_store.h). */
#include "review_store.h"
#include "../lib/json.h"
#include "rect_store.h"
#include "../domain/workday.h"
#include "rollup.h"
#include "../domain/date.h"
#include "../domain/orgpath.h"
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static int db_fail(db *d, cx_err *e)
{
    cx_fail(e, 500, "db_error", "", "数据库错误：%s", db_errmsg(d));
    db_rollback(d);
    return CX_ERR;
}

/* Rolls back and returns CX_ERR with e as filled by the caller (a refusal inside a transaction). */
static int refuse(db *d)
{
    db_rollback(d);
    return CX_ERR;
}

/* A user's text, trimmed, checked for UTF-8 and length (in characters); malloc'd, or NULL with e. */
static char *clean_text(const char *src, const char *field, const char *label, size_t maxchars, bool required, cx_err *e)
{
    char *t = xstrdup(src ? src : "");
    str_trim(t);
    if (required && !*t) {
        cx_fail(e, 400, "required", field, "%s不能为空", label);
    } else if (!utf8_valid(t, strlen(t)) || utf8_len(t) > maxchars) {
        cx_fail(e, 400, "too_long", field, "%s无效或超过 %zu 个字", label, maxchars);
    } else return t;
    free(t);
    return NULL;
}

/* Several texts at once: all or nothing. */
typedef struct text_spec {
    const char *src, *field, *label;
    size_t max;
    bool required;
    char **out;
} text_spec;
static int clean_texts(text_spec *v, int n, cx_err *e)
{
    for (int i = 0; i < n; i++) *v[i].out = NULL;
    for (int i = 0; i < n; i++)
        if (!(*v[i].out = clean_text(v[i].src, v[i].field, v[i].label, v[i].max, v[i].required, e))) {
            for (int k = 0; k < i; k++) free(*v[k].out), *v[k].out = NULL;
            return CX_ERR;
        }
    return CX_OK;
}
static void free_texts(text_spec *v, int n)
{
    for (int i = 0; i < n; i++) free(*v[i].out), *v[i].out = NULL;
}

static void copy_col(char *dst, size_t cap, db_stmt *s, int c) { snprintf(dst, cap, "%s", db_col_text(s, c)); }

static char *json_take(cJSON *j)
{
    char *s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return s;
}

void score_text(int64_t v, char out[24])
{
    if (v < 0) out[0] = 0;
    else snprintf(out, 24, "%" PRId64 ".%02" PRId64, v / 100, v % 100);
}

/* ---- campaigns ---- */

#define CAMPAIGN_SQL "SELECT c.id, c.org_id, c.theme, c.start_date, c.end_date, o.path FROM campaign c JOIN org o ON o.id = c.org_id "

static void read_campaign(db_stmt *s, campaign *c)
{
    c->id = db_col_i64(s, 0);
    c->org_id = db_col_i64(s, 1);
    copy_col(c->theme, sizeof c->theme, s, 2);
    copy_col(c->start_date, sizeof c->start_date, s, 3);
    copy_col(c->end_date, sizeof c->end_date, s, 4);
}

int review_campaign_get(db *d, int64_t id, campaign *c, char org_path[CX_PATH_MAX])
{
    memset(c, 0, sizeof *c); /* a caller never sees an output this call did not fill */
    if (org_path) org_path[0] = 0;
    db_stmt *s = db_prepare(d, CAMPAIGN_SQL "WHERE c.id = ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW) {
        read_campaign(s, c);
        if (org_path) copy_col(org_path, CX_PATH_MAX, s, 5);
    }
    db_done(s);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : CX_ERR;
}

int review_campaigns_for(db *d, const org *o, campaign_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, CAMPAIGN_SQL "WHERE substr(?, 1, length(o.path)) = o.path ORDER BY c.start_date DESC, c.id DESC");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, o->path);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        campaign c;
        read_campaign(s, &c);
        if (fn(ctx, &c)) break;
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* Begins a write transaction with the campaign loaded (404 when missing). */
static int begin_campaign(db *d, int64_t id, campaign *c, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    int f = review_campaign_get(d, id, c, NULL);
    if (f == 1) return CX_OK;
    if (f == CX_ERR) return db_fail(d, e);
    cx_fail(e, 404, "not_found", "campaign_id", "创先争优活动不存在");
    return refuse(d);
}

/* ---- phases ---- */

int phase_list(db *d, int64_t campaign_id, phase_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT id, campaign_id, seq, name, start_date, end_date FROM campaign_phase WHERE campaign_id = ? "
                               "ORDER BY start_date, seq");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, campaign_id);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        campaign_phase p = {.id = db_col_i64(s, 0), .campaign_id = db_col_i64(s, 1), .seq = (int)db_col_i64(s, 2)};
        copy_col(p.name, sizeof p.name, s, 3);
        copy_col(p.start_date, sizeof p.start_date, s, 4);
        copy_col(p.end_date, sizeof p.end_date, s, 5);
        if (fn(ctx, &p)) break;
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* Parses a period [start, end] that must lie inside [lo, hi] (when given). */
static int period_in(const char *start, const char *end, const char *lo, const char *hi, const char *what, char sd[11],
                     char ed[11], cx_err *e)
{
    if (date_parse(start, false, "start_date", "开始日期", sd, e) != CX_OK) return CX_ERR;
    if (date_parse(end, false, "end_date", "结束日期", ed, e) != CX_OK) return CX_ERR;
    if (date_cmp(ed, sd) < 0) return cx_fail(e, 400, "invalid_period", "end_date", "结束日期不能早于开始日期");
    if (lo && (date_cmp(sd, lo) < 0 || date_cmp(ed, hi) > 0))
        return cx_fail(e, 400, "outside_campaign", date_cmp(sd, lo) < 0 ? "start_date" : "end_date",
                       "%s应在活动期间 %s 至 %s 之内", what, lo, hi);
    return CX_OK;
}


int phase_save(db *d, const actor *a, int64_t campaign_id, int64_t phase_id, const char *name, const char *start,
               const char *end, int64_t *id, cx_err *e)
{
    char *nm = clean_text(name, "name", "阶段名称", 60, true, e), *before = NULL;
    if (!nm) return CX_ERR;
    campaign c;
    char sd[11], ed[11];
    int rc = begin_campaign(d, campaign_id, &c, e);
    if (rc != CX_OK) goto out;
    if (period_in(start, end, c.start_date, c.end_date, "阶段起止日期", sd, ed, e) != CX_OK) {
        rc = refuse(d);
        goto out;
    }
    if (phase_id) {
        db_stmt *s = db_prepare(d, "SELECT name, start_date, end_date FROM campaign_phase WHERE id = ? AND campaign_id = ?");
        int st = CX_ERR;
        if (s) {
            db_bind_i64(s, 1, phase_id);
            db_bind_i64(s, 2, campaign_id);
            if ((st = db_step(s)) == DB_ROW) {
                cJSON *b = cJSON_CreateObject();
                cJSON_AddStringToObject(b, "name", db_col_text(s, 0));
                cJSON_AddStringToObject(b, "start_date", db_col_text(s, 1));
                cJSON_AddStringToObject(b, "end_date", db_col_text(s, 2));
                before = json_take(b);
            }
            db_done(s);
        }
        if (st == CX_ERR) {
            rc = db_fail(d, e);
            goto out;
        }
        if (st == DB_DONE) {
            cx_fail(e, 404, "not_found", "phase_id", "该活动没有这个阶段");
            rc = refuse(d);
            goto out;
        }
        rc = db_run(d, "UPDATE campaign_phase SET name = ?, start_date = ?, end_date = ? WHERE id = ?", "sssi", nm, sd, ed, phase_id);
    } else {
        rc = db_i64(d, &phase_id, 0, "INSERT INTO campaign_phase (campaign_id, seq, name, start_date, end_date) VALUES (?, "
                                     "(SELECT coalesce(max(seq), 0) + 1 FROM campaign_phase WHERE campaign_id = ?), ?, ?, ?) RETURNING id",
                    "iisss", campaign_id, campaign_id, nm, sd, ed);
    }
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "phase_id", phase_id);
    cJSON_AddStringToObject(j, "name", nm);
    cJSON_AddStringToObject(j, "start_date", sd);
    cJSON_AddStringToObject(j, "end_date", ed);
    rc = store_finish(d, a, before ? "phase.edit" : "phase.add", "campaign", campaign_id, c.org_id, before, json_take(j), rc, e);
    before = NULL;
    if (rc == CX_OK && id) *id = phase_id;
out:
    free(before);
    free(nm);
    return rc;
}

/* ---- rules ---- */

#define RF(f, label) {#f, label, offsetof(review_rules, f), false}
const rule_field rule_fields[] = {
    {"w_self", "自评权重（%）", offsetof(review_rules, w) + C_SELF * sizeof(int), false},
    {"w_peer", "互评权重（%）", offsetof(review_rules, w) + C_PEER * sizeof(int), false},
    {"w_leader", "领导点评权重（%）", offsetof(review_rules, w) + C_LEADER * sizeof(int), false},
    {"w_public", "群众评议权重（%）", offsetof(review_rules, w) + C_PUBLIC * sizeof(int), false},
    {"w_pledge", "承诺兑现权重（%）", offsetof(review_rules, w) + C_PLEDGE * sizeof(int), false},
    RF(t_excellent, "优秀（好）分数线"),
    RF(t_qualified, "合格（较好）分数线"),
    RF(t_basic, "基本合格（一般）分数线"),
    {"s_satisfied", "“满意”分值", offsetof(review_rules, s_ans), false},
    {"s_basic", "“基本满意”分值", offsetof(review_rules, s_ans) + sizeof(int), false},
    {"s_unsatisfied", "“不满意”分值", offsetof(review_rules, s_ans) + 2 * sizeof(int), false},
    {"l_good", "“好”分值", offsetof(review_rules, l_lv), false},
    {"l_fair", "“较好”分值", offsetof(review_rules, l_lv) + sizeof(int), false},
    {"l_average", "“一般”分值", offsetof(review_rules, l_lv) + 2 * sizeof(int), false},
    {"l_poor", "“差”分值", offsetof(review_rules, l_lv) + 3 * sizeof(int), false},
    RF(cap_num, "优秀比例（分子）"),
    RF(cap_den, "优秀比例（分母）"),
    {"veto_unjustified", "无正当理由未兑现承诺即不合格", offsetof(review_rules, veto_unjustified), true},
    RF(veto_unsatisfied_pct, "不满意比例否决线（%，0 为不启用）"),
    RF(min_ballots, "群众评议最少有效票数"),
    {"sms_required", "“不满意”须短信验证手机", offsetof(review_rules, sms_required), true},
};
#undef RF
const int rule_nfields = (int)(sizeof rule_fields / sizeof rule_fields[0]);

int rule_get(const review_rules *r, int i)
{
    const char *p = (const char *)r + rule_fields[i].off;
    return rule_fields[i].flag ? *(const bool *)p : *(const int *)p;
}

void rule_set(review_rules *r, int i, int v)
{
    char *p = (char *)r + rule_fields[i].off;
    if (rule_fields[i].flag) *(bool *)p = v != 0;
    else *(int *)p = v;
}

/* Columns in rule_fields order after the two sets. */
#define RULE_COLS                                                                                                     \
    "org_set_id, member_set_id, w_self, w_peer, w_leader, w_public, w_pledge, t_excellent, t_qualified, t_basic, "     \
    "s_satisfied, s_basic, s_unsatisfied, l_good, l_fair, l_average, l_poor, cap_num, cap_den, veto_unjustified, "    \
    "veto_unsatisfied_pct, min_ballots, sms_required"

int rules_get(db *d, int64_t campaign_id, review_rules *r, int64_t *org_set, int64_t *member_set)
{
    review_rules_default(r);
    if (org_set) *org_set = 0; /* no rule row: the defaults, no sets */
    if (member_set) *member_set = 0;
    db_stmt *s = db_prepare(d, "SELECT " RULE_COLS " FROM campaign_rule WHERE campaign_id = ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, campaign_id);
    int rc = db_step(s);
    if (rc == DB_ROW) {
        if (org_set) *org_set = db_col_i64(s, 0);
        if (member_set) *member_set = db_col_i64(s, 1);
        for (int i = 0; i < rule_nfields; i++) rule_set(r, i, (int)db_col_i64(s, 2 + i));
    }
    db_done(s);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : CX_ERR;
}

cJSON *review_rules_json(const review_rules *r, int64_t org_set, int64_t member_set)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "org_set_id", org_set);
    json_add_i64(j, "member_set_id", member_set);
    for (int i = 0; i < rule_nfields; i++) {
        if (rule_fields[i].flag) cJSON_AddBoolToObject(j, rule_fields[i].name, rule_get(r, i));
        else json_add_i64(j, rule_fields[i].name, rule_get(r, i));
    }
    return j;
}

/* The number of items of a standard set with the given target; 0 when the set is missing or is
 * for the other kind of target. */
static int set_items(db *d, int64_t set_id, const char *target, int64_t *n)
{
    return db_i64(d, n, 0, "SELECT count(*) FROM standard_item i JOIN standard_set s ON s.id = i.set_id WHERE s.id = ? AND s.target = ?",
                  "is", set_id, target);
}

/* Changed rules (the cap, thresholds, weights, vetoes) apply at once: every branch graded in an
 * open round of the campaign is recomputed and must decide again (grades_redo). */
static int redo_campaign(db *d, const actor *a, int64_t campaign_id)
{
    int64_t (*v)[2] = NULL;
    size_t n = 0;
    db_stmt *s = db_prepare(d, "SELECT DISTINCT g.round_id, g.org_id FROM grade g JOIN review_round r ON r.id = g.round_id "
                               "WHERE r.campaign_id = ? AND r.status = 'open' AND g.target_kind = 'member' ORDER BY g.round_id, g.org_id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, campaign_id);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        v = xrealloc(v, (n + 1) * sizeof *v);
        v[n][0] = db_col_i64(s, 0), v[n][1] = db_col_i64(s, 1), n++;
    }
    db_done(s);
    rc = rc == CX_ERR ? CX_ERR : CX_OK;
    for (size_t i = 0; rc == CX_OK && i < n; i++) rc = grades_redo(d, a, v[i][0], v[i][1], "活动的评定规则已修改");
    free(v);
    return rc;
}

int rules_set(db *d, const actor *a, int64_t campaign_id, const review_rules *r, int64_t org_set, int64_t member_set,
              cx_err *e)
{
    if (review_rules_check(r, e) != CX_OK) return CX_ERR;
    campaign c;
    if (begin_campaign(d, campaign_id, &c, e) != CX_OK) return CX_ERR;
    review_rules old;
    int64_t old_org = 0, old_member = 0, n = 0, used = 0;
    if (rules_get(d, campaign_id, &old, &old_org, &old_member) == CX_ERR) return db_fail(d, e);
    if (set_items(d, org_set, "org", &n) != CX_OK) return db_fail(d, e);
    if (!n) return cx_fail(e, 400, "invalid_set", "org_set_id", "组织评议标准不存在或不是针对党组织的标准"), refuse(d);
    if (set_items(d, member_set, "member", &n) != CX_OK) return db_fail(d, e);
    if (!n) return cx_fail(e, 400, "invalid_set", "member_set_id", "党员评议标准不存在或不是针对党员的标准"), refuse(d);
    if ((org_set != old_org || member_set != old_member) &&
        db_i64(d, &used, 0, "SELECT count(*) FROM review v JOIN review_round rr ON rr.id = v.round_id WHERE rr.campaign_id = ?", "i",
               campaign_id) != CX_OK)
        return db_fail(d, e);
    if (used)
        return cx_fail(e, 409, "sets_in_use", org_set != old_org ? "org_set_id" : "member_set_id",
                       "本活动已有按现行标准提交的评议 %" PRId64 " 份，不能再更换评议标准", used),
               refuse(d);
    db_stmt *s = db_prepare(d, "INSERT INTO campaign_rule (campaign_id, " RULE_COLS ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                               "ON CONFLICT (campaign_id) DO UPDATE SET org_set_id = excluded.org_set_id, member_set_id = excluded.member_set_id, "
                               "w_self = excluded.w_self, w_peer = excluded.w_peer, w_leader = excluded.w_leader, w_public = excluded.w_public, "
                               "w_pledge = excluded.w_pledge, t_excellent = excluded.t_excellent, t_qualified = excluded.t_qualified, "
                               "t_basic = excluded.t_basic, s_satisfied = excluded.s_satisfied, s_basic = excluded.s_basic, "
                               "s_unsatisfied = excluded.s_unsatisfied, l_good = excluded.l_good, l_fair = excluded.l_fair, "
                               "l_average = excluded.l_average, l_poor = excluded.l_poor, cap_num = excluded.cap_num, cap_den = excluded.cap_den, "
                               "veto_unjustified = excluded.veto_unjustified, veto_unsatisfied_pct = excluded.veto_unsatisfied_pct, "
                               "min_ballots = excluded.min_ballots, sms_required = excluded.sms_required");
    int rc = CX_ERR;
    if (s) {
        db_bind_i64(s, 1, campaign_id);
        db_bind_i64(s, 2, org_set);
        db_bind_i64(s, 3, member_set);
        for (int i = 0; i < rule_nfields; i++) db_bind_i64(s, 4 + i, rule_get(r, i));
        rc = db_step(s) == CX_ERR ? CX_ERR : CX_OK;
        db_done(s);
    }
    bool changed = false;
    for (int i = 0; i < rule_nfields; i++) changed |= rule_get(&old, i) != rule_get(r, i);
    if (rc == CX_OK && changed) rc = redo_campaign(d, a, campaign_id);
    return store_finish(d, a, "rules.edit", "campaign", campaign_id, c.org_id, json_take(review_rules_json(&old, old_org, old_member)),
                        json_take(review_rules_json(r, org_set, member_set)), rc, e);
}

/* ---- standard sets ---- */

int standard_get(db *d, int64_t id, standard_set *out)
{
    memset(out, 0, sizeof *out); /* a caller never sees an output this call did not fill */
    db_stmt *s = db_prepare(d, "SELECT s.id, s.code, s.name, s.target, s.builtin, i.seq, i.title, i.body FROM standard_set s "
                               "LEFT JOIN standard_item i ON i.set_id = s.id WHERE s.id = ? ORDER BY i.seq");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    int rc, found = 0;
    while ((rc = db_step(s)) == DB_ROW) {
        if (!found++) {
            memset(out, 0, sizeof *out);
            out->id = db_col_i64(s, 0);
            copy_col(out->code, sizeof out->code, s, 1);
            copy_col(out->name, sizeof out->name, s, 2);
            copy_col(out->target, sizeof out->target, s, 3);
            out->builtin = (int)db_col_i64(s, 4);
        }
        if (db_col_null(s, 5) || out->nitems >= STD_MAX_ITEMS) continue;
        standard_item *it = &out->items[out->nitems++];
        it->seq = (int)db_col_i64(s, 5);
        copy_col(it->title, sizeof it->title, s, 6);
        copy_col(it->body, sizeof it->body, s, 7);
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : found > 0;
}

int standard_list(db *d, standard_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT id FROM standard_set ORDER BY builtin DESC, id LIMIT 200");
    if (!s) return CX_ERR;
    int64_t ids[200];
    int n = 0, rc;
    while ((rc = db_step(s)) == DB_ROW && n < 200) ids[n++] = db_col_i64(s, 0);
    db_done(s);
    if (rc == CX_ERR) return CX_ERR;
    standard_set *set = xmalloc(sizeof *set);
    for (int i = 0; i < n; i++) {
        if ((rc = standard_get(d, ids[i], set)) == CX_ERR) break;
        if (rc == 1 && fn(ctx, set)) break;
    }
    free(set);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int standard_create(db *d, const actor *a, int64_t audit_org, const char *code, const char *name, const char *target,
                    const char *const *titles, const char *const *bodies, int n, int64_t *id, cx_err *e)
{
    size_t cl = code ? strlen(code) : 0;
    if (cl < 2 || cl > 32 || strspn(code, "abcdefghijklmnopqrstuvwxyz0123456789_") != cl)
        return cx_fail(e, 400, "invalid_code", "code", "标准代码应为 2–32 个小写字母、数字或下划线（如 siqiang）");
    if (!target || (strcmp(target, "org") && strcmp(target, "member")))
        return cx_fail(e, 400, "invalid_target", "target", "适用对象应为党组织（org）或党员（member）");
    if (n < 1 || n > STD_MAX_ITEMS)
        return cx_fail(e, 400, "invalid_items", "items", "标准应有 1 到 %d 条内容", STD_MAX_ITEMS);
    char *nm = clean_text(name, "name", "标准名称", 30, true, e);
    if (!nm) return CX_ERR;
    char **t = xcalloc((size_t)n, sizeof *t), **b = xcalloc((size_t)n, sizeof *b);
    int rc = CX_OK;
    for (int i = 0; i < n && rc == CX_OK; i++) {
        char field[32];
        snprintf(field, sizeof field, "items[%d].title", i);
        if (!(t[i] = clean_text(titles[i], field, "标准条目的标题", 40, true, e))) rc = CX_ERR;
        snprintf(field, sizeof field, "items[%d].body", i);
        if (rc == CX_OK && !(b[i] = clean_text(bodies[i], field, "标准条目的内容", 500, false, e))) rc = CX_ERR;
    }
    int64_t sid = 0, dup = 0;
    cJSON *j = NULL;
    if (rc != CX_OK) goto out;
    if (db_begin(d, true) != CX_OK) {
        rc = db_fail(d, e);
        goto out;
    }
    if (db_i64(d, &dup, 0, "SELECT count(*) FROM standard_set WHERE code = ?", "s", code) != CX_OK) {
        rc = db_fail(d, e);
        goto out;
    }
    if (dup) {
        cx_fail(e, 409, "duplicate_code", "code", "标准代码“%s”已被使用", code);
        rc = refuse(d);
        goto out;
    }
    rc = db_i64(d, &sid, 0, "INSERT INTO standard_set (code, name, target, builtin) VALUES (?,?,?,0) RETURNING id", "sss", code, nm, target);
    j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "code", code);
    cJSON_AddStringToObject(j, "name", nm);
    cJSON_AddStringToObject(j, "target", target);
    cJSON *items = cJSON_AddArrayToObject(j, "items");
    for (int i = 0; i < n && rc == CX_OK; i++) {
        rc = db_run(d, "INSERT INTO standard_item (set_id, seq, title, body) VALUES (?,?,?,?)", "iiss", sid, (int64_t)(i + 1), t[i], b[i]);
        cJSON_AddItemToArray(items, cJSON_CreateString(t[i]));
    }
    rc = store_finish(d, a, "standard.create", "standard_set", sid, audit_org, NULL, json_take(j), rc, e);
    if (rc == CX_OK && id) *id = sid;
out:
    for (int i = 0; i < n; i++) free(t[i]), free(b[i]);
    free(t);
    free(b);
    free(nm);
    return rc;
}

/* ---- carriers ---- */

int carrier_list(db *d, const org *root, bool subtree, carrier_fn fn, void *ctx)
{
    char end[CX_PATH_MAX];
    orgpath_end(root->path, end, sizeof end);
    db_stmt *s = db_prepare(d, "SELECT k.id, k.campaign_id, k.org_id, k.name, k.description, o.name FROM carrier k JOIN org o ON o.id = k.org_id "
                               "WHERE (? = 1 AND o.path >= ? AND o.path < ?) OR k.org_id = ? ORDER BY o.path, k.id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, subtree ? 1 : 0);
    db_bind_text(s, 2, root->path);
    db_bind_text(s, 3, end);
    db_bind_i64(s, 4, root->id);
    int rc;
    carrier *k = xmalloc(sizeof *k);
    while ((rc = db_step(s)) == DB_ROW) {
        k->id = db_col_i64(s, 0);
        k->campaign_id = db_col_i64(s, 1);
        k->org_id = db_col_i64(s, 2);
        copy_col(k->name, sizeof k->name, s, 3);
        copy_col(k->description, sizeof k->description, s, 4);
        copy_col(k->org_name, sizeof k->org_name, s, 5);
        if (fn(ctx, k)) break;
    }
    free(k);
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int carrier_add(db *d, const actor *a, int64_t campaign_id, const org *o, const char *name, const char *description,
                int64_t *id, cx_err *e)
{
    char *nm = NULL, *ds = NULL;
    text_spec tv[] = {{name, "name", "载体名称", 40, true, &nm}, {description, "description", "载体说明", 500, false, &ds}};
    if (clean_texts(tv, 2, e) != CX_OK) return CX_ERR;
    campaign c;
    char cpath[CX_PATH_MAX] = "";
    int64_t kid = 0;
    int rc = db_begin(d, true) == CX_OK ? CX_OK : db_fail(d, e);
    if (rc != CX_OK) goto out;
    int f = review_campaign_get(d, campaign_id, &c, cpath);
    if (f == CX_ERR) {
        rc = db_fail(d, e);
        goto out;
    }
    if (f == 0 || !path_in_subtree(o->path, cpath)) {
        cx_fail(e, 400, "invalid_campaign", "campaign_id", "该活动不存在或不覆盖“%s”", o->name);
        rc = refuse(d);
        goto out;
    }
    rc = db_i64(d, &kid, 0, "INSERT INTO carrier (campaign_id, org_id, name, description, created_at) VALUES (?,?,?,?,?) RETURNING id",
                "iissi", campaign_id, o->id, nm, ds, now_unix());
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "campaign_id", campaign_id);
    cJSON_AddStringToObject(j, "name", nm);
    cJSON_AddStringToObject(j, "description", ds);
    rc = store_finish(d, a, "carrier.add", "carrier", kid, o->id, NULL, json_take(j), rc, e);
    if (rc == CX_OK && id) *id = kid;
out:
    free_texts(tv, 2);
    return rc;
}

/* ---- rounds ---- */

#define ROUND_SQL                                                                                                    \
    "SELECT r.id, r.campaign_id, r.org_id, r.created_at, r.status, r.name, r.period_start, r.period_end, r.questions, " \
    "o.name, o.path, c.theme FROM review_round r JOIN org o ON o.id = r.org_id JOIN campaign c ON c.id = r.campaign_id "

static void read_round(db_stmt *s, review_round *r)
{
    r->id = db_col_i64(s, 0);
    r->campaign_id = db_col_i64(s, 1);
    r->org_id = db_col_i64(s, 2);
    r->created_at = db_col_i64(s, 3);
    r->open = !strcmp(db_col_text(s, 4), "open");
    copy_col(r->name, sizeof r->name, s, 5);
    copy_col(r->period_start, sizeof r->period_start, s, 6);
    copy_col(r->period_end, sizeof r->period_end, s, 7);
    copy_col(r->questions, sizeof r->questions, s, 8);
    copy_col(r->org_name, sizeof r->org_name, s, 9);
    copy_col(r->org_path, sizeof r->org_path, s, 10);
    copy_col(r->campaign_theme, sizeof r->campaign_theme, s, 11);
}

static int round_one(db *d, const char *sql, const char *text, int64_t id, review_round *r)
{
    memset(r, 0, sizeof *r); /* a caller never sees an output this call did not fill */
    db_stmt *s = db_prepare(d, sql);
    if (!s) return CX_ERR;
    if (text) db_bind_text(s, 1, text);
    else db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW) read_round(s, r);
    db_done(s);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : CX_ERR;
}

int round_get(db *d, int64_t id, review_round *r) { return round_one(d, ROUND_SQL "WHERE r.id = ?", NULL, id, r); }

int round_current(db *d, const char *org_path, review_round *r)
{
    return round_one(d, ROUND_SQL "WHERE r.status = 'open' AND substr(?, 1, length(o.path)) = o.path ORDER BY r.id DESC LIMIT 1", org_path, 0, r);
}

#define ROUND_COVERS "WHERE substr(?, 1, length(o.path)) = o.path OR (o.path >= ? AND o.path < ?) "
int round_count(db *d, const org *o, int64_t *total)
{
    char end[CX_PATH_MAX];
    orgpath_end(o->path, end, sizeof end);
    return db_i64(d, total, 0, "SELECT COUNT(*) FROM review_round r JOIN org o ON o.id = r.org_id " ROUND_COVERS, "sss", o->path, o->path, end);
}

int round_list(db *d, const org *o, int64_t offset, int64_t limit, round_fn fn, void *ctx)
{
    char end[CX_PATH_MAX];
    orgpath_end(o->path, end, sizeof end);
    db_stmt *s = db_prepare(d, ROUND_SQL ROUND_COVERS "ORDER BY r.period_start DESC, r.id DESC LIMIT ? OFFSET ?");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, o->path);
    db_bind_text(s, 2, o->path);
    db_bind_text(s, 3, end);
    db_bind_i64(s, 4, limit > 0 ? limit : INT64_MAX);
    db_bind_i64(s, 5, offset);
    int rc;
    review_round *r = xmalloc(sizeof *r);
    while ((rc = db_step(s)) == DB_ROW) {
        read_round(s, r);
        if (fn(ctx, r)) break;
    }
    free(r);
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int round_create(db *d, const actor *a, int64_t org_id, int64_t campaign_id, const char *name, const char *start,
                 const char *end, const char *questions, int64_t *id, cx_err *e)
{
    if (!questions || !*questions) questions = "party3";
    if (!questions_of(questions, NULL))
        return cx_fail(e, 400, "invalid_questions", "questions", "群众评议问题应为 party3（党员三问）或 window6（窗口六问）");
    char *nm = clean_text(name, "name", "评议轮次名称", 40, true, e);
    if (!nm) return CX_ERR;
    campaign c;
    char cpath[CX_PATH_MAX], sd[11], ed[11];
    org o;
    int64_t rid = 0, dup = 0;
    int rc = db_begin(d, true) == CX_OK ? CX_OK : db_fail(d, e);
    if (rc != CX_OK) goto out;
    int f = review_campaign_get(d, campaign_id, &c, cpath), g = f == 1 ? org_get(d, org_id, &o) : f;
    if (f == CX_ERR || g == CX_ERR) {
        rc = db_fail(d, e);
        goto out;
    }
    if (g != 1 || !o.active) {
        cx_fail(e, 404, "not_found", "org_id", "党组织不存在或已停用");
        rc = refuse(d);
        goto out;
    }
    if (f != 1 || !path_in_subtree(o.path, cpath)) {
        cx_fail(e, 400, "invalid_campaign", "campaign_id", "该活动不存在或不覆盖“%s”", o.name);
        rc = refuse(d);
        goto out;
    }
    if (period_in(start, end, c.start_date, c.end_date, "评议期间", sd, ed, e) != CX_OK) {
        rc = refuse(d);
        goto out;
    }
    if (db_i64(d, &dup, 0, "SELECT count(*) FROM review_round WHERE org_id = ? AND campaign_id = ? AND name = ?", "iis", org_id,
               campaign_id, nm) != CX_OK) {
        rc = db_fail(d, e);
        goto out;
    }
    if (dup) {
        cx_fail(e, 409, "duplicate_round", "name", "“%s”已有名为“%s”的评议轮次", o.name, nm);
        rc = refuse(d);
        goto out;
    }
    rc = db_i64(d, &rid, 0, "INSERT INTO review_round (campaign_id, org_id, name, period_start, period_end, questions, status, created_at) "
                            "VALUES (?,?,?,?,?,?,'open',?) RETURNING id",
                "iissssi", campaign_id, org_id, nm, sd, ed, questions, now_unix());
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "campaign_id", campaign_id);
    cJSON_AddStringToObject(j, "name", nm);
    cJSON_AddStringToObject(j, "period_start", sd);
    cJSON_AddStringToObject(j, "period_end", ed);
    cJSON_AddStringToObject(j, "questions", questions);
    rc = store_finish(d, a, "round.create", "review_round", rid, org_id, NULL, json_take(j), rc, e);
    if (rc == CX_OK && id) *id = rid;
out:
    free(nm);
    return rc;
}

/* Begins a write transaction with the round loaded; refuses a missing or closed round. */
static int begin_open_round(db *d, int64_t round_id, review_round *rd, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    int f = round_get(d, round_id, rd);
    if (f == CX_ERR) return db_fail(d, e);
    if (f == 0) return cx_fail(e, 404, "not_found", "round_id", "评议轮次不存在"), refuse(d);
    if (!rd->open)
        return cx_fail(e, 409, "round_closed", "round_id", "评议轮次“%s”已经结束，不能再提交或修改评议、点评和等次", rd->name), refuse(d);
    return CX_OK;
}

/* Refuses a target outside the round's subtree. */
static int round_covers(db *d, const review_round *rd, const char *path, const char *name, cx_err *e)
{
    if (path_in_subtree(path, rd->org_path)) return CX_OK;
    cx_fail(e, 400, "outside_round", "round_id", "评议轮次“%s”（%s）不包括“%s”", rd->name, rd->org_name, name);
    return refuse(d);
}

int round_close(db *d, const actor *a, int64_t id, cx_err *e)
{
    review_round rd;
    if (begin_open_round(d, id, &rd, e) != CX_OK) return CX_ERR;
    int rc = db_run(d, "UPDATE review_round SET status = 'closed' WHERE id = ?", "i", id);
    return store_finish(d, a, "round.close", "review_round", id, rd.org_id, xstrdup("{\"status\":\"open\"}"),
                        xstrdup("{\"status\":\"closed\"}"), rc, e);
}

/* The number of items of the campaign's standard set for organisations or members. */
static int campaign_items(db *d, int64_t campaign_id, bool is_org, int64_t *n)
{
    return db_i64(d, n, 0,
                  is_org ? "SELECT count(*) FROM standard_item i JOIN campaign_rule r ON r.org_set_id = i.set_id WHERE r.campaign_id = ?"
                      : "SELECT count(*) FROM standard_item i JOIN campaign_rule r ON r.member_set_id = i.set_id WHERE r.campaign_id = ?",
                  "i", campaign_id);
}

/* ---- reviews ---- */

/* The review's texts (self-reviews: achievements, 找不足 and 明方向 required except achievements;
 * peer reviews: an optional remark kept in shortcomings). */
static int review_texts(const review_in *in, bool self, char **ach, char **sho, char **dir, cx_err *e)
{
    if (!self) {
        text_spec tv[] = {{in->shortcomings, "shortcomings", "意见和建议", 500, false, sho}};
        *ach = xstrdup("");
        *dir = xstrdup("");
        if (clean_texts(tv, 1, e) == CX_OK) return CX_OK;
        free(*ach), free(*dir), *ach = *dir = NULL;
        return CX_ERR;
    }
    text_spec tv[] = {{in->achievements, "achievements", "主要成绩", 1000, false, ach},
                      {in->shortcomings, "shortcomings", "存在的不足（找不足）", 1000, true, sho},
                      {in->direction, "direction", "努力方向（明方向）", 1000, true, dir}};
    return clean_texts(tv, 3, e);
}

/* Inserts or updates one review row; *rid gets its id, *updated whether it existed. */
static int put_review(db *d, const review_round *rd, const char *kind, int64_t target_member, int64_t target_org,
                      int64_t reviewer_member, int64_t user_id, const char *levels, const char *ach, const char *sho,
                      const char *dir, int64_t *rid, bool *updated, char **before)
{
    db_stmt *s = db_prepare(d, target_member ? "SELECT id, levels, achievements, shortcomings, direction FROM review WHERE round_id = ? AND kind = ? "
                                               "AND target_member_id = ? AND reviewer_member_id = ?"
                                             : "SELECT id, levels, achievements, shortcomings, direction FROM review WHERE round_id = ? AND kind = ? "
                                               "AND target_org_id = ? AND ? = 0");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, rd->id);
    db_bind_text(s, 2, kind);
    db_bind_i64(s, 3, target_member ? target_member : target_org);
    db_bind_i64(s, 4, reviewer_member);
    int rc = db_step(s);
    *rid = 0;
    if (rc == DB_ROW) {
        *rid = db_col_i64(s, 0);
        cJSON *b = cJSON_CreateObject();
        cJSON_AddStringToObject(b, "levels", db_col_text(s, 1));
        cJSON_AddStringToObject(b, "achievements", db_col_text(s, 2));
        cJSON_AddStringToObject(b, "shortcomings", db_col_text(s, 3));
        cJSON_AddStringToObject(b, "direction", db_col_text(s, 4));
        *before = json_take(b);
    }
    db_done(s);
    if (rc == CX_ERR) return CX_ERR;
    *updated = *rid != 0;
    int64_t now = now_unix();
    if (*rid)
        return db_run(d, "UPDATE review SET levels = ?, achievements = ?, shortcomings = ?, direction = ?, reviewer_user_id = ?, updated_at = ? WHERE id = ?",
                      "ssssiii", levels, ach, sho, dir, user_id, now, *rid);
    /* 0 stands for NULL: an organisation's self-review has no member target nor member reviewer */
    return db_i64(d, rid, 0, "INSERT INTO review (round_id, kind, target_member_id, target_org_id, reviewer_member_id, reviewer_user_id, "
                             "levels, achievements, shortcomings, direction, created_at, updated_at) VALUES (?, ?, NULLIF(?, CAST(0 AS BIGINT)), ?, "
                             "NULLIF(?, CAST(0 AS BIGINT)), ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                  "isiiiissssii", rd->id, kind, target_member, target_org, reviewer_member, user_id, levels, ach, sho, dir, now, now);
}

static cJSON *review_after(const char *levels, const char *ach, const char *sho, const char *dir)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "levels", levels);
    cJSON_AddStringToObject(j, "achievements", ach);
    cJSON_AddStringToObject(j, "shortcomings", sho);
    cJSON_AddStringToObject(j, "direction", dir);
    return j;
}

int review_member_submit(db *d, const actor *a, int64_t round_id, const member *target, int64_t reviewer_member,
                         const review_in *in, bool *updated, cx_err *e)
{
    bool self = reviewer_member == target->id;
    char *ach = NULL, *sho = NULL, *dir = NULL, *before = NULL;
    if (review_texts(in, self, &ach, &sho, &dir, e) != CX_OK) return CX_ERR;
    review_round rd;
    member rv;
    int64_t n = 0, rid = 0;
    int rc = begin_open_round(d, round_id, &rd, e);
    if (rc != CX_OK || (rc = round_covers(d, &rd, target->org_path, target->r.name, e)) != CX_OK) goto out;
    if (!target->active) {
        cx_fail(e, 409, "inactive", "id", "党员“%s”已停用，不能评议", target->r.name);
        rc = refuse(d);
        goto out;
    }
    if (!self) {
        int f = member_get(d, reviewer_member, &rv);
        if (f == CX_ERR) {
            rc = db_fail(d, e);
            goto out;
        }
        if (f == 0 || !rv.active || rv.org_id != target->org_id) {
            cx_fail(e, 403, "not_same_branch", "id", "只能互评本支部的党员");
            rc = refuse(d);
            goto out;
        }
    }
    if (campaign_items(d, rd.campaign_id, false, &n) != CX_OK) {
        rc = db_fail(d, e);
        goto out;
    }
    if (levels_check(in->levels, (int)n, "levels", e) != CX_OK) {
        rc = refuse(d);
        goto out;
    }
    bool upd = false;
    rc = put_review(d, &rd, self ? "self" : "peer", target->id, target->org_id, reviewer_member, a->user_id, in->levels, ach, sho, dir,
                    &rid, &upd, &before);
    if (rc == CX_OK && !upd) {
        rollup delta = {{0}};
        delta.v[self ? RU_SELF_REVIEWS : RU_PEER_REVIEWS] = 1;
        rc = rollup_add(d, rd.id, target->org_path, &delta);
    }
    if (self) {
        rc = store_finish(d, a, upd ? "review.self_edit" : "review.self", "review", rid, target->org_id, before,
                          json_take(review_after(in->levels, ach, sho, dir)), rc, e);
    } else {
        /* anonymous: the record names the round and the branch, never the member reviewed nor the levels */
        free(before);
        rc = store_finish(d, a, upd ? "review.peer_edit" : "review.peer", "review_round", rd.id, target->org_id, NULL,
                          xstrdup("{\"kind\":\"peer\"}"), rc, e);
    }
    before = NULL;
    if (rc == CX_OK && updated) *updated = upd;
out:
    free(before);
    free(ach), free(sho), free(dir);
    return rc;
}

int review_org_submit(db *d, const actor *a, int64_t round_id, const org *o, const review_in *in, bool *updated, cx_err *e)
{
    char *ach = NULL, *sho = NULL, *dir = NULL, *before = NULL;
    if (review_texts(in, true, &ach, &sho, &dir, e) != CX_OK) return CX_ERR;
    review_round rd;
    int64_t n = 0, rid = 0;
    bool upd = false;
    int rc = begin_open_round(d, round_id, &rd, e);
    if (rc != CX_OK || (rc = round_covers(d, &rd, o->path, o->name, e)) != CX_OK) goto out;
    if (campaign_items(d, rd.campaign_id, true, &n) != CX_OK) {
        rc = db_fail(d, e);
        goto out;
    }
    if (levels_check(in->levels, (int)n, "levels", e) != CX_OK) {
        rc = refuse(d);
        goto out;
    }
    rc = put_review(d, &rd, "org_self", 0, o->id, 0, a->user_id, in->levels, ach, sho, dir, &rid, &upd, &before);
    rc = store_finish(d, a, upd ? "review.org_edit" : "review.org", "review", rid, o->id, before,
                      json_take(review_after(in->levels, ach, sho, dir)), rc, e);
    before = NULL;
    if (rc == CX_OK && updated) *updated = upd;
out:
    free(before);
    free(ach), free(sho), free(dir);
    return rc;
}

/* One review row's texts by a query binding (round, target, reviewer or 0). */
static int review_text_get(db *d, const char *sql, int64_t round_id, int64_t target_id, int64_t reviewer, review_text *out)
{
    memset(out, 0, sizeof *out); /* a caller never sees an output this call did not fill */
    db_stmt *s = db_prepare(d, sql);
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, round_id);
    db_bind_i64(s, 2, target_id);
    db_bind_i64(s, 3, reviewer);
    int rc = db_step(s);
    if (rc == DB_ROW) {
        copy_col(out->levels, sizeof out->levels, s, 0);
        copy_col(out->achievements, sizeof out->achievements, s, 1);
        copy_col(out->shortcomings, sizeof out->shortcomings, s, 2);
        copy_col(out->direction, sizeof out->direction, s, 3);
        out->updated_at = db_col_i64(s, 4);
    }
    db_done(s);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : CX_ERR;
}

#define REVIEW_TEXT_SQL "SELECT levels, achievements, shortcomings, direction, updated_at FROM review WHERE round_id = ? "

int review_self_get(db *d, int64_t round_id, bool is_org, int64_t target_id, review_text *out)
{
    return review_text_get(d, is_org ? REVIEW_TEXT_SQL "AND kind = 'org_self' AND target_org_id = ? AND ? = 0"
                                     : REVIEW_TEXT_SQL "AND kind = 'self' AND target_member_id = ? AND ? = 0",
                           round_id, target_id, 0, out);
}

int review_peer_get(db *d, int64_t round_id, int64_t target_member, int64_t reviewer_member, review_text *out)
{
    return review_text_get(d, REVIEW_TEXT_SQL "AND kind = 'peer' AND target_member_id = ? AND reviewer_member_id = ?", round_id,
                           target_member, reviewer_member, out);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int review_peer_summary(db *d, int64_t round_id, int64_t member_id, peer_summary *out, text_fn comments, void *ctx)
{
    memset(out, 0, sizeof *out);
    db_stmt *s = db_prepare(d, "SELECT levels, shortcomings FROM review WHERE round_id = ? AND kind = 'peer' AND target_member_id = ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, round_id);
    db_bind_i64(s, 2, member_id);
    char **texts = NULL;
    size_t nt = 0;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        const char *lv = db_col_text(s, 0);
        out->n++;
        for (int i = 0; lv[i] && i < STD_MAX_ITEMS; i++) {
            if (lv[i] >= '1' && lv[i] <= '4') out->count[i][lv[i] - '1']++;
            if (i + 1 > out->nitems) out->nitems = i + 1;
        }
        if (comments && *db_col_text(s, 1)) {
            texts = xrealloc(texts, (nt + 1) * sizeof *texts);
            texts[nt++] = xstrdup(db_col_text(s, 1));
        }
    }
    db_done(s);
    /* sorted by text, so their order says nothing about who wrote them or when */
    if (nt) qsort(texts, nt, sizeof *texts, cmp_str);
    for (size_t i = 0; i < nt; i++) {
        if (rc != CX_ERR && comments && comments(ctx, texts[i])) comments = NULL;
        free(texts[i]);
    }
    free(texts);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int review_peer_todo(db *d, int64_t round_id, const member *reviewer, peer_todo_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT m.id, m.name, CASE WHEN EXISTS (SELECT 1 FROM review r WHERE r.round_id = ? AND r.kind = 'peer' "
                               "AND r.target_member_id = m.id AND r.reviewer_member_id = ?) THEN 1 ELSE 0 END FROM member m "
                               "WHERE m.org_id = ? AND m.active = 1 AND m.id <> ? AND NOT EXISTS (SELECT 1 FROM review_exclusion x "
                               "WHERE x.round_id = ? AND x.member_id = m.id) ORDER BY m.name, m.id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, round_id);
    db_bind_i64(s, 2, reviewer->id);
    db_bind_i64(s, 3, reviewer->org_id);
    db_bind_i64(s, 4, reviewer->id);
    db_bind_i64(s, 5, round_id);
    int rc;
    while ((rc = db_step(s)) == DB_ROW)
        if (fn(ctx, db_col_i64(s, 0), db_col_text(s, 1), db_col_i64(s, 2) != 0)) break;
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* ---- leaders' charges and commentary ---- */

int leader_list(db *d, const char *path, leader_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT DISTINCT u.id, u.username, u.display_name FROM user_role ur JOIN app_user u ON u.id = ur.user_id "
                               "JOIN org o ON o.id = ur.org_id WHERE ur.role = 'leader' AND u.active = 1 AND o.active = 1 "
                               "AND substr(?, 1, length(o.path)) = o.path ORDER BY u.display_name, u.id");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, path);
    int rc;
    while ((rc = db_step(s)) == DB_ROW)
        if (fn(ctx, db_col_i64(s, 0), db_col_text(s, 1), db_col_text(s, 2))) break;
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* Inside a round's transaction: the target (a member of o, or o itself) must exist, be active
 * and lie in the round. Fills kind, id and name; rolls back on refusal. */
typedef struct target {
    const char *kind;
    int64_t id;
    char name[256];
} target;
static int load_target(db *d, const review_round *rd, const org *o, int64_t target_member, target *t, cx_err *e)
{
    t->kind = target_member ? "member" : "org";
    t->id = target_member ? target_member : o->id;
    snprintf(t->name, sizeof t->name, "%s", o->name);
    if (target_member) {
        member m;
        int f = member_get(d, target_member, &m);
        if (f == CX_ERR) return db_fail(d, e);
        if (f == 0 || !m.active || m.org_id != o->id)
            return cx_fail(e, 404, "not_found", "member_id", "党员不存在、已停用或不在“%s”", o->name), refuse(d);
        snprintf(t->name, sizeof t->name, "%s", m.r.name);
    } else if (!o->active)
        return cx_fail(e, 404, "not_found", "id", "党组织“%s”已停用", o->name), refuse(d);
    return round_covers(d, rd, o->path, t->name, e);
}

static cJSON *charge_json(int64_t user_id, const target *t)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "user_id", user_id);
    cJSON_AddStringToObject(j, "target_kind", t->kind);
    json_add_i64(j, "target_id", t->id);
    cJSON_AddStringToObject(j, "target", t->name);
    return j;
}

/* The charge of (round, user, target): its id, 0 when none. */
static int charge_find(db *d, int64_t round_id, int64_t user_id, const target *t, int64_t *id)
{
    return db_i64(d, id, 0, "SELECT id FROM leader_charge WHERE round_id = ? AND user_id = ? AND target_kind = ? AND target_id = ?", "iisi",
                  round_id, user_id, t->kind, t->id);
}

int charge_add(db *d, const actor *a, int64_t round_id, int64_t user_id, const org *o, int64_t target_member, int64_t *id,
               cx_err *e)
{
    review_round rd;
    target t;
    if (begin_open_round(d, round_id, &rd, e) != CX_OK || load_target(d, &rd, o, target_member, &t, e) != CX_OK) return CX_ERR;
    principal *p = xmalloc(sizeof *p);
    int f = user_load(d, user_id, p);
    bool leader = f == 1 && perm_allows(p, ROLE_LEADER, o->path);
    free(p);
    if (f == CX_ERR) return db_fail(d, e);
    if (!leader)
        return cx_fail(e, 400, "not_leader", "user_id", "该账号不是“%s”或其上级组织的党员领导干部，不能联系点评", o->name), refuse(d);
    int64_t cid = 0;
    if (charge_find(d, round_id, user_id, &t, &cid) != CX_OK) return db_fail(d, e);
    if (cid) return cx_fail(e, 409, "duplicate_charge", "user_id", "该领导本轮已联系“%s”", t.name), refuse(d);
    int rc = db_i64(d, &cid, 0, "INSERT INTO leader_charge (round_id, user_id, target_kind, target_id, org_id, created_at) VALUES (?,?,?,?,?,?) "
                                "RETURNING id", "iisiii", round_id, user_id, t.kind, t.id, o->id, now_unix());
    rollup delta = {{0}};
    delta.v[RU_CHARGES] = 1;
    if (rc == CX_OK) rc = rollup_add(d, round_id, o->path, &delta);
    rc = store_finish(d, a, "charge.add", "leader_charge", cid, o->id, NULL, json_take(charge_json(user_id, &t)), rc, e);
    if (rc == CX_OK && id) *id = cid;
    return rc;
}

int charge_remove(db *d, const actor *a, int64_t round_id, int64_t user_id, const org *o, int64_t target_member, cx_err *e)
{
    review_round rd;
    target t;
    if (begin_open_round(d, round_id, &rd, e) != CX_OK || load_target(d, &rd, o, target_member, &t, e) != CX_OK) return CX_ERR;
    int64_t cid = 0, done = 0;
    if (charge_find(d, round_id, user_id, &t, &cid) != CX_OK) return db_fail(d, e);
    if (!cid) return cx_fail(e, 404, "not_found", "user_id", "该领导本轮没有联系“%s”", t.name), refuse(d);
    if (db_i64(d, &done, 0, "SELECT count(*) FROM commentary WHERE round_id = ? AND user_id = ? AND target_kind = ? AND target_id = ?",
               "iisi", round_id, user_id, t.kind, t.id) != CX_OK)
        return db_fail(d, e);
    if (done) return cx_fail(e, 409, "already_commented", "user_id", "该领导已点评“%s”，不能取消联系", t.name), refuse(d);
    int rc = db_run(d, "DELETE FROM leader_charge WHERE id = ?", "i", cid);
    rollup delta = {{0}};
    delta.v[RU_CHARGES] = -1;
    if (rc == CX_OK) rc = rollup_add(d, round_id, o->path, &delta);
    return store_finish(d, a, "charge.remove", "leader_charge", cid, o->id, json_take(charge_json(user_id, &t)), NULL, rc, e);
}

#define CHARGE_SQL                                                                                                    \
    "SELECT c.id, c.round_id, c.user_id, c.target_kind, c.target_id, c.org_id, CASE WHEN c.target_kind = 'member' THEN " \
    "(SELECT name FROM member WHERE id = c.target_id) ELSE o.name END AS tname, u.display_name, o.name, coalesce(m.level, 0) " \
    "FROM leader_charge c JOIN app_user u ON u.id = c.user_id JOIN org o ON o.id = c.org_id JOIN review_round rr ON rr.id = c.round_id " \
    "LEFT JOIN commentary m ON m.round_id = c.round_id AND m.user_id = c.user_id AND m.target_kind = c.target_kind AND m.target_id = c.target_id "

static int charge_rows(db_stmt *s, charge_fn fn, void *ctx)
{
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        charge_row c = {.id = db_col_i64(s, 0), .round_id = db_col_i64(s, 1), .user_id = db_col_i64(s, 2),
                        .org = !strcmp(db_col_text(s, 3), "org"), .target_id = db_col_i64(s, 4), .org_id = db_col_i64(s, 5),
                        .level = (int)db_col_i64(s, 9)};
        c.done = c.level > 0;
        copy_col(c.target_name, sizeof c.target_name, s, 6);
        copy_col(c.leader_name, sizeof c.leader_name, s, 7);
        copy_col(c.org_name, sizeof c.org_name, s, 8);
        if (fn(ctx, &c)) break;
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int charge_list_user(db *d, int64_t user_id, int64_t round_id, charge_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, CHARGE_SQL "WHERE c.user_id = ? AND ((? = 0 AND rr.status = 'open') OR c.round_id = ?) "
                                          "ORDER BY c.round_id DESC, o.path, c.target_kind DESC, tname, c.target_id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, user_id);
    db_bind_i64(s, 2, round_id);
    db_bind_i64(s, 3, round_id);
    return charge_rows(s, fn, ctx);
}

/* Starts q with head and the charges of root's subtree in the round (pending_only: nobody
 * assigned); end must outlive q. */
static void charge_org_q(db_q *q, const char *head, int64_t round_id, const org *root, bool pending_only, char end[CX_PATH_MAX])
{
    orgpath_end(root->path, end, CX_PATH_MAX);
    db_q_init(q, head);
    db_q_where(q, "c.round_id = ? AND o.path >= ? AND o.path < ?", "iss", round_id, root->path, end);
    if (pending_only) db_q_where(q, "m.id IS NULL", "");
}

int charge_count_org(db *d, int64_t round_id, const org *root, bool pending_only, int64_t *total)
{
    char end[CX_PATH_MAX];
    db_q q;
    charge_org_q(&q, "SELECT COUNT(*) FROM (" CHARGE_SQL, round_id, root, pending_only, end);
    db_q_add(&q, ") x", "");
    return db_q_count(d, &q, total);
}

int charge_list_org(db *d, int64_t round_id, const org *root, bool pending_only, int64_t offset, int64_t limit, charge_fn fn, void *ctx)
{
    char end[CX_PATH_MAX];
    db_q q;
    charge_org_q(&q, CHARGE_SQL, round_id, root, pending_only, end);
    db_q_add(&q, " ORDER BY o.path, c.target_kind DESC, tname, c.target_id LIMIT ? OFFSET ?", "ii", limit > 0 ? limit : INT64_MAX, offset);
    db_stmt *s = db_q_prepare(d, &q);
    if (!s) return CX_ERR;
    return charge_rows(s, fn, ctx);
}

int charge_unassigned(db *d, int64_t round_id, const org *root, int64_t limit, int64_t *members, int64_t *orgs,
                      charge_fn fn, void *ctx)
{
    char end[CX_PATH_MAX];
    orgpath_end(root->path, end, sizeof end);
    static const char *const sql[2][2] = {
        {"SELECT count(*) FROM member x JOIN org o ON o.id = x.org_id WHERE x.active = 1 AND o.path >= ? AND o.path < ? AND NOT EXISTS "
         "(SELECT 1 FROM leader_charge c WHERE c.round_id = ? AND c.target_kind = 'member' AND c.target_id = x.id)",
         "SELECT x.id, x.name, o.id, o.name FROM member x JOIN org o ON o.id = x.org_id WHERE x.active = 1 AND o.path >= ? AND o.path < ? "
         "AND NOT EXISTS (SELECT 1 FROM leader_charge c WHERE c.round_id = ? AND c.target_kind = 'member' AND c.target_id = x.id) "
         "ORDER BY o.path, x.name, x.id LIMIT ?"},
        {"SELECT count(*) FROM org o WHERE o.active = 1 AND o.path >= ? AND o.path < ? AND NOT EXISTS "
         "(SELECT 1 FROM leader_charge c WHERE c.round_id = ? AND c.target_kind = 'org' AND c.target_id = o.id)",
         "SELECT o.id, o.name, o.id, o.name FROM org o WHERE o.active = 1 AND o.path >= ? AND o.path < ? "
         "AND NOT EXISTS (SELECT 1 FROM leader_charge c WHERE c.round_id = ? AND c.target_kind = 'org' AND c.target_id = o.id) "
         "ORDER BY o.path LIMIT ?"},
    };
    for (int k = 0; k < 2; k++) {
        int64_t *count = k ? orgs : members;
        db_stmt *s = db_prepare(d, sql[k][0]);
        if (!s) return CX_ERR;
        db_bind_text(s, 1, root->path);
        db_bind_text(s, 2, end);
        db_bind_i64(s, 3, round_id);
        int rc = db_step(s);
        *count = rc == DB_ROW ? db_col_i64(s, 0) : 0;
        db_done(s);
        if (rc != DB_ROW) return CX_ERR;
        if (!fn || !*count || limit <= 0) continue;
        s = db_prepare(d, sql[k][1]);
        if (!s) return CX_ERR;
        db_bind_text(s, 1, root->path);
        db_bind_text(s, 2, end);
        db_bind_i64(s, 3, round_id);
        db_bind_i64(s, 4, limit);
        while ((rc = db_step(s)) == DB_ROW) {
            charge_row c = {.round_id = round_id, .org = k == 1, .target_id = db_col_i64(s, 0), .org_id = db_col_i64(s, 2)};
            copy_col(c.target_name, sizeof c.target_name, s, 1);
            copy_col(c.org_name, sizeof c.org_name, s, 3);
            if (fn(ctx, &c)) break;
        }
        db_done(s);
        if (rc == CX_ERR) return CX_ERR;
    }
    return CX_OK;
}

int commentary_submit(db *d, const actor *a, int64_t round_id, int64_t user_id, const org *o, int64_t target_member,
                      const commentary_in *in, bool *updated, cx_err *e)
{
    if (!in->level || strlen(in->level) != 1 || in->level[0] < '1' || in->level[0] > '4')
        return cx_fail(e, 400, "invalid_level", "level", "点评等次应为 1（好）、2（较好）、3（一般）或 4（差）");
    char *ach = NULL, *pro = NULL, *dir = NULL, *before = NULL;
    text_spec tv[] = {{in->achievements, "achievements", "肯定成绩", 1000, true, &ach},
                      {in->problems, "problems", "指出问题", 1000, true, &pro},
                      {in->direction, "direction", "明确努力方向", 1000, true, &dir}};
    if (clean_texts(tv, 3, e) != CX_OK) return CX_ERR;
    review_round rd;
    target t;
    int64_t cid = 0, mid = 0;
    int rc = begin_open_round(d, round_id, &rd, e);
    if (rc != CX_OK || (rc = load_target(d, &rd, o, target_member, &t, e)) != CX_OK) goto out;
    if (charge_find(d, round_id, user_id, &t, &cid) != CX_OK) {
        rc = db_fail(d, e);
        goto out;
    }
    if (!cid) {
        cx_fail(e, 403, "no_charge", "id", "您本轮没有联系“%s”，不能点评（请活动办公室先安排联系领导）", t.name);
        rc = refuse(d);
        goto out;
    }
    db_stmt *s = db_prepare(d, "SELECT id, level, achievements, problems, direction FROM commentary WHERE round_id = ? AND user_id = ? "
                               "AND target_kind = ? AND target_id = ?");
    rc = CX_ERR;
    if (s) {
        db_bind_i64(s, 1, round_id);
        db_bind_i64(s, 2, user_id);
        db_bind_text(s, 3, t.kind);
        db_bind_i64(s, 4, t.id);
        int st = db_step(s);
        if (st == DB_ROW) {
            mid = db_col_i64(s, 0);
            cJSON *b = cJSON_CreateObject();
            json_add_i64(b, "level", db_col_i64(s, 1));
            cJSON_AddStringToObject(b, "achievements", db_col_text(s, 2));
            cJSON_AddStringToObject(b, "problems", db_col_text(s, 3));
            cJSON_AddStringToObject(b, "direction", db_col_text(s, 4));
            before = json_take(b);
        }
        if (st != CX_ERR) rc = CX_OK;
        db_done(s);
    }
    int64_t now = now_unix();
    if (rc == CX_OK && mid)
        rc = db_run(d, "UPDATE commentary SET level = ?, achievements = ?, problems = ?, direction = ?, updated_at = ? WHERE id = ?", "isssii",
                    (int64_t)(in->level[0] - '0'), ach, pro, dir, now, mid);
    else if (rc == CX_OK) {
        rc = db_i64(d, &mid, 0, "INSERT INTO commentary (round_id, user_id, target_kind, target_id, org_id, level, achievements, problems, "
                                "direction, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
                    "iisiiisssii", round_id, user_id, t.kind, t.id, o->id, (int64_t)(in->level[0] - '0'), ach, pro, dir, now, now);
        rollup delta = {{0}};
        delta.v[RU_CHARGES_DONE] = 1;
        /* the first commentary on the target (by any leader) makes it commented: serialised per
         * target on PostgreSQL, where another leader's insert may be under way */
        int64_t others = 0;
        if (rc == CX_OK && db_kind_of(d) == DB_PG)
            rc = db_run(d, "SELECT pg_advisory_xact_lock(CAST(? AS INTEGER), CAST(? AS INTEGER))", "ii", (int64_t)12001,
                        (round_id * 1000003 + t.id * 2 + (strcmp(t.kind, "org") == 0)) % 2147483647);
        if (rc == CX_OK)
            rc = db_i64(d, &others, 0, "SELECT count(*) FROM commentary WHERE round_id = ? AND target_kind = ? AND target_id = ? AND id <> ?",
                        "isii", round_id, t.kind, t.id, mid);
        if (!others) delta.v[strcmp(t.kind, "org") ? RU_MEMBERS_COMMENTED : RU_ORGS_COMMENTED] = 1;
        if (rc == CX_OK) rc = rollup_add(d, round_id, o->path, &delta);
    }
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "target_kind", t.kind);
    json_add_i64(j, "target_id", t.id);
    json_add_i64(j, "level", in->level[0] - '0');
    cJSON_AddStringToObject(j, "achievements", ach);
    cJSON_AddStringToObject(j, "problems", pro);
    cJSON_AddStringToObject(j, "direction", dir);
    bool upd = before != NULL;
    rc = store_finish(d, a, upd ? "commentary.edit" : "commentary.add", "commentary", mid, o->id, before, json_take(j), rc, e);
    before = NULL;
    if (rc == CX_OK && updated) *updated = upd;
out:
    free(before);
    free_texts(tv, 3);
    return rc;
}

int commentary_list(db *d, int64_t round_id, bool is_org, int64_t target_id, commentary_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT c.user_id, c.updated_at, c.level, u.display_name, c.achievements, c.problems, c.direction "
                               "FROM commentary c JOIN app_user u ON u.id = c.user_id WHERE c.round_id = ? AND c.target_kind = ? "
                               "AND c.target_id = ? ORDER BY c.created_at, c.id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, round_id);
    db_bind_text(s, 2, is_org ? "org" : "member");
    db_bind_i64(s, 3, target_id);
    int rc;
    commentary_row *c = xmalloc(sizeof *c);
    while ((rc = db_step(s)) == DB_ROW) {
        c->user_id = db_col_i64(s, 0);
        c->updated_at = db_col_i64(s, 1);
        c->level = (int)db_col_i64(s, 2);
        copy_col(c->leader_name, sizeof c->leader_name, s, 3);
        copy_col(c->achievements, sizeof c->achievements, s, 4);
        copy_col(c->problems, sizeof c->problems, s, 5);
        copy_col(c->direction, sizeof c->direction, s, 6);
        if (fn(ctx, c)) break;
    }
    free(c);
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* ---- exclusions ---- */

int exclusion_set(db *d, const actor *a, int64_t round_id, const member *m, const char *reason, const char *note, cx_err *e)
{
    bool remove = !reason || !*reason || !strcmp(reason, "none");
    int ex = remove ? EX_NONE : exclusion_from_code(reason);
    if (ex < 0)
        return cx_fail(e, 400, "invalid_reason", "reason",
                       "不参加等次评定的原因应为 away（外出半年以上）、imprisoned（服刑）、bedridden（长期卧床）、incapacitated（丧失行为能力）或 other（其他，须说明）；预备党员自动不评定等次");
    char *nt = clean_text(note, "note", "说明", 200, ex == EX_OTHER, e), *before = NULL;
    if (!nt) return CX_ERR;
    review_round rd;
    int rc = begin_open_round(d, round_id, &rd, e);
    if (rc != CX_OK || (rc = round_covers(d, &rd, m->org_path, m->r.name, e)) != CX_OK) goto out;
    db_stmt *s = db_prepare(d, "SELECT reason, note FROM review_exclusion WHERE round_id = ? AND member_id = ?");
    int st = CX_ERR;
    if (s) {
        db_bind_i64(s, 1, round_id);
        db_bind_i64(s, 2, m->id);
        if ((st = db_step(s)) == DB_ROW) before = xasprintf("{\"reason\":\"%s\"}", db_col_text(s, 0));
        db_done(s);
    }
    if (st == CX_ERR) {
        rc = db_fail(d, e);
        goto out;
    }
    if (remove && !before) { /* nothing to take back */
        db_rollback(d);
        goto out;
    }
    int64_t gone = 0; /* a concurrent removal on PostgreSQL deletes nothing here: it must not count twice */
    if (remove)
        rc = db_i64(d, &gone, 0, "DELETE FROM review_exclusion WHERE round_id = ? AND member_id = ? RETURNING member_id", "ii", round_id, m->id);
    else if (before) rc = db_run(d, "UPDATE review_exclusion SET reason = ?, note = ? WHERE round_id = ? AND member_id = ?", "ssii", reason, nt, round_id, m->id);
    else rc = db_run(d, "INSERT INTO review_exclusion (round_id, member_id, reason, note, created_at) VALUES (?,?,?,?,?)", "iissi", round_id, m->id,
                     reason, nt, now_unix());
    if (rc == CX_OK && (remove ? gone != 0 : !before) && m->active && !strcmp(m->r.status, "full")) { /* the members due (dashboard) */
        rollup delta = {{0}};
        delta.v[RU_MEMBERS_EXCLUDED] = remove ? -1 : 1;
        rc = rollup_add(d, round_id, m->org_path, &delta);
    }
    if (rc == CX_OK) {
        char *why = remove ? xasprintf("%s不再列为不参加本轮等次评定", m->r.name)
                           : xasprintf("%s列为不参加本轮等次评定（%s）", m->r.name, exclusion_label(ex));
        rc = grades_redo(d, a, round_id, m->org_id, why);
        free(why);
    }
    char *after = remove ? NULL : xasprintf("{\"round_id\":%" PRId64 ",\"reason\":\"%s\"}", round_id, reason);
    rc = store_finish(d, a, remove ? "exclusion.remove" : "exclusion.set", "member", m->id, m->org_id, before, after, rc, e);
    before = NULL;
out:
    free(before);
    free(nt);
    return rc;
}

int exclusion_list(db *d, int64_t round_id, int64_t org_id, exclusion_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT x.member_id, m.name, x.reason, x.note FROM review_exclusion x JOIN member m ON m.id = x.member_id "
                               "WHERE x.round_id = ? AND m.org_id = ? ORDER BY m.name, m.id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, round_id);
    db_bind_i64(s, 2, org_id);
    int rc;
    while ((rc = db_step(s)) == DB_ROW)
        if (fn(ctx, db_col_i64(s, 0), db_col_text(s, 1), exclusion_from_code(db_col_text(s, 2)), db_col_text(s, 3))) break;
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* ---- grades: computing from the raw records ---- */

/* What the raw records say about one target. */
typedef struct acc {
    int64_t id;
    int ex;                                   /* EX_* */
    int64_t self;                             /* -1 none */
    mean_acc peer, leader, pub;
    int64_t ballots, answers, unsat, kept, counted, nrev;
    bool unjustified;
    int64_t crit_sum[STD_MAX_ITEMS], crit_n[STD_MAX_ITEMS];
    char *name, *path;
} acc;

typedef struct calc {
    const review_round *rd;
    const org *o;
    bool org;
    review_rules rules;
    int64_t nitems;
    char end[CX_PATH_MAX], today[11];
    acc *v;
    size_t n;
} calc;

static acc *calc_find(calc *c, int64_t id)
{
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c->v[mid].id == id) return &c->v[mid];
        if (c->v[mid].id < id) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

/* Scope of every query: members of the branch, or organisations strictly below the root. */
static int bind_scope(db_stmt *s, int i, const calc *c)
{
    if (!c->org) {
        db_bind_i64(s, i, c->o->id);
        return i + 1;
    }
    db_bind_text(s, i, c->o->path);
    db_bind_text(s, i + 1, c->end);
    return i + 2;
}

typedef void (*calc_row_fn)(calc *c, acc *a, db_stmt *s);

/* Runs one of the queries (round-keyed, or period-keyed for pledges) and feeds its rows. */
static int calc_feed(db *d, calc *c, const char *sql, bool period, calc_row_fn fn)
{
    db_stmt *s = db_prepare(d, sql);
    if (!s) return CX_ERR;
    int i = 1;
    if (period) {
        db_bind_text(s, i++, c->rd->period_start);
        db_bind_text(s, i++, c->rd->period_end);
    } else db_bind_i64(s, i++, c->rd->id);
    bind_scope(s, i, c);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        acc *a = calc_find(c, db_col_i64(s, 0));
        if (a) fn(c, a, s);
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

static void on_review(calc *c, acc *a, db_stmt *s)
{
    const char *kind = db_col_text(s, 1), *lv = db_col_text(s, 2);
    int64_t v = levels_score(&c->rules, lv);
    if (!strcmp(kind, "peer")) mean_add(&a->peer, v);
    else a->self = v;
    if ((int64_t)strlen(lv) != c->nitems) return; /* given on another standard set: not an item-wise opinion */
    a->nrev++;
    for (int64_t i = 0; i < c->nitems && i < STD_MAX_ITEMS; i++) a->crit_sum[i] += lv[i] - '0', a->crit_n[i]++;
}

static void on_commentary(calc *c, acc *a, db_stmt *s)
{
    char lv[2] = {(char)('0' + db_col_i64(s, 1)), 0};
    mean_add(&a->leader, levels_score(&c->rules, lv));
}

static void on_ballot(calc *c, acc *a, db_stmt *s)
{
    const char *ans = db_col_text(s, 1);
    mean_add(&a->pub, answers_score(&c->rules, ans));
    a->ballots++;
    for (; *ans; ans++) {
        a->answers++;
        if (*ans == '0' + ANS_UNSATISFIED) a->unsat++;
    }
}

/* Pledges due in the round's period, or marked missed on a day of it (a miss counts in the round
 * in which it is recorded as well as in the one holding the due date): kept = completed (and
 * rated or renewed after completion); not kept = missed (whatever happened after), or still in
 * progress past the due date. Pledges not yet due, or never approved, do not count. */
static void on_pledge(calc *c, acc *a, db_stmt *s)
{
    const char *st = db_col_text(s, 1), *miss = db_col_text(s, 2), *due = db_col_text(s, 3);
    bool done = !strcmp(st, "completed") || !strcmp(st, "rated") || !strcmp(st, "renewed");
    if (!strcmp(miss, "unjustified")) a->unjustified = true;
    if (done && !*miss) a->kept++, a->counted++;
    else if (!strcmp(st, "missed") || (done && *miss) || (!strcmp(st, "in_progress") && date_cmp(due, c->today) < 0)) a->counted++;
}

static const char *const calc_sql[2][5] = {
    {"SELECT m.id, m.name, m.status, coalesce(x.reason, '') FROM member m LEFT JOIN review_exclusion x ON x.round_id = ? "
     "AND x.member_id = m.id WHERE m.org_id = ? AND m.active = 1 ORDER BY m.id",
     "SELECT target_member_id, kind, levels FROM review WHERE round_id = ? AND kind IN ('self','peer') "
     "AND target_member_id IN (SELECT id FROM member WHERE org_id = ?)",
     "SELECT target_id, level FROM commentary WHERE round_id = ? AND target_kind = 'member' "
     "AND target_id IN (SELECT id FROM member WHERE org_id = ?)",
     /* counted ballots only: a verified rater, not held in a burst (ballot_store.h) */
     "SELECT target_id, answers FROM ballot WHERE round_id = ? AND target_kind = 'member' AND valid = 1 AND verified = 1 AND hold = '' "
     "AND target_id IN (SELECT id FROM member WHERE org_id = ?)",
     "SELECT p.member_id, p.status, p.miss_kind, p.due_date FROM pledge p, (SELECT CAST(? AS TEXT) AS s, CAST(? AS TEXT) AS e) w "
     "WHERE ((p.due_date >= w.s AND p.due_date <= w.e) OR (p.missed_on >= w.s AND p.missed_on <= w.e)) "
     "AND p.member_id IN (SELECT id FROM member WHERE org_id = ?)"},
    {"SELECT o.id, o.name, o.path, '' FROM org o WHERE ? > 0 AND o.active = 1 AND o.path > ? AND o.path < ? ORDER BY o.id",
     "SELECT r.target_org_id, r.kind, r.levels FROM review r JOIN org o ON o.id = r.target_org_id WHERE r.round_id = ? "
     "AND r.kind = 'org_self' AND o.path > ? AND o.path < ?",
     "SELECT c.target_id, c.level FROM commentary c JOIN org o ON o.id = c.target_id WHERE c.round_id = ? AND c.target_kind = 'org' "
     "AND o.path > ? AND o.path < ?",
     "SELECT b.target_id, b.answers FROM ballot b JOIN org o ON o.id = b.target_id WHERE b.round_id = ? AND b.target_kind = 'org' "
     "AND b.valid = 1 AND b.verified = 1 AND b.hold = '' AND o.path > ? AND o.path < ?",
     "SELECT p.org_id, p.status, p.miss_kind, p.due_date FROM (SELECT CAST(? AS TEXT) AS s, CAST(? AS TEXT) AS e) w, pledge p "
     "JOIN org o ON o.id = p.org_id WHERE ((p.due_date >= w.s AND p.due_date <= w.e) OR (p.missed_on >= w.s AND p.missed_on <= w.e)) "
     "AND p.member_id IS NULL AND o.path > ? AND o.path < ?"},
};

static int calc_targets(db *d, calc *c)
{
    db_stmt *s = db_prepare(d, calc_sql[c->org][0]);
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, c->rd->id);
    bind_scope(s, 2, c);
    size_t cap = 0;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        if (c->n == cap) cap = cap ? cap * 2 : 32, c->v = xrealloc(c->v, cap * sizeof *c->v);
        acc *a = &c->v[c->n++];
        memset(a, 0, sizeof *a);
        a->id = db_col_i64(s, 0);
        a->self = -1;
        a->name = xstrdup(db_col_text(s, 1));
        a->path = xstrdup(c->org ? db_col_text(s, 2) : c->o->path);
        if (!c->org) {
            const char *ex = db_col_text(s, 3);
            a->ex = *ex ? exclusion_from_code(ex) : !strcmp(db_col_text(s, 2), "probationary") ? EX_PROBATIONARY : EX_NONE;
            if (a->ex < 0) a->ex = EX_OTHER;
        }
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

void grade_calc_free(grade_calc *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++) free(rows[i].name), free(rows[i].path);
    free(rows);
}

static bool criteria_ok(const calc *c, const acc *a)
{
    if (!a->nrev || c->nitems <= 0) return false;
    for (int64_t i = 0; i < c->nitems && i < STD_MAX_ITEMS; i++)
        if (!a->crit_n[i] || a->crit_sum[i] > 2 * a->crit_n[i]) return false;
    return true;
}

/* Appends to a note, separated by "；", cutting at a character boundary when it does not fit. */
static void note_add(char *note, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void note_add(char *note, size_t cap, const char *fmt, ...)
{
    char part[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(part, sizeof part, fmt, ap);
    va_end(ap);
    size_t n = strlen(note);
    const char *sep = n ? "；" : "";
    size_t room = cap - n - 1, want = strlen(sep) + strlen(part);
    char *all = xasprintf("%s%s", sep, part);
    if (want > room) {
        want = room;
        while (want > 0 && ((unsigned char)all[want] & 0xC0) == 0x80) want--; /* not inside a character */
    }
    memcpy(note + n, all, want);
    note[n + want] = 0;
    free(all);
}

/* The correction a 不合格 leads to (限期改正); its rectification item arrives with issue 5. */
static void note_correction(char *note, size_t cap, int grade, bool is_org)
{
    if (grade == GR_4 && !is_org) note_add(note, cap, "须限期改正");
}

int grade_compute(db *d, const review_round *rd, const org *o, bool is_org, grade_calc **rows, size_t *n)
{
    *rows = NULL;
    *n = 0;
    calc c = {.rd = rd, .o = o, .org = is_org};
    orgpath_end(o->path, c.end, sizeof c.end);
    date_today(c.today);
    if (rules_get(d, rd->campaign_id, &c.rules, NULL, NULL) == CX_ERR || campaign_items(d, rd->campaign_id, is_org, &c.nitems) != CX_OK)
        return CX_ERR;
    int rc = calc_targets(d, &c);
    if (rc == CX_OK) rc = calc_feed(d, &c, calc_sql[is_org][1], false, on_review);
    if (rc == CX_OK) rc = calc_feed(d, &c, calc_sql[is_org][2], false, on_commentary);
    if (rc == CX_OK) rc = calc_feed(d, &c, calc_sql[is_org][3], false, on_ballot);
    if (rc == CX_OK) rc = calc_feed(d, &c, calc_sql[is_org][4], true, on_pledge);
    grade_in *in = c.n ? xcalloc(c.n, sizeof *in) : NULL;
    grade_out *out = c.n ? xcalloc(c.n, sizeof *out) : NULL;
    const review_rules *r = &c.rules;
    for (size_t i = 0; rc == CX_OK && i < c.n; i++) {
        acc *a = &c.v[i];
        in[i].id = a->id;
        in[i].exclusion = a->ex;
        in[i].s[C_SELF] = a->self;
        in[i].s[C_PEER] = mean_get(&a->peer);
        in[i].s[C_LEADER] = mean_get(&a->leader);
        in[i].s[C_PUBLIC] = a->ballots >= r->min_ballots ? mean_get(&a->pub) : -1;
        in[i].s[C_PLEDGE] = a->counted ? (a->kept * 10000 + a->counted / 2) / a->counted : -1;
        bool unsat = r->veto_unsatisfied_pct > 0 && a->ballots >= r->min_ballots && a->answers &&
                     a->unsat * 100 > (int64_t)r->veto_unsatisfied_pct * a->answers;
        in[i].veto = (r->veto_unjustified && a->unjustified) || unsat;
        in[i].criteria_ok = criteria_ok(&c, a);
    }
    if (rc == CX_OK) grade_branch(r, is_org, in, out, c.n);
    grade_calc *v = rc == CX_OK && c.n ? xcalloc(c.n, sizeof *v) : NULL;
    for (size_t i = 0; i < c.n; i++) {
        acc *a = &c.v[i];
        if (!v) {
            free(a->name), free(a->path);
            continue;
        }
        grade_calc *g = &v[i];
        g->target_id = a->id;
        g->org_id = is_org ? a->id : o->id;
        memcpy(g->s, in[i].s, sizeof g->s);
        g->score = out[i].score;
        g->grade = out[i].grade;
        g->meets = out[i].meets;
        g->criteria_ok = in[i].criteria_ok == 1;
        g->name = a->name;
        g->path = a->path;
        if (in[i].veto && a->ex == EX_NONE)
            snprintf(g->note, sizeof g->note, "%s",
                     r->veto_unjustified && a->unjustified ? (is_org ? "否决：有承诺无正当理由未兑现，评为差" : "否决：有承诺无正当理由未兑现，评为不合格")
                                                           : (is_org ? "否决：群众评议不满意比例超过否决线，评为差" : "否决：群众评议不满意比例超过否决线，评为不合格"));
        else snprintf(g->note, sizeof g->note, "%s", out[i].note);
        note_correction(g->note, sizeof g->note, g->grade, is_org);
    }
    free(in);
    free(out);
    free(c.v);
    if (rc != CX_OK) return CX_ERR;
    *rows = v;
    *n = c.n;
    return CX_OK;
}

/* ---- grades: storing ---- */

static const char *kind_of(bool is_org) { return is_org ? "org" : "member"; }

/* Takes a stored row out of the roll-ups (deltas) and deletes it. */
static int drop_grade(db *d, int64_t round_id, bool is_org, int64_t target_id, bool deltas)
{
    db_stmt *s = db_prepare(d, "SELECT g.final, g.meets, o.path FROM grade g JOIN org o ON o.id = g.org_id WHERE g.round_id = ? "
                               "AND g.target_kind = ? AND g.target_id = ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, round_id);
    db_bind_text(s, 2, kind_of(is_org));
    db_bind_i64(s, 3, target_id);
    int rc = db_step(s);
    rollup delta = {{0}};
    char path[CX_PATH_MAX] = "";
    if (rc == DB_ROW) {
        rollup_of_grade(&delta, is_org, grade_from_code(db_col_text(s, 0)), db_col_i64(s, 1) != 0, -1);
        copy_col(path, sizeof path, s, 2);
    }
    db_done(s);
    if (rc != DB_ROW) return rc == CX_ERR ? CX_ERR : CX_OK;
    if (deltas && rollup_add(d, round_id, path, &delta) != CX_OK) return CX_ERR;
    return db_run(d, "DELETE FROM grade WHERE round_id = ? AND target_kind = ? AND target_id = ?", "isi", round_id, kind_of(is_org), target_id);
}

/* Replaces the stored rows of the computed targets (final = computed, no decision: a 优秀 or
 * 不合格 goes to the higher committee only after the branch meeting decides). redo: why they were
 * recomputed, or "". deltas: move the roll-up counters (not when recount rebuilds them). */
static int put_grades(db *d, const review_round *rd, bool is_org, const grade_calc *rows, size_t n, const char *redo, bool deltas)
{
    int64_t now = now_unix();
    for (size_t i = 0; i < n; i++) {
        const grade_calc *g = &rows[i];
        if (drop_grade(d, rd->id, is_org, g->target_id, deltas) != CX_OK) return CX_ERR;
        /* -1 (an absent component) is stored as NULL */
        int rc = db_run(d, "INSERT INTO grade (round_id, target_kind, target_id, org_id, s_self, s_peer, s_leader, s_public, s_pledge, score, "
                           "computed, final, meets, note, approval, decision, redo, updated_at) VALUES (?, ?, ?, ?, NULLIF(?, CAST(-1 AS BIGINT)), "
                           "NULLIF(?, CAST(-1 AS BIGINT)), NULLIF(?, CAST(-1 AS BIGINT)), NULLIF(?, CAST(-1 AS BIGINT)), "
                           "NULLIF(?, CAST(-1 AS BIGINT)), ?, ?, ?, ?, ?, 'none', '', ?, ?)",
                        "isiiiiiiiississi", rd->id, kind_of(is_org), g->target_id, g->org_id, g->s[C_SELF], g->s[C_PEER], g->s[C_LEADER],
                        g->s[C_PUBLIC], g->s[C_PLEDGE], g->score, grade_code(g->grade), grade_code(g->grade), (int64_t)g->meets, g->note,
                        redo ? redo : "", now);
        rollup delta = {{0}};
        rollup_of_grade(&delta, is_org, g->grade, g->meets, 1);
        if (rc == CX_ERR || (deltas && rollup_add(d, rd->id, g->path, &delta) != CX_OK)) return CX_ERR;
    }
    return CX_OK;
}

static int calc_cmp(const void *k, const void *e)
{
    int64_t a = *(const int64_t *)k, b = ((const grade_calc *)e)->target_id;
    return a < b ? -1 : a > b;
}

/* Stored rows of the scope (a branch's members, or the organisations below a root) whose target
 * is not among rows: their ids, malloc'd. */
static int stale_grades(db *d, const review_round *rd, const org *o, bool is_org, const grade_calc *rows, size_t n, int64_t **ids,
                        size_t *nids)
{
    char end[CX_PATH_MAX];
    orgpath_end(o->path, end, sizeof end);
    db_stmt *s = db_prepare(d, is_org ? "SELECT g.target_id FROM grade g JOIN org o ON o.id = g.org_id WHERE g.round_id = ? "
                                     "AND g.target_kind = 'org' AND o.path > ? AND o.path < ?"
                                   : "SELECT g.target_id FROM grade g WHERE g.round_id = ? AND g.target_kind = 'member' AND g.org_id = ? "
                                     "AND ? = ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, rd->id);
    if (is_org) {
        db_bind_text(s, 2, o->path);
        db_bind_text(s, 3, end);
    } else {
        db_bind_i64(s, 2, o->id);
        db_bind_i64(s, 3, 1);
        db_bind_i64(s, 4, 1);
    }
    *ids = NULL;
    *nids = 0;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        int64_t id = db_col_i64(s, 0);
        if (bsearch(&id, rows, n, sizeof *rows, calc_cmp)) continue;
        *ids = xrealloc(*ids, (*nids + 1) * sizeof **ids);
        (*ids)[(*nids)++] = id;
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* Computes the scope and replaces its stored rows; inside the caller's transaction. */
static int restore_scope(db *d, const review_round *rd, const org *o, bool is_org, size_t *n, int64_t counts[5], const char *redo,
                         bool deltas)
{
    grade_calc *rows = NULL;
    int64_t *stale = NULL;
    size_t nrows = 0, nstale = 0;
    int rc = grade_compute(d, rd, o, is_org, &rows, &nrows);
    if (rc == CX_OK) rc = stale_grades(d, rd, o, is_org, rows, nrows, &stale, &nstale);
    for (size_t i = 0; rc == CX_OK && i < nstale; i++) rc = drop_grade(d, rd->id, is_org, stale[i], deltas);
    if (rc == CX_OK) rc = put_grades(d, rd, is_org, rows, nrows, redo, deltas);
    for (size_t i = 0; counts && i < nrows; i++) counts[rows[i].grade]++;
    if (n) *n = nrows;
    free(stale);
    grade_calc_free(rows, nrows);
    return rc;
}

int grades_store(db *d, const actor *a, int64_t round_id, const org *o, bool is_org, size_t *n, cx_err *e)
{
    review_round rd;
    if (begin_open_round(d, round_id, &rd, e) != CX_OK || round_covers(d, &rd, o->path, o->name, e) != CX_OK) return CX_ERR;
    if (db_lock(d, "grade", o->id) != CX_OK) return db_fail(d, e);
    int64_t counts[5] = {0};
    size_t rows = 0;
    int rc = restore_scope(d, &rd, o, is_org, &rows, counts, "", true);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "kind", kind_of(is_org));
    json_add_i64(j, "rows", rows);
    for (int g = 0; g <= GR_4; g++) json_add_i64(j, grade_code(g), counts[g]);
    rc = store_finish(d, a, "grade.compute", "review_round", round_id, o->id, NULL, json_take(j), rc, e);
    if (rc == CX_OK && n) *n = rows;
    return rc;
}

int grades_redo(db *d, const actor *a, int64_t round_id, int64_t org_id, const char *why)
{
    int64_t *rounds = NULL;
    size_t nr = 0;
    db_q q;
    db_q_init(&q, "SELECT DISTINCT g.round_id FROM grade g JOIN review_round r ON r.id = g.round_id");
    db_q_where(&q, "g.target_kind = 'member' AND g.org_id = ? AND r.status = 'open'", "i", org_id);
    if (round_id) db_q_where(&q, "g.round_id = ?", "i", round_id);
    db_q_add(&q, " ORDER BY g.round_id", "");
    db_stmt *s = db_q_prepare(d, &q);
    if (!s) return CX_ERR;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) rounds = xrealloc(rounds, (nr + 1) * sizeof *rounds), rounds[nr++] = db_col_i64(s, 0);
    db_done(s);
    rc = rc == CX_ERR ? CX_ERR : CX_OK;
    org o;
    if (rc == CX_OK && nr) {
        int f = org_get(d, org_id, &o);
        rc = f == 1 ? db_lock(d, "grade", org_id) : CX_ERR;
    }
    char *redo = xasprintf("%s：已按新情况重新计算本支部等次，原支部党员大会决定和上级审批作废，须重新召开支部党员大会决定", why);
    for (size_t i = 0; rc == CX_OK && i < nr; i++) {
        review_round rd;
        if (round_get(d, rounds[i], &rd) != 1) {
            rc = CX_ERR;
            break;
        }
        size_t n = 0;
        rc = restore_scope(d, &rd, &o, false, &n, NULL, redo, true);
        if (rc != CX_OK) break;
        cJSON *j = cJSON_CreateObject();
        json_add_i64(j, "org_id", org_id);
        json_add_i64(j, "rows", n);
        cJSON_AddStringToObject(j, "reason", why);
        char *after = json_take(j);
        rc = audit_append(d, a, "grade.redo", "review_round", rd.id, org_id, NULL, after, "ok");
        free(after);
    }
    free(redo);
    free(rounds);
    return rc;
}

#define GRADE_SQL                                                                                                     \
    "SELECT g.id, g.round_id, g.target_kind, g.target_id, g.org_id, coalesce(g.approved_by, 0), g.updated_at, g.meets, "   \
    "coalesce(g.s_self, -1), coalesce(g.s_peer, -1), coalesce(g.s_leader, -1), coalesce(g.s_public, -1), coalesce(g.s_pledge, -1), " \
    "g.score, g.computed, g.final, g.approval, g.note, g.decision, CASE WHEN g.target_kind = 'member' THEN "             \
    "(SELECT name FROM member WHERE id = g.target_id) ELSE o.name END AS tname, o.name, o.path, g.redo FROM grade g JOIN org o ON o.id = g.org_id "

static void read_grade(db_stmt *s, grade_row *g)
{
    g->id = db_col_i64(s, 0);
    g->round_id = db_col_i64(s, 1);
    g->org = !strcmp(db_col_text(s, 2), "org");
    g->target_id = db_col_i64(s, 3);
    g->org_id = db_col_i64(s, 4);
    g->approved_by = db_col_i64(s, 5);
    g->updated_at = db_col_i64(s, 6);
    g->meets = db_col_i64(s, 7) != 0;
    for (int c = 0; c < C_N; c++) g->s[c] = db_col_i64(s, 8 + c);
    g->score = db_col_i64(s, 13);
    g->computed = grade_from_code(db_col_text(s, 14));
    g->final = grade_from_code(db_col_text(s, 15));
    copy_col(g->approval, sizeof g->approval, s, 16);
    copy_col(g->note, sizeof g->note, s, 17);
    copy_col(g->decision, sizeof g->decision, s, 18);
    copy_col(g->target_name, sizeof g->target_name, s, 19);
    copy_col(g->org_name, sizeof g->org_name, s, 20);
    copy_col(g->org_path, sizeof g->org_path, s, 21);
    copy_col(g->redo, sizeof g->redo, s, 22);
}

int grade_get(db *d, int64_t round_id, bool is_org, int64_t target_id, grade_row *g)
{
    memset(g, 0, sizeof *g); /* a caller never sees an output this call did not fill */
    db_stmt *s = db_prepare(d, GRADE_SQL "WHERE g.round_id = ? AND g.target_kind = ? AND g.target_id = ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, round_id);
    db_bind_text(s, 2, kind_of(is_org));
    db_bind_i64(s, 3, target_id);
    int rc = db_step(s);
    if (rc == DB_ROW) read_grade(s, g);
    db_done(s);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : CX_ERR;
}

/* Starts q with head and the grades the query selects; end must outlive q. */
static void grade_q(db_q *q, const char *head, const grade_query *f, char *end)
{
    orgpath_end(f->root->path, end, CX_PATH_MAX);
    db_q_init(q, head);
    db_q_where(q, "g.round_id = ? AND o.path >= ? AND o.path < ?", "iss", f->round_id, f->root->path, end);
    if (f->kind) db_q_where(q, "g.target_kind = ?", "s", f->kind == 2 ? "org" : "member");
    if (f->pending_only) db_q_where(q, "g.approval = 'pending'", "");
}

int grade_list(db *d, const grade_query *f, grade_fn fn, void *ctx)
{
    char end[CX_PATH_MAX];
    db_q q;
    grade_q(&q, GRADE_SQL, f, end);
    db_q_add(&q, " ORDER BY o.path, g.target_kind DESC, tname, g.target_id LIMIT ? OFFSET ?", "ii",
             f->limit > 0 ? f->limit : (int64_t)1000000000000, f->offset);
    db_stmt *s = db_q_prepare(d, &q);
    if (!s) return CX_ERR;
    grade_row *g = xmalloc(sizeof *g);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        read_grade(s, g);
        if (fn(ctx, g)) break;
    }
    free(g);
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int grade_count(db *d, const grade_query *q, int64_t *n)
{
    char end[CX_PATH_MAX];
    db_q dq;
    grade_q(&dq, "SELECT count(*) FROM grade g JOIN org o ON o.id = g.org_id", q, end);
    return db_q_count(d, &dq, n);
}

/* ---- grades: the branch meeting and the higher committee ---- */

/* Inside the round's transaction: the member's stored grade (409 when not computed). */
static int load_member_grade(db *d, const review_round *rd, const member *m, grade_row *g, cx_err *e)
{
    int f = grade_get(d, rd->id, false, m->id, g);
    if (f == CX_ERR) return db_fail(d, e);
    if (f == 0) return cx_fail(e, 409, "not_computed", "id", "“%s”本轮还没有计算等次，请先计算本支部的等次", m->r.name), refuse(d);
    return CX_OK;
}

/* Whether the member's reviews meet the standard (for 五带头 after a changed final grade). */
static int member_criteria(db *d, const review_round *rd, int64_t org_id, int64_t member_id, bool *ok)
{
    org o;
    *ok = false;
    int f = org_get(d, org_id, &o);
    if (f != 1) return f == 0 ? CX_OK : CX_ERR;
    grade_calc *rows = NULL;
    size_t n = 0;
    if (grade_compute(d, rd, &o, false, &rows, &n) != CX_OK) return CX_ERR;
    grade_calc *g = bsearch(&member_id, rows, n, sizeof *rows, calc_cmp);
    if (g) *ok = g->criteria_ok;
    grade_calc_free(rows, n);
    return CX_OK;
}

static cJSON *grade_snapshot(const grade_row *g)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "computed", grade_code(g->computed));
    cJSON_AddStringToObject(j, "final", grade_code(g->final));
    cJSON_AddBoolToObject(j, "meets", g->meets);
    cJSON_AddStringToObject(j, "approval", g->approval);
    return j;
}

/* Writes the new final grade, meets, approval, note and decision of g with its roll-up delta. */
static int change_final(db *d, const review_round *rd, const grade_row *old, const grade_row *g)
{
    rollup delta = {{0}};
    rollup_of_grade(&delta, false, old->final, old->meets, -1);
    rollup_of_grade(&delta, false, g->final, g->meets, 1);
    db_stmt *s = db_prepare(d, "UPDATE grade SET final = ?, meets = ?, approval = ?, approved_by = ?, note = ?, decision = ?, updated_at = ? WHERE id = ?");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, grade_code(g->final));
    db_bind_i64(s, 2, g->meets);
    db_bind_text(s, 3, g->approval);
    if (g->approved_by) db_bind_i64(s, 4, g->approved_by);
    else db_bind_null(s, 4);
    db_bind_text(s, 5, g->note);
    db_bind_text(s, 6, g->decision);
    db_bind_i64(s, 7, now_unix());
    db_bind_i64(s, 8, g->id);
    int rc = db_step(s);
    db_done(s);
    if (rc == CX_ERR) return CX_ERR;
    return rollup_add(d, rd->id, old->org_path, &delta);
}

#define ROLL_WHERE "m.org_id = ? AND m.active = 1 AND m.status = 'full' AND (m.full_date = '' OR m.full_date <= ?)"

int meeting_roll_get(db *d, int64_t round_id, int64_t org_id, const char *date, meeting_roll *out, left_out_fn fn, void *ctx)
{
    *out = (meeting_roll){0};
    if (db_i64(d, &out->full, 0, "SELECT count(*) FROM member m WHERE " ROLL_WHERE, "is", org_id, date) != CX_OK) return CX_ERR;
    db_stmt *s = db_prepare(d, "SELECT m.id, m.name, x.reason, x.note FROM review_exclusion x JOIN member m ON m.id = x.member_id "
                               "WHERE x.round_id = ? AND " ROLL_WHERE " ORDER BY m.id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, round_id);
    db_bind_i64(s, 2, org_id);
    db_bind_text(s, 3, date);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        out->left_out++;
        int ex = exclusion_from_code(db_col_text(s, 2));
        if (fn) fn(ctx, db_col_i64(s, 0), db_col_text(s, 1), ex < 0 ? EX_OTHER : ex, db_col_text(s, 3));
    }
    db_done(s);
    out->entitled = out->full - out->left_out;
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* The meeting date of a decision: YYYY-MM-DD, not before the round's period and not in the future. */
static int meeting_date(const review_round *rd, const char *in, char date[11], cx_err *e)
{
    char today[11];
    date_today(today);
    if (!in || !*in) {
        memcpy(date, today, 11);
        return CX_OK;
    }
    if (date_parse(in, false, "meeting_date", "支部党员大会日期", date, e) != CX_OK) return CX_ERR;
    if (date_cmp(date, today) > 0) return cx_fail(e, 400, "invalid_meeting", "meeting_date", "支部党员大会日期 %s 还没有到", date);
    if (date_cmp(date, rd->period_start) < 0)
        return cx_fail(e, 400, "invalid_meeting", "meeting_date", "支部党员大会日期 %s 早于评议轮次“%s”的开始日期 %s", date, rd->name,
                       rd->period_start);
    return CX_OK;
}

typedef struct left_out_json {
    cJSON *arr;
} left_out_json;

static int add_left_out(void *ctx, int64_t member_id, const char *name, int reason, const char *note)
{
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "member_id", member_id);
    cJSON_AddStringToObject(x, "name", name);
    cJSON_AddStringToObject(x, "reason", exclusion_code(reason));
    if (*note) cJSON_AddStringToObject(x, "note", note);
    cJSON_AddItemToArray(((left_out_json *)ctx)->arr, x);
    return 0;
}

/* Inside the round's transaction: the 优秀 cap of the member's branch against the other final 优秀. */
static int check_cap(db *d, const review_round *rd, const member *m, int64_t org_id, cx_err *e)
{
    review_rules r;
    int64_t graded = 0, others = 0;
    if (rules_get(d, rd->campaign_id, &r, NULL, NULL) == CX_ERR ||
        db_i64(d, &graded, 0, "SELECT count(*) FROM grade WHERE round_id = ? AND target_kind = 'member' AND org_id = ? AND computed <> 'none'",
               "ii", rd->id, org_id) != CX_OK ||
        db_i64(d, &others, 0, "SELECT count(*) FROM grade WHERE round_id = ? AND target_kind = 'member' AND org_id = ? AND final = 'excellent' "
                              "AND target_id <> ?", "iii", rd->id, org_id, m->id) != CX_OK)
        return db_fail(d, e);
    int64_t cap = excellent_cap(&r, graded);
    if (others + 1 > cap)
        return cx_fail(e, 409, "cap_exceeded", "grade", "优秀名额已满：本支部参加等次评定 %" PRId64 " 人，优秀不超过 %" PRId64 " 人，已有 %" PRId64 " 人",
                       graded, cap, others),
               refuse(d);
    return CX_OK;
}

/* The decision record of a branch meeting (JSON text, malloc'd); left_out (taken) names those not
 * entitled, or NULL to give their number only. */
static char *decision_text(int grade, const char *date, const meeting_roll *roll, int64_t present, int64_t in_favour, const char *reason,
                           cJSON *left_out)
{
    cJSON *dj = cJSON_CreateObject();
    cJSON_AddStringToObject(dj, "grade", grade_code(grade));
    cJSON_AddStringToObject(dj, "meeting_date", date);
    json_add_i64(dj, "entitled", roll->entitled);
    json_add_i64(dj, "present", present);
    json_add_i64(dj, "in_favour", in_favour);
    cJSON_AddStringToObject(dj, "reason", reason);
    json_add_i64(dj, "full_members", roll->full);
    if (left_out) cJSON_AddItemToObject(dj, "left_out", left_out);
    else json_add_i64(dj, "left_out_count", roll->left_out);
    return json_take(dj);
}

int grade_decide(db *d, const actor *a, int64_t round_id, const member *m, const meeting_in *in, cx_err *e)
{
    if (in->grade < GR_1 || in->grade > GR_4)
        return cx_fail(e, 400, "invalid_grade", "grade", "等次应为 excellent（优秀）、qualified（合格）、basic（基本合格）或 unqualified（不合格）");
    char *reason = clean_text(in->reason, "reason", "决定理由", 500, true, e);
    if (!reason) return CX_ERR;
    review_round rd;
    char date[11];
    meeting_roll roll;
    grade_row *old = xmalloc(sizeof *old), *g = xmalloc(sizeof *g);
    left_out_json lo = {cJSON_CreateArray()};
    int rc = begin_open_round(d, round_id, &rd, e);
    if (rc != CX_OK) goto out;
    if (meeting_date(&rd, in->date, date, e) != CX_OK) {
        rc = refuse(d);
        goto out;
    }
    /* one branch's decisions one at a time: the cap is read, then written */
    if (db_lock(d, "grade", m->org_id) != CX_OK || meeting_roll_get(d, round_id, m->org_id, date, &roll, add_left_out, &lo) != CX_OK) {
        rc = db_fail(d, e);
        goto out;
    }
    if (in->entitled && in->entitled != roll.entitled) {
        cx_fail(e, 409, "entitled_mismatch", "entitled",
                "按名册，%s本支部应到会有表决权党员为 %" PRId64 " 人（正式党员 %" PRId64 " 人，不参加本轮评定的 %" PRId64 " 人不计），填写的是 %" PRId64 " 人",
                date, roll.entitled, roll.full, roll.left_out, in->entitled);
        rc = refuse(d);
        goto out;
    }
    if (meeting_check(roll.entitled, in->present, in->in_favour, e) != CX_OK) {
        if (!strcmp(e->code, "invalid_meeting") && !strcmp(e->field, "entitled"))
            cx_fail(e, 409, "no_voters", "entitled", "按名册，%s本支部没有应到会有表决权的正式党员，不能召开支部党员大会作出决定", date);
        rc = refuse(d);
        goto out;
    }
    if ((rc = load_member_grade(d, &rd, m, old, e)) != CX_OK) goto out;
    if (old->computed == GR_NONE) {
        cx_fail(e, 409, "not_graded", "id", "“%s”本轮不评定等次（预备党员、不参加评定或尚无评议数据）", m->r.name);
        rc = refuse(d);
        goto out;
    }
    if (in->grade == GR_1 && (rc = check_cap(d, &rd, m, old->org_id, e)) != CX_OK) goto out;
    bool crit = false;
    if (member_criteria(d, &rd, old->org_id, m->id, &crit) != CX_OK) {
        rc = db_fail(d, e);
        goto out;
    }
    *g = *old;
    g->final = in->grade;
    g->meets = crit && (g->final == GR_1 || g->final == GR_2);
    snprintf(g->approval, sizeof g->approval, "%s", g->final == GR_1 || g->final == GR_4 ? "pending" : "none");
    g->approved_by = 0;
    snprintf(g->note, sizeof g->note, "%s支部党员大会决定为%s（应到 %" PRId64 " 人，实到 %" PRId64 " 人，赞成 %" PRId64 " 人）", date,
             grade_label(g->final, false), roll.entitled, in->present, in->in_favour);
    note_correction(g->note, sizeof g->note, g->final, false);
    g->redo[0] = 0;
    char *dtext = decision_text(in->grade, date, &roll, in->present, in->in_favour, reason, lo.arr);
    lo.arr = NULL;
    if (strlen(dtext) >= sizeof g->decision) { /* a long list of those left out: keep their number only */
        free(dtext);
        dtext = decision_text(in->grade, date, &roll, in->present, in->in_favour, reason, NULL);
    }
    snprintf(g->decision, sizeof g->decision, "%s", dtext);
    free(dtext);
    rc = change_final(d, &rd, old, g);
    cJSON *after = grade_snapshot(g);
    cJSON_AddItemToObject(after, "decision", cJSON_Parse(g->decision));
    rc = store_finish(d, a, "grade.decide", "member", m->id, m->org_id, json_take(grade_snapshot(old)), json_take(after), rc, e);
out:
    cJSON_Delete(lo.arr);
    free(reason);
    free(old);
    free(g);
    return rc;
}

/* 不合格 approved by the higher committee leads to correction within a deadline (限期改正): a
 * rectification item of the member's branch, made once per grade row, due in CORRECTION_DAYS. */
#define CORRECTION_DAYS 90
static int correction_item(db *d, const actor *a, const review_round *rd, const member *m, const grade_row *g, cx_err *e)
{
    int64_t existing = 0;
    int f = rect_of_source(d, "grade", g->id, &existing);
    if (f == CX_ERR) return db_fail(d, e);
    if (f == 1) return CX_OK;
    char today[11], due[11], problem[768];
    date_today(today);
    day_string(day_number(today) + CORRECTION_DAYS, due);
    snprintf(problem, sizeof problem, "%s民主评议被评为不合格党员，经上级党组织批准，限期改正。", rd->name);
    rect_new in = {.source = "grade", .source_kind = "grade", .source_id = g->id, .member_id = m->id,
                   .in = {problem, "党支部指定专人帮助教育，本人制定改正措施，按期向支部报告改正情况。", m->r.name, due}};
    return rect_create_tx(d, a, m->org_id, &in, NULL, e);
}

int grade_approve(db *d, const actor *a, int64_t round_id, const member *m, bool approve, const char *reason, cx_err *e)
{
    char *why = clean_text(reason, "reason", "不批准的理由", 100, !approve, e);
    if (!why) return CX_ERR;
    review_round rd;
    grade_row *old = xmalloc(sizeof *old), *g = xmalloc(sizeof *g);
    int64_t own = 0;
    int rc = begin_open_round(d, round_id, &rd, e);
    if (rc != CX_OK) goto out;
    if (db_lock(d, "grade", m->org_id) != CX_OK ||
        db_i64(d, &own, 0, "SELECT coalesce(member_id, 0) FROM app_user WHERE id = ?", "i", a->user_id) != CX_OK) {
        rc = db_fail(d, e);
        goto out;
    }
    if (own && own == m->id) { /* nobody approves a record about themselves */
        cx_fail(e, 403, "own_record", "id", "不能审批本人的等次，须由上级党组织的其他同志审批");
        rc = refuse(d);
        goto out;
    }
    if ((rc = load_member_grade(d, &rd, m, old, e)) != CX_OK) goto out;
    if (!old->decision[0] && (old->computed == GR_1 || old->computed == GR_4)) {
        cx_fail(e, 409, "no_decision", "id", "“%s”的%s等次还没有经支部党员大会决定，须先由支部党员大会作出决定，再报上级审批", m->r.name,
                grade_label(old->computed, false));
        rc = refuse(d);
        goto out;
    }
    if (strcmp(old->approval, "pending")) {
        cx_fail(e, 409, "not_pending", "id", "“%s”的等次（%s）没有待审批的事项", m->r.name, grade_label(old->final, false));
        rc = refuse(d);
        goto out;
    }
    *g = *old;
    g->approved_by = a->user_id;
    if (approve) {
        snprintf(g->approval, sizeof g->approval, "approved");
    } else {
        bool crit = false;
        if (member_criteria(d, &rd, old->org_id, m->id, &crit) != CX_OK) {
            rc = db_fail(d, e);
            goto out;
        }
        snprintf(g->approval, sizeof g->approval, "rejected");
        g->final = old->computed == GR_2 || old->computed == GR_3 ? old->computed : GR_2;
        g->meets = crit && (g->final == GR_1 || g->final == GR_2);
        note_add(g->note, sizeof g->note, "上级党组织未批准评为%s（%s），改为%s", grade_label(old->final, false), why,
                 grade_label(g->final, false));
    }
    rc = change_final(d, &rd, old, g);
    if (rc == CX_OK && approve && g->final == GR_4) rc = correction_item(d, a, &rd, m, g, e);
    cJSON *after = grade_snapshot(g);
    if (!approve) cJSON_AddStringToObject(after, "reason", why);
    rc = store_finish(d, a, approve ? "grade.approve" : "grade.reject", "member", m->id, m->org_id, json_take(grade_snapshot(old)),
                      json_take(after), rc, e);
out:
    free(why);
    free(old);
    free(g);
    return rc;
}

/* ---- recount ---- */

typedef struct stored {
    int64_t target_id, score;
    int computed, final;
    bool meets;
    char approval[12];
    char *decision;
} stored;

static int stored_cmp(const void *a, const void *b)
{
    int64_t x = ((const stored *)a)->target_id, y = ((const stored *)b)->target_id;
    return x < y ? -1 : x > y;
}

static void stored_free(stored *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) free(v[i].decision);
    free(v);
}

/* The stored rows of one branch (org_id > 0) or every organisation row (org_id 0), by target. */
static int stored_rows(db *d, int64_t round_id, int64_t org_id, stored **v, size_t *n)
{
    db_stmt *s = db_prepare(d, org_id ? "SELECT target_id, score, computed, final, meets, approval, decision FROM grade WHERE round_id = ? "
                                        "AND target_kind = 'member' AND org_id = ? ORDER BY target_id"
                                      : "SELECT target_id, score, computed, final, meets, approval, decision FROM grade WHERE round_id = ? "
                                        "AND target_kind = 'org' ORDER BY target_id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, round_id);
    if (org_id) db_bind_i64(s, 2, org_id);
    *v = NULL;
    *n = 0;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        *v = xrealloc(*v, (*n + 1) * sizeof **v);
        stored *x = &(*v)[(*n)++];
        *x = (stored){db_col_i64(s, 0), db_col_i64(s, 1), grade_from_code(db_col_text(s, 2)), grade_from_code(db_col_text(s, 3)),
                      db_col_i64(s, 4) != 0, "", xstrdup(db_col_text(s, 6))};
        copy_col(x->approval, sizeof x->approval, s, 5);
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* The final grade the records say a member should have: the computed grade (from the raw records)
 * without a decision; the branch meeting's decision when it is a valid one (a grade, and a meeting
 * that passes meeting_check); after a rejection by the higher committee, 合格 or 基本合格 as
 * grade_approve sets it. why gets a reason when the decision record itself is unusable. */
static int final_by_records(bool is_org, int computed, const stored *x, const char **why, const char **approval)
{
    *why = NULL;
    *approval = "none";
    if (is_org || !x->decision[0]) return computed;
    cJSON *j = cJSON_Parse(x->decision);
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(j, "grade"), *en = cJSON_GetObjectItemCaseSensitive(j, "entitled"),
                *pr = cJSON_GetObjectItemCaseSensitive(j, "present"), *fa = cJSON_GetObjectItemCaseSensitive(j, "in_favour");
    int dg = cJSON_IsString(g) ? grade_from_code(g->valuestring) : -1;
    cx_err e;
    bool meeting = cJSON_IsNumber(en) && cJSON_IsNumber(pr) && cJSON_IsNumber(fa) &&
                   meeting_check((int64_t)en->valuedouble, (int64_t)pr->valuedouble, (int64_t)fa->valuedouble, &e) == CX_OK;
    cJSON_Delete(j);
    if (dg < GR_1 || !meeting) {
        *why = "支部党员大会决定记录无效（等次或表决人数不符合规定）";
        return computed;
    }
    if (dg == GR_1 || dg == GR_4) /* goes to the higher committee: pending until it answers */
        *approval = !strcmp(x->approval, "approved") || !strcmp(x->approval, "rejected") ? x->approval : "pending";
    if (!strcmp(x->approval, "rejected") && (dg == GR_1 || dg == GR_4)) return computed == GR_2 || computed == GR_3 ? computed : GR_2;
    return dg;
}

/* Compares computed rows with stored ones; lines to out. all: rows without a stored row count as
 * missing (a branch's members), otherwise they are not reported (organisations never graded).
 * *redo: a raw record changed (score, computed grade, rows), so the branch must be recomputed;
 * want[i]: the final grade by the records of st[i] (-1 for a row out of scope). */
static int64_t compare(FILE *out, bool is_org, const review_rules *r, const grade_calc *rows, size_t n, const stored *st, size_t ns,
                       bool all, bool *redo, int *want)
{
    const char *who = is_org ? "组织" : "党员";
    int64_t diffs = 0, excellent = 0, graded = 0;
    *redo = false;
    for (size_t i = 0; i < n; i++) {
        const grade_calc *g = &rows[i];
        const stored *x = bsearch(&(stored){.target_id = g->target_id}, st, ns, sizeof *st, stored_cmp);
        char a[24], b[24];
        if (g->grade != GR_NONE) graded++;
        if (!x) {
            /* a member who joined after grading, with no record at all, is no difference */
            if (!all || (g->grade == GR_NONE && g->score < 0)) continue;
            diffs++, *redo = true;
            score_text(g->score, b);
            if (out) fprintf(out, "%s %s（编号 %" PRId64 "）：缺少等次记录，按原始记录应为%s%s%s\n", who, g->name, g->target_id, grade_label(g->grade, is_org),
                             *b ? "，综合得分 " : "", b);
            continue;
        }
        if (x->score != g->score) {
            diffs++, *redo = true;
            score_text(x->score, a), score_text(g->score, b);
            if (out) fprintf(out, "%s %s（编号 %" PRId64 "）：综合得分记录为 %s，按原始记录应为 %s\n", who, g->name, g->target_id, *a ? a : "无", *b ? b : "无");
        }
        if (x->computed != g->grade) {
            diffs++, *redo = true;
            if (out) fprintf(out, "%s %s（编号 %" PRId64 "）：计算等次记录为 %s，按原始记录应为 %s\n", who, g->name, g->target_id,
                             grade_label(x->computed, is_org), grade_label(g->grade, is_org));
        }
        const char *why, *appr;
        int fin = final_by_records(is_org, g->grade, x, &why, &appr);
        want[x - st] = fin;
        if (strcmp(x->approval, appr)) {
            diffs++;
            if (out) fprintf(out, "%s %s（编号 %" PRId64 "）：审批状态记录为“%s”，按支部党员大会决定记录应为“%s”\n", who, g->name, g->target_id,
                             x->approval, appr);
        }
        if (fin == GR_1) excellent++;
        if (why) {
            diffs++;
            if (out) fprintf(out, "%s %s（编号 %" PRId64 "）：%s\n", who, g->name, g->target_id, why);
        }
        if (x->final != fin) {
            diffs++;
            if (out) fprintf(out, "%s %s（编号 %" PRId64 "）：最终等次记录为 %s，按评议记录、支部党员大会决定和上级审批应为 %s\n", who, g->name,
                             g->target_id, grade_label(x->final, is_org), grade_label(fin, is_org));
        }
        bool meets = g->criteria_ok && (fin == GR_1 || fin == GR_2);
        if (x->meets != meets) {
            diffs++;
            if (out) fprintf(out, "%s %s（编号 %" PRId64 "）：%s记录为 %s，按原始记录应为 %s\n", who, g->name, g->target_id, is_org ? "五个好" : "五带头",
                             x->meets ? "达到" : "未达到", meets ? "达到" : "未达到");
        }
    }
    for (size_t i = 0; i < ns; i++) {
        int64_t id = st[i].target_id;
        if (bsearch(&id, rows, n, sizeof *rows, calc_cmp)) continue;
        want[i] = -1;
        diffs++, *redo = true;
        if (out) fprintf(out, "%s 编号 %" PRId64 "：有等次记录，但按原始记录已不在该范围内（已停用或已转出）\n", who, id);
    }
    int64_t cap = excellent_cap(r, graded);
    if (!is_org && excellent > cap) { /* decisions over the cap: no software can choose who keeps it */
        diffs++;
        if (out) fprintf(out, "党员 编号 %" PRId64 " 等所在支部：优秀 %" PRId64 " 人，超过参加等次评定 %" PRId64 " 人的优秀名额 %" PRId64 " 人，须由支部党员大会重新决定\n",
                         rows[0].target_id, excellent, graded, cap);
        *redo = true;
    }
    return diffs;
}

/* Recounts one scope; with apply, brings its rows to what the records say, without roll-up
 * deltas (the caller rebuilds the counters): a changed raw record recomputes the scope (decisions
 * there start over); otherwise each final grade and 五带头 is set from its decision and approval
 * records, never from the stored value. */
static int recount_scope(db *d, const review_round *rd, const org *o, bool is_org, int64_t stored_org, bool apply, FILE *out, int64_t *diffs)
{
    grade_calc *rows = NULL;
    stored *st = NULL;
    size_t n = 0, ns = 0;
    review_rules r;
    int rc = rules_get(d, rd->campaign_id, &r, NULL, NULL) == CX_ERR ? CX_ERR : CX_OK;
    if (rc == CX_OK) rc = grade_compute(d, rd, o, is_org, &rows, &n);
    if (rc == CX_OK) rc = stored_rows(d, rd->id, stored_org, &st, &ns);
    int *want = ns ? xcalloc(ns, sizeof *want) : NULL;
    bool redo = false;
    int64_t k = rc == CX_OK ? compare(out, is_org, &r, rows, n, st, ns, !is_org, &redo, want) : 0;
    *diffs += k;
    if (rc == CX_OK && apply && k) {
        if (!is_org && redo) rc = restore_scope(d, rd, o, false, NULL, NULL, "按原始记录重新计算（cxzy recount --fix）", false);
        else if (!is_org) {
            for (size_t i = 0; rc == CX_OK && i < ns; i++) {
                grade_calc *g = bsearch(&st[i].target_id, rows, n, sizeof *rows, calc_cmp);
                if (!g || want[i] < 0) continue;
                bool meets = g->criteria_ok && (want[i] == GR_1 || want[i] == GR_2);
                const char *why, *appr;
                final_by_records(false, g->grade, &st[i], &why, &appr);
                if (why) /* a decision that could not have been taken does not stand: the meeting decides again */
                    rc = db_run(d, "UPDATE grade SET decision = '', redo = ? WHERE round_id = ? AND target_kind = 'member' AND target_id = ?", "sii",
                                "记录的支部党员大会决定不符合表决规则，已撤销（cxzy recount --fix），须重新召开支部党员大会决定", rd->id, st[i].target_id);
                if (rc == CX_OK && (want[i] != st[i].final || meets != st[i].meets || strcmp(appr, st[i].approval)))
                    rc = db_run(d, "UPDATE grade SET final = ?, meets = ?, approval = ? WHERE round_id = ? AND target_kind = 'member' AND target_id = ?",
                                "sisii", grade_code(want[i]), (int64_t)meets, appr, rd->id, st[i].target_id);
            }
        } else { /* organisations: only the rows that were stored, each on its own */
            for (size_t i = 0; rc == CX_OK && i < ns; i++) {
                grade_calc *g = bsearch(&st[i].target_id, rows, n, sizeof *rows, calc_cmp);
                rc = g ? put_grades(d, rd, true, g, 1, "", false) : drop_grade(d, rd->id, true, st[i].target_id, false);
            }
        }
    }
    free(want);
    stored_free(st, ns);
    grade_calc_free(rows, n);
    return rc;
}

int grade_recount(db *d, int64_t round_id, bool fix, FILE *out, int64_t *diffs, int64_t *counter_diffs)
{
    *diffs = *counter_diffs = 0;
    review_round rd;
    if (round_get(d, round_id, &rd) != 1) return CX_ERR;
    /* one write transaction: the grades are brought to the records, then the counters are compared
     * with those corrected grades (so an edited final grade is never taken as the truth), and all
     * of it is kept only with fix */
    if (db_begin(d, true) != CX_OK) return CX_ERR;
    int64_t *branches = NULL, norg = 0;
    size_t nb = 0;
    db_stmt *s = db_prepare(d, "SELECT DISTINCT org_id FROM grade WHERE round_id = ? AND target_kind = 'member' ORDER BY org_id");
    int rc = s ? CX_OK : CX_ERR;
    if (s) {
        db_bind_i64(s, 1, round_id);
        int st;
        while ((st = db_step(s)) == DB_ROW) branches = xrealloc(branches, (nb + 1) * sizeof *branches), branches[nb++] = db_col_i64(s, 0);
        db_done(s);
        if (st == CX_ERR) rc = CX_ERR;
    }
    for (size_t i = 0; rc == CX_OK && i < nb; i++) {
        org o;
        int f = org_get(d, branches[i], &o);
        if (f == CX_ERR) rc = CX_ERR;
        else if (f == 1) rc = recount_scope(d, &rd, &o, false, o.id, true, out, diffs);
    }
    if (rc == CX_OK) rc = db_i64(d, &norg, 0, "SELECT count(*) FROM grade WHERE round_id = ? AND target_kind = 'org'", "i", round_id);
    if (rc == CX_OK && norg) {
        org root;
        int f = org_get(d, rd.org_id, &root);
        rc = f == 1 ? recount_scope(d, &rd, &root, true, 0, true, out, diffs) : CX_ERR;
    }
    free(branches);
    if (rc == CX_OK && fix && *diffs) {
        char after[64];
        snprintf(after, sizeof after, "{\"differences\":%" PRId64 "}", *diffs);
        rc = audit_append(d, &actor_cli, "grade.recount_fix", "review_round", round_id, rd.org_id, NULL, after, "ok");
    }
    if (rc == CX_OK) rc = rollup_recount(d, round_id, fix, out, counter_diffs);
    if (rc == CX_OK && fix) rc = db_commit(d);
    else db_rollback(d);
    return rc;
}
