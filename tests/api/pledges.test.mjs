// pledges.test.mjs: public pledges (公开承诺) over HTTP, on this file's own demo database: the
// lifecycle from draft to renewal (member makes, secretary reviews, progress with evidence,
// completion, rating, renewal), every refused transition with the right code and nothing changed,
// misses with and without a public explanation, the subtree lists and their XLSX export, and the
// public card: ETag/304, progress shown, QR code, a deactivated member's card gone. A miss without
// justification counts (grade component and veto) in the round in which it is recorded, as well as
// in the round holding the due date.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import http from 'node:http';
import { startServerOn, Client, loginAs, expectError, multipartBody, daysFromToday, PNG_1x1 as PNG, unzip, sqlOn } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const [member, secretary, office, town, secretary2] = await Promise.all(
  ['member', 'secretary', 'office', 'town', 'secretary2'].map((u) => loginAs(srv.base, u)));
const anon = new Client(srv.base);
const branch = secretary.user.roles[0].org_id;
const memberId = member.user.member_id;
const today = daysFromToday(0);

async function ok(r, status = 200) {
  assert.equal(r.status, status, `${r.status} ${r.text.slice(0, 400)}`);
  return r.json;
}
/** Everything about a pledge that a refused request must leave alone (read by the office, so the
 * "can" flags are the office's and stay put), the member's list and the audit head. */
async function snap(id) {
  const [p, mine, audit] = await Promise.all([office.get(`/api/v1/pledges/${id}`), member.get('/api/v1/me/pledges'),
    office.get(`/api/v1/orgs/${office.user.roles[0].org_id}/audit`)]);
  assert.equal(p.status, 200, p.text);
  return { p: p.json, mine: mine.json, audit: audit.json.records[0].seq };
}
/** Asserts the request is refused with status/code and that the pledge did not change. */
async function refused(id, what, send, status, code, field) {
  const before = await snap(id);
  const r = await send();
  try { expectError(r, status, code, field); } catch (e) { e.message = `${what}: ${e.message}`; throw e; }
  assert.deepEqual(await snap(id), before, `${what} was refused but changed something`);
  return r;
}
const act = (c, id, action, body) => c.post(`/api/v1/pledges/${id}/${action}`, body);
const progress = async (c, id, { text, percent = 50, date = today, files = [] }) =>
  c.req('POST', `/api/v1/pledges/${id}/progress`, await multipartBody([['date', date], ['text', text], ['percent', percent], ...files]));
let n = 0;
const newPledge = (over = {}) => ({
  area: '服务群众', title: `帮助孤寡老人代购生活用品 ${++n}`, content: '每周为孤寡老人代购一次生活用品。',
  measures: '与村委会对接名单，每周六上门。', responsible: '本人', due_date: daysFromToday(60), ...over,
});
/** A member pledge of `member`, taken to in_progress by the secretary. */
async function inProgress(over) {
  const p = (await ok(await member.post('/api/v1/pledges', newPledge(over)), 201)).pledge;
  await ok(await act(member, p.id, 'submit'));
  await ok(await act(secretary, p.id, 'approve'));
  return p;
}

