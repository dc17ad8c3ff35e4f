// totp.test.mjs: the optional second factor of staff accounts (issue 16: 等保 asks two factors of
// administrators). A staff account enrols with a secret it proves with a code; sign-in then needs
// the password and a code of the authenticator app (computed here as an app would, RFC 6238
// HMAC-SHA1); a code is good once and never an older one; wrong codes count in the password's
// lock-out; a reset by those above clears it; an office can require it of its subtree's staff.
// Written as a careless user, a guesser holding the password, a secretary of another branch.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, expectError, Client, sqlOn, PASSWORD, b32decode, totpAt, totpStep } from '../lib.mjs';

const srv = await startServerOn({ members: 60 });
after(() => srv.stop());
const [office, town, secretary, secretary2, member] = await Promise.all(
  ['office', 'town', 'secretary', 'secretary2', 'member'].map((u) => loginAs(srv.base, u)));
const branch = secretary.user.roles[0].org_id, townOrg = town.user.roles[0].org_id, root = office.user.roles[0].org_id;
const sql = (q) => sqlOn(srv.db, q);
const audits = (action, id) => Number(sql(`SELECT count(*) FROM audit_log WHERE action = '${action}' AND entity_id = ${id} AND result = 'ok'`));

const stepNow = totpStep, codeAt = totpAt;
/** A code no app would show now (none of the steps the server accepts). */
function wrongCode(secret, n = 0) {
  const s = stepNow(), good = new Set([-2, -1, 0, 1, 2].map((d) => codeAt(secret, s + d)));
  for (let i = 0; ; i++) {
    const c = String((123457 + 7919 * (i + n * 31)) % 1e6).padStart(6, '0');
    if (!good.has(c)) return c;
  }
}

let seq = 0;
/** A fresh staff account (role at org), signed in. */
async function staff(role, org) {
  const name = `tf${role.slice(0, 3)}${++seq}`;
  const r = srv.cli(['user', 'add', name, '--name', `两步${seq}`, '--password-file', '-', '--role', role, '--org', String(org)], { input: PASSWORD + '\n' });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const c = await loginAs(srv.base, name);
  return c;
}
/** Enrols c: a secret, confirmed with the code of the current step. Returns {secret, step}. */
async function enrol(c) {
  const s = await c.post('/api/v1/me/totp', {});
  assert.equal(s.status, 200, s.text);
  const step = stepNow();
  const ok = await c.post('/api/v1/me/totp/confirm', { code: codeAt(s.json.secret, step) });
  assert.equal(ok.status, 200, ok.text);
  return { secret: s.json.secret, step };
}
const passwordStep = (username) => new Client(srv.base).post('/api/v1/session', { username, password: PASSWORD });

test('enrolment: a secret shown once as otpauth and Base32; a wrong or malformed code turns nothing on; the right one does', async () => {
  const c = await staff('secretary', branch);
  const st0 = (await c.get('/api/v1/me/security')).json;
  assert.equal(st0.totp_on, false);
  assert.equal(st0.enrolling, false);
  assert.equal(st0.secret, undefined);
  const s = await c.post('/api/v1/me/totp', {});
  assert.equal(s.status, 200, s.text);
  assert.match(s.json.secret, /^[A-Z2-7]{32}$/); // 20 bytes
  assert.equal(b32decode(s.json.secret).length, 20);
  assert.equal(s.json.otpauth_uri, `otpauth://totp/cxzy:${c.user.username}?secret=${s.json.secret}&issuer=cxzy&algorithm=SHA1&digits=6&period=30`);
  // the secret is kept sealed, never as typed
  assert.equal(Number(sql(`SELECT count(*) FROM app_user WHERE id = ${c.user.id} AND totp_enc IS NOT NULL AND totp_on = 0`)), 1);
  const stored = sql(`SELECT totp_enc FROM app_user WHERE id = ${c.user.id}`);
  assert.ok(!stored.includes(s.json.secret));
  const st1 = (await c.get('/api/v1/me/security')).json;
  assert.equal(st1.enrolling, true);
  assert.equal(st1.secret, s.json.secret);
  // careless typing
  expectError(await c.post('/api/v1/me/totp/confirm', { code: '12345' }), 400, 'invalid_code', 'code');
  expectError(await c.post('/api/v1/me/totp/confirm', { code: 'abcdef' }), 400, 'invalid_code', 'code');
  expectError(await c.post('/api/v1/me/totp/confirm', { code: wrongCode(s.json.secret) }), 400, 'bad_totp', 'code');
  assert.equal((await c.get('/api/v1/me/security')).json.totp_on, false);
  assert.equal(audits('totp_on', c.user.id), 0);
  // still off: the password alone signs in
  assert.equal((await passwordStep(c.user.username)).json.csrf?.length, 64);
  // a code of the app (with spaces, as some apps show it) turns it on
  const code = codeAt(s.json.secret, stepNow());
  const ok = await c.post('/api/v1/me/totp/confirm', { code: code.slice(0, 3) + ' ' + code.slice(3) });
  assert.equal(ok.status, 200, ok.text);
  const st2 = (await c.get('/api/v1/me/security')).json;
  assert.equal(st2.totp_on, true);
  assert.equal(st2.secret, undefined); // never shown again
  assert.equal(audits('totp_on', c.user.id), 1);
  // a new secret while on is refused
  expectError(await c.post('/api/v1/me/totp', {}), 409, 'totp_on');
  // plain members have no second factor to set
  assert.equal((await member.post('/api/v1/me/totp', {})).status, 403);
  assert.equal((await member.get('/api/v1/me/security')).status, 403);
});

