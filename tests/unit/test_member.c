/* test_member.c: unit tests of member record validation, roster column headers and field access. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "domain/idcard.h"
#include "domain/member.h"

#define MAXERR 16

/* Completes 17 digits with their check character. */
static void make_id(char id[19], const char *first17)
{
    memcpy(id, first17, 17);
    id[17] = idcard_check_char(first17);
    assert_true(id[17] != 0);
    id[18] = 0;
}

/* "YYYY-MM-DD" for today plus days, in local time. */
static void day_from_today(int days, char out[11])
{
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    tm.tm_mday += days;
    tm.tm_hour = 12; /* away from DST edges */
    mktime(&tm);
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    assert_int_equal(strlen(tmp), 10);
    memcpy(out, tmp, 11);
}

/* A male born 1985-06-15 and a female born 1990-03-01, both with correct check characters. */
static char id_m[19], id_f[19];

static int setup_ids(void **state)
{
    (void)state;
    make_id(id_m, "41022319850615003");
    make_id(id_f, "11010519900301002");
    return 0;
}

/* A minimal valid input: the three required fields. */
static member_in minimal(void)
{
    member_in in;
    memset(&in, 0, sizeof in);
    in.name = "张三";
    in.idcard = id_m;
    in.joined_date = "2010-07-01";
    return in;
}

static void expect_valid(const member_in *in, member_rec *out)
{
    cx_err e[MAXERR];
    memset(e, 0, sizeof e);
    int n = member_validate(in, out, e, MAXERR);
    if (n) fail_msg("%d error(s), first: %s: %s", n, e[0].field, e[0].msg);
}

/* Expects exactly one error, on field, with code and a message naming label and containing want. */
static void expect_error(const member_in *in, const char *field, const char *code, const char *label, const char *want)
{
    member_rec out;
    cx_err e[MAXERR];
    memset(e, 0, sizeof e);
    int n = member_validate(in, &out, e, MAXERR);
    if (n != 1) fail_msg("want 1 error on %s, got %d (first: %s: %s)", field, n, n ? e[0].field : "", n ? e[0].msg : "");
    assert_string_equal(e[0].field, field);
    if (code) assert_string_equal(e[0].code, code);
    if (!strstr(e[0].msg, label)) fail_msg("message \"%s\" does not name %s", e[0].msg, label);
    if (want && !strstr(e[0].msg, want)) fail_msg("message \"%s\" lacks \"%s\"", e[0].msg, want);
}

/* No message may name any part of a 身份证号 beyond the mask: the birth date (1985-06-15) of the
 * minimal record, its 18th birthday, or its month and day. */
static void expect_private(const member_in *in)
{
    member_rec out;
    cx_err e[MAXERR];
    memset(e, 0, sizeof e);
    int n = member_validate(in, &out, e, MAXERR);
    for (int i = 0; i < n && i < MAXERR; i++)
        for (const char *const *w = (const char *const[]){"1985-06-15", "2003-06-15", "06-15", "0615", NULL}; *w; w++)
            if (strstr(e[i].msg, *w)) fail_msg("message \"%s\" names \"%s\" from the 身份证号", e[i].msg, *w);
}

static void test_valid_full_record(void **state)
{
    (void)state;
    char idx[] = "11010519491231002x"; /* lowercase x: normalised to X */
    member_in in;
    memset(&in, 0, sizeof in);
    in.name = "  李四\t";
    in.sex = "女";
    in.ethnicity = "汉族";
    in.birth_date = "1949/12/31";
    in.idcard = idx;
    in.phone = "+86 138 0013 8000";
    in.joined_date = "1975年7月1日";
    in.full_date = "1976.07.01";
    in.education = "本科";
    in.post = "社区书记";
    in.duties = "负责党建工作";
    in.status = " 正式党员 ";
    member_rec out;
    expect_valid(&in, &out);
    assert_string_equal(out.name, "李四");
    assert_string_equal(out.sex, "女");
    assert_string_equal(out.ethnicity, "汉族");
    assert_string_equal(out.birth_date, "1949-12-31");
    assert_string_equal(out.idcard, "11010519491231002X");
    assert_string_equal(out.phone, "13800138000");
    assert_string_equal(out.joined_date, "1975-07-01");
    assert_string_equal(out.full_date, "1976-07-01");
    assert_string_equal(out.education, "本科");
    assert_string_equal(out.post, "社区书记");
    assert_string_equal(out.duties, "负责党建工作");
    assert_string_equal(out.status, "full");
}

