-- 0010_figures.sql: what the published figures need (issue 12, `recount` covers every published
-- figure).
--
-- Late ballots: a public ballot cast outside its round (the round closed while it was on its way,
-- or a web/QR ballot cast outside the round's period) is stored with valid = 0 and late = 1, and
-- counted nowhere: not in a grade, not in the roll-ups, not as an invalid ballot.
ALTER TABLE ballot ADD COLUMN late INTEGER NOT NULL DEFAULT 0;

-- The day a pledge was marked missed (未兑现): a miss without justification counts in the round
-- whose period holds this day, as well as in the round holding the due date. '' for misses
-- recorded before this column existed (they count by due date only).
ALTER TABLE pledge ADD COLUMN missed_on TEXT NOT NULL DEFAULT '';
CREATE INDEX pledge_missed_on ON pledge(missed_on) WHERE missed_on <> '';

-- Roll-up counters for the dashboard's denominators: exclusions of the round (of active 正式党员),
-- and the members and organisations that have a leader's commentary (each counted once).
ALTER TABLE rollup ADD COLUMN members_excluded {{I64}} NOT NULL DEFAULT 0;
ALTER TABLE rollup ADD COLUMN members_commented {{I64}} NOT NULL DEFAULT 0;
ALTER TABLE rollup ADD COLUMN orgs_commented {{I64}} NOT NULL DEFAULT 0;
CREATE INDEX review_exclusion_member ON review_exclusion(member_id);

-- Counts over each organisation's subtree that do not depend on a round: active members, active
-- 正式党员, active organisations (itself included). Kept in the transaction of every member and
-- organisation change (store/rollup.h tally_*), rebuilt and compared by `cxzy recount`.
CREATE TABLE org_tally (
  org_id {{I64}} PRIMARY KEY REFERENCES org(id),
  members_active {{I64}} NOT NULL DEFAULT 0,
  members_full {{I64}} NOT NULL DEFAULT 0,
  orgs_active {{I64}} NOT NULL DEFAULT 0
);

-- Existing rows: each organisation's own counts, added to itself and every ancestor.
INSERT INTO org_tally (org_id, members_active, members_full, orgs_active)
WITH RECURSIVE up(org_id, anc_id) AS (
  SELECT id, id FROM org
  UNION ALL
  SELECT up.org_id, o.parent_id FROM up JOIN org o ON o.id = up.anc_id WHERE o.parent_id IS NOT NULL
), own AS (
  SELECT o.id AS org_id, o.active AS oa,
    (SELECT count(*) FROM member m WHERE m.org_id = o.id AND m.active = 1) AS ma,
    (SELECT count(*) FROM member m WHERE m.org_id = o.id AND m.active = 1 AND m.status = 'full') AS mf
  FROM org o
)
SELECT u.anc_id, sum(w.ma), sum(w.mf), sum(w.oa) FROM up u JOIN own w ON w.org_id = u.org_id GROUP BY u.anc_id;
