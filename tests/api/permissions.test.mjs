// permissions.test.mjs: the permission matrix, driven by GET /api/v1/openapi.json so that new
// routes are covered without editing this file: every operation on a record outside the caller's
// subtree is 404 (or 403 when the caller's roles may never use it) and reveals nothing; every
// non-public operation needs a session (401); every state change needs the CSRF token (403).
// Nothing refused may change anything. Runs on its own demo database.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, Client, loginAs, expectError, newIdcard, fileForm } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const USERS = ['office', 'town', 'secretary', 'member', 'leader', 'discipline', 'secretary2'];
const as = {};
for (const u of USERS) as[u] = await loginAs(srv.base, u);
const office = as.office;
const rootId = office.user.roles[0].org_id;

// The tree, to know who may reach what: parent of every org.
const parent = new Map();
(function walk(n, p) { parent.set(n.id, p); n.children.forEach((k) => walk(k, n.id)); })(
  (await office.get(`/api/v1/orgs/${rootId}/tree?depth=64`)).json.tree, null);
const inScope = (user, orgId) => as[user].user.roles.some((g) => { for (let o = orgId; o; o = parent.get(o)) if (o === g.org_id) return true; return false; });
const rolesOf = (user) => as[user].user.roles.map((g) => g.role);

// Targets: the first town's branch (where secretary and member sit) and a member there; the
// second town's branch (secretary2's) and a member there.
async function target(orgId) {
  const org = (await office.get(`/api/v1/orgs/${orgId}`)).json.org;
  const m = (await office.get(`/api/v1/orgs/${orgId}/members?per_page=1`)).json.members[0];
  assert.ok(m, `org ${orgId} has members`);
  return { org, member: m, secrets: [org.name, m.name, m.idcard, m.phone].filter(Boolean) };
}
const A = await target(as.secretary.user.roles[0].org_id);
const B = await target(as.secretary2.user.roles[0].org_id);
assert.ok(inScope('town', A.org.id) && !inScope('town', B.org.id), 'the demo has two towns');

const spec = (await new Client(srv.base).get('/api/v1/openapi.json')).json;
const OPS = [];
for (const [path, item] of Object.entries(spec.paths))
  for (const [method, op] of Object.entries(item)) OPS.push({ method: method.toUpperCase(), path, op, key: `${method.toUpperCase()} ${path}` });

// How to call each state-changing operation so that it would succeed if it were allowed. A
// route missing here makes the coverage test fail: add it when adding the route.
let seq = 0;
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const BODIES = {
  'POST /orgs/{id}/children': () => ({ name: `越权新建${++seq}`, type: 'branch', sector: 'rural' }),
  'PATCH /orgs/{id}': () => ({ name: `越权改名${++seq}` }),
  'POST /orgs/{id}/move': () => ({ parent_id: rootId }),
  'POST /orgs/{id}/deactivate': () => undefined,
  'POST /orgs/{id}/activate': () => undefined,
  'POST /orgs/{id}/members': () => ({ name: `越权新增${++seq}`, idcard: newIdcard('19800101'), joined_date: '2005-07-01' }),
  'POST /orgs/{id}/import': () => fileForm(`姓名,身份证号,入党时间\n越权导入${++seq},${newIdcard('19810101')},2005-07-01\n`),
  'PATCH /members/{id}': () => ({ name: `越权改名${++seq}`, org_id: B.org.id }),
  'POST /members/{id}/deactivate': () => undefined,
  'POST /members/{id}/activate': () => undefined,
  'POST /members/{id}/reveal': () => undefined,
  'POST /members/{id}/photo': () => { const f = new FormData(); f.append('photo', new Blob([PNG]), 'p.png'); return f; },
  'DELETE /session': () => undefined,
};
const PUBLIC = ['GET /openapi.json', 'POST /session'];

/** The record kind an {id} path is about, or null when the matrix does not know it. */
const kindOf = (path) => (/^\/orgs\/\{id\}/.test(path) ? 'org' : /^\/members\/\{id\}/.test(path) ? 'member' : null);
const urlOf = (o, t) => '/api/v1' + o.path.replace('{id}', String(kindOf(o.path) === 'member' ? t.member.id : t.org.id));
const bodyOf = (o) => (BODIES[o.key] ? BODIES[o.key]() : undefined);

