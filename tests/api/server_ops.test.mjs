// server_ops.test.mjs: the server's connection handling and log as an operator and an attacker
// meet them (issue 13): logrotate's SIGHUP reopens the --log file; a body trickled or stopped
// mid-way is cut off after --body-timeout; requests libmicrohttpd refuses before our handler
// still get an access line.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { existsSync, readFileSync, renameSync, statSync } from 'node:fs';
import { startServerOn, Client, scratchFile } from '../lib.mjs';

const logFile = scratchFile(`server-ops-${process.pid}.log`, '');
// one process's own log, signals and socket-level refusals (libmicrohttpd's), not a proxy's
const srv = await startServerOn({ members: 20, args: ['--log', logFile, '--body-timeout', '2'], single: true });
after(() => srv.stop());
const port = Number(new URL(srv.base).port);
const anon = new Client(srv.base);
const read = (f) => (existsSync(f) ? readFileSync(f, 'utf8') : '');

/** Polls (bounded: about 10 s of event-loop turns with a short timer) until cond() holds. */
async function until(cond, what) {
  const deadline = Date.now() + 10000;
  while (Date.now() < deadline) {
    const v = await cond();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`not within 10 s: ${what}`);
}

/** The access lines of a log text as {rid, method, path, status, …}. */
function accessLines(text) {
  return text.split('\n').filter((l) => / access /.test(l)).map((l) => {
    const kv = {};
    for (const m of l.matchAll(/ (\w+)=("(?:[^"\\]|\\.)*"|\S+)/g)) kv[m[1]] = m[2].startsWith('"') ? m[2].slice(1, -1) : m[2];
    return kv;
  });
}

test('SIGHUP reopens the --log file: after logrotate renames it, new lines go to a new file (0600)', async () => {
  const r1 = await anon.get('/p/feedback');
  assert.equal(r1.status, 200);
  const rid1 = r1.headers.get('x-request-id');
  await until(() => read(logFile).includes(`rid=${rid1}`), 'the first access line');
  const rotated = `${logFile}.1`;
  renameSync(logFile, rotated); // what logrotate does first
  process.kill(srv.pid, 'SIGHUP'); // then its postrotate
  // the server keeps serving, and once it has reopened, a request's line is in the new file
  const rid2 = await until(async () => {
    const r = await anon.get('/p/feedback');
    assert.equal(r.status, 200, 'the server still serves after SIGHUP');
    const rid = r.headers.get('x-request-id');
    return read(logFile).includes(`rid=${rid}`) ? rid : null;
  }, 'an access line in the reopened log file');
  const fresh = read(logFile), old = read(rotated);
  assert.match(fresh, / info msg=.*SIGHUP/, 'the reopen is noted in the new file');
  assert.ok(old.includes(`rid=${rid1}`), 'the old lines stay in the renamed file');
  assert.ok(!old.includes(`rid=${rid2}`), 'no line after the reopen in the renamed file');
  assert.equal(statSync(logFile).mode & 0o777, 0o600);
  assert.equal(srv.proc.exitCode, null, 'SIGHUP did not stop the server');
});

/** Opens a raw connection, sends head, then (if given) trickles one byte of body every `every` ms.
 * Resolves {data, ms} when the server closes the connection, or rejects after 15 s. */
function rawBody(head, { trickle = false, every = 400 } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    let data = '', timer = null;
    const k = net.connect({ host: '127.0.0.1', port });
    const give = setTimeout(() => { k.destroy(); reject(new Error(`still open after 15 s: ${data}`)); }, 15000);
    k.on('connect', () => {
      k.write(head);
      if (trickle) timer = setInterval(() => { if (!k.destroyed) k.write('a'); }, every);
    });
    k.on('data', (d) => { data += d; });
    k.on('error', () => {});
    k.on('close', () => { clearTimeout(give); clearInterval(timer); resolve({ data, ms: Date.now() - t0 }); });
  });
}

