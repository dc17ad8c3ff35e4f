/* roster.h: roster import (all or nothing, with a row-level error report), export and the
 * import template, in CSV and XLSX, with the same Chinese columns. */
#ifndef CX_ROSTER_H
#define CX_ROSTER_H
#include "store.h"
#include "../lib/buf.h"

/* How the rows in a report are numbered, said wherever they are shown (CLI, page, API). */
#define ROSTER_ROW_NOTE "行号按表格行号（即 Excel 左侧显示的行号，标题行也计在内）"

typedef struct roster_issue {
    int64_t row;        /* 1-based row as seen in Excel (title rows counted); 0 for the file as a whole */
    char column[48];    /* Chinese header, "" for the whole row/file */
    char code[48];
    char reason[512];
} roster_issue;

typedef struct roster_report {
    int64_t rows;        /* data rows read */
    int64_t header_row;  /* the header row's number in the sheet (title rows above it skipped) */
    int64_t valid_rows;  /* rows without errors */
    int64_t imported;    /* rows written (0 on a dry run or when any row failed) */
    int64_t nissues;     /* all problems found */
    roster_issue *issues;/* the first ROSTER_MAX_ISSUES of them */
    int nkept;
    char kind[16];       /* csv-utf8 / csv-gb18030 / xlsx */
    bool dry_run;
} roster_report;
#define ROSTER_MAX_ISSUES 1000

/* Imports into the subtree of root. The 所在党组织 column names an organisation in that subtree
 * (by its name); when the column is absent or empty the row goes to root itself. Nothing is
 * written unless every row is valid; on dry_run nothing is written at all. The file is read
 * once (validate and write in one transaction, rolled back unless every row is valid), from
 * path or from memory (data/len). Returns CX_OK when the
 * report was produced (check report->nissues), CX_ERR with e on a database failure. */
int roster_import(db *d, const actor *a, const org *root, const char *path, const void *data, size_t len, bool dry_run,
                  roster_report *report, cx_err *e);
void roster_report_free(roster_report *r);

/* Writes the members of root's subtree (or root alone) in the import's columns. Masked (the
 * default): 身份证号 and phone masked, 出生日期 the year only; importing it is refused row by
 * row (idcard_masked). full: the decrypted 身份证号 and phone and the full 出生日期, a file that
 * imports again as it is; audited as a view of the full numbers (action "reveal" on the org),
 * so callers must allow it only to those who may see them. format "csv" (UTF-8 with BOM, CRLF)
 * or "xlsx". Every export is audited. */
int roster_export(db *d, const actor *a, const org *root, bool subtree, bool full, const char *format, buf *out, cx_err *e);
/* The empty import template with every column, and (xlsx) a sheet of instructions. */
int roster_template(const char *format, buf *out, cx_err *e);
#endif
