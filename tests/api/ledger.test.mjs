// ledger.test.mjs: the ledger (台账) over HTTP, on this file's own demo database: categories per
// kind (seeded, and an office's own for its subtree: another office's category is refused), entries
// of each kind (a forum's participants by category, a research report's file), the totals by kind
// and category for a period read from the roll-up, edits and soft deletes (audited, the counters
// follow), the roll-up equal to `cxzy recount` after edits, deletes and an organisation's move, the
// XLSX in the layout offices use read back, and the adversary's cases: an entry outside one's
// subtree, another office's category, negative or absurd counts, a member of another branch, edits
// racing (PostgreSQL: one committing inside the other), a deleted entry edited, malformed bodies.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startServerOn, loginAs, expectError, multipartBody, daysFromToday, sqlOn, unzip, BACKEND, expectOk as ok } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const [office, town, secretary, member, leader, secretary2] = await Promise.all(
  ['office', 'town', 'secretary', 'member', 'leader', 'secretary2'].map((u) => loginAs(srv.base, u)));
const rootId = office.user.roles[0].org_id;
const townId = town.user.roles[0].org_id;
const branch = secretary.user.roles[0].org_id;
const branchB = secretary2.user.roles[0].org_id;
const townB = (await office.get(`/api/v1/orgs/${branchB}`)).json.org.parent_id;
const sql = (q) => sqlOn(srv.db, q);
const today = daysFromToday(0);
const year = today.slice(0, 4);
const quarter = `${year}Q${Math.floor((Number(today.slice(5, 7)) + 2) / 3)}`;

const recount = () => srv.cli(['recount']);
const filePart = (name, data) => ['file', new Blob([data], { type: 'application/pdf' }), name];
const cats = async (c, org) => (await ok(await c.get(`/api/v1/orgs/${org}/ledger-categories`))).kinds;
const catId = (kinds, kind, name) => kinds.find((k) => k.kind === kind).categories.find((c) => c.name === name).id;
const ledger = async (c, org, q = `period=${year}`) => ok(await c.get(`/api/v1/orgs/${org}/ledger?${q}`));
/** The totals of an organisation's subtree for the year: {kind: {entries, people, cat: {id: [entries, people]}}}. */
async function totals(org, q = `period=${year}`) {
  const out = {};
  for (const k of (await ledger(office, org, q)).kinds)
    out[k.kind] = { entries: k.entries, people: k.people, cat: Object.fromEntries(k.categories.map((c) => [c.id, [c.entries, c.people]])) };
  return out;
}
const members = async (org) => (await ok(await office.get(`/api/v1/orgs/${org}/members?per_page=5`))).members;
let n = 0;
const entry = (over = {}) => ({ kind: 'visit', entry_date: today, title: `走访记录${++n}`, people: '3', ...over });
const create = (c, org, over) => c.post(`/api/v1/orgs/${org}/ledger`, entry(over));

/** What a refused request must leave alone: the entries, the roll-up and the audit head. */
async function snap() {
  const audit = (await office.get(`/api/v1/orgs/${rootId}/audit`)).json.records[0].seq;
  return { audit, e: sql('SELECT count(*), coalesce(sum(people), 0), coalesce(max(row_version), 0) FROM ledger_entry WHERE deleted_at = 0'),
    r: sql('SELECT quarter, org_id, kind, category_id, entries, people FROM ledger_rollup WHERE entries <> 0 OR people <> 0 ORDER BY 1, 2, 3, 4') };
}
async function refused(what, send, status, code, field) {
  const before = await snap();
  const r = await send();
  try { expectError(r, status, code, field); } catch (e) { e.message = `${what}: ${e.message}`; throw e; }
  assert.deepEqual(await snap(), before, `${what} was refused but changed something`);
  return r.json.error;
}

const kinds0 = await cats(secretary, branch);

