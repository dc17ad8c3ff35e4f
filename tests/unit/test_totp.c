/* test_totp.c: unit tests of lib/totp.c against RFC 6238 appendix B (SHA-1), RFC 4226 appendix
 * D and RFC 4648 section 10; typed codes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "lib/totp.h"

static const unsigned char SEED[] = "12345678901234567890";

static void test_rfc6238_sha1(void **st)
{
    (void)st;
    static const struct {
        int64_t t;
        int32_t code8;
    } v[] = {{59, 94287082}, {1111111109, 7081804}, {1111111111, 14050471}, {1234567890, 89005924}, {2000000000, 69279037}};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        assert_int_equal(hotp_value(SEED, 20, totp_step_of(v[i].t), 8), v[i].code8);
        /* the six digits an app shows are the tail of the eight */
        assert_int_equal(hotp_value(SEED, 20, totp_step_of(v[i].t), 6), v[i].code8 % 1000000);
    }
    assert_int_equal(totp_step_of(59), 1);
    assert_int_equal(totp_step_of(1111111109), 37037036);
}

static void test_rfc4226(void **st)
{
    (void)st;
    static const int32_t hotp[] = {755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489};
    for (uint64_t c = 0; c < 10; c++) assert_int_equal(hotp_value(SEED, 20, c, 6), hotp[c]);
    assert_int_equal(hotp_value(SEED, 20, 0, 5), -1);
    assert_int_equal(hotp_value(SEED, 20, 0, 9), -1);
}

static void test_base32(void **st)
{
    (void)st;
    static const char *v[][2] = {{"", ""}, {"f", "MY"}, {"fo", "MZXQ"}, {"foo", "MZXW6"}, {"foob", "MZXW6YQ"}, {"fooba", "MZXW6YTB"},
                                 {"foobar", "MZXW6YTBOI"}};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char out[32];
        unsigned char back[32];
        size_t n = strlen(v[i][0]);
        assert_int_equal(base32_encode((const unsigned char *)v[i][0], n, out, sizeof out), strlen(v[i][1]));
        assert_string_equal(out, v[i][1]);
        assert_int_equal(base32_decode(v[i][1], back, sizeof back), (long)n);
        assert_memory_equal(back, v[i][0], n);
    }
    char s[TOTP_B32_LEN + 1];
    assert_int_equal(base32_encode(SEED, 20, s, sizeof s), TOTP_B32_LEN);
    assert_string_equal(s, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    assert_int_equal(base32_encode(SEED, 20, s, TOTP_B32_LEN), 0); /* no room for the NUL */
    unsigned char b[32];
    assert_int_equal(base32_decode("mzxw 6ytb oi======", b, sizeof b), 6); /* case, spaces, padding */
    assert_memory_equal(b, "foobar", 6);
    assert_int_equal(base32_decode("MZXW1", b, sizeof b), -1); /* 1 is not Base32 */
    assert_int_equal(base32_decode("MZ", b, 0), -1);           /* overflow */
    assert_int_equal(base32_decode("MZ7", b, sizeof b), -1);   /* leftover bits set */
}

static void test_parse(void **st)
{
    (void)st;
    assert_int_equal(totp_parse("123456"), 123456);
    assert_int_equal(totp_parse("012 345"), 12345);
    assert_int_equal(totp_parse("12345"), -1);
    assert_int_equal(totp_parse("1234567"), -1);
    assert_int_equal(totp_parse("12a456"), -1);
    assert_int_equal(totp_parse("１23456"), -1);
    assert_int_equal(totp_parse(""), -1);
    assert_int_equal(totp_parse(NULL), -1);
}

int main(void)
{
    const struct CMUnitTest t[] = {cmocka_unit_test(test_rfc6238_sha1), cmocka_unit_test(test_rfc4226), cmocka_unit_test(test_base32),
                                   cmocka_unit_test(test_parse)};
    return cmocka_run_group_tests(t, NULL, NULL);
}
