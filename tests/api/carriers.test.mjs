// carriers.test.mjs: carriers that can be tracked (载体, issue 22), on this file's own demo database,
// written as a careless user or an attacker would use them. The demo's 五个一 of the first town owes
// five entries per member in the running phase 组织实施; a member fills only their own (another
// member's entry is not even visible), staff of another town reach nothing, a leader sees but may
// not fill, a secretary fills for a member of the branch (代录); bad texts, malformed JSON and bad
// uploads are refused naming the field and change nothing; entries of a phase that has ended or not
// begun are refused with a stable code; an edit makes a new version and keeps the old wording, a
// dropped item can no longer be filled; a retired carrier takes nothing more; progress rolls up the
// tree exactly and `cxzy recount` finds a roll-up edited behind the server's back.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, expectError, expectOk, sqlOn, multipartBody, PNG_1x1 as PNG } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const [office, town, leader, secretary, member, secretary2] = await Promise.all(
  ['office', 'town', 'leader', 'secretary', 'member', 'secretary2'].map((u) => loginAs(srv.base, u)));
const townId = town.user.roles[0].org_id;
const branch = secretary.user.roles[0].org_id;
const sql = (q) => sqlOn(srv.db, q);
const ok = async (r, status = 200) => expectOk(r, status);
const count = (t, where = '') => Number(sql(`SELECT count(*) FROM ${t} ${where}`));
const audits = () => count('audit_log');

const carriers = (await ok(await town.get(`/api/v1/orgs/${townId}/carriers`))).carriers;
const five = carriers.find((c) => c.name === '五个一');
assert.ok(five, 'the demo names 五个一 in the first town');
const K = `/api/v1/carriers/${five.id}`;
const view = async (who, q = '') => ok(await who.get(K + q));
const itemSum = (row, itemId) => row.items.find((x) => x.item_id === itemId);
const rowOf = (v, orgId) => v.progress.find((p) => p.org_id === orgId);
const entryState = (id) => sql(`SELECT status || ':' || version || ':' || text FROM carrier_entry WHERE id = ${id}`);

test('the demo: five items per member in the running phase, progress rolled up from the branches to the town', async () => {
  const v = await view(town);
  assert.deepEqual(v.carrier.items.map((i) => i.title), ['谏一言', '献一策', '办一件实事', '结一个对子', '学一项技术']);
  assert.deepEqual(v.carrier.phases.map((p) => [p.name, p.state]), [['动员部署', 'closed'], ['组织实施', 'open'], ['总结表彰', 'upcoming']]);
  assert.equal(v.phase_id, v.carrier.phases[1].id, 'the running phase is shown by default');
  const members = Number(sql(`SELECT count(*) FROM member m JOIN org o ON o.id = m.org_id WHERE m.active = 1 AND o.active = 1 AND o.path LIKE (SELECT path FROM org WHERE id = ${townId}) || '%'`));
  const top = rowOf(v, townId);
  for (const it of v.carrier.items) assert.equal(itemSum(top, it.id).due, members, `${it.title}: one entry per member of the town`);
  assert.equal(top.items.reduce((s, x) => s + x.done, 0), 5, 'the demo filled five entries');
  // the town's figure is the sum of its children's
  const kids = v.progress.filter((p) => p.org_id !== townId);
  assert.ok(kids.length > 0);
  for (const it of v.carrier.items)
    assert.equal(kids.reduce((s, k) => s + (itemSum(k, it.id)?.due || 0), 0), itemSum(top, it.id).due);
  assert.equal(srv.cli(['recount']).status, 0, 'the demo roll-up agrees with its entries');
});

let mine, other;
test('a member sees and fills only their own entries, with evidence; the roll-up follows at the branch and the town', async () => {
  const v = await view(member);
  assert.equal(v.progress, undefined, 'a member is shown no roll-up');
  assert.equal(v.entries.length, 5);
  assert.ok(v.entries.every((e) => e.member_id === member.user.member_id && e.can_fill));
  mine = v.entries.find((e) => e.status === 'due');
  const before = await view(town, `?org_id=${branch}`);
  const r = await ok(await member.req('POST', `/api/v1/carrier-entries/${mine.id}`,
    await multipartBody([['text', '在支部会上建议整修村道'], ['evidence', PNG, '建议书.png']])));
  assert.equal(r.entry.status, 'done');
  assert.equal(r.entry.files.length, 1);
  const after_ = await view(town, `?org_id=${branch}`);
  assert.equal(itemSum(rowOf(after_, branch), mine.item_id).done, itemSum(rowOf(before, branch), mine.item_id).done + 1);
  const t0 = itemSum(rowOf(await view(town), townId), mine.item_id).done;
  // a second filling edits the text, not the count
  await ok(await member.post(`/api/v1/carrier-entries/${mine.id}`, { text: '补充：已列入村里计划' }));
  assert.equal(itemSum(rowOf(await view(town), townId), mine.item_id).done, t0);
  // the evidence file: the member and staff over the branch; not the other town's secretary
  const file = r.entry.files[0];
  assert.equal((await member.get(`/api/v1/carrier-files/${file.id}`)).status, 200);
  assert.equal((await secretary.get(`/api/v1/carrier-files/${file.id}`)).status, 200);
  expectError(await secretary2.get(`/api/v1/carrier-files/${file.id}`), 404, 'not_found');
  other = (await view(secretary)).entries.find((e) => e.member_id !== member.user.member_id && e.status === 'due');
  assert.ok(other, 'the secretary sees the branch\'s other members\' entries');
});

