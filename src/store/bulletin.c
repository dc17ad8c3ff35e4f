/* bulletin.c: bulletins (通报): drafts, publication with a number per office and year, correction,
 * the number prefix of an office, and the recount of a published one (see bulletin.h). */
#include "bulletin.h"
#include "notify.h"
#include "period.h"
#include "row.h"
#include "../lib/json.h"
#include "../domain/date.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define BULLETIN_COLS                                                                                                  \
    "b.id, b.org_id, b.org_path, o.name, b.year, b.seq, b.number_text, b.title, b.from_q, b.to_q, b.status, b.visibility, " \
    "coalesce(b.corrects_id, 0), b.content_hash, b.created_by, b.created_by_name, b.published_at, b.published_by_name, "     \
    "b.row_version, b.created_at, b.updated_at"

static void read_bulletin(db_stmt *s, void *out)
{
    bulletin *b = out;
    b->id = db_col_i64(s, 0);
    b->org_id = db_col_i64(s, 1);
    copy_col(b->org_path, sizeof b->org_path, s, 2);
    copy_col(b->org_name, sizeof b->org_name, s, 3);
    b->year = (int)db_col_i64(s, 4);
    b->seq = db_col_i64(s, 5);
    copy_col(b->number_text, sizeof b->number_text, s, 6);
    copy_col(b->title, sizeof b->title, s, 7);
    b->from_q = (int)db_col_i64(s, 8);
    b->to_q = (int)db_col_i64(s, 9);
    b->published = !strcmp(db_col_text(s, 10), "published");
    b->is_public = !strcmp(db_col_text(s, 11), "public");
    b->corrects_id = db_col_i64(s, 12);
    copy_col(b->content_hash, sizeof b->content_hash, s, 13);
    b->created_by = db_col_i64(s, 14);
    copy_col(b->created_by_name, sizeof b->created_by_name, s, 15);
    b->published_at = db_col_i64(s, 16);
    copy_col(b->published_by_name, sizeof b->published_by_name, s, 17);
    b->row_version = db_col_i64(s, 18);
    b->created_at = db_col_i64(s, 19);
    b->updated_at = db_col_i64(s, 20);
}

static void read_full(db_stmt *s, void *out)
{
    bulletin *b = out;
    read_bulletin(s, b);
    b->sections = xstrdup(db_col_text(s, 21));
}

void bulletin_free(bulletin *b)
{
    if (b) free(b->sections), b->sections = NULL;
}

void bulletin_read_period(bulletin_in *in)
{
    int a = 0, b = 0;
    char today[11];
    date_today(today);
    in->today_q = period_quarter(today);
    in->from_q = in->to_q = 0;
    if (in->period && *in->period) {
        if (period_parse(in->period, &a, &b) == CX_OK) in->from_q = a, in->to_q = b;
        return;
    }
    if (in->from && period_parse(in->from, &a, &b) == CX_OK) in->from_q = a;
    if (in->to && period_parse(in->to, &a, &b) == CX_OK) in->to_q = b;
}

int bulletin_get(db *d, int64_t id, bulletin *b)
{
    return row_by_id(d, "SELECT " BULLETIN_COLS ", b.sections FROM bulletin b JOIN org o ON o.id = b.org_id WHERE b.id = ?", id, read_full, b,
                     sizeof *b);
}

int bulletin_corrections(db *d, int64_t id, bulletin_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT " BULLETIN_COLS " FROM bulletin b JOIN org o ON o.id = b.org_id "
                               "WHERE b.corrects_id = ? AND b.status = 'published' ORDER BY b.published_at, b.id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, id);
    return DB_EACH(s, bulletin, read_bulletin, fn, ctx);
}

static void where_of(db_q *q, const bulletin_query *bq)
{
    if (bq->office_id) db_q_where(q, "b.org_id = ?", "i", bq->office_id);
    if (!bq->with_drafts) db_q_where(q, "b.status = 'published'", "");
    if (bq->public_only) db_q_where(q, "b.visibility = 'public'", "");
}

