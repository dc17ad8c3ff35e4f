// reports.test.mjs: scheduled reports (定期汇报述职) over HTTP, on this file's own demo database:
// an office sets a schedule for its subtree (one report per covered organisation, due date as a
// date or in working days over the calendar, kept when the calendar changes later); the branch
// secretary writes, attaches files and submits; the level above returns with a comment or
// accepts; resubmission keeps every version; lists up the tree by status and period, counts of a
// schedule, the XLSX export and the pages; every refusal with its code and nothing changed
// (another town's secretary, a member, a schedule covering nothing, bad dates, a return without a
// comment, editing an accepted report, files of the wrong type, two submits at once); the quarter
// roll-ups equal the raw records.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, expectError, multipartBody, daysFromToday, PNG_1x1 as PNG, unzip, sqlOn } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const [office, town, secretary, member, leader, secretary2] = await Promise.all(
  ['office', 'town', 'secretary', 'member', 'leader', 'secretary2'].map((u) => loginAs(srv.base, u)));
const rootId = office.user.roles[0].org_id;
const townId = town.user.roles[0].org_id;
const branch = secretary.user.roles[0].org_id; // a branch under the town
const branchB = secretary2.user.roles[0].org_id; // a branch in another town
const today = daysFromToday(0);
const sql = (q) => sqlOn(srv.db, q);

async function ok(r, status = 200) {
  assert.equal(r.status, status, `${r.status} ${r.text.slice(0, 400)}`);
  return r.json;
}
const schedules = (c, org, body) => c.post(`/api/v1/orgs/${org}/report-schedules`, body);
const getReport = async (id, c = office) => ok(await c.get(`/api/v1/reports/${id}`));
const act = (c, id, action, body = {}) => c.post(`/api/v1/reports/${id}${action ? `/${action}` : ''}`, body);

/** What a refused request must leave alone: the report (as the office reads it), the town's list,
 * the schedules of the town and the audit head. */
async function snap(id) {
  const [x, l, s, audit] = await Promise.all([id ? office.get(`/api/v1/reports/${id}`) : null,
    office.get(`/api/v1/orgs/${townId}/reports?per_page=500`), office.get(`/api/v1/orgs/${townId}/report-schedules`),
    office.get(`/api/v1/orgs/${rootId}/audit`)]);
  return { x: x && x.json, l: l.json, s: s.json, audit: audit.json.records[0].seq };
}
async function refused(id, what, send, status, code, field) {
  const before = await snap(id);
  const r = await send();
  try { expectError(r, status, code, field); } catch (e) { e.message = `${what}: ${e.message}`; throw e; }
  assert.deepEqual(await snap(id), before, `${what} changed something although it was refused`);
  return r;
}

/** The town's branches (active), as the office sees the tree. */
const townBranches = (await ok(await office.get(`/api/v1/orgs/${townId}/tree?depth=8`))).tree.children.filter((c) => c.active !== false);
let seq = 0;
const quarterly = (over = {}) => ({ kind: 'quarterly', title: `测试季度检查${++seq}`, for_types: 'branch', period_start: '2026-10-01',
  period_end: '2026-12-31', due_workdays: '10', outline: ['工作开展情况', '存在问题', '下一步打算'], ...over });

/** The report of org under schedule sid. */
async function reportOf(sid, org) {
  const list = (await ok(await office.get(`/api/v1/report-schedules/${sid}?per_page=500`))).reports;
  return list.find((r) => r.org_id === org);
}

