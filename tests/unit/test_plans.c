/* test_plans.c: the hot lists use indexes. Runs the store's own list functions (pledges of a member
 * and of an organisation, members, feedback, rectification, audit), records the SQL text each one
 * prepares (db_trace_set), and asks the database for its plan of that text: no full scan of member,
 * pledge, feedback, rectification or audit_log may appear. SQLite by default; PostgreSQL when
 * CXZY_TEST_DB names one (scripts/test.sh runs both). On PostgreSQL the plan is the generic one
 * (what a cached prepared statement runs) with sequential scans, merge and hash joins off, so a
 * scan of a whole table (or of a whole index, without an Index Cond) shows where no index is usable
 * at all — `(? = 0 OR p.member_id = ?)` is such a place. Also: the public card reads all its
 * pledges' progress in one statement, and org_children_plain its children in one; the to-do desk's
 * counts over a subtree (web/desk.c) read no grade or app_user table whole either, and notifications
 * (store/notify.c) find their recipients by user_role's index and a user's own by notification's. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../src/lib/buf.h"
#include "../../src/store/db.h"
#include "../../src/store/store.h"
#include "../../src/store/pledge.h"
#include "../../src/store/feedback.h"
#include "../../src/store/rect.h"
#include "../../src/store/grade.h"
#include "../../src/store/notify.h"
#include "../../src/store/report.h"
#include "../../src/store/liaison.h"
#include "../../src/store/meeting.h" /* attendance rates on pages, the leaders' standing (issue 18) */
#include "../../src/store/standing.h"
#include <libgen.h>
#include <sys/wait.h>

#define MAX_SQL 64
static struct { char *sql[MAX_SQL]; int n; } seen;

static void trace(void *ctx, const char *sql)
{
    (void)ctx;
    if (seen.n < MAX_SQL && strncmp(sql, "EXPLAIN", 7) && strncmp(sql, "PREPARE", 7)) seen.sql[seen.n++] = strdup(sql);
}

static char dbpath[256], keypath[256];

/* A demo district of 2,000 members (organisations, pledges, feedback, audit), analysed, so the
 * planner has real statistics to work with. */
static db *open_db(void)
{
    const char *url = getenv("CXZY_TEST_DB");
    if (url && *url) snprintf(dbpath, sizeof dbpath, "%s", url);
    else {
        snprintf(dbpath, sizeof dbpath, "/tmp/cxzy-test-plans-%d.db", (int)getpid());
        unlink(dbpath);
    }
    snprintf(keypath, sizeof keypath, "/tmp/cxzy-test-plans-%d.key", (int)getpid());
    unlink(keypath);
    /* the cxzy binary built with this test: build/src/cxzy next to build/tests/unit/test_plans */
    char self[512] = {0}, bin[600];
    assert_true(readlink("/proc/self/exe", self, sizeof self - 1) > 0);
    snprintf(bin, sizeof bin, "%s/../../src/cxzy", dirname(self));
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout)) _exit(127);
        execl(bin, "cxzy", "demo", "--members", "2000", "--db", dbpath, "--key", keypath, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    cx_err e = {0};
    db *d = db_open(dbpath, &e);
    assert_non_null(d);
    /* the demo makes few pledges: one more for every member, so a pledge list has something to skip */
    assert_int_equal(db_exec(d, "INSERT INTO pledge (org_id, member_id, campaign_id, area, title, content, measures, responsible, due_date, "
                                "status, created_at, updated_at) SELECT m.org_id, m.id, (SELECT min(id) FROM campaign), 'study', 't', 'c', "
                                "'m', 'r', '2026-06-30', 'in_progress', 0, 0 FROM member m"),
                     CX_OK);
    /* and a rectification item for every organisation, so the subtree counts have rows to skip */
    assert_int_equal(db_exec(d, "INSERT INTO rectification (org_id, source, problem, measure, owner, due_date, status, created_at, updated_at) "
                                "SELECT id, 'inspection', 'p', 'm', 'o', '2026-06-30', 'open', 0, 0 FROM org"),
                     CX_OK);
    assert_int_equal(db_exec(d, "ANALYZE"), CX_OK);
    return d;
}

static int no_pledge(void *c, const pledge *p) { (void)c, (void)p; return 0; }
static int no_member(void *c, const member *m) { (void)c, (void)m; return 0; }
static int no_feedback(void *c, const feedback *f) { (void)c, (void)f; return 0; }
static int no_rect(void *c, const rect *r) { (void)c, (void)r; return 0; }
static int no_report(void *c, const report *r) { (void)c, (void)r; return 0; }
static int no_progress(void *c, int64_t pledge_id, const progress_entry *pe) { (void)c, (void)pledge_id, (void)pe; return 0; }
static int count_child(void *c, const org *o, int64_t nc, int64_t nm) { (void)o, (void)nc, (void)nm; return ++*(int *)c, 0; }
static int no_audit(void *c, const audit_row *a) { (void)c, (void)a; return 0; }

