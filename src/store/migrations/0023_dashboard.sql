-- 0023_dashboard.sql: participation in a campaign for the dashboard (issue 17): members who
-- pledged (at least one pledge approved: in progress, completed, missed, rated or renewed), per
-- campaign over every organisation's subtree. A member counts once at the organisation of their
-- pledges (a member who moved and pledged in both counts in each). Kept in the transaction of each
-- pledge change (store/period.c period_update), moved with an organisation (period_org_moved),
-- checked and rebuilt by `cxzy recount`; the rows of an existing database are filled right after
-- this file runs, in the same transaction, by pledged_fill (store/migrate.c).
CREATE TABLE campaign_rollup (
  campaign_id {{I64}} NOT NULL REFERENCES campaign(id),
  org_id {{I64}} NOT NULL REFERENCES org(id),
  members_pledged {{I64}} NOT NULL DEFAULT 0,
  PRIMARY KEY (campaign_id, org_id)
);