test('the demo\'s year of reports (its acts written in one batch) leaves what the same acts one at a time leave', () => {
  // each report: one event and one audit record an act, in the same order; its row moved on once
  // an act; a version a submission, the last audit record's state the row's; the chain verifies
  const rows = sql("SELECT r.id, r.version, r.status, r.row_version, coalesce(r.first_submitted_on, ''), r.due_date, r.late_workdays, "
    + "(SELECT count(*) FROM report_version v WHERE v.report_id = r.id) FROM report r JOIN report_schedule s ON s.id = r.schedule_id "
    + "WHERE s.kind = 'quarterly' ORDER BY r.id").split('\n').map((l) => l.split('|'));
  const group = (q) => {
    const m = new Map();
    for (const l of sql(q).split('\n').filter(Boolean)) {
      const [id, ...rest] = l.split('|');
      if (!m.has(id)) m.set(id, []);
      m.get(id).push(rest.join('|'));
    }
    return m;
  };
  const events = group('SELECT report_id, action FROM report_event ORDER BY report_id, id');
  const audits = group("SELECT entity_id, action, after_json FROM audit_log WHERE entity = 'work_report' ORDER BY entity_id, part, seq");
  const seen = new Set();
  for (const [id, version, status, rowVersion, first, due, late, versions] of rows) {
    const ev = events.get(id) || [], au = audits.get(id) || [];
    seen.add(ev.join(','));
    assert.deepEqual(au.map((a) => a.split('|')[0]), ev, `report ${id}: an audit record an event, in order`);
    assert.equal(Number(rowVersion), 1 + ev.length, `report ${id}: row version`);
    assert.equal(Number(version), ev.filter((a) => a === 'submit').length, `report ${id}: version`);
    assert.equal(Number(versions), Number(version), `report ${id}: its versions`);
    assert.equal(first !== '', Number(version) > 0, `report ${id}: first submission day`);
    if (first) assert.equal(Number(late) > 0, first > due, `report ${id}: late working days (${first} against ${due})`);
    if (au.length) {
      const last = JSON.parse(au[au.length - 1].slice(au[au.length - 1].indexOf('|') + 1));
      assert.equal(last.status, status, `report ${id}: the last audit record's status`);
      assert.equal(last.version, Number(version), `report ${id}: the last audit record's version`);
    }
  }
  assert.ok(seen.has('submit,return,submit') && seen.has('submit,accept') && seen.has('submit') && seen.has(''), [...seen].join(' / '));
  const v = srv.cli(['audit', 'verify']);
  assert.equal(v.status, 0, v.stdout + v.stderr);
});

test('a schedule covers the organisations below the office that match, and tells their secretaries', async () => {
  const j = await ok(await schedules(town, townId, quarterly()), 201);
  const s = j.schedule;
  assert.equal(s.kind, 'quarterly');
  assert.equal(s.reports, townBranches.length, 'one report per branch of the town; the town itself is not covered');
  assert.deepEqual(s.outline, ['工作开展情况', '存在问题', '下一步打算']);
  assert.ok(s.due_date > '2026-12-31' && s.due_date < '2027-02-01', `10 working days after the period: ${s.due_date}`);
  const page = await ok(await town.get(`/api/v1/report-schedules/${s.id}`));
  assert.equal(page.progress.total, townBranches.length);
  assert.equal(page.progress.waiting, townBranches.length, 'nothing submitted, not yet due');
  assert.equal(page.reports.length, townBranches.length);
  for (const r of page.reports) assert.equal(r.state, 'due');
  const mine = page.reports.find((r) => r.org_id === branch);
  const notes = (await ok(await secretary.get('/api/v1/me/notifications?per_page=200'))).notifications;
  assert.ok(notes.some((n) => n.link === `/reports/${mine.id}` && n.text.includes(s.title)), 'the branch secretary is told');
  const notes2 = (await ok(await secretary2.get('/api/v1/me/notifications?per_page=200'))).notifications;
  assert.ok(!notes2.some((n) => n.text.includes(s.title)), 'another town\'s secretary is not');
  // the town office's schedules are listed at the town, with their progress
  const list = (await ok(await town.get(`/api/v1/orgs/${townId}/report-schedules`))).schedules;
  assert.ok(list.some((x) => x.id === s.id && x.progress.total === townBranches.length));
});

