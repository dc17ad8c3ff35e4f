// input.test.mjs: every class of bad input is answered with the API's error shape
// {"error":{"code","message","field"}} in Chinese and the right status, and changes nothing.
// Runs on its own demo database.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, expectError, newIdcard } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const office = await loginAs(srv.base, 'office');
const townId = (await loginAs(srv.base, 'town')).user.roles[0].org_id;
const rootId = office.user.roles[0].org_id;

// The records the bad requests aim at: a branch of its own with one member.
const target = (await office.post(`/api/v1/orgs/${townId}/children`, { name: '输入校验支部', type: 'branch', sector: 'rural' })).json.org;
const member = (await office.post(`/api/v1/orgs/${target.id}/members`, { name: '校验对象', idcard: newIdcard('19800101'), phone: '13800000001', joined_date: '2005-07-01' })).json.member;
assert.ok(target && member);

/** Everything a refused request might have touched. */
async function state() {
  const [o, p, m, a] = await Promise.all([
    office.get(`/api/v1/orgs/${target.id}?inactive=1`),
    office.get(`/api/v1/orgs/${townId}/tree?depth=64`),
    office.get(`/api/v1/members/${member.id}`),
    office.get(`/api/v1/orgs/${rootId}/audit`),
  ]);
  for (const r of [o, p, m, a]) assert.equal(r.status, 200, r.text);
  return { org: o.json, tree: p.json, member: m.json, lastAudit: a.json.records[0].seq, audits: a.json.records.length };
}
/** Sends each request, checks the error, and checks that nothing changed. */
async function refused(cases) {
  const before = await state();
  for (const [what, send, status, code, field] of cases) {
    const r = await send();
    try { expectError(r, status, code, field); } catch (e) { e.message = `${what}: ${e.message}`; throw e; }
  }
  assert.deepEqual(await state(), before, 'a refused request changed something');
}
const raw = (method, path, body, ct = 'application/json') => () => office.req(method, path, { body, headers: { 'Content-Type': ct } });
const json = (method, path, obj) => () => office.req(method, path, { body: obj });

const ORG = `/api/v1/orgs/${target.id}`;
const CHILDREN = `/api/v1/orgs/${townId}/children`;
const MEMBERS = `${ORG}/members`;
const MEMBER = `/api/v1/members/${member.id}`;
const WRITES = [['POST', CHILDREN], ['PATCH', ORG], ['POST', `${ORG}/move`], ['POST', `${ORG}/deactivate`], ['POST', MEMBERS],
  ['PATCH', MEMBER], ['POST', `${MEMBER}/deactivate`], ['POST', `${MEMBER}/reveal`], ['DELETE', '/api/v1/session']];

test('malformed JSON, JSON that is not an object, and invalid UTF-8 are refused on every writing route', async () => {
  const bodies = [
    ['truncated', '{"name":', 'invalid_json'],
    ['not JSON', 'name=x', 'invalid_json'],
    ['only blanks', '   ', 'invalid_json'],
    ['array', '[{"name":"x"}]', 'invalid_json'],
    ['string', '"x"', 'invalid_json'],
    ['number', '42', 'invalid_json'],
    ['null', 'null', 'invalid_json'],
    ['nested 100000 deep', '['.repeat(100000), 'invalid_json'],
    ['lone surrogate', '{"name":"\\ud800"}', 'invalid_json'],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xC3, 0x28, 0x22, 0x7d]), 'invalid_utf8'],
    ['overlong UTF-8', Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xC0, 0xAF]), Buffer.from('"}')]), 'invalid_utf8'],
  ];
  const cases = [];
  for (const [m, p] of WRITES) for (const [what, b, code] of bodies) cases.push([`${m} ${p} ${what}`, raw(m, p, b), 400, code, '']);
  await refused(cases);
});

test('a valid JSON object followed by more text is malformed JSON, not the object', async () => {
  const name = '尾随内容支部';
  await refused([
    ['object then garbage', raw('POST', CHILDREN, `{"name":"${name}","type":"branch","sector":"rural"} trailing`), 400, 'invalid_json', ''],
    ['two objects', raw('POST', CHILDREN, `{"name":"${name}2","type":"branch","sector":"rural"}{"name":"x"}`), 400, 'invalid_json', ''],
    ['object then bracket', raw('PATCH', ORG, '{"name":"改了"}]'), 400, 'invalid_json', ''],
  ]);
});

