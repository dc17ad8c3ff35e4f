-- 0027_ledger.sql: the ledger (台账) offices keep of the work done (issue 18): visits (走访) by the
-- category of person visited, help (帮办实事、致富信息), pairing with a household (结对帮扶), research
-- reports (调研报告, with files) and forums (座谈会, participants counted by category). Every entry
-- belongs to an organisation and optionally a member; a deleted entry is kept (deleted_at) and
-- counts nowhere.
--
-- Categories: a list per kind, seeded for everyone (org_id NULL), extended by an office for its
-- subtree (org_id: the office's organisation). An entry's category, and a forum's participant
-- categories, are those of its kind seen from the entry's organisation (seeded, or of the
-- organisation itself or an ancestor).
CREATE TABLE ledger_category (
  id {{PK}},
  org_id {{I64}} REFERENCES org(id),
  kind TEXT NOT NULL CHECK (kind IN ('visit','help','pairing','research','forum')),
  name TEXT NOT NULL,
  seq INTEGER NOT NULL DEFAULT 0,
  created_at {{I64}} NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX ledger_category_name ON ledger_category(coalesce(org_id, 0), kind, name);

-- One entry. people: the number of people reached (a forum's: the sum of its participants).
-- household: the household a pairing (结对帮扶) is with. category_id: NULL for a forum (its
-- participants carry the categories) or when none was chosen.
CREATE TABLE ledger_entry (
  id {{PK}},
  org_id {{I64}} NOT NULL REFERENCES org(id),
  member_id {{I64}} REFERENCES member(id),
  kind TEXT NOT NULL CHECK (kind IN ('visit','help','pairing','research','forum')),
  category_id {{I64}} REFERENCES ledger_category(id),
  entry_date TEXT NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL DEFAULT '',
  household TEXT NOT NULL DEFAULT '',
  people {{I64}} NOT NULL DEFAULT 0 CHECK (people >= 0),
  deleted_at {{I64}} NOT NULL DEFAULT 0,
  row_version {{I64}} NOT NULL DEFAULT 1,
  created_by {{I64}} NOT NULL,
  created_by_name TEXT NOT NULL DEFAULT '',
  created_at {{I64}} NOT NULL,
  updated_at {{I64}} NOT NULL
);
CREATE INDEX ledger_entry_org ON ledger_entry(org_id, entry_date);
CREATE INDEX ledger_entry_member ON ledger_entry(member_id);

-- A forum's participants by category.
CREATE TABLE ledger_participant (
  entry_id {{I64}} NOT NULL REFERENCES ledger_entry(id),
  category_id {{I64}} NOT NULL REFERENCES ledger_category(id),
  people {{I64}} NOT NULL CHECK (people >= 0),
  PRIMARY KEY (entry_id, category_id)
);

-- A research report's files (and any entry's), typed by content (store/attachment.h).
CREATE TABLE ledger_file (
  id {{PK}},
  entry_id {{I64}} NOT NULL REFERENCES ledger_entry(id),
  mime TEXT NOT NULL,
  name TEXT NOT NULL,
  size {{I64}} NOT NULL,
  data {{BLOB}} NOT NULL,
  author TEXT NOT NULL,
  created_at {{I64}} NOT NULL
);
CREATE INDEX ledger_file_entry ON ledger_file(entry_id);

-- Roll-up by quarter over every organisation's subtree, kept in the same transaction as each entry
-- change (store/ledger.c): category_id 0 holds every entry of the kind (entries, people); another
-- category_id the entries of that category and their people — for a forum, the forums with
-- participants of that category and how many took part. `cxzy recount` rebuilds it.
CREATE TABLE ledger_rollup (
  quarter INTEGER NOT NULL,
  org_id {{I64}} NOT NULL REFERENCES org(id),
  kind TEXT NOT NULL,
  category_id {{I64}} NOT NULL,
  entries {{I64}} NOT NULL DEFAULT 0,
  people {{I64}} NOT NULL DEFAULT 0,
  PRIMARY KEY (quarter, org_id, kind, category_id)
);
CREATE INDEX ledger_rollup_org ON ledger_rollup(org_id, quarter);

INSERT INTO ledger_category (kind, name, seq) VALUES ('visit', '乡镇领导干部', 1);
INSERT INTO ledger_category (kind, name, seq) VALUES ('visit', '县直领导', 2);
INSERT INTO ledger_category (kind, name, seq) VALUES ('visit', '村干部', 3);
INSERT INTO ledger_category (kind, name, seq) VALUES ('visit', '群众代表', 4);
INSERT INTO ledger_category (kind, name, seq) VALUES ('visit', '大学生村干部', 5);
INSERT INTO ledger_category (kind, name, seq) VALUES ('visit', '企业干部', 6);
INSERT INTO ledger_category (kind, name, seq) VALUES ('visit', '困难群众', 7);
INSERT INTO ledger_category (kind, name, seq) VALUES ('help', '实事', 1);
INSERT INTO ledger_category (kind, name, seq) VALUES ('help', '致富信息', 2);
INSERT INTO ledger_category (kind, name, seq) VALUES ('pairing', '困难党员', 1);
INSERT INTO ledger_category (kind, name, seq) VALUES ('pairing', '困难群众', 2);
INSERT INTO ledger_category (kind, name, seq) VALUES ('research', '专题调研', 1);
INSERT INTO ledger_category (kind, name, seq) VALUES ('research', '蹲点调研', 2);
INSERT INTO ledger_category (kind, name, seq) VALUES ('forum', '乡镇领导干部', 1);
INSERT INTO ledger_category (kind, name, seq) VALUES ('forum', '村干部', 2);
INSERT INTO ledger_category (kind, name, seq) VALUES ('forum', '大学生村干部', 3);
INSERT INTO ledger_category (kind, name, seq) VALUES ('forum', '群众代表', 4);
INSERT INTO ledger_category (kind, name, seq) VALUES ('forum', '党员', 5);