int bulletin_count(db *d, const bulletin_query *bq, int64_t *n)
{
    db_q q;
    db_q_init(&q, "SELECT count(*) FROM bulletin b");
    where_of(&q, bq);
    db_stmt *s = db_q_prepare(d, &q);
    if (!s) return CX_ERR;
    int rc = db_step(s);
    *n = rc == DB_ROW ? db_col_i64(s, 0) : 0;
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int bulletin_list(db *d, const bulletin_query *bq, bulletin_fn fn, void *ctx)
{
    db_q q;
    db_q_init(&q, "SELECT " BULLETIN_COLS " FROM bulletin b JOIN org o ON o.id = b.org_id");
    where_of(&q, bq);
    db_stmt *s = page_stmt(d, &q, " ORDER BY b.status, b.published_at DESC, b.id DESC", bq->offset, bq->limit);
    if (!s) return CX_ERR;
    return DB_EACH(s, bulletin, read_bulletin, fn, ctx);
}

/* What the audit log keeps of a bulletin. */
static char *summary_json(const bulletin *b)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", b->id);
    cJSON_AddStringToObject(j, "title", b->title);
    cJSON_AddStringToObject(j, "status", b->published ? "published" : "draft");
    json_add_i64(j, "from_q", b->from_q);
    json_add_i64(j, "to_q", b->to_q);
    cJSON_AddStringToObject(j, "visibility", b->is_public ? "public" : "subtree");
    if (b->corrects_id) json_add_i64(j, "corrects_id", b->corrects_id);
    if (b->published) {
        cJSON_AddStringToObject(j, "number", b->number_text);
        cJSON_AddStringToObject(j, "content_hash", b->content_hash);
    }
    return json_take(j);
}

/* The exemplary pledges must lie in the office's subtree. */
static int check_pledges(db *d, const org *office, const bulletin_ok *in, cx_err *e)
{
    char end[CX_PATH_MAX];
    orgpath_end(office->path, end, sizeof end);
    for (int i = 0; i < in->npledges; i++) {
        int64_t n = 0;
        if (db_i64(d, &n, 0, "SELECT count(*) FROM pledge x JOIN org o ON o.id = x.org_id WHERE x.id = ? AND o.path >= ? AND o.path < ?", "iss",
                   in->pledges[i], office->path, end) != CX_OK)
            return db_fail(d, e);
        if (!n) {
            db_rollback(d);
            return cx_fail(e, 422, "invalid_exemplary", "exemplary", "承诺 %" PRId64 " 不存在或不在%s及下级，不能作为典型事例", in->pledges[i], office->name);
        }
    }
    return CX_OK;
}

static int insert_draft(db *d, const actor *a, const org *office, const char *title, int from_q, int to_q, bool is_public, const char *sections,
                        int64_t corrects, int64_t *id, cx_err *e)
{
    int64_t now = now_unix(), nid = 0;
    db_stmt *s = db_prepare(d, "INSERT INTO bulletin (org_id, org_path, year, title, from_q, to_q, status, visibility, corrects_id, sections, "
                               "created_by, created_by_name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?) RETURNING id");
    if (!s) return db_fail(d, e);
    db_bind_i64(s, 1, office->id);
    db_bind_text(s, 2, office->path);
    db_bind_i64(s, 3, to_q / 10);
    db_bind_text(s, 4, title);
    db_bind_i64(s, 5, from_q);
    db_bind_i64(s, 6, to_q);
    db_bind_text(s, 7, is_public ? "public" : "subtree");
    if (corrects) db_bind_i64(s, 8, corrects);
    else db_bind_null(s, 8);
    db_bind_text(s, 9, sections);
    db_bind_i64(s, 10, a ? a->user_id : 0);
    db_bind_text(s, 11, actor_shown(a));
    db_bind_i64(s, 12, now);
    db_bind_i64(s, 13, now);
    int rc = db_step(s);
    if (rc == DB_ROW) nid = db_col_i64(s, 0), rc = db_step(s);
    db_done(s);
    if (rc == CX_ERR || !nid) return db_fail(d, e);
    *id = nid;
    return CX_OK;
}

/* Reads the bulletin inside the open write transaction; 404 when missing, 409 when it is no
 * draft, 409 stale when version (0: any) is not the stored one. Rolls back on refusal. */
