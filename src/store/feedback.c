/* feedback.c: opinions, complaints and reports, their triage, replies and settings (see
 * feedback.h). */
#include "feedback.h"
#include "limit.h"
#include "row.h"
#include "notify.h"
#include "feedback_int.h"
#include "calendar.h"
#include "../lib/json.h"
#include "../lib/media.h"
#include "../domain/text.h"
#include "../domain/date.h"
#include "../domain/orgpath.h"
#include "../lib/code.h"
#include "../lib/crypto.h"
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* Rolls back and fails with the given error (an argument list like cx_fail's). */
#define REFUSE(d, e, ...) (db_rollback(d), cx_fail((e), __VA_ARGS__))

/* ---- who may see and act ---- */

static bool in_accused(const char *viewer_member_path, const feedback *f)
{
    return viewer_member_path && *viewer_member_path && path_in_subtree(viewer_member_path, f->about_org_path);
}

bool feedback_has_accused(const feedback *f) { return f->kind == FK_REPORT || (f->kind == FK_COMPLAINT && f->about_kind[0]); }

bool feedback_visible(const principal *p, const char *vmp, const feedback *f)
{
    if (feedback_has_accused(f) && in_accused(vmp, f)) return false;
    return perm_sees_feedback(p, f->org_path, f->kind == FK_REPORT);
}

bool feedback_can_triage(const principal *p, const char *vmp, const feedback *f)
{
    if (!feedback_visible(p, vmp, f)) return false;
    return f->kind == FK_REPORT || perm_allows(p, ROLE_OFFICE, f->org_path);
}

bool feedback_can_reply(const principal *p, const char *vmp, const feedback *f)
{
    if (!feedback_visible(p, vmp, f)) return false;
    if (f->kind == FK_REPORT) return true;
    return perm_allows(p, ROLE_OFFICE, f->org_path) || (f->status != FS_NEW && perm_allows(p, ROLE_SECRETARY, f->org_path));
}

bool feedback_can_reveal(const principal *p, const char *vmp, const feedback *f)
{
    if (!feedback_visible(p, vmp, f)) return false;
    if (f->kind == FK_REPORT) return true;
    /* a complaint about someone: only the handling organisation itself (office or secretary
     * there), not every office above it */
    if (feedback_has_accused(f)) return perm_at(p, ROLE_ADMIN, f->org_path);
    return perm_allows(p, ROLE_ADMIN, f->org_path);
}

/* ---- settings and categories ---- */

int feedback_due_days(db *d, const org *o, int days[FK_N], int64_t from[FK_N])
{
    for (int k = 0; k < FK_N; k++) days[k] = FEEDBACK_DUE_DEFAULT, from[k] = 0;
    /* settings at o or an ancestor, nearest first: the first one per kind wins */
    db_stmt *s = nearest_stmt(d, "feedback_setting", "t.kind, t.due_days", o->path);
    if (!s) return CX_ERR;
    bool seen[FK_N] = {false};
    int rc;
    while ((rc = db_step(s)) == DB_ROW) {
        int k = feedback_kind_from(db_col_text(s, 1));
        if (k < 0 || seen[k]) continue;
        seen[k] = true;
        days[k] = (int)db_col_i64(s, 2);
        from[k] = db_col_i64(s, 0);
    }
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int feedback_setting_set(db *d, const actor *a, int64_t org_id, const feedback_setting_ok *set, cx_err *e)
{
    const char *kind = feedback_kind_name(set->kind);
    int64_t days = set->days;
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    int64_t old = 0;
    if (db_i64(d, &old, 0, "SELECT due_days FROM feedback_setting WHERE org_id = ? AND kind = ?", "is", org_id, kind) != CX_OK) return db_fail(d, e);
    int rc = db_run(d, "INSERT INTO feedback_setting (org_id, kind, due_days, updated_at) VALUES (?,?,?,?) ON CONFLICT (org_id, kind) "
                       "DO UPDATE SET due_days = excluded.due_days, updated_at = excluded.updated_at",
                    "isii", org_id, kind, days, now_unix());
    char *before = old ? xasprintf("{\"kind\":\"%s\",\"due_days\":%" PRId64 "}", kind, old) : NULL;
    char *after = xasprintf("{\"kind\":\"%s\",\"due_days\":%" PRId64 "}", kind, days);
    return store_finish(d, a, "settings", "feedback_setting", org_id, org_id, before, after, rc, e);
}

int feedback_categories(db *d, category_fn fn, void *ctx)
{
    db_stmt *s = db_prepare(d, "SELECT id, name FROM feedback_category WHERE active = 1 ORDER BY seq, id");
    if (!s) return CX_ERR;
    int rc;
    while ((rc = db_step(s)) == DB_ROW)
        if (fn(ctx, db_col_i64(s, 0), db_col_text(s, 1))) break;
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

int feedback_category_add(db *d, const actor *a, int64_t org_id, const feedback_category_ok *c, int64_t *id, cx_err *e)
{
    const char *name = c->name;
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    int64_t dup = 0, seq = 0;
    if (db_i64(d, &dup, 0, "SELECT count(*) FROM feedback_category WHERE name = ?", "s", name) != CX_OK ||
        db_i64(d, &seq, 0, "SELECT coalesce(max(seq), 0) FROM feedback_category WHERE seq < 99", "") != CX_OK)
        return db_fail(d, e);
    if (dup) return REFUSE(d, e, 409, "duplicate", "name", "分类“%s”已经有了", name);
    int64_t nid = 0;
    if (db_i64(d, &nid, 0, "INSERT INTO feedback_category (name, seq) VALUES (?, ?) RETURNING id", "si", name, seq + 1) != CX_OK)
        return db_fail(d, e);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "name", name);
    char *after = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (store_finish(d, a, "create", "feedback_category", nid, org_id, NULL, after, CX_OK, e) != CX_OK) return CX_ERR;
    if (id) *id = nid;
    return CX_OK;
}

/* ---- reading items ---- */

#define FB_COLS                                                                                                      \
    "f.id, f.org_id, f.about_id, f.about_org_id, coalesce(f.category_id, 0), coalesce(f.merged_into, 0), f.entered_by, " \
    "f.replied_by, f.version, f.created_at, f.updated_at, f.kind, f.channel, f.status, f.due_days, f.published, "       \
    "CASE WHEN f.name_enc IS NULL THEN 0 ELSE 1 END, CASE WHEN f.contact_enc IS NULL THEN 0 ELSE 1 END, f.about_kind, "  \
    "f.text, f.reply, f.note, f.public_summary, f.name_mask, f.contact_mask, f.received_date, f.due_date, "             \
    "f.replied_date, o.name, o.path, ao.name, ao.path, coalesce(c.name, ''), "                                         \
    "CASE f.about_kind WHEN 'member' THEN coalesce((SELECT m.name FROM member m WHERE m.id = f.about_id), '') "          \
    "WHEN 'window' THEN coalesce((SELECT w.name FROM service_window w WHERE w.id = f.about_id), '') "                   \
    "WHEN 'org' THEN ao.name ELSE '' END"
#define FB_FROM                                                                                                      \
    " FROM feedback f JOIN org o ON o.id = f.org_id JOIN org ao ON ao.id = f.about_org_id "                            \
    "LEFT JOIN feedback_category c ON c.id = f.category_id"

static void read_item(db_stmt *s, feedback *f)
{
    int64_t *ints[] = {&f->id, &f->org_id, &f->about_id, &f->about_org_id, &f->category_id, &f->merged_into, &f->entered_by,
                       &f->replied_by, &f->version, &f->created_at, &f->updated_at};
    for (int i = 0; i < 11; i++) *ints[i] = db_col_i64(s, i);
    f->kind = feedback_kind_from(db_col_text(s, 11));
    f->channel = feedback_channel_from(db_col_text(s, 12));
    f->status = feedback_status_from(db_col_text(s, 13));
    f->due_days = (int)db_col_i64(s, 14);
    f->published = (int)db_col_i64(s, 15);
    f->has_name = (int)db_col_i64(s, 16);
    f->has_contact = (int)db_col_i64(s, 17);
#define T(fld, c) snprintf(f->fld, sizeof f->fld, "%s", db_col_text(s, c))
    T(about_kind, 18);
    T(text, 19);
    T(reply, 20);
    T(note, 21);
    T(public_summary, 22);
    T(name_mask, 23);
    T(contact_mask, 24);
    T(received_date, 25);
    T(due_date, 26);
    T(replied_date, 27);
    T(org_name, 28);
    T(org_path, 29);
    T(about_org_name, 30);
    T(about_org_path, 31);
    T(category, 32);
    T(about_name, 33);
#undef T
}

static int get_where(db *d, const char *where, const void *key, size_t keylen, int64_t id, feedback *f)
{
    memset(f, 0, sizeof *f); /* a caller never sees an output this call did not fill */
    char *sql = xasprintf("SELECT " FB_COLS FB_FROM " WHERE %s", where);
    db_stmt *s = db_prepare(d, sql);
    free(sql);
    if (!s) return CX_ERR;
    if (key) db_bind_blob(s, 1, key, keylen);
    else db_bind_i64(s, 1, id);
    int rc = db_step(s);
    if (rc == DB_ROW) read_item(s, f);
    db_done(s);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : CX_ERR;
}

int feedback_get(db *d, int64_t id, feedback *f) { return get_where(d, "f.id = ?", NULL, 0, id, f); }

static void code_hash(const char *code, unsigned char h[CX_HASH_BYTES])
{
    char *s = xasprintf("feedback-code\x1f%s", code);
    crypto_keyed_hash(s, h);
    free(s);
}

int feedback_by_code(db *d, const char *code, feedback *f)
{
    unsigned char h[CX_HASH_BYTES];
    code_hash(code, h);
    return get_where(d, "f.code_hash = ?", h, sizeof h, 0, f);
}

int feedback_kept(db *d, const feedback *f, feedback *kept)
{
    *kept = *f;
    for (int hops = 0; kept->status == FS_MERGED && kept->merged_into && hops < 16; hops++) {
        int r = feedback_get(d, kept->merged_into, kept);
        if (r != 1) return r;
    }
    return 1;
}

/* ---- submitting ---- */

/* A random id (not a sequence: see the migration) below 2^50, unused in table. */
static int random_id(db *d, const char *table, int64_t *id)
{
    char *sql = xasprintf("SELECT count(*) FROM %s WHERE id = ?", table);
    int rc = CX_ERR;
    for (int tries = 0; tries < 8; tries++) {
        uint64_t v;
        randombytes_buf(&v, sizeof v);
        *id = (int64_t)(v & ((UINT64_C(1) << 50) - 1)) + 1000000;
        int64_t n = 1;
        if (db_i64(d, &n, 1, sql, "i", *id) != CX_OK) break;
        if (!n) {
            rc = CX_OK;
            break;
        }
    }
    free(sql);
    return rc;
}

/* The organisation a submission is about: 1 found (about_org, about_name), 0 none or inactive. */
static int find_about(db *d, const char *kind, int64_t id, org *about)
{
    int64_t oid = 0;
    if (!strcmp(kind, "member")) {
        if (db_i64(d, &oid, 0, "SELECT org_id FROM member WHERE id = ? AND active = 1", "i", id) != CX_OK) return CX_ERR;
    } else if (!strcmp(kind, "window")) {
        if (db_i64(d, &oid, 0, "SELECT org_id FROM service_window WHERE id = ? AND active = 1", "i", id) != CX_OK) return CX_ERR;
    } else oid = id;
    if (!oid) return 0;
    int f = org_get(d, oid, about);
    return f == 1 ? about->active : f;
}

static int insert_item(db *d, const feedback *f, const unsigned char code_h[CX_HASH_BYTES], const buf *name_enc, const buf *contact_enc, int64_t part)
{
    db_stmt *s = db_prepare(d, "INSERT INTO feedback (id, part, kind, code_hash, channel, about_kind, about_id, about_org_id, org_id, status, "
                               "text, name_enc, name_mask, contact_enc, contact_mask, received_date, due_days, due_date, entered_by, "
                               "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,'new',?,?,?,?,?,?,?,?,?,?,?)");
    if (!s) return CX_ERR;
    int i = 1;
    db_bind_i64(s, i++, f->id);
    db_bind_i64(s, i++, part);
    db_bind_text(s, i++, feedback_kind_name(f->kind));
    db_bind_blob(s, i++, code_h, CX_HASH_BYTES);
    db_bind_text(s, i++, feedback_channel_name(f->channel));
    db_bind_text(s, i++, f->about_kind);
    db_bind_i64(s, i++, f->about_id);
    db_bind_i64(s, i++, f->about_org_id);
    db_bind_i64(s, i++, f->org_id);
    db_bind_text(s, i++, f->text);
    if (name_enc->len) db_bind_blob(s, i++, name_enc->p, name_enc->len);
    else db_bind_null(s, i++);
    db_bind_text(s, i++, f->name_mask);
    if (contact_enc->len) db_bind_blob(s, i++, contact_enc->p, contact_enc->len);
    else db_bind_null(s, i++);
    db_bind_text(s, i++, f->contact_mask);
    db_bind_text(s, i++, f->received_date);
    db_bind_i64(s, i++, f->due_days);
    db_bind_text(s, i++, f->due_date);
    db_bind_i64(s, i++, f->entered_by);
    db_bind_i64(s, i++, f->created_at);
    db_bind_i64(s, i++, f->created_at);
    int rc = db_step(s);
    db_done(s);
    return rc == CX_ERR ? CX_ERR : CX_OK;
}

/* The audit entity and organisation of an item: reports are filed under no organisation. */
#define AUDIT_ENTITY(f) ((f)->kind == FK_REPORT ? "report" : "feedback")
#define AUDIT_ORG(f) ((f)->kind == FK_REPORT ? 0 : (f)->org_id)

/* The sender's part of a submission, as feedback_check passed it, into f. */
static void take_in(const feedback_ok *in, feedback *f)
{
    f->kind = in->kind;
    f->channel = in->channel;
    snprintf(f->text, sizeof f->text, "%s", in->text);
    memcpy(f->received_date, in->received_date, sizeof f->received_date);
    snprintf(f->about_kind, sizeof f->about_kind, "%s", in->about_kind);
    f->about_id = in->about_id;
}

int feedback_submit(db *d, const actor *a, const feedback_new *in, int64_t *id, char code[FEEDBACK_CODE_CAP], cx_err *e)
{
    feedback *f = xcalloc(1, sizeof *f);
    const char *name = in->in->name, *contact = in->in->contact;
    const char *mimes[EVIDENCE_MAX_FILES];
    int rc = CX_ERR;
    buf ne, ce;
    buf_init(&ne);
    buf_init(&ce);
    workday_cal cal = {0};
    take_in(in->in, f);
    if (evidence_check(in->files, in->nfiles, mimes, e) != CX_OK) goto out;
    if (db_begin(d, true) != CX_OK) {
        db_fail(d, e);
        goto out;
    }
    org about, handler;
    int found;
    if (f->about_kind[0]) found = find_about(d, f->about_kind, f->about_id, &about);
    else if (in->intake) found = 1, about = *in->intake;
    else {
        int64_t top = 0;
        found = db_i64(d, &top, 0, "SELECT min(id) FROM org WHERE parent_id IS NULL AND active = 1", "") != CX_OK ? CX_ERR
                : top ? org_get(d, top, &about) : 0;
    }
    if (found == CX_ERR) {
        db_fail(d, e);
        goto out;
    }
    if (found != 1 || (in->intake && !path_in_subtree(about.path, in->intake->path))) {
        REFUSE(d, e, 404, "not_found", f->about_kind[0] ? "about_id" : "", "反映对象不存在或已停用");
        goto out;
    }
    f->about_org_id = about.id;
    handler = about;
    if (feedback_has_accused(f)) {
        /* 举报 goes to the discipline role of the organisation above the accused's, 投诉 about
         * someone to the organisation above theirs: never to the accused or their organisation */
        if (!about.parent_id || org_get(d, about.parent_id, &handler) != 1) {
            REFUSE(d, e, 400, "no_higher_org", "about_id", f->kind == FK_REPORT ? "被举报的组织没有上级党组织，本系统无法受理，请向上级纪检监察机关举报"
                                                                               : "被投诉的组织没有上级党组织，本系统无法受理，请向上级机关反映");
            goto out;
        }
    }
    f->org_id = handler.id;
    int days[FK_N];
    int64_t from[FK_N];
    if (feedback_due_days(d, &handler, days, from) != CX_OK || feedback_calendar(d, &cal) != CX_OK ||
        random_id(d, "feedback", &f->id) != CX_OK) {
        db_fail(d, e);
        goto out;
    }
    f->due_days = days[f->kind];
    workday_add(&cal, f->received_date, f->due_days, f->due_date);
    if (name[0]) crypto_seal(name, &ne), text_mask(name, false, f->name_mask, sizeof f->name_mask);
    if (contact[0]) crypto_seal(contact, &ce), text_mask(contact, true, f->contact_mask, sizeof f->contact_mask);
    f->entered_by = in->entered_by;
    f->created_at = now_unix();
    char c[FEEDBACK_CODE_DATA + 2];
    unsigned char h[CX_HASH_BYTES];
    int64_t clash = 1;
    for (int tries = 0; clash && tries < 8; tries++) { /* 60 random bits: a clash is all but impossible */
        code_make(c, FEEDBACK_CODE_DATA);
        code_hash(c, h);
        if (db_i64(d, &clash, 1, "SELECT count(*) FROM feedback WHERE code_hash = ?", "b", h, sizeof h) != CX_OK) {
            db_fail(d, e);
            goto out;
        }
    }
    int r = clash ? CX_ERR : insert_item(d, f, h, &ne, &ce, handler.part);
    if (r == CX_OK) r = period_update(d, PK_FEEDBACK, f->id, &(period_rec){0});
    for (int i = 0; r == CX_OK && i < in->nfiles; i++) {
        int64_t fid;
        char fname[128];
        const char *nm = in->files[i].name;
        snprintf(fname, sizeof fname, "%s", nm && *nm && utf8_valid(nm, strlen(nm)) ? nm : "附件");
        r = random_id(d, "feedback_file", &fid);
        size_t cn = 0; /* published: stored without EXIF/GPS and other metadata */
        void *clean = r == CX_OK ? media_clean(mimes[i], in->files[i].data, in->files[i].len, &cn) : NULL;
        if (r == CX_OK)
            r = db_run(d, "INSERT INTO feedback_file (id, feedback_id, mime, name, size, data, created_at) VALUES (?,?,?,?,?,?,?)", "iissibi",
                       fid, f->id, mimes[i], fname, (int64_t)cn, clean, cn, f->created_at);
        free(clean);
    }
    /* the audit record: what and when, never the text or the sender */
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "kind", feedback_kind_name(f->kind));
    cJSON_AddStringToObject(j, "channel", feedback_channel_name(f->channel));
    cJSON_AddStringToObject(j, "received_date", f->received_date);
    cJSON_AddStringToObject(j, "due_date", f->due_date);
    json_add_i64(j, "files", in->nfiles);
    char *after = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (store_finish(d, a, "create", AUDIT_ENTITY(f), f->id, AUDIT_ORG(f), NULL, after, r, e) != CX_OK) goto out;
    if (id) *id = f->id;
    snprintf(code, FEEDBACK_CODE_CAP, "%s", c);
    rc = CX_OK;
out:
    workday_cal_free(&cal);
    buf_free(&ne);
    buf_free(&ce);
    free(f);
    return rc;
}

/* ---- triage and answers ---- */

/* Opens a write transaction and loads item id; 404 (rolled back) when it is missing. */
static int begin_item(db *d, int64_t id, feedback *f, cx_err *e)
{
    if (db_begin(d, true) != CX_OK || db_lock(d, "feedback", id) != CX_OK) return db_fail(d, e); /* one change at a time */
    int r = feedback_get(d, id, f);
    if (r == CX_ERR) return db_fail(d, e);
    if (r == 0) return REFUSE(d, e, 404, "not_found", "id", "该事项不存在或不在您的管理范围内");
    return period_of(d, PK_FEEDBACK, id, &f->counted) == CX_OK ? CX_OK : db_fail(d, e);
}

static bool open_status(int s) { return s == FS_NEW || s == FS_ASSIGNED; }

/* The audit snapshot of the triage state: status, organisation, category, merge, publication. */
static char *state_json(const feedback *f)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "status", feedback_status_name(f->status));
    json_add_i64(j, "org_id", f->org_id);
    if (f->category_id) json_add_i64(j, "category_id", f->category_id);
    if (f->merged_into) json_add_i64(j, "merged_into", f->merged_into);
    if (f->replied_date[0]) cJSON_AddStringToObject(j, "replied_date", f->replied_date);
    if (f->published) cJSON_AddTrueToObject(j, "published");
    char *s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return s;
}

