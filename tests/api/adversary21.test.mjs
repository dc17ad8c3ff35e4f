// adversary21.test.mjs: an attacker and a careless operator against several instances (issue 20):
// the client address behind a trusted proxy (what a client writes in front of its own address in
// X-Forwarded-For must never change which address it is counted as), and two concurrent roster
// imports of overlapping files, by upload and by the CLI (one wins whole, the other adds nothing and
// says why: the member already on the roll, or on PostgreSQL the COPY that met the other's row:
// roster_changed); reads from a replica: no audited export routed there, a session ended refused at
// once on a dashboard read from a paused replica; a command-line import killed in its write.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startServerOn, loginAs, expectError, fromAddr, idcard, fileForm, scratchFile, BIN, KEY, BACKEND, Client, sqlOn, waitFor } from '../lib.mjs';

// each server one process: this file sends the proxy's headers to it itself, also in cluster mode
const A = await startServerOn({ members: 40, single: true });
const servers = [A];
after(() => Promise.all(servers.map((s) => s.stop())));
const office = await loginAs(A.base, 'office');
const sec = await loginAs(A.base, 'secretary');
const branch = sec.user.roles[0].org_id;

test('behind a trusted proxy, junk, ports or thousands of entries a client puts in X-Forwarded-For do not make it a new client (nor the proxy)', async () => {
  const proxied = await startServerOn({ db: A.db, demo: false, single: true, args: ['--ballot-limit', '2', '--burst-target', '0', '--burst-net', '0', '--trusted-proxy', '127.0.0.1'] });
  servers.push(proxied);
  const memberId = (await loginAs(A.base, 'member')).user.member_id;
  // what nginx's $proxy_add_x_forwarded_for sends: the client's own header, then its address
  const ballot = async (headers) => {
    const g = await fromAddr(proxied.base, '127.0.0.1', 'GET', `/api/v1/public/rating?target_kind=org&target_id=${branch}`, null, headers);
    assert.equal(g.status, 200, `${JSON.stringify(headers).slice(0, 60)}: ${g.status} ${g.text.slice(0, 200)}`);
    const dv = g.json.device;
    return fromAddr(proxied.base, '127.0.0.1', 'POST', '/api/v1/public/ballots', { target_kind: 'member', target_id: memberId, channel: 'web', answers: '111', device: dv }, headers);
  };
  const client = '198.51.100.31';
  for (let i = 0; i < 2; i++) assert.equal((await ballot({ 'X-Forwarded-For': `192.0.2.${i + 1}, ${client}` })).status, 201);
  // the same client, its limit used up, tries to be someone else: a junk entry in front of its
  // address (the header used to be dropped whole, and an X-Real-IP it chose — nginx passes it on
  // unless told to set it — believed), a port, a bracketed IPv6, a zone id, an empty entry, a
  // header of 1 000 entries (over the old 4 KiB cap), a tab
  const many = Array.from({ length: 1000 }, (_, i) => `203.0.${i >> 8}.${i & 255}`).join(',');
  const fronts = ['junk', '1.2.3.4:80', '[2001:db8::1]:443', 'fe80::1%eth0', '', many, 'a\tb'];
  for (const [i, front] of fronts.entries()) {
    const r = await ballot({ 'X-Forwarded-For': `${front}, ${client}`, 'X-Real-IP': `203.0.113.${i + 1}` });
    expectError(r, 429, 'rate_limited');
  }
  // 10 000 entries: the request's headers are too large (431), the server goes on
  const huge = Array.from({ length: 10000 }, (_, i) => `203.0.${i >> 8}.${i & 255}`).join(',');
  assert.equal((await fromAddr(proxied.base, '127.0.0.1', 'GET', '/healthz', null, { 'X-Forwarded-For': `${huge}, ${client}` })).status, 431);
  // two headers (nginx ≥ 1.23 joins them; libmicrohttpd sees two): still the right-most entry
  const two = await new Promise((resolve, reject) => {
    const u = new URL(proxied.base);
    const sock = require_net().connect({ host: u.hostname, port: Number(u.port), localAddress: '127.0.0.1' }, () => {
      sock.end(`GET /api/v1/public/rating?target_kind=org&target_id=${branch} HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: junk\r\n` +
        `X-Forwarded-For: ${client}\r\nConnection: close\r\n\r\n`);
    });
    let t = '';
    sock.on('data', (c) => { t += c; });
    sock.on('end', () => resolve(t));
    sock.on('error', reject);
  });
  assert.match(two, /^HTTP\/1\.1 200/);
  // and a junk-fronted header is not the proxy's own address either: another client behind the
  // same proxy doing the same still has its own, fresh, limit
  for (let i = 0; i < 2; i++) assert.equal((await ballot({ 'X-Forwarded-For': `junk, 198.51.100.32`, 'X-Real-IP': '203.0.113.99' })).status, 201);
  expectError(await ballot({ 'X-Forwarded-For': `junk, 198.51.100.32` }), 429, 'rate_limited');
  assert.equal((await ballot({ 'X-Forwarded-For': `junk, 198.51.100.33` })).status, 201);
  assert.equal((await fetch(`${proxied.base}/healthz`)).status, 200, 'still serving');
});

