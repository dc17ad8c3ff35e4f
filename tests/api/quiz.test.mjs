// quiz.test.mjs: the question bank, quizzes and study notes over HTTP, on this file's own demo
// database, played as the office, the members answering on phones, and as an attacker or a
// careless user: the bank imported from an XLSX with a title row above the header and from CSV,
// a file with bad rows refused whole with a report naming each row, column and reason, malformed
// XLSX and CSV; quizzes over a subtree with chosen or drawn questions, forged question ids; no
// correct answer reaches anyone answering before the window closes (the quiz JSON and page, the
// member's list, the bank, the results, the submit answer itself); answering twice at once (one
// sheet, counted once; on PostgreSQL a submit made to wait on another's uncommitted sheet),
// outside the window, from outside the subtree, with forged question numbers and options; the
// score and the correct answers after closing; results, rankings and the XLSX; the roll-up
// rebuilt by `cxzy recount` without a difference; study notes written by a member and read by the
// secretary and the offices above only.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startServerOn, loginAs, expectError, sqlOn, xlsxFromRows, fileForm, BACKEND, PASSWORD } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const [office, town, secretary, member, secretary2, leader] = await Promise.all(
  ['office', 'town', 'secretary', 'member', 'secretary2', 'leader'].map((u) => loginAs(srv.base, u)));
const rootId = office.user.roles[0].org_id;
const townId = town.user.roles[0].org_id;
const branchA = secretary.user.roles[0].org_id;
const branchB = secretary2.user.roles[0].org_id;
const sql = (q) => sqlOn(srv.db, q);
const now = () => Math.floor(Date.now() / 1000);

async function ok(r, status = 200) {
  assert.equal(r.status, status, `${r.status} ${r.text.slice(0, 400)}${r.status >= 500 ? srv.log().slice(-1500) : ''}`);
  return r.json;
}