test('the lifecycle: create, edit, submit, return, resubmit, approve, progress, complete, rate, renew', async () => {
  const body = newPledge();
  const created = await ok(await member.post('/api/v1/pledges', body), 201);
  const p = created.pledge;
  assert.equal(p.status, 'draft');
  assert.equal(p.kind, 'member');
  assert.equal(p.member_id, memberId);
  assert.equal(p.org_id, branch);
  for (const k of ['area', 'title', 'content', 'measures', 'responsible', 'due_date']) assert.equal(p[k], body[k], k);

  // a draft is not public
  const card0 = await anon.get(`/p/card/${memberId}`);
  assert.equal(card0.status, 200);
  assert.ok(!card0.text.includes(body.title), 'a draft appears on the public card');

  const edited = (await ok(await member.patch(`/api/v1/pledges/${p.id}`, { title: body.title + '（修改）', measures: '每周六上门，逐户登记。' }))).pledge;
  assert.equal(edited.title, body.title + '（修改）');
  assert.equal(edited.measures, '每周六上门，逐户登记。');
  assert.equal(edited.content, body.content, 'fields not sent keep their value');
  assert.ok(edited.version > p.version);

  assert.equal((await ok(await act(member, p.id, 'submit'))).pledge.status, 'submitted');
  // submitted: no more editing
  await refused(p.id, 'edit a submitted pledge', () => member.patch(`/api/v1/pledges/${p.id}`, { title: '偷改' }), 409, 'invalid_transition');
  // return needs a reason
  await refused(p.id, 'return without a reason', () => act(secretary, p.id, 'return', {}), 400, 'required', 'reason');
  const reason = '措施不够具体，请写明每周上门的时间和登记方式';
  const ret = (await ok(await act(secretary, p.id, 'return', { reason }))).pledge;
  assert.equal(ret.status, 'returned');
  // the member sees the reason, edits and resubmits
  const seen = (await ok(await member.get(`/api/v1/pledges/${p.id}`))).pledge;
  assert.equal(seen.return_reason, reason);
  assert.ok((await member.get('/me/pledges')).status === 200);
  const page = await member.get(`/pledges/${p.id}`);
  assert.equal(page.status, 200);
  assert.ok(page.text.includes(reason), 'the pledge page shows the return reason');
  await ok(await member.patch(`/api/v1/pledges/${p.id}`, { measures: '每周六上午九点上门，在登记簿逐户签字。' }));
  assert.equal((await ok(await act(member, p.id, 'submit'))).pledge.status, 'submitted');
  const approved = (await ok(await act(secretary, p.id, 'approve'))).pledge;
  assert.equal(approved.status, 'in_progress');
  assert.equal(approved.status_label, '践诺中');

  // progress with a PNG; a text file called fake.png is refused and changes nothing
  await refused(p.id, 'progress with a fake PNG', async () => member.req('POST', `/api/v1/pledges/${p.id}/progress`,
    await multipartBody([['date', today], ['text', '假图片'], ['percent', 30], ['evidence', Buffer.from('this is not a picture\n'), 'fake.png']])),
  400, 'evidence_type', 'evidence');
  const pr = await ok(await progress(member, p.id, { text: '第一周：代购 3 户，已登记签字', percent: 30, files: [['evidence', PNG, '代购登记.png']] }), 201);
  assert.equal(pr.pledge.percent, 30);
  const detail = await ok(await member.get(`/api/v1/pledges/${p.id}`));
  const entry = detail.progress.find((x) => x.id === pr.progress_id);
  assert.ok(entry, 'the progress entry is listed');
  assert.equal(entry.text, '第一周：代购 3 户，已登记签字');
  assert.equal(entry.date, today);
  assert.equal(entry.evidence.length, 1);
  const ev = entry.evidence[0];
  assert.equal(ev.mime, 'image/png');
  assert.equal(ev.size, PNG.length);
  assert.equal(ev.image, true);
  // the member downloads it; once public, anyone may, under /p/
  const dl = await member.get(`/api/v1/evidence/${ev.id}`);
  assert.equal(dl.status, 200, dl.text.slice(0, 200));
  assert.match(dl.headers.get('content-type'), /^image\/png/);
  assert.ok(dl.buf.equals(PNG));
  const pub = await anon.get(`/p/evidence/${ev.id}`); // checked at the end, so the rest still runs when it fails

  const done = (await ok(await act(member, p.id, 'complete', { summary: '全年代购 50 余次' }))).pledge;
  assert.equal(done.status, 'completed');
  assert.equal(done.summary, '全年代购 50 余次', "the member's own summary is written at completion");
  await refused(p.id, 'rate with an unknown grade', () => act(secretary, p.id, 'rate', { grade: 'excellent' }), 400, 'invalid_grade', 'grade');
  const rated = (await ok(await act(secretary, p.id, 'rate', { grade: 'good', comment: '按期兑现，群众满意', summary: '评诺人改写的总结' }))).pledge;
  assert.equal(rated.summary, '全年代购 50 余次', "rating keeps the member's own summary");
  assert.equal(rated.status, 'rated');
  assert.equal(rated.grade, 'good');
  assert.equal(rated.grade_label, '好');
  assert.equal(rated.rating_comment, '按期兑现，群众满意');

  const rn = await member.post(`/api/v1/pledges/${p.id}/renew`);
  assert.equal(rn.status, 201, rn.text);
  const next = rn.json.pledge;
  assert.notEqual(next.id, p.id);
  assert.equal(next.status, 'draft');
  assert.equal(next.predecessor_id, p.id);
  assert.equal(next.member_id, memberId);
  const old = (await ok(await member.get(`/api/v1/pledges/${p.id}`))).pledge;
  assert.equal(old.status, 'renewed');
  assert.equal(old.successor_id, next.id);
  // renewing twice is refused
  await refused(p.id, 'renew a renewed pledge', () => act(member, p.id, 'renew'), 409, 'invalid_transition');

  assert.equal(pub.status, 200, `GET /p/evidence/${ev.id} without login: ${pub.text.slice(0, 200)}`);
  assert.match(pub.headers.get('content-type'), /^image\/png/);
  assert.ok(pub.buf.equals(PNG), 'the public evidence is the uploaded file');
  const again = await anon.get(`/p/evidence/${ev.id}`);
  assert.equal(again.status, 200);
  assert.ok(again.buf.equals(PNG), 'the public evidence, asked again');
});

