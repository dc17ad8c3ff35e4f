// settings.test.mjs: the public address QR codes and print pages carry is a setting in the
// database (setting public_url), so the command line and every server instance agree: set on the
// settings page / PATCH /api/v1/settings by the top office or with `cxzy config set public-url`,
// seeded by `serve --public-url` when none is stored. With none stored, print pages say that the
// QR code leads to the address staff used. Bad addresses are refused naming the field, change
// nothing; every change is audited with the person's name. The desk sign (桌牌) print: a fold-in-half
// A4 landscape card, and a branch's signs for all its members in one go.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, expectError, Client } from '../lib.mjs';

// one process asked under its own listen address with no address stored (behind a proxy one is
// stored: tests/lib.mjs cluster mode)
const srv = await startServerOn({ members: 20, single: true });
after(() => srv.stop());
const [office, secretary] = await Promise.all(['office', 'secretary'].map((u) => loginAs(srv.base, u)));
const rootId = office.user.roles[0].org_id;
const anon = new Client(srv.base);
const card = Number((await secretary.get(`/api/v1/orgs/${secretary.user.roles[0].org_id}/members`)).json.members[0].id);
const stored = async () => (await office.get('/api/v1/settings')).json.settings.public_url;

test('no address stored: the print pages warn that the QR code leads to the address used; the CLI says so', async () => {
  assert.equal(await stored(), '');
  assert.equal(srv.cli(['config', 'get', 'public-url']).status, 3);
  for (const path of [`/p/card/${card}/print`, `/p/board/${secretary.user.roles[0].org_id}/print`]) {
    const r = await anon.get(path);
    assert.equal(r.status, 200, r.text.slice(0, 200));
    assert.match(r.text, /还没有设置公开地址/, path);
    assert.ok(r.text.includes(srv.base), 'names the address the QR code carries');
  }
});

test('`cxzy config set public-url` in another process: the running server prints it at once, no warning, new ETag', async () => {
  const before = await anon.get(`/p/card/${card}/print`);
  const etag = before.headers.get('etag');
  assert.ok(etag);
  const r = srv.cli(['config', 'set', 'public-url', 'https://cxzy.example.gov.cn/', '--as', '王办事']);
  assert.equal(r.status, 0, r.stderr);
  const after1 = await anon.get(`/p/card/${card}/print`, { headers: { 'If-None-Match': etag } });
  assert.equal(after1.status, 200, 'not answered 304 under the old address');
  assert.ok(after1.text.includes(`https://cxzy.example.gov.cn/p/card/${card}`));
  assert.doesNotMatch(after1.text, /还没有设置公开地址/);
  assert.equal(srv.cli(['config', 'get', 'public-url']).stdout.trim(), 'https://cxzy.example.gov.cn');
  assert.equal(await stored(), 'https://cxzy.example.gov.cn');
  const audit = (await office.get(`/api/v1/orgs/${rootId}/audit`)).json.records[0];
  assert.equal(audit.entity, 'setting');
  assert.equal(audit.actor, '命令行（王办事）');
  // nonsense from the command line changes nothing
  const bad = srv.cli(['config', 'set', 'public-url', 'javascript:alert(1)']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /公开地址应为网站的公开地址/);
  assert.equal(await stored(), 'https://cxzy.example.gov.cn');
});

