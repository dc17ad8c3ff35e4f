-- 0030_leader_standing.sql: the leaders' standing as a roll-up (issue 18), so that the dashboard's
-- 联络点 figures (leaders without a point, with too few, with fewer visits than their rule asks) and
-- its leaders without a 党课 this year are read from a few rows, not from every leader of the subtree.
--
-- A leader (an account with a leader grant) counts at every organisation above one of their leader
-- grants, once, judged by their highest grant within that organisation's subtree (the one the lists
-- show: the rule at that grant, the department figure when it is a government organisation).
-- year 0 holds what does not depend on a year: leaders, active accounts among them, those without
-- a point / with too few / with more than the rule allows (open points now), and those whose rule
-- asks no visits (they meet it in every year). year Y holds the leaders whose visits in Y reach
-- what their rule asks (visits_met, when it asks some) and the active leaders who gave a held 党课
-- in Y (lectured). Kept with every change that moves them (store/standing.h), rebuilt by
-- `cxzy recount`; a row of zeros is the same as no row.
CREATE TABLE leader_standing (
  org_id {{I64}} NOT NULL REFERENCES org(id),
  year INTEGER NOT NULL,
  leaders {{I64}} NOT NULL DEFAULT 0,
  active {{I64}} NOT NULL DEFAULT 0,
  no_points {{I64}} NOT NULL DEFAULT 0,
  few_points {{I64}} NOT NULL DEFAULT 0,
  many_points {{I64}} NOT NULL DEFAULT 0,
  visits_free {{I64}} NOT NULL DEFAULT 0,
  visits_met {{I64}} NOT NULL DEFAULT 0,
  lectured {{I64}} NOT NULL DEFAULT 0,
  PRIMARY KEY (org_id, year)
);
