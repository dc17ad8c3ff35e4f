-- 0020_inspections.sql: inspections (督查, issue 17). An office plans an inspection of its
-- subtree, with a team of staff accounts and a checklist; 随机抽查 draws the organisations from a
-- stated population with a committed seed (draw_commitment purpose 'inspection', as the phone
-- draw does); findings per organisation against checklist items may each become a rectification
-- item (source 'inspection') in one step.

-- kind: forum 座谈会, regular 经常性督查, random 随机抽查, special 专项督查.
-- status: planned → running → closed. scope_org_id: the subtree inspected (the office's own or
-- below). For a random draw: population_types / population_sectors the stated population (as
-- report_schedule.for_types), draw_n organisations asked, commitment_id the commitment used, seed
-- shown after the draw, population (count) and population_digest (SHA-256 hex of the sorted ids,
-- one per line) recorded; drawn_at 0 until drawn.
CREATE TABLE inspection (
  id {{PK}},
  org_id {{I64}} NOT NULL REFERENCES org(id),       -- the issuing office's organisation
  scope_org_id {{I64}} NOT NULL REFERENCES org(id),
  scope_path {{CTEXT}} NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('forum','regular','random','special')),
  title TEXT NOT NULL,
  start_date TEXT NOT NULL,
  end_date TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('planned','running','closed')),
  population_types TEXT NOT NULL DEFAULT '',
  population_sectors TEXT NOT NULL DEFAULT '',
  draw_n INTEGER NOT NULL DEFAULT 0,
  commitment_id {{I64}} REFERENCES draw_commitment(id),
  seed TEXT NOT NULL DEFAULT '',
  seed_hash TEXT NOT NULL DEFAULT '',
  population INTEGER NOT NULL DEFAULT 0,
  population_digest TEXT NOT NULL DEFAULT '',
  drawn_at {{I64}} NOT NULL DEFAULT 0,
  created_by {{I64}} NOT NULL,
  created_by_name TEXT NOT NULL DEFAULT '',
  row_version {{I64}} NOT NULL DEFAULT 1,
  created_at {{I64}} NOT NULL,
  updated_at {{I64}} NOT NULL
);
CREATE INDEX inspection_org ON inspection(org_id, start_date);
CREATE INDEX inspection_scope ON inspection(scope_path);
CREATE UNIQUE INDEX inspection_commitment_u ON inspection(commitment_id);

-- The team: staff accounts who may record findings.
CREATE TABLE inspection_member (
  inspection_id {{I64}} NOT NULL REFERENCES inspection(id),
  user_id {{I64}} NOT NULL REFERENCES app_user(id),
  PRIMARY KEY (inspection_id, user_id)
);

-- Checklist: a standard item (standard_item_id) or the office's own text.
CREATE TABLE inspection_item (
  id {{PK}},
  inspection_id {{I64}} NOT NULL REFERENCES inspection(id),
  seq INTEGER NOT NULL,
  standard_item_id {{I64}} REFERENCES standard_item(id),
  title TEXT NOT NULL
);
CREATE UNIQUE INDEX inspection_item_u ON inspection_item(inspection_id, seq);

-- The organisations inspected (and, optionally, a member): for a random draw the drawn ones with
-- seq the order of the draw; otherwise as chosen, seq in the order added.
CREATE TABLE inspection_target (
  id {{PK}},
  inspection_id {{I64}} NOT NULL REFERENCES inspection(id),
  seq INTEGER NOT NULL,
  org_id {{I64}} NOT NULL REFERENCES org(id),
  org_path {{CTEXT}} NOT NULL,
  member_id {{I64}} REFERENCES member(id)
);
CREATE UNIQUE INDEX inspection_target_u ON inspection_target(inspection_id, org_id);
CREATE INDEX inspection_target_path ON inspection_target(org_path);

-- A finding at one target against one checklist item (item_id NULL: a general finding).
-- level: ok (符合) or problem (存在问题). found_on decides its quarter in the roll-ups.
-- rect_id: the rectification item made from it (source 'inspection', source_kind 'finding').
CREATE TABLE inspection_finding (
  id {{PK}},
  inspection_id {{I64}} NOT NULL REFERENCES inspection(id),
  target_id {{I64}} NOT NULL REFERENCES inspection_target(id),
  org_id {{I64}} NOT NULL REFERENCES org(id),
  org_path {{CTEXT}} NOT NULL,
  item_id {{I64}} REFERENCES inspection_item(id),
  level TEXT NOT NULL CHECK (level IN ('ok','problem')),
  text TEXT NOT NULL,
  found_on TEXT NOT NULL,
  rect_id {{I64}} REFERENCES rectification(id),
  created_by {{I64}} NOT NULL,
  created_by_name TEXT NOT NULL DEFAULT '',
  created_at {{I64}} NOT NULL
);
CREATE INDEX inspection_finding_insp ON inspection_finding(inspection_id, target_id);
CREATE INDEX inspection_finding_path ON inspection_finding(org_path, found_on);
CREATE UNIQUE INDEX inspection_finding_rect ON inspection_finding(rect_id);

-- Evidence of a finding, typed by content (store/attachment.h).
CREATE TABLE finding_file (
  id {{PK}},
  finding_id {{I64}} NOT NULL REFERENCES inspection_finding(id),
  mime TEXT NOT NULL,
  name TEXT NOT NULL,
  size {{I64}} NOT NULL,
  data {{BLOB}} NOT NULL,
  author TEXT NOT NULL,
  created_at {{I64}} NOT NULL
);
CREATE INDEX finding_file_finding ON finding_file(finding_id);
