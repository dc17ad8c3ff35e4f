/* stmt_cache.h: per-connection map from SQL text to a backend statement (private to db_*.c): the
 * one hash map of lib/map.h, keyed by the SQL. */
#ifndef CX_STMT_CACHE_H
#define CX_STMT_CACHE_H
#include "../lib/map.h"

typedef map stmt_cache;

static inline void *stmt_cache_get(stmt_cache *c, const char *sql) { return map_get(c, sql); }
/* Stores stmt under a copy of sql (not already there). */
static inline void stmt_cache_put(stmt_cache *c, const char *sql, void *stmt)
{
    bool added;
    *map_put(c, sql, &added) = stmt;
}
/* Calls fn on every stored statement, then frees the cache. */
static inline void stmt_cache_free(stmt_cache *c, void (*fn)(void *stmt)) { map_free(c, fn); }
#endif
