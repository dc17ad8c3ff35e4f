/* public.c: the public pages, no login: a member's card (亮身份) with record (亮形象), an
 * organisation's board (公示栏), their QR codes (SVG) and A4 print views. Each page carries an
 * ETag from the versions of what it shows; a matching If-None-Match is answered 304 before any
 * rendering. */
#include "web.h"
#include "../store/position.h" /* the leading group on the board (issue 22) */
#include "cache.h"
#include "../lib/qr.h"
#include "../store/pledge.h"
#include "../domain/date.h"
#include <inttypes.h>
#include <math.h>
#include <string.h>

/* True when the answer is settled by this version alone: 304 when the client already has it, or
 * the page rendered earlier for the same URL and version from the cache. Otherwise the handler
 * renders, and response.c stores the result under the URL and etag. */
/* The cache key is Host + URL (QR codes and print pages embed the host); a key that does not
 * fit is left empty, and such a request is neither served from nor stored in the cache. */
static void set_cache_key(req *r)
{
    const char *host = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Host");
    /* a page with a QR code is kept apart per public address (req_public_url ran before) */
    int n = snprintf(r->cache_key, sizeof r->cache_key, "%s%s#%08x", host ? host : "", r->url, (unsigned)r->public_tag);
    if (n < 0 || (size_t)n >= sizeof r->cache_key) r->cache_key[0] = 0;
}

/* The moment a page is found current at, read before its etag is computed: the write generation
 * (with other processes' commits counted: db_note_external_writes) and today's date. */
static void stamp(req *r)
{
    db_note_external_writes(r->db); /* SQLite: another process's commit (PostgreSQL: the listener) */
    r->cache_gen = db_write_generation();
    date_today(r->cache_day);
}

/* Before any query: true when the page was validated at the current write generation on the
 * same day (see page_cache_recent); the answer is then 304 or the cached page. On SQLite the
 * generation counts every commit of every process before the lookup, so such a page is current;
 * on PostgreSQL another instance's commit reaches the generation through the listener a little
 * later, and a replica may lag it, so a page is trusted for PAGE_CACHE_TRUST only. Records the
 * generation and date the handler's own validation will be made at. */
static bool recently_fresh(req *r)
{
    stamp(r);
    if (r->own_writes) return false; /* validated on the primary: a page cached from a replica may predate the client's change */
    set_cache_key(r);
    char mime[64], etag[64];
    double window = db_sees_every_write(r->db) ? INFINITY : PAGE_CACHE_TRUST;
    /* PostgreSQL without a listening connection: another instance's writes would go unnoticed */
    if (!r->cache_key[0] || !db_cache_trusted(r->db) ||
        !page_cache_recent(r->cache_key, r->cache_gen, r->cache_day, window, &r->page, mime, etag))
        return false;
    snprintf(r->etag, sizeof r->etag, "%s", etag);
    const char *inm = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "If-None-Match");
    if (inm && !strcmp(inm, etag)) {
        page_cache_release(r->page.hold), r->page = (page_ref){0};
        r->status = 304;
    } else r->file_mime = req_keep(r, xstrdup(mime)), r->from_cache = true;
    return true;
}

static bool not_modified(req *r, const char *data_etag)
{
    /* a page with a QR code changes with the public address too (public_addr.c) */
    char etag[sizeof r->etag];
    size_t n = strlen(data_etag);
    if (r->public_tag && n >= 2 && data_etag[n - 1] == '"')
        snprintf(etag, sizeof etag, "%.*s-%08x\"", (int)(n - 1), data_etag, (unsigned)r->public_tag);
    else snprintf(etag, sizeof etag, "%s", data_etag);
    snprintf(r->etag, sizeof r->etag, "%s", etag);
    const char *inm = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "If-None-Match");
    if (inm && !strcmp(inm, etag)) {
        r->status = 304;
        return true;
    }
    if (!r->cache_key[0]) set_cache_key(r);
    if (!r->cache_day[0]) stamp(r); /* a page never trusted without asking (no recently_fresh) */
    if (!r->cache_key[0]) return false; /* uncacheable: render */
    r->cacheable = true;
    char mime[64];
    if (page_cache_get(r->cache_key, etag, r->cache_gen, r->cache_day, &r->page, mime)) {
        r->file_mime = req_keep(r, xstrdup(mime));
        r->from_cache = true;
        r->cacheable = false; /* already there */
        return true;
    }
    return false;
}

bool public_not_modified(req *r, const char *etag) { return not_modified(r, etag); }

/* The version of a page that marks what is overdue (due before today) with the date it was
 * validated on appended: such a page changes at midnight with no write. */
static void version_on_day(const req *r, char *ver, char etag[96])
{
    ver[strlen(ver) - 1] = 0; /* the closing quote */
    snprintf(etag, 96, "%s-%s\"", ver, r->cache_day);
}

