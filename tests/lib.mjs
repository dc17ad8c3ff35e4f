// lib.mjs: shared harness for the API and browser tests: builds a demo database with the real
// binary, starts `cxzy serve` on a free 127.0.0.1 port, and gives a small HTTP client with a
// cookie jar and CSRF handling. Configured by scripts/test.sh through the environment:
//   CXZY_BIN       the binary under test (normal or ASan build)
//   CXZY_TEST_DB   a fresh database: a SQLite path or a postgresql:// URL
//   CXZY_TEST_DIR  a scratch directory
//   CXZY_DEMO_DB, CXZY_DEMO_KEY, CXZY_DEMO_OUT (optional) a demo district of 300 members made once
//                  for the run (scripts/demo-template.sh): its database (a SQLite file or a
//                  PostgreSQL database used as a template), its key file and what `cxzy demo` printed.
//                  A test that asks for the default demo gets a copy of it instead of running the
//                  demo again (the same rows, the same key); without them every file runs the demo.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import net from 'node:net';
import http from 'node:http';

export const BIN = process.env.CXZY_BIN || new URL('../build/src/cxzy', import.meta.url).pathname;
export const BACKEND = process.env.CXZY_BACKEND || 'sqlite';
export const PASSWORD = 'cxzy-demo-2026';
const scratch = mkdtempSync(join(process.env.CXZY_TEST_DIR || '/tmp', 'run-'));
export const DB = process.env.CXZY_TEST_DB || join(scratch, 'cx.db');
export const KEY = join(scratch, 'cx.key');
const TEMPLATE = process.env.CXZY_DEMO_DB
  ? { db: process.env.CXZY_DEMO_DB, out: readFileSync(process.env.CXZY_DEMO_OUT, 'utf8') } : null;
// Every database of this process is sealed with one key file; with a template it is the template's
// (copied: a test may rotate its own), so the databases a file makes itself share it too.
if (TEMPLATE) { copyFileSync(process.env.CXZY_DEMO_KEY, KEY); chmodSync(KEY, 0o600); }

/** Runs the binary with args; returns {status, stdout, stderr}. */
export function cli(args, opts = {}) { return cliDb(DB, args, opts); }

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
    s.on('error', reject);
  });
}

let server = null;
/** Creates the demo district once (members: 300 by default) on the shared CXZY_TEST_DB and
 * starts the server. Returns {base, stop}. stop() rejects on a non-zero exit (an ASan report). */
