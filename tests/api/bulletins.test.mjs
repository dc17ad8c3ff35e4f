// bulletins.test.mjs: bulletins (通报) over HTTP and `cxzy recount --bulletin`, on this file's own demo
// database: the office composes a draft for a period (rankings, late and missing reports, overdue
// rectification, unanswered feedback, 点名, free text), edits it (a stale edit is refused), publishes
// it with the number 河西创〔2025〕1号, the content hash in the audit record; a published bulletin
// changes neither through the API nor through SQL (the trigger); a correction references it; two
// publications at once never share a number; another town's secretary cannot read a subtree
// bulletin; public ones are at /p/bulletins without login; the recount finds nothing right after
// publication, then reports a raw record changed afterwards and, with the trigger dropped, tampered
// sections. Records of the period (2025 Q3) are made through SQL where no route makes past ones.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, Client, loginAs, expectError, sqlOn, BACKEND, daysFromToday, unzip } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const [office, town, secretary, secretary2, member] = await Promise.all(
  ['office', 'town', 'secretary', 'secretary2', 'member'].map((u) => loginAs(srv.base, u)));
const rootId = office.user.roles[0].org_id;
const townId = town.user.roles[0].org_id;
const branchA = secretary.user.roles[0].org_id; // in the first town
const branchB = secretary2.user.roles[0].org_id; // in the other town
const sql = (q) => sqlOn(srv.db, q);
const recount = (id) => srv.cli(['recount', '--bulletin', String(id)]);

async function ok(r, status = 200) {
  assert.equal(r.status, status, `${r.status} ${r.text.slice(0, 400)}`);
  return r.json;
}
const compose = (c, org, body) => c.post(`/api/v1/orgs/${org}/bulletins`, body);
const publish = (c, id, body = {}) => c.post(`/api/v1/bulletins/${id}/publish`, body);
const get = async (c, id) => (await ok(await c.get(`/api/v1/bulletins/${id}`))).bulletin;
const count = () => Number(sql('SELECT count(*) FROM bulletin'));

// ---- the records of 2025 Q3 (the period of the main bulletin) ----
const pathOf = (id) => sql(`SELECT path FROM org WHERE id = ${id}`);
const idsOf = (path) => path.split('/').filter(Boolean).map(Number);
const now = Math.floor(Date.now() / 1000);
/** Adds to the quarter roll-ups of an organisation and its ancestors, as the report store will. */
function rollupAdd(orgId, quarter, cols) {
  const names = Object.keys(cols);
  for (const id of idsOf(pathOf(orgId)))
    sql(`INSERT INTO period_rollup (quarter, org_id, ${names.join(', ')}) VALUES (${quarter}, ${id}, ${names.map((n) => cols[n]).join(', ')}) ` +
      `ON CONFLICT (quarter, org_id) DO UPDATE SET ${names.map((n) => `${n} = period_rollup.${n} + excluded.${n}`).join(', ')}`);
}
const sched = sql(`INSERT INTO report_schedule (org_id, kind, title, period_start, period_end, due_date, created_by, created_at) ` +
  `VALUES (${rootId}, 'quarterly', '2025年第三季度季度检查', '2025-07-01', '2025-09-30', '2025-08-15', 0, ${now}) RETURNING id`);
const reportRow = (org, first, late) => sql(`INSERT INTO report (schedule_id, org_id, org_path, due_date, status, first_submitted_on, late_workdays, updated_at) ` +
  `VALUES (${sched}, ${org}, '${pathOf(org)}', '2025-08-15', '${first ? 'submitted' : 'due'}', '${first}', ${late}, ${now}) RETURNING id`);
const lateReport = reportRow(branchA, '2025-08-22', 5);
const onTimeReport = reportRow(townId, '2025-08-10', 0);
const missingReport = reportRow(branchB, '', 0);
rollupAdd(branchA, 20253, { reports_due: 1, reports_late: 1 });
rollupAdd(townId, 20253, { reports_due: 1, reports_on_time: 1 });
rollupAdd(branchB, 20253, { reports_due: 1 });
// an overdue rectification item of the first branch (made now, its deadline moved into the period)
const rect = (await ok(await town.post(`/api/v1/orgs/${branchA}/rectifications`, { source: 'inspection', problem: '三会一课记录不全（通报测试）',
  measure: '补齐记录', owner: '王书记', due_date: daysFromToday(20) }), 201)).rectification;
