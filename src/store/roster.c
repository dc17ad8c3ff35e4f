/* roster.c: roster import, export and template. An upload is checked without the write lock and
 * then inserted in one short write transaction; a file from a path is validated and written in one
 * pass inside one transaction. Either way only a file whose every row was valid is committed, so a
 * file is never half-imported. */
#include "roster.h"
#include "rollup.h"
#include "../lib/map.h"
#include "../domain/idcard.h"
#include "../domain/roster_map.h"
#include "../lib/crypto.h"
#include "../lib/tabfile.h"
#include <cjson/cJSON.h>
#include <sodium.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>
#include "../lib/xlsxout.h"

#define NCOLS 13 /* member_cols without the terminator */

static void issue(roster_report *r, int64_t row, const char *column, const char *code, const char *reason)
{
    r->nissues++;
    if (r->nkept >= ROSTER_MAX_ISSUES) return;
    if (!r->issues) r->issues = xcalloc(ROSTER_MAX_ISSUES, sizeof *r->issues);
    roster_issue *i = &r->issues[r->nkept++];
    i->row = row;
    snprintf(i->column, sizeof i->column, "%s", column ? column : "");
    snprintf(i->code, sizeof i->code, "%s", code);
    snprintf(i->reason, sizeof i->reason, "%s", reason);
}

void roster_report_free(roster_report *r)
{
    free(r->issues);
    r->issues = NULL;
}

static const char *label_of(const char *field)
{
    for (int i = 0; member_cols[i].field; i++)
        if (!strcmp(member_cols[i].field, field)) return member_cols[i].label;
    return "";
}


static uint64_t id_key(const char *id)
{
    uint64_t k = 0;
    for (int i = 0; i < 17; i++) k = k * 10 + (uint64_t)(id[i] - '0');
    return k + 1; /* 0 marks an empty slot */
}

/* The set of 身份证号 seen in the file (a map from the 17 digits as an integer to the first row):
 * returns the earlier row holding key, or 0 after inserting it. */
static int64_t idset_add(map *s, uint64_t key, int64_t row)
{
    bool added;
    int64_t *first = map_put_int(s, key, &added);
    if (added) *first = row;
    return added ? 0 : *first;
}

/* What a 所在党组织 name found, kept in a map by the name so that each name is looked up once even
 * when a district file names tens of thousands of branches. */
typedef struct org_entry {
    int found; /* 1 found, 0 none, 2 ambiguous */
    org o;
    tally t; /* the file's valid rows in it (count_row) */
} org_entry;

/* loaded: the map holds every organisation of the subtree already (org_preload), so a name not
 * in it is none. */
static org_entry *org_lookup(db *d, map *c, const org *root, const char *name, bool loaded)
{
    bool added;
    org_entry **on = (org_entry **)map_put(c, name, &added);
    if (added) {
        *on = xcalloc(1, sizeof **on);
        (*on)->found = loaded ? 0 : org_find_by_name(d, root, name, &(*on)->o);
    }
    return *on;
}

#define ROSTER_PRELOAD_ORGS 100000 /* a subtree up to this many organisations is read in one query */

static void org_preload_one(void *ctx, const org *o)
{
    bool added;
    org_entry **on = (org_entry **)map_put(ctx, o->name, &added);
    if (added) {
        *on = xcalloc(1, sizeof **on);
        (*on)->found = 1;
        (*on)->o = *o;
    } else (*on)->found = 2; /* two of that name: ambiguous, as org_find_by_name says */
}

/* The subtree's organisations by name in one query instead of one query per name, when the
 * subtree is not too large (its tally says how large). true when loaded. */
static bool org_preload(db *d, map *c, const org *root)
{
    tally t;
    if (tally_get(d, root->id, &t) != CX_OK || t.v[TL_ORGS_ACTIVE] > ROSTER_PRELOAD_ORGS) return false;
    if (org_subtree_each(d, root, org_preload_one, c) == CX_OK) return true;
    map_free(c, free); /* a failed read leaves the names to be looked up one by one */
    memset(c, 0, sizeof *c);
    return false;
}

/* The one file-level issue for 身份证号 registered outside the importer's subtree, put first so
 * that its place in the report says nothing about which row it concerns. */
static void issue_elsewhere(roster_report *r)
{
    if (r->nkept == ROSTER_MAX_ISSUES) r->nkept--; /* the list is full: its last kept issue gives way */
    issue(r, 0, "身份证号", "registered_elsewhere", "文件中有身份证号已在其他组织登记，请联系上级组织");
    roster_issue x = r->issues[r->nkept - 1];
    memmove(r->issues + 1, r->issues, (size_t)(r->nkept - 1) * sizeof *r->issues);
    r->issues[0] = x;
}

static tabfile *open_tab(const char *path, const void *data, size_t len, cx_err *e)
{
    return path ? tab_open_path(path, e) : tab_open_mem(data, len, e);
}

/* The header row as found (or, when none was, the best candidate): a copy of its cells. */
typedef struct hdr_row {
    char **cells;
    size_t n;
    int64_t row;
    int hits;
    bool found;
} hdr_row;

static void header_keep(hdr_row *h, char **cells, size_t n, int64_t row, int hits)
{
    for (size_t i = 0; i < h->n; i++) free(h->cells[i]);
    free(h->cells);
    h->cells = xcalloc(n + 1, sizeof *h->cells);
    for (size_t i = 0; i < n; i++) h->cells[i] = xstrdup(cells[i]);
    h->n = n;
    h->row = row;
    h->hits = hits;
}

