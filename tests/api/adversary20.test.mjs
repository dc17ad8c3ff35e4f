// adversary20.test.mjs: awards, 公示 notices with objections, played as an attacker or a careless
// user on this file's own demo database: a member stopped or transferred out between the vote and
// the approval; an objection to an item of another notice; a manual notice with source/ref_id
// spoofed in the body to pass for an award's item; phone verification bypassed (a code of another
// phone, a code used twice, an expired code); a name of markup and a text of 10 000 characters;
// the objector's name or phone in any answer or audit row; markup in award names on public pages.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, expectError, expectOk, sqlOn, Client, smsCode, daysFromToday, BACKEND, pgHolder, pgLockWait } from '../lib.mjs';

const srv = await startServerOn({ args: ['--sms-limit', '1000'] });
after(() => srv.stop());
const [office, town, secretary, secretary2] = await Promise.all(['office', 'town', 'secretary', 'secretary2'].map((u) => loginAs(srv.base, u)));
const anon = new Client(srv.base);
const rootId = office.user.roles[0].org_id;
const townId = town.user.roles[0].org_id;
const branchA = secretary.user.roles[0].org_id;
const sql = (q) => sqlOn(srv.db, q);
const ok = async (r, status = 200) => expectOk(r, status);
const YEAR = sql('SELECT substr(max(period_end), 1, 4) FROM review_round');
const today = daysFromToday(0);
let taken = 0; // each test its own members of the first branch
const membersOf = (org, n) => { const r = sql(`SELECT id FROM member WHERE org_id = ${org} AND active = 1 ORDER BY id LIMIT ${n} OFFSET ${taken}`).split('\n').map(Number); taken += n; return r; };
let seq = 0;
let phoneSeq = 0;
const newPhone = () => `1390000${String(++phoneSeq).padStart(4, '0')}`;
async function codeFor(phone) {
  sql('UPDATE sms_code SET created_at = created_at - 120');
  await ok(await anon.post('/api/v1/public/sms-codes', { phone }), 202);
  return smsCode(srv, phone);
}

/** A kind of office at (the district's by default) with the given members nominated, voted through and on 公示. */
async function noticed(members, name = `优秀共产党员A${++seq}`, reason = '事迹突出', by = office, at = rootId) {
  const k = (await ok(await by.post(`/api/v1/orgs/${at}/awards`, { name, subject: 'member', year: YEAR, quota: '10' }), 201)).award;
  await ok(await by.post(`/api/v1/awards/${k.id}/open`, {}));
  const noms = [];
  for (const m of members) noms.push((await ok(await secretary.post(`/api/v1/awards/${k.id}/nominations`, { subject_id: String(m), reason }), 201)).nomination);
  await ok(await by.post(`/api/v1/awards/${k.id}/close`, {}));
  for (const n of noms) await ok(await by.post(`/api/v1/award-nominations/${n.id}/vote`, { for: '9', against: '0', abstain: '0', entitled: '9', date: today }));
  const nt = await ok(await by.post(`/api/v1/awards/${k.id}/notice`, {}), 201);
  const notice = (await ok(await by.get(`/api/v1/notices/${nt.notice_id}`))).notice;
  return { k, noms, notice };
}
const codeRefused = (r) => expectError(r, 422, r.json?.error?.code, 'code');
const endNotice = (id) => sql(`UPDATE notice SET end_date = '${daysFromToday(-1)}' WHERE id = ${id}`);

