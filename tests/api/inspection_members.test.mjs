// inspection_members.test.mjs: 随机抽查 of members (draw_of member) over HTTP, on this file's own
// demo database: the population is the active members of the active organisations of the scope
// and stated types, reproducible by anyone from the published seed and the member ids; more members
// asked for than there are is refused and changes nothing; two draws at once make one; a finding
// about a drawn member names the member, is seen by the member's branch staff as their own, and
// becomes a rectification item about that member. And: a team member whose own grant lies in
// another town records a problem there but may not turn it into a rectification item (the item
// would be out of sight); the district office does, and the item stays where it was visible.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startServerOn, loginAs, expectError, multipartBody, daysFromToday, sqlOn, redrawCommitted } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const [office, town, secretary, secretary2] = await Promise.all(['office', 'town', 'secretary', 'secretary2'].map((u) => loginAs(srv.base, u)));
const rootId = office.user.roles[0].org_id;
const townId = town.user.roles[0].org_id;
const branch = secretary.user.roles[0].org_id;
const branchB = secretary2.user.roles[0].org_id;
const today = daysFromToday(0);
const sql = (q) => sqlOn(srv.db, q);
const sha256 = (s) => createHash('sha256').update(s).digest('hex');

async function ok(r, status = 200) {
  assert.equal(r.status, status, `${r.status} ${r.text.slice(0, 400)}`);
  return r.json;
}
let n = 0;
const create = (c, org, over) => c.post(`/api/v1/orgs/${org}/inspections`,
  { kind: 'random', draw_of: 'member', title: `党员随机抽查 ${++n}`, start_date: today, end_date: daysFromToday(30), ...over });
const getInsp = async (c, id) => ok(await c.get(`/api/v1/inspections/${id}`));
const record = async (c, id, fields) => c.req('POST', `/api/v1/inspections/${id}/findings`, await multipartBody(Object.entries(fields)));

async function snap() {
  const [l, audit] = await Promise.all([office.get(`/api/v1/orgs/${rootId}/inspections`), office.get(`/api/v1/orgs/${rootId}/audit`)]);
  return { l: l.json, audit: audit.json.records[0].seq, t: sql('SELECT count(*) FROM inspection_target'), f: sql('SELECT count(*) FROM inspection_finding'),
    r: sql('SELECT count(*) FROM rectification'), c: sql('SELECT count(*) FROM draw_commitment WHERE used_at <> 0') };
}
async function refused(what, send, status, code, field) {
  const before = await snap();
  const r = await send();
  try { expectError(r, status, code, field); } catch (e) { e.message = `${what}: ${e.message}`; throw e; }
  assert.deepEqual(await snap(), before, `${what} was refused but changed something`);
  return r.json.error;
}

/** The stated population as the office would list it: the ids of the active members of the active
 * organisations of the scope org of the given type ('' any). */
const memberIds = (scope, type = '') => sql(`SELECT m.id FROM member m JOIN org o ON o.id = m.org_id WHERE m.active = 1 AND o.active = 1 ` +
  `${type ? `AND o.type = '${type}' ` : ''}AND o.path LIKE (SELECT path FROM org WHERE id = ${scope}) || '%'`).split('\n').filter(Boolean).map(Number);