static int load_draft(db *d, int64_t id, int64_t version, bulletin *b, cx_err *e)
{
    int f = bulletin_get(d, id, b);
    if (f == CX_ERR) return db_fail(d, e);
    if (!f) return cx_fail(e, 404, "not_found", "id", "通报不存在或不在您的管理范围内"), refuse(d);
    if (b->published)
        return cx_fail(e, 409, "published", "id", "该通报已印发（%s），不能再修改、删除或印发；如需更正，请另发更正通报", b->number_text), refuse(d);
    if (version && version != b->row_version)
        return cx_fail(e, 409, "stale", "version", "该通报草稿已被他人修改（当前版本 %" PRId64 "），请刷新后再改", b->row_version), refuse(d);
    return CX_OK;
}

/* A draft read in this transaction that the write then missed: published, edited or deleted by
 * another request that committed in between (PostgreSQL). Refuses with the reason; rolls back. */
static int lost_draft(db *d, int64_t id, const char *what, cx_err *e)
{
    int64_t st = -1;
    if (db_i64(d, &st, -1, "SELECT CASE WHEN status = 'draft' THEN 1 ELSE 0 END FROM bulletin WHERE id = ?", "i", id) != CX_OK)
        return db_fail(d, e);
    if (st == 1) cx_fail(e, 409, "stale", "version", "该通报草稿刚被他人修改，未%s；请刷新看过修改后的内容再%s", what, what);
    else if (st == 0) cx_fail(e, 409, "published", "id", "该通报刚刚已印发，不能再%s；如需更正，请另发更正通报", what);
    else cx_fail(e, 404, "not_found", "id", "通报不存在或已被删除");
    return refuse(d);
}

int bulletin_create(db *d, const actor *a, const org *office, const bulletin_ok *in, int64_t corrects, int64_t *id, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    if (check_pledges(d, office, in, e) != CX_OK) return CX_ERR;
    char *sections = json_take(bulletin_draft_sections(in));
    int rc = insert_draft(d, a, office, in->title, in->from_q, in->to_q, in->is_public, sections, corrects, id, e);
    free(sections);
    if (rc != CX_OK) return CX_ERR;
    bulletin *b = xmalloc(sizeof *b);
    int f = bulletin_get(d, *id, b);
    char *after = f == 1 ? summary_json(b) : NULL;
    bulletin_free(b);
    free(b);
    return store_finish(d, a, "create", "bulletin", *id, office->id, NULL, after, f == 1 ? CX_OK : CX_ERR, e);
}

int bulletin_update(db *d, const actor *a, int64_t id, int64_t version, const bulletin_ok *in, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    bulletin *b = xmalloc(sizeof *b);
    org office;
    int rc = load_draft(d, id, version, b, e);
    if (rc == CX_OK && org_get(d, b->org_id, &office) != 1) rc = db_fail(d, e);
    if (rc == CX_OK) rc = check_pledges(d, &office, in, e);
    if (rc != CX_OK) {
        bulletin_free(b), free(b);
        return CX_ERR;
    }
    char *before = summary_json(b), *sections = json_take(bulletin_draft_sections(in));
    int64_t got = 0;
    rc = db_i64(d, &got, 0,
                "UPDATE bulletin SET title = ?, year = ?, from_q = ?, to_q = ?, visibility = ?, sections = ?, row_version = row_version + 1, "
                "updated_at = ? WHERE id = ? AND row_version = ? AND status = 'draft' RETURNING id",
                "siiissiii", in->title, (int64_t)(in->to_q / 10), (int64_t)in->from_q, (int64_t)in->to_q, in->is_public ? "public" : "subtree",
                sections, now_unix(), id, b->row_version);
    free(sections);
    char *after = NULL;
    if (rc == CX_OK && got) {
        bulletin_free(b);
        if (bulletin_get(d, id, b) == 1) after = summary_json(b);
        else rc = CX_ERR;
    }
    bulletin_free(b), free(b);
    if (rc == CX_OK && !got) {
        free(before);
        return lost_draft(d, id, "修改", e);
    }
    return store_finish(d, a, "update", "bulletin", id, office.id, before, after, rc, e);
}