test('careless schedules are refused with the field and change nothing', async () => {
  await refused(0, 'no organisation matches', () => schedules(town, townId, quarterly({ for_types: 'general_branch' })), 422, 'no_organisations');
  await refused(0, 'a branch has nothing below it', () => schedules(office, branch, quarterly({ for_types: '' })), 422, 'no_organisations');
  await refused(0, 'due before the period ends', () => schedules(town, townId, quarterly({ due_workdays: '', due_date: '2026-12-30' })), 400, 'due_before_period_end', 'due_date');
  await refused(0, 'both a date and working days', () => schedules(town, townId, quarterly({ due_date: '2027-01-20' })), 400, 'due_required', 'due_date');
  await refused(0, 'neither', () => schedules(town, townId, quarterly({ due_workdays: '' })), 400, 'due_required', 'due_date');
  await refused(0, 'working days 0..60', () => schedules(town, townId, quarterly({ due_workdays: '61' })), 400, 'invalid_due_workdays', 'due_workdays');
  await refused(0, 'the period backwards', () => schedules(town, townId, quarterly({ period_start: '2027-01-01' })), 400, 'invalid_period', 'period_end');
  await refused(0, 'no such date', () => schedules(town, townId, quarterly({ period_end: '2026-02-30' })), 400, 'invalid_date', 'period_end');
  await refused(0, 'a kind of its own', () => schedules(town, townId, quarterly({ kind: 'weekly' })), 400, 'invalid_kind', 'kind');
  await refused(0, 'a custom kind needs a title', () => schedules(town, townId, quarterly({ kind: 'custom', title: '  ' })), 400, 'required', 'title');
  await refused(0, 'an unknown org type', () => schedules(town, townId, quarterly({ for_types: 'branch,club' })), 400, 'invalid_type', 'for_types');
  await refused(0, 'an unknown sector', () => schedules(town, townId, quarterly({ for_sectors: 'mars' })), 400, 'invalid_sector', 'for_sectors');
  await refused(0, 'too many sections', () => schedules(town, townId, quarterly({ outline: Array.from({ length: 21 }, (_, i) => `第${i}节`) })), 400, 'too_many_sections', 'outline');
  await refused(0, 'a section title too long', () => schedules(town, townId, quarterly({ outline: ['长'.repeat(101)] })), 400, 'section_title_too_long', 'outline');
  await refused(0, 'a title too long', () => schedules(town, townId, quarterly({ title: '长'.repeat(61) })), 400, 'too_long', 'title');
  // who may not set schedules
  await refused(0, 'a secretary', () => schedules(secretary, branch, quarterly()), 403, 'forbidden');
  await refused(0, 'a member', () => schedules(member, branch, quarterly()), 403, 'forbidden');
  await refused(0, 'the town office over another town', () => schedules(town, branchB, quarterly()), 404, 'not_found');
  await refused(0, 'the town office over the district', () => schedules(town, rootId, quarterly()), 404, 'not_found');
  // an outline given as text, one title a line, and a blank title made from the kind and period
  const t = (await ok(await schedules(town, townId, quarterly({ title: '', outline: '一、情况\n\n二、问题\n' })), 201)).schedule;
  assert.deepEqual(t.outline, ['一、情况', '二、问题']);
  assert.match(t.title, /^季度检查（2026-10-01至2026-12-31）$/);
});

test('a calendar edit after the schedule does not move its deadlines', async () => {
  const s = (await ok(await schedules(town, townId, quarterly({ due_workdays: '3' })), 201)).schedule;
  const r0 = await reportOf(s.id, branch);
  assert.equal(r0.due_date, s.due_date);
  // a holiday on the first working day of 2027 that is not already a holiday
  const first = '2027-01-04';
  await ok(await office.post('/api/v1/calendar', { date: first, kind: 'holiday', name: '测试假日' }));
  const again = (await ok(await town.get(`/api/v1/report-schedules/${s.id}`))).schedule;
  assert.equal(again.due_date, s.due_date, 'the schedule keeps its deadline');
  assert.equal((await reportOf(s.id, branch)).due_date, s.due_date, 'and so does every report');
  const later = (await ok(await schedules(town, townId, quarterly({ due_workdays: '3' })), 201)).schedule;
  assert.ok(later.due_date > s.due_date, `a schedule made now counts over the new calendar: ${later.due_date} after ${s.due_date}`);
  await ok(await office.post('/api/v1/calendar', { date: first, kind: 'reset' }));
});

