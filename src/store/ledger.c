/* ledger.c: the ledger (台账): categories, entries with participants and files, and the roll-up
 * by quarter, kind and category kept with every change (see ledger.h). */
#include "ledger.h"
#include "period.h"
#include "row.h"
#include "../domain/orgpath.h"
#include "../domain/perm.h"
#include "../lib/json.h"
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* ---- categories ---- */

static void read_category(db_stmt *s, void *out)
{
    ledger_category *c = out;
    c->id = db_col_i64(s, 0);
    c->org_id = db_col_i64(s, 1);
    int k = ledger_kind_from_name(db_col_text(s, 2));
    c->kind = k < 0 ? LK_VISIT : (ledger_kind)k;
    copy_col(c->name, sizeof c->name, s, 3);
    copy_col(c->org_name, sizeof c->org_name, s, 4);
}

/* The categories seen from a path: seeded (org_id NULL) or of an organisation whose path is a
 * prefix of it. */
#define CAT_SEEN "(c.org_id IS NULL OR substr(?, 1, length(o.path)) = o.path)"
#define CAT_SQL "SELECT c.id, coalesce(c.org_id, 0), c.kind, c.name, coalesce(o.name, '') FROM ledger_category c LEFT JOIN org o ON o.id = c.org_id "

int ledger_categories(db *d, const char *org_path, int k, ledger_category_fn fn, void *ctx)
{
    db_q q;
    db_q_init(&q, CAT_SQL);
    db_q_where(&q, CAT_SEEN, "s", org_path);
    if (k >= 0) db_q_where(&q, "c.kind = ?", "s", ledger_kind_name((ledger_kind)k));
    db_q_add(&q, " ORDER BY CASE c.kind WHEN 'visit' THEN 0 WHEN 'help' THEN 1 WHEN 'pairing' THEN 2 WHEN 'research' THEN 3 ELSE 4 END, "
                 "coalesce(length(o.path), 0), c.seq, c.id", "");
    db_stmt *s = db_q_prepare(d, &q);
    if (!s) return CX_ERR;
    return DB_EACH(s, ledger_category, read_category, fn, ctx);
}

int ledger_category_add(db *d, const actor *a, const org *office, ledger_kind k, const char *name, int64_t *id, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    int64_t n = 0, cid = 0;
    if (db_i64(d, &n, 0, "SELECT count(*) FROM ledger_category c LEFT JOIN org o ON o.id = c.org_id WHERE " CAT_SEEN " AND c.kind = ? AND c.name = ?",
               "sss", office->path, ledger_kind_name(k), name) != CX_OK)
        return db_fail(d, e);
    if (n) {
        cx_fail(e, 409, "duplicate_category", "name", "%s的%s类别中已有“%s”", office->name, ledger_kind_label(k), name);
        return refuse(d);
    }
    int64_t seq = 0;
    /* the same name added twice at once: the second meets the unique index and adds nothing */
    if (db_i64(d, &seq, 0, "SELECT coalesce(max(seq), 0) + 1 FROM ledger_category WHERE kind = ?", "s", ledger_kind_name(k)) != CX_OK ||
        db_i64(d, &cid, 0, "INSERT INTO ledger_category (org_id, kind, name, seq, created_at) VALUES (?,?,?,?,?) ON CONFLICT DO NOTHING RETURNING id",
               "issii", office->id, ledger_kind_name(k), name, seq, now_unix()) != CX_OK)
        return db_fail(d, e);
    if (!cid) {
        cx_fail(e, 409, "duplicate_category", "name", "%s的%s类别中已有“%s”", office->name, ledger_kind_label(k), name);
        return refuse(d);
    }
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "kind", ledger_kind_name(k));
    cJSON_AddStringToObject(j, "name", name);
    if (store_finish(d, a, "create", "ledger_category", cid, office->id, NULL, json_take(j), CX_OK, e) != CX_OK) return CX_ERR;
    if (id) *id = cid;
    return CX_OK;
}

/* ---- entries ---- */

#define ENTRY_COLS                                                                                                      \
    "e.id, e.org_id, coalesce(e.member_id, 0), coalesce(e.category_id, 0), e.people, e.deleted_at, e.row_version, e.created_by, " \
    "e.created_at, e.updated_at, (SELECT count(*) FROM ledger_file f WHERE f.entry_id = e.id), e.kind, e.entry_date, e.title, "  \
    "e.household, e.created_by_name, o.name, o.path, coalesce(c.name, ''), coalesce(m.name, '')"
#define ENTRY_FROM                                                                                                      \
    " FROM ledger_entry e JOIN org o ON o.id = e.org_id LEFT JOIN ledger_category c ON c.id = e.category_id "          \
    "LEFT JOIN member m ON m.id = e.member_id"

static void read_entry(db_stmt *s, void *out)
{
    ledger_entry *x = out;
    int64_t *ids[] = {&x->id, &x->org_id, &x->member_id, &x->category_id, &x->people, &x->deleted_at, &x->version, &x->created_by,
                      &x->created_at, &x->updated_at, &x->nfiles};
    for (int i = 0; i < 11; i++) *ids[i] = db_col_i64(s, i);
    int k = ledger_kind_from_name(db_col_text(s, 11));
    x->kind = k < 0 ? LK_VISIT : (ledger_kind)k;
    struct { char *dst; size_t cap; } t[] = {{x->entry_date, sizeof x->entry_date}, {x->title, sizeof x->title}, {x->household, sizeof x->household},
        {x->created_by_name, sizeof x->created_by_name}, {x->org_name, sizeof x->org_name}, {x->org_path, sizeof x->org_path},
        {x->category_name, sizeof x->category_name}, {x->member_name, sizeof x->member_name}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) copy_col(t[i].dst, t[i].cap, s, 12 + (int)i);
    x->body = NULL;
}

