-- 0039_part_province.sql: partitions by province (issue 20).
-- `part` is the province: the id of the organisation directly under a national root, the root's
-- id otherwise (store/part.c). Ballots and reviews carry it now too (their organisation's: a
-- ballot's org_id, a review's target_org_id). No database before this one has a national root,
-- so every organisation's part is its root's; rows hung on an organisation or on another row take
-- that one's part, whatever they were given before: part_fill (store/migrate.c runs it in this
-- migration's transaction) runs the statements a move and `cxzy partition national` run, so the
-- three cannot drift apart.
ALTER TABLE ballot ADD COLUMN part {{I64}} NOT NULL DEFAULT 0;
ALTER TABLE review ADD COLUMN part {{I64}} NOT NULL DEFAULT 0;

-- The provinces that have their own partitions (`cxzy partition add`); empty on SQLite.
CREATE TABLE part_province (
  org_id {{I64}} PRIMARY KEY REFERENCES org(id),
  created_at {{I64}} NOT NULL
);

{{IF_PG}}
-- PostgreSQL: member, pledge, feedback, ballot and review become PARTITION BY LIST (part) with a
-- DEFAULT partition (<table>_default); `cxzy partition add ORG` adds <table>_p<ORG> for a
-- province. Each table is converted the same way, in this one transaction: the flat table is
-- renamed, the partitioned one created like it, the rows copied, the flat one dropped. Its
-- primary key becomes (id, part), its unique indexes take part, ids come from a sequence of its
-- own continuing the old identity. Foreign keys from the table to others are made again; those
-- that referenced it (a member, a pledge, a feedback item by id alone) cannot reference a
-- partitioned table without its part and are dropped by the CASCADE: the store layer checks
-- them (docs/architecture.md "Partitions" lists each).
CREATE FUNCTION cx_partition_by_part(t text, ids boolean) RETURNS void LANGUAGE plpgsql AS $f$
DECLARE mx bigint;
BEGIN
  EXECUTE format('ALTER TABLE %I RENAME TO %I', t, t || '_flat');
  EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY LIST (part)', t, t || '_flat');
  EXECUTE format('CREATE TABLE %I PARTITION OF %I DEFAULT', t || '_default', t);
  EXECUTE format('INSERT INTO %I SELECT * FROM %I', t, t || '_flat');
  EXECUTE format('DROP TABLE %I CASCADE', t || '_flat');
  IF ids THEN
    EXECUTE format('CREATE SEQUENCE %I OWNED BY %I.id', t || '_id_seq', t);
    EXECUTE format('SELECT coalesce(max(id), 0) FROM %I', t) INTO mx;
    IF mx > 0 THEN PERFORM setval(t || '_id_seq', mx); END IF;
    EXECUTE format('ALTER TABLE %I ALTER COLUMN id SET DEFAULT nextval(%L)', t, t || '_id_seq');
  END IF;
  EXECUTE format('ALTER TABLE %I ADD PRIMARY KEY (id, part)', t);
END $f$;

SELECT cx_partition_by_part('member', true);
CREATE UNIQUE INDEX member_idcard ON member(idcard_hash, part);
CREATE INDEX member_org ON member(org_id, name);
CREATE INDEX member_org_active ON member(org_id) WHERE active = 1;
ALTER TABLE member ADD CONSTRAINT member_org_id_fkey FOREIGN KEY (org_id) REFERENCES org(id);

SELECT cx_partition_by_part('pledge', true);
CREATE INDEX pledge_org ON pledge(org_id, status);
CREATE INDEX pledge_member ON pledge(member_id, status);
CREATE INDEX pledge_member_due ON pledge(member_id, due_date);
CREATE INDEX pledge_due ON pledge(status, due_date);
CREATE INDEX pledge_missed_on ON pledge(missed_on) WHERE missed_on <> '';
CREATE INDEX pledge_predecessor ON pledge(predecessor_id) WHERE predecessor_id IS NOT NULL;
ALTER TABLE pledge ADD CONSTRAINT pledge_org_id_fkey FOREIGN KEY (org_id) REFERENCES org(id);
ALTER TABLE pledge ADD CONSTRAINT pledge_campaign_id_fkey FOREIGN KEY (campaign_id) REFERENCES campaign(id);
ALTER TABLE pledge ADD CONSTRAINT pledge_entered_by_fkey FOREIGN KEY (entered_by) REFERENCES app_user(id);

