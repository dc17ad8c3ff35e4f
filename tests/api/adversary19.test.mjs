// adversary19.test.mjs: the modules of issue 19 (三比 contests and exemplary posts) played against as
// an attacker or a careless user, on this file's own demo database: a judge submitting while the
// office closes the contest (two requests at once; on PostgreSQL both made to wait on the contest's
// row and released together), a draft saved after the close, judges and entrants added after the
// scoring started, a judge removed by a route that does not exist, another contest's entrant by id;
// the public page never showing a draft, open or closed-but-unpublished result, member names masked,
// markup in the title, the custom kind and the item names shown as text; a retired post rated through
// the window's form, a post's id on every window route, one holding ended twice at once, a holder of
// another branch added by the town over both, markup in a post's name, place and duties on the public
// page and the A4 sign.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { startServerOn, loginAs, expectError, sqlOn, Client, BACKEND, PASSWORD, pgHolder } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const [town, secretary, secretary2] = await Promise.all(['town', 'secretary', 'secretary2'].map((u) => loginAs(srv.base, u)));
const townId = town.user.roles[0].org_id;
const branchA = secretary.user.roles[0].org_id;
const branchB = secretary2.user.roles[0].org_id;
const anon = new Client(srv.base);
const sql = (q) => sqlOn(srv.db, q);

