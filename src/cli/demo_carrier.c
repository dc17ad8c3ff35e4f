/* demo_carrier.c: the demo's carriers that can be tracked (issue 22): the demo campaign's phases
 * (动员部署 past, 组织实施 running, 总结表彰 ahead) and the first town's 五个一 carrier (谏一言、献一策、
 * 办一件实事、结一个对子、学一项技术, one entry per member) opened for 组织实施, with the first branch's
 * first members' entries filled, so the roll-up shows work done and work due. Called once from
 * cli/demo.c. */
#include "cli.h"
#include "../domain/date.h"
#include "../store/campaign.h"
#include "../store/carrier.h"
#include "../store/standard.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

static const char *const five_items = "谏一言 | 党员 | 书面建议一条，写明提交给谁、是否采纳\n"
                                      "献一策 | 党员 | 工作建议或金点子一条\n"
                                      "办一件实事 | 党员 | 为群众办成的事及照片\n"
                                      "结一个对子 | 党员 | 结对对象和帮扶记录\n"
                                      "学一项技术 | 党员 | 学习的技术和证书或照片\n";

int demo_carrier(db *d, int64_t campaign_id, int64_t town, int64_t branch, cx_err *e)
{
    static const struct { const char *name; int from, to; } phases[] = {
        {"动员部署", -180, -151}, {"组织实施", -150, 300}, {"总结表彰", 301, 365}};
    int64_t running = 0;
    for (size_t i = 0; i < sizeof phases / sizeof phases[0]; i++) {
        char from[11], to[11];
        days_from_today(phases[i].from, from);
        days_from_today(phases[i].to, to);
        phase_ok p;
        int64_t pid = 0;
        if (phase_check(&(phase_in){phases[i].name, from, to}, &p, e) != CX_OK || phase_save(d, &actor_cli, campaign_id, 0, &p, &pid, e) != CX_OK)
            return CX_ERR;
        if (i == 1) running = pid;
    }
    org t;
    if (org_get(d, town, &t) != 1) return cx_fail(e, 500, "db_error", "", "读取演示镇失败");
    carrier_ok k;
    carrier_items_ok *items = xmalloc(sizeof *items);
    int64_t kid = 0, added = 0;
    int rc = carrier_check(&(carrier_in){"五个一", "每名党员每个阶段谏一言、献一策、办一件实事、结一个对子、学一项技术"}, &k, e);
    if (rc == CX_OK) rc = carrier_items_check(five_items, true, items, e);
    if (rc == CX_OK) rc = carrier_add(d, &actor_cli, campaign_id, &t, &k, items, &kid, e);
    free(items);
    if (rc == CX_OK) rc = carrier_open_phase(d, &actor_cli, kid, running, &added, e);
    if (rc != CX_OK) return CX_ERR;
    /* five entries of the first branch's first two members done, one for each item */
    static const char *const done[] = {"向村两委建议在村口加装路灯，已采纳", "建议组织留守老人结对帮扶", "帮助邻居老人办理医保缴费"};
    db_stmt *s = db_prepare(d, "SELECT e.id FROM carrier_entry e JOIN carrier_item i ON i.id = e.item_id WHERE i.carrier_id = ? AND e.phase_id = ? "
                               "AND e.org_id = ? ORDER BY e.member_id, i.seq LIMIT 9");
    if (!s) return cx_fail(e, 500, "db_error", "", "读取演示填报失败");
    db_bind_i64(s, 1, kid);
    db_bind_i64(s, 2, running);
    db_bind_i64(s, 3, branch);
    int64_t ids[9];
    int n = 0;
    while (n < 9 && db_step(s) == DB_ROW) ids[n++] = db_col_i64(s, 0);
    db_done(s);
    char today[11];
    date_today(today);
    for (int i = 0; i < n && rc == CX_OK; i += 2) rc = carrier_entry_fill(d, &actor_cli, ids[i], today, done[(i / 2) % 3], NULL, 0, e);
    return rc;
}
