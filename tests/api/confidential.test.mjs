// confidential.test.mjs: the confidentiality matrix of 举报 (whistle-blowing reports), on this
// file's own demo database. A resident reports the `member` login's member (in the first
// branch, A) with a photo, a name and a phone; the discipline inspector above handles it. Then,
// for EVERY GET operation in openapi.json (plain and as an XLSX export; with the ids of A, its
// town, the district, the accused member and of the report itself) and every state change
// aimed at the report, as every role that must not know (the district office, the town office,
// the leader, the branch secretary, the accused member, the other town's secretary, a discipline
// inspector at the accused branch itself, one in the other town, and one at the district whose
// own membership is in the accused branch), the answer must be byte-for-byte what it was before
// the report existed (so no list, count, export, audit view or id betrays it) and must contain
// neither the report's text, its code, its id, the sender's name or phone nor the photo's name.
// The right inspectors (discipline at the district and at the accused branch's parent) see it
// and, on request (audited), the sender.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, Client, loginAs, PASSWORD, expectError, PNG_1x1 as PNG, unzip, multipartBody, smsCode } from '../lib.mjs';

const srv = await startServerOn();
after(() => srv.stop());
const base = ['office', 'town', 'leader', 'secretary', 'member', 'secretary2', 'discipline'];
const as = {};
for (const u of base) as[u] = await loginAs(srv.base, u);
const rootId = as.office.user.roles[0].org_id, townId = as.town.user.roles[0].org_id;
const branchA = as.secretary.user.roles[0].org_id, branchB = as.secretary2.user.roles[0].org_id;
const accused = as.member.user.member_id;
assert.ok(accused, 'the member login is a member of the first branch');
async function ok(r, status = 200) { assert.equal(r.status, status, `${r.status} ${r.text.slice(0, 400)}`); return r.json; }