test('sign-in needs the code: no session after the password; a used code and a code two steps old are refused; the step is used once', async () => {
  const c = await staff('office', townOrg);
  const { secret, step } = await enrol(c);
  const u = c.user.username;
  const p = new Client(srv.base);
  const r = await p.post('/api/v1/session', { username: u, password: PASSWORD });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.totp_required, true);
  assert.match(r.json.pending, /^[0-9a-f]{64}$/);
  assert.equal(r.json.csrf, undefined);
  assert.equal(r.json.user, undefined);
  assert.ok(!p.cookies.has('cxzy_session'), 'no session before the code');
  expectError(await p.get('/api/v1/me'), 401, 'unauthenticated');
  const pending = r.json.pending;
  const two = (code, pend = pending) => p.post('/api/v1/session/totp', { pending: pend, code });
  expectError(await two(codeAt(secret, step + 1), 'f'.repeat(64)), 401, 'login_expired');
  expectError(await two(codeAt(secret, step + 1), 'short'), 401, 'login_expired');
  expectError(await two(codeAt(secret, step)), 401, 'bad_totp', 'code');     // used to enrol
  expectError(await two(codeAt(secret, stepNow() - 2)), 401, 'bad_totp', 'code'); // too old
  expectError(await two('1234567'), 400, 'invalid_code', 'code');
  const next = codeAt(secret, step + 1);
  const ok = await two(next);
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.user.username, u);
  assert.equal(ok.json.user.totp_on, true);
  assert.match(ok.json.csrf, /^[0-9a-f]{64}$/);
  p.csrf = ok.json.csrf;
  assert.equal((await p.get('/api/v1/me')).json.user.username, u);
  // the pending step is gone, and the code is spent for another sign-in too
  expectError(await two(next), 401, 'login_expired');
  const again = await passwordStep(u);
  expectError(await new Client(srv.base).post('/api/v1/session/totp', { pending: again.json.pending, code: next }), 401, 'bad_totp');
  assert.ok(Number(sql(`SELECT count(*) FROM audit_log WHERE action = 'login' AND entity_id = ${c.user.id} AND result = 'password_ok'`)) >= 2);
  // a wrong password never reaches the code
  expectError(await new Client(srv.base).post('/api/v1/session', { username: u, password: 'wrong-pass-2026' }), 401, 'bad_credentials');
});

test('the same code sent twice at once (two tabs, a double click): one sign-in, the other refused', async () => {
  const c = await staff('secretary', branch);
  const { secret, step } = await enrol(c);
  const [a, b] = await Promise.all([passwordStep(c.user.username), passwordStep(c.user.username)]);
  const code = codeAt(secret, step + 1);
  const rs = await Promise.all([a.json.pending, b.json.pending, a.json.pending].map((pending) =>
    new Client(srv.base).post('/api/v1/session/totp', { pending, code })));
  assert.deepEqual(rs.map((r) => r.status).sort(), [200, 401, 401], rs.map((r) => r.text).join('\n'));
  for (const r of rs.filter((x) => x.status === 401)) assert.match(r.json.error.code, /^(bad_totp|login_expired)$/);
  assert.equal(Number(sql(`SELECT totp_step FROM app_user WHERE id = ${c.user.id}`)), step + 1);
});

