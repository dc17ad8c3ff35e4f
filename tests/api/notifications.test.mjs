// notifications.test.mjs: reminders (issue 16), on this file's own demo database. A to-do item
// notifies the people it waits for as it appears (a submitted pledge its reviewers in the branch
// and above, never another branch; a returned one its member; feedback assigned to a branch that
// branch's caseworkers), each user reads and marks only their own; the daily digest (`cxzy
// remind`) is made once per user and day however often it runs; its SMS goes only where an office
// turned it on, never to a user who opted out, never past the site's daily cap, and is recorded in
// message_log with a masked number only.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, Client, loginAs, expectError, daysFromToday, sqlOn } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const sql = (q) => sqlOn(srv.db, q);
const as = {};
for (const u of ['office', 'town', 'secretary', 'secretary2', 'member', 'leader']) as[u] = await loginAs(srv.base, u);
const { office, town, secretary, secretary2, member, leader } = as;
const townId = town.user.roles[0].org_id;
const rootId = office.user.roles[0].org_id;
const branch = secretary.user.roles[0].org_id;

async function ok(r, status = 200) {
  r = await r;
  assert.equal(r.status, status, `${r.status} ${r.text.slice(0, 400)}`);
  return r.json;
}
const list = async (c, q = '') => ok(c.get(`/api/v1/me/notifications?per_page=200${q}`));
const find = async (c, kind, text) => (await list(c)).notifications.filter((n) => n.kind === kind && n.text.includes(text));

let pledge;
test('submitting a pledge notifies the branch secretary and the office above, not another branch', async () => {
  const before2 = (await list(secretary2)).paging.total;
  pledge = (await ok(member.post('/api/v1/pledges', { area: '服务群众', title: '提醒测试承诺：每周走访两户', content: '走访困难群众。',
    measures: '每周两户。', responsible: member.user.display_name, due_date: daysFromToday(30) }), 201)).pledge;
  assert.deepEqual(await find(secretary, 'pledge_submitted', '提醒测试承诺'), [], 'a draft notifies nobody');
  await ok(member.post(`/api/v1/pledges/${pledge.id}/submit`));
  const [n] = await find(secretary, 'pledge_submitted', '提醒测试承诺');
  assert.ok(n, 'the branch secretary is told');
  assert.equal(n.link, `/pledges/${pledge.id}`);
  assert.equal(n.read, false);
  assert.equal((await find(town, 'pledge_submitted', '提醒测试承诺')).length, 1, 'the town office above may review it too');
  assert.equal((await find(secretary2, 'pledge_submitted', '提醒测试承诺')).length, 0, 'another branch hears nothing');
  assert.equal((await list(secretary2)).paging.total, before2);
  assert.equal((await find(member, 'pledge_submitted', '提醒测试承诺')).length, 0, 'not the one who submitted it');
  // submitting again is refused and notifies nobody twice
  const again = await member.post(`/api/v1/pledges/${pledge.id}/submit`);
  assert.notEqual(again.status, 200);
  assert.equal((await find(secretary, 'pledge_submitted', '提醒测试承诺')).length, 1);
});

test('returning a pledge notifies its member', async () => {
  await ok(secretary.post(`/api/v1/pledges/${pledge.id}/return`, { reason: '措施请写具体' }));
  const [n] = await find(member, 'pledge_returned', '提醒测试承诺');
  assert.ok(n, 'the member is told');
  assert.equal(n.link, `/pledges/${pledge.id}`);
  assert.equal((await find(secretary, 'pledge_returned', '提醒测试承诺')).length, 0, 'not the secretary who returned it');
});

test('feedback assigned to a branch notifies its caseworkers only', async () => {
  const text = '提醒测试：村口路灯不亮';
  await ok(new Client(srv.base).post('/api/v1/public/feedback', { kind: 'opinion', text, about_kind: 'org', about_id: branch }), 201);
  const it = (await ok(office.get(`/api/v1/orgs/${branch}/feedback?view=new`))).items.find((x) => x.text === text);
  await ok(office.post(`/api/v1/feedback/${it.id}/assign`, { org_id: branch }));
  const mine = (await list(secretary)).notifications.filter((n) => n.kind === 'feedback_assigned' && n.link === `/feedback/${it.id}`);
  assert.equal(mine.length, 1, 'the branch secretary is told');
  assert.ok(!mine[0].text.includes('路灯'), 'the notification never carries the text');
  assert.equal((await list(secretary2)).notifications.filter((n) => n.link === `/feedback/${it.id}`).length, 0);
});

