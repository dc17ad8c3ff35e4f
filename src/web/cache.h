/* cache.h: rendered public pages kept in memory, keyed by URL and valid for one ETag (the
 * version of what the page shows), so an unchanged card costs at most one small version query
 * instead of rendering (none while nothing was written: page_cache_recent). Bounded by bytes (`cxzy serve --page-cache MB`): a new page pushes out the
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
/* A page handed out of the cache, shared with it: its bytes stay as they are until
 * page_cache_release(hold), even when the cache forgets the page meanwhile (an answer being sent
 * holds its page so; no copy is made). */
typedef struct page_ref {
    const char *body;
    size_t len;
    void *hold;
} page_ref;
/* Lets go of a page_ref's hold (NULL: nothing); the free callback of an answer sent from it. */
void page_cache_release(void *hold);
/* Hands out the page stored for key with exactly this etag into out and copies its type into mime;
 * false when there is none. gen is the write generation read before the etag was computed and day
 * the date then ("YYYY-MM-DD"): the entry is marked validated at them. */
bool page_cache_get(const char *key, const char *etag, uint64_t gen, const char day[11], page_ref *out, char mime[64]);
/* Stores a copy of body (of type mime) for key and etag, validated at write generation gen on day. */
void page_cache_put(const char *key, const char *etag, uint64_t gen, const char day[11], const char *mime, const char *body, size_t len);
/* Without asking the database: the page for key when it was validated at the current write
 * generation gen, on the same day (a page whose content changes with the date alone, such as a
 * pledge becoming overdue, carries the date in its etag) and less than window seconds ago
 * (INFINITY: no bound; PAGE_CACHE_TRUST where another process's commit may reach this one's
 * generation late). Hands out the body, copies type and etag; false otherwise. */
#define PAGE_CACHE_TRUST 1.0
bool page_cache_recent(const char *key, uint64_t gen, const char day[11], double window, page_ref *out, char mime[64], char etag[64]);
/* The bytes held now (pages into *pages when given). */
size_t page_cache_bytes(size_t *pages);
#endif
