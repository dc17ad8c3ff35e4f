// adversary17.test.mjs: the modules of issue 17 (scheduled reports, inspections, bulletins, the
// quarter roll-ups) played against as an attacker or a careless user, on this file's own demo
// database: requests racing each other (a bulletin edited while it is published, two judgements of
// one report at once), ids that are not numbers, bodies of the wrong shape, impossible dates and
// periods, multipart parts without a name or a filename, files that are not what their name says,
// figures changed behind the server's back (the recount reports each and its --fix never adopts
// them), and drafts or subtree bulletins that must never reach /p/bulletins.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, loginAs, expectError, multipartBody, daysFromToday, PNG_1x1 as PNG, sqlOn, BACKEND, PASSWORD, pgHolder, pgLockWait } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const [office, town, secretary, member, secretary2] = await Promise.all(
  ['office', 'town', 'secretary', 'member', 'secretary2'].map((u) => loginAs(srv.base, u)));
const rootId = office.user.roles[0].org_id;
const townId = town.user.roles[0].org_id;
const branch = secretary.user.roles[0].org_id;
const sql = (q) => sqlOn(srv.db, q);

async function ok(r, status = 200) {
  assert.equal(r.status, status, `${r.status} ${r.text.slice(0, 400)}`);
  return r.json;
}
const recount = () => srv.cli(['recount']);
let seq = 0;
const holder = () => pgHolder(srv.db);
const lockWait = (pattern) => pgLockWait(srv.db, pattern);
const quarterly = (over = {}) => ({ kind: 'quarterly', title: `对抗测试季度检查${++seq}`, for_types: 'branch', period_start: '2026-10-01',
  period_end: '2026-12-31', due_workdays: '10', outline: ['工作开展情况', '存在问题'], ...over });
const draft = (over = {}) => ({ title: `对抗测试通报${++seq}`, period: '2026Q3', sections: 'rank_reports,text', note_text: '正文。', ...over });

test('a bulletin edited while it is published: the published text is the one hashed, and the recount finds nothing', async () => {
  const all = 'rank_orgs_meeting,rank_members_meeting,rank_satisfaction,rank_pledges,rank_reports,rank_rect,rank_feedback,late_reports,named,text';
  let published = 0;
  for (let round = 0; round < 8; round++) {
    const d = (await ok(await office.post(`/api/v1/orgs/${rootId}/bulletins`, draft({ sections: all })), 201)).bulletin;
    const edits = Array.from({ length: 8 }, (_, i) => office.post(`/api/v1/bulletins/${d.id}/edit`,
      draft({ title: `改过的标题${round}-${i}`, sections: 'text', version: d.version })));
    const [pub, ...eds] = await Promise.all([office.post(`/api/v1/bulletins/${d.id}/publish`, {}), ...edits]);
    // an edit that commits between the publication's read of the draft and its write refuses the
    // publication (409 stale: the office looks at the edited draft first); that race is won more
    // often with more requests truly at once (two instances)
    if (pub.status === 409) {
      expectError(pub, 409, 'stale', 'version');
      assert.ok(eds.some((e) => e.status === 200), 'refused as stale, so an edit was made');
      continue;
    }
    assert.equal(pub.status, 200, pub.text);
    published++;
    const b = (await ok(await office.get(`/api/v1/bulletins/${d.id}`))).bulletin;
    const r = srv.cli(['recount', '--bulletin', String(d.id)]);
    assert.equal(r.status, 0, `round ${round}: ${r.stdout}${r.stderr}`);
    // an edit that was answered 200 is in what was published, or was answered before the publication
    for (const e of eds) assert.ok(e.status === 200 || e.status === 409, e.text);
    assert.ok(!b.title.startsWith('改过的标题') || eds.some((e) => e.status === 200), b.title);
  }
  assert.ok(published >= 1, 'at least one of the eight publications went through');
});

test('an edit that commits while the publication computes its figures is not published under the old hash', async () => {
  // SQLite: a publication is one write transaction (BEGIN IMMEDIATE), so no edit can commit inside it;
  // the race of the test above is the whole of it there. PostgreSQL: the edit is made to commit inside.
  if (BACKEND !== 'pg') {
    const d = (await ok(await office.post(`/api/v1/orgs/${rootId}/bulletins`, draft({ title: '印发前的标题' })), 201)).bulletin;
    const [pub, ed] = await Promise.all([office.post(`/api/v1/bulletins/${d.id}/publish`, {}),
      office.post(`/api/v1/bulletins/${d.id}/edit`, draft({ title: '印发时被改的标题', version: d.version }))]);
    assert.ok(pub.status === 200 || pub.status === 409, pub.text);
    assert.ok(ed.status === 200 || ed.status === 409, ed.text);
    if (pub.status === 200) assert.equal(srv.cli(['recount', '--bulletin', String(d.id)]).status, 0);
    return;
  }
  const d = (await ok(await office.post(`/api/v1/orgs/${rootId}/bulletins`, draft({ title: '印发前的标题' })), 201)).bulletin;
  // the edit, held open: the same UPDATE the edit route makes, not yet committed
  const h = holder();
  await h.run(`BEGIN; UPDATE bulletin SET title = '印发时被改的标题', row_version = row_version + 1 WHERE id = ${d.id}`);
  const pub = office.post(`/api/v1/bulletins/${d.id}/publish`, {});
  // the publication has read the draft and waits for the edit's row lock
  await lockWait('UPDATE bulletin SET seq%');
  await h.run('COMMIT');
  h.end();
  const r = await pub;
  const b = (await ok(await office.get(`/api/v1/bulletins/${d.id}`))).bulletin;
  if (r.status === 200) {
    const rc = srv.cli(['recount', '--bulletin', String(d.id)]);
    assert.equal(rc.status, 0, `published over an edit it never read: ${rc.stdout}`);
  } else {
    expectError(r, 409, 'stale', 'version');
    assert.equal(b.status, 'draft');
    assert.equal(b.title, '印发时被改的标题');
  }
});

