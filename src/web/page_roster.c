/* page_roster.c: roster import (with its row-level report), export, the template download, the
 * audit log view and the OpenAPI description. */
#include "web.h"
#include "../lib/assets.h"
#include "../store/roster.h"
#include "pager.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void h_import_page(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ADMIN, &o)) return;
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "导入党员名册");
    cJSON_AddItemToObject(d, "org", json_org(&o));
    /* after a page import, the redirect's notice (a refresh of it posts nothing again) */
    const char *q = strcmp(r->method, "GET") ? NULL : req_query(r, "imported");
    int64_t n = 0;
    if (q && str_to_i64(q, &n) == CX_OK && n > 0) {
        cJSON *rj = cJSON_AddObjectToObject(d, "report");
        json_add_i64(rj, "imported", n);
        cJSON_AddBoolToObject(rj, "ok", true);
        cJSON_AddBoolToObject(rj, "dry_run", false);
    }
}

void h_import(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ADMIN, &o)) return;
    bool api = req_is_api(r);
    if (!api) h_import_page(r);
    const field *f = req_file(r, "file");
    const void *data = NULL;
    size_t len = 0;
    if (f) data = f->data.p, len = f->data.len;
    else if (api && r->body.len && !r->fields) data = r->body.p, len = r->body.len; /* raw upload */
    if (!data || !len) {
        req_failf(r, 400, "file_required", "file", "请选择要导入的 CSV 或 Excel（.xlsx）文件");
        return;
    }
    const char *dr = req_in(r, "dry_run");
    bool dry = dr && (!strcmp(dr, "1") || !strcmp(dr, "on") || !strcmp(dr, "true"));
    roster_report rep;
    cx_err e = {0};
    if (roster_import(r->db, &r->who, &o, NULL, data, len, dry, &rep, &e) != CX_OK) {
        roster_report_free(&rep);
        if (e.status == 429) r->retry_after = IDCARD_LOOKUP_WINDOW; /* the 身份证号 lookup budget is spent */
        req_fail(r, &e);
        return;
    }
    cJSON *d = req_data(r);
    cJSON *rj = cJSON_AddObjectToObject(d, "report");
    json_add_i64(rj, "rows", rep.rows);
    json_add_i64(rj, "header_row", rep.header_row);
    json_add_i64(rj, "valid_rows", rep.valid_rows);
    json_add_i64(rj, "imported", rep.imported);
    json_add_i64(rj, "error_count", rep.nissues);
    cJSON_AddBoolToObject(rj, "dry_run", dry);
    cJSON_AddBoolToObject(rj, "ok", rep.nissues == 0);
    cJSON_AddStringToObject(rj, "format", rep.kind);
    if (f && f->filename) cJSON_AddStringToObject(rj, "filename", f->filename);
    cJSON_AddStringToObject(rj, "row_numbers", ROSTER_ROW_NOTE);
    cJSON *errs = cJSON_AddArrayToObject(rj, "errors");
    for (int i = 0; i < rep.nkept; i++) {
        cJSON *x = cJSON_CreateObject();
        json_add_i64(x, "row", rep.issues[i].row);
        cJSON_AddStringToObject(x, "column", rep.issues[i].column);
        cJSON_AddStringToObject(x, "code", rep.issues[i].code);
        cJSON_AddStringToObject(x, "reason", rep.issues[i].reason);
        cJSON_AddItemToArray(errs, x);
    }
    if (rep.nissues > rep.nkept) json_add_i64(rj, "errors_not_listed", rep.nissues - rep.nkept);
    roster_report_free(&rep);
    if (!api && !dry && !rep.nissues) { /* imported: 303 to the notice, so a refresh posts nothing again */
        req_redirect(r, "/orgs/%" PRId64 "/import?imported=%" PRId64, id, rep.imported);
        return;
    }
    if (rep.nissues) {
        /* The API answers 422 with the whole report; the page shows it. */
        r->status = 422;
        if (api) {
            cJSON *err = cJSON_AddObjectToObject(d, "error");
            cJSON_AddStringToObject(err, "code", "import_invalid");
            char msg[160];
            snprintf(msg, sizeof msg, "文件中有 %" PRId64 " 处错误，未导入任何数据", rep.nissues);
            cJSON_AddStringToObject(err, "message", msg);
            cJSON_AddStringToObject(err, "field", "file");
        }
    }
}

