// bulk_import.test.mjs: the roster import writes its rows in bulk (COPY on PostgreSQL, one
// prepared INSERT a row on SQLite). Text that COPY's format would misread (backslashes, "\N",
// tabs, line breaks) arrives as typed; a file refused after its first thousands of rows were
// already sent leaves nothing behind; another constraint failing is a database error, not a
// duplicate; a 身份证号 already on the roll is still reported at its row. The demo's bulk inserts
// (on PostgreSQL with the foreign keys dropped and added back around them) leave the schema's
// foreign keys as migrations make them, and in force.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, idcard, newIdcard, fileForm, scratchFile, refuseInserts, expectError, freshDb, cliDb, sqlOn, BACKEND } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const office = await loginAs(srv.base, 'office');
const sec = await loginAs(srv.base, 'secretary');
const branchId = sec.user.roles[0].org_id;

async function total() {
  const r = await office.get(`/api/v1/orgs/${branchId}/members?subtree=1&inactive=1&per_page=1`);
  assert.equal(r.status, 200, r.text);
  return r.json.paging.total;
}
async function byName(name) {
  const r = await office.get(`/api/v1/orgs/${branchId}/members?subtree=1&q=${encodeURIComponent(name)}`);
  assert.equal(r.json.members.length, 1, `${name}: ${r.text.slice(0, 300)}`);
  return (await office.get(`/api/v1/members/${r.json.members[0].id}`)).json.member;
}
const cell = (s) => '"' + String(s).replace(/"/g, '""') + '"';
const HEAD = '姓名,身份证号,入党时间,工作岗位,岗位职责\n';
/** n rows of valid members (births from 1940 on, one a day; names 批量一 …; seq: the 身份证号's
 * sequence digits), as CSV lines. */
function rows(n, tag, seq = '917') {
  const out = [];
  const day0 = Date.UTC(1940, 0, 1);
  for (let i = 0; i < n; i++) {
    const d = new Date(day0 + (i + tag * 5000) * 86400000).toISOString().slice(0, 10);
    const id = idcard('440106' + d.replace(/-/g, '') + seq);
    out.push([`批量${tag}${'甲乙丙丁戊己庚辛壬癸'[i % 10]}${i}`, id, '2010-07-01', '职员', `第${i}行`].map(cell).join(','));
  }
  return out;
}

test('text COPY would misread arrives as typed, by upload and by the CLI, as the one-member form stores it', async () => {
  const post = 'C:\\党建\\N';
  const duties = '第一行\\N\t制表\r\n第二行 \\\\ 反斜杠\\x41 结尾\\';
  const one = await office.post(`/api/v1/orgs/${branchId}/members`, { name: '单个录入', idcard: newIdcard('19700101'), joined_date: '2001-07-01', post, duties });
  assert.equal(one.status, 201, one.text);
  const want = [one.json.member.post, one.json.member.duties];
  assert.match(want[1], /\\N/, 'the backslash-N is kept as text, not read as NULL');

  const up = await sec.req('POST', `/api/v1/orgs/${branchId}/import`,
    { body: fileForm(HEAD + ['上传转义', newIdcard('19700102'), '2001-07-01', post, duties].map(cell).join(',') + '\n') });
  assert.equal(up.status, 200, up.text);
  const f = scratchFile('bulk-escape.csv', HEAD + ['命令转义', newIdcard('19700103'), '2001-07-01', post, duties].map(cell).join(',') + '\n');
  const c = srv.cli(['import', '--org', String(branchId), f]);
  assert.equal(c.status, 0, c.stdout + c.stderr);
  for (const name of ['单个录入', '上传转义', '命令转义']) {
    const m = await byName(name);
    assert.deepEqual([m.post, m.duties], want, name);
  }
});

test('a CLI import refused at its last row, after more than a megabyte of rows was written, leaves nothing', async () => {
  const before = await total();
  const taken = newIdcard('19700104');
  assert.equal((await office.post(`/api/v1/orgs/${branchId}/members`, { name: '已在名册', idcard: taken, joined_date: '2001-07-01' })).status, 201);
  const lines = rows(4500, 1); // several chunks of the COPY (512 KB each) before the duplicate
  lines.push(['重复末行', taken, '2001-07-01', '', ''].map(cell).join(','));
  const c = srv.cli(['import', '--org', String(branchId), scratchFile('bulk-dup.csv', HEAD + lines.join('\n') + '\n')]);
  assert.equal(c.status, 3, c.stdout + c.stderr);
  assert.match(c.stdout, /第 4502 行「身份证号」.*已在党员名册中/);
  assert.match(c.stdout, /未导入任何数据/);
  assert.equal(await total(), before + 1, 'only the member added by hand');

  // the same rows without the duplicate: all of them, once
  const ok = srv.cli(['import', '--org', String(branchId), scratchFile('bulk-ok.csv', HEAD + lines.slice(0, -1).join('\n') + '\n')]);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /已导入 4500 名党员/);
  assert.equal(await total(), before + 4501);
  assert.equal((await byName('批量1丁3993')).duties, '第3993行');
  // the tallies of the branch and every ancestor moved by the 4,500 (summed per organisation)
  const rc = srv.cli(['recount', '--round', '1']);
  assert.equal(rc.status, 0, rc.stdout + rc.stderr);
  // and again: every row is now a duplicate on the roll, reported at its row; nothing added
  const again = srv.cli(['import', '--org', String(branchId), scratchFile('bulk-again.csv', HEAD + lines.slice(0, 3).join('\n') + '\n')]);
  assert.equal(again.status, 3, again.stdout + again.stderr);
  for (const row of [2, 3, 4]) assert.match(again.stdout, new RegExp(`第 ${row} 行「身份证号」.*已在党员名册中`));
  assert.equal(await total(), before + 4501);
});