test('creating: bad input is refused field by field, nothing made', async () => {
  const count = async () => (await member.get('/api/v1/me/pledges')).json.paging.total;
  const before = await count();
  const cases = [
    [{ due_date: daysFromToday(-1) }, 'due_date'],
    [{ due_date: '2026-02-30' }, 'due_date'],
    [{ area: '贯彻落实科学发展观' }, 'area'], // an organisation's area, not a member's
    [{ title: '' }, 'title'],
    [{ title: '长'.repeat(61) }, 'title'],
  ];
  for (const [over, field] of cases) {
    const r = await member.post('/api/v1/pledges', newPledge(over));
    assert.equal(r.status, 400, `${JSON.stringify(over)}: ${r.text}`);
    assert.equal(r.json.error.field, field, JSON.stringify(over));
  }
  // an account without a member record cannot make a personal pledge
  expectError(await secretary.post('/api/v1/pledges', newPledge()), 403, 'not_member');
  assert.equal(await count(), before);
});

test('refused transitions answer the right code and change nothing', async () => {
  const mine = (await ok(await member.get('/api/v1/me/pledges'))).pledges;
  const demoDraft = mine.find((p) => p.title === '读一本党史书籍并写心得');
  assert.ok(demoDraft && demoDraft.status === 'draft', 'the demo gives the member a draft');
  const all = (await ok(await office.get(`/api/v1/orgs/${branch}/pledges?per_page=500`))).pledges;
  const submitted = all.find((p) => p.status === 'submitted');
  assert.ok(submitted, 'the demo has a submitted pledge');
  const ip = await inProgress();
  const own = (await ok(await member.post('/api/v1/pledges', newPledge()), 201)).pledge;
  await ok(await act(member, own.id, 'submit'));

  await refused(demoDraft.id, 'approve a draft', () => act(secretary, demoDraft.id, 'approve'), 409, 'invalid_transition');
  await refused(demoDraft.id, 'complete a draft', () => act(member, demoDraft.id, 'complete'), 409, 'invalid_transition');
  await refused(demoDraft.id, 'progress on a draft', () => progress(member, demoDraft.id, { text: '草稿也记进展' }), 409, 'invalid_transition');
  await refused(demoDraft.id, 'the secretary submits the member\'s draft', () => act(secretary, demoDraft.id, 'submit'), 403, 'not_allowed');
  await refused(own.id, 'the member approves its own pledge', () => act(member, own.id, 'approve'), 403, 'forbidden');
  await refused(own.id, 'the member returns its own pledge', () => act(member, own.id, 'return', { reason: '自己退回' }), 403, 'forbidden');
  await refused(submitted.id, 'secretary2 approves a pledge of another town', () => act(secretary2, submitted.id, 'approve'), 404, 'not_found');
  await refused(ip.id, 'rate an in-progress pledge', () => act(secretary, ip.id, 'rate', { grade: 'good' }), 409, 'invalid_transition');
  await refused(ip.id, 'renew an in-progress pledge', () => act(member, ip.id, 'renew'), 409, 'invalid_transition');
  await refused(ip.id, 'approve again', () => act(secretary, ip.id, 'approve'), 409, 'invalid_transition');
  await refused(ip.id, 'the secretary completes the member\'s pledge', () => act(secretary, ip.id, 'complete'), 403, 'not_allowed');
  await refused(ip.id, 'edit an approved pledge', () => member.patch(`/api/v1/pledges/${ip.id}`, { title: '改已公开的承诺' }), 409, 'invalid_transition');
  await refused(ip.id, 'miss of an unknown kind', () => act(secretary, ip.id, 'miss', { miss_kind: 'lazy' }), 400, 'invalid_miss_kind', 'miss_kind');
  await refused(ip.id, 'progress over 100%', () => progress(member, ip.id, { text: '超额', percent: 101 }), 400, 'invalid_percent', 'percent');
  await refused(ip.id, 'progress dated tomorrow', () => progress(member, ip.id, { text: '明天的进展', date: daysFromToday(1) }), 400, 'date_in_future', 'date');
  await refused(ip.id, 'an action that does not exist', () => act(secretary, ip.id, 'delete'), 404, 'not_found');
});

