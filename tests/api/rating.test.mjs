// rating.test.mjs: public rating (群众评议) over HTTP on this file's own demo database: service
// windows; anonymous ballots by QR/web with server-issued device tokens (without a verified phone
// they are kept as the unverified indicator, never in the figures); 不满意 with a reason and an SMS
// code read from the server log (the `log` gateway); duplicate and stuffed ballots refused and counted as
// invalid (same device, same phone with a new device, a device that voted with a phone, the same
// sheet code, the per-address limit on a second server); paper questionnaire batches with their
// issued / returned / valid counts; phone sampling reproducible from list and seed; results per
// target and organisation; anonymity (no staff route, page, export or audit record shows a phone,
// a device token or which sheet gave which answers); and the recount agreeing with the roll-ups.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { startServerOn, Client, loginAs, expectError, multipartBody, BACKEND, unzip, xlsxFromRows, scratchFile, smsCode, sqlOn, redrawCommitted } from '../lib.mjs';

// bursts off here: ballots-trust.test.mjs holds them; this file rates from one address many times
const srv = await startServerOn({ args: ['--ballot-limit', '1000', '--burst-target', '0', '--burst-net', '0'] });
after(() => srv.stop());
const [office, secretary, member, secretary2, town] = await Promise.all(
  ['office', 'secretary', 'member', 'secretary2', 'town'].map((u) => loginAs(srv.base, u)));
const anon = new Client(srv.base);
const branch = secretary.user.roles[0].org_id;
const branch2 = secretary2.user.roles[0].org_id;
const rootId = office.user.roles[0].org_id;
const memberId = member.user.member_id;

/** Runs SQL on the test database (to let time pass for SMS codes without waiting, and to look at the ballot table). */
const sql = sqlOn;
/** The office opens a review round over the whole district (party3 questions), inside the demo
 * campaign's period. */
async function openRound(base) {
  const off = await loginAs(base, 'office');
  const root = off.user.roles[0].org_id;
  const camp = (await off.get(`/api/v1/orgs/${root}/campaigns`)).json.campaigns[0];
  const r = await off.post(`/api/v1/orgs/${root}/rounds`, { campaign_id: camp.id, name: '2011年上半年', start_date: camp.start_date,
    end_date: camp.end_date, questions: 'party3' });
  assert.equal(r.status, 201, r.text);
  return r.json.round;
}

async function ok(r, status = 200) {
  assert.equal(r.status, status, `${r.status} ${r.text.slice(0, 400)}`);
  return r.json;
}
/** A device token issued by the server (the rating form's answer carries one). */
const deviceOn = async (base) => (await ok(await new Client(base).get(`/api/v1/public/rating?target_kind=org&target_id=${branch}`))).device;
const device = () => deviceOn(srv.base);
const ballot = (c, body) => c.post('/api/v1/public/ballots', { channel: 'web', ...body });
const result = async (c, kind, id) => (await ok(await c.get(`/api/v1/${kind}s/${id}/ratings`))).result;

await openRound(srv.base);
const round = (await ok(await anon.get(`/api/v1/public/rating?target_kind=member&target_id=${memberId}`))).round;

// what must never show up where staff look: filled in as the tests go
const SECRETS = { phones: [], devices: [], codes: [] };

test('service windows: create, edit, deactivate; the public page, its QR code and print view', async () => {
  expectError(await secretary.post(`/api/v1/orgs/${branch}/windows`, { name: '  ' }), 400, 'required', 'name');
  expectError(await secretary.post(`/api/v1/orgs/${branch}/windows`, { name: '长'.repeat(41) }), 400, 'too_long', 'name');
  const w = (await ok(await secretary.post(`/api/v1/orgs/${branch}/windows`, { name: '便民服务窗口', location: '村委会一楼' }), 201)).window;
  assert.equal(w.name, '便民服务窗口');
  assert.equal(w.org_id, branch);
  const ed = (await ok(await secretary.patch(`/api/v1/windows/${w.id}`, { name: '便民服务代办窗口' }))).window;
  assert.equal(ed.name, '便民服务代办窗口');
  assert.equal(ed.location, '村委会一楼', 'fields not sent keep their value');
  const list = (await ok(await member.get(`/api/v1/orgs/${branch}/windows`))).windows;
  assert.ok(list.some((x) => x.id === w.id));
  // another branch's secretary neither sees nor edits it
  expectError(await secretary2.get(`/api/v1/windows/${w.id}`), 404, 'not_found');
  expectError(await secretary2.patch(`/api/v1/windows/${w.id}`, { name: '越权' }), 404, 'not_found');
  // public page, QR code (pointing at the rating form) and print view
  const page = await anon.get(`/p/window/${w.id}`);
  assert.equal(page.status, 200);
  assert.ok(page.text.includes('便民服务代办窗口') && page.text.includes(`/p/rate/window/${w.id}`));
  const qr = await anon.get(`/p/window/${w.id}/qr.svg`);
  assert.match(qr.headers.get('content-type'), /^image\/svg\+xml/);
  assert.match(qr.text, /^<svg[\s\S]*<\/svg>$/);
  const print = await anon.get(`/p/window/${w.id}/print`);
  assert.ok(print.text.includes('<svg') && print.text.includes(`/p/rate/window/${w.id}?via=qr`));
  const info = await ok(await anon.get(`/api/v1/public/rating?target_kind=window&target_id=${w.id}`));
  assert.equal(info.open, true);
  assert.equal(info.questions.length, 6, 'windows are rated on the six questions of seed 004');
  assert.equal(info.questions[0].text, '政策落实情况');
  // deactivated: gone from the public
  await ok(await secretary.post(`/api/v1/windows/${w.id}/deactivate`));
  assert.equal((await anon.get(`/p/window/${w.id}`)).status, 404);
  expectError(await ballot(anon, { target_kind: 'window', target_id: w.id, answers: '111111', device: await device() }), 404, 'not_found');
  await ok(await secretary.post(`/api/v1/windows/${w.id}/activate`));
  const b = await ballot(anon, { target_kind: 'window', target_id: w.id, answers: '121111', device: await device(), channel: 'qr' });
  assert.equal(b.status, 201, b.text);
  assert.deepEqual([b.json.ballot.counted, b.json.ballot.status], [false, 'unverified'], 'no verified phone: the indicator only');
  const res = await result(secretary, 'window', w.id);
  assert.deepEqual([res.valid, res.unverified], [0, 1]);
  assert.equal(res.questions.length, 6);
  assert.equal(res.questions[1].basic, 0);
  assert.equal(res.unverified_indicator.basic, 1);
});

