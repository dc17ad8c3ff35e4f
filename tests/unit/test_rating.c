/* test_rating.c: the checks of what is typed on the rating side (domain/rating.h) as a careless
 * user types it: blanks, U+3000, one character too many, invalid UTF-8, line breaks, numbers out
 * of range, and what passes comes out trimmed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "domain/rating.h"

/* A string of n copies of the 3-byte character 字 (two in turn, for two fields of one call). */
static const char *chars(int n)
{
    static char buf[2][4096];
    static int k;
    char *b = buf[k ^= 1];
    b[0] = 0;
    for (int i = 0; i < n; i++) strcat(b, "字");
    return b;
}

/* The refusal rc with e: 400, its code and field. */
static void refused(int rc, const cx_err *e, const char *code, const char *field)
{
    assert_int_equal(rc, CX_ERR);
    assert_int_equal(e->status, 400);
    assert_string_equal(e->code, code);
    assert_string_equal(e->field, field);
}

static void test_window(void **st)
{
    (void)st;
    window_ok ok;
    cx_err e = {0};
    assert_int_equal(window_check(&(window_in){"\u3000 社保窗口\t", NULL}, &ok, &e), CX_OK);
    assert_string_equal(ok.name, "社保窗口");
    assert_string_equal(ok.location, "");
    assert_int_equal(window_check(&(window_in){chars(40), chars(60)}, &ok, &e), CX_OK);
    assert_int_equal(strlen(ok.location), 180);
    refused(window_check(&(window_in){NULL, "一楼"}, &ok, &e), &e, "required", "name");
    assert_non_null(strstr(e.msg, "窗口名称"));
    refused(window_check(&(window_in){"\u3000 \u3000", "一楼"}, &ok, &e), &e, "required", "name");
    refused(window_check(&(window_in){chars(41), NULL}, &ok, &e), &e, "too_long", "name");
    refused(window_check(&(window_in){"窗口\xe5\xbc", NULL}, &ok, &e), &e, "invalid_text", "name");
    refused(window_check(&(window_in){"窗口", chars(61)}, &ok, &e), &e, "too_long", "location");
    refused(window_check(&(window_in){"窗口", "一楼\xff"}, &ok, &e), &e, "invalid_text", "location");
    assert_int_equal(window_check(&(window_in){"窗口", "一楼\n2 号"}, &ok, &e), CX_OK); /* the location may break lines, as before */
}

static void test_paper_batch(void **st)
{
    (void)st;
    paper_batch_ok ok;
    cx_err e = {0};
    assert_int_equal(paper_batch_check(&(paper_batch_in){10, " 接待日\u3000"}, &ok, &e), CX_OK);
    assert_int_equal(ok.sheets, 10);
    assert_string_equal(ok.note, "接待日");
    assert_int_equal(paper_batch_check(&(paper_batch_in){PAPER_MAX_SHEETS, chars(100)}, &ok, &e), CX_OK);
    refused(paper_batch_check(&(paper_batch_in){0, NULL}, &ok, &e), &e, "invalid_sheets", "sheets");
    refused(paper_batch_check(&(paper_batch_in){PAPER_MAX_SHEETS + 1, NULL}, &ok, &e), &e, "invalid_sheets", "sheets");
    refused(paper_batch_check(&(paper_batch_in){-1, chars(101)}, &ok, &e), &e, "invalid_sheets", "sheets"); /* the sheets first */
    refused(paper_batch_check(&(paper_batch_in){1, chars(101)}, &ok, &e), &e, "too_long", "note");
    refused(paper_batch_check(&(paper_batch_in){1, "\xc3"}, &ok, &e), &e, "invalid_text", "note");
}

