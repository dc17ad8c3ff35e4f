// Abuse of the front door (issue 13): password hashing bounded under a login flood, lock-out by
// (account, address) that tells nothing about which accounts exist.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { startServerOn, expectError, PASSWORD, scratchFile } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const port = Number(new URL(srv.base).port);

/** One request from a chosen loopback address (127.0.0.x); body: object sent as JSON. */
function from(localAddress, method, path, body, agent = false, toPort = port) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? null : Buffer.from(JSON.stringify(body));
    const t0 = performance.now();
    const q = http.request({ host: '127.0.0.1', port: toPort, localAddress, method, path, agent,
      headers: data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {} }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json = null;
        try { json = JSON.parse(text); } catch { /* a page */ }
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers)) for (const x of [v].flat()) headers.append(k, x);
        resolve({ status: res.statusCode, headers, text, json, ms: performance.now() - t0 });
      });
    });
    q.on('error', reject);
    if (data) q.write(data);
    q.end();
  });
}
const login = (addr, username, password) => from(addr, 'POST', '/api/v1/session', { username, password });

test('a flood of wrong-password logins leaves public pages fast and is refused with 429 and Retry-After', async () => {
  const card = await from('127.0.0.1', 'GET', '/p/card/1');
  assert.equal(card.status, 200, card.text);
  // 48 parallel logins with wrong passwords (distinct unknown names: no lock stops them before hashing)
  let attacking = true;
  const flood = Promise.all(Array.from({ length: 48 }, (_, i) => login('127.0.0.3', `flood${i}`, 'wrong-pass-2026')))
    .finally(() => { attacking = false; });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const times = [];
  while (attacking || times.length < 60) {
    const r = await from('127.0.0.1', 'GET', '/p/card/1', undefined, agent);
    assert.equal(r.status, 200);
    times.push(r.ms);
  }
  agent.destroy();
  const tries = await flood;
  times.sort((a, b) => a - b);
  const p95 = times[Math.floor(times.length * 0.95)];
  assert.ok(p95 < 200, `public card p95 ${p95.toFixed(1)} ms during the flood (${times.length} requests)`);
  for (const r of tries) assert.ok([401, 429].includes(r.status), `${r.status} ${r.text}`);
  const refused = tries.filter((r) => r.status === 429);
  assert.ok(refused.length > 0, 'some logins were refused');
  for (const r of refused) {
    assert.equal(r.json.error.code, 'too_many_logins');
    assert.match(r.json.error.message, /登录尝试过于频繁/);
    assert.ok(Number(r.headers.get('retry-after')) >= 1, `Retry-After: ${r.headers.get('retry-after')}`);
  }
  // the flooding address soon uses up its failures: then refused before any hashing (the password
  // gate is per process, so behind a proxy spreading the address over N instances it has N buckets)
  let more, n = tries.filter((r) => r.status === 401).length;
  for (; n <= 60 * (srv.instances ? srv.instances.length : 1); n++) {
    more = await login('127.0.0.3', `flood-late${n}`, 'wrong-pass-2026');
    if (more.status === 429) break;
  }
  expectError(more, 429, 'too_many_logins');
  assert.ok(Number(more.headers.get('retry-after')) >= 1);
  // someone at another address logs in as usual
  const ok = await login('127.0.0.4', 'member', PASSWORD);
  assert.equal(ok.status, 200, ok.text);
});

test('an attacker at one address cannot lock the owner out at another', async () => {
  const pw = scratchFile(`pw-door-${process.pid}.txt`, 'Right-pass-2026\n');
  assert.equal(srv.cli(['user', 'add', 'owner', '--name', '主人', '--password-file', pw]).status, 0);
  const tries = [];
  for (let i = 0; i < 8; i++) tries.push(await login('127.0.0.5', 'owner', 'wrong-pass-2026'));
  assert.deepEqual(tries.map((r) => r.status), [401, 401, 401, 401, 423, 423, 423, 423]);
  expectError(await login('127.0.0.5', 'owner', 'Right-pass-2026'), 423, 'account_locked');
  const owner = await login('127.0.0.6', 'owner', 'Right-pass-2026');
  assert.equal(owner.status, 200, owner.text);
});

