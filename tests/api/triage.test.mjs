// triage.test.mjs: feedback triage as a caseworker does it, on this file's own demo database.
// Merging by picking from a list: GET /api/v1/feedback/:id/merge-candidates offers the open items
// the user may triage in the subtree where the user triages the item (never a 举报 to an office,
// never an ordinary item to 纪检, never another town's items, never the item itself, a merged or
// an answered item; a complaint about someone only complaints about the same organisation),
// those about the same target and then of the same category first, newest first; a picked
// candidate merges. Classify and assign in one step: POST /api/v1/feedback/:id/triage (and the
// page's one form) sets both in one transaction with two audit records; a bad category, an
// organisation outside the user's reach, an accused branch or a closed item changes nothing.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, Client, demoStaff, expectOk as ok, expectError } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const { office, town, secretary, secretary2, member, discipline, rootId, townId, branchA, branchB } = await demoStaff(srv.base);
const anon = new Client(srv.base);
let seq = 0;
/** A public submission; returns the item as the district office sees it (or discipline, for a report). */
async function submit(body) {
  const text = `${body.text}（${++seq}号）`;
  await ok(await anon.post('/api/v1/public/feedback', { ...body, text }), 201);
  const c = body.kind === 'report' ? discipline : office;
  const l = await ok(await c.get(`/api/v1/orgs/${rootId}/feedback?view=new&per_page=500`));
  const it = l.items.find((x) => x.text === text);
  assert.ok(it, `${text} is in the queue`);
  return it;
}
const item = async (id, c = office) => (await ok(await c.get(`/api/v1/feedback/${id}`))).item;
const candidates = async (id, c = office, q = '') => (await ok(await c.get(`/api/v1/feedback/${id}/merge-candidates${q}`))).candidates;
const ids = (list) => list.map((x) => x.id);
const cats = (await ok(await office.get('/api/v1/feedback-categories'))).categories;
const [catA, catB] = cats;
const auditOf = async (id) => (await ok(await office.get(`/api/v1/orgs/${rootId}/audit`))).records.filter((a) => a.entity === 'feedback' && a.entity_id === id);
const memberOf = async (org) => (await ok(await office.get(`/api/v1/orgs/${org}/members?per_page=5`))).members;