export async function startServer({ members = 300 } = {}) {
  if (!server) server = await startServerOn({ db: DB, members });
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

/** The demo's staff logged in (office, town, secretary, secretary2, member, leader, discipline),
 * with the organisations they sit at: rootId (the district), townId (the first town), branchA
 * (secretary's branch in it) and branchB (secretary2's, in the other town). */
export async function demoStaff(base) {
  const names = ['office', 'town', 'secretary', 'secretary2', 'member', 'leader', 'discipline'];
  const c = Object.fromEntries(await Promise.all(names.map(async (u) => [u, await loginAs(base, u)])));
  const at = (u) => c[u].user.roles[0].org_id;
  return { ...c, rootId: at('office'), townId: at('town'), branchA: at('secretary'), branchB: at('secretary2') };
}

/** Asserts the answer's status (200 unless given) and returns its JSON. */
export function expectOk(r, status = 200) {
  assert.equal(r.status, status, `${r.status} ${r.text.slice(0, 400)}`);
  return r.json;
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

// ---- Per-file databases. node --test runs every test file in its own process, but all of them
// get the same CXZY_TEST_DB, and `cxzy demo` refuses a database that already holds orgs. So a
// file that needs its own demo district asks for a fresh database and starts its own server. ----

/** A new database for this process, empty or a copy of copyOf (a database of the same backend
 * nobody is using): a file in the scratch directory for SQLite, or a database created next to
 * CXZY_TEST_DB (via psql) when that is a postgresql:// URL. */
export function freshDb(tag = 'f', copyOf = null) {
  const name = `${tag}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`.replace(/[^a-z0-9_]/gi, '_').toLowerCase();
  const base = process.env.CXZY_TEST_DB || '';
  if (/^postgres(ql)?:\/\//.test(base)) {
    // a copy is PostgreSQL's own: CREATE DATABASE … TEMPLATE (nobody is connected to the template)
    const tpl = copyOf ? ` TEMPLATE ${copyOf.replace(/^.*\/([^/?]*)(\?.*)?$/, '$1')}` : '';
    const r = spawnSync('psql', ['-q', '-v', 'ON_ERROR_STOP=1', base, '-c', `CREATE DATABASE ${name}${tpl}`], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`CREATE DATABASE ${name} failed: ${r.stderr}${r.error || ''}`);
    return base.replace(/\/[^/?]*(\?.*)?$/, (_, q) => `/${name}${q || ''}`);
  }
  const file = join(scratch, `${name}.db`);
  if (copyOf) copyFileSync(copyOf, file); // the template was closed cleanly: no -wal beside it
  return file;
}

/** Runs SQL straight on a test database, as someone with access to the database would (psql or
 * sqlite3); returns what it printed, trimmed. For tests that edit rows behind the server's back. */
export function sqlOn(db, q) {
  const r = /^postgres(ql)?:\/\//.test(db)
    ? spawnSync('psql', ['-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', db, '-c', q], { encoding: 'utf8' })
    : spawnSync('sqlite3', [db, q], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${q}: ${r.stderr}${r.error || ''}`);
  return r.stdout.trim();
}

/** Adds a trigger to the test database that refuses inserts into table of a row named name with a
 * constraint error (check_violation on PostgreSQL, RAISE(ABORT) on SQLite): a rule of the database
 * other than the one a test is about. Returns the function that removes it. */
export function refuseInserts(db, table, name) {
  const fn = `cx_test_refuse_${table}`;
  sqlOn(db, BACKEND === 'pg'
    ? `CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.name = '${name}' THEN ` +
      `RAISE EXCEPTION 'refused by a test trigger' USING ERRCODE = 'check_violation'; END IF; RETURN NEW; END $$; ` +
      `CREATE TRIGGER ${fn} BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION ${fn}()`
    : `CREATE TRIGGER ${fn} BEFORE INSERT ON ${table} WHEN NEW.name = '${name}' BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END`);
  return () => sqlOn(db, BACKEND === 'pg' ? `DROP TRIGGER ${fn} ON ${table}; DROP FUNCTION ${fn}()` : `DROP TRIGGER ${fn}`);
}

/** cli() against the given database (same key file). */
export function cliDb(db, args, opts = {}) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', ...opts, env: { ...process.env, CXZY_DB: db, CXZY_KEY: KEY } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Creates the demo district on its own database (a fresh one unless db is given) and starts a
 * server on it; never shared: every call starts another server. The server is ready when it says
 * so on stdout (no sleeping).
 * Returns {base, demo, db, cli(args, opts), stop()}.
 *
 * Cluster mode (CXZY_CLUSTER=1, scripts/test.sh sets it for the PostgreSQL run): "a server" is two
 * instances of the binary on the same database with an nginx in front (startCluster), and base is
 * nginx's address. pid/proc are instance A's (a test that signals or kills "the server" acts on
 * A; B goes on serving the same database). single: true starts one process even then, for a test
 * about that one process. The servers that do so, and why:
 *   crash.test.mjs       kill -9 and a restart on the same database: one process's recovery (an
 *                        instance lost from two is in cluster.test.mjs)
 *   server_ops.test.mjs  its log file, SIGHUP, body timeouts and libmicrohttpd's refusals at the socket
 *   settings.test.mjs    Host checks under its own listen address with no public address stored
 *                        (behind nginx the instances get --public-url, nginx's address)
 *   frontdoor.test.mjs (two of its servers)  connection limits and the header timeout at the
 *                        socket; Host checks under the listen address
 *   smoke.test.mjs (the --max-connections one)  the acceptor's queue
 *   instances.test.mjs   composes its instances (and its proxy headers) itself
 *   replica.test.mjs (its --db-read servers)  one process's read pool, its fallback and its log lines
 * and these ask an instance directly (srv.instances[0].base) for what nginx itself answers: a path
 * with an escaped NUL (nginx's 400: adversary18, frontdoor) and /metrics (forwarded, so not local:
 * ops). */
export async function startServerOn({ db, members = 300, args = [], demo = true, single = false } = {}) {
  // demo: false serves a database that already has its data (a second server on the same one)
  const p = prepareDb({ db, members, demo });
  if (CLUSTER && !single) return startClusterOn(p.db, p.demo, args);
  const a = await startInstance(p.db, args);
  return {
    base: a.base,
    demo: p.demo,
    db: p.db,
    pid: a.pid,
    cli: (args, opts) => cliDb(p.db, args, opts),
    stdout: a.stdout, // what the server wrote to stdout so far
    proc: a.proc,
    log: a.log, // what the server wrote to stderr so far (e.g. the `log` SMS gateway's codes)
    async stop() {
      a.proc.kill('SIGTERM');
      const r = await a.exited;
      if (r.code !== 0) throw new Error(`server exit ${r.code} ${r.sig}: ${r.stderr}`);
      return r.code;
    },
  };
}

/** Whether startServerOn starts a cluster (two instances and nginx) instead of one process. */
export const CLUSTER = process.env.CXZY_CLUSTER === '1';

/** The database a server is to serve: db as it is (demo: false), or with the demo district made
 * in it, or a fresh copy of the run's demo template. Returns {db, demo: what `cxzy demo` printed}. */
function prepareDb({ db, members = 300, demo = true }) {
  let d = { status: 0, stdout: '' };
  if (demo && !db && members === 300 && TEMPLATE) {
    db = freshDb('f', TEMPLATE.db);
    d.stdout = TEMPLATE.out;
  } else {
    db = db || freshDb();
    if (demo) d = cliDb(db, ['demo', '--members', String(members)]);
  }
  if (d.status !== 0) throw new Error('cxzy demo failed: ' + d.stderr + d.stdout);
  return { db, demo: d.stdout };
}

/** One `cxzy serve` process on db, on a free port, ready. env: more environment for it.
 * Returns {base, port, pid, proc, stdout(), log(), exited (a promise of {code, sig, stderr})}. */
async function startInstance(db, args, env = {}, onLine = null) {
  const port = await freePort();
  const proc = spawn(BIN, ['serve', '--listen', `127.0.0.1:${port}`, '--threads', '4', ...args],
    { env: { ...process.env, CXZY_DB: db, CXZY_KEY: KEY, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '', out = '', partial = '';
  proc.stderr.on('data', (b) => {
    stderr += b;
    if (!onLine) return;
    partial += b;
    const i = partial.lastIndexOf('\n');
    if (i >= 0) { onLine(partial.slice(0, i + 1)); partial = partial.slice(i + 1); }
  });
  await new Promise((resolve, reject) => {
    proc.stdout.on('data', (b) => { out += b; if (out.includes('cxzy 已启动')) resolve(); });
    proc.on('exit', (code) => reject(new Error(`server exited early (${code}): ${stderr}`)));
  });
  const exited = new Promise((resolve) => proc.on('exit', (code, sig) => resolve({ code, sig, stderr })));
  // If the test file dies before its after() hook runs (say, a failing top-level await), the
  // server must not outlive it.
  const reap = () => { if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL'); };
  process.once('exit', reap);
  return { base: `http://127.0.0.1:${port}`, port, pid: proc.pid, proc, stdout: () => out, log: () => stderr, exited };
}

export const NGINX = process.env.CXZY_NGINX || (existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx');

/** nginx.conf of a reverse proxy on 127.0.0.1:port in front of the given ports, round robin: a
 * request an instance cannot take (refused, reset before an answer) goes to the next one, so one
 * instance lost is not noticed; X-Forwarded-For carries the client's address; bodies are passed
 * through as they come, limits and timeouts are the instances' own. Everything nginx writes stays
 * under prefix (pid file, logs, temporary files). scripts/cluster.sh writes the same one. */
export function nginxConf(prefix, port, upstreams) {
  const user = process.getuid && process.getuid() === 0 ? 'user root root;\n' : '';
  return `${user}daemon off;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${prefix}/tmp/body;
  proxy_temp_path ${prefix}/tmp/proxy;
  fastcgi_temp_path ${prefix}/tmp/fastcgi;
  uwsgi_temp_path ${prefix}/tmp/uwsgi;
  scgi_temp_path ${prefix}/tmp/scgi;
  client_max_body_size 0;
  client_body_timeout 3600s;
  client_header_timeout 3600s;
  large_client_header_buffers 8 64k;
  upstream cxzy {
${upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=10s;`).join('\n')}
    keepalive 32;
    keepalive_timeout 20s;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://cxzy;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_next_upstream error timeout http_502;
      proxy_request_buffering off;
      proxy_ignore_client_abort on;
      proxy_buffering off;
      proxy_read_timeout 3600s;
      proxy_send_timeout 3600s;
    }
  }
}
`;
}

/** nginx on a free port in front of the given ports, its prefix a new directory under the
 * scratch directory; ready when it accepts a connection. Returns {base, port, prefix, proc, stop()}. */
export async function startNginx(upstreams, port = null) {
  port = port || await freePort();
  const prefix = mkdtempSync(join(scratch, 'nginx-'));
  mkdirSync(join(prefix, 'tmp'));
  chmodSync(prefix, 0o755);
  writeFileSync(join(prefix, 'nginx.conf'), nginxConf(prefix, port, upstreams));
  const proc = spawn(NGINX, ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-e', join(prefix, 'error.log')],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (b) => { stderr += b; });
  const exited = new Promise((resolve) => proc.on('exit', (code, sig) => resolve({ code, sig })));
  process.once('exit', () => { if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL'); });
  // nginx says nothing when it listens: ready is the first connection it accepts
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`nginx exited (${proc.exitCode}): ${stderr}${readIf(join(prefix, 'error.log'))}`);
    const up = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (up) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    base: `http://127.0.0.1:${port}`, port, prefix, proc,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      return exited;
    },
  };
}
const readIf = (f) => (existsSync(f) ? readFileSync(f, 'utf8') : '');

