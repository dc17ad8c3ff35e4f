/* test_feedback.c: unit tests of the checks of what senders and staff type in feedback
 * (domain/feedback.h), as a careless user would type it: blanks, U+3000, one character too many,
 * invalid UTF-8, line breaks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "domain/date.h"
#include "domain/feedback.h"

static feedback_ok OK; /* large: static */

/* n copies of the UTF-8 character u (in one static buffer). */
static const char *copies(const char *u, int n)
{
    static char b[4 * FEEDBACK_TEXT_MAX + 16];
    for (b[0] = 0; n-- > 0;) strcat(b, u);
    return b;
}

static void fails(int rc, const cx_err *e, const char *code, const char *field)
{
    assert_int_equal(rc, CX_ERR);
    assert_string_equal(e->code, code);
    assert_string_equal(e->field, field);
    assert_int_equal(e->status, 400);
}

static void test_names(void **st)
{
    (void)st;
    assert_string_equal(feedback_kind_name(FK_REPORT), "report");
    assert_string_equal(feedback_kind_label(FK_COMPLAINT), "投诉");
    assert_int_equal(feedback_kind_from("suggestion"), FK_SUGGESTION);
    assert_int_equal(feedback_kind_from("Report"), -1);
    assert_int_equal(feedback_kind_from(NULL), -1);
    assert_string_equal(feedback_channel_name(FC_N), "");
    assert_int_equal(feedback_channel_from("reception"), FC_RECEPTION);
    assert_string_equal(feedback_status_label(FS_MERGED), "已合并");
    assert_int_equal(feedback_view_from("overdue"), FV_OVERDUE);
}

static void test_submission(void **st)
{
    (void)st;
    cx_err e;
    char today[11];
    date_today(today);
    feedback_in in = {.kind = "opinion", .channel = FC_WEB, .text = "\u3000 窗口中午没人办理业务 \r\n", .name = " 李先生\u3000",
                      .contact = "13900001234"};
    assert_int_equal(feedback_check(&in, &OK, &e), CX_OK);
    assert_int_equal(OK.kind, FK_OPINION);
    assert_string_equal(OK.text, "窗口中午没人办理业务");
    assert_string_equal(OK.name, "李先生");
    assert_string_equal(OK.received_date, today); /* the public's day is today */
    assert_string_equal(OK.about_kind, "");
    assert_int_equal(OK.about_id, 0);
    /* kind first */
    in.kind = "意见";
    fails(feedback_check(&in, &OK, &e), &e, "invalid_kind", "kind");
    in.kind = "complaint";
    /* text: 5–2000 characters after trimming; line breaks inside are kept */
    const char *shorts[] = {NULL, "", "  ", "\u3000\u3000\u3000", "太短了 "};
    for (size_t i = 0; i < sizeof shorts / sizeof shorts[0]; i++) {
        in.text = shorts[i];
        fails(feedback_check(&in, &OK, &e), &e, "too_short", "text");
    }
    in.text = "第一行\n第二行\n第三行";
    assert_int_equal(feedback_check(&in, &OK, &e), CX_OK);
    assert_string_equal(OK.text, "第一行\n第二行\n第三行");
    in.text = copies("字", FEEDBACK_TEXT_MAX);
    assert_int_equal(feedback_check(&in, &OK, &e), CX_OK);
    in.text = copies("字", FEEDBACK_TEXT_MAX + 1);
    fails(feedback_check(&in, &OK, &e), &e, "too_long", "text");
    in.text = "内容里有\xff坏字节";
    fails(feedback_check(&in, &OK, &e), &e, "invalid_text", "text");
    in.text = "窗口中午没人办理业务";
    /* name ≤ 20 and contact ≤ 40, both optional */
    in.name = copies("名", 21);
    fails(feedback_check(&in, &OK, &e), &e, "too_long", "name");
    in.name = "\u3000";
    assert_int_equal(feedback_check(&in, &OK, &e), CX_OK);
    assert_string_equal(OK.name, "");
    in.contact = copies("1", 41);
    fails(feedback_check(&in, &OK, &e), &e, "too_long", "contact");
    in.contact = "\xe4\xb8";
    fails(feedback_check(&in, &OK, &e), &e, "invalid_text", "contact");
    in.contact = NULL;
    /* channels: web and qr from the public, the others from staff */
    in.channel = FC_HOTLINE;
    fails(feedback_check(&in, &OK, &e), &e, "invalid_channel", "channel");
    in.staff = true;
    assert_int_equal(feedback_check(&in, &OK, &e), CX_OK);
    in.channel = FC_QR;
    fails(feedback_check(&in, &OK, &e), &e, "invalid_channel", "channel");
    in.channel = FC_N;
    fails(feedback_check(&in, &OK, &e), &e, "invalid_channel", "channel");
    in.channel = FC_LETTER;
    /* staff's received date: a real date, not in the future, within a year */
    in.received_date = "2023-02-29";
    fails(feedback_check(&in, &OK, &e), &e, "invalid_date", "received_date");
    char d[11];
    day_string(day_number(today) + 1, d);
    in.received_date = d;
    fails(feedback_check(&in, &OK, &e), &e, "future_date", "received_date");
    day_string(day_number(today) - 367, d);
    fails(feedback_check(&in, &OK, &e), &e, "too_old", "received_date");
    day_string(day_number(today) - 366, d);
    assert_int_equal(feedback_check(&in, &OK, &e), CX_OK);
    assert_string_equal(OK.received_date, d);
    in.received_date = "";
    assert_int_equal(feedback_check(&in, &OK, &e), CX_OK);
    assert_string_equal(OK.received_date, today);
    /* the target */
    in.about_kind = "person";
    fails(feedback_check(&in, &OK, &e), &e, "invalid_about", "about_kind");
    in.about_kind = "member";
    fails(feedback_check(&in, &OK, &e), &e, "invalid_about", "about_id");
    in.about_id = 42;
    assert_int_equal(feedback_check(&in, &OK, &e), CX_OK);
    assert_string_equal(OK.about_kind, "member");
    assert_int_equal(OK.about_id, 42);
    in.about_kind = "";
    assert_int_equal(feedback_check(&in, &OK, &e), CX_OK);
    assert_int_equal(OK.about_id, 0); /* no target, no id */
    in.kind = "report";
    fails(feedback_check(&in, &OK, &e), &e, "accused_required", "about_kind");
}

