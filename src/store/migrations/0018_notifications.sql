-- 0018_notifications.sql: reminders (issue 16). In-app notifications of to-do items as they
-- appear and one daily digest per user, the user's SMS opt-out and the SMS switch of a subtree.

-- One notification for one user. kind: pledge_submitted, pledge_returned, feedback_assigned,
-- rect_submitted, grade_approval, charge, digest. link: the page where it is acted on. day: for a
-- digest, the day it sums ('YYYY-MM-DD'; '' for others), so a digest is made once per user and
-- day however often the job runs. read_at: 0 until read.
CREATE TABLE notification (
  id {{PK}},
  user_id {{I64}} NOT NULL REFERENCES app_user(id),
  kind TEXT NOT NULL,
  text TEXT NOT NULL,
  link TEXT NOT NULL DEFAULT '',
  day TEXT NOT NULL DEFAULT '',
  created_at {{I64}} NOT NULL,
  read_at {{I64}} NOT NULL DEFAULT 0
);
CREATE INDEX notification_user ON notification(user_id, id);
CREATE INDEX notification_unread ON notification(user_id) WHERE read_at = 0;
CREATE UNIQUE INDEX notification_digest ON notification(user_id, day) WHERE kind = 'digest';

-- The user's own choice: no digest by SMS (本人不接收提醒短信).
ALTER TABLE app_user ADD COLUMN sms_opt_out INTEGER NOT NULL DEFAULT 0;

-- Digest SMS for the members of an organisation's subtree: off unless an office turns it on; the
-- nearest organisation up the tree with a row decides.
CREATE TABLE remind_policy (
  org_id {{I64}} PRIMARY KEY REFERENCES org(id),
  sms INTEGER NOT NULL DEFAULT 0,
  updated_at {{I64}} NOT NULL
);
