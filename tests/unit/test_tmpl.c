/* test_tmpl.c: unit tests of the template renderer: escaping per tag, sections, lookups, errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "lib/util.h"
#include "web/tmpl.h"

/* Renders text with data given as JSON; returns the return code, the output in got. */
static int render_json(const char *text, const char *json, char *got, size_t cap)
{
    cJSON *d = cJSON_Parse(json);
    if (!d) fail_msg("bad test JSON: %s", json);
    buf b;
    buf_init(&b);
    int rc = tmpl_render_text(text, d, &b);
    snprintf(got, cap, "%s", b.p ? b.p : "");
    buf_free(&b);
    cJSON_Delete(d);
    return rc;
}

static void expect_render(const char *text, const char *json, const char *want)
{
    char got[4096];
    if (render_json(text, json, got, sizeof got) != CX_OK) fail_msg("\"%s\" failed (output so far \"%s\")", text, got);
    if (strcmp(got, want) != 0) fail_msg("\"%s\" rendered \"%s\", want \"%s\"", text, got, want);
}

static void expect_render_fail(const char *text, const char *json)
{
    char got[4096];
    if (render_json(text, json, got, sizeof got) != CX_ERR) fail_msg("\"%s\" rendered \"%s\"", text, got);
}

static void test_plain_and_values(void **state)
{
    (void)state;
    expect_render("", "{}", "");
    expect_render("no tags 创先争优", "{}", "no tags 创先争优");
    expect_render("Hello {{name}}!", "{\"name\":\"张三\"}", "Hello 张三!");
    expect_render("[{{ name }}]", "{\"name\":\"x\"}", "[x]");
    expect_render("[{{missing}}]", "{\"name\":\"x\"}", "[]");
    expect_render("{{a}}{{b}}{{a}}", "{\"a\":\"1\",\"b\":\"2\"}", "121");
    expect_render("{{t}} {{f}} {{n}}", "{\"t\":true,\"f\":false,\"n\":null}", "true false ");
    expect_render("a{{! a comment with {braces} }}b", "{}", "ab");
    expect_render("{{!}}x", "{}", "x");
    expect_render("a{{! name }}b", "{\"name\":\"X\"}", "ab"); /* a comment that names a key */
}

static void test_numbers(void **state)
{
    (void)state;
    expect_render("{{n}}", "{\"n\":3}", "3");
    expect_render("{{n}}", "{\"n\":3.0}", "3");
    expect_render("{{n}}", "{\"n\":0}", "0");
    expect_render("{{n}}", "{\"n\":-42}", "-42");
    expect_render("{{n}}", "{\"n\":2.5}", "2.5");
    expect_render("{{n}}", "{\"n\":-0.25}", "-0.25");
    expect_render("{{n}}", "{\"n\":1000000}", "1000000");
    expect_render("{{n}}", "{\"n\":1234567890123}", "1234567890123");
    expect_render("{{%n}}", "{\"n\":12}", "12");
}

/* A fractional number is shown as written, not cut to 6 significant digits in e-notation. */
static void test_numbers_fraction_precision(void **state)
{
    (void)state;
    expect_render("{{n}}", "{\"n\":1234567.5}", "1234567.5");
    expect_render("{{n}}", "{\"n\":98.765432}", "98.765432");
}

static void test_html_escaping(void **state)
{
    (void)state;
    expect_render("{{x}}", "{\"x\":\"a & b < c > d \\\" e ' f\"}", "a &amp; b &lt; c &gt; d &quot; e &#39; f");
    expect_render("<a title=\"{{x}}\">", "{\"x\":\"\\\"><b>\"}", "<a title=\"&quot;&gt;&lt;b&gt;\">");
    /* the template text itself is not escaped */
    expect_render("<b>&amp;{{x}}</b>", "{\"x\":\"&\"}", "<b>&amp;&amp;</b>");
}