test('a draft deleted while another publishes it: the delete is refused, not answered as done', async () => {
  if (BACKEND !== 'pg') { // SQLite: the two write transactions run one after the other; whichever is first, the other is refused
    const d = (await ok(await office.post(`/api/v1/orgs/${rootId}/bulletins`, draft({ title: '删除与印发同时' })), 201)).bulletin;
    const [pub, del] = await Promise.all([office.post(`/api/v1/bulletins/${d.id}/publish`, {}),
      office.post(`/api/v1/bulletins/${d.id}/delete`, { version: d.version })]);
    const kept = sql(`SELECT count(*) FROM bulletin WHERE id = ${d.id}`);
    const deletes = sql(`SELECT count(*) FROM audit_log WHERE entity = 'bulletin' AND entity_id = ${d.id} AND action = 'delete'`);
    if (pub.status === 200) {
      expectError(del, 409, 'published', 'id');
      assert.equal(kept, '1');
      assert.equal(deletes, '0');
    } else {
      assert.equal(del.status, 200, del.text);
      assert.equal(kept, '0');
      assert.equal(deletes, '1');
    }
    return;
  }
  const d = (await ok(await office.post(`/api/v1/orgs/${rootId}/bulletins`, draft({ title: '删除与印发同时' })), 201)).bulletin;
  const h = holder();
  // the other request's publication, its transaction not yet committed
  await h.run(`BEGIN; UPDATE bulletin SET status = 'published', seq = 900, number_text = '测试〔2026〕900号', published_at = ${Math.floor(Date.now() / 1000)}, ` +
    `row_version = row_version + 1 WHERE id = ${d.id}`);
  const del = office.post(`/api/v1/bulletins/${d.id}/delete`, { version: d.version });
  await lockWait('DELETE FROM bulletin%');
  await h.run('COMMIT');
  h.end();
  const r = await del;
  assert.equal(sql(`SELECT count(*) FROM bulletin WHERE id = ${d.id}`), '1');
  expectError(r, 409, 'published', 'id');
  assert.equal(sql(`SELECT count(*) FROM audit_log WHERE entity = 'bulletin' AND entity_id = ${d.id} AND action = 'delete'`), '0');
});

test('an inspection closed twice at once is closed once', async () => {
  const x = (await ok(await office.post(`/api/v1/orgs/${rootId}/inspections`, { kind: 'regular', title: '对抗测试督查', start_date: daysFromToday(0),
    end_date: daysFromToday(5), targets: String(branch) }), 201)).inspection;
  await ok(await office.post(`/api/v1/inspections/${x.id}/start`, {}));
  if (BACKEND !== 'pg') { // SQLite: two closes at once, one after the other inside the database
    const rs = await Promise.all([office.post(`/api/v1/inspections/${x.id}/close`, {}), office.post(`/api/v1/inspections/${x.id}/close`, {})]);
    assert.deepEqual(rs.map((r) => r.status).sort(), [200, 409], rs.map((r) => r.text).join(' | '));
    assert.equal(sql(`SELECT count(*) FROM audit_log WHERE entity = 'inspection' AND entity_id = ${x.id} AND action = 'close'`), '1');
    return;
  }
  const h = holder();
  // the other close, not yet committed
  await h.run(`BEGIN; UPDATE inspection SET status = 'closed', row_version = row_version + 1 WHERE id = ${x.id}`);
  const close = office.post(`/api/v1/inspections/${x.id}/close`, {});
  await lockWait('UPDATE inspection SET status%');
  await h.run('COMMIT');
  h.end();
  expectError(await close, 409, 'stale_version', 'version');
  assert.equal(sql(`SELECT count(*) FROM audit_log WHERE entity = 'inspection' AND entity_id = ${x.id} AND action = 'close'`), '0');
});

test('ids that are not numbers, negative or huge: 404 or 400, never a crash', async () => {
  const paths = ['/api/v1/reports/%s', '/api/v1/report-schedules/%s', '/api/v1/bulletins/%s', '/api/v1/inspections/%s',
    '/api/v1/report-files/%s', '/api/v1/finding-files/%s', '/api/v1/inspections/%s/findings', '/api/v1/bulletins/%s/export',
    '/p/bulletins/%s', '/bulletins/%s/print', '/reports/%s/print', '/api/v1/orgs/%s/reports', '/api/v1/orgs/%s/bulletins'];
  for (const id of ['abc', '-1', '0', '99999999999999999999', '9223372036854775807', '1e3', '0x10', '%20', '1.0', '+1']) {
    for (const p of paths) {
      const r = await office.get(p.replace('%s', id));
      assert.ok([400, 404].includes(r.status), `${p.replace('%s', id)}: ${r.status} ${r.text.slice(0, 200)}`);
    }
    for (const p of ['/api/v1/reports/%s/submit', '/api/v1/reports/%s/accept', '/api/v1/bulletins/%s/publish', '/api/v1/bulletins/%s/edit',
      '/api/v1/findings/%s/rectify', '/api/v1/inspections/%s/draw', '/api/v1/inspections/%s/close']) {
      const r = await office.post(p.replace('%s', id), {});
      assert.ok([400, 404].includes(r.status), `POST ${p.replace('%s', id)}: ${r.status} ${r.text.slice(0, 200)}`);
    }
  }
  assert.equal((await office.get('/api/v1/orgs/' + rootId)).status, 200, 'the server still answers');
});

