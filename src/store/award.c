/* award.c: 评选表彰: award kinds, eligibility rules evaluated over the records, nominations within
 * the quota, the office's vote, approval, revocation and honours (see award.h). */
#include "award.h"
#include "row.h"
#include "meeting.h"
#include "notice.h"
#include "rating.h"
#include "rating_result.h"
#include "rollup.h"
#include "../domain/date.h"
#include "../domain/meeting.h"
#include "../domain/orgpath.h"
#include "../domain/perm.h"
#include "../domain/review.h"
#include "../domain/text.h"
#include "../lib/json.h"
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define KIND_COLS                                                                                                             \
    "k.id, k.org_id, k.created_at, k.row_version, k.year, k.quota, k.quota_n, k.eligible_n, "                                \
    "(SELECT count(*) FROM award_rule r WHERE r.kind_id = k.id), "                                                          \
    "(SELECT count(*) FROM award_nomination n WHERE n.kind_id = k.id AND n.status <> 'withdrawn'), "                        \
    "k.share, k.subject, k.status, k.name, k.created_by_name, o.name, k.org_path"
#define KIND_FROM " FROM award_kind k JOIN org o ON o.id = k.org_id"

static void read_kind(db_stmt *s, void *out)
{
    award_kind *k = out;
    k->id = db_col_i64(s, 0);
    k->org_id = db_col_i64(s, 1);
    k->created_at = db_col_i64(s, 2);
    k->version = db_col_i64(s, 3);
    int *w[] = {&k->year, &k->quota, &k->quota_n, &k->eligible_n, &k->nrules, &k->nlive};
    for (int i = 0; i < 6; i++) *w[i] = (int)db_col_i64(s, 4 + i);
    k->share = db_col_i64(s, 10) != 0;
    int sj = award_subject_from_name(db_col_text(s, 11)), st = award_status_from_name(db_col_text(s, 12));
    k->subject = sj < 0 ? AWS_MEMBER : (award_subject)sj;
    k->status = st < 0 ? AK_DRAFT : (award_status)st;
    copy_col(k->name, sizeof k->name, s, 13);
    copy_col(k->created_by_name, sizeof k->created_by_name, s, 14);
    copy_col(k->org_name, sizeof k->org_name, s, 15);
    copy_col(k->org_path, sizeof k->org_path, s, 16);
}

int award_get(db *d, int64_t id, award_kind *k)
{
    return row_by_id(d, "SELECT " KIND_COLS KIND_FROM " WHERE k.id = ?", id, read_kind, k, sizeof *k);
}

int award_list(db *d, const char *path, int (*fn)(void *ctx, const award_kind *k), void *ctx)
{
    char end[CX_PATH_MAX];
    orgpath_end(path, end, sizeof end);
    db_stmt *s = db_prepare(d, "SELECT " KIND_COLS KIND_FROM " WHERE (k.org_path >= ? AND k.org_path < ?) OR ? LIKE k.org_path || '%' "
                               "ORDER BY k.id DESC LIMIT 200");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, path);
    db_bind_text(s, 2, end);
    db_bind_text(s, 3, path);
    return DB_EACH(s, award_kind, read_kind, fn, ctx);
}

int award_create(db *d, const actor *a, const org *office, const award_ok *ok, int64_t *id, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    int64_t now = now_unix(), kid = 0;
    if (db_i64(d, &kid, 0, "INSERT INTO award_kind (org_id, org_path, name, year, subject, share, quota, quota_n, created_by, created_by_name, "
                           "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
               "issisiiiisii", office->id, office->path, ok->name, (int64_t)ok->year, award_subject_name(ok->subject), (int64_t)ok->share,
               (int64_t)ok->quota, (int64_t)(ok->share ? 0 : ok->quota), a ? a->user_id : 0, actor_shown(a), now, now) != CX_OK)
        return db_fail(d, e);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "name", ok->name);
    json_add_i64(j, "year", ok->year);
    cJSON_AddStringToObject(j, "subject", award_subject_name(ok->subject));
    json_add_i64(j, "quota", ok->quota);
    cJSON_AddBoolToObject(j, "share", ok->share);
    if (store_finish(d, a, "create", "award", kid, office->id, NULL, json_take(j), CX_OK, e) != CX_OK) return CX_ERR;
    if (id) *id = kid;
    return CX_OK;
}

/* Begins a write and reads kind id into k, locking its row (a no-op update: SELECT … FOR UPDATE on
 * PostgreSQL, the write lock on SQLite), when its status is want: CX_OK; otherwise rolls back with
 * e (404, or 409 code). */
static int begin_at(db *d, int64_t id, award_status want, const char *code, const char *msg, award_kind *k, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    int64_t got = 0;
    if (db_i64(d, &got, 0, "UPDATE award_kind SET row_version = row_version WHERE id = ? AND status = ? RETURNING id", "is", id,
               award_status_name(want)) != CX_OK)
        return db_fail(d, e);
    int f = award_get(d, id, k);
    if (f == CX_ERR) return db_fail(d, e);
    if (f == 0) {
        cx_fail(e, 404, "not_found", "id", "评选表彰不存在");
        return refuse(d);
    }
    if (!got) {
        cx_fail(e, 409, code, "status", "%s（当前状态：%s）", msg, award_status_label(k->status));
        return refuse(d);
    }
    return CX_OK;
}

static int touch(db *d, int64_t id)
{
    return db_run(d, "UPDATE award_kind SET row_version = row_version + 1, updated_at = ? WHERE id = ?", "ii", now_unix(), id);
}

#define NOT_DRAFT_MSG "推荐开始后评选条件不能再修改"

int award_rule_set(db *d, const actor *a, int64_t id, const char *rule, const char *param, cx_err *e)
{
    award_kind k;
    if (begin_at(d, id, AK_DRAFT, "not_draft", NOT_DRAFT_MSG, &k, e) != CX_OK) return CX_ERR;
    award_rule r;
    char p[32];
    if (award_rule_check(rule, param, k.subject, &r, p, e) != CX_OK) return refuse(d);
    if (db_run(d, "INSERT INTO award_rule (kind_id, rule, param, seq) VALUES (?,?,?,?) ON CONFLICT (kind_id, rule) DO UPDATE SET param = excluded.param",
               "issi", id, award_rule_name(r), p, (int64_t)r) != CX_OK ||
        touch(d, id) != CX_OK)
        return db_fail(d, e);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "rule", award_rule_name(r));
    cJSON_AddStringToObject(j, "param", p);
    return store_finish(d, a, "set_rule", "award", id, k.org_id, NULL, json_take(j), CX_OK, e);
}

int award_rule_remove(db *d, const actor *a, int64_t id, const char *rule, cx_err *e)
{
    award_kind k;
    if (begin_at(d, id, AK_DRAFT, "not_draft", NOT_DRAFT_MSG, &k, e) != CX_OK) return CX_ERR;
    int r = award_rule_from_name(rule && *rule ? rule : NULL);
    int64_t had = 0;
    if (r >= 0 && db_i64(d, &had, 0, "DELETE FROM award_rule WHERE kind_id = ? AND rule = ? RETURNING 1", "is", id, award_rule_name((award_rule)r)) != CX_OK)
        return db_fail(d, e);
    if (!had) {
        cx_fail(e, 422, "invalid_rule", "rule", "本项评选没有评选条件“%.40s”", rule ? rule : "");
        return refuse(d);
    }
    if (touch(d, id) != CX_OK) return db_fail(d, e);
    char *before = xasprintf("{\"rule\":\"%s\"}", award_rule_name((award_rule)r));
    return store_finish(d, a, "remove_rule", "award", id, k.org_id, before, NULL, CX_OK, e);
}

