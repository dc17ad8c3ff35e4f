// reviews.test.mjs: the three reviews (三评) and grades over HTTP, on this file's own demo
// database. The users' path: the town office opens the round; members self-review and peer-review
// in their branch; the office puts the leader in charge and the coverage list shrinks as the leader
// comments in three parts; the secretary leaves members out and computes the branch's grades
// (优秀 capped at one third); the branch meeting decides, the town office approves or rejects; the
// results export to XLSX and `cxzy recount` finds no difference. Then every refusal with its code
// and nothing changed, the anonymity of peer reviews, campaign settings, and the pages.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, expectError, daysFromToday, unzip, PASSWORD } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const [member, secretary, office, town, leader, secretary2] = await Promise.all(
  ['member', 'secretary', 'office', 'town', 'leader', 'secretary2'].map((u) => loginAs(srv.base, u)));
const branch = secretary.user.roles[0].org_id;
const townId = town.user.roles[0].org_id;
const rootId = office.user.roles[0].org_id;
const branch2 = secretary2.user.roles[0].org_id;

async function ok(r, status = 200) {
  assert.equal(r.status, status, `${r.status} ${r.text.slice(0, 500)}`);
  return r.json;
}

// The branch's members: A is the `member` login; B, C, D full members; E to be left out (away);
// F a probationary member. Each gets a login here.
const roster = (await ok(await secretary.get(`/api/v1/orgs/${branch}/members?per_page=500`))).members;
const A = roster.find((m) => m.id === member.user.member_id);
const full = roster.filter((m) => m.id !== A.id && m.status === 'full');
const [B, C, D, E] = full;
const F = roster.find((m) => m.status === 'probationary' && m.id !== A.id);
assert.ok(A && B && C && D && E && F, 'the demo branch has enough members');
const as = { A: member };
for (const [k, m] of Object.entries({ B, C, D, E, F })) {
  const u = srv.cli(['user', 'add', `rv${k.toLowerCase()}`, '--name', m.name, '--password-file', '-', '--role', 'member',
    '--org', String(branch), '--member', String(m.id)], { input: PASSWORD + '\n' });
  assert.equal(u.status, 0, u.stdout + u.stderr);
  as[k] = await loginAs(srv.base, `rv${k.toLowerCase()}`);
}
const campaign = (await ok(await town.get(`/api/v1/orgs/${townId}/campaigns`))).campaigns[0];
assert.ok(campaign, 'the demo campaign covers the town');

// The main round: its period ends before any of the demo's pledges fall due, so only the reviews
// made here count.
const period = { start_date: daysFromToday(-170), end_date: daysFromToday(-11) };
let R1;
const body = (levels, extra = {}) => ({ levels, achievements: '完成了年度工作任务', shortcomings: '理论学习不够系统', direction: '每周学习一次党的理论', ...extra });

/** What a refused request must leave alone: the round's figures, the grades, the audit head. */
async function snap() {
  const [rd, gr, au] = await Promise.all([office.get(`/api/v1/rounds/${R1.id}`), office.get(`/api/v1/orgs/${townId}/grades?round_id=${R1.id}`),
    office.get(`/api/v1/orgs/${rootId}/audit`)]);
  assert.equal(rd.status, 200, rd.text);
  return { stats: rd.json.stats, grades: gr.json, audit: au.json.records[0].seq };
}
async function refused(what, send, status, code, field) {
  const before = await snap();
  const r = await send();
  try { expectError(r, status, code, field); } catch (e) { e.message = `${what}: ${e.message}`; throw e; }
  assert.deepEqual(await snap(), before, `${what} was refused but changed something`);
  return r;
}
const review = (who, target, levels, extra) => as[who].post(`/api/v1/members/${target.id}/review`, { round_id: R1.id, ...body(levels, extra) });

test('the town office opens the round; the branch sees it as its current round', async () => {
  const r = await ok(await town.post(`/api/v1/orgs/${townId}/rounds`, { campaign_id: campaign.id, name: '2011年上半年', ...period, questions: 'party3' }), 201);
  R1 = r.round;
  assert.equal(R1.name, '2011年上半年');
  assert.equal(R1.status, 'open');
  assert.equal(R1.org_id, townId);
  assert.deepEqual([R1.period_start, R1.period_end], [period.start_date, period.end_date]);
  const list = (await ok(await secretary.get(`/api/v1/orgs/${branch}/rounds`))).rounds;
  assert.ok(list.some((x) => x.id === R1.id), 'the branch lists the round that covers it');
  assert.equal((await ok(await member.get('/api/v1/me/reviews'))).round.id, R1.id);
  // a duplicate name, a period outside the campaign, an unknown question set, the wrong role
  expectError(await town.post(`/api/v1/orgs/${townId}/rounds`, { campaign_id: campaign.id, name: '2011年上半年', ...period }), 409, 'duplicate_round', 'name');
  expectError(await town.post(`/api/v1/orgs/${townId}/rounds`, { campaign_id: campaign.id, name: '越界', start_date: '2001-01-01', end_date: period.end_date }), 400, 'outside_campaign', 'start_date');
  expectError(await town.post(`/api/v1/orgs/${townId}/rounds`, { campaign_id: campaign.id, name: '问题', ...period, questions: 'seven' }), 400, 'invalid_questions', 'questions');
  expectError(await secretary.post(`/api/v1/orgs/${branch}/rounds`, { name: '支部', ...period }), 403, 'forbidden');
  expectError(await town.post(`/api/v1/orgs/${branch2}/rounds`, { name: '别镇', ...period }), 404, 'not_found');
});