int ledger_get(db *d, int64_t id, ledger_entry *x)
{
    int f = row_by_id(d, "SELECT " ENTRY_COLS ENTRY_FROM " WHERE e.id = ?", id, read_entry, x, sizeof *x);
    if (f != 1) return f;
    db_stmt *s = db_prepare(d, "SELECT body FROM ledger_entry WHERE id = ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc != CX_ERR) x->body = xstrdup(rc == DB_ROW ? db_col_text(s, 0) : "");
    db_done(s);
    return rc == CX_ERR ? CX_ERR : 1;
}

void ledger_entry_free(ledger_entry *x)
{
    free(x->body);
    x->body = NULL;
}

/* ---- the roll-up ---- */

/* What one entry (not deleted) adds to the roll-up: every entry to (kind, 0), one with a category
 * to (kind, category), a forum's participants to (forum, their category). Parameters: the id three
 * times. */
#define CONTRIB_SQL                                                                                                     \
    "SELECT e.kind, 0, e.people FROM ledger_entry e WHERE e.id = ? AND e.deleted_at = 0 "                               \
    "UNION ALL SELECT e.kind, e.category_id, e.people FROM ledger_entry e WHERE e.id = ? AND e.deleted_at = 0 AND e.category_id IS NOT NULL " \
    "UNION ALL SELECT e.kind, p.category_id, p.people FROM ledger_participant p JOIN ledger_entry e ON e.id = p.entry_id "  \
    "WHERE e.id = ? AND e.deleted_at = 0"
/* The same over every entry, per quarter and own organisation. */
#define QUARTER_OF(col) "CAST(substr(" col ", 1, 4) AS INTEGER) * 10 + (CAST(substr(" col ", 6, 2) AS INTEGER) + 2) / 3"
#define OWN_SQL                                                                                                         \
    "SELECT " QUARTER_OF("e.entry_date") " AS quarter, e.org_id, e.kind, 0 AS category_id, e.people AS people FROM ledger_entry e WHERE e.deleted_at = 0 " \
    "UNION ALL SELECT " QUARTER_OF("e.entry_date") ", e.org_id, e.kind, e.category_id, e.people FROM ledger_entry e "   \
    "WHERE e.deleted_at = 0 AND e.category_id IS NOT NULL "                                                             \
    "UNION ALL SELECT " QUARTER_OF("e.entry_date") ", e.org_id, e.kind, p.category_id, p.people FROM ledger_participant p " \
    "JOIN ledger_entry e ON e.id = p.entry_id WHERE e.deleted_at = 0"
#define UP_SQL "up(org_id, anc_id) AS (SELECT id, id FROM org UNION ALL SELECT up.org_id, o.parent_id FROM up " \
               "JOIN org o ON o.id = up.anc_id WHERE o.parent_id IS NOT NULL)"
/* The rows the roll-up should hold: quarter, org_id, kind, category_id, entries, people. */
#define WANT_SQL                                                                                                        \
    "WITH RECURSIVE " UP_SQL ", own AS (" OWN_SQL "), want AS (SELECT w.quarter, u.anc_id AS org_id, w.kind, w.category_id, " \
    "CAST(count(*) AS BIGINT) AS entries, CAST(sum(w.people) AS BIGINT) AS people FROM own w JOIN up u ON u.org_id = w.org_id " \
    "GROUP BY w.quarter, u.anc_id, w.kind, w.category_id) "

/* Adds entries and people to one (quarter, organisation, kind, category) of the roll-up. */
#define ROLLUP_ADD_SQL                                                                                                  \
    "INSERT INTO ledger_rollup (quarter, org_id, kind, category_id, entries, people) VALUES (?,?,?,?,?,?) "            \
    "ON CONFLICT (quarter, org_id, kind, category_id) DO UPDATE SET entries = ledger_rollup.entries + excluded.entries, " \
    "people = ledger_rollup.people + excluded.people"

typedef struct contrib {
    char kind[16];
    int64_t category_id, people;
} contrib;

typedef struct rollup_run {
    int quarter, from, sign, n;
    const char *path;
    const contrib *cs;
} rollup_run;

/* Run i of rollup_add: organisation from + i / n of the path, contribution i % n. */
static void rollup_bind(db_stmt *s, int i, void *ctx)
{
    const rollup_run *r = ctx;
    const contrib *c = &r->cs[i % r->n];
    db_bind_i64(s, 1, r->quarter);
    db_bind_i64(s, 2, orgpath_at(r->path, r->from + i / r->n));
    db_bind_text(s, 3, c->kind);
    db_bind_i64(s, 4, c->category_id);
    db_bind_i64(s, 5, r->sign);
    db_bind_i64(s, 6, r->sign * c->people);
}

/* Adds (sign 1) or takes away (-1) what each (kind, category) row of cs counts, in quarter, at
 * the organisations of path from depth `from` down to its own: one upsert a row and level, all
 * in one round trip (db_run_each). */
static int rollup_add(db *d, int quarter, const char *path, int from, const contrib *cs, int n, int sign)
{
    int depth = orgpath_depth(path);
    if (depth < 0) return CX_ERR;
    if (n <= 0 || from > depth) return CX_OK;
    rollup_run r = {quarter, from, sign, n, path, cs};
    return db_run_each(d, ROLLUP_ADD_SQL, (depth - from + 1) * n, rollup_bind, &r, NULL);
}

/* Moves the roll-up by what entry id counts as stored now (sign 1: add, -1: take away). */
static int entry_apply(db *d, int64_t id, int sign)
{
    char date[11] = "", path[CX_PATH_MAX] = "";
    db_stmt *s = db_prepare(d, "SELECT e.entry_date, o.path FROM ledger_entry e JOIN org o ON o.id = e.org_id WHERE e.id = ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW) copy_col(date, sizeof date, s, 0), copy_col(path, sizeof path, s, 1);
    db_done(s);
    if (rc != DB_ROW) return rc == CX_ERR ? CX_ERR : CX_OK;
    contrib cs[LEDGER_PARTS_MAX + 2];
    int n = 0;
    s = db_prepare(d, CONTRIB_SQL);
    if (!s) return CX_ERR;
    for (int i = 1; i <= 3; i++) db_bind_i64(s, i, id);
    while ((rc = db_step(s)) == DB_ROW && n < (int)(sizeof cs / sizeof cs[0])) {
        copy_col(cs[n].kind, sizeof cs[n].kind, s, 0);
        cs[n].category_id = db_col_i64(s, 1);
        cs[n++].people = db_col_i64(s, 2);
    }
    db_done(s);
    if (rc == CX_ERR) return CX_ERR;
    return rollup_add(d, period_quarter(date), path, 0, cs, n, sign);
}

/* ---- entering and changing ---- */

#define CAT_CHECK_SQL "SELECT count(*) FROM ledger_category c LEFT JOIN org o ON o.id = c.org_id WHERE c.id = ? AND c.kind = ? AND " CAT_SEEN

/* Refuses (422) category id of an entry of in's kind that is not its organisation's to use. */
static int bad_category(db *d, const ledger_ok *in, int64_t id, cx_err *e)
{
    return cx_fail(e, 422, "invalid_category", in->kind == LK_FORUM ? "participants" : "category_id", "编号为 %" PRId64 " 的类别不是本组织可用的%s类别",
                   id, ledger_kind_label(in->kind)), refuse(d);
}

/* The categories an entry names (its own, a forum's participants'), in the order they are checked. */
static int entry_categories(const ledger_about *ab, const ledger_ok *in, int64_t ids[LEDGER_PARTS_MAX + 1])
{
    int n = 0;
    if (ab->category_id) ids[n++] = ab->category_id;
    for (int i = 0; in->kind == LK_FORUM && i < in->nparts; i++) ids[n++] = in->parts[i].category_id;
    return n;
}

/* Checks the member of an entry of organisation path in the transaction, and that a forum names no
 * category of its own (its participants' categories are checked by the caller). */
static int check_member(db *d, const char *path, const ledger_about *ab, const ledger_ok *in, cx_err *e)
{
    if (ab->member_id) {
        char end[CX_PATH_MAX];
        orgpath_end(path, end, sizeof end);
        int64_t n = 0;
        if (db_i64(d, &n, 0, "SELECT count(*) FROM member m JOIN org o ON o.id = m.org_id WHERE m.id = ? AND m.active = 1 AND o.path >= ? AND o.path < ?",
                   "iss", ab->member_id, path, end) != CX_OK)
            return db_fail(d, e);
        if (!n) return cx_fail(e, 422, "invalid_member", "member_id", "所选党员不是本组织（或其下级）的在册党员"), refuse(d);
    }
    if (ab->category_id && in->kind == LK_FORUM)
        return cx_fail(e, 422, "invalid_category", "category_id", "座谈会按参加人员的类别填写人数，不另选类别"), refuse(d);
    return CX_OK;
}

/* Checks the member and categories of an entry of organisation path in the transaction. */
static int check_about(db *d, const char *path, const ledger_about *ab, const ledger_ok *in, cx_err *e)
{
    if (check_member(d, path, ab, in, e) != CX_OK) return CX_ERR;
    int64_t ids[LEDGER_PARTS_MAX + 1];
    int n = entry_categories(ab, in, ids);
    for (int i = 0; i < n; i++) {
        int64_t ok = 0;
        if (db_i64(d, &ok, 0, CAT_CHECK_SQL, "iss", ids[i], ledger_kind_name(in->kind), path) != CX_OK) return db_fail(d, e);
        if (!ok) return bad_category(d, in, ids[i], e);
    }
    return CX_OK;
}

static int write_parts(db *d, int64_t id, const ledger_ok *in)
{
    if (db_run(d, "DELETE FROM ledger_participant WHERE entry_id = ?", "i", id) != CX_OK) return CX_ERR;
    for (int i = 0; in->kind == LK_FORUM && i < in->nparts; i++)
        if (db_run(d, "INSERT INTO ledger_participant (entry_id, category_id, people) VALUES (?,?,?)", "iii", id, in->parts[i].category_id,
                   in->parts[i].people) != CX_OK)
            return CX_ERR;
    return CX_OK;
}

#define FILE_INSERT "INSERT INTO ledger_file (entry_id, mime, name, size, data, author, created_at) VALUES (?,?,?,?,?,?,?)"

static int by_part_category(const void *x, const void *y)
{
    int64_t a = ((const ledger_part *)x)->category_id, b = ((const ledger_part *)y)->category_id;
    return (a > b) - (a < b);
}

/* The entry as the audit keeps it, from its stored fields (a forum's participants in parts,
 * sorted by category). */
static char *entry_json_of(const ledger_entry *x, const ledger_part *parts, int nparts)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "kind", ledger_kind_name(x->kind));
    json_add_i64(j, "org_id", x->org_id);
    if (x->member_id) json_add_i64(j, "member_id", x->member_id);
    if (x->category_id) json_add_i64(j, "category_id", x->category_id);
    cJSON_AddStringToObject(j, "entry_date", x->entry_date);
    cJSON_AddStringToObject(j, "title", x->title);
    cJSON_AddStringToObject(j, "body", x->body ? x->body : "");
    if (x->household[0]) cJSON_AddStringToObject(j, "household", x->household);
    json_add_i64(j, "people", x->people);
    if (x->kind == LK_FORUM) {
        cJSON *p = cJSON_AddObjectToObject(j, "participants");
        for (int i = 0; i < nparts; i++) {
            char k[24];
            snprintf(k, sizeof k, "%" PRId64, parts[i].category_id);
            json_add_i64(p, k, parts[i].people);
        }
    }
    return json_take(j);
}

