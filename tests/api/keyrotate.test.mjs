// keyrotate.test.mjs: `cxzy key rotate` as an operator uses it after a key file may have leaked.
// A district with members (身份证号, phones), public feedback (sender encrypted, a tracking code
// handed out), ballots from a device token, a draw commitment and a phone draw is rotated to a new
// key: afterwards the old key is refused by every command, the new key opens everything (reveal
// shows the 身份证号 and phone, the duplicate check still catches the same person, the old
// tracking code answers, the device is still known, the committed seed and the drawn phones
// decrypt), `audit verify` and `recount` pass and a key.rotate record is there. Refused, and
// nothing changed: a wrong old key, a new key file that is something else, a running server, and
// a rotation that fails half-way (one transaction: the database stays with the old key).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, KEY, BACKEND, startServerOn, loginAs, Client, expectError, newIdcard, multipartBody, sqlOn } from '../lib.mjs';

const dir = mkdtempSync(join(process.env.CXZY_TEST_DIR || '/tmp', 'rotate-'));
/** The binary on db with an explicit --key (nothing from the environment). */
function run(db, key, args) {
  const env = { ...process.env, CXZY_DB: db };
  delete env.CXZY_KEY;
  const r = spawnSync(BIN, [...args, '--key', key], { encoding: 'utf8', env, timeout: 120000 });
  return { status: r.status, out: r.stdout, err: r.stderr };
}
const rotate = (db, oldKey, newKey) => run(db, oldKey, ['key', 'rotate', '--new-key', newKey]);
const hex = (col) => (BACKEND === 'pg' ? `encode(${col}, 'hex')` : `hex(${col})`);
const agg = (x) => (BACKEND === 'pg' ? `string_agg(${x}, ',')` : `group_concat(${x}, ',')`);
/** Everything a rotation rewrites, as stored: to tell "nothing changed" from "something changed". */
const snapshot = (db) => [
  `SELECT ${agg(`${hex('idcard_enc')} || ${hex('idcard_hash')}`)} FROM (SELECT * FROM member ORDER BY id) m`,
  `SELECT ${agg(hex('contact_enc'))} FROM (SELECT * FROM feedback ORDER BY id) f`,
  `SELECT ${agg('hash')} FROM (SELECT hash FROM audit_log ORDER BY seq) a`,
  'SELECT check_value FROM key_check',
].map((q) => sqlOn(db, q));

async function ok(r, status = 200) {
  assert.equal(r.status, status, `${r.status} ${r.text.slice(0, 400)}`);
  return r.json;
}
const contactList = (phones) => '手机号,姓名\n' + phones.map((p, i) => `${p},群众${i + 1}`).join('\n') + '\n';
const commit = async (c, org) => (await ok(await c.post(`/api/v1/orgs/${org}/draw-commitments`, { purpose: 'phone' }), 201)).commitment;
async function draw(c, org, fields, phones) {
  return c.req('POST', `/api/v1/orgs/${org}/phone-import`,
    await multipartBody([...Object.entries(fields).map(([k, v]) => [k, String(v)]), ['file', Buffer.from(contactList(phones)), 'list.csv']]));
}

// ---- the district before the rotation ----
let srv = await startServerOn({ members: 40 });
const db = srv.db;
const newKey = join(dir, 'new.key');
let srv2 = null;
after(async () => { if (srv) await srv.stop(); if (srv2) await srv2.stop(); });

const office = await loginAs(srv.base, 'office');
const sec = await loginAs(srv.base, 'secretary');
const branch = sec.user.roles[0].org_id;
const rootId = office.user.roles[0].org_id;
const idcard = newIdcard('19790606');
const person = (await ok(await sec.post(`/api/v1/orgs/${branch}/members`,
  { name: '轮换前党员', idcard, phone: '13912345678', joined_date: '2001-07-01' }), 201)).member;
const anon = new Client(srv.base);
const fb = await ok(await anon.post('/api/v1/public/feedback',
  { kind: 'opinion', text: '轮换密钥之前提交的意见：路灯坏了', channel: 'web', name: '王小二', contact: '13700001111' }), 201);
const fbId = Number(sqlOn(db, "SELECT id FROM feedback WHERE text = '轮换密钥之前提交的意见：路灯坏了'"));
// a round and ballots from one device
const camp = (await ok(await office.get(`/api/v1/orgs/${rootId}/campaigns`))).campaigns[0];
await ok(await office.post(`/api/v1/orgs/${rootId}/rounds`, { campaign_id: camp.id, name: '轮换测试轮次', start_date: camp.start_date,
  end_date: camp.end_date, questions: 'party3' }), 201);
