-- 0032_posts.sql: exemplary posts (党员示范岗) and responsibility areas (党员责任区), issue 19.
--
-- A post or an area is a row of service_window with kind 'post' or 'area': the public rates it
-- through the same ballots (target_kind 'window'), bursts, results, signs and QR codes as a
-- service window, without rebuilding ballot's CHECK on target_kind. Window lists and pages read
-- kind = 'window' only. duties: the post's duties (职责, 设岗定责); location holds its place or
-- area. version: bumped by every change of the post or its holders (the member card's ETag).
ALTER TABLE service_window ADD COLUMN kind TEXT NOT NULL DEFAULT 'window' CHECK (kind IN ('window','post','area'));
ALTER TABLE service_window ADD COLUMN duties TEXT NOT NULL DEFAULT '';
ALTER TABLE service_window ADD COLUMN version {{I64}} NOT NULL DEFAULT 1;
CREATE INDEX service_window_kind ON service_window(org_id, kind);

-- Who holds a post: one or several members of the post organisation's subtree. A change of
-- holder ends the row (until set) and keeps it as history; until IS NULL while current.
CREATE TABLE post_holder (
  id {{PK}},
  window_id {{I64}} NOT NULL REFERENCES service_window(id),
  member_id {{I64}} NOT NULL REFERENCES member(id),
  since {{I64}} NOT NULL,
  until {{I64}},
  created_by {{I64}} NOT NULL
);
CREATE UNIQUE INDEX post_holder_current ON post_holder(window_id, member_id) WHERE until IS NULL;
CREATE INDEX post_holder_member ON post_holder(member_id, until);