int bulletin_delete(db *d, const actor *a, int64_t id, int64_t version, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    bulletin *b = xmalloc(sizeof *b);
    if (load_draft(d, id, version, b, e) != CX_OK) {
        bulletin_free(b), free(b);
        return CX_ERR;
    }
    char *before = summary_json(b);
    int64_t org_id = b->org_id, row_version = b->row_version;
    bulletin_free(b), free(b);
    int64_t got = 0;
    int rc = db_i64(d, &got, 0, "DELETE FROM bulletin WHERE id = ? AND status = 'draft' AND row_version = ? RETURNING id", "ii", id, row_version);
    if (rc == CX_OK && !got) {
        free(before);
        return lost_draft(d, id, "删除", e);
    }
    return store_finish(d, a, "delete", "bulletin", id, org_id, before, NULL, rc, e);
}

int bulletin_prefix_get(db *d, int64_t org_id, char *out, size_t cap)
{
    out[0] = 0;
    db_stmt *s = db_prepare(d, "SELECT prefix FROM bulletin_prefix WHERE org_id = ?");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, org_id);
    int rc = db_step(s);
    if (rc == DB_ROW) copy_col(out, cap, s, 0);
    db_done(s);
    return rc == CX_ERR ? CX_ERR : rc == DB_ROW;
}

int bulletin_prefix_set(db *d, const actor *a, int64_t org_id, const char *prefix, cx_err *e)
{
    char clean[BULLETIN_PREFIX_MAX * 4 + 1], old[BULLETIN_PREFIX_MAX * 4 + 1];
    if (bulletin_prefix_check(prefix, clean, sizeof clean, e) != CX_OK) return CX_ERR;
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    if (bulletin_prefix_get(d, org_id, old, sizeof old) == CX_ERR) return db_fail(d, e);
    int rc = db_run(d, "INSERT INTO bulletin_prefix (org_id, prefix, updated_at) VALUES (?, ?, ?) ON CONFLICT (org_id) DO UPDATE SET "
                       "prefix = excluded.prefix, updated_at = excluded.updated_at",
                    "isi", org_id, clean, now_unix());
    cJSON *bj = cJSON_CreateObject(), *aj = cJSON_CreateObject();
    cJSON_AddStringToObject(bj, "prefix", old);
    cJSON_AddStringToObject(aj, "prefix", clean);
    return store_finish(d, a, "set_prefix", "bulletin_prefix", org_id, org_id, json_take(bj), json_take(aj), rc, e);
}

/* Tells the offices of the issuing organisation's direct children that a bulletin came out
 * (inside the publication's transaction). */