int award_alloc_set(db *d, const actor *a, int64_t id, int64_t org_id, int places, cx_err *e)
{
    award_kind k;
    if (begin_at(d, id, AK_DRAFT, "not_draft", "推荐开始后名额分配不能再修改", &k, e) != CX_OK) return CX_ERR;
    org o;
    int f = org_get(d, org_id, &o);
    if (f == CX_ERR) return db_fail(d, e);
    if (f == 0 || !o.active || o.id == k.org_id || !path_in_subtree(o.path, k.org_path)) {
        cx_fail(e, 422, "invalid_org", "org_id", "名额只能分配给%s下属的在用党组织", k.org_name);
        return refuse(d);
    }
    if (places < 0 || places > AWARD_QUOTA_MAX) {
        cx_fail(e, 422, "invalid_places", "places", "分配名额应为 0–%d 的整数（0 为取消分配）", AWARD_QUOTA_MAX);
        return refuse(d);
    }
    int64_t others = 0;
    if (db_i64(d, &others, 0, "SELECT coalesce(sum(places), 0) FROM award_alloc WHERE kind_id = ? AND org_id <> ?", "ii", id, org_id) != CX_OK)
        return db_fail(d, e);
    if (!k.share && others + places > k.quota) {
        cx_fail(e, 422, "invalid_places", "places", "各组织分配的名额合计 %" PRId64 " 名，超过总名额 %d 名", others + places, k.quota);
        return refuse(d);
    }
    int rc = places ? db_run(d, "INSERT INTO award_alloc (kind_id, org_id, org_path, places) VALUES (?,?,?,?) ON CONFLICT (kind_id, org_id) DO UPDATE "
                                "SET places = excluded.places",
                             "iisi", id, org_id, o.path, (int64_t)places)
                    : db_run(d, "DELETE FROM award_alloc WHERE kind_id = ? AND org_id = ?", "ii", id, org_id);
    if (rc != CX_OK || touch(d, id) != CX_OK) return db_fail(d, e);
    char *after = xasprintf("{\"org_id\":%" PRId64 ",\"places\":%d}", org_id, places);
    return store_finish(d, a, "allocate", "award", id, k.org_id, NULL, after, CX_OK, e);
}

static void read_alloc(db_stmt *s, void *out)
{
    award_alloc *x = out;
    x->org_id = db_col_i64(s, 0);
    x->places = (int)db_col_i64(s, 1);
    x->used = (int)db_col_i64(s, 2);
    copy_col(x->org_name, sizeof x->org_name, s, 3);
}
#define ALLOC_SQL                                                                                                             \
    "SELECT a.org_id, a.places, (SELECT count(*) FROM award_nomination n WHERE n.kind_id = a.kind_id AND n.status <> 'withdrawn' AND "   \
    "substr(n.org_path, 1, length(a.org_path)) = a.org_path), o.name FROM award_alloc a JOIN org o ON o.id = a.org_id WHERE a.kind_id = ?"
int award_allocs(db *d, int64_t id, int (*fn)(void *ctx, const award_alloc *x), void *ctx)
{
    db_stmt *s = db_prepare(d, ALLOC_SQL " ORDER BY o.path");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    return DB_EACH(s, award_alloc, read_alloc, fn, ctx);
}

static void read_rule(db_stmt *s, void *out)
{
    award_rule_row *x = out;
    int r = award_rule_from_name(db_col_text(s, 0));
    x->rule = r < 0 ? AR_COUNT : (award_rule)r;
    copy_col(x->param, sizeof x->param, s, 1);
}
int award_rules(db *d, int64_t id, int (*fn)(void *ctx, const award_rule_row *r), void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT rule, param FROM award_rule WHERE kind_id = ? ORDER BY seq");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    return DB_EACH(s, award_rule_row, read_rule, fn, ctx);
}

/* ---- the rules: one function each over the records ---- */

/* A candidate: the member (its organisation) or the organisation itself. */
typedef struct cand {
    award_subject subject;
    int64_t id, org_id;
    char name[256], path[CX_PATH_MAX];
} cand;

/* The review rounds of year covering the candidate's organisation (rounds of it or above it). */
#define ROUNDS_OF_YEAR                                                                                                        \
    "SELECT rr.id, rr.name FROM review_round rr JOIN org ro ON ro.id = rr.org_id WHERE substr(rr.period_end, 1, 4) = ? "     \
    "AND substr(?, 1, length(ro.path)) = ro.path ORDER BY rr.period_end, rr.id"

typedef struct round_ids {
    int64_t id[16];
    char name[16][128];
    int n;
} round_ids;

static int rounds_of_year(db *d, int year, const char *path, round_ids *out)
{
    out->n = 0;
    char y[8];
    snprintf(y, sizeof y, "%d", year);
    db_stmt *s = db_prepare(d, ROUNDS_OF_YEAR);
    if (!s) return CX_ERR;
    db_bind_text(s, 1, y);
    db_bind_text(s, 2, path);
    int rc;
    while ((rc = db_step(s)) == DB_ROW)
        if (out->n < 16) {
            out->id[out->n] = db_col_i64(s, 0);
            copy_col(out->name[out->n], sizeof out->name[0], s, 1);
            out->n++;
        }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

static void add_text(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add_text(char *out, size_t cap, const char *fmt, ...)
{
    size_t n = strlen(out);
    if (n + 1 >= cap) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out + n, cap - n, fmt, ap);
    va_end(ap);
}

static const char *approval_label(const char *a)
{
    return !strcmp(a, "approved") ? "已审批" : !strcmp(a, "pending") ? "待上级审批" : !strcmp(a, "rejected") ? "审批未通过" : "未报审批";
}

/* grade_excellent: the final grade 优秀 (organisations: 好), approved, in a round of the year. */
static int rule_grade_excellent(db *d, const award_kind *k, const cand *c, const char *param, rule_result *out)
{
    (void)param;
    char y[8];
    snprintf(y, sizeof y, "%d", k->year);
    db_stmt *s = db_prepare(d, "SELECT rr.name, g.final, g.approval FROM grade g JOIN review_round rr ON rr.id = g.round_id "
                               "WHERE g.target_kind = ? AND g.target_id = ? AND substr(rr.period_end, 1, 4) = ? ORDER BY rr.period_end, rr.id");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, award_subject_name(c->subject));
    db_bind_i64(s, 2, c->id);
    db_bind_text(s, 3, y);
    int rc, n = 0;
    bool is_org = c->subject == AWS_ORG;
    while ((rc = db_step(s)) == DB_ROW) {
        const char *fin = db_col_text(s, 1), *ap = db_col_text(s, 2);
        int g = grade_from_code(fin);
        if (g == GR_1 && !strcmp(ap, "approved")) out->pass = true;
        add_text(out->evidence, sizeof out->evidence, "%s%s：%s（%s）", n++ ? "；" : "", db_col_text(s, 0), grade_label(g < 0 ? GR_NONE : g, is_org),
                 approval_label(ap));
    }
    db_done(s);
    if (rc == CX_ERR) return CX_ERR;
    if (!n) snprintf(out->evidence, sizeof out->evidence, "%d 年度评议没有等次记录", k->year);
    return CX_OK;
}