sql(`UPDATE rectification SET due_date = '2025-09-10' WHERE id = ${rect.id}`);
// a pledge of the first branch missed without a justified reason (the miss form's 将在通报中点名)
const missed = sql(`SELECT p.id || '|' || m.name || '|' || p.title FROM pledge p JOIN member m ON m.id = p.member_id WHERE p.org_id = ${branchA} ` +
  `AND p.status = 'in_progress' ORDER BY p.id LIMIT 1`).split('|');
sql(`UPDATE pledge SET status = 'missed', miss_kind = 'unjustified', due_date = '2025-09-20' WHERE id = ${missed[0]}`);

const SECTIONS = 'rank_reports,late_reports,missing_reports,overdue_rect,overdue_feedback,named,text';
const draftBody = (over = {}) => ({ title: '关于2025年第三季度创先争优活动开展情况的通报', period: '2025Q3', sections: SECTIONS,
  note_rank_reports: '请排名靠后的党委认真分析原因。', note_named: '以上党员无正当理由未兑现承诺，予以点名。', note_text: '各单位要对照通报抓好整改。', ...over });

let main; // the main bulletin, once published

test('the office composes a draft: sections with their generated figures, as the roll-ups and records say', async () => {
  const d = (await ok(await compose(office, rootId, draftBody()), 201)).bulletin;
  assert.equal(d.status, 'draft');
  assert.equal(d.version, 1);
  const b = await get(office, d.id);
  assert.deepEqual(b.sections.map((s) => s.kind), SECTIONS.split(','));
  const sec = Object.fromEntries(b.sections.map((s) => [s.kind, s]));
  // the ranking of the district's children: the first town (1 due, 1 on time, 1 late below) and the other
  const townRow = sec.rank_reports.figures.rows.find((r) => r.key === `org:${townId}`).cells;
  assert.deepEqual(townRow.slice(2), ['1', '2', '50.0%']);
  const otherTown = Number(sql(`SELECT parent_id FROM org WHERE id = ${branchB}`));
  assert.deepEqual(sec.rank_reports.figures.rows.find((r) => r.key === `org:${otherTown}`).cells.slice(2), ['0', '1', '0.0%']);
  assert.equal(sec.rank_reports.note, '请排名靠后的党委认真分析原因。');
  assert.deepEqual(sec.late_reports.figures.rows.map((r) => r.key), [`report:${lateReport}`]);
  assert.deepEqual(sec.late_reports.figures.rows[0].cells.slice(2), ['2025-08-15', '2025-08-22', '5']);
  assert.deepEqual(sec.missing_reports.figures.rows.map((r) => r.key), [`report:${missingReport}`]);
  assert.deepEqual(sec.overdue_rect.figures.rows.map((r) => r.key), [`rect:${rect.id}`]);
  assert.equal(sec.overdue_rect.figures.rows[0].cells[1], rect.problem);
  assert.deepEqual(sec.named.figures.rows.map((r) => r.cells.slice(1, 3)), [[missed[1], missed[2]]]);
  assert.equal(sec.text.note, '各单位要对照通报抓好整改。');
  // only offices compose
  expectError(await compose(secretary, branchA, draftBody()), 403, 'forbidden');
  expectError(await compose(member, branchA, draftBody()), 403, 'forbidden');
  expectError(await compose(town, branchB, draftBody()), 404, 'not_found'); // the other town
  main = d;
});

