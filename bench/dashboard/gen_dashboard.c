/* gen_dashboard.c: fills a database made by `cxzy init` (root organisation 1, an office user)
 * with what the dashboard benchmark (P3) needs, by direct SQL in big transactions:
 *   - a tree of exactly ORGS organisations: the root, 50 towns (党委), 20 党总支 per town, and the
 *     rest as 党支部 spread evenly over the 党总支;
 *   - MEMBERS members spread evenly over the branches (placeholder personal data: the dashboard
 *     never reads members; the encrypted fields hold 8-byte stand-ins);
 *   - a campaign (campaign_create, with its default grading rules) and one review round at the root;
 *   - BALLOTS public ballots: 90 % on members, 10 % on branches, about 3 % invalid (repeats, no
 *     key), answers drawn 70 / 22 / 8 % 满意 / 基本满意 / 不满意; a self-review and a grade per
 *     member, a grade per branch, a leader charge per branch with commentary on 70 % of them;
 *   - quarter roll-ups (period_rollup) for the eight quarters of 2010 Q3 … 2012 Q2 (the campaign's
 *     span): per branch and quarter pledges, feedback, rectification, reports and findings drawn
 *     at a realistic scale (about one pledge per member per quarter), then each 党总支's, town's
 *     and the root's rows as the sums of their children's (the rows period_add keeps); members who
 *     pledged in the campaign (campaign_rollup), about 85 % of each branch, summed the same way;
 *   - organisation life in the current year (issue 18; see make_meetings, make_leaders, make_bulk):
 *     meetings with attendance, leaders with liaison points, visits and lectures, ledger entries,
 *     study notes, a quiz with answers, an account per member; their roll-ups (the year's quarter
 *     rows, ledger_rollup, quiz_rollup, leader_standing) checked against the records;
 *   - the roll-up counters, by rollup_recount(fix) (the same code as `cxzy recount`), then checked
 *     again by a second recount that must find no difference;
 *   - last, the time of the dashboard's leader figures at the root and the first town.
 * Ballot indexes are dropped while loading and rebuilt after (same definitions, read back from
 * sqlite_master), which is how a bulk load is done. SQLite only.
 *
 * Usage: gen_dashboard DB KEYFILE [MEMBERS] [ORGS] [BALLOTS] [SEED]
 * Prints what it made and the seconds each step took. */
#include "lib/crypto.h"
#include "../gen_common.h"
#include "store/pledge.h"
#include "store/ledger.h"
#include "store/liaison.h"
#include "store/meeting.h"
#include "store/period.h"
#include "store/rollup.h"
#include "store/standing.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TOWNS 50
#define GENERALS_PER_TOWN 20
#define CHUNK 500000 /* rows per transaction */

static void chunk(int64_t i)
{
    if (i % CHUNK == CHUNK - 1) ok(db_commit(D), "commit"), ok(db_begin(D, true), "begin");
}

static const char *const sectors[] = {"rural", "community", "government", "soe", "school", "hospital", "private", "social"};

typedef struct tree {
    int64_t first_branch, nbranches, norgs;
    char (*path)[48]; /* by id */
} tree;

static void insert_org(tree *t, int64_t id, int64_t parent, int depth, const char *name, const char *type, const char *sector,
                       int64_t now)
{
    char p[48];
    snprintf(p, sizeof p, "%s%" PRId64 "/", t->path[parent], id);
    memcpy(t->path[id], p, sizeof p);
    ok(db_run(D, "INSERT INTO org (id, part, parent_id, path, depth, name, type, sector, created_at, updated_at) "
                 "VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?)",
              "iisisssii", id, parent, t->path[id], (int64_t)depth, name, type, sector, now, now),
       "insert org");
}

static void make_tree(tree *t, int64_t norgs, int64_t now)
{
    int64_t generals = (int64_t)TOWNS * GENERALS_PER_TOWN;
    t->norgs = norgs;
    t->first_branch = 2 + TOWNS + generals;
    t->nbranches = norgs - 1 - TOWNS - generals;
    t->path = xcalloc((size_t)norgs + 1, sizeof *t->path);
    snprintf(t->path[1], sizeof t->path[1], "/1/");
    char name[160];
    ok(db_begin(D, true), "begin");
    for (int64_t k = 0; k < TOWNS; k++) {
        snprintf(name, sizeof name, "第%" PRId64 "镇党委", k + 1);
        insert_org(t, 2 + k, 1, 1, name, "committee", "rural", now);
    }
    for (int64_t g = 0; g < generals; g++) {
        int64_t town = 2 + g / GENERALS_PER_TOWN;
        snprintf(name, sizeof name, "第%" PRId64 "镇第%" PRId64 "党总支", town - 1, g % GENERALS_PER_TOWN + 1);
        insert_org(t, 2 + TOWNS + g, town, 2, name, "general_branch", sectors[g % 8], now);
    }
    for (int64_t b = 0; b < t->nbranches; b++) {
        int64_t gen = 2 + TOWNS + b % generals; /* round-robin: every 党总支 gets its share */
        snprintf(name, sizeof name, "%s第%" PRId64 "党支部", "", b / generals + 1);
        char full[200];
        snprintf(full, sizeof full, "第%" PRId64 "镇第%" PRId64 "党总支%s", (gen - 2 - TOWNS) / GENERALS_PER_TOWN + 1,
                 (gen - 2 - TOWNS) % GENERALS_PER_TOWN + 1, name);
        insert_org(t, t->first_branch + b, gen, 3, full, "branch", sectors[b % 8], now);
        chunk(b);
    }
    ok(db_commit(D), "commit orgs");
}

