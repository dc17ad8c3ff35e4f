// attendance.test.mjs: attendance rates on pages, on this file's own demo database: the member's own
// 我的组织生活 (/me/meetings) and the member's page show the year's rate and meetings with the
// member's state at each (出席, 请假, 缺席, 扫码签到); the secretary's /orgs/:id/attendance lists
// the subtree's members lowest rate first under the organisation's own rate, paged and as XLSX.
// One definition everywhere: present ÷ expected over held meetings, leave counted as expected.
// Played as a careless user or an attacker: a member moved to another branch mid-year, a member
// with nothing expected (rate "—", never 0% or NaN), a year without meetings, a secretary of
// another branch, a member asking for the branch list, malformed years, pages and formats.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, expectError, daysFromToday, sqlOn, newIdcard, unzip, expectOk as ok } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const [office, town, secretary, member, secretary2] = await Promise.all(
  ['office', 'town', 'secretary', 'member', 'secretary2'].map((u) => loginAs(srv.base, u)));
const townId = town.user.roles[0].org_id;
const branch = secretary.user.roles[0].org_id;
const branchB = secretary2.user.roles[0].org_id;
const today = daysFromToday(0);
const year = Number(today.slice(0, 4));
const sql = (q) => sqlOn(srv.db, q);
const mid = member.user.member_id;

/** Every row of the branch list of org for year, all pages of size per. */
async function allRates(c, org, per = 500, y = year) {
  const rows = [];
  for (let page = 1; ; page++) {
    const r = await ok(await c.get(`/api/v1/orgs/${org}/attendance?year=${y}&per_page=${per}&page=${page}`));
    rows.push(...r.members);
    if (!r.paging.next) return { rows, last: r };
  }
}
/** The member's figures as the older API gives them. */
const apiRate = async (c, id, y = year) => (await ok(await c.get(`/api/v1/members/${id}/attendance?year=${y}`))).my_attendance;
/** The member's figures straight from the tables (held meetings of the year, leave counted as expected). */
function sqlRate(id, y = year) {
  const [e, p, l] = sql(`SELECT count(*), coalesce(sum(CASE WHEN a.state = 'present' THEN 1 ELSE 0 END), 0), coalesce(sum(CASE WHEN a.state = 'leave' THEN 1 ELSE 0 END), 0)
    FROM meeting_attendee a JOIN meeting m ON m.id = a.meeting_id WHERE a.member_id = ${id} AND m.status = 'held' AND m.held_on BETWEEN '${y}-01-01' AND '${y}-12-31'`).split('|').map(Number);
  return { expected: e, present: p, leave: l };
}
const permille = (x) => (x.expected ? Math.floor((x.present * 1000) / x.expected) : null);
const same = (a, b, what) => assert.deepEqual([a.expected, a.present, a.leave, a.rate, a.rate_text], [b.expected, b.present, b.leave, b.rate, b.rate_text], what);

test('the member\'s 我的组织生活: the meeting signed in by QR shows as 扫码签到, leave as 请假, absence as 缺席; the rate is the API\'s', async () => {
  const mk = async (title) => (await ok(await secretary.post(`/api/v1/orgs/${branch}/meetings`, { kind: 'theme_day', title, held_on: today }), 201)).meeting;
  const [q, l, a, planned] = [await mk('扫码签到的主题党日'), await mk('请假的主题党日'), await mk('缺席的主题党日'), await mk('还没召开的主题党日')];
  const code = (await ok(await secretary.post(`/api/v1/meetings/${q.id}/signin-code`, {}), 201)).token;
  assert.equal((await ok(await member.post(`/api/v1/signin/${code}`, {}))).signed, true);
  await ok(await secretary.post(`/api/v1/meetings/${l.id}/attendance`, { member_id: String(mid), state: 'leave', reason: '外出培训' }));
  await ok(await secretary.post(`/api/v1/meetings/${a.id}/attendance`, { member_id: String(mid), state: 'absent' }));
  for (const m of [q, l, a]) await ok(await secretary.post(`/api/v1/meetings/${m.id}/hold`, {}));
  const mine = (await ok(await member.get('/api/v1/me/meetings'))).attendance;
  const by = (id) => mine.meetings.find((x) => x.id === id);
  assert.deepEqual([by(q.id).state, by(q.id).how, by(q.id).state_label], ['present', 'qr', '扫码签到']);
  assert.deepEqual([by(l.id).state_label, by(l.id).leave_reason], ['请假', '外出培训']);
  assert.equal(by(a.id).state_label, '缺席');
  assert.equal(by(planned.id).state_label, '待召开', 'a planned meeting is listed but not counted');
  // one figure: this page, the older API, the tables, the secretary's list
  const api = await apiRate(member, mid);
  same(mine, api, 'the page and the API agree');
  assert.deepEqual([mine.expected, mine.present, mine.leave], Object.values(sqlRate(mid)));
  assert.equal(mine.rate, permille(mine) / 10);
  assert.equal(mine.rate_text, `${(permille(mine) / 10).toFixed(1)}%`);
  assert.equal(mine.expected - mine.present - mine.leave - mine.absent, mine.unmarked);
  const row = (await allRates(secretary, branch)).rows.find((x) => x.member_id === mid);
  same(row, api, 'the secretary\'s list agrees');
  same((await ok(await secretary.get(`/api/v1/members/${mid}`))).attendance, api, 'the member page (staff) agrees');
  // the HTML page
  const page = await member.get('/me/meetings');
  assert.equal(page.status, 200);
  assert.match(page.text, /我的组织生活/);
  assert.match(page.text, /扫码签到/);
  assert.ok(page.text.includes(mine.rate_text));
  assert.match((await member.get('/desk')).text, /href="\/me\/meetings"/, 'the menu links to it');
  assert.doesNotMatch(page.text, /NaN|undefined/);
});

