/* setting.c: district-wide settings kept in the database (table setting, migration 0014), so the
 * command line and every server instance read the same value. Today: public_url. */
#include "store.h"
#include "../lib/util.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int setting_public_url_check(const char *in, char out[256], char host[256], cx_err *e)
{
    size_t skip = !strncmp(in, "https://", 8) ? 8 : !strncmp(in, "http://", 7) ? 7 : 0;
    const char *h = in + skip;
    size_t n = strlen(h);
    while (n && h[n - 1] == '/') n--;
    if (!skip || !n || n >= 200 || memchr(h, '/', n) || strpbrk(in, "\"<> \\?#@'") || !utf8_valid(in, strlen(in))) {
        char shown[120];
        snprintf(shown, sizeof shown, "%s", in);
        for (char *p = shown; *p; p++)
            if ((unsigned char)*p < 0x20) *p = '?';
        return cx_fail(e, 400, "invalid_public_url", "public_url",
                       "公开地址应为网站的公开地址，例如 https://cxzy.example.gov.cn（只含协议、主机名和端口），收到“%s”", shown);
    }
    snprintf(host, 256, "%.*s", (int)n, h);
    snprintf(out, 256, "%.*s%s", (int)skip, in, host);
    return CX_OK;
}

int setting_get(db *d, const char *name, char *out, size_t cap)
{
    out[0] = 0;
    db_stmt *s = db_prepare(d, "SELECT value FROM setting WHERE name = ?");
    if (!s) return CX_ERR;
    db_bind_text(s, 1, name);
    int rc = db_step(s);
    if (rc == DB_ROW) snprintf(out, cap, "%s", db_col_text(s, 0));
    db_done(s);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : CX_ERR;
}

static char *value_json(const char *name, const char *value)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "name", name);
    cJSON_AddStringToObject(j, "value", value);
    char *s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return s;
}

int setting_set(db *d, const actor *a, const char *name, const char *value, cx_err *e)
{
    char old[1024];
    if (db_begin(d, true) != CX_OK) return cx_fail(e, 500, "db_error", "", "数据库错误：%s", db_errmsg(d));
    int f = setting_get(d, name, old, sizeof old);
    int64_t org_id = 0; /* recorded against the top organisation, so its audit page shows it */
    int rc = f == CX_ERR ? CX_ERR : db_i64(d, &org_id, 0, "SELECT id FROM org WHERE parent_id IS NULL ORDER BY id LIMIT 1", "");
    if (rc == CX_OK && f == 1 && !strcmp(old, value)) {
        db_rollback(d); /* nothing changes: nothing to record */
        return CX_OK;
    }
    if (rc == CX_OK)
        rc = !*value ? db_run(d, "DELETE FROM setting WHERE name = ?", "s", name)
             : f == 1 ? db_run(d, "UPDATE setting SET value = ?, version = version + 1, updated_at = ? WHERE name = ?", "sis", value, now_unix(), name)
                      : db_run(d, "INSERT INTO setting (name, value, updated_at) VALUES (?, ?, ?)", "ssi", name, value, now_unix());
    return store_finish(d, a, "set", "setting", 0, org_id, f == 1 ? value_json(name, old) : NULL, value_json(name, value), rc, e);
}
