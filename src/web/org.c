/* org.c: organisation pages and API: view, tree, create, edit, move, (de)activate. */
#include "web.h"
#include "pager.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

cJSON *json_org(const org *o)
{
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", o->id);
    if (o->parent_id) json_add_i64(j, "parent_id", o->parent_id);
    else cJSON_AddNullToObject(j, "parent_id");
    cJSON_AddStringToObject(j, "name", o->name);
    cJSON_AddStringToObject(j, "type", o->type);
    cJSON_AddStringToObject(j, "type_label", org_type_label(o->type));
    cJSON_AddStringToObject(j, "sector", o->sector);
    cJSON_AddStringToObject(j, "sector_label", org_sector_label(o->sector));
    cJSON_AddBoolToObject(j, "active", o->active);
    cJSON_AddBoolToObject(j, "is_branch", !strcmp(o->type, "branch"));
    json_add_i64(j, "depth", o->depth);
    return j;
}

/* After a successful change: pages go to the organisation page, the API returns the org. */
static void org_done(req *r, int64_t id, int64_t show)
{
    if (!req_is_api(r)) {
        req_redirect(r, "/orgs/%" PRId64, show);
        return;
    }
    org o;
    if (org_get(r->db, id, &o) != 1) {
        req_failf(r, 500, "db_error", "", "读取组织失败");
        return;
    }
    cJSON_AddItemToObject(req_data(r), "org", json_org(&o));
}

static int add_child(void *ctx, const org *o, int64_t nchildren, int64_t nmembers)
{
    cJSON *j = json_org(o);
    json_add_i64(j, "children", nchildren);
    json_add_i64(j, "members", nmembers);
    cJSON_AddItemToArray(ctx, j);
    return 0;
}

static int add_plain(void *ctx, const org *o, int64_t a, int64_t b)
{
    cJSON_AddItemToArray(ctx, json_org(o));
    return 0;
}

/* Parses an optional positive integer query parameter within [1, max]. */
static bool query_int(req *r, const char *name, int64_t def, int64_t max, int64_t *out)
{
    const char *s = req_query(r, name);
    *out = def;
    if (!s || !*s) return true;
    if (str_to_i64(s, out) != CX_OK || *out < 1 || *out > max) {
        req_failf(r, 400, "invalid_query", name, "参数 %s 应为 1 到 %" PRId64 " 之间的整数，收到“%s”", name, max, s);
        return false;
    }
    return true;
}

static int add_member(void *ctx, const member *m)
{
    cJSON_AddItemToArray(ctx, json_member(m));
    return 0;
}

/* Fills data.members / data.paging for GET pages and the members API. */
static bool list_members(req *r, const org *o, cJSON *d)
{
    pager pg;
    if (!pager_read(r, 50, 500, &pg)) return false;
    const char *sub = req_query(r, "subtree");
    const char *q = req_query(r, "q");
    if (q && (!utf8_valid(q, strlen(q)) || strlen(q) > 60)) {
        req_failf(r, 400, "invalid_query", "q", "搜索内容无效或过长（不超过 20 个字）");
        return false;
    }
    member_query mq = {.root = o, .subtree = sub && !strcmp(sub, "1"), .q = q,
                       .inactive = req_query(r, "inactive") && !strcmp(req_query(r, "inactive"), "1"),
                       .limit = pg.per_page};
    int64_t total = -1;
    cJSON *arr = cJSON_AddArrayToObject(d, "members");
    if (member_count(r->db, &mq, &total) == CX_OK) pager_set_total(&pg, total);
    mq.offset = pager_offset(&pg);
    if (total < 0 || member_list(r->db, &mq, add_member, arr) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取党员列表失败");
        return false;
    }
    cJSON *paging = pager_json(r, d, &pg);
    cJSON_AddBoolToObject(paging, "subtree", mq.subtree);
    if (q) cJSON_AddStringToObject(paging, "q", q);
    return true;
}

void h_org(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ANY, &o)) return;
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", o.name);
    cJSON_AddItemToObject(d, "org", json_org(&o));
    cJSON *anc = cJSON_AddArrayToObject(d, "ancestors");
    org_ancestors(r->db, &o, add_plain, anc);
    /* Ancestors outside the user's scope are shown by name only, not linked. */
    cJSON *a;
    cJSON_ArrayForEach(a, anc)
    {
        org x;
        int64_t aid = json_get_i64(a, "id");
        if (org_get(r->db, aid, &x) == 1 && perm_allows(&r->user, ROLE_ANY, x.path)) cJSON_AddTrueToObject(a, "linkable");
    }
    cJSON *kids = cJSON_AddArrayToObject(d, "children");
    if (org_children(r->db, o.id, false, add_child, kids) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取下级组织失败");
        return;
    }
    int64_t total = 0;
    org_member_count(r->db, &o, &total);
    json_add_i64(d, "subtree_members", total);
    cJSON_AddBoolToObject(d, "can_edit", perm_allows(&r->user, ROLE_OFFICE, o.path));
    cJSON_AddBoolToObject(d, "can_manage", perm_allows(&r->user, ROLE_ADMIN, o.path));
    cJSON_AddBoolToObject(d, "can_add_child", perm_allows(&r->user, ROLE_OFFICE, o.path) && strcmp(o.type, "branch") && o.active);
    list_members(r, &o, d);
}

