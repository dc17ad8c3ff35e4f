/* test_demo.c: unit tests of the demo district generator: determinism, counts, tree order, valid unique data. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "domain/demo.h"
#include "domain/idcard.h"
#include "lib/buf.h"
#include "lib/util.h"

/* ---- a small string set (open addressing, FNV-1a) ---- */

typedef struct strset {
    char **slot;
    size_t cap, n;
} strset;

static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static void set_init(strset *s, size_t expect)
{
    s->cap = 16;
    while (s->cap < expect * 2) s->cap *= 2;
    s->slot = xcalloc(s->cap, sizeof *s->slot);
    s->n = 0;
}

/* Adds str; false when it was already there. */
static bool set_add(strset *s, const char *str)
{
    if ((s->n + 1) * 2 > s->cap) {
        strset t;
        set_init(&t, s->cap);
        for (size_t i = 0; i < s->cap; i++)
            if (s->slot[i]) {
                size_t j = fnv(s->slot[i]) & (t.cap - 1);
                while (t.slot[j]) j = (j + 1) & (t.cap - 1);
                t.slot[j] = s->slot[i];
                t.n++;
            }
        free(s->slot);
        *s = t;
    }
    size_t j = fnv(str) & (s->cap - 1);
    for (; s->slot[j]; j = (j + 1) & (s->cap - 1))
        if (!strcmp(s->slot[j], str)) return false;
    s->slot[j] = xstrdup(str);
    s->n++;
    return true;
}

static void set_free(strset *s)
{
    for (size_t i = 0; i < s->cap; i++) free(s->slot[i]);
    free(s->slot);
}

/* ---- a recorder that checks every org and member as it arrives ---- */

static const char *const sectors[] = {"rural", "community", "government", "soe", "school", "hospital", "private", "social"};
#define NSECT 8

typedef struct rec {
    /* orgs by key: type letter ('c', 'g', 'b') */
    char *types;
    int64_t norgs, cap;
    int64_t nmembers, nprobationary;
    int64_t branches_by_sector[NSECT];
    int64_t members_by_sector[NSECT];
    char (*sector_of)[12];
    bool check_ids;       /* validate and de-duplicate ids and phones */
    bool check_names;     /* de-duplicate org names */
    strset ids, phones, names;
    buf first;            /* a transcript of the first members, for determinism */
    int64_t transcript_n; /* how many members to write into it */
    int64_t stop_org_at, stop_member_at; /* return 7 / 9 from that call (1-based), 0 = never */
    int64_t max_branch_members, cur_branch, cur_count;
} rec;

static int sector_index(const char *s)
{
    for (int i = 0; i < NSECT; i++)
        if (!strcmp(s, sectors[i])) return i;
    return -1;
}

static int on_org(void *ctx, const demo_org *o)
{
    rec *r = ctx;
    r->norgs++;
    if (r->stop_org_at && r->norgs == r->stop_org_at) return 7;
    assert_int_equal(o->key, r->norgs); /* keys are 1-based, in order */
    if (o->key == 1) {
        assert_int_equal(o->parent_key, 0);
        assert_string_equal(o->type, "committee");
        assert_non_null(strstr(o->name, "区委"));
    } else {
        /* the parent came before, and is not a branch */
        assert_true(o->parent_key >= 1 && o->parent_key < o->key);
        assert_true(r->types[o->parent_key] == 'c' || r->types[o->parent_key] == 'g');
    }
    int si = sector_index(o->sector);
    assert_true(si >= 0);
    char t = !strcmp(o->type, "committee") ? 'c' : !strcmp(o->type, "general_branch") ? 'g' : !strcmp(o->type, "branch") ? 'b' : '?';
    assert_true(t != '?');
    if (t == 'b') {
        assert_non_null(strstr(o->name, "党支部"));
        r->branches_by_sector[si]++;
    }
    if (t == 'g') assert_non_null(strstr(o->name, "党总支"));
    if (t == 'c') assert_true(strstr(o->name, "党委") || strstr(o->name, "工委") || strstr(o->name, "区委"));
    assert_true(utf8_valid(o->name, strlen(o->name)));
    if (o->key >= r->cap) {
        r->cap = r->cap ? r->cap * 2 : 1024;
        r->types = xrealloc(r->types, (size_t)r->cap);
        r->sector_of = xrealloc(r->sector_of, (size_t)r->cap * sizeof *r->sector_of);
    }
    r->types[o->key] = t;
    snprintf(r->sector_of[o->key], sizeof r->sector_of[0], "%s", o->sector);
    if (r->check_names && !set_add(&r->names, o->name)) fail_msg("duplicate org name %s", o->name);
    return 0;
}