test('careless input is refused with the field and a Chinese message, and makes nothing', async () => {
  const n = count();
  const cases = [
    [{ title: '' }, 400, 'required', 'title'],
    [{ title: '长'.repeat(101) }, 400, 'too_long', 'title'],
    [{ period: '2025Q5' }, 400, 'invalid_period', 'period'],
    [{ period: '', from: '2025Q3', to: '2025Q1' }, 422, 'invalid_period', 'to'],
    [{ period: '', from: '2023Q1', to: '2025Q4' }, 422, 'invalid_period', 'to'],
    [{ period: '2999Q1' }, 422, 'invalid_period', 'period'],
    [{ period: '', from: `${Number(daysFromToday(0).slice(0, 4)) + 1}Q1`, to: `${Number(daysFromToday(0).slice(0, 4)) + 1}Q2` }, 422, 'invalid_period', 'from'],
    [{ sections: '' }, 400, 'required', 'sections'],
    [{ sections: ['text'] }, 400, 'invalid_section', 'sections'],
    [{ title: { text: '标题' } }, 400, 'invalid_text', 'title'],
    [{ sections: 'rank_everything' }, 400, 'invalid_section', 'sections'],
    [{ visibility: 'everyone' }, 400, 'invalid_visibility', 'visibility'],
    [{ sections: 'text', note_text: '' }, 400, 'required', 'note_text'],
    [{ note_named: '字'.repeat(2001) }, 400, 'too_long', 'note_named'],
    [{ sections: 'exemplary' }, 400, 'required', 'exemplary'],
    [{ sections: 'exemplary', exemplary: '12,abc' }, 400, 'invalid_exemplary', 'exemplary'],
    [{ sections: 'exemplary', exemplary: '987654321' }, 422, 'invalid_exemplary', 'exemplary'],
  ];
  for (const [over, status, code, field] of cases) {
    const r = await compose(office, rootId, draftBody(over));
    expectError(r, status, code, field);
    assert.match(r.json.error.message, /[\u4e00-\u9fff]/);
  }
  // a pledge of another town is no example for the first town's office
  const otherPledge = sql(`INSERT INTO pledge (org_id, campaign_id, area, title, content, measures, responsible, due_date, status, created_at, updated_at) ` +
    `SELECT ${branchB}, campaign_id, area, '乙支部的组织承诺', content, measures, responsible, due_date, 'in_progress', created_at, updated_at FROM pledge ` +
    'ORDER BY id LIMIT 1 RETURNING id');
  expectError(await compose(town, townId, draftBody({ sections: 'exemplary', exemplary: otherPledge })), 422, 'invalid_exemplary', 'exemplary');
  assert.equal(count(), n, 'a refused draft was stored');
});

test('editing a draft needs its version: a stale edit is refused and changes nothing', async () => {
  expectError(await office.post(`/api/v1/bulletins/${main.id}/edit`, draftBody()), 400, 'required', 'version');
  const b = (await ok(await office.post(`/api/v1/bulletins/${main.id}/edit`, draftBody({ version: 1, visibility: 'public' })))).bulletin;
  assert.equal(b.version, 2);
  assert.equal(b.visibility, 'public');
  const before = await get(office, main.id);
  expectError(await office.post(`/api/v1/bulletins/${main.id}/edit`, draftBody({ version: 1, title: '旧版本上的修改' })), 409, 'stale', 'version');
  assert.deepEqual(await get(office, main.id), before);
  // a draft is the composer's: the secretary of the branch below reads nothing of it
  expectError(await secretary.get(`/api/v1/bulletins/${main.id}`), 404, 'not_found');
  main = b;
});

test('publishing numbers it per office and year with the prefix, freezes the figures and puts the hash in the audit record', async () => {
  expectError(await office.post(`/api/v1/orgs/${rootId}/bulletin-prefix`, { prefix: '河西创〔2025〕' }), 400, 'invalid_text', 'prefix');
  await ok(await office.post(`/api/v1/orgs/${rootId}/bulletin-prefix`, { prefix: '河西创' }));
  expectError(await publish(office, main.id, { version: 1 }), 409, 'stale', 'version');
  const b = (await ok(await publish(office, main.id, { version: main.version }))).bulletin;
  assert.equal(b.status, 'published');
  assert.equal(b.number_text, '河西创〔2025〕1号');
  assert.match(b.content_hash, /^[0-9a-f]{64}$/);
  const audit = (await ok(await office.get(`/api/v1/orgs/${rootId}/audit`))).records
    .find((a) => a.entity === 'bulletin' && a.entity_id === b.id && a.action === 'publish');
  assert.ok(audit, 'no audit record of the publication');
  assert.equal(JSON.parse(audit.after).content_hash, b.content_hash);
  // the offices of the level below are told (the first town's), a branch secretary is not
  const told = (await ok(await town.get('/api/v1/me/notifications?per_page=200'))).notifications.filter((n) => n.link === `/bulletins/${b.id}`);
  assert.equal(told.length, 1);
  assert.match(told[0].text, /河西创〔2025〕1号/);
  assert.ok(!(await ok(await secretary.get('/api/v1/me/notifications?per_page=200'))).notifications.some((n) => n.link === `/bulletins/${b.id}`));
  // the recount right after: every figure reproduced from the raw records, the hash intact
  const r = recount(b.id);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /无差异/);
  main = await get(office, b.id);
});