test('write, submit, return with a comment, resubmit, accept; every version kept', async () => {
  const s = (await ok(await schedules(town, townId, quarterly()), 201)).schedule;
  const r = await reportOf(s.id, branch);
  let x = await getReport(r.id, secretary);
  assert.deepEqual(x.sections.map((z) => z.title), s.outline);
  assert.equal(x.can.save, true);
  assert.equal(x.can.submit, true);
  assert.equal(x.can.return, false);
  // the draft: two sections now
  x = await ok(await act(secretary, r.id, '', { sections: ['开展了三次主题党日。', '  台账不全。  '], row_version: x.report.row_version }));
  assert.deepEqual(x.sections.map((z) => z.text), ['开展了三次主题党日。', '台账不全。', '']);
  assert.equal(x.report.status, 'due');
  // a stale row version
  await refused(r.id, 'an old row version', () => act(secretary, r.id, '', { sections: ['旧'], row_version: x.report.row_version - 1 }), 409, 'stale', 'row_version');
  // submitting with an empty section
  await refused(r.id, 'a section left empty', () => act(secretary, r.id, 'submit', { row_version: x.report.row_version }), 400, 'section_required', 'sections');
  await refused(r.id, 'sections not an array', () => act(secretary, r.id, 'submit', { sections: '全文' }), 400, 'invalid_type', 'sections');
  await refused(r.id, 'a section too long', () => act(secretary, r.id, 'submit', { sections: ['长'.repeat(5001), 'b', 'c'] }), 400, 'too_long', 'sections');
  await refused(r.id, 'more sections than the outline', () => act(secretary, r.id, 'submit', { sections: ['a', 'b', 'c', 'd'] }), 400, 'too_many_sections', 'sections');
  // another town's secretary, a member, a leader of the town
  await refused(r.id, 'another town\'s secretary reads', () => secretary2.get(`/api/v1/reports/${r.id}`), 404, 'not_found');
  await refused(r.id, 'another town\'s secretary writes', () => act(secretary2, r.id, 'submit', { sections: ['a', 'b', 'c'] }), 404, 'not_found');
  await refused(r.id, 'a member reads', () => member.get(`/api/v1/reports/${r.id}`), 403, 'forbidden');
  await refused(r.id, 'a member writes', () => act(member, r.id, 'submit', { sections: ['a', 'b', 'c'] }), 403, 'forbidden');
  await refused(r.id, 'a leader submits', () => act(leader, r.id, 'submit', { sections: ['a', 'b', 'c'] }), 403, 'forbidden');
  assert.equal((await getReport(r.id, leader)).report.id, r.id, 'a leader above may read it');
  await refused(r.id, 'the town judges a report not submitted', () => act(town, r.id, 'accept', {}), 409, 'invalid_transition');
  // two submits at once with the same row version: one version, the other 409
  const rv = (await getReport(r.id, secretary)).report.row_version;
  const body = { sections: ['开展了三次主题党日。', '台账不全。', '月底前补齐。'], row_version: rv };
  const both = await Promise.all([act(secretary, r.id, 'submit', body), act(secretary, r.id, 'submit', body)]);
  assert.deepEqual(both.map((b) => b.status).sort(), [200, 409], both.map((b) => b.text.slice(0, 200)).join(' | '));
  expectError(both.find((b) => b.status === 409), 409, 'stale');
  x = await getReport(r.id, secretary);
  assert.equal(x.report.status, 'submitted');
  assert.equal(x.versions.length, 1, 'one version');
  assert.equal(x.report.first_submitted_on, today);
  assert.equal(x.report.on_time, true);
  assert.equal(x.events.filter((e) => e.action === 'submit').length, 1);
  const tnotes = (await ok(await town.get('/api/v1/me/notifications?per_page=200'))).notifications;
  assert.equal(tnotes.filter((n) => n.link === `/reports/${r.id}` && n.kind === 'report_submitted').length, 1, 'the level above is told once');
  const onotes = (await ok(await office.get('/api/v1/me/notifications?per_page=200'))).notifications;
  assert.ok(!onotes.some((n) => n.link === `/reports/${r.id}`), 'not the district above the issuing town');
  // the branch's own secretary may not judge it; the town may
  assert.equal(x.can.return, false);
  await refused(r.id, 'the secretary accepts its own', () => act(secretary, r.id, 'accept', {}), 403, 'not_allowed');
  await refused(r.id, 'editing once submitted', () => act(secretary, r.id, '', { sections: ['改'] }), 409, 'invalid_transition');
  await refused(r.id, 'a return without a comment', () => act(town, r.id, 'return', { comment: '   ' }), 400, 'required', 'comment');
  await refused(r.id, 'a comment too long', () => act(town, r.id, 'return', { comment: '长'.repeat(501) }), 400, 'too_long', 'comment');
  await refused(r.id, 'secretary2 returns', () => act(secretary2, r.id, 'return', { comment: '越权' }), 404, 'not_found');
  const tj = await getReport(r.id, town);
  assert.equal(tj.can.return, true);
  assert.equal(tj.can.accept, true);
  x = await ok(await act(town, r.id, 'return', { comment: '问题原因不具体，请补充。', row_version: tj.report.row_version }));
  assert.equal(x.report.status, 'returned');
  assert.equal(x.report.return_comment, '问题原因不具体，请补充。');
  const notes = (await ok(await secretary.get('/api/v1/me/notifications?per_page=200'))).notifications;
  assert.ok(notes.some((n) => n.link === `/reports/${r.id}` && n.text.includes('问题原因不具体')), 'the secretary is told of the return');
  // the desk: a report to rewrite for the secretary
  const desk = (await ok(await secretary.get('/api/v1/me/desk'))).sections.flatMap((z) => z.items);
  assert.ok(desk.find((i) => i.key === 'reports_to_write').count >= 1);
  // resubmitted: a second version, the first kept as it was
  x = await ok(await act(secretary, r.id, 'submit', { sections: ['开展了三次主题党日。', '台账不全，原因是检查不经常。', '月底前补齐。'] }));
  assert.equal(x.report.status, 'submitted');
  assert.equal(x.versions.length, 2);
  assert.equal(x.versions[0].sections[1].text, '台账不全。');
  assert.equal(x.versions[1].sections[1].text, '台账不全，原因是检查不经常。');
  assert.equal(x.report.first_submitted_on, today, 'lateness is decided by the first submission');
  const tdesk = (await ok(await town.get('/api/v1/me/desk'))).sections.flatMap((z) => z.items);
  assert.ok(tdesk.find((i) => i.key === 'reports_to_judge').count >= 1, 'the town sees a report waiting for it');
  // the district office (above the issuing town) reads it; accepting is the town's
  x = await ok(await act(town, r.id, 'accept', { comment: '' }));
  assert.equal(x.report.status, 'accepted');
  assert.deepEqual(x.events.map((e) => e.action), ['submit', 'return', 'submit', 'accept']);
  await refused(r.id, 'editing an accepted report', () => act(secretary, r.id, '', { sections: ['改'] }), 409, 'invalid_transition');
  await refused(r.id, 'submitting an accepted report', () => act(secretary, r.id, 'submit', { sections: ['a', 'b', 'c'] }), 409, 'invalid_transition');
  await refused(r.id, 'returning an accepted report', () => act(town, r.id, 'return', { comment: '再改' }), 409, 'invalid_transition');
  await refused(r.id, 'a file on an accepted report', async () => secretary.req('POST', `/api/v1/reports/${r.id}/files`, await multipartBody([['file', PNG, '补充.png']])), 409, 'invalid_transition');
  const notes2 = (await ok(await secretary.get('/api/v1/me/notifications?per_page=200'))).notifications;
  assert.ok(notes2.some((n) => n.link === `/reports/${r.id}` && n.text.includes('审阅通过')), 'the secretary is told of the acceptance');
  const audit = (await ok(await office.get(`/api/v1/orgs/${rootId}/audit?per_page=200`))).records.filter((a) => a.entity === 'work_report' && a.entity_id === r.id);
  assert.deepEqual(audit.map((a) => a.action).sort(), ['accept', 'return', 'save', 'submit', 'submit'].sort());
});

