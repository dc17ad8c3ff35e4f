/* gen_p3.c: fills a database made by `cxzy init` (root organisation 1, an office user) with a
 * province-scale dataset for the P3 dashboards, every big table written through db_bulk (COPY on
 * PostgreSQL, a prepared INSERT per row on SQLite):
 *   - a tree of exactly ORGS organisations: the root (the province), CITIES cities, DISTRICTS
 *     districts per city, TOWNS towns per district (all 党委), and the rest as 党支部 spread evenly
 *     (round robin) over the towns;
 *   - MEMBERS members spread evenly over the branches (placeholder personal data: the dashboards
 *     never read members' encrypted fields; they hold 8-byte stand-ins);
 *   - a campaign (campaign_create, with its default grading rules) and one open review round at
 *     the root (2011年上半年);
 *   - BALLOTS public ballots: 90 % on members, 10 % on branches, about 3 % invalid (repeats, no
 *     key), answers drawn 70 / 22 / 8 % 满意 / 基本满意 / 不满意, days in the round's period;
 *   - a self-review per member; a leader charge per branch and commentary on 70 % of them.
 * Organisation and member ids are reserved up front (on PostgreSQL: nextval, then setval past the
 * range; on SQLite: after max(id)) so their rows are written with their ids. The ballot table's
 * indexes are dropped while loading and made again from their own definitions. No grade and no
 * roll-up counter is written here: `cxzy recount --round R --fix` builds them from these records
 * (the same code that checks them), as bench/p3_pg/run.sh does.
 * Deterministic: the same arguments and SEED give the same rows.
 *
 * Usage: gen_p3 DB KEYFILE MEMBERS ORGS BALLOTS [SEED [CITIES DISTRICTS TOWNS]]
 * Prints what it made, the seconds each step took and, last, "round N". */
#include "lib/crypto.h"
#include "../gen_common.h"
#include "store/campaign.h"
#include "domain/review.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Reserves n ids of table's id column (db_reserve_ids); returns the first. */
static int64_t reserve_ids(const char *table, int64_t n)
{
    int64_t first = 0;
    ok(db_reserve_ids(D, table, n, &first), "reserve ids");
    return first;
}

static const char *const sectors[] = {"rural", "community", "government", "soe", "school", "hospital", "private", "social"};

typedef struct tree {
    int64_t cities, districts, towns; /* per parent */
    int64_t first, first_branch, nbranches, ntowns, first_town;
    char (*path)[64]; /* by id - first + 1 (slot 0: the root) */
} tree;

static char *path_of(tree *t, int64_t id) { return t->path[id == 1 ? 0 : id - t->first + 1]; }

static void org_row(db_bulk *b, tree *t, int64_t id, int64_t parent, int depth, const char *name, const char *type,
                    const char *sector, int64_t now)
{
    char *p = path_of(t, id);
    snprintf(p, 64, "%s%" PRId64 "/", path_of(t, parent), id);
    ok(db_bulk_row(b, "iiisisssii", id, (int64_t)1, parent, p, (int64_t)depth, name, type, sector, now, now), "org row");
}

static void make_tree(tree *t, int64_t norgs, int64_t now)
{
    int64_t ncities = t->cities, ndistricts = ncities * t->districts;
    t->ntowns = ndistricts * t->towns;
    t->nbranches = norgs - 1 - ncities - ndistricts - t->ntowns;
    t->first = reserve_ids("org", norgs - 1);
    t->path = xcalloc((size_t)norgs, sizeof *t->path);
    snprintf(t->path[0], sizeof t->path[0], "/1/");
    int64_t first_district = t->first + ncities;
    t->first_town = first_district + ndistricts;
    t->first_branch = t->first_town + t->ntowns;
    char name[200];
    ok(db_begin(D, true), "begin");
    db_bulk *b = db_bulk_begin(D, "org", "id, part, parent_id, path, depth, name, type, sector, created_at, updated_at");
    for (int64_t c = 0; c < ncities; c++) {
        snprintf(name, sizeof name, "第%" PRId64 "市委", c + 1);
        org_row(b, t, t->first + c, 1, 1, name, "committee", "government", now);
    }
    for (int64_t d = 0; d < ndistricts; d++) {
        snprintf(name, sizeof name, "第%" PRId64 "市第%" PRId64 "区委", d / t->districts + 1, d % t->districts + 1);
        org_row(b, t, first_district + d, t->first + d / t->districts, 2, name, "committee", "government", now);
    }
    for (int64_t k = 0; k < t->ntowns; k++) {
        int64_t d = k / t->towns;
        snprintf(name, sizeof name, "第%" PRId64 "市第%" PRId64 "区第%" PRId64 "镇党委", d / t->districts + 1, d % t->districts + 1,
                 k % t->towns + 1);
        org_row(b, t, t->first_town + k, first_district + d, 3, name, "committee", "rural", now);
    }
    for (int64_t i = 0; i < t->nbranches; i++) {
        int64_t town = i % t->ntowns; /* round robin: every town gets its share */
        snprintf(name, sizeof name, "第%" PRId64 "镇第%" PRId64 "党支部", town + 1, i / t->ntowns + 1);
        org_row(b, t, t->first_branch + i, t->first_town + town, 4, name, "branch", sectors[i % 8], now);
    }
    ok(db_bulk_end(b), "orgs");
    ok(db_commit(D), "commit orgs");
}