static void make_members(const tree *t, int64_t members, int64_t now)
{
    ok(db_begin(D, true), "begin");
    char name[64], mask[32];
    for (int64_t b = 0, i = 0; b < t->nbranches; b++) {
        int64_t n = members_before(t->nbranches, members, b + 1) - members_before(t->nbranches, members, b);
        for (int64_t k = 0; k < n; k++, i++) {
            unsigned char enc[8], hash[8];
            for (int j = 0; j < 8; j++) enc[j] = hash[j] = (unsigned char)((uint64_t)(i + 1) >> (56 - 8 * j));
            snprintf(name, sizeof name, "党员%07" PRId64, i + 1);
            snprintf(mask, sizeof mask, "110101********%04" PRId64, (i + 1) % 10000);
            ok(db_run(D, "INSERT INTO member (id, part, org_id, name, sex, ethnicity, birth_year, idcard_enc, idcard_hash, "
                         "idcard_mask, status, created_at, updated_at) VALUES (?, 1, ?, ?, ?, '汉族', ?, ?, ?, ?, 'full', ?, ?)",
                      "iissibbsii", i + 1, t->first_branch + b, name, i % 3 ? "男" : "女", 1950 + i % 45, enc, sizeof enc, hash,
                      sizeof hash, mask, now, now),
               "insert member");
            chunk(i);
        }
    }
    ok(db_commit(D), "commit members");
}

static void insert_ballot(int64_t round, const char *kind, int64_t target, int64_t org_id, int64_t n)
{
    gen_ballot g;
    gen_ballot_draw(&g, n);
    /* an invalid ballot (a repeat) has no key: a NULL blob binds NULL */
    ok(db_run(D, "INSERT INTO ballot (round_id, target_kind, target_id, org_id, channel, questions, answers, valid, invalid_reason, "
                 "rater_key, day) VALUES (?, ?, ?, ?, ?, 'party3', ?, ?, ?, ?, ?)",
              "isiissisbs", round, kind, target, org_id, g.channel, g.answers, (int64_t)g.valid, g.valid ? "" : "repeat",
              g.valid ? g.key : NULL, sizeof g.key, g.day),
       "insert ballot");
    chunk(n);
}

/* Ballots in organisation order (each branch's member ballots, then the branch's own), so the
 * table and its org index grow in the same order. */
static void make_ballots(const tree *t, int64_t members, int64_t ballots, int64_t round)
{
    int64_t on_members = ballots / 10 * 9, on_orgs = ballots - on_members, n = 0;
    ok(db_begin(D, true), "begin");
    for (int64_t b = 0; b < t->nbranches; b++) {
        int64_t org_id = t->first_branch + b;
        for (int64_t m = members_before(t->nbranches, members, b); m < members_before(t->nbranches, members, b + 1); m++) {
            int64_t k = on_members / members + (m < on_members % members);
            while (k--) insert_ballot(round, "member", m + 1, org_id, n++);
        }
        int64_t k = on_orgs / t->nbranches + (b < on_orgs % t->nbranches);
        while (k--) insert_ballot(round, "org", org_id, org_id, n++);
    }
    ok(db_commit(D), "commit ballots");
}

static void insert_grade(int64_t round, const char *kind, int64_t target, int64_t org_id, int64_t now)
{
    static const char *const grades[] = {"excellent", "qualified", "basic", "unqualified"};
    uint64_t r = rnd();
    unsigned v = (unsigned)(r % 100);
    int g = v < 15 ? 0 : v < 85 ? 1 : v < 95 ? 2 : 3;
    bool meets = g <= 1 && (r >> 16) % 100 < 80;
    ok(db_run(D, "INSERT INTO grade (round_id, target_kind, target_id, org_id, score, computed, final, meets, approval, updated_at) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'none', ?)",
              "isiiissii", round, kind, target, org_id, (int64_t)(9500 - g * 1200), grades[g], grades[g], (int64_t)meets, now),
       "insert grade");
}

/* A self-review and a grade per member; a grade, a leader charge and (70 %) commentary per branch. */
static void make_reviews(const tree *t, int64_t members, int64_t round, int64_t leader, int64_t now)
{
    ok(db_begin(D, true), "begin");
    int64_t n = 0;
    for (int64_t b = 0; b < t->nbranches; b++) {
        int64_t org_id = t->first_branch + b;
        for (int64_t m = members_before(t->nbranches, members, b); m < members_before(t->nbranches, members, b + 1); m++) {
            ok(db_run(D, "INSERT INTO review (round_id, kind, target_member_id, target_org_id, reviewer_member_id, reviewer_user_id, "
                         "levels, created_at, updated_at) VALUES (?, 'self', ?, ?, ?, ?, '11211', ?, ?)",
                      "iiiiiii", round, m + 1, org_id, m + 1, leader, now, now),
               "insert review");
            insert_grade(round, "member", m + 1, org_id, now);
            chunk(n++);
        }
        insert_grade(round, "org", org_id, org_id, now);
        ok(db_run(D, "INSERT INTO leader_charge (round_id, user_id, target_kind, target_id, org_id, created_at) VALUES (?, ?, 'org', ?, ?, ?)",
                  "iiiii", round, leader, org_id, org_id, now),
           "insert charge");
        if (rnd() % 100 < 70)
            ok(db_run(D, "INSERT INTO commentary (round_id, user_id, target_kind, target_id, org_id, level, achievements, problems, "
                         "direction, created_at, updated_at) VALUES (?, ?, 'org', ?, ?, 2, '肯定成绩', '指出问题', '明确方向', ?, ?)",
                      "iiiiii", round, leader, org_id, org_id, now, now),
               "insert commentary");
    }
    ok(db_commit(D), "commit reviews");
}