/* Ends a change of f: bumps its version, audits before → after, commits (or rolls back on rc). */
static int finish_item(db *d, const actor *a, const char *action, feedback *f, char *before, int rc, cx_err *e)
{
    if (rc == CX_OK) rc = db_run(d, "UPDATE feedback SET version = version + 1, updated_at = ? WHERE id = ?", "ii", now_unix(), f->id);
    if (rc == CX_OK) rc = period_update(d, PK_FEEDBACK, f->id, &f->counted); /* org, status, reply move its counters */
    return store_finish(d, a, action, AUDIT_ENTITY(f), f->id, AUDIT_ORG(f), before, state_json(f), rc, e);
}

/* The category of a classification: none (0) or an active one; refuses (rolled back) otherwise. */
static int category_usable(db *d, int64_t cat, cx_err *e)
{
    int64_t ok = 1;
    if (cat && db_i64(d, &ok, 0, "SELECT count(*) FROM feedback_category WHERE id = ? AND active = 1", "i", cat) != CX_OK) return db_fail(d, e);
    if (!ok) return REFUSE(d, e, 400, "invalid_category", "category_id", "没有这个分类");
    return CX_OK;
}

/* Whether open item f may go to org_id: active; for a report or a complaint about someone a
 * strict ancestor of the accused's organisation. Refuses (rolled back) otherwise. */