static void make_members(const tree *t, int64_t members, int64_t first, int64_t now)
{
    ok(db_begin(D, true), "begin");
    db_bulk *b = db_bulk_begin(D, "member", "id, part, org_id, name, sex, ethnicity, birth_year, idcard_enc, idcard_hash, idcard_mask, "
                                            "status, created_at, updated_at");
    char name[64], mask[32];
    for (int64_t br = 0, i = 0; br < t->nbranches; br++) {
        int64_t n = members_before(t->nbranches, members, br + 1) - members_before(t->nbranches, members, br);
        for (int64_t k = 0; k < n; k++, i++) {
            unsigned char enc[8], hash[8];
            for (int j = 0; j < 8; j++) enc[j] = hash[j] = (unsigned char)((uint64_t)(first + i) >> (56 - 8 * j));
            snprintf(name, sizeof name, "党员%08" PRId64, i + 1);
            snprintf(mask, sizeof mask, "110101********%04" PRId64, (i + 1) % 10000);
            ok(db_bulk_row(b, "iiisssibbssii", first + i, (int64_t)1, t->first_branch + br, name, i % 3 ? "男" : "女", "汉族",
                           (int64_t)(1950 + i % 45), enc, sizeof enc, hash, sizeof hash, mask, "full", now, now),
               "member row");
            if (i % 1000000 == 999999) printf("  members: %" PRId64 "\n", i + 1);
        }
    }
    ok(db_bulk_end(b), "members");
    ok(db_commit(D), "commit members");
}

static void ballot_row(db_bulk *b, int64_t round, const char *kind, int64_t target, int64_t org_id, int64_t n)
{
    gen_ballot g;
    gen_ballot_draw(&g, n);
    /* an invalid ballot (a repeat) has no key: a NULL blob is NULL */
    ok(db_bulk_row(b, "isiisssisbs", round, kind, target, org_id, g.channel, "party3", g.answers, (int64_t)g.valid, g.valid ? "" : "repeat",
                   g.valid ? g.key : NULL, sizeof g.key, g.day),
       "ballot row");
    if (n % 5000000 == 4999999) printf("  ballots: %" PRId64 "\n", n + 1);
}

/* Ballots in organisation order (each branch's member ballots, then the branch's own). */
static void make_ballots(const tree *t, int64_t members, int64_t first_member, int64_t ballots, int64_t round)
{
    int64_t on_members = ballots / 10 * 9, on_orgs = ballots - on_members, n = 0;
    ok(db_begin(D, true), "begin");
    db_bulk *b = db_bulk_begin(D, "ballot", "round_id, target_kind, target_id, org_id, channel, questions, answers, valid, invalid_reason, "
                                            "rater_key, day");
    for (int64_t br = 0; br < t->nbranches; br++) {
        int64_t org_id = t->first_branch + br;
        for (int64_t m = members_before(t->nbranches, members, br); m < members_before(t->nbranches, members, br + 1); m++) {
            int64_t k = on_members / members + (m < on_members % members);
            while (k--) ballot_row(b, round, "member", first_member + m, org_id, n++);
        }
        int64_t k = on_orgs / t->nbranches + (br < on_orgs % t->nbranches);
        while (k--) ballot_row(b, round, "org", org_id, org_id, n++);
    }
    ok(db_bulk_end(b), "ballots");
    ok(db_commit(D), "commit ballots");
}

