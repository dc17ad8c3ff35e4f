/* test_cache.c: the page cache (web/cache.h) bounded by bytes: a page is found again only under
 * its key and exact ETag, a full cache forgets its least recently used pages first and stays
 * within the bound, a page that cannot be kept takes the stale one for its key along, a bound of
 * 0 keeps nothing, and a trusted hit needs the generation and the day it was validated at (and,
 * with a window, a validation that recent). */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../src/web/cache.h"

static bool has(const char *key, const char *etag)
{
    page_ref p = {0};
    char mime[64];
    bool hit = page_cache_get(key, etag, 1, "2026-12-07", &p, mime);
    page_cache_release(p.hold);
    return hit;
}

static void put_page(const char *key, const char *etag, size_t len)
{
    char *body = malloc(len);
    memset(body, 'x', len);
    page_cache_put(key, etag, 1, "2026-12-07", "text/html", body, len);
    free(body);
}

static void found_under_key_and_etag(void **st)
{
    (void)st;
    page_cache_limit(1 << 20);
    page_cache_put("h/p/card/1", "\"c1-1\"", 7, "2026-12-07", "text/html; charset=utf-8", "<p>一</p>", strlen("<p>一</p>"));
    page_ref b = {0};
    char mime[64], etag[64];
    assert_true(page_cache_get("h/p/card/1", "\"c1-1\"", 7, "2026-12-07", &b, mime));
    assert_int_equal(b.len, strlen("<p>一</p>"));
    assert_memory_equal(b.body, "<p>一</p>", b.len);
    /* a page handed out stays readable after the cache replaced it (an answer being sent holds it) */
    page_cache_put("h/p/card/1", "\"c1-0\"", 7, "2026-12-07", "text/html; charset=utf-8", "<p>旧</p>", strlen("<p>旧</p>"));
    assert_memory_equal(b.body, "<p>一</p>", b.len);
    page_cache_release(b.hold);
    page_cache_put("h/p/card/1", "\"c1-1\"", 7, "2026-12-07", "text/html; charset=utf-8", "<p>一</p>", strlen("<p>一</p>"));
    assert_string_equal(mime, "text/html; charset=utf-8");
    assert_false(page_cache_get("h/p/card/1", "\"c1-2\"", 7, "2026-12-07", &b, mime)); /* another version */
    assert_false(page_cache_get("h/p/card/2", "\"c1-1\"", 7, "2026-12-07", &b, mime)); /* another page */
    /* trusted without the database only at the generation and on the day it was validated at */
    assert_true(page_cache_recent("h/p/card/1", 7, "2026-12-07", INFINITY, &b, mime, etag));
    page_cache_release(b.hold);
    assert_string_equal(etag, "\"c1-1\"");
    assert_true(page_cache_recent("h/p/card/1", 7, "2026-12-07", PAGE_CACHE_TRUST, &b, mime, etag)); /* validated just now */
    page_cache_release(b.hold);
    assert_false(page_cache_recent("h/p/card/1", 8, "2026-12-07", INFINITY, &b, mime, etag));
    assert_false(page_cache_recent("h/p/card/1", 7, "2026-12-08", INFINITY, &b, mime, etag)); /* midnight passed */
    assert_false(page_cache_recent("h/p/card/1", 7, "2026-12-07", 0, &b, mime, etag)); /* a window already over */
}

static void bounded_by_bytes_least_recent_first(void **st)
{
    (void)st;
    page_cache_limit(4 << 20); /* 4 MiB: a few hundred 8 KiB pages, not 4,000 */
    char key[64];
    for (int i = 0; i < 4000; i++) {
        snprintf(key, sizeof key, "h/p/card/%d", i);
        put_page(key, "\"v\"", 8192);
        if (i >= 10) assert_true(has("h/p/card/0", "\"v\"")); /* used all along: kept */
    }
    size_t pages, bytes = page_cache_bytes(&pages);
    assert_true(bytes <= 4 << 20);
    assert_true(bytes >= 3 << 20); /* and not far below it */
    assert_true(pages >= 300 && pages < 512);
    assert_true(has("h/p/card/0", "\"v\""));
    assert_true(has("h/p/card/3999", "\"v\"")); /* the newest */
    assert_false(has("h/p/card/5", "\"v\"")); /* old and unused: forgotten */
    /* more, smaller pages fit in the same bound */
    for (int i = 0; i < 4000; i++) {
        snprintf(key, sizeof key, "h/p/board/%d", i);
        put_page(key, "\"v\"", 512);
    }
    bytes = page_cache_bytes(&pages);
    assert_true(bytes <= 4 << 20);
    assert_true(pages >= 4000);
}

static void what_cannot_be_kept_replaces_nothing_stale(void **st)
{
    (void)st;
    page_cache_limit(1 << 20);
    put_page("h/p/board/9", "\"old\"", 100);
    assert_true(has("h/p/board/9", "\"old\""));
    put_page("h/p/board/9", "\"new\"", 200 * 1024); /* more than a sixteenth of the bound */
    assert_false(has("h/p/board/9", "\"new\""));
    assert_false(has("h/p/board/9", "\"old\"")); /* no longer current: gone */
    page_cache_limit(0); /* nothing is kept */
    put_page("h/p/card/77", "\"v\"", 100);
    assert_false(has("h/p/card/77", "\"v\""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(found_under_key_and_etag), cmocka_unit_test(bounded_by_bytes_least_recent_first),
                                       cmocka_unit_test(what_cannot_be_kept_replaces_nothing_stale)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