test('the rating form: open round, questions of seed 002, what cannot be rated', async () => {
  const info = await ok(await anon.get(`/api/v1/public/rating?target_kind=member&target_id=${memberId}`));
  assert.equal(info.open, true);
  assert.equal(info.round.name, '2011年上半年');
  assert.deepEqual(info.questions.map((q) => q.text), ['党性观念强不强', '联系群众够不够', '发挥先锋模范作用明显不明显']);
  assert.deepEqual(info.answer_options.map((o) => o.label), ['满意', '基本满意', '不满意']);
  assert.equal(info.sms_required, true);
  const orgInfo = await ok(await anon.get(`/api/v1/public/rating?target_kind=org&target_id=${branch}`));
  assert.equal(orgInfo.questions.length, 3);
  expectError(await anon.get('/api/v1/public/rating?target_kind=person&target_id=1'), 400, 'invalid_target_kind', 'target_kind');
  expectError(await anon.get('/api/v1/public/rating?target_kind=member&target_id=abc'), 400, 'invalid_target', 'target_id');
  expectError(await anon.get('/api/v1/public/rating?target_kind=member&target_id=987654'), 404, 'not_found');
  // only public pledges: a draft is not there
  const mine = (await ok(await member.get('/api/v1/me/pledges'))).pledges;
  const draft = mine.find((p) => p.status === 'draft'), open = mine.find((p) => p.status === 'in_progress');
  expectError(await anon.get(`/api/v1/public/rating?target_kind=pledge&target_id=${draft.id}`), 404, 'not_found');
  assert.equal((await ok(await anon.get(`/api/v1/public/rating?target_kind=pledge&target_id=${open.id}`))).open, true);
  const b = await ballot(anon, { target_kind: 'pledge', target_id: open.id, answers: '111', device: await device() });
  assert.equal(b.status, 201, b.text);
  assert.equal((await result(secretary, 'pledge', open.id)).unverified, 1);
  // the page: form with radio buttons, and the device cookie
  const page = await anon.get(`/p/rate/member/${memberId}`);
  assert.equal(page.status, 200);
  assert.equal((page.text.match(/type="radio"/g) || []).length, 9);
  assert.match(page.headers.get('set-cookie') || '', /cxzy_rater=[0-9a-f]{32}\.[0-9a-f]{32}; Path=\/p\/;.*HttpOnly/);
});

test('one device counts once: the repeat is refused with 409 and counted as invalid', async () => {
  const before = await result(secretary, 'member', memberId);
  const dev = await device();
  SECRETS.devices.push(dev);
  const b1 = await ballot(anon, { target_kind: 'member', target_id: memberId, answers: '112', comment: '办事热情', device: dev });
  assert.equal((await ok(b1, 201)).ballot.status, 'unverified');
  const e = expectError(await ballot(anon, { target_kind: 'member', target_id: memberId, answers: '111', device: dev }), 409, 'duplicate_ballot');
  assert.match(e.message, /已经评价过/);
  const after1 = await result(secretary, 'member', memberId);
  assert.equal(after1.valid, before.valid, 'an unverified web ballot is not counted');
  assert.equal(after1.unverified, before.unverified + 1);
  assert.equal(after1.invalid, before.invalid + 1, 'the repeat is kept as an invalid ballot');
  assert.equal(after1.unverified_indicator.basic, before.unverified_indicator.basic + 1);
  assert.equal(after1.questions[2].basic, before.questions[2].basic);
  // the same device may rate another target
  assert.equal((await ballot(anon, { target_kind: 'org', target_id: branch, answers: '111', device: dev })).status, 201);
  // at once: twelve tries from one device (written in the same group commits) count once;
  // twenty distinct devices are twenty unverified ballots
  const w = (await ok(await secretary.post(`/api/v1/orgs/${branch}/windows`, { name: '并发测试窗口' }), 201)).window;
  const same = await device();
  const burst = await Promise.all(Array.from({ length: 12 }, () => ballot(anon, { target_kind: 'window', target_id: w.id, answers: '111111', device: same })));
  assert.deepEqual(burst.map((r) => r.status).sort(), [201, ...Array(11).fill(409)]);
  const many = await Promise.all(Array.from({ length: 20 }, async () => ballot(anon, { target_kind: 'window', target_id: w.id, answers: '112111', device: await device() })));
  assert.deepEqual([...new Set(many.map((r) => r.status))], [201]);
  const wr = await result(secretary, 'window', w.id);
  assert.deepEqual([wr.valid, wr.unverified, wr.invalid, wr.unverified_indicator.basic, wr.rate_x10000], [0, 21, 11, 20, null]);
  // bad input changes nothing
  for (const [body, code, field] of [
    [{ answers: '11' }, 'invalid_answers', 'answers'], [{ answers: '114' }, 'invalid_answers', 'answers'],
    [{ answers: '111', device: 'short' }, 'invalid_device', 'device'], [{ answers: '111', device: undefined }, 'invalid_device', 'device'],
    [{ answers: '111', device: 'a'.repeat(32) }, 'invalid_device', 'device'], // a value the client made up
    [{ answers: '111', device: `${'0'.repeat(32)}.${'f'.repeat(32)}` }, 'invalid_device', 'device'], // shaped like a token, not signed
    [{ answers: '111', channel: 'paper' }, 'invalid_channel', 'channel'], [{ answers: '111', comment: '长'.repeat(501) }, 'too_long', 'comment'],
  ]) {
    const r = await ballot(anon, { target_kind: 'member', target_id: memberId, device: await device(), ...body });
    expectError(r, 400, code, field);
  }
  assert.deepEqual(await result(secretary, 'member', memberId), after1);
});

test('comments sent at once, written in one group commit, keep every character', async () => {
  // PostgreSQL writes a batch's ballots in one INSERT over arrays: quotes, backslashes, braces,
  // commas and new lines must come back as they were sent, each with its own ballot
  const w = (await ok(await secretary.post(`/api/v1/orgs/${branch}/windows`, { name: '意见原样保存窗口' }), 201)).window;
  const texts = ['T8-0 "引号"', 'T8-1 反斜杠\\ 和 \\"', 'T8-2 {花括号},逗号', 'T8-3 NULL', 'T8-4 换行\n第二行\r\n第三行',
    'T8-5 \t制表', "T8-6 '单引号'", 'T8-7 \\x41 看似转义'];
  const sent = await Promise.all(texts.map(async (comment) =>
    ballot(anon, { target_kind: 'window', target_id: w.id, answers: '111111', comment, device: await device() })));
  assert.deepEqual([...new Set(sent.map((r) => r.status))], [201]);
  const hex = sql(srv.db, `SELECT ${BACKEND === 'pg' ? "string_agg(encode(convert_to(comment, 'UTF8'), 'hex'), ',')" : "group_concat(lower(hex(comment)), ',')"} ` +
    `FROM ballot WHERE target_kind = 'window' AND target_id = ${w.id}`);
  assert.deepEqual(hex.split(',').sort(), texts.map((t) => Buffer.from(t, 'utf8').toString('hex')).sort());
});

