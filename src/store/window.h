/* window.h: service windows (服务窗口): a desk of an organisation the public rates. */
#ifndef CX_WINDOW_H
#define CX_WINDOW_H
#include "store.h"
#include "../domain/rating.h"

typedef struct service_window {
    int64_t id, org_id, created_at;
    int active;
    char name[256], location[256], org_name[256], org_path[CX_PATH_MAX];
} service_window;
CX_MUST_USE int window_get(db *d, int64_t id, service_window *w);
/* in: passed window_check; the organisation must be active. */
int window_create(db *d, const actor *a, int64_t org_id, const window_ok *in, int64_t *id, cx_err *e);
int window_update(db *d, const actor *a, int64_t id, const window_ok *in, cx_err *e);
int window_set_active(db *d, const actor *a, int64_t id, int active, cx_err *e);
typedef int (*window_fn)(void *ctx, const service_window *w);
/* The statement of a list of service_window rows (alias w, org alias o) of o (subtree: and of its
 * whole subtree), active ones unless all: head "SELECT … FROM …", kinds a constant SQL list
 * ("'window'", "'post','area'"), order a constant ORDER BY. NULL on a database error. */
db_stmt *window_rows(db *d, const char *head, const char *kinds, const char *order, const org *o, bool subtree, bool all);
/* Windows of o (subtree: and of its whole subtree), active ones unless all, by path and name. */
int window_list(db *d, const org *o, bool subtree, bool all, window_fn fn, void *ctx);
#endif
