-- 0005_rectification.sql: rectification items (整改) from any source, their evidence files, the
-- history shown on the item's page, and escalations of overdue items to the parent organisation.
-- Sources in other helpers' tables are referred to by kind and id only (no foreign keys).

CREATE TABLE rectification (
  id {{PK}},
  part {{I64}} NOT NULL DEFAULT 0,
  org_id {{I64}} NOT NULL REFERENCES org(id),     -- the responsible organisation
  member_id {{I64}} REFERENCES member(id),        -- the member concerned, when there is one
  source TEXT NOT NULL CHECK (source IN ('self_review','commentary','public_rating','feedback','inspection','grade','manual')),
  source_kind TEXT NOT NULL DEFAULT '',           -- kind of the source record ('grade', 'feedback' …), '' when none
  source_id {{I64}},                              -- its id, NULL when none
  problem TEXT NOT NULL,                          -- 存在问题
  measure TEXT NOT NULL,                          -- 整改措施
  owner TEXT NOT NULL,                            -- 责任人 (a person's name)
  due_date TEXT NOT NULL,                         -- 完成时限, YYYY-MM-DD
  status TEXT NOT NULL CHECK (status IN ('open','submitted','verified','cancelled')),
  completion_note TEXT NOT NULL DEFAULT '',       -- 整改完成情况, written at submission
  no_evidence_reason TEXT NOT NULL DEFAULT '',    -- why there is no evidence file, when there is none
  verify_note TEXT NOT NULL DEFAULT '',           -- 销号意见
  reopen_reason TEXT NOT NULL DEFAULT '',         -- the latest reason for sending it back
  cancel_reason TEXT NOT NULL DEFAULT '',
  created_by {{I64}} NOT NULL DEFAULT 0,          -- user id of the creator; 0 for the system
  created_by_name TEXT NOT NULL DEFAULT '',
  submitted_on TEXT NOT NULL DEFAULT '',
  verified_on TEXT NOT NULL DEFAULT '',
  verified_by TEXT NOT NULL DEFAULT '',
  escalated_to {{I64}} REFERENCES org(id),        -- the latest escalation (see rect_escalation)
  escalated_on TEXT NOT NULL DEFAULT '',
  version {{I64}} NOT NULL DEFAULT 1,
  created_at {{I64}} NOT NULL,
  updated_at {{I64}} NOT NULL
);
CREATE INDEX rect_org ON rectification(org_id, status, due_date);
CREATE INDEX rect_due ON rectification(status, due_date);
CREATE INDEX rect_source ON rectification(source_kind, source_id);

CREATE TABLE rect_evidence (
  id {{PK}},
  part {{I64}} NOT NULL DEFAULT 0,
  rect_id {{I64}} NOT NULL REFERENCES rectification(id),
  mime TEXT NOT NULL,                             -- decided by content: image/jpeg, image/png, application/pdf
  name TEXT NOT NULL,
  size {{I64}} NOT NULL,
  data {{BLOB}} NOT NULL,
  author TEXT NOT NULL,
  created_at {{I64}} NOT NULL
);
CREATE INDEX rect_evidence_rect ON rect_evidence(rect_id);

-- What happened to an item, in order (the audit log holds the same with before/after snapshots).
CREATE TABLE rect_event (
  id {{PK}},
  part {{I64}} NOT NULL DEFAULT 0,
  rect_id {{I64}} NOT NULL REFERENCES rectification(id),
  action TEXT NOT NULL,                           -- create evidence submit verify reopen cancel escalate
  status TEXT NOT NULL,                           -- the status after it
  note TEXT NOT NULL DEFAULT '',
  due_date TEXT NOT NULL DEFAULT '',              -- the due date after it
  on_date TEXT NOT NULL,                          -- the day it counts for (escalations: the day of the pass)
  actor TEXT NOT NULL,
  created_at {{I64}} NOT NULL
);
CREATE INDEX rect_event_rect ON rect_event(rect_id, id);

-- Overdue items escalate to the parent of the responsible organisation once per overdue period:
-- a period is one due date (reopening with a new due date starts another).
CREATE TABLE rect_escalation (
  id {{PK}},
  part {{I64}} NOT NULL DEFAULT 0,
  rect_id {{I64}} NOT NULL REFERENCES rectification(id),
  due_date TEXT NOT NULL,
  from_org_id {{I64}} NOT NULL REFERENCES org(id),
  to_org_id {{I64}} NOT NULL REFERENCES org(id),
  escalated_on TEXT NOT NULL,
  created_at {{I64}} NOT NULL
);
CREATE UNIQUE INDEX rect_escalation_once ON rect_escalation(rect_id, due_date);
CREATE INDEX rect_escalation_to ON rect_escalation(to_org_id, rect_id);