static int notify_below(db *d, const actor *a, const bulletin *b)
{
    db_stmt *s = db_prepare(d, "SELECT path FROM org WHERE parent_id = ? AND active = 1 ORDER BY id");
    if (!s) return CX_ERR;
    db_bind_i64(s, 1, b->org_id);
    char **paths = NULL;
    int n = 0, rc;
    while ((rc = db_step(s)) == DB_ROW) {
        paths = xrealloc(paths, (size_t)(n + 1) * sizeof *paths);
        paths[n++] = xstrdup(db_col_text(s, 0));
    }
    db_done(s);
    char text[900], link[48];
    snprintf(text, sizeof text, "%s印发通报 %s：%s", b->org_name, b->number_text, b->title);
    snprintf(link, sizeof link, "/bulletins/%" PRId64, b->id);
    for (int i = 0; i < n; i++) {
        if (rc != CX_ERR && notify_roles(d, a, paths[i], ROLE_OFFICE, NOTIFY_AT, "bulletin_published", text, link) != CX_OK) rc = CX_ERR;
        free(paths[i]);
    }
    free(paths);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* The content of a stored bulletin, as hashed. */
static bulletin_content content_of(const bulletin *b, const char *sections)
{
    return (bulletin_content){.id = b->id, .org_id = b->org_id, .corrects_id = b->corrects_id, .number_text = b->number_text,
                              .title = b->title, .visibility = b->is_public ? "public" : "subtree", .published_at = b->published_at,
                              .year = b->year, .from_q = b->from_q, .to_q = b->to_q, .seq = b->seq, .sections = sections};
}

int bulletin_publish(db *d, const actor *a, int64_t id, int64_t version, const char *today, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    /* one publication of an office at a time: the next number is read and taken under the lock */
    int64_t org_id = 0;
    if (db_i64(d, &org_id, 0, "SELECT org_id FROM bulletin WHERE id = ?", "i", id) != CX_OK) return db_fail(d, e);
    if (org_id && db_lock(d, "bulletin_number", org_id) != CX_OK) return db_fail(d, e);
    bulletin *b = xmalloc(sizeof *b);
    org office;
    int rc = load_draft(d, id, version, b, e);
    if (rc == CX_OK && org_get(d, b->org_id, &office) != 1) rc = db_fail(d, e);
    cJSON *sections = rc == CX_OK ? cJSON_Parse(b->sections) : NULL;
    if (rc == CX_OK && (!sections || bulletin_figures_fill(d, &office, b->from_q, b->to_q, today, sections, BF_ROLLUP) != CX_OK))
        rc = db_fail(d, e);
    char prefix[BULLETIN_PREFIX_MAX * 4 + 1] = "";
    if (rc == CX_OK && bulletin_prefix_get(d, b->org_id, prefix, sizeof prefix) == CX_ERR) rc = db_fail(d, e);
    int64_t seq = 0;
    if (rc == CX_OK && db_i64(d, &seq, 0, "SELECT coalesce(max(seq), 0) + 1 FROM bulletin WHERE org_id = ? AND year = ?", "ii", b->org_id,
                              (int64_t)b->year) != CX_OK)
        rc = db_fail(d, e);
    if (rc != CX_OK) {
        cJSON_Delete(sections);
        bulletin_free(b), free(b);
        return CX_ERR;
    }
    char *before = summary_json(b), *text = cJSON_PrintUnformatted(sections);
    cJSON_Delete(sections);
    char real[11];
    date_today(real);
    /* published on the day given: now, or (the demo) nine in the morning of that day, China time */
    int64_t at = strcmp(today, real) ? day_number(today) * 86400 + 3600 : now_unix();
    b->seq = seq;
    b->published = true;
    b->published_at = at;
    bulletin_number_text(*prefix ? prefix : office.name, b->year, seq, b->number_text, sizeof b->number_text);
    bulletin_content c = content_of(b, text);
    if (bulletin_hash(&c, b->content_hash) != CX_OK) rc = cx_fail(e, 500, "db_error", "", "通报内容无法生成");
    int64_t got = 0;
    if (rc == CX_OK)
        rc = db_i64(d, &got, 0,
                    "UPDATE bulletin SET seq = ?, number_text = ?, status = 'published', sections = ?, content_hash = ?, published_at = ?, "
                    "published_by_name = ?, row_version = row_version + 1, updated_at = ? WHERE id = ? AND status = 'draft' "
                    "AND row_version = ? RETURNING id",
                    "isssisiii", seq, b->number_text, text, b->content_hash, at, actor_shown(a), now_unix(), id, b->row_version);
    free(text);
    if (rc == CX_OK && got) rc = notify_below(d, a, b);
    char *after = rc == CX_OK ? summary_json(b) : NULL;
    bulletin_free(b), free(b);
    if (rc == CX_OK && !got) {
        free(before), free(after);
        /* published by another at once, or the draft edited after it was read here (what is hashed is what was read) */
        return lost_draft(d, id, "印发", e);
    }
    return store_finish(d, a, "publish", "bulletin", id, office.id, before, after, rc, e);
}

int bulletin_correct(db *d, const actor *a, int64_t id, int64_t *new_id, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    bulletin *b = xmalloc(sizeof *b);
    org office;
    int f = bulletin_get(d, id, b), rc = CX_OK;
    if (f == CX_ERR) rc = db_fail(d, e);
    else if (!f) rc = cx_fail(e, 404, "not_found", "id", "通报不存在或不在您的管理范围内"), refuse(d);
    else if (!b->published) rc = cx_fail(e, 409, "not_published", "id", "该通报还是草稿，直接修改即可，无需更正"), refuse(d);
    else if (org_get(d, b->org_id, &office) != 1) rc = db_fail(d, e);
    if (rc != CX_OK) {
        bulletin_free(b), free(b);
        return CX_ERR;
    }
    /* the same sections and notes, without the figures (made again when the correction is published) */
    cJSON *sections = cJSON_Parse(b->sections), *sec;
    cJSON_ArrayForEach(sec, sections) cJSON_DeleteItemFromObjectCaseSensitive(sec, "figures");
    char *text = json_take(sections), title[BULLETIN_TITLE_MAX * 4 + 1];
    /* "关于《…》的更正", the quoted title cut so that the whole stays within the limit */
    size_t room = BULLETIN_TITLE_MAX - 7, n = 0, i = 0;
    while (b->title[i] && n < room) {
        i++;
        while ((b->title[i] & 0xC0) == 0x80) i++;
        n++;
    }
    snprintf(title, sizeof title, "关于《%.*s%s》的更正", (int)i, b->title, b->title[i] ? "…" : "");
    rc = insert_draft(d, a, &office, title, b->from_q, b->to_q, b->is_public, text, id, new_id, e);
    free(text);
    char *after = NULL;
    if (rc == CX_OK) {
        bulletin_free(b);
        if (bulletin_get(d, *new_id, b) == 1) after = summary_json(b);
        else rc = CX_ERR;
    }
    bulletin_free(b), free(b);
    if (rc != CX_OK) return CX_ERR;
    return store_finish(d, a, "create", "bulletin", *new_id, office.id, NULL, after, rc, e);
}

/* ---- recount ---- */

static const char *row_label(const cJSON *row, bool ranking)
{
    const cJSON *cells = cJSON_GetObjectItemCaseSensitive(row, "cells");
    const char *v = cJSON_GetStringValue(cJSON_GetArrayItem(cells, ranking ? 1 : 0));
    return v ? v : "";
}

static const cJSON *row_by_key(const cJSON *rows, const char *key)
{
    const cJSON *r;
    cJSON_ArrayForEach(r, rows)
    {
        const char *k = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "key"));
        if (k && !strcmp(k, key)) return r;
    }
    return NULL;
}

