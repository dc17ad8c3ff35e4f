/* carrier.c: carriers that can be tracked (issue 22): a carrier's page and JSON (items, the
 * campaign's phases with what is open today, the roll-up of a phase at an organisation and its
 * children, the entries the viewer may see and fill), its versioned edit, retirement and the
 * opening of a phase; an entry filled with a text and evidence files, only while its phase runs;
 * the evidence files. Who may do what: see req_carrier and req_entry below. */
#include "review_int.h"
#include "../store/campaign.h"
#include "../store/carrier.h"
#include "../domain/date.h"
#include "../domain/text.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENTRIES_SHOWN 300

/* A carrier is seen by anyone with a role over its organisation or inside its subtree (a branch's
 * members owe the town's 五个一); 404 otherwise. */
static bool req_carrier(req *r, carrier_rec *k)
{
    int64_t id;
    if (!req_id(r, 0, &id)) return false;
    int f = carrier_get(r->db, id, k);
    bool seen = f == 1 && perm_allows(&r->user, ROLE_ANY, k->org_path);
    for (int i = 0; f == 1 && !seen && i < r->user.ngrants; i++) seen = path_in_subtree(r->user.grants[i].path, k->org_path);
    if (!seen) req_failf(r, f == CX_ERR ? 500 : 404, f == CX_ERR ? "db_error" : "not_found", "id", "载体不存在或不在您的管理范围内");
    return seen;
}

/* The carrier's organisation's secretary or an office over it manage it; others 403. */
static bool req_carrier_admin(req *r, carrier_rec *k)
{
    if (!req_carrier(r, k)) return false;
    if (perm_allows(&r->user, ROLE_ADMIN, k->org_path)) return true;
    req_failf(r, 403, "forbidden", "", "只有“%s”的书记或上级活动办公室可以修改载体", k->org_name);
    return false;
}

/* An entry is seen by its member and by staff over its organisation; 404 otherwise. */
static bool entry_seen(const req *r, const carrier_entry_rec *en)
{
    return perm_allows(&r->user, ROLE_STAFF, en->org_path) || (en->member_id && r->user.member_id == en->member_id);
}
/* Filled by its member, or (代录, and every branch entry) by the secretary or an office over it. */
static bool entry_writable(const req *r, const carrier_entry_rec *en)
{
    return perm_allows(&r->user, ROLE_ADMIN, en->org_path) || (en->member_id && r->user.member_id == en->member_id);
}

static cJSON *phase_json(const campaign_phase *p, const char *today)
{
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "id", p->id);
    cJSON_AddStringToObject(x, "name", p->name);
    cJSON_AddStringToObject(x, "start_date", p->start_date);
    cJSON_AddStringToObject(x, "end_date", p->end_date);
    int st = carrier_phase_state(today, p->start_date, p->end_date);
    cJSON_AddStringToObject(x, "state", st < 0 ? "upcoming" : st > 0 ? "closed" : "open");
    cJSON_AddStringToObject(x, "state_label", st < 0 ? "未开始" : st > 0 ? "已结束" : "进行中");
    cJSON_AddBoolToObject(x, "open", st == 0);
    return x;
}

typedef struct phases_ctx {
    cJSON *arr;
    const char *today;
    int64_t want, chosen, open;
} phases_ctx;

static int add_phase(void *vctx, const campaign_phase *p)
{
    phases_ctx *c = vctx;
    cJSON *x = phase_json(p, c->today);
    if (p->id == c->want) c->chosen = p->id;
    if (!c->open && cJSON_IsTrue(cJSON_GetObjectItem(x, "open"))) c->open = p->id;
    cJSON_AddBoolToObject(x, "selected", false);
    cJSON_AddItemToArray(c->arr, x);
    return 0;
}

static int add_item(void *ctx, const carrier_item_row *it)
{
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "id", it->id);
    json_add_i64(x, "seq", it->seq);
    cJSON_AddStringToObject(x, "title", it->title);
    cJSON_AddStringToObject(x, "target", it->target);
    cJSON_AddStringToObject(x, "target_label", carrier_target_label(it->target));
    cJSON_AddStringToObject(x, "evidence", it->evidence);
    json_add_i64(x, "since_version", it->since_version);
    cJSON_AddBoolToObject(x, "retired", it->retired_version != 0);
    if (it->retired_version) json_add_i64(x, "retired_version", it->retired_version);
    cJSON_AddItemToArray(ctx, x);
    return 0;
}

