// notices.test.mjs: public notices (公示) and objections (异议), issue 19, on this file's own demo
// database. The first town's office opens a notice by hand (members and a branch of its subtree);
// its period runs over the working-day calendar (a holiday edited by the district office moves
// the end of the next notice); the public page shows names, organisations and honours only, the
// print view carries a QR code. The public objects with a real name and a phone verified by the
// rating flow's SMS code (without a code 422, after the end 409 notice_ended with nothing stored,
// the same phone again allowed and then rate-limited); the phone is sealed and shown masked; only
// the office and discipline staff over the notice's office see objections (another town's office
// is refused as if the objection did not exist). Holding and deciding move the item's state
// (pending → held → upheld, or back to pending and, after the end, clear), each step audited and
// seen by the objector through the tracking code. Markup is escaped; malformed bodies refused.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, Client, loginAs, expectError, expectOk, sqlOn, smsCode, PASSWORD, daysFromToday, BACKEND, codeCheckChar } from '../lib.mjs';

const srv = await startServerOn({ args: ['--sms-limit', '1000'] });
after(() => srv.stop());
const [office, town, secretary, member, secretary2, leader, discipline] = await Promise.all(
  ['office', 'town', 'secretary', 'member', 'secretary2', 'leader', 'discipline'].map((u) => loginAs(srv.base, u)));