static void header_free(hdr_row *h)
{
    header_keep(h, NULL, 0, 0, 0);
    free(h->cells);
}

/* Finds the header row: the first of the top ROSTER_HEADER_SCAN non-empty rows naming at least
 * ROSTER_HEADER_MIN columns; the rows above it (titles, a merged "…党员花名册（2026年）") are
 * skipped. Returns 1 with h filled (h->found tells whether it is a real header row or only the
 * best candidate), 0 when the file has no rows, CX_ERR with fe on a malformed file. */
static int find_header(tabfile *t, hdr_row *h, cx_err *fe)
{
    char **cells;
    size_t n;
    for (int k = 0; k < ROSTER_HEADER_SCAN; k++) {
        int rc = tab_next(t, &cells, &n, fe);
        if (rc == CX_ERR) return rc;
        if (rc == 0) return k ? 1 : 0;
        for (size_t i = 0; i < n; i++) roster_fold(cells[i], true);
        int hits = roster_header_hits(cells, n);
        if (k == 0 || hits > h->hits || hits >= ROSTER_HEADER_MIN) header_keep(h, cells, n, (int64_t)tab_rowno(t), hits);
        if (hits >= ROSTER_HEADER_MIN) {
            h->found = true;
            return 1;
        }
    }
    return 1;
}

/* Maps header cells to member_cols indexes; reports unknown and missing columns. */
static int map_header(const hdr_row *h, int *colmap, roster_report *r)
{
    int seen[NCOLS] = {0};
    int ok = 1;
    for (size_t i = 0; i < h->n; i++) {
        colmap[i] = h->cells[i][0] ? member_col_find(h->cells[i]) : -1;
        if (colmap[i] >= 0) {
            if (seen[colmap[i]]) {
                char msg[256];
                snprintf(msg, sizeof msg, "“%s”列出现了两次", member_cols[colmap[i]].label);
                issue(r, h->row, member_cols[colmap[i]].label, "duplicate_column", msg);
                ok = 0;
            }
            seen[colmap[i]] = 1;
        }
    }
    for (int c = 0; member_cols[c].field; c++)
        if (member_cols[c].required && !seen[c]) {
            char msg[320];
            if (h->found)
                snprintf(msg, sizeof msg, "缺少必需的列“%s”（列标题在第 %" PRId64 " 行，按表格行号；可下载导入模板对照）",
                         member_cols[c].label, h->row);
            else
                snprintf(msg, sizeof msg, "缺少必需的列“%s”（前 %d 行中没有列标题行：应有一行写明“姓名”“身份证号”“入党时间”等列名，可下载导入模板对照）",
                         member_cols[c].label, ROSTER_HEADER_SCAN);
            issue(r, h->row, member_cols[c].label, "missing_column", msg);
            ok = 0;
        }
    return ok;
}

static void fill_in(char **cells, size_t n, const int *colmap, member_in *in, const char **orgname_out)
{
    memset(in, 0, sizeof *in);
    *orgname_out = NULL;
    for (size_t i = 0; i < n; i++) {
        if (colmap[i] < 0) continue;
        const char **slot = member_in_slot(in, colmap[i]);
        if (slot) *slot = cells[i];
        else *orgname_out = cells[i]; /* 所在党组织 */
    }
}

/* Resolves the row's organisation; reports and returns NULL when it cannot. *last: the one found
 * for an earlier row, tried first (a roster lists a branch's members one after another). */
static const org *row_org(db *d, map *oc, bool loaded, const org *root, const char *name, int64_t rowno, roster_report *r,
                          const org **last)
{
    if (!name || !*name) return root;
    if (*last && !strcmp(name, (*last)->name)) return *last;
    if (!strcmp(name, root->name)) return root;
    org_entry *on = org_lookup(d, oc, root, name, loaded);
    char msg[512];
    if (on->found == 1) return *last = &on->o;
    if (on->found == CX_ERR) {
        issue(r, rowno, "所在党组织", "db_error", "查询党组织时数据库出错，请重试");
        return NULL;
    }
    if (on->found == 2) snprintf(msg, sizeof msg, "“%s”在“%s”下有多个同名组织，请在对应组织页面分别导入", name, root->name);
    else snprintf(msg, sizeof msg, "未找到党组织“%s”（须是“%s”或其下级组织，名称须完全一致）", name, root->name);
    issue(r, rowno, "所在党组织", "unknown_org", msg);
    return NULL;
}

/* Validated rows of an upload waiting for the write transaction: the row's organisation (a
 * pointer into the org cache, or root), its row number and the record's fields, packed. */
#define REC_FIELDS X(name) X(sex) X(ethnicity) X(birth_date) X(idcard) X(phone) X(joined_date) X(full_date) \
    X(education) X(post) X(duties) X(status)

static void stage_row(buf *st, const org *o, int64_t rowno, const member_rec *m)
{
    buf_add(st, &o, sizeof o);
    buf_add(st, &rowno, sizeof rowno);
#define X(f) buf_add(st, m->f, strlen(m->f) + 1);
    REC_FIELDS
#undef X
}

/* Unpacks the staged row at p; returns its size. */
static size_t unstage_row(const char *p, const org **o, int64_t *rowno, member_rec *m)
{
    const char *q = p;
    memcpy(o, q, sizeof *o);
    q += sizeof *o;
    memcpy(rowno, q, sizeof *rowno);
    q += sizeof *rowno;
#define X(f) snprintf(m->f, sizeof m->f, "%s", q), q += strlen(q) + 1;
    REC_FIELDS
#undef X
    return (size_t)(q - p);
}