static void test_minimal_record_derives_fields(void **state)
{
    (void)state;
    member_in in = minimal();
    member_rec out;
    memset(&out, 'z', sizeof out); /* stale contents are not kept */
    expect_valid(&in, &out);
    assert_string_equal(out.name, "张三");
    assert_string_equal(out.idcard, id_m);
    assert_string_equal(out.sex, "男");
    assert_string_equal(out.birth_date, "1985-06-15");
    assert_string_equal(out.status, "full"); /* default */
    assert_string_equal(out.joined_date, "2010-07-01");
    assert_string_equal(out.full_date, "");
    assert_string_equal(out.phone, "");
    assert_string_equal(out.ethnicity, "");
    assert_string_equal(out.duties, "");

    in.idcard = id_f;
    in.name = "王芳";
    expect_valid(&in, &out);
    assert_string_equal(out.sex, "女");
    assert_string_equal(out.birth_date, "1990-03-01");
    /* empty strings count as not given */
    in.phone = "";
    in.sex = "";
    in.birth_date = "  ";
    in.full_date = "";
    in.status = "";
    expect_valid(&in, &out);
    assert_string_equal(out.status, "full");
    assert_string_equal(out.birth_date, "1990-03-01");
}

static void test_required_fields(void **state)
{
    (void)state;
    member_in in;
    memset(&in, 0, sizeof in);
    member_rec out;
    cx_err e[MAXERR];
    memset(e, 0, sizeof e);
    assert_int_equal(member_validate(&in, &out, e, MAXERR), 3);
    const char *fields[] = {"name", "idcard", "joined_date"};
    const char *labels[] = {"姓名", "身份证号", "入党时间"};
    for (int i = 0; i < 3; i++) {
        int found = 0;
        for (int k = 0; k < 3; k++)
            if (!strcmp(e[k].field, fields[i])) {
                found = 1;
                assert_string_equal(e[k].code, "required");
                if (!strstr(e[k].msg, labels[i])) fail_msg("\"%s\" does not name %s", e[k].msg, labels[i]);
                assert_non_null(strstr(e[k].msg, "不能为空"));
            }
        if (!found) fail_msg("no error for %s", fields[i]);
    }

    in = minimal();
    in.name = "   ";
    expect_error(&in, "name", "required", "姓名", "不能为空");
    in = minimal();
    in.idcard = " ";
    expect_error(&in, "idcard", "required", "身份证号", "不能为空");
    in = minimal();
    in.joined_date = "";
    expect_error(&in, "joined_date", "required", "入党时间", "不能为空");
}

/* Values made only of white space a roster cell can hold (U+3000, line breaks) are not given. */
static void test_blank_values(void **state)
{
    (void)state;
    const char *blanks[] = {"\xe3\x80\x80", "\r\n", " \xe3\x80\x80 "};
    for (size_t i = 0; i < sizeof blanks / sizeof blanks[0]; i++) {
        member_in in = minimal();
        in.name = blanks[i];
        expect_error(&in, "name", "required", "姓名", "不能为空");

        in = minimal();
        in.phone = blanks[i];
        in.sex = blanks[i];
        in.status = blanks[i];
        in.birth_date = blanks[i];
        in.full_date = blanks[i];
        member_rec out;
        expect_valid(&in, &out);
        assert_string_equal(out.phone, "");
        assert_string_equal(out.sex, "男");
        assert_string_equal(out.status, "full");
        assert_string_equal(out.birth_date, "1985-06-15");
        assert_string_equal(out.full_date, "");
    }
}