/* The tables that must not be read whole, under their names and the aliases the store uses. */
static const char *const big[] = {"member", "m", "pledge", "p", "feedback", "f", "rectification", "r", "audit_log", "a",
                                  "grade", "g", "app_user", "u", "notification", "n", "user_role", "ur", "report", "r",
                                  /* the leaders' standing (issue 18): its roll-up and what a leader's change reads */
                                  "leader_standing", "s", "liaison_point", "p", "liaison_visit", "v", "meeting", "x"};

/* SQLite: "SCAN <table or alias>" (without USING) reads the whole table. */
static void check_sqlite(db *d, const char *sql, buf *why)
{
    char *q = xasprintf("EXPLAIN QUERY PLAN %s", sql);
    db_stmt *s = db_prepare(d, q);
    assert_non_null(s);
    while (db_step(s) == DB_ROW) {
        const char *detail = db_col_text(s, 3);
        if (getenv("PLANS_DEBUG")) fprintf(stderr, "%s\n", detail);
        if (strncmp(detail, "SCAN ", 5)) continue;
        for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) {
            size_t n = strlen(big[i]);
            const char *t = detail + 5;
            if (!strncmp(t, big[i], n) && (t[n] == 0 || t[n] == ' ') && !strstr(t, "USING"))
                buf_printf(why, "\n  %s\n    -> %s", sql, detail);
        }
    }
    db_done(s);
    free(q);
}

/* Whether a PostgreSQL plan node reads one of the big tables whole: a Seq Scan on it, or an Index
 * (Only) Scan on it without an Index Cond (walking a whole index, filtering every row). */
static bool pg_full_scan(const char *node, const char *details)
{
    const char *on = strstr(node, " on ");
    if (!on) return false;
    on += 4;
    bool listed = false;
    for (size_t i = 0; i < sizeof big / sizeof big[0]; i += 2) {
        size_t k = strlen(big[i]);
        if (!strncmp(on, big[i], k) && (on[k] == 0 || on[k] == ' ')) listed = true;
    }
    if (!listed) return false;
    if (strstr(node, "Seq Scan on ")) return true;
    return (strstr(node, "Index Scan") || strstr(node, "Index Only Scan")) && !strstr(details, "Index Cond:");
}

/* PostgreSQL: the generic plan with sequential scans off, so an index is used wherever one fits. */
static void check_pg(db *d, const char *sql, buf *why)
{
    buf b, args, node, details;
    buf_init(&b), buf_init(&args), buf_init(&node), buf_init(&details);
    buf_printf(&b, "PREPARE plan_q AS ");
    int n = 0;
    for (const char *p = sql; *p; p++) {
        if (*p == '?') buf_printf(&b, "$%d", ++n), buf_printf(&args, n > 1 ? ",NULL" : "NULL");
        else buf_addc(&b, *p);
    }
    assert_int_equal(db_exec(d, "SET plan_cache_mode = force_generic_plan; SET enable_seqscan = off; "
                                 "SET enable_mergejoin = off; SET enable_hashjoin = off; DEALLOCATE ALL"), CX_OK);
    assert_int_equal(db_exec(d, b.p), CX_OK);
    char *q = xasprintf("EXPLAIN EXECUTE plan_q%s%s%s", n ? "(" : "", n ? args.p : "", n ? ")" : "");
    db_stmt *s = db_prepare(d, q);
    assert_non_null(s);
    for (;;) {
        int rc = db_step(s);
        const char *line = rc == DB_ROW ? db_col_text(s, 0) : "";
        if (getenv("PLANS_DEBUG")) fprintf(stderr, "%s\n", line);
        if (rc != DB_ROW || strstr(line, "->")) { /* a new node: judge the one before */
            if (node.len && pg_full_scan(node.p, details.len ? details.p : "")) buf_printf(why, "\n  %s\n    -> %s", sql, node.p);
            buf_reset(&node), buf_reset(&details);
            if (rc != DB_ROW) break;
            buf_printf(&node, "%s", line);
        } else buf_printf(&details, "%s\n", line);
    }
    db_done(s);
    free(q);
    buf_free(&b), buf_free(&args), buf_free(&node), buf_free(&details);
}

static int no_notification(void *ctx, const notification *x)
{
    (void)ctx, (void)x;
    return 0;
}