test('bodies over 1 MiB are refused with 413, as JSON and as a form; just under the limit is read', async () => {
  const big = '{"name":"' + 'x'.repeat(1 << 20) + '"}';
  const form = 'name=' + 'x'.repeat((1 << 20) + 10) + '&type=branch&sector=rural';
  const cases = [];
  for (const [m, p] of WRITES.slice(0, 6)) cases.push([`${m} ${p} JSON`, raw(m, p, big), 413, 'body_too_large', '']);
  cases.push(['form', raw('POST', CHILDREN, form, 'application/x-www-form-urlencoded'), 413, 'body_too_large', '']);
  cases.push(['multipart', () => { const f = new FormData(); f.append('name', 'x'.repeat((1 << 20) + 10)); return office.req('POST', CHILDREN, { body: f }); }, 413, 'body_too_large', '']);
  // just under 1 MiB: parsed, then refused for what it says
  cases.push(['1 MiB - 100', raw('POST', CHILDREN, JSON.stringify({ name: 'x'.repeat((1 << 20) - 100), type: 'branch', sector: 'rural' })), 400, 'too_long', 'name']);
  await refused(cases);
});

test('fields of the wrong JSON type are refused, not converted', async () => {
  const ok = { type: 'branch', sector: 'rural' };
  await refused([
    ['name object', json('POST', CHILDREN, { ...ok, name: { zh: '支部' } }), 400, 'invalid_type', 'name'],
    ['name array', json('POST', CHILDREN, { ...ok, name: ['支部'] }), 400, 'invalid_type', 'name'],
    ['member name object', json('PATCH', MEMBER, { name: { a: 1 } }), 400, 'invalid_type', 'name'],
    ['type array', json('PATCH', ORG, { type: ['branch'] }), 400, 'invalid_type', 'type'],
    ['parent_id object', json('POST', `${ORG}/move`, { parent_id: { id: townId } }), 400, 'invalid_type', 'parent_id'],
    ['org_id array', json('PATCH', MEMBER, { org_id: [townId] }), 400, 'invalid_type', 'org_id'],
    ['idcard as a JSON number', json('POST', MEMBERS, { name: '数字', idcard: 440106198001010000, joined_date: '2005-07-01' }), 400, 'invalid_type', 'idcard'],
  ]);
});

test('a number or a boolean where text is expected is refused, not stored as "123" or "1"', async () => {
  await refused([
    ['org name number', json('POST', CHILDREN, { name: 123, type: 'branch', sector: 'rural' }), 400, 'invalid_type', 'name'],
    ['org name true', json('PATCH', ORG, { name: true }), 400, 'invalid_type', 'name'],
    ['member name number', json('PATCH', MEMBER, { name: 7 }), 400, 'invalid_type', 'name'],
    ['member name false', json('PATCH', MEMBER, { name: false }), 400, 'invalid_type', 'name'],
  ]);
});

test('text with control characters or a NUL is refused, not cut short', async () => {
  await refused([
    ['\\u0001 in org name', raw('POST', CHILDREN, '{"name":"控制\\u0001字符","type":"branch","sector":"rural"}'), 400, 'invalid_text', 'name'],
    ['\\u0000 in org name', raw('POST', CHILDREN, '{"name":"零字符\\u0000之后","type":"branch","sector":"rural"}'), 400, 'invalid_text', 'name'],
    ['\\u0000 in member name', raw('PATCH', MEMBER, '{"name":"校验\\u0000对象"}'), 400, 'invalid_text', 'name'],
    ['\\u001b in duties', raw('PATCH', MEMBER, '{"duties":"\\u001b[31m"}'), 400, 'invalid_text', 'duties'],
  ]);
});

