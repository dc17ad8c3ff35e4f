/* cache.c: a direct-mapped cache of rendered public pages (see cache.h). */
#include "cache.h"
#include "../lib/util.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SLOTS 4096
#define MAX_BODY (256 * 1024)

typedef struct slot {
    pthread_mutex_t mu;
    char key[160], etag[64], mime[64];
    char *body;
    size_t len;
    uint64_t gen;   /* write generation at which it was last validated */
    double checked; /* monotonic time of that validation */
} slot;

static double now_mono(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static slot slots[SLOTS];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init(void)
{
    for (int i = 0; i < SLOTS; i++) pthread_mutex_init(&slots[i].mu, NULL);
}

static slot *slot_for(const char *key)
{
    return &slots[fnv1a_str(key) % SLOTS];
}

bool page_cache_get(const char *key, const char *etag, uint64_t gen, buf *out, char mime[64])
{
    pthread_once(&once, init);
    slot *s = slot_for(key);
    bool hit = false;
    pthread_mutex_lock(&s->mu);
    if (s->body && !strcmp(s->key, key) && !strcmp(s->etag, etag)) {
        buf_reset(out);
        buf_add(out, s->body, s->len);
        memcpy(mime, s->mime, sizeof s->mime);
        s->gen = gen;
        s->checked = now_mono();
        hit = true;
    }
    pthread_mutex_unlock(&s->mu);
    return hit;
}

void page_cache_put(const char *key, const char *etag, uint64_t gen, const char *mime, const char *body, size_t len)
{
    if (strlen(key) >= sizeof slots[0].key || strlen(etag) >= sizeof slots[0].etag || strlen(mime) >= sizeof slots[0].mime ||
        len > MAX_BODY)
        return;
    pthread_once(&once, init);
    slot *s = slot_for(key);
    char *copy = xmalloc(len);
    memcpy(copy, body, len);
    pthread_mutex_lock(&s->mu);
    free(s->body);
    s->body = copy;
    s->len = len;
    strcpy(s->key, key);
    strcpy(s->etag, etag);
    strcpy(s->mime, mime);
    s->gen = gen;
    s->checked = now_mono();
    pthread_mutex_unlock(&s->mu);
}

bool page_cache_recent(const char *key, uint64_t gen, buf *out, char mime[64], char etag[64])
{
    pthread_once(&once, init);
    slot *s = slot_for(key);
    bool hit = false;
    pthread_mutex_lock(&s->mu);
    if (s->body && !strcmp(s->key, key) && s->gen == gen && now_mono() - s->checked < PAGE_CACHE_TRUST) {
        buf_reset(out);
        buf_add(out, s->body, s->len);
        memcpy(mime, s->mime, sizeof s->mime);
        memcpy(etag, s->etag, sizeof s->etag);
        hit = true;
    }
    pthread_mutex_unlock(&s->mu);
    return hit;
}