#define ROSTER_CHUNK (512 * 1024) /* bytes of kept rows sent through the COPY at once */

/* One import's state while it reads the file. */
typedef struct importer {
    db *d;
    const actor *a;
    const org *root;
    roster_report *r;
    map ids;
    map oc; /* 所在党组织 name → org_entry */
    bool orgs_loaded; /* oc holds the whole subtree (org_preload) */
    const org *last_org; /* the organisation of the last row that named one found in oc */
    tally root_t;        /* the file's valid rows in root (the others: in their org_entry) */
    int64_t outside, checked, now;
    bool writing; /* inserting each row as it is checked (a file from a path: one pass) */
    bool stage;   /* keeping valid rows in st for one write transaction afterwards (an upload) */
    buf st;
    /* PostgreSQL, a file from a path: while the file is valid its rows are not looked up on the
     * roll one by one. They are kept in st and sent through bulk (COPY) ROSTER_CHUNK bytes at a
     * time; the unique index on 身份证号 checks them against the roll. A chunk that fails it is
     * rolled back and its rows looked up for the report; so are the kept rows when the file turns
     * out bad (the rows already sent were not on the roll). changed: the COPY failed on the index
     * but no row of the chunk was found on the roll (it changed meanwhile). */
    db_bulk *bulk;
    bool changed;
    /* SQLite, a member table without a row when the write transaction began (a first roll): its
     * indexes are dropped for the load and built after it (indexes: their CREATE statements), and
     * the roll holds no 身份证号 to look up, since no other writer can add one before the commit. */
    bool roll_empty;
    char *indexes;
    member_rec *rec; /* scratch for unstaging */
    /* 身份证号 waiting to be looked up on the roll, IDCARD_BATCH at a time (one round trip) */
    size_t npend;
    unsigned char hash[IDCARD_BATCH][CX_HASH_BYTES];
    struct { int64_t row; bool valid; } pend[IDCARD_BATCH];
    int where[IDCARD_BATCH];
    char orgname[IDCARD_BATCH][256];
} importer;

static int roll_flush(importer *im);
static void roll_check(importer *im, const char *idcard, int64_t rowno, bool valid);

/* The kept rows looked up on the roll (each was valid when kept), then forgotten. */
static int lookup_kept(importer *im)
{
    for (size_t off = 0; off < im->st.len;) {
        const org *o;
        int64_t rowno;
        off += unstage_row(im->st.p + off, &o, &rowno, im->rec);
        if (im->npend == IDCARD_BATCH && roll_flush(im) != CX_OK) return CX_ERR;
        roll_check(im, im->rec->idcard, rowno, true);
    }
    sodium_memzero(im->st.p, im->st.len);
    buf_reset(&im->st);
    return roll_flush(im);
}

/* PostgreSQL, a file from a path: the kept rows through the COPY, checked against the roll by
 * its unique index. A unique violation rolls the import back (nothing more is written) and looks
 * the rows up for the report; no row found: the roll changed under the COPY. */
static int copy_kept(importer *im)
{
    int rc = CX_OK;
    for (size_t off = 0; rc == CX_OK && off < im->st.len;) {
        const org *o;
        int64_t rowno;
        off += unstage_row(im->st.p + off, &o, &rowno, im->rec);
        rc = member_bulk_row(im->bulk, o, im->rec, im->now);
    }
    if (rc == CX_OK) rc = db_bulk_flush(im->bulk);
    if (rc == CX_OK) {
        im->r->imported = db_bulk_rows(im->bulk);
        sodium_memzero(im->st.p, im->st.len);
        buf_reset(&im->st);
        return CX_OK;
    }
    if (!db_is_unique(im->d, "member_idcard", "member.idcard_hash")) return CX_ERR;
    db_rollback(im->d);
    db_bulk_cancel(im->bulk);
    im->bulk = NULL;
    im->writing = false;
    im->r->imported = 0;
    int64_t before = im->r->nissues, outside = im->outside;
    if (lookup_kept(im) != CX_OK) return CX_ERR;
    if (im->r->nissues == before && im->outside == outside) im->changed = true;
    return CX_OK;
}

/* The file stops being written (a bad row, or a member found elsewhere): the kept rows were not
 * looked up yet. */
static int stop_writing(importer *im)
{
    im->writing = false;
    if (!im->bulk) return CX_OK;
    db_bulk_cancel(im->bulk);
    im->bulk = NULL;
    return lookup_kept(im);
}

/* Looks the waiting 身份证号 up: a member the importer may see is reported at its row (which then
 * is no longer valid); one outside the importer's subtree is only counted (im->outside), to be
 * reported once for the whole file. */
static int roll_flush(importer *im)
{
    if (!im->npend) return CX_OK;
    size_t n = im->npend;
    im->npend = 0;
    if (member_idcard_where_many(im->d, im->a, (const unsigned char (*)[32])im->hash, n, im->where, im->orgname) != CX_OK) return CX_ERR;
    for (size_t i = 0; i < n; i++) {
        if (im->where[i] == ROLL_OUTSIDE) im->outside++;
        else if (im->where[i] == ROLL_INSIDE) {
            char msg[384];
            snprintf(msg, sizeof msg, "该身份证号已在党员名册中（%s），不能重复导入", im->orgname[i]);
            issue(im->r, im->pend[i].row, "身份证号", "duplicate_member", msg);
            if (im->pend[i].valid) im->r->valid_rows--;
        }
    }
    return CX_OK;
}

