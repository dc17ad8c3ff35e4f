/* test_roster_map.c: unit tests of reading rosters as offices keep them: full-width folding,
 * header rows, notes rows, Excel serial dates and row preparation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "domain/member.h"
#include "domain/roster_map.h"

static void expect_fold_p(const char *in, bool punct, const char *want)
{
    char s[256];
    snprintf(s, sizeof s, "%s", in);
    roster_fold(s, punct);
    if (strcmp(s, want)) fail_msg("fold(\"%s\", %d) = \"%s\", want \"%s\"", in, punct, s, want);
}
#define expect_fold(in, want) expect_fold_p(in, true, want)

static void test_fold(void **state)
{
    (void)state;
    expect_fold("１３８００１３８０００", "13800138000");
    expect_fold("４４０１０６１９９００１０１２０２Ｘ", "44010619900101202X");
    expect_fold("ＡＢＣａｂｃ", "ABCabc");
    expect_fold("２０２６．３．１", "2026.3.1");
    expect_fold("２０２６－０３－０１", "2026-03-01");
    expect_fold("０３７１－１２３４５６７８", "0371-12345678");
    expect_fold("张\u3000三", "张 三");
    expect_fold("注：（１）", "注:(1)");
    expect_fold("汉族", "汉族");
    expect_fold("", "");
    /* characters next to the full-width block are left alone: U+FF00, U+FF5F, U+FFE5 (￥) */
    expect_fold("\xEF\xBC\x80\xEF\xBD\x9F\xEF\xBF\xA5", "\xEF\xBC\x80\xEF\xBD\x9F\xEF\xBF\xA5");
    /* free text keeps its Chinese punctuation, only digits, letters and spaces fold */
    expect_fold_p("主持全面工作，带领村民（第１组）", false, "主持全面工作，带领村民（第1组）");
    expect_fold_p("ＬＩ\u3000Ｍｉｎｇ：", false, "LI Ming：");
    /* a truncated sequence at the end is kept as it is */
    expect_fold("a\xEF\xBC", "a\xEF\xBC");
}

static void test_header_hits(void **state)
{
    (void)state;
    char *title[] = {"某某党支部党员花名册（2026年）"};
    assert_int_equal(roster_header_hits(title, 1), 0);
    char *hdr[] = {"序号", "姓  名", "性别", "公民身份号码", "手机号码", "入党日期", "备注"};
    assert_int_equal(roster_header_hits(hdr, 7), 5);
    char *dup[] = {"手机", "联系电话", "姓名"};
    assert_int_equal(roster_header_hits(dup, 3), 2); /* one column named twice counts once */
    char *data[] = {"1", "张三", "男", "440106199001012028", "13800138000", "2010-07-01"};
    assert_int_equal(roster_header_hits(data, 6), 0);
    assert_int_equal(roster_header_hits(NULL, 0), 0);
    char *block[] = {"填报人", "王五", "联系电话", "13800138000", "职务", "组织委员"};
    assert_int_equal(roster_header_hits(block, 6), 0); /* neither 姓名 nor 身份证号 */
    char *noname[] = {"身份证号", "入党时间"};
    assert_int_equal(roster_header_hits(noname, 2), 2);
}

static void test_note_rows(void **state)
{
    (void)state;
    char *n1[] = {"填表人：王五", "", "审核人：赵六"};
    assert_true(roster_note_row(n1, 3, false));
    char *n2[] = {"", "注:1. 本表由支部填写"};
    assert_true(roster_note_row(n2, 2, true));
    char *n3[] = {"合计", "25人"};
    assert_true(roster_note_row(n3, 2, true));
    char *n4[] = {"说明、身份证号须为18位"};
    assert_true(roster_note_row(n4, 1, true));
    char *n5[] = {"制表日期 2026年1月5日"};
    assert_true(roster_note_row(n5, 1, true));
    /* a single sentence after the data, even in the 姓名 column */
    char *s1[] = {"本表共计二十五人，均已核对"};
    assert_true(roster_note_row(s1, 1, true));
    assert_false(roster_note_row(s1, 1, false));
    char *s2[] = {"此表由组织委员统一汇总后于每年一月报送上级党委组织部门备案", ""};
    assert_true(roster_note_row(s2, 2, true));
    char *s3[] = {"", "", "负责：宣传"}; /* only a remark in another column: an incomplete member, reported */
    assert_false(roster_note_row(s3, 3, true));
    /* members are not notes */
    char *m1[] = {"1", "张三", "男", "440106199001012028"};
    assert_false(roster_note_row(m1, 4, true));
    char *m2[] = {"注春生", "440106199001012028"}; /* a name that begins with a note word */
    assert_false(roster_note_row(m2, 2, true));
    char *m3[] = {"张三"}; /* a name alone: a member with missing columns, reported as such */
    assert_false(roster_note_row(m3, 1, true));
    char *m4[] = {"", "", ""};
    assert_false(roster_note_row(m4, 3, true));
    char *m5[] = {"日期不详"};
    assert_false(roster_note_row(m5, 1, false));
}

