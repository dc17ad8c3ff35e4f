-- 0029_quota_rollup.sql: the branches (党支部, org type 'branch') meeting their meeting quotas, by
-- month, kept as a roll-up up the tree so the dashboard and the quota page read one row instead of
-- judging every branch (issue 18). store/quota_rollup.c keeps it; `cxzy recount` checks it.
--
-- What a row says. quota_met (org_id, month 'YYYY-MM', met): the branch meets every quota in force
-- at it now (meeting_quotas: the nearest organisation up the tree with a row for the kind, else
-- the default) for that month's reporting period, each quota judged over its own whole window
-- containing the month (quota_window: the month for a monthly quota, the quarter for a quarterly
-- one, the year for a yearly one), counting its held meetings. A branch whose quotas are all zero
-- meets them with no meeting. quota_rollup (org_id, month, branches, met): over the organisation's
-- subtree as the tree is now (itself included), the active branches and those of them meeting
-- their quotas; behind = branches - met.
--
-- Which months have rows. Exactly the twelve months of one kept year, the one in quota_state
-- (0: none yet): every organisation of type 'branch' (active or not) has a quota_met row for each
-- of them, and every organisation with an active branch in its subtree a quota_rollup row for
-- each. When the current year is not the kept one (a new year, an upgraded database), the first
-- dashboard or quota page that needs it rebuilds the table for the current year in one write
-- transaction (the rows of the old year are dropped). A month outside the kept year has no rows:
-- its quota page judges the branches from the meetings, as before this table. So a month of the
-- kept year with no quota_rollup row for an organisation means no active branch under it.
--
-- Kept in the same transaction as each change: a meeting held, cancelled or its date or kind
-- changed (the branch redone for the months whose windows hold the old and the new date), a
-- quota set (the office's subtree redone for the kept year), a branch created, (de)activated, its
-- type changed, or moved (its counts leave the old ancestors and join the new ones, then its
-- subtree is redone under the quotas in force at its new place).
CREATE TABLE quota_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  year INTEGER NOT NULL DEFAULT 0
);
INSERT INTO quota_state (id, year) VALUES (1, 0);

CREATE TABLE quota_met (
  org_id {{I64}} NOT NULL REFERENCES org(id),
  month TEXT NOT NULL,
  met INTEGER NOT NULL CHECK (met IN (0, 1)),
  PRIMARY KEY (org_id, month)
);
CREATE INDEX quota_met_month ON quota_met(month, met, org_id);

CREATE TABLE quota_rollup (
  org_id {{I64}} NOT NULL REFERENCES org(id),
  month TEXT NOT NULL,
  branches {{I64}} NOT NULL DEFAULT 0,
  met {{I64}} NOT NULL DEFAULT 0,
  PRIMARY KEY (org_id, month)
);