/** Two instances of the binary on one database (made as startServerOn makes it; two servers on
 * one SQLite file are legal too) and nginx in front of them, whatever CXZY_CLUSTER says. Returns
 * what startServerOn returns (base: nginx's address; pid/proc: instance A's; log()/stdout(): both
 * instances' output, log() line by line in the order it came) and instances: [{base, pid, proc,
 * log(), stdout()}, …] to address each directly, nginx: {base, proc, prefix}. stop() stops all
 * three and rejects on a non-zero exit of either instance (an ASan report); an instance the test
 * itself killed with a signal is not counted. */
export async function startCluster({ db, members = 300, args = [], demo = true } = {}) {
  const p = prepareDb({ db, members, demo });
  return startClusterOn(p.db, p.demo, args);
}

/** Servers of this process running through the test PgBouncer, by database. */
const bounced = new Map();

async function startClusterOn(db, demoOut, args) {
  let lines = '';
  const onLine = (s) => { lines += s; };
  // the proxy is 127.0.0.1: its X-Forwarded-For names the client (`serve --trusted-proxy`)
  const env = { CXZY_TRUSTED_PROXY: process.env.CXZY_TRUSTED_PROXY || '127.0.0.1' };
  // Behind a proxy the site's address is the proxy's, which the instances do not listen on: as
  // README's deployment says, it is given with --public-url (QR codes and print pages are made
  // for it and asked for under it). Seeded into a database that has none stored.
  const port = await freePort();
  const more = args.includes('--public-url') ? [] : ['--public-url', `http://127.0.0.1:${port}`];
  // With a PgBouncer in front of the test PostgreSQL (scripts/test.sh: CXZY_TEST_PGBOUNCER, its
  // host:port) the instances connect through it in transaction mode, LISTEN/NOTIFY straight
  // (only a database of that server: a test may start a PostgreSQL of its own)
  let served = db;
  const server = (u) => (u.match(/@([^/]*)\//) || [])[1];
  if (process.env.CXZY_TEST_PGBOUNCER && /^postgres(ql)?:\/\//.test(db) && server(db) === server(process.env.CXZY_TEST_DB || '')) {
    served = db.replace(/@[^/]*\//, `@${process.env.CXZY_TEST_PGBOUNCER}/`);
    more.push('--pgbouncer', '--db-listen', db);
  }
  if (served !== db) bounced.set(db, (bounced.get(db) || 0) + 1);
  const a = await startInstance(served, [...more, ...args], env, onLine); // one at a time: the first one migrates
  const b = await startInstance(served, [...more, ...args], env, onLine);
  const nginx = await startNginx([a.port, b.port], port);
  const insts = [a, b];
  return {
    base: nginx.base,
    demo: demoOut,
    db,
    pid: a.pid,
    proc: a.proc,
    cli: (args, opts) => cliDb(db, args, opts),
    stdout: () => a.stdout() + b.stdout(),
    log: () => lines,
    instances: insts.map((i) => ({ base: i.base, pid: i.pid, proc: i.proc, log: i.log, stdout: i.stdout })),
    nginx: { base: nginx.base, proc: nginx.proc, prefix: nginx.prefix },
    async stop() {
      await nginx.stop();
      const killed = insts.map((i) => i.proc.killed); // signalled by the test before stop()
      for (const i of insts) if (i.proc.exitCode === null && i.proc.signalCode === null) i.proc.kill('SIGTERM');
      const rs = await Promise.all(insts.map((i) => i.exited));
      const bad = rs.map((r, k) => (r.code !== 0 && !killed[k] ? `instance ${'AB'[k]} exit ${r.code} ${r.sig}: ${r.stderr}` : '')).filter(Boolean);
      if (bad.length) throw new Error(bad.join('\n'));
      // PgBouncer keeps the stopped instances' server connections open for a while: what runs
      // after a stop (`cxzy key rotate` refuses while any other session is connected) must find
      // the database as one process would leave it. Its console drops them (KILL) and lets the
      // database be used again (RESUME), as an operator does (README) — once the last server of
      // this file on that database has stopped (KILL would cut another one's connections too).
      if (served !== db) bounced.set(db, bounced.get(db) - 1);
      if (served !== db && bounced.get(db) === 0) {
        const name = db.slice(db.lastIndexOf('/') + 1);
        const console = served.slice(0, served.lastIndexOf('/') + 1) + 'pgbouncer';
        for (const q of [`KILL ${name}`, `RESUME ${name}`]) {
          const r = spawnSync('psql', ['-X', '-q', console, '-c', q], { encoding: 'utf8' });
          if (r.status !== 0) throw new Error(`pgbouncer ${q}: ${r.stderr}`);
        }
      }
      return 0;
    },
  };
}

// ---- Helpers shared by the tests/api files. ----
// (An import declaration is hoisted, so it may stand here at the end of the module.)
import assert from 'node:assert/strict';
import { inflateRawSync, deflateRawSync } from 'node:zlib';

/** Asserts r is the API's error answer: the given status, Content-Type JSON, exactly
 * {"error":{"code","message","field"}} with the given code (and field, when given), and a
 * message in Chinese. */
export function expectError(r, status, code, field) {
  const ctx = `${r.status} ${r.text.slice(0, 400)}`;
  assert.equal(r.status, status, ctx);
  assert.match(r.headers.get('content-type') || '', /^application\/json/, ctx);
  assert.ok(r.json && typeof r.json === 'object', ctx);
  assert.deepEqual(Object.keys(r.json), ['error'], ctx);
  assert.deepEqual(Object.keys(r.json.error).sort(), ['code', 'field', 'message'], ctx);
  assert.equal(r.json.error.code, code, ctx);
  if (field !== undefined) assert.equal(r.json.error.field, field, ctx);
  assert.match(r.json.error.message, /[\u4e00-\u9fff]/, `message should be Chinese: ${ctx}`);
  return r.json.error;
}

/** The masked form the server shows (and logs) of a mobile number: 138****8001. */
export function maskPhone(p) { return p.slice(0, 3) + '****' + p.slice(-4); }

/** The newest SMS code a server started by startServerOn "sent" to phone (the `log` gateway, the
 * default, writes one line per code to the server log, the phone masked: "sms gateway=log
 * to=138****8001 text=…"; the line may arrive just after the answer). */
export async function smsCode(server, phone) {
  const re = new RegExp(`sms gateway=log to=${maskPhone(phone).replace(/\*/g, '\\*')} text=.*?(\\d{6})`, 'g');
  for (let i = 0; i < 10000; i++) {
    const all = [...server.log().matchAll(re)];
    if (all.length) return all[all.length - 1][1];
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`no SMS code for ${maskPhone(phone)} in the server log`);
}

let idSeq = 0;
/** A valid 身份证号 unlike any of the demo data's (region 440106), unique within this process.
 * birth: "YYYYMMDD"; the 17th digit is odd for men and even for women. */
export function newIdcard(birth = '19900307', female = false) {
  const n = idSeq++;
  if (n >= 500) throw new Error('newIdcard: too many ids for one process');
  const seq = String(n % 100).padStart(2, '0') + String(Math.floor(n / 100) * 2 + (female ? 0 : 1));
  return idcard('440106' + birth + seq);
}

/** The masked form the server shows: first 6 and last 4 characters kept. */
export function maskIdcard(id) { return id.slice(0, 6) + '********' + id.slice(14); }

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(b) {
  let c = 0xFFFFFFFF;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 0xFF] ^ (c >>> 8);
  return (c ^ 0xFFFFFFFF) >>> 0;
}

/** A ZIP archive (stored, no compression) of {name: string|Buffer}. */
export function zipStore(files, { deflate = false } = {}) {
  const locals = [], central = [];
  let off = 0;
  for (const [name, content] of Object.entries(files)) {
    const raw = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
    const data = deflate ? deflateRawSync(raw) : raw; // method 8 (deflate) or 0 (stored)
    const method = deflate ? 8 : 0;
    const nm = Buffer.from(name, 'utf8');
    const crc = crc32(raw);
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0); h.writeUInt16LE(20, 4); h.writeUInt16LE(0x0800, 6); h.writeUInt16LE(method, 8);
    h.writeUInt16LE(0, 10); h.writeUInt16LE(0x21, 12); h.writeUInt32LE(crc, 14);
    h.writeUInt32LE(data.length, 18); h.writeUInt32LE(raw.length, 22); h.writeUInt16LE(nm.length, 26); h.writeUInt16LE(0, 28);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0); c.writeUInt16LE(20, 4); c.writeUInt16LE(20, 6); c.writeUInt16LE(0x0800, 8);
    c.writeUInt16LE(method, 10); c.writeUInt16LE(0, 12); c.writeUInt16LE(0x21, 14); c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(data.length, 20); c.writeUInt32LE(raw.length, 24); c.writeUInt16LE(nm.length, 28);
    c.writeUInt32LE(off, 42);
    locals.push(h, nm, data);
    central.push(c, nm);
    off += h.length + nm.length + data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  const n = Object.keys(files).length;
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(n, 8); end.writeUInt16LE(n, 10);
  end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(off, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** The entries of a ZIP archive (stored or deflated) as {name: Buffer}. */
export function unzip(buf) {
  let e = buf.length - 22;
  while (e >= 0 && buf.readUInt32LE(e) !== 0x06054b50) e--;
  if (e < 0) throw new Error('unzip: no end of central directory');
  const n = buf.readUInt16LE(e + 10);
  let p = buf.readUInt32LE(e + 16);
  const out = {};
  for (let i = 0; i < n; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('unzip: bad central directory');
    const method = buf.readUInt16LE(p + 10), csize = buf.readUInt32LE(p + 20);
    const nlen = buf.readUInt16LE(p + 28), xlen = buf.readUInt16LE(p + 30), clen = buf.readUInt16LE(p + 32);
    const lo = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nlen).toString('utf8');
    const start = lo + 30 + buf.readUInt16LE(lo + 26) + buf.readUInt16LE(lo + 28);
    const raw = buf.subarray(start, start + csize);
    out[name] = method === 0 ? Buffer.from(raw) : inflateRawSync(raw);
    p += 46 + nlen + xlen + clen;
  }
  return out;
}

const xmlEsc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** A minimal XLSX workbook with one sheet: rows of cells; a string cell is written as an inline
 * string, a number cell as a number (as Excel stores a 身份证号 typed without the text format),
 * a null or undefined cell not at all (as Excel leaves out empty cells; an empty row stays a blank
 * row), {v: 31107, fmt: 'yyyy.mm'} a number shown with that number format (a date typed into a
 * cell Excel formats as a date). merges: cell ranges merged into their first cell, e.g. ['A1:H1']
 * for a title row. */
export function xlsxFromRows(rows, { deflate = false, padding = 0, merges = [] } = {}) {
  const col = (i) => (i < 26 ? '' : String.fromCharCode(64 + Math.floor(i / 26))) + String.fromCharCode(65 + (i % 26));
  const fmts = []; // custom number formats, ids 164…, cell style i + 1
  const sheetRows = rows.map((cells, r) => `<row r="${r + 1}">` + cells.map((v, i) => {
    const ref = `${col(i)}${r + 1}`;
    if (v === null || v === undefined) return '';
    if (typeof v === 'object') {
      if (!fmts.includes(v.fmt)) fmts.push(v.fmt);
      return `<c r="${ref}" s="${fmts.indexOf(v.fmt) + 1}"><v>${v.v}</v></c>`;
    }
    if (typeof v === 'number') return `<c r="${ref}"><v>${v}</v></c>`;
    return `<c r="${ref}" t="inlineStr"><is><t xml:space="preserve">${xmlEsc(v)}</t></is></c>`;
  }).join('') + '</row>').join('');
  const styles = fmts.length ? {
    'xl/styles.xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="${fmts.length}">` +
      fmts.map((f, i) => `<numFmt numFmtId="${164 + i}" formatCode="${xmlEsc(f)}"/>`).join('') +
      `</numFmts><cellXfs count="${fmts.length + 1}"><xf numFmtId="0"/>` + fmts.map((f, i) => `<xf numFmtId="${164 + i}" applyNumberFormat="1"/>`).join('') + '</cellXfs></styleSheet>',
  } : {};
  const mergeXml = merges.length ? `<mergeCells count="${merges.length}">${merges.map((m) => `<mergeCell ref="${m}"/>`).join('')}</mergeCells>` : '';
  return zipStore({
    '[Content_Types].xml': '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    '_rels/.rels': '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    'xl/workbook.xml': '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="党员名册" sheetId="1" r:id="rId1"/></sheets></workbook>',
    'xl/_rels/workbook.xml.rels': '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    ...styles,
    // padding: that many spaces inside the worksheet (valid XML) — a zip bomb when deflated
    'xl/worksheets/sheet1.xml': Buffer.concat([Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${sheetRows}</sheetData>`),
      Buffer.alloc(padding, 0x20), Buffer.from(mergeXml + '</worksheet>')]),
  }, { deflate });
}

/** A multipart body with the roster file in the field "file". */
export function fileForm(data, filename = 'roster.csv') {
  const fd = new FormData();
  fd.append('file', new Blob([data]), filename);
  return fd;
}

// ---- Helpers for the pledge tests (公开承诺). ----

/** A 1×1 PNG. */
export const PNG_1x1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

/** A multipart body as one Buffer plus its Content-Type, for Client.req(…, {body, headers}): fetch
 * streams a FormData part by part, so the server may get it in several pieces; this sends it in
 * one. fields: [name, value] or [name, Buffer|Blob, filename]. */
export async function multipartBody(fields) {
  const fd = new FormData();
  for (const [k, v, fn] of fields) {
    if (fn !== undefined) fd.append(k, v instanceof Blob ? v : new Blob([v]), fn);
    else fd.append(k, String(v));
  }
  const res = new Response(fd);
  return { body: Buffer.from(await res.arrayBuffer()), headers: { 'Content-Type': res.headers.get('content-type') } };
}

/** A date n days from today, "YYYY-MM-DD" in the server's (local) time zone. */
export function daysFromToday(n) {
  const d = new Date(Date.now() + n * 86400e3);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Chromium as the browser tests run it: Debian's /usr/bin/chromium through playwright-core,
 * headless, with the same flags as tests/e2e/roster.test.mjs. Returns a Browser, for several
 * independent contexts (users) via browser.newContext(). */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
}

/** Signs page in through the login form, as a person would. */
export async function pageLogin(page, base, username, password = PASSWORD) {
  await page.goto(base + '/login');
  await page.fill('#username', username);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
}

/** Runs axe-core on a playwright page (evaluated through DevTools, so the app's CSP stays on);
 * fails on serious or critical violations, listing them. */
export async function axeCheck(page, what) {
  const { createRequire } = await import('node:module');
  const { readFileSync } = await import('node:fs');
  const src = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(src);
  const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = res.violations.filter((v) => v.impact === 'critical' || v.impact === 'serious');
  const text = bad.map((v) => `  [${v.impact}] ${v.id}: ${v.help}\n` +
    v.nodes.slice(0, 5).map((n) => `      ${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`).join('\n')).join('\n');
  assert.equal(bad.length, 0, `axe-core on ${what}: ${bad.length} serious/critical violation(s)\n${text}`);
}

// ---- An authenticator app (RFC 6238: HMAC-SHA1, 30-second steps, six digits), for the second factor. ----
import { createHmac, createHash } from 'node:crypto';

/** The bytes of a Base32 text (RFC 4648; case, spaces and padding ignored). */
export function b32decode(s) {
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, acc = 0;
  const out = [];
  for (const ch of s.replace(/[\s=]/g, '').toUpperCase()) {
    acc = ((acc << 5) | A.indexOf(ch)) & 0xffff;
    bits += 5;
    if (bits >= 8) { out.push((acc >> (bits - 8)) & 255); bits -= 8; }
  }
  return Buffer.from(out);
}
/** The time step now (T0 = 0, 30 s). */
export const totpStep = () => Math.floor(Date.now() / 1000 / 30);
/** The six digits an app shows for the Base32 secret at a time step. */
export function totpAt(secret, step) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const h = createHmac('sha1', b32decode(secret)).update(msg).digest();
  return String((h.readUInt32BE(h[19] & 15) & 0x7fffffff) % 1e6).padStart(6, '0');
}

/** Re-runs a committed draw (domain/draw.c) from its published inputs, as docs/architecture.md
 * ("Committed draws") describes it: the canonical list (the items as text, sorted, repeats
 * removed), its SHA-256 with each item followed by "\n", the start state from SHA-256 of
 * "cxzy-draw-v1\n" seed "\n" digest "\n", then splitmix64 in a partial Fisher–Yates shuffle with
 * unbiased bounded integers. Returns { list, digest, picks: the n 0-based indexes drawn, in order }.
 * The items are phone numbers (电话随机抽访), organisation ids or, for a 随机抽查 of members, member
 * ids: the same procedure for each. */
export function redrawCommitted(seed, items, n) {
  const list = [...new Set(items.map(String))].sort();
  const digest = createHash('sha256').update(list.map((p) => `${p}\n`).join('')).digest('hex');
  const M = (1n << 64n) - 1n;
  let st = createHash('sha256').update(`cxzy-draw-v1\n${seed}\n${digest}\n`).digest().readBigUInt64BE(0);
  const next = () => {
    st = (st + 0x9e3779b97f4a7c15n) & M;
    let z = st;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M;
    return z ^ (z >> 31n);
  };
  const bounded = (b) => { const B = BigInt(b), limit = M - (M % B); let v; do v = next(); while (v >= limit); return Number(v % B); };
  const slot = list.map((_, i) => i), picks = [];
  for (let i = 0; i < n; i++) {
    const j = i + bounded(list.length - i);
    [slot[i], slot[j]] = [slot[j], slot[i]];
    picks.push(slot[i]);
  }
  return { list, digest, picks };
}

/** A psql session of its own on database db whose statements run while requests wait on what it
 * holds (PostgreSQL): run(q) resolves once q has run; end() closes it. */
export function pgHolder(db) {
  const p = spawn('psql', ['-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', db], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '', n = 0;
  p.stdout.on('data', (b) => { out += b; });
  return {
    run(q) {
      const mark = `step-${++n}`;
      p.stdin.write(`${q}; SELECT '${mark}';\n`);
      // psql stops at an error (ON_ERROR_STOP): the step fails instead of waiting for ever
      return new Promise((resolve, reject) => {
        const f = () => { if (out.includes(mark)) resolve(); };
        p.stdout.on('data', f);
        p.on('exit', (code) => { if (!out.includes(mark)) reject(new Error(`pgHolder: psql exited (${code}) at: ${q}`)); });
        f();
      });
    },
    end() { p.stdin.end(); },
  };
}
/** Until a request's statement (LIKE pattern) waits on a lock held by a pgHolder() on db. */
export async function pgLockWait(db, pattern) {
  const waiting = () => new Promise((resolve) => {
    const p = spawn('psql', ['-q', '-t', '-A', db, '-c', `SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '${pattern}'`],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    let o = '';
    p.stdout.on('data', (b) => { o += b; });
    p.on('close', () => resolve(o.trim() !== '0'));
  });
  while (!(await waiting()));
}

// ---- Several instances (issue 20) ----
/** Starts PgBouncer (Debian's; transaction mode, auth trust, 127.0.0.1 on a free port, its own
 * temporary directory and ini) in front of the PostgreSQL server of the URL pgUrl (default
 * CXZY_TEST_DB). Ready when it says so on its log (no sleeping). As root it runs as the postgres
 * user (PgBouncer refuses root). Returns {url(db), port, stop()}: url(db) is database db's
 * (default pgUrl's) URL through PgBouncer. */
export async function startPgbouncer({ pgUrl = process.env.CXZY_TEST_DB, poolSize = 10 } = {}) {
  const u = new URL(pgUrl);
  const dir = mkdtempSync(join(process.env.CXZY_TEST_DIR || '/tmp', 'pgbouncer-'));
  const port = await freePort();
  const user = decodeURIComponent(u.username) || 'postgres';
  writeFileSync(join(dir, 'userlist.txt'), `"${user}" ""\n`);
  writeFileSync(join(dir, 'pgbouncer.ini'), [
    '[databases]', `* = host=${u.hostname} port=${u.port || 5432}`, '',
    '[pgbouncer]', 'listen_addr = 127.0.0.1', `listen_port = ${port}`, 'unix_socket_dir =',
    'auth_type = trust', `auth_file = ${join(dir, 'userlist.txt')}`, 'pool_mode = transaction',
    `default_pool_size = ${poolSize}`, 'max_client_conn = 500', 'ignore_startup_parameters = extra_float_digits', ''].join('\n'));
  const root = process.getuid && process.getuid() === 0;
  if (root) spawnSync('chown', ['-R', 'postgres', dir]);
  const cmd = root ? ['runuser', ['-u', 'postgres', '--', 'pgbouncer', join(dir, 'pgbouncer.ini')]]
    : ['pgbouncer', [join(dir, 'pgbouncer.ini')]];
  const proc = spawn(cmd[0], cmd[1], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  await new Promise((resolve, reject) => {
    const seen = (b) => { log += b; if (/process up/.test(log)) resolve(); };
    proc.stdout.on('data', seen);
    proc.stderr.on('data', seen);
    proc.on('exit', (code) => reject(new Error(`pgbouncer exited early (${code}): ${log}`)));
  });
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  const reap = () => { if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL'); };
  process.once('exit', reap);
  return {
    port,
    log: () => log,
    url(db = pgUrl) { const v = new URL(db); v.hostname = '127.0.0.1'; v.port = String(port); return v.toString(); },
    async stop() { proc.kill('SIGTERM'); await exited; },
  };
}

/** A JSON request sent from the source address addr (a loopback address: 127.0.0.0/8), with extra
 * headers (X-Forwarded-For …). Returns {status, text, json, headers}. */
export function fromAddr(base, addr, method, path, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(base + path);
    const data = body ? JSON.stringify(body) : null;
    const rq = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, localAddress: addr,
      headers: { ...headers, ...(data ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } : {}) } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const hs = new Headers();
        for (const [k, v] of Object.entries(res.headers)) hs.append(k, Array.isArray(v) ? v.join(', ') : v);
        let json = null;
        if ((res.headers['content-type'] || '').includes('json')) json = JSON.parse(text);
        resolve({ status: res.statusCode, text, json, headers: hs });
      });
    });
    rq.on('error', reject);
    if (data) rq.write(data);
    rq.end();
  });
}

/** Tracking codes (lib/code.c): Crockford's base-32 alphabet without I L O U, and the check
 * character of the data (Luhn mod 32). */
export const CODE_ALPHA = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export function codeCheckChar(data) {
  let sum = 0, factor = 2;
  for (let i = data.length - 1; i >= 0; i--) {
    const a = factor * CODE_ALPHA.indexOf(data[i]);
    sum += Math.floor(a / 32) + (a % 32);
    factor = factor === 2 ? 1 : 2;
  }
  return CODE_ALPHA[(32 - (sum % 32)) % 32];
}
/** A well-formed tracking code (12 random characters and the check character) that is no one's. */
export function randomCode() {
  let s = '';
  for (let i = 0; i < 12; i++) s += CODE_ALPHA[Math.floor(Math.random() * 32)];
  return s + codeCheckChar(s);
}

/** Polls (bounded: about 10 s) until cond() holds and returns its value: waiting for a condition,
 * never for a time. */
export async function waitFor(cond, what) {
  const deadline = Date.now() + 10000;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`not within 10 s: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