test('wrong codes lock like wrong passwords; typing the password again buys no more guesses; the lock holds for the right code and password', async () => {
  const c = await staff('secretary', branch);
  const { secret, step } = await enrol(c);
  const u = c.user.username;
  const g = new Client(srv.base);
  const p1 = (await g.post('/api/v1/session', { username: u, password: PASSWORD })).json.pending;
  expectError(await g.post('/api/v1/session/totp', { pending: p1, code: wrongCode(secret, 1) }), 401, 'bad_totp');
  expectError(await g.post('/api/v1/session/totp', { pending: p1, code: wrongCode(secret, 2) }), 401, 'bad_totp');
  // the password again: allowed, but the count goes on
  const p2 = (await g.post('/api/v1/session', { username: u, password: PASSWORD })).json.pending;
  assert.match(p2, /^[0-9a-f]{64}$/);
  // the fifth failure-counting attempt locks
  expectError(await g.post('/api/v1/session/totp', { pending: p2, code: wrongCode(secret, 3) }), 423, 'account_locked');
  expectError(await g.post('/api/v1/session/totp', { pending: p2, code: codeAt(secret, step + 1) }), 423, 'account_locked');
  expectError(await g.post('/api/v1/session', { username: u, password: PASSWORD }), 423, 'account_locked');
  assert.ok(Number(sql(`SELECT count(*) FROM audit_log WHERE action = 'login' AND entity_id = ${c.user.id} AND result = 'fail_locked'`)) >= 1);
  assert.equal(Number(sql(`SELECT count(*) FROM web_session WHERE user_id = ${c.user.id}`)), 1); // only the one from before enrolment
});

test('a reset by those above clears the second factor; another branch\'s secretary cannot; the activation signs in with the password only', async () => {
  const c = await staff('secretary', branch);
  await enrol(c);
  expectError(await secretary2.post(`/api/v1/accounts/${c.user.id}/reset`, {}), 404, 'not_found');
  assert.equal((await member.post(`/api/v1/accounts/${c.user.id}/reset`, {})).status, 403);
  assert.equal(Number(sql(`SELECT totp_on FROM app_user WHERE id = ${c.user.id}`)), 1);
  const r = await office.post(`/api/v1/accounts/${c.user.id}/reset`, {});
  assert.equal(r.status, 200, r.text);
  assert.equal(sql(`SELECT totp_on || ',' || CASE WHEN totp_enc IS NULL THEN 1 ELSE 0 END || ',' || totp_step FROM app_user WHERE id = ${c.user.id}`), '0,1,0');
  // the sessions ended with it; the new code and password sign in at once
  expectError(await c.get('/api/v1/me/security'), 401, 'unauthenticated');
  const a = await new Client(srv.base).post('/api/v1/activation', { username: c.user.username, code: r.json.code, password: 'after-reset-2026' });
  assert.equal(a.status, 200, a.text);
  assert.equal(a.json.user.totp_on, false);
  const n = new Client(srv.base);
  const s = await n.post('/api/v1/session', { username: c.user.username, password: 'after-reset-2026' });
  assert.equal(s.status, 200, s.text);
  assert.equal(s.json.totp_required, undefined);
  assert.match(s.json.csrf, /^[0-9a-f]{64}$/);
});

test('the command line turns it off for an account nobody above can reset (the top office that lost its phone)', async () => {
  const c = await staff('office', root);
  await enrol(c);
  assert.equal((await passwordStep(c.user.username)).json.totp_required, true);
  const r = srv.cli(['user', 'totp-off', c.user.username]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /已关闭/);
  assert.equal(audits('totp_off', c.user.id), 1);
  const s = await passwordStep(c.user.username);
  assert.match(s.json.csrf, /^[0-9a-f]{64}$/);
  assert.equal(s.json.user.totp_on, false);
  const none = srv.cli(['user', 'totp-off', 'no-such-user']);
  assert.notEqual(none.status, 0);
  assert.match(none.stderr, /不存在/);
});

test('turning it off takes a current code; a wrong one is refused and counted', async () => {
  const c = await staff('secretary', branch);
  const { secret, step } = await enrol(c);
  expectError(await c.post('/api/v1/me/totp/off', { code: wrongCode(secret) }), 400, 'bad_totp', 'code');
  expectError(await c.post('/api/v1/me/totp/off', { code: codeAt(secret, step) }), 400, 'bad_totp', 'code'); // spent
  assert.equal((await c.get('/api/v1/me/security')).json.totp_on, true);
  assert.equal(Number(sql(`SELECT count(*) FROM login_lock WHERE username = '${c.user.username}' AND failures >= 2`)) >= 1, true);
  const off = await c.post('/api/v1/me/totp/off', { code: codeAt(secret, step + 1) });
  assert.equal(off.status, 200, off.text);
  assert.equal((await c.get('/api/v1/me/security')).json.totp_on, false);
  assert.equal(audits('totp_off', c.user.id), 1);
  const s = await passwordStep(c.user.username);
  assert.match(s.json.csrf, /^[0-9a-f]{64}$/);
});

