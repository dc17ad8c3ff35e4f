/* pager.c: page/per_page in, paging out (see pager.h). */
#include "pager.h"
#include "../lib/util.h"
#include <inttypes.h>
#include <microhttpd.h>
#include <string.h>

#define PAGE_MAX 1000000

bool pager_read(req *r, int64_t per_default, int64_t per_max, pager *p)
{
    p->page = 1;
    p->per_page = per_default;
    p->total = 0;
    const char *ps = req_query(r, "page"), *pp = req_query(r, "per_page");
    if (ps && *ps && (str_to_i64(ps, &p->page) != CX_OK || p->page < 1 || p->page > PAGE_MAX)) {
        req_failf(r, 400, "invalid_query", "page", "页码 page 应为 1 到 %d 之间的整数，收到“%.40s”", PAGE_MAX, ps);
        return false;
    }
    if (pp && *pp && (str_to_i64(pp, &p->per_page) != CX_OK || p->per_page < 1 || p->per_page > per_max)) {
        req_failf(r, 400, "invalid_query", "per_page", "每页条数 per_page 应为 1 到 %" PRId64 " 之间的整数，收到“%.40s”", per_max, pp);
        return false;
    }
    return true;
}

void pager_set_total(pager *p, int64_t total)
{
    p->total = total;
    int64_t pages = (total + p->per_page - 1) / p->per_page;
    if (pages < 1) pages = 1;
    if (p->page > pages) p->page = pages;
}

/* The request's query string without page, URL-encoded, each pair followed by "&". */
static enum MHD_Result keep_arg(void *ctx, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    buf *b = ctx;
    if (!key || !strcmp(key, "page")) return MHD_YES;
    buf_urlenc(b, key);
    buf_adds(b, "=");
    buf_urlenc(b, value ? value : "");
    buf_adds(b, "&");
    return MHD_YES;
}

static void add_href(cJSON *o, const char *key, const buf *base, int64_t page)
{
    char href[2100];
    snprintf(href, sizeof href, "%.*spage=%" PRId64, (int)base->len, base->p, page);
    cJSON_AddStringToObject(o, key, href);
}

static void add_link(cJSON *links, const buf *base, int64_t page, int64_t current)
{
    cJSON *l = cJSON_CreateObject();
    json_add_i64(l, "page", page);
    cJSON_AddFalseToObject(l, "gap");
    add_href(l, "href", base, page);
    if (page == current) cJSON_AddTrueToObject(l, "current");
    else cJSON_AddFalseToObject(l, "current");
    cJSON_AddItemToArray(links, l);
}

cJSON *pager_json(req *r, cJSON *d, const pager *p)
{
    int64_t pages = (p->total + p->per_page - 1) / p->per_page;
    cJSON *pg = cJSON_AddObjectToObject(d, "paging");
    json_add_i64(pg, "page", p->page);
    json_add_i64(pg, "per_page", p->per_page);
    json_add_i64(pg, "total", p->total);
    json_add_i64(pg, "pages", pages);
    if (p->page > 1) json_add_i64(pg, "prev", p->page - 1);
    if (p->page < pages) json_add_i64(pg, "next", p->page + 1);
    if (req_is_api(r) || pages < 2) return pg;
    /* Links for the page: this path with the same query, only page changed. */
    buf base;
    buf_init(&base);
    buf_adds(&base, r->url);
    buf_adds(&base, "?");
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, keep_arg, &base);
    if (base.len > 2000) { /* a query this long is not a link worth drawing: keep only the path */
        base.len = strlen(r->url) + 1;
        base.p[base.len] = 0;
    }
    cJSON_AddTrueToObject(pg, "several");
    cJSON *links = cJSON_AddArrayToObject(pg, "links");
    int64_t last = 0;
    for (int64_t n = 1; n <= pages; n++) {
        if (n != 1 && n != pages && (n < p->page - 2 || n > p->page + 2)) continue;
        if (last && n > last + 1) {
            cJSON *gap = cJSON_CreateObject();
            cJSON_AddTrueToObject(gap, "gap");
            cJSON_AddStringToObject(gap, "href", "");
            cJSON_AddItemToArray(links, gap);
        }
        add_link(links, &base, n, p->page);
        last = n;
    }
    if (p->page > 1) add_href(pg, "prev_href", &base, p->page - 1);
    if (p->page < pages) add_href(pg, "next_href", &base, p->page + 1);
    buf_free(&base);
    return pg;
}
