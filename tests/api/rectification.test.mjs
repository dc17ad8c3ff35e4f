// rectification.test.mjs: rectification items (整改) over HTTP, on this file's own demo database:
// the path create → evidence → submit → verify (销号) by the town office; reopen with a reason and
// a new due date; cancel by the creator; every refusal with its code and nothing changed (the
// responsible secretary verifying its own item, a member or a leader acting, submitting without a
// note or without evidence and reason, bad due dates, an organisation outside the subtree → 404);
// overdue items escalated to the parent by `cxzy escalate --today …` (once per due date) and
// listed there; lists by scope, status and overdue; the XLSX export; the pages.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServerOn, Client, loginAs, expectError, multipartBody, daysFromToday, PNG_1x1 as PNG, unzip } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const [office, town, secretary, member, leader, discipline, secretary2] = await Promise.all(
  ['office', 'town', 'secretary', 'member', 'leader', 'discipline', 'secretary2'].map((u) => loginAs(srv.base, u)));
const rootId = office.user.roles[0].org_id;
const townId = town.user.roles[0].org_id;
const branch = secretary.user.roles[0].org_id; // 兴河镇机关党支部, under the town
const branchB = secretary2.user.roles[0].org_id; // a branch in another town
const townName = (await office.get(`/api/v1/orgs/${townId}`)).json.org.name;
const today = daysFromToday(0);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

async function ok(r, status = 200) {
  assert.equal(r.status, status, `${r.status} ${r.text.slice(0, 400)}`);
  return r.json;
}
let n = 0;
const newItem = (over = {}) => ({
  source: 'inspection', problem: `三会一课记录不全 ${++n}`, measure: '补齐近三个月的会议记录，建立台账。',
  owner: '王书记', due_date: daysFromToday(30), ...over,
});
const create = (c, org, over) => c.post(`/api/v1/orgs/${org}/rectifications`, newItem(over));
const act = (c, id, action, body) => c.post(`/api/v1/rectifications/${id}/${action}`, body);
const upload = async (c, id, files) => c.req('POST', `/api/v1/rectifications/${id}/evidence`, await multipartBody(files));
const get = async (id) => (await ok(await office.get(`/api/v1/rectifications/${id}`)));

/** What a refused request must leave alone: the item (read by the office), the lists of the
 * branch and the town, and the audit head. */
async function snap(id) {
  const [x, l1, l2, audit] = await Promise.all([
    id ? office.get(`/api/v1/rectifications/${id}`) : null, office.get(`/api/v1/orgs/${branch}/rectifications?per_page=500`),
    office.get(`/api/v1/orgs/${townId}/rectifications?scope=escalated&per_page=500`), office.get(`/api/v1/orgs/${rootId}/audit`)]);
  return { x: x && x.json, l1: l1.json, l2: l2.json, audit: audit.json.records[0].seq };
}
async function refused(id, what, send, status, code, field) {
  const before = await snap(id);
  const r = await send();
  try { expectError(r, status, code, field); } catch (e) { e.message = `${what}: ${e.message}`; throw e; }
  assert.deepEqual(await snap(id), before, `${what} was refused but changed something`);
  return r.json.error;
}
const auditOf = async (id) => (await ok(await office.get(`/api/v1/orgs/${rootId}/audit`))).records
  .filter((a) => a.entity === 'rectification' && a.entity_id === id).map((a) => a.action).reverse();

