// faults.test.mjs: the database failing under a running server, as an operator meets it.
// PostgreSQL (CXZY_BACKEND=pg): the test starts its own PostgreSQL, stops it while cxzy serves
// (a page, an API read, a login and a public ballot get 503 with a Chinese message, never 404
// or 401), starts it again and the same requests succeed without restarting cxzy.
// Both backends: another process holds the write lock (sqlite3 BEGIN EXCLUSIVE; psql LOCK TABLE)
// — writes get 503 db_busy, reads keep working, and writes work again once it lets go.
// SQLite: a full disk (the server's file size limit lowered with prlimit) — writes get 503
// db_full with the real error kept, reads keep working, and after the limit is lifted writes
// work, `audit verify` and `recount` pass.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import net from 'node:net';
import { startServerOn, Client, loginAs, BACKEND, freePort, freshDb } from '../lib.mjs';

const PGSH = new URL('../../scripts/pg.sh', import.meta.url).pathname;
const pgsh = (...args) => {
  const r = spawnSync('sh', [PGSH, ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, `pg.sh ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
};

async function ok(r, status = 200) {
  assert.equal(r.status, status, `${r.status} ${r.text.slice(0, 400)}`);
  return r.json;
}

/** A district on db with a server, the office signed in and an open round over the district. */
async function district(db, args = []) {
  const srv = await startServerOn({ db, args: ['--ballot-limit', '1000', '--burst-target', '0', '--burst-net', '0', ...args] });
  const office = await loginAs(srv.base, 'office');
  const root = office.user.roles[0].org_id;
  const member = await loginAs(srv.base, 'member');
  const camp = (await ok(await office.get(`/api/v1/orgs/${root}/campaigns`))).campaigns[0];
  const round = (await ok(await office.post(`/api/v1/orgs/${root}/rounds`, { campaign_id: camp.id, name: '故障测试轮次',
    start_date: camp.start_date, end_date: camp.end_date, questions: 'party3' }), 201)).round;
  const anon = new Client(srv.base);
  const device = async () => (await ok(await anon.get(`/api/v1/public/rating?target_kind=org&target_id=${root}`))).device;
  const ballot = async () => anon.post('/api/v1/public/ballots', { channel: 'web', target_kind: 'member',
    target_id: member.user.member_id, answers: '111', device: await device() });
  return { srv, office, root, round, anon, device, ballot, memberId: member.user.member_id };
}

/** The 503 a request meets while the database cannot serve it: JSON for the API, a page otherwise. */
function expect503(r, code, what) {
  const ctx = `${what}: ${r.status} ${r.text.slice(0, 300)}`;
  assert.equal(r.status, 503, ctx);
  assert.ok(r.headers.get('retry-after'), ctx);
  if (r.json) assert.equal(r.json.error.code, code, ctx);
  const msg = code === 'db_unavailable' ? '数据库暂时无法连接，请稍后再试' : code === 'db_busy' ? '数据库正忙' : '存储空间已满';
  assert.ok(r.text.includes(msg), ctx);
}

/** Polls fn until it returns true, at most ms milliseconds (the server reconnects with back-off). */
async function until(fn, ms, what) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.fail(`${what}: not within ${ms} ms`);
}

if (BACKEND === 'pg') {
  test('PostgreSQL stopped and started under a running server: 503 while away, served again after, no restart', async () => {
    const dir = mkdtempSync('/tmp/cxzy-pgfault-');
    chmodSync(dir, 0o755); // as root, pg.sh runs PostgreSQL as the postgres user
    const port = await freePort();
    const url = pgsh('start', join(dir, 'pg'), String(port));
    after(() => { pgsh('stop', join(dir, 'pg')); rmSync(dir, { recursive: true, force: true }); });
    const d = await district(url);
    after(() => d.srv.stop());
    const page = () => d.office.get(`/orgs/${d.root}`);
    const api = () => d.office.get(`/api/v1/orgs/${d.root}`);
    const login = () => new Client(d.srv.base).post('/api/v1/session', { username: 'secretary', password: 'cxzy-demo-2026' });
    await ok(await page());
    await ok(await d.ballot(), 201);
    const device = await d.device();

    pgsh('halt', join(dir, 'pg'));
    expect503(await page(), 'db_unavailable', 'page');
    expect503(await api(), 'db_unavailable', 'API read');
    expect503(await login(), 'db_unavailable', 'login');
    expect503(await d.anon.post('/api/v1/public/ballots', { channel: 'web', target_kind: 'org', target_id: d.root, answers: '111', device }),
      'db_unavailable', 'public ballot');
    expect503(await d.anon.get(`/api/v1/public/rating?target_kind=org&target_id=${d.root}`), 'db_unavailable', 'public rating form');
    assert.match(d.srv.log(), /PostgreSQL 无法连接/, 'the lost connection is logged');

    pgsh('resume', join(dir, 'pg'), String(port));
    await until(async () => (await api()).status === 200, 15000, 'API read after PostgreSQL is back');
    await ok(await page());
    await ok(await login());
    await ok(await d.ballot(), 201);
    await ok(await d.office.post(`/api/v1/orgs/${d.root}/children`, { type: 'branch', sector: 'rural', name: '重连后新建支部' }), 201);
    assert.match(d.srv.log(), /PostgreSQL 已重新连接/);
    assert.equal(d.srv.cli(['audit', 'verify']).status, 0);
    assert.equal(d.srv.cli(['recount', '--round', String(d.round.id)]).status, 0);
  });
}

test('another process holds the write lock: writes 503 db_busy, reads 200, writes again after it lets go', async () => {
  const db = freshDb('lock');
  const d = await district(db);
  after(() => d.srv.stop());
  // the locker: sqlite3 or psql with a transaction left open on its standard input
  const locker = BACKEND === 'pg'
    ? spawn('psql', ['-q', '-t', '-A', db], { stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn('sqlite3', [db], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  locker.stdout.on('data', (b) => { out += b; });
  const lockedNow = new Promise((resolve) => locker.stdout.on('data', () => { if (out.includes('locked')) resolve(); }));
  locker.stdin.write(BACKEND === 'pg'
    ? "BEGIN; LOCK TABLE audit_head IN EXCLUSIVE MODE; LOCK TABLE web_session IN EXCLUSIVE MODE; SELECT 'locked';\n"
    : "BEGIN EXCLUSIVE; SELECT 'locked';\n");
  await lockedNow;
  const [create, login, ballot] = await Promise.all([
    d.office.post(`/api/v1/orgs/${d.root}/children`, { type: 'branch', sector: 'rural', name: '锁定时新建支部' }),
    new Client(d.srv.base).post('/api/v1/session', { username: 'secretary', password: 'cxzy-demo-2026' }),
    d.ballot(),
    // reads go on meanwhile
    (async () => {
      await ok(await d.office.get(`/api/v1/orgs/${d.root}`));
      await ok(await d.office.get(`/orgs/${d.root}`));
    })(),
  ]);
  expect503(create, 'db_busy', 'write');
  expect503(login, 'db_busy', 'login');
  expect503(ballot, 'db_busy', 'ballot');
  await ok(await d.office.get(`/api/v1/orgs/${d.root}/children`));
  locker.stdin.end(BACKEND === 'pg' ? 'COMMIT;\n' : 'COMMIT;\n');
  await new Promise((resolve) => locker.on('exit', resolve));
  await ok(await d.office.post(`/api/v1/orgs/${d.root}/children`, { type: 'branch', sector: 'rural', name: '锁定后新建支部' }), 201);
  await ok(await new Client(d.srv.base).post('/api/v1/session', { username: 'secretary', password: 'cxzy-demo-2026' }));
  await ok(await d.ballot(), 201);
  assert.equal(d.srv.cli(['audit', 'verify']).status, 0);
  assert.equal(d.srv.cli(['recount', '--round', String(d.round.id)]).status, 0);
});

if (BACKEND === 'sqlite') {
  // (PostgreSQL's disk is the PostgreSQL server's: its "disk full" (53100) maps to the same 503.)
  test('a full disk (file size limit): writes 503 db_full, reads 200, writes again once there is room; audit and recount pass', async () => {
    const d = await district(freshDb('full'));
    after(() => d.srv.stop());
    const limit = (v) => {
      const r = spawnSync('prlimit', ['--pid', String(d.srv.pid), `--fsize=${v}`], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    };
    limit('1:unlimited'); // every write to a file of the server's fails now, as on a full disk
    const create = await d.office.post(`/api/v1/orgs/${d.root}/children`, { type: 'branch', sector: 'rural', name: '满盘时新建支部' });
    expect503(create, 'db_full', 'write');
    assert.doesNotMatch(create.text, /cannot rollback/);
    expect503(await new Client(d.srv.base).post('/api/v1/session', { username: 'secretary', password: 'cxzy-demo-2026' }), 'db_full', 'login');
    expect503(await d.ballot(), 'db_full', 'ballot');
    await ok(await d.office.get(`/api/v1/orgs/${d.root}`));
    await ok(await d.office.get(`/orgs/${d.root}`));
    assert.match(d.srv.log(), /数据库故障（db_full）/, 'the fault is logged with its cause');
    limit('unlimited:unlimited');
    await ok(await d.office.post(`/api/v1/orgs/${d.root}/children`, { type: 'branch', sector: 'rural', name: '满盘后新建支部' }), 201);
    await ok(await new Client(d.srv.base).post('/api/v1/session', { username: 'secretary', password: 'cxzy-demo-2026' }));
    await ok(await d.ballot(), 201);
    assert.equal(d.srv.cli(['audit', 'verify']).status, 0);
    assert.equal(d.srv.cli(['recount', '--round', String(d.round.id)]).status, 0);
    assert.equal(spawnSync('sqlite3', [d.srv.db, 'PRAGMA integrity_check'], { encoding: 'utf8' }).stdout.trim(), 'ok');
  });
}

/** A request sent by hand: the headers (with Expect: 100-continue) now, the body when told.
 * started resolves once the server has taken the request (its 100 Continue). */
function heldRequest(base, path, body) {
  const { port } = new URL(base);
  const sock = net.connect(Number(port), '127.0.0.1');
  let got = '';
  sock.on('data', (b) => { got += b; });
  sock.on('error', () => {});
  const closed = new Promise((r) => sock.on('close', r));
  sock.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`);
  return {
    started: () => until(() => got.includes('100 Continue'), 5000, `${path}: 100 Continue`),
    finish: async () => { sock.write(body); await closed; return got; },
  };
}

test('SIGTERM with requests in flight: each gets its answer (ballot committed and acknowledged), then a clean exit', async () => {
  const d = await district(freshDb('term'));
  const ballot = heldRequest(d.srv.base, '/api/v1/public/ballots', JSON.stringify({ channel: 'web', target_kind: 'member',
    target_id: d.memberId, answers: '111', device: await d.device() }));
  const login = heldRequest(d.srv.base, '/api/v1/session', JSON.stringify({ username: 'secretary', password: 'cxzy-demo-2026' }));
  await ballot.started();
  await login.started();
  d.srv.proc.kill('SIGTERM');
  await until(() => d.srv.stdout().includes('cxzy 正在停止'), 5000, 'the server begins to stop');
  const [b, l] = await Promise.all([ballot.finish(), login.finish()]);
  assert.match(b, /HTTP\/1\.1 201 /, `the ballot's answer: ${b.slice(0, 300)}`);
  assert.match(l, /HTTP\/1\.1 200 /, `the login's answer: ${l.slice(0, 300)}`);
  assert.equal(await d.srv.stop(), 0);
  assert.match(d.srv.stdout(), /cxzy 已停止/);
  // the acknowledged ballot is there, once
  assert.equal(d.srv.cli(['recount', '--round', String(d.round.id)]).status, 0);
});