test('missing required fields are named; unknown types, sectors and too-long texts are refused', async () => {
  const id = newIdcard('19810101');
  await refused([
    ['org without name', json('POST', CHILDREN, { type: 'branch', sector: 'rural' }), 400, 'required', 'name'],
    ['org with blank name', json('POST', CHILDREN, { name: '  ', type: 'branch', sector: 'rural' }), 400, 'required', 'name'],
    ['org without type', json('POST', CHILDREN, { name: '无类型', sector: 'rural' }), 400, 'invalid_type', 'type'],
    ['org without sector', json('POST', CHILDREN, { name: '无领域', type: 'branch' }), 400, 'invalid_sector', 'sector'],
    ['unknown type', json('POST', CHILDREN, { name: '怪类型', type: 'party_group', sector: 'rural' }), 400, 'invalid_type', 'type'],
    ['type by label', json('PATCH', ORG, { type: '党支部' }), 400, 'invalid_type', 'type'],
    ['unknown sector', json('PATCH', ORG, { sector: 'military' }), 400, 'invalid_sector', 'sector'],
    ['org name 61 chars', json('POST', CHILDREN, { name: '长'.repeat(61), type: 'branch', sector: 'rural' }), 400, 'too_long', 'name'],
    ['org rename blank', json('PATCH', ORG, { name: '' }), 400, 'required', 'name'],
    ['member without name', json('POST', MEMBERS, { idcard: id, joined_date: '2005-07-01' }), 400, 'required', 'name'],
    ['member without idcard', json('POST', MEMBERS, { name: '无证', joined_date: '2005-07-01' }), 400, 'required', 'idcard'],
    ['member without joined_date', json('POST', MEMBERS, { name: '无期', idcard: id }), 400, 'required', 'joined_date'],
    ['member empty object', json('POST', MEMBERS, {}), 400, 'required', 'name'],
    ['member name 21 chars', json('POST', MEMBERS, { name: '长'.repeat(21), idcard: id, joined_date: '2005-07-01' }), 400, 'too_long', 'name'],
    ['duties 301 chars', json('PATCH', MEMBER, { duties: '职'.repeat(301) }), 400, 'too_long', 'duties'],
    ['post 51 chars', json('PATCH', MEMBER, { post: '岗'.repeat(51) }), 400, 'too_long', 'post'],
    ['ethnicity 11 chars', json('PATCH', MEMBER, { ethnicity: '族'.repeat(11) }), 400, 'too_long', 'ethnicity'],
    ['idcard 17 digits', json('PATCH', MEMBER, { idcard: id.slice(0, 17) }), 400, 'invalid_idcard', 'idcard'],
    ['idcard with a space', json('PATCH', MEMBER, { idcard: id.slice(0, 9) + ' ' + id.slice(9) }), 400, 'invalid_idcard', 'idcard'],
    ['bad sex', json('PATCH', MEMBER, { sex: '未知' }), 400, 'invalid_sex', 'sex'],
    ['move without parent', json('POST', `${ORG}/move`, { parent: townId }), 400, 'invalid_parent', 'parent_id'],
    ['move parent 0', json('POST', `${ORG}/move`, { parent_id: 0 }), 400, 'invalid_parent', 'parent_id'],
    ['transfer to org 0', json('PATCH', MEMBER, { org_id: 0 }), 400, 'invalid_org', 'org_id'],
  ]);
});

test('impossible and malformed dates are refused with the field named', async () => {
  const id = newIdcard('19820202');
  const m = (d) => json('POST', MEMBERS, { name: '日期', idcard: id, ...d });
  await refused([
    ['30 February', m({ joined_date: '2023-02-30' }), 400, 'invalid_date', 'joined_date'],
    ['29 February 2023', m({ joined_date: '2023-02-29' }), 400, 'invalid_date', 'joined_date'],
    ['month 13', m({ joined_date: '2020-13-01' }), 400, 'invalid_date', 'joined_date'],
    ['day 32', m({ joined_date: '2020-01-32' }), 400, 'invalid_date', 'joined_date'],
    ['words', m({ joined_date: '去年七月' }), 400, 'invalid_date', 'joined_date'],
    ['year 1899', m({ joined_date: '1899-07-01' }), 400, 'invalid_date', 'joined_date'],
    ['future', m({ joined_date: '2099-07-01' }), 400, 'date_in_future', 'joined_date'],
    ['birth month only', m({ joined_date: '2005-07-01', birth_date: '1982-02' }), 400, 'invalid_date', 'birth_date'],
    ['full date impossible', m({ joined_date: '2005-07-01', full_date: '2006-02-29' }), 400, 'invalid_date', 'full_date'],
    ['PATCH joined 31 April', json('PATCH', MEMBER, { joined_date: '2010-04-31' }), 400, 'invalid_date', 'joined_date'],
  ]);
});

test('unknown and non-numeric ids are 404 on every route with an id', async () => {
  const spec = (await office.get('/api/v1/openapi.json')).json;
  // each route is called by a demo login whose role may use it (a refused role is 403 first)
  const callers = { office, secretary: await loginAs(srv.base, 'secretary'), leader: await loginAs(srv.base, 'leader'),
    member: await loginAs(srv.base, 'member'), discipline: await loginAs(srv.base, 'discipline') };
  const cases = [];
  for (const [path, ops] of Object.entries(spec.paths)) {
    if (!path.includes('{id}')) continue;
    for (const [method, op] of Object.entries(ops)) {
      const who = callers[Object.keys(callers).find((k) => (op['x-roles'] || []).includes(k)) || 'office'];
      for (const id of ['987654321', 'abc', '0', '-3', '1.5', '1e3', '0x10', '99999999999999999999']) {
        const p = '/api/v1' + path.replace('{id}', id);
        cases.push([`${method} ${p}`, () => who.req(method.toUpperCase(), p, { body: method === 'get' ? undefined : { name: 'x', parent_id: townId } }), 404, 'not_found', 'id']);
      }
    }
  }
  assert.ok(cases.length >= 8 * 15);
  await refused(cases);
});

