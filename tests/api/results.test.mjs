// results.test.mjs: published round results over HTTP (issue 19, 评议结果公布), on this file's own
// demo database, played as the first town's office, the district office and as an attacker or a
// careless user: a round over the district with service windows and a 党员示范岗 rated by verified
// residents; the window league table ranks windows only (the post, with more and better ballots,
// never appears), ties share a rank 1224-style, windows under the minimum of valid ballots are
// listed apart; organisations' satisfaction comes from the round's roll-ups; the 优秀 list holds
// only members whose final grade is 优秀 and approved; published rows do not move when ballots
// arrive later, and `cxzy recount` agrees with them; a row edited behind the server's back is
// reported, --fix does not adopt it, re-publishing (a new version the public page says replaced
// the earlier one) does; a withdrawal needs a reason and the page then says 已撤回 and why; another
// town's office, a secretary, a round that does not cover the office, malformed settings and two
// publications at once are each refused or serialised with nothing half-written.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServerOn, Client, loginAs, expectError, expectOk, sqlOn, smsCode } from '../lib.mjs';

const srv = await startServerOn({ args: ['--ballot-limit', '1000', '--sms-limit', '0', '--burst-target', '0', '--burst-net', '0'] });
after(() => srv.stop());
const [office, town, secretary, secretary2] = await Promise.all(['office', 'town', 'secretary', 'secretary2'].map((u) => loginAs(srv.base, u)));
const anon = new Client(srv.base);
const rootId = office.user.roles[0].org_id;
const townId = town.user.roles[0].org_id;
const branch = secretary.user.roles[0].org_id;
const branch2 = secretary2.user.roles[0].org_id;
const town2 = (await expectOk(await office.get(`/api/v1/orgs/${branch2}`))).org.parent_id;
const sql = (q) => sqlOn(srv.db, q);
const ok = async (r, status = 200) => expectOk(r, status);

// the demo's round (open, with grades), and a new round over the district for the ballots here
const demoRound = Number(sql('SELECT min(id) FROM review_round'));
const camp = (await ok(await office.get(`/api/v1/orgs/${rootId}/campaigns`))).campaigns[0];
const round = (await ok(await office.post(`/api/v1/orgs/${rootId}/rounds`, { campaign_id: camp.id, name: '结果公布测试轮次', start_date: camp.start_date,
  end_date: camp.end_date, questions: 'party3' }), 201)).round;

const device = async () => (await ok(await new Client(srv.base).get(`/api/v1/public/rating?target_kind=org&target_id=${branch}`))).device;
let phoneSeq = 0;
async function ballot(id, answers) {
  const phone = `1371000${String(++phoneSeq).padStart(4, '0')}`;
  await ok(await anon.post('/api/v1/public/sms-codes', { phone }), 202);
  const r = await anon.post('/api/v1/public/ballots', { target_kind: 'window', target_id: id, channel: 'qr', answers, ...(answers.includes('3') ? { reason: '办事拖拉' } : {}), phone, code: await smsCode(srv, phone), device: await device() });
  assert.equal((await ok(r, 201)).ballot.counted, true);
}
const win = async (name) => (await ok(await secretary.post(`/api/v1/orgs/${branch}/windows`, { name, location: '大厅' }), 201)).window;
const snap = () => sql("SELECT (SELECT count(*) FROM result_list) || '/' || (SELECT count(*) FROM result_row) || '/' || (SELECT max(seq) FROM audit_log)");
async function refused(what, send, status, code, field) {
  const before = snap();
  const r = await send();
  try { expectError(r, status, code, field); } catch (e) { e.message = `${what}: ${e.message}`; throw e; }
  assert.equal(snap(), before, `${what} was refused but changed something`);
}
const preview = async (c, org, q) => (await ok(await c.get(`/api/v1/orgs/${org}/results?${new URLSearchParams(q)}`))).preview;
const publish = async (c, org, body) => (await ok(await c.post(`/api/v1/orgs/${org}/results`, body), 201)).result;

// W1 and W3: three ballots all 满意 (100%, tied); W2: two 满意 and one 不满意 (66.67%); W4: one
// ballot (under a minimum of 2); the post: five ballots all 满意, more than any window.
let W1, W2, W3, W4, post, list1;
const mine = (lines) => lines.filter((x) => [W1, W2, W3, W4, post].some((w) => w.id === x.ref_id));