const memberId = (await loginAs(srv.base, 'member')).user.member_id;
const device = (await ok(await anon.get(`/api/v1/public/rating?target_kind=member&target_id=${memberId}`))).device;
await ok(await anon.post('/api/v1/public/ballots', { channel: 'web', target_kind: 'member', target_id: memberId, answers: '112', device }), 201);
// a phone draw (phones encrypted) and a commitment kept for later (seed encrypted)
const phones = Array.from({ length: 8 }, (_, i) => `1360000${String(1000 + i)}`);
const drawn = await ok(await draw(sec, branch, { target_kind: 'member', target_id: memberId, n: 3, commitment_id: (await commit(sec, branch)).id }, phones), 201);
const drawId = drawn.draw.id;
const kept = await commit(sec, branch);
let current = KEY; // the database's key file as the tests go

test('while the server runs, a rotation is refused and changes nothing', () => {
  const before = snapshot(db);
  const r = rotate(db, KEY, join(dir, 'busy.key'));
  assert.equal(r.status, 3, r.err);
  assert.match(r.err, /请先停止/);
  assert.match(r.err, /密钥未轮换|正被其他进程使用|其他会话/);
  assert.ok(!existsSync(join(dir, 'busy.key')), 'no key file left behind');
  assert.deepEqual(snapshot(db), before);
});

test('after the server stops: a wrong old key and a new key file that is not a key are refused (exit 3), nothing changed', async () => {
  await srv.stop();
  srv = null;
  const before = snapshot(db);
  // another database's key as the "old" one
  const other = join(dir, 'other.key');
  assert.equal(run(join(dir, 'other.db'), other, ['init']).status, 0);
  const w = rotate(db, other, join(dir, 'never.key'));
  assert.equal(w.status, 3, w.err);
  assert.match(w.err, /与此数据库不匹配/);
  assert.ok(!existsSync(join(dir, 'never.key')));
  // the new key "file" is the database, or a note: never overwritten
  const note = join(dir, 'note.txt');
  writeFileSync(note, '这是一个笔记，不是密钥\n', { mode: 0o600 });
  const n = rotate(db, KEY, note);
  assert.equal(n.status, 3, n.err);
  assert.match(n.err, /不是可用的密钥文件/);
  assert.equal(readFileSync(note, 'utf8'), '这是一个笔记，不是密钥\n');
  // the same key again, and the key file itself as the new one
  assert.equal(rotate(db, KEY, KEY).status, 2);
  assert.deepEqual(snapshot(db), before);
  assert.equal(run(db, KEY, ['audit', 'verify']).status, 0);
});

test('an audit chain that does not verify is not re-signed: the rotation is refused until it is looked into', () => {
  sqlOn(db, "UPDATE audit_log SET actor = actor || 'x' WHERE seq = 2");
  const before = snapshot(db);
  const r = rotate(db, KEY, join(dir, 'chain.key'));
  assert.equal(r.status, 3, r.err);
  assert.match(r.err, /审计日志校验未通过（1 处问题）/);
  assert.ok(!existsSync(join(dir, 'chain.key')));
  assert.deepEqual(snapshot(db), before);
  sqlOn(db, 'UPDATE audit_log SET actor = substr(actor, 1, length(actor) - 1) WHERE seq = 2');
  assert.equal(run(db, KEY, ['audit', 'verify']).status, 0);
});

test('an encrypted column the rotation does not know (a later migration that forgot keyrotate.c) is refused, not left under the old key', () => {
  sqlOn(db, `ALTER TABLE org ADD COLUMN note_enc ${BACKEND === 'pg' ? 'BYTEA' : 'BLOB'}`);
  const before = snapshot(db);
  const r = rotate(db, KEY, join(dir, 'unknown.key'));
  assert.equal(r.status, 3, r.err);
  assert.match(r.err, /不认识的加密列 org\.note_enc/);
  assert.deepEqual(snapshot(db), before);
  sqlOn(db, 'ALTER TABLE org DROP COLUMN note_enc');
});