test('the path: the town office creates, the branch uploads evidence and submits, the town office verifies (销号)', async () => {
  const body = newItem();
  const x = (await ok(await create(town, branch, body), 201)).rectification;
  assert.equal(x.status, 'open');
  assert.equal(x.status_label, '整改中');
  assert.equal(x.org_id, branch);
  assert.equal(x.source, 'inspection');
  for (const k of ['problem', 'measure', 'owner', 'due_date']) assert.equal(x[k], body[k], k);
  assert.equal(x.evidence_count, 0);
  assert.equal(x.overdue, false);

  // the responsible secretary sees it in the branch's own list and the town in its subtree
  assert.ok((await ok(await secretary.get(`/api/v1/orgs/${branch}/rectifications?scope=own`))).rectifications.some((r) => r.id === x.id));
  assert.ok((await ok(await town.get(`/api/v1/orgs/${townId}/rectifications`))).rectifications.some((r) => r.id === x.id));
  assert.ok(!(await ok(await town.get(`/api/v1/orgs/${townId}/rectifications?scope=own`))).rectifications.some((r) => r.id === x.id));

  const up = await ok(await upload(secretary, x.id, [['evidence', PNG, '会议记录.png'], ['evidence', PDF, '台账.pdf']]), 201);
  assert.equal(up.rectification.evidence_count, 2);
  const detail = await get(x.id);
  assert.deepEqual(detail.evidence.map((f) => [f.name, f.mime, f.image]), [['会议记录.png', 'image/png', true], ['台账.pdf', 'application/pdf', false]]);
  const file = await town.get(`/api/v1/rectification-evidence/${detail.evidence[0].id}`);
  assert.equal(file.status, 200);
  assert.match(file.headers.get('content-type'), /^image\/png/);
  assert.ok(file.buf.equals(PNG));
  assert.equal(file.headers.get('content-disposition'), null, 'a photo is shown');
  const pdf = await discipline.get(`/rectification-evidence/${detail.evidence[1].id}`);
  assert.ok(pdf.buf.equals(PDF));
  assert.equal(pdf.headers.get('content-disposition'), 'attachment', 'a PDF is downloaded, never shown inline');
  assert.equal(detail.can.verify, false, 'the office sees no verify button before submission');

  const sub = (await ok(await act(secretary, x.id, 'submit', { note: '已补齐会议记录并建立台账。' }))).rectification;
  assert.equal(sub.status, 'submitted');
  assert.equal(sub.completion_note, '已补齐会议记录并建立台账。');
  assert.equal(sub.submitted_on, today);
  assert.equal(sub.no_evidence_reason, '');

  const done = (await ok(await act(town, x.id, 'verify', { note: '经查，整改到位。' }))).rectification;
  assert.equal(done.status, 'verified');
  assert.equal(done.status_label, '已销号');
  assert.equal(done.verified_on, today);
  assert.equal(done.verify_note, '经查，整改到位。');
  assert.ok(done.verified_by.length > 0);
  assert.ok(done.version > x.version);

  const h = (await get(x.id)).history;
  assert.deepEqual(h.map((e) => e.action), ['create', 'evidence', 'submit', 'verify']);
  assert.equal(h[1].note, '会议记录.png、台账.pdf');
  assert.equal(h[2].note, '已补齐会议记录并建立台账。');
  assert.deepEqual(await auditOf(x.id), ['create', 'evidence', 'submit', 'verify']);
  // verified is final
  await refused(x.id, 'reopen a verified item', () => act(town, x.id, 'reopen', { reason: '再看看' }), 409, 'invalid_transition');
  await refused(x.id, 'evidence on a verified item', () => upload(secretary, x.id, [['evidence', PNG, 'x.png']]), 409, 'invalid_transition');
});

