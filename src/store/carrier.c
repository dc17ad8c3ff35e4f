/* carrier.c: carrier items, versions, phases opened, entries with evidence, the roll-up and its
 * recount (see carrier.h). */
#include "carrier.h"
#include "row.h"
#include "../domain/orgpath.h"
#include "../domain/text.h"
#include "../lib/json.h"
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define CARRIER_COLS                                                                                                 \
    "k.id, k.campaign_id, k.org_id, k.version, k.retired_at, k.created_at, k.name, k.description, k.retired_reason, " \
    "o.name, o.path FROM carrier k JOIN org o ON o.id = k.org_id"

static void read_carrier(db_stmt *s, void *out)
{
    carrier_rec *k = out;
    k->id = db_col_i64(s, 0);
    k->campaign_id = db_col_i64(s, 1);
    k->org_id = db_col_i64(s, 2);
    k->version = db_col_i64(s, 3);
    k->retired_at = db_col_i64(s, 4);
    k->created_at = db_col_i64(s, 5);
    copy_col(k->name, sizeof k->name, s, 6);
    copy_col(k->description, sizeof k->description, s, 7);
    copy_col(k->retired_reason, sizeof k->retired_reason, s, 8);
    copy_col(k->org_name, sizeof k->org_name, s, 9);
    copy_col(k->org_path, sizeof k->org_path, s, 10);
}

int carrier_get(db *d, int64_t id, carrier_rec *k)
{
    return row_by_id(d, "SELECT " CARRIER_COLS " WHERE k.id = ?", id, read_carrier, k, sizeof *k);
}

static void read_item(db_stmt *s, carrier_item_row *it)
{
    it->id = db_col_i64(s, 0);
    it->carrier_id = db_col_i64(s, 1);
    it->seq = (int)db_col_i64(s, 2);
    it->since_version = db_col_i64(s, 3);
    it->retired_version = db_col_i64(s, 4);
    copy_col(it->title, sizeof it->title, s, 5);
    copy_col(it->target, sizeof it->target, s, 6);
    copy_col(it->evidence, sizeof it->evidence, s, 7);
}

int carrier_items_list(db *d, int64_t carrier_id, bool all, carrier_item_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT id, carrier_id, seq, since_version, retired_version, title, target, evidence FROM carrier_item "
                               "WHERE carrier_id = ? AND (? = 1 OR retired_version = 0) ORDER BY retired_version <> 0, seq, id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, carrier_id);
    db_bind_i64(s, 2, all ? 1 : 0);
    return DB_EACH(s, carrier_item_row, read_item, fn, ctx);
}

int carrier_items_insert(db *d, int64_t carrier_id, const carrier_items_ok *items, int64_t version)
{
    int rc = CX_OK;
    for (int i = 0; i < items->n && rc == CX_OK; i++)
        rc = db_run(d, "INSERT INTO carrier_item (carrier_id, seq, title, target, evidence, since_version) VALUES (?,?,?,?,?,?)", "iisssi",
                    carrier_id, (int64_t)(i + 1), items->item[i].title, items->item[i].target, items->item[i].evidence, version);
    return rc;
}

/* The carrier's current items as carrier_items_check reads them. */
typedef struct items_acc {
    carrier_items_ok *items;
    int64_t ids[CARRIER_ITEMS_MAX];
} items_acc;

static int acc_item(void *ctx, const carrier_item_row *it)
{
    items_acc *c = ctx;
    if (c->items->n >= CARRIER_ITEMS_MAX) return 1;
    carrier_item_ok *o = &c->items->item[c->items->n];
    snprintf(o->title, sizeof o->title, "%s", it->title);
    snprintf(o->target, sizeof o->target, "%s", it->target);
    snprintf(o->evidence, sizeof o->evidence, "%s", it->evidence);
    c->ids[c->items->n++] = it->id;
    return 0;
}

char *carrier_items_current(db *d, int64_t carrier_id)
{
    carrier_items_ok *items = xmalloc(sizeof *items);
    items_acc acc = {.items = items};
    items->n = 0;
    char *t = carrier_items_list(d, carrier_id, false, acc_item, &acc) == CX_OK ? carrier_items_text(items) : NULL;
    free(items);
    return t;
}

static cJSON *carrier_json(const char *name, const char *description, const carrier_items_ok *items)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "name", name);
    cJSON_AddStringToObject(j, "description", description);
    cJSON *arr = cJSON_AddArrayToObject(j, "items");
    for (int i = 0; i < items->n; i++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "title", items->item[i].title);
        cJSON_AddStringToObject(x, "target", items->item[i].target);
        cJSON_AddStringToObject(x, "evidence", items->item[i].evidence);
        cJSON_AddItemToArray(arr, x);
    }
    return j;
}

