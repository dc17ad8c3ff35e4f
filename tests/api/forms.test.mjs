// forms.test.mjs (issue 14 §2): the first minute of use, as a browser sees it. Every page form
// that fails is shown again — same form, 4xx, the user's values kept, the message beside the
// field (aria-invalid / aria-describedby) — never the dead-end 出错了 page; the login keeps the
// page the user was going to; /p/track keeps a mistyped code; public pages never lead to the
// staff login; 404 pages are styled and lead back; a pledge is not completed at 0% with nothing
// to show.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, Client, PASSWORD, loginAs, expectError, multipartBody, sqlOn } from '../lib.mjs';

const srv = await startServerOn({ members: 60 });
after(() => srv.stop());
const FORM = 'application/x-www-form-urlencoded';

/** The value of the hidden _csrf input of a page. */
function csrfOf(html) {
  const m = html.match(/name="_csrf" value="([0-9a-f]+)"/);
  assert.ok(m, 'the page has a form with a CSRF token');
  return m[1];
}

/** Posts a form as a browser does from page (its Referer), with the page's CSRF token and the
 * hidden inputs of the form that posts to action (fields override them). */
async function submit(c, page, action, fields) {
  const p = await c.get(page);
  assert.equal(p.status, 200, `${page}: ${p.text.slice(0, 300)}`);
  const body = new URLSearchParams(p.text.includes('name="_csrf"') ? { _csrf: csrfOf(p.text) } : {}); // public forms have none
  const form = p.text.match(new RegExp(`<form method="post" action="${action.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"[^>]*>([\\s\\S]*?)</form>`));
  for (const h of form ? form[1].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g) : [])
    if (h[1] !== '_csrf' && !(h[1] in fields)) body.append(h[1], h[2].replace(/&amp;/g, '&'));
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

// Everything the tests use is made before the first test starts (tests start as they are declared).
const member = await loginAs(srv.base, 'member');
const town = await loginAs(srv.base, 'town');
const townOrg = town.user.roles[0].org_id;
const memberId = member.user.member_id;
const api = async (r, status = 200) => { assert.equal(r.status, status, r.text.slice(0, 300)); return r.json; };
const due = new Date(Date.now() + 60 * 864e5).toISOString().slice(0, 10);
let n = 0;
const newPledge = () => ({ area: '服务群众', title: `代购生活用品 ${++n}`, content: '每周代购一次。', measures: '每周六上门。', responsible: '本人', due_date: due });
const pledgeIn = async (upto) => {
  const p = (await api(await member.post('/api/v1/pledges', newPledge()), 201)).pledge;
  if (upto === 'draft') return p;
  await api(await member.post(`/api/v1/pledges/${p.id}/submit`, {}));
  if (upto === 'submitted') return p;
  await api(await secretary.post(`/api/v1/pledges/${p.id}/approve`, {}));
  return p;
};
const draft = await pledgeIn('draft'), submitted = await pledgeIn('submitted'), going = await pledgeIn('in_progress');
const [zero, zeroPage, summed, progressed] = [await pledgeIn('in_progress'), await pledgeIn('in_progress'), await pledgeIn('in_progress'),
  await pledgeIn('in_progress')];
const campaign = (await api(await town.get(`/api/v1/orgs/${townOrg}/campaigns`))).campaigns[0];
const rect = (await api(await secretary.post(`/api/v1/orgs/${branchId}/rectifications`, {
  source: 'inspection', problem: '学习记录不全', measure: '补齐记录', owner: '王五', due_date: due }), 201)).rectification;
const fb = (await api(await secretary.post(`/api/v1/orgs/${branchId}/feedback`, {
  kind: 'opinion', channel: 'hotline', text: '路灯坏了，请修一下', name: '来电群众' }), 201));
const fbId = fb.id ?? fb.feedback?.id;
await api(await secretary.post(`/api/v1/orgs/${branchId}/feedback`, { kind: 'opinion', channel: 'hotline', text: '路灯坏了好几天了', name: '来电群众' }), 201); // one to merge into
const win = (await api(await secretary.post(`/api/v1/orgs/${branchId}/windows`, { name: '便民服务窗口（表单测试）' }), 201)).window;
const batch = (await api(await town.post(`/api/v1/orgs/${branchId}/paper-batches`, { target_kind: 'org', sheets: 2 }), 201)).batch;

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
  assert.equal(ok.status, 303, ok.text.slice(ok.text.indexOf('<main>'), ok.text.indexOf('</main>')));
  assert.equal(ok.headers.get('location'), `/orgs/${branchId}`);
  assert.equal((await c.get(`/orgs/${branchId}`)).status, 200);
});

