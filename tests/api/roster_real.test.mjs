// roster_real.test.mjs: rosters as branches actually keep them (issue 14 §1), not the import
// template: a merged title row and blank rows above the header, the headers offices write
// (公民身份号码, 手机号码, 入党日期, 所在支部 …), a 序号 column, 汉 for 汉族, full-width digits and
// letters, dates as 2008.7.1 / 2009年7月1日 / an Excel serial, notes under the table; GBK CSV
// from Excel on Windows; row numbers as the sheet shows them on every path (API, page, CLI);
// and a full export that imports into a fresh database as the same members. Runs on its own
// demo database.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServerOn, loginAs, newIdcard, maskIdcard, xlsxFromRows, fileForm, freshDb, cliDb, sqlOn, scratchFile, unzip } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const office = await loginAs(srv.base, 'office');
const sec = await loginAs(srv.base, 'secretary');
const branchId = sec.user.roles[0].org_id;
const branch = (await office.get(`/api/v1/orgs/${branchId}`)).json.org;
const ROW_NOTE = /按表格行号/;

async function total(org, q = '') {
  const r = await office.get(`/api/v1/orgs/${org}/members?subtree=1&per_page=1${q ? '&q=' + encodeURIComponent(q) : ''}`);
  assert.equal(r.status, 200, r.text);
  return r.json.paging.total;
}
async function member(name) {
  const r = await office.get(`/api/v1/orgs/${branchId}/members?subtree=1&q=${encodeURIComponent(name)}`);
  assert.equal(r.json.members.length, 1, `${name}: ${r.text.slice(0, 300)}`);
  return (await office.get(`/api/v1/members/${r.json.members[0].id}`)).json;
}
const importAs = (c, org, body, query = '') => c.req('POST', `/api/v1/orgs/${org}/import${query}`, { body });
/** Full-width form of ASCII digits and letters, as an IME in full-width mode types them. */
const wide = (s) => s.replace(/[0-9A-Za-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xFEE0));

test('a branch\'s own XLSX roster (merged title, blank row, synonyms, 序号, full-width, 汉, date forms, notes) imports as it is', async () => {
  const [a, b, c] = [newIdcard('19850315'), newIdcard('19900101', true), newIdcard('19950505')];
  const rows = [
    [`${branch.name}党员花名册（2026年）`], // 1: a title merged across the table
    [], // 2: blank
    [`填报单位：${branch.name}`, null, null, null, null, null, '填报日期：2026.1.5'], // 3: more title
    ['序号', '姓  名', '性别', '民族', '出生年月', '公民身份号码', '手机号码', '入党日期', '转正日期', '党员类别', '所在支部', '备注'], // 4
    [1, '实表甲', '男', '汉', '1985.03', a, '１３８\u3000００１３\u3000８０００', '2008.7.1', '2009年7月1日', '正式党员', branch.name, ''],
    [2, '实表乙', '女', '回', '1990年1月', b, '13900139000', 39630, 40000, '', branch.name, '2008-07-01 的 Excel 序号'],
    [3, wide('LI Ming'), '男', '汉族', { v: 34820, fmt: 'yyyy.mm' }, wide(c), '', '２０１５／３／１', '', '预备', '', '全角'], // 出生年月 formatted as a month: 1995-05
    [4], // 8: a pre-numbered empty row
    ['序号', '姓名', '性别', '民族', '出生年月', '身份证号码', '手机号码', '入党日期'], // 9: the header again, as a second printed page repeats it
    [], // 10: blank
    ['填表人：王五', null, null, '审核人：赵六'], // 11
    ['注：1. 本表由支部组织委员填写；2. 身份证号须为18位。'], // 12: merged
    ['3. 如有变动请及时报送。'], // 13: the notes go on
  ];
  const x = xlsxFromRows(rows, { merges: ['A1:L1', 'A12:L12'] });
  const before = await total(branchId);
  const dry = await importAs(sec, branchId, fileForm(x, '花名册.xlsx'), '?dry_run=1');
  assert.equal(dry.status, 200, dry.text);
  assert.deepEqual([dry.json.report.rows, dry.json.report.header_row, dry.json.report.valid_rows], [3, 4, 3]);
  const r = await importAs(sec, branchId, fileForm(x, '花名册.xlsx'));
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.report.ok, r.json.report.imported, r.json.report.header_row], [true, 3, 4]);
  assert.equal(await total(branchId), before + 3);
  const ma = (await member('实表甲')).member;
  assert.deepEqual([ma.ethnicity, ma.sex, ma.idcard, ma.phone, ma.joined_date, ma.full_date, ma.status],
    ['汉族', '男', maskIdcard(a), '138****8000', '2008-07-01', '2009-07-01', 'full']);
  const mb = (await member('实表乙')).member;
  assert.deepEqual([mb.ethnicity, mb.sex, mb.joined_date, mb.full_date], ['回族', '女', '2008-07-01', '2009-07-06']);
  const mc = (await member('LI Ming')).member;
  assert.deepEqual([mc.name, mc.idcard, mc.joined_date, mc.status, mc.org_id], ['LI Ming', maskIdcard(c), '2015-03-01', 'probationary', branchId]);
});

