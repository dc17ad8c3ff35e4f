// integrity.test.mjs: the rules of 民主评议 as an attacker or a careless office would test them
// (issue 12, section 1 and the recount of final grades), on this file's own demo database and on
// both backends:
//   - twelve simultaneous 优秀 decisions for one branch keep the one-third cap (PostgreSQL runs
//     READ COMMITTED: without a lock several pass);
//   - 应到 comes from the roster, never from what is typed;
//   - a change after the decisions (an exclusion, a member turned 预备党员, a transfer, a lowered
//     cap) recomputes the branch and sends it back to the branch meeting, with the reason shown;
//   - the office may lower the ⌊⅓⌋ ceiling, never raise it;
//   - nobody approves their own grade;
//   - `cxzy recount` finds an edited final grade whether or not the counters were edited too, and
//     `--fix` puts back what the decision records say, never the edited value.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, expectError, daysFromToday, sqlOn, PASSWORD } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const [secretary, town, leader, office] = await Promise.all(['secretary', 'town', 'leader', 'office'].map((u) => loginAs(srv.base, u)));
const branch = secretary.user.roles[0].org_id;
const townId = town.user.roles[0].org_id;
const sql = (q) => sqlOn(srv.db, q);

async function ok(r, status = 200) {
  assert.equal(r.status, status, `${r.status} ${r.text.slice(0, 500)}`);
  return r.json;
}

const roster = (await ok(await secretary.get(`/api/v1/orgs/${branch}/members?per_page=500`))).members;
const full = roster.filter((m) => m.status === 'full');
assert.ok(full.length >= 14, `the demo branch has enough full members (${full.length})`);
const G = full.slice(0, 12); // the twelve the leader comments on: graded (with any the demo's records grade)
const campaign = (await ok(await town.get(`/api/v1/orgs/${townId}/campaigns`))).campaigns[0];
const R = (await ok(await town.post(`/api/v1/orgs/${branch}/rounds`, { campaign_id: campaign.id, name: '2012年集中评议',
  start_date: daysFromToday(-60), end_date: daysFromToday(-1) }), 201)).round;
const L = (await ok(await town.get(`/api/v1/orgs/${branch}/leaders`))).leaders.find((l) => l.username === 'leader');
for (const m of G) {
  await ok(await town.post(`/api/v1/orgs/${branch}/charges`, { round_id: R.id, user_id: L.id, member_id: m.id }), 201);
  await ok(await leader.post(`/api/v1/members/${m.id}/commentary`, { round_id: R.id, level: 1, achievements: '带头完成任务',
    problems: '学习不够系统', direction: '加强理论学习' }), 201);
}

const grades = async () => (await ok(await secretary.get(`/api/v1/orgs/${branch}/grades?round_id=${R.id}&kind=member`)));
const byId = (g) => new Map(g.grades.map((x) => [x.target_id, x]));
const excellentCount = (g) => g.grades.filter((x) => x.final === 'excellent').length;
const compute = async () => ok(await secretary.post(`/api/v1/orgs/${branch}/grades`, { round_id: R.id, kind: 'member' }));
const decide = (m, grade, N, extra = {}) => secretary.post(`/api/v1/members/${m.id}/grade`,
  { round_id: R.id, grade, present: N, in_favour: N, reason: '支部党员大会表决', ...extra });
const recount = (...more) => srv.cli(['recount', '--round', String(R.id), ...more]);

test('twelve simultaneous 优秀 decisions for one branch: exactly the cap pass', async () => {
  await compute();
  const g = await grades();
  const graded = g.grades.filter((x) => x.computed !== 'none').length, cap = Math.floor(graded / 3);
  assert.ok(graded >= 12 && cap >= 4);
  assert.ok(G.every((m) => byId(g).get(m.id).computed === 'qualified'), 'twelve at 100 tie at the boundary: the branch meeting decides');
  const others = excellentCount(g);
  const N = g.meeting.entitled;
  const answers = await Promise.all(G.map((m) => decide(m, 'excellent', N)));
  const passed = answers.filter((r) => r.status === 200).length;
  for (const r of answers.filter((x) => x.status !== 200)) expectError(r, 409, 'cap_exceeded', 'grade');
  assert.equal(passed, cap - others, `${passed} of 12 decisions passed where ${cap - others} places were free`);
  assert.equal(excellentCount(await grades()), cap);
  const rc = recount();
  assert.equal(rc.status, 0, rc.stdout + rc.stderr);
});

test('应到 is computed from the roster; a typed number that disagrees is refused and changes nothing', async () => {
  const g = await grades();
  const N = g.meeting.entitled;
  assert.equal(N, full.length, 'nobody is left out yet: every 正式党员 is entitled');
  const m = G.find((x) => byId(g).get(x.id).final !== 'excellent');
  for (const [entitled, present] of [[1, 1], [100000, 50001], [N + 1, N]]) {
    expectError(await decide(m, 'basic', present, { entitled }), 409, 'entitled_mismatch', 'entitled');
  }
  // the roster's 29 can't be outvoted by a meeting of 1 either: no quorum
  expectError(await decide(m, 'basic', 1), 409, 'no_quorum', 'present');
  assert.equal(byId(await grades()).get(m.id).decided, false);
});

