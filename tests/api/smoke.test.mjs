// smoke.test.mjs: the server starts on the demo data, logs in, and stops cleanly.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, loginAs } from '../lib.mjs';

const srv = await startServer();
after(() => srv.stop());

test('office logs in and sees the district root with its members counted', async () => {
  const c = await loginAs(srv.base, 'office');
  const me = await c.get('/api/v1/me');
  assert.equal(me.status, 200);
  const root = me.json.user.roles.find((g) => g.role === 'office').org_id;
  const org = await c.get(`/api/v1/orgs/${root}`);
  assert.equal(org.status, 200);
  assert.equal(org.json.org.type, 'committee');
  assert.equal(org.json.subtree_members, 300);
  assert.ok(org.json.children.length >= 8);
});