/* Loads the carrier inside the open transaction, serialised with every other change of the carrier
 * and its entries (the roll-up is read and written by each); refuses a retired one. 1 loaded,
 * else CX_ERR. */
static int load_open(db *d, int64_t id, carrier_rec *k, cx_err *e)
{
    if (db_lock(d, "carrier", id) != CX_OK) return db_fail(d, e);
    int f = carrier_get(d, id, k);
    if (f == CX_ERR) return db_fail(d, e);
    if (f == 0) return cx_fail(e, 404, "not_found", "id", "载体不存在"), refuse(d);
    if (k->retired_at) return cx_fail(e, 409, "carrier_retired", "id", "载体“%s”已停用，不能再修改或填报", k->name), refuse(d);
    return 1;
}

int carrier_edit(db *d, const actor *a, int64_t id, const carrier_ok *in, const carrier_items_ok *items, int64_t *version, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    carrier_rec *k = xmalloc(sizeof *k);
    carrier_items_ok *old = xmalloc(sizeof *old);
    items_acc acc = {.items = old};
    old->n = 0;
    int rc = load_open(d, id, k, e) == 1 ? CX_OK : CX_ERR;
    if (rc != CX_OK) goto out;
    rc = carrier_items_list(d, id, false, acc_item, &acc);
    int64_t v = k->version + 1;
    char *text = carrier_items_text(old);
    if (rc == CX_OK)
        rc = db_run(d, "INSERT INTO carrier_version (carrier_id, version, name, description, items, edited_by, edited_at) VALUES (?,?,?,?,?,?,?)",
                    "iissssi", id, k->version, k->name, k->description, text, a->display ? a->display : a->name, now_unix());
    free(text);
    bool kept[CARRIER_ITEMS_MAX] = {false};
    for (int i = 0; i < old->n && rc == CX_OK; i++) {
        int j = 0;
        while (j < items->n && (strcmp(items->item[j].title, old->item[i].title) || strcmp(items->item[j].target, old->item[i].target))) j++;
        if (j < items->n) {
            kept[j] = true;
            rc = db_run(d, "UPDATE carrier_item SET seq = ?, evidence = ? WHERE id = ?", "isi", (int64_t)(j + 1), items->item[j].evidence, acc.ids[i]);
        } else
            rc = db_run(d, "UPDATE carrier_item SET retired_version = ? WHERE id = ?", "ii", v, acc.ids[i]);
    }
    for (int j = 0; j < items->n && rc == CX_OK; j++)
        if (!kept[j])
            rc = db_run(d, "INSERT INTO carrier_item (carrier_id, seq, title, target, evidence, since_version) VALUES (?,?,?,?,?,?)", "iisssi", id,
                        (int64_t)(j + 1), items->item[j].title, items->item[j].target, items->item[j].evidence, v);
    if (rc == CX_OK)
        rc = db_run(d, "UPDATE carrier SET name = ?, description = ?, version = ? WHERE id = ?", "ssii", in->name, in->description, v, id);
    cJSON *before = carrier_json(k->name, k->description, old), *after = carrier_json(in->name, in->description, items);
    json_add_i64(after, "version", v);
    rc = store_finish(d, a, "carrier.edit", "carrier", id, k->org_id, json_take(before), json_take(after), rc, e);
    if (rc == CX_OK && version) *version = v;
out:
    free(k);
    free(old);
    return rc;
}

int carrier_retire(db *d, const actor *a, int64_t id, const char *reason, cx_err *e)
{
    static const text_rule T_REASON = {"reason", "停用原因", 1, 200, false};
    char why[801];
    if (text_check(&T_REASON, reason, why, sizeof why, e) != CX_OK) return CX_ERR;
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    carrier_rec *k = xmalloc(sizeof *k);
    int rc = load_open(d, id, k, e) == 1 ? CX_OK : CX_ERR;
    if (rc == CX_OK) {
        rc = db_run(d, "UPDATE carrier SET retired_at = ?, retired_reason = ? WHERE id = ?", "isi", now_unix(), why, id);
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "reason", why);
        rc = store_finish(d, a, "carrier.retire", "carrier", id, k->org_id, NULL, json_take(j), rc, e);
    }
    free(k);
    return rc;
}

