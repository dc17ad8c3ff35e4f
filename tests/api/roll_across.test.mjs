// roll_across.test.mjs: one person, one roll, when the roll is split by province (issue 20). On
// PostgreSQL member is partitioned by province, and the unique index on 身份证号 holds the
// province too: without member_roll (migration 0040) the same person could be put on the roll of
// two provinces, by the form, an upload or the command line. The careless secretary and the
// person registered twice are played here in a national tree (each committee under the root a
// province). Both backends: on SQLite one unique index has always held.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, expectError, newIdcard, sqlOn, freshDb, cliDb, fileForm, scratchFile, BACKEND } from '../lib.mjs';

const db = freshDb('roll');
const demo = cliDb(db, ['demo', '--members', '60']);
if (demo.status !== 0) throw new Error(demo.stderr);
const national = cliDb(db, ['partition', 'national', 'on']);
if (national.status !== 0) throw new Error(national.stderr);
const srv = await startServerOn({ db, demo: false });
after(() => srv.stop());
const sql = (q) => sqlOn(db, q);
const num = (q) => Number(sql(q));
const office = await loginAs(srv.base, 'office');
const rootId = office.user.roles[0].org_id;
// a branch in each of two provinces (committees directly under the root)
const [branchA, branchB] = sql(`SELECT min(b.id) FROM org b JOIN org p ON p.id = b.part WHERE b.type = 'branch' AND p.depth = 1 ` +
  `AND b.active = 1 GROUP BY b.part ORDER BY b.part LIMIT 2`).split('\n').map(Number);
const partOf = (id) => num(`SELECT part FROM org WHERE id = ${id}`);
const HEAD = '姓名,身份证号,入党时间\n';
const roll = () => num('SELECT count(*) FROM member');

test('the two branches are in different provinces', () => {
  assert.ok(branchA && branchB, 'two provinces with a branch each');
  assert.notEqual(partOf(branchA), partOf(branchB));
  assert.notEqual(partOf(branchA), rootId);
});

test('a person on the roll in one province is refused in another: by the form, an upload and the command line; nothing added', async () => {
  const id = newIdcard('19800101');
  const first = await office.post(`/api/v1/orgs/${branchA}/members`, { name: '跨省甲', idcard: id, joined_date: '2005-07-01' });
  assert.equal(first.status, 201, first.text);
  const before = roll();
  expectError(await office.post(`/api/v1/orgs/${branchB}/members`, { name: '跨省甲', idcard: id, joined_date: '2005-07-01' }), 409, 'duplicate_member', 'idcard');
  const up = await office.req('POST', `/api/v1/orgs/${branchB}/import`, { body: fileForm(HEAD + `跨省甲,${id},2005-07-01\n`) });
  assert.ok(up.status >= 400 || /已在党员名册中/.test(up.text), up.text);
  assert.match(up.text, /已在党员名册中/);
  const c = srv.cli(['import', '--org', String(branchB), scratchFile('roll-b.csv', HEAD + `跨省甲,${id},2005-07-01\n`)]);
  assert.equal(c.status, 3, c.stdout + c.stderr);
  assert.match(c.stdout, /已在党员名册中/);
  assert.equal(roll(), before, 'nothing added');
  assert.equal(num(`SELECT count(*) FROM member WHERE idcard_hash = (SELECT idcard_hash FROM member WHERE name = '跨省甲')`), 1);
});

test('the same person sent to two provinces at once: one is on the roll, the other refused', async () => {
  const id = newIdcard('19800202');
  const before = roll();
  const rs = await Promise.all([branchA, branchB, branchA, branchB].map((b, i) =>
    office.post(`/api/v1/orgs/${b}/members`, { name: `同时${i}`, idcard: id, joined_date: '2005-07-01' })));
  assert.deepEqual(rs.map((r) => r.status).sort(), [201, 409, 409, 409], rs.map((r) => r.text.slice(0, 80)).join('\n'));
  assert.equal(roll(), before + 1);
});