import * as netMod from 'node:net';
function require_net() { return netMod; }

test('two overlapping roster imports at once: one is imported whole, the other adds nothing and says why (on the roll, or the roll changed)', async () => {
  const count = async () => (await office.get(`/api/v1/orgs/${branch}/members?subtree=1&inactive=1&per_page=1`)).json.paging.total;
  // ids of births 1950-01-01 + k days (k < 20 000): distinct, valid, not the demo's (-ADV- sequence 777)
  const person = (k) => {
    const d = new Date(Date.UTC(1950, 0, 1) + k * 86400000).toISOString().slice(0, 10).replace(/-/g, '');
    return `并发${k},${idcard('440106' + d + '777')},2015-07-01\n`;
  };
  const file = (from, n, shared) => '姓名,身份证号,入党时间\n' + Array.from({ length: n }, (_, i) => person(from + i)).join('') + person(shared);
  let base = 0; // born 1950 to 1991: old enough to have joined in 2015
  // the CLI streams its rows into one COPY while it reads: run as a child, not waited for in turn
  const cliImport = (name, text) => new Promise((resolve) => {
    const c = spawn(BIN, ['import', '--org', String(branch), scratchFile(name, text)], { env: { ...process.env, CXZY_DB: A.db, CXZY_KEY: KEY } });
    let out = '';
    c.stdout.on('data', (d) => { out += d; });
    c.stderr.on('data', (d) => { out += d; });
    c.on('close', (status) => resolve({ status, out }));
  });
  for (const [round, n, how] of [[0, 2500, 'upload'], [1, 40, 'upload'], [2, 2500, 'cli'], [3, 40, 'cli'], [4, 2500, 'cli+upload']]) {
    const shared = base + 2 * n;
    const before = await count();
    const fa = file(base, n, shared), fb = file(base + n, n, shared);
    base = shared + 1;
    // two people, each with a file; both end with the same member
    if (how === 'upload') {
      const [a, b] = await Promise.all([sec.req('POST', `/api/v1/orgs/${branch}/import`, { body: fileForm(fa) }),
        office.req('POST', `/api/v1/orgs/${branch}/import`, { body: fileForm(fb) })]);
      const won = [a, b].filter((r) => r.status === 200), lost = [a, b].filter((r) => r.status !== 200);
      assert.equal(won.length, 1, `round ${round}: ${a.status} ${a.text.slice(0, 300)} | ${b.status} ${b.text.slice(0, 300)}`);
      assert.equal(won[0].json.report.imported, n + 1);
      assert.equal(lost[0].status, 422, lost[0].text.slice(0, 300));
      assert.equal(lost[0].json.error.code, 'import_invalid');
      const errs = lost[0].json.report.errors;
      assert.equal(lost[0].json.report.imported, 0);
      assert.ok(errs.length >= 1 && errs.every((e) => (e.code === 'roster_changed' && e.row === 0) || (e.row === n + 2 && e.column === '身份证号')),
        JSON.stringify(errs).slice(0, 400));
    } else {
      const runs = await Promise.all([cliImport(`race${round}a.csv`, fa),
        how === 'cli' ? cliImport(`race${round}b.csv`, fb) : office.req('POST', `/api/v1/orgs/${branch}/import`, { body: fileForm(fb) })]);
      const ok = (r) => (r.out !== undefined ? r.status === 0 : r.status === 200);
      const said = (r) => (r.out !== undefined ? r.out : r.text);
      assert.equal(runs.filter(ok).length, 1, `round ${round}: ${runs.map((r) => `${r.status} ${said(r).slice(0, 300)}`).join(' | ')}`);
      const lost = runs.find((r) => !ok(r));
      assert.ok(lost.out !== undefined ? lost.status === 3 : lost.status === 422, said(lost).slice(0, 300));
      assert.match(said(lost), new RegExp(`导入期间党员名册有变动|第 ${n + 2} 行「身份证号」.*已在党员名册中|"row":${n + 2},"column":"身份证号"`));
      assert.match(said(lost), /未导入任何数据/);
    }
    assert.equal(await count(), before + n + 1, `round ${round}: only the winner's rows`);
  }
});

