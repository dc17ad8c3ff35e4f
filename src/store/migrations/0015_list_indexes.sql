-- 0015_list_indexes.sql: indexes the hot lists need now that their SQL names only the filters
-- present (issue 15). The audit list of a subtree walks org's path range and, per organisation,
-- its entries newest first; a member's pledge list reads that member's pledges in due order.
CREATE INDEX audit_org_seq ON audit_log(org_id, seq);
CREATE INDEX pledge_member_due ON pledge(member_id, due_date);
-- Every pledge row a list shows looks up its renewal (the pledge whose predecessor it is).
CREATE INDEX pledge_predecessor ON pledge(predecessor_id) WHERE predecessor_id IS NOT NULL;
