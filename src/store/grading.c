/* grading.c: grading rules, exclusions, grades computed from the raw records, stored and redone (see
 * grading.h). */
#include "grading.h"
#include "standard.h"
#include "sector_standard.h"
#include "row.h"
#include "review_int.h"
#include "../lib/json.h"
#include "rollup.h"
#include "../domain/date.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

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
static int set_items(db *d, int64_t set_id, const char *target, int64_t campaign_id, int64_t *n)
{
    /* a set of every campaign, or the campaign's own (issue 22) */
    return db_i64(d, n, 0, "SELECT count(*) FROM standard_item i JOIN standard_set s ON s.id = i.set_id WHERE s.id = ? AND s.target = ? "
                           "AND (s.campaign_id IS NULL OR s.campaign_id = ?)",
                  "isi", set_id, target, campaign_id);
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
    if (set_items(d, org_set, "org", campaign_id, &n) != CX_OK) return db_fail(d, e);
    if (!n) return cx_fail(e, 400, "invalid_set", "org_set_id", "组织评议标准不存在或不是针对党组织的标准"), refuse(d);
    if (set_items(d, member_set, "member", campaign_id, &n) != CX_OK) return db_fail(d, e);
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

/* ---- exclusions ---- */

int exclusion_set(db *d, const actor *a, int64_t round_id, const member *m, const exclusion_ok *in, cx_err *e)
{
    int ex = in->reason;
    bool remove = ex == EX_NONE;
    const char *reason = exclusion_code(ex), *nt = in->note;
    char *before = NULL;
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
    int64_t set_id;                           /* the standard set it is reviewed on (issue 22) */
    int set;                                  /* its index in calc.sets, -1 none */
    char *name, *path;
} acc;

typedef struct calc {
    const review_round *rd;
    const org *o;
    bool org;
    review_rules rules;
    round_sets rs;                            /* the round's sets by sector and level (issue 22) */
    std_version *sets;                        /* the distinct sets of the targets */
    int nsets;
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

/* The number of form lines of a target's set (indicators, or items). */
static int64_t acc_lines(const calc *c, const acc *a) { return a->set >= 0 ? std_lines(&c->sets[a->set]) : 0; }

/* The index in c->sets of set_id, loaded on first use; -1 without a set. */
static int calc_set(db *d, calc *c, int64_t set_id)
{
    if (!set_id) return -1;
    for (int i = 0; i < c->nsets; i++)
        if (c->sets[i].s.id == set_id) return i;
    c->sets = xrealloc(c->sets, (size_t)(c->nsets + 1) * sizeof *c->sets);
    if (std_version_get(d, set_id, &c->sets[c->nsets]) != 1) return -1;
    return c->nsets++;
}

static void on_review(calc *c, acc *a, db_stmt *s)
{
    const char *kind = db_col_text(s, 1), *lv = db_col_text(s, 2);
    int64_t n = acc_lines(c, a);
    /* a set's indicators weigh the levels by their points */
    int64_t v = a->set >= 0 && (int64_t)strlen(lv) == n ? std_score(&c->sets[a->set], &c->rules, lv) : levels_score(&c->rules, lv);
    if (!strcmp(kind, "peer")) mean_add(&a->peer, v);
    else a->self = v;
    if ((int64_t)strlen(lv) != n) return; /* given on another standard set: not an item-wise opinion */
    a->nrev++;
    for (int64_t i = 0; i < n && i < STD_MAX_ITEMS; i++) a->crit_sum[i] += lv[i] - '0', a->crit_n[i]++;
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
     /* counted ballots only: a verified rater, not held in a burst (ballot.h) */
     "SELECT target_id, answers FROM ballot WHERE round_id = ? AND target_kind = 'member' AND valid = 1 AND verified = 1 AND hold = '' "
     "AND target_id IN (SELECT id FROM member WHERE org_id = ?)",
     "SELECT p.member_id, p.status, p.miss_kind, p.due_date FROM pledge p, (SELECT CAST(? AS TEXT) AS s, CAST(? AS TEXT) AS e) w "
     "WHERE ((p.due_date >= w.s AND p.due_date <= w.e) OR (p.missed_on >= w.s AND p.missed_on <= w.e)) "
     "AND p.member_id IN (SELECT id FROM member WHERE org_id = ?)"},
    {"SELECT o.id, o.name, o.path, o.sector, o.type FROM org o WHERE ? > 0 AND o.active = 1 AND o.path > ? AND o.path < ? ORDER BY o.id",
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
        /* members are reviewed on their branch's set, organisations each on their own */
        a->set_id = c->org ? round_sets_pick(&c->rs, true, db_col_text(s, 3), db_col_text(s, 4))
                           : round_sets_pick(&c->rs, false, c->o->sector, c->o->type);
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
    int64_t n = acc_lines(c, a);
    if (!a->nrev || n <= 0) return false;
    for (int64_t i = 0; i < n && i < STD_MAX_ITEMS; i++)
        if (!a->crit_n[i] || a->crit_sum[i] > 2 * a->crit_n[i]) return false;
    return true;
}

/* Appends to a note, separated by "；", cutting at a character boundary when it does not fit. */
void note_add(char *note, size_t cap, const char *fmt, ...)
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
void note_correction(char *note, size_t cap, int grade, bool is_org)
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
    if (rules_get(d, rd->campaign_id, &c.rules, NULL, NULL) == CX_ERR || round_sets_load(d, rd, &c.rs) != CX_OK) return CX_ERR;
    int rc = calc_targets(d, &c);
    round_sets_free(&c.rs);
    for (size_t i = 0; rc == CX_OK && i < c.n; i++) c.v[i].set = calc_set(d, &c, c.v[i].set_id);
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
    /* a set's grade rule in points replaces the campaign's thresholds: for a branch's members (one
     * set) before the cap; for organisations (each on its own set, no cap) target by target */
    review_rules branch_rules = c.rules;
    if (!is_org && c.n && c.v[0].set >= 0 && c.sets[c.v[0].set].has_rule)
        rules_with_set(&branch_rules, c.sets[c.v[0].set].t, c.sets[c.v[0].set].total);
    if (rc == CX_OK) grade_branch(is_org ? r : &branch_rules, is_org, in, out, c.n);
    for (size_t i = 0; rc == CX_OK && is_org && i < c.n; i++) {
        const acc *a = &c.v[i];
        if (a->set < 0 || !c.sets[a->set].has_rule || in[i].veto || out[i].grade == GR_NONE || out[i].score < 0) continue;
        review_rules sr = c.rules;
        rules_with_set(&sr, c.sets[a->set].t, c.sets[a->set].total);
        out[i].grade = grade_of_score(&sr, out[i].score);
        out[i].meets = (out[i].grade == GR_1 || out[i].grade == GR_2) && in[i].criteria_ok == 1;
    }
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
    free(c.sets);
    if (rc != CX_OK) return CX_ERR;
    *rows = v;
    *n = c.n;
    return CX_OK;
}

/* ---- grades: storing ---- */

const char *kind_of(bool is_org) { return is_org ? "org" : "member"; }

/* Takes a stored row out of the roll-ups (deltas) and deletes it. */
int drop_grade(db *d, int64_t round_id, bool is_org, int64_t target_id, bool deltas)
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
int put_grades(db *d, const review_round *rd, bool is_org, const grade_calc *rows, size_t n, const char *redo, bool deltas)
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

int calc_cmp(const void *k, const void *e)
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
int restore_scope(db *d, const review_round *rd, const org *o, bool is_org, size_t *n, int64_t counts[5], const char *redo,
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