test('a command-line import killed in the middle of its write (kill -9) leaves nothing, and the same file then imports whole', async () => {
  const count = async () => (await office.get(`/api/v1/orgs/${branch}/members?subtree=1&inactive=1&per_page=1`)).json.paging.total;
  // 40 000 members: born on one of 100 days of 1960, 400 sequence numbers each
  let text = '姓名,身份证号,入党时间\n';
  for (let day = 0; day < 100; day++) {
    const d = new Date(Date.UTC(1960, 0, 1) + day * 86400000).toISOString().slice(0, 10).replace(/-/g, '');
    for (let q = 100; q < 500; q++) text += `中断${day}-${q},${idcard('440106' + d + q)},1990-07-01\n`;
  }
  const f = scratchFile('killed.csv', text);
  const before = await count();
  const c = spawn(BIN, ['import', '--org', String(branch), f], { env: { ...process.env, CXZY_DB: A.db, CXZY_KEY: KEY } });
  const exited = new Promise((resolve) => c.on('close', (code, sig) => resolve({ code, sig })));
  // in its write: on PostgreSQL its transaction has an id (a row sent by COPY); on SQLite it holds
  // the write lock (another writer that does not wait is refused)
  const writing = () => {
    if (BACKEND === 'pg') return sqlOn(A.db, 'SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()') !== '0';
    try { sqlOn(A.db, 'BEGIN IMMEDIATE; ROLLBACK;'); return false; } catch { return true; }
  };
  await waitFor(writing, 'the import writing');
  c.kill('SIGKILL');
  assert.equal((await exited).sig, 'SIGKILL', 'killed before it finished');
  assert.equal(await count(), before, 'nothing of the killed import');
  const again = A.cli(['import', '--org', String(branch), f]);
  assert.equal(again.status, 0, again.stdout + again.stderr);
  assert.match(again.stdout, /已导入 40000 名党员/);
  assert.equal(await count(), before + 40000);
});

// Reads from a replica (PostgreSQL: the replica scripts/test.sh starts, CXZY_TEST_REPLICA; SQLite
// has none, and the routes marked for it are checked in the API description).
const REPLICA = process.env.CXZY_TEST_REPLICA || '';
if (BACKEND === 'pg' && !REPLICA) throw new Error('CXZY_TEST_REPLICA is not set: scripts/test.sh starts a replica of the test PostgreSQL');

test('a bulletin\'s figures export is audited (a write): it is not among the routes read from the replica', async () => {
  const api = (await new Client(A.base).get('/api/v1/openapi.json')).json;
  assert.ok(api.paths['/bulletins/{id}'].get['x-replica'], 'the bulletin itself is');
  assert.ok(!api.paths['/bulletins/{id}/export'].get['x-replica'], 'its export is not');
});

if (BACKEND === 'pg') {
  const replicaUrl = `${REPLICA}/${A.db.replace(/^.*\/([^/?]*)(\?.*)?$/, '$1')}`;
  const R = await startServerOn({ db: A.db, demo: false, single: true, args: ['--db-read', replicaUrl, '--db-read-lag', '60'] });
  servers.push(R);
  await waitFor(() => /where=replica msg="?备库可用/.test(R.log()), 'the replica up');
  const pause = () => sqlOn(replicaUrl, 'SELECT pg_wal_replay_pause()');
  const resume = () => sqlOn(replicaUrl, 'SELECT pg_wal_replay_resume()');
  after(resume);

  test('PG: a bulletin export with a replica is made on the primary, never tried (and refused) on the replica first', async () => {
    const o = await loginAs(R.base, 'office');
    o.cookies.delete('cxzy_rw'); // a reader who changed nothing
    const root = o.user.roles[0].org_id;
    const list = (await o.get(`/api/v1/orgs/${root}/bulletins`)).json.bulletins;
    assert.ok(list.length, 'the demo has bulletins');
    const exports = () => Number(sqlOn(A.db, "SELECT count(*) FROM audit_log WHERE action = 'export' AND entity = 'bulletin'"));
    const before = exports();
    for (const path of [`/api/v1/bulletins/${list[0].id}/export`, `/bulletins/${list[0].id}/export`]) {
      const x = await o.get(path);
      assert.equal(x.status, 200, x.text.slice(0, 300));
    }
    assert.equal(exports(), before + 2, 'each export audited');
    assert.doesNotMatch(R.log(), /在备库上被拒绝/, 'no routed request wrote on the replica');
  });

  test('PG: a session ended (logout, account disabled) is refused at once on a dashboard read from a paused replica', async () => {
    const town = await loginAs(R.base, 'town');
    const root = town.user.roles[0].org_id;
    const session = new Map(town.cookies);
    session.delete('cxzy_rw');
    const thief = new Client(R.base);
    thief.cookies = new Map(session);
    assert.equal((await thief.get(`/api/v1/orgs/${root}/dashboard`)).status, 200);
    pause();
    try {
      assert.equal((await town.req('DELETE', '/api/v1/session')).status, 200);
      // the replica still holds the session row; the lookup is on the primary
      const after1 = await thief.get(`/api/v1/orgs/${root}/dashboard`);
      assert.equal(after1.status, 401, after1.text.slice(0, 200));
      assert.equal((await thief.get(`/orgs/${root}/dashboard`)).status, 303);
    } finally { resume(); }
  });
}