test('merge candidates: open items of the same class in the user\'s subtree, the same target and category first, newest first', async () => {
  // the item to triage: an opinion about branch A (its responsible organisation is branch A, in the first town)
  const x = await submit({ kind: 'opinion', text: '支部活动室晚上不开放，党员没地方学习', about_kind: 'org', about_id: branchA });
  await ok(await office.post(`/api/v1/feedback/${x.id}/classify`, { category_id: catA.id }));
  const sameTarget = await submit({ kind: 'suggestion', text: '建议支部活动室晚上开放到九点', about_kind: 'org', about_id: branchA });
  const sameBoth = await submit({ kind: 'opinion', text: '支部活动室周末也锁门', about_kind: 'org', about_id: branchA });
  await ok(await office.post(`/api/v1/feedback/${sameBoth.id}/classify`, { category_id: catA.id }));
  const sameCat = await submit({ kind: 'opinion', text: '镇里的党员活动中心开放时间太短', about_kind: 'org', about_id: townId });
  await ok(await office.post(`/api/v1/feedback/${sameCat.id}/classify`, { category_id: catA.id }));
  const other = await submit({ kind: 'suggestion', text: '镇里的宣传栏内容好久没更新了', about_kind: 'org', about_id: townId });
  // what must never be offered
  const otherTown = await submit({ kind: 'opinion', text: '另一个镇的支部活动室也不开放', about_kind: 'org', about_id: branchB });
  const merged = await submit({ kind: 'opinion', text: '支部活动室晚上不开门（重复）', about_kind: 'org', about_id: branchA });
  await ok(await office.post(`/api/v1/feedback/${merged.id}/merge`, { into_id: sameTarget.id }));
  const answered = await submit({ kind: 'opinion', text: '支部活动室的空调坏了', about_kind: 'org', about_id: branchA });
  await ok(await office.post(`/api/v1/feedback/${answered.id}/reply`, { reply: '空调已经修好。' }));
  const [accused] = await memberOf(branchA);
  const report = await submit({ kind: 'report', text: '举报支部活动室经费被挪用', about_kind: 'member', about_id: accused.id });
  const complaint = await submit({ kind: 'complaint', text: '投诉支部活动室管理员态度差', about_kind: 'org', about_id: branchA });

  // the district office: all its open ordinary items; never itself, merged, answered, reports
  const all = await candidates(x.id);
  const got = ids(all);
  for (const [what, it] of [['itself', x], ['a merged item', merged], ['an answered item', answered], ['a 举报', report]])
    assert.ok(!got.includes(it.id), `${what} is offered`);
  assert.ok(all.every((c) => c.kind !== 'report' && ['new', 'assigned'].includes(c.status)), 'only open ordinary items');
  for (const it of [sameTarget, sameBoth, sameCat, other, otherTown, complaint]) assert.ok(got.includes(it.id), `${it.text} is not offered`);
  // the order: same target and category, same target, same category, then the rest, newest first
  const mine = got.filter((id) => [sameBoth.id, sameTarget.id, sameCat.id, other.id].includes(id));
  assert.deepEqual(mine, [sameBoth.id, sameTarget.id, sameCat.id, other.id]);
  assert.equal(got[0], sameBoth.id, 'the nearest first');
  const targets = all.map((c) => c.same_target);
  assert.equal(targets.indexOf(false), targets.lastIndexOf(true) + 1, 'every item about the same target comes first');
  assert.ok(all.filter((c) => c.same_target).every((c) => c.about.kind === 'org' && c.about.id === branchA));
  const first = all[0];
  assert.deepEqual([first.same_target, first.same_category, first.kind_label, first.status_label, first.received_date],
    [true, true, '意见', '待分办', sameBoth.received_date]);
  assert.ok(first.excerpt.startsWith('支部活动室周末也锁门'), 'a short excerpt to recognise it by');
  assert.ok(all.every((c) => !c.sender.contact || c.sender.contact.includes('*')), 'senders\' contacts masked only');

  // the town's office: its own town only
  const t = ids(await candidates(x.id, town));
  assert.ok(t.includes(sameTarget.id) && t.includes(other.id));
  assert.ok(!t.includes(otherTown.id), 'another town\'s item is offered');
  assert.ok(!t.includes(report.id), 'a 举报 is offered to an office');
  // paging
  const p1 = await ok(await office.get(`/api/v1/feedback/${x.id}/merge-candidates?per_page=2`));
  assert.deepEqual([ids(p1.candidates), p1.paging.total], [got.slice(0, 2), got.length]);
  const p2 = await ok(await office.get(`/api/v1/feedback/${x.id}/merge-candidates?per_page=2&page=2`));
  assert.deepEqual(ids(p2.candidates), got.slice(2, 4));
  expectError(await office.get(`/api/v1/feedback/${x.id}/merge-candidates?per_page=0`), 400, 'invalid_query', 'per_page');

  // a complaint about someone: only complaints about the same organisation
  const complaint2 = await submit({ kind: 'complaint', text: '投诉支部书记不按时开会', about_kind: 'member', about_id: accused.id });
  const cc = ids(await candidates(complaint.id));
  assert.ok(cc.includes(complaint2.id), 'another complaint about the same branch is offered');
  assert.ok(!cc.includes(x.id) && !cc.includes(sameTarget.id) && !cc.includes(other.id), 'an ordinary item is offered to a complaint about someone');
  // an ordinary item is not offered a complaint about someone elsewhere than its own class rules allow: the store decides the same way
  for (const c of cc) assert.ok([complaint2.id].includes(c) || (await item(c)).kind === 'complaint');

  // 纪检: reports only
  const report2 = await submit({ kind: 'report', text: '举报支部书记收受礼品', about_kind: 'member', about_id: accused.id });
  const rc = await candidates(report.id, discipline);
  assert.ok(ids(rc).includes(report2.id));
  assert.ok(rc.every((c) => c.kind === 'report'), 'an ordinary item is offered to 纪检');
});