test('an organisation\'s pledge is reviewed strictly from above', async () => {
  const mk = await secretary.post('/api/v1/pledges', newPledge({ org_id: branch, area: '关心服务党员群众', responsible: '支部书记' }));
  const p = (await ok(mk, 201)).pledge;
  assert.equal(p.kind, 'org');
  assert.equal(p.member_id, undefined);
  await ok(await act(secretary, p.id, 'submit'));
  // its own secretary made it: it may not approve it
  const r = await refused(p.id, 'the secretary approves its own organisation\'s pledge', () => act(secretary, p.id, 'approve'), 403, 'not_allowed');
  assert.match(r.json.error.message, /[\u4e00-\u9fff]/);
  await refused(p.id, 'the member approves the branch\'s pledge', () => act(member, p.id, 'approve'), 403, 'forbidden');
  // the town's office, above the branch, may
  const a = await act(town, p.id, 'approve');
  assert.equal(a.status, 200, `the office of the town above the branch approves the branch's pledge: ${a.text}`);
  assert.equal(a.json.pledge.status, 'in_progress');
});

test('missed: an objective reason is explained on the public card; unjustified needs no explanation', async () => {
  const a = await inProgress({ title: '汛期前疏通村内排水沟' });
  await refused(a.id, 'objective miss without an explanation', () => act(secretary, a.id, 'miss', { miss_kind: 'objective' }), 400, 'required', 'explanation');
  const why = '连续暴雨，施工队无法进场，改至雨季后完成';
  const m = (await ok(await act(secretary, a.id, 'miss', { miss_kind: 'objective', explanation: why }))).pledge;
  assert.equal(m.status, 'missed');
  assert.equal(m.miss_kind, 'objective');
  assert.equal(m.miss_explanation, why);
  assert.equal(m.unjustified, false);
  const card = await anon.get(`/p/card/${memberId}`);
  assert.equal(card.status, 200);
  assert.ok(card.text.includes('汛期前疏通村内排水沟') && card.text.includes(why), 'the public card shows the missed pledge and why');
  const api = await ok(await anon.get(`/api/v1/public/cards/${memberId}`));
  const shown = api.card.pledges.find((x) => x.id === a.id);
  assert.equal(shown.miss_explanation, why);

  const b = await inProgress({ title: '每月组织一次义务劳动' });
  const u = (await ok(await act(secretary, b.id, 'miss', { miss_kind: 'unjustified' }))).pledge;
  assert.equal(u.status, 'missed');
  assert.equal(u.miss_kind, 'unjustified');
  assert.equal(u.unjustified, true);
  // a missed pledge can still be rated, not completed
  await refused(b.id, 'complete a missed pledge', () => act(member, b.id, 'complete'), 409, 'invalid_transition');
  assert.equal((await ok(await act(secretary, b.id, 'rate', { grade: 'poor' }))).pledge.status, 'rated');
});