test('reopen with a reason and a new due date; submit without files needs the reason there are none', async () => {
  // the branch records a problem of its own (self-review) and fixes it without paper
  const x = (await ok(await create(secretary, branch, { source: 'self_review', source_id: 77 }), 201)).rectification;
  assert.equal(x.source, 'self_review');
  assert.equal(x.source_kind, 'review');
  assert.equal(x.source_id, 77);
  const e = await refused(x.id, 'submit without evidence or a reason', () => act(secretary, x.id, 'submit', { note: '已整改' }),
    400, 'evidence_required', 'no_evidence_reason');
  assert.match(e.message, /佐证/);
  await refused(x.id, 'submit without a note', () => act(secretary, x.id, 'submit', { no_evidence_reason: '口头整改' }), 400, 'required', 'note');
  await refused(x.id, 'submit with a blank note', () => act(secretary, x.id, 'submit', { note: ' \u3000 ', no_evidence_reason: '口头整改' }), 400, 'required', 'note');
  const sub = (await ok(await act(secretary, x.id, 'submit', { note: '已当面整改。', no_evidence_reason: '属口头提醒，无书面材料' }))).rectification;
  assert.equal(sub.status, 'submitted');
  assert.equal(sub.no_evidence_reason, '属口头提醒，无书面材料');

  // the responsible secretary may not verify or reopen its own item
  const own = await refused(x.id, 'the responsible secretary verifies its own item', () => act(secretary, x.id, 'verify', {}), 403, 'not_allowed');
  assert.match(own.message, /上级/);
  await refused(x.id, 'the responsible secretary reopens its own item', () => act(secretary, x.id, 'reopen', { reason: '自己退回' }), 403, 'not_allowed');
  await refused(x.id, 'reopen without a reason', () => act(office, x.id, 'reopen', { due_date: daysFromToday(40) }), 400, 'required', 'reason');
  await refused(x.id, 'reopen to a past due date', () => act(office, x.id, 'reopen', { reason: '不到位', due_date: daysFromToday(-1) }), 400, 'date_in_past', 'due_date');
  await refused(x.id, 'reopen to a date that is not one', () => act(office, x.id, 'reopen', { reason: '不到位', due_date: '2026-02-30' }), 400, 'invalid_date', 'due_date');

  const newDue = daysFromToday(45);
  const back = (await ok(await act(office, x.id, 'reopen', { reason: '要有书面整改记录', due_date: newDue }))).rectification;
  assert.equal(back.status, 'open');
  assert.equal(back.due_date, newDue);
  assert.equal(back.reopen_reason, '要有书面整改记录');
  assert.equal(back.completion_note, '', 'the old submission is history, not the current state');
  assert.equal(back.submitted_on, '');

  // reopen without a new due date keeps it
  await ok(await upload(secretary, x.id, [['evidence', PNG, '整改记录.png']]), 201);
  await ok(await act(secretary, x.id, 'submit', { note: '已形成书面整改记录。' }));
  const again = (await ok(await act(town, x.id, 'reopen', { reason: '签字不全' }))).rectification;
  assert.equal(again.due_date, newDue);
  await ok(await act(secretary, x.id, 'submit', { note: '已补签字。' }));
  assert.equal((await ok(await act(town, x.id, 'verify'))).rectification.status, 'verified');
  const h = (await get(x.id)).history;
  assert.deepEqual(h.map((e) => e.action), ['create', 'submit', 'reopen', 'evidence', 'submit', 'reopen', 'submit', 'verify']);
  assert.equal(h[1].note, '已当面整改。');
  assert.equal(h[2].note, '要有书面整改记录');
  assert.equal(h[2].due_date, newDue);
  assert.deepEqual(await auditOf(x.id), ['create', 'submit', 'reopen', 'evidence', 'submit', 'reopen', 'submit', 'verify']);
});

test('cancel: only the creator, only while open, only with a reason', async () => {
  const x = (await ok(await create(town, branch), 201)).rectification;
  await refused(x.id, 'the responsible secretary cancels the town\'s item', () => act(secretary, x.id, 'cancel', { reason: '不想整改' }), 403, 'not_allowed');
  await refused(x.id, 'the root office cancels the town\'s item', () => act(office, x.id, 'cancel', { reason: '重复' }), 403, 'not_allowed');
  await refused(x.id, 'cancel without a reason', () => act(town, x.id, 'cancel', { reason: '' }), 400, 'required', 'reason');
  const c = (await ok(await act(town, x.id, 'cancel', { reason: '与第 1 项重复' }))).rectification;
  assert.equal(c.status, 'cancelled');
  assert.equal(c.cancel_reason, '与第 1 项重复');
  await refused(x.id, 'submit a cancelled item', () => act(secretary, x.id, 'submit', { note: '已整改', no_evidence_reason: '无' }), 409, 'invalid_transition');
  await refused(x.id, 'cancel twice', () => act(town, x.id, 'cancel', { reason: '再撤' }), 409, 'invalid_transition');
  // a submitted item may no longer be cancelled
  const y = (await ok(await create(town, branch), 201)).rectification;
  await ok(await act(secretary, y.id, 'submit', { note: '已整改', no_evidence_reason: '无' }));
  await refused(y.id, 'cancel a submitted item', () => act(town, y.id, 'cancel', { reason: '撤销' }), 409, 'invalid_transition');
  assert.deepEqual(await auditOf(x.id), ['create', 'cancel']);
});