test('an office that writes a report for a branch below it cannot also judge it; another office above can', async () => {
  const s = (await ok(await schedules(office, rootId, quarterly()), 201)).schedule;
  const r = await reportOf(s.id, branch);
  let x = await ok(await act(town, r.id, 'submit', { sections: ['镇里代为整理的情况。', '无。', '按计划推进。'] }));
  assert.equal(x.report.status, 'submitted');
  x = await getReport(r.id, town);
  assert.equal(x.can.accept, false, 'the page offers no acceptance of one\'s own submission');
  assert.equal(x.can.return, false);
  await refused(r.id, 'the submitter accepts', () => act(town, r.id, 'accept', { row_version: x.report.row_version }), 403, 'own_report', 'id');
  await refused(r.id, 'the submitter returns', () => act(town, r.id, 'return', { comment: '自己退回', row_version: x.report.row_version }), 403, 'own_report', 'id');
  x = await getReport(r.id, office);
  assert.equal(x.can.accept, true);
  x = await ok(await act(office, r.id, 'accept', { row_version: x.report.row_version }));
  assert.equal(x.report.status, 'accepted');
});

test('files typed by content; another town sees none', async () => {
  const s = (await ok(await schedules(town, townId, quarterly()), 201)).schedule;
  const r = await reportOf(s.id, branch);
  const up = async (c, files) => c.req('POST', `/api/v1/reports/${r.id}/files`, await multipartBody(files));
  await refused(r.id, 'a text file named .png', async () => up(secretary, [['file', Buffer.from('not a picture'), '照片.png']]), 400, 'evidence_type', 'file');
  await refused(r.id, 'an empty file', async () => up(secretary, [['file', Buffer.alloc(0), '空.pdf']]), 400, 'evidence_empty', 'file');
  await refused(r.id, 'no file', async () => up(secretary, [['note', 'x']]), 400, 'required', 'file');
  await refused(r.id, 'secretary2 uploads', async () => up(secretary2, [['file', PNG, '越权.png']]), 404, 'not_found');
  const x = await ok(await up(secretary, [['file', PNG, '会议照片.png']]), 201);
  assert.equal(x.files.length, 1);
  assert.equal(x.files[0].mime, 'image/png');
  const f = await secretary.get(`/api/v1/report-files/${x.files[0].id}`);
  assert.equal(f.status, 200);
  assert.equal(f.headers.get('content-type'), 'image/png');
  expectError(await secretary2.get(`/api/v1/report-files/${x.files[0].id}`), 404, 'not_found');
  assert.equal((await secretary2.get(`/report-files/${x.files[0].id}`)).status, 404, 'nor through the page route');
});

