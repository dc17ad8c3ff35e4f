/* pager.h: the one way a list is paged, on pages and in the API.
 * Query: page (1-based) and per_page (1..max). A page or per_page that is not a whole number in range
 * is refused (400 invalid_query naming the field); a page past the last is answered as the last page
 * (the answer's paging.page says which page it is). The answer's "paging" object holds page,
 * per_page, total, pages, prev and next (when there are such pages) and, on HTML pages, the links
 * the shared partial templates/pager.html draws (上一页, page numbers, 下一页, 共 N 条). */
#ifndef CX_PAGER_H
#define CX_PAGER_H
#include "web.h"

typedef struct pager {
    int64_t page, per_page, total;
} pager;

/* Reads page and per_page (default per_default, at most per_max); false after failing the request. */
bool pager_read(req *r, int64_t per_default, int64_t per_max, pager *p);
/* Sets the total and moves a page past the last back to the last. Call before reading the rows. */
void pager_set_total(pager *p, int64_t total);
static inline int64_t pager_offset(const pager *p) { return (p->page - 1) * p->per_page; }
/* Adds d.paging (see above) and returns it. */
cJSON *pager_json(req *r, cJSON *d, const pager *p);
#endif
