-- 0026_liaison.sql: liaison points (联络点, issue 18). A leader (an account holding a leader grant)
-- keeps one or more grassroots organisations as standing liaison points, assigned by an office over
-- both; a point runs from since until until (NULL: open), kept across rounds; ending one keeps its
-- history and its visits. Visits to a point (走访) record what was done and the problems found and
-- solved; a problem found may become one rectification item (rectification.source 'manual',
-- source_kind 'liaison_visit', source_id the visit; rect_id here).
--
-- The rule is data, set by an office for its subtree: the nearest organisation up the tree with a
-- row decides (store/row.h, nearest_stmt). min_points / max_points: liaison points a leader keeps
-- (seed 001: one to two); leader_visits: visits a year each leader makes to their points (seed 002:
-- at least two); dept_visits: the same for a leader whose grant is at an organisation of the
-- government sector (机关, a department: seed 002 asks three). Without a row: 1, 2, 2, 3.
CREATE TABLE liaison_rule (
  org_id {{I64}} PRIMARY KEY REFERENCES org(id),
  min_points INTEGER NOT NULL CHECK (min_points >= 0),
  max_points INTEGER NOT NULL CHECK (max_points >= 1 AND max_points >= min_points),
  leader_visits INTEGER NOT NULL CHECK (leader_visits >= 0),
  dept_visits INTEGER NOT NULL CHECK (dept_visits >= 0),
  updated_at {{I64}} NOT NULL
);

-- One open point per leader and organisation (also when two assignments race).
CREATE TABLE liaison_point (
  id {{PK}},
  leader_user_id {{I64}} NOT NULL REFERENCES app_user(id),
  org_id {{I64}} NOT NULL REFERENCES org(id),
  office_org_id {{I64}} NOT NULL REFERENCES org(id),
  since TEXT NOT NULL,
  until TEXT,
  created_by {{I64}} NOT NULL,
  created_by_name TEXT NOT NULL DEFAULT '',
  created_at {{I64}} NOT NULL
);
CREATE UNIQUE INDEX liaison_point_open ON liaison_point(leader_user_id, org_id) WHERE until IS NULL;
CREATE INDEX liaison_point_org ON liaison_point(org_id);

-- A visit counts in the quarter of visited_on (period_rollup: visits, visit_problems_found when
-- problems were found, visit_problems_solved when some were solved). org_id and leader_user_id are
-- the point's, kept here for the roll-ups and the per-leader counts.
CREATE TABLE liaison_visit (
  id {{PK}},
  point_id {{I64}} NOT NULL REFERENCES liaison_point(id),
  leader_user_id {{I64}} NOT NULL REFERENCES app_user(id),
  org_id {{I64}} NOT NULL REFERENCES org(id),
  visited_on TEXT NOT NULL,
  done TEXT NOT NULL,
  problems_found TEXT NOT NULL DEFAULT '',
  problems_solved TEXT NOT NULL DEFAULT '',
  rect_id {{I64}} REFERENCES rectification(id),
  created_by {{I64}} NOT NULL,
  created_by_name TEXT NOT NULL DEFAULT '',
  created_at {{I64}} NOT NULL
);
CREATE INDEX liaison_visit_point ON liaison_visit(point_id, visited_on);
CREATE INDEX liaison_visit_leader ON liaison_visit(leader_user_id, visited_on);
CREATE INDEX liaison_visit_org ON liaison_visit(org_id, visited_on);

-- Photos and files of a visit, typed by content (store/attachment.h).
CREATE TABLE liaison_visit_file (
  id {{PK}},
  visit_id {{I64}} NOT NULL REFERENCES liaison_visit(id),
  mime TEXT NOT NULL,
  name TEXT NOT NULL,
  size {{I64}} NOT NULL,
  data {{BLOB}} NOT NULL,
  author TEXT NOT NULL,
  created_at {{I64}} NOT NULL
);
CREATE INDEX liaison_visit_file_visit ON liaison_visit_file(visit_id);

ALTER TABLE period_rollup ADD COLUMN visits {{I64}} NOT NULL DEFAULT 0;
ALTER TABLE period_rollup ADD COLUMN visit_problems_found {{I64}} NOT NULL DEFAULT 0;
ALTER TABLE period_rollup ADD COLUMN visit_problems_solved {{I64}} NOT NULL DEFAULT 0;
