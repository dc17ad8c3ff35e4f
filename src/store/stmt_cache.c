/* stmt_cache.c: open-addressing hash map from SQL text to prepared statement. */
#include "stmt_cache.h"
#include "../lib/util.h"
#include <stdlib.h>
#include <string.h>

static size_t hash(const char *s) { return (size_t)fnv1a_str(s); }

void *stmt_cache_get(stmt_cache *c, const char *sql)
{
    if (!c->cap) return NULL;
    for (size_t i = hash(sql) & (c->cap - 1);; i = (i + 1) & (c->cap - 1)) {
        if (!c->slots[i].sql) return NULL;
        if (strcmp(c->slots[i].sql, sql) == 0) return c->slots[i].stmt;
    }
}

static void insert(stmt_cache *c, char *sql, void *stmt)
{
    size_t i = hash(sql) & (c->cap - 1);
    while (c->slots[i].sql) i = (i + 1) & (c->cap - 1);
    c->slots[i].sql = sql;
    c->slots[i].stmt = stmt;
}

void stmt_cache_put(stmt_cache *c, const char *sql, void *stmt)
{
    if ((c->n + 1) * 2 > c->cap) {
        size_t old = c->cap;
        __typeof__(c->slots) slots = c->slots;
        c->cap = old ? old * 2 : 64;
        c->slots = xcalloc(c->cap, sizeof *c->slots);
        for (size_t i = 0; i < old; i++)
            if (slots[i].sql) insert(c, slots[i].sql, slots[i].stmt);
        free(slots);
    }
    insert(c, xstrdup(sql), stmt);
    c->n++;
}

void stmt_cache_free(stmt_cache *c, void (*fn)(void *stmt))
{
    for (size_t i = 0; i < c->cap; i++)
        if (c->slots[i].sql) {
            fn(c->slots[i].stmt);
            free(c->slots[i].sql);
        }
    free(c->slots);
    c->slots = NULL;
    c->cap = c->n = 0;
}