static int assignable(db *d, const feedback *f, int64_t org_id, cx_err *e)
{
    org to;
    int g = org_get(d, org_id, &to);
    if (g == CX_ERR) return db_fail(d, e);
    if (g != 1 || !to.active) return REFUSE(d, e, 404, "not_found", "org_id", "党组织不存在、已停用或不在您的管理范围内");
    if (!open_status(f->status)) return REFUSE(d, e, 409, "invalid_state", "status", "该事项%s，不能再交办", feedback_status_label(f->status));
    if (feedback_has_accused(f) && (!path_in_subtree(f->about_org_path, to.path) || !strcmp(f->about_org_path, to.path)))
        return REFUSE(d, e, 400, "not_higher", "org_id", f->kind == FK_REPORT ? "举报只能交由被举报组织的上级党组织的纪检人员办理"
                                                                             : "投诉只能交由被投诉对象所在组织的上级党组织办理，不能交给被投诉的组织");
    return CX_OK;
}

/* Stores the category of f (0: none) and the note when given. */
static int set_category(db *d, feedback *f, int64_t cat, const feedback_note_ok *note)
{
    int r = cat ? db_run(d, "UPDATE feedback SET category_id = ? WHERE id = ?", "ii", cat, f->id)
                : db_run(d, "UPDATE feedback SET category_id = NULL WHERE id = ?", "i", f->id);
    if (r == CX_OK && note->given) r = db_run(d, "UPDATE feedback SET note = ? WHERE id = ?", "si", note->text, f->id);
    f->category_id = cat;
    return r;
}

