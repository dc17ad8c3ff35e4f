/* stmt_cache.h: per-connection map from SQL text to a backend statement (private to db_*.c): the
 * one hash map of lib/map.h, keyed by the SQL, and the last statement found, compared by its text
 * before the SQL is hashed (a statement asked for a million times in a row: an import's insert). */
#ifndef CX_STMT_CACHE_H
#define CX_STMT_CACHE_H
#include "../lib/map.h"
#include <string.h>

typedef struct stmt_cache {
    map m;
    const char *last_sql; /* the map's copy of the last SQL found, and its statement */
    void *last;
} stmt_cache;

static inline void *stmt_cache_get(stmt_cache *c, const char *sql)
{
    if (c->last && !strcmp(sql, c->last_sql)) return c->last;
    const map_slot *s = map_find(&c->m, sql);
    if (!s) return NULL;
    c->last_sql = s->key;
    c->last = s->v.p;
    return c->last;
}
/* Stores stmt under a copy of sql (not already there). */
static inline void stmt_cache_put(stmt_cache *c, const char *sql, void *stmt)
{
    bool added;
    *map_put(&c->m, sql, &added) = stmt;
}
/* Calls fn on every stored statement, then frees the cache. */
static inline void stmt_cache_free(stmt_cache *c, void (*fn)(void *stmt))
{
    map_free(&c->m, fn);
    c->last = NULL;
    c->last_sql = NULL;
}
#endif