test('lists: by status, overdue, due this month, XLSX; a bad filter is refused', async () => {
  const list = async (q) => (await ok(await secretary.get(`/api/v1/orgs/${branch}/pledges?per_page=500${q}`))).pledges;
  const all = await list('');
  assert.ok(all.length >= 6);
  const ip = await list('&status=in_progress');
  assert.ok(ip.length >= 1 && ip.every((p) => p.status === 'in_progress'));
  assert.deepEqual(ip.map((p) => p.id).sort(), all.filter((p) => p.status === 'in_progress').map((p) => p.id).sort());
  const overdue = await list('&overdue=1');
  assert.ok(overdue.some((p) => p.title === '办事不过夜'), 'the demo\'s overdue pledge is listed');
  assert.ok(overdue.every((p) => p.overdue === true && p.due_date < today));
  assert.deepEqual(overdue.map((p) => p.id).sort(), all.filter((p) => p.overdue).map((p) => p.id).sort());
  const month = await list('&due=month');
  assert.ok(month.every((p) => p.due_date.slice(0, 7) === today.slice(0, 7)), JSON.stringify(month.map((p) => p.due_date)));
  assert.deepEqual(month.map((p) => p.id).sort(), all.filter((p) => p.due_date.slice(0, 7) === today.slice(0, 7)).map((p) => p.id).sort());
  const orgOnly = await list('&kind=org');
  assert.ok(orgOnly.length >= 1 && orgOnly.every((p) => p.kind === 'org'));
  // the town sees its branches' pledges too
  const townAll = (await ok(await town.get(`/api/v1/orgs/${town.user.roles[0].org_id}/pledges?per_page=500`))).pledges;
  for (const p of all) assert.ok(townAll.some((x) => x.id === p.id));

  const x = await secretary.get(`/api/v1/orgs/${branch}/pledges?format=xlsx&status=in_progress`);
  assert.equal(x.status, 200, x.text.slice(0, 200));
  assert.match(x.headers.get('content-type'), /spreadsheetml/);
  assert.equal(x.buf.subarray(0, 2).toString('latin1'), 'PK');
  const files = unzip(x.buf);
  const strings = (files['xl/sharedStrings.xml'] || Buffer.alloc(0)).toString('utf8') + (files['xl/worksheets/sheet1.xml'] || '').toString('utf8');
  assert.ok(strings.includes('承诺事项'), 'the export has its header row');
  for (const p of ip) assert.ok(strings.includes(p.title.replace(/&/g, '&amp;')), `the export lists “${p.title}”`);

  for (const q of ['status=bogus', 'status=DRAFT', 'due=year', 'page=0']) {
    const r = await secretary.get(`/api/v1/orgs/${branch}/pledges?${q}`);
    expectError(r, 400, 'invalid_query');
  }
  expectError(await secretary.get(`/api/v1/orgs/${branch}/pledges?format=pdf`), 400, 'invalid_format');
});