test('a published bulletin changes neither through the API nor through SQL', async () => {
  const before = await get(office, main.id);
  expectError(await office.post(`/api/v1/bulletins/${main.id}/edit`, draftBody({ version: main.version })), 409, 'published', 'id');
  expectError(await publish(office, main.id), 409, 'published', 'id');
  expectError(await office.post(`/api/v1/bulletins/${main.id}/delete`, {}), 409, 'published', 'id');
  assert.throws(() => sql(`UPDATE bulletin SET title = '改过的标题' WHERE id = ${main.id}`), /bulletin_published/);
  assert.throws(() => sql(`DELETE FROM bulletin WHERE id = ${main.id}`), /bulletin_published/);
  // the figures stay as published even when the records change: an overdue item verified now
  sql(`UPDATE rectification SET status = 'verified' WHERE id = ${rect.id}`);
  assert.deepEqual(await get(office, main.id), before);
  sql(`UPDATE rectification SET status = 'open' WHERE id = ${rect.id}`);
});

test('who reads it: the subtree while it is for the subtree; anyone at /p/bulletins once public', async () => {
  // a bulletin of the first town for its own subtree
  const d = (await ok(await compose(town, townId, draftBody({ title: '兴河镇2025年第三季度通报', sections: 'late_reports,text' })), 201)).bulletin;
  const t = (await ok(await publish(town, d.id))).bulletin;
  assert.equal(t.visibility, 'subtree');
  assert.equal((await ok(await secretary.get(`/api/v1/bulletins/${t.id}`))).bulletin.title, '兴河镇2025年第三季度通报');
  assert.equal((await member.get(`/api/v1/bulletins/${t.id}`)).status, 200, 'a member of the town reads it');
  assert.equal((await office.get(`/api/v1/bulletins/${t.id}`)).status, 200, 'the district above reads it');
  const hidden = await secretary2.get(`/api/v1/bulletins/${t.id}`), missing = await secretary2.get('/api/v1/bulletins/987654321');
  expectError(hidden, 404, 'not_found');
  assert.deepEqual(hidden.json, missing.json, 'a hidden bulletin looks like a missing one');
  assert.ok(!hidden.text.includes('兴河镇2025年'));
  assert.equal((await secretary2.get(`/bulletins/${t.id}`)).status, 404);
  assert.equal((await secretary2.get(`/bulletins/${t.id}/print`)).status, 404);
  assert.equal((await secretary2.get(`/api/v1/bulletins/${t.id}/export`)).status, 404);
  assert.equal((await secretary2.get(`/api/v1/orgs/${townId}/bulletins`)).status, 404);
  assert.ok(!(await ok(await secretary2.get(`/api/v1/orgs/${rootId}/bulletins`))).bulletins.some((x) => x.id === t.id));
  // the public one (the district's) without login; the subtree one never
  const anon = new Client(srv.base);
  const list = await anon.get('/p/bulletins');
  assert.equal(list.status, 200);
  assert.ok(list.text.includes('河西创〔2025〕1号'), 'the public list shows the public bulletin');
  assert.ok(!list.text.includes('兴河镇2025年第三季度通报'), 'the public list shows a subtree bulletin');
  const page = await anon.get(`/p/bulletins/${main.id}`);
  assert.equal(page.status, 200);
  assert.ok(page.text.includes('河西创〔2025〕1号') && page.text.includes(rect.problem));
  // 点名 on the public page: the member masked (评议结果在一定范围内通报); signed-in readers see the name
  assert.ok(!page.text.includes(missed[1]), 'the public page names the member in full');
  assert.ok(page.text.includes(`${[...missed[1]][0]}*`) && page.text.includes(missed[2]), 'the public page lists the miss, masked');
  const named = (await get(secretary, main.id)).sections.find((x) => x.kind === 'named');
  assert.equal(named.figures.rows[0].cells[1], missed[1]);
  assert.equal((await anon.get(`/p/bulletins/${t.id}`)).status, 404);
  assert.equal((await secretary.get(`/p/bulletins/${t.id}`)).status, 404, 'not public even for its readers');
  assert.equal((await anon.get(`/api/v1/bulletins/${main.id}`)).status, 401);
  // cached like the other public pages: the same ETag, and 304 when the client has it
  const etag = page.headers.get('etag');
  assert.ok(etag);
  assert.equal((await anon.get(`/p/bulletins/${main.id}`, { headers: { 'If-None-Match': etag } })).status, 304);
});