void h_export(req *r)
{
    int64_t id;
    org o;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_ADMIN, &o)) return;
    const char *fmt = req_query(r, "format");
    if (!fmt || !*fmt) fmt = "xlsx";
    const char *sub = req_query(r, "subtree");
    if (sub && strcmp(sub, "0") && strcmp(sub, "1")) {
        req_failf(r, 400, "invalid_query", "subtree", "参数 subtree 应为 0 或 1");
        return;
    }
    /* full=1: the full 身份证号 and phone, a file that imports again. Everyone who may export an
     * organisation's roster (its office or secretary) may also reveal each member's numbers
     * (h_member_reveal asks the same roles), and the export is audited as such a view. */
    const char *full = req_query(r, "full");
    if (full && strcmp(full, "0") && strcmp(full, "1")) {
        req_failf(r, 400, "invalid_query", "full", "参数 full 应为 0 或 1");
        return;
    }
    cx_err e = {0};
    buf_init(&r->file);
    if (roster_export(r->db, &r->who, &o, !sub || !strcmp(sub, "1"), full && !strcmp(full, "1"), fmt, &r->file, &e) != CX_OK) {
        buf_free(&r->file);
        req_fail(r, &e);
        return;
    }
    bool xlsx = !strcmp(fmt, "xlsx");
    r->file_mime = xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" : "text/csv; charset=utf-8";
    snprintf(r->file_name, sizeof r->file_name, "%s-党员名册%s.%s", o.name, full && !strcmp(full, "1") ? "（完整）" : "",
             xlsx ? "xlsx" : "csv");
}

void h_template(req *r)
{
    const char *fmt = req_query(r, "format");
    if (!fmt || !*fmt) fmt = "xlsx";
    cx_err e = {0};
    buf_init(&r->file);
    if (roster_template(fmt, &r->file, &e) != CX_OK) {
        buf_free(&r->file);
        req_fail(r, &e);
        return;
    }
    bool xlsx = !strcmp(fmt, "xlsx");
    r->file_mime = xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" : "text/csv; charset=utf-8";
    snprintf(r->file_name, sizeof r->file_name, "党员名册导入模板.%s", xlsx ? "xlsx" : "csv");
}

static int add_audit(void *ctx, const audit_row *a)
{
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "seq", a->seq);
    char when[32];
    time_text(a->ts, true, when);
    cJSON_AddStringToObject(x, "time", when);
    cJSON_AddStringToObject(x, "actor", a->actor);
    cJSON_AddStringToObject(x, "action", a->action);
    cJSON_AddStringToObject(x, "entity", a->entity);
    json_add_i64(x, "entity_id", a->entity_id);
    cJSON_AddStringToObject(x, "result", a->result);
    cJSON_AddStringToObject(x, "before", a->before);
    cJSON_AddStringToObject(x, "after", a->after);
    cJSON_AddItemToArray(ctx, x);
    return 0;
}

void h_audit(req *r)
{
    int64_t id, total = -1;
    org o;
    pager pg;
    if (!req_id(r, 0, &id) || !req_org(r, id, ROLE_OFFICE, &o) || !pager_read(r, 200, 1000, &pg)) return;
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "审计日志");
    cJSON_AddItemToObject(d, "org", json_org(&o));
    if (audit_count(r->db, o.path, &total) == CX_OK) pager_set_total(&pg, total);
    if (total < 0 || audit_list(r->db, o.path, pager_offset(&pg), pg.per_page, add_audit, cJSON_AddArrayToObject(d, "records")) != CX_OK) {
        req_failf(r, 500, "db_error", "", "读取审计日志失败");
        return;
    }
    pager_json(r, d, &pg);
}

