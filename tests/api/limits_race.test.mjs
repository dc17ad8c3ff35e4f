// limits_race.test.mjs: the public side's hourly limits against a client that sends its requests
// all at once (on PostgreSQL in make test: through nginx to two instances). A limit that was
// checked by reading the counter first and adding to it after the action let every request that
// read at once through: 40 guesses at tracking codes sent together were 40 guesses, not 10. Each
// limit is now taken in one statement before the action and given back when the action is refused
// or did not count, so exactly the limit gets through however the requests arrive.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, expectError, sqlOn, smsCode, fromAddr, randomCode, Client } from '../lib.mjs';

const srv = await startServerOn({ members: 40, args: ['--sms-limit', '1000'] });
after(() => srv.stop());
const sql = (q) => sqlOn(srv.db, q);
const count = (t, where = '') => Number(sql(`SELECT count(*) FROM ${t} ${where}`));
const town = await loginAs(srv.base, 'town');
const townId = town.user.roles[0].org_id;
const memberId = (await loginAs(srv.base, 'member')).user.member_id;
const AT_ONCE = 40;

/** n requests from addr at once; the statuses, sorted. */
async function burst(addr, n, path, body) {
  const rs = await Promise.all(Array.from({ length: n }, (_, i) => fromAddr(srv.base, addr, 'POST', path, body(i))));
  for (const r of rs) assert.ok([200, 201, 400, 404, 422, 429].includes(r.status), `${r.status} ${r.text.slice(0, 200)}`);
  return rs.map((r) => r.status).sort();
}
const tally = (statuses) => statuses.reduce((m, s) => ({ ...m, [s]: (m[s] || 0) + 1 }), {});

test('40 wrong feedback tracking codes sent at once: 10 are looked up (404), 30 refused (429), then even a right code is refused', async () => {
  const addr = '127.0.81.1';
  const real = (await fromAddr(srv.base, '127.0.81.2', 'POST', '/api/v1/public/feedback', { kind: 'opinion', text: '路灯坏了三个月没有人修，请尽快处理。' })).json;
  assert.ok(real.code);
  const got = tally(await burst(addr, AT_ONCE, '/api/v1/public/track', () => ({ code: randomCode() })));
  assert.deepEqual(got, { 404: 10, 429: AT_ONCE - 10 });
  expectError(await fromAddr(srv.base, addr, 'POST', '/api/v1/public/track', { code: real.code }), 429, 'rate_limited', 'code');
});

test('right codes and typos sent at once with wrong ones are never counted as wrong guesses', async () => {
  const addr = '127.0.81.3';
  const real = (await fromAddr(srv.base, '127.0.81.4', 'POST', '/api/v1/public/feedback', { kind: 'opinion', text: '菜市场门口占道经营，早上车过不去。' })).json;
  const plain = real.code.replace(/-/g, '');
  const typo = plain.slice(0, 12) + (plain[12] === '0' ? '1' : '0');
  const kinds = Array.from({ length: 30 }, (_, i) => (i < 9 ? 'wrong' : i < 20 ? 'right' : 'typo'));
  const rs = await Promise.all(kinds.map((k) => fromAddr(srv.base, addr, 'POST', '/api/v1/public/track',
    { code: k === 'wrong' ? randomCode() : k === 'right' ? real.code : typo })));
  // while a lookup is in flight it holds one of the ten, so under this burst a right code or a
  // typo may be told to wait (429); it is never told it is wrong, and never counted as a guess
  const allowed = { wrong: [404, 429], right: [200, 429], typo: [400, 429] };
  rs.forEach((r, i) => assert.ok(allowed[kinds[i]].includes(r.status), `${kinds[i]}: ${r.status} ${r.text.slice(0, 120)}`));
  const wrong = rs.filter((r) => r.status === 404).length;
  assert.ok(wrong <= 9);
  // what is left of the ten is exactly what the wrong codes did not use
  for (let i = wrong; i < 10; i++) expectError(await fromAddr(srv.base, addr, 'POST', '/api/v1/public/track', { code: randomCode() }), 404, 'not_found', 'code');
  expectError(await fromAddr(srv.base, addr, 'POST', '/api/v1/public/track', { code: randomCode() }), 429, 'rate_limited', 'code');
});

test('45 feedback submissions at once from one address: exactly 30 stored, 15 refused; refused ones count nothing', async () => {
  const addr = '127.0.81.5';
  const before = count('feedback');
  // five refused first (no text): they must not use up any of the thirty
  const bad = await burst(addr, 5, '/api/v1/public/feedback', () => ({ kind: 'opinion', text: '' }));
  assert.deepEqual(tally(bad), { 400: 5 });
  const got = tally(await burst(addr, 45, '/api/v1/public/feedback', (i) => ({ kind: 'opinion', text: `第${i}条：社区活动室晚上不开门，希望延长开放时间。` })));
  assert.deepEqual(got, { 201: 30, 429: 15 });
  assert.equal(count('feedback'), before + 30);
});

test('objections at once from one address, each with its own verified phone: exactly 10 accepted; 40 wrong tracking codes: 10 looked up', async () => {
  const notice = (await town.post(`/api/v1/orgs/${townId}/notices`, {
    title: '关于拟表彰对象的公示（并发测试）', body: '现予公示。', contact: '电话 0571-88880000',
    items: [{ subject_kind: 'member', subject_id: memberId, honour: '优秀共产党员' }],
  })).json.notice;
  const phones = Array.from({ length: 16 }, (_, i) => `1390000${String(i + 1).padStart(4, '0')}`);
  const anon = new Client(srv.base);
  const codes = [];
  for (const phone of phones) {
    assert.equal((await anon.post('/api/v1/public/sms-codes', { phone })).status, 202);
    codes.push(await smsCode(srv, phone));
  }
  const addr = '127.0.81.6';
  const before = count('objection');
  // one refused first (an item of another notice): it counts nothing
  expectError(await fromAddr(srv.base, addr, 'POST', '/api/v1/public/objections',
    { notice_id: notice.id, item_id: 987654321, name: '王大明', phone: phones[0], code: codes[0], text: '该同志有违规问题。' }), 422, 'invalid_item', 'item_id');
  const got = tally(await burst(addr, phones.length, '/api/v1/public/objections', (i) => (
    { notice_id: notice.id, item_id: notice.items[0].id, name: '王大明', phone: phones[i], code: codes[i], text: `第${i}份异议：该同志有违规占地问题，请核实。` })));
  assert.deepEqual(got, { 201: 10, 429: phones.length - 10 });
  assert.equal(count('objection'), before + 10);
  // guesses at objection tracking codes
  const g = tally(await burst('127.0.81.7', AT_ONCE, '/api/v1/public/objection-track', () => ({ code: randomCode() })));
  assert.deepEqual(g, { 404: 10, 429: AT_ONCE - 10 });
});

test('the audit chain verifies after all of this file\'s requests', () => {
  const r = srv.cli(['audit', 'verify']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
