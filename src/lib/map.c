/* map.c: the one growing hash map (see map.h). */
#include "map.h"
#include "util.h"
#include <stdlib.h>
#include <string.h>

static uint64_t mix(uint64_t k) { return k * 0x9E3779B97F4A7C15ULL; }

/* The slot holding (h, key), or the empty slot where it would go. */
static map_slot *find(const map *m, uint64_t h, const char *key)
{
    size_t mask = m->cap - 1;
    for (size_t i = mix(h) & mask;; i = (i + 1) & mask) {
        map_slot *s = &m->slot[i];
        if (!s->h) return s;
        if (s->h == h && (!key || !strcmp(s->key, key))) return s;
    }
}

/* Room for one more entry: doubles the table when it would pass half full. */
static void reserve(map *m)
{
    if ((m->n + 1) * 2 <= m->cap) return;
    map old = *m;
    m->cap = old.cap ? old.cap * 2 : 64;
    m->slot = xcalloc(m->cap, sizeof *m->slot);
    for (size_t i = 0; i < old.cap; i++)
        if (old.slot[i].h) {
            size_t j = mix(old.slot[i].h) & (m->cap - 1); /* keys are unique: the first empty slot */
            while (m->slot[j].h) j = (j + 1) & (m->cap - 1);
            m->slot[j] = old.slot[i];
        }
    free(old.slot);
}

static uint64_t text_hash(const char *key) { return fnv1a_str(key) | 1; }

const map_slot *map_find(const map *m, const char *key)
{
    if (!m->cap) return NULL;
    map_slot *s = find(m, text_hash(key), key);
    return s->h ? s : NULL;
}

void *map_get(const map *m, const char *key)
{
    const map_slot *s = map_find(m, key);
    return s ? s->v.p : NULL;
}

void **map_put(map *m, const char *key, bool *added)
{
    reserve(m);
    uint64_t h = text_hash(key);
    map_slot *s = find(m, h, key);
    *added = !s->h;
    if (*added) {
        *s = (map_slot){.h = h, .key = xstrdup(key)};
        m->n++;
    }
    return &s->v.p;
}

int64_t *map_put_int(map *m, uint64_t key, bool *added)
{
    reserve(m);
    map_slot *s = find(m, key, NULL);
    *added = !s->h;
    if (*added) {
        *s = (map_slot){.h = key};
        m->n++;
    }
    return &s->v.i;
}

void map_free(map *m, void (*fn)(void *val))
{
    for (size_t i = 0; i < m->cap; i++)
        if (m->slot[i].h) {
            if (fn) fn(m->slot[i].v.p);
            free(m->slot[i].key);
        }
    free(m->slot);
    *m = (map){0};
}