static void test_name_rules(void **state)
{
    (void)state;
    member_in in = minimal();
    member_rec out;
    /* 20 characters is the limit, counted in characters not bytes */
    in.name = "一二三四五六七八九十一二三四五六七八九十";
    expect_valid(&in, &out);
    assert_string_equal(out.name, in.name);
    in.name = "abcdefghijklmnopqrst";
    expect_valid(&in, &out);
    in.name = "一二三四五六七八九十一二三四五六七八九十一";
    expect_error(&in, "name", "too_long", "姓名", "20");
    in.name = "abcdefghijklmnopqrstu";
    expect_error(&in, "name", "too_long", "姓名", "20");
    /* surrounding spaces are not counted */
    in.name = "   一二三四五六七八九十一二三四五六七八九十   ";
    expect_valid(&in, &out);
    assert_string_equal(out.name, "一二三四五六七八九十一二三四五六七八九十");
    /* a name with a middle dot (少数民族姓名) */
    in.name = "买买提·艾力";
    expect_valid(&in, &out);
    assert_string_equal(out.name, "买买提·艾力");
    /* broken UTF-8 and control characters are refused */
    in.name = "张\xff三";
    expect_error(&in, "name", NULL, "姓名", NULL);
    in.name = "张\x01三";
    expect_error(&in, "name", NULL, "姓名", NULL);
    /* very long input does not overflow anything */
    char huge[6000];
    memset(huge, 'a', sizeof huge - 1);
    huge[sizeof huge - 1] = 0;
    in.name = huge;
    expect_error(&in, "name", "too_long", "姓名", NULL);
}

static void test_idcard_errors(void **state)
{
    (void)state;
    member_in in = minimal();
    char bad[19];
    memcpy(bad, id_m, 19);
    bad[17] = bad[17] == '0' ? '1' : '0';
    in.idcard = bad;
    expect_error(&in, "idcard", "invalid_idcard", "身份证号", "校验码");
    in.idcard = "12345";
    expect_error(&in, "idcard", "invalid_idcard", "身份证号", "18位");
    in.idcard = "4.40106E+17";
    expect_error(&in, "idcard", "idcard_excel_number", "身份证号", "Excel");

    /* with a bad id, a given birth date and sex are used as they are */
    in.idcard = "12345";
    in.birth_date = "1985-06-15";
    in.sex = "女";
    member_rec out;
    cx_err e[MAXERR];
    assert_int_equal(member_validate(&in, &out, e, MAXERR), 1);
    assert_string_equal(e[0].field, "idcard");
    /* …and the 18th birthday check still uses that birth date */
    in.joined_date = "2003-06-14";
    assert_int_equal(member_validate(&in, &out, e, MAXERR), 2);
    assert_string_equal(e[1].field, "joined_date");
}