test('the public card: ETag and 304, progress shows with a new ETag, QR code, gone when deactivated', async () => {
  const p = await inProgress({ title: '为村小学义务辅导功课' });
  const url = `/p/card/${memberId}`;
  const r1 = await anon.get(url);
  assert.equal(r1.status, 200);
  assert.match(r1.headers.get('content-type'), /^text\/html/);
  const etag = r1.headers.get('etag');
  assert.ok(etag, 'the card has an ETag');
  assert.ok(r1.text.includes('为村小学义务辅导功课'));
  const r2 = await anon.get(url, { headers: { 'If-None-Match': etag } });
  assert.equal(r2.status, 304);
  assert.equal(r2.buf.length, 0, '304 has an empty body');
  assert.equal(r2.headers.get('etag'), etag);
  // the same again without If-None-Match is the same page
  const r3 = await anon.get(url);
  assert.equal(r3.status, 200);
  assert.equal(r3.headers.get('etag'), etag);
  assert.equal(r3.text, r1.text);

  await ok(await progress(member, p.id, { text: '辅导四年级数学两次，学生 6 人', percent: 20 }), 201);
  const r4 = await anon.get(url, { headers: { 'If-None-Match': etag } });
  assert.equal(r4.status, 200, 'after progress the old ETag no longer matches');
  assert.notEqual(r4.headers.get('etag'), etag);
  assert.ok(r4.text.includes('辅导四年级数学两次，学生 6 人'), 'the new page shows the progress');
  const r5 = await anon.get(url, { headers: { 'If-None-Match': r4.headers.get('etag') } });
  assert.equal(r5.status, 304);

  const qr = await anon.get(`${url}/qr.svg`);
  assert.equal(qr.status, 200);
  assert.match(qr.headers.get('content-type'), /^image\/svg\+xml/);
  assert.match(qr.text, /^(<\?xml[^>]*>\s*)?<svg[\s>]/);
  assert.match(qr.text, /<\/svg>\s*$/);
  const board = await anon.get(`/p/board/${branch}`);
  assert.equal(board.status, 200);
  assert.ok(board.text.includes('为村小学义务辅导功课'));
  const bqr = await anon.get(`/p/board/${branch}/qr.svg`);
  assert.match(bqr.headers.get('content-type') || '', /^image\/svg\+xml/);

  // a deactivated member has no public card (page, API, QR)
  const other = (await ok(await office.get(`/api/v1/orgs/${branch}/members?per_page=50`))).members.find((m) => m.id !== memberId);
  assert.equal((await anon.get(`/p/card/${other.id}`)).status, 200);
  await ok(await office.post(`/api/v1/members/${other.id}/deactivate`));
  assert.equal((await anon.get(`/p/card/${other.id}`)).status, 404);
  expectError(await anon.get(`/api/v1/public/cards/${other.id}`), 404, 'not_found');
  assert.equal((await anon.get(`/p/card/${other.id}/qr.svg`)).status, 404);
  assert.equal((await anon.get(`/p/card/${other.id}/print`)).status, 404);
  await ok(await office.post(`/api/v1/members/${other.id}/activate`));
});

/** GET path with a chosen Host header (fetch does not let one set it). */
function getWithHost(path, host) {
  const u = new URL(srv.base);
  return new Promise((resolve, reject) => {
    http.get({ host: u.hostname, port: u.port, path, headers: { Host: host } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
    }).on('error', reject);
  });
}

test('a QR code made for one Host header is not served to requests for another', async () => {
  // the QR encodes the server's address; a request naming another host is refused (400), so it
  // can neither have a QR code made that leads elsewhere nor change what everybody else is given
  const ms = (await ok(await office.get(`/api/v1/orgs/${branch}/members?per_page=50`))).members;
  const who = ms[ms.length - 1].id; // a card nobody asked for yet in this file
  const path = `/p/card/${who}/qr.svg`;
  const host = new URL(srv.base).host;
  for (const p of [path, `/p/card/${who}/print`, `/p/board/${branch}/qr.svg`, `/p/board/${branch}/print`]) {
    const evil = await getWithHost(p, 'evil.example');
    assert.equal(evil.status, 400, `${p} for Host evil.example: ${evil.status}`);
    assert.ok(evil.text.includes('不是本站的地址'), evil.text);
    assert.ok(!evil.text.includes('<svg'), 'no QR code for evil.example');
    assert.equal((await getWithHost(p, host)).status, 200, p);
  }
  const mine = await getWithHost(path, host);
  const again = await getWithHost(path, host);
  assert.equal(mine.text, again.text);
  const printMine = await getWithHost(`/p/card/${who}/print`, host);
  assert.ok(printMine.text.includes(`http://${host}/p/card/${who}`), 'the print page shows this server\'s address');
  assert.ok(!printMine.text.includes('evil.example'), 'the print page for this server links to evil.example');
});

