// json_numbers.test.mjs: ids and counts leave the server as their exact decimal digits. cJSON
// printed every number with "%1.15g", so an id of 10^15 or more ending in 0 came out in exponent
// form (1112406247550370 as 1.11240624755037e+15: about 1% of random feedback ids) and ids past
// 2^53 lost digits. Here a careless operator's database holds such ids (set through SQL, as a
// migration or another tool could), and the raw text of the feedback list, the item, the
// classify and merge answers, the audit view and the item's page must carry the digits. The raw
// text is read with regular expressions: JSON.parse would itself round ids past 2^53.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, Client, loginAs, sqlOn } from '../lib.mjs';

const srv = await startServerOn({ members: 30 });
after(() => srv.stop());
const office = await loginAs(srv.base, 'office');
const anon = new Client(srv.base);
const rootId = office.user.roles[0].org_id;

const KEPT = '9007199254740993'; // 2^53 + 1: no double holds it
const DUP = '1112406247550370'; // the id the issue saw as 1.11240624755037e+15
const CAT = '1000000000000000'; // 10^15

/** The raw text of an answer, after checking its status. */
async function text(r, status = 200) {
  assert.equal(r.status, status, `${r.status} ${r.text.slice(0, 400)}`);
  return r.text;
}
/** A number in exponent form where a JSON value stands (also inside JSON text kept in a string). */
const EXPONENT = /[:,[]\s*-?\d+(\.\d+)?[eE][+-]?\d+/;
/** key:digits as JSON writes it, or as it appears escaped inside a JSON string (\"key\":digits). */
const member = (key, digits) => new RegExp(`\\\\?"${key}\\\\?":${digits}(?![0-9.eE])`);
function has(t, key, digits, what) {
  assert.match(t, member(key, digits), `${what}: ${key} ${digits} written as its digits`);
  assert.doesNotMatch(t, EXPONENT, `${what}: no number in exponent form`);
}

test('feedback ids at 10^15 and past 2^53 come out as their exact digits in lists, answers, the audit view and pages', async () => {
  const texts = ['村口垃圾桶满了三天没人清（重复一）', '村口垃圾桶满了三天没人清运（重复二）'];
  for (const t of texts) await text(await anon.post('/api/v1/public/feedback', { kind: 'complaint', text: t }), 201);
  const list = (await office.get(`/api/v1/orgs/${rootId}/feedback?per_page=500`)).json.items;
  const [dup, kept] = texts.map((t) => list.find((x) => x.text === t));
  assert.ok(dup && kept);
  const cat = (await office.post('/api/v1/feedback-categories', { name: '环境卫生（大编号）' }));
  assert.equal(cat.status, 201, cat.text);
  const catId = cat.json.categories.find((x) => x.name === '环境卫生（大编号）')?.id;
  assert.ok(catId, cat.text);
  // the ids as another tool could have written them
  sqlOn(srv.db, `UPDATE feedback SET id = ${DUP} WHERE id = ${dup.id}`);
  sqlOn(srv.db, `UPDATE feedback SET id = ${KEPT} WHERE id = ${kept.id}`);
  sqlOn(srv.db, `UPDATE feedback_category SET id = ${CAT} WHERE id = ${catId}`);

  const l = await text(await office.get(`/api/v1/orgs/${rootId}/feedback?per_page=500`));
  has(l, 'id', DUP, 'the list');
  has(l, 'id', KEPT, 'the list');
  has(await text(await office.get(`/api/v1/feedback/${KEPT}`)), 'id', KEPT, 'the item');
  const cats = await text(await office.get('/api/v1/feedback-categories'));
  has(cats, 'id', CAT, 'the categories');

  const c = await text(await office.post(`/api/v1/feedback/${DUP}/classify`, { category_id: CAT }));
  has(c, 'id', DUP, 'the classify answer');
  has(c, 'category_id', CAT, 'the classify answer');
  // into_id as a string: a JSON number past 2^53 cannot reach the server whole from a JS client
  const m = await text(await office.post(`/api/v1/feedback/${DUP}/merge`, { into_id: KEPT }));
  has(m, 'id', DUP, 'the merge answer');
  has(m, 'merged_into', KEPT, 'the merge answer');

  // the audit view: the entity ids, and the before/after snapshots the store wrote
  const a = await text(await office.get(`/api/v1/orgs/${rootId}/audit?per_page=50`));
  has(a, 'entity_id', DUP, 'the audit view');
  has(a, 'category_id', CAT, 'the audit snapshot of the classification');
  has(a, 'merged_into', KEPT, 'the audit snapshot of the merge');

  // the page shows the same digits, and links to the kept item by them
  const page = await text(await office.get(`/feedback/${DUP}`));
  assert.match(page, new RegExp(`<dd>${DUP}</dd>`), 'the page shows the id');
  assert.match(page, new RegExp(`href="/feedback/${KEPT}"`), 'the page links the kept item by its exact id');
  assert.doesNotMatch(page, /\d\.\d+e\+\d+/, 'no exponent on the page');
});

test('the OpenAPI description calls path ids 64-bit integers', async () => {
  const d = (await office.get('/api/v1/openapi.json')).json;
  const p = d.paths['/feedback/{id}'].get.parameters.find((x) => x.name === 'id');
  assert.deepEqual(p.schema, { type: 'integer', format: 'int64' });
});
