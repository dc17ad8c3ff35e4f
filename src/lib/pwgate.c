/* pwgate.c: admission to password hashing (see pwgate.h). */
#include "pwgate.h"
#include "util.h"
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NADDR 4096 /* addresses remembered; the stalest is forgotten first */
#define PROBE 8

typedef struct addr_bucket {
    char addr[48];
    double tokens;
    double at; /* when tokens was last brought up to date */
} addr_bucket;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int slots, busy, extra;
static addr_bucket table[NADDR];
static double calm_tokens = PWGATE_CALM_BURST, calm_at;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void pwgate_configure(int n, int more)
{
    pthread_mutex_lock(&mu);
    if (n <= 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        n = cores > 1 ? (int)(cores / 2) : 1;
    }
    slots = n;
    extra = more > n ? more - n : 0;
    pthread_mutex_unlock(&mu);
}

static uint32_t hash(const char *s) { return (uint32_t)fnv1a_str(s); }

/* addr's bucket, brought up to date (mu held); a new address takes the stalest of its probes. */
static addr_bucket *bucket(const char *addr, double t)
{
    uint32_t h = hash(addr);
    addr_bucket *oldest = NULL;
    double oldest_full = 0;
    for (int i = 0; i < PROBE; i++) {
        addr_bucket *b = &table[(h + (uint32_t)i) % NADDR];
        if (b->addr[0] && !strcmp(b->addr, addr)) {
            b->tokens += (t - b->at) / PWGATE_ADDR_REFILL;
            if (b->tokens > PWGATE_ADDR_BURST) b->tokens = PWGATE_ADDR_BURST;
            b->at = t;
            return b;
        }
        /* when the bucket is (or was) full again: a full bucket is as good as forgotten */
        double full = b->addr[0] ? b->at + (PWGATE_ADDR_BURST - b->tokens) * PWGATE_ADDR_REFILL : -1;
        if (!oldest || full < oldest_full) oldest = b, oldest_full = full;
    }
    snprintf(oldest->addr, sizeof oldest->addr, "%s", addr);
    oldest->tokens = PWGATE_ADDR_BURST;
    oldest->at = t;
    return oldest;
}

static void calm_update(double t)
{
    calm_tokens += (t - calm_at) / PWGATE_CALM_REFILL;
    if (calm_tokens > PWGATE_CALM_BURST) calm_tokens = PWGATE_CALM_BURST;
    calm_at = t;
}

int pwgate_enter(const char *addr)
{
    if (!addr) addr = "";
    pthread_mutex_lock(&mu);
    if (!slots) {
        pthread_mutex_unlock(&mu);
        pwgate_configure(0, 1);
        pthread_mutex_lock(&mu);
    }
    double t = now_s();
    calm_update(t);
    addr_bucket *b = bucket(addr, t);
    if (b->tokens < 1) {
        int wait = (int)((1 - b->tokens) * PWGATE_ADDR_REFILL) + 1;
        pthread_mutex_unlock(&mu);
        return wait;
    }
    /* Nobody waits (a waiting worker serves nobody else meanwhile). Past the slots, only a clean
     * address in calm times may hash at once. */
    bool clean = b->tokens >= PWGATE_ADDR_BURST - 0.5, calm = calm_tokens >= PWGATE_CALM_BURST - 5;
    if (busy >= slots && (!clean || !calm || busy >= slots + extra)) {
        pthread_mutex_unlock(&mu);
        return 1;
    }
    busy++;
    pthread_mutex_unlock(&mu);
    return 0;
}

void pwgate_leave(const char *addr, bool failed)
{
    if (!addr) addr = "";
    pthread_mutex_lock(&mu);
    busy--;
    if (failed) {
        double t = now_s();
        calm_update(t);
        addr_bucket *b = bucket(addr, t);
        b->tokens -= 1;
        calm_tokens -= 1;
    }
    pthread_mutex_unlock(&mu);
}