test('a member draw is reproducible from the recorded seed and the member ids; it counts only the stated scope and types', async () => {
  const x = (await ok(await create(office, rootId, { scope_org_id: String(townId), draw_n: '6', population_types: 'branch', team: 'town' }), 201)).inspection;
  assert.equal(x.draw.of, 'member');
  assert.equal(x.draw.members, true);
  assert.equal(x.draw.drawn, false);
  assert.equal(x.draw.seed, undefined, 'the seed is not shown before the draw');
  // two draws at once: one draws, the other is told
  const rs = await Promise.all([0, 1].map(() => office.post(`/api/v1/inspections/${x.id}/draw`)));
  assert.deepEqual(rs.map((r) => r.status).sort(), [201, 409], rs.map((r) => r.text.slice(0, 200)).join('\n'));
  assert.ok(['already_drawn', 'commitment_used'].includes(rs.find((r) => r.status === 409).json.error.code));
  const y = await getInsp(office, x.id);
  const d = y.inspection.draw;
  assert.equal(sha256(d.seed), x.draw.seed_sha256, 'sha256(seed) is the commitment made with the plan');
  const pop = memberIds(townId, 'branch');
  assert.equal(d.population, pop.length);
  assert.ok(pop.length < memberIds(rootId).length, 'the district holds members outside the town: they are not in the population');
  const again = redrawCommitted(d.seed, pop, 6);
  assert.equal(d.population_digest, again.digest);
  const drawn = again.picks.map((i) => Number(again.list[i]));
  assert.deepEqual(y.targets.map((t) => t.member_id), drawn, 'the targets are the drawn members in draw order');
  assert.deepEqual(y.targets.map((t) => t.seq), [1, 2, 3, 4, 5, 6]);
  for (const t of y.targets) { // each at its organisation, by name; no 身份证号 or phone
    assert.equal(t.org_id, Number(sql(`SELECT org_id FROM member WHERE id = ${t.member_id}`)));
    assert.equal(t.member_name, sql(`SELECT name FROM member WHERE id = ${t.member_id}`));
    assert.equal(t.target_label, `${t.member_name}（${t.org_name}）`);
    assert.deepEqual(Object.keys(t).filter((k) => /id_?card|phone|mask/.test(k)), []);
  }
  assert.ok(!/\*{4}/.test(JSON.stringify(y)), 'no masked 身份证号 or phone on the draw');
  // the page says what was drawn and how to re-run it
  const page = await office.get(`/inspections/${x.id}`);
  assert.equal(page.status, 200);
  assert.match(page.text, new RegExp(`${d.population}</span> 名党员`));
  assert.match(page.text, /全部在册党员（正式党员和预备党员）的党员编号/);
  assert.ok(page.text.includes(y.targets[0].member_name));
  // the audit names what was drawn
  const audit = (await ok(await office.get(`/api/v1/orgs/${rootId}/audit`))).records.find((a) => a.entity === 'inspection' && a.action === 'draw' && a.entity_id === x.id);
  assert.ok(audit && audit.after.includes('"draw_of":"member"') && audit.after.includes(d.population_digest), JSON.stringify(audit));
  await refused('a draw after the draw', () => office.post(`/api/v1/inspections/${x.id}/draw`), 409, 'already_drawn', 'id');
});

test('more members asked for than the population holds: 422 population_too_small, nothing drawn; a bad draw_of: 422 naming the field', async () => {
  const x = (await ok(await create(office, rootId, { scope_org_id: String(branch), draw_n: '500' }), 201)).inspection;
  const e = await refused('500 members of one branch', () => office.post(`/api/v1/inspections/${x.id}/draw`), 422, 'population_too_small', 'draw_n');
  assert.match(e.message, new RegExp(`500 名党员.*只有 ${memberIds(branch).length} 名`));
  const y = await getInsp(office, x.id);
  assert.equal(y.inspection.draw.drawn, false);
  assert.deepEqual(y.targets, []);
  assert.equal(sql(`SELECT used_at FROM draw_commitment WHERE id = ${x.draw.commitment_id}`), '0');
  for (const bad of ['members', 'ORG', '党员', 'member '.repeat(100)]) {
    const err = await refused(`draw_of ${bad.slice(0, 20)}`, () => create(office, rootId, { draw_n: '2', draw_of: bad }), 422, 'invalid_draw_of', 'draw_of');
    assert.match(err.message, /抽取对象/);
  }
  // left out or 'org': organisations, as before
  for (const of of [undefined, 'org', '']) {
    const z = (await ok(await create(office, rootId, { draw_n: '1', draw_of: of }), 201)).inspection;
    assert.equal(z.draw.of, 'org');
  }
});