static bool is_date(const char *s)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-') return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return false;
    return true;
}

/* "YYYY-MM-DD" plus n years; 29 February becomes 1 March in a common year. */
static void plus_years(const char *d, int n, char out[11])
{
    int y = atoi(d) + n, m = atoi(d + 5), day = atoi(d + 8);
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m == 2 && day == 29 && !leap) m = 3, day = 1;
    char tmp[40];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, day);
    memcpy(out, tmp, 10);
    out[10] = 0;
}

static int on_member(void *ctx, const demo_member *m)
{
    rec *r = ctx;
    r->nmembers++;
    if (r->stop_member_at && r->nmembers == r->stop_member_at) return 9;
    /* the member's org is a branch that was emitted before */
    assert_true(m->org_key >= 1 && m->org_key <= r->norgs);
    assert_int_equal(r->types[m->org_key], 'b');
    r->members_by_sector[sector_index(r->sector_of[m->org_key])]++;
    if (m->org_key != r->cur_branch) r->cur_branch = m->org_key, r->cur_count = 0;
    if (++r->cur_count > r->max_branch_members) r->max_branch_members = r->cur_count;

    size_t nl = utf8_len(m->name);
    assert_true(nl == 2 || nl == 3);
    assert_true(!strcmp(m->sex, "男") || !strcmp(m->sex, "女"));
    assert_true(m->ethnicity[0] && strstr(m->ethnicity, "族"));
    assert_true(is_date(m->birth_date));
    assert_true(strcmp(m->birth_date, "1950-01-01") >= 0 && strcmp(m->birth_date, "2004-12-31") <= 0);
    assert_int_equal(strlen(m->idcard), 18);
    assert_true(!strncmp(m->idcard, "41", 2)); /* Henan */
    if (r->check_ids) {
        char norm[19], b[11];
        cx_err e;
        if (idcard_validate(m->idcard, norm, &e) != CX_OK) fail_msg("%s: %s", m->idcard, e.msg);
        assert_string_equal(norm, m->idcard);
        idcard_birth(m->idcard, b);
        assert_string_equal(b, m->birth_date);
        assert_string_equal(m->sex, idcard_sex(m->idcard) == 1 ? "男" : "女");
        if (!set_add(&r->ids, m->idcard)) fail_msg("duplicate idcard %s", m->idcard);
        if (!set_add(&r->phones, m->phone)) fail_msg("duplicate phone %s", m->phone);
    }
    /* 11-digit mobiles 13x / 15x / 18x */
    assert_int_equal(strlen(m->phone), 11);
    assert_true(m->phone[0] == '1' && (m->phone[1] == '3' || m->phone[1] == '5' || m->phone[1] == '8'));
    char norm[32];
    assert_int_equal(phone_validate(m->phone, norm, NULL), CX_OK);
    assert_string_equal(norm, m->phone);

    /* 入党 at 18 or later, not after the as-of day; full a year later unless probationary */
    char adult[11], full[11];
    assert_true(is_date(m->joined_date));
    plus_years(m->birth_date, 18, adult);
    if (strcmp(m->joined_date, adult) < 0) fail_msg("joined %s, born %s", m->joined_date, m->birth_date);
    assert_true(strcmp(m->joined_date, DEMO_AS_OF) <= 0);
    if (!strcmp(m->status, "probationary")) {
        r->nprobationary++;
        assert_string_equal(m->full_date, "");
    } else {
        assert_string_equal(m->status, "full");
        plus_years(m->joined_date, 1, full);
        assert_string_equal(m->full_date, full);
        assert_true(strcmp(m->full_date, DEMO_AS_OF) <= 0);
    }
    assert_true(m->education[0] && m->post[0] && m->duties[0]);
    assert_true(utf8_valid(m->duties, strlen(m->duties)));

    if (r->nmembers <= r->transcript_n)
        buf_printf(&r->first, "%lld|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s\n", (long long)m->org_key, m->name, m->sex,
                   m->ethnicity, m->birth_date, m->idcard, m->phone, m->joined_date, m->full_date, m->education,
                   m->post, m->duties, m->status, r->sector_of[m->org_key]);
    return 0;
}

