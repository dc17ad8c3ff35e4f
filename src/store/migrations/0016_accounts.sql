-- 0016_accounts.sql: every member covered (issue 16). Accounts made in bulk and activated with a
-- one-time code, the account policy an office sets for its subtree, a record of every message
-- sent, and proxy entry (代录) by a secretary for members without a phone or computer.

-- An account not yet activated has pw_hash '' (no password verifies against it) and a one-time
-- activation code, sealed so that the slips can be printed again until it is used, expiring at
-- activation_expires. locked: locked by those above (锁定); active follows the member record.
ALTER TABLE app_user ADD COLUMN activation_enc {{BLOB}};
ALTER TABLE app_user ADD COLUMN activation_expires {{I64}} NOT NULL DEFAULT 0;
ALTER TABLE app_user ADD COLUMN locked INTEGER NOT NULL DEFAULT 0;
-- One account per member: a second account linked to a member made before this migration (only
-- `cxzy user add --member` could) is unlinked, the oldest keeps the link.
UPDATE app_user SET member_id = NULL WHERE member_id IS NOT NULL
  AND id <> (SELECT min(u2.id) FROM app_user u2 WHERE u2.member_id = app_user.member_id);
CREATE UNIQUE INDEX app_user_member ON app_user(member_id) WHERE member_id IS NOT NULL;
CREATE INDEX user_role_org ON user_role(org_id, role);

-- How accounts are made for the members of an organisation's subtree; the nearest organisation
-- up the tree with a policy decides. username_rule: 'number' = prefix and the member's number
-- (dy000123); 'phone' = the member's mobile number (the number rule when there is none or it is
-- taken). auto_create: members added or imported later get an account at once.
CREATE TABLE account_policy (
  org_id {{I64}} PRIMARY KEY REFERENCES org(id),
  username_rule TEXT NOT NULL DEFAULT 'number' CHECK (username_rule IN ('number','phone')),
  prefix TEXT NOT NULL DEFAULT 'dy',
  auto_create INTEGER NOT NULL DEFAULT 0,
  code_days INTEGER NOT NULL DEFAULT 14,
  updated_at {{I64}} NOT NULL
);

-- Every message sent to a person (activation codes, reminders): never the full phone number.
CREATE TABLE message_log (
  id {{PK}},
  user_id {{I64}} REFERENCES app_user(id),
  channel TEXT NOT NULL CHECK (channel IN ('sms')),
  kind TEXT NOT NULL,                 -- activation, reminder, digest
  phone_mask TEXT NOT NULL,
  result TEXT NOT NULL,               -- sent, failed
  created_at {{I64}} NOT NULL
);
CREATE INDEX message_log_user ON message_log(user_id, created_at);

-- 代录: a record a secretary entered for a member (entered_by, the secretary's account), which the
-- member can confirm later (confirmed_at, 0 until then). Paper peer reviews (民主测评表) keyed in
-- by the secretary are anonymous: reviewer_member_id NULL, numbered by sheet (sheet_no > 0), so
-- a sheet keyed in twice replaces itself rather than counting twice.
ALTER TABLE pledge ADD COLUMN entered_by {{I64}} REFERENCES app_user(id);
ALTER TABLE pledge ADD COLUMN confirmed_at {{I64}} NOT NULL DEFAULT 0;
ALTER TABLE pledge_progress ADD COLUMN entered_by {{I64}} REFERENCES app_user(id);
ALTER TABLE review ADD COLUMN entered_by {{I64}} REFERENCES app_user(id);
ALTER TABLE review ADD COLUMN confirmed_at {{I64}} NOT NULL DEFAULT 0;
ALTER TABLE review ADD COLUMN sheet_no INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX review_sheet_u ON review(round_id, target_member_id, sheet_no) WHERE sheet_no > 0;