test('members self-review and peer-review in their branch; a second submit updates', async () => {
  const me = await ok(await member.get(`/api/v1/me/reviews?round_id=${R1.id}`));
  assert.equal(me.items.length, 5, 'the five criteria of 五带头');
  assert.equal(me.items[0].title, '带头学习提高，争当勤学标兵');
  assert.match(me.items[0].body, /科学发展观/);
  assert.equal(me.self, null);
  assert.ok(me.peers.some((p) => p.id === B.id && !p.done), 'B is on A\'s peer to-do list');
  assert.ok(!me.peers.some((p) => p.id === A.id), 'nobody peer-reviews themself');

  const first = await ok(await review('A', A, '11112'), 201);
  assert.deepEqual(first.review, { kind: 'self', round_id: R1.id, member_id: A.id, updated: false });
  const again = await ok(await review('A', A, '11111'), 200);
  assert.equal(again.review.updated, true);
  const mine = await ok(await member.get(`/api/v1/me/reviews?round_id=${R1.id}`));
  assert.equal(mine.self.levels, '11111');
  assert.equal(mine.self.direction, '每周学习一次党的理论');
  for (const [k, lv] of [['B', '11111'], ['C', '11112'], ['D', '22222'], ['E', '33333'], ['F', '11111']])
    await ok(await review(k, { B, C, D, E, F }[k], lv), 201);
  // peers: B, C, D all 好 for A; 11112 for B; 11122 for C; 22222 for D
  const peer = { A: '11111', B: '11112', C: '11122', D: '22222' };
  const people = { A, B, C, D };
  for (const who of ['A', 'B', 'C', 'D'])
    for (const target of ['A', 'B', 'C', 'D'])
      if (who !== target) await ok(await review(who, people[target], peer[target], { kind: 'peer', shortcomings: `${who}对${target}的意见` }), 201);
  const after = await ok(await member.get(`/api/v1/me/reviews?round_id=${R1.id}`));
  assert.deepEqual(after.peers.filter((p) => [B.id, C.id, D.id].includes(p.id)).map((p) => p.done), [true, true, true]);
  assert.equal(after.peer.count, 3);
  assert.equal(after.peer.shown, true);
  assert.deepEqual(after.peer.items.map((i) => i.good), [3, 3, 3, 3, 3]);
  const stats = (await ok(await office.get(`/api/v1/rounds/${R1.id}`))).stats;
  assert.equal(stats.self_reviews, 6);
  assert.equal(stats.peer_reviews, 12);
});

test('leader charges, three-part commentary and the shrinking coverage list', async () => {
  const leaders = (await ok(await town.get(`/api/v1/orgs/${branch}/leaders`))).leaders;
  const L = leaders.find((l) => l.username === 'leader');
  assert.ok(L, 'the town leader may be put in charge of the branch');
  await ok(await town.post(`/api/v1/orgs/${branch}/charges`, { round_id: R1.id, user_id: L.id, member_id: A.id }), 201);
  await ok(await town.post(`/api/v1/orgs/${branch}/charges`, { round_id: R1.id, user_id: L.id }), 201);
  expectError(await town.post(`/api/v1/orgs/${branch}/charges`, { round_id: R1.id, user_id: L.id }), 409, 'duplicate_charge');
  const secretaryUser = secretary.user.id;
  expectError(await town.post(`/api/v1/orgs/${branch}/charges`, { round_id: R1.id, user_id: secretaryUser }), 400, 'not_leader', 'user_id');
  let cov = await ok(await secretary.get(`/api/v1/orgs/${branch}/coverage?round_id=${R1.id}`));
  assert.deepEqual([cov.counts.charges, cov.counts.done, cov.counts.pending], [2, 0, 2]);
  assert.equal(cov.pending.length, 2);
  assert.ok(cov.counts.unassigned_members >= roster.length - 1);
  const mine = await ok(await leader.get(`/api/v1/me/charges?round_id=${R1.id}`));
  assert.deepEqual([mine.total, mine.done, mine.pending], [2, 0, 2]);

  const three = { achievements: '带头服务群众，成绩突出', problems: '理论学习不够深入', direction: '加强学习，发挥示范作用' };
  for (const part of ['achievements', 'problems', 'direction'])
    expectError(await leader.post(`/api/v1/members/${A.id}/commentary`, { round_id: R1.id, level: 1, ...three, [part]: '  ' }), 400, 'required', part);
  expectError(await leader.post(`/api/v1/members/${A.id}/commentary`, { round_id: R1.id, level: 5, ...three }), 400, 'invalid_level', 'level');
  await ok(await leader.post(`/api/v1/members/${A.id}/commentary`, { round_id: R1.id, level: 1, ...three }), 201);
  cov = await ok(await town.get(`/api/v1/orgs/${branch}/coverage?round_id=${R1.id}`));
  assert.deepEqual([cov.counts.done, cov.counts.pending, cov.pending.length], [1, 1, 1]);
  assert.equal(cov.pending[0].target_kind, 'org');
  await ok(await leader.post(`/api/v1/orgs/${branch}/commentary`, { round_id: R1.id, level: '1', ...three }), 201);
  cov = await ok(await town.get(`/api/v1/orgs/${townId}/coverage?round_id=${R1.id}`));
  assert.deepEqual([cov.counts.charges, cov.counts.done, cov.counts.pending, cov.pending.length], [2, 2, 0, 0]);
  // every arranged charge is done, but coverage is over every member and organisation of the town
  const townOrg = await ok(await office.get(`/api/v1/orgs/${townId}`));
  assert.equal(cov.counts.commented, 2);
  assert.ok(cov.counts.scope >= townOrg.subtree_members, `scope ${cov.counts.scope}: every member and organisation`);
  assert.equal(cov.counts.uncommented, cov.counts.scope - 2);
  assert.equal((await ok(await leader.get(`/api/v1/me/charges?round_id=${R1.id}`))).done, 2);
  // an edit keeps the count
  await ok(await leader.post(`/api/v1/members/${A.id}/commentary`, { round_id: R1.id, level: 1, ...three, direction: '继续发挥示范作用' }), 200);
  const seen = await ok(await member.get(`/api/v1/me/reviews?round_id=${R1.id}`));
  assert.equal(seen.commentary.length, 1);
  assert.equal(seen.commentary[0].direction, '继续发挥示范作用');
  assert.equal(seen.commentary[0].leader, '镇党委书记');
});

