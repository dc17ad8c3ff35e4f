// audit_chains.test.mjs: one audit chain per partition (issue 20). Two provinces of a national
// deployment (their subtrees given their own part, as partitioning does) each get a chain of their
// own, system-wide changes go to the root's. `cxzy audit verify` checks every chain and names it;
// an attacker with write access to the database edits a row of one chain, deletes the newest row
// of another, swaps two rows between chains and inserts a forged row: each time verify exits 3 and
// names the chain and the record, and once undone it passes again. Writers in both provinces at
// once leave both chains whole, and a province's first records sent at once make one chain head; on PostgreSQL a province's change goes through while the other
// province's chain head is locked (appends no longer wait on one row).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { BACKEND, startServerOn, loginAs, sqlOn } from '../lib.mjs';

const srv = await startServerOn({ members: 40 });
after(() => srv.stop());
const db = srv.db;
const sql = (q) => sqlOn(db, q);
const office = await loginAs(srv.base, 'office');
const root = office.user.roles[0].org_id;
// two organisations directly under the root become provinces: their subtrees get their own part
const [A, B] = sql(`SELECT id FROM org WHERE parent_id = ${root} ORDER BY id LIMIT 2`).split('\n').map(Number);
for (const p of [A, B]) sql(`UPDATE org SET part = ${p} WHERE path LIKE (SELECT path FROM org WHERE id = ${p}) || '%'`);
const rootPart = Number(sql(`SELECT part FROM org WHERE id = ${root}`));
assert.ok(rootPart !== A && rootPart !== B);

let made = 0;
async function child(parent) {
  const r = await office.post(`/api/v1/orgs/${parent}/children`, { type: 'branch', sector: 'rural', name: `链测试支部${++made}` });
  assert.equal(r.status, 201, r.text);
  return r.json;
}
const rows = (part) => Number(sql(`SELECT count(*) FROM audit_log WHERE part = ${part}`));
const head = (part) => Number(sql(`SELECT seq FROM audit_head WHERE part = ${part}`));
function verify() {
  const r = srv.cli(['audit', 'verify']);
  return { status: r.status, out: r.stdout + r.stderr };
}
function broken(what, chains) {
  const v = verify();
  assert.equal(v.status, 3, `${what}: verify must fail\n${v.out}`);
  for (const [part, seq] of chains)
    assert.match(v.out, new RegExp(`审计链 ${part}：共 \\d+ 条，\\d+ 处问题，最早在 #${seq}\\n`), `${what}: chain ${part} at #${seq}\n${v.out}`);
  return v.out;
}
function intact(what) {
  const v = verify();
  assert.equal(v.status, 0, `${what}\n${v.out}`);
  return v.out;
}

test('each province appends to its own chain; system-wide changes to the root\'s; verify reports every chain', async () => {
  const a0 = rows(A), b0 = rows(B), r0 = rows(rootPart);
  for (let i = 0; i < 3; i++) await child(A);
  for (let i = 0; i < 2; i++) await child(B);
  assert.equal((await office.patch('/api/v1/settings', { public_url: 'https://chain.example.org' })).status, 200);
  assert.equal(rows(A), a0 + 3);
  assert.equal(rows(B), b0 + 2);
  assert.equal(rows(rootPart), r0 + 1, 'a setting is system-wide: the root\'s chain');
  for (const p of [A, B, rootPart]) {
    assert.equal(head(p), rows(p), `chain ${p}'s head is its last record`);
    assert.equal(sql(`SELECT min(seq) || '-' || max(seq) FROM audit_log WHERE part = ${p}`), `1-${rows(p)}`, `chain ${p} counts from 1`);
  }
  const out = intact('three chains');
  for (const p of [A, B, rootPart]) assert.match(out, new RegExp(`审计链 ${p}：共 ${rows(p)} 条，无误`));
  // the audit page lists the subtree across chains, newest first to the second (records of
  // several chains within one second have no order between them: ts, then chain), with each
  // record's chain; each chain's records newest first
  const page = (await office.get(`/api/v1/orgs/${root}/audit?per_page=20`)).json.records;
  const ts = page.map((x) => x.time);
  assert.deepEqual(ts, [...ts].sort().reverse(), 'newest first');
  for (const p of [A, B, rootPart]) {
    const seqs = page.filter((x) => x.part === p).map((x) => x.seq);
    assert.deepEqual(seqs, [...seqs].sort((x, y) => y - x), `chain ${p} newest first`);
  }
  const key = (x) => `${x.part}:${x.seq}`;
  const ours = [`${B}:${rows(B)}`, `${B}:${rows(B) - 1}`, `${A}:${rows(A)}`, `${A}:${rows(A) - 1}`, `${A}:${rows(A) - 2}`];
  for (const k of ours) assert.ok(page.map(key).includes(k), `${k} listed: ${page.map(key).join(' ')}`);
});

