/* orgpath.h: materialized paths of the organisation tree ("/1/7/42/": the ids from the root
 * down, each followed by '/'). Pure string arithmetic; the store runs the matching SQL. */
#ifndef CX_ORGPATH_H
#define CX_ORGPATH_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The exclusive upper bound of a subtree's range: "/1/7/" → "/1/70" ('0' is '/' + 1), so
 * path >= P AND path < end covers exactly P's subtree. out must hold strlen(path)+1 bytes. */
void orgpath_end(const char *path, char *out, size_t cap);
/* The path of child id under parent ("/" + id + "/" for the root). -1 when it does not fit. */
int orgpath_child(const char *parent, int64_t id, char *out, size_t cap);
/* Rewrites path from under old_prefix to under new_prefix (the move of a subtree).
 * -1 when path is not under old_prefix or the result does not fit. */
int orgpath_rebase(const char *path, const char *old_prefix, const char *new_prefix, char *out, size_t cap);
/* Number of ids in the path minus one: the root has depth 0. -1 for a malformed path. */
int orgpath_depth(const char *path);
/* The id of the ancestor at depth k (0 = root), or 0 when there is none. */
int64_t orgpath_at(const char *path, int k);
#endif
