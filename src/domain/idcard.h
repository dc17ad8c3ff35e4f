/* idcard.h: 身份证号 (GB 11643-1999) validation, normalisation and masking. */
#ifndef CX_IDCARD_H
#define CX_IDCARD_H
#include <stdbool.h>
#include "../lib/util.h"

/* The check character for the first 17 digits (ISO 7064 MOD 11-2): '0'..'9' or 'X'. */
char idcard_check_char(const char *first17);

/* Validates an 18-character 身份证号: 17 digits then a check character; a lowercase x is
 * accepted and normalised to X; surrounding white space is ignored. Checks the region code's
 * first digit (1-9 is a province range; 0 is invalid), the embedded birth date (a real date,
 * not before 1900-01-01, not in the future), and the check character. On success writes the
 * normalised 18 characters plus NUL to out and returns CX_OK. On failure fills e with
 * field "idcard", code "invalid_idcard" (or "idcard_excel_number" when the value looks like a
 * number that Excel turned into scientific notation, e.g. "4.40106E+17"), and a Chinese
 * message naming 身份证号 and the precise reason (长度应为18位 / 含有非数字字符 / 出生日期无效 /
 * 校验码错误，应为 X …), and returns CX_ERR. */
int idcard_validate(const char *in, char out[19], cx_err *e);

/* True when s looks like Excel's rendering of a long number: contains E+ / e+ notation or is
 * all digits with a decimal point, e.g. "4.40106E+17", "4.40106199001011e+17". */
bool idcard_looks_excel_number(const char *s);

/* For a validated id: birth date as "YYYY-MM-DD" into out. */
void idcard_birth(const char *id, char out[11]);
/* For a validated id: 1 for male (odd 17th digit), 2 for female. */
int idcard_sex(const char *id);
/* Masked form for screens and exports: first 6 and last 4 kept, 8 stars between:
 * "110101********1234". out must hold 19 bytes. */
void idcard_mask(const char *id, char out[19]);

/* Mainland phone numbers: a mobile 1[3-9]xxxxxxxxx (11 digits, optional +86 / 86 prefix and
 * spaces or dashes inside, which are removed), or a landline 0AA(A)-NNNNNNN(N) with optional
 * extension. Writes the normalised digits (landline keeps one dash after the area code) to
 * out (at most 32 bytes incl. NUL) and returns CX_OK; otherwise fills e with field "phone",
 * code "invalid_phone" and a Chinese message (联系电话格式不正确 …) and returns CX_ERR. */
int phone_validate(const char *in, char out[32], cx_err *e);
/* Masked phone: mobile "138****1234"; landline keeps the area code and the last 2 digits. */
void phone_mask(const char *phone, char out[32]);
#endif