/* Whether QR codes may be made for this request's Host (fails it with 400 otherwise). */
static bool public_host_ok(req *r)
{
    buf b;
    buf_init(&b);
    bool ok = req_public_url(r, "", &b);
    buf_free(&b);
    return ok;
}

static bool public_member(req *r, int64_t id, member *m)
{
    org o;
    if (member_get(r->db, id, m) != 1 || !m->active || org_get(r->db, m->org_id, &o) != 1 || !o.active) {
        req_failf(r, 404, "not_found", "id", "该党员的公开信息不存在");
        return false;
    }
    return true;
}

static int add_pledge(void *ctx, const pledge *p)
{
    cJSON *x = json_pledge(p);
    cJSON_DeleteItemFromObject(cJSON_GetObjectItem(x, "entered"), "by"); /* 代录 is shown, not who keyed it in */
    cJSON_AddItemToArray(ctx, x);
    return 0;
}

/* The latest three progress entries of each public pledge, with links to their public evidence. */
static int add_public_progress(void *pledges, int64_t pledge_id, const progress_entry *pe)
{
    cJSON *p;
    cJSON_ArrayForEach(p, (cJSON *)pledges)
    {
        if (json_get_i64(p, "id") != pledge_id) continue;
        cJSON *x = json_progress(pe);
        cJSON_DeleteItemFromObject(x, "author"); /* the public sees what was done, not who keyed it in */
        cJSON_AddItemToArray(cJSON_GetObjectItem(p, "progress"), x);
    }
    return 0;
}

/* Every pledge gets "progress": its latest three entries, all read in one query. */
static int add_progress_to(req *r, const member *m, cJSON *pledges)
{
    cJSON *p;
    cJSON_ArrayForEach(p, pledges) cJSON_AddArrayToObject(p, "progress");
    return pledge_progress_latest(r->db, m->id, 3, add_public_progress, pledges);
}

/* What the public may see of a member (亮身份): never 身份证号, phone or birth year. */
static cJSON *json_public_member(const member *m)
{
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "id", m->id);
    cJSON_AddStringToObject(x, "name", m->r.name);
    cJSON_AddStringToObject(x, "post", m->r.post);
    cJSON_AddStringToObject(x, "duties", m->r.duties);
    cJSON_AddStringToObject(x, "org_name", m->org_name);
    json_add_i64(x, "org_id", m->org_id);
    cJSON_AddStringToObject(x, "status_label", member_status_label(m->r.status));
    cJSON_AddBoolToObject(x, "has_photo", m->has_photo);
    json_add_i64(x, "version", m->version);
    return x;
}

static void card_data(req *r, const member *m, cJSON *d)
{
    cJSON *c = json_public_member(m);
    cJSON_AddItemToObject(d, "card", c);
    pledge_query q = {.member_id = m->id, .status = -1, .public_only = true}; /* all of them (limit 0) */
    cJSON *arr = cJSON_AddArrayToObject(c, "pledges");
    int64_t kept = 0, total = 0, missed = 0;
    if (pledge_list(r->db, &q, add_pledge, arr) != CX_OK || add_progress_to(r, m, arr) != CX_OK ||
        pledge_record(r->db, m->id, &kept, &total, &missed) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取公开承诺失败"); /* never a partial page (nor a cached one) */
        return;
    }
    cJSON *rec = cJSON_AddObjectToObject(c, "record");
    json_add_i64(rec, "kept", kept);
    json_add_i64(rec, "public", total);
    json_add_i64(rec, "missed", missed);
    /* 评选表彰 (award.c): approved, unrevoked honours */
    if (honours_json(r->db, false, m->id, false, cJSON_AddArrayToObject(rec, "honours")) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取荣誉失败");
        return;
    }
    if (!member_posts_into(r, c, "held_posts", m->id)) return; /* 示范岗、责任区 (issue 19 posts) */
    cJSON_AddStringToObject(d, "title", m->r.name);
}

/* The card's version decides visibility, 304 and cache hits in one query; only a miss loads the
 * member. A miss reads the version again and everything the card shows in one read transaction
 * (ended by the handler, card_end): one snapshot, so the page stored under an ETag is that
 * version's, and on SQLite one read lock for the card's queries instead of one per query. */
static bool card_fresh(req *r, int64_t id, member *m)
{
    if (recently_fresh(r)) return true;
    char ver[64], etag[96], now[96];
    int f = pledge_card_version(r->db, id, ver);
    if (f == 1) version_on_day(r, ver, etag); /* overdue pledges are marked */
    if (f == 1 && not_modified(r, etag)) return true;
    if (f == 1) f = db_begin(r->db, false) == CX_OK ? pledge_card_version(r->db, id, ver) : CX_ERR;
    if (f != 1) {
        req_failf(r, f == 0 ? 404 : 500, f == 0 ? "not_found" : "db_error", "id", "该党员的公开信息不存在");
        return true;
    }
    version_on_day(r, ver, now);
    if (strcmp(now, etag) && not_modified(r, now)) return true; /* changed in between */
    return !public_member(r, id, m);
}

