// smoke.test.mjs: the server starts on the demo data, logs in, and stops cleanly.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, startServerOn, loginAs } from '../lib.mjs';

const srv = await startServer();
after(() => srv.stop());

test('office logs in and sees the district root with its members counted', async () => {
  const c = await loginAs(srv.base, 'office');
  const me = await c.get('/api/v1/me');
  assert.equal(me.status, 200);
  const root = me.json.user.roles.find((g) => g.role === 'office').org_id;
  const org = await c.get(`/api/v1/orgs/${root}`);
  assert.equal(org.status, 200);
  assert.equal(org.json.org.type, 'committee');
  assert.equal(org.json.subtree_members, 300);
  assert.ok(org.json.children.length >= 8);
});

// The server's own accept thread hands connections to the workers (src/web/server.c, acceptor).
test('300 kept-alive connections at once all get the card, three times each', async () => {
  const http = await import('node:http');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 300 });
  const get = () => new Promise((resolve, reject) => {
    http.get(`${srv.base}/p/card/1`, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    }).on('error', reject);
  });
  const first = await get();
  assert.equal(first.status, 200);
  const conns = await Promise.all(Array.from({ length: 300 }, async () => [await get(), await get(), await get()]));
  agent.destroy();
  const all = conns.flat();
  assert.equal(all.length, 900);
  assert.deepEqual([...new Set(all.map((r) => r.status))], [200]);
  assert.equal(new Set(all.map((r) => r.body)).size, 1, 'every answer is the same card');
  assert.equal(all[0].body, first.body);
});

// Each connection's memory pool is 32 KiB (server.c, CONN_POOL): a browser's headers with many
// cookies of other sites on the same host name still fit.
test('a request carrying 12 KB of other applications’ cookies is served', async () => {
  const jar = Array.from({ length: 60 }, (_, i) => `other_app_${i}=${'x'.repeat(190)}`).join('; ');
  assert.ok(jar.length > 12000);
  const r = await fetch(`${srv.base}/p/card/1`, { headers: { Cookie: jar } });
  assert.equal(r.status, 200);
  assert.match(await r.text(), /亮身份|公开承诺/);
});

test('a second server on the same port is refused with a message, and the first goes on', async () => {
  const port = new URL(srv.base).port;
  const r = srv.cli(['serve', '--listen', `127.0.0.1:${port}`], { timeout: 20000 });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /无法在 127\.0\.0\.1:\d+ 上监听（端口被占用？）/);
  assert.equal((await fetch(`${srv.base}/p/card/1`)).status, 200);
});

// At --max-connections open connections the accept thread stops accepting (server.c, acceptor):
// the next visitor waits in the listen queue and is served when a connection closes, instead of
// being reset. Observed for 500 ms: with no limit, the ninth answer comes in about a millisecond.
test('at the connection limit a new visitor waits and is served when a connection closes', { timeout: 30000 }, async () => {
  const net = await import('node:net');
  const two = await startServerOn({ db: srv.db, demo: false, args: ['--max-connections', '8'], single: true }); // one process's acceptor
  const { port } = new URL(two.base);
  const open = () => new Promise((resolve, reject) => {
    const s = net.connect(Number(port), '127.0.0.1');
    let got = '';
    s.setEncoding('latin1');
    s.on('data', (c) => { // one whole answer: its headers and Content-Length bytes of body
      got += c;
      const end = got.indexOf('\r\n\r\n'), len = /\r\ncontent-length: *(\d+)/i.exec(got);
      if (end > 0 && len && got.length - end - 4 >= Number(len[1])) s.emit('answered');
    });
    s.on('error', reject);
    s.on('connect', () => {
      s.write(`GET /p/card/1 HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
      resolve(s);
    });
  });
  const answered = (s) => new Promise((resolve, reject) => {
    s.once('answered', resolve);
    s.once('close', () => reject(new Error('connection closed without an answer')));
  });
  try {
    const eight = [];
    for (let i = 0; i < 8; i++) {
      const s = await open();
      await answered(s); // each holds its connection open afterwards (keep-alive)
      eight.push(s);
    }
    const ninth = await open(); // the kernel completes the handshake; the server does not take it
    const waitedOut = await Promise.race([answered(ninth).then(() => 'answered'),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 500))]);
    assert.equal(waitedOut, 'still waiting', 'the ninth connection is not served while eight are open');
    const served = answered(ninth);
    eight[0].destroy();
    await served;
    for (const s of [...eight, ninth]) s.destroy();
    // Five times the limit at once, each on a connection of its own: all are served, and the
    // server still stops cleanly (libmicrohttpd hangs for good when it hits its own limit).
    const http = await import('node:http');
    const agent = new http.Agent({ keepAlive: false });
    const statuses = await Promise.all(Array.from({ length: 40 }, () => new Promise((resolve, reject) => {
      http.get(`${two.base}/p/card/1`, { agent }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); })
        .on('error', reject);
    })));
    assert.deepEqual([...new Set(statuses)], [200]);
  } finally {
    await two.stop();
  }
});

test('a new database, its key and folder are readable by their owner only; no command leaks without --key', async () => {
  const { spawnSync } = await import('node:child_process');
  const { mkdtempSync, statSync } = await import('node:fs');
  const { join } = await import('node:path');
  const dir = join(mkdtempSync(join(process.env.CXZY_TEST_DIR || '/tmp', 'perm-')), 'data');
  const db = join(dir, 'new.db');
  const env = { ...process.env };
  delete env.CXZY_DB;
  delete env.CXZY_KEY;
  const run = (args) => spawnSync(process.env.CXZY_BIN || new URL('../../build/src/cxzy', import.meta.url).pathname, args,
    { encoding: 'utf8', env: { ...env, ASAN_OPTIONS: 'detect_leaks=1' } });
  const d = run(['demo', '--db', db, '--members', '50']);
  assert.equal(d.status, 0, d.stderr);
  for (const [path, mode] of [[dir, 0o700], [db, 0o600], [db + '.key', 0o600]]) {
    assert.equal(statSync(path).mode & 0o777, mode, `${path}: ${(statSync(path).mode & 0o777).toString(8)}`);
  }
  // the key file beside the database, found without --key or CXZY_KEY (the ASan build exited 1 on a leak here)
  for (const args of [['audit', 'verify', '--db', db], ['migrate', '--db', db], ['user', 'list', '--db', db]]) {
    const r = run(args);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
  }
});

test('--max-connections refuses what is not a count', () => {
  for (const v of ['0', 'x', '-3', '2000000']) {
    const r = srv.cli(['serve', '--listen', '127.0.0.1:1', '--max-connections', v]);
    assert.equal(r.status, 2, v);
    assert.match(r.stderr, /--max-connections 应为 1 到 1000000 之间的整数/, v);
  }
});