test('merge candidates refused: wrong role, another subtree, bad ids, a closed item', async () => {
  const x = await submit({ kind: 'opinion', text: '支部的公示栏被雨淋坏了', about_kind: 'org', about_id: branchA });
  const y = await submit({ kind: 'opinion', text: '另一个镇的公示栏也坏了', about_kind: 'org', about_id: branchB });
  expectError(await secretary.get(`/api/v1/feedback/${x.id}/merge-candidates`), 403, 'forbidden');
  expectError(await member.get(`/api/v1/feedback/${x.id}/merge-candidates`), 403, 'forbidden');
  expectError(await town.get(`/api/v1/feedback/${y.id}/merge-candidates`), 404, 'not_found');
  expectError(await discipline.get(`/api/v1/feedback/${x.id}/merge-candidates`), 404, 'not_found');
  expectError(await office.get('/api/v1/feedback/987654321/merge-candidates'), 404, 'not_found');
  expectError(await office.get('/api/v1/feedback/abc/merge-candidates'), 404, 'not_found');
  expectError(await anon.get(`/api/v1/feedback/${x.id}/merge-candidates`), 401, 'unauthenticated');
  await ok(await office.post(`/api/v1/feedback/${x.id}/merge`, { into_id: (await candidates(x.id))[0].id }));
  expectError(await office.get(`/api/v1/feedback/${x.id}/merge-candidates`), 409, 'invalid_state', 'status');
});

test('merging a picked candidate, on the page and over the API; a merged item is offered no more', async () => {
  const keep = await submit({ kind: 'complaint', text: '村口的路灯坏了半个月', about_kind: 'org', about_id: branchA });
  const dup = await submit({ kind: 'complaint', text: '村口路灯晚上不亮', about_kind: 'org', about_id: branchA });
  const dup2 = await submit({ kind: 'complaint', text: '路灯坏了没人修', about_kind: 'org', about_id: branchA });
  // the page lists the candidates as radio buttons, with no field to type a number into
  const page = await office.get(`/feedback/${dup.id}`);
  assert.equal(page.status, 200);
  assert.match(page.text, new RegExp(`type="radio" name="into_id" value="${keep.id}"`));
  assert.doesNotMatch(page.text, /name="into_id" inputmode/, 'no number to type');
  assert.doesNotMatch(page.text, new RegExp(`name="into_id" value="${dup.id}"`), 'itself is not offered');
  // the picked one
  const picked = (await candidates(dup.id)).find((c) => c.id === keep.id);
  assert.ok(picked);
  const m = (await ok(await office.post(`/api/v1/feedback/${dup.id}/merge`, { into_id: picked.id }))).item;
  assert.deepEqual([m.status, m.merged_into], ['merged', keep.id]);
  assert.ok(!ids(await candidates(dup2.id)).includes(dup.id), 'a merged item is offered');
  // a double submission: the second is refused and changes nothing
  expectError(await office.post(`/api/v1/feedback/${dup.id}/merge`, { into_id: picked.id }), 409, 'invalid_state', 'status');
  // the store's rules hold whatever is sent: nothing merges into a merged item or across classes
  expectError(await office.post(`/api/v1/feedback/${dup2.id}/merge`, { into_id: dup.id }), 409, 'invalid_state', 'into_id');
  const op = await submit({ kind: 'opinion', text: '路灯的事请尽快处理', about_kind: 'org', about_id: branchA });
  expectError(await office.post(`/api/v1/feedback/${dup2.id}/merge`, { into_id: op.id }), 400, 'merge_accused', 'into_id');
  expectError(await office.post(`/api/v1/feedback/${dup2.id}/merge`, {}), 400, 'invalid_into', 'into_id');
  // the page's list is paged like the API's, the same order
  const radios = (html) => [...html.matchAll(/type="radio" name="into_id" value="(\d+)"/g)].map((m) => Number(m[1]));
  const api = await ok(await office.get(`/api/v1/feedback/${dup2.id}/merge-candidates?per_page=2&page=2`));
  const p2 = await office.get(`/feedback/${dup2.id}?per_page=2&page=2`);
  assert.equal(p2.status, 200);
  assert.deepEqual(radios(p2.text), ids(api.candidates));
  assert.match(p2.text, new RegExp(`共 ${api.paging.total} 条`));
  assert.match(p2.text, /rel="prev"/);
  assert.equal(radios((await office.get(`/feedback/${dup2.id}`)).text).length, Math.min(20, api.paging.total));
  assert.equal((await item(dup2.id)).status, 'new');
});

