// public_cache.test.mjs: regressions for the public page cache: renaming a member's organisation
// changes the card (no stale 304 or cached page), and the cache is keyed per card.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, Client, loginAs } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());

test('regression: renaming the organisation changes the public card (ETag and page)', async () => {
  const anon = new Client(srv.base);
  const first = await anon.get('/p/card/1');
  assert.equal(first.status, 200);
  const etag = first.headers.get('etag');
  assert.ok(etag);
  const again = await anon.req('GET', '/p/card/1', { headers: { 'If-None-Match': etag } });
  assert.equal(again.status, 304);
  const town = await loginAs(srv.base, 'town');
  const member = await loginAs(srv.base, 'member');
  const orgId = (await member.get(`/api/v1/members/${member.user.member_id}`)).json.member.org_id;
  assert.equal(member.user.member_id, 1, 'the demo member login is member 1');
  const renamed = await town.patch(`/api/v1/orgs/${orgId}`, { name: '改名后的党支部' });
  assert.equal(renamed.status, 200, renamed.text);
  const after304 = await anon.req('GET', '/p/card/1', { headers: { 'If-None-Match': etag } });
  assert.equal(after304.status, 200, 'the old version is no longer current');
  assert.notEqual(after304.headers.get('etag'), etag);
  assert.match(after304.text, /改名后的党支部/);
});

test('regression: two cards never share a cached page', async () => {
  const anon = new Client(srv.base);
  const a = await anon.get('/p/card/1');
  const b = await anon.get('/p/card/2');
  const a2 = await anon.get('/p/card/1');
  assert.equal(a.status, 200);
  assert.equal(b.status, 200);
  assert.notEqual(a.headers.get('etag'), b.headers.get('etag'));
  assert.equal(a2.text, a.text);
  assert.notEqual(a.text, b.text);
});