test('setup: windows and a post of the first branch rated by verified residents', async () => {
  [W1, W2, W3, W4] = [await win('结果窗口甲'), await win('结果窗口乙'), await win('结果窗口丙'), await win('结果窗口丁')];
  post = (await ok(await secretary.post(`/api/v1/orgs/${branch}/posts`, { kind: 'post', name: '结果测试示范岗', duties: '代办' }), 201)).post;
  for (const [w, answers] of [[W1, ['111111', '111111', '111111']], [W2, ['111111', '111111', '333333']], [W3, ['111111', '111111', '111111']],
    [W4, ['111111']], [post, ['111111', '111111', '111111', '111111', '111111']]])
    for (const a of answers) await ballot(w.id, a);
});

test('the window league table: windows only, 1224 ranks for equal rates, the minimum of valid ballots', async () => {
  const p = await preview(town, townId, { round_id: round.id, kind: 'windows', min_ballots: 2 });
  assert.ok(![...p.ranked, ...p.apart].some((x) => x.ref_id === post.id), 'a post never appears in the window table, however rated');
  assert.deepEqual(mine(p.ranked).map((x) => [x.name, x.rank, x.valid, x.rate_text, x.tied]),
    [['结果窗口丙', 1, 3, '100.00%', true], ['结果窗口甲', 1, 3, '100.00%', true], ['结果窗口乙', 3, 3, '66.67%', false]]);
  assert.deepEqual(mine(p.apart).map((x) => [x.name, x.rank, x.valid]), [['结果窗口丁', 0, 1]]);
  assert.equal(p.ranked.length, 3, 'the demo\'s windows have no ballot in this round: listed apart');
  assert.match(p.method, /只含服务窗口（党员示范岗和责任区不参与排名）/);
  assert.match(p.method, /有效评价不少于 2 份的参与排名/);
  assert.match(p.method, /1、2、2、4/);
  // a minimum of 4: nobody ranked, all listed apart; blank: the default, 30
  const hi = await preview(town, townId, { round_id: round.id, kind: 'windows', min_ballots: 4 });
  assert.deepEqual(hi.ranked, []);
  assert.equal(mine(hi.apart).length, 4);
  assert.equal((await preview(town, townId, { round_id: round.id, kind: 'windows' })).min_ballots, 30);
  // the page shows the same preview with a form to publish it
  const page = await town.get(`/orgs/${townId}/results?round_id=${round.id}&kind=windows&min_ballots=2`);
  assert.equal(page.status, 200);
  assert.match(page.text, /结果窗口乙/);
  assert.ok(!page.text.includes('结果测试示范岗'));
  assert.match(page.text, /name="_csrf"/);
});

test('organisations\' satisfaction from the roll-ups: the office\'s children or every branch', async () => {
  const p = await preview(town, townId, { round_id: round.id, kind: 'orgs', min_ballots: 1 });
  const b = p.ranked.find((x) => x.ref_id === branch);
  // the branch's subtree got every ballot here: 3 + 3 + 3 + 1 + 5 = 15, of 90 answers 6 不满意
  assert.deepEqual([b.rank, b.valid, b.rate_text], [1, 15, '93.33%']);
  assert.ok(p.apart.every((x) => x.valid === 0));
  const all = await preview(office, rootId, { round_id: round.id, kind: 'orgs', scope: 'branches', min_ballots: 1 });
  const ids = [...all.ranked, ...all.apart].map((x) => x.ref_id);
  assert.ok(ids.includes(branch) && ids.includes(branch2), 'every branch of the district');
  assert.ok(!ids.includes(townId) && !ids.includes(rootId), 'committees are not branches');
  const kids = await preview(office, rootId, { round_id: round.id, kind: 'orgs', scope: 'children', min_ballots: 1 });
  const children = sql(`SELECT id FROM org WHERE parent_id = ${rootId} AND active = 1`).split('\n').map(Number);
  assert.ok(children.includes(townId) && children.includes(town2));
  assert.deepEqual([...kids.ranked, ...kids.apart].map((x) => x.ref_id).sort((a, b) => a - b), children.sort((a, b) => a - b));
  assert.equal(kids.ranked.find((x) => x.ref_id === townId).valid, 15);
});