test('an attacker edits, deletes, swaps and forges rows: verify names the chain and the record each time', async () => {
  await child(A), await child(A), await child(B), await child(B);
  intact('before the attacks');
  const nA = head(A), nB = head(B);

  // edit a record in the middle of A's chain
  const was = sql(`SELECT after_json FROM audit_log WHERE part = ${A} AND seq = 2`);
  sql(`UPDATE audit_log SET after_json = replace(after_json, '链测试', '篡改') WHERE part = ${A} AND seq = 2`);
  let out = broken('edited', [[A, 2]]);
  assert.match(out, new RegExp(`审计链 ${A}：审计记录 #2 的内容被修改`));
  assert.doesNotMatch(out, new RegExp(`审计链 ${B}：.*问题`));
  sql(`UPDATE audit_log SET after_json = '${was.replace(/'/g, "''")}' WHERE part = ${A} AND seq = 2`);
  intact('edit undone');

  // delete the newest record of B's chain
  const cols = 'part, seq, ts, actor_id, actor, action, entity, entity_id, org_id, before_json, after_json, result, prev_hash, hash';
  sql(`CREATE TABLE saved AS SELECT ${cols} FROM audit_log WHERE part = ${B} AND seq = ${nB}`);
  sql(`DELETE FROM audit_log WHERE part = ${B} AND seq = ${nB}`);
  out = broken('newest deleted', [[B, nB]]);
  assert.match(out, new RegExp(`审计链 ${B}：最后 1 条审计记录（#${nB - 1} 之后）已被删除`));
  sql(`INSERT INTO audit_log (${cols}) SELECT ${cols} FROM saved; DROP TABLE saved`);
  intact('delete undone');

  // swap two records between the chains: A's #1 goes to B and B's #1 to A
  const swap = () => sql(`UPDATE audit_log SET part = -1 WHERE part = ${A} AND seq = 1; ` +
    `UPDATE audit_log SET part = ${A} WHERE part = ${B} AND seq = 1; UPDATE audit_log SET part = ${B} WHERE part = -1 AND seq = 1`);
  swap();
  out = broken('swapped', [[A, 1], [B, 1]]);
  assert.match(out, new RegExp(`审计链 ${A}：审计记录 #1 的内容被修改或不属于此链`));
  swap();
  intact('swap undone');

  // a forged record after A's head: chained to the head's hash, with a real record's hash
  const [hA, realHash] = [sql(`SELECT hash FROM audit_head WHERE part = ${A}`), sql(`SELECT hash FROM audit_log WHERE part = ${B} AND seq = 1`)];
  sql(`INSERT INTO audit_log (${cols}) SELECT part, ${nA + 1}, ts, actor_id, actor, action, entity, entity_id, org_id, before_json, ` +
    `after_json, result, '${hA}', '${realHash}' FROM audit_log WHERE part = ${A} AND seq = ${nA}`);
  out = broken('forged', [[A, nA + 1]]);
  assert.match(out, new RegExp(`审计链 ${A}：审计记录 #${nA + 1} 的内容被修改`));
  sql(`DELETE FROM audit_log WHERE part = ${A} AND seq = ${nA + 1}`);

  // a forged chain of its own (a part with records and no head)
  sql(`INSERT INTO audit_log (${cols}) SELECT 999999, 1, ts, actor_id, actor, action, entity, entity_id, org_id, before_json, ` +
    `after_json, result, '', hash FROM audit_log WHERE part = ${A} AND seq = 1`);
  out = broken('forged chain', [[999999, 1]]);
  assert.match(out, /审计链 999999：链头记录缺失/);
  sql('DELETE FROM audit_log WHERE part = 999999');
  intact('all undone');
});

test('writers in two provinces at once: both chains whole, every change recorded once', async () => {
  const a0 = rows(A), b0 = rows(B);
  const n = 12;
  await Promise.all([...Array(n)].flatMap(() => [child(A), child(B)]));
  assert.equal(rows(A), a0 + n);
  assert.equal(rows(B), b0 + n);
  assert.equal(head(A), rows(A));
  assert.equal(head(B), rows(B));
  intact('after concurrent writers');
});

test('a province\'s first records, several at once: one chain head made, the records numbered 1…n', async () => {
  const [C] = sql(`SELECT id FROM org WHERE parent_id = ${root} AND id NOT IN (${A}, ${B}) ORDER BY id LIMIT 1`).split('\n').map(Number);
  sql(`UPDATE org SET part = ${C} WHERE path LIKE (SELECT path FROM org WHERE id = ${C}) || '%'`);
  assert.equal(sql(`SELECT count(*) FROM audit_head WHERE part = ${C}`), '0');
  const n = 8;
  await Promise.all([...Array(n)].map(() => child(C)));
  assert.equal(sql(`SELECT count(*) FROM audit_head WHERE part = ${C}`), '1');
  assert.equal(sql(`SELECT min(seq) || '-' || max(seq) || '/' || count(*) FROM audit_log WHERE part = ${C}`), `1-${n}/${n}`);
  assert.match(intact('a new chain'), new RegExp(`审计链 ${C}：共 ${n} 条，无误`));
});

if (BACKEND === 'pg') {
  test('PostgreSQL: a change in one province goes through while the other province\'s chain head is locked', async () => {
    const locker = spawn('psql', ['-q', '-t', '-A', db], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    const lockedNow = new Promise((resolve) => locker.stdout.on('data', (b) => { out += b; if (out.includes('locked')) resolve(); }));
    locker.stdin.write(`BEGIN; UPDATE audit_head SET seq = seq WHERE part = ${A}; SELECT 'locked';\n`);
    await lockedNow;
    const b0 = rows(B), a0 = rows(A);
    // (before the chain per part every append locked the one head row: this change waited for
    // the lock and failed after the lock timeout, 503)
    try {
      await child(B);
      assert.equal(rows(B), b0 + 1, 'B\'s change is recorded while A\'s head is locked');
    } finally {
      locker.stdin.end('COMMIT;\n');
      await new Promise((resolve) => locker.on('exit', resolve));
    }
    await child(A);
    assert.equal(rows(A), a0 + 1);
    intact('after the lock');
  });
}
