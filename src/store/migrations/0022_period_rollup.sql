-- 0022_period_rollup.sql: roll-up counters by calendar quarter over every organisation's subtree
-- (issue 17: the whole campaign on the dashboard, bulletins). Like rollup (per review round), each
-- change adds its delta to the row of its organisation and of every ancestor inside its own write
-- transaction; `cxzy recount` rebuilds them from the raw records (store/period.h). The rows of the
-- records an existing database already holds are filled right after this file runs, in the same
-- transaction, by period_fill (store/migrate.c): the same definitions as recount, not a copy in SQL.
--
-- quarter: year * 10 + quarter (20263 = 2026 Q3); a half or a year is the sum of its quarters
-- (at most four rows per organisation). Each record counts in the quarter of one date of its own:
--   reports   due_date                  reports_due; reports_on_time / reports_late by
--                                       first_submitted_on <= / > due_date
--   findings  found_on                  findings (level problem); findings_closed (its
--                                       rectification item verified)
--   rect      due_date                  rect_due (not cancelled); rect_on_time (verified, and
--                                       submitted_on <= due_date)
--   feedback  due_date                  feedback_due (not merged); feedback_on_time (replied,
--                                       replied_date <= due_date); a 举报 (kind report) counts
--                                       nowhere, so no figure betrays that one exists
--   pledges   due_date                  pledges_due (approved: not draft, submitted or returned);
--                                       pledges_fulfilled; pledges_missed_unjustified
CREATE TABLE period_rollup (
  quarter INTEGER NOT NULL,
  org_id {{I64}} NOT NULL REFERENCES org(id),
  reports_due {{I64}} NOT NULL DEFAULT 0,
  reports_on_time {{I64}} NOT NULL DEFAULT 0,
  reports_late {{I64}} NOT NULL DEFAULT 0,
  findings {{I64}} NOT NULL DEFAULT 0,
  findings_closed {{I64}} NOT NULL DEFAULT 0,
  rect_due {{I64}} NOT NULL DEFAULT 0,
  rect_on_time {{I64}} NOT NULL DEFAULT 0,
  feedback_due {{I64}} NOT NULL DEFAULT 0,
  feedback_on_time {{I64}} NOT NULL DEFAULT 0,
  pledges_due {{I64}} NOT NULL DEFAULT 0,
  pledges_fulfilled {{I64}} NOT NULL DEFAULT 0,
  pledges_missed_unjustified {{I64}} NOT NULL DEFAULT 0,
  PRIMARY KEY (quarter, org_id)
);
CREATE INDEX period_rollup_org ON period_rollup(org_id, quarter);
