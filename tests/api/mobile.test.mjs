// mobile.test.mjs: members away from their branch (流动党员), issue 22, on this file's own demo
// database, used as a careless user or an attacker would. The branch records a member as away (bad
// places, dates and contact organisations are refused naming the field and change nothing; a second
// open record is refused); the member's branch, the town above and the contact organisation see
// the member in their lists, another town's staff only through being the contact; the member is
// still reviewed (no exclusion is made) and the branch's per-round exclusion "away" still works;
// the return closes the record and keeps it as history.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, demoStaff, expectError, expectOk, sqlOn } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const { town, secretary, member, secretary2, townId, branchA: branch, branchB: branch2 } = await demoStaff(srv.base);
const sql = (q) => sqlOn(srv.db, q);
const ok = async (r, status = 200) => expectOk(r, status);
const count = (t, where = '') => Number(sql(`SELECT count(*) FROM ${t} ${where}`));
const state = () => [count('member_mobile'), count('audit_log'), count('review_exclusion')];
const me = member.user.member_id ?? Number(sql(`SELECT member_id FROM app_user WHERE username = 'member'`));
const other = Number(sql(`SELECT id FROM member WHERE org_id = ${branch} AND active = 1 AND id <> ${me} ORDER BY id LIMIT 1`));
let rec;

test('the branch records a member as away; bad input is refused naming the field and changes nothing', async () => {
  const before = state();
  const bad = [
    [{ contact_org_id: String(branch2) }, 400, 'required', 'place'],
    [{ place: '两行\n地点', contact_org_id: String(branch2) }, 400, 'invalid_text', 'place'],
    [{ place: '广东省东莞市' }, 400, 'required', 'contact_org_id'],
    [{ place: '广东省东莞市', contact_org_id: 'abc' }, 400, 'invalid_id', 'contact_org_id'],
    [{ place: '广东省东莞市', contact_org_id: '99999999' }, 422, 'invalid_contact', 'contact_org_id'],
    [{ place: '广东省东莞市', contact_org_id: String(branch) }, 422, 'invalid_contact', 'contact_org_id'],
    [{ place: '广东省东莞市', contact_org_id: String(branch2), since: '2026-13-01' }, 400, 'invalid_date', 'since'],
    [{ place: '广东省东莞市', contact_org_id: String(branch2), since: '2026-03-01', until: '2026-02-01' }, 422, 'until_before_since', 'until'],
  ];
  for (const [b, st, code, field] of bad) expectError(await secretary.post(`/api/v1/members/${me}/mobile`, b), st, code, field);
  expectError(await member.post(`/api/v1/members/${me}/mobile`, { place: '外地', contact_org_id: String(branch2) }), 403, 'forbidden');
  expectError(await secretary2.post(`/api/v1/members/${me}/mobile`, { place: '外地', contact_org_id: String(branch2) }), 404, 'not_found');
  assert.deepEqual(state(), before, 'a refused record wrote something');
  rec = (await ok(await secretary.post(`/api/v1/members/${me}/mobile`, { place: '广东省东莞市长安镇<i>x</i>', contact_org_id: String(branch2), since: '2026-03-01', until: '2026-12-31' }), 201)).record;
  assert.deepEqual([rec.away, rec.place, rec.contact_org_id, rec.since, rec.until], [true, '广东省东莞市长安镇<i>x</i>', branch2, '2026-03-01', '2026-12-31']);
  expectError(await secretary.post(`/api/v1/members/${me}/mobile`, { place: '又一处', contact_org_id: String(branch2) }), 409, 'already_away', 'member_id');
  const page = await secretary.get(`/members/${me}/mobile`);
  assert.ok(page.text.includes('&lt;i&gt;x&lt;/i&gt;') && !page.text.includes('<i>x</i>'));
  assert.equal(count('audit_log', `WHERE entity = 'mobile' AND entity_id = ${rec.id}`), 1);
});

test('the branch, the town and the contact organisation see the member; nobody else', async () => {
  const mine = await ok(await secretary.get(`/api/v1/orgs/${branch}/mobile-members`));
  assert.ok(mine.away.some((x) => x.id === rec.id));
  assert.ok((await ok(await town.get(`/api/v1/orgs/${townId}/mobile-members`))).away.some((x) => x.id === rec.id));
  const theirs = await ok(await secretary2.get(`/api/v1/orgs/${branch2}/mobile-members`));
  assert.ok(theirs.in_contact.some((x) => x.id === rec.id && x.place === rec.place), 'the contact branch does not see the member');
  assert.ok(!theirs.away.some((x) => x.id === rec.id));
  // the contact branch sees the list row only: not the member's record, nor the member
  expectError(await secretary2.get(`/api/v1/members/${me}/mobile`), 404, 'not_found');
  expectError(await secretary2.get(`/api/v1/members/${me}`), 404, 'not_found');
  expectError(await secretary2.post(`/api/v1/mobile/${rec.id}/return`, {}), 404, 'not_found');
  expectError(await member.get(`/api/v1/orgs/${branch}/mobile-members`), 403, 'forbidden');
  // the list row carries no phone or 身份证号
  const row = JSON.stringify(theirs.in_contact.find((x) => x.id === rec.id));
  assert.ok(!/phone|idcard/.test(row), row);
});

test('a member away is still reviewed; the branch\'s per-round exclusion "away" still works', async () => {
  assert.equal(count('review_exclusion', `WHERE member_id = ${me}`), 0, 'being away excluded the member from the round');
  const mine = await ok(await member.get('/api/v1/me/reviews'));
  assert.ok(Array.isArray(mine.peers) && mine.peers.length > 0, 'the member away cannot review the branch remotely');
  const before = count('review_exclusion');
  const x = await ok(await secretary.post(`/api/v1/members/${other}/exclusion`, { reason: 'away', note: '外出务工一年，联系不上' }));
  assert.equal(x.exclusion.reason, 'away');
  assert.equal(count('review_exclusion'), before + 1);
});

test('the return closes the record and keeps it as history', async () => {
  expectError(await secretary.post(`/api/v1/mobile/${rec.id}/return`, { returned_on: '2026-02-01' }), 422, 'until_before_since', 'returned_on');
  const back = (await ok(await secretary.post(`/api/v1/mobile/${rec.id}/return`, {}))).record;
  assert.equal(back.away, false);
  expectError(await secretary.post(`/api/v1/mobile/${rec.id}/return`, {}), 409, 'mobile_returned', 'id');
  assert.ok(!(await ok(await secretary2.get(`/api/v1/orgs/${branch2}/mobile-members`))).in_contact.some((x) => x.id === rec.id));
  const hist = await ok(await secretary.get(`/api/v1/members/${me}/mobile`));
  assert.equal(hist.away, false);
  assert.ok(hist.records.some((x) => x.id === rec.id && x.returned_on));
  // away again: a new record
  await ok(await secretary.post(`/api/v1/members/${me}/mobile`, { place: '江苏省苏州市', contact_org_id: String(branch2) }), 201);
  assert.equal((await ok(await secretary.get(`/api/v1/members/${me}/mobile`))).records.length, 2);
});