static cJSON *entry_json(const req *r, const carrier_entry_rec *en)
{
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "id", en->id);
    json_add_i64(x, "carrier_id", en->carrier_id);
    json_add_i64(x, "item_id", en->item_id);
    cJSON_AddStringToObject(x, "item_title", en->item_title);
    cJSON_AddStringToObject(x, "evidence_wanted", en->evidence);
    json_add_i64(x, "phase_id", en->phase_id);
    cJSON_AddStringToObject(x, "phase_name", en->phase_name);
    json_add_i64(x, "org_id", en->org_id);
    cJSON_AddStringToObject(x, "org_name", en->org_name);
    if (en->member_id) {
        json_add_i64(x, "member_id", en->member_id);
        cJSON_AddStringToObject(x, "member_name", en->member_name);
    }
    cJSON_AddStringToObject(x, "target", en->target);
    cJSON_AddStringToObject(x, "status", en->status);
    cJSON_AddStringToObject(x, "status_label", strcmp(en->status, "done") ? "待填报" : "已完成");
    cJSON_AddStringToObject(x, "text", en->text);
    cJSON_AddStringToObject(x, "done_by", en->done_by);
    json_add_i64(x, "version", en->version);
    json_add_i64(x, "files_count", en->nfiles);
    char today[11];
    date_today(today);
    bool open = !en->carrier_retired_at && !en->item_retired_version && carrier_phase_state(today, en->start_date, en->end_date) == 0;
    cJSON_AddBoolToObject(x, "can_fill", open && entry_writable(r, en));
    return x;
}

typedef struct entries_ctx {
    req *r;
    cJSON *arr;
} entries_ctx;

static int add_entry(void *vctx, const carrier_entry_rec *en)
{
    entries_ctx *c = vctx;
    if (!entry_seen(c->r, en)) return 0;
    cJSON *x = entry_json(c->r, en);
    cJSON *files = cJSON_AddArrayToObject(x, "files");
    if (en->nfiles) carrier_files(c->r->db, en->id, add_attachment, files);
    cJSON_AddItemToArray(c->arr, x);
    return 0;
}

typedef struct progress_ctx {
    cJSON *rows, *items; /* items: the carrier's, for their titles */
    cJSON *cur;
    int64_t cur_org;
} progress_ctx;

static int add_tally(void *vctx, int64_t org_id, const char *org_name, int64_t item_id, int64_t due, int64_t done)
{
    progress_ctx *c = vctx;
    if (!c->cur || c->cur_org != org_id) {
        c->cur = cJSON_CreateObject();
        c->cur_org = org_id;
        json_add_i64(c->cur, "org_id", org_id);
        cJSON_AddStringToObject(c->cur, "org_name", org_name);
        cJSON_AddArrayToObject(c->cur, "items");
        cJSON_AddItemToArray(c->rows, c->cur);
    }
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "item_id", item_id);
    const cJSON *it;
    cJSON_ArrayForEach(it, c->items) if ((int64_t)cJSON_GetObjectItem(it, "id")->valuedouble == item_id)
        cJSON_AddStringToObject(x, "title", cJSON_GetObjectItem(it, "title")->valuestring);
    json_add_i64(x, "due", due);
    json_add_i64(x, "done", done);
    json_add_i64(x, "percent", due ? done * 100 / due : 0);
    cJSON_AddItemToArray(cJSON_GetObjectItem(c->cur, "items"), x);
    return 0;
}

static int add_version(void *ctx, const carrier_version_row *v)
{
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "version", v->version);
    cJSON_AddStringToObject(x, "name", v->name);
    cJSON_AddStringToObject(x, "description", v->description);
    cJSON_AddStringToObject(x, "items", v->items);
    cJSON_AddStringToObject(x, "replaced_by", v->edited_by);
    char at[32];
    time_text(v->edited_at, false, at);
    cJSON_AddStringToObject(x, "replaced_at", at);
    cJSON_AddItemToArray(ctx, x);
    return 0;
}

/* GET /carriers/:id (?phase_id=&org_id=): the carrier, its items, the phases, the roll-up of the
 * phase (the running one by default) at org_id (default the carrier's organisation) and its
 * children for staff over it, and the entries of that subtree the viewer may see. */
