/* tabfile.h: read tabular files people keep rosters in: CSV (UTF-8 with or without BOM, or
 * GB18030 as Excel in China saves it) and XLSX (first worksheet), one row at a time with
 * bounded memory. */
#ifndef CX_TABFILE_H
#define CX_TABFILE_H
#include <stddef.h>
#include <stdio.h>
#include "util.h"

typedef struct tabfile tabfile;

/* Opens a file by path; the type is decided by content (a ZIP signature "PK\3\4" means XLSX,
 * anything else CSV), never by the name. NULL with e filled (field "file", Chinese message)
 * when it cannot be opened or is not a readable CSV/XLSX: code "bad_file" for I/O errors and
 * content that is no CSV (old .xls / encrypted workbooks, UTF-16 text, binary data with NUL
 * bytes), "bad_xlsx" for a ZIP that is not a readable workbook (truncated, corrupt, no sheet).
 * An empty file opens as a CSV without rows.
 * CSV encoding: UTF-8 (a BOM is dropped) when the first 64 KiB are valid UTF-8 (a sequence cut
 * at that boundary is ignored), otherwise GB18030, converted with iconv as it streams. */
tabfile *tab_open_path(const char *path, cx_err *e);
/* The same over bytes in memory; the bytes must outlive the tabfile. */
tabfile *tab_open_mem(const void *data, size_t len, cx_err *e);
void tab_close(tabfile *t);

/* Reads the next row. Returns 1 with *cells / *ncells set (cells are NUL-terminated UTF-8,
 * trimmed of surrounding white space and U+3000, cells[*ncells] is NULL; they stay valid until
 * the next call), 0 at the end, CX_ERR with e filled (field "file") on a malformed file; after
 * CX_ERR every call fails the same way. Fully empty rows (all cells empty after trimming) are
 * skipped. *ncells may differ from row to row: short CSV lines, and XLSX rows omit trailing
 * empty cells.
 * CSV: RFC 4180 quoting with ',' only; fields may contain line breaks; records end at LF, CRLF
 * or a lone CR. Lenient where spreadsheets are: blanks before an opening quote are skipped,
 * text after a closing quote is kept, a quote inside an unquoted field is literal. Bytes that
 * are not valid UTF-8 (or GB18030) become U+FFFD. Errors: code "bad_csv", message
 * "文件第 N 行：引号未闭合" (N: line of the opening quote), or more than 16384 columns or
 * 16 MiB in one record; "bad_file" on a read error.
 * XLSX: the first visible worksheet (hidden ones only if none is visible); shared and inline
 * strings (rich-text runs joined, phonetic runs left out); numeric cells as Excel's General
 * format shows them: integers below 10^15 in full ("13800138000"), anything else with 15
 * significant digits ("0.3", "4.40106199001011E+17" for a 身份证号 typed as a number, so it
 * can be recognised); numeric cells whose style is a date format (built-in 14-22, 27-36,
 * 45-47, 50-58, or a custom code with y/d, or m without h/s) become "YYYY-MM-DD", honouring
 * the 1904 date system, or "YYYY-MM" when the format shows no day (17 "mmm-yy", custom
 * "yyyy/m", "yyyy"年"m"月"), "YYYY" when it shows a year alone; serials with no valid date (60, out of 1900..2100) stay numbers;
 * t="d" cells give their date part; booleans "TRUE"/"FALSE"; errors as shown ("#N/A");
 * formula cells their cached value; missing cells before a present one are "". Errors: code
 * "bad_xlsx" (broken XML or ZIP data, cells out of order, a cell over 1 MiB, more than 16384
 * columns). */
int tab_next(tabfile *t, char ***cells, size_t *ncells, cx_err *e);
/* The 1-based row number of the row last returned, as a person sees it in Excel or WPS (for
 * CSV: the record's number, counting skipped empty lines, so a field with line breaks inside
 * quotes is one row, as the spreadsheet shows it; for XLSX: the row's r attribute). Errors in
 * the CSV text itself ("引号未闭合") name the line in the file instead. */
size_t tab_rowno(const tabfile *t);
/* "csv-utf8", "csv-gb18030" or "xlsx". */
const char *tab_kind(const tabfile *t);
#endif
