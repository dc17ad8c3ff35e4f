-- 0001_foundation.sql: organisations, members, accounts, sessions, audit log.
-- One logical schema for SQLite and PostgreSQL; {{PK}} {{I64}} {{BLOB}} {{CTEXT}} are replaced per
-- backend (db_dialect). Times are Unix seconds; dates are 'YYYY-MM-DD' text.
-- Partitioning: `part` is the id of the top organisation of a province-sized subtree (the first
-- id of org.path); every table that grows with members carries it, so the nation can be
-- partitioned by province.

CREATE TABLE org (
  id {{PK}},
  part {{I64}} NOT NULL DEFAULT 0,
  parent_id {{I64}} REFERENCES org(id),
  path {{CTEXT}} NOT NULL,            -- materialized path of ids: '/1/7/42/'; subtree = range scan
  depth INTEGER NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('committee','general_branch','branch')),
  sector TEXT NOT NULL CHECK (sector IN ('rural','community','government','soe','school','hospital','private','social')),
  active INTEGER NOT NULL DEFAULT 1,
  version {{I64}} NOT NULL DEFAULT 1,  -- change counter: ETag of public pages
  created_at {{I64}} NOT NULL,
  updated_at {{I64}} NOT NULL
);
CREATE UNIQUE INDEX org_path ON org(path);
CREATE INDEX org_parent ON org(parent_id, name);
CREATE INDEX org_name ON org(name);
-- Active siblings have distinct names (the store checks first; this settles races).
CREATE UNIQUE INDEX org_sibling_name ON org(parent_id, name) WHERE active = 1;

CREATE TABLE member (
  id {{PK}},
  part {{I64}} NOT NULL DEFAULT 0,
  org_id {{I64}} NOT NULL REFERENCES org(id),
  name TEXT NOT NULL,
  sex TEXT NOT NULL CHECK (sex IN ('男','女')),
  ethnicity TEXT NOT NULL DEFAULT '',
  birth_year INTEGER NOT NULL,         -- the year only: the full date is inside the encrypted 身份证号
                                       -- (a clear date beside the mask would give the full number)
  idcard_enc {{BLOB}} NOT NULL,        -- libsodium secretbox (nonce || ciphertext)
  idcard_hash {{BLOB}} NOT NULL,       -- keyed hash: duplicate detection without decrypting
  idcard_mask TEXT NOT NULL,           -- 110101********1234
  phone_enc {{BLOB}},
  phone_hash {{BLOB}},
  phone_mask TEXT NOT NULL DEFAULT '',
  joined_date TEXT NOT NULL DEFAULT '',
  full_date TEXT NOT NULL DEFAULT '',
  education TEXT NOT NULL DEFAULT '',
  post TEXT NOT NULL DEFAULT '',
  duties TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL CHECK (status IN ('full','probationary')),
  has_photo INTEGER NOT NULL DEFAULT 0,
  active INTEGER NOT NULL DEFAULT 1,
  version {{I64}} NOT NULL DEFAULT 1,
  created_at {{I64}} NOT NULL,
  updated_at {{I64}} NOT NULL
);
CREATE UNIQUE INDEX member_idcard ON member(idcard_hash);
CREATE INDEX member_org ON member(org_id, name);

CREATE TABLE member_photo (
  member_id {{I64}} PRIMARY KEY REFERENCES member(id),
  part {{I64}} NOT NULL DEFAULT 0,
  mime TEXT NOT NULL,
  data {{BLOB}} NOT NULL,
  updated_at {{I64}} NOT NULL
);

CREATE TABLE app_user (
  id {{PK}},
  username TEXT NOT NULL,
  display_name TEXT NOT NULL,
  pw_hash TEXT NOT NULL,               -- argon2id (libsodium crypto_pwhash_str)
  member_id {{I64}} REFERENCES member(id),
  active INTEGER NOT NULL DEFAULT 1,
  failed_count INTEGER NOT NULL DEFAULT 0,
  locked_until {{I64}} NOT NULL DEFAULT 0,
  created_at {{I64}} NOT NULL
);
CREATE UNIQUE INDEX app_user_name ON app_user(username);

CREATE TABLE user_role (
  id {{PK}},
  user_id {{I64}} NOT NULL REFERENCES app_user(id),
  role TEXT NOT NULL CHECK (role IN ('office','secretary','leader','member','discipline')),
  org_id {{I64}} NOT NULL REFERENCES org(id)
);
CREATE UNIQUE INDEX user_role_u ON user_role(user_id, role, org_id);

CREATE TABLE web_session (
  token_hash {{BLOB}} PRIMARY KEY,     -- SHA-256 of the cookie token; the token itself is never stored
  user_id {{I64}} NOT NULL REFERENCES app_user(id),
  csrf TEXT NOT NULL,
  created_at {{I64}} NOT NULL,
  last_seen {{I64}} NOT NULL
);

-- Audit log: append-only, hash-chained with a keyed MAC (see audit.c). Never updated or deleted.
CREATE TABLE audit_log (
  seq {{I64}} PRIMARY KEY,
  ts {{I64}} NOT NULL,
  actor_id {{I64}} NOT NULL DEFAULT 0,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  entity TEXT NOT NULL,
  entity_id {{I64}} NOT NULL DEFAULT 0,
  org_id {{I64}} NOT NULL DEFAULT 0,
  before_json TEXT NOT NULL DEFAULT '',
  after_json TEXT NOT NULL DEFAULT '',
  result TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_entity ON audit_log(entity, entity_id);

CREATE TABLE audit_head (
  id INTEGER PRIMARY KEY,
  seq {{I64}} NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');
