/* tabfile_priv.h: internals shared by the CSV reader (tabfile.c) and the XLSX reader (xlsx_read.c). */
#ifndef CX_TABFILE_PRIV_H
#define CX_TABFILE_PRIV_H
#include <stdbool.h>
#include <stddef.h>
#include "buf.h"
#include "util.h"

/* Limits that keep memory bounded on hostile or broken files. */
#define TAB_MAX_FIELDS 16384             /* Excel's column limit (XFD) */
#define TAB_MAX_ROW_BYTES (16u << 20)    /* all cells of one row together */
#define TAB_MAX_CELL_BYTES (1u << 20)    /* one cell (Excel allows 32767 characters) */

/* One row under construction: field bytes back to back, each NUL-terminated, and where each
 * field starts. cells[] is built by tab_row_finish and points into data. */
typedef struct tab_row {
    buf data;
    size_t *offs;
    size_t n, cap;
    char **cells;
    size_t cells_cap;
} tab_row;

void tab_row_init(tab_row *r);
void tab_row_free(tab_row *r);
void tab_row_reset(tab_row *r);
/* Appends a whole field. */
void tab_row_add(tab_row *r, const char *p, size_t n);
/* Trims every cell and builds r->cells; returns false when every cell is empty. */
bool tab_row_finish(tab_row *r);

typedef struct xlsx_reader xlsx_reader;
/* Open an XLSX package and prepare its first worksheet; rows are built in *row, which must
 * outlive the reader. NULL with e filled (code "bad_xlsx", field "file") on failure. */
xlsx_reader *xlsx_open_path(const char *path, tab_row *row, cx_err *e);
xlsx_reader *xlsx_open_mem(const void *data, size_t len, tab_row *row, cx_err *e);
/* Fills the row with the next <row> of the sheet (finished with tab_row_finish; may be all
 * empty) and sets *rowno to its Excel row number. 1, 0 at the end, CX_ERR with e filled. */
int xlsx_next(xlsx_reader *x, size_t *rowno, cx_err *e);
void xlsx_close(xlsx_reader *x);
#endif