static void test_url_encoding(void **state)
{
    (void)state;
    expect_render("/search?q={{%q}}", "{\"q\":\"a b&c=d\"}", "/search?q=a%20b%26c%3Dd");
    expect_render("/org?name={{%q}}", "{\"q\":\"支部\"}", "/org?name=%E6%94%AF%E9%83%A8");
    expect_render("?q={{% q }}", "{\"q\":\"\\\"<x>'\"}", "?q=%22%3Cx%3E%27");
    expect_render("?q={{%missing}}", "{}", "?q=");
}

static void test_raw_html(void **state)
{
    (void)state;
    expect_render("<main>{{{html_body}}}</main>", "{\"html_body\":\"<p>Hi & bye</p>\"}", "<main><p>Hi & bye</p></main>");
    expect_render("<main>{{{ html_body }}}</main>", "{\"html_body\":\"<i>x</i>\"}", "<main><i>x</i></main>");
    expect_render("[{{{html_missing}}}]", "{}", "[]");
    /* the same key in double braces is escaped */
    expect_render("{{html_body}}", "{\"html_body\":\"<p>\"}", "&lt;p&gt;");
    /* raw output of any other key is refused */
    expect_render_fail("{{{body}}}", "{\"body\":\"<p>\"}");
    expect_render_fail("{{{x}}}", "{}");
    expect_render_fail("{{{htm}}}", "{\"htm\":\"<p>\"}");
    expect_render_fail("{{{htmlbody}}}", "{\"htmlbody\":\"<p>\"}");
    expect_render_fail("{{{ body }}}", "{\"body\":\"<p>\"}");
    expect_render_fail("ok{{{body}}}", "{\"body\":\"<p>\"}");
}

static void test_sections(void **state)
{
    (void)state;
    /* arrays repeat, with lookups in each element */
    expect_render("{{#list}}<li>{{name}}</li>{{/list}}", "{\"list\":[{\"name\":\"a\"},{\"name\":\"<b>\"}]}",
                  "<li>a</li><li>&lt;b&gt;</li>");
    expect_render("{{#list}}[{{.}}]{{/list}}", "{\"list\":[\"x\",\"<y>\",3,2.5]}", "[x][&lt;y&gt;][3][2.5]");
    expect_render("a{{#list}}x{{/list}}b", "{\"list\":[]}", "ab");
    /* objects are entered */
    expect_render("{{#org}}{{name}} ({{id}}){{/org}}", "{\"org\":{\"name\":\"一支部\",\"id\":7}}", "一支部 (7)");
    /* true, non-empty strings and non-zero numbers show once; false values hide */
    expect_render("{{#t}}yes{{/t}}{{#f}}no{{/f}}", "{\"t\":true,\"f\":false}", "yes");
    expect_render("{{#s}}S{{/s}}{{#e}}E{{/e}}", "{\"s\":\"x\",\"e\":\"\"}", "S");
    expect_render("{{#n}}N{{/n}}{{#z}}Z{{/z}}", "{\"n\":2,\"z\":0}", "N");
    expect_render("{{#nul}}X{{/nul}}{{#missing}}Y{{/missing}}", "{\"nul\":null}", "");
    /* inside a scalar section the enclosing values are still there */
    expect_render("{{#admin}}{{user}}{{/admin}}", "{\"admin\":true,\"user\":\"root\"}", "root");
    /* nested sections, including the same name nested */
    expect_render("{{#rows}}{{#cells}}{{.}},{{/cells}};{{/rows}}", "{\"rows\":[{\"cells\":[1,2]},{\"cells\":[3]}]}",
                  "1,2,;3,;");
    expect_render("{{#a}}<{{#a}}in{{/a}}>{{/a}}", "{\"a\":{\"a\":true}}", "<in>");
    expect_render("{{#t}}1{{/t}}{{#t}}2{{/t}}", "{\"t\":true}", "12");
}

