-- 0004_feedback.sql: opinions, suggestions, complaints and whistle-blowing reports (意见、建议、
-- 投诉、举报) with tracking codes, triage, due dates in working days and replies; the office's
-- edits of the workday calendar.
--
-- Confidentiality of 举报 (kind 'report') rests on these rules, kept by feedback_store.c:
--   * ids of items and files are random (not a sequence), so no gap in the ids of the items
--     people may see betrays a report they may not;
--   * the tracking code is kept only as a keyed hash; the sender's name and contact only
--     encrypted (secretbox) beside a mask;
--   * audit records of reports are filed with org_id 0 (no organisation), so no organisation's
--     audit view lists them.

-- Categories (分类) the office gives items in triage: data, not code.
CREATE TABLE feedback_category (
  id {{PK}},
  name TEXT NOT NULL,
  seq INTEGER NOT NULL DEFAULT 0,
  active INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX feedback_category_name ON feedback_category(name);

-- Working days allowed for an answer, per kind, set by an office for its subtree (the nearest
-- setting at or above an item's organisation applies; none: 15).
CREATE TABLE feedback_setting (
  org_id {{I64}} NOT NULL REFERENCES org(id),
  kind TEXT NOT NULL CHECK (kind IN ('opinion','suggestion','complaint','report')),
  due_days INTEGER NOT NULL CHECK (due_days BETWEEN 1 AND 60),
  updated_at {{I64}} NOT NULL,
  PRIMARY KEY (org_id, kind)
);

CREATE TABLE feedback (
  id {{I64}} PRIMARY KEY,                       -- random, see above
  part {{I64}} NOT NULL DEFAULT 0,
  kind TEXT NOT NULL CHECK (kind IN ('opinion','suggestion','complaint','report')),
  code_hash {{BLOB}} NOT NULL,                  -- keyed hash of the tracking code
  channel TEXT NOT NULL CHECK (channel IN ('web','qr','hotline','mailbox','letter','reception')),
  about_kind TEXT NOT NULL DEFAULT '' CHECK (about_kind IN ('','member','org','window')),
  about_id {{I64}} NOT NULL DEFAULT 0,
  about_org_id {{I64}} NOT NULL REFERENCES org(id), -- the organisation it is about (a report: the accused's)
  org_id {{I64}} NOT NULL REFERENCES org(id),   -- responsible now: the triage queue, the assigned
                                                -- organisation, or for a report the handling one
                                                -- (a strict ancestor of about_org_id)
  category_id {{I64}} REFERENCES feedback_category(id),
  status TEXT NOT NULL CHECK (status IN ('new','assigned','replied','merged')),
  merged_into {{I64}} REFERENCES feedback(id),  -- a duplicate points to the item kept
  text TEXT NOT NULL,
  name_enc {{BLOB}},
  name_mask TEXT NOT NULL DEFAULT '',
  contact_enc {{BLOB}},
  contact_mask TEXT NOT NULL DEFAULT '',
  received_date TEXT NOT NULL,                  -- the due date counts from this day
  due_days INTEGER NOT NULL,
  due_date TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',                -- internal triage note, never public
  reply TEXT NOT NULL DEFAULT '',
  replied_date TEXT NOT NULL DEFAULT '',
  replied_by {{I64}} NOT NULL DEFAULT 0,
  published INTEGER NOT NULL DEFAULT 0,         -- the reply is in the public list (never a report)
  public_summary TEXT NOT NULL DEFAULT '',      -- anonymised summary shown with a published reply
  entered_by {{I64}} NOT NULL DEFAULT 0,        -- the staff user who keyed it in (0: the public)
  version {{I64}} NOT NULL DEFAULT 1,
  created_at {{I64}} NOT NULL,
  updated_at {{I64}} NOT NULL
);
CREATE UNIQUE INDEX feedback_code ON feedback(code_hash);
CREATE INDEX feedback_org ON feedback(org_id, status, due_date);
CREATE INDEX feedback_due ON feedback(status, due_date);
CREATE INDEX feedback_pub ON feedback(published, replied_date);

CREATE TABLE feedback_file (
  id {{I64}} PRIMARY KEY,                       -- random, see above
  feedback_id {{I64}} NOT NULL REFERENCES feedback(id),
  mime TEXT NOT NULL,                           -- decided by content: image/jpeg, image/png, application/pdf
  name TEXT NOT NULL,
  size {{I64}} NOT NULL,
  data {{BLOB}} NOT NULL,
  created_at {{I64}} NOT NULL
);
CREATE INDEX feedback_file_item ON feedback_file(feedback_id);

-- The office's edits of the workday calendar. The effective calendar is workday_builtin
-- (domain/workday.c) overlaid by these rows: 'holiday' rests on that day, 'workday' works on
-- it (调休上班), 'normal' removes a shipped entry (the day follows the weekday rule again).
CREATE TABLE workday_edit (
  day TEXT PRIMARY KEY,                         -- YYYY-MM-DD
  kind TEXT NOT NULL CHECK (kind IN ('holiday','workday','normal')),
  name TEXT NOT NULL DEFAULT '',
  updated_by {{I64}} NOT NULL DEFAULT 0,
  updated_at {{I64}} NOT NULL
);

INSERT INTO feedback_category (name, seq) VALUES ('服务态度', 1);
INSERT INTO feedback_category (name, seq) VALUES ('办事效率', 2);
INSERT INTO feedback_category (name, seq) VALUES ('政策落实', 3);
INSERT INTO feedback_category (name, seq) VALUES ('作风纪律', 4);
INSERT INTO feedback_category (name, seq) VALUES ('廉洁自律', 5);
INSERT INTO feedback_category (name, seq) VALUES ('民生诉求', 6);
INSERT INTO feedback_category (name, seq) VALUES ('环境卫生', 7);
INSERT INTO feedback_category (name, seq) VALUES ('其他', 99);
