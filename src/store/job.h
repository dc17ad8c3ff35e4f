/* job.h: periodic jobs run by one instance only when several `cxzy serve` share a database. */
#ifndef CX_JOB_H
#define CX_JOB_H
#include "db.h"

/* Claims slot (e.g. the hour number) of the job name: 1 when this caller got it and should run
 * the job, 0 when another instance has it already, CX_ERR (e filled) on a database error. The
 * claim is a row of job_run inserted in a transaction of its own ("insert or skip"): it works the
 * same on SQLite, on PostgreSQL and through PgBouncer in transaction mode (no session lock). */
int job_claim(db *d, const char *name, int64_t slot, cx_err *e);
/* Gives a claimed slot back (the job failed): the next pass, here or elsewhere, may run it. */
void job_release(db *d, const char *name, int64_t slot);
#endif