test('classify and assign in one step; a bad category or organisation changes neither', async () => {
  const x = await submit({ kind: 'opinion', text: '支部三会一课记录不全', about_kind: 'org', about_id: branchA });
  const before = await item(x.id);
  const nAudit = (await auditOf(x.id)).length;
  const unchanged = async (what) => {
    const now = await item(x.id);
    assert.deepEqual([now.status, now.org_id, now.category_id, now.note], [before.status, before.org_id, before.category_id, before.note], `${what} changed the item`);
    assert.equal((await auditOf(x.id)).length, nAudit, `${what} was audited as a change`);
  };
  // an organisation outside the town's reach (the other town's branch), a missing one, none, not a number
  expectError(await town.post(`/api/v1/feedback/${x.id}/triage`, { category_id: catA.id, org_id: branchB, note: '越权交办' }), 404, 'not_found', 'org_id');
  await unchanged('an org in another town');
  expectError(await office.post(`/api/v1/feedback/${x.id}/triage`, { category_id: catA.id, org_id: 987654321 }), 404, 'not_found', 'org_id');
  expectError(await office.post(`/api/v1/feedback/${x.id}/triage`, { category_id: catA.id }), 400, 'invalid_org', 'org_id');
  expectError(await office.post(`/api/v1/feedback/${x.id}/triage`, { category_id: catA.id, org_id: 'abc' }), 400, 'invalid_org', 'org_id');
  // a bad category with a good organisation
  expectError(await office.post(`/api/v1/feedback/${x.id}/triage`, { category_id: 987654, org_id: townId }), 400, 'invalid_category', 'category_id');
  expectError(await office.post(`/api/v1/feedback/${x.id}/triage`, { category_id: 'x', org_id: townId }), 400, 'invalid_category', 'category_id');
  expectError(await office.post(`/api/v1/feedback/${x.id}/triage`, { category_id: catA.id, org_id: townId, note: '长'.repeat(501) }), 400, 'too_long', 'note');
  await unchanged('bad input');
  // the wrong people
  expectError(await secretary.post(`/api/v1/feedback/${x.id}/triage`, { category_id: catA.id, org_id: branchA }), 403, 'forbidden');
  expectError(await secretary2.post(`/api/v1/feedback/${x.id}/triage`, { category_id: catA.id, org_id: branchB }), 403, 'forbidden');
  expectError(await discipline.post(`/api/v1/feedback/${x.id}/triage`, { category_id: catA.id, org_id: branchA }), 404, 'not_found');
  expectError(await member.post(`/api/v1/feedback/${x.id}/triage`, { category_id: catA.id, org_id: branchA }), 403, 'forbidden');
  expectError(await office.post(`/api/v1/feedback/${x.id}/triage`, { category_id: catA.id, org_id: branchA }, { csrf: false }), 403, 'csrf');
  await unchanged('a refused user');

  // one step: both, with the note, two audit records, two lines of history
  const it = (await ok(await town.post(`/api/v1/feedback/${x.id}/triage`, { category_id: catA.id, org_id: branchA, note: '请支部补齐记录' }))).item;
  assert.deepEqual([it.status, it.org_id, it.category_id, it.category, it.note], ['assigned', branchA, catA.id, catA.name, '请支部补齐记录']);
  const audit = await auditOf(x.id);
  assert.deepEqual(audit.slice(0, 2).map((a) => a.action).sort(), ['assign', 'classify']);
  assert.equal(audit.length, nAudit + 2);
  const page = await office.get(`/feedback/${x.id}`);
  assert.match(page.text, /分类[\s\S]*交办/);
  // the secretary of the branch it went to sees it and may answer
  assert.equal((await item(x.id, secretary)).status, 'assigned');
  // submitted again (a double click, or a change of mind): it is still open, so it is reassigned
  const again = (await ok(await town.post(`/api/v1/feedback/${x.id}/triage`, { category_id: catB.id, org_id: townId }))).item;
  assert.deepEqual([again.org_id, again.category_id, again.note], [townId, catB.id, '请支部补齐记录'], 'no note given keeps the note');
  // answered: triage is over, nothing changes
  await ok(await town.post(`/api/v1/feedback/${x.id}/reply`, { reply: '记录已补齐。' }));
  const replied = await item(x.id);
  expectError(await town.post(`/api/v1/feedback/${x.id}/triage`, { category_id: catA.id, org_id: branchA }), 409, 'invalid_state', 'status');
  const after = await item(x.id);
  assert.deepEqual([after.org_id, after.category_id, after.status], [replied.org_id, replied.category_id, 'replied']);
  // the old single-step routes still answer (API compatibility)
  assert.equal((await ok(await office.post(`/api/v1/feedback/${x.id}/classify`, { category_id: catA.id }))).item.category_id, catA.id);
});