test('a multipart progress entry whose body arrives in pieces keeps all its fields', async () => {
  // A browser or fetch may send a form's parts in separate TCP segments. Every split point of
  // the body must give the same entry.
  const p = await inProgress({ title: '分段上传测试承诺' });
  const B = 'cxzyBoundary7MA4YWxkTrZu0gW';
  const body = Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="date"\r\n\r\n${today}\r\n` +
    `--${B}\r\nContent-Disposition: form-data; name="text"\r\n\r\nt\r\n` +
    `--${B}\r\nContent-Disposition: form-data; name="percent"\r\n\r\n40\r\n--${B}--\r\n`);
  const head = `POST /api/v1/pledges/${p.id}/progress HTTP/1.1\r\nHost: ${new URL(srv.base).host}\r\nCookie: ${member.cookieHeader()}\r\n` +
    `X-CSRF-Token: ${member.csrf}\r\nContent-Type: multipart/form-data; boundary=${B}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
  const u = new URL(srv.base);
  const bad = [];
  const textAt = body.indexOf('\r\n\r\nt\r\n') + 4;
  for (const cut of [textAt - 2, textAt, textAt + 1, textAt + 2, textAt + 3, body.length - 20]) {
    const out = await new Promise((resolve, reject) => {
      const s = net.connect(Number(u.port), u.hostname, () => {
        s.write(head);
        s.write(body.subarray(0, cut));
        setTimeout(() => s.end(body.subarray(cut)), 30);
      });
      let d = '';
      s.on('data', (x) => { d += x; });
      s.on('close', () => resolve(d));
      s.on('error', reject);
    });
    const status = out.slice(9, 12);
    if (status !== '201') bad.push(`split at byte ${cut} (${JSON.stringify(body.subarray(cut - 4, cut).toString())}|…): ${status} ${(out.match(/\{"error".*\}/) || [''])[0]}`);
  }
  assert.deepEqual(bad, [], 'some split points lose a field');
});

test('outsiders: another town\'s secretary sees none of it', async () => {
  const p = await inProgress({ title: '外镇不可见的承诺' });
  expectError(await secretary2.get(`/api/v1/pledges/${p.id}`), 404, 'not_found');
  const l = await secretary2.get(`/api/v1/orgs/${secretary2.user.roles[0].org_id}/pledges?per_page=500`);
  assert.equal(l.status, 200);
  assert.ok(!l.text.includes('外镇不可见的承诺'));
  expectError(await secretary2.get(`/api/v1/orgs/${branch}/pledges?overdue=1`), 404, 'not_found');
});