test('bodies of the wrong shape: arrays, objects, huge fields, impossible dates and periods are refused with a field', async () => {
  const sch = (b) => office.post(`/api/v1/orgs/${rootId}/report-schedules`, b);
  const bad = [
    [{ title: ['a', 'b'] }, 'title'], [{ title: { x: 1 } }, 'title'], [{ title: 'x'.repeat(1 << 20) }, null],
    [{ kind: ['quarterly'] }, 'kind'], [{ due_workdays: '', due_date: '2026-02-30' }, 'due_date'],
    [{ period_start: '2026-02-30' }, 'period_start'], [{ period_end: '2026-13-01' }, 'period_end'],
    [{ due_workdays: -3 }, 'due_workdays'], [{ due_workdays: '99999999999999999999' }, 'due_workdays'],
    [{ outline: Array.from({ length: 10000 }, (_, i) => `第${i}节`) }, 'outline'], [{ outline: [{ a: 1 }] }, 'outline'],
  ];
  const before = sql('SELECT count(*) FROM report_schedule');
  for (const [over, field] of bad) {
    const r = await sch(quarterly(over));
    assert.ok([400, 413, 422].includes(r.status), `${JSON.stringify(over).slice(0, 80)}: ${r.status} ${r.text.slice(0, 200)}`);
    if (field && r.status !== 413) assert.equal(r.json.error.field, field, `${JSON.stringify(over).slice(0, 80)}: ${r.text.slice(0, 200)}`);
  }
  assert.equal(sql('SELECT count(*) FROM report_schedule'), before, 'a refused schedule was kept');
  const bul = (b) => office.post(`/api/v1/orgs/${rootId}/bulletins`, b);
  const bbefore = sql('SELECT count(*) FROM bulletin');
  for (const [over, field] of [[{ period: '2026Q0' }, 'period'], [{ period: '99999' }, 'period'], [{ period: '2026h1' }, null],
    [{ period: '2026Q5' }, 'period'], [{ period: ['2026Q1'] }, 'period'], [{ from: '2026Q3', to: '2026Q1', period: undefined }, null],
    [{ title: ['a'] }, 'title'], [{ title: '' }, 'title'], [{ title: 'x'.repeat(1 << 20) }, null], [{ sections: ['text'] }, null],
    [{ sections: 'no_such_kind' }, 'sections'], [{ visibility: 'everyone' }, 'visibility'], [{ sections: 'exemplary', exemplary: 'abc' }, 'exemplary']]) {
    const r = await bul(draft(over));
    if (over.period === '2026h1' && r.status === 201) continue; // a lower-case h may be taken as 2026H1
    assert.ok([400, 413, 422].includes(r.status), `${JSON.stringify(over).slice(0, 80)}: ${r.status} ${r.text.slice(0, 200)}`);
    if (field && r.status !== 413) assert.equal(r.json.error.field, field, `${JSON.stringify(over).slice(0, 80)}: ${r.text.slice(0, 200)}`);
  }
  assert.ok(Number(sql('SELECT count(*) FROM bulletin')) <= Number(bbefore) + 1);
  // 10,000 sections of one kind are one section
  const many = (await ok(await bul(draft({ sections: Array.from({ length: 10000 }, () => 'text').join(',') })), 201)).bulletin;
  assert.equal((await ok(await office.get(`/api/v1/bulletins/${many.id}`))).bulletin.sections.length, 1);
  for (const q of ['2026Q0', '99999', '2026h1', '2026Q9', '1900Q1', "2026Q1'"]) {
    const r = await office.get(`/api/v1/orgs/${rootId}/reports?period=${encodeURIComponent(q)}`);
    assert.ok([200, 400, 422].includes(r.status), `period ${q}: ${r.status}`);
  }
});

test('multipart: a part without a name or a filename, and a file that is not what its name says', async () => {
  const sid = (await ok(await office.post(`/api/v1/orgs/${rootId}/report-schedules`, quarterly()), 201)).schedule.id;
  const list = (await ok(await office.get(`/api/v1/report-schedules/${sid}?per_page=500`))).reports;
  const rep = list.find((r) => r.org_id === branch);
  const boundary = '----adv17';
  const raw = (parts) => Buffer.concat([...parts.map((p) => Buffer.from(`--${boundary}\r\n${p}\r\n`)), Buffer.from(`--${boundary}--\r\n`)]);
  const send = (body) => secretary.req('POST', `/api/v1/reports/${rep.id}/files`, { body, headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` } });
  for (const b of [raw(['Content-Disposition: form-data\r\n\r\nxxxx']), raw(['Content-Disposition: form-data; name="file"\r\n\r\n%PDF-1.4 x']),
    raw(['Content-Disposition: form-data; filename="a.png"\r\n\r\n' + PNG.toString('latin1')]), raw(['\r\n\r\n']), raw(['Content-Disposition: form-data; name="file"; filename=""\r\n\r\n']),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-1.4`)]) {
    const r = await send(b);
    assert.ok([400, 413, 415, 422].includes(r.status), `${b.toString('latin1').slice(0, 120)}: ${r.status} ${r.text.slice(0, 200)}`);
  }
  const fake = await multipartBody([['file', Buffer.from('MZ\x90\x00 not a pdf'), 'report.pdf']]);
  const r = await secretary.req('POST', `/api/v1/reports/${rep.id}/files`, fake);
  expectError(r, 400, 'evidence_type', 'file');
  const good = await multipartBody([['file', PNG, '照片.pdf']]);
  const g = await secretary.req('POST', `/api/v1/reports/${rep.id}/files`, good);
  assert.ok([200, 201].includes(g.status), `a real PNG named .pdf: ${g.status} ${g.text.slice(0, 200)}`);
  assert.equal((await office.get('/api/v1/orgs/' + rootId)).status, 200, 'the server still answers');
});