test('the page\'s one form: a bad category shows the item again with the message beside the field; a good one saves both', async () => {
  const x = await submit({ kind: 'suggestion', text: '建议支部每月公布党费收缴情况', about_kind: 'org', about_id: branchA });
  const post = async (fields) => {
    const page = await office.get(`/feedback/${x.id}`);
    const csrf = page.text.match(/name="_csrf" value="([0-9a-f]+)"/)[1];
    return office.post(`/feedback/${x.id}/triage`, new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
      { csrf: false, headers: { 'Content-Type': 'application/x-www-form-urlencoded', Referer: `${srv.base}/feedback/${x.id}` } });
  };
  const bad = await post({ category_id: '987654', org_id: String(townId), note: '先交镇里' });
  assert.equal(bad.status, 400, bad.text.slice(0, 300));
  assert.match(bad.text, /<select id="category_id" name="category_id"[^>]*aria-invalid="true"/);
  assert.match(bad.text, /data-code="invalid_category" data-field="category_id">[^<]*分类/);
  assert.deepEqual([(await item(x.id)).status, (await item(x.id)).category_id], ['new', undefined]);
  const good = await post({ category_id: String(catB.id), org_id: String(townId), note: '先交镇里' });
  assert.equal(good.status, 303, good.text.slice(0, 300));
  assert.equal(good.headers.get('location'), `/feedback/${x.id}`);
  const it = await item(x.id);
  assert.deepEqual([it.status, it.org_id, it.category_id, it.note], ['assigned', townId, catB.id, '先交镇里']);
});

test('one-step triage of a complaint about a branch: never to the accused branch; a 举报 by 纪检 only', async () => {
  const c = await submit({ kind: 'complaint', text: '投诉支部委员办事推诿', about_kind: 'org', about_id: branchA });
  assert.equal(c.org_id, townId, 'handled above the branch');
  expectError(await office.post(`/api/v1/feedback/${c.id}/triage`, { category_id: catA.id, org_id: branchA }), 400, 'not_higher', 'org_id');
  const now = await item(c.id);
  assert.deepEqual([now.status, now.category_id, now.org_id], ['new', undefined, townId], 'the category was not set either');
  // the page offers the one form, never the accused branch
  const page = await office.get(`/feedback/${c.id}`);
  assert.match(page.text, /action="\/feedback\/\d+\/triage"/);
  assert.doesNotMatch(page.text, /action="\/feedback\/\d+\/assign"/, 'one form, not two');
  const offered = [...(page.text.match(/name="org_id" required>([\s\S]*?)<\/select>/) || ['', ''])[1].matchAll(/value="(\d+)"/g)].map((m) => Number(m[1]));
  assert.ok(offered.includes(townId) && !offered.includes(branchA), `offered ${offered}`);
  const ok1 = (await ok(await office.post(`/api/v1/feedback/${c.id}/triage`, { category_id: catB.id, org_id: townId }))).item;
  assert.deepEqual([ok1.status, ok1.org_id, ok1.category_id], ['assigned', townId, catB.id]);

  const [accused] = await memberOf(branchA);
  const r = await submit({ kind: 'report', text: '举报支部书记虚报补贴', about_kind: 'member', about_id: accused.id });
  expectError(await office.post(`/api/v1/feedback/${r.id}/triage`, { category_id: catA.id, org_id: townId }), 404, 'not_found');
  expectError(await discipline.post(`/api/v1/feedback/${r.id}/triage`, { category_id: catA.id, org_id: branchA }), 400, 'not_higher', 'org_id');
  const rr = (await ok(await discipline.post(`/api/v1/feedback/${r.id}/triage`, { category_id: catA.id, org_id: townId }))).item;
  assert.deepEqual([rr.status, rr.org_id, rr.category_id], ['assigned', townId, catA.id]);
});

test('the audit chain verifies after all of this file\'s requests', () => {
  const v = srv.cli(['audit', 'verify']);
  assert.equal(v.status, 0, v.stdout + v.stderr);
});
