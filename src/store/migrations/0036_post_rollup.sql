-- 0036_post_rollup.sql: issue 19 (posts): the round roll-up's counters of ballots on posts and
-- areas (window rows of kind post or area): counted ballots, their answers 满意 or 基本满意, all of
-- their answers; kept with every ballot, released burst and recount like the other counters.
-- Ballots cast before this migration are in none of them until `cxzy recount --fix`.
ALTER TABLE rollup ADD COLUMN post_ballots {{I64}} NOT NULL DEFAULT 0;
ALTER TABLE rollup ADD COLUMN post_answers_ok {{I64}} NOT NULL DEFAULT 0;
ALTER TABLE rollup ADD COLUMN post_answers {{I64}} NOT NULL DEFAULT 0;