// More discipline inspectors: at the accused branch itself, at the accused branch's parent (the
// town: a right one), in the other town, and at the district but a member of the accused branch.
const townB = (await ok(await as.office.get(`/api/v1/orgs/${branchB}`))).org.parent_id;
const colleague = (await ok(await as.office.get(`/api/v1/orgs/${branchA}/members?per_page=5`))).members.find((m) => m.id !== accused);
for (const [name, org, mem] of [['disca', branchA], ['disctown', townId], ['discb', townB], ['discm', rootId, colleague.id]]) {
  const r = srv.cli(['user', 'add', name, '--name', `纪检${name}`, '--password-file', '-', '--role', 'discipline', '--org', String(org),
    ...(mem ? ['--member', String(mem)] : [])], { input: PASSWORD + '\n' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  as[name] = await loginAs(srv.base, name);
}
as.anon = new Client(srv.base);
const MUST_NOT_KNOW = ['office', 'town', 'leader', 'secretary', 'member', 'secretary2', 'disca', 'discb', 'discm', 'anon'];
const RIGHT = ['discipline', 'disctown'];

// Records to aim the {id} operations at (the first path segment names the kind). A complaint in
// A gives the feedback kinds something visible to compare with; other kinds take what the demo
// has, or an id that does not exist.
const window = (await ok(await as.secretary.post(`/api/v1/orgs/${branchA}/windows`, { name: '保密测试便民窗口' }), 201)).window;
await ok(await as.anon.post('/api/v1/public/feedback', { kind: 'complaint', text: '保密测试：窗口排队太久', about_kind: 'org', about_id: branchA,
  evidence: [{ name: '排队.png', data: PNG.toString('base64') }] }), 201);
// (a 投诉 about A is filed at its town, the level above)
const complaint = (await ok(await as.office.get(`/api/v1/orgs/${townId}/feedback?per_page=500`))).items.find((x) => x.text === '保密测试：窗口排队太久');
const complaintFile = (await ok(await as.office.get(`/api/v1/feedback/${complaint.id}`))).item.files[0];
const MISSING = 987654321;
const firstId = async (path, key) => { const r = await as.office.get(path); return (r.json && r.json[key] && r.json[key][0] && r.json[key][0].id) || MISSING; };
const pledge = (await ok(await as.member.get('/api/v1/me/pledges'))).pledges[0];
const IDS = {
  orgs: [branchA, townId, rootId], members: [accused], pledges: [pledge ? pledge.id : MISSING], evidence: [MISSING],
  windows: [window.id], 'paper-batches': [await firstId(`/api/v1/orgs/${rootId}/paper-batches`, 'batches')],
  'phone-draws': [await firstId(`/api/v1/orgs/${rootId}/phone-draws`, 'draws')], rounds: [await firstId(`/api/v1/orgs/${rootId}/rounds`, 'rounds')],
  campaigns: [await firstId(`/api/v1/orgs/${rootId}/campaigns`, 'campaigns')], public: [accused, branchA],
  rectifications: [await firstId(`/api/v1/orgs/${rootId}/rectifications`, 'rectifications')], 'rectification-evidence': [MISSING],
  feedback: [complaint.id, MISSING], 'feedback-files': [complaintFile.id, MISSING],
};
// A public notice (公示, issue 19) by the town's office naming the accused member (the candidate)
// and a colleague of the same branch: its objections are walked below (the last test).
const notice = (await ok(await as.town.post(`/api/v1/orgs/${townId}/notices`, { title: '保密测试拟表彰公示', contact: '电话 0571-88880000',
  items: [{ subject_kind: 'member', subject_id: accused, honour: '优秀共产党员' }, { subject_kind: 'member', subject_id: colleague.id, honour: '优秀共产党员' }] }), 201)).notice;
Object.assign(IDS, { notices: [notice.id], objections: [MISSING] });
const spec = (await as.anon.get('/api/v1/openapi.json')).json;
const OPS = [];
for (const [path, item] of Object.entries(spec.paths)) for (const [method, op] of Object.entries(item)) OPS.push({ method: method.toUpperCase(), path, op });
const segOf = (path) => path.split('/')[1];
/** Every URL a GET operation is called at: each id of its kind, plain and as an export; the
 * feedback lists also by view and kind. */
function urlsOf(o, extraIds = {}) {
  const ids = o.path.includes('{id}') ? [...(IDS[segOf(o.path)] || [MISSING]), ...(extraIds[segOf(o.path)] || [])] : [null];
  const out = [];
  for (const id of ids) {
    const p = '/api/v1' + (id === null ? o.path : o.path.replace('{id}', String(id)));
    out.push(p, `${p}?format=xlsx`);
    if (/\/feedback$/.test(o.path)) for (const q of ['view=open', 'view=new', 'view=overdue', 'view=reminders', 'kind=report', 'per_page=500&subtree=1']) out.push(`${p}?${q}`);
  }
  return out;
}
// The pages behind the same data, for the same comparison.
const PAGES = [`/orgs/${branchA}/feedback`, `/orgs/${townId}/feedback`, `/orgs/${rootId}/feedback`, `/orgs/${townId}/feedback?view=new`,
  `/orgs/${rootId}/feedback?kind=report`, `/orgs/${rootId}/audit`, `/orgs/${townId}/audit`, `/orgs/${branchA}`, `/orgs/${townId}`, `/members/${accused}`,
  `/p/card/${accused}`, `/p/board/${branchA}`, '/p/replies', '/calendar', `/orgs/${townId}/dashboard`];

/** What an answer says, for comparison: JSON parsed (the audit view without the export records
 * the walk itself adds), XLSX as its sheets' XML, anything else as text. */
function content(url, r) {
  let body;
  if ((r.headers.get('content-type') || '').includes('spreadsheetml')) {
    const z = unzip(r.buf);
    body = Object.keys(z).filter((k) => k.startsWith('xl/') && !k.includes('styles')).sort().map((k) => z[k].toString('utf8')).join('\n');
  } else if (r.json) {
    body = r.json;
    if (Array.isArray(body.records)) body = { ...body, records: body.records.filter((x) => x.action !== 'export') };
  } else if (url.includes('/audit')) {
    body = { records: [...r.text.matchAll(/<tr><td>(\d+)<\/td>.*?<\/tr>/g)].map((m) => ({ seq: Number(m[1]), row: m[0] })).filter((x) => !x.row.includes('<td>export</td>')) };
  } else body = r.text;
  return { status: r.status, body };
}
/** Asserts an answer is the one given before. An audit view shows the newest 200 records, and
 * the walk's own exports push old ones out: there every record shown now must have been shown
 * before, unchanged (so nothing new appeared). */
function same(key, now, was) {
  if (!key.includes('/audit') || now.status !== 200) return assert.deepEqual(now, was, `${key} changed because of the report`);
  assert.equal(now.status, was.status, key);
  const old = new Map(was.body.records.map((x) => [x.seq, x]));
  for (const x of now.body.records) assert.deepEqual(x, old.get(x.seq), `${key}: a record appeared because of the report`);
}
async function walk(users) {
  const seen = new Map();
  for (const u of users) {
    for (const o of OPS.filter((x) => x.method === 'GET')) {
      for (const url of urlsOf(o)) seen.set(`${u} GET ${url}`, content(url, await as[u].get(url)));
    }
    for (const p of PAGES) seen.set(`${u} page ${p}`, content(p, await as[u].get(p)));
  }
  return seen;
}
const textOf = (c) => (typeof c.body === 'string' ? c.body : JSON.stringify(c.body));

// ---- before: what everyone sees without the report ----
const before = await walk([...MUST_NOT_KNOW, ...RIGHT]);

// ---- the report: from the accused member's public card, with a photo, a name and a phone ----
const SECRET_TEXT = '举报：该党员利用职务之便收受红包ZQX7';
const SENDER = '举报人王五六', PHONE = '13700009999', PHOTO = '红包证据ZQX7.png';
const cardForm = await as.anon.get(`/p/feedback/member/${accused}`);
assert.match(cardForm.text, /value="report"/);
const mp = await multipartBody([['kind', 'report'], ['text', SECRET_TEXT], ['name', SENDER], ['contact', PHONE], ['evidence', PNG, PHOTO]]);
const sent = await as.anon.req('POST', `/p/feedback/member/${accused}`, mp);
assert.equal(sent.status, 303, sent.text.slice(0, 300));
const done = await as.anon.get(sent.headers.get('location'));
assert.equal(done.status, 200, done.text.slice(0, 300));
const CODE_SHOWN = done.text.match(/id="tracking-code">([^<]+)</)[1];
const CODE = CODE_SHOWN.replace(/-/g, '');
const inbox = (await ok(await as.discipline.get(`/api/v1/orgs/${rootId}/feedback?kind=report`))).items;
const report = inbox.find((x) => x.text === SECRET_TEXT);
assert.ok(report, 'the district\'s discipline inspector has it');
const REPORT_FILE = (await ok(await as.discipline.get(`/api/v1/feedback/${report.id}`))).item.files[0];
const SECRETS = [SECRET_TEXT, 'ZQX7', CODE, CODE_SHOWN, SENDER, PHONE, PHONE.slice(-4) + '"', PHOTO, String(report.id), String(REPORT_FILE.id)];
function noLeak(what, c) {
  const t = textOf(c);
  for (const s of SECRETS) assert.ok(!t.includes(s), `${what} reveals “${s}”: ${t.slice(0, 300)}`);
}

test('the report is routed to the discipline role above the accused branch, and handled there', async () => {
  assert.deepEqual([report.kind, report.org_id, report.about.kind, report.about.id, report.about.org_id], ['report', townId, 'member', accused, branchA],
    'handled at the town (the parent of the accused\'s branch), about the accused member');
  assert.deepEqual([report.sender.name, report.sender.contact], ['举****', '137****9999']);
  // the town's inspector sees it too; the sender only on request, and that is audited (under no organisation)
  const seen = await ok(await as.disctown.get(`/api/v1/feedback/${report.id}`));
  assert.equal(seen.item.text, SECRET_TEXT);
  const rv = await ok(await as.discipline.post(`/api/v1/feedback/${report.id}/reveal`));
  assert.deepEqual(rv.sender, { name: SENDER, contact: PHONE });
  const photo = await as.discipline.get(`/api/v1/feedback-files/${REPORT_FILE.id}`);
  assert.ok(photo.buf.equals(PNG));
  // triage within the line above the accused only; never published
  const cat = (await ok(await as.discipline.get('/api/v1/feedback-categories'))).categories.find((c) => c.name === '廉洁自律');
  await ok(await as.discipline.post(`/api/v1/feedback/${report.id}/classify`, { category_id: cat.id, note: '纪检内部备注ZQX7' }));
  expectError(await as.discipline.post(`/api/v1/feedback/${report.id}/assign`, { org_id: branchA }), 400, 'not_higher', 'org_id');
  expectError(await as.disctown.post(`/api/v1/feedback/${report.id}/assign`, { org_id: rootId }), 404, 'not_found', 'org_id');
  await ok(await as.discipline.post(`/api/v1/feedback/${report.id}/assign`, { org_id: townId }));
  expectError(await as.discipline.post(`/api/v1/feedback/${report.id}/reply`, { reply: '已立案调查。', publish: true, summary: '群众举报某党员' }), 400, 'report_not_public', 'publish');
  const x = (await ok(await as.discipline.post(`/api/v1/feedback/${report.id}/reply`, { reply: '已立案调查ZQX7，感谢您的监督。' }))).item;
  assert.equal(x.status, 'replied');
  expectError(await as.discipline.post(`/api/v1/feedback/${report.id}/publish`, { publish: true, summary: '摘要摘要摘要' }), 403, 'forbidden');
  // the sender follows it with the code: status and reply, no names, no handling organisation
  const t = (await ok(await as.anon.post('/api/v1/public/track', { code: CODE }))).tracking;
  assert.deepEqual([t.kind, t.status, t.reply, t.org_name], ['report', 'replied', '已立案调查ZQX7，感谢您的监督。', undefined]);
  // the right inspectors' exports hold it, and those exports are audited under no organisation
  const xl = await as.discipline.get(`/api/v1/orgs/${townId}/feedback?format=xlsx`);
  assert.ok(Object.values(unzip(xl.buf)).some((b) => b.toString('utf8').includes(SECRET_TEXT)));
});

test('every role but the right inspectors learns nothing: every operation, export and page answers as before', async () => {
  const afterw = await walk(MUST_NOT_KNOW);
  let n = 0;
  for (const [key, c] of afterw) {
    noLeak(key, c);
    same(key, c, before.get(key));
    n++;
  }
  assert.ok(n > 1000, `only ${n} answers compared`);
  console.log(`# ${n} answers compared`);
  // the report's own id answers like a missing one, on every operation aimed at it
  for (const u of MUST_NOT_KNOW) {
    for (const o of OPS.filter((x) => /^\/(feedback|feedback-files)\/\{id\}/.test(x.path))) {
      const id = o.path.startsWith('/feedback-files') ? REPORT_FILE.id : report.id;
      const body = o.method === 'GET' ? undefined : { reply: '越权答复', publish: true, summary: '越权摘要', org_id: townId, into_id: complaint.id, category_id: 1 };
      const hidden = await as[u].req(o.method, '/api/v1' + o.path.replace('{id}', String(id)), { body });
      const missing = await as[u].req(o.method, '/api/v1' + o.path.replace('{id}', String(MISSING)), { body });
      assert.ok(hidden.status >= 400, `${u} ${o.method} ${o.path} on the report: ${hidden.status}`);
      assert.deepEqual([hidden.status, hidden.json], [missing.status, missing.json], `${u} ${o.method} ${o.path}: the report looks unlike a missing record`);
      noLeak(`${u} ${o.method} ${o.path}`, content('', hidden));
    }
    for (const p of [`/feedback/${report.id}`, `/feedback-files/${REPORT_FILE.id}`]) {
      const r = await as[u].get(p);
      assert.ok(r.status >= 300, `${u} ${p}: ${r.status}`);
      noLeak(`${u} ${p}`, content(p, r));
    }
  }
  // the report never touched the state the others see: still handled, still replied
  const still = await ok(await as.discipline.get(`/api/v1/feedback/${report.id}`));
  assert.deepEqual([still.item.status, still.item.org_id, still.item.published], ['replied', townId, false]);
});

test('the right inspectors see it, in lists and counts; the audit view of the offices holds no trace of it', async () => {
  const afterw = await walk(RIGHT);
  for (const u of RIGHT) {
    for (const org of [townId, rootId].filter((o) => o !== rootId || u === 'discipline')) {
      const k = `${u} GET /api/v1/orgs/${org}/feedback`;
      const was = before.get(k).body, now = afterw.get(k).body;
      assert.equal(now.counts.all, was.counts.all + 1, `${k}: counted once more`);
      assert.ok(now.items.some((x) => x.id === report.id));
    }
    const page = await as[u].get(`/feedback/${report.id}`);
    assert.equal(page.status, 200);
    assert.ok(page.text.includes(SECRET_TEXT));
  }
  // the town's child count includes it for the right inspector only
  const town = afterw.get(`discipline GET /api/v1/orgs/${rootId}/feedback`).body.children.find((c) => c.org_id === townId);
  const townBefore = before.get(`discipline GET /api/v1/orgs/${rootId}/feedback`).body.children.find((c) => c.org_id === townId);
  assert.equal(town.open, townBefore.open, `replied: no longer open ${JSON.stringify(afterw.get(`discipline GET /api/v1/orgs/${townId}/feedback?view=open`).body.items)}`);
  for (const u of ['office', 'town']) {
    const audit = (await ok(await as[u].get(`/api/v1/orgs/${u === 'office' ? rootId : townId}/audit`))).records;
    assert.ok(!audit.some((a) => a.entity === 'report' || a.entity_id === report.id), `${u}'s audit view shows the report`);
  }
  // the audit chain holds the report's records (filed under no organisation) and verifies
  const v = srv.cli(['audit', 'verify']);
  assert.equal(v.status, 0, v.stdout + v.stderr);
});

test('a discipline inspector in the accused branch who keys in a report against it cannot follow it there', async () => {
  const r = await ok(await as.disca.post(`/api/v1/orgs/${branchA}/feedback`, { kind: 'report', channel: 'letter', text: '来信举报本支部某党员ZQX8',
    about_kind: 'member', about_id: accused }), 201);
  assert.ok(r.code && !('id' in r), 'the code for the sender; no id for someone who may not see it');
  assert.ok(!JSON.stringify((await ok(await as.disca.get(`/api/v1/orgs/${branchA}/feedback?per_page=500`))).items).includes('ZQX8'));
  assert.ok((await ok(await as.disctown.get(`/api/v1/orgs/${townId}/feedback?per_page=500`))).items.some((x) => x.text.includes('ZQX8') && x.channel === 'letter'));
  // and the office may not key in a report at all (a 举报箱 is opened by 纪检)
  expectError(await as.office.post(`/api/v1/orgs/${rootId}/feedback`, { kind: 'report', channel: 'letter', text: '办公室录入的举报', about_kind: 'member', about_id: accused }), 403, 'forbidden', 'kind');
});

// ---- objections to a public notice (公示, issue 19) ----
// A resident objects to the candidate (the accused member) on the town's notice. Only the office
// and the discipline inspectors over the town see it (town, office, discipline, disctown); every
// other role — the leader, the candidate's own branch secretary, the candidate, the other town's
// secretary, the inspectors at the candidate's branch and in the other town, the district
// inspector who is a member of the candidate's branch (recused), the public — gets, on every GET
// operation, export and page, byte for byte what it got before, and the objection's id answers
// like a missing one on every operation aimed at it.
test('an objection to a notice is seen only by the office and discipline over the notice\'s office', async () => {
  const NOT_OBJ = ['leader', 'secretary', 'member', 'secretary2', 'disca', 'discb', 'discm', 'anon'];
  const RIGHT_OBJ = ['town', 'office', 'discipline', 'disctown'];
  const PAGES_OBJ = [`/notices/${notice.id}`, `/p/notices/${notice.id}`, '/p/notices', `/orgs/${townId}/notices`, '/desk'];
  const walkObj = async (users) => {
    const seen = await walk(users);
    for (const u of users) for (const p of PAGES_OBJ) seen.set(`${u} page ${p}`, content(p, await as[u].get(p)));
    return seen;
  };
  const beforeObj = await walkObj(NOT_OBJ);
  const OBJ_TEXT = '异议：该同志曾违规操办酒席QWV9', OBJ_NAME = '异议人赵钱孙', OBJ_PHONE = '13700008888';
  await ok(await as.anon.post('/api/v1/public/sms-codes', { phone: OBJ_PHONE }), 202);
  const filed = await ok(await as.anon.post('/api/v1/public/objections', { notice_id: notice.id, item_id: notice.items[0].id, name: OBJ_NAME,
    phone: OBJ_PHONE, code: await smsCode(srv, OBJ_PHONE), text: OBJ_TEXT }), 201);
  const seen = await ok(await as.disctown.get(`/api/v1/notices/${notice.id}`));
  const obj = seen.objections.find((o) => o.text === OBJ_TEXT);
  assert.ok(obj, 'the town\'s inspector sees it');
  assert.equal(seen.notice.items[0].state, 'pending');
  const OBJ_SECRETS = [OBJ_TEXT, 'QWV9', OBJ_NAME, OBJ_PHONE, OBJ_PHONE.slice(-4) + '"', filed.code, filed.code.replace(/-/g, '')];
  const afterObj = await walkObj(NOT_OBJ);
  let n = 0;
  for (const [key, c] of afterObj) {
    const t = textOf(c);
    for (const x of OBJ_SECRETS) assert.ok(!t.includes(x), `${key} reveals “${x}”: ${t.slice(0, 300)}`);
    same(key, c, beforeObj.get(key));
    n++;
  }
  assert.ok(n > 1000, `only ${n} answers compared`);
  for (const u of NOT_OBJ) {
    for (const o of OPS.filter((x) => /^\/objections\/\{id\}/.test(x.path))) {
      const body = o.method === 'GET' ? undefined : { outcome: 'upheld', finding: '越权核查结论' };
      const hidden = await as[u].req(o.method, '/api/v1' + o.path.replace('{id}', String(obj.id)), { body });
      const missing = await as[u].req(o.method, '/api/v1' + o.path.replace('{id}', String(MISSING)), { body });
      assert.ok(hidden.status >= 400, `${u} ${o.method} ${o.path} on the objection: ${hidden.status}`);
      assert.deepEqual([hidden.status, hidden.json], [missing.status, missing.json], `${u} ${o.method} ${o.path}: the objection looks unlike a missing record`);
    }
    for (const p of [`/objections/${obj.id}/hold`]) {
      const r = await as[u].post(p, undefined);
      assert.ok(r.status >= 300, `${u} POST ${p}: ${r.status}`);
    }
  }
  // nothing refused changed it; the right ones see it, masked
  for (const u of RIGHT_OBJ) {
    const v = await ok(await as[u].get(`/api/v1/notices/${notice.id}`));
    const x = v.objections.find((o) => o.id === obj.id);
    assert.deepEqual([x.status, x.name.slice(0, 1), x.phone], ['received', '异', '137****8888'], u);
    assert.ok(!JSON.stringify(v).includes(OBJ_NAME) && !JSON.stringify(v).includes(OBJ_PHONE), `${u} sees the objector unmasked`);
  }
});