test('不满意 needs a reason and a phone verified by an SMS code; one phone counts once', async () => {
  const phone = '13800138001', phone2 = '13900139002';
  SECRETS.phones.push(phone, phone2);
  const dev = await device();
  SECRETS.devices.push(dev);
  const body = { target_kind: 'member', target_id: memberId, answers: '131', device: dev };
  const before = await result(secretary, 'member', memberId);
  expectError(await ballot(anon, body), 400, 'required', 'reason');
  expectError(await ballot(anon, { ...body, reason: '群众反映办事拖拉' }), 400, 'required', 'phone');
  expectError(await ballot(anon, { ...body, reason: '群众反映办事拖拉', phone: '1380013' }), 400, 'invalid_phone', 'phone');
  expectError(await ballot(anon, { ...body, reason: '群众反映办事拖拉', phone }), 400, 'required', 'code');
  expectError(await ballot(anon, { ...body, reason: '群众反映办事拖拉', phone, code: '123456' }), 400, 'code_expired', 'code');
  // ask for a code: bad numbers refused, one a minute
  expectError(await anon.post('/api/v1/public/sms-codes', { phone: '12345' }), 400, 'invalid_phone', 'phone');
  assert.equal((await ok(await anon.post('/api/v1/public/sms-codes', { phone }), 202)).expires_in, 600);
  expectError(await anon.post('/api/v1/public/sms-codes', { phone }), 429, 'rate_limited', 'phone');
  const code = await smsCode(srv, phone);
  const wrong = code === '000000' ? '111111' : '000000';
  expectError(await ballot(anon, { ...body, reason: '群众反映办事拖拉', phone, code: wrong }), 400, 'wrong_code', 'code');
  assert.deepEqual(await result(secretary, 'member', memberId), before, 'refused ballots change nothing');
  const r = await ballot(anon, { ...body, reason: '群众反映办事拖拉', phone, code });
  assert.equal((await ok(r, 201)).ballot.counted, true);
  // a code is used once
  expectError(await ballot(anon, { ...body, device: await device(), reason: '再投一次', phone, code }), 400, 'code_expired', 'code');
  // the same phone from a new device: refused and counted invalid
  // the same number written another way is the same phone (still within its minute)
  expectError(await anon.post('/api/v1/public/sms-codes', { phone: '+86 138-0013-8001' }), 429, 'rate_limited', 'phone');
  sql(srv.db, 'UPDATE sms_code SET created_at = created_at - 120'); // past the one-a-minute limit, without waiting
  await ok(await anon.post('/api/v1/public/sms-codes', { phone }), 202);
  const code2 = await smsCode(srv, phone);
  assert.notEqual(code2, code);
  const dup = await ballot(anon, { ...body, device: await device(), reason: '换个手机再投', phone, code: code2 });
  expectError(dup, 409, 'duplicate_ballot');
  // the device that voted with that phone, now without a phone (all 满意): refused too
  expectError(await ballot(anon, { ...body, answers: '111' }), 409, 'duplicate_ballot');
  const now = await result(secretary, 'member', memberId);
  assert.equal(now.valid, before.valid + 1);
  assert.equal(now.invalid, before.invalid + 2);
  assert.equal(now.questions[1].unsatisfied, before.questions[1].unsatisfied + 1);
  // a device that voted alone, then again with a (new) phone: refused
  const dev2 = await device();
  assert.equal((await ballot(anon, { target_kind: 'org', target_id: branch, answers: '111', device: dev2 })).status, 201);
  await ok(await anon.post('/api/v1/public/sms-codes', { phone: phone2 }), 202);
  const code3 = await smsCode(srv, phone2);
  expectError(await ballot(anon, { target_kind: 'org', target_id: branch, answers: '333', reason: '换成不满意', phone: phone2, code: code3, device: dev2 }),
    409, 'duplicate_ballot');
  // an expired code: refused (time moved on by rewriting the expiry, not by waiting)
  sql(srv.db, 'UPDATE sms_code SET created_at = created_at - 700, expires_at = expires_at - 700');
  await ok(await anon.post('/api/v1/public/sms-codes', { phone: phone2 }), 202);
  const code4 = await smsCode(srv, phone2);
  sql(srv.db, 'UPDATE sms_code SET expires_at = 1');
  expectError(await ballot(anon, { target_kind: 'member', target_id: memberId, answers: '311', reason: '过期', phone: phone2, code: code4, device: await device() }),
    400, 'code_expired', 'code');
  // five wrong tries use a code up
  sql(srv.db, 'UPDATE sms_code SET created_at = created_at - 700');
  await ok(await anon.post('/api/v1/public/sms-codes', { phone: phone2 }), 202);
  const code5 = await smsCode(srv, phone2);
  const bad = code5 === '000000' ? '111111' : '000000';
  const b5 = { target_kind: 'member', target_id: memberId, answers: '311', reason: '多次试错', phone: phone2, device: await device() };
  for (let i = 0; i < 5; i++) expectError(await ballot(anon, { ...b5, code: bad }), 400, 'wrong_code', 'code');
  expectError(await ballot(anon, { ...b5, code: code5 }), 429, 'too_many_attempts', 'code');
});

test('paper questionnaires: N sheets with codes, keyed in once each; 发出 / 收回 / 有效', async () => {
  const townOrg = town.user.roles[0].org_id;
  expectError(await town.post(`/api/v1/orgs/${townOrg}/paper-batches`, { target_kind: 'member', target_id: memberId, sheets: 2001 }), 400,
    'invalid_sheets', 'sheets');
  expectError(await town.post(`/api/v1/orgs/${townOrg}/paper-batches`, { target_kind: 'pledge', target_id: 1, sheets: 2 }), 400,
    'invalid_target_kind', 'target_kind');
  expectError(await secretary2.post(`/api/v1/orgs/${branch2}/paper-batches`, { target_kind: 'member', target_id: memberId, sheets: 2 }), 404,
    'not_found', 'target_id');
  // issued by the level above (the town's office), not by the branch's own secretary
  const created = await ok(await town.post(`/api/v1/orgs/${townOrg}/paper-batches`,
    { target_kind: 'member', target_id: memberId, sheets: 6, note: '入户发放' }), 201);
  const batch = created.batch;
  assert.deepEqual([batch.issued, batch.returned, batch.valid, batch.issued_by_name], [6, 0, 0, '镇党委组织委员']);
  const got = await ok(await town.get(`/api/v1/paper-batches/${batch.id}`));
  const codes = got.codes;
  assert.equal(codes.length, 6);
  assert.equal(new Set(codes).size, 6, 'codes are unique');
  for (const c of codes) assert.match(c, /^[0-9A-HJKMNP-TV-Z]{9}$/);
  SECRETS.codes.push(...codes);
  // the print view: six sheets, each with its code (dashed for reading aloud) and the questions
  const print = await town.get(`/paper-batches/${batch.id}/print`);
  assert.equal(print.status, 200);
  assert.equal((print.text.match(/class="print-sheet paper-sheet"/g) || []).length, 6);
  assert.ok(print.text.includes(`${codes[0].slice(0, 4)}-${codes[0].slice(4, 8)}-${codes[0][8]}`));
  assert.ok(print.text.includes('发挥先锋模范作用明显不明显'));
  const before = await result(secretary, 'member', memberId);
  const key = (body) => town.post(`/api/v1/paper-batches/${batch.id}/sheets`, body);
  // typed as people type: lower case, dashes
  const typed = `${codes[0].slice(0, 4).toLowerCase()}-${codes[0].slice(4)}`;
  assert.equal((await ok(await key({ code: typed, answers: '111' }), 201)).counted, true);
  assert.equal((await ok(await key({ code: codes[1], answers: '121', comment: '纸质问卷意见' }), 201)).counted, true);
  assert.equal((await ok(await key({ code: codes[2], answers: '113', reason: '办事慢' }), 201)).counted, true);
  assert.equal((await ok(await key({ code: codes[3], spoiled: true }), 201)).counted, false);
  // the same code again: refused, counted invalid, the sheet counts once
  expectError(await key({ code: codes[1], answers: '111' }), 409, 'duplicate_ballot', 'code');
  // a typo (check character) and a code of another batch / none
  const typo = codes[4].slice(0, 8) + (codes[4][8] === '0' ? '1' : '0');
  expectError(await key({ code: typo, answers: '111' }), 400, 'code_check', 'code');
  expectError(await key({ code: 'ABC', answers: '111' }), 400, 'invalid_code', 'code');
  expectError(await key({ code: '000000000', answers: '111' }), 404, 'unknown_code', 'code');
  expectError(await key({ code: codes[4], answers: '1' }), 400, 'invalid_answers', 'answers');
  expectError(await secretary2.post(`/api/v1/paper-batches/${batch.id}/sheets`, { code: codes[4], answers: '111' }), 404, 'not_found');
  const b = (await ok(await town.get(`/api/v1/paper-batches/${batch.id}`))).batch;
  assert.deepEqual([b.issued, b.returned, b.valid, b.spoiled], [6, 4, 3, 1]);
  const now = await result(secretary, 'member', memberId);
  assert.equal(now.valid, before.valid + 3);
  assert.equal(now.invalid, before.invalid + 2, 'one spoiled sheet and one repeat');
  // who issued and who keyed in, shown and audited
  const shown = await ok(await secretary.get(`/api/v1/paper-batches/${batch.id}`));
  assert.deepEqual(shown.keyed_by.map((k) => [k.name, k.sheets]), [['镇党委组织委员', 4]]);
  const audit = (await ok(await office.get(`/api/v1/orgs/${rootId}/audit?per_page=500`))).records;
  assert.ok(audit.some((a) => a.entity === 'paper_batch' && a.entity_id === batch.id && a.action === 'create' && a.actor === 'town'));
  assert.deepEqual(audit.filter((a) => a.entity === 'paper_batch' && a.entity_id === batch.id && a.action === 'key_in').map((a) => a.actor),
    ['town', 'town', 'town', 'town']);
  // per round and organisation, as seed 002 counts them (发出 … 收回有效 …)
  const org = await ok(await secretary.get(`/api/v1/orgs/${branch}/ratings`));
  assert.deepEqual(org.paper, { issued: 6, returned: 4, valid: 3 });
  const list = (await ok(await town.get(`/api/v1/orgs/${townOrg}/paper-batches?round_id=${round.id}`))).batches;
  assert.ok(list.some((x) => x.id === batch.id && x.valid === 3));
  // a leader sees the counts but never the codes
  const leader = await loginAs(srv.base, 'leader');
  const lv = await ok(await leader.get(`/api/v1/paper-batches/${batch.id}`));
  assert.equal(lv.codes, undefined);
});

