/* test_map.c: the one growing hash map (lib/map.h): every key found again after the table grew
 * many times, text keys that differ by one byte kept apart, integer keys, values freed once. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include "../../src/lib/map.h"

static int freed;
static void count_free(void *p) { freed++, free(p); }

static void test_text_keys(void **st)
{
    (void)st;
    map m = {0};
    char k[32];
    bool added;
    assert_null(map_get(&m, "none"));
    for (int i = 0; i < 20000; i++) {
        snprintf(k, sizeof k, "第%d党支部", i);
        void **v = map_put(&m, k, &added);
        assert_true(added);
        *v = malloc(sizeof(int));
        *(int *)*v = i;
    }
    assert_int_equal(m.n, 20000);
    assert_true(m.n * 2 <= m.cap);
    for (int i = 0; i < 20000; i++) {
        snprintf(k, sizeof k, "第%d党支部", i);
        int *v = map_get(&m, k);
        assert_non_null(v);
        assert_int_equal(*v, i);
        assert_false((map_put(&m, k, &added), added)); /* there already */
    }
    assert_null(map_get(&m, "第20000党支部"));
    map_free(&m, count_free);
    assert_int_equal(freed, 20000);
    assert_int_equal(m.n, 0);
    assert_null(map_get(&m, "第1党支部"));
}

static void test_integer_keys(void **st)
{
    (void)st;
    map m = {0};
    bool added;
    for (uint64_t k = 1; k <= 300000; k++) {
        int64_t *v = map_put_int(&m, k * 1000003ULL, &added);
        assert_true(added);
        assert_int_equal(*v, 0);
        *v = (int64_t)k;
    }
    for (uint64_t k = 1; k <= 300000; k += 7) {
        int64_t *v = map_put_int(&m, k * 1000003ULL, &added);
        assert_false(added);
        assert_int_equal(*v, (int64_t)k);
    }
    map_free(&m, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_text_keys), cmocka_unit_test(test_integer_keys)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