/* Queues rowno's 身份证号 for roll_flush; valid: the row is (about to be) counted valid. Never
 * flushes itself, so a row's issues are settled before the batch holding it is looked up: the
 * caller flushes a full batch between rows. */
static void roll_check(importer *im, const char *idcard, int64_t rowno, bool valid)
{
    if (im->roll_empty) return;
    crypto_field_hash(idcard, im->hash[im->npend]);
    im->pend[im->npend].row = rowno;
    im->pend[im->npend].valid = valid;
    im->npend++;
}

static int by_row(const void *x, const void *y)
{
    const roster_issue *const *a = x, *const *b = y;
    if ((*a)->row != (*b)->row) return (*a)->row < (*b)->row ? -1 : 1;
    return *a < *b ? -1 : *a > *b; /* as found */
}

/* Issues in row order (duplicates on the roll are found a batch after the row's other issues). */
static void sort_issues(roster_report *r)
{
    if (r->nkept < 2) return;
    const roster_issue **v = xmalloc((size_t)r->nkept * sizeof *v);
    for (int i = 0; i < r->nkept; i++) v[i] = &r->issues[i];
    qsort(v, (size_t)r->nkept, sizeof *v, by_row);
    roster_issue *sorted = xmalloc((size_t)ROSTER_MAX_ISSUES * sizeof *sorted);
    for (int i = 0; i < r->nkept; i++) sorted[i] = *v[i];
    free(v);
    free(r->issues);
    r->issues = sorted;
}

/* The row counted in its organisation's tally (the members the file adds there). */
static void count_row(importer *im, const org *o, const member_rec *m)
{
    tally *t = o == im->root ? &im->root_t : &((org_entry *)(void *)((char *)o - offsetof(org_entry, o)))->t;
    t->v[TL_MEMBERS_ACTIVE]++;
    if (!strcmp(m->status, "full")) t->v[TL_MEMBERS_FULL]++;
}

/* The counted rows added to the tallies of their organisations and every ancestor: once the whole
 * file was written, instead of reading the new members back. */
static int tally_counted(importer *im)
{
    const char **paths = xmalloc((im->oc.n + 1) * sizeof *paths);
    tally *v = xmalloc((im->oc.n + 1) * sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < im->oc.cap; i++) {
        const org_entry *x = im->oc.slot[i].h ? im->oc.slot[i].v.p : NULL;
        if (x && x->found == 1 && x->t.v[TL_MEMBERS_ACTIVE]) paths[n] = x->o.path, v[n++] = x->t;
    }
    if (im->root_t.v[TL_MEMBERS_ACTIVE]) paths[n] = im->root->path, v[n++] = im->root_t;
    int rc = tally_add_paths(im->d, paths, v, n);
    free(paths);
    free(v);
    return rc;
}

/* Validates one row: fields, organisation, 身份证号 against the file and the roll; inserts it when
 * writing, stages it when staging. CX_ERR on a database error. */
static int check_row(importer *im, char **cells, size_t n, const int *colmap, int64_t rowno, member_rec *m)
{
    roster_report *r = im->r;
    member_in in;
    cx_err errs[16];
    int64_t before = r->nissues;
    /* while the whole file so far is valid, an upload's rows are staged unchecked against the roll:
     * the insert finds duplicates (and a file found bad later looks its staged rows up then) */
    bool staging = im->stage && !r->nissues && !im->outside;
    const char *orgname;
    fill_in(cells, n, colmap, &in, &orgname);
    int ne = member_validate_row(&in, m, errs, 16);
    for (int i = 0; i < ne && i < 16; i++) issue(r, rowno, label_of(errs[i].field), errs[i].code, errs[i].msg);
    const org *o = row_org(im->d, &im->oc, im->orgs_loaded, im->root, orgname, rowno, r, &im->last_org);
    if (m->idcard[0] && strlen(m->idcard) == 18) {
        int64_t first = idset_add(&im->ids, id_key(m->idcard), rowno);
        if (first) {
            char msg[256];
            snprintf(msg, sizeof msg, "身份证号与第 %" PRId64 " 行重复", first);
            issue(r, rowno, "身份证号", "duplicate_in_file", msg);
        } else if (++im->checked, !(im->writing || staging) || r->nissues != before) {
            /* Not inserting (or staging) this row: look the 身份证号 up to report a duplicate. */
            roll_check(im, m->idcard, rowno, r->nissues == before);
        }
    }
    if ((r->nissues != before || im->outside) && im->writing && stop_writing(im) != CX_OK) return CX_ERR;
    if (im->writing && im->bulk) {
        stage_row(&im->st, o, rowno, m); /* checked against the roll by the COPY (copy_kept) */
        if (im->st.len >= ROSTER_CHUNK && copy_kept(im) != CX_OK) return CX_ERR;
    } else if (im->writing) {
        /* The insert itself detects a 身份证号 already on the roll (ON CONFLICT DO NOTHING). */
        int ins = member_insert_row(im->d, o, m, im->now, NULL);
        if (ins == CX_ERR) return CX_ERR;
        if (ins) r->imported++;
        else {
            im->writing = false;
            roll_check(im, m->idcard, rowno, true);
        }
    }
    if (r->nissues == before) {
        r->valid_rows++;
        count_row(im, o, m);
        if (staging) stage_row(&im->st, o, rowno, m);
    }
    return CX_OK;
}

