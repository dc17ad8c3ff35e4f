// consultation.test.mjs: online consultations (网上征询), issue 22, on this file's own demo database,
// written as a careless user or an attacker would use them. A branch opens a consultation (bad
// dates and texts refused naming the field, nothing written); the public comments anonymously with
// a phone verified by the rating flow's SMS code and a device token the server issued: one comment
// per phone and per device, so fresh device ids or a second phone on one device stuff nothing, a
// forged token or a missing code is refused, and after the closing date nothing is taken (409
// consultation_closed, no code used up, nothing stored) — also by the page's form. Another
// subtree's staff reach nothing; answers and the summary (only after the close) are audited and
// shown on the public page, unanswered comments are not; markup is escaped.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, Client, loginAs, expectError, expectOk, sqlOn, smsCode, daysFromToday } from '../lib.mjs';

const srv = await startServerOn({ args: ['--sms-limit', '1000'] });
after(() => srv.stop());
const [town, secretary, member, secretary2] = await Promise.all(['town', 'secretary', 'member', 'secretary2'].map((u) => loginAs(srv.base, u)));
const anon = new Client(srv.base);
const branch = secretary.user.roles[0].org_id;
const sql = (q) => sqlOn(srv.db, q);
const ok = async (r, status = 200) => expectOk(r, status);
const count = (t, where = '') => Number(sql(`SELECT count(*) FROM ${t} ${where}`));
let phoneSeq = 0;
const newPhone = () => `1350000${String(++phoneSeq).padStart(4, '0')}`;
async function codeFor(phone) {
  sql('UPDATE sms_code SET created_at = created_at - 120');
  await ok(await anon.post('/api/v1/public/sms-codes', { phone }), 202);
  return smsCode(srv, phone);
}
const newDevice = async () => (await ok(await new Client(srv.base).get(`/api/v1/public/consultations?id=${c.id}`))).device;
let c;
const hour0 = Math.floor(Date.now() / 3600e3); // the limit's window when this file began

test('a branch opens a consultation; bad dates and texts are refused naming the field, nothing written', async () => {
  const before = [count('consultation'), count('audit_log')];
  const good = { title: '关于村内停车位规划的意见征询<b>x</b>', body: '请对村委会门前停车位规划提出意见。', closes_on: daysFromToday(10) };
  for (const [b, st, code, field] of [
    [{ ...good, closes_on: daysFromToday(-1) }, 422, 'closes_in_past', 'closes_on'],
    [{ ...good, closes_on: '2026-02-30' }, 400, 'invalid_date', 'closes_on'],
    [{ ...good, closes_on: '' }, 400, 'required', 'closes_on'],
    [{ ...good, title: '   ' }, 400, 'required', 'title'],
    [{ ...good, body: '正'.repeat(5001) }, 400, 'too_long', 'body'],
  ]) expectError(await secretary.post(`/api/v1/orgs/${branch}/consultations`, b), st, code, field);
  expectError(await secretary.req('POST', `/api/v1/orgs/${branch}/consultations`, { body: '{"title":', headers: { 'Content-Type': 'application/json' } }), 400, 'invalid_json');
  expectError(await member.post(`/api/v1/orgs/${branch}/consultations`, good), 403, 'forbidden');
  expectError(await secretary2.post(`/api/v1/orgs/${branch}/consultations`, good), 404, 'not_found');
  assert.deepEqual([count('consultation'), count('audit_log')], before);
  c = (await ok(await secretary.post(`/api/v1/orgs/${branch}/consultations`, good), 201)).consultation;
  assert.equal(c.open, true);
  assert.equal(count('audit_log', `WHERE entity = 'consultation' AND action = 'create' AND entity_id = ${c.id}`), 1);
  // the public page and list show it, escaped
  const page = await anon.get(`/p/consultations/${c.id}`);
  assert.equal(page.status, 200);
  assert.ok(page.text.includes('&lt;b&gt;x&lt;/b&gt;') && !page.text.includes('<b>x</b>'));
  assert.ok((await anon.get('/p/consultations')).text.includes('关于村内停车位规划的意见征询'));
});

