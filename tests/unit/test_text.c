/* test_text.c: the one rule for text fields (domain/text.h): trimmed as str_trim does (U+3000
 * too), the same four errors on every field, line breaks refused where the field is one line, the
 * buffer never overrun. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "../../src/domain/text.h"

static const text_rule NAME = {"name", "姓名", 1, 4, true}, NOTE = {"note", "备注", 0, 6, false}, TEXT = {"text", "内容", 3, 10, false};

static void fails(const text_rule *r, const char *src, const char *code, const char *msg_part)
{
    char out[64] = "x";
    cx_err e = {0};
    assert_int_equal(text_check(r, src, out, sizeof out, &e), CX_ERR);
    assert_int_equal(e.status, 400);
    assert_string_equal(e.code, code);
    assert_string_equal(e.field, r->field);
    assert_non_null(strstr(e.msg, r->label));
    assert_non_null(strstr(e.msg, msg_part));
    assert_string_equal(out, ""); /* nothing half-copied */
}

static void passes(const text_rule *r, const char *src, const char *want)
{
    char out[64];
    cx_err e = {0};
    assert_int_equal(text_check(r, src, out, sizeof out, &e), CX_OK);
    assert_string_equal(out, want);
    char *d = text_dup(r, src, &e);
    assert_non_null(d);
    assert_string_equal(d, want);
    free(d);
}

static void test_trim_and_bounds(void **st)
{
    (void)st;
    passes(&NAME, "\u3000 林晓红\t\r\n", "林晓红");
    passes(&NAME, "张三李四", "张三李四");          /* 4 characters, 12 bytes */
    passes(&NOTE, NULL, "");
    passes(&NOTE, " \u3000 ", "");
    passes(&TEXT, "第一行\n第二行", "第一行\n第二行");    /* several lines where the field allows them */
    fails(&NAME, NULL, "required", "不能为空");
    fails(&NAME, "\u3000\u3000", "required", "不能为空");
    fails(&NAME, "张三李四五", "too_long", "不能超过 4 个字（现有 5 个字）");
    fails(&NAME, "张三\n李四", "invalid_text", "不能换行");
    fails(&NAME, "\xe5\xbc", "invalid_text", "含有无效字符");
    fails(&TEXT, "好的", "too_short", "至少 3 个字");
    fails(&TEXT, " ", "too_short", "至少 3 个字");
    fails(&NOTE, "一二三四五六七", "too_long", "不能超过 6 个字");
}

static void test_buffer_never_overrun(void **st)
{
    (void)st;
    text_rule wide = {"text", "内容", 0, 1000, false};
    char out[8];
    cx_err e = {0};
    assert_int_equal(text_check(&wide, "一二三", out, sizeof out, &e), CX_ERR); /* 9 bytes into 8 */
    assert_string_equal(e.code, "too_long");
    assert_int_equal(text_check(&wide, "一二", out, sizeof out, &e), CX_OK);
    assert_string_equal(out, "一二");
    char cut[5];
    text_copy(cut, sizeof cut, "  abcdefg ");
    assert_string_equal(cut, "abcd");
}

/* Names and contacts as a public page shows them: by characters, never cutting one. */
static void test_mask(void **st)
{
    char m[64];
    text_mask("张静萍", false, m, sizeof m);
    assert_string_equal(m, "张**");
    text_mask("欧阳娜娜慧敏", false, m, sizeof m);
    assert_string_equal(m, "欧****");
    text_mask("张", false, m, sizeof m);
    assert_string_equal(m, "*");
    text_mask("13812345678", true, m, sizeof m);
    assert_string_equal(m, "138****5678");
    text_mask("12345", true, m, sizeof m);
    assert_string_equal(m, "1****");
    char small[5];
    text_mask("张静萍", false, small, sizeof small); /* room for 张 (3 bytes) and one star */
    assert_string_equal(small, "张*");
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_trim_and_bounds), cmocka_unit_test(test_buffer_never_overrun), cmocka_unit_test(test_mask)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
