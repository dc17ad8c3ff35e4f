// roster.test.mjs: roster export (XLSX, CSV), the import template, and import: CSV in UTF-8 and
// GB18030, XLSX, dry runs, and files with errors, which must be reported row by row and import
// nothing. Runs on its own demo database.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServerOn, loginAs, expectError, newIdcard, maskIdcard, unzip, xlsxFromRows, fileForm } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const office = await loginAs(srv.base, 'office');
const town = await loginAs(srv.base, 'town');
const sec = await loginAs(srv.base, 'secretary');
const townId = town.user.roles[0].org_id;
const branchId = sec.user.roles[0].org_id;
const townOrg = (await office.get(`/api/v1/orgs/${townId}`)).json;
const branchName = townOrg.children.find((c) => c.id === branchId).name;
const otherBranch = townOrg.children.find((c) => c.id !== branchId && c.type === 'branch');
const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const HEADER = '姓名,性别,民族,出生日期,身份证号,联系电话,入党时间,转正时间,学历,工作岗位,岗位职责,党员状态,所在党组织';

/** RFC 4180 rows of a CSV text. */
function parseCsv(text) {
  const rows = [];
  let row = [], f = '', q = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (q) {
      if (ch === '"' && text[i + 1] === '"') { f += '"'; i++; } else if (ch === '"') q = false; else f += ch;
    } else if (ch === '"') q = true;
    else if (ch === ',') { row.push(f); f = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(f); rows.push(row); row = []; f = '';
    } else f += ch;
  }
  if (f || row.length) { row.push(f); rows.push(row); }
  return rows;
}
async function total(org, q = '', c = office) {
  const r = await c.get(`/api/v1/orgs/${org}/members?subtree=1&per_page=1${q ? '&q=' + encodeURIComponent(q) : ''}`);
  assert.equal(r.status, 200, r.text);
  return r.json.paging.total;
}
async function findByName(org, name) {
  const r = await office.get(`/api/v1/orgs/${org}/members?subtree=1&q=${encodeURIComponent(name)}`);
  return r.json.members;
}
const importAs = (c, org, body, query = '') => c.req('POST', `/api/v1/orgs/${org}/import${query}`, { body });
/** Two members of the branch with their full ids (revealed by the office). */
const known = [];
for (const m of (await office.get(`/api/v1/orgs/${branchId}/members?per_page=2`)).json.members) {
  const full = (await office.post(`/api/v1/members/${m.id}/reveal`)).json.full;
  known.push({ ...m, full: full.idcard, fullPhone: full.phone });
}

test('CSV export: BOM, the template\'s header, one row per member, ids and phones masked only', async () => {
  const r = await sec.get(`/api/v1/orgs/${branchId}/export?format=csv`);
  assert.equal(r.status, 200, r.text.slice(0, 300));
  assert.match(r.headers.get('content-type'), /^text\/csv; charset=utf-8/);
  const cd = r.headers.get('content-disposition');
  assert.match(cd, /^attachment;/);
  assert.equal(decodeURIComponent(cd.split("UTF-8''")[1]), `${branchName}-党员名册.csv`);
  assert.deepEqual([...r.buf.subarray(0, 3)], [0xEF, 0xBB, 0xBF]);
  const rows = parseCsv(r.buf.subarray(3).toString('utf8'));
  assert.equal(rows[0].join(','), HEADER);
  assert.equal(rows.length - 1, await total(branchId));
  const idc = rows[0].indexOf('身份证号'), ph = rows[0].indexOf('联系电话');
  for (const row of rows.slice(1)) {
    assert.equal(row.length, 13);
    assert.match(row[idc], /^\d{6}\*{8}\d{3}[\dX]$/);
    assert.ok(row[ph] === '' || /\*/.test(row[ph]), row[ph]);
    assert.equal(row[12], branchName);
  }
  for (const k of known) {
    assert.ok(rows.some((row) => row[0] === k.name && row[idc] === maskIdcard(k.full)));
    assert.ok(!r.buf.includes(k.full), 'full id in the export');
    assert.ok(!k.fullPhone || !r.buf.includes(k.fullPhone), 'full phone in the export');
  }
  // subtree=1 is the default; subtree=0 is the org's own members only
  const t = await town.get(`/api/v1/orgs/${townId}/export?format=csv`);
  assert.equal(parseCsv(t.buf.subarray(3).toString('utf8')).length - 1, await total(townId));
  const t0 = await town.get(`/api/v1/orgs/${townId}/export?format=csv&subtree=0`);
  assert.equal(parseCsv(t0.buf.subarray(3).toString('utf8')).length - 1,
    (await office.get(`/api/v1/orgs/${townId}/members?per_page=1`)).json.paging.total);
  expectError(await town.get(`/api/v1/orgs/${townId}/export?format=pdf`), 400, 'invalid_format', 'format');
  expectError(await town.get(`/api/v1/orgs/${townId}/export?format=csv&subtree=2`), 400, 'invalid_query', 'subtree');
  // exports of personal data are audited
  const a = (await office.get(`/api/v1/orgs/${branchId}/audit`)).json.records;
  assert.ok(a.some((x) => x.action === 'export' && x.actor === 'secretary' && x.entity_id === branchId));
});

