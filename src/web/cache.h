/* cache.h: rendered public pages kept in memory, keyed by URL and valid for one ETag (the
 * version of what the page shows), so an unchanged card costs one small version query and a copy
 * instead of rendering. Fixed size (direct-mapped), thread-safe, never stale: a changed version
 * simply misses. */
#ifndef CX_CACHE_H
#define CX_CACHE_H
#include <stdbool.h>
#include <stddef.h>
#include "../lib/buf.h"

/* Copies the page stored for key with exactly this etag into out and its type into mime;
 * false when there is none. */
bool page_cache_get(const char *key, const char *etag, buf *out, char mime[64]);
/* Stores a copy of body (of type mime) for key and etag, replacing whatever the slot held. */
void page_cache_put(const char *key, const char *etag, const char *mime, const char *body, size_t len);
#endif