test('refused creations: bad input, members and leaders, organisations outside the subtree — nothing made', async () => {
  const bad = [
    [{ due_date: '2026-02-30' }, 'invalid_date', 'due_date'],
    [{ due_date: '明天' }, 'invalid_date', 'due_date'],
    [{ due_date: daysFromToday(-1) }, 'date_in_past', 'due_date'],
    [{ due_date: daysFromToday(800) }, 'date_too_far', 'due_date'],
    [{ due_date: '' }, 'required', 'due_date'],
    [{ owner: '' }, 'required', 'owner'],
    [{ owner: '王'.repeat(31) }, 'too_long', 'owner'],
    [{ owner: '张三\n李四' }, 'invalid_text', 'owner'],
    [{ problem: '   ' }, 'required', 'problem'],
    [{ measure: '措'.repeat(1001) }, 'too_long', 'measure'],
    [{ source: 'rumour' }, 'invalid_source', 'source'],
    [{ source_id: -3 }, 'invalid_source_id', 'source_id'],
    [{ source_id: 'abc' }, 'invalid_source_id', 'source_id'],
    [{ source_id: 5, source_kind: 'Grade!' }, 'invalid_source_kind', 'source_kind'],
    [{ member_id: 987654321 }, 'invalid_member', 'member_id'],
    [{ problem: { text: 'x' } }, 'invalid_text', 'problem'],
  ];
  for (const [over, code, field] of bad)
    await refused(null, `create with ${JSON.stringify(over).slice(0, 60)}`, () => create(town, branch, over), 400, code, field);
  // a member of another organisation
  const other = (await ok(await office.get(`/api/v1/orgs/${branchB}/members?per_page=1`))).members[0];
  await refused(null, 'a member of another branch', () => create(town, branch, { member_id: other.id }), 400, 'invalid_member', 'member_id');
  // roles: a member or a leader may not create; outside the subtree looks like a missing org
  await refused(null, 'a member creates', () => create(member, branch), 403, 'forbidden');
  await refused(null, 'a leader creates', () => create(leader, branch), 403, 'forbidden');
  await refused(null, 'discipline creates', () => create(discipline, branch), 403, 'forbidden');
  await refused(null, 'secretary2 creates in the first branch', () => create(secretary2, branch), 404, 'not_found');
  await refused(null, 'the branch secretary creates for its town', () => create(secretary, townId), 404, 'not_found');
  await refused(null, 'an org that does not exist', () => create(office, 987654321), 404, 'not_found');
  // and a member concerned, when it belongs to the branch
  const mine = (await ok(await office.get(`/api/v1/orgs/${branch}/members?per_page=1`))).members[0];
  const x = (await ok(await create(secretary, branch, { member_id: mine.id, source: 'grade', source_id: 12 }), 201)).rectification;
  assert.equal(x.member_id, mine.id);
  assert.equal(x.member_name, mine.name);
  assert.deepEqual([x.source, x.source_kind, x.source_id], ['grade', 'grade', 12]);
  // texts are stored trimmed
  const t = (await ok(await create(secretary, branch, { owner: '  李四\u3000', problem: '\n 问题 \n' }), 201)).rectification;
  assert.deepEqual([t.owner, t.problem], ['李四', '问题']);
});

