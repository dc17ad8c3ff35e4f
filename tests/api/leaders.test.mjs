// leaders.test.mjs: the leading group (领导班子) of an organisation (issue 22), on this file's own
// demo database, used as a careless user or an attacker would. The demo gives every town its group
// with a history; appointments are checked (a member outside the organisation's roll, a second
// current secretary, the same member twice, bad titles and dates are refused naming the field and
// change nothing); another town's secretary and a plain member reach nothing; ending a position
// keeps it as history; the public board shows the current group at once (its ETag changes) and
// never the history; a leader's account linked to a member who holds a position is offered with
// that position when leaders are assigned charges and liaison points.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, Client, demoStaff, expectError, expectOk, sqlOn } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const { town, secretary, member, secretary2, townId, branchA: branch, branchB: branch2 } = await demoStaff(srv.base);
const anon = new Client(srv.base);
const sql = (q) => sqlOn(srv.db, q);
const ok = async (r, status = 200) => expectOk(r, status);
const count = (t, where = '') => Number(sql(`SELECT count(*) FROM ${t} ${where}`));
const state = () => [count('org_position'), count('audit_log'), sql('SELECT coalesce(sum(version), 0) FROM org_position')];
const memberOf = (org, n = 0) => Number(sql(`SELECT id FROM member WHERE org_id = ${org} AND active = 1 ORDER BY id LIMIT 1 OFFSET ${n}`));
let pos;

test('the demo gives the town its group, with an earlier secretary kept as history', async () => {
  const g = await ok(await town.get(`/api/v1/orgs/${townId}/positions`));
  assert.deepEqual(g.positions.map((p) => p.title).sort(), ['committee', 'deputy', 'secretary']);
  assert.ok(g.positions.every((p) => p.current && p.name && p.duties));
  const ended = g.history.filter((p) => !p.current);
  assert.equal(ended.length, 1);
  assert.equal(ended[0].title, 'secretary');
  assert.ok(ended[0].until >= ended[0].since);
  const board = (await ok(await anon.get(`/api/v1/public/boards/${townId}`))).board;
  assert.deepEqual(board.leadership.map((p) => p.title_label).sort(), ['副书记', '书记', '委员'].sort());
  // the public sees names, positions and duties, not ids, dates or the history
  assert.deepEqual(Object.keys(board.leadership[0]).sort(), ['duties', 'name', 'title', 'title_label']);
  assert.match((await anon.get(`/p/board/${townId}`)).text, /领导班子/);
});

test('appointments are checked; refusals name the field and change nothing; outsiders reach nothing', async () => {
  const m1 = memberOf(branch), m2 = memberOf(branch, 1), far = memberOf(branch2);
  const before = state();
  const bad = [
    [{ title: 'secretary' }, 400, 'required', 'member_id'],
    [{ member_id: 'x', title: 'secretary' }, 400, 'invalid_id', 'member_id'],
    [{ member_id: String(m1) }, 400, 'required', 'title'],
    [{ member_id: String(m1), title: '书记' }, 422, 'invalid_title', 'title'],
    [{ member_id: String(m1), title: 'secretary', since: '2026-02-30' }, 400, 'invalid_date', 'since'],
    [{ member_id: String(m1), title: 'secretary', duties: '分'.repeat(501) }, 400, 'too_long', 'duties'],
    [{ member_id: String(far), title: 'secretary' }, 422, 'member_outside', 'member_id'],
    [{ member_id: '99999999', title: 'secretary' }, 422, 'member_outside', 'member_id'],
  ];
  for (const [b, st, code, field] of bad) expectError(await secretary.post(`/api/v1/orgs/${branch}/positions`, b), st, code, field);
  expectError(await member.post(`/api/v1/orgs/${branch}/positions`, { member_id: String(m1), title: 'committee' }), 403, 'forbidden');
  expectError(await secretary2.post(`/api/v1/orgs/${branch}/positions`, { member_id: String(m1), title: 'committee' }), 404, 'not_found');
  expectError(await secretary2.get(`/api/v1/orgs/${branch}/positions`), 404, 'not_found');
  assert.deepEqual(state(), before, 'a refused appointment wrote something');

  pos = (await ok(await secretary.post(`/api/v1/orgs/${branch}/positions`, { member_id: String(m1), title: 'secretary', duties: '主持支部全面工作<b>x</b>', since: '2026-01-02' }), 201)).position;
  assert.deepEqual([pos.title, pos.since, pos.until, pos.current], ['secretary', '2026-01-02', '', true]);
  expectError(await secretary.post(`/api/v1/orgs/${branch}/positions`, { member_id: String(m2), title: 'secretary' }), 409, 'position_taken', 'title');
  expectError(await secretary.post(`/api/v1/orgs/${branch}/positions`, { member_id: String(m1), title: 'committee' }), 409, 'already_holds', 'member_id');
  await ok(await secretary.post(`/api/v1/orgs/${branch}/positions`, { member_id: String(m2), title: 'committee', duties: '组织委员' }), 201);
  // the page escapes the duties
  const page = await secretary.get(`/orgs/${branch}/positions`);
  assert.ok(page.text.includes('&lt;b&gt;x&lt;/b&gt;') && !page.text.includes('<b>x</b>'));
  // others change nothing of it
  for (const [m, p, b] of [['PATCH', `/api/v1/positions/${pos.id}`, { duties: '越权' }], ['POST', `/api/v1/positions/${pos.id}/end`, {}]])
    expectError(await secretary2.req(m, p, { body: b }), 404, 'not_found');
  expectError(await member.patch(`/api/v1/positions/${pos.id}`, { duties: '越权' }), 403, 'forbidden');
  assert.ok(count('audit_log', `WHERE entity = 'position' AND entity_id = ${pos.id}`) === 1);
});