test('an office requires it of its subtree\'s staff: they can only set it up until they have; members and other towns are untouched', async () => {
  // who may set the rule
  assert.equal((await secretary.post(`/api/v1/orgs/${branch}/totp-policy`, { required: '1' })).status, 403);
  expectError(await town.post(`/api/v1/orgs/${root}/totp-policy`, { required: '1' }), 404, 'not_found');
  expectError(await town.post(`/api/v1/orgs/${townOrg}/totp-policy`, { required: 'yes' }), 400, 'invalid_required', 'required');
  expectError(await town.post(`/api/v1/orgs/${townOrg}/totp-policy`, {}), 400, 'invalid_required', 'required');
  const c = await staff('secretary', branch); // signed in before the rule
  const set = await town.post(`/api/v1/orgs/${townOrg}/totp-policy`, { required: true });
  assert.equal(set.status, 200, set.text);
  assert.equal(set.json.required, true);
  assert.equal(audits('set_totp_policy', townOrg), 1);
  try {
    // the staff below: nothing but the set-up (the session they had included)
    expectError(await c.get('/api/v1/me/desk'), 403, 'totp_setup_required');
    expectError(await c.get(`/api/v1/orgs/${branch}/members`), 403, 'totp_setup_required');
    const me = (await c.get('/api/v1/me')).json.user;
    assert.equal(me.totp_due, true);
    const page = await c.get('/desk');
    assert.equal(page.status, 303);
    assert.equal(page.headers.get('location'), '/me/security');
    assert.equal((await c.get('/me/security')).status, 200);
    const st = (await c.get('/api/v1/me/security')).json;
    assert.equal(st.required, true);
    assert.equal(st.due, true);
    // the town's office itself is under the rule it set
    expectError(await town.get('/api/v1/me/desk'), 403, 'totp_setup_required');
    // members below and staff elsewhere go on as before
    assert.equal((await member.get('/api/v1/me/desk')).status, 200);
    assert.equal((await secretary2.get('/api/v1/me/desk')).status, 200);
    assert.equal((await office.get('/api/v1/me/desk')).status, 200);
    // a new sign-in lands in the same place
    const fresh = await loginAs(srv.base, c.user.username);
    expectError(await fresh.get('/api/v1/me/desk'), 403, 'totp_setup_required');
    // set up: everything opens
    const { secret, step } = await enrol(c);
    assert.equal((await c.get('/api/v1/me/desk')).status, 200);
    assert.equal((await c.get('/api/v1/me')).json.user.totp_due, false);
    // and it cannot be turned off while required
    expectError(await c.post('/api/v1/me/totp/off', { code: codeAt(secret, step + 1) }), 409, 'totp_required');
    assert.equal((await c.get('/api/v1/me/security')).json.totp_on, true);
  } finally {
    const unset = await town.post(`/api/v1/orgs/${townOrg}/totp-policy`, { required: '0' });
    assert.equal(unset.status, 403, 'the town office itself is held to its rule'); // until it enrols
    assert.equal((await office.post(`/api/v1/orgs/${townOrg}/totp-policy`, { required: '0' })).status, 200);
  }
  assert.equal((await town.get('/api/v1/me/desk')).status, 200);
  assert.equal((await secretary.get('/api/v1/me/desk')).status, 200);
  // the page's form: an unticked box is sent as required_sent alone, and means off
  const form = (body) => office.post(`/orgs/${townOrg}/totp-policy`, body, { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  const on = await form(`_csrf=${office.csrf}&required_sent=1&required=1`);
  assert.equal(on.status, 303, on.text.slice(0, 300));
  assert.equal(on.headers.get('location'), '/me/security?done=totp_policy');
  expectError(await town.get('/api/v1/me/desk'), 403, 'totp_setup_required');
  const page = await office.get('/me/security?done=totp_policy');
  assert.match(page.text, /已保存两步验证要求/);
  assert.ok(page.text.includes(`action="/orgs/${root}/totp-policy"`), 'the office sets the rule of the organisation it runs there');
  assert.equal((await form(`_csrf=${office.csrf}&required_sent=1`)).status, 303);
  assert.equal((await town.get('/api/v1/me/desk')).status, 200);
});
