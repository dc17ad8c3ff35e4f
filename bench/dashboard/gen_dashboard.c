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
 *   - the roll-up counters, by rollup_recount(fix) (the same code as `cxzy recount`), then checked
 *     again by a second recount that must find no difference.
 * Ballot indexes are dropped while loading and rebuilt after (same definitions, read back from
 * sqlite_master), which is how a bulk load is done. SQLite only.
 *
 * Usage: gen_dashboard DB KEYFILE [MEMBERS] [ORGS] [BALLOTS] [SEED]
 * Prints what it made and the seconds each step took. */
#include "lib/crypto.h"
#include "store/pledge.h"
#include "store/rollup.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TOWNS 50
#define GENERALS_PER_TOWN 20
#define CHUNK 500000 /* rows per transaction */

static uint64_t rng_state;
static uint64_t rnd(void) /* splitmix64 */
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static db *D;
static void die(const char *what)
{
    fprintf(stderr, "gen_dashboard: %s: %s\n", what, D ? db_errmsg(D) : "");
    exit(1);
}
static void ok(int rc, const char *what)
{
    if (rc != CX_OK) die(what);
}
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

/* Members of branch b (0-based) are ids [first(b), first(b + 1)). */
static int64_t members_before(const tree *t, int64_t members, int64_t b)
{
    int64_t base = members / t->nbranches, extra = members % t->nbranches;
    return b * base + (b < extra ? b : extra);
}

static void make_members(const tree *t, int64_t members, int64_t now)
{
    ok(db_begin(D, true), "begin");
    char name[64], mask[32];
    for (int64_t b = 0, i = 0; b < t->nbranches; b++) {
        int64_t n = members_before(t, members, b + 1) - members_before(t, members, b);
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
    static const char *const channels[] = {"qr", "web", "paper", "phone"};
    char answers[4], day[11];
    uint64_t r = rnd();
    bool valid = r % 100 >= 3;
    for (int q = 0; q < 3; q++) {
        unsigned v = (unsigned)((r >> (8 + 8 * q)) % 100);
        answers[q] = v < 70 ? '1' : v < 92 ? '2' : '3';
    }
    answers[3] = 0;
    snprintf(day, sizeof day, "2011-%02d-%02d", (int)(1 + (r >> 40) % 6), (int)(1 + (r >> 48) % 28));
    unsigned char key[16];
    uint64_t k1 = rnd(), k2 = rnd();
    memcpy(key, &k1, 8);
    memcpy(key + 8, &k2, 8);
    /* an invalid ballot (a repeat) has no key: a NULL blob binds NULL */
    ok(db_run(D, "INSERT INTO ballot (round_id, target_kind, target_id, org_id, channel, questions, answers, valid, invalid_reason, "
                 "rater_key, day) VALUES (?, ?, ?, ?, ?, 'party3', ?, ?, ?, ?, ?)",
              "isiissisbs", round, kind, target, org_id, channels[n % 4], answers, (int64_t)valid, valid ? "" : "repeat",
              valid ? key : NULL, sizeof key, day),
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
        for (int64_t m = members_before(t, members, b); m < members_before(t, members, b + 1); m++) {
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
        for (int64_t m = members_before(t, members, b); m < members_before(t, members, b + 1); m++) {
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
        int64_t size = members_before(t, members, b + 1) - members_before(t, members, b);
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
        int64_t size = members_before(t, members, b + 1) - members_before(t, members, b);
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

    int64_t diffs = 0;
    t = now_s();
    ok(rollup_recount(D, round, true, NULL, &diffs), "recount");
    printf("roll-up counters filled by rollup_recount(fix): %" PRId64 " values set, in %.1f s\n", diffs, now_s() - t);
    t = now_s();
    ok(rollup_recount(D, round, false, stderr, &diffs), "recount check");
    printf("rollup_recount check: %" PRId64 " differences, in %.1f s\n", diffs, now_s() - t);
    ok(db_exec(D, "PRAGMA journal_mode=WAL;"), "wal");
    printf("round %" PRId64 "; generated in %.1f s\n", round, now_s() - t0);
    free(tr.path);
    db_close(D);
    return diffs ? 1 : 0;
}
