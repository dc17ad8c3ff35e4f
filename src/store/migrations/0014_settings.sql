-- 0014_settings: district-wide settings kept in the database, so that the command line and every
-- server instance read the same value (issue 14). One row per setting name; changes are audited.
-- public_url: the public address printed in QR codes and on print pages (https://host[:port]).
CREATE TABLE setting (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  version {{I64}} NOT NULL DEFAULT 1,
  updated_at {{I64}} NOT NULL
);

-- Records name the person (the member's name for an account linked to a member, else the display
-- name), no longer the login name: entries already written under a login name are renamed so.
-- (The audit log keeps login names.)
UPDATE pledge_progress SET author = (SELECT coalesce(nullif(m.name, ''), u.display_name) FROM app_user u LEFT JOIN member m ON m.id = u.member_id
                                WHERE u.username = pledge_progress.author)
  WHERE author IN (SELECT username FROM app_user);
UPDATE rect_event SET actor = (SELECT coalesce(nullif(m.name, ''), u.display_name) FROM app_user u LEFT JOIN member m ON m.id = u.member_id
                                WHERE u.username = rect_event.actor)
  WHERE actor IN (SELECT username FROM app_user);
UPDATE rect_evidence SET author = (SELECT coalesce(nullif(m.name, ''), u.display_name) FROM app_user u LEFT JOIN member m ON m.id = u.member_id
                                WHERE u.username = rect_evidence.author)
  WHERE author IN (SELECT username FROM app_user);
UPDATE rectification SET created_by_name = (SELECT coalesce(nullif(m.name, ''), u.display_name) FROM app_user u LEFT JOIN member m ON m.id = u.member_id
                                WHERE u.username = rectification.created_by_name)
  WHERE created_by_name IN (SELECT username FROM app_user);
UPDATE rectification SET verified_by = (SELECT coalesce(nullif(m.name, ''), u.display_name) FROM app_user u LEFT JOIN member m ON m.id = u.member_id
                                WHERE u.username = rectification.verified_by)
  WHERE verified_by IN (SELECT username FROM app_user);