static void test_inverted_sections(void **state)
{
    (void)state;
    const char *t = "{{^v}}empty{{/v}}";
    expect_render(t, "{}", "empty");
    expect_render(t, "{\"v\":false}", "empty");
    expect_render(t, "{\"v\":null}", "empty");
    expect_render(t, "{\"v\":\"\"}", "empty");
    expect_render(t, "{\"v\":0}", "empty");
    expect_render(t, "{\"v\":[]}", "empty");
    expect_render(t, "{\"v\":true}", "");
    expect_render(t, "{\"v\":\"x\"}", "");
    expect_render(t, "{\"v\":1}", "");
    expect_render(t, "{\"v\":[0]}", "");
    expect_render(t, "{\"v\":{}}", "");
    expect_render("{{#list}}<li>{{.}}</li>{{/list}}{{^list}}<p>暂无</p>{{/list}}", "{\"list\":[]}", "<p>暂无</p>");
    expect_render("{{#list}}<li>{{.}}</li>{{/list}}{{^list}}<p>暂无</p>{{/list}}", "{\"list\":[\"a\"]}", "<li>a</li>");
}

static void test_lookups(void **state)
{
    (void)state;
    /* dotted names */
    expect_render("{{org.name}}", "{\"org\":{\"name\":\"党委\"}}", "党委");
    expect_render("{{a.b.c}}", "{\"a\":{\"b\":{\"c\":\"deep\"}}}", "deep");
    expect_render("[{{a.x}}]", "{\"a\":{\"b\":1}}", "[]");
    expect_render("[{{a.b.c}}]", "{\"a\":{\"b\":\"str\"}}", "[]");
    expect_render("{{#org.parent}}{{name}}{{/org.parent}}", "{\"org\":{\"parent\":{\"name\":\"上级\"}}}", "上级");
    /* numeric index into arrays */
    expect_render("{{list.0}}-{{list.2}}", "{\"list\":[\"a\",\"b\",\"c\"]}", "a-c");
    expect_render("{{list.1.name}}", "{\"list\":[{\"name\":\"x\"},{\"name\":\"y\"}]}", "y");
    expect_render("[{{list.5}}]", "{\"list\":[\"a\"]}", "[]");
    /* names are looked up in the innermost scope first, then outwards to the root */
    expect_render("{{#items}}{{name}}@{{site}};{{/items}}",
                  "{\"site\":\"root\",\"name\":\"outer\",\"items\":[{\"name\":\"a\"},{\"name\":\"b\",\"site\":\"own\"}]}",
                  "a@root;b@own;");
    expect_render("{{#org}}{{#members}}{{name}}/{{org_name}}/{{title}} {{/members}}{{/org}}",
                  "{\"title\":\"T\",\"org\":{\"org_name\":\"支部\",\"members\":[{\"name\":\"甲\"},{\"name\":\"乙\"}]}}",
                  "甲/支部/T 乙/支部/T ");
    /* a dotted name whose first part is found does not fall back further */
    expect_render("{{#inner}}[{{org.name}}]{{/inner}}", "{\"org\":{\"name\":\"root\"},\"inner\":{\"org\":{}}}", "[]");
    /* keys are case-sensitive */
    expect_render("[{{Name}}]", "{\"name\":\"x\"}", "[]");
}

static void test_malformed(void **state)
{
    (void)state;
    expect_render_fail("{{#list}}never closed", "{\"list\":[1]}");
    expect_render_fail("{{#list}}never closed", "{}"); /* even when the section would be skipped */
    expect_render_fail("{{^list}}never closed", "{}");
    expect_render_fail("{{#a}}{{/b}}", "{\"a\":true}");
    expect_render_fail("{{#a}}{{#a}}{{/a}}", "{\"a\":true}");
    expect_render_fail("text {{name", "{\"name\":\"x\"}");
    expect_render_fail("{{{html_x}}", "{\"html_x\":\"x\"}");
    expect_render_fail("{{#list}}{{{raw}}}{{/list}}", "{\"list\":[1]}");
}

