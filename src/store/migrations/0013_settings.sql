-- 0013_settings: district-wide settings kept in the database, so that the command line and every
-- server instance read the same value (issue 14). One row per setting name; changes are audited.
-- public_url: the public address printed in QR codes and on print pages (https://host[:port]).
CREATE TABLE setting (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  version {{I64}} NOT NULL DEFAULT 1,
  updated_at {{I64}} NOT NULL
);