/* Inserts the staged rows inside the open write transaction. 1 when all were inserted, 0 when a
 * 身份证号 reached the roll since it was checked (nothing more is inserted), CX_ERR. */
static int write_staged(importer *im, member_rec *m)
{
    /* one bulk insert (COPY on PostgreSQL): a 身份证号 on the roll fails it as a whole */
    db_bulk *b = member_bulk_begin(im->d);
    int rc = CX_OK;
    for (size_t off = 0; off < im->st.len && rc == CX_OK;) {
        const org *o;
        int64_t rowno;
        off += unstage_row(im->st.p + off, &o, &rowno, m);
        rc = member_bulk_row(b, o, m, im->now);
        im->r->imported++;
    }
    rc = rc == CX_OK ? db_bulk_end(b) : (db_bulk_cancel(b), CX_ERR);
    if (rc == CX_OK) return 1;
    return db_is_unique(im->d, "member_idcard", "member.idcard_hash") ? 0 : CX_ERR;
}

/* The staged rows looked up on the roll, for the report: when the file turned out bad (they are
 * the rows before its first problem), or after a conflict in write_staged (conflict: then at least
 * one must be found, else the roll changed under the insert and went back). */
static int recheck_staged(importer *im, member_rec *m, bool conflict)
{
    int64_t before = im->r->nissues;
    for (size_t off = 0; off < im->st.len;) {
        const org *o;
        int64_t rowno;
        off += unstage_row(im->st.p + off, &o, &rowno, m);
        if (im->npend == IDCARD_BATCH && roll_flush(im) != CX_OK) return CX_ERR;
        roll_check(im, m->idcard, rowno, true);
    }
    if (roll_flush(im) != CX_OK) return CX_ERR;
    if (conflict && im->r->nissues == before && !im->outside)
        issue(im->r, 0, "身份证号", "roster_changed", "导入期间党员名册有变动，未导入任何数据，请重新导入");
    return CX_OK;
}