test('纸质问卷 of a branch: its own secretary alone can neither issue a batch nor key in sheets that count', async () => {
  // issuing for the branch itself, one of its members or its window: refused, nothing made
  const w = (await ok(await secretary.post(`/api/v1/orgs/${branch}/windows`, { name: '支部自评窗口' }), 201)).window;
  const count = async () => (await ok(await town.get(`/api/v1/orgs/${branch}/paper-batches`))).batches.length;
  const n0 = await count();
  for (const body of [{ target_kind: 'org', sheets: 50 }, { target_kind: 'member', target_id: memberId, sheets: 50 },
    { target_kind: 'window', target_id: w.id, sheets: 50 }])
    expectError(await secretary.post(`/api/v1/orgs/${branch}/paper-batches`, body), 403, 'not_level_above', 'target_id');
  const page = await secretary.req('POST', `/orgs/${branch}/paper-batches`, { body: new URLSearchParams({ target: `org:${branch}`, sheets: '5' }).toString(),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  assert.equal(page.status, 403);
  assert.equal(await count(), n0, 'no batch was made');
  // the town issues; the branch's secretary gets neither the codes nor the print view, and may not key in
  const batch = (await ok(await town.post(`/api/v1/orgs/${branch}/paper-batches`, { target_kind: 'org', sheets: 3 }), 201)).batch;
  const codes = (await ok(await town.get(`/api/v1/paper-batches/${batch.id}`))).codes;
  SECRETS.codes.push(...codes);
  const seen = await ok(await secretary.get(`/api/v1/paper-batches/${batch.id}`));
  assert.equal(seen.codes, undefined, 'the branch does not hold the codes of its own questionnaires');
  assert.equal((await secretary.get(`/paper-batches/${batch.id}/print`)).status, 403);
  const before = await result(town, 'org', branch);
  for (const code of codes)
    expectError(await secretary.post(`/api/v1/paper-batches/${batch.id}/sheets`, { code, answers: '111' }), 403, 'not_level_above', 'id');
  const mid = (await ok(await town.get(`/api/v1/paper-batches/${batch.id}`))).batch;
  assert.deepEqual([mid.returned, mid.valid], [0, 0], 'nothing the secretary keyed in counts');
  assert.deepEqual(await result(town, 'org', branch), before);
  // the level above keys them in: they count, and say who did it
  await ok(await town.post(`/api/v1/paper-batches/${batch.id}/sheets`, { code: codes[0], answers: '111' }), 201);
  const after = (await ok(await town.get(`/api/v1/paper-batches/${batch.id}`)));
  assert.deepEqual([after.batch.valid, after.batch.issued_by_name, after.keyed_by.map((k) => k.name)], [1, '镇党委组织委员', ['镇党委组织委员']]);
  // the district office is the level above too
  await ok(await office.post(`/api/v1/paper-batches/${batch.id}/sheets`, { code: codes[1], answers: '112' }), 201);
  const names = (await ok(await town.get(`/api/v1/paper-batches/${batch.id}`))).keyed_by.map((k) => k.name).sort();
  assert.deepEqual(names, ['区委活动办公室', '镇党委组织委员'].sort());
});

/** A CSV contact list: a header, phones with names, a repeat. */
function contactList(phones) {
  return '手机号,姓名\n' + phones.map((p, i) => `${p},群众${i + 1}`).join('\n') + `\n${phones[0]},重复\n`;
}
/** A commitment for a phone draw at org: the seed's SHA-256 only. */
const commit = async (c, org) => (await ok(await c.post(`/api/v1/orgs/${org}/draw-commitments`, { purpose: 'phone' }), 201)).commitment;
/** Uploads a list for a draw; without commitment_id in fields, a fresh commitment is made first. */
async function upload(c, org, fields, csv, name = 'list.csv') {
  const f = 'commitment_id' in fields ? fields : { ...fields, commitment_id: (await commit(c, org)).id };
  return c.req('POST', `/api/v1/orgs/${org}/phone-import`,
    await multipartBody([...Object.entries(f).map(([k, v]) => [k, v]), ['file', Buffer.isBuffer(csv) ? csv : Buffer.from(csv), name]]));
}
const sha256 = (s) => createHash('sha256').update(s).digest('hex');
/** Re-runs a committed draw from its published inputs (tests/lib.mjs, redrawCommitted). Returns
 * the digest, the numbers drawn and their 1-based places in the canonical list. */
function redraw(seed, numbers, n) {
  const { list, digest, picks } = redrawCommitted(seed, numbers, n);
  return { digest, numbers: picks.map((i) => list[i]), indexes: picks.map((i) => i + 1) };
}
const maskOf = (p) => p.slice(0, 3) + '****' + p.slice(7);

test('phone sampling: the seed is committed by the server before the list; the list order and a chosen seed do not steer the draw', async () => {
  // the uploader's planted numbers first, then the rest: with the old draw (seed and file order
  // chosen by the uploader) the planted numbers could be made to come out
  const planted = ['13700000001', '13700000002', '13700000003', '13700000004', '13700000005'];
  const rest = Array.from({ length: 25 }, (_, i) => `137${String(20000000 + i * 7919).padStart(8, '0')}`);
  SECRETS.phones.push(...planted, ...rest);
  const fields = { target_kind: 'member', target_id: memberId, n: 5 };
  // a seed from the client is refused (and uses no commitment up); so is a draw without a commitment
  const c1 = await commit(secretary, branch);
  assert.match(c1.seed_sha256, /^[0-9a-f]{64}$/);
  assert.equal(c1.seed, undefined, 'the seed is not shown before the draw');
  expectError(await upload(secretary, branch, { ...fields, seed: '1', commitment_id: c1.id }, contactList([...planted, ...rest])), 400,
    'seed_not_accepted', 'seed');
  expectError(await secretary.req('POST', `/api/v1/orgs/${branch}/phone-import`, await multipartBody([['target_kind', 'member'],
    ['target_id', memberId], ['n', 5], ['file', Buffer.from(contactList(planted)), 'l.csv']])), 400, 'commitment_required', 'commitment_id');
  const page = await secretary.get(`/orgs/${branch}/rating`);
  assert.ok(page.text.includes(c1.seed_sha256), 'the rating page shows the open commitment');
  // the draw: the seed revealed matches the commitment shown before the upload
  const d1 = (await ok(await upload(secretary, branch, { ...fields, commitment_id: c1.id }, contactList([...planted, ...rest])), 201)).draw;
  assert.deepEqual([d1.method, d1.committed, d1.commitment_id, d1.seed_sha256, d1.population, d1.n], ['committed-v1', true, c1.id, c1.seed_sha256, 30, 5]);
  assert.match(d1.seed, /^[0-9a-f]{64}$/);
  assert.equal(d1.committed_at, c1.created_at, 'the commitment\'s time is on the draw');
  assert.ok(d1.committed_at_text <= d1.drawn_at_text, 'committed, then drawn');
  assert.equal(sha256(d1.seed), c1.seed_sha256, 'sha256(seed) is the commitment');
  // anyone re-runs it from the seed and the list in ANY order: the same entries
  const e1 = (await ok(await secretary.get(`/api/v1/phone-draws/${d1.id}`))).entries;
  const shuffled = [...rest.slice().reverse(), ...planted.slice().reverse(), planted[0]];
  const again = redraw(d1.seed, shuffled, 5);
  assert.equal(d1.list_digest, again.digest, 'the digest is SHA-256 of the sorted list');
  assert.deepEqual(e1.map((x) => [x.list_index, x.phone_mask]), again.indexes.map((ix, i) => [ix, maskOf(again.numbers[i])]));
  const full = (await ok(await secretary.post(`/api/v1/phone-draws/${d1.id}/reveal`))).entries;
  assert.deepEqual(full.map((x) => x.phone), again.numbers);
  // and with the shipped binary, no database: `cxzy redraw --seed … --commitment … list`
  const listFile = scratchFile(`redraw-${process.pid}.csv`, contactList(shuffled));
  const rr = srv.cli(['redraw', '--seed', d1.seed, '--n', '5', '--commitment', c1.seed_sha256, listFile]);
  assert.equal(rr.status, 0, rr.stderr);
  assert.ok(rr.stdout.includes('与抽签承诺相符') && rr.stdout.includes(d1.list_digest));
  assert.deepEqual(rr.stdout.trim().split('\n').slice(-5), again.numbers.map((p, i) => `${i + 1} ${again.indexes[i]} ${p}`));
  const wrong = srv.cli(['redraw', '--seed', d1.seed.replace(/^./, (ch) => (ch === '0' ? '1' : '0')), '--n', '5', '--commitment', c1.seed_sha256, listFile]);
  assert.equal(wrong.status, 1, 'another seed does not match the commitment');
  // the commitment is used once; a commitment made for another branch is not usable here
  expectError(await upload(secretary, branch, { ...fields, commitment_id: c1.id }, contactList(planted)), 409, 'commitment_used', 'commitment_id');
  const other = await commit(secretary2, branch2);
  expectError(await upload(secretary, branch, { ...fields, commitment_id: other.id }, contactList(planted)), 404, 'not_found', 'commitment_id');
  // the same numbers uploaded in another order, with a new commitment: the same canonical list
  const c2 = await commit(secretary, branch);
  const d2 = (await ok(await upload(secretary, branch, { ...fields, n: 30, commitment_id: c2.id }, contactList(shuffled)), 201)).draw;
  assert.equal(d2.list_digest, d1.list_digest);
  assert.equal(sha256(d2.seed), c2.seed_sha256);
  const e2 = (await ok(await secretary.get(`/api/v1/phone-draws/${d2.id}`))).entries;
  assert.deepEqual(e2.map((x) => x.phone_mask), redraw(d2.seed, [...planted, ...rest], 30).numbers.map(maskOf));
  // two uploads racing for one commitment: exactly one draw
  const c3 = await commit(secretary, branch);
  const race = await Promise.all([0, 1, 2].map(() => upload(secretary, branch, { ...fields, commitment_id: c3.id }, contactList(rest))));
  assert.deepEqual(race.map((r) => r.status).sort(), [201, 409, 409], race.map((r) => r.text.slice(0, 200)).join('\n'));
  // the page says how to check and re-run it
  const dp = await secretary.get(`/phone-draws/${d1.id}`);
  assert.ok(dp.text.includes(d1.seed) && dp.text.includes(c1.seed_sha256) && dp.text.includes('sha256sum'));
  // the audit log holds the commitment (hash only) before the draw (seed and digest)
  const audit = (await ok(await office.get(`/api/v1/orgs/${rootId}/audit?per_page=500`))).records;
  const ca = audit.find((a) => a.entity === 'draw_commitment' && a.entity_id === c1.id);
  const da = audit.find((a) => a.entity === 'phone_draw' && a.entity_id === d1.id && a.action === 'create');
  assert.ok(ca && da && ca.seq < da.seq, 'committed, then drawn');
  assert.ok(!JSON.stringify(ca).includes(d1.seed), 'the commitment record holds no seed');
});

test('phone sampling: lists are normalised and checked; operators key in answers', async () => {
  const phones = Array.from({ length: 30 }, (_, i) => `137${String(10000000 + i * 7919).padStart(8, '0')}`);
  SECRETS.phones.push(...phones);
  const csv = contactList(phones);
  const d1 = (await ok(await upload(secretary, branch, { target_kind: 'member', target_id: memberId, n: 5 }, csv), 201)).draw;
  assert.deepEqual([d1.population, d1.n, d1.pending], [30, 5, 5]);
  assert.match(d1.list_digest, /^[0-9a-f]{64}$/);
  const e1 = (await ok(await secretary.get(`/api/v1/phone-draws/${d1.id}`))).entries;
  assert.deepEqual(e1.map((x) => x.seq), [1, 2, 3, 4, 5]);
  const sorted = [...phones].sort();
  for (const x of e1) {
    assert.equal(x.phone, undefined, 'the list shows masks only');
    assert.equal(x.phone_mask, maskOf(sorted[x.list_index - 1]), 'list_index is the place in the sorted list');
  }
  // everyone in a second draw (the same people, for the repeat check below)
  const d2 = (await ok(await upload(secretary, branch, { target_kind: 'member', target_id: memberId, n: 30 }, csv), 201)).draw;
  const e2 = (await ok(await secretary.get(`/api/v1/phone-draws/${d2.id}`))).entries;
  // the list as an Excel workbook (numbers typed as numbers) gives the same population and digest
  const xl = xlsxFromRows([['手机号', '姓名'], ...phones.map((p, i) => [Number(p), `群众${i + 1}`])]);
  const dx = (await ok(await upload(secretary, branch, { target_kind: 'member', target_id: memberId, n: 5 }, xl, 'list.xlsx'), 201)).draw;
  assert.deepEqual([dx.population, dx.list_digest], [d1.population, d1.list_digest]);
  // bad lists and numbers are refused whole
  expectError(await upload(secretary, branch, { target_kind: 'member', target_id: memberId, n: 2 }, '手机号\n13700000001\n12345\n'), 400, 'invalid_list', 'file');
  expectError(await upload(secretary, branch, { target_kind: 'member', target_id: memberId, n: 31 }, csv), 400, 'invalid_n', 'n');
  expectError(await upload(secretary2, branch2, { target_kind: 'member', target_id: memberId, n: 2 }, csv), 404, 'not_found', 'target_id');
  // operators: the full numbers (audited), then answers and outcomes per entry
  const full = (await ok(await secretary.post(`/api/v1/phone-draws/${d1.id}/reveal`))).entries;
  assert.deepEqual(full.map((x) => x.phone), e1.map((x) => sorted[x.list_index - 1]));
  const before = await result(secretary, 'member', memberId);
  const answer = (body) => secretary.post(`/api/v1/phone-draws/${d1.id}/answers`, body);
  await ok(await answer({ seq: 1, outcome: 'answered', answers: '112', comment: '电话回访意见' }));
  expectError(await answer({ seq: 1, outcome: 'answered', answers: '111' }), 409, 'entry_done', 'seq');
  await ok(await answer({ seq: 2, outcome: 'unreachable' }));
  await ok(await answer({ seq: 3, outcome: 'refused' }));
  expectError(await answer({ seq: 3, outcome: 'answered', answers: '111' }), 409, 'entry_done', 'seq');
  expectError(await answer({ seq: 4, outcome: 'maybe' }), 400, 'invalid_outcome', 'outcome');
  expectError(await answer({ seq: 99, outcome: 'answered', answers: '111' }), 404, 'not_found', 'seq');
  expectError(await answer({ seq: 4, outcome: 'answered', answers: '11' }), 400, 'invalid_answers', 'answers');
  const d = (await ok(await secretary.get(`/api/v1/phone-draws/${d1.id}`))).draw;
  assert.deepEqual([d.answered, d.unreachable, d.refused, d.pending], [1, 1, 1, 2]);
  const now = await result(secretary, 'member', memberId);
  assert.equal(now.valid, before.valid + 1);
  // the same person reached again through the second draw: one phone counts once
  const dup = e2.find((x) => x.list_index === e1[0].list_index);
  expectError(await secretary.post(`/api/v1/phone-draws/${d2.id}/answers`, { seq: dup.seq, outcome: 'answered', answers: '111' }), 409, 'duplicate_ballot');
  // a phone that rated by SMS on the web is the same rater on the phone
  const web = (await ok(await upload(secretary, branch, { target_kind: 'member', target_id: memberId, n: 1 }, '13800138001\n'), 201)).draw;
  expectError(await secretary.post(`/api/v1/phone-draws/${web.id}/answers`, { seq: 1, answers: '111' }), 409, 'duplicate_ballot');
  // the audit log has the reveal of the numbers
  const audit = (await ok(await office.get(`/api/v1/orgs/${rootId}/audit`))).records;
  assert.ok(audit.some((a) => a.action === 'reveal' && a.entity === 'phone_draw' && a.entity_id === d1.id));
});

test('results per target and organisation for staff in scope; the roll-up agrees with the ballots', async () => {
  const org = await ok(await secretary.get(`/api/v1/orgs/${branch}/ratings`));
  assert.equal(org.round.id, round.id);
  const targets = org.targets;
  const m = targets.find((t) => t.target_kind === 'member' && t.target_id === memberId);
  assert.ok(m, 'the member is among the rated targets');
  const direct = await result(secretary, 'member', memberId);
  assert.deepEqual([m.valid, m.invalid, m.satisfied, m.basic, m.unsatisfied], [direct.valid, direct.invalid, direct.satisfied, direct.basic, direct.unsatisfied]);
  const sum = (k) => targets.reduce((s, t) => s + t[k], 0);
  const sum2 = (k) => targets.reduce((s, t) => s + t.counted_by[k], 0);
  // the branch's roll-up counts exactly its targets' ballots
  assert.equal(org.totals.valid, sum('valid'));
  assert.equal(org.totals.invalid, sum('invalid'));
  assert.equal(org.totals.unsatisfied, sum('unsatisfied'));
  assert.equal(org.totals.unverified, sum('unverified'));
  assert.ok(org.totals.unverified > 0 && org.totals.valid > 0);
  // beside the figure: what it counts, by channel and verification
  const by = org.totals.counted_by;
  assert.equal(by.web_sms + by.paper + by.phone, org.totals.valid);
  assert.deepEqual([by.web_sms, by.paper, by.phone], [sum2('web_sms'), sum2('paper'), sum2('phone')]);
  assert.ok(by.web_sms > 0 && by.paper > 0 && by.phone > 0, JSON.stringify(by));
  assert.match(org.totals.basis_text, /^计入 \d+ 票：网上\/扫码（短信验证手机号）\d+，纸质问卷（编号核验）\d+，电话随机抽访 \d+$/);
  assert.match(org.totals.unverified_text, /未验证的网上评价 \d+ 票，仅供参考，不计入等次和满意率/);
  const all = org.totals.satisfied + org.totals.basic + org.totals.unsatisfied;
  assert.equal(org.totals.rate_x10000, Math.round((org.totals.satisfied + org.totals.basic) * 10000 / all));
  // the town above sees the branch among its children with the same figures
  const up = await ok(await town.get(`/api/v1/orgs/${town.user.roles[0].org_id}/ratings`));
  const child = up.children.find((c) => c.org_id === branch);
  assert.deepEqual([child.valid, child.invalid], [org.totals.valid, org.totals.invalid]);
  // comments are shown as text, never with who or when
  const mr = await ok(await secretary.get(`/api/v1/members/${memberId}/ratings`));
  assert.ok(mr.comments.some((c) => c.text === '群众反映办事拖拉' && c.kind === 'reason'));
  assert.deepEqual(Object.keys(mr.comments[0]).sort(), ['kind', 'kind_label', 'text']);
  // the page shows the same figures
  const page = await secretary.get(`/members/${memberId}/ratings`);
  assert.equal(page.status, 200);
  assert.ok(page.text.includes(`<strong id="valid">${direct.valid}</strong>`));
  assert.ok(page.text.includes(direct.basis_text) && page.text.includes('未验证的网上评价，仅供参考，不计入等次和满意率'));
  assert.ok(page.text.includes(`<strong id="unverified">${direct.unverified}</strong>`));
  // scope: another branch's secretary and the plain member role
  expectError(await secretary2.get(`/api/v1/orgs/${branch}/ratings`), 404, 'not_found');
  expectError(await secretary2.get(`/api/v1/members/${memberId}/ratings`), 404, 'not_found');
  expectError(await member.get(`/api/v1/members/${memberId}/ratings`), 403, 'forbidden');
  // XLSX export of the organisation's results
  const x = await secretary.get(`/api/v1/orgs/${branch}/ratings?format=xlsx`);
  assert.equal(x.status, 200);
  const sheet = unzip(x.buf)['xl/worksheets/sheet1.xml'].toString('utf8');
  assert.ok(sheet.includes('有效票（计入）') && sheet.includes('未验证的网上评价（不计入）'));
  // the recount from raw records finds no difference in the stored counters
  const rc = srv.cli(['recount', '--round', String(round.id)]);
  assert.equal(rc.status, 0, rc.stdout + rc.stderr);
});

test('anonymity: no staff route, page, export or audit record links a ballot to a phone, a device or a sheet', async () => {
  assert.ok(SECRETS.phones.length && SECRETS.devices.length && SECRETS.codes.length);
  const masks = SECRETS.phones.map((p) => p.slice(0, 3) + '****' + p.slice(7));
  const spec = (await anon.get('/api/v1/openapi.json')).json;
  const gets = [];
  for (const [path, item] of Object.entries(spec.paths))
    if (item.get && !path.startsWith('/public/') && !['/openapi.json', '/roster-template'].includes(path)) gets.push(path);
  const ids = { orgs: [branch, rootId], members: [memberId], windows: [], pledges: [], 'paper-batches': [], 'phone-draws': [], evidence: [] };
  ids.windows = (await ok(await office.get(`/api/v1/orgs/${branch}/windows?all=1`))).windows.map((w) => w.id);
  const org = await ok(await office.get(`/api/v1/orgs/${branch}/ratings`));
  ids['paper-batches'] = org.batches.map((b) => b.id);
  ids['phone-draws'] = org.draws.map((d) => d.id);
  ids.pledges = org.targets.filter((t) => t.target_kind === 'pledge').map((t) => t.target_id);
  const urls = [];
  for (const p of gets) {
    const m = p.match(/^\/([a-z-]+)\/\{id\}/);
    const list = m ? ids[m[1]] || [] : [null];
    for (const id of list) urls.push('/api/v1' + p.replace('{id}', String(id)));
  }
  urls.push(`/api/v1/orgs/${branch}/ratings?format=xlsx`, `/orgs/${branch}/rating`, `/members/${memberId}/ratings`,
    ...ids.windows.map((w) => `/windows/${w}/ratings`), ...ids['paper-batches'].map((b) => `/paper-batches/${b}`),
    ...ids['phone-draws'].map((d) => `/phone-draws/${d}`), `/orgs/${rootId}/audit`);
  let n = 0;
  for (const u of urls) {
    for (const c of [office, secretary]) {
      const r = await c.get(u);
      if (c === office && !u.startsWith('/api/')) assert.equal(r.status, 200, `${u}: ${r.text.slice(0, 200)}`);
      if (r.status !== 200) continue;
      const text = u.includes('format=xlsx') ? Object.values(unzip(r.buf)).map((b) => b.toString('utf8')).join('\n') : r.text;
      for (const p of SECRETS.phones) assert.ok(!text.includes(p), `${u} shows the phone ${p}`);
      if (/rating|paper-batches|audit/.test(u)) for (const m of masks) assert.ok(!text.includes(m), `${u} shows the masked phone ${m}`);
      for (const dv of SECRETS.devices) assert.ok(!text.includes(dv), `${u} shows a device token`);
      // sheet codes appear only in the batch's own code list (for printing), never beside answers
      const isBatch = /^\/(api\/v1\/)?paper-batches\/\d+$/.test(u);
      if (!isBatch) for (const code of SECRETS.codes) assert.ok(!text.includes(code), `${u} shows the sheet code ${code}`);
      if (isBatch && r.json) assert.deepEqual(Object.keys(r.json).filter((k) => !['batch', 'codes', 'keyed_by'].includes(k)), [],
        `${u}: only counts, codes (for the level above) and who keyed in how many`);
      assert.ok(!/rater_key|"ballot_id"|"answers":"\d/.test(text), `${u} shows a rater key, a ballot id or raw answers`);
      n++;
    }
  }
  assert.ok(n > 20, `only ${n} answers checked`);
  // the audit log records ballots per committed batch: counts, never a ballot or a target
  const audit = (await ok(await office.get(`/api/v1/orgs/${rootId}/audit`))).records.filter((a) => a.action === 'ballots');
  assert.ok(audit.length > 0);
  for (const a of audit) {
    assert.equal(a.entity, 'review_round');
    assert.deepEqual(Object.keys(JSON.parse(a.after)).sort(), ['channel', 'held', 'invalid', 'unverified', 'valid']);
  }
  // and the database keeps no phone, no device, no time of day beside a ballot
  const cols = sql(srv.db, BACKEND === 'pg'
    ? "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'ballot'"
    : "SELECT group_concat(name, ',') FROM pragma_table_info('ballot')");
  assert.equal(cols, 'id,round_id,target_kind,target_id,org_id,channel,questions,answers,comment,reason,valid,invalid_reason,rater_key,day,verified,hold,burst_id,late,part'); // part: the province of org_id (issue 20)
  assert.equal(sql(srv.db, "SELECT count(*) FROM ballot WHERE valid = 0 AND rater_key IS NOT NULL"), '0', 'invalid ballots keep no key');
});

test('the staff pages and their forms; the public form asks for an SMS code and keeps what was entered', async () => {
  const form = (c, path, fields) => c.req('POST', path, { body: new URLSearchParams(fields).toString(),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  const page = await secretary.get(`/orgs/${branch}/rating`);
  assert.equal(page.status, 200);
  assert.ok(page.text.includes('新建服务窗口') && page.text.includes('发放问卷') && page.text.includes('生成抽签承诺'));
  const made = await form(secretary, `/orgs/${branch}/windows`, { name: '表单新建窗口', location: '大厅' });
  assert.equal(made.status, 303, made.text.slice(0, 300));
  const wpath = made.headers.get('location');
  assert.match(wpath, /^\/windows\/\d+$/);
  const wp = await secretary.get(wpath);
  assert.ok(wp.status === 200 && wp.text.includes('表单新建窗口') && wp.text.includes('打印评价二维码'));
  // key a sheet in through the page's form (radio buttons q1..q3): the town, the level above
  const batch = (await ok(await town.post(`/api/v1/orgs/${branch}/paper-batches`, { target_kind: 'org', sheets: 2 }), 201)).batch;
  const codes = (await ok(await town.get(`/api/v1/paper-batches/${batch.id}`))).codes;
  SECRETS.codes.push(...codes);
  const k0 = await form(secretary, `/paper-batches/${batch.id}/sheets`, { code: codes[0], q1: '1', q2: '1', q3: '1' });
  assert.equal(k0.status, 403);
  assert.match(k0.text, /data-code="not_level_above"/);
  const k1 = await form(town, `/paper-batches/${batch.id}/sheets`, { code: codes[0], q1: '1', q2: '2', q3: '1' });
  assert.equal(k1.status, 303, 'the next sheet from a fresh page: a refresh keys nothing twice');
  const k1p = await town.get(k1.headers.get('location'));
  assert.ok(k1p.text.includes('已录入一份有效问卷') && k1p.text.includes('镇党委组织委员：1 份'));
  const k2 = await form(town, `/paper-batches/${batch.id}/sheets`, { code: codes[0], q1: '1', q2: '1', q3: '1' });
  assert.equal(k2.status, 409);
  assert.match(k2.text, /data-code="duplicate_ballot"/);
  assert.equal((await ok(await secretary.get(`/api/v1/paper-batches/${batch.id}`))).batch.valid, 1);
  // the phone draw from the page: a commitment first (its hash shown), then the upload
  const cm = await form(secretary, `/orgs/${branch}/draw-commitments`, { purpose: 'phone' });
  assert.equal(cm.status, 303);
  const rp = await secretary.get(`/orgs/${branch}/rating`);
  const shownHash = rp.text.match(/name="commitment_id"><option value="(\d+)">第 \d+ 号 · ([0-9a-f]{64}) · /);
  assert.ok(shownHash, 'the second step offers the commitment with its SHA-256');
  const draw = (await ok(await upload(secretary, branch, { target_kind: 'org', n: 1, commitment_id: shownHash[1] }, '13512345678\n'), 201)).draw;
  assert.equal(draw.seed_sha256, shownHash[2]);
  const dp = await secretary.get(`/phone-draws/${draw.id}`);
  assert.ok(dp.status === 200 && dp.text.includes('135****5678') && !dp.text.includes('13512345678'));
  const rv = await form(secretary, `/phone-draws/${draw.id}/reveal`, {});
  assert.ok(rv.status === 200 && rv.text.includes('13512345678'));
  const an = await form(secretary, `/phone-draws/${draw.id}/answers`, { seq: '1', outcome: 'answered', q1: '1', q2: '1', q3: '2' });
  assert.equal(an.status, 303, an.text.slice(0, 300));
  assert.ok((await secretary.get(an.headers.get('location'))).text.includes('已记录'));
  // the public form: "获取验证码" sends a code and shows the form again with the answers kept
  const pub = new Client(srv.base);
  await pub.get(`/p/rate/member/${memberId}`); // the device cookie
  const sms = await form(pub, `/p/rate/member/${memberId}`, { op: 'sms', q1: '3', q2: '1', q3: '1', reason: '态度不好', phone: '13611112222' });
  assert.equal(sms.status, 200);
  assert.ok(sms.text.includes('验证码已发送') && sms.text.includes('态度不好'));
  assert.match(sms.text, /id="q1-3" name="q1" value="3" required checked/);
  const code = await smsCode(srv, '13611112222');
  SECRETS.phones.push('13611112222');
  const sent = await form(pub, `/p/rate/member/${memberId}`, { op: 'submit', q1: '3', q2: '1', q3: '1', reason: '态度不好', phone: '13611112222', code });
  assert.equal(sent.status, 303, 'the thanks page by a redirect: a refresh casts nothing');
  const thanks = await pub.get(sent.headers.get('location'));
  assert.ok(thanks.text.includes('感谢您的评价'), thanks.text.slice(0, 500));
  // without the device cookie: refused, and the cookie is set for the next try
  const bare = await form(new Client(srv.base), `/p/rate/member/${memberId}`, { q1: '1', q2: '1', q3: '1' });
  assert.equal(bare.status, 400);
  assert.match(bare.text, /data-code="invalid_device"/);
  assert.match(bare.headers.get('set-cookie') || '', /cxzy_rater=/);
});

test('a closed round takes no more ballots', async () => {
  const w = (await ok(await secretary.post(`/api/v1/orgs/${branch}/windows`, { name: '临时窗口' }), 201)).window;
  // close every open round over the window: this file's and the demo's
  for (const rd of (await ok(await office.get(`/api/v1/orgs/${rootId}/rounds`))).rounds)
    if (rd.open) await ok(await office.post(`/api/v1/rounds/${rd.id}/close`));
  const info = await ok(await anon.get(`/api/v1/public/rating?target_kind=window&target_id=${w.id}`));
  assert.equal(info.open, false);
  assert.match(info.closed_message, /没有进行中的群众评议/);
  expectError(await ballot(anon, { target_kind: 'window', target_id: w.id, answers: '111111', device: await device() }), 409, 'rating_closed');
  const page = await anon.get(`/p/rate/window/${w.id}`);
  assert.ok(page.text.includes('没有进行中的群众评议'));
  expectError(await town.post(`/api/v1/orgs/${branch}/paper-batches`, { target_kind: 'window', target_id: w.id, sheets: 3 }), 409, 'rating_closed');
});

test('stuffing from one address stops at the per-address limit; refused ballots are not stored', async () => {
  // this server sends SMS through a site's own program (the cmd: gateway): here one that files them
  const outbox = scratchFile(`outbox-${process.pid}.txt`, '');
  const gw = scratchFile(`sms-gw-${process.pid}.sh`, `#!/bin/sh\nprintf '%s ' "$1" >> ${outbox}\ncat >> ${outbox}\necho >> ${outbox}\n`);
  chmodSync(gw, 0o755);
  const s2 = await startServerOn({ args: ['--ballot-limit', '3', '--sms-limit', '2', '--sms', `cmd:${gw}`] });
  try {
    await openRound(s2.base);
    const c = new Client(s2.base);
    const sec = await loginAs(s2.base, 'secretary');
    const mid = (await loginAs(s2.base, 'member')).user.member_id;
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await c.post('/api/v1/public/ballots', { target_kind: 'member', target_id: mid, answers: '111', device: await deviceOn(s2.base) })).status);
    assert.deepEqual(statuses, [201, 201, 201, 429, 429, 429]);
    const r = await c.post('/api/v1/public/ballots', { target_kind: 'member', target_id: mid, answers: '111', device: await deviceOn(s2.base) });
    const e = expectError(r, 429, 'rate_limited');
    assert.match(e.message, /过多/);
    const res = (await ok(await sec.get(`/api/v1/members/${mid}/ratings`))).result;
    assert.deepEqual([res.valid, res.unverified, res.invalid], [0, 3, 0]);
    // SMS codes per address
    assert.equal((await c.post('/api/v1/public/sms-codes', { phone: '13600000001' })).status, 202);
    assert.match(readFileSync(outbox, 'utf8'), /^13600000001 【创先争优】您的群众评议验证码是 \d{6}，/);
    assert.ok(!s2.log().includes('13600000001'), 'the cmd gateway does not log the code');
    assert.equal((await c.post('/api/v1/public/sms-codes', { phone: '13600000002' })).status, 202);
    expectError(await c.post('/api/v1/public/sms-codes', { phone: '13600000003' }), 429, 'rate_limited', 'phone');
  } finally {
    await s2.stop();
  }
});

test('the audit chain verifies, and the recount agrees, after all of this file\'s requests', () => {
  const r = srv.cli(['audit', 'verify']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const rc = srv.cli(['recount', '--round', String(round.id)]);
  assert.equal(rc.status, 0, rc.stdout + rc.stderr);
});
