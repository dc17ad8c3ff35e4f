/* test_buf.c: unit tests of the growable buffer and its HTML, URL, JSON and CSV escapers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/buf.h"

/* Runs one escaper on in into a fresh buffer and compares with want. */
static void expect_esc(void (*fn)(buf *, const char *), const char *in, const char *want)
{
    buf b;
    buf_init(&b);
    fn(&b, in);
    char got[1024];
    snprintf(got, sizeof got, "%s", b.p ? b.p : "");
    size_t len = b.len;
    buf_free(&b);
    if (strcmp(got, want) != 0) fail_msg("\"%s\" became \"%s\", want \"%s\"", in ? in : "(null)", got, want);
    assert_int_equal(len, strlen(want));
}

static void test_add_and_grow(void **state)
{
    (void)state;
    buf b;
    buf_init(&b);
    assert_null(b.p);
    assert_int_equal(b.len, 0);
    buf_adds(&b, "党员");
    buf_addc(&b, ':');
    buf_add(&b, "abcdef", 3);
    buf_adds(&b, NULL); /* ignored */
    buf_add(&b, "", 0);
    assert_string_equal(b.p, "党员:abc");
    assert_int_equal(b.len, strlen("党员:abc"));

    /* grow across many reallocations; contents and NUL are kept */
    buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.p, "");
    char expect[10001];
    for (int i = 0; i < 10000; i++) {
        char c = (char)('a' + i % 26);
        buf_addc(&b, c);
        expect[i] = c;
    }
    expect[10000] = 0;
    assert_int_equal(b.len, 10000);
    assert_true(b.cap > b.len);
    assert_string_equal(b.p, expect);

    /* a single large add */
    buf_reset(&b);
    char *big = malloc(100000);
    assert_non_null(big);
    memset(big, 'x', 99999);
    big[99999] = 0;
    buf_add(&b, big, 99999);
    assert_int_equal(b.len, 99999);
    assert_int_equal(strlen(b.p), 99999);
    assert_memory_equal(b.p, big, 99999);
    free(big);

    /* binary data with NUL bytes keeps its length */
    buf_reset(&b);
    buf_add(&b, "a\0b", 3);
    assert_int_equal(b.len, 3);
    assert_memory_equal(b.p, "a\0b\0", 4);
    buf_free(&b);
    assert_null(b.p);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
}

static void test_printf(void **state)
{
    (void)state;
    buf b;
    buf_init(&b);
    buf_printf(&b, "%s=%d", "count", 42);
    buf_printf(&b, ", %s", "入党时间");
    assert_string_equal(b.p, "count=42, 入党时间");
    assert_int_equal(b.len, strlen("count=42, 入党时间"));

    /* output longer than the initial capacity, appended after existing text */
    char longs[3000];
    memset(longs, 'y', sizeof longs - 1);
    longs[sizeof longs - 1] = 0;
    buf_printf(&b, "[%s]", longs);
    assert_int_equal(b.len, strlen("count=42, 入党时间") + 2 + 2999);
    assert_int_equal(strlen(b.p), b.len);
    assert_memory_equal(b.p + b.len - 3001, "[", 1);
    assert_int_equal(b.p[b.len - 1], ']');

    /* an empty result adds nothing */
    size_t before = b.len;
    buf_printf(&b, "%s", "");
    assert_int_equal(b.len, before);
    buf_free(&b);

    /* many small printf calls in a row */
    buf_init(&b);
    for (int i = 0; i < 1000; i++) buf_printf(&b, "%d,", i % 10);
    assert_int_equal(b.len, 2000);
    assert_memory_equal(b.p, "0,1,2,3,4,5,6,7,8,9,0,", 22);
    assert_memory_equal(b.p + 1980, "0,1,2,3,4,5,6,7,8,9,", 20);
    buf_free(&b);
}

static void test_take(void **state)
{
    (void)state;
    buf b;
    buf_init(&b);
    buf_adds(&b, "hello ");
    buf_printf(&b, "%s", "world");
    char *s = buf_take(&b);
    assert_string_equal(s, "hello world");
    /* the buffer is left empty and usable */
    assert_null(b.p);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    buf_adds(&b, "again");
    assert_string_equal(b.p, "again");
    assert_string_equal(s, "hello world"); /* the taken string is independent */
    free(s);
    buf_free(&b);

    /* taking from a buffer that never had anything gives "" (a string the caller frees) */
    buf_init(&b);
    s = buf_take(&b);
    assert_non_null(s);
    assert_string_equal(s, "");
    free(s);
    buf_free(&b);
}

