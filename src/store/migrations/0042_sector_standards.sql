-- 0042_sector_standards.sql: standards and indicators by sector (issue 22). A campaign assigns
-- standard sets to organisations of given sectors (领域) and levels (org type) and to their
-- members: 国有企业 四强/四优, 农村 五个好/五带头, 非公 四比四争 in the same round. An office
-- breaks a set's items into local indicators with points (把五个好、五带头具体化) and gives the set
-- its grade rule in points. A set a round has started with is never edited: editing it creates a
-- new version (a new standard_set row of the same family), and the round keeps its version.

-- The campaign that owns a local set (NULL: a set for every campaign, like 五个好), its family
-- (the first version's id; NULL on the first version itself), its version number, whether a newer
-- version exists, and its grade rule: thresholds in points of the set's total (NULL: the
-- campaign's percentages).
ALTER TABLE standard_set ADD COLUMN campaign_id {{I64}} REFERENCES campaign(id);
ALTER TABLE standard_set ADD COLUMN family_id {{I64}};
ALTER TABLE standard_set ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE standard_set ADD COLUMN superseded INTEGER NOT NULL DEFAULT 0;
ALTER TABLE standard_set ADD COLUMN t_excellent INTEGER;
ALTER TABLE standard_set ADD COLUMN t_qualified INTEGER;
ALTER TABLE standard_set ADD COLUMN t_basic INTEGER;
CREATE INDEX standard_set_campaign ON standard_set(campaign_id);

-- Indicators (具体化的指标) of one version of a set: each details one item (item_seq) and carries
-- points. seq is the line on the review form; a set with indicators is reviewed indicator by
-- indicator (review.levels has one digit per indicator), a set without by item.
CREATE TABLE standard_indicator (
  id {{PK}},
  set_id {{I64}} NOT NULL REFERENCES standard_set(id),
  item_seq INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  title TEXT NOT NULL,
  points INTEGER NOT NULL CHECK (points BETWEEN 1 AND 100)
);
CREATE UNIQUE INDEX standard_indicator_u ON standard_indicator(set_id, seq);

-- A campaign's assignments: organisations of the sector (or '' any) and org type (or '' any),
-- or their members (target), are reviewed on the family's current version. The most specific
-- assignment wins; none: the campaign's org_set_id / member_set_id as before.
CREATE TABLE sector_standard (
  id {{PK}},
  campaign_id {{I64}} NOT NULL REFERENCES campaign(id),
  target TEXT NOT NULL CHECK (target IN ('org','member')),
  sector TEXT NOT NULL DEFAULT '',
  org_type TEXT NOT NULL DEFAULT '',
  family_id {{I64}} NOT NULL REFERENCES standard_set(id),
  created_at {{I64}} NOT NULL
);
CREATE UNIQUE INDEX sector_standard_u ON sector_standard(campaign_id, target, sector, org_type);

-- What a round started with: the campaign's assignments when it opened, each with the version
-- current then. Later assignments and versions do not reach it.
CREATE TABLE round_standard (
  round_id {{I64}} NOT NULL REFERENCES review_round(id),
  target TEXT NOT NULL CHECK (target IN ('org','member')),
  sector TEXT NOT NULL DEFAULT '',
  org_type TEXT NOT NULL DEFAULT '',
  set_id {{I64}} NOT NULL REFERENCES standard_set(id),
  PRIMARY KEY (round_id, target, sector, org_type)
);
CREATE INDEX round_standard_set ON round_standard(set_id);