/* A self-review per member; a leader charge and (70 %) commentary per branch. */
static void make_reviews(const tree *t, int64_t members, int64_t first_member, int64_t round, int64_t leader, int64_t now)
{
    ok(db_begin(D, true), "begin");
    db_bulk *rv = db_bulk_begin(D, "review", "round_id, kind, target_member_id, target_org_id, reviewer_member_id, reviewer_user_id, levels, "
                                             "created_at, updated_at");
    db_bulk *ch = db_bulk_begin(D, "leader_charge", "round_id, user_id, target_kind, target_id, org_id, created_at");
    db_bulk *cm = db_bulk_begin(D, "commentary", "round_id, user_id, target_kind, target_id, org_id, level, achievements, problems, direction, "
                                                 "created_at, updated_at");
    for (int64_t br = 0; br < t->nbranches; br++) {
        int64_t org_id = t->first_branch + br;
        for (int64_t m = members_before(t->nbranches, members, br); m < members_before(t->nbranches, members, br + 1); m++)
            ok(db_bulk_row(rv, "isiiiisii", round, "self", first_member + m, org_id, first_member + m, leader, "11211", now, now), "review row");
        ok(db_bulk_row(ch, "iisiii", round, leader, "org", org_id, org_id, now), "charge row");
        if (rnd() % 100 < 70)
            ok(db_bulk_row(cm, "iisiiisssii", round, leader, "org", org_id, org_id, (int64_t)2, "肯定成绩", "指出问题", "明确方向", now, now),
               "commentary row");
    }
    ok(db_bulk_end(rv), "reviews");
    ok(db_bulk_end(ch), "charges");
    ok(db_bulk_end(cm), "commentary");
    ok(db_commit(D), "commit reviews");
}

/* A table's indexes and (PostgreSQL) foreign keys, dropped while it is loaded and made again
 * after from their own definitions, read back from the catalogue: one pass each instead of an
 * index update and a key look-up per row, which is how a bulk load is done. */
typedef struct def {
    char name[128], sql[640];
    bool fk;
} def;
typedef struct loading {
    const char *table;
    def d[16];
    int n;
} loading;

static void load_begin(loading *l, const char *table)
{
    bool pg = db_kind_of(D) == DB_PG;
    l->table = table;
    l->n = 0;
    db_stmt *s = db_prepare(D, pg ? "SELECT indexname, indexdef, 0 FROM pg_indexes WHERE tablename = ? AND indexname NOT LIKE '%pkey' "
                                    "UNION ALL SELECT conname, pg_get_constraintdef(oid), 1 FROM pg_constraint "
                                    "WHERE conrelid = ?::regclass AND contype = 'f' ORDER BY 3 DESC"
                                  : "SELECT name, sql, 0 FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL "
                                    "AND ? <> ''");
    if (!s) die("definitions");
    db_bind_text(s, 1, table);
    db_bind_text(s, 2, table);
    while (db_step(s) == DB_ROW && l->n < 16) {
        def *x = &l->d[l->n++];
        char name[101];
        snprintf(name, sizeof name, "%.100s", db_col_text(s, 0));
        memcpy(x->name, name, sizeof name);
        x->fk = db_col_i64(s, 2) != 0;
        if (x->fk) snprintf(x->sql, sizeof x->sql, "ALTER TABLE %s ADD CONSTRAINT %s %.500s", table, name, db_col_text(s, 1));
        else snprintf(x->sql, sizeof x->sql, "%.600s", db_col_text(s, 1));
    }
    db_done(s);
    char sql[300];
    for (int i = 0; i < l->n; i++) {
        if (l->d[i].fk) snprintf(sql, sizeof sql, "ALTER TABLE %s DROP CONSTRAINT %s", table, l->d[i].name);
        else snprintf(sql, sizeof sql, "DROP INDEX %s", l->d[i].name);
        ok(db_exec(D, sql), "drop index or key");
    }
}