test('refused actions on an item: members, leaders, outsiders (404 like a missing item), wrong states, bad files', async () => {
  const x = (await ok(await create(town, branch), 201)).rectification;
  for (const [c, who] of [[member, 'member'], [leader, 'leader'], [discipline, 'discipline']]) {
    await refused(x.id, `${who} submits`, () => act(c, x.id, 'submit', { note: '已整改', no_evidence_reason: '无' }), 403, 'forbidden');
    await refused(x.id, `${who} uploads`, () => upload(c, x.id, [['evidence', PNG, 'a.png']]), 403, 'forbidden');
  }
  expectError(await member.get(`/api/v1/rectifications/${x.id}`), 403, 'forbidden');
  expectError(await member.get(`/api/v1/orgs/${branch}/rectifications`), 403, 'forbidden');
  // leaders and discipline inspectors read
  assert.equal((await ok(await leader.get(`/api/v1/rectifications/${x.id}`))).rectification.id, x.id);
  assert.equal((await ok(await discipline.get(`/api/v1/rectifications/${x.id}`))).can.verify, false);

  const missing = await secretary2.get('/api/v1/rectifications/987654321');
  const hidden = await secretary2.get(`/api/v1/rectifications/${x.id}`);
  assert.deepEqual([hidden.status, hidden.json], [missing.status, missing.json]);
  expectError(hidden, 404, 'not_found');
  assert.ok(!hidden.text.includes(x.problem));
  await refused(x.id, 'secretary2 submits in the first branch', () => act(secretary2, x.id, 'submit', { note: '越权', no_evidence_reason: '无' }), 404, 'not_found');
  await refused(x.id, 'secretary2 uploads in the first branch', () => upload(secretary2, x.id, [['evidence', PNG, 'a.png']]), 404, 'not_found');
  expectError(await secretary2.get(`/api/v1/orgs/${branch}/rectifications`), 404, 'not_found');
  expectError(await town.get(`/api/v1/orgs/${branchB}/rectifications`), 404, 'not_found');
  for (const p of [`/rectifications/${x.id}`, `/orgs/${branch}/rectifications`, `/orgs/${branch}/rectifications/new`, `/orgs/${branch}/rectifications?format=xlsx`]) {
    const r = await secretary2.get(p);
    assert.equal(r.status, 404, p);
    assert.ok(!r.text.includes(x.problem), p);
  }

  // wrong states and wrong people
  await refused(x.id, 'verify an open item', () => act(town, x.id, 'verify', {}), 409, 'invalid_transition');
  await refused(x.id, 'the town office submits for the branch', () => act(town, x.id, 'submit', { note: '代交', no_evidence_reason: '无' }), 403, 'not_allowed');
  await refused(x.id, 'the town office uploads for the branch', () => upload(town, x.id, [['evidence', PNG, 'a.png']]), 403, 'not_allowed');
  await refused(x.id, 'an unknown action', () => act(town, x.id, 'approve', {}), 404, 'not_found');

  // files: typed by content, not empty, at most 5 at once
  await refused(x.id, 'a text file named .png', () => upload(secretary, x.id, [['evidence', Buffer.from('not an image'), 'fake.png']]), 400, 'evidence_type', 'evidence');
  await refused(x.id, 'an empty file', () => upload(secretary, x.id, [['evidence', Buffer.alloc(0), 'empty.png']]), 400, 'evidence_empty', 'evidence');
  await refused(x.id, 'no file', () => upload(secretary, x.id, [['note', 'x']]), 400, 'required', 'evidence');
  await refused(x.id, 'six files', () => upload(secretary, x.id, Array.from({ length: 6 }, (_, i) => ['evidence', PNG, `p${i}.png`])), 400, 'too_many_files', 'evidence');
  await refused(x.id, 'a file over 5 MB', () => upload(secretary, x.id, [['evidence', Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024)]), 'big.png']]), 413, 'evidence_too_large', 'evidence');
  // at most 20 per item
  for (let i = 0; i < 4; i++) await ok(await upload(secretary, x.id, Array.from({ length: 5 }, (_, k) => ['evidence', PNG, `第${i}-${k}张.png`])), 201);
  await refused(x.id, 'a 21st file', () => upload(secretary, x.id, [['evidence', PNG, '多余.png']]), 400, 'too_many_files', 'evidence');
  // evidence of another branch's item: like a missing file
  const ev = (await get(x.id)).evidence[0];
  const em = await secretary2.get('/api/v1/rectification-evidence/987654321');
  const eh = await secretary2.get(`/api/v1/rectification-evidence/${ev.id}`);
  assert.deepEqual([eh.status, eh.json], [em.status, em.json]);
  expectError(await member.get(`/api/v1/rectification-evidence/${ev.id}`), 403, 'forbidden');
});