/* Quarter roll-ups: random counts per branch and quarter, then every ancestor's row as the sum
 * of its children's, level by level (what period_add would have left). */
static void make_periods(const tree *t, int64_t members)
{
    static const int quarters[] = {20103, 20104, 20111, 20112, 20113, 20114, 20121, 20122};
    ok(db_begin(D, true), "begin");
    int64_t n = 0;
    for (int64_t b = 0; b < t->nbranches; b++) {
        int64_t size = members_before(t->nbranches, members, b + 1) - members_before(t->nbranches, members, b);
        for (size_t q = 0; q < sizeof quarters / sizeof quarters[0]; q++) {
            uint64_t r = rnd();
            int64_t pledges = size - (int64_t)(r % 3), fulfilled = pledges - (int64_t)((r >> 8) % 4);
            int64_t unjust = (r >> 16) % 10 == 0, fb = (int64_t)((r >> 20) % 4), rect = (int64_t)((r >> 24) % 3);
            int64_t reports = 1, on_time = (r >> 28) % 10 < 8, late = !on_time && (r >> 32) % 2, findings = (r >> 36) % 8 == 0;
            if (pledges < 0) pledges = 0;
            if (fulfilled < 0) fulfilled = 0;
            ok(db_run(D, "INSERT INTO period_rollup (quarter, org_id, reports_due, reports_on_time, reports_late, findings, "
                         "findings_closed, rect_due, rect_on_time, feedback_due, feedback_on_time, pledges_due, pledges_fulfilled, "
                         "pledges_missed_unjustified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      "iiiiiiiiiiiiii", (int64_t)quarters[q], t->first_branch + b, reports, on_time, late, findings,
                      findings && (r >> 40) % 2, rect, rect ? rect - (int64_t)((r >> 44) % 2) : 0, fb,
                      fb ? fb - (int64_t)((r >> 48) % 2) : 0, pledges, fulfilled, unjust),
               "insert period");
            chunk(n++);
        }
    }
    for (int depth = 2; depth >= 0; depth--)
        ok(db_run(D, "INSERT INTO period_rollup (quarter, org_id, reports_due, reports_on_time, reports_late, findings, findings_closed, "
                     "rect_due, rect_on_time, feedback_due, feedback_on_time, pledges_due, pledges_fulfilled, pledges_missed_unjustified) "
                     "SELECT p.quarter, o.parent_id, sum(reports_due), sum(reports_on_time), sum(reports_late), sum(findings), "
                     "sum(findings_closed), sum(rect_due), sum(rect_on_time), sum(feedback_due), sum(feedback_on_time), "
                     "sum(pledges_due), sum(pledges_fulfilled), sum(pledges_missed_unjustified) "
                     "FROM period_rollup p JOIN org o ON o.id = p.org_id WHERE o.depth = ? GROUP BY p.quarter, o.parent_id",
                  "i", (int64_t)depth + 1),
           "sum periods");
    ok(db_commit(D), "commit periods");
}

/* Members who pledged in the campaign (campaign_rollup): about 85 % of each branch, then each
 * ancestor's row as the sum of its children's. */
static void make_pledged(const tree *t, int64_t members, int64_t campaign_id)
{
    ok(db_begin(D, true), "begin");
    for (int64_t b = 0; b < t->nbranches; b++) {
        int64_t size = members_before(t->nbranches, members, b + 1) - members_before(t->nbranches, members, b);
        ok(db_run(D, "INSERT INTO campaign_rollup (campaign_id, org_id, members_pledged) VALUES (?, ?, ?)", "iii", campaign_id,
                  t->first_branch + b, size - size * (int64_t)(rnd() % 30) / 100),
           "insert pledged");
    }
    for (int depth = 2; depth >= 0; depth--)
        ok(db_run(D, "INSERT INTO campaign_rollup (campaign_id, org_id, members_pledged) SELECT p.campaign_id, o.parent_id, "
                     "sum(p.members_pledged) FROM campaign_rollup p JOIN org o ON o.id = p.org_id WHERE o.depth = ? "
                     "GROUP BY p.campaign_id, o.parent_id",
                  "i", (int64_t)depth + 1),
           "sum pledged");
    ok(db_commit(D), "commit pledged");
}

/* ---- organisation life (issue 18): what the dashboard's 组织生活, 联络点, 台账 and 学习测试
 * blocks read, in the current year Y (the dashboard's default period), on the months before this
 * one. Per branch: 4 branch assemblies (quarterly), 12 committee meetings, 4 party lectures by the
 * secretary, 12 theme days, all held, the assemblies and lectures with every member's attendance
 * (85 % present, 8 % on leave, 7 % absent); 6 ledger entries; study notes by half the members; one
 * quiz at the root answered by 70 % of the members; an account for every member (issue 16) with
 * its member grant. Leaders: LEADERS_ROOT at the root, LEADERS_TOWN1 at the first town (a town
 * with thousands of leaders), LEADERS_TOWN at each other town and LEADERS_DEPT at each government
 * 党总支 (机关); 8 % of them without a point, 62 % with one, 30 % with two open points at branches
 * of their subtree, one in ten with an ended point as well; about two visits a year per open
 * point; three quarters of them gave a lecture at a point this year. */