/* attendance rates on pages (issue 18) */
static int no_rate(void *ctx, const member_rate *x) { (void)ctx, (void)x; return 0; }
static int no_member_meeting(void *ctx, const member_meeting *x) { (void)ctx, (void)x; return 0; }

static void hot_lists_use_indexes(void **st)
{
    (void)st;
    db *d = open_db();
    org root, branch;
    assert_int_equal(org_get(d, 1, &root), 1);
    int64_t member_id = 0, branch_id = 0;
    assert_int_equal(db_i64(d, &member_id, 0, "SELECT max(member_id) FROM pledge", ""), CX_OK);
    assert_int_equal(db_i64(d, &branch_id, 0, "SELECT org_id FROM member WHERE id = ?", "i", member_id), CX_OK);
    assert_int_equal(org_get(d, branch_id, &branch), 1);
    org town; /* a subtree below the root: the branch's parent */
    assert_int_equal(org_get(d, branch.parent_id, &town), 1);
    assert_true(town.id != root.id);
    seen.n = 0;
    db_trace_set(trace, NULL);
    /* a member's pledges (their page and the public card), an organisation's own and its subtree's */
    pledge_query pq = {.member_id = member_id, .status = -1, .limit = 20};
    assert_int_equal(pledge_list(d, &pq, no_pledge, NULL), CX_OK);
    pledge_query card = {.member_id = member_id, .status = -1, .public_only = true};
    assert_int_equal(pledge_list(d, &card, no_pledge, NULL), CX_OK);
    pledge_query own = {.root = &branch, .status = -1, .limit = 20};
    assert_int_equal(pledge_list(d, &own, no_pledge, NULL), CX_OK);
    pledge_query sub = {.root = &town, .subtree = true, .status = -1, .limit = 20};
    assert_int_equal(pledge_list(d, &sub, no_pledge, NULL), CX_OK);
    int64_t n;
    assert_int_equal(pledge_count(d, &pq, &n), CX_OK);
    /* members of one organisation and of a subtree */
    member_query mq = {.root = &branch, .limit = 20};
    assert_int_equal(member_list(d, &mq, no_member, NULL), CX_OK);
    member_query ms = {.root = &town, .subtree = true, .limit = 20};
    assert_int_equal(member_list(d, &ms, no_member, NULL), CX_OK);
    assert_int_equal(member_count(d, &ms, &n), CX_OK);
    /* feedback and rectification of a subtree, the audit log of a subtree */
    feedback_query fq = {.root = &town, .see_normal = true, .see_reports = true, .viewer_member_path = "", .view = FV_OPEN, .kind = -1,
                         .status = -1, .today = "2026-01-01", .soon = "2026-01-08", .limit = 20};
    assert_int_equal(feedback_list(d, &fq, no_feedback, NULL), CX_OK);
    rect_query rq = {.root = &branch, .scope = RQ_OWN, .status = -1, .limit = 20};
    assert_int_equal(rect_list(d, &rq, no_rect, NULL), CX_OK);
    assert_int_equal(audit_list(d, town.path, 0, 20, no_audit, NULL), CX_OK);
    /* the public card's progress: one statement for all of the member's pledges */
    int before = seen.n;
    assert_int_equal(pledge_progress_latest(d, member_id, 3, no_progress, NULL), CX_OK);
    assert_int_equal(seen.n - before, 1);
    /* children without counts: one statement, however many children (no member count per child) */
    before = seen.n;
    int kids = 0;
    assert_int_equal(org_children_plain(d, root.id, false, count_child, &kids), CX_OK);
    assert_true(kids > 1);
    assert_int_equal(seen.n - before, 1);
    /* the desk's counts (web/desk.c) over a subtree: pledges to review and overdue, grades to
     * decide and to approve, feedback due soon, rectification to verify, members without accounts */
    pledge_query review = {.root = &town, .subtree = true, .status = PS_SUBMITTED};
    assert_int_equal(pledge_count(d, &review, &n), CX_OK);
    pledge_query late = {.root = &town, .subtree = true, .status = -1, .overdue = true};
    assert_int_equal(pledge_count(d, &late, &n), CX_OK);
    int64_t round_id = 0;
    assert_int_equal(db_i64(d, &round_id, 0, "SELECT min(id) FROM review_round", ""), CX_OK);
    grade_query undecided = {.round_id = round_id, .root = &town, .kind = 1, .undecided_only = true};
    assert_int_equal(grade_count(d, &undecided, &n), CX_OK);
    grade_query approval = {.round_id = round_id, .root = &town, .kind = 1, .pending_only = true, .below_only = true};
    assert_int_equal(grade_count(d, &approval, &n), CX_OK);
    feedback_query soon = fq;
    soon.view = FV_REMINDERS;
    assert_int_equal(feedback_count(d, &soon, &n), CX_OK);
    rect_query verify = {.root = &town, .scope = RQ_SUBTREE, .status = RS_SUBMITTED};
    assert_int_equal(rect_count(d, &verify, &n), CX_OK);
    assert_int_equal(account_members_without(d, &town, &n), CX_OK);
    /* scheduled reports: the branch's own to write, those below the town to judge, missing up the tree */
    report_query rown = {.root = &branch, .own = true, .filter = RPF_RETURNED, .today = "2026-12-01"};
    assert_int_equal(report_count(d, &rown, &n), CX_OK);
    report_query judge = {.root = &town, .judge = true, .filter = RPF_SUBMITTED};
    assert_int_equal(report_count(d, &judge, &n), CX_OK);
    report_query missing = {.root = &town, .filter = RPF_MISSING, .from_q = 20261, .to_q = 20264, .today = "2026-12-01", .limit = 50};
    assert_int_equal(report_list(d, &missing, no_report, NULL), CX_OK);
    /* notifications: the recipients of a to-do item over a path, a user's unread count and list */
    assert_int_equal(notify_roles(d, NULL, branch.path, ROLE_ADMIN, NOTIFY_UP, "test", "测试", "/desk"), CX_OK);
    assert_int_equal(notify_roles(d, NULL, branch.path, ROLE_OFFICE, NOTIFY_ABOVE, "test", "测试", "/desk"), CX_OK);
    assert_int_equal(notify_count(d, 1, true, &n), CX_OK);
    assert_int_equal(notify_list(d, 1, false, 0, 20, no_notification, NULL), CX_OK);
    /* attendance rates on pages (issue 18): a subtree's members with their rates, a member's meetings */
    assert_int_equal(meeting_rates(d, &town, "2026-01-01", "2026-12-31", 0, 50, no_rate, NULL), CX_OK);
    assert_int_equal(meeting_rates(d, &branch, "2026-01-01", "2026-12-31", 0, 50, no_rate, NULL), CX_OK);
    assert_int_equal(meeting_rates_count(d, &town, &n), CX_OK);
    assert_int_equal(meeting_member_meetings(d, member_id, "2026-01-01", "2026-12-31", no_member_meeting, NULL), CX_OK);
    /* the leaders' standing (issue 18): the dashboard's figures from the roll-up, and what a change
     * of one leader and a rule set over a subtree read (taken away and added back: no net change) */
    standing sg;
    assert_int_equal(standing_get(d, town.id, 2026, &sg), CX_OK);
    liaison_counts lc;
    assert_int_equal(liaison_count(d, &town, 2026, &lc), CX_OK);
    int64_t nl = 0, nw = 0, leader = 0;
    assert_int_equal(meeting_lecture_gaps(d, &town, 2026, NULL, NULL, &nl, &nw), CX_OK);
    assert_int_equal(db_i64(d, &leader, 0, "SELECT min(user_id) FROM user_role WHERE role = 'leader'", ""), CX_OK);
    assert_true(leader > 0);
    assert_int_equal(db_begin(d, true), CX_OK);
    assert_int_equal(standing_user(d, leader, -1), CX_OK);
    assert_int_equal(standing_user(d, leader, 1), CX_OK);
    assert_int_equal(standing_subtree(d, town.path, -1), CX_OK);
    assert_int_equal(standing_subtree(d, town.path, 1), CX_OK);
    assert_int_equal(db_rollback(d), CX_OK);
    db_trace_set(NULL, NULL);
    assert_true(seen.n >= 20);

    buf why;
    buf_init(&why);
    for (int i = 0; i < seen.n; i++) {
        if (db_kind_of(d) == DB_PG) check_pg(d, seen.sql[i], &why);
        else check_sqlite(d, seen.sql[i], &why);
        free(seen.sql[i]);
    }
    if (why.len) {
        fprintf(stderr, "full table scans in hot lists:%s\n", why.p);
        fail_msg("full table scans in hot lists (listed above)");
    }
    buf_free(&why);
    bool sqlite = db_kind_of(d) == DB_SQLITE;
    db_close(d);
    if (sqlite) {
        char p[300];
        unlink(dbpath);
        snprintf(p, sizeof p, "%s-wal", dbpath), unlink(p);
        snprintf(p, sizeof p, "%s-shm", dbpath), unlink(p);
    }
    unlink(keypath);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(hot_lists_use_indexes)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
