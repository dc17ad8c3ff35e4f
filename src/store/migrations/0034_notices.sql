-- 0034_notices.sql: public notices (公示) and objections (异议), issue 19.
--
-- A notice is issued by an office (office_id: the organisation whose office runs it) for a period
-- of working days over the calendar: start_date (the day it opened) to end_date (the last day
-- objections are taken), both YYYY-MM-DD. Whether it is open, ended or closed is read from the
-- dates and its objections, never stored twice. contact: who to call or write to (editable).
CREATE TABLE notice (
  id {{PK}},
  office_id {{I64}} NOT NULL REFERENCES org(id),
  title TEXT NOT NULL,
  body TEXT NOT NULL DEFAULT '',
  contact TEXT NOT NULL DEFAULT '',
  start_date TEXT NOT NULL,
  end_date TEXT NOT NULL,
  workdays {{I64}} NOT NULL,
  created_by {{I64}} NOT NULL,
  created_at {{I64}} NOT NULL
);
CREATE INDEX notice_office ON notice(office_id, end_date);
CREATE INDEX notice_end ON notice(end_date);

-- One proposed honour of a notice: a member or an organisation (subject_name, org_name: as they
-- were named when the notice opened), where it came from (source "award" with its nomination's
-- id, "manual" with ref_id = the item's own id) so that its caller can ask its state.
CREATE TABLE notice_item (
  id {{PK}},
  notice_id {{I64}} NOT NULL REFERENCES notice(id),
  seq {{I64}} NOT NULL,
  subject_kind TEXT NOT NULL CHECK (subject_kind IN ('member','org')),
  subject_id {{I64}} NOT NULL,
  subject_name TEXT NOT NULL,
  org_id {{I64}} NOT NULL REFERENCES org(id),
  org_name TEXT NOT NULL,
  honour TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL,
  ref_id {{I64}} NOT NULL DEFAULT 0
);
CREATE INDEX notice_item_notice ON notice_item(notice_id, seq);
CREATE INDEX notice_item_ref ON notice_item(source, ref_id);

-- An objection of the public to one item: signed with a real name and a phone verified by an SMS
-- code, both sealed (*_enc, store/keyrotate.c) and kept masked beside; code_hash: the keyed hash
-- of the objector's tracking code. status: received → investigating (holds the item) → upheld
-- (the item withdrawn) | dismissed; finding: the outcome's text.
CREATE TABLE objection (
  id {{PK}},
  notice_id {{I64}} NOT NULL REFERENCES notice(id),
  item_id {{I64}} NOT NULL REFERENCES notice_item(id),
  office_id {{I64}} NOT NULL REFERENCES org(id),
  code_hash {{BLOB}} NOT NULL,
  name_enc {{BLOB}} NOT NULL,
  name_mask TEXT NOT NULL,
  phone_enc {{BLOB}} NOT NULL,
  phone_mask TEXT NOT NULL,
  text TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'received' CHECK (status IN ('received','investigating','upheld','dismissed')),
  finding TEXT NOT NULL DEFAULT '',
  created_at {{I64}} NOT NULL,
  held_at {{I64}} NOT NULL DEFAULT 0,
  decided_at {{I64}} NOT NULL DEFAULT 0,
  decided_by {{I64}} NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX objection_code ON objection(code_hash);
CREATE INDEX objection_item ON objection(item_id, status);
CREATE INDEX objection_notice ON objection(notice_id, id);
CREATE INDEX objection_office ON objection(office_id, status);
