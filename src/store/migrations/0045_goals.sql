-- 0045_goals.sql: responsibility (落实责任制), issue 22: each organisation's annual goals (年初工作目标)
-- for a campaign, accepted by the level above, and the progress made against them; the positions of
-- each organisation's leading group (领导班子) and members away from their branch (流动党员), at the end.
--
-- A goal moves draft → submitted → accepted (验收, by an office strictly above the goal's
-- organisation: office_id) or → returned (退回, with the office's note) → (edited) submitted again.
-- Editing an accepted goal makes a new version (version + 1) that is submitted again; every
-- accepted version stays in org_goal_version, so what was accepted, when and by whom is never lost.
-- progress: the percent of the newest progress entry (0 before any).
CREATE TABLE org_goal (
  id {{PK}},
  org_id {{I64}} NOT NULL REFERENCES org(id),
  campaign_id {{I64}} NOT NULL REFERENCES campaign(id),
  year {{I64}} NOT NULL,
  title TEXT NOT NULL,
  measure TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','submitted','accepted','returned')),
  version {{I64}} NOT NULL DEFAULT 1,
  accepted_version {{I64}} NOT NULL DEFAULT 0,
  office_id {{I64}} NOT NULL DEFAULT 0,
  note TEXT NOT NULL DEFAULT '',
  progress {{I64}} NOT NULL DEFAULT 0,
  created_by {{I64}} NOT NULL,
  created_at {{I64}} NOT NULL,
  submitted_at {{I64}} NOT NULL DEFAULT 0,
  submitted_by {{I64}} NOT NULL DEFAULT 0
);
CREATE INDEX org_goal_org ON org_goal(org_id, year, status);
CREATE INDEX org_goal_campaign ON org_goal(campaign_id, year);

-- Each accepted version of a goal as it was accepted: accepted_on (YYYY-MM-DD, local) is the day
-- it counts from in bulletins.
CREATE TABLE org_goal_version (
  goal_id {{I64}} NOT NULL REFERENCES org_goal(id),
  version {{I64}} NOT NULL,
  title TEXT NOT NULL,
  measure TEXT NOT NULL,
  office_id {{I64}} NOT NULL,
  accepted_by {{I64}} NOT NULL,
  accepted_on TEXT NOT NULL,
  accepted_at {{I64}} NOT NULL,
  PRIMARY KEY (goal_id, version)
);

-- Progress against an accepted goal: append-only, so a bulletin's figure "as of a day" is
-- recounted to the same number later (day: YYYY-MM-DD, the day it was recorded).
CREATE TABLE org_goal_progress (
  id {{PK}},
  goal_id {{I64}} NOT NULL REFERENCES org_goal(id),
  day TEXT NOT NULL,
  percent {{I64}} NOT NULL CHECK (percent BETWEEN 0 AND 100),
  text TEXT NOT NULL,
  author TEXT NOT NULL,
  created_by {{I64}} NOT NULL,
  created_at {{I64}} NOT NULL
);
CREATE INDEX org_goal_progress_goal ON org_goal_progress(goal_id, day);

-- The leading group (领导班子) of an organisation: who holds which position (书记 secretary, 副书记
-- deputy, 委员 committee member) with their duties (分工), from since to until (YYYY-MM-DD; ''
-- while held). Ending a position keeps its row: the history of the group is never lost. A member
-- holds a position of an organisation only when on the roll of its subtree. version: bumped by
-- every change (the public board's ETag).
CREATE TABLE org_position (
  id {{PK}},
  org_id {{I64}} NOT NULL REFERENCES org(id),
  member_id {{I64}} NOT NULL, -- no REFERENCES: member is partitioned on PostgreSQL (0039); position_add checks it
  title TEXT NOT NULL CHECK (title IN ('secretary','deputy','committee')),
  duties TEXT NOT NULL DEFAULT '',
  since TEXT NOT NULL,
  until TEXT NOT NULL DEFAULT '',
  version {{I64}} NOT NULL DEFAULT 1,
  created_by {{I64}} NOT NULL,
  created_at {{I64}} NOT NULL
);
CREATE INDEX org_position_org ON org_position(org_id, until);
CREATE INDEX org_position_member ON org_position(member_id, until);

-- Members away from their branch (流动党员): where they are (place), the organisation they keep in
-- touch with there (contact_org_id, 联系党组织), since, the expected return (until, '' unknown) and the
-- day they came back (returned_on, '' while away). A member away is still reviewed (remotely): this
-- status never excludes anyone from a round; the per-round exclusion "away" stays the branch's
-- decision (review_exclusion). org_id: the member's branch when recorded (who manages the record).
CREATE TABLE member_mobile (
  id {{PK}},
  member_id {{I64}} NOT NULL, -- no REFERENCES: member is partitioned on PostgreSQL (0039)
  org_id {{I64}} NOT NULL REFERENCES org(id),
  place TEXT NOT NULL,
  contact_org_id {{I64}} NOT NULL REFERENCES org(id),
  since TEXT NOT NULL,
  until TEXT NOT NULL DEFAULT '',
  returned_on TEXT NOT NULL DEFAULT '',
  note TEXT NOT NULL DEFAULT '',
  created_by {{I64}} NOT NULL,
  created_at {{I64}} NOT NULL
);
CREATE INDEX member_mobile_member ON member_mobile(member_id, returned_on);
CREATE INDEX member_mobile_contact ON member_mobile(contact_org_id, returned_on);