/** A member's own account (made by `cxzy user add`) logged in: for members other than the demo's "member". */
let nacct = 0;
async function memberLogin(memberId, role = 'member', org = null) {
  const name = `qz${++nacct}${BACKEND}`;
  const orgId = org || sql(`SELECT org_id FROM member WHERE id = ${memberId}`);
  const r = srv.cli(['user', 'add', name, '--name', `测试${name}`, '--password-file', '-', '--role', role, '--org', String(orgId), '--member', String(memberId)],
    { input: PASSWORD + '\n' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return loginAs(srv.base, name);
}
const firstMemberOf = (org, skip = []) =>
  Number(sql(`SELECT min(id) FROM member WHERE org_id = ${org} AND active = 1${skip.length ? ` AND id NOT IN (${skip.join(',')})` : ''}`));

/** Everything a refused request must leave alone. */
function snap() {
  return sql('SELECT (SELECT count(*) FROM question) || \'/\' || (SELECT count(*) FROM quiz) || \'/\' || (SELECT count(*) FROM quiz_answer) || \'/\' || ' +
    '(SELECT coalesce(sum(answered), 0) FROM quiz_rollup) || \'/\' || (SELECT count(*) FROM study_note) || \'/\' || (SELECT count(*) FROM audit_log)');
}
async function refused(what, send, status, code, field) {
  const before = snap();
  const r = await send();
  try { expectError(r, status, code, field); } catch (e) { e.message = `${what}: ${e.message}`; throw e; }
  assert.equal(snap(), before, `${what} was refused but changed something`);
  return r.json.error;
}

const HEAD = ['题型', '题干', '选项A', '选项B', '选项C', '选项D', '答案', '解析'];
const GOOD = [
  ['单选题', '党的根本宗旨是（　）。', '全心全意为人民服务', '实事求是', '解放思想', '与时俱进', 'A', '党章总纲'],
  ['多选题', '“三会一课”中的“三会”是指（　）。', '支部党员大会', '支部委员会', '党小组会', '民主生活会', 'A、B、C', ''],
  ['判断题', '预备党员的预备期为一年。', null, null, null, null, '对', '党章第七条'],
  [null, '党支部委员会每届任期为五年。', null, null, null, null, '错', '三年或者五年'],
  ['单选', '主题党日一般每（　）开展一次。', '周', '月', '季度', '年', 'ｂ', ''],
];
const importFile = (c, org, data, name) => c.req('POST', `/api/v1/orgs/${org}/question-bank/import`, { body: fileForm(data, name) });
const bankOf = async (c, org) => (await ok(await c.get(`/api/v1/orgs/${org}/question-bank`))).questions;
const newQuiz = (c, org, over = {}) => c.post(`/api/v1/orgs/${org}/quizzes`, { title: `测试${++nacct}`, scope_org_id: String(townId),
  opens_at: String(now() - 60), closes_at: String(now() + 3600), pass_mark: '60', ...over });

let bank; // the office's questions imported here, in file order
test('the bank: an XLSX with a title row above the header imports every question; the template downloads', async () => {
  const t = await office.get('/api/v1/question-bank/template');
  assert.equal(t.status, 200);
  assert.equal(t.buf.subarray(0, 2).toString(), 'PK');
  // the template's own rows import as they are
  const before = (await bankOf(office, rootId)).length;
  const x = xlsxFromRows([['2026年党章党规学习测试题库'], [], HEAD, ...GOOD, ['填表说明：答案填写选项字母，判断题填对或错。']], { merges: ['A1:H1'] });
  const r = await importFile(office, rootId, x, '题库.xlsx');
  const rep = (await ok(r, 201)).report;
  assert.equal(rep.header_row, 3);
  assert.equal(rep.imported, 5);
  assert.equal(rep.error_count, 0);
  const all = await bankOf(office, rootId);
  assert.equal(all.length, before + 5);
  bank = all.slice(before);
  assert.deepEqual(bank.map((q) => [q.type, q.answer]), [['single', 'A'], ['multiple', 'ABC'], ['truefalse', 'A'], ['truefalse', 'B'], ['single', 'B']]);
  assert.deepEqual(bank[2].options.map((o) => o.text), ['正确', '错误']);
  assert.equal(bank[0].explanation, '党章总纲');
  // the template itself imports (its three sample rows)
  assert.equal((await ok(await importFile(office, rootId, t.buf, '模板.xlsx'), 201)).report.imported, 3);
  // audited by counts, never an answer
  const a = sql("SELECT after_json FROM audit_log WHERE entity = 'question' ORDER BY seq DESC LIMIT 1");
  assert.match(a, /"questions":3/);
  assert.doesNotMatch(a, /answer|全心全意/);
});

test('a bank file with bad rows is refused whole, each row named with its column and reason; malformed files too', async () => {
  const csv = '\ufeff' + [HEAD.join(','), '单选题,,甲,乙,,,A,', '单选题,题干一,甲,乙,丙,,AB,', '单选题,题干二,甲,,丙,,A,', '填空题,题干三,甲,乙,,,A,',
    '单选题,题干四,甲,乙,,,E,', '多选题,题干五,甲,乙,丙,,,', '单选题,题干六,甲,,,,A,', '判断题,题干七,,,,,也许,', '单选题,题干八,甲,乙,,,B,好题'].join('\r\n');
  const before = snap();
  const r = await importFile(office, rootId, Buffer.from(csv), 'bank.csv');
  assert.equal(r.status, 422, r.text);
  assert.equal(r.json.error.code, 'import_invalid');
  assert.equal(snap(), before, 'nothing half-imported');
  const errs = r.json.report.errors.map((e) => [e.row, e.column, e.code]);
  assert.deepEqual(errs, [[2, '题干', 'required'], [3, '答案', 'invalid_answer'], [4, '选项B', 'option_missing'], [5, '题型', 'invalid_type'],
    [6, '答案', 'invalid_answer'], [7, '答案', 'answer_missing'], [8, '选项B', 'too_few_options'], [9, '答案', 'invalid_answer']]);
  for (const e of r.json.report.errors) assert.match(e.text, new RegExp(`^第 ${e.row} 行“${e.column}”列：[\u4e00-\u9fff]`), e.text);
  assert.match(r.json.report.errors[1].reason, /单选题只能选一个/);
  assert.equal(r.json.report.valid_rows, 1);
  // malformed files, nothing imported
  const zipJunk = Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(200, 7)]);
  await refused('a broken XLSX', () => importFile(office, rootId, zipJunk, 'x.xlsx'), 400, 'bad_xlsx', 'file');
  await refused('a CSV with an open quote', () => importFile(office, rootId, Buffer.from('题干,答案\r\n"未闭合,A\r\n'), 'x.csv'), 400, 'bad_csv', 'file');
  await refused('no header row', () => importFile(office, rootId, Buffer.from('姓名,性别\r\n张三,男\r\n'), 'x.csv'), 422, 'no_header', 'file');
  await refused('a header and nothing under it', () => importFile(office, rootId, xlsxFromRows([['标题'], HEAD]), 'x.xlsx'), 422, 'empty_file', 'file');
  await refused('UTF-16 text', () => importFile(office, rootId, Buffer.from('\ufffe题干', 'utf16le'), 'x.csv'), 400, 'bad_file', 'file');
  await refused('no file', () => office.post(`/api/v1/orgs/${rootId}/question-bank/import`), 400, 'file_required', 'file');
  // not the office's bank: another office, a secretary, a member
  await refused('the town office into the district bank', () => importFile(town, rootId, Buffer.from(csv), 'b.csv'), 404, 'not_found');
  for (const c of [secretary, member]) {
    const x = await importFile(c, rootId, Buffer.from(csv), 'b.csv');
    assert.ok(x.status === 403 || x.status === 404, x.text);
    assert.ok([403, 404].includes((await c.get(`/api/v1/orgs/${rootId}/question-bank`)).status));
  }
});