test('next is only ever a path on this site, and never the login form itself', async () => {
  // an unsafe next, or none, lands on the desk (工作台)
  for (const [next, to] of [['https://evil.example/x', '/desk'], ['//evil.example/x', '/desk'], ['/login', '/desk'], ['/login?next=/orgs/1', '/desk'],
    [`/orgs/${branchId}/members?page=2`, `/orgs/${branchId}/members?page=2`]]) {
    const c = new Client(srv.base);
    const r = await submit(c, `/login?next=${encodeURIComponent(next)}`, '/login', { next, username: 'secretary', password: PASSWORD });
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), to, next);
  }
  const p = await new Client(srv.base).get(`/login?next=${encodeURIComponent('https://evil.example/x')}`);
  assert.doesNotMatch(p.text, /evil\.example/, 'a foreign next is not carried by the form');
  const failed = await submit(new Client(srv.base), '/login', '/login', { next: 'https://evil.example/x', username: 'secretary', password: 'wrong-pass-x' });
  assert.equal(failed.status, 401);
  assert.doesNotMatch(failed.text, /evil\.example/, 'nor by the form shown again');
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

// ---- every page form: bad input shows the same form again ----

// [who, page, action, posted fields, status, field with the message, values that must be kept]
const cases = [
  ['office', `/orgs/${townId}/new`, `/orgs/${townId}/children`, { name: '党'.repeat(70) }, 400, 'name', { name: '党'.repeat(70) }],
  ['office', `/orgs/${branchId}/edit`, `/orgs/${branchId}/edit`, { name: '支'.repeat(70) }, 400, 'name', { name: '支'.repeat(70) }],
  ['office', `/orgs/${branchId}/move`, `/orgs/${branchId}/move`, { parent_id: String(branchId) }, 400, 'parent_id'],
  ['secretary', `/orgs/${branchId}/members/new`, `/orgs/${branchId}/members`,
    { name: '张新党', idcard: '110101199001011230', phone: '13800138000', joined_date: '2010-07-01' }, 400, 'idcard',
    { name: '张新党', idcard: '110101199001011230', phone: '13800138000' }],
  ['secretary', `/members/${memberId}/edit`, `/members/${memberId}/edit`, { name: '改名党员', phone: '1380013' }, 400, 'phone',
    { name: '改名党员', phone: '1380013' }],
  ['member', '/pledges/new', '/pledges', { ...newPledge(), title: '', content: '为老人代购' }, 400, 'title', { content: '为老人代购', responsible: '本人' }],
  ['member', `/pledges/${draft.id}/edit`, `/pledges/${draft.id}/edit`, { ...newPledge(), due_date: '2026-02-30', measures: '每周两次' }, 400, 'due_date',
    { measures: '每周两次' }],
  ['secretary', `/pledges/${submitted.id}`, `/pledges/${submitted.id}/return`, { reason: '' }, 400, 'reason'],
  ['member', `/pledges/${going.id}`, `/pledges/${going.id}/progress`, { date: '2026-13-45', text: '走访了三户', percent: '30' }, 400, 'date',
    { text: '走访了三户', percent: '30' }],
  ['secretary', `/pledges/${going.id}`, `/pledges/${going.id}/miss`, { miss_kind: 'objective', explanation: '' }, 400, 'explanation'],
  ['secretary', `/orgs/${branchId}/rectifications/new`, `/orgs/${branchId}/rectifications`,
    { source: 'inspection', problem: '台账不全', measure: '', owner: '王五', due_date: due }, 400, 'measure', { problem: '台账不全', owner: '王五' }],
  ['secretary', `/rectifications/${rect.id}`, `/rectifications/${rect.id}/cancel`, { reason: '' }, 400, 'reason'],
  ['secretary', `/orgs/${branchId}/feedback/new`, `/orgs/${branchId}/feedback`,
    { kind: 'opinion', channel: 'hotline', text: '', name: '来电群众' }, 400, 'text', { name: '来电群众' }],
  ['office', `/feedback/${fbId}`, `/feedback/${fbId}/triage`, { category_id: '', org_id: 'abc', note: '先核实' }, 400, 'org_id', { note: '先核实' }],
  ['office', `/feedback/${fbId}`, `/feedback/${fbId}/merge`, { into_id: 'abc' }, 400, 'into_id'], // picked from a list: nothing typed to keep
  ['office', '/calendar', '/calendar', { date: '2026-02-30', kind: 'holiday', name: '春节' }, 400, 'date', { name: '春节' }],
  ['office', `/campaigns/${campaign.id}`, `/campaigns/${campaign.id}/phases`, { name: '动员阶段', start_date: '2026-05-01', end_date: '2026-04-01' }, 400,
    'end_date', { name: '动员阶段' }],
  ['office', `/campaigns/${campaign.id}`, '/standards', { back: String(campaign.id), code: '四强', name: '四强党组织', target: 'org', items_text: '政治引领强' }, 400,
    'code', { code: '四强', name: '四强党组织' }],
  ['town', `/orgs/${townOrg}/rounds`, `/orgs/${townOrg}/rounds`, { campaign_id: String(campaign.id), name: '上半年', start_date: '2026-06-01', end_date: '2026-01-01', questions: 'party3' },
    400, 'end_date', { name: '上半年' }],
  ['secretary', `/orgs/${branchId}/import`, `/orgs/${branchId}/import`, {}, 400, 'file'],
  ['town', `/orgs/${townOrg}/rounds`, `/orgs/${townOrg}/carriers`, { name: '', description: '三亮三比三评' }, 400, 'name', { description: '三亮三比三评' }],
  ['secretary', `/windows/${win.id}`, `/windows/${win.id}/edit`, { name: '', location: '村委会一楼' }, 400, 'name', { location: '村委会一楼' }],
  ['town', `/paper-batches/${batch.id}`, `/paper-batches/${batch.id}/sheets`, { code: 'WRONG-CODE', q1: '1', q2: '1', q3: '1', comment: '服务好' }, 400, 'code',
    { code: 'WRONG-CODE', comment: '服务好' }],
  ['', '/p/feedback', '/p/feedback', { kind: 'opinion', text: '', name: '群众甲' }, 400, 'text', { name: '群众甲' }],
  ['member', '/me/reviews', `/members/${memberId}/review`, { achievements: '带头学习', shortcomings: '', direction: '多下基层' }, 400, 'shortcomings',
    { achievements: '带头学习', direction: '多下基层' }],
  ['secretary', `/orgs/${branchId}/review`, `/orgs/${branchId}/review`, { achievements: '五个好', shortcomings: '', direction: '加强学习' }, 400, 'shortcomings',
    { achievements: '五个好', direction: '加强学习' }],
  ['', `/p/rate/member/${memberId}`, `/p/rate/member/${memberId}`, { q1: '3', q2: '1', q3: '1', reason: '', comment: '窗口态度差' }, 400, 'reason',
    { comment: '窗口态度差' }],
];

