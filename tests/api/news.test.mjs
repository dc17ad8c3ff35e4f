// news.test.mjs: news items and cases (简报 / 信息报送, 典型), issue 22, on this file's own demo
// database, written as a careless user or an attacker would use them. A branch submits items with
// photos (bad forms, malformed JSON and bad uploads — not an image, too large, too many — are
// refused naming the field and change nothing); another town's staff reach nothing of it; only an
// office above the item decides and publishes (a secretary, or the office of the item's own
// organisation, is refused); a public item appears on /p/news at once (the page's ETag changes on
// publication) and an internal one never; the public nominates a case once per verified phone and
// device (fresh device ids or a second phone on one device change nothing); bulletins count the
// items submitted and adopted by month and `cxzy recount` finds a roll-up edited behind the
// server's back.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, Client, loginAs, expectError, expectOk, sqlOn, smsCode, multipartBody, PNG_1x1 as PNG } from '../lib.mjs';

const srv = await startServerOn({ args: ['--sms-limit', '1000'] });
after(() => srv.stop());
const [office, town, secretary, member, secretary2] = await Promise.all(
  ['office', 'town', 'secretary', 'member', 'secretary2'].map((u) => loginAs(srv.base, u)));
const anon = new Client(srv.base);
const townId = town.user.roles[0].org_id;
const branch = secretary.user.roles[0].org_id;
const branch2 = secretary2.user.roles[0].org_id;
const sql = (q) => sqlOn(srv.db, q);
const ok = async (r, status = 200) => expectOk(r, status);
const count = (t, where = '') => Number(sql(`SELECT count(*) FROM ${t} ${where}`));
const audits = () => count('audit_log');
const JPEG = Buffer.from('/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=', 'base64');
// the same picture as a phone saves it: an APP1 (EXIF) segment naming a GPS position after SOI
const exif = Buffer.concat([Buffer.from('Exif\0\0'), Buffer.from('GPSLatitude 30.2741 GPSLongitude 120.1551')]);
const EXIF_JPEG = Buffer.concat([JPEG.subarray(0, 2), Buffer.from([0xff, 0xe1, (exif.length + 2) >> 8, (exif.length + 2) & 255]), exif, JPEG.subarray(2)]);
let phoneSeq = 0;
const newPhone = () => `1360000${String(++phoneSeq).padStart(4, '0')}`;
async function codeFor(phone) {
  sql('UPDATE sms_code SET created_at = created_at - 120');
  await ok(await anon.post('/api/v1/public/sms-codes', { phone }), 202);
  return smsCode(srv, phone);
}
const submit = (who, org, m) => who.req('POST', `/api/v1/orgs/${org}/news`, m);
const form = (fields) => multipartBody(fields);

let item, caseItem, townItem;