/** What the refused requests must leave alone: both targets, their parents, the audit log. */
async function state() {
  const get = async (p) => { const r = await office.get(p); assert.equal(r.status, 200, `${p}: ${r.text}`); return r.json; };
  const [a, b, pa, pb, ma, mb, audit] = await Promise.all([
    get(`/api/v1/orgs/${A.org.id}?inactive=1`), get(`/api/v1/orgs/${B.org.id}?inactive=1`),
    get(`/api/v1/orgs/${A.org.parent_id}`), get(`/api/v1/orgs/${B.org.parent_id}`),
    get(`/api/v1/members/${A.member.id}`), get(`/api/v1/members/${B.member.id}`), get(`/api/v1/orgs/${rootId}/audit`)]);
  return { a, b, pa, pb, ma, mb, audit: audit.records[0].seq };
}
async function unchanged(what, before) {
  assert.deepEqual(await state(), before, `${what} changed data although it was refused`);
}
function noLeak(what, r, t) {
  for (const s of t.secrets) assert.ok(!r.text.includes(s), `${what}: the answer reveals “${s}”: ${r.text.slice(0, 300)}`);
}

test('openapi.json lists only routes the matrix knows how to exercise', () => {
  assert.equal(spec.openapi.slice(0, 2), '3.');
  assert.ok(OPS.length >= 20, `only ${OPS.length} operations`);
  const problems = [];
  for (const o of OPS) {
    const idParam = (o.op.parameters || []).some((p) => p.name === 'id' && p.in === 'path');
    if (o.path.includes('{id}') !== idParam) problems.push(`${o.key}: {id} in the path and the parameters disagree`);
    if (o.path.includes('{id}') && !kindOf(o.path)) problems.push(`${o.key}: unknown kind of record behind {id}`);
    if (o.op['x-public'] && !PUBLIC.includes(o.key)) problems.push(`${o.key}: a new public route; review it and add it to PUBLIC`);
    if (o.method !== 'GET' && !o.op['x-public'] && !(o.key in BODIES)) problems.push(`${o.key}: changes state but BODIES has no request for it`);
    if (o.method !== 'GET' && !o.op['x-public'] && o.op['x-csrf'] !== true) problems.push(`${o.key}: changes state without CSRF protection`);
    if (!Array.isArray(o.op['x-roles']) || (!o.op['x-public'] && o.op['x-roles'].length === 0)) problems.push(`${o.key}: no x-roles`);
  }
  for (const k of Object.keys(BODIES)) if (!OPS.some((o) => o.key === k)) problems.push(`${k}: in BODIES but no longer in openapi.json`);
  assert.deepEqual(problems, []);
});

// Who calls what: for each caller and target, every {id} operation the caller may not use there.
const MATRIX = [
  ['secretary2 (a branch in another town)', 'secretary2', () => A],
  ['town (the office of the first town) on the second town', 'town', () => B],
  ['secretary on the second town', 'secretary', () => B],
  ['member in its own branch', 'member', () => A],
  ['leader in its own town', 'leader', () => A],
  ['secretary in its own branch', 'secretary', () => A],
  ['discipline (root)', 'discipline', () => A],
];
for (const [title, user, tgt] of MATRIX) {
  test(`permission matrix: ${title}`, async () => {
    const t = tgt();
    const mine = rolesOf(user);
    let checked = 0;
    for (const o of OPS.filter((x) => x.path.includes('{id}'))) {
      const roleOk = o.op['x-roles'].some((r) => mine.includes(r));
      const orgOfTarget = kindOf(o.path) === 'member' ? t.member.org_id : t.org.id;
      const expect = !roleOk ? [403, 'forbidden'] : !inScope(user, orgOfTarget) ? [404, 'not_found'] : null;
      if (!expect) continue; // allowed here: the other files test what it does
      const before = await state();
      const url = urlOf(o, t);
      const r = await as[user].req(o.method, url, { body: bodyOf(o) });
      const what = `${user}: ${o.method} ${url}`;
      try { expectError(r, ...expect); } catch (e) { e.message = `${what}: ${e.message}`; throw e; }
      noLeak(what, r, t);
      await unchanged(what, before);
      checked++;
    }
    assert.ok(checked > 0, 'the matrix exercised nothing for this caller');
  });
}

