// body_limits.test.mjs: each route's body limit comes from the route table (src/web/routes.c),
// not from words in its path: the phone sampling list (/orgs/:id/phone-import) has its own 8 MiB
// limit, where it used to get the roster's 64 MiB because its path contains "import"; a roster
// import still takes a large file; openapi.json shows every operation's limit (x-body-limit).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, expectError, multipartBody, fileForm } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const [office, secretary, member] = await Promise.all(['office', 'secretary', 'member'].map((u) => loginAs(srv.base, u)));
const root = office.user.roles[0].org_id;
const branch = secretary.user.roles[0].org_id;
const MiB = 1 << 20;

async function ok(r, status = 200) {
  assert.equal(r.status, status, `${r.status} ${r.text.slice(0, 400)}`);
  return r.json;
}
// a review round over the district, so that the branch's members can be sampled by phone
const camp = (await ok(await office.get(`/api/v1/orgs/${root}/campaigns`))).campaigns[0];
await ok(await office.post(`/api/v1/orgs/${root}/rounds`, { campaign_id: camp.id, name: '上限检查', start_date: camp.start_date,
  end_date: camp.end_date, questions: 'party3' }), 201);

/** A contact list of n phones, each row padded with a note of pad bytes. */
const list = (n, pad) => Buffer.from('手机号,姓名,备注\n' + Array.from({ length: n }, (_, i) =>
  `137${String(i).padStart(8, '0')},群众${i + 1},${'x'.repeat(pad)}`).join('\n') + '\n');
async function phoneImport(file) {
  const c = (await ok(await secretary.post(`/api/v1/orgs/${branch}/draw-commitments`, { purpose: 'phone' }), 201)).commitment;
  return secretary.req('POST', `/api/v1/orgs/${branch}/phone-import`, await multipartBody([['target_kind', 'member'],
    ['target_id', String(member.user.member_id)], ['n', '3'], ['commitment_id', String(c.id)], ['file', file, 'list.csv']]));
}
const draws = async () => (await ok(await secretary.get(`/api/v1/orgs/${branch}/phone-draws`))).paging.total;

test('phone-import: a list padded past 8 MiB is refused 413 and draws nothing; the longest list with names is taken', async () => {
  const before = await draws();
  // 90,000 valid phones, each with a 90-byte note: 9.5 MB, within the list's 100,000 rows but not its bytes
  const stuffed = list(90000, 90);
  assert.ok(stuffed.length > 8 * MiB && stuffed.length < 10 * MiB);
  expectError(await phoneImport(stuffed), 413, 'body_too_large', '');
  assert.equal(await draws(), before, 'nothing drawn');
  // the maximum list (100,000 phones, a name each, a short note) still fits
  const longest = list(100000, 4);
  assert.ok(longest.length > 2 * MiB);
  const d = (await ok(await phoneImport(longest), 201)).draw;
  assert.equal(d.population, 100000);
  assert.equal(await draws(), before + 1);
});

test('a roster import still takes a file past the list limit (dry run)', async () => {
  // 10 MB of CSV: a header and empty-ish rows; what matters is that it is read, not refused as too large
  const csv = '姓名,身份证号,性别,出生日期,民族,学历,入党日期,党员类型,电话\n' + ',,,,,,,,\n'.repeat(10 * MiB / 9);
  const r = await secretary.req('POST', `/api/v1/orgs/${branch}/import?dry_run=1`, { body: fileForm(Buffer.from(csv)) });
  assert.notEqual(r.status, 413, r.text.slice(0, 300));
  assert.notEqual(r.json?.error?.code, 'body_too_large');
});

test('openapi.json shows every operation\'s body limit from the route table', async () => {
  const spec = (await ok(await office.get('/api/v1/openapi.json')));
  const limit = (m, p) => [spec.paths[p]?.[m]?.['x-body'], spec.paths[p]?.[m]?.['x-body-limit']];
  assert.deepEqual(limit('post', '/orgs/{id}/phone-import'), ['list', 8 * MiB]);
  assert.deepEqual(limit('post', '/orgs/{id}/import'), ['roster', 64 * MiB]);
  assert.deepEqual(limit('post', '/members/{id}/photo'), ['photo', 3 * MiB]);
  assert.deepEqual(limit('post', '/pledges/{id}/progress'), ['files', 27 * MiB]);
  assert.deepEqual(limit('post', '/rectifications/{id}/evidence'), ['files', 27 * MiB]);
  assert.deepEqual(limit('post', '/orgs/{id}/feedback'), ['files', 27 * MiB]);
  assert.deepEqual(limit('post', '/public/feedback'), ['files_public', 3 * MiB]);
  assert.deepEqual(limit('post', '/orgs/{id}/children'), ['form', MiB]);
  assert.deepEqual(limit('patch', '/settings'), ['form', MiB]);
  // every operation that takes a body names its limit; no GET does
  for (const [p, ops] of Object.entries(spec.paths))
    for (const [m, op] of Object.entries(ops)) {
      if (m === 'get') assert.equal(op['x-body-limit'], undefined, `GET ${p}`);
      else assert.ok(Number.isInteger(op['x-body-limit']) && op['x-body-limit'] >= MiB, `${m} ${p}`);
    }
});