/* One section: the published figures against the recomputed ones. */
static void compare_section(FILE *out, int no, const cJSON *pub, const cJSON *raw, int64_t *diffs)
{
    const char *title = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(pub, "title"));
    int kind = bulletin_kind_from_name(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(pub, "kind")));
    bool ranking = bulletin_kind_ranking(kind);
    const cJSON *pf = cJSON_GetObjectItemCaseSensitive(pub, "figures"), *rf = cJSON_GetObjectItemCaseSensitive(raw, "figures");
    const cJSON *head = cJSON_GetObjectItemCaseSensitive(pf, "head");
    const cJSON *prows = cJSON_GetObjectItemCaseSensitive(pf, "rows"), *rrows = cJSON_GetObjectItemCaseSensitive(rf, "rows");
    char sec[400];
    snprintf(sec, sizeof sec, "第 %d 节「%s」", no, title ? title : "");
    if (kind == BK_TEXT) return;
    const cJSON *pt = cJSON_GetObjectItemCaseSensitive(pf, "total"), *rt = cJSON_GetObjectItemCaseSensitive(rf, "total");
    if (!pf || !cJSON_IsArray(prows)) {
        (*diffs)++;
        if (out) fprintf(out, "%s：通报中没有数据表（内容已被改动）\n", sec);
        return;
    }
    if (cJSON_GetNumberValue(pt) != cJSON_GetNumberValue(rt)) {
        (*diffs)++;
        if (out) fprintf(out, "%s 合计：通报为 %.0f 行，按原始记录应为 %.0f 行\n", sec, cJSON_GetNumberValue(pt), cJSON_GetNumberValue(rt));
    }
    const cJSON *r;
    cJSON_ArrayForEach(r, prows)
    {
        const char *key = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "key"));
        const cJSON *w = key ? row_by_key(rrows, key) : NULL;
        if (!w) {
            (*diffs)++;
            if (out) fprintf(out, "%s 行「%s」（%s）：通报中有，按原始记录不应有\n", sec, row_label(r, ranking), key ? key : "");
            continue;
        }
        const cJSON *pc = cJSON_GetObjectItemCaseSensitive(r, "cells"), *rc = cJSON_GetObjectItemCaseSensitive(w, "cells");
        int n = cJSON_GetArraySize(pc) > cJSON_GetArraySize(rc) ? cJSON_GetArraySize(pc) : cJSON_GetArraySize(rc);
        for (int i = 0; i < n; i++) {
            const char *a = cJSON_GetStringValue(cJSON_GetArrayItem(pc, i)), *b = cJSON_GetStringValue(cJSON_GetArrayItem(rc, i));
            if (a && b && !strcmp(a, b)) continue;
            (*diffs)++;
            const char *col = cJSON_GetStringValue(cJSON_GetArrayItem(head, i));
            if (out)
                fprintf(out, "%s 行「%s」 列「%s」：通报为 %s，按原始记录应为 %s\n", sec, row_label(r, ranking), col ? col : "?", a ? a : "（无）",
                        b ? b : "（无）");
        }
    }
    cJSON_ArrayForEach(r, rrows)
    {
        const char *key = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "key"));
        if (key && row_by_key(prows, key)) continue;
        (*diffs)++;
        if (out) fprintf(out, "%s 行「%s」（%s）：通报中没有，按原始记录应有\n", sec, row_label(r, ranking), key ? key : "");
    }
}