test('a member stopped or transferred out after the vote is not approved', async () => {
  const [a, c] = membersOf(branchA, 2);
  const { noms, notice } = await noticed([a, c]);
  endNotice(notice.id);
  sql(`UPDATE member SET active = 0 WHERE id = ${a}`);
  const e = expectError(await office.post(`/api/v1/award-nominations/${noms[0].id}/approve`, {}), 409, 'subject_inactive', 'status');
  assert.match(e.message, /不在册|停止|转出/);
  // transferred out of the office's area: a town's kind, its member moved to the other town's branch
  const [b] = membersOf(branchA, 1);
  const branchB = secretary2.user.roles[0].org_id;
  const t = await noticed([b], `优秀共产党员T${++seq}`, '事迹突出', town, townId);
  endNotice(t.notice.id);
  sql(`UPDATE member SET org_id = ${branchB} WHERE id = ${b}`);
  expectError(await town.post(`/api/v1/award-nominations/${t.noms[0].id}/approve`, {}), 409, 'subject_inactive', 'status');
  assert.equal(sql(`SELECT status FROM award_nomination WHERE id = ${t.noms[0].id}`), 'passed');
  assert.equal(sql(`SELECT count(*) FROM award_nomination WHERE status = 'awarded' AND id IN (${noms[0].id})`), '0');
  // the one still in good standing is approved
  assert.equal((await ok(await office.post(`/api/v1/award-nominations/${noms[1].id}/approve`, {}))).nomination.status, 'awarded');
  // revoked, then approved again: refused
  await ok(await office.post(`/api/v1/award-nominations/${noms[1].id}/revoke`, { reason: '事迹不实' }));
  expectError(await office.post(`/api/v1/award-nominations/${noms[1].id}/approve`, {}), 409, 'not_passed', 'status');
});

test('a manual notice with source and ref_id spoofed in the body is no award item; an objection to another notice\'s item is refused', async () => {
  const [m] = membersOf(branchA, 1);
  const { noms, notice } = await noticed([m]);
  const spoof = await ok(await town.post(`/api/v1/orgs/${townId}/notices`, {
    title: '伪造', body: 'x', contact: '电话 0571-88880000', items: [{ subject_kind: 'member', subject_id: m, honour: '优秀', reason: '', source: 'award', ref_id: noms[0].id + 1000 }],
  }), 201);
  const items = (await ok(await town.get(`/api/v1/notices/${spoof.notice.id}`))).notice.items;
  assert.equal(items[0].source, 'manual');
  assert.notEqual(items[0].ref_id, noms[0].id + 1000);
  assert.equal(sql(`SELECT count(*) FROM notice_item WHERE source = 'award' AND notice_id = ${spoof.notice.id}`), '0');
  // an objection naming an item of the award notice under the manual notice's id
  const phone = newPhone();
  const before = sql('SELECT count(*) FROM objection');
  const code = await codeFor(phone);
  expectError(await anon.post('/api/v1/public/objections', { notice_id: spoof.notice.id, item_id: notice.items[0].id, name: '张三', phone, code, text: '该同志有违规问题请核实' }),
    422, 'invalid_item', 'item_id');
  assert.equal(sql('SELECT count(*) FROM objection'), before);
  // the refusal spent no code: the same code then signs an objection to the right notice's item
  await ok(await anon.post('/api/v1/public/objections', { notice_id: notice.id, item_id: notice.items[0].id, name: '张三', phone, code, text: '该同志有违规问题请核实' }), 201);
});

test('phone verification cannot be bypassed: another phone\'s code, a code used twice, an expired one', async () => {
  const [m] = membersOf(branchA, 1);
  const { notice } = await noticed([m]);
  const item = notice.items[0].id;
  const send = (phone, code, extra = {}) => anon.post('/api/v1/public/objections', { notice_id: notice.id, item_id: item, name: '李四', phone, code, text: '该同志有违规问题请核实', ...extra });
  const p1 = newPhone(), p2 = newPhone();
  const c1 = await codeFor(p1);
  const before = sql('SELECT count(*) FROM objection');
  codeRefused(await send(p2, c1));
  assert.equal(sql('SELECT count(*) FROM objection'), before);
  await ok(await send(p1, c1), 201);
  codeRefused(await send(p1, c1));
  const p3 = newPhone();
  const c3 = await codeFor(p3);
  sql('UPDATE sms_code SET expires_at = expires_at - 100000');
  codeRefused(await send(p3, c3));
  assert.equal(Number(sql('SELECT count(*) FROM objection')), Number(before) + 1);
});