test('a member, another town and no CSRF token: refused and nothing changes', async () => {
  const sid = (await ok(await office.post(`/api/v1/orgs/${rootId}/report-schedules`, quarterly()), 201)).schedule.id;
  const rep = (await ok(await office.get(`/api/v1/report-schedules/${sid}?per_page=500`))).reports.find((r) => r.org_id === branch);
  expectError(await secretary2.post(`/api/v1/reports/${rep.id}`, { sections: ['别人的'] }), 404, 'not_found');
  expectError(await secretary2.get(`/api/v1/reports/${rep.id}`), 404, 'not_found');
  assert.ok([403, 404].includes((await member.post(`/api/v1/reports/${rep.id}/submit`, { sections: ['x'] })).status));
  const r = await secretary.post(`/api/v1/reports/${rep.id}/submit`, { sections: ['x', 'y'] }, { csrf: false });
  assert.equal(r.status, 403, r.text);
  assert.equal((await ok(await office.get(`/api/v1/reports/${rep.id}`))).report.status, 'due');
});

test('a report: a submit and a return, two accepts at once; the roll-ups still equal the recount', async () => {
  const sid = (await ok(await office.post(`/api/v1/orgs/${rootId}/report-schedules`, quarterly({ due_workdays: '', due_date: daysFromToday(5), period_start: daysFromToday(-80), period_end: daysFromToday(-1) })), 201)).schedule.id;
  const reps = (await ok(await office.get(`/api/v1/report-schedules/${sid}?per_page=500`))).reports.filter((x) => x.org_id === branch);
  const rep = reps[0];
  await ok(await secretary.post(`/api/v1/reports/${rep.id}/submit`, { sections: ['甲', '乙'] }));
  const both = await Promise.all([town.post(`/api/v1/reports/${rep.id}/accept`, {}), town.post(`/api/v1/reports/${rep.id}/accept`, {}),
    town.post(`/api/v1/reports/${rep.id}/return`, { comment: '再补充' })]);
  const okd = both.filter((r) => r.status === 200);
  assert.equal(okd.length, 1, both.map((r) => `${r.status} ${r.text.slice(0, 100)}`).join('\n'));
  for (const r of both) if (r.status !== 200) assert.equal(r.status, 409, r.text);
  if (okd[0].json.report.status === 'returned') {
    const again = await Promise.all([0, 1].map(() => secretary.post(`/api/v1/reports/${rep.id}/submit`, { sections: ['丙', '丁'] })));
    assert.equal(again.filter((r) => r.status === 200).length, 1, again.map((r) => r.text.slice(0, 100)).join('\n'));
    assert.equal((await ok(await office.get(`/api/v1/reports/${rep.id}`))).report.version, 2);
  }
  const rc = recount();
  assert.equal(rc.status, 0, rc.stdout + rc.stderr);
});

test('one schedule submitted three times at once is made once, and the roll-ups equal the recount', async () => {
  const body = quarterly({ due_workdays: '', due_date: daysFromToday(3), period_start: daysFromToday(-80), period_end: daysFromToday(-1) });
  const rs = await Promise.all([0, 1, 2].map(() => office.post(`/api/v1/orgs/${rootId}/report-schedules`, body)));
  assert.equal(rs.filter((r) => r.status === 201).length, 1, rs.map((r) => `${r.status} ${r.text.slice(0, 100)}`).join('\n'));
  for (const r of rs) if (r.status !== 201) expectError(r, 409, 'duplicate', 'title');
  assert.equal(sql(`SELECT count(*) FROM report_schedule WHERE title = '${body.title}'`), '1');
  expectError(await office.post(`/api/v1/orgs/${rootId}/report-schedules`, body), 409, 'duplicate', 'title');
  // the same schedule for other organisations (another type) is no duplicate
  await ok(await office.post(`/api/v1/orgs/${rootId}/report-schedules`, { ...body, for_types: 'general_branch,branch' }), 201);
  const rc = recount();
  assert.equal(rc.status, 0, rc.stdout + rc.stderr);
});

test('figures changed behind the server: the recount reports each, --fix never adopts them', async () => {
  const q = sql("SELECT quarter || '|' || org_id FROM period_rollup WHERE reports_due > 0 ORDER BY quarter DESC, org_id LIMIT 1").split('|');
  const was = sql(`SELECT reports_due FROM period_rollup WHERE quarter = ${q[0]} AND org_id = ${q[1]}`);
  sql(`UPDATE period_rollup SET reports_due = reports_due + 7, reports_on_time = reports_on_time + 7 WHERE quarter = ${q[0]} AND org_id = ${q[1]}`);
  let rc = recount();
  assert.equal(rc.status, 1, rc.stdout);
  rc = srv.cli(['recount', '--fix']);
  assert.equal(rc.status, 1, rc.stdout);
  assert.equal(sql(`SELECT reports_due FROM period_rollup WHERE quarter = ${q[0]} AND org_id = ${q[1]}`), was);
  assert.equal(recount().status, 0);
  // a report's first submission day edited by SQL: its lateness no longer matches the roll-up
  const [rid, today0] = sql("SELECT id || '|' || first_submitted_on FROM report WHERE first_submitted_on <> '' AND late_workdays = 0 ORDER BY id DESC LIMIT 1").split('|');
  assert.ok(rid, 'a report submitted on time');
  sql(`UPDATE report SET first_submitted_on = '2099-01-01' WHERE id = ${rid}`);
  rc = recount();
  assert.equal(rc.status, 1, `an edited first_submitted_on went unnoticed: ${rc.stdout}`);
  sql(`UPDATE report SET first_submitted_on = '${today0}' WHERE id = ${rid}`);
  assert.equal(recount().status, 0);
  // a roll-up edited before a publication: the bulletin's figures come from it, the recount of the bulletin finds them out
  const now = new Date(), cq = now.getFullYear() * 10 + Math.floor(now.getMonth() / 3) + 1;
  const tq = sql(`SELECT quarter FROM period_rollup WHERE org_id = ${townId} AND reports_due > 0 AND quarter <= ${cq} ORDER BY quarter DESC LIMIT 1`);
  assert.ok(tq, 'a quarter begun with reports due');
  sql(`UPDATE period_rollup SET reports_on_time = reports_on_time + 5, reports_due = reports_due + 5 WHERE quarter = ${tq} AND org_id = ${townId}`);
  const label = `${String(tq).slice(0, 4)}Q${String(tq).slice(4)}`;
  const b = (await ok(await office.post(`/api/v1/orgs/${rootId}/bulletins`, draft({ period: label, sections: 'rank_reports' })), 201)).bulletin;
  await ok(await office.post(`/api/v1/bulletins/${b.id}/publish`, {}));
  rc = srv.cli(['recount', '--bulletin', String(b.id)]);
  assert.equal(rc.status, 1, `a tampered roll-up published unnoticed: ${rc.stdout}`);
  assert.ok(rc.stdout.includes('按原始记录应为'), rc.stdout);
  rc = srv.cli(['recount', '--fix']);
  assert.equal(rc.status, 1);
  assert.equal(recount().status, 0, 'the --fix took the raw records');
});

