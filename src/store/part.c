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
#include <cjson/cJSON.h>
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
    /* ballots and reviews take their target's part: a member's (wherever the member is now, so
     * that one rater once, a unique index per part, sees all of a member's ballots of a round in
     * one part), else their organisation's. They are indexed by round first: naming every round
     * lets the index find the subtree's rows instead of reading the whole table. */
    "UPDATE ballot SET part = (SELECT o.part FROM org o WHERE o.id = ballot.org_id) "
    "WHERE round_id IN (SELECT id FROM review_round) AND org_id IN (SELECT id FROM org WHERE path >= ? AND path < ?) "
    "AND target_kind <> 'member' AND part <> (SELECT o.part FROM org o WHERE o.id = ballot.org_id)",
    "UPDATE ballot SET part = (SELECT m.part FROM member m WHERE m.id = ballot.target_id) "
    "WHERE round_id IN (SELECT id FROM review_round) AND target_kind = 'member' AND target_id IN "
    "(SELECT m.id FROM member m JOIN org o ON o.id = m.org_id WHERE o.path >= ? AND o.path < ?) "
    "AND part <> (SELECT m.part FROM member m WHERE m.id = ballot.target_id)",
    "UPDATE review SET part = (SELECT o.part FROM org o WHERE o.id = review.target_org_id) "
    "WHERE round_id IN (SELECT id FROM review_round) AND target_org_id IN (SELECT id FROM org WHERE path >= ? AND path < ?) "
    "AND kind = 'org_self' AND part <> (SELECT o.part FROM org o WHERE o.id = review.target_org_id)",
    "UPDATE review SET part = (SELECT m.part FROM member m WHERE m.id = review.target_member_id) "
    "WHERE round_id IN (SELECT id FROM review_round) AND kind <> 'org_self' AND target_member_id IN "
    "(SELECT m.id FROM member m JOIN org o ON o.id = m.org_id WHERE o.path >= ? AND o.path < ?) "
    "AND part <> (SELECT m.part FROM member m WHERE m.id = review.target_member_id)",
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
    if (db_run(d, "UPDATE member_photo SET part = (SELECT m.part FROM member m WHERE m.id = member_photo.member_id) WHERE member_id = ?",
               "i", member_id) != CX_OK)
        return CX_ERR;
    /* the ballots and reviews about the member go along (see follow_sql) */
    if (db_run(d, "UPDATE ballot SET part = (SELECT m.part FROM member m WHERE m.id = ?) WHERE round_id IN (SELECT id FROM review_round) "
                  "AND target_kind = 'member' AND target_id = ? AND part <> (SELECT m.part FROM member m WHERE m.id = ?)",
               "iii", member_id, member_id, member_id) != CX_OK)
        return CX_ERR;
    return db_run(d, "UPDATE review SET part = (SELECT m.part FROM member m WHERE m.id = ?) WHERE round_id IN (SELECT id FROM review_round) "
                     "AND kind <> 'org_self' AND target_member_id = ? AND part <> (SELECT m.part FROM member m WHERE m.id = ?)",
                  "iii", member_id, member_id, member_id);
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
        /* the root's own part; below it the root's again, or (national) each child of the root
         * heading its own, with its whole subtree */
        rc = national ? db_run(d, "UPDATE org SET part = id WHERE id = ? AND part <> id", "i", roots[i].id)
                      : db_run(d, "UPDATE org SET part = ? WHERE path >= ? AND path < ? AND part <> ?", "issi", roots[i].id, roots[i].path,
                               end, roots[i].id);
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
    int64_t parts = 0;
    if (!on && db_i64(d, &parts, 0, "SELECT count(*) FROM part_province", "") != CX_OK) {
        db_rollback(d);
        return cx_fail(e, 500, "db_error", "", "数据库错误：%s", db_errmsg(d));
    }
    if (parts) {
        db_rollback(d);
        return cx_fail(e, 409, "has_partitions", "national", "已为 %" PRId64 " 个省级组织建立分区，不能取消全国模式", parts);
    }
    int rc = on ? db_run(d, "INSERT INTO setting (name, value, updated_at) VALUES (?, '1', ?) ON CONFLICT (name) DO UPDATE SET value = '1', "
                            "version = setting.version + 1, updated_at = excluded.updated_at",
                         "si", SETTING_NATIONAL, now_unix())
                : db_run(d, "DELETE FROM setting WHERE name = ?", "s", SETTING_NATIONAL);
    if (rc == CX_OK) rc = part_redo_all(d, on);
    return store_finish(d, a, "set", "setting", 0, root, xasprintf("{\"name\":\"national\",\"value\":\"%s\"}", on ? "0" : "1"),
                        xasprintf("{\"name\":\"national\",\"value\":\"%s\"}", on ? "1" : "0"), rc, e);
}

/* The tables partitioned by part on PostgreSQL (migration 0039), in the order partitions are made. */
static const char *const part_tables[] = {"member", "pledge", "feedback", "ballot", "review", "audit_log"};
#define NPART_TABLES PART_TABLES
_Static_assert(sizeof part_tables / sizeof part_tables[0] == PART_TABLES, "part.h counts the partitioned tables");