test('an objector\'s name of markup, 10 000 characters of text; name and phone shown to no one but masked, never in the audit', async () => {
  const [m] = membersOf(branchA, 1);
  const { notice } = await noticed([m]);
  const item = notice.items[0].id;
  const phone = newPhone();
  const long = '很'.repeat(10000);
  const code = await codeFor(phone);
  const before = sql('SELECT count(*) FROM objection');
  const lr = await anon.post('/api/v1/public/objections', { notice_id: notice.id, item_id: item, name: '王五', phone, code, text: long });
  const e = expectError(lr, 422, lr.json?.error?.code, 'text');
  assert.match(e.message, /异议|内容|字/);
  assert.equal(sql('SELECT count(*) FROM objection'), before);
  const name = '<img src=x>王';
  const r = await anon.post('/api/v1/public/objections', { notice_id: notice.id, item_id: item, name, phone, code: await codeFor(phone), text: '<script>alert(2)</script>不实' });
  const j = await ok(r, 201);
  assert.ok(!JSON.stringify(j).includes(phone) && !JSON.stringify(j).includes('<img'), JSON.stringify(j));
  const oid = Number(sql('SELECT max(id) FROM objection'));
  // the office's page of the notice: escaped, masked
  const page = await office.get(`/notices/${notice.id}`);
  assert.equal(page.status, 200);
  assert.ok(!page.text.includes('<img src=x>') && !page.text.includes('<script>alert(2)'), 'markup escaped');
  assert.ok(!page.text.includes(phone), 'phone masked');
  // a secretary, another town's staff: no objections at all
  for (const u of [secretary, secretary2]) {
    const v = await u.get(`/api/v1/notices/${notice.id}`);
    assert.ok(!v.text.includes(phone.slice(-4) + '"') && !v.text.includes('<img') && !v.text.includes('objections'), v.text.slice(0, 300));
  }
  // no audit row carries the phone or the name in clear
  const rows = sql(`SELECT coalesce(before_json, '') || coalesce(after_json, '') FROM audit_log WHERE entity = 'objection' AND entity_id = ${oid}`);
  assert.ok(rows.length > 0);
  assert.ok(!rows.includes(phone) && !rows.includes('<img'), rows);
  // the tracking page says nothing of who
  const track = await ok(await anon.post('/api/v1/public/objection-track', { code: j.code }));
  assert.ok(!JSON.stringify(track).includes('<img') && !JSON.stringify(track).includes(phone), JSON.stringify(track));
});

test('markup in an award name and a nomination\'s reason is escaped on the public notice, its print, the card and the board', async () => {
  const [m] = membersOf(branchA, 1);
  const bad = `<script>alert(${++seq})</script>优秀`;
  const { k, noms, notice } = await noticed([m], bad, '<img src=x onerror=alert(1)>带头服务群众');
  assert.ok(notice.items[0].reason.includes('<img'), 'the reason is kept as written');
  for (const path of [`/p/notices/${notice.id}`, `/p/notices/${notice.id}/print`, '/p/notices', `/awards/${k.id}`, `/notices/${notice.id}`]) {
    const p = await (path.startsWith('/p/') ? anon : office).get(path);
    assert.equal(p.status, 200, `${path} ${p.text.slice(0, 300)}`);
    assert.ok(!p.text.includes('<script>alert(') && !p.text.includes('<img src=x'), `${path} carries raw markup`);
  }
  endNotice(notice.id);
  await ok(await office.post(`/api/v1/award-nominations/${noms[0].id}/approve`, {}));
  for (const path of [`/p/card/${m}`, `/p/board/${branchA}`]) {
    const p = await anon.get(path);
    if (p.status === 404) continue;
    assert.equal(p.status, 200, `${path} ${p.text.slice(0, 300)}`);
    assert.ok(!p.text.includes('<script>alert('), `${path} carries raw markup`);
  }
});

