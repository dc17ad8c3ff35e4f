/* fuzz_text.c: the parsers of single typed values — 身份证号 (with the Excel-number check),
 * phone numbers, dates (full dates and months), periods (2026, 2026H1, 2026Q3) and a report
 * schedule's outline (a JSON array of section titles) with the sections written under it. Every input is also a NUL-terminated string
 * these functions see from forms, JSON and spreadsheets; also the --trusted-proxy list and the
 * forwarded-address headers (lib/netaddr.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../../src/domain/date.h"
#include "../../src/domain/idcard.h"
#include "../../src/domain/report.h"
#include "../../src/store/period.h"
#include "../../src/lib/netaddr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = 0;
    cx_err e;
    char id[19], phone[32], date[11], mask[32];
    if (idcard_validate(s, id, &e) == CX_OK) {
        char birth[11];
        idcard_birth(id, birth);
        idcard_mask(id, id);
        (void)idcard_sex(id);
    }
    (void)idcard_looks_excel_number(s);
    if (phone_validate(s, phone, &e) == CX_OK) phone_mask(phone, mask);
    (void)date_parse(s, true, "f", "日期", date, &e);
    (void)date_parse(s, false, "f", NULL, date, NULL);
    int q0, q1;
    if (period_parse(s, &q0, &q1) == CX_OK) {
        char label[96];
        period_label(q0, q1, label, sizeof label);
    }
    report_schedule_in in = {"quarterly", "检查", "", "", "2026-01-01", "2026-03-31", "", "10", s};
    report_schedule_ok ok;
    if (report_schedule_check(&in, &ok, &e) == CX_OK) report_schedule_ok_free(&ok);
    char title[256], *draft = NULL;
    int n = report_outline_count(s);
    report_outline_title(s, n - 1, title, sizeof title);
    const char *texts[] = {s, "正文"};
    if (report_sections_check(s, texts, 2, true, &draft, &e) == CX_OK) {
        free(report_sections_json(s, draft));
        free(draft);
    }
    /* several instances (issue 20): --trusted-proxy lists and X-Forwarded-For / X-Real-IP headers */
    static netlist trusted;
    if (!trusted.n) netlist_parse("127.0.0.1,10.0.0.0/8,::1,fd00::/8", &trusted, NULL);
    netlist l;
    if (netlist_parse(s, &l, &e) == CX_OK) (void)netlist_has(&l, "10.1.2.3");
    char client[64];
    netaddr_client(&trusted, "127.0.0.1", s, s, client);
    netaddr_client(&trusted, s, s, NULL, client);
    free(s);
    return 0;
}
