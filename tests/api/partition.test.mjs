// partition.test.mjs: `part` is the province (issue 20): the organisation directly under a national
// root. The demo district is declared national (`cxzy partition national on`), so each of its
// committees is a province; every row carrying `part` must then name its province, whatever is
// created or moved afterwards, and the counts and dashboards must not change with a move. The
// expected province is computed here from the tree (not from the server's own `part` columns).
// Both backends.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, expectError, newIdcard, sqlOn, daysFromToday, BACKEND, freshDb, cliDb, fileForm } from '../lib.mjs';

// The demo district is made first and put back to the schema before migration 0039, rows and
// all (ballots and reviews without part, flat tables, rows with part 0 as a database from before
// 0039 may hold them); the server then starts on it and migrates it (the first test checks).
const db = freshDb('part');
const demo = cliDb(db, ['demo', '--members', '300']);
if (demo.status !== 0) throw new Error(demo.stderr);
const sql = (q) => sqlOn(db, q);
const TABLES = ['member', 'pledge', 'feedback', 'ballot', 'review'];
const PG = BACKEND === 'pg';
const unmigrated = Object.fromEntries(TABLES.map((t) => [t, Number(sql(`SELECT count(*) FROM ${t}`))]));
const maxId = Number(sql('SELECT max(id) FROM member'));
if (PG) {
  sql('DROP TABLE member_roll; DROP FUNCTION cx_member_roll_ins(), cx_member_roll_del(), cx_member_roll_upd() CASCADE; ' +
    'DELETE FROM schema_migrations WHERE version = 40');
  for (const t of TABLES)
    sql(`CREATE TABLE ${t}_old AS SELECT * FROM ${t}; DROP TABLE ${t} CASCADE; ALTER TABLE ${t}_old RENAME TO ${t}; ` +
      `ALTER TABLE ${t} ADD PRIMARY KEY (id)`);
}
if (PG) sql('DROP FUNCTION cx_name_partition_indexes(regclass, text)');
sql('ALTER TABLE ballot DROP COLUMN part; ALTER TABLE review DROP COLUMN part; DROP TABLE part_province; ' +
  'UPDATE member SET part = 0 WHERE id IN (SELECT id FROM member ORDER BY id LIMIT 5); UPDATE pledge SET part = 0; ' +
  'UPDATE rect_event SET part = 0; DELETE FROM schema_migrations WHERE version = 39');
const wrongBefore = Number(sql('SELECT (SELECT count(*) FROM member WHERE part = 0) + (SELECT count(*) FROM pledge WHERE part = 0)'));

const srv = await startServerOn({ db, demo: false });
after(() => srv.stop());
const office = await loginAs(srv.base, 'office');
const rootId = office.user.roles[0].org_id;
const num = (q) => Number(sql(q));

// the province of organisation o by the tree: the root's own id, or its ancestor at depth 1
// (national), or the root's id (not national)
const province = (o, national) => national
  ? `(CASE WHEN ${o}.depth = 0 THEN ${o}.id ELSE (SELECT a.id FROM org a WHERE a.depth = 1 AND ${o}.path >= a.path ` +
    `AND ${o}.path < substr(a.path, 1, length(a.path) - 1) || '0') END)`
  : `(SELECT r.id FROM org r WHERE r.depth = 0 AND ${o}.path >= r.path AND ${o}.path < substr(r.path, 1, length(r.path) - 1) || '0')`;
/** Rows, table by table, whose part is not the province of their organisation (or of the row they
 * hang on): all zero when everything is where it belongs. */
