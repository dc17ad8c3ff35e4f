-- 0042_member_roll.sql: one person, one roll, across provinces (issue 20).
-- On PostgreSQL member is partitioned by province (0039), and a unique index of a partitioned
-- table must hold its partition key: member's index on 身份证号 became (idcard_hash, part), so
-- the same person could have been put on the roll of two provinces. member_roll, a plain table
-- keyed by the keyed hash alone, is the roll across partitions: a trigger on member adds and
-- removes its rows in the same statement (an import's COPY, a form, a move between provinces,
-- which PostgreSQL runs as a delete and an insert, a key rotation), so no code path can skip it.
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
CREATE FUNCTION cx_member_roll() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM member_roll WHERE idcard_hash = OLD.idcard_hash AND member_id = OLD.id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO member_roll (idcard_hash, member_id) VALUES (NEW.idcard_hash, NEW.id);
  END IF;
  RETURN NULL;
END $f$;
CREATE TRIGGER member_roll AFTER INSERT OR DELETE ON member FOR EACH ROW EXECUTE FUNCTION cx_member_roll();
CREATE TRIGGER member_roll_update AFTER UPDATE OF idcard_hash ON member FOR EACH ROW
  WHEN (OLD.idcard_hash IS DISTINCT FROM NEW.idcard_hash) EXECUTE FUNCTION cx_member_roll();
{{END}}