/* no_pledge_miss: no pledge of the year (due or marked missed in it) missed without justification. */
static int rule_no_pledge_miss(db *d, const award_kind *k, const cand *c, const char *param, rule_result *out)
{
    (void)param;
    char y[8];
    snprintf(y, sizeof y, "%d", k->year);
    db_stmt *s = db_prepare(d, c->subject == AWS_MEMBER
        ? "SELECT title, status, miss_kind FROM pledge WHERE member_id = ? AND status NOT IN ('draft','submitted','returned') "
          "AND (substr(due_date, 1, 4) = ? OR substr(missed_on, 1, 4) = ?) ORDER BY id"
        : "SELECT title, status, miss_kind FROM pledge WHERE org_id = ? AND member_id IS NULL AND status NOT IN ('draft','submitted','returned') "
          "AND (substr(due_date, 1, 4) = ? OR substr(missed_on, 1, 4) = ?) ORDER BY id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, c->id);
    db_bind_text(s, 2, y);
    db_bind_text(s, 3, y);
    int rc, total = 0, bad = 0;
    char titles[256] = "";
    while ((rc = db_step(s)) == DB_ROW) {
        total++;
        if (!strcmp(db_col_text(s, 2), "unjustified")) {
            if (bad++ < 3) add_text(titles, sizeof titles, "%s《%.60s》", bad > 1 ? "、" : "", db_col_text(s, 0));
        }
    }
    db_done(s);
    if (rc == CX_ERR) return CX_ERR;
    out->pass = bad == 0;
    if (bad) snprintf(out->evidence, sizeof out->evidence, "%d 年度承诺 %d 项，无正当理由未兑现 %d 项：%s", k->year, total, bad, titles);
    else snprintf(out->evidence, sizeof out->evidence, "%d 年度承诺 %d 项，无无故未兑现", k->year, total);
    return CX_OK;
}

/* satisfaction_min "P/N": over the year's rounds, (满意 + 基本满意) / answers ≥ P % with at least N
 * valid ballots: a member's own ballots (rating results), an organisation's subtree (roll-ups). */
static int rule_satisfaction_min(db *d, const award_kind *k, const cand *c, const char *param, rule_result *out)
{
    int pct = 0, need = 0;
    if (!award_satisfaction_param(param, &pct, &need)) return snprintf(out->evidence, sizeof out->evidence, "参数无效"), CX_OK;
    round_ids rs;
    if (rounds_of_year(d, k->year, c->path, &rs) != CX_OK) return CX_ERR;
    int64_t valid = 0, good = 0, all = 0;
    for (int i = 0; i < rs.n; i++) {
        if (c->subject == AWS_MEMBER) {
            rating_result r;
            if (rating_result_get(d, rs.id[i], RK_MEMBER, c->id, &r) == CX_ERR) return CX_ERR;
            valid += r.valid;
            good += r.ans[0] + r.ans[1];
            all += r.ans[0] + r.ans[1] + r.ans[2];
        } else {
            rollup r;
            if (rollup_get(d, rs.id[i], c->id, &r) != CX_OK) return CX_ERR;
            valid += r.v[RU_BALLOTS_VALID];
            good += r.v[RU_ANS_SATISFIED] + r.v[RU_ANS_BASIC];
            all += r.v[RU_ANS_SATISFIED] + r.v[RU_ANS_BASIC] + r.v[RU_ANS_UNSATISFIED];
        }
    }
    out->pass = valid >= need && all > 0 && good * 100 >= (int64_t)pct * all;
    if (!all) snprintf(out->evidence, sizeof out->evidence, "%d 年度没有有效评价票（要求满意率 ≥ %d%%，有效票至少 %d 张）", k->year, pct, need);
    else {
        int64_t pm = good * 1000 / all;
        snprintf(out->evidence, sizeof out->evidence, "%d 年度有效票 %" PRId64 " 张，满意率 %" PRId64 ".%" PRId64 "%%（要求 ≥ %d%%，有效票至少 %d 张）", k->year,
                 valid, pm / 10, pm % 10, pct, need);
    }
    return CX_OK;
}

/* no_open_rect: no rectification of the organisation (the member's) still open past its due date. */
static int rule_no_open_rect(db *d, const award_kind *k, const cand *c, const char *param, rule_result *out)
{
    (void)k, (void)param;
    char today[11], first[11] = "";
    date_today(today);
    int64_t n = 0;
    db_stmt *s = db_prepare(d, "SELECT count(*), coalesce(min(due_date), '') FROM rectification WHERE org_id = ? AND status = 'open' AND due_date < ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, c->org_id);
    db_bind_text(s, 2, today);
    int rc = db_step(s);
    if (rc == DB_ROW) n = db_col_i64(s, 0), copy_col(first, sizeof first, s, 1);
    db_done(s);
    if (rc == CX_ERR) return CX_ERR;
    out->pass = n == 0;
    const char *who = c->subject == AWS_MEMBER ? "所在党组织" : "本组织";
    if (n) snprintf(out->evidence, sizeof out->evidence, "%s有 %" PRId64 " 项整改逾期未完成（最早应于 %s 完成）", who, n, first);
    else snprintf(out->evidence, sizeof out->evidence, "%s没有逾期未完成的整改", who);
    return CX_OK;
}

/* reports_on_time (organisations): no report due in the year submitted late, or due and not sent. */
static int rule_reports_on_time(db *d, const award_kind *k, const cand *c, const char *param, rule_result *out)
{
    (void)param;
    char y[8], today[11];
    snprintf(y, sizeof y, "%d", k->year);
    date_today(today);
    int64_t total = 0, late = 0, overdue = 0;
    db_stmt *s = db_prepare(d, "SELECT count(*), coalesce(sum(CASE WHEN late_workdays > 0 THEN 1 ELSE 0 END), 0), "
                               "coalesce(sum(CASE WHEN status IN ('due','returned') AND first_submitted_on = '' AND due_date < ? THEN 1 ELSE 0 END), 0) "
                               "FROM report WHERE org_id = ? AND substr(due_date, 1, 4) = ?");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, today);
    db_bind_i64(s, 2, c->id);
    db_bind_text(s, 3, y);
    int rc = db_step(s);
    if (rc == DB_ROW) total = db_col_i64(s, 0), late = db_col_i64(s, 1), overdue = db_col_i64(s, 2);
    db_done(s);
    if (rc == CX_ERR) return CX_ERR;
    out->pass = !late && !overdue;
    snprintf(out->evidence, sizeof out->evidence, "%d 年度应报汇报 %" PRId64 " 份，迟报 %" PRId64 " 份，逾期未报 %" PRId64 " 份", k->year, total, late, overdue);
    return CX_OK;
}

/* attendance_min X (members): present over expected at the year's held meetings ≥ X ‰. */
static int rule_attendance_min(db *d, const award_kind *k, const cand *c, const char *param, rule_result *out)
{
    int need = 0;
    if (!award_attendance_param(param, &need)) return snprintf(out->evidence, sizeof out->evidence, "参数无效"), CX_OK;
    char from[11], to[11], text[24];
    snprintf(from, sizeof from, "%04d-01-01", k->year);
    snprintf(to, sizeof to, "%04d-12-31", k->year);
    attend_rate r;
    if (meeting_member_rate(d, c->id, from, to, &r) != CX_OK) return CX_ERR;
    int64_t v = attend_rate_permille(r.present, r.expected, text);
    out->pass = v >= need;
    if (v < 0) snprintf(out->evidence, sizeof out->evidence, "%d 年度没有应参加的组织生活（要求出席率 ≥ %d.%d%%）", k->year, need / 10, need % 10);
    else
        snprintf(out->evidence, sizeof out->evidence, "%d 年度应参加 %" PRId64 " 次，出席 %" PRId64 " 次，出席率 %s（要求 ≥ %d.%d%%）", k->year, r.expected,
                 r.present, text, need / 10, need % 10);
    return CX_OK;
}

typedef int (*rule_fn)(db *d, const award_kind *k, const cand *c, const char *param, rule_result *out);
static const rule_fn rule_fns[AR_COUNT] = {
    [AR_GRADE_EXCELLENT] = rule_grade_excellent, [AR_NO_PLEDGE_MISS] = rule_no_pledge_miss, [AR_SATISFACTION_MIN] = rule_satisfaction_min,
    [AR_NO_OPEN_RECT] = rule_no_open_rect,       [AR_REPORTS_ON_TIME] = rule_reports_on_time, [AR_ATTENDANCE_MIN] = rule_attendance_min,
};

typedef struct rules_buf {
    award_rule_row r[AR_COUNT];
    int n;
} rules_buf;
static int take_rule(void *ctx, const award_rule_row *r)
{
    rules_buf *b = ctx;
    if (b->n < AR_COUNT && r->rule < AR_COUNT) b->r[b->n++] = *r;
    return 0;
}

static int evaluate(db *d, const award_kind *k, const rules_buf *rb, const cand *c, rule_result out[AR_COUNT])
{
    for (int i = 0; i < rb->n; i++) {
        memset(&out[i], 0, sizeof out[i]);
        out[i].rule = rb->r[i].rule;
        snprintf(out[i].param, sizeof out[i].param, "%s", rb->r[i].param);
        if (rule_fns[rb->r[i].rule](d, k, c, rb->r[i].param, &out[i]) != CX_OK) return CX_ERR;
    }
    return rb->n;
}

/* The candidate subject_id of kind k: 1 found inside k's scope (members: active, in the subtree;
 * organisations: active, strictly below the office), 0 not, CX_ERR. */
static int cand_get(db *d, const award_kind *k, int64_t subject_id, cand *c)
{
    memset(c, 0, sizeof *c);
    db_stmt *s = db_prepare(d, k->subject == AWS_MEMBER
        ? "SELECT m.id, m.name, o.id, o.path FROM member m JOIN org o ON o.id = m.org_id WHERE m.id = ? AND m.active = 1"
        : "SELECT o.id, o.name, o.id, o.path FROM org o WHERE o.id = ? AND o.active = 1");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, subject_id);
    int rc = db_step(s);
    if (rc == DB_ROW) {
        c->subject = k->subject;
        c->id = db_col_i64(s, 0);
        copy_col(c->name, sizeof c->name, s, 1);
        c->org_id = db_col_i64(s, 2);
        copy_col(c->path, sizeof c->path, s, 3);
    }
    db_done(s);
    if (rc == CX_ERR) return CX_ERR;
    if (rc != DB_ROW || !path_in_subtree(c->path, k->org_path)) return 0;
    if (k->subject == AWS_ORG && c->id == k->org_id) return 0;
    return 1;
}

