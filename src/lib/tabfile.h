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
 * anything else CSV), never by the name. NULL with e filled (code "bad_file", field "file",
 * Chinese message) when it cannot be opened or is not a readable CSV/XLSX. */
tabfile *tab_open_path(const char *path, cx_err *e);
/* The same over bytes in memory; the bytes must outlive the tabfile. */
tabfile *tab_open_mem(const void *data, size_t len, cx_err *e);
void tab_close(tabfile *t);

/* Reads the next row. Returns 1 with *cells / *ncells set (cells are NUL-terminated UTF-8,
 * trimmed of surrounding white space; they stay valid until the next call), 0 at the end,
 * CX_ERR with e filled on a malformed file (e.g. an unterminated quote: message names the
 * row). Fully empty rows are skipped. CSV: RFC 4180 quoting, fields may contain newlines.
 * XLSX: shared and inline strings; numeric cells as their stored text (so a 身份证号 typed as
 * a number shows as "4.40106199001011E+17" and can be recognised); numeric cells whose style
 * is a date format become "YYYY-MM-DD"; booleans "TRUE"/"FALSE"; missing cells are "". */
int tab_next(tabfile *t, char ***cells, size_t *ncells, cx_err *e);
/* The 1-based row number of the row last returned, as a person sees it in Excel or in a text
 * editor (for CSV: the line where the record starts). */
size_t tab_rowno(const tabfile *t);
/* "csv-utf8", "csv-gb18030" or "xlsx". */
const char *tab_kind(const tabfile *t);
#endif
