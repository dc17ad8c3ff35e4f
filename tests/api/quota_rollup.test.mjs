// quota_rollup.test.mjs: the branches behind their meeting quotas as a roll-up, on this file's own
// demo database. The dashboard's figure (one roll-up row) must equal the quota page's paged list
// and the XLSX, which still judges every branch from its meetings, for the district, a town and a
// branch: after meetings are held, cancelled and moved to another month, after the district changes
// a quota, after a branch moves to another town (the old town's count drops, the new one's rises),
// after a new branch appears and is deactivated; recount is clean on the fresh demo and finds a row
// edited behind the server's back; two meetings held at once in one branch (PostgreSQL: both wait
// on the branch while a transaction holds it) leave the roll-up right.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, expectError, daysFromToday, sqlOn, unzip, BACKEND, pgHolder, expectOk as ok } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const [office, town, secretary, secretary2] = await Promise.all(['office', 'town', 'secretary', 'secretary2'].map((u) => loginAs(srv.base, u)));
const rootId = office.user.roles[0].org_id;
const townId = town.user.roles[0].org_id;
const branch = secretary.user.roles[0].org_id;
const branchB = secretary2.user.roles[0].org_id;
const townB = (await office.get(`/api/v1/orgs/${branchB}`)).json.org.parent_id;
const sql = (q) => sqlOn(srv.db, q);
const today = daysFromToday(0);
const month = today.slice(0, 7);
const year = today.slice(0, 4);

const recount = () => srv.cli(['recount']);
const recountClean = (what) => {
  const r = recount();
  assert.equal(r.status, 0, `${what}: recount found a difference\n${r.stdout}${r.stderr}`);
};

/** Every branch behind in the period, page after page of the quota page. */
async function pagedList(org, period = month) {
  const first = await ok(await office.get(`/api/v1/orgs/${org}/meeting-quota?period=${period}&per_page=7`));
  const ids = first.behind.map((b) => b.org_id);
  for (let p = 2; p <= first.paging.pages; p++)
    ids.push(...(await ok(await office.get(`/api/v1/orgs/${org}/meeting-quota?period=${period}&per_page=7&page=${p}`))).behind.map((b) => b.org_id));
  return { page: first, ids };
}
/** The branches the XLSX lists (judged from the meetings of every branch). */
async function xlsxNames(org, period = month) {
  const x = await office.get(`/api/v1/orgs/${org}/meeting-quota?period=${period}&format=xlsx`);
  assert.equal(x.status, 200);
  const z = unzip(x.buf);
  return (z['xl/worksheets/sheet1.xml'].toString('utf8').match(/<row /g) || []).length - 1;
}
/** The dashboard's 组织生活 figures of org equal the quota page's list and the XLSX; returns them. */
async function agree(org, what) {
  const dash = (await ok(await office.get(`/api/v1/orgs/${org}/dashboard`))).org_life;
  assert.equal(dash.quota_counted, true, `${what}: counted at every level`);
  const { page, ids } = await pagedList(org);
  assert.equal(page.from_rollup, true, `${what}: a month of this year is read from the roll-up`);
  assert.equal(dash.branches, page.branches, `${what}: branches on the dashboard and the quota page`);
  assert.equal(dash.branches_behind, page.behind_count, `${what}: behind on the dashboard and the quota page`);
  assert.equal(ids.length, page.behind_count, `${what}: the pages list every branch behind`);
  assert.equal(new Set(ids).size, ids.length, `${what}: no branch on two pages`);
  assert.equal(await xlsxNames(org), dash.branches_behind, `${what}: the XLSX judged from the meetings lists as many`);
  const live = Number(sql(`SELECT count(*) FROM org o, org p WHERE p.id = ${org} AND o.path >= p.path AND o.path < p.path || '~' AND o.active = 1 AND o.type = 'branch'`));
  assert.equal(dash.branches, live, `${what}: the active branches of the subtree`);
  return dash;
}
const agreeAll = async (what, orgs = [rootId, townId, branch]) => { for (const o of orgs) await agree(o, `${what} (org ${o})`); };