test('the organisation\'s self-review (五个好) by its own secretary', async () => {
  const page = await ok(await secretary.get(`/api/v1/orgs/${branch}/review?round_id=${R1.id}`));
  assert.equal(page.items.length, 5);
  assert.equal(page.items[0].title, '领导班子好');
  assert.equal(page.can_edit, true);
  await ok(await secretary.post(`/api/v1/orgs/${branch}/review`, { round_id: R1.id, ...body('11111') }), 201);
  expectError(await town.post(`/api/v1/orgs/${branch}/review`, { round_id: R1.id, ...body('11111') }), 403, 'forbidden');
  expectError(await secretary2.post(`/api/v1/orgs/${branch}/review`, { round_id: R1.id, ...body('11111') }), 404, 'not_found');
});

test('exclusions, then the branch\'s grades with 优秀 capped at one third', async () => {
  expectError(await secretary.post(`/api/v1/members/${E.id}/exclusion`, { round_id: R1.id, reason: 'vacation' }), 400, 'invalid_reason', 'reason');
  expectError(await secretary.post(`/api/v1/members/${E.id}/exclusion`, { round_id: R1.id, reason: 'other' }), 400, 'required', 'note');
  const x = await ok(await secretary.post(`/api/v1/members/${E.id}/exclusion`, { round_id: R1.id, reason: 'away', note: '外出务工一年' }));
  assert.equal(x.exclusion.reason, 'away');
  expectError(await member.post(`/api/v1/members/${E.id}/exclusion`, { round_id: R1.id, reason: 'away' }), 403, 'forbidden');

  const g = await ok(await secretary.post(`/api/v1/orgs/${branch}/grades`, { round_id: R1.id, kind: 'member' }));
  const by = new Map(g.grades.map((r) => [r.target_id, r]));
  // A: self 100, peers 100, leader 100; B: (100 + 96) / 2; C: (96 + 92) / 2; D: 80
  assert.deepEqual([A, B, C, D].map((m) => by.get(m.id).score), [100, 98, 94, 80]);
  assert.deepEqual(by.get(A.id).scores, { self: 100, peer: 100, leader: 100, public: null, pledge: null });
  const graded = g.grades.filter((r) => r.computed !== 'none');
  assert.equal(graded.length, 4, 'four members have records; the excluded, the probationary and the silent are not graded');
  const excellent = graded.filter((r) => r.computed === 'excellent');
  assert.ok(excellent.length <= Math.floor(graded.length / 3), '优秀 at most one third');
  assert.deepEqual(excellent.map((r) => r.target_id), [A.id]);
  assert.equal(by.get(B.id).computed, 'qualified');
  assert.match(by.get(B.id).note, /三分之一/);
  assert.equal(by.get(C.id).computed, 'qualified');
  assert.equal(by.get(D.id).computed, 'qualified');
  assert.equal(by.get(E.id).computed, 'none');
  assert.match(by.get(E.id).note, /外出半年以上/);
  assert.equal(by.get(F.id).computed, 'none');
  assert.match(by.get(F.id).note, /预备党员/);
  assert.deepEqual([A, B, C, D].map((m) => by.get(m.id).meets), [true, true, true, true], 'every item averages 较好 or better');
  assert.equal(by.get(A.id).approval, 'none', '优秀 goes to the higher committee only after the branch meeting decides');
  assert.equal(by.get(B.id).approval, 'none');
  const stats = (await ok(await office.get(`/api/v1/rounds/${R1.id}`))).stats;
  assert.deepEqual([stats.members_graded, stats.members_excellent, stats.members_qualified, stats.members_meeting], [4, 1, 3, 4]);
  // the member sees their own result
  const mine = await ok(await member.get(`/api/v1/me/reviews?round_id=${R1.id}`));
  assert.equal(mine.grade.final, 'excellent');
  assert.equal(mine.grade.score, 100);
});

