-- 0003_reviews.sql: three reviews (三评) and grades. Campaign phases, standards as data (五个好,
-- 五带头 …), carriers, grading rules stored with the campaign; review rounds; self and peer
-- reviews; leader charges and three-part commentary; public rating (service windows, ballots,
-- SMS codes, paper batches, phone sampling); grades; roll-up counters per (round, org).

CREATE TABLE campaign_phase (
  id {{PK}},
  campaign_id {{I64}} NOT NULL REFERENCES campaign(id),
  seq INTEGER NOT NULL,
  name TEXT NOT NULL,                           -- 向建党90周年献礼 …
  start_date TEXT NOT NULL,
  end_date TEXT NOT NULL
);
CREATE UNIQUE INDEX campaign_phase_u ON campaign_phase(campaign_id, seq);

-- A set of criteria (五个好 for organisations, 五带头 for members, 四强, 四优 …).
CREATE TABLE standard_set (
  id {{PK}},
  code TEXT NOT NULL UNIQUE,                    -- wuhao, wudaitou, siqiang …
  name TEXT NOT NULL,                           -- 五个好
  target TEXT NOT NULL CHECK (target IN ('org','member')),
  builtin INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE standard_item (
  id {{PK}},
  set_id {{I64}} NOT NULL REFERENCES standard_set(id),
  seq INTEGER NOT NULL,                         -- 1-based; review levels are stored in this order
  title TEXT NOT NULL,                          -- 领导班子好
  body TEXT NOT NULL                            -- the seed's wording
);
CREATE UNIQUE INDEX standard_item_u ON standard_item(set_id, seq);

-- The grading rules of one campaign (mission.md C4 defaults). Weights are percentages; a
-- component without data is left out and the others are scaled up.
CREATE TABLE campaign_rule (
  campaign_id {{I64}} PRIMARY KEY REFERENCES campaign(id),
  org_set_id {{I64}} NOT NULL REFERENCES standard_set(id),
  member_set_id {{I64}} NOT NULL REFERENCES standard_set(id),
  w_self INTEGER NOT NULL DEFAULT 20,
  w_peer INTEGER NOT NULL DEFAULT 20,
  w_leader INTEGER NOT NULL DEFAULT 20,
  w_public INTEGER NOT NULL DEFAULT 30,
  w_pledge INTEGER NOT NULL DEFAULT 10,
  t_excellent INTEGER NOT NULL DEFAULT 90,      -- ≥ 优秀 / 好
  t_qualified INTEGER NOT NULL DEFAULT 70,      -- ≥ 合格 / 较好
  t_basic INTEGER NOT NULL DEFAULT 60,          -- ≥ 基本合格 / 一般; else 不合格 / 差
  s_satisfied INTEGER NOT NULL DEFAULT 100,     -- public answers 满意 / 基本满意 / 不满意
  s_basic INTEGER NOT NULL DEFAULT 60,
  s_unsatisfied INTEGER NOT NULL DEFAULT 0,
  l_good INTEGER NOT NULL DEFAULT 100,          -- review levels 好 / 较好 / 一般 / 差
  l_fair INTEGER NOT NULL DEFAULT 80,
  l_average INTEGER NOT NULL DEFAULT 60,
  l_poor INTEGER NOT NULL DEFAULT 0,
  cap_num INTEGER NOT NULL DEFAULT 1,           -- 优秀 ≤ cap_num/cap_den of a branch's graded members
  cap_den INTEGER NOT NULL DEFAULT 3,
  veto_unjustified INTEGER NOT NULL DEFAULT 1,  -- a pledge missed without reason in the period → 不合格
  veto_unsatisfied_pct INTEGER NOT NULL DEFAULT 0, -- > this % of 不满意 public ballots → 不合格 (0 = off)
  min_ballots INTEGER NOT NULL DEFAULT 1,       -- public component counted from this many valid ballots
  sms_required INTEGER NOT NULL DEFAULT 1       -- 不满意 needs a reason and an SMS-verified phone (随州)
);

-- Carriers (载体) named per organisation: 三亮三比三评, 五个一 …
CREATE TABLE carrier (
  id {{PK}},
  campaign_id {{I64}} NOT NULL REFERENCES campaign(id),
  org_id {{I64}} NOT NULL REFERENCES org(id),
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  created_at {{I64}} NOT NULL
);
CREATE INDEX carrier_org ON carrier(org_id);

-- A review round (2011年上半年) of a campaign, run by an office over its subtree.
CREATE TABLE review_round (
  id {{PK}},
  campaign_id {{I64}} NOT NULL REFERENCES campaign(id),
  org_id {{I64}} NOT NULL REFERENCES org(id),
  name TEXT NOT NULL,
  period_start TEXT NOT NULL,
  period_end TEXT NOT NULL,
  questions TEXT NOT NULL CHECK (questions IN ('party3','window6')), -- default public questions for members/orgs
  status TEXT NOT NULL CHECK (status IN ('open','closed')),
  created_at {{I64}} NOT NULL
);
CREATE INDEX review_round_org ON review_round(org_id);

-- Self (reviewer = the member) and peer reviews of members, and self-reviews of organisations
-- (by their secretary). levels: one digit per standard item in seq order, 1 好 2 较好 3 一般 4 差.
CREATE TABLE review (
  id {{PK}},
  round_id {{I64}} NOT NULL REFERENCES review_round(id),
  kind TEXT NOT NULL CHECK (kind IN ('self','peer','org_self')),
  target_member_id {{I64}} REFERENCES member(id),
  target_org_id {{I64}} NOT NULL REFERENCES org(id),  -- the member's org, or the org reviewed
  reviewer_member_id {{I64}} REFERENCES member(id),    -- NULL for org_self
  reviewer_user_id {{I64}} NOT NULL REFERENCES app_user(id),
  levels TEXT NOT NULL,
  achievements TEXT NOT NULL DEFAULT '',
  shortcomings TEXT NOT NULL DEFAULT '',        -- 找不足
  direction TEXT NOT NULL DEFAULT '',           -- 明方向
  created_at {{I64}} NOT NULL,
  updated_at {{I64}} NOT NULL
);
CREATE UNIQUE INDEX review_member_u ON review(round_id, target_member_id, reviewer_member_id) WHERE kind <> 'org_self';
CREATE UNIQUE INDEX review_org_u ON review(round_id, target_org_id) WHERE kind = 'org_self';
CREATE INDEX review_org ON review(round_id, target_org_id);

-- Leaders' charges (分管、联系) in a round: organisations and members a leader must comment on.
CREATE TABLE leader_charge (
  id {{PK}},
  round_id {{I64}} NOT NULL REFERENCES review_round(id),
  user_id {{I64}} NOT NULL REFERENCES app_user(id),
  target_kind TEXT NOT NULL CHECK (target_kind IN ('org','member')),
  target_id {{I64}} NOT NULL,
  org_id {{I64}} NOT NULL REFERENCES org(id),   -- the target org, or the member's org (scope)
  created_at {{I64}} NOT NULL
);
CREATE UNIQUE INDEX leader_charge_u ON leader_charge(round_id, user_id, target_kind, target_id);
CREATE INDEX leader_charge_org ON leader_charge(round_id, org_id);

-- 领导点评: three parts, and a level (1 好 … 4 差) that feeds the composite score.
CREATE TABLE commentary (
  id {{PK}},
  round_id {{I64}} NOT NULL REFERENCES review_round(id),
  user_id {{I64}} NOT NULL REFERENCES app_user(id),
  target_kind TEXT NOT NULL CHECK (target_kind IN ('org','member')),
  target_id {{I64}} NOT NULL,
  org_id {{I64}} NOT NULL REFERENCES org(id),
  level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),
  achievements TEXT NOT NULL,                   -- 肯定成绩
  problems TEXT NOT NULL,                       -- 指出问题
  direction TEXT NOT NULL,                      -- 明确努力方向
  created_at {{I64}} NOT NULL,
  updated_at {{I64}} NOT NULL
);
CREATE UNIQUE INDEX commentary_u ON commentary(round_id, user_id, target_kind, target_id);
CREATE INDEX commentary_org ON commentary(round_id, org_id);