test('a quiz is made from chosen or drawn questions of the office\'s own bank; forged ids, impossible windows refused', async () => {
  const q = (await ok(await newQuiz(office, rootId, { question_ids: bank.map((x) => x.id).join(',') }), 201)).quiz;
  assert.equal(q.questions, 5);
  assert.equal(q.state, 'open');
  const drawn = (await ok(await newQuiz(office, rootId, { draw_n: '3' }), 201)).quiz;
  assert.equal(drawn.questions, 3);
  // the town's own bank is empty: a district question is not the town's to use
  await refused('another office\'s question', () => newQuiz(town, townId, { scope_org_id: '', question_ids: String(bank[0].id) }), 422, 'invalid_question', 'question_ids');
  await refused('a question id that does not exist', () => newQuiz(office, rootId, { question_ids: `${bank[0].id},999999` }), 422, 'invalid_question', 'question_ids');
  await refused('a question id that is no number', () => newQuiz(office, rootId, { question_ids: `${bank[0].id},1 OR 1=1` }), 422, 'invalid_question', 'question_ids');
  await refused('more drawn than the bank holds', () => newQuiz(office, rootId, { draw_n: '100000' }), 422, 'invalid_questions', 'draw_n');
  await refused('no question at all', () => newQuiz(office, rootId, {}), 422, 'invalid_questions');
  await refused('closing before opening', () => newQuiz(office, rootId, { draw_n: '1', closes_at: String(now() - 120) }), 422, 'invalid_window', 'closes_at');
  await refused('a time that is no time', () => newQuiz(office, rootId, { draw_n: '1', opens_at: '2026-13-45 25:00' }), 422, 'invalid_time', 'opens_at');
  await refused('a pass mark above 100', () => newQuiz(office, rootId, { draw_n: '1', pass_mark: '101' }), 422, 'invalid_pass_mark', 'pass_mark');
  await refused('a scope outside the office', () => newQuiz(town, townId, { draw_n: '1', scope_org_id: String(rootId) }), 404, 'not_found', 'scope_org_id');
  await refused('a secretary making a quiz', () => newQuiz(secretary, branchA, { draw_n: '1', scope_org_id: '' }), 403, 'forbidden');
});

/** Every answer key a JSON or page could carry. */
function assertNoKey(what, text, qs) {
  assert.doesNotMatch(text, /"(answer|correct|explanation|right|score|correct_answer)"\s*:/, `${what} shows an answer or score`);
  assert.doesNotMatch(text, /✔|正确答案 [A-H]|解析：/, `${what} shows an answer`);
  for (const q of qs) if (q.explanation) assert.ok(!text.includes(q.explanation), `${what} shows the explanation of “${q.stem}”`);
}