/* Hands f to org_id (status assigned) and stores the note when given. */
/* Assigns f to org_id and tells that organisation's caseworkers (notify.c). */
static int set_org(db *d, const actor *a, feedback *f, int64_t org_id, const feedback_note_ok *note)
{
    org to;
    /* the item's part follows the organisation now responsible (part.h) */
    int r = db_run(d, "UPDATE feedback SET org_id = ?, part = (SELECT part FROM org WHERE id = ?), status = 'assigned' WHERE id = ?", "iii",
                   org_id, org_id, f->id);
    if (r == CX_OK && note && note->given) r = db_run(d, "UPDATE feedback SET note = ? WHERE id = ?", "si", note->text, f->id);
    if (r == CX_OK) r = org_get(d, org_id, &to) == 1 ? notify_feedback_assigned(d, a, f, &to) : CX_ERR;
    f->org_id = org_id;
    f->status = FS_ASSIGNED;
    return r;
}

int feedback_classify(db *d, const actor *a, int64_t id, const feedback_classify_ok *c, cx_err *e)
{
    feedback *f = xmalloc(sizeof *f);
    int rc = CX_ERR;
    if (begin_item(d, id, f, e) != CX_OK || category_usable(d, c->category_id, e) != CX_OK) goto out;
    if (f->status == FS_MERGED) {
        REFUSE(d, e, 409, "invalid_state", "status", "已合并的事项不能再分类，请在保留的事项上操作");
        goto out;
    }
    char *before = state_json(f);
    rc = finish_item(d, a, "classify", f, before, set_category(d, f, c->category_id, &c->note), e);
out:
    free(f);
    return rc;
}