for (const [who, page, action, fields, status, field, kept] of cases) {
  test(`${action} (from ${page.replace(/\d+/g, ':id')}): bad input shows the form again, the message at ${field}`, async () => {
    const c = who ? await browserAs(who) : new Client(srv.base);
    if (!who && page.startsWith('/p/rate/')) await c.get(page); // the device cookie, as a browser has it
    const r = await submit(c, page, action, fields);
    expectRedisplay(r, status, field, kept, action);
    for (const [k, v] of Object.entries(fields)) // radio answers come back checked
      if (/^q\d$/.test(k)) assert.match(r.text, new RegExp(`name="${k}" value="${v}"[^>]* checked`), `${k}=${v} kept`);
  });
}

// ---- /p/track ----

test('/p/track: a mistyped code is told on the same form, the code kept, ready to try again', async () => {
  const anon = new Client(srv.base);
  for (const code of ['K7Q4-M2XP-3ABC-D', 'not a code']) {
    const r = await submit(anon, '/p/track', '/p/track', { code });
    assert.ok(r.status >= 400 && r.status < 500, `${r.status}`);
    expectRedisplay(r, r.status, 'code', { code }, '/p/track');
    assert.match(r.text, /<h1>查询办理情况<\/h1>/);
  }
});

// ---- a pledge is not completed at 0% with nothing to show ----