test('row numbers are the sheet\'s (title rows counted), and the API, the page and the CLI say so', async () => {
  const good = newIdcard('19800808');
  const bad = newIdcard('19810909');
  // row 4 has a cell with a line break in it: one row in Excel, two lines in the file
  const csv = `${branch.name}党员名册\r\n\r\n序号,姓名,身份证号码,入党时间,岗位职责\r\n1,行号甲,${good},2005-07-01,"宣传\r\n组织"\r\n` +
    `2,行号乙,${bad.slice(0, 17)},2005-07-01\r\n3,行号丙,${newIdcard('19820101')},2005-02-30\r\n`;
  const before = await total(branchId);
  // API
  const r = await importAs(sec, branchId, fileForm(csv, '行号.csv'));
  assert.equal(r.status, 422, r.text);
  assert.equal(r.json.report.header_row, 3);
  assert.match(r.json.report.row_numbers, ROW_NOTE);
  assert.deepEqual(r.json.report.errors.map((e) => [e.row, e.column, e.code]), [[5, '身份证号', 'invalid_idcard'], [6, '入党时间', 'invalid_date']]);
  // the page
  const fd = fileForm(csv, '行号.csv');
  fd.append('_csrf', sec.csrf);
  const page = await sec.req('POST', `/orgs/${branchId}/import`, { body: fd });
  assert.equal(page.status, 422, page.text.slice(0, 300));
  assert.match(page.headers.get('content-type'), /^text\/html/);
  assert.match(page.text, ROW_NOTE);
  assert.match(page.text, /第 5 行<\/td><td[^>]*>身份证号/);
  assert.match(page.text, /第 6 行<\/td><td[^>]*>入党时间/);
  // the CLI
  const f = scratchFile('行号.csv', csv);
  const c = srv.cli(['import', '--org', String(branchId), f]);
  assert.equal(c.status, 3, c.stdout + c.stderr);
  assert.match(c.stdout, ROW_NOTE);
  assert.match(c.stdout, /第 5 行「身份证号」/);
  assert.match(c.stdout, /第 6 行「入党时间」/);
  assert.equal(await total(branchId), before, 'nothing imported');

  // a missing column is reported against the header row as found, and a member below the notes is not dropped
  const m = await importAs(sec, branchId, fileForm(`花名册\n\n姓名,身份证号\n缺列,${newIdcard()}\n`));
  assert.deepEqual(m.json.report.errors.map((e) => [e.row, e.column, e.code]), [[3, '入党时间', 'missing_column']]);
  assert.match(m.json.report.errors[0].reason, /列标题在第 3 行/);
  const none = await importAs(sec, branchId, fileForm(`花名册\n张三,${newIdcard()},2001-07-01\n`));
  assert.deepEqual(none.json.report.errors.map((e) => e.code), ['missing_column', 'missing_column', 'missing_column']);
  assert.match(none.json.report.errors[0].reason, /前 10 行中没有列标题行/);
  const below = await importAs(sec, branchId, fileForm(`姓名,身份证号,入党时间\n说明前,${newIdcard('19830303')},2005-07-01\n` +
    `填表人：王五\n说明后,${newIdcard('19840404')},2005-07-01\n`));
  assert.equal(below.status, 422, below.text);
  assert.deepEqual(below.json.report.errors.map((e) => [e.row, e.code]), [[4, 'row_after_notes']]);
  assert.match(below.json.report.errors[0].reason, /表尾说明（第 3 行）之后/);
  assert.equal(await total(branchId), before);
});