/* The entry as the audit keeps it, read back. */
static char *entry_json(db *d, int64_t id)
{
    ledger_entry x;
    if (ledger_get(d, id, &x) != 1) return NULL;
    ledger_part parts[LEDGER_PARTS_MAX];
    int n = 0;
    if (x.kind == LK_FORUM) {
        db_stmt *s = db_prepare(d, "SELECT category_id, people FROM ledger_participant WHERE entry_id = ? ORDER BY category_id");
        if (s) {
            db_bind_i64(s, 1, id);
            while (db_step(s) == DB_ROW && n < LEDGER_PARTS_MAX) parts[n++] = (ledger_part){db_col_i64(s, 0), db_col_i64(s, 1)};
            db_done(s);
        }
    }
    char *out = entry_json_of(&x, parts, n);
    ledger_entry_free(&x);
    return out;
}

int ledger_create(db *d, const actor *a, const org *o, const ledger_about *ab, const ledger_ok *in, const evidence_in *files,
                  int nfiles, int64_t *id, cx_err *e)
{
    const char *mimes[EVIDENCE_MAX_FILES];
    if (nfiles && evidence_check(files, nfiles, mimes, e) != CX_OK) return CX_ERR;
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    org cur;
    int f = org_get(d, o->id, &cur);
    if (f == CX_ERR) return db_fail(d, e);
    if (f == 0 || !cur.active) {
        cx_fail(e, 404, "not_found", "id", "党组织不存在或已停用");
        return refuse(d);
    }
    if (check_about(d, cur.path, ab, in, e) != CX_OK) return CX_ERR;
    int64_t now = now_unix(), eid = 0, same = 0;
    /* a double submission (the same entry by the same person within a minute) is saved once: the
     * organisation's entries are entered one at a time, so the second sees the first */
    if (db_lock(d, "ledger", cur.id) != CX_OK ||
        db_i64(d, &same, 0, "SELECT max(id) FROM ledger_entry WHERE org_id = ? AND kind = ? AND entry_date = ? AND title = ? AND people = ? "
                            "AND coalesce(category_id, 0) = ? AND coalesce(member_id, 0) = ? AND created_by = ? AND deleted_at = 0 AND created_at >= ?",
               "isssiiiii", cur.id, ledger_kind_name(in->kind), in->entry_date, in->title, in->people, ab->category_id, ab->member_id,
               a ? a->user_id : 0, now - 60) != CX_OK)
        return db_fail(d, e);
    if (same) {
        cx_fail(e, 409, "duplicate_entry", "title", "刚才已保存过同样的台账记录（编号 %" PRId64 "），没有重复保存", same);
        return refuse(d);
    }
    if (db_i64(d, &eid, 0, "INSERT INTO ledger_entry (org_id, member_id, kind, category_id, entry_date, title, body, household, people, created_by, "
                           "created_by_name, created_at, updated_at) VALUES (?, NULLIF(?, 0), ?, NULLIF(?, 0), ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
               "iisissssiisii", cur.id, ab->member_id, ledger_kind_name(in->kind), ab->category_id, in->entry_date, in->title, in->body, in->household,
               in->people, a ? a->user_id : 0, actor_shown(a), now, now) != CX_OK)
        return db_fail(d, e);
    cJSON *names = cJSON_CreateArray();
    int rc = write_parts(d, eid, in);
    if (rc == CX_OK) rc = attachment_store(d, a, FILE_INSERT, eid, files, mimes, nfiles, "附件", names);
    if (rc == CX_OK) rc = entry_apply(d, eid, 1);
    char *after = rc == CX_OK ? entry_json(d, eid) : NULL;
    if (after && cJSON_GetArraySize(names)) { /* the files' names with the entry */
        cJSON *j = cJSON_Parse(after);
        free(after);
        cJSON_AddItemToObject(j, "files", names);
        names = NULL;
        after = json_take(j);
    }
    cJSON_Delete(names);
    if (rc == CX_OK && !after) rc = CX_ERR;
    if (store_finish(d, a, "create", "ledger_entry", eid, cur.id, NULL, after, rc, e) != CX_OK) return CX_ERR;
    if (id) *id = eid;
    return CX_OK;
}