static void read_version(db_stmt *s, carrier_version_row *v)
{
    v->version = db_col_i64(s, 0);
    v->edited_at = db_col_i64(s, 1);
    copy_col(v->name, sizeof v->name, s, 2);
    copy_col(v->description, sizeof v->description, s, 3);
    copy_col(v->items, sizeof v->items, s, 4);
    copy_col(v->edited_by, sizeof v->edited_by, s, 5);
}

int carrier_versions(db *d, int64_t carrier_id, carrier_version_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT version, edited_at, name, description, items, edited_by FROM carrier_version WHERE carrier_id = ? "
                               "ORDER BY version DESC");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, carrier_id);
    return DB_EACH(s, carrier_version_row, read_version, fn, ctx);
}

/* The counters as the entries say: per item, phase and the entry's own organisation. FILTER
 * narrows the entries (alias e, items i). */
#define CARRIER_WANT(FILTER)                                                                                        \
    "WITH want AS (SELECT e.item_id, e.phase_id, e.org_id, count(*) AS due, "                                        \
    "sum(CASE WHEN e.status = 'done' THEN 1 ELSE 0 END) AS done FROM carrier_entry e JOIN carrier_item i ON i.id = e.item_id " \
    "WHERE " FILTER " GROUP BY e.item_id, e.phase_id, e.org_id) "

int carrier_open_phase(db *d, const actor *a, int64_t id, int64_t phase_id, int64_t *created, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    carrier_rec *k = xmalloc(sizeof *k);
    int rc = load_open(d, id, k, e) == 1 ? CX_OK : CX_ERR;
    if (rc != CX_OK) goto out;
    int64_t pc = 0, before = 0, after = 0;
    if (db_i64(d, &pc, 0, "SELECT campaign_id FROM campaign_phase WHERE id = ?", "i", phase_id) != CX_OK) {
        rc = db_fail(d, e);
        goto out;
    }
    if (pc == 0 || pc != k->campaign_id) {
        cx_fail(e, 400, "invalid_phase", "phase_id", "阶段不存在或不属于载体“%s”所在的活动", k->name);
        rc = refuse(d);
        goto out;
    }
    char end[CX_PATH_MAX];
    orgpath_end(k->org_path, end, sizeof end);
    int64_t now = now_unix();
    const char *count_sql = "SELECT count(*) FROM carrier_entry e JOIN carrier_item i ON i.id = e.item_id WHERE i.carrier_id = ? AND e.phase_id = ?";
    rc = db_i64(d, &before, 0, count_sql, "ii", id, phase_id);
    if (rc == CX_OK)
        rc = db_run(d, "INSERT INTO carrier_entry (item_id, phase_id, org_id, member_id, created_at) "
                       "SELECT i.id, CAST(? AS BIGINT), m.org_id, m.id, CAST(? AS BIGINT) FROM carrier_item i JOIN member m ON m.active = 1 JOIN org o ON o.id = m.org_id "
                       "WHERE i.carrier_id = ? AND i.retired_version = 0 AND i.target = 'member' AND o.active = 1 AND o.path >= ? AND o.path < ? "
                       "AND NOT EXISTS (SELECT 1 FROM carrier_entry x WHERE x.item_id = i.id AND x.phase_id = ? AND x.member_id = m.id)",
                    "iiissi", phase_id, now, id, k->org_path, end, phase_id);
    if (rc == CX_OK)
        rc = db_run(d, "INSERT INTO carrier_entry (item_id, phase_id, org_id, member_id, created_at) "
                       "SELECT i.id, CAST(? AS BIGINT), o.id, 0, CAST(? AS BIGINT) FROM carrier_item i JOIN org o ON o.active = 1 AND o.path >= ? AND o.path < ? "
                       "WHERE i.carrier_id = ? AND i.retired_version = 0 AND i.target = 'org' "
                       "AND NOT EXISTS (SELECT 1 FROM org c WHERE c.parent_id = o.id AND c.active = 1) "
                       "AND NOT EXISTS (SELECT 1 FROM carrier_entry x WHERE x.item_id = i.id AND x.phase_id = ? AND x.member_id = 0 AND x.org_id = o.id)",
                    "iissii", phase_id, now, k->org_path, end, id, phase_id);
    if (rc == CX_OK) rc = db_i64(d, &after, 0, count_sql, "ii", id, phase_id);
    /* the phase's roll-up from its entries */
    if (rc == CX_OK)
        rc = db_run(d, "DELETE FROM carrier_tally WHERE phase_id = ? AND item_id IN (SELECT id FROM carrier_item WHERE carrier_id = ?)", "ii",
                    phase_id, id);
    if (rc == CX_OK)
        rc = db_run(d, "INSERT INTO carrier_tally (item_id, phase_id, org_id, due, done) " CARRIER_WANT("i.carrier_id = ? AND e.phase_id = ?")
                       "SELECT item_id, phase_id, org_id, due, done FROM want",
                    "ii", id, phase_id);
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "phase_id", phase_id);
    json_add_i64(j, "entries_added", after - before);
    rc = store_finish(d, a, "carrier.open_phase", "carrier", id, k->org_id, NULL, json_take(j), rc, e);
    if (rc == CX_OK && created) *created = after - before;
