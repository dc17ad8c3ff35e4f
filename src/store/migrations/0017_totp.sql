-- 0017_totp.sql: an optional second factor for staff (issue 16): time-based one-time codes
-- (RFC 6238) from an authenticator app.

-- totp_enc: the secret as Base32, sealed; set (with totp_on 0) while the user enrols, until a code
-- proves the app has it. totp_on: the second factor is asked at every sign-in. totp_step: the
-- last 30-second time step whose code was accepted: a code is good once, and never an older one.
ALTER TABLE app_user ADD COLUMN totp_enc {{BLOB}};
ALTER TABLE app_user ADD COLUMN totp_on INTEGER NOT NULL DEFAULT 0;
ALTER TABLE app_user ADD COLUMN totp_step {{I64}} NOT NULL DEFAULT 0;

-- An office requires the second factor of every staff account in its subtree (any organisation
-- above a staff grant requiring it is enough). No row: not required.
CREATE TABLE totp_policy (
  org_id {{I64}} PRIMARY KEY REFERENCES org(id),
  required INTEGER NOT NULL DEFAULT 0,
  updated_at {{I64}} NOT NULL
);

-- A password checked, the code not yet: the SHA-256 of the short-lived token that lets the
-- holder try the code (no session until both pass). Used once; expired rows are cleared.
CREATE TABLE login_pending (
  token_hash {{BLOB}} PRIMARY KEY,
  user_id {{I64}} NOT NULL REFERENCES app_user(id),
  expires_at {{I64}} NOT NULL
);