test('/p/bulletins: drafts and subtree bulletins never appear; a published one is not cached as its draft', async () => {
  const pubDraft = (await ok(await office.post(`/api/v1/orgs/${rootId}/bulletins`, draft({ visibility: 'public', title: '公开草稿标题' })), 201)).bulletin;
  const sub = (await ok(await office.post(`/api/v1/orgs/${rootId}/bulletins`, draft({ visibility: 'subtree', title: '内部通报标题' })), 201)).bulletin;
  await ok(await office.post(`/api/v1/bulletins/${sub.id}/publish`, {}));
  const anon = new (await import('../lib.mjs')).Client(srv.base);
  for (const p of [`/p/bulletins/${pubDraft.id}`, `/p/bulletins/${sub.id}`]) assert.equal((await anon.get(p)).status, 404, p);
  const l = await anon.get('/p/bulletins');
  assert.ok(!l.text.includes('公开草稿标题') && !l.text.includes('内部通报标题'), 'a draft or a subtree bulletin is listed publicly');
  const d404 = await anon.get(`/p/bulletins/${pubDraft.id}`);
  assert.ok(!/max-age=[1-9]|public/i.test(d404.headers.get('cache-control') || ''), `a draft's 404 may be cached: ${d404.headers.get('cache-control')}`);
  await ok(await office.post(`/api/v1/bulletins/${pubDraft.id}/publish`, {}));
  const p = await anon.get(`/p/bulletins/${pubDraft.id}`);
  assert.equal(p.status, 200);
  assert.ok(p.text.includes('公开草稿标题'));
});

test("another town's secretary and a member: drafts, files, inspections and findings of the first town stay hidden", async () => {
  const dr = (await ok(await town.post(`/api/v1/orgs/${townId}/bulletins`, draft({ title: '镇里的草稿' })), 201)).bulletin;
  const pub = (await ok(await town.post(`/api/v1/orgs/${townId}/bulletins`, draft({ title: '镇里的内部通报' })), 201)).bulletin;
  await ok(await town.post(`/api/v1/bulletins/${pub.id}/publish`, {}));
  for (const c of [secretary2, member, secretary]) {
    for (const p of [`/api/v1/bulletins/${dr.id}`, `/bulletins/${dr.id}/print`, `/api/v1/bulletins/${dr.id}/export`, `/bulletins/${dr.id}`]) {
      const r = await c.get(p);
      assert.ok([403, 404].includes(r.status), `${c.user.username} ${p}: ${r.status}`);
      assert.ok(!r.text.includes('镇里的草稿'), `${c.user.username} ${p} shows the draft`);
    }
  }
  for (const p of [`/api/v1/bulletins/${pub.id}`, `/bulletins/${pub.id}/print`, `/api/v1/bulletins/${pub.id}/export`]) {
    const r = await secretary2.get(p);
    assert.equal(r.status, 404, `another town reads ${p}: ${r.status}`);
  }
  for (const p of [`/api/v1/bulletins/${dr.id}/edit`, `/api/v1/bulletins/${dr.id}/publish`, `/api/v1/bulletins/${dr.id}/delete`, `/api/v1/bulletins/${pub.id}/correct`]) {
    const r = await secretary2.post(p, draft({ version: dr.version }));
    assert.ok([403, 404].includes(r.status), `${p}: ${r.status}`);
  }
  assert.equal((await ok(await town.get(`/api/v1/bulletins/${dr.id}`))).bulletin.status, 'draft');
  const insp = sql('SELECT id FROM inspection ORDER BY id LIMIT 1');
  const fin = sql("SELECT id FROM inspection_finding WHERE level = 'problem' ORDER BY id LIMIT 1");
  assert.ok(insp && fin, 'the demo has an inspection with findings');
  const up = await office.req('POST', `/api/v1/findings/${fin}/files`, await multipartBody([['evidence', PNG, '现场.png']]));
  assert.ok([200, 201].includes(up.status), up.text.slice(0, 200));
  const ff = sql(`SELECT id FROM finding_file WHERE finding_id = ${fin} ORDER BY id DESC LIMIT 1`);
  for (const [p, body] of [[`/api/v1/finding-files/${ff}`], [`/api/v1/inspections/${insp}`], [`/api/v1/inspections/${insp}/findings`],
    [`/api/v1/findings/${fin}/rectify`, { measure: '整改', owner: '某人', due_date: daysFromToday(10), problem: '越权' }],
    [`/api/v1/inspections/${insp}/findings`, { org_id: branch, level: 'problem', text: '越权记录', found_on: daysFromToday(0) }]]) {
    for (const c of [secretary2, member]) {
      const r = body ? await c.post(p, body) : await c.get(p);
      assert.ok([403, 404].includes(r.status), `${c.user.username} ${body ? 'POST' : 'GET'} ${p}: ${r.status} ${r.text.slice(0, 160)}`);
    }
  }
});

