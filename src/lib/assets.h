/* assets.h: files compiled into the binary by tools/embed.c (templates, static, migrations). */
#ifndef CX_ASSETS_H
#define CX_ASSETS_H
#include <stddef.h>

struct asset {
    const char *name; /* path below the source root, e.g. "templates/login.html" */
    const char *mime;
    const char *data; /* NUL-terminated */
    unsigned long len;
    unsigned long long hash; /* FNV-1a of the bytes: the ETag */
};
extern const struct asset cx_assets[];
/* NULL when there is no such asset. */
const struct asset *asset_find(const char *name);
#endif