test('duties change, an end keeps the history; the board changes at once', async () => {
  const first = await anon.get(`/api/v1/public/boards/${branch}`);
  assert.ok(first.json.board.leadership.some((p) => p.title === 'secretary'));
  const etag = first.headers.get('etag');
  const upd = (await ok(await secretary.patch(`/api/v1/positions/${pos.id}`, { duties: '主持支部全面工作，联系一组党员' }))).position;
  assert.equal(upd.duties, '主持支部全面工作，联系一组党员');
  const again = await anon.get(`/api/v1/public/boards/${branch}`, { headers: etag ? { 'If-None-Match': etag } : {} });
  assert.equal(again.status, 200, 'the board answered 304 after the duties changed');
  assert.ok(again.json.board.leadership.some((p) => p.duties === '主持支部全面工作，联系一组党员'));
  const before = state();
  expectError(await secretary.post(`/api/v1/positions/${pos.id}/end`, { until: '2025-12-31' }), 422, 'until_before_since', 'until');
  expectError(await secretary.post(`/api/v1/positions/${pos.id}/end`, { until: '昨天' }), 400, 'invalid_date', 'until');
  assert.deepEqual(state(), before);
  const end = (await ok(await secretary.post(`/api/v1/positions/${pos.id}/end`, {}))).position;
  assert.equal(end.current, false);
  expectError(await secretary.patch(`/api/v1/positions/${pos.id}`, { duties: '再改' }), 409, 'position_ended', 'id');
  expectError(await secretary.post(`/api/v1/positions/${pos.id}/end`, {}), 409, 'position_ended', 'id');
  const g = await ok(await secretary.get(`/api/v1/orgs/${branch}/positions`));
  assert.ok(!g.positions.some((p) => p.id === pos.id));
  assert.ok(g.history.some((p) => p.id === pos.id && p.until));
  assert.ok(!(await ok(await anon.get(`/api/v1/public/boards/${branch}`))).board.leadership.some((p) => p.title === 'secretary'));
  // a new secretary may now be appointed
  await ok(await secretary.post(`/api/v1/orgs/${branch}/positions`, { member_id: String(memberOf(branch, 2)), title: 'secretary' }), 201);
});

test('a leader whose member holds a position is offered with it for charges and liaison points', async () => {
  const secId = (await ok(await town.get(`/api/v1/orgs/${townId}/positions`))).positions.find((p) => p.title === 'secretary').member_id;
  const username = sql(`SELECT username FROM app_user WHERE member_id = ${secId}`);
  assert.ok(username, 'the demo gives every member an account');
  const label = `${sql(`SELECT name FROM org WHERE id = ${townId}`)}书记`;
  assert.ok(!(await town.get(`/orgs/${townId}/liaison`)).text.includes(label));
  assert.equal(srv.cli(['user', 'grant', username, '--role', 'leader', '--org', String(townId)]).status, 0);
  const leaders = (await ok(await town.get(`/api/v1/orgs/${townId}/leaders`))).leaders;
  const me = leaders.find((l) => l.username === username);
  assert.ok(me, JSON.stringify(leaders));
  assert.equal(me.position, label);
  // the other leaders (accounts without a member) carry no position
  assert.ok(leaders.filter((l) => l.username !== username).every((l) => !l.position));
  const liaison = await town.get(`/orgs/${townId}/liaison`);
  assert.equal(liaison.status, 200);
  assert.ok(liaison.text.includes(label), 'the liaison form does not offer the leader with the position');
});
