/* settings.c: district-wide settings (setting.c), kept by the office of the top organisation:
 * today the public address QR codes and print pages carry (public_addr.c). */
#include "web.h"
#include <string.h>

const grant *req_top_office(req *r)
{
    for (int i = 0; i < r->user.ngrants; i++) {
        const grant *g = &r->user.grants[i];
        if (g->role == ROLE_OFFICE && orgpath_depth(g->path) == 0) return g;
    }
    return NULL;
}

static void settings_into(req *r, const char *shown)
{
    char v[256];
    cJSON *d = req_data(r);
    cJSON_AddStringToObject(d, "title", "设置");
    int f = setting_get(r->db, SETTING_PUBLIC_URL, v, sizeof v);
    if (f == CX_ERR) {
        req_failf(r, 500, "db_error", "", "读取设置失败");
        return;
    }
    cJSON *s = cJSON_AddObjectToObject(d, "settings");
    cJSON_AddStringToObject(s, "public_url", v);
    cJSON_AddStringToObject(s, "public_url_input", shown ? shown : v);
    cJSON_AddBoolToObject(d, "can_edit", req_top_office(r) != NULL);
}

void h_settings(req *r) { settings_into(r, NULL); }

/* POST /settings, PATCH /api/v1/settings: public_url ("" clears it). */
void h_settings_set(req *r)
{
    const char *v = req_in(r, "public_url");
    cx_err e = {0};
    char base[256] = "", host[256];
    if (!req_top_office(r)) cx_fail(&e, 403, "forbidden", "", "只有最上级党组织的活动办公室可以修改设置");
    else if (!v) cx_fail(&e, 400, "missing_field", "public_url", "请填写公开地址 public_url（留空表示清除）");
    else if (*v && setting_public_url_check(v, base, host, &e) != CX_OK) {
    } else setting_set(r->db, &r->who, SETTING_PUBLIC_URL, base, &e);
    if (e.code[0]) {
        if (!req_is_api(r)) { /* the form again, with what was typed and the message beside it */
            settings_into(r, v);
            r->tmpl = "settings";
        }
        req_fail(r, &e);
        return;
    }
    if (!req_is_api(r)) {
        req_redirect(r, "/settings");
        return;
    }
    settings_into(r, NULL);
}
