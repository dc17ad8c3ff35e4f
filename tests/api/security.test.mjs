// security.test.mjs: regressions for the findings of the security review (each test names what
// it pins): a pre-login crash in the form parser, unbounded form bodies, the open redirect after
// login, login CSRF through non-JSON API bodies, foreign Origins, parallel password guesses,
// import into a deactivated organisation, and the full birth date beside a masked 身份证号.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServerOn, Client, loginAs, expectError, fileForm, newIdcard, PASSWORD, scratchFile } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const port = Number(new URL(srv.base).port);

/** A raw HTTP request (chunked when chunks is an array), to send what fetch will not. */
function raw(method, path, headers, chunks) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (b) => { body += b; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

test('regression: a form ending in an empty value does not crash the server (use after free)', async () => {
  for (let i = 0; i < 5; i++) {
    const r = await raw('POST', '/login', { 'Content-Type': 'application/x-www-form-urlencoded' }, ['a=1&b=']);
    assert.equal(r.status, 403, r.body.slice(0, 200)); // the login form's CSRF token is missing
  }
  const ok = await fetch(srv.base + '/login');
  assert.equal(ok.status, 200, 'server still answers');
});

test('regression: a multipart part without name= is refused with 400, on every door, signed in or not (was SIGSEGV)', async () => {
  const office = await loginAs(srv.base, 'office');
  const bodies = [
    '--XB\r\nContent-Type: text/plain\r\n\r\nhello\r\n--XB--\r\n',                                   // no Content-Disposition at all
    '--XB\r\nContent-Disposition: form-data\r\n\r\nhello\r\n--XB--\r\n',                           // form-data without name=
    '--XB\r\nContent-Disposition: form-data; name=""\r\n\r\nhello\r\n--XB--\r\n',                  // an empty name
    '--XB\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--XB\r\nContent-Type: text/plain\r\n\r\nx\r\n--XB--\r\n', // the second part
  ];
  const doors = [['POST', '/api/v1/public/ballots'], ['POST', '/api/v1/public/feedback'], ['POST', '/login'], ['GET', '/p/card/1'],
    ['POST', '/p/feedback']];
  for (const body of bodies) {
    for (const [method, path] of doors) {
      const r = await raw(method, path, { 'Content-Type': 'multipart/form-data; boundary=XB' }, [body]);
      assert.ok(r.status < 500 && (method === 'GET' || r.status >= 400), `${method} ${path}: ${r.status} ${r.body.slice(0, 200)}`);
    }
    const r = await raw('POST', '/api/v1/public/ballots', { 'Content-Type': 'multipart/form-data; boundary=XB' }, [body]);
    assert.equal(r.status, 400, r.body);
    assert.equal(JSON.parse(r.body).error.code, 'bad_multipart');
    // signed in, on an upload route
    const cookie = office.cookieHeader();
    const s = await raw('POST', '/api/v1/orgs/1/import', { 'Content-Type': 'multipart/form-data; boundary=XB', Cookie: cookie,
      'X-CSRF-Token': office.csrf }, [body]);
    assert.equal(s.status, 400, s.body);
    assert.match(JSON.parse(s.body).error.message, /字段名/);
  }
  assert.equal((await fetch(srv.base + '/p/card/1')).status, 200, 'server still answers');
});

test('regression: a chunked form with 100,000 empty fields is refused with 413, not held in memory', async () => {
  const body = Array.from({ length: 100000 }, (_, i) => `k${i}=`).join('&');
  const chunks = [];
  for (let i = 0; i < body.length; i += 65536) chunks.push(body.slice(i, i + 65536));
  const r = await raw('POST', '/login', { 'Content-Type': 'application/x-www-form-urlencoded', 'Transfer-Encoding': 'chunked' }, chunks);
  assert.equal(r.status, 413);
  assert.equal((await fetch(srv.base + '/login')).status, 200);
});

test('regression: a 5 MB upload without a session is answered 401 and not imported', async () => {
  const big = Buffer.alloc(5 << 20, 0x41);
  const r = await new Client(srv.base).post('/api/v1/orgs/1/import', big, { headers: { 'Content-Type': 'text/csv' } });
  expectError(r, 401, 'unauthenticated');
});

test('regression: login never redirects to another site (tab, backslash, scheme tricks)', async () => {
  for (const next of ['/\t/evil.example/x', '/\\evil.example', '//evil.example', 'https://evil.example', '/%09/evil.example']) {
    const c = new Client(srv.base);
    const page = await c.get('/login');
    const csrf = page.text.match(/name="_csrf" value="([0-9a-f]+)"/)[1];
    const form = new URLSearchParams({ _csrf: csrf, username: 'member', password: PASSWORD, next });
    const r = await c.req('POST', '/login', { body: form.toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    assert.equal(r.status, 303, `${JSON.stringify(next)}: ${r.text.slice(0, 200)}`);
    const loc = r.headers.get('location');
    assert.ok(loc.startsWith('/') && !loc.startsWith('//') && !/[\\\t]/.test(loc) && !loc.includes('evil.example/x') || loc === '/',
      `${JSON.stringify(next)} → ${loc}`);
    assert.ok(!/^\/[\t\\/]/.test(loc), `${JSON.stringify(next)} → ${loc}`);
  }
});

test('regression: the JSON API takes no form-encoded login (login CSRF) and refuses foreign Origins', async () => {
  const form = new URLSearchParams({ username: 'member', password: PASSWORD }).toString();
  const r = await new Client(srv.base).req('POST', '/api/v1/session', { body: form, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  expectError(r, 415, 'unsupported_media_type');
  assert.ok(!(r.headers.getSetCookie() || []).some((c) => c.startsWith('cxzy_session=')), 'no session cookie');
  const foreign = await new Client(srv.base).req('POST', '/api/v1/session',
    { body: JSON.stringify({ username: 'member', password: PASSWORD }), headers: { 'Content-Type': 'application/json', Origin: 'https://evil.example' } });
  expectError(foreign, 403, 'cross_origin');
  const c = await loginAs(srv.base, 'secretary');
  const org = c.user.roles[0].org_id;
  const m = (await c.get(`/api/v1/orgs/${org}/members?per_page=1`)).json.members[0];
  const x = await c.req('POST', `/api/v1/members/${m.id}/deactivate`, { headers: { Origin: 'https://evil.example' } });
  expectError(x, 403, 'cross_origin');
  assert.equal((await c.get(`/api/v1/members/${m.id}`)).json.member.active, true, 'nothing changed');
  const same = await c.req('POST', `/api/v1/members/${m.id}/activate`, { headers: { Origin: srv.base } });
  assert.equal(same.status, 200, 'our own Origin is accepted');
});

test('regression: 20 parallel wrong passwords get at most 5 password checks before the lock', async () => {
  // the lock is per (account, client address): all of these come from 127.0.0.1
  const pw = scratchFile(`pw-sec-${process.pid}.txt`, 'Right-pass-2026\n');
  const a = srv.cli(['user', 'add', 'racer', '--name', '竞速', '--password-file', pw]);
  assert.equal(a.status, 0, a.stderr);
  const tries = await Promise.all(Array.from({ length: 20 }, () =>
    new Client(srv.base).post('/api/v1/session', { username: 'racer', password: 'wrong-pass-2026' })));
  const checked = tries.filter((r) => r.status === 401).length;
  assert.ok(checked <= 5, `${checked} wrong passwords were checked`);
  // the rest are locked out, or (hashing is bounded, lib/pwgate.h) told to come back later
  const busy = tries.filter((r) => r.status === 429).length;
  assert.equal(tries.filter((r) => r.status === 423).length, 20 - checked - busy);
  assert.ok(20 - checked - busy >= 15);
  const right = await new Client(srv.base).post('/api/v1/session', { username: 'racer', password: 'Right-pass-2026' });
  expectError(right, 423, 'account_locked');
});

test('regression: a username or password no account can have is refused before any hashing or audit write', async () => {
  const office = await loginAs(srv.base, 'office');
  const root = office.user.roles[0].org_id;
  const head = async () => (await office.get(`/api/v1/orgs/${root}/audit`)).json.records[0].seq;
  const before = await head();
  const huge = 'x'.repeat(100000);
  const t0 = Date.now();
  const tries = await Promise.all(Array.from({ length: 50 }, (_, i) =>
    new Client(srv.base).post('/api/v1/session', { username: huge + i, password: 'wrong-pass-2026' })));
  for (const r of tries) expectError(r, 400, 'invalid_username', 'username');
  expectError(await new Client(srv.base).post('/api/v1/session', { username: 'member', password: 'p1'.repeat(100) }), 400, 'invalid_password', 'password');
  expectError(await new Client(srv.base).post('/api/v1/session', { username: 'no such user', password: 'wrong-pass-2026' }), 400, 'invalid_username');
  assert.equal(await head(), before, 'nothing was written to the audit log');
  assert.ok(Date.now() - t0 < 5000, `50 refusals took ${Date.now() - t0} ms: no password hashing`);
  // an ordinary unknown name is still answered as a wrong password is
  expectError(await new Client(srv.base).post('/api/v1/session', { username: 'nosuchuser', password: 'wrong-pass-2026' }), 401, 'bad_credentials');
});

test('regression: no import into a deactivated organisation', async () => {
  const office = await loginAs(srv.base, 'town');
  const town = office.user.roles[0].org_id;
  const made = await office.post(`/api/v1/orgs/${town}/children`, { name: '待撤销支部', type: 'branch', sector: 'rural' });
  assert.equal(made.status, 201, made.text);
  const id = made.json.org.id;
  assert.equal((await office.post(`/api/v1/orgs/${id}/deactivate`)).status, 200);
  const csv = `姓名,身份证号,入党时间\n王新,${newIdcard('19850101')},2010-07-01\n`;
  const r = await office.post(`/api/v1/orgs/${id}/import`, fileForm(csv));
  assert.equal(r.status, 422, r.text);
  assert.equal(r.json.report.errors[0].code, 'org_inactive');
  assert.equal(r.json.report.imported, 0);
  const list = await office.get(`/api/v1/orgs/${id}/members?inactive=1`);
  assert.equal(list.json.paging.total, 0);
});

test('regression: no full birth date beside a masked 身份证号, in lists, details or exports', async () => {
  const sec = await loginAs(srv.base, 'secretary');
  const org = sec.user.roles[0].org_id;
  const id = newIdcard('19870419');
  const made = await sec.post(`/api/v1/orgs/${org}/members`, { name: '生日测试', idcard: id, joined_date: '2010-07-01' });
  assert.equal(made.status, 201, made.text);
  const member = await loginAs(srv.base, 'member');
  for (const r of [await member.get(`/api/v1/members/${made.json.member.id}`), await member.get(`/api/v1/orgs/${org}/members?q=生日测试`),
    await sec.get(`/api/v1/orgs/${org}/export?format=csv`)]) {
    assert.equal(r.status, 200);
    assert.ok(r.text.includes('1987'), 'the birth year is shown');
    assert.ok(!r.text.includes('1987-04-19') && !r.text.includes('19870419'), 'but never the full date');
  }
});