#define LEADERS_ROOT 500
#define LEADERS_TOWN1 2000
#define LEADERS_TOWN 60
#define LEADERS_DEPT 8

typedef struct life {
    int year, months; /* records fall in months 1..months of year */
    int64_t now, office, leaders, points, visits, lectures, meetings, attendees, ledger, notes, answers;
} life;

static void day_at(int year, int month, int day, char out[11])
{
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)year % 10000u, (unsigned)month % 100u, (unsigned)day % 100u);
}

static void day_in(const life *L, uint64_t r, char out[11])
{
    day_at(L->year, (int)(1 + r % (uint64_t)L->months), (int)(1 + (r >> 8) % 28), out);
}

/* A random branch under organisation oid (the root, a town or a 党总支) of the generated tree. */
static int64_t branch_under(const tree *t, int64_t oid)
{
    int64_t generals = (int64_t)TOWNS * GENERALS_PER_TOWN, g;
    if (oid == 1) g = (int64_t)(rnd() % (uint64_t)generals);
    else if (oid < 2 + TOWNS) g = (oid - 2) * GENERALS_PER_TOWN + (int64_t)(rnd() % GENERALS_PER_TOWN);
    else g = oid - 2 - TOWNS;
    int64_t per = (t->nbranches - g + generals - 1) / generals; /* branches b = g + generals * j */
    return t->first_branch + g + generals * (int64_t)(rnd() % (uint64_t)per);
}

static void insert_meeting(const tree *t, life *L, int64_t org_id, const char *kind, const char *title, const char *day,
                              int64_t lecturer)
{
    ok(db_run(D, "INSERT INTO meeting (org_id, org_path, kind, title, held_on, place, topic, host_name, lecturer_user_id, status, "
                 "created_by, created_by_name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, '党员活动室', '学习贯彻会议精神', '书记', NULLIF(?, 0), "
                 "'held', ?, '基准', ?, ?)",
              "issssiiii", org_id, t->path[org_id], kind, title, day, lecturer, L->office, L->now, L->now),
       "insert meeting");
    chunk(L->meetings++);
}

static void make_meetings(const tree *t, life *L)
{
    static const char *const ledger_kinds[] = {"visit", "help", "pairing", "research", "forum"};
    ok(db_begin(D, true), "begin");
    char day[11], title[96];
    for (int64_t b = 0; b < t->nbranches; b++) {
        int64_t oid = t->first_branch + b;
        for (int m = 1; m <= L->months; m++) {
            day_at(L->year, m, (int)(1 + rnd() % 28), day);
            snprintf(title, sizeof title, "%d月支委会", m);
            insert_meeting(t, L, oid, "committee", title, day, 0);
            day_at(L->year, m, (int)(1 + rnd() % 28), day);
            snprintf(title, sizeof title, "%d月主题党日", m);
            insert_meeting(t, L, oid, "theme_day", title, day, 0);
            if (m % 3 == 2) {
                day_at(L->year, m, (int)(1 + rnd() % 28), day);
                snprintf(title, sizeof title, "第%d季度支部党员大会", (m + 2) / 3);
                insert_meeting(t, L, oid, "branch_assembly", title, day, 0);
                day_at(L->year, m, (int)(1 + rnd() % 28), day);
                snprintf(title, sizeof title, "第%d季度书记讲党课", (m + 2) / 3);
                insert_meeting(t, L, oid, "lecture", title, day, 0);
            }
        }
        for (int k = 0; k < 6; k++) {
            uint64_t r = rnd();
            const char *kind = ledger_kinds[r % 5];
            int64_t cat = !strcmp(kind, "visit") ? (int64_t)(1 + (r >> 4) % 4) : 0;
            day_in(L, r >> 12, day);
            ok(db_run(D, "INSERT INTO ledger_entry (org_id, kind, category_id, entry_date, title, body, people, created_by, created_by_name, "
                         "created_at, updated_at) VALUES (?, ?, NULLIF(?, 0), ?, '走访慰问', '走访困难党员群众，了解生产生活情况', ?, ?, '基准', ?, ?)",
                      "isisiiii", oid, kind, cat, day, (int64_t)(1 + (r >> 40) % 30), L->office, L->now, L->now),
               "insert ledger");
            L->ledger++;
        }
    }
    ok(db_commit(D), "commit meetings");
}