test('the specific refusals people rely on', async () => {
  // a secretary cannot create orgs; the member role cannot create or edit members
  expectError(await as.secretary.post(`/api/v1/orgs/${A.org.id}/children`, BODIES['POST /orgs/{id}/children']()), 403, 'forbidden');
  expectError(await as.member.post(`/api/v1/orgs/${A.org.id}/members`, BODIES['POST /orgs/{id}/members']()), 403, 'forbidden');
  expectError(await as.member.patch(`/api/v1/members/${A.member.id}`, { name: '党员自改' }), 403, 'forbidden');
  // the office of one town cannot touch the other town's orgs, nor move its own there
  expectError(await as.town.patch(`/api/v1/orgs/${B.org.id}`, { name: '跨镇改名' }), 404, 'not_found');
  expectError(await as.town.post(`/api/v1/orgs/${A.org.id}/move`, { parent_id: B.org.parent_id }), 404, 'not_found', 'parent_id');
  expectError(await as.town.patch(`/api/v1/members/${A.member.id}`, { org_id: B.org.id }), 404, 'not_found', 'org_id');
  // ...while reading and managing its own works
  assert.equal((await as.town.get(`/api/v1/orgs/${A.org.id}`)).status, 200);
  assert.equal((await as.member.get(`/api/v1/orgs/${A.org.id}/members`)).status, 200);
  assert.equal((await as.secretary2.get(`/api/v1/orgs/${B.org.id}`)).status, 200);
  assert.equal((await as.town.get(`/api/v1/orgs/${A.org.id}`)).json.org.name, A.org.name);
});

test('a missing org and a forbidden one look the same', async () => {
  const missing = await as.secretary2.get('/api/v1/orgs/987654321');
  const hidden = await as.secretary2.get(`/api/v1/orgs/${A.org.id}`);
  assert.deepEqual([hidden.status, hidden.json], [missing.status, missing.json]);
  const mm = await as.secretary2.get('/api/v1/members/987654321');
  const mh = await as.secretary2.get(`/api/v1/members/${A.member.id}`);
  assert.deepEqual([mh.status, mh.json], [mm.status, mm.json]);
});

test('pages about records outside the subtree are refused and reveal nothing', async () => {
  const pages = [`/orgs/${A.org.id}`, `/orgs/${A.org.id}/tree`, `/orgs/${A.org.id}/members/new`, `/orgs/${A.org.id}/import`,
    `/orgs/${A.org.id}/export`, `/members/${A.member.id}`, `/members/${A.member.id}/edit`, `/members/${A.member.id}/photo`];
  for (const p of pages) {
    const r = await as.secretary2.get(p);
    assert.equal(r.status, 404, `${p}: ${r.status}`);
    noLeak(p, r, A);
  }
  for (const p of [`/orgs/${A.org.id}/new`, `/orgs/${A.org.id}/edit`, `/orgs/${A.org.id}/move`, `/orgs/${A.org.id}/audit`]) {
    const r = await as.secretary2.get(p);
    assert.equal(r.status, 403, `${p}: ${r.status}`);
    noLeak(p, r, A);
  }
});

test('every non-public operation needs a session: 401 without one, nothing changed', async () => {
  const anon = new Client(srv.base);
  let n = 0;
  for (const o of OPS) {
    if (o.op['x-public']) continue;
    const before = await state();
    const url = urlOf(o, A);
    const r = await anon.req(o.method, url, { body: bodyOf(o) });
    try { expectError(r, 401, 'unauthenticated'); } catch (e) { e.message = `${o.method} ${url}: ${e.message}`; throw e; }
    noLeak(url, r, A);
    await unchanged(`${o.method} ${url} without a session`, before);
    n++;
  }
  assert.ok(n >= 18);
  // the public ones answer without a session
  assert.equal((await anon.get('/api/v1/openapi.json')).status, 200);
});

test('every state change needs the session\'s CSRF token: 403 csrf without it, nothing changed', async () => {
  // the office may do all of these on A; only the token is missing or wrong
  const tokens = [['no token', null], ['wrong token', 'ab'.repeat(32)], ['short token', 'ab'],
    ['another session\'s token', as.town.csrf]];
  const c = await loginAs(srv.base, 'office');
  let n = 0;
  for (const o of OPS.filter((x) => x.op['x-csrf'])) {
    for (const [what, tok] of tokens) {
      const before = await state();
      const url = urlOf(o, A);
      const headers = tok ? { 'X-CSRF-Token': tok } : {};
      const r = await c.req(o.method, url, { body: bodyOf(o), headers, csrf: false });
      try { expectError(r, 403, 'csrf'); } catch (e) { e.message = `${o.method} ${url} with ${what}: ${e.message}`; throw e; }
      await unchanged(`${o.method} ${url} with ${what}`, before);
      n++;
    }
  }
  assert.ok(n >= 12 * tokens.length);
  // the session survived the refused logout
  assert.equal((await c.get('/api/v1/me')).status, 200);
  // and with the token the same client may change things
  const r = await c.patch(`/api/v1/orgs/${A.org.id}`, { name: A.org.name });
  assert.equal(r.status, 200, r.text);
});

test('the audit chain verifies after all of this file\'s requests', () => {
  const r = srv.cli(['audit', 'verify']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