void h_members(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ANY, &o)) return;
    list_members(r, &o, req_data(r));
}

void h_org_children(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ANY, &o)) return;
    cJSON *kids = cJSON_AddArrayToObject(req_data(r), "children");
    if (org_children(r->db, o.id, false, add_child, kids) != CX_OK) req_failf(r, 500, "db_error", "", "读取下级组织失败");
}

typedef struct tree_ctx {
    cJSON *rows; /* flat, in path order, with "level": for the page */
    cJSON *stack[256];
    int64_t depth0;
    int n;
    int64_t count;
} tree_ctx;

/* Nests the path-ordered subtree rows into children arrays. */
static int tree_add(void *vctx, const org *o, int64_t a, int64_t b)
{
    tree_ctx *t = vctx;
    int level = (int)(o->depth - t->depth0);
    if (level < 0 || level >= 255) return 0;
    cJSON *row = json_org(o);
    json_add_i64(row, "level", level > 9 ? 9 : level);
    cJSON_AddItemToArray(t->rows, row);
    cJSON *node = json_org(o);
    cJSON *kids = cJSON_AddArrayToObject(node, "children");
    if (level == 0) t->stack[0] = node;
    else {
        if (level > t->n) {
            cJSON_Delete(node);
            return 0;
        }
        cJSON_AddItemToArray(cJSON_GetObjectItem(t->stack[level - 1], "children"), node);
    }
    t->stack[level] = node;
    t->n = level + 1;
    (void)kids;
    t->count++;
    return 0;
}

enum { TREE_MAX = 5000 }; /* organisations drawn in one tree */

void h_org_tree(req *r)
{
    int64_t id, depth;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ANY, &o) || !query_int(r, "depth", 4, 64, &depth)) return;
    tree_ctx t = {.depth0 = o.depth, .rows = cJSON_CreateArray()};
    if (org_subtree(r->db, &o, (int)depth, TREE_MAX, tree_add, &t) != CX_OK || !t.stack[0]) {
        cJSON_Delete(t.rows);
        req_failf(r, 500, "db_error", "", "读取组织树失败");
        return;
    }
    cJSON *d = req_data(r);
    if (req_is_api(r)) cJSON_Delete(t.rows);
    else cJSON_AddItemToObject(d, "rows", t.rows);
    cJSON_AddStringToObject(d, "title", "组织树");
    /* a tree this big is not drawn whole: say so instead of stopping silently */
    if (t.count >= TREE_MAX) json_add_i64(d, "truncated_at", TREE_MAX);
    cJSON_AddItemToObject(d, "tree", t.stack[0]);
    cJSON_AddItemToObject(d, "org", json_org(&o));
    json_add_i64(d, "count", t.count);
    json_add_i64(d, "depth", depth);
}

static void type_options(cJSON *d, const char *type, const char *sector)
{
    static const char *types[] = {"committee", "general_branch", "branch"};
    static const char *sectors[] = {"rural", "community", "government", "soe", "school", "hospital", "private", "social"};
    cJSON *ts = cJSON_AddArrayToObject(d, "types");
    for (size_t i = 0; i < 3; i++) {
        cJSON *t = cJSON_CreateObject();
        cJSON_AddStringToObject(t, "value", types[i]);
        cJSON_AddStringToObject(t, "label", org_type_label(types[i]));
        cJSON_AddBoolToObject(t, "selected", type && !strcmp(type, types[i]));
        cJSON_AddItemToArray(ts, t);
    }
    cJSON *ss = cJSON_AddArrayToObject(d, "sectors");
    for (size_t i = 0; i < 8; i++) {
        cJSON *t = cJSON_CreateObject();
        cJSON_AddStringToObject(t, "value", sectors[i]);
        cJSON_AddStringToObject(t, "label", org_sector_label(sectors[i]));
        cJSON_AddBoolToObject(t, "selected", sector && !strcmp(sector, sectors[i]));
        cJSON_AddItemToArray(ss, t);
    }
}

void h_org_new(req *r)
{
    int64_t id;
    org p;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_OFFICE, &p)) return;
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "新建下级组织");
    cJSON_AddItemToObject(d, "parent", json_org(&p));
    cJSON_AddTrueToObject(d, "creating");
    type_options(d, "branch", p.sector);
}