static void test_birth_date_and_sex_agree(void **state)
{
    (void)state;
    member_in in = minimal();
    member_rec out;
    in.birth_date = "1985/6/15";
    in.sex = "男";
    expect_valid(&in, &out);
    assert_string_equal(out.birth_date, "1985-06-15");
    const char *males[] = {"男", "男性", "M", "m", " 男 "};
    for (size_t i = 0; i < sizeof males / sizeof males[0]; i++) {
        in.sex = males[i];
        expect_valid(&in, &out);
        assert_string_equal(out.sex, "男");
    }
    in.sex = NULL;

    in.birth_date = "1985-06-16";
    expect_error(&in, "birth_date", "birth_date_mismatch", "出生日期", "1985-06-16");
    expect_private(&in);
    in.birth_date = "1985-06";
    expect_error(&in, "birth_date", "invalid_date", "出生日期", NULL);
    /* a roster's 出生年月 column holds a month or a year: compared to that precision */
    const char *agree[] = {"1985-06", "1985.6", "1985年6月", "198506", "1985年", "1985", "1985-06-15"};
    for (size_t i = 0; i < sizeof agree / sizeof agree[0]; i++) {
        in.birth_date = agree[i];
        cx_err e[MAXERR];
        int n = member_validate_row(&in, &out, e, MAXERR);
        if (n) fail_msg("%s: %s", agree[i], e[0].msg);
        assert_string_equal(out.birth_date, "1985-06-15");
    }
    const char *differ[][2] = {{"1985.07", "1985-07"}, {"1986年", "1986"}, {"1985-06-16", "1985-06-16"}};
    for (size_t i = 0; i < 3; i++) {
        in.birth_date = differ[i][0];
        cx_err e[MAXERR];
        assert_int_equal(member_validate_row(&in, &out, e, MAXERR), 1);
        assert_string_equal(e[0].code, "birth_date_mismatch");
        assert_non_null(strstr(e[0].msg, differ[i][1]));
    }
    in.birth_date = "不知道";
    expect_error(&in, "birth_date", "invalid_date", "出生日期", NULL);
    in.birth_date = NULL;

    in.sex = "女";
    expect_error(&in, "sex", "sex_mismatch", "性别", NULL);
    in.sex = "F";
    expect_error(&in, "sex", "sex_mismatch", "性别", NULL);
    in.sex = "未知";
    expect_error(&in, "sex", "invalid_sex", "性别", NULL);

    in = minimal();
    in.idcard = id_f;
    in.sex = "女性";
    expect_valid(&in, &out);
    assert_string_equal(out.sex, "女");
    in.sex = "男";
    expect_error(&in, "sex", "sex_mismatch", "性别", NULL);
}

static void test_joined_date(void **state)
{
    (void)state;
    member_in in = minimal(); /* born 1985-06-15 */
    member_rec out;
    /* the 18th birthday is the earliest possible date */
    in.joined_date = "2003-06-15";
    expect_valid(&in, &out);
    in.joined_date = "2003-06-14";
    expect_error(&in, "joined_date", "joined_too_young", "入党时间", "2003-06-14");
    expect_private(&in);
    in.joined_date = "1999-01-01";
    expect_error(&in, "joined_date", "joined_too_young", "入党时间", "18");
    expect_private(&in);
    /* a month alone becomes its 1st */
    in.joined_date = "2010-07";
    expect_valid(&in, &out);
    assert_string_equal(out.joined_date, "2010-07-01");
    in.joined_date = "2010年7月";
    expect_valid(&in, &out);
    assert_string_equal(out.joined_date, "2010-07-01");
    /* unreadable dates name the field */
    in.joined_date = "2010-13-01";
    expect_error(&in, "joined_date", "invalid_date", "入党时间", NULL);
    in.joined_date = "去年";
    expect_error(&in, "joined_date", "invalid_date", "入党时间", NULL);
    /* today is fine, tomorrow is in the future */
    char d[11];
    day_from_today(0, d);
    in.joined_date = d;
    expect_valid(&in, &out);
    assert_string_equal(out.joined_date, d);
    day_from_today(1, d);
    expect_error(&in, "joined_date", "date_in_future", "入党时间", d);
    in.joined_date = "2099-01-01";
    expect_error(&in, "joined_date", "date_in_future", "入党时间", NULL);
}