test('overdue items escalate to the parent once per due date (`cxzy escalate --today`), and are listed there', async () => {
  const x = (await ok(await create(town, branch, { due_date: daysFromToday(1), problem: '逾期测试：阵地建设不达标' }), 201)).rectification;
  const verified = (await ok(await create(town, branch, { due_date: daysFromToday(1) }), 201)).rectification;
  await ok(await act(secretary, verified.id, 'submit', { note: '已整改', no_evidence_reason: '现场整改' }));
  await ok(await act(town, verified.id, 'verify'));
  const later = (await ok(await create(town, branch, { due_date: daysFromToday(10) }), 201)).rectification;

  // not overdue yet: nothing escalates on or before the due date
  const none = srv.cli(['escalate', '--today', daysFromToday(1)]);
  assert.equal(none.status, 0, none.stderr);
  assert.ok(!none.stdout.includes(`整改事项 ${x.id}（`), none.stdout);

  const d3 = daysFromToday(3);
  // every command takes the shared options: --as names the operator in the audit log
  const run = srv.cli(['escalate', '--today', d3, '--as', '李值班']);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout, new RegExp(`整改事项 ${x.id}（[^）]*）已逾期，上报至${townName}`));
  assert.ok(!run.stdout.includes(`整改事项 ${verified.id}（`), 'a verified item does not escalate');
  assert.ok(!run.stdout.includes(`整改事项 ${later.id}（`), 'an item not yet due does not escalate');

  const e = (await get(x.id)).rectification;
  assert.equal(e.escalated_to, townId);
  assert.equal(e.escalated_to_name, townName);
  assert.equal(e.escalated_on, d3);
  assert.equal(e.status, 'open', 'escalation does not change the status');
  const h = (await get(x.id)).history;
  assert.equal(h.at(-1).action, 'escalate');
  assert.equal(h.at(-1).on_date, d3);
  assert.match(h.at(-1).note, /逾期 2 天/);
  assert.deepEqual(await auditOf(x.id), ['create', 'escalate']);
  const escAudit = (await ok(await office.get(`/api/v1/orgs/${rootId}/audit`))).records
    .find((a) => a.entity === 'rectification' && a.entity_id === x.id && a.action === 'escalate');
  assert.equal(escAudit.actor, '命令行（李值班）');

  // listed at the parent: escalated to it, and overdue in its subtree as of that day
  const esc = (await ok(await town.get(`/api/v1/orgs/${townId}/rectifications?scope=escalated`))).rectifications;
  assert.ok(esc.some((r) => r.id === x.id));
  assert.ok(!esc.some((r) => r.id === later.id));
  assert.ok(!(await ok(await office.get(`/api/v1/orgs/${rootId}/rectifications?scope=escalated`))).rectifications.some((r) => r.id === x.id),
    'escalated to the parent, not to the root');
  const od = (await ok(await town.get(`/api/v1/orgs/${townId}/rectifications?overdue=1&as_of=${d3}&per_page=500`))).rectifications;
  assert.ok(od.some((r) => r.id === x.id));
  assert.ok(!od.some((r) => r.id === verified.id) && !od.some((r) => r.id === later.id));
  assert.ok(!(await ok(await town.get(`/api/v1/orgs/${townId}/rectifications?overdue=1&per_page=500`))).rectifications.some((r) => r.id === x.id),
    'not overdue today');
  assert.ok((await ok(await office.get(`/api/v1/orgs/${rootId}/rectifications?overdue=1&as_of=${d3}&per_page=500`))).rectifications.some((r) => r.id === x.id),
    'the root sees its subtree\'s overdue items too');
  // the escalated list is visible to the town, not to the other town's secretary
  expectError(await secretary2.get(`/api/v1/orgs/${townId}/rectifications?scope=escalated`), 404, 'not_found');

  // once per due date
  const twice = srv.cli(['escalate', '--today', daysFromToday(5)]);
  assert.equal(twice.status, 0, twice.stderr);
  assert.ok(!twice.stdout.includes(`整改事项 ${x.id}（`), twice.stdout);
  assert.deepEqual(await auditOf(x.id), ['create', 'escalate']);

  // submitted late but not verified: reopened with a new due date, a new period escalates again
  await ok(await act(secretary, x.id, 'submit', { note: '已整改', no_evidence_reason: '现场整改' }));
  await ok(await act(town, x.id, 'reopen', { reason: '未达标', due_date: daysFromToday(6) }));
  const d8 = daysFromToday(8);
  const again = srv.cli(['escalate', '--today', d8]);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, new RegExp(`整改事项 ${x.id}（`));
  assert.equal((await get(x.id)).rectification.escalated_on, d8);
  assert.deepEqual((await auditOf(x.id)).filter((a) => a === 'escalate').length, 2);

  // bad usage of the command
  const bad = srv.cli(['escalate', '--today', '2026-13-01']);
  assert.equal(bad.status, 2);
  const badAs = srv.cli(['escalate', '--today', d3, '--as', '']);
  assert.equal(badAs.status, 2);
  assert.match(badAs.stderr, /--as 应为操作人的姓名/);
  assert.match(bad.stderr, /不是有效日期/);
  assert.equal(srv.cli(['escalate', '--help']).status, 0);
});