out:
    free(k);
    return rc;
}

#define ENTRY_COLS                                                                                                         \
    "e.id, e.item_id, e.phase_id, e.org_id, e.member_id, e.version, e.done_at, "                                            \
    "(SELECT count(*) FROM carrier_file f WHERE f.entry_id = e.id), k.id, k.org_id, k.retired_at, i.retired_version, "     \
    "e.status, e.done_by, i.target, e.text, i.title, i.evidence, o.name, o.path, coalesce(m.name, ''), k.name, ko.path, "  \
    "p.name, p.start_date, p.end_date "                                                                                     \
    "FROM carrier_entry e JOIN carrier_item i ON i.id = e.item_id JOIN carrier k ON k.id = i.carrier_id "                  \
    "JOIN org ko ON ko.id = k.org_id JOIN org o ON o.id = e.org_id JOIN campaign_phase p ON p.id = e.phase_id "            \
    "LEFT JOIN member m ON m.id = e.member_id"

static void read_entry(db_stmt *s, void *out)
{
    carrier_entry_rec *en = out;
    int64_t *v[] = {&en->id, &en->item_id, &en->phase_id, &en->org_id, &en->member_id, &en->version, &en->done_at, &en->nfiles,
                    &en->carrier_id, &en->carrier_org_id, &en->carrier_retired_at, &en->item_retired_version};
    for (int c = 0; c < 12; c++) *v[c] = db_col_i64(s, c);
    struct {
        char *p;
        size_t n;
    } t[] = {{en->status, sizeof en->status}, {en->done_by, sizeof en->done_by}, {en->target, sizeof en->target},
             {en->text, sizeof en->text}, {en->item_title, sizeof en->item_title}, {en->evidence, sizeof en->evidence},
             {en->org_name, sizeof en->org_name}, {en->org_path, sizeof en->org_path}, {en->member_name, sizeof en->member_name},
             {en->carrier_name, sizeof en->carrier_name}, {en->carrier_org_path, sizeof en->carrier_org_path},
             {en->phase_name, sizeof en->phase_name}, {en->start_date, sizeof en->start_date}, {en->end_date, sizeof en->end_date}};
    for (int c = 0; c < 14; c++) copy_col(t[c].p, t[c].n, s, 12 + c);
}

int carrier_entry_get(db *d, int64_t id, carrier_entry_rec *en)
{
    return row_by_id(d, "SELECT " ENTRY_COLS " WHERE e.id = ?", id, read_entry, en, sizeof *en);
}

int carrier_entries(db *d, int64_t carrier_id, int64_t phase_id, const char *root_path, int64_t member_id, int limit, carrier_entry_fn fn,
                    void *ctx)
{
    char end[CX_PATH_MAX];
    orgpath_end(root_path, end, sizeof end);
    db_q q; /* only the filters present (db.h: never `? = 0 OR col = ?`) */
    db_q_init(&q, "SELECT " ENTRY_COLS);
    db_q_where(&q, "k.id = ?", "i", carrier_id);
    if (phase_id) db_q_where(&q, "e.phase_id = ?", "i", phase_id);
    db_q_where(&q, "o.path >= ? AND o.path < ?", "ss", root_path, end);
    if (member_id) db_q_where(&q, "e.member_id = ?", "i", member_id);
    db_q_add(&q, " ORDER BY p.seq, i.retired_version <> 0, i.seq, o.path, m.name, e.id LIMIT ?", "i", (int64_t)limit);
    db_stmt *s = db_q_prepare(d, &q);
    if (!s) return CX_ERR;
    carrier_entry_rec *en = xmalloc(sizeof *en);
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        read_entry(s, en);
        if (fn(ctx, en)) break;
    }
    free(en);
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

