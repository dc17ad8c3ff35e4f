/* date.h: calendar dates as "YYYY-MM-DD" text, parsing of the forms people type in rosters. */
#ifndef CX_DATE_H
#define CX_DATE_H
#include <stdbool.h>
#include <stdint.h>
#include "../lib/util.h"

bool date_valid_ymd(int y, int m, int d);
/* Parses a date typed by a person or saved by Excel: 2020-01-05, 2020/1/5, 2020.01.05,
 * 2020年1月5日 (or 5号, or no 日), 20200105, optionally followed by a time of day that is
 * ignored ("2020/1/5 0:00", "2020-01-05T08:30:00"); full-width digits and －／． count as
 * ASCII. When allow_month is true a month alone 2020-01 / 2020/1 / 2020年1月 / 2020.01 / 202001
 * becomes the 1st of that month. Surrounding white space (and U+3000) is ignored. Years
 * 1900..2100. Writes "YYYY-MM-DD" and returns CX_OK, or fills e (status 400, code
 * "invalid_date", the given field, and one of the messages
 *   <label>不是有效日期：<value>（应为 2020-01-05 形式）      unrecognised form
 *   <label>应精确到日：<value>（应为 2020-01-05 形式）        a month alone, !allow_month
 *   <label>不是有效日期：<value>（年份应在1900-2100之间）
 *   <label>不是有效日期：<value>（月份应为1-12）
 *   <label>不是有效日期：<value>（日应为1-31）
 *   <label>不是有效日期：<value>（2023年2月没有29日）
 * with <value> the trimmed input, cut to 60 bytes) and returns CX_ERR. label is the Chinese
 * field name used in the message ("日期" when NULL); in and e may be NULL. */
int date_parse(const char *in, bool allow_month, const char *field, const char *label,
               char out[11], cx_err *e);
/* Converts an Excel serial day number (1900 date system) to "YYYY-MM-DD": 1 is 1900-01-01,
 * 59 is 1900-02-28, 61 is 1900-03-01, 44927 is 2023-01-01. Serial 60 is Excel's fictitious
 * 1900-02-29 and gives CX_ERR, as do values outside 1900..2100 and NaN. The fraction (time of
 * day) is dropped, after rounding to the millisecond as Excel does. For the 1904 date system
 * add 1462 first. */
int date_from_excel_serial(double serial, char out[11]);
/* Today in local time as "YYYY-MM-DD". */
void date_today(char out[11]);
/* Tests only (CXZY_TEST_CLOCK, cli/serve.c): from now on date_today adds the number of days
 * written in this file, read again at every call, so a test can move a running server past
 * midnight. Call before any thread starts. */
void date_test_clock(const char *file);
/* Compares two "YYYY-MM-DD" strings like strcmp (returns -1, 0 or 1; NULL counts as ""). */
int date_cmp(const char *a, const char *b);

/* Day numbers: days since 1970-01-01 (proleptic Gregorian) of a YYYY-MM-DD (0 when malformed), of
 * a year, month and day, and back. */
int64_t day_number(const char *date);
int64_t day_of_ymd(int y, int m, int d);
void day_ymd(int64_t days, int *y, int *m, int *d);
void day_string(int64_t days, char out[11]);
/* The same day n years later; 29 February becomes 1 March in a common year, so an age (年满18周岁)
 * or a year of probation is never cut short. On a day number, and on a valid YYYY-MM-DD. */
int64_t day_add_years(int64_t day, int n);
void date_add_years(const char *date, int n, char out[11]);
#endif