test('malformed bodies to every new write route: a 4xx with a code, never a 5xx, and the server still answers', async () => {
  const rep = sql(`SELECT id FROM report WHERE org_id = ${branch} ORDER BY id DESC LIMIT 1`);
  const bul = (await ok(await office.post(`/api/v1/orgs/${rootId}/bulletins`, draft({ title: '畸形请求' })), 201)).bulletin.id;
  const insp = sql('SELECT id FROM inspection ORDER BY id LIMIT 1');
  const fin = sql("SELECT id FROM inspection_finding WHERE level = 'problem' AND rect_id IS NULL ORDER BY id LIMIT 1") || '1';
  const routes = [`/api/v1/orgs/${rootId}/report-schedules`, `/api/v1/reports/${rep}`, `/api/v1/reports/${rep}/submit`, `/api/v1/reports/${rep}/return`,
    `/api/v1/reports/${rep}/accept`, `/api/v1/reports/${rep}/files`, `/api/v1/orgs/${rootId}/bulletins`, `/api/v1/orgs/${rootId}/bulletin-prefix`,
    `/api/v1/bulletins/${bul}/edit`, `/api/v1/bulletins/${bul}/delete`, `/api/v1/orgs/${rootId}/inspections`, `/api/v1/inspections/${insp}/targets`,
    `/api/v1/inspections/${insp}/findings`, `/api/v1/findings/${fin}/rectify`, `/api/v1/findings/${fin}/files`];
  const bodies = ['[]', 'null', '"x"', '{', '{"sections": {"a": 1}, "title": 7, "version": "x", "row_version": [1]}', '{"sections": [[["x"]]], "comment": {"a": [1]}}',
    '{"targets": "1,2,abc,-5,99999999999999999999", "org_id": "1 OR 1=1", "level": ["problem"]}', `{"title": "${'题'.repeat(400000)}"}`, '\u0000\u0001'];
  for (const path of routes) {
    for (const body of bodies) {
      const c = path.includes('/reports/') && !path.endsWith('accept') && !path.endsWith('return') ? secretary : office;
      const r = await c.req('POST', path, { body, headers: { 'Content-Type': 'application/json' } });
      assert.ok(r.status < 500, `${path} ${body.slice(0, 40)}: ${r.status} ${r.text.slice(0, 200)}`);
      if (r.status >= 400) assert.ok(r.json && r.json.error && r.json.error.code, `${path} ${body.slice(0, 40)}: ${r.text.slice(0, 200)}`);
    }
  }
  assert.equal((await office.get('/api/v1/orgs/' + rootId)).status, 200, 'the server still answers');
  assert.equal(recount().status, 0);
});

test('a report: its own organisation cannot accept or return it, a member cannot write it', async () => {
  const sid = (await ok(await office.post(`/api/v1/orgs/${rootId}/report-schedules`, quarterly({ title: '谁能做什么' })), 201)).schedule.id;
  const rep = (await ok(await office.get(`/api/v1/report-schedules/${sid}?per_page=500`))).reports.find((r) => r.org_id === branch);
  for (const a of ['', '/submit', '/files']) {
    const r = await member.post(`/api/v1/reports/${rep.id}${a}`, { sections: ['党员代写', '党员代写'] });
    assert.ok([403, 404].includes(r.status), `member ${a || 'save'}: ${r.status} ${r.text.slice(0, 160)}`);
  }
  await ok(await secretary.post(`/api/v1/reports/${rep.id}/submit`, { sections: ['自己写', '自己写'] }));
  for (const a of ['/accept', '/return']) {
    const r = await secretary.post(`/api/v1/reports/${rep.id}${a}`, { comment: '自己通过自己' });
    assert.ok([403, 404, 409].includes(r.status), `secretary ${a}: ${r.status} ${r.text.slice(0, 160)}`);
  }
  const x = (await ok(await office.get(`/api/v1/reports/${rep.id}`))).report;
  assert.equal(x.status, 'submitted');
});

test('dates at the edges: a schedule of 1900 and one of 9999, submitted today; the dashboard with odd periods', async () => {
  const old = await office.post(`/api/v1/orgs/${rootId}/report-schedules`, quarterly({ title: '远古的安排', period_start: '1900-01-01', period_end: '1900-03-31',
    due_workdays: '', due_date: '1900-04-10' }));
  assert.ok([201, 400, 422].includes(old.status), old.text.slice(0, 200));
  if (old.status === 201) {
    const rep = (await ok(await office.get(`/api/v1/report-schedules/${old.json.schedule.id}?per_page=500`))).reports.find((r) => r.org_id === branch);
    const t0 = Date.now();
    const r = await secretary.post(`/api/v1/reports/${rep.id}/submit`, { sections: ['迟到一百多年', '迟到'] });
    assert.ok(r.status < 500, r.text.slice(0, 200));
    assert.ok(Date.now() - t0 < 5000, 'lateness over a century takes long');
  }
  const far = await office.post(`/api/v1/orgs/${rootId}/report-schedules`, quarterly({ title: '遥远的安排', period_start: '9999-10-01', period_end: '9999-12-31',
    due_workdays: '60' }));
  assert.ok([201, 400, 422].includes(far.status), far.text.slice(0, 200));
  for (const q of ['2026Q0', '99999', '2026h1', '9999', '1900', '0000', '2026Q4x']) {
    for (const p of [`/api/v1/orgs/${rootId}/dashboard?period=${q}`, `/api/v1/orgs/${rootId}/reports?period=${q}&format=xlsx`, `/orgs/${rootId}/dashboard?period=${q}`]) {
      const r = await office.get(p);
      assert.ok(r.status < 500, `${p}: ${r.status} ${r.text.slice(0, 200)}`);
    }
  }
  assert.equal(recount().status, 0, recount().stdout);
});