/** The key of db_lock(d, what, id) on PostgreSQL (store/db.c): FNV-1a of what, mixed with id. */
function lockKey(what, id) {
  const M = (1n << 64n) - 1n;
  let h = 1469598103934665603n;
  for (const b of Buffer.from(what)) h = ((h ^ BigInt(b)) * 1099511628211n) & M;
  h ^= (BigInt(id) * 0x9e3779b97f4a7c15n) & M;
  return BigInt.asIntN(64, h).toString();
}

test('approval racing an objection accepted as the period ended: the approval waits for it and is refused', async () => {
  const [m] = membersOf(branchA, 1);
  const { noms, notice } = await noticed([m]);
  const item = notice.items[0].id;
  const approve = () => office.post(`/api/v1/award-nominations/${noms[0].id}/approve`, {});
  if (BACKEND !== 'pg') { // SQLite: the two writes run one after the other; either way no approval
    const phone = newPhone();
    const code = await codeFor(phone);
    const [o, a] = await Promise.all([
      anon.post('/api/v1/public/objections', { notice_id: notice.id, item_id: item, name: '赵六', phone, code, text: '该同志有违规问题请核实' }), approve()]);
    await ok(o, 201);
    expectError(a, 409, 'notice_pending', 'status');
    endNotice(notice.id);
    expectError(await approve(), 409, 'notice_pending', 'status');
    return;
  }
  // the objection, accepted on the last day of the period and not yet committed (what
  // objection_submit does under the notice's lock); meanwhile the day has passed
  endNotice(notice.id);
  const h = pgHolder(srv.db);
  await h.run(`BEGIN; SELECT pg_advisory_xact_lock(${lockKey('notice', notice.id)}); ` +
    `INSERT INTO objection (notice_id, item_id, office_id, code_hash, name_enc, name_mask, phone_enc, phone_mask, text, status, created_at) VALUES ` +
    `(${notice.id}, ${item}, ${rootId}, decode('0a0b', 'hex'), decode('00', 'hex'), '赵*', decode('00', 'hex'), '139****0000', '该同志有违规问题请核实', 'received', 1)`);
  const a = approve();
  const waited = await Promise.race([a.then(() => false), pgLockWait(srv.db, 'SELECT 1 FROM (SELECT pg_advisory_xact_lock%').then(() => true)]);
  await h.run('COMMIT');
  h.end();
  const r = await a;
  assert.ok(waited, `the approval did not wait for the objection being filed: ${r.status} ${r.text.slice(0, 200)}`);
  expectError(r, 409, 'notice_pending', 'status');
  assert.equal(sql(`SELECT status FROM award_nomination WHERE id = ${noms[0].id}`), 'passed');
});

test('approval racing the member\'s deactivation: the approval waits for it and is refused', async () => {
  const [m] = membersOf(branchA, 1);
  const { noms, notice } = await noticed([m]);
  endNotice(notice.id);
  const approve = () => office.post(`/api/v1/award-nominations/${noms[0].id}/approve`, {});
  let r;
  if (BACKEND !== 'pg') { // SQLite: the writes run one after the other; the deactivation first
    sql(`UPDATE member SET active = 0 WHERE id = ${m}`);
    r = await approve();
  } else {
    // the deactivation, written and not yet committed
    const h = pgHolder(srv.db);
    await h.run(`BEGIN; UPDATE member SET active = 0 WHERE id = ${m}`);
    const a = approve();
    const waited = await Promise.race([a.then(() => false), pgLockWait(srv.db, 'UPDATE member SET active = active%').then(() => true)]);
    await h.run('COMMIT');
    h.end();
    r = await a;
    assert.ok(waited, `the approval did not wait for the deactivation: ${r.status} ${r.text.slice(0, 200)}`);
  }
  expectError(r, 409, 'subject_inactive', 'status');
  assert.equal(sql(`SELECT status FROM award_nomination WHERE id = ${noms[0].id}`), 'passed');
});