function misplaced(national) {
  const p = (o) => province(o, national);
  const q = {
    org: `SELECT count(*) FROM org o WHERE o.part <> ${p('o')}`,
    member: `SELECT count(*) FROM member x JOIN org o ON o.id = x.org_id WHERE x.part <> ${p('o')}`,
    member_photo: `SELECT count(*) FROM member_photo x JOIN member m ON m.id = x.member_id JOIN org o ON o.id = m.org_id WHERE x.part <> ${p('o')}`,
    campaign: `SELECT count(*) FROM campaign x JOIN org o ON o.id = x.org_id WHERE x.part <> ${p('o')}`,
    pledge: `SELECT count(*) FROM pledge x JOIN org o ON o.id = x.org_id WHERE x.part <> ${p('o')}`,
    pledge_progress: `SELECT count(*) FROM pledge_progress x JOIN pledge y ON y.id = x.pledge_id JOIN org o ON o.id = y.org_id WHERE x.part <> ${p('o')}`,
    evidence: `SELECT count(*) FROM evidence x JOIN pledge_progress g ON g.id = x.progress_id JOIN pledge y ON y.id = g.pledge_id ` +
      `JOIN org o ON o.id = y.org_id WHERE x.part <> ${p('o')}`,
    feedback: `SELECT count(*) FROM feedback x JOIN org o ON o.id = x.org_id WHERE x.part <> ${p('o')}`,
    rectification: `SELECT count(*) FROM rectification x JOIN org o ON o.id = x.org_id WHERE x.part <> ${p('o')}`,
    rect_evidence: `SELECT count(*) FROM rect_evidence x JOIN rectification y ON y.id = x.rect_id JOIN org o ON o.id = y.org_id WHERE x.part <> ${p('o')}`,
    rect_event: `SELECT count(*) FROM rect_event x JOIN rectification y ON y.id = x.rect_id JOIN org o ON o.id = y.org_id WHERE x.part <> ${p('o')}`,
    rect_escalation: `SELECT count(*) FROM rect_escalation x JOIN rectification y ON y.id = x.rect_id JOIN org o ON o.id = y.org_id WHERE x.part <> ${p('o')}`,
  };
  const out = {};
  for (const [t, s] of Object.entries(q)) { const n = num(s); if (n) out[t] = n; }
  return out;
}
/** How many rows of the tables that grow with members each part holds. */
const perPart = (table) => Object.fromEntries(sql(`SELECT part, count(*) FROM ${table} GROUP BY part ORDER BY part`)
  .split('\n').filter(Boolean).map((l) => l.split('|').map(Number)));

async function ok(r, status = 200) { assert.equal(r.status, status, r.text); return r.json; }
const children = async (id) => (await ok(await office.get(`/api/v1/orgs/${id}/children`))).children;
/** What an office sees of the whole tree: member counts of the root and of each province. */
async function counts() {
  const root = await ok(await office.get(`/api/v1/orgs/${rootId}`));
  const kids = await children(rootId);
  return { root: root.subtree_members, kids: Object.fromEntries(kids.map((k) => [k.id, k.members])) };
}
const dashboard = async () => {
  const d = await ok(await office.get(`/api/v1/orgs/${rootId}/dashboard`));
  return JSON.stringify(d.total ?? d);
};
const move = (id, parent) => office.post(`/api/v1/orgs/${id}/move`, { parent_id: parent });

// The branch under the demo's first province that has the most rows carrying part (pledges,
// rectification items, feedback): the one to move.
const busiest = () => Number(sql(`SELECT o.id FROM org o WHERE o.type = 'branch' AND o.depth >= 2 ORDER BY ` +
  `(SELECT count(*) FROM pledge p WHERE p.org_id = o.id) + (SELECT count(*) FROM rectification r WHERE r.org_id = o.id) + ` +
  `(SELECT count(*) FROM feedback f WHERE f.org_id = o.id) + (SELECT count(*) FROM member m WHERE m.org_id = o.id) DESC, o.id LIMIT 1`));

test('migration 0039 on a database with rows: every row kept, in its organisation\'s part, partitioned on PostgreSQL', async () => {
  assert.ok(wrongBefore > 5, 'rows were out of place before');
  assert.deepEqual(misplaced(false), {});
  for (const t of TABLES) assert.equal(num(`SELECT count(*) FROM ${t}`), unmigrated[t], `${t}: every row kept`);
  assert.equal(num(`SELECT count(*) FROM ballot b JOIN org o ON o.id = b.org_id WHERE b.part <> o.part`), 0);
  assert.equal(num(`SELECT count(*) FROM review v JOIN org o ON o.id = v.target_org_id WHERE v.part <> o.part`), 0);
  if (PG) for (const t of [...TABLES, 'audit_log']) assert.equal(sql(`SELECT relkind FROM pg_class WHERE relname = '${t}'`), 'p', `${t} is partitioned`);
  // new ids go on after the old ones
  const m = await ok(await office.post(`/api/v1/orgs/${busiest()}/members`, { name: '迁移后', idcard: newIdcard(), joined_date: '2015-07-01' }), 201);
  assert.ok(m.member.id > maxId);
});