void h_carrier(req *r)
{
    carrier_rec k;
    int64_t want_phase = 0, at = 0;
    if (!req_carrier(r, &k) || !req_opt_id(r, "phase_id", "阶段编号", &want_phase) || !req_opt_id(r, "org_id", "组织编号", &at)) return;
    char today[11];
    date_today(today);
    cJSON *d = req_data(r), *x = cJSON_AddObjectToObject(d, "carrier");
    cJSON_AddStringToObject(d, "title", k.name);
    json_add_i64(x, "id", k.id);
    json_add_i64(x, "campaign_id", k.campaign_id);
    json_add_i64(x, "org_id", k.org_id);
    cJSON_AddStringToObject(x, "org_name", k.org_name);
    cJSON_AddStringToObject(x, "name", k.name);
    cJSON_AddStringToObject(x, "description", k.description);
    json_add_i64(x, "version", k.version);
    cJSON_AddBoolToObject(x, "retired", k.retired_at != 0);
    cJSON_AddStringToObject(x, "retired_reason", k.retired_reason);
    cJSON *items = cJSON_AddArrayToObject(x, "items");
    phases_ctx pc = {cJSON_AddArrayToObject(x, "phases"), today, want_phase, 0, 0};
    if (carrier_items_list(r->db, k.id, true, add_item, items) != CX_OK || phase_list(r->db, k.campaign_id, add_phase, &pc) != CX_OK)
        return req_failf(r, 500, "db_error", "", "读取载体失败");
    if (want_phase && !pc.chosen) return req_failf(r, 400, "invalid_phase", "phase_id", "阶段不属于该载体所在的活动");
    int64_t phase = pc.chosen ? pc.chosen : pc.open;
    if (!phase && cJSON_GetArraySize(pc.arr) > 0) phase = (int64_t)cJSON_GetObjectItem(cJSON_GetArrayItem(pc.arr, 0), "id")->valuedouble;
    cJSON *ph;
    cJSON_ArrayForEach(ph, pc.arr) if ((int64_t)cJSON_GetObjectItem(ph, "id")->valuedouble == phase) cJSON_ReplaceItemInObject(ph, "selected", cJSON_CreateTrue());
    json_add_i64(d, "phase_id", phase);
    /* the roll-up: staff over the organisation asked for (or the carrier's) */
    org o;
    if (!at && !perm_allows(&r->user, ROLE_STAFF, k.org_path)) /* a branch's staff: their own part of the subtree */
        for (int i = 0; i < r->user.ngrants && !at; i++)
            if ((r->user.grants[i].role & ROLE_STAFF) && path_in_subtree(r->user.grants[i].path, k.org_path)) at = r->user.grants[i].org_id;
    int f = at ? org_get(r->db, at, &o) : org_get(r->db, k.org_id, &o);
    if (at && (f != 1 || !path_in_subtree(o.path, k.org_path) || !perm_allows(&r->user, ROLE_ANY, o.path)))
        return req_failf(r, 404, "not_found", "org_id", "组织不存在或不在该载体和您的管理范围内");
    bool staff = f == 1 && perm_allows(&r->user, ROLE_STAFF, o.path);
    bool admin = !k.retired_at && perm_allows(&r->user, ROLE_ADMIN, k.org_path);
    cJSON_AddBoolToObject(d, "can_edit", admin);
    cJSON_AddBoolToObject(d, "staff", staff);
    if (admin) {
        char *t = carrier_items_current(r->db, k.id);
        cJSON_AddStringToObject(d, "items_text", t ? t : "");
        free(t);
    }
    if (phase && staff) {
        json_add_i64(d, "at_org_id", o.id);
        progress_ctx c = {cJSON_AddArrayToObject(d, "progress"), items, NULL, 0};
        if (carrier_progress(r->db, k.id, phase, o.id, add_tally, &c) != CX_OK) return req_failf(r, 500, "db_error", "", "读取进度失败");
    }
    entries_ctx ec = {r, cJSON_AddArrayToObject(d, "entries")};
    if (phase && carrier_entries(r->db, k.id, phase, staff ? o.path : k.org_path, staff ? 0 : (r->user.member_id ? r->user.member_id : -1),
                                 ENTRIES_SHOWN, add_entry, &ec) != CX_OK)
        return req_failf(r, 500, "db_error", "", "读取填报失败");
    cJSON *vs = cJSON_AddArrayToObject(x, "versions");
    if (staff) carrier_versions(r->db, k.id, add_version, vs);
}

/* POST /carriers/:id/edit, PATCH /api/v1/carriers/:id {name?, description?, items?}: a new
 * version; what the request leaves out stays. */
void h_carrier_edit(req *r)
{
    carrier_rec k;
    if (!req_carrier_admin(r, &k)) return;
    const char *nm = req_in(r, "name"), *ds = req_in(r, "description"), *its = req_in(r, "items");
    cx_err e = {0};
    carrier_ok in;
    carrier_items_ok *items = req_keep(r, xmalloc(sizeof *items));
    if (!its && !(its = req_keep(r, carrier_items_current(r->db, k.id)))) return req_failf(r, 500, "db_error", "", "读取载体事项失败");
    int64_t v = 0;
    if (carrier_check(&(carrier_in){nm ? nm : k.name, ds ? ds : k.description}, &in, &e) != CX_OK ||
        carrier_items_check(its, true, items, &e) != CX_OK || carrier_edit(r->db, &r->who, k.id, &in, items, &v, &e) != CX_OK)
        return req_fail(r, &e);
    if (!req_is_api(r)) return req_redirect(r, "/carriers/%" PRId64, k.id);
    json_add_i64(req_data(r), "version", v);
    h_carrier(r);
}