test('XLSX export: a real workbook with masked ids only', async () => {
  const r = await sec.get(`/api/v1/orgs/${branchId}/export?format=xlsx`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), XLSX_MIME);
  assert.equal(decodeURIComponent(r.headers.get('content-disposition').split("UTF-8''")[1]), `${branchName}-党员名册.xlsx`);
  assert.equal(r.buf.subarray(0, 4).toString('latin1'), 'PK\x03\x04');
  const files = unzip(r.buf);
  const xml = Object.entries(files).filter(([n]) => n.startsWith('xl/')).map(([, b]) => b.toString('utf8')).join('\n');
  assert.ok(xml.includes('身份证号') && xml.includes('所在党组织'));
  for (const k of known) {
    assert.ok(xml.includes(maskIdcard(k.full)), 'masked id in the workbook');
    assert.ok(!xml.includes(k.full) && !r.buf.includes(k.full), 'full id in the workbook');
  }
  // default format is xlsx
  const d = await sec.get(`/api/v1/orgs/${branchId}/export`);
  assert.equal(d.headers.get('content-type'), XLSX_MIME);
});

test('the import template downloads as CSV and XLSX for any role', async () => {
  const member = await loginAs(srv.base, 'member');
  const c = await member.get('/api/v1/roster-template?format=csv');
  assert.equal(c.status, 200);
  assert.match(c.headers.get('content-type'), /^text\/csv/);
  assert.equal(c.buf.toString('utf8'), '\uFEFF' + HEADER + '\r\n');
  const x = await member.get('/api/v1/roster-template');
  assert.equal(x.headers.get('content-type'), XLSX_MIME);
  assert.equal(decodeURIComponent(x.headers.get('content-disposition').split("UTF-8''")[1]), '党员名册导入模板.xlsx');
  const wb = unzip(x.buf)['xl/workbook.xml'].toString('utf8');
  assert.ok(wb.includes('党员名册') && wb.includes('填写说明'));
  expectError(await member.get('/api/v1/roster-template?format=doc'), 400, 'invalid_format', 'format');
});

test('a good UTF-8 CSV imports every row, into the named orgs; a dry run first imports nothing', async () => {
  const ids = [newIdcard('19800101', true), newIdcard('19810202'), newIdcard('19820303')];
  const csv = '\uFEFF姓名,身份证号,联系电话,入党时间,转正时间,党员状态,所在党组织,备注\r\n' +
    `导入甲,${ids[0]},13700001111,2005-07-01,2006-07-01,正式党员,${branchName},忽略\r\n` +
    `导入乙,${ids[1]},,2020/3/5,,预备党员,,\r\n` +
    `导入丙,${ids[2].toLowerCase()},,2004年7月1日,,,${otherBranch.name},\r\n`;
  const before = await total(townId);
  const dry = await importAs(town, townId, fileForm(csv, '名册.csv'), '?dry_run=1');
  assert.equal(dry.status, 200, dry.text);
  assert.deepEqual(dry.json.report, { rows: 3, header_row: 1, valid_rows: 3, imported: 0, error_count: 0, dry_run: true, ok: true, format: 'csv-utf8', filename: '名册.csv', row_numbers: '行号按表格行号（即 Excel 左侧显示的行号，标题行也计在内）', errors: [] });
  assert.equal(await total(townId), before);
  assert.equal(await total(townId, '导入甲'), 0);

  const r = await importAs(town, townId, fileForm(csv, '名册.csv'));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.report.imported, 3);
  assert.equal(r.json.report.ok, true);
  assert.equal(await total(townId), before + 3);
  const [a] = await findByName(townId, '导入甲');
  assert.deepEqual([a.org_id, a.idcard, a.phone, a.sex, a.birth_year, a.status], [branchId, maskIdcard(ids[0]), '137****1111', '女', 1980, 'full']);
  const [b] = await findByName(townId, '导入乙');
  assert.deepEqual([b.org_id, b.joined_date, b.status], [townId, '2020-03-05', 'probationary']);
  const [c] = await findByName(townId, '导入丙');
  assert.deepEqual([c.org_id, c.joined_date], [otherBranch.id, '2004-07-01']);
  const rec = (await office.get(`/api/v1/orgs/${townId}/audit`)).json.records.find((x) => x.action === 'import');
  assert.ok(rec && rec.actor === 'town' && JSON.parse(rec.after).rows === 3, JSON.stringify(rec));
  // the same file again: every row is now a duplicate of an existing member
  const again = await importAs(town, townId, fileForm(csv));
  assert.equal(again.status, 422);
  assert.deepEqual(again.json.report.errors.map((e) => [e.row, e.code]), [[2, 'duplicate_member'], [3, 'duplicate_member'], [4, 'duplicate_member']]);
  assert.equal(await total(townId), before + 3);
});