test('a member moved to another province stays one person: the old province cannot take the number again', async () => {
  const id = newIdcard('19800303');
  const m = (await office.post(`/api/v1/orgs/${branchA}/members`, { name: '调动乙', idcard: id, joined_date: '2005-07-01' })).json.member;
  const mv = await office.req('PATCH', `/api/v1/members/${m.id}`, { body: { org_id: branchB } });
  assert.equal(mv.status, 200, mv.text);
  assert.equal(num(`SELECT part FROM member WHERE id = ${m.id}`), partOf(branchB));
  expectError(await office.post(`/api/v1/orgs/${branchA}/members`, { name: '调动乙', idcard: id, joined_date: '2005-07-01' }), 409, 'duplicate_member', 'idcard');
  // a correction of the number frees the old one
  const id2 = newIdcard('19800304');
  const fix = await office.req('PATCH', `/api/v1/members/${m.id}`, { body: { idcard: id2 } });
  assert.equal(fix.status, 200, fix.text);
  assert.equal((await office.post(`/api/v1/orgs/${branchA}/members`, { name: '新人丙', idcard: id, joined_date: '2005-07-01' })).status, 201);
  expectError(await office.post(`/api/v1/orgs/${branchA}/members`, { name: '调动乙', idcard: id2, joined_date: '2005-07-01' }), 409, 'duplicate_member', 'idcard');
});

test('a province given its own partitions keeps its members on the roll across provinces (PostgreSQL)', { skip: BACKEND !== 'pg' }, async () => {
  const id = newIdcard('19800404');
  assert.equal((await office.post(`/api/v1/orgs/${branchA}/members`, { name: '分区前', idcard: id, joined_date: '2005-07-01' })).status, 201);
  const add = srv.cli(['partition', 'add', String(partOf(branchA))]);
  assert.equal(add.status, 0, add.stdout + add.stderr);
  assert.equal(num('SELECT count(*) FROM member'), num('SELECT count(*) FROM member_roll'), 'every member on the roll');
  expectError(await office.post(`/api/v1/orgs/${branchB}/members`, { name: '分区前', idcard: id, joined_date: '2005-07-01' }), 409, 'duplicate_member', 'idcard');
  const id2 = newIdcard('19800405');
  assert.equal((await office.post(`/api/v1/orgs/${branchB}/members`, { name: '分区后', idcard: id2, joined_date: '2005-07-01' })).status, 201);
  expectError(await office.post(`/api/v1/orgs/${branchA}/members`, { name: '分区后', idcard: id2, joined_date: '2005-07-01' }), 409, 'duplicate_member', 'idcard');
});

test('a member transferred to another province takes the ballots and reviews about him along: one rater once still holds there', async () => {
  const provA = partOf(branchA), provB = partOf(branchB);
  const bid = num(`SELECT min(b.id) FROM ballot b JOIN member m ON m.id = b.target_id WHERE b.target_kind = 'member' AND b.valid = 1 ` +
    `AND b.rater_key IS NOT NULL AND m.part = ${provA} AND m.active = 1`);
  assert.ok(bid > 0, 'a valid ballot about a member of the first province');
  const target = num(`SELECT target_id FROM ballot WHERE id = ${bid}`);
  const about = (t, col, kind) => num(`SELECT count(*) FROM ${t} WHERE ${kind} AND ${col} = ${target} AND part <> ${provB}`);
  const mv = await office.patch(`/api/v1/members/${target}`, { org_id: branchB });
  assert.equal(mv.status, 200, mv.text);
  assert.equal(num(`SELECT part FROM member WHERE id = ${target}`), provB);
  assert.equal(about('ballot', 'target_id', "target_kind = 'member'"), 0, 'his ballots are in his new province');
  assert.equal(about('review', 'target_member_id', "kind <> 'org_self'"), 0, 'and the reviews about him');
  // the same rater again for him in this round, now in his new province: the unique index refuses it
  const again = `INSERT INTO ballot (round_id, target_kind, target_id, org_id, channel, questions, answers, comment, reason, valid, ` +
    `invalid_reason, rater_key, day, late, verified, part) SELECT round_id, target_kind, target_id, ${branchB}, channel, questions, answers, ` +
    `comment, reason, 1, invalid_reason, rater_key, day, late, verified, ${provB} FROM ballot WHERE id = ${bid}`;
  assert.throws(() => sql(again), /unique|UNIQUE/);
});
