/* test_carrier.c: a carrier's items as typed, one a line (domain/carrier.h), and the phase calendar. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <string.h>
#include "domain/carrier.h"

static void test_items(void **st)
{
    (void)st;
    carrier_items_ok *out = malloc(sizeof *out);
    cx_err e = {0};
    /* full-width bars, blank lines, CRLF, an item without evidence wording, 组织 / org */
    assert_int_equal(carrier_items_check(" 谏一言 ｜ 党员 ｜ 书面建议 \r\n\n献一策|member\r\n帮一户 | 组织 | 记录", true, out, &e), CX_OK);
    assert_int_equal(out->n, 3);
    assert_string_equal(out->item[0].title, "谏一言");
    assert_string_equal(out->item[0].target, "member");
    assert_string_equal(out->item[0].evidence, "书面建议");
    assert_string_equal(out->item[1].evidence, "");
    assert_string_equal(out->item[2].target, "org");
    /* the text form reads back the same */
    char *t = carrier_items_text(out);
    carrier_items_ok *again = malloc(sizeof *again);
    assert_int_equal(carrier_items_check(t, true, again, &e), CX_OK);
    assert_memory_equal(again->item, out->item, sizeof out->item[0] * 3);
    free(t);
    free(again);
    assert_int_equal(carrier_items_check(NULL, false, out, &e), CX_OK);
    assert_int_equal(out->n, 0);
    struct {
        const char *text, *code, *msg_part;
    } bad[] = {
        {"", "required", "载体事项"},
        {"谏一言", "invalid_item", "第 1 行"},
        {"谏一言 | 党员\n献一策 | 群众", "invalid_target", "第 2 行的对象“群众”"},
        {"谏一言 | 党员\n\n谏一言 | 组织", "duplicate_item", "第 3 行"},
        {" | 党员", "required", "第 1 行的事项名称"},
        {"一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十多 | 党员", "too_long", "第 1 行"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&e, 0, sizeof e);
        assert_int_equal(carrier_items_check(bad[i].text, true, out, &e), CX_ERR);
        assert_string_equal(e.code, bad[i].code);
        assert_string_equal(e.field, "items");
        assert_non_null(strstr(e.msg, bad[i].msg_part));
    }
    char many[2048] = "";
    for (int i = 0; i <= CARRIER_ITEMS_MAX; i++) snprintf(many + strlen(many), sizeof many - strlen(many), "事项%d | 党员\n", i);
    assert_int_equal(carrier_items_check(many, true, out, &e), CX_ERR);
    assert_string_equal(e.code, "too_many_items");
    free(out);
}

static void test_phase(void **st)
{
    (void)st;
    assert_int_equal(carrier_phase_state("2026-03-01", "2026-03-01", "2026-06-30"), 0);
    assert_int_equal(carrier_phase_state("2026-06-30", "2026-03-01", "2026-06-30"), 0);
    assert_int_equal(carrier_phase_state("2026-02-28", "2026-03-01", "2026-06-30"), -1);
    assert_int_equal(carrier_phase_state("2026-07-01", "2026-03-01", "2026-06-30"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_items), cmocka_unit_test(test_phase)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