-- Members left out of a round's grading (abroad or away > 6 months, imprisoned, bedridden …).
CREATE TABLE review_exclusion (
  round_id {{I64}} NOT NULL REFERENCES review_round(id),
  member_id {{I64}} NOT NULL REFERENCES member(id),
  reason TEXT NOT NULL CHECK (reason IN ('away','imprisoned','bedridden','incapacitated','other')),
  note TEXT NOT NULL DEFAULT '',
  created_at {{I64}} NOT NULL,
  PRIMARY KEY (round_id, member_id)
);

-- Service windows (服务窗口) the public rates on the six questions of seed 004.
CREATE TABLE service_window (
  id {{PK}},
  org_id {{I64}} NOT NULL REFERENCES org(id),
  name TEXT NOT NULL,
  location TEXT NOT NULL DEFAULT '',
  active INTEGER NOT NULL DEFAULT 1,
  created_at {{I64}} NOT NULL
);
CREATE INDEX service_window_org ON service_window(org_id);

-- One public ballot. No column names the rater: rater_key is a keyed hash of (round, target,
-- phone | sheet code | device token), so ballots cannot be linked to a phone, a person, or one
-- another across targets. Only the day is kept. answers: one digit per question, 1 满意 2 基本满意
-- 3 不满意. Invalid ballots (repeats, spoiled sheets) are kept with valid = 0 and no key.
CREATE TABLE ballot (
  id {{PK}},
  round_id {{I64}} NOT NULL REFERENCES review_round(id),
  target_kind TEXT NOT NULL CHECK (target_kind IN ('member','org','pledge','window')),
  target_id {{I64}} NOT NULL,
  org_id {{I64}} NOT NULL REFERENCES org(id),   -- the target's organisation, for roll-ups
  channel TEXT NOT NULL CHECK (channel IN ('qr','web','paper','phone')),
  questions TEXT NOT NULL CHECK (questions IN ('party3','window6')),
  answers TEXT NOT NULL,
  comment TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '',              -- why 不满意
  valid INTEGER NOT NULL,
  invalid_reason TEXT NOT NULL DEFAULT '' CHECK (invalid_reason IN ('','repeat','spoiled')),
  rater_key {{BLOB}},
  day TEXT NOT NULL
);
CREATE UNIQUE INDEX ballot_rater_u ON ballot(round_id, target_kind, target_id, rater_key) WHERE valid = 1;
CREATE INDEX ballot_target ON ballot(round_id, target_kind, target_id);
CREATE INDEX ballot_org ON ballot(round_id, org_id);

