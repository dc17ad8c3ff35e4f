// instances.test.mjs: several `cxzy serve` processes on one database (issue 20, stateless
// instances): a page another instance changed is never served from the trust window once its
// commit was noticed (PostgreSQL: LISTEN/NOTIFY; SQLite: PRAGMA data_version), the hourly upkeep
// pass runs in one instance only, a bounded connection pool independent of the threads, PgBouncer
// in transaction mode, and the client address behind a trusted proxy.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { startServerOn, loginAs, Client, expectOk as ok, expectError, sqlOn, BACKEND, BIN, KEY, freshDb, cliDb, fileForm, newIdcard,
  startPgbouncer, fromAddr, waitFor } from '../lib.mjs';

const pg = BACKEND === 'pg';
const stops = [];
after(async () => { for (const s of stops.reverse()) await s(); });
// each server one process (this file composes its instances itself, also in cluster mode)
async function serve(opts) {
  const s = await startServerOn({ ...opts, single: true });
  stops.push(() => s.stop());
  return s;
}

/** A metric's value from a server's /metrics (this machine may read it). */
async function metric(base, name) {
  const t = await (await fetch(`${base}/metrics`)).text();
  const m = t.match(new RegExp(`^${name} (-?\\d+)`, 'm'));
  return m ? Number(m[1]) : null;
}

// Two instances on one database: A made the demo, B serves the same database.
const A = await serve({ members: 40 });
const B = await serve({ db: A.db, demo: false });

test('a card changed through another instance is never served stale from the trust window once the commit was noticed', async () => {
  const [secA, secB] = await Promise.all([loginAs(A.base, 'secretary'), loginAs(B.base, 'secretary')]);
  const memberId = (await loginAs(A.base, 'member')).user.member_id;
  const anon = new Client(A.base);
  for (let round = 1; round <= 3; round++) {
    // A validates the card and keeps it (the second request is a trusted hit)
    const before = await anon.get(`/p/card/${memberId}`);
    assert.equal(before.status, 200);
    assert.equal((await anon.get(`/p/card/${memberId}`)).status, 200);
    const seen = await metric(A.base, 'cxzy_db_external_writes_total');
    const post = `第${round}岗-${Math.random().toString(36).slice(2, 8)}`;
    ok(await secB.patch(`/api/v1/members/${memberId}`, { post }));
    // PostgreSQL: A's listener hears B's commit (SQLite: A reads data_version when it answers)
    if (pg) await waitFor(async () => (await metric(A.base, 'cxzy_db_external_writes_total')) > seen, "A notices B's commit");
    const now = await anon.get(`/p/card/${memberId}`);
    assert.equal(now.status, 200);
    assert.ok(now.text.includes(post), `round ${round}: A shows the post B saved`);
    assert.notEqual(now.headers.get('etag'), before.headers.get('etag'));
  }
  // and the other way round: A's write reaches B
  const anonB = new Client(B.base);
  await anonB.get(`/p/card/${memberId}`);
  const seenB = await metric(B.base, 'cxzy_db_external_writes_total');
  ok(await secA.patch(`/api/v1/members/${memberId}`, { post: '从甲实例修改' }));
  if (pg) await waitFor(async () => (await metric(B.base, 'cxzy_db_external_writes_total')) > seenB, "B notices A's commit");
  assert.ok((await anonB.get(`/p/card/${memberId}`)).text.includes('从甲实例修改'));
  assert.equal(await metric(A.base, 'cxzy_db_listen_up'), pg ? 1 : -1, 'PostgreSQL: the listener is up; SQLite: none');
});