test('an unknown name locks exactly as a known one does', async () => {
  const pw = scratchFile(`pw-door2-${process.pid}.txt`, 'Right-pass-2026\n');
  assert.equal(srv.cli(['user', 'add', 'known1', '--name', '有', '--password-file', pw]).status, 0);
  const seq = async (name) => {
    const out = [];
    for (let i = 0; i < 7; i++) {
      const r = await login('127.0.0.7', name, 'wrong-pass-2026');
      out.push([r.status, r.json.error.code, r.json.error.field, r.json.error.message]);
    }
    return out;
  };
  const known = await seq('known1'), unknown = await seq('nobody-here');
  assert.deepEqual(unknown, known);
  assert.equal(known[6][0], 423);
});

test('a GET with hundreds or thousands of query parameters is answered 4xx at once', async () => {
  // today about 470 or more parameters got no answer for 60 s
  const soon = (p) => Promise.race([p, new Promise((resolve) => setTimeout(() => resolve({ status: 0, text: 'no answer in 2 s' }), 2000).unref())]);
  for (const n of [470, 1000, 5000]) {
    const q = Array.from({ length: n }, (_, i) => `a${i}=${i}`).join('&');
    const page = await soon(from('127.0.0.1', 'GET', `/p/card/1?${q}`));
    assert.equal(page.status, 414, `${n} parameters: ${page.status} ${page.text}`);
    const api = await soon(from('127.0.0.1', 'GET', `/api/v1/public/cards/1?${q}`));
    assert.equal(api.status, 414, `${n} parameters (API): ${api.status} ${api.text}`);
    if (n > 2000) continue; // a request line beyond the connection's 32 KiB: libmicrohttpd's own 414
    assert.ok(api.json, api.text);
    assert.equal(api.json.error.code, 'uri_too_long');
    assert.match(api.json.error.message, /查询参数过多/);
  }
  const q = Array.from({ length: 100 }, (_, i) => `a${i}=${i}`).join('&');
  assert.equal((await from('127.0.0.1', 'GET', `/p/card/1?${q}`)).status, 200);
  assert.equal((await from('127.0.0.1', 'GET', `/api/v1/public/cards/1?${q}`)).status, 200);
});

test('a path with an escaped NUL is refused, never read as the id before it', async () => {
  // an nginx in front refuses such a path itself (its own 400 page): the server's answer is asked
  // of an instance directly
  const own = srv.instances ? Number(new URL(srv.instances[0].base).port) : port;
  for (const path of ['/api/v1/public/cards/1%00', '/api/v1/public/cards/1%002', '/p/card/1%00.html']) {
    const r = await from('127.0.0.1', 'GET', path, undefined, false, own);
    assert.equal(r.status, 400, `${path}: ${r.status} ${r.text}`);
    if (path.startsWith('/api/')) {
      assert.equal(r.json.error.code, 'bad_path');
      assert.match(r.json.error.message, /空字符/);
    }
  }
  assert.equal((await from('127.0.0.1', 'GET', '/api/v1/public/cards/1')).status, 200);
  // a NUL in the query is not the path's: the card is still found
  assert.equal((await from('127.0.0.1', 'GET', '/api/v1/public/cards/1?x=%00')).status, 200);
});