-- SMS codes for 不满意 ballots; the phone is kept only as a keyed hash, the code as a hash.
CREATE TABLE sms_code (
  id {{PK}},
  phone_hash {{BLOB}} NOT NULL,
  code_hash {{BLOB}} NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  used INTEGER NOT NULL DEFAULT 0,
  created_at {{I64}} NOT NULL,
  expires_at {{I64}} NOT NULL
);
CREATE INDEX sms_code_phone ON sms_code(phone_hash, created_at);

-- Paper questionnaires (问卷): a batch of N sheets with one code each; returned sheets are keyed
-- in. Issued / returned / valid as in seed 002 (891 / 875).
CREATE TABLE paper_batch (
  id {{PK}},
  round_id {{I64}} NOT NULL REFERENCES review_round(id),
  target_kind TEXT NOT NULL CHECK (target_kind IN ('member','org','window')),
  target_id {{I64}} NOT NULL,
  org_id {{I64}} NOT NULL REFERENCES org(id),
  questions TEXT NOT NULL CHECK (questions IN ('party3','window6')),
  issued INTEGER NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  created_by {{I64}} NOT NULL,
  created_at {{I64}} NOT NULL
);
CREATE INDEX paper_batch_round ON paper_batch(round_id, org_id);
CREATE TABLE paper_sheet (
  id {{PK}},
  batch_id {{I64}} NOT NULL REFERENCES paper_batch(id),
  code TEXT NOT NULL UNIQUE,
  state TEXT NOT NULL CHECK (state IN ('issued','valid','spoiled'))
);
CREATE INDEX paper_sheet_batch ON paper_sheet(batch_id, state);