test('SQLite: a commit of any other process (here sqlite3 itself) is seen at the next request; PostgreSQL: each instance listens on a connection of its own, and again after losing it', async () => {
  const memberId = (await loginAs(A.base, 'member')).user.member_id;
  const anon = new Client(A.base);
  if (!pg) {
    await anon.get(`/p/card/${memberId}`);
    await anon.get(`/p/card/${memberId}`);
    sqlOn(A.db, `UPDATE member SET post = '库外修改', version = version + 1 WHERE id = ${memberId}`);
    assert.ok((await anon.get(`/p/card/${memberId}`)).text.includes('库外修改'), 'no trust window over another process\'s commit');
    return;
  }
  const apps = sqlOn(A.db, "SELECT application_name FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'").split('\n');
  assert.deepEqual(apps.sort(), ['cxzy serve listener', 'cxzy serve listener'], 'one listener per instance');
  // the listeners' connections killed: each instance says its cache validates every hit, and
  // listens again (and counts what it may have missed) without a restart
  const seen = await metric(A.base, 'cxzy_db_external_writes_total');
  sqlOn(A.db, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'cxzy serve listener'");
  await waitFor(() => /监听连接已断开，页面缓存改为每次核对/.test(A.log()), 'A notices its listener gone');
  await waitFor(async () => (await metric(A.base, 'cxzy_db_listen_up')) === 1 && (await metric(A.base, 'cxzy_db_external_writes_total')) > seen,
    'A listens again');
  assert.match(A.log(), /监听连接已恢复/);
  assert.ok((await anon.get(`/p/card/${memberId}`)).status === 200);
});

test('two servers started at once on one database: a pending migration is made once, an overdue item escalated once, and each upkeep pass runs in one of them', async () => {
  const db = freshDb('up');
  const d = cliDb(db, ['demo', '--members', '20']);
  assert.equal(d.status, 0, d.stderr);
  // an overdue rectification item of a branch (the secretary's), made before the servers start
  const first = await serve({ db, demo: false });
  const sec = await loginAs(first.base, 'secretary');
  const branch = sec.user.roles[0].org_id;
  const due = new Date(Date.now() + 86400000).toISOString().slice(0, 10);
  const item = (await ok(await sec.post(`/api/v1/orgs/${branch}/rectifications`, { source: 'inspection', problem: '台账不全', measure: '补齐近三个月的台账。', owner: '王书记', due_date: due }), 201)).rectification;
  await first.stop();
  stops.splice(stops.length - 1, 1);
  sqlOn(db, `UPDATE rectification SET due_date = '2020-01-01' WHERE id = ${item.id}`);
  // migration 0037 undone: both servers find it to do, one makes it while the other waits
  sqlOn(db, 'DROP TABLE job_run');
  sqlOn(db, 'DELETE FROM schema_migrations WHERE version = 37');
  // the upkeep passes every second instead of every hour (CXZY_UPKEEP_EVERY), so that many slots
  // are contended while the test watches
  process.env.CXZY_UPKEEP_EVERY = '1';
  let s1, s2;
  try {
    [s1, s2] = await Promise.all([serve({ db, demo: false }), serve({ db, demo: false })]);
  } finally {
    delete process.env.CXZY_UPKEEP_EVERY;
  }
  assert.equal(sqlOn(db, 'SELECT count(*) FROM schema_migrations WHERE version = 37'), '1');
  // both escalated at start; the item once
  assert.equal(sqlOn(db, `SELECT count(*) FROM audit_log WHERE action = 'escalate' AND entity = 'rectification' AND entity_id = ${item.id}`), '1');
  assert.equal(sqlOn(db, `SELECT count(*) FROM rect_escalation WHERE rect_id = ${item.id}`), '1');
  const ran = () => [s1, s2].map((s) => (s.log().match(/本实例执行本小时的维护/g) || []).length);
  const left = () => [s1, s2].map((s) => (s.log().match(/已由另一个服务实例执行/g) || []).length);
  // passes of the two in one slot: taken by one instance and left by the other
  await waitFor(() => left().reduce((x, y) => x + y, 0) >= 2, 'contended passes');
  const slots = Number(sqlOn(db, "SELECT count(*) FROM job_run WHERE name = 'upkeep'"));
  const runs = ran().reduce((x, y) => x + y, 0);
  assert.ok(runs <= slots && runs >= 2, `passes run ${runs}, slots claimed ${slots}: never two runs of one slot`);
});

// (PostgreSQL: a database is made empty beforehand; on SQLite `migrate` makes no new file, and the file's
// write lock serialises the first migration already)
test('PostgreSQL: four `cxzy migrate` at once on a brand-new empty database: all succeed, each migration made once', { skip: !pg }, async () => {
  for (let round = 0; round < 3; round++) {
    const db = freshDb('empty');
    // each waits for a line on its standard input before it starts: all four are let go at once
    const procs = [...Array(4)].map(() => spawn('sh', ['-c', 'read go; exec "$0" migrate', BIN],
      { env: { ...process.env, CXZY_DB: db, CXZY_KEY: KEY }, stdio: ['pipe', 'pipe', 'pipe'] }));
    const runs = Promise.all(procs.map((p) => new Promise((resolve) => {
      let out = '';
      p.stdout.on('data', (b) => { out += b; });
      p.stderr.on('data', (b) => { out += b; });
      p.on('exit', (code) => resolve({ code, out }));
    })));
    for (const p of procs) p.stdin.write('go\n');
    for (const r of await runs) assert.equal(r.code, 0, r.out);
    const latest = Number(sqlOn(db, 'SELECT max(version) FROM schema_migrations'));
    assert.equal(sqlOn(db, 'SELECT count(*) FROM schema_migrations'), String(latest));
    assert.equal(sqlOn(db, 'SELECT count(DISTINCT version) FROM schema_migrations'), String(latest));
  }
});

test('--threads 16 --db-pool 2: 32 parallel requests are all answered right, on at most 2 pooled connections', async () => {
  const s = await serve({ db: A.db, demo: false, args: ['--threads', '16', '--db-pool', '2'] });
  const sec = await loginAs(s.base, 'secretary');
  const branch = sec.user.roles[0].org_id;
  const memberId = (await loginAs(s.base, 'member')).user.member_id;
  const anon = new Client(s.base);
  const asks = [];
  for (let i = 0; i < 32; i++) {
    asks.push(i % 2 ? sec.get(`/api/v1/orgs/${branch}/members?per_page=5`).then((r) => ['members', r])
      : anon.get(`/p/card/${memberId}`).then((r) => ['card', r]));
  }
  const all = await Promise.all(asks);
  for (const [kind, r] of all) {
    assert.equal(r.status, 200, `${kind}: ${r.text.slice(0, 200)}`);
    if (kind === 'members') assert.ok(r.json.members.length > 0);
    else assert.match(r.text, /工作岗位/);
  }
  if (pg) {
    // the servers on this database: A and B (4 threads: a pool of 4 each), this one (2) (the ballot
    // writers are named apart); nothing per thread of this one's 16
    const own = Number(sqlOn(A.db, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'cxzy serve'"));
    assert.ok(own <= 4 + 4 + 2, `connections named cxzy serve: ${own}`);
  }
  // a bad pool size is refused with the option's name
  const bad = spawnSync(BIN, ['serve', '--db-pool', '0'], { encoding: 'utf8', env: { ...process.env, CXZY_DB: A.db, CXZY_KEY: KEY } });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--db-pool 应为 1 到 1024 之间的整数/);
});

test('--db-pool: the pool of one instance is what PostgreSQL sees (application_name "cxzy serve")', async () => {
  const db = freshDb('pool', null);
  assert.equal(cliDb(db, ['demo', '--members', '10']).status, 0);
  const s = await serve({ db, demo: false, args: ['--threads', '16', '--db-pool', '3'] });
  const anon = new Client(s.base);
  await Promise.all(Array.from({ length: 24 }, () => anon.get('/p/feedback')));
  if (!pg) {
    assert.equal((await anon.get('/p/feedback')).status, 200);
    return;
  }
  const byApp = sqlOn(db, "SELECT application_name, count(*) FROM pg_stat_activity WHERE datname = current_database() GROUP BY 1 ORDER BY 1");
  const rows = Object.fromEntries(byApp.split('\n').filter(Boolean).map((l) => l.split('|')));
  // three pooled connections; the ballot writer's and the listener's apart; nothing per thread
  assert.equal(Number(rows['cxzy serve']), 3, byApp);
  assert.equal(Number(rows['cxzy serve ballot writer']), 1, byApp);
  assert.equal(Number(rows['cxzy serve listener']), 1, byApp);
});

test('--pgbouncer: login, a write, a public card, a ballot and a roster import through PgBouncer in transaction mode; refused on SQLite', async () => {
  if (!pg) {
    const db = freshDb('nobouncer');
    const r = spawnSync(BIN, ['serve', '--pgbouncer'], { encoding: 'utf8', env: { ...process.env, CXZY_DB: db, CXZY_KEY: KEY } });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--pgbouncer 只用于 PostgreSQL/);
    const e = spawnSync(BIN, ['serve'], { encoding: 'utf8', env: { ...process.env, CXZY_DB: db, CXZY_KEY: KEY, CXZY_PGBOUNCER: '1' } });
    assert.equal(e.status, 2, 'CXZY_PGBOUNCER=1 is the same option');
    const l = spawnSync(BIN, ['serve', '--db-listen', 'postgresql://x@127.0.0.1/x'], { encoding: 'utf8', env: { ...process.env, CXZY_DB: db, CXZY_KEY: KEY } });
    assert.equal(l.status, 2);
    assert.match(l.stderr, /--db-listen 只用于 PostgreSQL/);
    return;
  }
  const db = freshDb('bouncer');
  assert.equal(cliDb(db, ['demo', '--members', '20']).status, 0);
  const bouncer = await startPgbouncer({ pgUrl: db, poolSize: 3 });
  stops.push(() => bouncer.stop());
  const viaBouncer = bouncer.url(db);
  const s = await serve({ db: viaBouncer, demo: false, args: ['--pgbouncer', '--db-pool', '4', '--ballot-limit', '1000'] });
  // login and a write
  const [office, sec] = await Promise.all([loginAs(s.base, 'office'), loginAs(s.base, 'secretary')]);
  const memberId = (await loginAs(s.base, 'member')).user.member_id;
  ok(await sec.patch(`/api/v1/members/${memberId}`, { post: '经连接池修改' }));
  // a public card; no listener (only --db-listen would give one): every hit validates, so an edit
  // made behind the server's back is seen at once
  const anon = new Client(s.base);
  assert.ok((await anon.get(`/p/card/${memberId}`)).text.includes('经连接池修改'));
  await anon.get(`/p/card/${memberId}`);
  sqlOn(db, `UPDATE member SET post = '库外修改', version = version + 1 WHERE id = ${memberId}`);
  assert.ok((await anon.get(`/p/card/${memberId}`)).text.includes('库外修改'), 'no trust window without a listener');
  assert.equal(await metric(s.base, 'cxzy_db_listen_up'), -1);
  // a ballot (through the ballot writer's own connection, also through PgBouncer)
  const root = office.user.roles[0].org_id;
  const camp = (await ok(await office.get(`/api/v1/orgs/${root}/campaigns`))).campaigns[0];
  ok(await office.post(`/api/v1/orgs/${root}/rounds`, { campaign_id: camp.id, name: '2011年上半年', start_date: camp.start_date,
    end_date: camp.end_date, questions: 'party3' }), 201);
  const branch = sec.user.roles[0].org_id;
  const device = (await ok(await anon.get(`/api/v1/public/rating?target_kind=org&target_id=${branch}`))).device;
  const b = (await ok(await anon.post('/api/v1/public/ballots', { target_kind: 'member', target_id: memberId, channel: 'web', answers: '111', device }), 201)).ballot;
  assert.equal(b.status, 'unverified');
  // a roster import (one transaction of many statements)
  const csv = '\uFEFF姓名,身份证号,联系电话,入党时间\r\n' + `池甲,${newIdcard('19800101')},,2005-07-01\r\n` + `池乙,${newIdcard('19810202', true)},,2006-07-01\r\n`;
  const imp = await sec.req('POST', `/api/v1/orgs/${branch}/import`, { body: fileForm(csv, '名册.csv') });
  assert.equal(imp.status, 200, imp.text.slice(0, 300));
  assert.equal(sqlOn(db, "SELECT count(*) FROM member WHERE name IN ('池甲', '池乙')"), '2');
  // no named prepared statement is left on PostgreSQL's side, and no session setting was made
  assert.equal(sqlOn(db, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'cxzy serve' AND query ILIKE 'SET %'"), '0');
  // with --db-listen straight to PostgreSQL, the listener is up again
  const s2 = await serve({ db: viaBouncer, demo: false, args: ['--pgbouncer', '--db-pool', '2', '--db-listen', db] });
  await waitFor(async () => (await metric(s2.base, 'cxzy_db_listen_up')) === 1, 'the listener of --db-listen');
});

test('--pgbouncer: a statement outside a transaction that meets another session\'s lock fails after the lock timeout (503 db_busy) instead of waiting for it', { skip: !pg }, async () => {
  const db = freshDb('bouncelock');
  assert.equal(cliDb(db, ['demo', '--members', '20']).status, 0);
  const bouncer = await startPgbouncer({ pgUrl: db, poolSize: 3 });
  stops.push(() => bouncer.stop());
  const s = await serve({ db: bouncer.url(db), demo: false, args: ['--pgbouncer', '--db-pool', '2'] });
  const office = await loginAs(s.base, 'office');
  const root = office.user.roles[0].org_id;
  ok(await office.get(`/api/v1/orgs/${root}`)); // reads outside a transaction (no BEGIN … SET LOCAL before them)
  // another session (straight to PostgreSQL) holds the organisations table
  const locker = spawn('psql', ['-q', '-t', '-A', db], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  const lockedNow = new Promise((resolve) => locker.stdout.on('data', (b) => { out += b; if (out.includes('locked')) resolve(); }));
  locker.stdin.write("BEGIN; LOCK TABLE org IN ACCESS EXCLUSIVE MODE; SELECT 'locked';\n");
  await lockedNow;
  let timer;
  const t0 = Date.now();
  const r = await Promise.race([office.get(`/api/v1/orgs/${root}`),
    new Promise((resolve) => { timer = setTimeout(() => resolve(null), 40000); })]);
  clearTimeout(timer);
  const waited = Date.now() - t0;
  locker.stdin.end('COMMIT;\n');
  await new Promise((resolve) => locker.on('exit', resolve));
  assert.ok(r, 'the read still waited for the lock after 40 s');
  assert.equal(r.status, 503, r.text.slice(0, 300));
  assert.equal(r.json.error.code, 'db_busy');
  assert.ok(waited >= 9000, `failed after ${waited} ms: the lock timeout is 10 s`);
  // the timeout was the statement's own: the pooled server connections carry no session setting
  assert.equal(sqlOn(db, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'cxzy serve' AND query ILIKE 'SET %'"), '0');
  ok(await office.get(`/api/v1/orgs/${root}`));
});

test('--trusted-proxy: a spoofed X-Forwarded-For from an untrusted peer changes nothing; behind a trusted one the limits count per forwarded client', async () => {
  const limit = ['--ballot-limit', '2', '--burst-target', '0', '--burst-net', '0'];
  const plain = await serve({ db: A.db, demo: false, args: limit });
  const proxied = await serve({ db: A.db, demo: false, args: [...limit, '--trusted-proxy', '127.0.0.1, 10.0.0.0/8'] });
  const office = await loginAs(A.base, 'office');
  const root = office.user.roles[0].org_id;
  const camp = (await ok(await office.get(`/api/v1/orgs/${root}/campaigns`))).campaigns[0];
  const rounds = (await ok(await office.get(`/api/v1/orgs/${root}/rounds`))).rounds || [];
  if (!rounds.length) ok(await office.post(`/api/v1/orgs/${root}/rounds`, { campaign_id: camp.id, name: '2011年下半年', start_date: camp.start_date,
    end_date: camp.end_date, questions: 'party3' }), 201);
  const memberId = (await loginAs(A.base, 'member')).user.member_id;
  const branch = (await loginAs(A.base, 'secretary')).user.roles[0].org_id;
  const ballot = async (s, addr, headers) => {
    const dv = (await fromAddr(s.base, addr, 'GET', `/api/v1/public/rating?target_kind=org&target_id=${branch}`, null, headers)).json.device;
    return fromAddr(s.base, addr, 'POST', '/api/v1/public/ballots', { target_kind: 'member', target_id: memberId, channel: 'web', answers: '111', device: dv }, headers);
  };
  // no trusted proxy: a new X-Forwarded-For on every request is still one client (127.0.0.5)
  for (let i = 0; i < 2; i++) assert.equal((await ballot(plain, '127.0.0.5', { 'X-Forwarded-For': `203.0.113.${i + 1}` })).status, 201);
  expectError(await ballot(plain, '127.0.0.5', { 'X-Forwarded-For': '203.0.113.99', 'X-Real-IP': '203.0.113.98' }), 429, 'rate_limited');
  // trusted proxy 127.0.0.1: each forwarded client has its own limit
  for (const client of ['198.51.100.7', '198.51.100.8']) {
    for (let i = 0; i < 2; i++) assert.equal((await ballot(proxied, '127.0.0.1', { 'X-Forwarded-For': client })).status, 201);
    expectError(await ballot(proxied, '127.0.0.1', { 'X-Forwarded-For': client }), 429, 'rate_limited');
  }
  // the right-most untrusted entry counts: a client forging an entry in front of it changes nothing
  expectError(await ballot(proxied, '127.0.0.1', { 'X-Forwarded-For': '192.0.2.1, 198.51.100.7' }), 429, 'rate_limited');
  // a trusted inner proxy (10.0.0.0/8) is skipped
  expectError(await ballot(proxied, '127.0.0.1', { 'X-Forwarded-For': '192.0.2.2, 198.51.100.7, 10.1.2.3' }), 429, 'rate_limited');
  // X-Real-IP when there is no X-Forwarded-For
  expectError(await ballot(proxied, '127.0.0.1', { 'X-Real-IP': '198.51.100.8' }), 429, 'rate_limited');
  // an untrusted peer of the proxied server: its headers are ignored (127.0.0.6 is one client)
  for (let i = 0; i < 2; i++) assert.equal((await ballot(proxied, '127.0.0.6', { 'X-Forwarded-For': `192.0.2.${50 + i}` })).status, 201);
  expectError(await ballot(proxied, '127.0.0.6', { 'X-Forwarded-For': '192.0.2.77' }), 429, 'rate_limited');
  // malformed headers from the trusted proxy: never a crash
  for (const bad of ['', ',', 'not-an-address', '198.51.100.9, junk', '1.2.3.4:80', '[::1]', 'x'.repeat(5000), '1.2.3.4,,5.6.7.8', '\u00ff']) {
    const r = await fromAddr(proxied.base, '127.0.0.1', 'GET', `/api/v1/public/rating?target_kind=org&target_id=${branch}`, null, { 'X-Forwarded-For': bad });
    assert.ok([200, 400, 431].includes(r.status), `${JSON.stringify(bad).slice(0, 40)}: ${r.status}`);
  }
  assert.equal((await fetch(`${proxied.base}/healthz`)).status, 200, 'still serving');
  // a bad list is refused at start with the item named
  const r = spawnSync(BIN, ['serve', '--trusted-proxy', '127.0.0.1,10.0.0.0/33'], { encoding: 'utf8', env: { ...process.env, CXZY_DB: A.db, CXZY_KEY: KEY } });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /受信任的代理“10\.0\.0\.0\/33”不是 IPv4 或 IPv6 地址或网段/);
});

test('the session cookie carries Secure when --public-url is https, and not otherwise', async () => {
  const s = await serve({ db: A.db, demo: false, args: ['--public-url', 'https://cxzy.example.gov.cn'] });
  const login = async (base) => (await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'member', password: 'cxzy-demo-2026' }) })).headers.getSetCookie();
  const https = await login(s.base), plainHttp = await login(A.base);
  assert.ok(https.length && https.every((c) => /;\s*Secure/i.test(c)), https.join(' | '));
  assert.ok(plainHttp.length && plainHttp.every((c) => !/;\s*Secure/i.test(c)), plainHttp.join(' | '));
});