static void make_leaders(const tree *t, life *L)
{
    ok(db_begin(D, true), "begin");
    int64_t uid = 0;
    ok(db_i64(D, &uid, 0, "SELECT max(id) FROM app_user", ""), "max user");
    /* grant organisations: the root, the first town, the other towns, the government 党总支 */
    int64_t ngen = (int64_t)TOWNS * GENERALS_PER_TOWN;
    char name[64], day[11], title[96];
    for (int64_t i = 0;; i++) {
        int64_t at, k = i;
        if (k < LEADERS_ROOT) at = 1;
        else if ((k -= LEADERS_ROOT) < LEADERS_TOWN1) at = 2;
        else if ((k -= LEADERS_TOWN1) < (int64_t)(TOWNS - 1) * LEADERS_TOWN) at = 3 + k / LEADERS_TOWN;
        else if ((k -= (int64_t)(TOWNS - 1) * LEADERS_TOWN) < ngen / 8 * LEADERS_DEPT) at = 2 + TOWNS + 2 + 8 * (k / LEADERS_DEPT); /* sector government */
        else break;
        int64_t id = ++uid;
        snprintf(name, sizeof name, "leader%05" PRId64, i + 1);
        char disp[64];
        snprintf(disp, sizeof disp, "领导%05" PRId64, i + 1);
        ok(db_run(D, "INSERT INTO app_user (id, username, display_name, pw_hash, created_at) VALUES (?, ?, ?, '!', ?)", "issi", id, name, disp,
                  L->now),
           "insert leader");
        ok(db_run(D, "INSERT INTO user_role (user_id, role, org_id) VALUES (?, 'leader', ?)", "ii", id, at), "grant leader");
        L->leaders++;
        uint64_t r = rnd();
        int npoints = r % 100 < 8 ? 0 : r % 100 < 70 ? 1 : 2;
        int64_t first = 0;
        for (int p = 0; p < npoints + ((r >> 8) % 10 == 0); p++) {
            int64_t oid = branch_under(t, at), pid = 0;
            bool ended = p == npoints;
            ok(db_i64(D, &pid, 0, "INSERT INTO liaison_point (leader_user_id, org_id, office_org_id, since, until, created_by, created_by_name, "
                                  "created_at) VALUES (?, ?, ?, ?, ?, ?, '基准', ?) ON CONFLICT DO NOTHING RETURNING id",
                      "iiissii", id, oid, at, ended ? "2024-03-01" : "2025-03-01", ended ? "2025-02-28" : NULL, L->office, L->now),
               "insert point");
            if (!pid) continue; /* the same branch drawn twice */
            L->points++;
            if (ended) continue;
            if (!first) first = oid;
            int nv = (int)(rnd() % 5); /* 0..4, about two a year */
            for (int v = 0; v < nv; v++) {
                uint64_t s = rnd();
                day_in(L, s, day);
                ok(db_run(D, "INSERT INTO liaison_visit (point_id, leader_user_id, org_id, visited_on, done, problems_found, problems_solved, "
                             "created_by, created_by_name, created_at) VALUES (?, ?, ?, ?, '召开座谈会，走访党员群众', ?, ?, ?, '基准', ?)",
                          "iiisssii", pid, id, oid, day, (s >> 20) % 10 < 3 ? "村内道路破损" : "", (s >> 20) % 10 < 2 ? "已协调修复" : "",
                          L->office, L->now),
                   "insert visit");
                L->visits++;
            }
        }
        if (first && (r >> 16) % 4 != 0) {
            day_in(L, rnd(), day);
            snprintf(title, sizeof title, "%s讲党课", disp);
            insert_meeting(t, L, first, "lecture", title, day, id);
            L->lectures++;
        }
    }
    ok(db_run(D, "INSERT INTO liaison_rule (org_id, min_points, max_points, leader_visits, dept_visits, updated_at) VALUES "
                 "(1, 1, 2, 2, 3, ?), (2, 1, 3, 3, 4, ?)",
              "ii", L->now, L->now),
       "insert rules");
    ok(db_commit(D), "commit leaders");
}