test('lateness in working days, missing and late lists up the tree, counts and roll-ups', async () => {
  // a period long past: every report is missing until submitted, then late
  const s = (await ok(await schedules(town, townId, quarterly({ period_start: '2026-01-01', period_end: '2026-01-31', due_workdays: '', due_date: '2026-02-10' })), 201)).schedule;
  const r = await reportOf(s.id, branch);
  assert.equal(r.state, 'missing');
  const missing = (await ok(await town.get(`/api/v1/orgs/${townId}/reports?status=missing&per_page=500`))).reports;
  assert.ok(missing.some((x) => x.id === r.id));
  const atRoot = (await ok(await office.get(`/api/v1/orgs/${rootId}/reports?status=missing&period=2026Q1&per_page=500`))).reports;
  assert.ok(atRoot.some((x) => x.id === r.id), 'the district sees it up the tree, in 2026Q1 by its due date');
  assert.ok(!(await ok(await office.get(`/api/v1/orgs/${rootId}/reports?status=missing&period=2026Q2&per_page=500`))).reports.some((x) => x.id === r.id));
  expectError(await secretary2.get(`/api/v1/orgs/${branch}/reports`), 404, 'not_found');
  assert.ok(!(await ok(await secretary2.get(`/api/v1/orgs/${branchB}/reports?per_page=500`))).reports.some((x) => x.id === r.id));
  const x = await ok(await act(secretary, r.id, 'submit', { sections: ['迟报的内容', '问题', '打算'] }));
  assert.equal(x.report.late, true);
  assert.ok(x.report.late_workdays > 100, `working days since 2026-02-10: ${x.report.late_workdays}`);
  const late = (await ok(await town.get(`/api/v1/orgs/${townId}/reports?status=late&per_page=500`))).reports;
  assert.ok(late.some((y) => y.id === r.id));
  assert.ok(!(await ok(await town.get(`/api/v1/orgs/${townId}/reports?status=missing&per_page=500`))).reports.some((y) => y.id === r.id));
  const p = (await ok(await town.get(`/api/v1/report-schedules/${s.id}`))).progress;
  assert.deepEqual([p.total, p.late, p.missing, p.on_time, p.waiting, p.submitted], [townBranches.length, 1, townBranches.length - 1, 0, 0, 1]);
  // each filter's list agrees with the schedule's counts
  for (const [st, n] of [['late', p.late], ['missing', p.missing], ['submitted', p.submitted], ['due', p.waiting]]) {
    const l = await ok(await town.get(`/api/v1/report-schedules/${s.id}?status=${st}`));
    assert.equal(l.paging.total, n, st);
  }
  for (const q of ['status=lost', 'period=2026Q5', 'period=26', 'page=0', 'format=csv']) {
    const e = await town.get(`/api/v1/orgs/${townId}/reports?${q}`);
    expectError(e, 400, q.startsWith('format') ? 'invalid_format' : 'invalid_query');
  }
  // the quarter roll-ups equal the raw records for every organisation and quarter
  const rows = sql(`SELECT p.org_id, p.quarter, p.reports_due, p.reports_on_time, p.reports_late FROM period_rollup p WHERE p.reports_due <> 0 OR p.reports_on_time <> 0 OR p.reports_late <> 0 ORDER BY 1, 2`);
  const raw = sql(`SELECT a.id, CAST(substr(r.due_date, 1, 4) AS INTEGER) * 10 + (CAST(substr(r.due_date, 6, 2) AS INTEGER) + 2) / 3 AS q, count(*), `
    + `sum(CASE WHEN r.first_submitted_on <> '' AND r.first_submitted_on <= r.due_date THEN 1 ELSE 0 END), `
    + `sum(CASE WHEN r.first_submitted_on > r.due_date THEN 1 ELSE 0 END) FROM org a JOIN report r ON r.org_path >= a.path `
    + `AND r.org_path < substr(a.path, 1, length(a.path) - 1) || '0' GROUP BY a.id, q ORDER BY 1, 2`);
  assert.equal(rows, raw, 'roll-ups of reports equal the raw records');
  assert.ok(rows.split('\n').length > 10);
});

