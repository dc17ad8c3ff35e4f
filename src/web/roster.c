/* roster.c: roster import (with its row-level report), export and the template download. */
#include "web.h"
#include "../store/roster.h"
#include <inttypes.h>
#include <string.h>

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
    bool dry = req_flag(r, "dry_run") == 1;
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
