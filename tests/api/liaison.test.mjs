// liaison.test.mjs: liaison points (联络点) over HTTP, on this file's own demo database: the rule as
// data (inherited down the tree, careless rules refused), an office assigning points to leaders of
// its subtree (outside the subtree 404, a non-leader 422, a committee 422, beyond the rule's max 422
// naming the rule, the same point twice — and twice at once — 409, four at once beyond max: only max
// made), the lists of leaders with none, too few and too few visits (pages, API, XLSX), visits by the
// leader or the office (a leader at someone else's point refused, malformed dates refused, nothing
// changed), a visit's problem turned into rectification once even when two requests race, ending a
// point keeps its history, the quarter roll-ups and `cxzy recount`.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, expectError, multipartBody, daysFromToday, sqlOn, BACKEND, PASSWORD, PNG_1x1 as PNG, unzip, pgHolder, pgLockWait, expectOk as ok } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const [office, town, secretary, secretary2, leader] = await Promise.all(
  ['office', 'town', 'secretary', 'secretary2', 'leader'].map((u) => loginAs(srv.base, u)));
const rootId = office.user.roles[0].org_id;
const townId = town.user.roles[0].org_id;
const branchA = secretary.user.roles[0].org_id;
const branchB = secretary2.user.roles[0].org_id;
const townB = (await office.get(`/api/v1/orgs/${branchB}`)).json.org.parent_id;
const sql = (q) => sqlOn(srv.db, q);
const today = daysFromToday(0);