test('a branch submits items with photos; bad forms and uploads are refused naming the field and change nothing', async () => {
  const before = [count('news_item'), count('news_photo'), count('news_month'), audits()];
  const bad = [
    [{ kind: 'news', title: '', body: '正文' }, 400, 'required', 'title'],
    [{ kind: 'story', title: '标题', body: '正文' }, 422, 'invalid_kind', 'kind'],
    [{ kind: 'news', title: '标题', body: '' }, 400, 'required', 'body'],
    [{ kind: 'news', title: '一'.repeat(101), body: '正文' }, 400, 'too_long', 'title'],
    [{ kind: 'news', title: '两行\n标题', body: '正文' }, 400, 'invalid_text', 'title'],
  ];
  for (const [b, st, code, field] of bad) expectError(await secretary.post(`/api/v1/orgs/${branch}/news`, b), st, code, field);
  // malformed JSON and a JSON array
  expectError(await secretary.req('POST', `/api/v1/orgs/${branch}/news`, { body: '{"kind":"news",', headers: { 'Content-Type': 'application/json' } }), 400, 'invalid_json');
  const arr = await secretary.req('POST', `/api/v1/orgs/${branch}/news`, { body: '[1,2]', headers: { 'Content-Type': 'application/json' } });
  assert.equal(arr.status, 400, arr.text);
  // uploads: not an image (a PDF, a text file named .png), too large, too many
  const base = [['kind', 'news'], ['title', '上传测试'], ['body', '正文']];
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
  expectError(await submit(secretary, branch, await form([...base, ['photo', pdf, '材料.pdf']])), 400, 'evidence_type', 'photo');
  expectError(await submit(secretary, branch, await form([...base, ['photo', Buffer.from('not a picture'), '照片.png']])), 400, 'evidence_type', 'photo');
  expectError(await submit(secretary, branch, await form([...base, ['photo', Buffer.concat([PNG, Buffer.alloc(5 << 20)]), '大.png']])), 413, 'evidence_too_large', 'photo');
  expectError(await submit(secretary, branch, await form([...base, ...Array.from({ length: 6 }, (_, i) => ['photo', PNG, `p${i}.png`])])), 400, 'too_many_files', 'photo');
  // a part without a name
  const nameless = Buffer.from(`--XYZ\r\nContent-Disposition: form-data; filename="x.png"\r\nContent-Type: image/png\r\n\r\n${PNG.toString('latin1')}\r\n--XYZ--\r\n`, 'latin1');
  expectError(await secretary.req('POST', `/api/v1/orgs/${branch}/news`, { body: nameless, headers: { 'Content-Type': 'multipart/form-data; boundary=XYZ' } }),
    400, 'bad_multipart');
  assert.deepEqual([count('news_item'), count('news_photo'), count('news_month'), audits()], before, 'a refused submission wrote something');

  // a good one: two photos, stored without metadata, counted in the month
  item = (await ok(await submit(secretary, branch, await form([['kind', 'news'], ['title', '兴河村开展“党员先锋岗”活动<script>x</script>'],
    ['body', '本月全村党员认领岗位 32 个。'], ['photo', PNG, '活动照片.png'], ['photo', EXIF_JPEG, '合影.jpg']])), 201)).item;
  assert.equal(item.status, 'submitted');
  assert.equal(item.photos_count, 2);
  // the phone's EXIF (with its GPS position) is not kept
  const jpg = (await ok(await secretary.get(`/api/v1/news/${item.id}`))).item.photos.find((p) => p.mime === 'image/jpeg');
  const stored = await secretary.get(`/api/v1/news-photos/${jpg.id}`);
  assert.equal(stored.status, 200);
  assert.ok(stored.buf.length > 0 && !stored.buf.includes('GPSLatitude'), 'the photo keeps its EXIF');
  caseItem = (await ok(await secretary.post(`/api/v1/orgs/${branch}/news`, { kind: 'case', title: '典型：张大姐义务调解二十年', body: '张大姐二十年如一日调解邻里纠纷。' }), 201)).item;
  townItem = (await ok(await town.post(`/api/v1/orgs/${townId}/news`, { kind: 'news', title: '镇党委召开创先争优推进会', body: '会议部署了下一阶段工作。' }), 201)).item;
  const month = item.submitted_month;
  assert.match(month, /^\d{4}-\d{2}$/);
  assert.equal(Number(sql(`SELECT coalesce(sum(submitted), 0) FROM news_month WHERE org_id = ${branch} AND month = '${month}'`)) >= 2, true);
  assert.equal(count('audit_log', `WHERE entity = 'news' AND action = 'submit' AND entity_id = ${item.id}`), 1);
  // a member may not submit, nor may another town's secretary into this branch
  expectError(await member.post(`/api/v1/orgs/${branch}/news`, { kind: 'news', title: 'x', body: 'y' }), 403, 'forbidden');
  expectError(await secretary2.post(`/api/v1/orgs/${branch}/news`, { kind: 'news', title: 'x', body: 'y' }), 404, 'not_found');
});

