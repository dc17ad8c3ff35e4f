// replica.test.mjs: `cxzy serve --db-read URL`: public cards, dashboards and bulletins read from a
// streaming replica, everything else and every write on the primary; a replica that lags more than
// the bound or goes away leaves the reads to the primary (no 500), and they come back when it does.
// On PostgreSQL it needs the replica scripts/test.sh starts (CXZY_TEST_REPLICA: its base URL, like
// CXZY_TEST_DB's without the database name); on SQLite the option is refused.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { BACKEND, BIN, KEY, Client, loginAs, startServerOn, sqlOn, freePort, daysFromToday } from '../lib.mjs';

const REPLICA = process.env.CXZY_TEST_REPLICA || '';
if (BACKEND === 'pg' && !REPLICA) throw new Error('CXZY_TEST_REPLICA is not set: scripts/test.sh starts a replica of the test PostgreSQL');

/** Waits until the server's log (stderr) holds `count` lines matching re; rejects after 60 s. */
function logLines(srv, re, count = 1) {
  const n = () => srv.log().split('\n').filter((l) => re.test(l)).length;
  if (n() >= count) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { srv.proc.stderr.off('data', on); reject(new Error(`no ${count}× ${re} in the log:\n${srv.log().slice(-2000)}`)); }, 60000);
    const on = () => { if (n() >= count) { clearTimeout(timer); srv.proc.stderr.off('data', on); resolve(); } };
    srv.proc.stderr.on('data', on);
  });
}

/** How many lines of the server's log match re so far. */
const countLines = (srv, re) => srv.log().split('\n').filter((l) => re.test(l)).length;
const UP = /where=replica msg="?备库可用/;

const serveArgs = (db, args) => spawnSync(BIN, ['serve', '--listen', '127.0.0.1:1', ...args],
  { encoding: 'utf8', env: { ...process.env, CXZY_DB: db, CXZY_KEY: KEY, CXZY_DB_READ: '' } });

