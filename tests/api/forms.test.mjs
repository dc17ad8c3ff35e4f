// forms.test.mjs (issue 14 §2): the first minute of use, as a browser sees it. Every page form
// that fails is shown again — same form, 4xx, the user's values kept, the message beside the
// field (aria-invalid / aria-describedby) — never the dead-end 出错了 page; the login keeps the
// page the user was going to; /p/track keeps a mistyped code; public pages never lead to the
// staff login; 404 pages are styled and lead back; a pledge is not completed at 0% with nothing
// to show.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, Client, PASSWORD, loginAs, expectError, idcard } from '../lib.mjs';

const srv = await startServerOn({ members: 60 });
after(() => srv.stop());
const FORM = 'application/x-www-form-urlencoded';

/** The value of the hidden _csrf input of a page. */
function csrfOf(html) {
  const m = html.match(/name="_csrf" value="([0-9a-f]+)"/);
  assert.ok(m, 'the page has a form with a CSRF token');
  return m[1];
}

/** Posts a form as a browser does from page (its Referer), with the page's CSRF token. */
async function submit(c, page, action, fields) {
  const p = await c.get(page);
  assert.equal(p.status, 200, `${page}: ${p.text.slice(0, 300)}`);
  const body = new URLSearchParams({ _csrf: csrfOf(p.text) });
  for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) body.append(k, x);
  return c.post(action, body.toString(), { csrf: false, headers: { 'Content-Type': FORM, Referer: srv.base + page } });
}

/** A browser session logged in through the login form. */
async function browserAs(username) {
  const c = new Client(srv.base);
  const r = await submit(c, '/login', '/login', { username, password: PASSWORD });
  assert.equal(r.status, 303, r.text.slice(0, 300));
  return c;
}

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** Asserts r is the form shown again: status, no 出错了 page, the message beside field (the
 * element named field is marked invalid and described by it), and the values kept. */
function expectRedisplay(r, status, field, kept = {}, action) {
  const ctx = `${r.status} ${r.text.slice(r.text.indexOf('<main>'), r.text.indexOf('</main>')).slice(0, 1500)}`;
  assert.equal(r.status, status, ctx);
  assert.match(r.headers.get('content-type'), /^text\/html/);
  assert.doesNotMatch(r.text, /<h1>出错了<\/h1>/, ctx);
  if (action) assert.match(r.text, new RegExp(`<form[^>]*action="${action}"`), ctx);
  const el = new RegExp(`<(input|textarea|select)\\b[^>]*\\bname="${field}"[^>]*aria-invalid="true" aria-describedby="ferr-${field}"[^>]*>`);
  assert.match(r.text, el, `${field} marked invalid: ${ctx}`);
  const msg = r.text.match(new RegExp(`<p class="alert field-error" id="ferr-${field}" role="alert" data-code="([a-z_]+)" data-field="${field}">([^<]+)</p>`));
  assert.ok(msg, `message beside ${field}: ${ctx}`);
  assert.match(msg[2], /[\u4e00-\u9fff]/);
  for (const [k, v] of Object.entries(kept)) {
    const input = new RegExp(`<input\\b[^>]*\\bname="${k}"[^>]*value="${esc(v).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`);
    const area = `name="${k}"`;
    assert.ok(input.test(r.text) || (r.text.includes(area) && r.text.includes(`>${esc(v)}</textarea>`)), `${k} kept as ${v}: ${ctx}`);
  }
  return { code: msg[1], message: msg[2] };
}

const office = await loginAs(srv.base, 'office');
const secretary = await loginAs(srv.base, 'secretary');
const branchId = secretary.user.roles[0].org_id;
const townId = office.user.roles[0].org_id;

// ---- login ----

