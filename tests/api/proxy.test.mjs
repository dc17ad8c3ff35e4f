// proxy.test.mjs: proxy entry (代录) and the branch's peer-review matrix over HTTP, on this file's
// own demo database. A secretary enters a pledge, its progress and a self-review for a member
// without a phone; every list, page, export and card marks them 代录 with who and when; the member
// signs in later and confirms (本人已确认). Members and secretaries of other branches cannot
// enter for anyone. On one page a member peer-reviews the whole branch and the secretary keys in
// the paper sheets (民主测评表): one bad cell changes nothing, a sheet keyed in twice counts once in
// the grades, and `cxzy recount` agrees. A closed round refuses all of it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, Client, loginAs, expectError, multipartBody, daysFromToday, unzip, PASSWORD } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const [member, secretary, office, town, secretary2] = await Promise.all(
  ['member', 'secretary', 'office', 'town', 'secretary2'].map((u) => loginAs(srv.base, u)));
const anon = new Client(srv.base);
const branch = secretary.user.roles[0].org_id;
const townId = town.user.roles[0].org_id;
const rootId = office.user.roles[0].org_id;

async function ok(r, status = 200) {
  assert.equal(r.status, status, `${r.status} ${r.text.slice(0, 500)}`);
  return r.json;
}
const auditHead = async () => (await ok(await office.get(`/api/v1/orgs/${rootId}/audit`))).records[0].seq;

// A is the `member` login; B, a member without a phone, gets an account only later (to confirm);
// C and D are further members of the branch.
const roster = (await ok(await secretary.get(`/api/v1/orgs/${branch}/members?per_page=500`))).members;
const A = roster.find((m) => m.id === member.user.member_id);
const others = roster.filter((m) => m.id !== A.id && m.id !== secretary.user.member_id && m.status === 'full');
const [B, C, D] = others;
assert.ok(A && B && C && D, 'the demo branch has enough members');
function account(name, m) {
  const u = srv.cli(['user', 'add', name, '--name', m.name, '--password-file', '-', '--role', 'member', '--org', String(branch),
    '--member', String(m.id)], { input: PASSWORD + '\n' });
  assert.equal(u.status, 0, u.stdout + u.stderr);
  return loginAs(srv.base, name);
}

let n = 0;
const newPledge = (over = {}) => ({
  area: '服务群众', title: `为邻里义务修理农具 ${++n}`, content: '每月为邻里义务修理一次农具。',
  measures: '每月第一个周六在村委会门口。', responsible: B.name, due_date: daysFromToday(60), ...over,
});
const progress = async (c, id, text) =>
  c.req('POST', `/api/v1/pledges/${id}/progress`, await multipartBody([['date', daysFromToday(0)], ['text', text], ['percent', '40']]));

let P; // the pledge entered for B
test('a secretary enters a pledge and its progress for a member (代录), marked everywhere', async () => {
  const p = (await ok(await secretary.post('/api/v1/pledges', { member_id: B.id, ...newPledge() }), 201)).pledge;
  assert.equal(p.member_id, B.id);
  assert.equal(p.org_id, branch);
  assert.equal(p.entered.by, secretary.user.display_name);
  assert.equal(p.entered.confirmed, false);
  assert.equal(p.entered.label, '代录·待本人确认');
  assert.match(p.entered.at, /^\d{4}-\d\d-\d\d \d\d:\d\d$/);
  // acting for B the secretary submits; as B's reviewer it approves
  await ok(await secretary.post(`/api/v1/pledges/${p.id}/submit`));
  await ok(await secretary.post(`/api/v1/pledges/${p.id}/approve`));
  const pr = await ok(await progress(secretary, p.id, '修理了三户的农具'), 201);
  assert.equal(pr.pledge.percent, 40);
  const page = await ok(await secretary.get(`/api/v1/pledges/${p.id}`));
  assert.equal(page.progress[0].entered, true, 'the progress entry is marked 代录');
  assert.equal(page.progress[0].author, secretary.user.display_name);
  assert.equal(page.can.confirm, false, 'only the member confirms');
  P = page.pledge;
  // the branch's list, the XLSX export, the pledge page and the public card all show the mark
  const list = (await ok(await secretary.get(`/api/v1/orgs/${branch}/pledges?per_page=500`))).pledges;
  assert.equal(list.find((x) => x.id === p.id).entered.label, '代录·待本人确认');
  assert.ok(list.filter((x) => x.id !== p.id && x.member_id === A.id).every((x) => !x.entered), 'a member\'s own pledges carry no mark');
  const x = await secretary.get(`/api/v1/orgs/${branch}/pledges?format=xlsx`);
  assert.equal(x.status, 200);
  const text = Object.entries(unzip(x.buf)).filter(([k]) => k.startsWith('xl/')).map(([, v]) => v.toString('utf8')).join('');
  assert.ok(text.includes('代录·待本人确认') && text.includes(secretary.user.display_name), 'the export has the 代录 column');
  const html = await secretary.get(`/pledges/${p.id}`);
  assert.match(html.text, /代录·待本人确认/);
  assert.match(html.text, new RegExp(`由${secretary.user.display_name}于`));
  const card = await anon.get(`/p/card/${B.id}`);
  assert.equal(card.status, 200);
  assert.match(card.text, /代录·待本人确认/);
  assert.ok(!card.text.includes(`由${secretary.user.display_name}`), 'the public card does not name who keyed it in');
  // the audit log records who entered it
  const audit = (await ok(await office.get(`/api/v1/orgs/${rootId}/audit`))).records;
  assert.ok(audit.some((r) => r.action === 'create' && r.entity === 'pledge' && r.entity_id === p.id && r.actor === secretary.user.username));
});

