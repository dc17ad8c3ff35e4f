/* audit.c: the audit log view of an organisation's subtree, newest first, paged. */
#include "web.h"
#include "pager.h"

static int add_audit(void *ctx, const audit_row *a)
{
    cJSON *x = cJSON_CreateObject();
    json_add_i64(x, "part", a->part); /* seq counts within the part's chain */
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