test('a body trickled a byte at a time, or stopped mid-way, is cut off after --body-timeout with 408, and logged', async () => {
  const head = (n) => 'POST /api/v1/public/feedback HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
    `Content-Length: ${n}\r\n\r\n`;
  const before = accessLines(read(logFile)).filter((l) => l.status === '408').length;
  // the headers, then one byte every 400 ms of a 1000-byte body (it would take 400 s): bytes keep
  // arriving, so libmicrohttpd's idle timeout alone would never end it
  const slow = await rawBody(head(1000) + '{"kind":', { trickle: true });
  assert.match(slow.data, /^HTTP\/1\.1 408 /, slow.data);
  assert.match(slow.data, /请求内容发送超时/);
  assert.ok(slow.ms >= 1500 && slow.ms < 10000, `cut off after ${slow.ms} ms (timeout 2 s)`);
  // half a body, then silence
  const stopped = await rawBody(head(200) + '{"kind":"opinion","te');
  assert.match(stopped.data, /^HTTP\/1\.1 408 /, stopped.data);
  assert.ok(stopped.ms >= 1500 && stopped.ms < 10000, `cut off after ${stopped.ms} ms`);
  // both in the access log, as 408 with the reason
  const lines = await until(() => {
    const l = accessLines(read(logFile)).filter((x) => x.status === '408');
    return l.length >= before + 2 ? l : null;
  }, 'two 408 access lines');
  for (const l of lines.slice(-2)) {
    assert.equal(l.timeout, 'body');
    assert.equal(l.path, '/api/v1/public/feedback');
  }
  // a body sent at once, and a slow handler after it, are not affected; the server still serves
  const ok = await anon.post('/api/v1/public/feedback', { kind: 'complaint', text: '路灯坏了一个星期没人修' });
  assert.equal(ok.status, 201, ok.text);
});

/** Sends raw bytes on a new connection; resolves with what came back once the server closes it
 * (or after 10 s: then {data, open: true}). */
function raw(bytes) {
  return new Promise((resolve) => {
    let data = '';
    const k = net.connect({ host: '127.0.0.1', port }, () => k.write(bytes));
    const give = setTimeout(() => { k.destroy(); resolve({ data, open: true }); }, 10000);
    k.on('data', (d) => { data += d; if (/\r\n\r\n/.test(data) && /^HTTP\/1\.1 4/.test(data)) k.end(); });
    k.on('error', () => {});
    k.on('close', () => { clearTimeout(give); resolve({ data, open: false }); });
  });
}

test('requests refused before our handler (too many parameters or headers, a request line too long) are in the access log', async () => {
  const lines = () => accessLines(read(logFile));
  const q = (n) => Array.from({ length: n }, (_, i) => `a${i}=${i}`).join('&');
  // 470 parameters: answered 414 at once, with its request id, and logged without the query's values
  const r = await anon.get(`/p/card/1?${q(470)}`);
  assert.equal(r.status, 414);
  const rid = r.headers.get('x-request-id');
  const l1 = await until(() => lines().find((x) => x.rid === rid), 'the 414 line');
  assert.equal(l1.status, '414');
  assert.equal(l1.method, 'GET');
  assert.match(l1.path, /^\/p\/card\/1/);
  // cases libmicrohttpd answers itself, before any handler: each leaves one line with its status
  const cases = [
    ['a request line beyond the connection buffer (5000 parameters)', `GET /p/card/1?${q(5000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`, /^(414|431)$/],
    ['headers beyond the connection buffer', 'GET /p/card/1 HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
      Array.from({ length: 300 }, (_, i) => `X-Pad-${i}: ${'p'.repeat(150)}\r\n`).join('') + '\r\n', /^431$/],
    ['a malformed header line', 'GET /p/card/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nno colon here\r\n\r\n', /^400$/],
  ];
  for (const [what, bytes, status] of cases) {
    const before = lines().length;
    const got = await raw(bytes);
    const code = (got.data.match(/^HTTP\/1\.1 (\d+)/) || [])[1];
    assert.match(code || '', status, `${what}: answered ${code}`);
    const l = await until(() => lines().slice(before).find((x) => x.status === code), `${what}: an access line`);
    assert.match(l.rid, /^[0-9a-f]{16}$/, `${what}: ${JSON.stringify(l)}`);
    assert.equal(l.by, 'libmicrohttpd', `${what}: ${JSON.stringify(l)}`);
    assert.ok(!(l.path || '').includes('=4'), `${what}: no query values in the log (${l.path})`);
  }
});