test('a file with bad rows is answered 422 with every error by row, column and reason, and imports nothing', async () => {
  const good = newIdcard('19830404');
  const twin = newIdcard('19840505');
  const bad = newIdcard('19850606');
  const badCheck = bad.slice(0, 17) + (bad[17] === '1' ? '2' : '1');
  const rows = [
    `坏甲,${badCheck},2010-07-01,,`, // 2: check digit
    '坏乙,4.40106E+17,2010-07-01,,', // 3: Excel number
    `坏丙,${newIdcard('19860707')},2010-07-01,不存在的党支部,`, // 4: unknown org
    `坏丁,${twin},2010-07-01,,`, // 5: fine by itself
    `坏戊,${twin},2010-07-01,,`, // 6: same id as row 5
    `坏己,${known[0].full},2010-07-01,,`, // 7: already a member
    `坏庚,${newIdcard('19870808')},2023-02-30,,`, // 8: no such date
    `坏辛,${good},2010-07-01,,"第一行\n第二行"`, // 9: fine, a quoted line break (one row in Excel)
    `,${newIdcard('19880909')},2010-07-01,,`, // 10: name missing
  ];
  const csv = '姓名,身份证号,入党时间,所在党组织,岗位职责\n' + rows.join('\n') + '\n';
  const before = await total(townId);
  const r = await importAs(town, townId, fileForm(csv, 'bad.csv'));
  assert.equal(r.status, 422, r.text);
  assert.equal(r.json.error.code, 'import_invalid');
  assert.equal(r.json.error.field, 'file');
  assert.match(r.json.error.message, /未导入任何数据/);
  const rep = r.json.report;
  assert.deepEqual([rep.rows, rep.valid_rows, rep.imported, rep.ok, rep.dry_run], [9, 2, 0, false, false]);
  const got = rep.errors.map((e) => [e.row, e.column, e.code]);
  assert.deepEqual(got, [
    [2, '身份证号', 'invalid_idcard'],
    [3, '身份证号', 'idcard_excel_number'],
    [4, '所在党组织', 'unknown_org'],
    [6, '身份证号', 'duplicate_in_file'],
    [7, '身份证号', 'duplicate_member'],
    [8, '入党时间', 'invalid_date'],
    [10, '姓名', 'required'],
  ]);
  assert.equal(rep.error_count, 7);
  const reason = (row) => rep.errors.find((e) => e.row === row).reason;
  assert.match(reason(2), /校验码错误/);
  assert.match(reason(3), /4\.40106E\+17/);
  assert.match(reason(4), /不存在的党支部/);
  assert.match(reason(6), /第 5 行/);
  // already on the roll: said without naming the member, who may be outside the importer's subtree
  assert.match(reason(7), /已在党员名册中/);
  assert.ok(!reason(7).includes(String(known[0].id)) || !/编号/.test(reason(7)), 'no member id in the reason');
  assert.match(reason(8), /2023年2月没有30日/);
  assert.ok(!r.text.includes(known[0].full), 'the report does not echo a member\'s full id');
  // nothing imported, not even the good rows
  assert.equal(await total(townId), before);
  assert.equal(await total(townId, '坏'), 0);

  // a missing required column is reported against row 1
  const m = await importAs(town, townId, fileForm(`姓名,身份证号\n缺列,${newIdcard()}\n`));
  assert.equal(m.status, 422);
  assert.deepEqual(m.json.report.errors.map((e) => [e.row, e.column, e.code]), [[1, '入党时间', 'missing_column']]);
  assert.equal(await total(townId), before);
});