/* ---- many entries at once (the demo) ---- */

typedef struct rollup_row {
    int quarter;
    int64_t org_id, category_id, entries, people;
    const char *kind;
} rollup_row;

static int by_rollup_key(const void *x, const void *y)
{
    const rollup_row *a = x, *b = y;
    if (a->quarter != b->quarter) return a->quarter < b->quarter ? -1 : 1;
    if (a->org_id != b->org_id) return a->org_id < b->org_id ? -1 : 1;
    int c = strcmp(a->kind, b->kind);
    if (c) return c;
    return (a->category_id > b->category_id) - (a->category_id < b->category_id);
}

static void rollup_row_bind(db_stmt *s, int i, void *ctx)
{
    const rollup_row *r = &((const rollup_row *)ctx)[i];
    db_bind_i64(s, 1, r->quarter);
    db_bind_i64(s, 2, r->org_id);
    db_bind_text(s, 3, r->kind);
    db_bind_i64(s, 4, r->category_id);
    db_bind_i64(s, 5, r->entries);
    db_bind_i64(s, 6, r->people);
}

/* A category check of ledger_create_many: (kind, category, organisation) asked once a run. */
typedef struct cat_check {
    int64_t category_id, org_id;
    ledger_kind kind;
    const char *path;
} cat_check;

static void cat_check_bind(db_stmt *s, int i, void *ctx)
{
    const cat_check *c = &((const cat_check *)ctx)[i];
    db_bind_i64(s, 1, c->category_id);
    db_bind_text(s, 2, ledger_kind_name(c->kind));
    db_bind_text(s, 3, c->path);
}

/* Index of (category, organisation, kind) in cs[0..n), or -1. */
static int cat_check_find(const cat_check *cs, int n, int64_t category_id, int64_t org_id, ledger_kind kind)
{
    for (int k = 0; k < n; k++)
        if (cs[k].category_id == category_id && cs[k].org_id == org_id && cs[k].kind == kind) return k;
    return -1;
}

