-- 0008_ballot_trust.sql: public ballots that one person cannot stuff (issue 12, section 3).
-- A ballot moves a grade or a published figure only when its rater is verified (an SMS-verified
-- phone, a paper sheet's code, a phone-sampling draw) and it is not held in a burst. Web and QR
-- ballots without a verified phone are kept as a separate indicator (未验证的网上评价，仅供参考).
-- Bursts (many ballots for one target in a short time, or from one network prefix) are held
-- until the office releases or discards them; the decision is audited.

-- verified: 1 when the rater is verified; hold: '' counted, 'held' in a burst under review,
-- 'discarded' (the office found the burst false: the ballot counts as invalid).
ALTER TABLE ballot ADD COLUMN verified INTEGER NOT NULL DEFAULT 1;
ALTER TABLE ballot ADD COLUMN hold TEXT NOT NULL DEFAULT '' CHECK (hold IN ('', 'held', 'discarded'));
ALTER TABLE ballot ADD COLUMN burst_id {{I64}};
-- Web and QR ballots before this migration cannot show which of them had an SMS-verified phone:
-- none of them is taken as verified.
UPDATE ballot SET verified = 0 WHERE channel IN ('qr', 'web');

-- A burst: the ballots of one target held in one time window, for one reason: 'target' (too
-- many for the target) or 'network' (too many from one network prefix; net is a keyed hash of
-- the prefix, never the address). state: open (under review), released, discarded.
CREATE TABLE ballot_burst (
  id {{PK}},
  round_id {{I64}} NOT NULL REFERENCES review_round(id),
  target_kind TEXT NOT NULL CHECK (target_kind IN ('member','org','pledge','window')),
  target_id {{I64}} NOT NULL,
  org_id {{I64}} NOT NULL REFERENCES org(id),
  reason TEXT NOT NULL CHECK (reason IN ('target','network')),
  net TEXT NOT NULL DEFAULT '',
  window_start {{I64}} NOT NULL,
  window_len {{I64}} NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('open','released','discarded')),
  note TEXT NOT NULL DEFAULT '',
  decided_by {{I64}},
  decided_at {{I64}},
  created_at {{I64}} NOT NULL
);
CREATE UNIQUE INDEX ballot_burst_open_u ON ballot_burst(round_id, target_kind, target_id, reason, net, window_start) WHERE state = 'open';
CREATE INDEX ballot_burst_org ON ballot_burst(org_id, state);
CREATE INDEX ballot_burst_of ON ballot(burst_id) WHERE burst_id IS NOT NULL;

-- Roll-up counters: counted ballots by channel (ballots_valid is their sum), unverified web
-- ballots (the separate indicator) and held ones. Answers are counted over counted ballots only.
ALTER TABLE rollup ADD COLUMN ballots_web {{I64}} NOT NULL DEFAULT 0;
ALTER TABLE rollup ADD COLUMN ballots_paper {{I64}} NOT NULL DEFAULT 0;
ALTER TABLE rollup ADD COLUMN ballots_phone {{I64}} NOT NULL DEFAULT 0;
ALTER TABLE rollup ADD COLUMN ballots_unverified {{I64}} NOT NULL DEFAULT 0;
ALTER TABLE rollup ADD COLUMN ballots_held {{I64}} NOT NULL DEFAULT 0;

-- The stored counters follow: web and QR ballots leave the counted figures for the indicator,
-- paper and phone ballots are counted by channel (per organisation's subtree, as rollup_add).
UPDATE rollup SET
  ballots_valid = rollup.ballots_valid - x.n,
  answers_satisfied = rollup.answers_satisfied - x.s1,
  answers_basic = rollup.answers_basic - x.s2,
  answers_unsatisfied = rollup.answers_unsatisfied - x.s3,
  ballots_unverified = x.n
FROM (SELECT o.id AS org_id, b.round_id AS round_id, count(*) AS n,
        sum(length(b.answers) - length(replace(b.answers, '1', ''))) AS s1,
        sum(length(b.answers) - length(replace(b.answers, '2', ''))) AS s2,
        sum(length(b.answers) - length(replace(b.answers, '3', ''))) AS s3
      FROM ballot b JOIN org bo ON bo.id = b.org_id JOIN org o ON substr(bo.path, 1, length(o.path)) = o.path
      WHERE b.valid = 1 AND b.channel IN ('qr', 'web') GROUP BY o.id, b.round_id) x
WHERE rollup.org_id = x.org_id AND rollup.round_id = x.round_id;
UPDATE rollup SET ballots_paper = x.p, ballots_phone = x.f
FROM (SELECT o.id AS org_id, b.round_id AS round_id,
        sum(CASE WHEN b.channel = 'paper' THEN 1 ELSE 0 END) AS p, sum(CASE WHEN b.channel = 'phone' THEN 1 ELSE 0 END) AS f
      FROM ballot b JOIN org bo ON bo.id = b.org_id JOIN org o ON substr(bo.path, 1, length(o.path)) = o.path
      WHERE b.valid = 1 AND b.channel IN ('paper', 'phone') GROUP BY o.id, b.round_id) x
WHERE rollup.org_id = x.org_id AND rollup.round_id = x.round_id;
