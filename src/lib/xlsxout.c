/* xlsxout.c: XLSX workbooks as bytes, through a temporary file. */
#include "xlsxout.h"
#include "util.h"
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int xlsxout_open(xlsx_out *x)
{
    snprintf(x->path, sizeof x->path, "/tmp/cxzy-xlsx-XXXXXX");
    int fd = mkstemp(x->path);
    x->wb = NULL;
    if (fd < 0) return CX_ERR;
    close(fd);
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = "/tmp"};
    x->wb = workbook_new_opt(x->path, &opt);
    if (!x->wb) unlink(x->path);
    return x->wb ? CX_OK : CX_ERR;
}

int xlsxout_close(xlsx_out *x, buf *out)
{
    buf_reset(out);
    int rc = workbook_close(x->wb) == LXW_NO_ERROR ? CX_OK : CX_ERR;
    x->wb = NULL;
    FILE *f = rc == CX_OK ? fopen(x->path, "rb") : NULL;
    if (f) {
        char tmp[65536];
        size_t n;
        while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) buf_add(out, tmp, n);
        if (ferror(f)) rc = CX_ERR;
        fclose(f);
    } else rc = CX_ERR;
    unlink(x->path);
    if (rc != CX_OK || !out->len) {
        buf_reset(out);
        return CX_ERR;
    }
    return CX_OK;
}