-- 电话随机抽访: a reproducible draw of n contacts from an uploaded list with the seed recorded.
-- Contacts are encrypted; the list's digest lets anyone re-run the draw on the same list.
CREATE TABLE phone_draw (
  id {{PK}},
  round_id {{I64}} NOT NULL REFERENCES review_round(id),
  target_kind TEXT NOT NULL CHECK (target_kind IN ('member','org','window')),
  target_id {{I64}} NOT NULL,
  org_id {{I64}} NOT NULL REFERENCES org(id),
  questions TEXT NOT NULL CHECK (questions IN ('party3','window6')),
  seed TEXT NOT NULL,                           -- decimal 64-bit seed
  population INTEGER NOT NULL,
  n INTEGER NOT NULL,
  list_digest TEXT NOT NULL,                    -- BLAKE2b hex of the normalised list
  created_by {{I64}} NOT NULL,
  created_at {{I64}} NOT NULL
);
CREATE TABLE phone_draw_entry (
  id {{PK}},
  draw_id {{I64}} NOT NULL REFERENCES phone_draw(id),
  seq INTEGER NOT NULL,                         -- order of the draw
  list_index INTEGER NOT NULL,                  -- 1-based position in the uploaded list
  phone_enc {{BLOB}} NOT NULL,
  phone_mask TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending','answered','unreachable','refused'))
);
CREATE UNIQUE INDEX phone_draw_entry_u ON phone_draw_entry(draw_id, seq);

-- Grades of one round. score is ×100 (fixed point); components NULL when absent.
CREATE TABLE grade (
  id {{PK}},
  round_id {{I64}} NOT NULL REFERENCES review_round(id),
  target_kind TEXT NOT NULL CHECK (target_kind IN ('member','org')),
  target_id {{I64}} NOT NULL,
  org_id {{I64}} NOT NULL REFERENCES org(id),
  s_self {{I64}}, s_peer {{I64}}, s_leader {{I64}}, s_public {{I64}}, s_pledge {{I64}},
  score {{I64}} NOT NULL,
  computed TEXT NOT NULL,                       -- grade from the rules (after cap and vetoes)
  final TEXT NOT NULL,                          -- computed, or the branch meeting's decision
  meets INTEGER NOT NULL,                       -- 五带头 / 五个好 met
  note TEXT NOT NULL DEFAULT '',                -- why: cap, tie, veto, excluded …
  approval TEXT NOT NULL CHECK (approval IN ('none','pending','approved','rejected')),
  approved_by {{I64}},
  decision TEXT NOT NULL DEFAULT '',            -- branch meeting: entitled/present/in_favour, reason
  updated_at {{I64}} NOT NULL
);
CREATE UNIQUE INDEX grade_u ON grade(round_id, target_kind, target_id);
CREATE INDEX grade_org ON grade(round_id, org_id);

-- Roll-up counters for a round over an organisation's whole subtree, kept up to date in the
-- transaction of every ballot, review, commentary and grade change, so dashboards never scan
-- ballots. `cxzy recount` rebuilds them from raw records and compares.
CREATE TABLE rollup (
  round_id {{I64}} NOT NULL REFERENCES review_round(id),
  org_id {{I64}} NOT NULL REFERENCES org(id),
  ballots_valid {{I64}} NOT NULL DEFAULT 0,
  ballots_invalid {{I64}} NOT NULL DEFAULT 0,
  answers_satisfied {{I64}} NOT NULL DEFAULT 0, -- counted per answer (question)
  answers_basic {{I64}} NOT NULL DEFAULT 0,
  answers_unsatisfied {{I64}} NOT NULL DEFAULT 0,
  self_reviews {{I64}} NOT NULL DEFAULT 0,
  peer_reviews {{I64}} NOT NULL DEFAULT 0,
  charges {{I64}} NOT NULL DEFAULT 0,           -- leader charges (commentary due)
  charges_done {{I64}} NOT NULL DEFAULT 0,      -- charges commented this round
  members_graded {{I64}} NOT NULL DEFAULT 0,
  members_meeting {{I64}} NOT NULL DEFAULT 0,   -- 五带头
  members_excellent {{I64}} NOT NULL DEFAULT 0,
  members_qualified {{I64}} NOT NULL DEFAULT 0,
  members_basic {{I64}} NOT NULL DEFAULT 0,
  members_unqualified {{I64}} NOT NULL DEFAULT 0,
  orgs_graded {{I64}} NOT NULL DEFAULT 0,
  orgs_meeting {{I64}} NOT NULL DEFAULT 0,      -- 五个好
  PRIMARY KEY (round_id, org_id)
);