int award_evaluate(db *d, const award_kind *k, int64_t subject_id, rule_result out[AR_COUNT])
{
    rules_buf rb = {0};
    if (award_rules(d, k->id, take_rule, &rb) != CX_OK) return CX_ERR;
    cand c;
    int f = cand_get(d, k, subject_id, &c);
    if (f != 1) return f == CX_ERR ? CX_ERR : 0;
    return evaluate(d, k, &rb, &c, out);
}

/* How many candidates in k's scope meet every rule now. */
static int count_eligible(db *d, const award_kind *k, int64_t *n)
{
    *n = 0;
    rules_buf rb = {0};
    if (award_rules(d, k->id, take_rule, &rb) != CX_OK) return CX_ERR;
    char end[CX_PATH_MAX];
    orgpath_end(k->org_path, end, sizeof end);
    db_stmt *s = db_prepare(d, k->subject == AWS_MEMBER
        ? "SELECT m.id FROM member m JOIN org o ON o.id = m.org_id WHERE m.active = 1 AND o.path >= ? AND o.path < ? ORDER BY m.id"
        : "SELECT o.id FROM org o WHERE o.active = 1 AND o.path > ? AND o.path < ? ORDER BY o.id");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, k->org_path);
    db_bind_text(s, 2, end);
    int64_t *ids = NULL;
    int nids = 0, cap = 0, rc;
    while ((rc = db_step(s)) == DB_ROW) {
        if (nids == cap) cap = cap ? 2 * cap : 64, ids = xrealloc(ids, (size_t)cap * sizeof *ids);
        ids[nids++] = db_col_i64(s, 0);
    }
    db_done(s);
    if (rc == CX_ERR) return free(ids), CX_ERR;
    for (int i = 0; i < nids; i++) {
        cand c;
        int f = cand_get(d, k, ids[i], &c);
        if (f == CX_ERR) return free(ids), CX_ERR;
        if (f == 0) continue;
        rule_result out[AR_COUNT];
        int m = evaluate(d, k, &rb, &c, out);
        if (m == CX_ERR) return free(ids), CX_ERR;
        bool all = true;
        for (int j = 0; j < m; j++) all = all && out[j].pass;
        if (all) (*n)++;
    }
    free(ids);
    return CX_OK;
}

static int set_status(db *d, const actor *a, const award_kind *k, award_status to, const char *action, const char *extra, cx_err *e)
{
    if (db_run(d, "UPDATE award_kind SET status = ?, row_version = row_version + 1, updated_at = ? WHERE id = ?", "sii", award_status_name(to),
               now_unix(), k->id) != CX_OK)
        return db_fail(d, e);
    char *before = xasprintf("{\"status\":\"%s\"}", award_status_name(k->status));
    char *after = xasprintf("{\"status\":\"%s\"%s}", award_status_name(to), extra ? extra : "");
    return store_finish(d, a, action, "award", k->id, k->org_id, before, after, CX_OK, e);
}

