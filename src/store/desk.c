/* desk.c: the to-do desk's own counts (see desk.h). */
#include "desk.h"
#include "../domain/orgpath.h"

int desk_members_without_account(db *d, const org *root, int64_t *n)
{
    char end[CX_PATH_MAX];
    orgpath_end(root->path, end, sizeof end);
    return db_i64(d, n, 0,
                  "SELECT count(*) FROM org o JOIN member m ON m.org_id = o.id AND m.active = 1 "
                  "WHERE o.path >= ? AND o.path < ? AND NOT EXISTS (SELECT 1 FROM app_user u WHERE u.member_id = m.id)",
                  "ss", root->path, end);
}