test('another member\'s entry, another town and a leader: refused, nothing changes', async () => {
  const before = [entryState(other.id), count('carrier_file'), audits()];
  expectError(await member.get(`/api/v1/carrier-entries/${other.id}`), 404, 'not_found', 'id');
  expectError(await member.post(`/api/v1/carrier-entries/${other.id}`, { text: '冒名填报' }), 404, 'not_found', 'id');
  expectError(await secretary2.post(`/api/v1/carrier-entries/${other.id}`, { text: '越权填报' }), 404, 'not_found', 'id');
  expectError(await secretary2.get(K), 404, 'not_found', 'id');
  expectError(await secretary2.patch(K, { name: '越权修改' }), 404, 'not_found', 'id');
  expectError(await leader.post(`/api/v1/carrier-entries/${other.id}`, { text: '领导代填' }), 403, 'forbidden');
  expectError(await member.patch(K, { name: '党员修改' }), 403, 'forbidden');
  expectError(await secretary.patch(K, { name: '支部改镇的载体' }), 403, 'forbidden');
  expectError(await secretary.post(`${K}/retire`, { reason: '支部停用镇的载体' }), 403, 'forbidden');
  assert.deepEqual([entryState(other.id), count('carrier_file'), audits()], before);
  // the secretary fills it for the member (代录)
  const r = await ok(await secretary.post(`/api/v1/carrier-entries/${other.id}`, { text: '代录：结对帮扶一户困难群众' }));
  assert.equal(r.entry.status, 'done');
  assert.match(r.entry.done_by, /支部书记/);
});

test('bad input is refused naming the field and changes nothing', async () => {
  const e = (await view(member)).entries.find((x) => x.status === 'due');
  const before = [entryState(e.id), count('carrier_file'), count('carrier_tally', 'WHERE done > 0'), audits()];
  const url = `/api/v1/carrier-entries/${e.id}`;
  expectError(await member.post(url, { text: '' }), 400, 'required', 'text');
  expectError(await member.post(url, {}), 400, 'required', 'text');
  expectError(await member.post(url, { text: '长'.repeat(2001) }), 400, 'too_long', 'text');
  expectError(await member.post(url, { text: ['数组'] }), 400, 'invalid_text', 'text');
  expectError(await member.req('POST', url, { body: '{"text":', headers: { 'Content-Type': 'application/json' } }), 400, 'invalid_json');
  expectError(await member.req('POST', url, await multipartBody([['text', '附件不对'], ['evidence', Buffer.from('not a file type'), '假.png']])), 400, 'evidence_type', 'evidence');
  expectError(await member.req('POST', url, await multipartBody([['text', '附件太多'], ...Array.from({ length: 6 }, (_, i) => ['evidence', PNG, `p${i}.png`])])), 400, 'too_many_files', 'evidence');
  expectError(await member.req('POST', `/api/v1/carrier-entries/abc`, { body: { text: 'x' } }), 404, 'not_found', 'id');
  // carrier edits: bad item lines, naming the line
  const edits = [
    [{ items: '谏一言 | 群众 | 建议' }, 'invalid_target'], [{ items: '没有对象的一行' }, 'invalid_item'],
    [{ items: '谏一言 | 党员\n谏一言 | 党员' }, 'duplicate_item'], [{ items: '' }, 'required'],
    [{ items: ' | 党员 | 无名' }, 'required'], [{ items: Array.from({ length: 21 }, (_, i) => `事项${i} | 党员`).join('\n') }, 'too_many_items'],
  ];
  for (const [b, code] of edits) expectError(await town.patch(K, b), 400, code, 'items');
  expectError(await town.patch(K, { name: '' }), 400, 'required', 'name');
  expectError(await town.post(`${K}/phases`, {}), 400, 'required', 'phase_id');
  expectError(await town.post(`${K}/phases`, { phase_id: 'x' }), 400, 'invalid_id', 'phase_id');
  expectError(await town.post(`${K}/retire`, { reason: '' }), 400, 'required', 'reason');
  assert.deepEqual([entryState(e.id), count('carrier_file'), count('carrier_tally', 'WHERE done > 0'), audits()], before);
  assert.equal((await view(town)).carrier.version, 1);
});