test('the print page and the export', async () => {
  const p = await office.get(`/bulletins/${main.id}/print`);
  assert.equal(p.status, 200);
  for (const s of ['河西区委', '河西创〔2025〕1号', '关于2025年第三季度创先争优活动开展情况的通报', '按时报送汇报率排名', missed[1]]) assert.ok(p.text.includes(s), s);
  const x = await office.get(`/api/v1/bulletins/${main.id}/export`);
  assert.equal(x.status, 200);
  const files = unzip(x.buf);
  const shared = (files['xl/sharedStrings.xml'] || Buffer.alloc(0)).toString('utf8') + files['xl/worksheets/sheet1.xml'].toString('utf8');
  for (const s of ['河西创〔2025〕1号', '按时报送汇报率排名', '50.0%', rect.problem]) assert.ok(shared.includes(s), s);
});

test('a correction is a new bulletin referencing the old one, which then says 已更正，见 …', async () => {
  expectError(await office.post(`/api/v1/bulletins/987654321/correct`, {}), 404, 'not_found');
  const c = (await ok(await office.post(`/api/v1/bulletins/${main.id}/correct`, {}), 201)).bulletin;
  assert.equal(c.status, 'draft');
  assert.equal(c.corrects_id, main.id);
  assert.match(c.title, /^关于《.*》的更正$/);
  expectError(await office.post(`/api/v1/bulletins/${c.id}/correct`, {}), 409, 'not_published', 'id');
  const pc = (await ok(await publish(office, c.id))).bulletin;
  assert.equal(pc.number_text, '河西创〔2025〕2号');
  const old = await get(office, main.id);
  assert.deepEqual(old.corrected_by.map((x) => x.number_text), ['河西创〔2025〕2号']);
  const page = await office.get(`/bulletins/${main.id}`);
  assert.match(page.text, /已更正，见\s*<a href="\/bulletins\/\d+">河西创〔2025〕2号<\/a>/);
  assert.equal(old.content_hash, main.content_hash, 'the corrected bulletin itself is unchanged');
  // the public page names the public correction; a correction for the subtree only is not named there
  const anon = new Client(srv.base);
  const pub = await anon.get(`/p/bulletins/${main.id}`);
  assert.equal(pc.visibility, 'public', 'a correction keeps the visibility of what it corrects');
  assert.ok(pub.text.includes(`已更正，见 ${pc.number_text}`), 'the public correction is named on /p');
  const c2 = (await ok(await office.post(`/api/v1/bulletins/${main.id}/correct`, {}), 201)).bulletin;
  await ok(await office.post(`/api/v1/bulletins/${c2.id}/edit`, { ...draftBody(), title: c2.title, visibility: 'subtree', version: c2.version }));
  const pc2 = (await ok(await publish(office, c2.id))).bulletin;
  assert.equal(pc2.visibility, 'subtree');
  const pub2 = await anon.get(`/p/bulletins/${main.id}`);
  assert.equal(pub2.status, 200);
  assert.ok(!pub2.text.includes(pc2.number_text), 'a subtree correction is named on the public page');
  assert.ok((await get(office, main.id)).corrected_by.some((x) => x.number_text === pc2.number_text), 'signed-in readers see every correction');
});

test('two publications at once: never the same number', async () => {
  // the same draft twice: one publishes, the other is told it is published
  const d = (await ok(await compose(town, townId, draftBody({ period: '2024Q2', title: '并发印发一', sections: 'text' })), 201)).bulletin;
  const both = await Promise.all([publish(town, d.id), publish(town, d.id)]);
  assert.deepEqual(both.map((r) => r.status).sort(), [200, 409], both.map((r) => r.text).join('\n'));
  // two drafts at once: numbers 2 and 3 of the year, in some order
  const [d2, d3] = await Promise.all(['并发印发二', '并发印发三'].map(async (title) =>
    (await ok(await compose(town, townId, draftBody({ period: '2024Q2', title, sections: 'text' })), 201)).bulletin));
  const rs = await Promise.all([publish(town, d2.id), publish(town, d3.id)]);
  const seqs = rs.map((r) => { assert.equal(r.status, 200, r.text); return r.json.bulletin.seq; }).sort();
  assert.deepEqual(seqs, [2, 3]);
  assert.equal(sql(`SELECT count(DISTINCT seq) FROM bulletin WHERE org_id = ${townId} AND year = 2024 AND status = 'published'`), '3');
});