/* Renders tmpl with every value set to v, as a string at the root, in a list and in an object. */
static char *render_with(const char *tmpl, const char *v)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "v", v);
    cJSON *list = cJSON_AddArrayToObject(d, "list");
    cJSON_AddItemToArray(list, cJSON_CreateString(v));
    cJSON *item = cJSON_CreateObject();
    cJSON_AddStringToObject(item, "name", v);
    cJSON_AddItemToArray(list, item);
    cJSON *obj = cJSON_AddObjectToObject(d, "obj");
    cJSON_AddStringToObject(obj, "v", v);
    buf b;
    buf_init(&b);
    int rc = tmpl_render_text(tmpl, d, &b);
    cJSON_Delete(d);
    char *out = buf_take(&b);
    if (rc != CX_OK) free(out);
    assert_int_equal(rc, CX_OK);
    return out;
}

static void count_specials(const char *s, size_t n[3])
{
    n[0] = n[1] = n[2] = 0;
    for (; *s; s++) n[0] += *s == '<', n[1] += *s == '"', n[2] += *s == '\'';
}

static void test_injection(void **state)
{
    (void)state;
    const char *evil[] = {
        "<script>alert(1)</script>",
        "\"><img src=x onerror=alert(1)>",
        "'><svg onload=alert(1)>",
        "</title><script>alert(1)</script>",
    };
    const char *tmpl = "<title>{{v}}</title><a href=\"/q?x={{%v}}\" title=\"{{v}}\" data-x='{{v}}'>"
                       "{{#list}}<li>{{.}}</li><li>{{name}}</li>{{/list}}{{#obj}}{{v}}{{/obj}}</a>";
    char *safe = render_with(tmpl, "safe");
    size_t want[3];
    count_specials(safe, want);
    int has_li = strstr(safe, "<li>safe</li>") != NULL;
    free(safe);
    assert_true(has_li);
    for (size_t i = 0; i < sizeof evil / sizeof evil[0]; i++) {
        char *rendered = render_with(tmpl, evil[i]);
        char out[4096];
        snprintf(out, sizeof out, "%s", rendered);
        free(rendered);
        if (strstr(out, evil[i])) fail_msg("\"%s\" appears unescaped in %s", evil[i], out);
        if (strstr(out, "<script") || strstr(out, "<img") || strstr(out, "<svg"))
            fail_msg("markup from data in %s", out);
        /* the only angle brackets and quotes left are the template's own */
        size_t got[3];
        count_specials(out, got);
        assert_int_equal(got[0], want[0]);
        assert_int_equal(got[1], want[1]);
        assert_int_equal(got[2], want[2]);
    }
    /* a value that looks like a tag is not interpreted again */
    expect_render("{{v}}", "{\"v\":\"{{{html_x}}}\",\"html_x\":\"<b>\"}", "{{{html_x}}}");
    expect_render("{{v}}", "{\"v\":\"{{#a}}x{{/a}}\",\"a\":true}", "{{#a}}x{{/a}}");
}

/* Renders the compiled-in template name; returns the return code, the output in got. */
static int render_named(const char *name, const cJSON *d, char *got, size_t cap)
{
    buf b;
    buf_init(&b);
    int rc = tmpl_render(name, d, &b);
    snprintf(got, cap, "%s", b.p ? b.p : "");
    buf_free(&b);
    return rc;
}

