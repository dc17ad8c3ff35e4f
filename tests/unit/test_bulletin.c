/* test_bulletin.c: the rules of bulletins (通报) without a database: the printed number and its
 * prefix, the checks of a draft, the ranking table (ties share a rank, nothing due comes last,
 * shares rounded to one decimal) and the canonical content whose hash does not change when it is
 * parsed and printed again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include <string.h>
#include "domain/bulletin.h"

static void the_number_and_its_prefix(void **st)
{
    char t[128];
    bulletin_number_text("河西创", 2026, 3, t, sizeof t);
    assert_string_equal(t, "河西创〔2026〕3号");
    cx_err e;
    assert_int_equal(bulletin_prefix_check("  河西创 ", t, sizeof t, &e), CX_OK);
    assert_string_equal(t, "河西创");
    assert_int_equal(bulletin_prefix_check("河西创〔2026〕", t, sizeof t, &e), CX_ERR);
    assert_string_equal(e.field, "prefix");
    assert_int_equal(bulletin_prefix_check("", t, sizeof t, &e), CX_ERR);
    assert_string_equal(e.code, "required");
    assert_int_equal(bulletin_prefix_check("一二三四五六七八九十一二三四五六七八九十一", t, sizeof t, &e), CX_ERR);
    assert_string_equal(e.code, "too_long");
}

static void a_draft_is_checked_field_by_field(void **st)
{
    bulletin_in in = {.title = "关于第三季度的通报", .period = "2026Q3", .from_q = 20263, .to_q = 20263, .sections = "rank_reports, named,text"};
    in.notes[BK_TEXT] = "正文";
    in.notes[BK_NAMED] = "  予以点名  ";
    bulletin_ok ok;
    cx_err e;
    assert_int_equal(bulletin_check(&in, &ok, &e), CX_OK);
    assert_int_equal(ok.nsec, 3);
    assert_int_equal(ok.kinds[0], BK_RANK_REPORTS);
    assert_int_equal(ok.kinds[1], BK_NAMED);
    assert_string_equal(ok.notes[1], "予以点名");
    assert_false(ok.is_public);
    bulletin_ok_free(&ok);
    /* what is wrong is named */
    struct {
        bulletin_in in;
        const char *code, *field;
    } bad[] = {
        {{.title = "", .period = "2026", .from_q = 20261, .to_q = 20264, .sections = "text"}, "required", "title"},
        {{.title = "标题", .period = "2026Q5", .sections = "named"}, "invalid_period", "period"},
        {{.title = "标题", .from = "2026Q3", .to = "2026Q1", .from_q = 20263, .to_q = 20261, .sections = "named"}, "invalid_period", "to"},
        {{.title = "标题", .from = "2024Q1", .to = "2026Q1", .from_q = 20241, .to_q = 20261, .sections = "named"}, "invalid_period", "to"},
        {{.title = "标题", .to = "2026Q1", .to_q = 20261, .sections = "named"}, "required", "from"},
        {{.title = "标题", .period = "2026", .from_q = 20261, .to_q = 20264, .sections = ""}, "required", "sections"},
        {{.title = "标题", .period = "2026", .from_q = 20261, .to_q = 20264, .sections = "named,bogus"}, "invalid_section", "sections"},
        {{.title = "标题", .period = "2026", .from_q = 20261, .to_q = 20264, .sections = "text"}, "required", "note_text"},
        {{.title = "标题", .period = "2026", .from_q = 20261, .to_q = 20264, .sections = "exemplary"}, "required", "exemplary"},
        {{.title = "标题", .period = "2026", .from_q = 20261, .to_q = 20264, .sections = "exemplary", .exemplary = "1,-2"}, "invalid_exemplary", "exemplary"},
        {{.title = "标题", .period = "2026", .from_q = 20261, .to_q = 20264, .sections = "named", .visibility = "all"}, "invalid_visibility", "visibility"},
        {{.title = "标题", .period = "2027", .from_q = 20271, .to_q = 20274, .today_q = 20264, .sections = "named"}, "invalid_period", "period"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&e, 0, sizeof e);
        assert_int_equal(bulletin_check(&bad[i].in, &ok, &e), CX_ERR);
        assert_string_equal(e.code, bad[i].code);
        assert_string_equal(e.field, bad[i].field);
    }
    /* a page's ticked boxes when no list is sent; the exemplary pledges without repeats */
    bulletin_in page = {.title = "标题", .period = "2026", .from_q = 20261, .to_q = 20264, .exemplary = "12, 7,12", .visibility = "public"};
    page.picked[BK_EXEMPLARY] = page.picked[BK_LATE_REPORTS] = true;
    assert_int_equal(bulletin_check(&page, &ok, &e), CX_OK);
    assert_int_equal(ok.nsec, 2);
    assert_int_equal(ok.npledges, 2);
    assert_true(ok.is_public);
    cJSON *s = bulletin_draft_sections(&ok);
    char *text = cJSON_PrintUnformatted(s);
    assert_non_null(strstr(text, "\"pledge_ids\":[\"12\",\"7\"]"));
    free(text), cJSON_Delete(s), bulletin_ok_free(&ok);
}