test('no correct answer is visible to anyone answering before the window closes; after closing the member sees theirs and the right ones', async () => {
  const q = (await ok(await newQuiz(office, rootId, { question_ids: bank.map((x) => x.id).join(','), pass_mark: '80' }), 201)).quiz;
  // a town office account that is itself a member in the scope: the bank hides the answers of questions in the open quiz
  const insider = await memberLogin(firstMemberOf(branchA, [member.user.member_id]), 'office', rootId);
  // before answering: the quiz, the member's list, the page, the results route and the bank
  const routes = [`/api/v1/quizzes/${q.id}`, '/api/v1/me/quizzes', `/quizzes/${q.id}`, '/me/quizzes', `/api/v1/quizzes/${q.id}/results`,
    `/quizzes/${q.id}/results`, `/api/v1/orgs/${rootId}/question-bank`, `/orgs/${rootId}/question-bank`, `/api/v1/orgs/${townId}/quizzes`,
    `/api/v1/quizzes/${q.id}/results?format=xlsx`];
  for (const c of [member, insider]) {
    for (const p of routes) {
      const r = await c.get(p);
      if (r.status !== 200) { assert.ok([403, 404, 409].includes(r.status), `${p}: ${r.status}`); continue; } // 409: no score export before closing
      if (r.buf.subarray(0, 2).toString() === 'PK') continue; // an XLSX of scores holds no answer
      if (p.endsWith('question-bank')) { // the bank of an office that is also a member: the quiz's questions without their answers
        const ids = new Set(bank.map((x) => x.id));
        if (r.json) assertNoKey(`${p} (${c.user.username})`, JSON.stringify(r.json.questions.filter((x) => ids.has(x.id)).map((x) => ({ ...x, answer_hidden: undefined }))), bank);
        else assert.ok(r.text.split('答案在测试截止前不显示').length - 1 >= bank.length, 'the page hides each answer');
        continue;
      }
      // lists: this quiz's entry (the demo's closed quiz rightly shows its score)
      const text = r.json && r.json.quizzes ? JSON.stringify(r.json.quizzes.filter((x) => x.id === q.id)) : r.text;
      assertNoKey(`${p} (${c.user.username})`, text, bank);
    }
  }
  const bankSeen = (await ok(await insider.get(`/api/v1/orgs/${rootId}/question-bank`))).questions.filter((x) => x.id === bank[0].id);
  assert.deepEqual([bankSeen[0].answer_hidden, bankSeen[0].answer], [true, undefined], 'an office that is also a member does not read the key');
  assert.equal((await ok(await office.get(`/api/v1/orgs/${rootId}/question-bank`))).questions.find((x) => x.id === bank[0].id).answer, 'A',
    'an office that is no member keeps its bank');
  // the member's desk counts the open quizzes not yet answered
  const deskOpen = async () => (await ok(await member.get('/api/v1/me/desk'))).sections.flatMap((x) => x.items).find((i) => i.key === 'quizzes_open').count;
  const open0 = await deskOpen();
  assert.ok(open0 >= 1);
  const seen = (await ok(await member.get(`/api/v1/quizzes/${q.id}`)));
  assert.equal(seen.questions.length, 5);
  assert.equal(seen.mine.can_answer, true);
  // the answer sheet: right on 1, 3, 5 (60 < 80: not passed), wrong on 2 and 4
  const r = await member.post(`/api/v1/quizzes/${q.id}/answers`, { q1: 'A', q2: 'AB', q3: '对', q4: '对', q5: 'B' });
  const got = await ok(r, 201);
  assertNoKey('the submit answer', r.text, bank);
  assert.equal(got.mine.submitted, true);
  assert.equal(await deskOpen(), open0 - 1, 'answered: off the desk');
  // after submitting, still open: no score, no questions to look at again
  const after1 = await member.get(`/api/v1/quizzes/${q.id}`);
  assertNoKey('the quiz after submitting', after1.text, bank);
  assert.equal(after1.json.mine.submitted, true);
  assert.equal(after1.json.questions, undefined);
  const page = await member.get(`/quizzes/${q.id}`);
  assert.match(page.text, /成绩和正确答案在测试截止后公布/);
  assertNoKey('the page after submitting', page.text, bank);
  // staff before closing: the preview without answers, the results with scores
  const prev = await office.get(`/api/v1/quizzes/${q.id}`);
  assertNoKey('the office\'s preview', prev.text, bank);
  // closing early: only the office over the issuer, only while open
  for (const c of [town, secretary, member]) {
    const x = await c.post(`/api/v1/quizzes/${q.id}/close`, {});
    assert.ok([403, 404].includes(x.status), `${c.user.username}: ${x.status}`);
  }
  await ok(await office.post(`/api/v1/quizzes/${q.id}/close`, {}));
  expectError(await office.post(`/api/v1/quizzes/${q.id}/close`, {}), 409, 'not_open');
  const fin = await ok(await member.get(`/api/v1/quizzes/${q.id}`));
  assert.equal(fin.quiz.state, 'closed');
  assert.deepEqual([fin.mine.score, fin.mine.correct, fin.mine.passed], [60, 3, false]);
  assert.deepEqual(fin.questions.map((x) => [x.answer, x.chosen, x.right]), [['A', 'A', true], ['ABC', 'AB', false], ['A', 'A', true], ['B', 'A', false], ['B', 'B', true]]);
  assert.equal(fin.questions[0].explanation, '党章总纲');
  const pg = await member.get(`/quizzes/${q.id}`);
  assert.match(pg.text, /得分 <strong>60<\/strong>/);
  assert.match(pg.text, /正确答案 ABC/);
  const mine = (await ok(await member.get('/api/v1/me/quizzes'))).quizzes.find((x) => x.id === q.id);
  assert.deepEqual([mine.submitted, mine.score], [true, 60]);
  // too late now
  await refused('an answer after closing', () => insider.post(`/api/v1/quizzes/${q.id}/answers`, { q1: 'A', q2: 'A', q3: 'A', q4: 'A', q5: 'A' }), 409, 'closed', 'id');
  // the bank shows the insider the answers again once no open quiz uses them
  const b2 = (await ok(await office.get(`/api/v1/orgs/${rootId}/question-bank`))).questions.find((x) => x.id === bank[0].id);
  assert.equal(b2.answer, 'A');
});