test('the branch meeting decides; the town office approves or rejects', async () => {
  // 应到 comes from the roster: the branch's 正式党员 less those left out of the round (E, away)
  const meeting = (await ok(await secretary.get(`/api/v1/orgs/${branch}/grades?round_id=${R1.id}&kind=member`))).meeting;
  const full = roster.filter((m) => m.status === 'full').length;
  assert.deepEqual([meeting.full_members, meeting.left_out_count, meeting.entitled], [full, 1, full - 1]);
  assert.deepEqual(meeting.left_out.map((x) => [x.name, x.reason]), [[E.name, 'away']]);
  const N = meeting.entitled, half = Math.floor(N / 2);
  const decide = (m, grade, n, reason = '支部党员大会讨论决定', extra = {}) => secretary.post(`/api/v1/members/${m.id}/grade`,
    { round_id: R1.id, grade, present: n[0], in_favour: n[1], reason, ...extra });
  await refused('a second 优秀 over the cap', () => decide(D, 'excellent', [N, N]), 409, 'cap_exceeded', 'grade');
  await refused('no quorum', () => decide(D, 'basic', [half, half]), 409, 'no_quorum', 'present');
  await refused('motion failed', () => decide(D, 'basic', [N, half]), 409, 'motion_failed', 'in_favour');
  await refused('more present than entitled', () => decide(D, 'basic', [N + 1, N]), 400, 'invalid_meeting', 'present');
  // a typed 应到 that the roster does not bear out: a 1/1/1 meeting, or 100000/50001/50001
  await refused('a meeting of one', () => decide(D, 'basic', [1, 1], '决定', { entitled: 1 }), 409, 'entitled_mismatch', 'entitled');
  await refused('a meeting of 100000', () => decide(D, 'basic', [50001, 50001], '决定', { entitled: 100000 }), 409, 'entitled_mismatch', 'entitled');
  await refused('a meeting in the future', () => decide(D, 'basic', [N, N], '决定', { meeting_date: daysFromToday(3) }), 400, 'invalid_meeting', 'meeting_date');
  await refused('a meeting date that is no date', () => decide(D, 'basic', [N, N], '决定', { meeting_date: '2026-02-30' }), 400, 'invalid_date', 'meeting_date');
  await refused('no reason', () => decide(D, 'basic', [N, N], ''), 400, 'required', 'reason');
  await refused('an excluded member', () => decide(E, 'qualified', [N, N]), 409, 'not_graded');
  await refused('an unknown grade', () => decide(D, 'great', [N, N]), 400, 'invalid_grade', 'grade');
  const d = (await ok(await decide(D, 'basic', [N, half + 1], '支部党员大会讨论决定', { entitled: N }))).grade;
  assert.deepEqual([d.computed, d.final, d.approval, d.meets, d.decided], ['qualified', 'basic', 'none', false, true]);
  assert.deepEqual(d.decision, { grade: 'basic', meeting_date: daysFromToday(0), entitled: N, present: N, in_favour: half + 1,
    reason: '支部党员大会讨论决定', full_members: full, left_out: [{ member_id: E.id, name: E.name, reason: 'away', note: '外出务工一年' }] });
  const c = (await ok(await decide(C, 'unqualified', [N, N], '长期不参加组织生活'))).grade;
  assert.deepEqual([c.final, c.approval], ['unqualified', 'pending']);
  assert.match(c.note, /限期改正/);

  // a computed 优秀 goes up only after the branch meeting's decision
  assert.deepEqual((await ok(await town.get(`/api/v1/orgs/${townId}/approvals?round_id=${R1.id}`))).grades.map((p) => p.target_id), [C.id]);
  await refused('approval before the branch meeting', () => town.post(`/api/v1/members/${A.id}/grade/approve`, { round_id: R1.id, approve: true }),
    409, 'no_decision', 'id');
  await ok(await decide(A, 'excellent', [N, N], '支部党员大会表决通过'));
  const pending = (await ok(await town.get(`/api/v1/orgs/${townId}/approvals?round_id=${R1.id}`))).grades;
  assert.deepEqual(pending.map((p) => p.target_id).sort(), [A.id, C.id].sort());
  assert.ok(pending.every((p) => p.can_approve));
  await refused('approval by the branch\'s own secretary', () => secretary.post(`/api/v1/members/${A.id}/grade/approve`, { round_id: R1.id, approve: true }), 403, 'forbidden');
  await refused('a rejection without reason', () => town.post(`/api/v1/members/${C.id}/grade/approve`, { round_id: R1.id, approve: false }), 400, 'required', 'reason');
  await refused('approval of a grade not pending', () => town.post(`/api/v1/members/${B.id}/grade/approve`, { round_id: R1.id, approve: true }), 409, 'not_pending');
  const a = (await ok(await town.post(`/api/v1/members/${A.id}/grade/approve`, { round_id: R1.id, approve: true }))).grade;
  assert.deepEqual([a.final, a.approval], ['excellent', 'approved']);
  const rj = (await ok(await town.post(`/api/v1/members/${C.id}/grade/approve`, { round_id: R1.id, approve: false, reason: '事实不清' }))).grade;
  assert.deepEqual([rj.final, rj.approval, rj.meets], ['qualified', 'rejected', true], 'rejected: back to the computed 合格');
  assert.match(rj.note, /未批准/);
  assert.deepEqual((await ok(await town.get(`/api/v1/orgs/${townId}/approvals?round_id=${R1.id}`))).grades, []);
  const stats = (await ok(await office.get(`/api/v1/rounds/${R1.id}`))).stats;
  assert.deepEqual([stats.members_graded, stats.members_excellent, stats.members_qualified, stats.members_basic, stats.members_unqualified, stats.members_meeting],
    [4, 1, 2, 1, 0, 3]);
});

test('organisation grades by the town office; the results export to XLSX', async () => {
  expectError(await secretary.post(`/api/v1/orgs/${branch}/grades`, { round_id: R1.id, kind: 'org' }), 403, 'forbidden', 'kind');
  const g = await ok(await town.post(`/api/v1/orgs/${townId}/grades`, { round_id: R1.id, kind: 'org' }));
  const b = g.grades.find((r) => r.target_id === branch);
  assert.deepEqual([b.target_kind, b.score, b.computed, b.final, b.meets], ['org', 100, 'excellent', 'excellent', true]);
  assert.equal(b.final_label, '好');
  assert.ok(g.grades.every((r) => r.target_id !== townId), 'an office grades the organisations below it');
  const res = await town.get(`/api/v1/orgs/${townId}/grades?round_id=${R1.id}&format=xlsx`);
  assert.equal(res.status, 200, res.text.slice(0, 300));
  assert.match(res.headers.get('content-type'), /spreadsheetml/);
  const files = unzip(res.buf);
  const text = Object.entries(files).filter(([n]) => n.startsWith('xl/')).map(([, v]) => v.toString('utf8')).join('');
  for (const h of ['综合得分', '最终等次', '五带头/五个好', '审批']) assert.ok(text.includes(h), `header ${h}`);
  for (const m of [A, B, C, D]) assert.ok(text.includes(m.name), `the export lists ${m.name}`);
  assert.ok(text.includes('上级已批准'));
  const audit = (await ok(await office.get(`/api/v1/orgs/${rootId}/audit`))).records;
  assert.ok(audit.some((x) => x.action === 'export' && x.entity === 'grade'), 'the export is audited');
});