int roster_import(db *d, const actor *a, const org *root, const char *path, const void *data, size_t len, bool dry_run,
                  roster_report *r, cx_err *e)
{
    memset(r, 0, sizeof *r);
    r->dry_run = dry_run;
    if (!root->active) {
        issue(r, 0, "", "org_inactive", "该党组织已停用，不能导入党员");
        return CX_OK;
    }
    /* A file checks its 身份证号 against the whole roll: refused up front once the user's lookup
     * budget is spent, whatever the file holds (so the refusal tells nothing). */
    if (idcard_lookup_allow(d, a, IDCARD_LOOKUP_FILE, e) != CX_OK) return CX_ERR;
    cx_err fe = {0};
    tabfile *t = open_tab(path, data, len, &fe);
    if (!t) {
        issue(r, 0, "", fe.code, fe.msg);
        return CX_OK;
    }
    snprintf(r->kind, sizeof r->kind, "%s", tab_kind(t));
    char **cells;
    size_t n;
    hdr_row hdr = {0};
    int rc = find_header(t, &hdr, &fe);
    if (rc != 1) {
        issue(r, 0, "", rc == 0 ? "empty_file" : fe.code, rc == 0 ? "文件是空的：没有列标题，也没有党员数据" : fe.msg);
        header_free(&hdr);
        tab_close(t);
        return CX_OK;
    }
    r->header_row = hdr.row;
    size_t ncols = hdr.n;
    int *colmap = xcalloc(ncols + 1, sizeof(int));
    int idcol = -1;
    int mapped = map_header(&hdr, colmap, r);
    header_free(&hdr);
    if (!mapped) {
        free(colmap);
        tab_close(t);
        return CX_OK;
    }
    for (size_t i = 0; i < ncols; i++)
        if (colmap[i] >= 0 && !strcmp(member_cols[colmap[i]].field, "idcard")) idcol = (int)i;
    /* An upload (at most 64 MB) is read and checked outside any transaction (each lookup its own
     * short read: no write lock, and no snapshot held for the whole file), its valid rows kept in
     * memory; only a wholly valid file is then
     * inserted, in one short write transaction, so logins and ballots are not held up by the
     * parsing and checking. A file from a path (`cxzy import`: a million rows) is checked and
     * written in one pass inside one write transaction: staging it would cost more memory than
     * its bulk insert would gain. Either way the first bad row stops the writing but not the
     * checking, so the report lists every problem, and nothing is committed unless every row is valid. */
    importer *im = xcalloc(1, sizeof *im); /* about 80 KB: not on the worker's stack */
    im->d = d;
    im->a = a;
    im->root = root;
    im->r = r;
    im->now = now_unix();
    im->orgs_loaded = org_preload(d, &im->oc, root);
    im->stage = !path && !dry_run;
    im->writing = !dry_run && !im->stage;
    buf_init(&im->st);
    if (im->writing && db_begin(d, true) != CX_OK) {
        free(im);
        free(colmap);
        tab_close(t);
        return cx_fail(e, 500, "db_error", "", "数据库错误：%s", db_errmsg(d));
    }
    if (im->writing && db_kind_of(d) == DB_PG) {
        im->bulk = member_bulk_begin(d);
        im->rec = xmalloc(sizeof *im->rec);
    }
    bool dbfail = false;
    member_rec *m = xmalloc(sizeof *m);
    int64_t id_before = 0, nonempty = 1;
    if (im->writing) db_i64(d, &id_before, 0, "SELECT max(id) FROM member", "");
    if (im->writing && !im->bulk && db_i64(d, &nonempty, 1, "SELECT EXISTS (SELECT 1 FROM member)", "") == CX_OK && !nonempty) {
        im->roll_empty = true;
        if (db_indexes_drop(d, "member", &im->indexes) != CX_OK) dbfail = true;
    }
    roster_scratch scratch = {0};
    int64_t notes_row = 0; /* where the notes under the table begin */
    while (!dbfail && (rc = tab_next(t, &cells, &n, &fe)) == 1) {
        int64_t rowno = (int64_t)tab_rowno(t);
        if (n > ncols) n = ncols; /* cells beyond the header are ignored */
        bool any = roster_prepare_row(cells, n, colmap, &scratch);
        if (!notes_row && roster_note_row(cells, n, r->rows > 0)) notes_row = rowno;
        if (notes_row && rowno != notes_row && idcol >= 0 && (size_t)idcol < n && cells[idcol][0]) {
            r->rows++; /* a member below the notes: said, not dropped */
            char msg[256];
            snprintf(msg, sizeof msg, "该行在表尾说明（第 %" PRId64 " 行）之后：党员数据应写在说明之前", notes_row);
            issue(r, rowno, "", "row_after_notes", msg);
            if (im->writing && stop_writing(im) != CX_OK) {
                dbfail = true;
                break;
            }
            continue;
        }
        if (notes_row || !any) continue; /* notes, or no member column filled (a 序号 alone) */
        if (idcol >= 0 && (size_t)idcol < n && !(cells[idcol][0] >= '0' && cells[idcol][0] <= '9') &&
            member_col_find(cells[idcol]) == colmap[idcol])
            continue; /* the header again (a printed multi-page roster) */
        r->rows++;
        /* a row queues at most one 身份证号 for the roll */
        if ((im->npend == IDCARD_BATCH && roll_flush(im) != CX_OK) || check_row(im, cells, n, colmap, rowno, m) != CX_OK) {
            dbfail = true;
            break;
        }
    }
    if (!dbfail && roll_flush(im) != CX_OK) dbfail = true;
    if (!dbfail && im->bulk && im->writing && copy_kept(im) != CX_OK) dbfail = true; /* the last rows */
    if (im->bulk) {
        if (dbfail || !im->writing) db_bulk_cancel(im->bulk);
        else if (db_bulk_end(im->bulk) != CX_OK) dbfail = true;
        im->bulk = NULL;
    }
    if (im->rec) {
        sodium_memzero(im->rec, sizeof *im->rec);
        free(im->rec);
    }
    if (im->changed && !dbfail)
        issue(r, 0, "身份证号", "roster_changed", "导入期间党员名册有变动，未导入任何数据，请重新导入");
    if (!dbfail && im->stage && (r->nissues || im->outside) && recheck_staged(im, m, false) != CX_OK) dbfail = true;
    if (rc == CX_ERR) issue(r, 0, "", fe.code, fe.msg);
    tab_close(t);
    map_free(&im->ids, NULL);
    free(colmap);
    if (r->rows == 0 && r->nissues == 0 && !dbfail) issue(r, 0, "", "no_rows", "文件中没有党员数据（只有列标题）");
    if (im->stage && !dbfail && !r->nissues && !im->outside) {
        /* the checked upload: the one write transaction */
        int w = db_begin(d, true) == CX_OK && db_i64(d, &id_before, 0, "SELECT max(id) FROM member", "") == CX_OK
                    ? write_staged(im, m) : CX_ERR;
        if (w == 0) { /* a 身份证号 already on the roll (or put there meanwhile): look the rows up for the report */
            db_rollback(d);
            r->imported = 0;
            w = recheck_staged(im, m, true);
        }
        if (w == CX_ERR) dbfail = true;
    }
    if (im->st.p) sodium_memzero(im->st.p, im->st.len); /* the staged rows hold full 身份证号 and phones */
    buf_free(&im->st);
    sodium_memzero(m, sizeof *m);
    free(m);
    /* a wholly valid file, written: the tallies of the organisations its rows went to, then (the
     * organisations forgotten, so that their memory is not held beside the sort's) the indexes
     * dropped for it built again */
    bool whole = !dbfail && !r->nissues && !im->outside && !dry_run;
    int tallied = whole ? tally_counted(im) : CX_OK;
    map_free(&im->oc, free);
    if (whole && tallied == CX_OK && db_indexes_build(d, im->indexes) != CX_OK) dbfail = true;
    free(im->indexes);
    int64_t outside = im->outside, checked = im->checked;
    free(im);
    sort_issues(r);
    if (outside && !dbfail) issue_elsewhere(r);
    if (dbfail || r->nissues || dry_run) {
        if (dbfail) cx_fail(e, 500, "db_error", "", "导入失败，已全部撤销：%s", db_errmsg(d));
        db_rollback(d);
        r->imported = 0;
        if (!dbfail) { /* a refused file or a dry run still checked 身份证号 against the roll: record it */
            char *after = xasprintf("{\"rows\":%" PRId64 ",\"errors\":%" PRId64 ",\"dry_run\":%s}", r->rows, r->nissues,
                                    dry_run ? "true" : "false");
            audit_record(d, a, "import_check", "org", root->id, root->id, NULL, after, r->nissues ? "refused" : "ok");
            free(after);
            /* the answer about numbers outside the importer's subtree is given only once on record */
            if (outside && idcard_lookup_record(d, a, true, dry_run ? "dry_run" : "import", root->id, checked, outside) != CX_OK) {
                roster_report_free(r);
                memset(r, 0, sizeof *r);
                return cx_fail(e, 500, "audit_failed", "", "无法记录本次身份证号核对，导入未进行");
            }
        }
        return dbfail ? CX_ERR : CX_OK;
    }
    int64_t id_after = 0;
    db_i64(d, &id_after, 0, "SELECT max(id) FROM member", "");
    if (tallied != CX_OK || /* the subtree tallies, per organisation (above) */
        account_auto_for_member(d, a, id_before + 1, root) != CX_OK) { /* and their accounts, if the policy says so */
        cx_fail(e, 500, "db_error", "", "导入写入失败，已全部撤销：%s", db_errmsg(d));
        db_rollback(d);
        r->imported = 0;
        return CX_ERR;
    }
    char *after = xasprintf("{\"rows\":%" PRId64 ",\"member_ids_after\":%" PRId64 ",\"member_ids_upto\":%" PRId64
                            ",\"format\":\"%s\"}",
                            r->imported, id_before, id_after, r->kind);
    int result = audit_append(d, a, "import", "org", root->id, root->id, NULL, after, "ok");
    free(after);
    if (result == CX_OK) result = db_commit(d);
    if (result != CX_OK) {
        cx_fail(e, 500, "db_error", "", "导入写入失败，已全部撤销：%s", db_errmsg(d));
        db_rollback(d);
        r->imported = 0;
        return CX_ERR;
    }
    return CX_OK;
}