static void rec_init(rec *r, bool ids, bool names)
{
    memset(r, 0, sizeof *r);
    r->check_ids = ids;
    r->check_names = names;
    if (ids) set_init(&r->ids, 1024), set_init(&r->phones, 1024);
    if (names) set_init(&r->names, 1024);
    buf_init(&r->first);
}

static void rec_free(rec *r)
{
    if (r->check_ids) set_free(&r->ids), set_free(&r->phones);
    if (r->check_names) set_free(&r->names);
    buf_free(&r->first);
    free(r->types);
    free(r->sector_of);
}

static int run(rec *r, uint64_t seed, int64_t members)
{
    demo_cb cb = {r, on_org, on_member};
    return demo_generate(seed, members, &cb);
}

static void test_determinism(void **state)
{
    (void)state;
    rec a, b, c;
    rec_init(&a, false, false);
    rec_init(&b, false, false);
    rec_init(&c, false, false);
    a.transcript_n = b.transcript_n = c.transcript_n = 300;
    assert_int_equal(run(&a, 42, 3000), 0);
    assert_int_equal(run(&b, 42, 3000), 0);
    assert_int_equal(run(&c, 43, 3000), 0);
    assert_true(a.first.len > 1000);
    assert_string_equal(a.first.p, b.first.p);
    assert_int_equal(a.norgs, b.norgs);
    assert_true(strcmp(a.first.p, c.first.p) != 0);
    rec_free(&a);
    rec_free(&b);
    rec_free(&c);
}

static void test_exact_counts(void **state)
{
    (void)state;
    const int64_t sizes[] = {0, 1, 2, 10, 29, 31, 3000, 12345, 100000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        rec r;
        rec_init(&r, false, false);
        assert_int_equal(run(&r, 7 + i, sizes[i]), 0);
        assert_int_equal(r.nmembers, sizes[i]);
        /* every sector has its committee and at least one branch */
        for (int s = 0; s < NSECT; s++)
            if (r.branches_by_sector[s] < 1) fail_msg("members=%lld: no %s branch", (long long)sizes[i], sectors[s]);
        if (sizes[i] >= 3000) {
            int64_t branches = 0;
            for (int s = 0; s < NSECT; s++) {
                branches += r.branches_by_sector[s];
                assert_true(r.members_by_sector[s] > 0);
            }
            /* about 30 members a branch, none oversized */
            assert_true(sizes[i] / branches >= 25 && sizes[i] / branches <= 35);
            assert_true(r.max_branch_members <= 2 * sizes[i] / branches + 2);
        }
        rec_free(&r);
    }
}

static int count_only(void *ctx, const demo_member *m)
{
    rec *r = ctx;
    r->nmembers++;
    assert_int_equal(r->types[m->org_key], 'b');
    return 0;
}

static void test_one_million_count(void **state)
{
    (void)state;
    rec r;
    rec_init(&r, false, false);
    demo_cb cb = {&r, on_org, count_only};
    assert_int_equal(demo_generate(5, 1000000, &cb), 0);
    assert_int_equal(r.nmembers, 1000000);
    int64_t branches = 0;
    for (int s = 0; s < NSECT; s++) branches += r.branches_by_sector[s];
    assert_true(branches >= 1000000 / 35 && branches <= 1000000 / 25);
    rec_free(&r);
}

static void test_ids_phones_unique_and_valid(void **state)
{
    (void)state;
    rec r;
    rec_init(&r, true, true);
    assert_int_equal(run(&r, 2024, 20000), 0);
    assert_int_equal(r.nmembers, 20000);
    assert_int_equal(r.ids.n, 20000);
    assert_int_equal(r.phones.n, 20000);
    assert_int_equal(r.names.n, r.norgs);
    /* about 5% probationary */
    assert_true(r.nprobationary > 20000 * 3 / 100 && r.nprobationary < 20000 * 7 / 100);
    rec_free(&r);
}

static void test_org_names_unique_large(void **state)
{
    (void)state;
    rec r;
    rec_init(&r, false, true);
    demo_cb cb = {&r, on_org, NULL};
    assert_int_equal(demo_generate(99, 300000, &cb), 0);
    assert_int_equal(r.names.n, r.norgs);
    rec_free(&r);
}