test('a GB18030 CSV, as Excel in China saves it, imports with the right characters', async () => {
  const names = ['欧阳娜娜', '龚䶮'];
  const csv = `姓名,身份证号,入党时间,所在党组织\r\n${names[0]},${newIdcard('19900101', true)},2012-07-01,${branchName}\r\n` +
    `${names[1]},${newIdcard('19910202')},2013-07-01,${branchName}\r\n`;
  const gb = execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: csv });
  assert.ok(!gb.equals(Buffer.from(csv)), 'iconv re-encoded the file');
  const before = await total(branchId);
  const r = await importAs(sec, branchId, fileForm(gb, 'gb.csv'));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.report.format, 'csv-gb18030');
  assert.equal(r.json.report.imported, 2);
  assert.equal(await total(branchId), before + 2);
  for (const n of names) assert.deepEqual((await findByName(branchId, n)).map((m) => m.name), [n]);
});

test('a zip bomb (.xlsx that inflates far beyond any roster) is refused at once; a real deflated roster imports', async () => {
  const rows = [['姓名', '身份证号', '入党时间'], ['压缩表格', newIdcard('19760606'), '2001-07-01']];
  const bomb = xlsxFromRows(rows, { deflate: true, padding: 80 << 20 }); // 80 MB of spaces (the cap here: 32 MB)
  assert.ok(bomb.length < 1 << 20, `the bomb is small: ${bomb.length} bytes`);
  const before = await total(branchId);
  const t0 = Date.now();
  for (const q of ['?dry_run=1', '']) {
    const r = await importAs(sec, branchId, fileForm(bomb, '名册.xlsx'), q);
    assert.equal(r.status, 422, r.text);
    assert.deepEqual(r.json.report.errors.map((x) => x.code), ['xlsx_too_large']);
    assert.match(r.json.report.errors[0].reason, /解压后超过/);
  }
  assert.ok(Date.now() - t0 < 10000, `refused in ${Date.now() - t0} ms`);
  assert.equal(await total(branchId), before, 'nothing imported');
  const real = await importAs(sec, branchId, fileForm(xlsxFromRows(rows, { deflate: true }), '名册.xlsx'));
  assert.equal(real.status, 200, real.text);
  assert.equal(real.json.report.imported, 1);
});

test('an XLSX file imports; a 身份证号 stored as a number is reported, not guessed', async () => {
  const id = newIdcard('19770303');
  const x = xlsxFromRows([
    ['姓名', '身份证号', '联系电话', '入党时间'],
    ['表格甲', id, 13600001234, '2001-07-01'],
    ['表格乙', newIdcard('19780404', true), '', '2002-07-01'],
  ]);
  const before = await total(branchId);
  const r = await importAs(sec, branchId, fileForm(x, '名册.xlsx'));
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.report.format, r.json.report.imported], ['xlsx', 2]);
  assert.equal(await total(branchId), before + 2);
  const [m] = await findByName(branchId, '表格甲');
  assert.deepEqual([m.idcard, m.phone], [maskIdcard(id), '136****1234']);

  const num = xlsxFromRows([['姓名', '身份证号', '入党时间'], ['表格丙', 440106197905050000, '2003-07-01']]);
  const n = await importAs(sec, branchId, fileForm(num, 'n.xlsx'));
  assert.equal(n.status, 422, n.text);
  assert.deepEqual(n.json.report.errors.map((e) => [e.row, e.column, e.code]), [[2, '身份证号', 'idcard_excel_number']]);
  assert.equal(await total(branchId), before + 2);
});

test('the server\'s own masked export imported back is refused row by row, saying the numbers are masked', async () => {
  const x = await sec.get(`/api/v1/orgs/${branchId}/export?format=xlsx`);
  const before = await total(branchId);
  const r = await importAs(sec, branchId, fileForm(x.buf, 'export.xlsx'));
  assert.equal(r.status, 422, r.text.slice(0, 300));
  const rep = r.json.report;
  assert.equal(rep.format, 'xlsx');
  assert.equal(rep.rows, before);
  assert.equal(rep.valid_rows, 0);
  assert.equal(rep.imported, 0);
  const idRows = rep.errors.filter((e) => e.column === '身份证号' && e.code === 'idcard_masked').map((e) => e.row);
  assert.deepEqual(idRows, Array.from({ length: before }, (_, i) => i + 2));
  // nothing but the masked numbers is wrong with it (the year-only 出生日期 is not an error)
  assert.deepEqual([...new Set(rep.errors.map((e) => e.code))].sort(), ['idcard_masked', 'phone_masked']);
  assert.match(rep.errors[0].reason, /脱敏.*完整导出/);
  assert.equal(await total(branchId), before);
});