test('the branch list: lowest rate first, nothing expected last, paged the same as whole; the organisation\'s rate on top is the roll-up', async () => {
  const { rows, last } = await allRates(secretary, branch);
  const total = Number(sql(`SELECT count(*) FROM member p JOIN org o ON o.id = p.org_id WHERE p.active = 1 AND o.path LIKE (SELECT path FROM org WHERE id = ${branch}) || '%'`));
  assert.equal(rows.length, total);
  assert.equal(last.paging.total, total);
  const keys = rows.map((r) => (r.expected ? permille(r) : Infinity));
  assert.deepEqual(keys, [...keys].sort((x, y) => x - y), 'lowest first, members with nothing expected last');
  for (const r of rows.slice(0, 4)) same(r, await apiRate(secretary, r.member_id), `member ${r.member_id}`);
  for (const r of rows) assert.deepEqual([r.expected, r.present, r.leave], Object.values(sqlRate(r.member_id)), `member ${r.member_id}`);
  const paged = (await allRates(secretary, branch, 2)).rows;
  assert.deepEqual(paged.map((r) => r.member_id), rows.map((r) => r.member_id), 'pages of two give the same list');
  // the organisation's own rate: the quarter roll-ups of its subtree, as the meetings page shows it
  const top = last.attendance;
  const q = `SELECT count(*) FROM meeting_attendee a JOIN meeting m ON m.id = a.meeting_id JOIN org o ON o.id = m.org_id
    WHERE m.status = 'held' AND m.held_on BETWEEN '${year}-01-01' AND '${year}-12-31' AND o.path LIKE (SELECT path FROM org WHERE id = ${branch}) || '%'`;
  assert.deepEqual([top.expected, top.present], [Number(sql(q)), Number(sql(q + " AND a.state = 'present'"))]);
  assert.deepEqual(top, (await ok(await secretary.get(`/api/v1/orgs/${branch}/meetings?year=${year}`))).attendance);
  // the town office sees the branch and its own subtree (both branches' members)
  const townRows = (await allRates(town, townId)).rows;
  assert.ok(townRows.some((r) => r.member_id === mid));
  const html = await secretary.get(`/orgs/${branch}/attendance?per_page=2`);
  assert.equal(html.status, 200);
  assert.match(html.text, /id="org-attendance"/);
  assert.match(html.text, /下一页/);
});

test('a member with nothing expected and a year without meetings: rate "—" (null), never 0% or NaN', async () => {
  const created = (await ok(await secretary.post(`/api/v1/orgs/${branch}/members`, { name: '新转入党员甲', idcard: newIdcard('19900101'), joined_date: '2010-07-01' }), 201));
  const nid = (created.member || created).id;
  const mine = await apiRate(secretary, nid);
  assert.deepEqual([mine.expected, mine.rate, mine.rate_text], [0, null, '—']);
  const rows = (await allRates(secretary, branch)).rows;
  assert.equal(rows.at(-1).expected, 0, 'members with nothing expected come last');
  const row = rows.find((r) => r.member_id === nid);
  assert.deepEqual([row.rate, row.rate_text], [null, '—']);
  const page = await secretary.get(`/members/${nid}`);
  assert.match(page.text, /出席率 <strong>—<\/strong>/);
  // a year long before any meeting: every rate and the organisation's are "—"
  const empty = await ok(await secretary.get(`/api/v1/orgs/${branch}/attendance?year=2001`));
  assert.deepEqual([empty.attendance.expected, empty.attendance.rate, empty.attendance.rate_text], [0, null, '—']);
  assert.ok(empty.members.length > 0 && empty.members.every((r) => r.rate === null && r.rate_text === '—' && r.expected === 0));
  const mineEmpty = (await ok(await member.get('/api/v1/me/meetings?year=2001'))).attendance;
  assert.deepEqual([mineEmpty.expected, mineEmpty.rate, mineEmpty.meetings.length], [0, null, 0]);
  for (const [c, p] of [[secretary, `/orgs/${branch}/attendance?year=2001`], [member, '/me/meetings?year=2001']]) {
    const h = await c.get(p);
    assert.equal(h.status, 200);
    assert.doesNotMatch(h.text, /NaN|0\.0%|>0%/);
    assert.match(h.text, /—/);
  }
});