int ledger_create_many(db *d, const actor *a, const ledger_new *v, int n, cx_err *e)
{
    if (n <= 0) return CX_OK;
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    org *cur = xcalloc((size_t)n, sizeof *cur);
    cat_check *cs = xcalloc((size_t)n * (LEDGER_PARTS_MAX + 1), sizeof *cs);
    int ncheck = 0, norg = n, org_rc = CX_OK;
    /* the entries' organisations (up to the first missing one), and the distinct category checks of
     * the entries before it, all asked in one round trip; then each entry checked in order as
     * check_about would, so the first entry in error is the one reported */
    for (int i = 0; i < n; i++) {
        int f = 1;
        if (i && cur[i - 1].id == v[i].o->id) cur[i] = cur[i - 1];
        else f = org_get(d, v[i].o->id, &cur[i]);
        if (f != 1 || !cur[i].active) {
            org_rc = f == CX_ERR ? CX_ERR : 0, norg = i;
            break;
        }
        int64_t ids[LEDGER_PARTS_MAX + 1];
        int nc = entry_categories(&v[i].ab, &v[i].ok, ids);
        for (int c = 0; c < nc; c++)
            if (cat_check_find(cs, ncheck, ids[c], cur[i].id, v[i].ok.kind) < 0) cs[ncheck++] = (cat_check){ids[c], cur[i].id, v[i].ok.kind, cur[i].path};
    }
    int64_t *found = xcalloc((size_t)ncheck + 1, sizeof *found);
    int rc = ncheck ? db_run_each(d, CAT_CHECK_SQL, ncheck, cat_check_bind, cs, found) : CX_OK;
    if (rc != CX_OK) rc = db_fail(d, e);
    for (int i = 0; rc == CX_OK && i < norg; i++) {
        int64_t ids[LEDGER_PARTS_MAX + 1];
        int nc = entry_categories(&v[i].ab, &v[i].ok, ids);
        rc = check_member(d, cur[i].path, &v[i].ab, &v[i].ok, e);
        for (int c = 0; rc == CX_OK && c < nc; c++)
            if (!found[cat_check_find(cs, ncheck, ids[c], cur[i].id, v[i].ok.kind)]) rc = bad_category(d, &v[i].ok, ids[c], e);
    }
    if (rc == CX_OK && norg < n) {
        if (org_rc == CX_ERR) db_fail(d, e);
        else cx_fail(e, 404, "not_found", "id", "党组织不存在或已停用"), refuse(d);
        rc = CX_ERR;
    }
    free(found);
    free(cs);
    int64_t first = 0, now = now_unix();
    if (rc == CX_OK && db_reserve_ids(d, "ledger_entry", n, &first) != CX_OK) rc = db_fail(d, e);
    db_bulk *be = rc == CX_OK ? db_bulk_begin(d, "ledger_entry", "id, org_id, member_id, kind, category_id, entry_date, title, body, household, "
                                                                  "people, created_by, created_by_name, created_at, updated_at") : NULL;
    db_bulk *bp = rc == CX_OK ? db_bulk_begin(d, "ledger_participant", "entry_id, category_id, people") : NULL;
    size_t nroll = 0, rcap = 0;
    rollup_row *roll = NULL;
    for (int i = 0; rc == CX_OK && i < n; i++) {
        const ledger_ok *in = &v[i].ok;
        const ledger_about *ab = &v[i].ab;
        char fmt[16];
        db_arg args[14];
        int na = 0, nf = 0;
#define ARG(letter, value) (fmt[nf++] = (letter), args[na++] = (value))
        ARG('i', db_a_int(first + i));
        ARG('i', db_a_int(cur[i].id));
        if (ab->member_id) ARG('i', db_a_int(ab->member_id));
        else fmt[nf++] = 'n';
        ARG('s', db_a_text(ledger_kind_name(in->kind)));
        if (ab->category_id) ARG('i', db_a_int(ab->category_id));
        else fmt[nf++] = 'n';
        ARG('s', db_a_text(in->entry_date));
        ARG('s', db_a_text(in->title));
        ARG('s', db_a_text(in->body));
        ARG('s', db_a_text(in->household));
        ARG('i', db_a_int(in->people));
        ARG('i', db_a_int(a ? a->user_id : 0));
        ARG('s', db_a_text(actor_shown(a)));
        ARG('i', db_a_int(now));
        ARG('i', db_a_int(now));
#undef ARG
        fmt[nf] = 0;
        rc = db_bulk_row_args(be, fmt, na, args);
        for (int k = 0; rc == CX_OK && in->kind == LK_FORUM && k < in->nparts; k++)
            rc = db_bulk_row(bp, "iii", first + i, in->parts[k].category_id, in->parts[k].people);
        /* what entry_apply adds: (kind, 0), (kind, category), a forum's (kind, each participant's
         * category), at every organisation of the path */
        int64_t cat[LEDGER_PARTS_MAX + 2], people[LEDGER_PARTS_MAX + 2];
        int ncs = 0;
        cat[ncs] = 0, people[ncs++] = in->people;
        if (ab->category_id) cat[ncs] = ab->category_id, people[ncs++] = in->people;
        for (int k = 0; in->kind == LK_FORUM && k < in->nparts; k++) cat[ncs] = in->parts[k].category_id, people[ncs++] = in->parts[k].people;
        int depth = orgpath_depth(cur[i].path), quarter = atoi(in->entry_date) * 10 + (atoi(in->entry_date + 5) + 2) / 3;
        if (depth < 0) rc = CX_ERR;
        for (int k = 0; rc == CX_OK && k <= depth; k++)
            for (int c = 0; c < ncs; c++) {
                if (nroll == rcap) roll = xrealloc(roll, (rcap = rcap ? rcap * 2 : 256) * sizeof *roll);
                roll[nroll++] = (rollup_row){quarter, orgpath_at(cur[i].path, k), cat[c], 1, people[c], ledger_kind_name(in->kind)};
            }
    }
    if (rc == CX_OK) rc = db_bulk_end(be);
    else db_bulk_cancel(be);
    if (rc == CX_OK) rc = db_bulk_end(bp);
    else db_bulk_cancel(bp);
    /* the roll-up: one upsert per (quarter, organisation, kind, category), in one round trip */
    size_t nr = 0;
    if (rc == CX_OK && nroll) {
        qsort(roll, nroll, sizeof *roll, by_rollup_key);
        for (size_t i = 0; i < nroll; i++) {
            if (nr && !by_rollup_key(&roll[nr - 1], &roll[i])) roll[nr - 1].entries += roll[i].entries, roll[nr - 1].people += roll[i].people;
            else roll[nr++] = roll[i];
        }
        rc = db_run_each(d, ROLLUP_ADD_SQL, (int)nr, rollup_row_bind, roll, NULL);
    }
    free(roll);
    /* the audit records, in the entries' order: one run per chain (an entry in another part ends
     * the run) */
    audit_run run = {0};
    bool open = false;
    for (int i = 0; rc == CX_OK && i < n; i++) {
        if (open && run.part != cur[i].part) open = false, rc = audit_run_end(d, &run);
        if (rc == CX_OK && !open) {
            rc = audit_run_begin(d, &run, cur[i].id);
            if (rc == CX_OK) audit_run_bulk(d, &run), open = true;
        }
        const ledger_ok *in = &v[i].ok;
        ledger_entry x = {.id = first + i, .org_id = cur[i].id, .member_id = v[i].ab.member_id, .category_id = v[i].ab.category_id,
                          .people = in->people, .kind = in->kind, .body = (char *)in->body};
        snprintf(x.entry_date, sizeof x.entry_date, "%s", in->entry_date);
        snprintf(x.title, sizeof x.title, "%s", in->title);
        snprintf(x.household, sizeof x.household, "%s", in->household);
        ledger_part parts[LEDGER_PARTS_MAX];
        int np = in->kind == LK_FORUM ? in->nparts : 0;
        memcpy(parts, in->parts, (size_t)np * sizeof *parts);
        qsort(parts, (size_t)np, sizeof *parts, by_part_category);
        char *after = entry_json_of(&x, parts, np);
        if (rc == CX_OK) rc = audit_run_add(d, &run, a, "create", "ledger_entry", x.id, cur[i].id, NULL, after, "ok");
        free(after);
    }
    if (open && rc == CX_OK) rc = audit_run_end(d, &run);
    else if (open) audit_run_cancel(&run);
    free(cur);
    if (rc != CX_OK) {
        if (!e->msg[0]) cx_fail(e, 500, "db_error", "", "数据库错误：%s", db_errmsg(d));
        db_rollback(d);
        return CX_ERR;
    }
    if (db_commit(d) != CX_OK) return db_fail(d, e);
    return CX_OK;
}

