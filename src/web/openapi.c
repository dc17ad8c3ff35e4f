/* openapi.c: the OpenAPI description of the JSON API, generated from the route table (methods,
 * roles, CSRF, body kinds and limits), so it cannot drift from it. */
#include "web.h"
#include <string.h>

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
        if (rt->flags & R_REPLICA) cJSON_AddBoolToObject(op, "x-replica", true); /* read from the replica of --db-read (issue 20) */
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