test('the round rankings (五个好, 五带头, satisfaction) read the roll-ups of the round, and the recount reproduces them', async () => {
  const [start, end] = sql('SELECT period_start || \'|\' || period_end FROM review_round ORDER BY id LIMIT 1').split('|');
  const q = `${end.slice(0, 4)}Q${Math.floor((Number(end.slice(5, 7)) + 2) / 3)}`;
  const d = (await ok(await compose(office, rootId, draftBody({ period: q, title: `${q} 评议排名`, sections: 'rank_orgs_meeting,rank_members_meeting,rank_satisfaction' })), 201)).bulletin;
  const b = (await ok(await publish(office, d.id))).bulletin;
  for (const s of b.sections) {
    assert.ok(s.figures.round_id, `${s.kind}: no round named`);
    assert.ok(s.figures.caption.includes(start), s.figures.caption);
    assert.ok(s.figures.rows.length >= 2, `${s.kind}: the district's children are ranked`);
  }
  const r = recount(b.id);
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('recount: a raw record changed after publication is an honest difference', async () => {
  // the late report is found never to have been submitted (through SQL, behind the server's back)
  sql(`UPDATE report SET first_submitted_on = '', status = 'due' WHERE id = ${lateReport}`);
  const r = recount(main.id);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /「逾期报送的汇报」 行「[^」]+」（report:\d+）：通报中有，按原始记录不应有/);
  assert.match(r.stdout, /「未报送的汇报」 行「[^」]+」（report:\d+）：通报中没有，按原始记录应有/);
  assert.match(r.stdout, /共有差异 \d+ 处/);
  assert.doesNotMatch(r.stdout, /内容摘要/, 'the content itself is intact');
  sql(`UPDATE report SET first_submitted_on = '2025-08-22', status = 'submitted' WHERE id = ${lateReport}`);
  assert.equal(recount(main.id).status, 0, 'back as published');
  // usage and a draft
  assert.equal(srv.cli(['recount', '--bulletin', 'x']).status, 2);
  const d = (await ok(await compose(office, rootId, draftBody({ sections: 'text' })), 201)).bulletin;
  assert.equal(recount(d.id).status, 3);
  assert.equal(recount(987654321).status, 3);
});

test('recount: with the trigger dropped, tampered sections are reported', async () => {
  sql(BACKEND === 'pg' ? 'DROP TRIGGER bulletin_frozen ON bulletin' : 'DROP TRIGGER bulletin_frozen_update');
  const rank = main.sections.find((s) => s.kind === 'rank_reports').figures.rows.find((x) => x.key === `org:${townId}`);
  const stored = sql(`SELECT sections FROM bulletin WHERE id = ${main.id}`);
  const tampered = stored.replace(JSON.stringify(rank.cells), JSON.stringify([rank.cells[0], rank.cells[1], '2', '2', '100.0%']));
  assert.notEqual(tampered, stored);
  sql(`UPDATE bulletin SET sections = '${tampered.replace(/'/g, "''")}' WHERE id = ${main.id}`);
  const r = recount(main.id);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /内容摘要：.*不符/);
  assert.match(r.stdout, new RegExp(`「按时报送汇报率排名」 行「${rank.cells[1]}」 列「按时报送」：通报为 2，按原始记录应为 1`));
  assert.match(r.stdout, /列「比例」：通报为 100\.0%，按原始记录应为 50\.0%/);
  // and a changed hash is caught against the audit record
  sql(`UPDATE bulletin SET content_hash = '${'0'.repeat(64)}' WHERE id = ${main.id}`);
  assert.match(recount(main.id).stdout, /审计记录：印发记录中的摘要为 [0-9a-f]{64}，通报记下的摘要为 0{64}，不符/);
});