/* ---- export ---- */

/* full: the member's decrypted 身份证号 and phone, or NULL for the masked export. */
typedef struct full_vals {
    char idcard[19], phone[32], birth[11];
} full_vals;

static const char *export_value(const member *m, const full_vals *full, const char *field, char tmp[16])
{
    if (full && !strcmp(field, "idcard")) return full->idcard;
    if (full && !strcmp(field, "phone")) return full->phone;
    if (full && !strcmp(field, "birth_date")) return full->birth;
    if (!strcmp(field, "birth_date")) return snprintf(tmp, 16, "%d年", m->birth_year), tmp; /* year only */
    if (!strcmp(field, "status")) return member_status_label(m->r.status);
    if (!strcmp(field, "org")) return m->org_name;
    return member_rec_get(&m->r, field);
}

typedef struct xctx {
    lxw_worksheet *ws;
    lxw_format *text;
    lxw_row_t row;
    buf *csv;
    db *d;     /* set for the full export: numbers are decrypted row by row */
    bool failed;
} xctx;

static int export_row(void *ctx, const member *m)
{
    xctx *x = ctx;
    full_vals fv, *full = NULL;
    if (x->d) {
        cx_err e;
        if (member_decrypt(x->d, m->id, fv.idcard, fv.phone, NULL, &e) != CX_OK) {
            x->failed = true;
            return 1;
        }
        idcard_birth(fv.idcard, fv.birth);
        full = &fv;
    }
    for (int c = 0; member_cols[c].field; c++) {
        char tmp[16];
        const char *v = export_value(m, full, member_cols[c].field, tmp);
        if (x->ws) worksheet_write_string(x->ws, x->row, (lxw_col_t)c, v ? v : "", x->text);
        else {
            if (c) buf_addc(x->csv, ',');
            buf_csv_field(x->csv, v ? v : "");
        }
    }
    if (!x->ws) buf_adds(x->csv, "\r\n");
    x->row++;
    if (full) sodium_memzero(&fv, sizeof fv);
    return 0;
}

static void header_row(lxw_workbook *wb, lxw_worksheet *ws, buf *csv)
{
    lxw_format *h = wb ? workbook_add_format(wb) : NULL;
    if (h) format_set_bold(h);
    for (int c = 0; member_cols[c].field; c++) {
        if (ws) {
            worksheet_write_string(ws, 0, (lxw_col_t)c, member_cols[c].label, h);
            worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, !strcmp(member_cols[c].field, "idcard") ? 22 :
                                 !strcmp(member_cols[c].field, "duties") || !strcmp(member_cols[c].field, "org") ? 30 : 12, NULL);
        } else {
            if (c) buf_addc(csv, ',');
            buf_csv_field(csv, member_cols[c].label);
        }
    }
    if (csv) buf_adds(csv, "\r\n");
}