static void test_html(void **state)
{
    (void)state;
    expect_esc(buf_html, "plain 文本", "plain 文本");
    expect_esc(buf_html, "a & b", "a &amp; b");
    expect_esc(buf_html, "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;");
    expect_esc(buf_html, "\"><img src=x onerror=alert(1)>", "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
    expect_esc(buf_html, "it's", "it&#39;s");
    expect_esc(buf_html, "&amp;", "&amp;amp;"); /* escaping is not undone */
    expect_esc(buf_html, "<<>>", "&lt;&lt;&gt;&gt;");
    expect_esc(buf_html, "", "");
    expect_esc(buf_html, NULL, "");

    /* appends after existing text */
    buf b;
    buf_init(&b);
    buf_adds(&b, "<p>");
    buf_html(&b, "x<y");
    buf_adds(&b, "</p>");
    assert_string_equal(b.p, "<p>x&lt;y</p>");
    buf_free(&b);
}

static void test_urlenc(void **state)
{
    (void)state;
    expect_esc(buf_urlenc, "abcXYZ019-_.~", "abcXYZ019-_.~");
    expect_esc(buf_urlenc, "a b", "a%20b");
    expect_esc(buf_urlenc, "a&b=c?d#e/f+g%", "a%26b%3Dc%3Fd%23e%2Ff%2Bg%25");
    expect_esc(buf_urlenc, "\"'<>", "%22%27%3C%3E");
    expect_esc(buf_urlenc, "党", "%E5%85%9A");
    expect_esc(buf_urlenc, "\n\x7f\xff", "%0A%7F%FF");
    expect_esc(buf_urlenc, "", "");
    expect_esc(buf_urlenc, NULL, "");
}

static void test_json_str(void **state)
{
    (void)state;
    expect_esc(buf_json_str, "plain", "\"plain\"");
    expect_esc(buf_json_str, "", "\"\"");
    expect_esc(buf_json_str, NULL, "\"\"");
    expect_esc(buf_json_str, "say \"hi\"", "\"say \\\"hi\\\"\"");
    expect_esc(buf_json_str, "C:\\dir", "\"C:\\\\dir\"");
    expect_esc(buf_json_str, "a\nb\rc\td", "\"a\\nb\\rc\\td\"");
    expect_esc(buf_json_str, "\x01\x08\x0c\x1f", "\"\\u0001\\u0008\\u000c\\u001f\"");
    /* "<" cannot close a <script> element */
    expect_esc(buf_json_str, "</script><script>alert(1)</script>",
               "\"\\u003c/script>\\u003cscript>alert(1)\\u003c/script>\"");
    expect_esc(buf_json_str, "<!--", "\"\\u003c!--\"");
    /* UTF-8 passes through */
    expect_esc(buf_json_str, "创先争优", "\"创先争优\"");
}

static void test_csv_field(void **state)
{
    (void)state;
    expect_esc(buf_csv_field, "张三", "张三");
    expect_esc(buf_csv_field, "plain text", "plain text");
    expect_esc(buf_csv_field, "", "");
    expect_esc(buf_csv_field, NULL, "");
    expect_esc(buf_csv_field, "a,b", "\"a,b\"");
    expect_esc(buf_csv_field, "say \"hi\"", "\"say \"\"hi\"\"\"");
    expect_esc(buf_csv_field, "\"", "\"\"\"\"");
    expect_esc(buf_csv_field, "line1\nline2", "\"line1\nline2\"");
    expect_esc(buf_csv_field, "line1\r\nline2", "\"line1\r\nline2\"");
    /* digits and dates are left alone (an id stays one field) */
    expect_esc(buf_csv_field, "11010519491231002X", "11010519491231002X");
    expect_esc(buf_csv_field, "2020-01-05", "2020-01-05");
}

static void test_csv_formula_injection(void **state)
{
    (void)state;
    /* a leading = + - @ would make Excel run a formula: quoted and prefixed with ' */
    expect_esc(buf_csv_field, "=1+1", "\"'=1+1\"");
    expect_esc(buf_csv_field, "+86 138", "\"'+86 138\"");
    expect_esc(buf_csv_field, "-2+3", "\"'-2+3\"");
    expect_esc(buf_csv_field, "@SUM(A1:A2)", "\"'@SUM(A1:A2)\"");
    expect_esc(buf_csv_field, "=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
    expect_esc(buf_csv_field, "=cmd|' /C calc'!A0,x", "\"'=cmd|' /C calc'!A0,x\"");
    /* the characters are harmless further in */
    expect_esc(buf_csv_field, "a=b", "a=b");
    expect_esc(buf_csv_field, "x@y.cn", "x@y.cn");
    expect_esc(buf_csv_field, "010-12345678", "010-12345678");

    /* a row of fields */
    buf b;
    buf_init(&b);
    const char *row[] = {"姓名", "=1+1", "a,b", "ok"};
    for (int i = 0; i < 4; i++) {
        if (i) buf_addc(&b, ',');
        buf_csv_field(&b, row[i]);
    }
    assert_string_equal(b.p, "姓名,\"'=1+1\",\"a,b\",ok");
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_and_grow), cmocka_unit_test(test_printf),
        cmocka_unit_test(test_take),         cmocka_unit_test(test_html),
        cmocka_unit_test(test_urlenc),       cmocka_unit_test(test_json_str),
        cmocka_unit_test(test_csv_field),    cmocka_unit_test(test_csv_formula_injection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
