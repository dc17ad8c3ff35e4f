-- 0041_audit_partitions.sql: the audit log partitioned by province like the five tables of 0039
-- (issue 20). Since 0038 each province's records are a chain of their own with the key (part, seq),
-- which holds the partition key; here audit_log becomes PARTITION BY LIST (part) with a DEFAULT
-- partition, and a province that has its partitions already (`cxzy partition add` before this
-- migration) gets its audit partition too, made before the rows go in so that its records land
-- there. A record's part, and so its MAC, is not touched: rows are copied as they are.
-- SQLite keeps its one file.
{{IF_PG}}
ALTER TABLE audit_log RENAME TO audit_log_flat;
ALTER INDEX audit_log_pkey RENAME TO audit_log_flat_pkey;
ALTER INDEX audit_entity RENAME TO audit_entity_flat;
ALTER INDEX audit_org_ts RENAME TO audit_org_ts_flat;
CREATE TABLE audit_log (LIKE audit_log_flat INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY LIST (part);
CREATE TABLE audit_log_default PARTITION OF audit_log DEFAULT;
DO $d$
DECLARE r record;
BEGIN
  FOR r IN SELECT org_id FROM part_province ORDER BY org_id LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF audit_log FOR VALUES IN (%s)', 'audit_log_p' || r.org_id, r.org_id);
  END LOOP;
END $d$;
INSERT INTO audit_log SELECT * FROM audit_log_flat;
DROP TABLE audit_log_flat;
ALTER TABLE audit_log ADD PRIMARY KEY (part, seq);
CREATE INDEX audit_entity ON audit_log(entity, entity_id);
CREATE INDEX audit_org_ts ON audit_log(org_id, ts);
SELECT cx_name_partition_indexes('audit_log_default'::regclass, 'default');
SELECT cx_name_partition_indexes(('audit_log_p' || org_id)::regclass, 'p' || org_id) FROM part_province;
{{END}}
