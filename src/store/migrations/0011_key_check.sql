-- 0011_key_check: the key that goes with this database. check_value is a keyed hash (the key
-- file's hashing subkey) of a constant: it tells whether a key file is this database's without
-- revealing anything of the key. Every command and the server refuse a key whose value differs.
CREATE TABLE key_check (
  id {{I64}} PRIMARY KEY CHECK (id = 1),
  check_value TEXT NOT NULL,
  created_at {{I64}} NOT NULL
);