test('phases: an entry of a phase that has ended or not begun is refused; another campaign\'s phase cannot be opened', async () => {
  const phases = (await view(town)).carrier.phases;
  const [past, , ahead] = phases;
  const opened = await ok(await town.post(`${K}/phases`, { phase_id: past.id }));
  assert.ok(opened.entries_added > 0);
  assert.equal((await ok(await town.post(`${K}/phases`, { phase_id: past.id }))).entries_added, 0, 'opening again adds nothing');
  await ok(await town.post(`${K}/phases`, { phase_id: ahead.id }));
  for (const [ph, code] of [[past, 'phase_closed'], [ahead, 'phase_not_open']]) {
    const e = (await view(member, `?phase_id=${ph.id}`)).entries[0];
    assert.equal(e.can_fill, false);
    const before = [entryState(e.id), audits()];
    const err = expectError(await member.post(`/api/v1/carrier-entries/${e.id}`, { text: '阶段外填报' }), 409, code, 'id');
    assert.match(err.message, new RegExp(ph.name));
    assert.deepEqual([entryState(e.id), audits()], before);
  }
  // a phase of a campaign of the town's own (not the carrier's)
  const own = (await ok(await town.post(`/api/v1/orgs/${townId}/campaigns`, { theme: '镇自己的活动', start_date: past.start_date, end_date: ahead.end_date }), 201));
  const cid = own.campaign_id || own.campaign?.id || own.id;
  const ph = await ok(await town.post(`/api/v1/campaigns/${cid}/phases`, { name: '别的阶段', start_date: past.start_date, end_date: past.end_date }), 201);
  expectError(await town.post(`${K}/phases`, { phase_id: ph.phase_id }), 400, 'invalid_phase', 'phase_id');
  expectError(await town.get(`${K}?phase_id=${ph.phase_id}`), 400, 'invalid_phase', 'phase_id');
});

test('an edit makes a new version, keeps the old wording and retires a dropped item', async () => {
  const v1 = await view(town);
  const dropped = v1.carrier.items.find((i) => i.title === '学一项技术');
  const dueEntry = Number(sql(`SELECT min(id) FROM carrier_entry WHERE item_id = ${dropped.id} AND member_id = ${member.user.member_id} AND phase_id = ${v1.phase_id}`));
  const items = '谏一言 | 党员 | 书面建议\n献一策 | 党员\n办一件实事 | 党员 | 照片\n结一个对子 | 党员\n帮一户困难群众 | 组织 | 帮扶记录';
  const v2 = await ok(await town.patch(K, { items }));
  assert.equal(v2.version, 2);
  assert.equal(v2.carrier.version, 2);
  assert.equal(v2.carrier.name, '五个一', 'a name left out stays');
  const kept = v2.carrier.items.find((i) => i.title === '谏一言');
  assert.equal(kept.id, v1.carrier.items[0].id, 'an item kept keeps its entries');
  assert.equal(v2.carrier.items.find((i) => i.id === dropped.id).retired, true);
  assert.equal(v2.carrier.versions[0].version, 1);
  assert.match(v2.carrier.versions[0].items, /学一项技术 \| 党员/);
  const err = expectError(await member.post(`/api/v1/carrier-entries/${dueEntry}`, { text: '已取消的事项' }), 409, 'item_retired', 'id');
  assert.match(err.message, /学一项技术/);
  // the new org item owes one entry per branch once the phase is opened again
  const added = (await ok(await town.post(`${K}/phases`, { phase_id: v1.phase_id }))).entries_added;
  const branches = Number(sql(`SELECT count(*) FROM org o WHERE o.active = 1 AND o.path LIKE (SELECT path FROM org WHERE id = ${townId}) || '%' AND NOT EXISTS (SELECT 1 FROM org c WHERE c.parent_id = o.id AND c.active = 1)`));
  assert.equal(added, branches);
  const orgEntry = (await view(secretary)).entries.find((e) => e.target === 'org');
  assert.ok(orgEntry && orgEntry.can_fill, 'the branch secretary fills the branch\'s entry');
  expectError(await member.post(`/api/v1/carrier-entries/${orgEntry.id}`, { text: '党员填支部的事项' }), 404, 'not_found');
  await ok(await secretary.post(`/api/v1/carrier-entries/${orgEntry.id}`, { text: '帮扶困难户王某' }));
  assert.equal(srv.cli(['recount']).status, 0, srv.cli(['recount']).stdout);
});