test('rectification submitted, a leader charged, a grade waiting for approval: each notifies whom it waits for', async () => {
  const x = (await ok(town.post(`/api/v1/orgs/${branch}/rectifications`, { source: 'inspection', problem: '提醒测试：台账不全',
    measure: '补齐台账', owner: '书记', due_date: daysFromToday(20) }), 201)).rectification;
  await ok(secretary.post(`/api/v1/rectifications/${x.id}/submit`, { note: '已补齐', no_evidence_reason: '纸质记录在支部存档' }));
  const link = `/rectifications/${x.id}`;
  for (const [c, n] of [[town, 1], [office, 1], [secretary, 0], [secretary2, 0]])
    assert.equal((await list(c)).notifications.filter((v) => v.kind === 'rect_submitted' && v.link === link).length, n, c.user.username);

  const roundId = Number((await ok(secretary.get('/api/v1/me/desk'))).sections[0].items.find((i) => i.key === 'grades_undecided').href.match(/round_id=(\d+)/)[1]);
  const members = (await ok(secretary.get(`/api/v1/orgs/${branch}/members?per_page=500`))).members;
  const target = members.find((m) => m.id !== member.user.member_id);
  await ok(town.post(`/api/v1/orgs/${branch}/charges`, { round_id: roundId, user_id: leader.user.id, member_id: target.id }), 201);
  const charged = (await list(leader)).notifications.filter((v) => v.kind === 'charge' && v.text.includes(target.name));
  assert.equal(charged.length, 1, 'the leader is told');
  assert.equal(charged[0].link, '/me/charges');

  const g = await ok(secretary.get(`/api/v1/orgs/${branch}/grades?round_id=${roundId}&kind=member`));
  const u = g.grades.find((v) => v.computed !== 'none' && !v.decided && v.target_id !== member.user.member_id);
  const N = g.meeting.entitled;
  await ok(secretary.post(`/api/v1/members/${u.target_id}/grade`, { round_id: roundId, grade: 'basic', present: N, in_favour: N, reason: '表现一般' }));
  assert.equal((await list(town)).notifications.filter((v) => v.kind === 'grade_approval').length, 0, '基本合格 needs no approval');
  await ok(secretary.post(`/api/v1/members/${u.target_id}/grade`, { round_id: roundId, grade: 'unqualified', present: N, in_favour: N, reason: '长期不参加组织生活' }));
  for (const [c, n] of [[town, 1], [office, 1], [secretary, 0], [secretary2, 0]])
    assert.equal((await list(c)).notifications.filter((v) => v.kind === 'grade_approval').length, n, c.user.username);
});

test('a user reads and marks only their own notifications', async () => {
  const [n] = await find(secretary, 'pledge_submitted', '提醒测试承诺');
  // another user's id, a missing id and a bad id: the same 404, nothing changes
  expectError(await secretary2.post(`/api/v1/me/notifications/${n.id}/read`), 404, 'not_found');
  expectError(await member.post(`/api/v1/me/notifications/${n.id}/read`), 404, 'not_found');
  expectError(await secretary.post('/api/v1/me/notifications/987654321/read'), 404, 'not_found');
  expectError(await secretary.post('/api/v1/me/notifications/abc/read'), 404, 'not_found', 'id');
  assert.equal((await find(secretary, 'pledge_submitted', '提醒测试承诺'))[0].read, false);
  const unread = (await list(secretary)).unread;
  assert.ok(unread >= 2);
  await ok(secretary.post(`/api/v1/me/notifications/${n.id}/read`));
  await ok(secretary.post(`/api/v1/me/notifications/${n.id}/read`)); // twice: still read, no error
  assert.equal((await find(secretary, 'pledge_submitted', '提醒测试承诺'))[0].read, true);
  assert.equal((await list(secretary)).unread, unread - 1);
  assert.equal((await list(secretary, '&unread=1')).notifications.some((x) => x.id === n.id), false);
  // the bell in the top navigation shows the unread count on every page
  const page = await secretary.get('/desk');
  assert.match(page.text, new RegExp(`id="bell"[^>]*>通知<span class="badge">${unread - 1}</span>`));
  const all = await ok(secretary.post('/api/v1/me/notifications/read-all'));
  assert.equal(all.marked, unread - 1);
  assert.equal((await list(secretary)).unread, 0);
  assert.doesNotMatch((await secretary.get('/desk')).text, /class="badge"/);
  // the other users' notifications were not touched
  assert.equal((await find(member, 'pledge_returned', '提醒测试承诺'))[0].read, false);
  assert.ok((await list(town)).unread > 0);
  // without a session: 401
  expectError(await new Client(srv.base).get('/api/v1/me/notifications'), 401, 'unauthenticated');
});