void h_public_home(req *r) { cJSON_AddStringToObject(req_data(r), "title", "群众服务"); }

static void card_end(req *r) { (void)db_end_read(r->db); } /* the card is read: it renders from its JSON */

void h_public_card(req *r)
{
    int64_t id;
    member m;
    if (req_id(r, 0, &id) && !card_fresh(r, id, &m)) card_data(r, &m, req_data(r));
    card_end(r);
}

void h_public_card_print(req *r)
{
    int64_t id;
    member m;
    buf url, svg;
    buf_init(&url);
    buf_init(&svg);
    char path[64];
    if (!req_id(r, 0, &id)) return;
    snprintf(path, sizeof path, "/p/card/%" PRId64, id);
    if (!req_public_url(r, path, &url) || card_fresh(r, id, &m)) {
        card_end(r);
        buf_free(&url);
        return;
    }
    cJSON *d = req_data(r);
    card_data(r, &m, d);
    card_end(r);
    qr_svg(url.p, &svg, NULL);
    cJSON_AddStringToObject(d, "html_qr", svg.p ? svg.p : ""); /* made here from our own URL */
    cJSON_AddStringToObject(d, "url", url.p);
    buf_free(&url);
    buf_free(&svg);
}

/* The QR code of prefix + id (prefix "/p/card/" or "/p/board/") as the response file. */
static void qr_for(req *r, const char *prefix, int64_t id)
{
    buf url;
    buf_init(&url);
    char path[64];
    snprintf(path, sizeof path, "%s%" PRId64, prefix, id);
    if (!req_public_url(r, path, &url)) {
        buf_free(&url);
        return;
    }
    req_qr(r, &url);
}

void h_public_card_qr(req *r)
{
    int64_t id;
    member m;
    if (!req_id(r, 0, &id) || !public_member(r, id, &m)) return;
    char etag[64];
    snprintf(etag, sizeof etag, "\"qr-card-%" PRId64 "\"", id); /* the URL never changes */
    if (!public_host_ok(r) || not_modified(r, etag)) return;
    qr_for(r, "/p/card/", id);
}

void h_public_photo(req *r)
{
    int64_t id;
    member m;
    if (!req_id(r, 0, &id) || !public_member(r, id, &m)) return;
    char etag[64];
    snprintf(etag, sizeof etag, "\"photo-%" PRId64 "-%" PRId64 "\"", id, m.version);
    if (not_modified(r, etag)) return;
    char mime[32];
    buf_init(&r->file);
    if (member_photo_get(r->db, id, &r->file, mime) != 1) {
        buf_free(&r->file);
        req_failf(r, 404, "no_photo", "id", "没有照片");
        return;
    }
    r->file_mime = req_keep(r, xstrdup(mime));
}

/* Evidence of a public pledge is public too. */
void h_public_evidence(req *r)
{
    int64_t id, pid;
    if (!req_id(r, 0, &id)) return;
    char mime[32], name[128];
    pledge p;
    buf data;
    buf_init(&data);
    /* evidence never changes, but its pledge may stop being public: check that on every request */
    char etag[64];
    snprintf(etag, sizeof etag, "\"ev-%" PRId64 "\"", id);
    if (evidence_pledge(r->db, id, &pid) != 1 || pledge_get(r->db, pid, &p) != 1 || !pledge_status_public(p.status)) {
        req_failf(r, 404, "not_found", "id", "佐证文件不存在或未公开");
        return;
    }
    if (not_modified(r, etag)) return; /* 304, or the bytes from the page cache */
    if (evidence_get(r->db, id, &data, mime, name, &pid) != 1) {
        buf_free(&data);
        req_failf(r, 404, "not_found", "id", "佐证文件不存在或未公开");
        return;
    }
    r->file = data; /* handed over */
    r->file_mime = req_keep(r, xstrdup(mime));
}

static int add_board_member(void *ctx, const member *m)
{
    cJSON_AddItemToArray(ctx, json_public_member(m));
    return 0;
}

