// import_first_roll.test.mjs: a district's first roll, imported by the command line into a
// database whose member table holds nobody yet (on SQLite that import builds the table's indexes
// after the load instead of row by row). Everything a user sees stays as with members already
// there: a bad file is refused with every problem at its row and leaves nothing; a good one is
// imported with the tallies of each organisation and its ancestors; afterwards the roll refuses
// a 身份证号 twice by the form, an upload and the command line, and the server that was running
// all along reads the new members. Both backends.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, expectError, idcard, sqlOn, freshDb, cliDb, fileForm, scratchFile } from '../lib.mjs';

const db = freshDb('first');
const demo = cliDb(db, ['demo', '--members', '300', '--orgs-only']);
if (demo.status !== 0) throw new Error(demo.stderr);
const num = (q) => Number(sqlOn(db, q));
const srv = await startServerOn({ db, demo: false });
after(() => srv.stop());
const office = await loginAs(srv.base, 'office');
const rootId = office.user.roles[0].org_id;
// two branches by name, for the 所在党组织 column
const branches = sqlOn(db, `SELECT o.id, o.name FROM org o WHERE o.type = 'branch' AND o.active = 1 ORDER BY o.id LIMIT 2`)
  .split('\n').map((l) => { const [id, name] = l.split('|'); return { id: Number(id), name }; });
const cell = (s) => '"' + String(s).replace(/"/g, '""') + '"';
const HEAD = '姓名,身份证号,入党时间,党员状态,所在党组织\n';
const N = 3000;
/** N valid rows, births one a day from 1950, alternately in the two branches; every third one 预备党员. */
function rows() {
  const out = [];
  for (let i = 0; i < N; i++) {
    const d = new Date(Date.UTC(1950, 0, 1) + i * 86400000).toISOString().slice(0, 10).replace(/-/g, '');
    out.push([`首册${i}`, idcard('440106' + d + '517'), '2010-07-01', i % 3 === 0 ? '预备党员' : '正式党员', branches[i % 2].name].map(cell).join(','));
  }
  return out;
}
const lines = rows();
const total = async () => {
  const r = await office.get(`/api/v1/orgs/${rootId}/members?subtree=1&inactive=1&per_page=1`);
  assert.equal(r.status, 200, r.text);
  return r.json.paging.total;
};

test('the database starts without members', async () => {
  assert.equal(branches.length, 2);
  assert.equal(num('SELECT count(*) FROM member'), 0);
  assert.equal(await total(), 0);
});

test('a bad first roll is refused with each problem at its row, and leaves nothing', async () => {
  const bad = lines.slice();
  bad[1500] = bad[1500].replace(/^"首册1500","\d+X?"/, `"首册1500",${cell(lines[10].split(',')[1].replace(/"/g, ''))}`);
  bad[2500] = bad[2500].replace('2010-07-01', '2010-13-01');
  const c = cliDb(db, ['import', '--org', String(rootId), scratchFile('first-bad.csv', HEAD + bad.join('\n') + '\n')]);
  assert.equal(c.status, 3, c.stdout + c.stderr);
  assert.match(c.stdout, /第 1502 行「身份证号」：身份证号与第 12 行重复/);
  assert.match(c.stdout, /第 2502 行「入党时间」/);
  assert.match(c.stdout, /共 3000 行，2 行有错误，共 2 处；未导入任何数据/);
  assert.equal(num('SELECT count(*) FROM member'), 0);
  assert.equal(await total(), 0);
  assert.equal(num(`SELECT members_active FROM org_tally WHERE org_id = ${rootId}`), 0);
});

test('a good first roll is imported once, with the tallies of every organisation on the way up', async () => {
  const c = cliDb(db, ['import', '--org', String(rootId), scratchFile('first-ok.csv', HEAD + lines.join('\n') + '\n')]);
  assert.equal(c.status, 0, c.stdout + c.stderr);
  assert.match(c.stdout, new RegExp(`已导入 ${N} 名党员`));
  assert.equal(await total(), N, 'the running server reads the new roll');
  const byName = (await office.get(`/api/v1/orgs/${branches[1].id}/members?q=${encodeURIComponent('首册2999')}`)).json.members;
  assert.equal(byName.length, 1);
  // each organisation's tally against the members under it, counted from the rows themselves
  const wrong = num(`SELECT count(*) FROM org o JOIN org_tally t ON t.org_id = o.id WHERE
    t.members_active <> (SELECT count(*) FROM member m JOIN org x ON x.id = m.org_id WHERE m.active = 1 AND substr(x.path, 1, length(o.path)) = o.path)
    OR t.members_full <> (SELECT count(*) FROM member m JOIN org x ON x.id = m.org_id WHERE m.active = 1 AND m.status = 'full' AND substr(x.path, 1, length(o.path)) = o.path)`);
  assert.equal(wrong, 0);
  assert.equal(num(`SELECT members_active FROM org_tally WHERE org_id = ${rootId}`), N);
  assert.equal(num(`SELECT members_full FROM org_tally WHERE org_id = ${branches[0].id}`), N / 2 - N / 6);
});

test('after the first roll a 身份证号 on it is refused by the form, an upload and the command line, at its row', async () => {
  const taken = lines[7].split(',')[1].replace(/"/g, '');
  expectError(await office.post(`/api/v1/orgs/${branches[0].id}/members`, { name: '再录一次', idcard: taken, joined_date: '2010-07-01' }),
    409, 'duplicate_member', 'idcard');
  const up = await office.req('POST', `/api/v1/orgs/${rootId}/import`, { body: fileForm(HEAD + lines.slice(5, 9).join('\n') + '\n') });
  assert.equal(up.status, 422, up.text);
  const errs = up.json.report.errors;
  for (const row of [2, 3, 4, 5]) assert.ok(errs.some((x) => x.row === row && x.column === '身份证号' && /已在党员名册中/.test(x.reason)), up.text);
  const c = cliDb(db, ['import', '--org', String(rootId), scratchFile('first-again.csv', HEAD + lines.slice(0, 3).join('\n') + '\n')]);
  assert.equal(c.status, 3, c.stdout + c.stderr);
  for (const row of [2, 3, 4]) assert.match(c.stdout, new RegExp(`第 ${row} 行「身份证号」.*已在党员名册中`));
  assert.equal(await total(), N);
});
