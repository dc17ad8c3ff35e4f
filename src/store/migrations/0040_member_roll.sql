-- 0040_member_roll.sql: one person, one roll, across provinces (issue 20).
-- On PostgreSQL member is partitioned by province (0039), and a unique index of a partitioned
-- table must hold its partition key: member's index on 身份证号 became (idcard_hash, part), so
-- the same person could have been put on the roll of two provinces. member_roll, a plain table
-- keyed by the keyed hash alone, is the roll across partitions: triggers on member add and
-- remove its rows in the same statement (an import's COPY, a form, an edit of the number, a key
-- rotation), so no code path that writes member can skip it.
-- Its key is named member_idcard, the name the store reads a duplicate by (db_is_unique), so a
-- duplicate in another province is refused exactly as one in the same province; member's own
-- index on the hash (per province, so no check across them) is kept for look-ups only. SQLite
-- keeps its one unique index on idcard_hash.
{{IF_PG}}
DROP INDEX member_idcard;
CREATE INDEX member_idcard_hash ON member(idcard_hash);
CREATE TABLE member_roll (
  idcard_hash BYTEA NOT NULL,
  member_id BIGINT NOT NULL,
  CONSTRAINT member_idcard PRIMARY KEY (idcard_hash)
);
INSERT INTO member_roll (idcard_hash, member_id) SELECT idcard_hash, id FROM member;
-- Statement-level triggers with transition tables: one INSERT into member_roll per statement,
-- however many rows it wrote (a COPY of 100,000 members: one), where a row trigger cost a call
-- per row. A move to another province is an UPDATE of member, its rows in the transition tables
-- with the same hash: nothing to do.
CREATE FUNCTION cx_member_roll_ins() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
  INSERT INTO member_roll (idcard_hash, member_id) SELECT idcard_hash, id FROM new_rows;
  RETURN NULL;
END $f$;
CREATE FUNCTION cx_member_roll_del() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
  DELETE FROM member_roll r USING old_rows o WHERE r.idcard_hash = o.idcard_hash AND r.member_id = o.id;
  RETURN NULL;
END $f$;
CREATE FUNCTION cx_member_roll_upd() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
  DELETE FROM member_roll r USING old_rows o JOIN new_rows n ON n.id = o.id
    WHERE o.idcard_hash IS DISTINCT FROM n.idcard_hash AND r.idcard_hash = o.idcard_hash AND r.member_id = o.id;
  INSERT INTO member_roll (idcard_hash, member_id)
    SELECT n.idcard_hash, n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE o.idcard_hash IS DISTINCT FROM n.idcard_hash;
  RETURN NULL;
END $f$;
CREATE TRIGGER member_roll_ins AFTER INSERT ON member REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION cx_member_roll_ins();
CREATE TRIGGER member_roll_del AFTER DELETE ON member REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION cx_member_roll_del();
CREATE TRIGGER member_roll_upd AFTER UPDATE ON member REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION cx_member_roll_upd();
{{END}}