test('the demo year: quarterly reports on time, late and missing, one returned and resubmitted', async () => {
  const all = (await ok(await office.get(`/api/v1/orgs/${rootId}/report-schedules`))).schedules;
  const demo = all.filter((s) => s.title.startsWith('2026年第'));
  assert.equal(demo.length, 3);
  for (const s of demo) {
    assert.ok(s.progress.on_time > 0 && s.progress.late > 0 && s.progress.missing > 0, `${s.title}: ${JSON.stringify(s.progress)}`);
    assert.equal(s.progress.total, s.reports);
  }
  assert.ok(all.some((s) => s.kind === 'year_end' && s.due_date.startsWith('2027-01')));
  const resub = (await ok(await office.get(`/api/v1/orgs/${rootId}/reports?period=2026&per_page=500`))).reports.filter((r) => r.version >= 2);
  assert.ok(resub.length > 0, 'a report returned and resubmitted');
  const x = await getReport(resub[0].id);
  assert.deepEqual(x.events.map((e) => e.action).slice(0, 3), ['submit', 'return', 'submit']);
  const late = (await ok(await office.get(`/api/v1/orgs/${rootId}/reports?status=late&period=2026Q2`))).reports;
  assert.ok(late.length > 0 && late.every((r) => r.late_workdays >= 1));
});