test('a pledge before it is public is its author\'s and its reviewers\' only: not a fellow member\'s, not a leader\'s', async () => {
  const roster = (await ok(await secretary.get(`/api/v1/orgs/${branch}/members?per_page=500`))).members;
  const peerMember = roster.find((m) => m.id !== memberId);
  const u = srv.cli(['user', 'add', 'pledgepeer', '--name', peerMember.name, '--password-file', '-', '--role', 'member', '--org', String(branch),
    '--member', String(peerMember.id)], { input: 'cxzy-demo-2026\n' });
  assert.equal(u.status, 0, u.stderr);
  const [peer, leader] = await Promise.all([loginAs(srv.base, 'pledgepeer'), loginAs(srv.base, 'leader')]);
  const draft = (await ok(await member.post('/api/v1/pledges', newPledge({ title: '尚未提交的草稿承诺' })), 201)).pledge;
  const sent = (await ok(await member.post('/api/v1/pledges', newPledge({ title: '已提交待审核的承诺' })), 201)).pledge;
  await ok(await act(member, sent.id, 'submit'));
  for (const p of [draft, sent]) {
    for (const who of [peer, leader]) expectError(await who.get(`/api/v1/pledges/${p.id}`), 404, 'not_found');
    await ok(await member.get(`/api/v1/pledges/${p.id}`));
    await ok(await secretary.get(`/api/v1/pledges/${p.id}`));
  }
  for (const who of [peer, leader]) {
    const orgId = who === peer ? branch : leader.user.roles[0].org_id;
    const l = await ok(await who.get(`/api/v1/orgs/${orgId}/pledges?per_page=500`));
    assert.ok(!JSON.stringify(l).includes('尚未提交的草稿承诺') && !JSON.stringify(l).includes('已提交待审核的承诺'), 'lists leave them out');
    const x = await who.get(`/api/v1/orgs/${orgId}/pledges?format=xlsx`);
    assert.equal(x.status, 200);
    assert.ok(!Object.values(unzip(x.buf)).map((v) => v.toString('utf8')).join('').includes('尚未提交的草稿承诺'), 'and so does the export');
  }
  const mine = await ok(await secretary.get(`/api/v1/orgs/${branch}/pledges?per_page=500`));
  assert.ok(JSON.stringify(mine).includes('已提交待审核的承诺'), 'the reviewer lists what waits for review');
  // once approved, the pledge is public to the branch
  await ok(await act(secretary, sent.id, 'approve'));
  await ok(await peer.get(`/api/v1/pledges/${sent.id}`));
});

/** Runs SQL on the test database (to let time pass: a pledge's due date moves into the past). */
const sql = (q) => sqlOn(srv.db, q);

test('a pledge missed without justification in round 2, due in round 1\'s period, vetoes in round 2 (and in round 1)', async () => {
  const me = (await ok(await member.get(`/api/v1/members/${memberId}`))).member;
  assert.equal(me.status, 'full', 'the member login is a 正式党员 (graded)');
  const round = async (name, start, end) => (await ok(await town.post(`/api/v1/orgs/${branch}/rounds`,
    { name, start_date: daysFromToday(start), end_date: daysFromToday(end) }), 201)).round;
  const r1 = await round('承诺测试：第一轮', -60, -11);
  const r2 = await round('承诺测试：第二轮', -10, 30);
  // a pledge that fell due in round 1's period (time passes: its due date moves 20 days back) …
  const p = await inProgress({ title: '每季度走访一次困难群众' });
  sql(`UPDATE pledge SET due_date = '${daysFromToday(-20)}' WHERE id = ${p.id}`);
  // the quarter roll-ups count it by its due date: an edit behind the store's back (when it
  // crosses a quarter) is a difference that recount reports and --fix settles
  srv.cli(['recount', '--fix']);
  assert.equal(srv.cli(['recount']).status, 0);
  // … and is marked missed without justification today, in round 2
  const u = (await ok(await act(secretary, p.id, 'miss', { miss_kind: 'unjustified' }))).pledge;
  assert.equal(u.unjustified, true);
  const grades = async (rd) => (await ok(await secretary.post(`/api/v1/orgs/${branch}/grades`, { kind: 'member', round_id: rd.id })))
    .grades.find((g) => g.target_id === memberId);
  const g2 = await grades(r2);
  assert.equal(g2.computed, 'unqualified', `round 2: ${JSON.stringify(g2)}`);
  assert.match(g2.note, /否决：有承诺无正当理由未兑现/);
  assert.ok(g2.scores.pledge !== null && g2.scores.pledge < 100, `the pledge component counts the miss as not kept: ${g2.scores.pledge}`);
  const g1 = await grades(r1);
  assert.equal(g1.computed, 'unqualified', 'round 1 (the due date) still counts it');
  for (const rd of [r1, r2]) {
    const rc = srv.cli(['recount', '--round', String(rd.id)]);
    assert.equal(rc.status, 0, rc.stdout + rc.stderr);
  }
  for (const rd of [r1, r2]) await ok(await town.post(`/api/v1/rounds/${rd.id}/close`));
});

test('the audit chain verifies after all of this file\'s requests', () => {
  const r = srv.cli(['audit', 'verify']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
