/* fuzz_text.c: the parsers of single typed values — 身份证号 (with the Excel-number check),
 * phone numbers and dates (full dates and months). Every input is also a NUL-terminated string
 * these functions see from forms, JSON and spreadsheets. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../../src/domain/date.h"
#include "../../src/domain/idcard.h"

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
    free(s);
    return 0;
}
