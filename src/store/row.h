/* row.h: the store's single-row helpers: failing a transaction, copying a column, taking a JSON
 * text, a score as text. */
#ifndef CX_ROW_H
#define CX_ROW_H
#include <cjson/cJSON.h>
#include "store.h"

/* The one way a store function fails on a database error: fills e with 500 db_error (the backend's
 * message), rolls back the transaction if one is open, and returns CX_ERR. */
int db_fail(db *d, cx_err *e);
/* Rolls back and returns CX_ERR with e as filled by the caller (a refusal inside a transaction). */
int refuse(db *d);
/* Column c of the current row as text into dst (cut to cap). */
void copy_col(char *dst, size_t cap, db_stmt *s, int c);
/* The unformatted text of j (malloc'd); j is deleted. */
char *json_take(cJSON *j);
/* "90.50", or "" for -1. */
void score_text(int64_t v, char out[24]);
#endif
