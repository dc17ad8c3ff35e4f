/* fuzz_tabfile.c: the roster readers — CSV (any encoding the reader detects) and XLSX (a zip of
 * XML parts) — through tab_open_mem, which picks the reader by content, reading every row; and
 * each row through the roster mapping as an import reads it (roster_map.h): the header search,
 * the notes rows under the data, and the per-cell folding and Excel serial dates; then the same
 * bytes as a contest's list of entrants (contest_sheet_read). */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include "../../src/lib/tabfile.h"
#include "../../src/domain/member.h"
#include "../../src/domain/roster_map.h"
#include "../../src/domain/contest.h" /* a contest's list of entrants (issue 19) */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cx_err e;
    tabfile *t = tab_open_mem(data, size, &e);
    if (!t) return 0;
    char **cells;
    size_t n;
    int *colmap = NULL;
    size_t ncols = 0;
    bool after_data = false;
    for (int rows = 0; rows < 100000 && tab_next(t, &cells, &n, &e) == 1; rows++) {
        (void)tab_rowno(t);
        if (!colmap) {
            if (rows < ROSTER_HEADER_SCAN && roster_header_hits(cells, n) >= ROSTER_HEADER_MIN) {
                ncols = n;
                colmap = malloc((n ? n : 1) * sizeof *colmap);
                if (!colmap) break;
                for (size_t i = 0; i < n; i++) colmap[i] = member_col_find(cells[i]);
            }
            continue;
        }
        if (roster_note_row(cells, n, after_data)) continue;
        roster_scratch s = {0};
        if (roster_prepare_row(cells, n < ncols ? n : ncols, colmap, &s)) after_data = true;
    }
    free(colmap);
    tab_close(t);
    /* the same bytes as a contest's list of entrants: one name or id a row */
    contest_sheet_row *rows = NULL;
    int nrows = 0;
    if (contest_sheet_read(data, size, &rows, &nrows, &e) == CX_OK) free(rows);
    return 0;
}