#define CARRIER_FILE_INSERT "INSERT INTO carrier_file (entry_id, mime, name, size, data, author, created_at) VALUES (?,?,?,?,?,?,?)"

int carrier_entry_fill(db *d, const actor *a, int64_t id, const char *today, const char *text, const evidence_in *files, int nfiles,
                       cx_err *e)
{
    const char *mimes[EVIDENCE_MAX_FILES + 1];
    if (nfiles > EVIDENCE_MAX_FILES)
        return cx_fail(e, 400, "too_many_files", "evidence", "每项填报最多 %d 个佐证文件", EVIDENCE_MAX_FILES);
    if (nfiles && evidence_check(files, nfiles, mimes, e) != CX_OK) return CX_ERR;
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    carrier_entry_rec *en = xmalloc(sizeof *en);
    int64_t kid = 0;
    int rc = db_i64(d, &kid, 0, "SELECT i.carrier_id FROM carrier_entry e JOIN carrier_item i ON i.id = e.item_id WHERE e.id = ?", "i", id);
    if (rc == CX_OK && kid) rc = db_lock(d, "carrier", kid); /* as load_open: one change of the carrier's roll-up at a time */
    int f = rc == CX_OK ? carrier_entry_get(d, id, en) : CX_ERR;
    if (f != 1) {
        rc = f == CX_ERR ? db_fail(d, e) : (cx_fail(e, 404, "not_found", "id", "填报事项不存在"), refuse(d));
        goto out;
    }
    int ph = carrier_phase_state(today, en->start_date, en->end_date);
    bool refused = true;
    if (en->carrier_retired_at) cx_fail(e, 409, "carrier_retired", "id", "载体“%s”已停用，不能再填报", en->carrier_name);
    else if (en->item_retired_version) cx_fail(e, 409, "item_retired", "id", "事项“%s”已在修订中取消，不能再填报", en->item_title);
    else if (ph < 0) cx_fail(e, 409, "phase_not_open", "id", "“%s”阶段自 %s 开始，现在还不能填报", en->phase_name, en->start_date);
    else if (ph > 0) cx_fail(e, 409, "phase_closed", "id", "“%s”阶段已于 %s 结束，不能再填报", en->phase_name, en->end_date);
    else if (en->nfiles + nfiles > EVIDENCE_MAX_FILES)
        cx_fail(e, 400, "too_many_files", "evidence", "每项填报最多 %d 个佐证文件（已有 %" PRId64 " 个）", EVIDENCE_MAX_FILES, en->nfiles);
    else refused = false;
    if (refused) {
        rc = refuse(d);
        goto out;
    }
    bool first = strcmp(en->status, "done") != 0;
    const char *who = a->display ? a->display : a->name;
    rc = db_run(d, "UPDATE carrier_entry SET status = 'done', text = ?, version = version + 1, done_by = ?, done_at = ? WHERE id = ?", "ssii", text,
                who, now_unix(), id);
    cJSON *names = cJSON_CreateArray();
    if (rc == CX_OK && nfiles) rc = attachment_store(d, a, CARRIER_FILE_INSERT, id, files, mimes, nfiles, "佐证", names);
    /* counted done at the entry's organisation (the pages add up the subtrees) */
    if (first && rc == CX_OK)
        rc = db_run(d, "UPDATE carrier_tally SET done = done + 1 WHERE item_id = ? AND phase_id = ? AND org_id = ?", "iii", en->item_id,
                    en->phase_id, en->org_id);
    cJSON *b = cJSON_CreateObject(), *j = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "status", en->status);
    cJSON_AddStringToObject(b, "text", en->text);
    cJSON_AddStringToObject(j, "status", "done");
    cJSON_AddStringToObject(j, "text", text);
    cJSON_AddItemToObject(j, "evidence", names);
    rc = store_finish(d, a, "carrier.entry", "carrier_entry", id, en->org_id, json_take(b), json_take(j), rc, e);
out:
    free(en);
    return rc;
}

int carrier_files(db *d, int64_t entry_id, attachment_fn fn, void *ctx)
{
    return attachment_list(d, "SELECT id, size, name, mime, author FROM carrier_file WHERE entry_id = ? ORDER BY id", entry_id, fn, ctx);
}

int carrier_file_get(db *d, int64_t id, buf *out, char mime[32], char name[128], int64_t *entry_id)
{
    return attachment_get(d, "SELECT mime, name, data, entry_id FROM carrier_file WHERE id = ?", id, out, mime, name, entry_id);
}

