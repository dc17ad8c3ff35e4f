-- 0025_meetings.sql: organisation life (组织生活, 三会一课, issue 18). A meeting of one organisation,
-- its expected attendees taken from the roster when it is planned, sign-in by the QR code shown at
-- the meeting (the member's own account, inside the window, once) or marked by the secretary, leave
-- (请假) with a reason; files and photos; quotas as data, inherited down the tree (nearest_stmt).
--
-- kind: branch_assembly 支部党员大会, committee 支委会, group 党小组会, lecture 党课 (lecturer_user_id:
-- a leader's 党课 or 辅导报告 at this organisation), theme_day 主题党日, forum 座谈会, democratic_life
-- 民主生活会, org_life 组织生活会, study 学习 (a study session), custom (kind_name: the office's own).
-- status: planned → held | cancelled. held_on decides the quarter a meeting counts in.
-- signin_opens / signin_closes (unix seconds): the window of the QR sign-in. signin_token_hash:
-- SHA-256 hex of the secret the QR carries (never the meeting id alone); a new secret replaces it.
CREATE TABLE meeting (
  id {{PK}},
  org_id {{I64}} NOT NULL REFERENCES org(id),
  org_path {{CTEXT}} NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('branch_assembly','committee','group','lecture','theme_day','forum',
                                     'democratic_life','org_life','study','custom')),
  kind_name TEXT NOT NULL DEFAULT '',
  title TEXT NOT NULL,
  held_on TEXT NOT NULL,
  signin_opens {{I64}} NOT NULL DEFAULT 0,
  signin_closes {{I64}} NOT NULL DEFAULT 0,
  place TEXT NOT NULL DEFAULT '',
  topic TEXT NOT NULL DEFAULT '',
  host_name TEXT NOT NULL DEFAULT '',
  minutes TEXT NOT NULL DEFAULT '',
  lecturer_user_id {{I64}} REFERENCES app_user(id),
  status TEXT NOT NULL CHECK (status IN ('planned','held','cancelled')),
  signin_token_hash TEXT NOT NULL DEFAULT '',
  created_by {{I64}} NOT NULL,
  created_by_name TEXT NOT NULL DEFAULT '',
  row_version {{I64}} NOT NULL DEFAULT 1,
  created_at {{I64}} NOT NULL,
  updated_at {{I64}} NOT NULL
);
CREATE INDEX meeting_org ON meeting(org_id, held_on);
CREATE INDEX meeting_path ON meeting(org_path, held_on);
CREATE INDEX meeting_lecturer ON meeting(lecturer_user_id, held_on);
CREATE UNIQUE INDEX meeting_token ON meeting(signin_token_hash) WHERE signin_token_hash <> '';

-- Who is expected and what became of them. state: expected (not yet), present, leave (请假, reason
-- required), absent. how: qr (the member scanned and signed in), marked (by the secretary), '' (not
-- yet). One row per meeting and member: two scans at once sign in once.
CREATE TABLE meeting_attendee (
  meeting_id {{I64}} NOT NULL REFERENCES meeting(id),
  member_id {{I64}} NOT NULL REFERENCES member(id),
  state TEXT NOT NULL CHECK (state IN ('expected','present','leave','absent')),
  leave_reason TEXT NOT NULL DEFAULT '',
  how TEXT NOT NULL DEFAULT '' CHECK (how IN ('','qr','marked')),
  signed_at {{I64}} NOT NULL DEFAULT 0,
  PRIMARY KEY (meeting_id, member_id)
);
CREATE INDEX meeting_attendee_member ON meeting_attendee(member_id);

-- Minutes' files and photos, typed by content (store/attachment.h).
CREATE TABLE meeting_file (
  id {{PK}},
  meeting_id {{I64}} NOT NULL REFERENCES meeting(id),
  mime TEXT NOT NULL,
  name TEXT NOT NULL,
  size {{I64}} NOT NULL,
  data {{BLOB}} NOT NULL,
  author TEXT NOT NULL,
  created_at {{I64}} NOT NULL
);
CREATE INDEX meeting_file_meeting ON meeting_file(meeting_id);

-- Quotas (how many meetings of a kind each organisation holds per month, quarter or year), set by
-- an office for its subtree: the nearest organisation up the tree with a row for the kind decides.
-- Without any row the defaults commonly required apply (domain/meeting.c).
CREATE TABLE meeting_quota (
  org_id {{I64}} NOT NULL REFERENCES org(id),
  kind TEXT NOT NULL,
  per TEXT NOT NULL CHECK (per IN ('month','quarter','year')),
  count INTEGER NOT NULL CHECK (count >= 0),
  updated_at {{I64}} NOT NULL,
  PRIMARY KEY (org_id, kind)
);
-- Quarter roll-ups (store/period.c, kind PK_MEETING): a meeting counts in the quarter of held_on
-- while it is held: meetings_held; attendance_expected (its attendee rows) and attendance_present
-- (those present, signed in by QR or marked); lectures_held (a held 党课). Recount rebuilds them.
ALTER TABLE period_rollup ADD COLUMN meetings_held {{I64}} NOT NULL DEFAULT 0;
ALTER TABLE period_rollup ADD COLUMN attendance_expected {{I64}} NOT NULL DEFAULT 0;
ALTER TABLE period_rollup ADD COLUMN attendance_present {{I64}} NOT NULL DEFAULT 0;
ALTER TABLE period_rollup ADD COLUMN lectures_held {{I64}} NOT NULL DEFAULT 0;