test('a district keeps one part; declared national, each committee under the root is a province', async () => {
  assert.deepEqual(misplaced(false), {}, 'a district: every row in its root part');
  assert.deepEqual(Object.keys(perPart('member')).map(Number), [rootId]);
  const before = await counts(), dash = await dashboard();

  const r = srv.cli(['partition', 'national', 'on']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /全国模式/);
  assert.deepEqual(misplaced(true), {}, 'every row in its province');
  const kids = (await children(rootId)).map((k) => k.id);
  const parts = Object.keys(perPart('member')).map(Number);
  assert.ok(parts.length >= 2, 'members spread over several provinces');
  assert.ok(parts.every((p) => kids.includes(p)), 'each part is a province');
  assert.ok(Object.keys(perPart('pledge')).length >= 1 && !perPart('pledge')[rootId], 'the town\'s pledges sit in the town\'s part');
  // nothing an office sees changes
  assert.deepEqual(await counts(), before);
  assert.equal(await dashboard(), dash);
  const st = srv.cli(['partition', 'national', 'status']);
  assert.equal(st.status, 0, st.stderr);
  assert.match(st.stdout, /全国模式/);
  // the same again records nothing
  const records = num('SELECT count(*) FROM audit_log');
  assert.equal(srv.cli(['partition', 'national', 'on']).status, 0);
  assert.equal(num('SELECT count(*) FROM audit_log'), records);
  assert.equal(num(`SELECT count(*) FROM audit_log WHERE entity = 'setting' AND after_json LIKE '%national%'`), 1, 'audited once');
});

test('new rows land in their province; a branch moved to another province takes all its rows along', async () => {
  const branch = busiest();
  const provA = num(`SELECT part FROM org WHERE id = ${branch}`);
  const provB = (await children(rootId)).find((k) => k.id !== provA && k.type === 'committee').id;
  // a new member, an organisation and a rectification item in the branch's province
  const m = await ok(await office.post(`/api/v1/orgs/${branch}/members`, { name: '分区甲', idcard: newIdcard(), joined_date: '2015-07-01' }), 201);
  assert.equal(num(`SELECT part FROM member WHERE id = ${m.member.id}`), provA);
  const child = await ok(await office.post(`/api/v1/orgs/${provB}/children`, { name: '分区新支部', type: 'branch', sector: 'rural' }), 201);
  assert.equal(num(`SELECT part FROM org WHERE id = ${child.org.id}`), provB);
  const rect = await office.post(`/api/v1/orgs/${branch}/rectifications`,
    { problem: '台账不全', measure: '补齐台账', owner: '张三', due_date: daysFromToday(30), source: 'inspection' });
  assert.equal(rect.status, 201, rect.text);
  assert.deepEqual(misplaced(true), {});

  const rows = (t) => num(`SELECT count(*) FROM ${t} WHERE org_id = ${branch}`);
  const moving = { member: rows('member'), pledge: rows('pledge'), rectification: rows('rectification') };
  const active = num(`SELECT count(*) FROM member WHERE org_id = ${branch} AND active = 1`);
  assert.ok(moving.member > 0 && moving.rectification > 0, JSON.stringify(moving));
  const before = await counts(), dash = await dashboard();

  await ok(await move(branch, provB));
  assert.deepEqual(misplaced(true), {}, 'the moved rows follow the branch');
  for (const t of Object.keys(moving))
    assert.equal(num(`SELECT count(*) FROM ${t} WHERE org_id = ${branch} AND part = ${provB}`), moving[t], `${t} in the new province`);
  const after = await counts();
  assert.equal(after.root, before.root, 'the nation counts the same members');
  assert.equal(after.kids[provA], before.kids[provA] - active);
  assert.equal(after.kids[provB], before.kids[provB] + active);
  assert.equal(await dashboard(), dash, 'the root\'s dashboard is unchanged by the move');
  // the move is undone the same way
  await ok(await move(branch, provA));
  assert.deepEqual(misplaced(true), {});
  assert.deepEqual(await counts(), before);
});

test('careless moves: a branch straight under the root becomes its own province, a province moved into another joins it', async () => {
  const branch = busiest();
  const home = num(`SELECT parent_id FROM org WHERE id = ${branch}`);
  const before = await counts();
  await ok(await move(branch, rootId));
  assert.equal(num(`SELECT part FROM org WHERE id = ${branch}`), branch, 'directly under the national root: a province');
  assert.deepEqual(misplaced(true), {});
  assert.equal((await counts()).root, before.root);
  await ok(await move(branch, home));
  assert.deepEqual(misplaced(true), {});

  // a whole province (with its subtree) moved under another province joins that one's part
  const kids = await children(rootId);
  const [p1, p2] = [kids.find((k) => k.members > 0 && k.type === 'committee'), kids.filter((k) => k.type === 'committee').at(-1)];
  assert.notEqual(p1.id, p2.id);
  await ok(await move(p1.id, p2.id));
  assert.deepEqual(misplaced(true), {});
  assert.equal(num(`SELECT count(*) FROM member WHERE part = ${p1.id}`), 0, 'no part is left behind');
  assert.equal((await counts()).root, before.root);
  await ok(await move(p1.id, rootId));
  assert.deepEqual(misplaced(true), {});
  assert.deepEqual(await counts(), before);
  // the root itself still cannot move
  expectError(await move(rootId, p1.id), 400, 'move_root');
});