test('nobody else enters for a member: a member for another, another branch\'s secretary (403), bad ids', async () => {
  const head = await auditHead();
  expectError(await member.post('/api/v1/pledges', { member_id: B.id, ...newPledge() }), 403, 'not_allowed', 'member_id');
  // the form: the secretary's 代录 form for B carries B's id; a member gets none for another
  const form = await secretary.get(`/pledges/new?member=${B.id}`);
  assert.equal(form.status, 200);
  assert.match(form.text, new RegExp(`name="member_id" value="${B.id}"`));
  assert.match(form.text, /代录党员承诺/);
  assert.equal((await member.get(`/pledges/new?member=${B.id}`)).status, 403);
  assert.equal((await secretary2.get(`/pledges/new?member=${B.id}`)).status, 403);
  assert.match((await secretary.get(`/members/${B.id}`)).text, new RegExp(`/pledges/new\\?member=${B.id}`));
  expectError(await secretary2.post('/api/v1/pledges', { member_id: B.id, ...newPledge() }), 403, 'not_allowed', 'member_id');
  expectError(await secretary.post('/api/v1/pledges', { member_id: 987654321, ...newPledge() }), 403, 'not_allowed', 'member_id');
  expectError(await secretary.post('/api/v1/pledges', { member_id: 'abc', ...newPledge() }), 403, 'not_allowed', 'member_id');
  expectError(await secretary.post('/api/v1/pledges', { member_id: B.id, ...newPledge({ title: '' }) }), 400, 'required', 'title');
  // a fellow member sees B's public pledge but cannot confirm it; another town does not see it
  expectError(await member.post(`/api/v1/pledges/${P.id}/confirm`), 403, 'not_owner');
  expectError(await progress(secretary2, P.id, '别处书记'), 404, 'not_found');
  // a member's own member_id is their own pledge, not 代录
  const own = (await ok(await member.post('/api/v1/pledges', { member_id: A.id, ...newPledge({ responsible: A.name }) }), 201)).pledge;
  assert.equal(own.entered, undefined);
  assert.ok(await auditHead() > head);
  const after = await auditHead();
  expectError(await secretary.post('/api/v1/pledges', { member_id: B.id, ...newPledge({ due_date: '2020-13-01' }) }), 400, 'invalid_date', 'due_date');
  assert.equal(await auditHead(), after, 'a refused entry changes nothing');
});

let asB;
test('the member signs in, sees the 代录 pledge and confirms it; nobody else can, nor twice', async () => {
  asB = await account('proxyb', B);
  const mine = (await ok(await asB.get('/api/v1/me/pledges'))).pledges;
  assert.equal(mine.find((x) => x.id === P.id).entered.label, '代录·待本人确认');
  const page = await ok(await asB.get(`/api/v1/pledges/${P.id}`));
  assert.equal(page.can.confirm, true);
  expectError(await secretary.post(`/api/v1/pledges/${P.id}/confirm`), 403, 'not_owner');
  const c = (await ok(await asB.post(`/api/v1/pledges/${P.id}/confirm`))).pledge;
  assert.equal(c.entered.confirmed, true);
  assert.equal(c.entered.label, '代录·本人已确认');
  assert.equal(c.entered.by, secretary.user.display_name, 'who entered it stays on record');
  expectError(await asB.post(`/api/v1/pledges/${P.id}/confirm`), 409, 'already_confirmed');
  const own = (await ok(await asB.post('/api/v1/pledges', newPledge()), 201)).pledge;
  expectError(await asB.post(`/api/v1/pledges/${own.id}/confirm`), 409, 'not_entered');
  const list = (await ok(await secretary.get(`/api/v1/orgs/${branch}/pledges?per_page=500`))).pledges;
  assert.equal(list.find((x) => x.id === P.id).entered.label, '代录·本人已确认');
  assert.match((await asB.get(`/pledges/${P.id}`)).text, /本人已于/);
  // B's own progress on it is B's, not 代录
  await ok(await progress(asB, P.id, '本人又修理了两户'), 201);
  const prog = (await ok(await asB.get(`/api/v1/pledges/${P.id}`))).progress;
  assert.deepEqual(prog.map((e) => e.entered === true), [false, true]);
});