int part_add(db *d, const actor *a, int64_t org_id, int64_t *moved, cx_err *e)
{
    *moved = 0;
    if (db_kind_of(d) != DB_PG)
        return cx_fail(e, 400, "sqlite_one_file", "org", "SQLite 的数据都在一个文件里，不分区（分区只用于 PostgreSQL）");
    if (db_begin(d, true) != CX_OK) return cx_fail(e, 500, "db_error", "", "数据库错误：%s", db_errmsg(d));
    org o = {0};
    int f = org_get(d, org_id, &o), nat = f == 1 ? part_national(d) : 0;
    int64_t exists = 0;
    const char *code = NULL, *why = NULL;
    if (f == CX_ERR || nat == CX_ERR || (f == 1 && db_i64(d, &exists, 0, "SELECT count(*) FROM part_province WHERE org_id = ?", "i", org_id) != CX_OK)) {
        db_rollback(d);
        return cx_fail(e, 500, "db_error", "", "数据库错误：%s", db_errmsg(d));
    }
    if (f == 0) {
        db_rollback(d);
        return cx_fail(e, 404, "not_found", "org", "组织 %" PRId64 " 不存在", org_id);
    }
    if (!nat) code = "not_national", why = "根组织不是全国一级，全部数据为一个分区（全国部署先运行 cxzy partition national on）";
    else if (o.depth != 1) code = "not_province", why = "不是全国根组织的直属组织，只有省级组织有自己的分区";
    else if (exists) code = "partition_exists", why = "已有自己的分区";
    if (code) {
        db_rollback(d);
        return cx_fail(e, code[0] == 'p' ? 409 : 400, code, "org", "“%s”（%" PRId64 "）%s", o.name, org_id, why);
    }
    int rc = CX_OK;
    cJSON *j = cJSON_CreateObject(), *rows = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "org_id", (double)org_id);
    cJSON_AddStringToObject(j, "name", o.name);
    cJSON_AddItemToObject(j, "rows", rows);
    /* DDL cannot take parameters: the names are built from the table list and an integer id */
    for (size_t i = 0; rc == CX_OK && i < NPART_TABLES; i++) {
        const char *t = part_tables[i];
        char *sql = xasprintf("CREATE TABLE %s_p%" PRId64 " (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS)", t, org_id, t);
        rc = db_exec(d, sql);
        free(sql);
        /* the province's rows leave DEFAULT before the partition is attached (ATTACH refuses a
         * DEFAULT still holding rows of the new value); statements on the partitions themselves
         * fire none of member's statement triggers, so the roll across provinces (member_roll)
         * keeps the moved members as they are */
        int64_t n = 0;
        if (rc == CX_OK) {
            sql = xasprintf("WITH m AS (DELETE FROM %s_default WHERE part = ? RETURNING *) , i AS (INSERT INTO %s_p%" PRId64
                            " SELECT * FROM m RETURNING 1) SELECT count(*) FROM i", t, t, org_id);
            rc = db_i64(d, &n, 0, sql, "i", org_id);
            free(sql);
        }
        if (rc == CX_OK) {
            sql = xasprintf("ALTER TABLE %s ATTACH PARTITION %s_p%" PRId64 " FOR VALUES IN (%" PRId64 ")", t, t, org_id, org_id);
            rc = db_exec(d, sql);
            free(sql);
        }
        /* its indexes, made by the attach, named <index>_p<ORG> (db_is_unique knows them so) */
        if (rc == CX_OK) {
            sql = xasprintf("SELECT cx_name_partition_indexes('%s_p%" PRId64 "'::regclass, 'p%" PRId64 "')", t, org_id, org_id);
            rc = db_exec(d, sql);
            free(sql);
        }
        *moved += n;
        cJSON_AddNumberToObject(rows, t, (double)n);
    }
    if (rc == CX_OK) rc = db_run(d, "INSERT INTO part_province (org_id, created_at) VALUES (?, ?)", "ii", org_id, now_unix());
    char *after = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return store_finish(d, a, "create", "partition", org_id, org_id, NULL, after, rc, e);
}

int part_list(db *d, part_row **rows, size_t *n)
{
    *rows = NULL, *n = 0;
    db_stmt *s = db_prepare(d, "SELECT p.org_id, o.name, o.depth, p.created_at FROM part_province p JOIN org o ON o.id = p.org_id ORDER BY p.org_id");
    if (!s) return CX_ERR;
    int st;
    while ((st = db_step(s)) == DB_ROW) {
        *rows = xrealloc(*rows, (*n + 1) * sizeof **rows);
        part_row *r = &(*rows)[(*n)++];
        memset(r, 0, sizeof *r);
        r->org_id = db_col_i64(s, 0);
        snprintf(r->name, sizeof r->name, "%s", db_col_text(s, 1));
        r->province = db_col_i64(s, 2) == 1;
        r->created_at = db_col_i64(s, 3);
    }
    db_done(s);
    if (st == CX_ERR) return CX_ERR;
    /* the rows each partition holds, and DEFAULT's (org_id 0), table by table */
    *rows = xrealloc(*rows, (*n + 1) * sizeof **rows);
    memset(&(*rows)[*n], 0, sizeof **rows);
    snprintf((*rows)[*n].name, sizeof (*rows)[*n].name, "（默认分区）");
    for (size_t i = 0; i <= *n; i++)
        for (size_t t = 0; t < NPART_TABLES; t++) {
            char *sql = (*rows)[i].org_id ? xasprintf("SELECT count(*) FROM %s_p%" PRId64, part_tables[t], (*rows)[i].org_id)
                                          : xasprintf("SELECT count(*) FROM %s_default", part_tables[t]);
            int rc = db_i64(d, &(*rows)[i].count[t], 0, sql, "");
            free(sql);
            if (rc != CX_OK) return CX_ERR;
        }
    (*n)++;
    return CX_OK;
}

const char *part_table_name(size_t i)
{
    return i < NPART_TABLES ? part_tables[i] : NULL;
}