/* Everything of the year that is a statement over the records already written. */
static void make_bulk(const tree *t, life *L)
{
    (void)t;
    ok(db_begin(D, true), "begin");
    int64_t before = 0;
    ok(db_run(D, "INSERT INTO app_user (username, display_name, pw_hash, member_id, created_at) SELECT printf('m%07d', id), name, '!', id, ? "
                 "FROM member ORDER BY id",
              "i", L->now),
       "member accounts");
    ok(db_run(D, "INSERT INTO user_role (user_id, role, org_id) SELECT u.id, 'member', m.org_id FROM app_user u JOIN member m ON m.id = u.member_id",
              ""),
       "member grants");
    ok(db_run(D, "INSERT INTO meeting_attendee (meeting_id, member_id, state, leave_reason, how, signed_at) "
                 "SELECT x.id, m.id, CASE WHEN (x.id * 7 + m.id * 13) % 100 < 85 THEN 'present' WHEN (x.id * 7 + m.id * 13) % 100 < 93 THEN 'leave' "
                 "ELSE 'absent' END, CASE WHEN (x.id * 7 + m.id * 13) % 100 BETWEEN 85 AND 92 THEN '因公外出' ELSE '' END, "
                 "CASE WHEN (x.id * 7 + m.id * 13) % 100 < 85 THEN 'qr' ELSE '' END, CASE WHEN (x.id * 7 + m.id * 13) % 100 < 85 THEN ? ELSE 0 END "
                 "FROM meeting x JOIN member m ON m.org_id = x.org_id WHERE x.kind IN ('branch_assembly', 'lecture')",
              "i", L->now),
       "attendees");
    ok(db_i64(D, &L->attendees, 0, "SELECT count(*) FROM meeting_attendee", ""), "count attendees");
    ok(db_run(D, "INSERT INTO study_note (member_id, org_id, org_path, material, text, written_on, created_by, created_at) "
                 "SELECT m.id, m.org_id, o.path, '党章', '学习党章，对照检查，明确努力方向。', printf('%04d-%02d-%02d', ?, 1 + m.id % ?, 1 + m.id % 28), ?, ? "
                 "FROM member m JOIN org o ON o.id = m.org_id WHERE m.id % 2 = 0",
              "iiii", (int64_t)L->year, (int64_t)L->months, L->office, L->now),
       "study notes");
    ok(db_i64(D, &L->notes, 0, "SELECT count(*) FROM study_note", ""), "count notes");
    /* one quiz at the root, closed a week ago */
    int64_t quiz = 0, opens = L->now - 30 * 86400, closes = L->now - 7 * 86400;
    for (int q = 1; q <= 10; q++)
        ok(db_run(D, "INSERT INTO question (org_id, type, stem, options, answer, created_by, created_at) VALUES (1, 'single', ?, "
                     "'[\"甲\",\"乙\",\"丙\",\"丁\"]', 'A', ?, ?)",
                  "sii", q % 2 ? "党的根本宗旨是什么？" : "党的最高理想和最终目标是什么？", L->office, L->now),
           "insert question");
    ok(db_i64(D, &quiz, 0, "INSERT INTO quiz (org_id, scope_org_id, scope_path, title, opens_at, closes_at, pass_mark, nquestions, created_by, "
                           "created_by_name, created_at, updated_at) VALUES (1, 1, '/1/', '党章党规知识测试（基准）', ?, ?, 60, 10, ?, '基准', ?, ?) RETURNING id",
              "iiiii", opens, closes, L->office, L->now, L->now),
       "insert quiz");
    ok(db_run(D, "INSERT INTO quiz_question (quiz_id, seq, question_id, type, stem, options, answer) SELECT ?, row_number() OVER (ORDER BY id), id, "
                 "type, stem, options, answer FROM question",
              "i", quiz),
       "quiz questions");
    ok(db_run(D, "INSERT INTO quiz_answer (quiz_id, member_id, org_id, org_path, answers, correct, score, passed, user_id, submitted_at) "
                 "SELECT ?, m.id, m.org_id, o.path, '[\"A\",\"A\",\"B\",\"A\",\"A\",\"C\",\"A\",\"A\",\"A\",\"D\"]', 4 + m.id % 7, 10 * (4 + m.id % 7), "
                 "4 + m.id % 7 >= 6, 0, ? - m.id % 86400 FROM member m JOIN org o ON o.id = m.org_id WHERE m.id % 10 < 7",
              "ii", quiz, closes),
       "quiz answers");
    ok(db_i64(D, &L->answers, 0, "SELECT count(*) FROM quiz_answer", ""), "count answers");
    ok(db_run(D, "INSERT INTO quiz_rollup (quiz_id, org_id, answered, passed, score_sum) SELECT quiz_id, org_id, count(*), sum(passed), sum(score) "
                 "FROM quiz_answer GROUP BY quiz_id, org_id",
              ""),
       "quiz roll-up");
    for (int depth = 2; depth >= 0; depth--)
        ok(db_run(D, "INSERT INTO quiz_rollup (quiz_id, org_id, answered, passed, score_sum) SELECT r.quiz_id, o.parent_id, sum(r.answered), "
                     "sum(r.passed), sum(r.score_sum) FROM quiz_rollup r JOIN org o ON o.id = r.org_id WHERE o.depth = ? GROUP BY r.quiz_id, o.parent_id",
                  "i", (int64_t)depth + 1),
           "sum quiz roll-up");
    /* the year's quarter rows of the new counters: per branch from the records, then summed up */
    int64_t y0 = (int64_t)L->year * 10;
#define Q_OF(col) "CAST(substr(" col ", 1, 4) AS INTEGER) * 10 + (CAST(substr(" col ", 6, 2) AS INTEGER) + 2) / 3"
    ok(db_run(D, "INSERT INTO period_rollup (quarter, org_id, meetings_held, attendance_expected, attendance_present, lectures_held, visits, "
                 "visit_problems_found, visit_problems_solved, study_notes) "
                 "SELECT q, org_id, sum(mh), sum(ae), sum(ap), sum(lh), sum(v), sum(vf), sum(vs), sum(sn) FROM ("
                 "SELECT " Q_OF("x.held_on") " AS q, x.org_id, 1 AS mh, coalesce(a.n, 0) AS ae, coalesce(a.p, 0) AS ap, x.kind = 'lecture' AS lh, "
                 "0 AS v, 0 AS vf, 0 AS vs, 0 AS sn FROM meeting x LEFT JOIN (SELECT meeting_id, count(*) AS n, sum(state = 'present') AS p "
                 "FROM meeting_attendee GROUP BY meeting_id) a ON a.meeting_id = x.id WHERE x.status = 'held' "
                 "UNION ALL SELECT " Q_OF("visited_on") ", org_id, 0, 0, 0, 0, 1, problems_found <> '', problems_solved <> '', 0 FROM liaison_visit "
                 "UNION ALL SELECT " Q_OF("written_on") ", org_id, 0, 0, 0, 0, 0, 0, 0, 1 FROM study_note) GROUP BY q, org_id",
              ""),
       "period rows of the year");
    for (int depth = 2; depth >= 0; depth--)
        ok(db_run(D, "INSERT INTO period_rollup (quarter, org_id, meetings_held, attendance_expected, attendance_present, lectures_held, visits, "
                     "visit_problems_found, visit_problems_solved, study_notes) SELECT p.quarter, o.parent_id, sum(meetings_held), "
                     "sum(attendance_expected), sum(attendance_present), sum(lectures_held), sum(visits), sum(visit_problems_found), "
                     "sum(visit_problems_solved), sum(study_notes) FROM period_rollup p JOIN org o ON o.id = p.org_id "
                     "WHERE o.depth = ? AND p.quarter > ? GROUP BY p.quarter, o.parent_id",
                  "ii", (int64_t)depth + 1, y0),
           "sum period rows of the year");
    (void)before;
    ok(db_commit(D), "commit year");
}