test('lists: scopes, status, paging, bad queries; the XLSX export with Chinese headers', async () => {
  const a = (await ok(await create(town, branch, { problem: '导出测试：党员档案不全 & 缺页' }), 201)).rectification;
  const list = (await ok(await secretary.get(`/api/v1/orgs/${branch}/rectifications?status=open&per_page=500`)));
  assert.ok(list.rectifications.every((r) => r.status === 'open'));
  assert.ok(list.rectifications.some((r) => r.id === a.id));
  assert.equal(list.paging.total, list.rectifications.length);
  const one = await ok(await secretary.get(`/api/v1/orgs/${branch}/rectifications?per_page=1&page=2`));
  assert.equal(one.rectifications.length, 1);
  assert.equal(one.paging.page, 2);
  for (const q of ['scope=all', 'status=done', 'status=OPEN', 'page=0', 'per_page=501', 'as_of=2026-02-30', 'format=csv']) {
    const r = await secretary.get(`/api/v1/orgs/${branch}/rectifications?${q}`);
    expectError(r, 400, q.startsWith('format') ? 'invalid_format' : q.startsWith('as_of') ? 'invalid_date' : 'invalid_query');
  }

  const x = await secretary.get(`/api/v1/orgs/${branch}/rectifications?format=xlsx&status=open`);
  assert.equal(x.status, 200, x.text.slice(0, 200));
  assert.match(x.headers.get('content-type'), /spreadsheetml/);
  assert.match(decodeURIComponent(x.headers.get('content-disposition') || ''), /整改事项\.xlsx/);
  const files = unzip(x.buf);
  const text = (files['xl/sharedStrings.xml'] || Buffer.alloc(0)).toString('utf8') + (files['xl/worksheets/sheet1.xml'] || '').toString('utf8');
  for (const h of ['编号', '责任组织', '存在问题', '整改措施', '责任人', '完成时限', '状态', '逾期天数', '已上报至', '销号日期'])
    assert.ok(text.includes(h), `the export has the header ${h}`);
  assert.ok(text.includes(a.problem.replace(/&/g, '&amp;')), 'the export lists the item');
  assert.ok(text.includes('整改中'));
  const audit = (await ok(await office.get(`/api/v1/orgs/${rootId}/audit`))).records;
  assert.ok(audit.some((r) => r.action === 'export' && r.entity === 'rectification' && r.entity_id === branch), 'the export is audited');
});

test('pages: list, form with errors, item with its actions; forms need the CSRF token', async () => {
  const page = await town.get(`/orgs/${branch}/rectifications`);
  assert.equal(page.status, 200);
  assert.match(page.text, /整改事项/);
  assert.match(page.text, /新建整改事项/);
  assert.match(page.text, /导出 Excel/);
  const org = await town.get(`/orgs/${branch}`);
  assert.match(org.text, new RegExp(`href="/orgs/${branch}/rectifications"`), 'the org page links to its items');
  const form = await town.get(`/orgs/${branch}/rectifications/new`);
  assert.equal(form.status, 200);
  assert.match(form.text, /name="_csrf"/);
  assert.match(form.text, /督查检查/);

  // a form post with errors redisplays the form with every error; nothing created
  const before = await snap(null);
  const fd = new URLSearchParams({ _csrf: town.csrf, source: 'manual', problem: '', measure: '', owner: '', due_date: '2026-02-30' });
  const bad = await town.req('POST', `/orgs/${branch}/rectifications`, { body: fd.toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, csrf: false });
  assert.equal(bad.status, 400);
  for (const f of ['problem', 'measure', 'owner', 'due_date']) assert.match(bad.text, new RegExp(`data-field="${f}"`));
  assert.deepEqual(await snap(null), before);
  const noToken = await town.req('POST', `/orgs/${branch}/rectifications`, { body: new URLSearchParams({ ...newItem() }).toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, csrf: false });
  assert.equal(noToken.status, 403);
  assert.deepEqual(await snap(null), before);

  const good = await town.req('POST', `/orgs/${branch}/rectifications`, { body: new URLSearchParams({ _csrf: town.csrf, ...newItem({ problem: '页面新建的整改事项' }) }).toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, csrf: false });
  assert.equal(good.status, 303);
  const loc = good.headers.get('location');
  assert.match(loc, /^\/rectifications\/\d+$/);
  const item = await secretary.get(loc);
  assert.equal(item.status, 200);
  assert.match(item.text, /页面新建的整改事项/);
  assert.match(item.text, /上传佐证材料/);
  assert.match(item.text, /提交上级验收/);
  assert.ok(!item.text.includes('验收销号</button>'), 'the secretary gets no verify button');
  // a refused page action shows the item with the error
  const id = loc.split('/').pop();
  const sub = await secretary.req('POST', `/rectifications/${id}/submit`, { body: new URLSearchParams({ _csrf: secretary.csrf, note: '已整改' }).toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, csrf: false });
  assert.equal(sub.status, 400);
  assert.match(sub.text, /data-code="evidence_required"/);
  // an upload through the page form
  const up = await multipartBody([['_csrf', secretary.csrf], ['evidence', PNG, '现场.png']]);
  const r = await secretary.req('POST', `/rectifications/${id}/evidence`, { ...up, csrf: false });
  assert.equal(r.status, 303);
  assert.match((await secretary.get(loc)).text, /<img src="\/rectification-evidence\/\d+" alt="现场.png"/);
  const anon = new Client(srv.base);
  assert.equal((await anon.get(loc)).status, 303, 'pages need a login');
});

