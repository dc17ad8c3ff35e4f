-- 0028_study.sql: study notes (学习心得), the question bank of an office (题库) and quizzes
-- (测试答题) with their answers and a per-quiz roll-up (issue 18).
--
-- A study note: a member's own note for a study meeting (meeting kind 'study') of their
-- organisation or one above it, or for self-study (meeting_id NULL, material: what was studied).
-- org_id / org_path: the member's organisation when it was written; written_on decides the
-- quarter it counts in (period_rollup.study_notes).
CREATE TABLE study_note (
  id {{PK}},
  member_id {{I64}} NOT NULL REFERENCES member(id),
  org_id {{I64}} NOT NULL REFERENCES org(id),
  org_path {{CTEXT}} NOT NULL,
  meeting_id {{I64}} REFERENCES meeting(id),
  material TEXT NOT NULL DEFAULT '',
  text TEXT NOT NULL,
  written_on TEXT NOT NULL,
  created_by {{I64}} NOT NULL,
  created_at {{I64}} NOT NULL
);
CREATE INDEX study_note_member ON study_note(member_id, written_on);
CREATE INDEX study_note_path ON study_note(org_path, written_on);
CREATE INDEX study_note_org ON study_note(org_id, written_on);

-- The question bank of an office: type single (单选) | multiple (多选) | truefalse (判断);
-- options a JSON array of texts (判断: ["正确","错误"]); answer the correct letters in order
-- ("A", "ACD"; 判断 "A" 正确 or "B" 错误), never sent to anyone answering before a quiz using it
-- closes; imported_from: the file's name.
CREATE TABLE question (
  id {{PK}},
  org_id {{I64}} NOT NULL REFERENCES org(id),
  type TEXT NOT NULL CHECK (type IN ('single','multiple','truefalse')),
  stem TEXT NOT NULL,
  options TEXT NOT NULL,
  answer TEXT NOT NULL,
  explanation TEXT NOT NULL DEFAULT '',
  imported_from TEXT NOT NULL DEFAULT '',
  created_by {{I64}} NOT NULL,
  created_at {{I64}} NOT NULL
);
CREATE INDEX question_org ON question(org_id, id);

-- A quiz an office (org_id) assigns to a subtree (scope_org_id / scope_path): members whose
-- organisation lies in it answer once between opens_at and closes_at (unix seconds); pass_mark
-- out of 100. The questions are copied into quiz_question when it is made (a later change of the
-- bank does not change a quiz).
CREATE TABLE quiz (
  id {{PK}},
  org_id {{I64}} NOT NULL REFERENCES org(id),
  scope_org_id {{I64}} NOT NULL REFERENCES org(id),
  scope_path {{CTEXT}} NOT NULL,
  title TEXT NOT NULL,
  opens_at {{I64}} NOT NULL,
  closes_at {{I64}} NOT NULL,
  pass_mark INTEGER NOT NULL CHECK (pass_mark BETWEEN 0 AND 100),
  nquestions INTEGER NOT NULL,
  created_by {{I64}} NOT NULL,
  created_by_name TEXT NOT NULL DEFAULT '',
  row_version {{I64}} NOT NULL DEFAULT 1,
  created_at {{I64}} NOT NULL,
  updated_at {{I64}} NOT NULL
);
CREATE INDEX quiz_org ON quiz(org_id, opens_at);
CREATE INDEX quiz_scope ON quiz(scope_path, opens_at);

CREATE TABLE quiz_question (
  quiz_id {{I64}} NOT NULL REFERENCES quiz(id),
  seq INTEGER NOT NULL,
  question_id {{I64}} NOT NULL REFERENCES question(id),
  type TEXT NOT NULL,
  stem TEXT NOT NULL,
  options TEXT NOT NULL,
  answer TEXT NOT NULL,
  explanation TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (quiz_id, seq)
);

-- One answer sheet per quiz and member (two submits at once: one). answers: JSON array of the
-- letters chosen, in question order; score out of 100, computed by the server; org_id/org_path:
-- the member's organisation when it was submitted (where it counts in quiz_rollup).
CREATE TABLE quiz_answer (
  quiz_id {{I64}} NOT NULL REFERENCES quiz(id),
  member_id {{I64}} NOT NULL REFERENCES member(id),
  org_id {{I64}} NOT NULL REFERENCES org(id),
  org_path {{CTEXT}} NOT NULL,
  answers TEXT NOT NULL,
  correct INTEGER NOT NULL,
  score INTEGER NOT NULL,
  passed INTEGER NOT NULL,
  user_id {{I64}} NOT NULL,
  submitted_at {{I64}} NOT NULL,
  PRIMARY KEY (quiz_id, member_id)
);
CREATE INDEX quiz_answer_path ON quiz_answer(quiz_id, org_path);

-- Per quiz and organisation over its subtree: answer sheets, passed, the sum of scores; kept in
-- the transaction of each answer, rebuilt by `cxzy recount`.
CREATE TABLE quiz_rollup (
  quiz_id {{I64}} NOT NULL REFERENCES quiz(id),
  org_id {{I64}} NOT NULL REFERENCES org(id),
  answered {{I64}} NOT NULL DEFAULT 0,
  passed {{I64}} NOT NULL DEFAULT 0,
  score_sum {{I64}} NOT NULL DEFAULT 0,
  PRIMARY KEY (quiz_id, org_id)
);

-- Study notes by quarter of written_on (store/period.c, PK_STUDY_NOTE).
ALTER TABLE period_rollup ADD COLUMN study_notes {{I64}} NOT NULL DEFAULT 0;
