-- 0002_pledges.sql: campaigns (the minimum pledges need; phases and rules come with the reviews
-- issue) and public pledges (公开承诺) with progress entries (践诺台账) and evidence files.

CREATE TABLE campaign (
  id {{PK}},
  part {{I64}} NOT NULL DEFAULT 0,
  org_id {{I64}} NOT NULL REFERENCES org(id),   -- the organisation whose office runs it (covers its subtree)
  theme TEXT NOT NULL,                          -- 创先争优比贡献，建设美好新顺河
  start_date TEXT NOT NULL,
  end_date TEXT NOT NULL,
  created_at {{I64}} NOT NULL
);
CREATE INDEX campaign_org ON campaign(org_id);

CREATE TABLE pledge (
  id {{PK}},
  part {{I64}} NOT NULL DEFAULT 0,
  org_id {{I64}} NOT NULL REFERENCES org(id),   -- the pledging org, or the member's org when made
  member_id {{I64}} REFERENCES member(id),      -- NULL for an organisation pledge
  campaign_id {{I64}} NOT NULL REFERENCES campaign(id),
  area TEXT NOT NULL,
  title TEXT NOT NULL,
  content TEXT NOT NULL,
  measures TEXT NOT NULL,
  responsible TEXT NOT NULL,
  due_date TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('draft','submitted','returned','in_progress','completed','missed','rated','renewed')),
  percent INTEGER NOT NULL DEFAULT 0,            -- latest progress entry's percentage
  return_reason TEXT NOT NULL DEFAULT '',
  miss_kind TEXT NOT NULL DEFAULT '' CHECK (miss_kind IN ('','objective','unjustified')),
  miss_explanation TEXT NOT NULL DEFAULT '',     -- public explanation of an objective reason
  summary TEXT NOT NULL DEFAULT '',              -- the owner's own summary at rating
  grade TEXT NOT NULL DEFAULT '' CHECK (grade IN ('','good','fairly_good','average','poor')),
  rating_comment TEXT NOT NULL DEFAULT '',
  predecessor_id {{I64}} REFERENCES pledge(id), -- 再承诺: the pledge this one renews
  approved_at {{I64}} NOT NULL DEFAULT 0,
  completed_at {{I64}} NOT NULL DEFAULT 0,
  rated_at {{I64}} NOT NULL DEFAULT 0,
  version {{I64}} NOT NULL DEFAULT 1,
  created_at {{I64}} NOT NULL,
  updated_at {{I64}} NOT NULL
);
CREATE INDEX pledge_org ON pledge(org_id, status);
CREATE INDEX pledge_member ON pledge(member_id, status);
CREATE INDEX pledge_due ON pledge(status, due_date);

CREATE TABLE pledge_progress (
  id {{PK}},
  part {{I64}} NOT NULL DEFAULT 0,
  pledge_id {{I64}} NOT NULL REFERENCES pledge(id),
  entry_date TEXT NOT NULL,
  text TEXT NOT NULL,
  percent INTEGER NOT NULL,
  author TEXT NOT NULL,
  created_at {{I64}} NOT NULL
);
CREATE INDEX pledge_progress_p ON pledge_progress(pledge_id, entry_date);

CREATE TABLE evidence (
  id {{PK}},
  part {{I64}} NOT NULL DEFAULT 0,
  progress_id {{I64}} NOT NULL REFERENCES pledge_progress(id),
  mime TEXT NOT NULL,                           -- decided by content: image/jpeg, image/png, application/pdf
  name TEXT NOT NULL,
  size {{I64}} NOT NULL,
  data {{BLOB}} NOT NULL,
  created_at {{I64}} NOT NULL
);
CREATE INDEX evidence_progress ON evidence(progress_id);