int award_open(db *d, const actor *a, int64_t id, cx_err *e)
{
    award_kind k;
    if (begin_at(d, id, AK_DRAFT, "not_draft", "只有筹备中的评选可以开始推荐", &k, e) != CX_OK) return CX_ERR;
    int64_t eligible = -1;
    if (k.share && count_eligible(d, &k, &eligible) != CX_OK) return db_fail(d, e);
    int qn = award_quota_n(k.share, k.quota, eligible);
    if (k.share && qn == 0) {
        cx_fail(e, 409, "none_eligible", "quota", "范围内目前没有符合全部评选条件的%s，按比例计算名额为 0，不能开始推荐", award_subject_label(k.subject));
        return refuse(d);
    }
    int64_t allocated = 0;
    if (db_i64(d, &allocated, 0, "SELECT coalesce(sum(places), 0) FROM award_alloc WHERE kind_id = ?", "i", id) != CX_OK) return db_fail(d, e);
    if (allocated > qn) {
        cx_fail(e, 409, "over_allocated", "places", "各组织分配的名额合计 %" PRId64 " 名，超过本次名额 %d 名（符合条件者 %" PRId64 " 个）", allocated, qn, eligible);
        return refuse(d);
    }
    if (db_run(d, "UPDATE award_kind SET quota_n = ?, eligible_n = ? WHERE id = ?", "iii", (int64_t)qn, eligible, id) != CX_OK) return db_fail(d, e);
    char extra[96];
    snprintf(extra, sizeof extra, ",\"quota_n\":%d,\"eligible_n\":%" PRId64, qn, eligible);
    return set_status(d, a, &k, AK_OPEN, "open", extra, e);
}

int award_close(db *d, const actor *a, int64_t id, cx_err *e)
{
    award_kind k;
    if (begin_at(d, id, AK_OPEN, "not_open", "只有推荐中的评选可以结束推荐", &k, e) != CX_OK) return CX_ERR;
    return set_status(d, a, &k, AK_CLOSED, "close", NULL, e);
}

int award_finish(db *d, const actor *a, int64_t id, cx_err *e)
{
    award_kind k;
    if (begin_at(d, id, AK_CLOSED, "not_closed", "只有评审中的评选可以办结", &k, e) != CX_OK) return CX_ERR;
    int64_t left = 0;
    if (db_i64(d, &left, 0, "SELECT count(*) FROM award_nomination WHERE kind_id = ? AND status = 'nominated'", "i", id) != CX_OK) return db_fail(d, e);
    if (left) {
        cx_fail(e, 409, "unvoted", "status", "还有 %" PRId64 " 个推荐对象未表决，不能办结", left);
        return refuse(d);
    }
    return set_status(d, a, &k, AK_DONE, "finish", NULL, e);
}

/* ---- nominations ---- */

#define NOM_COLS                                                                                                              \
    "n.id, n.kind_id, n.subject_id, n.org_id, n.nominator_org_id, n.approved_at, n.revoked_at, n.created_at, n.vote_for, "     \
    "n.vote_against, n.vote_abstain, n.vote_entitled, n.subject_kind, n.status, n.subject_name, o.name, n.org_path, no.name, "   \
    "n.reason, n.vote_date, n.vote_note, n.approved_by_name, n.revoke_reason, n.created_by_name, n.evidence"
#define NOM_FROM " FROM award_nomination n JOIN org o ON o.id = n.org_id JOIN org no ON no.id = n.nominator_org_id"

static void read_nom(db_stmt *s, void *out)
{
    nomination *n = out;
    int64_t *v[] = {&n->id, &n->kind_id, &n->subject_id, &n->org_id, &n->nominator_org_id, &n->approved_at, &n->revoked_at, &n->created_at};
    for (int i = 0; i < 8; i++) *v[i] = db_col_i64(s, i);
    int *w[] = {&n->vote_for, &n->vote_against, &n->vote_abstain, &n->vote_entitled};
    for (int i = 0; i < 4; i++) *w[i] = (int)db_col_i64(s, 8 + i);
    int sj = award_subject_from_name(db_col_text(s, 12)), st = nomination_status_from_name(db_col_text(s, 13));
    n->subject = sj < 0 ? AWS_MEMBER : (award_subject)sj;
    n->status = st < 0 ? AN_NOMINATED : (nomination_status)st;
    copy_col(n->subject_name, sizeof n->subject_name, s, 14);
    copy_col(n->org_name, sizeof n->org_name, s, 15);
    copy_col(n->org_path, sizeof n->org_path, s, 16);
    copy_col(n->nominator_name, sizeof n->nominator_name, s, 17);
    copy_col(n->reason, sizeof n->reason, s, 18);
    copy_col(n->vote_date, sizeof n->vote_date, s, 19);
    copy_col(n->vote_note, sizeof n->vote_note, s, 20);
    copy_col(n->approved_by_name, sizeof n->approved_by_name, s, 21);
    copy_col(n->revoke_reason, sizeof n->revoke_reason, s, 22);
    copy_col(n->created_by_name, sizeof n->created_by_name, s, 23);
    free(n->evidence);
    n->evidence = xstrdup(db_col_text(s, 24));
}

void nomination_free(nomination *n)
{
    free(n->evidence);
    n->evidence = NULL;
}

int nomination_get(db *d, int64_t id, nomination *n)
{
    return row_by_id(d, "SELECT " NOM_COLS NOM_FROM " WHERE n.id = ?", id, read_nom, n, sizeof *n);
}

int award_nominations(db *d, int64_t id, int (*fn)(void *ctx, const nomination *n), void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT " NOM_COLS NOM_FROM " WHERE n.kind_id = ? ORDER BY n.id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    nomination n = {0};
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        read_nom(s, &n);
        if (fn(ctx, &n)) break;
    }
    db_done(s);
    nomination_free(&n);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

static char *evidence_json(const rule_result *r, int n)
{
    cJSON *j = cJSON_CreateArray();
    for (int i = 0; i < n; i++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "rule", award_rule_name(r[i].rule));
        cJSON_AddStringToObject(x, "label", award_rule_label(r[i].rule));
        cJSON_AddStringToObject(x, "param", r[i].param);
        cJSON_AddBoolToObject(x, "pass", r[i].pass);
        cJSON_AddStringToObject(x, "evidence", r[i].evidence);
        cJSON_AddItemToArray(j, x);
    }
    return json_take(j);
}