static void test_setting_and_category(void **st)
{
    (void)st;
    cx_err e;
    feedback_setting_ok s;
    assert_int_equal(feedback_setting_check("report", "10", &s, &e), CX_OK);
    assert_int_equal(s.kind, FK_REPORT);
    assert_int_equal(s.days, 10);
    fails(feedback_setting_check("举报", "10", &s, &e), &e, "invalid_kind", "kind");
    const char *bad[] = {NULL, "", "0", "61", "-1", "1.5", "ten"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) fails(feedback_setting_check("opinion", bad[i], &s, &e), &e, "invalid_due_days", "due_days");
    assert_int_equal(feedback_setting_check("opinion", "60", &s, &e), CX_OK);

    feedback_category_ok c;
    assert_int_equal(feedback_category_check("\u3000环境卫生 ", &c, &e), CX_OK);
    assert_string_equal(c.name, "环境卫生");
    fails(feedback_category_check(" \u3000 ", &c, &e), &e, "required", "name");
    fails(feedback_category_check(NULL, &c, &e), &e, "required", "name");
    assert_int_equal(feedback_category_check(copies("类", 12), &c, &e), CX_OK);
    fails(feedback_category_check(copies("类", 13), &c, &e), &e, "too_long", "name");
    fails(feedback_category_check("环境\xff", &c, &e), &e, "invalid_text", "name");
}

