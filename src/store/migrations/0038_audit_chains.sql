-- 0038_audit_chains.sql: issue 20: one audit chain per partition. A record belongs to the chain of
-- the part of the organisation it is about (a system-wide record: the first root's part), so
-- appends in different provinces lock different audit_head rows instead of one. seq counts within
-- a chain; the primary key is (part, seq), which also holds the partition key PostgreSQL's
-- PARTITION BY LIST (part) needs.
-- The records written before this migration stay one chain, part 0, exactly as they were: their
-- MACs do not cover a part, so moving them into provincial chains would mean re-signing the very
-- evidence the chain is for. Part 0 is closed in practice (every organisation's part is an
-- organisation id); `cxzy audit verify` checks it like any other chain. A record's part is fixed
-- when it is written and is never rewritten (not when an organisation moves, not by a migration):
-- the MAC of every record of a non-zero part covers it (store/audit.c).
CREATE TABLE audit_log_new (
  part {{I64}} NOT NULL DEFAULT 0,
  seq {{I64}} NOT NULL,
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
  hash TEXT NOT NULL,
  PRIMARY KEY (part, seq)
);
INSERT INTO audit_log_new (part, seq, ts, actor_id, actor, action, entity, entity_id, org_id, before_json, after_json, result,
                           prev_hash, hash)
  SELECT 0, seq, ts, actor_id, actor, action, entity, entity_id, org_id, before_json, after_json, result, prev_hash, hash
  FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_new RENAME TO audit_log;
{{IF_PG}}ALTER INDEX audit_log_new_pkey RENAME TO audit_log_pkey;{{END}}
CREATE INDEX audit_entity ON audit_log(entity, entity_id);
-- the subtree's list, newest first across chains: by time, then part and seq (audit.c)
CREATE INDEX audit_org_ts ON audit_log(org_id, ts);

CREATE TABLE audit_head_new (
  part {{I64}} PRIMARY KEY,
  seq {{I64}} NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO audit_head_new (part, seq, hash) SELECT 0, seq, hash FROM audit_head WHERE id = 1;
DROP TABLE audit_head;
ALTER TABLE audit_head_new RENAME TO audit_head;
{{IF_PG}}ALTER INDEX audit_head_new_pkey RENAME TO audit_head_pkey;{{END}}