int carrier_progress(db *d, int64_t carrier_id, int64_t phase_id, int64_t org_id, carrier_tally_fn fn, void *ctx)
{
    /* each organisation's subtree (a range of paths) adds up its organisations' counters */
    db_stmt *s = db_prepare(d, "SELECT a.id, a.name, t.item_id, sum(t.due), sum(t.done) FROM org a "
                               "JOIN org eo ON eo.path >= a.path AND eo.path < substr(a.path, 1, length(a.path) - 1) || '0' "
                               "JOIN carrier_tally t ON t.org_id = eo.id JOIN carrier_item i ON i.id = t.item_id "
                               "WHERE (a.id = ? OR a.parent_id = ?) AND i.carrier_id = ? AND t.phase_id = ? "
                               "GROUP BY a.id, a.name, t.item_id, i.seq ORDER BY a.id <> ?, a.name, a.id, i.seq");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, org_id);
    db_bind_i64(s, 2, org_id);
    db_bind_i64(s, 3, carrier_id);
    db_bind_i64(s, 4, phase_id);
    db_bind_i64(s, 5, org_id);
    int rc;
    while ((rc = db_step(s)) == DB_ROW)
        if (fn(ctx, db_col_i64(s, 0), db_col_text(s, 1), db_col_i64(s, 2), db_col_i64(s, 3), db_col_i64(s, 4))) break;
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int carrier_recount(db *d, bool fix, FILE *out, int64_t *diffs)
{
    *diffs = 0;
    bool own = !d->in_tx;
    if (own && db_begin(d, fix) != CX_OK) return CX_ERR;
    db_stmt *s = db_prepare(d, CARRIER_WANT("1 = 1") ", ks AS (SELECT item_id, phase_id, org_id FROM want UNION "
                                                  "SELECT item_id, phase_id, org_id FROM carrier_tally WHERE due <> 0 OR done <> 0) "
                                                  "SELECT ks.item_id, ks.phase_id, ks.org_id, coalesce(t.due, 0), coalesce(t.done, 0), coalesce(w.due, 0), "
                                                  "coalesce(w.done, 0), coalesce(o.name, ''), coalesce(i.title, '') FROM ks "
                                                  "LEFT JOIN carrier_tally t ON t.item_id = ks.item_id AND t.phase_id = ks.phase_id AND t.org_id = ks.org_id "
                                                  "LEFT JOIN want w ON w.item_id = ks.item_id AND w.phase_id = ks.phase_id AND w.org_id = ks.org_id "
                                                  "LEFT JOIN org o ON o.id = ks.org_id LEFT JOIN carrier_item i ON i.id = ks.item_id "
                                                  "WHERE coalesce(t.due, 0) <> coalesce(w.due, 0) OR coalesce(t.done, 0) <> coalesce(w.done, 0) "
                                                  "ORDER BY ks.item_id, ks.phase_id, ks.org_id");
    int rc = s ? CX_OK : CX_ERR;
    while (s && (rc = db_step(s)) == DB_ROW) {
        (*diffs)++;
        if (out)
            fprintf(out, "载体事项 %s（编号 %" PRId64 "，阶段 %" PRId64 "）组织 %s（编号 %" PRId64 "）：记录为应填 %" PRId64 " 项、已填 %" PRId64
                         " 项，按原始记录应为应填 %" PRId64 " 项、已填 %" PRId64 " 项\n",
                    db_col_text(s, 8), db_col_i64(s, 0), db_col_i64(s, 1), db_col_text(s, 7), db_col_i64(s, 2), db_col_i64(s, 3),
                    db_col_i64(s, 4), db_col_i64(s, 5), db_col_i64(s, 6));
    }
    if (s) db_done(s);
    rc = rc == CX_ERR ? CX_ERR : CX_OK;
    if (rc == CX_OK && fix && *diffs) {
        rc = db_run(d, "DELETE FROM carrier_tally", "");
        if (rc == CX_OK)
            rc = db_run(d, "INSERT INTO carrier_tally (item_id, phase_id, org_id, due, done) " CARRIER_WANT("1 = 1")
                           "SELECT item_id, phase_id, org_id, due, done FROM want", "");
        char after[64];
        snprintf(after, sizeof after, "{\"differences\":%" PRId64 "}", *diffs);
        if (rc == CX_OK) rc = audit_append(d, &actor_cli, "period.recount_fix", "carrier_tally", 0, 0, NULL, after, "ok");
    }
    if (!own) return rc;
    if (rc == CX_OK && fix) rc = db_commit(d);
    else db_rollback(d);
    return rc;
}
