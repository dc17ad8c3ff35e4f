// public_cache.test.mjs: regressions for the public page cache: renaming a member's organisation
// changes the card (no stale 304 or cached page), the cache is keyed per card, and a card cached
// before midnight marks a pledge due that day overdue the day after.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { startServerOn, Client, loginAs, sqlOn, daysFromToday, scratchFile, cliDb } from '../lib.mjs';

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

test('a server keeping no pages (--page-cache 0) answers the same cards, ETags and 304s as one that keeps them', async () => {
  const none = await startServerOn({ db: srv.db, demo: false, args: ['--page-cache', '0', '--db-cache', '1'] });
  try {
    const host = (base) => new URL(base).host;
    for (const id of [1, 2, 3, 1, 2, 3]) {
      const a = await new Client(srv.base).get(`/p/card/${id}`);
      const b = await new Client(none.base).get(`/p/card/${id}`);
      assert.equal(a.status, 200);
      assert.equal(b.status, 200);
      assert.equal(b.headers.get('etag'), a.headers.get('etag'));
      assert.equal(b.text.replaceAll(host(none.base), 'HOST'), a.text.replaceAll(host(srv.base), 'HOST'));
      const again = await new Client(none.base).req('GET', `/p/card/${id}`, { headers: { 'If-None-Match': b.headers.get('etag') } });
      assert.equal(again.status, 304);
    }
    const missing = await new Client(none.base).get('/p/card/99999999');
    assert.equal(missing.status, 404);
  } finally {
    await none.stop();
  }
});

test('regression: a card cached before midnight shows a pledge due that day as overdue after it (page and ETag)', async () => {
  // a member with a public pledge in progress, all their pledges due today (a server of its own
  // below: nothing cached of this card yet)
  const id = Number(sqlOn(srv.db, "SELECT min(member_id) FROM pledge WHERE status = 'in_progress'"));
  assert.ok(id > 0, 'the demo has such a member');
  sqlOn(srv.db, `UPDATE pledge SET due_date = '${daysFromToday(0)}', version = version + 1 WHERE member_id = ${id}`);
  // the server's clock moved by the test (CXZY_TEST_CLOCK: days added to today's date)
  const clock = scratchFile(`clock-${process.pid}`, '0');
  const had = process.env.CXZY_TEST_DIR;
  if (!had) process.env.CXZY_TEST_DIR = dirname(dirname(clock));
  process.env.CXZY_TEST_CLOCK = clock;
  let s;
  try {
    s = await startServerOn({ db: srv.db, demo: false });
  } finally {
    delete process.env.CXZY_TEST_CLOCK;
    if (!had) delete process.env.CXZY_TEST_DIR;
  }
  try {
    const anon = new Client(s.base);
    const today = await anon.get(`/p/card/${id}`);
    assert.equal(today.status, 200);
    assert.doesNotMatch(today.text, /已逾期/, 'due today: not overdue yet');
    const again = await anon.get(`/p/card/${id}`); // now from the page cache
    assert.equal(again.text, today.text);
    writeFileSync(clock, '1'); // midnight has passed
    const tomorrow = await anon.get(`/p/card/${id}`);
    assert.equal(tomorrow.status, 200);
    assert.match(tomorrow.text, /已逾期/, 'the cached card of yesterday is not served');
    assert.notEqual(tomorrow.headers.get('etag'), today.headers.get('etag'));
    const revalidated = await anon.req('GET', `/p/card/${id}`, { headers: { 'If-None-Match': today.headers.get('etag') } });
    assert.equal(revalidated.status, 200, "yesterday's ETag is not current");
    assert.match(revalidated.text, /已逾期/);
  } finally {
    await s.stop();
  }
});

test('the test clock is refused outside the test directory', () => {
  process.env.CXZY_TEST_CLOCK = '/etc/hostname';
  let r;
  try {
    r = cliDb(srv.db, ['serve', '--listen', '127.0.0.1:1'], { timeout: 20000 }); // a server that started would be killed by the timeout
  } finally {
    delete process.env.CXZY_TEST_CLOCK;
  }
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /CXZY_TEST_CLOCK 只用于测试/);
});
