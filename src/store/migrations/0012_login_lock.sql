-- 0012_login_lock.sql: login lock-out by (username, source address) (issue 13).
--
-- One row per username and client address that failed recently, whether or not an account has
-- that name (so a 423 tells nothing about which accounts exist), and one row per username with
-- addr '*' counting checked failures from every address: the ceiling that locks the name for
-- everyone when many addresses fail. app_user.failed_count and locked_until are no longer used.
CREATE TABLE login_lock (
  username TEXT NOT NULL,
  addr TEXT NOT NULL,
  failures INTEGER NOT NULL DEFAULT 0,
  since {{I64}} NOT NULL,          -- start of the counting window
  locked_until {{I64}} NOT NULL DEFAULT 0,
  PRIMARY KEY (username, addr)
);
CREATE INDEX login_lock_since ON login_lock(since);
