// auth.test.mjs: login and logout, the session cookie, lock-out after wrong passwords, and the
// security headers. Runs on its own demo database; lock-out uses accounts made here by the CLI.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, Client, loginAs, expectError, scratchFile, sqlOn, PASSWORD } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const pwFile = scratchFile(`pw-${process.pid}.txt`, 'Lock-test-2026\n');
const branchId = (await loginAs(srv.base, 'secretary')).user.roles[0].org_id;
/** A fresh account (member role at the secretary's branch) with password Lock-test-2026. */
function addUser(name) {
  const r = srv.cli(['user', 'add', name, '--name', `测试${name}`, '--password-file', pwFile, '--role', 'member', '--org', String(branchId)]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
}
const cookieOf = (r, name) => (r.headers.getSetCookie() || []).find((c) => c.startsWith(`${name}=`));
const attrs = (c) => c.split(';').slice(1).map((s) => s.trim().toLowerCase());

test('login sets an HttpOnly, SameSite=Strict session cookie and returns the user and a CSRF token', async () => {
  const c = new Client(srv.base);
  const r = await c.post('/api/v1/session', { username: 'town', password: PASSWORD });
  assert.equal(r.status, 200, r.text);
  const ck = cookieOf(r, 'cxzy_session');
  assert.ok(ck, 'session cookie set');
  const token = ck.split(';')[0].split('=')[1];
  assert.match(token, /^[0-9a-f]{64}$/);
  const a = attrs(ck);
  assert.ok(a.includes('httponly'), ck);
  assert.ok(a.includes('samesite=strict'), ck);
  assert.ok(a.includes('path=/'), ck);
  assert.ok(!a.some((x) => x.startsWith('max-age') || x.startsWith('expires')), 'a browser-session cookie');
  assert.match(r.json.csrf, /^[0-9a-f]{64}$/);
  assert.notEqual(r.json.csrf, token);
  assert.ok(!r.text.includes(token), 'the session token is not in the body');
  assert.equal(r.json.user.username, 'town');
  assert.deepEqual(r.json.user.roles.map((g) => [g.role, g.label]), [['office', '活动办公室']]);
  assert.match(r.headers.get('cache-control') || '', /no-store/);

  c.csrf = r.json.csrf;
  const me = await c.get('/api/v1/me');
  assert.equal(me.status, 200);
  assert.deepEqual(me.json.user, r.json.user);
});

test('logout clears the cookie and ends the session on the server', async () => {
  const c = await loginAs(srv.base, 'leader');
  const token = c.cookies.get('cxzy_session');
  const r = await c.del('/api/v1/session');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { ok: true });
  const ck = cookieOf(r, 'cxzy_session');
  assert.ok(ck && /max-age=0/i.test(ck), `cookie cleared: ${ck}`);
  assert.ok(attrs(ck).includes('httponly') && attrs(ck).includes('samesite=strict'));
  assert.equal(c.cookies.size, 0);
  expectError(await c.get('/api/v1/me'), 401, 'unauthenticated');
  // the old token replayed by hand is dead too, for reads and for writes with its old CSRF token
  const replay = new Client(srv.base);
  replay.cookies.set('cxzy_session', token);
  replay.csrf = c.csrf;
  expectError(await replay.get('/api/v1/me'), 401, 'unauthenticated');
  expectError(await replay.del('/api/v1/session'), 401, 'unauthenticated');
  // a made-up token is no session either
  const fake = new Client(srv.base);
  fake.cookies.set('cxzy_session', 'f'.repeat(64));
  expectError(await fake.get('/api/v1/me'), 401, 'unauthenticated');
  // logging in again works
  assert.equal((await new Client(srv.base).post('/api/v1/session', { username: 'leader', password: PASSWORD })).status, 200);
});

