/* test_idcard.c: unit tests of 身份证号 and phone validation, normalisation and masking. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "domain/idcard.h"

/* Validates in and expects failure with the given code and a message containing want. */
static void expect_id_fail(const char *in, const char *code, const char *want)
{
    char out[19] = "untouched";
    cx_err e;
    memset(&e, 0, sizeof e);
    if (idcard_validate(in, out, &e) != CX_ERR) fail_msg("accepted %s", in);
    assert_string_equal(e.code, code);
    assert_string_equal(e.field, "idcard");
    if (!strstr(e.msg, want)) fail_msg("for %s: message \"%s\" lacks \"%s\"", in, e.msg, want);
    assert_non_null(strstr(e.msg, "身份证号"));
    assert_string_equal(out, "untouched");
}

static void expect_id_ok(const char *in, const char *want)
{
    char out[19];
    cx_err e;
    memset(&e, 0, sizeof e);
    if (idcard_validate(in, out, &e) != CX_OK) fail_msg("rejected \"%s\": %s", in, e.msg);
    assert_string_equal(out, want);
}

static void test_check_char(void **state)
{
    (void)state;
    /* Reference values computed independently (ISO 7064 MOD 11-2). */
    assert_int_equal(idcard_check_char("11010519491231002"), 'X');
    assert_int_equal(idcard_check_char("44052418800101001"), '4');
    assert_int_equal(idcard_check_char("41020320000229123"), '9');
    assert_int_equal(idcard_check_char("41020319900101123"), '6');
    assert_int_equal(idcard_check_char("11010519491231003"), '8');
    assert_int_equal(idcard_check_char("00000000000000000"), '1');
    assert_int_equal(idcard_check_char("1101051949123100A"), 0);
    assert_int_equal(idcard_check_char("1101"), 0);
    assert_int_equal(idcard_check_char(NULL), 0);
}

static void test_valid_ids(void **state)
{
    (void)state;
    expect_id_ok("11010519491231002X", "11010519491231002X");
    expect_id_ok("410223198506150048", "410223198506150048");
    expect_id_ok("410223200401015675", "410223200401015675");
    expect_id_ok("410203200002291239", "410203200002291239"); /* 2000-02-29: a leap day */
    expect_id_ok("410203199001011236", "410203199001011236");
    /* e may be NULL, and so may out */
    assert_int_equal(idcard_validate("11010519491231002X", NULL, NULL), CX_OK);
}

static void test_normalisation(void **state)
{
    (void)state;
    expect_id_ok("11010519491231002x", "11010519491231002X");
    expect_id_ok("  11010519491231002X\t\r\n", "11010519491231002X");
    expect_id_ok("\xe3\x80\x80" "11010519491231002X" "\xe3\x80\x80", "11010519491231002X"); /* U+3000 */
    expect_id_ok("\xc2\xa0" "11010519491231002x" "\xc2\xa0", "11010519491231002X");         /* NBSP */
    /* full-width digits and Ｘ, as some input methods type them */
    expect_id_ok("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X");
    expect_id_ok("１１０１０５１９４９１２３１００２ｘ", "11010519491231002X");
}

static void test_length_and_characters(void **state)
{
    (void)state;
    expect_id_fail("", "invalid_idcard", "不能为空");
    expect_id_fail("   ", "invalid_idcard", "不能为空");
    expect_id_fail(NULL, "invalid_idcard", "不能为空");
    expect_id_fail("1101051949123100", "invalid_idcard", "长度应为18位（当前为16位）");
    expect_id_fail("11010519491231002X1", "invalid_idcard", "长度应为18位（当前为19位）");
    expect_id_fail("110105194912310", "invalid_idcard", "长度应为18位");
    expect_id_fail("110105 19491231 002X", "invalid_idcard", "中间不能有空格");
    expect_id_fail("1101051949123100AX", "invalid_idcard", "前17位应为数字");
    expect_id_fail("X10105194912310020", "invalid_idcard", "前17位应为数字");
    expect_id_fail("11010519491231002Y", "invalid_idcard", "第18位应为数字或 X");
    expect_id_fail("11010519491231002中", "invalid_idcard", "第18位应为数字或 X");
    expect_id_fail("1101051949123100中X", "invalid_idcard", "前17位应为数字");
    expect_id_fail("01010519491231002X", "invalid_idcard", "地区码无效");
}