SELECT cx_partition_by_part('feedback', false);
CREATE UNIQUE INDEX feedback_code ON feedback(code_hash, part);
CREATE INDEX feedback_org ON feedback(org_id, status, due_date);
CREATE INDEX feedback_due ON feedback(status, due_date);
CREATE INDEX feedback_pub ON feedback(published, replied_date);
ALTER TABLE feedback ADD CONSTRAINT feedback_about_org_id_fkey FOREIGN KEY (about_org_id) REFERENCES org(id);
ALTER TABLE feedback ADD CONSTRAINT feedback_org_id_fkey FOREIGN KEY (org_id) REFERENCES org(id);
ALTER TABLE feedback ADD CONSTRAINT feedback_category_id_fkey FOREIGN KEY (category_id) REFERENCES feedback_category(id);

SELECT cx_partition_by_part('ballot', true);
CREATE INDEX ballot_org ON ballot(round_id, org_id);
CREATE INDEX ballot_target ON ballot(round_id, target_kind, target_id);
CREATE UNIQUE INDEX ballot_rater_u ON ballot(round_id, target_kind, target_id, rater_key, part) WHERE valid = 1;
CREATE INDEX ballot_burst_of ON ballot(burst_id) WHERE burst_id IS NOT NULL;
ALTER TABLE ballot ADD CONSTRAINT ballot_round_id_fkey FOREIGN KEY (round_id) REFERENCES review_round(id);
ALTER TABLE ballot ADD CONSTRAINT ballot_org_id_fkey FOREIGN KEY (org_id) REFERENCES org(id);

SELECT cx_partition_by_part('review', true);
CREATE INDEX review_org ON review(round_id, target_org_id);
CREATE UNIQUE INDEX review_sheet_u ON review(round_id, target_member_id, sheet_no, part) WHERE sheet_no > 0;
CREATE UNIQUE INDEX review_org_u ON review(round_id, target_org_id, part) WHERE kind = 'org_self';
CREATE UNIQUE INDEX review_member_u ON review(round_id, target_member_id, reviewer_member_id, part) WHERE kind <> 'org_self';
ALTER TABLE review ADD CONSTRAINT review_round_id_fkey FOREIGN KEY (round_id) REFERENCES review_round(id);
ALTER TABLE review ADD CONSTRAINT review_target_org_id_fkey FOREIGN KEY (target_org_id) REFERENCES org(id);
ALTER TABLE review ADD CONSTRAINT review_reviewer_user_id_fkey FOREIGN KEY (reviewer_user_id) REFERENCES app_user(id);
ALTER TABLE review ADD CONSTRAINT review_entered_by_fkey FOREIGN KEY (entered_by) REFERENCES app_user(id);

DROP FUNCTION cx_partition_by_part(text, boolean);

-- The DEFAULT partitions' indexes are named after their parent's, <index>_default (as
-- `cxzy partition add` names a province's <index>_p<ORG>): a unique violation names the
-- partition's index, and the store recognises it by that name (db_is_unique).
CREATE FUNCTION cx_name_partition_indexes(part regclass, suffix text) RETURNS void LANGUAGE plpgsql AS $f$
DECLARE r record;
BEGIN
  FOR r IN SELECT c.relname AS child, p.relname AS parent FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
           JOIN pg_inherits h ON h.inhrelid = i.indexrelid JOIN pg_class p ON p.oid = h.inhparent WHERE i.indrelid = part LOOP
    EXECUTE format('ALTER INDEX %I RENAME TO %I', r.child, r.parent || '_' || suffix);
  END LOOP;
END $f$;
SELECT cx_name_partition_indexes((t || '_default')::regclass, 'default') FROM unnest(ARRAY['member', 'pledge', 'feedback', 'ballot', 'review']) t;
{{END}}
