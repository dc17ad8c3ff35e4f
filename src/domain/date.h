/* date.h: calendar dates as "YYYY-MM-DD" text, parsing of the forms people type in rosters. */
#ifndef CX_DATE_H
#define CX_DATE_H
#include <stdbool.h>
#include "../lib/util.h"

bool date_valid_ymd(int y, int m, int d);
/* Parses a date typed by a person or saved by Excel: 2020-01-05, 2020/1/5, 2020.01.05,
 * 2020年1月5日, 20200105, and (when allow_month is true) a month alone 2020-01 / 2020年1月 /
 * 2020.01 which becomes the 1st of that month. Surrounding white space is ignored. Years
 * 1900..2100. Writes "YYYY-MM-DD" and returns CX_OK, or fills e (code "invalid_date", the
 * given field, message "<label>不是有效日期：<value>（应为 2020-01-05 形式）" or the specific
 * reason such as 月份应为1-12 / 该月没有31日) and returns CX_ERR. label is the Chinese field
 * name used in the message. */
int date_parse(const char *in, bool allow_month, const char *field, const char *label,
               char out[11], cx_err *e);
/* Converts an Excel serial day number (1900 date system, with Excel's fictitious 1900-02-29)
 * to "YYYY-MM-DD"; CX_ERR when out of 1900..2100. */
int date_from_excel_serial(double serial, char out[11]);
/* Today in local time as "YYYY-MM-DD". */
void date_today(char out[11]);
/* Compares two "YYYY-MM-DD" strings like strcmp. */
int date_cmp(const char *a, const char *b);
#endif
