// standing.test.mjs: the leaders' standing as a roll-up (leader_standing, issue 18), on this file's own
// demo database. The dashboard's 联络点 figures (leaders, without a point, too few, too few visits)
// and its leaders without a 党课 this year are read from the roll-up; the liaison list and the
// lectures list still judge every leader from the records. After each kind of change — a leader
// granted, a point assigned and ended, visits, a lecture held and handed to another lecturer, a
// rule set, an organisation's sector changed, an organisation moved to another town — the two agree
// at every level and `cxzy recount` finds nothing. A figure changed behind the server's back shows
// on the dashboard until `recount --fix` rebuilds it; two visits of one leader at once (PostgreSQL:
// the second made to run while the first waits to commit) lose neither.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, multipartBody, daysFromToday, sqlOn, BACKEND, PASSWORD, pgHolder, pgLockWait, expectOk as ok } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const [office, town] = await Promise.all(['office', 'town'].map((u) => loginAs(srv.base, u)));
const rootId = office.user.roles[0].org_id;
const townId = town.user.roles[0].org_id;
const sql = (q) => sqlOn(srv.db, q);
const today = daysFromToday(0);
const year = today.slice(0, 4);
const townPath = sql(`SELECT path FROM org WHERE id = ${townId}`);
const townB = Number(sql(`SELECT id FROM org WHERE parent_id = ${rootId} AND id <> ${townId} AND active = 1 AND type <> 'branch' ORDER BY id LIMIT 1`));
assert.ok(townB > 0, 'the demo has a second town');
for (let i = 1; i <= 4; i++)
  await ok(await town.post(`/api/v1/orgs/${townId}/children`, { name: `联络统计测试支部${i}`, type: 'branch', sector: 'rural' }), 201);
const townBranches = sql(`SELECT id FROM org WHERE active = 1 AND type = 'branch' AND path LIKE '${townPath}%' ORDER BY id DESC`).split('\n').map(Number);