/* POST /carriers/:id/retire {reason} */
void h_carrier_retire(req *r)
{
    carrier_rec k;
    if (!req_carrier_admin(r, &k)) return;
    cx_err e = {0};
    if (carrier_retire(r->db, &r->who, k.id, req_in(r, "reason"), &e) != CX_OK) return req_fail(r, &e);
    if (!req_is_api(r)) return req_redirect(r, "/carriers/%" PRId64, k.id);
    h_carrier(r);
}

/* POST /carriers/:id/phases {phase_id}: entries for every member or branch of the subtree. */
void h_carrier_open(req *r)
{
    carrier_rec k;
    int64_t phase = 0, added = 0;
    if (!req_carrier_admin(r, &k) || !req_opt_id(r, "phase_id", "阶段编号", &phase)) return;
    if (!phase) return req_failf(r, 400, "required", "phase_id", "请选择要开始填报的阶段");
    cx_err e = {0};
    if (carrier_open_phase(r->db, &r->who, k.id, phase, &added, &e) != CX_OK) return req_fail(r, &e);
    if (!req_is_api(r)) return req_redirect(r, "/carriers/%" PRId64 "?phase_id=%" PRId64, k.id, phase);
    json_add_i64(req_data(r), "entries_added", added);
}

/* Loads an entry the user may see; 404 otherwise. */
static bool req_entry(req *r, carrier_entry_rec *en)
{
    int64_t id;
    if (!req_id(r, 0, &id)) return false;
    int f = carrier_entry_get(r->db, id, en);
    if (f == 1 && entry_seen(r, en)) return true;
    req_failf(r, f == CX_ERR ? 500 : 404, f == CX_ERR ? "db_error" : "not_found", "id", "填报事项不存在或不在您的管理范围内");
    return false;
}

/* GET /api/v1/carrier-entries/:id */
void h_carrier_entry(req *r)
{
    carrier_entry_rec *en = req_keep(r, xmalloc(sizeof *en));
    if (!req_entry(r, en)) return;
    cJSON *x = entry_json(r, en);
    carrier_files(r->db, en->id, add_attachment, cJSON_AddArrayToObject(x, "files"));
    cJSON_AddItemToObject(req_data(r), "entry", x);
}

/* POST /carrier-entries/:id {text, evidence files}: by its member or, 代录, the secretary or an
 * office over it; only while its phase runs. */
void h_carrier_fill(req *r)
{
    carrier_entry_rec *en = req_keep(r, xmalloc(sizeof *en));
    if (!req_entry(r, en)) return;
    if (!entry_writable(r, en))
        return req_failf(r, 403, "forbidden", "", "只有党员本人或所在组织的书记、上级活动办公室可以填报这一项");
    static const text_rule T_TEXT = {"text", "完成情况", 1, CARRIER_ENTRY_TEXT_MAX, false};
    cx_err e = {0};
    char *text = text_dup(&T_TEXT, req_in(r, "text"), &e);
    if (!text) return req_fail(r, &e);
    req_keep(r, text);
    evidence_in files[EVIDENCE_MAX_FILES + 1];
    int nf = req_files(r, "evidence", files, EVIDENCE_MAX_FILES + 1);
    char today[11];
    date_today(today);
    if (carrier_entry_fill(r->db, &r->who, en->id, today, text, files, nf, &e) != CX_OK) return req_fail(r, &e);
    if (!req_is_api(r)) return req_redirect(r, "/carriers/%" PRId64 "?phase_id=%" PRId64 "#entry-%" PRId64, en->carrier_id, en->phase_id, en->id);
    h_carrier_entry(r);
}

/* GET /carrier-files/:id: an evidence file, to whoever may see its entry. */
void h_carrier_file(req *r)
{
    int64_t id, entry = 0;
    if (!req_id(r, 0, &id)) return;
    char mime[32], name[128];
    buf_init(&r->file);
    int f = carrier_file_get(r->db, id, &r->file, mime, name, &entry);
    carrier_entry_rec *en = req_keep(r, xmalloc(sizeof *en));
    bool seen = f == 1 && carrier_entry_get(r->db, entry, en) == 1 && entry_seen(r, en);
    req_attachment(r, seen ? 1 : 0, mime);
}