test('failed logins: 401 for a wrong password, 400 naming the missing field, and no cookie', async () => {
  const c = new Client(srv.base);
  let r = await c.post('/api/v1/session', { username: 'discipline', password: 'wrong-password-1' });
  expectError(r, 401, 'bad_credentials', 'password');
  assert.equal(cookieOf(r, 'cxzy_session'), undefined);
  expectError(await c.post('/api/v1/session', { username: 'discipline' }), 400, 'required', 'password');
  expectError(await c.post('/api/v1/session', { password: PASSWORD }), 400, 'required', 'username');
  expectError(await c.post('/api/v1/session', { username: '', password: '' }), 400, 'required', 'username');
  expectError(await c.post('/api/v1/session', {}), 400, 'required');
  expectError(await c.get('/api/v1/me'), 401, 'unauthenticated');
  // the right password still works: 1 failure is far from the lock
  r = await c.post('/api/v1/session', { username: 'discipline', password: PASSWORD });
  assert.equal(r.status, 200, r.text);
});

test('a failed login does not tell whether the username exists', async () => {
  addUser('enumtest');
  const c = new Client(srv.base);
  const known = await c.post('/api/v1/session', { username: 'enumtest', password: 'Wrong-pass-2026' });
  const unknown = await c.post('/api/v1/session', { username: 'no-such-user-x', password: 'Wrong-pass-2026' });
  expectError(known, 401, 'bad_credentials');
  expectError(unknown, 401, 'bad_credentials');
  assert.deepEqual(known.json, unknown.json, 'the answers for an existing and a missing account differ');
});