test('a report written carelessly: 10,000 sections, a 1 MB section, sections as objects; another town reads no schedule of this one', async () => {
  const sid = (await ok(await town.post(`/api/v1/orgs/${townId}/report-schedules`, quarterly({ title: '粗心的汇报' })), 201)).schedule.id;
  const rep = (await ok(await town.get(`/api/v1/report-schedules/${sid}?per_page=500`))).reports.find((r) => r.org_id === branch);
  for (const c of [secretary2, member]) assert.ok([403, 404].includes((await c.get(`/api/v1/report-schedules/${sid}`)).status));
  const before = (await ok(await secretary.get(`/api/v1/reports/${rep.id}`))).report;
  for (const [sections, field] of [[Array.from({ length: 10000 }, () => '一节'), 'sections'], [['长'.repeat(300000), ''], null],
    [[{ text: 'x' }, 'y'], 'sections'], ['一整段', null]]) {
    const r = await secretary.post(`/api/v1/reports/${rep.id}/submit`, { sections });
    assert.ok([400, 413, 422].includes(r.status), `${JSON.stringify(sections).slice(0, 60)}: ${r.status} ${r.text.slice(0, 200)}`);
    if (field && r.status !== 413) assert.equal(r.json.error.field, field, r.text.slice(0, 200));
  }
  const after = (await ok(await secretary.get(`/api/v1/reports/${rep.id}`))).report;
  assert.equal(after.status, before.status);
  assert.equal(after.row_version, before.row_version);
});

test("stuffed identities: another town's pledge as exemplary, scope, targets and team outside the office's subtree, a finding on an untargeted organisation", async () => {
  const branchB = secretary2.user.roles[0].org_id;
  // the demo's pledges are all in the first town: a pledge of the other town is made here
  const p0 = sql(`SELECT id FROM pledge WHERE org_id = ${branch} ORDER BY id LIMIT 1`);
  sql(`UPDATE pledge SET org_id = ${branchB} WHERE id = ${p0}`);
  const otherPledge = p0;
  const bc = sql('SELECT count(*) FROM bulletin');
  const r1 = await town.post(`/api/v1/orgs/${townId}/bulletins`, draft({ sections: 'exemplary', exemplary: otherPledge }));
  assert.ok([400, 404, 422].includes(r1.status), `${r1.status} ${r1.text.slice(0, 200)}`);
  sql(`UPDATE pledge SET org_id = ${branch} WHERE id = ${p0}`);
  assert.equal(sql('SELECT count(*) FROM bulletin'), bc);
  const ic = sql('SELECT count(*) FROM inspection');
  const base = { kind: 'regular', title: '越界督查', start_date: daysFromToday(0), end_date: daysFromToday(3) };
  for (const over of [{ scope_org_id: rootId, targets: String(branch) }, { targets: String(branchB) }, { targets: `${branch},${branchB}` },
    { targets: String(branch), team: 'secretary2' }, { targets: String(branch), standard_items: '999999' }, { targets: '-1' }, { targets: String(rootId) }]) {
    const r = await town.post(`/api/v1/orgs/${townId}/inspections`, { ...base, ...over });
    assert.ok([400, 403, 404, 409, 422].includes(r.status), `${JSON.stringify(over)}: ${r.status} ${r.text.slice(0, 200)}`);
  }
  assert.equal(sql('SELECT count(*) FROM inspection'), ic);
  const x = (await ok(await town.post(`/api/v1/orgs/${townId}/inspections`, { ...base, targets: String(branch), items: '三会一课' }), 201)).inspection;
  await ok(await town.post(`/api/v1/inspections/${x.id}/start`, {}));
  const other = sql(`SELECT id FROM org WHERE parent_id = ${townId} AND id <> ${branch} AND active = 1 ORDER BY id LIMIT 1`);
  for (const org of [branchB, other, rootId]) {
    const r = await town.post(`/api/v1/inspections/${x.id}/findings`, { org_id: org, level: 'problem', text: '不在督查对象中', found_on: daysFromToday(0) });
    assert.ok([400, 403, 404, 409, 422].includes(r.status), `org ${org}: ${r.status} ${r.text.slice(0, 200)}`);
  }
  const fut = await town.post(`/api/v1/inspections/${x.id}/findings`, { org_id: branch, level: 'problem', text: '未来的发现', found_on: daysFromToday(30) });
  assert.ok([400, 422].includes(fut.status), `a finding dated next month: ${fut.status} ${fut.text.slice(0, 200)}`);
  const bad = await town.post(`/api/v1/inspections/${x.id}/findings`, { org_id: branch, level: 'problem', text: '不存在的日期', found_on: '2026-02-30' });
  assert.ok([400, 422].includes(bad.status), `2026-02-30: ${bad.status}`);
  assert.equal(recount().status, 0);
});