test('another subtree reaches nothing; only an office above the item decides and publishes', async () => {
  const before = audits();
  for (const [m, p, b] of [['GET', `/api/v1/news/${item.id}`], ['PATCH', `/api/v1/news/${item.id}`, { title: '越权修改' }],
    ['POST', `/api/v1/news/${item.id}/photos`]]) {
    const r = await secretary2.req(m, p, { body: b });
    expectError(r, 404, 'not_found');
    assert.ok(!r.text.includes('兴河村'), r.text);
  }
  const photo = (await ok(await secretary.get(`/api/v1/news/${item.id}`))).item.photos[0];
  expectError(await secretary2.get(`/api/v1/news-photos/${photo.id}`), 404, 'not_found');
  assert.equal((await anon.get(`/p/news-photos/${photo.id}`)).status, 404, 'a photo of an unpublished item is public');
  const list = (await ok(await secretary2.get(`/api/v1/orgs/${branch2}/news?per_page=200`))).items;
  assert.ok(!list.some((x) => x.id === item.id));
  // the secretary may not adopt or publish (the route is the office's), the office of another town
  // does not see it, and an office may not adopt its own organisation's item
  expectError(await secretary.post(`/api/v1/news/${item.id}/adopt`, {}), 403, 'forbidden');
  expectError(await secretary.post(`/api/v1/news/${item.id}/publish`, { visibility: 'public' }), 403, 'forbidden');
  expectError(await town.post(`/api/v1/news/${townItem.id}/adopt`, {}), 403, 'forbidden');
  // publishing before adoption, a bad visibility, a decline without a reason
  expectError(await town.post(`/api/v1/news/${item.id}/publish`, { visibility: 'public' }), 409, 'news_state', 'id');
  expectError(await town.post(`/api/v1/news/${item.id}/decline`, {}), 400, 'required', 'note');
  assert.equal(audits(), before, 'a refused decision was audited as a change');
  // the town office's desk counts what waits for it, its own organisation's item apart
  const deskOf = async () => Object.fromEntries((await ok(await town.get('/api/v1/me/desk'))).sections.find((x) => x.title === '简报信息').items.map((x) => [x.key, x.count]));
  const waiting = await deskOf();
  assert.equal(waiting.news_to_adopt, Number(sql(`SELECT count(*) FROM news_item n JOIN org o ON o.id = n.org_id WHERE n.status = 'submitted' AND n.org_id <> ${townId} `
    + `AND o.path LIKE (SELECT path FROM org WHERE id = ${townId}) || '%'`)));
  // the submitter edits while submitted; the town office adopts; the submitter may no longer edit
  await ok(await secretary.patch(`/api/v1/news/${item.id}`, { body: '本月全村党员认领岗位 33 个。' }));
  await ok(await town.post(`/api/v1/news/${item.id}/adopt`, {}));
  assert.deepEqual(await deskOf(), { news_to_adopt: waiting.news_to_adopt - 1, news_to_publish: waiting.news_to_publish + 1 });
  expectError(await town.post(`/api/v1/news/${item.id}/adopt`, {}), 409, 'news_state', 'id');
  expectError(await secretary.patch(`/api/v1/news/${item.id}`, { title: '采用后改标题' }), 409, 'news_adopted', 'id');
  await ok(await town.patch(`/api/v1/news/${item.id}`, { title: '兴河村开展“党员先锋岗”活动' }));
  await ok(await office.post(`/api/v1/news/${townItem.id}/adopt`, {}));
  expectError(await town.post(`/api/v1/news/${item.id}/publish`, { visibility: 'everyone' }), 400, 'invalid_visibility', 'visibility');
  assert.equal(count('audit_log', `WHERE entity = 'news' AND action IN ('adopt','edit') AND entity_id IN (${item.id}, ${townItem.id})`), 4);
});

