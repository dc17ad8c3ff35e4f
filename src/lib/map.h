/* map.h: the one growing hash map (open addressing, linear probing, at most half full), keyed by
 * text or by a nonzero 64-bit integer: prepared statements by their SQL, a roster's 所在党组织 names,
 * the 身份证号 seen in a roster file. One map holds one kind of key. (The bounded caches that forget
 * — the page cache, the password gate's addresses, connections per address — are tables of their
 * own: they evict rather than grow.) */
#ifndef CX_MAP_H
#define CX_MAP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct map_slot {
    uint64_t h; /* text: its hash | 1; integer: the key; 0: empty */
    char *key;  /* text keys: a copy; NULL for integer keys */
    union {
        void *p;
        int64_t i;
    } v;
} map_slot;

typedef struct map {
    map_slot *slot;
    size_t cap, n;
} map;

/* The value slot of key, or NULL when absent. */
void *map_get(const map *m, const char *key);
/* The entry of a text key (its key: the map's own copy, kept until map_free), or NULL when absent. */
const map_slot *map_find(const map *m, const char *key);
/* The value of key; when absent it is added with a NULL value and *added is set. */
void **map_put(map *m, const char *key, bool *added);
/* Integer keys (nonzero): the value slot, added as 0 when absent (*added set). */
int64_t *map_put_int(map *m, uint64_t key, bool *added);
/* Calls fn (when given) on every value of a text-keyed map, then frees the map; it is empty after. */
void map_free(map *m, void (*fn)(void *val));
#endif