static double median_ms(double *v, int n)
{
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
            double x = v[j];
            v[j] = v[j - 1], v[j - 1] = x;
        }
    return v[n / 2] * 1000;
}

/* What the dashboard computes per view from records rather than roll-ups: the leaders' standing
 * (liaison_count) and the leaders without a lecture (meeting_lecture_gaps), at the root and the
 * first town; median of 21 calls each. */
static void time_blocks(const life *L)
{
    for (int64_t id = 1; id <= 2; id++) {
        org o;
        if (org_get(D, id, &o) != 1) die("oid");
        double a[21], b[21];
        liaison_counts c = {0};
        int64_t leaders = 0, without = 0;
        for (int i = 0; i < 21; i++) {
            double t0 = now_s();
            ok(liaison_count(D, &o, L->year, &c), "liaison_count");
            double t1 = now_s();
            ok(meeting_lecture_gaps(D, &o, L->year, NULL, NULL, &leaders, &without), "lecture gaps");
            a[i] = t1 - t0, b[i] = now_s() - t1;
        }
        printf("%s: liaison_count %.2f ms (%" PRId64 " leaders: %" PRId64 " without a point, %" PRId64 " too few, %" PRId64
               " visits short); meeting_lecture_gaps %.2f ms (%" PRId64 " leaders, %" PRId64 " without a lecture)\n",
               o.name, median_ms(a, 21), c.leaders, c.none, c.few, c.visits_short, median_ms(b, 21), leaders, without);
    }
}