test('raw uploads work like multipart; missing files and files over the limit are refused', async () => {
  const csv = `姓名,身份证号,入党时间\n原始上传,${newIdcard('19760606')},2000-07-01\n`;
  const before = await total(branchId);
  let r = await sec.req('POST', `/api/v1/orgs/${branchId}/import`, { body: Buffer.from(csv), headers: { 'Content-Type': 'text/csv' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.report.imported, 1);
  const x = xlsxFromRows([['姓名', '身份证号', '入党时间'], ['原始表格', newIdcard('19750505'), '2000-07-01']]);
  r = await sec.req('POST', `/api/v1/orgs/${branchId}/import?dry_run=1`, { body: x, headers: { 'Content-Type': 'application/octet-stream' } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.report.format, r.json.report.rows, r.json.report.imported], ['xlsx', 1, 0]);
  assert.equal(await total(branchId), before + 1);

  expectError(await sec.req('POST', `/api/v1/orgs/${branchId}/import`), 400, 'file_required', 'file');
  const wrongField = new FormData();
  wrongField.append('roster', new Blob([csv]), 'a.csv');
  expectError(await sec.req('POST', `/api/v1/orgs/${branchId}/import`, { body: wrongField }), 400, 'file_required', 'file');
  // an empty file and a header-only file say so
  r = await importAs(sec, branchId, fileForm('姓名,身份证号,入党时间\n'));
  assert.equal(r.status, 422);
  assert.equal(r.json.report.errors[0].code, 'no_rows');

  // imports may exceed the 1 MiB form limit (64 MiB): a 2 MiB file with a long ignored column
  const big = `姓名,身份证号,入党时间,备注\n大文件,${newIdcard('19740404')},2000-07-01,${'x'.repeat(2 << 20)}\n`;
  r = await importAs(sec, branchId, fileForm(big, 'big.csv'), '?dry_run=1');
  assert.equal(r.status, 200, r.text.slice(0, 300));
  assert.equal(r.json.report.valid_rows, 1);
  // over 64 MiB: 413
  const huge = Buffer.alloc((64 << 20) + 1, 0x41);
  expectError(await sec.req('POST', `/api/v1/orgs/${branchId}/import`, { body: huge, headers: { 'Content-Type': 'text/csv' } }), 413, 'body_too_large');
  assert.equal(await total(branchId), before + 1);
});

test('an import cannot place members outside the importer\'s subtree', async () => {
  const csv = `姓名,身份证号,入党时间,所在党组织\n越界人,${newIdcard('19730303')},2000-07-01,${otherBranch.name}\n`;
  const before = await total(townId);
  const r = await importAs(sec, branchId, fileForm(csv));
  assert.equal(r.status, 422);
  assert.deepEqual(r.json.report.errors.map((e) => [e.row, e.column, e.code]), [[2, '所在党组织', 'unknown_org']]);
  assert.equal(await total(townId), before);
});

test('the same file imported 4 times at once is imported exactly once', async () => {
  const csv = `姓名,身份证号,入党时间\n并发导入甲,${newIdcard('19720202')},2000-07-01\n并发导入乙,${newIdcard('19720303', true)},2000-07-01\n`;
  const before = await total(branchId);
  const rs = await Promise.all(Array.from({ length: 4 }, () => importAs(sec, branchId, fileForm(csv))));
  const desc = rs.map((r) => `${r.status} ${r.text.slice(0, 200)}`).join('\n');
  assert.deepEqual(rs.map((r) => r.status).sort(), [200, 422, 422, 422], desc);
  assert.equal(rs.find((r) => r.status === 200).json.report.imported, 2);
  for (const r of rs.filter((x) => x.status === 422)) {
    assert.equal(r.json.report.imported, 0);
    assert.deepEqual(r.json.report.errors.map((e) => [e.row, e.code]), [[2, 'duplicate_member'], [3, 'duplicate_member']], desc);
  }
  assert.equal(await total(branchId), before + 2);
  assert.equal(await total(branchId, '并发导入'), 2);
});

test('the audit chain verifies after all of this file\'s changes', () => {
  const r = srv.cli(['audit', 'verify']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