test('publish: frozen rows on the public page; later ballots never move them and recount agrees', async () => {
  list1 = await publish(town, townId, { round_id: String(round.id), kind: 'windows', min_ballots: '2' });
  assert.equal(list1.version, 1);
  const page = await anon.get(`/p/results/${list1.id}`);
  assert.equal(page.status, 200);
  assert.match(page.text, /结果窗口甲/);
  assert.match(page.text, /（并列）/);
  assert.match(page.text, /样本不足/);
  assert.ok(!page.text.includes('结果测试示范岗'));
  // read again (answered from the page cache): still a page to show, not a download
  const again = await anon.get(`/p/results/${list1.id}`);
  assert.equal(again.status, 200);
  assert.equal(again.headers.get('content-disposition'), null, 'a cached public page is not a download');
  assert.equal(again.text, page.text);
  const print = await anon.get(`/p/results/${list1.id}/print`);
  assert.equal(print.status, 200);
  assert.match(print.text, /<svg/, 'the print view carries the QR code of the page');
  assert.match(print.text, new RegExp(`/p/results/${list1.id}`));
  const index = await anon.get('/p/results');
  assert.match(index.text, new RegExp(`href="/p/results/${list1.id}"`));
  const api = await ok(await anon.get('/api/v1/public/results'));
  assert.ok(api.offices.some((o) => o.org_id === townId && o.lists.some((l) => l.id === list1.id)));
  // two more ballots for W2 (now 4 of 5 content): the published row stays, the preview moves
  await ballot(W2.id, '111111');
  await ballot(W2.id, '111111');
  const seen = await ok(await town.get(`/api/v1/results/${list1.id}`));
  assert.deepEqual(mine(seen.result.ranked).map((x) => [x.name, x.rank, x.valid]), [['结果窗口丙', 1, 3], ['结果窗口甲', 1, 3], ['结果窗口乙', 3, 3]]);
  const now = await preview(town, townId, { round_id: round.id, kind: 'windows', min_ballots: 2 });
  assert.equal(now.ranked.find((x) => x.ref_id === W2.id).valid, 5);
  const r = srv.cli(['recount']);
  assert.equal(r.status, 0, `ballots after publication are not a difference: ${r.stdout}${r.stderr}`);
  // the spreadsheet of the frozen rows, for staff of the area, audited as an export
  const x = await town.get(`/api/v1/results/${list1.id}?format=xlsx`);
  assert.equal(x.status, 200, x.text.slice(0, 200));
  assert.match(x.headers.get('content-type'), /spreadsheetml/);
  assert.equal(x.buf.subarray(0, 2).toString(), 'PK');
  assert.equal(sql(`SELECT count(*) FROM audit_log WHERE entity = 'result_list' AND action = 'export' AND entity_id = ${list1.id}`), '1');
  expectError(await town.get(`/api/v1/results/${list1.id}?format=pdf`), 400, 'invalid_format');
  assert.ok(sql(`SELECT count(*) FROM audit_log WHERE entity = 'result_list' AND action = 'publish' AND entity_id = ${list1.id}`) === '1');
});

test('recount: an edited published row is reported, --fix does not adopt it, republishing replaces the version', async () => {
  sql(`UPDATE result_row SET rate = 5000, rank = 3 WHERE list_id = ${list1.id} AND ref_id = ${W1.id}`);
  const r = srv.cli(['recount']);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`评议结果公布 ${list1.id}（.*满意窗口排名，第 1 版）：结果窗口甲 公布为第 3 名、有效评价 3 份、满意率 50.00%，按原始记录应为第 1 名、3 份、100.00%`));
  const f = srv.cli(['recount', '--fix']);
  assert.equal(f.status, 1, f.stdout + f.stderr);
  assert.match(f.stdout, /已公布的名单不会被自动修正/);
  assert.equal(sql(`SELECT rate FROM result_row WHERE list_id = ${list1.id} AND ref_id = ${W1.id}`), '5000', '--fix never adopts');
  const v2 = await publish(town, townId, { round_id: String(round.id), kind: 'windows', min_ballots: '2' });
  assert.equal(v2.version, 2);
  assert.ok(v2.replaces_at > 0);
  assert.equal(srv.cli(['recount']).status, 0, 'the replaced version is no longer checked');
  // the old address shows the latest and says so; the new one says what it replaced
  const old = await anon.get(`/p/results/${list1.id}`);
  assert.match(old.text, /您打开的第 1 版已被替换/);
  assert.match(old.text, /本版替换了 .* 公布的上一版/);
  assert.equal(sql(`SELECT status || '/' || replaced_by FROM result_list WHERE id = ${list1.id}`), `replaced/${v2.id}`);
  assert.equal(sql(`SELECT count(*) FROM audit_log WHERE entity = 'result_list' AND action = 'republish' AND entity_id = ${v2.id} AND before_json LIKE '%"replaces":${list1.id}%'`), '1');
  // W2 now with its five ballots (4 of 5 content: 24 of 30 answers)
  const row = (await ok(await town.get(`/api/v1/results/${v2.id}`))).result.ranked.find((x) => x.ref_id === W2.id);
  assert.deepEqual([row.valid, row.rate_text], [5, '80.00%']);
  list1 = v2;
});

