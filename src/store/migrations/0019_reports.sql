-- 0019_reports.sql: scheduled reports (定期汇报述职, issue 17). An office sets a schedule for its
-- subtree; a row per covered organisation is made with the schedule, so "missing" is a state of a
-- row, never an absence. Deadlines are computed once, when the schedule is made (a later edit of
-- the workday calendar does not move them).

-- kind: quarterly 季度检查, half_year 半年小结, year_end 年终总结, duty 述职, self_comment 自我讲评,
-- custom (its own title). for_types / for_sectors: comma-separated org.type / org.sector values
-- ('' = all). Either due_date is given, or due_workdays working days after period_end (over the
-- workday calendar) decide it; due_date always holds the result. outline: JSON array of section
-- titles ('[]' = one free section).
CREATE TABLE report_schedule (
  id {{PK}},
  org_id {{I64}} NOT NULL REFERENCES org(id),       -- the issuing office's organisation
  kind TEXT NOT NULL CHECK (kind IN ('quarterly','half_year','year_end','duty','self_comment','custom')),
  title TEXT NOT NULL,
  for_types TEXT NOT NULL DEFAULT '',
  for_sectors TEXT NOT NULL DEFAULT '',
  period_start TEXT NOT NULL,                       -- YYYY-MM-DD
  period_end TEXT NOT NULL,
  due_workdays INTEGER NOT NULL DEFAULT 0,          -- 0: due_date was given as a date
  due_date TEXT NOT NULL,
  outline TEXT NOT NULL DEFAULT '[]',
  reports INTEGER NOT NULL DEFAULT 0,               -- organisations covered (rows made)
  created_by {{I64}} NOT NULL,
  created_by_name TEXT NOT NULL DEFAULT '',
  created_at {{I64}} NOT NULL
);
CREATE INDEX report_schedule_org ON report_schedule(org_id, period_end);

-- One organisation's report under a schedule. org_path: the organisation's path when the row was
-- made (lists up the tree are one range scan). status: due (not yet submitted; "late" or "missing"
-- are read against due_date and today), submitted, returned (to be resubmitted), accepted.
-- first_submitted_on decides on time or late (late_workdays: working days after due_date then).
CREATE TABLE report (
  id {{PK}},
  schedule_id {{I64}} NOT NULL REFERENCES report_schedule(id),
  org_id {{I64}} NOT NULL REFERENCES org(id),
  org_path {{CTEXT}} NOT NULL,
  due_date TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('due','submitted','returned','accepted')),
  version INTEGER NOT NULL DEFAULT 0,               -- submissions so far (report_version rows)
  draft TEXT NOT NULL DEFAULT '[]',                 -- JSON array of section texts being written
  first_submitted_on TEXT NOT NULL DEFAULT '',
  late_workdays INTEGER NOT NULL DEFAULT 0,
  submitted_at {{I64}} NOT NULL DEFAULT 0,          -- latest submission
  judged_at {{I64}} NOT NULL DEFAULT 0,             -- latest return or acceptance
  judged_by_name TEXT NOT NULL DEFAULT '',
  return_comment TEXT NOT NULL DEFAULT '',          -- the latest return's comment
  row_version {{I64}} NOT NULL DEFAULT 1,           -- optimistic check of concurrent edits
  updated_at {{I64}} NOT NULL
);
CREATE UNIQUE INDEX report_u ON report(schedule_id, org_id);
CREATE INDEX report_path ON report(org_path, due_date);
CREATE INDEX report_org ON report(org_id, status);

-- Every submission kept as it was sent (resubmission keeps history).
CREATE TABLE report_version (
  report_id {{I64}} NOT NULL REFERENCES report(id),
  version INTEGER NOT NULL,
  sections TEXT NOT NULL,                           -- JSON array of {title, text}
  submitted_by {{I64}} NOT NULL,
  submitted_by_name TEXT NOT NULL,
  submitted_at {{I64}} NOT NULL,
  PRIMARY KEY (report_id, version)
);

-- What happened, in order: submit, return (comment), accept.
CREATE TABLE report_event (
  id {{PK}},
  report_id {{I64}} NOT NULL REFERENCES report(id),
  action TEXT NOT NULL CHECK (action IN ('submit','return','accept')),
  comment TEXT NOT NULL DEFAULT '',
  by_user {{I64}} NOT NULL,
  by_name TEXT NOT NULL,
  at {{I64}} NOT NULL
);
CREATE INDEX report_event_report ON report_event(report_id, id);

-- Files of a report, typed by content (store/attachment.h), as rect_evidence.
CREATE TABLE report_file (
  id {{PK}},
  report_id {{I64}} NOT NULL REFERENCES report(id),
  mime TEXT NOT NULL,
  name TEXT NOT NULL,
  size {{I64}} NOT NULL,
  data {{BLOB}} NOT NULL,
  author TEXT NOT NULL,
  created_at {{I64}} NOT NULL
);
CREATE INDEX report_file_report ON report_file(report_id);