int feedback_assign(db *d, const actor *a, int64_t id, int64_t org_id, const feedback_note_ok *note, cx_err *e)
{
    feedback *f = xmalloc(sizeof *f);
    int rc = CX_ERR;
    if (begin_item(d, id, f, e) != CX_OK || assignable(d, f, org_id, e) != CX_OK) goto out;
    char *before = state_json(f);
    rc = finish_item(d, a, "assign", f, before, set_org(d, a, f, org_id, note), e);
out:
    free(f);
    return rc;
}

int feedback_triage(db *d, const actor *a, int64_t id, const feedback_triage_ok *t, cx_err *e)
{
    feedback *f = xmalloc(sizeof *f);
    int rc = CX_ERR;
    /* every check before any change: a bad category or organisation changes nothing */
    if (begin_item(d, id, f, e) != CX_OK || category_usable(d, t->c.category_id, e) != CX_OK || assignable(d, f, t->org_id, e) != CX_OK)
        goto out;
    /* two audit records in the one transaction: the classification, then the assignment */
    char *before = state_json(f);
    int r = set_category(d, f, t->c.category_id, &t->c.note);
    char *classified = state_json(f);
    if (r == CX_OK) r = audit_append(d, a, "classify", AUDIT_ENTITY(f), f->id, AUDIT_ORG(f), before, classified, "ok");
    free(before);
    if (r == CX_OK) r = set_org(d, a, f, t->org_id, NULL);
    rc = finish_item(d, a, "assign", f, classified, r, e);
out:
    free(f);
    return rc;
}

