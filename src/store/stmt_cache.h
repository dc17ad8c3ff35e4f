/* stmt_cache.h: per-connection map from SQL text to a backend statement (private to db_*.c). */
#ifndef CX_STMT_CACHE_H
#define CX_STMT_CACHE_H
#include <stddef.h>

typedef struct stmt_cache {
    struct { char *sql; void *stmt; } *slots;
    size_t cap, n;
} stmt_cache;

void *stmt_cache_get(stmt_cache *c, const char *sql);
/* Stores stmt under a copy of sql. */
void stmt_cache_put(stmt_cache *c, const char *sql, void *stmt);
/* Calls fn on every stored statement, then frees the cache. */
void stmt_cache_free(stmt_cache *c, void (*fn)(void *stmt));
#endif
