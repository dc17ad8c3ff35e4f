/* row.h: the single-row and list helpers the store files share. */
#ifndef CX_ROW_H
#define CX_ROW_H
#include "db.h"

/* Fills e with a database error (500 db_error and the database's message), rolls back the open
 * transaction and returns CX_ERR. */
int fail_db(db *d, cx_err *e);
/* Writes the n bytes at p as 2n lowercase hex digits and a NUL into out. */
void hexof(const unsigned char *p, size_t n, char *out);
/* The one row of sql (parameter: id) read into out: 1, 0 (none), CX_ERR. out (size bytes) is
 * cleared first, so a caller never sees an output this call did not fill. */
typedef void (*row_reader)(db_stmt *s, void *out);
CX_MUST_USE int row_by_id(db *d, const char *sql, int64_t id, row_reader read, void *out, size_t size);
/* Appends order and one page (limit 0: all) to q and prepares it. */
db_stmt *page_stmt(db *d, db_q *q, const char *order, int64_t offset, int64_t limit);
#endif