const digests = () => sql("SELECT user_id || ':' || day FROM notification WHERE kind = 'digest' ORDER BY user_id, day").split('\n').filter(Boolean);
const smsLog = () => sql("SELECT user_id || '|' || phone_mask || '|' || result FROM message_log WHERE kind = 'digest' ORDER BY id").split('\n').filter(Boolean);
const remind = (day, extra = []) => {
  const r = srv.cli(['remind', '--today', day, ...extra]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return r;
};

test('the daily digest is made once per user and day, even when run twice; SMS stays off by default', async () => {
  const d1 = '2031-03-03';
  const first = remind(d1);
  const made = digests().filter((x) => x.endsWith(d1));
  assert.ok(made.length >= 2, `digests made: ${first.stdout}`);
  assert.equal(new Set(made).size, made.length, 'one per user');
  remind(d1);
  assert.deepEqual(digests().filter((x) => x.endsWith(d1)), made, 'a second run makes none');
  assert.match(remind(d1).stdout, /新发每日提醒 0 条/);
  const [dg] = (await list(secretary)).notifications.filter((n) => n.kind === 'digest' && n.day === d1);
  assert.ok(dg && dg.text.startsWith('每日提醒：您有'), JSON.stringify(dg));
  const desk = await ok(secretary.get('/api/v1/me/desk'));
  assert.ok(dg.text.includes(`${desk.total} 项待办事项`), `${dg.text} vs desk ${desk.total}`);
  assert.equal(dg.link, '/desk');
  // nothing was sent: no office turned SMS on
  assert.deepEqual(smsLog(), []);
});

test('SMS: only where an office turned it on, never to who opted out, never past the cap, no full number', async () => {
  // the member's own phone, as the office sees it when revealing it (audited)
  const mid = member.user.member_id;
  const full = (await ok(office.post(`/api/v1/members/${mid}/reveal`))).full.phone;
  assert.match(full, /^1\d{10}$/, 'the demo member has a phone');
  // a secretary may not turn SMS on (office only); another town's office cannot reach this subtree
  expectError(await secretary.patch(`/api/v1/orgs/${branch}/reminders`, { sms: true }), 403, 'forbidden');
  expectError(await office.patch(`/api/v1/orgs/${branch}/reminders`, { sms: 'yes' }), 400, 'invalid_flag', 'sms');
  await ok(office.patch(`/api/v1/orgs/${rootId}/reminders`, { sms: true }));
  const r = remind('2031-03-04');
  let log = smsLog();
  const mine = log.filter((x) => x.startsWith(`${member.user.id}|`));
  assert.equal(mine.length, 1, `the member gets one SMS: ${r.stdout}`);
  assert.match(mine[0], /^\d+\|1\d\d\*{4}\d{4}\|sent$/);
  for (const row of log) assert.ok(!row.includes(full), 'message_log keeps no full number');
  assert.ok(!r.stdout.includes(full) && !r.stderr.includes(full), 'nor does the output (the log gateway masks it)');
  remind('2031-03-04'); // the same day again: no second SMS
  assert.deepEqual(smsLog(), log);

  // opt-out
  expectError(await member.patch('/api/v1/me/notification-settings', {}), 400, 'missing_field', 'sms_opt_out');
  await ok(member.patch('/api/v1/me/notification-settings', { sms_opt_out: true }));
  assert.equal((await list(member)).sms_opt_out, true);
  remind('2031-03-05');
  assert.equal(smsLog().filter((x) => x.startsWith(`${member.user.id}|`)).length, 1, 'opted out: no SMS');
  assert.ok(digests().includes(`${member.user.id}:2031-03-05`), 'the in-app digest still comes');

  // the site-wide cap: no more SMS today once the cap is reached
  await ok(member.patch('/api/v1/me/notification-settings', { sms_opt_out: false }));
  log = smsLog();
  assert.match(srv.cli(['config', 'get', 'digest-sms-cap']).stdout, /^1000（未设置/);
  assert.equal(srv.cli(['config', 'set', 'digest-sms-cap', '-1']).status, 2);
  const set = srv.cli(['config', 'set', 'digest-sms-cap', String(log.length)]);
  assert.equal(set.status, 0, set.stderr);
  assert.equal(srv.cli(['config', 'get', 'digest-sms-cap']).stdout.trim(), String(log.length));
  const capped = remind('2031-03-06');
  assert.deepEqual(smsLog(), log, 'the cap holds');
  assert.match(capped.stdout, /因每日上限未发 [1-9]/);

  // turned off again: nothing
  assert.equal(srv.cli(['config', 'unset', 'digest-sms-cap']).status, 0);
  await ok(office.patch(`/api/v1/orgs/${rootId}/reminders`, { sms: false }));
  remind('2031-03-07');
  assert.deepEqual(smsLog(), log);
});