test('a pledge at 0% with no progress and no summary cannot be completed (API and page); a summary or a progress entry allows it', async () => {
  const r = await member.post(`/api/v1/pledges/${zero.id}/complete`, {});
  const e = expectError(r, 400, 'nothing_done', 'summary');
  assert.match(e.message, /0%/);
  const blank = await member.post(`/api/v1/pledges/${zero.id}/complete`, { summary: '   ' });
  expectError(blank, 400, 'nothing_done', 'summary');
  assert.equal((await api(await member.get(`/api/v1/pledges/${zero.id}`))).pledge.status, 'in_progress', 'nothing changed');
  // the page: the same message beside the summary box
  const c = await browserAs('member');
  const page = await submit(c, `/pledges/${zeroPage.id}`, `/pledges/${zeroPage.id}/complete`, { summary: '' });
  const m = expectRedisplay(page, 400, 'summary', {}, `/pledges/${zeroPage.id}/complete`);
  assert.equal(m.code, 'nothing_done');
  // a summary is enough; so is recorded progress
  assert.equal((await api(await member.post(`/api/v1/pledges/${summed.id}/complete`, { summary: '已为 5 户老人代购' }))).pledge.status, 'completed');
  const pr = await member.req('POST', `/api/v1/pledges/${progressed.id}/progress`,
    await multipartBody([['date', new Date().toISOString().slice(0, 10)], ['text', '第一次代购'], ['percent', 20]]));
  assert.equal(pr.status, 201, pr.text);
  assert.equal((await api(await member.post(`/api/v1/pledges/${progressed.id}/complete`, {}))).pledge.status, 'completed');
  const ok = await submit(c, `/pledges/${zeroPage.id}`, `/pledges/${zeroPage.id}/complete`, { summary: '按期完成' });
  assert.equal(ok.status, 303);
  assert.equal(ok.headers.get('location'), `/pledges/${zeroPage.id}`);
});

// ---- public pages and 404 ----