static void test_compiled_templates(void **state)
{
    (void)state;
    static char out[65536];
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "title", "成员 <script>alert(1)</script>");
    cJSON_AddStringToObject(d, "html_body", "<p id=\"body\">正文</p>");
    cJSON *me = cJSON_AddObjectToObject(d, "me");
    cJSON_AddStringToObject(me, "display_name", "\"><img src=x onerror=alert(1)>");
    cJSON_AddStringToObject(me, "username", "zhang");
    cJSON_AddStringToObject(me, "csrf", "tok\"en");
    int rc = render_named("layout", d, out, sizeof out);
    cJSON_DeleteItemFromObject(d, "me");
    static char anon[65536];
    int rc_anon = render_named("layout", d, anon, sizeof anon);
    cJSON_Delete(d);

    if (rc != CX_OK) fail_msg("layout failed: %s", out);
    assert_non_null(strstr(out, "<!doctype html>"));
    assert_non_null(strstr(out, "<title>成员 &lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_null(strstr(out, "<script>alert(1)"));
    assert_non_null(strstr(out, "<p id=\"body\">正文</p>")); /* the body is raw HTML */
    assert_non_null(strstr(out, "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
    assert_null(strstr(out, "<img"));
    assert_non_null(strstr(out, "zhang"));
    assert_non_null(strstr(out, "value=\"tok&quot;en\""));

    /* without a signed-in user the user box is left out */
    assert_int_equal(rc_anon, CX_OK);
    assert_null(strstr(anon, "zhang"));
    assert_null(strstr(anon, "/logout"));
    assert_non_null(strstr(anon, "<p id=\"body\">正文</p>"));

    cJSON *empty = cJSON_CreateObject();
    rc = render_named("no_such", empty, out, sizeof out);
    int rc_up = render_named("../meson", empty, anon, sizeof anon);
    cJSON_Delete(empty);
    assert_int_equal(rc, CX_ERR);
    assert_non_null(strstr(out, "no_such")); /* the reason is reported in out */
    assert_int_equal(rc_up, CX_ERR);
}

/* {{>name}}: a compiled template rendered in the current scope (the shared pager); an unknown or
 * nameless partial is an error, not silence. */
static void test_partials(void **state)
{
    (void)state;
    char got[4096];
    assert_int_equal(render_json("<p>{{>pager}}</p>", "{\"paging\":{\"total\":7,\"page\":1,\"pages\":1}}", got, sizeof got), CX_OK);
    assert_non_null(strstr(got, "共 7 条"));
    assert_null(strstr(got, "下一页"));
    assert_int_equal(render_json("{{>pager}}", "{\"paging\":{\"total\":120,\"page\":2,\"pages\":3,\"several\":true,"
                                  "\"prev_href\":\"/x?a=1&page=1\",\"next_href\":\"/x?a=1&page=3\",\"links\":["
                                  "{\"page\":1,\"href\":\"/x?a=1&page=1\",\"current\":false,\"gap\":false},"
                                  "{\"page\":2,\"href\":\"/x?a=1&page=2\",\"current\":true,\"gap\":false},"
                                  "{\"page\":3,\"href\":\"/x?a=1&page=3\",\"current\":false,\"gap\":false}]}}", got, sizeof got), CX_OK);
    assert_non_null(strstr(got, "共 120 条，第 2 / 3 页"));
    assert_non_null(strstr(got, "<a href=\"/x?a=1&amp;page=1\" rel=\"prev\">上一页</a>"));
    assert_non_null(strstr(got, "<strong aria-current=\"page\">2</strong>"));
    assert_non_null(strstr(got, "<a href=\"/x?a=1&amp;page=3\">3</a>"));
    assert_non_null(strstr(got, "rel=\"next\">下一页</a>"));
    expect_render("[{{>pager}}]", "{}", "[\n]");
    expect_render_fail("{{>no_such_template}}", "{}");
    expect_render_fail("{{>}}", "{}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_and_values),  cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_numbers_fraction_precision),
        cmocka_unit_test(test_html_escaping),     cmocka_unit_test(test_url_encoding),
        cmocka_unit_test(test_raw_html),          cmocka_unit_test(test_sections),
        cmocka_unit_test(test_inverted_sections), cmocka_unit_test(test_lookups),
        cmocka_unit_test(test_malformed),         cmocka_unit_test(test_injection),
        cmocka_unit_test(test_compiled_templates), cmocka_unit_test(test_partials),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