test('XLSX export, pages and print', async () => {
  const x = await town.get(`/api/v1/orgs/${townId}/reports?format=xlsx&period=2026`);
  assert.equal(x.status, 200, x.text.slice(0, 200));
  assert.match(x.headers.get('content-type'), /spreadsheetml/);
  assert.match(decodeURIComponent(x.headers.get('content-disposition') || ''), /定期汇报\.xlsx/);
  const files = unzip(x.buf);
  const text = (files['xl/sharedStrings.xml'] || Buffer.alloc(0)).toString('utf8') + (files['xl/worksheets/sheet1.xml'] || '').toString('utf8');
  for (const h of ['汇报组织', '报送期限', '报送情况', '逾期工作日', '逾期未报', '逾期报送', '按时报送']) assert.ok(text.includes(h), `the export has ${h}`);
  const audit = (await ok(await office.get(`/api/v1/orgs/${rootId}/audit`))).records;
  assert.ok(audit.some((a) => a.action === 'export' && a.entity === 'work_report' && a.entity_id === townId), 'the export is audited');
  const r = (await ok(await secretary.get(`/api/v1/orgs/${branch}/reports?per_page=1`))).reports[0];
  for (const p of [`/orgs/${townId}/report-schedules`, `/report-schedules/${r.schedule_id}`, `/orgs/${branch}/reports`, `/reports/${r.id}`, `/reports/${r.id}/print`]) {
    const c = p.startsWith('/report-schedules') || p.includes(`${townId}`) ? town : secretary;
    const page = await c.get(p);
    assert.equal(page.status, 200, `${p}: ${page.text.slice(0, 200)}`);
    assert.match(page.headers.get('content-type'), /text\/html/);
  }
  const sp = await town.get(`/orgs/${townId}/report-schedules`);
  assert.match(sp.text, /新建汇报安排/);
  assert.ok(!(await secretary.get(`/orgs/${branch}/report-schedules`)).text.includes('新建汇报安排'), 'a secretary is not offered the form');
  // a careless form: the page again, with the message beside the form and the values kept
  const form = (o) => ({ body: new URLSearchParams(o).toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  const bad = await town.req('POST', `/orgs/${townId}/report-schedules`, form({ kind: 'quarterly', title: '表单测试安排',
    period_start: '2026-10-01', period_end: '2026-12-31', due_date: '2026-12-01' }));
  assert.equal(bad.status, 400);
  assert.match(bad.text, /报送期限 2026-12-01 早于汇报期间的结束日期 2026-12-31/);
  assert.match(bad.text, /value="表单测试安排"/);
  // a form post without the CSRF token is refused
  const nf = await town.req('POST', `/orgs/${townId}/report-schedules`, { ...form(quarterly({ outline: '' })), csrf: false });
  assert.equal(nf.status, 403);
  assert.match(nf.text, /CSRF/);
  // a good one through the form: the schedule's page
  const good = await town.req('POST', `/orgs/${townId}/report-schedules`, form({ kind: 'half_year', period_start: '2026-07-01', period_end: '2026-12-31',
    due_workdays: '5', for_types: 'branch', outline: '上半年工作\n存在问题' }));
  assert.equal(good.status, 303);
  assert.match(good.headers.get('location'), /^\/report-schedules\/\d+$/);
});