static void test_triage(void **st)
{
    (void)st;
    cx_err e;
    feedback_classify_ok c;
    assert_int_equal(feedback_classify_check("", NULL, &c, &e), CX_OK);
    assert_int_equal(c.category_id, 0);
    assert_false(c.note.given); /* no note: the stored one stays */
    assert_int_equal(feedback_classify_check("7", " \u3000", &c, &e), CX_OK);
    assert_int_equal(c.category_id, 7);
    assert_true(c.note.given); /* a blank note clears it */
    assert_string_equal(c.note.text, "");
    const char *bad[] = {"0", "-3", "x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) fails(feedback_classify_check(bad[i], "备注", &c, &e), &e, "invalid_category", "category_id");
    fails(feedback_classify_check("7", copies("备", 501), &c, &e), &e, "too_long", "note");
    feedback_note_ok n;
    assert_int_equal(feedback_note_check(copies("备", 500), &n, &e), CX_OK);
    assert_int_equal(feedback_note_check("第一行\r\n第二行", &n, &e), CX_OK);
    assert_string_equal(n.text, "第一行\r\n第二行");
    fails(feedback_note_check("\xc3\x28", &n, &e), &e, "invalid_text", "note");
    /* one step: the category and note as above, then the organisation */
    int64_t org = -1;
    assert_int_equal(feedback_org_check("12", &org, &e), CX_OK);
    assert_int_equal(org, 12);
    const char *bad_org[] = {NULL, "", "0", "-4", "12x", "x"};
    for (size_t i = 0; i < sizeof bad_org / sizeof bad_org[0]; i++) {
        fails(feedback_org_check(bad_org[i], &org, &e), &e, "invalid_org", "org_id");
        assert_int_equal(org, 0);
    }
    feedback_triage_ok t;
    assert_int_equal(feedback_triage_check("7", "12", "交镇里核实", &t, &e), CX_OK);
    assert_int_equal(t.c.category_id, 7);
    assert_int_equal(t.org_id, 12);
    assert_string_equal(t.c.note.text, "交镇里核实");
    assert_int_equal(feedback_triage_check("", "12", NULL, &t, &e), CX_OK);
    assert_int_equal(t.c.category_id, 0);
    assert_false(t.c.note.given);
    /* the first bad field is named: the category, then the note, then the organisation */
    fails(feedback_triage_check("x", "", "备注", &t, &e), &e, "invalid_category", "category_id");
    fails(feedback_triage_check("7", "", copies("备", 501), &t, &e), &e, "too_long", "note");
    fails(feedback_triage_check("7", "", "备注", &t, &e), &e, "invalid_org", "org_id");
}

static void test_reply_and_publish(void **st)
{
    (void)st;
    cx_err e;
    static feedback_reply_ok r;
    assert_int_equal(feedback_reply_check("\u3000已处理 ", false, "x", &r, &e), CX_OK);
    assert_string_equal(r.reply, "已处理");
    assert_false(r.pub.publish);
    assert_string_equal(r.pub.summary, ""); /* not published: the summary is not looked at */
    fails(feedback_reply_check("好\u3000", false, NULL, &r, &e), &e, "too_short", "reply");
    fails(feedback_reply_check(NULL, false, NULL, &r, &e), &e, "too_short", "reply");
    fails(feedback_reply_check(copies("答", FEEDBACK_TEXT_MAX + 1), false, NULL, &r, &e), &e, "too_long", "reply");
    fails(feedback_reply_check("已处理\xff", false, NULL, &r, &e), &e, "invalid_text", "reply");
    /* published: a given summary is 5–300 characters; none given is left to the store */
    assert_int_equal(feedback_reply_check("已处理", true, NULL, &r, &e), CX_OK);
    assert_true(r.pub.publish);
    assert_string_equal(r.pub.summary, "");
    fails(feedback_reply_check("已处理", true, "\u3000\u3000", &r, &e), &e, "too_short", "summary");
    fails(feedback_reply_check("已处理", true, "摘要四字", &r, &e), &e, "too_short", "summary");
    assert_int_equal(feedback_reply_check("已处理", true, " 群众反映窗口午休\n无人办理 ", &r, &e), CX_OK);
    assert_string_equal(r.pub.summary, "群众反映窗口午休\n无人办理");

    feedback_publish_ok p;
    assert_int_equal(feedback_publish_check(false, "短", &p, &e), CX_OK);
    assert_false(p.publish);
    assert_int_equal(feedback_publish_check(true, copies("摘", 300), &p, &e), CX_OK);
    fails(feedback_publish_check(true, copies("摘", 301), &p, &e), &e, "too_long", "summary");
    fails(feedback_publish_check(true, "摘要摘要摘\xfe", &p, &e), &e, "invalid_text", "summary");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_submission),
        cmocka_unit_test(test_setting_and_category),
        cmocka_unit_test(test_triage),
        cmocka_unit_test(test_reply_and_publish),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
