/* part.c: the province a row belongs to (issue 20). Tables that grow with members carry `part`:
 * the id of the organisation directly under the national root (the root itself for the root's own
 * rows). A deployment whose root is not national (a district, a province) keeps one part, its
 * root's id. Whether the root is national is the setting "national" ("1"), set by
 * `cxzy partition national on|off`; turning it on or off rewrites every part in one transaction.
 * Each row's part follows its organisation (or, for rows hung below another row, that row's),
 * so moving a subtree to another province rewrites its rows with part_follow. */
#include "store.h"
#include "part.h"
#include "../lib/util.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int part_national(db *d)
{
    char v[8];
    int f = setting_get(d, SETTING_NATIONAL, v, sizeof v);
    return f == CX_ERR ? CX_ERR : f == 1 && !strcmp(v, "1");
}

int part_child(db *d, const org *parent, int64_t id, int64_t *part)
{
    if (parent->parent_id) return *part = parent->part, CX_OK;
    int nat = part_national(d);
    if (nat == CX_ERR) return CX_ERR;
    *part = nat ? id : parent->part;
    return CX_OK;
}

/* Each table carrying `part`, set from the row it hangs on, for the rows under organisations whose
 * path lies in [?, ?). In order: a table's parent is rewritten before it. */
static const char *const follow_sql[] = {
    "UPDATE member SET part = (SELECT o.part FROM org o WHERE o.id = member.org_id) "
    "WHERE org_id IN (SELECT id FROM org WHERE path >= ? AND path < ?) AND part <> (SELECT o.part FROM org o WHERE o.id = member.org_id)",
    "UPDATE member_photo SET part = (SELECT m.part FROM member m WHERE m.id = member_photo.member_id) "
    "WHERE member_id IN (SELECT m.id FROM member m JOIN org o ON o.id = m.org_id WHERE o.path >= ? AND o.path < ?) "
    "AND part <> (SELECT m.part FROM member m WHERE m.id = member_photo.member_id)",
    "UPDATE campaign SET part = (SELECT o.part FROM org o WHERE o.id = campaign.org_id) "
    "WHERE org_id IN (SELECT id FROM org WHERE path >= ? AND path < ?) AND part <> (SELECT o.part FROM org o WHERE o.id = campaign.org_id)",
    "UPDATE pledge SET part = (SELECT o.part FROM org o WHERE o.id = pledge.org_id) "
    "WHERE org_id IN (SELECT id FROM org WHERE path >= ? AND path < ?) AND part <> (SELECT o.part FROM org o WHERE o.id = pledge.org_id)",
    "UPDATE pledge_progress SET part = (SELECT p.part FROM pledge p WHERE p.id = pledge_progress.pledge_id) "
    "WHERE pledge_id IN (SELECT p.id FROM pledge p JOIN org o ON o.id = p.org_id WHERE o.path >= ? AND o.path < ?) "
    "AND part <> (SELECT p.part FROM pledge p WHERE p.id = pledge_progress.pledge_id)",
    "UPDATE evidence SET part = (SELECT g.part FROM pledge_progress g WHERE g.id = evidence.progress_id) "
    "WHERE progress_id IN (SELECT g.id FROM pledge_progress g JOIN pledge p ON p.id = g.pledge_id JOIN org o ON o.id = p.org_id "
    "WHERE o.path >= ? AND o.path < ?) AND part <> (SELECT g.part FROM pledge_progress g WHERE g.id = evidence.progress_id)",
    "UPDATE feedback SET part = (SELECT o.part FROM org o WHERE o.id = feedback.org_id) "
    "WHERE org_id IN (SELECT id FROM org WHERE path >= ? AND path < ?) AND part <> (SELECT o.part FROM org o WHERE o.id = feedback.org_id)",
    "UPDATE rectification SET part = (SELECT o.part FROM org o WHERE o.id = rectification.org_id) "
    "WHERE org_id IN (SELECT id FROM org WHERE path >= ? AND path < ?) AND part <> (SELECT o.part FROM org o WHERE o.id = rectification.org_id)",
    "UPDATE rect_evidence SET part = (SELECT r.part FROM rectification r WHERE r.id = rect_evidence.rect_id) "
    "WHERE rect_id IN (SELECT r.id FROM rectification r JOIN org o ON o.id = r.org_id WHERE o.path >= ? AND o.path < ?) "
    "AND part <> (SELECT r.part FROM rectification r WHERE r.id = rect_evidence.rect_id)",
    "UPDATE rect_event SET part = (SELECT r.part FROM rectification r WHERE r.id = rect_event.rect_id) "
    "WHERE rect_id IN (SELECT r.id FROM rectification r JOIN org o ON o.id = r.org_id WHERE o.path >= ? AND o.path < ?) "
    "AND part <> (SELECT r.part FROM rectification r WHERE r.id = rect_event.rect_id)",
    "UPDATE rect_escalation SET part = (SELECT r.part FROM rectification r WHERE r.id = rect_escalation.rect_id) "
    "WHERE rect_id IN (SELECT r.id FROM rectification r JOIN org o ON o.id = r.org_id WHERE o.path >= ? AND o.path < ?) "
    "AND part <> (SELECT r.part FROM rectification r WHERE r.id = rect_escalation.rect_id)",
};