static int stop_org(void *ctx, const demo_org *o)
{
    int *n = ctx;
    return ++*n == 5 ? 7 : 0;
}

static int count_member(void *ctx, const demo_member *m) { return 0; }

static void test_callbacks_stop(void **state)
{
    (void)state;
    rec r;
    rec_init(&r, false, false);
    r.stop_member_at = 100;
    assert_int_equal(run(&r, 1, 3000), 9);
    assert_int_equal(r.nmembers, 100);
    rec_free(&r);

    int n = 0;
    demo_cb cb = {&n, stop_org, count_member};
    assert_int_equal(demo_generate(1, 3000, &cb), 7);
    assert_int_equal(n, 5);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    demo_cb none = {NULL, NULL, NULL};
    assert_int_equal(demo_generate(1, 100, NULL), 0);
    assert_int_equal(demo_generate(1, 100, &none), 0);
    assert_int_equal(demo_generate(1, -1, &none), -1);
    assert_int_equal(demo_generate(1, DEMO_MAX_MEMBERS + 1, &none), -1);
}

/* The sectors look like themselves: villages in rural, 车间 in soe, 科 in hospital … */
typedef struct look {
    bool village, town_office, community_grid, department, school, hospital_dept, workshop, firm, union_branch,
        social_org;
    bool secretary, teacher, nurse, worker, grid_member;
} look;

static int look_org(void *ctx, const demo_org *o)
{
    look *l = ctx;
    if (strcmp(o->type, "branch")) return 0;
    if (!strcmp(o->sector, "rural") && strstr(o->name, "镇") && strstr(o->name, "村")) l->village = true;
    if (!strcmp(o->sector, "rural") && strstr(o->name, "镇机关党支部")) l->town_office = true;
    if (!strcmp(o->sector, "community") && strstr(o->name, "街道") && strstr(o->name, "社区")) l->community_grid = true;
    if (!strcmp(o->sector, "government") && strstr(o->name, "区财政局")) l->department = true;
    if (!strcmp(o->sector, "school") && (strstr(o->name, "中学") || strstr(o->name, "小学"))) l->school = true;
    if (!strcmp(o->sector, "hospital") && strstr(o->name, "区人民医院")) l->hospital_dept = true;
    if (!strcmp(o->sector, "soe") && strstr(o->name, "车间党支部")) l->workshop = true;
    if (!strcmp(o->sector, "private") && strstr(o->name, "有限公司")) l->firm = true;
    if (!strcmp(o->sector, "private") && strstr(o->name, "个体工商户联合党支部")) l->union_branch = true;
    if (!strcmp(o->sector, "social") && (strstr(o->name, "协会") || strstr(o->name, "事务所"))) l->social_org = true;
    return 0;
}

static int look_member(void *ctx, const demo_member *m)
{
    look *l = ctx;
    if (!strcmp(m->post, "村党支部书记")) l->secretary = true;
    if (!strcmp(m->post, "教师") || !strcmp(m->post, "班主任")) l->teacher = true;
    if (!strcmp(m->post, "护士")) l->nurse = true;
    if (!strcmp(m->post, "车间主任") || !strcmp(m->post, "技术员")) l->worker = true;
    if (!strcmp(m->post, "网格员")) l->grid_member = true;
    return 0;
}

static void test_realistic_structure(void **state)
{
    (void)state;
    look l;
    memset(&l, 0, sizeof l);
    demo_cb cb = {&l, look_org, look_member};
    assert_int_equal(demo_generate(3, 30000, &cb), 0);
    assert_true(l.village && l.town_office && l.community_grid && l.department && l.school && l.hospital_dept);
    assert_true(l.workshop && l.firm && l.union_branch && l.social_org);
    assert_true(l.secretary && l.teacher && l.nurse && l.worker && l.grid_member);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_determinism),           cmocka_unit_test(test_exact_counts),
        cmocka_unit_test(test_one_million_count),     cmocka_unit_test(test_ids_phones_unique_and_valid),
        cmocka_unit_test(test_org_names_unique_large), cmocka_unit_test(test_callbacks_stop),
        cmocka_unit_test(test_bad_arguments),         cmocka_unit_test(test_realistic_structure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