/* Makes the indexes again, then the foreign keys (each checked in one pass over the table). */
static void load_end(loading *l)
{
    double t = now_s();
    for (int i = l->n - 1; i >= 0; i--) ok(db_exec(D, l->d[i].sql), l->d[i].sql);
    printf("  %s: %d indexes and keys made again in %.1f s\n", l->table, l->n, now_s() - t);
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: gen_p3 DB KEYFILE MEMBERS ORGS BALLOTS [SEED [CITIES DISTRICTS TOWNS]]\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    gen_name = "gen_p3";
    int64_t members = atoll(argv[3]), norgs = atoll(argv[4]), ballots = atoll(argv[5]);
    rng_state = argc > 6 ? strtoull(argv[6], NULL, 10) : 2011;
    tree tr = {.cities = argc > 7 ? atoll(argv[7]) : 16, .districts = argc > 8 ? atoll(argv[8]) : 10, .towns = argc > 9 ? atoll(argv[9]) : 12};
    int64_t min_orgs = 1 + tr.cities + tr.cities * tr.districts + tr.cities * tr.districts * tr.towns + 1;
    if (tr.cities < 1 || tr.districts < 1 || tr.towns < 1 || norgs < min_orgs || members < 1 || ballots < 0) {
        fprintf(stderr, "gen_p3: need CITIES, DISTRICTS, TOWNS ≥ 1, ORGS ≥ %" PRId64 " (one branch), MEMBERS ≥ 1, BALLOTS ≥ 0\n", min_orgs);
        return 2;
    }
    cx_err e = {0};
    if (crypto_boot() != CX_OK || crypto_key_load(argv[2], &e) != CX_OK) {
        fprintf(stderr, "gen_p3: key: %s\n", e.msg);
        return 1;
    }
    D = db_open(argv[1], &e);
    if (!D) {
        fprintf(stderr, "gen_p3: %s: %s\n", argv[1], e.msg);
        return 1;
    }
    bool pg = db_kind_of(D) == DB_PG;
    int64_t n = 0, leader = 0;
    ok(db_i64(D, &n, 0, "SELECT count(*) FROM org", ""), "count orgs");
    ok(db_i64(D, &leader, 0, "SELECT min(id) FROM app_user", ""), "user");
    if (n != 1 || !leader) {
        fprintf(stderr, "gen_p3: expected a database from `cxzy init --root … --admin …` (one org, one user)\n");
        return 1;
    }
    /* a generated load: a crash means generating again */
    ok(db_exec(D, pg ? "SET synchronous_commit = off; SET maintenance_work_mem = '512MB'"
                     : "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-262144; PRAGMA foreign_keys=OFF;"),
       "settings");
    int64_t now = now_unix();
    double t0 = now_s(), t = t0;
    make_tree(&tr, norgs, now);
    printf("organisations: %" PRId64 " (1 root, %" PRId64 " cities, %" PRId64 " districts, %" PRId64 " towns, %" PRId64 " branches) in %.1f s\n",
           norgs, tr.cities, tr.cities * tr.districts, tr.ntowns, tr.nbranches, now_s() - t);
    t = now_s();
    int64_t first_member = reserve_ids("member", members);
    loading lm;
    load_begin(&lm, "member");
    make_members(&tr, members, first_member, now);
    load_end(&lm);
    printf("members: %" PRId64 " in %.1f s\n", members, now_s() - t);

    int64_t campaign_id = 0, round = 0;
    campaign_ok camp;
    if (campaign_check(&(campaign_in){"创先争优比贡献（省级基准）", "2010-04-01", "2012-06-30"}, &camp, &e) != CX_OK ||
        campaign_create(D, &actor_cli, 1, &camp, &campaign_id, &e) != CX_OK) {
        fprintf(stderr, "gen_p3: campaign: %s\n", e.msg);
        return 1;
    }
    ok(db_i64(D, &round, 0, "INSERT INTO review_round (campaign_id, org_id, name, period_start, period_end, questions, status, created_at) "
                            "VALUES (?, 1, '2011年上半年', '2011-01-01', '2011-06-30', 'party3', 'open', ?) RETURNING id",
              "ii", campaign_id, now),
       "insert round");

    loading lb, lr;
    t = now_s();
    load_begin(&lb, "ballot");
    make_ballots(&tr, members, first_member, ballots, round);
    load_end(&lb);
    printf("ballots: %" PRId64 " in %.1f s\n", ballots, now_s() - t);
    t = now_s();
    load_begin(&lr, "review");
    make_reviews(&tr, members, first_member, round, leader, now);
    load_end(&lr);
    printf("self-reviews: %" PRId64 "; leader charges: %" PRId64 " (70%% with commentary) in %.1f s\n", members, tr.nbranches, now_s() - t);
    if (pg) {
        t = now_s();
        ok(db_exec(D, "ANALYZE"), "analyze");
        printf("ANALYZE in %.1f s\n", now_s() - t);
    }
    printf("generated in %.1f s\n", now_s() - t0);
    printf("round %" PRId64 "\n", round);
    free(tr.path);
    db_close(D);
    return 0;
}