static void test_full_date(void **state)
{
    (void)state;
    member_in in = minimal(); /* joined 2010-07-01 */
    member_rec out;
    in.full_date = "2011-07-01";
    expect_valid(&in, &out);
    assert_string_equal(out.full_date, "2011-07-01");
    assert_string_equal(out.status, "full");
    in.full_date = "2010-07-02";
    expect_valid(&in, &out);
    /* not on or before the day of joining */
    in.full_date = "2010-07-01";
    expect_error(&in, "full_date", "full_before_joined", "转正时间", "入党时间");
    in.full_date = "2009-07-01";
    expect_error(&in, "full_date", "full_before_joined", "转正时间", "2010-07-01");
    in.full_date = "2011-02-30";
    expect_error(&in, "full_date", "invalid_date", "转正时间", NULL);
    /* not in the future */
    char d[11];
    day_from_today(1, d);
    in.full_date = d;
    expect_error(&in, "full_date", "date_in_future", "转正时间", NULL);
    day_from_today(0, d);
    in.full_date = d;
    expect_valid(&in, &out);

    /* a probationary member has no full date */
    in.status = "预备党员";
    in.full_date = "2011-07-01";
    expect_error(&in, "full_date", "full_date_probationary", "转正时间", "预备党员");
    in.full_date = NULL;
    expect_valid(&in, &out);
    assert_string_equal(out.status, "probationary");
    assert_string_equal(out.full_date, "");
}

static void test_status_words(void **state)
{
    (void)state;
    const char *full[] = {"正式", "正式党员", "full", " 正式 "};
    const char *prob[] = {"预备", "预备党员", "probationary", "\t预备党员\t"};
    member_in in = minimal();
    member_rec out;
    for (size_t i = 0; i < 4; i++) {
        in.status = full[i];
        expect_valid(&in, &out);
        assert_string_equal(out.status, "full");
        in.status = prob[i];
        expect_valid(&in, &out);
        assert_string_equal(out.status, "probationary");
    }
    const char *bad[] = {"群众", "Full", "正式党员（已转正）", "预备期", "1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        in.status = bad[i];
        expect_error(&in, "status", "invalid_status", "党员状态", NULL);
    }
    assert_string_equal(member_status_label("full"), "正式党员");
    assert_string_equal(member_status_label("probationary"), "预备党员");
}

static void test_phone(void **state)
{
    (void)state;
    member_in in = minimal();
    member_rec out;
    in.phone = "0371-6888888转123";
    expect_valid(&in, &out);
    assert_string_equal(out.phone, "0371-6888888-123");
    in.phone = "138001380";
    expect_error(&in, "phone", "invalid_phone", "联系电话", NULL);
    in.phone = "abc";
    expect_error(&in, "phone", "invalid_phone", "联系电话", NULL);
}

/* Fills s with n copies of the UTF-8 character ch. */
static const char *rep(char *s, size_t cap, const char *ch, int n)
{
    size_t k = strlen(ch);
    assert_true(k * (size_t)n < cap);
    for (int i = 0; i < n; i++) memcpy(s + k * (size_t)i, ch, k);
    s[k * (size_t)n] = 0;
    return s;
}

static void test_length_limits(void **state)
{
    (void)state;
    static char s[4096];
    const struct { size_t off; const char *field, *label; int max; } lim[] = {
        {offsetof(member_in, ethnicity), "ethnicity", "民族", 10},
        {offsetof(member_in, education), "education", "学历", 20},
        {offsetof(member_in, post), "post", "工作岗位", 50},
        {offsetof(member_in, duties), "duties", "岗位职责", 300},
    };
    for (size_t i = 0; i < sizeof lim / sizeof lim[0]; i++) {
        member_in in = minimal();
        const char **slot = (const char **)((char *)&in + lim[i].off);
        member_rec out;
        *slot = rep(s, sizeof s, "党", lim[i].max);
        expect_valid(&in, &out);
        assert_string_equal(member_rec_get(&out, lim[i].field), s);
        *slot = rep(s, sizeof s, "a", lim[i].max);
        expect_valid(&in, &out);
        assert_string_equal(member_rec_get(&out, lim[i].field), s);
        *slot = rep(s, sizeof s, "党", lim[i].max + 1);
        char want[16];
        snprintf(want, sizeof want, "%d", lim[i].max);
        expect_error(&in, lim[i].field, "too_long", lim[i].label, want);
    }
    /* line breaks inside the duties are kept */
    member_in in = minimal();
    member_rec out;
    in.duties = "第一条\n第二条";
    expect_valid(&in, &out);
    assert_string_equal(out.duties, "第一条\n第二条");
}