let n = 0;
const newMeeting = async (over = {}, c = secretary, org = branch) =>
  (await ok(await c.post(`/api/v1/orgs/${org}/meetings`, { kind: 'committee', title: `达标测试会议 ${++n}`, held_on: today, place: '村部', ...over }), 201)).meeting;

test('a fresh demo: the kept year is this one, recount is clean, and the figures agree at every level', async () => {
  assert.equal(sql('SELECT year FROM quota_state'), year, 'the demo keeps this year');
  assert.equal(Number(sql(`SELECT count(DISTINCT month) FROM quota_met`)), 12);
  recountClean('the fresh demo');
  await agreeAll('the fresh demo', [rootId, townId, townB, branch, branchB]);
});

test('meetings held, cancelled and moved to another month move the branch\'s months; the quota page pages its list', async () => {
  // the branch's own quota: two committee meetings a month on top of what it holds, nothing else
  const held = Number(sql(`SELECT count(*) FROM meeting WHERE org_id = ${branch} AND status = 'held' AND kind = 'committee' AND substr(held_on, 1, 7) = '${month}'`));
  for (const k of ['branch_assembly', 'group', 'lecture', 'theme_day']) await ok(await office.post(`/api/v1/orgs/${branch}/meeting-quota`, { kind: k, per: 'month', count: '0' }));
  await ok(await office.post(`/api/v1/orgs/${branch}/meeting-quota`, { kind: 'committee', per: 'month', count: String(held + 2) }));
  const met = () => sql(`SELECT met FROM quota_met WHERE org_id = ${branch} AND month = '${month}'`);
  assert.equal(met(), '0');
  const d0 = await agree(branch, 'short of two');
  assert.equal(d0.branches_behind, 1);
  const a = await newMeeting();
  const b = await newMeeting();
  const c = await newMeeting();
  await ok(await secretary.post(`/api/v1/meetings/${a.id}/hold`, {}));
  await ok(await secretary.post(`/api/v1/meetings/${c.id}/cancel`, {}));
  assert.equal(met(), '0', 'one held, one cancelled: still short');
  await agreeAll('one held, one cancelled');
  await ok(await secretary.post(`/api/v1/meetings/${b.id}/hold`, {}));
  assert.equal(met(), '1', 'two held: met');
  await agreeAll('two held');
  const d1 = await agree(branch, 'two held');
  assert.equal(d1.branches_behind, 0);
  // the held meeting's date moved to another month: this month is short again, recount agrees
  const other = Number(today.slice(5, 7)) > 1 ? `${year}-${String(Number(today.slice(5, 7)) - 1).padStart(2, '0')}-01` : `${Number(year) - 1}-12-01`;
  const mb = (await ok(await secretary.get(`/api/v1/meetings/${b.id}`))).meeting;
  await ok(await secretary.post(`/api/v1/meetings/${b.id}/edit`, { kind: 'committee', title: mb.title, held_on: other, version: String(mb.version) }));
  assert.equal(met(), '0', 'the meeting moved out of the month');
  await agreeAll('a held meeting moved to another month');
  // its kind changed back into the month as a group meeting: committee still short
  const mb2 = (await ok(await secretary.get(`/api/v1/meetings/${b.id}`))).meeting;
  await ok(await secretary.post(`/api/v1/meetings/${b.id}/edit`, { kind: 'group', title: mb2.title, held_on: today, version: String(mb2.version) }));
  assert.equal(met(), '0', 'a group meeting does not count for the committee');
  recountClean('after holding, cancelling and moving meetings');
  // a page past the last is the last; a malformed page is refused
  const last = await ok(await office.get(`/api/v1/orgs/${rootId}/meeting-quota?period=${month}&per_page=1&page=999999`));
  assert.equal(last.paging.page, Math.max(1, last.behind_count));
  expectError(await office.get(`/api/v1/orgs/${rootId}/meeting-quota?period=${month}&page=0`), 400, 'invalid_query', 'page');
  expectError(await office.get(`/api/v1/orgs/${rootId}/meeting-quota?period=${month}&page=x`), 400, 'invalid_query', 'page');
  // a quarter is judged from the meetings, paged the same way
  const q = `${year}Q${Math.floor((Number(today.slice(5, 7)) - 1) / 3) + 1}`;
  const qp = await pagedList(rootId, q);
  assert.equal(qp.page.from_rollup, false);
  assert.equal(qp.ids.length, qp.page.behind_count);
  assert.equal(await xlsxNames(rootId, q), qp.page.behind_count);
});

