/* gen_common.h: what the dashboard generators (bench/dashboard/gen_dashboard.c on SQLite,
 * bench/p3_pg/gen_p3.c on both backends) share: the seeded random numbers, the clock, the one
 * database and its error exit, members spread over branches and one public ballot's drawn values.
 * Static functions: each generator is one file including this once. */
#ifndef CX_BENCH_GEN_COMMON_H
#define CX_BENCH_GEN_COMMON_H
#include "store/store.h"
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static const char *gen_name = "gen"; /* the program, in error messages */
static db *D;
static void die(const char *what)
{
    fprintf(stderr, "%s: %s: %s\n", gen_name, what, D ? db_errmsg(D) : "");
    exit(1);
}
static void ok(int rc, const char *what)
{
    if (rc != CX_OK) die(what);
}

/* Members spread evenly over nbranches branches: those of branch b (0-based) are the members
 * [members_before(b), members_before(b + 1)) in order. */
static int64_t members_before(int64_t nbranches, int64_t members, int64_t b)
{
    int64_t base = members / nbranches, extra = members % nbranches;
    return b * base + (b < extra ? b : extra);
}

/* One public ballot's values, drawn: about 3 % invalid (a repeat, no key), answers to the three
 * questions 70 / 22 / 8 % 满意 / 基本满意 / 不满意, a day in 2011's first half, a 16-byte rater
 * key, the channel by turn (n). */
typedef struct gen_ballot {
    bool valid;
    char answers[4], day[11];
    unsigned char key[16];
    const char *channel;
} gen_ballot;

static void gen_ballot_draw(gen_ballot *g, int64_t n)
{
    static const char *const channels[] = {"qr", "web", "paper", "phone"};
    uint64_t r = rnd();
    g->valid = r % 100 >= 3;
    for (int q = 0; q < 3; q++) {
        unsigned v = (unsigned)((r >> (8 + 8 * q)) % 100);
        g->answers[q] = v < 70 ? '1' : v < 92 ? '2' : '3';
    }
    g->answers[3] = 0;
    snprintf(g->day, sizeof g->day, "2011-%02d-%02d", (int)(1 + (r >> 40) % 6), (int)(1 + (r >> 48) % 28));
    uint64_t k1 = rnd(), k2 = rnd();
    memcpy(g->key, &k1, 8);
    memcpy(g->key + 8, &k2, 8);
    g->channel = channels[n % 4];
}
#endif