static bool board_data(req *r, int64_t id, cJSON *d, org *o)
{
    if (recently_fresh(r)) return false;
    if (org_get(r->db, id, o) != 1 || !o->active) {
        req_failf(r, 404, "not_found", "id", "该党组织的公示栏不存在");
        return false;
    }
    char ver[64], etag[96];
    if (pledge_board_version(r->db, id, ver) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取公示栏失败");
        return false;
    }
    int64_t pv = 0; /* the leading group (issue 22) changes the page too */
    if (position_version(r->db, id, &pv) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取公示栏失败");
        return false;
    }
    version_on_day(r, ver, etag); /* overdue marks change with the day, not only with the data */
    size_t n = strlen(etag) - 1; /* before the closing quote */
    snprintf(etag + n, sizeof etag - n, "-g%" PRId64 "\"", pv);
    if (not_modified(r, etag)) return false;
    cJSON *b = cJSON_AddObjectToObject(d, "board");
    json_add_i64(b, "id", o->id);
    cJSON_AddStringToObject(b, "name", o->name);
    cJSON_AddStringToObject(b, "type_label", org_type_label(o->type));
    /* a notice board shows all of one organisation's own members and public pledges (limit 0): never cut short */
    member_query mq = {.root = o, .subtree = false};
    pledge_query oq = {.root = o, .org_only = true, .status = -1, .public_only = true};
    pledge_query mq2 = {.root = o, .member_only = true, .status = -1, .public_only = true};
    if (member_list(r->db, &mq, add_board_member, cJSON_AddArrayToObject(b, "members")) != CX_OK ||
        pledge_list(r->db, &oq, add_pledge, cJSON_AddArrayToObject(b, "org_pledges")) != CX_OK ||
        pledge_list(r->db, &mq2, add_pledge, cJSON_AddArrayToObject(b, "member_pledges")) != CX_OK ||
        board_honours_json(r->db, o->id, cJSON_AddArrayToObject(b, "honours"), cJSON_AddArrayToObject(b, "member_honours")) != CX_OK || /* 评选表彰 */
        board_positions(r->db, o->id, cJSON_AddArrayToObject(b, "leadership")) != CX_OK) { /* 领导班子 (issue 22) */
        req_failf(r, 500, "db_error", "", "读取公示栏失败"); /* never a partial page (nor a cached one) */
        return false;
    }
    cJSON_AddStringToObject(d, "title", o->name);
    return true;
}

void h_public_board(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id)) return;
    board_data(r, id, req_data(r), &o);
}

void h_public_board_print(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id)) return;
    buf url, svg;
    buf_init(&url);
    buf_init(&svg);
    char path[64];
    snprintf(path, sizeof path, "/p/board/%" PRId64, id);
    if (!req_public_url(r, path, &url)) {
        buf_free(&url);
        return;
    }
    cJSON *d = req_data(r);
    if (!board_data(r, id, d, &o)) {
        buf_free(&url);
        return;
    }
    qr_svg(url.p, &svg, NULL);
    cJSON_AddStringToObject(d, "html_qr", svg.p ? svg.p : "");
    cJSON_AddStringToObject(d, "url", url.p);
    buf_free(&url);
    buf_free(&svg);
}

void h_public_board_qr(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id)) return;
    if (org_get(r->db, id, &o) != 1 || !o.active) {
        req_failf(r, 404, "not_found", "id", "该党组织的公示栏不存在");
        return;
    }
    char etag[64];
    snprintf(etag, sizeof etag, "\"qr-board-%" PRId64 "\"", id);
    if (!public_host_ok(r) || not_modified(r, etag)) return;
    qr_for(r, "/p/board/", id);
}

/* GET /orgs/:id/desk-signs: every member of the organisation (its own, active) as a desk sign,
 * one A4 landscape sheet each, to print in one go (staff of the organisation). */
typedef struct signs_ctx {
    cJSON *arr;
    const char *base; /* the public address + "/p/card/" */
    int rc;
} signs_ctx;

static int add_sign(void *ctx, const member *m)
{
    signs_ctx *c = ctx;
    cJSON *x = json_public_member(m);
    char url[400];
    snprintf(url, sizeof url, "%s%" PRId64, c->base, m->id);
    if (json_add_qr(x, url) != CX_OK) c->rc = CX_ERR;
    cJSON_AddItemToArray(c->arr, x);
    return c->rc;
}

void h_desk_signs(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ADMIN, &o)) return;
    buf base;
    buf_init(&base);
    if (!req_public_url(r, "/p/card/", &base)) {
        buf_free(&base);
        return;
    }
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "打印桌牌");
    cJSON_AddItemToObject(d, "org", json_org(&o));
    member_query mq = {.root = &o, .subtree = false}; /* all of them (limit 0) */
    signs_ctx c = {cJSON_AddArrayToObject(d, "signs"), base.p, CX_OK};
    if (member_list(r->db, &mq, add_sign, &c) != CX_OK || c.rc != CX_OK) req_failf(r, 500, "db_error", "", "读取党员失败");
    json_add_i64(d, "count", cJSON_GetArraySize(c.arr));
    buf_free(&base);
}