test('a wrong password shows the login form again: 401, the name kept, the message at the password, the next page kept', async () => {
  const c = new Client(srv.base);
  const first = await c.get(`/orgs/${branchId}`);
  assert.equal(first.status, 303);
  const loginPage = first.headers.get('location');
  assert.equal(loginPage, `/login?next=${encodeURIComponent(`/orgs/${branchId}`)}`);
  const r = await submit(c, loginPage, '/login', { next: `/orgs/${branchId}`, username: 'secretary', password: 'not-the-password' });
  const m = expectRedisplay(r, 401, 'password', { username: 'secretary', next: `/orgs/${branchId}` }, '/login');
  assert.equal(m.code, 'bad_credentials');
  assert.doesNotMatch(r.text, /not-the-password/, 'the password is never echoed');
  assert.equal(r.headers.get('location'), null);
  // the second try, from the page now shown, lands on the page the user was going to
  const csrf = csrfOf(r.text);
  const body = new URLSearchParams({ _csrf: csrf, next: `/orgs/${branchId}`, username: 'secretary', password: PASSWORD });
  const ok = await c.post('/login', body.toString(), { csrf: false, headers: { 'Content-Type': FORM, Referer: srv.base + loginPage } });
  assert.equal(ok.status, 303);
  assert.equal(ok.headers.get('location'), `/orgs/${branchId}`);
  assert.equal((await c.get(`/orgs/${branchId}`)).status, 200);
});

test('next is only ever a path on this site, and never the login form itself', async () => {
  for (const [next, to] of [['https://evil.example/x', '/'], ['//evil.example/x', '/'], ['/login', '/'], ['/login?next=/orgs/1', '/'],
    [`/orgs/${branchId}/members?page=2`, `/orgs/${branchId}/members?page=2`]]) {
    const c = new Client(srv.base);
    const r = await submit(c, `/login?next=${encodeURIComponent(next)}`, '/login', { next, username: 'secretary', password: PASSWORD });
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), to, next);
  }
  const p = await new Client(srv.base).get(`/login?next=${encodeURIComponent('https://evil.example/x')}`);
  assert.doesNotMatch(p.text, /evil\.example/, 'a foreign next is not carried by the form');
});

test('an empty password names the field; a locked account is told on the login page, not an error page', async () => {
  const c = new Client(srv.base);
  const empty = await submit(c, '/login', '/login', { username: 'leader', password: '' });
  expectRedisplay(empty, 400, 'password', { username: 'leader' }, '/login');
  let r;
  for (let i = 0; i < 8; i++) {
    r = await submit(c, '/login?next=%2Fme%2Fpledges', '/login', { next: '/me/pledges', username: 'locked-name', password: 'wrong-pass-2026' });
    if (r.status !== 401) break;
  }
  assert.ok([423, 429].includes(r.status), `${r.status}`);
  const m = r.text.match(/<p class="alert[^"]*"[^>]*data-code="([a-z_]+)"[^>]*>([^<]+)<\/p>/);
  assert.ok(m, r.text.slice(0, 2000));
  assert.match(m[1], /account_locked|rate_limited|login_busy/);
  assert.match(m[2], /锁定|稍后|过多/);
  assert.doesNotMatch(r.text, /<h1>出错了<\/h1>/);
  assert.match(r.text, /<form method="post" action="\/login">/);
  assert.match(r.text, /name="next" value="\/me\/pledges"/);
  assert.match(r.text, /name="username"[^>]*value="locked-name"/);
});

test('an expired login form (its token gone) is shown again with a fresh one, the name kept', async () => {
  const c = new Client(srv.base);
  const body = new URLSearchParams({ _csrf: 'f'.repeat(64), username: 'secretary', password: PASSWORD });
  const r = await c.post('/login', body.toString(), { csrf: false, headers: { 'Content-Type': FORM, Referer: `${srv.base}/login` } });
  assert.equal(r.status, 403);
  assert.match(r.text, /登录表单已过期/);
  assert.match(r.text, /name="username"[^>]*value="secretary"/);
  const again = await c.post('/login', new URLSearchParams({ _csrf: csrfOf(r.text), username: 'secretary', password: PASSWORD }).toString(),
    { csrf: false, headers: { 'Content-Type': FORM } });
  assert.equal(again.status, 303);
});