static void a_ranking_shares_ranks_and_puts_nothing_due_last(void **st)
{
    bulletin_share v[] = {{1, "乙镇", 0, 0}, {2, "甲镇", 1, 3}, {3, "丙镇", 2, 6}, {4, "丁镇", 2, 3}};
    cJSON *f = cJSON_CreateObject();
    bulletin_rank_rows(f, BK_RANK_REPORTS, v, 4);
    char *t = cJSON_PrintUnformatted(cJSON_GetObjectItem(f, "rows"));
    assert_string_equal(t, "[{\"key\":\"org:4\",\"cells\":[\"1\",\"丁镇\",\"2\",\"3\",\"66.7%\"]},"
                           "{\"key\":\"org:3\",\"cells\":[\"2\",\"丙镇\",\"2\",\"6\",\"33.3%\"]},"
                           "{\"key\":\"org:2\",\"cells\":[\"2\",\"甲镇\",\"1\",\"3\",\"33.3%\"]},"
                           "{\"key\":\"org:1\",\"cells\":[\"—\",\"乙镇\",\"0\",\"0\",\"—\"]}]");
    free(t), cJSON_Delete(f);
}

static void the_content_hash_survives_a_round_trip(void **st)
{
    const char *sections = "[{\"kind\":\"text\",\"title\":\"其他事项\",\"note\":\"正文\\n第二行\",\"figures\":{\"total\":0,\"rows\":[]}}]";
    bulletin_content c = {.id = 7, .org_id = 1, .number_text = "河西创〔2026〕1号", .title = "标题", .visibility = "public",
                          .published_at = 1790000000, .year = 2026, .from_q = 20261, .to_q = 20263, .seq = 1, .sections = sections};
    char h1[65], h2[65];
    assert_int_equal(bulletin_hash(&c, h1), CX_OK);
    cJSON *j = cJSON_Parse(sections);
    char *again = cJSON_PrintUnformatted(j);
    c.sections = again;
    assert_int_equal(bulletin_hash(&c, h2), CX_OK);
    assert_string_equal(h1, h2);
    c.title = "标题改";
    assert_int_equal(bulletin_hash(&c, h2), CX_OK);
    assert_string_not_equal(h1, h2);
    c.sections = "not json";
    assert_int_equal(bulletin_hash(&c, h2), CX_ERR);
    free(again), cJSON_Delete(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_number_and_its_prefix),
        cmocka_unit_test(a_draft_is_checked_field_by_field),
        cmocka_unit_test(a_ranking_shares_ranks_and_puts_nothing_due_last),
        cmocka_unit_test(the_content_hash_survives_a_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