test('a rotation that fails half-way (a field that does not open, after the members were re-encrypted) leaves the database with the old key', () => {
  const copyKey = join(dir, 'half.key');
  // the last draw commitment made unreadable: members, feedback and draws come first
  const victim = Number(sqlOn(db, 'SELECT max(id) FROM draw_commitment'));
  const saved = sqlOn(db, `SELECT ${hex('seed_enc')} FROM draw_commitment WHERE id = ${victim}`);
  const blob = BACKEND === 'pg' ? `decode('${'00'.repeat(60)}', 'hex')` : `X'${'00'.repeat(60)}'`;
  sqlOn(db, `UPDATE draw_commitment SET seed_enc = ${blob} WHERE id = ${victim}`);
  const before = snapshot(db);
  const r = rotate(db, KEY, copyKey);
  assert.equal(r.status, 3, r.err);
  assert.match(r.err, /draw_commitment\.seed_enc/);
  assert.match(r.err, /数据库没有任何改动，仍使用旧密钥/);
  assert.ok(!existsSync(copyKey), 'the key made for the failed run is removed');
  assert.deepEqual(snapshot(db), before, 'every re-encrypted member and re-MACed record rolled back');
  const restore = BACKEND === 'pg' ? `decode('${saved}', 'hex')` : `X'${saved}'`;
  sqlOn(db, `UPDATE draw_commitment SET seed_enc = ${restore} WHERE id = ${victim}`);
  assert.equal(run(db, KEY, ['audit', 'verify']).status, 0);
});

/** Runs `key rotate` and kills it in the middle of its transaction, after it has written: on SQLite
 * a file size limit kills it (SIGXFSZ) as its write-ahead log grows past 64 KB; on PostgreSQL it
 * is stepped (SIGSTOP / SIGCONT) until the database shows its open transaction has run an UPDATE,
 * then killed (SIGKILL). Returns the signal it died of. */
async function rotateAndCrash(db, oldKey, newKeyPath) {
  const env = { ...process.env, CXZY_DB: db };
  delete env.CXZY_KEY;
  const args = ['key', 'rotate', '--new-key', newKeyPath, '--key', oldKey];
  if (BACKEND !== 'pg') {
    const r = spawnSync('prlimit', ['--fsize=65536', BIN, ...args], { encoding: 'utf8', env, timeout: 120000 });
    return r.signal;
  }
  const proc = spawn(BIN, args, { env, stdio: 'ignore' });
  const exited = new Promise((resolve) => proc.on('exit', (code, sig) => resolve(sig || `exit ${code}`)));
  const ino = statSync(oldKey).ino;
  // past its checks once it holds the key file exclusively (read from /proc/locks: no probe that
  // could take a lock itself); only then may this test open sessions of its own
  const holds = () => readFileSync('/proc/locks', 'utf8').split('\n')
    .some((l) => / FLOCK .* WRITE /.test(l) && l.includes(` ${proc.pid} `) && l.includes(`:${ino} `));
  const deadline = Date.now() + 60000;
  while (!holds()) {
    if (proc.exitCode !== null || Date.now() > deadline) return `not caught: ${await exited}`;
    await new Promise((r) => setImmediate(r));
  }
  const midway = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() " +
    "AND xact_start IS NOT NULL AND query LIKE 'UPDATE %'";
  for (;;) {
    proc.kill('SIGSTOP');
    while (!/^\d+ \(.*\) T/.test(readFileSync(`/proc/${proc.pid}/stat`, 'utf8'))) {
      if (proc.exitCode !== null || Date.now() > deadline) return `not caught: ${await exited}`;
      await new Promise((r) => setImmediate(r));
    }
    if (sqlOn(db, midway) === '1') break;
    proc.kill('SIGCONT');
    if (Date.now() > deadline) break;
  }
  proc.kill('SIGKILL');
  const sig = await exited;
  // the server side of the killed session goes away (rolling its transaction back) on its own
  const others = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'";
  while (sqlOn(db, others) !== '0') {
    if (Date.now() > deadline) return `session left behind after ${sig}`;
    await new Promise((r) => setImmediate(r));
  }
  return sig;
}

test('a crash in the middle of the rotation leaves the database with the old key; a rerun with the same new key finishes it', async () => {
  const crashKey = join(dir, 'crash.key');
  const before = snapshot(db);
  const sig = await rotateAndCrash(db, KEY, crashKey);
  assert.match(String(sig), /^SIG(XFSZ|KILL)$/, `killed mid-way: ${sig}`);
  assert.deepEqual(snapshot(db), before, 'nothing of the unfinished rotation is in the database');
  const v = run(db, KEY, ['audit', 'verify']);
  assert.equal(v.status, 0, v.out + v.err);
  assert.equal(run(db, crashKey, ['audit', 'verify']).status, 3, 'the new key does not open it');
  // the key file the crashed run made is kept (0600) and a rerun uses it
  assert.equal(statSync(crashKey).mode & 0o777, 0o600);
  const again = rotate(db, KEY, crashKey);
  assert.equal(again.status, 0, again.err);
  assert.equal(run(db, crashKey, ['audit', 'verify']).status, 0);
  current = crashKey;
});