test('cxzy recount finds no difference after the path, and finds a changed raw record', () => {
  const help = srv.cli(['recount', '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /用法：cxzy recount \[--round 轮次编号\]/);
  const r = srv.cli(['recount', '--round', String(R1.id)]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /无差异/);
  const bad = srv.cli(['recount', '--round', '987654']);
  assert.equal(bad.status, 3);
  assert.match(bad.stderr, /不存在/);
  const quarters = srv.cli(['recount']); // without --round: the quarter roll-ups alone
  assert.equal(quarters.status, 0, quarters.stdout + quarters.stderr);
  assert.match(quarters.stdout, /季度统计数：无差异/);
  assert.equal(srv.cli(['recount', 'extra']).status, 2);
});

test('a raw record changed after grading shows in recount until the branch recomputes', async () => {
  await ok(await review('D', D, '33333'), 200);
  const r = srv.cli(['recount', '--round', String(R1.id)]);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.ok(r.stdout.includes(D.name) && /综合得分记录为 80\.00，按原始记录应为 70\.00/.test(r.stdout), r.stdout);
  await ok(await secretary.post(`/api/v1/orgs/${branch}/grades`, { round_id: R1.id, kind: 'member' }));
  const again = srv.cli(['recount', '--round', String(R1.id)]);
  assert.equal(again.status, 0, again.stdout + again.stderr);
  // recomputing starts the meeting's decisions and approvals over
  const g = (await ok(await secretary.get(`/api/v1/orgs/${branch}/grades?round_id=${R1.id}&kind=member`))).grades;
  assert.ok(g.every((x) => !x.decided));
  assert.equal(g.find((x) => x.target_id === A.id).approval, 'none', 'back to the branch meeting before any approval');
});

test('refusals: each with its code, nothing changed', async () => {
  await refused('a peer review of oneself', () => review('A', A, '11111', { kind: 'peer' }), 400, 'self_peer', 'kind');
  await refused('a self-review for another', () => review('A', B, '11111', { kind: 'self' }), 403, 'not_self', 'kind');
  const other = (await ok(await secretary2.get(`/api/v1/orgs/${branch2}/members?per_page=1`))).members[0];
  await refused('a member of another branch', () => member.post(`/api/v1/members/${other.id}/review`, { round_id: R1.id, kind: 'peer', ...body('11111') }), 404, 'not_found');
  await refused('levels of the wrong length', () => review('B', A, '1111', { kind: 'peer' }), 400, 'invalid_levels', 'levels');
  await refused('levels out of range', () => review('B', A, '11115', { kind: 'peer' }), 400, 'invalid_levels', 'levels');
  await refused('a self-review without 找不足', () => review('A', A, '11111', { shortcomings: ' ' }), 400, 'required', 'shortcomings');
  await refused('commentary without a charge', () => leader.post(`/api/v1/members/${D.id}/commentary`,
    { round_id: R1.id, level: 2, achievements: '好', problems: '有', direction: '改' }), 403, 'no_charge');
  await refused('a round that does not cover the branch', () => member.post(`/api/v1/members/${A.id}/review`, { round_id: 987654, ...body('11111') }), 404, 'not_found', 'round_id');
  // a member login of the town (not of the branch) cannot peer-review across branches
  const tree = (await ok(await office.get(`/api/v1/orgs/${townId}/tree?depth=3`))).tree;
  const flat = [];
  (function walk(n) { flat.push(n); n.children.forEach(walk); })(tree);
  const otherBranch = flat.find((o) => o.is_branch && o.id !== branch);
  const om = (await ok(await town.get(`/api/v1/orgs/${otherBranch.id}/members?per_page=1`))).members[0];
  const u = srv.cli(['user', 'add', 'rvtown', '--name', om.name, '--password-file', '-', '--role', 'member', '--org', String(townId),
    '--member', String(om.id)], { input: PASSWORD + '\n' });
  assert.equal(u.status, 0, u.stderr);
  const tm = await loginAs(srv.base, 'rvtown');
  await refused('a peer review across branches', () => tm.post(`/api/v1/members/${A.id}/review`, { round_id: R1.id, ...body('11111') }), 403, 'not_same_branch');
  // an account without a member record
  await refused('a reviewer without a member record', () => secretary.post(`/api/v1/members/${A.id}/review`, { round_id: R1.id, ...body('11111') }), 403, 'not_member');
});

test('a closed round refuses reviews, commentary, exclusions and grades; an unjustified miss vetoes', async () => {
  // a second round for the branch whose period covers the coming weeks
  const R2 = (await ok(await town.post(`/api/v1/orgs/${branch}/rounds`, { campaign_id: campaign.id, name: '2011年下半年',
    start_date: daysFromToday(-170), end_date: daysFromToday(40) }), 201)).round;
  const p = (await ok(await as.B.post('/api/v1/pledges', { area: '服务群众', title: '每周走访两户', content: '走访联系户', measures: '每周六',
    responsible: B.name, due_date: daysFromToday(5) }), 201)).pledge;
  await ok(await as.B.post(`/api/v1/pledges/${p.id}/submit`));
  await ok(await secretary.post(`/api/v1/pledges/${p.id}/approve`));
  await ok(await secretary.post(`/api/v1/pledges/${p.id}/miss`, { miss_kind: 'unjustified' }));
  await ok(await as.B.post(`/api/v1/members/${B.id}/review`, { round_id: R2.id, ...body('11111') }), 201);
  const g = (await ok(await secretary.post(`/api/v1/orgs/${branch}/grades`, { round_id: R2.id, kind: 'member' }))).grades;
  const gb = g.find((x) => x.target_id === B.id);
  assert.deepEqual([gb.scores.self, gb.scores.pledge, gb.computed], [100, 0, 'unqualified']);
  assert.match(gb.note, /否决/);
  assert.match(gb.note, /限期改正/);
  assert.equal(srv.cli(['recount', '--round', String(R2.id)]).status, 0);
  const N2 = (await ok(await secretary.get(`/api/v1/orgs/${branch}/grades?round_id=${R2.id}&kind=member`))).meeting.entitled;
  await ok(await secretary.post(`/api/v1/members/${B.id}/grade`, { round_id: R2.id, grade: 'unqualified', present: N2, in_favour: N2, reason: '承诺无正当理由未兑现' }));
  // the town approves the 不合格: correction within a deadline becomes a rectification item of the branch
  const listRect = async () => (await ok(await town.get(`/api/v1/orgs/${branch}/rectifications?scope=own&per_page=500`)));
  const fromGrade = (l) => JSON.stringify(l).match(/"source":"grade"/g) || [];
  assert.equal(fromGrade(await listRect()).length, 0);
  const ap = (await ok(await town.post(`/api/v1/members/${B.id}/grade/approve`, { round_id: R2.id, approve: true }))).grade;
  assert.deepEqual([ap.final, ap.approval], ['unqualified', 'approved']);
  const items = JSON.stringify(await listRect());
  assert.equal(fromGrade(JSON.parse(items)).length, 1, items.slice(0, 400));
  assert.ok(items.includes(`"member_id":${B.id}`) && items.includes('限期改正'), items.slice(0, 400));

  expectError(await secretary.post(`/api/v1/rounds/${R2.id}/close`), 403, 'forbidden');
  const closed = (await ok(await town.post(`/api/v1/rounds/${R2.id}/close`))).round;
  assert.equal(closed.status, 'closed');
  expectError(await town.post(`/api/v1/rounds/${R2.id}/close`), 409, 'round_closed');
  const closedRound = { round_id: R2.id };
  const before = (await ok(await secretary.get(`/api/v1/orgs/${branch}/grades?round_id=${R2.id}`)));
  for (const [what, send, code] of [
    ['self-review', () => as.B.post(`/api/v1/members/${B.id}/review`, { ...closedRound, ...body('22222') })],
    ['peer review', () => member.post(`/api/v1/members/${B.id}/review`, { ...closedRound, ...body('22222'), kind: 'peer' })],
    ['organisation review', () => secretary.post(`/api/v1/orgs/${branch}/review`, { ...closedRound, ...body('22222') })],
    ['commentary', () => leader.post(`/api/v1/orgs/${branch}/commentary`, { ...closedRound, level: 1, achievements: 'a', problems: 'b', direction: 'c' }), 'round_closed'],
    ['a charge', () => town.post(`/api/v1/orgs/${branch}/charges`, { ...closedRound, user_id: leader.user.id })],
    ['an exclusion', () => secretary.post(`/api/v1/members/${D.id}/exclusion`, { ...closedRound, reason: 'away' })],
    ['grades', () => secretary.post(`/api/v1/orgs/${branch}/grades`, { ...closedRound, kind: 'member' })],
    ['a decision', () => secretary.post(`/api/v1/members/${B.id}/grade`, { ...closedRound, grade: 'basic', entitled: 9, present: 9, in_favour: 9, reason: '决定' })],
    ['an approval', () => town.post(`/api/v1/members/${B.id}/grade/approve`, { ...closedRound, approve: true })],
  ]) {
    const r = await send();
    try { expectError(r, 409, code || 'round_closed'); } catch (e) { e.message = `${what} in a closed round: ${e.message}`; throw e; }
  }
  assert.deepEqual(await ok(await secretary.get(`/api/v1/orgs/${branch}/grades?round_id=${R2.id}`)), before);
  // the closed round is no longer the branch's current one
  assert.equal((await ok(await member.get('/api/v1/me/reviews'))).round.id, R1.id);
});

test('anonymity: no answer names or numbers the member who peer-reviewed', async () => {
  const reviewers = [B, C, D];
  const secrets = reviewers.flatMap((m) => [m.name, `"${m.id}"`, `:${m.id},`, `:${m.id}}`]);
  const check = (what, json) => {
    const s = JSON.stringify(json);
    for (const x of secrets) assert.ok(!s.includes(x), `${what} reveals a reviewer (${x}): ${s.slice(0, 400)}`);
  };
  // everything about A, as everyone who may see it
  for (const [who, c] of [['secretary', secretary], ['town', town], ['office', office], ['leader', leader]]) {
    check(`${who} GET /members/A/review`, await ok(await c.get(`/api/v1/members/${A.id}/review?round_id=${R1.id}`)));
    const rows = (await ok(await c.get(`/api/v1/orgs/${branch}/grades?round_id=${R1.id}`))).grades;
    check(`${who} A's grade row`, rows.find((r) => r.target_id === A.id));
  }
  const mine = await ok(await member.get(`/api/v1/me/reviews?round_id=${R1.id}`));
  check('A\'s own summary', { peer: mine.peer, items: mine.items, grade: mine.grade, commentary: mine.commentary, self: mine.self });
  const own0 = await ok(await member.get(`/api/v1/members/${A.id}/review?round_id=${R1.id}`));
  check('A\'s own member answer', { peer: own0.peer, items: own0.items, grade: own0.grade, commentary: own0.commentary, self: own0.self });
  // the peers' remarks are there, without names and in text order
  assert.deepEqual(mine.peer.remarks, ['B对A的意见', 'C对A的意见', 'D对A的意见'].sort());
  // the audit log of a peer review names the round and the branch, never the member reviewed
  const audit = (await ok(await office.get(`/api/v1/orgs/${rootId}/audit`))).records.filter((x) => x.action === 'review.peer');
  assert.ok(audit.length >= 12);
  for (const x of audit) {
    assert.equal(x.entity, 'review_round');
    assert.ok(!JSON.stringify(x).includes(A.name), 'the audit record of a peer review names its target');
  }
  // a fellow member sees only their own review of a peer
  const own = await ok(await as.B.get(`/api/v1/members/${A.id}/review?round_id=${R1.id}`));
  assert.equal(own.my_peer_review.levels, '11111');
  assert.equal(own.peer, undefined);
  check('B on A', { ...own, my_peer_review: undefined, member: undefined, items: undefined });
});

test('campaign settings: phases, rules (audited), standard sets, carriers', async () => {
  const own = (await ok(await town.post(`/api/v1/orgs/${townId}/campaigns`, { theme: '镇创先争优', start_date: daysFromToday(-30), end_date: daysFromToday(300) }), 201)).campaign;
  const c = await ok(await town.get(`/api/v1/campaigns/${own.id}`));
  assert.equal(c.rules.w_public, 30);
  assert.deepEqual(c.standards.filter((s) => s.builtin).map((s) => s.name), ['五个好', '五带头']);
  assert.equal(c.standards.find((s) => s.code === 'wudaitou').items.length, 5);
  const ph = await ok(await town.post(`/api/v1/campaigns/${own.id}/phases`, { name: '向建党90周年献礼', start_date: daysFromToday(-20), end_date: daysFromToday(60) }), 201);
  expectError(await town.post(`/api/v1/campaigns/${own.id}/phases`, { name: '越界', start_date: daysFromToday(-60), end_date: daysFromToday(10) }), 400, 'outside_campaign', 'start_date');
  const edited = await ok(await town.patch(`/api/v1/campaigns/${own.id}/phases`, { phase_id: ph.phase_id, name: '向党的十八大献礼', start_date: daysFromToday(-20), end_date: daysFromToday(90) }));
  assert.deepEqual(edited.phases.map((p) => p.name), ['向党的十八大献礼']);
  const head = async () => (await ok(await office.get(`/api/v1/orgs/${rootId}/audit`))).records[0].seq;
  let h = await head();
  expectError(await town.patch(`/api/v1/campaigns/${own.id}/rules`, { w_self: 50 }), 400, 'invalid_rules', 'w_self');
  expectError(await town.patch(`/api/v1/campaigns/${own.id}/rules`, { t_basic: 95 }), 400, 'invalid_rules');
  expectError(await town.patch(`/api/v1/campaigns/${own.id}/rules`, { cap_num: 'a' }), 400, 'invalid_rules', 'cap_num');
  assert.equal(await head(), h, 'refused rules leave the audit log alone');
  const r = await ok(await town.patch(`/api/v1/campaigns/${own.id}/rules`, { w_self: 10, w_public: 40, veto_unsatisfied_pct: 30 }));
  assert.deepEqual([r.rules.w_self, r.rules.w_public, r.rules.veto_unsatisfied_pct], [10, 40, 30]);
  const rec = (await ok(await office.get(`/api/v1/orgs/${rootId}/audit`))).records[0];
  assert.equal(rec.action, 'rules.edit');
  expectError(await secretary.patch(`/api/v1/campaigns/${own.id}/rules`, { w_self: 20 }), 403, 'forbidden');
  expectError(await secretary2.get(`/api/v1/campaigns/${own.id}`), 404, 'not_found');
  expectError(await office.patch(`/api/v1/campaigns/${campaign.id}/rules`, { member_set_id: c.standards.find((x) => x.code === 'wuhao').id }), 400, 'invalid_set', 'member_set_id');
  const s = await ok(await office.post('/api/v1/standards', { code: 'siqiang', name: '四强党组织', target: 'org', items: [
    { title: '政治引领力强', body: '' }, { title: '推动发展力强', body: '' }, { title: '改革创新力强', body: '' }, { title: '凝聚保障力强', body: '' }] }), 201);
  assert.deepEqual(s.standard.items.map((i) => i.title), ['政治引领力强', '推动发展力强', '改革创新力强', '凝聚保障力强']);
  expectError(await office.post('/api/v1/standards', { code: 'siqiang', name: '重复', target: 'org', items: [{ title: 'x' }] }), 409, 'duplicate_code', 'code');
  expectError(await office.post('/api/v1/standards', { code: 'Bad Code', name: 'x', target: 'org', items: [{ title: 'x' }] }), 400, 'invalid_code', 'code');
  expectError(await secretary.post('/api/v1/standards', { code: 'sixx', name: 'x', target: 'org', items: [{ title: 'x' }] }), 403, 'forbidden');
  // the demo campaign's member set cannot change once reviews were made under it
  const siyou = (await ok(await office.post('/api/v1/standards', { code: 'siyou', name: '四优共产党员', target: 'member', items: [
    { title: '政治素质优', body: '' }, { title: '岗位技能优', body: '' }, { title: '工作业绩优', body: '' }, { title: '群众评价优', body: '' }] }), 201)).standard;
  expectError(await office.patch(`/api/v1/campaigns/${campaign.id}/rules`, { member_set_id: siyou.id }), 409, 'sets_in_use', 'member_set_id');
  const ch = await town.patch(`/api/v1/campaigns/${own.id}/rules`, { org_set_id: s.standard.id });
  assert.equal((await ok(ch)).rules.org_set_id, s.standard.id, 'a campaign without reviews may take the new set');
  const k = await ok(await secretary.post(`/api/v1/orgs/${branch}/carriers`, { name: '三亮三比三评', description: '亮身份、亮承诺、亮形象' }), 201);
  assert.equal(k.carriers[0].name, '三亮三比三评');
  expectError(await secretary.post(`/api/v1/orgs/${branch}/carriers`, { name: '' }), 400, 'required', 'name');
  expectError(await secretary2.post(`/api/v1/orgs/${branch}/carriers`, { name: '越权' }), 404, 'not_found');
  const list = (await ok(await member.get(`/api/v1/orgs/${branch}/carriers`))).carriers;
  assert.ok(list.some((x) => x.name === '三亮三比三评'));
});

test('pages: rounds, my reviews with the five criteria, peer form, charges, commentary, coverage, grades, approvals, settings', async () => {
  const page = async (c, url, ...want) => {
    const r = await c.get(url);
    assert.equal(r.status, 200, `${url}: ${r.status} ${r.text.slice(0, 300)}`);
    for (const w of want) assert.ok(r.text.includes(w), `${url} lacks “${w}”`);
    return r.text;
  };
  await page(secretary, `/orgs/${branch}/rounds`, '2011年上半年', '评议结果与等次');
  await page(town, `/rounds/${R1.id}`, '2011年上半年', '自评');
  const mine = await page(member, '/me/reviews', '带头学习提高，争当勤学标兵', '认真学习实践科学发展观', '找不足', '明方向', B.name, '互评汇总');
  assert.match(mine, /<td data-label="标准">带头学习提高，争当勤学标兵<\/td><td data-label="好">\d+<\/td>/, 'the peer summary names each criterion with its counts');
  await page(secretary, `/members/${A.id}/review?round_id=${R1.id}`, '互评汇总');
  assert.match((await secretary.get(`/members/${A.id}/review?round_id=${R1.id}`)).text, /<td data-label="标准">带头创造佳绩，争当敬业模范<\/td><td data-label="好">\d+<\/td>/);
  await page(member, `/members/${B.id}/review?round_id=${R1.id}`, '不具名', 'level_5');
  await page(leader, '/me/charges', A.name, '已点评');
  await page(leader, `/members/${A.id}/commentary?round_id=${R1.id}`, '肯定成绩', '指出问题', '明确努力方向');
  await page(secretary, `/orgs/${branch}/coverage?round_id=${R1.id}`, '尚未点评');
  await page(town, `/orgs/${branch}/charges?round_id=${R1.id}`, '安排联系领导');
  const N = (await ok(await secretary.get(`/api/v1/orgs/${branch}/grades?round_id=${R1.id}&kind=member`))).meeting.entitled;
  await page(secretary, `/orgs/${branch}/grades?round_id=${R1.id}`, A.name, '支部大会决定', '导出 Excel', `应到会有表决权党员 <strong>${N}</strong> 人`, 'name="meeting_date"');
  // the secretary records the meeting's 优秀 from the page; then it waits for the town's approval
  const up = new URLSearchParams({ _csrf: secretary.csrf, round_id: String(R1.id), grade: 'excellent', meeting_date: daysFromToday(0),
    present: String(N), in_favour: String(N), reason: '支部党员大会表决通过' });
  const upRes = await secretary.req('POST', `/members/${A.id}/grade`, { body: up.toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, csrf: false });
  assert.equal(upRes.status, 303, upRes.text.slice(0, 300));
  await page(town, `/orgs/${townId}/approvals?round_id=${R1.id}`, A.name, '批准');
  await page(town, `/campaigns/${campaign.id}`, '评定规则', '五带头', '群众反映好');
  await page(secretary, `/orgs/${branch}/review?round_id=${R1.id}`, '领导班子好');
  // a form post: the self-review from the page, with its CSRF field, then a refused one redisplayed
  const form = new URLSearchParams({ _csrf: member.csrf, round_id: String(R1.id), kind: 'self', level_1: '1', level_2: '1', level_3: '1', level_4: '1',
    level_5: '1', achievements: '页面提交', shortcomings: '不足', direction: '方向' });
  const ok303 = await member.req('POST', `/members/${A.id}/review`, { body: form.toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, csrf: false });
  assert.equal(ok303.status, 303, ok303.text.slice(0, 300));
  assert.match(ok303.headers.get('location'), /^\/me\/reviews/);
  form.set('shortcomings', '');
  const bad = await member.req('POST', `/members/${A.id}/review`, { body: form.toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded', Referer: `${srv.base}/me/reviews` }, csrf: false });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /存在的不足（找不足）不能为空/);
  assert.match(bad.text, /带头学习提高/, 'the form is shown again');
  // a refused decision from the grades page comes back to the grades page with the reason
  const dec = new URLSearchParams({ _csrf: secretary.csrf, round_id: String(R1.id), grade: 'basic', meeting_date: daysFromToday(0), present: '1', in_favour: '1', reason: '大会决定' });
  const refusedPage = await secretary.req('POST', `/members/${D.id}/grade`, { body: dec.toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded', Referer: `${srv.base}/orgs/${branch}/grades?round_id=${R1.id}` }, csrf: false });
  assert.equal(refusedPage.status, 409);
  assert.match(refusedPage.text, /到会人数未超过/);
  assert.match(refusedPage.text, /评议结果与等次/);
  // the secretary's view of a member: the exclusion form
  await page(secretary, `/members/${E.id}/review?round_id=${R1.id}`, '不参加等次评定', '外出半年以上');
  form.delete('_csrf');
  const nocsrf = await member.req('POST', `/members/${A.id}/review`, { body: form.toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, csrf: false });
  assert.equal(nocsrf.status, 403);
});

test('the audit chain verifies and recount still agrees', () => {
  const v = srv.cli(['audit', 'verify']);
  assert.equal(v.status, 0, v.stdout + v.stderr);
  const r = srv.cli(['recount', '--round', String(R1.id)]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
