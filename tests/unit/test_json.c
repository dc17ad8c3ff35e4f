/* test_json.c: unit tests of lib/json.c, the one writer of integers into JSON: over the whole id
 * range the printed text is the decimal (cJSON's own number printer wrote 1112406247550370 as
 * 1.11240624755037e+15 and lost digits past 2^53), it reads back, and templates show the digits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "lib/json.h"
#include "lib/util.h"
#include "web/tmpl.h"

#define P53 9007199254740992LL /* 2^53 */

/* The id range: small, around 2^53 where doubles stop holding every integer, every power of ten
 * from 10^15 (the first that cJSON printed in exponent form) to 10^18 with nearby values ending in
 * 0, random ids below 2^50 (what feedback uses) ending in 0, the extremes and negatives. */
static const int64_t values[] = {
    0, 1, -1, 7, 10, 100, 2147483647LL, 2147483648LL, -2147483648LL, -2147483649LL, 4294967296LL,
    99999999999999LL, 100000000000000LL, 999999999999999LL,
    1000000000000000LL, 1000000000000010LL, 1112406247550370LL, 1125899906842620LL, 1125899906842623LL,
    1234567890123450LL, 9000000000000000LL, 9007199254740990LL,
    P53 - 1, P53, P53 + 1, P53 + 2, P53 + 3, P53 + 10,
    10000000000000000LL, 10000000000000010LL, 12345678901234560LL, 100000000000000000LL,
    123456789012345670LL, 1000000000000000000LL, 1000000000000000010LL, 1234567890123456780LL,
    -1000000000000000LL, -1112406247550370LL, -(P53 + 1), -1000000000000000000LL,
    INT64_MAX, INT64_MAX - 1, INT64_MIN, INT64_MIN + 1,
};
#define NVALUES (sizeof values / sizeof values[0])

static void decimal(int64_t v, char *out, size_t cap) { snprintf(out, cap, "%" PRId64, v); }

/* A bare item and the same value as an object member print as the decimal digits, nothing else. */
static void test_prints_decimal(void **state)
{
    (void)state;
    for (size_t i = 0; i < NVALUES; i++) {
        char want[64], wobj[96];
        decimal(values[i], want, sizeof want);
        cJSON *x = json_int(values[i]);
        assert_non_null(x);
        char *s = cJSON_PrintUnformatted(x);
        assert_string_equal(s, want);
        free(s);
        cJSON_Delete(x);

        cJSON *o = cJSON_CreateObject();
        assert_non_null(json_add_i64(o, "id", values[i]));
        s = cJSON_PrintUnformatted(o);
        snprintf(wobj, sizeof wobj, "{\"id\":%s}", want);
        assert_string_equal(s, wobj);
        free(s);
        /* formatted printing, as a person reads it, says the same */
        s = cJSON_Print(o);
        assert_non_null(strstr(s, want));
        assert_null(strchr(s, 'e'));
        free(s);
        cJSON_Delete(o);
    }
}

/* Array members too (json_add_i64 with no key), and a duplicated tree keeps the digits. */
static void test_array_and_duplicate(void **state)
{
    (void)state;
    cJSON *a = cJSON_CreateArray();
    assert_non_null(json_add_i64(a, NULL, 1112406247550370LL));
    assert_non_null(json_add_i64(a, NULL, P53 + 1));
    assert_non_null(json_add_i64(a, NULL, INT64_MIN));
    cJSON *d = cJSON_Duplicate(a, true);
    cJSON_Delete(a);
    char *s = cJSON_PrintUnformatted(d);
    assert_string_equal(s, "[1112406247550370,9007199254740993,-9223372036854775808]");
    free(s);
    cJSON_Delete(d);
}

/* What the server wrote reads back: json_i64 is exact for every value; cJSON_Parse reads the text
 * as a number (what a client gets), exactly up to 2^53 and as the nearest double above. */
static void test_reads_back(void **state)
{
    (void)state;
    for (size_t i = 0; i < NVALUES; i++) {
        int64_t v = values[i];
        cJSON *o = cJSON_CreateObject();
        cJSON *x = json_add_i64(o, "id", v);
        assert_true(json_is_num(x));
        assert_true(json_i64(x) == v);
        assert_true(json_get_i64(o, "id") == v);
        assert_true(x->valuedouble == (double)v); /* readers of valuedouble see the value too */
        char want[64];
        decimal(v, want, sizeof want);
        assert_string_equal(json_int_text(x), want);

        char *s = cJSON_PrintUnformatted(o);
        cJSON *p = cJSON_Parse(s);
        assert_non_null(p);
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(p, "id");
        assert_true(cJSON_IsNumber(n));
        assert_true(n->valuedouble == (double)v);
        if (v >= -P53 && v <= P53) assert_true(json_i64(n) == v);
        free(s);
        cJSON_Delete(p);
        cJSON_Delete(o);
    }
}

static void test_not_numbers(void **state)
{
    (void)state;
    cJSON *s = cJSON_CreateString("1112406247550370");
    cJSON *raw = cJSON_CreateRaw("{\"a\":1}");
    cJSON *neg = cJSON_CreateRaw("-");
    cJSON *nan = cJSON_CreateNumber(0.0 / 0.0);
    cJSON *big = cJSON_CreateNumber(1e300), *small = cJSON_CreateNumber(-1e300), *frac = cJSON_CreateNumber(-2.75);
    assert_false(json_is_num(NULL));
    assert_false(json_is_num(s));
    assert_false(json_is_num(raw));
    assert_false(json_is_num(neg));
    assert_null(json_int_text(s));
    assert_null(json_int_text(raw));
    assert_true(json_i64(NULL) == 0);
    assert_true(json_i64(s) == 0);
    assert_true(json_i64(raw) == 0);
    assert_true(json_i64(nan) == 0);
    assert_true(json_i64(big) == INT64_MAX);
    assert_true(json_i64(small) == INT64_MIN);
    assert_true(json_i64(frac) == -2);
    assert_true(json_get_i64(s, "id") == 0);
    cJSON *items[] = {s, raw, neg, nan, big, small, frac};
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) cJSON_Delete(items[i]);
}

/* Pages show the same digits as the API: the template renderer prints an integer item as its
 * decimal (it printed 9007199254740993 as 9.00719925474099e+15) and treats 0 as false. */
static void test_template_digits(void **state)
{
    (void)state;
    for (size_t i = 0; i < NVALUES; i++) {
        cJSON *d = cJSON_CreateObject();
        json_add_i64(d, "id", values[i]);
        buf b;
        buf_init(&b);
        assert_int_equal(tmpl_render_text("<a href=\"/feedback/{{id}}\">{{#id}}yes{{/id}}{{^id}}no{{/id}}</a>", d, &b), CX_OK);
        char want[160];
        snprintf(want, sizeof want, "<a href=\"/feedback/%" PRId64 "\">%s</a>", values[i], values[i] ? "yes" : "no");
        assert_string_equal(b.p, want);
        buf_free(&b);
        cJSON_Delete(d);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prints_decimal),   cmocka_unit_test(test_array_and_duplicate), cmocka_unit_test(test_reads_back),
        cmocka_unit_test(test_not_numbers),      cmocka_unit_test(test_template_digits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