if (BACKEND === 'sqlite') {
  const srv = await startServerOn();
  after(() => srv.stop());

  test('SQLite: --db-read and CXZY_DB_READ are refused with a clear message (exit 2)', () => {
    const r = serveArgs(srv.db, ['--db-read', 'postgresql://cxzy@127.0.0.1:1/cxzy']);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /--db-read.*SQLite 数据库只有一个文件/);
    const e = spawnSync(BIN, ['serve', '--listen', '127.0.0.1:1'],
      { encoding: 'utf8', env: { ...process.env, CXZY_DB: srv.db, CXZY_KEY: KEY, CXZY_DB_READ: 'postgresql://cxzy@127.0.0.1:1/cxzy' } });
    assert.equal(e.status, 2, e.stderr);
    assert.match(e.stderr, /CXZY_DB_READ/);
  });

  test('the routes read from a replica are the lag-tolerant GETs, and only those (x-replica in the OpenAPI description of the API)', async () => {
    const api = (await new Client(srv.base).get('/api/v1/openapi.json')).json;
    const marked = [];
    for (const [path, ops] of Object.entries(api.paths)) for (const [m, op] of Object.entries(ops)) if (op['x-replica']) marked.push(`${m.toUpperCase()} ${path}`);
    for (const want of ['GET /public/cards/{id}', 'GET /public/boards/{id}', 'GET /orgs/{id}/dashboard', 'GET /bulletins/{id}', 'GET /orgs/{id}/bulletins', 'GET /public/notices'])
      assert.ok(marked.includes(want), `${want} is read from the replica: ${marked.join(', ')}`);
    for (const m of marked) assert.match(m, /^GET /, 'no write is routed');
    for (const never of ['GET /pledges/{id}', 'GET /orgs/{id}/pledges', 'GET /public/rating', 'GET /me/pledges'])
      assert.ok(!marked.includes(never), `${never} stays on the primary`);
  });

  test('SQLite: without --db-read nothing changes: no read-your-writes cookie, pages as before', async () => {
    const town = await loginAs(srv.base, 'town');
    assert.ok(!town.cookies.has('cxzy_rw'), 'no cookie without a replica');
    const card = await new Client(srv.base).get('/p/card/1');
    assert.equal(card.status, 200);
    const dash = await town.get(`/api/v1/orgs/${town.user.roles[0].org_id}/dashboard`);
    assert.equal(dash.status, 200, dash.text);
    assert.doesNotMatch(srv.log(), /where=replica/);
  });
} else {
  const srv0 = await startServerOn();
  const dbName = srv0.db.replace(/^.*\/([^/?]*)(\?.*)?$/, '$1');
  const replicaUrl = `${REPLICA}/${dbName}`;
  await srv0.stop(); // the database made; the servers below serve it with a replica
  const srv = await startServerOn({ db: srv0.db, demo: false, args: ['--db-read', replicaUrl, '--db-read-lag', '60'], single: true });
  const stopped = [];
  after(async () => {
    sqlOn(REPLICA + '/postgres', 'SELECT pg_wal_replay_resume()');
    for (const s of [srv, ...stopped]) await s.stop();
  });
  await logLines(srv, UP);

  const member = await loginAs(srv.base, 'member');
  const secretary = await loginAs(srv.base, 'secretary');
  let n = 0;
  const approvedPledge = async () => {
    const title = `为社区老人义务理发 ${process.pid}-${++n}`;
    const c = await member.post('/api/v1/pledges', {
      area: '服务群众', title, content: '每月为社区老人义务理发一次。', measures: '每月第一个周六上门。', responsible: '本人', due_date: daysFromToday(60),
    });
    assert.equal(c.status, 201, c.text);
    for (const [who, what] of [[member, 'submit'], [secretary, 'approve']]) {
      const r = await who.post(`/api/v1/pledges/${c.json.pledge.id}/${what}`);
      assert.equal(r.status, 200, r.text);
    }
    return title;
  };
  /** Waits until the replica has replayed everything the primary has written so far. */
  const replayed = () => {
    const lsn = sqlOn(srv.db, 'SELECT pg_current_wal_lsn()');
    const until = Date.now() + 60000;
    while (sqlOn(replicaUrl, `SELECT pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn`) !== 't') {
      if (Date.now() > until) throw new Error(`the replica did not replay ${lsn}`);
    }
  };
  const pause = () => sqlOn(replicaUrl, 'SELECT pg_wal_replay_pause()');
  const resume = () => sqlOn(replicaUrl, 'SELECT pg_wal_replay_resume()');

  test('PG: --db-read with an address that is not PostgreSQL is refused (exit 2)', () => {
    const r = serveArgs(srv.db, ['--db-read', '/tmp/x.db']);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /--db-read 应为 PostgreSQL 备库的地址/);
  });

  test('PG: the public card is read from the replica; the writer reads its own write from the primary', async () => {
    pause();
    let title;
    try {
      title = await approvedPledge(); // on the primary; the paused replica does not have it
      const anon = new Client(srv.base);
      const stale = await anon.get('/p/card/1');
      assert.equal(stale.status, 200, stale.text);
      assert.ok(!stale.text.includes(title), 'a visitor reads the card from the replica, which has not replayed the approval');
      assert.ok(secretary.cookies.has('cxzy_rw'), 'a change leaves the read-your-writes cookie');
      const own = await secretary.get('/p/card/1');
      assert.equal(own.status, 200);
      assert.ok(own.text.includes(title), 'the approver sees the approval at once (read from the primary)');
    } finally { resume(); }
    await loginAs(srv.base, 'town'); // one more commit of this server: its page cache validates again
    replayed();
    const fresh = await new Client(srv.base).get('/p/card/1');
    assert.equal(fresh.status, 200);
    assert.ok(fresh.text.includes(title), 'once replayed, the visitor sees it');
    const api = await new Client(srv.base).get('/api/v1/public/cards/1');
    assert.equal(api.status, 200);
    assert.ok(JSON.stringify(api.json).includes(title));
    assert.doesNotMatch(srv.log(), /在备库上被拒绝/);
  });

  test('PG: a request whose replica connection was cut is served again on the primary; the read pool stays the replica\'s', async () => {
    const ups = countLines(srv, UP);
    await loginAs(srv.base, 'town'); // a commit of this server: the next card asks the database (no page cache trust)
    // the server's connections to the replica but the checker's (the oldest: the pool opens after its first answer)
    const cut = sqlOn(replicaUrl, 'SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() ' +
      'AND pid <> pg_backend_pid() AND backend_start > (SELECT min(backend_start) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid())');
    assert.ok(Number(cut) >= 1, `the read pool's connections were cut (${cut})`);
    const card = await new Client(srv.base).get('/p/card/1');
    assert.equal(card.status, 200, card.text.slice(0, 300));
    await logLines(srv, /where=replica msg="?备库连接中断/);
    await logLines(srv, UP, ups + 1);
    pause();
    try {
      const title = await approvedPledge();
      const again = await new Client(srv.base).get('/p/card/1');
      assert.equal(again.status, 200);
      assert.ok(!again.text.includes(title), 'read from the replica again, not from a primary connection left in its pool');
    } finally { resume(); }
  });

  test('PG: dashboards and bulletins from the replica; an export (audited, a write) goes to the primary', async () => {
    const office = await loginAs(srv.base, 'office');
    office.cookies.delete('cxzy_rw'); // a reader who changed nothing
    const root = office.user.roles[0].org_id;
    replayed();
    const dash = await office.get(`/api/v1/orgs/${root}/dashboard`);
    assert.equal(dash.status, 200, dash.text);
    const page = await office.get(`/orgs/${root}/dashboard`);
    assert.equal(page.status, 200);
    const list = await office.get(`/api/v1/orgs/${root}/bulletins`);
    assert.equal(list.status, 200, list.text);
    const exports = () => Number(sqlOn(srv.db, "SELECT count(*) FROM audit_log WHERE action = 'export'"));
    const before = exports();
    const x = await office.get(`/orgs/${root}/dashboard?format=xlsx`);
    assert.equal(x.status, 200, x.text.slice(0, 300));
    assert.equal(exports(), before + 1, 'the export is audited on the primary');
    assert.doesNotMatch(srv.log(), /在备库上被拒绝/, 'no routed request wrote on the replica');
  });

  test('PG: a replica behind the lag bound leaves the reads to the primary, and gets them back', async () => {
    const lagged = await startServerOn({ db: srv.db, demo: false, args: ['--db-read', replicaUrl, '--db-read-lag', '2'], single: true });
    stopped.push(lagged);
    await logLines(lagged, UP);
    const ups = countLines(lagged, UP);
    pause();
    try {
      const title = await approvedPledge();
      // the paused replica falls behind the bound: the card shows the approval, read from the primary
      const until = Date.now() + 30000;
      let card;
      do {
        card = await new Client(lagged.base).get('/p/card/1');
        assert.equal(card.status, 200);
      } while (!card.text.includes(title) && Date.now() < until);
      assert.ok(card.text.includes(title), 'read from the primary while the replica lags');
      await logLines(lagged, /where=replica msg="?备库落后主库/);
    } finally { resume(); }
    await logLines(lagged, UP, ups + 1);
    assert.equal((await new Client(lagged.base).get('/p/card/1')).status, 200);
  });

  test('PG: a stopped replica: pages still served from the primary, no 500; back when it is', async () => {
    const dir = sqlOn(replicaUrl, 'SHOW data_directory').replace(/\/data\/?$/, '');
    const port = new URL(REPLICA).port;
    const title = await approvedPledge();
    replayed();
    const ups = countLines(srv, UP);
    const halt = spawnSync('sh', ['scripts/pg.sh', 'halt', dir], { encoding: 'utf8' });
    assert.equal(halt.status, 0, halt.stderr);
    try {
      const anon = new Client(srv.base);
      for (const p of ['/p/card/1', '/p/board/1', '/p/bulletins', '/p/results']) {
        const r = await anon.get(p);
        assert.ok(r.status < 500, `${p}: ${r.status} ${r.text.slice(0, 200)}`);
      }
      const card = await anon.get('/p/card/1');
      assert.equal(card.status, 200);
      assert.ok(card.text.includes(title));
      const office = await loginAs(srv.base, 'office');
      office.cookies.delete('cxzy_rw');
      const dash = await office.get(`/api/v1/orgs/${office.user.roles[0].org_id}/dashboard`);
      assert.equal(dash.status, 200, dash.text);
      await logLines(srv, /where=replica msg="?(备库无法连接|备库连接中断)/);
    } finally {
      const resumed = spawnSync('sh', ['scripts/pg.sh', 'resume', dir, port], { encoding: 'utf8' });
      assert.equal(resumed.status, 0, resumed.stderr);
    }
    await logLines(srv, UP, ups + 1);
    assert.equal((await new Client(srv.base).get('/p/card/1')).status, 200);
  });

  test('PG: a replica that is down from the start: the server starts and serves from the primary', async () => {
    const dead = `postgresql://cxzy@127.0.0.1:${await freePort()}/${dbName}`;
    const s = await startServerOn({ db: srv.db, demo: false, args: ['--db-read', dead], single: true });
    stopped.push(s);
    await logLines(s, /where=replica msg="?备库无法连接/);
    const card = await new Client(s.base).get('/p/card/1');
    assert.equal(card.status, 200);
  });
}