test('a GBK CSV saved by Excel on Windows, with title and notes rows, imports', async () => {
  const ids = [newIdcard('19700101'), newIdcard('19710202', true)];
  const csv = `${branch.name}党员花名册（2026年）,,,,\r\n序号,姓名,公民身份号码,联系电话,入党时间\r\n` +
    `1,欧阳锋,${ids[0]},０３７１－６８８８８８８８,1995年7月1日\r\n` +
    // a two-character name padded to three, a 身份证号 kept as text as some exports write it, a phone with an apostrophe
    `2,龚\u3000\u3000敏,="${ids[1]}",'13900139000,1996/7/1\r\n,,,,\r\n注：以上人员均为正式党员,,,,\r\n`;
  const gbk = execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GBK'], { input: csv });
  assert.ok(!gbk.equals(Buffer.from(csv)), 'iconv re-encoded the file');
  const before = await total(branchId);
  const r = await importAs(sec, branchId, fileForm(gbk, 'gbk.csv'));
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.report.format, r.json.report.imported, r.json.report.header_row], ['csv-gb18030', 2, 2]);
  assert.equal(await total(branchId), before + 2);
  const m = (await member('欧阳锋')).member;
  assert.deepEqual([m.phone.slice(0, 5), m.joined_date], ['0371-', '1995-07-01']);
  const g = (await member('龚敏')).member;
  assert.deepEqual([g.name, g.idcard, g.phone, g.sex], ['龚敏', maskIdcard(ids[1]), '139****9000', '女']);
});

test('a full export imports into a fresh database as the same members; it is audited as a full view; the masked one is refused as masked', async () => {
  const full = await sec.get(`/api/v1/orgs/${branchId}/export?format=xlsx&full=1`);
  assert.equal(full.status, 200, full.text.slice(0, 300));
  assert.match(decodeURIComponent(full.headers.get('content-disposition').split("UTF-8''")[1]), /（完整）\.xlsx$/);
  const xml = Object.entries(unzip(full.buf)).map(([, b]) => b.toString('utf8')).join('\n');
  const someone = (await office.get(`/api/v1/orgs/${branchId}/members?per_page=1`)).json.members[0];
  const revealed = (await office.post(`/api/v1/members/${someone.id}/reveal`)).json.full;
  assert.ok(xml.includes(revealed.idcard), 'the full 身份证号 is in the full export');
  // audited as a view of the full numbers, by whom and how many
  const rec = (await office.get(`/api/v1/orgs/${branchId}/audit`)).json.records.find((x) => x.action === 'reveal' && x.entity === 'org');
  assert.ok(rec && rec.actor === 'secretary' && rec.entity_id === branchId, JSON.stringify(rec));
  assert.deepEqual(JSON.parse(rec.after).fields, ['idcard', 'phone']);
  // a bad flag is refused; a member may not export at all
  assert.equal((await sec.get(`/api/v1/orgs/${branchId}/export?full=yes`)).status, 400);
  const plain = await loginAs(srv.base, 'member');
  assert.equal((await plain.get(`/api/v1/orgs/${branchId}/export?full=1`)).status, 403);

  // into a fresh database with the same organisations: the same members, field for field
  const fresh = freshDb('rt');
  const d = cliDb(fresh, ['demo', '--orgs-only', '--members', '300']);
  assert.equal(d.status, 0, d.stderr);
  const freshBranch = sqlOn(fresh, `SELECT id FROM org WHERE name = '${branch.name}'`);
  assert.match(freshBranch, /^\d+$/);
  const imp = cliDb(fresh, ['import', '--org', freshBranch, scratchFile('full.xlsx', full.buf)]);
  assert.equal(imp.status, 0, imp.stdout + imp.stderr);
  const csvHere = (await sec.get(`/api/v1/orgs/${branchId}/export?format=csv&full=1`)).buf.toString('utf8');
  const out = scratchFile('again.csv', '');
  const exp = cliDb(fresh, ['export', '--org', freshBranch, '--full', '--format', 'csv', '-o', out]);
  assert.equal(exp.status, 0, exp.stderr);
  const csvThere = execFileSync('cat', [out]).toString('utf8');
  const lines = (t) => t.replace(/^\uFEFF/, '').split('\r\n').filter(Boolean);
  assert.equal(lines(csvHere)[0], lines(csvThere)[0]);
  assert.ok(lines(csvHere).length > 3, 'the branch has members');
  assert.deepEqual(lines(csvThere).slice(1).sort(), lines(csvHere).slice(1).sort());
  assert.ok(csvThere.includes(revealed.idcard));

  // the masked export says why it cannot be imported
  const masked = await sec.get(`/api/v1/orgs/${branchId}/export?format=xlsx`);
  const m = await importAs(sec, branchId, fileForm(masked.buf, 'masked.xlsx'), '?dry_run=1');
  assert.equal(m.status, 422);
  assert.ok(m.json.report.errors.length > 0);
  assert.ok(m.json.report.errors.every((e) => ['idcard_masked', 'phone_masked'].includes(e.code)), JSON.stringify(m.json.report.errors.slice(0, 3)));
});

test('the audit chain verifies after all of this file\'s changes', () => {
  const r = srv.cli(['audit', 'verify']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