test('list parameters out of range: pages and statuses that do not exist are refused or clamped, never a 5xx', async () => {
  const sid = sql(`SELECT id FROM report_schedule WHERE org_id = ${rootId} ORDER BY id LIMIT 1`);
  const insp = sql('SELECT id FROM inspection ORDER BY id LIMIT 1');
  for (const qs of ['page=-1', 'page=0', 'page=99999999999999999999', 'per_page=100000000', 'per_page=-5', 'per_page=abc', 'status=nope',
    'status[]=due', 'period=2026Q1&period=2026Q2', 'format=xlsx&status=missing', 'format=pdf', 'all=2']) {
    for (const p of [`/api/v1/report-schedules/${sid}`, `/api/v1/orgs/${rootId}/reports`, `/api/v1/orgs/${rootId}/bulletins`, `/api/v1/orgs/${rootId}/findings`,
      `/api/v1/inspections/${insp}/findings`, `/p/bulletins`, `/orgs/${rootId}/reports`, `/orgs/${rootId}/inspections`]) {
      const r = await office.get(`${p}?${qs}`);
      assert.ok(r.status < 500, `${p}?${qs}: ${r.status} ${r.text.slice(0, 200)}`);
      if (r.json && Array.isArray(r.json.reports)) assert.ok(r.json.reports.length <= 500, `${p}?${qs}: ${r.json.reports.length} rows`);
    }
  }
});

test("the campaign dashboard of another town: refused to a town's office and a secretary, page, JSON and XLSX", async () => {
  const branchB = secretary2.user.roles[0].org_id;
  const otherTown = sql(`SELECT parent_id FROM org WHERE id = ${branchB}`);
  for (const c of [town, secretary, member]) {
    for (const p of [`/api/v1/orgs/${otherTown}/dashboard?period=2026`, `/api/v1/orgs/${otherTown}/dashboard?period=2026&format=xlsx`, `/orgs/${otherTown}/dashboard`,
      `/api/v1/orgs/${rootId}/dashboard?period=2026Q4`, `/api/v1/orgs/${otherTown}/reports`, `/api/v1/orgs/${otherTown}/findings?all=1`, `/api/v1/orgs/${otherTown}/inspections`]) {
      const r = await c.get(p);
      assert.ok([403, 404].includes(r.status), `${c.user.username} ${p}: ${r.status}`);
    }
  }
});

test('every report of a schedule submitted at once by an office over them, some judged at once by another: no deadlock, and the roll-ups equal the recount', async () => {
  const sid = (await ok(await office.post(`/api/v1/orgs/${rootId}/report-schedules`, quarterly({ title: '同时报送', due_workdays: '',
    due_date: daysFromToday(2), period_start: daysFromToday(-60), period_end: daysFromToday(-1) })), 201)).schedule.id;
  const reps = (await ok(await office.get(`/api/v1/report-schedules/${sid}?per_page=500`))).reports.slice(0, 24);
  // a second office of the district writes them all (nobody judges what they submitted themselves)
  const add = srv.cli(['user', 'add', 'office2', '--name', '区委活动办公室二', '--password-file', '-', '--role', 'office', '--org', String(rootId)],
    { input: PASSWORD + '\n' });
  assert.equal(add.status, 0, add.stdout + add.stderr);
  const office2 = await loginAs(srv.base, 'office2');
  const subs = await Promise.all(reps.map((r) => office2.post(`/api/v1/reports/${r.id}/submit`, { sections: ['同时', '报送'] })));
  for (const r of subs) assert.equal(r.status, 200, r.text.slice(0, 200));
  const judged = await Promise.all(reps.map((r, i) => office.post(`/api/v1/reports/${r.id}/${i % 2 ? 'accept' : 'return'}`, { comment: '同时审阅' })));
  for (const r of judged) assert.equal(r.status, 200, r.text.slice(0, 200));
  const rc = recount();
  assert.equal(rc.status, 0, rc.stdout + rc.stderr);
});

test('no CSRF token, on the pages and their API twins: refused and nothing changes', async () => {
  const d = (await ok(await office.post(`/api/v1/orgs/${rootId}/bulletins`, draft({ title: '无令牌' })), 201)).bulletin;
  const insp = sql("SELECT id FROM inspection WHERE status = 'running' ORDER BY id LIMIT 1") || sql('SELECT id FROM inspection ORDER BY id LIMIT 1');
  const fin = sql("SELECT id FROM inspection_finding WHERE level = 'problem' AND rect_id IS NULL ORDER BY id LIMIT 1") || '1';
  const audit0 = sql('SELECT count(*) FROM audit_log');
  const form = (o) => new URLSearchParams(o).toString();
  for (const p of [`/bulletins/${d.id}/publish`, `/api/v1/bulletins/${d.id}/publish`, `/bulletins/${d.id}/delete`, `/orgs/${rootId}/report-schedules`,
    `/api/v1/orgs/${rootId}/report-schedules`, `/inspections/${insp}/close`, `/findings/${fin}/rectify`, `/orgs/${rootId}/bulletin-prefix`]) {
    const r = await office.req('POST', p, { csrf: false, body: form({ ...quarterly(), measure: '整改', owner: '某人', due_date: daysFromToday(9), prefix: '偷改' }),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    assert.ok(r.status === 403 || (p.startsWith('/api/') && r.status === 415), `${p}: ${r.status} ${r.text.slice(0, 160)}`);
    if (p.startsWith('/api/')) {
      const j = await office.post(p, { ...quarterly(), prefix: '偷改' }, { csrf: false });
      assert.equal(j.status, 403, `${p} (JSON): ${j.status} ${j.text.slice(0, 160)}`);
    }
  }
  assert.equal(sql('SELECT count(*) FROM audit_log'), audit0);
  assert.equal((await ok(await office.get(`/api/v1/bulletins/${d.id}`))).bulletin.status, 'draft');
});