static void test_excel_serial(void **state)
{
    (void)state;
    char d[11];
    assert_true(roster_excel_serial("44927", d));
    assert_string_equal(d, "2023-01-01");
    assert_true(roster_excel_serial("39630", d));
    assert_string_equal(d, "2008-07-01");
    assert_true(roster_excel_serial("39630.5", d));
    assert_string_equal(d, "2008-07-01");
    assert_true(roster_excel_serial("10000", d));
    assert_string_equal(d, "1927-05-18");
    const char *no[] = {"", "1985", "9999", "73051", "99999", "123456", "39630.", "3963O", "-39630", "39630 ", "2008.7",
                        "20080701", "39630.5x"};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        if (roster_excel_serial(no[i], d)) fail_msg("\"%s\" taken as a serial", no[i]);
}

static void test_prepare_row(void **state)
{
    (void)state;
    char c0[] = "３", c1[] = "ＬＩ Ｍｉｎｇ", c2[] = "39630", c3[] = "44927，（１）", c4[] = "（０３７１）６８８８８８８８",
         c5[] = "２００８／０７／０１";
    char *cells[] = {c0, c1, c2, c3, c4, c5};
    int colmap[] = {-1, member_col_find("姓名"), member_col_find("入党时间"), member_col_find("岗位职责"),
                    member_col_find("手机"), member_col_find("转正时间")};
    roster_scratch s = {0}; /* zero-initialised, as roster_map.h asks */
    assert_true(roster_prepare_row(cells, 6, colmap, &s));
    assert_string_equal(cells[0], "3");
    assert_string_equal(cells[1], "LI Ming");
    assert_string_equal(cells[2], "2008-07-01"); /* a date column */
    assert_string_equal(cells[3], "44927，（1）"); /* not a date column: kept, Chinese punctuation too */
    assert_string_equal(cells[4], "(0371)68888888");
    assert_string_equal(cells[5], "2008/07/01");
    /* padded names, codes kept as text */
    char n0[] = "张\u3000\u3000三", n1[] = "=\"440106199001012028\"", n2[] = "'13800138000", n3[] = "LI  Ming", n4[] = "欧阳 Ｋ",
         n5[] = "=\"\"";
    char *pad[] = {n0, n1, n2, n3, n4, n5};
    int map3[] = {member_col_find("姓名"), member_col_find("身份证号"), member_col_find("手机"), member_col_find("岗位"),
                  member_col_find("党员姓名"), member_col_find("转正时间")};
    assert_true(roster_prepare_row(pad, 6, map3, &s));
    assert_string_equal(pad[0], "张三");
    assert_string_equal(pad[1], "440106199001012028");
    assert_string_equal(pad[2], "13800138000");
    assert_string_equal(pad[3], "LI  Ming"); /* not a name column */
    assert_string_equal(pad[4], "欧阳 K");  /* a space before a Latin letter stays */
    assert_string_equal(pad[5], "");
    /* a row with only a 序号 (or a remark in an unknown column) is no member */
    char d0[] = "26", d1[] = "", d2[] = "";
    char *only[] = {d0, d1, d2};
    int map2[] = {-1, member_col_find("姓名"), member_col_find("身份证号")};
    assert_false(roster_prepare_row(only, 3, map2, &s));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fold),         cmocka_unit_test(test_header_hits), cmocka_unit_test(test_note_rows),
        cmocka_unit_test(test_excel_serial), cmocka_unit_test(test_prepare_row),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
