/* gen_roster.c: writes a roster CSV (the import columns, full valid 身份证号) for the demo
 * district of `cxzy demo --members N --seed S`, so `cxzy import` can be measured on a database
 * made by `cxzy demo --orgs-only` with the same N and S.  Usage: gen_roster N SEED > roster.csv */
#include "domain/demo.h"
#include "lib/buf.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct ctx {
    char **names; /* org names by key - 1 */
    size_t n, cap;
    buf line;
} ctx;

static int on_org(void *v, const demo_org *o)
{
    ctx *c = v;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 1024;
        c->names = realloc(c->names, c->cap * sizeof *c->names);
    }
    c->names[c->n++] = strdup(o->name);
    return 0;
}

static int on_member(void *v, const demo_member *m)
{
    ctx *c = v;
    const char *f[] = {m->name, m->sex, m->ethnicity, m->birth_date, m->idcard, m->phone, m->joined_date, m->full_date,
                       m->education, m->post, m->duties, !strcmp(m->status, "full") ? "正式党员" : "预备党员",
                       c->names[m->org_key - 1]};
    buf_reset(&c->line);
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        if (i) buf_addc(&c->line, ',');
        buf_csv_field(&c->line, f[i]);
    }
    buf_adds(&c->line, "\r\n");
    fwrite(c->line.p, 1, c->line.len, stdout);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: gen_roster MEMBERS SEED > roster.csv\n");
        return 2;
    }
    ctx c = {0};
    buf_init(&c.line);
    fputs("姓名,性别,民族,出生日期,身份证号,联系电话,入党时间,转正时间,学历,工作岗位,岗位职责,党员状态,所在党组织\r\n", stdout);
    demo_cb cb = {&c, on_org, on_member};
    int rc = demo_generate(strtoull(argv[2], NULL, 10), strtoll(argv[1], NULL, 10), &cb);
    for (size_t i = 0; i < c.n; i++) free(c.names[i]);
    free(c.names);
    buf_free(&c.line);
    return rc ? 1 : 0;
}
