// idcard_oracle.test.mjs: the roll's 身份证号 duplicate check must not be an oracle for numbers
// outside the caller's subtree (issue 13). Tried as the attackers of the report: a secretary who
// rebuilds a masked number from the 34 or so candidates that share its mask and birth year, in one
// dry run; and secretary2, who wants to confirm that a number in the other town is on the roll, by
// dry run, import, create or edit (API and page). A match outside the subtree refuses the row with
// no more than "已在其他组织登记，请联系上级组织" (once per file), is audited as a lookup, and is
// rate-limited per user (429 idcard_lookup_limited); a duplicate inside the subtree is still
// reported by row and column. Runs on its own demo database.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, expectError, newIdcard, idcard, maskIdcard, fileForm, PASSWORD } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const office = await loginAs(srv.base, 'office');
const secretary = await loginAs(srv.base, 'secretary');
const secretary2 = await loginAs(srv.base, 'secretary2');
const branchA = secretary.user.roles[0].org_id, branchB = secretary2.user.roles[0].org_id;
const rootId = office.user.roles[0].org_id;
const ELSEWHERE = '已在其他组织登记，请联系上级组织';

// The budget is per user: each way of asking gets its own secretary of secretary2's branch (the
// same rights as secretary2, in the other town).
async function secretaryOfB(name) {
  const r = srv.cli(['user', 'add', name, '--name', `书记${name}`, '--password-file', '-', '--role', 'secretary', '--org', String(branchB)],
    { input: PASSWORD + '\n' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return loginAs(srv.base, name);
}

// The number to find out about: a member of the first town's branch, outside secretary2's subtree.
const victim = (await office.get(`/api/v1/orgs/${branchA}/members?per_page=1`)).json.members[0];
const T = (await office.post(`/api/v1/members/${victim.id}/reveal`)).json.full.idcard;
assert.equal(maskIdcard(T), victim.idcard);
// What an attacker knows (the mask and the birth year) leaves the birth date: every day of that
// year whose check character is the victim's: about 365 / 11 numbers.
function candidates() {
  const out = [];
  for (let day = new Date(Date.UTC(victim.birth_year, 0, 1)); day.getUTCFullYear() === victim.birth_year; day.setUTCDate(day.getUTCDate() + 1)) {
    const ymd = day.toISOString().slice(0, 10).replace(/-/g, '');
    const c = idcard(T.slice(0, 6) + ymd + T.slice(14, 17));
    if (c[17] === T[17]) out.push(c);
  }
  return out;
}
const cands = candidates();
assert.ok(cands.includes(T) && cands.length >= 25, `${cands.length} candidates`);
const csvOf = (ids) => '姓名,身份证号,入党时间\n' + ids.map((id, i) => `候选${i},${id},2024-07-01`).join('\n') + '\n';
const importAs = (c, body, query = '') => c.req('POST', `/api/v1/orgs/${branchB}/import${query}`, { body });
const count = async (org) => (await office.get(`/api/v1/orgs/${org}/members?per_page=1&inactive=1`)).json.paging.total;
const lookups = async (actor) => (await office.get(`/api/v1/orgs/${rootId}/audit`)).json.records
  .filter((x) => x.entity === 'idcard_lookup' && x.actor === actor);
/** The import report with what depends on nothing but the file's rows kept. */
const reportOf = (r) => ({ status: r.status, report: r.json.report, error: r.json.error });
/** Asserts the answer is the 429 of a spent budget, with a Retry-After. */
function expectLimited(r) {
  expectError(r, 429, 'idcard_lookup_limited', 'idcard');
  assert.ok(Number(r.headers.get('retry-after')) > 0, 'Retry-After');
}
/** Nothing in the answer points at the victim: not the number, its birth date, the member or the branch. */
function tellsNothing(r) {
  for (const s of [T, T.slice(6, 14), String(victim.name), victim.org_name].filter(Boolean)) assert.ok(!r.text.includes(s), `answer contains ${s}: ${r.text.slice(0, 300)}`);
}

test('the 34-candidate dry run gives no way to tell which candidate matched', async () => {
  const before = await count(branchB);
  const sec = await secretaryOfB('rebuilder');
  // the candidates in two orders: the victim near the top, then near the bottom
  const order1 = [...cands].sort((a, b) => (a === T) - (b === T) || a.localeCompare(b)).reverse();
  const order2 = [...order1].reverse();
  assert.notEqual(order1.indexOf(T), order2.indexOf(T));
  const r1 = await importAs(sec, fileForm(csvOf(order1), 'c.csv'), '?dry_run=1');
  const r2 = await importAs(sec, fileForm(csvOf(order2), 'c.csv'), '?dry_run=1');
  assert.equal(r1.status, 422, r1.text);
  // one message for the file, at row 0, and no row marked: every row counts as valid by itself
  assert.deepEqual(r1.json.report.errors, [{ row: 0, column: '身份证号', code: 'registered_elsewhere', reason: `文件中有身份证号${ELSEWHERE}` }]);
  assert.deepEqual([r1.json.report.rows, r1.json.report.valid_rows, r1.json.report.error_count], [cands.length, cands.length, 1]);
  // the two answers are the same: nothing depends on where the victim's number stood
  assert.deepEqual(reportOf(r1), reportOf(r2));
  tellsNothing(r1);
  assert.equal(await count(branchB), before);
  // each check is on record as a lookup: who, how many numbers, how many met members outside; no number
  const recs = await lookups('rebuilder');
  assert.equal(recs.length, 2);
  for (const x of recs) {
    assert.deepEqual([x.action, x.entity_id, x.result], ['lookup_file', sec.user.id, 'refused']);
    assert.deepEqual(JSON.parse(x.after), { via: 'dry_run', checked: cands.length, outside: 1 });
    assert.ok(!JSON.stringify(x).includes(T.slice(6, 14)) && !JSON.stringify(x).includes(maskIdcard(T)), JSON.stringify(x));
  }
  // the budget (two such files an hour) is spent: the next file is refused before it is read,
  // whatever it holds; so is a single check
  const fresh = [newIdcard('19800101'), newIdcard('19810101')];
  expectLimited(await importAs(sec, fileForm(csvOf(fresh)), '?dry_run=1'));
  expectLimited(await importAs(sec, fileForm(csvOf([T]))));
  expectLimited(await sec.post(`/api/v1/orgs/${branchB}/members`, { name: '新人', idcard: fresh[0], joined_date: '2010-07-01' }));
  assert.equal(await count(branchB), before);
  assert.equal((await lookups('rebuilder')).length, 2, 'a refused check is no lookup');
});

test('secretary2 cannot confirm a number in another town via dry run, import, create or edit', async () => {
  const before = await count(branchB), victimBefore = (await office.get(`/api/v1/members/${victim.id}`)).json.member;
  const unknown = () => newIdcard('19750505');
  const own = (await office.get(`/api/v1/orgs/${branchB}/members?per_page=1`)).json.members[0];
  const ways = {
    // a file: answered once per file, then the budget of two files an hour is spent
    dryrun: { tries: 2, ask: (c, id) => importAs(c, fileForm(csvOf([unknown(), id, unknown()])), '?dry_run=1'), fileLevel: true },
    import: { tries: 2, ask: (c, id) => importAs(c, fileForm(csvOf([unknown(), id]))), fileLevel: true },
    // a single check: 20 an hour
    create: { tries: 20, ask: (c, id) => c.post(`/api/v1/orgs/${branchB}/members`, { name: '试探', idcard: id, joined_date: '2024-07-01' }) },
    edit: { tries: 20, ask: (c, id) => c.patch(`/api/v1/members/${own.id}`, { idcard: id }) },
    createPage: {
      tries: 20, page: true,
      ask: (c, id) => c.req('POST', `/orgs/${branchB}/members`, { csrf: false, headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: c.csrf, name: '试探', idcard: id, joined_date: '2024-07-01' }).toString() }),
    },
    editPage: {
      tries: 20, page: true,
      ask: (c, id) => c.req('POST', `/members/${own.id}/edit`, { csrf: false, headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: c.csrf, idcard: id }).toString() }),
    },
  };
  for (const [way, w] of Object.entries(ways)) {
    w.c = way === 'dryrun' ? secretary2 : await secretaryOfB(`probe_${way.toLowerCase()}`);
    for (let i = 0; i < w.tries; i++) {
      const r = await w.ask(w.c, T);
      // a form shown again keeps what the secretary typed in its input (they typed it): beyond
      // that one value, the page says nothing about the number
      tellsNothing(w.page ? { text: r.text.replaceAll(`value="${T}"`, 'value=""') } : r);
      if (w.fileLevel) {
        assert.equal(r.status, 422, `${way}: ${r.text.slice(0, 300)}`);
        assert.deepEqual(r.json.report.errors, [{ row: 0, column: '身份证号', code: 'registered_elsewhere', reason: `文件中有身份证号${ELSEWHERE}` }], way);
        assert.equal(r.json.report.imported, 0);
      } else if (w.page) {
        assert.equal(r.status, 409, `${way}: ${r.text.slice(0, 300)}`);
        assert.ok(r.text.includes(`身份证号${ELSEWHERE}`), way);
        assert.ok(!r.text.includes(maskIdcard(T)) && !r.text.includes('已在党员名册中'), `${way}: says no more than the one sentence`);
      } else {
        const e = expectError(r, 409, 'registered_elsewhere', 'idcard');
        assert.equal(e.message, `身份证号${ELSEWHERE}`, way);
      }
    }
    // the budget is spent: the victim's number and a number on no roll get the same answer
    const a = await w.ask(w.c, T), b = await w.ask(w.c, unknown());
    assert.equal(a.status, 429, `${way}: ${a.text.slice(0, 300)}`);
    assert.deepEqual([b.status, b.headers.get('retry-after')], [a.status, a.headers.get('retry-after')], way);
    if (!w.page) {
      expectLimited(a);
      assert.deepEqual(a.json, b.json, way);
    } else assert.ok(a.text.includes('身份证号查重过于频繁') && b.text.includes('身份证号查重过于频繁'), way);
    // every answered check is on record
    const user = w.c.user.username;
    const recs = await lookups(user);
    assert.equal(recs.length, w.tries, way);
    const via = { dryrun: 'dry_run', import: 'import', create: 'create', edit: 'update', createPage: 'create', editPage: 'update' }[way];
    for (const x of recs) assert.deepEqual(JSON.parse(x.after), { via, checked: w.fileLevel ? 3 - (way === 'import') : 1, outside: 1 }, way);
  }
  // nothing was added or changed, in either town
  assert.equal(await count(branchB), before);
  assert.deepEqual((await office.get(`/api/v1/members/${victim.id}`)).json.member, victimBefore);
  assert.equal((await office.get(`/api/v1/members/${own.id}`)).json.member.idcard, own.idcard);
  // an edit that keeps the member's own number looks at nothing outside: it works with the budget spent
  const r = await ways.edit.c.patch(`/api/v1/members/${own.id}`, { post: '会计' });
  assert.equal(r.status, 200, r.text);
});