test('two publications at once: both versions kept in order, one current', async () => {
  const body = { round_id: String(round.id), kind: 'orgs', scope: 'children', min_ballots: '1' };
  const [a, b] = await Promise.all([town.post(`/api/v1/orgs/${townId}/results`, body), town.post(`/api/v1/orgs/${townId}/results`, body)]);
  const va = (await ok(a, 201)).result.version, vb = (await ok(b, 201)).result.version;
  assert.deepEqual([va, vb].sort(), [1, 2]);
  assert.equal(sql(`SELECT count(*) FROM result_list WHERE org_id = ${townId} AND kind = 'orgs' AND round_id = ${round.id} AND status = 'published'`), '1');
});

test('the 优秀 list: only final 优秀 with approval approved; names only, masked on the public page', async () => {
  const g = sql(`SELECT g.target_id FROM grade g JOIN member m ON m.id = g.target_id JOIN org o ON o.id = g.org_id WHERE g.round_id = ${demoRound} ` +
    `AND g.target_kind = 'member' AND o.id = ${branch} ORDER BY g.target_id LIMIT 4`).split('\n').map(Number);
  assert.equal(g.length, 4, 'the demo grades four members of the first branch');
  const set = (m, final, approval) => sql(`UPDATE grade SET final = '${final}', approval = '${approval}' WHERE round_id = ${demoRound} AND target_kind = 'member' AND target_id = ${m}`);
  sql(`UPDATE grade SET final = 'qualified', approval = 'none' WHERE round_id = ${demoRound} AND final = 'excellent'`);
  set(g[0], 'excellent', 'approved'); set(g[1], 'excellent', 'pending'); set(g[2], 'excellent', 'rejected'); set(g[3], 'qualified', 'approved');
  const p = await preview(town, townId, { round_id: demoRound, kind: 'excellent' });
  assert.deepEqual(p.listed.map((x) => x.ref_id), [g[0]]);
  assert.deepEqual(Object.keys(p.listed[0]).sort(), ['name', 'org_name', 'ref_id'], 'nothing else about the member');
  const l = await publish(town, townId, { round_id: String(demoRound), kind: 'excellent' });
  const name = sql(`SELECT name FROM member WHERE id = ${g[0]}`);
  const page = await anon.get(`/p/results/${l.id}`);
  assert.equal(page.status, 200);
  assert.ok(!page.text.includes(name), 'the full name is masked on the public page');
  assert.ok(page.text.includes(name.slice(0, 1) + '*'));
  // the approval withdrawn afterwards: recount reports the published name, never removes it
  set(g[0], 'excellent', 'rejected');
  const r = srv.cli(['recount']);
  assert.equal(r.status, 1);
  assert.match(r.stdout, new RegExp(`评议结果公布 ${l.id}（.*优秀党员名单.*已公布，按原始记录不应在名单中`));
  set(g[0], 'excellent', 'approved');
  assert.equal(srv.cli(['recount']).status, 0);
});

test('withdraw: a reason required, audited; the page then says 已撤回 and why, and shows no rows', async () => {
  await refused('a withdrawal without a reason', () => town.post(`/api/v1/results/${list1.id}/withdraw`, { reason: '  ' }), 422, 'invalid_reason', 'reason');
  await refused('another town withdrawing', () => secretary2.post(`/api/v1/results/${list1.id}/withdraw`, { reason: '越权撤回' }), 403, 'forbidden');
  const w = await ok(await town.post(`/api/v1/results/${list1.id}/withdraw`, { reason: '窗口名称有误，核实后重新公布' }));
  assert.equal(w.result.withdrawn, true);
  const page = await anon.get(`/p/results/${list1.id}`);
  assert.match(page.text, /已撤回/);
  assert.match(page.text, /窗口名称有误，核实后重新公布/);
  assert.ok(!page.text.includes('结果窗口甲'), 'a withdrawn list shows no rows');
  await refused('withdrawing twice', () => town.post(`/api/v1/results/${list1.id}/withdraw`, { reason: '再次撤回' }), 409, 'not_published');
  assert.equal(sql(`SELECT count(*) FROM audit_log WHERE entity = 'result_list' AND action = 'withdraw' AND entity_id = ${list1.id} AND after_json LIKE '%窗口名称有误%'`), '1');
  // a withdrawn list is not recounted, and republishing makes a new current version
  assert.equal(srv.cli(['recount']).status, 0);
  const v3 = await publish(town, townId, { round_id: String(round.id), kind: 'windows', min_ballots: '2' });
  assert.equal(v3.version, 3);
});