test('the settings page and API: only the top office; a bad address is refused naming the field and changes nothing', async () => {
  expectError(await secretary.patch('/api/v1/settings', { public_url: 'https://a.example' }), 403, 'forbidden');
  // a town's office is an office, but not the top one: the address is the whole site's
  const town = await loginAs(srv.base, 'town');
  expectError(await town.patch('/api/v1/settings', { public_url: 'https://a.example' }), 403, 'forbidden');
  for (const v of ['ftp://x', 'https://a.example/path', 'https://a b', 'cxzy.example.gov.cn']) {
    expectError(await office.patch('/api/v1/settings', { public_url: v }), 400, 'invalid_public_url', 'public_url');
  }
  assert.equal(await stored(), 'https://cxzy.example.gov.cn');
  const seq = (await office.get(`/api/v1/orgs/${rootId}/audit`)).json.records[0].seq;
  const ok = await office.patch('/api/v1/settings', { public_url: 'https://pingyi.example.org:8443/' });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.settings.public_url, 'https://pingyi.example.org:8443');
  const a = (await office.get(`/api/v1/orgs/${rootId}/audit`)).json.records[0];
  assert.ok(a.seq > seq);
  assert.equal(a.actor, 'office');
  assert.match(a.before, /cxzy\.example\.gov\.cn/);
  assert.match(a.after, /pingyi\.example\.org:8443/);
  // the page: the form re-renders with the value typed and the message beside it
  const page = await office.get('/settings');
  assert.equal(page.status, 200);
  assert.match(page.text, /https:\/\/pingyi\.example\.org:8443/);
  const form = new FormData();
  form.set('_csrf', office.csrf);
  form.set('public_url', 'http://evil.example/x?y');
  const r = await office.post('/settings', form);
  assert.equal(r.status, 400);
  assert.match(r.text, /公开地址应为网站的公开地址/);
  assert.match(r.text, /value="http:\/\/evil\.example\/x\?y"/);
  assert.equal(await stored(), 'https://pingyi.example.org:8443');
  assert.ok((await anon.get(`/p/card/${card}/print`)).text.includes(`https://pingyi.example.org:8443/p/card/${card}`));
  // cleared: the warning is back
  assert.equal((await office.patch('/api/v1/settings', { public_url: '' })).status, 200);
  assert.match((await anon.get(`/p/card/${card}/print`)).text, /还没有设置公开地址/);
});

test('serve --public-url seeds an empty setting; a stored one is kept and serve says so', async () => {
  const r = await office.patch('/api/v1/settings', { public_url: 'https://kept.example.cn' });
  assert.equal(r.status, 200);
  const s2 = await startServerOn({ db: srv.db, demo: false, args: ['--public-url', 'https://other.example.cn'], single: true });
  try {
    const print = await new Client(s2.base).get(`/p/card/${card}/print`);
    assert.ok(print.text.includes(`https://kept.example.cn/p/card/${card}`));
    assert.match(s2.log(), /数据库中的公开地址是 https:\/\/kept\.example\.cn/);
  } finally {
    await s2.stop();
  }
  assert.equal((await office.patch('/api/v1/settings', { public_url: '' })).status, 200);
  const s3 = await startServerOn({ db: srv.db, demo: false, args: ['--public-url', 'https://seeded.example.cn'], single: true });
  await s3.stop();
  assert.equal(await stored(), 'https://seeded.example.cn');
});

test('desk signs: a fold-in-half A4 landscape card (upper face upside down, a fold line); a branch prints all its members, one page each', async () => {
  const branch = secretary.user.roles[0].org_id;
  const one = await anon.get(`/p/card/${card}/print`);
  assert.equal(one.status, 200);
  assert.match(one.text, /<link rel="stylesheet" href="\/static\/desk\.css">/);
  assert.equal((one.text.match(/class="desk-fold"/g) || []).length, 1);
  assert.match(one.text, /class="desk-face desk-face-back"[\s\S]*class="desk-foldline"[\s\S]*class="desk-face desk-face-front"/);
  const css = await anon.get('/static/desk.css');
  assert.equal(css.status, 200);
  assert.match(css.text, /@page \{ size: A4 landscape; margin: 0; \}/);
  assert.match(css.text, /\.desk-face-back \{ transform: rotate\(180deg\); \}/);
  assert.match(css.text, /break-after: page/);
  assert.match(css.text, /\.desk-foldline \{[^}]*dashed/);
  // all of a branch's members in one go
  const members = (await secretary.get(`/api/v1/orgs/${branch}/members?per_page=500`)).json;
  const all = await secretary.get(`/orgs/${branch}/desk-signs`);
  assert.equal(all.status, 200, all.text.slice(0, 300));
  assert.equal((all.text.match(/class="desk-fold"/g) || []).length, members.paging.total);
  for (const m of members.members) assert.ok(all.text.includes(`/p/card/${m.id}`), `${m.name}'s sign`);
  assert.match(all.text, new RegExp(`全部 ${members.paging.total} 名党员的桌牌`));
  // not for the public, nor for another branch's secretary
  assert.notEqual((await anon.get(`/orgs/${branch}/desk-signs`)).status, 200);
  const secretary2 = await loginAs(srv.base, 'secretary2');
  assert.notEqual(secretary2.user.roles[0].org_id, branch);
  assert.equal((await secretary2.get(`/orgs/${branch}/desk-signs`)).status, 404);
});
