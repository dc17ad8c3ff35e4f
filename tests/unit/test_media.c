/* test_media.c: uploaded images lose their metadata (EXIF with GPS, XMP, comments, PNG text). */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "../../src/lib/media.h"

static size_t seg(unsigned char *o, unsigned char marker, const char *body, size_t blen)
{
    size_t len = blen + 2;
    o[0] = 0xFF, o[1] = marker, o[2] = (unsigned char)(len >> 8), o[3] = (unsigned char)len;
    memcpy(o + 4, body, blen);
    return 4 + blen;
}

static bool has(const unsigned char *p, size_t n, const char *s)
{
    size_t k = strlen(s);
    for (size_t i = 0; i + k <= n; i++)
        if (!memcmp(p + i, s, k)) return true;
    return false;
}

static void test_jpeg(void **st)
{
    (void)st;
    unsigned char in[512], out[512];
    size_t n = 0;
    in[n++] = 0xFF, in[n++] = 0xD8;
    n += seg(in + n, 0xE0, "JFIF\0\1\1\0\0\1\0\1\0\0", 14);
    n += seg(in + n, 0xE1, "Exif\0\0GPSLatitude=39.9042 GPSLongitude=116.4074", 47);
    n += seg(in + n, 0xE1, "http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>北京</x:xmpmeta>", 57);
    n += seg(in + n, 0xFE, "taken at home", 13);
    n += seg(in + n, 0xDB, "\0quanttable", 11);
    n += seg(in + n, 0xC0, "\x08\0\x10\0\x10\x01\x01\x11\0", 9);
    n += seg(in + n, 0xEE, "Adobe\0d\0\0\0\0\1", 12);
    n += seg(in + n, 0xDA, "\x01\x01\0\0\x3f\0", 6);
    const char scan[] = "\x12\x34\xFF\x00\x56\xFF\xD0\x78";
    memcpy(in + n, scan, 8), n += 8;
    in[n++] = 0xFF, in[n++] = 0xD9;
    size_t m = media_strip("image/jpeg", in, n, out);
    assert_true(m < n);
    assert_false(has(out, m, "GPSLatitude"));
    assert_false(has(out, m, "xmpmeta"));
    assert_false(has(out, m, "taken at home"));
    assert_true(has(out, m, "JFIF"));
    assert_true(has(out, m, "Adobe"));
    assert_true(has(out, m, "quanttable"));
    assert_memory_equal(out + m - 10, scan, 8); /* the scan data, byte for byte, and EOI */
    assert_int_equal(out[m - 1], 0xD9);
    /* a truncated or malformed JPEG is copied unchanged */
    size_t t = media_strip("image/jpeg", in, 30, out);
    assert_int_equal(t, 30);
    assert_memory_equal(out, in, 30);
}

static size_t chunk(unsigned char *o, const char *type, const char *data, size_t len)
{
    o[0] = (unsigned char)(len >> 24), o[1] = (unsigned char)(len >> 16), o[2] = (unsigned char)(len >> 8), o[3] = (unsigned char)len;
    memcpy(o + 4, type, 4);
    memcpy(o + 8, data, len);
    memset(o + 8 + len, 0xAB, 4); /* CRC: not checked here */
    return 12 + len;
}

static void test_png(void **st)
{
    (void)st;
    unsigned char in[512], out[512];
    size_t n = 8;
    memcpy(in, "\x89PNG\r\n\x1a\n", 8);
    n += chunk(in + n, "IHDR", "\0\0\0\1\0\0\0\1\x08\x06\0\0\0", 13);
    n += chunk(in + n, "tEXt", "Comment\0home address", 20);
    n += chunk(in + n, "eXIf", "MM\0*GPSInfo", 11);
    n += chunk(in + n, "tIME", "\x07\xea\x0c\x06\x0c\x00\x00", 7);
    n += chunk(in + n, "IDAT", "pixels", 6);
    n += chunk(in + n, "IEND", "", 0);
    size_t m = media_strip("image/png", in, n, out);
    assert_int_equal(m, n - (12 + 20) - (12 + 11) - (12 + 7));
    assert_false(has(out, m, "home address"));
    assert_false(has(out, m, "GPSInfo"));
    assert_true(has(out, m, "IHDR") && has(out, m, "IDAT") && has(out, m, "IEND"));
    /* a PDF (or anything else) is copied as it is */
    const char pdf[] = "%PDF-1.4 /Author (someone)";
    assert_int_equal(media_strip("application/pdf", pdf, sizeof pdf, out), sizeof pdf);
    assert_memory_equal(out, pdf, sizeof pdf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_jpeg), cmocka_unit_test(test_png)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
