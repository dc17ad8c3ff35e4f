/* job.c: claims of periodic jobs across instances (see job.h). */
#include "job.h"
#include "row.h"

int job_claim(db *d, const char *name, int64_t slot, cx_err *e)
{
    if (db_begin(d, true) != CX_OK) return db_fail(d, e);
    int64_t got = 0;
    if (db_i64(d, &got, 0, "INSERT INTO job_run (name, slot, claimed_at) VALUES (?,?,?) ON CONFLICT DO NOTHING RETURNING 1", "sii", name,
               slot, now_unix()) != CX_OK)
        return db_fail(d, e);
    if (db_commit(d) != CX_OK) return db_fail(d, e);
    return got ? 1 : 0;
}

void job_release(db *d, const char *name, int64_t slot)
{
    db_run(d, "DELETE FROM job_run WHERE name = ? AND slot = ?", "si", name, slot);
}