/** A leader account of its own at org (made with the command line), logged in. */
let nLeaders = 0;
async function newLeader(org, name) {
  const u = `lxleader${++nLeaders}`;
  const r = srv.cli(['user', 'add', u, '--name', name || `联络点测试领导${nLeaders}`, '--password-file', '-', '--role', 'leader', '--org', String(org)],
    { input: PASSWORD + '\n' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const c = await loginAs(srv.base, u);
  return c;
}
const townPath = sql(`SELECT path FROM org WHERE id = ${townId}`);
for (let i = 1; i <= 3; i++) // the demo's small town has few branches: three more
  await ok(await town.post(`/api/v1/orgs/${townId}/children`, { name: `联络点测试支部${i}`, type: 'branch', sector: 'rural' }), 201);
const townBranches = sql(`SELECT id FROM org WHERE active = 1 AND type = 'branch' AND path LIKE '${townPath}%' ORDER BY id`).split('\n').map(Number);
assert.ok(townBranches.length >= 5, `the first town has ${townBranches.length} branches`);
const assign = (c, org, leaderId, target, since) => c.post(`/api/v1/orgs/${org}/liaison-points`, { leader_id: String(leaderId), org_id: String(target), ...(since ? { since } : {}) });
const visit = async (c, pointId, fields) => c.req('POST', `/api/v1/liaison-points/${pointId}/visits`,
  await multipartBody(Object.entries(fields).map(([k, v]) => (Array.isArray(v) ? [k, ...v] : [k, v]))));

/** What a refused request must leave alone: points, visits, rules, rectification, roll-ups, the audit head. */
function snap() {
  return sql(`SELECT (SELECT count(*) FROM liaison_point) || ',' || (SELECT count(*) FROM liaison_point WHERE until IS NULL) || ',' || ` +
    `(SELECT count(*) FROM liaison_visit) || ',' || (SELECT count(*) FROM liaison_visit_file) || ',' || (SELECT count(*) FROM liaison_rule) || ',' || ` +
    `(SELECT count(*) FROM rectification) || ',' || (SELECT coalesce(sum(visits), 0) FROM period_rollup) || ',' || (SELECT max(seq) FROM audit_log)`);
}
async function refused(what, send, status, code, field) {
  const before = snap();
  const r = await send();
  try { expectError(r, status, code, field); } catch (e) { e.message = `${what}: ${e.message}`; throw e; }
  assert.equal(snap(), before, `${what} was refused but changed something`);
  return r.json.error;
}

test('the rule is data: defaults, set by an office for its subtree, the nearest one decides; careless rules refused', async () => {
  const d = await ok(await town.get(`/api/v1/orgs/${townId}/liaison`));
  assert.deepEqual([d.rule.min_points, d.rule.max_points, d.rule.leader_visits, d.rule.dept_visits], [1, 2, 2, 3]);
  assert.equal(d.rule.from, '默认规则');
  await ok(await office.post(`/api/v1/orgs/${rootId}/liaison-rule`, { min_points: '1', max_points: '3', leader_visits: '4', dept_visits: '6' }));
  const t = await ok(await town.get(`/api/v1/orgs/${townId}/liaison`));
  assert.deepEqual([t.rule.max_points, t.rule.leader_visits], [3, 4]);
  assert.notEqual(t.rule.from, '默认规则', 'the district\'s rule reaches the town');
  assert.equal(t.rule.own, false);
  await ok(await town.post(`/api/v1/orgs/${townId}/liaison-rule`, { min_points: '1', max_points: '2', leader_visits: '2', dept_visits: '3' }));
  const t2 = await ok(await town.get(`/api/v1/orgs/${townId}/liaison`));
  assert.deepEqual([t2.rule.max_points, t2.rule.leader_visits, t2.rule.own], [2, 2, true], 'the nearest rule decides');
  const o = await ok(await office.get(`/api/v1/orgs/${rootId}/liaison`));
  assert.equal(o.rule.max_points, 3, 'the town\'s rule does not reach above it');
  for (const [body, code, field] of [
    [{ min_points: '3', max_points: '2' }, 'invalid_max_points', 'max_points'],
    [{ min_points: 'abc' }, 'invalid_min_points', 'min_points'],
    [{ max_points: '0' }, 'invalid_max_points', 'max_points'],
    [{ leader_visits: '-1' }, 'invalid_leader_visits', 'leader_visits'],
    [{ dept_visits: '1e3' }, 'invalid_dept_visits', 'dept_visits'],
  ]) await refused(`rule ${JSON.stringify(body)}`, () => town.post(`/api/v1/orgs/${townId}/liaison-rule`, body), 422, code, field);
  // another town's office may not set the first town's rule; a secretary may not set any
  await refused('a rule for another town', () => secretary2.post(`/api/v1/orgs/${townId}/liaison-rule`, { max_points: '5' }), 403, 'forbidden');
  const other = await newLeader(townB);
  void other;
});

test('assigning points: inside the subtree, to a leader, a grassroots organisation, within the rule, once', async () => {
  const lx = await newLeader(townId, '甲领导');
  const p1 = (await ok(await assign(town, townId, lx.user.id, townBranches[0]), 201)).point;
  assert.equal(p1.open, true);
  assert.equal(p1.until, null);
  assert.equal(p1.since, today);
  await refused('the same point again', () => assign(town, townId, lx.user.id, townBranches[0]), 409, 'duplicate_point', 'org_id');
  await refused('a point in another town', () => assign(town, townId, lx.user.id, branchB), 404, 'not_found', 'org_id');
  await refused('a point for a secretary (not a leader)', () => assign(town, townId, secretary.user.id, townBranches[1]), 422, 'not_leader', 'leader_id');
  await refused('a point for a leader of another town', () => assign(town, townId, (sql(`SELECT id FROM app_user WHERE username = 'lxleader1'`)), townBranches[1]), 422, 'not_leader', 'leader_id');
  await refused('the town committee itself as a point', () => assign(town, townId, lx.user.id, townId), 422, 'not_grassroots', 'org_id');
  await refused('an office of another town', () => assign(secretary2, townId, lx.user.id, townBranches[1]), 403, 'forbidden');
  await refused('a district office through another town', () => assign(office, townB, lx.user.id, townBranches[1]), 422, 'not_leader', 'leader_id');
  await refused('a future since', () => assign(town, townId, lx.user.id, townBranches[1], daysFromToday(3)), 400, 'future_date', 'since');
  await refused('a malformed since', () => assign(town, townId, lx.user.id, townBranches[1], '2026-13-01'), 400, 'invalid_date', 'since');
  await refused('an id that is not one', () => town.post(`/api/v1/orgs/${townId}/liaison-points`, { leader_id: 'x1', org_id: String(townBranches[1]) }), 400, 'invalid_id', 'leader_id');
  await refused('no organisation', () => town.post(`/api/v1/orgs/${townId}/liaison-points`, { leader_id: String(lx.user.id) }), 400, 'required', 'org_id');
  await ok(await assign(town, townId, lx.user.id, townBranches[1]), 201);
  const e = await refused('beyond the rule\'s max', () => assign(town, townId, lx.user.id, townBranches[2]), 422, 'too_many_points', 'leader_id');
  assert.match(e.message, /1–2 个联络点/, 'the message names the rule');
  // the district office over the same town may assign too (an office over both)
  const ly = await newLeader(townId, '乙领导');
  await ok(await assign(office, rootId, ly.user.id, townBranches[2]), 201);
});

test('the same point twice at once is made once; four at once beyond max make max', async () => {
  const lz = await newLeader(townId, '丙领导');
  const rs = await Promise.all([0, 1, 2].map(() => assign(town, townId, lz.user.id, townBranches[3])));
  assert.deepEqual(rs.map((r) => r.status).sort(), [201, 409, 409], rs.map((r) => r.text.slice(0, 200)).join('\n'));
  for (const r of rs.filter((x) => x.status === 409)) expectError(r, 409, 'duplicate_point', 'org_id');
  assert.equal(sql(`SELECT count(*) FROM liaison_point WHERE leader_user_id = ${lz.user.id}`), '1');
  const lw = await newLeader(townId, '丁领导');
  const four = await Promise.all(townBranches.slice(0, 4).map((b) => assign(town, townId, lw.user.id, b)));
  assert.deepEqual(four.map((r) => r.status).sort(), [201, 201, 422, 422], four.map((r) => r.text.slice(0, 200)).join('\n'));
  assert.equal(sql(`SELECT count(*) FROM liaison_point WHERE leader_user_id = ${lw.user.id} AND until IS NULL`), '2');
  assert.equal(sql(`SELECT count(*) FROM audit_log WHERE entity = 'liaison_point' AND action = 'create' AND after_json LIKE '%"leader_id":${lw.user.id},%'`), '2');
});

const holder = () => pgHolder(srv.db);
const lockWait = (pattern) => pgLockWait(srv.db, pattern);

test('a point committed by another transaction while the assignment checks: the unique index answers 409, not 500', async () => {
  const lv = await newLeader(townId, '戊领导');
  if (BACKEND !== 'pg') { // SQLite: writers queue (BEGIN IMMEDIATE); the race above is the whole of it there
    const rs = await Promise.all([assign(town, townId, lv.user.id, townBranches[4]), assign(office, rootId, lv.user.id, townBranches[4])]);
    assert.deepEqual(rs.map((r) => r.status).sort(), [201, 409]);
    return;
  }
  const h = holder();
  await h.run(`BEGIN; INSERT INTO liaison_point (leader_user_id, org_id, office_org_id, since, created_by, created_at) VALUES (${lv.user.id}, ${townBranches[4]}, ${townId}, '${today}', 0, 0)`);
  const req = assign(town, townId, lv.user.id, townBranches[4]);
  await lockWait('INSERT INTO liaison_point%');
  await h.run('COMMIT');
  h.end();
  expectError(await req, 409, 'duplicate_point', 'org_id');
  assert.equal(sql(`SELECT count(*) FROM liaison_point WHERE leader_user_id = ${lv.user.id}`), '1');
  assert.equal(sql(`SELECT count(*) FROM audit_log WHERE entity = 'liaison_point' AND after_json LIKE '%"leader_id":${lv.user.id},%'`), '0');
  // the holder's point was written behind the server's back, without the leaders' standing an
  // assignment keeps: recount sees exactly that leader's point, and --fix takes it in
  const rc = srv.cli(['recount']);
  assert.equal(rc.status, 1, rc.stdout + rc.stderr);
  assert.match(rc.stdout, /领导干部联络点统计 组织编号 \d+ 没有联络点/);
  assert.equal(srv.cli(['recount', '--fix']).status, 1);
});

test('visits: by the leader or the office; someone else\'s point refused; careless input refused; counted by quarter', async () => {
  const la = await newLeader(townId, '己领导');
  const lb = await newLeader(townId, '庚领导');
  const since = daysFromToday(-40);
  const pa = (await ok(await assign(town, townId, la.user.id, townBranches[0], since), 201)).point;
  const pb = (await ok(await assign(town, townId, lb.user.id, townBranches[1]), 201)).point;
  const q = (d) => Number(d.slice(0, 4)) * 10 + Math.floor((Number(d.slice(5, 7)) + 2) / 3);
  const counters = () => sql(`SELECT coalesce(sum(visits), 0) || ',' || coalesce(sum(visit_problems_found), 0) || ',' || coalesce(sum(visit_problems_solved), 0) FROM period_rollup WHERE org_id = ${townId} AND quarter = ${q(today)}`);
  const before = counters().split(',').map(Number);
  const v = (await ok(await visit(la, pa.id, { visited_on: today, done: '走访党员群众，召开座谈会', problems_found: '党员活动室年久失修',
    problems_solved: '协调解决党费收缴问题', files: [PNG, '走访照片.png'] }), 201)).visit;
  assert.equal(v.files.length, 1);
  assert.equal(v.files[0].name, '走访照片.png');
  assert.equal(v.can_rectify, true);
  const file = await la.get(`/api/v1/liaison-visit-files/${v.files[0].id}`);
  assert.equal(file.status, 200);
  assert.ok(file.buf.equals(PNG));
  // the office records one too
  await ok(await visit(town, pa.id, { visited_on: today, done: '办公室代录：现场调研' }), 201);
  assert.deepEqual(counters().split(',').map(Number), [before[0] + 2, before[1] + 1, before[2] + 1]);
  // a leader at someone else's point: the leader of the same town sees it but may not record; one of another town does not see it
  await refused('a leader at someone else\'s point', () => visit(lb, pa.id, { visited_on: today, done: '冒名走访' }), 403, 'not_allowed', 'id');
  const lc = await newLeader(townB, '辛领导');
  await refused('a leader of another town', () => visit(lc, pa.id, { visited_on: today, done: '越权走访' }), 404, 'not_found', 'id');
  await refused('a secretary records a visit', () => visit(secretary, pa.id, { visited_on: today, done: '书记代录' }), 403, 'forbidden');
  expectError(await lc.get(`/api/v1/liaison-visit-files/${v.files[0].id}`), 404, 'not_found');
  expectError(await lc.get(`/api/v1/liaison-points/${pa.id}`), 404, 'not_found');
  // malformed input
  for (const [f, status, code, field] of [
    [{ visited_on: '2026-02-30', done: '内容' }, 400, 'invalid_date', 'visited_on'],
    [{ visited_on: 'yesterday', done: '内容' }, 400, 'invalid_date', 'visited_on'],
    [{ visited_on: daysFromToday(2), done: '内容' }, 400, 'future_date', 'visited_on'],
    [{ visited_on: '', done: '内容' }, 400, 'required', 'visited_on'],
    [{ visited_on: today, done: '   ' }, 400, 'required', 'done'],
    [{ visited_on: today, done: '走'.repeat(1001) }, 400, 'too_long', 'done'],
    [{ visited_on: daysFromToday(-41), done: '建点以前' }, 422, 'before_since', 'visited_on'],
  ]) await refused(`visit ${JSON.stringify(f).slice(0, 80)}`, () => visit(la, pa.id, f), status, code, field);
  await refused('a file that is not what it says', () => visit(la, pa.id, { visited_on: today, done: '内容', files: [Buffer.from('not a png'), 'x.png'] }), 400, 'evidence_type', 'evidence');
  // what the leader page shows
  const page = await ok(await la.get(`/api/v1/liaison-leaders/${la.user.id}`));
  assert.equal(page.points.length, 1);
  assert.equal(page.visits.length, 2);
  assert.equal(page.leader.visits, 2);
  expectError(await lb.get(`/api/v1/liaison-leaders/${la.user.id}`), 404, 'not_found');
  const x = await town.get(`/api/v1/liaison-leaders/${la.user.id}?format=xlsx`);
  assert.equal(x.status, 200, x.text.slice(0, 200));
  const cells = Object.values(unzip(x.buf)).map(String).join('');
  assert.ok(cells.includes('党员活动室年久失修') && cells.includes('办公室代录：现场调研'), 'the export holds the leader\'s visits');
  expectError(await la.get(`/api/v1/liaison-leaders/${la.user.id}?format=csv`), 400, 'invalid_format', 'format');
  expectError(await lb.get(`/api/v1/liaison-leaders/${la.user.id}?format=xlsx`), 404, 'not_found');
  void pb;
});

test('a visit\'s problem becomes one rectification item, even when two requests race', async () => {
  const ld = await newLeader(townId, '壬领导');
  const p = (await ok(await assign(town, townId, ld.user.id, townBranches[2]), 201)).point;
  const v = (await ok(await visit(ld, p.id, { visited_on: today, done: '走访', problems_found: '三会一课记录不全' }), 201)).visit;
  const plain = (await ok(await visit(ld, p.id, { visited_on: today, done: '走访，无问题' }), 201)).visit;
  const body = { measure: '补齐会议记录', owner: '支部书记', due_date: daysFromToday(30) };
  await refused('a visit without problems', () => ld.post(`/api/v1/liaison-visits/${plain.id}/rectify`, body), 409, 'no_problem', 'id');
  await refused('a malformed due date', () => ld.post(`/api/v1/liaison-visits/${v.id}/rectify`, { ...body, due_date: '2026-02-31' }), 400, 'invalid_date', 'due_date');
  const rs = await Promise.all([0, 1, 2].map(() => ld.post(`/api/v1/liaison-visits/${v.id}/rectify`, body)));
  assert.deepEqual(rs.map((r) => r.status).sort(), [201, 409, 409], rs.map((r) => r.text.slice(0, 200)).join('\n'));
  for (const r of rs.filter((x) => x.status === 409)) expectError(r, 409, 'already_rectified', 'id');
  const rid = rs.find((r) => r.status === 201).json.rect_id;
  assert.equal(sql(`SELECT count(*) FROM rectification WHERE source_kind = 'liaison_visit' AND source_id = ${v.id}`), '1');
  assert.equal(sql(`SELECT source || ',' || org_id || ',' || problem FROM rectification WHERE id = ${rid}`), `manual,${townBranches[2]},三会一课记录不全`);
  assert.equal(sql(`SELECT rect_id FROM liaison_visit WHERE id = ${v.id}`), String(rid));
  const item = (await ok(await town.get(`/api/v1/rectifications/${rid}`))).rectification;
  assert.equal(item.source_kind, 'liaison_visit');
});

test('a visit linked to an item by another transaction while it is turned into one: 409, and the item made here is rolled back', async () => {
  const lf = await newLeader(townId, '子领导');
  const p = (await ok(await assign(town, townId, lf.user.id, townBranches[4]), 201)).point;
  const v = (await ok(await visit(lf, p.id, { visited_on: today, done: '走访', problems_found: '远程教育站点无人管理' }), 201)).visit;
  const body = { measure: '明确管理员', owner: '支部书记', due_date: daysFromToday(20) };
  const other = (await ok(await town.post(`/api/v1/orgs/${townBranches[4]}/rectifications`, { source: 'manual', problem: '另一事务转成的整改事项',
    measure: '措施', owner: '某人', due_date: daysFromToday(20) }), 201)).rectification;
  const before = sql('SELECT count(*) FROM rectification');
  if (BACKEND !== 'pg') { // SQLite: writers queue; the second finds the link made
    const rs = await Promise.all([lf.post(`/api/v1/liaison-visits/${v.id}/rectify`, body), town.post(`/api/v1/liaison-visits/${v.id}/rectify`, body)]);
    assert.deepEqual(rs.map((r) => r.status).sort(), [201, 409]);
    assert.equal(sql('SELECT count(*) FROM rectification'), String(Number(before) + 1));
    return;
  }
  const h = holder();
  await h.run(`BEGIN; UPDATE liaison_visit SET rect_id = ${other.id} WHERE id = ${v.id}`);
  const req = lf.post(`/api/v1/liaison-visits/${v.id}/rectify`, body);
  await lockWait('UPDATE liaison_visit SET rect_id%');
  await h.run('COMMIT');
  h.end();
  expectError(await req, 409, 'already_rectified', 'id');
  assert.equal(sql('SELECT count(*) FROM rectification'), before, 'the item made by the loser is rolled back');
  assert.equal(sql(`SELECT rect_id FROM liaison_visit WHERE id = ${v.id}`), String(other.id));
});

test('ending a point keeps its history; no visit after it; the lists of leaders with none, too few, too few visits; XLSX', async () => {
  const le = await newLeader(townId, '癸领导');
  const p = (await ok(await assign(town, townId, le.user.id, townBranches[3]), 201)).point;
  await ok(await visit(le, p.id, { visited_on: today, done: '走访' }), 201);
  await refused('end by a leader', () => le.post(`/api/v1/liaison-points/${p.id}/end`, {}), 403, 'forbidden');
  await refused('end before the point began', () => town.post(`/api/v1/liaison-points/${p.id}/end`, { until: daysFromToday(-1) }), 422, 'invalid_until', 'until');
  const ended = (await ok(await town.post(`/api/v1/liaison-points/${p.id}/end`, {}))).point;
  assert.equal(ended.open, false);
  assert.equal(ended.until, today);
  await refused('end twice', () => town.post(`/api/v1/liaison-points/${p.id}/end`, {}), 409, 'already_ended', 'id');
  await refused('a visit after the end', () => visit(le, p.id, { visited_on: today, done: '走访' }), 409, 'point_ended', 'id');
  const hist = await ok(await le.get(`/api/v1/liaison-leaders/${le.user.id}`));
  assert.equal(hist.points.length, 1);
  assert.equal(hist.visits.length, 1, 'the visits stay with the ended point');
  // the lists
  const none = await ok(await town.get(`/api/v1/orgs/${townId}/liaison?list=none`));
  assert.ok(none.leaders.some((l) => l.user_id === le.user.id), 'a leader whose point ended has none');
  assert.ok(none.leaders.every((l) => l.standing === 'none'));
  assert.ok(none.counts.none >= 1);
  await ok(await town.post(`/api/v1/orgs/${townId}/liaison-rule`, { min_points: '2', max_points: '3', leader_visits: '5', dept_visits: '6' }));
  const few = await ok(await town.get(`/api/v1/orgs/${townId}/liaison?list=few`));
  assert.ok(few.leaders.length >= 1 && few.leaders.every((l) => l.standing === 'few' && l.points === 1));
  const short = await ok(await town.get(`/api/v1/orgs/${townId}/liaison?list=visits`));
  assert.ok(short.leaders.length >= 1 && short.leaders.every((l) => l.visits < l.visits_required));
  assert.ok(short.leaders.some((l) => l.user_id === le.user.id));
  await ok(await town.post(`/api/v1/orgs/${townId}/liaison-rule`, { min_points: '0', max_points: '1' }));
  const many = await ok(await town.get(`/api/v1/orgs/${townId}/liaison?list=many`));
  assert.ok(many.leaders.length >= 1 && many.leaders.every((l) => l.standing === 'many' && l.points > 1));
  assert.ok(many.leaders.some((l) => l.username === 'leader'), 'the demo\'s town leader keeps two points');
  await ok(await town.post(`/api/v1/orgs/${townId}/liaison-rule`, { min_points: '1', max_points: '2' }));
  expectError(await town.get(`/api/v1/orgs/${townId}/liaison?list=ok`), 400, 'invalid_list', 'list');
  expectError(await town.get(`/api/v1/orgs/${townId}/liaison?year=20x6`), 400, 'invalid_year', 'year');
  const x = await town.get(`/api/v1/orgs/${townId}/liaison?format=xlsx&list=none`);
  assert.equal(x.status, 200, x.text.slice(0, 200));
  const files = unzip(x.buf);
  const strings = files['xl/sharedStrings.xml'] ? files['xl/sharedStrings.xml'].toString() : Object.values(files).map(String).join('');
  assert.ok(strings.includes('癸领导'), 'the export lists the leader');
  // the page
  const html = await town.get(`/orgs/${townId}/liaison?list=none`);
  assert.equal(html.status, 200);
  assert.ok(html.text.includes('癸领导'));
  await ok(await town.post(`/api/v1/orgs/${townId}/liaison-rule`, { min_points: '1', max_points: '2', leader_visits: '2', dept_visits: '3' }));
});

test('the dashboard\'s 联络点 block: the period\'s visits from the roll-ups and the leaders without a point or with too few', async () => {
  const year = today.slice(0, 4);
  const d = await ok(await town.get(`/api/v1/orgs/${townId}/dashboard?period=${year}`));
  const want = sql(`SELECT coalesce(sum(visits), 0) || ',' || coalesce(sum(visit_problems_found), 0) || ',' || coalesce(sum(visit_problems_solved), 0) ` +
    `FROM period_rollup WHERE org_id = ${townId} AND quarter BETWEEN ${year}1 AND ${year}4`);
  assert.equal([d.liaison.visits, d.liaison.problems_found, d.liaison.problems_solved].join(','), want);
  assert.equal(d.liaison.visits, Number(sql(`SELECT count(*) FROM liaison_visit v JOIN org o ON o.id = v.org_id WHERE o.path LIKE '${townPath}%' AND v.visited_on LIKE '${year}%'`)));
  const list = await ok(await town.get(`/api/v1/orgs/${townId}/liaison?year=${year}`));
  assert.deepEqual([d.liaison.leaders, d.liaison.leaders_none, d.liaison.leaders_few, d.liaison.leaders_visits_short],
    [list.counts.leaders, list.counts.none, list.counts.few, list.counts.visits_short]);
  assert.ok(d.liaison.leaders_none >= 1);
  const page = await town.get(`/orgs/${townId}/dashboard?period=${year}`);
  assert.equal(page.status, 200);
  assert.match(page.text, /id="liaison-visits">\d+</);
  // the district office sees the district's, a secretary its branch's (no leader there)
  const s = await ok(await secretary.get(`/api/v1/orgs/${branchA}/dashboard?period=${year}`));
  assert.equal(s.liaison.leaders, 0);
  assert.equal(s.liaison.office, false);
});

test('ids that are not numbers, negative or huge: 404 or 400, never a crash, nothing changed', async () => {
  const before = snap();
  for (const id of ['abc', '-1', '0', '99999999999999999999', '9223372036854775807', '1e3', '0x10', '%20', '1.0', '+1']) {
    for (const p of ['/api/v1/liaison-points/%s', '/api/v1/liaison-leaders/%s', '/api/v1/liaison-visit-files/%s', '/api/v1/orgs/%s/liaison',
      '/liaison-points/%s', '/liaison-leaders/%s']) {
      const r = await town.get(p.replace('%s', id));
      assert.ok([400, 404].includes(r.status), `${p.replace('%s', id)}: ${r.status} ${r.text.slice(0, 200)}`);
    }
    for (const p of ['/api/v1/liaison-points/%s/end', '/api/v1/liaison-points/%s/visits', '/api/v1/liaison-visits/%s/rectify',
      '/api/v1/orgs/%s/liaison-points', '/api/v1/orgs/%s/liaison-rule']) {
      const r = await town.post(p.replace('%s', id), { visited_on: today, done: '走访', leader_id: '1', org_id: '1' });
      assert.ok([400, 404].includes(r.status), `POST ${p.replace('%s', id)}: ${r.status} ${r.text.slice(0, 200)}`);
    }
  }
  // bodies of the wrong shape: numbers where text is asked, arrays, nested objects
  const p = (await ok(await town.get(`/api/v1/orgs/${townId}/liaison`))).points[0];
  for (const body of [{ visited_on: 5, done: '走访' }, { visited_on: [today], done: '走访' }, { visited_on: today, done: { x: 1 } }]) {
    const r = await town.post(`/api/v1/liaison-points/${p.id}/visits`, body);
    assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.status} ${r.text.slice(0, 200)}`);
  }
  for (const body of [{ leader_id: 1.5, org_id: String(townBranches[0]) }, { leader_id: [1], org_id: '1' }]) {
    const r = await town.post(`/api/v1/orgs/${townId}/liaison-points`, body);
    assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.status} ${r.text.slice(0, 200)}`);
  }
  assert.equal(snap(), before);
});

test('`cxzy recount` covers the visit counters: a tampered counter is reported and fixed', async () => {
  const clean = srv.cli(['recount']);
  assert.equal(clean.status, 0, clean.stdout + clean.stderr);
  sql(`UPDATE period_rollup SET visits = visits + 7 WHERE org_id = ${townId} AND visits > 0`);
  const bad = srv.cli(['recount']);
  assert.notEqual(bad.status, 0, 'a tampered counter is a difference');
  assert.match(bad.stdout + bad.stderr, /联络点走访（visits）/);
  const fix = srv.cli(['recount', '--fix']);
  assert.match(fix.stdout, /已按原始记录修正/, fix.stdout + fix.stderr);
  assert.equal(srv.cli(['recount']).status, 0);
});
