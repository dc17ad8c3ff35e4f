/* routes.c: every route of the web surface on one screen: method, path, handler, the roles that
 * may call it, whether it is public, changes state (CSRF checked) or is JSON API, and its page
 * template. Handlers additionally check the organisation subtree of the record they touch.
 * tests/api walks this table (via GET /api/v1/openapi.json) for the permission matrix. */
#include "web.h"

#define ANY ROLE_ANY
#define ADM (ROLE_OFFICE | ROLE_SECRETARY)

const route web_routes[] = {
    /* pages */
    {"GET", "/", h_home, ANY, 0, NULL, "首页：转到本人所在组织"},
    {"GET", "/login", h_login_page, 0, R_PUBLIC, "login", "登录页"},
    {"POST", "/login", h_login, 0, R_PUBLIC | R_STATE, "login", "登录"},
    {"POST", "/logout", h_logout, ANY, R_STATE, NULL, "退出"},
    {"GET", "/orgs/:id", h_org, ANY, 0, "org", "组织页：下级组织与党员"},
    {"GET", "/orgs/:id/tree", h_org_tree, ANY, 0, "tree", "组织树"},
    {"GET", "/orgs/:id/new", h_org_new, ROLE_OFFICE, 0, "org_form", "新建下级组织表单"},
    {"POST", "/orgs/:id/children", h_org_create, ROLE_OFFICE, R_STATE, "org_form", "新建下级组织"},
    {"GET", "/orgs/:id/edit", h_org_edit, ROLE_OFFICE, 0, "org_form", "编辑组织表单"},
    {"POST", "/orgs/:id/edit", h_org_update, ROLE_OFFICE, R_STATE, "org_form", "编辑组织"},
    {"GET", "/orgs/:id/move", h_org_move_page, ROLE_OFFICE, 0, "org_move", "移动组织表单"},
    {"POST", "/orgs/:id/move", h_org_move, ROLE_OFFICE, R_STATE, "org_move", "移动组织及其下级"},
    {"POST", "/orgs/:id/deactivate", h_org_deactivate, ROLE_OFFICE, R_STATE, NULL, "停用组织"},
    {"POST", "/orgs/:id/activate", h_org_activate, ROLE_OFFICE, R_STATE, NULL, "启用组织"},
    {"GET", "/orgs/:id/members/new", h_member_new, ADM, 0, "member_form", "新增党员表单"},
    {"POST", "/orgs/:id/members", h_member_create, ADM, R_STATE, "member_form", "新增党员"},
    {"GET", "/orgs/:id/import", h_import_page, ADM, 0, "import", "导入党员名册"},
    {"POST", "/orgs/:id/import", h_import, ADM, R_STATE, "import", "上传并导入党员名册"},
    {"GET", "/orgs/:id/export", h_export, ADM, 0, NULL, "导出党员名册（XLSX/CSV）"},
    {"GET", "/members/:id", h_member, ANY, 0, "member", "党员信息"},
    {"GET", "/members/:id/edit", h_member_edit, ADM, 0, "member_form", "编辑党员表单"},
    {"POST", "/members/:id/edit", h_member_update, ADM, R_STATE, "member_form", "编辑党员"},
    {"POST", "/members/:id/deactivate", h_member_deactivate, ADM, R_STATE, NULL, "停用党员"},
    {"POST", "/members/:id/activate", h_member_activate, ADM, R_STATE, NULL, "启用党员"},
    {"POST", "/members/:id/reveal", h_member_reveal, ADM, R_STATE, "member", "查看完整身份证号和电话（记入审计）"},
    {"GET", "/members/:id/photo", h_member_photo, ANY, 0, NULL, "党员照片"},
    {"POST", "/members/:id/photo", h_member_photo_set, ADM, R_STATE, "member", "上传党员照片（JPEG/PNG，≤ 2 MB）"},
    {"GET", "/roster-template", h_template, ANY, 0, NULL, "下载导入模板"},
    {"GET", "/orgs/:id/audit", h_audit, ROLE_OFFICE, 0, "audit", "审计日志"},

    /* JSON API */
    {"GET", "/api/v1/openapi.json", h_openapi, 0, R_PUBLIC | R_API, NULL, "OpenAPI 描述"},
    {"POST", "/api/v1/session", h_login, 0, R_PUBLIC | R_STATE | R_API, NULL, "登录，返回 CSRF 令牌并设置会话 Cookie"},
    {"DELETE", "/api/v1/session", h_logout, ANY, R_STATE | R_API, NULL, "退出"},
    {"GET", "/api/v1/me", h_me, ANY, R_API, NULL, "当前用户与角色"},
    {"GET", "/api/v1/orgs/:id", h_org, ANY, R_API, NULL, "组织详情（含上级路径与下级）"},
    {"GET", "/api/v1/orgs/:id/children", h_org_children, ANY, R_API, NULL, "下级组织"},
    {"GET", "/api/v1/orgs/:id/tree", h_org_tree, ANY, R_API, NULL, "组织树（?depth=）"},
    {"POST", "/api/v1/orgs/:id/children", h_org_create, ROLE_OFFICE, R_STATE | R_API, NULL, "新建下级组织"},
    {"PATCH", "/api/v1/orgs/:id", h_org_update, ROLE_OFFICE, R_STATE | R_API, NULL, "修改组织"},
    {"POST", "/api/v1/orgs/:id/move", h_org_move, ROLE_OFFICE, R_STATE | R_API, NULL, "移动组织及其下级（parent_id）"},
    {"POST", "/api/v1/orgs/:id/deactivate", h_org_deactivate, ROLE_OFFICE, R_STATE | R_API, NULL, "停用组织"},
    {"POST", "/api/v1/orgs/:id/activate", h_org_activate, ROLE_OFFICE, R_STATE | R_API, NULL, "启用组织"},
    {"GET", "/api/v1/orgs/:id/members", h_members, ANY, R_API, NULL, "党员列表（?q=&subtree=1&page=&per_page=）"},
    {"POST", "/api/v1/orgs/:id/members", h_member_create, ADM, R_STATE | R_API, NULL, "新增党员"},
    {"POST", "/api/v1/orgs/:id/import", h_import, ADM, R_STATE | R_API, NULL, "导入名册（multipart file；?dry_run=1 只检查）"},
    {"GET", "/api/v1/orgs/:id/export", h_export, ADM, R_API, NULL, "导出名册（?format=xlsx|csv&subtree=0|1）"},
    {"GET", "/api/v1/orgs/:id/audit", h_audit, ROLE_OFFICE, R_API, NULL, "本组织及下级的审计记录"},
    {"GET", "/api/v1/members/:id", h_member, ANY, R_API, NULL, "党员详情（身份证号、电话脱敏）"},
    {"PATCH", "/api/v1/members/:id", h_member_update, ADM, R_STATE | R_API, NULL, "修改党员（含 org_id 转移组织）"},
    {"POST", "/api/v1/members/:id/deactivate", h_member_deactivate, ADM, R_STATE | R_API, NULL, "停用党员"},
    {"POST", "/api/v1/members/:id/activate", h_member_activate, ADM, R_STATE | R_API, NULL, "启用党员"},
    {"POST", "/api/v1/members/:id/reveal", h_member_reveal, ADM, R_STATE | R_API, NULL, "完整身份证号和电话（记入审计）"},
    {"GET", "/api/v1/members/:id/photo", h_member_photo, ANY, R_API, NULL, "党员照片（图片字节）"},
    {"POST", "/api/v1/members/:id/photo", h_member_photo_set, ADM, R_STATE | R_API, NULL, "上传党员照片（multipart photo，JPEG/PNG，≤ 2 MB）"},
    {"GET", "/api/v1/roster-template", h_template, ANY, R_API, NULL, "导入模板（?format=xlsx|csv）"},
};
const size_t web_nroutes = sizeof web_routes / sizeof web_routes[0];
