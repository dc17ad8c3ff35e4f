-- 0013_key_wrap: key rotation (cxzy key rotate, docs/architecture.md "Keys"). hash_key_wrapped is
-- the stable hash key (lookups of values the database does not keep: tracking codes, device
-- tokens, rater keys, address buckets) sealed under the master key's wrap subkey; NULL until the
-- first rotation, when that key is the master key's field-hash subkey. rotated_at: the last
-- rotation (0: never).
ALTER TABLE key_check ADD COLUMN hash_key_wrapped {{BLOB}};
ALTER TABLE key_check ADD COLUMN rotated_at {{I64}} NOT NULL DEFAULT 0;