test('one comment per verified phone and per device: fresh device ids and second phones stuff nothing', async () => {
  const before = [count('consultation_comment'), count('audit_log')];
  const phone = newPhone();
  const device = await newDevice();
  const post = (b) => anon.post('/api/v1/public/consultation-comments', { consultation_id: c.id, ...b });
  // refused before anything is spent: no text, forged device, no code, bad phone, bad id
  expectError(await post({ text: '', phone, code: '123456', device }), 400, 'required', 'text');
  expectError(await post({ text: '建议', phone, code: '123456', device: 'f'.repeat(32) + '.' + '0'.repeat(32) }), 400, 'invalid_device', 'device');
  expectError(await post({ text: '建议', phone, code: '123456' }), 400, 'invalid_device', 'device');
  expectError(await post({ text: '建议', phone, device }), 422, 'code_required', 'code');
  expectError(await post({ text: '建议', phone: '12345', code: '123456', device }), 400, 'invalid_phone', 'phone');
  expectError(await anon.post('/api/v1/public/consultation-comments', { consultation_id: 'x', text: '建议', phone, code: '1', device }), 422, 'invalid_consultation', 'consultation_id');
  expectError(await anon.post('/api/v1/public/consultation-comments', { consultation_id: 987654321, text: '建议', phone, code: '1', device }), 404, 'not_found');
  expectError(await anon.req('POST', '/api/v1/public/consultation-comments', { body: '{"text":', headers: { 'Content-Type': 'application/json' } }), 400, 'invalid_json');
  await codeFor(phone);
  expectError(await post({ text: '建议', phone, code: '000000', device }), 422, 'wrong_code', 'code');
  assert.deepEqual([count('consultation_comment'), count('audit_log')], before);
  const first = await ok(await post({ text: '建议在村委会门前增设<script>alert(1)</script>十个停车位。', phone, code: await codeFor(phone), device }), 201);
  assert.ok(first.comment_id > 0);
  // the same phone from fresh devices; the same device with fresh phones
  for (let i = 0; i < 3; i++) // (a phone gets 5 codes an hour)
    expectError(await post({ text: `重复意见${i}`, phone, code: await codeFor(phone), device: await newDevice() }), 409, 'already_commented');
  for (let i = 0; i < 3; i++) {
    const p = newPhone();
    expectError(await post({ text: `同一设备${i}`, phone: p, code: await codeFor(p), device }), 409, 'already_commented');
  }
  // a second person (phone and device of their own) may comment
  const p2 = newPhone();
  await ok(await post({ text: '希望停车位晚上对外来车辆收费。', phone: p2, code: await codeFor(p2), device: await newDevice() }), 201);
  assert.equal(count('consultation_comment', `WHERE consultation_id = ${c.id}`), 2);
  // neither the phone nor the device token is kept anywhere
  for (const t of ['consultation_comment', 'audit_log']) assert.ok(!sql(`SELECT * FROM ${t}`).includes(phone), `${t} keeps the phone`);
  assert.ok(!sql('SELECT * FROM consultation_comment').includes(device.slice(0, 32)));
});

test('answers by the branch only; the public page shows answered comments alone', async () => {
  const comments = (await ok(await secretary.get(`/api/v1/consultations/${c.id}`))).consultation.comments;
  assert.equal(comments.length, 2);
  expectError(await secretary2.get(`/api/v1/consultations/${c.id}`), 404, 'not_found');
  expectError(await secretary2.post(`/api/v1/consultation-comments/${comments[0].id}/reply`, { reply: '越权答复' }), 404, 'not_found');
  expectError(await member.post(`/api/v1/consultation-comments/${comments[0].id}/reply`, { reply: '党员答复' }), 403, 'forbidden');
  expectError(await secretary.post(`/api/v1/consultation-comments/${comments[0].id}/reply`, { reply: '' }), 400, 'required', 'reply');
  expectError(await secretary.post('/api/v1/consultation-comments/987654321/reply', { reply: '答复' }), 404, 'not_found');
  await ok(await secretary.post(`/api/v1/consultation-comments/${comments[0].id}/reply`, { reply: '已纳入规划，计划下月施工。' }));
  await ok(await town.post(`/api/v1/consultation-comments/${comments[0].id}/reply`, { reply: '已纳入规划，计划下月动工。' }));
  assert.equal(count('audit_log', `WHERE entity = 'consultation_comment' AND action = 'reply' AND entity_id = ${comments[0].id}`), 2);
  const page = await anon.get(`/p/consultations/${c.id}`);
  assert.ok(page.text.includes('已纳入规划，计划下月动工。'));
  assert.ok(page.text.includes('十个停车位') && !page.text.includes('<script>alert(1)</script>'), 'answered comment shown, escaped');
  assert.ok(!page.text.includes('希望停车位晚上对外来车辆收费'), 'an unanswered comment is public');
  // the summary waits for the close
  expectError(await secretary.post(`/api/v1/consultations/${c.id}/summary`, { summary: '提前总结' }), 409, 'consultation_open', 'summary');
});