/* Begins the write transaction of a change of entry id: takes the row first (so a second change at
 * once waits here, then sees this one), refusing a missing (404), deleted (409 entry_deleted) or
 * changed (version given and not the entry's: 409 stale_version) entry. x gets the entry. */
static int begin_change(db *d, int64_t id, int64_t version, ledger_entry *x, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    int64_t got = 0;
    if (db_i64(d, &got, 0, "UPDATE ledger_entry SET row_version = row_version + 1 WHERE id = ? AND deleted_at = 0 AND (? = 0 OR row_version = ?) RETURNING id",
               "iii", id, version, version) != CX_OK)
        return db_fail(d, e);
    int f = ledger_get(d, id, x);
    if (f == CX_ERR) return db_fail(d, e);
    if (f == 0) {
        cx_fail(e, 404, "not_found", "id", "台账记录不存在或不在您的管理范围内");
        return refuse(d);
    }
    if (!got) {
        ledger_entry_free(x);
        if (x->deleted_at) cx_fail(e, 409, "entry_deleted", "id", "这条台账记录已被删除，不能再修改");
        else cx_fail(e, 409, "stale_version", "version", "台账记录已被他人修改（当前版本 %" PRId64 "），请刷新后重试", x->version);
        return refuse(d);
    }
    return CX_OK;
}

int ledger_update(db *d, const actor *a, int64_t id, int64_t version, const ledger_about *ab, const ledger_ok *in, cx_err *e)
{
    ledger_entry *x = xmalloc(sizeof *x);
    int rc = begin_change(d, id, version, x, e);
    if (rc != CX_OK) return free(x), CX_ERR;
    ledger_entry_free(x);
    if (in->kind != x->kind) {
        cx_fail(e, 422, "kind_changed", "kind", "台账记录的类别（%s）不能修改；请删除后重新录入", ledger_kind_label(x->kind));
        free(x);
        return refuse(d);
    }
    if (check_about(d, x->org_path, ab, in, e) != CX_OK) return free(x), CX_ERR;
    char *before = entry_json(d, id);
    rc = entry_apply(d, id, -1);
    if (rc == CX_OK)
        rc = db_run(d, "UPDATE ledger_entry SET member_id = NULLIF(?, 0), category_id = NULLIF(?, 0), entry_date = ?, title = ?, body = ?, household = ?, "
                       "people = ?, updated_at = ? WHERE id = ?",
                    "iissssiii", ab->member_id, ab->category_id, in->entry_date, in->title, in->body, in->household, in->people, now_unix(), id);
    if (rc == CX_OK) rc = write_parts(d, id, in);
    if (rc == CX_OK) rc = entry_apply(d, id, 1);
    int64_t org_id = x->org_id;
    free(x);
    return store_finish(d, a, "update", "ledger_entry", id, org_id, before, rc == CX_OK ? entry_json(d, id) : NULL, rc, e);
}

int ledger_delete(db *d, const actor *a, int64_t id, int64_t version, cx_err *e)
{
    ledger_entry *x = xmalloc(sizeof *x);
    if (begin_change(d, id, version, x, e) != CX_OK) return free(x), CX_ERR;
    ledger_entry_free(x);
    char *before = entry_json(d, id);
    int rc = entry_apply(d, id, -1);
    if (rc == CX_OK) rc = db_run(d, "UPDATE ledger_entry SET deleted_at = ?, updated_at = ? WHERE id = ?", "iii", now_unix(), now_unix(), id);
    int64_t org_id = x->org_id;
    free(x);
    return store_finish(d, a, "delete", "ledger_entry", id, org_id, before, xstrdup("{\"deleted\":true}"), rc, e);
}

int ledger_add_files(db *d, const actor *a, int64_t id, const evidence_in *files, int nfiles, cx_err *e)
{
    const char *mimes[EVIDENCE_MAX_FILES];
    if (!nfiles) return cx_fail(e, 400, "required", "file", "请选择要上传的文件");
    if (evidence_check(files, nfiles, mimes, e) != CX_OK) return CX_ERR;
    ledger_entry *x = xmalloc(sizeof *x);
    if (begin_change(d, id, 0, x, e) != CX_OK) return free(x), CX_ERR;
    ledger_entry_free(x);
    int64_t org_id = x->org_id, have = x->nfiles;
    free(x);
    if (have + nfiles > LEDGER_FILES_MAX) {
        cx_fail(e, 422, "too_many_files", "file", "一条台账记录至多 %d 个附件（已有 %" PRId64 " 个）", LEDGER_FILES_MAX, have);
        return refuse(d);
    }
    cJSON *j = cJSON_CreateObject();
    int rc = attachment_store(d, a, FILE_INSERT, id, files, mimes, nfiles, "附件", cJSON_AddArrayToObject(j, "files"));
    return store_finish(d, a, "files", "ledger_entry", id, org_id, NULL, json_take(j), rc, e);
}

int ledger_files(db *d, int64_t id, attachment_fn fn, void *ctx)
{
    return attachment_list(d, "SELECT id, size, name, mime, author FROM ledger_file WHERE entry_id = ? ORDER BY id", id, fn, ctx);
}