test('a password hashed with the old 64 MiB argon2id limits still signs in, and is re-hashed at 19 MiB then', async () => {
  addUser('rehashtest');
  const hashOf = () => sqlOn(srv.db, "SELECT pw_hash FROM app_user WHERE username = 'rehashtest'");
  assert.match(hashOf(), /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/, 'new accounts get the 19 MiB limits');
  // what libsodium's INTERACTIVE limits made of the demo password (as every account had before)
  const old = '$argon2id$v=19$m=65536,t=2,p=1$UUgJZy6Q2l2mrzH2YjTZ1w$ViOE1C54vCLmqaoSlghhtl06Ifn5VXL2n2sVaPNs/mo';
  sqlOn(srv.db, `UPDATE app_user SET pw_hash = '${old}' WHERE username = 'rehashtest'`);
  const wrong = await new Client(srv.base).post('/api/v1/session', { username: 'rehashtest', password: 'not-the-password-1' });
  expectError(wrong, 401, 'bad_credentials', 'password');
  assert.equal(hashOf(), old, 'a failed login changes nothing');
  const ok = await new Client(srv.base).post('/api/v1/session', { username: 'rehashtest', password: PASSWORD });
  assert.equal(ok.status, 200, ok.text);
  const now = hashOf();
  assert.match(now, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  assert.notEqual(now, old);
  // and the new hash is the same password
  assert.equal((await new Client(srv.base).post('/api/v1/session', { username: 'rehashtest', password: PASSWORD })).status, 200);
  assert.equal(hashOf(), now, 'a current hash is not replaced again');
});

test('a deactivated account answers as an unknown name does, with the right password or a wrong one', async () => {
  addUser('gonetest');
  sqlOn(srv.db, "UPDATE app_user SET active = 0 WHERE username = 'gonetest'");
  const c = new Client(srv.base);
  const unknown = await c.post('/api/v1/session', { username: 'no-such-user-y', password: 'Lock-test-2026' });
  expectError(unknown, 401, 'bad_credentials', 'password');
  for (const password of ['Lock-test-2026', 'Wrong-pass-2026']) {
    const r = await c.post('/api/v1/session', { username: 'gonetest', password });
    assert.equal(r.status, 401, `${password}: ${r.text}`);
    assert.deepEqual(r.json, unknown.json, 'a deactivated account is told apart from a missing one');
    assert.equal(cookieOf(r, 'cxzy_session'), undefined);
  }
  expectError(await c.get('/api/v1/me'), 401, 'unauthenticated');
  // the sign-in form (same check behind it) answers the same too
  const form = async (username) => {
    const f = new Client(srv.base);
    const page = await f.get('/login');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
    assert.ok(csrf, page.text);
    return f.post('/login', new URLSearchParams({ username, password: 'Lock-test-2026', _csrf: csrf }).toString(),
      { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  };
  const a = await form('gonetest'), b = await form('no-such-user-y');
  assert.equal(a.status, b.status, a.text);
  assert.ok(!/停用/.test(a.text), 'the sign-in page says the account is deactivated');
});

test('five wrong passwords lock the account (423); then the right password is refused too', async () => {
  addUser('locktest');
  addUser('locktest2');
  const c = new Client(srv.base);
  for (let i = 1; i <= 4; i++) expectError(await c.post('/api/v1/session', { username: 'locktest', password: `Wrong-pass-${i}` }), 401, 'bad_credentials', 'password');
  const e = expectError(await c.post('/api/v1/session', { username: 'locktest', password: 'Wrong-pass-5' }), 423, 'account_locked');
  assert.match(e.message, /锁定/);
  const r = await c.post('/api/v1/session', { username: 'locktest', password: 'Lock-test-2026' });
  expectError(r, 423, 'account_locked');
  assert.equal(cookieOf(r, 'cxzy_session'), undefined);
  expectError(await c.get('/api/v1/me'), 401, 'unauthenticated');
  // other accounts are not affected
  const other = await c.post('/api/v1/session', { username: 'locktest2', password: 'Lock-test-2026' });
  assert.equal(other.status, 200, other.text);
  // setting a new password by the CLI unlocks it
  assert.equal(srv.cli(['user', 'passwd', 'locktest', '--password-file', pwFile]).status, 0);
  assert.equal((await new Client(srv.base).post('/api/v1/session', { username: 'locktest', password: 'Lock-test-2026' })).status, 200);
});

test('a successful login resets the count of wrong passwords', async () => {
  addUser('resettest');
  const c = new Client(srv.base);
  for (let i = 1; i <= 4; i++) expectError(await c.post('/api/v1/session', { username: 'resettest', password: `Wrong-pass-${i}` }), 401, 'bad_credentials');
  assert.equal((await c.post('/api/v1/session', { username: 'resettest', password: 'Lock-test-2026' })).status, 200);
  const d = new Client(srv.base);
  for (let i = 1; i <= 4; i++) expectError(await d.post('/api/v1/session', { username: 'resettest', password: `Wrong-pass-${i}` }), 401, 'bad_credentials');
  assert.equal((await d.post('/api/v1/session', { username: 'resettest', password: 'Lock-test-2026' })).status, 200);
});

test('pages and API answers carry the security headers; pages need a login', async () => {
  const anon = new Client(srv.base);
  const office = await loginAs(srv.base, 'office');
  const root = office.user.roles[0].org_id;
  const check = (r, what) => {
    const csp = r.headers.get('content-security-policy') || '';
    for (const d of ["default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"])
      assert.ok(csp.includes(d), `${what}: CSP lacks ${d}: ${csp}`);
    assert.ok(!/unsafe-inline|unsafe-eval/.test(csp), `${what}: ${csp}`);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff', what);
    assert.equal(r.headers.get('x-frame-options'), 'DENY', what);
  };
  const login = await anon.get('/login');
  assert.equal(login.status, 200);
  assert.match(login.headers.get('content-type'), /^text\/html/);
  check(login, 'GET /login');
  const page = await office.get(`/orgs/${root}`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /^text\/html/);
  check(page, 'org page');
  assert.match(page.headers.get('cache-control') || '', /no-store/);
  check(await office.get('/api/v1/me'), 'API');
  check(await anon.get('/api/v1/me'), 'API 401');
  check(await anon.get('/no-such-page'), 'page 404');
  // a page without a session goes to the login page and back
  for (const p of [`/orgs/${root}`, `/orgs/${root}/tree`, '/']) {
    const r = await anon.get(p);
    assert.equal(r.status, 303, p);
    assert.equal(r.headers.get('location'), `/login?next=${encodeURIComponent(p)}`);
  }
});

test('the audit chain verifies after all of this file\'s logins', () => {
  const r = srv.cli(['audit', 'verify']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