// ---- reviews: a round of the town, the member standard's five items ----
const period = { start_date: daysFromToday(-170), end_date: daysFromToday(-11) };
let R, items;
const self3 = { achievements: '按时参加组织生活', shortcomings: '学习不够深入', direction: '每周读一篇理论文章' };

test('a secretary enters a member\'s self-review (代录); the member sees it and confirms it', async () => {
  const campaign = (await ok(await town.get(`/api/v1/orgs/${townId}/campaigns`))).campaigns[0];
  R = (await ok(await town.post(`/api/v1/orgs/${townId}/rounds`, { campaign_id: campaign.id, name: '代录测试轮次', ...period }), 201)).round;
  const r = await ok(await secretary.post(`/api/v1/members/${B.id}/review`, { round_id: R.id, kind: 'self', levels: '12122', ...self3 }), 201);
  assert.equal(r.review.entered, true);
  const over = await ok(await secretary.get(`/api/v1/members/${B.id}/review?round_id=${R.id}`));
  assert.equal(over.self.levels, '12122');
  assert.equal(over.self.entered.by, secretary.user.display_name);
  assert.equal(over.self.entered.confirmed, false);
  assert.equal(over.can_enter, true);
  items = over.items.length;
  assert.equal(items, 5);
  // refused: a member for another member, another branch's secretary, a bad level
  expectError(await member.post(`/api/v1/members/${B.id}/review`, { round_id: R.id, kind: 'self', levels: '11111', ...self3 }), 403, 'not_self', 'kind');
  expectError(await secretary2.post(`/api/v1/members/${B.id}/review`, { round_id: R.id, kind: 'self', levels: '11111', ...self3 }), 404, 'not_found');
  expectError(await secretary.post(`/api/v1/members/${C.id}/review`, { round_id: R.id, kind: 'self', levels: '11151', ...self3 }), 400, 'invalid_levels', 'levels');
  assert.equal((await ok(await secretary.get(`/api/v1/members/${C.id}/review?round_id=${R.id}`))).self, null, 'nothing was written for C');
  // the member sees it on their own page and confirms it; only they can, once
  const mine = await ok(await asB.get(`/api/v1/me/reviews?round_id=${R.id}`));
  assert.equal(mine.self.entered.label, '代录·待本人确认');
  assert.match((await asB.get(`/me/reviews?round_id=${R.id}`)).text, /代录·待本人确认/);
  expectError(await secretary.post(`/api/v1/members/${B.id}/review/confirm`, { round_id: R.id }), 403, 'not_self');
  expectError(await member.post(`/api/v1/members/${C.id}/review/confirm`, { round_id: R.id }), 403, 'not_self');
  await ok(await asB.post(`/api/v1/members/${B.id}/review/confirm`, { round_id: R.id }));
  expectError(await asB.post(`/api/v1/members/${B.id}/review/confirm`, { round_id: R.id }), 409, 'already_confirmed');
  const seen = await ok(await secretary.get(`/api/v1/members/${B.id}/review?round_id=${R.id}`));
  assert.equal(seen.self.entered.label, '代录·本人已确认');
  assert.match((await secretary.get(`/members/${B.id}/review?round_id=${R.id}`)).text, /本人已于/);
  // the member rewriting it makes it their own again
  await ok(await asB.post(`/api/v1/members/${B.id}/review`, { round_id: R.id, kind: 'self', levels: '11122', ...self3 }));
  assert.equal((await ok(await asB.get(`/api/v1/me/reviews?round_id=${R.id}`))).self.entered, undefined);
});

