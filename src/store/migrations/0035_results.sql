-- 0035_results.sql: published results of a review round (issue 19, 评议结果公布): an office's
-- window league table (满意窗口排名, service windows only), organisations' satisfaction and its
-- 优秀 members after approval, each frozen like a bulletin.
--
-- One row per published version: (round_id, org_id, kind, scope) names a list; republishing adds
-- version + 1 and marks the one it replaces 'replaced' (replaced_by). A withdrawal keeps the rows,
-- records the reason, and the public page shows only that it was withdrawn and why. min_ballots:
-- the minimum of valid ballots to be ranked (0 for the 优秀 list); method: the method in words;
-- last_ballot_id: the newest ballot when it was published, so `cxzy recount` counts the ballots
-- as they were then (ballots arriving later never move a published row, nor make a difference).
CREATE TABLE result_list (
  id {{PK}},
  round_id {{I64}} NOT NULL REFERENCES review_round(id),
  org_id {{I64}} NOT NULL REFERENCES org(id),
  org_path {{CTEXT}} NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('windows','orgs','excellent')),
  scope TEXT NOT NULL CHECK (scope IN ('children','branches')),
  min_ballots INTEGER NOT NULL,
  version INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('published','replaced','withdrawn')),
  replaced_by {{I64}} NOT NULL DEFAULT 0,
  method TEXT NOT NULL,
  last_ballot_id {{I64}} NOT NULL DEFAULT 0,
  published_by_name TEXT NOT NULL DEFAULT '',
  published_at {{I64}} NOT NULL,
  withdrawn_at {{I64}} NOT NULL DEFAULT 0,
  withdraw_reason TEXT NOT NULL DEFAULT '',
  row_version {{I64}} NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX result_list_version ON result_list(round_id, org_id, kind, scope, version);
CREATE INDEX result_list_path ON result_list(org_path);

-- The frozen lines: rank 0 = listed apart (样本不足) or unranked (the 优秀 list); ref_id the
-- window, organisation or member; names as they were at publication; rate ×10000, -1 none.
CREATE TABLE result_row (
  list_id {{I64}} NOT NULL REFERENCES result_list(id),
  seq INTEGER NOT NULL,
  rank INTEGER NOT NULL,
  ref_id {{I64}} NOT NULL,
  name TEXT NOT NULL,
  org_name TEXT NOT NULL,
  valid {{I64}} NOT NULL,
  rate {{I64}} NOT NULL,
  PRIMARY KEY (list_id, seq)
);

-- The organisations each published organisation's subtree held at publication (lists of
-- organisations' satisfaction only): `cxzy recount` counts their ballots, so that a later move
-- of a branch or a deactivation is not taken for an error in what was published.
CREATE TABLE result_scope (
  list_id {{I64}} NOT NULL REFERENCES result_list(id),
  ref_id {{I64}} NOT NULL,
  org_id {{I64}} NOT NULL,
  PRIMARY KEY (list_id, ref_id, org_id)
);