test('a member moved to another branch mid-year keeps the year\'s record: listed at the new branch with the same figures, gone from the old', async () => {
  const before = (await allRates(secretary, branch)).rows;
  const moved = before.find((r) => r.member_id !== mid && r.expected > 0);
  assert.ok(moved, 'the demo gives the branch members with meetings this year');
  const api0 = await apiRate(secretary, moved.member_id);
  await ok(await office.patch(`/api/v1/members/${moved.member_id}`, { org_id: branchB }));
  const after = (await allRates(secretary, branch)).rows;
  assert.ok(!after.some((r) => r.member_id === moved.member_id), 'no longer on the old branch\'s list');
  assert.equal(after.length, before.length - 1);
  const there = (await allRates(secretary2, branchB)).rows.find((r) => r.member_id === moved.member_id);
  assert.ok(there, 'listed at the new branch');
  same(there, api0, 'the same figures after the move');
  same(await apiRate(secretary2, moved.member_id), api0);
  // the old branch's secretary no longer reaches the member
  expectError(await secretary.get(`/api/v1/members/${moved.member_id}/attendance`), 404, 'not_found');
  const page = await secretary2.get(`/members/${moved.member_id}`);
  assert.ok(page.text.includes(api0.rate_text));
});

test('who may see: the branch list for staff of the subtree only; 我的组织生活 for members; a member sees no one else\'s attendance', async () => {
  expectError(await secretary2.get(`/api/v1/orgs/${branch}/attendance`), 404, 'not_found');
  assert.equal((await secretary2.get(`/orgs/${branch}/attendance?format=xlsx`)).status, 404);
  expectError(await member.get(`/api/v1/orgs/${branch}/attendance`), 403, 'forbidden');
  expectError(await secretary.get(`/api/v1/orgs/${townId}/attendance`), 404, 'not_found');
  expectError(await office.get('/api/v1/me/meetings'), 403, 'forbidden');
  assert.equal((await office.get(`/api/v1/orgs/${branch}/attendance`)).status, 200);
  // a member looking at another member's page sees no attendance block
  const other = (await allRates(secretary, branch)).rows.find((r) => r.member_id !== mid);
  const r = await member.get(`/api/v1/members/${other.member_id}`);
  if (r.status === 200) assert.equal(r.json.attendance, undefined);
  else expectError(r, 404, 'not_found');
  assert.ok((await ok(await member.get(`/api/v1/members/${mid}`))).attendance, 'their own page has it');
});

test('malformed input is refused with the field named', async () => {
  expectError(await secretary.get(`/api/v1/orgs/${branch}/attendance?year=20x6`), 400, 'invalid_year', 'year');
  expectError(await secretary.get(`/api/v1/orgs/${branch}/attendance?year=1999`), 400, 'invalid_year', 'year');
  expectError(await member.get('/api/v1/me/meetings?year=-1'), 400, 'invalid_year', 'year');
  expectError(await secretary.get(`/api/v1/members/${mid}?year=abc`), 400, 'invalid_year', 'year');
  expectError(await secretary.get(`/api/v1/orgs/${branch}/attendance?per_page=0`), 400, 'invalid_query', 'per_page');
  expectError(await secretary.get(`/api/v1/orgs/${branch}/attendance?page=x`), 400, 'invalid_query', 'page');
  expectError(await secretary.get(`/api/v1/orgs/${branch}/attendance?format=pdf`), 400, 'invalid_format', 'format');
  expectError(await secretary.get('/api/v1/orgs/99999999/attendance'), 404, 'not_found');
});

test('the XLSX export: every member in the page\'s order, "—" where nothing was expected, audited', async () => {
  const { rows } = await allRates(secretary, branch);
  const a0 = Number(sql("SELECT count(*) FROM audit_log WHERE action = 'export'"));
  const x = await secretary.get(`/orgs/${branch}/attendance?format=xlsx`);
  assert.equal(x.status, 200);
  assert.match(x.headers.get('content-type'), /spreadsheetml/);
  const z = unzip(x.buf);
  const sheet = z['xl/worksheets/sheet1.xml'].toString('utf8');
  const strings = z['xl/sharedStrings.xml'] ? z['xl/sharedStrings.xml'].toString() : sheet;
  assert.equal((sheet.match(/<row /g) || []).length, rows.length + 1, 'a head row and one row a member');
  for (const r of rows) assert.ok(strings.includes(`>${r.name}<`), `${r.name} is in the file`);
  assert.ok(strings.includes('—'), 'nothing expected is written as —');
  assert.equal(Number(sql("SELECT count(*) FROM audit_log WHERE action = 'export'")), a0 + 1);
  assert.doesNotMatch(strings, /\d{6}\*{8}|\d{17}[\dX]/, 'no 身份证号');
});