int feedback_merge(db *d, const actor *a, int64_t id, int64_t into_id, cx_err *e)
{
    if (into_id == id) return cx_fail(e, 400, "merge_self", "into_id", "不能与自身合并");
    feedback *f = xmalloc(2 * sizeof *f), *k = f + 1;
    int rc = CX_ERR;
    if (begin_item(d, id, f, e) != CX_OK) goto out;
    int g = feedback_get(d, into_id, k);
    if (g == CX_ERR) {
        db_fail(d, e);
        goto out;
    }
    if (g != 1 || (k->kind == FK_REPORT) != (f->kind == FK_REPORT)) {
        REFUSE(d, e, 404, "not_found", "into_id", "要保留的事项不存在或不在您的管理范围内");
        goto out;
    }
    /* a complaint about someone follows the kept item's handling: only one about the same
     * organisation, so it cannot reach the accused through another item's route */
    if (f->kind == FK_COMPLAINT && feedback_has_accused(f) && (!feedback_has_accused(k) || k->about_org_id != f->about_org_id)) {
        REFUSE(d, e, 400, "merge_accused", "into_id", "针对某人或某组织的投诉只能与针对同一组织的投诉合并（以免转由被投诉方办理）");
        goto out;
    }
    if (!open_status(f->status)) {
        REFUSE(d, e, 409, "invalid_state", "status", "该事项%s，不能再合并", feedback_status_label(f->status));
        goto out;
    }
    if (k->status == FS_MERGED) {
        REFUSE(d, e, 409, "invalid_state", "into_id", "要保留的事项本身已合并到其他事项，请选择最终保留的事项");
        goto out;
    }
    char *before = state_json(f);
    int r = db_run(d, "UPDATE feedback SET status = 'merged', merged_into = ? WHERE id = ?", "ii", into_id, id);
    f->status = FS_MERGED;
    f->merged_into = into_id;
    rc = finish_item(d, a, "merge", f, before, r, e);
out:
    free(f);
    return rc;
}

/* The anonymised summary of a published reply: given (checked by feedback_publish_check), or the
 * one already stored. */
static int summary_field(const feedback_publish_ok *p, const feedback *f, char *out, size_t cap, cx_err *e)
{
    if (f->kind == FK_REPORT) return cx_fail(e, 400, "report_not_public", "publish", "举报的办理情况不公开");
    if (!p->summary[0]) {
        if (f->public_summary[0]) return snprintf(out, cap, "%s", f->public_summary), CX_OK;
        return cx_fail(e, 400, "required", "summary", "公开答复须写一段不含姓名、电话等个人信息的问题摘要");
    }
    snprintf(out, cap, "%s", p->summary);
    return CX_OK;
}

