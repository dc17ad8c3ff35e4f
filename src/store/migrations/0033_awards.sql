-- 0033_awards.sql: 评选表彰 (issue 19): award kinds of an office and year, their eligibility rules
-- as data, nominations by organisations within the quota with the evidence frozen, the office's
-- recorded vote, approval and revocation.
--
-- award_kind: an office's (org_id / org_path) award for members or organisations of its subtree in
-- one year. quota: a number, or (share = 1) a per cent of the eligible; quota_n is the number of
-- places (a number as is; a share computed when nominating opens over eligible_n, the candidates
-- then meeting every rule). status draft (rules set) → open (nominating) → closed (the office's
-- review) → done.
CREATE TABLE award_kind (
  id {{PK}},
  org_id {{I64}} NOT NULL REFERENCES org(id),
  org_path {{CTEXT}} NOT NULL,
  name TEXT NOT NULL,
  year INTEGER NOT NULL,
  subject TEXT NOT NULL CHECK (subject IN ('member','org')),
  share INTEGER NOT NULL DEFAULT 0 CHECK (share IN (0, 1)),
  quota INTEGER NOT NULL CHECK (quota BETWEEN 1 AND 1000),
  quota_n INTEGER NOT NULL DEFAULT 0,
  eligible_n INTEGER NOT NULL DEFAULT -1,
  status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','open','closed','done')),
  created_by {{I64}} NOT NULL,
  created_by_name TEXT NOT NULL DEFAULT '',
  row_version {{I64}} NOT NULL DEFAULT 1,
  created_at {{I64}} NOT NULL,
  updated_at {{I64}} NOT NULL
);
CREATE INDEX award_kind_path ON award_kind(org_path, year);

-- Eligibility rules: one of the fixed set (domain/award.h) with its parameter; fixed once open.
CREATE TABLE award_rule (
  kind_id {{I64}} NOT NULL REFERENCES award_kind(id),
  rule TEXT NOT NULL,
  param TEXT NOT NULL DEFAULT '',
  seq INTEGER NOT NULL,
  PRIMARY KEY (kind_id, rule)
);

-- Optional allocation of the places to organisations of the kind's scope (the overall quota must
-- still hold): nominations of candidates in org_path's subtree at most places.
CREATE TABLE award_alloc (
  kind_id {{I64}} NOT NULL REFERENCES award_kind(id),
  org_id {{I64}} NOT NULL REFERENCES org(id),
  org_path {{CTEXT}} NOT NULL,
  places INTEGER NOT NULL CHECK (places BETWEEN 1 AND 1000),
  PRIMARY KEY (kind_id, org_id)
);

-- Nominations: a member or an organisation (subject_kind, subject_id; its name and organisation as
-- nominated) put forward by an organisation (nominator_org_id) with a reason; evidence: the JSON of
-- every rule's result at nomination time, frozen. The vote: counts, entitled, the meeting's date
-- and a note. status nominated → withdrawn (before closing) | passed | rejected (the vote);
-- passed → awarded (approval) → revoked (with a reason). One live nomination per subject and kind.
CREATE TABLE award_nomination (
  id {{PK}},
  kind_id {{I64}} NOT NULL REFERENCES award_kind(id),
  subject_kind TEXT NOT NULL CHECK (subject_kind IN ('member','org')),
  subject_id {{I64}} NOT NULL,
  subject_name TEXT NOT NULL,
  org_id {{I64}} NOT NULL REFERENCES org(id),
  org_path {{CTEXT}} NOT NULL,
  nominator_org_id {{I64}} NOT NULL REFERENCES org(id),
  reason TEXT NOT NULL,
  evidence TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'nominated' CHECK (status IN ('nominated','withdrawn','passed','rejected','awarded','revoked')),
  vote_for INTEGER NOT NULL DEFAULT 0,
  vote_against INTEGER NOT NULL DEFAULT 0,
  vote_abstain INTEGER NOT NULL DEFAULT 0,
  vote_entitled INTEGER NOT NULL DEFAULT 0,
  vote_date TEXT NOT NULL DEFAULT '',
  vote_note TEXT NOT NULL DEFAULT '',
  approved_at {{I64}} NOT NULL DEFAULT 0,
  approved_on TEXT NOT NULL DEFAULT '',
  approved_by_name TEXT NOT NULL DEFAULT '',
  revoked_at {{I64}} NOT NULL DEFAULT 0,
  revoke_reason TEXT NOT NULL DEFAULT '',
  created_by {{I64}} NOT NULL,
  created_by_name TEXT NOT NULL DEFAULT '',
  row_version {{I64}} NOT NULL DEFAULT 1,
  created_at {{I64}} NOT NULL,
  updated_at {{I64}} NOT NULL
);
CREATE UNIQUE INDEX award_nomination_u ON award_nomination(kind_id, subject_kind, subject_id) WHERE status <> 'withdrawn';
CREATE INDEX award_nomination_kind ON award_nomination(kind_id, status);
CREATE INDEX award_nomination_subject ON award_nomination(subject_kind, subject_id, status);
CREATE INDEX award_nomination_org ON award_nomination(org_id, status);
CREATE INDEX award_nomination_approved ON award_nomination(approved_on) WHERE approved_on <> '';
