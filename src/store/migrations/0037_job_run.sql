-- 0037_job_run.sql: issue 20 (several instances): a periodic job claimed once per slot. Every
-- `cxzy serve` runs the hourly upkeep pass (escalation, daily reminder); the instance whose INSERT
-- of (name, slot) takes the row runs it, the others skip (store/job.c).
CREATE TABLE job_run (
    name {{CTEXT}} NOT NULL,
    slot {{I64}} NOT NULL,
    claimed_at {{I64}} NOT NULL,
    PRIMARY KEY (name, slot)
);
