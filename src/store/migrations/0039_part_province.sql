-- 0039_part_province.sql: `part` is the province (issue 20): the id of the organisation directly
-- under a national root, the root's id otherwise (store/part.c). No database before this one has
-- a national root, so every organisation's part is its root's; rows hung on an organisation or on
-- another row take that one's part, whatever they were given before. The statements are
-- part_fill's (store/migrate.c runs it in this migration's transaction), the ones a move and
-- `cxzy partition national` run, so the three cannot drift apart.
SELECT 1;