static void test_birth_dates(void **state)
{
    (void)state;
    char id[64];
    /* Each id below has a correct check character, so only the date can be at fault. */
    const char *bad[] = {"11010519491332", "11010519490230", "11010519010229", "11010519000229",
                         "11010518991231", "11010519490000", "11010519491200"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(id, sizeof id, "%s002", bad[i]);
        id[17] = idcard_check_char(id);
        id[18] = 0;
        expect_id_fail(id, "invalid_idcard", "出生日期无效");
    }
    /* 1904-02-29 and 2004-02-29 exist; 1900-02-29 does not (above) */
    snprintf(id, sizeof id, "%s", "41020319040229002");
    id[17] = idcard_check_char(id);
    id[18] = 0;
    expect_id_ok(id, id);
    /* a birth date after today */
    snprintf(id, sizeof id, "%s", "41020320990101002");
    id[17] = idcard_check_char(id);
    id[18] = 0;
    expect_id_fail(id, "invalid_idcard", "出生日期晚于今天（2099-01-01）");
    /* tomorrow is in the future, today is not */
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    snprintf(id, sizeof id, "410203%04d%02d%02d002", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    id[17] = idcard_check_char(id);
    id[18] = 0;
    expect_id_ok(id, id);
    t += 86400 + 3600;
    localtime_r(&t, &tm);
    snprintf(id, sizeof id, "410203%04d%02d%02d002", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    id[17] = idcard_check_char(id);
    id[18] = 0;
    expect_id_fail(id, "invalid_idcard", "出生日期晚于今天");
}

static void test_check_char_errors(void **state)
{
    (void)state;
    expect_id_fail("110105194912310020", "invalid_idcard", "校验码错误（应为 X）");
    expect_id_fail("410223198506150049", "invalid_idcard", "校验码错误（应为 8）");
    expect_id_fail("410223200401015670", "invalid_idcard", "校验码错误（应为 5）");
    expect_id_fail("11010519491231003X", "invalid_idcard", "校验码错误（应为 8）");
    /* one digit mistyped in the middle also shows up as a wrong check character */
    expect_id_fail("11010519491231012X", "invalid_idcard", "校验码错误");
}

static void test_excel_numbers(void **state)
{
    (void)state;
    cx_err e;
    assert_int_equal(idcard_validate("4.40106E+17", NULL, &e), CX_ERR);
    assert_string_equal(e.code, "idcard_excel_number");
    assert_string_equal(e.field, "idcard");
    assert_string_equal(e.msg, "身份证号被 Excel 转成了数字（4.40106E+17），请把该列设为“文本”格式后重新填写");
    expect_id_fail(" 4.40106199001011e+17 ", "idcard_excel_number", "（4.40106199001011e+17）");
    expect_id_fail("4.4010619900101E17", "idcard_excel_number", "Excel");
    expect_id_fail("440106199001011000.0", "idcard_excel_number", "“文本”格式");
    /* a double keeps 15 digits: the last three became 0 and the check fails */
    expect_id_fail("440106199001011000", "idcard_excel_number", "末尾几位变成了 0");

    assert_true(idcard_looks_excel_number("4.40106E+17"));
    assert_true(idcard_looks_excel_number("4.40106e+17"));
    assert_true(idcard_looks_excel_number("  4.40106E+17\t"));
    assert_true(idcard_looks_excel_number("4.40106199001011E+17"));
    assert_true(idcard_looks_excel_number("4E+17"));
    assert_true(idcard_looks_excel_number("440106199001011000.0"));
    assert_false(idcard_looks_excel_number("11010519491231002X"));
    assert_false(idcard_looks_excel_number("440106199001011000"));
    assert_false(idcard_looks_excel_number("1.5"));
    assert_false(idcard_looks_excel_number("1E+5"));
    assert_false(idcard_looks_excel_number("E+17"));
    assert_false(idcard_looks_excel_number("4.40106E+"));
    assert_false(idcard_looks_excel_number("4.40106E+17x"));
    assert_false(idcard_looks_excel_number(""));
    assert_false(idcard_looks_excel_number(NULL));
}

/* A masked number copied from an export or a list is named as such, not as a bad number. */
static void test_masked_values(void **state)
{
    (void)state;
    expect_id_fail("440106********1234", "idcard_masked", "脱敏");
    expect_id_fail(" 440106＊＊＊＊＊＊＊＊1234 ", "idcard_masked", "完整导出");
    cx_err e;
    memset(&e, 0, sizeof e);
    assert_int_equal(phone_validate("138****8000", (char[32]){0}, &e), CX_ERR);
    assert_string_equal(e.code, "phone_masked");
    assert_string_equal(e.field, "phone");
    assert_non_null(strstr(e.msg, "联系电话是脱敏后的号码"));
}

static void test_birth_and_sex(void **state)
{
    (void)state;
    char b[11];
    idcard_birth("11010519491231002X", b);
    assert_string_equal(b, "1949-12-31");
    assert_int_equal(idcard_sex("11010519491231002X"), 2); /* 17th digit 2: female */
    idcard_birth("440524188001010014", b);
    assert_string_equal(b, "1880-01-01");
    assert_int_equal(idcard_sex("440524188001010014"), 1); /* 17th digit 1: male */
    assert_int_equal(idcard_sex("410223198506150048"), 2);
    assert_int_equal(idcard_sex("410223200401015675"), 1);
    idcard_birth("410203200002291239", b);
    assert_string_equal(b, "2000-02-29");
}

static void test_id_mask(void **state)
{
    (void)state;
    char m[19];
    idcard_mask("110105194912310020", m);
    assert_string_equal(m, "110105********0020");
    idcard_mask("11010519491231002X", m);
    assert_string_equal(m, "110105********002X");
    /* anything but a normalised id reveals nothing */
    idcard_mask("1101051949", m);
    assert_string_equal(m, "**********");
    idcard_mask("11010519491231002X123", m);
    assert_string_equal(m, "******************");
    idcard_mask(NULL, m);
    assert_string_equal(m, "");
}

static void expect_phone_ok(const char *in, const char *want)
{
    char out[32];
    cx_err e;
    memset(&e, 0, sizeof e);
    if (phone_validate(in, out, &e) != CX_OK) fail_msg("rejected \"%s\": %s", in, e.msg);
    assert_string_equal(out, want);
}

static void expect_phone_fail(const char *in, const char *want)
{
    char out[32] = "untouched";
    cx_err e;
    memset(&e, 0, sizeof e);
    if (phone_validate(in, out, &e) != CX_ERR) fail_msg("accepted \"%s\" as %s", in, out);
    assert_string_equal(e.code, "invalid_phone");
    assert_string_equal(e.field, "phone");
    assert_non_null(strstr(e.msg, "联系电话"));
    if (!strstr(e.msg, want)) fail_msg("for \"%s\": message \"%s\" lacks \"%s\"", in, e.msg, want);
    assert_string_equal(out, "untouched");
}

static void test_mobiles(void **state)
{
    (void)state;
    expect_phone_ok("13800138000", "13800138000");
    expect_phone_ok("+86 138 0013 8000", "13800138000");
    expect_phone_ok("+86-138-0013-8000", "13800138000");
    expect_phone_ok("138-0013-8000", "13800138000");
    expect_phone_ok(" 138 0013 8000 ", "13800138000");
    expect_phone_ok("8613800138000", "13800138000");
    expect_phone_ok("0086 13800138000", "13800138000");
    expect_phone_ok("\xe3\x80\x80" "19912345678", "19912345678");
    assert_int_equal(phone_validate("15912345678", (char[32]){0}, NULL), CX_OK);

    expect_phone_fail("", "不能为空");
    expect_phone_fail(NULL, "不能为空");
    expect_phone_fail("1380013800", "手机号应为11位（当前为10位）");
    expect_phone_fail("138001380001", "手机号应为11位（当前为12位）");
    expect_phone_fail("12800138000", "第2位应为3-9");
    expect_phone_fail("13800138000转12", "手机号不能带分机号");
    expect_phone_fail("138OO138000", "无效字符");
    expect_phone_fail("abc", "无效字符");
    expect_phone_fail("+1 650 253 0000", "只支持中国大陆号码");
    expect_phone_fail("12345", "格式不正确");
    expect_phone_fail("---", "格式不正确");
    expect_phone_fail("1380013800013800138000138001380001380013800138000", "过长");
}

static void test_landlines(void **state)
{
    (void)state;
    expect_phone_ok("010-12345678", "010-12345678");
    expect_phone_ok("01012345678", "010-12345678");
    expect_phone_ok("(010)12345678", "010-12345678");
    expect_phone_ok("010 1234 5678", "010-12345678");
    expect_phone_ok("0371-68888888", "0371-68888888");
    expect_phone_ok("0371-6888888", "0371-6888888");
    expect_phone_ok("037168888888", "0371-68888888");
    expect_phone_ok("+86 10 12345678", "010-12345678");
    expect_phone_ok("+86 371 68888888", "0371-68888888");
    /* extensions: a marker, or a dash after the 7-8 digit number */
    expect_phone_ok("010-12345678-801", "010-12345678-801");
    expect_phone_ok("0371-6888888转123", "0371-6888888-123");
    expect_phone_ok("0371-68888888 转 1234", "0371-68888888-1234");
    expect_phone_ok("010-12345678 ext 12", "010-12345678-12");
    expect_phone_ok("010-12345678#5", "010-12345678-5");
    expect_phone_ok("0371-6888-8888", "0371-68888888");

    expect_phone_fail("87654321", "请加区号");
    expect_phone_fail("6888888", "请加区号");
    expect_phone_fail("010-1234", "应为7-8位，当前为4位");
    expect_phone_fail("010-123456789", "应为7-8位，当前为9位");
    expect_phone_fail("010-01234567", "不能以0开头");
    expect_phone_fail("0012345678", "区号不正确");
    expect_phone_fail("0371-68888888转", "分机号应为1-6位数字");
    expect_phone_fail("0371-68888888转1234567", "分机号应为1-6位数字");
    expect_phone_fail("0371-68888888转12a", "分机号应为1-6位数字");
    expect_phone_fail("037", "格式不正确");
}

static void test_phone_mask(void **state)
{
    (void)state;
    char m[32];
    phone_mask("13800138000", m);
    assert_string_equal(m, "138****8000");
    phone_mask("010-12345678", m);
    assert_string_equal(m, "010-******78");
    phone_mask("0371-6888812", m);
    assert_string_equal(m, "0371-*****12");
    phone_mask("0371-68888888-123", m); /* the extension is left out */
    assert_string_equal(m, "0371-******88");
    /* not normalised: nothing is revealed */
    phone_mask("+86 138 0013 8000", m);
    assert_string_equal(m, "*****************");
    phone_mask("12345", m);
    assert_string_equal(m, "*****");
    phone_mask("", m);
    assert_string_equal(m, "");
    phone_mask(NULL, m);
    assert_string_equal(m, "");
    /* whatever phone_validate produces masks cleanly */
    const char *ins[] = {"+86 139 1234 5678", "0371-6888888转123", "(010)87654321"};
    const char *want[] = {"139****5678", "0371-*****88", "010-******21"};
    for (int i = 0; i < 3; i++) {
        char n[32];
        assert_int_equal(phone_validate(ins[i], n, NULL), CX_OK);
        phone_mask(n, m);
        assert_string_equal(m, want[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_char),        cmocka_unit_test(test_valid_ids),
        cmocka_unit_test(test_normalisation),     cmocka_unit_test(test_length_and_characters),
        cmocka_unit_test(test_birth_dates),       cmocka_unit_test(test_check_char_errors),
        cmocka_unit_test(test_excel_numbers),
        cmocka_unit_test(test_masked_values),     cmocka_unit_test(test_birth_and_sex),
        cmocka_unit_test(test_id_mask),           cmocka_unit_test(test_mobiles),
        cmocka_unit_test(test_landlines),         cmocka_unit_test(test_phone_mask),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