test('a member reviews the whole branch on one page, in one transaction; one bad cell changes nothing', async () => {
  const m = await ok(await member.get(`/api/v1/orgs/${branch}/peer-matrix?round_id=${R.id}`));
  assert.equal(m.mode, 'mine');
  assert.ok(!m.rows.some((r) => r.id === A.id), 'self excluded');
  assert.ok(m.rows.some((r) => r.id === B.id) && m.rows.some((r) => r.id === C.id));
  assert.equal(m.rows[0].cells.length, items);
  const before = { head: await auditHead(), stats: (await ok(await office.get(`/api/v1/rounds/${R.id}`))).stats };
  const bad = expectError(await member.post(`/api/v1/orgs/${branch}/peer-matrix`, { round_id: R.id, rows: [
    { member_id: B.id, levels: '11111' }, { member_id: C.id, levels: '11511' }] }), 400, 'invalid_levels', 'rows[1].levels');
  assert.match(bad.message, new RegExp(`${C.name}.*第 3 项`));
  expectError(await member.post(`/api/v1/orgs/${branch}/peer-matrix`, { round_id: R.id, rows: [
    { member_id: B.id, levels: '11111' }, { member_id: A.id, levels: '11111' }] }), 400, 'self_peer', 'rows[1].levels');
  expectError(await member.post(`/api/v1/orgs/${branch}/peer-matrix`, { round_id: R.id, rows: [] }), 400, 'empty_matrix', 'rows');
  expectError(await member.post(`/api/v1/orgs/${branch}/peer-matrix`, { round_id: R.id, sheet_no: 1, rows: [{ member_id: B.id, levels: '11111' }] }), 403, 'forbidden');
  // a form post with one cell left blank in a row names that cell
  const form = new URLSearchParams({ _csrf: member.csrf, round_id: String(R.id), [`lv_${B.id}_1`]: '1', [`lv_${B.id}_2`]: '2',
    [`lv_${B.id}_3`]: '', [`lv_${B.id}_4`]: '1', [`lv_${B.id}_5`]: '1' });
  const fr = await member.req('POST', `/orgs/${branch}/peer-matrix`, { body: form.toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  assert.equal(fr.status, 400);
  assert.match(fr.text, new RegExp(`aria-invalid="true"[^>]*lv_${B.id}_3|lv_${B.id}_3[^>]*aria-invalid="true"`));
  assert.deepEqual({ head: await auditHead(), stats: (await ok(await office.get(`/api/v1/rounds/${R.id}`))).stats }, before, 'refused, nothing changed');
  const r = await ok(await member.post(`/api/v1/orgs/${branch}/peer-matrix`, { round_id: R.id, rows: [
    { member_id: B.id, levels: '11111' }, { member_id: C.id, levels: '22222' }] }), 201);
  assert.deepEqual([r.matrix.rows, r.matrix.inserted], [2, 2]);
  const again = await ok(await member.post(`/api/v1/orgs/${branch}/peer-matrix`, { round_id: R.id, rows: [{ member_id: C.id, levels: '21222' }] }));
  assert.deepEqual([again.matrix.inserted, again.matrix.updated], [0, true], 'the same reviews, changed, not added');
  const todo = (await ok(await member.get(`/api/v1/me/reviews?round_id=${R.id}`))).peers;
  assert.ok(todo.find((p) => p.id === C.id).done && todo.find((p) => p.id === B.id).done);
  const back = await ok(await member.get(`/api/v1/orgs/${branch}/peer-matrix?round_id=${R.id}&mode=mine`));
  assert.equal(back.rows.find((x) => x.id === C.id).levels, '21222', 'the page shows the member\'s own levels');
  // the one-per-page review sees the same record
  assert.equal((await ok(await member.get(`/api/v1/members/${C.id}/review?round_id=${R.id}`))).my_peer_review.levels, '21222');
  expectError(await secretary2.get(`/api/v1/orgs/${branch}/peer-matrix?round_id=${R.id}`), 404, 'not_found');
});

test('the secretary keys in paper sheets: numbered, anonymous; a sheet keyed twice counts once in grades and recount', async () => {
  const s = await ok(await secretary.get(`/api/v1/orgs/${branch}/peer-matrix?round_id=${R.id}`));
  assert.equal(s.mode, 'sheet');
  assert.equal(s.sheets, 0);
  assert.equal(s.next_sheet_no, 1);
  assert.ok(s.rows.some((r) => r.id === A.id) && s.rows.some((r) => r.id === D.id), 'every member of the branch is a row');
  expectError(await member.get(`/api/v1/orgs/${branch}/peer-matrix?round_id=${R.id}&mode=sheet`), 403, 'forbidden', 'mode');
  expectError(await secretary.post(`/api/v1/orgs/${branch}/peer-matrix`, { round_id: R.id, sheet_no: 0.5, rows: [{ member_id: D.id, levels: '11111' }] }),
    400, 'invalid_sheet_no', 'sheet_no');
  // sheet 1 first keyed with D poor everywhere, then corrected: D 好 everywhere
  const k1 = await ok(await secretary.post(`/api/v1/orgs/${branch}/peer-matrix`, { round_id: R.id, sheet_no: 1, rows: [
    { member_id: D.id, levels: '44444' }, { member_id: A.id, levels: '22222' }] }), 201);
  assert.equal(k1.matrix.sheets, 1);
  const k2 = await ok(await secretary.post(`/api/v1/orgs/${branch}/peer-matrix`, { round_id: R.id, sheet_no: 1, rows: [
    { member_id: D.id, levels: '11111' }] }));
  assert.equal(k2.matrix.sheets, 1, 'keying the same number again replaces the sheet');
  const again = await ok(await secretary.get(`/api/v1/orgs/${branch}/peer-matrix?round_id=${R.id}&sheet_no=1`));
  assert.deepEqual(again.rows.filter((r) => r.levels).map((r) => [r.id, r.levels]), [[D.id, '11111']]);
  // a bad cell in another sheet changes nothing
  const head = await auditHead();
  expectError(await secretary.post(`/api/v1/orgs/${branch}/peer-matrix`, { round_id: R.id, sheet_no: 2, rows: [
    { member_id: D.id, levels: '11111' }, { member_id: B.id, levels: '1111' }] }), 400, 'invalid_levels', 'rows[1].levels');
  assert.equal(await auditHead(), head);
  assert.equal((await ok(await secretary.get(`/api/v1/orgs/${branch}/peer-matrix?round_id=${R.id}`))).sheets, 1);
  // D has only that one sheet as a peer review: counted once, at 好
  const view = await ok(await secretary.get(`/api/v1/members/${D.id}/review?round_id=${R.id}`));
  assert.equal(view.peer.count, 1);
  const g = await ok(await secretary.post(`/api/v1/orgs/${branch}/grades`, { round_id: R.id, kind: 'member' }));
  const byId = new Map(g.grades.map((r) => [r.target_id, r]));
  assert.equal(byId.get(D.id).scores.peer, 100, 'the sheet keyed twice counts once, as corrected');
  assert.equal(byId.get(A.id).scores.peer, null, 'the row dropped from the sheet no longer counts');
  assert.equal(byId.get(C.id).scores.peer, 84, 'the member\'s matrix reviews count as peer reviews');
  const rc = srv.cli(['recount', '--round', String(R.id)]);
  assert.equal(rc.status, 0, rc.stdout + rc.stderr);
  const audit = (await ok(await office.get(`/api/v1/orgs/${rootId}/audit`))).records;
  const sheet = audit.find((r) => r.action === 'review.sheet');
  assert.ok(sheet && sheet.actor === secretary.user.username);
  assert.ok(!JSON.stringify(sheet).includes(`"member_id":${D.id}`), 'the audit record names no one reviewed');
});

test('a closed round refuses proxy self-reviews, confirmations and the matrix', async () => {
  const campaign = (await ok(await town.get(`/api/v1/orgs/${townId}/campaigns`))).campaigns[0];
  const R2 = (await ok(await town.post(`/api/v1/orgs/${townId}/rounds`, { campaign_id: campaign.id, name: '将结束的轮次', ...period }), 201)).round;
  await ok(await secretary.post(`/api/v1/members/${C.id}/review`, { round_id: R2.id, kind: 'self', levels: '11111', ...self3 }), 201);
  await ok(await town.post(`/api/v1/rounds/${R2.id}/close`));
  const asC = await account('proxyc', C);
  const head = await auditHead();
  expectError(await secretary.post(`/api/v1/members/${D.id}/review`, { round_id: R2.id, kind: 'self', levels: '11111', ...self3 }), 409, 'round_closed', 'round_id');
  expectError(await secretary.post(`/api/v1/orgs/${branch}/peer-matrix`, { round_id: R2.id, sheet_no: 1, rows: [{ member_id: D.id, levels: '11111' }] }),
    409, 'round_closed', 'round_id');
  expectError(await member.post(`/api/v1/orgs/${branch}/peer-matrix`, { round_id: R2.id, rows: [{ member_id: D.id, levels: '11111' }] }), 409, 'round_closed', 'round_id');
  expectError(await asC.post(`/api/v1/members/${C.id}/review/confirm`, { round_id: R2.id }), 409, 'round_closed', 'round_id');
  assert.equal(await auditHead(), head, 'nothing changed');
  const page = await secretary.get(`/orgs/${branch}/peer-matrix?round_id=${R2.id}`);
  assert.equal(page.status, 200);
  assert.match(page.text, /评议轮次已经结束/);
});