test('rotation: the old key is refused everywhere, the new key opens everything', async () => {
  const before = snapshot(db);
  const r = rotate(db, current, newKey);
  assert.equal(r.status, 0, r.err + r.out);
  assert.match(r.out, /已轮换密钥/);
  assert.equal(statSync(newKey).mode & 0o777, 0o600, 'the new key file is 0600');
  const after = snapshot(db);
  for (let i = 0; i < after.length; i++) assert.notEqual(after[i], before[i], `rewritten: ${i}`);
  // the old key: refused by every command, exit 3
  for (const args of [['audit', 'verify'], ['recount', '--round', '1'], ['serve', '--listen', '127.0.0.1:1'], ['key', 'rotate', '--new-key', join(dir, 'x.key')]]) {
    const o = run(db, current, args);
    assert.equal(o.status, 3, `${args[0]}: ${o.err}`);
    assert.match(o.err, /与此数据库不匹配/);
  }
  // the new key: audit chain and recount
  const v = run(db, newKey, ['audit', 'verify']);
  assert.equal(v.status, 0, v.out + v.err);
  for (const round of sqlOn(db, 'SELECT id FROM review_round').split('\n').filter(Boolean)) {
    const rc = run(db, newKey, ['recount', '--round', round]);
    assert.equal(rc.status, 0, rc.out + rc.err);
  }
  const rec = sqlOn(db, "SELECT actor || '|' || entity || '|' || after_json FROM audit_log WHERE action = 'key.rotate'");
  assert.match(rec, /^命令行（[^）|]+）\|database\|\{"old_check":/);
  assert.ok(!rec.includes(idcard) && !rec.includes(readFileSync(newKey, 'utf8').trim()), 'neither data nor key in the record');

  // the server on the new key
  srv2 = await startServerOn({ db, demo: false, args: ['--key', newKey] });
  const sec2 = await loginAs(srv2.base, 'secretary');
  const full = (await ok(await sec2.post(`/api/v1/members/${person.id}/reveal`))).full;
  assert.deepEqual([full.idcard, full.phone], [idcard, '13912345678']);
  // the same person again: still caught by the (recomputed) 身份证号 hash
  expectError(await sec2.post(`/api/v1/orgs/${branch}/members`, { name: '同一人', idcard, joined_date: '2001-07-01' }), 409, 'duplicate_member', 'idcard');
  // the tracking code handed out before still answers, the sender still opens
  const anon2 = new Client(srv2.base);
  const t = await ok(await anon2.post('/api/v1/public/track', { code: fb.code }));
  assert.ok(t.tracking, JSON.stringify(t));
  const handler = Number(sqlOn(db, `SELECT org_id FROM feedback WHERE id = ${fbId}`));
  const revealers = ['office', 'town', 'secretary'];
  let sender = null;
  for (const u of revealers) {
    const c = await loginAs(srv2.base, u);
    const rv = await c.post(`/api/v1/feedback/${fbId}/reveal`);
    if (rv.status === 200) { sender = rv.json.sender; break; }
  }
  assert.deepEqual(sender, { name: '王小二', contact: '13700001111' }, `feedback ${fbId} at org ${handler}`);
  // the device that voted is still known: its repeat is refused, a token it did not get is not valid
  expectError(await anon2.post('/api/v1/public/ballots', { channel: 'web', target_kind: 'member', target_id: memberId, answers: '111', device }), 409, 'duplicate_ballot');
  // the phone draw's numbers and the kept commitment's seed open under the new key
  const nums = (await ok(await sec2.post(`/api/v1/phone-draws/${drawId}/reveal`)));
  for (const p of JSON.stringify(nums).match(/1360000\d{4}/g) || []) assert.ok(phones.includes(p));
  assert.equal((JSON.stringify(nums).match(/1360000\d{4}/g) || []).length >= 3, true, JSON.stringify(nums).slice(0, 300));
  const d2 = await draw(sec2, branch, { target_kind: 'member', target_id: memberId, n: 2, commitment_id: kept.id }, phones);
  assert.equal(d2.status, 201, d2.text);
  await srv2.stop();
  srv2 = null;
  const v2 = run(db, newKey, ['audit', 'verify']);
  assert.equal(v2.status, 0, v2.out + v2.err);
});