let insp;
test('a finding about a drawn member: names the member, seen by the member\'s branch staff, rectified about the member', async () => {
  insp = (await ok(await create(office, rootId, { scope_org_id: String(branch), draw_n: '2', team: 'town' }), 201)).inspection;
  const d = await ok(await office.post(`/api/v1/inspections/${insp.id}/draw`), 201);
  const [m1, m2] = d.targets;
  assert.equal(m1.org_id, branch);
  await ok(await office.post(`/api/v1/inspections/${insp.id}/start`));
  const other = memberIds(branch).find((id) => id !== m1.member_id && id !== m2.member_id);
  if (other) await refused('a member not drawn', () => record(town, insp.id, { member_id: other, level: 'ok' }), 422, 'not_target', 'member_id');
  await refused('the organisation alone on a member draw', () => record(town, insp.id, { org_id: branch, level: 'ok' }), 422, 'not_target', 'org_id');
  await refused('the member at another organisation', () => record(town, insp.id, { org_id: branchB, member_id: m1.member_id, level: 'ok' }), 422, 'not_target', 'member_id');
  await refused('neither', () => record(town, insp.id, { level: 'ok' }), 400, 'required', 'member_id');
  await refused('a malformed member id', () => record(town, insp.id, { member_id: 'abc', level: 'ok' }), 400, 'invalid_id', 'member_id');
  const f = (await ok(await record(town, insp.id, { member_id: m1.member_id, level: 'problem', text: '未按期参加组织生活' }), 201)).finding;
  assert.equal(f.member_id, m1.member_id);
  assert.equal(f.member_name, m1.member_name);
  assert.equal(f.org_id, branch);
  const g = (await ok(await record(office, insp.id, { org_id: branch, member_id: m2.member_id, level: 'ok', text: '学习笔记完整' }), 201)).finding;
  assert.equal(g.member_name, m2.member_name);
  // the branch secretary sees findings about the branch's members as the branch's own; another town's secretary nothing
  assert.deepEqual((await getInsp(secretary, insp.id)).findings.map((x) => [x.id, x.member_name]), [[f.id, m1.member_name], [g.id, m2.member_name]]);
  expectError(await secretary2.get(`/api/v1/inspections/${insp.id}`), 404, 'not_found');
  const page = await secretary.get(`/inspections/${insp.id}`);
  assert.ok(page.text.includes(`<strong>${m1.member_name}</strong>（`), 'the page names the member');
  // the problem becomes an item about the member, which the secretary opens
  const r = await ok(await town.post(`/api/v1/findings/${f.id}/rectify`, { measure: '补学补记', owner: '支部书记', due_date: daysFromToday(20) }), 201);
  const item = (await ok(await secretary.get(`/api/v1/rectifications/${r.rect_id}`))).rectification;
  assert.equal(item.member_id, m1.member_id);
  assert.equal(item.member_name, m1.member_name);
  assert.equal(item.source, 'inspection');
  // the export names the member
  const x = await office.get(`/api/v1/inspections/${insp.id}/findings?format=xlsx`);
  assert.equal(x.status, 200);
});

test('a team member from another town records a problem there but cannot make an item out of sight; the office can', async () => {
  const x = (await ok(await create(office, rootId, { scope_org_id: String(branchB), draw_n: '1', team: 'town' }), 201)).inspection;
  await ok(await office.post(`/api/v1/inspections/${x.id}/draw`), 201);
  await ok(await office.post(`/api/v1/inspections/${x.id}/start`));
  const t = (await getInsp(office, x.id)).targets[0];
  const f = (await ok(await record(town, x.id, { member_id: t.member_id, level: 'problem', text: '党费未按月交纳' }), 201)).finding;
  assert.equal(f.can_rectify, false, 'the town office on the team is not offered the step');
  assert.equal((await getInsp(office, x.id)).findings[0].can_rectify, true);
  assert.equal((await getInsp(town, x.id)).findings[0].can_rectify, false);
  const page = await town.get(`/inspections/${x.id}`);
  assert.ok(!page.text.includes(`/findings/${f.id}/rectify`), 'no rectify form for the town office');
  const body = { measure: '补交党费', owner: '支部书记', due_date: daysFromToday(20) };
  const e = await refused('the other town\'s team member rectifies', () => town.post(`/api/v1/findings/${f.id}/rectify`, body), 403, 'not_allowed', 'id');
  assert.match(e.message, /无法查看/);
  const r = await ok(await office.post(`/api/v1/findings/${f.id}/rectify`, body), 201);
  expectError(await town.get(`/api/v1/rectifications/${r.rect_id}`), 404, 'not_found');
  assert.equal((await ok(await secretary2.get(`/api/v1/rectifications/${r.rect_id}`))).rectification.member_id, t.member_id);
});
