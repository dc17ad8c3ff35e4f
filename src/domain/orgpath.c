/* orgpath.c: materialized-path arithmetic for the organisation tree. */
#include "orgpath.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void orgpath_end(const char *path, char *out, size_t cap)
{
    snprintf(out, cap, "%s", path);
    size_t n = strlen(out);
    if (n && out[n - 1] == '/') out[n - 1] = '0';
}

int orgpath_child(const char *parent, int64_t id, char *out, size_t cap)
{
    int n = parent && *parent ? snprintf(out, cap, "%s%lld/", parent, (long long)id) : snprintf(out, cap, "/%lld/", (long long)id);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

int orgpath_rebase(const char *path, const char *old_prefix, const char *new_prefix, char *out, size_t cap)
{
    size_t k = strlen(old_prefix);
    if (strncmp(path, old_prefix, k) != 0) return -1;
    int n = snprintf(out, cap, "%s%s", new_prefix, path + k);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

int orgpath_depth(const char *path)
{
    if (!path || path[0] != '/') return -1;
    int slashes = 0;
    for (const char *p = path; *p; p++) {
        if (*p == '/') slashes++;
        else if (*p < '0' || *p > '9') return -1;
    }
    if (path[strlen(path) - 1] != '/' || slashes < 2) return -1;
    return slashes - 2;
}

int64_t orgpath_at(const char *path, int k)
{
    const char *p = path;
    for (int i = 0; p && *p == '/'; i++) {
        char *end;
        long long id = strtoll(p + 1, &end, 10);
        if (end == p + 1 || *end != '/') return 0;
        if (i == k) return (int64_t)id;
        p = end;
    }
    return 0;
}
