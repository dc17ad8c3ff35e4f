/* export.c: the one way every list becomes an XLSX download: a workbook with bold Chinese
 * headers, the rows the caller writes, then the bytes as the request's file and an audit
 * record of the export. An export whose listing, workbook or audit record failed is cancelled. */
#include "web.h"

lxw_worksheet *export_open(req *r, xlsx_export *x, const char *sheet, const char *const *heads, size_t nheads)
{
    if (xlsxout_open(&x->xo) != CX_OK) {
        req_failf(r, 500, "export_failed", "", "无法创建导出文件");
        return NULL;
    }
    x->ws = workbook_add_worksheet(x->xo.wb, sheet);
    x->bold = workbook_add_format(x->xo.wb);
    format_set_bold(x->bold);
    for (size_t c = 0; c < nheads; c++) worksheet_write_string(x->ws, 0, (lxw_col_t)c, heads[c], x->bold);
    return x->ws;
}

void export_close(req *r, xlsx_export *x, int rc, const char *file_name, const char *entity, int64_t entity_id, int64_t org_id,
                  const char *after)
{
    buf_init(&r->file);
    if (xlsxout_close(&x->xo, &r->file) != CX_OK || rc != CX_OK) {
        buf_free(&r->file);
        req_failf(r, 500, "export_failed", "", "导出失败");
        return;
    }
    r->file_mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    snprintf(r->file_name, sizeof r->file_name, "%s", file_name);
    if (audit_record(r->db, &r->who, "export", entity, entity_id, org_id, NULL, after ? after : "{\"format\":\"xlsx\"}", "ok") != CX_OK) {
        buf_free(&r->file);
        req_failf(r, 500, "audit_failed", "", "无法记录导出审计，导出已取消");
    }
}

bool req_format_xlsx(req *r, bool *xlsx)
{
    const char *fmt = req_query(r, "format");
    *xlsx = fmt && !strcmp(fmt, "xlsx");
    if (fmt && *fmt && !*xlsx) {
        req_failf(r, 400, "invalid_format", "format", "导出格式只支持 xlsx");
        return false;
    }
    return true;
}
