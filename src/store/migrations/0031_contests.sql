-- 0031_contests.sql: 三比 contests (比技能、比作风、比业绩 or an office's own kind) with scoring
-- items, entrants, judges, their scores and the frozen published result (issue 19).
--
-- A contest of an office (org_id / org_path): entrants come from its subtree. status draft (items,
-- entrants and judges set up) → open (judges score) → closed (the result computed from the
-- submitted judges' scores) → published (the result frozen in contest_result). drop_n: how many
-- highest and lowest weighted totals are dropped (the trimmed mean); method: the method in words
-- as published.
CREATE TABLE contest (
  id {{PK}},
  org_id {{I64}} NOT NULL REFERENCES org(id),
  org_path {{CTEXT}} NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('skill','conduct','results','custom')),
  kind_name TEXT NOT NULL,
  title TEXT NOT NULL,
  year INTEGER NOT NULL,
  entrant_kind TEXT NOT NULL CHECK (entrant_kind IN ('member','org','window')),
  drop_n INTEGER NOT NULL DEFAULT 1 CHECK (drop_n BETWEEN 0 AND 5),
  status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','open','closed','published')),
  method TEXT NOT NULL DEFAULT '',
  created_by {{I64}} NOT NULL,
  created_by_name TEXT NOT NULL DEFAULT '',
  row_version {{I64}} NOT NULL DEFAULT 1,
  created_at {{I64}} NOT NULL,
  updated_at {{I64}} NOT NULL,
  closed_at {{I64}} NOT NULL DEFAULT 0,
  published_at {{I64}} NOT NULL DEFAULT 0
);
CREATE INDEX contest_path ON contest(org_path, year);

-- Scoring items: weights of a contest sum to 100 before it opens; max_score the full marks.
CREATE TABLE contest_item (
  id {{PK}},
  contest_id {{I64}} NOT NULL REFERENCES contest(id),
  seq INTEGER NOT NULL,
  name TEXT NOT NULL,
  weight INTEGER NOT NULL CHECK (weight BETWEEN 1 AND 100),
  max_score INTEGER NOT NULL CHECK (max_score BETWEEN 1 AND 1000)
);
CREATE UNIQUE INDEX contest_item_seq ON contest_item(contest_id, seq);

-- Entrants: a member, an organisation or a service window (ref_id) of the office's subtree; name
-- and org_path as they were when entered (org_path: the member's, the window's or the org's own).
CREATE TABLE contest_entrant (
  id {{PK}},
  contest_id {{I64}} NOT NULL REFERENCES contest(id),
  kind TEXT NOT NULL CHECK (kind IN ('member','org','window')),
  ref_id {{I64}} NOT NULL,
  name TEXT NOT NULL,
  org_id {{I64}} NOT NULL REFERENCES org(id),
  org_path {{CTEXT}} NOT NULL
);
CREATE UNIQUE INDEX contest_entrant_u ON contest_entrant(contest_id, kind, ref_id);

-- Judges: accounts; submitted_at 0 until the judge submits (final, no change after).
CREATE TABLE contest_judge (
  contest_id {{I64}} NOT NULL REFERENCES contest(id),
  user_id {{I64}} NOT NULL REFERENCES app_user(id),
  name TEXT NOT NULL,
  submitted_at {{I64}} NOT NULL DEFAULT 0,
  PRIMARY KEY (contest_id, user_id)
);
CREATE INDEX contest_judge_user ON contest_judge(user_id);

-- One judge's score of one entrant on one item, in hundredths of a point (85.5 is 8550).
CREATE TABLE contest_score (
  contest_id {{I64}} NOT NULL REFERENCES contest(id),
  user_id {{I64}} NOT NULL REFERENCES app_user(id),
  entrant_id {{I64}} NOT NULL REFERENCES contest_entrant(id),
  item_id {{I64}} NOT NULL REFERENCES contest_item(id),
  score INTEGER NOT NULL CHECK (score >= 0),
  updated_at {{I64}} NOT NULL,
  PRIMARY KEY (contest_id, user_id, entrant_id, item_id)
);

-- The published result, frozen: per entrant its rank (1224-style), final score, untrimmed mean
-- and best weighted item (hundredths), how many judges and whether the trimmed mean was used.
-- `cxzy recount` recomputes each from contest_score and reports any difference; it never adopts.
CREATE TABLE contest_result (
  contest_id {{I64}} NOT NULL REFERENCES contest(id),
  entrant_id {{I64}} NOT NULL REFERENCES contest_entrant(id),
  rank INTEGER NOT NULL,
  score {{I64}} NOT NULL,
  mean {{I64}} NOT NULL,
  best {{I64}} NOT NULL,
  judges INTEGER NOT NULL,
  trimmed INTEGER NOT NULL,
  PRIMARY KEY (contest_id, entrant_id)
);
