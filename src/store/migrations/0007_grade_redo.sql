-- 0007_grade_redo.sql: why a branch's grades need a new decision of the branch meeting. A change
-- that moves a rule of 民主评议 after grading (a member transferred, deactivated, turned
-- 预备党员, left out of the round; the campaign's cap or thresholds changed) recomputes the
-- branch's grades in the same transaction, clears the earlier decisions and approvals, and says
-- why here, so the secretary sees it beside the grades ('' when nothing changed).
ALTER TABLE grade ADD COLUMN redo TEXT NOT NULL DEFAULT '';