int part_follow(db *d, const char *path)
{
    char end[CX_PATH_MAX];
    orgpath_end(path, end, sizeof end);
    for (size_t i = 0; i < sizeof follow_sql / sizeof follow_sql[0]; i++)
        if (db_run(d, follow_sql[i], "ss", path, end) != CX_OK) return CX_ERR;
    return CX_OK;
}

int part_follow_member(db *d, int64_t member_id)
{
    return db_run(d, "UPDATE member_photo SET part = (SELECT m.part FROM member m WHERE m.id = member_photo.member_id) WHERE member_id = ?",
                  "i", member_id);
}

/* Every organisation's part as the setting says, then every row's. */
static int part_redo_all(db *d, bool national)
{
    db_stmt *s = db_prepare(d, "SELECT id, path FROM org WHERE parent_id IS NULL ORDER BY id");
    if (!s) return CX_ERR;
    int rc = CX_OK, st;
    typedef struct { int64_t id; char path[CX_PATH_MAX]; } root;
    root *roots = NULL;
    size_t n = 0;
    while ((st = db_step(s)) == DB_ROW) {
        roots = xrealloc(roots, (n + 1) * sizeof *roots);
        roots[n].id = db_col_i64(s, 0);
        snprintf(roots[n].path, CX_PATH_MAX, "%s", db_col_text(s, 1));
        n++;
    }
    db_done(s);
    if (st == CX_ERR) rc = CX_ERR;
    for (size_t i = 0; rc == CX_OK && i < n; i++) {
        char end[CX_PATH_MAX];
        orgpath_end(roots[i].path, end, sizeof end);
        rc = db_run(d, "UPDATE org SET part = ? WHERE path >= ? AND path < ? AND part <> ?", "issi", roots[i].id, roots[i].path, end, roots[i].id);
        /* national: each child of the root heads its own part, with its whole subtree */
        if (rc == CX_OK && national)
            rc = db_run(d,
                        "UPDATE org SET part = (SELECT c.id FROM org c WHERE c.parent_id = ? AND org.path >= c.path "
                        "AND org.path < substr(c.path, 1, length(c.path) - 1) || '0') WHERE path > ? AND path < ?",
                        "iss", roots[i].id, roots[i].path, end);
        if (rc == CX_OK) rc = part_follow(d, roots[i].path);
    }
    free(roots);
    return rc;
}

int part_fill(db *d)
{
    int nat = part_national(d);
    return nat == CX_ERR ? CX_ERR : part_redo_all(d, nat);
}

int part_national_set(db *d, const actor *a, bool on, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return cx_fail(e, 500, "db_error", "", "数据库错误：%s", db_errmsg(d));
    int was = part_national(d);
    int64_t root = 0;
    if (was == CX_ERR || db_i64(d, &root, 0, "SELECT id FROM org WHERE parent_id IS NULL ORDER BY id LIMIT 1", "") != CX_OK) {
        db_rollback(d);
        return cx_fail(e, 500, "db_error", "", "数据库错误：%s", db_errmsg(d));
    }
    if (was == (int)on) {
        db_rollback(d);
        return CX_OK; /* nothing changes: nothing to record */
    }
    int rc = on ? db_run(d, "INSERT INTO setting (name, value, updated_at) VALUES (?, '1', ?) ON CONFLICT (name) DO UPDATE SET value = '1', "
                            "version = setting.version + 1, updated_at = excluded.updated_at",
                         "si", SETTING_NATIONAL, now_unix())
                : db_run(d, "DELETE FROM setting WHERE name = ?", "s", SETTING_NATIONAL);
    if (rc == CX_OK) rc = part_redo_all(d, on);
    return store_finish(d, a, "set", "setting", 0, root, xasprintf("{\"name\":\"national\",\"value\":\"%s\"}", on ? "0" : "1"),
                        xasprintf("{\"name\":\"national\",\"value\":\"%s\"}", on ? "1" : "0"), rc, e);
}
