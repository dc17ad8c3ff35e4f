// lib.mjs: shared harness for the API and browser tests: builds a demo database with the real
// binary, starts `cxzy serve` on a free 127.0.0.1 port, and gives a small HTTP client with a
// cookie jar and CSRF handling. Configured by scripts/test.sh through the environment:
//   CXZY_BIN       the binary under test (normal or ASan build)
//   CXZY_TEST_DB   a fresh database: a SQLite path or a postgresql:// URL
//   CXZY_TEST_DIR  a scratch directory
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import net from 'node:net';

export const BIN = process.env.CXZY_BIN || new URL('../build/src/cxzy', import.meta.url).pathname;
export const BACKEND = process.env.CXZY_BACKEND || 'sqlite';
export const PASSWORD = 'cxzy-demo-2026';
const scratch = mkdtempSync(join(process.env.CXZY_TEST_DIR || '/tmp', 'run-'));
export const DB = process.env.CXZY_TEST_DB || join(scratch, 'cx.db');
export const KEY = join(scratch, 'cx.key');

/** Runs the binary with args; returns {status, stdout, stderr}. */
export function cli(args, opts = {}) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', ...opts, env: { ...process.env, CXZY_DB: DB, CXZY_KEY: KEY } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
    s.on('error', reject);
  });
}

let server = null;
/** Creates the demo district once (members: 300 by default) and starts the server.
 * Returns {base, stop}. stop() resolves to the server's exit code (non-zero on an ASan report). */
export async function startServer({ members = 300 } = {}) {
  if (server) return server;
  const d = cli(['demo', '--members', String(members)]);
  if (d.status !== 0) throw new Error('cxzy demo failed: ' + d.stderr + d.stdout);
  const port = await freePort();
  const proc = spawn(BIN, ['serve', '--listen', `127.0.0.1:${port}`, '--threads', '4'],
    { env: { ...process.env, CXZY_DB: DB, CXZY_KEY: KEY }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (b) => { stderr += b; });
  // Ready when the server says so on stdout: no sleeping.
  await new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (b) => { out += b; if (out.includes('cxzy 已启动')) resolve(); });
    proc.on('exit', (code) => reject(new Error(`server exited early (${code}): ${stderr}`)));
  });
  const exited = new Promise((resolve) => proc.on('exit', (code, sig) => resolve({ code, sig, stderr })));
  server = {
    base: `http://127.0.0.1:${port}`,
    demo: d.stdout,
    async stop() {
      proc.kill('SIGTERM');
      const r = await exited;
      if (r.code !== 0) throw new Error(`server exit ${r.code} ${r.sig}: ${r.stderr}`);
      return r.code;
    },
  };
  return server;
}

/** A user agent: cookie jar, CSRF token from login, JSON helpers. */
export class Client {
  constructor(base) { this.base = base; this.cookies = new Map(); this.csrf = null; }
  cookieHeader() { return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '); }
  keepCookies(res) {
    for (const c of res.headers.getSetCookie ? res.headers.getSetCookie() : []) {
      const [kv] = c.split(';');
      const i = kv.indexOf('=');
      const k = kv.slice(0, i), v = kv.slice(i + 1);
      if (/Max-Age=0/i.test(c)) this.cookies.delete(k); else this.cookies.set(k, v);
    }
  }
  /** Raw request; body may be a string, Buffer, FormData or object (sent as JSON). */
  async req(method, path, { body, headers = {}, csrf = true } = {}) {
    const h = { ...headers };
    if (this.cookies.size) h.Cookie = this.cookieHeader();
    if (csrf && this.csrf && method !== 'GET') h['X-CSRF-Token'] = this.csrf;
    let b = body;
    if (body && typeof body === 'object' && !(body instanceof FormData) && !Buffer.isBuffer(body)) {
      b = JSON.stringify(body);
      h['Content-Type'] = 'application/json';
    }
    const res = await fetch(this.base + path, { method, headers: h, body: b, redirect: 'manual' });
    this.keepCookies(res);
    const buf = Buffer.from(await res.arrayBuffer());
    let json = null;
    if ((res.headers.get('content-type') || '').includes('json')) json = JSON.parse(buf.toString('utf8'));
    return { status: res.status, headers: res.headers, json, text: buf.toString('utf8'), buf };
  }
  get(p, o) { return this.req('GET', p, o); }
  post(p, body, o = {}) { return this.req('POST', p, { ...o, body }); }
  patch(p, body, o = {}) { return this.req('PATCH', p, { ...o, body }); }
  del(p, o) { return this.req('DELETE', p, o); }
  async login(username, password = PASSWORD) {
    const r = await this.post('/api/v1/session', { username, password });
    if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${r.text}`);
    this.csrf = r.json.csrf;
    this.user = r.json.user;
    return r;
  }
}

export async function loginAs(base, username) {
  const c = new Client(base);
  await c.login(username);
  return c;
}

/** Writes a file in the scratch directory and returns its path. */
export function scratchFile(name, data) {
  const p = join(scratch, name);
  writeFileSync(p, data);
  return p;
}

/** A valid 身份证号 from 17 digits (GB 11643 check character). */
export function idcard(first17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let s = 0;
  for (let i = 0; i < 17; i++) s += Number(first17[i]) * w[i];
  return first17 + '10X98765432'[s % 11];
}