static void test_error_collection(void **state)
{
    (void)state;
    member_in in;
    memset(&in, 0, sizeof in);
    in.sex = "?";
    in.status = "群众";
    in.phone = "abc";
    in.ethnicity = "一二三四五六七八九十一";
    /* name, idcard, joined_date missing: 7 errors in all */
    member_rec out;
    cx_err e[MAXERR];
    memset(e, 0, sizeof e);
    assert_int_equal(member_validate(&in, &out, e, MAXERR), 7);
    const char *fields[] = {"name", "idcard", "joined_date", "sex", "status", "phone", "ethnicity"};
    for (size_t i = 0; i < 7; i++) {
        int found = 0;
        for (int k = 0; k < 7; k++) found += !strcmp(e[k].field, fields[i]);
        if (found != 1) fail_msg("%d errors on %s", found, fields[i]);
    }
    for (int k = 0; k < 7; k++) {
        assert_true(e[k].msg[0] != 0);
        assert_true(e[k].code[0] != 0);
    }
    assert_string_equal(e[7].field, "");

    /* only maxerr are stored, the count is still complete, nothing beyond is written */
    cx_err few[3];
    memset(few, 0, sizeof few);
    snprintf(few[2].code, sizeof few[2].code, "canary");
    assert_int_equal(member_validate(&in, &out, few, 2), 7);
    assert_true(few[0].field[0] != 0);
    assert_true(few[1].field[0] != 0);
    assert_string_not_equal(few[0].field, few[1].field);
    assert_string_equal(few[2].code, "canary");
    assert_string_equal(few[2].field, "");
    /* no room at all */
    assert_int_equal(member_validate(&in, &out, NULL, 0), 7);
    /* a valid record with no room for errors */
    in = minimal();
    assert_int_equal(member_validate(&in, &out, NULL, 0), 0);
    /* a valid id followed by an error: the id's slot is reused, not left empty */
    in.phone = "abc";
    cx_err one[2];
    memset(one, 0, sizeof one);
    assert_int_equal(member_validate(&in, &out, one, 2), 1);
    assert_string_equal(one[0].field, "phone");
}

