/* idcard.h: 身份证号 (GB 11643-1999) validation, normalisation and masking. */
#ifndef CX_IDCARD_H
#define CX_IDCARD_H
#include <stdbool.h>
#include "../lib/util.h"

/* The check character for the first 17 digits (ISO 7064 MOD 11-2): '0'..'9' or 'X'; 0 when
 * first17 is NULL or does not start with 17 digits. */
char idcard_check_char(const char *first17);

/* Validates an 18-character 身份证号: 17 digits then a check character; a lowercase x is
 * accepted and normalised to X, as are full-width digits and Ｘ/ｘ; surrounding white space
 * (ASCII, U+3000, U+00A0) is ignored. Checks the region code's first digit (1-9 is a province
 * range; 0 is invalid), the embedded birth date (a real date, not before 1900-01-01, not after
 * today in local time), and the check character. On success writes the normalised 18
 * characters plus NUL to out (if not NULL) and returns CX_OK. On failure leaves out alone,
 * fills e (if not NULL) with field "idcard", code "invalid_idcard" and a Chinese message naming
 * 身份证号 and the precise reason, one of: 不能为空 / 中间不能有空格 / 长度应为18位（当前为N位）/
 * 前17位应为数字 / 第18位应为数字或 X / 前6位地区码无效 / 出生日期无效（YYYYMMDD）/
 * 出生日期晚于今天 / 校验码错误（应为 X），请核对号码; and returns CX_ERR.
 * The code is "idcard_excel_number" instead when Excel mangled the value: scientific notation
 * ("身份证号被 Excel 转成了数字（4.40106E+17），请把该列设为“文本”格式后重新填写"), or 18 digits
 * ending in 000 whose check fails (a double keeps only 15 significant digits); "idcard_masked"
 * when it holds a "*" (a masked number copied from an export or a list). */
int idcard_validate(const char *in, char out[19], cx_err *e);

/* True when s (white space around it ignored) looks like Excel's rendering of a long number:
 * d[.ddd]E[+]nn with an exponent of 10 or more, e.g. "4.40106E+17", "4.40106199001011e+17",
 * or digits with a decimal point and at least 15 digits, e.g. "440106199001011000.0". */
bool idcard_looks_excel_number(const char *s);

/* For a validated id: birth date as "YYYY-MM-DD" into out. */
void idcard_birth(const char *id, char out[11]);
/* For a validated id: 1 for male (odd 17th digit), 2 for female. */
int idcard_sex(const char *id);
/* Masked form for screens and exports: first 6 and last 4 kept, 8 stars between:
 * "110101********1234". out must hold 19 bytes. A value that is not 18 characters long
 * reveals nothing: it becomes stars (at most 18). */
void idcard_mask(const char *id, char out[19]);

/* Mainland phone numbers: a mobile 1[3-9]xxxxxxxxx (11 digits, optional +86 / 0086 / 86 prefix
 * and spaces or dashes inside, which are removed), or a landline 0AA(A)-NNNNNNN(N): 010 and 02x
 * have 3-digit area codes, all others 4; the area code may be in parentheses, and "+86 371 …"
 * gets its 0 back. An extension (1-6 digits) follows 转 / 分机 / ext / x / #, or a dash after
 * the 7-8 digit number ("010-12345678-801"). Writes the normalised form to out (at most 32
 * bytes incl. NUL): "13800138000", "0371-68888888", "0371-68888888-801", and returns CX_OK;
 * otherwise leaves out alone, fills e (if not NULL) with field "phone", code "invalid_phone" and
 * a Chinese message (联系电话不能为空 / 联系电话格式不正确：<reason>) and returns CX_ERR; the code
 * is "phone_masked" when it holds a "*" (a masked number copied from an export). */
int phone_validate(const char *in, char out[32], cx_err *e);
/* Masked phone, for normalised numbers: mobile "138****1234"; landline keeps the area code and
 * the last 2 digits, "0371-******88", and leaves out any extension. Anything else becomes
 * stars (at most 31). */
void phone_mask(const char *phone, char out[32]);
#endif
