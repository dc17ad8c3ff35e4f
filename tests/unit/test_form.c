/* test_form.c: unit tests of form_refill: a failed form shown again with what the user typed and
 * the message beside its field, on pages written the way our templates are. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/util.h"
#include "web/form.h"

static char *refill(const char *html, const char *action, const form_value *v, size_t nv, const form_error *e, size_t ne, bool *ok)
{
    buf b;
    buf_init(&b);
    *ok = form_refill(html, action, v, nv, e, ne, &b);
    buf_addc(&b, 0);
    return buf_take(&b);
}

static void fills_text_textarea_select_checkbox(void **state)
{
    (void)state;
    const char *page = "<header><form method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"_csrf\" value=\"T\"></form></header>"
                       "<form method=\"post\" action=\"/orgs/3/members?x=1\"><input type=\"hidden\" name=\"_csrf\" value=\"T\">"
                       "<input id=\"n\" name=\"name\" value=\"old\" required><input name=\"password\" type=\"password\">"
                       "<textarea name=\"duties\">old text</textarea>"
                       "<select name=\"status\"><option value=\"full\" selected>正式</option><option value=\"probationary\">预备</option></select>"
                       "<input type=\"checkbox\" name=\"dry_run\" value=\"1\" checked><input type=\"file\" name=\"photo\"></form>";
    form_value v[] = {{"_csrf", "EVIL"}, {"name", "<张三\"&>"}, {"password", "secret"}, {"duties", "新</textarea>职责"}, {"status", "probationary"}};
    form_error e[] = {{"invalid_name", "name", "姓名太长"}};
    bool ok;
    char *out = refill(page, "/orgs/3/members", v, 5, e, 1, &ok);
    assert_true(ok);
    assert_non_null(strstr(out, "<input id=\"n\" name=\"name\" required value=\"&lt;张三&quot;&amp;&gt;\" aria-invalid=\"true\" aria-describedby=\"ferr-name\">"
                                "<p class=\"alert field-error\" id=\"ferr-name\" role=\"alert\" data-code=\"invalid_name\" data-field=\"name\">姓名太长</p>"));
    assert_null(strstr(out, "secret"));
    assert_null(strstr(out, "EVIL"));
    assert_non_null(strstr(out, "<textarea name=\"duties\">新&lt;/textarea&gt;职责</textarea>"));
    assert_non_null(strstr(out, "<option value=\"full\">正式</option><option value=\"probationary\" selected>预备</option>"));
    assert_non_null(strstr(out, "<input type=\"checkbox\" name=\"dry_run\" value=\"1\">")); /* not posted: unchecked */
    assert_non_null(strstr(out, "<header><form method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"_csrf\" value=\"T\"></form></header>"));
    free(out);
}

static void picks_the_form_by_its_hidden_inputs_and_places_other_errors_on_top(void **state)
{
    (void)state;
    const char *page = "<form method=\"get\" action=\"/b\"><input name=\"q\"></form>"
                       "<form method=\"post\" action=\"/b\"><input type=\"hidden\" name=\"decision\" value=\"release\"><input name=\"note\"></form>"
                       "<form method=\"post\" action=\"/b\"><input type=\"hidden\" name=\"decision\" value=\"discard\"><input name=\"note\"></form>";
    form_value v[] = {{"decision", "discard"}, {"note", "刷票"}, {"q", "x"}};
    form_error e[] = {{"bad", "", "总的原因"}, {"too_long", "note", "说明太长"}, {"again", "note", "第二个原因"}};
    bool ok;
    char *out = refill(page, "/b", v, 3, e, 3, &ok);
    assert_true(ok);
    assert_non_null(strstr(out, "<input name=\"q\"></form>")); /* the GET form is not touched */
    assert_non_null(strstr(out, "value=\"release\"><input name=\"note\"></form>"));
    assert_non_null(strstr(out, "<form method=\"post\" action=\"/b\"><p class=\"alert\" role=\"alert\" data-code=\"bad\" data-field=\"\">总的原因</p>"
                                "<input type=\"hidden\" name=\"decision\" value=\"discard\"><input name=\"note\" value=\"刷票\" aria-invalid=\"true\""));
    assert_non_null(strstr(out, "说明太长"));
    assert_null(strstr(out, "第二个原因")); /* one message a field: the first */
    free(out);
    /* a page without the form: nothing, so the caller shows its error page */
    out = refill(page, "/elsewhere", v, 3, e, 1, &ok);
    assert_false(ok);
    free(out);
}

static void a_body_never_read_keeps_the_page_values(void **state)
{
    (void)state;
    const char *page = "<form method=\"post\" action=\"/i\"><input name=\"a\" value=\"1\"><input type=\"checkbox\" name=\"c\" checked></form>";
    form_error e[] = {{"body_too_large", "", "请求内容过大"}};
    bool ok;
    char *out = refill(page, "/i", NULL, 0, e, 1, &ok);
    assert_true(ok);
    assert_non_null(strstr(out, "<input name=\"a\" value=\"1\"><input type=\"checkbox\" name=\"c\" checked></form>"));
    assert_non_null(strstr(out, "请求内容过大"));
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fills_text_textarea_select_checkbox),
        cmocka_unit_test(picks_the_form_by_its_hidden_inputs_and_places_other_errors_on_top),
        cmocka_unit_test(a_body_never_read_keeps_the_page_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