test('duplicates inside the subtree are still reported by row and column, with where they are', async () => {
  const c = await secretaryOfB('inside_b');
  const own = (await office.get(`/api/v1/orgs/${branchB}/members?per_page=1`)).json.members[0];
  const ownFull = (await office.post(`/api/v1/members/${own.id}/reveal`)).json.full.idcard;
  // row 2 a number of the secretary's own branch, row 3 new, row 4 the number in the other town
  const r = await importAs(c, fileForm(csvOf([ownFull, newIdcard('19760606'), T])), '?dry_run=1');
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.json.report.errors.map((e) => [e.row, e.column, e.code]), [[0, '身份证号', 'registered_elsewhere'], [2, '身份证号', 'duplicate_member']]);
  assert.match(r.json.report.errors[1].reason, new RegExp(`已在党员名册中（${own.org_name}）`));
  assert.equal(r.json.report.valid_rows, 2);
  // a create with a number of the own subtree: 409 duplicate_member, where it is, and no lookup on record
  const e = expectError(await c.post(`/api/v1/orgs/${branchB}/members`, { name: '重复', idcard: ownFull, joined_date: '2010-07-01' }), 409, 'duplicate_member', 'idcard');
  assert.match(e.message, new RegExp(`${maskIdcard(ownFull).replace(/\*/g, '\\*')} 已在党员名册中（${own.org_name}）`));
  assert.equal((await lookups('inside_b')).length, 1, 'only the file that met the other town');
  // the district office sees the whole district: the victim's number is a duplicate by row, not a lookup
  const o = await importAs(office, fileForm(csvOf([newIdcard('19770707'), T])), '?dry_run=1');
  assert.deepEqual(o.json.report.errors.map((x) => [x.row, x.column, x.code]), [[3, '身份证号', 'duplicate_member']]);
  assert.equal((await lookups('office')).length, 0);
});

test('the audit chain verifies after all of this file\'s changes', () => {
  const r = srv.cli(['audit', 'verify']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