int ledger_file_owner(db *d, int64_t file_id, int64_t *entry_id)
{
    *entry_id = 0;
    if (db_i64(d, entry_id, 0, "SELECT entry_id FROM ledger_file WHERE id = ?", "i", file_id) != CX_OK) return CX_ERR;
    return *entry_id != 0;
}

int ledger_file_get(db *d, int64_t file_id, buf *out, char mime[32], char name[128])
{
    return attachment_get(d, "SELECT mime, name, data FROM ledger_file WHERE id = ?", file_id, out, mime, name, NULL);
}

int ledger_parts(db *d, int64_t id, ledger_part_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT p.category_id, c.name, p.people FROM ledger_participant p JOIN ledger_category c ON c.id = p.category_id "
                               "WHERE p.entry_id = ? ORDER BY c.seq, c.id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    int rc;
    while ((rc = db_step(s)) == DB_ROW)
        if (fn(ctx, db_col_i64(s, 0), db_col_text(s, 1), db_col_i64(s, 2))) break;
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* ---- lists and totals ---- */

static void first_last_day(int from_q, int to_q, char day0[11], char day1[11])
{
    period_first_day(from_q, day0);
    period_first_day(to_q % 10 == 4 ? (to_q / 10 + 1) * 10 + 1 : to_q + 1, day1);
}

int ledger_list(db *d, const ledger_query *lq, ledger_fn fn, void *ctx, int64_t *total)
{
    char end[CX_PATH_MAX], day0[11], day1[11];
    orgpath_end(lq->root->path, end, sizeof end);
    for (int pass = total ? 0 : 1; pass < 2; pass++) {
        db_q q;
        db_q_init(&q, pass ? "SELECT " ENTRY_COLS ENTRY_FROM : "SELECT count(*)" ENTRY_FROM);
        db_q_where(&q, "e.deleted_at = 0", "");
        db_q_where(&q, "o.path >= ? AND o.path < ?", "ss", lq->root->path, end);
        if (lq->kind >= 0) db_q_where(&q, "e.kind = ?", "s", ledger_kind_name((ledger_kind)lq->kind));
        if (lq->category_id)
            db_q_where(&q, "(e.category_id = ? OR EXISTS (SELECT 1 FROM ledger_participant p WHERE p.entry_id = e.id AND p.category_id = ?))", "ii",
                       lq->category_id, lq->category_id);
        if (lq->member_id) db_q_where(&q, "e.member_id = ?", "i", lq->member_id);
        if (lq->from_q) {
            first_last_day(lq->from_q, lq->to_q, day0, day1);
            db_q_where(&q, "e.entry_date >= ? AND e.entry_date < ?", "ss", day0, day1);
        }
        if (!pass) {
            db_stmt *s = db_q_prepare(d, &q);
            if (!s) return CX_ERR;
            int rc = db_step(s);
            *total = rc == DB_ROW ? db_col_i64(s, 0) : 0;
            db_done(s);
            return rc == CX_ERR ? CX_ERR : CX_OK;
        }
        db_stmt *s = page_stmt(d, &q, " ORDER BY e.entry_date DESC, e.id DESC", lq->offset, lq->limit);
        if (!s) return CX_ERR;
        return DB_EACH(s, ledger_entry, read_entry, fn, ctx);
    }
    return CX_OK;
}

static int totals_of(db *d, const char *sql, int64_t org_id, int from_q, int to_q, ledger_total_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, sql);
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, org_id);
    db_bind_i64(s, 2, from_q);
    db_bind_i64(s, 3, to_q);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        int k = ledger_kind_from_name(db_col_text(s, 1));
        if (k < 0) continue;
        if (fn(ctx, db_col_i64(s, 0), (ledger_kind)k, db_col_i64(s, 2), db_col_i64(s, 3), db_col_i64(s, 4))) break;
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int ledger_totals(db *d, int64_t org_id, int from_q, int to_q, ledger_total_fn fn, void *ctx)
{
    return totals_of(d, "SELECT r.org_id, r.kind, r.category_id, CAST(sum(r.entries) AS BIGINT), CAST(sum(r.people) AS BIGINT) FROM ledger_rollup r "
                        "WHERE r.org_id = ? AND r.quarter BETWEEN ? AND ? GROUP BY r.org_id, r.kind, r.category_id ORDER BY r.kind, r.category_id",
                     org_id, from_q, to_q, fn, ctx);
}

int ledger_child_totals(db *d, int64_t org_id, int from_q, int to_q, ledger_total_fn fn, void *ctx)
{
    char sql[1024];
    snprintf(sql, sizeof sql,
             "SELECT o.id, r.kind, r.category_id, CAST(sum(r.entries) AS BIGINT), CAST(sum(r.people) AS BIGINT) FROM org o JOIN ledger_rollup r ON r.org_id = o.id "
             "WHERE o.parent_id = ? AND o.active = 1 AND r.quarter BETWEEN ? AND ? GROUP BY o.id, o.name, r.kind, r.category_id ORDER BY o.name, o.id");
    return totals_of(d, sql, org_id, from_q, to_q, fn, ctx);
}

typedef struct kind_sum {
    int64_t *n, *p;
} kind_sum;

static int add_kind(void *ctx, int64_t org_id, ledger_kind k, int64_t cat, int64_t entries, int64_t people)
{
    (void)org_id;
    kind_sum *s = ctx;
    if (!cat) s->n[k] += entries, s->p[k] += people;
    return 0;
}

int ledger_kind_totals(db *d, int64_t org_id, int from_q, int to_q, int64_t n[LK_COUNT], int64_t people[LK_COUNT])
{
    memset(n, 0, LK_COUNT * sizeof n[0]);
    memset(people, 0, LK_COUNT * sizeof people[0]);
    kind_sum s = {n, people};
    return ledger_totals(d, org_id, from_q, to_q, add_kind, &s);
}