test('public pages lead only to public pages (never the staff login); the public home lists what residents can do', async () => {
  const anon = new Client(srv.base);
  const windows = (await api(await office.get(`/api/v1/orgs/${townId}/windows?subtree=1`))).windows || [];
  const pages = ['/p', `/p/card/${memberId}`, `/p/board/${branchId}`, '/p/feedback', `/p/feedback/member/${memberId}`, '/p/track', '/p/replies',
    `/p/rate/member/${memberId}`, `/p/rate/org/${branchId}`, ...windows.slice(0, 1).map((w) => `/p/window/${w.id}`), '/p/no-such-page',
    '/p/card/999999999'];
  for (const p of pages) {
    const r = await anon.get(p);
    assert.ok([200, 404].includes(r.status), `${p}: ${r.status}`);
    assert.match(r.text, /<header class="top">/, `${p} is a page of the site`);
    const links = [...r.text.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    for (const l of links) assert.ok(/^\/(p(\/|$|\?)|static\/)/.test(l) || l === '/p' || l.startsWith('#'), `${p} links to ${l}`);
    assert.ok(links.includes('/p'), `${p} leads back to the public home`);
  }
  const home = await anon.get('/p');
  assert.equal(home.status, 200);
  for (const l of ['/p/feedback', '/p/track', '/p/replies']) assert.ok(home.text.includes(`href="${l}"`), l);
});

test('404 pages are the site\'s own page with a way back: the public home for /p/, the user\'s home for staff pages', async () => {
  const anon = new Client(srv.base);
  for (const [who, path, back] of [[anon, '/p/no-such-page', '/p'], [anon, '/p/card/999999999', '/p'], [secretary, '/no-such-page', '/'],
    [secretary, '/orgs/999999999', '/'], [anon, '/no-such-page', '/']]) {
    const r = await who.get(path);
    assert.equal(r.status, 404, path);
    assert.match(r.headers.get('content-type'), /^text\/html/);
    assert.match(r.text, /<link rel="stylesheet" href="\/static\/app.css">/, `${path}: styled`);
    assert.match(r.text, /<h1>页面不存在<\/h1>/, path);
    assert.match(r.text, new RegExp(`<a href="${back}" id="back-home">`), `${path}: back to ${back}`);
  }
  const api404 = await secretary.get('/api/v1/no-such-thing');
  expectError(api404, 404, 'not_found');
});

// ---- successful posts redirect (303): a refresh sends nothing again ----

test('successful page posts answer 303; the page after shows the outcome, and loading it again submits nothing', async () => {
  // a resident's opinion: the code page is reached by the redirect and shows the code once; a
  // refresh (or the next person at a shared tablet) gets no code, and nothing is submitted again
  const anon = new Client(srv.base);
  const sent = await submit(anon, '/p/feedback', '/p/feedback', { kind: 'opinion', text: '公园路灯不亮，请修理（刷新测试）' });
  assert.equal(sent.status, 303, sent.text.slice(0, 300));
  assert.equal(sent.headers.get('location'), '/p/feedback/done');
  const a = await anon.get('/p/feedback/done'), b = await anon.get('/p/feedback/done');
  const code = (t) => t.match(/id="tracking-code">([^<]+)</)[1];
  assert.equal(a.status, 200);
  assert.match(a.text, /只显示这一次/);
  assert.equal(b.status, 404, 'the public code is shown once');
  assert.ok(!b.text.includes(code(a.text)), 'a refresh does not show the code again');
  assert.match(b.text, /只在提交后显示一次/);
  assert.equal(Number(sqlOn(srv.db, "SELECT count(*) FROM feedback WHERE text LIKE '%公园路灯不亮，请修理（刷新测试）%'")), 1,
    'nothing was submitted twice');
  assert.match(a.headers.get('cache-control'), /no-store/);
  const track = await submit(anon, '/p/track', '/p/track', { code: code(a.text) });
  assert.equal(track.status, 200);
  assert.match(track.text, /id="track-status"/);
  // without the cookie the done page has nothing to show
  assert.equal((await new Client(srv.base).get('/p/feedback/done')).status, 404);
  // staff entry of a phone call
  const c = await browserAs('secretary');
  const entered = await submit(c, `/orgs/${branchId}/feedback/new`, `/orgs/${branchId}/feedback`,
    { kind: 'opinion', channel: 'hotline', text: '来电反映路面积水（刷新测试）', name: '来电群众' });
  assert.equal(entered.status, 303, entered.text.slice(0, 300));
  assert.equal(entered.headers.get('location'), `/orgs/${branchId}/feedback/done`);
  const d1 = await c.get(entered.headers.get('location'));
  assert.equal(d1.status, 200);
  assert.match(d1.text, /id="tracking-code"/);
  assert.match(d1.text, /请把查询码告诉反映人/);
  // a pledge and a member from their forms
  const m = await browserAs('member');
  const p = await submit(m, '/pledges/new', '/pledges', newPledge());
  assert.equal(p.status, 303);
  assert.match(p.headers.get('location'), /^\/pledges\/\d+$/);
  const mm = await submit(c, `/orgs/${branchId}/members/new`, `/orgs/${branchId}/members`, { name: '刷新测试', idcard: '11010119900307803X', joined_date: '2015-07-01' });
  assert.equal(mm.status, 303, mm.text.slice(mm.text.indexOf('<main>'), mm.text.indexOf('</main>')));
  // a ballot from the public form: the thanks page by a redirect
  const pub = new Client(srv.base);
  await pub.get(`/p/rate/member/${memberId}`); // the device cookie
  const page = await pub.get(`/p/rate/member/${memberId}`);
  const qs = [...new Set([...page.text.matchAll(/name="(q\d)"/g)].map((x) => x[1]))];
  const vote = await pub.post(`/p/rate/member/${memberId}`, new URLSearchParams(Object.fromEntries(qs.map((q) => [q, '1']))).toString(),
    { csrf: false, headers: { 'Content-Type': FORM, Referer: `${srv.base}/p/rate/member/${memberId}` } });
  assert.equal(vote.status, 303, vote.text.slice(0, 300));
  assert.match(vote.headers.get('location'), new RegExp(`^/p/rate/member/${memberId}\\?done=`));
  const thanks = await pub.get(vote.headers.get('location'));
  assert.match(thanks.text, /感谢您的评价/);
});

test('a page that needs a login comes back after it with its query; a post whose session ran out comes back to the page it was sent from', async () => {
  const anon = new Client(srv.base);
  const r = await anon.get(`/orgs/${branchId}/pledges?status=in_progress`);
  assert.equal(r.status, 303);
  const next = new URL(r.headers.get('location'), srv.base).searchParams.get('next');
  assert.equal(next, `/orgs/${branchId}/pledges?status=in_progress`);
  const ok = await submit(anon, r.headers.get('location'), '/login', { next, username: 'secretary', password: PASSWORD });
  assert.equal(ok.headers.get('location'), `/orgs/${branchId}/pledges?status=in_progress`);
  // a form posted after the session ended: back to its page, not to a GET of the post's address
  const late = await new Client(srv.base).post(`/pledges/${going.id}/complete`, 'summary=x', { csrf: false,
    headers: { 'Content-Type': FORM, Referer: `${srv.base}/pledges/${going.id}?tab=progress` } });
  assert.equal(late.status, 303);
  assert.equal(new URL(late.headers.get('location'), srv.base).searchParams.get('next'), `/pledges/${going.id}?tab=progress`);
  const bare = await new Client(srv.base).post(`/pledges/${going.id}/complete`, 'summary=x', { csrf: false, headers: { 'Content-Type': FORM } });
  assert.equal(new URL(bare.headers.get('location'), srv.base).searchParams.get('next'), `/pledges/${going.id}`);
});