int feedback_reply(db *d, const actor *a, int64_t id, const feedback_reply_ok *in, cx_err *e)
{
    feedback *f = xmalloc(sizeof *f);
    const char *reply = in->reply;
    bool publish = in->pub.publish;
    char summary[2048] = "";
    int rc = CX_ERR;
    if (begin_item(d, id, f, e) != CX_OK) goto out;
    if (!open_status(f->status)) {
        REFUSE(d, e, 409, "invalid_state", "status", "该事项%s，不能再答复", feedback_status_label(f->status));
        goto out;
    }
    if (publish && summary_field(&in->pub, f, summary, sizeof summary, e) != CX_OK) {
        db_rollback(d);
        goto out;
    }
    char *before = state_json(f);
    date_today(f->replied_date);
    int r = db_run(d, "UPDATE feedback SET status = 'replied', reply = ?, replied_date = ?, replied_by = ?, published = ?, public_summary = ? "
                      "WHERE id = ?", "ssiisi", reply, f->replied_date, a ? a->user_id : 0, (int64_t)publish, summary, id);
    f->status = FS_REPLIED;
    f->published = publish;
    rc = finish_item(d, a, "reply", f, before, r, e);
out:
    free(f);
    return rc;
}

int feedback_publish(db *d, const actor *a, int64_t id, const feedback_publish_ok *in, cx_err *e)
{
    bool publish = in->publish;
    feedback *f = xmalloc(sizeof *f);
    char summary[2048] = "";
    int rc = CX_ERR;
    if (begin_item(d, id, f, e) != CX_OK) goto out;
    if (f->status != FS_REPLIED) {
        REFUSE(d, e, 409, "invalid_state", "status", "答复之后才能公开");
        goto out;
    }
    if (f->kind == FK_REPORT || (publish && summary_field(in, f, summary, sizeof summary, e) != CX_OK)) {
        if (f->kind == FK_REPORT) cx_fail(e, 400, "report_not_public", "publish", "举报的办理情况不公开");
        db_rollback(d);
        goto out;
    }
    char *before = state_json(f);
    int r = publish ? db_run(d, "UPDATE feedback SET published = 1, public_summary = ? WHERE id = ?", "si", summary, id)
                    : db_run(d, "UPDATE feedback SET published = 0 WHERE id = ?", "i", id);
    f->published = publish;
    rc = finish_item(d, a, publish ? "publish" : "unpublish", f, before, r, e);
out:
    free(f);
    return rc;
}

int feedback_reveal(db *d, const actor *a, int64_t id, char name[128], char contact[128], cx_err *e)
{
    name[0] = contact[0] = 0;
    db_stmt *s = db_prepare(d, "SELECT name_enc, contact_enc, kind, org_id FROM feedback WHERE id = ?");
    if (!s) return cx_fail(e, 500, "db_error", "", "数据库错误：%s", db_errmsg(d));
    db_bind_i64(s, 1, id);
    int rc = db_step(s);
    bool report = false;
    int64_t org_id = 0;
    bool bad = false;
    if (rc == DB_ROW) {
        for (int c = 0; c < 2; c++) {
            size_t n;
            const void *p = db_col_blob(s, c, &n);
            if (db_col_null(s, c) || !p) continue;
            char *plain = crypto_unseal(p, n);
            if (!plain) bad = true;
            else snprintf(c ? contact : name, 128, "%s", plain);
            free(plain);
        }
        report = !strcmp(db_col_text(s, 2), "report");
        org_id = db_col_i64(s, 3);
    }
    db_done(s);
    if (rc == CX_ERR) return cx_fail(e, 500, "db_error", "", "数据库错误：%s", db_errmsg(d));
    if (rc != DB_ROW) return cx_fail(e, 404, "not_found", "id", "该事项不存在或不在您的管理范围内");
    if (bad) return cx_fail(e, 500, "decrypt_failed", "", "无法解密（密钥文件不对？）");
    if (audit_record(d, a, "reveal", report ? "report" : "feedback", id, report ? 0 : org_id, NULL, "{\"fields\":[\"name\",\"contact\"]}", "ok") != CX_OK) {
        name[0] = contact[0] = 0;
        return cx_fail(e, 500, "audit_failed", "", "无法记录审计，未显示");
    }
    return CX_OK;
}

int feedback_files(db *d, int64_t feedback_id, attachment_fn fn, void *ctx)
{
    return attachment_list(d, "SELECT id, size, name, mime, '' FROM feedback_file WHERE feedback_id = ? ORDER BY created_at, id", feedback_id, fn, ctx);
}

int feedback_file_get(db *d, int64_t id, buf *out, char mime[32], char name[128], int64_t *feedback_id)
{
    return attachment_get(d, "SELECT mime, name, data, feedback_id FROM feedback_file WHERE id = ?", id, out, mime, name, feedback_id);
}

/* ---- lists ---- */

/* The items like may be merged into (feedback_merge's rules): open, not itself, of its class
 * (both reports or neither); for a complaint about someone, one about the same organisation. */
static void candidates_where(db_q *q, const feedback *like)
{
    db_q_where(q, "f.id <> ?", "i", like->id);
    db_q_where(q, "f.status IN ('new','assigned')", "");
    db_q_where(q, like->kind == FK_REPORT ? "f.kind = 'report'" : "f.kind <> 'report'", "");
    if (like->kind == FK_COMPLAINT && feedback_has_accused(like))
        db_q_where(q, "f.kind = 'complaint' AND f.about_kind <> '' AND f.about_org_id = ?", "i", like->about_org_id);
}