static void test_burst(void **st)
{
    (void)st;
    burst_ok ok;
    cx_err e = {0};
    assert_int_equal(burst_check(&(burst_in){NULL, true}, &ok, &e), CX_OK); /* releasing needs no note */
    assert_true(ok.release);
    assert_string_equal(ok.note, "");
    assert_int_equal(burst_check(&(burst_in){"\u3000同一网段集中刷票\r\n", false}, &ok, &e), CX_OK);
    assert_false(ok.release);
    assert_string_equal(ok.note, "同一网段集中刷票");
    refused(burst_check(&(burst_in){" \u3000 ", false}, &ok, &e), &e, "required", "note"); /* discarding does */
    assert_non_null(strstr(e.msg, "审核说明"));
    refused(burst_check(&(burst_in){chars(201), true}, &ok, &e), &e, "too_long", "note");
    assert_int_equal(burst_check(&(burst_in){chars(200), false}, &ok, &e), CX_OK);
    refused(burst_check(&(burst_in){"\xe5\x88", false}, &ok, &e), &e, "invalid_text", "note");
}

static void test_phone_draw(void **st)
{
    (void)st;
    phone_draw_ok ok;
    cx_err e = {0};
    static const char list[] = "13800138000\n";
    assert_int_equal(phone_draw_check(&(phone_draw_in){list, sizeof list - 1, "2", NULL, "abc"}, &ok, &e), CX_OK);
    assert_int_equal(ok.n, 2);
    assert_ptr_equal(ok.file, list);
    assert_string_equal(ok.commitment_id, "abc");
    assert_int_equal(phone_draw_check(&(phone_draw_in){list, 12, "2", "", "abc"}, &ok, &e), CX_OK); /* an empty seed is no seed */
    refused(phone_draw_check(&(phone_draw_in){list, 12, "2", "00ff", "abc"}, &ok, &e), &e, "seed_not_accepted", "seed");
    refused(phone_draw_check(&(phone_draw_in){list, 12, NULL, NULL, "abc"}, &ok, &e), &e, "invalid_n", "n");
    refused(phone_draw_check(&(phone_draw_in){list, 12, " ", NULL, "abc"}, &ok, &e), &e, "invalid_n", "n");
    refused(phone_draw_check(&(phone_draw_in){list, 12, "0", NULL, "abc"}, &ok, &e), &e, "invalid_n", "n");
    refused(phone_draw_check(&(phone_draw_in){list, 12, "2001", NULL, "abc"}, &ok, &e), &e, "invalid_n", "n");
    refused(phone_draw_check(&(phone_draw_in){list, 12, "２", NULL, "abc"}, &ok, &e), &e, "invalid_n", "n");
    refused(phone_draw_check(&(phone_draw_in){list, 12, "2", NULL, ""}, &ok, &e), &e, "commitment_required", "commitment_id");
    refused(phone_draw_check(&(phone_draw_in){NULL, 0, "2", NULL, "abc"}, &ok, &e), &e, "required", "file");
}

static void test_rating_phone(void **st)
{
    (void)st;
    rater_phone p;
    cx_err e = {0};
    assert_int_equal(rating_phone("13800138000", p.phone, &e), CX_OK);
    assert_string_equal(p.phone, "13800138000");
    refused(rating_phone(NULL, p.phone, &e), &e, "required", "phone");
    refused(rating_phone("", p.phone, &e), &e, "required", "phone");
    refused(rating_phone("1380013800", p.phone, &e), &e, "invalid_phone", "phone");   /* one digit short */
    refused(rating_phone("138001380001", p.phone, &e), &e, "invalid_phone", "phone"); /* one too many */
    refused(rating_phone("23800138000", p.phone, &e), &e, "invalid_phone", "phone");
    refused(rating_phone("1380013800\xe5", p.phone, &e), &e, "invalid_phone", "phone");
    assert_int_equal(rating_phone("\u3000 +86 138-0013\n8000 ", p.phone, &e), CX_OK); /* blanks, dashes, a line break: separators */
    assert_string_equal(p.phone, "13800138000");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_window), cmocka_unit_test(test_paper_batch), cmocka_unit_test(test_burst),
        cmocka_unit_test(test_phone_draw), cmocka_unit_test(test_rating_phone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
