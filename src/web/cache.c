/* cache.c: rendered public pages, bounded by their bytes (see cache.h). The pages are spread
 * over SHARDS shards by their key's hash, each with its own lock, hash chains and recency list,
 * and each holding at most a SHARDS-th of the bound: a page stored into a full shard pushes out
 * that shard's least recently used pages, by second chance (CLOCK): a hit only marks its page
 * used, and the oldest page, when it was used since it was last passed over, is made the newest
 * unmarked instead of going. A hit so touches its own entry alone, never its neighbours' in the
 * list (measured: moving each hit to the front was a third of the lookup's time over 20,000 cards). */
#include "cache.h"
#include "../lib/util.h"
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SHARDS 16
#define MAX_BODY (256 * 1024)

typedef struct entry {
    /* what a lookup and a hit read, first */
    struct entry *chain; /* the next in its hash bucket (and in a list of entries to let go) */
    uint64_t h;
    uint64_t gen;        /* write generation at which it was last validated */
    double checked;      /* monotonic time of that validation */
    int refs;            /* atomic: the cache's own while the entry is in it, one per page_ref handed out */
    bool used;           /* hit since the eviction last passed it over (second chance) */
    char day[11];        /* the date of that validation */
    size_t len;
    char *body;          /* after the key, in the same allocation */
    struct entry *older, *newer; /* the shard's recency list */
    size_t cost;
    char etag[64], mime[64];
    char key[];
} entry;

typedef struct shard {
    pthread_mutex_t mu;
    entry **bucket;
    size_t nbucket, n, bytes;
    entry *newest, *oldest;
} shard;