test('a CLI import with members already on the roll in two chunks and a bad row after them reports each at its row and adds nothing', async () => {
  const before = await total();
  const taken = [newIdcard('19700106'), newIdcard('19700107')];
  for (const [i, id] of taken.entries())
    assert.equal((await office.post(`/api/v1/orgs/${branchId}/members`, { name: `已在名册${i}`, idcard: id, joined_date: '2001-07-01' })).status, 201);
  const lines = rows(6000, 0, '927');
  // on PostgreSQL the rows go through the COPY in chunks, checked against the roll by its unique
  // index: the first duplicate fails its chunk, whose rows are then looked up; the second is in a
  // later chunk, looked up one by one; so is the bad row's neighbourhood
  lines[1200] = ['中段重复', taken[0], '2001-07-01', '', ''].map(cell).join(',');
  lines[4800] = ['后段重复', taken[1], '2001-07-01', '', ''].map(cell).join(',');
  lines[5500] = ['坏日期', newIdcard('19700108'), '2001-13-01', '', ''].map(cell).join(',');
  const c = srv.cli(['import', '--org', String(branchId), scratchFile('bulk-two-dups.csv', HEAD + lines.join('\n') + '\n')]);
  assert.equal(c.status, 3, c.stdout + c.stderr);
  assert.match(c.stdout, /第 1202 行「身份证号」.*已在党员名册中/);
  assert.match(c.stdout, /第 4802 行「身份证号」.*已在党员名册中/);
  assert.match(c.stdout, /第 5502 行「入党时间」/);
  assert.equal((c.stdout.match(/已在党员名册中/g) || []).length, 2, c.stdout);
  assert.match(c.stdout, /未导入任何数据/);
  assert.equal(await total(), before + 2, 'only the members added by hand');
  // a bad row first, a duplicate after it in a chunk never sent: both reported
  const l2 = rows(3000, 0, '937');
  l2[100] = ['坏日期二', newIdcard('19700109'), '2001-02-30', '', ''].map(cell).join(',');
  l2[2900] = ['末段重复', taken[0], '2001-07-01', '', ''].map(cell).join(',');
  const c2 = srv.cli(['import', '--org', String(branchId), scratchFile('bulk-bad-then-dup.csv', HEAD + l2.join('\n') + '\n')]);
  assert.equal(c2.status, 3, c2.stdout + c2.stderr);
  assert.match(c2.stdout, /第 102 行「入党时间」/);
  assert.match(c2.stdout, /第 2902 行「身份证号」.*已在党员名册中/);
  assert.equal(await total(), before + 2);
});

test('another constraint refusing a row of a bulk import is a database error (CLI and upload), and nothing is added', async () => {
  const before = await total();
  const undo = refuseInserts(srv.db, 'member', '约束拒绝');
  try {
    const lines = rows(3000, 2);
    lines.splice(2500, 0, ['约束拒绝', newIdcard('19700105'), '2001-07-01', '', ''].map(cell).join(','));
    const c = srv.cli(['import', '--org', String(branchId), scratchFile('bulk-refused.csv', HEAD + lines.join('\n') + '\n')]);
    assert.notEqual(c.status, 0, c.stdout + c.stderr);
    assert.match(c.stderr, /导入失败，已全部撤销/);
    assert.doesNotMatch(c.stdout + c.stderr, /已在党员名册中/);
    const up = await sec.req('POST', `/api/v1/orgs/${branchId}/import`, { body: fileForm(HEAD + lines.slice(2400, 2600).join('\n') + '\n') });
    expectError(up, 500, 'db_error');
    assert.doesNotMatch(up.text, /已在党员名册中/);
  } finally { undo(); }
  assert.equal(await total(), before);
});

test('the demo leaves every foreign key as migrations make it, and they refuse a role for an account that does not exist', () => {
  const migrated = freshDb('fk'); // the schema alone (cxzy init: no organisation)
  const m = cliDb(migrated, ['init']);
  assert.equal(m.status, 0, m.stdout + m.stderr);
  const keys = (db) => sqlOn(db, BACKEND === 'pg'
    ? "SELECT conrelid::regclass || ' ' || conname || ' ' || convalidated || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f' ORDER BY 1"
    : "SELECT m.name || ' ' || f.\"from\" || ' ' || f.\"table\" || ' ' || f.\"to\" FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table' ORDER BY 1");
  const want = keys(migrated);
  assert.ok(want.split('\n').length > 50, want);
  assert.equal(keys(srv.db), want, 'the demo database (srv.db) has the same foreign keys');
  assert.match(keys(srv.db), /user_role user_role_user_id_fkey true FOREIGN KEY \(user_id\) REFERENCES app_user\(id\)|user_role user_id app_user id/);
  const orgId = sqlOn(srv.db, 'SELECT min(id) FROM org');
  assert.throws(() => sqlOn(srv.db, `${BACKEND === 'pg' ? '' : 'PRAGMA foreign_keys = ON; '}INSERT INTO user_role (user_id, role, org_id) VALUES (999999999, 'member', ${orgId})`),
    /foreign key/i);
});