test('public items appear on /p/news at once, internal ones never; markup is escaped', async () => {
  const first = await anon.get('/p/news');
  assert.equal(first.status, 200);
  const etag = first.headers.get('etag');
  assert.ok(etag, 'the public list carries an ETag');
  assert.equal((await anon.get('/p/news', { headers: { 'If-None-Match': etag } })).status, 304);
  assert.ok(!first.text.includes('兴河村开展'));
  await ok(await town.post(`/api/v1/news/${item.id}/publish`, { visibility: 'public' }));
  const after1 = await anon.get('/p/news', { headers: { 'If-None-Match': etag } });
  assert.equal(after1.status, 200, 'the cached list was not invalidated by the publication');
  assert.ok(after1.text.includes('兴河村开展“党员先锋岗”活动'));
  const page = await anon.get(`/p/news/${item.id}`);
  assert.equal(page.status, 200);
  assert.ok(page.text.includes('本月全村党员认领岗位 33 个。'));
  const photos = (await ok(await anon.get(`/api/v1/public/news?id=${item.id}`))).item;
  assert.equal(photos.status, undefined, 'the public JSON shows no workflow state');
  // the photos are public now, stored without anything but the picture
  const ph = (await ok(await town.get(`/api/v1/news/${item.id}`))).item.photos;
  const got = await anon.get(`/p/news-photos/${ph[0].id}`);
  assert.equal(got.status, 200);
  assert.ok(got.buf.equals(PNG));
  // an internal publication: staff of the office's subtree read it, the public never
  await ok(await office.post(`/api/v1/news/${townItem.id}/publish`, { visibility: 'internal' }));
  assert.equal((await secretary2.get(`/api/v1/news/${townItem.id}`)).status, 200, 'internal items reach the publishing office\'s subtree');
  expectError(await anon.get(`/api/v1/public/news?id=${townItem.id}`), 404, 'not_found');
  assert.equal((await anon.get(`/p/news/${townItem.id}`)).status, 404);
  assert.ok(!(await anon.get('/p/news')).text.includes('镇党委召开创先争优推进会'));
  expectError(await town.patch(`/api/v1/news/${item.id}`, { title: '发布后再改' }), 409, 'news_final', 'id');
  // markup typed by staff is escaped on every page
  const x = (await ok(await secretary.post(`/api/v1/orgs/${branch}/news`, { kind: 'news', title: '<img src=x onerror=alert(1)>', body: '<script>alert(1)</script>' }), 201)).item;
  await ok(await town.post(`/api/v1/news/${x.id}/adopt`, {}));
  await ok(await town.post(`/api/v1/news/${x.id}/publish`, { visibility: 'public' }));
  for (const p of [`/p/news/${x.id}`, '/p/news']) {
    const h = await anon.get(p);
    assert.ok(!h.text.includes('<img src=x') && !h.text.includes('<script>alert'), `${p} renders markup`);
  }
  assert.ok(!(await secretary.get(`/news/${x.id}`)).text.includes('<script>alert'));
});