test('a quota changed at the district redoes the branches below it; a quarterly quota counts over the quarter', async () => {
  await agreeAll('before the quota change');
  // nothing asked of anyone (but the branch's own rows above): every other branch meets it with no meeting
  for (const k of ['branch_assembly', 'committee', 'group', 'lecture', 'theme_day'])
    await ok(await office.post(`/api/v1/orgs/${rootId}/meeting-quota`, { kind: k, per: 'month', count: '0' }));
  const none = await agree(rootId, 'no quota at the district');
  assert.ok(none.branches_behind <= 1, `only the branch with its own quota may be behind (${none.branches_behind})`);
  // a yearly theme day asked of all: the branches without a held one this year fall behind in every month
  await ok(await office.post(`/api/v1/orgs/${rootId}/meeting-quota`, { kind: 'theme_day', per: 'year', count: '1' }));
  const without = Number(sql(`SELECT count(*) FROM org o WHERE o.type = 'branch' AND o.active = 1 AND o.id <> ${branch} AND NOT EXISTS (SELECT 1 FROM meeting m `
    + `WHERE m.org_id = o.id AND m.status = 'held' AND m.kind = 'theme_day' AND m.held_on >= '${year}-01-01' AND m.held_on <= '${year}-12-31')`));
  const yearly = await agree(rootId, 'a yearly quota at the district');
  assert.equal(yearly.branches_behind, without + Number(sql(`SELECT 1 - met FROM quota_met WHERE org_id = ${branch} AND month = '${month}'`)));
  await agreeAll('after the quota changes');
  recountClean('after the quota changes');
});

test('a branch moved to another town: the old town\'s figure drops, the new one\'s rises; a new branch counts, a deactivated one leaves', async () => {
  const t0 = await agree(townId, 'town A before');
  const u0 = await agree(townB, 'town B before');
  const behindB = Number(sql(`SELECT 1 - met FROM quota_met WHERE org_id = ${branchB} AND month = '${month}'`));
  await ok(await office.post(`/api/v1/orgs/${branchB}/move`, { parent_id: townId }));
  const t1 = await agree(townId, 'town A after the move');
  const u1 = await agree(townB, 'town B after the move');
  assert.equal(t1.branches, t0.branches + 1);
  assert.equal(u1.branches, u0.branches - 1);
  assert.equal(t1.branches_behind, t0.branches_behind + behindB);
  assert.equal(u1.branches_behind, u0.branches_behind - behindB);
  await agreeAll('after the move', [rootId, townId, townB, branchB]);
  recountClean('after the move');
  await ok(await office.post(`/api/v1/orgs/${branchB}/move`, { parent_id: townB }));
  recountClean('after the move back');
  // a new branch: no meeting, so behind while anything is asked of it
  const b = (await ok(await office.post(`/api/v1/orgs/${townId}/children`, { name: '达标测试：新设支部', type: 'branch', sector: 'rural' }), 201)).org;
  const t2 = await agree(townId, 'a new branch');
  assert.equal(t2.branches, t0.branches + 1);
  assert.equal(sql(`SELECT count(*) FROM quota_met WHERE org_id = ${b.id}`), '12', 'its twelve months');
  assert.equal(t2.branches_behind, t0.branches_behind + 1, 'the yearly theme day is asked of it');
  await ok(await office.post(`/api/v1/orgs/${b.id}/deactivate`, {}));
  const t3 = await agree(townId, 'the new branch deactivated');
  assert.deepEqual([t3.branches, t3.branches_behind], [t0.branches, t0.branches_behind]);
  await ok(await office.post(`/api/v1/orgs/${b.id}/activate`, {}));
  assert.equal((await agree(townId, 'activated again')).branches, t0.branches + 1);
  // no longer a branch (its type changed): it leaves the figures
  await ok(await office.patch(`/api/v1/orgs/${b.id}`, { name: '达标测试：改为总支', type: 'general_branch', sector: 'rural' }));
  assert.equal((await agree(townId, 'no longer a branch')).branches, t0.branches);
  assert.equal(sql(`SELECT count(*) FROM quota_met WHERE org_id = ${b.id}`), '0');
  recountClean('after the new branch came and went');
});