test('bad query parameters are 400 invalid_query naming the parameter', async () => {
  const L = `/api/v1/orgs/${townId}/members`;
  const q = (p) => () => office.get(p);
  await refused([
    ['page=0', q(`${L}?page=0`), 400, 'invalid_query', 'page'],
    ['page=-1', q(`${L}?page=-1`), 400, 'invalid_query', 'page'],
    ['page=abc', q(`${L}?page=abc`), 400, 'invalid_query', 'page'],
    ['page=1.5', q(`${L}?page=1.5`), 400, 'invalid_query', 'page'],
    ['page huge', q(`${L}?page=99999999999999999999`), 400, 'invalid_query', 'page'],
    ['per_page=0', q(`${L}?per_page=0`), 400, 'invalid_query', 'per_page'],
    ['per_page=501', q(`${L}?per_page=501`), 400, 'invalid_query', 'per_page'],
    ['per_page=99999', q(`${L}?per_page=99999`), 400, 'invalid_query', 'per_page'],
    ['org page per_page', q(`/api/v1/orgs/${townId}?per_page=99999`), 400, 'invalid_query', 'per_page'],
    ['depth=abc', q(`/api/v1/orgs/${townId}/tree?depth=abc`), 400, 'invalid_query', 'depth'],
    ['depth=0', q(`/api/v1/orgs/${townId}/tree?depth=0`), 400, 'invalid_query', 'depth'],
    ['depth=65', q(`/api/v1/orgs/${townId}/tree?depth=65`), 400, 'invalid_query', 'depth'],
    ['q 21 characters', q(`${L}?q=${encodeURIComponent('长'.repeat(21))}`), 400, 'invalid_query', 'q'],
    ['q not UTF-8', q(`${L}?q=%FF%FE`), 400, 'invalid_query', 'q'],
    ['export subtree=yes', q(`/api/v1/orgs/${townId}/export?subtree=yes`), 400, 'invalid_query', 'subtree'],
    ['export format', q(`/api/v1/orgs/${townId}/export?format=xls`), 400, 'invalid_format', 'format'],
    ['template format', q('/api/v1/roster-template?format=pdf'), 400, 'invalid_format', 'format'],
  ]);
  // the limits themselves are accepted
  for (const p of [`${L}?page=1000000&per_page=500`, `/api/v1/orgs/${townId}/tree?depth=64`, `${L}?q=${encodeURIComponent('长'.repeat(20))}`])
    assert.equal((await office.get(p)).status, 200, p);
});

test('unknown API paths are 404 and unsupported methods 405, both as JSON errors', async () => {
  await refused([
    ['unknown path', () => office.get('/api/v1/nothing'), 404, 'not_found', ''],
    ['trailing slash', () => office.get(`${ORG}/`), 404, 'not_found', ''],
    ['PUT org', () => office.req('PUT', ORG, { body: { name: 'x' } }), 405, 'method_not_allowed', ''],
    ['DELETE org', () => office.req('DELETE', ORG), 405, 'method_not_allowed', ''],
    ['DELETE member', () => office.req('DELETE', MEMBER), 405, 'method_not_allowed', ''],
    ['GET reveal', () => office.get(`${MEMBER}/reveal`), 405, 'method_not_allowed', ''],
  ]);
});

test('the audit chain verifies after all of this file\'s requests', () => {
  const r = srv.cli(['audit', 'verify']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('ids of 16 digits in a JSON body are read exactly (not as 1.2e+15)', async () => {
  // the random ids of feedback items reach 2^50; a number with 16 digits must stay an id
  const r = await office.post(`/api/v1/orgs/${target.id}/move`, { parent_id: 1234567890123456 });
  expectError(r, 404, 'not_found', 'parent_id');
  expectError(await office.post(`/api/v1/orgs/${target.id}/move`, { parent_id: 9007199254740993 }), 400, 'invalid_parent', 'parent_id');
  expectError(await office.post(`/api/v1/orgs/${target.id}/move`, { parent_id: 12.5 }), 400, 'invalid_parent', 'parent_id');
});