void h_org_create(req *r)
{
    int64_t pid, nid;
    org p;
    if (!req_id(r, 0, &pid) || !req_org(r, pid, ROLE_OFFICE, &p)) return;
    const char *name = req_in(r, "name"), *type = req_in(r, "type"), *sector = req_in(r, "sector");
    cx_err e = {0};
    char nm[512] = "";
    if (name) snprintf(nm, sizeof nm, "%s", name), str_trim(nm);
    org_ok ok;
    if (org_check(&(org_in){nm, type, sector}, &ok, &e) != CX_OK || org_create(r->db, &r->who, pid, &ok, &nid, &e) != CX_OK) {
        if (!req_is_api(r)) {
            h_org_new(r);
            cJSON *d = req_data(r);
            cJSON_DeleteItemFromObject(d, "types");
            cJSON_DeleteItemFromObject(d, "sectors");
            type_options(d, type, sector);
            cJSON_AddStringToObject(d, "name", nm);
        }
        req_fail(r, &e);
        return;
    }
    if (req_is_api(r)) r->status = 201;
    org_done(r, nid, nid);
}

void h_org_edit(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_OFFICE, &o)) return;
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "编辑组织");
    cJSON_AddItemToObject(d, "org", json_org(&o));
    cJSON_AddStringToObject(d, "name", o.name);
    type_options(d, o.type, o.sector);
}

void h_org_update(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_OFFICE, &o)) return;
    /* PATCH semantics: fields not given keep their value. */
    const char *name = req_in(r, "name"), *type = req_in(r, "type"), *sector = req_in(r, "sector");
    char nm[512];
    snprintf(nm, sizeof nm, "%s", name ? name : o.name);
    str_trim(nm);
    if (!type) type = o.type;
    if (!sector) sector = o.sector;
    cx_err e = {0};
    org_ok ok;
    if (org_check(&(org_in){nm, type, sector}, &ok, &e) != CX_OK || org_update(r->db, &r->who, id, &ok, &e) != CX_OK) {
        if (!req_is_api(r)) {
            cJSON *d = req_data(r);
            cJSON_AddStringToObject(d, "title", "编辑组织");
            cJSON_AddItemToObject(d, "org", json_org(&o));
            cJSON_AddStringToObject(d, "name", nm);
            type_options(d, type, sector);
        }
        req_fail(r, &e);
        return;
    }
    org_done(r, id, id);
}

/* Candidate parents for a move: committees and general branches in the user's office scope,
 * outside the org's own subtree. */
typedef struct move_ctx {
    req *r;
    const org *self;
    cJSON *arr;
} move_ctx;

static int add_target(void *vctx, const org *o, int64_t a, int64_t b)
{
    move_ctx *m = vctx;
    if (!strcmp(o->type, "branch") || path_in_subtree(o->path, m->self->path) || o->id == m->self->parent_id) return 0;
    cJSON *j = json_org(o);
    cJSON_AddItemToArray(m->arr, j);
    return 0;
}

void h_org_move_page(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_OFFICE, &o)) return;
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "移动组织");
    cJSON_AddItemToObject(d, "org", json_org(&o));
    const grant *g = perm_top_grant(&r->user, ROLE_OFFICE);
    org top;
    if (g && org_get(r->db, g->org_id, &top) == 1) {
        move_ctx m = {r, &o, cJSON_AddArrayToObject(d, "targets")};
        org_subtree(r->db, &top, 0, 1000000, add_target, &m); /* every possible parent (branches are skipped), not the first 2000 organisations */
    }
}

void h_org_move(req *r)
{
    int64_t id, pid;
    org o, p;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_OFFICE, &o)) return;
    const char *ps = req_in(r, "parent_id");
    if (!ps || str_to_i64(ps, &pid) != CX_OK || pid <= 0) {
        if (!req_is_api(r)) h_org_move_page(r);
        req_failf(r, 400, "invalid_parent", "parent_id", "请选择目标上级组织（parent_id 应为组织编号）");
        return;
    }
    /* The target must be in the user's office scope too; outside it looks like a missing org. */
    if (org_get(r->db, pid, &p) != 1 || !perm_allows(&r->user, ROLE_OFFICE, p.path)) {
        if (!req_is_api(r)) h_org_move_page(r);
        req_failf(r, 404, "not_found", "parent_id", "目标上级组织不存在或不在您的管理范围内");
        return;
    }
    cx_err e = {0};
    if (org_move(r->db, &r->who, id, pid, &e) != CX_OK) {
        if (!req_is_api(r)) h_org_move_page(r);
        req_fail(r, &e);
        return;
    }
    org_done(r, id, id);
}

static void set_active(req *r, int active)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_OFFICE, &o)) return;
    cx_err e = {0};
    if (org_set_active(r->db, &r->who, id, active, &e) != CX_OK) {
        req_fail(r, &e);
        return;
    }
    org_done(r, id, active || !o.parent_id ? id : o.parent_id);
}

void h_org_deactivate(req *r) { set_active(r, 0); }
void h_org_activate(req *r) { set_active(r, 1); }

void json_add_time(cJSON *j, const char *name, int64_t t)
{
    char s[32], key[48];
    json_add_i64(j, name, t);
    time_text(t, false, s);
    snprintf(key, sizeof key, "%s_text", name);
    cJSON_AddStringToObject(j, key, t ? s : "");
}