test('recount finds a roll-up edited behind the server\'s back and fixes it', async () => {
  sql(`UPDATE carrier_tally SET done = done + 7 WHERE org_id = ${branch} AND item_id = ${mine.item_id}`);
  assert.equal(itemSum(rowOf(await view(town), townId), mine.item_id).done >= 7, true, 'the edited counter shows in the town\'s sum');
  const r = srv.cli(['recount']);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /载体事项 .*已填 \d+ 项，按原始记录应为应填 \d+ 项、已填 \d+ 项/);
  assert.equal(srv.cli(['recount', '--fix']).status, 1);
  assert.equal(srv.cli(['recount']).status, 0);
});

test('a retired carrier takes no more entries or edits; the page shows it', async () => {
  const e = (await view(member)).entries.find((x) => x.status === 'due' && x.can_fill);
  await ok(await town.post(`${K}/retire`, { reason: '本年度活动结束' }));
  const before = [entryState(e.id), audits()];
  expectError(await member.post(`/api/v1/carrier-entries/${e.id}`, { text: '停用后填报' }), 409, 'carrier_retired', 'id');
  expectError(await town.patch(K, { name: '停用后修改' }), 409, 'carrier_retired', 'id');
  expectError(await town.post(`${K}/retire`, { reason: '再停用' }), 409, 'carrier_retired', 'id');
  assert.deepEqual([entryState(e.id), audits()], before);
  const page = await member.get(`/carriers/${five.id}`);
  assert.equal(page.status, 200);
  assert.match(page.text, /五个一/);
  assert.match(page.text, /已停用/);
  assert.match(page.text, /本年度活动结束/);
  assert.doesNotMatch(page.text, /action="\/carrier-entries\//, 'no entry form on a retired carrier');
});

test('pages: the member\'s carrier page with its entry forms; staff see progress; the edit form is the town\'s', async () => {
  // a fresh carrier of the branch with one item, opened for the running phase
  const made = await ok(await secretary.post(`/api/v1/orgs/${branch}/carriers`, { campaign_id: five.campaign_id, name: '设岗定责', description: '每名党员认领一个岗位', items: '认领岗位 | 党员 | 岗位职责和承诺 <b>' }), 201);
  const k = made.carrier_id;
  const ph = (await ok(await secretary.get(`/api/v1/carriers/${k}`))).carrier.phases.find((p) => p.state === 'open');
  await ok(await secretary.post(`/api/v1/carriers/${k}/phases`, { phase_id: ph.id }));
  const page = await member.get(`/carriers/${k}`);
  assert.equal(page.status, 200);
  assert.match(page.text, /进行中/);
  assert.match(page.text, /action="\/carrier-entries\/\d+"/);
  assert.match(page.text, /name="_csrf"/);
  assert.match(page.text, /岗位职责和承诺 &lt;b&gt;/, 'item text is escaped');
  assert.doesNotMatch(page.text, /id="edit"/);
  const staffPage = await secretary.get(`/carriers/${k}`);
  assert.match(staffPage.text, /id="progress"/);
  assert.match(staffPage.text, /id="edit"/);
  // a form post without the CSRF token changes nothing
  const entry = (await ok(await member.get(`/api/v1/carriers/${k}`))).entries[0];
  const r = await member.req('POST', `/carrier-entries/${entry.id}`, { body: new URLSearchParams({ text: '无令牌' }), csrf: false });
  assert.equal(r.status, 403);
  assert.equal(entryState(entry.id).split(':')[0], 'due');
});

test('a branch moved to another town: the progress follows the tree and recount finds nothing', async () => {
  const v = await view(town);
  const item = v.carrier.items.find((i) => !i.retired);
  const ownDue = itemSum(rowOf(await view(town, `?org_id=${branch}`), branch), item.id).due;
  const townDue = itemSum(rowOf(v, townId), item.id).due;
  const otherTown = (await ok(await office.get(`/api/v1/orgs/${secretary2.user.roles[0].org_id}`))).org.parent_id;
  await ok(await office.post(`/api/v1/orgs/${branch}/move`, { parent_id: otherTown }));
  assert.equal(itemSum(rowOf(await view(town), townId), item.id).due, townDue - ownDue);
  const r = srv.cli(['recount']);
  assert.equal(r.status, 0, r.stdout);
});