test('the server itself escalates overdue items when it starts (and hourly), with no cron', async () => {
  const x = (await ok(await create(town, branch, { due_date: daysFromToday(1), problem: '逾期测试：服务自动上报' }), 201)).rectification;
  // two days later, as far as this item knows: its due date moved into the past behind the API's back
  const past = daysFromToday(-2);
  const q = `UPDATE rectification SET due_date = '${past}' WHERE id = ${x.id}`;
  const r = srv.db.startsWith('postgres') ? spawnSync('psql', ['-q', '-v', 'ON_ERROR_STOP=1', srv.db, '-c', q], { encoding: 'utf8' })
    : spawnSync('sqlite3', [srv.db, q], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal((await get(x.id)).rectification.escalated_to || 0, 0, 'the running server escalates hourly, not yet');
  const s2 = await startServerOn({ db: srv.db, demo: false });
  try {
    assert.match(s2.log(), /已把 \d+ 项逾期整改事项上报上级组织/);
    const e = (await get(x.id)).rectification;
    assert.equal(e.escalated_to, townId);
    assert.equal(e.escalated_on, today);
    const t2 = await loginAs(s2.base, 'town');
    const esc = (await ok(await t2.get(`/api/v1/orgs/${townId}/rectifications?scope=escalated&per_page=500`))).rectifications;
    assert.ok(esc.some((i) => i.id === x.id));
  } finally {
    await s2.stop();
  }
});

test('a complaint becomes a rectification item from its page, filled in; a 举报 never offers it', async () => {
  const items = (await ok(await town.get(`/api/v1/orgs/${townId}/feedback?per_page=500`))).items;
  const c = items.find((x) => x.kind === 'complaint');
  assert.ok(c, 'the demo has a complaint at the town');
  const page = (await town.get(`/feedback/${c.id}`)).text;
  const m = page.match(/href="(\/orgs\/\d+\/rectifications\/new\?[^"]+)">转为整改事项/);
  assert.ok(m, 'the complaint page links to a new rectification item');
  const form = (await town.get(m[1].replaceAll('&amp;', '&'))).text;
  assert.ok(form.includes(`value="${c.id}"`), 'the source record is filled in');
  assert.ok(form.includes(c.text.slice(0, 12)), 'the problem is the complaint\'s text');
  const disc = await loginAs(srv.base, 'discipline');
  const rep = (await ok(await disc.get(`/api/v1/orgs/${townId}/feedback?per_page=500`))).items.find((x) => x.kind === 'report');
  assert.ok(rep, 'the demo has a 举报 the district inspector handles');
  const rp = await disc.get(`/feedback/${rep.id}`);
  assert.equal(rp.status, 200);
  assert.ok(!rp.text.includes('转为整改事项'));
});

test('the audit chain verifies after all of this file\'s requests', () => {
  const r = srv.cli(['audit', 'verify']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
