/* cache.h: rendered public pages kept in memory, keyed by URL and valid for one ETag (the
 * version of what the page shows), so an unchanged card costs one small version query and a copy
 * instead of rendering. Bounded by bytes (`cxzy serve --page-cache MB`): a new page pushes out the
 * least recently used ones. Thread-safe, never stale: a changed version simply misses. */
#ifndef CX_CACHE_H
#define CX_CACHE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../lib/buf.h"

/* The bound when none is set: the cards of a district (~1.6 KB each) several times over. */
#define PAGE_CACHE_DEFAULT_MB 64
/* Sets the bound, in bytes of pages with their keys and bookkeeping (0: nothing is kept); before
 * the server starts. A page larger than a sixteenth of it is not kept. */
void page_cache_limit(size_t bytes);
/* Copies the page stored for key with exactly this etag into out and its type into mime;
 * false when there is none. gen is the write generation read before the etag was computed: the
 * entry is marked validated at it. */
bool page_cache_get(const char *key, const char *etag, uint64_t gen, buf *out, char mime[64]);
/* Stores a copy of body (of type mime) for key and etag, validated at write generation gen. */
void page_cache_put(const char *key, const char *etag, uint64_t gen, const char *mime, const char *body, size_t len);
/* Without asking the database: the page for key when it was validated less than
 * PAGE_CACHE_TRUST seconds ago and no write has been committed by this process since (gen is the
 * current generation). Copies body, type and etag; false otherwise. The window bounds how long a
 * write by another process (a command-line import, another server) can go unseen. */
#define PAGE_CACHE_TRUST 1.0
bool page_cache_recent(const char *key, uint64_t gen, buf *out, char mime[64], char etag[64]);
/* The bytes held now (pages into *pages when given). */
size_t page_cache_bytes(size_t *pages);
#endif