int roster_export(db *d, const actor *a, const org *root, bool subtree, bool full, const char *format, buf *out, cx_err *e)
{
    bool xlsx = !strcmp(format, "xlsx");
    if (!xlsx && strcmp(format, "csv") != 0) return cx_fail(e, 400, "invalid_format", "format", "导出格式应为 xlsx 或 csv");
    member_query q = {.root = root, .subtree = subtree};
    xctx x = {0};
    xlsx_out xo;
    lxw_workbook *wb = NULL;
    buf_reset(out);
    if (xlsx) {
        if (xlsxout_open(&xo) != CX_OK) return cx_fail(e, 500, "export_failed", "", "无法创建导出文件");
        wb = xo.wb;
        x.ws = workbook_add_worksheet(wb, "党员名册");
        x.text = workbook_add_format(wb);
        format_set_num_format(x.text, "@");
        header_row(wb, x.ws, NULL);
    } else {
        x.csv = out;
        buf_adds(out, "\xEF\xBB\xBF"); /* BOM: Excel then reads the file as UTF-8 */
        header_row(NULL, NULL, out);
    }
    x.row = 1;
    if (full) x.d = d;
    int rc = member_list(d, &q, export_row, &x);
    if (x.failed) rc = CX_ERR;
    if (xlsx && xlsxout_close(&xo, out) != CX_OK) rc = CX_ERR;
    if (rc != CX_OK) {
        buf_reset(out);
        return x.failed ? cx_fail(e, 500, "decrypt_failed", "", "导出失败：无法解密身份证号（密钥文件与数据库不匹配）")
                        : cx_fail(e, 500, "export_failed", "", "导出失败：%s", db_errmsg(d));
    }
    /* Exports of personal data are themselves audited; the full one as a view of the full numbers. */
    char *after = full ? xasprintf("{\"fields\":[\"idcard\",\"phone\"],\"export\":\"%s\",\"rows\":%u,\"subtree\":%s}", format,
                                   (unsigned)(x.row - 1), subtree ? "true" : "false")
                       : xasprintf("{\"format\":\"%s\",\"rows\":%u,\"subtree\":%s}", format, (unsigned)(x.row - 1),
                                   subtree ? "true" : "false");
    int rc2 = audit_record(d, a, full ? "reveal" : "export", "org", root->id, root->id, NULL, after, "ok");
    free(after);
    if (rc2 != CX_OK) { /* an export of personal data that cannot be audited does not happen */
        buf_reset(out);
        return cx_fail(e, 500, "audit_failed", "", "无法记录导出审计，导出已取消");
    }
    return CX_OK;
}

int roster_template(const char *format, buf *out, cx_err *e)
{
    buf_reset(out);
    if (!strcmp(format, "csv")) {
        buf_adds(out, "\xEF\xBB\xBF");
        header_row(NULL, NULL, out);
        return CX_OK;
    }
    if (strcmp(format, "xlsx") != 0) return cx_fail(e, 400, "invalid_format", "format", "模板格式应为 xlsx 或 csv");
    xlsx_out xo;
    if (xlsxout_open(&xo) != CX_OK) return cx_fail(e, 500, "template_failed", "", "无法创建模板文件");
    lxw_workbook *wb = xo.wb;
    lxw_worksheet *ws = workbook_add_worksheet(wb, "党员名册");
    lxw_format *text = workbook_add_format(wb);
    format_set_num_format(text, "@");
    header_row(wb, ws, NULL);
    /* Text format on every column, so Excel keeps 身份证号 and dates as typed. */
    for (int c = 0; member_cols[c].field; c++)
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, !strcmp(member_cols[c].field, "idcard") ? 22 : 14, text);
    worksheet_freeze_panes(ws, 1, 0);
    lxw_worksheet *help = workbook_add_worksheet(wb, "填写说明");
    static const char *notes[][2] = {
        {"姓名", "必填，不超过 20 个字"},
        {"性别", "选填：男 / 女；填写时须与身份证号一致"},
        {"民族", "选填，如 汉族（写“汉”也可以）"},
        {"出生日期", "选填，如 1985-03-12；填写时须与身份证号一致"},
        {"身份证号", "必填，18 位，最后一位可以是 X。本列已设为“文本”格式，请勿改成数字格式"},
        {"联系电话", "选填，手机号或带区号的固定电话"},
        {"入党时间", "必填，如 2008-07-01，须在年满 18 周岁之后"},
        {"转正时间", "正式党员填写，须晚于入党时间；预备党员不填"},
        {"学历", "选填，如 本科"},
        {"工作岗位", "选填"},
        {"岗位职责", "选填，不超过 300 个字"},
        {"党员状态", "正式党员 / 预备党员；不填视为正式党员"},
        {"所在党组织", "选填：党组织全称，须是导入所在组织或其下级；不填则导入到当前组织"},
    };
    lxw_format *b = workbook_add_format(wb);
    format_set_bold(b);
    worksheet_write_string(help, 0, 0, "列", b);
    worksheet_write_string(help, 0, 1, "说明", b);
    worksheet_set_column(help, 0, 0, 14, NULL);
    worksheet_set_column(help, 1, 1, 80, NULL);
    for (size_t i = 0; i < sizeof notes / sizeof notes[0]; i++) {
        worksheet_write_string(help, (lxw_row_t)(i + 1), 0, notes[i][0], NULL);
        worksheet_write_string(help, (lxw_row_t)(i + 1), 1, notes[i][1], NULL);
    }
    worksheet_write_string(help, (lxw_row_t)(sizeof notes / sizeof notes[0] + 2), 0,
                           "整个文件全部正确才会导入；有任何错误时不会导入任何一行，并列出每个错误的行号（按表格行号）、列和原因。", NULL);
    worksheet_write_string(help, (lxw_row_t)(sizeof notes / sizeof notes[0] + 3), 0,
                           "也可以直接导入支部自己的花名册：表头上方的标题行、表格下方的“填表人：”“注：”等说明可以保留，"
                           "列标题可用常见写法（如 公民身份号码、手机号码、入党日期、所在支部），全角数字也可以。", NULL);
    return xlsxout_close(&xo, out) == CX_OK ? CX_OK : cx_fail(e, 500, "template_failed", "", "生成模板失败");
}