/* The visibility rule of feedback_visible in SQL, then the filters present; end must outlive q. */
static void fb_where(db_q *q, const feedback_query *f, char end[CX_PATH_MAX])
{
    orgpath_end(f->root->path, end, CX_PATH_MAX);
    db_q_where(q, "o.path >= ? AND o.path < ?", "ss", f->root->path, end);
    if (!f->see_normal && !f->see_reports) db_q_where(q, "1 = 0", "");
    else if (!f->see_reports) db_q_where(q, "f.kind <> 'report'", "");
    else if (!f->see_normal) db_q_where(q, "f.kind = 'report'", "");
    if (f->viewer_member_path && *f->viewer_member_path)
        db_q_where(q, "NOT ((f.kind = 'report' OR (f.kind = 'complaint' AND f.about_kind <> '')) AND substr(?, 1, length(ao.path)) = ao.path)",
                   "s", f->viewer_member_path);
    if (f->kind >= 0) db_q_where(q, "f.kind = ?", "s", feedback_kind_name(f->kind));
    const char *st = f->status >= 0 ? feedback_status_name(f->status) : f->view == FV_NEW ? "new" : f->view == FV_REPLIED ? "replied" : "";
    if (*st) db_q_where(q, "f.status = ?", "s", st);
    if (f->view == FV_OPEN || f->view == FV_REMINDERS || f->view == FV_OVERDUE) db_q_where(q, "f.status IN ('new','assigned')", "");
    if (f->view == FV_OVERDUE && *f->today) db_q_where(q, "f.due_date < ?", "s", f->today);
    if (f->view == FV_REMINDERS && *f->today) db_q_where(q, "f.due_date >= ?", "s", f->today);
    if (f->view == FV_REMINDERS && *f->soon) db_q_where(q, "f.due_date <= ?", "s", f->soon);
    if (f->like) candidates_where(q, f->like);
}

/* Runs q with LIMIT and OFFSET appended, calling fn for each item. */
static int run_list(db *d, db_q *q, int64_t offset, int64_t limit, feedback_fn fn, void *ctx)
{
    db_stmt *s = page_stmt(d, q, "", offset, limit);
    if (!s) return CX_ERR;
    return DB_EACH(s, feedback, read_item, fn, ctx);
}

int feedback_list(db *d, const feedback_query *f, feedback_fn fn, void *ctx)
{
    /* open views by due date (most urgent first), the others newest first */
    bool by_due = f->view == FV_OPEN || f->view == FV_NEW || f->view == FV_REMINDERS || f->view == FV_OVERDUE;
    char end[CX_PATH_MAX];
    db_q q;
    db_q_init(&q, "SELECT " FB_COLS FB_FROM);
    fb_where(&q, f, end);
    const feedback *k = f->like;
    if (k) /* merge candidates: the same target, then the same category, first; newest first */
        db_q_add(&q, " ORDER BY CASE WHEN f.about_kind = ? AND f.about_id = ? THEN 0 ELSE 1 END, "
                     "CASE WHEN coalesce(f.category_id, 0) = ? THEN 0 ELSE 1 END, f.created_at DESC, f.id",
                 "sii", k->about_kind[0] ? k->about_kind : "-", k->about_id, k->category_id ? k->category_id : -1);
    else db_q_add(&q, by_due ? " ORDER BY f.due_date, f.created_at, f.id" : " ORDER BY f.created_at DESC, f.id", "");
    return run_list(d, &q, f->offset, f->limit, fn, ctx);
}

int feedback_count(db *d, const feedback_query *f, int64_t *n)
{
    char end[CX_PATH_MAX];
    db_q q;
    db_q_init(&q, "SELECT count(*)" FB_FROM);
    fb_where(&q, f, end);
    return db_q_count(d, &q, n);
}

int feedback_soon(db *d, char today[11], char soon[11])
{
    workday_cal cal;
    date_today(today);
    int rc = feedback_calendar(d, &cal);
    if (rc == CX_OK) workday_add(&cal, today, FEEDBACK_SOON_DAYS, soon);
    workday_cal_free(&cal);
    return rc;
}

#define PUB_WHERE " WHERE f.published = 1 AND f.status = 'replied' AND f.kind <> 'report'"

int feedback_published(db *d, int64_t offset, int64_t limit, feedback_fn fn, void *ctx)
{
    db_q q;
    db_q_init(&q, "SELECT " FB_COLS FB_FROM PUB_WHERE " ORDER BY f.replied_date DESC, f.created_at DESC, f.id");
    return run_list(d, &q, offset, limit, fn, ctx);
}

int feedback_published_count(db *d, int64_t *n)
{
    return db_i64(d, n, 0, "SELECT count(*) FROM feedback f" PUB_WHERE, "");
}

/* ---- rate limits ---- */

void feedback_rate_bucket(char kind, const char *addr, char out[48])
{
    char prefix[4] = {'f', kind, ':', 0};
    limit_bucket(prefix, "feedback-addr", addr, out);
}