test('after the closing date no comment is taken, by the API or the page; then the summary', async () => {
  const phone = newPhone();
  const device = await newDevice();
  const code = await codeFor(phone);
  sql(`UPDATE consultation SET closes_on = '${daysFromToday(-1)}', version = version + 1 WHERE id = ${c.id}`);
  const before = [count('consultation_comment'), count('audit_log')];
  expectError(await anon.post('/api/v1/public/consultation-comments', { consultation_id: c.id, text: '截止后的意见', phone, code, device }), 409, 'consultation_closed', 'consultation_id');
  // the page's form too (the page says it is closed, and a crafted post is refused)
  const page = new Client(srv.base);
  const shown = await page.get(`/p/consultations/${c.id}`);
  assert.ok(shown.text.includes('不再接受意见') && !shown.text.includes('提交意见'));
  const r = await page.req('POST', `/p/consultations/${c.id}/comments`, { body: new URLSearchParams({ text: '截止后的意见', phone, code, op: 'submit' }).toString(),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Referer: `${srv.base}/p/consultations/${c.id}` } });
  assert.equal(r.status, 409);
  assert.ok(r.text.includes('截止'), r.text.slice(0, 300));
  assert.deepEqual([count('consultation_comment'), count('audit_log')], before, 'a comment after the close was stored');
  // the code was not used up by the refusals: reopened, the same code is taken
  sql(`UPDATE consultation SET closes_on = '${daysFromToday(1)}', version = version + 1 WHERE id = ${c.id}`);
  await ok(await anon.post('/api/v1/public/consultation-comments', { consultation_id: c.id, text: '重开后的意见', phone, code, device }), 201);
  sql(`UPDATE consultation SET closes_on = '${daysFromToday(-1)}', version = version + 1 WHERE id = ${c.id}`);
  expectError(await secretary.post(`/api/v1/consultations/${c.id}/summary`, { summary: '' }), 400, 'required', 'summary');
  expectError(await secretary2.post(`/api/v1/consultations/${c.id}/summary`, { summary: '越权总结' }), 404, 'not_found');
  await ok(await secretary.post(`/api/v1/consultations/${c.id}/summary`, { summary: '共收到意见 2 条，已答复 1 条；停车位将于下月施工。' }));
  assert.equal(count('audit_log', `WHERE entity = 'consultation' AND action = 'summarise' AND entity_id = ${c.id}`), 1);
  const pub = await anon.get(`/p/consultations/${c.id}`);
  assert.ok(pub.text.includes('停车位将于下月施工'));
  const api = await ok(await anon.get(`/api/v1/public/consultations?id=${c.id}`));
  assert.equal(api.consultation.open, false);
  assert.equal(api.consultation.comments.length, 1);
});

test('the page form: a code by op=sms keeps what was typed; a refusal comes back beside the field', async () => {
  const d = (await ok(await secretary.post(`/api/v1/orgs/${branch}/consultations`, { title: '关于村规民约修订的征询', body: '请提意见。', closes_on: daysFromToday(5) }), 201)).consultation;
  const page = new Client(srv.base);
  assert.equal((await page.get(`/p/consultations/${d.id}`)).status, 200); // the device cookie
  const phone = newPhone();
  sql('UPDATE sms_code SET created_at = created_at - 120');
  const form = (o) => page.req('POST', `/p/consultations/${d.id}/comments`, { body: new URLSearchParams(o).toString(),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Referer: `${srv.base}/p/consultations/${d.id}` } });
  const sms = await form({ text: '建议增加一条关于养犬的规定。', phone, op: 'sms' });
  assert.equal(sms.status, 200, sms.text.slice(0, 300));
  assert.ok(sms.text.includes('验证码已发送') && sms.text.includes('建议增加一条关于养犬的规定。'));
  const missing = await form({ text: '建议增加一条关于养犬的规定。', phone, op: 'submit' });
  assert.equal(missing.status, 422);
  assert.ok(missing.text.includes('短信验证码') && missing.text.includes('建议增加一条关于养犬的规定。'), 'the form did not come back filled');
  const done = await form({ text: '建议增加一条关于养犬的规定。', phone, code: await smsCode(srv, phone), op: 'submit' });
  assert.equal(done.status, 303, done.text.slice(0, 300));
  assert.match(done.headers.get('location'), new RegExp(`/p/consultations/${d.id}\\?done=1$`));
  assert.ok((await page.get(`/p/consultations/${d.id}?done=1`)).text.includes('您的意见已收到'));
  assert.equal(count('consultation_comment', `WHERE consultation_id = ${d.id}`), 1);
});

test('stuffing from one address with fresh phones and devices stops at the hourly limit; refusals count nothing', async () => {
  const d = (await ok(await secretary.post(`/api/v1/orgs/${branch}/consultations`, { title: '关于村道路灯安装位置的征询', body: '请提意见。', closes_on: daysFromToday(3) }), 201)).consultation;
  // every comment this file sent (all from this address, this hour) used the limit: count them
  // (the demo's, written without an address, did not)
  const already = count('consultation_comment', 'WHERE consultation_id IN (SELECT id FROM consultation WHERE created_by <> 0)');
  let taken = 0, refused = null;
  for (let i = 0; i < 25 && !refused; i++) {
    const phone = newPhone();
    const r = await anon.post('/api/v1/public/consultation-comments', { consultation_id: d.id, text: `灌水意见${i}`, phone, code: await codeFor(phone),
      device: (await ok(await new Client(srv.base).get(`/api/v1/public/consultations?id=${d.id}`))).device });
    if (r.status === 201) taken++;
    else refused = r;
  }
  assert.ok(refused, 'no limit was reached');
  expectError(refused, 429, 'rate_limited');
  assert.ok(refused.headers.get('retry-after'));
  if (Math.floor(Date.now() / 3600e3) === hour0) assert.equal(already + taken, 20, `the address sent ${already} + ${taken} comments within the hour`);
  else assert.ok(taken <= 20, `${taken} comments in a new hour`); // the file ran across the hour: a fresh window
  assert.equal(count('consultation_comment', `WHERE consultation_id = ${d.id}`), taken);
});

