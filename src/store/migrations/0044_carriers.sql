-- 0044_carriers.sql: carriers that can be tracked (issue 22). A carrier (载体, table carrier of
-- 0003) gets items (事项: 谏一言、献一策 …), each asking something of every member or of every
-- branch of the carrier's subtree; per item and campaign phase (阶段) one entry (填报) per member
-- or branch, done with a text and evidence files; the counters of entries due and done per
-- organisation (kept with every change, rebuilt by `cxzy recount`); the
-- carrier's versions (适时审定、修正: every edit keeps the wording it replaced) and its retirement.
ALTER TABLE carrier ADD COLUMN version {{I64}} NOT NULL DEFAULT 1;
ALTER TABLE carrier ADD COLUMN retired_at {{I64}} NOT NULL DEFAULT 0;
ALTER TABLE carrier ADD COLUMN retired_reason TEXT NOT NULL DEFAULT '';

-- An item of a carrier. target: who owes an entry (member: every active member of the subtree;
-- org: every active branch, i.e. organisation without active children). since_version: the
-- carrier version that brought it; retired_version: the version that dropped it (0: current).
CREATE TABLE carrier_item (
  id {{PK}},
  carrier_id {{I64}} NOT NULL REFERENCES carrier(id),
  seq INTEGER NOT NULL,
  title TEXT NOT NULL,
  target TEXT NOT NULL CHECK (target IN ('member','org')),
  evidence TEXT NOT NULL DEFAULT '',              -- how it is evidenced (佐证要求)
  since_version {{I64}} NOT NULL DEFAULT 1,
  retired_version {{I64}} NOT NULL DEFAULT 0
);
CREATE INDEX carrier_item_carrier ON carrier_item(carrier_id, retired_version, seq);

-- One entry per item, phase and member (member_id > 0, org_id its organisation at the opening)
-- or branch (member_id 0). status: due → done (text and files; a later edit keeps it done).
CREATE TABLE carrier_entry (
  id {{PK}},
  item_id {{I64}} NOT NULL REFERENCES carrier_item(id),
  phase_id {{I64}} NOT NULL REFERENCES campaign_phase(id),
  org_id {{I64}} NOT NULL REFERENCES org(id),
  member_id {{I64}} NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'due' CHECK (status IN ('due','done')),
  text TEXT NOT NULL DEFAULT '',
  version {{I64}} NOT NULL DEFAULT 1,
  done_by TEXT NOT NULL DEFAULT '',
  done_at {{I64}} NOT NULL DEFAULT 0,
  created_at {{I64}} NOT NULL
);
CREATE UNIQUE INDEX carrier_entry_u ON carrier_entry(item_id, phase_id, org_id, member_id);
CREATE INDEX carrier_entry_member ON carrier_entry(member_id, phase_id);

-- Evidence of an entry (JPEG, PNG or PDF, stored without metadata: store/attachment.c).
CREATE TABLE carrier_file (
  id {{PK}},
  entry_id {{I64}} NOT NULL REFERENCES carrier_entry(id),
  mime TEXT NOT NULL,
  name TEXT NOT NULL,
  size {{I64}} NOT NULL,
  data {{BLOB}} NOT NULL,
  author TEXT NOT NULL,
  created_at {{I64}} NOT NULL
);
CREATE INDEX carrier_file_entry ON carrier_file(entry_id);

-- Entries due and done per item, phase and organisation (the entries' own organisation; pages add
-- up a subtree): kept in the transaction of every opening and every entry done; `cxzy recount`
-- rebuilds it from carrier_entry.
CREATE TABLE carrier_tally (
  item_id {{I64}} NOT NULL REFERENCES carrier_item(id),
  phase_id {{I64}} NOT NULL,
  org_id {{I64}} NOT NULL REFERENCES org(id),
  due {{I64}} NOT NULL DEFAULT 0,
  done {{I64}} NOT NULL DEFAULT 0,
  PRIMARY KEY (item_id, phase_id, org_id)
);

-- The wording a carrier had before each edit (its items one per line, as typed) and who replaced it.
CREATE TABLE carrier_version (
  carrier_id {{I64}} NOT NULL REFERENCES carrier(id),
  version {{I64}} NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  items TEXT NOT NULL,
  edited_by TEXT NOT NULL,
  edited_at {{I64}} NOT NULL,
  PRIMARY KEY (carrier_id, version)
);