/* The OpenAPI description is generated from the route table, so it cannot drift from it. */
void h_openapi(req *r)
{
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "openapi", "3.0.3");
    cJSON *info = cJSON_AddObjectToObject(d, "info");
    cJSON_AddStringToObject(info, "title", "cxzy 创先争优 API");
    cJSON_AddStringToObject(info, "version", "1");
    cJSON_AddStringToObject(info, "description",
                            "登录：POST /api/v1/session {username,password}，返回 csrf 并设置会话 Cookie；"
                            "改变数据的请求须带 X-CSRF-Token 头。错误格式：{\"error\":{\"code\",\"message\",\"field\"}}。"
                            "请求体上限 1 MB；照片和群众提交意见的附件 3 MB，电话抽访名单 8 MB，践诺、整改佐证和工作人员录入意见的附件 27 MB，名册导入 64 MB。"
                            "各操作的上限见 x-body-limit（字节），请求体的种类见 x-body（form 为 JSON 或表单）；超过上限 413 body_too_large。");
    cJSON *paths = cJSON_AddObjectToObject(d, "paths");
    for (size_t i = 0; i < web_nroutes; i++) {
        const route *rt = &web_routes[i];
        if (!(rt->flags & R_API)) continue;
        /* "/orgs/:id" → "/orgs/{id}" */
        char p[256];
        size_t k = 0;
        for (const char *c = rt->pattern + strlen("/api/v1"); *c && k < sizeof p - 8;) {
            if (*c == ':') {
                p[k++] = '{';
                c++;
                while (*c && *c != '/' && k < sizeof p - 2) p[k++] = *c++;
                p[k++] = '}';
            } else p[k++] = *c++;
        }
        p[k] = 0;
        cJSON *pi = cJSON_GetObjectItem(paths, p);
        if (!pi) pi = cJSON_AddObjectToObject(paths, p);
        char m[16];
        size_t j = 0;
        for (; rt->method[j] && j < sizeof m - 1; j++) m[j] = (char)(rt->method[j] | 0x20);
        m[j] = 0;
        cJSON *op = cJSON_AddObjectToObject(pi, m);
        cJSON_AddStringToObject(op, "summary", rt->summary);
        cJSON *x = cJSON_AddArrayToObject(op, "x-roles");
        for (int b = 1; b <= ROLE_DISCIPLINE; b <<= 1)
            if (rt->roles & b) cJSON_AddItemToArray(x, cJSON_CreateString(role_name(b)));
        cJSON_AddBoolToObject(op, "x-public", rt->flags & R_PUBLIC);
        cJSON_AddBoolToObject(op, "x-csrf", (rt->flags & R_STATE) && !(rt->flags & R_PUBLIC));
        if (strcmp(rt->method, "GET")) { /* what a request body may be, and its largest size */
            cJSON_AddStringToObject(op, "x-body", web_bodies[rt->body].name);
            json_add_i64(op, "x-body-limit", (int64_t)web_bodies[rt->body].limit);
        }
        if (strstr(rt->pattern, ":id")) {
            cJSON *params = cJSON_AddArrayToObject(op, "parameters");
            cJSON *pa = cJSON_CreateObject();
            cJSON_AddStringToObject(pa, "name", "id");
            cJSON_AddStringToObject(pa, "in", "path");
            cJSON_AddTrueToObject(pa, "required");
            cJSON *sc = cJSON_AddObjectToObject(pa, "schema");
            cJSON_AddStringToObject(sc, "type", "integer");
            cJSON_AddStringToObject(sc, "format", "int64"); /* written as plain digits, never rounded: lib/json.h */
            cJSON_AddItemToArray(params, pa);
        }
        cJSON *resp = cJSON_AddObjectToObject(op, "responses");
        cJSON *ok = cJSON_AddObjectToObject(resp, "200");
        cJSON_AddStringToObject(ok, "description", "成功");
        cJSON *bad = cJSON_AddObjectToObject(resp, "4XX");
        cJSON_AddStringToObject(bad, "description", "错误：{\"error\":{\"code\",\"message\",\"field\"}}");
        cJSON *unavail = cJSON_AddObjectToObject(resp, "503");
        cJSON_AddStringToObject(unavail, "description", "数据库暂时不可用（code：db_unavailable 无法连接、db_busy 被占用、db_full 空间已满），带 Retry-After；稍后重试");
    }
}
