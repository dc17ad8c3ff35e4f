-- 0043_news.sql: talking with the public and inside the system (issue 22): news items and cases
-- (简报 / 信息报送, 典型), their photos and the public's nominations of a case; the monthly
-- roll-up of items submitted and adopted (what bulletins print and `cxzy recount` checks); and
-- online consultations (网上征询) with the public's comments, their answers and the summary.
--
-- A news item is submitted by an organisation (org_id) and moves submitted → adopted (采用, by
-- an office above it, office_id) → published (visibility internal: staff of the office's
-- subtree; public: /p/news), or submitted → declined (with the office's note). submitted_month
-- and adopted_month (YYYY-MM, local time) are the months the two events count in; adopted_month
-- stays '' until adopted. version: bumped by every change (the public page's ETag).
CREATE TABLE news_item (
  id {{PK}},
  org_id {{I64}} NOT NULL REFERENCES org(id),
  kind TEXT NOT NULL CHECK (kind IN ('news','case')),
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted','adopted','declined','published')),
  visibility TEXT NOT NULL DEFAULT 'internal' CHECK (visibility IN ('internal','public')),
  submitted_month TEXT NOT NULL,
  adopted_month TEXT NOT NULL DEFAULT '',
  office_id {{I64}} NOT NULL DEFAULT 0,
  note TEXT NOT NULL DEFAULT '',
  nominations {{I64}} NOT NULL DEFAULT 0,
  version {{I64}} NOT NULL DEFAULT 1,
  created_by {{I64}} NOT NULL,
  created_at {{I64}} NOT NULL,
  adopted_at {{I64}} NOT NULL DEFAULT 0,
  published_at {{I64}} NOT NULL DEFAULT 0
);
CREATE INDEX news_item_org ON news_item(org_id, status);
CREATE INDEX news_item_published ON news_item(status, visibility, published_at);

-- Photos of an item (JPEG or PNG, stored without their metadata: lib/media.c).
CREATE TABLE news_photo (
  id {{PK}},
  item_id {{I64}} NOT NULL REFERENCES news_item(id),
  mime TEXT NOT NULL,
  name TEXT NOT NULL,
  size {{I64}} NOT NULL,
  data {{BLOB}} NOT NULL,
  author TEXT NOT NULL,
  created_at {{I64}} NOT NULL
);
CREATE INDEX news_photo_item ON news_photo(item_id);

-- Items submitted and adopted by organisation (the submitter) and month: kept with every submission
-- and adoption in the same transaction; `cxzy recount` rebuilds it from news_item.
CREATE TABLE news_month (
  org_id {{I64}} NOT NULL REFERENCES org(id),
  month TEXT NOT NULL,
  submitted {{I64}} NOT NULL DEFAULT 0,
  adopted {{I64}} NOT NULL DEFAULT 0,
  PRIMARY KEY (org_id, month)
);

-- The public's nomination (推选) of a published case: one per verified phone and one per device
-- (rater keys: keyed hashes, store/rater.c; no phone or device is kept).
CREATE TABLE news_nomination (
  id {{PK}},
  item_id {{I64}} NOT NULL REFERENCES news_item(id),
  rater_key {{BLOB}} NOT NULL,
  device_key {{BLOB}} NOT NULL,
  created_at {{I64}} NOT NULL
);
CREATE UNIQUE INDEX news_nomination_rater ON news_nomination(item_id, rater_key);
CREATE UNIQUE INDEX news_nomination_device ON news_nomination(item_id, device_key);

-- An online consultation (网上征询) of an organisation: comments are taken up to and including
-- closes_on (YYYY-MM-DD); summary (总结) is written after it closes.
CREATE TABLE consultation (
  id {{PK}},
  org_id {{I64}} NOT NULL REFERENCES org(id),
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  closes_on TEXT NOT NULL,
  summary TEXT NOT NULL DEFAULT '',
  summary_at {{I64}} NOT NULL DEFAULT 0,
  version {{I64}} NOT NULL DEFAULT 1,
  created_by {{I64}} NOT NULL,
  created_at {{I64}} NOT NULL
);
CREATE INDEX consultation_org ON consultation(org_id, closes_on);

-- A comment of the public: anonymous, one per verified phone and one per device (rater keys as
-- above); reply: the organisation's answer (public once given).
CREATE TABLE consultation_comment (
  id {{PK}},
  consultation_id {{I64}} NOT NULL REFERENCES consultation(id),
  rater_key {{BLOB}} NOT NULL,
  device_key {{BLOB}} NOT NULL,
  text TEXT NOT NULL,
  created_at {{I64}} NOT NULL,
  reply TEXT NOT NULL DEFAULT '',
  replied_at {{I64}} NOT NULL DEFAULT 0,
  replied_by TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX consultation_comment_rater ON consultation_comment(consultation_id, rater_key);
CREATE UNIQUE INDEX consultation_comment_device ON consultation_comment(consultation_id, device_key);
