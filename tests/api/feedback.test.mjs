// feedback.test.mjs: opinions, suggestions, complaints (意见、建议、投诉) over HTTP, on this file's own
// demo database: the complaint path (a resident's form at a service window with a photo → the
// tracking code → it goes to the level above the window's branch, where the office classifies and
// the town replies and publishes → the code shows the reply), a complaint about a branch's
// secretary (never seen or handled by the secretary; the sender shown only to the handler), merging duplicates, due dates in working days over the editable calendar and
// the per-kind settings, reminders and overdue lists up the tree with per-child counts and XLSX,
// bad input refused with field and code and nothing changed, and guessing of tracking codes
// limited per address (this last, since the limit then holds for the rest of the hour).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { startServerOn, Client, loginAs, expectError, multipartBody, daysFromToday, PNG_1x1 as PNG, unzip, BACKEND, PASSWORD, CODE_ALPHA, codeCheckChar, randomCode } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const [office, town, secretary, secretary2, leader, member, discipline] = await Promise.all(
  ['office', 'town', 'secretary', 'secretary2', 'leader', 'member', 'discipline'].map((u) => loginAs(srv.base, u)));
const anon = new Client(srv.base);
const rootId = office.user.roles[0].org_id;
const townId = town.user.roles[0].org_id;
const branchA = secretary.user.roles[0].org_id;
const branchB = secretary2.user.roles[0].org_id;
const today = daysFromToday(0);

async function ok(r, status = 200) {
  assert.equal(r.status, status, `${r.status} ${r.text.slice(0, 400)}`);
  return r.json;
}
const b64 = (buf) => Buffer.from(buf).toString('base64');
let seq = 0;
const uniq = (s) => `${s}（${++seq}号）`;

/** A public submission through the API; returns {code, …}. */
async function submit(body) { return ok(await anon.post('/api/v1/public/feedback', body), 201); }
async function track(code, c = anon) { return c.post('/api/v1/public/track', { code }); }
/** The office's view of an item (by id). */
async function item(id, c = office) { return (await ok(await c.get(`/api/v1/feedback/${id}`))).item; }
/** The item an office list shows with this text. */
async function findByText(text, c = office, org = rootId) {
  const l = await ok(await c.get(`/api/v1/orgs/${org}/feedback?per_page=500`));
  return l.items.find((x) => x.text === text);
}

// ---- the working-day calendar as the server publishes it, for independent arithmetic ----
async function calendar(years = [Number(today.slice(0, 4)), Number(today.slice(0, 4)) + 1]) {
  const m = new Map();
  for (const y of years) for (const d of (await ok(await office.get(`/api/v1/calendar?year=${y}`))).days) m.set(d.date, d.workday);
  return m;
}
const isWorkday = (cal, date) => (cal.has(date) ? cal.get(date) : ![0, 6].includes(new Date(`${date}T12:00:00Z`).getUTCDay()));
const addDays = (date, n) => new Date(Date.parse(`${date}T12:00:00Z`) + n * 86400e3).toISOString().slice(0, 10);
function addWorkdays(cal, from, n) {
  let d = from;
  while (n > 0) { d = addDays(d, 1); if (isWorkday(cal, d)) n--; }
  return d;
}

// ---- tracking codes: Crockford base32 with a Luhn mod 32 check character (lib/code.c) ----
const ALPHA = CODE_ALPHA, checkChar = codeCheckChar;

const window = (await ok(await secretary.post(`/api/v1/orgs/${branchA}/windows`, { name: '曾营村便民服务窗口', location: '村委会一楼' }), 201)).window;

