/* fuzz_tabfile.c: the roster readers — CSV (any encoding the reader detects) and XLSX (a zip of
 * XML parts) — through tab_open_mem, which picks the reader by content, reading every row. */
#include <stdint.h>
#include <stddef.h>
#include "../../src/lib/tabfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cx_err e;
    tabfile *t = tab_open_mem(data, size, &e);
    if (!t) return 0;
    char **cells;
    size_t n;
    for (int rows = 0; rows < 100000 && tab_next(t, &cells, &n, &e) == 1; rows++) (void)tab_rowno(t);
    tab_close(t);
    return 0;
}