test('categories: seeded for every kind, an office adds its own for its subtree, a duplicate is refused', async () => {
  assert.deepEqual(kinds0.map((k) => k.kind), ['visit', 'help', 'pairing', 'research', 'forum']);
  assert.deepEqual(kinds0[0].categories.map((c) => c.name), ['乡镇领导干部', '县直领导', '村干部', '群众代表', '大学生村干部', '企业干部', '困难群众']);
  assert.deepEqual(kinds0[1].categories.map((c) => c.name), ['实事', '致富信息']);
  const c = (await ok(await town.post(`/api/v1/orgs/${townId}/ledger-categories`, { kind: 'visit', name: '退役军人' }), 201)).category;
  assert.ok((await cats(secretary, branch))[0].categories.some((x) => x.id === c.id), 'a town category is seen by its branches');
  assert.ok(!(await cats(secretary2, branchB))[0].categories.some((x) => x.id === c.id), 'not by another town');
  await refused('a duplicate', () => town.post(`/api/v1/orgs/${townId}/ledger-categories`, { kind: 'visit', name: '退役军人' }), 409, 'duplicate_category', 'name');
  // the same category sent twice at once: one is added, the other is told it exists
  const two = await Promise.all([0, 1].map(() => town.post(`/api/v1/orgs/${townId}/ledger-categories`, { kind: 'help', name: '同时新增的类别' })));
  assert.deepEqual(two.map((r) => r.status).sort(), [201, 409], two.map((r) => r.text).join('\n'));
  expectError(two.find((r) => r.status === 409), 409, 'duplicate_category', 'name');
  await refused('a seeded name again', () => town.post(`/api/v1/orgs/${townId}/ledger-categories`, { kind: 'visit', name: '村干部' }), 409, 'duplicate_category', 'name');
  await refused('a secretary adds one', () => secretary.post(`/api/v1/orgs/${branch}/ledger-categories`, { kind: 'visit', name: '支部自己的' }), 403, 'forbidden');
  await refused('an office of another town adds one for this town', () => town.post(`/api/v1/orgs/${townB}/ledger-categories`, { kind: 'visit', name: '越权' }), 404, 'not_found', 'id');
  await refused('an unknown kind', () => town.post(`/api/v1/orgs/${townId}/ledger-categories`, { kind: 'party', name: 'x' }), 400, 'invalid_kind', 'kind');
  await refused('a name too long', () => town.post(`/api/v1/orgs/${townId}/ledger-categories`, { kind: 'help', name: '长'.repeat(21) }), 400, 'too_long', 'name');
});