int ledger_raw_kind_totals(db *d, const char *org_path, int from_q, int to_q, int64_t n[LK_COUNT], int64_t people[LK_COUNT])
{
    memset(n, 0, LK_COUNT * sizeof n[0]);
    memset(people, 0, LK_COUNT * sizeof people[0]);
    char end[CX_PATH_MAX], day0[11], day1[11];
    orgpath_end(org_path, end, sizeof end);
    first_last_day(from_q, to_q, day0, day1);
    db_stmt *s = db_prepare(d, "SELECT e.kind, count(*), CAST(coalesce(sum(e.people), 0) AS BIGINT) FROM ledger_entry e JOIN org o ON o.id = e.org_id "
                               "WHERE e.deleted_at = 0 AND o.path >= ? AND o.path < ? AND e.entry_date >= ? AND e.entry_date < ? GROUP BY e.kind");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, org_path);
    db_bind_text(s, 2, end);
    db_bind_text(s, 3, day0);
    db_bind_text(s, 4, day1);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        int k = ledger_kind_from_name(db_col_text(s, 0));
        if (k >= 0) n[k] = db_col_i64(s, 1), people[k] = db_col_i64(s, 2);
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* ---- an organisation moved; recount ---- */

int ledger_org_moved(db *d, int64_t org_id, const char *old_path, const char *new_path)
{
    db_stmt *s = db_prepare(d, "SELECT quarter, kind, category_id, entries, people FROM ledger_rollup WHERE org_id = ? AND (entries <> 0 OR people <> 0)");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, org_id);
    typedef struct { int quarter; contrib c; int64_t entries; } mrow;
    mrow *rows = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        if (n == cap) rows = xrealloc(rows, (cap = cap ? 2 * cap : 16) * sizeof *rows);
        rows[n].quarter = (int)db_col_i64(s, 0);
        copy_col(rows[n].c.kind, sizeof rows[n].c.kind, s, 1);
        rows[n].c.category_id = db_col_i64(s, 2);
        rows[n].entries = db_col_i64(s, 3);
        rows[n++].c.people = db_col_i64(s, 4);
    }
    db_done(s);
    rc = rc == CX_ERR ? CX_ERR : CX_OK;
    int od = orgpath_depth(old_path), nd = orgpath_depth(new_path);
    /* the ancestors only (depth below the moved organisation's): the subtree's own rows stay */
    for (size_t k = 0; rc == CX_OK && k < n; k++) {
        for (int j = 0; rc == CX_OK && j < od; j++)
            rc = db_run(d, "UPDATE ledger_rollup SET entries = entries - ?, people = people - ? WHERE quarter = ? AND org_id = ? AND kind = ? AND category_id = ?",
                        "iiiisi", rows[k].entries, rows[k].c.people, (int64_t)rows[k].quarter, orgpath_at(old_path, j), rows[k].c.kind, rows[k].c.category_id);
        for (int j = 0; rc == CX_OK && j < nd; j++)
            rc = db_run(d, ROLLUP_ADD_SQL, "iisiii", (int64_t)rows[k].quarter, orgpath_at(new_path, j), rows[k].c.kind, rows[k].c.category_id, rows[k].entries, rows[k].c.people);
    }
    free(rows);
    return rc;
}

int ledger_recount(db *d, bool fix, FILE *out, int64_t *diffs)
{
    *diffs = 0;
    bool own = !d->in_tx;
    if (own && db_begin(d, fix) != CX_OK) return CX_ERR;
    db_stmt *s = db_prepare(d, WANT_SQL ", stored AS (SELECT quarter, org_id, kind, category_id, entries, people FROM ledger_rollup "
                               "WHERE entries <> 0 OR people <> 0), k AS (SELECT quarter, org_id, kind, category_id FROM want UNION "
                               "SELECT quarter, org_id, kind, category_id FROM stored) "
                               "SELECT k.quarter, k.org_id, k.kind, k.category_id, coalesce(s.entries, 0), coalesce(s.people, 0), coalesce(w.entries, 0), "
                               "coalesce(w.people, 0), coalesce(o.name, ''), coalesce(c.name, '') FROM k "
                               "LEFT JOIN stored s ON s.quarter = k.quarter AND s.org_id = k.org_id AND s.kind = k.kind AND s.category_id = k.category_id "
                               "LEFT JOIN want w ON w.quarter = k.quarter AND w.org_id = k.org_id AND w.kind = k.kind AND w.category_id = k.category_id "
                               "LEFT JOIN org o ON o.id = k.org_id LEFT JOIN ledger_category c ON c.id = k.category_id "
                               "WHERE coalesce(s.entries, 0) <> coalesce(w.entries, 0) OR coalesce(s.people, 0) <> coalesce(w.people, 0) "
                               "ORDER BY k.quarter, k.org_id, k.kind, k.category_id");
    int rc = s ? CX_OK : CX_ERR;
    while (s && (rc = db_step(s)) == DB_ROW) {
        (*diffs)++;
        if (!out) continue;
        char label[64];
        int q = (int)db_col_i64(s, 0);
        period_label(q, q, label, sizeof label);
        int k = ledger_kind_from_name(db_col_text(s, 2));
        const char *cat = db_col_i64(s, 3) ? db_col_text(s, 9) : "合计";
        fprintf(out, "台账统计 %s 组织 %s（编号 %" PRId64 "）%s·%s：记录为 %" PRId64 " 条 %" PRId64 " 人，按原始记录应为 %" PRId64 " 条 %" PRId64 " 人\n", label,
                db_col_text(s, 8), db_col_i64(s, 1), k < 0 ? db_col_text(s, 2) : ledger_kind_label((ledger_kind)k), cat, db_col_i64(s, 4),
                db_col_i64(s, 5), db_col_i64(s, 6), db_col_i64(s, 7));
    }
    if (s) db_done(s);
    rc = rc == CX_ERR ? CX_ERR : CX_OK;
    if (rc == CX_OK && fix && *diffs) {
        rc = db_run(d, "DELETE FROM ledger_rollup", "");
        if (rc == CX_OK)
            rc = db_run(d, "INSERT INTO ledger_rollup (quarter, org_id, kind, category_id, entries, people) " WANT_SQL
                           "SELECT quarter, org_id, kind, category_id, entries, people FROM want", "");
        char after[64];
        snprintf(after, sizeof after, "{\"differences\":%" PRId64 "}", *diffs);
        if (rc == CX_OK) rc = audit_append(d, &actor_cli, "period.recount_fix", "ledger_rollup", 0, 0, NULL, after, "ok");
    }
    if (!own) return rc;
    if (rc == CX_OK && fix) rc = db_commit(d);
    else db_rollback(d);
    return rc;
}
