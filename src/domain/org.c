/* org.c: an organisation's name, type and sector as typed: codes, labels and the check (see org.h). */
#include "org.h"
#include "text.h"
#include <string.h>

typedef struct code_label {
    const char *code, *label;
} code_label;
static const code_label types[] = {{"committee", "党委"}, {"general_branch", "党总支"}, {"branch", "党支部"}};
static const code_label sectors[] = {
    {"rural", "农村"},     {"community", "社区"}, {"government", "机关"}, {"soe", "国有企业"},
    {"school", "学校"},    {"hospital", "医院"},  {"private", "非公有制经济组织"}, {"social", "社会组织"}};

static const code_label *find(const code_label *v, size_t n, const char *code)
{
    for (size_t i = 0; code && i < n; i++)
        if (!strcmp(code, v[i].code)) return &v[i];
    return NULL;
}

const char *org_type_label(const char *t)
{
    const code_label *c = find(types, sizeof types / sizeof types[0], t);
    return c ? c->label : t;
}
const char *org_sector_label(const char *s)
{
    const code_label *c = find(sectors, sizeof sectors / sizeof sectors[0], s);
    return c ? c->label : s;
}
int org_type_valid(const char *t) { return find(types, sizeof types / sizeof types[0], t) != NULL; }
int org_sector_valid(const char *s) { return find(sectors, sizeof sectors / sizeof sectors[0], s) != NULL; }

static const text_rule T_NAME = {"name", "组织名称", 1, ORG_NAME_MAX, true};

int org_check(const org_in *in, org_ok *out, cx_err *e)
{
    if (text_check(&T_NAME, in->name, out->name, sizeof out->name, e) != CX_OK) return CX_ERR;
    const code_label *t = find(types, sizeof types / sizeof types[0], in->type);
    if (!t) return cx_fail(e, 400, "invalid_type", "type", "组织类型应为党委、党总支或党支部");
    const code_label *s = find(sectors, sizeof sectors / sizeof sectors[0], in->sector);
    if (!s) return cx_fail(e, 400, "invalid_sector", "sector", "所属领域应为农村、社区、机关、国有企业、学校、医院、非公有制经济组织或社会组织之一");
    out->type = t->code;
    out->sector = s->code;
    return CX_OK;
}