test('the complaint path: a form at a service window with a photo, a code, triage, the town\'s reply, the reply by code', async () => {
  const text = uniq('窗口工作人员中午提前下班，群众排队两个小时没办成事');
  // the resident's phone form behind the window's page (multipart, a photo attached)
  const form = await anon.get(`/p/feedback/window/${window.id}`);
  assert.equal(form.status, 200);
  assert.match(form.text, /曾营村便民服务窗口/);
  assert.match(form.text, /name="evidence"/);
  assert.match(form.text, /value="report"/, 'a named target may be reported');
  assert.doesNotMatch((await anon.get('/p/feedback')).text, /value="report"/, 'the general form has no 举报: it names nobody');
  const mp = await multipartBody([['kind', 'complaint'], ['text', text], ['name', '张三丰'], ['contact', '13812345678'], ['evidence', PNG, '排队照片.png']]);
  const sent = await anon.req('POST', `/p/feedback/window/${window.id}`, mp);
  assert.equal(sent.status, 303, 'the code page by a redirect: a refresh submits nothing twice');
  assert.equal(sent.headers.get('location'), '/p/feedback/done');
  const done = await anon.get(sent.headers.get('location'));
  assert.equal(done.status, 200, done.text.slice(0, 400));
  assert.match(done.headers.get('cache-control') || '', /no-store/, 'the page with the code is not cached');
  const shown = done.text.match(/id="tracking-code">([^<]+)</)[1];
  assert.match(shown, /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]$/, 'groups of four, read aloud');
  assert.match(done.text, /只显示这一次/);
  assert.match(done.text, /打印/);
  const code = shown.replace(/-/g, '');
  assert.equal(checkChar(code.slice(0, 12)), code[12], 'the last character checks the others');

  // the code shows the status without a login: received, waiting for triage
  let t = (await ok(await track(shown.toLowerCase()))).tracking;
  assert.deepEqual([t.kind, t.status, t.received_date, t.reply], ['complaint', 'new', today, undefined]);

  // the office sees it in the triage queue, at the level above the window's branch, with the sender masked
  const q = await ok(await office.get(`/api/v1/orgs/${rootId}/feedback?view=new`));
  const it = q.items.find((x) => x.text === text);
  assert.ok(it, 'the new complaint is in the office\'s queue');
  assert.equal(it.channel, 'qr', 'reached from a window\'s page: the QR channel');
  assert.deepEqual([it.org_id, it.about.kind, it.about.id, it.about.name, it.about.org_id], [townId, 'window', window.id, window.name, branchA]);
  assert.deepEqual([it.sender.name, it.sender.contact], ['张**', '138****5678']);
  assert.ok(!JSON.stringify(q).includes('张三丰') && !JSON.stringify(q).includes('13812345678'), 'lists show masks only');
  const full = await ok(await office.get(`/api/v1/feedback/${it.id}`));
  assert.equal(full.item.files.length, 1);
  const file = await office.get(`/api/v1/feedback-files/${full.item.files[0].id}`);
  assert.equal(file.status, 200);
  assert.ok(file.buf.equals(PNG), 'the attachment is the uploaded photo');
  assert.equal(file.headers.get('content-type'), 'image/png');
  // the sender's identity: full only on request, only at the handling organisation, and that is audited
  expectError(await office.post(`/api/v1/feedback/${it.id}/reveal`), 403, 'forbidden');
  const rv = await ok(await town.post(`/api/v1/feedback/${it.id}/reveal`));
  assert.deepEqual(rv.sender, { name: '张三丰', contact: '13812345678' });
  const audit = (await ok(await office.get(`/api/v1/orgs/${rootId}/audit`))).records;
  assert.ok(audit.some((a) => a.entity === 'feedback' && a.entity_id === it.id && a.action === 'reveal'));
  assert.ok(!JSON.stringify(audit).includes('张三丰') && !JSON.stringify(audit).includes(text), 'the audit log holds neither the text nor the sender');

  // the branch whose window it is about neither sees nor answers it
  expectError(await secretary.get(`/api/v1/feedback/${it.id}`), 404, 'not_found');
  expectError(await secretary.post(`/api/v1/feedback/${it.id}/reply`, { reply: '我们马上整改。' }), 404, 'not_found');
  // triage: a category, an internal note, assigned to the branch
  const cats = (await ok(await office.get('/api/v1/feedback-categories'))).categories;
  const cat = cats.find((c) => c.name === '办事效率');
  assert.ok(cat && cats.length >= 6, 'categories are data, seeded');
  let x = (await ok(await office.post(`/api/v1/feedback/${it.id}/classify`, { category_id: cat.id, note: '内部备注：核实值班表' }))).item;
  assert.deepEqual([x.category, x.note, x.status], ['办事效率', '内部备注：核实值班表', 'new']);
  expectError(await office.post(`/api/v1/feedback/${it.id}/assign`, { org_id: branchA }), 400, 'not_higher', 'org_id');
  x = (await ok(await office.post(`/api/v1/feedback/${it.id}/assign`, { org_id: townId }))).item;
  assert.deepEqual([x.status, x.org_id], ['assigned', townId]);
  t = (await ok(await track(code))).tracking;
  assert.equal(t.status, 'assigned');
  assert.equal(t.status_label, '办理中');

  // the town answers; branches do not even see it
  expectError(await secretary2.get(`/api/v1/feedback/${it.id}`), 404, 'not_found');
  expectError(await secretary2.post(`/api/v1/feedback/${it.id}/reply`, { reply: '越权答复' }), 404, 'not_found');
  expectError(await leader.post(`/api/v1/feedback/${it.id}/reply`, { reply: '越权答复' }), 403, 'forbidden');
  assert.equal((await leader.get(`/api/v1/feedback/${it.id}`)).status, 200, 'the town\'s leader may read it');
  expectError(await member.get(`/api/v1/feedback/${it.id}`), 403, 'forbidden');
  expectError(await discipline.get(`/api/v1/feedback/${it.id}`), 404, 'not_found'); // 纪检 handles 举报 only
  const reply = '经核实，窗口已调整午间值班，中午不再停办业务。感谢您的监督。';
  x = (await ok(await town.post(`/api/v1/feedback/${it.id}/reply`, { reply, publish: true, summary: '群众反映便民服务窗口中午提前下班。' }))).item;
  assert.deepEqual([x.status, x.reply, x.replied_date, x.published], ['replied', reply, today, true]);
  expectError(await town.post(`/api/v1/feedback/${it.id}/reply`, { reply: '再答复一次' }), 409, 'invalid_state', 'status');

  // the resident reads the reply by code: status, dates, the reply, the branch; never notes or names
  const tr = await ok(await track(shown));
  t = tr.tracking;
  assert.deepEqual([t.status, t.status_label, t.reply, t.replied_date, t.org_name], ['replied', '已答复', reply, today, it.org_name]);
  for (const s of ['内部备注', '张三丰', '张**', '138', 'secretary', '支部书记', String(it.id)]) assert.ok(!JSON.stringify(tr).includes(s), `tracking shows “${s}”`);
  const page = await anon.post('/p/track', new URLSearchParams({ code: shown }).toString(), { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  assert.equal(page.status, 200);
  assert.ok(page.text.includes(reply) && page.text.includes('已答复'));
  assert.ok(!page.text.includes('内部备注'));

  // the published, anonymised reply
  const pub = await ok(await anon.get('/api/v1/public/replies'));
  const p = pub.replies.find((r) => r.reply === reply);
  assert.ok(p, 'the reply is published');
  assert.deepEqual(Object.keys(p).sort(), ['category', 'kind', 'kind_label', 'received_date', 'replied_date', 'reply', 'summary']);
  assert.equal(p.category, '办事效率');
  for (const s of ['张三丰', code, shown, '13812345678', text]) assert.ok(!JSON.stringify(pub).includes(s), `the public list shows “${s}”`);
  assert.match((await anon.get('/p/replies')).text, /中午提前下班/);
  // the office may withdraw it
  await ok(await office.post(`/api/v1/feedback/${it.id}/publish`, { publish: false }));
  assert.ok(!(await ok(await anon.get('/api/v1/public/replies'))).replies.some((r) => r.reply === reply));

  // the same through the API: a JSON submission with a Base64 attachment
  const api = await submit({ kind: 'opinion', text: uniq('建议在窗口增加老年人座椅'), about_kind: 'org', about_id: branchA, evidence: [{ name: 'a.png', data: b64(PNG) }] });
  assert.match(api.code, /^[0-9A-HJKMNP-TV-Z]{13}$/);
  assert.equal(api.kind, 'opinion');
  const apiItem = await findByText(`建议在窗口增加老年人座椅（${seq}号）`);
  assert.equal(apiItem.channel, 'web');
  assert.equal((await item(apiItem.id)).files.length, 1);

  // encrypted at rest: neither the code nor the sender is in the database file
  if (BACKEND === 'sqlite') {
    const bytes = Buffer.concat([srv.db, `${srv.db}-wal`].filter(existsSync).map((f) => readFileSync(f)));
    for (const s of [code, '张三丰', '13812345678']) assert.ok(!bytes.includes(Buffer.from(s)), `“${s}” is stored in the clear`);
  }
});

test('a complaint about a branch secretary goes to the level above: the secretary cannot see or handle it; the sender is shown only to the handler', async () => {
  // the branch's secretary as a member of the branch (an account linked to the member), and a
  // town office account whose own membership is in the accused branch
  const ms = (await ok(await office.get(`/api/v1/orgs/${branchA}/members?per_page=5`))).members;
  const sec = ms.find((m) => m.id !== member.user.member_id), other = ms.find((m) => m.id !== member.user.member_id && m.id !== sec.id);
  const as = {};
  for (const [name, role, org, mem] of [['secm', 'secretary', branchA, sec.id], ['townm', 'office', townId, other.id]]) {
    const r = srv.cli(['user', 'add', name, '--name', `账号${name}`, '--password-file', '-', '--role', role, '--org', String(org), '--member', String(mem)],
      { input: PASSWORD + '\n' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    as[name] = await loginAs(srv.base, name);
  }
  const text = uniq('支部书记在低保评定中不公开、不公示，群众有意见');
  await submit({ kind: 'complaint', text, about_kind: 'member', about_id: sec.id, name: '赵六', contact: '13598765432' });
  const it = await findByText(text);
  assert.deepEqual([it.org_id, it.about.org_id, it.about.id], [townId, branchA, sec.id], 'filed at the town, the level above the branch');
  // the accused secretary, the branch's other secretary account, and a town office member of the branch: nothing
  for (const c of [as.secm, secretary, as.townm]) {
    expectError(await c.get(`/api/v1/feedback/${it.id}`), 404, 'not_found');
    for (const [op, body, officeOnly] of [['classify', { category_id: '' }, true], ['assign', { org_id: branchA }, true], ['reply', { reply: '已处理' }],
      ['reveal', undefined], ['publish', { publish: true, summary: '摘要摘要摘要' }]]) {
      const r = await c.post(`/api/v1/feedback/${it.id}/${op}`, body);
      // a secretary holds no triage role at all (403 before any item is read); everyone else: as if it did not exist
      if (officeOnly && c !== as.townm) expectError(r, 403, 'forbidden'); else expectError(r, 404, 'not_found');
    }
    const mine = c === as.townm ? townId : branchA;
    const l = await ok(await c.get(`/api/v1/orgs/${mine}/feedback?per_page=500`));
    assert.ok(!l.items.some((x) => x.id === it.id) && !JSON.stringify(l).includes(text), `${c.user.username}'s list shows it`);
  }
  // the handler (the town's office) sees it with the sender masked, and may see the sender (audited)
  const seen = (await ok(await town.get(`/api/v1/feedback/${it.id}`))).item;
  assert.deepEqual([seen.sender.name, seen.sender.contact], ['赵*', '135****5432']);
  const rv = await ok(await town.post(`/api/v1/feedback/${it.id}/reveal`));
  assert.deepEqual(rv.sender, { name: '赵六', contact: '13598765432' });
  // everyone else who may read it sees the masks only
  for (const c of [office, leader]) {
    const v = await ok(await c.get(`/api/v1/feedback/${it.id}`));
    assert.ok(!JSON.stringify(v).includes('赵六') && !JSON.stringify(v).includes('13598765432'));
    expectError(await c.post(`/api/v1/feedback/${it.id}/reveal`), 403, 'forbidden');
  }
  const page = await office.get(`/feedback/${it.id}`);
  assert.ok(page.status === 200 && !page.text.includes('赵六'));
  const offered = [...(page.text.match(/name="org_id" required>([\s\S]*?)<\/select>/) || ['', ''])[1].matchAll(/value="(\d+)"/g)].map((m) => Number(m[1]));
  assert.ok(offered.includes(townId) && !offered.includes(branchA), `assignment offered to ${offered}: never the accused branch`);
  // it cannot be handed down to the accused's branch
  expectError(await office.post(`/api/v1/feedback/${it.id}/assign`, { org_id: branchA }), 400, 'not_higher', 'org_id');
  // nor reach it by being merged into an item the branch handles (an opinion about the branch)
  await submit({ kind: 'opinion', text: uniq('支部低保评定请公开'), about_kind: 'org', about_id: branchA });
  const op = await findByText(`支部低保评定请公开（${seq}号）`);
  assert.equal(op.org_id, branchA);
  expectError(await office.post(`/api/v1/feedback/${it.id}/merge`, { into_id: op.id }), 400, 'merge_accused', 'into_id');
  await ok(await town.post(`/api/v1/feedback/${it.id}/reply`, { reply: '经镇党委核实，已责成支部补办公示。' }));
  // the accused secretary entering a complaint about himself by hotline: filed above, hidden from him at once
  const r = await ok(await as.secm.post(`/api/v1/orgs/${branchA}/feedback`, { kind: 'complaint', channel: 'hotline', text: uniq('热线：支部书记办事拖拉'),
    about_kind: 'member', about_id: sec.id, name: '钱七', contact: '13511112222' }), 201);
  const hot = await findByText(`热线：支部书记办事拖拉（${seq}号）`);
  assert.equal(hot.org_id, townId);
  assert.equal(r.id, undefined, 'the id of an item the enterer may not see is not shown');
  expectError(await as.secm.get(`/api/v1/feedback/${hot.id}`), 404, 'not_found');
});

test('merging duplicates: the merged item\'s code shows the kept item\'s status and reply', async () => {
  const kept = await submit({ kind: 'complaint', text: uniq('村口路灯坏了一个月没人修'), about_kind: 'org', about_id: branchA });
  const dup = await submit({ kind: 'complaint', text: uniq('村口路灯一直不亮，晚上出行不便'), about_kind: 'org', about_id: branchA });
  const k = await findByText(`村口路灯坏了一个月没人修（${seq - 1}号）`), d = await findByText(`村口路灯一直不亮，晚上出行不便（${seq}号）`);
  assert.ok(k && d);
  expectError(await office.post(`/api/v1/feedback/${d.id}/merge`, { into_id: d.id }), 400, 'merge_self', 'into_id');
  expectError(await office.post(`/api/v1/feedback/${d.id}/merge`, { into_id: 987654321 }), 404, 'not_found', 'into_id');
  expectError(await secretary.post(`/api/v1/feedback/${d.id}/merge`, { into_id: k.id }), 403, 'forbidden');
  expectError(await secretary.get(`/api/v1/feedback/${d.id}`), 404, 'not_found'); // about the branch: hidden from it
  const m = (await ok(await office.post(`/api/v1/feedback/${d.id}/merge`, { into_id: k.id }))).item;
  assert.deepEqual([m.status, m.merged_into], ['merged', k.id]);
  let t = (await ok(await track(dup.code))).tracking;
  assert.deepEqual([t.merged, t.status, t.kind], [true, 'new', 'complaint']);
  // a merged item moves no further, and nothing merges into it
  expectError(await office.post(`/api/v1/feedback/${d.id}/merge`, { into_id: k.id }), 409, 'invalid_state', 'status');
  expectError(await office.post(`/api/v1/feedback/${d.id}/assign`, { org_id: townId }), 409, 'invalid_state', 'status');
  const third = await submit({ kind: 'complaint', text: uniq('路灯不亮'), about_kind: 'org', about_id: branchA });
  const th = await findByText(`路灯不亮（${seq}号）`);
  expectError(await office.post(`/api/v1/feedback/${th.id}/merge`, { into_id: d.id }), 409, 'invalid_state', 'into_id');
  assert.ok(third.code);
  // the kept one is assigned and answered: the duplicate's code now reads that reply
  await ok(await office.post(`/api/v1/feedback/${k.id}/assign`, { org_id: townId }));
  const reply = '路灯已于本周更换，村委会每月巡查一次。';
  await ok(await town.post(`/api/v1/feedback/${k.id}/reply`, { reply }));
  t = (await ok(await track(dup.code))).tracking;
  assert.deepEqual([t.merged, t.status, t.reply], [true, 'replied', reply]);
  assert.equal((await ok(await track(kept.code))).tracking.reply, reply);
  // lists: the duplicate is neither open nor overdue
  const open = await ok(await office.get(`/api/v1/orgs/${rootId}/feedback?view=open&per_page=500`));
  assert.ok(!open.items.some((x) => x.id === d.id));
});

test('due dates count working days over the calendar; an office\'s edit moves the due date of new items only', async () => {
  let cal = await calendar();
  const first = await submit({ kind: 'suggestion', text: uniq('建议延长图书室开放时间') });
  assert.equal(first.due_days, 15);
  assert.equal(first.due_date, addWorkdays(cal, today, 15), 'received today + 15 working days');
  // a known stretch of 2026: 国庆 and 中秋 with the make-up Saturday 10-10
  assert.equal(addWorkdays(cal, '2026-09-24', 15), '2026-10-22');
  assert.ok(!isWorkday(cal, '2026-10-01') && isWorkday(cal, '2026-10-10') && isWorkday(cal, '2026-09-20'));
  // staff entry of a letter received days ago counts from that day
  const received = addDays(today, -10);
  const letter = await ok(await town.post(`/api/v1/orgs/${townId}/feedback`, { kind: 'opinion', channel: 'letter', received_date: received, text: uniq('来信反映集市管理混乱') }), 201);
  assert.equal(letter.received_date, received);
  assert.equal(letter.due_date, addWorkdays(cal, received, 15));
  const li = await findByText(`来信反映集市管理混乱（${seq}号）`, town, townId);
  assert.deepEqual([li.channel, li.org_id, li.received_date], ['letter', townId, received]);

  // the office makes the next working day a holiday: a new item is due one working day later
  let next = addDays(today, 1);
  while (!isWorkday(cal, next)) next = addDays(next, 1);
  expectError(await town.post('/api/v1/calendar', { date: next, kind: 'holiday', name: '临时假日' }), 403, 'forbidden');
  await ok(await office.post('/api/v1/calendar', { date: next, kind: 'holiday', name: '临时假日' }));
  const cal2 = await calendar();
  assert.equal(cal2.get(next), false);
  const second = await submit({ kind: 'suggestion', text: uniq('建议增设公交站牌') });
  assert.equal(second.due_date, addWorkdays(cal2, today, 15));
  assert.ok(second.due_date > first.due_date, `the edit moved the due date (${first.due_date} → ${second.due_date})`);
  const f1 = await findByText(`建议延长图书室开放时间（${seq - 2}号）`);
  assert.equal(f1.due_date, first.due_date, 'items already received keep their due date');
  // the edit is audited and listed; then undone
  const audit = (await ok(await office.get(`/api/v1/orgs/${rootId}/audit`))).records;
  assert.ok(audit.some((a) => a.entity === 'workday' && a.action === 'calendar' && a.after.includes(next)));
  const year = (await ok(await office.get(`/api/v1/calendar?year=${next.slice(0, 4)}`)));
  assert.ok(year.edits.some((e) => e.date === next && e.kind === 'holiday'));
  assert.ok(year.days.some((d) => d.date === next && d.edited && d.name === '临时假日'));
  await ok(await office.post('/api/v1/calendar', { date: next, kind: 'reset' }));
  assert.equal((await submit({ kind: 'suggestion', text: uniq('建议修缮村史馆') })).due_date, first.due_date);

  // the shipped years: 2026 as published, 2027 provisional; a shipped holiday can be removed
  const y26 = await ok(await office.get('/api/v1/calendar?year=2026'));
  const y27 = await ok(await office.get('/api/v1/calendar?year=2027'));
  assert.deepEqual([y26.provisional, y27.provisional], [false, true]);
  assert.ok(y26.days.some((d) => d.date === '2026-02-14' && d.workday) && y26.days.some((d) => d.date === '2026-10-05' && !d.workday));
  assert.equal(y26.workdays, 248, '2026: 261 weekdays − 19 holidays on weekdays + 6 make-up days');
  await ok(await office.post('/api/v1/calendar', { date: '2027-01-01', kind: 'normal' }));
  assert.ok(!(await ok(await office.get('/api/v1/calendar?year=2027'))).days.some((d) => d.date === '2027-01-01'));
  await ok(await office.post('/api/v1/calendar', { date: '2027-01-01', kind: 'reset' }));
  assert.ok((await ok(await office.get('/api/v1/calendar?year=2027'))).days.some((d) => d.date === '2027-01-01' && d.name === '元旦'));
  const cpage = await office.get('/calendar?year=2027');
  assert.equal(cpage.status, 200);
  assert.match(cpage.text, /尚未公布/);

  // per-kind due days set by an office apply to its subtree, the nearest setting winning
  await ok(await office.post(`/api/v1/orgs/${rootId}/feedback-settings`, { kind: 'complaint', due_days: 5 }));
  await ok(await town.post(`/api/v1/orgs/${townId}/feedback-settings`, { kind: 'complaint', due_days: 7 }));
  cal = await calendar();
  const atRoot = await submit({ kind: 'complaint', text: uniq('区里的投诉') });
  const inTown = await submit({ kind: 'complaint', text: uniq('镇里的投诉'), about_kind: 'org', about_id: branchA });
  const opinion = await submit({ kind: 'opinion', text: uniq('镇里的意见'), about_kind: 'org', about_id: branchA });
  assert.deepEqual([atRoot.due_days, atRoot.due_date], [5, addWorkdays(cal, today, 5)]);
  assert.deepEqual([inTown.due_days, inTown.due_date], [7, addWorkdays(cal, today, 7)]);
  assert.equal(opinion.due_days, 15);
  const st = (await ok(await town.get(`/api/v1/orgs/${branchA}/feedback`))).settings.find((s) => s.kind === 'complaint');
  assert.deepEqual([st.due_days, st.default], [7, false]);
  expectError(await town.post(`/api/v1/orgs/${rootId}/feedback-settings`, { kind: 'complaint', due_days: 3 }), 404, 'not_found');
  expectError(await secretary.post(`/api/v1/orgs/${branchA}/feedback-settings`, { kind: 'complaint', due_days: 3 }), 403, 'forbidden');
  await ok(await office.post(`/api/v1/orgs/${rootId}/feedback-settings`, { kind: 'complaint', due_days: 15 }));
  await ok(await town.post(`/api/v1/orgs/${townId}/feedback-settings`, { kind: 'complaint', due_days: 15 }));
});

test('reminders and overdue lists up the tree, per child, and as XLSX', async () => {
  const cal = await calendar();
  // overdue: a letter received 40 working days ago about the branch, entered by the town
  let back = today;
  for (let n = 0; n < 40;) { back = addDays(back, -1); if (isWorkday(cal, back)) n++; }
  const late = uniq('来信：村务公开栏半年没有更新');
  await ok(await town.post(`/api/v1/orgs/${townId}/feedback`, { kind: 'opinion', channel: 'letter', received_date: back, text: late, about_kind: 'org', about_id: branchA }), 201);
  // due soon: suggestions in the branch get 1 working day
  await ok(await town.post(`/api/v1/orgs/${branchA}/feedback-settings`, { kind: 'suggestion', due_days: 1 }));
  const soon = uniq('建议村务公开栏加装照明');
  await ok(await secretary.post(`/api/v1/orgs/${branchA}/feedback`, { kind: 'suggestion', channel: 'reception', text: soon }), 201);
  await ok(await town.post(`/api/v1/orgs/${branchA}/feedback-settings`, { kind: 'suggestion', due_days: 15 }));

  for (const [who, org] of [[secretary, branchA], [town, townId], [office, rootId], [leader, townId]]) {
    const ov = await ok(await who.get(`/api/v1/orgs/${org}/feedback?view=overdue&per_page=500`));
    const lateItem = ov.items.find((x) => x.text === late);
    assert.ok(lateItem, `${who.user.username} at ${org} lists the overdue item`);
    assert.ok(lateItem.overdue && !lateItem.due_soon);
    assert.ok(ov.items.every((x) => x.overdue && ['new', 'assigned'].includes(x.status)));
    assert.ok(!ov.items.some((x) => x.text === soon));
    const rm = await ok(await who.get(`/api/v1/orgs/${org}/feedback?view=reminders&per_page=500`));
    const s = rm.items.find((x) => x.text === soon);
    assert.ok(s && s.due_soon && s.due_date === addWorkdays(cal, today, 1), `${who.user.username} sees the reminder`);
    assert.ok(rm.items.every((x) => x.due_date >= today && x.due_date <= rm.soon));
    assert.equal(rm.soon, addWorkdays(cal, today, 3), 'reminders: due within 3 working days');
    assert.equal(ov.counts.overdue, ov.paging.total);
  }
  // the parent sees each child's backlog
  const t = await ok(await town.get(`/api/v1/orgs/${townId}/feedback`));
  const child = t.children.find((c) => c.org_id === branchA);
  assert.ok(child && child.overdue >= 1 && child.open >= 2, JSON.stringify(t.children));
  const r = await ok(await office.get(`/api/v1/orgs/${rootId}/feedback`));
  assert.ok(r.children.find((c) => c.org_id === townId).overdue >= 1);
  // another town's branch sees none of it
  const b = await ok(await secretary2.get(`/api/v1/orgs/${branchB}/feedback?per_page=500`));
  assert.ok(!b.items.some((x) => x.text === late || x.text === soon));
  expectError(await secretary2.get(`/api/v1/orgs/${branchA}/feedback`), 404, 'not_found');
  // the pages
  const page = await town.get(`/orgs/${townId}/feedback?view=overdue`);
  assert.equal(page.status, 200);
  assert.ok(page.text.includes('已逾期') && page.text.includes('来信：村务公开栏半年没有更新'));
  // XLSX of the overdue list: the item, no sender
  const x = await office.get(`/api/v1/orgs/${rootId}/feedback?view=overdue&format=xlsx`);
  assert.equal(x.status, 200);
  assert.match(x.headers.get('content-type'), /spreadsheetml/);
  const sheet = Object.values(unzip(x.buf)).map((b) => b.toString('utf8')).join('\n');
  assert.ok(sheet.includes('村务公开栏半年没有更新'));
  assert.ok(!sheet.includes('张三丰'));
  const audit = (await ok(await office.get(`/api/v1/orgs/${rootId}/audit`))).records;
  assert.ok(audit.some((a) => a.action === 'export' && a.entity === 'feedback'));
});

test('bad input is refused with the field and a code, and nothing changes', async () => {
  const snap = async () => {
    const [l, a, c] = await Promise.all([office.get(`/api/v1/orgs/${rootId}/feedback?per_page=500`), office.get(`/api/v1/orgs/${rootId}/audit`),
      office.get('/api/v1/calendar?year=2026')]);
    return { items: l.json.items, counts: l.json.counts, settings: l.json.settings, audit: a.json.records[0].seq, edits: c.json.edits };
  };
  const refused = async (what, send, status, code, field) => {
    const before = await snap();
    const r = await send();
    try { expectError(r, status, code, field); } catch (e) { e.message = `${what}: ${e.message}`; throw e; }
    assert.deepEqual(await snap(), before, `${what} was refused but changed something`);
  };
  const good = { kind: 'complaint', text: '内容足够长的一条投诉' };
  const pub = (body) => () => anon.post('/api/v1/public/feedback', body);
  await refused('no kind', pub({ ...good, kind: undefined }), 400, 'invalid_kind', 'kind');
  await refused('unknown kind', pub({ ...good, kind: 'praise' }), 400, 'invalid_kind', 'kind');
  await refused('short text', pub({ ...good, text: '太短' }), 400, 'too_short', 'text');
  await refused('long text', pub({ ...good, text: '长'.repeat(2001) }), 400, 'too_long', 'text');
  await refused('long name', pub({ ...good, name: '名'.repeat(21) }), 400, 'too_long', 'name');
  await refused('long contact', pub({ ...good, contact: '1'.repeat(41) }), 400, 'too_long', 'contact');
  await refused('text of the wrong type', pub({ ...good, text: ['数组'] }), 400, 'invalid_text', 'text');
  await refused('a target kind without id', pub({ ...good, about_kind: 'member' }), 400, 'invalid_about', 'about_id');
  await refused('an unknown target kind', pub({ ...good, about_kind: 'house', about_id: 1 }), 400, 'invalid_about', 'about_kind');
  await refused('a missing member', pub({ ...good, about_kind: 'member', about_id: 987654321 }), 404, 'not_found', 'about_id');
  await refused('a report naming nobody', pub({ ...good, kind: 'report' }), 400, 'accused_required', 'about_kind');
  await refused('a staff channel from the public', pub({ ...good, channel: 'hotline' }), 400, 'invalid_channel', 'channel');
  await refused('a text file as attachment', pub({ ...good, evidence: [{ name: 'x.png', data: b64('not an image at all') }] }), 400, 'evidence_type', 'evidence');
  await refused('an empty attachment', pub({ ...good, evidence: [{ name: 'x.png', data: '' }] }), 400, 'evidence_empty', 'evidence');
  await refused('six attachments', pub({ ...good, evidence: Array.from({ length: 6 }, (_, i) => ({ name: `${i}.png`, data: b64(PNG) })) }), 400, 'too_many_files', 'evidence');
  await refused('bad Base64', pub({ ...good, evidence: [{ name: 'x.png', data: '%%%%' }] }), 400, 'invalid_base64', 'evidence');
  await refused('attachments not a list', pub({ ...good, evidence: 'abc' }), 400, 'invalid_type', 'evidence');
  // the page form: a text file renamed .png, and a body over the limit
  {
    const before = await snap();
    const mp = await multipartBody([['kind', 'complaint'], ['text', '表单里的假照片投诉'], ['evidence', Buffer.from('plain text'), 'photo.png']]);
    const r = await anon.req('POST', '/p/feedback', mp);
    assert.equal(r.status, 400);
    assert.match(r.text, /data-code="evidence_type" data-field="evidence"/);
    assert.match(r.text, /表单里的假照片投诉/, 'the form keeps what was typed');
    assert.deepEqual(await snap(), before, 'the refused form changed something');
  }
  // the public form takes 3 MB before anyone is known; staff entry (logged in) 5 MB a file
  const pngOf = (n) => Buffer.concat([PNG, Buffer.alloc(n - PNG.length, 0)]);
  const big = await anon.req('POST', '/p/feedback', await multipartBody([['kind', 'complaint'], ['text', '附件太大的投诉'], ['evidence', pngOf(4 << 20), 'big.png']]));
  assert.equal(big.status, 413);
  await refused('a file over 5 MB', async () => town.req('POST', `/api/v1/orgs/${townId}/feedback`, await multipartBody([['kind', 'opinion'],
    ['channel', 'letter'], ['text', '来信扫描件太大'], ['evidence', pngOf(6 << 20), 'scan.png']])), 413, 'evidence_too_large', 'evidence');
  const scan = await town.req('POST', `/api/v1/orgs/${townId}/feedback`, await multipartBody([['kind', 'opinion'], ['channel', 'letter'],
    ['text', uniq('来信扫描件（两兆）')], ['evidence', pngOf(2 << 20), '来信扫描.png']]));
  assert.equal(scan.status, 201, scan.text);
  const scanned = await findByText(`来信扫描件（两兆）（${seq}号）`, town, townId);
  // what follows the image's IEND (here 2 MB of padding, elsewhere hidden data) is not kept
  assert.equal((await item(scanned.id, town)).files[0].size, PNG.length);

  // staff entry
  const staff = (c, org, body) => () => c.post(`/api/v1/orgs/${org}/feedback`, body);
  const entry = { kind: 'opinion', channel: 'hotline', text: '热线来电反映的意见' };
  await refused('no channel', staff(town, townId, { ...entry, channel: undefined }), 400, 'invalid_channel', 'channel');
  await refused('a public channel from staff', staff(town, townId, { ...entry, channel: 'web' }), 400, 'invalid_channel', 'channel');
  await refused('a future date', staff(town, townId, { ...entry, received_date: daysFromToday(2) }), 400, 'future_date', 'received_date');
  await refused('a date two years back', staff(town, townId, { ...entry, received_date: daysFromToday(-800) }), 400, 'too_old', 'received_date');
  await refused('not a date', staff(town, townId, { ...entry, received_date: '昨天' }), 400, 'invalid_date', 'received_date');
  await refused('a report by a secretary', staff(secretary, branchA, { ...entry, kind: 'report', about_kind: 'org', about_id: branchA }), 403, 'forbidden', 'kind');
  await refused('a target outside the intake', staff(town, townId, { ...entry, about_kind: 'org', about_id: branchB }), 404, 'not_found', 'about_id');
  await refused('an org outside the subtree', staff(town, branchB, entry), 404, 'not_found', 'id');
  await refused('a leader may not enter', staff(leader, townId, entry), 403, 'forbidden');

  // triage and answers
  const it = (await ok(await town.get(`/api/v1/orgs/${townId}/feedback?view=new`))).items[0];
  assert.ok(it, 'an open item in the town to try things on');
  await refused('assign outside the town', () => town.post(`/api/v1/feedback/${it.id}/assign`, { org_id: branchB }), 404, 'not_found');
  await refused('assign to nowhere', () => office.post(`/api/v1/feedback/${it.id}/assign`, {}), 400, 'invalid_org', 'org_id');
  await refused('assign to a missing org', () => office.post(`/api/v1/feedback/${it.id}/assign`, { org_id: 987654321 }), 404, 'not_found', 'org_id');
  await refused('a missing category', () => office.post(`/api/v1/feedback/${it.id}/classify`, { category_id: 987654 }), 400, 'invalid_category', 'category_id');
  await refused('a category that is no number', () => office.post(`/api/v1/feedback/${it.id}/classify`, { category_id: 'x' }), 400, 'invalid_category', 'category_id');
  await refused('an empty reply', () => office.post(`/api/v1/feedback/${it.id}/reply`, { reply: ' ' }), 400, 'too_short', 'reply');
  await refused('publishing without a summary', () => office.post(`/api/v1/feedback/${it.id}/reply`, { reply: '已经处理。', publish: true }), 400, 'required', 'summary');
  await refused('publishing before the reply', () => office.post(`/api/v1/feedback/${it.id}/publish`, { publish: true, summary: '摘要摘要摘要' }), 409, 'invalid_state', 'status');
  await refused('a missing item', () => office.get('/api/v1/feedback/987654321'), 404, 'not_found', 'id');
  await refused('a missing file', () => office.get('/api/v1/feedback-files/987654321'), 404, 'not_found', 'id');
  // settings, categories, calendar
  await refused('zero days', () => office.post(`/api/v1/orgs/${rootId}/feedback-settings`, { kind: 'complaint', due_days: 0 }), 400, 'invalid_due_days', 'due_days');
  await refused('61 days', () => office.post(`/api/v1/orgs/${rootId}/feedback-settings`, { kind: 'complaint', due_days: 61 }), 400, 'invalid_due_days', 'due_days');
  await refused('a kind of setting', () => office.post(`/api/v1/orgs/${rootId}/feedback-settings`, { kind: 'x', due_days: 5 }), 400, 'invalid_kind', 'kind');
  await refused('a duplicate category', () => office.post('/api/v1/feedback-categories', { name: '其他' }), 409, 'duplicate', 'name');
  await refused('a category by a town', () => town.post('/api/v1/feedback-categories', { name: '镇里的分类' }), 403, 'forbidden');
  await refused('a calendar day that is no date', () => office.post('/api/v1/calendar', { date: '2026-02-30', kind: 'holiday', name: '假' }), 400, 'invalid_date', 'date');
  await refused('a calendar kind', () => office.post('/api/v1/calendar', { date: '2026-12-24', kind: 'party' }), 400, 'invalid_kind', 'kind');
  await refused('a holiday without a name', () => office.post('/api/v1/calendar', { date: '2026-12-24', kind: 'holiday' }), 400, 'required', 'name');
  await refused('a year out of range', () => office.get('/api/v1/calendar?year=1800'), 400, 'invalid_query', 'year');
  await refused('a list view', () => office.get(`/api/v1/orgs/${rootId}/feedback?view=late`), 400, 'invalid_query', 'view');
  await refused('a list format', () => office.get(`/api/v1/orgs/${rootId}/feedback?format=pdf`), 400, 'invalid_format', 'format');
});

test('tracking codes: a typo and a wrong code are told apart; many wrong codes from one address get 429', async () => {
  const real = await submit({ kind: 'opinion', text: uniq('查询码测试的意见') });
  // a typo: the check character catches it, without counting as a guess
  const typo = real.code.slice(0, 5) + ALPHA[(ALPHA.indexOf(real.code[5]) + 1) % 32] + real.code.slice(6);
  for (let i = 0; i < 12; i++) expectError(await track(typo), 400, 'code_check', 'code');
  expectError(await track('ABC'), 400, 'invalid_code', 'code');
  expectError(await track('UUUU-UUUU-UUUU-U'), 400, 'invalid_code', 'code');
  expectError(await track(''), 400, 'invalid_code', 'code');
  assert.equal((await ok(await track(real.code))).tracking.kind, 'opinion', 'typos did not lock the address out');
  // well-formed codes that are not ours: ten are answered 404, the eleventh 429 — even for a right code
  const e = expectError(await track(randomCode()), 404, 'not_found', 'code');
  assert.notEqual(e.message, expectError(await track(typo), 400, 'code_check').message);
  for (let i = 2; i <= 10; i++) expectError(await track(randomCode()), 404, 'not_found', 'code');
  expectError(await track(randomCode()), 429, 'rate_limited', 'code');
  expectError(await track(real.code), 429, 'rate_limited', 'code');
  const page = await anon.post('/p/track', new URLSearchParams({ code: real.code }).toString(), { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  assert.equal(page.status, 429);
  assert.match(page.text, /次数过多/);
});

test('the audit chain verifies after all of this file\'s requests', () => {
  const r = srv.cli(['audit', 'verify']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