static void test_col_find(void **state)
{
    (void)state;
    const struct { const char *header, *field; } cases[] = {
        {"姓名", "name"},
        {"党员姓名", "name"},
        {"性别", "sex"},
        {"民族", "ethnicity"},
        {"出生日期", "birth_date"},
        {"出生年月", "birth_date"},
        {"出生年月日", "birth_date"},
        {"身份证号", "idcard"},
        {"身份证号码", "idcard"},
        {"公民身份号码", "idcard"},
        {"身份证", "idcard"},
        {"联系电话", "phone"},
        {"手机号码", "phone"},
        {"手机", "phone"},
        {"联系方式", "phone"},
        {"入党时间", "joined_date"},
        {"入党日期", "joined_date"},
        {"转正时间", "full_date"},
        {"转正日期", "full_date"},
        {"学历", "education"},
        {"文化程度", "education"},
        {"工作岗位", "post"},
        {"工作单位及职务", "post"},
        {"岗位职责", "duties"},
        {"党员状态", "status"},
        {"人员类别", "status"},
        {"所在党组织", "org"},
        {"所在党支部", "org"},
        /* markers and white space around */
        {"姓名*", "name"},
        {"姓名 *", "name"},
        {"身份证号（必填）", "idcard"},
        {"身份证号(必填)", "idcard"},
        {"入党时间＊", "joined_date"},
        {"  姓名  ", "name"},
        {"\t身份证号\t", "idcard"},
        {" 入党时间 （必填）", "joined_date"},
        /* the synonyms offices write (issue 14) */
        {"公民身份号码", "idcard"},
        {"身份证号码", "idcard"},
        {"手机", "phone"},
        {"手机号码", "phone"},
        {"联系方式", "phone"},
        {"入党时间", "joined_date"},
        {"转正时间", "full_date"},
        {"所在支部", "org"},
        {"党组织名称", "org"},
        {"出生年月", "birth_date"},
        {"职务", "post"},
        {"岗位", "post"},
        {"加入党组织日期", "joined_date"},
        /* white space inside, line breaks, a leading marker, a note in brackets */
        {"姓  名", "name"},
        {"姓\u3000名", "name"},
        {"身份证\n号码", "idcard"},
        {"*姓名", "name"},
        {"入党时间（年月日）", "joined_date"},
        {"身份证号码(18位)", "idcard"},
        {"出生年月（年.月）*", "birth_date"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int k = member_col_find(cases[i].header);
        if (k < 0) fail_msg("\"%s\" not found", cases[i].header);
        assert_string_equal(member_cols[k].field, cases[i].field);
    }
    const char *unknown[] = {"", "  ", "*", "（必填）", "姓", "姓名称", "名字", "身份证号码号", "手机号码|电话",
                             "Name", "name", "姓名*x", "备注", "序号", "（姓名）", "姓名（", "籍贯（省）"};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        if (member_col_find(unknown[i]) != -1) fail_msg("\"%s\" was taken as a column", unknown[i]);

    /* the required flags match the rules */
    int required = 0;
    for (int i = 0; member_cols[i].field; i++)
        if (member_cols[i].required) {
            required++;
            assert_true(!strcmp(member_cols[i].field, "name") || !strcmp(member_cols[i].field, "idcard") ||
                        !strcmp(member_cols[i].field, "joined_date"));
        }
    assert_int_equal(required, 3);
}

/* White space after the marker ("姓名* ", common in hand-made Excel headers) is ignored too. */
static void test_col_find_space_after_marker(void **state)
{
    (void)state;
    const char *hs[] = {"姓名* ", "身份证号（必填） ", "入党时间*\t", " 联系电话 * "};
    const char *fs[] = {"name", "idcard", "joined_date", "phone"};
    for (size_t i = 0; i < 4; i++) {
        int k = member_col_find(hs[i]);
        if (k < 0) fail_msg("\"%s\" not found", hs[i]);
        assert_string_equal(member_cols[k].field, fs[i]);
    }
}

/* 民族 written without 族 becomes the official name, for all 56; other values are kept. */
static void test_ethnicity_short_forms(void **state)
{
    (void)state;
    const char *pairs[][2] = {{"汉", "汉族"}, {"汉族", "汉族"}, {"回", "回族"}, {"蒙古", "蒙古族"}, {"维吾尔", "维吾尔族"},
                              {"土家", "土家族"}, {"柯尔克孜", "柯尔克孜族"}, {"基诺", "基诺族"}, {"俄罗斯", "俄罗斯族"}};
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        const char *f = member_ethnicity_full(pairs[i][0]);
        if (!f) fail_msg("\"%s\" not known", pairs[i][0]);
        assert_string_equal(f, pairs[i][1]);
    }
    assert_null(member_ethnicity_full("族"));
    assert_null(member_ethnicity_full(""));
    assert_null(member_ethnicity_full("穿青人"));
    assert_null(member_ethnicity_full("汉族族"));
    member_in in = minimal();
    member_rec out;
    in.ethnicity = " 汉 ";
    expect_valid(&in, &out);
    assert_string_equal(out.ethnicity, "汉族");
    in.ethnicity = "穿青人";
    expect_valid(&in, &out);
    assert_string_equal(out.ethnicity, "穿青人");
}

