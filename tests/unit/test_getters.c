/* test_getters.c: a store getter never hands back an output it did not fill. Each single-row
 * getter, asked for a row that is not there, answers 0 and leaves its output cleared (all zero
 * bytes), whatever the caller's struct held before: before this, most left the caller's
 * uninitialised stack as it was, and handlers that ignored the answer serialised it. The
 * compiler finds callers that ignore the answer (CX_MUST_USE, lib/util.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../src/store/store.h"
#include "../../src/store/rating.h"
#include "../../src/store/window.h"
#include "../../src/store/paper_batch.h"
#include "../../src/store/phone_draw.h"
#include "../../src/store/burst.h"
#include "../../src/store/draw.h"
#include "../../src/store/feedback.h"
#include "../../src/store/pledge.h"
#include "../../src/store/rect.h"
#include "../../src/store/campaign.h"
#include "../../src/store/standard.h"
#include "../../src/store/round.h"
#include "../../src/store/review.h"
#include "../../src/store/grading.h"
#include "../../src/store/grade.h"
#include "../../src/store/rollup.h"

#define MISSING 987654321

static char path[256];

static int setup(void **st)
{
    snprintf(path, sizeof path, "/tmp/cxzy-test-getters-%d.db", (int)getpid());
    unlink(path);
    cx_err e = {0};
    db *d = db_open(path, &e);
    assert_non_null(d);
    assert_int_equal(store_migrate(d, &e), CX_OK);
    *st = d;
    return 0;
}

static int teardown(void **st)
{
    db_close(*st);
    char p[300];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path), unlink(p);
    snprintf(p, sizeof p, "%s-shm", path), unlink(p);
    return 0;
}

/* Fills out with garbage, runs the getter, checks the answer and that every byte is zero. */
#define EXPECT_CLEARED(type, call)                                                                                     \
    do {                                                                                                               \
        type *out = malloc(sizeof(type));                                                                              \
        memset(out, 0xA5, sizeof(type));                                                                               \
        int got = (call);                                                                                              \
        if (got != 0) fail_msg("%s answered %d for a missing row", #call, got);                                        \
        for (size_t i = 0; i < sizeof(type); i++)                                                                      \
            if (((unsigned char *)out)[i]) fail_msg("%s left byte %zu of its %s uncleared", #call, i, #type);          \
        free(out);                                                                                                     \
    } while (0)

static void missing_rows_leave_cleared_outputs(void **st)
{
    db *d = *st;
    EXPECT_CLEARED(org, org_get(d, MISSING, out));
    EXPECT_CLEARED(member, member_get(d, MISSING, out));
    EXPECT_CLEARED(pledge, pledge_get(d, MISSING, out));
    EXPECT_CLEARED(service_window, window_get(d, MISSING, out));
    EXPECT_CLEARED(paper_batch, paper_batch_get(d, MISSING, out));
    EXPECT_CLEARED(phone_draw, phone_draw_get(d, MISSING, out));
    EXPECT_CLEARED(ballot_burst, burst_get(d, MISSING, out));
    EXPECT_CLEARED(draw_commitment, draw_commitment_get(d, MISSING, out));
    EXPECT_CLEARED(feedback, feedback_get(d, MISSING, out));
    EXPECT_CLEARED(rect, rect_get(d, MISSING, out));
    EXPECT_CLEARED(campaign, review_campaign_get(d, MISSING, out, NULL));
    EXPECT_CLEARED(standard_set, standard_get(d, MISSING, out));
    EXPECT_CLEARED(review_round, round_get(d, MISSING, out));
    EXPECT_CLEARED(grade_row, grade_get(d, MISSING, false, MISSING, out));
    EXPECT_CLEARED(review_text, review_self_get(d, MISSING, false, MISSING, out));
    EXPECT_CLEARED(review_text, review_peer_get(d, MISSING, MISSING, MISSING, out));
    EXPECT_CLEARED(rating_target, rating_target_get(d, 0, MISSING, out));
    EXPECT_CLEARED(tally, tally_get(d, MISSING, out));
    EXPECT_CLEARED(review_round, round_current(d, "/987654321/", out));
    EXPECT_CLEARED(rating_open, rating_round_pick(d, "/987654321/", MISSING, out));
    org nowhere = {.id = MISSING, .path = "/987654321/"};
    EXPECT_CLEARED(campaign, campaign_for_org(d, &nowhere, out));
    rating_target t = {.kind = 1, .id = MISSING, .org_id = MISSING, .org_path = "/987654321/"};
    EXPECT_CLEARED(rating_open, rating_open_for(d, &t, out));
    rating_open ro; /* a missing target: both outputs cleared */
    memset(&ro, 0xA5, sizeof ro);
    EXPECT_CLEARED(rating_target, rating_target_open(d, 0, MISSING, out, &ro));
    for (size_t i = 0; i < sizeof ro; i++)
        if (((unsigned char *)&ro)[i]) fail_msg("rating_target_open left byte %zu of its rating_open uncleared", i);
}

/* Without a rule row the rules are the defaults and the two sets are none (0), not whatever the
 * caller's variables held. */
static void missing_rules_are_defaults_with_no_sets(void **st)
{
    review_rules r, def;
    int64_t os = -7, ms = -7;
    review_rules_default(&def);
    assert_int_equal(rules_get(*st, MISSING, &r, &os, &ms), 0);
    assert_true(os == 0 && ms == 0);
    for (int i = 0; i < rule_nfields; i++) assert_int_equal(rule_get(&r, i), rule_get(&def, i));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(missing_rows_leave_cleared_outputs),
        cmocka_unit_test(missing_rules_are_defaults_with_no_sets),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