typedef struct index_def {
    char name[128], sql[512];
} index_def;

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: gen_dashboard DB KEYFILE [MEMBERS] [ORGS] [BALLOTS] [SEED]\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0); /* each step's line as it ends, also into a pipe */
    gen_name = "gen_dashboard";
    int64_t members = argc > 3 ? atoll(argv[3]) : 1000000, norgs = argc > 4 ? atoll(argv[4]) : 50000,
            ballots = argc > 5 ? atoll(argv[5]) : 10000000;
    rng_state = argc > 6 ? strtoull(argv[6], NULL, 10) : 2011;
    int64_t min_orgs = 1 + TOWNS + TOWNS * GENERALS_PER_TOWN + 1;
    if (members < 1 || norgs < min_orgs || ballots < 0) {
        fprintf(stderr, "gen_dashboard: need MEMBERS ≥ 1, ORGS ≥ %" PRId64 ", BALLOTS ≥ 0\n", min_orgs);
        return 2;
    }
    cx_err e = {0};
    if (crypto_boot() != CX_OK || crypto_key_load(argv[2], &e) != CX_OK) {
        fprintf(stderr, "gen_dashboard: key: %s\n", e.msg);
        return 1;
    }
    D = db_open(argv[1], &e);
    if (!D || db_kind_of(D) != DB_SQLITE) {
        fprintf(stderr, "gen_dashboard: %s: %s\n", argv[1], D ? "SQLite only" : e.msg);
        return 1;
    }
    int64_t n = 0, leader = 0;
    ok(db_i64(D, &n, 0, "SELECT count(*) FROM org", ""), "count orgs");
    ok(db_i64(D, &leader, 0, "SELECT min(id) FROM app_user", ""), "user");
    if (n != 1 || !leader) {
        fprintf(stderr, "gen_dashboard: expected a database from `cxzy init --root … --admin …` (one org, one user)\n");
        return 1;
    }
    /* a generated load: no journal, no fsync (a crash means generating again), no foreign-key
     * look-ups (the rows are consistent by construction) */
    ok(db_exec(D, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-1048576; PRAGMA foreign_keys=OFF;"), "pragmas");
    int64_t now = now_unix();
    double t0 = now_s(), t = t0;
    tree tr = {0};
    make_tree(&tr, norgs, now);
    printf("organisations: %" PRId64 " (1 root, %d towns, %d 党总支, %" PRId64 " 党支部) in %.1f s\n", norgs, TOWNS,
           TOWNS * GENERALS_PER_TOWN, tr.nbranches, now_s() - t);
    t = now_s();
    make_members(&tr, members, now);
    printf("members: %" PRId64 " in %.1f s\n", members, now_s() - t);

    int64_t campaign_id = 0, round = 0;
    campaign_ok camp;
    if (campaign_check(&(campaign_in){"创先争优比贡献（基准）", "2010-04-01", "2012-06-30"}, &camp, &e) != CX_OK ||
        campaign_create(D, &actor_cli, 1, &camp, &campaign_id, &e) != CX_OK) {
        fprintf(stderr, "gen_dashboard: campaign: %s\n", e.msg);
        return 1;
    }
    ok(db_run(D, "INSERT INTO review_round (campaign_id, org_id, name, period_start, period_end, questions, status, created_at) "
                 "VALUES (?, 1, '2011年上半年', '2011-01-01', '2011-06-30', 'party3', 'open', ?)",
              "ii", campaign_id, now),
       "insert round");
    ok(db_i64(D, &round, 0, "SELECT max(id) FROM review_round", ""), "round id");

    /* ballots without their indexes, then the indexes rebuilt from their own definitions */
    index_def idx[8];
    int nidx = 0;
    db_stmt *s = db_prepare(D, "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ballot' AND sql IS NOT NULL");
    if (!s) die("indexes");
    while (db_step(s) == DB_ROW && nidx < 8) {
        snprintf(idx[nidx].name, sizeof idx[0].name, "%.100s", db_col_text(s, 0));
        snprintf(idx[nidx++].sql, sizeof idx[0].sql, "%s", db_col_text(s, 1));
    }
    db_done(s);
    for (int i = 0; i < nidx; i++) {
        char drop[sizeof idx[0].name + 16];
        snprintf(drop, sizeof drop, "DROP INDEX %.100s", idx[i].name);
        ok(db_exec(D, drop), "drop index");
    }
    t = now_s();
    make_ballots(&tr, members, ballots, round);
    printf("ballots: %" PRId64 " in %.1f s\n", ballots, now_s() - t);
    t = now_s();
    for (int i = 0; i < nidx; i++) ok(db_exec(D, idx[i].sql), "create index");
    printf("ballot indexes rebuilt (%d) in %.1f s\n", nidx, now_s() - t);
    t = now_s();
    make_reviews(&tr, members, round, leader, now);
    printf("self-reviews and grades: %" PRId64 " members, %" PRId64 " branches (grade, leader charge, 70%% commentary) in %.1f s\n",
           members, tr.nbranches, now_s() - t);

    t = now_s();
    make_periods(&tr, members);
    make_pledged(&tr, members, campaign_id);
    printf("quarter roll-ups: 8 quarters × %" PRId64 " organisations, members who pledged, in %.1f s\n", norgs, now_s() - t);

    t = now_s();
    time_t tt = (time_t)now;
    struct tm tm;
    gmtime_r(&tt, &tm);
    life L = {.year = 1900 + tm.tm_year, .months = tm.tm_mon > 0 ? tm.tm_mon : 1, .now = now, .office = leader};
    make_meetings(&tr, &L);
    printf("meetings: %" PRId64 " held in months 1-%d of %d, ledger entries: %" PRId64 ", in %.1f s\n", L.meetings, L.months, L.year, L.ledger,
           now_s() - t);
    t = now_s();
    make_leaders(&tr, &L);
    printf("leaders: %" PRId64 " with %" PRId64 " points, %" PRId64 " visits, %" PRId64 " lectures, in %.1f s\n", L.leaders, L.points, L.visits,
           L.lectures, now_s() - t);
    t = now_s();
    make_bulk(&tr, &L);
    printf("member accounts, attendance: %" PRId64 ", study notes: %" PRId64 ", quiz answers: %" PRId64 ", the year's quarter rows, in %.1f s\n",
           L.attendees, L.notes, L.answers, now_s() - t);
    int64_t diffs = 0;
    t = now_s();
    ok(ledger_recount(D, true, NULL, &diffs), "ledger recount");
    printf("ledger roll-up filled by ledger_recount(fix): %" PRId64 " values set, in %.1f s\n", diffs, now_s() - t);
    t = now_s();
    ok(ledger_recount(D, false, stderr, &diffs), "ledger recount check");
    if (diffs) die("ledger roll-up differs");
    period raw, got;
    for (int64_t id = 1; id <= 2; id++) {
        org o;
        if (org_get(D, id, &o) != 1) die("org");
        ok(period_raw(D, o.path, L.year * 10 + 1, L.year * 10 + 4, &raw), "period raw");
        ok(period_get(D, id, L.year * 10 + 1, L.year * 10 + 4, &got), "period get");
        for (int i = 0; i < PR_N; i++)
            if (raw.v[i] != got.v[i]) {
                fprintf(stderr, "gen_dashboard: %s %s: roll-up %" PRId64 ", records %" PRId64 "\n", o.name, period_cols[i], got.v[i], raw.v[i]);
                die("quarter rows of the year differ from the records");
            }
    }
    printf("ledger roll-up and the year's quarter rows checked against the records (root, first town), in %.1f s\n", now_s() - t);
    t = now_s();
    ok(standing_fill(D), "leaders' standing"); /* what migration 0030 does on an existing database */
    ok(standing_recount(D, false, stderr, &diffs), "leaders' standing check");
    if (diffs) die("the leaders' standing differs from the records");
    printf("leaders' standing filled (standing_fill) and checked by standing_recount: 0 differences, in %.1f s\n", now_s() - t);

    t = now_s();
    ok(rollup_recount(D, round, true, NULL, &diffs), "recount");
    printf("roll-up counters filled by rollup_recount(fix): %" PRId64 " values set, in %.1f s\n", diffs, now_s() - t);
    t = now_s();
    ok(rollup_recount(D, round, false, stderr, &diffs), "recount check");
    printf("rollup_recount check: %" PRId64 " differences, in %.1f s\n", diffs, now_s() - t);
    ok(db_exec(D, "PRAGMA journal_mode=WAL;"), "wal");
    printf("round %" PRId64 "; generated in %.1f s\n", round, now_s() - t0);
    time_blocks(&L);
    free(tr.path);
    db_close(D);
    return diffs ? 1 : 0;
}