test('a row edited behind the server\'s back: recount finds it and --fix repairs it', async () => {
  recountClean('before the edit');
  sql(`UPDATE quota_met SET met = 1 - met WHERE org_id = ${branch} AND month = '${month}'`);
  const r = recount();
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`组织生活达标 ${month} 党支部 .*（编号 ${branch}）`));
  sql(`UPDATE quota_rollup SET met = met + 3 WHERE org_id = ${townId} AND month = '${year}-01'`);
  const r2 = recount();
  assert.equal(r2.status, 1, r2.stdout + r2.stderr);
  assert.match(r2.stdout, new RegExp(`组织生活达标统计 ${year}-01 组织 .*（编号 ${townId}）`));
  assert.match(srv.cli(['recount', '--fix']).stdout, /已按原始记录修正/);
  recountClean('after --fix');
  await agreeAll('after --fix');
});

test('two meetings held at once in one branch: the second waits for the first and the branch is met (PostgreSQL); on SQLite one follows the other', async () => {
  const held = Number(sql(`SELECT count(*) FROM meeting WHERE org_id = ${branch} AND status = 'held' AND kind = 'committee' AND substr(held_on, 1, 7) = '${month}'`));
  await ok(await office.post(`/api/v1/orgs/${branch}/meeting-quota`, { kind: 'committee', per: 'month', count: String(held + 2) }));
  await ok(await office.post(`/api/v1/orgs/${rootId}/meeting-quota`, { kind: 'theme_day', per: 'year', count: '0' }));
  const met = () => sql(`SELECT met FROM quota_met WHERE org_id = ${branch} AND month = '${month}'`);
  assert.equal(met(), '0');
  const a = await newMeeting();
  const b = await newMeeting();
  const hold = (m) => secretary.post(`/api/v1/meetings/${m.id}/hold`, {});
  if (BACKEND !== 'pg') {
    const rs = await Promise.all([hold(a), hold(b)]);
    for (const r of rs) await ok(r);
  } else {
    // the branch held by another transaction: the first hold waits on it with its meeting held, the
    // second behind the first (on the roll-up rows the first has written)
    const h = pgHolder(srv.db);
    await h.run(`BEGIN; UPDATE quota_met SET met = met WHERE org_id = ${branch} AND month = '${year}-01'`);
    let settled = 0;
    const pending = [hold(a), hold(b)].map((p) => p.then((r) => { settled++; return r; }));
    const onBranch = () => sql(`SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE quota_met SET met = met WHERE org_id%'`) !== '0';
    const waiting = () => Number(sql(`SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`));
    while (!settled && !(onBranch() && waiting() >= 2)) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(settled, 0, 'a hold went through while its branch was held by another transaction');
    await h.run('COMMIT');
    h.end();
    for (const r of await Promise.all(pending)) await ok(r);
  }
  assert.equal(met(), '1', 'both meetings counted');
  await agreeAll('after two holds at once');
  recountClean('after two holds at once');
});