let nLeaders = 0;
/** A leader account of its own at org (made with the command line, as an office does), logged in. */
async function newLeader(org) {
  const u = `stleader${++nLeaders}`;
  const r = srv.cli(['user', 'add', u, '--name', `联络统计测试领导${nLeaders}`, '--password-file', '-', '--role', 'leader', '--org', String(org)],
    { input: PASSWORD + '\n' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return loginAs(srv.base, u);
}
const assign = async (leaderId, target) =>
  (await ok(await town.post(`/api/v1/orgs/${townId}/liaison-points`, { leader_id: String(leaderId), org_id: String(target) }), 201)).point;
const visit = async (pointId) => town.req('POST', `/api/v1/liaison-points/${pointId}/visits`, await multipartBody([['visited_on', today], ['done', '召开座谈会']]));
const rule = (body) => town.post(`/api/v1/orgs/${townId}/liaison-rule`, body);

/** The dashboard's figures at each org equal what the lists judge leader by leader; recount is clean. */
async function agree(what, ...orgs) {
  for (const o of orgs) {
    const d = await ok(await office.get(`/api/v1/orgs/${o}/dashboard?period=${year}`));
    const list = await ok(await office.get(`/api/v1/orgs/${o}/liaison?year=${year}`));
    assert.deepEqual([d.liaison.leaders, d.liaison.leaders_none, d.liaison.leaders_few, d.liaison.leaders_visits_short],
      [list.counts.leaders, list.counts.none, list.counts.few, list.counts.visits_short], `${what}: the 联络点 figures of org ${o}`);
    const path = sql(`SELECT path FROM org WHERE id = ${o}`);
    const active = Number(sql(`SELECT count(DISTINCT u.id) FROM user_role r JOIN app_user u ON u.id = r.user_id JOIN org g ON g.id = r.org_id ` +
      `WHERE r.role = 'leader' AND u.active = 1 AND g.path LIKE '${path}%'`));
    const lectures = await ok(await office.get(`/api/v1/orgs/${o}/lectures?year=${year}`));
    const life = (await ok(await office.get(`/api/v1/orgs/${o}/dashboard`))).org_life;
    assert.deepEqual([life.leaders, life.leaders_without_lecture, lectures.leaders, lectures.without_count], [active, lectures.without.length, active,
      lectures.without.length], `${what}: the leaders without a 党课 at org ${o}`);
  }
  const rc = srv.cli(['recount']);
  assert.equal(rc.status, 0, `${what}: recount found a difference\n${rc.stdout}${rc.stderr}`);
}

test('every change that moves a leader\'s standing moves the roll-up as the records say, at every level', async () => {
  await agree('the demo as made', rootId, townId, townB);
  const l1 = await newLeader(townId);
  await agree('a leader granted', rootId, townId);
  const p1 = await assign(l1.user.id, townBranches[0]);
  await agree('a point assigned', rootId, townId);
  for (let i = 0; i < 2; i++) assert.equal((await visit(p1.id)).status, 201);
  await agree('two visits', rootId, townId);
  const m = (await ok(await town.post(`/api/v1/orgs/${townBranches[0]}/meetings`, { kind: 'lecture', title: '专题党课', held_on: today, place: '村部',
    lecturer_user_id: String(l1.user.id) }), 201)).meeting;
  await agree('a lecture planned', rootId, townId);
  await ok(await town.post(`/api/v1/meetings/${m.id}/hold`, {}));
  await agree('the lecture held', rootId, townId);
  const l2 = await newLeader(townId);
  const held = (await ok(await town.get(`/api/v1/meetings/${m.id}`))).meeting;
  await ok(await town.post(`/api/v1/meetings/${m.id}/edit`, { kind: 'lecture', title: held.title, held_on: today, lecturer_user_id: String(l2.user.id),
    version: String(held.version) }));
  await agree('the held lecture handed to another lecturer', rootId, townId);
  await ok(await rule({ min_points: '2', max_points: '3', leader_visits: '3', dept_visits: '4' }));
  await agree('a stricter rule for the town', rootId, townId);
  await ok(await rule({ min_points: '1', max_points: '2', leader_visits: '2', dept_visits: '3' }));
  await agree('the rule back', rootId, townId);
  await ok(await town.post(`/api/v1/liaison-points/${p1.id}/end`, { until: today }));
  await agree('the point ended', rootId, townId);
  // a leader at a 党总支 that becomes a government department (机关) and then moves to another town
  const g = (await ok(await office.post(`/api/v1/orgs/${townId}/children`, { name: '联络统计测试党总支', type: 'general_branch', sector: 'rural' }), 201)).org;
  const l3 = await newLeader(g.id);
  const p3 = await assign(l3.user.id, townBranches[1]);
  for (let i = 0; i < 2; i++) assert.equal((await visit(p3.id)).status, 201);
  await agree('a leader at a 党总支 with two visits', rootId, townId, g.id);
  await ok(await office.patch(`/api/v1/orgs/${g.id}`, { sector: 'government' }));
  await agree('the 党总支 now a department: the department figure applies', rootId, townId, g.id);
  await ok(await office.post(`/api/v1/orgs/${g.id}/move`, { parent_id: townB }));
  await agree('the 党总支 moved to another town', rootId, townId, townB, g.id);
});

test('a figure changed behind the server\'s back shows until recount --fix rebuilds the roll-up from the records', async () => {
  const before = await ok(await town.get(`/api/v1/orgs/${townId}/dashboard?period=${year}`));
  sql(`UPDATE leader_standing SET no_points = no_points + 3 WHERE org_id = ${townId} AND year = 0`);
  const edited = await ok(await town.get(`/api/v1/orgs/${townId}/dashboard?period=${year}`));
  assert.equal(edited.liaison.leaders_none, before.liaison.leaders_none + 3, 'the dashboard reads the roll-up');
  const seen = srv.cli(['recount']);
  assert.equal(seen.status, 1, seen.stdout + seen.stderr);
  const line = seen.stdout.match(new RegExp(`领导干部联络点统计 组织编号 ${townId} 没有联络点：记录为 (\\d+)，按原始记录应为 (\\d+)`));
  assert.ok(line, seen.stdout);
  assert.equal(Number(line[1]) - Number(line[2]), 3);
  assert.equal(srv.cli(['recount', '--fix']).status, 1);
  assert.equal(sql(`SELECT count(*) FROM audit_log WHERE action = 'period.recount_fix' AND entity = 'leader_standing'`), '1');
  await agree('after recount --fix', rootId, townId);
  assert.equal((await ok(await town.get(`/api/v1/orgs/${townId}/dashboard?period=${year}`))).liaison.leaders_none, before.liaison.leaders_none);
  // every row gone: the same
  sql('DELETE FROM leader_standing');
  assert.equal((await ok(await office.get(`/api/v1/orgs/${rootId}/dashboard?period=${year}`))).liaison.leaders, 0);
  assert.equal(srv.cli(['recount']).status, 1);
  assert.equal(srv.cli(['recount', '--fix']).status, 1);
  await agree('rebuilt from nothing', rootId, townId, townB);
});

test('two visits of one leader at once, to two points, both count (the standing is not computed from a stale read)', async () => {
  const l = await newLeader(townId);
  await ok(await rule({ min_points: '1', max_points: '3', leader_visits: '2', dept_visits: '3' }));
  const [pa, pb] = [await assign(l.user.id, townBranches[2]), await assign(l.user.id, townBranches[3])];
  // one visit already: the first of the two reaches the rule's two, so what the second takes away must be what the first left
  assert.equal((await visit(pa.id)).status, 201);
  if (BACKEND !== 'pg') { // SQLite: the two write transactions run one after the other
    const rs = await Promise.all([visit(pa.id), visit(pb.id)]);
    assert.deepEqual(rs.map((r) => r.status), [201, 201]);
    await agree('two visits at once', rootId, townId);
    return;
  }
  // PostgreSQL: the first visit waits to append its audit record (the holder has the audit head),
  // its standing already computed; the second starts then, and must not compute its own without the first
  const h = pgHolder(srv.db);
  await h.run('BEGIN; UPDATE audit_head SET seq = seq'); // every chain's head (one per province since 0038)
  const a = visit(pa.id);
  await pgLockWait(srv.db, 'UPDATE audit_head%');
  const b = visit(pb.id);
  // the second waits too: for the leader's account row (or, were it not taken, for the audit head)
  while (Number(sql(`SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`)) < 2)
    await new Promise((r) => setImmediate(r)); // the requests' own I/O runs in between
  await h.run('ROLLBACK');
  h.end();
  const rs = await Promise.all([a, b]);
  assert.deepEqual(rs.map((r) => r.status), [201, 201]);
  await agree('two visits at once', rootId, townId);
});