test('answering twice at once makes one sheet counted once; before it opens, outside the subtree and forged answers are refused', async () => {
  const q = (await ok(await newQuiz(office, rootId, { question_ids: bank.slice(0, 3).map((x) => x.id).join(',') }), 201)).quiz;
  const who = await memberLogin(firstMemberOf(branchA, [member.user.member_id, Number(sql(`SELECT coalesce(max(member_id), 0) FROM app_user WHERE username LIKE 'qz%'`))]));
  const body = { q1: 'A', q2: 'ABC', q3: 'A' };
  // forged question numbers and options
  await refused('a question the quiz does not have', () => who.post(`/api/v1/quizzes/${q.id}/answers`, { ...body, q4: 'A' }), 422, 'invalid_question', 'q4');
  await refused('question 0', () => who.post(`/api/v1/quizzes/${q.id}/answers`, { ...body, q0: 'A' }), 422, 'invalid_question', 'q0');
  await refused('a bank id as the question', () => who.post(`/api/v1/quizzes/${q.id}/answers`, { ...body, [`q${bank[0].id + 100}`]: 'A' }), 422, 'invalid_question');
  await refused('an option that is not there', () => who.post(`/api/v1/quizzes/${q.id}/answers`, { ...body, q1: 'F' }), 422, 'invalid_option', 'q1');
  await refused('two options to a single choice', () => who.post(`/api/v1/quizzes/${q.id}/answers`, { ...body, q1: 'AB' }), 422, 'invalid_option', 'q1');
  await refused('an option twice', () => who.post(`/api/v1/quizzes/${q.id}/answers`, { ...body, q2: 'AA' }), 422, 'invalid_option', 'q2');
  await refused('an answer as a number', () => who.post(`/api/v1/quizzes/${q.id}/answers`, { ...body, q1: 1 }), 422, 'invalid_option', 'q1');
  await refused('a question left out', () => who.post(`/api/v1/quizzes/${q.id}/answers`, { q1: 'A', q2: 'A' }), 422, 'unanswered', 'q3');
  // two at once: one sheet
  const rs = await Promise.all([0, 1, 2].map(() => who.post(`/api/v1/quizzes/${q.id}/answers`, body)));
  assert.deepEqual(rs.map((r) => r.status).sort(), [201, 409, 409], rs.map((r) => r.text.slice(0, 200)).join('\n'));
  for (const r of rs) if (r.status === 409) assert.equal(r.json.error.code, 'already_answered');
  assert.equal(sql(`SELECT count(*) FROM quiz_answer WHERE quiz_id = ${q.id}`), '1');
  assert.equal(sql(`SELECT answered FROM quiz_rollup WHERE quiz_id = ${q.id} AND org_id = ${rootId}`), '1');
  assert.equal(sql(`SELECT count(*) FROM audit_log WHERE entity = 'quiz' AND entity_id = ${q.id} AND action = 'answer'`), '1');
  // a member outside the subtree: as if there were no quiz
  const outsider = await memberLogin(firstMemberOf(branchB));
  expectError(await outsider.get(`/api/v1/quizzes/${q.id}`), 404, 'not_found');
  await refused('a member outside the scope', () => outsider.post(`/api/v1/quizzes/${q.id}/answers`, body), 404, 'not_found');
  assert.equal((await ok(await outsider.get('/api/v1/me/quizzes'))).quizzes.some((x) => x.id === q.id), false);
  // staff cannot answer for a member; a quiz not yet open shows no question and takes no answer
  await refused('a secretary answering', () => secretary.post(`/api/v1/quizzes/${q.id}/answers`, body), 403, 'forbidden');
  const later = (await ok(await newQuiz(office, rootId, { draw_n: '2', opens_at: String(now() + 3600), closes_at: String(now() + 7200) }), 201)).quiz;
  const lv = await ok(await member.get(`/api/v1/quizzes/${later.id}`));
  assert.equal(lv.questions, undefined);
  assert.equal(lv.mine.can_answer, false);
  await refused('an answer before it opens', () => member.post(`/api/v1/quizzes/${later.id}/answers`, { q1: 'A', q2: 'A' }), 409, 'not_open', 'id');
  // ids that are not numbers
  expectError(await member.get('/api/v1/quizzes/1e3'), 404, 'not_found');
  expectError(await member.post('/api/v1/quizzes/-1/answers', body), 404, 'not_found');
});