static void test_in_slot(void **state)
{
    (void)state;
    const struct { const char *field; size_t off; } want[] = {
        {"name", offsetof(member_in, name)},
        {"sex", offsetof(member_in, sex)},
        {"ethnicity", offsetof(member_in, ethnicity)},
        {"birth_date", offsetof(member_in, birth_date)},
        {"idcard", offsetof(member_in, idcard)},
        {"phone", offsetof(member_in, phone)},
        {"joined_date", offsetof(member_in, joined_date)},
        {"full_date", offsetof(member_in, full_date)},
        {"education", offsetof(member_in, education)},
        {"post", offsetof(member_in, post)},
        {"duties", offsetof(member_in, duties)},
        {"status", offsetof(member_in, status)},
    };
    member_in in;
    int slots = 0;
    for (int i = 0; member_cols[i].field; i++) {
        const char **s = member_in_slot(&in, i);
        if (!strcmp(member_cols[i].field, "org")) {
            assert_null(s);
            continue;
        }
        assert_non_null(s);
        size_t k = 0;
        while (k < 12 && strcmp(want[k].field, member_cols[i].field)) k++;
        if (k == 12) fail_msg("unexpected column %s", member_cols[i].field);
        assert_ptr_equal(s, (const char **)((char *)&in + want[k].off));
        slots++;
    }
    assert_int_equal(slots, 12);
    assert_null(member_in_slot(&in, -1));
    assert_null(member_in_slot(&in, 100));

    /* a roster row filled through the slots validates */
    memset(&in, 0, sizeof in);
    *member_in_slot(&in, member_col_find("姓名*")) = "赵六";
    *member_in_slot(&in, member_col_find("身份证号码")) = id_f;
    *member_in_slot(&in, member_col_find("入党日期")) = "2015/7/1";
    *member_in_slot(&in, member_col_find("党员类别")) = "预备";
    member_rec out;
    expect_valid(&in, &out);
    assert_string_equal(out.name, "赵六");
    assert_string_equal(out.joined_date, "2015-07-01");
    assert_string_equal(out.status, "probationary");
}

static void test_rec_get_round_trip(void **state)
{
    (void)state;
    member_in in = minimal();
    in.ethnicity = "回族";
    in.phone = "(010)12345678";
    in.full_date = "2011-7-1";
    in.education = "硕士";
    in.post = "支部书记";
    in.duties = "主持支部工作";
    member_rec a, b;
    expect_valid(&in, &a);
    assert_ptr_equal(member_rec_get(&a, "name"), a.name);
    assert_ptr_equal(member_rec_get(&a, "idcard"), a.idcard);
    assert_ptr_equal(member_rec_get(&a, "status"), a.status);
    assert_null(member_rec_get(&a, "org"));
    assert_null(member_rec_get(&a, "nope"));
    assert_null(member_rec_get(&a, ""));

    /* the stored record, read back through the columns, validates to itself */
    member_in again;
    memset(&again, 0, sizeof again);
    for (int i = 0; member_cols[i].field; i++) {
        const char **s = member_in_slot(&again, i);
        if (!s) continue;
        const char *v = member_rec_get(&a, member_cols[i].field);
        assert_non_null(v);
        *s = v;
    }
    expect_valid(&again, &b);
    assert_memory_equal(&a, &b, sizeof a);
    assert_string_equal(b.phone, "010-12345678");
    assert_string_equal(b.full_date, "2011-07-01");
    assert_string_equal(b.sex, "男");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_full_record),
        cmocka_unit_test(test_minimal_record_derives_fields),
        cmocka_unit_test(test_required_fields),
        cmocka_unit_test(test_blank_values),
        cmocka_unit_test(test_name_rules),
        cmocka_unit_test(test_idcard_errors),
        cmocka_unit_test(test_birth_date_and_sex_agree),
        cmocka_unit_test(test_joined_date),
        cmocka_unit_test(test_full_date),
        cmocka_unit_test(test_status_words),
        cmocka_unit_test(test_phone),
        cmocka_unit_test(test_length_limits),
        cmocka_unit_test(test_error_collection),
        cmocka_unit_test(test_col_find),
        cmocka_unit_test(test_col_find_space_after_marker),
        cmocka_unit_test(test_ethnicity_short_forms),
        cmocka_unit_test(test_in_slot),
        cmocka_unit_test(test_rec_get_round_trip),
    };
    return cmocka_run_group_tests(tests, setup_ids, NULL);
}