int bulletin_recount(db *d, int64_t id, FILE *out, int64_t *diffs)
{
    *diffs = 0;
    bulletin *b = xmalloc(sizeof *b);
    int f = bulletin_get(d, id, b);
    if (f != 1 || !b->published) {
        bulletin_free(b), free(b);
        return f == CX_ERR ? CX_ERR : 0;
    }
    /* the content against its hash, and the hash against the audit record of its publication */
    char hash[65] = "";
    bulletin_content c = content_of(b, b->sections);
    if (bulletin_hash(&c, hash) != CX_OK || strcmp(hash, b->content_hash)) {
        (*diffs)++;
        if (out) fprintf(out, "内容摘要：存储的通报内容算得 %s，与印发时记下的摘要 %s 不符（内容在印发后被改动）\n", *hash ? hash : "（内容不是 JSON）", b->content_hash);
    }
    char audit_hash[65] = "";
    db_stmt *s = db_prepare(d, "SELECT after_json FROM audit_log WHERE entity = 'bulletin' AND entity_id = ? AND action = 'publish' ORDER BY ts DESC, seq DESC LIMIT 1");
    int rc = s ? CX_OK : CX_ERR;
    if (s) {
        db_bind_i64(s, 1, id);
        int st = db_step(s);
        if (st == DB_ROW) {
            cJSON *j = cJSON_Parse(db_col_text(s, 0));
            snprintf(audit_hash, sizeof audit_hash, "%s", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "content_hash")) ?: "");
            cJSON_Delete(j);
        }
        db_done(s);
        if (st == CX_ERR) rc = CX_ERR;
    }
    if (rc == CX_OK && strcmp(audit_hash, b->content_hash)) {
        (*diffs)++;
        if (out)
            fprintf(out, "审计记录：印发记录中的摘要为 %s，通报记下的摘要为 %s，不符\n", *audit_hash ? audit_hash : "（没有印发的审计记录）", b->content_hash);
    }
    /* every figure again, from the raw records, over the period and the day as published */
    org office;
    cJSON *pub = cJSON_Parse(b->sections), *raw = cJSON_Duplicate(pub, true);
    if (rc == CX_OK && org_get(d, b->org_id, &office) != 1) rc = CX_ERR;
    if (rc == CX_OK && !cJSON_IsArray(pub)) {
        (*diffs)++;
        if (out) fprintf(out, "通报内容不是有效的 JSON，无法核对各项数字\n");
    } else if (rc == CX_OK) {
        char day[11];
        date_today(day);
        rc = bulletin_figures_fill(d, &office, b->from_q, b->to_q, day, raw, BF_RAW);
        for (int i = 0; rc == CX_OK && i < cJSON_GetArraySize(pub); i++)
            compare_section(out, i + 1, cJSON_GetArrayItem(pub, i), cJSON_GetArrayItem(raw, i), diffs);
    }
    cJSON_Delete(pub);
    cJSON_Delete(raw);
    bulletin_free(b), free(b);
    return rc == CX_OK ? 1 : CX_ERR;
}