test('entries of each kind: the totals by kind and category come from the roll-up and match what was entered', async () => {
  const before = await totals(branch), townBefore = await totals(townId), rootBefore = await totals(rootId);
  const village = catId(kinds0, 'visit', '村干部'), shishi = catId(kinds0, 'help', '实事');
  const fc = { lead: catId(kinds0, 'forum', '乡镇领导干部'), cadre: catId(kinds0, 'forum', '村干部'), student: catId(kinds0, 'forum', '大学生村干部') };
  const m = (await members(branch))[0];
  const v = (await ok(await create(secretary, branch, { category_id: village, people: '5', member_id: m.id }), 201)).entry;
  assert.equal(v.member_id, m.id);
  assert.equal(v.category_name, '村干部');
  await ok(await create(secretary, branch, { kind: 'help', category_id: shishi, title: '帮助困难户修缮房屋', people: '4' }), 201);
  await ok(await create(secretary, branch, { kind: 'pairing', title: '结对帮扶', household: '王某某户', people: '1' }), 201);
  const f = (await ok(await create(secretary, branch, { kind: 'forum', title: '大学生村干部座谈会', people: '999',
    participants: [{ category_id: fc.lead, people: 2 }, { category_id: fc.cadre, people: 5 }, { category_id: fc.student, people: 12 }] }), 201)).entry;
  assert.equal(f.people, 19, 'a forum counts its participants, not the people field');
  assert.deepEqual(f.participants.map((p) => [p.name, p.people]), [['乡镇领导干部', 2], ['村干部', 5], ['大学生村干部', 12]]);
  const body = await multipartBody([['kind', 'research'], ['entry_date', today], ['title', '农村基层党组织现状的调研报告'], ['body', '调研报告正文'],
    filePart('report.pdf', Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n'))]);
  const rr = await secretary.req('POST', `/api/v1/orgs/${branch}/ledger`, body);
  const rep = (await ok(rr, 201)).entry;
  assert.equal(rep.file_list.length, 1);
  const file = await secretary.get(`/api/v1/ledger-files/${rep.file_list[0].id}`);
  assert.equal(file.status, 200);
  assert.match(file.text, /^%PDF/);
  expectError(await secretary2.get(`/api/v1/ledger-files/${rep.file_list[0].id}`), 404, 'not_found');

  for (const [org, b] of [[branch, before], [townId, townBefore], [rootId, rootBefore]]) {
    const t = await totals(org);
    assert.equal(t.visit.entries, b.visit.entries + 1, `visits at ${org}`);
    assert.equal(t.visit.people, b.visit.people + 5);
    assert.deepEqual(t.visit.cat[village], [b.visit.cat[village][0] + 1, b.visit.cat[village][1] + 5]);
    assert.equal(t.help.entries, b.help.entries + 1);
    assert.deepEqual(t.help.cat[shishi], [b.help.cat[shishi][0] + 1, b.help.cat[shishi][1] + 4]);
    assert.equal(t.pairing.entries, b.pairing.entries + 1);
    assert.equal(t.research.entries, b.research.entries + 1);
    assert.equal(t.forum.entries, b.forum.entries + 1);
    assert.equal(t.forum.people, b.forum.people + 19);
    assert.deepEqual(t.forum.cat[fc.student], [b.forum.cat[fc.student][0] + 1, b.forum.cat[fc.student][1] + 12]);
  }
  assert.deepEqual(await totals(branchB), await totals(branchB), 'stable');
  // the list's filters
  const l = await ledger(secretary, branch, `period=${quarter}&kind=forum&category_id=${fc.student}`);
  assert.ok(l.entries.some((e) => e.id === f.id));
  assert.ok(l.entries.every((e) => e.kind === 'forum'));
  const byMember = await ledger(secretary, branch, `period=${year}&member_id=${m.id}`);
  assert.deepEqual(byMember.entries.map((e) => e.id), [v.id]);
  const r = recount();
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('who may enter, read and change: outside the subtree 404, a member 404, a leader reads, only the author or an office above edits', async () => {
  await refused('another town\'s branch', () => create(secretary, branchB), 404, 'not_found', 'id');
  await refused('a member', () => create(member, branch), 403, 'forbidden');
  await refused('a leader enters', () => create(leader, branch), 403, 'forbidden');
  assert.ok((await ledger(leader, branch)).entries.length > 0, 'a leader over the branch reads its ledger');
  expectError(await secretary2.get(`/api/v1/orgs/${branch}/ledger`), 404, 'not_found');
  const e = (await ok(await create(secretary, branch, { title: '可以被上级修改的走访' }), 201)).entry;
  assert.equal(e.can_edit, true);
  expectError(await secretary2.get(`/api/v1/ledger/${e.id}`), 404, 'not_found');
  await refused('another town edits', () => secretary2.post(`/api/v1/ledger/${e.id}/edit`, entry({ version: e.version })), 404, 'not_found');
  await refused('a member edits', () => member.post(`/api/v1/ledger/${e.id}/edit`, entry({ version: e.version })), 403, 'forbidden');
  // a secretary at the town above who did not enter it: the town's office can edit; the leader cannot
  const seen = (await ok(await town.get(`/api/v1/ledger/${e.id}`))).entry;
  assert.equal(seen.can_edit, true);
  const ed = (await ok(await town.post(`/api/v1/ledger/${e.id}/edit`, entry({ title: '镇里改过的走访', people: '7', version: e.version })))).entry;
  assert.equal(ed.title, '镇里改过的走访');
  assert.equal(ed.people, 7);
  assert.equal(ed.version, e.version + 1);
  const audit = sql(`SELECT action FROM audit_log WHERE entity = 'ledger_entry' AND entity_id = ${e.id} ORDER BY seq`);
  assert.deepEqual(audit.split('\n'), ['create', 'update']);
});

test('adversary: another office\'s category, negative or absurd counts, a member of another branch, malformed bodies — refused with a field, nothing written', async () => {
  const otherTown = (await ok(await office.post(`/api/v1/orgs/${townB}/ledger-categories`, { kind: 'visit', name: '别镇的类别' }), 201)).category;
  await refused('another office\'s category', () => create(secretary, branch, { category_id: otherTown.id }), 422, 'invalid_category', 'category_id');
  await refused('a category of another kind', () => create(secretary, branch, { kind: 'help', category_id: catId(kinds0, 'visit', '村干部') }), 422, 'invalid_category', 'category_id');
  await refused('a category that does not exist', () => create(secretary, branch, { category_id: 99999999 }), 422, 'invalid_category', 'category_id');
  await refused('a forum participant of another office', () => create(secretary, branch, { kind: 'forum', participants: [{ category_id: otherTown.id, people: 3 }] }),
    422, 'invalid_category', 'participants');
  await refused('a forum with a category', () => create(secretary, branch, { kind: 'forum', category_id: catId(kinds0, 'forum', '村干部'),
    participants: [{ category_id: catId(kinds0, 'forum', '村干部'), people: 3 }] }), 422, 'invalid_category', 'category_id');
  for (const people of ['-3', '10001', '1e3', 'abc', '3.5', '99999999999999999999'])
    await refused(`people ${people}`, () => create(secretary, branch, { people }), 422, 'invalid_people', 'people');
  await refused('people as a negative number', () => create(secretary, branch, { people: -1 }), 422, 'invalid_people', 'people');
  const cadre = catId(kinds0, 'forum', '村干部');
  await refused('a negative participant count', () => create(secretary, branch, { kind: 'forum', participants: [{ category_id: cadre, people: -5 }] }), 422, 'invalid_people', 'participants');
  await refused('an absurd participant count', () => create(secretary, branch, { kind: 'forum', participants: [{ category_id: cadre, people: 1e8 }] }), 422, 'invalid_people', 'participants');
  await refused('a category twice', () => create(secretary, branch, { kind: 'forum', participants: [{ category_id: cadre, people: 1 }, { category_id: cadre, people: 2 }] }),
    422, 'invalid_category', 'participants');
  await refused('a forum with nobody', () => create(secretary, branch, { kind: 'forum', participants: [] }), 422, 'no_participants', 'participants');
  await refused('participants not a list', () => create(secretary, branch, { kind: 'forum', participants: '村干部 3' }), 400, 'invalid_participants', 'participants');
  await refused('participants of the wrong shape', () => create(secretary, branch, { kind: 'forum', participants: [{ category_id: 'x', people: 1 }] }),
    400, 'invalid_participants', 'participants');
  const other = (await members(branchB))[0];
  await refused('a member of another branch', () => create(secretary, branch, { member_id: other.id }), 422, 'invalid_member', 'member_id');
  await refused('a member id that is not one', () => create(secretary, branch, { member_id: 'abc' }), 400, 'invalid_id', 'member_id');
  await refused('an unknown kind', () => create(secretary, branch, { kind: 'party' }), 400, 'invalid_kind', 'kind');
  await refused('a future date', () => create(secretary, branch, { entry_date: daysFromToday(3) }), 400, 'future_date', 'entry_date');
  await refused('an impossible date', () => create(secretary, branch, { entry_date: `${year}-02-30` }), 400, 'invalid_date', 'entry_date');
  await refused('no title', () => create(secretary, branch, { title: '  ' }), 400, 'required', 'title');
  await refused('a pairing without its household', () => create(secretary, branch, { kind: 'pairing' }), 400, 'required', 'household');
  await refused('a title of two lines', () => create(secretary, branch, { title: '第一行\n第二行' }), 400, 'invalid_text', 'title');
  await refused('not JSON', () => secretary.req('POST', `/api/v1/orgs/${branch}/ledger`, { body: '{"kind":', headers: { 'Content-Type': 'application/json' } }), 400, 'invalid_json');
  await refused('an array body', () => secretary.req('POST', `/api/v1/orgs/${branch}/ledger`, { body: '[1,2]', headers: { 'Content-Type': 'application/json' } }), 400, 'invalid_json');
  await refused('a title as an object', () => create(secretary, branch, { title: { a: 1 } }), 400, 'invalid_text', 'title');
  await refused('a bad period in the list', () => secretary.get(`/api/v1/orgs/${branch}/ledger?period=1999`), 400, 'invalid_query', 'period');
  await refused('a file that is not what it says', async () => secretary.req('POST', `/api/v1/orgs/${branch}/ledger`,
    await multipartBody([['kind', 'research'], ['entry_date', today], ['title', '假的 PDF'], filePart('x.pdf', Buffer.from('MZ not a pdf'))])),
  400, 'evidence_type');
});

test('edits racing, a deleted entry edited or deleted again, a kind changed: one wins, the rest are refused, the roll-up equals the recount', async () => {
  const e = (await ok(await create(secretary, branch, { people: '2' }), 201)).entry;
  const before = await totals(branch);
  // ten edits of the same version at once: exactly one is made
  const rs = await Promise.all(Array.from({ length: 10 }, (_, i) => secretary.post(`/api/v1/ledger/${e.id}/edit`,
    entry({ title: `同时修改${i}`, people: String(10 + i), entry_date: `${year}-01-01`, version: e.version }))));
  assert.deepEqual(rs.map((r) => r.status).sort(), [200, ...Array(9).fill(409)], rs.map((r) => r.text.slice(0, 120)).join('\n'));
  for (const r of rs) if (r.status === 409) expectError(r, 409, 'stale_version', 'version');
  const won = rs.find((r) => r.status === 200).json.entry;
  const after1 = await totals(branch);
  assert.equal(after1.visit.entries, before.visit.entries, 'an edit moves the quarter, not the year\'s count');
  assert.equal(after1.visit.people, before.visit.people - 2 + won.people);
  // edits without a version at once: each applies on top of the other, the counters follow the last
  const rs2 = await Promise.all(Array.from({ length: 6 }, (_, i) => secretary.post(`/api/v1/ledger/${e.id}/edit`, entry({ title: `不带版本${i}`, people: String(100 + i) }))));
  assert.ok(rs2.every((r) => r.status === 200), rs2.map((r) => r.text.slice(0, 120)).join('\n'));
  const now = (await ok(await secretary.get(`/api/v1/ledger/${e.id}`))).entry;
  assert.equal((await totals(branch)).visit.people, before.visit.people - 2 + now.people);
  assert.equal(recount().status, 0, 'the roll-up equals the recount after racing edits');
  await refused('the kind changed', () => secretary.post(`/api/v1/ledger/${e.id}/edit`, entry({ kind: 'help', version: now.version })), 422, 'kind_changed', 'kind');
  // two deletes at once: one deletes, the other is told it is gone
  const ds = await Promise.all([0, 1].map(() => secretary.post(`/api/v1/ledger/${e.id}/delete`, {})));
  assert.deepEqual(ds.map((r) => r.status).sort(), [200, 409], ds.map((r) => r.text).join('\n'));
  expectError(ds.find((r) => r.status === 409), 409, 'entry_deleted', 'id');
  assert.equal((await totals(branch)).visit.entries, before.visit.entries - 1);
  assert.equal((await totals(branch)).visit.people, before.visit.people - 2);
  await refused('a deleted entry edited', () => secretary.post(`/api/v1/ledger/${e.id}/edit`, entry({ version: now.version + 1 })), 409, 'entry_deleted', 'id');
  await refused('a deleted entry edited without a version', () => secretary.post(`/api/v1/ledger/${e.id}/edit`, entry()), 409, 'entry_deleted', 'id');
  await refused('a file added to a deleted entry', async () => secretary.req('POST', `/api/v1/ledger/${e.id}/files`,
    await multipartBody([filePart('a.pdf', Buffer.from('%PDF-1.4\n%%EOF\n'))])), 409, 'entry_deleted', 'id');
  expectError(await secretary.get(`/api/v1/ledger/${e.id}`), 404, 'not_found');
  assert.ok(!(await ledger(secretary, branch)).entries.some((x) => x.id === e.id), 'a deleted entry is not listed');
  const del = sql(`SELECT before_json FROM audit_log WHERE entity = 'ledger_entry' AND entity_id = ${e.id} AND action = 'delete'`);
  assert.match(del, /"people":\s*10[0-5]/, 'the delete is audited with what the entry was');
  assert.equal(recount().status, 0);
});

test('PostgreSQL: an edit that commits while another waits for the entry is applied first, and the other builds on it', async () => {
  const e = (await ok(await create(secretary, branch, { people: '4' }), 201)).entry;
  if (BACKEND !== 'pg') { // SQLite: the two write transactions run one after the other
    const rs = await Promise.all([secretary.post(`/api/v1/ledger/${e.id}/edit`, entry({ people: '8' })), secretary.post(`/api/v1/ledger/${e.id}/delete`, {})]);
    assert.ok(rs.every((r) => r.status === 200 || r.status === 409), rs.map((r) => r.text).join('\n'));
    assert.equal(recount().status, 0);
    return;
  }
  // an edit held open by another session: the same statements the edit route makes, not yet committed
  const p = spawn('psql', ['-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', srv.db], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  p.stdout.on('data', (b) => { out += b; });
  const run = (q, mark) => { p.stdin.write(`${q}; SELECT '${mark}';\n`); return new Promise((resolve) => { const f = () => { if (out.includes(mark)) resolve(); }; p.stdout.on('data', f); f(); }); };
  await run(`BEGIN; UPDATE ledger_entry SET row_version = row_version + 1 WHERE id = ${e.id}`, 'held');
  const del = secretary.post(`/api/v1/ledger/${e.id}/delete`, {});
  const waiting = () => new Promise((resolve) => { // (asynchronously: the request must be sent meanwhile)
    const q = spawn('psql', ['-q', '-t', '-A', srv.db, '-c', "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE ledger_entry SET row_version%'"],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    let o = '';
    q.stdout.on('data', (b) => { o += b; });
    q.on('close', () => resolve(o.trim() !== '0'));
  });
  while (!(await waiting())); // until the delete waits on the row
  // the held session changes the people the roll-up counts, as an edit would (roll-up and entry together)
  await run(`UPDATE ledger_rollup SET people = people + 6 WHERE quarter = ${Number(year) * 10 + Math.floor((Number(today.slice(5, 7)) + 2) / 3)} AND kind = 'visit' AND category_id = 0 ` +
    `AND org_id IN (SELECT o.id FROM org o, org b WHERE b.id = ${branch} AND substr(b.path, 1, length(o.path)) = o.path); UPDATE ledger_entry SET people = 10 WHERE id = ${e.id}; COMMIT`, 'done');
  p.stdin.end();
  const r = await del;
  assert.equal(r.status, 200, r.text);
  const rc = recount();
  assert.equal(rc.status, 0, `the delete took away what the entry counted when it was deleted: ${rc.stdout}`);
});

test('recount finds a roll-up changed behind the server\'s back, --fix rebuilds it; an organisation\'s move carries its counts', async () => {
  sql(`UPDATE ledger_rollup SET entries = entries + 5 WHERE org_id = ${rootId} AND kind = 'visit' AND category_id = 0`);
  const r = recount();
  assert.equal(r.status, 1, r.stdout);
  assert.match(r.stdout, /台账统计 .*走访·合计：记录为 \d+ 条/);
  assert.equal(srv.cli(['recount', '--fix']).status, 1);
  assert.equal(recount().status, 0);
  // move the branch to the other town: its counts leave the first town and join the second
  const [t1, t2, b] = [await totals(townId), await totals(townB), await totals(branch)];
  assert.ok(b.visit.entries > 0);
  await ok(await office.post(`/api/v1/orgs/${branch}/move`, { parent_id: townB }));
  const [u1, u2] = [await totals(townId), await totals(townB)];
  for (const k of ['visit', 'help', 'pairing', 'research', 'forum']) {
    assert.equal(u1[k].entries, t1[k].entries - b[k].entries, `${k} left the first town`);
    assert.equal(u2[k].entries, t2[k].entries + b[k].entries, `${k} joined the second`);
    assert.equal(u2[k].people, t2[k].people + b[k].people);
  }
  assert.deepEqual(await totals(rootId), await totals(rootId));
  const rc = recount();
  assert.equal(rc.status, 0, rc.stdout);
  await ok(await office.post(`/api/v1/orgs/${branch}/move`, { parent_id: townId }));
  assert.equal(recount().status, 0);
});

/** The cells of the export's sheet by reference: shared strings as text, numbers as numbers. */
function cells(buf) {
  const files = unzip(buf);
  const strings = [...(files['xl/sharedStrings.xml'] || Buffer.alloc(0)).toString('utf8').matchAll(/<t[^>]*>([^<]*)<\/t>/g)].map((x) => x[1]);
  const out = new Map();
  for (const c of files['xl/worksheets/sheet1.xml'].toString('utf8').matchAll(/<c r="([A-Z]+)(\d+)"([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
    const t = (c[4] || '').match(/<t[^>]*>([^<]*)<\/t>/), v = (c[4] || '').match(/<v>([^<]*)<\/v>/);
    out.set(c[1] + c[2], t ? t[1] : v ? (/t="s"/.test(c[3]) ? strings[Number(v[1])] : Number(v[1])) : '');
  }
  return out;
}
const col = (i) => (i >= 26 ? String.fromCharCode(64 + Math.floor(i / 26)) : '') + String.fromCharCode(65 + (i % 26));

test('the XLSX: one row per child organisation, columns by kind then category, a totals row equal to the totals', async () => {
  const r = await town.get(`/api/v1/orgs/${townId}/ledger/export?period=${year}`);
  assert.equal(r.status, 200, r.text.slice(0, 300));
  assert.match(r.headers.get('content-type'), /spreadsheetml/);
  const c = cells(r.buf);
  assert.equal(c.get('A1'), '组织');
  assert.equal(c.get('B1'), '走访');
  assert.equal(c.get('B2'), '次数');
  assert.equal(c.get('C2'), '走访人次');
  const heads = [];
  for (let i = 1; c.has(`${col(i)}2`); i++) heads.push(c.get(`${col(i)}2`));
  const kids = (await ok(await town.get(`/api/v1/orgs/${townId}/children`))).children.filter((k) => k.active !== false);
  let last = 3;
  while (c.has(`A${last}`)) last++;
  last--;
  assert.equal(c.get(`A${last}`), '合计');
  const names = [];
  for (let row = 3; row < last; row++) names.push(c.get(`A${row}`));
  for (const k of kids) assert.ok(names.includes(k.name), `a row for ${k.name}`);
  const t = await totals(townId);
  const visitVillage = catId(kinds0, 'visit', '村干部'), forumStudent = catId(kinds0, 'forum', '大学生村干部');
  const at = (name) => col(heads.indexOf(name) + 1);
  assert.equal(c.get(`B${last}`), t.visit.entries);
  assert.equal(c.get(`C${last}`), t.visit.people);
  // the categories: visits count people (人次), help counts entries (件)
  const visitCols = heads.slice(2, 2 + kinds0[0].categories.length + 1);
  assert.ok(visitCols.includes('村干部'));
  assert.equal(c.get(`${at('村干部')}${last}`), t.visit.cat[visitVillage][1]);
  assert.equal(c.get(`${at('实事')}${last}`), t.help.cat[catId(kinds0, 'help', '实事')][0]);
  const forumCols = heads.lastIndexOf('大学生村干部');
  assert.equal(c.get(`${col(forumCols + 1)}${last}`), t.forum.cat[forumStudent][1]);
  // the rows add up to the totals row, column by column
  for (let i = 1; i <= heads.length; i++) {
    let sum = 0;
    for (let row = 3; row < last; row++) sum += c.get(`${col(i)}${row}`) || 0;
    assert.equal(sum, c.get(`${col(i)}${last}`), `column ${heads[i - 1]}`);
  }
  expectError(await secretary2.get(`/api/v1/orgs/${townId}/ledger/export`), 404, 'not_found');
  expectError(await town.get(`/api/v1/orgs/${townId}/ledger/export?period=20x6`), 400, 'invalid_query', 'period');
  assert.ok(sql(`SELECT count(*) FROM audit_log WHERE action = 'export' AND entity = 'ledger' AND entity_id = ${townId}`) >= 1, 'the export is audited');
});

test('the dashboard\'s 台账 block and a bulletin\'s ledger section read the roll-up; `recount --bulletin` checks the section against the entries', async () => {
  const t = await totals(rootId);
  const dash = (await ok(await office.get(`/api/v1/orgs/${rootId}/dashboard?period=${year}`))).ledger;
  assert.deepEqual(dash.kinds.map((k) => [k.kind, k.entries, k.people]), Object.entries(t).map(([k, v]) => [k, v.entries, v.people]));
  assert.ok(dash.kinds.find((k) => k.kind === 'visit').entries > 0, 'the demo\'s year has visits');
  const page = await office.get(`/orgs/${rootId}/dashboard?period=${year}`);
  assert.match(page.text, /id="dash-ledger">台账/);
  const d = (await ok(await office.post(`/api/v1/orgs/${rootId}/bulletins`, { title: '台账情况通报', period: year, sections: 'ledger,text', note_text: '正文。' }), 201)).bulletin;
  const b = (await ok(await office.post(`/api/v1/bulletins/${d.id}/publish`, { version: d.version }))).bulletin;
  const fig = b.sections.find((s) => s.kind === 'ledger').figures;
  assert.deepEqual(fig.head, ['组织', '走访（次）', '走访人次', '帮办实事（件）', '结对帮扶（户）', '调研报告（篇）', '座谈会（次）', '座谈人数']);
  const last = fig.rows[fig.rows.length - 1];
  assert.equal(last.key, `total:${rootId}`);
  assert.deepEqual(last.cells, ['合计', ...[t.visit.entries, t.visit.people, t.help.entries, t.pairing.entries, t.research.entries, t.forum.entries, t.forum.people].map(String)]);
  const kids = (await ok(await office.get(`/api/v1/orgs/${rootId}/children`))).children;
  assert.equal(fig.rows.length, kids.filter((k) => k.active !== false).length + 1);
  let r = srv.cli(['recount', '--bulletin', String(b.id)]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  // an entry deleted after publication: the recount names the row and column that no longer hold
  const e = (await ok(await create(secretary, branch, { title: '通报后删除的走访' }), 201)).entry;
  await ok(await secretary.post(`/api/v1/ledger/${e.id}/delete`, {}));
  assert.equal(srv.cli(['recount', '--bulletin', String(b.id)]).status, 0, 'an entry made and deleted after publication changes nothing');
  const old = (await ledger(secretary, branch)).entries.find((x) => x.kind === 'visit' && x.created_by_name);
  await ok(await secretary.post(`/api/v1/ledger/${old.id}/delete`, {}));
  r = srv.cli(['recount', '--bulletin', String(b.id)]);
  assert.equal(r.status, 1, r.stdout);
  assert.match(r.stdout, /行「合计」 列「走访（次）」：通报为 \d+，按原始记录应为 \d+/);
  assert.equal(recount().status, 0, 'the roll-up itself follows the delete');
});

test('ids that are not ids, pages out of range, versions that are not versions, a double submission: 404, 400 or 409, never a crash, saved once', async () => {
  for (const id of ['0', '-1', 'abc', '99999999999999999999', '1.5'])
    for (const path of [`/api/v1/ledger/${id}`, `/api/v1/ledger-files/${id}`, `/api/v1/orgs/${id}/ledger`]) {
      const r = await secretary.get(path);
      assert.equal(r.status, 404, `${path}: ${r.text.slice(0, 200)}`);
    }
  await refused('an edit of an id that is not one', () => secretary.post('/api/v1/ledger/abc/edit', entry()), 404, 'not_found');
  expectError(await secretary.get(`/api/v1/orgs/${branch}/ledger?per_page=501`), 400, 'invalid_query', 'per_page');
  expectError(await secretary.get(`/api/v1/orgs/${branch}/ledger?kind=party`), 400, 'invalid_query', 'kind');
  expectError(await secretary.get(`/api/v1/orgs/${branch}/ledger?category_id=-4`), 400, 'invalid_id', 'category_id');
  // a version that is not a number, and one far ahead
  const e = (await ok(await create(secretary, branch), 201)).entry;
  await refused('a version that is not a number', () => secretary.post(`/api/v1/ledger/${e.id}/edit`, entry({ version: 'v2' })), 400, 'invalid_id', 'version');
  await refused('a version far ahead', () => secretary.post(`/api/v1/ledger/${e.id}/edit`, entry({ version: e.version + 1000 })), 409, 'stale_version', 'version');
  // the same entry sent three times at once (a double click): saved once, counted once
  const before = (await totals(branch)).visit.entries;
  const three = await Promise.all([0, 1, 2].map(() => create(secretary, branch, { title: '双击保存的走访', people: '4' })));
  assert.deepEqual(three.map((r) => r.status).sort(), [201, 409, 409], three.map((r) => r.text.slice(0, 200)).join('\n'));
  for (const r of three.filter((x) => x.status === 409)) expectError(r, 409, 'duplicate_entry', 'title');
  assert.equal((await totals(branch)).visit.entries, before + 1);
  // another person, or another count, is another entry
  await ok(await create(town, branch, { title: '双击保存的走访', people: '4' }), 201);
  await ok(await create(secretary, branch, { title: '双击保存的走访', people: '5' }), 201);
  assert.equal((await totals(branch)).visit.entries, before + 3);
  assert.equal(recount().status, 0);
});