test('a change after the decisions sends the branch back to the meeting, never over the cap', async () => {
  let g = await grades();
  const graded = g.grades.filter((x) => x.computed !== 'none').length;
  const ex = G.filter((m) => byId(g).get(m.id).final === 'excellent');
  assert.ok(ex.length >= 3);
  // one of them is away for the year: one fewer graded
  await ok(await secretary.post(`/api/v1/members/${ex[0].id}/exclusion`, { round_id: R.id, reason: 'away', note: '外出务工' }));
  g = await grades();
  const cap = Math.floor((graded - 1) / 3);
  assert.equal(g.grades.filter((x) => x.computed !== 'none').length, graded - 1);
  assert.ok(excellentCount(g) <= cap, 'the state never breaks the cap');
  assert.ok(g.grades.every((x) => !x.decided && x.approval === 'none'), 'the decisions start over');
  const redo = byId(g).get(ex[1].id).redo;
  assert.match(redo, new RegExp(`${ex[0].name}列为不参加本轮等次评定`));
  assert.match(redo, /须重新召开支部党员大会决定/);
  const page = await secretary.get(`/orgs/${branch}/grades?round_id=${R.id}`);
  assert.ok(page.text.includes('须重新决定：') && page.text.includes(ex[0].name), 'the secretary sees why on the grades page');
  assert.equal(g.meeting.entitled, full.length - 1, 'the member away is not entitled to vote');
  const N = g.meeting.entitled;
  const free = cap - excellentCount(g);
  const cand = [...ex.slice(1), ...G.filter((m) => !ex.includes(m))].filter((m) => byId(g).get(m.id).final !== 'excellent');
  for (const m of cand.slice(0, free)) await ok(await decide(m, 'excellent', N));
  expectError(await decide(cand[free], 'excellent', N), 409, 'cap_exceeded', 'grade');
  // a 优秀 member turned 预备党员 (a data fix) is no longer graded and cannot be approved
  const p = ex[1];
  await ok(await secretary.patch(`/api/v1/members/${p.id}`, { status: 'probationary', full_date: '' }));
  g = await grades();
  const gp = byId(g).get(p.id);
  assert.deepEqual([gp.computed, gp.final, gp.approval], ['none', 'none', 'none']);
  assert.match(gp.redo, /由正式党员改为预备党员/);
  expectError(await town.post(`/api/v1/members/${p.id}/grade/approve`, { round_id: R.id, approve: true }), 409, 'not_pending');
  assert.ok(excellentCount(g) <= Math.floor((graded - 2) / 3));
  await ok(await secretary.patch(`/api/v1/members/${p.id}`, { status: 'full', full_date: '2015-06-01' }));
  // decisions again, then a transfer out of the branch: the row goes, the branch decides again
  g = await grades();
  const gg = G.filter((m) => (byId(g).get(m.id)?.computed ?? 'none') !== 'none');
  for (const m of gg.slice(0, 2)) await ok(await decide(m, 'basic', g.meeting.entitled));
  const t = gg[5];
  const dest = (await ok(await office.post(`/api/v1/orgs/${townId}/children`, { name: '评议转入测试支部', type: 'branch', sector: 'rural' }), 201)).org;
  await ok(await town.patch(`/api/v1/members/${t.id}`, { org_id: dest.id }));
  g = await grades();
  assert.equal(byId(g).get(t.id), undefined, 'no grade of the member left in the old branch');
  assert.ok(g.grades.every((x) => !x.decided), 'the old branch decides again');
  assert.match(g.grades[0].redo, new RegExp(`${t.name}已转出本支部`));
  // a member taken off the roll (停用): the same
  for (const m of gg.slice(0, 1)) await ok(await decide(m, 'basic', g.meeting.entitled));
  await ok(await secretary.post(`/api/v1/members/${gg[6].id}/deactivate`));
  g = await grades();
  assert.ok(g.grades.every((x) => !x.decided));
  assert.match(g.grades[0].redo, /已停用/);
  await ok(await secretary.post(`/api/v1/members/${gg[6].id}/activate`));
  const r = recount();
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('the office may lower the one-third ceiling of 民主评议, never raise it', async () => {
  const before = (await ok(await office.get(`/api/v1/campaigns/${campaign.id}`))).rules;
  for (const [cap_num, cap_den] of [[1, 2], [2, 3], [1, 1], [34, 100]]) {
    const r = await office.patch(`/api/v1/campaigns/${campaign.id}/rules`, { cap_num, cap_den });
    expectError(r, 400, 'invalid_rules', 'cap_num');
    assert.match(r.json.error.message, /三分之一/);
  }
  assert.deepEqual((await ok(await office.get(`/api/v1/campaigns/${campaign.id}`))).rules, before, 'nothing changed');
  let g = await grades();
  const N = g.meeting.entitled;
  const gg = G.filter((m) => (byId(g).get(m.id)?.computed ?? 'none') !== 'none');
  // lowered to a quarter: the branch is recomputed at once and decides again
  await ok(await office.patch(`/api/v1/campaigns/${campaign.id}/rules`, { cap_num: 1, cap_den: 4 }));
  g = await grades();
  const graded = g.grades.filter((x) => x.computed !== 'none').length;
  assert.ok(excellentCount(g) <= Math.floor(graded / 4));
  assert.ok(g.grades.every((x) => !x.decided));
  assert.match(g.grades[0].redo, /评定规则已修改/);
  const free = Math.floor(graded / 4) - excellentCount(g);
  for (const m of gg.slice(0, free)) await ok(await decide(m, 'excellent', N));
  expectError(await decide(gg[free], 'excellent', N), 409, 'cap_exceeded');
  await ok(await office.patch(`/api/v1/campaigns/${campaign.id}/rules`, { cap_num: 1, cap_den: 3 }));
});

test('nobody approves their own grade', async () => {
  const g = await grades();
  const N = g.meeting.entitled;
  // (not a member who signs in already, like the demo's `member`: a member has one account; which of
  // G is still graded depends on who won the concurrent decisions above)
  const signedIn = new Set(sql("SELECT member_id FROM app_user WHERE member_id IS NOT NULL AND pw_hash <> ''").split('\n').filter(Boolean).map(Number));
  const me = G.find((m) => !signedIn.has(m.id) && (byId(g).get(m.id)?.computed ?? 'none') !== 'none');
  if (byId(g).get(me.id).final !== 'excellent') await ok(await decide(me, 'excellent', N));
  // a town office account that is itself a member of the branch, graded in this round
  const u = srv.cli(['user', 'add', 'townself', '--name', me.name, '--password-file', '-', '--role', 'office', '--org', String(townId),
    '--member', String(me.id)], { input: PASSWORD + '\n' });
  assert.equal(u.status, 0, u.stdout + u.stderr);
  const self = await loginAs(srv.base, 'townself');
  expectError(await self.post(`/api/v1/members/${me.id}/grade/approve`, { round_id: R.id, approve: true }), 403, 'own_record', 'id');
  expectError(await self.post(`/api/v1/members/${me.id}/grade/approve`, { round_id: R.id, approve: false, reason: '自己不批' }), 403, 'own_record');
  assert.equal(byId(await grades()).get(me.id).approval, 'pending', 'nothing changed');
  const a = (await ok(await town.post(`/api/v1/members/${me.id}/grade/approve`, { round_id: R.id, approve: true }))).grade;
  assert.deepEqual([a.final, a.approval], ['excellent', 'approved']);
});

test('recount finds an edited final grade with or without edited counters; --fix puts back the records\' value', async () => {
  const g = await grades();
  const plain = G.find((m) => byId(g).get(m.id)?.final === 'qualified');
  assert.ok(plain);
  // someone with database access makes a 合格 member 优秀 and approved
  sql(`UPDATE grade SET final = 'excellent', approval = 'approved' WHERE round_id = ${R.id} AND target_kind = 'member' AND target_id = ${plain.id}`);
  let r = recount();
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.ok(r.stdout.includes(plain.name), r.stdout);
  assert.match(r.stdout, /最终等次记录为 优秀，按评议记录、支部党员大会决定和上级审批应为 合格/);
  assert.doesNotMatch(r.stdout, /优秀人数（members_excellent）：记录为 \d+，按原始记录应为 \d+/, 'the untouched counters agree with the records');
  // ... and the counters too, up the tree, so that they agree with the edit
  sql(`UPDATE rollup SET members_excellent = members_excellent + 1, members_qualified = members_qualified - 1 WHERE round_id = ${R.id}`);
  r = recount();
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /最终等次记录为 优秀，按评议记录、支部党员大会决定和上级审批应为 合格/);
  assert.match(r.stdout, /members_excellent/, 'the edited counters are named');
  // --fix takes the records' value, never the edited one
  r = recount('--fix');
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /已按原始记录修正/);
  r = recount();
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const back = byId(await grades()).get(plain.id);
  assert.deepEqual([back.final, back.approval], ['qualified', 'none']);
  // a decision's record edited into a meeting that could not decide: the decision does not stand
  const ex = G.find((m) => byId(g).get(m.id)?.final === 'excellent' && byId(g).get(m.id).decided);
  sql(`UPDATE grade SET decision = '{"grade":"excellent","entitled":29,"present":2,"in_favour":2,"reason":"x"}' WHERE round_id = ${R.id} AND target_kind = 'member' AND target_id = ${ex.id}`);
  r = recount();
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /支部党员大会决定记录无效/);
  r = recount('--fix');
  assert.equal(r.status, 1, r.stdout + r.stderr);
  r = recount();
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.notEqual(byId(await grades()).get(ex.id).final, 'excellent');
  assert.equal(srv.cli(['audit', 'verify']).status, 0);
});