test('the public nominates a case once per verified phone and device; fresh devices or phones change nothing', async () => {
  await ok(await town.post(`/api/v1/news/${caseItem.id}/adopt`, {}));
  // not yet public: 404, nothing kept
  const phone = newPhone();
  const device = (await ok(await anon.get('/api/v1/public/rating?target_kind=org&target_id=' + branch))).device;
  expectError(await anon.post('/api/v1/public/news-nominations', { item_id: caseItem.id, phone, code: '000000', device }), 404, 'not_found', 'item_id');
  await ok(await town.post(`/api/v1/news/${caseItem.id}/publish`, { visibility: 'public' }));
  // not a case, a forged device, no code, a wrong code: refused, nothing counted
  expectError(await anon.post('/api/v1/public/news-nominations', { item_id: item.id, phone, code: '000000', device }), 404, 'not_found', 'item_id');
  expectError(await anon.post('/api/v1/public/news-nominations', { item_id: caseItem.id, phone, code: '000000', device: 'a'.repeat(32) + '.' + 'b'.repeat(32) }), 400, 'invalid_device', 'device');
  expectError(await anon.post('/api/v1/public/news-nominations', { item_id: caseItem.id, phone, device }), 422, 'code_required', 'code');
  expectError(await anon.post('/api/v1/public/news-nominations', { item_id: 'abc', phone, device }), 422, 'invalid_item', 'item_id');
  expectError(await anon.req('POST', '/api/v1/public/news-nominations', { body: '{"item_id":', headers: { 'Content-Type': 'application/json' } }), 400, 'invalid_json');
  await codeFor(phone);
  expectError(await anon.post('/api/v1/public/news-nominations', { item_id: caseItem.id, phone, code: '000001', device }), 422, 'wrong_code', 'code');
  assert.equal(count('news_nomination'), 0);
  await ok(await anon.post('/api/v1/public/news-nominations', { item_id: caseItem.id, phone, code: await codeFor(phone), device }), 201);
  // the same phone with fresh device ids, and the same device with a new phone
  for (let i = 0; i < 3; i++) {
    const fresh = (await ok(await new Client(srv.base).get('/api/v1/public/rating?target_kind=org&target_id=' + branch))).device;
    expectError(await anon.post('/api/v1/public/news-nominations', { item_id: caseItem.id, phone, code: await codeFor(phone), device: fresh }), 409, 'already_nominated');
  }
  const other = newPhone();
  expectError(await anon.post('/api/v1/public/news-nominations', { item_id: caseItem.id, phone: other, code: await codeFor(other), device }), 409, 'already_nominated');
  assert.equal(count('news_nomination'), 1);
  assert.equal((await ok(await anon.get(`/api/v1/public/news?id=${caseItem.id}`))).item.nominations, 1);
  assert.ok(!sql(`SELECT after_json FROM audit_log WHERE entity = 'news' AND action = 'nominate'`).includes(phone), 'the audit log names the phone');
});

test('bulletins count items submitted and adopted by month; recount finds an edited roll-up', async () => {
  const now = new Date();
  const period = `${now.getFullYear()}Q${Math.floor(now.getMonth() / 3) + 1}`;
  const month = item.submitted_month;
  const d = (await ok(await office.post(`/api/v1/orgs/${office.user.roles[0].org_id}/bulletins`, { title: '信息报送通报', period, sections: 'news' }), 201)).bulletin;
  const b = (await ok(await office.post(`/api/v1/bulletins/${d.id}/publish`, { version: d.version }))).bulletin;
  const fig = b.sections.find((s) => s.kind === 'news').figures;
  const townRow = fig.rows.find((r) => r.cells[0] === month && r.key.endsWith(`:${townId}`));
  const total = fig.rows.find((r) => r.cells[0] === month && r.key.startsWith('total-'));
  assert.ok(townRow && total, JSON.stringify(fig.rows));
  // this town: the three branch items and the town's own, adopted: three of them
  const want = (col, where) => Number(sql(`SELECT count(*) FROM news_item n JOIN org o ON o.id = n.org_id WHERE o.path LIKE (SELECT path FROM org WHERE id = ${townId}) || '%' AND ${col} = '${month}' ${where}`));
  assert.equal(Number(townRow.cells[2]), want('submitted_month', ''));
  assert.equal(Number(townRow.cells[3]), want('adopted_month', ''));
  assert.ok(Number(townRow.cells[3]) >= 3);
  assert.equal(srv.cli(['recount', '--bulletin', String(b.id)]).status, 0);
  assert.equal(srv.cli(['recount']).status, 0, srv.cli(['recount']).stdout);
  // the roll-up edited behind the server's back: found, and fixed from the items
  sql(`UPDATE news_month SET adopted = adopted + 5 WHERE org_id = ${branch} AND month = '${month}'`);
  const r = srv.cli(['recount']);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /信息报送 .*采用 \d+ 条，按原始记录应为/);
  assert.equal(srv.cli(['recount', '--fix']).status, 1);
  assert.equal(srv.cli(['recount']).status, 0);
});