int award_nominate(db *d, const actor *a, int64_t id, const org *nominator, int64_t subject_id, const char *reason, int64_t *nid, cx_err *e)
{
    text_rule rr = {"reason", "推荐理由", 1, AWARD_REASON_MAX, false};
    char why[4 * AWARD_REASON_MAX + 1];
    if (text_check(&rr, reason, why, sizeof why, e) != CX_OK) return CX_ERR;
    award_kind k;
    if (begin_at(d, id, AK_OPEN, "not_open", "只有推荐中的评选可以推荐", &k, e) != CX_OK) return CX_ERR;
    cand c;
    int f = subject_id > 0 ? cand_get(d, &k, subject_id, &c) : 0;
    if (f == CX_ERR) return db_fail(d, e);
    if (f == 0 || !path_in_subtree(nominator->path, k.org_path) || !path_in_subtree(c.path, nominator->path)) {
        cx_fail(e, 422, "invalid_candidate", "subject_id", "编号 %" PRId64 " 不是%s可以推荐的在册%s（须在推荐组织及本项评选的范围内）", subject_id,
                nominator->name, award_subject_label(k.subject));
        return refuse(d);
    }
    int64_t had = 0;
    if (db_i64(d, &had, 0, "SELECT count(*) FROM award_nomination WHERE kind_id = ? AND subject_kind = ? AND subject_id = ? AND status <> 'withdrawn'",
               "isi", id, award_subject_name(k.subject), c.id) != CX_OK)
        return db_fail(d, e);
    if (had) {
        cx_fail(e, 409, "already_nominated", "subject_id", "“%s”已被推荐参加本项评选", c.name);
        return refuse(d);
    }
    if (k.nlive >= k.quota_n) {
        cx_fail(e, 409, "quota_full", "subject_id", "本项评选名额 %d 名已满（已推荐 %d 名），不能再推荐", k.quota_n, k.nlive);
        return refuse(d);
    }
    /* an organisation's allocated places, when one covers the candidate */
    db_stmt *s = db_prepare(d, ALLOC_SQL " AND substr(?, 1, length(a.org_path)) = a.org_path ORDER BY length(a.org_path) DESC");
    if (!s) return db_fail(d, e);
    db_bind_i64(s, 1, id);
    db_bind_text(s, 2, c.path);
    award_alloc full = {0};
    int rc0;
    while ((rc0 = db_step(s)) == DB_ROW && !full.org_id) {
        award_alloc x;
        read_alloc(s, &x);
        if (x.used >= x.places) full = x;
    }
    db_done(s);
    if (rc0 == CX_ERR) return db_fail(d, e);
    if (full.org_id) {
        cx_fail(e, 409, "org_quota_full", "subject_id", "分配给%s的名额 %d 名已满，不能再推荐该组织范围内的%s", full.org_name, full.places,
                award_subject_label(k.subject));
        return refuse(d);
    }
    rules_buf rb = {0};
    if (award_rules(d, id, take_rule, &rb) != CX_OK) return db_fail(d, e);
    rule_result res[AR_COUNT];
    int nr = evaluate(d, &k, &rb, &c, res);
    if (nr == CX_ERR) return db_fail(d, e);
    for (int i = 0; i < nr; i++)
        if (!res[i].pass) {
            cx_fail(e, 422, "not_eligible", "subject_id", "“%s”不符合评选条件“%s”（%s）：%s", c.name, award_rule_label(res[i].rule),
                    award_rule_name(res[i].rule), res[i].evidence);
            return refuse(d);
        }
    char *ev = evidence_json(res, nr);
    int64_t now = now_unix(), newid = 0;
    int rc = db_i64(d, &newid, 0, "INSERT INTO award_nomination (kind_id, subject_kind, subject_id, subject_name, org_id, org_path, nominator_org_id, "
                                  "reason, evidence, created_by, created_by_name, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
                    "isisisissisii", id, award_subject_name(k.subject), c.id, c.name, c.org_id, c.path, nominator->id, why, ev,
                    a ? a->user_id : 0, actor_shown(a), now, now);
    if (rc != CX_OK || touch(d, id) != CX_OK) return free(ev), db_fail(d, e);
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "nomination_id", newid);
    cJSON_AddStringToObject(j, "subject_kind", award_subject_name(k.subject));
    json_add_i64(j, "subject_id", c.id);
    json_add_i64(j, "nominator_org_id", nominator->id);
    cJSON_AddStringToObject(j, "reason", why);
    cJSON_AddItemToObject(j, "evidence", cJSON_Parse(ev));
    free(ev);
    if (store_finish(d, a, "nominate", "award", id, k.org_id, NULL, json_take(j), CX_OK, e) != CX_OK) return CX_ERR;
    if (nid) *nid = newid;
    return CX_OK;
}

/* Begins a write, locks the row of nomination nid's kind (so that a withdrawal, a vote or an
 * approval and the kind's closing or finishing happen one after the other) and the nomination's,
 * and reads both: CX_OK, or rolled back with e (404). */
static int begin_nom(db *d, int64_t nid, nomination *n, award_kind *k, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    int64_t got = 0;
    if (db_run(d, "UPDATE award_kind SET row_version = row_version WHERE id = (SELECT kind_id FROM award_nomination WHERE id = ?)", "i", nid) != CX_OK)
        return db_fail(d, e);
    if (db_i64(d, &got, 0, "UPDATE award_nomination SET row_version = row_version WHERE id = ? RETURNING id", "i", nid) != CX_OK) return db_fail(d, e);
    int f = got ? nomination_get(d, nid, n) : 0;
    if (f == 1) f = award_get(d, n->kind_id, k);
    if (f == CX_ERR) return nomination_free(n), db_fail(d, e);
    if (f == 0) {
        nomination_free(n);
        cx_fail(e, 404, "not_found", "id", "推荐不存在");
        return refuse(d);
    }
    return CX_OK;
}

static int nom_refuse(db *d, nomination *n) { return nomination_free(n), refuse(d); }

static int nom_finish(db *d, const actor *a, nomination *n, const award_kind *k, const char *action, const char *before, char *after, cx_err *e)
{
    char *b = xasprintf("{\"status\":\"%s\"%s}", nomination_status_name(n->status), before ? before : "");
    int64_t id = n->id;
    nomination_free(n);
    return store_finish(d, a, action, "award_nomination", id, k->org_id, b, after, CX_OK, e);
}

int nomination_withdraw(db *d, const actor *a, int64_t nid, cx_err *e)
{
    nomination n;
    award_kind k;
    if (begin_nom(d, nid, &n, &k, e) != CX_OK) return CX_ERR;
    if (k.status != AK_OPEN) {
        cx_fail(e, 409, "not_open", "status", "推荐已结束，不能撤回（当前状态：%s）", award_status_label(k.status));
        return nom_refuse(d, &n);
    }
    if (n.status != AN_NOMINATED) {
        cx_fail(e, 409, "not_nominated", "status", "该推荐已%s，不能撤回", nomination_status_label(n.status));
        return nom_refuse(d, &n);
    }
    if (db_run(d, "UPDATE award_nomination SET status = 'withdrawn', row_version = row_version + 1, updated_at = ? WHERE id = ?", "ii", now_unix(),
               nid) != CX_OK ||
        touch(d, k.id) != CX_OK)
        return nomination_free(&n), db_fail(d, e);
    return nom_finish(d, a, &n, &k, "withdraw", NULL, xasprintf("{\"status\":\"withdrawn\"}"), e);
}

int nomination_vote(db *d, const actor *a, int64_t nid, const vote_ok *v, cx_err *e)
{
    nomination n;
    award_kind k;
    if (begin_nom(d, nid, &n, &k, e) != CX_OK) return CX_ERR;
    if (k.status != AK_CLOSED) {
        cx_fail(e, 409, "not_closed", "status", "推荐结束后才能表决（当前状态：%s）", award_status_label(k.status));
        return nom_refuse(d, &n);
    }
    if (n.status != AN_NOMINATED) {
        cx_fail(e, 409, "already_voted", "status", "该推荐已%s，不能再表决", nomination_status_label(n.status));
        return nom_refuse(d, &n);
    }
    bool passed = award_vote_passed(v->yes, v->entitled);
    const char *to = nomination_status_name(passed ? AN_PASSED : AN_REJECTED);
    if (db_run(d, "UPDATE award_nomination SET status = ?, vote_for = ?, vote_against = ?, vote_abstain = ?, vote_entitled = ?, vote_date = ?, "
                  "vote_note = ?, row_version = row_version + 1, updated_at = ? WHERE id = ?",
               "siiiissii", to, (int64_t)v->yes, (int64_t)v->no, (int64_t)v->abstain, (int64_t)v->entitled, v->date, v->note, now_unix(), nid) != CX_OK)
        return nomination_free(&n), db_fail(d, e);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "status", to);
    json_add_i64(j, "for", v->yes);
    json_add_i64(j, "against", v->no);
    json_add_i64(j, "abstain", v->abstain);
    json_add_i64(j, "entitled", v->entitled);
    cJSON_AddStringToObject(j, "date", v->date);
    cJSON_AddStringToObject(j, "note", v->note);
    return nom_finish(d, a, &n, &k, "vote", NULL, json_take(j), e);
}

