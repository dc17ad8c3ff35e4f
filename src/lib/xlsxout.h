/* xlsxout.h: an XLSX workbook written to a private temporary file and handed back as bytes
 * (libxlsxwriter 1.1 writes only to files). */
#ifndef CX_XLSXOUT_H
#define CX_XLSXOUT_H
#include <xlsxwriter.h>
#include "buf.h"

typedef struct xlsx_out {
    lxw_workbook *wb;
    char path[64];
} xlsx_out;

/* Opens a workbook (constant-memory mode, rows written in order) on a fresh temporary file.
 * CX_ERR when no file can be made. */
int xlsxout_open(xlsx_out *x);
/* Closes the workbook, reads its bytes into out and removes the file. CX_ERR when anything failed
 * (out is then empty). Always call it after a successful xlsxout_open. */
int xlsxout_close(xlsx_out *x, buf *out);
#endif