static shard shards[SHARDS];
static size_t limit = (size_t)PAGE_CACHE_DEFAULT_MB << 20;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static double now_mono(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void init(void)
{
    for (int i = 0; i < SHARDS; i++) pthread_mutex_init(&shards[i].mu, NULL);
}

void page_cache_limit(size_t bytes) { limit = bytes; }

static shard *shard_of(uint64_t h) { return &shards[h % SHARDS]; }
static entry **bucket_of(shard *s, uint64_t h) { return &s->bucket[(h / SHARDS) & (s->nbucket - 1)]; }

static entry *find(shard *s, uint64_t h, const char *key)
{
    if (!s->nbucket) return NULL;
    for (entry *e = *bucket_of(s, h); e; e = e->chain)
        if (e->h == h && !strcmp(e->key, key)) return e;
    return NULL;
}

static void unlink_lru(shard *s, entry *e)
{
    *(e->older ? &e->older->newer : &s->oldest) = e->newer;
    *(e->newer ? &e->newer->older : &s->newest) = e->older;
}

static void link_newest(shard *s, entry *e)
{
    e->older = s->newest, e->newer = NULL;
    *(s->newest ? &s->newest->newer : &s->oldest) = e;
    s->newest = e;
}

/* Takes e out of the shard (its chain, its list and its bytes); the caller frees it. */
static void drop(shard *s, entry *e)
{
    entry **p = bucket_of(s, e->h);
    while (*p != e) p = &(*p)->chain;
    *p = e->chain;
    unlink_lru(s, e);
    s->n--, s->bytes -= e->cost;
}

static void grow(shard *s)
{
    size_t nb = s->nbucket ? s->nbucket * 2 : 64;
    entry **old = s->bucket;
    size_t on = s->nbucket;
    s->bucket = xcalloc(nb, sizeof *s->bucket);
    s->nbucket = nb;
    for (size_t i = 0; i < on; i++)
        for (entry *e = old[i], *next; e; e = next) {
            next = e->chain;
            entry **b = bucket_of(s, e->h);
            e->chain = *b, *b = e;
        }
    free(old);
}

/* A hit: the body handed out (one more reference), its type copied, and the page marked used. */
static void hand_out(entry *e, page_ref *out, char mime[64])
{
    __atomic_add_fetch(&e->refs, 1, __ATOMIC_RELAXED);
    *out = (page_ref){e->body, e->len, e};
    strcpy(mime, e->mime);
    e->used = true;
}

void page_cache_release(void *hold)
{
    entry *e = hold;
    if (e && __atomic_sub_fetch(&e->refs, 1, __ATOMIC_ACQ_REL) == 0) free(e);
}

/* Lets go of the entries taken out of a shard (after its lock): each is freed once no answer
 * being sent holds it. */
static void let_go(entry *gone)
{
    while (gone) {
        entry *next = gone->chain;
        page_cache_release(gone);
        gone = next;
    }
}

/* The entry was found current at gen on day. */
static void validated(entry *e, uint64_t gen, const char day[11])
{
    e->gen = gen;
    e->checked = now_mono();
    memcpy(e->day, day, sizeof e->day);
}

bool page_cache_get(const char *key, const char *etag, uint64_t gen, const char day[11], page_ref *out, char mime[64])
{
    pthread_once(&once, init);
    uint64_t h = fnv1a_str(key);
    shard *s = shard_of(h);
    pthread_mutex_lock(&s->mu);
    entry *e = find(s, h, key);
    bool hit = e && !strcmp(e->etag, etag);
    if (hit) {
        hand_out(e, out, mime);
        validated(e, gen, day);
    }
    pthread_mutex_unlock(&s->mu);
    return hit;
}

void page_cache_put(const char *key, const char *etag, uint64_t gen, const char day[11], const char *mime, const char *body, size_t len)
{
    pthread_once(&once, init);
    uint64_t h = fnv1a_str(key);
    shard *s = shard_of(h);
    size_t kn = strlen(key) + 1, cost = sizeof(entry) + kn + len;
    entry *e = NULL;
    /* what does not fit is not kept, and the page it replaces goes (it is no longer current) */
    if (strlen(etag) < sizeof e->etag && strlen(mime) < sizeof e->mime && len <= MAX_BODY && cost <= limit / SHARDS) {
        e = xmalloc(cost);
        e->h = h, e->len = len, e->cost = cost, e->refs = 1, e->used = false;
        validated(e, gen, day);
        strcpy(e->etag, etag);
        strcpy(e->mime, mime);
        memcpy(e->key, key, kn);
        e->body = e->key + kn;
        memcpy(e->body, body, len);
    }
    entry *gone = NULL; /* freed after the lock */
    pthread_mutex_lock(&s->mu);
    entry *old = find(s, h, key);
    if (old) drop(s, old), old->chain = gone, gone = old;
    if (e) {
        if (s->n >= s->nbucket) grow(s);
        entry **b = bucket_of(s, h);
        e->chain = *b, *b = e;
        link_newest(s, e);
        s->n++, s->bytes += cost;
        while (s->bytes > limit / SHARDS) {
            entry *v = s->oldest;
            if (v->used && v != e) { /* its second chance */
                v->used = false;
                unlink_lru(s, v);
                link_newest(s, v);
                continue;
            }
            drop(s, v), v->chain = gone, gone = v;
        }
    }
    pthread_mutex_unlock(&s->mu);
    let_go(gone);
}

bool page_cache_recent(const char *key, uint64_t gen, const char day[11], double window, page_ref *out, char mime[64], char etag[64])
{
    pthread_once(&once, init);
    uint64_t h = fnv1a_str(key);
    shard *s = shard_of(h);
    pthread_mutex_lock(&s->mu);
    entry *e = find(s, h, key);
    bool hit = e && e->gen == gen && !memcmp(e->day, day, sizeof e->day) && (window == INFINITY || now_mono() - e->checked < window);
    if (hit) {
        hand_out(e, out, mime);
        strcpy(etag, e->etag);
    }
    pthread_mutex_unlock(&s->mu);
    return hit;
}

size_t page_cache_bytes(size_t *pages)
{
    pthread_once(&once, init);
    size_t b = 0, n = 0;
    for (int i = 0; i < SHARDS; i++) {
        pthread_mutex_lock(&shards[i].mu);
        b += shards[i].bytes, n += shards[i].n;
        pthread_mutex_unlock(&shards[i].mu);
    }
    if (pages) *pages = n;
    return b;
}