async function ok(r, status = 200) {
  assert.equal(r.status, status, `${r.status} ${r.text.slice(0, 400)}${r.status >= 500 ? srv.log().slice(-1500) : ''}`);
  return r.json;
}
let seq = 0;
/** A staff account made by `cxzy user add`, logged in. */
async function account(role, org) {
  const name = `adv19u${++seq}${BACKEND}`;
  const r = srv.cli(['user', 'add', name, '--name', `对抗评委${seq}`, '--password-file', '-', '--role', role, '--org', String(org)], { input: PASSWORD + '\n' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return loginAs(srv.base, name);
}
const membersOf = (org, n) => sql(`SELECT id FROM member WHERE org_id = ${org} AND active = 1 ORDER BY id LIMIT ${n}`).split('\n').map(Number);
const judges = [];
for (let i = 0; i < 3; i++) judges.push(await account('leader', townId));
const entrants = membersOf(branchA, 2);
/** Everything a refused contest request must leave alone. */
const snap = (cid) => sql(`SELECT (SELECT count(*) FROM contest_score WHERE contest_id = ${cid}) || '/' || (SELECT coalesce(sum(score), 0) FROM contest_score WHERE contest_id = ${cid}) || '/' || ` +
  `(SELECT count(*) FROM contest_judge WHERE contest_id = ${cid}) || '/' || (SELECT count(*) FROM contest_judge WHERE contest_id = ${cid} AND submitted_at > 0) || '/' || ` +
  `(SELECT count(*) FROM contest_entrant WHERE contest_id = ${cid}) || '/' || (SELECT status FROM contest WHERE id = ${cid}) || '/' || (SELECT count(*) FROM audit_log)`);
async function refused(what, cid, send, status, code, field) {
  const before = snap(cid);
  const r = await send();
  try { expectError(r, status, code, field); } catch (e) { e.message = `${what}: ${e.message}`; throw e; }
  assert.equal(snap(cid), before, `${what} was refused but changed something`);
}

/** An open contest of the town: one item (weight 100, max 100), two member entrants, three judges. */
async function openContest(over = {}, item = '业务能力') {
  const c = (await ok(await town.post(`/api/v1/orgs/${townId}/contests`, { kind: 'skill', title: `对抗比武${++seq}`, year: '2026', entrant_kind: 'member', ...over }), 201)).contest;
  await ok(await town.post(`/api/v1/contests/${c.id}/items`, { name: item, weight: '100', max_score: '100' }), 201);
  await ok(await town.post(`/api/v1/contests/${c.id}/entrants`, { ids: entrants.join(',') }), 201);
  for (const j of judges) await ok(await town.post(`/api/v1/contests/${c.id}/judges`, { user_id: j.user.id }), 201);
  await ok(await town.post(`/api/v1/contests/${c.id}/open`));
  const sheet = await ok(await judges[0].get(`/api/v1/contests/${c.id}/score`));
  return { c, items: sheet.items, ens: sheet.entrants };
}
const cells = (x, a, b) => [{ entrant_id: x.ens[0].id, item_id: x.items[0].id, score: a }, { entrant_id: x.ens[1].id, item_id: x.items[0].id, score: b }];

/** PostgreSQL: until n statements matching pattern wait on a lock. */
async function lockWaiters(pattern, n) {
  const count = () => new Promise((resolve) => {
    const p = spawn('psql', ['-q', '-t', '-A', srv.db, '-c', `SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '${pattern}'`],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    let o = '';
    p.stdout.on('data', (b) => { o += b; });
    p.on('close', () => resolve(Number(o.trim())));
  });
  while ((await count()) < n);
}

test('a judge submits while the office closes: either the sheet is in the result or it is refused, never half', async () => {
  const outcomes = new Set();
  for (let round = 0; round < (BACKEND === 'pg' ? 4 : 6); round++) {
    const x = await openContest();
    await ok(await judges[0].post(`/api/v1/contests/${x.c.id}/scores`, { scores: cells(x, 90, 80), submit: true }));
    await ok(await judges[1].post(`/api/v1/contests/${x.c.id}/scores`, { scores: cells(x, 70, 80), submit: true }));
    const submit = () => judges[2].post(`/api/v1/contests/${x.c.id}/scores`, { scores: cells(x, 50, 100), submit: true });
    const close = () => town.post(`/api/v1/contests/${x.c.id}/close`);
    let s, c;
    if (BACKEND === 'pg') { // both wait on the contest's row, then go together
      const h = pgHolder(srv.db);
      await h.run(`BEGIN; UPDATE contest SET row_version = row_version WHERE id = ${x.c.id}`);
      const ps = round % 2 ? [close(), submit()] : [submit(), close()];
      await lockWaiters('UPDATE contest SET row_version = row_version WHERE id%', 2);
      await h.run('COMMIT');
      h.end();
      [s, c] = round % 2 ? (await Promise.all(ps)).reverse() : await Promise.all(ps);
    } else {
      [s, c] = round % 2 ? (await Promise.all([close(), submit()])).reverse() : await Promise.all([submit(), close()]);
    }
    await ok(c);
    const submitted = Number(sql(`SELECT count(*) FROM contest_judge WHERE contest_id = ${x.c.id} AND submitted_at > 0`));
    if (s.status === 200) {
      outcomes.add('in');
      assert.equal(submitted, 3);
    } else {
      outcomes.add('out');
      expectError(s, 409, 'not_open', 'status');
      assert.equal(submitted, 2);
      assert.equal(sql(`SELECT count(*) FROM contest_score WHERE contest_id = ${x.c.id} AND user_id = ${judges[2].user.id}`), '0', 'a refused submit stored no draft');
    }
    // the close's audit, the result and the judges counted agree
    const after = JSON.parse(sql(`SELECT after_json FROM audit_log WHERE entity = 'contest' AND entity_id = ${x.c.id} AND action = 'close'`));
    assert.equal(after.submitted, submitted);
    const res = await ok(await town.get(`/api/v1/contests/${x.c.id}/result`));
    assert.equal(res.judges, submitted);
    const first = res.ranking.find((e) => e.id === x.ens[0].id);
    // E1: 90, 70 → 80 (two judges, plain mean); with the third (50): the middle of three, 70
    assert.equal(first.score, submitted === 3 ? '70' : '80');
    // and nothing more can come in
    await refused('a submit after the close', x.c.id, () => judges[2].post(`/api/v1/contests/${x.c.id}/scores`, { scores: cells(x, 1, 1), submit: true }), 409, 'not_open', 'status');
  }
  assert.ok(outcomes.size >= 1);
});

test('a draft after the close, a judge or an entrant added after the opening, a judge removed: refused, nothing changed', async () => {
  const x = await openContest();
  // a draft saved while open is kept, but never counted: the judge did not submit
  await ok(await judges[2].post(`/api/v1/contests/${x.c.id}/scores`, { scores: cells(x, 1, 1) }));
  const late = await account('leader', townId);
  await refused('a judge added after opening', x.c.id, () => town.post(`/api/v1/contests/${x.c.id}/judges`, { user_id: late.user.id }), 409, 'not_draft', 'status');
  await refused('a judge added by username after opening', x.c.id, () => town.post(`/api/v1/contests/${x.c.id}/judges`, { username: late.user.username }), 409, 'not_draft', 'status');
  await refused('an entrant added after opening', x.c.id, () => town.post(`/api/v1/contests/${x.c.id}/entrants`, { ids: String(membersOf(branchA, 3)[2]) }), 409, 'not_draft', 'status');
  await refused('an item added after opening', x.c.id, () => town.post(`/api/v1/contests/${x.c.id}/items`, { name: '晚加', weight: '1' }), 409, 'not_draft', 'status');
  await refused('opening twice', x.c.id, () => town.post(`/api/v1/contests/${x.c.id}/open`), 409, 'not_draft', 'status');
  // a judge not on the panel scores anyway
  await refused('a late judge scores', x.c.id, () => late.post(`/api/v1/contests/${x.c.id}/scores`, { scores: cells(x, 100, 0), submit: true }), 404, 'not_found');
  // removing a judge: there is no such route, whatever the method
  for (const [m, p] of [['DELETE', `/api/v1/contests/${x.c.id}/judges/${judges[0].user.id}`], ['DELETE', `/api/v1/contests/${x.c.id}/judges`],
    ['POST', `/api/v1/contests/${x.c.id}/judges/${judges[0].user.id}/delete`], ['POST', `/contests/${x.c.id}/judges/${judges[0].user.id}/remove`]]) {
    const before = snap(x.c.id);
    const r = await town.req(m, p, { body: { user_id: judges[0].user.id } });
    assert.ok([404, 405].includes(r.status), `${m} ${p}: ${r.status}`);
    assert.equal(snap(x.c.id), before);
  }
  await ok(await judges[0].post(`/api/v1/contests/${x.c.id}/scores`, { scores: cells(x, 90, 80), submit: true }));
  await ok(await town.post(`/api/v1/contests/${x.c.id}/close`));
  await refused('a draft after the close', x.c.id, () => judges[1].post(`/api/v1/contests/${x.c.id}/scores`, { scores: cells(x, 60, 60) }), 409, 'not_open', 'status');
  const form = snap(x.c.id);
  assert.equal((await judges[1].post(`/contests/${x.c.id}/scores`, { scores: cells(x, 60, 60) })).status, 409, 'a draft after the close by the HTML form');
  assert.equal(snap(x.c.id), form);
  await refused('closing twice', x.c.id, () => town.post(`/api/v1/contests/${x.c.id}/close`), 409, 'not_open', 'status');
  // the unsubmitted draft (1, 1) is not in the result: one judge counted
  const res = await ok(await town.get(`/api/v1/contests/${x.c.id}/result`));
  assert.equal(res.judges, 1);
  assert.deepEqual(res.ranking.map((e) => e.score), ['90', '80']);
  // the sheet says the contest is no longer scored
  const sheet = await ok(await judges[1].get(`/api/v1/contests/${x.c.id}/score`));
  assert.equal(sheet.can_score, false);
});

test('scores naming another contest\'s real entrant or item are refused whole', async () => {
  const x = await openContest();
  const y = await openContest();
  const good = cells(x, 90, 80);
  await refused('an entrant of another contest', x.c.id, () => judges[0].post(`/api/v1/contests/${x.c.id}/scores`,
    { scores: [...good, { entrant_id: y.ens[0].id, item_id: x.items[0].id, score: 100 }] }), 422, 'invalid_entrant', 'entrant_id');
  await refused('an item of another contest', x.c.id, () => judges[0].post(`/api/v1/contests/${x.c.id}/scores`,
    { scores: [...good, { entrant_id: x.ens[0].id, item_id: y.items[0].id, score: 100 }] }), 422, 'invalid_item', 'item_id');
  await refused('another contest\'s pair sent to this one', x.c.id, () => judges[0].post(`/api/v1/contests/${x.c.id}/scores`,
    { scores: cells(y, 100, 100), submit: true }), 422, 'invalid_item', 'item_id');
  assert.equal(sql(`SELECT count(*) FROM contest_score WHERE contest_id = ${y.c.id}`), '0', 'nothing stored under the other contest');
  // an id as a float, a negative, a huge number
  for (const bad of [1.5, -1, 1e300, '1e3', null])
    await refused(`an entrant id ${bad}`, x.c.id, () => judges[0].post(`/api/v1/contests/${x.c.id}/scores`,
      { scores: [{ entrant_id: bad, item_id: x.items[0].id, score: 50 }] }), 422, 'invalid_entrant');
});

test('the public page: 404 in draft, open and closed; published: names masked, markup shown as text', async () => {
  const evil = '<script>alert(1)</script>';
  const pub = (id) => Promise.all([anon.get(`/p/contests/${id}`), anon.get(`/p/contests/${id}/print`)]);
  const c = (await ok(await town.post(`/api/v1/orgs/${townId}/contests`, { kind: 'custom', kind_name: `<b>比服务</b>`, title: `${evil}比武`, year: '2026', entrant_kind: 'member' }), 201)).contest;
  for (const r of await pub(c.id)) assert.equal(r.status, 404, 'a draft is not public');
  await ok(await town.post(`/api/v1/contests/${c.id}/items`, { name: `<img src=x onerror=alert(2)>`, weight: '100', max_score: '100' }), 201);
  await ok(await town.post(`/api/v1/contests/${c.id}/entrants`, { ids: entrants.join(',') }), 201);
  for (const j of judges) await ok(await town.post(`/api/v1/contests/${c.id}/judges`, { user_id: j.user.id }), 201);
  await ok(await town.post(`/api/v1/contests/${c.id}/open`));
  for (const r of await pub(c.id)) assert.equal(r.status, 404, 'an open contest is not public');
  const sheet = await ok(await judges[0].get(`/api/v1/contests/${c.id}/score`));
  const x = { c, items: sheet.items, ens: sheet.entrants };
  for (let j = 0; j < 3; j++) await ok(await judges[j].post(`/api/v1/contests/${c.id}/scores`, { scores: cells(x, 90 - j, 80 + j), submit: true }));
  await ok(await town.post(`/api/v1/contests/${c.id}/close`));
  for (const r of await pub(c.id)) assert.equal(r.status, 404, 'a closed but unpublished contest is not public');
  // a member of the area, before publication: nothing either
  const member = await loginAs(srv.base, 'member');
  expectError(await member.get(`/api/v1/contests/${c.id}/result`), 404, 'not_found');
  // the staff pages escape the markup as well
  for (const p of [`/contests/${c.id}`, `/contests/${c.id}/result`, `/contests/${c.id}/print`, `/contests/${c.id}/score`]) {
    const who = p.endsWith('/score') ? judges[0] : town;
    const r = await who.get(p);
    assert.equal(r.status, 200, `${p}: ${r.text.slice(0, 200)}`);
    for (const raw of [evil, '<b>比服务</b>', '<img src=x']) assert.ok(!r.text.includes(raw), `${p} shows ${raw} as markup`);
  }
  await ok(await town.post(`/api/v1/contests/${c.id}/publish`));
  const names = entrants.map((id) => sql(`SELECT name FROM member WHERE id = ${id}`));
  for (const r of await pub(c.id)) {
    assert.equal(r.status, 200);
    assert.ok(r.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;比武'), 'the title is shown as text');
    for (const raw of [evil, '<b>比服务</b>', '<img src=x']) assert.ok(!r.text.includes(raw), `the public page shows ${raw} as markup`);
    for (const n of names) if ([...n].length >= 2) assert.ok(!r.text.includes(n), `the public page shows the full name ${n}`);
    for (const j of judges) assert.ok(!r.text.includes(j.user.display_name || `对抗评委`), 'no judge named on the public page');
  }
  // the public JSON carries no member id either
  const api = await anon.get(`/p/contests/${c.id}`, { headers: { Accept: 'application/json' } });
  if (api.json) for (const e of api.json.ranking || []) assert.ok(!('ref_id' in e) && !names.includes(e.name));
});

// ---- exemplary posts ----

const postBody = (over = {}) => ({ kind: 'post', name: `对抗示范岗${++seq}`, place: '村委会', duties: '接待群众。', ...over });
const newPost = async (over) => (await ok(await secretary.post(`/api/v1/orgs/${branchA}/posts`, postBody(over)), 201)).post;
const postSnap = (id) => sql(`SELECT w.kind || '/' || w.name || '/' || w.location || '/' || w.duties || '/' || w.active || '/' || w.version || '/' || ` +
  `(SELECT count(*) FROM post_holder h WHERE h.window_id = w.id) || '/' || (SELECT count(*) FROM post_holder h WHERE h.window_id = w.id AND h.until IS NULL) || '/' || ` +
  `(SELECT count(*) FROM audit_log) || '/' || (SELECT count(*) FROM ballot) FROM service_window w WHERE w.id = ${id}`);

test('a retired post: its public page, the window form and the ballot API refuse it, GET and POST alike', async () => {
  const p = await newPost();
  const device = (await ok(await new Client(srv.base).get(`/api/v1/public/rating?target_kind=org&target_id=${branchA}`))).device;
  await ok(await secretary.post(`/api/v1/posts/${p.id}/deactivate`));
  const before = postSnap(p.id);
  for (const path of [`/p/post/${p.id}`, `/p/post/${p.id}/print`, `/p/post/${p.id}/qr.svg`, `/p/rate/window/${p.id}`, `/p/rate/window/${p.id}?via=qr`,
    `/p/window/${p.id}/print`, `/p/window/${p.id}/qr.svg`])
    assert.equal((await anon.get(path)).status, 404, path);
  // the window's public page redirects to the post's, which is gone
  const w = await anon.get(`/p/window/${p.id}`);
  assert.ok([302, 303, 404].includes(w.status), `${w.status}`);
  const f = new Client(srv.base);
  const r1 = await f.post(`/p/rate/window/${p.id}`, { answers: '111111', device, channel: 'qr' });
  assert.ok([403, 404].includes(r1.status) && !/谢谢|感谢/.test(r1.text), `the form posted to a retired post: ${r1.status} ${r1.text.slice(0, 200)}`);
  const fd = new URLSearchParams({ q1: '1', q2: '1', q3: '1', q4: '1', q5: '1', q6: '1', device });
  const r2 = await f.req('POST', `/p/rate/window/${p.id}`, { body: fd.toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  assert.ok([403, 404].includes(r2.status), `a form-encoded ballot: ${r2.status}`);
  expectError(await anon.post('/api/v1/public/ballots', { target_kind: 'window', target_id: p.id, channel: 'qr', answers: '111111', device }), 404, 'not_found');
  expectError(await anon.get(`/api/v1/public/rating?target_kind=window&target_id=${p.id}`), 404, 'not_found');
  assert.equal(postSnap(p.id), before, 'no ballot stored');
  assert.equal(sql(`SELECT count(*) FROM ballot WHERE target_kind = 'window' AND target_id = ${p.id}`), '0');
});

test('a post\'s id on every window route: 404 (or the redirect to the post\'s page), never a change to the post', async () => {
  const p = await newPost();
  const before = postSnap(p.id);
  const gets = [`/windows/${p.id}`, `/api/v1/windows/${p.id}`];
  for (const path of gets) assert.equal((await secretary.get(path)).status, 404, path);
  const writes = [
    ['POST', `/windows/${p.id}/edit`, { name: '从窗口改名', location: 'x' }],
    ['POST', `/windows/${p.id}/deactivate`, {}],
    ['POST', `/windows/${p.id}/activate`, {}],
    ['PATCH', `/api/v1/windows/${p.id}`, { name: '从窗口改名' }],
    ['POST', `/api/v1/windows/${p.id}/deactivate`, {}],
    ['POST', `/api/v1/windows/${p.id}/activate`, {}],
  ];
  for (const who of [secretary, town]) {
    for (const [m, path, body] of writes) {
      const r = await who.req(m, path, { body });
      assert.equal(r.status, 404, `${who.user.username} ${m} ${path}: ${r.status} ${r.text.slice(0, 200)}`);
    }
  }
  // retired through its own route, then "activated" through the window's: still retired
  await ok(await secretary.post(`/api/v1/posts/${p.id}/deactivate`));
  const off = postSnap(p.id);
  for (const [m, path, body] of writes) assert.equal((await secretary.req(m, path, { body })).status, 404, `${m} ${path} on a retired post`);
  assert.equal(postSnap(p.id), off);
  await ok(await secretary.post(`/api/v1/posts/${p.id}/activate`));
  assert.equal(postSnap(p.id).split('/')[1], before.split('/')[1], 'the name is the post\'s own');
  assert.equal(sql(`SELECT count(*) FROM audit_log WHERE entity = 'service_window' AND entity_id = ${p.id}`), '0', 'no window change audited on a post');
  // and the other way round: a window's id on the post routes
  const win = (await ok(await secretary.post(`/api/v1/orgs/${branchA}/windows`, { name: '对抗窗口', location: '一楼' }), 201)).window;
  const wBefore = sql(`SELECT kind || name || location || active FROM service_window WHERE id = ${win.id}`);
  for (const [m, path, body] of [['GET', `/api/v1/posts/${win.id}`], ['GET', `/posts/${win.id}`], ['PATCH', `/api/v1/posts/${win.id}`, { name: '从岗位改', kind: 'post' }],
    ['POST', `/posts/${win.id}/edit`, { name: '从岗位改', kind: 'area', duties: 'x' }], ['POST', `/api/v1/posts/${win.id}/deactivate`, {}],
    ['POST', `/api/v1/posts/${win.id}/holders`, { member_id: entrants[0] }], ['GET', `/p/post/${win.id}`], ['GET', `/p/post/${win.id}/print`]])
    assert.equal((await secretary.req(m, path, { body })).status, 404, `${m} ${path}`);
  assert.equal(sql(`SELECT kind || name || location || active FROM service_window WHERE id = ${win.id}`), wBefore);
  assert.equal(sql(`SELECT count(*) FROM post_holder WHERE window_id = ${win.id}`), '0');
});

test('one holding ended twice at once: one answer 200, the other 409 already_ended, one audit row', async () => {
  const p = await newPost();
  const mids = membersOf(branchA, 6).slice(2);
  for (let round = 0; round < mids.length; round++) {
    const h = (await ok(await secretary.post(`/api/v1/posts/${p.id}/holders`, { member_id: mids[round] }), 201)).post.holders.find((x) => x.member_id === mids[round]);
    const end = (c) => c.post(`/api/v1/posts/${p.id}/holders/end`, { holder_id: h.id });
    let rs;
    if (BACKEND === 'pg') { // both wait behind the post's lock, then go together
      const hold = pgHolder(srv.db);
      await hold.run(`BEGIN; UPDATE post_holder SET since = since WHERE id = ${h.id}`);
      const ps = [end(secretary), end(town)];
      await lockWaiters('UPDATE post_holder SET until%', 1);
      await hold.run('COMMIT');
      hold.end();
      rs = await Promise.all(ps);
    } else {
      rs = await Promise.all([end(secretary), end(town), end(secretary)]);
    }
    assert.equal(rs.filter((r) => r.status === 200).length, 1, rs.map((r) => `${r.status} ${r.text.slice(0, 120)}`).join(' | '));
    for (const r of rs.filter((r) => r.status !== 200)) expectError(r, 409, 'already_ended', 'holder_id');
    assert.equal(sql(`SELECT count(*) FROM audit_log WHERE entity = 'post' AND entity_id = ${p.id} AND action = 'end_holder' AND after_json LIKE '%"member_id":${mids[round]},%'`), '1');
    assert.equal(sql(`SELECT count(*) FROM post_holder WHERE id = ${h.id} AND until IS NOT NULL`), '1');
  }
});

test('a holder who is a member of another branch: refused to the town over both, by form and API, nothing written', async () => {
  const p = await newPost();
  const other = membersOf(branchB, 1)[0];
  const before = postSnap(p.id);
  for (const [who, path] of [[town, `/api/v1/posts/${p.id}/holders`], [secretary, `/api/v1/posts/${p.id}/holders`]])
    expectError(await who.post(path, { member_id: other }), 422, 'invalid_member', 'member_id');
  const page = await town.req('POST', `/posts/${p.id}/holders`, { body: new URLSearchParams({ _csrf: town.csrf, member_id: String(other) }).toString(),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  assert.equal(page.status, 422, 'by the page\'s form');
  assert.match(page.text, /责任人应为本组织/);
  // the other branch's secretary cannot reach the post at all, even with their own member
  expectError(await secretary2.post(`/api/v1/posts/${p.id}/holders`, { member_id: other }), 404, 'not_found');
  // a member id as an array, an object, a string with a trailing id
  for (const bad of [[other], { id: other }])
    expectError(await secretary.post(`/api/v1/posts/${p.id}/holders`, { member_id: bad }), 400, 'invalid_type', 'member_id');
  for (const bad of [`${entrants[0]} OR 1=1`, `${entrants[0]},${other}`, '-1', '0x10'])
    expectError(await secretary.post(`/api/v1/posts/${p.id}/holders`, { member_id: bad }), 422, 'invalid_member', 'member_id');
  assert.equal(postSnap(p.id), before);
  // a holder whose branch is the post's, then the post's holder list never shows a member of branch B
  const shown = (await ok(await town.get(`/api/v1/posts/${p.id}`))).post;
  assert.ok(![...shown.holders, ...shown.past_holders].some((h) => h.member_id === other));
});

test('markup in a post\'s name, place and duties is text on the public page, the A4 sign and the staff pages', async () => {
  const p = await newPost({ name: '<script>alert(1)</script>岗', place: '<img src=x onerror=alert(2)>', duties: '"><svg onload=alert(3)>职责' });
  await ok(await secretary.post(`/api/v1/posts/${p.id}/holders`, { member_id: entrants[0] }), 201);
  for (const [who, path] of [[anon, `/p/post/${p.id}`], [anon, `/p/post/${p.id}/print`], [secretary, `/posts/${p.id}`], [secretary, `/orgs/${branchA}/posts`],
    [secretary, `/posts/${p.id}/ratings`], [anon, `/p/rate/window/${p.id}`]]) {
    const r = await who.get(path);
    assert.equal(r.status, 200, `${path}: ${r.status}`);
    for (const raw of ['<script>alert(1)', '<img src=x', '<svg onload']) assert.ok(!r.text.includes(raw), `${path} shows ${raw} as markup`);
  }
  const pub = await anon.get(`/p/post/${p.id}`);
  assert.ok(pub.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;岗'), 'the name is shown as text');
  // the sign's QR code is the post's rating page, whatever the name
  const sign = await anon.get(`/p/post/${p.id}/print`);
  assert.ok(sign.text.includes(`/p/rate/window/${p.id}?via=qr`));
  const svgs = sign.text.match(/<svg[\s\S]*?<\/svg>/g) || [];
  assert.ok(svgs.length >= 1 && svgs.every((s) => !/onload|<script/i.test(s)), 'the inline QR is only the code');
});

test('a contest of service windows takes windows only: a post\'s or an area\'s id is refused, nothing added', async () => {
  const p = await newPost();
  const a = await newPost({ kind: 'area' });
  const w = (await ok(await secretary.post(`/api/v1/orgs/${branchA}/windows`, { name: `参赛窗口${++seq}`, location: '大厅' }), 201)).window;
  const c = (await ok(await town.post(`/api/v1/orgs/${townId}/contests`, { kind: 'conduct', title: `窗口比作风${++seq}`, year: '2026', entrant_kind: 'window' }), 201)).contest;
  for (const id of [p.id, a.id])
    await refused(`a ${id === p.id ? 'post' : 'area'} as a window`, c.id, () => town.post(`/api/v1/contests/${c.id}/entrants`, { ids: `${w.id},${id}` }), 422, 'invalid_entrant', 'ids');
  assert.equal((await ok(await town.post(`/api/v1/contests/${c.id}/entrants`, { ids: String(w.id) }), 201)).added, 1);
  const shown = (await ok(await town.get(`/api/v1/contests/${c.id}`))).entrants;
  assert.deepEqual(shown.map((e) => e.ref_id), [w.id]);
});

test('a holder whose membership is stopped leaves the public page and the A4 sign; staff still see and can end the holding', async () => {
  const p = await newPost();
  const [m1, m2] = membersOf(branchA, 9).slice(7);
  const [n1, n2] = [m1, m2].map((id) => sql(`SELECT name FROM member WHERE id = ${id}`));
  for (const m of [m1, m2]) await ok(await secretary.post(`/api/v1/posts/${p.id}/holders`, { member_id: m }), 201);
  await ok(await secretary.post(`/api/v1/members/${m1}/deactivate`, {}));
  for (const path of [`/p/post/${p.id}`, `/p/post/${p.id}/print`]) {
    const r = await anon.get(path);
    assert.equal(r.status, 200);
    assert.ok(!r.text.includes(n1), `${path} still names a member whose membership is stopped`);
    assert.ok(r.text.includes(n2), `${path} names the other holder`);
  }
  const staff = (await ok(await secretary.get(`/api/v1/posts/${p.id}`))).post;
  const h = staff.holders.find((x) => x.member_id === m1);
  assert.ok(h, 'the staff page keeps the holding, to be ended');
  await ok(await secretary.post(`/api/v1/posts/${p.id}/holders/end`, { holder_id: h.id }));
  await ok(await secretary.post(`/api/v1/members/${m1}/activate`, {}));
  assert.ok(!(await anon.get(`/p/post/${p.id}`)).text.includes(n1), 'an ended holding stays off after reactivation');
});

test('the area\'s contest list names only what its pages show: an open or closed contest is the office\'s until published', async () => {
  const x = await openContest();
  const listed = async (who, org) => (await ok(await who.get(`/api/v1/orgs/${org}/contests`))).contests.map((c) => c.id);
  const check = async (expectSeen) => {
    for (const who of [secretary]) {
      const seen = (await listed(who, branchA)).includes(x.c.id);
      assert.equal(seen, expectSeen, `listed to ${who.user.username}: ${seen}`);
      const page = await who.get(`/api/v1/contests/${x.c.id}`);
      assert.equal(page.status === 200, expectSeen, `the page answers ${page.status} while the list ${seen ? 'shows' : 'hides'} it`);
    }
    assert.ok((await listed(town, townId)).includes(x.c.id), 'the office always lists its contest');
  };
  await check(false);
  for (let j = 0; j < 3; j++) await ok(await judges[j].post(`/api/v1/contests/${x.c.id}/scores`, { scores: cells(x, 80 + j, 70), submit: true }));
  // a judge finds the open contest under /me/contests
  assert.ok((await ok(await judges[0].get('/api/v1/me/contests'))).contests.some((c) => c.id === x.c.id));
  await ok(await town.post(`/api/v1/contests/${x.c.id}/close`));
  await check(false);
  await ok(await town.post(`/api/v1/contests/${x.c.id}/publish`));
  await check(true);
  // another town's branch: never
  assert.ok(!(await listed(secretary2, branchB)).includes(x.c.id));
});

test('entrant ids: a long token that starts with an id is refused, not read as that id', async () => {
  const c = (await ok(await town.post(`/api/v1/orgs/${townId}/contests`, { kind: 'skill', title: `编号比武${++seq}`, year: '2026', entrant_kind: 'member' }), 201)).contest;
  const id = String(entrants[0]);
  for (const tok of ['0'.repeat(23 - id.length) + id + 'junk', '0'.repeat(30) + id, `${id}abc`, `${id}.0`, `-${id}`, '9'.repeat(40)])
    await refused(`the token ${tok}`, c.id, () => town.post(`/api/v1/contests/${c.id}/entrants`, { ids: tok }), 422, 'invalid_entrant', 'ids');
  // leading zeros within the length of an id are still that id
  assert.equal((await ok(await town.post(`/api/v1/contests/${c.id}/entrants`, { ids: `00${id}` }), 201)).added, 1);
});

test('the A4 sign and the QR code of a post asked for under a foreign Host: 400 bad_host, no code pointing elsewhere', async () => {
  const p = await newPost();
  const { port } = new URL(srv.base);
  const get = (path, host) => new Promise((resolve, reject) => http.get({ host: '127.0.0.1', port, path, headers: { Host: host } }, (res) => {
    let b = '';
    res.on('data', (d) => { b += d; });
    res.on('end', () => resolve({ status: res.statusCode, text: b }));
  }).on('error', reject));
  for (const path of [`/p/post/${p.id}/print`, `/p/post/${p.id}/qr.svg`]) {
    const bad = await get(path, 'rate-here.example');
    assert.equal(bad.status, 400, `${path} under a foreign Host`);
    assert.match(bad.text, /bad_host/);
    assert.ok(!bad.text.includes('<svg'), 'no QR code drawn for the foreign host');
    const good = await get(path, `127.0.0.1:${port}`);
    assert.equal(good.status, 200);
    assert.ok(!good.text.includes('rate-here.example'));
  }
});

test('a holder transferred out of the post\'s subtree stops holding it (ended, audited, off the public page and the card); a move within it keeps it', async () => {
  const office = await loginAs(srv.base, 'office');
  const p = await newPost();
  const tp = (await ok(await town.post(`/api/v1/orgs/${townId}/posts`, postBody({ kind: 'area' })), 201)).post;
  const sibling = Number(sql(`SELECT min(id) FROM org WHERE parent_id = ${townId} AND type = 'branch' AND active = 1 AND id <> ${branchA}`));
  assert.ok(sibling > 0, 'the town has a second branch');
  const [m1, m2] = membersOf(branchA, 12).slice(10);
  const [n1, n2] = [m1, m2].map((id) => sql(`SELECT name FROM member WHERE id = ${id}`));
  await ok(await secretary.post(`/api/v1/posts/${p.id}/holders`, { member_id: m1 }), 201);
  await ok(await town.post(`/api/v1/posts/${tp.id}/holders`, { member_id: m2 }), 201);
  const ended = () => Number(sql(`SELECT count(*) FROM audit_log WHERE entity = 'post' AND action = 'end_holder' AND entity_id IN (${p.id}, ${tp.id})`));
  const before = ended();
  // out of the branch's subtree (to the other town's branch): the branch's post ends
  await ok(await office.patch(`/api/v1/members/${m1}`, { org_id: branchB }));
  assert.equal(ended(), before + 1, 'the ending is audited');
  assert.ok(!(await anon.get(`/p/post/${p.id}`)).text.includes(n1), 'the public page no longer names them');
  const card = (await ok(await anon.get(`/api/v1/public/cards/${m1}`))).card;
  assert.ok(!card.held_posts.some((x) => x.id === p.id), 'their card no longer lists the post');
  const staff = (await ok(await secretary.get(`/api/v1/posts/${p.id}`))).post;
  assert.ok(!staff.holders.some((x) => x.member_id === m1), 'no longer a current holder');
  const h = staff.past_holders.find((x) => x.member_id === m1);
  assert.ok(h && /^\d{4}-\d{2}-\d{2}$/.test(h.until), 'the staff page keeps the holding as history, ended');
  // within the town's subtree (to a sibling branch): the town's area stays theirs
  await ok(await office.patch(`/api/v1/members/${m2}`, { org_id: sibling }));
  assert.equal(ended(), before + 1, 'nothing more ended');
  assert.ok((await anon.get(`/p/post/${tp.id}`)).text.includes(n2), 'the town\'s area still names them');
});

test('a careless submit flag ("yes", "ok") is refused with nothing saved, not taken quietly as a draft', async () => {
  const x = await openContest();
  for (const flag of ['yes', 'ok', '2']) {
    await refused(`submit: ${flag}`, x.c.id, () => judges[0].post(`/api/v1/contests/${x.c.id}/scores`, { scores: cells(x, '80', '70'), submit: flag }),
      422, 'invalid_submit', 'submit');
  }
  const d = await ok(await judges[0].post(`/api/v1/contests/${x.c.id}/scores`, { scores: cells(x, '80', '70'), submit: false }));
  assert.equal(d.submitted, false);
  const f = await ok(await judges[0].post(`/api/v1/contests/${x.c.id}/scores`, { scores: cells(x, '80', '70'), submit: true }));
  assert.equal(f.submitted, true);
});

// ---- the second round: what the first one left ----

test('ratings of a window on the post\'s route and of a post on the window\'s: 404, as for a missing one', async () => {
  const p = await newPost();
  const area = await newPost({ kind: 'area' });
  const win = (await ok(await secretary.post(`/api/v1/orgs/${branchA}/windows`, { name: '对抗窗口二', location: '二楼' }), 201)).window;
  for (const who of [secretary, town]) {
    for (const id of [p.id, area.id]) {
      expectError(await who.get(`/api/v1/windows/${id}/ratings`), 404, 'not_found');
      assert.equal((await who.get(`/windows/${id}/ratings`)).status, 404);
      await ok(await who.get(`/api/v1/posts/${id}/ratings`));
    }
    expectError(await who.get(`/api/v1/posts/${win.id}/ratings`), 404, 'not_found');
    assert.equal((await who.get(`/posts/${win.id}/ratings`)).status, 404);
    await ok(await who.get(`/api/v1/windows/${win.id}/ratings`));
  }
  // the other branch's secretary gets the same 404 on either route
  for (const path of [`/api/v1/posts/${p.id}/ratings`, `/api/v1/windows/${win.id}/ratings`]) expectError(await secretary2.get(path), 404, 'not_found');
});

test('a judge outside the office\'s area is refused with the answer a missing account gets; the area and those above it are taken', async () => {
  const otherTown = Number(sql(`SELECT parent_id FROM org WHERE id = ${branchB}`));
  assert.notEqual(otherTown, townId, 'the second branch is in another town');
  const outsider = await account('leader', otherTown);
  const x = (await ok(await town.post(`/api/v1/orgs/${townId}/contests`, { kind: 'skill', title: `范围比武${++seq}`, year: '2026', entrant_kind: 'member' }), 201)).contest;
  const member = sql(`SELECT u.username FROM app_user u WHERE u.active = 1 AND NOT EXISTS (SELECT 1 FROM user_role g WHERE g.user_id = u.id AND g.role <> 'member') ` +
    `AND EXISTS (SELECT 1 FROM user_role g WHERE g.user_id = u.id) LIMIT 1`);
  const answers = [];
  for (const body of [{ username: outsider.user.username }, { username: `nobody${seq}x` }, ...(member ? [{ username: member }] : []), { username: secretary2.user.username }]) {
    const r = await town.post(`/api/v1/contests/${x.id}/judges`, body);
    expectError(r, 422, 'invalid_judge', 'username');
    answers.push(r.json.error.message);
  }
  assert.equal(new Set(answers).size, 1, `one message whatever the reason: ${answers.join(' | ')}`);
  assert.ok(!answers[0].includes(outsider.user.username), 'the message does not echo the name looked up');
  // by id: the same refusal, nothing written
  await refused('an outsider by id', x.id, () => town.post(`/api/v1/contests/${x.id}/judges`, { user_id: outsider.user.id }), 422, 'invalid_judge', 'user_id');
  // the form: the same message beside the field
  const form = await town.req('POST', `/contests/${x.id}/judges`, { body: new URLSearchParams({ username: outsider.user.username, _csrf: town.csrf }).toString(),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  assert.equal(form.status, 422);
  assert.ok(form.text.includes(answers[0]), 'the form shows the same message');
  // within the area (the town, a branch under it) and above it (the district office): taken
  const inner = await account('leader', branchA);
  await ok(await town.post(`/api/v1/contests/${x.id}/judges`, { username: inner.user.username }), 201);
  await ok(await town.post(`/api/v1/contests/${x.id}/judges`, { username: judges[0].user.username }), 201);
  await ok(await town.post(`/api/v1/contests/${x.id}/judges`, { username: 'office' }), 201);
  assert.equal(sql(`SELECT count(*) FROM contest_judge WHERE contest_id = ${x.id}`), '3');
});

test('a judge\'s account stopped mid-scoring: their draft counts for nothing, a submitted sheet stays, the office is told who is left and how it is counted', async () => {
  const js = [];
  for (let i = 0; i < 3; i++) js.push(await account('leader', townId));
  const ens = membersOf(branchA, 4).slice(2);
  const c = (await ok(await town.post(`/api/v1/orgs/${townId}/contests`, { kind: 'skill', title: `停用评委比武${++seq}`, year: '2026', entrant_kind: 'member' }), 201)).contest;
  await ok(await town.post(`/api/v1/contests/${c.id}/items`, { name: '业务', weight: '100', max_score: '100' }), 201);
  await ok(await town.post(`/api/v1/contests/${c.id}/entrants`, { ids: ens.join(',') }), 201);
  for (const j of js) await ok(await town.post(`/api/v1/contests/${c.id}/judges`, { user_id: j.user.id }), 201);
  await ok(await town.post(`/api/v1/contests/${c.id}/open`));
  const sheet = await ok(await js[0].get(`/api/v1/contests/${c.id}/score`));
  const x = { items: sheet.items, ens: sheet.entrants };
  await ok(await js[0].post(`/api/v1/contests/${c.id}/scores`, { scores: cells(x, 90, 60), submit: true }));
  await ok(await js[1].post(`/api/v1/contests/${c.id}/scores`, { scores: cells(x, 10, 100) })); // a draft
  let v = await ok(await town.get(`/api/v1/contests/${c.id}`));
  assert.equal(v.judges_stopped, 0);
  assert.equal(v.judges_note, undefined);
  // js[1] is stopped (locked by the office) before submitting; js[0] after submitting
  await ok(await town.post(`/api/v1/accounts/${js[1].user.id}/lock`));
  await ok(await town.post(`/api/v1/accounts/${js[0].user.id}/lock`));
  assert.equal((await js[1].post(`/api/v1/contests/${c.id}/scores`, { scores: cells(x, 10, 100), submit: true })).status, 401, 'the stopped judge is signed out');
  v = await ok(await town.get(`/api/v1/contests/${c.id}`));
  assert.equal(v.judges_stopped, 1, 'the judge who had submitted is not counted as lost');
  assert.equal(v.judges_remaining, 2);
  assert.match(v.judges_note, /草稿不计分/);
  assert.match(v.judges_note, /少于 3 位.*平均分/);
  assert.ok(v.judges.find((j) => j.user_id === js[1].user.id).stopped);
  const page = await town.get(`/contests/${c.id}`);
  assert.ok(page.text.includes('id="judges-note"') && page.text.includes('账号已停用'), 'the office\'s page says so');
  await ok(await js[2].post(`/api/v1/contests/${c.id}/scores`, { scores: cells(x, 70, 80), submit: true }));
  await ok(await town.post(`/api/v1/contests/${c.id}/close`));
  const res = await ok(await town.get(`/api/v1/contests/${c.id}/result`));
  assert.equal(res.judges, 2, 'the stopped judge\'s draft is not a sheet');
  assert.equal(res.trimmed, false);
  assert.match(res.plain_note, /少于 3 位/);
  const first = res.ranking.find((e) => e.id === x.ens[0].id), second = res.ranking.find((e) => e.id === x.ens[1].id);
  assert.equal(first.score, '80'); // (90 + 70) / 2, the draft's 10 left out
  assert.equal(second.score, '70'); // (60 + 80) / 2
  assert.equal(sql(`SELECT count(*) FROM contest_score WHERE contest_id = ${c.id} AND user_id = ${js[1].user.id}`), '2', 'the draft is kept, not counted');
});

test('an entrant transferred out of the office\'s subtree after the opening stays in the contest with a note; the result keeps the organisation they entered with', async () => {
  const office = await loginAs(srv.base, 'office');
  const ens = membersOf(branchA, 16).slice(13);
  const c = (await ok(await town.post(`/api/v1/orgs/${townId}/contests`, { kind: 'skill', title: `调出比武${++seq}`, year: '2026', entrant_kind: 'member' }), 201)).contest;
  await ok(await town.post(`/api/v1/contests/${c.id}/items`, { name: '业务', weight: '100', max_score: '100' }), 201);
  await ok(await town.post(`/api/v1/contests/${c.id}/entrants`, { ids: ens.join(',') }), 201);
  for (const j of judges) await ok(await town.post(`/api/v1/contests/${c.id}/judges`, { user_id: j.user.id }), 201);
  await ok(await town.post(`/api/v1/contests/${c.id}/open`));
  const branchName = sql(`SELECT name FROM org WHERE id = ${branchA}`);
  await ok(await office.patch(`/api/v1/members/${ens[0]}`, { org_id: branchB }));
  const v = await ok(await town.get(`/api/v1/contests/${c.id}`));
  assert.equal(v.entrants.length, 3, 'still entered');
  const moved = v.entrants.find((e) => e.ref_id === ens[0]);
  assert.equal(moved.moved, true);
  assert.equal(moved.org_name, branchName, 'shown with the organisation entered with');
  assert.ok(v.entrants.filter((e) => e.ref_id !== ens[0]).every((e) => e.moved === false));
  assert.ok((await town.get(`/contests/${c.id}`)).text.includes('已调出本竞赛范围'), 'the office\'s page notes it');
  // judges score them as any other; the result ranks them under the branch they entered with
  const sheet = await ok(await judges[0].get(`/api/v1/contests/${c.id}/score`));
  for (const j of judges) {
    const scores = sheet.entrants.map((e, i) => ({ entrant_id: e.id, item_id: sheet.items[0].id, score: 90 - i }));
    await ok(await j.post(`/api/v1/contests/${c.id}/scores`, { scores, submit: true }));
  }
  await ok(await town.post(`/api/v1/contests/${c.id}/close`));
  await ok(await town.post(`/api/v1/contests/${c.id}/publish`));
  const res = await ok(await town.get(`/api/v1/contests/${c.id}/result`));
  const row = res.ranking.find((e) => e.ref_id === ens[0]);
  assert.ok(row && row.rank === 1 && row.org_name === branchName);
  // the other town's secretary, their new organisation's, still gets 404: the contest is the town's
  expectError(await secretary2.get(`/api/v1/contests/${c.id}/result`), 404, 'not_found');
});

test('a ballot in flight while the post is retired: counted before the retirement commits, or refused with 404 and nothing stored, never a 500', async () => {
  const device = (await ok(await new Client(srv.base).get(`/api/v1/public/rating?target_kind=org&target_id=${branchA}`))).device;
  const ballot = (id) => new Client(srv.base).post('/api/v1/public/ballots', { target_kind: 'window', target_id: id, channel: 'qr', answers: '111111', device });
  const stored = (id) => Number(sql(`SELECT count(*) FROM ballot WHERE target_kind = 'window' AND target_id = ${id}`));
  if (BACKEND === 'pg') {
    // the retirement under way (uncommitted) when the ballot, which saw the post active, is written
    const p = await newPost();
    const h = pgHolder(srv.db);
    await h.run(`BEGIN; UPDATE service_window SET active = 0, version = version + 1 WHERE id = ${p.id}`);
    const b = ballot(p.id);
    await lockWaiters('SELECT active, kind FROM service_window WHERE id%', 1);
    await h.run('COMMIT');
    h.end();
    const r = await b;
    expectError(r, 404, 'not_found', 'target_id');
    assert.equal(stored(p.id), 0, 'no ballot for a post retired before the ballot was written');
    // and the other way round: a ballot being written holds the retirement until it commits
    const q = await newPost();
    const h2 = pgHolder(srv.db);
    await h2.run(`BEGIN; SELECT active FROM service_window WHERE id = ${q.id} FOR SHARE`);
    const retire = secretary.post(`/api/v1/posts/${q.id}/deactivate`);
    await lockWaiters('%service_window%', 1);
    await h2.run('COMMIT');
    h2.end();
    await ok(await retire);
  }
  // both at once, again and again: each pair agrees with what is stored
  const seen = new Set();
  for (let i = 0; i < 6; i++) {
    const p = await newPost();
    const [r, d] = i % 2 ? (await Promise.all([secretary.post(`/api/v1/posts/${p.id}/deactivate`), ballot(p.id)])).reverse()
      : await Promise.all([ballot(p.id), secretary.post(`/api/v1/posts/${p.id}/deactivate`)]);
    await ok(d);
    assert.ok(r.status < 500, `${r.status} ${r.text.slice(0, 200)}`);
    if (r.status === 200 || r.status === 201) { seen.add('counted'); assert.equal(Number(sql(`SELECT count(*) FROM ballot WHERE target_kind = 'window' AND target_id = ${p.id} AND valid = 1`)), 1); }
    else { seen.add('refused'); expectError(r, 404, 'not_found'); assert.equal(stored(p.id), 0); }
    expectError(await ballot(p.id), 404, 'not_found');
  }
  assert.ok(seen.size >= 1);
});