test('partition add moves a province\'s rows into its own partitions; queries answer the same (PostgreSQL)', { skip: !PG }, async () => {
  const kids = await children(rootId);
  const prov = (await children(rootId)).find((k) => k.members > 0 && num(`SELECT count(*) FROM ballot WHERE part = ${k.id}`) > 0);
  assert.ok(prov, 'a province with members and ballots');
  const other = kids.find((k) => k.id !== prov.id && k.type === 'committee' && k.members > 0);
  const own = Object.fromEntries(TABLES.map((t) => [t, num(`SELECT count(*) FROM ${t} WHERE part = ${prov.id}`)]));
  const total = Object.fromEntries(TABLES.map((t) => [t, num(`SELECT count(*) FROM ${t}`)]));
  // the province's audit chain (migration 0038) goes to its partition too, with the record of the add
  const ownAudit = num(`SELECT count(*) FROM audit_log WHERE part = ${prov.id}`), allAudit = num('SELECT count(*) FROM audit_log');
  assert.ok(ownAudit > 0, 'the province has audit records');
  const before = await counts(), dash = await dashboard();
  const audited = () => num(`SELECT count(*) FROM audit_log WHERE action = 'create' AND entity = 'partition' AND entity_id = ${prov.id}`);
  assert.equal(audited(), 0);

  const r = srv.cli(['partition', 'add', String(prov.id)]);
  assert.equal(r.status, 0, r.stderr);
  for (const t of TABLES) {
    assert.equal(num(`SELECT count(*) FROM ${t}_p${prov.id}`), own[t], `${t}: the province's rows in its partition`);
    assert.equal(num(`SELECT count(*) FROM ${t}_default WHERE part = ${prov.id}`), 0, `${t}: none left in DEFAULT`);
    assert.equal(num(`SELECT count(*) FROM ${t}`), total[t], `${t}: no row lost or doubled`);
  }
  assert.equal(audited(), 1);
  assert.deepEqual(await counts(), before);
  assert.equal(await dashboard(), dash);
  // a query for one province reads that province's partition only
  const plan = sql(`EXPLAIN SELECT count(*) FROM member WHERE part = ${prov.id}`);
  assert.match(plan, new RegExp(`member_p${prov.id}\\b`));
  assert.doesNotMatch(plan, /member_default/);
  const list = srv.cli(['partition', 'list']);
  assert.equal(list.status, 0, list.stderr);
  assert.equal(num(`SELECT count(*) FROM audit_log_p${prov.id}`), ownAudit + 1, 'the chain and the add\'s own record in the partition');
  assert.equal(num(`SELECT count(*) FROM audit_log_default WHERE part = ${prov.id}`), 0);
  assert.equal(num('SELECT count(*) FROM audit_log'), allAudit + 1);
  const verify = srv.cli(['audit', 'verify']);
  assert.equal(verify.status, 0, verify.stdout + verify.stderr);
  assert.match(list.stdout, new RegExp(`^${prov.id}\t${prov.name}\t${own.member}\t${own.pledge}\t${own.feedback}\t${own.ballot}\t${own.review}\t${ownAudit + 1}$`, 'm'));

  // new rows land in the partition; a duplicate 身份证号 is still refused
  const idc = newIdcard();
  const branch = num(`SELECT id FROM org WHERE part = ${prov.id} AND type = 'branch' ORDER BY id LIMIT 1`);
  const m = await ok(await office.post(`/api/v1/orgs/${branch}/members`, { name: '分区乙', idcard: idc, joined_date: '2015-07-01' }), 201);
  assert.equal(num(`SELECT count(*) FROM member_p${prov.id} WHERE id = ${m.member.id}`), 1);
  expectError(await office.post(`/api/v1/orgs/${branch}/members`, { name: '分区丙', idcard: idc, joined_date: '2015-07-01' }), 409, 'duplicate_member');
  // the partition's indexes carry their parent's names, so a unique violation in the province's
  // partition is still known for a duplicate: the same file imported 4 times at once (each
  // passes the check before any commits) is imported once, the others told why
  for (const i of ['member_idcard_hash', 'member_pkey', 'ballot_rater_u', 'review_member_u'])
    assert.equal(sql(`SELECT count(*) FROM pg_class WHERE relname = '${i}_p${prov.id}'`), '1', `${i}_p${prov.id}`);
  const csv = `姓名,身份证号,入党时间\n分区并发甲,${newIdcard('19720202')},2000-07-01\n分区并发乙,${newIdcard('19720303', true)},2000-07-01\n`;
  const rs = await Promise.all(Array.from({ length: 4 }, () => office.req('POST', `/api/v1/orgs/${branch}/import`, { body: fileForm(csv) })));
  const desc = rs.map((x) => `${x.status} ${x.text.slice(0, 200)}`).join('\n');
  assert.deepEqual(rs.map((x) => x.status).sort(), [200, 422, 422, 422], desc);
  assert.equal(num(`SELECT count(*) FROM member_p${prov.id} WHERE name LIKE '分区并发%'`), 2);
  // a move out of the province takes the rows out of its partition, and back
  const n = num(`SELECT count(*) FROM member WHERE org_id = ${branch}`);
  const home = num(`SELECT parent_id FROM org WHERE id = ${branch}`);
  await ok(await move(branch, other.id));
  assert.equal(num(`SELECT count(*) FROM member_p${prov.id} WHERE org_id = ${branch}`), 0);
  assert.equal(num(`SELECT count(*) FROM member_default WHERE org_id = ${branch}`), n);
  assert.deepEqual(misplaced(true), {});
  await ok(await move(branch, home));
  assert.equal(num(`SELECT count(*) FROM member_p${prov.id} WHERE org_id = ${branch}`), n);

  // refusals change nothing
  const refuse = (args, re) => { const x = srv.cli(args); assert.equal(x.status, 1, x.stdout); assert.match(x.stderr, re); };
  refuse(['partition', 'add', String(prov.id)], /已有自己的分区/);
  refuse(['partition', 'add', String(rootId)], /不是全国根组织的直属组织/);
  refuse(['partition', 'add', String(branch)], /不是全国根组织的直属组织/);
  refuse(['partition', 'add', '987654'], /组织 987654 不存在/);
  refuse(['partition', 'national', 'off'], /已为 1 个省级组织建立分区，不能取消全国模式/);
  assert.equal(srv.cli(['partition', 'add', '0']).status, 2);
  assert.equal(num(`SELECT count(*) FROM pg_class WHERE relname ~ '^member_p[0-9]+$' AND relkind = 'r'`), 1);
  // the test's last step turns national mode off: drop the partition as an operator would
  // (a detached partition's rows are still on the roll across provinces: they leave it and come back)
  for (const t of [...TABLES, 'audit_log'])
    sql(`ALTER TABLE ${t} DETACH PARTITION ${t}_p${prov.id}; ` +
      (t === 'member' ? `DELETE FROM member_roll r USING member_p${prov.id} m WHERE r.member_id = m.id; ` : '') +
      `INSERT INTO ${t} SELECT * FROM ${t}_p${prov.id}; DROP TABLE ${t}_p${prov.id}`);
  sql(`DELETE FROM part_province`);
});

test('SQLite keeps one file: partition add is refused', { skip: PG }, async () => {
  const r = srv.cli(['partition', 'add', String((await children(rootId))[0].id)]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /SQLite 的数据都在一个文件里，不分区/);
  assert.match(srv.cli(['partition', 'list']).stdout, /SQLite 只有一个数据库文件，不分区/);
});

test('national off puts everything back in the root part; bad arguments change nothing', async () => {
  for (const args of [['partition'], ['partition', 'national'], ['partition', 'national', 'maybe'], ['partition', 'nation', 'on'],
    ['partition', 'national', 'on', 'extra']]) {
    const r = srv.cli(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /用法|错误/);
  }
  assert.match(srv.cli(['partition', 'national', 'maybe']).stderr, /national 后应为 on、off 或 status，收到“maybe”/);
  assert.deepEqual(misplaced(true), {}, 'still national after the refusals');
  const before = await counts();
  const r = srv.cli(['partition', 'national', 'off']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(misplaced(false), {});
  assert.deepEqual(Object.keys(perPart('member')).map(Number), [rootId]);
  assert.deepEqual(await counts(), before);
});