test('slow connections from one address neither keep others out nor stay open past the header timeout', async () => {
  // the limits of one process at its socket (libmicrohttpd's), not a proxy's
  const s2 = await startServerOn({ members: 20, args: ['--max-connections', '30', '--max-connections-per-address', '10', '--header-timeout', '2'], single: true });
  const p2 = Number(new URL(s2.base).port);
  const socks = [];
  let closed = 0, refused = 0;
  // 40 slowloris connections from 127.0.0.1: half a request, then a byte every 300 ms, never done
  const trickle = setInterval(() => { for (const k of socks) if (!k.destroyed) k.write('a'); }, 300);
  try {
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 40 }, () => new Promise((resolve) => {
      const k = net.connect({ host: '127.0.0.1', port: p2, localAddress: '127.0.0.1' });
      socks.push(k);
      k.on('connect', () => { k.write('GET /p/card/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: '); resolve(); });
      k.on('data', (d) => { if (d.toString().startsWith('HTTP/1.1 503')) refused++; });
      k.on('error', () => {});
      k.on('close', () => { closed++; resolve(); });
    })));
    // someone at another address is served at once
    const r = await Promise.race([from('127.0.0.2', 'GET', '/p/card/1', undefined, false, p2),
      new Promise((resolve) => setTimeout(() => resolve({ status: 0, ms: 2000 }), 2000).unref())]);
    assert.equal(r.status, 200, `from another address: ${r.status}`);
    assert.ok(r.ms < 1000, `served in ${r.ms} ms`);
    // the connections past the cap were refused with 503 and closed; the others go after ~2 s
    const deadline = Date.now() + 8000;
    while (closed < 40 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(closed, 40, `${closed} of 40 slow connections closed`);
    assert.ok(refused >= 20, `${refused} refused with 503`);
    assert.ok(Date.now() - t0 >= 1500, 'the accepted ones were given the header timeout');
  } finally {
    clearInterval(trickle);
    for (const k of socks) k.destroy();
    s2.stop();
  }
});

test('with --public-url, QR codes and print pages carry it and other Hosts are refused', async () => {
  assert.equal(srv.cli(['serve', '--public-url', 'ftp://x/y', '--listen', '127.0.0.1:1']).status, 2);
  assert.match(srv.cli(['serve', '--public-url', 'https://a.example/p?x', '--listen', '127.0.0.1:1']).stderr, /--public-url 应为网站的公开地址/);
  // one process asked under its own listen address (behind a proxy the Host is the proxy's)
  const s3 = await startServerOn({ members: 20, args: ['--public-url', 'https://cxzy.example.gov.cn/'], single: true });
  try {
    const p3 = Number(new URL(s3.base).port);
    const get = (path, host) => new Promise((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: p3, path, headers: { Host: host }, agent: false }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
      }).on('error', reject);
    });
    for (const host of [new URL(s3.base).host, 'cxzy.example.gov.cn']) {
      const print = await get('/p/card/1/print', host);
      assert.equal(print.status, 200, `${host}: ${print.status}`);
      assert.ok(print.text.includes('https://cxzy.example.gov.cn/p/card/1'), `${host}: the public address is printed`);
      assert.ok(!print.text.includes('127.0.0.1'), 'not the listen address');
    }
    const evil = await get('/p/card/1/qr.svg', 'evil.example');
    assert.equal(evil.status, 400);
    assert.ok(evil.text.includes('--public-url'));
    // behind TLS every cookie carries Secure: the session, the login form's and the rater's
    const login = await fetch(s3.base + '/api/v1/session', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'member', password: PASSWORD }) });
    assert.equal(login.status, 200);
    const cookies = [...login.headers.getSetCookie(), ...(await fetch(s3.base + '/login')).headers.getSetCookie()];
    assert.ok(cookies.length >= 2 && cookies.every((c) => /; Secure$/.test(c)), cookies.join(' | '));
  } finally {
    s3.stop();
  }
  // without an https public address (plain http on 127.0.0.1) the cookies carry no Secure, or no browser would keep them
  const plain = await fetch(srv.base + '/api/v1/session', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'member', password: PASSWORD }) });
  assert.ok(plain.headers.getSetCookie().every((c) => !/Secure/.test(c)));
});