const anon = new Client(srv.base);
const townId = town.user.roles[0].org_id;
const branch = secretary.user.roles[0].org_id;
const branch2 = secretary2.user.roles[0].org_id;
const candidate = member.user.member_id;
const sql = (q) => sqlOn(srv.db, q);
const ok = async (r, status = 200) => expectOk(r, status);
const townB = (await ok(await office.get(`/api/v1/orgs/${branch2}`))).org.parent_id;
{
  const r = srv.cli(['user', 'add', 'townb', '--name', '二镇活动办公室', '--password-file', '-', '--role', 'office', '--org', String(townB)], { input: PASSWORD + '\n' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
}
const townb = await loginAs(srv.base, 'townb');
const colleague = (await ok(await town.get(`/api/v1/orgs/${branch}/members?per_page=5`))).members.find((m) => m.id !== candidate);
const memberB = (await ok(await secretary2.get(`/api/v1/orgs/${branch2}/members?per_page=1`))).members[0];

const ITEMS = [
  { subject_kind: 'member', subject_id: candidate, honour: '优秀共产党员', reason: '带头参加志愿服务<b>粗体</b>' },
  { subject_kind: 'member', subject_id: colleague.id, honour: '优秀共产党员', reason: '' },
  { subject_kind: 'org', subject_id: branch, honour: '先进基层党组织' },
];
const BODY = { title: '关于2026年度拟表彰对象的公示<script>x</script>', body: '现将拟表彰对象予以公示。', contact: '电话 0571-88880000，地址：镇政府二楼', items: ITEMS };
let notice;
const count = (t) => Number(sql(`SELECT count(*) FROM ${t}`));
let phoneSeq = 0;
const newPhone = () => `1370000${String(++phoneSeq).padStart(4, '0')}`;
/** A fresh SMS code for phone (past the one-a-minute limit without waiting). */
async function codeFor(phone) {
  sql('UPDATE sms_code SET created_at = created_at - 120');
  await ok(await anon.post('/api/v1/public/sms-codes', { phone }), 202);
  return smsCode(srv, phone);
}
async function object(item, phone, text = '该同志在村里有违规占地问题，请核实。', name = '王大明') {
  return anon.post('/api/v1/public/objections', { notice_id: notice.id, item_id: item.id, name, phone, code: await codeFor(phone), text });
}
const staffView = async (u = town, id = notice.id) => ok(await u.get(`/api/v1/notices/${id}`));
const stateOf = async (i) => (await staffView()).notice.items[i].state;

test('an office opens a notice of its subtree; the period runs over the calendar; bad input refused with nothing written', async () => {
  const before = count('notice'), itemsBefore = count('notice_item'); // the demo's award cycle has its own
  expectError(await town.post(`/api/v1/orgs/${townId}/notices`, { ...BODY, title: '' }), 422, 'required', 'title');
  expectError(await town.post(`/api/v1/orgs/${townId}/notices`, { ...BODY, workdays: 'abc' }), 422, 'invalid_workdays', 'workdays');
  expectError(await town.post(`/api/v1/orgs/${townId}/notices`, { ...BODY, workdays: '31' }), 422, 'invalid_workdays', 'workdays');
  expectError(await town.post(`/api/v1/orgs/${townId}/notices`, { ...BODY, items: 'abc' }), 422, 'invalid_items', 'items');
  expectError(await town.post(`/api/v1/orgs/${townId}/notices`, { ...BODY, items: [] }), 422, 'invalid_items', 'items');
  expectError(await town.post(`/api/v1/orgs/${townId}/notices`, { ...BODY, items: [{ subject_kind: 'member', subject_id: 'x1', honour: 'a' }] }), 422, 'invalid_items', 'items');
  expectError(await town.post(`/api/v1/orgs/${townId}/notices`, { ...BODY, items: [...ITEMS, { subject_kind: 'member', subject_id: memberB.id, honour: '优秀共产党员' }] }),
    422, 'invalid_subject', 'items');
  expectError(await town.post(`/api/v1/orgs/${townId}/notices`, { ...BODY, items: [{ subject_kind: 'window', subject_id: 1, honour: 'x' }] }), 422, 'invalid_subject', 'items');
  expectError(await town.post(`/api/v1/orgs/${townId}/notices`, { ...BODY, items: [{ ...ITEMS[0], honour: '' }] }), 422, 'required', 'honour');
  expectError(await town.post(`/api/v1/orgs/${townId}/notices`, { ...BODY, items: [...ITEMS, { ...ITEMS[0], honour: '又一次' }] }), 422, 'duplicate_subject', 'items');
  expectError(await town.post(`/api/v1/orgs/${townId}/notices`, '{"title":', { headers: { 'Content-Type': 'application/json' } }), 400, 'invalid_json');
  expectError(await town.post(`/api/v1/orgs/${townId}/notices`, { ...BODY, items: [null] }), 422, 'invalid_items', 'items');
  expectError(await secretary.post(`/api/v1/orgs/${branch}/notices`, BODY), 403, 'forbidden');
  expectError(await townb.post(`/api/v1/orgs/${townId}/notices`, BODY), 404, 'not_found');
  assert.equal(count('notice'), before, 'nothing written');
  assert.equal(count('notice_item'), itemsBefore);

  notice = (await ok(await town.post(`/api/v1/orgs/${townId}/notices`, BODY), 201)).notice;
  assert.equal(notice.start_date, daysFromToday(0));
  assert.ok(notice.end_date > notice.start_date);
  assert.equal(notice.period, `公示期：${notice.start_date} 至 ${notice.end_date}（5 个工作日）`);
  assert.deepEqual(notice.items.map((i) => [i.name, i.honour, i.source, i.ref_id === i.id]),
    [[member.user.display_name || notice.items[0].name, '优秀共产党员', 'manual', true], [colleague.name, '优秀共产党员', 'manual', true],
      [notice.items[2].name, '先进基层党组织', 'manual', true]]);
  assert.equal(notice.items[1].org_name, notice.items[0].org_name);
  // the calendar: the end day made a holiday moves the next notice's end on; reset, it comes back
  const E1 = notice.end_date;
  await ok(await office.post('/api/v1/calendar', { date: E1, kind: 'holiday', name: '公示测试假' }));
  const n2 = (await ok(await town.post(`/api/v1/orgs/${townId}/notices`, { ...BODY, title: '第二份公示', items: [ITEMS[1]] }), 201)).notice;
  assert.ok(n2.end_date > E1, `${n2.end_date} after the holiday ${E1}`);
  await ok(await office.post('/api/v1/calendar', { date: E1, kind: 'reset' }));
  const n3 = (await ok(await town.post(`/api/v1/orgs/${townId}/notices`, { ...BODY, title: '第三份公示', items: [ITEMS[1]], workdays: '5' }), 201)).notice;
  assert.equal(n3.end_date, E1);
  const n4 = (await ok(await town.post(`/api/v1/orgs/${townId}/notices`, { ...BODY, title: '一日公示', items: [ITEMS[1]], workdays: '1' }), 201)).notice;
  assert.ok(n4.end_date >= n4.start_date && n4.end_date < E1);
  assert.equal((await staffView(town, notice.id)).notice.end_date, E1, 'an opened notice keeps its period');
  assert.ok(Number(sql(`SELECT count(*) FROM audit_log WHERE entity = 'notice' AND action = 'open' AND entity_id = ${notice.id}`)) === 1);
  // the contact line is editable by the office, audited
  expectError(await town.patch(`/api/v1/notices/${notice.id}`, { contact: '' }), 422, 'required', 'contact');
  expectError(await leader.patch(`/api/v1/notices/${notice.id}`, { contact: '越权' }), 403, 'forbidden');
  const c = (await ok(await town.patch(`/api/v1/notices/${notice.id}`, { contact: '电话 0571-88881111' }))).notice;
  assert.equal(c.contact, '电话 0571-88881111');
});

test('the public pages: names, organisations and honours only, markup escaped, a print view with a QR code', async () => {
  const list = await anon.get('/p/notices');
  assert.equal(list.status, 200);
  assert.ok(list.text.includes(`/p/notices/${notice.id}`));
  assert.ok(!list.text.includes('<script>x</script>') && list.text.includes('&lt;script&gt;'));
  const api = (await ok(await anon.get('/api/v1/public/notices'))).notices.find((n) => n.id === notice.id);
  assert.ok(api && api.open && !('objections' in api));
  const page = await anon.get(`/p/notices/${notice.id}`);
  assert.equal(page.status, 200);
  assert.ok(page.text.includes(colleague.name) && page.text.includes('先进基层党组织') && page.text.includes('0571-88881111'));
  assert.ok(page.text.includes('&lt;b&gt;粗体&lt;/b&gt;') && !page.text.includes('<b>粗体</b>'));
  assert.ok(page.text.includes('（5 个工作日）'));
  const m = (await ok(await town.get(`/api/v1/members/${candidate}`))).member;
  for (const s of [m.idcard, m.phone].filter(Boolean)) assert.ok(!page.text.includes(s), `the public page shows ${s}`);
  assert.match(page.text, /action="\/p\/notices\/\d+\/objections"/);
  const print = await anon.get(`/p/notices/${notice.id}/print`);
  assert.equal(print.status, 200);
  assert.match(print.text, /<svg[^>]*>/);
  assert.ok(print.text.includes(`/p/notices/${notice.id}`));
  const qr = await anon.get(`/p/notices/${notice.id}/qr.svg`);
  assert.equal(qr.status, 200);
  assert.match(qr.headers.get('content-type'), /svg/);
  assert.equal((await anon.get('/p/notices/987654321')).status, 404);
});

let first, firstCode;
test('an objection needs a verified phone; it is stored sealed and shown masked to the handlers only', async () => {
  const phone = newPhone();
  const base = { notice_id: notice.id, item_id: notice.items[0].id, name: '王大明', phone, text: '该同志有违规问题，请核实。' };
  const objections = count('objection'); // the demo's award cycle has one
  expectError(await anon.post('/api/v1/public/objections', base), 422, 'code_required', 'code');
  await codeFor(phone);
  expectError(await anon.post('/api/v1/public/objections', { ...base, code: '000000x' }), 422, 'wrong_code', 'code');
  expectError(await anon.post('/api/v1/public/objections', { ...base, name: '王' }), 422, 'too_short', 'name');
  expectError(await anon.post('/api/v1/public/objections', { ...base, text: '' }), 422, 'too_short', 'text');
  expectError(await anon.post('/api/v1/public/objections', { ...base, phone: '12345' }), 422, 'invalid_phone', 'phone');
  expectError(await anon.post('/api/v1/public/objections', { ...base, item_id: 'abc' }), 422, 'invalid_item', 'item_id');
  expectError(await anon.post('/api/v1/public/objections', { ...base, notice_id: undefined }), 422, 'invalid_notice', 'notice_id');
  expectError(await anon.post('/api/v1/public/objections', { ...base, notice_id: 987654321 }), 404, 'not_found');
  assert.equal(count('objection'), objections, 'nothing stored');
  // an item of another notice
  const other = (await staffView(town, notice.id + 1)).notice.items[0];
  const code = await smsCode(srv, phone);
  expectError(await anon.post('/api/v1/public/objections', { ...base, item_id: other.id, code }), 422, 'invalid_item', 'item_id');
  assert.equal(count('objection'), objections);
  const deskCount = async (u) => ((await ok(await u.get('/api/v1/me/desk'))).sections.flatMap((x) => x.items).find((i) => i.key === 'objections_open') || { count: 0 }).count;
  const deskUsers = [town, discipline, office, secretary, leader, townb];
  const desksBefore = await Promise.all(deskUsers.map(deskCount)); // the demo's award cycle has an objection of its own
  const r = await ok(await object(notice.items[0], phone, '该同志有违规占地问题<img src=x onerror=alert(1)>，请核实。'), 201);
  assert.match(r.code, /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]$/);
  firstCode = r.code;
  // the handlers: the town's office and the district's discipline inspector
  for (const u of [town, discipline, office]) {
    const v = await staffView(u);
    assert.equal(v.objections.length, 1);
    first = v.objections[0];
    assert.deepEqual([first.name, first.phone, first.status], ['王**', `${phone.slice(0, 3)}****${phone.slice(-4)}`, 'received']);
    assert.ok(!JSON.stringify(v).includes(phone) && !JSON.stringify(v).includes('王大明'));
  }
  assert.equal(Number(sql(`SELECT count(*) FROM objection WHERE phone_mask = '${first.phone}'`)), 1);
  assert.equal(Number(sql(`SELECT count(*) FROM audit_log WHERE entity = 'objection' AND action = 'object' AND entity_id = ${first.id}`)), 1);
  assert.ok(!sql(`SELECT after_json FROM audit_log WHERE entity = 'objection'`).includes('王大明'));
  // a handler may see who objected, audited; nobody else, not even as the same 404 a missing one gets
  const rv = await ok(await town.post(`/api/v1/objections/${first.id}/reveal`));
  assert.deepEqual(rv.objector, { name: '王大明', phone });
  assert.equal(Number(sql(`SELECT count(*) FROM audit_log WHERE entity = 'objection' AND action = 'reveal' AND entity_id = ${first.id}`)), 1);
  assert.ok(!sql(`SELECT after_json FROM audit_log WHERE entity = 'objection' AND action = 'reveal'`).includes(phone));
  expectError(await townb.post(`/api/v1/objections/${first.id}/reveal`), 404, 'not_found');
  expectError(await secretary.post(`/api/v1/objections/${first.id}/reveal`), 403, 'forbidden');
  expectError(await leader.post(`/api/v1/objections/${first.id}/reveal`), 403, 'forbidden');
  // the handlers' desks count it; nobody else's
  assert.deepEqual((await Promise.all(deskUsers.map(deskCount))).map((n, i) => n - desksBefore[i]), [1, 1, 1, 0, 0, 0]);
  // staff page escapes the text
  const page = await town.get(`/notices/${notice.id}`);
  assert.ok(page.text.includes('&lt;img src=x') && !page.text.includes('<img src=x'));
});

test('nobody else sees objections: leaders, secretaries, the candidate, another town\'s office', async () => {
  const lv = await leader.get(`/api/v1/notices/${notice.id}`);
  if (lv.status === 200) assert.ok(!('objections' in lv.json) && !lv.json.notice.items.some((i) => 'state' in i), 'a leader sees no objection or state');
  else expectError(lv, 404, 'not_found');
  expectError(await secretary.get(`/api/v1/notices/${notice.id}`), 404, 'not_found');
  expectError(await member.get(`/api/v1/notices/${notice.id}`), 403, 'forbidden');
  expectError(await townb.get(`/api/v1/notices/${notice.id}`), 404, 'not_found');
  for (const u of [townb]) {
    const missing = await u.get('/api/v1/objections/987654321');
    const hidden = await u.get(`/api/v1/objections/${first.id}`);
    assert.deepEqual([hidden.status, hidden.json], [missing.status, missing.json]);
    expectError(await u.post(`/api/v1/objections/${first.id}/hold`), 404, 'not_found');
    expectError(await u.post(`/api/v1/objections/${first.id}/decide`, { outcome: 'upheld', finding: '越权结论' }), 404, 'not_found');
  }
  for (const u of [secretary, secretary2, leader, member]) {
    expectError(await u.get(`/api/v1/objections/${first.id}`), 403, 'forbidden');
    expectError(await u.post(`/api/v1/objections/${first.id}/hold`), 403, 'forbidden');
  }
  assert.equal((await ok(await town.get(`/api/v1/objections/${first.id}`))).objection.status, 'received', 'unchanged');
});

test('hold and outcome move the item\'s state; each step audited; the objector follows it by code', async () => {
  assert.equal(await stateOf(0), 'pending', 'the period is running');
  expectError(await town.post(`/api/v1/objections/${first.id}/decide`, { outcome: 'dismissed', finding: '经核实不存在' }), 409, 'not_held');
  const h = (await ok(await discipline.post(`/api/v1/objections/${first.id}/hold`))).objection;
  assert.equal(h.status, 'investigating');
  assert.equal(await stateOf(0), 'held');
  expectError(await town.post(`/api/v1/objections/${first.id}/hold`), 409, 'not_received');
  expectError(await town.post(`/api/v1/objections/${first.id}/decide`, { outcome: 'maybe', finding: '经核实不存在' }), 422, 'invalid_outcome', 'outcome');
  expectError(await town.post(`/api/v1/objections/${first.id}/decide`, { outcome: 'dismissed', finding: '' }), 422, 'too_short', 'finding');
  let t = (await ok(await anon.post('/api/v1/public/objection-track', { code: firstCode }))).tracking;
  assert.deepEqual([t.status, t.finding], ['investigating', undefined]);
  await ok(await town.post(`/api/v1/objections/${first.id}/decide`, { outcome: 'dismissed', finding: '经核实，占地系村集体批准的临时用地。' }));
  assert.equal(await stateOf(0), 'pending', 'back to pending while the period runs');
  expectError(await town.post(`/api/v1/objections/${first.id}/decide`, { outcome: 'upheld', finding: '改判' }), 409, 'not_held');
  t = (await ok(await anon.post('/api/v1/public/objection-track', { code: firstCode.replace(/-/g, '').toLowerCase() }))).tracking;
  assert.deepEqual([t.status, t.finding], ['dismissed', '经核实，占地系村集体批准的临时用地。']);
  assert.ok(!JSON.stringify(t).includes('王'));
  const data = 'ABCDEFGHJKMN', check = codeCheckChar(data); // a well-formed code that is no one's
  expectError(await anon.post('/api/v1/public/objection-track', { code: data + check }), 404, 'not_found', 'code');
  expectError(await anon.post('/api/v1/public/objection-track', { code: data + (check === '0' ? '1' : '0') }), 400, 'code_check', 'code');
  expectError(await anon.post('/api/v1/public/objection-track', { code: 'x' }), 400, 'invalid_code', 'code');
  // the second item: upheld, withdrawn on the public page
  const second = await ok(await object(notice.items[1], newPhone(), '该同志长期不参加组织生活。', '李小红'), 201);
  const o2 = (await staffView()).objections.find((o) => o.item_id === notice.items[1].id);
  await ok(await town.post(`/api/v1/objections/${o2.id}/hold`));
  await ok(await discipline.post(`/api/v1/objections/${o2.id}/decide`, { outcome: 'upheld', finding: '经核实属实，撤销其公示。' }));
  assert.equal(await stateOf(1), 'upheld');
  assert.match((await anon.get(`/p/notices/${notice.id}`)).text, /已撤销/);
  assert.equal((await ok(await anon.post('/api/v1/public/objection-track', { code: second.code }))).tracking.status, 'upheld');
  const audit = sql(`SELECT action FROM audit_log WHERE entity = 'objection' AND action <> 'reveal' AND entity_id IN (SELECT id FROM objection WHERE notice_id = ${notice.id}) ORDER BY seq`).split('\n');
  assert.deepEqual(audit, ['object', 'hold', 'decide', 'object', 'hold', 'decide']);
});

test('the same phone may object again, then is rate-limited; after the end nothing is taken', async () => {
  const phone = newPhone();
  await ok(await object(notice.items[2], phone), 201);
  await ok(await object(notice.items[2], phone, '第二条异议：该支部台账造假。'), 201);
  await ok(await object(notice.items[2], phone, '第三条异议：该支部会议记录不全。'), 201);
  const n = count('objection');
  const code = await codeFor(phone);
  expectError(await anon.post('/api/v1/public/objections', { notice_id: notice.id, item_id: notice.items[2].id, name: '赵四', phone, code, text: '第四条异议内容。' }),
    429, 'rate_limited', 'phone');
  assert.equal(count('objection'), n);
  assert.equal(await stateOf(2), 'pending');
  // the period ends: objections refused with nothing stored; states settle
  sql(`UPDATE notice SET end_date = '${daysFromToday(-1)}' WHERE id = ${notice.id}`);
  const late = newPhone();
  const lc = await codeFor(late);
  expectError(await anon.post('/api/v1/public/objections', { notice_id: notice.id, item_id: notice.items[0].id, name: '钱五', phone: late, code: lc, text: '公示期后的异议。' }),
    409, 'notice_ended', 'notice_id');
  assert.equal(count('objection'), n);
  const v = await staffView();
  assert.deepEqual(v.notice.items.map((i) => i.state), ['clear', 'upheld', 'pending'], 'an untaken objection keeps its item pending');
  assert.equal(v.phase_label, '公示期满（异议核查中）');
  const page = await anon.get(`/p/notices/${notice.id}`);
  assert.ok(page.text.includes('公示期已满') && !page.text.includes('提交异议'));
  // the form after the end: 409 shown on the page, nothing stored
  const form = await anon.post(`/p/notices/${notice.id}/objections`, new URLSearchParams({ item_id: String(notice.items[0].id), name: '钱五', phone: late, code: lc, text: '公示期后的异议。' }).toString(),
    { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  assert.equal(form.status, 409);
  assert.equal(count('objection'), n);
  // the pending ones decided: the third item clears
  for (const o of (await staffView()).objections.filter((x) => x.status === 'received')) {
    await ok(await town.post(`/api/v1/objections/${o.id}/hold`));
    await ok(await town.post(`/api/v1/objections/${o.id}/decide`, { outcome: 'dismissed', finding: '经核实不属实。' }));
  }
  const w = await staffView();
  assert.deepEqual(w.notice.items.map((i) => i.state), ['clear', 'upheld', 'clear']);
  assert.equal(w.phase_label, '已结束');
  assert.equal(((await ok(await town.get('/api/v1/me/desk'))).sections.flatMap((x) => x.items).find((i) => i.key === 'objections_open')), undefined, 'nothing left to handle');
});

test('two handlers holding one objection at once: one succeeds, the other is told it is already held', async () => {
  sql(`UPDATE notice SET end_date = '${daysFromToday(10)}' WHERE id = ${notice.id}`);
  await ok(await object(notice.items[0], newPhone(), '并发测试的异议内容。', '孙六'), 201);
  const o = (await staffView()).objections.find((x) => x.status === 'received');
  const rs = await Promise.all([town.post(`/api/v1/objections/${o.id}/hold`), discipline.post(`/api/v1/objections/${o.id}/hold`)]);
  assert.deepEqual(rs.map((r) => r.status).sort(), [200, 409]);
  assert.equal(Number(sql(`SELECT count(*) FROM audit_log WHERE entity = 'objection' AND action = 'hold' AND entity_id = ${o.id}`)), 1);
});

test('a double submission stores one objection; a recused inspector sees none', async () => {
  const phone = newPhone();
  const body = { notice_id: notice.id, item_id: notice.items[1].id, name: '周七', phone, code: await codeFor(phone), text: '重复提交测试的异议内容。' };
  const n = count('objection');
  const rs = await Promise.all([anon.post('/api/v1/public/objections', body), anon.post('/api/v1/public/objections', body)]);
  assert.deepEqual(rs.map((r) => r.status).sort(), [201, 422], rs.map((r) => r.text).join(' '));
  assert.equal(count('objection'), n + 1);
  // a district inspector whose own membership is in the candidates' branch is recused from them
  const r = srv.cli(['user', 'add', 'discm', '--name', '纪检回避', '--password-file', '-', '--role', 'discipline', '--org', String(office.user.roles[0].org_id),
    '--member', String(colleague.id)], { input: PASSWORD + '\n' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const discm = await loginAs(srv.base, 'discm');
  const v = await ok(await discm.get(`/api/v1/notices/${notice.id}`));
  assert.deepEqual(v.objections, []);
  // the two members and the branch are all of the branch the inspector belongs to: no state shown
  assert.ok(v.notice.items.every((i) => !('state' in i)), JSON.stringify(v.notice.items));
  const o = (await staffView()).objections.at(-1);
  expectError(await discm.get(`/api/v1/objections/${o.id}`), 404, 'not_found');
  expectError(await discm.post(`/api/v1/objections/${o.id}/hold`), 404, 'not_found');
  // the desk counts only the undecided objections the inspector is not recused from: the demo's award cycle's own
  const others = Number(sql(`SELECT count(*) FROM objection WHERE status IN ('received', 'investigating') AND notice_id <> ${notice.id}`));
  const deskItem = (await ok(await discm.get('/api/v1/me/desk'))).sections.flatMap((s) => s.items).find((i) => i.key === 'objections_open');
  assert.equal(deskItem ? deskItem.count : 0, others);
});