/* ---- 公示 (public notice) of the passed nominations ---- */

/* The first max characters of src (UTF-8) into a malloc'd string, "…" added when cut. */
static char *cut_chars(const char *src, int max)
{
    const char *p = src;
    int n = 0;
    while (*p && n < max) {
        p++;
        while ((*p & 0xC0) == 0x80) p++;
        n++;
    }
    return *p ? xasprintf("%.*s…", (int)(p - src), src) : xstrdup(src);
}

int award_notice(db *d, const actor *a, int64_t id, const char *start, int workdays, int64_t *notice_id, cx_err *e)
{
    award_kind k;
    if (begin_at(d, id, AK_CLOSED, "not_closed", "推荐结束并表决后才能公示", &k, e) != CX_OK) return CX_ERR;
    db_stmt *s = db_prepare(d, "SELECT n.id, n.subject_kind, n.subject_id, n.reason FROM award_nomination n WHERE n.kind_id = ? AND n.status = 'passed' "
                               "AND NOT EXISTS (SELECT 1 FROM notice_item i WHERE i.source = 'award' AND i.ref_id = n.id) ORDER BY n.id");
    if (!s) return db_fail(d, e);
    db_bind_i64(s, 1, id);
    notice_item_in items[NOTICE_ITEMS_MAX];
    char *reasons[NOTICE_ITEMS_MAX], called[4 * AWARD_NAME_MAX + 16];
    snprintf(called, sizeof called, "%d年度%s", k.year, k.name);
    int n = 0, rc = DB_DONE;
    while (n < NOTICE_ITEMS_MAX && (rc = db_step(s)) == DB_ROW) {
        reasons[n] = cut_chars(db_col_text(s, 3), NOTICE_REASON_MAX - 1);
        items[n] = (notice_item_in){!strcmp(db_col_text(s, 1), "org") ? "org" : "member", db_col_i64(s, 2), called, reasons[n], "award", db_col_i64(s, 0)};
        n++;
    }
    if (n < NOTICE_ITEMS_MAX && rc == CX_ERR) {
        db_done(s);
        for (int i = 0; i < n; i++) free(reasons[i]);
        return db_fail(d, e);
    }
    db_done(s);
    int out = CX_OK;
    if (n == 0) {
        cx_fail(e, 409, "nothing_to_notice", "status", "没有待公示的推荐对象：表决通过且尚未公示的才能公示");
        out = refuse(d);
    } else {
        char title[4 * NOTICE_TITLE_MAX + 1];
        snprintf(title, sizeof title, "%d年度%s拟表彰对象公示", k.year, k.name);
        char *body = xasprintf("经组织推荐、资格审核和%s表决，拟授予以下 %d 名%s“%s”称号，现予公示。公示期间，对公示对象有异议的，"
                               "请在本页实名提出（须验证手机号），或与公示单位联系。异议人信息仅公示单位和纪检部门可见。",
                               k.org_name, n, award_subject_label(k.subject), called);
        if (notice_open_from_tx(d, a, k.org_id, start, title, body, NULL, workdays, n, items, notice_id, e) != CX_OK) out = refuse(d);
        else
            out = store_finish(d, a, "notice", "award", k.id, k.org_id, NULL,
                               xasprintf("{\"notice_id\":%" PRId64 ",\"items\":%d}", *notice_id, n), CX_OK, e);
        free(body);
    }
    for (int i = 0; i < n; i++) free(reasons[i]);
    return out;
}

int nomination_notice_get(db *d, int64_t nid, nomination_notice *out, cx_err *e)
{
    return notice_ref_get(d, "award", nid, &out->state, &out->notice_id, out->end_date, e);
}

int award_approvable(db *d, const nomination *n, cx_err *e)
{
    award_kind k;
    int f = award_get(d, n->kind_id, &k);
    if (f != 1) return f == CX_ERR ? cx_fail(e, 500, "db_error", "", "数据库错误") : cx_fail(e, 404, "not_found", "id", "评选表彰不存在");
    if (k.status != AK_CLOSED && k.status != AK_DONE)
        return cx_fail(e, 409, "not_closed", "status", "推荐结束并表决后才能批准（当前状态：%s）", award_status_label(k.status));
    if (n->status != AN_PASSED)
        return cx_fail(e, 409, "not_passed", "status", "只有表决通过的推荐可以批准（当前：%s）", nomination_status_label(n->status));
    /* the subject stopped, transferred out of the office's area or deactivated since the vote */
    cand c;
    f = cand_get(d, &k, n->subject_id, &c);
    if (f == CX_ERR) return cx_fail(e, 500, "db_error", "", "数据库错误");
    if (f == 0)
        return cx_fail(e, 409, "subject_inactive", "status", "%s已不在本单位及下级在册（停止、转出或撤销），不能批准表彰", n->subject_name);
    nomination_notice nn;
    if (nomination_notice_get(d, n->id, &nn, e) != CX_OK) return CX_ERR;
    switch (nn.state) {
    case NRS_NONE: return cx_fail(e, 409, "not_noticed", "status", "须先经公示：公示期满且没有未办结的异议，才能批准");
    case NRS_PENDING:
        return cx_fail(e, 409, "notice_pending", "status", "公示期至 %s，期满且异议均已办结后才能批准（见公示 /notices/%" PRId64 "）", nn.end_date, nn.notice_id);
    case NRS_HELD: return cx_fail(e, 409, "objection_held", "status", "公示期间的异议正在核查，暂缓批准（见公示 /notices/%" PRId64 "）", nn.notice_id);
    case NRS_UPHELD: return cx_fail(e, 409, "objection_upheld", "status", "公示期间的异议经核查属实，不予批准（见公示 /notices/%" PRId64 "）", nn.notice_id);
    default: return CX_OK;
    }
}