test('an answer sheet committed while another submit of the same member waits: the second is refused, counted once', async () => {
  const q = (await ok(await newQuiz(office, rootId, { question_ids: String(bank[0].id) }), 201)).quiz;
  if (BACKEND !== 'pg') { // SQLite: the two write transactions run one after the other
    const rs = await Promise.all([member.post(`/api/v1/quizzes/${q.id}/answers`, { q1: 'A' }), member.post(`/api/v1/quizzes/${q.id}/answers`, { q1: 'B' })]);
    assert.deepEqual(rs.map((r) => r.status).sort(), [201, 409]);
    assert.equal(sql(`SELECT answered FROM quiz_rollup WHERE quiz_id = ${q.id} AND org_id = ${branchA}`), '1');
    return;
  }
  // another request's sheet, its transaction not yet committed (the same rows a submit writes)
  const p = spawn('psql', ['-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', srv.db], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  p.stdout.on('data', (b) => { out += b; });
  const step = (q, mark) => { p.stdin.write(`${q}; SELECT '${mark}';\n`); return new Promise((res) => { const f = () => { if (out.includes(mark)) res(); }; p.stdout.on('data', f); f(); }); };
  const mid = member.user.member_id;
  await step(`BEGIN; INSERT INTO quiz_answer (quiz_id, member_id, org_id, org_path, answers, correct, score, passed, user_id, submitted_at) ` +
    `SELECT ${q.id}, m.id, m.org_id, o.path, '["A"]', 1, 100, 1, 0, ${now()} FROM member m JOIN org o ON o.id = m.org_id WHERE m.id = ${mid}; ` +
    `INSERT INTO quiz_rollup (quiz_id, org_id, answered, passed, score_sum) SELECT ${q.id}, a.id, 1, 1, 100 FROM org a, member m JOIN org o ON o.id = m.org_id ` +
    `WHERE m.id = ${mid} AND o.path LIKE a.path || '%'`, 'held');
  const sub = member.post(`/api/v1/quizzes/${q.id}/answers`, { q1: 'B' });
  // until the submit waits on the held sheet (asked without blocking, so the request goes out meanwhile)
  const waiting = () => new Promise((resolve) => {
    const w = spawn('psql', ['-q', '-t', '-A', srv.db, '-c', "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO quiz_answer%'"],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    let o = '';
    w.stdout.on('data', (b) => { o += b; });
    w.on('close', () => resolve(o.trim() !== '0'));
  });
  while (!(await waiting()));
  await step('COMMIT', 'done');
  p.stdin.end();
  expectError(await sub, 409, 'already_answered');
  assert.equal(sql(`SELECT score FROM quiz_answer WHERE quiz_id = ${q.id}`), '100', 'the committed sheet stands');
  assert.equal(sql(`SELECT answered FROM quiz_rollup WHERE quiz_id = ${q.id} AND org_id = ${rootId}`), '1');
  assert.equal(srv.cli(['recount']).status, 0, 'the roll-up matches the sheets');
});

test('results: pass rates and rankings of the organisations below, scores, the XLSX; each sees only their part', async () => {
  const q = (await ok(await newQuiz(office, rootId, { question_ids: bank.slice(0, 2).map((x) => x.id).join(',') }), 201)).quiz;
  await ok(await member.post(`/api/v1/quizzes/${q.id}/answers`, { q1: 'A', q2: 'ABC' }), 201);
  const res = await ok(await office.get(`/api/v1/quizzes/${q.id}/results`));
  assert.equal(res.org.id, townId);
  assert.deepEqual([res.tally.answered, res.tally.passed, res.tally.pass_rate], [1, 1, '100.0%']);
  assert.ok(res.ranking.length >= 1);
  assert.equal(res.ranking[0].answered, 1, 'the organisation with the answer ranks first');
  assert.equal(res.scores[0].score, 100);
  assert.equal(res.scores[0].member_id, member.user.member_id);
  const x = await office.get(`/api/v1/quizzes/${q.id}/results?format=xlsx`);
  assert.equal(x.status, 200);
  assert.equal(x.buf.subarray(0, 2).toString(), 'PK');
  // the branch secretary: the branch's own figures; another town's: nothing
  const sr = await ok(await secretary.get(`/api/v1/quizzes/${q.id}/results`));
  assert.equal(sr.org.id, branchA);
  expectError(await secretary.get(`/api/v1/quizzes/${q.id}/results?org_id=${townId}`), 404, 'not_found', 'org_id');
  expectError(await secretary2.get(`/api/v1/quizzes/${q.id}/results`), 404, 'not_found');
  expectError(await secretary2.get(`/api/v1/quizzes/${q.id}`), 404, 'not_found');
  expectError(await office.get(`/api/v1/quizzes/${q.id}/results?org_id=abc`), 400, 'invalid_query', 'org_id');
  expectError(await office.get(`/api/v1/quizzes/${q.id}/results?org_id=${branchB}`), 404, 'not_found', 'org_id');
  // a secretary who is also a member of the scope: participation only until it closes (no score, no pass rate, no ranking, no XLSX)
  const sm = await memberLogin(firstMemberOf(branchA, [member.user.member_id, ...sql("SELECT member_id FROM app_user WHERE username LIKE 'qz%'").split('\n').map(Number)]),
    'secretary', branchA);
  const hid = await sm.get(`/api/v1/quizzes/${q.id}/results`);
  assert.equal(hid.json.scores_hidden, true);
  assert.deepEqual([hid.json.tally.answered, hid.json.scores], [1, undefined]);
  assertNoKey('the results to an answerer before closing', JSON.stringify(hid.json).replace(/"scores_hidden":true,?/g, ''), bank);
  assert.doesNotMatch(hid.text, /"(passed|pass_rate|average|rank)"/);
  expectError(await sm.get(`/api/v1/quizzes/${q.id}/results?format=xlsx`), 409, 'not_closed', 'format');
  const listed = (await ok(await sm.get(`/api/v1/orgs/${branchA}/quizzes`))).quizzes.find((x) => x.id === q.id).tally;
  assert.deepEqual([listed.answered, listed.scores_hidden, listed.pass_rate], [1, true, undefined]);
  // the dashboard's 学习测试 block: the newest quiz, from the roll-ups; the pass rate once it closed
  let dash = (await ok(await town.get(`/api/v1/orgs/${townId}/dashboard`))).study;
  assert.deepEqual([dash.quiz_id, dash.answered, dash.closed, dash.pass_text], [q.id, 1, false, undefined]);
  assert.equal(dash.members, Number(sql(`SELECT members_active FROM org_tally WHERE org_id = ${townId}`)));
  await ok(await office.post(`/api/v1/quizzes/${q.id}/close`, {}));
  dash = (await ok(await town.get(`/api/v1/orgs/${townId}/dashboard`))).study;
  assert.deepEqual([dash.quiz_id, dash.answered, dash.passed, dash.pass_text], [q.id, 1, 1, '100.0%']);
  assert.match((await town.get(`/orgs/${townId}/dashboard`)).text, /id="study-pass">100\.0%</);
  assert.equal((await ok(await sm.get(`/api/v1/quizzes/${q.id}/results`))).scores[0].score, 100, 'after closing the scores show');
  // the town's quiz list carries the figures; the leader of the town sees it
  const l = (await ok(await leader.get(`/api/v1/orgs/${townId}/quizzes`))).quizzes.find((z) => z.id === q.id);
  assert.equal(l.tally.answered, 1);
  // the roll-up agrees with the sheets; a counter changed behind the server's back is found and fixed
  assert.equal(srv.cli(['recount']).status, 0);
  sql(`UPDATE quiz_rollup SET passed = passed + 5 WHERE quiz_id = ${q.id} AND org_id = ${townId}`);
  const rc = srv.cli(['recount']);
  assert.equal(rc.status, 1);
  assert.match(rc.stdout, /测试成绩 测试 \d+ .*及格（passed）：记录为 6，按原始记录应为 1/);
  assert.equal(srv.cli(['recount', '--fix']).status, 1);
  assert.equal(srv.cli(['recount']).status, 0);
});

test('study notes: a member writes their own; the secretary and the offices above read them and the counts; nobody else', async () => {
  const d = (await ok(await member.get('/api/v1/me/study-notes'))).notes.length;
  await refused('self-study without the material', () => member.post('/api/v1/me/study-notes', { text: '学习体会' }), 400, 'required', 'material');
  await refused('no text', () => member.post('/api/v1/me/study-notes', { material: '党章', text: '  ' }), 400, 'required', 'text');
  await refused('a text too long', () => member.post('/api/v1/me/study-notes', { material: '党章', text: '学'.repeat(3001) }), 400, 'too_long', 'text');
  // a study meeting of the branch, another kind of meeting, another branch's study meeting
  // (made and held as a secretary would, so the quarter roll-ups count them)
  const mk = async (org, kind) => {
    const m = (await ok(await office.post(`/api/v1/orgs/${org}/meetings`, { kind, title: `${kind}会议`, held_on: '2026-09-10' }), 201)).meeting;
    await ok(await office.post(`/api/v1/meetings/${m.id}/hold`, {}));
    return String(m.id);
  };
  const study = await mk(branchA, 'study'), committee = await mk(branchA, 'committee'), elsewhere = await mk(branchB, 'study'), above = await mk(townId, 'study');
  await refused('a meeting that is no study session', () => member.post('/api/v1/me/study-notes', { meeting_id: committee, text: '体会' }), 422, 'invalid_meeting', 'meeting_id');
  await refused('another branch\'s study session', () => member.post('/api/v1/me/study-notes', { meeting_id: elsewhere, text: '体会' }), 422, 'invalid_meeting', 'meeting_id');
  await refused('a meeting id that is no number', () => member.post('/api/v1/me/study-notes', { meeting_id: '1;DROP', text: '体会' }), 422, 'invalid_meeting', 'meeting_id');
  await refused('staff writing a note', () => secretary.post('/api/v1/me/study-notes', { material: '党章', text: '体会' }), 403, 'forbidden');
  const a = (await ok(await member.post('/api/v1/me/study-notes', { meeting_id: study, text: '通过学习，认识到支部工作要常抓不懈。' }), 201)).note;
  assert.equal(a.kind_label, '学习会');
  const b = (await ok(await member.post('/api/v1/me/study-notes', { meeting_id: above, text: '镇党委学习会心得' }), 201)).note;
  const c = (await ok(await member.post('/api/v1/me/study-notes', { material: '《中国共产党章程》', text: '自学党章的体会<script>x</script>' }), 201)).note;
  assert.equal(c.kind_label, '自学');
  const mine = await ok(await member.get('/api/v1/me/study-notes?meetings=1'));
  assert.equal(mine.notes.length, d + 3);
  assert.ok(mine.meetings.some((m) => String(m.id) === String(study)) && !mine.meetings.some((m) => String(m.id) === String(elsewhere)));
  const page = await member.get(`/study-notes/${c.id}`);
  assert.ok(page.text.includes('&lt;script&gt;') && !page.text.includes('<script>x'));
  // readers: the branch secretary, the town and district offices
  const year = new Date().getFullYear();
  for (const [cl, org] of [[secretary, branchA], [town, townId], [office, rootId]]) {
    const l = await ok(await cl.get(`/api/v1/orgs/${org}/study-notes?period=${year}`));
    assert.ok(l.notes.some((n) => n.id === a.id) && l.notes.some((n) => n.id === b.id), `${cl.user.username} sees the notes`);
    assert.ok(l.total >= 3);
    await ok(await cl.get(`/api/v1/study-notes/${a.id}`));
  }
  const pg = await secretary.get(`/orgs/${branchA}/study-notes?period=${year}`);
  assert.equal(pg.status, 200);
  assert.ok(pg.text.includes(`/orgs/${branchA}/study-notes?member_id=${member.user.member_id}&amp;period=${year}`), 'each note links its member\'s notes');
  const one = await ok(await secretary.get(`/api/v1/orgs/${branchA}/study-notes?period=${year}&member_id=${member.user.member_id}`));
  assert.ok(one.notes.length >= 3 && one.notes.every((n) => n.member_id === member.user.member_id));
  expectError(await secretary.get(`/api/v1/orgs/${branchA}/study-notes?member_id=${firstMemberOf(branchB)}`), 404, 'not_found');
  const byChild = (await ok(await town.get(`/api/v1/orgs/${townId}/study-notes?period=${year}`))).children;
  const sum = byChild.reduce((s, x) => s + x.notes, 0);
  assert.equal(sum, (await ok(await town.get(`/api/v1/orgs/${townId}/study-notes?period=${year}`))).total, 'the children add up');
  // not: another town's secretary, the leader, the discipline inspector, another member
  expectError(await secretary2.get(`/api/v1/orgs/${branchA}/study-notes`), 404, 'not_found');
  expectError(await secretary2.get(`/api/v1/study-notes/${a.id}`), 404, 'not_found');
  expectError(await leader.get(`/api/v1/study-notes/${a.id}`), 404, 'not_found');
  const other = await memberLogin(firstMemberOf(branchA, [member.user.member_id, ...sql("SELECT member_id FROM app_user WHERE username LIKE 'qz%'").split('\n').map(Number)]));
  expectError(await other.get(`/api/v1/study-notes/${a.id}`), 404, 'not_found');
  assert.equal((await ok(await other.get('/api/v1/me/study-notes'))).notes.some((n) => n.id === a.id), false);
  expectError(await secretary.get(`/api/v1/orgs/${branchA}/study-notes?period=2026Q5`), 400, 'invalid_query', 'period');
  // counted in the quarter roll-ups: recount agrees
  assert.equal(srv.cli(['recount']).status, 0);
});

test('a branch with answer sheets and notes moved to another town: the roll-ups follow it, recount finds nothing', async () => {
  const townB = (await ok(await office.get(`/api/v1/orgs/${branchB}`))).org.parent_id;
  const before = Number(sql(`SELECT coalesce(sum(answered), 0) FROM quiz_rollup WHERE org_id = ${townId}`));
  const mine = Number(sql(`SELECT coalesce(sum(answered), 0) FROM quiz_rollup WHERE org_id = ${branchA}`));
  assert.ok(mine > 0, 'the branch has answer sheets');
  await ok(await office.post(`/api/v1/orgs/${branchA}/move`, { parent_id: townB }));
  assert.equal(Number(sql(`SELECT coalesce(sum(answered), 0) FROM quiz_rollup WHERE org_id = ${townId}`)), before - mine);
  const r = srv.cli(['recount']);
  assert.equal(r.status, 0, r.stdout);
  // the town's secretary no longer reads the branch's notes; the other town's office does
  const year = new Date().getFullYear();
  assert.equal((await ok(await town.get(`/api/v1/orgs/${townId}/study-notes?period=${year}`))).notes.some((n) => n.org_id === branchA), false);
  await ok(await office.post(`/api/v1/orgs/${branchA}/move`, { parent_id: townId }));
  assert.equal(Number(sql(`SELECT coalesce(sum(answered), 0) FROM quiz_rollup WHERE org_id = ${townId}`)), before);
  assert.equal(srv.cli(['recount']).status, 0);
});