test('another office, a secretary, a round not covering the office: refused with nothing stored', async () => {
  const body = { round_id: String(round.id), kind: 'windows', min_ballots: '2' };
  await refused('the first town publishing for the second', () => town.post(`/api/v1/orgs/${town2}/results`, body), 404, 'not_found');
  await refused('a secretary publishing', () => secretary.post(`/api/v1/orgs/${branch}/results`, body), 403, 'forbidden');
  expectError(await town.get(`/api/v1/orgs/${town2}/results?round_id=${round.id}&kind=windows`), 404, 'not_found');
  // a round of the second town's own does not cover the first town
  const other = (await ok(await office.post(`/api/v1/orgs/${town2}/rounds`, { campaign_id: camp.id, name: '第二镇轮次', start_date: camp.start_date,
    end_date: camp.end_date }), 201)).round;
  await refused('a round of another town', () => town.post(`/api/v1/orgs/${townId}/results`, { ...body, round_id: String(other.id) }), 422, 'invalid_round', 'round_id');
  await refused('a round that does not exist', () => town.post(`/api/v1/orgs/${townId}/results`, { ...body, round_id: '987654321' }), 422, 'invalid_round', 'round_id');
  expectError(await town.get(`/api/v1/orgs/${townId}/results?round_id=${other.id}&kind=windows`), 422, 'invalid_round', 'round_id');
  // another town's list through the API: as if missing
  expectError(await secretary2.get(`/api/v1/results/${list1.id}`), 404, 'not_found');
});

test('malformed settings: 422 naming the field, nothing stored', async () => {
  const base = { round_id: String(round.id), kind: 'windows', min_ballots: '2' };
  const cases = [
    [{ ...base, kind: 'posts' }, 'invalid_kind', 'kind'],
    [{ ...base, kind: '' }, 'invalid_kind', 'kind'],
    [{ ...base, round_id: '' }, 'invalid_round', 'round_id'],
    [{ ...base, round_id: '12abc' }, 'invalid_round', 'round_id'],
    [{ ...base, round_id: '-3' }, 'invalid_round', 'round_id'],
    [{ ...base, min_ballots: '0' }, 'invalid_min_ballots', 'min_ballots'],
    [{ ...base, min_ballots: '-5' }, 'invalid_min_ballots', 'min_ballots'],
    [{ ...base, min_ballots: '2.5' }, 'invalid_min_ballots', 'min_ballots'],
    [{ ...base, min_ballots: '100001' }, 'invalid_min_ballots', 'min_ballots'],
    [{ ...base, min_ballots: '1e3' }, 'invalid_min_ballots', 'min_ballots'],
    [{ ...base, kind: 'orgs', scope: 'everyone' }, 'invalid_scope', 'scope'],
  ];
  for (const [body, code, field] of cases)
    await refused(JSON.stringify(body), () => town.post(`/api/v1/orgs/${townId}/results`, body), 422, code, field);
  // the form (its fields are the preview's, which refuses the same settings): the reason on the page, nothing stored
  const before = snap();
  const page = await town.req('POST', `/orgs/${townId}/results`, { body: new URLSearchParams({ ...base, min_ballots: '0' }).toString(),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  assert.equal(page.status, 422);
  assert.match(page.text, /参与排名的最少有效评价数：应为 1–100000 的整数/);
  const shown = await town.get(`/orgs/${townId}/results?round_id=${round.id}&kind=windows&min_ballots=0`);
  assert.equal(shown.status, 422);
  assert.match(shown.text, /data-code="invalid_min_ballots"/);
  assert.equal(snap(), before);
});

test('a branch moved to another town after publication: recount still agrees with what was published', async () => {
  const l = await publish(office, rootId, { round_id: String(round.id), kind: 'orgs', scope: 'children', min_ballots: '1' });
  const before = l.ranked.find((x) => x.ref_id === townId);
  assert.equal(before.valid, 17, 'the first town: 15 + the 2 later ballots of W2');
  // the first branch (with every ballot of the round) moves to the second town
  await ok(await office.post(`/api/v1/orgs/${branch}/move`, { parent_id: town2 }));
  assert.equal(sql(`SELECT parent_id FROM org WHERE id = ${branch}`), String(town2));
  const r = srv.cli(['recount']);
  assert.equal(r.status, 0, `a move is not an error in what was published: ${r.stdout}${r.stderr}`);
  // ...while an edited row still is
  sql(`UPDATE result_row SET valid = 99 WHERE list_id = ${l.id} AND ref_id = ${townId}`);
  const d = srv.cli(['recount']);
  assert.equal(d.status, 1);
  assert.match(d.stdout, new RegExp(`评议结果公布 ${l.id}（.*党组织群众满意度.*有效评价 99 份.*按原始记录应为第 1 名、17 份`));
});