int nomination_approve(db *d, const actor *a, int64_t nid, cx_err *e)
{
    nomination n;
    award_kind k;
    if (begin_nom(d, nid, &n, &k, e) != CX_OK) return CX_ERR;
    /* the notice's lock, the one an objection takes: an objection accepted just before the period
     * ended and not yet committed is waited for, and then counted */
    int64_t notice_id = 0;
    if (db_i64(d, &notice_id, 0, "SELECT notice_id FROM notice_item WHERE source = 'award' AND ref_id = ? ORDER BY id DESC LIMIT 1", "i", nid) != CX_OK ||
        (notice_id && db_lock(d, "notice", notice_id) != CX_OK))
        return nomination_free(&n), db_fail(d, e);
    /* the subject's row, so that a deactivation or a transfer under way is waited for and seen */
    if (db_run(d, n.subject == AWS_MEMBER ? "UPDATE member SET active = active WHERE id = ?" : "UPDATE org SET active = active WHERE id = ?", "i",
               n.subject_id) != CX_OK)
        return nomination_free(&n), db_fail(d, e);
    if (award_approvable(d, &n, e) != CX_OK) return e->status >= 500 ? (nomination_free(&n), db_fail(d, e)) : nom_refuse(d, &n);
    int64_t now = now_unix();
    char today[11];
    date_today(today);
    if (db_run(d, "UPDATE award_nomination SET status = 'awarded', approved_at = ?, approved_on = ?, approved_by_name = ?, row_version = row_version + 1, "
                  "updated_at = ? WHERE id = ?",
               "issii", now, today, actor_shown(a), now, nid) != CX_OK)
        return nomination_free(&n), db_fail(d, e);
    return nom_finish(d, a, &n, &k, "approve", NULL, xasprintf("{\"status\":\"awarded\",\"approved_at\":%" PRId64 "}", now), e);
}

int nomination_revoke(db *d, const actor *a, int64_t nid, const char *reason, cx_err *e)
{
    text_rule rr = {"reason", "撤销理由", 1, AWARD_REASON_MAX, false};
    char why[4 * AWARD_REASON_MAX + 1];
    if (text_check(&rr, reason, why, sizeof why, e) != CX_OK) return CX_ERR;
    nomination n;
    award_kind k;
    if (begin_nom(d, nid, &n, &k, e) != CX_OK) return CX_ERR;
    if (n.status != AN_AWARDED) {
        cx_fail(e, 409, "not_awarded", "status", "只有已批准的表彰可以撤销（当前：%s）", nomination_status_label(n.status));
        return nom_refuse(d, &n);
    }
    int64_t now = now_unix();
    if (db_run(d, "UPDATE award_nomination SET status = 'revoked', revoked_at = ?, revoke_reason = ?, row_version = row_version + 1, updated_at = ? "
                  "WHERE id = ?",
               "isii", now, why, now, nid) != CX_OK)
        return nomination_free(&n), db_fail(d, e);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "status", "revoked");
    cJSON_AddStringToObject(j, "reason", why);
    return nom_finish(d, a, &n, &k, "revoke", NULL, json_take(j), e);
}

/* ---- honours ---- */

#define HONOUR_SQL                                                                                                            \
    "SELECT n.id, n.kind_id, n.subject_id, n.approved_at, n.revoked_at, k.year, n.subject_kind, n.status, k.name, o.name, "   \
    "n.subject_name, n.revoke_reason FROM award_nomination n JOIN award_kind k ON k.id = n.kind_id JOIN org o ON o.id = k.org_id "

static void read_honour(db_stmt *s, void *out)
{
    honour *h = out;
    h->nomination_id = db_col_i64(s, 0);
    h->kind_id = db_col_i64(s, 1);
    h->subject_id = db_col_i64(s, 2);
    h->approved_at = db_col_i64(s, 3);
    h->revoked_at = db_col_i64(s, 4);
    h->year = (int)db_col_i64(s, 5);
    h->subject = !strcmp(db_col_text(s, 6), "org") ? AWS_ORG : AWS_MEMBER;
    h->revoked = !strcmp(db_col_text(s, 7), "revoked");
    copy_col(h->name, sizeof h->name, s, 8);
    copy_col(h->office, sizeof h->office, s, 9);
    copy_col(h->subject_name, sizeof h->subject_name, s, 10);
    copy_col(h->revoke_reason, sizeof h->revoke_reason, s, 11);
}

int award_honours(db *d, award_subject sj, int64_t subject_id, bool revoked, int (*fn)(void *ctx, const honour *h), void *ctx)
{
    db_stmt *s = db_prepare(d, revoked ? HONOUR_SQL "WHERE n.subject_kind = ? AND n.subject_id = ? AND n.status IN ('awarded','revoked') "
                                                    "ORDER BY k.year DESC, n.approved_at DESC, n.id DESC LIMIT 100"
                                       : HONOUR_SQL "WHERE n.subject_kind = ? AND n.subject_id = ? AND n.status = 'awarded' "
                                                    "ORDER BY k.year DESC, n.approved_at DESC, n.id DESC LIMIT 100");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, award_subject_name(sj));
    db_bind_i64(s, 2, subject_id);
    return DB_EACH(s, honour, read_honour, fn, ctx);
}

int award_board_honours(db *d, int64_t org_id, int (*fn)(void *ctx, const honour *h), void *ctx)
{
    db_stmt *s = db_prepare(d, HONOUR_SQL "WHERE n.status = 'awarded' AND ((n.subject_kind = 'org' AND n.subject_id = ?) OR "
                                          "(n.subject_kind = 'member' AND n.org_id = ? AND EXISTS (SELECT 1 FROM member m WHERE m.id = n.subject_id "
                                          "AND m.org_id = ? AND m.active = 1))) ORDER BY k.year DESC, n.subject_kind DESC, n.id LIMIT 200");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, org_id);
    db_bind_i64(s, 2, org_id);
    db_bind_i64(s, 3, org_id);
    return DB_EACH(s, honour, read_honour, fn, ctx);
}

static void read_candidate(db_stmt *s, void *out)
{
    candidate *c = out;
    c->id = db_col_i64(s, 0);
    copy_col(c->name, sizeof c->name, s, 1);
    copy_col(c->org_name, sizeof c->org_name, s, 2);
}

int award_candidates(db *d, const award_kind *k, const char *path, int (*fn)(void *ctx, const candidate *c), void *ctx)
{
    /* the narrower of the two subtrees */
    const char *root = path_in_subtree(path, k->org_path) ? path : k->org_path;
    char end[CX_PATH_MAX];
    orgpath_end(root, end, sizeof end);
    db_stmt *s = db_prepare(d, k->subject == AWS_MEMBER
        ? "SELECT m.id, m.name, o.name FROM member m JOIN org o ON o.id = m.org_id WHERE m.active = 1 AND o.path >= ? AND o.path < ? AND NOT EXISTS "
          "(SELECT 1 FROM award_nomination n WHERE n.kind_id = ? AND n.subject_kind = 'member' AND n.subject_id = m.id AND n.status <> 'withdrawn') "
          "ORDER BY o.path, m.name, m.id LIMIT 300"
        : "SELECT o.id, o.name, o.name FROM org o WHERE o.active = 1 AND o.path >= ? AND o.path < ? AND o.id <> ? AND NOT EXISTS "
          "(SELECT 1 FROM award_nomination n WHERE n.kind_id = ? AND n.subject_kind = 'org' AND n.subject_id = o.id AND n.status <> 'withdrawn') "
          "ORDER BY o.path, o.id LIMIT 300");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, root);
    db_bind_text(s, 2, end);
    if (k->subject == AWS_MEMBER) db_bind_i64(s, 3, k->id);
    else db_bind_i64(s, 3, k->org_id), db_bind_i64(s, 4, k->id);
    return DB_EACH(s, candidate, read_candidate, fn, ctx);
}
