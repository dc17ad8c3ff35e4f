/* pwhash.c: argon2id's own rate on this machine, as cxzy hashes passwords (crypto_pw_hash: m = 19 MiB,
 * t = 2): N hashes on each of T threads, printed as hashes per second. The limit bulk accounts
 * would meet if they hashed a password per member (activation codes avoid it).
 * Usage: pwhash [N per thread] [threads] */
#include "../../src/lib/crypto.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int per_thread = 10;

static void *work(void *arg)
{
    char hash[128], pw[32];
    for (int i = 0; i < per_thread; i++) {
        snprintf(pw, sizeof pw, "bench-pass-%d-%ld", i, (long)(intptr_t)arg);
        if (crypto_pw_hash(pw, hash) != CX_OK) abort();
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc > 1) per_thread = atoi(argv[1]);
    int threads = argc > 2 ? atoi(argv[2]) : 1;
    if (per_thread < 1 || threads < 1 || threads > 64 || crypto_boot() != CX_OK) return 2;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pthread_t t[64];
    for (int i = 0; i < threads; i++) pthread_create(&t[i], NULL, work, (void *)(intptr_t)i);
    for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("%.1f\n", per_thread * threads / secs);
    return 0;
}