-- Per-address limits on anonymous public actions (ballots, SMS codes): a fixed window counter.
CREATE TABLE rate_limit (
  bucket TEXT NOT NULL,                         -- 'ballot:' || keyed hash of the address, …
  window_start {{I64}} NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (bucket, window_start)
);

INSERT INTO standard_set (code, name, target, builtin) VALUES ('wuhao', '五个好', 'org', 1);
INSERT INTO standard_set (code, name, target, builtin) VALUES ('wudaitou', '五带头', 'member', 1);
INSERT INTO standard_item (set_id, seq, title, body) SELECT id, 1, '领导班子好', '领导班子团结协作、求真务实、勤政廉洁，党组织书记守信念、讲奉献、有本领、重品行，有较强的凝聚力、执行力和战斗力。' FROM standard_set WHERE code = 'wuhao';
INSERT INTO standard_item (set_id, seq, title, body) SELECT id, 2, '党员队伍好', '党员素质优良，有较强的党员意识，能够充分发挥先锋模范作用。' FROM standard_set WHERE code = 'wuhao';
INSERT INTO standard_item (set_id, seq, title, body) SELECT id, 3, '工作机制好', '规章制度完善，管理措施到位，工作运行顺畅有序。' FROM standard_set WHERE code = 'wuhao';
INSERT INTO standard_item (set_id, seq, title, body) SELECT id, 4, '工作业绩好', '本地、本部门（单位）各项工作成绩显著，围绕中心、服务大局事迹突出。' FROM standard_set WHERE code = 'wuhao';
INSERT INTO standard_item (set_id, seq, title, body) SELECT id, 5, '群众反映好', '基层党组织在群众中有较高威信，党员在群众中有良好形象，党群干群关系密切。' FROM standard_set WHERE code = 'wuhao';
INSERT INTO standard_item (set_id, seq, title, body) SELECT id, 1, '带头学习提高，争当勤学标兵', '认真学习实践科学发展观，自觉坚定理想信念；认真学习科学文化知识，成为本职工作的行家里手。' FROM standard_set WHERE code = 'wudaitou';
INSERT INTO standard_item (set_id, seq, title, body) SELECT id, 2, '带头创造佳绩，争当敬业模范', '具有强烈的事业心和责任感，埋头苦干、开拓创新、无私奉献，在本职岗位上作出显著成绩。' FROM standard_set WHERE code = 'wudaitou';
INSERT INTO standard_item (set_id, seq, title, body) SELECT id, 3, '带头服务群众，争当为民先锋', '积极帮助群众解决实际困难，自觉维护群众正当合法权益。' FROM standard_set WHERE code = 'wudaitou';
INSERT INTO standard_item (set_id, seq, title, body) SELECT id, 4, '带头遵纪守法，争当自律表率', '自觉遵守党的纪律，模范遵守国家法律法规。' FROM standard_set WHERE code = 'wudaitou';
INSERT INTO standard_item (set_id, seq, title, body) SELECT id, 5, '带头弘扬正气，争当和谐卫士', '发扬社会主义新风尚，敢于同不良风气、违纪违法行为作斗争。' FROM standard_set WHERE code = 'wudaitou';

-- Campaigns made before this migration get the default rules.
INSERT INTO campaign_rule (campaign_id, org_set_id, member_set_id)
  SELECT c.id, (SELECT id FROM standard_set WHERE code = 'wuhao'), (SELECT id FROM standard_set WHERE code = 'wudaitou') FROM campaign c;
