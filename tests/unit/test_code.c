/* test_code.c: unit tests of the short human codes (lib/code.c): the check character catches
 * every single mistyped character and every swap of two different neighbours but the one pair
 * Luhn mod 32 cannot see ('0' and 'Z'); parsing forgives case, spaces, dashes and the letters
 * read as digits; typos and malformed input get their own codes; random codes are well formed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include "lib/code.h"

#define ND 12 /* data characters of a feedback tracking code */

static int parse(const char *in, char *out, cx_err *e) { return code_parse(in, ND, out, ND + 2, "code", "查询码", e); }

static void test_check_char(void **st)
{
    (void)st;
    /* Luhn mod 32 worked by hand: "1" → doubled 2 → check 30 ('Y'); "10" → 1 + 0 → check 31 ('Z') */
    assert_int_equal(code_check_char("1", 1), 'Y');
    assert_int_equal(code_check_char("10", 2), 'Z');
    assert_int_equal(code_check_char("0", 1), '0');
    assert_int_equal(code_check_char("Z", 1), CODE_ALPHABET[(32 - (62 / 32 + 62 % 32) % 32) % 32]);
    assert_int_equal(code_check_char("1U", 2), 0); /* U is not in the alphabet */
    assert_int_equal(code_check_char("a", 1), 0);  /* nor lower case: parse normalises first */
}

static void test_make(void **st)
{
    (void)st;
    char seen[200][ND + 2];
    for (int i = 0; i < 200; i++) {
        char c[ND + 2], out[ND + 2];
        code_make(c, ND);
        assert_int_equal(strlen(c), ND + 1);
        assert_int_equal(strspn(c, CODE_ALPHABET), ND + 1);
        assert_int_equal(code_check_char(c, ND), c[ND]);
        cx_err e = {0};
        assert_int_equal(parse(c, out, &e), CX_OK);
        assert_string_equal(out, c);
        for (int j = 0; j < i; j++) assert_string_not_equal(seen[j], c); /* 60 random bits */
        memcpy(seen[i], c, sizeof c);
    }
    char one[3];
    code_make(one, 0); /* clamped to one data character */
    assert_int_equal(strlen(one), 2);
}

static void test_single_typos(void **st)
{
    (void)st;
    char c[ND + 2];
    code_make(c, ND);
    for (int pos = 0; pos <= ND; pos++)
        for (const char *a = CODE_ALPHABET; *a; a++) {
            if (*a == c[pos]) continue;
            char t[ND + 2], out[ND + 2];
            memcpy(t, c, sizeof t);
            t[pos] = *a;
            cx_err e = {0};
            assert_int_equal(parse(t, out, &e), CX_ERR);
            assert_string_equal(e.code, "code_check");
            assert_string_equal(e.field, "code");
            assert_non_null(strstr(e.msg, "查询码"));
        }
}

static void test_swaps(void **st)
{
    (void)st;
    /* every pair of different neighbour values, swapped, in a code that is otherwise fixed */
    int missed = 0;
    for (int x = 0; x < 32; x++)
        for (int y = 0; y < 32; y++) {
            if (x == y) continue;
            char d[ND + 1] = "7K3M9QR2WX4P";
            d[4] = CODE_ALPHABET[x], d[5] = CODE_ALPHABET[y];
            char c[ND + 2], s[ND + 2];
            memcpy(c, d, ND);
            c[ND] = code_check_char(d, ND), c[ND + 1] = 0;
            memcpy(s, c, sizeof s);
            s[4] = c[5], s[5] = c[4];
            if (code_check_char(s, ND) == s[ND]) {
                missed++;
                /* the blind spot of Luhn mod N: the values 0 and N − 1 */
                assert_true((x == 0 && y == 31) || (x == 31 && y == 0));
            }
        }
    assert_int_equal(missed, 2);
}

static void test_parse_forgiving(void **st)
{
    (void)st;
    char c[ND + 2], f[64], out[ND + 2];
    memcpy(c, "1K0M9QR2WX4P", ND);
    c[ND] = code_check_char(c, ND), c[ND + 1] = 0;
    code_format(c, f, sizeof f);
    assert_int_equal(strlen(f), ND + 1 + 3); /* XXXX-XXXX-XXXX-X */
    assert_int_equal(f[4], '-');
    assert_int_equal(f[9], '-');
    assert_int_equal(f[14], '-');
    cx_err e = {0};
    assert_int_equal(parse(f, out, &e), CX_OK);
    assert_string_equal(out, c);
    /* lower case, spaces, I and L for 1, O for 0 */
    char typed[64];
    snprintf(typed, sizeof typed, " l k o m 9qr2-wx4p%c ", c[ND] >= 'A' ? c[ND] + 32 : c[ND]);
    assert_int_equal(parse(typed, out, &e), CX_OK);
    assert_string_equal(out, c);
    typed[1] = 'I';
    assert_int_equal(parse(typed, out, &e), CX_OK);
    assert_string_equal(out, c);
}

static void test_parse_refusals(void **st)
{
    (void)st;
    char out[ND + 2];
    const char *bad[] = {"", "   ", "ABC", "1K0M9QR2WX4PZZ", "1K0M9QR2WX4U", "1K0M9QR2WX4!", NULL};
    for (int i = 0; bad[i]; i++) {
        cx_err e = {0};
        assert_int_equal(parse(bad[i], out, &e), CX_ERR);
        assert_string_equal(e.code, "invalid_code");
        assert_string_equal(e.field, "code");
        assert_int_equal(e.status, 400);
    }
    cx_err e = {0};
    assert_int_equal(parse(NULL, out, &e), CX_ERR);
    assert_string_equal(e.code, "invalid_code");
    /* an output buffer too small is refused, not overrun */
    char c[ND + 2], tiny[4];
    code_make(c, ND);
    assert_int_equal(code_parse(c, ND, tiny, sizeof tiny, "code", "查询码", &e), CX_ERR);
}

static void test_format_bounds(void **st)
{
    (void)st;
    char out[8];
    code_format("ABCDEFGHJK", out, sizeof out);
    assert_string_equal(out, "ABCD-E"); /* cut short, never overrun */
    char one[2];
    code_format("ABCD", one, sizeof one);
    assert_string_equal(one, "");
    char empty[4];
    code_format("", empty, sizeof empty);
    assert_string_equal(empty, "");
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_char),     cmocka_unit_test(test_make),           cmocka_unit_test(test_single_typos),
        cmocka_unit_test(test_swaps),          cmocka_unit_test(test_parse_forgiving), cmocka_unit_test(test_parse_refusals),
        cmocka_unit_test(test_format_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
