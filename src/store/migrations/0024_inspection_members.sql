-- 0024_inspection_members.sql: 随机抽查 of members as well as organisations (issue 17). A plan
-- states what it draws: draw_of 'org' (the organisations of the stated population, as before) or
-- 'member' (the active members of those organisations; the population is their member ids). Each
-- drawn member is a target (its organisation, member_id) in draw order, so one organisation may
-- appear once per drawn member: the unique key of a target becomes (inspection, organisation,
-- member or 0). A finding names its target (target_id), and through it the member.
ALTER TABLE inspection ADD COLUMN draw_of TEXT NOT NULL DEFAULT 'org' CHECK (draw_of IN ('org','member'));
DROP INDEX inspection_target_u;
CREATE UNIQUE INDEX inspection_target_u ON inspection_target(inspection_id, org_id, (coalesce(member_id, 0)));
